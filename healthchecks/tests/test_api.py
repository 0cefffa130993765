"""The API: success, bad input (field and message), another user's objects (404), wrong method."""

import re

from django.utils import timezone

from accounts.testing import assert_hidden_from
from healthchecks import alerting, tasks
from healthchecks.models import Alarm, HealthCheck, Notification, SmsOutboxMessage, Subscription

from .conftest import http_check

CHECK = {
    "name": "api web",
    "check_type": "http_str_match",
    "ip_address": "127.0.0.1",
    "port": 8081,
    "resource_path": "/health",
    "search_string": "ok",
    "request_interval_seconds": 10,
    "failure_threshold": 2,
    "timeout_seconds": 2.0,
}


def test_create_list_update_and_delete_a_check(owner_api):
    created = owner_api.post("/api/v1/healthchecks", CHECK, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["is_healthy"] is True
    assert body["regions"] == ["us-east-1", "eu-west-1", "ap-southeast-1"]
    check = HealthCheck.objects.get(pk=body["id"])
    assert check.region_states.count() == 3
    assert [row["id"] for row in owner_api.get("/api/v1/healthchecks").json()["results"]] == [check.pk]
    patched = owner_api.patch(f"/api/v1/healthchecks/{check.pk}", {"failure_threshold": 5}, format="json")
    assert patched.status_code == 200
    assert patched.json()["failure_threshold"] == 5
    assert owner_api.delete(f"/api/v1/healthchecks/{check.pk}").status_code == 204
    assert not HealthCheck.objects.filter(pk=check.pk).exists()


def test_settings_left_out_take_the_defaults_the_schema_gives(owner_api, settings):
    response = owner_api.post(
        "/api/v1/healthchecks",
        {"name": "minimal", "check_type": "tcp", "ip_address": "192.0.2.1", "port": 443},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["request_interval_seconds"], body["failure_threshold"]) == (30, 3)
    assert body["regions"] == list(settings.HEALTHCHECK_REGIONS)


def test_bad_check_settings_answer_400_by_field(owner_api):
    cases = [
        ({"port": 0}, "port", "port: 0 is not a valid port; use 1 to 65535"),
        (
            {"failure_threshold": 11},
            "failure_threshold",
            "failure_threshold: 11 is out of range; use 1 to 10",
        ),
        (
            {"resource_path": "x"},
            "resource_path",
            "resource_path: x must start with / and contain no spaces or control characters",
        ),
        (
            {"regions": ["moon-1"]},
            "regions",
            "regions: moon-1 is not a checker region; choose from us-east-1, eu-west-1, ap-southeast-1",
        ),
    ]
    for change, field, message in cases:
        response = owner_api.post("/api/v1/healthchecks", {**CHECK, **change}, format="json")
        assert response.status_code == 400
        assert response.json()[field] == [message]


def test_a_calculated_check_cannot_include_itself_via_the_api(owner_api, owner):
    child = http_check(owner, 8081)
    calc = owner_api.post(
        "/api/v1/healthchecks",
        {
            "name": "calc",
            "check_type": "calculated",
            "child_checks": [child.pk],
            "healthy_children_threshold": 1,
            "request_interval_seconds": 30,
        },
        format="json",
    ).json()
    response = owner_api.patch(
        f"/api/v1/healthchecks/{calc['id']}", {"child_checks": [child.pk, calc["id"]]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "child_checks": ["child_checks: a calculated check cannot include itself, directly or not"]
    }


def test_check_status_and_latency(owner_api, owner):
    check = http_check(owner, 8081)
    status = owner_api.get(f"/api/v1/healthchecks/{check.pk}/status").json()
    assert status["is_healthy"] is True
    assert [region["region"] for region in status["regions"]] == ["ap-southeast-1", "eu-west-1", "us-east-1"]
    assert (
        status["timeline"][0]["reason"] == "0 of 3 regions healthy"
        or status["timeline"][0]["is_healthy"] is True
    )
    latency = owner_api.get(f"/api/v1/healthchecks/{check.pk}/latency?window=day").json()
    assert (latency["window"], latency["series"]) == ("day", {})


def test_another_users_checks_are_hidden(other_api, owner):
    check = http_check(owner, 8081)
    base = f"/api/v1/healthchecks/{check.pk}"
    assert_hidden_from(
        other_api,
        [
            ("get", base),
            ("patch", base, {"name": "x"}),
            ("delete", base),
            ("get", f"{base}/status"),
            ("get", f"{base}/latency"),
        ],
    )
    assert other_api.get("/api/v1/healthchecks").json()["results"] == []


def test_wrong_methods_answer_405(owner_api, owner):
    check = http_check(owner, 8081)
    assert owner_api.put("/api/v1/healthchecks", CHECK, format="json").status_code == 405
    assert owner_api.post(f"/api/v1/healthchecks/{check.pk}/status").status_code == 405
    assert owner_api.put("/api/v1/alert-notifications/1", {}).status_code in (404, 405)
    assert owner_api.post("/api/v1/alert-notifications", {}).status_code == 405
    assert owner_api.post("/api/v1/sms-outbox", {}).status_code == 405


def test_topics_and_subscriptions(owner_api, owner, settings, eager_tasks):
    settings.SMS_GATEWAY_URL = ""
    topic = owner_api.post("/api/v1/alert-topics", {"name": "ops"}, format="json")
    assert topic.status_code == 201
    topic_id = topic.json()["id"]
    duplicate = owner_api.post("/api/v1/alert-topics", {"name": "ops"}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json() == {"name": ["name: you already have a topic named ops"]}

    bad = owner_api.post(
        "/api/v1/alert-subscriptions",
        {"topic": topic_id, "protocol": "sms", "endpoint": "555-0100"},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json() == {
        "endpoint": ["endpoint: 555-0100 is not a phone number in E.164 form, such as +14155550123"]
    }

    created = owner_api.post(
        "/api/v1/alert-subscriptions",
        {"topic": topic_id, "protocol": "sms", "endpoint": "+14155550123"},
        format="json",
    )
    tasks.dispatch_confirmations()
    assert created.status_code == 201
    assert created.json()["is_confirmed"] is False
    subscription_id = created.json()["id"]
    wrong = owner_api.post(
        f"/api/v1/alert-subscriptions/{subscription_id}/confirm", {"code": "12345x"}, format="json"
    )
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["code"]
    code = re.search(r"\b(\d{6})\b", SmsOutboxMessage.objects.get().body).group(1)
    confirmed = owner_api.post(
        f"/api/v1/alert-subscriptions/{subscription_id}/confirm", {"code": code}, format="json"
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["is_confirmed"] is True
    again = owner_api.post(f"/api/v1/alert-subscriptions/{subscription_id}/resend")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["+14155550123 is already confirmed"]}
    outbox = owner_api.get("/api/v1/sms-outbox").json()["results"]
    assert outbox[0]["to_number"] == "+14155550123"


def test_subscriptions_resend_answers_202(owner_api, owner):
    topic = alerting.create_topic(owner=owner, name="ops")
    subscription = Subscription.objects.create(topic=topic, protocol="email", endpoint="a@example.com")
    response = owner_api.post(f"/api/v1/alert-subscriptions/{subscription.pk}/resend")
    assert response.status_code == 202
    # One confirmation waits for the dispatcher.
    assert [pk for pk, _, _ in alerting.claim_pending_confirmations()] == [subscription.pk]


def test_another_users_topics_subscriptions_and_alarms_are_hidden(other_api, owner):
    topic = alerting.create_topic(owner=owner, name="ops")
    subscription = Subscription.objects.create(topic=topic, protocol="email", endpoint="a@example.com")
    check = http_check(owner, 8081)
    alarm = alerting.create_alarm(owner=owner, name="down", topic=topic, health_check=check)
    assert_hidden_from(
        other_api,
        [
            ("get", f"/api/v1/alert-topics/{topic.pk}"),
            ("delete", f"/api/v1/alert-topics/{topic.pk}"),
            ("get", f"/api/v1/alert-subscriptions/{subscription.pk}"),
            ("post", f"/api/v1/alert-subscriptions/{subscription.pk}/confirm", {"code": "123456"}),
            ("post", f"/api/v1/alert-subscriptions/{subscription.pk}/resend"),
            ("delete", f"/api/v1/alert-subscriptions/{subscription.pk}"),
            ("get", f"/api/v1/alarms/{alarm.pk}"),
            ("patch", f"/api/v1/alarms/{alarm.pk}", {"name": "mine"}),
            ("delete", f"/api/v1/alarms/{alarm.pk}"),
        ],
    )
    # Nor can another user subscribe to the topic or point an alarm at the check.
    response = other_api.post(
        "/api/v1/alert-subscriptions",
        {"topic": topic.pk, "protocol": "email", "endpoint": "x@example.com"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"topic": [f'Invalid pk "{topic.pk}" - object does not exist.']}


def test_alarms(owner_api, owner):
    topic = alerting.create_topic(owner=owner, name="ops")
    check = http_check(owner, 8081)
    created = owner_api.post(
        "/api/v1/alarms",
        {"name": "web down", "topic": topic.pk, "health_check": check.pk, "quiet_period_seconds": 60},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["state"] == "ok"
    bad = owner_api.post(
        "/api/v1/alarms",
        {"name": "x", "topic": topic.pk, "health_check": check.pk, "quiet_period_seconds": 100000},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json() == {
        "quiet_period_seconds": ["quiet_period_seconds: 100000 is out of range; use 0 to 86400"]
    }
    nothing = owner_api.post("/api/v1/alarms", {"name": "x", "topic": topic.pk}, format="json")
    assert nothing.status_code == 400
    assert nothing.json() == {
        "health_check": ["health_check: choose a health check or a domain (one of them)"]
    }
    alarm_id = created.json()["id"]
    renamed = owner_api.patch(f"/api/v1/alarms/{alarm_id}", {"name": "web is down"}, format="json")
    assert renamed.json()["name"] == "web is down"
    assert owner_api.delete(f"/api/v1/alarms/{alarm_id}").status_code == 204
    assert not Alarm.objects.exists()


def test_notification_history_is_per_user(owner_api, other_api, owner):
    topic = alerting.create_topic(owner=owner, name="ops")
    subscription = Subscription.objects.create(
        topic=topic, protocol="email", endpoint="a@example.com", confirmed_at=timezone.now()
    )
    alarm = Alarm.objects.create(owner=owner, name="down", topic=topic)
    event = alarm.events.create(state="alarm", reason="test")
    notification = Notification.objects.create(
        event=event,
        subscription=subscription,
        owner=owner,
        protocol="email",
        endpoint="a@example.com",
        state="sent",
    )
    rows = owner_api.get("/api/v1/alert-notifications").json()["results"]
    assert [(row["id"], row["state"], row["event_state"]) for row in rows] == [
        (notification.pk, "sent", "alarm")
    ]
    assert other_api.get("/api/v1/alert-notifications").json()["results"] == []
    assert_hidden_from(other_api, [("get", f"/api/v1/alert-notifications/{notification.pk}")])
