"""In the record editor: a weighted pair and a failover pair tied to a health check, then the
test-answer tool and our DNS server give the answers those policies pick."""

import pytest

from accounts.testing import PASSWORD, make_user
from healthchecks import services as check_services
from tests.support import LiveDnsServer, query, wait_until
from zones import services as zone_services
from zones.models import RecordSet

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.goto("/account/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()


def create_record_set(page, zone_id: int, **fields: str) -> None:
    page.goto(f"/zones/{zone_id}/records/new/")
    form = page.locator("form", has=page.get_by_role("button", name="Create record set"))
    form.get_by_label("Routing policy").select_option(fields["policy"])
    form.get_by_label("Name", exact=True).fill(fields["name"])
    form.get_by_label("TTL (seconds)").fill("60")
    form.get_by_label("Values").fill(fields["value"])
    form.get_by_label("Set identifier").fill(fields["set_identifier"])
    if "weight" in fields:
        form.get_by_label("Weight").fill(fields["weight"])
    if "failover" in fields:
        form.get_by_label("Failover").select_option(fields["failover"])
    if "health_check" in fields:
        form.get_by_label("Health check").select_option(label=fields["health_check"])
    form.get_by_role("button", name="Create record set").click()
    page.wait_for_url(f"**/zones/{zone_id}/**")


def test_weighted_and_failover_pairs_from_the_editor(page, screenshot):
    owner = make_user("editor@example.com")
    zone = zone_services.create_hosted_zone(owner=owner, name="editor-journey.com")
    check = check_services.create_health_check(
        owner=owner,
        data={
            "name": "primary web",
            "check_type": "tcp",
            "ip_address": "127.0.0.1",
            "port": 9,
            "request_interval_seconds": 30,
            "failure_threshold": 3,
            "timeout_seconds": 2,
            "regions": ["us-east-1"],
        },
    )
    log_in(page, "editor@example.com")

    create_record_set(
        page, zone.pk, name="www", value="192.0.2.10", policy="weighted", set_identifier="blue", weight="100"
    )
    create_record_set(
        page, zone.pk, name="www", value="192.0.2.11", policy="weighted", set_identifier="green", weight="0"
    )
    create_record_set(
        page,
        zone.pk,
        name="app",
        value="192.0.2.30",
        policy="failover",
        set_identifier="primary",
        failover="PRIMARY",
        health_check="primary web",
    )
    create_record_set(
        page,
        zone.pk,
        name="app",
        value="192.0.2.31",
        policy="failover",
        set_identifier="secondary",
        failover="SECONDARY",
    )
    page.goto(f"/zones/{zone.pk}/")
    screenshot("records")

    records = RecordSet.objects.filter(hosted_zone=zone).exclude(is_protected=True)
    assert sorted(records.values_list("name", "policy", "set_identifier")) == [
        ("app.editor-journey.com.", "failover", "primary"),
        ("app.editor-journey.com.", "failover", "secondary"),
        ("www.editor-journey.com.", "weighted", "blue"),
        ("www.editor-journey.com.", "weighted", "green"),
    ]
    assert records.get(set_identifier="primary").health_check_id == check.pk

    page.goto(f"/tools/test-answer/?hosted_zone={zone.pk}&record_name=www&record_type=A")
    result = page.locator("#test-answer-result")
    assert "192.0.2.10" in result.inner_text() and "192.0.2.11" not in result.inner_text()
    screenshot("test-answer-weighted")

    with LiveDnsServer(["auth=127.0.0.1:0"]) as dns_server:
        port = dns_server.port("auth")
        wait_until(lambda: query("app.editor-journey.com.", "A", port).answer, what="the zone")
        assert [rrset[0].address for rrset in query("www.editor-journey.com.", "A", port).answer] == [
            "192.0.2.10"
        ]
        assert [rrset[0].address for rrset in query("app.editor-journey.com.", "A", port).answer] == [
            "192.0.2.30"
        ]
