"""A new version of a compiled zone from a change: copy-on-write of what the change reaches.

`update_zone(zone, data, names)` takes the snapshot served now, the zone's data now for the
changed names only (every record set each of them holds; none for a name emptied) and
those names, and returns the snapshot a from-scratch `compile_zone` of the whole zone
would give, byte for byte (zones/tests/test_incremental_property.py holds it to that),
without recompiling the zone. The new snapshot shares every untouched node, template,
RRset and group object with the old one, and every shard of its tables (shards.py) that
the change does not write: a change copies a few shards of about a thousand entries each,
whatever the size of the zone.

What is made again:
- every answer at a changed name, and the node facts of the names whose facts changed: the
  changed names, the empty non-terminals that appear or go with them (`child_counts`), and
  the names below a delegation point that appears or goes (`below_cut`);
- every answer that read one of those names beyond its own (`dependents`): CNAME chains
  into them, MX/SRV/NS additional addresses, referrals and their glue, wildcards and the
  enclosers a missing target was looked up through;
- the apex SOA answer, and the negative SOA at the end of every template that carries it
  (`soa_keys`), re-stamped with the new serial (made again when more than the serial changed).
"""

import dataclasses
import struct
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass

import dns.name
import dns.rdatatype
import dns.rrset

from zones.engine.compiler import CHAIN_TYPES, Dependencies, precompute, referral
from zones.engine.data import RecordSetData, ZoneData
from zones.engine.errors import CompileError
from zones.engine.index import ZoneIndex, type_bytes
from zones.engine.nodes import NodeInfo
from zones.engine.render import name_key, render_tail
from zones.engine.snapshot import ZoneSnapshot

_SOA = dns.rdatatype.SOA
_NS = dns.rdatatype.NS
_DS = dns.rdatatype.DS
_CNAME = dns.rdatatype.CNAME
_CHAIN_TYPES = frozenset(CHAIN_TYPES)
_SOA_NUMBERS = struct.Struct("!IIIII")
_WILDCARD_LABEL = b"\x01*"


@dataclass(frozen=True)
class ZoneDiff:
    """A change as a DNS server receives it: the zone's data at `names` now (see update_zone)."""

    data: ZoneData
    names: tuple[dns.name.Name, ...]


class _NewVersion:
    """What recomputed answers read: the new nodes and groups, the changed sets, else the old version."""

    def __init__(
        self, old: ZoneSnapshot, names: MutableMapping, groups: MutableMapping, fresh: dict, negative_soa
    ) -> None:
        self.origin = old.origin
        self.old = old
        self.names = names
        self.groups = groups
        self.fresh = fresh
        self.negative_soa = negative_soa

    def get_node(self, name: dns.name.Name) -> NodeInfo | None:
        return self.names.get(name_key(name))

    def get_rrset(self, name: dns.name.Name, rdtype: int) -> dns.rrset.RRset | None:
        set_key = name_key(name) + type_bytes(rdtype)
        if set_key in self.fresh:
            return self.fresh[set_key]
        return self.old.get_rrset(name, rdtype)

    def get_group(self, name: dns.name.Name, rdtype: int) -> tuple[RecordSetData, ...] | None:
        return self.groups.get(name_key(name) + type_bytes(rdtype))


def update_zone(zone: ZoneSnapshot, data: ZoneData, names: Iterable[dns.name.Name]) -> ZoneSnapshot:
    """The zone after a change to `names`: `data` holds every record set at those names now.

    `data` also gives the serial and the zone's attributes (private addresses, name servers,
    transfer networks, owner). Raises CompileError as `compile_zone` would (a name outside
    the zone, mixed routing policies, no SOA), and for a record set at a name not in `names`.
    """
    if data.origin != zone.origin:
        raise CompileError(f"zone {zone.origin}: an update for {data.origin}")
    origin = zone.origin
    origin_key = zone.origin_key
    changed = {name_key(name): name for name in names}
    index = ZoneIndex.of_record_sets(origin, data.record_sets)
    for key, present in index.types.items():
        if present and key not in changed:
            raise CompileError(f"name: {dns.name.from_wire(key, 0)[0]} holds data but is not a changed name")

    # Every table is edited copy-on-write by shard (shards.py): the new version copies the
    # shards this change writes and shares the rest. A change that keeps every node's facts
    # (new data for the types a name had) writes no shard of `names` or `child_counts`.
    is_same_shape = _keeps_node_facts(zone, index, changed)
    names_map = zone.names.edit()
    answers = zone.answers.edit()
    rrsets = zone.rrsets.edit()
    groups = zone.groups.edit()
    referrals = zone.referrals.edit()
    child_counts = zone.child_counts.edit()
    depends_on = zone.depends_on.edit()
    dependents = zone.dependents.edit()
    soa_keys = set(zone.soa_keys)

    # The record sets at the changed names: the old ones out, the new ones in.
    fresh: dict[bytes, dns.rrset.RRset | None] = {}
    record_count = zone.record_count
    for key, name in changed.items():
        old_info = zone.names.get(key)
        if old_info is None:
            continue
        for rdtype in old_info.types:
            set_key = key + type_bytes(rdtype)
            if rdtype in old_info.dynamic:
                record_count -= len(groups.pop(set_key, ()))
            else:
                old_rrset = zone.get_rrset(name, rdtype)
                record_count -= len(old_rrset) if old_rrset is not None else 0
                fresh[set_key] = None
    for set_key, static in index.sets.items():
        fresh[set_key] = static.get_rrset()
        record_count += len(static)
    for set_key, group in index.groups.items():
        groups[set_key] = tuple(group)
        record_count += len(group)

    soa, negative_soa = _soa(zone, index, data.serial, origin_key in changed)
    fresh[origin_key + type_bytes(_SOA)] = soa

    created: set[bytes] = set()
    removed: set[bytes] = set()
    if not is_same_shape:
        created, removed = _restructure(zone, index, changed, names_map, child_counts)
    structural = {
        key for key in (changed.keys() | created | removed) if zone.names.get(key) != names_map.get(key)
    }
    flipped = [
        key for key in changed.keys() | removed if _is_cut(zone.names.get(key)) != _is_cut(names_map.get(key))
    ]
    if flipped:
        structural |= _refresh_below_cut(names_map, flipped, origin_key)

    owners = set(changed) | structural | {origin_key}
    for key in set(changed) | structural:
        owners |= dependents.get(key, frozenset())
    old_numbers = zone.soa[0].replace(serial=0)
    new_numbers = soa[0].replace(serial=0)
    if old_numbers != new_numbers or zone.negative_soa.ttl != negative_soa.ttl:
        owners |= {set_key[:-2] for set_key in soa_keys}

    store = _NewVersion(zone, names_map, groups, fresh, negative_soa)
    for owner in owners:
        _drop(zone, owner, answers, rrsets, referrals, soa_keys, depends_on, dependents)
    for owner in owners:
        _make(store, owner, changed.get(owner), answers, rrsets, referrals, soa_keys, depends_on, dependents)

    old_block = _numbers(zone.soa[0])
    new_block = _numbers(soa[0])
    for set_key in soa_keys:
        if set_key[:-2] in owners:
            continue
        template = answers[set_key]
        if template.endswith(old_block):
            answers[set_key] = template[: -len(old_block)] + new_block
        else:
            raise CompileError(f"zone {origin}: a template of {set_key!r} does not end with its SOA")

    has_wildcards = zone.has_wildcards
    if any(key.startswith(_WILDCARD_LABEL) for key in changed.keys() | created | removed):
        has_wildcards = any(key.startswith(_WILDCARD_LABEL) for key in names_map if key != origin_key)
    _, negative_tail = render_tail(([negative_soa],))
    return dataclasses.replace(
        zone,
        serial=data.serial,
        key=data.key or zone.key,
        private_addresses=frozenset(data.private_addresses),
        xfr_networks=tuple(data.xfr_networks),
        notify_targets=tuple(data.notify_targets),
        soa=soa,
        negative_soa=negative_soa,
        names=names_map.freeze(),
        answers=answers.freeze(),
        rrsets=rrsets.freeze(),
        groups=groups.freeze(),
        referrals=referrals.freeze(),
        negative_tail=negative_tail,
        has_wildcards=has_wildcards,
        record_count=record_count,
        name_servers=frozenset(name_key(host) for host in data.name_servers),
        owner=data.owner,
        created=data.created,
        dependents=dependents.freeze(),
        depends_on=depends_on.freeze(),
        child_counts=child_counts.freeze(),
        soa_keys=frozenset(soa_keys),
    )


def _soa(zone: ZoneSnapshot, index: ZoneIndex, serial: int, is_apex_changed: bool):
    """The SOA and negative SOA of the new version, as ZoneIndex makes them (RFC 2308 §3)."""
    if is_apex_changed:
        static = index.sets.get(index.origin_key + type_bytes(_SOA))
        if static is None:
            raise CompileError(f"zone {zone.origin}: no SOA record set at the apex")
        soa = static.get_rrset()
    else:
        soa = zone.soa
    rdata = soa[0].replace(serial=serial)
    soa = dns.rrset.from_rdata(zone.origin, soa.ttl, rdata)
    return soa, dns.rrset.from_rdata(zone.origin, min(soa.ttl, rdata.minimum), rdata)


def _numbers(rdata) -> bytes:
    """The end of an SOA's wire form: serial, refresh, retry, expire, minimum."""
    return _SOA_NUMBERS.pack(rdata.serial, rdata.refresh, rdata.retry, rdata.expire, rdata.minimum)


def _keeps_node_facts(zone: ZoneSnapshot, index: ZoneIndex, changed: dict) -> bool:
    """Whether every changed name keeps its node's facts (the same types, or no node before and after)."""
    for key in changed:
        info = zone.names.get(key)
        types = index.types.get(key, ())
        if info is None:
            if types or key == zone.origin_key:
                return False
        elif info.types != frozenset(types) or info.dynamic != frozenset(index.dynamic.get(key, ())):
            return False
    return True


def _is_cut(info: NodeInfo | None) -> bool:
    return info is not None and info.is_cut


def _parent(key: bytes) -> bytes:
    return key[key[0] + 1 :]


def _restructure(
    zone: ZoneSnapshot, index: ZoneIndex, changed: dict, names: MutableMapping, child_counts: MutableMapping
) -> tuple[set[bytes], set[bytes]]:
    """Give the changed names their new node facts; add and remove names and empty non-terminals.

    Returns the keys created and removed.
    """
    origin_key = zone.origin_key
    created: set[bytes] = set()
    removed: set[bytes] = set()
    has_data = {key for key in changed if index.types.get(key) or key == origin_key}
    for key in has_data:
        if key in names:
            continue
        created.add(key)
        names[key] = None
        while key != origin_key:
            parent = _parent(key)
            child_counts[parent] = child_counts.get(parent, 0) + 1
            if parent in names:
                break
            created.add(parent)
            names[parent] = None
            key = parent
    # Deepest first, so that a parent is judged after its children have gone.
    for key in sorted(changed.keys() - has_data, key=_depth, reverse=True):
        if key not in names or child_counts.get(key, 0):
            continue
        while key != origin_key and key not in has_data and not child_counts.get(key, 0):
            info = names.get(key)
            if key not in changed and info is not None and info.types:
                break
            del names[key]
            removed.add(key)
            parent = _parent(key)
            child_counts[parent] -= 1
            if not child_counts[parent]:
                del child_counts[parent]
            key = parent
    for key in (changed.keys() | created) - removed:
        if key not in names:
            continue
        types = frozenset(index.types.get(key, ())) if key in changed else frozenset()
        dynamic = frozenset(index.dynamic.get(key, ())) if key in changed else frozenset()
        names[key] = NodeInfo(types, dynamic, _NS in types and key != origin_key, False)
    for key in (changed.keys() | created) - removed:
        info = names.get(key)
        if info is not None and _below_cut(names, key, origin_key) != info.below_cut:
            names[key] = dataclasses.replace(info, below_cut=not info.below_cut)
    return created, removed


def _depth(key: bytes) -> int:
    depth, offset = 0, 0
    while key[offset]:
        offset += key[offset] + 1
        depth += 1
    return depth


def _below_cut(names: MutableMapping, key: bytes, origin_key: bytes) -> bool:
    """Whether a delegation point lies strictly between the apex and the name (as ZoneIndex judges)."""
    if key == origin_key:
        return False
    offset = key[0] + 1
    while len(key) - offset > len(origin_key):
        info = names.get(key[offset:])
        if info is not None and info.is_cut:
            return True
        offset += key[offset] + 1
    return False


def _is_below(key: bytes, ancestor: bytes) -> bool:
    if len(key) <= len(ancestor) or not key.endswith(ancestor):
        return False
    offset, end = 0, len(key) - len(ancestor)
    while offset < end:
        offset += key[offset] + 1
    return offset == end


def _refresh_below_cut(names: MutableMapping, flipped: list[bytes], origin_key: bytes) -> set[bytes]:
    """Give names below a delegation point that came or went their `below_cut`; the keys that changed."""
    refreshed = set()
    for key, info in list(names.items()):
        if info is None or not any(_is_below(key, cut) for cut in flipped):
            continue
        below = _below_cut(names, key, origin_key)
        if below != info.below_cut:
            names[key] = dataclasses.replace(info, below_cut=below)
            refreshed.add(key)
    return refreshed


def _drop(
    zone: ZoneSnapshot,
    owner: bytes,
    answers: MutableMapping,
    rrsets: MutableMapping,
    referrals: MutableMapping,
    soa_keys: set,
    depends_on: MutableMapping,
    dependents: MutableMapping,
) -> None:
    """Remove everything the old version keeps at `owner` (answers, sets, referral, dependencies)."""
    old_info = zone.names.get(owner)
    if old_info is not None:
        static = old_info.types - old_info.dynamic
        for rdtype in static | (_CHAIN_TYPES if _CNAME in static else frozenset()):
            set_key = owner + type_bytes(rdtype)
            answers.pop(set_key, None)
            rrsets.pop(set_key, None)
            soa_keys.discard(set_key)
    referrals.pop(owner, None)
    for key in depends_on.pop(owner, ()):
        remaining = dependents[key] - {owner}
        if remaining:
            dependents[key] = remaining
        else:
            del dependents[key]


def _make(
    store: _NewVersion,
    owner: bytes,
    name: dns.name.Name | None,
    answers: MutableMapping,
    rrsets: MutableMapping,
    referrals: MutableMapping,
    soa_keys: set,
    depends_on: MutableMapping,
    dependents: MutableMapping,
) -> None:
    """Everything the new version keeps at `owner`, made as compile_zone makes it."""
    info = store.names.get(owner)
    if info is None:
        return
    if name is None:
        name = dns.name.from_wire(owner, 0)[0]
    found = Dependencies()
    found.soa_keys = soa_keys
    static = info.types - info.dynamic
    is_delegated = info.is_cut or info.below_cut
    for rdtype in sorted(static):
        set_key = owner + type_bytes(rdtype)
        if is_delegated and not (info.is_cut and not info.below_cut and rdtype == _DS):
            rrsets[set_key] = store.get_rrset(name, rdtype)
        else:
            precompute(store, name, set_key, rdtype, answers, found)
    if _CNAME in static and not is_delegated:
        for rdtype in CHAIN_TYPES:
            if rdtype not in static:
                precompute(store, name, owner + type_bytes(rdtype), rdtype, answers, found)
    if info.is_cut:
        referrals[owner] = referral(store, name)
        ns = store.get_rrset(name, _NS)
        if ns is not None:
            found.add(owner, found.targets(store.origin, ns))
    keys = found.depends_on.get(owner)
    if keys:
        depends_on[owner] = frozenset(keys)
        for key in keys:
            dependents[key] = dependents.get(key, frozenset()) | {owner}
