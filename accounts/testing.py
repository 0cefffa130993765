"""Test helpers shared by every app: personas, API clients, the isolation check.

Loaded for the whole suite by the top-level conftest.py. Usage in an app's tests:

    def test_zone_pages_are_private(owner, other_client):
        zone = make_zone(owner)
        assert_hidden_from(other_client, [("get", f"/zones/{zone.id}/"), ("post", f"/zones/{zone.id}/del/")])
"""

import json
from collections.abc import Iterable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import User
from kernel import ratelimit
from kernel.smtp_sink import SmtpSink

PASSWORD = "correct-horse-battery-53"


def make_user(email: str, *, verified: bool = True, password: str = PASSWORD) -> User:
    return User.objects.create_user(
        email=email, password=password, email_verified_at=timezone.now() if verified else None
    )


def api_client_for(user: User) -> APIClient:
    """An API client that authenticates with a fresh API token of `user`."""
    _, key = services.create_api_token(owner=user, name=f"test token {User.objects.count()}-{user.pk}")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def assert_hidden_from(client: Client | APIClient, requests: Iterable[tuple]) -> None:
    """Assert that every request answers 404 for `client`, who does not own the object.

    Each request is (method, url) or (method, url, data); data is sent as JSON.
    """
    for request in requests:
        method, url, *rest = request
        data = rest[0] if rest else None
        kwargs: dict[str, Any] = {}
        if data is not None:
            kwargs = {"data": json.dumps(data), "content_type": "application/json"}
        response = getattr(client, method.lower())(url, **kwargs)
        assert response.status_code == 404, (
            f"{method.upper()} {url} answered {response.status_code} to another user, expected 404"
        )


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache, so throttling counts don't leak between tests."""
    from django.conf import settings
    from django.core.cache import cache

    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    client = cache._cache.get_client(write=True)
    keys = [*client.scan_iter(f"{prefix}:*"), *client.scan_iter(f"{ratelimit.KEY_PREFIX}*")]
    if keys:
        client.delete(*keys)


@pytest.fixture
def owner(db) -> User:
    return make_user("owner@example.com")


@pytest.fixture
def other_user(db) -> User:
    return make_user("other@example.com")


@pytest.fixture
def owner_client(owner: User) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def other_client(other_user: User) -> Client:
    client = Client()
    client.force_login(other_user)
    return client


@pytest.fixture
def owner_api(owner: User) -> APIClient:
    return api_client_for(owner)


@pytest.fixture
def other_api(other_user: User) -> APIClient:
    return api_client_for(other_user)


@pytest.fixture
def mailoutbox_smtp(settings):
    """Mail sent through a real local SMTP server (aiosmtpd); yields the list of received messages."""
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = sink.host
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        yield sink
