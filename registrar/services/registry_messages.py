"""Our poll queue at the registry: what other parties did to our domains, applied as it happens.

The registry queues a message in the transaction that changes one of our domains on someone
else's behalf (the other registrar approving or rejecting our transfer in, or asking for one
of ours; the registry approving a transfer at its deadline, or a lapsed domain entering
redemption and being purged), and wakes us right after its commit (`commands.subscribe`, set
up in `RegistrarConfig.ready`). The periodic poll (`registrar.poll_registry`) reads whatever a
lost wake-up left behind.
"""

import logging

from django.db import transaction

from registrar.errors import RegistrarError
from registrar.models import Domain
from registrar.registry import commands
from registrar.services.renewals import sync_lapsed_domain
from registrar.services.session import client_id
from registrar.services.transfers import sync_transfer

logger = logging.getLogger(__name__)

# One read at most handles this many messages; the rest wait for the next wake-up or poll.
MAX_MESSAGES_PER_READ = 200
LIVE_STATES = (Domain.ACTIVE, Domain.TRANSFER_IN, Domain.TRANSFER_OUT)


def _apply(message: dict) -> str | None:
    """Bring our row of the message's domain in line with the registry; answers its new state, if changed."""
    with transaction.atomic():
        domain = (
            Domain.objects.select_for_update()
            .select_related("owner")
            .filter(name=message["domain"], state__in=LIVE_STATES)
            .first()
        )
        if domain is None:
            return None
        before = domain.state, list(domain.registry_statuses)
        if message["kind"] == "transfer":
            sync_transfer(domain)
        elif domain.state == Domain.ACTIVE:
            sync_lapsed_domain(domain)
        return domain.state if (domain.state, list(domain.registry_statuses)) != before else None


def read_registry_messages() -> list[str]:
    """Apply and acknowledge the messages in our poll queue, oldest first.

    Safe to run concurrently (a wake-up and the periodic poll): each message is applied under
    the domain's row lock, and applying one twice changes nothing. A refusal while applying
    is logged and the message acknowledged; any other failure leaves it queued. Answers
    "<name> <kind>" for each message read.
    """
    read = []
    for _ in range(MAX_MESSAGES_PER_READ):
        result = commands.poll_request(client_id=client_id())
        if result.code != commands.OK_ACK_TO_DEQUEUE:
            break
        message = result.data
        try:
            changed = _apply(message)
        except RegistrarError as error:
            # EPP hands out the oldest message until it is acknowledged: one that cannot be
            # applied would block the queue. The periodic sync looks at pending transfers again.
            logger.warning(
                "registry message %s about %s refused: %s", message["id"], message["domain"], error
            )
            changed = None
        commands.poll_ack(client_id=client_id(), message_id=message["id"])
        if changed:
            logger.info("registry message %s: %s is now %s", message["id"], message["domain"], changed)
        read.append(f"{message['domain']} {message['kind']}")
    return read
