"""Small pieces of the record editor that the browser fetches again: the change banner.

Scoped to the requesting user's own zones and change batches (another account's id is a
404); an anonymous request answers 401 with no body, so the page keeps its last banner.
"""

import dns.serial
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kernel import bus
from kernel.ownership import get_owned_object_or_404
from zones import services
from zones.models import ChangeBatch, HostedZone


def waiting_servers(change_batch: ChangeBatch) -> tuple[int, int] | None:
    """(how many live DNS servers do not serve the batch's serial yet, how many are live); None if unknown."""
    serials = bus.served_serials(change_batch.hosted_zone_id)
    if not serials:
        return None
    wanted = dns.serial.Serial(change_batch.serial)
    behind = sum(served is None or dns.serial.Serial(served) < wanted for served in serials.values())
    return behind, len(serials)


@require_GET
def change_banner(request: HttpRequest, zone_id: int, batch_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    zone = get_owned_object_or_404(HostedZone, request.user, pk=zone_id)
    batch = get_owned_object_or_404(ChangeBatch.objects.filter(hosted_zone=zone), request.user, pk=batch_id)
    batch = services.refresh_change_status(batch)
    return render(request, "zones/_change_banner.html", banner_context(zone, batch))


def banner_context(zone: HostedZone, batch: ChangeBatch) -> dict:
    """What the change banner shows: the batch, and for a pending one how many servers it waits for."""
    is_pending = batch.status == ChangeBatch.Status.PENDING
    return {"zone": zone, "change": batch, "waiting": waiting_servers(batch) if is_pending else None}
