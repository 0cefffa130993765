"""Our registrar's session with the registry.

Who we are there (the client id every command carries), what a command's answer means to
us (its data, or RegistryRefused), and keeping each Domain row in step with the registry's
domain object. Only domains we manage may be changed through the registry.
"""

from django.conf import settings

from registrar.errors import RegistrarError, RegistryRefused
from registrar.models import Domain
from registrar.registry import commands


def client_id() -> str:
    return settings.REGISTRAR_CLIENT_ID


def registry_data(result: commands.Result) -> dict:
    """The data of a successful command; RegistryRefused with the registry's reason otherwise."""
    if not result.is_success:
        raise RegistryRefused(result.reason or result.message, field=result.field, code=result.code)
    return result.data


def domain_info(domain: Domain) -> dict:
    """What the registry holds about the domain (statuses, name servers, hosts, DS, auth code)."""
    return registry_data(commands.info_domain(client_id=client_id(), name=domain.name))


def mirror(domain: Domain, data: dict) -> None:
    """Copy what the registry answered onto our row."""
    domain.registry_statuses = data.get("statuses", domain.registry_statuses)
    domain.name_servers = data.get("name_servers", domain.name_servers)
    if data.get("expires_at"):
        domain.expires_at = data["expires_at"]
    domain.save()


def require_managed(domain: Domain) -> None:
    """Raises RegistrarError unless the domain is ours to change (active or transferring out)."""
    if not domain.is_managed:
        raise RegistrarError(
            f"{domain.unicode_name} is {domain.get_state_display().lower()}; it cannot be changed."
        )
