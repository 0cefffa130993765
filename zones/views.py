"""Console pages of hosted zones: the zone list, the record editor, history, import and export."""

import difflib
import json
from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from kernel.ownership import get_owned_object_or_404
from kernel.views import show_service_error
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
    if request.method == "POST" and form.is_valid():
        before = rs.to_spec()
        changes = [services.Change(services.UPSERT, form.spec)]
        if form.spec.key != before.key:
            changes = [services.Change(services.DELETE, before), services.Change(services.CREATE, form.spec)]
        try:
            _apply(request, zone, changes)
        except services.ChangeBatchError as error:
            form.add_refusal(error)
        else:
            messages.success(request, f"Record set {form.spec.label} saved; the change is pending.")
            return redirect("zones-zone-detail", zone.pk)
    context = {"zone": zone, "form": form, "record_set": rs}
    return render(request, "zones/record_form.html", context)


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
    zone = _zone(request, zone_id)
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    rows = list(RecordSet.objects.filter(hosted_zone=zone, pk__in=ids))
    if not rows:
        messages.error(request, "Select the record sets to delete first.")
        return redirect("zones-zone-detail", zone.pk)
    changes = [services.Change(services.DELETE, rs.to_spec()) for rs in rows]
    try:
        _apply(request, zone, changes, comment=f"deleted {len(rows)} record sets")
    except services.ChangeBatchError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"Deleted {len(rows)} record sets; the change is pending.")
    return redirect("zones-zone-detail", zone.pk)


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
    batches = zone.change_batches.select_related("actor").annotate(entries=Count("audit_entries"))[:200]
    return render(request, "zones/zone_history.html", {"zone": zone, "batches": batches})


@login_required
def change_detail(request: HttpRequest, zone_id: int, batch_id: int) -> HttpResponse:
    zone = _zone(request, zone_id)
    batch = get_owned_object_or_404(ChangeBatch.objects.filter(hosted_zone=zone), request.user, pk=batch_id)
    services.refresh_change_status(batch)
    entries = AuditEntry.objects.filter(change_batch=batch).order_by("pk")[:500]
    rows = [{"entry": entry, "diff": _diff(entry.before, entry.after)} for entry in entries]
    context = {"zone": zone, "batch": batch, "rows": rows, "title": f"Change {batch.pk}"}
    return render(request, "zones/change_detail.html", context)


def _diff(before: dict | None, after: dict | None) -> list[tuple[str, str]]:
    """Line diff of two record sets as JSON: (kind, line) with kind '+', '-' or ' '."""

    def lines(data: dict | None) -> list[str]:
        if data is None:
            return []
        return json.dumps(
            {k: v for k, v in data.items() if v not in ("", None, [])}, indent=1, sort_keys=True
        ).splitlines()

    result = []
    for line in difflib.ndiff(lines(before), lines(after)):
        if line[:1] in ("+", "-", " "):
            result.append((line[:1], line[2:]))
    return result


@login_required
def zone_export(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = _zone(request, zone_id)
    response = HttpResponse(importexport.export_zone(zone), content_type="text/dns; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{zone.display_name}.zone"'
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
    if request.method == "POST":
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
    return render(request, "zones/import_detail.html", {"zone": zone, "job": job})


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
