"""The health view on the bus (`health:status`, `health:changes`), which the DNS servers follow.

The database holds the truth; the view is written after commit. A failed write is only
logged: `sync_health_view`, which beat runs every minute, rewrites the view whole from the
database, so a Redis outage delays the DNS servers' view but never loses a change.
"""

import logging
from collections.abc import Mapping, Sequence

import redis

from healthchecks.models import HealthCheck
from kernel import bus

logger = logging.getLogger(__name__)


def publish_health_changes(statuses: Mapping[int, bool]) -> bool:
    """Write these statuses to the bus's health view and announce each.

    Called after commit. On a Redis failure it logs and returns False; the periodic resync
    repairs the view.
    """
    try:
        bus.publish_health_changes(statuses)
    except redis.RedisError as error:
        logger.warning(
            "health view: Redis write of %d statuses failed (%s); the periodic resync repairs it",
            len(statuses),
            error,
        )
        return False
    return True


def forget_in_health_view(check_ids: Sequence[int]) -> None:
    """Remove deleted checks from the health view (after commit); a failure is logged."""
    try:
        bus.forget_health_status(check_ids)
    except redis.RedisError as error:
        logger.warning("health view: Redis delete failed (%s); the periodic resync repairs it", error)


def sync_health_view() -> int:
    """Rewrite the bus's health view whole from the database; returns the number of checks written.

    Raises redis.RedisError when Redis is away (the task retries).
    """
    statuses = dict(HealthCheck.objects.values_list("pk", "is_healthy"))
    bus.replace_health_status(statuses)
    return len(statuses)
