"""Starting an import job's steps: in the request for a small file, else in a Celery task.

Above both zones.importexport (which plans and applies a job) and zones.tasks (which run
those steps for large files), so that neither imports the other's caller.
"""

from pathlib import Path
from typing import Any

from django.db import transaction

from zones import importexport, tasks
from zones.models import HostedZone, ImportJob

# Files up to this size are planned and applied in the request; larger ones by a Celery task.
INLINE_IMPORT_BYTES = 256 * 1024


def start_import(
    *, owner: Any, hosted_zone: HostedZone, file_name: str, content: bytes, replace: bool
) -> ImportJob:
    """Store the upload and plan it: inline for a small file, else in the `zones.plan_import` task.

    Raises ZoneFileError for a file that is not UTF-8 text.
    """
    job = importexport.store_upload(
        owner=owner, hosted_zone=hosted_zone, file_name=file_name, content=content, replace=replace
    )
    if len(content) <= INLINE_IMPORT_BYTES:
        importexport.plan_import_job(job)
    else:
        transaction.on_commit(lambda: tasks.plan_import.delay(job.pk))
    return job


def start_apply(job: ImportJob, *, actor: Any = None) -> ImportJob:
    """Apply inline for a small file, else enqueue `zones.apply_import`."""
    path = Path(job.file_path)
    size = path.stat().st_size if path.exists() else 0
    if size <= INLINE_IMPORT_BYTES:
        return importexport.apply_import_job(job, actor=actor)
    transaction.on_commit(lambda: tasks.apply_import.delay(job.pk))
    return job
