"""Topics and their subscriptions: confirmation by link or code, and unsubscribing.

A new subscription (or a resend) asks for a confirmation by stamping
`confirmation_requested_at` in its row; the confirmation dispatcher claims the request
(`claim_pending_confirmations`) and enqueues the message, which `send_confirmation_message` sends.
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import validate_mobile_number
from healthchecks.alerting.errors import AlertError, InvalidConfirmation
from healthchecks.models import Subscription, Topic
from healthchecks.transports import transport_for

CONFIRM_SALT = "healthchecks.subscription.confirm"
UNSUBSCRIBE_SALT = "healthchecks.subscription.unsubscribe"
CONFIRM_MAX_AGE_SECONDS = 3 * 24 * 3600


# ---- topics ---------------------------------------------------------------------------------


def create_topic(*, owner, name: str) -> Topic:
    """Create a topic; raises AlertError when the name is empty or taken."""
    name = name.strip()
    if not name:
        raise AlertError.for_field("name", "give the topic a name")
    if Topic.objects.filter(owner=owner, name=name).exists():
        raise AlertError.for_field("name", f"you already have a topic named {name}")
    return Topic.objects.create(owner=owner, name=name)


def delete_topic(*, topic: Topic) -> None:
    """Delete a topic with its subscriptions and alarms."""
    topic.delete()


# ---- subscriptions --------------------------------------------------------------------------


def normalise_endpoint(protocol: str, endpoint: str) -> str:
    """The endpoint in canonical form; raises AlertError naming the field when it is invalid."""
    endpoint = endpoint.strip()
    if protocol == Subscription.EMAIL:
        try:
            validate_email(endpoint)
        except ValidationError:
            raise AlertError.for_field("endpoint", f"{endpoint} is not an e-mail address")
        local, _, domain = endpoint.rpartition("@")
        return f"{local}@{domain.lower()}"
    if protocol == Subscription.SMS:
        try:
            validate_mobile_number(endpoint)
        except ValidationError as error:
            raise AlertError.for_field("endpoint", error.messages[0])
        return endpoint
    raise AlertError.for_field("protocol", f"{protocol} is not email or sms")


def subscribe(*, topic: Topic, protocol: str, endpoint: str) -> Subscription:
    """Add a pending subscription and ask for its confirmation (a link by e-mail, a code by SMS).

    Raises AlertError on a bad endpoint or one already on the topic.
    """
    endpoint = normalise_endpoint(protocol, endpoint)
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                topic=topic, protocol=protocol, endpoint=endpoint, confirmation_requested_at=timezone.now()
            )
    except IntegrityError:
        raise AlertError.for_field("endpoint", f"{endpoint} is already subscribed to {topic.name}")
    return subscription


def resend_confirmation(*, subscription: Subscription) -> Subscription:
    """Ask for a fresh confirmation; raises AlertError when the subscription is already confirmed."""
    if subscription.is_confirmed:
        raise AlertError(f"{subscription.endpoint} is already confirmed")
    subscription.confirmation_requested_at = timezone.now()
    subscription.save(update_fields=["confirmation_requested_at"])
    return subscription


def delete_subscription(*, subscription: Subscription) -> None:
    """Remove a subscription; its past notifications stay in the history."""
    subscription.delete()


# ---- confirmation ---------------------------------------------------------------------------


def _hash_code(subscription_id: int, code: str) -> str:
    return hashlib.sha256(f"{subscription_id}:{code}".encode()).hexdigest()


def claim_pending_confirmations(*, limit: int = 200) -> list[tuple[int, str]]:
    """Claim the confirmations asked for and not yet sent; returns (subscription id, code) per claim.

    A conditional update takes each request once, so two dispatchers never both send it; a
    request renewed meanwhile is left for the next run. An SMS subscription gets a fresh
    six-digit code here (an e-mail one an empty code): only its hash is kept, and the code
    itself travels only inside the send task's message, never in a column.
    """
    now = timezone.now()
    waiting = (
        Subscription.objects.filter(confirmation_requested_at__isnull=False)
        .order_by("confirmation_requested_at", "id")
        .values_list("pk", "protocol", "confirmation_requested_at")[:limit]
    )
    claimed = []
    for subscription_id, protocol, requested_at in waiting:
        code, changes = "", {}
        if protocol == Subscription.SMS:
            code = f"{secrets.randbelow(10**6):06d}"
            changes = {
                "code_hash": _hash_code(subscription_id, code),
                "code_sent_at": now,
                "code_attempts": 0,
            }
        won = Subscription.objects.filter(pk=subscription_id, confirmation_requested_at=requested_at).update(
            confirmation_requested_at=None, **changes
        )
        if won:
            claimed.append((subscription_id, code))
    return claimed


def confirmation_url(subscription: Subscription) -> str:
    token = signing.dumps({"s": subscription.pk}, salt=CONFIRM_SALT)
    return reverse("healthchecks-subscription-confirm-link", args=[token])


def unsubscribe_url(subscription: Subscription) -> str:
    token = signing.dumps({"s": subscription.pk}, salt=UNSUBSCRIBE_SALT)
    return reverse("healthchecks-unsubscribe", args=[token])


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
    """Confirm an SMS subscription with its six-digit code; raises InvalidConfirmation (field `code`)."""
    if subscription.is_confirmed:
        return subscription
    code = code.strip()
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if not locked.code_hash or locked.code_sent_at is None:
            reason = "no code was sent; ask for a new one"
        elif locked.code_attempts >= Subscription.MAX_CODE_ATTEMPTS:
            reason = "too many wrong codes; ask for a new one"
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
