"""The registry's own periodic upkeep, run by Celery beat rather than by registrars.

Lapsed domains move into their redemption period (RFC 3915); those past it are purged.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from registrar.registry import clock, zonedata
from registrar.registry import models as m
from registrar.registry.commands.domains import touch
from registrar.registry.commands.poll import queue_message
from registrar.registry.commands.transfers import announce_transfer


def expire_domains(*, now: datetime | None = None) -> list[str]:
    """Move domains past their expiry into the redemption period; purge those past it.

    Answers the names whose state changed.
    """
    now = now or clock.now()
    changed = []
    for domain_id in m.DomainObject.objects.filter(expires_at__lte=now, deleted_at=None).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            domain = (
                m.DomainObject.objects.select_for_update()
                .filter(pk=domain_id, deleted_at=None, expires_at__lte=now)
                .first()
            )
            if domain is None:
                continue
            for transfer in m.Transfer.objects.filter(domain=domain, status=m.Transfer.PENDING):
                transfer.status, transfer.acted_at = m.Transfer.CLIENT_CANCELLED, now
                transfer.save(update_fields=["status", "acted_at"])
                announce_transfer(transfer, actor=None, now=now)
            domain.statuses = sorted(
                (set(domain.statuses) - {m.PENDING_TRANSFER}) | {m.REDEMPTION_PERIOD, m.PENDING_DELETE}
            )
            domain.deleted_at = now
            touch(domain, now)
            queue_message(
                domain.sponsor,
                domain.name,
                m.PollMessage.DELETED,
                "Domain expired; it is in its redemption period.",
                now=now,
                purge_at=now + timedelta(days=settings.REGISTRY_REDEMPTION_DAYS),
            )
            changed.append(domain.name)
    purge_before = now - timedelta(days=settings.REGISTRY_REDEMPTION_DAYS)
    for domain_id in m.DomainObject.objects.filter(deleted_at__lte=purge_before).values_list("pk", flat=True):
        with transaction.atomic():
            domain = (
                m.DomainObject.objects.select_for_update()
                .filter(pk=domain_id, deleted_at__lte=purge_before)
                .first()
            )
            if domain is None:
                continue
            tld, name, sponsor = domain.tld.name, domain.name, domain.sponsor
            domain.delete()
            zonedata.bump_serial(tld)
            queue_message(sponsor, name, m.PollMessage.PURGED, "Domain purged; the name is free.", now=now)
            changed.append(name)
    return changed
