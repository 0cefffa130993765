"""The zones one role serves: `ZoneSet`, finding the zone for a name, and `is_newer`.

A zone set is immutable: `replace` and `remove` return a new set sharing the unchanged
snapshots, which the server swaps in whole.
"""

import ipaddress
from collections.abc import Iterable, Iterator

import dns.name
import dns.serial

from zones.engine.data import IPAddress
from zones.engine.render import name_key
from zones.engine.snapshot import ZoneSnapshot


class ZoneSet:
    """The zones one role serves, found by longest suffix; private zones by source address.

    Immutable: `replace` and `remove` return a new set sharing the unchanged snapshots.
    """

    def __init__(self, snapshots: Iterable[ZoneSnapshot] = ()) -> None:
        self._by_key: dict[str, ZoneSnapshot] = {}
        self._public: dict[bytes, ZoneSnapshot] = {}
        self._private: dict[bytes, tuple[ZoneSnapshot, ...]] = {}
        for snapshot in snapshots:
            self._by_key[snapshot.key] = snapshot
        for snapshot in self._by_key.values():
            if snapshot.is_private:
                self._private[snapshot.origin_key] = (*self._private.get(snapshot.origin_key, ()), snapshot)
            else:
                self._public[snapshot.origin_key] = snapshot

    def __iter__(self) -> Iterator[ZoneSnapshot]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, key: str) -> ZoneSnapshot | None:
        return self._by_key.get(key)

    def replace(self, snapshot: ZoneSnapshot) -> "ZoneSet":
        """A new set with `snapshot` in place of the zone with the same key (or added)."""
        snapshots = dict(self._by_key)
        snapshots[snapshot.key] = snapshot
        return ZoneSet(snapshots.values())

    def remove(self, key: str) -> "ZoneSet":
        return ZoneSet(snapshot for snapshot in self._by_key.values() if snapshot.key != key)

    def find(self, qname_key: bytes, address: IPAddress | None = None) -> ZoneSnapshot | None:
        """The zone that serves a lower-case wire name for a client, or None (REFUSED)."""
        offset = 0
        private = self._private
        public = self._public
        while offset < len(qname_key):
            suffix = qname_key[offset:] if offset else qname_key
            if private and suffix in private and address is not None:
                for snapshot in private[suffix]:
                    if snapshot.is_visible_to(address):
                        return snapshot
            snapshot = public.get(suffix)
            if snapshot is not None:
                return snapshot
            length = qname_key[offset]
            if length == 0:
                return None
            offset += length + 1
        return None

    def find_zone(self, qname: dns.name.Name, address: str | IPAddress | None = None) -> ZoneSnapshot | None:
        if isinstance(address, str):
            address = ipaddress.ip_address(address)
        return self.find(name_key(qname), address)


def is_newer(serial: int, than: int) -> bool:
    """RFC 1982 comparison of SOA serials."""
    return dns.serial.Serial(serial) > dns.serial.Serial(than)
