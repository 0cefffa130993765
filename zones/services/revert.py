"""Reverting a change batch: the inverse batch, planned from the batch's audit entries.

`plan_revert` is pure: given what the batch did to each record set (its audit lines, before
and after) and what those record sets hold now, it answers the changes that put back the
"before" of each, or raises RevertConflict when one of them changed since: reverting then
would undo a later change too, so nothing is planned. `revert_plan` and `revert_change_batch`
read the database and apply the inverse as a new batch through `apply_change_batch`.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction

from zones import rules
from zones.models import AuditEntry, ChangeBatch, HostedZone, RecordSet
from zones.services.changes import apply_change_batch
from zones.services.errors import ChangeBatchError
from zones.services.plan import CREATE, DELETE, UPSERT, AuditLine, Change, audit_dict

Key = tuple[str, str, str]


class RevertConflict(ChangeBatchError):
    """A record set the batch touched has changed since; `keys` names each."""

    def __init__(self, message: str, *, keys: list[Key]) -> None:
        super().__init__(message)
        self.keys = keys


@dataclass(frozen=True)
class RevertStep:
    """One record set of the inverse batch: what it holds now and what the revert puts back."""

    key: Key
    label: str
    change: Change
    now: dict | None
    restored: dict | None


def _comparable(data: dict | None) -> str | None:
    """An audit dict as text that compares equal whatever JSON did to it (tuples, key order)."""
    return None if data is None else json.dumps(data, sort_keys=True, default=list)


def _label(key: Key) -> str:
    name, rtype, set_identifier = key
    return f"{name} {rtype}" + (f" ({set_identifier})" if set_identifier else "")


def plan_revert(
    lines: Iterable[AuditLine],
    current: Mapping[Key, dict | None],
    *,
    changed_by: Mapping[Key, int] | None = None,
) -> list[RevertStep]:
    """The inverse of the batch whose audit is `lines`, against the record sets as `current` holds them.

    `current` maps each key the batch touched to its audit dict now (None: absent);
    `changed_by` names, for a key changed since, the later batch that changed it (for the
    message). Raises RevertConflict naming every record set that no longer holds what the
    batch left; the steps come in the batch's order of first touch.
    """
    first_before: dict[Key, dict | None] = {}
    last_after: dict[Key, dict | None] = {}
    for line in lines:
        key = tuple(line.key)
        first_before.setdefault(key, line.before)
        last_after[key] = line.after
    conflicts = [key for key in first_before if _comparable(current.get(key)) != _comparable(last_after[key])]
    if conflicts:
        described = []
        for key in conflicts:
            later = (changed_by or {}).get(key)
            described.append(_label(key) + (f" (by change {later})" if later else ""))
        raise RevertConflict(
            "This change cannot be reverted: "
            + ", ".join(described)
            + (" has" if len(described) == 1 else " have")
            + " changed since. Revert the later change first, or edit the record sets by hand.",
            keys=conflicts,
        )
    steps = []
    for key, before in first_before.items():
        after = last_after[key]
        if _comparable(before) == _comparable(after):
            continue
        if before is None:
            change = Change(DELETE, rules.RecordSetSpec.from_dict(after))
        elif after is None:
            change = Change(CREATE, rules.RecordSetSpec.from_dict(before))
        else:
            change = Change(UPSERT, rules.RecordSetSpec.from_dict(before))
        steps.append(RevertStep(key=key, label=_label(key), change=change, now=after, restored=before))
    return steps


def exceeds_safe_delete(*, deletes: int, record_set_count: int, max_percent: int) -> bool:
    """Whether a plan deleting `deletes` of a zone's `record_set_count` record sets needs a confirmation."""
    if deletes == 0:
        return False
    return deletes * 100 > max_percent * max(record_set_count, 1)


def _audit_lines(batch: ChangeBatch) -> list[AuditLine]:
    entries = AuditEntry.objects.filter(change_batch=batch).order_by("pk")
    return [
        AuditLine(
            action=entry.action,
            key=(entry.name, entry.type, entry.set_identifier),
            before=entry.before,
            after=entry.after,
        )
        for entry in entries.iterator(chunk_size=2000)
    ]


def revert_plan(batch: ChangeBatch) -> list[RevertStep]:
    """The inverse of `batch` against its zone now. Raises RevertConflict (see plan_revert)."""
    lines = _audit_lines(batch)
    keys = {tuple(line.key) for line in lines}
    current: dict[Key, dict | None] = dict.fromkeys(keys)
    names = {key[0] for key in keys}
    for rs in RecordSet.objects.filter(hosted_zone_id=batch.hosted_zone_id, name__in=names):
        key = (rs.name, rs.type, rs.set_identifier)
        if key in current:
            current[key] = json.loads(json.dumps(audit_dict(rs.to_spec()), default=list))
    later = AuditEntry.objects.filter(
        hosted_zone_id=batch.hosted_zone_id, change_batch_id__gt=batch.pk, name__in=names
    ).order_by("change_batch_id")
    changed_by: dict[Key, int] = {}
    for name, rtype, set_identifier, later_batch in later.values_list(
        "name", "type", "set_identifier", "change_batch_id"
    ):
        changed_by.setdefault((name, rtype, set_identifier), later_batch)
    return plan_revert(lines, current, changed_by=changed_by)


def revert_change_batch(
    *, batch: ChangeBatch, actor: object = None, source: str = ChangeBatch.Source.CONSOLE
) -> ChangeBatch:
    """Apply the inverse of `batch` as a new change batch, planned again under the zone's lock.

    Raises RevertConflict when a record set it touched changed since, ChangeBatchError when
    the inverse breaks a rule now (a health check it named was deleted), and ChangeBatchError
    when the batch changed nothing that can be put back.
    """
    with transaction.atomic():
        HostedZone.objects.select_for_update().filter(pk=batch.hosted_zone_id).first()
        steps = revert_plan(batch)
        if not steps:
            raise ChangeBatchError(f"Change {batch.pk} changed no record set, so there is nothing to revert.")
        return apply_change_batch(
            hosted_zone=batch.hosted_zone,
            changes=[step.change for step in steps],
            actor=actor,
            source=source,
            comment=f"revert of change {batch.pk}",
        )
