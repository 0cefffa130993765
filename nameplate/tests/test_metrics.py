"""The web's and the workers' /metrics listeners, scraped while real traffic moves them."""

import os
import signal
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families

from console.tasks import ping
from kernel.metrics import parse_listen
from kernel.testing import free_port
from nameplate.celery import app

DEADLINE_SECONDS = 60


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    """Every sample on the page, keyed by its name and labels."""
    text = httpx.get(url, timeout=5).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def wait_until_answers(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the process exited with {process.returncode}"
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    pytest.fail(f"{url} did not answer within {DEADLINE_SECONDS} s")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def gunicorn(tmp_path):
    """The web as production runs it (two gunicorn processes), and its metrics listener."""
    web, metrics = f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"
    environment = {
        **os.environ,
        "WEB_BIND": web,
        "WEB_WORKERS": "2",
        "WEB_THREADS": "2",
        "METRICS_WEB_LISTEN": metrics,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    process = subprocess.Popen(
        [str(settings.BASE_DIR / ".venv" / "bin" / "gunicorn"), "-c", "nameplate/gunicorn.conf.py"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_answers(f"http://{web}/", process)
        wait_until_answers(f"http://{metrics}/metrics", process)
        yield f"http://{web}", f"http://{metrics}/metrics"
    finally:
        stop(process)


def test_the_web_counts_requests_by_view_and_status_over_all_its_processes(gunicorn):
    web, metrics_url = gunicorn
    before = scrape(metrics_url)
    with httpx.Client(base_url=web, timeout=10) as client:
        for _ in range(6):
            assert client.get("/account/login/").status_code == 200
        assert client.get("/no/such/page/").status_code == 404
        assert client.get("/api/v1/zones").status_code in (401, 403)
    after = scrape(metrics_url)

    requests = "nameplate_http_requests_total"
    login = {"view": "accounts-login", "method": "GET", "status": "200"}
    # Six more, whichever of the two processes answered each (the readiness probe counted too).
    assert value(after, requests, **login) - value(before, requests, **login) == 6
    missing = {"view": "<unresolved>", "method": "GET", "status": "404"}
    assert value(after, requests, **missing) - value(before, requests, **missing) == 1
    api = [key for key in after if key[0] == requests and ("view", "api-zone-list") in key[1]]
    assert len(api) == 1 and after[api[0]] == 1
    latency = "nameplate_http_request_duration_seconds_count"
    assert value(after, latency, view="accounts-login", method="GET") >= 6
    assert (
        value(after, "nameplate_http_request_duration_seconds_sum", view="accounts-login", method="GET") > 0
    )


@pytest.fixture
def worker():
    """A real Celery worker (thread pool, as deployed) on a queue of its own, and its metrics URL."""
    queue, metrics = f"test-{uuid.uuid4().hex[:12]}", f"127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nameplate",
            "worker",
            "-P",
            "threads",
            "-c",
            "2",
            "--queues",
            queue,
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "METRICS_WORKER_LISTEN": metrics},
    )
    try:
        wait_until_answers(f"http://{metrics}/metrics", process)
        yield queue, f"http://{metrics}/metrics"
    finally:
        stop(process)


def test_the_worker_counts_tasks_by_name_and_outcome_with_their_runtime(worker):
    queue, metrics_url = worker
    before = scrape(metrics_url)
    for n in range(3):
        assert (
            ping.apply_async(args=[f"metrics {n}"], queue=queue).get(timeout=DEADLINE_SECONDS)
            == f"pong metrics {n}"
        )
    # Sent by name, past the caller's argument check: it fails inside the worker.
    with pytest.raises(TypeError):
        app.send_task("console.ping", args=[], queue=queue).get(timeout=DEADLINE_SECONDS)
    after = scrape(metrics_url)

    tasks = "nameplate_celery_tasks_total"
    for outcome, count in [("success", 3), ("failure", 1)]:
        moved = value(after, tasks, task="console.ping", outcome=outcome) - value(
            before, tasks, task="console.ping", outcome=outcome
        )
        assert moved == count, outcome
    runtime = "nameplate_celery_task_runtime_seconds_count"
    assert value(after, runtime, task="console.ping") - value(before, runtime, task="console.ping") == 4


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        ("127.0.0.1:9101", ("127.0.0.1", 9101)),
        ("[::1]:9102", ("::1", 9102)),
        ("localhost:1", ("localhost", 1)),
    ],
)
def test_a_listen_address_is_host_and_port(listen, expected):
    assert parse_listen(listen) == expected


@pytest.mark.parametrize("listen", ["9101", "127.0.0.1:", ":9101", "127.0.0.1:http"])
def test_a_bad_listen_address_is_refused_naming_it(listen):
    with pytest.raises(ValueError, match=f"{listen!r} is not HOST:PORT"):
        parse_listen(listen)
