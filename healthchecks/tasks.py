"""Celery tasks of this app: thin, idempotent, arguments are ids and small JSON values.

This module is the top of the app: the services write rows and never enqueue, and the
dispatchers here (beat runs them every second) claim what the rows ask for and enqueue it.
The dispatchers run on the default queue; `run_probes` runs on the queue named after its
checker region, so a worker started with `-Q <region>` probes from that region only.
"""

import logging
import random

import redis
from celery import shared_task
from django.conf import settings

from healthchecks import alerting, probes, rules, services
from healthchecks.transports import TransportError

logger = logging.getLogger(__name__)

# Beat runs these every second; the worker's "received" and "succeeded" lines for them go to
# DEBUG unless the run dispatched something, so an idle worker's log stays quiet.
EVERY_SECOND_DISPATCHERS = frozenset(
    {
        "healthchecks.dispatch_due_checks",
        "healthchecks.dispatch_alarm_events",
        "healthchecks.dispatch_confirmations",
    }
)


class QuietIdleDispatchers(logging.Filter):
    """Demote Celery's per-task INFO lines of an idle every-second dispatcher to DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = record.args if isinstance(record.args, dict) else {}
        if record.levelno != logging.INFO or context.get("name") not in EVERY_SECOND_DISPATCHERS:
            return True
        if "return_value" in context and context["return_value"] not in ("0", 0):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


for _celery_logger in ("celery.worker.strategy", "celery.app.trace"):
    logging.getLogger(_celery_logger).addFilter(QuietIdleDispatchers())

# A worker holds a task waiting out its countdown unacknowledged; should the wait and the run
# outlast the broker's visibility timeout, Redis would hand it to a second worker as well.
RETRY_COUNTDOWN_CAP_SECONDS = max(
    1, int(settings.CELERY_VISIBILITY_TIMEOUT - settings.CELERY_TASK_TIME_LIMIT)
)


def retry_countdown_seconds(retries: int) -> float:
    """Exponential back-off with jitter for the next try, capped by RETRY_COUNTDOWN_CAP_SECONDS."""
    return rules.backoff_seconds(retries + 1, cap=RETRY_COUNTDOWN_CAP_SECONDS, jitter=random.random())


@shared_task(name="healthchecks.dispatch_due_checks", ignore_result=True)
def dispatch_due_checks() -> int:
    """Claim every region's due probes and enqueue them on that region's queue, in batches."""
    batch = settings.HEALTHCHECK_PROBE_BATCH_SIZE
    queued = 0
    for region in settings.HEALTHCHECK_REGIONS:
        token, claimed = services.claim_due_probes(
            region=region, lookahead_seconds=settings.HEALTHCHECK_DISPATCH_LOOKAHEAD_SECONDS
        )
        for start in range(0, len(claimed), batch):
            items = [[pk, due.timestamp()] for pk, due in claimed[start : start + batch]]
            run_probes.apply_async((token, items), queue=region)
        queued += len(claimed)
    return queued


@shared_task(name="healthchecks.run_probes", ignore_result=True)
def run_probes(token: str, items: list[list]) -> int:
    """Probe the claimed rows this token still holds, concurrently, and record the results.

    Run again after a worker died (acks_late), it probes again: the lease token still holds
    unless a later claim took the row, in which case that row is skipped.
    """
    specs = services.probe_specs(token=token, items=[(int(pk), float(due)) for pk, due in items])
    if not specs:
        return 0
    outcomes = probes.run_probes_blocking(specs)
    services.record_probe_results(token=token, outcomes=outcomes)
    return len(outcomes)


@shared_task(
    name="healthchecks.sync_health_view",
    ignore_result=True,
    autoretry_for=(redis.RedisError,),
    retry_backoff=2,
    retry_backoff_max=RETRY_COUNTDOWN_CAP_SECONDS,
    max_retries=None,
)
def sync_health_view_task() -> int:
    """Rewrite the Redis health view from the database (periodic: it also repairs a failed write)."""
    return services.sync_health_view()


@shared_task(name="healthchecks.prune_probe_results", ignore_result=True)
def prune_probe_results() -> int:
    """Delete probe results past the retention limit."""
    return services.prune_probe_results()


@shared_task(name="healthchecks.evaluate_domain_expiry_alarms", ignore_result=True)
def evaluate_domain_expiry_alarms() -> int:
    """Put domain-expiry alarms into alarm (or back to OK) as expiry dates come near or move."""
    return alerting.evaluate_domain_expiry_alarms()


@shared_task(name="healthchecks.dispatch_alarm_events", ignore_result=True)
def dispatch_alarm_events() -> int:
    """Announce each pending alarm event whose quiet period is over; enqueue one delivery per message.

    Each event is claimed with a conditional update, so of two dispatchers only one fans it
    out; a delivery enqueued twice still sends once (`deliver_notification` claims its attempt).
    Notifications no task took HEALTHCHECK_REDISPATCH_AFTER_SECONDS after they were enqueued
    (a dispatcher died before enqueueing them) are enqueued again.
    """
    after = settings.HEALTHCHECK_REDISPATCH_AFTER_SECONDS
    queued = 0
    for notification_id in alerting.requeue_stale_notifications(older_than_seconds=after):
        deliver_notification.delay(notification_id)
        queued += 1
    for event_id in alerting.due_alarm_event_ids():
        for notification_id in alerting.announce_alarm_event(event_id=event_id):
            deliver_notification.delay(notification_id)
            queued += 1
    return queued


@shared_task(name="healthchecks.dispatch_confirmations", ignore_result=True)
def dispatch_confirmations() -> int:
    """Claim the confirmations asked for and enqueue one message each (the SMS code rides in it).

    A claim no task took HEALTHCHECK_REDISPATCH_AFTER_SECONDS later (a dispatcher died before
    enqueueing it) is asked for again first, and claimed anew here.
    """
    alerting.release_stale_confirmation_claims(
        older_than_seconds=settings.HEALTHCHECK_REDISPATCH_AFTER_SECONDS
    )
    claimed = alerting.claim_pending_confirmations()
    for subscription_id, token, code in claimed:
        send_subscription_confirmation.delay(subscription_id, token, code)
    return len(claimed)


@shared_task(
    name="healthchecks.deliver_notification",
    bind=True,
    ignore_result=True,
    max_retries=None,
)
def deliver_notification(self, notification_id: int) -> str:
    """Send one alert message; retry temporary failures with exponential back-off and jitter."""
    try:
        return alerting.deliver_notification(notification_id=notification_id)
    except alerting.TemporaryDeliveryFailure as error:
        raise self.retry(exc=error, countdown=retry_countdown_seconds(self.request.retries))


@shared_task(
    name="healthchecks.send_subscription_confirmation",
    bind=True,
    ignore_result=True,
    max_retries=5,
)
def send_subscription_confirmation(self, subscription_id: int, token: str, code: str = "") -> None:
    """Send a subscription's confirmation link (e-mail) or code (SMS) once; retries transport failures.

    Sends only while `token` is the subscription's claim: a superseded claim, or a copy of a
    task that already sent, does nothing.
    """
    subscription = alerting.take_confirmation_claim(subscription_id=subscription_id, token=token)
    if subscription is None:
        return
    try:
        alerting.send_confirmation_message(subscription=subscription, code=code)
    except TransportError as error:
        if error.permanent:
            logger.warning("confirmation to %s refused: %s", subscription.endpoint, error.message)
            alerting.finish_confirmation_claim(subscription_id=subscription_id, token=token)
            return
        raise self.retry(exc=error, countdown=retry_countdown_seconds(self.request.retries))
    alerting.finish_confirmation_claim(subscription_id=subscription_id, token=token)
