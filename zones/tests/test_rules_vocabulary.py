"""The rule module takes its policies, roles, continents, countries and subdivisions from
zones.vocabulary: every code there is accepted, and a code outside it is refused.
Table-driven, no database."""

import pytest

from zones import rules
from zones.vocabulary import CONTINENTS, COUNTRIES, DEFAULT_COUNTRY, FailoverRole, RoutingPolicy

ZONE = "example.com."
CONTEXT = rules.RuleContext(regions={"us-east-1"}, health_check_ids={7})


def geolocation(**location: str) -> list[tuple[str, str]]:
    spec = rules.RecordSetSpec(
        name="www",
        type="A",
        ttl=300,
        values=("192.0.2.1",),
        policy="geolocation",
        set_identifier="here",
        **location,
    )
    _spec, problems = rules.check_record_set(spec, zone_name=ZONE, context=CONTEXT)
    return [(problem.field, problem.message) for problem in problems]


@pytest.mark.parametrize("country", sorted(COUNTRIES))
def test_every_country_of_the_vocabulary_is_accepted(country):
    assert geolocation(country=country) == []


@pytest.mark.parametrize("country", ["XK", "ZZ", "QQ", "UK", "EU"])
def test_a_country_outside_the_vocabulary_is_refused(country):
    assert geolocation(country=country) == [
        ("country", f"country: {country} is not an ISO 3166 country code")
    ]


def test_the_default_location_is_accepted():
    assert geolocation(country=DEFAULT_COUNTRY) == []


@pytest.mark.parametrize("continent", sorted(CONTINENTS))
def test_every_continent_of_the_vocabulary_is_accepted(continent):
    assert geolocation(continent=continent) == []


@pytest.mark.parametrize("continent", ["XX", "EA", "AM"])
def test_a_continent_outside_the_vocabulary_is_refused(continent):
    assert geolocation(continent=continent) == [
        ("continent", f"continent: {continent} is not a continent code (AF, AN, AS, EU, NA, OC, SA)")
    ]


@pytest.mark.parametrize(
    ("country", "subdivision"),
    [
        ("US", "CA"),
        ("US", "TX"),
        ("US", "DC"),
        ("GB", "ENG"),
        ("GB", "SCT"),
        ("FR", "IDF"),
        ("DE", "BY"),
        ("CA", "QC"),
        ("AU", "NSW"),
        ("JP", "13"),
        ("IN", "MH"),
        ("BR", "SP"),
        ("MX", "CMX"),
        ("us", "tx"),
    ],
)
def test_subdivisions_of_the_vocabulary_are_accepted(country, subdivision):
    assert geolocation(country=country, subdivision=subdivision) == []


@pytest.mark.parametrize(
    ("country", "subdivision"),
    [("US", "ZZ"), ("FR", "CA"), ("DE", "TX"), ("CN", "11"), ("AQ", "A")],
)
def test_a_subdivision_outside_its_country_is_refused(country, subdivision):
    assert geolocation(country=country, subdivision=subdivision) == [
        ("subdivision", f"subdivision: {subdivision} is not a subdivision code")
    ]


@pytest.mark.parametrize("policy", list(RoutingPolicy))
def test_every_routing_policy_of_the_vocabulary_is_known(policy):
    spec = rules.RecordSetSpec(name="www", type="A", ttl=300, values=("192.0.2.1",), policy=policy.value)
    _spec, problems = rules.check_record_set(spec, zone_name=ZONE, context=CONTEXT)
    assert "policy" not in [problem.field for problem in problems]


@pytest.mark.parametrize(
    ("role", "accepted"), [*((role.value, True) for role in FailoverRole), ("THIRD", False)]
)
def test_failover_roles_are_the_vocabularys(role, accepted):
    spec = rules.RecordSetSpec(
        name="www",
        type="A",
        ttl=300,
        values=("192.0.2.1",),
        policy="failover",
        set_identifier="one",
        failover=role,
    )
    _spec, problems = rules.check_record_set(spec, zone_name=ZONE, context=CONTEXT)
    assert ("failover" not in [problem.field for problem in problems]) is accepted
