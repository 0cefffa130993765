"""A real Celery worker killed (-9) in the middle of a probe: the task runs again (acks_late)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from healthchecks import services, tasks

from .conftest import http_check

ROOT = Path(settings.BASE_DIR)


def _database_url(tmp_path: Path) -> tuple[str, Path | None]:
    """A URL the worker can open holding this test's committed rows (SQLite: a copy of the test DB)."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "worker.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}", copy
    db = connection.settings_dict
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}", None


def _start_worker(queue: str, database_url: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        # Unacknowledged messages of a dead worker come back after this many seconds.
        "CELERY_VISIBILITY_TIMEOUT": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "nameplate",
        "worker",
        "-P",
        "solo",
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "INFO",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _wait_until(condition, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {seconds} s; worker log:\n{log.read_text()[-3000:]}")


def _rows(database: Path | None, sql: str) -> list:
    if database is None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_probe_loses_nothing(owner, target, tmp_path):
    check = http_check(owner, target.port, resource_path="/hold", timeout_seconds=9.0, regions=["us-east-1"])
    token, claimed = services.claim_due_probes(region="us-east-1", lookahead_seconds=0)
    assert len(claimed) == 1
    database_url, database = _database_url(tmp_path)
    queue = f"hc-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    first = _start_worker(queue, database_url, log)
    second = None
    try:
        tasks.run_probes.apply_async((token, [[pk, time.time()] for pk, _ in claimed]), queue=queue)
        _wait_until(lambda: len(target.requests) >= 1, 60, "the first worker did not start the probe", log)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        second = _start_worker(queue, database_url, log)
        _wait_until(lambda: len(target.requests) >= 2, 60, "the task did not run again", log)
        target.httpd.release.set()
        sql = (
            f"SELECT is_success, status_code FROM healthchecks_proberesult WHERE health_check_id = {check.pk}"
        )
        _wait_until(lambda: _rows(database, sql), 30, "the probe result was not recorded", log)
        assert _rows(database, sql) == [(1, 200)]
        lease = f"SELECT lease_token FROM healthchecks_healthcheckregion WHERE health_check_id = {check.pk}"
        assert _rows(database, lease) == [("",)]
        assert target.requests == ["/hold", "/hold"]
    finally:
        target.httpd.release.set()
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(15)
                except subprocess.TimeoutExpired:
                    worker.kill()
