"""Recursion from our own root: a network's clients see a bought domain's hosted zone as the Internet would.

The referrals name port 53 (as on the Internet), so our root, TLD and name servers listen on
port 53 of loopback addresses of their own (127.0.57.x, apart from the resolver walk's 127.0.53.x).
"""

import socket

import pytest

from resolver import services
from resolver.stubserver import StubDnsServer
from resolver.tests.conftest import PRIVATE_ADDRESSES, inbound_endpoint, make_network, wait_for_answer
from tests.support import (
    LiveDnsServer,
    buy_domain,
    free_port_on,
    name_server_address,
    query,
    wait_for_delegation,
    wait_until,
)
from zones import services as zone_services
from zones.rules import RecordSetSpec

pytestmark = pytest.mark.django_db(transaction=True)

ROOT_ADDRESS = "127.0.57.1"
TLD_ADDRESS = "127.0.57.2"
ZONE_ADDRESSES = [f"127.0.57.{number}" for number in range(10, 18)]


def _bind_problem() -> str | None:
    for address in [ROOT_ADDRESS, TLD_ADDRESS, *ZONE_ADDRESSES]:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind((address, 53))
            except OSError as error:
                return f"cannot bind {address} port 53 ({error}); this test needs root and free port 53"
    return None


@pytest.fixture
def our_dns(resolver_settings):
    """Our DNS server as the Internet's: root, TLD and name servers on port 53, and the private listener."""
    problem = _bind_problem()
    if problem:
        pytest.skip(problem)
    settings = resolver_settings
    settings.REGISTRY_ROOT_SERVER_ADDRESSES = [ROOT_ADDRESS]
    settings.REGISTRY_TLD_SERVER_ADDRESSES = [TLD_ADDRESS]
    settings.DNS_NAMESERVER_ADDRESSES = ZONE_ADDRESSES
    settings.DNS_PRIVATE_ADDRESSES = PRIVATE_ADDRESSES
    settings.DNS_PRIVATE_PORT = free_port_on(PRIVATE_ADDRESSES)
    listeners = [f"root={ROOT_ADDRESS}:53", f"tld={TLD_ADDRESS}:53"]
    listeners += [f"auth={address}:53" for address in ZONE_ADDRESSES]
    listeners += [f"private={address}:{settings.DNS_PRIVATE_PORT}" for address in PRIVATE_ADDRESSES]
    with LiveDnsServer(listeners) as server:
        settings.DNS_SERVER_LISTEN = [f"root={ROOT_ADDRESS}:53", f"tld={TLD_ADDRESS}:53"]
        yield server


def test_a_networks_clients_resolve_a_bought_domain_from_our_root(owner, our_dns, supervisor):
    domain = buy_domain(owner, "resolved-here.com")
    zone = domain.hosted_zone
    records = [
        RecordSetSpec(name="www", type="A", ttl=2, values=("192.0.2.80",)),
        RecordSetSpec(name="www.public", type="A", ttl=2, values=("192.0.2.81",)),
    ]
    zone_services.apply_change_batch(
        hosted_zone=zone, changes=[zone_services.Change("CREATE", spec) for spec in records]
    )
    wait_for_delegation(our_dns, "resolved-here.com.", host=ROOT_ADDRESS)
    wait_until(
        lambda: (
            query("www.resolved-here.com.", "A", 53, host=name_server_address(zone.name_servers[0])).answer
        ),
        what="the record on its name server",
    )
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)

    wait_for_answer(listener, "www.resolved-here.com.", ["192.0.2.80"])

    # A FORWARD rule takes the domain elsewhere; a SYSTEM rule gives one name back to recursion.
    with StubDnsServer("127.0.0.1", 0, {"www.public.resolved-here.com.": "203.0.113.1"}) as elsewhere:
        forward = services.create_resolver_rule(
            owner=owner,
            name="elsewhere",
            domain_name="resolved-here.com",
            rule_type="FORWARD",
            target_ips=[f"{elsewhere.host}:{elsewhere.port}"],
        )
        services.associate_resolver_rule(forward, office)
        wait_for_answer(listener, "www.public.resolved-here.com.", ["203.0.113.1"])
        system = services.create_resolver_rule(
            owner=owner, name="public", domain_name="public.resolved-here.com", rule_type="SYSTEM"
        )
        services.associate_resolver_rule(system, office)
        wait_for_answer(listener, "www.public.resolved-here.com.", ["192.0.2.81"])
