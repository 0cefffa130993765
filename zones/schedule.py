"""Periodic tasks of this app, merged into Celery beat's schedule by nameplate/celery.py.

Plain data only (task names as strings), so that importing it needs no Django set-up.
"""

BEAT_SCHEDULE: dict[str, dict] = {
    # Cheap: one Redis read per zone with pending changes; the console also refreshes on view.
    "zones-refresh-changes": {"task": "zones.refresh_changes", "schedule": 5.0},
}
