"""Privacy and contacts are per domain: two domains from one checkout never share a contact."""

import pytest
from django.test import Client

from registrar.models import Domain
from registrar.registry import models as registry_models
from registrar.tests.conftest import CONTACT, fund

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


def rdap_card(name: str) -> list:
    """The vCard entries of the domain's registrant entity, as anyone sees them in RDAP."""
    body = Client().get(f"/rdap/domain/{name}").json()
    (registrant,) = [entity for entity in body["entities"] if "registrant" in entity["roles"]]
    return registrant["vcardArray"][1]


@pytest.fixture
def two_domains(owner_api, owner, registry) -> tuple[Domain, Domain]:
    """Two domains bought in one checkout through the API."""
    fund(owner)
    for name in ("first-of-two.com", "second-of-two.org"):
        assert owner_api.post(f"{BASE}/cart", {"name": name}).status_code == 201
    response = owner_api.post(
        f"{BASE}/checkout", {"idempotency_key": "privacy-order-1", "contact": CONTACT}, format="json"
    )
    assert response.status_code == 201
    return Domain.objects.get(name="first-of-two.com"), Domain.objects.get(name="second-of-two.org")


def test_each_domain_of_one_checkout_has_contact_objects_of_its_own(two_domains):
    first, second = (registry_models.DomainObject.objects.get(name=d.name) for d in two_domains)
    assert first.registrant_id != second.registrant_id
    assert {first.registrant.handle} == {c.handle for c in two_domains[0].contacts.all()}
    assert {second.registrant.handle} == {c.handle for c in two_domains[1].contacts.all()}


def test_privacy_off_on_one_of_two_domains_shows_only_its_own_contact_in_rdap(owner_api, two_domains):
    first, second = two_domains
    response = owner_api.patch(f"{BASE}/domains/{first.pk}/settings", {"privacy": False}, format="json")
    assert response.status_code == 200 and response.json()["privacy"] is False

    assert ["fn", {}, "text", "Ada Lovelace"] in rdap_card(first.name)
    assert ["email", {}, "text", "ada@example.com"] in rdap_card(first.name)
    second_rdap = Client().get(f"/rdap/domain/{second.name}")
    assert ["fn", {}, "text", "REDACTED FOR PRIVACY"] in rdap_card(second.name)
    assert "Ada Lovelace" not in second_rdap.content.decode()
    assert "ada@example.com" not in second_rdap.content.decode()
    assert {"Registrant Name", "Registrant Email"} <= {
        entry["name"]["description"] for entry in second_rdap.json()["redacted"]
    }
    assert owner_api.get(f"{BASE}/domains/{second.pk}").json()["privacy"] is True


def test_a_contact_change_on_one_domain_never_shows_on_the_other(owner_api, two_domains):
    first, second = two_domains
    for domain in two_domains:
        owner_api.patch(f"{BASE}/domains/{domain.pk}/settings", {"privacy": False}, format="json")
    moved = {**CONTACT, "role": "registrant", "name": "Ada King", "email": "countess@example.com"}
    response = owner_api.put(f"{BASE}/domains/{first.pk}/contacts", moved, format="json")
    assert response.status_code == 200

    assert ["fn", {}, "text", "Ada King"] in rdap_card(first.name)
    assert ["fn", {}, "text", "Ada Lovelace"] in rdap_card(second.name)
    assert ["email", {}, "text", "ada@example.com"] in rdap_card(second.name)
    contacts = owner_api.get(f"{BASE}/domains/{second.pk}").json()["contacts"]
    assert {contact["name"] for contact in contacts} == {"Ada Lovelace"}
