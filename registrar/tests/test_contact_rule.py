"""The one contact rule (registrar.services.clean_contact): shared by checkout, contact changes and
transfers in the console, our API and the Route 53 Domains API."""

import uuid

import pytest

from accounts.testing import api_client_for
from registrar import services
from registrar.errors import RegistrarError
from registrar.models import Domain
from registrar.tests.conftest import CONTACT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("+14155550123", "+14155550123"),
        ("+1.4155550123", "+14155550123"),
        ("+82 2 1234 5678", "+82212345678"),
        ("", ""),
    ],
)
def test_good_phone_numbers_are_kept_in_e164(phone, stored):
    assert services.clean_contact({**CONTACT, "phone": phone})["phone"] == stored


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"phone": "12345"},
            "phone",
            "phone: 12345 needs its country code: +CC then the number, such as +14155550123",
        ),
        (
            {"phone": "+1.23"},
            "phone",
            "phone: +1.23 is not a valid phone number (use +CC.NUMBER, such as +1.4155550123)",
        ),
        (
            {"country_code": "ZZ"},
            "country_code",
            "country_code: ZZ is not an ISO 3166 country code (such as US, DE, KR)",
        ),
        ({"country_code": ""}, "country_code", "country_code: the contact needs a country code"),
    ],
)
def test_bad_contacts_are_refused_naming_the_field(fields, field, message):
    with pytest.raises(RegistrarError) as caught:
        services.clean_contact({**CONTACT, **fields})
    assert (caught.value.field, caught.value.message) == (field, message)
    assert caught.value.reason == message.split(": ", 1)[1]


def test_checkout_in_the_console_shows_each_refusal_beside_its_field(owner_client, funded_owner):
    services.add_to_cart(owner=funded_owner, name="contact-check.com")
    form = {**CONTACT, "phone": "12345", "country_code": "ZZ", "idempotency_key": uuid.uuid4().hex}
    response = owner_client.post("/domains/checkout/", form)
    assert response.status_code == 200
    # The rule stops at the first bad field, beside it and without "country_code: ".
    assert response.context["form"].errors == {
        "country_code": ["ZZ is not an ISO 3166 country code (such as US, DE, KR)"]
    }
    assert not Domain.objects.filter(name="contact-check.com").exists()


def test_the_api_refuses_a_bad_phone_with_a_field_keyed_400(funded_owner):
    services.add_to_cart(owner=funded_owner, name="api-contact.com")
    response = api_client_for(funded_owner).post(
        "/api/v1/checkout",
        {"idempotency_key": uuid.uuid4().hex, "contact": {**CONTACT, "phone": "12345"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "phone": ["phone: 12345 needs its country code: +CC then the number, such as +14155550123"]
    }
    assert not Domain.objects.filter(name="api-contact.com").exists()
