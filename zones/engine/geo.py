"""Where a client is: IP address to location, and location to the nearest latency region.

The default locator reads geoip2fast's bundled database (IPv4 and IPv6, country level, no
download at run time); continent and a central point come from `countries.py`. An operator
may hand in a MaxMind-format file instead (`MaxMindLocator`, GeoLite2-City or -Country),
which adds subdivisions and real coordinates. Each location carries the network it was
found in, so that EDNS Client Subnet answers can state their scope (RFC 7871 §7.2.1).
"""

import ipaddress
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from zones.engine.countries import CONTINENT_POINTS, get_country_facts
from zones.engine.data import IPAddress, Network

EARTH_RADIUS_KM = 6371.0

# Where the latency regions are (the Route 53 / AWS region names operators already know).
DEFAULT_REGIONS: dict[str, tuple[float, float]] = {
    "us-east-1": (38.9, -77.4),
    "us-east-2": (40.0, -83.0),
    "us-west-1": (37.4, -121.9),
    "us-west-2": (45.8, -119.7),
    "ca-central-1": (45.5, -73.6),
    "sa-east-1": (-23.5, -46.6),
    "eu-west-1": (53.3, -6.3),
    "eu-west-2": (51.5, -0.1),
    "eu-west-3": (48.9, 2.4),
    "eu-central-1": (50.1, 8.7),
    "eu-north-1": (59.3, 18.1),
    "eu-south-1": (45.5, 9.2),
    "me-south-1": (26.1, 50.6),
    "af-south-1": (-33.9, 18.4),
    "ap-south-1": (19.1, 72.9),
    "ap-east-1": (22.3, 114.2),
    "ap-southeast-1": (1.3, 103.8),
    "ap-southeast-2": (-33.9, 151.2),
    "ap-northeast-1": (35.7, 139.7),
    "ap-northeast-2": (37.6, 127.0),
    "ap-northeast-3": (34.7, 135.5),
}


@dataclass(frozen=True, slots=True)
class Location:
    """What the engine knows about a client address; any part may be unknown (None)."""

    network: Network | None = None
    country: str | None = None
    continent: str | None = None
    subdivision: str | None = None
    latitude: float | None = None
    longitude: float | None = None


UNKNOWN = Location()


class Locator(Protocol):
    def locate(self, address: IPAddress) -> Location: ...


def _from_country(network: Network | None, country: str | None, subdivision: str | None = None) -> Location:
    facts = get_country_facts(country)
    if facts is None:
        return Location(network=network, country=country, subdivision=subdivision)
    continent, latitude, longitude = facts
    return Location(network, country, continent, subdivision, latitude, longitude)


class GeoIP2FastLocator:
    """Country-level location from geoip2fast's bundled IPv4+IPv6 database."""

    def __init__(self) -> None:
        from geoip2fast import GeoIP2Fast

        self._reader = GeoIP2Fast(geoip2fast_data_file="geoip2fast-ipv6.dat.gz")

    def locate(self, address: IPAddress) -> Location:
        result = self._reader.lookup(str(address))
        country = result.country_code
        if not country or country == "--" or len(country) != 2:
            return UNKNOWN
        network = ipaddress.ip_network(result.cidr, strict=False) if result.cidr else None
        return _from_country(network, country)


class MaxMindLocator:
    """Location from an operator's MaxMind-format (.mmdb) file, read with maxminddb."""

    def __init__(self, path: str) -> None:
        import maxminddb

        self._reader = maxminddb.open_database(path)

    def locate(self, address: IPAddress) -> Location:
        record, prefix_length = self._reader.get_with_prefix_len(str(address))
        if not isinstance(record, dict):
            return UNKNOWN
        network = ipaddress.ip_network(f"{address}/{prefix_length}", strict=False)
        country = (record.get("country") or {}).get("iso_code")
        subdivisions = record.get("subdivisions") or []
        subdivision = subdivisions[0].get("iso_code") if subdivisions else None
        location = _from_country(network, country, subdivision)
        continent = (record.get("continent") or {}).get("code") or location.continent
        point = record.get("location") or {}
        latitude = point.get("latitude", location.latitude)
        longitude = point.get("longitude", location.longitude)
        return Location(network, country, continent, subdivision, latitude, longitude)


class TableLocator:
    """An operator's own table: network -> (country, subdivision); longest prefix wins.

    Useful for private address space that no public database knows.
    """

    def __init__(self, entries: Mapping[str, tuple[str, str | None]]) -> None:
        parsed = [(ipaddress.ip_network(cidr, strict=False), value) for cidr, value in entries.items()]
        self._entries = sorted(parsed, key=lambda item: item[0].prefixlen, reverse=True)

    def locate(self, address: IPAddress) -> Location:
        for network, (country, subdivision) in self._entries:
            if network.version == address.version and address in network:
                return _from_country(network, country, subdivision)
        return UNKNOWN


class ChainLocator:
    """Ask each locator in turn; the first that knows the country wins."""

    def __init__(self, locators: Sequence[Locator]) -> None:
        self._locators = tuple(locators)

    def locate(self, address: IPAddress) -> Location:
        for locator in self._locators:
            location = locator.locate(address)
            if location.country:
                return location
        return UNKNOWN


@dataclass(frozen=True)
class EngineConfig:
    """What the engine is handed instead of settings: the locator and the latency regions.

    `latency_table` maps client networks to a region name and overrides the distance rule
    (longest prefix wins), for operators who measure latency themselves.
    """

    locator: Locator | None = None
    regions: Mapping[str, tuple[float, float]] = field(default_factory=lambda: dict(DEFAULT_REGIONS))
    latency_table: Sequence[tuple[Network, str]] = ()

    def locate(self, address: IPAddress | None) -> Location:
        if address is None or self.locator is None:
            return UNKNOWN
        return self.locator.locate(address)


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (latitude, longitude) points, in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def location_point(location: Location) -> tuple[float, float] | None:
    """The client's coordinates, else its continent's, else None."""
    if location.latitude is not None and location.longitude is not None:
        return (location.latitude, location.longitude)
    return CONTINENT_POINTS.get(location.continent or "")


def table_region(config: EngineConfig, address: IPAddress | None) -> tuple[str, Network] | None:
    """The operator's latency-table entry for `address` (longest prefix), if any."""
    if address is None:
        return None
    best: tuple[str, Network] | None = None
    for network, region in config.latency_table:
        is_inside = network.version == address.version and address in network
        if is_inside and (best is None or network.prefixlen > best[1].prefixlen):
            best = (region, network)
    return best
