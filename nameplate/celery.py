"""The Celery application. Workers and beat start with `celery -A nameplate ...`.

Beat's scheduler is celery-redbeat (settings: CELERY_BEAT_SCHEDULER): the schedule lives in
Redis beside a lock, so only the beat holding the lock sends; another waits to take over.
Workers count their tasks for Prometheus (nameplate/metrics.py) and serve them on
METRICS_WORKER_LISTEN.
"""

import os

from celery import Celery, signals
from django.conf import settings

from healthchecks.schedule import BEAT_SCHEDULE as HEALTHCHECKS_SCHEDULE
from nameplate import metrics
from registrar.schedule import BEAT_SCHEDULE as REGISTRAR_SCHEDULE
from zones.schedule import BEAT_SCHEDULE as ZONES_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nameplate.settings")

app = Celery("nameplate")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {**REGISTRAR_SCHEDULE, **ZONES_SCHEDULE, **HEALTHCHECKS_SCHEDULE}
app.autodiscover_tasks()
# redbeat tells a key it was given from one it falls back on by its name without Celery's
# namespace; named so, its own Redis is REDIS_URL with the client's defaults, not the broker's.
app.conf.update(redbeat_redis_url=settings.CELERY_REDBEAT_REDIS_URL, redbeat_redis_options={})

signals.task_prerun.connect(metrics.task_started, weak=False)
signals.task_postrun.connect(metrics.task_finished, weak=False)
signals.task_retry.connect(metrics.task_retried, weak=False)


@signals.worker_ready.connect
def start_metrics_listener(**kwargs) -> None:
    metrics.start_listener(settings.METRICS_WORKER_LISTEN)
