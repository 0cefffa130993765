"""The Celery application. Workers and beat start with `celery -A nameplate ...`."""

import os

from celery import Celery

from healthchecks.schedule import BEAT_SCHEDULE as HEALTHCHECKS_SCHEDULE
from registrar.schedule import BEAT_SCHEDULE as REGISTRAR_SCHEDULE
from zones.schedule import BEAT_SCHEDULE as ZONES_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nameplate.settings")

app = Celery("nameplate")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {**REGISTRAR_SCHEDULE, **ZONES_SCHEDULE, **HEALTHCHECKS_SCHEDULE}
app.autodiscover_tasks()
