"""The poll queue (RFC 5730 §2.9.2.3): how the registry tells a registrar what others did.

A command that changes a domain on someone else's behalf (the other registrar approving a
transfer, the registry's own deadline or expiry) queues a message for each registrar it
concerns, in the same transaction. The registrar reads the oldest with `poll_request` and
removes it with `poll_ack`. EPP stops there: registrars poll. Here a registrar may also
`subscribe` to be told right after the commit that queued something, so it can read its
queue at once; its periodic poll stays as the fall-back for a wake-up that never came.
"""

import functools
from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from registrar.registry import clock
from registrar.registry import models as m
from registrar.registry.commands.results import (
    OBJECT_DOES_NOT_EXIST,
    OK,
    OK_ACK_TO_DEQUEUE,
    OK_NO_MESSAGES,
    Refused,
    Result,
    command,
    login,
    ok,
)

_subscribers: dict[str, Callable[[], object]] = {}


def subscribe(client_id: str, wake: Callable[[], object]) -> None:
    """Call `wake()` after each commit that queues a message for `client_id` (one per registrar)."""
    _subscribers[client_id] = wake


def _wake(client_id: str) -> None:
    wake = _subscribers.get(client_id)
    if wake is not None:
        wake()


def queue_message(
    recipient: m.Registrar, domain_name: str, kind: str, text: str, *, now: datetime | None = None, **data
) -> m.PollMessage:
    """Queue a message in the current transaction; the recipient is woken after commit.

    A wake-up that fails is logged and left to the recipient's periodic poll (robust=True).
    """
    message = m.PollMessage.objects.create(
        recipient=recipient,
        domain_name=domain_name,
        kind=kind,
        text=text,
        data=data,
        queued_at=now or clock.now(),
    )
    transaction.on_commit(functools.partial(_wake, recipient.client_id), robust=True)
    return message


def _message_data(message: m.PollMessage, count: int) -> dict:
    return {
        "id": message.pk,
        "count": count,
        "domain": message.domain_name,
        "kind": message.kind,
        "text": message.text,
        "queued_at": message.queued_at,
        **message.data,
    }


@command
def poll_request(*, client_id: str) -> Result:
    """The oldest unacknowledged message (1301, with the queue's length) or 1300 when there is none."""
    registrar = login(client_id)
    queue = m.PollMessage.objects.filter(recipient=registrar, acked_at=None)
    message = queue.first()
    if message is None:
        return ok(OK_NO_MESSAGES, count=0)
    return ok(OK_ACK_TO_DEQUEUE, **_message_data(message, queue.count()))


@command
def poll_ack(*, client_id: str, message_id: int, now: datetime | None = None) -> Result:
    """Remove a message from the queue; 2303 if it is not a queued message of the caller's."""
    registrar = login(client_id)
    acked = m.PollMessage.objects.filter(pk=message_id, recipient=registrar, acked_at=None).update(
        acked_at=now or clock.now()
    )
    if not acked:
        raise Refused(OBJECT_DOES_NOT_EXIST, f"message {message_id} is not in your queue", "message_id")
    remaining = m.PollMessage.objects.filter(recipient=registrar, acked_at=None).count()
    return ok(OK, id=message_id, count=remaining)
