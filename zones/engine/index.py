"""The compile-time index of a zone: every name by its key, record sets by key and type.

`ZoneIndex` reads a `ZoneData` once and holds what compiling needs: static record sets
(`StaticSet`, kept as rdata wire where the type allows), routing-policy groups, and the
shared `NodeInfo` of every name, empty non-terminals and delegations included. The resolver
reads it through the `ZoneStore` protocol while the compiler precomputes answers;
`RecordsView` is the same index as `add_additional` reads it, without building RRsets.
The index lives only while one zone compiles.
"""

import dataclasses
import socket
from collections.abc import Iterator

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from zones.engine.data import RecordSetData, ZoneData, make_rdata
from zones.engine.errors import CompileError
from zones.engine.nodes import NodeInfo
from zones.engine.render import name_key
from zones.vocabulary import RoutingPolicy

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


def type_bytes(rdtype: int) -> bytes:
    """A type as the two bytes that follow a name key in set and answer keys."""
    return rdtype.to_bytes(2, "big")


class StaticSet:
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


class ZoneIndex:
    """The compile-time store: every name by its key, record sets by key and type.

    Raises CompileError when the data has no SOA at the apex, a name outside the zone, or
    a (name, type) that mixes routing policies.
    """

    def __init__(self, data: ZoneData) -> None:
        self.origin = data.origin
        self.origin_key = name_key(data.origin)
        self.sets: dict[bytes, StaticSet] = {}
        self.groups: dict[bytes, list[RecordSetData]] = {}
        self.types: dict[bytes, tuple[int, ...]] = {self.origin_key: ()}
        self.dynamic: dict[bytes, tuple[int, ...]] = {}
        for record in data.record_sets:
            self._add(record)
        soa_set = self.sets.get(self.origin_key + type_bytes(dns.rdatatype.SOA))
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

    @classmethod
    def of_record_sets(cls, origin: dns.name.Name, record_sets) -> "ZoneIndex":
        """The sets, groups and types of some record sets only (no SOA, no nodes): what an update adds.

        Raises CompileError like the constructor for names outside the zone or mixed policies.
        """
        index = cls.__new__(cls)
        index.origin = origin
        index.origin_key = name_key(origin)
        index.sets, index.groups, index.dynamic = {}, {}, {}
        index.types = {index.origin_key: ()}
        for record in record_sets:
            index._add(record)
        return index

    def _add(self, record: RecordSetData) -> None:
        name = record.name
        key = name_key(name)
        rdtype = record.rdtype
        present = self.types.get(key)
        ancestors = self._new_ancestors(key, name) if present is None else ()
        set_key = key + type_bytes(rdtype)
        if record.policy is RoutingPolicy.SIMPLE and record.alias is None:
            if set_key in self.groups:
                raise _mixed(name, rdtype)
            static = self.sets.get(set_key)
            if static is None:
                static = StaticSet(key, name, rdtype, record.ttl)
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

    def _new_ancestors(self, key: bytes, name: dns.name.Name) -> list[bytes]:
        """The ancestors of a name not yet indexed: `_ancestors`, or none when its parent is indexed.

        Every indexed name is inside the zone, so a name whose parent is indexed needs no
        more checking and brings no new empty non-terminal: nearly every name of a large zone.
        """
        if key != self.origin_key and key[key[0] + 1 :] in self.types:
            return []
        return self._ancestors(key, name)

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

    def _add_wires(self, static: StaticSet, values: tuple) -> bool:
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

    def _add_rdatas(self, static: StaticSet, record: RecordSetData) -> bool:
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
        static = self.sets.get(name_key(name) + type_bytes(rdtype))
        return static.get_rrset() if static is not None else None

    def get_group(self, name: dns.name.Name, rdtype: int) -> tuple[RecordSetData, ...] | None:
        group = self.groups.get(name_key(name) + type_bytes(rdtype))
        return tuple(group) if group else None


class RecordsView:
    """The index as `add_additional` reads it: record sets as they are, no RRsets built.

    Building RRsets while the templates are rendered would leave them scattered between
    the templates, and their memory resident after the index is gone.
    """

    def __init__(self, index: ZoneIndex) -> None:
        self.index = index
        self.origin = index.origin

    def get_rrset(self, name: dns.name.Name, rdtype: int) -> StaticSet | dns.rrset.RRset | None:
        static = self.index.sets.get(name_key(name) + type_bytes(rdtype))
        if static is None or static.rrset is not None:
            return static.rrset if static is not None else None
        return static

    def get_group(self, name: dns.name.Name, rdtype: int) -> tuple[RecordSetData, ...] | None:
        return self.index.get_group(name, rdtype)


def _mixed(name: dns.name.Name, rdtype: int) -> CompileError:
    text = dns.rdatatype.to_text(rdtype)
    return CompileError(f"routing_policy: {name} {text} mixes simple and routed record sets")
