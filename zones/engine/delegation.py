"""Which public zone answers a name, and where: on each name server, and on the convenience listener.

Route 53 lets several zones share a name and keeps them apart by delegation; so do we
(docs/dns-server.md, "Which zone answers"):

- A name server answers the public zones whose delegation set names it, and no others
  (`zones_by_name_server`). Two zones of one name, or of a name and a name below it, never
  share a name server (the zones service refuses it), so on one name server each name
  belongs to at most one zone.
- The convenience listener (where a developer points `dig` by hand) answers as the Internet
  reaches a zone (`delegated_zones`): from the registry's delegation of the registered
  domain to the zone whose delegation set those name servers are, and from a zone's NS
  records down to the child zone they name. A zone nobody delegates to is served there
  only when the zone or registered domain above it belongs to its own account (or nothing
  is above it) and no older zone of its name qualifies: first come, first served, and
  never a newer zone over an older one.

Names are compared by their name keys (render.name_key), as the zone set looks them up.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import dns.name

from zones.engine.render import name_key
from zones.engine.snapshot import ZoneSnapshot


@dataclass(frozen=True)
class Registration:
    """A domain held at the registry: its name, where its TLD delegates it, and who holds it.

    `name_servers` is empty while the TLD does not delegate the domain (on hold, expired);
    `owner` is the account holding it through our registrar, "" for anyone else.
    """

    name: dns.name.Name
    name_servers: tuple[dns.name.Name, ...] = ()
    owner: str = ""


@dataclass(frozen=True)
class Delegations:
    """What zone selection follows, keyed by name key: our name servers' addresses and the registry's domains.

    Build it with `Delegations.build`; `with_registrations` gives a copy with new registry data.
    """

    name_servers: Mapping[bytes, str]
    registrations: Mapping[bytes, Registration]

    @classmethod
    def build(
        cls,
        name_servers: Mapping[dns.name.Name, str] | None = None,
        registrations: Iterable[Registration] = (),
    ) -> "Delegations":
        """From host names → address texts and the registry's domains."""
        return cls(
            {name_key(host): address for host, address in (name_servers or {}).items()},
            _by_key(registrations),
        )

    def with_registrations(self, registrations: Iterable[Registration]) -> "Delegations":
        return Delegations(self.name_servers, _by_key(registrations))

    @property
    def addresses(self) -> frozenset[str]:
        """The addresses of our name servers: a listener on one answers as that name server."""
        return frozenset(self.name_servers.values())


NO_DELEGATIONS = Delegations({}, {})


def _by_key(registrations: Iterable[Registration]) -> dict[bytes, Registration]:
    return {name_key(registration.name): registration for registration in registrations}


def age(zone: ZoneSnapshot) -> tuple:
    """The sort key that puts older zones first."""
    return (zone.created, zone.key)


def ancestors(key: bytes) -> Iterator[bytes]:
    """The name keys above a name key, nearest first, the root last."""
    offset = key[0] + 1 if key[0] else len(key)
    while offset < len(key):
        yield key[offset:]
        offset += key[offset] + 1


def zones_by_name_server(
    zones: Iterable[ZoneSnapshot], name_servers: Mapping[bytes, str]
) -> dict[str, dict[bytes, ZoneSnapshot]]:
    """Each name-server address → the public zones, by origin key, whose delegation set names a host there.

    Every address of `name_servers` is present, with no zones if none names it. Should two
    zones of one name meet on one address (rows older than the rule), the older keeps it.
    """
    views: dict[str, dict[bytes, ZoneSnapshot]] = {address: {} for address in name_servers.values()}
    for zone in sorted(zones, key=age):
        for host in zone.name_servers:
            address = name_servers.get(host)
            if address is not None:
                views[address].setdefault(zone.origin_key, zone)
    return views


def delegated_zones(
    zones: Iterable[ZoneSnapshot], registrations: Mapping[bytes, Registration]
) -> dict[bytes, ZoneSnapshot]:
    """The public zone the convenience listener answers each name from, by origin key (module docstring).

    Names are settled from the top down, so a zone's delegation is read from the zone
    chosen above it.
    """
    by_origin: dict[bytes, list[ZoneSnapshot]] = {}
    for zone in sorted(zones, key=age):
        by_origin.setdefault(zone.origin_key, []).append(zone)
    chosen: dict[bytes, ZoneSnapshot] = {}
    # A name's key is longer than the keys of the names above it.
    for origin in sorted(by_origin, key=len):
        zone = _choose(origin, by_origin[origin], chosen, registrations)
        if zone is not None:
            chosen[origin] = zone
    return chosen


def _choose(
    origin: bytes,
    candidates: list[ZoneSnapshot],
    chosen: Mapping[bytes, ZoneSnapshot],
    registrations: Mapping[bytes, Registration],
) -> ZoneSnapshot | None:
    """The zone of `origin` the Internet would reach, or the one first come; None for neither."""
    parent = next((chosen[key] for key in ancestors(origin) if key in chosen), None)
    registered = origin if origin in registrations else None
    if registered is None:
        registered = next((key for key in ancestors(origin) if key in registrations), None)
    # Whoever is closest above the name delegates it: the zone chosen above, or the
    # registry for the registered domain (a zone of the registered domain itself is closer).
    if parent is not None and (registered is None or len(parent.origin_key) >= len(registered)):
        cut = _highest_cut(parent, origin)
        if cut is not None:
            # Under a delegation: only the zone it names, and only at the delegation point.
            return _delegated_to(candidates, parent.cut_name_servers(cut)) if cut == origin else None
        holder = parent.owner
    elif registered is not None:
        registration = registrations[registered]
        if registered == origin:
            zone = _delegated_to(candidates, frozenset(name_key(host) for host in registration.name_servers))
            if zone is not None:
                return zone
        holder = registration.owner
    else:
        return candidates[0]
    return next((zone for zone in candidates if zone.owner == holder), None)


def _highest_cut(zone: ZoneSnapshot, key: bytes) -> bytes | None:
    """The delegation point of `zone` nearest its apex at or above the name `key`, if any."""
    found = None
    apex_length = len(zone.origin_key)
    while len(key) > apex_length:
        if key in zone.referrals:
            found = key
        key = key[key[0] + 1 :]
    return found


def _delegated_to(candidates: list[ZoneSnapshot], hosts: frozenset[bytes]) -> ZoneSnapshot | None:
    """The zone whose delegation set holds most of `hosts` (the older on a tie), or None."""
    best, best_count = None, 0
    for zone in candidates:
        count = len(zone.name_servers & hosts)
        if count > best_count:
            best, best_count = zone, count
    return best
