"""The engine's input: plain, immutable descriptions of a zone and its record sets.

Nothing here knows about the ORM. `zones/snapshot.py` maps hosted-zone rows onto these
classes; the registry's TLD and root zones, which are dnspython `dns.zone.Zone` objects, go
through `zone_data_from_dns_zone`. Every name is an absolute `dns.name.Name` and every type a
`dns.rdatatype.RdataType`; rdata may be given as dnspython objects or as presentation text
(relative names in text are taken relative to the zone's origin).
"""

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone

from zones.vocabulary import DEFAULT_COUNTRY, FailoverRole, RoutingPolicy

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class Geolocation:
    """Where a geolocation record set applies; `country="*"` is the default record.

    The codes are those of `zones.vocabulary`: a continent of CONTINENTS (Route 53's
    two-letter codes), a country of COUNTRIES (ISO 3166-1 alpha-2), and a subdivision the
    ISO 3166-2 part after the dash (`is_subdivision`), which needs `country`.
    """

    continent: str | None = None
    country: str | None = None
    subdivision: str | None = None

    @property
    def is_default(self) -> bool:
        return self.country == DEFAULT_COUNTRY


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An alias target outside the zone: a named service with its own addresses."""

    label: str
    addresses: tuple[str, ...]
    health_check_id: int | None = None
    ttl: int = 60


@dataclass(frozen=True, slots=True)
class AliasTarget:
    """Either a record set of the same zone (`name`, same type as the alias) or an endpoint."""

    name: dns.name.Name | None = None
    endpoint: Endpoint | None = None


@dataclass(frozen=True, slots=True, eq=False)
class RecordSetData:
    """One record set as Route 53 sees it: name, type, routing policy and its parameters.

    Compared by identity: two record sets with the same values are still two record sets.
    """

    name: dns.name.Name
    rdtype: dns.rdatatype.RdataType
    ttl: int
    rdatas: tuple = ()
    policy: RoutingPolicy = RoutingPolicy.SIMPLE
    set_identifier: str = ""
    weight: int | None = None
    region: str | None = None
    failover: FailoverRole | None = None
    geolocation: Geolocation | None = None
    health_check_id: int | None = None
    alias: AliasTarget | None = None
    evaluate_target_health: bool = False

    @property
    def label(self) -> str:
        """How reasons name this record set: its set identifier, else its name and type."""
        if self.set_identifier:
            return self.set_identifier
        return f"{self.name.to_text()} {dns.rdatatype.to_text(self.rdtype)}"


@dataclass(frozen=True)
class ZoneData:
    """A zone to compile: its origin, serial and record sets, plus who may see and copy it.

    `key` names the zone in Redis (the hosted-zone id, or `registry:<tld>`). A non-empty
    `private_addresses` makes the zone private: the private listener answers it only on those
    addresses (each network's own, see kernel/listeners.py), never a public listener.
    `xfr_networks` may transfer it (AXFR/IXFR); `notify_targets` ("host" or "host:port")
    receive a NOTIFY on every new serial.

    Which listener answers from a public zone (delegation.py) reads the rest:
    `name_servers`, the hosts of its delegation set (not its apex NS, which its owner may
    edit); `owner`, the account holding it ("" for none); `created`, (creation time in
    seconds since the epoch, a number that breaks ties), older zones first.
    """

    origin: dns.name.Name
    serial: int
    record_sets: Sequence[RecordSetData]
    key: str = ""
    private_addresses: tuple[str, ...] = ()
    xfr_networks: tuple[Network, ...] = ()
    notify_targets: tuple[str, ...] = ()
    name_servers: tuple[dns.name.Name, ...] = ()
    owner: str = ""
    created: tuple[float, int] = (0.0, 0)
    extra: dict = field(default_factory=dict)

    @property
    def is_private(self) -> bool:
        return bool(self.private_addresses)


def make_rdata(rdtype: dns.rdatatype.RdataType, value: object, origin: dns.name.Name) -> dns.rdata.Rdata:
    """Turn presentation text (or an existing rdata) into an absolute rdata object.

    Raises dns.exception.SyntaxError for text that is not valid rdata of `rdtype`.
    """
    if isinstance(value, dns.rdata.Rdata):
        return value
    return dns.rdata.from_text(dns.rdataclass.IN, rdtype, str(value), origin=origin, relativize=False)


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """CIDR texts to network objects (host bits allowed, as operators type them)."""
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def zone_data_from_dns_zone(
    zone: dns.zone.Zone,
    *,
    key: str = "",
    xfr_networks: tuple[Network, ...] = (),
    notify_targets: tuple[str, ...] = (),
) -> ZoneData:
    """Describe a dnspython zone (the registry's TLD and root zones) as simple record sets.

    Raises dns.zone.NoSOA when the zone has no SOA at its origin.
    """
    origin = zone.origin
    soa = zone.get_rdataset(origin, dns.rdatatype.SOA)
    if soa is None:
        raise dns.zone.NoSOA
    record_sets = []
    for name, node in zone.nodes.items():
        absolute = name.derelativize(origin)
        for rdataset in node.rdatasets:
            if rdataset.rdclass != dns.rdataclass.IN:
                continue
            rdatas = tuple(rdataset) if not zone.relativize else tuple(_absolute(r, origin) for r in rdataset)
            record_sets.append(
                RecordSetData(name=absolute, rdtype=rdataset.rdtype, ttl=rdataset.ttl, rdatas=rdatas)
            )
    return ZoneData(
        origin=origin,
        serial=soa[0].serial,
        record_sets=record_sets,
        key=key or origin.to_text(),
        xfr_networks=xfr_networks,
        notify_targets=notify_targets,
    )


def zone_data_from_text(text: str, origin: str | dns.name.Name, *, key: str = "", **kwargs) -> ZoneData:
    """Parse a master file (RFC 1035 §5) into ZoneData; used by tests, bench and the interop check."""
    zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=True)
    return zone_data_from_dns_zone(zone, key=key, **kwargs)


def _absolute(rdata: dns.rdata.Rdata, origin: dns.name.Name) -> dns.rdata.Rdata:
    # A zone parsed with relativize=True holds relative names inside its rdata; the engine
    # keeps only absolute ones so that rendering never depends on an origin.
    text = rdata.to_text(origin=origin, relativize=False)
    return dns.rdata.from_text(rdata.rdclass, rdata.rdtype, text, origin=origin, relativize=False)
