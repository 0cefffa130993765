"""Alarms: what they watch (a health check, or a domain's expiry), and their state changes.

A change of an alarm's state is an AlarmEvent row written in the caller's transaction; the
alarm dispatcher announces it once its quiet period is over (see `delivery`).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from healthchecks import rules
from healthchecks.alerting.errors import AlertError
from healthchecks.models import Alarm, AlarmEvent, HealthCheck, Topic

MAX_QUIET_PERIOD_SECONDS = 24 * 3600


def _alarm_problems(
    *, owner, name: str, topic, health_check, quiet_period_seconds, domain=None, expiry_warning_days=30
) -> None:
    if not (name or "").strip():
        raise AlertError.for_field("name", "give the alarm a name")
    if topic is None or topic.owner_id != owner.pk:
        raise AlertError.for_field("topic", "choose one of your topics")
    if (health_check is None) == (domain is None):
        raise AlertError.for_field("health_check", "choose a health check or a domain (one of them)")
    if health_check is not None and health_check.owner_id != owner.pk:
        raise AlertError.for_field("health_check", "choose one of your health checks")
    if domain is not None and domain.owner_id != owner.pk:
        raise AlertError.for_field("domain", "choose one of your domains")
    if not isinstance(quiet_period_seconds, int) or not 0 <= quiet_period_seconds <= MAX_QUIET_PERIOD_SECONDS:
        raise AlertError.for_field(
            "quiet_period_seconds", f"{quiet_period_seconds} is out of range; use 0 to 86400"
        )
    if not isinstance(expiry_warning_days, int) or not 1 <= expiry_warning_days <= 365:
        raise AlertError.for_field(
            "expiry_warning_days", f"{expiry_warning_days} is out of range; use 1 to 365"
        )


def _expiry_state(domain, warning_days: int, now=None) -> str:
    alarming = rules.is_expiry_alarming(
        domain.expires_at, now=now or timezone.now(), warning_days=warning_days
    )
    return Alarm.ALARM if alarming else Alarm.OK


def create_alarm(
    *,
    owner,
    name: str,
    topic: Topic,
    health_check: HealthCheck | None = None,
    domain=None,
    expiry_warning_days: int = 30,
    quiet_period_seconds: int = 0,
) -> Alarm:
    """Tie a health check, or a domain's expiry, to a topic; raises AlertError on bad input."""
    _alarm_problems(
        owner=owner,
        name=name,
        topic=topic,
        health_check=health_check,
        quiet_period_seconds=quiet_period_seconds,
        domain=domain,
        expiry_warning_days=expiry_warning_days,
    )
    state = Alarm.OK
    if health_check is not None and not health_check.is_healthy:
        state = Alarm.ALARM
    if domain is not None:
        state = _expiry_state(domain, expiry_warning_days)
    return Alarm.objects.create(
        owner=owner,
        name=name.strip(),
        topic=topic,
        health_check=health_check,
        domain=domain,
        expiry_warning_days=expiry_warning_days,
        quiet_period_seconds=quiet_period_seconds,
        state=state,
        notified_state=state,
        state_changed_at=timezone.now(),
    )


def update_alarm(
    *,
    alarm: Alarm,
    name: str,
    topic: Topic,
    quiet_period_seconds: int,
    expiry_warning_days: int | None = None,
) -> Alarm:
    """Rename an alarm, move it to another topic, change its quiet period or expiry warning."""
    warning_days = alarm.expiry_warning_days if expiry_warning_days is None else expiry_warning_days
    _alarm_problems(
        owner=alarm.owner,
        name=name,
        topic=topic,
        health_check=alarm.health_check,
        quiet_period_seconds=quiet_period_seconds,
        domain=alarm.domain,
        expiry_warning_days=warning_days,
    )
    alarm.name, alarm.topic, alarm.quiet_period_seconds = name.strip(), topic, quiet_period_seconds
    alarm.expiry_warning_days = warning_days
    alarm.save(update_fields=["name", "topic", "quiet_period_seconds", "expiry_warning_days"])
    return alarm


def delete_alarm(*, alarm: Alarm) -> None:
    """Delete an alarm; its notification history goes with it."""
    alarm.delete()


def set_alarm_state(*, alarm: Alarm, state: str, reason: str) -> AlarmEvent | None:
    """Move an alarm to `state` inside the caller's transaction; returns the event, or None if unchanged.

    The event is a row, pending until its quiet period is over (`announce_at`); the alarm
    dispatcher then announces it (`announce_alarm_event`), which sends nothing if the alarm has
    moved again by then (so a flap inside the period sends one message).
    """
    if alarm.state == state:
        return None
    now = timezone.now()
    alarm.state, alarm.state_changed_at = state, now
    alarm.save(update_fields=["state", "state_changed_at"])
    return AlarmEvent.objects.create(
        alarm=alarm,
        state=state,
        reason=reason[:200],
        created_at=now,
        announce_at=now + timedelta(seconds=alarm.quiet_period_seconds),
    )


def record_health_check_alarm_state(*, check: HealthCheck, reason: str) -> list[AlarmEvent]:
    """Move every alarm on `check` to match its status (called inside the status transaction)."""
    state = Alarm.OK if check.is_healthy else Alarm.ALARM
    events = []
    for alarm in Alarm.objects.filter(health_check=check):
        event = set_alarm_state(alarm=alarm, state=state, reason=f"{check.name}: {reason}")
        if event is not None:
            events.append(event)
    return events


def evaluate_domain_expiry_alarms(*, now=None) -> int:
    """Move every domain-expiry alarm to match its domain's expiry date; returns how many changed.

    Reads registrar.Domain only; each change is its own transaction, announced like any other.
    """
    now = now or timezone.now()
    changed = 0
    for alarm in Alarm.objects.filter(domain__isnull=False).select_related("domain"):
        state = _expiry_state(alarm.domain, alarm.expiry_warning_days, now)
        if state == alarm.state:
            continue
        expires = alarm.domain.expires_at
        if state == Alarm.ALARM:
            reason = f"{alarm.domain.name} expires on {expires:%Y-%m-%d}"
        else:
            reason = f"{alarm.domain.name} now expires on {expires:%Y-%m-%d}" if expires else "no expiry date"
        with transaction.atomic():
            locked = Alarm.objects.select_for_update().get(pk=alarm.pk)
            if set_alarm_state(alarm=locked, state=state, reason=reason):
                changed += 1
    return changed
