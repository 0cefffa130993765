"""Transfers between registrars: ours out to the other registrar, and theirs in to us.

A transfer pends at the registry until the losing side approves or rejects it (or the
deadline passes); `sync_transfer` brings our row in line with the outcome.
"""

from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction

from kernel.emails import send_mail
from registrar import names, peer
from registrar.errors import RegistrarError, RegistryRefused
from registrar.models import Domain, DomainContact, LedgerEntry, Order, OrderLine
from registrar.registry import commands
from registrar.services.contacts import CONTACT_FIELDS, clean_contact, create_registry_contact
from registrar.services.domain_settings import apply_transfer_lock
from registrar.services.ledger import charge, credit
from registrar.services.orders import check_idempotency_key
from registrar.services.pricing import price_list
from registrar.services.session import client_id, domain_info, mirror, registry_data, require_managed


def _mail_outcome(domain: Domain, outcome: str) -> None:
    context = {"domain": domain, "outcome": outcome}
    transaction.on_commit(partial(send_mail, "registrar_transfer", domain.owner.email, context))


def request_transfer_out(*, domain: Domain, auth_code: str, now: datetime | None = None) -> Domain:
    """Hand the auth code to the other registrar, which asks the registry for the domain.

    Raises RegistrarError while the transfer lock is on, RegistryRefused for a wrong auth code.
    """
    require_managed(domain)
    if domain.transfer_lock:
        raise RegistrarError(
            f"{domain.unicode_name} is locked against transfers; turn the transfer lock off first.",
            field="auth_code",
        )
    with transaction.atomic():
        result = peer.request_transfer(name=domain.name, auth_code=auth_code, now=now)
        if not result.is_success:
            raise RegistryRefused(result.reason, field="auth_code", code=result.code)
        domain.state = Domain.TRANSFER_OUT
        mirror(domain, domain_info(domain))
    return domain


def approve_transfer_out(*, domain: Domain, now: datetime | None = None) -> Domain:
    """Let a pending transfer out go through now instead of at the deadline."""
    if domain.state != Domain.TRANSFER_OUT:
        raise RegistrarError(f"{domain.unicode_name} has no pending transfer out.")
    with transaction.atomic():
        registry_data(commands.approve_transfer(client_id=client_id(), name=domain.name, now=now))
        domain.state = Domain.TRANSFERRED_OUT
        domain.registry_statuses = []
        domain.save()
    return domain


def reject_transfer_out(*, domain: Domain, now: datetime | None = None) -> Domain:
    """Refuse a pending transfer out; the domain stays with us."""
    if domain.state != Domain.TRANSFER_OUT:
        raise RegistrarError(f"{domain.unicode_name} has no pending transfer out.")
    with transaction.atomic():
        registry_data(commands.reject_transfer(client_id=client_id(), name=domain.name, now=now))
        domain.state = Domain.ACTIVE
        mirror(domain, domain_info(domain))
    return domain


def transfer_in(
    *, owner: Any, name: str, auth_code: str, contact: dict, idempotency_key: str, now: datetime | None = None
) -> Domain:
    """Ask the registry to move a domain from the other registrar to us, paying a year.

    The fee is refunded if the transfer is rejected or cancelled. Raises InsufficientFunds,
    RegistrarError for a bad name, key or contact, RegistryRefused for a wrong auth code, a
    locked domain or one already here.
    """
    check_idempotency_key(idempotency_key)
    existing = Order.objects.filter(owner=owner, idempotency_key=idempotency_key).first()
    if existing is not None:
        line = existing.lines.select_related("domain").first()
        if line and line.domain:
            return line.domain
    try:
        parsed = names.parse_domain_name(name)
    except names.NameProblem as problem:
        raise RegistrarError(problem.message, field="name") from None
    data = clean_contact(contact)
    tld = next((t for t in price_list() if t["name"] == parsed.tld), None)
    if tld is None:
        raise RegistrarError(f"name: .{parsed.tld} is not a TLD we offer", field="name")
    price = tld["yearly_price_cents"]
    with transaction.atomic():
        try:
            with transaction.atomic():
                order = Order.objects.create(owner=owner, idempotency_key=idempotency_key, total_cents=price)
        except IntegrityError:
            # A concurrent submit with this key committed first and made the request.
            line = OrderLine.objects.select_related("domain").get(
                order__owner=owner, order__idempotency_key=idempotency_key
            )
            return line.domain
        charge(owner, price, f"Transfer in of {parsed.unicode} (adds a year)", order=order)
        result = commands.request_transfer(
            client_id=client_id(), name=parsed.ascii, auth_code=auth_code, now=now
        )
        if not result.is_success:
            field_name = "auth_code" if result.field == "auth_code" else "name"
            raise RegistryRefused(result.reason, field=field_name, code=result.code)
        domain = Domain.objects.create(
            owner=owner, name=parsed.ascii, unicode_name=parsed.unicode, state=Domain.TRANSFER_IN
        )
        # Contacts are written at the registry once the domain is ours (see _finish_transfer_in).
        for role, _ in DomainContact.ROLES:
            DomainContact.objects.create(domain=domain, role=role, handle="", **data)
        OrderLine.objects.create(
            order=order, kind=OrderLine.TRANSFER, name=parsed.ascii, years=1, price_cents=price, domain=domain
        )
    return domain


def cancel_transfer_in(*, domain: Domain, now: datetime | None = None) -> Domain:
    """Withdraw our transfer request and refund its fee."""
    if domain.state != Domain.TRANSFER_IN:
        raise RegistrarError(f"{domain.unicode_name} has no pending transfer in.")
    with transaction.atomic():
        registry_data(commands.cancel_transfer(client_id=client_id(), name=domain.name, now=now))
        _fail_transfer_in(domain, "cancelled")
    return domain


def _fail_transfer_in(domain: Domain, outcome: str) -> None:
    line = OrderLine.objects.filter(domain=domain, kind=OrderLine.TRANSFER).select_related("order").first()
    domain.state = Domain.TRANSFER_FAILED
    domain.save(update_fields=["state"])
    if line is not None:
        credit(
            domain.owner,
            line.price_cents,
            LedgerEntry.REFUND,
            f"Refund: transfer in of {domain.unicode_name} {outcome}",
            order=line.order,
            domain=domain,
        )
    _mail_outcome(domain, f"transfer in {outcome}")


def _finish_transfer_in(domain: Domain) -> None:
    contact = domain.contacts.get(role=DomainContact.REGISTRANT)
    data = {key: getattr(contact, key) for key in CONTACT_FIELDS}
    handle = create_registry_contact(data, is_private=domain.privacy)
    registry_data(
        commands.update_domain(
            client_id=client_id(), name=domain.name, registrant=handle, admin=handle, tech=handle
        )
    )
    domain.contacts.update(handle=handle)
    domain.state = Domain.ACTIVE
    apply_transfer_lock(domain)
    mirror(domain, domain_info(domain))
    _mail_outcome(domain, "transfer in completed")


def sync_transfer(domain: Domain) -> None:
    """Apply the registry's answer about a pending transfer (in or out) to our row."""
    result = commands.query_transfer(client_id=client_id(), name=domain.name)
    if not result.is_success:
        return
    status = result.data["status"]
    approved = status in ("clientApproved", "serverApproved")
    if domain.state == Domain.TRANSFER_IN:
        if approved:
            _finish_transfer_in(domain)
        elif status in ("clientRejected", "clientCancelled"):
            _fail_transfer_in(domain, "rejected" if status == "clientRejected" else "cancelled")
    elif approved:
        domain.state = Domain.TRANSFERRED_OUT
        domain.registry_statuses = []
        domain.save()
        _mail_outcome(domain, "transfer out completed")
    elif status in ("clientRejected", "clientCancelled"):
        domain.state = Domain.ACTIVE
        mirror(domain, domain_info(domain))
