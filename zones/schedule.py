"""Periodic tasks of this app, merged into Celery beat's schedule by console/celery.py.

Plain data only (task names as strings), so that importing it needs no Django set-up.
"""

BEAT_SCHEDULE: dict[str, dict] = {}
