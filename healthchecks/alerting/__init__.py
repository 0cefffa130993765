"""Alerting services: topics, subscriptions (with confirmation), alarms, events and delivery.

The chain: a check's status change → `record_health_check_alarm_state` (in the same
transaction) → an AlarmEvent row, pending → once its quiet period is over, the alarm dispatcher
announces it (`announce_alarm_event`): one Notification row per confirmed subscription (unique
per event and subscription: the idempotency key) → `deliver_notification`, one Celery task per
message. Confirmations take the same shape: a request stamped in the subscription's row, claimed
by the confirmation dispatcher (`claim_pending_confirmations`), sent by a task of its own.
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
from healthchecks.alerting.delivery import announce_alarm_event, deliver_notification, due_alarm_event_ids
from healthchecks.alerting.errors import AlertError, InvalidConfirmation, TemporaryDeliveryFailure
from healthchecks.alerting.subscriptions import (
    CONFIRM_MAX_AGE_SECONDS,
    claim_pending_confirmations,
    confirm_by_code,
    confirm_by_link,
    confirmation_url,
    create_topic,
    delete_subscription,
    delete_topic,
    normalise_endpoint,
    resend_confirmation,
    send_confirmation_message,
    subscribe,
    unsubscribe,
    unsubscribe_url,
)

__all__ = [
    "CONFIRM_MAX_AGE_SECONDS",
    "MAX_QUIET_PERIOD_SECONDS",
    "AlertError",
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
    "normalise_endpoint",
    "record_health_check_alarm_state",
    "resend_confirmation",
    "send_confirmation_message",
    "set_alarm_state",
    "subscribe",
    "unsubscribe",
    "unsubscribe_url",
    "update_alarm",
]
