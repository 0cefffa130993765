import pytest

from accounts.testing import PASSWORD, make_user
from registrar.models import Domain
from registrar.registry.models import DomainObject

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.goto("/account/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()


def test_buy_a_domain(page, screenshot):
    from registrar.registry.seed import ensure_registry_seed

    ensure_registry_seed()
    make_user("buyer@example.com")
    log_in(page, "buyer@example.com")

    page.goto("/billing/")
    page.get_by_label("Amount (USD)").fill("50")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Add credit").click()
    screenshot("billing")

    page.goto("/domains/search/")
    page.get_by_label("Domain name").fill("my-first-shop.com")
    page.get_by_role("button", name="Search").click()
    exact = page.locator("#exact")
    assert "available" in exact.inner_text()
    screenshot("search")
    exact.get_by_role("button", name="Add to cart").click()

    page.goto("/domains/checkout/")
    page.get_by_label("Name", exact=True).fill("Buyer Person")
    page.get_by_label("E-mail address").fill("buyer@example.com")
    page.get_by_label("Country code").fill("KR")
    screenshot("checkout")
    page.get_by_role("button", name="and register").click()
    page.get_by_text("my-first-shop.com").first.wait_for()
    screenshot("domains")

    domain = Domain.objects.get(name="my-first-shop.com")
    assert domain.hosted_zone is not None
    registry_domain = DomainObject.objects.get(name="my-first-shop.com")
    assert sorted(registry_domain.name_servers) == sorted(
        ns.rstrip(".") for ns in domain.hosted_zone.name_servers
    )
