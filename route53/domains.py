"""Route 53 Domains (JSON protocol, `Route53Domains_v20140515.<Operation>`) over registrar.services.

Operations are the registrar's: availability and prices from the registry, registrations and
renewals as orders that charge the ledger (an order's id is the OperationId), the domain's
settings. One function per operation, boto3's dicts in and out.
"""

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from registrar import services as registrar
from registrar.errors import InsufficientFunds, NameUnavailable, RegistrarError
from registrar.models import CartItem, Domain, Order, OrderLine
from route53.context import Caller
from route53.errors import Route53Error

TARGET_PREFIX = "Route53Domains_v20140515."
CURRENCY = "USD"


def _invalid(error: RegistrarError) -> Route53Error:
    if isinstance(error, NameUnavailable):
        return Route53Error(
            "DomainLimitExceeded" if "limit" in error.message else "InvalidInput", error.message
        )
    if isinstance(error, InsufficientFunds):
        return Route53Error("InvalidInput", error.message)
    return Route53Error("InvalidInput", error.message)


def _domain(caller: Caller, name: str) -> Domain:
    domain = (
        Domain.objects.filter(owner=caller.user, name=(name or "").lower().rstrip("."))
        .exclude(state=Domain.DELETED)
        .first()
    )
    if domain is None:
        raise Route53Error("InvalidInput", f"Domain {name} not found in your account.")
    return domain


def _availability(offer: registrar.Offer) -> str:
    if offer.is_available:
        return "AVAILABLE"
    return {"reserved": "RESERVED", "invalid": "DONT_KNOW"}.get(offer.reason, "UNAVAILABLE")


def check_domain_availability(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    [offer] = registrar.check_names([params["DomainName"]])
    return {"Availability": _availability(offer)}


def get_domain_suggestions(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    result = registrar.search_domains(query=params["DomainName"])
    if result.problem:
        raise Route53Error("InvalidInput", result.problem)
    offers = [offer for offer in [result.exact, *result.suggestions] if offer is not None]
    if params.get("OnlyAvailable"):
        offers = [offer for offer in offers if offer.is_available]
    count = int(params.get("SuggestionCount") or 10)
    return {
        "SuggestionsList": [
            {"DomainName": offer.name, "Availability": _availability(offer)} for offer in offers[:count]
        ]
    }


def list_prices(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    tlds = registrar.price_list()
    if params.get("Tld"):
        tlds = [tld for tld in tlds if tld["name"] == params["Tld"].lower().lstrip(".")]
    prices = []
    for tld in tlds:
        price = {"Price": tld["yearly_price_cents"] / 100, "Currency": CURRENCY}
        prices.append(
            {"Name": tld["name"], "RegistrationPrice": price, "RenewalPrice": price, "TransferPrice": price}
        )
    return {"Prices": prices}


def _contact(contact: dict[str, Any] | None) -> dict[str, str]:
    contact = contact or {}
    return {
        "name": " ".join(filter(None, [contact.get("FirstName", ""), contact.get("LastName", "")])),
        "organisation": contact.get("OrganizationName", ""),
        "email": contact.get("Email", ""),
        "phone": contact.get("PhoneNumber", ""),
        "street": contact.get("AddressLine1", ""),
        "city": contact.get("City", ""),
        "postal_code": contact.get("ZipCode", ""),
        "country_code": contact.get("CountryCode", ""),
    }


# Our contact fields by the ContactDetail member that holds them, to name a refused one as AWS does.
_CONTACT_MEMBERS = {
    "name": "FirstName",
    "organisation": "OrganizationName",
    "email": "Email",
    "phone": "PhoneNumber",
    "street": "AddressLine1",
    "city": "City",
    "postal_code": "ZipCode",
    "country_code": "CountryCode",
}
# UpdateDomainContact's members by the registrar's contact roles.
_CONTACT_ROLES = {"registrant": "RegistrantContact", "admin": "AdminContact", "tech": "TechContact"}


def _contact_error(error: RegistrarError, member: str) -> Route53Error:
    """A contact the registrar's one contact rule refused, as InvalidInput naming the field."""
    field_name = _CONTACT_MEMBERS.get(error.field or "", error.field or "")
    where = f"{member}.{field_name}" if field_name else member
    return Route53Error("InvalidInput", f"{where}: {error.reason}")


def register_domain(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """Buy one name: cart and checkout, so the ledger is charged as in the console.

    The cart is the console's; a cart holding other names would buy them too, so it must be
    empty (the registrar has no one-name purchase service yet).
    """
    caller.require_write("RegisterDomain")
    if CartItem.objects.filter(owner=caller.user).exists():
        raise Route53Error(
            "InvalidInput", "Your cart in the console holds names; check them out or remove them first."
        )
    name = params["DomainName"].lower().rstrip(".")
    try:
        registrar.add_to_cart(owner=caller.user, name=name, years=int(params.get("DurationInYears") or 1))
        order = registrar.checkout(
            owner=caller.user,
            idempotency_key=params.get("IdempotencyToken") or f"route53domains-{caller.request_id}",
            contact=_contact(params.get("RegistrantContact")),
        )
    except RegistrarError as error:
        CartItem.objects.filter(owner=caller.user, name=name).delete()
        raise _invalid(error) from None
    domain = Domain.objects.get(owner=caller.user, name=name)
    settings_changes = {
        "auto_renew": params.get("AutoRenew"),
        "privacy": params.get("PrivacyProtectRegistrantContact"),
    }
    if any(value is not None for value in settings_changes.values()):
        registrar.update_settings(domain=domain, **settings_changes)
    return {"OperationId": _operation_id(order)}


def renew_domain(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("RenewDomain")
    domain = _domain(caller, params["DomainName"])
    if domain.expires_at and int(params["CurrentExpiryYear"]) != domain.expires_at.year:
        raise Route53Error(
            "InvalidInput", f"CurrentExpiryYear: the domain expires in {domain.expires_at.year}"
        )
    try:
        order = registrar.renew_domain(domain=domain, years=int(params.get("DurationInYears") or 1))
    except RegistrarError as error:
        raise _invalid(error) from None
    return {"OperationId": _operation_id(order)}


def update_domain_contact(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """Replace the contacts given (registrant, admin, tech) through the registrar's contact service.

    Each contact is checked by the registrar's one contact rule; a refusal is InvalidInput
    naming the contact and its field ("RegistrantContact.Email: ..."), and no contact changes.
    """
    caller.require_write("UpdateDomainContact")
    domain = _domain(caller, params["DomainName"])
    given = {role: params[member] for role, member in _CONTACT_ROLES.items() if params.get(member)}
    if not given:
        raise Route53Error(
            "InvalidInput", "Give at least one of RegistrantContact, AdminContact and TechContact"
        )
    with transaction.atomic():
        for role, contact in given.items():
            try:
                registrar.update_contact(domain=domain, role=role, contact=_contact(contact))
            except RegistrarError as error:
                raise _contact_error(error, _CONTACT_ROLES[role]) from None
    return {"OperationId": _done(domain, "UPDATE_DOMAIN_CONTACT")}


def transfer_domain(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """Transfer a domain in from the other registrar with its auth code, paying a year.

    The OperationId is the transfer's order; GetOperationDetail says IN_PROGRESS until the
    losing registrar (or the registry's deadline) lets it go, then SUCCESSFUL, or FAILED.
    """
    caller.require_write("TransferDomain")
    name = params["DomainName"].lower().rstrip(".")
    try:
        domain = registrar.transfer_in(
            owner=caller.user,
            name=name,
            auth_code=params.get("AuthCode", ""),
            contact=_contact(params.get("RegistrantContact")),
            idempotency_key=params.get("IdempotencyToken") or f"route53domains-{caller.request_id}",
        )
    except RegistrarError as error:
        if error.field in _CONTACT_MEMBERS:
            raise _contact_error(error, "RegistrantContact") from None
        if error.field == "auth_code":
            raise Route53Error("InvalidInput", f"AuthCode: {error.reason}") from None
        raise _invalid(error) from None
    line = OrderLine.objects.filter(domain=domain, kind=OrderLine.TRANSFER).select_related("order").first()
    return {"OperationId": _operation_id(line.order)}


def _operation_id(order: Order) -> str:
    return f"order-{order.pk}"


# The operation's status by the domain's state, for orders that wait on someone else (a transfer in).
_TRANSFER_STATUS = {Domain.TRANSFER_IN: "IN_PROGRESS", Domain.TRANSFER_FAILED: "FAILED"}


def _operation(order: Order) -> dict[str, Any]:
    line = order.lines.select_related("domain").first()
    kind = {"register": "REGISTER_DOMAIN", "renew": "RENEW_DOMAIN", "transfer": "TRANSFER_IN_DOMAIN"}
    status = "SUCCESSFUL"
    if line is not None and line.kind == OrderLine.TRANSFER and line.domain is not None:
        status = _TRANSFER_STATUS.get(line.domain.state, "SUCCESSFUL")
    return {
        "OperationId": _operation_id(order),
        "Status": status,
        "Type": kind.get(line.kind if line else "", "REGISTER_DOMAIN"),
        "DomainName": line.name if line else "",
        "SubmittedDate": order.created_at,
    }


def _done(domain: Domain, kind: str) -> str:
    """The id of an operation the registrar finished at once: `done-<domain id>-<type>-<time>`."""
    return f"done-{domain.pk}-{kind}-{int(timezone.now().timestamp())}"


def _done_detail(caller: Caller, text: str) -> dict[str, Any] | None:
    parts = text.split("-")
    if len(parts) != 4 or parts[0] != "done" or not parts[1].isdigit() or not parts[3].isdigit():
        return None
    domain = Domain.objects.filter(owner=caller.user, pk=int(parts[1])).first()
    if domain is None:
        return None
    return {
        "OperationId": text,
        "Status": "SUCCESSFUL",
        "Type": parts[2],
        "DomainName": domain.name,
        "SubmittedDate": datetime.fromtimestamp(int(parts[3]), UTC),
    }


def get_operation_detail(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    text = params["OperationId"]
    done = _done_detail(caller, text)
    if done is not None:
        return done
    pk = text.removeprefix("order-")
    order = Order.objects.filter(owner=caller.user, pk=int(pk) if pk.isdigit() else 0).first()
    if order is None:
        raise Route53Error("InvalidInput", f"No operation {text} in your account.")
    return _operation(order)


def list_operations(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    orders = Order.objects.filter(owner=caller.user).order_by("-pk")
    return {"Operations": [_operation(order) for order in orders[: int(params.get("MaxItems") or 20)]]}


def list_domains(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    domains = Domain.objects.filter(owner=caller.user).exclude(state=Domain.DELETED).order_by("name")
    return {
        "Domains": [
            {
                "DomainName": d.name,
                "AutoRenew": d.auto_renew,
                "TransferLock": d.transfer_lock,
                "Expiry": d.expires_at,
            }
            for d in domains
        ]
    }


def get_domain_detail(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    domain = _domain(caller, params["DomainName"])
    detail: dict[str, Any] = {
        "DomainName": domain.name,
        "Nameservers": [{"Name": host.rstrip(".")} for host in domain.name_servers],
        "AutoRenew": domain.auto_renew,
        "AdminPrivacy": domain.privacy,
        "RegistrantPrivacy": domain.privacy,
        "TechPrivacy": domain.privacy,
        "RegistrarName": "Nameplate",
        "CreationDate": domain.created_at,
        "StatusList": list(domain.registry_statuses),
    }
    if domain.expires_at:
        detail["ExpirationDate"] = domain.expires_at
    return detail


def enable_domain_auto_renew(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("EnableDomainAutoRenew")
    registrar.update_settings(domain=_domain(caller, params["DomainName"]), auto_renew=True)
    return {}


def disable_domain_auto_renew(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("DisableDomainAutoRenew")
    registrar.update_settings(domain=_domain(caller, params["DomainName"]), auto_renew=False)
    return {}


def update_domain_nameservers(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("UpdateDomainNameservers")
    domain = _domain(caller, params["DomainName"])
    hosts = [server.get("Name", "") for server in params.get("Nameservers") or ()]
    try:
        registrar.set_name_servers(domain=domain, name_servers=hosts)
    except RegistrarError as error:
        raise _invalid(error) from None
    return {"OperationId": _done(domain, "UPDATE_NAMESERVER")}


def _transfer_lock(caller: Caller, params: dict[str, Any], *, locked: bool) -> dict[str, Any]:
    caller.require_write("EnableDomainTransferLock" if locked else "DisableDomainTransferLock")
    domain = _domain(caller, params["DomainName"])
    try:
        registrar.update_settings(domain=domain, transfer_lock=locked)
    except RegistrarError as error:
        raise _invalid(error) from None
    return {"OperationId": _done(domain, "DOMAIN_LOCK")}


def enable_domain_transfer_lock(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return _transfer_lock(caller, params, locked=True)


def disable_domain_transfer_lock(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return _transfer_lock(caller, params, locked=False)


def update_domain_contact_privacy(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """One privacy setting covers the domain's contacts here: any of the three given sets it."""
    caller.require_write("UpdateDomainContactPrivacy")
    domain = _domain(caller, params["DomainName"])
    given = [params[key] for key in ("AdminPrivacy", "RegistrantPrivacy", "TechPrivacy") if key in params]
    if len(set(given)) > 1:
        raise Route53Error("InvalidInput", "Privacy: one setting covers all of a domain's contacts here")
    if given:
        registrar.update_settings(domain=domain, privacy=given[0])
    return {"OperationId": _done(domain, "CHANGE_PRIVACY_PROTECTION")}


def retrieve_domain_auth_code(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"AuthCode": registrar.auth_code(_domain(caller, params["DomainName"]))}
    except RegistrarError as error:
        raise _invalid(error) from None


SERVED = {
    "CheckDomainAvailability": check_domain_availability,
    "GetDomainSuggestions": get_domain_suggestions,
    "ListPrices": list_prices,
    "RegisterDomain": register_domain,
    "RenewDomain": renew_domain,
    "GetOperationDetail": get_operation_detail,
    "ListOperations": list_operations,
    "ListDomains": list_domains,
    "GetDomainDetail": get_domain_detail,
    "EnableDomainAutoRenew": enable_domain_auto_renew,
    "DisableDomainAutoRenew": disable_domain_auto_renew,
    "RetrieveDomainAuthCode": retrieve_domain_auth_code,
    "UpdateDomainNameservers": update_domain_nameservers,
    "EnableDomainTransferLock": enable_domain_transfer_lock,
    "DisableDomainTransferLock": disable_domain_transfer_lock,
    "UpdateDomainContactPrivacy": update_domain_contact_privacy,
    "UpdateDomainContact": update_domain_contact,
    "TransferDomain": transfer_domain,
}


def to_json_value(value: Any) -> Any:
    """The JSON protocol's form: timestamps as epoch seconds."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {key: to_json_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json_value(item) for item in value]
    return value
