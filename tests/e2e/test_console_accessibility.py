"""axe-core on every console page at 1280 and 390 px: no critical or serious violations; and
the record editor works from the keyboard alone."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from accounts.testing import make_user
from healthchecks import alerting
from healthchecks import services as check_services
from tests.e2e.console_pages import DESKTOP, PHONE, axe_violations, log_in
from tests.integration.test_every_page import console_paths
from zones import services as zone_services
from zones.models import RecordSet

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def seeded_user():
    owner = make_user("axe@example.com")
    zone = zone_services.create_hosted_zone(owner=owner, name="axe-bakery.com")
    check = check_services.create_health_check(
        owner=owner,
        data={
            "name": "axe web",
            "check_type": "tcp",
            "ip_address": "127.0.0.1",
            "port": 9,
            "request_interval_seconds": 30,
            "failure_threshold": 3,
            "timeout_seconds": 2,
            "regions": ["us-east-1"],
        },
    )
    topic = alerting.create_topic(owner=owner, name="axe topic")
    alerting.create_alarm(owner=owner, name="axe alarm", health_check=check, topic=topic)
    return owner, zone, check, topic


def test_no_serious_accessibility_violations_on_any_console_page(page, live_server):
    owner, zone, check, topic = seeded_user()
    log_in(page, live_server, owner)
    skipped = ("/2013-04-01", "/healthchecks/table", "/account/logout")
    paths = [path for path in console_paths() if not path.startswith(skipped)]
    paths += [
        f"/zones/{zone.pk}/",
        f"/zones/{zone.pk}/history/",
        f"/healthchecks/{check.pk}/",
        f"/alerts/topics/{topic.pk}/",
    ]
    found = {}
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in paths:
            try:
                response = page.goto(path)
            except PlaywrightError:  # a POST-only path answers 405 with no page to load
                continue
            if (
                response is None
                or response.status != 200
                or "text/html" not in response.headers.get("content-type", "")
            ):
                continue
            if not page.locator("main").count():
                continue
            for violation in axe_violations(page):
                found.setdefault(f"{path} @{viewport['width']}", []).append(violation)
    assert found == {}, found


def test_the_record_editor_works_from_the_keyboard(page, live_server, screenshot):
    owner, zone, _, _ = seeded_user()
    log_in(page, live_server, owner)
    page.goto(f"/zones/{zone.pk}/records/new/")
    form = page.locator("form", has=page.get_by_role("button", name="Create record set"))
    form.get_by_label("Name", exact=True).focus()
    page.keyboard.type("keys")

    def tab_to(selector: str) -> None:
        for _ in range(30):
            page.keyboard.press("Tab")
            if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    tab_to("textarea[name='values']")
    page.keyboard.type("192.0.2.44")
    tab_to("button[type='submit']")
    screenshot("keyboard-1280")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    screenshot("keyboard-saved-1280")
    record = RecordSet.objects.get(hosted_zone=zone, name__startswith="keys.", type="A")
    assert record.values == ["192.0.2.44"]
