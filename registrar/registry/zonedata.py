"""The zones the registry publishes: one per TLD (delegations and glue) and the root zone.

`build_tld_zone` and `build_root_zone` read the registry's tables and answer dnspython zones;
the DNS server serves them in its `tld` and `root` roles. Every change to a zone's data bumps
its serial in the same transaction and, after commit, announces `registry <tld> <serial>`
(`registry . <serial>` for the root) on the bus. `RegistryZoneSource` hands them to the
DNS server.
"""

from datetime import datetime

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.NS
import dns.rdtypes.ANY.SOA
import dns.zone
from django.conf import settings
from django.db import transaction
from django.db.models import F

from kernel import bus
from registrar import names
from registrar.registry import clock
from registrar.registry import models as m
from zones.engine import ZoneData, zone_data_from_dns_zone

ROOT = "."
DELEGATION_TTL = 172800  # two days, as the root and most TLDs use for NS and glue
SOA_TTL = 900
# SOA refresh, retry, expire, minimum (RFC 1035 §3.3.13; the minimum is the negative TTL, RFC 2308 §4).
SOA_TIMERS = (1800, 900, 604800, 900)


class RegistryZoneError(Exception):
    """A zone asked for that the registry does not run."""


def bump_serial(zone: str) -> int:
    """Increase a registry zone's serial in the current transaction; announce it after commit."""
    updated = m.ZoneSerial.objects.filter(zone=zone).update(serial=F("serial") + 1)
    if not updated:
        # A zone without a row was published with serial 1 (current_serial), so move past it.
        m.ZoneSerial.objects.get_or_create(zone=zone, defaults={"serial": 2})
    serial = m.ZoneSerial.objects.get(zone=zone).serial
    transaction.on_commit(lambda: bus.publish_registry_change(zone, serial))
    return serial


def current_serial(zone: str) -> int:
    row = m.ZoneSerial.objects.filter(zone=zone).first()
    return row.serial if row else 1


def _absolute(host: str) -> dns.name.Name:
    return dns.name.from_text(host)


def _add(zone: dns.zone.Zone, owner: str | dns.name.Name, ttl: int, rdtype: str, texts: list[str]) -> None:
    name = owner if isinstance(owner, dns.name.Name) else dns.name.from_text(owner)
    rdataset = zone.find_rdataset(name, dns.rdatatype.from_text(rdtype), create=True)
    for text in texts:
        rdataset.add(dns.rdata.from_text(dns.rdataclass.IN, rdataset.rdtype, text), ttl)


def _add_addresses(zone: dns.zone.Zone, host: str, addresses: list[str], ttl: int) -> None:
    v4 = [a for a in addresses if ":" not in a]
    v6 = [a for a in addresses if ":" in a]
    if v4:
        _add(zone, host + ".", ttl, "A", v4)
    if v6:
        _add(zone, host + ".", ttl, "AAAA", v6)


def _soa(zone: dns.zone.Zone, origin: dns.name.Name, primary: str, serial: int) -> None:
    rdata = dns.rdtypes.ANY.SOA.SOA(
        dns.rdataclass.IN,
        dns.rdatatype.SOA,
        _absolute(primary),
        dns.name.from_text(settings.REGISTRY_HOSTMASTER),
        serial,
        *SOA_TIMERS,
    )
    zone.find_rdataset(origin, dns.rdatatype.SOA, create=True).add(rdata, SOA_TTL)


def _ns(zone: dns.zone.Zone, owner: dns.name.Name, hosts: list[str]) -> None:
    rdataset = zone.find_rdataset(owner, dns.rdatatype.NS, create=True)
    for host in hosts:
        rdataset.add(
            dns.rdtypes.ANY.NS.NS(dns.rdataclass.IN, dns.rdatatype.NS, _absolute(host)), DELEGATION_TTL
        )


def build_tld_zone(tld: str, *, now: datetime | None = None) -> dns.zone.Zone:
    """The zone of one TLD: SOA, its NS, and every delegated domain's NS, DS and in-zone glue.

    Domains on clientHold, deleted or expired get no delegation. Raises RegistryZoneError for
    a TLD this registry does not run.
    """
    now = now or clock.now()
    record = m.Tld.objects.filter(name=tld).first()
    if record is None:
        raise RegistryZoneError(f"{tld} is not a TLD of this registry")
    origin = dns.name.from_text(tld)
    zone = dns.zone.Zone(origin, relativize=False)
    servers = [server["name"] for server in record.name_servers]
    _soa(zone, origin, servers[0], current_serial(tld))
    _ns(zone, origin, servers)
    for server in record.name_servers:
        if names.is_subdomain(server["name"], tld):
            _add_addresses(zone, server["name"], server["addresses"], DELEGATION_TTL)
    domains = [
        d
        for d in m.DomainObject.objects.filter(tld=record).prefetch_related("ds_records")
        if d.is_delegated(now)
    ]
    glue_hosts = {host for d in domains for host in d.name_servers if names.is_subdomain(host, tld)}
    addresses = dict(m.Host.objects.filter(name__in=glue_hosts).values_list("name", "addresses"))
    for domain in domains:
        owner = dns.name.from_text(domain.name)
        _ns(zone, owner, domain.name_servers)
        ds = [record.to_text() for record in domain.ds_records.all()]
        if ds:
            _add(zone, owner, DELEGATION_TTL, "DS", ds)
    for host in sorted(glue_hosts):
        if addresses.get(host):
            _add_addresses(zone, host, addresses[host], DELEGATION_TTL)
    return zone


def build_root_zone() -> dns.zone.Zone:
    """The root zone: SOA, the root servers, and NS plus glue for every TLD."""
    origin = dns.name.root
    zone = dns.zone.Zone(origin, relativize=False)
    root_servers = settings.REGISTRY_ROOT_SERVERS
    _soa(zone, origin, root_servers[0], current_serial(ROOT))
    _ns(zone, origin, root_servers)
    for host in root_servers:
        _add_addresses(zone, host, settings.REGISTRY_ROOT_SERVER_ADDRESSES, DELEGATION_TTL)
    for tld in m.Tld.objects.all():
        _ns(zone, dns.name.from_text(tld.name), [server["name"] for server in tld.name_servers])
        for server in tld.name_servers:
            _add_addresses(zone, server["name"], server["addresses"], DELEGATION_TTL)
    return zone


def registry_zone_names() -> list[str]:
    """Every zone the registry publishes: "." and each TLD."""
    return [ROOT, *m.Tld.objects.values_list("name", flat=True)]


def build_zone(name: str) -> dns.zone.Zone:
    """The root zone for ".", else the TLD zone `name`; raises RegistryZoneError for others."""
    return build_root_zone() if name in (ROOT, "") else build_tld_zone(name.strip(".").lower())


class RegistryZoneSource:
    """The DNS server's zones for the `tld` role (every TLD) or the `root` role (the root zone)."""

    def __init__(self, role: str) -> None:
        if role not in ("tld", "root"):
            raise ValueError(f"role: the registry serves tld and root, not {role}")
        self.role = role

    def serials(self) -> dict[str, int]:
        names = [name for name in registry_zone_names() if (name == ROOT) == (self.role == "root")]
        return {bus.registry_zone_key(name): current_serial(name) for name in names}

    def load(self, key: str) -> ZoneData | None:
        name = key.removeprefix(bus.REGISTRY_KEY_PREFIX)
        return zone_data_from_dns_zone(build_zone(name), key=key)


def delegated_hosts(names: list[str]) -> list[str]:
    """The name servers the registry delegates any of `names` (absolute) to, deleted domains aside."""
    stored = [name.rstrip(".").lower() for name in names]
    delegations = m.DomainObject.objects.filter(name__in=stored, deleted_at=None).values_list(
        "name_servers", flat=True
    )
    return [host for hosts in delegations for host in hosts]
