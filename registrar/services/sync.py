"""The fall-back: our poll queue, then every pending transfer and lapsed domain, checked at the registry."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from registrar.models import Domain
from registrar.services.registry_messages import read_registry_messages
from registrar.services.renewals import sync_lapsed_domain
from registrar.services.transfers import sync_transfer


def sync_with_registry(*, now: datetime | None = None) -> list[str]:
    """Read our poll queue, then bring pending transfers and lapsed domains in line with the registry.

    The poll queue's wake-ups deliver changes as they happen; this catches what they missed.
    Answers "<name> <new state>" for each domain whose state changed in the second step.
    """
    now = now or timezone.now()
    read_registry_messages()
    changed = []
    pending = Domain.objects.filter(state__in=[Domain.TRANSFER_IN, Domain.TRANSFER_OUT])
    lapsed = Domain.objects.filter(state=Domain.ACTIVE, expires_at__lte=now)
    for domain_id in list(pending.values_list("pk", flat=True)) + list(lapsed.values_list("pk", flat=True)):
        with transaction.atomic():
            domain = Domain.objects.select_for_update().get(pk=domain_id)
            before = domain.state, list(domain.registry_statuses)
            if domain.state in (Domain.TRANSFER_IN, Domain.TRANSFER_OUT):
                sync_transfer(domain)
            else:
                sync_lapsed_domain(domain)
            if (domain.state, list(domain.registry_statuses)) != before:
                changed.append(f"{domain.name} {domain.state}")
    return changed
