"""The engine's half of one vocabulary: its country facts cover exactly the codes a record
may name, and it answers a geolocation record for every one of them (no database)."""

import ipaddress

import dns.rdatatype
import pytest

from zones import vocabulary
from zones.engine import (
    EngineConfig,
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
from zones.engine.countries import CONTINENT_POINTS, COUNTRY_FACTS, NON_ISO_FACTS
from zones.tests.dns_fixtures import name

ORIGIN = name("geo.test.")
COUNTRY_CODES = sorted(vocabulary.COUNTRIES)
CONTINENT_CODES = sorted(vocabulary.CONTINENTS)
DEFAULT_ADDRESS = "192.0.2.1"
# One client address per country, each located there by the engine's own table locator.
CLIENTS = {code: str(ipaddress.ip_address("198.18.0.0") + index) for index, code in enumerate(COUNTRY_CODES)}
CONFIG = EngineConfig(
    locator=TableLocator({f"{address}/32": (code, None) for code, address in CLIENTS.items()})
)


def country_address(code: str) -> str:
    return str(ipaddress.ip_address("10.0.0.0") + COUNTRY_CODES.index(code))


def continent_address(code: str) -> str:
    return str(ipaddress.ip_address("10.1.0.0") + CONTINENT_CODES.index(code))


def geo_record(label: str, address: str, geolocation: Geolocation) -> RecordSetData:
    return RecordSetData(
        name("www.geo.test."),
        dns.rdatatype.A,
        60,
        (address,),
        policy=RoutingPolicy.GEOLOCATION,
        set_identifier=label,
        geolocation=geolocation,
    )


def geo_zone(*record_sets: RecordSetData) -> ZoneSet:
    base = [
        RecordSetData(ORIGIN, dns.rdatatype.SOA, 3600, ("ns1 hostmaster 1 7200 3600 1209600 300",)),
        RecordSetData(ORIGIN, dns.rdatatype.NS, 3600, ("ns1",)),
        geo_record("default", DEFAULT_ADDRESS, Geolocation(country=vocabulary.DEFAULT_COUNTRY)),
    ]
    return ZoneSet([compile_zone(ZoneData(ORIGIN, 1, [*base, *record_sets], key="geo"))])


CONTINENT_RECORDS = [
    geo_record(f"continent-{code}", continent_address(code), Geolocation(continent=code))
    for code in CONTINENT_CODES
]
COUNTRY_ZONE = geo_zone(
    *CONTINENT_RECORDS,
    *(geo_record(code, country_address(code), Geolocation(country=code)) for code in COUNTRY_CODES),
)
CONTINENT_ZONE = geo_zone(*CONTINENT_RECORDS)


def addresses(zones: ZoneSet, client_address: str, config: EngineConfig = CONFIG) -> list[str]:
    result = answer(zones, Question.from_text("www.geo.test.", "A", client_address), config=config)
    return [rdata.address for rrset in result.message.answer for rdata in rrset]


def test_country_facts_cover_exactly_the_vocabulary_countries():
    assert sorted(COUNTRY_FACTS) == COUNTRY_CODES


def test_every_continent_has_a_central_point():
    assert sorted(CONTINENT_POINTS) == CONTINENT_CODES


@pytest.mark.parametrize("code", COUNTRY_CODES)
def test_country_facts_name_a_vocabulary_continent_and_a_point_on_earth(code):
    facts = COUNTRY_FACTS[code]
    assert facts.continent in vocabulary.CONTINENTS
    assert -90 <= facts.latitude <= 90
    assert -180 <= facts.longitude <= 180


@pytest.mark.parametrize(
    ("code", "continent"),
    [("BV", "AN"), ("GS", "AN"), ("HM", "AN"), ("PN", "OC"), ("SJ", "EU"), ("TF", "AN"), ("UM", "OC")],
)
def test_territories_once_missing_have_their_continent(code, continent):
    assert COUNTRY_FACTS[code].continent == continent


def test_codes_outside_iso_3166_are_no_record_codes_but_have_a_continent():
    assert "XK" in NON_ISO_FACTS
    assert set(NON_ISO_FACTS).isdisjoint(vocabulary.COUNTRIES)
    assert all(facts.continent in vocabulary.CONTINENTS for facts in NON_ISO_FACTS.values())


@pytest.mark.parametrize("code", COUNTRY_CODES)
def test_engine_answers_the_country_record_for_a_client_in_that_country(code):
    assert addresses(COUNTRY_ZONE, CLIENTS[code]) == [country_address(code)]


@pytest.mark.parametrize("code", COUNTRY_CODES)
def test_engine_answers_the_continent_record_for_a_client_in_any_country(code):
    continent = COUNTRY_FACTS[code].continent
    assert addresses(CONTINENT_ZONE, CLIENTS[code]) == [continent_address(continent)]


def test_a_client_geoip2fast_places_in_kosovo_gets_the_europe_record():
    config = EngineConfig(locator=GeoIP2FastLocator())
    assert config.locate(ipaddress.ip_address("46.99.0.1")).country == "XK"
    assert addresses(COUNTRY_ZONE, "46.99.0.1", config) == [continent_address("EU")]
