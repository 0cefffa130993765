"""The UDP batch loop (dnsserver/batch.py): replies written over their queries, sent to their sources.

Each reply leaves from its query's receive slot; a datagram that gets no reply shifts the
send headers after it onto their own slots and sources. The kernel writes the source
address's length for the socket's family, which the loop never resets: these tests read
several batches in a row over IPv6 as well as IPv4.
"""

import socket
import threading

import dns.message
import dns.rdatatype
import pytest

from dnsserver import batch
from dnsserver.handler import QueryHandler, ServerState
from dnsserver.tests.dns_fixtures import RunningServer
from dnsserver.tests.test_reply_cache import addresses, query, simple_zone

pytestmark = pytest.mark.skipif(not batch.is_available(), reason="recvmmsg/sendmmsg are Linux calls")

ROUNDS = 100  # queries per client: more than one batch of UDP_BATCH (64) for the two clients


@pytest.fixture
def state() -> ServerState:
    state = ServerState(roles=("auth",))
    state.zones["auth"] = simple_zone("192.0.2.1", serial=1)
    return state


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_replies_of_several_batches_reach_the_client_that_asked(state, host, monkeypatch):
    if host == "::1" and not ipv6_loopback():
        pytest.skip("this machine has no IPv6 loopback address")
    handled = []
    answer = QueryHandler.answer
    monkeypatch.setattr(QueryHandler, "answer", lambda self, *args: handled.append(1) or answer(self, *args))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    clients = [socket.socket(family, socket.SOCK_DGRAM) for _ in range(2)]
    with RunningServer(state, host=host) as server:
        held, release = threading.Event(), threading.Event()
        server.loop.call_soon_threadsafe(lambda: (held.set(), release.wait(10)))
        assert held.wait(10)
        for client in clients:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            client.bind((host, 0))
            client.settimeout(5)
        # The two clients share the address and differ by port: a reply sent to the wrong
        # slot's source reaches the other client. Every seventh datagram gets no reply.
        for number in range(ROUNDS):
            for index, client in enumerate(clients):
                if number % 7 == 3:
                    client.sendto(b"\x00", (host, server.port()))
                client.sendto(query("simple", query_id=index << 15 | number), (host, server.port()))
        release.set()
        for index, client in enumerate(clients):
            seen = set()
            for _ in range(ROUNDS):
                reply = client.recv(65535)
                assert dns.message.from_wire(reply).id >> 15 == index
                assert addresses(reply) == ["192.0.2.1"]
                seen.add(dns.message.from_wire(reply).id & 0x7FFF)
            assert seen == set(range(ROUNDS))
        (handler,) = state.handlers
    for client in clients:
        client.close()
    # Each reply counted once, whether the handler or the batch loop's cache gave it. The
    # handler saw the datagrams without a reply and the first of each batch (a few batches of
    # 64, more if the kernel hands them over in smaller ones), the loop the rest.
    assert handler.all_counts()[("policies", dns.rdatatype.A, 0)] == 2 * ROUNDS
    unanswered = 2 * sum(1 for number in range(ROUNDS) if number % 7 == 3)
    assert unanswered < len(handled) <= unanswered + 2 * ROUNDS // 10


def test_a_reply_queued_after_a_dropped_datagram_knows_its_slot(state):
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.bind(("127.0.0.1", 0))
    client.settimeout(5)
    udp = batch.UdpBatch(server, size=8)
    handler = QueryHandler(state, "auth")
    for data in (query("simple", 1), b"\x00\x01", query("simple", 2)):
        client.sendto(data, server.getsockname())
    # Loopback queues a datagram on the receiving socket before sendto returns.
    count = udp.receive()
    assert count == 3
    cache = handler.reply_cache
    udp.answer(count, cache.current(), cache.reply_of, handler.answer_timed, handler.answer)
    assert [udp._slot_of(index) for index in range(udp._queued)] == [0, 2]
    assert udp.flush() == []
    assert sorted(dns.message.from_wire(client.recv(512)).id for _ in range(2)) == [1, 2]
    server.close()
    client.close()


def test_a_reply_larger_than_a_slot_is_dropped_not_written_over_the_next_query(state):
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.bind(("127.0.0.1", 0))
    udp = batch.UdpBatch(server, size=4)
    handler = QueryHandler(state, "auth")
    for query_id in (1, 2):
        client.sendto(query("simple", query_id), server.getsockname())
    assert udp.receive() == 2
    cache = handler.reply_cache
    udp.answer(
        2,
        cache.current(),
        cache.reply_of,
        lambda data, address: bytes(batch.RECEIVE_SLOT + 1),
        handler.answer,
    )
    # The first reply, too big for any datagram, is dropped; the second is sent as it should be.
    assert [udp._slot_of(index) for index in range(udp._queued)] == [1]
    assert udp.flush() == []
    client.settimeout(5)
    assert dns.message.from_wire(client.recv(512)).id == 2
    server.close()
    client.close()
