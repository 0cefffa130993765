"""Orders: checkout turns the cart into one, charged once and registered all or nothing.

Orders carry the caller's idempotency key; a repeated submit answers the first order.
"""

import re
import uuid
from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from kernel.emails import send_mail
from registrar.errors import NameUnavailable, RegistrarError, RegistryRefused
from registrar.models import CartItem, Domain, DomainContact, Order, OrderLine
from registrar.registry import commands
from registrar.services.contacts import clean_contact, create_registry_contact, save_contacts
from registrar.services.delegation import attach_hosted_zone, describe_zone, hosted_zones_named
from registrar.services.domain_settings import apply_transfer_lock
from registrar.services.ledger import charge, format_cents
from registrar.services.session import client_id

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
TAKEN_CODES = (commands.OBJECT_EXISTS, commands.POLICY_ERROR, commands.PARAMETER_SYNTAX)


def check_idempotency_key(idempotency_key: str) -> str:
    """The key itself; raises RegistrarError unless it is 8 to 64 safe characters."""
    if not IDEMPOTENCY_KEY.match(idempotency_key or ""):
        raise RegistrarError(
            "idempotency key: use 8 to 64 letters, digits or - _ . :", field="idempotency_key"
        )
    return idempotency_key


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def _zone_note(domain: Domain, zone: Any, existing: list) -> str:
    """What the purchase mail says about a hosted zone the owner had already: which one it uses."""
    if not existing:
        return ""
    note = f"{domain.unicode_name} uses your existing hosted zone {describe_zone(zone)}"
    if len(existing) > 1:
        note += (
            f", the fullest of your {len(existing)} zones of that name; choose another on the domain's page"
        )
    return note + "."


def checkout(*, owner: Any, idempotency_key: str, contact: dict, now: datetime | None = None) -> Order:
    """Buy everything in the cart: charge the ledger and register each name, all or nothing.

    The same idempotency key returns the first order and charges nothing more. Each domain
    gets contact objects of its own at the registry, and is delegated to a hosted zone: the
    owner's existing zone of that name (the fullest, if several), else a new one. Raises
    RegistrarError for an empty cart or bad contact, InsufficientFunds when the balance does
    not cover the total, NameUnavailable when a name was taken (also by a concurrent buyer)
    or reserved; nothing is charged then.
    """
    check_idempotency_key(idempotency_key)
    existing = Order.objects.filter(owner=owner, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    data = clean_contact(contact)
    now = now or timezone.now()
    with transaction.atomic():
        items = list(CartItem.objects.filter(owner=owner))
        if not items:
            raise RegistrarError("Your cart is empty: search for a name and add it first.")
        total = sum(item.price_cents for item in items)
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    owner=owner, idempotency_key=idempotency_key, total_cents=total, created_at=now
                )
        except IntegrityError:
            # A concurrent submit with this key committed first; it did the buying.
            return Order.objects.get(owner=owner, idempotency_key=idempotency_key)
        listed = ", ".join(item.unicode_name for item in items)
        charge(owner, total, f"Order {order.pk}: {listed}", order=order)
        domains, zone_notes = [], []
        for item in items:
            # Contact objects of its own for each domain: privacy and every contact field are
            # per domain, and a change to one domain's contact never shows on another's.
            handle = create_registry_contact(data, is_private=True)
            result = commands.create_domain(
                client_id=client_id(),
                name=item.name,
                years=item.years,
                registrant=handle,
                admin=handle,
                tech=handle,
                now=now,
            )
            if not result.is_success:
                error = NameUnavailable if result.code in TAKEN_CODES else RegistryRefused
                raise error(result.reason or result.message)
            domain = Domain.objects.create(
                owner=owner,
                name=item.name,
                unicode_name=item.unicode_name,
                created_at=now,
                expires_at=result.data["expires_at"],
            )
            save_contacts(domain, handle, data, [role for role, _ in DomainContact.ROLES])
            OrderLine.objects.create(
                order=order,
                kind=OrderLine.REGISTER,
                name=item.name,
                years=item.years,
                price_cents=item.price_cents,
                domain=domain,
            )
            apply_transfer_lock(domain)
            existing_zones = hosted_zones_named(domain)
            zone = attach_hosted_zone(domain=domain, pick=True)
            zone_notes.append(_zone_note(domain, zone, existing_zones))
            domains.append(domain)
        CartItem.objects.filter(pk__in=[item.pk for item in items]).delete()
        context = {
            "order": order,
            "domains": domains,
            "total": format_cents(total),
            "lines": list(order.lines.all()),
            "zone_notes": [note for note in zone_notes if note],
        }
        transaction.on_commit(partial(send_mail, "registrar_purchase", owner.email, context))
    return order
