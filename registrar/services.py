"""Our registrar: search, cart, checkout, the ledger, renewals, transfers, name servers.

Every service runs in one transaction and reaches the registry only through
`registrar.registry.commands`; a refusal there rolls the whole service back (no charge
without a domain, no domain without a charge). Mails are sent after commit.
"""

import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from kernel.emails import send_mail
from registrar import names, payments
from registrar.errors import (
    InsufficientFunds,
    NameUnavailable,
    PaymentDeclined,
    RegistrarError,
    RegistryRefused,
)
from registrar.models import (
    CartItem,
    Domain,
    DomainContact,
    LedgerAccount,
    LedgerEntry,
    Order,
    OrderLine,
    RenewalNotice,
)
from registrar.registry import commands

logger = logging.getLogger(__name__)

MAX_CART_ITEMS = 20
MIN_TOP_UP_CENTS = 100
MAX_TOP_UP_CENTS = 1_000_000
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
CONTACT_FIELDS = ("name", "organisation", "email", "phone", "street", "city", "postal_code", "country_code")
SUGGESTION_PATTERNS = ("get{label}", "{label}hq", "try{label}", "{label}app")
TAKEN_CODES = (commands.OBJECT_EXISTS, commands.POLICY_ERROR, commands.PARAMETER_SYNTAX)


def client_id() -> str:
    return settings.REGISTRAR_CLIENT_ID


def _registry(result: commands.Result) -> dict:
    """The data of a successful command; RegistryRefused with the registry's reason otherwise."""
    if not result.is_success:
        raise RegistryRefused(result.reason or result.message, field=result.field, code=result.code)
    return result.data


def _on_commit_mail(name: str, to: str, context: dict) -> None:
    transaction.on_commit(lambda: send_mail(name, to, context))


def format_cents(cents: int) -> str:
    """Cents as dollars: 1250 → "$12.50", -1250 → "-$12.50"."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


# ---- prices and search ------------------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """One name's availability and price, as the registry's check answered it."""

    name: str
    unicode_name: str
    is_available: bool
    reason: str
    message: str
    yearly_price_cents: int | None = None
    min_years: int = 1
    max_years: int = 10


@dataclass
class SearchResult:
    query: str
    exact: Offer | None = None
    suggestions: list[Offer] = field(default_factory=list)
    problem: str = ""


def price_list() -> list[dict]:
    """The TLDs we sell with their yearly price and terms, from the registry."""
    return _registry(commands.tld_list(client_id=client_id()))["tlds"]


def check_names(candidates: list[str]) -> list[Offer]:
    """Ask the registry about each name; answers Offers in the same order."""
    data = _registry(commands.check_domains(client_id=client_id(), names_to_check=candidates))
    return [
        Offer(
            name=entry["name"],
            unicode_name=entry["unicode_name"],
            is_available=entry["available"],
            reason=entry["reason"],
            message=entry.get("message", ""),
            yearly_price_cents=entry.get("yearly_price_cents"),
            min_years=entry.get("min_years", 1),
            max_years=entry.get("max_years", 10),
        )
        for entry in data["results"]
    ]


def search_domains(*, query: str) -> SearchResult:
    """The name asked for (or the label under every TLD) plus suggestions across TLDs and prices."""
    text = (query or "").strip().lower().rstrip(".")
    result = SearchResult(query=query)
    if not text:
        result.problem = "Enter a name to search for, such as example.com or just example."
        return result
    tlds = [tld["name"] for tld in price_list()]
    try:
        if "." in text:
            parsed = names.parse_domain_name(text)
            label, first_tld = parsed.labels[0], parsed.tld
        else:
            label = names.parse_host_name(text).ascii
            first_tld = "com" if "com" in tlds or not tlds else tlds[0]
    except names.NameProblem as problem:
        result.problem = problem.message
        return result
    exact_name = f"{label}.{first_tld}"
    candidates = [exact_name] + [f"{label}.{tld}" for tld in tlds if tld != first_tld]
    for pattern in SUGGESTION_PATTERNS:
        variant = pattern.format(label=label)
        if len(variant) <= names.MAX_LABEL_OCTETS and not label.startswith("xn--"):
            candidates.append(f"{variant}.{first_tld}")
    offers = check_names(candidates)
    result.exact = offers[0]
    result.suggestions = [offer for offer in offers[1:] if offer.is_available]
    return result


# ---- ledger -------------------------------------------------------------------------------------


def balance_cents(owner: Any) -> int:
    account = LedgerAccount.objects.filter(owner=owner).first()
    return account.balance_cents if account else 0


def _account(owner: Any) -> None:
    LedgerAccount.objects.get_or_create(owner=owner)


def _credit(owner: Any, amount_cents: int, kind: str, description: str, **links: Any) -> LedgerEntry:
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


def _charge(owner: Any, amount_cents: int, description: str, **links: Any) -> LedgerEntry:
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
        return _credit(
            owner,
            amount_cents,
            LedgerEntry.CREDIT,
            f"Card payment, card ending {authorisation.last4}",
            card_last4=authorisation.last4,
        )


# ---- cart ---------------------------------------------------------------------------------------


def _check_years(offer: Offer, years: int) -> None:
    if not offer.min_years <= years <= offer.max_years:
        raise RegistrarError(
            f"years: {offer.unicode_name} can be registered for {offer.min_years} to {offer.max_years} years",
            field="years",
        )


def add_to_cart(*, owner: Any, name: str, years: int = 1) -> CartItem:
    """Put an available name in the cart (or change its years if it is there already).

    Raises NameUnavailable when the registry says taken, reserved or invalid, RegistrarError
    for a term out of range or a full cart.
    """
    offer = check_names([name])[0]
    if not offer.is_available:
        raise NameUnavailable(offer.message, field="name")
    _check_years(offer, years)
    with transaction.atomic():
        item = CartItem.objects.filter(owner=owner, name=offer.name).first()
        if item is not None:
            item.years = years
            item.yearly_price_cents = offer.yearly_price_cents or 0
            item.save(update_fields=["years", "yearly_price_cents"])
            return item
        if CartItem.objects.filter(owner=owner).count() >= MAX_CART_ITEMS:
            raise RegistrarError(f"Your cart holds at most {MAX_CART_ITEMS} names.", field="name")
        return CartItem.objects.create(
            owner=owner,
            name=offer.name,
            unicode_name=offer.unicode_name,
            years=years,
            yearly_price_cents=offer.yearly_price_cents or 0,
        )


def update_cart_item(*, item: CartItem, years: int) -> CartItem:
    """Change the term of a cart item. Raises RegistrarError for a term out of range."""
    tld = next((t for t in price_list() if t["name"] == item.name.rsplit(".", 1)[-1]), None)
    if tld is None or not tld["min_years"] <= years <= tld["max_years"]:
        low, high = (tld["min_years"], tld["max_years"]) if tld else (1, 10)
        raise RegistrarError(
            f"years: {item.unicode_name} can be registered for {low} to {high} years", "years"
        )
    item.years = years
    item.save(update_fields=["years"])
    return item


def remove_from_cart(*, item: CartItem) -> None:
    """Take a name out of the cart."""
    item.delete()


def cart_total_cents(owner: Any) -> int:
    return sum(item.price_cents for item in CartItem.objects.filter(owner=owner))


# ---- contacts -------------------------------------------------------------------------------


def clean_contact(contact: dict) -> dict:
    """The contact fields we keep, stripped; raises RegistrarError for a missing required one."""
    data = {key: str(contact.get(key, "") or "").strip() for key in CONTACT_FIELDS}
    for key, label in (("name", "name"), ("email", "e-mail address"), ("country_code", "country code")):
        if not data[key]:
            raise RegistrarError(f"{key}: the contact needs a {label}", field=key)
    data["country_code"] = data["country_code"].upper()
    return data


def _create_registry_contact(data: dict, *, is_private: bool) -> str:
    result = commands.create_contact(client_id=client_id(), is_private=is_private, **data)
    return _registry(result)["handle"]


def _save_contacts(domain: Domain, handle: str, data: dict, roles: list[str]) -> None:
    for role in roles:
        DomainContact.objects.update_or_create(domain=domain, role=role, defaults={"handle": handle, **data})


def update_contact(*, domain: Domain, role: str, contact: dict) -> DomainContact:
    """Replace one of a domain's contacts (a new contact object at the registry).

    Raises RegistrarError for a bad role or missing field, RegistryRefused if the registry refuses.
    """
    if role not in dict(DomainContact.ROLES):
        raise RegistrarError(f"role: {role} is not registrant, admin or tech", field="role")
    _require_managed(domain)
    data = clean_contact(contact)
    with transaction.atomic():
        handle = _create_registry_contact(data, is_private=domain.privacy)
        _registry(commands.update_domain(client_id=client_id(), name=domain.name, **{role: handle}))
        _save_contacts(domain, handle, data, [role])
    return DomainContact.objects.get(domain=domain, role=role)


# ---- checkout -----------------------------------------------------------------------------------


def _check_key(idempotency_key: str) -> str:
    if not IDEMPOTENCY_KEY.match(idempotency_key or ""):
        raise RegistrarError(
            "idempotency key: use 8 to 64 letters, digits or - _ . :", field="idempotency_key"
        )
    return idempotency_key


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def checkout(*, owner: Any, idempotency_key: str, contact: dict, now: datetime | None = None) -> Order:
    """Buy everything in the cart: charge the ledger and register each name, all or nothing.

    The same idempotency key returns the first order and charges nothing more. After the
    registrations, each domain gets its hosted zone and its name servers at the registry are
    set to the zone's four. Raises RegistrarError for an empty cart or bad contact,
    InsufficientFunds when the balance does not cover the total, NameUnavailable when a
    name was taken (also by a concurrent buyer) or reserved; nothing is charged then.
    """
    _check_key(idempotency_key)
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
        _charge(owner, total, f"Order {order.pk}: {listed}", order=order)
        handle = _create_registry_contact(data, is_private=True)
        domains = []
        for item in items:
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
            _save_contacts(domain, handle, data, [role for role, _ in DomainContact.ROLES])
            OrderLine.objects.create(
                order=order,
                kind=OrderLine.REGISTER,
                name=item.name,
                years=item.years,
                price_cents=item.price_cents,
                domain=domain,
            )
            _apply_lock(domain)
            attach_hosted_zone(domain=domain)
            domains.append(domain)
        CartItem.objects.filter(pk__in=[item.pk for item in items]).delete()
        _on_commit_mail(
            "registrar_purchase",
            owner.email,
            {
                "order": order,
                "domains": domains,
                "total": format_cents(total),
                "lines": list(order.lines.all()),
            },
        )
    return order


def _apply_lock(domain: Domain) -> None:
    change = (
        {"add_statuses": ["clientTransferProhibited"]}
        if domain.transfer_lock
        else {"remove_statuses": ["clientTransferProhibited"]}
    )
    data = _registry(commands.update_domain(client_id=client_id(), name=domain.name, **change))
    _mirror(domain, data)


def _mirror(domain: Domain, data: dict) -> None:
    """Copy what the registry answered onto our row."""
    domain.registry_statuses = data.get("statuses", domain.registry_statuses)
    domain.name_servers = data.get("name_servers", domain.name_servers)
    if data.get("expires_at"):
        domain.expires_at = data["expires_at"]
    domain.save()


# ---- name servers ----------------------------------------------------------------------------


def _ensure_host_objects(hosts: list[str]) -> None:
    """Host objects at the registry for the hosts under its TLDs: ours with glue, others without.

    A refusal is left for the name-server update to report in its own words.
    """
    from zones.services import name_server_addresses

    ours = {
        host.rstrip("."): addrs for host, addrs in name_server_addresses([h + "." for h in hosts]).items()
    }
    tlds = {tld["name"] for tld in price_list()}
    for host in hosts:
        if host in ours:
            commands.create_host(client_id=client_id(), name=host, addresses=ours[host])
        elif host.rsplit(".", 1)[-1] in tlds:
            commands.create_host(client_id=client_id(), name=host)


def _set_name_servers(domain: Domain, hosts: list[str]) -> None:
    hosts = [host.rstrip(".").lower() for host in hosts]
    _ensure_host_objects(hosts)
    data = _registry(commands.update_domain(client_id=client_id(), name=domain.name, name_servers=hosts))
    _mirror(domain, data)


def attach_hosted_zone(*, domain: Domain) -> Domain:
    """Create (or find) the domain's hosted zone and point the registry at its four name servers.

    Raises ZoneError if the zones app refuses, RegistryRefused if the registry does.
    """
    from zones.services import create_hosted_zone

    with transaction.atomic():
        zone = create_hosted_zone(
            owner=domain.owner,
            name=domain.name,
            caller_reference=f"registrar-domain-{domain.pk}",
            comment=f"Created when {domain.unicode_name} was registered",
            source="system",
        )
        domain.hosted_zone = zone
        domain.uses_hosted_zone = True
        _set_name_servers(domain, list(zone.name_servers))
    return domain


def _require_managed(domain: Domain) -> None:
    if not domain.is_managed:
        raise RegistrarError(
            f"{domain.unicode_name} is {domain.get_state_display().lower()}; it cannot be changed."
        )


def set_name_servers(*, domain: Domain, name_servers: list[str]) -> Domain:
    """Delegate the domain to external name servers (2 to 13 host names).

    Raises RegistrarError for too few, RegistryRefused for a bad or unknown host.
    """
    _require_managed(domain)
    hosts = [host.strip() for host in name_servers if host and host.strip()]
    if len(hosts) < 2:
        raise RegistrarError("name servers: enter at least two name servers", field="name_servers")
    with transaction.atomic():
        domain.uses_hosted_zone = False
        _set_name_servers(domain, hosts)
    return domain


def use_hosted_zone(*, domain: Domain) -> Domain:
    """Point the domain back at its hosted zone's four name servers (creating the zone if gone)."""
    _require_managed(domain)
    return attach_hosted_zone(domain=domain)


def create_glue_host(*, domain: Domain, name: str, addresses: list[str]) -> dict:
    """Register a name-server host under the domain, with its glue addresses, at the registry."""
    _require_managed(domain)
    try:
        host = names.parse_host_name(name).ascii
    except names.NameProblem as problem:
        raise RegistrarError(problem.message, field="name") from None
    if not names.is_subdomain(host, domain.name) or host == domain.name:
        raise RegistrarError(f"name: {host} does not lie under {domain.name}", field="name")
    return _registry(commands.create_host(client_id=client_id(), name=host, addresses=addresses))


# ---- settings, auth code, DS ---------------------------------------------------------------------


def update_settings(
    *,
    domain: Domain,
    auto_renew: bool | None = None,
    transfer_lock: bool | None = None,
    privacy: bool | None = None,
) -> Domain:
    """Change auto-renew, the transfer lock (clientTransferProhibited) or privacy protection."""
    _require_managed(domain)
    with transaction.atomic():
        if auto_renew is not None:
            domain.auto_renew = auto_renew
        if transfer_lock is not None and transfer_lock != domain.transfer_lock:
            domain.transfer_lock = transfer_lock
            _apply_lock(domain)
        if privacy is not None and privacy != domain.privacy:
            domain.privacy = privacy
            for handle in set(domain.contacts.values_list("handle", flat=True)):
                _registry(commands.update_contact(client_id=client_id(), handle=handle, is_private=privacy))
        domain.save()
    return domain


def domain_info(domain: Domain) -> dict:
    """What the registry holds about the domain (statuses, name servers, hosts, DS, auth code)."""
    return _registry(commands.info_domain(client_id=client_id(), name=domain.name))


def auth_code(domain: Domain) -> str:
    """The domain's auth code, for transferring it to another registrar."""
    _require_managed(domain)
    return domain_info(domain)["auth_code"]


def reset_auth_code(*, domain: Domain) -> str:
    """Give the domain a new random auth code; answers it."""
    _require_managed(domain)
    code = commands.new_auth_code()
    _registry(commands.update_domain(client_id=client_id(), name=domain.name, auth_code=code))
    return code


def add_ds_record(*, domain: Domain, key_tag: int, algorithm: int, digest_type: int, digest: str) -> dict:
    """Publish a DS record for the domain in its TLD zone. Raises RegistryRefused for bad data."""
    _require_managed(domain)
    ds = {"key_tag": key_tag, "algorithm": algorithm, "digest_type": digest_type, "digest": digest}
    data = _registry(commands.update_domain(client_id=client_id(), name=domain.name, add_ds=[ds]))
    _mirror(domain, data)
    return data


def remove_ds_record(*, domain: Domain, key_tag: int, algorithm: int, digest_type: int, digest: str) -> dict:
    """Withdraw a DS record. Raises RegistryRefused when the domain has no such record."""
    _require_managed(domain)
    ds = {"key_tag": key_tag, "algorithm": algorithm, "digest_type": digest_type, "digest": digest}
    data = _registry(commands.update_domain(client_id=client_id(), name=domain.name, remove_ds=[ds]))
    _mirror(domain, data)
    return data


# ---- renewals -------------------------------------------------------------------------------------


def _yearly_price(domain: Domain) -> int:
    tld = next(t for t in price_list() if t["name"] == domain.tld)
    return tld["yearly_price_cents"]


def renew_domain(
    *, domain: Domain, years: int, idempotency_key: str | None = None, now: datetime | None = None
) -> Order:
    """Renew for `years`, charging the ledger; the same idempotency key renews once.

    Raises InsufficientFunds, RegistrarError for a domain we do not manage, RegistryRefused
    when the registry refuses (term beyond ten years, deleted domain); nothing is charged then.
    """
    _require_managed(domain)
    key = _check_key(idempotency_key or new_idempotency_key())
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
        _charge(
            domain.owner,
            price,
            f"Renewal of {domain.unicode_name} for {years} year(s)",
            order=order,
            domain=locked,
        )
        data = _registry(
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
    domain.refresh_from_db()
    return order


def restore_domain(
    *, domain: Domain, idempotency_key: str | None = None, now: datetime | None = None
) -> Order:
    """Bring a lapsed or deleted domain back from the registry's redemption period for a year's fee.

    Raises RegistryRefused when the domain is not in redemption, InsufficientFunds without credit;
    nothing is charged then.
    """
    _require_managed(domain)
    key = _check_key(idempotency_key or new_idempotency_key())
    existing = Order.objects.filter(owner=domain.owner, idempotency_key=key).first()
    if existing is not None:
        return existing
    price = _yearly_price(domain)
    with transaction.atomic():
        order = Order.objects.create(owner=domain.owner, idempotency_key=key, total_cents=price)
        _charge(
            domain.owner,
            price,
            f"Restore of {domain.unicode_name} from redemption",
            order=order,
            domain=domain,
        )
        _registry(commands.restore_domain(client_id=client_id(), name=domain.name, now=now))
        OrderLine.objects.create(
            order=order, kind=OrderLine.RENEW, name=domain.name, years=1, price_cents=price, domain=domain
        )
        _mirror(domain, domain_info(domain))
    return order


def _claim_notice(domain: Domain, kind: str) -> bool:
    """Insert the notice's claim row; False if someone already sent it for this expiry."""
    try:
        with transaction.atomic():
            RenewalNotice.objects.create(domain=domain, expires_at=domain.expires_at, kind=kind)
    except IntegrityError:
        return False
    return True


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
            _on_commit_mail(
                "registrar_renewal_reminder",
                domain.owner.email,
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

    Each (domain, expiry) is tried once; a shortfall mails the owner once instead. Answers
    the names renewed.
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
            renew_domain(domain=domain, years=1, idempotency_key=key, now=now)
        except InsufficientFunds:
            with transaction.atomic():
                if _claim_notice(domain, "auto-renew-failed"):
                    _on_commit_mail(
                        "registrar_auto_renew_failed",
                        domain.owner.email,
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
        domain.refresh_from_db()
        with transaction.atomic():
            if _claim_notice(domain, "auto-renewed"):
                _on_commit_mail("registrar_auto_renewed", domain.owner.email, {"domain": domain})
        renewed.append(domain.name)
    return renewed


# ---- transfers --------------------------------------------------------------------------------


def request_transfer_out(*, domain: Domain, auth_code: str, now: datetime | None = None) -> Domain:
    """Hand the auth code to the other registrar, which asks the registry for the domain.

    Raises RegistrarError while the transfer lock is on, RegistryRefused for a wrong auth code.
    """
    from registrar import peer

    _require_managed(domain)
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
        _mirror(domain, domain_info(domain))
    return domain


def approve_transfer_out(*, domain: Domain, now: datetime | None = None) -> Domain:
    """Let a pending transfer out go through now instead of at the deadline."""
    if domain.state != Domain.TRANSFER_OUT:
        raise RegistrarError(f"{domain.unicode_name} has no pending transfer out.")
    with transaction.atomic():
        _registry(commands.approve_transfer(client_id=client_id(), name=domain.name, now=now))
        domain.state = Domain.TRANSFERRED_OUT
        domain.registry_statuses = []
        domain.save()
    return domain


def reject_transfer_out(*, domain: Domain, now: datetime | None = None) -> Domain:
    """Refuse a pending transfer out; the domain stays with us."""
    if domain.state != Domain.TRANSFER_OUT:
        raise RegistrarError(f"{domain.unicode_name} has no pending transfer out.")
    with transaction.atomic():
        _registry(commands.reject_transfer(client_id=client_id(), name=domain.name, now=now))
        domain.state = Domain.ACTIVE
        _mirror(domain, domain_info(domain))
    return domain


def transfer_in(
    *, owner: Any, name: str, auth_code: str, contact: dict, idempotency_key: str, now: datetime | None = None
) -> Domain:
    """Ask the registry to move a domain from the other registrar to us, paying a year.

    The fee is refunded if the transfer is rejected or cancelled. Raises InsufficientFunds,
    RegistrarError for a bad name, key or contact, RegistryRefused for a wrong auth code, a
    locked domain or one already here.
    """
    _check_key(idempotency_key)
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
        _charge(owner, price, f"Transfer in of {parsed.unicode} (adds a year)", order=order)
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
        _registry(commands.cancel_transfer(client_id=client_id(), name=domain.name, now=now))
        _fail_transfer_in(domain, "cancelled")
    return domain


def _fail_transfer_in(domain: Domain, outcome: str) -> None:
    line = OrderLine.objects.filter(domain=domain, kind=OrderLine.TRANSFER).select_related("order").first()
    domain.state = Domain.TRANSFER_FAILED
    domain.save(update_fields=["state"])
    if line is not None:
        _credit(
            domain.owner,
            line.price_cents,
            LedgerEntry.REFUND,
            f"Refund: transfer in of {domain.unicode_name} {outcome}",
            order=line.order,
            domain=domain,
        )
    _on_commit_mail(
        "registrar_transfer", domain.owner.email, {"domain": domain, "outcome": f"transfer in {outcome}"}
    )


def _finish_transfer_in(domain: Domain) -> None:
    contact = domain.contacts.get(role=DomainContact.REGISTRANT)
    data = {key: getattr(contact, key) for key in CONTACT_FIELDS}
    handle = _create_registry_contact(data, is_private=domain.privacy)
    _registry(
        commands.update_domain(
            client_id=client_id(), name=domain.name, registrant=handle, admin=handle, tech=handle
        )
    )
    domain.contacts.update(handle=handle)
    domain.state = Domain.ACTIVE
    _apply_lock(domain)
    _mirror(domain, domain_info(domain))
    _on_commit_mail(
        "registrar_transfer", domain.owner.email, {"domain": domain, "outcome": "transfer in completed"}
    )


def sync_with_registry(*, now: datetime | None = None) -> list[str]:
    """Bring pending transfers and lapsed domains in line with what the registry says.

    Answers "<name> <new state>" for each domain whose state changed.
    """
    now = now or timezone.now()
    changed = []
    pending = Domain.objects.filter(state__in=[Domain.TRANSFER_IN, Domain.TRANSFER_OUT])
    lapsed = Domain.objects.filter(state=Domain.ACTIVE, expires_at__lte=now)
    for domain_id in list(pending.values_list("pk", flat=True)) + list(lapsed.values_list("pk", flat=True)):
        with transaction.atomic():
            domain = Domain.objects.select_for_update().get(pk=domain_id)
            before = domain.state, list(domain.registry_statuses)
            _sync_one(domain)
            if (domain.state, list(domain.registry_statuses)) != before:
                changed.append(f"{domain.name} {domain.state}")
    return changed


def _sync_one(domain: Domain) -> None:
    if domain.state in (Domain.TRANSFER_IN, Domain.TRANSFER_OUT):
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
            _on_commit_mail(
                "registrar_transfer",
                domain.owner.email,
                {"domain": domain, "outcome": "transfer out completed"},
            )
        elif status in ("clientRejected", "clientCancelled"):
            domain.state = Domain.ACTIVE
            _mirror(domain, domain_info(domain))
        return
    result = commands.info_domain(client_id=client_id(), name=domain.name)
    if result.code == commands.OBJECT_DOES_NOT_EXIST:
        domain.state = Domain.DELETED
        domain.save(update_fields=["state"])
    elif result.is_success:
        _mirror(domain, result.data)
