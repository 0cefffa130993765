"""Change status: a batch is PENDING until every live DNS server serves its serial, then INSYNC."""

import dns.serial
from django.utils import timezone

from kernel import bus
from zones.models import ChangeBatch, HostedZone


def refresh_change_status(change_batch: ChangeBatch) -> ChangeBatch:
    """Mark the batch INSYNC once every live DNS server reports its serial (or a later one).

    With no live server, or Redis away, the batch stays PENDING. Earlier pending batches of
    the zone turn INSYNC with it.
    """
    if change_batch.status == ChangeBatch.Status.INSYNC:
        return change_batch
    serials = bus.served_serials(change_batch.hosted_zone_id)
    if not serials:
        return change_batch
    wanted = dns.serial.Serial(change_batch.serial)
    if any(served is None or dns.serial.Serial(served) < wanted for served in serials.values()):
        return change_batch
    now = timezone.now()
    ChangeBatch.objects.filter(
        hosted_zone_id=change_batch.hosted_zone_id, status=ChangeBatch.Status.PENDING, pk__lte=change_batch.pk
    ).update(status=ChangeBatch.Status.INSYNC, insync_at=now)
    change_batch.status, change_batch.insync_at = ChangeBatch.Status.INSYNC, now
    return change_batch


def refresh_pending_changes(hosted_zone: HostedZone) -> ChangeBatch | None:
    """Refresh the zone's newest pending batch (which settles the older ones); the batch or None."""
    latest = hosted_zone.change_batches.filter(status=ChangeBatch.Status.PENDING).order_by("-pk").first()
    return refresh_change_status(latest) if latest is not None else None
