"""A domain's settings: auto-renew, the transfer lock, privacy protection and the auth code."""

from functools import partial

from django.db import transaction
from django.utils import timezone

from kernel.emails import send_mail
from registrar.models import Domain
from registrar.registry import commands
from registrar.services.session import client_id, domain_info, mirror, registry_data, require_managed


def apply_transfer_lock(domain: Domain) -> None:
    """Set or clear clientTransferProhibited at the registry to match `domain.transfer_lock`."""
    change = (
        {"add_statuses": ["clientTransferProhibited"]}
        if domain.transfer_lock
        else {"remove_statuses": ["clientTransferProhibited"]}
    )
    data = registry_data(commands.update_domain(client_id=client_id(), name=domain.name, **change))
    mirror(domain, data)


def update_settings(
    *,
    domain: Domain,
    auto_renew: bool | None = None,
    transfer_lock: bool | None = None,
    privacy: bool | None = None,
) -> Domain:
    """Change auto-renew, the transfer lock (clientTransferProhibited) or privacy protection."""
    require_managed(domain)
    with transaction.atomic():
        if auto_renew is not None:
            domain.auto_renew = auto_renew
        if transfer_lock is not None and transfer_lock != domain.transfer_lock:
            domain.transfer_lock = transfer_lock
            apply_transfer_lock(domain)
        if privacy is not None and privacy != domain.privacy:
            domain.privacy = privacy
            for handle in set(domain.contacts.values_list("handle", flat=True)):
                registry_data(
                    commands.update_contact(client_id=client_id(), handle=handle, is_private=privacy)
                )
        domain.save()
    return domain


def auth_code(domain: Domain) -> str:
    """The domain's auth code, for transferring it to another registrar."""
    require_managed(domain)
    return domain_info(domain)["auth_code"]


def reset_auth_code(*, domain: Domain) -> str:
    """Give the domain a new random auth code and tell the owner by mail; answers the code.

    The mail says when, not the code: anyone reading the owner's mail could transfer the
    domain with it. Raises RegistryRefused while a transfer is pending.
    """
    require_managed(domain)
    code = commands.new_auth_code()
    with transaction.atomic():
        registry_data(commands.update_domain(client_id=client_id(), name=domain.name, auth_code=code))
        context = {"domain": domain, "changed_at": timezone.now()}
        transaction.on_commit(partial(send_mail, "registrar_auth_code_reset", domain.owner.email, context))
    return code
