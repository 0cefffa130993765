import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

from console.tasks import ping
from nameplate.celery import app


@pytest.fixture
def worker_queue():
    """A real Celery worker process on a queue of its own, against the real Redis."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nameplate",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=settings.BASE_DIR,
        env=os.environ.copy(),
    )
    try:
        yield queue
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_real_worker_runs_a_task_and_returns_its_result(worker_queue):
    result = ping.apply_async(args=["hello"], queue=worker_queue)
    assert result.get(timeout=60) == "pong hello"


def test_celery_is_configured_for_safe_redelivery():
    assert app.conf.broker_url == settings.REDIS_URL
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.accept_content == ["json"]
