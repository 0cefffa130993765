"""Alarms end to end: real SMTP (aiosmtpd) and a local HTTP SMS gateway, messages read back.

The tests play beat where it matters: they call the dispatchers, whose enqueued tasks run eagerly.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.test import Client
from django.utils import timezone

from healthchecks import alerting, services, tasks
from healthchecks.models import Alarm, AlarmEvent, Notification, SmsOutboxMessage, Subscription

from .conftest import http_check
from .test_scheduling import run_round

MOBILE = "+14155550123"


def mail_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def confirm_email(sink, subscription: Subscription, index: int) -> None:
    """Follow the link in the confirmation mail, logged out, as the recipient would."""
    text = mail_text(sink.wait_for(index + 1)[index])
    path = re.search(r"https?://[^/\s]+(/alerts/confirm/\S+/)", text).group(1)
    response = Client().post(path)
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.is_confirmed


def confirm_sms(gateway, subscription: Subscription) -> None:
    body = gateway.requests[-1]["form"]["Body"]
    code = re.search(r"\b(\d{6})\b", body).group(1)
    alerting.confirm_by_code(subscription=subscription, code=code)
    subscription.refresh_from_db()
    assert subscription.is_confirmed


def test_alert_on_unhealthy_and_on_recovery_by_email_and_sms(
    owner, target, closed_port, mailoutbox_smtp, sms_gateway, eager_tasks, django_capture_on_commit_callbacks
):
    topic = alerting.create_topic(owner=owner, name="on-call")
    by_mail = alerting.subscribe(topic=topic, protocol="email", endpoint="ops@example.com")
    by_sms = alerting.subscribe(topic=topic, protocol="sms", endpoint=MOBILE)
    tasks.dispatch_confirmations()
    confirm_email(mailoutbox_smtp, by_mail, 0)
    confirm_sms(sms_gateway, by_sms)
    check = http_check(owner, closed_port, name="shop web")
    alerting.create_alarm(owner=owner, name="shop down", topic=topic, health_check=check)

    with django_capture_on_commit_callbacks(execute=True):
        run_round(check)
    tasks.dispatch_alarm_events()
    alarm_mail = mailoutbox_smtp.wait_for(2)[1]
    assert alarm_mail["Subject"] == "ALARM: shop down"
    assert alarm_mail["To"] == "ops@example.com"
    assert "shop web: 0 of 3 regions healthy" in mail_text(alarm_mail)
    assert "/alerts/unsubscribe/" in mail_text(alarm_mail)
    alarm_sms = sms_gateway.requests[-1]
    assert alarm_sms["form"]["To"] == MOBILE
    assert alarm_sms["form"]["From"] == "+14155550100"
    assert alarm_sms["form"]["Body"].startswith("Nameplate ALARM: shop down.")
    assert alarm_sms["auth"].startswith("Basic ")

    services.update_health_check(check=check, data={"port": target.port})
    with django_capture_on_commit_callbacks(execute=True):
        run_round(check)
    tasks.dispatch_alarm_events()
    recovery_mail = mailoutbox_smtp.wait_for(3)[2]
    assert recovery_mail["Subject"] == "OK: shop down"
    assert sms_gateway.requests[-1]["form"]["Body"].startswith("Nameplate OK: shop down.")
    assert len(sms_gateway.requests) == 3  # the code, the alarm, the recovery
    states = list(Notification.objects.order_by("id").values_list("protocol", "state"))
    assert sorted(states) == [("email", "sent"), ("email", "sent"), ("sms", "sent"), ("sms", "sent")]


def _alarm_with(owner, subscriptions: list[tuple[str, str, bool]], quiet: int = 0) -> Alarm:
    topic = alerting.create_topic(owner=owner, name=f"topic {Alarm.objects.count()}")
    for protocol, endpoint, confirmed in subscriptions:
        Subscription.objects.create(
            topic=topic,
            protocol=protocol,
            endpoint=endpoint,
            confirmed_at=timezone.now() if confirmed else None,
        )
    return Alarm.objects.create(owner=owner, name="db down", topic=topic, quiet_period_seconds=quiet)


def _fire(alarm: Alarm, state: str) -> AlarmEvent:
    return alerting.set_alarm_state(alarm=alarm, state=state, reason="test")


def test_retry_after_a_transport_failure_delivers_once(owner, sms_gateway):
    alarm = _alarm_with(owner, [("sms", MOBILE, True)])
    event = _fire(alarm, Alarm.ALARM)
    [notification_id] = alerting.announce_alarm_event(event_id=event.pk)
    sms_gateway.script.extend([503])
    # Run in-process, the task's retry runs at once instead of after its back-off.
    assert tasks.deliver_notification.apply(args=(notification_id,)).get() == "sent"
    # A duplicate copy of the task (a redelivery) sends nothing more.
    assert tasks.deliver_notification.apply(args=(notification_id,)).get() == "sent"
    assert [request["status"] for request in sms_gateway.requests] == [503, 201]
    notification = Notification.objects.get(pk=notification_id)
    assert (notification.state, notification.attempts, notification.last_error) == ("sent", 2, "")


def test_an_attempt_made_again_after_a_crash_carries_the_same_message_id(owner, sms_gateway, mailoutbox_smtp):
    """A worker that dies after the mail server took the alert and before the row said so leaves
    the attempt to be made again; the repeat is the same message (one Message-ID, one
    Idempotency-Key), so the mailbox and the gateway can tell it is not a second alert."""
    alarm = _alarm_with(owner, [("email", "ops@example.com", True), ("sms", MOBILE, True)])
    event = _fire(alarm, Alarm.ALARM)
    notification_ids = alerting.announce_alarm_event(event_id=event.pk)
    for notification_id in notification_ids:
        assert tasks.deliver_notification.apply(args=(notification_id,)).get() == "sent"
        # What the crash leaves behind: the attempt claimed, its outcome not recorded, and
        # (when the task comes again) older than the task's hard time limit.
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.SENDING,
            sending_since=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1),
        )
        assert tasks.deliver_notification.apply(args=(notification_id,)).get() == "sent"

    first, again = mailoutbox_smtp.wait_for(2)
    assert first["Message-ID"] == again["Message-ID"]
    assert re.fullmatch(rf"<nameplate-alert-{event.pk}-\d+@[^>]+>", first["Message-ID"])
    keys = [request["idempotency_key"] for request in sms_gateway.requests]
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0].startswith(f"nameplate-alert-{event.pk}-")
    other = _fire(alarm, Alarm.OK)
    for notification_id in alerting.announce_alarm_event(event_id=other.pk):
        assert tasks.deliver_notification.apply(args=(notification_id,)).get() == "sent"
    assert mailoutbox_smtp.wait_for(3)[2]["Message-ID"] != first["Message-ID"]


def test_a_copy_of_the_task_that_comes_while_an_attempt_is_in_flight_sends_nothing(owner, sms_gateway):
    alarm = _alarm_with(owner, [("sms", MOBILE, True)])
    event = _fire(alarm, Alarm.ALARM)
    [notification_id] = alerting.announce_alarm_event(event_id=event.pk)
    # The first copy has claimed the attempt and is still talking to the gateway.
    Notification.objects.filter(pk=notification_id).update(
        state=Notification.SENDING, attempts=1, sending_since=timezone.now()
    )
    assert tasks.deliver_notification.apply(args=(notification_id,)).get() == "claimed elsewhere"
    assert sms_gateway.requests == []
    assert Notification.objects.get(pk=notification_id).attempts == 1


def test_a_permanent_failure_is_recorded_and_not_retried(owner, sms_gateway):
    alarm = _alarm_with(owner, [("sms", MOBILE, True)])
    event = _fire(alarm, Alarm.ALARM)
    [notification_id] = alerting.announce_alarm_event(event_id=event.pk)
    sms_gateway.script.extend([400])
    assert tasks.deliver_notification.apply(args=(notification_id,)).get() == "failed"
    assert tasks.deliver_notification.apply(args=(notification_id,)).get() == "failed"
    notification = Notification.objects.get(pk=notification_id)
    assert notification.state == "failed"
    assert notification.last_error.startswith("SMS gateway refused the message (400)")
    assert len(sms_gateway.requests) == 1


def test_unconfirmed_subscriptions_get_nothing(owner, sms_gateway, mailoutbox_smtp):
    alarm = _alarm_with(owner, [("sms", MOBILE, False), ("email", "late@example.com", False)])
    event = _fire(alarm, Alarm.ALARM)
    assert alerting.announce_alarm_event(event_id=event.pk) == []
    assert Notification.objects.count() == 0
    assert sms_gateway.requests == []
    assert mailoutbox_smtp.messages == []


def test_announcing_an_event_twice_creates_one_notification_each(owner):
    alarm = _alarm_with(owner, [("email", "a@example.com", True), ("sms", MOBILE, True)])
    event = _fire(alarm, Alarm.ALARM)
    first = alerting.announce_alarm_event(event_id=event.pk)
    second = alerting.announce_alarm_event(event_id=event.pk)
    assert len(first) == 2
    assert sorted(second) == sorted(first)
    assert Notification.objects.count() == 2


def test_a_flap_inside_the_quiet_period_sends_one_message(owner):
    alarm = _alarm_with(owner, [("email", "a@example.com", True)], quiet=300)
    events = [_fire(alarm, state) for state in (Alarm.ALARM, Alarm.OK, Alarm.ALARM)]
    sent = [alerting.announce_alarm_event(event_id=event.pk) for event in events]
    assert [len(ids) for ids in sent] == [1, 0, 0]
    assert [e.delivery for e in AlarmEvent.objects.order_by("id")] == ["sent", "suppressed", "suppressed"]


def test_a_flap_that_ends_where_it_began_sends_nothing(owner):
    alarm = _alarm_with(owner, [("email", "a@example.com", True)], quiet=300)
    events = [_fire(alarm, state) for state in (Alarm.ALARM, Alarm.OK)]
    assert [alerting.announce_alarm_event(event_id=event.pk) for event in events] == [[], []]


def test_sms_code_wrong_then_right(owner, settings, eager_tasks):
    settings.SMS_GATEWAY_URL = ""
    topic = alerting.create_topic(owner=owner, name="texts")
    subscription = alerting.subscribe(topic=topic, protocol="sms", endpoint=MOBILE)
    tasks.dispatch_confirmations()
    text = SmsOutboxMessage.objects.get(to_number=MOBILE)
    assert text.owner == owner
    code = re.search(r"\b(\d{6})\b", text.body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    try:
        alerting.confirm_by_code(subscription=subscription, code=wrong)
    except alerting.InvalidConfirmation as error:
        assert (error.field, error.message) == ("code", f"code: {wrong} is not the code we sent")
    subscription.refresh_from_db()
    assert (subscription.is_confirmed, subscription.code_attempts) == (False, 1)
    alerting.confirm_by_code(subscription=subscription, code=code)
    subscription.refresh_from_db()
    assert subscription.is_confirmed


def test_too_many_wrong_codes_lock_the_code(owner, settings, eager_tasks):
    settings.SMS_GATEWAY_URL = ""
    topic = alerting.create_topic(owner=owner, name="texts")
    subscription = alerting.subscribe(topic=topic, protocol="sms", endpoint=MOBILE)
    tasks.dispatch_confirmations()
    code = re.search(r"\b(\d{6})\b", SmsOutboxMessage.objects.get().body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(Subscription.MAX_CODE_ATTEMPTS):
        try:
            alerting.confirm_by_code(subscription=subscription, code=wrong)
        except alerting.InvalidConfirmation:
            continue
    try:
        alerting.confirm_by_code(subscription=subscription, code=code)
    except alerting.InvalidConfirmation as error:
        assert error.message == "code: too many wrong codes; remove the number and add it again"
    subscription.refresh_from_db()
    assert not subscription.is_confirmed


def test_unsubscribe_link_works_without_logging_in(owner):
    alarm = _alarm_with(owner, [("email", "a@example.com", True)])
    subscription = alarm.topic.subscriptions.get()
    url = alerting.unsubscribe_url(subscription)
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200
    assert b"Unsubscribe" in page.content
    done = anonymous.post(url)
    assert done.status_code == 200
    assert b"a@example.com" in done.content
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    again = anonymous.post(url)
    assert again.status_code == 400
    assert b"You are already unsubscribed." in again.content


def test_a_forged_confirmation_link_is_refused(db):
    response = Client().post("/alerts/confirm/not-a-token/")
    assert response.status_code == 400
    assert b"This confirmation link is not valid." in response.content


def test_an_address_unsubscribed_before_delivery_gets_nothing(owner, sms_gateway):
    alarm = _alarm_with(owner, [("sms", MOBILE, True)])
    event = _fire(alarm, Alarm.ALARM)
    [notification_id] = alerting.announce_alarm_event(event_id=event.pk)
    alerting.unsubscribe(
        alerting.unsubscribe_url(alarm.topic.subscriptions.get()).rstrip("/").rsplit("/", 1)[1]
    )
    assert tasks.deliver_notification.apply(args=(notification_id,)).get() == "failed"
    assert sms_gateway.requests == []
    assert Notification.objects.get(pk=notification_id).last_error == "unsubscribed before delivery"


def test_the_alarm_dispatcher_announces_a_due_event_once(owner, mailoutbox_smtp, eager_tasks):
    alarm = _alarm_with(owner, [("email", "a@example.com", True)])
    _fire(alarm, Alarm.ALARM)
    assert tasks.dispatch_alarm_events() == 1
    # The event is claimed: the next run, or a second dispatcher, finds nothing to announce.
    assert tasks.dispatch_alarm_events() == 0
    assert mailoutbox_smtp.wait_for(1)[0]["Subject"] == "ALARM: db down"
    assert list(Notification.objects.values_list("state", flat=True)) == ["sent"]


def test_the_alarm_dispatcher_waits_out_the_quiet_period(owner):
    alarm = _alarm_with(owner, [("email", "a@example.com", True)], quiet=300)
    event = _fire(alarm, Alarm.ALARM)
    assert alerting.due_alarm_event_ids() == []
    assert alerting.due_alarm_event_ids(now=event.announce_at) == [event.pk]


def test_a_confirmation_is_sent_once_per_request(owner, settings, eager_tasks):
    settings.SMS_GATEWAY_URL = ""
    topic = alerting.create_topic(owner=owner, name="texts")
    subscription = alerting.subscribe(topic=topic, protocol="sms", endpoint=MOBILE)
    assert tasks.dispatch_confirmations() == 1
    assert tasks.dispatch_confirmations() == 0
    alerting.resend_confirmation(subscription=subscription)
    assert tasks.dispatch_confirmations() == 1
    assert SmsOutboxMessage.objects.filter(to_number=MOBILE).count() == 2
