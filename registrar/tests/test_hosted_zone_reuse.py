"""A domain goes with the owner's own hosted zone of its name: never a silent second zone.

`uses_hosted_zone` is true only while the registry delegates to that zone's four name servers.
"""

import pytest

from registrar import peer
from registrar.models import Domain
from registrar.registry import models as registry_models
from registrar.registry.zonedata import build_tld_zone
from registrar.tests.conftest import CONTACT, fund
from zones.models import HostedZone

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


def create_zone(api, name: str, records: int = 0) -> dict:
    """A hosted zone made through the zones API, with `records` A record sets."""
    zone = api.post(f"{BASE}/zones", {"name": name}).json()
    changes = [
        {
            "action": "CREATE",
            "record_set": {
                "name": f"host{index}",
                "type": "A",
                "ttl": 300,
                "values": [f"192.0.2.{index + 1}"],
            },
        }
        for index in range(records)
    ]
    if changes:
        assert (
            api.post(f"{BASE}/zones/{zone['id']}/changes", {"changes": changes}, format="json").status_code
            == 201
        )
    return zone


def zone_hosts(zone_id: int) -> list[str]:
    return sorted(host.rstrip(".") for host in HostedZone.objects.get(pk=zone_id).name_servers)


def tld_delegation(name: str) -> list[str]:
    """The NS targets the TLD zone publishes for `name`, parsed back with dnspython."""
    rdataset = build_tld_zone(name.rsplit(".", 1)[-1]).get_rdataset(f"{name}.", "NS")
    return sorted(rdata.target.to_text().rstrip(".") for rdata in rdataset) if rdataset else []


def buy_over_the_api(api, name: str, key: str) -> Domain:
    assert api.post(f"{BASE}/cart", {"name": name}).status_code == 201
    response = api.post(f"{BASE}/checkout", {"idempotency_key": key, "contact": CONTACT}, format="json")
    assert response.status_code == 201, response.json()
    return Domain.objects.get(name=name, state=Domain.ACTIVE)


def transfer_in_over_the_api(api, name: str, auth_code: str, key: str) -> dict:
    payload = {"name": name, "auth_code": auth_code, "idempotency_key": key, "contact": CONTACT}
    response = api.post(f"{BASE}/domains/transfer-in", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_buying_a_name_whose_zone_exists_reuses_that_zone(
    owner_api, owner, registry, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    fund(owner)
    zone = create_zone(owner_api, "already-hosted.com", records=2)
    with django_capture_on_commit_callbacks(execute=True):
        domain = buy_over_the_api(owner_api, "already-hosted.com", "reuse-order-1")
    assert HostedZone.objects.filter(owner=owner, name="already-hosted.com.").count() == 1
    detail = owner_api.get(f"{BASE}/domains/{domain.pk}").json()
    assert (detail["hosted_zone"], detail["uses_hosted_zone"]) == (zone["id"], True)
    assert sorted(detail["name_servers"]) == zone_hosts(zone["id"])
    assert tld_delegation("already-hosted.com") == zone_hosts(zone["id"])
    (receipt,) = mailoutbox_smtp.wait_for(1)
    assert (
        "already-hosted.com uses your existing hosted zone "
        f"already-hosted.com. (#{zone['id']}, 4 record sets)." in receipt.get_body(("plain",)).get_content()
    )


def test_buying_with_several_zones_of_the_name_takes_the_fullest_and_says_which(
    owner_api, owner, registry, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    fund(owner)
    create_zone(owner_api, "twice-hosted.net")
    fuller = create_zone(owner_api, "twice-hosted.net", records=3)
    with django_capture_on_commit_callbacks(execute=True):
        domain = buy_over_the_api(owner_api, "twice-hosted.net", "reuse-order-2")
    assert HostedZone.objects.filter(owner=owner, name="twice-hosted.net.").count() == 2
    assert domain.hosted_zone_id == fuller["id"] and domain.uses_hosted_zone
    assert tld_delegation("twice-hosted.net") == zone_hosts(fuller["id"])
    (receipt,) = mailoutbox_smtp.wait_for(1)
    assert (
        "twice-hosted.net uses your existing hosted zone "
        f"twice-hosted.net. (#{fuller['id']}, 5 record sets), "
        "the fullest of your 2 zones of that name; choose another on the domain's page."
    ) in receipt.get_body(("plain",)).get_content()


def test_transfer_in_keeps_the_old_name_servers_then_use_hosted_zone_reuses_the_zone(
    owner_api, owner, registry, django_capture_on_commit_callbacks
):
    fund(owner)
    zone = create_zone(owner_api, "coming-home.org", records=1)
    code = peer.register(name="coming-home.org", name_servers=("ns1.oldhost.test", "ns2.oldhost.test"))
    created = transfer_in_over_the_api(owner_api, "coming-home.org", code, "reuse-transfer-1")
    assert (created["state"], created["uses_hosted_zone"], created["hosted_zone"]) == (
        "transfer_in",
        False,
        None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        peer.approve_transfer(name="coming-home.org")

    detail = owner_api.get(f"{BASE}/domains/{created['id']}").json()
    # The delegation is what the domain came with; our zone of that name is attached, not used.
    assert detail["state"] == "active"
    assert detail["name_servers"] == ["ns1.oldhost.test", "ns2.oldhost.test"]
    assert (detail["hosted_zone"], detail["uses_hosted_zone"]) == (zone["id"], False)
    assert tld_delegation("coming-home.org") == ["ns1.oldhost.test", "ns2.oldhost.test"]

    url = f"{BASE}/domains/{created['id']}/name-servers"
    used = owner_api.put(url, {"use_hosted_zone": True}, format="json")
    assert used.status_code == 200
    assert (used.json()["hosted_zone"], used.json()["uses_hosted_zone"]) == (zone["id"], True)
    assert HostedZone.objects.filter(owner=owner, name="coming-home.org.").count() == 1
    assert tld_delegation("coming-home.org") == zone_hosts(zone["id"])


def test_transfer_in_with_several_zones_of_the_name_asks_which_one(
    owner_api, owner, registry, django_capture_on_commit_callbacks
):
    fund(owner)
    first = create_zone(owner_api, "many-zones.dev")
    second = create_zone(owner_api, "many-zones.dev", records=1)
    code = peer.register(name="many-zones.dev", name_servers=("ns1.oldhost.test", "ns2.oldhost.test"))
    created = transfer_in_over_the_api(owner_api, "many-zones.dev", code, "reuse-transfer-2")
    with django_capture_on_commit_callbacks(execute=True):
        peer.approve_transfer(name="many-zones.dev")
    assert owner_api.get(f"{BASE}/domains/{created['id']}").json()["hosted_zone"] is None

    url = f"{BASE}/domains/{created['id']}/name-servers"
    ambiguous = owner_api.put(url, {"use_hosted_zone": True}, format="json")
    assert ambiguous.status_code == 400
    assert ambiguous.json() == {
        "hosted_zone": [
            "hosted zone: you host 2 zones named many-zones.dev. here: "
            f"many-zones.dev. (#{first['id']}, 2 record sets), "
            f"many-zones.dev. (#{second['id']}, 3 record sets); choose the one to delegate to."
        ]
    }
    theirs = owner_api.put(url, {"use_hosted_zone": True, "hosted_zone": 999999}, format="json")
    assert theirs.json() == {
        "hosted_zone": ["hosted zone: you have no public hosted zone #999999 named many-zones.dev."]
    }
    chosen = owner_api.put(url, {"use_hosted_zone": True, "hosted_zone": first["id"]}, format="json")
    assert (chosen.json()["hosted_zone"], chosen.json()["uses_hosted_zone"]) == (first["id"], True)
    assert HostedZone.objects.filter(owner=owner, name="many-zones.dev.").count() == 2
    assert tld_delegation("many-zones.dev") == zone_hosts(first["id"])


def test_transfer_out_and_back_finds_the_same_zone_in_use(
    owner_api, owner, registry, django_capture_on_commit_callbacks
):
    fund(owner)
    domain = buy_over_the_api(owner_api, "round-trip.com", "reuse-order-3")
    zone_id = domain.hosted_zone_id
    url = f"{BASE}/domains/{domain.pk}"
    owner_api.patch(f"{url}/settings", {"transfer_lock": False}, format="json")
    code = owner_api.get(f"{url}/auth-code").json()["auth_code"]
    owner_api.post(f"{url}/transfer-out", {"auth_code": code})
    assert owner_api.post(f"{url}/transfer-out/approve").json()["state"] == "transferred_out"
    # Elsewhere Names keeps the delegation: still our zone's four name servers.
    assert tld_delegation("round-trip.com") == zone_hosts(zone_id)

    back_code = registry_models.DomainObject.objects.get(name="round-trip.com").auth_code
    peer.set_transfer_lock(name="round-trip.com", locked=False)
    created = transfer_in_over_the_api(owner_api, "round-trip.com", back_code, "reuse-transfer-3")
    with django_capture_on_commit_callbacks(execute=True):
        peer.approve_transfer(name="round-trip.com")
    detail = owner_api.get(f"{BASE}/domains/{created['id']}").json()
    assert (detail["state"], detail["hosted_zone"], detail["uses_hosted_zone"]) == ("active", zone_id, True)
    assert HostedZone.objects.filter(owner=owner, name="round-trip.com.").count() == 1
    assert tld_delegation("round-trip.com") == zone_hosts(zone_id)


def test_the_console_lets_the_owner_choose_among_zones_of_the_name(owner_api, owner_client, owner, registry):
    fund(owner)
    domain = buy_over_the_api(owner_api, "chooser.io", "reuse-order-4")
    bought_with = domain.hosted_zone_id
    other = create_zone(owner_api, "chooser.io", records=1)
    owner_client.post(
        f"/domains/{domain.pk}/name-servers/", {"name_servers": "ns1.provider.test\nns2.provider.test"}
    )
    page = owner_client.get(f"/domains/{domain.pk}/").content.decode()
    assert "You host 2 zones named chooser.io. here; choose the one to delegate to." in page
    assert f'<option value="{other["id"]}">chooser.io. (#{other["id"]}, 3 record sets)</option>' in page
    assert f'<option value="{bought_with}" selected>' in page

    chosen = owner_client.post(
        f"/domains/{domain.pk}/name-servers/hosted-zone/", {"hosted_zone": other["id"]}, follow=True
    )
    assert (
        "The registry now delegates the domain to your hosted zone "
        f"chooser.io. (#{other['id']}, 3 record sets)." in chosen.content.decode()
    )
    domain.refresh_from_db()
    assert domain.hosted_zone_id == other["id"] and domain.uses_hosted_zone
    assert tld_delegation("chooser.io") == zone_hosts(other["id"])
