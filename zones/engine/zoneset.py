"""The zones one role serves: `ZoneSet`, finding the zone for a name, and `is_newer`.

A zone set is immutable: `replace`, `remove` and `update` return a new set sharing the
unchanged snapshots, which the server swaps in whole. Which zone answers where is
delegation.py's.
"""

import ipaddress
from collections.abc import Iterable, Iterator

import dns.name
import dns.serial

from zones.engine.data import IPAddress
from zones.engine.delegation import (
    NO_DELEGATIONS,
    Delegations,
    Registration,
    age,
    delegated_zones,
    zones_by_name_server,
)
from zones.engine.render import name_key
from zones.engine.snapshot import ZoneSnapshot


class ZoneSet:
    """The zones one role serves, found by longest suffix; private zones by source address.

    Which public zone answers where follows `delegations` (delegation.py): on a name
    server's address, the zones whose delegation set names that server; everywhere else
    (the convenience listener), the zone the delegation from the registry reaches, or the
    one first come. Without `delegations` (the registry's zones, zone files) each name is
    answered from its oldest zone. Private zones answer only away from the name servers,
    inside their networks. Immutable: `replace`, `remove`, `update` and `with_registrations`
    return a new set sharing the unchanged snapshots.
    """

    def __init__(
        self, snapshots: Iterable[ZoneSnapshot] = (), *, delegations: Delegations | None = None
    ) -> None:
        self._delegations = delegations
        self.delegations = delegations or NO_DELEGATIONS
        self._by_key: dict[str, ZoneSnapshot] = {}
        self._private: dict[bytes, tuple[ZoneSnapshot, ...]] = {}
        for snapshot in snapshots:
            self._by_key[snapshot.key] = snapshot
        public = []
        for snapshot in self._by_key.values():
            if snapshot.is_private:
                self._private[snapshot.origin_key] = (*self._private.get(snapshot.origin_key, ()), snapshot)
            else:
                public.append(snapshot)
        if delegations is None:
            # Zones that no delegation reaches (the registry's own, zone files served as they
            # are): each name from its oldest zone.
            self._public = {}
            for snapshot in sorted(public, key=age, reverse=True):
                self._public[snapshot.origin_key] = snapshot
        else:
            self._public = delegated_zones(public, self.delegations.registrations)
        self._by_server = zones_by_name_server(public, self.delegations.name_servers)

    def __iter__(self) -> Iterator[ZoneSnapshot]:
        return iter(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, key: str) -> ZoneSnapshot | None:
        return self._by_key.get(key)

    def replace(self, snapshot: ZoneSnapshot) -> "ZoneSet":
        """A new set with `snapshot` in place of the zone with the same key (or added)."""
        return self.update([snapshot])

    def remove(self, key: str) -> "ZoneSet":
        return self.update(removed=[key])

    def update(self, snapshots: Iterable[ZoneSnapshot] = (), removed: Iterable[str] = ()) -> "ZoneSet":
        """A new set with `snapshots` in place of the zones of their keys (or added), without `removed`."""
        by_key = dict(self._by_key)
        for key in removed:
            by_key.pop(key, None)
        for snapshot in snapshots:
            by_key[snapshot.key] = snapshot
        return ZoneSet(by_key.values(), delegations=self._delegations)

    def with_registrations(self, registrations: Iterable[Registration]) -> "ZoneSet":
        """The same zones, chosen anew after the registry's delegations changed."""
        return ZoneSet(self._by_key.values(), delegations=self.delegations.with_registrations(registrations))

    def find(
        self, qname_key: bytes, address: IPAddress | None = None, name_server: str | None = None
    ) -> ZoneSnapshot | None:
        """The zone that serves a lower-case wire name for a client, or None (REFUSED).

        `name_server` is the address of the name server asked; None for the convenience listener.
        """
        if name_server is None:
            private = self._private
            public = self._public
        else:
            private = None
            public = self._by_server.get(name_server, _NONE)
        offset = 0
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

    def find_zone(
        self, qname: dns.name.Name, address: str | IPAddress | None = None, name_server: str | None = None
    ) -> ZoneSnapshot | None:
        if isinstance(address, str):
            address = ipaddress.ip_address(address)
        return self.find(name_key(qname), address, name_server)


_NONE: dict[bytes, ZoneSnapshot] = {}


def is_newer(serial: int, than: int) -> bool:
    """RFC 1982 comparison of SOA serials."""
    return dns.serial.Serial(serial) > dns.serial.Serial(than)
