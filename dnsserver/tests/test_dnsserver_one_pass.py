"""The one-pass path against the dnspython reference, byte for byte, for every routing policy.

The reference parses the request with dnspython, asks the engine's `answer` and renders the
reply with dnspython (records in their stored order); the server's path reads the request
once and picks a precomputed template. Both draw from generators seeded alike, so weighted
and multivalue answers must agree too. Each case runs without EDNS, with EDNS, with a
COOKIE, with a Client Subnet (and both), from clients in three countries, over UDP and TCP.
"""

import ipaddress
import random
import socket

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rdatatype
import pytest

from dnsserver.handler import QueryHandler, ServerState
from dnsserver.tests.dns_fixtures import RunningServer
from zones.engine import (
    AliasTarget,
    Endpoint,
    EngineConfig,
    FailoverRole,
    Geolocation,
    Question,
    RecordSetData,
    RoutingPolicy,
    TableLocator,
    ZoneData,
    ZoneSet,
    answer,
    compile_zone,
    find_wire,
)
from zones.engine.render import name_key

ORIGIN = dns.name.from_text("policies.test.")
A = dns.rdatatype.A
CLIENTS = ("81.2.69.160", "192.0.2.7", "198.51.100.1")
LOCATOR = TableLocator(
    {"81.2.69.0/24": ("GB", None), "192.0.2.0/24": ("US", None), "203.0.113.0/24": ("DE", None)}
)
# A health view with some checks down, and the view with all up.
SOME_DOWN = {1: False, 11: False, 21: False, 32: False, 41: False}
COOKIE = b"\x01\x02\x03\x04\x05\x06\x07\x08"


def owner(label: str, origin: dns.name.Name = ORIGIN) -> dns.name.Name:
    return dns.name.from_text(label, origin)


def routed(label: str, rdtype: str, values: list[str], policy: RoutingPolicy, **each) -> list[RecordSetData]:
    """One record set per value of a routed group, `each` giving per-record parameters as lists."""
    records = []
    for index, value in enumerate(values):
        extra = {name: options[index] for name, options in each.items()}
        records.append(
            RecordSetData(
                owner(label),
                dns.rdatatype.from_text(rdtype),
                60 + index,
                (dns.rdata.from_text("IN", rdtype, value, origin=ORIGIN, relativize=False),) if value else (),
                policy=policy,
                set_identifier=f"{label}-{index}",
                **extra,
            )
        )
    return records


def policy_zone(origin: dns.name.Name = ORIGIN, serial: int = 1, failover_primary: str = "192.0.2.30"):
    def rdata(rdtype, text):
        return dns.rdata.from_text("IN", rdtype, text, origin=origin, relativize=False)

    records = [
        RecordSetData(
            origin, dns.rdatatype.SOA, 3600, (rdata("SOA", "ns1 hostmaster 1 7200 3600 1209600 300"),)
        ),
        RecordSetData(origin, dns.rdatatype.NS, 3600, (rdata("NS", "ns1"),)),
        RecordSetData(owner("ns1", origin), A, 3600, (rdata("A", "192.0.2.53"),)),
        RecordSetData(owner("mail", origin), A, 300, (rdata("A", "192.0.2.25"),)),
        RecordSetData(owner("simple", origin), A, 300, (rdata("A", "192.0.2.1"),)),
        RecordSetData(owner("*.wild", origin), A, 300, (rdata("A", "192.0.2.99"),)),
    ]
    if origin != ORIGIN:
        return ZoneSet([compile_zone(ZoneData(origin, serial, records, key=origin.to_text()))])
    records += routed(
        "weighted",
        "A",
        ["192.0.2.10", "192.0.2.11", "192.0.2.12"],
        RoutingPolicy.WEIGHTED,
        weight=[10, 20, 70],
        health_check_id=[1, 2, None],
    )
    records += routed("zero", "A", ["192.0.2.13", "192.0.2.14"], RoutingPolicy.WEIGHTED, weight=[0, 0])
    records += routed(
        "wmx",
        "MX",
        ["10 mail", "20 mail"],
        RoutingPolicy.WEIGHTED,
        weight=[1, 1],
        health_check_id=[11, 12],
    )
    records += routed(
        "failover",
        "A",
        [failover_primary, "192.0.2.31"],
        RoutingPolicy.FAILOVER,
        failover=[FailoverRole.PRIMARY, FailoverRole.SECONDARY],
        health_check_id=[21, 22],
    )
    records += routed(
        "geo",
        "A",
        ["192.0.2.40", "192.0.2.41", "192.0.2.42", "192.0.2.43"],
        RoutingPolicy.GEOLOCATION,
        geolocation=[
            Geolocation(country="GB"),
            Geolocation(country="US"),
            Geolocation(continent="EU"),
            Geolocation(country="*"),
        ],
        health_check_id=[None, 32, None, None],
    )
    records += routed(
        "latency",
        "A",
        ["192.0.2.50", "192.0.2.51", "192.0.2.52"],
        RoutingPolicy.LATENCY,
        region=["us-east-1", "eu-west-2", "ap-southeast-1"],
        health_check_id=[None, 41, None],
    )
    records += routed(
        "multi",
        "A",
        ["192.0.2.60", "192.0.2.61", "192.0.2.62", "192.0.2.60"],
        RoutingPolicy.MULTIVALUE,
        health_check_id=[1, None, 2, None],
    )
    records += routed(
        "multitxt",
        "TXT",
        ['"one"', '"two"', '"three"'],
        RoutingPolicy.MULTIVALUE,
    )
    # Aliases: to the failover name with target health, to an endpoint, weighted over both.
    records.append(
        RecordSetData(
            owner("alias"), A, 60, alias=AliasTarget(name=owner("failover")), evaluate_target_health=True
        )
    )
    endpoint = Endpoint("balancer", ("198.51.100.80", "198.51.100.81"), health_check_id=1)
    records += routed(
        "walias",
        "A",
        [None, None],
        RoutingPolicy.WEIGHTED,
        weight=[1, 3],
        alias=[AliasTarget(endpoint=endpoint), AliasTarget(name=owner("simple"))],
        evaluate_target_health=[True, False],
    )
    records += routed("wcname", "CNAME", ["simple", "mail"], RoutingPolicy.WEIGHTED, weight=[1, 1])
    return ZoneSet([compile_zone(ZoneData(ORIGIN, serial, records, key="policies"))])


QUESTIONS = [
    ("weighted", "A"),
    ("zero", "A"),
    ("wmx", "MX"),
    ("failover", "A"),
    ("geo", "A"),
    ("latency", "A"),
    ("multi", "A"),
    ("multitxt", "TXT"),
    ("alias", "A"),
    ("walias", "A"),
    ("wcname", "A"),
    ("wcname", "CNAME"),
    ("weighted", "AAAA"),
    ("WeIgHtEd", "A"),
    ("x.wild", "A"),
    ("simple", "ANY"),
    ("simple", "A"),
    ("nothere", "A"),
]


RANDOM_NAMES = {"weighted", "zero", "wmx", "multi", "multitxt", "walias", "wcname"}


def query_wires(qname: str, rdtype: str) -> list[bytes]:
    name = f"{qname}.{ORIGIN}"
    wires = [dns.message.make_query(name, rdtype).to_wire()]
    wires.append(dns.message.make_query(name, rdtype, use_edns=0, want_dnssec=True).to_wire())
    cookie = dns.edns.CookieOption(COOKIE, b"")
    wires.append(dns.message.make_query(name, rdtype, use_edns=0, options=[cookie]).to_wire())
    for subnet, prefix in (("81.2.69.0", 24), ("203.0.113.0", 24), ("192.0.2.0", 20), ("0.0.0.0", 0)):
        ecs = dns.edns.ECSOption(subnet, prefix)
        wires.append(dns.message.make_query(name, rdtype, use_edns=0, options=[ecs]).to_wire())
    ecs = dns.edns.ECSOption("192.0.2.0", 24)
    wires.append(dns.message.make_query(name, rdtype, use_edns=0, options=[cookie, ecs]).to_wire())
    return wires


def reference(
    state: ServerState, data: bytes, address, rng: random.Random, server_cookie: bytes | None
) -> bytes:
    """The reply by dnspython and the engine alone: parse, answer, render."""
    query = dns.message.from_wire(data)
    question = query.question[0]
    subnet = ecs = cookie = None
    for option in query.options:
        if option.otype == dns.edns.OptionType.ECS:
            ecs = option
            subnet = ipaddress.ip_network(f"{option.address}/{option.srclen}")
        elif option.otype == dns.edns.OptionType.COOKIE:
            cookie = option
    result = answer(
        state.zones["auth"],
        Question(question.name, question.rdtype, address, subnet),
        state.health,
        config=state.config,
        rng=rng,
    )
    message = result.message
    message.id = query.id
    message.flags |= query.flags & (dns.flags.RD | dns.flags.CD)
    if query.edns >= 0:
        options = []
        if cookie is not None:
            options.append(dns.edns.CookieOption(cookie.client, server_cookie))
        if ecs is not None:
            options.append(dns.edns.ECSOption(ecs.address, ecs.srclen, result.scope_prefix or 0))
        message.use_edns(0, query.ednsflags & dns.flags.DO, 1232, options=options)
    return message.to_wire(want_shuffle=False)


def server_cookie_of(reply: bytes) -> bytes | None:
    for option in dns.message.from_wire(reply).options:
        if option.otype == dns.edns.OptionType.COOKIE:
            assert option.client == COOKIE and len(option.server) == 16
            return option.server
    return None


def assert_same(state: ServerState, data: bytes, reply: bytes, expected: bytes) -> None:
    """Byte for byte, except for the engine's static templates.

    Those (find_wire) leave the negative SOA and referrals uncompressed on purpose (see
    zones/engine/render.py), so they equal the reference once parsed; every answer this
    path decides or caches itself must match to the byte.
    """
    query = dns.message.from_wire(data)
    key = name_key(query.question[0].name)
    zone = state.zones["auth"].find(key)
    if zone is not None and find_wire(zone, key, query.question[0].rdtype) is not None:
        assert dns.message.from_wire(reply) == dns.message.from_wire(expected), query.question
    else:
        assert reply == expected, query.question


@pytest.fixture
def state() -> ServerState:
    state = ServerState(config=EngineConfig(locator=LOCATOR), roles=("auth",))
    state.zones["auth"] = policy_zone()
    return state


@pytest.mark.parametrize("health", [{}, SOME_DOWN], ids=["all-healthy", "some-down"])
@pytest.mark.parametrize("is_tcp", [False, True], ids=["udp", "tcp"])
def test_the_one_pass_path_answers_every_policy_as_dnspython_does(state, health, is_tcp):
    state.health = health
    handler = QueryHandler(state, "auth")
    for qname, rdtype in QUESTIONS:
        for data in query_wires(qname, rdtype):
            for client in CLIENTS:
                address = ipaddress.ip_address(client)
                for seed in range(3 if qname in RANDOM_NAMES else 1):
                    state.rng = random.Random(seed)
                    if is_tcp:
                        (reply,) = handler.handle_stream(data, address)
                    else:
                        reply = handler.handle(data, address)
                    expected = reference(state, data, address, random.Random(seed), server_cookie_of(reply))
                    assert_same(state, data, reply, expected)


def test_weighted_draws_follow_the_weights(state):
    handler = QueryHandler(state, "auth")
    data = dns.message.make_query(f"weighted.{ORIGIN}", "A").to_wire()
    address = ipaddress.ip_address(CLIENTS[0])
    seen = {}
    for _ in range(3000):
        reply = dns.message.from_wire(handler.handle(data, address))
        value = reply.answer[0][0].address
        seen[value] = seen.get(value, 0) + 1
    assert set(seen) == {"192.0.2.10", "192.0.2.11", "192.0.2.12"}
    assert seen["192.0.2.10"] < seen["192.0.2.11"] < seen["192.0.2.12"]


def test_a_new_health_view_changes_the_cached_answers(state):
    handler = QueryHandler(state, "auth")
    data = dns.message.make_query(f"failover.{ORIGIN}", "A").to_wire()
    address = ipaddress.ip_address(CLIENTS[0])

    def answered() -> str:
        return dns.message.from_wire(handler.handle(data, address)).answer[0][0].address

    assert answered() == "192.0.2.30"
    state.health = {21: False}
    assert answered() == "192.0.2.31"
    state.health = {21: True}
    assert answered() == "192.0.2.30"


def test_a_new_zone_version_replaces_its_cached_answers_and_no_other_zones(state):
    # Another tenant's zone on the same listener: its changes and its wildcard floods must
    # leave this zone's cached answers as they are, and this zone's change must show at once.
    other = dns.name.from_text("tenant-b.test.")
    state.zones["auth"] = ZoneSet([*policy_zone(), *policy_zone(other)])
    handler = QueryHandler(state, "auth")
    address = ipaddress.ip_address(CLIENTS[1])
    ours = dns.message.make_query(f"failover.{ORIGIN}", "A").to_wire()

    def answered(data: bytes) -> str:
        return dns.message.from_wire(handler.handle(data, address)).answer[0][0].address

    assert answered(ours) == "192.0.2.30"
    for index in range(2000):
        flood = dns.message.make_query(f"n{index}.wild.{other}", "A").to_wire()
        assert answered(flood) == "192.0.2.99"
    state.zones["auth"] = state.zones["auth"].replace(next(iter(policy_zone(other, serial=2))))
    assert answered(ours) == "192.0.2.30"
    assert handler.dynamic._by_zone.keys() == {state.zones["auth"].get("policies")}
    changed = next(iter(policy_zone(failover_primary="192.0.2.39", serial=2)))
    state.zones["auth"] = state.zones["auth"].replace(changed)
    assert answered(ours) == "192.0.2.39"


def exchange(port: int, data: bytes, transport: str) -> bytes:
    """The raw reply bytes (dnspython's query functions parse them, which would hide differences)."""
    if transport == "udp":
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.settimeout(5)
            udp.sendto(data, ("127.0.0.1", port))
            return udp.recv(65535)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as tcp:
        tcp.sendall(len(data).to_bytes(2, "big") + data)
        stream = b""
        while len(stream) < 2 or len(stream) < 2 + int.from_bytes(stream[:2], "big"):
            chunk = tcp.recv(65535)
            assert chunk, "the server closed the connection"
            stream += chunk
        return stream[2:]


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_real_sockets_carry_the_same_bytes(state, transport):
    state.health = SOME_DOWN
    address = ipaddress.ip_address("127.0.0.1")
    with RunningServer(state) as server:
        for qname, rdtype in QUESTIONS:
            for data in query_wires(qname, rdtype)[::2]:
                state.rng = random.Random(7)
                reply = exchange(server.port(), data, transport)
                expected = reference(state, data, address, random.Random(7), server_cookie_of(reply))
                assert_same(state, data, reply, expected)
