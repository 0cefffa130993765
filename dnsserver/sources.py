"""Where the DNS server's zones come from, one source per role, and the registry's delegations.

The server does not know the apps: whoever starts it hands it a `ZoneSource` for each role
(`database_sources()` does so for `manage.py dnsserver`: public hosted zones for `auth`,
private ones for `private`, the registry's zones for `tld` and `root`), the registry's
domains the `auth` role follows (`RegistrationSource`), and the name servers' addresses
(`name_server_pool()`).
`MemoryZoneSource` holds plain data, for tests, benchmarks and zone files served as they are.
"""

import ipaddress
import threading
from collections.abc import Mapping
from typing import Protocol

import dns.name
from django.db import connections
from django.db.models import Count, Max
from django.utils import timezone

from dnsfirewall.rpz import FirewallRpzSource
from registrar.models import Domain
from registrar.registry import models as registry_models
from registrar.registry.zonedata import RegistryZoneSource
from resolver import services as resolver_services
from zones import services as zone_services
from zones.engine import Registration, ZoneData, ZoneDiff
from zones.snapshot import HostedZoneSource


class ZoneSource(Protocol):
    """One role's zones."""

    def serials(self) -> dict[str, int]:
        """Every zone key with its current serial."""
        ...

    def load(self, key: str) -> ZoneData | None:
        """The zone's data now, or None when it no longer exists."""
        ...


class RegistrationSource:
    """The registry's domains, where their TLDs delegate them and which account holds each.

    Read-only over the registry's tables and our registrar's domains. `version` changes when
    a TLD zone's serial does or a domain is added, changed or removed.
    """

    def version(self) -> tuple:
        serials = tuple(
            registry_models.ZoneSerial.objects.exclude(zone=".")
            .order_by("zone")
            .values_list("zone", "serial")
        )
        domains = registry_models.DomainObject.objects.aggregate(count=Count("pk"), last=Max("updated_at"))
        ours = Domain.objects.aggregate(count=Count("pk"), last=Max("pk"))
        return (serials, domains["count"], domains["last"], ours["count"], ours["last"])

    def load(self) -> list[Registration]:
        now = timezone.now()
        owners = dict(Domain.objects.filter(state__in=Domain.MANAGED_STATES).values_list("name", "owner_id"))
        return [
            Registration(
                name=dns.name.from_text(domain.name),
                name_servers=tuple(dns.name.from_text(host) for host in domain.name_servers)
                if domain.is_delegated(now)
                else (),
                owner=str(owners.get(domain.name, "")),
            )
            for domain in registry_models.DomainObject.objects.filter(deleted_at__isnull=True)
        ]


class SourcesByRole:
    """The follower's view of the sources: each role's zones, and the registry's domains."""

    def __init__(
        self, sources: Mapping[str, ZoneSource], registrations: RegistrationSource | None = None
    ) -> None:
        self.sources = dict(sources)
        self.registration_source = registrations

    def serials(self, role: str) -> dict[str, int]:
        return self.sources[role].serials()

    def load(self, role: str, key: str) -> ZoneData | None:
        return self.sources[role].load(key)

    def registrations_version(self) -> object:
        return self.registration_source.version() if self.registration_source is not None else None

    def close_thread(self) -> None:
        connections.close_all()

    def registrations(self) -> list[Registration]:
        return self.registration_source.load() if self.registration_source is not None else []

    def diff(self, role: str, key: str, served_serial: int, change: object = None) -> ZoneDiff | None:
        """The zone's changes since `served_serial`, from a source that keeps them; else None."""
        source = self.sources[role]
        if not isinstance(source, HostedZoneSource):
            return None
        return source.diff(key, served_serial, change)

    def identity(self, role: str, key: str) -> tuple | None:
        """The zone's `created`, from a source that tells it (hosted zones); else None."""
        source = self.sources[role]
        if not isinstance(source, HostedZoneSource):
            return None
        return source.identity(key)


def database_sources() -> SourcesByRole:
    """Public hosted zones for `auth`, private ones for `private`; the registry's zones for `tld`, `root`."""
    return SourcesByRole(
        {
            "auth": HostedZoneSource(),
            "private": HostedZoneSource(private=True),
            "tld": RegistryZoneSource("tld"),
            "root": RegistryZoneSource("root"),
            "rpz": FirewallRpzSource(notify_targets=resolver_services.rpz_notify_targets),
        },
        RegistrationSource(),
    )


def name_server_pool() -> dict[dns.name.Name, str]:
    """Our name servers (host → address, as settings give them): a listener on one's address answers as it."""
    return {
        dns.name.from_text(host): ipaddress.ip_address(address).compressed
        for host, address in zone_services.name_server_pool().items()
    }


class MemoryZoneSource:
    """Zones and registry domains in memory; `put`, `delete` and `register` stand in for database writes."""

    def __init__(self) -> None:
        self._zones: dict[str, dict[str, ZoneData]] = {}
        self._registrations: dict[dns.name.Name, Registration] = {}
        self._lock = threading.Lock()

    def register(self, registration: Registration) -> None:
        with self._lock:
            self._registrations[registration.name] = registration

    def registrations_version(self) -> object:
        with self._lock:
            return tuple(self._registrations.values())

    def registrations(self) -> list[Registration]:
        with self._lock:
            return list(self._registrations.values())

    def put(self, role: str, data: ZoneData) -> None:
        with self._lock:
            self._zones.setdefault(role, {})[data.key] = data

    def delete(self, role: str, key: str) -> None:
        with self._lock:
            self._zones.get(role, {}).pop(key, None)

    def serials(self, role: str) -> dict[str, int]:
        with self._lock:
            return {key: data.serial for key, data in self._zones.get(role, {}).items()}

    def load(self, role: str, key: str) -> ZoneData | None:
        with self._lock:
            return self._zones.get(role, {}).get(key)

    def diff(self, role: str, key: str, served_serial: int, change: object = None) -> ZoneDiff | None:
        """No history is kept here: every change loads the zone whole."""
        return None

    def identity(self, role: str, key: str) -> tuple | None:
        with self._lock:
            data = self._zones.get(role, {}).get(key)
        return data.created if data is not None else None

    def close_thread(self) -> None:
        """Nothing is held."""
