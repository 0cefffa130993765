"""Renewals: renewing and restoring a domain, auto-renew, reminder mails, and lapsed domains.

A receipt goes with each order, in its transaction, so it goes out once per order; each
reminder and auto-renew failure is claimed by a RenewalNotice row first, once per expiry.
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kernel.emails import send_mail
from registrar.errors import InsufficientFunds, RegistrarError
from registrar.models import Domain, Order, OrderLine, RenewalNotice
from registrar.registry import commands
from registrar.services.ledger import balance_cents, charge, format_cents
from registrar.services.orders import check_idempotency_key, new_idempotency_key
from registrar.services.pricing import price_list
from registrar.services.session import client_id, domain_info, mirror, registry_data, require_managed

logger = logging.getLogger(__name__)


def _yearly_price(domain: Domain) -> int:
    tld = next(t for t in price_list() if t["name"] == domain.tld)
    return tld["yearly_price_cents"]


def renew_domain(
    *, domain: Domain, years: int, idempotency_key: str | None = None, now: datetime | None = None
) -> Order:
    """Renew for `years`, charging the ledger and mailing a receipt; the same idempotency key renews once.

    Raises InsufficientFunds, RegistrarError for a domain we do not manage, RegistryRefused
    when the registry refuses (term beyond ten years, deleted domain); nothing is charged then.
    """
    return _renew(domain, years, idempotency_key, now, receipt="registrar_renewal_receipt")


def _renew(
    domain: Domain, years: int, idempotency_key: str | None, now: datetime | None, *, receipt: str
) -> Order:
    require_managed(domain)
    key = check_idempotency_key(idempotency_key or new_idempotency_key())
    existing = Order.objects.filter(owner=domain.owner, idempotency_key=key).first()
    if existing is not None:
        return existing
    price = _yearly_price(domain) * years
    with transaction.atomic():
        locked = Domain.objects.select_for_update().get(pk=domain.pk)
        try:
            with transaction.atomic():
                order = Order.objects.create(owner=domain.owner, idempotency_key=key, total_cents=price)
        except IntegrityError:
            return Order.objects.get(owner=domain.owner, idempotency_key=key)
        entry = charge(
            domain.owner,
            price,
            f"Renewal of {domain.unicode_name} for {years} year(s)",
            order=order,
            domain=locked,
        )
        previous_expiry = locked.expires_at
        data = registry_data(
            commands.renew_domain(
                client_id=client_id(),
                name=locked.name,
                current_expires_at=locked.expires_at,
                years=years,
                now=now,
            )
        )
        OrderLine.objects.create(
            order=order, kind=OrderLine.RENEW, name=locked.name, years=years, price_cents=price, domain=locked
        )
        locked.expires_at = data["expires_at"]
        locked.save(update_fields=["expires_at"])
        _mail_owner(
            locked,
            receipt,
            {
                "domain": locked,
                "order": order,
                "years": years,
                "amount": format_cents(price),
                "balance": format_cents(entry.balance_after_cents),
                "previous_expires_at": previous_expiry,
                "charged_at": entry.created_at,
            },
        )
    domain.refresh_from_db()
    return order


def restore_domain(
    *, domain: Domain, idempotency_key: str | None = None, now: datetime | None = None
) -> Order:
    """Bring a lapsed or deleted domain back from the registry's redemption period for a year's fee.

    Mails a receipt. Raises RegistryRefused when the domain is not in redemption,
    InsufficientFunds without credit; nothing is charged then.
    """
    require_managed(domain)
    key = check_idempotency_key(idempotency_key or new_idempotency_key())
    existing = Order.objects.filter(owner=domain.owner, idempotency_key=key).first()
    if existing is not None:
        return existing
    price = _yearly_price(domain)
    with transaction.atomic():
        order = Order.objects.create(owner=domain.owner, idempotency_key=key, total_cents=price)
        entry = charge(
            domain.owner,
            price,
            f"Restore of {domain.unicode_name} from redemption",
            order=order,
            domain=domain,
        )
        registry_data(commands.restore_domain(client_id=client_id(), name=domain.name, now=now))
        OrderLine.objects.create(
            order=order, kind=OrderLine.RENEW, name=domain.name, years=1, price_cents=price, domain=domain
        )
        mirror(domain, domain_info(domain))
        _mail_owner(
            domain,
            "registrar_restore_receipt",
            {
                "domain": domain,
                "order": order,
                "amount": format_cents(price),
                "balance": format_cents(entry.balance_after_cents),
                "charged_at": entry.created_at,
            },
        )
    return order


def sync_lapsed_domain(domain: Domain) -> None:
    """Mirror an expired domain from the registry, or mark it deleted once the registry purged it."""
    result = commands.info_domain(client_id=client_id(), name=domain.name)
    if result.code == commands.OBJECT_DOES_NOT_EXIST:
        domain.state = Domain.DELETED
        domain.save(update_fields=["state"])
    elif result.is_success:
        mirror(domain, result.data)


def _claim_notice(domain: Domain, kind: str) -> bool:
    """Insert the notice's claim row; False if someone already sent it for this expiry."""
    try:
        with transaction.atomic():
            RenewalNotice.objects.create(domain=domain, expires_at=domain.expires_at, kind=kind)
    except IntegrityError:
        return False
    return True


def _mail_owner(domain: Domain, name: str, context: dict) -> None:
    transaction.on_commit(partial(send_mail, name, domain.owner.email, context))


def send_renewal_reminders(*, now: datetime | None = None) -> list[str]:
    """Mail the owner of each domain expiring within 30 (then 7) days, once per expiry and threshold."""
    now = now or timezone.now()
    thresholds = sorted(settings.REGISTRAR_REMINDER_DAYS)
    if not thresholds:
        return []
    sent = []
    due = Domain.objects.filter(
        state=Domain.ACTIVE, expires_at__gt=now, expires_at__lte=now + timedelta(days=thresholds[-1])
    ).select_related("owner")
    for domain in due:
        days = next(d for d in thresholds if domain.expires_at <= now + timedelta(days=d))
        # A smaller threshold already reached means the larger ones would be stale news.
        if RenewalNotice.objects.filter(
            domain=domain,
            expires_at=domain.expires_at,
            kind__in=[f"reminder-{d}" for d in thresholds if d <= days],
        ).exists():
            continue
        with transaction.atomic():
            if not _claim_notice(domain, f"reminder-{days}"):
                continue
            _mail_owner(
                domain,
                "registrar_renewal_reminder",
                {
                    "domain": domain,
                    "days": max((domain.expires_at - now).days, 0),
                    "price": format_cents(_yearly_price(domain)),
                    "balance": format_cents(balance_cents(domain.owner)),
                },
            )
        sent.append(f"{domain.name} {days}")
    return sent


def auto_renew_domains(*, now: datetime | None = None) -> list[str]:
    """Renew for a year every auto-renew domain due within the auto-renew window.

    Each (domain, expiry) is renewed once (its idempotency key) and mails a receipt; a
    shortfall mails the owner once instead. Answers the names renewed.
    """
    now = now or timezone.now()
    window = now + timedelta(days=settings.REGISTRAR_AUTO_RENEW_DAYS_BEFORE)
    renewed = []
    due = Domain.objects.filter(
        state=Domain.ACTIVE, auto_renew=True, expires_at__gt=now, expires_at__lte=window
    )
    for domain in due.select_related("owner"):
        key = f"auto-renew:{domain.pk}:{domain.expires_at:%Y%m%d}"
        try:
            _renew(domain, 1, key, now, receipt="registrar_auto_renewed")
        except InsufficientFunds:
            with transaction.atomic():
                if _claim_notice(domain, "auto-renew-failed"):
                    _mail_owner(
                        domain,
                        "registrar_auto_renew_failed",
                        {
                            "domain": domain,
                            "price": format_cents(_yearly_price(domain)),
                            "balance": format_cents(balance_cents(domain.owner)),
                        },
                    )
            continue
        except RegistrarError as error:
            logger.warning("auto-renew of %s refused: %s", domain.name, error.message)
            continue
        renewed.append(domain.name)
    return renewed
