"""Prometheus metrics of the web and the Celery workers, each on a /metrics listener of its own.

The web's come from a small middleware of ours rather than django-prometheus: two series
(requests and latency, by view, method and status) are all we chart, labelled by the URL
name so that a path's ids don't multiply the series, and gunicorn's several processes are
summed by prometheus-client's own multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by
nameplate/gunicorn.conf.py, whose master serves them). Under `runserver` or the test client
the process's own registry is read.

The workers' come from Celery's task signals: tasks by name and outcome, runtime and retries.
They are counted in the worker's process, so the worker runs a thread or solo pool
(`-P threads`, as the Procfile and deploy/ units do).
"""

import logging
import os
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess

from kernel.metrics import serve_metrics

logger = logging.getLogger(__name__)

LATENCY_BUCKETS_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

http_requests = Counter(
    "nameplate_http_requests_total",
    "HTTP requests answered, by URL name, method and status code.",
    ["view", "method", "status"],
)
http_request_latency = Histogram(
    "nameplate_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by URL name and method.",
    ["view", "method"],
    buckets=LATENCY_BUCKETS_SECONDS,
)
celery_tasks = Counter(
    "nameplate_celery_tasks_total",
    "Tasks a worker finished, by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
)
celery_task_runtime = Histogram(
    "nameplate_celery_task_runtime_seconds",
    "Time a task ran in the worker, by task name.",
    ["task"],
    buckets=LATENCY_BUCKETS_SECONDS,
)
celery_task_retries = Counter(
    "nameplate_celery_task_retries_total", "Retries a task asked for, by task name.", ["task"]
)

# What a request that matched no URL is labelled: unbounded paths must not become series.
UNRESOLVED_VIEW = "<unresolved>"


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNRESOLVED_VIEW
    return match.view_name or match._func_path


class RequestMetricsMiddleware:
    """Counts every response and times it, labelled by the URL's name."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        http_request_latency.labels(view, request.method).observe(time.perf_counter() - start)
        http_requests.labels(view, request.method, str(response.status_code)).inc()
        return response


def start_listener(listen: str, registry: CollectorRegistry | None = None) -> bool:
    """Serve /metrics on `listen` in a thread; False (and a warning) when it cannot bind."""
    return serve_metrics(listen, registry) is not None


def multiprocess_registry() -> CollectorRegistry:
    """The sum of every process's values in PROMETHEUS_MULTIPROC_DIR (gunicorn's workers)."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=os.environ["PROMETHEUS_MULTIPROC_DIR"])
    return registry


# ---- Celery signals, connected by nameplate/celery.py ---------------------------------------

_task_started: dict[str, float] = {}


def task_started(task_id: str | None = None, **kwargs) -> None:
    if task_id:
        _task_started[task_id] = time.perf_counter()


def task_finished(task_id: str | None = None, task=None, state: str | None = None, **kwargs) -> None:
    start = _task_started.pop(task_id, None) if task_id else None
    if task is None:
        return
    if start is not None:
        celery_task_runtime.labels(task.name).observe(time.perf_counter() - start)
    outcome = {"SUCCESS": "success", "RETRY": "retry"}.get(state or "", "failure")
    celery_tasks.labels(task.name, outcome).inc()


def task_retried(sender=None, **kwargs) -> None:
    if sender is not None:
        celery_task_retries.labels(sender.name).inc()
