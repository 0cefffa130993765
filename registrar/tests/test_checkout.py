"""Purchase semantics: one transaction for the charge and the registration, then the hosted zone."""

import threading
import uuid

import pytest
from django.db import connection, connections

from accounts.models import User
from accounts.testing import make_user
from registrar import services
from registrar.errors import InsufficientFunds, NameUnavailable, PaymentDeclined, RegistrarError
from registrar.models import CartItem, Domain, LedgerEntry, Order
from registrar.registry import commands
from registrar.registry import models as registry_models
from registrar.registry.seed import ensure_registry_seed
from registrar.tests.conftest import CONTACT, TEST_CARD, buy, fund
from zones.models import HostedZone
from zones.services import name_server_pool

pytestmark = pytest.mark.django_db


def test_checkout_charges_registers_and_delegates_to_the_hosted_zone(
    funded_owner, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    with django_capture_on_commit_callbacks(execute=True):
        order = buy(funded_owner, "bücher.com", years=2)
    domain = Domain.objects.get(owner=funded_owner)
    assert (domain.name, domain.unicode_name, domain.state) == ("xn--bcher-kva.com", "bücher.com", "active")
    assert order.total_cents == 2400
    assert services.balance_cents(funded_owner) == 100_00 - 2400
    charge = LedgerEntry.objects.get(owner=funded_owner, kind="charge")
    assert (charge.amount_cents, charge.balance_after_cents) == (-2400, 7600)

    zone = HostedZone.objects.get(owner=funded_owner)
    assert zone.name.rstrip(".") == "xn--bcher-kva.com"
    expected = [host.rstrip(".") for host in zone.name_servers]
    assert len(expected) == 4
    at_registry = registry_models.DomainObject.objects.get(name="xn--bcher-kva.com")
    assert at_registry.name_servers == expected
    assert at_registry.statuses == ["clientTransferProhibited"]
    assert domain.hosted_zone_id == zone.pk and domain.name_servers == expected
    # Our own name-server hosts exist at the registry with their glue.
    for host in expected:
        assert registry_models.Host.objects.get(name=host).addresses == [name_server_pool()[host + "."]]
    assert [c.role for c in domain.contacts.all()] == ["admin", "registrant", "tech"]
    assert not CartItem.objects.filter(owner=funded_owner).exists()

    (mail,) = mailoutbox_smtp.wait_for(1)
    assert mail["To"] == "owner@example.com"
    assert mail["Subject"] == f"Your Nameplate order {order.pk}: bücher.com"
    assert "bücher.com for 2 years" in mail.get_body(("plain",)).get_content()


def test_the_same_idempotency_key_charges_once(funded_owner):
    services.add_to_cart(owner=funded_owner, name="once.com")
    first = services.checkout(owner=funded_owner, idempotency_key="key-00000001", contact=CONTACT)
    services.add_to_cart(owner=funded_owner, name="twice.com")
    second = services.checkout(owner=funded_owner, idempotency_key="key-00000001", contact=CONTACT)
    assert first.pk == second.pk
    assert LedgerEntry.objects.filter(owner=funded_owner, kind="charge").count() == 1
    assert list(Domain.objects.values_list("name", flat=True)) == ["once.com"]
    assert CartItem.objects.get(owner=funded_owner).name == "twice.com"


def test_insufficient_credit_buys_nothing(owner, registry):
    fund(owner, 500)
    services.add_to_cart(owner=owner, name="pricey.com", years=1)
    with pytest.raises(InsufficientFunds) as error:
        services.checkout(owner=owner, idempotency_key="key-00000002", contact=CONTACT)
    assert error.value.message == (
        "This costs $12.00 but your balance is $5.00; add credit on the billing page first."
    )
    assert services.balance_cents(owner) == 500
    assert not Order.objects.exists()
    assert not registry_domain_exists("pricey.com")
    assert not HostedZone.objects.exists()
    assert CartItem.objects.filter(owner=owner).count() == 1


def registry_domain_exists(name: str) -> bool:
    return registry_models.DomainObject.objects.filter(name=name).exists()


def test_a_name_taken_meanwhile_is_never_charged(owner, other_user, registry):
    fund(owner)
    fund(other_user)
    services.add_to_cart(owner=owner, name="contested.com")
    services.add_to_cart(owner=other_user, name="contested.com")
    services.checkout(owner=owner, idempotency_key="key-00000003", contact=CONTACT)
    with pytest.raises(NameUnavailable) as error:
        services.checkout(owner=other_user, idempotency_key="key-00000004", contact=CONTACT)
    assert error.value.message == "contested.com is already registered"
    assert services.balance_cents(other_user) == 100_00
    assert not LedgerEntry.objects.filter(owner=other_user, kind="charge").exists()


def test_checkout_refuses_an_empty_cart_a_bad_key_and_a_missing_contact(funded_owner):
    with pytest.raises(RegistrarError, match=r"^Your cart is empty: search for a name and add it first\.$"):
        services.checkout(owner=funded_owner, idempotency_key="key-00000005", contact=CONTACT)
    with pytest.raises(RegistrarError, match="idempotency key: use 8 to 64 letters"):
        services.checkout(owner=funded_owner, idempotency_key="short", contact=CONTACT)
    services.add_to_cart(owner=funded_owner, name="nobody.com")
    with pytest.raises(RegistrarError) as error:
        services.checkout(
            owner=funded_owner, idempotency_key="key-00000006", contact={**CONTACT, "email": ""}
        )
    assert (error.value.field, error.value.message) == ("email", "email: the contact needs a e-mail address")


def test_cart_refuses_taken_reserved_invalid_names_and_bad_terms(funded_owner):
    buy(funded_owner, "mine.com")
    cases = [
        ("mine.com", 1, "mine.com is already registered"),
        ("nic.org", 1, "nic.org is reserved by the .org registry"),
        (
            "bad_name.com",
            1,
            "bad_name.com: the label bad_name contains '_', which is not a letter, digit or hyphen",
        ),
        ("fine.io", 6, "years: fine.io can be registered for 1 to 5 years"),
    ]
    for name, years, message in cases:
        with pytest.raises(RegistrarError) as error:
            services.add_to_cart(owner=funded_owner, name=name, years=years)
        assert error.value.message == message
    assert not CartItem.objects.exists()


def test_top_up_accepts_test_cards_and_declines_others(owner):
    entry = services.top_up(owner=owner, amount_cents=2500, card_number=TEST_CARD)
    assert (entry.kind, entry.amount_cents, entry.card_last4) == ("credit", 2500, "4242")
    cases = [
        ("4000 0000 0000 0002", "card ending 0002: the card was declined"),
        (
            "4111 1111 1111 1111",
            "card ending 1111: only test cards are accepted, such as 4242 4242 4242 4242",
        ),
        ("1234", "card number: 1234 is not a valid card number"),
    ]
    for number, message in cases:
        with pytest.raises(PaymentDeclined) as error:
            services.top_up(owner=owner, amount_cents=2500, card_number=number)
        assert error.value.message == message
    assert services.balance_cents(owner) == 2500


def test_search_suggests_across_tlds_with_prices(funded_owner):
    buy(funded_owner, "rocket.com")
    result = services.search_domains(query="rocket.com")
    assert (result.exact.name, result.exact.is_available, result.exact.reason) == (
        "rocket.com",
        False,
        "taken",
    )
    suggested = {offer.name: offer.yearly_price_cents for offer in result.suggestions}
    assert suggested["rocket.io"] == 3900 and suggested["rocket.net"] == 1400
    assert "getrocket.com" in suggested
    assert "rocket.com" not in suggested
    assert services.search_domains(query="bad_name").problem == (
        "bad_name: the label bad_name contains '_', which is not a letter, digit or hyphen"
    )


def _race(user_ids: list[int], name: str) -> list[str]:
    """Two threads, two connections: each user checks out `name` at the same time."""
    barrier = threading.Barrier(len(user_ids))
    outcomes: list[str] = []

    def attempt(user_id: int) -> None:
        try:
            user = User.objects.get(pk=user_id)
            barrier.wait()
            services.checkout(owner=user, idempotency_key=uuid.uuid4().hex, contact=CONTACT)
            outcomes.append("won")
        except NameUnavailable:
            outcomes.append("lost")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_users_racing_for_one_name_one_domain_one_charge():
    if connection.vendor != "postgresql":
        pytest.skip("the race needs two real concurrent connections: run with DATABASE_URL=postgres://...")
    ensure_registry_seed()
    users = [make_user(f"racer{i}@example.com") for i in range(2)]
    for user in users:
        fund(user)
        services.add_to_cart(owner=user, name="race.com")
    outcomes = _race([user.pk for user in users], "race.com")
    assert sorted(outcomes) == ["lost", "won"]
    assert registry_models.DomainObject.objects.filter(name="race.com").count() == 1
    assert Domain.objects.filter(name="race.com").count() == 1
    winner = Domain.objects.get(name="race.com").owner
    assert LedgerEntry.objects.filter(kind="charge").count() == 1
    assert LedgerEntry.objects.get(kind="charge").owner == winner
    loser = next(user for user in users if user.pk != winner.pk)
    assert services.balance_cents(loser) == 100_00
    assert HostedZone.objects.filter(name__startswith="race.com").count() == 1
    assert (
        commands.check_domains(client_id="nameplate", names_to_check=["race.com"]).data["results"][0][
            "reason"
        ]
        == "taken"
    )
