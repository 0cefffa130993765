"""Two real beat processes against a private Redis: each due task is sent once (celery-redbeat)."""

import base64
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import redis
from celery import Celery
from celery.schedules import schedule
from django.conf import settings
from redbeat import RedBeatSchedulerEntry

from kernel.testing import debian_program

DEADLINE_SECONDS = 60


def wait_for(condition, what: str, timeout_seconds: float = DEADLINE_SECONDS):
    """Poll `condition` until it returns something true; fail naming `what` after the timeout."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout_seconds} s waiting for {what}")


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of the test's own on a free loopback port, stopped after the test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            debian_program("redis-server"),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)

    def answers() -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    wait_for(answers, "the private redis-server")
    try:
        yield f"redis://127.0.0.1:{port}/0", client
    finally:
        process.terminate()
        process.wait(timeout=10)


class Beat:
    """`celery -A nameplate beat` in a process of its own, its log in a file."""

    def __init__(self, redis_url: str, log_path) -> None:
        self.log_path = log_path
        environment = {
            **os.environ,
            "REDIS_URL": redis_url,
            "CELERY_BEAT_MAX_INTERVAL": "1",
            "CELERY_REDBEAT_LOCK_TIMEOUT": "10",
        }
        with open(log_path, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "nameplate", "beat", "--loglevel", "INFO"],
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def sent_messages(client: redis.Redis) -> list[dict]:
    """Every task message waiting in the private Redis's queues (kombu keeps a list per queue)."""
    messages = []
    for key in client.keys("*"):
        if client.type(key) == b"list":
            messages.extend(json.loads(raw) for raw in client.lrange(key, 0, -1))
    return messages


def task_args(message: dict) -> list:
    args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    return args


@pytest.fixture
def beats(tmp_path):
    started: list[Beat] = []

    def start(redis_url: str) -> Beat:
        beat = Beat(redis_url, tmp_path / f"beat-{len(started)}.log")
        started.append(beat)
        return beat

    yield start
    for beat in started:
        beat.stop()


def test_two_beats_send_each_due_task_once_and_the_second_takes_over(private_redis, beats):
    redis_url, client = private_redis
    lock_key = f"{settings.CELERY_REDBEAT_KEY_PREFIX}:lock"

    first = beats(redis_url)
    first_token = wait_for(lambda: client.get(lock_key), "the first beat to take the lock")
    second = beats(redis_url)
    wait_for(lambda: "beat: Starting..." in second.log(), "the second beat to start")

    # Tasks due once (then in an hour), added to the shared schedule while both beats run.
    queue = f"test-beat-{uuid.uuid4().hex[:8]}"
    entries = Celery("beat-lock-test", broker=redis_url, set_as_current=False)
    entries.conf.update(
        redbeat_redis_url=redis_url,
        redbeat_redis_options={},
        redbeat_key_prefix=settings.CELERY_REDBEAT_KEY_PREFIX,
    )
    names = [f"once-{n}" for n in range(5)]
    last_run_at = datetime.now(UTC) - timedelta(hours=2)
    for name in names:
        RedBeatSchedulerEntry(
            name,
            "console.ping",
            schedule(3600),
            args=[name],
            options={"queue": queue},
            last_run_at=last_run_at,
            app=entries,
        ).save()

    def once_sent() -> Counter:
        return Counter(
            task_args(m)[0] for m in sent_messages(client) if m["headers"]["task"] == "console.ping"
        )

    wait_for(lambda: set(once_sent()) == set(names), "the first beat to send the tasks due once")
    assert second.process.poll() is None and "Sending due task" not in second.log()

    first.stop()
    wait_for(lambda: client.get(lock_key) not in (None, first_token), "the second beat to take the lock")

    def dispatches() -> list[datetime]:
        return sorted(
            datetime.fromisoformat(m["headers"]["expires"])
            for m in sent_messages(client)
            if m["headers"]["task"] == "healthchecks.dispatch_due_checks"
        )

    before = len(dispatches())
    wait_for(lambda: len(dispatches()) >= before + 3, "the second beat to send three rounds of its own")
    second.stop()

    assert once_sent() == Counter({name: 1 for name in names})
    assert "Sending due task" in second.log()
    # The per-second dispatcher, sent by one beat and then the other, never twice in a round.
    times = dispatches()
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert min(gaps) > 0.5, gaps
