"""gunicorn's own log lines (start-up, workers, access) follow LOG_FORMAT as Django's do."""

import json
import os
import queue
import re
import signal
import subprocess
import threading
import time

import httpx
import pytest
from django.conf import settings

DEADLINE_SECONDS = 60


class Gunicorn:
    """gunicorn as production starts it, on 127.0.0.1 port 0, its stderr read line by line."""

    def __init__(self, tmp_path, **environment: str) -> None:
        self.process = subprocess.Popen(
            [str(settings.BASE_DIR / ".venv" / "bin" / "gunicorn"), "-c", "nameplate/gunicorn.conf.py"],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "WEB_BIND": "127.0.0.1:0",
                "WEB_WORKERS": "1",
                "WEB_THREADS": "1",
                "METRICS_WEB_LISTEN": "",
                "LOG_LEVEL": "INFO",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
                **environment,
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, pattern: str) -> str:
        """The first line from now on that contains `pattern`."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.process.poll() is None, f"gunicorn exited: {self.seen}"
                continue
            self.seen.append(line)
            if pattern in line:
                return line
        pytest.fail(f"no line with {pattern!r} within {DEADLINE_SECONDS} s: {self.seen}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def start_gunicorn(tmp_path):
    started: list[Gunicorn] = []

    def start(**environment: str) -> Gunicorn:
        started.append(Gunicorn(tmp_path, **environment))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def listening_url(message: str) -> str:
    return re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", message).group(1)


def test_json_start_up_and_access_lines_are_each_one_json_object(start_gunicorn):
    server = start_gunicorn(LOG_FORMAT="json")

    startup = json.loads(server.wait_for_line("Listening at:"))
    assert startup["logger"] == "gunicorn.error" and startup["level"] == "INFO"
    assert startup["time"].endswith("+00:00") and isinstance(startup["process"], int)
    url = listening_url(startup["message"])
    json.loads(server.wait_for_line("Booting worker"))

    assert httpx.get(f"{url}/api/v1/zones?from=log-test", timeout=10).status_code == 401
    access = json.loads(server.wait_for_line("/api/v1/zones?from=log-test"))
    assert access["logger"] == "gunicorn.access" and access["level"] == "INFO"
    assert '"GET /api/v1/zones?from=log-test HTTP/1.1" 401' in access["message"]
    assert access["message"].startswith("127.0.0.1 ")
    # Everything else the master and the worker wrote, Django's warning for the 401 among it,
    # is one JSON object per line too.
    events = [json.loads(line) for line in server.seen]
    refusals = [event for event in events if event["message"] == "Unauthorized: /api/v1/zones"]
    assert [(event["logger"], event["level"]) for event in refusals] == [("django.request", "WARNING")]


def test_plain_start_up_and_access_lines_have_the_settings_format(start_gunicorn):
    server = start_gunicorn(LOG_FORMAT="plain")

    startup = server.wait_for_line("Listening at:")
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO gunicorn\.error: Listening at: ", startup)
    url = listening_url(startup)

    assert httpx.get(f"{url}/api/v1/zones?from=log-test", timeout=10).status_code == 401
    access = server.wait_for_line("/api/v1/zones?from=log-test")
    assert " INFO gunicorn.access: 127.0.0.1 " in access
    assert '"GET /api/v1/zones?from=log-test HTTP/1.1" 401' in access
