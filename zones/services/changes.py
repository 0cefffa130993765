"""Change batches: plan every change against the zone, check the rules, then apply all or nothing.

One batch is one transaction on the locked zone row, one serial bump, one ChangeBatch row and
one audit entry per change; `zone <id> <serial>` is published after commit.
"""

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

import dns.serial
from django.db import connection, transaction
from django.utils import timezone

from kernel import bus
from zones import rules
from zones.models import AuditEntry, ChangeBatch, Endpoint, HostedZone, RecordSet
from zones.regions import latency_regions
from zones.services.errors import ChangeBatchError, ProtectedRecordError

logger = logging.getLogger(__name__)

CREATE, DELETE, UPSERT = "CREATE", "DELETE", "UPSERT"
ACTIONS = (CREATE, DELETE, UPSERT)
MAX_SERIAL = 2**32 - 1
# Above this many names a batch reads the whole zone in one query instead of name by name.
WHOLE_ZONE_THRESHOLD = 2000
WRITE_CHUNK = 2000
ANALYZE_AFTER_CHANGES = 10_000
RECORD_FIELDS = (
    "ttl",
    "values",
    "policy",
    "weight",
    "region",
    "failover",
    "continent",
    "country",
    "subdivision",
    "health_check_id",
    "alias_target_name",
    "alias_endpoint_id",
    "evaluate_target_health",
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a batch: CREATE, DELETE or UPSERT of one record set."""

    action: str
    record_set: rules.RecordSetSpec


@dataclass
class BatchPlan:
    """What a batch would do: record sets created, updated and deleted (the preview of an import)."""

    creates: list[rules.RecordSetSpec]
    updates: list[tuple[rules.RecordSetSpec, rules.RecordSetSpec]]
    deletes: list[rules.RecordSetSpec]


def next_serial(serial: int) -> int:
    """The serial after `serial`, wrapping within 32 bits (RFC 1982) and never 0."""
    return serial + 1 if serial < MAX_SERIAL else 1


def set_soa_serial(zone: HostedZone) -> None:
    """Write the zone's serial into its SOA record set."""
    soa = RecordSet.objects.filter(hosted_zone=zone, name=zone.name, type="SOA").first()
    if soa is None:
        return
    fields = rules.parse_soa(soa.values[0])
    fields["serial"] = zone.serial
    RecordSet.objects.filter(pk=soa.pk).update(values=[rules.soa_value(**fields)], updated_at=timezone.now())


def spec_from_record_set(rs: RecordSet) -> rules.RecordSetSpec:
    return rules.RecordSetSpec(
        name=rs.name,
        type=rs.type,
        ttl=rs.ttl,
        values=tuple(rs.values),
        policy=rs.policy,
        set_identifier=rs.set_identifier,
        weight=rs.weight,
        region=rs.region,
        failover=rs.failover,
        continent=rs.continent,
        country=rs.country,
        subdivision=rs.subdivision,
        health_check_id=rs.health_check_id,
        alias_target_name=rs.alias_target_name,
        alias_endpoint_id=rs.alias_endpoint_id,
        evaluate_target_health=rs.evaluate_target_health,
    )


def rule_context(owner: Any) -> rules.RuleContext:
    """The owner's health checks and endpoints, and the latency regions, for the rule module."""
    from healthchecks.models import HealthCheck

    return rules.RuleContext(
        regions=frozenset(latency_regions()),
        health_check_ids=frozenset(HealthCheck.objects.filter(owner=owner).values_list("pk", flat=True)),
        endpoint_ids=frozenset(Endpoint.objects.filter(owner=owner).values_list("pk", flat=True)),
        allow_protected=True,
    )


def normalize_changes(
    zone: HostedZone, changes: Sequence[Change], *, progress: Progress | None = None
) -> list[Change]:
    """Each change with its record set normalised. Raises ChangeBatchError naming the first bad change."""
    if not changes:
        raise ChangeBatchError("A change batch needs at least one change.", field="changes")
    context = rule_context(zone.owner)
    normalized = []
    total = len(changes)
    for index, change in enumerate(changes):
        action = (change.action or "").upper()
        if action not in ACTIONS:
            raise ChangeBatchError(
                f"change {index}: action {change.action} is not CREATE, DELETE or UPSERT", index=index
            )
        spec, problems = rules.check_record_set(change.record_set, zone_name=zone.name, context=context)
        if problems:
            raise ChangeBatchError(f"change {index}: {problems[0]}", index=index, problems=problems)
        normalized.append(Change(action, spec))
        if progress and (index + 1) % 5000 == 0:
            progress(index + 1, total)
    if progress:
        progress(total, total)
    return normalized


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

    Raises ChangeBatchError naming the first failing change by its 0-based index and reason;
    the zone is then untouched.
    """
    normalized = normalize_changes(hosted_zone, changes, progress=progress)
    with transaction.atomic():
        zone = HostedZone.objects.select_for_update().get(pk=hosted_zone.pk)
        existing = _load_existing(zone, {change.record_set.name for change in normalized})
        state, audit, touched = _plan(zone, normalized, existing)
        _check_zone_rules(zone, normalized, state, existing, touched)
        batch = _write(
            zone, normalized, state, existing, touched, audit, actor=actor, source=source, comment=comment
        )
    hosted_zone.serial = zone.serial
    hosted_zone.record_set_count = zone.record_set_count
    if len(normalized) >= ANALYZE_AFTER_CHANGES:
        _analyze()
    return batch


def _analyze() -> None:
    """Refresh the planner's statistics after a big batch, so the record list keeps its index.

    PostgreSQL plans a freshly imported zone from stale counts (a sort of the whole zone instead
    of the index walk) until autovacuum catches up; SQLite keeps no such statistics.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {RecordSet._meta.db_table}")


def plan_changes(hosted_zone: HostedZone, changes: Sequence[Change]) -> BatchPlan:
    """What the changes would create, update and delete, without writing anything.

    Raises ChangeBatchError like `apply_change_batch`.
    """
    normalized = normalize_changes(hosted_zone, changes)
    existing = _load_existing(hosted_zone, {change.record_set.name for change in normalized})
    state, _audit, touched = _plan(hosted_zone, normalized, existing)
    _check_zone_rules(hosted_zone, normalized, state, existing, touched)
    plan = BatchPlan(creates=[], updates=[], deletes=[])
    for key in touched:
        before, after = existing.get(key), state.get(key)
        if before is None and after is not None:
            plan.creates.append(after)
        elif before is not None and after is None:
            plan.deletes.append(spec_from_record_set(before))
        elif before is not None and after is not None and spec_from_record_set(before) != after:
            plan.updates.append((spec_from_record_set(before), after))
    return plan


def _load_existing(zone: HostedZone, names: set[str]) -> dict[tuple, RecordSet]:
    queryset = RecordSet.objects.filter(hosted_zone=zone)
    if len(names) > WHOLE_ZONE_THRESHOLD:
        rows: Iterable[RecordSet] = queryset.iterator(chunk_size=5000)
    else:
        rows = [rs for chunk in _chunks(sorted(names), 500) for rs in queryset.filter(name__in=chunk)]
    return {(rs.name, rs.type, rs.set_identifier): rs for rs in rows}


def _plan(
    zone: HostedZone, changes: list[Change], existing: dict[tuple, RecordSet]
) -> tuple[
    dict[tuple, rules.RecordSetSpec], list[tuple[int, str, dict | None, dict | None]], dict[tuple, int]
]:
    """Run the changes over the current record sets; the final state, audit lines and first index per key."""
    state: dict[tuple, rules.RecordSetSpec] = {}
    protected = {key for key, rs in existing.items() if rs.is_protected}
    audit = []
    touched: dict[tuple, int] = {}
    for index, change in enumerate(changes):
        spec = change.record_set
        key = spec.key
        touched.setdefault(key, index)
        if key in state:
            current = state[key]
        elif key in existing:
            current = state[key] = spec_from_record_set(existing[key])
        else:
            current = None
        if change.action == CREATE:
            if current is not None:
                raise ChangeBatchError(
                    f"change {index}: {spec.label}: the record set already exists", index=index
                )
            state[key] = spec
        elif change.action == DELETE:
            if current is None:
                raise ChangeBatchError(
                    f"change {index}: {spec.label}: there is no such record set", index=index
                )
            if key in protected:
                raise ProtectedRecordError(
                    f"change {index}: {spec.label}: the zone's SOA and apex NS record sets cannot be deleted"
                )
            mismatch = _mismatch(current, spec)
            if mismatch:
                raise ChangeBatchError(
                    f"change {index}: {spec.label}: does not match the record set to delete ({mismatch})",
                    index=index,
                )
            state[key] = None  # type: ignore[assignment]
        else:
            if key in protected and spec.type == "SOA":
                problems = rules.check_soa_edit(current.values[0], spec.values[0])
                if problems:
                    raise ChangeBatchError(
                        f"change {index}: {spec.label}: {problems[0].message}", index=index
                    )
                fields = rules.parse_soa(spec.values[0])
                fields["serial"] = zone.serial
                spec = rules.RecordSetSpec.from_dict(
                    {**spec.as_dict(), "values": [rules.soa_value(**fields)]}
                )
            state[key] = spec
        audit.append((index, change.action, _dict(current), _dict(state[key])))
    return state, audit, touched


AUDIT_ALWAYS = frozenset({"name", "type", "ttl", "values", "policy"})


def _dict(spec: rules.RecordSetSpec | None) -> dict | None:
    """The record set as the audit log keeps it: the fields it uses (empty ones left out)."""
    if spec is None:
        return None
    return {k: v for k, v in spec.as_dict().items() if k in AUDIT_ALWAYS or v not in ("", None, False)}


def _mismatch(current: rules.RecordSetSpec, proposed: rules.RecordSetSpec) -> str:
    """Why a DELETE's record set differs from the stored one ('' when it matches exactly)."""
    if current.ttl != proposed.ttl:
        return f"ttl {proposed.ttl} is not {current.ttl}"
    if sorted(current.values) != sorted(proposed.values):
        return "the values differ"
    for name in RECORD_FIELDS:
        if name in ("ttl", "values"):
            continue
        if getattr(current, name) != getattr(proposed, name):
            return f"{name} {getattr(proposed, name)!r} is not {getattr(current, name)!r}"
    return ""


def _check_zone_rules(
    zone: HostedZone,
    changes: list[Change],
    state: dict[tuple, rules.RecordSetSpec | None],
    existing: dict[tuple, RecordSet],
    touched: dict[tuple, int],
) -> None:
    """Run the zone-wide rules over the neighbourhood of the changed names; raise for the first change."""
    changed_names = {key[0] for key in touched}
    neighbourhood: dict[tuple, rules.RecordSetSpec] = {}
    for key, rs in existing.items():
        neighbourhood[key] = spec_from_record_set(rs)
    for key, spec in state.items():
        if spec is None:
            neighbourhood.pop(key, None)
        else:
            neighbourhood[key] = spec
    whole_zone = len(changed_names) > WHOLE_ZONE_THRESHOLD
    if not whole_zone:
        extra_names: set[str] = set()
        for name in changed_names:
            extra_names.update(rules.ancestors_within(name, zone.name))
        aliases = list(
            RecordSet.objects.filter(hosted_zone=zone)
            .exclude(alias_target_name="")
            .values_list("name", "type", "set_identifier", "alias_target_name")
        )
        extra_names.update(alias[0] for alias in aliases)
        extra_names.update(alias[3] for alias in aliases)
        extra_names.update(
            spec.alias_target_name for spec in state.values() if spec and spec.alias_target_name
        )
        extra_names -= changed_names
        for chunk in _chunks(sorted(extra_names), 500):
            for rs in RecordSet.objects.filter(hosted_zone=zone, name__in=chunk):
                key = (rs.name, rs.type, rs.set_identifier)
                if key not in state:
                    neighbourhood[key] = spec_from_record_set(rs)
        for key, spec in state.items():
            if spec is not None and spec.type == "NS" and key[0] != zone.name and key not in existing:
                beneath = RecordSet.objects.filter(hosted_zone=zone, name__endswith="." + key[0]).exclude(
                    type__in=rules.GLUE_TYPES
                )[:5]
                for rs in beneath:
                    rs_key = (rs.name, rs.type, rs.set_identifier)
                    if rs_key not in state:
                        neighbourhood[rs_key] = spec_from_record_set(rs)
    problems = rules.check_zone(zone.name, neighbourhood.values())
    first: tuple[int, rules.Problem] | None = None
    for problem in problems:
        # A conflict fails at the last change that took part in it; a problem the batch did
        # not touch (already in the zone) is not the batch's to report.
        involved = [touched[key] for key in problem.group or (problem.key,) if key in touched]
        if not involved:
            names = problem.key[:1] + problem.related_names
            involved = [index for key, index in touched.items() if key[0] in names]
        if involved and (first is None or max(involved) < first[0]):
            first = (max(involved), problem)
    if first is not None:
        index, problem = first
        raise ChangeBatchError(f"change {index}: {problem}", index=index, problems=problems)


def _db_now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _write(
    zone: HostedZone,
    changes: list[Change],
    state: dict[tuple, rules.RecordSetSpec | None],
    existing: dict[tuple, RecordSet],
    touched: dict[tuple, int],
    audit: list,
    *,
    actor: Any,
    source: str,
    comment: str,
) -> ChangeBatch:
    creates: list[rules.RecordSetSpec] = []
    updates: list[RecordSet] = []
    delete_ids: list[int] = []
    now = _db_now()  # written as is by the executemany helpers below
    for key in touched:
        before, after = existing.get(key), state.get(key)
        if before is None and after is not None:
            creates.append(after)
        elif before is not None and after is None:
            delete_ids.append(before.pk)
        elif before is not None and after is not None:
            for name in RECORD_FIELDS:
                value = list(getattr(after, name)) if name == "values" else getattr(after, name)
                setattr(before, name, value)
            before.updated_at = now
            updates.append(before)
    for chunk in _chunks(delete_ids, 900):
        RecordSet.objects.filter(pk__in=chunk).delete()
    _update_rows(updates, now)
    _insert_rows(RecordSet, _record_set_rows(zone, creates, now))
    zone.serial = next_serial(zone.serial)
    zone.record_set_count = zone.record_set_count + len(creates) - len(delete_ids)
    zone.save(update_fields=["serial", "record_set_count", "updated_at"])
    set_soa_serial(zone)
    batch = ChangeBatch.objects.create(
        hosted_zone=zone,
        actor=actor,
        source=source,
        serial=zone.serial,
        change_count=len(changes),
        comment=comment,
    )
    _insert_rows(
        AuditEntry,
        (
            {
                "hosted_zone_id": zone.pk,
                "change_batch_id": batch.pk,
                "actor_id": actor.pk if actor is not None else None,
                "source": source,
                "action": action,
                "name": changes[index].record_set.name,
                "type": changes[index].record_set.type,
                "set_identifier": changes[index].record_set.set_identifier,
                "before": before,
                "after": after,
                "created_at": now,
            }
            for index, action, before, after in audit
        ),
    )
    zone_id, serial = zone.pk, zone.serial
    transaction.on_commit(lambda: bus.publish_zone_change(zone_id, serial))
    return batch


def _record_set_rows(zone: HostedZone, specs: Iterable[rules.RecordSetSpec], now: Any) -> Iterator[dict]:
    for spec in specs:
        row = {name: getattr(spec, name) for name in RECORD_FIELDS}
        row.update(
            hosted_zone_id=zone.pk,
            name=spec.name,
            type=spec.type,
            set_identifier=spec.set_identifier,
            values=list(spec.values),
            is_protected=False,
            created_at=now,
            updated_at=now,
        )
        yield row


# Batches write with executemany: Django's bulk_create and bulk_update spend most of a large
# batch preparing each value of each row (bulk_update builds a CASE per field), and a
# million-record import or a 1,000-change batch must stay within seconds (issue #4 item 10).


def _preparers(model: type, columns: list[str]) -> list:
    fields = {field.attname: field for field in model._meta.concrete_fields}
    preparers = []
    for column in columns:
        field = fields[column]
        if field.get_internal_type() == "JSONField":
            preparers.append(lambda value, field=field: field.get_db_prep_save(value, connection))
        else:
            preparers.append(None)
    return preparers


def _insert_rows(model: type, rows: Iterable[dict]) -> None:
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return
    columns = list(first)
    preparers = _preparers(model, columns)
    fields = {field.attname: field for field in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(fields[column].column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )

    def params(row: dict) -> list:
        return [
            prepare(row[column]) if prepare else row[column]
            for column, prepare in zip(columns, preparers, strict=True)
        ]

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: several times faster than INSERT for big batches.
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                quote(model._meta.db_table), ", ".join(quote(fields[column].column) for column in columns)
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for row in chain([first], iterator):
                    copy.write_row(params(row))
            return
        for chunk in _chunks(chain([first], iterator), WRITE_CHUNK):
            cursor.executemany(sql, [params(row) for row in chunk])


def _update_rows(rows: list[RecordSet], now: Any) -> None:
    if not rows:
        return
    columns = [*RECORD_FIELDS, "updated_at"]
    preparers = _preparers(RecordSet, columns)
    fields = {field.attname: field for field in RecordSet._meta.concrete_fields}
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(RecordSet._meta.db_table),
        ", ".join(f"{quote(fields[column].column)} = %s" for column in columns),
        quote("id"),
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, WRITE_CHUNK):
            cursor.executemany(
                sql,
                [
                    [
                        prepare(getattr(rs, column)) if prepare else getattr(rs, column)
                        for column, prepare in zip(columns, preparers, strict=True)
                    ]
                    + [rs.pk]
                    for rs in chunk
                ],
            )


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# ---- change status --------------------------------------------------------------------------


def refresh_change_status(change_batch: ChangeBatch) -> ChangeBatch:
    """Mark the batch INSYNC once every live DNS server reports its serial (or a later one).

    With no live server, or Redis away, the batch stays PENDING. Earlier pending batches of
    the zone turn INSYNC with it.
    """
    if change_batch.status == ChangeBatch.Status.INSYNC:
        return change_batch
    serials = bus.served_serials(change_batch.hosted_zone_id)
    if not serials:
        return change_batch
    wanted = dns.serial.Serial(change_batch.serial)
    if any(served is None or dns.serial.Serial(served) < wanted for served in serials.values()):
        return change_batch
    now = timezone.now()
    ChangeBatch.objects.filter(
        hosted_zone_id=change_batch.hosted_zone_id, status=ChangeBatch.Status.PENDING, pk__lte=change_batch.pk
    ).update(status=ChangeBatch.Status.INSYNC, insync_at=now)
    change_batch.status, change_batch.insync_at = ChangeBatch.Status.INSYNC, now
    return change_batch


def refresh_pending_changes(hosted_zone: HostedZone) -> ChangeBatch | None:
    """Refresh the zone's newest pending batch (which settles the older ones); the batch or None."""
    latest = hosted_zone.change_batches.filter(status=ChangeBatch.Status.PENDING).order_by("-pk").first()
    return refresh_change_status(latest) if latest is not None else None
