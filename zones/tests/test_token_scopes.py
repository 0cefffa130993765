"""API tokens scoped to zones, read-only, expiring: used outside their scope, they get 403 naming it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as accounts
from zones import services
from zones.models import HostedZone

pytestmark = pytest.mark.django_db


def client_with(token_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_key}")
    return client


@pytest.fixture
def two_zones(owner):
    return (
        services.create_hosted_zone(owner=owner, name="kept.example"),
        services.create_hosted_zone(owner=owner, name="other.example"),
    )


def change(name: str, value: str) -> dict:
    return {
        "changes": [
            {"action": "UPSERT", "record_set": {"name": name, "type": "A", "ttl": 60, "values": [value]}}
        ]
    }


def test_a_zone_scoped_token_reaches_its_zone_and_nothing_else(owner, two_zones):
    kept, other = two_zones
    _, key = accounts.create_api_token(owner=owner, name="kept only", zone_ids=[kept.pk])
    api = client_with(key)

    listed = api.get("/api/v1/zones").json()["results"]
    assert [zone["id"] for zone in listed] == [kept.pk]
    assert api.get(f"/api/v1/zones/{kept.pk}").status_code == 200
    assert (
        api.post(f"/api/v1/zones/{kept.pk}/changes", change("www", "192.0.2.1"), format="json").status_code
        == 201
    )

    for method, path, body in [
        ("get", f"/api/v1/zones/{other.pk}", None),
        ("get", f"/api/v1/zones/{other.pk}/rrsets", None),
        ("post", f"/api/v1/zones/{other.pk}/changes", change("www", "192.0.2.2")),
        ("delete", f"/api/v1/zones/{other.pk}", None),
        ("post", "/api/v1/zones", {"name": "new.example"}),
        ("get", "/api/v1/healthchecks", None),
        ("get", "/api/v1/domains", None),
        ("get", "/api/v1/tokens", None),
    ]:
        response = getattr(api, method)(path, body, format="json")
        assert response.status_code == 403, (method, path, response.status_code)
        assert "zones kept.example." in response.json()["detail"], (path, response.json())
    assert not other.record_sets.filter(name="www.other.example.").exists()
    assert not HostedZone.objects.filter(name="new.example.").exists()


def test_a_read_only_token_reads_and_cannot_write(owner, two_zones):
    kept, _ = two_zones
    _, key = accounts.create_api_token(owner=owner, name="reader", is_read_only=True)
    api = client_with(key)
    assert api.get(f"/api/v1/zones/{kept.pk}/rrsets").status_code == 200
    response = api.post(f"/api/v1/zones/{kept.pk}/changes", change("www", "192.0.2.1"), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "this token is read-only (scope: all hosted zones, read-only)"
    assert not kept.record_sets.filter(name="www.kept.example.").exists()


def test_an_expired_token_is_refused_with_its_date(owner, two_zones):
    token, key = accounts.create_api_token(
        owner=owner, name="short", expires_at=timezone.now() + timedelta(minutes=1)
    )
    api = client_with(key)
    assert api.get("/api/v1/zones").status_code == 200
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save(update_fields=["expires_at"])
    response = api.get("/api/v1/zones")
    assert response.status_code == 401
    assert "This API token expired on" in response.json()["detail"]


def test_a_token_cannot_be_scoped_to_another_users_zone(owner, other_user, other_api):
    theirs = services.create_hosted_zone(owner=owner, name="theirs.example")
    response = other_api.post("/api/v1/tokens", {"name": "sneaky", "zone_ids": [theirs.pk]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"zone_ids": [f"zone_ids: {theirs.pk} is not one of your hosted zones"]}


def test_the_token_page_creates_a_scoped_read_only_expiring_token(owner, owner_client, two_zones):
    kept, _ = two_zones
    response = owner_client.post(
        "/account/tokens/",
        {"name": "deploy", "is_read_only": "1", "zone_ids": [str(kept.pk)], "expires_in_days": "30"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "zones kept.example., read-only" in html
    token = owner.api_tokens.get(name="deploy")
    assert token.zone_ids == [kept.pk] and token.is_read_only
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
