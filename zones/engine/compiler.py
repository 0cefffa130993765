"""Compiling ZoneData into an immutable ZoneSnapshot, and the set of zones one role serves.

`compile_zone` indexes the record sets by name key (the lower-case wire name), then keeps
the rendered template of every (name, type) whose answer cannot change between queries
(simple data, CNAME chains to A/AAAA, DS at delegations): the snapshot is a few
dictionaries of bytes, which keeps a million-record zone small. Templates are made three
ways, all giving the bytes the resolver's answer renders to (tests compare them):
- plain types (PLAIN_TYPES: the answer is the set alone, no compressible rdata names) are
  written straight from their rdata wire by `render_plain`, with no dnspython objects;
- other static sets at their own name, and A/AAAA at a CNAME whose target is simple, are
  assembled here (the set, its additional addresses; the CNAME and the target's set or
  NODATA) and written by `render`;
- everything else (chains through delegations, wildcards or further CNAMEs, DS at a cut)
  goes through `resolve`, as the server's general path does.
Data that has no template of its own (delegation NS sets, glue, routing-policy groups) is
kept as objects. The resolver later reads a snapshot through the same `ZoneStore` protocol
it used while compiling, parsing a template back when it needs a static set.

Snapshots and zone sets are never changed after construction; a change compiles a new
snapshot and `ZoneSet.replace` returns a new set, which the server swaps in whole.
"""

import dataclasses
import ipaddress
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.serial

from zones.engine.data import IPAddress, Network, RecordSetData, RoutingPolicy, ZoneData, make_rdata
from zones.engine.geo import EngineConfig
from zones.engine.nodes import NodeInfo
from zones.engine.policies import QueryContext
from zones.engine.render import AA, QR, head, name_key, render, render_plain, render_tail
from zones.engine.resolver import Resolution, add_additional, refer, resolve

CHAIN_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)
_STATIC_CONFIG = EngineConfig()


class EngineError(Exception):
    """Base of the engine's exceptions."""


class CompileError(EngineError):
    """The zone data cannot be compiled (no SOA, a name outside the zone, mixed policies)."""


# Types whose answer is their RRset alone (no additional section, no chain) and whose rdata
# holds no name dnspython would compress: their templates are written by `render_plain`
# without building dnspython objects, which is what makes large zones compile fast.
PLAIN_TYPES = frozenset(
    {
        dns.rdatatype.A,
        dns.rdatatype.AAAA,
        dns.rdatatype.TXT,
        dns.rdatatype.SPF,
        dns.rdatatype.CAA,
        dns.rdatatype.SSHFP,
        dns.rdatatype.TLSA,
        dns.rdatatype.SMIMEA,
        dns.rdatatype.HINFO,
        dns.rdatatype.DS,
        dns.rdatatype.DNSKEY,
        dns.rdatatype.CDS,
        dns.rdatatype.CDNSKEY,
        dns.rdatatype.URI,
        dns.rdatatype.LOC,
        dns.rdatatype.CERT,
        dns.rdatatype.OPENPGPKEY,
    }
)
_ADDRESS_FAMILIES = {dns.rdatatype.A: socket.AF_INET, dns.rdatatype.AAAA: socket.AF_INET6}


class _StaticSet:
    """One static RRset while compiling, readable by `render` like a dnspython RRset.

    Plain types keep their rdata as uncompressed wire (`wires`); other types hold a single
    rdata in `rdatas`, or the RRset when several were merged. The dnspython RRset is built
    only when the resolver asks for it: building one hashes every rdata.
    """

    __slots__ = ("key", "name", "rdatas", "rdtype", "rrset", "ttl", "wires")
    rdclass = dns.rdataclass.IN

    def __init__(self, key: bytes, name: dns.name.Name, rdtype: int, ttl: int) -> None:
        self.key = key
        self.name = name
        self.rdtype = rdtype
        self.ttl = ttl
        self.wires: list[bytes] | None = None
        self.rdatas: list[dns.rdata.Rdata] | None = None
        self.rrset: dns.rrset.RRset | None = None

    def get_rrset(self) -> dns.rrset.RRset:
        if self.rrset is None:
            rdatas = self.rdatas
            if self.wires is not None:
                rdatas = [
                    dns.rdata.from_wire(dns.rdataclass.IN, self.rdtype, wire, 0, len(wire))
                    for wire in self.wires
                ]
            self.rrset = dns.rrset.from_rdata_list(self.name, self.ttl, rdatas)
        return self.rrset

    def __iter__(self) -> Iterator[dns.rdata.Rdata]:
        if self.rrset is not None:
            return iter(self.rrset)
        return iter(self.rdatas)

    def __len__(self) -> int:
        if self.wires is not None:
            return len(self.wires)
        return len(self.rrset) if self.rrset is not None else len(self.rdatas)


class _Index:
    """The compile-time store: every name by its key, record sets by key and type."""

    def __init__(self, data: ZoneData) -> None:
        self.origin = data.origin
        self.origin_key = name_key(data.origin)
        self.sets: dict[bytes, _StaticSet] = {}
        self.groups: dict[bytes, list[RecordSetData]] = {}
        self.types: dict[bytes, tuple[int, ...]] = {self.origin_key: ()}
        self.dynamic: dict[bytes, tuple[int, ...]] = {}
        for record in data.record_sets:
            self._add(record)
        soa_set = self.sets.get(self.origin_key + _type_bytes(dns.rdatatype.SOA))
        if soa_set is None:
            raise CompileError(f"zone {self.origin}: no SOA record set at the apex")
        soa = soa_set.get_rrset()
        rdata = soa[0].replace(serial=data.serial)
        soa = dns.rrset.from_rdata(self.origin, soa.ttl, rdata)
        soa_set.rrset = soa
        self.soa = soa
        # RFC 2308 §3: a negative answer's SOA carries min(SOA TTL, SOA minimum).
        self.negative_soa = dns.rrset.from_rdata(self.origin, min(soa.ttl, rdata.minimum), rdata)
        self.nodes = self._build_nodes()

    def _add(self, record: RecordSetData) -> None:
        name = record.name
        key = name_key(name)
        rdtype = record.rdtype
        present = self.types.get(key)
        ancestors = self._ancestors(key, name) if present is None else ()
        set_key = key + _type_bytes(rdtype)
        if record.policy is RoutingPolicy.SIMPLE and record.alias is None:
            if set_key in self.groups:
                raise _mixed(name, rdtype)
            static = self.sets.get(set_key)
            if static is None:
                static = _StaticSet(key, name, rdtype, record.ttl)
            elif record.ttl < static.ttl:
                static.ttl = record.ttl
            if rdtype in PLAIN_TYPES:
                if not self._add_wires(static, record.rdatas):
                    return
            elif not self._add_rdatas(static, record):
                return
            if set_key not in self.sets:
                self.sets[set_key] = static
                self._add_type(key, present, ancestors, rdtype)
            return
        if set_key in self.sets:
            raise _mixed(name, rdtype)
        rdatas = tuple(make_rdata(rdtype, value, self.origin) for value in record.rdatas)
        group = self.groups.get(set_key)
        if group is None:
            group = self.groups[set_key] = []
            self._add_type(key, present, ancestors, rdtype)
            self.dynamic[key] = (*self.dynamic.get(key, ()), rdtype)
        elif group[0].policy is not record.policy:
            raise CompileError(
                f"routing_policy: {name} {dns.rdatatype.to_text(rdtype)} mixes "
                f"{group[0].policy.value} and {record.policy.value} record sets"
            )
        group.append(dataclasses.replace(record, rdatas=rdatas))

    def _ancestors(self, key: bytes, name: dns.name.Name) -> list[bytes]:
        """The keys of a name's ancestors below the origin; raises CompileError outside the zone."""
        origin_length = len(self.origin_key)
        ancestors = []
        offset = 0
        while len(key) - offset > origin_length:
            offset += key[offset] + 1
            ancestors.append(key[offset:])
        if key[offset:] != self.origin_key:
            raise CompileError(f"name: {name} is not inside the zone {self.origin}")
        return ancestors

    def _add_type(
        self, key: bytes, present: tuple[int, ...] | None, ancestors: list[bytes], rdtype: int
    ) -> None:
        if present is None:
            # A new name: its ancestors exist from now on, as empty non-terminals if need be.
            for parent in ancestors:
                if parent in self.types:
                    break
                self.types[parent] = ()
            present = self.types.get(key, ())
        self.types[key] = (*present, rdtype)

    def _add_wires(self, static: _StaticSet, values: tuple) -> bool:
        if static.wires is None:
            static.wires = []
        wires = static.wires
        family = _ADDRESS_FAMILIES.get(static.rdtype)
        for value in values:
            wire = None
            if family is not None and isinstance(value, str):
                try:
                    wire = socket.inet_pton(family, value)
                except OSError:
                    wire = None  # let dnspython parse it and raise its own error
            if wire is None:
                wire = make_rdata(static.rdtype, value, self.origin).to_wire()
            if wire not in wires:
                wires.append(wire)
        return bool(wires)

    def _add_rdatas(self, static: _StaticSet, record: RecordSetData) -> bool:
        rdatas = [make_rdata(record.rdtype, value, self.origin) for value in record.rdatas]
        is_new = static.rrset is None and static.rdatas is None
        if not rdatas:
            return not is_new
        if is_new and len(rdatas) == 1:
            # One rdata: nothing to merge or deduplicate, so no RRset until one is asked for.
            static.rdatas = rdatas
        elif is_new:
            static.rrset = dns.rrset.from_rdata_list(record.name, record.ttl, rdatas)
        else:
            static.get_rrset().update(dns.rrset.from_rdata_list(record.name, record.ttl, rdatas))
        return True

    def _build_nodes(self) -> dict[bytes, NodeInfo]:
        ns = dns.rdatatype.NS
        self.cuts = {key for key, present in self.types.items() if ns in present and key != self.origin_key}
        origin_length = len(self.origin_key)
        interned: dict[NodeInfo, NodeInfo] = {}
        by_facts: dict[tuple, NodeInfo] = {}
        nodes = {}
        for key, present in self.types.items():
            below = False
            if self.cuts:
                offset = key[0] + 1 if key != self.origin_key else len(key)
                while len(key) - offset > origin_length:
                    if key[offset:] in self.cuts:
                        below = True
                        break
                    offset += key[offset] + 1
            facts = (present, self.dynamic.get(key, ()), key in self.cuts, below)
            info = by_facts.get(facts)
            if info is None:
                info = NodeInfo(frozenset(present), frozenset(facts[1]), facts[2], below)
                info = by_facts[facts] = interned.setdefault(info, info)
            nodes[key] = info
        return nodes

    def get_node(self, name: dns.name.Name) -> NodeInfo | None:
        return self.nodes.get(name_key(name))

    def get_rrset(self, name: dns.name.Name, rdtype: int) -> dns.rrset.RRset | None:
        static = self.sets.get(name_key(name) + _type_bytes(rdtype))
        return static.get_rrset() if static is not None else None

    def get_group(self, name: dns.name.Name, rdtype: int) -> tuple[RecordSetData, ...] | None:
        group = self.groups.get(name_key(name) + _type_bytes(rdtype))
        return tuple(group) if group else None


class _RecordsView:
    """The index as `add_additional` reads it: record sets as they are, no RRsets built.

    Building RRsets while the templates are rendered would leave them scattered between
    the templates, and their memory resident after the index is gone.
    """

    def __init__(self, index: _Index) -> None:
        self.index = index
        self.origin = index.origin

    def get_rrset(self, name: dns.name.Name, rdtype: int) -> "_StaticSet | dns.rrset.RRset | None":
        static = self.index.sets.get(name_key(name) + _type_bytes(rdtype))
        if static is None or static.rrset is not None:
            return static.rrset if static is not None else None
        return static

    def get_group(self, name: dns.name.Name, rdtype: int) -> tuple[RecordSetData, ...] | None:
        return self.index.get_group(name, rdtype)


def _type_bytes(rdtype: int) -> bytes:
    return rdtype.to_bytes(2, "big")


def _mixed(name: dns.name.Name, rdtype: int) -> CompileError:
    text = dns.rdatatype.to_text(rdtype)
    return CompileError(f"routing_policy: {name} {text} mixes simple and routed record sets")


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
    nodes = index.nodes
    # Everything the snapshot keeps is allocated after the index, never in between: the
    # index's memory is then released whole when it goes, instead of staying resident in
    # arenas shared with the snapshot. Hence fresh copies of the keys, and answer keys
    # sliced from their templates (the question is the key followed by the type).
    names = {bytes(memoryview(key)): info for key, info in nodes.items()}
    answers: dict[bytes, bytes] = {}
    rrsets: dict[bytes, dns.rrset.RRset] = {}
    groups = {set_key: tuple(group) for set_key, group in index.groups.items()}
    record_count = sum(len(group) for group in groups.values())
    plain_flags = QR | AA
    cname = dns.rdatatype.CNAME
    chained = []
    for set_key, static in index.sets.items():
        record_count += len(static)
        info = nodes[static.key]
        rdtype = static.rdtype
        if info.is_cut or info.below_cut:
            if info.is_cut and rdtype == dns.rdatatype.DS:
                _precompute(index, static.name, set_key, rdtype, answers)
            else:
                rrsets[set_key] = static.get_rrset()
        elif static.wires is not None:
            template = render_plain(plain_flags, static.key, rdtype, static.ttl, static.wires)
            answers[template[12 : 14 + len(static.key)]] = template
        else:
            _answer_static(index, static, set_key, answers)
            if rdtype == cname:
                chained.append(static)
    for static in chained:
        for rdtype in CHAIN_TYPES:
            set_key = static.key + _type_bytes(rdtype)
            if set_key not in answers:
                _answer_chain(index, static, rdtype, set_key, answers)
    referrals = {}
    for cut in index.cuts:
        result = Resolution()
        refer(index, index.sets[cut + _type_bytes(dns.rdatatype.NS)].name, result)
        counts, tail = render_tail((result.answer, result.authority, result.additional))
        referrals[cut] = (head(QR, *counts)[2:], tail)
    _, negative_tail = render_tail(([index.negative_soa],))
    origin_key = index.origin_key
    return ZoneSnapshot(
        origin=data.origin,
        origin_key=origin_key,
        serial=data.serial,
        key=data.key or data.origin.to_text(),
        networks=tuple(data.networks),
        xfr_networks=tuple(data.xfr_networks),
        notify_targets=tuple(data.notify_targets),
        soa=index.soa,
        negative_soa=index.negative_soa,
        names=names,
        answers=answers,
        rrsets=rrsets,
        groups=groups,
        referrals=referrals,
        negative_tail=negative_tail,
        has_wildcards=any(key.startswith(b"\x01*") for key in names if key != origin_key),
        record_count=record_count,
    )


def _answer_static(index: _Index, static: _StaticSet, set_key: bytes, answers: dict) -> None:
    """The template of a static set asked for at its own name: the set plus its additional addresses.

    What `resolve` answers there (the name exists, the type has static data), without
    walking the zone for it.
    """
    records = static if static.rrset is None else static.rrset
    if records.name.labels != static.name.labels:
        _precompute(index, static.name, set_key, static.rdtype, answers)
        return
    result = Resolution()
    result.answer.append(records)
    add_additional(_RecordsView(index), records, result)
    template = render(QR | AA, static.name, static.rdtype, result.answer, [], result.additional)
    answers[template[12 : 12 + len(set_key)]] = template


def _answer_chain(index: _Index, static: _StaticSet, rdtype: int, set_key: bytes, answers: dict) -> None:
    """A or AAAA asked at a CNAME (RFC 1034 §4.3.2 step 3a): the CNAME, then the target's set or NODATA.

    Written here for the common targets (outside the zone, or an existing name of it that
    is not delegated, holds static data and is no CNAME itself); every other case goes
    through `resolve`.
    """
    cname = static if static.rrset is None else static.rrset
    if rdtype in index.nodes[static.key].types or cname.name.labels != static.name.labels:
        _precompute(index, static.name, set_key, rdtype, answers)
        return
    target = next(iter(cname)).target
    target_key = name_key(target)
    result = Resolution()
    result.answer.append(cname)
    if target_key != static.key and target.is_subdomain(index.origin):
        node = index.nodes.get(target_key)
        if (
            node is None
            or node.is_cut
            or node.below_cut
            or rdtype in node.dynamic
            or (rdtype not in node.types and dns.rdatatype.CNAME in node.types)
        ):
            _precompute(index, static.name, set_key, rdtype, answers)
            return
        if rdtype in node.types:
            records = index.sets[target_key + _type_bytes(rdtype)]
            if records.rrset is not None:
                records = records.rrset
            if records.name.labels != target.labels:
                _precompute(index, static.name, set_key, rdtype, answers)
                return
            result.answer.append(records)
        else:
            result.authority.append(index.negative_soa)
    template = render(QR | AA, static.name, rdtype, result.answer, result.authority, [])
    answers[template[12 : 12 + len(set_key)]] = template


def _precompute(index: _Index, name: dns.name.Name, set_key: bytes, rdtype: int, answers: dict) -> None:
    context = QueryContext(config=_STATIC_CONFIG, health={})
    result = resolve(index, name, rdtype, context)
    if context.is_dynamic:
        return
    flags = QR | (AA if result.is_authoritative else 0) | result.rcode
    template = render(flags, name, rdtype, result.answer, result.authority, result.additional)
    answers[template[12 : 12 + len(set_key)]] = template


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
