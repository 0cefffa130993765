"""Contact objects (RFC 5733): the people a domain names as registrant, admin and tech."""

import secrets
from typing import Any

from registrar.registry import models as m
from registrar.registry.commands.results import (
    AUTHORIZATION_ERROR,
    OBJECT_DOES_NOT_EXIST,
    PARAMETER_MISSING,
    PARAMETER_SYNTAX,
    SYNTAX_ERROR,
    Refused,
    Result,
    command,
    login,
    ok,
)


def sponsored_contact(handle: str | None, registrar: m.Registrar, field_name: str) -> m.Contact | None:
    """The contact `handle` names (None without one); Refused unless `registrar` sponsors it."""
    if not handle:
        return None
    contact = m.Contact.objects.filter(handle=handle).first()
    if contact is None:
        raise Refused(OBJECT_DOES_NOT_EXIST, f"{field_name}: contact {handle} does not exist", field_name)
    if contact.sponsor_id != registrar.pk:
        raise Refused(
            AUTHORIZATION_ERROR, f"{field_name}: contact {handle} belongs to another registrar", field_name
        )
    return contact


@command
def create_contact(
    *,
    client_id: str,
    name: str,
    email: str,
    country_code: str,
    organisation: str = "",
    phone: str = "",
    street: str = "",
    city: str = "",
    postal_code: str = "",
    is_private: bool = True,
) -> Result:
    """Create a contact object; the answer carries its new handle."""
    registrar = login(client_id)
    if not name.strip():
        raise Refused(PARAMETER_MISSING, "name: a contact needs a name", "name")
    if "@" not in email:
        raise Refused(PARAMETER_SYNTAX, f"email: {email} is not an e-mail address", "email")
    if len(country_code) != 2 or not country_code.isalpha():
        raise Refused(
            PARAMETER_SYNTAX, f"country: {country_code} is not a two-letter country code", "country_code"
        )
    contact = m.Contact.objects.create(
        handle="C" + secrets.token_hex(6).upper(),
        sponsor=registrar,
        name=name.strip(),
        organisation=organisation,
        email=email,
        phone=phone,
        street=street,
        city=city,
        postal_code=postal_code,
        country_code=country_code.upper(),
        is_private=is_private,
    )
    return ok(handle=contact.handle)


@command
def update_contact(*, client_id: str, handle: str, **changes: Any) -> Result:
    """Change a contact's fields (those create_contact takes)."""
    registrar = login(client_id)
    contact = sponsored_contact(handle, registrar, "handle")
    allowed = {
        "name",
        "email",
        "country_code",
        "organisation",
        "phone",
        "street",
        "city",
        "postal_code",
        "is_private",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise Refused(SYNTAX_ERROR, f"unknown contact fields: {', '.join(sorted(unknown))}")
    for key, value in changes.items():
        setattr(contact, key, value)
    contact.save()
    return ok(handle=contact.handle)
