"""A zone's history: its change batches, one batch's diff and status, and its revert."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from kernel.ownership import get_owned_object_or_404
from zones import services
from zones.models import AuditEntry, ChangeBatch, HostedZone
from zones.services import revert
from zones.views.common import (
    confirmation_context,
    diff_row,
    key_label,
    needs_delete_confirmation,
    owned_zone,
    refusal_text,
)


@login_required
def zone_history(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = owned_zone(request, zone_id)
    batches = zone.change_batches.select_related("actor").order_by("-pk")[:200]
    return render(request, "zones/zone_history.html", {"zone": zone, "batches": batches})


def _batch(request: HttpRequest, zone: HostedZone, batch_id: int) -> ChangeBatch:
    return get_owned_object_or_404(ChangeBatch.objects.filter(hosted_zone=zone), request.user, pk=batch_id)


@login_required
def change_detail(request: HttpRequest, zone_id: int, batch_id: int) -> HttpResponse:
    zone = owned_zone(request, zone_id)
    batch = services.refresh_change_status(_batch(request, zone, batch_id))
    entries = AuditEntry.objects.filter(change_batch=batch).order_by("pk")[:500]
    diff = [diff_row(entry.before, entry.after, label=_entry_label(entry)) for entry in entries]
    context = {"zone": zone, "batch": batch, "diff": diff, "title": f"Change {batch.pk}"}
    return render(request, "zones/change_detail.html", context)


@login_required
@require_GET
def change_status(request: HttpRequest, zone_id: int, batch_id: int) -> JsonResponse:
    zone = owned_zone(request, zone_id)
    batch = services.refresh_change_status(_batch(request, zone, batch_id))
    return JsonResponse({"id": batch.pk, "status": batch.status, "serial": batch.serial})


@login_required
def change_revert(request: HttpRequest, zone_id: int, batch_id: int) -> HttpResponse:
    """GET: the inverse batch as a diff (or why there is none); POST: apply it as a new batch."""
    zone = owned_zone(request, zone_id)
    batch = _batch(request, zone, batch_id)
    try:
        steps = revert.revert_plan(batch)
    except revert.RevertConflict as error:
        context = {
            "zone": zone,
            "batch": batch,
            "refusal": error.message,
            "title": f"Revert change {batch.pk}",
        }
        return render(request, "zones/change_revert.html", context)
    deletes = sum(1 for step in steps if step.change.action == services.DELETE)
    needs_confirmation = needs_delete_confirmation(zone, deletes)
    confirmed = not needs_confirmation or request.POST.get("confirm_deletes") == "1"
    if request.method == "POST" and steps and confirmed:
        try:
            new_batch = revert.revert_change_batch(batch=batch, actor=request.user)
        except services.ChangeBatchError as error:
            context = {
                "zone": zone,
                "batch": batch,
                "refusal": refusal_text(error),
                "title": f"Revert change {batch.pk}",
            }
            return render(request, "zones/change_revert.html", context)
        messages.success(request, f"Change {batch.pk} reverted by change {new_batch.pk}; it is pending.")
        return redirect("zones-change-detail", zone.pk, new_batch.pk)
    context = {
        "zone": zone,
        "batch": batch,
        "title": f"Revert change {batch.pk}",
        "diff": [diff_row(step.now, step.restored, label=step.label) for step in steps],
        "deletes": deletes,
        **confirmation_context(zone, needs_confirmation, missing=request.method == "POST"),
    }
    return render(request, "zones/change_revert.html", context)


def _entry_label(entry: AuditEntry) -> str:
    return key_label((entry.name, entry.type, entry.set_identifier))
