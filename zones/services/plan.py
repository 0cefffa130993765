"""The plan of a change batch: the one diff of its changes against the zone, pure data.

`plan_batch` runs the normalised changes over the zone's current record sets and returns
what they create, update and delete, each with its record set before and after, and the
audit line of every change. The preview of an import shows a plan, the zone-wide rules check
it, and the write stores it; nothing sorts the changes a second time.

A batch is checked in three stages, each over every change, and refused with every problem
of the first stage that finds any (each `rules.Problem` with its change index, field and
reason): `check_changes` (each record set's own rules), `plan_batch` (what cannot apply: a
CREATE of what exists, a DELETE that does not match) and `batch_problems` (the zone-wide
rules over the result). A later stage needs the earlier one's result, so it runs only when
the earlier found nothing.
"""

import dataclasses
import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from zones import rules
from zones.services.errors import ChangeBatchError, ProtectedRecordError

CREATE, DELETE, UPSERT = "CREATE", "DELETE", "UPSERT"
ACTIONS = (CREATE, DELETE, UPSERT)
# The audit log keeps these fields always, the others only when set.
AUDIT_ALWAYS = frozenset({"name", "type", "ttl", "values", "policy"})


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a batch: CREATE, DELETE or UPSERT of one record set."""

    action: str
    record_set: rules.RecordSetSpec


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One change as the audit log keeps it: the action and the record set before and after."""

    action: str
    key: tuple[str, str, str]
    before: dict | None
    after: dict | None


@dataclass
class Plan:
    """What a batch does to the zone whose serial was `serial`: record sets created, updated
    (before, after) and deleted, and one audit line per change.

    `first_change` gives, for each record set the batch names, the index of the first
    change naming it (to report a zone rule the batch breaks at one of its changes); it is
    not kept by `write_plan`.
    """

    serial: int
    creates: list[rules.RecordSetSpec] = field(default_factory=list)
    updates: list[tuple[rules.RecordSetSpec, rules.RecordSetSpec]] = field(default_factory=list)
    deletes: list[rules.RecordSetSpec] = field(default_factory=list)
    audit: list[AuditLine] = field(default_factory=list)
    first_change: dict[tuple, int] = field(default_factory=dict)

    @property
    def change_count(self) -> int:
        return len(self.audit)

    @property
    def written_keys(self) -> set[tuple]:
        """The keys of the stored record sets the plan updates or deletes."""
        return {spec.key for spec in self.deletes} | {before.key for before, _after in self.updates}

    def changed_record_sets(self) -> dict[tuple, rules.RecordSetSpec | None]:
        """Every record set the batch changes, by key: its spec afterwards, or None once deleted."""
        result: dict[tuple, rules.RecordSetSpec | None] = {spec.key: None for spec in self.deletes}
        result.update((spec.key, spec) for spec in self.creates)
        result.update((after.key, after) for _before, after in self.updates)
        return result


def audit_dict(spec: rules.RecordSetSpec | None) -> dict | None:
    """A record set as the audit log keeps it: the fields it uses (empty ones left out)."""
    if spec is None:
        return None
    return {k: v for k, v in spec.as_dict().items() if k in AUDIT_ALWAYS or v not in ("", None, False)}


def check_changes(
    changes: Sequence[Change],
    *,
    zone_name: str,
    context: rules.RuleContext,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Change], list[rules.Problem]]:
    """Every change's action and record set on their own: the changes normalised, and every problem.

    A change with problems is left out of the normalised list; `progress(done, total)` is
    called every 5,000 changes and at the end.
    """
    normalized: list[Change] = []
    problems: list[rules.Problem] = []
    total = len(changes)
    for index, change in enumerate(changes):
        action = (change.action or "").upper()
        spec, found = rules.check_record_set(change.record_set, zone_name=zone_name, context=context)
        if action not in ACTIONS:
            reason = f"{change.action or '(empty)'} is not CREATE, DELETE or UPSERT"
            found = [rules.Problem("action", reason, spec.label, spec.key), *found]
        if found:
            problems.extend(dataclasses.replace(problem, change=index) for problem in found)
        else:
            normalized.append(Change(action, spec))
        if progress and (index + 1) % 5000 == 0:
            progress(index + 1, total)
    if progress:
        progress(total, total)
    return normalized, problems


def refuse(problems: Sequence[rules.Problem], *, error: type[ChangeBatchError] = ChangeBatchError) -> None:
    """Raise `error` with every problem (each with its change index), naming the first change; none, no-op."""
    if not problems:
        return
    ordered = sorted(problems, key=lambda problem: problem.change or 0)
    first = ordered[0]
    raise error.for_change(first.change or 0, first, ordered)


def plan_batch(
    changes: Sequence[Change],
    existing: Mapping[tuple, rules.RecordSetSpec],
    *,
    serial: int,
    protected: Collection[tuple] = (),
) -> Plan:
    """Run normalised changes over the zone's record sets (`existing`, by key), in order.

    `existing` must hold every record set of the names the changes touch; `protected` are
    the keys of the SOA and apex NS. Raises ChangeBatchError (ProtectedRecordError when one
    is about a protected record set) with every change that cannot apply: a CREATE of a
    record set that exists, a DELETE of one that does not or that differs, a DELETE of a
    protected one, an SOA edit beyond its timers. A refused change leaves the state as it was
    for the changes after it.
    """
    state: dict[tuple, rules.RecordSetSpec | None] = {}
    plan = Plan(serial=serial)
    problems: list[rules.Problem] = []
    touches_protected = False

    def refusal(index: int, spec: rules.RecordSetSpec, reason: str) -> None:
        # About the record set as a whole: no field, and the reason names the record set.
        problems.append(rules.Problem("", f"{spec.label}: {reason}", key=spec.key, change=index))

    for index, change in enumerate(changes):
        spec = change.record_set
        key = spec.key
        plan.first_change.setdefault(key, index)
        current = state[key] if key in state else existing.get(key)
        if change.action == CREATE:
            if current is not None:
                refusal(index, spec, "the record set already exists")
                continue
        elif change.action == DELETE:
            if current is None:
                refusal(index, spec, "there is no such record set")
                continue
            if key in protected:
                touches_protected = True
                refusal(index, spec, "the zone's SOA and apex NS record sets cannot be deleted")
                continue
            mismatch = _mismatch(current, spec)
            if mismatch:
                refusal(index, spec, f"does not match the record set to delete ({mismatch})")
                continue
            spec = None
        elif key in protected and spec.type == "SOA":
            edit_problems = rules.check_soa_edit(current.values[0], spec.values[0])
            if edit_problems:
                problems.extend(
                    dataclasses.replace(problem, record_set=spec.label, key=spec.key, change=index)
                    for problem in edit_problems
                )
                continue
            spec = _soa_edit(spec, serial)
        state[key] = spec
        plan.audit.append(AuditLine(change.action, key, audit_dict(current), audit_dict(spec)))
    refuse(problems, error=ProtectedRecordError if touches_protected else ChangeBatchError)
    for key, after in state.items():
        before = existing.get(key)
        if before is None and after is not None:
            plan.creates.append(after)
        elif before is not None and after is None:
            plan.deletes.append(before)
        elif before is not None and after is not None and before != after:
            plan.updates.append((before, after))
    return plan


def batch_problems(plan: Plan, problems: Iterable[rules.Problem]) -> list[rules.Problem]:
    """The zone-wide rules' problems that are the batch's, each at the change that brought it about.

    A conflict is the batch's when one of its record sets (`Problem.group`, or the names it
    relates) is one the batch changes; it fails at the last change that took part in it.
    A problem the batch did not touch (already in the zone) is not the batch's to report.
    A conflict seen from both sides (a CNAME beside an A, an A beside a CNAME) is reported from
    the side of the change that completed it.
    """
    touched = plan.first_change
    candidates: list[tuple[int, bool, rules.Problem]] = []
    for problem in problems:
        involved = [touched[key] for key in problem.group or (problem.key,) if key in touched]
        if not involved:
            names = problem.key[:1] + problem.related_names
            involved = [index for key, index in touched.items() if key[0] in names]
        if involved:
            index = max(involved)
            candidates.append((index, touched.get(problem.key) == index, problem))
    own_keys: dict[int, set[tuple]] = {}
    for index, is_own, problem in candidates:
        if is_own:
            own_keys.setdefault(index, set()).update(problem.group or (problem.key,))
    reported: list[rules.Problem] = []
    seen: set[tuple[int, str]] = set()
    for index, is_own, problem in candidates:
        keys = set(problem.group or (problem.key,))
        covered = not is_own and bool(keys & own_keys.get(index, set()))
        if covered or (index, str(problem)) in seen:
            continue
        seen.add((index, str(problem)))
        reported.append(dataclasses.replace(problem, change=index))
    return sorted(reported, key=lambda problem: problem.change)


def _soa_edit(spec: rules.RecordSetSpec, serial: int) -> rules.RecordSetSpec:
    """The SOA as edited (its timers checked by `rules.check_soa_edit`): the serial stays the system's."""
    fields = rules.parse_soa(spec.values[0])
    fields["serial"] = serial
    return rules.RecordSetSpec.from_dict({**spec.as_dict(), "values": [rules.soa_value(**fields)]})


def _mismatch(current: rules.RecordSetSpec, proposed: rules.RecordSetSpec) -> str:
    """Why a DELETE's record set differs from the stored one ('' when it matches exactly)."""
    if current.ttl != proposed.ttl:
        return f"ttl {proposed.ttl} is not {current.ttl}"
    if sorted(current.values) != sorted(proposed.values):
        return "the values differ"
    for name in rules.DATA_FIELDS:
        if name in ("ttl", "values"):
            continue
        if getattr(current, name) != getattr(proposed, name):
            return f"{name} {getattr(proposed, name)!r} is not {getattr(current, name)!r}"
    return ""


# ---- the plan kept between an import's preview and its apply ------------------------------------

_DEFAULTS = {field.name: field.default for field in dataclasses.fields(rules.RecordSetSpec)}


def write_plan(plan: Plan, file: TextIO) -> None:
    """Write the plan as JSON lines: the zone file's import keeps it from preview to apply."""

    def write(item: object) -> None:
        file.write(json.dumps(item, separators=(",", ":")) + "\n")

    write({"serial": plan.serial})
    for spec in plan.creates:
        write(["create", _compact(spec)])
    for before, after in plan.updates:
        write(["update", _compact(before), _compact(after)])
    for spec in plan.deletes:
        write(["delete", _compact(spec)])
    for line in plan.audit:
        write(["audit", line.action, line.key, line.before, line.after])


def read_plan(file: TextIO) -> Plan:
    """The plan `write_plan` wrote."""
    plan = Plan(serial=json.loads(file.readline())["serial"])
    spec = rules.RecordSetSpec.from_dict
    for text in file:
        kind, *data = json.loads(text)
        if kind == "create":
            plan.creates.append(spec(data[0]))
        elif kind == "update":
            plan.updates.append((spec(data[0]), spec(data[1])))
        elif kind == "delete":
            plan.deletes.append(spec(data[0]))
        else:
            action, key, before, after = data
            plan.audit.append(AuditLine(action, tuple(key), before, after))
    return plan


def _compact(spec: rules.RecordSetSpec) -> dict:
    """The spec's fields that differ from their defaults (`from_dict` fills in the rest)."""
    return {
        name: value
        for name, value in spec.as_dict().items()
        if name in rules.KEY_FIELDS or value != _DEFAULTS[name]
    }
