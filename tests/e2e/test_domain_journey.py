import pytest

from accounts.testing import PASSWORD, make_user
from registrar import peer, services
from registrar.models import Domain
from registrar.registry.models import DomainObject, Host
from registrar.registry.seed import ensure_registry_seed
from tests.support import LiveDnsServer, buy_domain, query, wait_until
from zones import services as zone_services
from zones.models import HostedZone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, email: str) -> None:
    page.goto("/account/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()


def test_buy_a_domain(page, screenshot):
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


def top_up_and_buy(page, names: list[str]) -> None:
    """In the console: add credit, put each name in the cart, check out once."""
    page.goto("/billing/")
    page.get_by_label("Amount (USD)").fill("100")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Add credit").click()
    for name in names:
        page.goto("/domains/search/")
        page.get_by_label("Domain name").fill(name)
        page.get_by_role("button", name="Search").click()
        page.locator("#exact").get_by_role("button", name="Add to cart").click()
        page.get_by_text(f"{name} is in your cart.").wait_for()
    page.goto("/domains/checkout/")
    page.get_by_label("Name", exact=True).fill("Privacy Person")
    page.get_by_label("E-mail address").fill("private@example.com")
    page.get_by_label("Country code").fill("DE")
    page.get_by_role("button", name="and register").click()
    page.get_by_text("your domains are registered").wait_for()


def open_domain(page, name: str) -> None:
    page.goto("/domains/")
    page.get_by_role("link", name=name, exact=True).click()
    page.get_by_role("heading", name="Name servers").wait_for()


def rdap_registrant(page, name: str) -> list:
    """The registrant's vCard entries from our public RDAP service, as any browser fetches them."""
    body = page.request.get(f"/rdap/domain/{name}").json()
    (registrant,) = [entity for entity in body["entities"] if "registrant" in entity["roles"]]
    return registrant["vcardArray"][1]


def test_privacy_is_per_domain_for_two_domains_from_one_checkout(page, screenshot):
    ensure_registry_seed()
    make_user("private@example.com")
    log_in(page, "private@example.com")
    top_up_and_buy(page, ["open-one.com", "closed-two.net"])

    open_domain(page, "open-one.com")
    page.get_by_label("Privacy").uncheck()
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Settings saved.").wait_for()
    assert "Privacy Person" in page.locator("#rdap").inner_text()
    screenshot("privacy-off")

    assert ["fn", {}, "text", "Privacy Person"] in rdap_registrant(page, "open-one.com")
    assert ["email", {}, "text", "private@example.com"] in rdap_registrant(page, "open-one.com")
    closed = rdap_registrant(page, "closed-two.net")
    assert ["fn", {}, "text", "REDACTED FOR PRIVACY"] in closed
    assert "private@example.com" not in str(closed)
    open_domain(page, "closed-two.net")
    assert page.get_by_label("Privacy").is_checked()
    assert "REDACTED FOR PRIVACY" in page.locator("#rdap").inner_text()


def test_a_transfer_in_reuses_the_zone_the_user_already_hosts(page, screenshot):
    ensure_registry_seed()
    owner = make_user("mover@example.com")
    services.top_up(owner=owner, amount_cents=50_00, card_number="4242 4242 4242 4242")
    zone = zone_services.create_hosted_zone(owner=owner, name="moving-in.org")
    code = peer.register(name="moving-in.org", name_servers=("ns1.oldhost.test", "ns2.oldhost.test"))
    log_in(page, "mover@example.com")

    page.goto("/domains/transfer-in/")
    page.get_by_label("Domain name").fill("moving-in.org")
    page.get_by_label("Auth code").fill(code)
    page.get_by_label("Name", exact=True).fill("Mover Person")
    page.get_by_label("E-mail address").fill("mover@example.com")
    page.get_by_label("Country code").fill("FR")
    page.get_by_role("button", name="Request transfer").click()
    page.get_by_role("heading", name="Transfer in pending").wait_for()

    # Elsewhere Names approves; the registry's message reaches us as its commit does.
    peer.approve_transfer(name="moving-in.org")
    page.reload()
    assert page.locator(".badge").first.inner_text() == "Active"
    assert "not delegated" in page.locator("#hosted-zone").inner_text()
    screenshot("transferred-in")

    with LiveDnsServer(["tld=127.0.0.1:0"]) as server:
        page.get_by_role("button", name=f"Use hosted zone moving-in.org. (#{zone.pk}").click()
        page.get_by_text(
            "The registry now delegates the domain to your hosted zone moving-in.org."
        ).wait_for()
        assert "the registry delegates to it" in page.locator("#hosted-zone").inner_text()
        screenshot("hosted-zone")
        expected = {host.lower() for host in zone.name_servers}
        wait_until(
            lambda: (
                {
                    rdata.target.to_text()
                    for rrset in query("www.moving-in.org.", "A", server.port("tld")).authority
                    for rdata in rrset
                }
                == expected
            ),
            what="the .org server to refer moving-in.org to the hosted zone",
        )
    assert HostedZone.objects.filter(owner=owner, name="moving-in.org.").count() == 1
    assert sorted(DomainObject.objects.get(name="moving-in.org").name_servers) == sorted(
        host.rstrip(".") for host in zone.name_servers
    )


def glue_in_referral(server, qname: str, host: str) -> set[str]:
    """The A glue the TLD server sends for `host` in its referral for `qname`."""
    answer = query(qname, "A", server.port("tld"))
    return {
        rdata.address for rrset in answer.additional if rrset.name.to_text() == f"{host}." for rdata in rrset
    }


def test_glue_hosts_are_added_changed_and_deleted_in_the_console(page, screenshot):
    owner = make_user("glue@example.com")
    buy_domain(owner, "glue-journey.com")
    log_in(page, "glue@example.com")
    open_domain(page, "glue-journey.com")

    with LiveDnsServer(["tld=127.0.0.1:0"]) as server:
        page.get_by_label("Host name").fill("ns1.glue-journey.com")
        page.get_by_label("Addresses", exact=True).fill("192.0.2.10")
        page.get_by_role("button", name="Add host").click()
        page.get_by_text("Host ns1.glue-journey.com is registered with its glue.").wait_for()
        page.get_by_label("Name servers", exact=True).fill("ns1.glue-journey.com\nns.provider.test")
        page.get_by_role("button", name="Use these name servers").click()
        page.get_by_text("The registry now delegates the domain to your name servers.").wait_for()
        wait_until(
            lambda: glue_in_referral(server, "glue-journey.com.", "ns1.glue-journey.com") == {"192.0.2.10"},
            what="the .com server to send the new glue",
        )

        page.get_by_label("Addresses of ns1.glue-journey.com").fill("192.0.2.20")
        page.get_by_role("button", name="Save addresses").click()
        page.get_by_text("Host ns1.glue-journey.com now has the glue 192.0.2.20.").wait_for()
        wait_until(
            lambda: glue_in_referral(server, "glue-journey.com.", "ns1.glue-journey.com") == {"192.0.2.20"},
            what="the .com server to send the changed glue",
        )
        screenshot("glue-changed")

        page.get_by_role("button", name="Delete ns1.glue-journey.com").click()
        page.get_by_text("host ns1.glue-journey.com is a name server of glue-journey.com").wait_for()
        assert Host.objects.filter(name="ns1.glue-journey.com").exists()

        page.get_by_role("button", name="Use hosted zone glue-journey.com.").click()
        page.get_by_text("The registry now delegates the domain to your hosted zone").wait_for()
        page.get_by_role("button", name="Delete ns1.glue-journey.com").click()
        page.get_by_text("Host ns1.glue-journey.com is deleted, with its glue.").wait_for()
        assert page.locator("#glue-hosts").count() == 0
        wait_until(
            lambda: glue_in_referral(server, "glue-journey.com.", "ns1.glue-journey.com") == set(),
            what="the .com server to drop the glue",
        )
    assert not Host.objects.filter(name="ns1.glue-journey.com").exists()
