"""Figures for the dashboard, read from Redis where the DNS servers count their queries."""

import logging
from datetime import UTC, datetime, timedelta

import redis
from django.utils import timezone

from healthchecks.models import AlarmEvent, HealthCheck
from kernel import bus
from registrar.models import Domain
from zones.models import AuditEntry, HostedZone, RecordSet

logger = logging.getLogger(__name__)


def _minutes(now: datetime, minutes: int) -> list[datetime]:
    return [now - timedelta(minutes=offset) for offset in range(minutes - 1, -1, -1)]


def _chart(moments: list[datetime], series: list[dict], **extra: object) -> dict:
    """Chart JSON: minute labels, the minutes as Unix seconds (the charts' x axis), the series."""
    return {
        "labels": [moment.astimezone(UTC).strftime("%H:%M") for moment in moments],
        "times": [int(moment.timestamp()) // 60 * 60 for moment in moments],
        "series": series,
        "unit": "q/min",
        **extra,
    }


def _read_counts(moments: list[datetime]) -> list[dict] | None:
    try:
        return bus.read_query_counts(moments)
    except redis.RedisError as error:
        logger.warning("query counts unavailable: %s", error)
        return None


def query_volume(zone_labels: dict[str, str], *, minutes: int = 60, now: datetime | None = None) -> dict:
    """Queries per minute for each zone key in `zone_labels` (key → label), oldest minute first.

    The answer is chart JSON: {"labels", "times", "series": [{"name", "points"}], "unit"}. When
    Redis is away the series are empty and the error is logged; the dashboard still renders.
    """
    moments = _minutes(now or timezone.now(), minutes)
    if not zone_labels:
        return _chart(moments, [])
    buckets = _read_counts(moments)
    if buckets is None:
        return _chart(moments, [], error="Query counts are unavailable.")
    totals = {key: [0] * len(moments) for key in zone_labels}
    for index, bucket in enumerate(buckets):
        for field, count in bucket.items():
            zone_key, _, _ = bus.parse_query_count_field(field)
            if zone_key in totals:
                totals[zone_key][index] += int(count)
    series = [{"name": zone_labels[key], "points": points} for key, points in totals.items()]
    return _chart(moments, series)


def rcode_volume(zone_key: str, *, minutes: int = 60, now: datetime | None = None) -> dict:
    """Queries per minute for one zone, one series per response code (NOERROR first), oldest first."""
    moments = _minutes(now or timezone.now(), minutes)
    buckets = _read_counts(moments)
    if buckets is None:
        return _chart(moments, [], error="Query counts are unavailable.")
    by_rcode: dict[str, list[int]] = {}
    for index, bucket in enumerate(buckets):
        for field, count in bucket.items():
            key, _, rcode = bus.parse_query_count_field(field)
            if key == zone_key:
                by_rcode.setdefault(rcode, [0] * len(moments))[index] += int(count)
    order = sorted(by_rcode, key=lambda rcode: (rcode != "NOERROR", rcode))
    return _chart(moments, [{"name": rcode, "points": by_rcode[rcode]} for rcode in order])


def summary(user, *, now: datetime | None = None) -> dict:
    """Counts and recent activity for the dashboard, all scoped to `user`."""
    now = now or timezone.now()
    domains = Domain.objects.owned_by(user).filter(state__in=Domain.MANAGED_STATES)
    checks = HealthCheck.objects.owned_by(user)
    return {
        "domain_count": domains.count(),
        "expiring_domains": list(
            domains.filter(expires_at__lte=now + timedelta(days=30)).order_by("expires_at")[:10]
        ),
        "zone_count": HostedZone.objects.owned_by(user).count(),
        "record_set_count": RecordSet.objects.owned_by(user).count(),
        "check_count": checks.count(),
        "healthy_check_count": checks.filter(is_disabled=False, is_healthy=True).count(),
        "unhealthy_check_count": checks.filter(is_disabled=False, is_healthy=False).count(),
        "disabled_check_count": checks.filter(is_disabled=True).count(),
        "recent_changes": list(
            AuditEntry.objects.owned_by(user).select_related("hosted_zone").order_by("-id")[:8]
        ),
        "recent_alerts": list(
            AlarmEvent.objects.owned_by(user).select_related("alarm").order_by("-created_at", "-id")[:8]
        ),
    }


def zone_query_volume(user, *, minutes: int = 60) -> dict:
    """Chart JSON of queries per minute for each of the user's hosted zones."""
    zones = HostedZone.objects.owned_by(user).values_list("pk", "name")[:12]
    return query_volume({str(pk): name.rstrip(".") for pk, name in zones}, minutes=minutes)


def zone_rcode_volume(zone: HostedZone, *, minutes: int = 60) -> dict:
    """Chart JSON of one hosted zone's queries per minute, split by response code."""
    return rcode_volume(str(zone.pk), minutes=minutes)
