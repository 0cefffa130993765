"""Console pages: each works without JavaScript, shows errors beside fields, and hides others' objects."""

import pytest

from accounts.testing import assert_hidden_from
from registrar import peer, services
from registrar.models import CartItem, Domain, LedgerEntry
from registrar.registry import models as registry_models
from registrar.tests.conftest import CONTACT, buy, fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain(funded_owner) -> Domain:
    buy(funded_owner, "console-example.com")
    return Domain.objects.get(name="console-example.com")


def test_empty_states_say_what_to_do(owner_client, registry):
    pages = {
        "/domains/": "You have no domains yet.",
        "/domains/cart/": "Your cart is empty.",
        "/domains/checkout/": "Nothing to check out.",
        "/billing/": "No movements yet.",
        "/domains/search/": "Type a name such as example.com",
        "/domains/whois/": "Enter a registered name",
    }
    for url, text in pages.items():
        response = owner_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert text in html, url
        assert 'class="page-intro"' in html, url


def test_pages_need_a_login(client, registry):
    response = client.get("/domains/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_search_cart_checkout_in_the_console(owner_client, owner, registry):
    html = owner_client.get("/domains/search/", {"q": "shiny"}).content.decode()
    assert "shiny.com" in html and "available" in html and "shiny.io" in html
    bad = owner_client.get("/domains/search/", {"q": "sh iny"}).content.decode()
    assert "sh iny: the label sh iny contains" in bad

    response = owner_client.post("/domains/cart/add/", {"name": "shiny.com", "years": "2"})
    assert response.status_code == 302 and response["Location"] == "/domains/cart/"
    item = CartItem.objects.get(owner=owner)
    assert "$24.00" in owner_client.get("/domains/cart/").content.decode()
    owner_client.post(f"/domains/cart/{item.pk}/update/", {"years": "1"})
    item.refresh_from_db()
    assert item.years == 1

    page = owner_client.get("/domains/checkout/").content.decode()
    assert 'name="idempotency_key"' in page
    poor = owner_client.post("/domains/checkout/", {**CONTACT, "idempotency_key": "console-key-1"})
    assert poor.status_code == 200
    assert "This costs $12.00 but your balance is $0.00" in poor.content.decode()

    top_up = owner_client.post("/billing/", {"amount": "50.00", "card_number": "4242424242424242"})
    assert top_up.status_code == 302
    declined = owner_client.post("/billing/", {"amount": "50.00", "card_number": "4000000000000002"})
    assert declined.status_code == 400
    assert "card ending 0002: the card was declined" in declined.content.decode()

    missing = owner_client.post(
        "/domains/checkout/", {**CONTACT, "country_code": "", "idempotency_key": "console-key-2"}
    )
    assert "This field is required." in missing.content.decode()
    done = owner_client.post("/domains/checkout/", {**CONTACT, "idempotency_key": "console-key-3"})
    assert done.status_code == 302 and done["Location"] == "/domains/"
    again = owner_client.post("/domains/checkout/", {**CONTACT, "idempotency_key": "console-key-3"})
    assert again.status_code == 302
    assert LedgerEntry.objects.filter(owner=owner, kind="charge").count() == 1
    listing = owner_client.get("/domains/").content.decode()
    assert "shiny.com" in listing and "locked" in listing


def test_cart_add_of_a_taken_name_explains(owner_client, domain):
    response = owner_client.post(
        "/domains/cart/add/", {"name": "console-example.com", "years": "1"}, follow=True
    )
    assert "console-example.com is already registered" in response.content.decode()


def test_domain_detail_and_its_forms(owner_client, domain):
    url = f"/domains/{domain.pk}/"
    html = owner_client.get(url).content.decode()
    for text in ("Name servers", "DNSSEC: DS records", "Contacts", "Renew", "Show auth code", "RDAP JSON"):
        assert text in html
    assert 'id="rdap"' in html and "REDACTED FOR PRIVACY" in html
    assert (
        owner_client.post(f"{url}renew/", {"years": "1", "idempotency_key": "console-renew-1"}).status_code
        == 302
    )
    bad_renew = owner_client.post(f"{url}renew/", {"years": "0", "idempotency_key": "console-renew-2"})
    assert bad_renew.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in bad_renew.content.decode()

    assert owner_client.post(f"{url}settings/", {"auto_renew": "on", "privacy": "on"}).status_code == 302
    domain.refresh_from_db()
    assert domain.transfer_lock is False and domain.auto_renew is True

    shown = owner_client.get(f"{url}auth-code/").content.decode()
    code = registry_models.DomainObject.objects.get(name=domain.name).auth_code
    assert f'id="auth-code">{code}<' in shown

    ns = owner_client.post(f"{url}name-servers/", {"name_servers": "ns1.provider.test\nns2.provider.test"})
    assert ns.status_code == 302
    assert registry_models.DomainObject.objects.get(name=domain.name).name_servers == [
        "ns1.provider.test",
        "ns2.provider.test",
    ]
    one = owner_client.post(f"{url}name-servers/", {"name_servers": "ns1.provider.test"})
    assert one.status_code == 400 and "name servers: enter at least two name servers" in one.content.decode()

    # DS records only while the domain uses external name servers (the hosted zone is unsigned).
    ds = {"key_tag": "11", "algorithm": "13", "digest_type": "2", "digest": "ab" * 32}
    assert owner_client.post(f"{url}ds/add/", ds).status_code == 302
    assert "AB" * 32 in owner_client.get(url).content.decode()
    assert owner_client.post(f"{url}ds/remove/", {**ds, "digest": "AB" * 32}).status_code == 302
    bad_ds = owner_client.post(f"{url}ds/add/", {**ds, "digest": "nothex"})
    assert bad_ds.status_code == 400 and "is not valid DS data" in bad_ds.content.decode()

    assert owner_client.post(f"{url}name-servers/hosted-zone/").status_code == 302
    domain.refresh_from_db()
    assert domain.uses_hosted_zone and len(domain.name_servers) == 4

    glue = owner_client.post(f"{url}glue/add/", {"name": "ns1.console-example.com", "addresses": "192.0.2.7"})
    assert glue.status_code == 302
    assert registry_models.Host.objects.get(name="ns1.console-example.com").addresses == ["192.0.2.7"]

    contact = {**CONTACT, "role": "admin", "name": "Admin Person"}
    assert owner_client.post(f"{url}contacts/", contact).status_code == 302
    assert domain.contacts.get(role="admin").name == "Admin Person"

    out = owner_client.post(f"{url}transfer-out/", {"auth_code": code})
    assert out.status_code == 302
    domain.refresh_from_db()
    assert domain.state == "transfer_out"
    assert owner_client.post(f"{url}transfer-out/reject/").status_code == 302
    domain.refresh_from_db()
    assert domain.state == "active"


def test_transfer_in_page(owner_client, owner, registry):
    fund(owner)
    code = peer.register(name="moving.dev")
    form = {
        **CONTACT,
        "domain": "moving.dev",
        "auth_code": "Wrong-Code-123",
        "idempotency_key": "console-in-1",
    }
    wrong = owner_client.post("/domains/transfer-in/", form)
    assert "auth code: that is not the auth code of moving.dev" in wrong.content.decode()
    done = owner_client.post(
        "/domains/transfer-in/", {**form, "auth_code": code, "idempotency_key": "console-in-2"}
    )
    assert done.status_code == 302
    domain = Domain.objects.get(name="moving.dev")
    assert "Transfer in pending" in owner_client.get(f"/domains/{domain.pk}/").content.decode()
    assert owner_client.post(f"/domains/{domain.pk}/transfer-in/cancel/").status_code == 302
    domain.refresh_from_db()
    assert domain.state == "transfer_failed"


def test_post_only_pages_refuse_get(owner_client, domain):
    for suffix in (
        "renew/",
        "restore/",
        "settings/",
        "name-servers/",
        "ds/add/",
        "glue/add/",
        "glue/ns1.console-example.com/update/",
        "glue/ns1.console-example.com/delete/",
        "transfer-out/",
    ):
        assert owner_client.get(f"/domains/{domain.pk}/{suffix}").status_code == 405
    # Showing the auth code is a read (GET); POST makes a new one.
    assert owner_client.get(f"/domains/{domain.pk}/auth-code/").status_code == 200
    assert owner_client.get("/domains/cart/add/").status_code == 405


def test_console_hides_another_users_domain_and_cart(other_client, domain, funded_owner):
    item = services.add_to_cart(owner=funded_owner, name="hidden.dev")
    url = f"/domains/{domain.pk}/"
    requests = [("get", url), ("get", url + "auth-code/")]
    for suffix in (
        "renew/",
        "restore/",
        "settings/",
        "name-servers/",
        "name-servers/hosted-zone/",
        "auth-code/",
        "ds/add/",
        "ds/remove/",
        "glue/add/",
        "glue/ns1.console-example.com/update/",
        "glue/ns1.console-example.com/delete/",
        "contacts/",
        "transfer-out/",
        "transfer-out/approve/",
        "transfer-out/reject/",
        "transfer-in/cancel/",
    ):
        requests.append(("post", url + suffix))
    requests += [("post", f"/domains/cart/{item.pk}/update/"), ("post", f"/domains/cart/{item.pk}/remove/")]
    assert_hidden_from(other_client, requests)
    assert "console-example.com" not in other_client.get("/domains/").content.decode()
    assert CartItem.objects.filter(pk=item.pk).exists()
