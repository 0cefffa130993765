"""Real Celery workers losing their process or their Redis: no accepted task is lost or run twice.

Each worker runs `nameplate.tests.worker_app` (the project's app plus `tests.hold_then_finish`),
with the thread pool the Procfile and the systemd units use.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings

HOLD_TASK = "tests.hold_then_finish"
# Short, so the killed worker's task comes back within seconds; the held task never runs this long.
SHORT_VISIBILITY_TIMEOUT_SECONDS = 3


def _free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_worker(
    *, redis_url: str, queue: str, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen:
    command = [
        *(sys.executable, "-m", "celery", "-A", "nameplate.tests.worker_app", "worker"),
        *("-P", "threads", "-c", "2", "-Q", queue, "-n", f"{uuid.uuid4().hex[:8]}@%h"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"),
    ]
    environment = {**os.environ, "REDIS_URL": redis_url, "METRICS_WORKER_LISTEN": "", **(env or {})}
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT
        )


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def _wait_until(condition: Callable[[], object], seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {seconds} s; worker log:\n{log.read_text()[-4000:]}")


def _count(client: redis.Redis, key: str) -> int:
    try:
        return int(client.get(key) or 0)
    except redis.ConnectionError:
        return 0


@pytest.fixture
def killed_worker_redis(private_redis) -> str:
    """A Redis of the test's own: a worker restores every stale unacknowledged task it finds in
    its database, so these workers must not see the suite's other workers (nor another run's)."""
    return private_redis.url


def test_a_task_on_a_killed_worker_runs_again_on_another_and_finishes_once(killed_worker_redis, tmp_path):
    queue, key, log = f"killed-{uuid.uuid4().hex[:8]}", f"killed:{uuid.uuid4().hex}", tmp_path / "worker.log"
    short_visibility = {"CELERY_VISIBILITY_TIMEOUT": str(SHORT_VISIBILITY_TIMEOUT_SECONDS)}
    counters = redis.Redis.from_url(killed_worker_redis)
    # Not the current app: the project's tasks, sent by later tests, keep the project's broker.
    sender = Celery(broker=killed_worker_redis, set_as_current=False)
    first = _start_worker(redis_url=killed_worker_redis, queue=queue, log=log, env=short_visibility)
    second = None
    try:
        sender.send_task(HOLD_TASK, args=[key, 60.0], queue=queue)
        _wait_until(
            lambda: _count(counters, f"{key}:started") == 1, 60, "the first worker did not start it", log
        )
        first.send_signal(signal.SIGKILL)
        first.wait(10)

        second = _start_worker(redis_url=killed_worker_redis, queue=queue, log=log, env=short_visibility)
        _wait_until(
            lambda: _count(counters, f"{key}:started") == 2, 60, "the second worker did not take it", log
        )
        counters.rpush(f"{key}:release", "go")
        _wait_until(lambda: _count(counters, f"{key}:finished") >= 1, 30, "the task did not finish", log)
        # Acknowledged: nothing is left queued or unacknowledged to run it a third time.
        _wait_until(lambda: not counters.hlen("unacked"), 30, "the finished task stayed unacknowledged", log)
        assert counters.llen(queue) == 0
        assert _count(counters, f"{key}:started") == 2
        assert _count(counters, f"{key}:finished") == 1
    finally:
        _stop(first)
        _stop(second)
        sender.close()
        counters.close()


class PrivateRedis:
    """A redis-server of the test's own on a free loopback port, stopped and started at will."""

    def __init__(self, directory: Path) -> None:
        self.port = _free_loopback_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.directory)]
        with (self.directory / "redis.log").open("ab") as output:
            self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(how)
            self.process.wait(10)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop(signal.SIGKILL)


def _finished_or_exited(counters: redis.Redis, key: str, worker: subprocess.Popen) -> bool:
    return _count(counters, f"{key}:finished") > 0 or worker.poll() is not None


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_a_worker_survives_redis_going_away_with_a_task_in_hand(private_redis, tmp_path, how):
    queue, log = f"restart-{uuid.uuid4().hex[:8]}", tmp_path / "worker.log"
    counters = redis.Redis.from_url(private_redis.url)
    sender = Celery(broker=private_redis.url, set_as_current=False)
    worker = _start_worker(redis_url=private_redis.url, queue=queue, log=log)
    try:
        for restart in range(1, 4):
            sender.send_task(HOLD_TASK, args=[f"held:{restart}", 30.0], queue=queue)
            started = partial(_count, counters, f"held:{restart}:started")
            _wait_until(started, 60, f"restart {restart}: the worker did not start a task", log)
            # The worker holds an unacknowledged task when its broker goes away.
            private_redis.stop(how)
            private_redis.start()

            counters.rpush(f"after:{restart}:release", "go")
            sender.send_task(HOLD_TASK, args=[f"after:{restart}", 30.0], queue=queue)
            ran = partial(_finished_or_exited, counters, f"after:{restart}", worker)
            _wait_until(ran, 60, f"restart {restart}: a task sent after Redis came back did not run", log)
            assert worker.poll() is None, f"the worker exited; its log:\n{log.read_text()[-4000:]}"
            assert _count(counters, f"after:{restart}:finished") == 1
    finally:
        _stop(worker)
        sender.close()
        counters.close()
