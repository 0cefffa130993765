"""Access keys for the Route 53 API: the command, the Account page, encryption at rest, revoking."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import accesskeys
from accounts.models import AccessKey


def test_a_key_has_an_akia_id_and_a_40_character_secret_stored_encrypted(owner):
    access_key, secret = accesskeys.create_access_key(owner=owner, name="ci")
    assert access_key.access_key_id.startswith("AKIA") and len(access_key.access_key_id) == 20
    assert set(access_key.access_key_id[4:]) <= set(accesskeys.ACCESS_KEY_ALPHABET)
    assert len(secret) == 40
    stored = AccessKey.objects.get(pk=access_key.pk)
    assert secret not in stored.encrypted_secret
    assert accesskeys.decrypt_secret(stored) == secret


def test_a_secret_encrypted_under_another_secret_key_cannot_be_read(owner, settings):
    access_key, _secret = accesskeys.create_access_key(owner=owner)
    settings.SECRET_KEY = "another key entirely"
    assert accesskeys.decrypt_secret(access_key) is None


def test_revoked_and_expired_keys_are_not_found(owner):
    access_key, _ = accesskeys.create_access_key(owner=owner)
    assert accesskeys.find_active_access_key(access_key.access_key_id) == access_key
    accesskeys.revoke_access_key(access_key)
    assert accesskeys.find_active_access_key(access_key.access_key_id) is None


def test_a_scope_names_only_the_owner_s_zones(owner):
    with pytest.raises(accesskeys.AccessKeyError) as caught:
        accesskeys.create_access_key(owner=owner, zone_ids=[999])
    assert caught.value.message == "zone_ids: 999 is not one of your hosted zones"


def test_the_command_prints_env_lines_lists_and_revokes(owner):
    out = io.StringIO()
    call_command("accesskey", "create", owner.email, "--name", "deploy", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("AWS_ACCESS_KEY_ID=AKIA") and lines[1].startswith("AWS_SECRET_ACCESS_KEY=")
    key_id, secret = lines[0].split("=", 1)[1], lines[1].split("=", 1)[1]
    assert accesskeys.decrypt_secret(AccessKey.objects.get(access_key_id=key_id)) == secret
    out = io.StringIO()
    call_command("accesskey", "list", stdout=out)
    assert key_id in out.getvalue() and "active" in out.getvalue() and "deploy" in out.getvalue()
    call_command("accesskey", "revoke", key_id, stdout=io.StringIO())
    assert AccessKey.objects.get(access_key_id=key_id).is_revoked


def test_the_command_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match=r"There is no account nobody@example\.com\."):
        call_command("accesskey", "create", "nobody@example.com")


def test_the_access_keys_page_shows_the_secret_once_and_revokes(owner_client, owner):
    response = owner_client.post("/account/access-keys/", {"name": "terraform"})
    assert response.status_code == 200
    access_key = AccessKey.objects.get(owner=owner)
    page = response.content.decode()
    assert f"AWS_ACCESS_KEY_ID={access_key.access_key_id}" in page
    assert f"AWS_SECRET_ACCESS_KEY={accesskeys.decrypt_secret(access_key)}" in page
    again = owner_client.get("/account/access-keys/").content.decode()
    assert access_key.access_key_id in again and accesskeys.decrypt_secret(access_key) not in again
    response = owner_client.post(f"/account/access-keys/{access_key.pk}/revoke/")
    assert response.status_code == 302
    assert AccessKey.objects.get(pk=access_key.pk).is_revoked


def test_another_user_s_key_cannot_be_revoked(owner, other_client):
    access_key, _ = accesskeys.create_access_key(owner=owner)
    assert other_client.post(f"/account/access-keys/{access_key.pk}/revoke/").status_code == 404
    assert other_client.get(f"/account/access-keys/{access_key.pk}/revoke/").status_code in {404, 405}
    assert not AccessKey.objects.get(pk=access_key.pk).is_revoked
