"""Change propagation (Redis and the polling fall-back), health changes, and what we report."""

import contextlib
import gc
import subprocess
import threading
import time

import dns.message
import dns.rdatatype
import pytest
import redis
import redis.asyncio

from dnsserver.follow import Follower
from dnsserver.handler import ServerState
from dnsserver.sources import MemoryZoneSource
from dnsserver.tests.dns_fixtures import RunningServer
from kernel import bus
from kernel.testing import debian_program
from zones.engine import FailoverRole, RecordSetData, RoutingPolicy, ZoneData
from zones.tests.dns_fixtures import name

ORIGIN = name("follow.test.")


def zone(serial: int, address: str, key: str = "1") -> ZoneData:
    return ZoneData(
        ORIGIN,
        serial,
        [
            RecordSetData(ORIGIN, dns.rdatatype.SOA, 60, ("ns hostmaster 1 2 3 4 60",)),
            RecordSetData(ORIGIN, dns.rdatatype.NS, 60, ("ns",)),
            RecordSetData(name("www.follow.test."), dns.rdatatype.A, 60, (address,)),
            RecordSetData(
                name("app.follow.test."),
                dns.rdatatype.A,
                60,
                ("192.0.2.1",),
                policy=RoutingPolicy.FAILOVER,
                set_identifier="p",
                failover=FailoverRole.PRIMARY,
                health_check_id=7,
            ),
            RecordSetData(
                name("app.follow.test."),
                dns.rdatatype.A,
                60,
                ("192.0.2.2",),
                policy=RoutingPolicy.FAILOVER,
                set_identifier="s",
                failover=FailoverRole.SECONDARY,
            ),
        ],
        key=key,
    )


def ensure_redis_server() -> str:
    return debian_program("redis-server")


@pytest.fixture
def redis_socket(tmp_path):
    """A private Redis on a Unix socket, stopped after the test."""
    socket_path = str(tmp_path / "redis.sock")
    process = subprocess.Popen(
        [
            ensure_redis_server(),
            "--port",
            "0",
            "--unixsocket",
            socket_path,
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(unix_socket_path=socket_path)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.02)
    yield socket_path
    process.terminate()
    process.wait(timeout=10)


class Changes:
    """Thread-safe waits on the follower's change callback."""

    def __init__(self) -> None:
        self.events: dict[str, threading.Event] = {}
        self.lock = threading.Lock()

    def __call__(self, kind: str, detail: str) -> None:
        with self.lock:
            self.events.setdefault(f"{kind}:{detail}", threading.Event()).set()

    def wait(self, kind: str, detail: str, timeout: float = 20) -> bool:
        with self.lock:
            event = self.events.setdefault(f"{kind}:{detail}", threading.Event())
        return event.wait(timeout)

    def clear(self, kind: str, detail: str) -> None:
        with self.lock:
            self.events.pop(f"{kind}:{detail}", None)


def addresses(server, qname: str) -> list[str]:
    reply = server.query(dns.message.make_query(qname, "A"))
    return sorted(rdata.address for rrset in reply.answer for rdata in rrset)


@pytest.fixture
def following(request):
    """A running server with a follower; parametrised by (redis socket or None, poll seconds)."""
    socket_path, poll_seconds = request.param if hasattr(request, "param") else (None, 0.1)
    source = MemoryZoneSource()
    source.put("auth", zone(1, "192.0.2.10"))
    state = ServerState()
    changes = Changes()
    factory = None
    if socket_path is not None:
        factory = lambda: redis.asyncio.Redis(unix_socket_path=socket_path)  # noqa: E731
    with RunningServer(state) as server:
        follower = Follower(
            state,
            source,
            redis_factory=factory,
            server_id="test-1",
            poll_seconds=poll_seconds,
            on_change=changes,
        )
        server.run(follower.start())
        yield server, source, changes, follower
        server.run(follower.stop())


def test_changes_arrive_by_polling_without_redis(following):
    server, source, changes, _ = following
    assert addresses(server, "www.follow.test.") == ["192.0.2.10"]
    changes.clear("zone", "1")
    source.put("auth", zone(2, "192.0.2.20"))
    assert changes.wait("zone", "1")
    assert addresses(server, "www.follow.test.") == ["192.0.2.20"]


def test_changes_and_health_arrive_through_redis(redis_socket):
    source = MemoryZoneSource()
    source.put("auth", zone(1, "192.0.2.10"))
    state = ServerState()
    changes = Changes()
    client = redis.Redis(unix_socket_path=redis_socket)
    with RunningServer(state) as server:
        follower = Follower(
            state,
            source,
            redis_factory=lambda: redis.asyncio.Redis(unix_socket_path=redis_socket),
            server_id="test-1",
            poll_seconds=3600,  # only Redis can deliver within the test
            on_change=changes,
        )
        server.run(follower.start())
        try:
            assert changes.wait("report", "test-1")
            changes.clear("zone", "1")
            source.put("auth", zone(2, "192.0.2.20"))
            client.publish(bus.channel_name(bus.DNS_CHANGES_CHANNEL, client), "zone 1 2")
            assert changes.wait("zone", "1")
            assert addresses(server, "www.follow.test.") == ["192.0.2.20"]

            assert addresses(server, "app.follow.test.") == ["192.0.2.1"]
            client.hset("health:status", "7", "0")
            client.publish(bus.channel_name(bus.HEALTH_CHANGES_CHANNEL, client), "7 0")
            assert changes.wait("health", "7")
            assert addresses(server, "app.follow.test.") == ["192.0.2.2"]

            changes.clear("report", "test-1")
            assert changes.wait("report", "test-1")
            assert client.hget("dns:served:test-1", "1") == b"2"
            assert client.zscore("dns:servers", "test-1") is not None
            counts = {}
            for key in client.scan_iter("dns:queries:*"):
                counts.update(client.hgetall(key))
            assert int(counts[b"1|A|NOERROR"]) >= 3
            assert 0 < client.ttl(next(client.scan_iter("dns:queries:*"))) <= 8 * 24 * 3600
        finally:
            server.run(follower.stop())


def test_server_keeps_serving_when_the_source_fails(following):
    server, _source, _changes, follower = following

    def broken(role):
        raise ConnectionError("database is away")

    methods = {
        "serials": staticmethod(broken),
        "load": staticmethod(broken),
        "close_thread": lambda self: None,
    }
    follower.source = type("Broken", (), methods)()
    server.run(follower.sync_role("auth"))
    assert addresses(server, "www.follow.test.") == ["192.0.2.10"]


@pytest.mark.parametrize("following", [("/nonexistent/redis.sock", 0.1)], indirect=True)
def test_polling_keeps_going_while_redis_is_away(following):
    server, source, changes, _ = following
    for serial, address in ((2, "192.0.2.20"), (3, "192.0.2.30"), (4, "192.0.2.40")):
        changes.clear("zone", "1")
        source.put("auth", zone(serial, address))
        assert changes.wait("zone", "1")
        assert addresses(server, "www.follow.test.") == [address]


@contextlib.contextmanager
def served_from(source):
    """A running server following `source` without Redis (a poll a minute), for the block."""
    state = ServerState()
    with RunningServer(state) as server:
        follower = Follower(state, source, redis_factory=None, poll_seconds=60)
        server.run(follower.start())
        try:
            yield server, follower
        finally:
            server.run(follower.stop())


def test_a_zone_is_read_and_compiled_with_the_cyclic_collector_paused():
    seen = []

    class WatchedSource(MemoryZoneSource):
        def load(self, role, key):
            seen.append(gc.isenabled())
            return super().load(role, key)

    source = WatchedSource()
    source.put("auth", zone(1, "192.0.2.10"))
    with served_from(source) as (server, _follower):
        assert addresses(server, "www.follow.test.") == ["192.0.2.10"]
    assert seen == [False]
    assert gc.isenabled()


def test_every_read_of_the_source_lets_go_of_its_thread_after():
    # With the database sources, what a worker thread holds is its database connection.
    reads, closes = [], []

    class WatchedSource(MemoryZoneSource):
        def serials(self, role):
            reads.append(threading.get_ident())
            return super().serials(role)

        def load(self, role, key):
            reads.append(threading.get_ident())
            return super().load(role, key)

        def close_thread(self):
            closes.append(threading.get_ident())

    source = WatchedSource()
    source.put("auth", zone(1, "192.0.2.10"))
    with served_from(source) as (server, follower):
        source.put("auth", zone(2, "192.0.2.20"))
        server.run(follower.sync_role("auth"))
        assert addresses(server, "www.follow.test.") == ["192.0.2.20"]
    assert len(reads) >= 4 and set(reads) <= set(closes) and threading.get_ident() not in reads
