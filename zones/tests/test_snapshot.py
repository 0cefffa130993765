"""zones/snapshot.py: hosted zones and the registry's zones, from database rows to engine input."""

import json

import dns.flags
import dns.name
import dns.rdatatype
import pytest
from django.conf import settings

from healthchecks import services as health_services
from healthchecks.models import HealthCheck
from zones import services
from zones.engine import (
    AliasTarget,
    Endpoint,
    FailoverRole,
    Geolocation,
    Question,
    RoutingPolicy,
    ZoneSet,
    answer,
    compile_zone,
)
from zones.engine.render import name_key
from zones.snapshot import (
    RecordSetReader,
    compile_hosted_zone,
    hosted_zone_data,
    served_snapshot,
    stored_values,
)
from zones.tests.conftest import create

pytestmark = pytest.mark.django_db


def health_check(owner, label: str) -> HealthCheck:
    check = health_services.create_health_check(
        owner=owner,
        data={
            "name": label,
            "check_type": "http",
            "ip_address": "192.0.2.200",
            "port": 80,
            "resource_path": "/",
            "request_interval_seconds": 30,
            "failure_threshold": 3,
            "timeout_seconds": 2.0,
            "regions": list(settings.HEALTHCHECK_REGIONS),
        },
    )
    return check


def record_sets_named(zone, owner_name: str):
    data = hosted_zone_data(zone)
    return sorted(
        (record for record in data.record_sets if record.name == dns.name.from_text(owner_name)),
        key=lambda record: record.set_identifier,
    )


def ask(zone, qname: str, rdtype: str, **client):
    return answer(compile_hosted_zone(zone), Question.from_text(qname, rdtype, **client)).message


def test_a_hosted_zone_maps_to_zone_data_with_its_serial_key_and_record_sets(zone):
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create("www", "A", "192.0.2.1", "192.0.2.2", ttl=120),
            create("@", "MX", "10 mail.example.com."),
            create("@", "TXT", '"v=spf1 -all"'),
        ],
    )
    zone.refresh_from_db()
    data = hosted_zone_data(zone)
    assert (data.origin, data.serial, data.key, data.private_addresses) == (
        dns.name.from_text("example.com."),
        zone.serial,
        str(zone.pk),
        (),
    )
    types = {(record.name.to_text(), dns.rdatatype.to_text(record.rdtype)) for record in data.record_sets}
    assert types == {
        ("example.com.", "SOA"),
        ("example.com.", "NS"),
        ("example.com.", "MX"),
        ("example.com.", "TXT"),
        ("www.example.com.", "A"),
    }
    (www,) = record_sets_named(zone, "www.example.com.")
    assert (www.ttl, sorted(www.rdatas), www.policy, www.alias) == (
        120,
        ["192.0.2.1", "192.0.2.2"],
        RoutingPolicy.SIMPLE,
        None,
    )
    message = ask(zone, "www.example.com.", "A")
    assert {rdata.address for rdata in message.answer[0]} == {"192.0.2.1", "192.0.2.2"}
    assert message.flags & dns.flags.AA
    (soa,) = ask(zone, "example.com.", "SOA").answer
    assert soa[0].serial == zone.serial


def test_weighted_record_sets_keep_their_weights_and_health_checks(zone, owner):
    check = health_check(owner, "blue").pk
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create(
                "api",
                "A",
                "192.0.2.1",
                policy="weighted",
                set_identifier="blue",
                weight=3,
                health_check_id=check,
            ),
            create("api", "A", "192.0.2.2", policy="weighted", set_identifier="green", weight=0),
        ],
    )
    blue, green = record_sets_named(zone, "api.example.com.")
    assert (blue.policy, blue.set_identifier, blue.weight, blue.health_check_id) == (
        RoutingPolicy.WEIGHTED,
        "blue",
        3,
        check,
    )
    assert (green.weight, green.health_check_id) == (0, None)
    # Weight 0 is never answered while a non-zero record is healthy.
    assert {ask(zone, "api.example.com.", "A").answer[0][0].address for _ in range(20)} == {"192.0.2.1"}


def test_latency_record_sets_keep_their_regions(zone):
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create("near", "A", "192.0.2.1", policy="latency", set_identifier="virginia", region="us-east-1"),
            create(
                "near", "A", "192.0.2.2", policy="latency", set_identifier="frankfurt", region="eu-central-1"
            ),
        ],
    )
    frankfurt, virginia = record_sets_named(zone, "near.example.com.")
    assert (virginia.policy, virginia.region, frankfurt.region) == (
        RoutingPolicy.LATENCY,
        "us-east-1",
        "eu-central-1",
    )


def test_failover_record_sets_keep_their_roles(zone, owner):
    check = health_check(owner, "primary").pk
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create(
                "app",
                "A",
                "192.0.2.1",
                policy="failover",
                set_identifier="p",
                failover="PRIMARY",
                health_check_id=check,
            ),
            create("app", "A", "192.0.2.2", policy="failover", set_identifier="s", failover="SECONDARY"),
        ],
    )
    primary, secondary = record_sets_named(zone, "app.example.com.")
    assert (primary.policy, primary.failover, primary.health_check_id) == (
        RoutingPolicy.FAILOVER,
        FailoverRole.PRIMARY,
        check,
    )
    assert secondary.failover is FailoverRole.SECONDARY
    snapshot = compile_hosted_zone(zone)
    unhealthy = answer(snapshot, Question.from_text("app.example.com.", "A"), {check: False}).message
    assert unhealthy.answer[0][0].address == "192.0.2.2"


def test_geolocation_record_sets_keep_continent_country_subdivision_and_default(zone):
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create("geo", "A", "192.0.2.1", policy="geolocation", set_identifier="europe", continent="EU"),
            create("geo", "A", "192.0.2.2", policy="geolocation", set_identifier="germany", country="DE"),
            create(
                "geo",
                "A",
                "192.0.2.3",
                policy="geolocation",
                set_identifier="texas",
                country="US",
                subdivision="TX",
            ),
            create("geo", "A", "192.0.2.4", policy="geolocation", set_identifier="rest", country="*"),
        ],
    )
    by_id = {record.set_identifier: record for record in record_sets_named(zone, "geo.example.com.")}
    assert {key: record.geolocation for key, record in by_id.items()} == {
        "europe": Geolocation(continent="EU"),
        "germany": Geolocation(country="DE"),
        "texas": Geolocation(country="US", subdivision="TX"),
        "rest": Geolocation(country="*"),
    }
    assert {record.policy for record in by_id.values()} == {RoutingPolicy.GEOLOCATION}
    assert by_id["rest"].geolocation.is_default


def test_multivalue_record_sets_keep_their_health_checks(zone, owner):
    check = health_check(owner, "one").pk
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create(
                "many", "A", "192.0.2.1", policy="multivalue", set_identifier="one", health_check_id=check
            ),
            create("many", "A", "192.0.2.2", policy="multivalue", set_identifier="two"),
        ],
    )
    one, two = record_sets_named(zone, "many.example.com.")
    assert (one.policy, one.health_check_id, two.health_check_id) == (RoutingPolicy.MULTIVALUE, check, None)
    snapshot = compile_hosted_zone(zone)
    message = answer(snapshot, Question.from_text("many.example.com.", "A"), {check: False}).message
    assert [rdata.address for rdata in message.answer[0]] == ["192.0.2.2"]


def test_an_alias_to_a_record_set_answers_with_its_target(zone):
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create("www", "A", "192.0.2.80"),
            create("@", "A", ttl=None, alias_target_name="www.example.com.", evaluate_target_health=True),
        ],
    )
    (apex,) = [
        record for record in record_sets_named(zone, "example.com.") if record.rdtype == dns.rdatatype.A
    ]
    assert apex.alias == AliasTarget(name=dns.name.from_text("www.example.com."))
    assert apex.evaluate_target_health is True
    assert ask(zone, "example.com.", "A").answer[0][0].address == "192.0.2.80"


def test_an_alias_to_an_endpoint_carries_its_addresses_ttl_and_health_check(zone, owner):
    check = health_check(owner, "balancer")
    endpoint = services.save_endpoint(
        owner=owner,
        name="balancer",
        kind="load_balancer",
        addresses=["192.0.2.10", "2001:db8::10"],
        ttl=30,
        health_check=check,
    )
    services.apply_change_batch(
        hosted_zone=zone, changes=[create("lb", "A", ttl=None, alias_endpoint_id=endpoint.pk)]
    )
    (lb,) = record_sets_named(zone, "lb.example.com.")
    assert lb.alias == AliasTarget(
        endpoint=Endpoint(
            label="balancer", addresses=("192.0.2.10", "2001:db8::10"), health_check_id=check.pk, ttl=30
        )
    )
    (rrset,) = ask(zone, "lb.example.com.", "A").answer
    assert (rrset.ttl, [rdata.address for rdata in rrset]) == (30, ["192.0.2.10"])


def test_a_private_zone_carries_its_networks_private_addresses_and_answers_only_there(owner, other_user):
    office = services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16", "fd00:1::/56"])
    lab = services.save_network(owner=owner, name="lab", cidrs=["10.2.0.0/16"])
    theirs = services.save_network(owner=other_user, name="office", cidrs=["10.3.0.0/16"])
    zone = services.create_hosted_zone(owner=owner, name="corp.test", is_private=True, networks=[office, lab])
    services.apply_change_batch(hosted_zone=zone, changes=[create("db", "A", "10.1.2.3")])
    data = hosted_zone_data(zone)
    assert data.private_addresses == tuple(sorted((office.private_address, lab.private_address)))
    snapshot = compile_zone(data)
    assert snapshot.is_private
    zones = ZoneSet([snapshot])
    db = dns.name.from_text("db.corp.test.")
    for network in (office, lab):
        assert zones.find_zone(db, "192.0.2.7", network.private_address) is snapshot
    # Not on another account's network's address, nor on a public listener, from any source.
    assert zones.find_zone(db, "10.1.200.7", theirs.private_address) is None
    assert zones.find_zone(db, "10.1.200.7") is None


def test_the_served_version_is_cached_by_zone_and_serial_and_updated_by_each_change(zone):
    services.apply_change_batch(
        hosted_zone=zone, changes=[create("www", "A", "192.0.2.1"), create("keep", "A", "192.0.2.2")]
    )
    first = served_snapshot(zone)
    assert served_snapshot(zone) is first
    services.apply_change_batch(hosted_zone=zone, changes=[create("new", "A", "192.0.2.3")])
    second = served_snapshot(zone)
    zone.refresh_from_db()
    assert second.serial == zone.serial != first.serial
    keep = name_key(dns.name.from_text("keep.example.com.")) + b"\x00\x01"
    # Updated from the change, not compiled again: the untouched answer is the same object.
    assert second.answers[keep] is first.answers[keep]
    assert second.answers == compile_hosted_zone(zone).answers
    (rrset,) = answer(second, Question.from_text("new.example.com.", "A")).message.answer
    assert [rdata.address for rdata in rrset] == ["192.0.2.3"]


def test_the_row_reader_parses_names_as_dnspython_does_and_shares_a_parents_labels():
    reader = RecordSetReader()
    texts = [
        "www.example.com.",
        "*.example.com.",
        "example.com.",
        r"a\.b.example.com.",
        "x.y.example.com.",
        ".",
    ]
    for text in texts:
        assert reader.name(text) == dns.name.from_text(text)
        assert reader.name(text).labels == dns.name.from_text(text).labels
    www, mail = reader.name("www.example.com."), reader.name("mail.example.com.")
    assert all(ours is theirs for ours, theirs in zip(www.labels[1:], mail.labels[1:], strict=True))


def test_the_row_reader_refuses_the_names_dnspython_refuses_at_the_label_and_name_limits():
    reader = RecordSetReader()
    parent = ".".join(["p" * 63] * 3) + "."  # 193 bytes on the wire
    longest_label = "a" * 63 + ".example.com."
    longest_name = "a" * 61 + "." + parent  # 61 + 1 + 193 = 255 bytes
    for text in (longest_label, longest_name):
        assert reader.name(text).labels == dns.name.from_text(text).labels
        # What a name made from its labels is: equal, hashed alike, and its own wire form.
        assert hash(reader.name(text)) == hash(dns.name.from_text(text))
        assert reader.name(text).to_wire() == dns.name.from_text(text).to_wire()
    with pytest.raises(dns.name.LabelTooLong):
        reader.name("a" * 64 + ".example.com.")
    with pytest.raises(dns.name.NameTooLong):
        reader.name("a" * 62 + "." + parent)


def test_simple_record_sets_are_read_apart_and_every_set_comes_back_once(zone, owner):
    check = health_check(owner, "one").pk
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create("www", "A", "192.0.2.1"),
            create("www", "TXT", '"simple beside routed"'),
            create(
                "api",
                "A",
                "192.0.2.2",
                policy="weighted",
                set_identifier="one",
                weight=1,
                health_check_id=check,
            ),
            create("api", "A", "192.0.2.3", policy="weighted", set_identifier="two", weight=2),
            create("api", "AAAA", "2001:db8::1"),
            create("multi", "A", "192.0.2.7", "192.0.2.8"),
            create("alias", "A", ttl=None, alias_target_name="www.example.com."),
        ],
    )
    data = hosted_zone_data(zone)
    read = sorted(
        (record.name.to_text(), dns.rdatatype.to_text(record.rdtype), record.set_identifier, record.rdatas)
        for record in data.record_sets
    )
    rows = sorted(
        (name, rdtype, set_identifier, tuple(values))
        for name, rdtype, set_identifier, values in zone.record_sets.values_list(
            "name", "type", "set_identifier", "values"
        )
    )
    assert read == rows
    weighted = [record for record in data.record_sets if record.set_identifier]
    assert [(record.set_identifier, record.weight, record.health_check_id) for record in weighted] == [
        ("one", 1, check),
        ("two", 2, None),
    ]
    (alias,) = [record for record in data.record_sets if record.alias is not None]
    assert alias.alias.name == dns.name.from_text("www.example.com.")


@pytest.mark.parametrize(
    "text",
    [
        '["10.0.0.1"]',
        '["2001:db8::1"]',
        '["a", "b"]',
        '["a","b"]',
        "[]",
        '[""]',
        '["\\"v=spf1 -all\\""]',
        '["caf\\u00e9"]',
        '["café"]',
        '["back\\\\slash"]',
        '[ "spaced" ]',
    ],
)
def test_stored_values_read_as_the_json_parser_reads_them(text):
    assert stored_values(text) == tuple(json.loads(text))
