"""Alerting services: topics, subscriptions (with confirmation), alarms, events and delivery.

The chain: a check's status change → `record_health_check_alarm_state` (in the same
transaction) → an AlarmEvent row, pending → once its quiet period is over, the alarm dispatcher
announces it (`announce_alarm_event`): one Notification row per confirmed subscription (unique
per event and subscription: the idempotency key) → `deliver_notification`, one Celery task per
message. Confirmations take the same shape: a request stamped in the subscription's row, claimed
by the confirmation dispatcher (`claim_pending_confirmations`), sent by a task of its own.
Both dispatchers also repair the window of a dispatcher that died between claiming and
enqueueing: what no task took some seconds later is enqueued (or claimed) again.
"""

from healthchecks.alerting.alarms import (
    MAX_QUIET_PERIOD_SECONDS,
    create_alarm,
    delete_alarm,
    evaluate_domain_expiry_alarms,
    record_health_check_alarm_state,
    set_alarm_state,
    update_alarm,
)
from healthchecks.alerting.confirmations import (
    CONFIRM_MAX_AGE_SECONDS,
    claim_pending_confirmations,
    confirm_by_code,
    confirm_by_link,
    confirmation_url,
    finish_confirmation_claim,
    release_stale_confirmation_claims,
    send_confirmation_message,
    take_confirmation_claim,
)
from healthchecks.alerting.delivery import (
    announce_alarm_event,
    deliver_notification,
    due_alarm_event_ids,
    requeue_stale_notifications,
)
from healthchecks.alerting.errors import (
    AlertError,
    ConfirmationLimited,
    InvalidConfirmation,
    TemporaryDeliveryFailure,
)
from healthchecks.alerting.subscriptions import (
    create_topic,
    delete_subscription,
    delete_topic,
    normalise_endpoint,
    resend_confirmation,
    subscribe,
    unsubscribe,
    unsubscribe_url,
)

__all__ = [
    "CONFIRM_MAX_AGE_SECONDS",
    "MAX_QUIET_PERIOD_SECONDS",
    "AlertError",
    "ConfirmationLimited",
    "InvalidConfirmation",
    "TemporaryDeliveryFailure",
    "announce_alarm_event",
    "claim_pending_confirmations",
    "confirm_by_code",
    "confirm_by_link",
    "confirmation_url",
    "create_alarm",
    "create_topic",
    "delete_alarm",
    "delete_subscription",
    "delete_topic",
    "deliver_notification",
    "due_alarm_event_ids",
    "evaluate_domain_expiry_alarms",
    "finish_confirmation_claim",
    "normalise_endpoint",
    "record_health_check_alarm_state",
    "release_stale_confirmation_claims",
    "requeue_stale_notifications",
    "resend_confirmation",
    "send_confirmation_message",
    "set_alarm_state",
    "subscribe",
    "take_confirmation_claim",
    "unsubscribe",
    "unsubscribe_url",
    "update_alarm",
]
