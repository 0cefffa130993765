"""The engine's protocol rules (RFC 1034/1035/2181/2308/4592/8482), table-driven, no database."""

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import pytest

from zones.engine import (
    CompileError,
    Question,
    RecordSetData,
    ZoneData,
    ZoneSet,
    answer,
    compile_zone,
    find_wire,
    zone_data_from_text,
)
from zones.engine.render import name_key
from zones.tests.dns_fixtures import EXAMPLE_ZONE, example_zones, name, registry_zones, section_set

ZONES = example_zones()
REGISTRY = registry_zones()
SOA_NEGATIVE = ("example.com.", "SOA", 600)


def ask(qname: str, rdtype: str, zones=ZONES) -> dns.message.Message:
    return answer(zones, Question.from_text(qname, rdtype)).message


def owners_and_types(section: list) -> set[tuple[str, str]]:
    return {(rrset.name.to_text().lower(), dns.rdatatype.to_text(rrset.rdtype)) for rrset in section}


@pytest.mark.parametrize(
    ("qname", "rdtype", "rcode", "is_aa", "answer_types", "authority_types", "additional_types"),
    [
        ("example.com.", "A", "NOERROR", True, {("example.com.", "A")}, set(), set()),
        ("example.com.", "SOA", "NOERROR", True, {("example.com.", "SOA")}, set(), set()),
        (
            "example.com.",
            "MX",
            "NOERROR",
            True,
            {("example.com.", "MX")},
            set(),
            {("mail.example.com.", "A"), ("mail.example.com.", "AAAA")},
        ),
        ("example.com.", "NS", "NOERROR", True, {("example.com.", "NS")}, set(), {("ns1.example.com.", "A")}),
        (
            "_sip._tcp.example.com.",
            "SRV",
            "NOERROR",
            True,
            {("_sip._tcp.example.com.", "SRV")},
            set(),
            {("mail.example.com.", "A"), ("mail.example.com.", "AAAA")},
        ),
        ("nothere.example.com.", "A", "NXDOMAIN", True, set(), {("example.com.", "SOA")}, set()),
        ("web.example.com.", "MX", "NOERROR", True, set(), {("example.com.", "SOA")}, set()),
        ("b.c.example.com.", "TXT", "NOERROR", True, set(), {("example.com.", "SOA")}, set()),
        ("c.example.com.", "A", "NOERROR", True, set(), {("example.com.", "SOA")}, set()),
        (
            "chain1.example.com.",
            "A",
            "NOERROR",
            True,
            {
                ("chain1.example.com.", "CNAME"),
                ("chain2.example.com.", "CNAME"),
                ("www.example.com.", "CNAME"),
                ("web.example.com.", "A"),
            },
            set(),
            set(),
        ),
        ("www.example.com.", "CNAME", "NOERROR", True, {("www.example.com.", "CNAME")}, set(), set()),
        ("out.example.com.", "A", "NOERROR", True, {("out.example.com.", "CNAME")}, set(), set()),
        (
            "dangling.example.com.",
            "A",
            "NXDOMAIN",
            True,
            {("dangling.example.com.", "CNAME")},
            {("example.com.", "SOA")},
            set(),
        ),
        (
            "loop1.example.com.",
            "A",
            "NOERROR",
            True,
            {("loop1.example.com.", "CNAME"), ("loop2.example.com.", "CNAME")},
            set(),
            set(),
        ),
        (
            "anything.wild.example.com.",
            "A",
            "NOERROR",
            True,
            {("anything.wild.example.com.", "A")},
            set(),
            set(),
        ),
        ("x.y.wild.example.com.", "A", "NOERROR", True, {("x.y.wild.example.com.", "A")}, set(), set()),
        (
            "anything.wild.example.com.",
            "MX",
            "NOERROR",
            True,
            {("anything.wild.example.com.", "MX")},
            set(),
            {("mail.example.com.", "A"), ("mail.example.com.", "AAAA")},
        ),
        ("anything.wild.example.com.", "AAAA", "NOERROR", True, set(), {("example.com.", "SOA")}, set()),
        ("exists.wild.example.com.", "A", "NOERROR", True, set(), {("example.com.", "SOA")}, set()),
        ("wild.example.com.", "A", "NOERROR", True, set(), {("example.com.", "SOA")}, set()),
        (
            "x.alias.example.com.",
            "A",
            "NOERROR",
            True,
            {("x.alias.example.com.", "CNAME"), ("web.example.com.", "A")},
            set(),
            set(),
        ),
        (
            "host.sub.example.com.",
            "A",
            "NOERROR",
            False,
            set(),
            {("sub.example.com.", "NS")},
            {("ns.sub.example.com.", "A"), ("ns.sub.example.com.", "AAAA")},
        ),
        (
            "sub.example.com.",
            "NS",
            "NOERROR",
            False,
            set(),
            {("sub.example.com.", "NS")},
            {("ns.sub.example.com.", "A"), ("ns.sub.example.com.", "AAAA")},
        ),
        ("sub.example.com.", "DS", "NOERROR", True, {("sub.example.com.", "DS")}, set(), set()),
        ("nodssub.example.com.", "DS", "NOERROR", True, set(), {("example.com.", "SOA")}, set()),
        ("example.com.", "ANY", "NOERROR", True, {("example.com.", "A")}, set(), set()),
        ("example.org.", "A", "REFUSED", False, set(), set(), set()),
        ("com.", "A", "REFUSED", False, set(), set(), set()),
    ],
)
def test_protocol_rule(qname, rdtype, rcode, is_aa, answer_types, authority_types, additional_types):
    message = ask(qname, rdtype)
    assert dns.rcode.to_text(message.rcode()) == rcode
    assert bool(message.flags & dns.flags.AA) is is_aa
    assert owners_and_types(message.answer) == answer_types
    assert owners_and_types(message.authority) == authority_types
    assert owners_and_types(message.additional) == additional_types


def test_negative_answers_carry_soa_with_the_lesser_of_ttl_and_minimum():
    for qname, rdtype in [("nothere.example.com.", "A"), ("web.example.com.", "TXT")]:
        (soa,) = ask(qname, rdtype).authority
        assert soa.ttl == 600  # SOA TTL 3600, minimum 600
    message = ask("example.com.", "SOA")
    assert message.answer[0].ttl == 3600


def test_soa_serial_comes_from_the_zone_data():
    data = zone_data_from_text(EXAMPLE_ZONE, "example.com.")
    snapshot = compile_zone(ZoneData(data.origin, 77, data.record_sets))
    message = answer(snapshot, Question.from_text("example.com.", "SOA")).message
    assert message.answer[0][0].serial == 77


def test_question_is_echoed_with_the_clients_letter_case():
    message = ask("WwW.ExAmPlE.CoM.", "A")
    assert message.question[0].name.labels == (b"WwW", b"ExAmPlE", b"CoM", b"")
    assert message.answer[0].name.labels[0] == b"WwW"


@pytest.mark.parametrize(
    ("qname", "rdtype", "rcode", "is_aa", "authority", "additional"),
    [
        ("www.shop.test.", "A", "NOERROR", False, {("shop.test.", "NS")}, {("ns1.shop.test.", "A")}),
        ("shop.test.", "NS", "NOERROR", False, {("shop.test.", "NS")}, {("ns1.shop.test.", "A")}),
        ("signed.test.", "DS", "NOERROR", True, set(), set()),
        ("missing.test.", "A", "NXDOMAIN", True, {("test.", "SOA")}, set()),
        ("www.example.test.", "A", "NXDOMAIN", True, {("test.", "SOA")}, set()),
        ("www.shop.test.", "AAAA", "NOERROR", False, {("shop.test.", "NS")}, {("ns1.shop.test.", "A")}),
        ("example.", "A", "NXDOMAIN", True, {(".", "SOA")}, set()),
        ("www.other.test.", "A", "NXDOMAIN", True, {("test.", "SOA")}, set()),
    ],
)
def test_registry_roles_refer_with_glue_and_no_aa(qname, rdtype, rcode, is_aa, authority, additional):
    message = ask(qname, rdtype, REGISTRY)
    assert dns.rcode.to_text(message.rcode()) == rcode
    assert bool(message.flags & dns.flags.AA) is is_aa
    assert owners_and_types(message.authority) == authority
    assert owners_and_types(message.additional) == additional


def test_root_zone_refers_to_the_tld():
    root_only = ZoneSet([snapshot for snapshot in REGISTRY if snapshot.key == "registry:."])
    message = ask("www.shop.test.", "A", root_only)
    assert not message.flags & dns.flags.AA
    assert owners_and_types(message.authority) == {("test.", "NS")}
    assert owners_and_types(message.additional) == {("a.nic.test.", "A")}


def _every_question(zones: ZoneSet):
    for snapshot in zones:
        for key, info in snapshot.names.items():
            qname = dns.name.from_wire(key, 0)[0]
            for rdtype in sorted(info.types | {dns.rdatatype.A, dns.rdatatype.TXT, dns.rdatatype.DS}):
                yield snapshot, qname, rdtype
            yield snapshot, dns.name.Name((b"nx",)).concatenate(qname), dns.rdatatype.A
            yield snapshot, dns.name.Name((b"a", b"b")).concatenate(qname), dns.rdatatype.MX


@pytest.mark.parametrize("zones", [ZONES, REGISTRY], ids=["example", "registry"])
def test_fast_path_templates_equal_the_engines_answers(zones):
    compared = 0
    for snapshot, qname, rdtype in _every_question(zones):
        template = find_wire(snapshot, name_key(qname), rdtype)
        if template is None:
            continue
        fast = dns.message.from_wire(template)
        slow = answer(snapshot, Question(qname, rdtype)).message
        assert fast.rcode() == slow.rcode(), (qname, rdtype)
        assert fast.flags == slow.flags, (qname, rdtype)
        assert section_set(fast.answer) == section_set(slow.answer), (qname, rdtype)
        assert section_set(fast.authority) == section_set(slow.authority), (qname, rdtype)
        assert section_set(fast.additional) == section_set(slow.additional), (qname, rdtype)
        compared += 1
    assert compared > 40


def test_fast_path_leaves_wildcards_and_any_to_the_engine():
    snapshot = next(iter(ZONES))
    assert find_wire(snapshot, name_key(name("x.wild.example.com.")), dns.rdatatype.A) is None
    assert find_wire(snapshot, name_key(name("example.com.")), dns.rdatatype.ANY) is None


@pytest.mark.parametrize(
    ("record_sets", "message"),
    [
        ([], "zone example.com.: no SOA record set at the apex"),
        (
            [RecordSetData(name("www.example.org."), dns.rdatatype.A, 60, ("192.0.2.1",))],
            "name: www.example.org. is not inside the zone example.com.",
        ),
    ],
)
def test_compile_refuses_bad_zone_data(record_sets, message):
    with pytest.raises(CompileError, match=message):
        compile_zone(ZoneData(name("example.com."), 1, record_sets))


def test_zone_set_prefers_the_longest_suffix():
    assert ZONES.find_zone(name("a.b.example.com.")).origin == name("example.com.")
    assert REGISTRY.find_zone(name("www.shop.test.")).origin == name("test.")
    assert REGISTRY.find_zone(name("www.example.")).origin == name(".")
