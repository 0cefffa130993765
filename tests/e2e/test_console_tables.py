"""Tables that fit: names break only at dots, long values are cut with the whole value on hover,
the header stays in view, and at 390 px nothing makes a page scroll sideways."""

import pytest

from accounts.testing import make_user
from healthchecks import services as check_services
from tests.e2e.console_pages import DESKTOP, PHONE, axe_violations, log_in, page_width
from tests.support import buy_domain
from zones import rules
from zones import services as zone_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG_NAME = "app.alice-bakery-and-patisserie.example-long-label-for-the-name-column"
LONG_TXT = (
    '"v=spf1 ' + " ".join(f"include:_spf{n}.alice-bakery-mail-provider.example" for n in range(12)) + ' -all"'
)


def labels_split_inside(page, selector: str) -> list[str]:
    """The labels of DNS names under `selector` that a line break cut in two."""
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector + " .dns-name .label"))
            .filter((label) => label.getClientRects().length > 1).map((label) => label.textContent)""",
        selector,
    )


def records_zone(owner):
    zone = zone_services.create_hosted_zone(owner=owner, name="alice-bakery.com")
    zone_services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            zone_services.Change(
                "CREATE", rules.RecordSetSpec(name=LONG_NAME, type="A", ttl=300, values=("192.0.2.1",))
            ),
            zone_services.Change(
                "CREATE", rules.RecordSetSpec(name="mail", type="TXT", ttl=300, values=(LONG_TXT,))
            ),
        ],
        actor=owner,
    )
    return zone


def test_record_table_uses_the_width_and_keeps_names_whole(page, live_server, screenshot):
    owner = make_user("tables@example.com")
    zone = records_zone(owner)
    log_in(page, live_server, owner)

    page.goto(f"/zones/{zone.pk}/")
    assert labels_split_inside(page, "table.records") == []
    table = page.locator("table.records").bounding_box()
    assert table["width"] >= DESKTOP["width"] * 0.85, table
    # The long TXT value is cut to its cell, the whole value in its title.
    value = page.locator("table.records code.value", has_text="v=spf1").first
    assert value.get_attribute("title") == value.text_content()
    assert "_spf11.alice-bakery-mail-provider.example" in value.get_attribute("title")
    assert value.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert page_width(page) <= DESKTOP["width"]
    # The header stays at the top of the window while the rows scroll under it.
    header = page.locator("table.records thead th").nth(1)
    assert header.evaluate("(el) => getComputedStyle(el).position") == "sticky"
    page.locator("table.records tbody tr").last.scroll_into_view_if_needed()
    page.evaluate(
        "window.scrollBy(0, document.querySelector('table.records').getBoundingClientRect().top + 40)"
    )
    assert abs(header.evaluate("(el) => el.getBoundingClientRect().top")) < 2
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("records-1280")

    page.set_viewport_size(PHONE)
    page.goto(f"/zones/{zone.pk}/")
    assert page_width(page) <= PHONE["width"]
    assert labels_split_inside(page, "table.records") == []
    # A card per record set: the cells stack, each with its column's name.
    row = page.locator("table.records tbody tr", has_text="192.0.2.1")
    assert row.evaluate("(el) => getComputedStyle(el).display") == "block"
    assert "Name" in row.locator("td.name-cell").evaluate("(el) => getComputedStyle(el, '::before').content")
    screenshot("records-390")


def test_health_check_list_fits_a_phone(page, live_server, screenshot):
    owner = make_user("checks-narrow@example.com")
    check_services.create_health_check(
        owner=owner,
        data={
            "name": "bakery storefront",
            "check_type": "https_str_match",
            "host_name": "storefront.alice-bakery-and-patisserie.example",
            "port": 8443,
            "resource_path": "/health/deep/check?with=all&the=parameters&that=make-it-long",
            "search_string": "ok",
            "request_interval_seconds": 30,
            "failure_threshold": 3,
            "timeout_seconds": 2,
            "regions": ["us-east-1"],
        },
    )
    log_in(page, live_server, owner)
    page.set_viewport_size(PHONE)
    page.goto("/healthchecks/")
    screenshot("checks-390")
    assert page_width(page) <= PHONE["width"]
    target = page.locator("table.checks td[data-label='Target'] code")
    assert target.bounding_box()["width"] > PHONE["width"] / 2, "the URL is squeezed into a narrow column"
    page.set_viewport_size(DESKTOP)
    page.goto("/healthchecks/")
    screenshot("checks-1280")


def test_domain_page_fits_a_phone(page, live_server, screenshot):
    owner = make_user("domain-narrow@example.com")
    domain = buy_domain(owner, "alice-bakery-and-patisserie-online.com")
    log_in(page, live_server, owner)
    page.set_viewport_size(PHONE)
    page.goto(f"/domains/{domain.pk}/")
    screenshot("domain-390")
    assert page_width(page) <= PHONE["width"]
    assert axe_violations(page) == []
    page.set_viewport_size(DESKTOP)
    page.goto(f"/domains/{domain.pk}/")
    assert page_width(page) <= DESKTOP["width"]
    assert axe_violations(page) == []
    screenshot("domain-1280")
