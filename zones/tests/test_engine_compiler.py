"""The compiler's fast template path: byte-identical to dnspython rendering, same merging rules."""

import re

import dns.exception
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import pytest

from zones.engine import CompileError, Question, RecordSetData, ZoneData, answer, compile_zone, find_wire
from zones.engine.index import PLAIN_TYPES
from zones.engine.policies import QueryContext
from zones.engine.render import AA, QR, name_key, render_with_dnspython
from zones.engine.resolver import resolve
from zones.tests.dns_fixtures import example_zones, name

ORIGIN = name("plain.test.")
APEX = [
    RecordSetData(ORIGIN, dns.rdatatype.SOA, 3600, ("ns1 hostmaster 5 7200 3600 1209600 300",)),
    RecordSetData(ORIGIN, dns.rdatatype.NS, 3600, ("ns1",)),
]


def zone_of(*record_sets: RecordSetData) -> ZoneData:
    return ZoneData(ORIGIN, 5, [*APEX, *record_sets], key="plain")


def reference_template(snapshot, qname: dns.name.Name, rdtype: int) -> bytes:
    """What dnspython renders for the resolver's answer: the slow path the compiler replaces."""
    result = resolve(snapshot, qname, rdtype, QueryContext(config=None, health={}))
    flags = QR | (AA if result.is_authoritative else 0) | result.rcode
    return render_with_dnspython(flags, qname, rdtype, result.answer, result.authority, result.additional)


@pytest.mark.parametrize(
    ("owner", "rdtype", "values"),
    [
        ("www", "A", ("192.0.2.1", "192.0.2.2", "192.0.2.3")),
        ("WwW.Mixed", "A", ("192.0.2.9",)),
        ("v6", "AAAA", ("2001:db8::1", "2001:DB8:0:0:0:0:0:2")),
        ("txt", "TXT", ('"v=spf1 -all"', '"two" "strings"', '"quote \\" inside"')),
        ("spf", "SPF", ('"v=spf1 include:example.net -all"',)),
        ("caa", "CAA", ('0 issue "letsencrypt.org"', '128 iodef "mailto:ops@plain.test"')),
        ("sshfp", "SSHFP", ("4 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",)),
        ("_443._tcp", "TLSA", ("3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",)),
        ("hinfo", "HINFO", ('"PC" "Linux"',)),
        ("ds", "DS", ("12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",)),
        ("uri", "URI", ('10 1 "https://plain.test/"',)),
        ("loc", "LOC", ("52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m",)),
    ],
)
def test_plain_templates_are_byte_identical_to_dnspython_rendering(owner, rdtype, values):
    qname = dns.name.from_text(owner, ORIGIN)
    rdtype = dns.rdatatype.from_text(rdtype)
    assert rdtype in PLAIN_TYPES
    snapshot = compile_zone(zone_of(RecordSetData(qname, rdtype, 300, values)))
    template = find_wire(snapshot, name_key(qname), rdtype)
    assert template == reference_template(snapshot, qname, rdtype)
    (rrset,) = dns.message.from_wire(template).answer
    assert rrset.ttl == 300
    assert len(rrset) == len(values)


def test_every_template_of_the_example_zone_matches_dnspython_rendering():
    (snapshot,) = example_zones()
    compared = 0
    for set_key, template in snapshot.answers.items():
        qname = dns.name.from_wire(set_key, 0)[0]
        rdtype = int.from_bytes(set_key[-2:], "big")
        assert template == reference_template(snapshot, qname, rdtype), (qname, rdtype)
        compared += 1
    assert compared > 30


def test_record_sets_of_one_name_and_type_merge_with_the_lesser_ttl_and_no_duplicates():
    www = name("www.plain.test.")
    snapshot = compile_zone(
        zone_of(
            RecordSetData(www, dns.rdatatype.A, 300, ("192.0.2.1", "192.0.2.2")),
            RecordSetData(www, dns.rdatatype.A, 60, ("192.0.2.2", "192.0.2.3")),
        )
    )
    (rrset,) = answer(snapshot, Question(www, dns.rdatatype.A)).message.answer
    assert rrset.ttl == 60
    assert sorted(rdata.address for rdata in rrset) == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    assert snapshot.record_count == 2 + 3


def test_a_record_set_without_values_does_not_create_its_name():
    snapshot = compile_zone(zone_of(RecordSetData(name("a.b.plain.test."), dns.rdatatype.A, 300, ())))
    for qname in ("a.b.plain.test.", "b.plain.test."):
        message = answer(snapshot, Question.from_text(qname, "A")).message
        assert message.rcode() == dns.rcode.NXDOMAIN


def test_ancestors_of_a_deep_name_are_empty_non_terminals():
    snapshot = compile_zone(
        zone_of(RecordSetData(name("a.b.c.plain.test."), dns.rdatatype.A, 300, ("192.0.2.1",)))
    )
    for qname in ("b.c.plain.test.", "c.plain.test."):
        message = answer(snapshot, Question.from_text(qname, "A")).message
        assert (message.rcode(), message.answer) == (dns.rcode.NOERROR, [])
        assert message.authority[0].rdtype == dns.rdatatype.SOA


@pytest.mark.parametrize(("rdtype", "value"), [("A", "300.1.2.3"), ("AAAA", "2001:db8::g"), ("TXT", '"open')])
def test_bad_rdata_text_raises_dnspythons_syntax_error(rdtype, value):
    data = zone_of(RecordSetData(name("bad.plain.test."), dns.rdatatype.from_text(rdtype), 300, (value,)))
    with pytest.raises(dns.exception.SyntaxError):
        compile_zone(data)


def test_a_name_that_merely_ends_like_the_origin_is_outside_the_zone():
    data = zone_of(RecordSetData(name("www.notplain.test."), dns.rdatatype.A, 300, ("192.0.2.1",)))
    with pytest.raises(
        CompileError, match=re.escape("name: www.notplain.test. is not inside the zone plain.test.")
    ):
        compile_zone(data)


@pytest.mark.parametrize("text", ["www.Example.COM.", ".", "a.b.c.d.e.f.", "\\046dot.example."])
def test_name_key_is_the_lower_case_wire_form(text):
    assert name_key(dns.name.from_text(text)) == dns.name.from_text(text).to_wire().lower()


def test_name_key_refuses_a_relative_name():
    with pytest.raises(dns.name.NeedAbsoluteNameOrOrigin):
        name_key(dns.name.from_text("www", None))


def test_the_example_zone_compiles_to_the_same_answers_as_its_text():
    # The same zone given as dnspython rdata objects (zone file) and as text values.
    (from_zone_file,) = example_zones()
    text_sets = []
    for rrset in from_zone_file.iter_rrsets():
        values = tuple(rdata.to_text() for rdata in rrset)
        text_sets.append(RecordSetData(rrset.name, rrset.rdtype, rrset.ttl, values))
    from_text = compile_zone(ZoneData(from_zone_file.origin, from_zone_file.serial, text_sets, key="1"))
    assert from_text.answers == from_zone_file.answers
    assert from_text.referrals == from_zone_file.referrals


def test_a_ds_below_another_delegation_is_occluded_data_kept_for_transfers():
    upper, deep = name("a.plain.test."), name("deep.a.plain.test.")
    ds = RecordSetData(deep, dns.rdatatype.DS, 300, ("12345 13 2 " + "ab" * 32,))
    snapshot = compile_zone(
        zone_of(
            RecordSetData(upper, dns.rdatatype.NS, 300, ("ns.elsewhere.example.",)),
            RecordSetData(deep, dns.rdatatype.NS, 300, ("ns.other.example.",)),
            ds,
        )
    )

    # Asked for, it is the upper cut's referral, as for any name below it.
    response = answer(snapshot, Question(deep, dns.rdatatype.DS)).message
    assert not response.answer
    assert [(rrset.name, rrset.rdtype) for rrset in response.authority] == [(upper, dns.rdatatype.NS)]
    # But it is the zone's data: a transfer carries it, and it is counted.
    assert (deep, dns.rdatatype.DS) in {(rrset.name, rrset.rdtype) for rrset in snapshot.iter_rrsets()}
    assert snapshot.record_count == len(APEX) + 3
