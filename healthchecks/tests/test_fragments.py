"""The pieces of the health-check pages the browser polls: the owner's own only, 401 when logged
out; the latency chart's unhealthy spans and the alarm history count."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from healthchecks import alerting, fragments
from healthchecks.models import AlarmEvent, StatusChange

from .conftest import http_check

pytestmark = pytest.mark.django_db


def test_the_check_table_lists_only_the_owners_checks(owner_client, other_client, owner, other_user):
    mine = http_check(owner, 8081, name="mine")
    http_check(other_user, 8082, name="theirs")
    html = owner_client.get("/healthchecks/table/").content.decode()
    assert f'id="check-{mine.pk}"' in html and "theirs" not in html
    assert 'hx-trigger="every 5s"' in html and "<title>" not in html


def test_a_check_status_is_the_owners_alone(owner_client, other_client, owner):
    check = http_check(owner, 8081)
    check.is_healthy = False
    check.save()
    assert "Unhealthy" in owner_client.get(f"/healthchecks/{check.pk}/status/").content.decode()
    assert other_client.get(f"/healthchecks/{check.pk}/status/").status_code == 404
    assert other_client.get(f"/healthchecks/{check.pk}/chart.json").status_code == 404


@pytest.mark.parametrize(
    "path", ["/healthchecks/table/", "/healthchecks/1/status/", "/alerts/alarms/chart.json"]
)
def test_logged_out_fragments_answer_401_without_a_body(path):
    response = Client().get(path)
    assert response.status_code == 401 and response.content == b""


def test_fragments_answer_only_get(owner_client, owner):
    check = http_check(owner, 8081)
    assert owner_client.post(f"/healthchecks/{check.pk}/status/").status_code == 405


def test_unhealthy_spans_of_the_window(owner):
    check = http_check(owner, 8081)
    # The window ends before the check's own first status (healthy, at its creation).
    start = check.status_changes.get().changed_at - timedelta(hours=2)
    down = StatusChange.objects.create(
        health_check=check, changed_at=start + timedelta(minutes=10), is_healthy=False
    )
    up = StatusChange.objects.create(
        health_check=check, changed_at=start + timedelta(minutes=25), is_healthy=True
    )
    StatusChange.objects.create(
        health_check=check, changed_at=start + timedelta(minutes=50), is_healthy=False
    )
    end = start + timedelta(hours=1)
    bands = fragments.unhealthy_bands(check, start=start, end=end)
    assert bands == [
        {"start": int(down.changed_at.timestamp()), "end": int(up.changed_at.timestamp())},
        {"start": int((start + timedelta(minutes=50)).timestamp()), "end": int(end.timestamp())},
    ]


def test_a_check_unhealthy_since_before_the_window_is_shaded_from_its_start(owner):
    check = http_check(owner, 8081)
    # The window ends before the check's own first status (healthy, at its creation).
    start = check.status_changes.get().changed_at - timedelta(hours=2)
    StatusChange.objects.create(health_check=check, changed_at=start - timedelta(hours=2), is_healthy=False)
    end = start + timedelta(hours=1)
    assert fragments.unhealthy_bands(check, start=start, end=end) == [
        {"start": int(start.timestamp()), "end": int(end.timestamp())}
    ]


def test_the_latency_chart_aligns_the_regions_on_one_time_axis(owner_client, owner):
    check = http_check(owner, 8081)
    at = "2026-12-02T06:00:00+00:00"
    later = "2026-12-02T06:01:00+00:00"
    series = {
        "start": "2026-12-02T05:30:00+00:00",
        "series": {
            "us-east-1": [
                {"at": at, "latency_ms": 40, "failures": 0},
                {"at": later, "latency_ms": 45, "failures": 0},
            ],
            "eu-west-1": [{"at": later, "latency_ms": 1_250, "failures": 1}],
        },
    }
    chart = fragments.latency_chart(check, series)
    assert chart["series"] == [
        {"name": "eu-west-1", "points": [None, 1_250]},
        {"name": "us-east-1", "points": [40, 45]},
    ]
    assert chart["times"][1] - chart["times"][0] == 60 and chart["unit"] == "ms"


def test_the_alarm_history_counts_alarms_in_alarm(owner_client, other_client, owner):
    check = http_check(owner, 8081)
    topic = alerting.create_topic(owner=owner, name="ops")
    first = alerting.create_alarm(owner=owner, name="one", health_check=check, topic=topic)
    second = alerting.create_alarm(owner=owner, name="two", health_check=check, topic=topic)
    now = timezone.now()
    AlarmEvent.objects.create(alarm=first, state="alarm", reason="down", created_at=now - timedelta(hours=3))
    AlarmEvent.objects.create(alarm=second, state="alarm", reason="down", created_at=now - timedelta(hours=2))
    AlarmEvent.objects.create(alarm=first, state="ok", reason="up", created_at=now - timedelta(hours=1))
    chart = owner_client.get("/alerts/alarms/chart.json").json()
    assert chart["series"][0]["points"] == [0, 1, 2, 1, 1]
    assert chart["is_stepped"] is True
    assert other_client.get("/alerts/alarms/chart.json").json()["series"] == []
