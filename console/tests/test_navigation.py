"""The top navigation, the change-password form, the token page's instructions and our own
error pages (with DEBUG off, as in production)."""

import pytest
from django.test import Client, RequestFactory, override_settings
from django.views.defaults import server_error

from accounts.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_billing_is_in_the_top_navigation(owner_client):
    html = owner_client.get("/dashboard/").content.decode()
    nav = html.split('<nav class="nav"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/billing/"' in nav and ">Billing</a>" in nav
    billing = owner_client.get("/billing/").content.decode()
    assert 'href="/billing/" class="active" aria-current="page"' in billing


def test_change_password_asks_for_the_old_one_and_keeps_the_session():
    user = make_user("change@example.com")
    client = Client()
    client.force_login(user)
    page = client.get("/account/profile/").content.decode()
    assert (
        'href="/account/password/"' in page
        and "password-reset" not in page.split('aria-label="Account"')[1].split("</nav>")[0]
    )
    form = client.get("/account/password/").content.decode()
    assert 'name="old_password"' in form and 'name="new_password1"' in form and 'name="new_password2"' in form

    wrong = client.post(
        "/account/password/",
        {"old_password": "not-it", "new_password1": "a-new-pass-53!", "new_password2": "a-new-pass-53!"},
    )
    assert wrong.status_code == 200
    old_field = wrong.content.decode().split('id="field-old_password"')[1].split("</div>")[0]
    assert "Your old password was entered incorrectly" in old_field

    done = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "a-new-pass-53!", "new_password2": "a-new-pass-53!"},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == "/account/profile/"
    assert "Your password is changed." in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("a-new-pass-53!")
    assert client.get("/dashboard/").status_code == 200  # still logged in


def test_change_password_needs_a_log_in():
    response = Client().get("/account/password/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_the_token_page_shows_the_placeholder_literally(owner_client):
    html = owner_client.get("/account/tokens/").content.decode()
    usage = html.split('id="token-usage"', 1)[1].split("</p>", 1)[0]
    assert "Authorization: Bearer &lt;token&gt;" in usage
    assert "<token>" not in usage


@override_settings(DEBUG=False)
def test_our_404_page_looks_like_the_console():
    response = Client().get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<header class="topbar">' in html and "Page not found" in html and "console/app.css" in html


@override_settings(DEBUG=False)
def test_our_500_page_looks_like_the_console_without_the_database():
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert '<header class="topbar">' in html and "Something went wrong on our side" in html
    assert "console/app.css" in html


def test_a_zones_query_chart_splits_by_response_code_for_its_owner_only(owner, owner_client, other_client):
    import redis
    from django.conf import settings
    from django.utils import timezone

    from kernel.bus import queries_key
    from zones import services as zone_services

    zone = zone_services.create_hosted_zone(owner=owner, name="rcode-split.example")
    client = redis.Redis.from_url(settings.REDIS_URL)
    for old in client.scan_iter("dns:queries:*"):
        client.delete(old)
    key = queries_key(timezone.now())
    client.hset(
        key, mapping={f"{zone.pk}|A|NOERROR": 7, f"{zone.pk}|MX|NOERROR": 1, f"{zone.pk}|A|NXDOMAIN": 2}
    )
    try:
        chart = owner_client.get(f"/dashboard/zones/{zone.pk}/queries.json").json()
    finally:
        client.delete(key)
    assert [(s["name"], s["points"][-1]) for s in chart["series"]] == [("NOERROR", 8), ("NXDOMAIN", 2)]
    assert len(chart["times"]) == 60 and chart["times"][1] - chart["times"][0] == 60
    assert other_client.get(f"/dashboard/zones/{zone.pk}/queries.json").status_code == 404
