"""The zones one role serves: `ZoneSet`, finding the zone for a name, and `is_newer`.

A zone set is immutable: `replace`, `remove` and `update` return a new set sharing the
unchanged snapshots, which the server swaps in whole. Which public zone answers where is
delegation.py's; a private zone answers only on its networks' private-listener addresses.
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
    """The zones one role serves, found by longest suffix; private zones by the address asked.

    Which public zone answers where follows `delegations` (delegation.py): on a name
    server's address, the zones whose delegation set names that server; everywhere else
    (the convenience listener), the zone the delegation from the registry reaches, or the
    one first come. Without `delegations` (the registry's zones, zone files) each name is
    answered from its oldest zone. A private zone answers only where the listener asked is on
    one of its `private_addresses` (the private listener's socket of a network it is
    associated with), to any source; a public listener never answers it. Immutable:
    `replace`, `remove`, `update` and `with_registrations` return a new set sharing the
    unchanged snapshots.
    """

    def __init__(
        self, snapshots: Iterable[ZoneSnapshot] = (), *, delegations: Delegations | None = None
    ) -> None:
        self._delegations = delegations
        self.delegations = delegations or NO_DELEGATIONS
        self._by_key: dict[str, ZoneSnapshot] = {}
        for snapshot in snapshots:
            self._by_key[snapshot.key] = snapshot
        public = [snapshot for snapshot in self._by_key.values() if not snapshot.is_private]
        self._private = _private_by_address(
            snapshot for snapshot in self._by_key.values() if snapshot.is_private
        )
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
        """A new set with `snapshot` in place of the zone with the same key (or added).

        When the new version is delegated as the old one was (same name servers, owner, age,
        private addresses, delegation points and their NS hosts), which zone answers where is
        unchanged: the new set only points at the new version, and the other zones' indexes
        are not built again.
        """
        old = self._by_key.get(snapshot.key)
        if old is None or not _is_delegated_alike(old, snapshot):
            return self.update([snapshot])
        copy = ZoneSet.__new__(ZoneSet)
        copy.__dict__.update(self.__dict__)
        copy._by_key = {**self._by_key, snapshot.key: snapshot}
        copy._public = _swapped(self._public, snapshot.origin_key, old, snapshot)
        copy._private = {
            address: _swapped(zones, snapshot.origin_key, old, snapshot)
            if address in old.private_addresses
            else zones
            for address, zones in self._private.items()
        }
        copy._by_server = {
            address: _swapped(zones, snapshot.origin_key, old, snapshot)
            for address, zones in self._by_server.items()
        }
        return copy

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
        """The zone that serves a lower-case wire name, or None (REFUSED).

        `name_server` is the address of the listener asked: one of our name servers, or a
        network's private-listener address; None for the convenience listener. The client's
        `address` does not choose the zone (every client is answered alike).
        """
        if name_server is None:
            zones = self._public
        else:
            zones = self._private.get(name_server) or self._by_server.get(name_server, _NONE)
        offset = 0
        while offset < len(qname_key):
            suffix = qname_key[offset:] if offset else qname_key
            snapshot = zones.get(suffix)
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


def _is_delegated_alike(old: ZoneSnapshot, new: ZoneSnapshot) -> bool:
    """Whether zone selection (delegation.py) reads the same facts from both versions."""
    return (
        old.origin_key == new.origin_key
        and old.name_servers == new.name_servers
        and old.owner == new.owner
        and old.created == new.created
        and old.private_addresses == new.private_addresses
        and old.referrals.keys() == new.referrals.keys()
        and all(old.cut_name_servers(cut) == new.cut_name_servers(cut) for cut in old.referrals)
    )


def _swapped(
    zones: dict[bytes, ZoneSnapshot], origin_key: bytes, old: ZoneSnapshot, new: ZoneSnapshot
) -> dict[bytes, ZoneSnapshot]:
    """`zones` with `new` where it held `old` (the same dictionary when it did not)."""
    if zones.get(origin_key) is not old:
        return zones
    return {**zones, origin_key: new}


def _private_by_address(zones: Iterable[ZoneSnapshot]) -> dict[str, dict[bytes, ZoneSnapshot]]:
    """Each private-listener address → the private zones, by origin key, associated with its network.

    Two zones of one name on one network (Route 53 refuses them) leave the older answering.
    """
    by_address: dict[str, dict[bytes, ZoneSnapshot]] = {}
    for zone in sorted(zones, key=age):
        for address in zone.private_addresses:
            by_address.setdefault(address, {}).setdefault(zone.origin_key, zone)
    return by_address


def is_newer(serial: int, than: int) -> bool:
    """RFC 1982 comparison of SOA serials."""
    return dns.serial.Serial(serial) > dns.serial.Serial(than)
