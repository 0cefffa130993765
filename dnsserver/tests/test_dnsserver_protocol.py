"""Each protocol rule by a real query to our running server, over UDP and over TCP."""

import ipaddress
import socket
import struct

import dns.edns
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from dnsserver.handler import QueryHandler, ServerState
from dnsserver.tests.dns_fixtures import RunningServer
from dnsserver.wire import parse_query
from zones.engine import Question, ZoneSet, answer, compile_zone, zone_data_from_text
from zones.tests.dns_fixtures import example_zones, registry_zones, summary

TRANSPORTS = ["udp", "tcp"]


@pytest.fixture(scope="module")
def server():
    state = ServerState()
    state.zones["auth"] = example_zones()
    registry = registry_zones()
    state.zones["tld"] = registry
    state.zones["root"] = registry
    with RunningServer(state, roles=("auth", "tld", "root")) as running:
        yield running


def ask(server, qname, rdtype, transport="udp", role="auth", **kwargs):
    return server.query(dns.message.make_query(qname, rdtype, **kwargs), transport, role)


CORPUS = [
    ("example.com.", "SOA"),
    ("example.com.", "NS"),
    ("example.com.", "MX"),
    ("example.com.", "AAAA"),
    ("example.com.", "TXT"),
    ("www.example.com.", "A"),
    ("chain1.example.com.", "A"),
    ("chain1.example.com.", "AAAA"),
    ("dangling.example.com.", "A"),
    ("out.example.com.", "A"),
    ("nothere.example.com.", "A"),
    ("web.example.com.", "MX"),
    ("c.example.com.", "TXT"),
    ("b.c.example.com.", "A"),
    ("q.wild.example.com.", "A"),
    ("q.r.wild.example.com.", "MX"),
    ("exists.wild.example.com.", "A"),
    ("z.alias.example.com.", "A"),
    ("deep.host.sub.example.com.", "A"),
    ("sub.example.com.", "DS"),
    ("nodssub.example.com.", "DS"),
    ("_sip._tcp.example.com.", "SRV"),
    ("ptr.example.com.", "PTR"),
    ("caa.example.com.", "CAA"),
    ("naptr.example.com.", "NAPTR"),
    ("sshfp.example.com.", "SSHFP"),
    ("tlsa.example.com.", "TLSA"),
    ("hinfo.example.com.", "HINFO"),
    ("big.example.com.", "TXT"),
]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(("qname", "rdtype"), CORPUS)
def test_server_answers_as_the_engine_does(server, transport, qname, rdtype):
    reply = ask(server, qname, rdtype, transport, use_edns=0)
    expected = answer(server.state.zones["auth"], Question.from_text(qname, rdtype)).message
    assert summary(reply) == summary(expected)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_authoritative_answers_set_aa_and_referrals_do_not(server, transport):
    assert ask(server, "www.example.com.", "A", transport).flags & dns.flags.AA
    referral = ask(server, "www.sub.example.com.", "A", transport)
    assert not referral.flags & dns.flags.AA
    assert [rrset.rdtype for rrset in referral.authority] == [dns.rdatatype.NS]
    assert {rrset.name.to_text() for rrset in referral.additional} == {"ns.sub.example.com."}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_question_case_is_echoed(server, transport):
    reply = ask(server, "MaIl.ExAmple.COM.", "A", transport)
    assert reply.question[0].name.labels[:2] == (b"MaIl", b"ExAmple")
    reply = ask(server, "Q.WILD.example.com.", "A", transport)
    assert reply.question[0].name.labels[:2] == (b"Q", b"WILD")


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("qname", "rdtype", "rcode"),
    [("nothere.example.com.", "A", dns.rcode.NXDOMAIN), ("web.example.com.", "TXT", dns.rcode.NOERROR)],
)
def test_negative_answers_carry_the_soa_with_negative_ttl(server, transport, qname, rdtype, rcode):
    reply = ask(server, qname, rdtype, transport)
    assert reply.rcode() == rcode
    assert reply.answer == []
    (soa,) = reply.authority
    assert soa.rdtype == dns.rdatatype.SOA and soa.ttl == 600


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_empty_non_terminal_is_nodata(server, transport):
    reply = ask(server, "c.example.com.", "A", transport)
    assert reply.rcode() == dns.rcode.NOERROR and reply.answer == []
    assert reply.authority[0].rdtype == dns.rdatatype.SOA


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_cname_chain_is_followed_inside_the_zone(server, transport):
    reply = ask(server, "chain1.example.com.", "A", transport)
    assert [rrset.rdtype for rrset in reply.answer] == [dns.rdatatype.CNAME] * 3 + [dns.rdatatype.A]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_wildcard_synthesis(server, transport):
    reply = ask(server, "any.thing.wild.example.com.", "A", transport)
    assert reply.answer[0].name.to_text() == "any.thing.wild.example.com."
    assert [rdata.address for rdata in reply.answer[0]] == ["192.0.2.99"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_additional_addresses_for_mx_srv_and_ns_targets(server, transport):
    for rdtype, expected in [("MX", "mail"), ("NS", "ns1")]:
        reply = ask(server, "example.com.", rdtype, transport)
        assert f"{expected}.example.com." in {rrset.name.to_text() for rrset in reply.additional}
    reply = ask(server, "_sip._tcp.example.com.", "SRV", transport)
    assert {rrset.rdtype for rrset in reply.additional} == {dns.rdatatype.A, dns.rdatatype.AAAA}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_names_outside_our_zones_are_refused(server, transport):
    reply = ask(server, "www.example.org.", "A", transport)
    assert reply.rcode() == dns.rcode.REFUSED
    assert not reply.flags & dns.flags.AA


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_any_gets_one_rrset(server, transport):
    reply = ask(server, "example.com.", "ANY", transport)
    assert reply.rcode() == dns.rcode.NOERROR
    assert len(reply.answer) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("role", ["tld", "root"])
def test_registry_roles_answer_with_referrals(server, transport, role):
    reply = ask(server, "www.shop.test.", "A", transport, role)
    assert not reply.flags & dns.flags.AA
    assert reply.authority[0].rdtype == dns.rdatatype.NS


def test_edns_payload_is_1232_and_large_answers_truncate_over_udp(server):
    reply = ask(server, "www.example.com.", "A", use_edns=0, payload=4096)
    assert reply.edns == 0 and reply.payload == 1232
    truncated = ask(server, "huge.example.com.", "TXT", use_edns=0, payload=4096)
    assert truncated.flags & dns.flags.TC and truncated.answer == []
    plain = ask(server, "big.example.com.", "TXT")
    assert plain.flags & dns.flags.TC
    full = ask(server, "huge.example.com.", "TXT", "tcp", use_edns=0)
    assert not full.flags & dns.flags.TC and len(full.answer[0]) == 6


def test_several_queries_over_one_tcp_connection(server):
    names = ["www.example.com.", "mail.example.com.", "nothere.example.com.", "huge.example.com."]
    with socket.create_connection(("127.0.0.1", server.port()), timeout=5) as sock:
        queries = [dns.message.make_query(qname, "A") for qname in names]
        sock.sendall(b"".join(struct.pack("!H", len(wire)) + wire for wire in (q.to_wire() for q in queries)))
        for query in queries:
            length = struct.unpack("!H", _read_exactly(sock, 2))[0]
            reply = dns.message.from_wire(_read_exactly(sock, length))
            assert reply.id == query.id
            assert reply.question[0].name == query.question[0].name


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        assert chunk, "connection closed early"
        data += chunk
    return data


def raw_udp(server, payload: bytes) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(payload, ("127.0.0.1", server.port()))
        return sock.recv(65535)


@pytest.mark.parametrize(
    "payload",
    [
        b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www",  # question cut short
        b"\x12\x34\x01\x00\x00\x02\x00\x00\x00\x00\x00\x00\x03www\x00\x00\x01\x00\x01",  # two questions
        b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01junk",  # trailing bytes
    ],
)
def test_malformed_packets_get_formerr(server, payload):
    reply = dns.message.from_wire(raw_udp(server, payload), question_only=True)
    assert reply.id == 0x1234
    assert reply.rcode() == dns.rcode.FORMERR


@pytest.mark.parametrize("transport", ["udp", "tcp"])
@pytest.mark.parametrize("octets", [256, 321])
def test_a_name_over_255_octets_gets_formerr_with_an_empty_question(server, transport, octets):
    labels = b""
    while len(labels) + 1 < octets:
        size = min(63, octets - 1 - len(labels) - 1)
        labels += bytes([size]) + b"a" * size
    header = struct.pack("!HHHHHH", 0x4321, 0x0100, 1, 0, 0, 0)
    payload = header + labels + b"\x00" + struct.pack("!HH", 1, 1)
    assert len(labels) + 1 == octets
    if transport == "udp":
        wire = raw_udp(server, payload)
    else:
        with socket.create_connection(("127.0.0.1", server.port()), timeout=5) as sock:
            sock.sendall(struct.pack("!H", len(payload)) + payload)
            length = struct.unpack("!H", sock.recv(2))[0]
            wire = sock.recv(length)
    reply = dns.message.from_wire(wire)
    assert (reply.id, reply.rcode(), len(reply.question)) == (0x4321, dns.rcode.FORMERR, 0)
    assert reply.flags & dns.flags.QR


def test_bad_cookie_length_gets_formerr(server):
    query = dns.message.make_query("www.example.com.", "A", use_edns=0)
    wire = bytearray(query.to_wire())
    wire[-2:] = b"\x00\x07"  # OPT rdlength 7: a COOKIE option of 3 bytes
    wire += b"\x00\x0a\x00\x03abc"
    reply = dns.message.from_wire(raw_udp(server, bytes(wire)), question_only=True)
    assert reply.rcode() == dns.rcode.FORMERR


@pytest.mark.parametrize("opcode", [dns.opcode.IQUERY, dns.opcode.STATUS, 3, dns.opcode.UPDATE, 7])
def test_unknown_opcodes_get_notimp(server, opcode):
    query = dns.message.make_query("www.example.com.", "A")
    query.set_opcode(opcode)
    reply_id, flags = struct.unpack_from("!HH", raw_udp(server, query.to_wire()))
    assert reply_id == query.id
    assert dns.rcode.from_flags(flags, 0) == dns.rcode.NOTIMP
    assert dns.opcode.from_flags(flags) == opcode


def test_unknown_edns_version_gets_badvers(server):
    reply = ask(server, "www.example.com.", "A", use_edns=1)
    assert reply.rcode() == dns.rcode.BADVERS


def test_short_packets_and_responses_are_dropped_and_the_server_keeps_answering(server):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.2)
        for junk in (b"", b"\x00", b"\x12\x34\x81\x80" + bytes(8)):
            sock.sendto(junk, ("127.0.0.1", server.port()))
            with pytest.raises(TimeoutError):
                sock.recv(512)
    assert ask(server, "www.example.com.", "A").rcode() == dns.rcode.NOERROR


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_cookie_gets_a_server_cookie(server, transport):
    client = b"\x01\x02\x03\x04\x05\x06\x07\x08"
    reply = ask(
        server, "www.example.com.", "A", transport, use_edns=0, options=[dns.edns.CookieOption(client, b"")]
    )
    (cookie,) = [option for option in reply.options if option.otype == dns.edns.OptionType.COOKIE]
    assert cookie.client == client
    assert len(cookie.server) == 16 and cookie.server[0] == 1
    again = ask(server, "www.example.com.", "A", transport, use_edns=0, options=[cookie])
    assert again.rcode() == dns.rcode.NOERROR


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_client_subnet_is_echoed_with_scope_zero_for_static_answers(server, transport):
    ecs = dns.edns.ECSOption("81.2.69.0", 24)
    reply = ask(server, "www.example.com.", "A", transport, use_edns=0, options=[ecs])
    (echo,) = [option for option in reply.options if option.otype == dns.edns.OptionType.ECS]
    assert (echo.address, echo.srclen, echo.scopelen) == ("81.2.69.0", 24, 0)


def test_do_bit_is_echoed(server):
    reply = ask(server, "www.example.com.", "A", use_edns=0, want_dnssec=True)
    assert reply.ednsflags & dns.flags.DO


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_non_internet_class_is_refused(server, transport):
    query = dns.message.make_query("version.bind.", "TXT", rdclass="CH")
    assert server.query(query, transport).rcode() == dns.rcode.REFUSED


def test_transfer_over_udp_is_truncated_to_send_the_client_to_tcp(server):
    reply = ask(server, "example.com.", "AXFR")
    assert reply.flags & dns.flags.TC


FIT_ZONE = """
$ORIGIN fit.test.
$TTL 300
@ IN SOA ns hostmaster 1 7200 3600 1209600 600
@ IN NS ns
ns IN A 192.0.2.1
"""
# Twenty mail exchangers with addresses: the answer fits 512 bytes, its additional does not.
FIT_ZONE += "".join(
    f"manymx IN MX {i} mx{i}.hosts\n"
    f"mx{i}.hosts IN A 192.0.2.{100 + i}\nmx{i}.hosts IN AAAA 2001:db8::{100 + i}\n"
    for i in range(20)
)
# Delegations with long server names: five fit 512 bytes only compressed; of seven, the NS
# set fits but the glue does not, in-domain (under the cut) or sibling (elsewhere in the zone).
for cut, count, parent in [
    ("longdeleg", 5, "longdeleg"),
    ("tightdeleg", 7, "tightdeleg"),
    ("sibdeleg", 7, "hosts"),
]:
    FIT_ZONE += "".join(
        f"{cut} IN NS ns{i}-with-a-rather-long-name.{parent}\n"
        f"ns{i}-with-a-rather-long-name.{parent} IN A 192.0.2.{10 + i}\n"
        f"ns{i}-with-a-rather-long-name.{parent} IN AAAA 2001:db8::{10 + i}\n"
        for i in range(count)
    )


@pytest.fixture(scope="module")
def fit_server():
    state = ServerState()
    state.zones["auth"] = ZoneSet([compile_zone(zone_data_from_text(FIT_ZONE, "fit.test.", key="fit"))])
    with RunningServer(state) as running:
        yield running


def records(section: list) -> int:
    return sum(len(rrset) for rrset in section)


@pytest.mark.parametrize("is_edns", [False, True])
def test_additional_records_that_do_not_fit_are_left_out_without_tc(fit_server, is_edns):
    # RFC 2181 §9: TC is not set merely because extra information could not be included.
    edns = {"use_edns": 0, "payload": 512} if is_edns else {}
    reply = ask(fit_server, "manymx.fit.test.", "MX", **edns)
    assert not reply.flags & dns.flags.TC
    assert records(reply.answer) == 20
    assert 0 < records(reply.additional) < 40
    assert reply.edns == (0 if is_edns else -1)
    full = ask(fit_server, "manymx.fit.test.", "MX", "tcp")
    assert records(full.additional) == 40


def test_referrals_are_compressed_to_fit(fit_server):
    reply = ask(fit_server, "www.longdeleg.fit.test.", "A")
    assert not reply.flags & (dns.flags.TC | dns.flags.AA)
    assert records(reply.authority) == 5 and records(reply.additional) == 10


def test_in_domain_glue_that_does_not_fit_sets_tc(fit_server):
    # RFC 9471 §3.1: a referral without all of its in-domain glue must set TC.
    reply = ask(fit_server, "www.tightdeleg.fit.test.", "A")
    assert reply.flags & dns.flags.TC
    full = ask(fit_server, "www.tightdeleg.fit.test.", "A", "tcp")
    assert records(full.authority) == 7 and records(full.additional) == 14


def test_sibling_glue_that_does_not_fit_is_left_out_without_tc(fit_server):
    # RFC 9471 §3.2: sibling glue is included as space allows, without TC.
    reply = ask(fit_server, "www.sibdeleg.fit.test.", "A")
    assert not reply.flags & dns.flags.TC
    assert records(reply.authority) == 7
    assert records(reply.additional) < 14


def common_queries() -> list[bytes]:
    """Queries the one-pass path takes, in each shape it reads, plus ones it hands on."""
    wires = []
    for qname, rdtype in [*CORPUS, ("WwW.ExAmPlE.cOm.", "A"), ("nothere.example.com.", "AAAA")]:
        for edns in ({}, {"use_edns": 0}, {"use_edns": 0, "want_dnssec": True, "payload": 4096}):
            wires.append(dns.message.make_query(qname, rdtype, **edns).to_wire())
        cookie = dns.edns.CookieOption(b"\x01\x02\x03\x04\x05\x06\x07\x08", b"")
        wires.append(dns.message.make_query(qname, rdtype, use_edns=0, options=[cookie]).to_wire())
        query = dns.message.make_query(qname, rdtype, use_edns=0, payload=600)
        query.flags = dns.flags.CD
        wires.append(query.to_wire())
    return wires


def test_the_one_pass_path_replies_as_the_general_path(server):
    # Byte for byte but for the order of records, which dnspython shuffles when the engine
    # renders a routed or synthesised answer.
    handler = QueryHandler(server.state, "auth")
    address = ipaddress.ip_address("192.0.2.7")
    for wire in common_queries():
        query = parse_query(wire)
        general = handler._dispatch(query, address, is_tcp=False)
        reply = handler.handle(wire, address)
        question = dns.message.from_wire(wire).question
        assert len(reply) == len(general) and reply[:12] == general[:12], question
        assert reply[12 : 12 + len(query.question)] == query.question
        assert dns.message.from_wire(reply) == dns.message.from_wire(general), question
