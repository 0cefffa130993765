"""Console pages: success, bad input beside its field, another user's objects (404), wrong method."""

from django.test import Client
from django.utils import timezone

from accounts.testing import assert_hidden_from
from healthchecks import alerting, demo
from healthchecks.models import Alarm, HealthCheck, ProbeResult, Subscription, Topic

from .conftest import http_check

FORM = {
    "name": "shop",
    "check_type": "http",
    "ip_address": "127.0.0.1",
    "port": "8081",
    "resource_path": "/health",
    "request_interval_seconds": "30",
    "failure_threshold": "3",
    "timeout_seconds": "4",
    "regions": ["us-east-1", "eu-west-1"],
}


def test_pages_need_a_log_in(db):
    for url in ("/healthchecks/", "/healthchecks/new/", "/alerts/", "/alerts/alarms/", "/alerts/history/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")


def test_empty_states_say_what_to_do(owner_client):
    assert "No health checks yet. Create one" in owner_client.get("/healthchecks/").content.decode()
    assert "No topics yet. Create one above" in owner_client.get("/alerts/").content.decode()
    assert "No alarms yet." in owner_client.get("/alerts/alarms/").content.decode()
    assert "No messages sent yet." in owner_client.get("/alerts/history/").content.decode()
    assert "No text messages yet." in owner_client.get("/alerts/sms-outbox/").content.decode()


def test_create_a_check_from_the_console(owner_client, owner):
    response = owner_client.post("/healthchecks/new/", FORM)
    check = HealthCheck.objects.get(owner=owner)
    assert response.status_code == 302
    assert response["Location"] == f"/healthchecks/{check.pk}/"
    assert sorted(check.regions) == ["eu-west-1", "us-east-1"]
    page = owner_client.get(f"/healthchecks/{check.pk}/").content.decode()
    assert "http://127.0.0.1:8081/health" in page
    assert "us-east-1" in page
    listing = owner_client.get("/healthchecks/").content.decode()
    assert 'class="badge ok">Healthy' in listing


def test_bad_settings_are_shown_beside_their_field_with_input_kept(owner_client):
    response = owner_client.post("/healthchecks/new/", {**FORM, "port": "0", "failure_threshold": "11"})
    assert response.status_code == 200
    page = response.content.decode()
    assert '<p class="error">0 is not a valid port; use 1 to 65535</p>' in page
    assert '<p class="error">11 is out of range; use 1 to 10</p>' in page
    assert "port: " not in page and "failure_threshold: " not in page
    assert 'value="shop"' in page
    assert not HealthCheck.objects.exists()


def test_edit_disable_and_delete(owner_client, owner):
    check = http_check(owner, 8081)
    edit = owner_client.post(f"/healthchecks/{check.pk}/edit/", {**FORM, "name": "renamed"})
    assert edit.status_code == 302
    check.refresh_from_db()
    assert check.name == "renamed"
    owner_client.post(f"/healthchecks/{check.pk}/disable/", {"is_disabled": "1"})
    check.refresh_from_db()
    assert check.is_disabled is True
    owner_client.post(f"/healthchecks/{check.pk}/disable/", {"is_disabled": "0"})
    check.refresh_from_db()
    assert check.is_disabled is False
    assert owner_client.get(f"/healthchecks/{check.pk}/delete/").status_code == 200
    assert owner_client.post(f"/healthchecks/{check.pk}/delete/").status_code == 302
    assert not HealthCheck.objects.exists()


def test_detail_shows_the_latency_chart_data(owner_client, owner):
    check = http_check(owner, 8081)
    ProbeResult.objects.create(
        health_check=check, region="us-east-1", is_success=True, status_code=200, latency_ms=42
    )
    page = owner_client.get(f"/healthchecks/{check.pk}/").content.decode()
    assert f"/healthchecks/{check.pk}/chart.json" in page and "console/charts.js" in page
    data = owner_client.get(f"/healthchecks/{check.pk}/latency.json?window=week").json()
    assert data["series"]["us-east-1"][0]["latency_ms"] == 42


def test_wrong_methods_answer_405(owner_client, owner):
    check = http_check(owner, 8081)
    assert owner_client.get(f"/healthchecks/{check.pk}/disable/").status_code == 405
    assert owner_client.post(f"/healthchecks/{check.pk}/").status_code == 405
    assert owner_client.get("/healthchecks/demo-target/").status_code == 405
    assert owner_client.post("/alerts/history/").status_code == 405


def test_another_users_pages_are_404(other_client, owner):
    check = http_check(owner, 8081)
    topic = alerting.create_topic(owner=owner, name="ops")
    subscription = Subscription.objects.create(topic=topic, protocol="sms", endpoint="+14155550123")
    alarm = alerting.create_alarm(owner=owner, name="down", topic=topic, health_check=check)
    assert_hidden_from(
        other_client,
        [
            ("get", f"/healthchecks/{check.pk}/"),
            ("get", f"/healthchecks/{check.pk}/edit/"),
            ("post", f"/healthchecks/{check.pk}/disable/"),
            ("post", f"/healthchecks/{check.pk}/delete/"),
            ("get", f"/healthchecks/{check.pk}/latency.json"),
            ("get", f"/alerts/topics/{topic.pk}/"),
            ("post", f"/alerts/topics/{topic.pk}/delete/"),
            ("post", f"/alerts/subscriptions/{subscription.pk}/resend/"),
            ("post", f"/alerts/subscriptions/{subscription.pk}/confirm/"),
            ("post", f"/alerts/subscriptions/{subscription.pk}/delete/"),
            ("get", f"/alerts/alarms/{alarm.pk}/"),
            ("post", f"/alerts/alarms/{alarm.pk}/delete/"),
        ],
    )
    assert HealthCheck.objects.filter(pk=check.pk).exists()
    assert "No health checks yet" in other_client.get("/healthchecks/").content.decode()


def test_topics_subscriptions_and_alarms_from_the_console(owner_client, owner):
    response = owner_client.post("/alerts/", {"name": "ops"})
    topic = Topic.objects.get(owner=owner)
    assert response["Location"] == f"/alerts/topics/{topic.pk}/"
    bad = owner_client.post(f"/alerts/topics/{topic.pk}/", {"protocol": "email", "endpoint": "nobody"})
    assert "nobody is not an e-mail address" in bad.content.decode()
    owner_client.post(f"/alerts/topics/{topic.pk}/", {"protocol": "email", "endpoint": "ops@example.com"})
    page = owner_client.get(f"/alerts/topics/{topic.pk}/").content.decode()
    assert "ops@example.com" in page and "Pending confirmation" in page
    check = http_check(owner, 8081)
    created = owner_client.post(
        "/alerts/alarms/",
        {"name": "shop down", "health_check": check.pk, "topic": topic.pk, "quiet_period_seconds": 0},
    )
    assert created.status_code == 302
    alarm = Alarm.objects.get(owner=owner)
    assert (
        owner_client.post(
            f"/alerts/alarms/{alarm.pk}/", {"name": "x", "topic": topic.pk, "quiet_period_seconds": -1}
        ).status_code
        == 200
    )
    edited = owner_client.post(
        f"/alerts/alarms/{alarm.pk}/", {"name": "shop is down", "topic": topic.pk, "quiet_period_seconds": 30}
    )
    assert edited.status_code == 302
    alarm.refresh_from_db()
    assert (alarm.name, alarm.quiet_period_seconds) == ("shop is down", 30)


def test_alarm_form_refuses_an_alarm_without_a_check(owner_client, owner):
    topic = alerting.create_topic(owner=owner, name="ops")
    response = owner_client.post(
        "/alerts/alarms/", {"name": "x", "topic": topic.pk, "quiet_period_seconds": 0}
    )
    page = response.content.decode()
    assert '<p class="error">choose a health check or a domain (one of them)</p>' in page
    assert "health_check: " not in page


def test_sms_code_confirmation_from_the_console(owner_client, owner):
    topic = alerting.create_topic(owner=owner, name="ops")
    subscription = Subscription.objects.create(topic=topic, protocol="sms", endpoint="+14155550123")
    response = owner_client.post(
        f"/alerts/subscriptions/{subscription.pk}/confirm/", {"code": "123456"}, follow=True
    )
    assert "no code was sent; ask for a new one" in response.content.decode()
    subscription.confirmed_at = timezone.now()
    subscription.save()
    owner_client.post(f"/alerts/subscriptions/{subscription.pk}/delete/")
    assert not Subscription.objects.exists()


def test_demo_target_switch(owner_client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    owner_client.post("/healthchecks/demo-target/", {"is_up": "0"})
    assert demo.is_demo_primary_up() is False
    assert "Switch the primary on" in owner_client.get("/healthchecks/").content.decode()
    owner_client.post("/healthchecks/demo-target/", {"is_up": "1"})
    assert demo.is_demo_primary_up() is True


def test_demo_data_loads_once(owner, settings):
    first = demo.load_demo_checks(owner)
    again = demo.load_demo_checks(owner)
    assert first == again
    assert first["primary"].target_label() == "http://127.0.0.1:8081/health"
    topic = Topic.objects.get(owner=owner, name=demo.DEMO_TOPIC)
    assert [s.is_confirmed for s in topic.subscriptions.all()] == [True]
    assert Alarm.objects.filter(owner=owner).count() == 2
