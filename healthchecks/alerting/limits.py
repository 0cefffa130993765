"""How many confirmations may go out: counted in Redis (`kernel.ratelimit`), atomically.

Concurrent resends cannot all pass: one Lua script counts and checks each hit. The limits are
resends per subscription (HEALTHCHECK_CONFIRMATION_RESENDS_PER_MINUTE and _PER_DAY) and the
confirmation texts of one account a day (HEALTHCHECK_CONFIRMATION_SMS_PER_ACCOUNT_PER_DAY),
which also bounds a number's texts across removing and adding it again.
"""

from django.conf import settings

from healthchecks.alerting.errors import ConfirmationLimited
from healthchecks.models import Subscription
from kernel import ratelimit

MINUTE_SECONDS, DAY_SECONDS = 60, 24 * 3600


def count_confirmation(
    *, owner_id: int, protocol: str, resend_of: Subscription | None = None
) -> list[ratelimit.Decision]:
    """Count one confirmation (a new subscription's, or a resend of `resend_of`); raises ConfirmationLimited.

    When one limit is full, the hits already counted for this request are taken back, so a
    refused request costs nothing.
    """
    checks = []
    if resend_of is not None:
        who = str(resend_of.pk)
        per_minute = settings.HEALTHCHECK_CONFIRMATION_RESENDS_PER_MINUTE
        per_day = settings.HEALTHCHECK_CONFIRMATION_RESENDS_PER_DAY
        checks += [
            (
                ratelimit.limit_key("confirmation-resends-minute", who),
                per_minute,
                MINUTE_SECONDS,
                f"Resends to {resend_of.endpoint} are limited to {per_minute} a minute",
            ),
            (
                ratelimit.limit_key("confirmation-resends-day", who),
                per_day,
                DAY_SECONDS,
                f"Resends to {resend_of.endpoint} are limited to {per_day} a day",
            ),
        ]
    if protocol == Subscription.SMS:
        per_account = settings.HEALTHCHECK_CONFIRMATION_SMS_PER_ACCOUNT_PER_DAY
        checks.append(
            (
                ratelimit.limit_key("confirmation-texts-day", str(owner_id)),
                per_account,
                DAY_SECONDS,
                f"Your account may send {per_account} confirmation texts a day",
            )
        )
    counted: list[ratelimit.Decision] = []
    for key, limit, window_seconds, sentence in checks:
        decision = ratelimit.hit(key, limit=limit, window_seconds=window_seconds)
        if not decision.is_allowed:
            uncount(counted)
            wait = decision.retry_after_seconds
            message = f"{sentence}; try again in {_in_words(wait)}."
            raise ConfirmationLimited(message, retry_after_seconds=wait)
        counted.append(decision)
    return counted


def uncount(decisions: list[ratelimit.Decision]) -> None:
    for decision in decisions:
        ratelimit.forget(decision)


def _in_words(seconds: int) -> str:
    if seconds < 120:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    if seconds < 2 * 3600:
        return f"{-(-seconds // 60)} minutes"
    return f"{-(-seconds // 3600)} hours"
