"""The private listener: a network's private zones on that network's own address, nowhere else.

Two accounts ("owner" and the attacker "other_user") each hold a private zone corp.internal
on a network of their own; our DNS server runs on the database, with a public listener and
one private-listener socket on each network's private address.
"""

import asyncio
import threading

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from dnsserver.follow import Follower
from dnsserver.handler import ServerState
from dnsserver.server import DnsServer
from dnsserver.sources import database_sources
from kernel.listeners import Listener
from tests.support import wait_until
from zones import services
from zones.tests.conftest import create

pytestmark = pytest.mark.django_db(transaction=True)


class Server:
    """Our DNS server on the database: auth on 127.0.0.1 and private on the given addresses."""

    def __init__(self, private_addresses: list[str]) -> None:
        listeners = [Listener("auth", "127.0.0.1", 0)] + [
            Listener("private", address, 0) for address in private_addresses
        ]
        self.state = ServerState(roles=("auth", "private"))
        self.follower = Follower(self.state, database_sources(), poll_seconds=0.1)
        self.server = DnsServer(self.state, listeners)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def __enter__(self) -> "Server":
        self.thread.start()
        self.run(self.follower.load_all())
        self.run(self.server.start())
        self.run(self.follower.start())
        return self

    def __exit__(self, *exc_info) -> None:
        self.run(self.follower.stop())
        self.run(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    def ask(self, qname: str, at: str = "127.0.0.1", transport: str = "udp") -> dns.message.Message:
        port = next(item.port for item in self.server.bound if item.host == at)
        send = dns.query.udp if transport == "udp" else dns.query.tcp
        return send(dns.message.make_query(qname, "A"), at, port=port, timeout=5)


def addresses(message: dns.message.Message) -> list[str]:
    return sorted(
        rdata.address for rrset in message.answer if rrset.rdtype == dns.rdatatype.A for rdata in rrset
    )


def test_each_networks_private_zone_answers_on_its_own_address_only(owner, other_user):
    ours = services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16"])
    theirs = services.save_network(owner=other_user, name="office", cidrs=["10.2.0.0/16"])
    lab = services.save_network(owner=owner, name="lab", cidrs=["10.9.0.0/16"])
    our_zone = services.create_hosted_zone(
        owner=owner, name="corp.internal", is_private=True, networks=[ours]
    )
    their_zone = services.create_hosted_zone(
        owner=other_user, name="corp.internal", is_private=True, networks=[theirs]
    )
    services.apply_change_batch(hosted_zone=our_zone, changes=[create("db", "A", "10.1.0.5")])
    services.apply_change_batch(
        hosted_zone=their_zone, changes=[create("db", "A", "10.66.0.66"), create("login", "A", "10.66.0.67")]
    )
    # The attacker cannot associate its zone with our network.
    with pytest.raises(services.ZoneError):
        services.update_hosted_zone(their_zone, networks=[ours])

    with Server([ours.private_address, theirs.private_address, lab.private_address]) as server:
        for transport in ("udp", "tcp"):
            assert addresses(server.ask("db.corp.internal.", ours.private_address, transport)) == ["10.1.0.5"]
            assert server.ask("login.corp.internal.", ours.private_address, transport).rcode() == (
                dns.rcode.NXDOMAIN
            )
            assert addresses(server.ask("db.corp.internal.", theirs.private_address, transport)) == [
                "10.66.0.66"
            ]
            # Our other network is not associated with the zone; the public listener answers no
            # private zone, whatever the source.
            assert (
                server.ask("db.corp.internal.", lab.private_address, transport).rcode() == dns.rcode.REFUSED
            )
            assert server.ask("db.corp.internal.", "127.0.0.1", transport).rcode() == dns.rcode.REFUSED

        # Associating the other network makes the zone answer there too; changes arrive.
        services.update_hosted_zone(our_zone, networks=[ours, lab])
        services.apply_change_batch(hosted_zone=our_zone, changes=[create("app", "A", "10.1.0.6")])
        wait_until(
            lambda: addresses(server.ask("app.corp.internal.", lab.private_address)) == ["10.1.0.6"],
            what="the private zone on the lab network's address",
        )
        assert addresses(server.ask("app.corp.internal.", ours.private_address)) == ["10.1.0.6"]
        assert server.ask("app.corp.internal.", theirs.private_address).rcode() == dns.rcode.NXDOMAIN
