"""Whatever bytes arrive, the server neither crashes nor stops answering correctly.

Hundreds of thousands of random and mutated packets go through the handler, tens of
thousands more through the running server's UDP and TCP sockets; afterwards real queries
still get the engine's answers. Loops are bounded by count and by a time budget (so that a
slow machine runs fewer packets rather than running long); nothing asserts on time.
"""

import contextlib
import ipaddress
import random
import socket
import struct
import time

import dns.edns
import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from dnsserver.handler import QueryHandler, ServerState
from dnsserver.tests.dns_fixtures import RunningServer
from zones.engine import (
    Question,
    RecordSetData,
    RoutingPolicy,
    ZoneSet,
    answer,
    compile_zone,
    zone_data_from_text,
)
from zones.engine.data import ZoneData
from zones.tests.dns_fixtures import EXAMPLE_ZONE, name, summary

HANDLER_PACKETS = 300_000
HANDLER_BUDGET_SECONDS = 35.0
SOCKET_PACKETS = 20_000
SOCKET_BUDGET_SECONDS = 10.0
CLIENT = ipaddress.ip_address("192.0.2.77")


def fuzz_zones() -> ZoneSet:
    example = compile_zone(zone_data_from_text(EXAMPLE_ZONE, "example.com.", key="1"))
    origin = name("routed.test.")
    routed = compile_zone(
        ZoneData(
            origin,
            1,
            [
                RecordSetData(origin, dns.rdatatype.SOA, 60, ("ns hostmaster 1 2 3 4 5",)),
                RecordSetData(origin, dns.rdatatype.NS, 60, ("ns",)),
                *(
                    RecordSetData(
                        name("w.routed.test."),
                        dns.rdatatype.A,
                        60,
                        (f"192.0.2.{i}",),
                        policy=RoutingPolicy.WEIGHTED,
                        set_identifier=f"w{i}",
                        weight=i,
                        health_check_id=i,
                    )
                    for i in range(4)
                ),
            ],
            key="2",
        )
    )
    return ZoneSet([example, routed])


def seeds() -> list[bytes]:
    questions = [
        ("www.example.com.", "A"),
        ("x.wild.example.com.", "MX"),
        ("nothere.example.com.", "AAAA"),
        ("w.routed.test.", "A"),
        ("example.com.", "ANY"),
        ("host.sub.example.com.", "NS"),
        ("example.com.", "AXFR"),
    ]
    wires = []
    for qname, rdtype in questions:
        wires.append(dns.message.make_query(qname, rdtype).to_wire())
        wires.append(dns.message.make_query(qname, rdtype, use_edns=0).to_wire())
        options = [dns.edns.CookieOption(b"abcdefgh", b""), dns.edns.ECSOption("81.2.69.0", 24)]
        wires.append(dns.message.make_query(qname, rdtype, use_edns=0, options=options).to_wire())
    return wires


def mutate(rng: random.Random, wire: bytes) -> bytes:
    data = bytearray(wire)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.4 and data:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.55:
            del data[rng.randrange(len(data) + 1) :]
        elif choice < 0.7:
            at = rng.randrange(len(data) + 1)
            data[at:at] = rng.randbytes(rng.randint(1, 8))
        elif choice < 0.8 and len(data) >= 12:
            struct.pack_into("!H", data, 4 + 2 * rng.randrange(4), rng.choice([0, 1, 2, 255, 65535]))
        elif choice < 0.9 and len(data) >= 4:
            struct.pack_into("!H", data, 2, rng.randrange(65536))
        else:
            data += data[12:]
    return bytes(data)


def packets(rng: random.Random, corpus: list[bytes]):
    while True:
        if rng.random() < 0.25:
            yield rng.randbytes(rng.choice([0, 1, 11, 12, 13, 17, 30, 64, 300, 1500]))
        else:
            yield mutate(rng, rng.choice(corpus))


def check_reply(request: bytes, reply: bytes | None) -> None:
    if reply is None:
        return
    assert len(reply) >= 12
    assert reply[:2] == request[:2]
    assert reply[2] & 0x80, "a reply must have QR set"


def test_handler_survives_random_and_mutated_packets():
    state = ServerState()
    state.zones["auth"] = fuzz_zones()
    handler = QueryHandler(state, "auth")
    rng = random.Random(20240531)
    corpus = seeds()
    deadline = time.monotonic() + HANDLER_BUDGET_SECONDS
    sent = 0
    parsed = 0
    for packet in packets(rng, corpus):
        if sent >= HANDLER_PACKETS or time.monotonic() > deadline:
            break
        reply = handler.handle(packet, CLIENT, is_tcp=rng.random() < 0.1)
        check_reply(packet, reply)
        if reply is not None and sent % 97 == 0 and (reply[2] >> 3) & 0xF in (0, 4):
            dns.message.from_wire(reply)
            parsed += 1
        sent += 1
    assert sent >= 10_000 and parsed > 50
    for qname, rdtype in [("www.example.com.", "A"), ("q.wild.example.com.", "A"), ("w.routed.test.", "A")]:
        query = dns.message.make_query(qname, rdtype)
        reply = dns.message.from_wire(handler.handle(query.to_wire(), CLIENT))
        assert reply.rcode() == dns.rcode.NOERROR and reply.answer


@pytest.fixture
def server():
    state = ServerState()
    state.zones["auth"] = fuzz_zones()
    with RunningServer(state) as running:
        yield running


def test_running_server_keeps_answering_after_fuzzing(server):
    rng = random.Random(7)
    corpus = seeds()
    target = ("127.0.0.1", server.port())
    deadline = time.monotonic() + SOCKET_BUDGET_SECONDS
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        for packet in packets(rng, corpus):
            if sent >= SOCKET_PACKETS or time.monotonic() > deadline:
                break
            with contextlib.suppress(BlockingIOError):
                sock.sendto(packet, target)
            sent += 1
            _drain(sock)
    for _ in range(30):
        with socket.create_connection(target, timeout=5) as stream:
            stream.sendall(
                b"".join(
                    struct.pack("!H", len(p)) + p
                    for p in (mutate(rng, rng.choice(corpus)) for _ in range(20))
                )
            )
            stream.sendall(rng.randbytes(rng.randint(0, 200)))
    assert sent >= 1_000
    zones = server.state.zones["auth"]
    for qname, rdtype in [
        ("www.example.com.", "A"),
        ("nothere.example.com.", "MX"),
        ("q.wild.example.com.", "A"),
    ]:
        for transport in ("udp", "tcp"):
            reply = _query_with_retries(server, dns.message.make_query(qname, rdtype), transport)
            assert summary(reply) == summary(answer(zones, Question.from_text(qname, rdtype)).message)


def _query_with_retries(server, query: dns.message.Message, transport: str) -> dns.message.Message:
    # The fuzzing may still fill the server's receive buffer when the check starts, and UDP
    # drops what does not fit; like any resolver, ask again.
    for _ in range(4):
        try:
            return server.query(query, transport, timeout=1)
        except dns.exception.Timeout:
            continue
    return server.query(query, transport)


def _drain(sock: socket.socket) -> None:
    while True:
        try:
            sock.recv(65535)
        except BlockingIOError:
            return
