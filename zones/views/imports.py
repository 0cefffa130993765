"""A zone's file: export, import (upload, preview, apply) and the import's progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from kernel.ownership import get_owned_object_or_404
from kernel.views import show_service_error
from zones import forms, import_jobs, importexport, services
from zones.models import ImportJob
from zones.views.common import confirmation_context, diff_row, needs_delete_confirmation, owned_zone


@login_required
@require_GET
def zone_export(request: HttpRequest, zone_id: int) -> HttpResponse:
    """The round-trip file (policies and aliases as `;@nameplate` lines), or with
    `?format=plain` a plain BIND file with those written as their current answers."""
    zone = owned_zone(request, zone_id)
    if request.GET.get("format") == "plain":
        text, suffix = importexport.export_plain_zone(zone), ".plain"
    else:
        text, suffix = importexport.export_zone(zone), ""
    response = HttpResponse(text, content_type="text/dns; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{zone.display_name}{suffix}.zone"'
    return response


@login_required
def zone_import(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = owned_zone(request, zone_id)
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
    zone = owned_zone(request, zone_id)
    job = get_owned_object_or_404(ImportJob.objects.filter(hosted_zone=zone), request.user, pk=job_id)
    deletes = int(job.summary.get("deletes") or 0) if job.status == ImportJob.Status.PREVIEW else 0
    needs_confirmation = needs_delete_confirmation(zone, deletes)
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
        **confirmation_context(zone, needs_confirmation, missing=request.method == "POST"),
    }
    return render(request, "zones/import_detail.html", context)


def _import_diff(summary: dict) -> list[dict]:
    """The import preview's rows (importexport.preview) as diff-table rows."""

    def fields(row: dict) -> dict:
        return {"ttl": row.get("ttl"), "values": row.get("values"), "alias_target_name": row.get("alias")}

    rows = [diff_row(None, fields(row), label=row["label"]) for row in summary.get("create_rows", [])]
    rows += [
        diff_row(fields(row["before"]), fields(row["after"]), label=row["after"]["label"])
        for row in summary.get("update_rows", [])
    ]
    rows += [diff_row(fields(row), None, label=row["label"]) for row in summary.get("delete_rows", [])]
    return rows
