"""The one place Redis clients are made, always with timeouts.

A process that talks to Redis on a request or in an on-commit hook must never hang on it:
Redis is a messenger here, not the truth (the database is), so a slow Redis is an error
that is logged and caught up later, not a wait.
"""

import functools

import redis
import redis.asyncio
from django.conf import settings

SOCKET_TIMEOUT_SECONDS = 2.0
CONNECT_TIMEOUT_SECONDS = 2.0


def redis_client(url: str | None = None) -> redis.Redis:
    """A client for REDIS_URL (or `url`) with short connect and read timeouts.

    One client (and so one connection pool) per URL and process: a request that counts a rate
    limit or publishes a change reuses a connection instead of opening one.
    """
    return _client_for(url or settings.REDIS_URL)


@functools.lru_cache(maxsize=16)
def _client_for(url: str) -> redis.Redis:
    # redis-py's pools are thread-safe and notice a fork, so a cached client serves every thread.
    return redis.Redis.from_url(
        url, socket_timeout=SOCKET_TIMEOUT_SECONDS, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS
    )


def async_redis_client(url: str | None = None, *, socket_timeout: float = 10.0) -> redis.asyncio.Redis:
    """An asyncio client for the DNS server's follower.

    Its read timeout is longer than the pub/sub poll (5 s) so a quiet channel is not an error.
    """
    return redis.asyncio.Redis.from_url(
        url or settings.REDIS_URL,
        socket_timeout=socket_timeout,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
    )
