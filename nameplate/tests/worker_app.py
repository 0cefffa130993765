"""The project's Celery app plus one task only the worker tests send.

Tests start a real worker with `celery -A nameplate.tests.worker_app worker`, so the worker knows
every project task and `tests.hold_then_finish`, a task that blocks until the test lets it go.
"""

import time

from kernel.redis import redis_client
from nameplate.celery import app

__all__ = ["app", "hold_then_finish"]


@app.task(name="tests.hold_then_finish")
def hold_then_finish(key: str, hold_seconds: float) -> int:
    """Count a start under `key`, wait up to `hold_seconds` for `<key>:release`, count a finish.

    Returns how many runs have finished, this one included. The counters live in the worker's
    own Redis (REDIS_URL), so a test reads them there.
    """
    client = redis_client()
    client.incr(f"{key}:started")
    deadline = time.monotonic() + hold_seconds
    # One-second waits: the client times a read out after two.
    while time.monotonic() < deadline and not client.blpop([f"{key}:release"], timeout=1):
        pass
    return client.incr(f"{key}:finished")
