"""Alerting services: topics, subscriptions (with confirmation), alarms, events and delivery.

The chain: a check's status change → `record_health_check_alarm_state` (in the same
transaction) → an AlarmEvent announced after the alarm's quiet period by
`announce_alarm_event` → one Notification per confirmed subscription (unique per event and
subscription: the idempotency key) → `deliver_notification`, one Celery task per message.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import validate_mobile_number
from healthchecks import rules
from healthchecks.models import Alarm, AlarmEvent, HealthCheck, Notification, Subscription, Topic
from healthchecks.transports import TransportError, transport_for
from kernel.errors import ServiceError

logger = logging.getLogger(__name__)

CONFIRM_SALT = "healthchecks.subscription.confirm"
UNSUBSCRIBE_SALT = "healthchecks.subscription.unsubscribe"
CONFIRM_MAX_AGE_SECONDS = 3 * 24 * 3600
MAX_QUIET_PERIOD_SECONDS = 24 * 3600


class AlertError(ServiceError):
    """An alerting service refused."""


class InvalidConfirmation(AlertError):
    """A confirmation link or code that is wrong, expired or used up."""


# ---- topics and subscriptions ----------------------------------------------------------------


def create_topic(*, owner, name: str) -> Topic:
    """Create a topic; raises AlertError when the name is empty or taken."""
    name = name.strip()
    if not name:
        raise AlertError("name: give the topic a name", "name")
    if Topic.objects.filter(owner=owner, name=name).exists():
        raise AlertError(f"name: you already have a topic named {name}", "name")
    return Topic.objects.create(owner=owner, name=name)


def delete_topic(*, topic: Topic) -> None:
    """Delete a topic with its subscriptions and alarms."""
    topic.delete()


def normalise_endpoint(protocol: str, endpoint: str) -> str:
    """The endpoint in canonical form; raises AlertError naming the field when it is invalid."""
    endpoint = endpoint.strip()
    if protocol == Subscription.EMAIL:
        try:
            validate_email(endpoint)
        except ValidationError:
            raise AlertError(f"endpoint: {endpoint} is not an e-mail address", "endpoint")
        local, _, domain = endpoint.rpartition("@")
        return f"{local}@{domain.lower()}"
    if protocol == Subscription.SMS:
        try:
            validate_mobile_number(endpoint)
        except ValidationError as error:
            raise AlertError(f"endpoint: {error.messages[0]}", "endpoint")
        return endpoint
    raise AlertError(f"protocol: {protocol} is not email or sms", "protocol")


def subscribe(*, topic: Topic, protocol: str, endpoint: str) -> Subscription:
    """Add a pending subscription and send its confirmation (a link by e-mail, a code by SMS)."""
    endpoint = normalise_endpoint(protocol, endpoint)
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(topic=topic, protocol=protocol, endpoint=endpoint)
            _queue_confirmation(subscription)
    except IntegrityError:
        raise AlertError(f"endpoint: {endpoint} is already subscribed to {topic.name}", "endpoint")
    return subscription


def resend_confirmation(*, subscription: Subscription) -> Subscription:
    """Send a fresh confirmation; raises AlertError when the subscription is already confirmed."""
    if subscription.is_confirmed:
        raise AlertError(f"{subscription.endpoint} is already confirmed")
    with transaction.atomic():
        _queue_confirmation(subscription)
    return subscription


def _queue_confirmation(subscription: Subscription) -> None:
    code = ""
    if subscription.protocol == Subscription.SMS:
        code = f"{secrets.randbelow(10**6):06d}"
        subscription.code_hash = _hash_code(subscription.pk, code)
        subscription.code_sent_at = timezone.now()
        subscription.code_attempts = 0
        subscription.save(update_fields=["code_hash", "code_sent_at", "code_attempts"])
    from healthchecks.tasks import send_subscription_confirmation

    # The code travels only inside the task message, never in a column.
    transaction.on_commit(lambda: send_subscription_confirmation.delay(subscription.pk, code))


def _hash_code(subscription_id: int, code: str) -> str:
    return hashlib.sha256(f"{subscription_id}:{code}".encode()).hexdigest()


def confirmation_url(subscription: Subscription) -> str:
    token = signing.dumps({"s": subscription.pk}, salt=CONFIRM_SALT)
    return reverse("healthchecks-subscription-confirm-link", args=[token])


def unsubscribe_url(subscription: Subscription) -> str:
    token = signing.dumps({"s": subscription.pk}, salt=UNSUBSCRIBE_SALT)
    return reverse("healthchecks-unsubscribe", args=[token])


def send_confirmation_message(*, subscription: Subscription, code: str) -> None:
    """Send the confirmation message now (called by the task); raises TransportError."""
    from django.conf import settings

    context = {
        "subscription": subscription,
        "topic": subscription.topic,
        "confirm_url": settings.SITE_URL + confirmation_url(subscription),
        "unsubscribe_url": settings.SITE_URL + unsubscribe_url(subscription),
        "code": code,
    }
    transport_for(subscription.protocol).send(
        to=subscription.endpoint,
        template="healthchecks_confirm",
        context=context,
        owner=subscription.topic.owner,
    )


def confirm_by_link(token: str) -> Subscription:
    """Confirm the e-mail subscription a signed link names; raises InvalidConfirmation."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise InvalidConfirmation("This confirmation link has expired; ask for a new one from the console.")
    except signing.BadSignature:
        raise InvalidConfirmation("This confirmation link is not valid.")
    subscription = Subscription.objects.filter(pk=data.get("s")).select_related("topic").first()
    if subscription is None:
        raise InvalidConfirmation("This subscription no longer exists.")
    if not subscription.is_confirmed:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


def confirm_by_code(*, subscription: Subscription, code: str) -> Subscription:
    """Confirm an SMS subscription with its six-digit code; raises InvalidConfirmation (field `code`)."""
    if subscription.is_confirmed:
        return subscription
    code = code.strip()
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if not locked.code_hash or locked.code_sent_at is None:
            problem = "code: no code was sent; ask for a new one"
        elif locked.code_attempts >= Subscription.MAX_CODE_ATTEMPTS:
            problem = "code: too many wrong codes; ask for a new one"
        elif timezone.now() - locked.code_sent_at > Subscription.CODE_LIFETIME:
            problem = "code: this code has expired; ask for a new one"
        elif not secrets.compare_digest(locked.code_hash, _hash_code(locked.pk, code)):
            # Counted in this transaction, which commits: the error is raised after it.
            locked.code_attempts += 1
            locked.save(update_fields=["code_attempts"])
            problem = f"code: {code} is not the code we sent"
        else:
            locked.confirmed_at = timezone.now()
            locked.code_hash = ""
            locked.save(update_fields=["confirmed_at", "code_hash"])
            return locked
    raise InvalidConfirmation(problem, "code")


def unsubscribe(token: str) -> str:
    """Remove the subscription a signed unsubscribe link names; returns its endpoint."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise InvalidConfirmation("This unsubscribe link is not valid.")
    subscription = Subscription.objects.filter(pk=data.get("s")).first()
    if subscription is None:
        raise InvalidConfirmation("You are already unsubscribed.")
    endpoint = subscription.endpoint
    subscription.delete()
    return endpoint


def delete_subscription(*, subscription: Subscription) -> None:
    """Remove a subscription; its past notifications stay in the history."""
    subscription.delete()


# ---- alarms ---------------------------------------------------------------------------------


def _alarm_problems(
    *, owner, name: str, topic, health_check, quiet_period_seconds, domain=None, expiry_warning_days=30
) -> None:
    if not (name or "").strip():
        raise AlertError("name: give the alarm a name", "name")
    if topic is None or topic.owner_id != owner.pk:
        raise AlertError("topic: choose one of your topics", "topic")
    if (health_check is None) == (domain is None):
        raise AlertError("health_check: choose a health check or a domain (one of them)", "health_check")
    if health_check is not None and health_check.owner_id != owner.pk:
        raise AlertError("health_check: choose one of your health checks", "health_check")
    if domain is not None and domain.owner_id != owner.pk:
        raise AlertError("domain: choose one of your domains", "domain")
    if not isinstance(quiet_period_seconds, int) or not 0 <= quiet_period_seconds <= MAX_QUIET_PERIOD_SECONDS:
        raise AlertError(
            f"quiet_period_seconds: {quiet_period_seconds} is out of range; use 0 to 86400",
            "quiet_period_seconds",
        )
    if not isinstance(expiry_warning_days, int) or not 1 <= expiry_warning_days <= 365:
        raise AlertError(
            f"expiry_warning_days: {expiry_warning_days} is out of range; use 1 to 365", "expiry_warning_days"
        )


def _expiry_state(domain, warning_days: int, now=None) -> str:
    alarming = rules.is_expiry_alarming(
        domain.expires_at, now=now or timezone.now(), warning_days=warning_days
    )
    return Alarm.ALARM if alarming else Alarm.OK


def create_alarm(
    *,
    owner,
    name: str,
    topic: Topic,
    health_check: HealthCheck | None = None,
    domain=None,
    expiry_warning_days: int = 30,
    quiet_period_seconds: int = 0,
) -> Alarm:
    """Tie a health check, or a domain's expiry, to a topic; raises AlertError on bad input."""
    _alarm_problems(
        owner=owner,
        name=name,
        topic=topic,
        health_check=health_check,
        quiet_period_seconds=quiet_period_seconds,
        domain=domain,
        expiry_warning_days=expiry_warning_days,
    )
    state = Alarm.OK
    if health_check is not None and not health_check.is_healthy:
        state = Alarm.ALARM
    if domain is not None:
        state = _expiry_state(domain, expiry_warning_days)
    return Alarm.objects.create(
        owner=owner,
        name=name.strip(),
        topic=topic,
        health_check=health_check,
        domain=domain,
        expiry_warning_days=expiry_warning_days,
        quiet_period_seconds=quiet_period_seconds,
        state=state,
        notified_state=state,
        state_changed_at=timezone.now(),
    )


def update_alarm(
    *,
    alarm: Alarm,
    name: str,
    topic: Topic,
    quiet_period_seconds: int,
    expiry_warning_days: int | None = None,
) -> Alarm:
    """Rename an alarm, move it to another topic, change its quiet period or expiry warning."""
    warning_days = alarm.expiry_warning_days if expiry_warning_days is None else expiry_warning_days
    _alarm_problems(
        owner=alarm.owner,
        name=name,
        topic=topic,
        health_check=alarm.health_check,
        quiet_period_seconds=quiet_period_seconds,
        domain=alarm.domain,
        expiry_warning_days=warning_days,
    )
    alarm.name, alarm.topic, alarm.quiet_period_seconds = name.strip(), topic, quiet_period_seconds
    alarm.expiry_warning_days = warning_days
    alarm.save(update_fields=["name", "topic", "quiet_period_seconds", "expiry_warning_days"])
    return alarm


def delete_alarm(*, alarm: Alarm) -> None:
    """Delete an alarm; its notification history goes with it."""
    alarm.delete()


def set_alarm_state(*, alarm: Alarm, state: str, reason: str) -> AlarmEvent | None:
    """Move an alarm to `state` inside the caller's transaction; returns the event, or None if unchanged.

    The event is announced after the quiet period by `announce_alarm_event`, which sends
    nothing if the alarm has moved again by then (so a flap inside the period sends one message).
    """
    if alarm.state == state:
        return None
    now = timezone.now()
    alarm.state, alarm.state_changed_at = state, now
    alarm.save(update_fields=["state", "state_changed_at"])
    event = AlarmEvent.objects.create(
        alarm=alarm,
        state=state,
        reason=reason[:200],
        created_at=now,
        announce_at=now + timedelta(seconds=alarm.quiet_period_seconds),
    )
    from healthchecks.tasks import announce_alarm_event

    countdown = alarm.quiet_period_seconds
    transaction.on_commit(lambda: announce_alarm_event.apply_async((event.pk,), countdown=countdown))
    return event


def record_health_check_alarm_state(*, check: HealthCheck, reason: str) -> list[AlarmEvent]:
    """Move every alarm on `check` to match its status (called inside the status transaction)."""
    state = Alarm.OK if check.is_healthy else Alarm.ALARM
    events = []
    for alarm in Alarm.objects.filter(health_check=check):
        event = set_alarm_state(alarm=alarm, state=state, reason=f"{check.name}: {reason}")
        if event is not None:
            events.append(event)
    return events


def evaluate_domain_expiry_alarms(*, now=None) -> int:
    """Move every domain-expiry alarm to match its domain's expiry date; returns how many changed.

    Reads registrar.Domain only; each change is its own transaction, announced like any other.
    """
    now = now or timezone.now()
    changed = 0
    for alarm in Alarm.objects.filter(domain__isnull=False).select_related("domain"):
        state = _expiry_state(alarm.domain, alarm.expiry_warning_days, now)
        if state == alarm.state:
            continue
        expires = alarm.domain.expires_at
        if state == Alarm.ALARM:
            reason = f"{alarm.domain.name} expires on {expires:%Y-%m-%d}"
        else:
            reason = f"{alarm.domain.name} now expires on {expires:%Y-%m-%d}" if expires else "no expiry date"
        with transaction.atomic():
            locked = Alarm.objects.select_for_update().get(pk=alarm.pk)
            if set_alarm_state(alarm=locked, state=state, reason=reason):
                changed += 1
    return changed


def announce_alarm_event(*, event_id: int) -> list[int]:
    """Fan an event out to the topic's confirmed subscribers; returns the notification ids to deliver.

    Idempotent: the event leaves PENDING once (a conditional update), and each notification is
    unique per event and subscription.
    """
    from healthchecks.tasks import deliver_notification

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
        transaction.on_commit(lambda: [deliver_notification.delay(pk) for pk in ids])
    return ids


class TemporaryDeliveryFailure(AlertError):
    """The transport failed in a way a retry may fix."""


def deliver_notification(*, notification_id: int) -> str:
    """Send one notification once; returns its state.

    Claims the attempt with a conditional update so that two copies of the task never both
    send. Raises TemporaryDeliveryFailure (the task retries with back-off) on a temporary
    transport failure; a permanent one is recorded as FAILED.
    """
    from django.conf import settings

    row = Notification.objects.filter(pk=notification_id).values("state", "attempts").first()
    if row is None or row["state"] in (Notification.SENT, Notification.FAILED):
        return row["state"] if row else "gone"
    claimed = Notification.objects.filter(
        pk=notification_id, state=row["state"], attempts=row["attempts"]
    ).update(attempts=row["attempts"] + 1, state=Notification.RETRYING)
    if not claimed:
        return "claimed elsewhere"
    notification = Notification.objects.select_related("event__alarm", "subscription__topic").get(
        pk=notification_id
    )
    if notification.subscription is None:
        # Unsubscribed after the event and before delivery: that wish wins.
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.FAILED, last_error="unsubscribed before delivery"
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
            to=notification.endpoint, template="healthchecks_alarm", context=context, owner=notification.owner
        )
    except TransportError as error:
        final = error.permanent or notification.attempts > settings.HEALTHCHECK_DELIVERY_MAX_RETRIES
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.FAILED if final else Notification.RETRYING, last_error=error.message[:300]
        )
        logger.warning(
            "notification %s to %s failed: %s", notification_id, notification.endpoint, error.message
        )
        if final:
            return Notification.FAILED
        raise TemporaryDeliveryFailure(error.message)
    Notification.objects.filter(pk=notification_id).update(
        state=Notification.SENT, sent_at=timezone.now(), last_error=""
    )
    return Notification.SENT
