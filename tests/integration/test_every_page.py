"""Every console page has a title, a short explanation of the Route 53 concept behind it, and
never fails for a user with data or for a new user with none (who sees what to do instead)."""

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from console.demo import DEMO_EMAIL
from healthchecks.models import HealthCheck
from registrar.models import Domain
from zones.models import HostedZone

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("api/", "admin/", "rdap/", "account/verify/", "account/password-reset/")


def console_paths(resolver=None, prefix: str = "") -> list[str]:
    """Paths of every console page that takes no argument."""
    paths = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(SKIPPED_PREFIXES) or "<" in route or route.endswith(".json"):
            continue
        if isinstance(entry, URLResolver):
            paths += console_paths(entry, route)
        elif isinstance(entry, URLPattern) and route.endswith(("/", "")) is not False:
            paths.append("/" + route.lstrip("^").rstrip("$"))
    return sorted(set(paths))


def assert_nothing_the_policy_blocks(html: str, path: str) -> None:
    """The Content-Security-Policy allows only our own files: no inline script or style."""
    assert "<style" not in html and " style=" not in html, f"{path} has an inline style"
    assert "<script>" not in html, f"{path} has an inline script"
    assert not re.search(r"<[^>]+\son[a-z]+=", html), f"{path} has an inline event handler"


# Pages only staff (the operator) may see: everyone else gets 404, as for a page that is not there.
STAFF_ONLY = ("/domains/registry-clock/",)


def test_pages_without_arguments_explain_themselves(client, owner):
    call_command("demo")
    user = User.objects.get(email=DEMO_EMAIL)
    client.force_login(user)
    paths = console_paths()
    assert len(paths) > 15, paths
    for path in paths:
        response = client.get(path)
        if path in STAFF_ONLY:
            assert response.status_code == 404, f"{path}: staff only, yet {response.status_code}"
            continue
        assert_explains_itself(response, path)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    for path in STAFF_ONLY:
        assert_explains_itself(client.get(path), path)


def assert_explains_itself(response, path: str) -> None:
    if response.status_code in (301, 302, 405):
        return
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    html = response.content.decode()
    if "<title>" not in html:
        return  # a fragment or file download, not a page
    assert "<h1" in html, f"{path} has no heading"
    assert 'class="lead"' in html or 'class="hero"' in html, f"{path} does not explain itself"
    assert_nothing_the_policy_blocks(html, path)


def test_detail_pages_explain_themselves(client):
    call_command("demo")
    user = User.objects.get(email=DEMO_EMAIL)
    client.force_login(user)
    paths = [
        f"/domains/{Domain.objects.filter(owner=user).first().pk}/",
        f"/zones/{HostedZone.objects.filter(owner=user).first().pk}/",
        f"/healthchecks/{HealthCheck.objects.filter(owner=user).first().pk}/",
    ]
    for path in paths:
        html = client.get(path).content.decode()
        assert 'class="lead"' in html, f"{path} does not explain itself"
        assert_nothing_the_policy_blocks(html, path)


def test_a_new_user_sees_what_to_do_on_every_list(owner_client):
    for path in ("/domains/", "/zones/", "/healthchecks/", "/alerts/", "/tools/test-answer/", "/dashboard/"):
        response = owner_client.get(path)
        assert response.status_code == 200, path
        assert 'class="empty"' in response.content.decode(), f"{path} has no empty state"
