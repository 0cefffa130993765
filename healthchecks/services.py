"""Health-check services: configuration, claiming due probes, recording results, status.

Every status change is written to the database in the transaction that records it; the
Redis health view (`health:status`, `health:changes`) is written after commit, and
`sync_health_view` rewrites it whole from the database (beat runs it periodically), so a
Redis outage delays the DNS servers' view but never loses a change.
"""

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count, Max, ProtectedError, Q
from django.utils import timezone

from healthchecks import rules
from healthchecks.models import HealthCheck, HealthCheckRegion, ProbeResult, StatusChange
from healthchecks.probes import ProbeOutcome, ProbeSpec
from kernel import bus
from kernel.errors import ServiceError

logger = logging.getLogger(__name__)

# A claim keeps the lease this long past the probe's timeout, for queueing and recording.
LEASE_GRACE_SECONDS = 15
CHECK_FIELDS = (
    "name",
    "check_type",
    "ip_address",
    "host_name",
    "port",
    "resource_path",
    "host_header",
    "search_string",
    "skip_tls_verification",
    "request_interval_seconds",
    "failure_threshold",
    "timeout_seconds",
    "regions",
    "healthy_children_threshold",
    "is_inverted",
    "is_disabled",
)


class HealthCheckError(ServiceError):
    """A health-check service refused: bad settings or a rule broken."""


class InvalidHealthCheck(HealthCheckError):
    """The settings break a rule; `problems` lists every one."""

    def __init__(self, problems: Sequence[rules.Problem]) -> None:
        super().__init__(problems[0].message, problems[0].field)
        self.problems = list(problems)


# ---- configuration --------------------------------------------------------------------------


def _child_graph(owner) -> dict[int, list[int]]:
    graph: dict[int, list[int]] = {}
    through = HealthCheck.child_checks.through.objects.filter(from_healthcheck__owner=owner)
    for parent_id, child_id in through.values_list("from_healthcheck_id", "to_healthcheck_id"):
        graph.setdefault(parent_id, []).append(child_id)
    return graph


def check_problems(*, owner, data: Mapping, check: HealthCheck | None = None) -> list[rules.Problem]:
    """Every rule `data` breaks for `owner`'s check (new when `check` is None)."""
    problems = rules.validate_health_check(
        data,
        available_regions=settings.HEALTHCHECK_REGIONS,
        check_id=check.pk if check else None,
        child_graph=_child_graph(owner),
    )
    children = [int(child) for child in data.get("child_checks") or []]
    if data.get("check_type") == HealthCheck.CALCULATED and children:
        owned = set(HealthCheck.objects.owned_by(owner).filter(pk__in=children).values_list("pk", flat=True))
        missing = [str(child) for child in children if child not in owned]
        if missing:
            problems.append(
                rules.Problem("child_checks", f"child_checks: no health check {', '.join(missing)} of yours")
            )
    return problems


def _normalise(data: Mapping) -> dict:
    values = {field: data[field] for field in CHECK_FIELDS if field in data}
    if values.get("check_type") == HealthCheck.CALCULATED:
        values.update(
            ip_address=None, host_name="", port=None, resource_path="", search_string="", regions=[]
        )
    values["ip_address"] = values.get("ip_address") or None
    return values


def create_health_check(*, owner, data: Mapping) -> HealthCheck:
    """Create a check and its per-region rows; raises InvalidHealthCheck on bad settings."""
    problems = check_problems(owner=owner, data=data)
    if problems:
        raise InvalidHealthCheck(problems)
    with transaction.atomic():
        check = HealthCheck.objects.create(owner=owner, **_normalise(data))
        check.child_checks.set(data.get("child_checks") or [])
        _sync_regions(check)
        _refresh_statuses([check.pk], reason="created")
    return check


def update_health_check(*, check: HealthCheck, data: Mapping) -> HealthCheck:
    """Change a check's settings; raises InvalidHealthCheck on bad settings."""
    merged = {field: getattr(check, field) for field in CHECK_FIELDS}
    merged["child_checks"] = list(check.child_checks.values_list("pk", flat=True))
    merged.update(data)
    problems = check_problems(owner=check.owner, data=merged, check=check)
    if problems:
        raise InvalidHealthCheck(problems)
    with transaction.atomic():
        for field, value in _normalise(merged).items():
            setattr(check, field, value)
        check.save()
        check.child_checks.set(merged.get("child_checks") or [])
        _sync_regions(check)
        _refresh_statuses([check.pk], reason="settings changed")
    return check


def set_health_check_disabled(*, check: HealthCheck, is_disabled: bool) -> HealthCheck:
    """Disable (a disabled check counts as healthy and is not probed) or enable a check."""
    with transaction.atomic():
        check.is_disabled = is_disabled
        check.save(update_fields=["is_disabled"])
        if not is_disabled:
            # Start afresh: the region streaks from before the pause say nothing about now.
            check.region_states.update(
                next_run_at=timezone.now(), consecutive_failures=0, consecutive_successes=0, is_healthy=True
            )
        _refresh_statuses([check.pk], reason="disabled" if is_disabled else "enabled")
    return check


def delete_health_check(*, check: HealthCheck) -> None:
    """Delete a check and its history; its Redis entry goes after commit.

    Raises HealthCheckError while record sets still refer to the check.
    """
    check_id = check.pk
    with transaction.atomic():
        parent_ids = list(check.parent_checks.values_list("pk", flat=True))
        try:
            check.delete()
        except ProtectedError as error:
            # Record sets (zones) keep their check: removing it would change their answers.
            names = sorted({str(getattr(obj, "name", obj)) for obj in error.protected_objects})
            raise HealthCheckError(
                f"health check {check.name} is used by {', '.join(names[:5])}; "
                "remove it from those record sets first"
            ) from None
        _refresh_statuses(parent_ids, reason=f"child check {check_id} deleted")
        transaction.on_commit(lambda: _forget_in_health_view([check_id]))


def _sync_regions(check: HealthCheck) -> None:
    wanted = set(check.regions if not check.is_calculated else [])
    check.region_states.exclude(region__in=wanted).delete()
    existing = set(check.region_states.values_list("region", flat=True))
    HealthCheckRegion.objects.bulk_create(
        [HealthCheckRegion(health_check=check, region=region) for region in sorted(wanted - existing)]
    )


# ---- scheduling -----------------------------------------------------------------------------


def claim_due_probes(
    *, region: str, now: datetime | None = None, lookahead_seconds: float = 1.0, limit: int = 5000
) -> tuple[str, list[tuple[int, datetime]]]:
    """Claim this region's probes due before now + lookahead; returns (lease token, [(row id, due)]).

    A conditional UPDATE takes only rows whose lease is free or expired, so two dispatchers
    never claim the same probe, and a dead worker's lease lapses by itself. Each claimed row's
    next run moves to its next slot on its own grid, so there is no drift and no pile-up.
    """
    now = now or timezone.now()
    horizon = now + timedelta(seconds=lookahead_seconds)
    token = uuid.uuid4().hex
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = HealthCheckRegion.objects.filter(
        free,
        region=region,
        next_run_at__lte=horizon,
        health_check__is_disabled=False,
    ).exclude(health_check__check_type=HealthCheck.CALCULATED)
    with transaction.atomic():
        ids = list(due.order_by("next_run_at").values_list("pk", flat=True)[:limit])
        if not ids:
            return token, []
        # The conditions are repeated in the UPDATE: that is what makes the claim safe.
        HealthCheckRegion.objects.filter(free, pk__in=ids, next_run_at__lte=horizon).update(
            lease_token=token,
            lease_until=horizon + timedelta(seconds=rules.MAX_TIMEOUT_SECONDS + LEASE_GRACE_SECONDS),
        )
        rows = list(
            HealthCheckRegion.objects.filter(lease_token=token)
            .select_related("health_check")
            .order_by("next_run_at")
        )
        claimed = []
        for row in rows:
            claimed.append((row.pk, row.next_run_at))
            row.next_run_at = rules.next_run_after(
                row.next_run_at, row.health_check.request_interval_seconds, now
            )
        _update_region_rows(rows, ["next_run_at"])
    return token, claimed


def probe_specs(*, token: str, items: Sequence[tuple[int, float]]) -> list[ProbeSpec]:
    """Specs for the claimed rows this token still holds (a re-claimed row is left out)."""
    due_by_id = dict(items)
    rows = HealthCheckRegion.objects.filter(pk__in=due_by_id, lease_token=token).select_related(
        "health_check"
    )
    specs = []
    for row in rows:
        check = row.health_check
        specs.append(
            ProbeSpec(
                key=row.pk,
                check_type=check.check_type,
                host=check.ip_address or check.host_name,
                port=check.effective_port,
                path=check.resource_path or "/",
                host_header=check.host_header or check.host_name,
                search_string=check.search_string if check.is_string_match else "",
                skip_tls_verification=check.skip_tls_verification,
                timeout_seconds=check.timeout_seconds,
                start_at=due_by_id[row.pk],
            )
        )
    return specs


def record_probe_results(*, token: str, outcomes: Iterable[ProbeOutcome]) -> list[int]:
    """Store outcomes for rows this token still holds, apply each region's threshold, free the lease.

    Returns the ids of checks whose overall status changed.
    """
    outcomes = {outcome.key: outcome for outcome in outcomes}
    with transaction.atomic():
        rows = list(
            HealthCheckRegion.objects.filter(pk__in=outcomes, lease_token=token).select_related(
                "health_check"
            )
        )
        results, touched = [], set()
        for row in rows:
            outcome = outcomes[row.pk]
            state = rules.apply_probe_to_region(
                rules.RegionState(row.is_healthy, row.consecutive_failures, row.consecutive_successes),
                is_success=outcome.is_success,
                failure_threshold=row.health_check.failure_threshold,
            )
            if state.is_healthy != row.is_healthy:
                touched.add(row.health_check_id)
            checked_at = datetime.fromtimestamp(outcome.started_at, tz=UTC)
            row.is_healthy = state.is_healthy
            row.consecutive_failures = state.consecutive_failures
            row.consecutive_successes = state.consecutive_successes
            row.last_checked_at = checked_at
            row.last_status_code = outcome.status_code
            row.last_latency_ms = outcome.latency_ms
            row.last_error = outcome.error
            row.lease_token, row.lease_until = "", None
            results.append(
                ProbeResult(
                    health_check_id=row.health_check_id,
                    region=row.region,
                    checked_at=checked_at,
                    is_success=outcome.is_success,
                    status_code=outcome.status_code,
                    latency_ms=outcome.latency_ms,
                    error=outcome.error,
                    schedule_lag_ms=outcome.lag_ms,
                )
            )
        _update_region_rows(rows, _REGION_RESULT_FIELDS)
        ProbeResult.objects.bulk_create(results)
        return _refresh_statuses(sorted(touched), reason="probe results")


_REGION_RESULT_FIELDS = (
    "is_healthy",
    "consecutive_failures",
    "consecutive_successes",
    "last_checked_at",
    "last_status_code",
    "last_latency_ms",
    "last_error",
    "lease_token",
    "lease_until",
)


def _update_region_rows(rows: Sequence[HealthCheckRegion], field_names: Sequence[str]) -> None:
    """Save these fields of these rows: one parameterised UPDATE per row, sent with executemany.

    bulk_update builds a CASE expression per field and row; at 200 probes a second that cost
    more CPU than the probes themselves.
    """
    if not rows:
        return
    meta = HealthCheckRegion._meta
    fields = [meta.get_field(name) for name in field_names]
    assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    sql = f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {assignments} WHERE id = %s"
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# ---- status ---------------------------------------------------------------------------------


def _raw_status(check: HealthCheck) -> tuple[bool, str]:
    if check.is_calculated:
        children = list(check.child_checks.values_list("is_healthy", flat=True))
        healthy = rules.calculated_status(children, check.healthy_children_threshold)
        return healthy, f"{sum(children)} of {len(children)} child checks healthy"
    regions = list(check.region_states.values_list("is_healthy", flat=True))
    healthy = rules.status_from_regions(regions, settings.HEALTHCHECK_HEALTHY_REGION_SHARE)
    return healthy, f"{sum(regions)} of {len(regions)} regions healthy"


def _refresh_statuses(check_ids: Iterable[int], *, reason: str) -> list[int]:
    """Recompute these checks (and, through them, their calculated parents); returns changed ids."""
    from healthchecks import alerting

    changed: list[int] = []
    pending = list(check_ids)
    seen: set[int] = set()
    while pending:
        check_id = pending.pop(0)
        if check_id in seen:
            continue
        seen.add(check_id)
        check = HealthCheck.objects.filter(pk=check_id).first()
        if check is None:
            continue
        raw, why = _raw_status(check)
        status = rules.final_status(raw, is_inverted=check.is_inverted, is_disabled=check.is_disabled)
        if check.is_disabled:
            why = "disabled"
        elif check.is_inverted:
            why = f"inverted: {why}"
        if status == check.is_healthy and check.status_changed_at is not None:
            continue
        now = timezone.now()
        is_change = status != check.is_healthy
        check.is_healthy, check.status_changed_at = status, now
        check.save(update_fields=["is_healthy", "status_changed_at"])
        StatusChange.objects.create(health_check=check, changed_at=now, is_healthy=status, reason=why[:200])
        changed.append(check.pk)
        if is_change:
            alerting.record_health_check_alarm_state(check=check, reason=why)
        pending.extend(check.parent_checks.values_list("pk", flat=True))
    if changed:
        statuses = dict(HealthCheck.objects.filter(pk__in=changed).values_list("pk", "is_healthy"))
        transaction.on_commit(lambda: publish_health_changes(statuses))
    return changed


def current_status(check_ids: Iterable[int]) -> dict[int, bool]:
    """The current status of these checks from the database; unknown ids count as healthy."""
    ids = [int(check_id) for check_id in check_ids]
    known = dict(HealthCheck.objects.filter(pk__in=ids).values_list("pk", "is_healthy"))
    return {check_id: known.get(check_id, True) for check_id in ids}


# ---- the Redis health view ------------------------------------------------------------------


def publish_health_changes(statuses: Mapping[int, bool]) -> bool:
    """Write these statuses to the bus's health view and announce each.

    Called after commit. On a Redis failure it logs, asks for a full resync, and returns False;
    the database already holds the truth.
    """
    try:
        bus.publish_health_changes(statuses)
    except redis.RedisError as error:
        logger.warning(
            "health view: Redis write of %d statuses failed (%s); will resync", len(statuses), error
        )
        _schedule_resync()
        return False
    return True


def _forget_in_health_view(check_ids: Sequence[int]) -> None:
    try:
        bus.forget_health_status(check_ids)
    except redis.RedisError as error:
        logger.warning("health view: Redis delete failed (%s); will resync", error)
        _schedule_resync()


def _schedule_resync() -> None:
    from healthchecks.tasks import sync_health_view_task

    try:
        sync_health_view_task.apply_async(countdown=5)
    except Exception as error:  # the broker is Redis too; beat's periodic resync still covers it
        logger.warning("health view: could not enqueue a resync (%s)", error)


def sync_health_view() -> int:
    """Rewrite the bus's health view whole from the database; returns the number of checks written.

    Raises redis.RedisError when Redis is away (the task retries).
    """
    statuses = dict(HealthCheck.objects.values_list("pk", "is_healthy"))
    bus.replace_health_status(statuses)
    return len(statuses)


# ---- results --------------------------------------------------------------------------------

WINDOWS = {
    "hour": (timedelta(hours=1), 60),
    "day": (timedelta(days=1), 15 * 60),
    "week": (timedelta(days=7), 3600),
}


def prune_probe_results(*, now: datetime | None = None) -> int:
    """Delete probe results older than the retention limit; returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.HEALTHCHECK_RESULT_RETENTION_DAYS)
    deleted, _ = ProbeResult.objects.filter(checked_at__lt=cutoff).delete()
    return deleted


def latency_series(*, check: HealthCheck, window: str, now: datetime | None = None) -> dict:
    """Average latency and failures per time bucket over the last hour, day or week, per region."""
    span, bucket_seconds = WINDOWS.get(window, WINDOWS["hour"])
    now = now or timezone.now()
    start = now - span
    buckets: dict[tuple[str, int], list] = {}
    rows = check.results.filter(checked_at__gte=start).values_list(
        "region", "checked_at", "latency_ms", "is_success"
    )
    for region, checked_at, latency_ms, is_success in rows.iterator():
        index = int((checked_at - start).total_seconds() // bucket_seconds)
        bucket = buckets.setdefault((region, index), [0, 0, 0])
        if latency_ms is not None:
            bucket[0] += latency_ms
            bucket[1] += 1
        if not is_success:
            bucket[2] += 1
    series: dict[str, list] = {}
    for (region, index), (total, count, failures) in sorted(buckets.items()):
        at = start + timedelta(seconds=index * bucket_seconds)
        series.setdefault(region, []).append(
            {
                "at": at.isoformat(),
                "latency_ms": round(total / count) if count else None,
                "failures": failures,
            }
        )
    return {"window": window, "bucket_seconds": bucket_seconds, "start": start.isoformat(), "series": series}


def result_summary(*, check: HealthCheck, since: timedelta = timedelta(days=1)) -> list[dict]:
    """Per region over `since`: probes, failures, average and worst latency."""
    rows = (
        check.results.filter(checked_at__gte=timezone.now() - since)
        .values("region")
        .annotate(
            probes=Count("id"),
            failures=Count("id", filter=Q(is_success=False)),
            avg_latency_ms=Avg("latency_ms"),
            max_latency_ms=Max("latency_ms"),
        )
        .order_by("region")
    )
    return list(rows)
