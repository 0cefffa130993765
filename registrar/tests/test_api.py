"""The REST API: each endpoint's success, bad input, another user's object and wrong method."""

import pytest

from accounts.testing import assert_hidden_from
from registrar import peer, services
from registrar.models import CartItem, Domain, LedgerEntry, Order
from registrar.registry import models as registry_models
from registrar.tests.conftest import CONTACT, TEST_CARD, buy, fund

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


@pytest.fixture
def domain(funded_owner) -> Domain:
    buy(funded_owner, "api-example.com")
    return Domain.objects.get(name="api-example.com")


def test_search_and_prices(owner_api, registry):
    response = owner_api.get(f"{BASE}/domains/search", {"q": "fresh"})
    assert response.status_code == 200
    body = response.json()
    assert body["exact"]["name"] == "fresh.com" and body["exact"]["is_available"] is True
    assert {offer["name"] for offer in body["suggestions"]} >= {"fresh.net", "fresh.io"}
    bad = owner_api.get(f"{BASE}/domains/search", {"q": "fr esh"})
    assert bad.status_code == 400
    assert bad.json() == {
        "q": ["fr esh: the label fr esh contains ' ', which is not a letter, digit or hyphen"]
    }
    assert owner_api.get(f"{BASE}/domains/search").json() == {"q": ["This field is required."]}
    prices = owner_api.get(f"{BASE}/domains/prices").json()
    assert {"name": "dev", "yearly_price_cents": 1500, "min_years": 1, "max_years": 10} in prices
    assert owner_api.post(f"{BASE}/domains/search", {"q": "x"}).status_code == 405


def test_cart_checkout_and_orders(owner_api, owner, registry):
    fund(owner)
    created = owner_api.post(f"{BASE}/cart", {"name": "Cart-Example.com", "years": 2})
    assert created.status_code == 201
    item = created.json()
    assert (item["name"], item["years"], item["price_cents"]) == ("cart-example.com", 2, 2400)
    assert owner_api.patch(f"{BASE}/cart/{item['id']}", {"years": 3}).json()["price_cents"] == 3600
    assert owner_api.patch(f"{BASE}/cart/{item['id']}", {"years": 11}).json() == {
        "years": ["Ensure this value is less than or equal to 10."]
    }
    assert owner_api.post(f"{BASE}/cart", {"name": "nic.com"}).json() == {
        "name": ["nic.com is reserved by the .com registry"]
    }
    assert owner_api.post(f"{BASE}/cart", {"name": "a.io", "years": 6}).json() == {
        "years": ["years: a.io can be registered for 1 to 5 years"]
    }
    assert owner_api.get(f"{BASE}/cart").json()["count"] == 1
    assert owner_api.put(f"{BASE}/cart/{item['id']}", {"years": 1}).status_code == 405

    bad = owner_api.post(
        f"{BASE}/checkout", {"idempotency_key": "api-key-001", "contact": {"name": "A"}}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json() == {
        "contact": {"email": ["This field is required."], "country_code": ["This field is required."]}
    }
    payload = {"idempotency_key": "api-key-001", "contact": CONTACT}
    first = owner_api.post(f"{BASE}/checkout", payload, format="json")
    assert first.status_code == 201
    order = first.json()
    assert order["total_cents"] == 3600 and order["lines"][0]["name"] == "cart-example.com"
    again = owner_api.post(f"{BASE}/checkout", payload, format="json")
    assert again.json()["id"] == order["id"]
    assert LedgerEntry.objects.filter(owner=owner, kind="charge").count() == 1
    assert owner_api.get(f"{BASE}/orders").json()["results"][0]["id"] == order["id"]
    assert owner_api.get(f"{BASE}/checkout").status_code == 405
    empty = owner_api.post(
        f"{BASE}/checkout", {"idempotency_key": "api-key-002", "contact": CONTACT}, format="json"
    )
    assert empty.json() == {"non_field_errors": ["Your cart is empty: search for a name and add it first."]}


def test_checkout_without_credit_is_a_400(owner_api, owner, registry):
    owner_api.post(f"{BASE}/cart", {"name": "no-money.com"})
    response = owner_api.post(
        f"{BASE}/checkout", {"idempotency_key": "api-key-003", "contact": CONTACT}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "This costs $12.00 but your balance is $0.00; add credit on the billing page first."
        ]
    }


def test_ledger_top_up_and_balance(owner_api, owner):
    response = owner_api.post(f"{BASE}/ledger/top-up", {"amount_cents": 5000, "card_number": TEST_CARD})
    assert response.status_code == 201
    assert response.json()["amount_cents"] == 5000
    assert owner_api.get(f"{BASE}/ledger/balance").json() == {"balance_cents": 5000}
    declined = owner_api.post(
        f"{BASE}/ledger/top-up", {"amount_cents": 5000, "card_number": "4000000000000002"}
    )
    assert declined.json() == {"card_number": ["card ending 0002: the card was declined"]}
    too_small = owner_api.post(f"{BASE}/ledger/top-up", {"amount_cents": 5, "card_number": TEST_CARD})
    assert too_small.json() == {"amount_cents": ["amount: add between $1.00 and $10,000.00"]}
    assert owner_api.get(f"{BASE}/ledger").json()["count"] == 1
    assert owner_api.get(f"{BASE}/ledger/top-up").status_code == 405


def test_domain_list_detail_and_registry_view(owner_api, domain):
    listed = owner_api.get(f"{BASE}/domains").json()
    assert [d["name"] for d in listed["results"]] == ["api-example.com"]
    detail = owner_api.get(f"{BASE}/domains/{domain.pk}").json()
    assert detail["auto_renew"] and detail["transfer_lock"] and detail["privacy"]
    assert len(detail["name_servers"]) == 4 and detail["hosted_zone"] == domain.hosted_zone_id
    info = owner_api.get(f"{BASE}/domains/{domain.pk}/registry").json()
    assert info["sponsor"] == "nameplate" and info["statuses"] == ["clientTransferProhibited"]
    assert "auth_code" not in info
    assert owner_api.delete(f"{BASE}/domains/{domain.pk}").status_code == 405


def test_domain_settings_renew_and_auth_code(owner_api, domain):
    response = owner_api.patch(
        f"{BASE}/domains/{domain.pk}/settings", {"transfer_lock": False, "auto_renew": False}
    )
    assert response.status_code == 200
    assert (response.json()["transfer_lock"], response.json()["auto_renew"]) == (False, False)
    assert registry_models.DomainObject.objects.get(name=domain.name).statuses == []
    assert owner_api.patch(f"{BASE}/domains/{domain.pk}/settings", {"privacy": "maybe"}).json() == {
        "privacy": ["Must be a valid boolean."]
    }
    renewed = owner_api.post(
        f"{BASE}/domains/{domain.pk}/renew", {"years": 1, "idempotency_key": "renew-api-1"}
    )
    assert renewed.status_code == 201 and renewed.json()["total_cents"] == 1200
    assert owner_api.post(f"{BASE}/domains/{domain.pk}/renew", {"years": 0}).json() == {
        "years": ["Ensure this value is greater than or equal to 1."]
    }


def test_showing_the_auth_code_is_a_get_and_a_new_one_a_post_with_reset(owner_api, domain):
    shown = owner_api.get(f"{BASE}/domains/{domain.pk}/auth-code")
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    code = shown.json()["auth_code"]
    assert code == registry_models.DomainObject.objects.get(name=domain.name).auth_code
    assert owner_api.post(f"{BASE}/domains/{domain.pk}/auth-code", {}).json() == {
        "reset": ["Send reset: true to make a new auth code; GET shows the current one."]
    }
    new = owner_api.post(f"{BASE}/domains/{domain.pk}/auth-code", {"reset": True}).json()["auth_code"]
    assert new != code
    assert new == registry_models.DomainObject.objects.get(name=domain.name).auth_code
    assert owner_api.get(f"{BASE}/domains/{domain.pk}/auth-code").json() == {"auth_code": new}
    assert owner_api.delete(f"{BASE}/domains/{domain.pk}/auth-code").status_code == 405
    assert owner_api.put(f"{BASE}/domains/{domain.pk}/auth-code", {"reset": True}).status_code == 405


def test_domain_name_servers_external_and_back(owner_api, domain):
    hosted = list(domain.name_servers)
    url = f"{BASE}/domains/{domain.pk}/name-servers"
    response = owner_api.put(url, {"name_servers": ["ns1.provider.test", "ns2.provider.test"]}, format="json")
    assert response.status_code == 200
    assert response.json()["name_servers"] == ["ns1.provider.test", "ns2.provider.test"]
    assert response.json()["uses_hosted_zone"] is False
    assert owner_api.put(url, {"name_servers": ["ns1.provider.test"]}, format="json").json() == {
        "name_servers": ["name servers: enter at least two name servers"]
    }
    assert owner_api.put(url, {"name_servers": ["bad_ns.test", "ok.test"]}, format="json").json() == {
        "name_servers": [
            "name servers: bad_ns.test: the label bad_ns contains '_', which is not a letter, digit or hyphen"
        ]
    }
    assert owner_api.put(url, {}, format="json").json() == {
        "name_servers": ["Send name_servers, or use_hosted_zone: true."]
    }
    back = owner_api.put(url, {"use_hosted_zone": True}, format="json").json()
    assert back["name_servers"] == hosted and back["uses_hosted_zone"] is True
    assert owner_api.post(url, {"use_hosted_zone": True}, format="json").status_code == 405


def test_domain_ds_glue_and_contacts(owner_api, domain):
    # A DS record needs a signed zone: with the hosted zone (unsigned) it is refused, so
    # this domain moves to external name servers first.
    owner_api.put(
        f"{BASE}/domains/{domain.pk}/name-servers",
        {"name_servers": ["ns1.provider.test", "ns2.provider.test"]},
        format="json",
    )
    ds = {"key_tag": 4242, "algorithm": 13, "digest_type": 2, "digest": "ef" * 32}
    added = owner_api.post(f"{BASE}/domains/{domain.pk}/ds", ds)
    assert added.status_code == 200 and added.json()["ds"][0]["digest"] == "EF" * 32
    bad = owner_api.post(f"{BASE}/domains/{domain.pk}/ds", {**ds, "digest": "xyz"})
    assert bad.status_code == 400 and list(bad.json()) == ["ds"]
    removed = owner_api.post(f"{BASE}/domains/{domain.pk}/ds/remove", ds)
    assert removed.json()["ds"] == []
    assert owner_api.post(f"{BASE}/domains/{domain.pk}/ds/remove", ds).json() == {
        "ds": ["DS record 4242 is not on api-example.com"]
    }

    glue = owner_api.post(
        f"{BASE}/domains/{domain.pk}/glue-hosts",
        {"name": "ns1.api-example.com", "addresses": ["192.0.2.8"]},
        format="json",
    )
    assert glue.status_code == 201 and glue.json() == {
        "name": "ns1.api-example.com",
        "addresses": ["192.0.2.8"],
        "is_linked": False,
    }
    outside = owner_api.post(
        f"{BASE}/domains/{domain.pk}/glue-hosts",
        {"name": "ns1.other.com", "addresses": ["192.0.2.8"]},
        format="json",
    )
    assert outside.json() == {"name": ["name: ns1.other.com does not lie under api-example.com"]}

    contact = {**CONTACT, "role": "tech", "name": "Tech Person", "email": "tech@example.com"}
    changed = owner_api.put(f"{BASE}/domains/{domain.pk}/contacts", contact, format="json")
    assert changed.status_code == 200
    tech = next(c for c in changed.json()["contacts"] if c["role"] == "tech")
    assert tech["name"] == "Tech Person"
    assert registry_models.DomainObject.objects.get(name=domain.name).tech.handle == tech["handle"]
    assert owner_api.put(
        f"{BASE}/domains/{domain.pk}/contacts", {**contact, "role": "boss"}, format="json"
    ).json() == {"role": ['"boss" is not a valid choice.']}


def test_domain_transfers_over_the_api(owner_api, domain, funded_owner):
    url = f"{BASE}/domains/{domain.pk}"
    code = owner_api.get(f"{url}/auth-code").json()["auth_code"]
    assert owner_api.post(f"{url}/transfer-out", {"auth_code": code}).json() == {
        "auth_code": ["api-example.com is locked against transfers; turn the transfer lock off first."]
    }
    owner_api.patch(f"{url}/settings", {"transfer_lock": False})
    assert owner_api.post(f"{url}/transfer-out", {"auth_code": code}).json()["state"] == "transfer_out"
    assert owner_api.post(f"{url}/transfer-out/reject").json()["state"] == "active"
    owner_api.post(f"{url}/transfer-out", {"auth_code": code})
    assert owner_api.post(f"{url}/transfer-out/approve").json()["state"] == "transferred_out"
    assert owner_api.post(f"{url}/transfer-out/approve").json() == {
        "non_field_errors": ["api-example.com has no pending transfer out."]
    }

    peer_code = peer.register(name="incoming.app")
    payload = {
        "name": "incoming.app",
        "auth_code": peer_code,
        "idempotency_key": "api-transfer-1",
        "contact": CONTACT,
    }
    created = owner_api.post(f"{BASE}/domains/transfer-in", payload, format="json")
    assert created.status_code == 201 and created.json()["state"] == "transfer_in"
    wrong = owner_api.post(
        f"{BASE}/domains/transfer-in",
        {**payload, "name": "other.app", "idempotency_key": "api-transfer-2"},
        format="json",
    )
    assert wrong.json() == {"name": ["other.app is not registered"]}
    cancelled = owner_api.post(f"{BASE}/domains/{created.json()['id']}/transfer-in/cancel")
    assert cancelled.json()["state"] == "transfer_failed"
    assert owner_api.get(f"{BASE}/domains/transfer-in").status_code == 405


def test_another_users_objects_are_hidden(other_api, domain, funded_owner):
    services.create_glue_host(domain=domain, name="ns1.api-example.com", addresses=["192.0.2.1"])
    item = services.add_to_cart(owner=funded_owner, name="hidden-cart.com")
    order = Order.objects.filter(owner=funded_owner).first()
    entry = LedgerEntry.objects.filter(owner=funded_owner).first()
    url = f"{BASE}/domains/{domain.pk}"
    assert_hidden_from(
        other_api,
        [
            ("get", url),
            ("get", f"{url}/registry"),
            ("patch", f"{url}/settings", {"auto_renew": False}),
            ("post", f"{url}/renew", {"years": 1}),
            ("post", f"{url}/restore", {}),
            ("put", f"{url}/name-servers", {"use_hosted_zone": True}),
            ("get", f"{url}/auth-code"),
            ("post", f"{url}/auth-code", {"reset": True}),
            ("post", f"{url}/ds", {"key_tag": 1, "algorithm": 13, "digest_type": 2, "digest": "ab" * 32}),
            (
                "post",
                f"{url}/ds/remove",
                {"key_tag": 1, "algorithm": 13, "digest_type": 2, "digest": "ab" * 32},
            ),
            ("post", f"{url}/glue-hosts", {"name": "ns.api-example.com", "addresses": ["192.0.2.1"]}),
            ("get", f"{url}/glue-hosts"),
            ("get", f"{url}/glue-hosts/ns1.api-example.com"),
            ("put", f"{url}/glue-hosts/ns1.api-example.com", {"addresses": ["192.0.2.2"]}),
            ("delete", f"{url}/glue-hosts/ns1.api-example.com"),
            ("put", f"{url}/contacts", {**CONTACT, "role": "tech"}),
            ("post", f"{url}/transfer-out", {"auth_code": "whatever-123"}),
            ("post", f"{url}/transfer-out/approve"),
            ("post", f"{url}/transfer-out/reject"),
            ("post", f"{url}/transfer-in/cancel"),
            ("get", f"{BASE}/cart/{item.pk}"),
            ("patch", f"{BASE}/cart/{item.pk}", {"years": 2}),
            ("delete", f"{BASE}/cart/{item.pk}"),
            ("get", f"{BASE}/orders/{order.pk}"),
            ("get", f"{BASE}/ledger/{entry.pk}"),
        ],
    )
    assert other_api.get(f"{BASE}/domains").json()["count"] == 0
    assert other_api.get(f"{BASE}/ledger/balance").json() == {"balance_cents": 0}
    assert CartItem.objects.filter(pk=item.pk).exists()
    assert Domain.objects.get(pk=domain.pk).auto_renew is True
    assert registry_models.Host.objects.get(name="ns1.api-example.com").addresses == ["192.0.2.1"]


def test_the_api_needs_a_login(client, registry):
    assert client.get(f"{BASE}/domains").status_code in (401, 403)
