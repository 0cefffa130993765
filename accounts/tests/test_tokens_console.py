import pytest

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_console_token_is_shown_once_then_revoked(owner, owner_client):
    response = owner_client.post("/account/tokens/", {"name": "laptop"})
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get(owner=owner, name="laptop")
    assert f'id="new-token">{token.prefix}' in html

    again = owner_client.get("/account/tokens/").content.decode()
    assert 'id="new-token"' not in again
    assert "laptop" in again

    response = owner_client.post(f"/account/tokens/{token.id}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked
    assert owner_client.get(f"/account/tokens/{token.id}/revoke/").status_code == 405


def test_console_token_needs_a_name(owner_client):
    response = owner_client.post("/account/tokens/", {"name": ""})
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()
