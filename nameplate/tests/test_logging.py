"""Logs: one line per event, plain or one JSON object per line (LOG_FORMAT), in a real process."""

import json
import os
import subprocess
import sys

from django.conf import settings

LOG_SOME_EVENTS = """
import logging
log = logging.getLogger("nameplate.harness-test")
log.warning("first line\\nsecond line of the same event")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("division failed for zone %s", "example.com")
"""


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def our_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "nameplate.harness-test" in line]


def test_json_logs_are_one_object_per_line_with_the_traceback_inside():
    result = run_manage("shell", "-c", LOG_SOME_EVENTS, LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr

    lines = our_lines(result.stderr)
    assert len(lines) == 2, result.stderr
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "WARNING" and first["logger"] == "nameplate.harness-test"
    assert first["message"] == "first line\nsecond line of the same event"
    assert first["time"].endswith("+00:00") and isinstance(first["process"], int)
    assert second["message"] == "division failed for zone example.com"
    assert "ZeroDivisionError: division by zero" in second["exception"]
    assert "Traceback (most recent call last)" in second["exception"]


def test_plain_logs_keep_each_event_on_one_line():
    result = run_manage("shell", "-c", LOG_SOME_EVENTS)
    assert result.returncode == 0, result.stderr

    lines = our_lines(result.stderr)
    assert len(lines) == 2, result.stderr
    assert lines[0].endswith("WARNING nameplate.harness-test: first line\\nsecond line of the same event")
    assert "division failed for zone example.com\\nTraceback" in lines[1]
    assert lines[1].endswith("ZeroDivisionError: division by zero")
    assert not any(line.startswith("Traceback") for line in result.stderr.splitlines())


def test_an_unknown_log_format_stops_start_up_naming_the_variable():
    result = run_manage("check", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT: 'xml' is not plain or json" in result.stderr
