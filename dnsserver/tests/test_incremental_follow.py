"""A change reaches the DNS server as its diff and is applied to a new version of the zone.

On the database, through Redis (the batch's message lists the names it changed) and through
the database poll (the audit entries since the served serial): the server answers the new
data, and the new version shares every untouched template with the old one, so the zone was
not compiled again. A change that is no record set's (a network's) loads the zone whole.
"""

import asyncio
import threading

import dns.message
import dns.query
import dns.rdatatype
import pytest

from dnsserver.follow import Follower
from dnsserver.handler import ServerState
from dnsserver.server import DnsServer
from dnsserver.sources import database_sources
from kernel import bus
from kernel.listeners import Listener
from kernel.redis import async_redis_client, redis_client
from tests.support import wait_until
from zones import services
from zones.engine.render import name_key
from zones.tests.conftest import create, upsert

pytestmark = pytest.mark.django_db(transaction=True)


class Server:
    def __init__(self, *, poll_seconds: float, redis: bool) -> None:
        self.state = ServerState(roles=("auth", "private"))
        self.changes: list[str] = []
        self.follower = Follower(
            self.state,
            database_sources(),
            redis_factory=async_redis_client if redis else None,
            poll_seconds=poll_seconds,
            on_change=lambda kind, detail: self.changes.append(f"{kind}:{detail}"),
        )
        self.server = DnsServer(
            self.state, [Listener("auth", "127.0.0.1", 0), Listener("private", "127.0.55.10", 0)]
        )
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

    def addresses(self, qname: str, at: str = "127.0.0.1") -> list[str]:
        port = next(item.port for item in self.server.bound if item.host == at)
        reply = dns.query.udp(dns.message.make_query(qname, "A"), at, port=port, timeout=5)
        return sorted(
            rdata.address for rrset in reply.answer if rrset.rdtype == dns.rdatatype.A for rdata in rrset
        )

    def served(self, role: str, key: int):
        return self.state.zones[role].get(str(key))


def a_key(name: str) -> bytes:
    return name_key(dns.name.from_text(name)) + dns.rdatatype.A.to_bytes(2, "big")


def wait_for_serial(server: Server, role: str, zone) -> None:
    zone.refresh_from_db()
    wait_until(
        lambda: (served := server.served(role, zone.pk)) is not None and served.serial == zone.serial,
        what=f"serial {zone.serial}",
    )


@pytest.fixture
def zone_with_records(zone):
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create("www", "A", "192.0.2.1"),
            create("keep", "A", "192.0.2.2"),
            create("mail", "MX", "10 keep"),
        ],
    )
    return zone


def test_a_change_through_redis_updates_only_what_it_touched(zone_with_records, redis_clean):
    zone = zone_with_records
    with Server(poll_seconds=3600, redis=True) as server:
        wait_until(lambda: any(change.startswith("report:") for change in server.changes), what="a report")
        before = server.served("auth", zone.pk)
        services.apply_change_batch(hosted_zone=zone, changes=[upsert("www", "A", "192.0.2.99")])
        wait_for_serial(server, "auth", zone)
        assert server.addresses("www.example.com.") == ["192.0.2.99"]
        after = server.served("auth", zone.pk)
        assert after.answers[a_key("keep.example.com.")] is before.answers[a_key("keep.example.com.")]
        # A name the change reaches through another's answer: the MX's additional address.
        services.apply_change_batch(hosted_zone=zone, changes=[upsert("keep", "A", "192.0.2.3")])
        wait_for_serial(server, "auth", zone)
        mx = server.served("auth", zone.pk).get_rrset(
            dns.name.from_text("mail.example.com."), dns.rdatatype.MX
        )
        assert mx is not None
        reply = dns.message.from_wire(
            server.served("auth", zone.pk).answers[
                name_key(dns.name.from_text("mail.example.com.")) + b"\x00\x0f"
            ]
        )
        assert [rdata.address for rrset in reply.additional for rdata in rrset] == ["192.0.2.3"]


def test_changes_missed_on_the_bus_are_fetched_from_the_change_batches_since_the_served_serial(
    zone_with_records,
):
    zone = zone_with_records
    with Server(poll_seconds=0.2, redis=False) as server:
        before = server.served("auth", zone.pk)
        services.apply_change_batch(hosted_zone=zone, changes=[upsert("www", "A", "192.0.2.50")])
        services.apply_change_batch(hosted_zone=zone, changes=[create("new", "A", "192.0.2.51")])
        wait_for_serial(server, "auth", zone)
        assert server.addresses("www.example.com.") == ["192.0.2.50"]
        assert server.addresses("new.example.com.") == ["192.0.2.51"]
        after = server.served("auth", zone.pk)
        assert after.answers[a_key("keep.example.com.")] is before.answers[a_key("keep.example.com.")]


def test_a_message_that_does_not_follow_the_served_serial_falls_back_to_the_change_batches(zone_with_records):
    zone = zone_with_records
    with Server(poll_seconds=3600, redis=False) as server:
        before = server.served("auth", zone.pk)
        services.apply_change_batch(hosted_zone=zone, changes=[upsert("www", "A", "192.0.2.60")])
        services.apply_change_batch(hosted_zone=zone, changes=[create("late", "A", "192.0.2.61")])
        zone.refresh_from_db()
        # Only the second batch's message arrives: it names "late", not "www".
        message = bus.zone_change_message(
            zone.pk, zone.serial, serial_before=before.serial + 1, role="auth", names=["late.example.com."]
        )
        server.run(server.follower._on_message({"channel": "dns:changes@8", "data": message}))
        assert server.served("auth", zone.pk).serial == zone.serial
        assert server.addresses("www.example.com.") == ["192.0.2.60"]
        assert server.addresses("late.example.com.") == ["192.0.2.61"]
        assert (
            server.served("auth", zone.pk).answers[a_key("keep.example.com.")]
            is before.answers[a_key("keep.example.com.")]
        )


def test_a_network_change_loads_the_private_zone_whole_and_it_moves(owner):
    office = services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16"])
    assert office.private_address == "127.0.55.10"
    lab = services.save_network(owner=owner, name="lab", cidrs=["10.2.0.0/16"])
    zone = services.create_hosted_zone(owner=owner, name="corp.internal", is_private=True, networks=[lab])
    services.apply_change_batch(hosted_zone=zone, changes=[create("db", "A", "10.1.0.5")])
    with Server(poll_seconds=0.2, redis=False) as server:
        assert server.served("private", zone.pk) is not None
        assert server.addresses("db.corp.internal.", "127.0.55.10") == []
        services.update_hosted_zone(zone, networks=[office])
        wait_for_serial(server, "private", zone)
        assert server.addresses("db.corp.internal.", "127.0.55.10") == ["10.1.0.5"]
        services.apply_change_batch(hosted_zone=zone, changes=[upsert("db", "A", "10.1.0.6")])
        wait_for_serial(server, "private", zone)
        assert server.addresses("db.corp.internal.", "127.0.55.10") == ["10.1.0.6"]
        assert server.served("auth", zone.pk) is None


@pytest.fixture
def redis_clean():
    client = redis_client()
    client.flushdb()
    yield client
    client.flushdb()
