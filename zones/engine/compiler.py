"""Compiling ZoneData into an immutable ZoneSnapshot, and the set of zones one role serves.

`compile_zone` indexes the record sets with full dnspython objects, runs the resolver once
for every (name, type) whose answer cannot change between queries (simple data, CNAME
chains to A/AAAA, DS at delegations) and keeps only the rendered template of each: the
snapshot is a few dictionaries of bytes, which keeps a million-record zone small. Data that
has no template of its own (delegation NS sets, glue, routing-policy groups) is kept as
objects. The resolver later reads a snapshot through the same `ZoneStore` protocol it used
while compiling, parsing a template back when it needs a static set.

Snapshots and zone sets are never changed after construction; a change compiles a new
snapshot and `ZoneSet.replace` returns a new set, which the server swaps in whole.
"""

import dataclasses
import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.serial

from zones.engine.data import IPAddress, Network, RecordSetData, RoutingPolicy, ZoneData, make_rdata
from zones.engine.geo import EngineConfig
from zones.engine.nodes import NodeInfo
from zones.engine.policies import QueryContext
from zones.engine.render import AA, QR, head, name_key, render, render_tail
from zones.engine.resolver import Resolution, refer, resolve

CHAIN_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)
_STATIC_CONFIG = EngineConfig()


class EngineError(Exception):
    """Base of the engine's exceptions."""


class CompileError(EngineError):
    """The zone data cannot be compiled (no SOA, a name outside the zone, mixed policies)."""


class _Index:
    """The compile-time store: every record set as dnspython objects."""

    def __init__(self, data: ZoneData) -> None:
        self.origin = data.origin
        self.static: dict[dns.name.Name, dict[int, dns.rrset.RRset]] = {}
        self.groups: dict[tuple[dns.name.Name, int], list[RecordSetData]] = {}
        for record in data.record_sets:
            self._add(record, data)
        soa = self.static.get(self.origin, {}).get(dns.rdatatype.SOA)
        if soa is None:
            raise CompileError(f"zone {self.origin}: no SOA record set at the apex")
        rdata = soa[0].replace(serial=data.serial)
        soa = dns.rrset.from_rdata(self.origin, soa.ttl, rdata)
        self.static[self.origin][dns.rdatatype.SOA] = soa
        # RFC 2308 §3: a negative answer's SOA carries min(SOA TTL, SOA minimum).
        self.negative_soa = dns.rrset.from_rdata(self.origin, min(soa.ttl, rdata.minimum), rdata)
        self.nodes = self._build_nodes()

    def _add(self, record: RecordSetData, data: ZoneData) -> None:
        name = record.name
        if not name.is_subdomain(self.origin):
            raise CompileError(f"name: {name} is not inside the zone {self.origin}")
        if record.policy is RoutingPolicy.SIMPLE and record.alias is None:
            rdatas = [make_rdata(record.rdtype, value, self.origin) for value in record.rdatas]
            if not rdatas:
                return
            by_type = self.static.setdefault(name, {})
            rrset = by_type.get(record.rdtype)
            if rrset is None:
                by_type[record.rdtype] = dns.rrset.from_rdata_list(name, record.ttl, rdatas)
            else:
                rrset.update(dns.rrset.from_rdata_list(name, record.ttl, rdatas))
            return
        rdatas = tuple(make_rdata(record.rdtype, value, self.origin) for value in record.rdatas)
        group = self.groups.setdefault((name, record.rdtype), [])
        if group and group[0].policy is not record.policy:
            raise CompileError(
                f"routing_policy: {name} {dns.rdatatype.to_text(record.rdtype)} mixes "
                f"{group[0].policy.value} and {record.policy.value} record sets"
            )
        group.append(dataclasses.replace(record, rdatas=rdatas))

    def _build_nodes(self) -> dict[dns.name.Name, NodeInfo]:
        types: dict[dns.name.Name, set[int]] = {}
        dynamic: dict[dns.name.Name, set[int]] = {}
        for name, by_type in self.static.items():
            types.setdefault(name, set()).update(by_type)
        for name, rdtype in self.groups:
            if rdtype in self.static.get(name, {}):
                text = dns.rdatatype.to_text(rdtype)
                raise CompileError(f"routing_policy: {name} {text} mixes simple and routed record sets")
            types.setdefault(name, set()).add(rdtype)
            dynamic.setdefault(name, set()).add(rdtype)
        for name in list(types):
            parent = name
            while parent != self.origin:
                parent = parent.parent()
                types.setdefault(parent, set())
        cuts = {
            name for name, present in types.items() if dns.rdatatype.NS in present and name != self.origin
        }
        self.cuts = cuts
        interned: dict[NodeInfo, NodeInfo] = {}
        nodes = {}
        for name, present in types.items():
            below = any(name.split(depth)[1] in cuts for depth in range(len(self.origin) + 1, len(name)))
            info = NodeInfo(frozenset(present), frozenset(dynamic.get(name, ())), name in cuts, below)
            nodes[name] = interned.setdefault(info, info)
        return nodes

    def get_node(self, name: dns.name.Name) -> NodeInfo | None:
        return self.nodes.get(name)

    def get_rrset(self, name: dns.name.Name, rdtype: int) -> dns.rrset.RRset | None:
        return self.static.get(name, {}).get(rdtype)

    def get_group(self, name: dns.name.Name, rdtype: int) -> tuple[RecordSetData, ...] | None:
        group = self.groups.get((name, rdtype))
        return tuple(group) if group else None


@dataclass(frozen=True, eq=False)
class ZoneSnapshot:
    """One compiled zone: immutable, shared by every query until a newer one replaces it.

    `answers` maps name key + type (2 bytes, big-endian) to a response template (see
    render.py); `names` maps name keys to shared NodeInfo; `referrals` maps delegation
    points to (counts, tail); `negative_tail` is the SOA authority of NXDOMAIN/NODATA.
    """

    origin: dns.name.Name
    origin_key: bytes
    serial: int
    key: str
    networks: tuple[Network, ...]
    xfr_networks: tuple[Network, ...]
    notify_targets: tuple[str, ...]
    soa: dns.rrset.RRset
    negative_soa: dns.rrset.RRset
    names: dict[bytes, NodeInfo]
    answers: dict[bytes, bytes]
    rrsets: dict[bytes, dns.rrset.RRset]
    groups: dict[bytes, tuple[RecordSetData, ...]]
    referrals: dict[bytes, tuple[bytes, bytes]]
    negative_tail: bytes
    has_wildcards: bool
    record_count: int

    @property
    def is_private(self) -> bool:
        return bool(self.networks)

    def get_node(self, name: dns.name.Name) -> NodeInfo | None:
        return self.names.get(name_key(name))

    def get_rrset(self, name: dns.name.Name, rdtype: int) -> dns.rrset.RRset | None:
        key = name_key(name) + rdtype.to_bytes(2, "big")
        rrset = self.rrsets.get(key)
        if rrset is not None:
            return rrset
        template = self.answers.get(key)
        if template is None:
            return None
        message = dns.message.from_wire(template)
        for candidate in message.answer:
            if candidate.rdtype == rdtype and candidate.name == name:
                return candidate
        return None

    def get_group(self, name: dns.name.Name, rdtype: int) -> tuple[RecordSetData, ...] | None:
        return self.groups.get(name_key(name) + rdtype.to_bytes(2, "big"))

    def allows_transfer(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in self.xfr_networks)

    def is_visible_to(self, address: IPAddress | None) -> bool:
        """Public zones are visible to all; private ones only inside their networks."""
        if not self.networks:
            return True
        if address is None:
            return False
        return any(address.version == net.version and address in net for net in self.networks)

    def iter_rrsets(self) -> Iterator[dns.rrset.RRset]:
        """Every static RRset of the zone, SOA first (for AXFR and zone-file export)."""
        yield self.soa
        for key, info in self.names.items():
            name = dns.name.from_wire(key, 0)[0]
            for rdtype in sorted(info.types - info.dynamic):
                if rdtype == dns.rdatatype.SOA and key == self.origin_key:
                    continue
                rrset = self.get_rrset(name, rdtype)
                if rrset is not None:
                    yield rrset


def compile_zone(data: ZoneData) -> ZoneSnapshot:
    """Compile one zone's data into a snapshot with precomputed wire answers.

    Raises CompileError when the data has no SOA at the apex, a name outside the zone, or
    a (name, type) that mixes routing policies.
    """
    index = _Index(data)
    names: dict[bytes, NodeInfo] = {}
    answers: dict[bytes, bytes] = {}
    rrsets: dict[bytes, dns.rrset.RRset] = {}
    groups: dict[bytes, tuple[RecordSetData, ...]] = {}
    record_count = 0
    for name, info in index.nodes.items():
        key = name_key(name)
        names[key] = info
        static = index.static.get(name, {})
        record_count += sum(len(rrset) for rrset in static.values())
        for rdtype in info.dynamic:
            group = index.get_group(name, rdtype)
            if group:
                groups[key + rdtype.to_bytes(2, "big")] = group
                record_count += len(group)
        if info.is_cut or info.below_cut:
            for rdtype, rrset in static.items():
                if info.is_cut and rdtype == dns.rdatatype.DS:
                    _precompute(index, name, key, rdtype, answers)
                else:
                    rrsets[key + rdtype.to_bytes(2, "big")] = rrset
            continue
        for rdtype in static:
            _precompute(index, name, key, rdtype, answers)
        if dns.rdatatype.CNAME in static:
            for rdtype in CHAIN_TYPES:
                _precompute(index, name, key, rdtype, answers)
    referrals = {}
    for cut in index.cuts:
        result = Resolution()
        refer(index, cut, result)
        counts, tail = render_tail((result.answer, result.authority, result.additional))
        referrals[name_key(cut)] = (head(QR, *counts)[2:], tail)
    _, negative_tail = render_tail(([index.negative_soa],))
    return ZoneSnapshot(
        origin=data.origin,
        origin_key=name_key(data.origin),
        serial=data.serial,
        key=data.key or data.origin.to_text(),
        networks=tuple(data.networks),
        xfr_networks=tuple(data.xfr_networks),
        notify_targets=tuple(data.notify_targets),
        soa=index.static[data.origin][dns.rdatatype.SOA],
        negative_soa=index.negative_soa,
        names=names,
        answers=answers,
        rrsets=rrsets,
        groups=groups,
        referrals=referrals,
        negative_tail=negative_tail,
        has_wildcards=any(name[0] == b"*" for name in index.nodes if len(name) > len(data.origin)),
        record_count=record_count,
    )


def _precompute(index: _Index, name: dns.name.Name, key: bytes, rdtype: int, answers: dict) -> None:
    context = QueryContext(config=_STATIC_CONFIG, health={})
    result = resolve(index, name, rdtype, context)
    if context.is_dynamic:
        return
    flags = QR | (AA if result.is_authoritative else 0) | result.rcode
    answers[key + rdtype.to_bytes(2, "big")] = render(
        flags, name, rdtype, result.answer, result.authority, result.additional
    )


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
