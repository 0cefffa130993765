"""Periodic work of the registry and the registrar; each task is thin and safe to run twice."""

from celery import shared_task

from registrar import services
from registrar.registry import commands


@shared_task(name="registrar.poll_registry")
def poll_registry() -> list[str]:
    """The fall-back for the registry's wake-ups: read our poll queue and check pending transfers."""
    return services.sync_with_registry()


@shared_task(name="registrar.approve_due_transfers")
def approve_due_transfers() -> list[str]:
    """The registry approves transfers whose losing registrar let the deadline pass, then we sync."""
    done = commands.approve_due_transfers()
    services.sync_with_registry()
    return done


@shared_task(name="registrar.expire_domains")
def expire_domains() -> list[str]:
    """The registry moves lapsed domains into redemption and purges old ones; we mirror that."""
    changed = commands.expire_domains()
    services.sync_with_registry()
    return changed


@shared_task(name="registrar.auto_renew_domains")
def auto_renew_domains() -> list[str]:
    """Renew auto-renew domains due soon; a shortfall mails the owner once per expiry."""
    return services.auto_renew_domains()


@shared_task(name="registrar.send_renewal_reminders")
def send_renewal_reminders() -> list[str]:
    """Mail owners of domains expiring within 30 and 7 days, once per threshold and expiry."""
    return services.send_renewal_reminders()
