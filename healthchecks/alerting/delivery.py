"""Announcing alarm events and delivering their notifications.

The alarm dispatcher (beat, every second) takes the pending events whose quiet period is
over (`due_alarm_event_ids`) and announces each (`announce_alarm_event`): one Notification per
confirmed subscription, unique per event and subscription (the idempotency key). Each
notification is then sent by its own task (`deliver_notification`). A notification no task has
taken some seconds after it was enqueued (the dispatcher died in between) is enqueued again
(`requeue_stale_notifications`).
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from healthchecks.alerting.errors import TemporaryDeliveryFailure
from healthchecks.alerting.subscriptions import unsubscribe_url
from healthchecks.models import Alarm, AlarmEvent, Notification
from healthchecks.transports import TransportError, transport_for

logger = logging.getLogger(__name__)


def requeue_stale_notifications(
    *, older_than_seconds: float, now: datetime | None = None, limit: int = 500
) -> list[int]:
    """The notifications still pending this long after their task was enqueued, stamped enqueued now.

    A dispatcher that died after announcing an event and before enqueueing its deliveries
    leaves them pending; the next dispatcher enqueues them again. A notification enqueued
    twice is still sent once (`deliver_notification` claims its attempt).
    """
    now = now or timezone.now()
    stale = Notification.objects.filter(
        state=Notification.PENDING, enqueued_at__lte=now - timedelta(seconds=older_than_seconds)
    )
    ids = list(stale.order_by("enqueued_at", "id").values_list("pk", flat=True)[:limit])
    if ids:
        Notification.objects.filter(pk__in=ids, state=Notification.PENDING).update(enqueued_at=now)
    return ids


def due_alarm_event_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """The pending events whose quiet period is over, oldest first."""
    due = AlarmEvent.objects.filter(delivery=AlarmEvent.PENDING, announce_at__lte=now or timezone.now())
    return list(due.order_by("announce_at", "id").values_list("pk", flat=True)[:limit])


def announce_alarm_event(*, event_id: int) -> list[int]:
    """Fan an event out to the topic's confirmed subscribers; returns the notification ids to deliver.

    Idempotent: the event leaves PENDING once (a conditional update: of two dispatchers, one
    wins), and each notification is unique per event and subscription. Call it outside any
    transaction: when it returns its own has committed, and the caller enqueues the deliveries.
    """
    with transaction.atomic():
        won = AlarmEvent.objects.filter(pk=event_id, delivery=AlarmEvent.PENDING).update(
            delivery=AlarmEvent.SENT
        )
        event = AlarmEvent.objects.select_related("alarm__topic").filter(pk=event_id).first()
        if event is None:
            return []
        if not won:
            ids = list(event.notifications.filter(state=Notification.PENDING).values_list("pk", flat=True))
        else:
            alarm = Alarm.objects.select_for_update().get(pk=event.alarm_id)
            if alarm.state != event.state or alarm.notified_state == event.state:
                AlarmEvent.objects.filter(pk=event_id).update(delivery=AlarmEvent.SUPPRESSED)
                return []
            alarm.notified_state = event.state
            alarm.save(update_fields=["notified_state"])
            subscriptions = alarm.topic.subscriptions.filter(confirmed_at__isnull=False)
            Notification.objects.bulk_create(
                [
                    Notification(
                        event=event,
                        subscription=subscription,
                        owner_id=alarm.owner_id,
                        protocol=subscription.protocol,
                        endpoint=subscription.endpoint,
                    )
                    for subscription in subscriptions
                ],
                ignore_conflicts=True,
            )
            ids = list(event.notifications.values_list("pk", flat=True))
    return ids


def delivery_key(notification: Notification) -> str:
    """The same for every attempt at one notification: one alarm event to one subscription."""
    return f"nameplate-alert-{notification.event_id}-{notification.subscription_id}"


def deliver_notification(*, notification_id: int) -> str:
    """Send one notification once; returns its state.

    Claims the attempt with a conditional update (state SENDING) so that two copies of the
    task never both send, at once or one after the other: a copy that finds an attempt in
    flight leaves it, unless it was claimed longer ago than the task's hard time limit (its
    worker died; the attempt is made again, as the same message). Raises
    TemporaryDeliveryFailure (the task retries with back-off) on a temporary transport
    failure; a permanent one is recorded as FAILED.
    """
    now = timezone.now()
    abandoned = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    row = Notification.objects.filter(pk=notification_id).values("state", "attempts", "sending_since").first()
    if row is None or row["state"] in (Notification.SENT, Notification.FAILED):
        return row["state"] if row else "gone"
    if row["state"] == Notification.SENDING and row["sending_since"] > abandoned:
        return "claimed elsewhere"
    claimed = Notification.objects.filter(
        pk=notification_id, state=row["state"], attempts=row["attempts"]
    ).update(attempts=row["attempts"] + 1, state=Notification.SENDING, sending_since=now)
    if not claimed:
        return "claimed elsewhere"
    notification = Notification.objects.select_related("event__alarm", "subscription__topic").get(
        pk=notification_id
    )
    if notification.subscription is None:
        # Unsubscribed after the event and before delivery: that wish wins.
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.FAILED, last_error="unsubscribed before delivery", sending_since=None
        )
        return Notification.FAILED
    event = notification.event
    context = {
        "alarm": event.alarm,
        "event": event,
        "is_alarm": event.state == Alarm.ALARM,
        "alarm_url": settings.SITE_URL + reverse("healthchecks-alarm-list"),
        "unsubscribe_url": settings.SITE_URL + unsubscribe_url(notification.subscription),
    }
    try:
        transport_for(notification.protocol).send(
            to=notification.endpoint,
            template="healthchecks_alarm",
            context=context,
            owner=notification.owner,
            delivery_key=delivery_key(notification),
        )
    except TransportError as error:
        final = error.permanent or notification.attempts > settings.HEALTHCHECK_DELIVERY_MAX_RETRIES
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.FAILED if final else Notification.RETRYING,
            last_error=error.message[:300],
            sending_since=None,
        )
        logger.warning(
            "notification %s to %s failed: %s", notification_id, notification.endpoint, error.message
        )
        if final:
            return Notification.FAILED
        raise TemporaryDeliveryFailure(error.message)
    Notification.objects.filter(pk=notification_id).update(
        state=Notification.SENT, sent_at=timezone.now(), last_error="", sending_since=None
    )
    return Notification.SENT
