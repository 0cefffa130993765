"""Transfers between registrars (RFC 5730 §2.9.3.4, RFC 5731 §3.2.4).

A request pends until the losing registrar approves or rejects it, the gaining one cancels
it, or its deadline passes and the registry approves it itself.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from registrar.registry import clock
from registrar.registry import models as m
from registrar.registry.commands.domains import (
    add_years,
    check_years,
    domain_for_update,
    new_auth_code,
    parse_domain,
    sponsored_domain,
    touch,
)
from registrar.registry.commands.poll import queue_message
from registrar.registry.commands.results import (
    AUTHORIZATION_ERROR,
    INVALID_AUTH_INFO,
    NOT_ELIGIBLE_FOR_TRANSFER,
    NOT_PENDING_TRANSFER,
    OBJECT_DOES_NOT_EXIST,
    OK_PENDING,
    PENDING_TRANSFER,
    STATUS_PROHIBITS,
    Refused,
    Result,
    auth_code_matches,
    command,
    login,
    ok,
)

TRANSFER_TEXTS = {
    m.Transfer.PENDING: "Transfer requested.",
    m.Transfer.CLIENT_APPROVED: "Transfer approved by the sponsoring registrar.",
    m.Transfer.CLIENT_REJECTED: "Transfer rejected by the sponsoring registrar.",
    m.Transfer.CLIENT_CANCELLED: "Transfer cancelled.",
    m.Transfer.SERVER_APPROVED: "Transfer approved by the registry.",
}


def transfer_data(transfer: m.Transfer) -> dict:
    """A transfer as EPP's trnData carries it: status, both registrars, dates (RFC 5731 §3.2.4)."""
    return {
        "status": transfer.status,
        "gaining": transfer.gaining.client_id,
        "gaining_name": transfer.gaining.name,
        "losing": transfer.losing.client_id,
        "losing_name": transfer.losing.name,
        "years": transfer.years,
        "requested_at": transfer.requested_at,
        "act_by": transfer.act_by,
        "acted_at": transfer.acted_at,
    }


def announce_transfer(transfer: m.Transfer, *, actor: m.Registrar | None, now: datetime) -> None:
    """Queue the transfer's news for each registrar in it but the one that acted (both, for the registry)."""
    for recipient in (transfer.losing, transfer.gaining):
        if actor is None or recipient.pk != actor.pk:
            queue_message(
                recipient,
                transfer.domain.name,
                m.PollMessage.TRANSFER,
                TRANSFER_TEXTS[transfer.status],
                now=now,
                **transfer_data(transfer),
            )


def _pending_transfer(domain: m.DomainObject) -> m.Transfer:
    transfer = domain.transfers.select_for_update().filter(status=m.Transfer.PENDING).first()
    if transfer is None:
        raise Refused(NOT_PENDING_TRANSFER, f"{domain.name} has no pending transfer", "name")
    return transfer


@command
def request_transfer(
    *, client_id: str, name: str, auth_code: str, years: int = 1, now: datetime | None = None
) -> Result:
    """Ask to move a domain to the calling registrar; it pends until approved or timed out."""
    registrar = login(client_id)
    now = now or clock.now()
    domain = domain_for_update(name)
    if domain.sponsor_id == registrar.pk:
        raise Refused(NOT_ELIGIBLE_FOR_TRANSFER, f"{domain.name} is already sponsored by you", "name")
    if domain.has_status(m.PENDING_TRANSFER):
        raise Refused(PENDING_TRANSFER, f"{domain.name} already has a pending transfer", "name")
    for status in (m.CLIENT_TRANSFER_PROHIBITED, m.REDEMPTION_PERIOD, m.PENDING_DELETE):
        if domain.has_status(status):
            raise Refused(STATUS_PROHIBITS, f"{domain.name} has status {status}", "name")
    if not auth_code_matches(auth_code, domain.auth_code):
        raise Refused(
            INVALID_AUTH_INFO, f"auth code: that is not the auth code of {domain.name}", "auth_code"
        )
    check_years(domain.tld, years)
    transfer = m.Transfer.objects.create(
        domain=domain,
        gaining=registrar,
        losing=domain.sponsor,
        years=years,
        requested_at=now,
        act_by=now + timedelta(days=settings.REGISTRY_TRANSFER_AUTO_APPROVE_DAYS),
    )
    domain.statuses = sorted(set(domain.statuses) | {m.PENDING_TRANSFER})
    touch(domain, now)
    announce_transfer(transfer, actor=registrar, now=now)
    return ok(OK_PENDING, name=domain.name, status=transfer.status, act_by=transfer.act_by)


def _complete_transfer(domain: m.DomainObject, transfer: m.Transfer, status: str, now: datetime) -> None:
    transfer.status = status
    transfer.acted_at = now
    transfer.save()
    domain.sponsor = transfer.gaining
    domain.statuses = sorted(set(domain.statuses) - {m.PENDING_TRANSFER, m.CLIENT_TRANSFER_PROHIBITED})
    domain.expires_at = add_years(domain.expires_at, transfer.years)
    domain.auth_code = new_auth_code()
    domain.transferred_at = now
    # Contacts and host objects move with the domain to the gaining registrar.
    for contact in {domain.registrant, domain.admin, domain.tech} - {None}:
        contact.sponsor = transfer.gaining
        contact.save()
    domain.hosts.update(sponsor=transfer.gaining)
    touch(domain, now)


@command
def approve_transfer(*, client_id: str, name: str, now: datetime | None = None) -> Result:
    """The losing registrar lets a pending transfer go through."""
    registrar = login(client_id)
    now = now or clock.now()
    domain = sponsored_domain(name, registrar)
    transfer = _pending_transfer(domain)
    _complete_transfer(domain, transfer, m.Transfer.CLIENT_APPROVED, now)
    announce_transfer(transfer, actor=registrar, now=now)
    return ok(name=domain.name, status=transfer.status, expires_at=domain.expires_at)


def _end_transfer(domain: m.DomainObject, transfer: m.Transfer, status: str, now: datetime) -> None:
    transfer.status = status
    transfer.acted_at = now
    transfer.save()
    domain.statuses = sorted(set(domain.statuses) - {m.PENDING_TRANSFER})
    touch(domain, now)


@command
def reject_transfer(*, client_id: str, name: str, now: datetime | None = None) -> Result:
    """The losing registrar refuses a pending transfer."""
    registrar = login(client_id)
    now = now or clock.now()
    domain = sponsored_domain(name, registrar)
    transfer = _pending_transfer(domain)
    _end_transfer(domain, transfer, m.Transfer.CLIENT_REJECTED, now)
    announce_transfer(transfer, actor=registrar, now=now)
    return ok(name=domain.name, status=transfer.status)


@command
def cancel_transfer(*, client_id: str, name: str, now: datetime | None = None) -> Result:
    """The gaining registrar withdraws its transfer request."""
    registrar = login(client_id)
    domain = domain_for_update(name)
    transfer = _pending_transfer(domain)
    if transfer.gaining_id != registrar.pk:
        raise Refused(AUTHORIZATION_ERROR, f"{domain.name}: only the requesting registrar may cancel", "name")
    now = now or clock.now()
    _end_transfer(domain, transfer, m.Transfer.CLIENT_CANCELLED, now)
    announce_transfer(transfer, actor=registrar, now=now)
    return ok(name=domain.name, status=transfer.status)


@command
def query_transfer(*, client_id: str, name: str) -> Result:
    """The latest transfer of a domain, for either registrar involved."""
    registrar = login(client_id)
    parsed = parse_domain(name)
    transfer = (
        m.Transfer.objects.select_related("gaining", "losing")
        .filter(domain__name=parsed.ascii)
        .filter(Q(gaining=registrar) | Q(losing=registrar))
        .first()
    )
    if transfer is None:
        raise Refused(OBJECT_DOES_NOT_EXIST, f"{parsed.unicode} has no transfer involving you", "name")
    return ok(name=parsed.ascii, **transfer_data(transfer))


def approve_due_transfers(*, now: datetime | None = None) -> list[str]:
    """Approve every pending transfer whose losing registrar let the deadline pass."""
    now = now or clock.now()
    done = []
    for transfer_id in m.Transfer.objects.filter(status=m.Transfer.PENDING, act_by__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            # Claim: re-read under a lock; another worker may have acted already.
            transfer = (
                m.Transfer.objects.select_for_update()
                .filter(pk=transfer_id, status=m.Transfer.PENDING)
                .first()
            )
            if transfer is None:
                continue
            domain = m.DomainObject.objects.select_for_update().get(pk=transfer.domain_id)
            _complete_transfer(domain, transfer, m.Transfer.SERVER_APPROVED, now)
            announce_transfer(transfer, actor=None, now=now)
            done.append(domain.name)
    return done
