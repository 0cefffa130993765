import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken
from accounts.testing import api_client_for, assert_hidden_from

pytestmark = pytest.mark.django_db


def test_token_authenticates_the_api_and_records_its_use(owner, owner_api):
    response = owner_api.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == owner.email
    assert ApiToken.objects.get(owner=owner).last_used_at is not None


def test_api_refuses_anonymous_and_unknown_tokens():
    assert APIClient().get("/api/v1/me").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer np_not-a-token")
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked API token."}


def test_token_created_through_the_api_is_shown_once_and_works(owner, owner_api):
    response = owner_api.post("/api/v1/tokens", {"name": "deploy"}, format="json")
    assert response.status_code == 201
    key = response.json()["token"]
    assert key.startswith("np_")
    stored = ApiToken.objects.get(owner=owner, name="deploy")
    assert stored.key_hash == ApiToken.hash_key(key)
    assert key not in str(ApiToken.objects.values_list())

    listed = owner_api.get("/api/v1/tokens").json()
    assert all("token" not in item for item in listed["results"])

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me").status_code == 200


def test_revoked_token_stops_working(owner, owner_api):
    response = owner_api.post("/api/v1/tokens", {"name": "temporary"}, format="json")
    token_id, key = response.json()["id"], response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me").status_code == 200

    assert owner_api.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert client.get("/api/v1/me").status_code == 401
    assert ApiToken.objects.get(pk=token_id).is_revoked


def test_bad_input_gets_field_errors(owner_api):
    response = owner_api.post("/api/v1/tokens", {"name": ""}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["This field may not be blank."]}

    owner_api.post("/api/v1/tokens", {"name": "ci"}, format="json")
    response = owner_api.post("/api/v1/tokens", {"name": "ci"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["You already have a token called ci."]}

    response = owner_api.patch("/api/v1/me", {"mobile_number": "12345"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "mobile_number": ["12345 is not a phone number in E.164 form, such as +14155550123"]
    }


def test_tokens_are_private_to_their_owner(owner, other_api, other_client):
    token, _ = services.create_api_token(owner=owner, name="mine")
    assert_hidden_from(
        other_api, [("get", f"/api/v1/tokens/{token.id}"), ("delete", f"/api/v1/tokens/{token.id}")]
    )
    assert_hidden_from(other_client, [("post", f"/account/tokens/{token.id}/revoke/")])
    assert not ApiToken.objects.get(pk=token.pk).is_revoked
    assert token.id not in [item["id"] for item in other_api.get("/api/v1/tokens").json()["results"]]


def test_wrong_method_is_refused(owner_api):
    assert owner_api.delete("/api/v1/me").status_code == 405


def test_token_list_is_paginated(owner):
    client = api_client_for(owner)
    for number in range(3):
        client.post("/api/v1/tokens", {"name": f"t{number}"}, format="json")
    page = client.get("/api/v1/tokens?page_size=2").json()
    assert page["count"] == 4
    assert len(page["results"]) == 2
    assert page["next"]


def test_api_is_throttled(owner, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    client = api_client_for(owner)
    statuses = [client.get("/api/v1/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_openapi_schema_and_docs_are_served_locally(owner_client):
    schema = owner_client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/me" in paths and "/api/v1/tokens" in paths
    docs = owner_client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
