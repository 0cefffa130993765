"""Periodic tasks of this app, merged into Celery beat's schedule by nameplate/celery.py.

Plain data only (task names as strings), so that importing it needs no Django set-up. Beat
only enqueues the cheap dispatchers (due probes, alarm events, confirmations); the probes go
to the region queues and each alert message to a delivery task of its own. The health view
is rewritten whole every minute, which also repairs a write that failed while Redis was away.
"""

BEAT_SCHEDULE: dict[str, dict] = {
    "healthchecks-dispatch-due-checks": {
        "task": "healthchecks.dispatch_due_checks",
        "schedule": 1.0,
        # A dispatcher that could not run within its second is superseded by the next one.
        "options": {"expires": 2.0},
    },
    "healthchecks-dispatch-alarm-events": {
        "task": "healthchecks.dispatch_alarm_events",
        "schedule": 1.0,
        "options": {"expires": 2.0},
    },
    "healthchecks-dispatch-confirmations": {
        "task": "healthchecks.dispatch_confirmations",
        "schedule": 1.0,
        "options": {"expires": 2.0},
    },
    "healthchecks-sync-health-view": {"task": "healthchecks.sync_health_view", "schedule": 60.0},
    "healthchecks-domain-expiry-alarms": {
        "task": "healthchecks.evaluate_domain_expiry_alarms",
        "schedule": 3600.0,
    },
    "healthchecks-prune-probe-results": {"task": "healthchecks.prune_probe_results", "schedule": 3600.0},
}
