"""Live status without a reload: the health-check list and page follow the check's status (htmx
polling our fragments), and the change banner says in words where a change stands."""

import time

import pytest

from accounts.testing import make_user
from healthchecks import services as check_services
from healthchecks.probes import ProbeOutcome
from kernel import bus
from tests.e2e.console_pages import PHONE, log_in
from zones import rules
from zones import services as zone_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def make_check(owner):
    return check_services.create_health_check(
        owner=owner,
        data={
            "name": "bakery web",
            "check_type": "tcp",
            "ip_address": "127.0.0.1",
            "port": 9,
            "request_interval_seconds": 30,
            "failure_threshold": 1,
            "timeout_seconds": 2,
            "regions": ["us-east-1"],
        },
    )


def fail_once(check) -> None:
    """One failed probe in its region, through the service the workers call."""
    check.region_states.update(next_run_at=check.created_at)
    token, claimed = check_services.claim_due_probes(region="us-east-1", lookahead_seconds=0)
    outcomes = [
        ProbeOutcome(pk, False, None, None, "connection refused", time.time(), 0) for pk, _ in claimed
    ]
    changed = check_services.record_probe_results(token=token, outcomes=outcomes)
    assert changed == [check.pk]


def test_the_check_list_and_page_show_unhealthy_without_a_reload(page, live_server, screenshot):
    owner = make_user("live@example.com")
    check = make_check(owner)
    log_in(page, live_server, owner)

    page.goto("/healthchecks/")
    row = page.locator(f"#check-{check.pk} [data-status]")
    assert row.inner_text().startswith("Healthy")
    page.evaluate("window.notReloaded = true")
    fail_once(check)
    row.get_by_text("Unhealthy").wait_for()
    assert page.evaluate("window.notReloaded") is True
    screenshot("checks-unhealthy-1280")

    page.goto(f"/healthchecks/{check.pk}/")
    page.locator("#check-status [data-status]").get_by_text("Unhealthy").wait_for()
    page.set_viewport_size(PHONE)
    screenshot("check-detail-390")


def test_the_change_banner_waits_for_the_servers_then_says_live(page, live_server, screenshot):
    owner = make_user("banner@example.com")
    zone = zone_services.create_hosted_zone(owner=owner, name="banner-bakery.com")
    client = bus.redis_client()
    servers = ["test-banner-a", "test-banner-b"]
    now = time.time()
    for server in servers:
        client.zadd(bus.DNS_SERVERS_KEY, {server: now + 300})
        client.hset(bus.served_key(server), str(zone.pk), zone.serial)
    try:
        batch = zone_services.apply_change_batch(
            hosted_zone=zone,
            changes=[
                zone_services.Change(
                    "CREATE", rules.RecordSetSpec(name="www", type="A", ttl=60, values=("192.0.2.7",))
                )
            ],
            actor=owner,
        )
        client.hset(bus.served_key(servers[0]), str(zone.pk), batch.serial)
        log_in(page, live_server, owner)
        page.goto(f"/zones/{zone.pk}/")
        # By class and text at once: while htmx swaps the banner (outerHTML) the old element and
        # the new one are both in the page for a moment, with the same id.
        page.locator("#change-banner.info").get_by_text("Waiting for 1 of 2 name servers…").wait_for()
        screenshot("banner-pending-1280")
        client.hset(bus.served_key(servers[1]), str(zone.pk), batch.serial)
        page.locator("#change-banner.success").get_by_text("Live on every name server").wait_for()
        screenshot("banner-insync-1280")
    finally:
        client.zrem(bus.DNS_SERVERS_KEY, *servers)
        for server in servers:
            client.delete(bus.served_key(server))
