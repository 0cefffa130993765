"""The web process's token cache: one read per API_TOKEN_CACHE_SECONDS, never a stale refusal or grant.

A token is read with its owner once and reused for the cache time; a token or account
saved in this process (revoked, disabled) is refused at its next use; a change this
process cannot see (another web process's, written here without signals) is seen once
the cache time has passed; a request never shares its token or user objects with another.
"""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import authentication, services
from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def client_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def token_reads(queries: CaptureQueriesContext) -> int:
    return sum(1 for query in queries.captured_queries if 'FROM "accounts_apitoken"' in query["sql"])


def test_a_token_is_read_once_within_the_cache_time_and_again_after_it(owner, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0.3
    _, key = services.create_api_token(owner=owner, name="cached")
    client = client_for(key)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert client.get("/api/v1/me").status_code == 200
    assert token_reads(queries) == 1
    time.sleep(0.35)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me").status_code == 200
    assert token_reads(queries) == 1


def test_a_token_revoked_in_this_process_is_refused_at_its_next_use(owner):
    token, key = services.create_api_token(owner=owner, name="revoked")
    client = client_for(key)
    assert client.get("/api/v1/me").status_code == 200
    services.revoke_api_token(token)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked API token."}


def test_an_account_disabled_in_this_process_is_refused_at_once(owner):
    _, key = services.create_api_token(owner=owner, name="disabled")
    client = client_for(key)
    assert client.get("/api/v1/me").status_code == 200
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert client.get("/api/v1/me").json() == {"detail": "This account is disabled."}


def test_a_revocation_this_process_cannot_see_is_refused_once_the_cache_time_has_passed(owner, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0.3
    token, key = services.create_api_token(owner=owner, name="elsewhere")
    client = client_for(key)
    assert client.get("/api/v1/me").status_code == 200
    # What another web process's revocation looks like from here: the row changes, no signal.
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    time.sleep(0.35)
    assert client.get("/api/v1/me").status_code == 401


def test_each_request_gets_its_own_token_and_user_objects(owner, rf):
    _, key = services.create_api_token(owner=owner, name="copies")
    request = rf.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    first_user, first_token = authentication.ApiTokenAuthentication().authenticate(request)
    first_user.note = "set by the first request"
    second_user, second_token = authentication.ApiTokenAuthentication().authenticate(request)
    assert second_user == first_user and second_token == first_token
    assert second_user is not first_user and second_token is not first_token
    assert not hasattr(second_user, "note")


def test_unknown_keys_are_not_kept(owner):
    authentication._read_tokens.clear()
    for number in range(50):
        assert client_for(f"np_guess-{number}").get("/api/v1/me").status_code == 401
    assert authentication._read_tokens == {}
