"""Console pages of hosted zones: the zone list, the record editor, history, import and export."""

from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from kernel.ownership import get_owned_object_or_404
from kernel.views import plain_reason, show_service_error
from zones import forms, import_jobs, importexport, rules, services
from zones.models import (
    AuditEntry,
    ChangeBatch,
    DelegationSet,
    Endpoint,
    HostedZone,
    ImportJob,
    Network,
    RecordSet,
)
from zones.services import revert
from zones.services.listing import filter_record_sets, keyset_page
from zones.vocabulary import RoutingPolicy, choices

PAGE_SIZE = 100

ZONES_INTRO = (
    "A hosted zone holds the DNS records of one domain: our name servers answer for it. A public "
    "zone is delegated to four name servers (give them to your registrar); a private zone answers "
    "only inside the networks you bind it to."
)
EDITOR_INTRO = (
    "Each record set is a name and type with its values, or an alias to another record set or an "
    "endpoint. Several record sets of one name and type share traffic by a routing policy: weighted, "
    "latency, failover, geolocation or multivalue. Every save is a change batch: PENDING until every "
    "name server serves the zone's new serial, then INSYNC."
)


def _zone(request: HttpRequest, zone_id: int) -> HostedZone:
    return get_owned_object_or_404(
        HostedZone.objects.select_related("delegation_set"), request.user, pk=zone_id
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
def zone_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip().lower()
    zones = HostedZone.objects.owned_by(request.user).select_related("delegation_set")
    if search:
        zones = zones.filter(Q(name__contains=search) | Q(comment__icontains=search))
    context = {"zones": zones, "search": search, "intro": ZONES_INTRO}
    return render(request, "zones/zone_list.html", context)


@login_required
def zone_create(request: HttpRequest) -> HttpResponse:
    form = forms.HostedZoneForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            zone = services.create_hosted_zone(owner=request.user, **form.cleaned_data)
        except services.ZoneError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request, f"Hosted zone {zone.display_name} created with its SOA and NS record sets."
            )
            return redirect("zones-zone-detail", zone.pk)
    return render(request, "zones/zone_create.html", {"form": form})


@login_required
def zone_detail(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = _zone(request, zone_id)
    params = request.GET
    queryset = filter_record_sets(
        zone.record_sets.select_related("health_check", "alias_endpoint"),
        name=params.get("name", ""),
        rtype=params.get("type", ""),
        policy=params.get("policy", ""),
    )
    page = keyset_page(
        queryset,
        after=params.get("after"),
        before=params.get("before"),
        last="last" in params,
        size=PAGE_SIZE,
    )
    filters = {key: params[key] for key in ("name", "type", "policy") if params.get(key)}
    pending = services.refresh_pending_changes(zone)
    context = {
        "zone": zone,
        "page": page,
        "filters": filters,
        "filter_query": "&".join(f"{key}={value}" for key, value in filters.items()),
        "form": forms.RecordSetForm(zone=zone, user=request.user),
        "pending": pending if pending is not None and pending.status == ChangeBatch.Status.PENDING else None,
        "types": rules.RECORD_TYPES,
        "policies": choices(RoutingPolicy),
        "settings_form": forms.ZoneSettingsForm(
            initial={"comment": zone.comment, "tags": "\n".join(f"{k}={v}" for k, v in zone.tags.items())}
        ),
        "intro": EDITOR_INTRO,
    }
    return render(request, "zones/zone_detail.html", context)


@login_required
@require_POST
def zone_settings(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = _zone(request, zone_id)
    form = forms.ZoneSettingsForm(request.POST)
    if form.is_valid():
        services.update_hosted_zone(
            zone, comment=form.cleaned_data["comment"], tags=form.cleaned_data["tags"]
        )
        messages.success(request, "Zone settings saved.")
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect("zones-zone-detail", zone.pk)


@login_required
@require_POST
def zone_delete(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = _zone(request, zone_id)
    try:
        services.delete_hosted_zone(zone)
    except services.ZoneError as error:
        show_service_error(request, error)
        return redirect("zones-zone-detail", zone.pk)
    messages.success(request, f"Hosted zone {zone.display_name} deleted.")
    return redirect("zones-zone-list")


@login_required
def record_create(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = _zone(request, zone_id)
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
    zone = _zone(request, zone_id)
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
    zone = _zone(request, zone_id)
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    rows = list(RecordSet.objects.filter(hosted_zone=zone, pk__in=ids))
    if not rows:
        messages.error(request, "Select the record sets to delete first.")
        return redirect("zones-zone-detail", zone.pk)
    changes = [services.Change(services.DELETE, rs.to_spec()) for rs in rows]
    try:
        plan = services.plan_changes(zone, changes)
    except services.ChangeBatchError as error:
        messages.error(request, _refusal_text(error))
        return redirect("zones-zone-detail", zone.pk)
    needs_confirmation = _needs_delete_confirmation(zone, len(plan.deletes))
    confirmed = not needs_confirmation or request.POST.get("confirm_deletes") == "1"
    if request.POST.get("apply") and confirmed:
        try:
            _apply(request, zone, changes, comment=f"deleted {len(rows)} record sets")
        except services.ChangeBatchError as error:
            messages.error(request, _refusal_text(error))
        else:
            messages.success(request, f"Deleted {len(rows)} record sets; the change is pending.")
        return redirect("zones-zone-detail", zone.pk)
    context = {
        "zone": zone,
        "title": f"Delete {len(rows)} record sets",
        "diff": [_diff_row(line.before, line.after, label=_key_label(line.key)) for line in plan.audit],
        "action": reverse("zones-record-bulk-delete", args=[zone.pk]),
        "ids": [rs.pk for rs in rows],
        "deletes": len(rows),
        "apply_label": f"Delete {len(rows)} record sets",
        **_confirmation_context(zone, needs_confirmation, missing=bool(request.POST.get("apply"))),
    }
    return render(request, "zones/change_preview.html", context)


def _needs_delete_confirmation(zone: HostedZone, deletes: int) -> bool:
    return revert.exceeds_safe_delete(
        deletes=deletes,
        record_set_count=zone.record_set_count,
        max_percent=settings.ZONES_MAX_SAFE_DELETE_PERCENT,
    )


def _confirmation_context(zone: HostedZone, needs_confirmation: bool, *, missing: bool) -> dict:
    return {
        "needs_confirmation": needs_confirmation,
        "confirmation_missing": needs_confirmation and missing,
        "zone_size": zone.record_set_count,
        "max_safe_delete_percent": settings.ZONES_MAX_SAFE_DELETE_PERCENT,
    }


@login_required
@require_GET
def change_status(request: HttpRequest, zone_id: int, batch_id: int) -> JsonResponse:
    zone = _zone(request, zone_id)
    batch = get_owned_object_or_404(ChangeBatch.objects.filter(hosted_zone=zone), request.user, pk=batch_id)
    batch = services.refresh_change_status(batch)
    return JsonResponse({"id": batch.pk, "status": batch.status, "serial": batch.serial})


@login_required
def zone_history(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = _zone(request, zone_id)
    batches = zone.change_batches.select_related("actor").order_by("-pk")[:200]
    return render(request, "zones/zone_history.html", {"zone": zone, "batches": batches})


def _batch(request: HttpRequest, zone: HostedZone, batch_id: int) -> ChangeBatch:
    return get_owned_object_or_404(ChangeBatch.objects.filter(hosted_zone=zone), request.user, pk=batch_id)


@login_required
def change_detail(request: HttpRequest, zone_id: int, batch_id: int) -> HttpResponse:
    zone = _zone(request, zone_id)
    batch = services.refresh_change_status(_batch(request, zone, batch_id))
    entries = AuditEntry.objects.filter(change_batch=batch).order_by("pk")[:500]
    diff = [_diff_row(entry.before, entry.after, label=_entry_label(entry)) for entry in entries]
    context = {"zone": zone, "batch": batch, "diff": diff, "title": f"Change {batch.pk}"}
    return render(request, "zones/change_detail.html", context)


@login_required
def change_revert(request: HttpRequest, zone_id: int, batch_id: int) -> HttpResponse:
    """GET: the inverse batch as a diff (or why there is none); POST: apply it as a new batch."""
    zone = _zone(request, zone_id)
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
    needs_confirmation = _needs_delete_confirmation(zone, deletes)
    confirmed = not needs_confirmation or request.POST.get("confirm_deletes") == "1"
    if request.method == "POST" and steps and confirmed:
        try:
            new_batch = revert.revert_change_batch(batch=batch, actor=request.user)
        except services.ChangeBatchError as error:
            context = {
                "zone": zone,
                "batch": batch,
                "refusal": _refusal_text(error),
                "title": f"Revert change {batch.pk}",
            }
            return render(request, "zones/change_revert.html", context)
        messages.success(request, f"Change {batch.pk} reverted by change {new_batch.pk}; it is pending.")
        return redirect("zones-change-detail", zone.pk, new_batch.pk)
    context = {
        "zone": zone,
        "batch": batch,
        "title": f"Revert change {batch.pk}",
        "diff": [_diff_row(step.now, step.restored, label=step.label) for step in steps],
        "deletes": deletes,
        **_confirmation_context(zone, needs_confirmation, missing=request.method == "POST"),
    }
    return render(request, "zones/change_revert.html", context)


def _refusal_text(error: services.ChangeBatchError) -> str:
    """A batch's refusal in words: the record set and the reason, without "change <index>:"."""
    if isinstance(error, revert.RevertConflict) or error.problem is None:
        return plain_reason(error)
    return (
        f"{error.problem.record_set}: {error.problem.reason}"
        if error.problem.record_set
        else error.problem.reason
    )


def _key_label(key: tuple[str, str, str]) -> str:
    name, rtype, set_identifier = key
    return f"{name} {rtype}" + (f" ({set_identifier})" if set_identifier else "")


def _entry_label(entry: AuditEntry) -> str:
    return _key_label((entry.name, entry.type, entry.set_identifier))


# The fields a diff shows, in this order; a record set's name and type head its rows.
DIFF_FIELDS = (
    ("ttl", "TTL"),
    ("values", "Values"),
    ("alias_target_name", "Alias target"),
    ("alias_endpoint_id", "Alias endpoint"),
    ("evaluate_target_health", "Evaluate target health"),
    ("policy", "Routing policy"),
    ("weight", "Weight"),
    ("region", "Region"),
    ("failover", "Failover"),
    ("continent", "Continent"),
    ("country", "Country"),
    ("subdivision", "Subdivision"),
    ("health_check_id", "Health check"),
)


def _shown(value: object) -> str:
    if value in (None, "", [], False):
        return ""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return "yes" if value is True else str(value)


def _diff_row(before: dict | None, after: dict | None, *, label: str) -> dict:
    """One record set's before and after as table rows: (field, before, after, kind) with kind
    `added`, `removed`, `changed` or `same`; the record set's own kind likewise."""
    kind = "added" if before is None else "removed" if after is None else "changed"
    fields = []
    known = {name for name, _label in DIFF_FIELDS}
    extra = [
        (name, name)
        for name in sorted({*(before or {}), *(after or {})} - known)
        if name not in ("name", "type", "set_identifier")
    ]
    for name, field_label in (*DIFF_FIELDS, *extra):
        old, new = _shown((before or {}).get(name)), _shown((after or {}).get(name))
        if not old and not new:
            continue
        field_kind = "same" if old == new else "added" if not old else "removed" if not new else "changed"
        fields.append({"label": field_label, "before": old, "after": new, "kind": field_kind})
    return {"label": label, "kind": kind, "fields": fields}


@login_required
@require_GET
def zone_export(request: HttpRequest, zone_id: int) -> HttpResponse:
    """The round-trip file (policies and aliases as `;@nameplate` lines), or with
    `?format=plain` a plain BIND file with those written as their current answers."""
    zone = _zone(request, zone_id)
    if request.GET.get("format") == "plain":
        text, suffix = importexport.export_plain_zone(zone), ".plain"
    else:
        text, suffix = importexport.export_zone(zone), ""
    response = HttpResponse(text, content_type="text/dns; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{zone.display_name}{suffix}.zone"'
    return response


@login_required
def zone_import(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = _zone(request, zone_id)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_jobs.start_import(
                owner=request.user,
                hosted_zone=zone,
                file_name=upload.name,
                content=upload.read(),
                replace=form.cleaned_data["replace"],
            )
        except services.ZoneError as error:
            show_service_error(form, error)
        else:
            return redirect("zones-import-detail", zone.pk, job.pk)
    jobs = ImportJob.objects.owned_by(request.user).filter(hosted_zone=zone)[:10]
    return render(request, "zones/zone_import.html", {"zone": zone, "form": form, "jobs": jobs})


@login_required
def import_detail(request: HttpRequest, zone_id: int, job_id: int) -> HttpResponse:
    zone = _zone(request, zone_id)
    job = get_owned_object_or_404(ImportJob.objects.filter(hosted_zone=zone), request.user, pk=job_id)
    deletes = int(job.summary.get("deletes") or 0) if job.status == ImportJob.Status.PREVIEW else 0
    needs_confirmation = _needs_delete_confirmation(zone, deletes)
    confirmed = not needs_confirmation or request.POST.get("confirm_deletes") == "1"
    changes = sum(int(job.summary.get(kind) or 0) for kind in ("creates", "updates", "deletes"))
    if request.method == "POST" and job.status == ImportJob.Status.PREVIEW and not changes:
        messages.info(request, "The zone already holds exactly this data: there is nothing to apply.")
        return redirect("zones-import-detail", zone.pk, job.pk)
    if request.method == "POST" and confirmed:
        job = import_jobs.start_apply(job, actor=request.user)
        if job.status == ImportJob.Status.DONE:
            messages.success(request, f"Imported: change batch {job.change_batch_id} is pending.")
            return redirect("zones-zone-detail", zone.pk)
        return redirect("zones-import-detail", zone.pk, job.pk)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {
                "status": job.status,
                "percent": job.percent,
                "done": job.progress_done,
                "total": job.progress_total,
            }
        )
    context = {
        "zone": zone,
        "job": job,
        "diff": _import_diff(job.summary) if job.status == ImportJob.Status.PREVIEW else [],
        "deletes": deletes,
        **_confirmation_context(zone, needs_confirmation, missing=request.method == "POST"),
    }
    return render(request, "zones/import_detail.html", context)


def _import_diff(summary: dict) -> list[dict]:
    """The import preview's rows (importexport.preview) as diff-table rows."""

    def fields(row: dict) -> dict:
        return {"ttl": row.get("ttl"), "values": row.get("values"), "alias_target_name": row.get("alias")}

    rows = [_diff_row(None, fields(row), label=row["label"]) for row in summary.get("create_rows", [])]
    rows += [
        _diff_row(fields(row["before"]), fields(row["after"]), label=row["after"]["label"])
        for row in summary.get("update_rows", [])
    ]
    rows += [_diff_row(fields(row), None, label=row["label"]) for row in summary.get("delete_rows", [])]
    return rows


# ---- networks, endpoints, delegation sets ----------------------------------------------------


@login_required
def network_list(request: HttpRequest) -> HttpResponse:
    form = forms.NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_network(owner=request.user, **form.cleaned_data)
        except services.ZoneError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Network {form.cleaned_data['name']} saved.")
            return redirect("zones-network-list")
    networks = Network.objects.owned_by(request.user).annotate(zone_count=Count("hosted_zones"))
    return render(request, "zones/network_list.html", {"form": form, "networks": networks})


@login_required
@require_POST
def network_delete(request: HttpRequest, network_id: int) -> HttpResponse:
    network = get_owned_object_or_404(Network, request.user, pk=network_id)
    try:
        services.delete_network(network)
    except services.ZoneError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"Network {network.name} deleted.")
    return redirect("zones-network-list")


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    form = forms.EndpointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_endpoint(owner=request.user, **form.cleaned_data)
        except services.ZoneError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Endpoint {form.cleaned_data['name']} saved.")
            return redirect("zones-endpoint-list")
    endpoints = Endpoint.objects.owned_by(request.user).select_related("health_check")
    return render(request, "zones/endpoint_list.html", {"form": form, "endpoints": endpoints})


@login_required
@require_POST
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = get_owned_object_or_404(Endpoint, request.user, pk=endpoint_id)
    try:
        services.delete_endpoint(endpoint)
    except services.ZoneError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"Endpoint {endpoint.name} deleted.")
    return redirect("zones-endpoint-list")


@login_required
def delegation_set_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        delegation_set = services.create_delegation_set(owner=request.user)
        messages.success(request, f"Reusable delegation set {delegation_set.pk} created.")
        return redirect(reverse("zones-delegation-set-list"))
    sets = (
        DelegationSet.objects.owned_by(request.user)
        .filter(is_reusable=True)
        .annotate(zone_count=Count("hosted_zones"))
    )
    return render(request, "zones/delegation_set_list.html", {"sets": sets})


@login_required
@require_POST
def delegation_set_delete(request: HttpRequest, set_id: int) -> HttpResponse:
    delegation_set = get_owned_object_or_404(DelegationSet, request.user, pk=set_id, is_reusable=True)
    try:
        services.delete_delegation_set(delegation_set)
    except services.ZoneError as error:
        show_service_error(request, error)
    else:
        messages.success(request, "Delegation set deleted.")
    return redirect("zones-delegation-set-list")
