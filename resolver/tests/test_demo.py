"""The demo's network (an inbound endpoint, corp.internal and the partner rule, made once), and
what a network's resolver is told from the database: its firewall's RPZ zones."""

import pytest

from dnsfirewall import services as firewall_services
from resolver import services
from resolver.config import render_unbound_conf
from resolver.demo import load_demo_resolver
from resolver.models import ResolverEndpoint, ResolverRule
from zones import services as zone_services

pytestmark = pytest.mark.django_db


def test_the_demo_network_is_made_once_with_its_zone_and_rule(owner, settings):
    settings.RESOLVER_DEMO_PARTNER = "127.0.54.3:5300"
    settings.DNS_PRIVATE_PORT = 5301

    network = load_demo_resolver(owner)
    assert load_demo_resolver(owner) == network

    assert ResolverEndpoint.objects.filter(network=network, direction="INBOUND").count() == 1
    assert ResolverRule.objects.get(owner=owner).target_ips == [{"ip": "127.0.54.3", "port": 5300}]
    zone = network.hosted_zones.get()
    assert (zone.name, zone.is_private) == ("corp.internal.", True)
    weights = sorted(zone.record_sets.filter(name="www.corp.internal.").values_list("weight", flat=True))
    assert weights == [30, 70]
    config = services.instance_config(network)
    assert dict(config.zones.forward_zones) == {"partner.example.": ("127.0.54.3@5300",)}
    assert dict(config.zones.stub_zones) == {"corp.internal.": (f"{network.private_address}@5301",)}


def test_a_networks_firewall_groups_are_its_resolvers_rpz_zones(owner, settings):
    settings.RESOLVER_INBOUND_ADDRESSES = ["127.0.54.10"]
    settings.RESOLVER_FIREWALL_PRIMARY = "127.0.0.1@8056"
    network = zone_services.save_network(owner=owner, name="office", cidrs=["10.20.0.0/16"])
    services.create_resolver_endpoint(
        owner=owner, network=network, name="in", direction="INBOUND", addresses=["127.0.54.10:5353"]
    )
    group = firewall_services.create_rule_group(owner=owner, name="block")
    firewall_services.associate_rule_group(group=group, network=network, priority=100)

    config = services.instance_config(network)

    assert config.firewall_clauses[:3] == (
        "rpz:",
        f'    name: "{group.rpz_zone_name}"',
        "    primary: 127.0.0.1@8056",
    )
    assert '    module-config: "respip iterator"' in render_unbound_conf(config)
    assert services.rpz_notify_targets(group) == ["127.0.54.10:5353"]
