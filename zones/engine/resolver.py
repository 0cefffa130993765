"""The resolution algorithm of an authoritative server (RFC 1034 §4.3.2), policy-aware.

`resolve` walks one zone: delegations first (a referral, no AA), then the exact name, then
wildcard synthesis (RFC 4592), CNAME chains followed inside the zone, NXDOMAIN/NODATA with the
negative SOA (RFC 2308 §3), RFC 8482 for ANY and additional addresses for NS, MX and SRV
targets. Record sets with a routing policy or an alias target go through
`policies.choose`, which records in the context that the answer is dynamic.
"""

from dataclasses import dataclass, field

import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from zones.engine.data import RecordSetData
from zones.engine.nodes import NodeInfo, ZoneStore
from zones.engine.policies import QueryContext, choose
from zones.engine.render import name_key

MAX_CHAIN = 12
MAX_ALIAS_DEPTH = 4
ADDRESS_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)
WILDCARD = dns.name.Name((b"*",))


@dataclass
class Resolution:
    """The sections of an answer before rendering, as the resolver found them."""

    rcode: int = dns.rcode.NOERROR
    is_authoritative: bool = True
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)
    additional: list[dns.rrset.RRset] = field(default_factory=list)


def find_cut(store: ZoneStore, name: dns.name.Name, trace: set[bytes] | None = None) -> dns.name.Name | None:
    """The highest delegation point between the zone's apex (excluded) and `name` (included).

    `trace`, when given, collects the keys of the names read.
    """
    for depth in range(len(store.origin) + 1, len(name) + 1):
        ancestor = name.split(depth)[1]
        if trace is not None:
            trace.add(name_key(ancestor))
        node = store.get_node(ancestor)
        if node is None:
            return None
        if node.is_cut:
            return ancestor
    return None


def resolve(store: ZoneStore, qname: dns.name.Name, rdtype: int, context: QueryContext) -> Resolution:
    """Answer `qname`/`rdtype` from one zone; `qname` must be at or below the zone's origin."""
    result = Resolution()
    current = qname
    visited: set[dns.name.Name] = set()
    for hop in range(MAX_CHAIN):
        # The question's own ancestors are the node's facts (below_cut); a chain's are not.
        cut = find_cut(store, current, context.trace if hop else None)
        if cut is not None and not (cut == current and rdtype == dns.rdatatype.DS):
            refer(store, cut, result)
            result.is_authoritative = bool(result.answer)
            context.note("referral", f"{current} is delegated at {cut}", cut=cut.to_text())
            return result
        node, source = _find_node(store, current, context)
        if node is None:
            result.rcode = dns.rcode.NXDOMAIN
            result.authority.append(store.negative_soa)
            context.note("nxdomain", f"{current} does not exist", name=current.to_text())
            return result
        if rdtype == dns.rdatatype.ANY:
            _answer_any(store, current, source, node, context, result)
            return result
        if rdtype in node.types:
            rrset = rrset_for(store, source, rdtype, context)
            if rrset is None:
                _nodata(store, current, rdtype, context, result)
                return result
            rrset = _renamed(rrset, current)
            result.answer.append(rrset)
            add_additional(store, rrset, result)
            return result
        if dns.rdatatype.CNAME in node.types and rdtype != dns.rdatatype.CNAME:
            cname = rrset_for(store, source, dns.rdatatype.CNAME, context)
            if cname is None:
                _nodata(store, current, rdtype, context, result)
                return result
            result.answer.append(_renamed(cname, current))
            visited.add(current)
            target = cname[0].target
            context.note("cname", f"{current} is an alias of {target}", target=target.to_text())
            if target in visited or not target.is_subdomain(store.origin):
                return result
            current = target
            continue
        _nodata(store, current, rdtype, context, result)
        return result
    return result


def _find_node(
    store: ZoneStore, name: dns.name.Name, context: QueryContext
) -> tuple[NodeInfo | None, dns.name.Name]:
    trace = context.trace
    if trace is not None:
        trace.add(name_key(name))
    node = store.get_node(name)
    if node is not None:
        return node, name
    # RFC 4592 §3.3.1: the closest encloser is the longest existing ancestor (empty
    # non-terminals exist); only "*." directly under it may synthesise an answer.
    encloser = name.parent()
    while len(encloser) > len(store.origin):
        if trace is not None:
            trace.add(name_key(encloser))
        if store.get_node(encloser) is not None:
            break
        encloser = encloser.parent()
    source = WILDCARD.concatenate(encloser)
    if trace is not None:
        trace.add(name_key(source))
    wildcard = store.get_node(source)
    if wildcard is None:
        return None, name
    context.note("wildcard", f"{name} synthesised from {source}", source=source.to_text())
    return wildcard, source


def _nodata(
    store: ZoneStore, name: dns.name.Name, rdtype: int, context: QueryContext, result: Resolution
) -> None:
    result.authority.append(store.negative_soa)
    context.note("nodata", f"{name} has no {dns.rdatatype.to_text(rdtype)} data", name=name.to_text())


def _answer_any(
    store: ZoneStore,
    name: dns.name.Name,
    source: dns.name.Name,
    node: NodeInfo,
    context: QueryContext,
    result: Resolution,
) -> None:
    # RFC 8482 §4.1: answer ANY with one RRset of the name rather than all of them.
    for rdtype in sorted(node.types):
        rrset = rrset_for(store, source, rdtype, context)
        if rrset is not None:
            result.answer.append(_renamed(rrset, name))
            context.note("any", f"ANY answered with the {dns.rdatatype.to_text(rdtype)} set (RFC 8482)")
            return
    _nodata(store, name, dns.rdatatype.ANY, context, result)


def refer(store: ZoneStore, cut: dns.name.Name, result: Resolution) -> None:
    """Put the delegation's NS set in authority and its in-zone glue in additional."""
    ns = store.get_rrset(cut, dns.rdatatype.NS)
    if ns is None:
        return
    result.authority.append(ns)
    _add_addresses(store, [rdata.target for rdata in ns], result)


def add_additional(store: ZoneStore, rrset: dns.rrset.RRset, result: Resolution) -> None:
    """RFC 1035 §3.3.9, §3.3.11 and RFC 2782: addresses of NS, MX and SRV targets in the zone."""
    if rrset.rdtype == dns.rdatatype.MX:
        targets = [rdata.exchange for rdata in rrset]
    elif rrset.rdtype in (dns.rdatatype.NS, dns.rdatatype.SRV):
        targets = [rdata.target for rdata in rrset]
    else:
        return
    _add_addresses(store, targets, result)


def _add_addresses(store: ZoneStore, targets: list[dns.name.Name], result: Resolution) -> None:
    present = {(rrset.name, rrset.rdtype) for rrset in result.answer + result.additional}
    for target in targets:
        if not target.is_subdomain(store.origin):
            continue
        for rdtype in ADDRESS_TYPES:
            if (target, rdtype) in present or store.get_group(target, rdtype) is not None:
                continue
            rrset = store.get_rrset(target, rdtype)
            if rrset is not None:
                result.additional.append(rrset)
                present.add((target, rdtype))


def rrset_for(
    store: ZoneStore, name: dns.name.Name, rdtype: int, context: QueryContext, depth: int = 0
) -> dns.rrset.RRset | None:
    """The data of `name`/`rdtype`: a static set, or what the group's policy chooses now."""
    group = store.get_group(name, rdtype)
    if group is None:
        return store.get_rrset(name, rdtype)
    chosen = choose(group, lambda record: is_record_healthy(store, record, context, depth), context)
    rdatas = []
    ttl = None
    for record in chosen:
        rrset = _record_rrset(store, record, context, depth)
        if rrset is None:
            continue
        ttl = rrset.ttl if ttl is None else min(ttl, rrset.ttl)
        rdatas.extend(rdata for rdata in rrset if rdata not in rdatas)
    if not rdatas:
        return None
    return dns.rrset.from_rdata_list(name, ttl, rdatas)


def _record_rrset(
    store: ZoneStore, record: RecordSetData, context: QueryContext, depth: int
) -> dns.rrset.RRset | None:
    alias = record.alias
    if alias is None:
        return dns.rrset.from_rdata_list(record.name, record.ttl, record.rdatas)
    if alias.endpoint is not None:
        version = 4 if record.rdtype == dns.rdatatype.A else 6
        rdatas = [
            dns.rdata.from_text(dns.rdataclass.IN, record.rdtype, address)
            for address in alias.endpoint.addresses
            if (":" in address) == (version == 6)
        ]
        context.note("alias", f"{record.label} aliases endpoint {alias.endpoint.label}")
        return dns.rrset.from_rdata_list(record.name, alias.endpoint.ttl, rdatas) if rdatas else None
    if alias.name is None or depth >= MAX_ALIAS_DEPTH:
        return None
    context.is_dynamic = True
    context.note("alias", f"{record.label} aliases {alias.name}", target=alias.name.to_text())
    return rrset_for(store, alias.name, record.rdtype, context, depth + 1)


def is_record_healthy(store: ZoneStore, record: RecordSetData, context: QueryContext, depth: int = 0) -> bool:
    """A record set's health: its own check, and its alias target's when it evaluates it."""
    if not context.is_check_healthy(record.health_check_id):
        return False
    alias = record.alias
    if alias is None or not record.evaluate_target_health:
        return True
    if alias.endpoint is not None:
        return context.is_check_healthy(alias.endpoint.health_check_id)
    if alias.name is None or depth >= MAX_ALIAS_DEPTH:
        return False
    group = store.get_group(alias.name, record.rdtype)
    if group is None:
        return store.get_rrset(alias.name, record.rdtype) is not None
    return any(is_record_healthy(store, member, context, depth + 1) for member in group)


def _renamed(rrset: dns.rrset.RRset, name: dns.name.Name) -> dns.rrset.RRset:
    if rrset.name == name and rrset.name.labels == name.labels:
        return rrset
    renamed = dns.rrset.RRset(name, rrset.rdclass, rrset.rdtype)
    renamed.update(rrset)
    return renamed
