import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k9S2vX7pQ4mL8wR1tY6uE3oI0aZ5cB-nM_hJgFdK2sLqP7xWvT4yR",
    "ALLOWED_HOSTS": "dns.example.com",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_with_development_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env={"DEBUG": "1"})
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG: 'maybe' is not a boolean"),
        ("LOGIN_FAILURE_LIMIT", "five", "LOGIN_FAILURE_LIMIT: 'five' is not a whole number"),
        (
            "HEALTHCHECK_HEALTHY_REGION_SHARE",
            "most",
            "HEALTHCHECK_HEALTHY_REGION_SHARE: 'most' is not a number",
        ),
        ("METRICS_WEB_LISTEN", "9101", "METRICS_WEB_LISTEN: '9101' is not HOST:PORT"),
        ("WEB_WORKER_CLASS", "gevent", "WEB_WORKER_CLASS: 'gevent' is not sync or gthread"),
        (
            "METRICS_WORKER_LISTEN",
            "localhost:http",
            "METRICS_WORKER_LISTEN: 'localhost:http' is not HOST:PORT",
        ),
        (
            "REGISTRAR_REMINDER_DAYS",
            "30,a week",
            "REGISTRAR_REMINDER_DAYS: '30,a week' is not a comma-separated list of whole numbers",
        ),
    ],
)
def test_a_bad_setting_stops_start_up_with_its_name(variable, value, message):
    result = run_manage("check", env={variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_defaults_point_at_local_services():
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]


def test_every_test_module_is_collected_by_make_test():
    """A test module outside pytest's testpaths never runs in `make test` (route53's did not, once)."""
    root = Path(settings.BASE_DIR)
    with open(root / "pyproject.toml", "rb") as pyproject:
        testpaths = set(tomllib.load(pyproject)["tool"]["pytest"]["ini_options"]["testpaths"])
    top_level = [path for path in root.iterdir() if path.is_dir() and not path.name.startswith(".")]
    uncollected = sorted(
        str(module.relative_to(root))
        for folder in top_level
        if folder.name not in testpaths
        for module in folder.rglob("test_*.py")
    )
    assert uncollected == []
