"""Periodic work of the registry and the registrar; each task is thin and safe to run twice.

Each reads the time from the registry's clock (`commands.registry_time`), which staff may
have moved forward for a demonstration; it is the real time otherwise.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from registrar import services
from registrar.models import Domain
from registrar.registry import commands


@shared_task(name="registrar.poll_registry")
def poll_registry() -> list[str]:
    """The fall-back for the registry's wake-ups: read our poll queue and check pending transfers."""
    return services.sync_with_registry(now=commands.registry_time())


@shared_task(name="registrar.approve_due_transfers")
def approve_due_transfers() -> list[str]:
    """The registry approves transfers whose losing registrar let the deadline pass, then we sync."""
    done = commands.approve_due_transfers()
    services.sync_with_registry(now=commands.registry_time())
    return done


@shared_task(name="registrar.expire_domains")
def expire_domains() -> list[str]:
    """The registry moves lapsed domains into redemption and purges old ones; we mirror that."""
    changed = commands.expire_domains()
    services.sync_with_registry(now=commands.registry_time())
    return changed


@shared_task(name="registrar.auto_renew_domains")
def auto_renew_domains() -> list[str]:
    """Renew auto-renew domains due soon; a shortfall mails the owner once per expiry."""
    return services.auto_renew_domains(now=commands.registry_time())


@shared_task(name="registrar.send_renewal_reminders")
def send_renewal_reminders() -> list[str]:
    """Mail owners of domains expiring within 30 and 7 days, once per threshold and expiry."""
    return services.send_renewal_reminders(now=commands.registry_time())


def advance_registry_clock(*, days: int) -> list[str]:
    """Move the registry's clock forward `days` days, one at a time, running each day's work.

    Day by day, as beat would over real days, so a domain meets its reminders, its auto-renewal
    window, its expiry, the redemption period and the purge in the order the rules give them.
    The registrar's tasks run only on days when a domain is near its expiry, and it syncs only
    after the registry changed something, so a year takes seconds. Answers what happened, one
    line per event ("day 363: auto-renewed renewme.com").
    """
    window = timedelta(
        days=max([*settings.REGISTRAR_REMINDER_DAYS, settings.REGISTRAR_AUTO_RENEW_DAYS_BEFORE])
    )
    events = []
    for day in range(1, days + 1):
        now = commands.advance_clock(days=1)
        happened = []
        if Domain.objects.filter(state=Domain.ACTIVE, expires_at__lte=now + window).exists():
            happened += [f"renewal reminder for {item}" for item in services.send_renewal_reminders(now=now)]
            happened += [f"auto-renewed {name}" for name in services.auto_renew_domains(now=now)]
        registry_changes = [
            *(f"transfer approved: {name}" for name in commands.approve_due_transfers(now=now)),
            *(f"expired or purged: {name}" for name in commands.expire_domains(now=now)),
        ]
        if registry_changes:
            services.sync_with_registry(now=now)
        events.extend(f"day {day}: {event}" for event in [*happened, *registry_changes])
    return events
