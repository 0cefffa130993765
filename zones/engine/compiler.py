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
kept as objects.
"""

import dns.name
import dns.rdatatype
import dns.rrset

from zones.engine.data import ZoneData
from zones.engine.geo import EngineConfig
from zones.engine.index import RecordsView, StaticSet, ZoneIndex, type_bytes
from zones.engine.policies import QueryContext
from zones.engine.render import AA, QR, head, name_key, render, render_plain, render_tail
from zones.engine.resolver import Resolution, add_additional, refer, resolve
from zones.engine.snapshot import ZoneSnapshot

CHAIN_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)
_STATIC_CONFIG = EngineConfig()


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
            set_key = static.key + type_bytes(rdtype)
            if set_key not in answers:
                _answer_chain(index, static, rdtype, set_key, answers)
    referrals = {}
    for cut in index.cuts:
        result = Resolution()
        refer(index, index.sets[cut + type_bytes(dns.rdatatype.NS)].name, result)
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
        name_servers=frozenset(name_key(host) for host in data.name_servers),
        owner=data.owner,
        created=data.created,
    )


def _answer_static(index: ZoneIndex, static: StaticSet, set_key: bytes, answers: dict) -> None:
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
    add_additional(RecordsView(index), records, result)
    template = render(QR | AA, static.name, static.rdtype, result.answer, [], result.additional)
    answers[template[12 : 12 + len(set_key)]] = template


def _answer_chain(index: ZoneIndex, static: StaticSet, rdtype: int, set_key: bytes, answers: dict) -> None:
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
            records = index.sets[target_key + type_bytes(rdtype)]
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


def _precompute(index: ZoneIndex, name: dns.name.Name, set_key: bytes, rdtype: int, answers: dict) -> None:
    context = QueryContext(config=_STATIC_CONFIG, health={})
    result = resolve(index, name, rdtype, context)
    if context.is_dynamic:
        return
    flags = QR | (AA if result.is_authoritative else 0) | result.rcode
    template = render(flags, name, rdtype, result.answer, result.authority, result.additional)
    answers[template[12 : 12 + len(set_key)]] = template
