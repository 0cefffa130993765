"""The plan of a change batch: the one diff of its changes against the zone, pure data.

`plan_batch` runs the normalised changes over the zone's current record sets and returns
what they create, update and delete, each with its record set before and after, and the
audit line of every change. The preview of an import shows a plan, the zone-wide rules check
it, and the write stores it; nothing sorts the changes a second time.
"""

import dataclasses
import json
from collections.abc import Collection, Mapping, Sequence
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


def plan_batch(
    changes: Sequence[Change],
    existing: Mapping[tuple, rules.RecordSetSpec],
    *,
    serial: int,
    protected: Collection[tuple] = (),
) -> Plan:
    """Run normalised changes over the zone's record sets (`existing`, by key), in order.

    `existing` must hold every record set of the names the changes touch; `protected` are
    the keys of the SOA and apex NS. Raises ChangeBatchError (ProtectedRecordError) naming
    the first change that cannot apply: a CREATE of a record set that exists, a DELETE of
    one that does not or that differs, a DELETE of a protected one, an SOA edit beyond its timers.
    """
    state: dict[tuple, rules.RecordSetSpec | None] = {}
    plan = Plan(serial=serial)
    for index, change in enumerate(changes):
        spec = change.record_set
        key = spec.key
        plan.first_change.setdefault(key, index)
        current = state[key] if key in state else existing.get(key)
        if change.action == CREATE:
            if current is not None:
                _refuse(index, f"{spec.label}: the record set already exists")
        elif change.action == DELETE:
            if current is None:
                _refuse(index, f"{spec.label}: there is no such record set")
            if key in protected:
                raise ProtectedRecordError(
                    f"change {index}: {spec.label}: the zone's SOA and apex NS record sets cannot be deleted",
                    reason=f"{spec.label}: the zone's SOA and apex NS record sets cannot be deleted",
                )
            mismatch = _mismatch(current, spec)
            if mismatch:
                _refuse(index, f"{spec.label}: does not match the record set to delete ({mismatch})")
            spec = None
        elif key in protected and spec.type == "SOA":
            spec = _soa_edit(index, current, spec, serial)
        state[key] = spec
        plan.audit.append(AuditLine(change.action, key, audit_dict(current), audit_dict(spec)))
    for key, after in state.items():
        before = existing.get(key)
        if before is None and after is not None:
            plan.creates.append(after)
        elif before is not None and after is None:
            plan.deletes.append(before)
        elif before is not None and after is not None and before != after:
            plan.updates.append((before, after))
    return plan


def _refuse(index: int, refusal: str) -> None:
    raise ChangeBatchError(f"change {index}: {refusal}", index=index, reason=refusal)


def _soa_edit(
    index: int, current: rules.RecordSetSpec, spec: rules.RecordSetSpec, serial: int
) -> rules.RecordSetSpec:
    """The SOA as edited: the new timers, and the serial the system keeps."""
    problems = rules.check_soa_edit(current.values[0], spec.values[0])
    if problems:
        problem = dataclasses.replace(problems[0], record_set=spec.label, key=spec.key)
        raise ChangeBatchError.for_change(index, problem)
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
