"""Route 53 Domains (JSON protocol) through boto3's route53domains client."""

import pytest
from botocore.exceptions import ClientError

from accounts import accesskeys
from registrar import peer
from registrar import services as registrar
from registrar.models import Domain
from registrar.registry.seed import ensure_registry_seed
from route53.tests.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)
CARD = "4242 4242 4242 4242"
CONTACT = {
    "FirstName": "Test",
    "LastName": "Owner",
    "Email": "owner@example.com",
    "PhoneNumber": "+82.212345678",
    "AddressLine1": "1 Main St",
    "City": "Seoul",
    "ZipCode": "04524",
    "CountryCode": "KR",
    "ContactType": "PERSON",
}


@pytest.fixture
def route53domains(live_server, access_key):
    ensure_registry_seed()
    return client_for(live_server.url, *access_key, service="route53domains")


def test_availability_prices_and_suggestions(route53domains):
    assert (
        route53domains.check_domain_availability(DomainName="fresh-name-53.com")["Availability"]
        == "AVAILABLE"
    )
    prices = route53domains.list_prices()["Prices"]
    assert prices and all(price["RegistrationPrice"]["Currency"] == "USD" for price in prices)
    suggestions = route53domains.get_domain_suggestions(
        DomainName="fresh-name-53.com", SuggestionCount=3, OnlyAvailable=True
    )
    assert 0 < len(suggestions["SuggestionsList"]) <= 3


def test_register_a_domain_charges_the_ledger_and_the_operation_is_read_back(route53domains, owner):
    registrar.top_up(owner=owner, amount_cents=100_000, card_number=CARD)
    before = registrar.balance_cents(owner)
    operation_id = route53domains.register_domain(
        DomainName="bought-53.com",
        DurationInYears=1,
        AdminContact=CONTACT,
        RegistrantContact=CONTACT,
        TechContact=CONTACT,
        AutoRenew=False,
    )["OperationId"]
    assert registrar.balance_cents(owner) < before
    detail = route53domains.get_operation_detail(OperationId=operation_id)
    assert (detail["Status"], detail["Type"], detail["DomainName"]) == (
        "SUCCESSFUL",
        "REGISTER_DOMAIN",
        "bought-53.com",
    )
    assert [op["OperationId"] for op in route53domains.list_operations()["Operations"]] == [operation_id]
    assert [d["DomainName"] for d in route53domains.list_domains()["Domains"]] == ["bought-53.com"]
    domain_detail = route53domains.get_domain_detail(DomainName="bought-53.com")
    assert domain_detail["AutoRenew"] is False and len(domain_detail["Nameservers"]) == 4
    route53domains.enable_domain_auto_renew(DomainName="bought-53.com")
    assert Domain.objects.get(name="bought-53.com").auto_renew is True
    assert route53domains.retrieve_domain_auth_code(DomainName="bought-53.com")["AuthCode"]
    lock = route53domains.disable_domain_transfer_lock(DomainName="bought-53.com")["OperationId"]
    assert route53domains.get_operation_detail(OperationId=lock)["Type"] == "DOMAIN_LOCK"
    assert Domain.objects.get(name="bought-53.com").transfer_lock is False
    route53domains.update_domain_contact_privacy(
        DomainName="bought-53.com", AdminPrivacy=False, TechPrivacy=False
    )
    assert Domain.objects.get(name="bought-53.com").privacy is False
    with pytest.raises(ClientError) as caught:
        route53domains.update_domain_nameservers(
            DomainName="bought-53.com", Nameservers=[{"Name": "ns1.nowhere.invalid"}]
        )
    assert "at least two name servers" in caught.value.response["Error"]["Message"]


def test_register_without_funds_is_refused_and_nothing_is_bought(route53domains, owner):
    with pytest.raises(ClientError) as caught:
        route53domains.register_domain(
            DomainName="poor-53.com",
            DurationInYears=1,
            AdminContact=CONTACT,
            RegistrantContact=CONTACT,
            TechContact=CONTACT,
        )
    assert caught.value.response["Error"]["Code"] == "InvalidInput"
    assert not Domain.objects.filter(name="poor-53.com").exists()


def test_another_account_s_domain_is_not_found(route53domains, live_server, other_user):
    other = client_for(
        live_server.url, *accesskeys.create_access_key(owner=other_user), service="route53domains"
    )
    with pytest.raises(ClientError) as caught:
        other.get_domain_detail(DomainName="bought-53.com")
    assert caught.value.response["Error"]["Code"] == "InvalidInput"


def test_an_operation_not_served_is_invalid_action(route53domains):
    with pytest.raises(ClientError) as caught:
        route53domains.list_tags_for_domain(DomainName="x.com")
    assert caught.value.response["Error"]["Code"] == "InvalidAction"


def test_the_console_home_page_still_answers_at_the_root(client, db):
    assert client.get("/").status_code in {200, 302}


@pytest.fixture
def bought(route53domains, owner) -> str:
    registrar.top_up(owner=owner, amount_cents=100_000, card_number=CARD)
    route53domains.register_domain(
        DomainName="contacts-53.com",
        DurationInYears=1,
        AdminContact=CONTACT,
        RegistrantContact=CONTACT,
        TechContact=CONTACT,
    )
    return "contacts-53.com"


def test_update_domain_contact_replaces_the_contacts_given(route53domains, bought):
    new_tech = {**CONTACT, "FirstName": "Tech", "LastName": "Person", "Email": "tech@example.com"}
    operation_id = route53domains.update_domain_contact(DomainName=bought, TechContact=new_tech)[
        "OperationId"
    ]
    detail = route53domains.get_operation_detail(OperationId=operation_id)
    assert (detail["Status"], detail["Type"], detail["DomainName"]) == (
        "SUCCESSFUL",
        "UPDATE_DOMAIN_CONTACT",
        bought,
    )
    contacts = {c.role: c for c in Domain.objects.get(name=bought).contacts.all()}
    assert (contacts["tech"].name, contacts["tech"].email) == ("Tech Person", "tech@example.com")
    assert contacts["registrant"].email == "owner@example.com"
    assert contacts["tech"].handle and contacts["tech"].handle != contacts["registrant"].handle


def test_a_bad_contact_is_invalid_input_naming_its_field_and_changes_nothing(route53domains, bought):
    before = {c.role: (c.handle, c.email) for c in Domain.objects.get(name=bought).contacts.all()}
    with pytest.raises(ClientError) as caught:
        route53domains.update_domain_contact(
            DomainName=bought,
            AdminContact={**CONTACT, "Email": "admin@example.com"},
            TechContact={**CONTACT, "Email": ""},
        )
    assert caught.value.response["Error"]["Code"] == "InvalidInput"
    assert caught.value.response["Error"]["Message"].startswith("TechContact.Email: ")
    assert {c.role: (c.handle, c.email) for c in Domain.objects.get(name=bought).contacts.all()} == before


def test_another_account_cannot_update_your_contacts(route53domains, bought, live_server, other_user):
    other = client_for(
        live_server.url, *accesskeys.create_access_key(owner=other_user), service="route53domains"
    )
    with pytest.raises(ClientError) as caught:
        other.update_domain_contact(DomainName=bought, TechContact={**CONTACT, "Email": "evil@example.com"})
    assert caught.value.response["Error"]["Code"] == "InvalidInput"
    assert "not found in your account" in caught.value.response["Error"]["Message"]
    assert Domain.objects.get(name=bought).contacts.get(role="tech").email == "owner@example.com"


def test_transfer_domain_with_its_auth_code_and_follow_the_operation(route53domains, owner):
    registrar.top_up(owner=owner, amount_cents=100_000, card_number=CARD)
    before = registrar.balance_cents(owner)
    code = peer.register(name="moving-53.org", name_servers=("ns1.oldhost.test", "ns2.oldhost.test"))
    with pytest.raises(ClientError) as caught:
        route53domains.transfer_domain(
            DomainName="moving-53.org",
            DurationInYears=1,
            AuthCode="wrong-code",
            AdminContact=CONTACT,
            RegistrantContact=CONTACT,
            TechContact=CONTACT,
        )
    assert caught.value.response["Error"]["Code"] == "InvalidInput"
    assert caught.value.response["Error"]["Message"].startswith("AuthCode: ")
    assert registrar.balance_cents(owner) == before
    operation_id = route53domains.transfer_domain(
        DomainName="moving-53.org",
        DurationInYears=1,
        AuthCode=code,
        AdminContact=CONTACT,
        RegistrantContact=CONTACT,
        TechContact=CONTACT,
    )["OperationId"]
    assert registrar.balance_cents(owner) < before
    detail = route53domains.get_operation_detail(OperationId=operation_id)
    assert (detail["Status"], detail["Type"], detail["DomainName"]) == (
        "IN_PROGRESS",
        "TRANSFER_IN_DOMAIN",
        "moving-53.org",
    )
    peer.approve_transfer(name="moving-53.org")
    assert route53domains.get_operation_detail(OperationId=operation_id)["Status"] == "SUCCESSFUL"
    assert Domain.objects.get(name="moving-53.org").state == Domain.ACTIVE
    assert operation_id in [op["OperationId"] for op in route53domains.list_operations()["Operations"]]


def test_a_transfer_with_a_bad_contact_names_the_field(route53domains, owner):
    registrar.top_up(owner=owner, amount_cents=100_000, card_number=CARD)
    code = peer.register(name="moving-54.org", name_servers=("ns1.oldhost.test", "ns2.oldhost.test"))
    with pytest.raises(ClientError) as caught:
        route53domains.transfer_domain(
            DomainName="moving-54.org",
            DurationInYears=1,
            AuthCode=code,
            AdminContact=CONTACT,
            RegistrantContact={**CONTACT, "CountryCode": ""},
            TechContact=CONTACT,
        )
    assert caught.value.response["Error"]["Message"].startswith("RegistrantContact.CountryCode: ")
    assert not Domain.objects.filter(name="moving-54.org").exists()
