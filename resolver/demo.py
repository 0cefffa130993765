"""Demo data: the network "office" with an inbound endpoint, a private zone and a forwarding rule.

`manage.py demo` calls `load_demo_resolver(user)`; safe to run again. The rule's target is the
small partner server `manage.py resolvers` runs on RESOLVER_DEMO_PARTNER (see `demo_partner`).
"""

from typing import Any

from django.conf import settings

from resolver import rules, services
from resolver.models import ResolverEndpoint, ResolverRule
from resolver.stubserver import StubDnsServer
from zones import rules as zone_rules
from zones import services as zone_services
from zones.models import HostedZone, Network

DEMO_NETWORK = "office"
DEMO_PRIVATE_ZONE = "corp.internal."
DEMO_PARTNER_DOMAIN = "partner.example."
DEMO_PARTNER_ANSWERS = {"www.partner.example.": "198.51.100.7", "ad.partner.example.": "198.51.100.8"}


def _partner_target() -> dict | None:
    if not settings.RESOLVER_DEMO_PARTNER:
        return None
    target, problems = rules.clean_ip_port(
        settings.RESOLVER_DEMO_PARTNER, "RESOLVER_DEMO_PARTNER", default_port=53
    )
    return None if problems else target


def demo_partner() -> StubDnsServer | None:
    """The partner's DNS server the demo rule forwards to, not yet started; None when turned off."""
    target = _partner_target()
    return StubDnsServer(target["ip"], target["port"], DEMO_PARTNER_ANSWERS) if target else None


def load_demo_resolver(user: Any) -> Network:
    """The demo network with its endpoint, private zone (a weighted pair) and partner rule."""
    network = Network.objects.filter(owner=user, name=DEMO_NETWORK).first()
    if network is None:
        network = zone_services.save_network(owner=user, name=DEMO_NETWORK, cidrs=["10.0.0.0/16"])
    if not ResolverEndpoint.objects.filter(owner=user, name="office-inbound").exists():
        services.create_resolver_endpoint(
            owner=user, network=network, name="office-inbound", direction="INBOUND"
        )
    if not HostedZone.objects.filter(owner=user, name=DEMO_PRIVATE_ZONE, is_private=True).exists():
        zone = zone_services.create_hosted_zone(
            owner=user,
            name=DEMO_PRIVATE_ZONE,
            is_private=True,
            networks=[network],
            comment="The office's names",
        )
        weighted = [("blue", "10.0.0.10", 70), ("green", "10.0.0.11", 30)]
        changes = [
            zone_services.Change(
                zone_services.CREATE,
                zone_rules.RecordSetSpec(
                    name="www",
                    type="A",
                    ttl=30,
                    values=(address,),
                    policy="weighted",
                    set_identifier=name,
                    weight=weight,
                ),
            )
            for name, address, weight in weighted
        ]
        changes.append(
            zone_services.Change(
                zone_services.CREATE,
                zone_rules.RecordSetSpec(name="db", type="A", ttl=300, values=("10.0.0.20",)),
            )
        )
        zone_services.apply_change_batch(hosted_zone=zone, changes=changes, actor=user, comment="demo")
    target = _partner_target()
    if target and not ResolverRule.objects.filter(owner=user, name="partner").exists():
        rule = services.create_resolver_rule(
            owner=user,
            name="partner",
            domain_name=DEMO_PARTNER_DOMAIN,
            rule_type="FORWARD",
            target_ips=[target],
        )
        services.associate_resolver_rule(rule, network)
    return network
