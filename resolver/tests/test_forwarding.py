"""FORWARD and SYSTEM rules through a real unbound: targets, most specific wins, live changes, restarts."""

import os
import signal
from pathlib import Path

import pytest

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
from tests.support import wait_until
from zones import services as zone_services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partner():
    """The partner's resolver: answers www, www.sub and deep.sub under partner.example."""
    answers = {
        "www.partner.example.": "198.51.100.7",
        "www.sub.partner.example.": "198.51.100.9",
        "deep.sub.partner.example.": "198.51.100.8",
    }
    with StubDnsServer("127.0.0.1", 0, answers) as server:
        yield server


@pytest.fixture
def other_partner():
    with StubDnsServer("127.0.0.1", 0, {"deep.sub.partner.example.": "203.0.113.9"}) as server:
        yield server


def forward_rule(owner, name, domain, *servers, outbound=None):
    return services.create_resolver_rule(
        owner=owner,
        name=name,
        domain_name=domain,
        rule_type="FORWARD",
        target_ips=[{"ip": server.host, "port": server.port} for server in servers],
        outbound_endpoint=outbound,
    )


def test_a_forward_rule_sends_its_domain_to_the_targets_from_the_outbound_address(owner, supervisor, partner):
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)
    outbound = services.create_resolver_endpoint(
        owner=owner, network=office, name="out", direction="OUTBOUND", addresses=["127.0.54.29"]
    )
    rule = forward_rule(owner, "partner", "partner.example", partner, outbound=outbound)
    services.associate_resolver_rule(rule, office)

    wait_for_answer(listener, "www.partner.example.", ["198.51.100.7"])
    # The partner saw the query come from the outbound endpoint's address.
    assert set(partner.sources) == {"127.0.54.29"}
    # A name below the domain the partner does not know: its NXDOMAIN, passed on.
    assert rcode_of(ask(listener, "nothing.partner.example.")) == "NXDOMAIN"


def test_the_most_specific_rule_wins_and_system_exempts_a_subdomain(
    owner, supervisor, partner, other_partner
):
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)
    services.associate_resolver_rule(forward_rule(owner, "partner", "partner.example", partner), office)
    services.associate_resolver_rule(
        forward_rule(owner, "deeper", "deep.sub.partner.example", other_partner), office
    )
    wait_for_answer(listener, "deep.sub.partner.example.", ["203.0.113.9"])
    assert addresses_of(ask(listener, "www.partner.example.")) == ["198.51.100.7"]
    assert addresses_of(ask(listener, "www.sub.partner.example.")) == ["198.51.100.9"]

    # SYSTEM for sub.partner.example: resolved from our root, where no such name exists.
    system = services.create_resolver_rule(
        owner=owner, name="not-partner", domain_name="sub.partner.example", rule_type="SYSTEM"
    )
    services.associate_resolver_rule(system, office)
    wait_for_rcode(listener, "www.sub.partner.example.", "NXDOMAIN")
    partner.sources.clear()
    assert rcode_of(ask(listener, "other.sub.partner.example.")) == "NXDOMAIN"
    assert partner.sources == []
    # Still: the more specific FORWARD below the SYSTEM rule wins.
    assert addresses_of(ask(listener, "deep.sub.partner.example.")) == ["203.0.113.9"]


def test_rules_apply_live_without_restarting_unbound(owner, supervisor, partner):
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)
    wait_for_rcode(listener, "www.partner.example.", "NXDOMAIN")  # no such name from our root
    pid = supervisor.pid(office)

    rule = forward_rule(owner, "partner", "partner.example", partner)
    services.associate_resolver_rule(rule, office)
    wait_for_answer(listener, "www.partner.example.", ["198.51.100.7"])
    conf = (supervisor.instance(office).config.conf_path).read_text()
    assert 'forward-zone:\n    name: "partner.example."\n' in conf

    services.delete_resolver_rule(rule)
    wait_for_rcode(listener, "www.partner.example.", "NXDOMAIN")
    assert supervisor.pid(office) == pid
    assert "partner.example" not in supervisor.instance(office).config.conf_path.read_text()


def test_a_killed_instance_is_restarted_with_the_same_rules(owner, supervisor, partner):
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)
    services.associate_resolver_rule(forward_rule(owner, "partner", "partner.example", partner), office)
    wait_for_answer(listener, "www.partner.example.", ["198.51.100.7"])
    pid = supervisor.pid(office)

    os.kill(pid, signal.SIGKILL)

    wait_until(lambda: supervisor.pid(office) not in (None, pid), what="a new unbound")
    wait_for_answer(listener, "www.partner.example.", ["198.51.100.7"])


def test_a_network_changed_or_deleted_reaches_its_resolver_at_once(owner, supervisor, partner):
    # The fixture resyncs only every 30 s: what happens here comes from the bus.
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)
    wait_until(lambda: supervisor.pid(office), what="the network's unbound")

    zone_services.save_network(owner=owner, name="office", cidrs=["10.77.0.0/16"], network=office)
    wait_until(
        lambda: "10.77.0.0/16" in supervisor.instance(office).config.access_control, what="the new CIDR"
    )
    conf_path = str(supervisor.instance(office).config.conf_path)
    zone_services.delete_network(office)

    wait_until(
        lambda: supervisor.instance(office) is None and not unbound_running_with(conf_path),
        what="the resolver to stop",
    )
    assert rcode_of(ask(listener, "www.partner.example.")) is None


def unbound_running_with(conf_path: str) -> bool:
    """Whether any process on this machine runs with that unbound.conf."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if conf_path.encode() in cmdline.read_bytes():
                return True
        except OSError:
            continue
    return False
