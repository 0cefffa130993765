"""Messages beside their fields in plain words, forms that fit the task, the change diff and its
revert, in Debian's chromium; screenshots at 1280 and 390 px under test-artifacts/screenshots/."""

import pytest

from accounts.testing import PASSWORD, make_user
from healthchecks import alerting
from registrar import services as registrar_services
from registrar.registry.seed import ensure_registry_seed
from registrar.tests.conftest import fund
from zones import services as zone_services
from zones.models import RecordSet
from zones.tests.conftest import create, upsert

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PREFIXES = ("ip_address:", "type:", "health_check:", "change 0", "phone:", "country_code:", "values:")


def log_in(page, email: str) -> None:
    page.goto("/account/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()


def at_both_widths(page, screenshot, step: str) -> None:
    screenshot(f"{step}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(f"{step}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def error_beside(page, field: str) -> str:
    """The error text inside the field's own block, asserting the page shows no internal prefix."""
    text = page.locator(f"#field-{field} .error").first.inner_text()
    body = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    for prefix in PREFIXES:
        assert prefix not in body, f"{prefix!r} shown on the page"
    return text


def test_record_editor_puts_the_cname_at_apex_refusal_beside_the_type(page, screenshot):
    owner = make_user("forms-editor@example.com")
    zone = zone_services.create_hosted_zone(owner=owner, name="alicebakery.com")
    log_in(page, owner.email)
    page.goto(f"/zones/{zone.pk}/records/new/")
    form = page.locator("form.record-form")
    form.get_by_label("Type").select_option("CNAME")
    form.get_by_label("Name", exact=True).fill("@")
    form.get_by_label("Values").fill("shop.example.net.")
    form.get_by_role("button", name="Create record set").click()
    assert (
        error_beside(page, "type")
        == "a CNAME record set cannot be at the zone apex; use an alias record instead"
    )
    assert form.get_by_label("Values").input_value() == "shop.example.net."  # input kept
    at_both_widths(page, screenshot, "cname-apex")


def test_a_bad_address_in_the_health_check_form_sits_beside_the_ip_field(page, screenshot):
    owner = make_user("forms-checks@example.com")
    log_in(page, owner.email)
    page.goto("/healthchecks/new/")
    form = page.locator("form[data-check-form]")
    form.get_by_label("Name", exact=True).fill("shop")
    form.get_by_label("Type").select_option("tcp")
    assert form.get_by_label("URL").is_hidden() and form.get_by_label("Port").is_visible()
    form.get_by_label("IP address").fill("http://shop.example.com")
    form.get_by_label("Port").fill("443")
    form.get_by_role("button", name="Create health check").click()
    assert error_beside(page, "ip_address").startswith("http://shop.example.com ")
    at_both_widths(page, screenshot, "check-ip-address")


def test_the_health_check_form_shows_only_the_fields_of_the_type_and_takes_one_url(page, screenshot):
    owner = make_user("forms-url@example.com")
    log_in(page, owner.email)
    page.goto("/healthchecks/new/")
    form = page.locator("form[data-check-form]")
    form.get_by_label("Type").select_option("https")
    assert form.get_by_label("URL").is_visible()
    for hidden in ("Port", "Path", "Search string"):
        assert form.get_by_label(hidden, exact=True).is_hidden()
    assert form.get_by_label("Skip certificate verification (HTTPS)").is_visible()
    form.get_by_label("Type").select_option("calculated")
    assert form.get_by_label("URL").is_hidden() and form.locator("#field-child_checks").is_visible()
    form.get_by_label("Type").select_option("https")
    form.get_by_label("Name", exact=True).fill("shop over https")
    form.get_by_label("URL").fill("https://127.0.0.1:8443/health")
    at_both_widths(page, screenshot, "check-url-form")
    form.get_by_role("button", name="Create health check").click()
    page.get_by_text("https://127.0.0.1:8443/health").first.wait_for()


def test_the_alarm_form_puts_its_refusal_beside_the_health_check(page, screenshot):
    owner = make_user("forms-alarms@example.com")
    alerting.create_topic(owner=owner, name="ops")
    log_in(page, owner.email)
    page.goto("/alerts/alarms/")
    form = page.locator("form", has=page.get_by_role("button", name="Create alarm"))
    form.get_by_label("Name", exact=True).fill("shop down")
    form.get_by_label("Topic").select_option(label="ops")
    form.get_by_role("button", name="Create alarm").click()
    assert error_beside(page, "health_check") == "choose a health check or a domain (one of them)"
    at_both_widths(page, screenshot, "alarm-health-check")


def test_checkout_refuses_a_bad_country_beside_its_field(page, screenshot):
    ensure_registry_seed()
    owner = make_user("forms-checkout@example.com")
    fund(owner)
    registrar_services.add_to_cart(owner=owner, name="forms-checkout.com")
    log_in(page, owner.email)
    page.goto("/domains/checkout/")
    form = page.locator("form", has=page.get_by_role("button", name="register"))
    form.get_by_label("Name", exact=True).fill("Ada Lovelace")
    form.get_by_label("E-mail address").fill("ada@example.com")
    form.get_by_label("Phone").fill("12345")
    form.get_by_label("Country code").fill("ZZ")
    form.get_by_role("button", name="register").click()
    assert error_beside(page, "country_code") == "ZZ is not an ISO 3166 country code (such as US, DE, KR)"
    at_both_widths(page, screenshot, "checkout-country")
    form = page.locator("form", has=page.get_by_role("button", name="register"))
    form.get_by_label("Country code").fill("GB")
    form.get_by_role("button", name="register").click()
    assert (
        error_beside(page, "phone")
        == "12345 needs its country code: +CC then the number, such as +14155550123"
    )


def test_the_change_diff_is_a_table_and_one_click_reverts_it(page, screenshot):
    owner = make_user("forms-history@example.com")
    zone = zone_services.create_hosted_zone(owner=owner, name="alicebakery.com")
    zone_services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    batch = zone_services.apply_change_batch(
        hosted_zone=zone, changes=[upsert("www", "A", "192.0.2.2"), create("shop", "A", "192.0.2.7")]
    )
    log_in(page, owner.email)
    page.goto(f"/zones/{zone.pk}/history/")
    first_link = page.locator("table a").first
    assert first_link.inner_text() == str(batch.pk)  # newest first
    first_link.click()
    table = page.locator("table.diff-table")
    assert table.locator("td.removed", has_text="192.0.2.1").count() == 1
    assert table.locator("td.added", has_text="192.0.2.2").count() == 1
    assert table.locator("td.added", has_text="192.0.2.7").count() == 1
    assert "style=" not in table.inner_html()
    at_both_widths(page, screenshot, "change-diff")
    page.get_by_role("link", name="Revert this change…").click()
    page.locator("table.diff-table td.added", has_text="192.0.2.1").wait_for()
    at_both_widths(page, screenshot, "revert-preview")
    page.get_by_role("button", name="Apply the revert as a new change batch").click()
    page.get_by_text(f"Change {batch.pk} reverted by change").wait_for()
    rows = {rs.name: rs.to_spec().values for rs in RecordSet.objects.filter(hosted_zone=zone, type="A")}
    assert rows == {"www.alicebakery.com.": ("192.0.2.1",)}


def test_a_bulk_delete_shows_its_plan_and_needs_the_box_past_the_safe_share(page, screenshot):
    owner = make_user("forms-bulk@example.com")
    zone = zone_services.create_hosted_zone(owner=owner, name="alicebakery.com")
    zone_services.apply_change_batch(
        hosted_zone=zone, changes=[create(f"h{i}", "A", f"192.0.2.{i + 1}") for i in range(3)]
    )
    log_in(page, owner.email)
    page.goto(f"/zones/{zone.pk}/")
    for rs in RecordSet.objects.filter(hosted_zone=zone, is_protected=False):
        page.get_by_label(f"Select {rs}").check()
    page.get_by_role("button", name="Delete selected").click()
    table = page.locator("table.diff-table")
    assert table.locator("td.removed", has_text="192.0.2.2").count() == 1
    at_both_widths(page, screenshot, "bulk-delete-plan")
    page.get_by_role("button", name="Delete 3 record sets").click()
    assert error_beside(page, "confirm_deletes") == "Tick the box to confirm the deletions."
    assert RecordSet.objects.filter(hosted_zone=zone, is_protected=False).count() == 3
    page.get_by_label("Yes, delete 3 record sets").check()
    page.get_by_role("button", name="Delete 3 record sets").click()
    page.get_by_text("Deleted 3 record sets; the change is pending.").wait_for()
    assert RecordSet.objects.filter(hosted_zone=zone, is_protected=False).count() == 0
