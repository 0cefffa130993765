"""Routing policies, health and client location in the engine (no database, no server)."""

import collections
import ipaddress
import random

import dns.rcode
import dns.rdatatype
import pytest

from zones.engine import (
    AliasTarget,
    ChainLocator,
    Endpoint,
    EngineConfig,
    FailoverRole,
    GeoIP2FastLocator,
    Geolocation,
    Question,
    RecordSetData,
    RoutingPolicy,
    TableLocator,
    ZoneData,
    ZoneSet,
    answer,
    compile_zone,
)
from zones.tests.dns_fixtures import name

A = dns.rdatatype.A
ORIGIN = name("routed.test.")
LOCATOR = GeoIP2FastLocator()
CONFIG = EngineConfig(locator=LOCATOR)


def routed_zone(*record_sets: RecordSetData) -> ZoneSet:
    base = [
        RecordSetData(ORIGIN, dns.rdatatype.SOA, 3600, ("ns1 hostmaster 1 7200 3600 1209600 300",)),
        RecordSetData(ORIGIN, dns.rdatatype.NS, 3600, ("ns1",)),
        RecordSetData(name("ns1.routed.test."), A, 3600, ("192.0.2.53",)),
    ]
    return ZoneSet([compile_zone(ZoneData(ORIGIN, 1, [*base, *record_sets], key="9"))])


def record(address: str, policy: RoutingPolicy, label: str, owner: str = "www", **kwargs) -> RecordSetData:
    return RecordSetData(
        name(f"{owner}.routed.test."), A, 60, (address,), policy=policy, set_identifier=label, **kwargs
    )


def addresses(zones: ZoneSet, qname: str = "www.routed.test.", health=None, rng=None, **client) -> list[str]:
    result = answer(zones, Question.from_text(qname, "A", **client), health, config=CONFIG, rng=rng)
    return sorted(rdata.address for rrset in result.message.answer for rdata in rrset)


def draw(zones: ZoneSet, count: int, health=None) -> collections.Counter:
    rng = random.Random(53)
    return collections.Counter(addresses(zones, health=health, rng=rng)[0] for _ in range(count))


def chi_squared(observed: collections.Counter, expected: dict[str, float]) -> float:
    return sum((observed[key] - value) ** 2 / value for key, value in expected.items())


def weighted(*weights: int, **kwargs) -> ZoneSet:
    return routed_zone(
        *(
            record(f"192.0.2.{index + 1}", RoutingPolicy.WEIGHTED, f"w{index + 1}", weight=weight, **kwargs)
            for index, weight in enumerate(weights)
        )
    )


def test_weighted_follows_the_weights_by_a_chi_squared_test():
    zones = weighted(1, 2, 3, 0)
    observed = draw(zones, 6000)
    expected = {"192.0.2.1": 1000.0, "192.0.2.2": 2000.0, "192.0.2.3": 3000.0}
    assert observed["192.0.2.4"] == 0
    # 13.82 is the 0.999 quantile of chi-squared with 2 degrees of freedom.
    assert chi_squared(observed, expected) < 13.82


def test_weighted_all_zero_means_equal_chance():
    observed = draw(weighted(0, 0, 0), 3000)
    assert chi_squared(observed, {f"192.0.2.{i}": 1000.0 for i in (1, 2, 3)}) < 13.82


def test_weighted_zero_answers_when_every_nonzero_record_is_unhealthy():
    zones = routed_zone(
        record("192.0.2.1", RoutingPolicy.WEIGHTED, "heavy", weight=10, health_check_id=1),
        record("192.0.2.2", RoutingPolicy.WEIGHTED, "zero", weight=0, health_check_id=2),
    )
    assert set(draw(zones, 200, health={1: False})) == {"192.0.2.2"}
    assert set(draw(zones, 200, health={1: True})) == {"192.0.2.1"}


def test_weighted_skips_unhealthy_and_treats_all_as_healthy_when_none_is():
    zones = routed_zone(
        record("192.0.2.1", RoutingPolicy.WEIGHTED, "a", weight=1, health_check_id=1),
        record("192.0.2.2", RoutingPolicy.WEIGHTED, "b", weight=1, health_check_id=2),
    )
    assert set(draw(zones, 200, health={1: False})) == {"192.0.2.2"}
    assert set(draw(zones, 400, health={1: False, 2: False})) == {"192.0.2.1", "192.0.2.2"}


def test_failover_follows_health_flips():
    zones = routed_zone(
        record(
            "192.0.2.1", RoutingPolicy.FAILOVER, "primary", failover=FailoverRole.PRIMARY, health_check_id=1
        ),
        record(
            "192.0.2.2",
            RoutingPolicy.FAILOVER,
            "secondary",
            failover=FailoverRole.SECONDARY,
            health_check_id=2,
        ),
    )
    assert addresses(zones, health={}) == ["192.0.2.1"]
    assert addresses(zones, health={1: False}) == ["192.0.2.2"]
    assert addresses(zones, health={1: True, 2: False}) == ["192.0.2.1"]
    assert addresses(zones, health={1: False, 2: False}) == ["192.0.2.1"]


def test_multivalue_answers_up_to_eight_healthy_records():
    zones = routed_zone(
        *(record(f"192.0.2.{i}", RoutingPolicy.MULTIVALUE, f"m{i}", health_check_id=i) for i in range(1, 13))
    )
    everything = [f"192.0.2.{i}" for i in range(1, 13)]
    first = addresses(zones, rng=random.Random(1))
    assert len(first) == 8 and set(first) <= set(everything)
    seen = set()
    rng = random.Random(2)
    for _ in range(50):
        seen.update(addresses(zones, rng=rng))
    assert seen == set(everything)
    health = {i: i > 9 for i in range(1, 13)}
    assert addresses(zones, health=health) == ["192.0.2.10", "192.0.2.11", "192.0.2.12"]
    none_healthy = addresses(zones, health={i: False for i in range(1, 13)})
    assert len(none_healthy) == 8


GEO_ZONE = routed_zone(
    record("192.0.2.10", RoutingPolicy.GEOLOCATION, "gb", geolocation=Geolocation(country="GB")),
    record("192.0.2.11", RoutingPolicy.GEOLOCATION, "europe", geolocation=Geolocation(continent="EU")),
    record("192.0.2.12", RoutingPolicy.GEOLOCATION, "us", geolocation=Geolocation(country="US")),
    record("192.0.2.13", RoutingPolicy.GEOLOCATION, "default", geolocation=Geolocation(country="*")),
    record(
        "192.0.2.14",
        RoutingPolicy.GEOLOCATION,
        "us-ca",
        geolocation=Geolocation(country="US", subdivision="CA"),
    ),
)


@pytest.mark.parametrize(
    ("client_subnet", "expected", "scope"),
    [
        ("81.2.69.0/24", "192.0.2.10", 18),  # GB, 81.2.64.0/18
        ("193.0.14.0/24", "192.0.2.11", 20),  # NL, falls to continent EU
        ("8.8.8.0/24", "192.0.2.12", 15),  # US, 8.8.0.0/15
        ("200.160.0.0/24", "192.0.2.13", 15),  # BR: no match, the default answers
        ("2001:4860:4860::/48", "192.0.2.12", 34),  # US over IPv6
        ("2a00:1450::/48", "192.0.2.11", 34),  # IE over IPv6 -> EU
    ],
)
def test_geolocation_by_client_subnet_from_known_blocks(client_subnet, expected, scope):
    result = answer(
        GEO_ZONE, Question.from_text("www.routed.test.", "A", "127.0.0.1", client_subnet), config=CONFIG
    )
    assert [rdata.address for rdata in result.message.answer[0]] == [expected]
    assert result.scope_prefix == scope


def test_geolocation_uses_the_source_address_without_ecs():
    assert addresses(GEO_ZONE, client_address="81.2.69.160") == ["192.0.2.10"]


def test_geolocation_prefers_subdivision_from_an_operator_table():
    config = EngineConfig(locator=ChainLocator([TableLocator({"198.51.100.0/24": ("US", "CA")}), LOCATOR]))
    result = answer(GEO_ZONE, Question.from_text("www.routed.test.", "A", "198.51.100.7"), config=config)
    assert [rdata.address for rdata in result.message.answer[0]] == ["192.0.2.14"]


def test_geolocation_without_match_or_default_is_nodata():
    zones = routed_zone(
        record("192.0.2.10", RoutingPolicy.GEOLOCATION, "gb", geolocation=Geolocation(country="GB"))
    )
    result = answer(zones, Question.from_text("www.routed.test.", "A", "8.8.8.8"), config=CONFIG)
    assert result.message.rcode() == dns.rcode.NOERROR
    assert result.message.answer == []
    assert result.message.authority[0].rdtype == dns.rdatatype.SOA


def test_geolocation_skips_an_unhealthy_match_for_a_wider_one():
    zones = routed_zone(
        record(
            "192.0.2.10",
            RoutingPolicy.GEOLOCATION,
            "gb",
            geolocation=Geolocation(country="GB"),
            health_check_id=1,
        ),
        record("192.0.2.11", RoutingPolicy.GEOLOCATION, "eu", geolocation=Geolocation(continent="EU")),
    )
    assert addresses(zones, client_address="81.2.69.160", health={1: False}) == ["192.0.2.11"]


LATENCY_ZONE = routed_zone(
    record("192.0.2.20", RoutingPolicy.LATENCY, "virginia", region="us-east-1", health_check_id=20),
    record("192.0.2.21", RoutingPolicy.LATENCY, "london", region="eu-west-2", health_check_id=21),
    record("192.0.2.22", RoutingPolicy.LATENCY, "tokyo", region="ap-northeast-1", health_check_id=22),
)


@pytest.mark.parametrize(
    ("client_address", "expected"),
    [("81.2.69.160", "192.0.2.21"), ("8.8.8.8", "192.0.2.20"), ("133.1.1.1", "192.0.2.22")],
)
def test_latency_picks_the_nearest_region(client_address, expected):
    assert addresses(LATENCY_ZONE, client_address=client_address) == [expected]


def test_latency_skips_unhealthy_regions_and_honours_the_operator_table():
    assert addresses(LATENCY_ZONE, client_address="81.2.69.160", health={21: False}) == ["192.0.2.20"]
    table = ((ipaddress.ip_network("81.2.0.0/16"), "ap-northeast-1"),)
    config = EngineConfig(locator=LOCATOR, latency_table=table)
    result = answer(
        LATENCY_ZONE, Question.from_text("www.routed.test.", "A", None, "81.2.69.0/24"), config=config
    )
    assert [rdata.address for rdata in result.message.answer[0]] == ["192.0.2.22"]
    assert result.scope_prefix == 16


def test_alias_to_a_record_set_in_the_zone_follows_its_answer():
    zones = routed_zone(
        record(
            "192.0.2.1",
            RoutingPolicy.FAILOVER,
            "p",
            owner="app",
            failover=FailoverRole.PRIMARY,
            health_check_id=1,
        ),
        record("192.0.2.2", RoutingPolicy.FAILOVER, "s", owner="app", failover=FailoverRole.SECONDARY),
        RecordSetData(ORIGIN, A, 60, (), alias=AliasTarget(name=name("app.routed.test."))),
    )
    assert addresses(zones, "routed.test.") == ["192.0.2.1"]
    assert addresses(zones, "routed.test.", health={1: False}) == ["192.0.2.2"]


def test_alias_with_evaluate_target_health_moves_failover():
    endpoint = Endpoint("lb-1", ("192.0.2.30", "2001:db8::30"), health_check_id=5)
    zones = routed_zone(
        RecordSetData(
            name("www.routed.test."),
            A,
            60,
            (),
            policy=RoutingPolicy.FAILOVER,
            set_identifier="primary-lb",
            failover=FailoverRole.PRIMARY,
            alias=AliasTarget(endpoint=endpoint),
            evaluate_target_health=True,
        ),
        record("192.0.2.31", RoutingPolicy.FAILOVER, "backup", failover=FailoverRole.SECONDARY),
    )
    assert addresses(zones) == ["192.0.2.30"]
    assert addresses(zones, health={5: False}) == ["192.0.2.31"]


def test_reasons_are_structured_data():
    zones = routed_zone(
        record("192.0.2.1", RoutingPolicy.WEIGHTED, "a", weight=1, health_check_id=1),
        record("192.0.2.2", RoutingPolicy.WEIGHTED, "b", weight=3),
    )
    result = answer(zones, Question.from_text("www.routed.test.", "A"), {1: False}, config=CONFIG)
    codes = [reason["code"] for reason in result.reasons_as_dicts()]
    assert codes == ["zone", "policy", "skipped-unhealthy", "weighted"]
    assert result.reasons_as_dicts()[-1]["details"] == {"record": "b", "weight": 3, "total": 3}
    assert result.is_dynamic


def test_ecs_scope_is_zero_for_answers_that_ignore_the_client():
    result = answer(
        GEO_ZONE, Question.from_text("ns1.routed.test.", "A", None, "81.2.69.0/24"), config=CONFIG
    )
    assert result.scope_prefix == 0
    assert not result.is_dynamic
