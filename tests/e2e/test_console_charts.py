"""The console's charts (uPlot): whole axis labels with thousands separators, values at the cursor,
the response-code split of a zone, latency per region with its unhealthy span, the alarm history."""

import re
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from accounts.testing import make_user
from healthchecks import alerting
from healthchecks import services as check_services
from healthchecks.models import AlarmEvent, ProbeResult, StatusChange
from kernel.bus import queries_key
from tests.e2e.console_pages import DESKTOP, PHONE, log_in
from zones import services as zone_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NUMBER = re.compile(r"^\d{1,3}(,\d{3})*$")


@pytest.fixture
def query_counts():
    """Write query counts as the DNS servers do; `query_counts({minutes_ago: {field: count}})`."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    written = []
    # Zone ids repeat from test to test; counts left by earlier tests would add up.
    for old in client.scan_iter("dns:queries:*"):
        client.delete(old)

    def write(counts: dict[int, dict[str, int]]) -> None:
        for minutes_ago, fields in counts.items():
            key = queries_key(timezone.now() - timedelta(minutes=minutes_ago))
            client.hset(key, mapping=fields)
            written.append(key)

    yield write
    for key in written:
        client.delete(key)


def y_axis(page) -> dict:
    """The y-axis labels as drawn, and whether the widest fits left of the plot."""
    page.locator("figure.chart .chart-caption").first.wait_for(state="attached")
    return page.evaluate(
        """() => {
            const figure = document.querySelector("figure.chart");
            const u = figure.uplot;
            const labels = JSON.parse(figure.querySelector(".chart-caption").dataset.yLabels);
            const ctx = document.createElement("canvas").getContext("2d");
            ctx.font = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
            const widest = Math.max(...labels.map((text) => ctx.measureText(text).width));
            const room = u.bbox.left / devicePixelRatio;
            return { labels, widest, room };
        }"""
    )


def hover_busiest_minute(page) -> str:
    """Move the mouse onto the minute with the most queries and read the legend's values."""
    page.locator("figure.chart").first.scroll_into_view_if_needed()
    box = page.evaluate(
        """() => {
            const u = document.querySelector("figure.chart").uplot;
            const counts = u.data[1];
            const busiest = counts.indexOf(Math.max(...counts));
            const rect = u.over.getBoundingClientRect();
            const x = Math.min(Math.max(u.valToPos(u.data[0][busiest], "x"), 1), rect.width - 2);
            return { x: rect.left + x, y: rect.top + rect.height / 2 };
        }"""
    )
    page.mouse.move(box["x"], box["y"])
    return page.locator("figure.chart .u-legend").inner_text()


def test_dashboard_axis_reads_whole_numbers_and_the_legend_the_exact_count(
    page, live_server, screenshot, query_counts
):
    owner = make_user("charts@example.com")
    zone = zone_services.create_hosted_zone(owner=owner, name="busy-bakery.com")
    query_counts({0: {f"{zone.pk}|A|NOERROR": 1_583_075}, 5: {f"{zone.pk}|A|NOERROR": 206}})
    log_in(page, live_server, owner)

    page.goto("/dashboard/")
    axis = y_axis(page)
    assert all(NUMBER.match(label) for label in axis["labels"]), axis
    top = max(int(label.replace(",", "")) for label in axis["labels"])
    assert top >= 1_500_000, axis
    assert any(len(label) >= len("1,500,000") for label in axis["labels"]), axis
    assert axis["widest"] <= axis["room"], f"the widest y label is clipped: {axis}"
    assert "1,583,075 q/min" in hover_busiest_minute(page)
    assert "busy-bakery.com" in page.locator("figure.chart .u-legend").inner_text()
    screenshot("dashboard-1280")

    page.set_viewport_size(PHONE)
    page.reload()
    axis = y_axis(page)
    assert axis["widest"] <= axis["room"], f"the widest y label is clipped at 390 px: {axis}"
    screenshot("dashboard-390")


def test_an_empty_chart_says_so_and_counts_in_whole_numbers(page, live_server, query_counts):
    owner = make_user("quiet@example.com")
    zone_services.create_hosted_zone(owner=owner, name="quiet-bakery.com")
    log_in(page, live_server, owner)
    page.goto("/dashboard/")
    axis = y_axis(page)
    assert axis["labels"] and all(NUMBER.match(label) for label in axis["labels"]), axis
    assert "." not in "".join(axis["labels"])


def test_zone_page_splits_queries_by_response_code(page, live_server, screenshot, query_counts):
    owner = make_user("rcodes@example.com")
    zone = zone_services.create_hosted_zone(owner=owner, name="split-bakery.com")
    query_counts(
        {0: {f"{zone.pk}|A|NOERROR": 12_400, f"{zone.pk}|AAAA|NXDOMAIN": 310, f"{zone.pk}|MX|NOERROR": 100}}
    )
    log_in(page, live_server, owner)
    page.goto(f"/zones/{zone.pk}/")
    axis = y_axis(page)
    assert axis["widest"] <= axis["room"], axis
    legend = hover_busiest_minute(page)
    assert "NOERROR" in legend and "12,500 q/min" in legend, legend
    assert "NXDOMAIN" in legend and "310 q/min" in legend, legend
    screenshot("zone-1280")


def test_latency_chart_has_a_line_per_region_and_shades_the_unhealthy_span(page, live_server, screenshot):
    owner = make_user("latency@example.com")
    check = check_services.create_health_check(
        owner=owner,
        data={
            "name": "bakery web",
            "check_type": "tcp",
            "ip_address": "127.0.0.1",
            "port": 9,
            "request_interval_seconds": 30,
            "failure_threshold": 1,
            "timeout_seconds": 2,
            "regions": ["us-east-1", "eu-west-1"],
        },
    )
    now = timezone.now()
    for minutes_ago in range(40, 0, -2):
        for region, latency_ms in (("us-east-1", 1_250), ("eu-west-1", 2_480)):
            ProbeResult.objects.create(
                health_check=check,
                region=region,
                checked_at=now - timedelta(minutes=minutes_ago),
                is_success=not 20 <= minutes_ago <= 30,
                latency_ms=latency_ms,
            )
    StatusChange.objects.create(health_check=check, changed_at=now - timedelta(minutes=30), is_healthy=False)
    StatusChange.objects.create(health_check=check, changed_at=now - timedelta(minutes=20), is_healthy=True)
    log_in(page, live_server, owner)

    page.goto(f"/healthchecks/{check.pk}/")
    axis = y_axis(page)
    assert "2,500" in axis["labels"] or "3,000" in axis["labels"], axis
    assert axis["widest"] <= axis["room"], axis
    legend = page.locator("figure.chart .u-legend").inner_text()
    assert "us-east-1" in legend and "eu-west-1" in legend
    assert page.locator("figure.chart .chart-band-key").inner_text() == "Shaded: the check was unhealthy"
    bands = page.evaluate(
        "fetch(document.querySelector('figure.chart').dataset.chartUrl)"
        ".then((response) => response.json()).then((data) => data.bands)"
    )
    assert [band["end"] - band["start"] for band in bands] == [600]
    screenshot("latency-1280")


def test_alarm_history_counts_alarms_in_alarm(page, live_server, screenshot):
    owner = make_user("alarms@example.com")
    check = check_services.create_health_check(
        owner=owner,
        data={
            "name": "bakery tcp",
            "check_type": "tcp",
            "ip_address": "127.0.0.1",
            "port": 9,
            "request_interval_seconds": 30,
            "failure_threshold": 1,
            "timeout_seconds": 2,
            "regions": ["us-east-1"],
        },
    )
    topic = alerting.create_topic(owner=owner, name="bakers")
    alarm = alerting.create_alarm(owner=owner, name="bakery down", health_check=check, topic=topic)
    AlarmEvent.objects.create(
        alarm=alarm, state="alarm", reason="down", created_at=timezone.now() - timedelta(hours=3)
    )
    AlarmEvent.objects.create(
        alarm=alarm, state="ok", reason="up", created_at=timezone.now() - timedelta(hours=2)
    )
    log_in(page, live_server, owner)

    page.goto("/alerts/alarms/")
    page.set_viewport_size(DESKTOP)
    axis = y_axis(page)
    assert all(NUMBER.match(label) for label in axis["labels"]), axis
    assert "Alarms in alarm" in page.locator("figure.chart .u-legend").inner_text()
    data = page.evaluate("document.querySelector('figure.chart').uplot.data[1]")
    assert data == [0, 1, 0, 0]
    screenshot("alarms-1280")
