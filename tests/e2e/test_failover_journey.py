"""Switch the demo primary off and watch: the check turns unhealthy, the failover answer moves to the
secondary, the alert arrives by e-mail; the test-answer tool shows the same answer and why.

The test plays Celery beat: a thread calls the dispatchers (due probes, then alarm events) over
and over, and the tasks they enqueue run eagerly in that thread, so probes, status changes and
alerts take their real paths.
"""

import threading
from http.server import ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.db import connections

from console import demo
from healthchecks.management.commands.demotargets import _handler
from healthchecks.models import HealthCheck
from healthchecks.tasks import dispatch_alarm_events, dispatch_due_checks
from nameplate.celery import app as celery_app
from tests.support import LiveDnsServer, query, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_targets(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _handler(role)) for role in ("primary", "secondary")]
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    settings.HEALTHCHECK_DEMO_PRIMARY = f"127.0.0.1:{servers[0].server_address[1]}"
    settings.HEALTHCHECK_DEMO_SECONDARY = f"127.0.0.1:{servers[1].server_address[1]}"
    yield
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def dispatch() -> bool:
    """One beat: dispatch the due checks, then the alarm events their results raised."""
    dispatch_due_checks()
    dispatch_alarm_events()
    return True


def run_beat_until(condition, *, timeout_seconds: float = 90.0) -> None:
    """Run the dispatchers over and over in a thread of its own until `condition()` holds."""
    failure: list[BaseException] = []

    def beat() -> None:
        try:
            wait_until(lambda: dispatch() and condition(), timeout_seconds=timeout_seconds)
        except BaseException as error:  # handed to the test thread below
            failure.append(error)
        finally:
            connections.close_all()  # this thread's; the database cannot be dropped while it is open

    thread = threading.Thread(target=beat)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def log_in_as_demo(page) -> None:
    page.goto("/account/login/")
    page.get_by_label("E-mail address").fill(demo.DEMO_EMAIL)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()


def test_switching_the_primary_off_fails_over_and_alerts(
    page, screenshot, demo_targets, eager_tasks, mailoutbox_smtp, settings
):
    call_command("demo")
    primary = HealthCheck.objects.get(name="Demo primary web server")
    with LiveDnsServer(["auth=127.0.0.1:0"]) as dns_server:
        port = dns_server.port("auth")
        wait_until(lambda: query("app.nameplate-demo.com.", "A", port).answer, what="the demo zone")
        run_beat_until(lambda: primary.results.filter(is_success=True).exists())
        assert query("app.nameplate-demo.com.", "A", port).answer[0][0].address == "192.0.2.30"

        log_in_as_demo(page)
        page.goto("/healthchecks/")
        screenshot("checks-healthy")
        page.get_by_role("button", name="Switch the primary off").click()
        page.get_by_role("button", name="Switch the primary on").wait_for()

        run_beat_until(lambda: not HealthCheck.objects.get(pk=primary.pk).is_healthy)
        wait_until(
            lambda: query("app.nameplate-demo.com.", "A", port).answer[0][0].address == "192.0.2.31",
            what="the failover answer to move to the secondary",
        )

        page.goto(f"/healthchecks/{primary.pk}/")
        assert page.get_by_text("Unhealthy").first.is_visible()
        screenshot("check-unhealthy")

        mails = mailoutbox_smtp.wait_for(1)
        alerts = [mail for mail in mails if "Demo primary web server" in mail["Subject"]]
        assert [mail["To"] for mail in alerts] == [demo.DEMO_EMAIL], [mail["Subject"] for mail in mails]

        zone_id = primary.owner.hosted_zones.get(name="nameplate-demo.com.").pk
        page.goto(f"/tools/test-answer/?hosted_zone={zone_id}&record_name=app&record_type=A")
        result = page.locator("#test-answer-result")
        assert "192.0.2.31" in result.inner_text()
        assert "failover" in result.inner_text()
        screenshot("test-answer-failover")
