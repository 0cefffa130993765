"""The record editor's changes: a new record set, an edit (a full form or inline), a bulk delete.
Each save is one change batch."""

from dataclasses import replace
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kernel.ownership import get_owned_object_or_404
from kernel.views import show_service_error
from zones import forms, rules, services
from zones.models import ChangeBatch, HostedZone, RecordSet
from zones.views.common import (
    confirmation_context,
    diff_row,
    key_label,
    needs_delete_confirmation,
    owned_zone,
    refusal_text,
)


def _apply(request: HttpRequest, zone: HostedZone, changes: list, comment: str = "") -> ChangeBatch:
    return services.apply_change_batch(
        hosted_zone=zone,
        changes=changes,
        actor=request.user,
        source=ChangeBatch.Source.CONSOLE,
        comment=comment,
    )


@login_required
def record_create(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = owned_zone(request, zone_id)
    form = forms.RecordSetForm(request.POST or None, zone=zone, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            _apply(request, zone, [services.Change(services.CREATE, form.spec)])
        except services.ChangeBatchError as error:
            form.add_refusal(error)
        else:
            messages.success(request, f"Record set {form.spec.label} created; the change is pending.")
            return redirect("zones-zone-detail", zone.pk)
    return render(request, "zones/record_form.html", {"zone": zone, "form": form, "record_set": None})


@login_required
def record_edit(request: HttpRequest, zone_id: int, record_id: int) -> HttpResponse:
    zone = owned_zone(request, zone_id)
    rs = get_owned_object_or_404(RecordSet.objects.filter(hosted_zone=zone), request.user, pk=record_id)
    if request.method == "POST" and request.POST.get("inline"):
        return _inline_edit(request, zone, rs)
    form = forms.RecordSetForm(
        request.POST or None, zone=zone, user=request.user, initial=forms.RecordSetForm.initial_for(rs)
    )
    before = rs.to_spec()
    if request.method == "POST" and form.is_valid():
        changes = [services.Change(services.UPSERT, form.spec)]
        if form.spec.key != before.key:
            changes = [services.Change(services.DELETE, before), services.Change(services.CREATE, form.spec)]
        try:
            _apply(request, zone, changes)
        except services.ChangeBatchError as error:
            form.add_refusal(error)
        else:
            message = f"Record set {form.spec.label} saved; the change is pending."
            if before.ttl and _resolvers_keep_old_data(before, form.spec):
                message += f" Every resolver will have the new data by {_resolvers_by(before.ttl)}."
            messages.success(request, message)
            return redirect("zones-zone-detail", zone.pk)
    context = {
        "zone": zone,
        "form": form,
        "record_set": rs,
        "old_ttl": before.ttl,
        "resolvers_by": _resolvers_by(before.ttl) if before.ttl else "",
    }
    return render(request, "zones/record_form.html", context)


def _resolvers_keep_old_data(before: rules.RecordSetSpec, after: rules.RecordSetSpec) -> bool:
    """Whether resolvers holding the old answer serve stale data after the change (new values, lower TTL)."""
    return sorted(before.values) != sorted(after.values) or (after.ttl or 0) < before.ttl


def _resolvers_by(old_ttl: int) -> str:
    """When every resolver that cached the old answer has let it go: now plus the old TTL."""
    moment = timezone.now() + timedelta(seconds=old_ttl)
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC (now + the old TTL of {old_ttl} s)"


def _inline_edit(request: HttpRequest, zone: HostedZone, rs: RecordSet) -> HttpResponse:
    form = forms.InlineEditForm(request.POST)
    wants_json = request.headers.get("Accept") == "application/json"
    if not form.is_valid():
        error = "; ".join(e for errors in form.errors.values() for e in errors)
        if wants_json:
            return JsonResponse({"ok": False, "error": error}, status=400)
        messages.error(request, error)
        return redirect("zones-zone-detail", zone.pk)
    spec = rs.to_spec()
    if not rs.is_alias:
        values = [line for line in form.cleaned_data["values"].splitlines() if line.strip()]
        spec = replace(spec, ttl=form.cleaned_data["ttl"], values=tuple(values))
    try:
        _apply(request, zone, [services.Change(services.UPSERT, spec)])
    except services.ChangeBatchError as error:
        if wants_json:
            return JsonResponse({"ok": False, "error": error.message}, status=400)
        show_service_error(request, error)
        return redirect("zones-zone-detail", zone.pk)
    if wants_json:
        return JsonResponse({"ok": True, "error": ""})
    messages.success(request, f"Record set {rs} saved; the change is pending.")
    return redirect("zones-zone-detail", zone.pk)


@login_required
@require_POST
def record_bulk_delete(request: HttpRequest, zone_id: int) -> HttpResponse:
    """Plan, show, apply: the first POST shows what would be deleted; `apply` deletes it,
    with `confirm_deletes` ticked when the share deleted is past ZONES_MAX_SAFE_DELETE_PERCENT."""
    zone = owned_zone(request, zone_id)
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    rows = list(RecordSet.objects.filter(hosted_zone=zone, pk__in=ids))
    if not rows:
        messages.error(request, "Select the record sets to delete first.")
        return redirect("zones-zone-detail", zone.pk)
    changes = [services.Change(services.DELETE, rs.to_spec()) for rs in rows]
    try:
        plan = services.plan_changes(zone, changes)
    except services.ChangeBatchError as error:
        messages.error(request, refusal_text(error))
        return redirect("zones-zone-detail", zone.pk)
    needs_confirmation = needs_delete_confirmation(zone, len(plan.deletes))
    confirmed = not needs_confirmation or request.POST.get("confirm_deletes") == "1"
    if request.POST.get("apply") and confirmed:
        try:
            _apply(request, zone, changes, comment=f"deleted {len(rows)} record sets")
        except services.ChangeBatchError as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, f"Deleted {len(rows)} record sets; the change is pending.")
        return redirect("zones-zone-detail", zone.pk)
    context = {
        "zone": zone,
        "title": f"Delete {len(rows)} record sets",
        "diff": [diff_row(line.before, line.after, label=key_label(line.key)) for line in plan.audit],
        "action": reverse("zones-record-bulk-delete", args=[zone.pk]),
        "ids": [rs.pk for rs in rows],
        "deletes": len(rows),
        "apply_label": f"Delete {len(rows)} record sets",
        **confirmation_context(zone, needs_confirmation, missing=bool(request.POST.get("apply"))),
    }
    return render(request, "zones/change_preview.html", context)
