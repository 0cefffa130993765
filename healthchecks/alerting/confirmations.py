"""Confirming a subscription: claiming the requests, sending them, and checking the answer.

A new subscription (or a resend) asks for a confirmation by stamping
`confirmation_requested_at` in its row; the confirmation dispatcher claims the request
(`claim_pending_confirmations`) and enqueues the message, which `send_confirmation_message`
sends. E-mail is confirmed by a signed link, SMS by a six-digit code: a resend brings a new
code, which invalidates the old one, but the count of wrong codes stays, so five wrong codes
lock the subscription for good.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from healthchecks.alerting.errors import InvalidConfirmation
from healthchecks.alerting.subscriptions import unsubscribe_url
from healthchecks.models import Subscription
from healthchecks.transports import transport_for

CONFIRM_SALT = "healthchecks.subscription.confirm"
CONFIRM_MAX_AGE_SECONDS = 3 * 24 * 3600


def _hash_code(subscription_id: int, code: str) -> str:
    return hashlib.sha256(f"{subscription_id}:{code}".encode()).hexdigest()


def claim_pending_confirmations(*, limit: int = 200) -> list[tuple[int, str, str]]:
    """Claim the confirmations asked for and not yet sent; returns (subscription id, claim token, code).

    A conditional update takes each request once, so two dispatchers never both send it; a
    request renewed meanwhile is left for the next run. An SMS subscription gets a fresh
    six-digit code here (an e-mail one an empty code): only its hash is kept, and the code
    itself travels only inside the send task's message, never in a column. So does the claim
    token, which `take_confirmation_claim` checks: a claim no task took within a while is asked
    for again (`release_stale_confirmation_claims`) under a new token, and the old task, should
    it run late, finds its token gone and sends nothing.
    """
    now = timezone.now()
    waiting = (
        Subscription.objects.filter(confirmation_requested_at__isnull=False)
        .order_by("confirmation_requested_at", "id")
        .values_list("pk", "protocol", "confirmation_requested_at")[:limit]
    )
    claimed = []
    for subscription_id, protocol, requested_at in waiting:
        token, code = secrets.token_hex(16), ""
        changes = {"confirmation_claim": token, "confirmation_claimed_at": now}
        if protocol == Subscription.SMS:
            # A new code replaces the old; the count of wrong codes stays, so resends cannot
            # buy more guesses.
            code = f"{secrets.randbelow(10**6):06d}"
            changes.update(code_hash=_hash_code(subscription_id, code), code_sent_at=now)
        won = Subscription.objects.filter(pk=subscription_id, confirmation_requested_at=requested_at).update(
            confirmation_requested_at=None, **changes
        )
        if won:
            claimed.append((subscription_id, token, code))
    return claimed


def release_stale_confirmation_claims(*, older_than_seconds: float, now: datetime | None = None) -> int:
    """Ask again for the confirmations claimed longer ago than this and taken by no task; returns how many.

    Closes the window of a dispatcher that died between claiming and enqueueing: the next
    claim makes a new token (and code), and the lost one is never sent.
    """
    now = now or timezone.now()
    return Subscription.objects.filter(
        confirmation_claimed_at__lte=now - timedelta(seconds=older_than_seconds), confirmed_at__isnull=True
    ).update(confirmation_claim="", confirmation_claimed_at=None, confirmation_requested_at=now)


def take_confirmation_claim(*, subscription_id: int, token: str) -> Subscription | None:
    """The subscription to send a confirmation to, if `token` is still its claim; None otherwise.

    The first run of the send task takes the claim (so it is not asked for again), and its
    retries find the same token; a superseded claim, a sent one or a confirmed subscription
    gives None.
    """
    taken = Subscription.objects.filter(
        pk=subscription_id, confirmation_claim=token, confirmed_at__isnull=True
    ).update(confirmation_claimed_at=None)
    if not taken:
        return None
    return Subscription.objects.select_related("topic__owner").get(pk=subscription_id)


def finish_confirmation_claim(*, subscription_id: int, token: str) -> None:
    """The claim is done with (sent, or refused for good): a second copy of the task sends nothing."""
    Subscription.objects.filter(pk=subscription_id, confirmation_claim=token).update(confirmation_claim="")


def confirmation_url(subscription: Subscription) -> str:
    token = signing.dumps({"s": subscription.pk}, salt=CONFIRM_SALT)
    return reverse("healthchecks-subscription-confirm-link", args=[token])


def send_confirmation_message(*, subscription: Subscription, code: str) -> None:
    """Send the confirmation message now (called by the task); raises TransportError."""
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
    """Confirm an SMS subscription with its six-digit code; raises InvalidConfirmation (field `code`).

    Five wrong codes, over every code the subscription was sent, lock it.
    """
    if subscription.is_confirmed:
        return subscription
    code = code.strip()
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if not locked.code_hash or locked.code_sent_at is None:
            reason = "no code was sent; ask for a new one"
        elif locked.code_attempts >= Subscription.MAX_CODE_ATTEMPTS:
            reason = "too many wrong codes; remove the number and add it again"
        elif timezone.now() - locked.code_sent_at > Subscription.CODE_LIFETIME:
            reason = "this code has expired; ask for a new one"
        elif not secrets.compare_digest(locked.code_hash, _hash_code(locked.pk, code)):
            # Counted in this transaction, which commits: the error is raised after it.
            locked.code_attempts += 1
            locked.save(update_fields=["code_attempts"])
            reason = f"{code} is not the code we sent"
        else:
            locked.confirmed_at = timezone.now()
            locked.code_hash = ""
            locked.save(update_fields=["confirmed_at", "code_hash"])
            return locked
    raise InvalidConfirmation.for_field("code", reason)
