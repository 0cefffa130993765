"""Private hosted zones through each network's own resolver, and nowhere else."""

import pytest

from healthchecks import services as health_services
from kernel import bus
from resolver import services
from resolver.stubserver import StubDnsServer
from resolver.tests.conftest import (
    addresses_of,
    ask,
    inbound_endpoint,
    make_network,
    rcode_of,
    wait_for_answer,
    wait_for_rcode,
)
from tests.support import query
from zones import services as zone_services
from zones.rules import RecordSetSpec

pytestmark = pytest.mark.django_db(transaction=True)


def private_zone(owner, name, network, *records):
    zone = zone_services.create_hosted_zone(owner=owner, name=name, is_private=True, networks=[network])
    zone_services.apply_change_batch(
        hosted_zone=zone, changes=[zone_services.Change("CREATE", spec) for spec in records]
    )
    return zone


def a_record(name, *values, ttl=1, **fields):
    return RecordSetSpec(name=name, type="A", ttl=ttl, values=values, **fields)


def test_a_private_zone_answers_only_through_its_networks_resolver(owner, other_user, supervisor, our_dns):
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)
    private_zone(owner, "corp.internal", office, a_record("www", "10.20.0.5"))
    # Another account: its own network over the same addresses (as VPCs may), its own resolver
    # and a private zone of the same name. Neither reaches the other's zone.
    theirs = make_network(other_user, "theirs", cidrs=["10.20.0.0/16"])
    their_listener = inbound_endpoint(other_user, theirs, name="their-in")
    private_zone(other_user, "corp.internal", theirs, a_record("www", "10.30.0.99"))

    wait_for_answer(listener, "www.corp.internal.", ["10.20.0.5"])
    wait_for_answer(their_listener, "www.corp.internal.", ["10.30.0.99"])
    # A name the private zone lacks is NXDOMAIN.
    assert rcode_of(ask(listener, "nothing.corp.internal.")) == "NXDOMAIN"
    # The public listener knows neither zone.
    public = query("www.corp.internal.", "A", our_dns.port("auth"))
    assert public.answer == [] and rcode_of(public) == "REFUSED"


def test_another_account_cannot_associate_its_zone_with_your_network(owner, other_user, supervisor):
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)
    with pytest.raises(zone_services.ZoneError):
        zone_services.create_hosted_zone(
            owner=other_user, name="corp.internal", is_private=True, networks=[office]
        )
    theirs = make_network(other_user, "theirs", cidrs=["10.30.0.0/16"])
    zone = private_zone(other_user, "corp.internal", theirs, a_record("www", "10.30.0.99"))
    with pytest.raises(zone_services.ZoneError):
        zone_services.update_hosted_zone(zone, networks=[theirs, office])
    # Nor use your network's endpoint, nor a rule of theirs in your network.
    with pytest.raises(services.ResolverError):
        services.create_resolver_endpoint(owner=other_user, network=office, name="mine", direction="INBOUND")
    rule = services.create_resolver_rule(
        owner=other_user, name="r", domain_name="corp.internal", rule_type="FORWARD", target_ips=["192.0.2.1"]
    )
    with pytest.raises(services.ResolverError):
        services.associate_resolver_rule(rule, office)
    # Nor read a private zone through the private listener with a rule of its own.
    for target in (office.private_address, "127.0.54.2"):
        with pytest.raises(services.ResolverError) as refused:
            services.create_resolver_rule(
                owner=other_user,
                name="peek",
                domain_name="corp.internal",
                rule_type="FORWARD",
                target_ips=[target],
            )
        assert refused.value.field == "target_ips"
    wait_for_rcode(listener, "www.corp.internal.", "NXDOMAIN")


def test_a_forward_rule_wins_over_a_private_zone_of_its_name_or_below(owner, supervisor):
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)
    private_zone(
        owner, "corp.internal", office, a_record("www", "10.20.0.5"), a_record("www.ad", "10.20.0.6")
    )
    wait_for_answer(listener, "www.corp.internal.", ["10.20.0.5"])
    with StubDnsServer(
        "127.0.0.1", 0, {"www.ad.corp.internal.": "192.0.2.66", "www.corp.internal.": "192.0.2.55"}
    ) as directory:
        below = services.create_resolver_rule(
            owner=owner,
            name="ad",
            domain_name="ad.corp.internal",
            rule_type="FORWARD",
            target_ips=[f"{directory.host}:{directory.port}"],
        )
        services.associate_resolver_rule(below, office)
        wait_for_answer(listener, "www.ad.corp.internal.", ["192.0.2.66"])
        assert addresses_of(ask(listener, "www.corp.internal.")) == ["10.20.0.5"]

        same = services.create_resolver_rule(
            owner=owner,
            name="all",
            domain_name="corp.internal",
            rule_type="FORWARD",
            target_ips=[f"{directory.host}:{directory.port}"],
        )
        services.associate_resolver_rule(same, office)
        wait_for_answer(listener, "www.corp.internal.", ["192.0.2.55"])

        services.disassociate_resolver_rule(same, office)
        wait_for_answer(listener, "www.corp.internal.", ["10.20.0.5"])


def test_health_changes_reach_the_resolvers_answers(owner, supervisor):
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)
    check_id = health_services.create_health_check(
        owner=owner,
        data={"name": "app", "check_type": "tcp", "ip_address": "192.0.2.10", "port": 443},
    ).pk
    failover = {
        "policy": "failover",
        "set_identifier": "p",
        "failover": "PRIMARY",
        "health_check_id": check_id,
    }
    private_zone(
        owner,
        "corp.internal",
        office,
        a_record("app", "10.20.0.1", **failover),
        a_record("app", "10.20.0.2", policy="failover", set_identifier="s", failover="SECONDARY"),
        a_record(
            "web", "10.20.1.1", policy="weighted", set_identifier="a", weight=1, health_check_id=check_id
        ),
        a_record("web", "10.20.1.2", policy="weighted", set_identifier="b", weight=0),
    )
    bus.publish_health_changes({check_id: True})
    wait_for_answer(listener, "app.corp.internal.", ["10.20.0.1"])
    wait_for_answer(listener, "web.corp.internal.", ["10.20.1.1"])

    bus.publish_health_changes({check_id: False})

    wait_for_answer(listener, "app.corp.internal.", ["10.20.0.2"])
    wait_for_answer(listener, "web.corp.internal.", ["10.20.1.2"])
