"""A check's overall status: recomputed from its regions or children, written with its timeline.

Each change is a StatusChange row, and the alarms on the check move in the same transaction
(AlarmEvent rows that the alarm dispatcher announces); the health view follows after commit.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from healthchecks import alerting, rules
from healthchecks.models import HealthCheck, StatusChange
from healthchecks.services.health_view import publish_health_changes


def _raw_status(check: HealthCheck) -> tuple[bool, str]:
    if check.is_calculated:
        children = list(check.child_checks.values_list("is_healthy", flat=True))
        healthy = rules.calculated_status(children, check.healthy_children_threshold)
        return healthy, f"{sum(children)} of {len(children)} child checks healthy"
    regions = list(check.region_states.values_list("is_healthy", flat=True))
    healthy = rules.status_from_regions(regions, settings.HEALTHCHECK_HEALTHY_REGION_SHARE)
    return healthy, f"{sum(regions)} of {len(regions)} regions healthy"


def refresh_statuses(check_ids: Iterable[int], *, reason: str) -> list[int]:
    """Recompute these checks (and, through them, their calculated parents); returns changed ids.

    Call it inside the transaction that changed what the status depends on.
    """
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
