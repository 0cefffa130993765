"""A zone source over plain data, for tests, benchmarks and zone files served as they are."""

import threading

from zones.engine import ZoneData


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
