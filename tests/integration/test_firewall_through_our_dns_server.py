"""The DNS Firewall end to end on the wire: our DNS server serves a rule group's RPZ zone on its
`rpz` listener, a real unbound transfers it (AXFR) as its firewall, and a rule changed in the
database reaches unbound's answers through our NOTIFY, without restarting unbound."""

import asyncio
import threading

import dns.rcode
import pytest

from dnsfirewall import rpz, services
from dnsfirewall.tests.test_rpz_unbound import EXAMPLE_COM, addresses, rule
from dnsfirewall.tests.unbound import Unbound, free_port, wait_until
from dnsserver.follow import Follower
from dnsserver.handler import ServerState
from dnsserver.server import DnsServer
from dnsserver.sources import SourcesByRole
from kernel.listeners import RPZ_ROLE, Listener
from zones import services as zone_services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def our_rpz_server():
    """Our DNS server with only the firewall's zones, on a free loopback port; yields a starter."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    started = []

    def run(coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=60)

    def start(notify_port: int) -> int:
        source = rpz.FirewallRpzSource(notify_targets=lambda group: [f"127.0.0.1:{notify_port}"])
        state = ServerState(roles=(RPZ_ROLE,))
        follower = Follower(state, SourcesByRole({RPZ_ROLE: source}), poll_seconds=0.2)
        server = DnsServer(state, [Listener(RPZ_ROLE, "127.0.0.1", 0)])
        run(server.start())
        run(follower.start())
        started.extend([follower, server])
        return server.port(RPZ_ROLE)

    yield start
    for part in started:
        run(part.stop())
    loop.call_soon_threadsafe(loop.stop)


def test_a_rule_changed_in_the_database_reaches_unbound_through_our_server(tmp_path, owner, our_rpz_server):
    network = zone_services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16"])
    group = services.create_rule_group(owner=owner, name="corporate")
    www = rule(group, owner, "www", 1, "BLOCK", ["www.example.com"], block_response="NXDOMAIN")
    services.associate_rule_group(group=group, network=network, priority=1)
    unbound_port = free_port()
    rpz_port = our_rpz_server(unbound_port)
    clauses = services.rpz_clauses(network, primaries=[f"127.0.0.1@{rpz_port}"], allow_notify=["127.0.0.0/8"])

    with Unbound(tmp_path, clauses, {"example.com.": EXAMPLE_COM}, port=unbound_port) as unbound:
        wait_until(lambda: unbound.query("www.example.com.", "A").rcode() == dns.rcode.NXDOMAIN, what="AXFR")
        assert addresses(unbound.query("good.example.com.", "A")) == ["192.0.2.1"]

        services.save_rule(
            group=www.group, domain_list=www.domain_list, name="www", priority=1, action="ALERT", rule=www
        )
        wait_until(lambda: addresses(unbound.query("www.example.com.", "A")) == ["192.0.2.3"], what="NOTIFY")
