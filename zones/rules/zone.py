"""Zone-wide rules: what record sets may stand beside each other (CNAME coexistence,
delegations and glue, one policy kind per name and type) and where aliases lead."""

from collections import defaultdict
from collections.abc import Iterable

from zones.rules.names import ancestors_within
from zones.rules.problems import Problem
from zones.rules.spec import GLUE_TYPES, RecordSetSpec
from zones.vocabulary import RoutingPolicy


def check_zone(
    zone_name: str, record_sets: Iterable[RecordSetSpec], *, endpoints_ok: bool = True
) -> list[Problem]:
    """Problems between record sets (normalised ones) of one zone: coexistence, policies, aliases.

    Pass the whole zone, or every record set at the names concerned, their ancestors' NS and
    DS, and the zone's aliases: the rules look only at what they are given.
    """
    record_sets = list(record_sets)
    problems: list[Problem] = []
    by_name: dict[str, list[RecordSetSpec]] = defaultdict(list)
    seen: set[tuple] = set()
    for rs in record_sets:
        if rs.key in seen:
            problems.append(_problem(rs, "name", f"{rs.label} already exists"))
            continue
        seen.add(rs.key)
        by_name[rs.name].append(rs)

    delegations = {name for name, group in by_name.items() if name != zone_name and _has(group, "NS")}
    for name, group in by_name.items():
        types = {rs.type for rs in group}
        if "CNAME" in types and len(types) > 1:
            # One problem on each side: a batch reports the side its change brought in
            # (zones/services/plan.py batch_problems), a CNAME beside an A or an A beside a CNAME.
            others = ", ".join(sorted(types - {"CNAME"}))
            keys = tuple(rs.key for rs in group)
            cname_keys = tuple(rs.key for rs in group if rs.type == "CNAME")
            for rs in group:
                if rs.type == "CNAME":
                    reason = f"{name} has a CNAME beside {others}; a CNAME must stand alone"
                    problems.append(_problem(rs, "type", reason, group=keys))
                else:
                    reason = (
                        f"a CNAME record set already exists at {name}: "
                        "a name with a CNAME can hold no other record set"
                    )
                    problems.append(_problem(rs, "name", reason, group=(*cname_keys, rs.key)))
        if name in delegations:
            ns_keys = tuple(rs.key for rs in group if rs.type == "NS")
            for rs in group:
                if rs.type not in ("NS", "DS", *GLUE_TYPES):
                    reason = f"{name} is a delegation; only NS, DS and glue may sit there"
                    problems.append(_problem(rs, "type", reason, group=(rs.key, *ns_keys)))
        elif "DS" in types:
            for rs in group:
                if rs.type == "DS":
                    reason = "a DS record set belongs only at a delegation (a name with NS)"
                    problems.append(_problem(rs, "type", reason, (name,)))
        for ancestor in ancestors_within(name, zone_name):
            if ancestor in delegations:
                ns_keys = tuple(rs.key for rs in by_name[ancestor] if rs.type == "NS")
                for rs in group:
                    if rs.type not in GLUE_TYPES:
                        reason = (
                            f"{name} lies beneath the delegation {ancestor}; only glue (A, AAAA) may be there"
                        )
                        problems.append(_problem(rs, "name", reason, (ancestor,), group=(rs.key, *ns_keys)))
                break
        problems.extend(_policy_problems(group))
    problems.extend(_alias_problems(record_sets, by_name))
    return problems


def _has(group: list[RecordSetSpec], rtype: str) -> bool:
    return any(rs.type == rtype for rs in group)


def _problem(
    rs: RecordSetSpec, field_name: str, reason: str, related: tuple[str, ...] = (), group: tuple = ()
) -> Problem:
    return Problem(field_name, reason, rs.label, rs.key, related, group or (rs.key,))


def _policy_problems(group: list[RecordSetSpec]) -> list[Problem]:
    problems = []
    by_type: dict[str, list[RecordSetSpec]] = defaultdict(list)
    for rs in group:
        by_type[rs.type].append(rs)
    for rtype, sets in by_type.items():
        first = sets[0]
        for rs in sets[1:]:
            if rs.policy != first.policy:
                reason = (
                    f"{rs.name} {rtype} already uses the {first.policy} policy; "
                    "one policy kind per name and type"
                )
                problems.append(_problem(rs, "policy", reason, group=(first.key, rs.key)))
            elif rs.policy == RoutingPolicy.SIMPLE:
                reason = f"{rs.name} {rtype} already exists"
                problems.append(_problem(rs, "name", reason, group=(first.key, rs.key)))
        if first.policy == RoutingPolicy.FAILOVER:
            roles: dict[str, RecordSetSpec] = {}
            for rs in sets:
                if rs.failover in roles:
                    reason = f"{rs.name} {rtype} already has a {rs.failover} record set"
                    problems.append(_problem(rs, "failover", reason, group=(roles[rs.failover].key, rs.key)))
                roles.setdefault(rs.failover, rs)
        if first.policy == RoutingPolicy.GEOLOCATION:
            locations: dict[tuple, RecordSetSpec] = {}
            for rs in sets:
                if rs.location in locations:
                    where = "/".join(part for part in rs.location if part)
                    reason = f"{rs.name} {rtype} already has a record set for {where}"
                    problems.append(
                        _problem(rs, "geolocation", reason, group=(locations[rs.location].key, rs.key))
                    )
                locations.setdefault(rs.location, rs)
    return problems


def _alias_problems(
    record_sets: list[RecordSetSpec], by_name: dict[str, list[RecordSetSpec]]
) -> list[Problem]:
    problems = []
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rs in record_sets:
        if rs.alias_target_name:
            edges[(rs.name, rs.type)].add(rs.alias_target_name)
    for rs in record_sets:
        target = rs.alias_target_name
        if not target or target == rs.name:
            continue
        if not any(other.type == rs.type for other in by_name.get(target, ())):
            reason = f"there is no {rs.type} record set at {target}"
            problems.append(_problem(rs, "alias_target", reason, (target,)))
            continue
        path = _find_loop(rs.name, rs.type, edges)
        if path:
            keys = tuple(
                other.key
                for hop in path
                for other in by_name.get(hop, ())
                if other.type == rs.type and other.is_alias
            )
            reason = "alias loop: " + " → ".join(path)
            problems.append(_problem(rs, "alias_target", reason, tuple(path), group=keys))
    return problems


def _find_loop(start: str, rtype: str, edges: dict[tuple[str, str], set[str]]) -> list[str]:
    """A path of alias hops from `start` back to itself, or [] when there is none."""
    stack = [(start, [start])]
    visited: set[str] = set()
    while stack:
        name, path = stack.pop()
        for target in sorted(edges.get((name, rtype), ())):
            if target == start:
                return [*path, target]
            if target not in visited:
                visited.add(target)
                stack.append((target, [*path, target]))
    return []
