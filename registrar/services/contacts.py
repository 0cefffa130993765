"""Domain contacts: the registrant, admin and tech a domain names, kept here and at the registry."""

from django.db import transaction

from registrar.errors import RegistrarError
from registrar.models import Domain, DomainContact
from registrar.registry import commands
from registrar.services.session import client_id, registry_data, require_managed

CONTACT_FIELDS = ("name", "organisation", "email", "phone", "street", "city", "postal_code", "country_code")


def clean_contact(contact: dict) -> dict:
    """The contact fields we keep, stripped; raises RegistrarError for a missing required one."""
    data = {key: str(contact.get(key, "") or "").strip() for key in CONTACT_FIELDS}
    for key, label in (("name", "name"), ("email", "e-mail address"), ("country_code", "country code")):
        if not data[key]:
            raise RegistrarError(f"{key}: the contact needs a {label}", field=key)
    data["country_code"] = data["country_code"].upper()
    return data


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
