"""The registry's one clock: the real time plus an offset kept in the database.

Every registry rule (expiry, redemption, purge, transfer deadlines, the TLD zone's view of
what is delegated, RDAP's dates) asks `now()`; so do the registrar's periodic tasks that move
domains through their life cycle. Staff advance it from the console (the registry-clock page)
to watch auto-renewal, expiry, the redemption period and the purge happen in minutes. With no
row the offset is zero: production never notices this module.
"""

from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from registrar.registry.models import RegistryClock

CLOCK_ID = 1


def offset() -> timedelta:
    """How far the registry's clock is ahead of the real time."""
    seconds = RegistryClock.objects.filter(pk=CLOCK_ID).values_list("offset_seconds", flat=True).first()
    return timedelta(seconds=seconds or 0)


def now() -> datetime:
    """The registry's time: the real time plus the offset."""
    return timezone.now() + offset()


def advance(*, days: int = 0, hours: int = 0) -> datetime:
    """Move the clock forward (never back: the registry's records would contradict it). Answers the new time.

    Raises ValueError for a step that is not forward.
    """
    step = timedelta(days=days, hours=hours)
    if step <= timedelta(0):
        raise ValueError("the clock only moves forward")
    RegistryClock.objects.get_or_create(pk=CLOCK_ID)
    RegistryClock.objects.filter(pk=CLOCK_ID).update(
        offset_seconds=F("offset_seconds") + int(step.total_seconds()), updated_at=timezone.now()
    )
    return now()
