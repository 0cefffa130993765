"""Celery tasks of the zones app: thin, idempotent, named `zones.<verb>`."""

from celery import shared_task

from zones import importexport, services
from zones.models import ChangeBatch, ImportJob


@shared_task(name="zones.plan_import")
def plan_import(job_id: int) -> str:
    """Read an uploaded zone file and store its preview; does nothing unless the job is planning."""
    job = ImportJob.objects.filter(pk=job_id).select_related("hosted_zone").first()
    if job is None:
        return "missing"
    return importexport.plan_import_job(job).status


@shared_task(name="zones.apply_import")
def apply_import(job_id: int) -> str:
    """Apply a previewed import as one change batch; only the first delivery claims the job."""
    job = ImportJob.objects.filter(pk=job_id).select_related("hosted_zone", "owner").first()
    if job is None:
        return "missing"
    return importexport.apply_import_job(job).status


@shared_task(name="zones.refresh_changes")
def refresh_changes() -> int:
    """Turn pending change batches INSYNC whose serial every live DNS server serves; returns how many."""
    count = 0
    zone_ids = set(
        ChangeBatch.objects.filter(status=ChangeBatch.Status.PENDING).values_list("hosted_zone_id", flat=True)
    )
    for zone_id in zone_ids:
        latest = (
            ChangeBatch.objects.filter(hosted_zone_id=zone_id, status=ChangeBatch.Status.PENDING)
            .order_by("-pk")
            .first()
        )
        if latest is not None and services.refresh_change_status(latest).status == ChangeBatch.Status.INSYNC:
            count += 1
    return count
