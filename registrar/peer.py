"""The other registrar ("Elsewhere Names"), a mock party so that transfers are real.

It speaks to the registry through the same commands as we do, under its own client id.
Tests, the demo and the console's transfer-out step use it to play the other side.
"""

from datetime import datetime

from django.conf import settings

from registrar.registry import commands


def client_id() -> str:
    return settings.REGISTRAR_PEER_CLIENT_ID


def register(
    *, name: str, years: int = 1, name_servers: tuple[str, ...] = (), now: datetime | None = None
) -> str:
    """Register `name` through the other registrar; answers its auth code.

    Raises ValueError with the registry's reason if it refuses.
    """
    contact = commands.create_contact(
        client_id=client_id(), name="Elsewhere customer", email="customer@elsewhere.test", country_code="DE"
    )
    if not contact.is_success:
        raise ValueError(contact.reason)
    result = commands.create_domain(
        client_id=client_id(),
        name=name,
        years=years,
        registrant=contact.data["handle"],
        name_servers=name_servers,
        now=now,
    )
    if not result.is_success:
        raise ValueError(result.reason)
    return commands.info_domain(client_id=client_id(), name=name).data["auth_code"]


def request_transfer(*, name: str, auth_code: str, now: datetime | None = None) -> commands.Result:
    """The other registrar asks the registry for one of our domains, with its auth code."""
    return commands.request_transfer(client_id=client_id(), name=name, auth_code=auth_code, now=now)


def approve_transfer(*, name: str, now: datetime | None = None) -> commands.Result:
    """The other registrar, as the losing side, lets our transfer-in request through."""
    return commands.approve_transfer(client_id=client_id(), name=name, now=now)


def reject_transfer(*, name: str, now: datetime | None = None) -> commands.Result:
    """The other registrar, as the losing side, refuses our transfer-in request."""
    return commands.reject_transfer(client_id=client_id(), name=name, now=now)


def set_transfer_lock(*, name: str, locked: bool) -> commands.Result:
    """Lock or unlock one of the other registrar's domains against transfers."""
    change = {"add_statuses" if locked else "remove_statuses": ["clientTransferProhibited"]}
    return commands.update_domain(client_id=client_id(), name=name, **change)
