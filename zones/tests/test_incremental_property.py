"""Proof of sameness: a zone updated incrementally answers exactly as the same zone compiled afresh.

Hypothesis draws sequences of change batches over a small universe of names chosen to meet
every hard case: wildcards, empty non-terminals that appear and go, CNAME chains (in and out
of the zone, into wildcards and delegations), aliases, delegations with glue and DS, MX/SRV/NS
additional addresses, every routing policy and SOA changes. After each batch the
incrementally updated snapshot (`update_zone`) and a from-scratch `compile_zone` of the whole
zone must hold the same answers, node facts and referrals, and answer every name and type,
and names that do not exist, byte for byte alike (the engine's `answer` and `find_wire`).
"""

import random
from unittest import mock

import dns.name
import dns.rdatatype
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zones.engine import (
    AliasTarget,
    FailoverRole,
    Geolocation,
    Question,
    RecordSetData,
    RoutingPolicy,
    ZoneData,
    answer,
    compile_zone,
    find_wire,
)
from zones.engine.incremental import update_zone
from zones.engine.render import name_key

ORIGIN = dns.name.from_text("prop.test.")
NAMES = [
    "@",
    "www",
    "mail",
    "c1",
    "c2",
    "a.b",
    "deep.a.b",
    "*",
    "*.w",
    "x.w",
    "del",
    "ns.del",
    "host.del",
    "x.y.z",
]
ABSENT = ["nope", "zz.a.b", "b", "q.w", "p.q.w", "r.del", "y.z", "other.x.y.z", "deep.deep.a.b"]
TYPES = ["A", "AAAA", "TXT", "CNAME", "MX", "NS", "DS", "SRV", "SOA", "ANY", "PTR"]
TARGETS = [*NAMES, "nope", "q.w", "r.del", "out.example."]


def absolute(text: str) -> dns.name.Name:
    if text.endswith("."):
        return dns.name.from_text(text)
    return ORIGIN if text == "@" else dns.name.from_text(text, origin=ORIGIN)


def soa(minimum: int = 300) -> RecordSetData:
    return RecordSetData(ORIGIN, dns.rdatatype.SOA, 3600, (f"ns1 hostmaster 1 7200 3600 1209600 {minimum}",))


def simple(name, rdtype, *values, ttl=300) -> RecordSetData:
    return RecordSetData(name, dns.rdatatype.from_text(rdtype), ttl, tuple(values))


def routed(name, rdtype, policy, identifier, value, **fields) -> RecordSetData:
    return RecordSetData(
        name,
        dns.rdatatype.from_text(rdtype),
        60,
        (value,) if value is not None else (),
        policy=policy,
        set_identifier=identifier,
        **fields,
    )


target = st.sampled_from(TARGETS).map(lambda text: absolute(text).to_text())
address = st.sampled_from(["192.0.2.1", "192.0.2.2", "198.51.100.7"])


@st.composite
def record_sets_at(draw, text: str) -> list[RecordSetData]:
    """Everything one name holds after a change: up to three types, each simple or routed."""
    name = absolute(text)
    kinds = draw(
        st.lists(
            st.sampled_from(
                ["A", "AAAA", "TXT", "CNAME", "MX", "NS", "DS", "SRV", "weighted", "failover", "geo", "alias"]
            ),
            max_size=3,
            unique=True,
        )
    )
    if text == "@":
        kinds = [kind for kind in kinds if kind not in ("CNAME", "NS", "DS")]
    sets = []
    types = set()
    for kind in kinds:
        rdtype = kind if kind in ("A", "AAAA", "TXT", "CNAME", "MX", "NS", "DS", "SRV") else "A"
        if rdtype in types:
            continue
        types.add(rdtype)
        if kind == "A":
            sets.append(simple(name, "A", *draw(st.lists(address, min_size=1, max_size=2, unique=True))))
        elif kind == "AAAA":
            sets.append(simple(name, "AAAA", draw(st.sampled_from(["2001:db8::1", "2001:db8::2"]))))
        elif kind == "TXT":
            sets.append(simple(name, "TXT", draw(st.sampled_from(['"one"', '"two"']))))
        elif kind == "CNAME":
            sets.append(simple(name, "CNAME", draw(target)))
        elif kind == "MX":
            sets.append(simple(name, "MX", f"10 {draw(target)}", ttl=draw(st.sampled_from([300, 60]))))
        elif kind == "NS":
            sets.append(simple(name, "NS", *draw(st.lists(target, min_size=1, max_size=2, unique=True))))
        elif kind == "DS":
            sets.append(simple(name, "DS", "12345 8 2 " + "ab" * 32))
        elif kind == "SRV":
            sets.append(simple(name, "SRV", f"0 5 443 {draw(target)}"))
        elif kind == "weighted":
            sets += [
                routed(name, "A", RoutingPolicy.WEIGHTED, "a", "192.0.2.10", weight=draw(st.integers(0, 3))),
                routed(name, "A", RoutingPolicy.WEIGHTED, "b", "192.0.2.11", weight=1, health_check_id=1),
            ]
        elif kind == "failover":
            sets += [
                routed(
                    name,
                    "A",
                    RoutingPolicy.FAILOVER,
                    "p",
                    "192.0.2.20",
                    failover=FailoverRole.PRIMARY,
                    health_check_id=draw(st.sampled_from([1, 2])),
                ),
                routed(name, "A", RoutingPolicy.FAILOVER, "s", "192.0.2.21", failover=FailoverRole.SECONDARY),
            ]
        elif kind == "geo":
            sets += [
                routed(
                    name,
                    "A",
                    RoutingPolicy.GEOLOCATION,
                    "eu",
                    "192.0.2.30",
                    geolocation=Geolocation(continent="EU"),
                ),
                routed(
                    name,
                    "A",
                    RoutingPolicy.GEOLOCATION,
                    "any",
                    "192.0.2.31",
                    geolocation=Geolocation(country="*"),
                ),
            ]
        else:
            sets.append(
                routed(
                    name,
                    "A",
                    RoutingPolicy.SIMPLE,
                    "",
                    None,
                    alias=AliasTarget(name=absolute(draw(st.sampled_from(TARGETS[:-1])))),
                    evaluate_target_health=draw(st.booleans()),
                )
            )
    if text == "@":
        sets = [soa(draw(st.sampled_from([300, 60]))), simple(ORIGIN, "NS", "ns1.prop.test."), *sets]
    return sets


@st.composite
def batch(draw) -> dict[str, list[RecordSetData]]:
    """One change batch: a few names, each with everything it holds afterwards (maybe nothing)."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    return {text: draw(record_sets_at(text)) for text in names}


@st.composite
def starting_zone(draw) -> dict[str, list[RecordSetData]]:
    names = draw(st.lists(st.sampled_from(NAMES[1:]), max_size=len(NAMES) - 1, unique=True))
    zone = {"@": draw(record_sets_at("@"))}
    zone.update({text: draw(record_sets_at(text)) for text in names})
    return zone


def zone_data(contents: dict[str, list[RecordSetData]], serial: int, only=None) -> ZoneData:
    texts = contents if only is None else only
    return ZoneData(ORIGIN, serial, [record for text in texts for record in contents[text]], key="prop")


def differing(ours, theirs) -> list:
    """The keys where two of a snapshot's tables differ (for the failure message)."""
    return [
        (key, ours.get(key), theirs.get(key))
        for key in sorted(ours.keys() | theirs.keys())
        if ours.get(key) != theirs.get(key)
    ]


def wire(message) -> bytes:
    # dnspython shuffles each RRset's records as it renders (from the random module).
    random.seed(0)
    return message.to_wire()


def assert_same(updated, scratch) -> None:
    assert updated.serial == scratch.serial
    assert updated.names == scratch.names, differing(updated.names, scratch.names)
    assert updated.answers == scratch.answers, differing(updated.answers, scratch.answers)
    assert updated.referrals == scratch.referrals
    assert updated.negative_tail == scratch.negative_tail
    assert updated.has_wildcards == scratch.has_wildcards
    assert updated.record_count == scratch.record_count
    assert updated.child_counts == scratch.child_counts
    assert updated.soa_keys == scratch.soa_keys
    assert {key: rrset.to_text() for key, rrset in updated.rrsets.items()} == {
        key: rrset.to_text() for key, rrset in scratch.rrsets.items()
    }
    assert {key: [record.label for record in group] for key, group in updated.groups.items()} == {
        key: [record.label for record in group] for key, group in scratch.groups.items()
    }
    for text in NAMES + ABSENT + ["Mixed.Case.W"]:
        qname = absolute(text)
        for rdtype in TYPES:
            question = Question(qname, dns.rdatatype.from_text(rdtype))
            for health in ({}, {1: False, 2: False}):
                ours = answer(updated, question, health, rng=random.Random(7)).message
                theirs = answer(scratch, question, health, rng=random.Random(7)).message
                assert ours.to_text() == theirs.to_text(), (text, rdtype, health)
                assert wire(ours) == wire(theirs), (text, rdtype, health)
            key = name_key(qname)
            assert find_wire(updated, key, question.rdtype) == find_wire(scratch, key, question.rdtype), (
                text,
                rdtype,
            )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=starting_zone(), batches=st.lists(batch(), min_size=1, max_size=5))
def test_an_incrementally_updated_zone_answers_like_one_compiled_from_scratch(start, batches):
    update_and_compare(start, batches)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=starting_zone(), batches=st.lists(batch(), min_size=1, max_size=5))
def test_the_same_holds_when_the_tables_span_many_shards(start, batches):
    # A shard per entry or two: a change writes some shards and shares others, and a
    # table that grows is split again, as in a zone of a million records.
    with mock.patch("zones.engine.shards.ENTRIES_PER_SHARD", 1):
        update_and_compare(start, batches)


def update_and_compare(start, batches) -> None:
    contents = dict(start)
    serial = 1
    served = compile_zone(zone_data(contents, serial))
    for change in batches:
        serial += 1
        contents.update(change)
        if not contents["@"]:
            contents["@"] = [soa(), simple(ORIGIN, "NS", "ns1.prop.test.")]
        changed = list(change)
        served = update_zone(
            served, zone_data(contents, serial, only=changed), [absolute(text) for text in changed]
        )
        assert_same(served, compile_zone(zone_data(contents, serial)))


def test_untouched_nodes_templates_and_groups_are_the_old_versions_own_objects():
    contents = {
        "@": [soa(), simple(ORIGIN, "NS", "ns1.prop.test.")],
        "www": [simple(absolute("www"), "A", "192.0.2.1")],
        "mail": [simple(absolute("mail"), "A", "192.0.2.2")],
        "c1": [
            routed(absolute("c1"), "A", RoutingPolicy.WEIGHTED, "a", "192.0.2.10", weight=1),
            routed(absolute("c1"), "A", RoutingPolicy.WEIGHTED, "b", "192.0.2.11", weight=1),
        ],
    }
    old = compile_zone(zone_data(contents, 1))
    contents["www"] = [simple(absolute("www"), "A", "192.0.2.99")]
    new = update_zone(old, zone_data(contents, 2, only=["www"]), [absolute("www")])

    mail, www, c1 = (name_key(absolute(text)) + b"\x00\x01" for text in ("mail", "www", "c1"))
    assert new.answers[mail] is old.answers[mail]
    assert new.names[mail[:-2]] is old.names[mail[:-2]]
    assert new.groups[c1] is old.groups[c1]
    assert new.answers[www] != old.answers[www]
    assert b"\xc0\x00\x02\x63" in new.answers[www] and old.serial == 1 and new.serial == 2
    # The old version is untouched: it still answers as before.
    assert (
        old.answers[www]
        == compile_zone(
            zone_data({**contents, "www": [simple(absolute("www"), "A", "192.0.2.1")]}, 1)
        ).answers[www]
    )


def test_a_record_set_outside_the_changed_names_is_refused():
    contents = {
        "@": [soa(), simple(ORIGIN, "NS", "ns1.prop.test.")],
        "www": [simple(absolute("www"), "A", "192.0.2.1")],
    }
    old = compile_zone(zone_data(contents, 1))
    with pytest.raises(Exception, match="not a changed name"):
        update_zone(old, zone_data(contents, 2), [absolute("www")])
