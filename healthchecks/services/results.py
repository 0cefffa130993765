"""Probe results: their retention, and the charts and summaries the console shows."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Avg, Count, Max, Q
from django.utils import timezone

from healthchecks.models import HealthCheck, ProbeResult

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
