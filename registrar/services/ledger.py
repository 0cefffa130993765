"""The ledger: each owner's prepaid balance, its credits, charges and refunds, and the card top-up.

Every change to a balance writes a LedgerEntry with the balance after it, in the caller's
transaction.
"""

from typing import Any

from django.db import transaction
from django.db.models import F

from registrar import payments
from registrar.errors import InsufficientFunds, PaymentDeclined, RegistrarError
from registrar.models import LedgerAccount, LedgerEntry

MIN_TOP_UP_CENTS = 100
MAX_TOP_UP_CENTS = 1_000_000


def format_cents(cents: int) -> str:
    """Cents as dollars: 1250 → "$12.50", -1250 → "-$12.50"."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def balance_cents(owner: Any) -> int:
    account = LedgerAccount.objects.filter(owner=owner).first()
    return account.balance_cents if account else 0


def _account(owner: Any) -> None:
    LedgerAccount.objects.get_or_create(owner=owner)


def credit(owner: Any, amount_cents: int, kind: str, description: str, **links: Any) -> LedgerEntry:
    """Add `amount_cents` to the balance as a credit or refund (`kind`)."""
    _account(owner)
    LedgerAccount.objects.filter(owner=owner).update(balance_cents=F("balance_cents") + amount_cents)
    balance = LedgerAccount.objects.get(owner=owner).balance_cents
    return LedgerEntry.objects.create(
        owner=owner,
        kind=kind,
        amount_cents=amount_cents,
        balance_after_cents=balance,
        description=description,
        **links,
    )


def charge(owner: Any, amount_cents: int, description: str, **links: Any) -> LedgerEntry:
    """Take `amount_cents` from the balance; raises InsufficientFunds if it does not cover it."""
    _account(owner)
    # One conditional update: two concurrent charges can never both spend the same credit.
    updated = LedgerAccount.objects.filter(owner=owner, balance_cents__gte=amount_cents).update(
        balance_cents=F("balance_cents") - amount_cents
    )
    if not updated:
        balance = balance_cents(owner)
        raise InsufficientFunds(
            f"This costs {format_cents(amount_cents)} but your balance is {format_cents(balance)}; "
            "add credit on the billing page first.",
            field="non_field_errors",
        )
    balance = LedgerAccount.objects.get(owner=owner).balance_cents
    return LedgerEntry.objects.create(
        owner=owner,
        kind=LedgerEntry.CHARGE,
        amount_cents=-amount_cents,
        balance_after_cents=balance,
        description=description,
        **links,
    )


def top_up(*, owner: Any, amount_cents: int, card_number: str) -> LedgerEntry:
    """Add credit paid by a (mock) card.

    Raises RegistrarError for an amount out of range and PaymentDeclined for a refused card.
    """
    if not MIN_TOP_UP_CENTS <= amount_cents <= MAX_TOP_UP_CENTS:
        raise RegistrarError(
            f"amount: add between {format_cents(MIN_TOP_UP_CENTS)} and {format_cents(MAX_TOP_UP_CENTS)}",
            field="amount_cents",
        )
    authorisation = payments.authorise(card_number)
    if not authorisation.is_approved:
        raise PaymentDeclined(authorisation.reason, field="card_number")
    with transaction.atomic():
        return credit(
            owner,
            amount_cents,
            LedgerEntry.CREDIT,
            f"Card payment, card ending {authorisation.last4}",
            card_last4=authorisation.last4,
        )
