import uuid

import pytest

from registrar import services
from registrar.registry.seed import ensure_registry_seed

TEST_CARD = "4242 4242 4242 4242"
CONTACT = {"name": "Ada Lovelace", "email": "ada@example.com", "country_code": "GB", "city": "London"}


@pytest.fixture
def registry(db) -> None:
    """The registry's TLDs, both registrars and the provider's name-server domains."""
    ensure_registry_seed()


def fund(user, cents: int = 100_00) -> None:
    services.top_up(owner=user, amount_cents=cents, card_number=TEST_CARD)


def buy(user, name: str, years: int = 1, **kwargs):
    """Register `name` for `user` through the normal flow: cart, then checkout."""
    services.add_to_cart(owner=user, name=name, years=years)
    return services.checkout(owner=user, idempotency_key=uuid.uuid4().hex, contact=CONTACT, **kwargs)


@pytest.fixture
def funded_owner(owner, registry):
    fund(owner)
    return owner
