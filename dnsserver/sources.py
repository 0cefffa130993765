"""Where the DNS server's zones come from, one source per role.

The server does not know the apps: whoever starts it hands it a `ZoneSource` for each role
(`database_sources()` does so for `manage.py dnsserver`: hosted zones for `auth`, the
registry's zones for `tld` and `root`). `MemoryZoneSource` holds plain data, for tests,
benchmarks and zone files served as they are.
"""

import threading
from collections.abc import Mapping
from typing import Protocol

from registrar.registry.zonedata import RegistryZoneSource
from zones.engine import ZoneData
from zones.snapshot import HostedZoneSource


class ZoneSource(Protocol):
    """One role's zones."""

    def serials(self) -> dict[str, int]:
        """Every zone key with its current serial."""
        ...

    def load(self, key: str) -> ZoneData | None:
        """The zone's data now, or None when it no longer exists."""
        ...


class SourcesByRole:
    """The follower's view of the sources: each role's zones from its own source."""

    def __init__(self, sources: Mapping[str, ZoneSource]) -> None:
        self.sources = dict(sources)

    def serials(self, role: str) -> dict[str, int]:
        return self.sources[role].serials()

    def load(self, role: str, key: str) -> ZoneData | None:
        return self.sources[role].load(key)


def database_sources() -> SourcesByRole:
    """Hosted zones for `auth`; the registry's TLD zones for `tld` and its root zone for `root`."""
    return SourcesByRole(
        {"auth": HostedZoneSource(), "tld": RegistryZoneSource("tld"), "root": RegistryZoneSource("root")}
    )


class MemoryZoneSource:
    """Zones held in memory by role and key; `put` and `delete` stand in for database writes."""

    def __init__(self) -> None:
        self._zones: dict[str, dict[str, ZoneData]] = {}
        self._lock = threading.Lock()

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
