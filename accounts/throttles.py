"""API throttles counted atomically in Redis (kernel.ratelimit), per user and per anonymous client.

DRF's own throttles read the request history from the cache, append and write it back
without a lock, so concurrent clients all fit under the limit. These keep DRF's scopes,
rates and `Retry-After` header and only change how a request is counted.
"""

from rest_framework import throttling

from kernel import ratelimit


class AtomicRateThrottle(throttling.SimpleRateThrottle):
    decision: ratelimit.Decision | None = None

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.decision = ratelimit.hit(
            ratelimit.limit_key("api", key), limit=self.num_requests, window_seconds=self.duration
        )
        return self.decision.is_allowed

    def wait(self) -> float | None:
        return self.decision.retry_after_seconds if self.decision is not None else None


class AnonRateThrottle(AtomicRateThrottle, throttling.AnonRateThrottle):
    """Anonymous requests, per client address."""


class UserRateThrottle(AtomicRateThrottle, throttling.UserRateThrottle):
    """Authenticated requests, per user."""
