"""Limits counted atomically in Redis, shared by every web process and worker.

A limit is a sliding window: at most `limit` hits per `window_seconds` for one key. Counting
and checking happen in one Lua script, so fifty concurrent requests cannot all read "under
the limit" before any of them is counted. Keys are `ratelimit:<scope>:<who>`.

When Redis is away a hit is allowed and a warning logged: the limits protect against abuse,
and refusing every log-in during an outage would be worse than a few unthrottled minutes.
"""

import logging
import math
import secrets
from dataclasses import dataclass

import redis

from kernel.redis import redis_client

logger = logging.getLogger(__name__)

KEY_PREFIX = "ratelimit:"

# KEYS[1]: the window's sorted set (member: one hit, score: its time in microseconds).
# ARGV: window in microseconds, limit, a unique member for this hit.
# Returns {allowed (1/0), hits in the window, microseconds until the oldest hit leaves it}.
_HIT = """
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_us - window)
local count = redis.call('ZCARD', KEYS[1])
if count < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now_us, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
  return {1, count + 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, count, tonumber(oldest[2]) + window - now_us}
"""


@dataclass(frozen=True)
class Decision:
    """The answer to one hit: allowed or not, and when to try again when not."""

    is_allowed: bool
    hits: int
    retry_after_seconds: int
    key: str = ""
    member: str = ""


def limit_key(scope: str, who: str) -> str:
    return f"{KEY_PREFIX}{scope}:{who}"


def hit(key: str, *, limit: int, window_seconds: float) -> Decision:
    """Count one hit against `key` if it fits in the window; refuse it otherwise."""
    member = secrets.token_hex(8)
    try:
        allowed, hits, wait_us = redis_client().eval(
            _HIT, 1, key, int(window_seconds * 1_000_000), int(limit), member
        )
    except redis.RedisError as error:
        logger.warning("rate limit %s not counted, Redis is away: %s", key, error)
        return Decision(True, 0, 0, key, "")
    retry_after = 0 if allowed else max(1, math.ceil(int(wait_us) / 1_000_000))
    return Decision(bool(allowed), int(hits), retry_after, key, member if allowed else "")


def forget(decision: Decision) -> None:
    """Take back one counted hit (a log-in that turned out right, for instance)."""
    if decision.member:
        try:
            redis_client().zrem(decision.key, decision.member)
        except redis.RedisError as error:
            logger.warning("rate limit %s: could not take a hit back: %s", decision.key, error)


def reset(key: str) -> None:
    """Forget every hit of `key`."""
    try:
        redis_client().delete(key)
    except redis.RedisError as error:
        logger.warning("rate limit %s: could not reset: %s", key, error)
