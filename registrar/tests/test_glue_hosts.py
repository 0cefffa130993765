"""Glue hosts: listed, changed and deleted (refused while a domain uses them), with the TLD zone following."""

import pytest

from registrar.models import Domain
from registrar.registry import models as registry_models
from registrar.registry.zonedata import build_tld_zone
from registrar.tests.conftest import buy

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


@pytest.fixture
def domain(funded_owner) -> Domain:
    buy(funded_owner, "glued.com")
    return Domain.objects.get(name="glued.com")


def glue(name: str) -> list[str]:
    """The A records the .com zone publishes for host `name`, parsed back with dnspython."""
    rdataset = build_tld_zone("com").get_rdataset(f"{name}.", "A")
    return sorted(rdata.address for rdata in rdataset) if rdataset else []


def test_glue_hosts_listed_changed_and_deleted_over_the_api(owner_api, domain):
    url = f"{BASE}/domains/{domain.pk}/glue-hosts"
    assert owner_api.get(url).json() == []
    created = owner_api.post(url, {"name": "ns1.glued.com", "addresses": ["192.0.2.1"]}, format="json")
    assert created.status_code == 201
    again = owner_api.post(url, {"name": "ns1.glued.com", "addresses": ["192.0.2.9"]}, format="json")
    assert again.json() == {"name": ["host ns1.glued.com already exists"]}
    owner_api.post(url, {"name": "ns2.glued.com", "addresses": ["192.0.2.2", "2001:db8::2"]}, format="json")
    assert owner_api.get(url).json() == [
        {"name": "ns1.glued.com", "addresses": ["192.0.2.1"], "is_linked": False},
        {"name": "ns2.glued.com", "addresses": ["192.0.2.2", "2001:db8::2"], "is_linked": False},
    ]
    owner_api.put(
        f"{BASE}/domains/{domain.pk}/name-servers",
        {"name_servers": ["ns1.glued.com", "ns2.glued.com"]},
        format="json",
    )
    assert glue("ns1.glued.com") == ["192.0.2.1"]

    changed = owner_api.put(f"{url}/ns1.glued.com", {"addresses": ["198.51.100.7"]}, format="json")
    assert changed.status_code == 200
    assert changed.json() == {"name": "ns1.glued.com", "addresses": ["198.51.100.7"], "is_linked": True}
    assert glue("ns1.glued.com") == ["198.51.100.7"]
    assert owner_api.get(f"{url}/ns1.glued.com").json()["addresses"] == ["198.51.100.7"]
    bad = owner_api.put(f"{url}/ns1.glued.com", {"addresses": ["300.1.2.3"]}, format="json")
    assert bad.json() == {"addresses": ["addresses: 300.1.2.3 is not an IPv4 or IPv6 address"]}
    assert owner_api.put(f"{url}/ns1.glued.com", {"addresses": []}, format="json").json() == {
        "addresses": ["Ensure this field has at least 1 elements."]
    }

    in_use = owner_api.delete(f"{url}/ns1.glued.com")
    assert in_use.status_code == 400
    assert in_use.json() == {"name": ["host ns1.glued.com is a name server of glued.com"]}
    assert registry_models.Host.objects.filter(name="ns1.glued.com").exists()

    owner_api.put(f"{BASE}/domains/{domain.pk}/name-servers", {"use_hosted_zone": True}, format="json")
    assert glue("ns1.glued.com") == []
    assert owner_api.delete(f"{url}/ns1.glued.com").status_code == 204
    assert not registry_models.Host.objects.filter(name="ns1.glued.com").exists()
    assert [host["name"] for host in owner_api.get(url).json()] == ["ns2.glued.com"]


def test_unknown_hosts_are_404_and_other_methods_405(owner_api, domain):
    url = f"{BASE}/domains/{domain.pk}/glue-hosts"
    assert owner_api.get(f"{url}/ns9.glued.com").status_code == 404
    assert (
        owner_api.put(f"{url}/ns9.glued.com", {"addresses": ["192.0.2.1"]}, format="json").status_code == 404
    )
    assert owner_api.delete(f"{url}/ns-0.other.com").status_code == 404
    owner_api.post(url, {"name": "ns1.glued.com", "addresses": ["192.0.2.1"]}, format="json")
    assert (
        owner_api.patch(f"{url}/ns1.glued.com", {"addresses": ["192.0.2.3"]}, format="json").status_code
        == 405
    )
    assert owner_api.delete(url).status_code == 405


def test_glue_hosts_in_the_console_change_and_delete(owner_client, domain):
    url = f"/domains/{domain.pk}/"
    owner_client.post(f"{url}glue/add/", {"name": "ns1.glued.com", "addresses": "192.0.2.1"})
    owner_client.post(f"{url}name-servers/", {"name_servers": "ns1.glued.com\nns.provider.test"})
    page = owner_client.get(url).content.decode()
    assert 'data-host="ns1.glued.com"' in page and 'value="192.0.2.1"' in page

    changed = owner_client.post(f"{url}glue/ns1.glued.com/update/", {"addresses": "192.0.2.5, 2001:db8::5"})
    assert changed.status_code == 302
    assert glue("ns1.glued.com") == ["192.0.2.5"]
    bad = owner_client.post(f"{url}glue/ns1.glued.com/update/", {"addresses": "nonsense"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "nonsense is not an IPv4 or IPv6 address" in html and "addresses: " not in html
    assert 'value="nonsense"' in html

    refused = owner_client.post(f"{url}glue/ns1.glued.com/delete/", follow=True)
    assert "host ns1.glued.com is a name server of glued.com" in refused.content.decode()
    owner_client.post(f"{url}name-servers/hosted-zone/")
    deleted = owner_client.post(f"{url}glue/ns1.glued.com/delete/", follow=True)
    assert "Host ns1.glued.com is deleted, with its glue." in deleted.content.decode()
    assert not registry_models.Host.objects.filter(name="ns1.glued.com").exists()
