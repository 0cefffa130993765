"""Small pieces of the health-check pages that the browser fetches again: live status and charts.

Each answers only for the requesting user's own checks and alarms (another account's id is a
404); an anonymous request answers 401 with no body, so a page whose session ended keeps its
last content instead of swapping in the log-in page.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from healthchecks import services
from healthchecks.models import Alarm, AlarmEvent, HealthCheck
from kernel.ownership import get_owned_object_or_404

ALARM_HISTORY_SPAN = timedelta(days=1)


def fragment(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET only, for a logged-in user; 401 without a body otherwise."""

    @require_GET
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponse(status=401)
        return view(request, *args, **kwargs)

    return wrapper


@fragment
def check_table(request: HttpRequest) -> HttpResponse:
    checks = HealthCheck.objects.owned_by(request.user).prefetch_related("region_states")
    return render(request, "healthchecks/_check_table.html", {"checks": checks})


@fragment
def check_status(request: HttpRequest, check_id: int) -> HttpResponse:
    check = get_owned_object_or_404(HealthCheck, request.user, pk=check_id)
    context = {
        "check": check,
        "regions": check.region_states.all(),
        "timeline": check.status_changes.all()[:50],
    }
    return render(request, "healthchecks/_check_status.html", context)


@fragment
def check_chart(request: HttpRequest, check_id: int) -> JsonResponse:
    check = get_owned_object_or_404(HealthCheck, request.user, pk=check_id)
    window = request.GET.get("window", "hour")
    return JsonResponse(latency_chart(check, services.latency_series(check=check, window=window)))


@fragment
def alarm_chart(request: HttpRequest) -> JsonResponse:
    return JsonResponse(alarm_history_chart(request.user))


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def latency_chart(check: HealthCheck, series: dict, *, now: datetime | None = None) -> dict:
    """Chart JSON (static/console/charts.js) of latency per region, unhealthy spans shaded."""
    times = sorted({point["at"] for points in series["series"].values() for point in points})
    regions = sorted(series["series"])
    by_region = {
        region: {point["at"]: point["latency_ms"] for point in series["series"][region]} for region in regions
    }
    start = datetime.fromisoformat(series["start"])
    return {
        "times": [_seconds(datetime.fromisoformat(at)) for at in times],
        "series": [
            {"name": region, "points": [by_region[region].get(at) for at in times]} for region in regions
        ],
        "unit": "ms",
        "bands": unhealthy_bands(check, start=start, end=now or timezone.now()),
        "band_label": "Shaded: the check was unhealthy",
    }


def unhealthy_bands(check: HealthCheck, *, start: datetime, end: datetime) -> list[dict]:
    """The spans between `start` and `end` in which the check was unhealthy, as Unix seconds."""
    changes = list(
        check.status_changes.filter(changed_at__gt=start, changed_at__lte=end).order_by("changed_at", "id")
    )
    before = check.status_changes.filter(changed_at__lte=start).order_by("-changed_at", "-id").first()
    if before is not None:
        is_healthy = before.is_healthy
    elif changes:
        is_healthy = not changes[0].is_healthy
    else:
        is_healthy = check.is_healthy
    bands, since = [], start
    for change in changes:
        if not is_healthy and change.is_healthy:
            bands.append({"start": _seconds(since), "end": _seconds(change.changed_at)})
        if is_healthy and not change.is_healthy:
            since = change.changed_at
        is_healthy = change.is_healthy
    if not is_healthy:
        bands.append({"start": _seconds(since), "end": _seconds(end)})
    return bands


def alarm_history_chart(user, *, now: datetime | None = None) -> dict:
    """Chart JSON of how many of the user's alarms were in alarm over the last day, step by step."""
    end = now or timezone.now()
    start = end - ALARM_HISTORY_SPAN
    alarms = {alarm.pk: alarm.state for alarm in Alarm.objects.owned_by(user).only("pk", "state")}
    events = list(
        AlarmEvent.objects.filter(alarm_id__in=alarms, created_at__gt=start, created_at__lte=end)
        .order_by("created_at", "id")
        .values_list("alarm_id", "state", "created_at")
    )
    # An alarm's state at the start is the one before its first event inside the window.
    state = dict(alarms)
    for alarm_id, event_state, _ in reversed(events):
        state[alarm_id] = Alarm.OK if event_state == Alarm.ALARM else Alarm.ALARM
    times, points = [_seconds(start)], [sum(value == Alarm.ALARM for value in state.values())]
    for alarm_id, event_state, created_at in events:
        state[alarm_id] = event_state
        times.append(_seconds(created_at))
        points.append(sum(value == Alarm.ALARM for value in state.values()))
    times.append(_seconds(end))
    points.append(points[-1])
    series = [{"name": "Alarms in alarm", "points": points}] if alarms else []
    return {"times": times, "series": series, "unit": "alarms", "is_stepped": True}
