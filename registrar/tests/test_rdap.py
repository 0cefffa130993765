"""RDAP (RFC 9083) answers and the console's WHOIS page."""

import pytest
from django.test import Client

from registrar import services
from registrar.models import Domain
from registrar.tests.conftest import buy

pytestmark = pytest.mark.django_db


def test_rdap_domain_answer_has_the_rfc_9083_shape_and_redacts_private_contacts(funded_owner):
    buy(funded_owner, "bücher.com")
    domain = Domain.objects.get()
    # A signed zone elsewhere, with a name server under the domain (glue): the hosted zone
    # here is unsigned and takes no DS record.
    services.create_glue_host(domain=domain, name="ns1.bücher.com", addresses=["192.0.2.53"])
    services.set_name_servers(domain=domain, name_servers=["ns1.xn--bcher-kva.com", "ns.provider.test"])
    services.add_ds_record(domain=domain, key_tag=7, algorithm=13, digest_type=2, digest="cd" * 32)
    response = Client().get("/rdap/domain/bücher.com")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rdap+json"
    body = response.json()
    assert body["rdapConformance"] == ["rdap_level_0", "redacted"]
    assert (body["objectClassName"], body["ldhName"], body["unicodeName"]) == (
        "domain",
        "xn--bcher-kva.com",
        "bücher.com",
    )
    assert body["status"] == ["client transfer prohibited"]
    actions = [event["eventAction"] for event in body["events"]]
    assert actions == ["registration", "expiration", "last changed", "last update of RDAP database"]
    assert all(event["eventDate"].endswith("Z") for event in body["events"])
    registrar, contact = body["entities"]
    assert registrar["roles"] == ["registrar"]
    assert registrar["publicIds"] == [{"type": "IANA Registrar ID", "identifier": "9001"}]
    assert contact["roles"] == ["registrant", "administrative", "technical"]
    assert contact["vcardArray"][1][1] == ["fn", {}, "text", "REDACTED FOR PRIVACY"]
    assert "Ada Lovelace" not in response.content.decode()
    assert "ada@example.com" not in response.content.decode()
    redacted = {entry["name"]["description"] for entry in body["redacted"]}
    assert {"Registrant Name", "Registrant Email", "Administrative Phone", "Technical Street"} <= redacted
    assert {entry["method"] for entry in body["redacted"]} == {"removal"}
    assert [ns["ldhName"] for ns in body["nameservers"]] == domain.name_servers
    assert body["nameservers"][0]["ipAddresses"] == {"v4": ["192.0.2.53"], "v6": []}
    assert "ipAddresses" not in body["nameservers"][1]
    assert body["secureDNS"] == {
        "delegationSigned": True,
        "dsData": [{"keyTag": 7, "algorithm": 13, "digestType": 2, "digest": "CD" * 32}],
    }
    assert body["links"][0]["rel"] == "self"


def test_rdap_shows_contacts_without_privacy(funded_owner):
    buy(funded_owner, "open.org")
    services.update_settings(domain=Domain.objects.get(), privacy=False)
    body = Client().get("/rdap/domain/open.org").json()
    contact = body["entities"][1]
    assert ["fn", {}, "text", "Ada Lovelace"] in contact["vcardArray"][1]
    assert ["email", {}, "text", "ada@example.com"] in contact["vcardArray"][1]
    assert "redacted" not in body


def test_rdap_unknown_and_bad_names_answer_in_rdap_form(registry):
    response = Client().get("/rdap/domain/nothing-here.com")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/rdap+json"
    assert response.json() == {
        "rdapConformance": ["rdap_level_0", "redacted"],
        "errorCode": 404,
        "title": "Not Found",
        "description": ["nothing-here.com is not registered at this registry."],
    }
    bad = Client().get("/rdap/domain/bad_name.com")
    assert bad.status_code == 400
    assert bad.json()["errorCode"] == 400
    assert Client().post("/rdap/domain/nothing-here.com").status_code == 405


def test_whois_page_shows_the_registry_record_anonymously(funded_owner):
    buy(funded_owner, "looked-up.dev")
    html = Client().get("/domains/whois/", {"name": "looked-up.dev"}).content.decode()
    assert "looked-up.dev" in html and "client transfer prohibited" in html
    assert "REDACTED FOR PRIVACY" in html and "Ada Lovelace" not in html
    missing = Client().get("/domains/whois/", {"name": "missing.dev"}).content.decode()
    assert "missing.dev is not registered at this registry." in missing
