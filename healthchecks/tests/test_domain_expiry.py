"""Alarms on a domain's expiry (registrar.Domain is read, never written, by this app)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from healthchecks import alerting, rules
from healthchecks.models import Alarm, Subscription
from registrar.models import Domain

NOW = timezone.now()


@pytest.mark.parametrize(
    ("expires_in_days", "warning_days", "expected"),
    [(60, 30, False), (30, 30, True), (10, 30, True), (-1, 30, True), (None, 30, False), (8, 7, False)],
)
def test_expiry_alarm_rule(expires_in_days, warning_days, expected):
    expires_at = None if expires_in_days is None else NOW + timedelta(days=expires_in_days)
    assert rules.is_expiry_alarming(expires_at, now=NOW, warning_days=warning_days) is expected


def _domain(owner, days: int) -> Domain:
    # Test data standing in for a domain the registrar app bought.
    return Domain.objects.create(
        owner=owner,
        name="example-shop.test",
        unicode_name="example-shop.test",
        expires_at=timezone.now() + timedelta(days=days),
    )


def test_an_expiring_domain_sends_an_alarm_mail(
    owner, mailoutbox_smtp, eager_tasks, django_capture_on_commit_callbacks
):
    domain = _domain(owner, 60)
    topic = alerting.create_topic(owner=owner, name="billing")
    Subscription.objects.create(
        topic=topic, protocol="email", endpoint="billing@example.com", confirmed_at=timezone.now()
    )
    alarm = alerting.create_alarm(
        owner=owner, name="renew shop", topic=topic, domain=domain, expiry_warning_days=30
    )
    assert alarm.state == Alarm.OK
    assert alerting.evaluate_domain_expiry_alarms() == 0
    Domain.objects.filter(pk=domain.pk).update(expires_at=timezone.now() + timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert alerting.evaluate_domain_expiry_alarms() == 1
    mail = mailoutbox_smtp.wait_for(1)[0]
    assert mail["Subject"] == "ALARM: renew shop"
    assert "example-shop.test expires on" in mail.get_body(preferencelist=("plain",)).get_content()
    alarm.refresh_from_db()
    assert alarm.state == Alarm.ALARM


def test_another_users_domain_cannot_be_watched(owner, other_user, other_api):
    domain = _domain(owner, 60)
    topic = alerting.create_topic(owner=other_user, name="mine")
    with pytest.raises(alerting.AlertError) as error:
        alerting.create_alarm(owner=other_user, name="x", topic=topic, domain=domain)
    assert (error.value.field, error.value.message) == ("domain", "domain: choose one of your domains")
    response = other_api.post(
        "/api/v1/alarms", {"name": "x", "topic": topic.pk, "domain": domain.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"domain": [f'Invalid pk "{domain.pk}" - object does not exist.']}


def test_expiry_warning_days_must_be_sensible(owner):
    domain = _domain(owner, 60)
    topic = alerting.create_topic(owner=owner, name="billing")
    with pytest.raises(alerting.AlertError) as error:
        alerting.create_alarm(owner=owner, name="x", topic=topic, domain=domain, expiry_warning_days=0)
    assert error.value.message == "expiry_warning_days: 0 is out of range; use 1 to 365"
