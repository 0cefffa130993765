"""Compiling ZoneData into an immutable ZoneSnapshot, with its answers precomputed.

`compile_zone` indexes the record sets by name key (the lower-case wire name, see index.py),
then keeps the rendered template of every (name, type) whose answer cannot change between
queries (simple data, CNAME chains to A/AAAA, DS at delegations): the snapshot is a few
dictionaries of bytes, which keeps a million-record zone small. Templates are made three
ways, all giving the bytes the resolver's answer renders to (tests compare them):
- plain types (index.PLAIN_TYPES: the answer is the set alone, no compressible rdata names) are
  written straight from their rdata wire by `render_plain`, with no dnspython objects;
- other static sets at their own name, and A/AAAA at a CNAME whose target is simple, are
  assembled here (the set, its additional addresses; the CNAME and the target's set or
  NODATA) and written by `render`;
- everything else (chains through delegations, wildcards or further CNAMEs, DS at a cut)
  goes through `resolve`, as the server's general path does.
Data that has no template of its own (delegation NS sets, glue, routing-policy groups) is
kept as objects. Beside the answers, the snapshot keeps what an incremental update
(incremental.py) needs to know which answers a change reaches: which names each template
read beyond its own, each name's count of children, and which templates carry the
negative SOA.
"""

from collections.abc import MutableMapping

import dns.name
import dns.rdatatype
import dns.rrset

from zones.engine.data import ZoneData
from zones.engine.geo import EngineConfig
from zones.engine.index import RecordsView, StaticSet, ZoneIndex, type_bytes
from zones.engine.nodes import TracingStore, ZoneStore
from zones.engine.policies import QueryContext
from zones.engine.render import AA, QR, head, name_key, render, render_plain, render_tail
from zones.engine.resolver import Resolution, add_additional, refer, resolve
from zones.engine.shards import ShardedMap
from zones.engine.snapshot import ZoneSnapshot

CHAIN_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)
_TARGET_TYPES = (dns.rdatatype.MX, dns.rdatatype.NS, dns.rdatatype.SRV)
_STATIC_CONFIG = EngineConfig()


class Dependencies:
    """What the templates being made read beyond their own names, and which end with the negative SOA."""

    def __init__(self) -> None:
        self.depends_on: dict[bytes, set[bytes]] = {}
        self.soa_keys: set[bytes] = set()

    def add(self, owner: bytes, keys) -> None:
        keys = set(keys)
        keys.discard(owner)
        if keys:
            self.depends_on.setdefault(owner, set()).update(keys)

    def targets(self, origin: dns.name.Name, records) -> list[bytes]:
        """The keys of the in-zone names an MX, NS or SRV set's additional section reads."""
        rdtype = records.rdtype
        if rdtype not in _TARGET_TYPES:
            return []
        return [
            name_key(target)
            for rdata in records
            for target in ((rdata.exchange if rdtype == dns.rdatatype.MX else rdata.target),)
            if target.is_subdomain(origin)
        ]


def dependents_of(depends_on: dict[bytes, frozenset[bytes]]) -> dict[bytes, frozenset[bytes]]:
    """`depends_on` turned around: each name key → the owners that read it."""
    found: dict[bytes, set[bytes]] = {}
    for owner, keys in depends_on.items():
        for key in keys:
            found.setdefault(key, set()).add(owner)
    return {key: frozenset(owners) for key, owners in found.items()}


def count_children(keys, origin_key: bytes) -> dict[bytes, int]:
    """How many names sit directly below each name (the parent of a key drops its first label)."""
    counts: dict[bytes, int] = {}
    for key in keys:
        if key != origin_key:
            parent = key[key[0] + 1 :]
            counts[parent] = counts.get(parent, 0) + 1
    return counts


def compile_zone(data: ZoneData) -> ZoneSnapshot:
    """Compile one zone's data into a snapshot with precomputed wire answers.

    Raises CompileError when the data has no SOA at the apex, a name outside the zone, or
    a (name, type) that mixes routing policies.
    """
    index = ZoneIndex(data)
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
    found = Dependencies()
    for set_key, static in index.sets.items():
        record_count += len(static)
        info = nodes[static.key]
        rdtype = static.rdtype
        if info.is_cut or info.below_cut:
            # A DS is the parent side's answer at its own cut; below another cut it is
            # occluded data, kept as an RRset (for transfers and the count) like the rest.
            if info.is_cut and not info.below_cut and rdtype == dns.rdatatype.DS:
                precompute(index, static.name, set_key, rdtype, answers, found)
            else:
                rrsets[set_key] = static.get_rrset()
        elif static.wires is not None:
            template = render_plain(plain_flags, static.key, rdtype, static.ttl, static.wires)
            answers[template[12 : 14 + len(static.key)]] = template
        else:
            _answer_static(index, static, set_key, answers, found)
            if rdtype == cname:
                chained.append(static)
    for static in chained:
        for rdtype in CHAIN_TYPES:
            set_key = static.key + type_bytes(rdtype)
            if set_key not in answers:
                _answer_chain(index, static, rdtype, set_key, answers, found)
    referrals = {}
    for cut in index.cuts:
        ns = index.sets[cut + type_bytes(dns.rdatatype.NS)]
        referrals[cut] = referral(index, ns.name)
        found.add(cut, found.targets(index.origin, ns))
    _, negative_tail = render_tail(([index.negative_soa],))
    depends_on = {owner: frozenset(keys) for owner, keys in found.depends_on.items()}
    origin_key = index.origin_key
    has_wildcards = any(key.startswith(b"\x01*") for key in names if key != origin_key)
    child_counts = count_children(names, origin_key)
    # Each table into shards (shards.py), its dictionary dropped before the next is split,
    # so that at most one table is held twice at a time.
    tables = {
        "names": names,
        "answers": answers,
        "rrsets": rrsets,
        "groups": groups,
        "referrals": referrals,
        "dependents": dependents_of(depends_on),
        "depends_on": depends_on,
        "child_counts": child_counts,
    }
    del names, answers, rrsets, groups, referrals, depends_on, child_counts
    for table in tables:
        tables[table] = ShardedMap(tables[table])
    return ZoneSnapshot(
        origin=data.origin,
        origin_key=origin_key,
        serial=data.serial,
        key=data.key or data.origin.to_text(),
        private_addresses=frozenset(data.private_addresses),
        xfr_networks=tuple(data.xfr_networks),
        notify_targets=tuple(data.notify_targets),
        soa=index.soa,
        negative_soa=index.negative_soa,
        negative_tail=negative_tail,
        has_wildcards=has_wildcards,
        record_count=record_count,
        name_servers=frozenset(name_key(host) for host in data.name_servers),
        owner=data.owner,
        created=data.created,
        soa_keys=frozenset(found.soa_keys),
        **tables,
    )


def referral(store: ZoneStore, cut: dns.name.Name) -> tuple[bytes, bytes]:
    """A delegation point's (header counts, tail): its NS set and in-zone glue (see find_wire)."""
    result = Resolution()
    refer(store, cut, result)
    counts, tail = render_tail((result.answer, result.authority, result.additional))
    return head(QR, *counts)[2:], tail


def _answer_static(
    index: ZoneIndex, static: StaticSet, set_key: bytes, answers: MutableMapping, found: Dependencies
) -> None:
    """The template of a static set asked for at its own name: the set plus its additional addresses.

    What `resolve` answers there (the name exists, the type has static data), without
    walking the zone for it.
    """
    records = static if static.rrset is None else static.rrset
    if records.name.labels != static.name.labels:
        precompute(index, static.name, set_key, static.rdtype, answers, found)
        return
    result = Resolution()
    result.answer.append(records)
    add_additional(RecordsView(index), records, result)
    found.add(static.key, found.targets(index.origin, records))
    template = render(QR | AA, static.name, static.rdtype, result.answer, [], result.additional)
    answers[template[12 : 12 + len(set_key)]] = template


def _answer_chain(
    index: ZoneIndex,
    static: StaticSet,
    rdtype: int,
    set_key: bytes,
    answers: MutableMapping,
    found: Dependencies,
) -> None:
    """A or AAAA asked at a CNAME (RFC 1034 §4.3.2 step 3a): the CNAME, then the target's set or NODATA.

    Written here for the common targets (outside the zone, or an existing name of it that
    is not delegated, holds static data and is no CNAME itself); every other case goes
    through `resolve`.
    """
    cname = static if static.rrset is None else static.rrset
    if rdtype in index.nodes[static.key].types or cname.name.labels != static.name.labels:
        precompute(index, static.name, set_key, rdtype, answers, found)
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
            precompute(index, static.name, set_key, rdtype, answers, found)
            return
        if rdtype in node.types:
            records = index.sets[target_key + type_bytes(rdtype)]
            if records.rrset is not None:
                records = records.rrset
            if records.name.labels != target.labels:
                precompute(index, static.name, set_key, rdtype, answers, found)
                return
            result.answer.append(records)
        else:
            result.authority.append(index.negative_soa)
            found.soa_keys.add(set_key)
        found.add(static.key, (target_key,))
    template = render(QR | AA, static.name, rdtype, result.answer, result.authority, [])
    answers[template[12 : 12 + len(set_key)]] = template


def precompute(
    store: ZoneStore,
    name: dns.name.Name,
    set_key: bytes,
    rdtype: int,
    answers: MutableMapping,
    found: Dependencies,
) -> bool:
    """The template `resolve` gives for (name, type) into `answers`, if static; False when dynamic.

    Notes in `found` the names it read and whether it ends with the negative SOA.
    """
    reads: set[bytes] = set()
    context = QueryContext(config=_STATIC_CONFIG, health={}, trace=reads)
    result = resolve(TracingStore(store, reads), name, rdtype, context)
    # A dynamic answer has no template, but what it read still decides whether it stays
    # dynamic: a CNAME whose routed target turns static must get its template then.
    found.add(set_key[:-2], reads)
    if context.is_dynamic:
        return False
    flags = QR | (AA if result.is_authoritative else 0) | result.rcode
    template = render(flags, name, rdtype, result.answer, result.authority, result.additional)
    answers[template[12 : 12 + len(set_key)]] = template
    if any(rrset is store.negative_soa for rrset in result.authority):
        found.soa_keys.add(set_key)
    return True
