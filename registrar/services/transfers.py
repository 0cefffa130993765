"""Transfers between registrars: ours out to the other registrar, and theirs in to us.

A transfer pends at the registry until the losing side approves or rejects it (or the
deadline passes). The registry's poll message about it wakes `sync_transfer` right after
the change commits (`registry_messages`); the periodic sync is the fall-back. The registrant
is mailed each request and outcome, with its dates and amounts.
"""

from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kernel.emails import send_mail
from registrar import names, peer
from registrar.errors import RegistrarError, RegistryRefused
from registrar.models import Domain, DomainContact, LedgerEntry, Order, OrderLine
from registrar.registry import commands
from registrar.services.contacts import CONTACT_FIELDS, clean_contact, create_registry_contact
from registrar.services.delegation import describe_zone, hosted_zones_named, matching_hosted_zone
from registrar.services.domain_settings import apply_transfer_lock
from registrar.services.ledger import charge, credit, format_cents
from registrar.services.orders import check_idempotency_key
from registrar.services.pricing import price_list
from registrar.services.session import client_id, domain_info, mirror, registry_data, require_managed

# The registry's transfer statuses (RFC 5731 §3.2.4).
PENDING, CLIENT_APPROVED, SERVER_APPROVED = "pending", "clientApproved", "serverApproved"
CLIENT_REJECTED, CLIENT_CANCELLED = "clientRejected", "clientCancelled"


def _mail(domain: Domain, name: str, **context: Any) -> None:
    context = {"domain": domain, **context}
    transaction.on_commit(partial(send_mail, name, domain.owner.email, context))


def _mail_outcome(domain: Domain, outcome: str, **details: Any) -> None:
    """The transfer outcome mail: `outcome` is its subject's words; `details` its dates and amounts."""
    _mail(domain, "registrar_transfer", outcome=outcome, **{"acted_at": timezone.now(), **details})


def _locked(domain: Domain) -> Domain:
    return Domain.objects.select_for_update().select_related("owner").get(pk=domain.pk)


def _begin_transfer_out(domain: Domain, transfer: dict) -> None:
    """The other registrar asked for the domain: mark it and notify the registrant.

    ICANN's Transfer Policy has the losing registrar notify the registrant of every
    transfer-out request, with the time to object.
    """
    domain.state = Domain.TRANSFER_OUT
    mirror(domain, domain_info(domain))
    _mail(
        domain,
        "registrar_transfer_out_requested",
        gaining=transfer["gaining_name"],
        requested_at=transfer["requested_at"],
        act_by=transfer["act_by"],
    )


def _end_transfer_out(domain: Domain, transfer: dict, *, by: str) -> None:
    status = transfer["status"]
    acted_at = transfer.get("acted_at") or timezone.now()
    if status in (CLIENT_APPROVED, SERVER_APPROVED):
        domain.state = Domain.TRANSFERRED_OUT
        domain.registry_statuses = []
        domain.save()
        _mail_outcome(
            domain, f"transfer out to {transfer['gaining_name']} completed", acted_at=acted_at, by=by
        )
        return
    domain.state = Domain.ACTIVE
    mirror(domain, domain_info(domain))
    outcome = "refused" if status == CLIENT_REJECTED else "cancelled"
    _mail_outcome(domain, f"transfer out to {transfer['gaining_name']} {outcome}", acted_at=acted_at, by=by)


def request_transfer_out(*, domain: Domain, auth_code: str, now: datetime | None = None) -> Domain:
    """Hand the auth code to the other registrar, which asks the registry for the domain.

    The registrant is mailed the request and its deadline. Raises RegistrarError while the
    transfer lock is on, RegistryRefused for a wrong auth code.
    """
    require_managed(domain)
    if domain.transfer_lock:
        raise RegistrarError(
            f"{domain.unicode_name} is locked against transfers; turn the transfer lock off first.",
            field="auth_code",
        )
    with transaction.atomic():
        locked = _locked(domain)
        result = peer.request_transfer(name=locked.name, auth_code=auth_code, now=now)
        if not result.is_success:
            raise RegistryRefused(result.reason, field="auth_code", code=result.code)
        _begin_transfer_out(
            locked, registry_data(commands.query_transfer(client_id=client_id(), name=locked.name))
        )
    domain.refresh_from_db()
    return domain


def _pending_out(domain: Domain) -> Domain:
    locked = _locked(domain)
    if locked.state != Domain.TRANSFER_OUT:
        raise RegistrarError(f"{domain.unicode_name} has no pending transfer out.")
    return locked


def approve_transfer_out(*, domain: Domain, now: datetime | None = None) -> Domain:
    """Let a pending transfer out go through now instead of at the deadline; the registrant is mailed."""
    with transaction.atomic():
        locked = _pending_out(domain)
        registry_data(commands.approve_transfer(client_id=client_id(), name=locked.name, now=now))
        transfer = registry_data(commands.query_transfer(client_id=client_id(), name=locked.name))
        _end_transfer_out(locked, transfer, by="approved by you")
    domain.refresh_from_db()
    return domain


def reject_transfer_out(*, domain: Domain, now: datetime | None = None) -> Domain:
    """Refuse a pending transfer out; the domain stays with us and the registrant is mailed."""
    with transaction.atomic():
        locked = _pending_out(domain)
        registry_data(commands.reject_transfer(client_id=client_id(), name=locked.name, now=now))
        transfer = registry_data(commands.query_transfer(client_id=client_id(), name=locked.name))
        _end_transfer_out(locked, transfer, by="refused by you")
    domain.refresh_from_db()
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
    with transaction.atomic():
        locked = _locked(domain)
        if locked.state != Domain.TRANSFER_IN:
            raise RegistrarError(f"{domain.unicode_name} has no pending transfer in.")
        registry_data(commands.cancel_transfer(client_id=client_id(), name=locked.name, now=now))
        _fail_transfer_in(locked, "cancelled", by="cancelled by you")
    domain.refresh_from_db()
    return domain


def _fail_transfer_in(domain: Domain, outcome: str, *, by: str, acted_at: datetime | None = None) -> None:
    line = OrderLine.objects.filter(domain=domain, kind=OrderLine.TRANSFER).select_related("order").first()
    domain.state = Domain.TRANSFER_FAILED
    domain.save(update_fields=["state"])
    refund = None
    if line is not None:
        credit(
            domain.owner,
            line.price_cents,
            LedgerEntry.REFUND,
            f"Refund: transfer in of {domain.unicode_name} {outcome}",
            order=line.order,
            domain=domain,
        )
        refund = format_cents(line.price_cents)
    _mail_outcome(
        domain, f"transfer in {outcome}", by=by, refunded=refund, acted_at=acted_at or timezone.now()
    )


def _zone_after_transfer_in(domain: Domain) -> str:
    """Attach the owner's hosted zone of this name, if any, without moving the delegation.

    The registry still delegates to the name servers the domain came with. A zone whose four
    they already are is attached (so `uses_hosted_zone` is true); else the owner's only zone of
    the name is attached for "use hosted zone" to point at. Answers what the mail says about it.
    """
    zones = hosted_zones_named(domain)
    zone = matching_hosted_zone(domain) or (zones[0] if len(zones) == 1 else None)
    domain.hosted_zone = zone
    domain.save(update_fields=["hosted_zone"])
    if zone is not None and domain.uses_hosted_zone:
        return f"The registry delegates it to your hosted zone {describe_zone(zone)}."
    servers = ", ".join(domain.name_servers) or "no name servers"
    if zone is not None:
        return (
            f"The registry still delegates it to {servers}; your hosted zone {describe_zone(zone)} "
            "is here: use it from the domain's page when its records are ready."
        )
    if zones:
        return (
            f"The registry still delegates it to {servers}; you host {len(zones)} zones of that name "
            "here: choose one on the domain's page."
        )
    return f"The registry still delegates it to {servers}."


def _finish_transfer_in(domain: Domain, *, acted_at: datetime | None = None, by: str = "") -> None:
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
    zone_note = _zone_after_transfer_in(domain)
    line = OrderLine.objects.filter(domain=domain, kind=OrderLine.TRANSFER).first()
    _mail_outcome(
        domain,
        "transfer in completed",
        acted_at=acted_at or timezone.now(),
        by=by,
        charged=format_cents(line.price_cents) if line else None,
        expires_at=domain.expires_at,
        zone_note=zone_note,
    )


def sync_transfer(domain: Domain) -> None:
    """Apply the registry's answer about the domain's latest transfer to our row (locked by the caller).

    A transfer in that went through or failed, a transfer out that went through, was refused
    or cancelled, and a transfer out the other registrar asked for by itself.
    """
    result = commands.query_transfer(client_id=client_id(), name=domain.name)
    if not result.is_success:
        return
    transfer = result.data
    status = transfer["status"]
    # The registry cancels a pending transfer itself when the domain expires.
    canceller = "the registry, as the domain expired" if domain.is_expired() else transfer["gaining_name"]
    by = {
        CLIENT_APPROVED: f"approved by {transfer['losing_name']}",
        SERVER_APPROVED: "approved by the registry: nobody refused it in time",
        CLIENT_REJECTED: f"rejected by {transfer['losing_name']}",
        CLIENT_CANCELLED: f"cancelled by {canceller}",
    }.get(status)
    if domain.state == Domain.TRANSFER_IN:
        if status in (CLIENT_APPROVED, SERVER_APPROVED):
            _finish_transfer_in(domain, acted_at=transfer["acted_at"], by=by)
        elif status in (CLIENT_REJECTED, CLIENT_CANCELLED):
            outcome = "rejected" if status == CLIENT_REJECTED else "cancelled"
            _fail_transfer_in(domain, outcome, by=by, acted_at=transfer["acted_at"])
    elif domain.state == Domain.TRANSFER_OUT:
        if by is not None:
            _end_transfer_out(domain, transfer, by=by)
    elif domain.state == Domain.ACTIVE and status == PENDING and transfer["losing"] == client_id():
        _begin_transfer_out(domain, transfer)
