"""Alarms on a domain's expiry: healthchecks reads registrar.Domain through the alarm, never writes it."""

from datetime import timedelta

import pytest
from celery import current_app
from django.utils import timezone

from healthchecks import alerting, tasks
from healthchecks.models import Alarm, Subscription
from registrar.models import Domain


@pytest.fixture
def eager_tasks():
    """Tasks run in-process when enqueued, so the alarm dispatcher, called as beat would, delivers."""
    current_app.conf.task_always_eager = True
    current_app.conf.task_eager_propagates = True
    yield
    current_app.conf.task_always_eager = False
    current_app.conf.task_eager_propagates = False


def _domain(owner, days: int) -> Domain:
    # Test data standing in for a domain the registrar app bought.
    return Domain.objects.create(
        owner=owner,
        name="example-shop.test",
        unicode_name="example-shop.test",
        expires_at=timezone.now() + timedelta(days=days),
    )


def test_an_expiring_domain_sends_an_alarm_mail(owner, mailoutbox_smtp, eager_tasks):
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
    assert alerting.evaluate_domain_expiry_alarms() == 1
    tasks.dispatch_alarm_events()
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
