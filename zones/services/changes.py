"""Change batches: normalise every change, plan it against the zone, check the zone-wide rules,
then write the plan all or nothing.

One batch is one transaction on the locked zone row, one serial bump, one ChangeBatch row and
one audit entry per change; after commit the batch's diff (serial before and after, and the
names it changed) is published for the DNS servers (kernel.bus `publish_zone_change`).
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from healthchecks.models import HealthCheck
from kernel import bulksql, bus
from zones import rules
from zones.models import AuditEntry, ChangeBatch, Endpoint, HostedZone, RecordSet
from zones.regions import latency_regions
from zones.services.errors import ChangeBatchError
from zones.services.plan import Change, Plan, batch_problems, check_changes, plan_batch, refuse
from zones.services.serials import next_serial, set_soa_serial

logger = logging.getLogger(__name__)

# Above this many names a batch reads the whole zone in one query instead of name by name.
WHOLE_ZONE_THRESHOLD = 2000
ANALYZE_AFTER_CHANGES = 10_000

Progress = Callable[[int, int], None]


def rule_context(owner: Any) -> rules.RuleContext:
    """The owner's health checks and endpoints, and the latency regions, for the rule module."""
    return rules.RuleContext(
        regions=frozenset(latency_regions()),
        health_check_ids=frozenset(HealthCheck.objects.filter(owner=owner).values_list("pk", flat=True)),
        endpoint_ids=frozenset(Endpoint.objects.filter(owner=owner).values_list("pk", flat=True)),
        allow_protected=True,
    )


def normalize_changes(
    zone: HostedZone, changes: Sequence[Change], *, progress: Progress | None = None
) -> list[Change]:
    """Each change with its record set normalised. Raises ChangeBatchError with every change's problems."""
    if not changes:
        raise ChangeBatchError("A change batch needs at least one change.", field="changes")
    normalized, problems = check_changes(
        changes, zone_name=zone.name, context=rule_context(zone.owner), progress=progress
    )
    refuse(problems)
    return normalized


def plan_changes(
    hosted_zone: HostedZone, changes: Sequence[Change], *, progress: Progress | None = None
) -> Plan:
    """What the changes would create, update and delete, without writing anything.

    Raises ChangeBatchError like `apply_change_batch`.
    """
    normalized = normalize_changes(hosted_zone, changes, progress=progress)
    rows = _load_existing(hosted_zone, {change.record_set.name for change in normalized})
    return _plan_and_check(hosted_zone, normalized, rows)


def apply_change_batch(
    *,
    hosted_zone: HostedZone,
    changes: Sequence[Change],
    actor: Any = None,
    source: str = ChangeBatch.Source.CONSOLE,
    comment: str = "",
    progress: Progress | None = None,
) -> ChangeBatch:
    """Apply CREATE/DELETE/UPSERT changes all or nothing, bump the serial once and publish it.

    Raises ChangeBatchError with every problem found (`problems`, each with its change index;
    `index` the first failing change); the zone is then untouched.
    """
    normalized = normalize_changes(hosted_zone, changes, progress=progress)
    with transaction.atomic():
        zone = HostedZone.objects.select_for_update().get(pk=hosted_zone.pk)
        rows = _load_existing(zone, {change.record_set.name for change in normalized})
        plan = _plan_and_check(zone, normalized, rows)
        batch = _write(zone, plan, rows, actor=actor, source=source, comment=comment)
    _after_write(hosted_zone, zone, plan)
    return batch


def apply_plan(
    *,
    hosted_zone: HostedZone,
    plan: Plan,
    actor: Any = None,
    source: str = ChangeBatch.Source.CONSOLE,
    comment: str = "",
) -> ChangeBatch | None:
    """Write a plan made earlier by `plan_changes`, if the zone is still as it was planned against.

    Returns None, writing nothing, when the zone's serial has moved on since, or a health
    check or endpoint the plan names is gone: plan again then.
    """
    with transaction.atomic():
        zone = HostedZone.objects.select_for_update().get(pk=hosted_zone.pk)
        if zone.serial != plan.serial or not _still_owned(zone, plan):
            return None
        rows = _load_existing(zone, {key[0] for key in plan.written_keys})
        batch = _write(zone, plan, rows, actor=actor, source=source, comment=comment)
    _after_write(hosted_zone, zone, plan)
    return batch


def _still_owned(zone: HostedZone, plan: Plan) -> bool:
    """Whether every health check and endpoint the plan writes is still the zone owner's."""
    context = rule_context(zone.owner)
    written = [*plan.creates, *(after for _before, after in plan.updates)]
    return all(
        (spec.health_check_id is None or spec.health_check_id in context.health_check_ids)
        and (spec.alias_endpoint_id is None or spec.alias_endpoint_id in context.endpoint_ids)
        for spec in written
    )


def _after_write(hosted_zone: HostedZone, zone: HostedZone, plan: Plan) -> None:
    hosted_zone.serial = zone.serial
    hosted_zone.record_set_count = zone.record_set_count
    if plan.change_count >= ANALYZE_AFTER_CHANGES:
        _analyze()


def _analyze() -> None:
    """Refresh the planner's statistics after a big batch, so the record list keeps its index.

    PostgreSQL plans a freshly imported zone from stale counts (a sort of the whole zone instead
    of the index walk) until autovacuum catches up; SQLite keeps no such statistics.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {RecordSet._meta.db_table}")


def _load_existing(zone: HostedZone, names: set[str]) -> dict[tuple, RecordSet]:
    queryset = RecordSet.objects.filter(hosted_zone=zone)
    if len(names) > WHOLE_ZONE_THRESHOLD:
        rows: Iterable[RecordSet] = queryset.iterator(chunk_size=5000)
    else:
        rows = [rs for chunk in bulksql.chunks(sorted(names), 500) for rs in queryset.filter(name__in=chunk)]
    return {(rs.name, rs.type, rs.set_identifier): rs for rs in rows}


def _plan_and_check(zone: HostedZone, changes: list[Change], rows: dict[tuple, RecordSet]) -> Plan:
    existing = {key: rs.to_spec() for key, rs in rows.items()}
    protected = {key for key, rs in rows.items() if rs.is_protected}
    plan = plan_batch(changes, existing, serial=zone.serial, protected=protected)
    _check_zone_rules(zone, plan, existing)
    return plan


def _check_zone_rules(zone: HostedZone, plan: Plan, existing: dict[tuple, rules.RecordSetSpec]) -> None:
    """Run the zone-wide rules over the neighbourhood of the changed names; raise with every problem."""
    touched = plan.first_change
    after = plan.changed_record_sets()
    changed_names = {key[0] for key in touched}
    neighbourhood = dict(existing)
    for key, spec in after.items():
        if spec is None:
            neighbourhood.pop(key, None)
        else:
            neighbourhood[key] = spec
    if len(changed_names) <= WHOLE_ZONE_THRESHOLD:
        neighbourhood.update(_neighbours(zone, plan, after, changed_names))
    refuse(batch_problems(plan, rules.check_zone(zone.name, neighbourhood.values())))


def _neighbours(
    zone: HostedZone, plan: Plan, after: dict[tuple, rules.RecordSetSpec | None], changed_names: set[str]
) -> dict[tuple, rules.RecordSetSpec]:
    """The record sets beyond the changed names that the zone rules must see with them.

    Their ancestors (delegations), both ends of every alias, and what lies beneath a new delegation.
    """
    extra_names: set[str] = set()
    for name in changed_names:
        extra_names.update(rules.ancestors_within(name, zone.name))
    # Unordered, so that the partial index of aliases (zones_rs_aliases) reads only them.
    aliases = list(
        RecordSet.objects.filter(hosted_zone=zone)
        .exclude(alias_target_name="")
        .order_by()
        .values_list("name", "type", "set_identifier", "alias_target_name")
    )
    extra_names.update(alias[0] for alias in aliases)
    extra_names.update(alias[3] for alias in aliases)
    extra_names.update(spec.alias_target_name for spec in after.values() if spec and spec.alias_target_name)
    extra_names -= changed_names
    found: dict[tuple, rules.RecordSetSpec] = {}
    for chunk in bulksql.chunks(sorted(extra_names), 500):
        for rs in RecordSet.objects.filter(hosted_zone=zone, name__in=chunk):
            key = (rs.name, rs.type, rs.set_identifier)
            if key not in plan.first_change:
                found[key] = rs.to_spec()
    for spec in plan.creates:
        if spec.type == "NS" and spec.name != zone.name:
            beneath = RecordSet.objects.filter(hosted_zone=zone, name__endswith="." + spec.name).exclude(
                type__in=rules.GLUE_TYPES
            )[:5]
            for rs in beneath:
                key = (rs.name, rs.type, rs.set_identifier)
                if key not in plan.first_change:
                    found[key] = rs.to_spec()
    return found


def _write(
    zone: HostedZone, plan: Plan, rows: dict[tuple, RecordSet], *, actor: Any, source: str, comment: str
) -> ChangeBatch:
    """Store the plan: delete, update and insert its record sets, bump the serial, write the audit."""
    now = timezone.now()
    delete_ids = [rows[spec.key].pk for spec in plan.deletes]
    for chunk in bulksql.chunks(delete_ids, 900):
        RecordSet.objects.filter(pk__in=chunk).delete()
    bulksql.update_rows(
        RecordSet,
        (
            {"id": rows[before.key].pk, **_data_fields(after), "updated_at": now}
            for before, after in plan.updates
        ),
    )
    bulksql.insert_rows(
        RecordSet,
        (
            {
                **RecordSet.fields_from_spec(spec),
                "hosted_zone_id": zone.pk,
                "is_protected": False,
                "created_at": now,
                "updated_at": now,
            }
            for spec in plan.creates
        ),
    )
    serial_before = zone.serial
    zone.serial = next_serial(zone.serial)
    zone.record_set_count = zone.record_set_count + len(plan.creates) - len(plan.deletes)
    zone.save(update_fields=["serial", "record_set_count", "updated_at"])
    set_soa_serial(zone)
    batch = ChangeBatch.objects.create(
        hosted_zone=zone,
        actor=actor,
        source=source,
        serial=zone.serial,
        change_count=plan.change_count,
        comment=comment,
    )
    actor_id = actor.pk if actor is not None else None
    bulksql.insert_rows(
        AuditEntry,
        (
            {
                "hosted_zone_id": zone.pk,
                "change_batch_id": batch.pk,
                "actor_id": actor_id,
                "source": source,
                "action": line.action,
                "name": line.key[0],
                "type": line.key[1],
                "set_identifier": line.key[2],
                "before": line.before,
                "after": line.after,
                "created_at": now,
            }
            for line in plan.audit
        ),
    )
    zone_id, serial = zone.pk, zone.serial
    role = "private" if zone.is_private else "auth"
    names = {line.key[0] for line in plan.audit}
    transaction.on_commit(
        lambda: bus.publish_zone_change(zone_id, serial, serial_before=serial_before, role=role, names=names)
    )
    return batch


def _data_fields(spec: rules.RecordSetSpec) -> dict[str, Any]:
    """The model's field values a change may alter (all but the record set's key)."""
    fields = RecordSet.fields_from_spec(spec)
    return {name: fields[name] for name in rules.DATA_FIELDS}
