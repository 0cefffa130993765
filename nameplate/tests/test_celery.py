import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

from console.tasks import ping
from healthchecks import tasks as healthchecks_tasks
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


def test_every_task_must_finish_before_redis_hands_it_to_another_worker():
    app.loader.import_default_modules()
    visibility_timeout = app.conf.broker_transport_options["visibility_timeout"]
    project_tasks = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "zones.apply_import" in project_tasks
    for name, task in project_tasks.items():
        hard_limit = task.time_limit or app.conf.task_time_limit
        soft_limit = task.soft_time_limit or app.conf.task_soft_time_limit
        assert 0 < soft_limit < hard_limit < visibility_timeout, name


def test_retry_countdowns_stay_inside_the_visibility_timeout():
    visibility_timeout = app.conf.broker_transport_options["visibility_timeout"]
    longest_countdown = max(healthchecks_tasks.retry_countdown_seconds(retries) for retries in range(30))
    assert longest_countdown + app.conf.task_time_limit <= visibility_timeout
    assert (
        healthchecks_tasks.sync_health_view_task.retry_backoff_max + app.conf.task_time_limit
        <= visibility_timeout
    )
