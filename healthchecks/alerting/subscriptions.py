"""Topics and their subscriptions: adding, asking for a confirmation again, removing, unsubscribing.

Adding a subscription and resending its confirmation count against the limits (`limits`);
the confirmation itself is `confirmations`.
"""

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import validate_mobile_number
from healthchecks.alerting import limits
from healthchecks.alerting.errors import AlertError, InvalidConfirmation
from healthchecks.models import Subscription, Topic

UNSUBSCRIBE_SALT = "healthchecks.subscription.unsubscribe"


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

    Raises AlertError on a bad endpoint or one already on the topic, and ConfirmationLimited
    when the account has had its confirmation texts for the day.
    """
    endpoint = normalise_endpoint(protocol, endpoint)
    counted = limits.count_confirmation(owner_id=topic.owner_id, protocol=protocol)
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                topic=topic, protocol=protocol, endpoint=endpoint, confirmation_requested_at=timezone.now()
            )
    except IntegrityError:
        limits.uncount(counted)
        raise AlertError.for_field("endpoint", f"{endpoint} is already subscribed to {topic.name}")
    return subscription


def resend_confirmation(*, subscription: Subscription) -> Subscription:
    """Ask for a fresh confirmation (for SMS, a new code: the old one stops working).

    Raises AlertError when the subscription is already confirmed, and ConfirmationLimited when
    a limit is reached (resends to this subscription a minute or a day, texts of the account a
    day); a refused resend counts against nothing.
    """
    if subscription.is_confirmed:
        raise AlertError(f"{subscription.endpoint} is already confirmed")
    limits.count_confirmation(
        owner_id=subscription.topic.owner_id, protocol=subscription.protocol, resend_of=subscription
    )
    subscription.confirmation_requested_at = timezone.now()
    subscription.save(update_fields=["confirmation_requested_at"])
    return subscription


def delete_subscription(*, subscription: Subscription) -> None:
    """Remove a subscription; its past notifications stay in the history."""
    subscription.delete()


def unsubscribe_url(subscription: Subscription) -> str:
    token = signing.dumps({"s": subscription.pk}, salt=UNSUBSCRIBE_SALT)
    return reverse("healthchecks-unsubscribe", args=[token])


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
