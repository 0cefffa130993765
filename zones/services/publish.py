"""The DNS change feed and the servers' reports, on Redis (docs/architecture.md, shared contracts)."""

import logging
import time

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

CHANGES_CHANNEL = "dns:changes"
SERVERS_KEY = "dns:servers"
SERVED_KEY = "dns:served:{server_id}"
# A server is live when its last heartbeat is at most this old.
LIVE_SERVER_SECONDS = 10


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def publish_zone_change(zone_id: int, serial: int) -> None:
    """Tell the DNS servers `zone <id> <serial>`; a Redis failure is logged (the servers also poll)."""
    try:
        redis_client().publish(CHANGES_CHANNEL, f"zone {zone_id} {serial}")
    except redis.RedisError as error:
        logger.warning(
            "could not publish zone %s serial %s on %s: %s", zone_id, serial, CHANGES_CHANNEL, error
        )


def served_serials(zone_id: int) -> dict[str, int | None] | None:
    """Each live DNS server's serial for the zone (None when it serves none); None when Redis is away."""
    try:
        client = redis_client()
        live = client.zrangebyscore(SERVERS_KEY, time.time() - LIVE_SERVER_SECONDS, "+inf")
        result: dict[str, int | None] = {}
        for member in live:
            server_id = member.decode() if isinstance(member, bytes) else str(member)
            value = client.hget(SERVED_KEY.format(server_id=server_id), str(zone_id))
            result[server_id] = int(value) if value is not None else None
        return result
    except (redis.RedisError, ValueError) as error:
        logger.warning("could not read the DNS servers' serials for zone %s: %s", zone_id, error)
        return None
