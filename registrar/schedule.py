"""Periodic tasks of this app, merged into Celery beat's schedule by nameplate/celery.py.

Plain data only (task names as strings), so that importing it needs no Django set-up.
"""

BEAT_SCHEDULE: dict[str, dict] = {
    "registrar-poll-registry": {"task": "registrar.poll_registry", "schedule": 60.0},
    "registrar-approve-due-transfers": {"task": "registrar.approve_due_transfers", "schedule": 300.0},
    "registrar-auto-renew-domains": {"task": "registrar.auto_renew_domains", "schedule": 3600.0},
    "registrar-send-renewal-reminders": {"task": "registrar.send_renewal_reminders", "schedule": 3600.0},
    "registrar-expire-domains": {"task": "registrar.expire_domains", "schedule": 900.0},
}
