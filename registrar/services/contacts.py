"""Domain contacts: the registrant, admin and tech a domain names, kept here and at the registry."""

import phonenumbers
from django.db import transaction

from registrar.errors import RegistrarError
from registrar.models import Domain, DomainContact
from registrar.registry import commands
from registrar.services.session import client_id, registry_data, require_managed
from zones.vocabulary import COUNTRIES

CONTACT_FIELDS = ("name", "organisation", "email", "phone", "street", "city", "postal_code", "country_code")


def _refuse(field: str, reason: str) -> RegistrarError:
    return RegistrarError(f"{field}: {reason}", field=field, reason=reason)


def clean_contact(contact: dict) -> dict:
    """The contact fields we keep, stripped and checked: the one contact rule of the console,
    our API and the Route 53 Domains API.

    The country is an ISO 3166-1 alpha-2 code; a phone number, when given, is a valid number
    in E.164 form (+14155550123) or EPP's +CC.NUMBER form (+1.4155550123), kept as E.164.
    Raises RegistrarError naming the field for a missing or bad one.
    """
    data = {key: str(contact.get(key, "") or "").strip() for key in CONTACT_FIELDS}
    for key, label in (("name", "name"), ("email", "e-mail address"), ("country_code", "country code")):
        if not data[key]:
            raise _refuse(key, f"the contact needs a {label}")
    data["country_code"] = data["country_code"].upper()
    if data["country_code"] not in COUNTRIES:
        raise _refuse(
            "country_code", f"{data['country_code']} is not an ISO 3166 country code (such as US, DE, KR)"
        )
    if data["phone"]:
        data["phone"] = _e164(data["phone"])
    return data


def _e164(raw: str) -> str:
    """A phone number as E.164; the number must start with + and its country code."""
    text = raw.replace(" ", "")
    if not text.startswith("+"):
        raise _refuse("phone", f"{raw} needs its country code: +CC then the number, such as +14155550123")
    try:
        number = phonenumbers.parse(text.replace(".", "", 1), None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise _refuse("phone", f"{raw} is not a valid phone number (use +CC.NUMBER, such as +1.4155550123)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def create_registry_contact(data: dict, *, is_private: bool) -> str:
    """A new contact object at the registry for cleaned contact `data`; answers its handle."""
    result = commands.create_contact(client_id=client_id(), is_private=is_private, **data)
    return registry_data(result)["handle"]


def save_contacts(domain: Domain, handle: str, data: dict, roles: list[str]) -> None:
    """Record `handle` and its fields as the domain's contact in each of `roles`."""
    for role in roles:
        DomainContact.objects.update_or_create(domain=domain, role=role, defaults={"handle": handle, **data})


def update_contact(*, domain: Domain, role: str, contact: dict) -> DomainContact:
    """Replace one of a domain's contacts (a new contact object at the registry).

    Raises RegistrarError for a bad role or missing field, RegistryRefused if the registry refuses.
    """
    if role not in dict(DomainContact.ROLES):
        raise RegistrarError(f"role: {role} is not registrant, admin or tech", field="role")
    require_managed(domain)
    data = clean_contact(contact)
    with transaction.atomic():
        handle = create_registry_contact(data, is_private=domain.privacy)
        registry_data(commands.update_domain(client_id=client_id(), name=domain.name, **{role: handle}))
        save_contacts(domain, handle, data, [role])
    return DomainContact.objects.get(domain=domain, role=role)
