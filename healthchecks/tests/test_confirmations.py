"""Confirmation resends, played as an attacker would: a burst of resends to flood a number, resends
to buy more guesses at the code, subscriptions to spend the account's texts.

And a dispatcher that dies between claiming and enqueueing: the next run sends what it lost, once.
The texts are read back from a local SMS gateway, the mails from a local SMTP sink.
"""

import re
import threading
from collections import Counter
from datetime import datetime, timedelta

import httpx
import pytest
from django.db import connection
from django.utils import timezone

from accounts.testing import api_client_for, make_user
from healthchecks import alerting, tasks
from healthchecks.models import Alarm, AlarmEvent, Notification, Subscription

from .test_alerts import MOBILE

RESENDS = 20
MINUTE_LIMIT = re.compile(rf"Resends to \{MOBILE} are limited to 1 a minute; try again in (\d+) seconds\.")


def texts(gateway) -> list[str]:
    return [request["form"]["Body"] for request in gateway.requests]


def code_in(body: str) -> str:
    return re.search(r"\b(\d{6})\b", body).group(1)


def sms_subscription(owner, endpoint: str = MOBILE) -> Subscription:
    topic = alerting.create_topic(owner=owner, name=f"on-call {Subscription.objects.count()}")
    return alerting.subscribe(topic=topic, protocol="sms", endpoint=endpoint)


@pytest.mark.django_db(transaction=True)
def test_twenty_resends_in_a_second_send_exactly_one_sms(live_server, sms_gateway, eager_tasks):
    owner = make_user("flood@example.com")
    token = api_client_for(owner)._credentials["HTTP_AUTHORIZATION"]
    subscription = sms_subscription(owner)
    tasks.dispatch_confirmations()
    assert len(sms_gateway.requests) == 1

    url = f"{live_server.url}/api/v1/alert-subscriptions/{subscription.pk}/resend"
    responses: list[httpx.Response] = []
    lock = threading.Lock()
    ready = threading.Barrier(RESENDS)

    def resend() -> None:
        with httpx.Client(headers={"Authorization": token}, timeout=30) as http:
            ready.wait()
            response = http.post(url)
            with lock:
                responses.append(response)

    def dispatcher() -> None:
        # Beat, only faster: the confirmation dispatcher runs all through the burst.
        try:
            while not done.is_set():
                tasks.dispatch_confirmations()
        finally:
            connection.close()

    done = threading.Event()
    beat = threading.Thread(target=dispatcher)
    beat.start()
    threads = [threading.Thread(target=resend) for _ in range(RESENDS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    beat.join()
    tasks.dispatch_confirmations()

    assert Counter(response.status_code for response in responses) == {202: 1, 429: RESENDS - 1}
    for refused in (response for response in responses if response.status_code == 429):
        match = MINUTE_LIMIT.fullmatch(refused.json()["detail"])
        assert match, refused.json()
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        assert refused.headers["Retry-After"] == match.group(1)
    # The subscription's first text, then the one resend that got through.
    assert len(sms_gateway.requests) == 2
    assert code_in(texts(sms_gateway)[0]) != code_in(texts(sms_gateway)[1])


def test_resends_are_limited_to_five_a_day(owner, owner_api, settings):
    settings.HEALTHCHECK_CONFIRMATION_RESENDS_PER_MINUTE = 100
    subscription = sms_subscription(owner)
    url = f"/api/v1/alert-subscriptions/{subscription.pk}/resend"
    assert [owner_api.post(url).status_code for _ in range(5)] == [202] * 5
    refused = owner_api.post(url)
    assert refused.status_code == 429
    assert refused.json() == {"detail": f"Resends to {MOBILE} are limited to 5 a day; try again in 24 hours."}
    assert int(refused.headers["Retry-After"]) > 23 * 3600


def test_the_account_sms_cap_counts_new_subscriptions_and_resends(owner, owner_api, settings):
    settings.HEALTHCHECK_CONFIRMATION_SMS_PER_ACCOUNT_PER_DAY = 3
    topic = alerting.create_topic(owner=owner, name="texts")
    numbers = ["+14155550101", "+14155550102", "+14155550103", "+14155550104"]
    answers = [
        owner_api.post(
            "/api/v1/alert-subscriptions", {"topic": topic.pk, "protocol": "sms", "endpoint": number}
        )
        for number in numbers
    ]
    assert [answer.status_code for answer in answers] == [201, 201, 201, 429]
    cap = "Your account may send 3 confirmation texts a day; try again in 24 hours."
    assert answers[-1].json() == {"detail": cap}
    assert int(answers[-1].headers["Retry-After"]) > 23 * 3600
    assert not Subscription.objects.filter(endpoint=numbers[-1]).exists()
    resend = owner_api.post(f"/api/v1/alert-subscriptions/{answers[0].json()['id']}/resend")
    assert (resend.status_code, resend.json()) == (429, {"detail": cap})
    # E-mail is not a text: the cap does not apply to it.
    by_mail = owner_api.post(
        "/api/v1/alert-subscriptions", {"topic": topic.pk, "protocol": "email", "endpoint": "ops@example.com"}
    )
    assert by_mail.status_code == 201


def test_guessing_stays_capped_at_five_wrong_codes_across_resends(
    owner, owner_api, settings, sms_gateway, eager_tasks
):
    settings.HEALTHCHECK_CONFIRMATION_RESENDS_PER_MINUTE = 100
    subscription = sms_subscription(owner)
    resend = f"/api/v1/alert-subscriptions/{subscription.pk}/resend"
    confirm = f"/api/v1/alert-subscriptions/{subscription.pk}/confirm"

    def guess(code: str):
        return owner_api.post(confirm, {"code": code}, format="json")

    tasks.dispatch_confirmations()
    first = code_in(texts(sms_gateway)[-1])
    wrong = next(code for code in ("000000", "111111", "222222") if code != first)
    for _ in range(3):
        assert guess(wrong).json() == {"code": [f"code: {wrong} is not the code we sent"]}
    assert owner_api.post(resend).status_code == 202
    tasks.dispatch_confirmations()
    second = code_in(texts(sms_gateway)[-1])
    # The new code replaces the old, and the old one counts as a wrong guess.
    if first != second:
        assert guess(first).json() == {"code": [f"code: {first} is not the code we sent"]}
    else:
        assert guess(wrong).status_code == 400
    assert guess(wrong).status_code == 400
    locked = {"code": ["code: too many wrong codes; remove the number and add it again"]}
    assert guess(second).json() == locked
    # More resends bring more codes, but no more guesses.
    for _ in range(3):
        assert owner_api.post(resend).status_code == 202
        tasks.dispatch_confirmations()
        assert guess(code_in(texts(sms_gateway)[-1])).json() == locked
    subscription.refresh_from_db()
    assert (subscription.is_confirmed, subscription.code_attempts) == (False, 5)


def test_the_console_says_why_a_resend_must_wait(owner, owner_client, sms_gateway):
    subscription = sms_subscription(owner)
    url = f"/alerts/subscriptions/{subscription.pk}/resend/"
    first = owner_client.post(url, follow=True)
    assert f"A new confirmation is on its way to {MOBILE}." in first.content.decode()
    second = owner_client.post(url, follow=True)
    assert second.status_code == 200
    assert MINUTE_LIMIT.search(second.content.decode())


# ---- a dispatcher that dies between claiming and enqueueing -----------------------------------


def _a_while_ago() -> datetime:
    return timezone.now() - timedelta(minutes=5)


def test_alarm_messages_claimed_by_a_dead_dispatcher_are_delivered_once(owner, mailoutbox_smtp, eager_tasks):
    topic = alerting.create_topic(owner=owner, name="db")
    Subscription.objects.create(
        topic=topic, protocol="email", endpoint="ops@example.com", confirmed_at=timezone.now()
    )
    alarm = Alarm.objects.create(owner=owner, name="db down", topic=topic)
    event = alerting.set_alarm_state(alarm=alarm, state=Alarm.ALARM, reason="db: 0 of 3 regions healthy")
    # The dead dispatcher's work: the event claimed and fanned out, nothing enqueued.
    [notification_id] = alerting.announce_alarm_event(event_id=event.pk)
    assert AlarmEvent.objects.get(pk=event.pk).delivery == AlarmEvent.SENT

    # Enqueued just now, it may still be waiting in the queue: not enqueued again yet.
    assert tasks.dispatch_alarm_events() == 0
    Notification.objects.filter(pk=notification_id).update(enqueued_at=_a_while_ago())
    assert tasks.dispatch_alarm_events() == 1
    assert tasks.dispatch_alarm_events() == 0
    mailoutbox_smtp.wait_for(1)
    assert [mail["Subject"] for mail in mailoutbox_smtp.messages] == ["ALARM: db down"]
    notification = Notification.objects.get(pk=notification_id)
    assert (notification.state, notification.attempts) == (Notification.SENT, 1)


def test_a_late_copy_of_a_requeued_delivery_sends_nothing_more(owner, mailoutbox_smtp, eager_tasks):
    topic = alerting.create_topic(owner=owner, name="db")
    Subscription.objects.create(
        topic=topic, protocol="email", endpoint="ops@example.com", confirmed_at=timezone.now()
    )
    alarm = Alarm.objects.create(owner=owner, name="db down", topic=topic)
    event = alerting.set_alarm_state(alarm=alarm, state=Alarm.ALARM, reason="db: down")
    [notification_id] = alerting.announce_alarm_event(event_id=event.pk)
    Notification.objects.filter(pk=notification_id).update(enqueued_at=_a_while_ago())
    assert tasks.dispatch_alarm_events() == 1
    # The first enqueue was only slow, not lost: its copy runs now and finds the message sent.
    assert tasks.deliver_notification.apply(args=(notification_id,)).get() == Notification.SENT
    assert len(mailoutbox_smtp.messages) == 1


def test_a_confirmation_claimed_by_a_dead_dispatcher_is_sent_once(owner, sms_gateway, eager_tasks):
    subscription = sms_subscription(owner)
    # The dead dispatcher's work: the request claimed (a code made), nothing enqueued.
    [(_, lost_token, lost_code)] = alerting.claim_pending_confirmations()

    assert tasks.dispatch_confirmations() == 0
    Subscription.objects.filter(pk=subscription.pk).update(confirmation_claimed_at=_a_while_ago())
    assert tasks.dispatch_confirmations() == 1
    assert tasks.dispatch_confirmations() == 0
    [body] = texts(sms_gateway)
    # Should the lost task turn up after all, its claim is gone: it sends nothing.
    tasks.send_subscription_confirmation.apply(args=(subscription.pk, lost_token, lost_code)).get()
    assert len(sms_gateway.requests) == 1
    alerting.confirm_by_code(subscription=subscription, code=code_in(body))
    subscription.refresh_from_db()
    assert subscription.is_confirmed


def test_a_confirmation_task_run_twice_sends_once(owner, mailoutbox_smtp, eager_tasks):
    topic = alerting.create_topic(owner=owner, name="mail")
    alerting.subscribe(topic=topic, protocol="email", endpoint="ops@example.com")
    [(subscription_id, token, code)] = alerting.claim_pending_confirmations()
    for _ in range(2):
        tasks.send_subscription_confirmation.apply(args=(subscription_id, token, code)).get()
    assert len(mailoutbox_smtp.messages) == 1
    # Taken by a task, the claim is not asked for again however long ago it was made.
    assert alerting.release_stale_confirmation_claims(older_than_seconds=0) == 0
