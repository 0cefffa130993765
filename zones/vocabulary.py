"""The routing vocabulary every layer shares: policies, failover roles, continents, countries.

Plain Python, no Django: the answer engine imports it as well as the models, the rule
module, the forms and the serializers, so a code accepted in one place is accepted in all.
Countries and subdivisions come from pycountry (ISO 3166-1 and ISO 3166-2), not a copy of
our own.
"""

import enum

import pycountry


class RoutingPolicy(enum.StrEnum):
    SIMPLE = "simple"
    WEIGHTED = "weighted"
    LATENCY = "latency"
    FAILOVER = "failover"
    GEOLOCATION = "geolocation"
    MULTIVALUE = "multivalue"

    @property
    def label(self) -> str:
        return "Multivalue answer" if self is RoutingPolicy.MULTIVALUE else self.value.capitalize()


class FailoverRole(enum.StrEnum):
    PRIMARY = "PRIMARY"
    SECONDARY = "SECONDARY"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def choices(vocabulary: type[enum.StrEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a model field or a form's select."""
    return [(member.value, member.label) for member in vocabulary]


# Route 53's continent codes.
CONTINENTS: dict[str, str] = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
}

# The geolocation record that answers everyone no other record matches.
DEFAULT_COUNTRY = "*"

# ISO 3166-1 alpha-2 code -> name.
COUNTRIES: dict[str, str] = {country.alpha_2: country.name for country in pycountry.countries}

# ISO 3166-1 alpha-2 code -> the ISO 3166-2 codes of its subdivisions, without the country
# prefix ("US" -> {"CA", "TX", ...}).
SUBDIVISIONS: dict[str, frozenset[str]] = {}
for _subdivision in pycountry.subdivisions:
    _country, _, _code = _subdivision.code.partition("-")
    SUBDIVISIONS[_country] = SUBDIVISIONS.get(_country, frozenset()) | {_code}
del _subdivision, _country, _code


def is_subdivision(country: str, subdivision: str) -> bool:
    """Whether `subdivision` (the part after the dash) is an ISO 3166-2 subdivision of `country`."""
    return subdivision in SUBDIVISIONS.get(country, frozenset())
