"""The reply cache: a UDP query seen before is answered from its kept reply, never a stale one.

Kept by the query's bytes after its ID, per listener: static answers and REFUSED for anyone;
COOKIE replies for the same source within the same cookie period; routed answers as the dynamic
answers allow (failover for anyone, geolocation for the same source or the same Client
Subnet, weighted drawn again with the server's generator), routed ones only under the health
view they were chosen under. Never TCP. A new version of the role's zones empties the cache.
"""

import ipaddress
import random
import socket
import threading

import dns.edns
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from dnsserver.dynamic import DynamicAnswers
from dnsserver.handler import QueryHandler, ServerState
from dnsserver.replycache import PlainReply
from dnsserver.tests.dns_fixtures import RunningServer
from dnsserver.tests.test_dnsserver_one_pass import COOKIE, LOCATOR, ORIGIN, policy_zone
from zones.engine import EngineConfig, RecordSetData, ZoneData, ZoneSet, compile_zone

GB, US = ipaddress.ip_address("81.2.69.160"), ipaddress.ip_address("192.0.2.7")


@pytest.fixture
def state() -> ServerState:
    state = ServerState(config=EngineConfig(locator=LOCATOR), roles=("auth", "tld"))
    state.zones["auth"] = policy_zone()
    return state


def simple_zone(address: str, serial: int) -> ZoneSet:
    """policy_zone's origin with `simple` at `address` and nothing routed."""

    def rdata(rdtype: str, text: str):
        return dns.rdata.from_text("IN", rdtype, text, origin=ORIGIN, relativize=False)

    records = [
        RecordSetData(
            ORIGIN, dns.rdatatype.SOA, 3600, (rdata("SOA", "ns1 hostmaster 1 7200 3600 1209600 300"),)
        ),
        RecordSetData(ORIGIN, dns.rdatatype.NS, 3600, (rdata("NS", "ns1"),)),
        RecordSetData(dns.name.from_text("simple", ORIGIN), dns.rdatatype.A, 300, (rdata("A", address),)),
    ]
    return ZoneSet([compile_zone(ZoneData(ORIGIN, serial, records, key="policies"))])


def addresses(reply: bytes) -> list[str]:
    return sorted(rdata.address for rrset in dns.message.from_wire(reply).answer for rdata in rrset)


def query(label: str, query_id: int = 1, **make) -> bytes:
    message = dns.message.make_query(f"{label}.{ORIGIN}", "A", **make)
    message.id = query_id
    return message.to_wire()


def test_a_kept_reply_carries_the_new_id_and_a_new_zone_version_replaces_it(state):
    state.zones["auth"] = simple_zone("192.0.2.1", serial=1)
    handler = QueryHandler(state, "auth")
    for query_id in (7, 8, 9):
        reply = dns.message.from_wire(handler.handle(query("simple", query_id), US))
        assert reply.id == query_id and [rdata.address for rdata in reply.answer[0]] == ["192.0.2.1"]
    assert len(handler.reply_cache.replies) == 1

    state.zones["auth"] = simple_zone("192.0.2.2", serial=2)
    assert addresses(handler.handle(query("simple", 10), US)) == ["192.0.2.2"]
    assert addresses(handler.handle(query("simple", 11), US)) == ["192.0.2.2"]


def test_kept_replies_are_counted_like_answered_ones(state):
    handler = QueryHandler(state, "auth")
    for query_id in range(5):
        handler.handle(query("simple", query_id), US)
    assert handler.all_counts()[("policies", dns.rdatatype.A, dns.rcode.NOERROR)] == 5


def test_one_listener_never_answers_from_another_listeners_replies(state):
    # The same bytes to a listener that does not serve the zone: REFUSED, not the other's answer.
    serving, other = QueryHandler(state, "auth"), QueryHandler(state, "tld")
    data = query("simple")
    assert addresses(serving.handle(data, US)) == ["192.0.2.1"]
    assert dns.message.from_wire(other.handle(data, US)).rcode() == dns.rcode.REFUSED
    assert addresses(serving.handle(data, US)) == ["192.0.2.1"]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class EngineGone:
    """Stands in for a handler's dynamic answers: any query that reaches them fails (SERVFAIL)."""

    def find(self, *args):
        raise AssertionError("the engine was asked")


def test_a_server_cookie_is_kept_for_its_client_and_period_only(state, monkeypatch):
    clock = Clock(1_800_000_040.2)  # 40 s into a minute
    monkeypatch.setattr("dnsserver.handler.time.time", clock)
    handler = QueryHandler(state, "auth")
    data = query("simple", use_edns=0, options=[dns.edns.CookieOption(COOKIE, b"")])

    def server_cookie(address) -> bytes:
        (option,) = dns.message.from_wire(handler.handle(data, address)).options
        return option.server

    first = server_cookie(GB)
    assert handler.reply_cache.replies[data[2:]].owner == GB.packed
    assert server_cookie(GB) == first
    # Another client with the same bytes gets a cookie of its own, not the kept one.
    assert server_cookie(US)[8:] != first[8:]
    # Within the minute the timestamp is its start; in the next, the next start (RFC 9018 §4.3).
    assert int.from_bytes(first[4:8], "big") == 1_800_000_000
    clock.now += 19.7
    assert server_cookie(US)[4:8] == first[4:8]
    clock.now += 0.1
    later = server_cookie(US)
    assert int.from_bytes(later[4:8], "big") == 1_800_000_060 and later[8:] != first[8:]
    assert handler.all_counts()[("policies", dns.rdatatype.A, dns.rcode.NOERROR)] == 5


def test_a_located_answer_is_reused_for_its_own_source_only(state):
    handler = QueryHandler(state, "auth")
    geo = query("geo")
    by_source = addresses(handler.handle(geo, GB))
    handler.dynamic = EngineGone()
    assert addresses(handler.handle(geo, GB)) == by_source
    # The same bytes from another source must be located again, so they reach the engine.
    assert dns.message.from_wire(handler.handle(geo, US)).rcode() == dns.rcode.SERVFAIL


def test_a_located_answer_by_client_subnet_is_reused_for_any_source(state):
    handler = QueryHandler(state, "auth")
    # A GB subnet (81.2.69.0/24) asked from a US source: the subnet decides the answer.
    geo = query("geo", use_edns=0, options=[dns.edns.ECSOption("81.2.69.0", 24)])
    expected = dns.message.from_wire(handler.handle(geo, US))
    assert addresses(expected.to_wire()) == addresses(handler.handle(query("geo"), GB))
    handler.dynamic = EngineGone()
    for source in (GB, US, ipaddress.ip_address("203.0.113.9")):
        reply = dns.message.from_wire(handler.handle(geo, source))
        assert reply.answer == expected.answer and reply.options == expected.options


def test_weighted_answers_from_the_cache_draw_as_the_engine_does(state):
    # TCP is never cached, so it asks the dynamic answers every time: with the same seed the
    # UDP replies (kept after the first) must come out in the same order.
    data = query("weighted")
    udp, tcp = QueryHandler(state, "auth"), QueryHandler(state, "auth")
    state.rng = random.Random(11)
    from_cache = [addresses(udp.handle(data, US)) for _ in range(60)]
    state.rng = random.Random(11)
    asked = [addresses(tcp.handle_stream(data, US)[0]) for _ in range(60)]
    assert from_cache == asked
    assert {tuple(each) for each in from_cache} == {("192.0.2.10",), ("192.0.2.11",), ("192.0.2.12",)}
    assert udp.reply_cache.replies[data[2:]].draw is not None


def test_routed_answers_follow_the_client_and_health_not_an_earlier_reply(state):
    handler = QueryHandler(state, "auth")
    geo = query("geo")
    by_country = {str(address): addresses(handler.handle(geo, address)) for address in (GB, US, GB)}
    assert addresses(handler.handle(geo, US)) == by_country[str(US)] != by_country[str(GB)]

    failover = query("failover")
    assert addresses(handler.handle(failover, US)) == ["192.0.2.30"]
    kept = handler.reply_cache.replies[failover[2:]]
    assert kept.owner is None and kept.health is state.health  # for anyone, under this health view
    state.health = {21: False}
    assert addresses(handler.handle(failover, US)) == ["192.0.2.31"]
    assert addresses(handler.handle(failover, GB)) == ["192.0.2.31"]


def test_a_new_health_view_passes_over_routed_replies_and_keeps_static_ones(state):
    handler = QueryHandler(state, "auth")
    simple, failover = query("simple"), query("failover")
    for _ in range(2):
        assert addresses(handler.handle(simple, US)) == ["192.0.2.1"]
        assert addresses(handler.handle(failover, US)) == ["192.0.2.30"]
    assert isinstance(handler.reply_cache.replies[simple[2:]], PlainReply)
    hits = {counted: count[0] for counted, count in handler.reply_cache.counts.items()}
    assert hits == {("policies", dns.rdatatype.A, dns.rcode.NOERROR): 2}

    state.health = {21: False}
    handler.dynamic = EngineGone()  # a routed answer asked of the engine now fails (SERVFAIL)
    assert addresses(handler.handle(simple, US)) == ["192.0.2.1"]
    assert handler.reply_cache.counts[("policies", dns.rdatatype.A, dns.rcode.NOERROR)] == [3]  # kept
    assert dns.message.from_wire(handler.handle(failover, US)).rcode() == dns.rcode.SERVFAIL
    handler.dynamic = DynamicAnswers(state)
    assert addresses(handler.handle(failover, US)) == ["192.0.2.31"]
    assert addresses(handler.handle(failover, GB)) == ["192.0.2.31"]  # kept under the new view


def test_a_flood_of_distinct_queries_stays_within_the_budget_and_answers_right(state):
    state.replies_kept.limit = 50
    handlers = [QueryHandler(state, "auth"), QueryHandler(state, "auth")]
    for index in range(300):
        handler = handlers[index % 2]
        reply = handler.handle(query(f"n{index}.wild", index), US)
        assert addresses(reply) == ["192.0.2.99"]
        assert state.replies_kept.used == sum(len(each.reply_cache.replies) for each in handlers) <= 50
    assert addresses(handlers[0].handle(query("simple"), US)) == ["192.0.2.1"]


def test_tcp_replies_are_not_kept(state):
    handler = QueryHandler(state, "auth")
    (reply,) = handler.handle_stream(query("simple"), US)
    assert addresses(reply) == ["192.0.2.1"] and handler.reply_cache.replies == {}


PER_CLIENT = 120


def test_a_burst_read_in_batches_gets_every_reply_right_for_its_own_client(state):
    # The server's loop is held while two clients send a burst, so that it reads them many to
    # a system call: kept replies then leave from the batch loop between fresh answers, and
    # datagrams that get no reply (too short for a header) shift the replies after them.
    questions = [
        ("simple", []),
        ("nothere", []),
        ("geo", [dns.edns.ECSOption("81.2.69.0", 24)]),
        ("geo", [dns.edns.ECSOption("192.0.2.0", 24)]),
        ("failover", []),
        ("simple", [dns.edns.CookieOption(COOKIE, b"")]),
    ]
    reference = QueryHandler(state, "auth")
    expected = {}
    for label, options in questions:
        data = query(label, use_edns=0 if options else None, options=options)
        expected[data[2:]] = dns.message.from_wire(reference.handle(data, US))
    sources = ("127.0.0.1", "127.0.0.2")
    clients = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in sources]
    with RunningServer(state) as server:
        held, release = threading.Event(), threading.Event()
        server.loop.call_soon_threadsafe(lambda: (held.set(), release.wait(10)))
        assert held.wait(10)
        sent = {}
        for client, source in zip(clients, sources, strict=True):
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)  # all replies wait here
            client.bind((source, 0))
            client.settimeout(5)
        # The clients take turns, so that a reply sent to the wrong slot's source goes astray.
        for query_id in range(PER_CLIENT):
            for client, source in zip(clients, sources, strict=True):
                if query_id % 10 == 5:
                    client.sendto(b"\x00\x01\x02", ("127.0.0.1", server.port()))
                wire = query_id.to_bytes(2, "big") + list(expected)[query_id % len(expected)]
                client.sendto(wire, ("127.0.0.1", server.port()))
                sent[(source, query_id)] = wire
        release.set()
        replies = {(source, query_id): None for source, query_id in sent}
        for client, source in zip(clients, sources, strict=True):
            for _ in range(PER_CLIENT):
                reply = dns.message.from_wire(client.recv(65535))
                replies[(source, reply.id)] = reply
        (listener,) = (handler for handler in state.handlers if handler is not reference)
    for client in clients:
        client.close()
    assert all(reply is not None for reply in replies.values())
    # Every query without a cookie but the first of its bytes came from the cache (the cookie
    # query's one kept reply belongs to whichever client asked last, and they take turns).
    assert sum(count[0] for count in listener.reply_cache.counts.values()) >= 2 * PER_CLIENT * 5 // 6 - 5
    cookies = {}
    for (source, query_id), reply in replies.items():
        want = expected[sent[(source, query_id)][2:]]
        assert reply.question == want.question and reply.answer == want.answer
        assert reply.rcode() == want.rcode()
        for option in reply.options:
            if option.otype == dns.edns.OptionType.COOKIE:
                cookies.setdefault(source, set()).add(option.server[8:])
                period = int.from_bytes(option.server[4:8], "big")
                packed = ipaddress.ip_address(source).packed
                assert option.server == state.cookies.server_cookie(COOKIE, packed, period)
    # Each source has its own server cookie, the same in all its replies of the minute.
    assert len(cookies["127.0.0.1"] | cookies["127.0.0.2"]) >= 2
    assert cookies["127.0.0.1"].isdisjoint(cookies["127.0.0.2"])
