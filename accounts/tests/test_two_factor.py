"""Two-factor log-in: set up with an authenticator app, log in with a code or a recovery code."""

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """What the user's phone shows now (or `offset_steps` steps away)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps)
    return f"{code:0{device.digits}d}"


def log_in(client: Client, email: str) -> object:
    return client.post("/account/login/", {"email": email, "password": PASSWORD})


def turn_on(client: Client, user) -> list[str]:
    page = client.post("/account/two-factor/", {"action": "start"}).content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post(
        "/account/two-factor/", {"action": "confirm", "code": current_code(device)}
    ).content.decode()
    assert "Two-factor log-in is on" in page
    return re.findall(r"<li><code>([0-9a-z]+)</code></li>", page)


def test_setting_up_needs_the_apps_code_and_hands_out_recovery_codes_once():
    user = make_user("ada@example.com")
    client = Client()
    log_in(client, "ada@example.com")
    client.post("/account/two-factor/", {"action": "start"})
    page = client.post("/account/two-factor/", {"action": "confirm", "code": "000000"}).content.decode()
    assert "that is not the code your app shows now" in page
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    client.post("/account/two-factor/", {"action": "start"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post(
        "/account/two-factor/", {"action": "confirm", "code": current_code(device)}
    ).content.decode()
    codes = re.findall(r"<li><code>([0-9a-z]+)</code></li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "10 recovery codes left" in page
    assert "<code>" + codes[0] not in client.get("/account/two-factor/").content.decode()


def test_a_log_in_then_needs_the_code_and_the_password_alone_gets_no_session():
    user = make_user("ada@example.com")
    client = Client()
    log_in(client, "ada@example.com")
    turn_on(client, user)
    client.post("/account/logout/")

    response = log_in(client, "ada@example.com")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/code/")
    assert "_auth_user_id" not in client.session
    assert client.get("/dashboard/").status_code == 302  # still logged out

    page = client.post("/account/login/code/", {"code": "123456"}).content.decode()
    assert "that code is wrong or was used already" in page
    assert "_auth_user_id" not in client.session

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    # The code the phone showed at set-up time was used; the next one is fresh.
    response = client.post("/account/login/code/", {"code": current_code(device, offset_steps=1)})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/account/tokens/").status_code == 200


def test_a_recovery_code_logs_in_once():
    user = make_user("ada@example.com")
    client = Client()
    log_in(client, "ada@example.com")
    codes = turn_on(client, user)
    client.post("/account/logout/")

    log_in(client, "ada@example.com")
    assert client.post("/account/login/code/", {"code": codes[3]}).status_code == 302
    client.post("/account/logout/")
    log_in(client, "ada@example.com")
    page = client.post("/account/login/code/", {"code": codes[3]}).content.decode()
    assert "that code is wrong or was used already" in page
    assert client.post("/account/login/code/", {"code": codes[4]}).status_code == 302
    assert "8 recovery codes left" in client.get("/account/two-factor/").content.decode()


def test_the_token_pages_ask_a_session_without_a_code_for_one(owner, owner_api):
    client = Client()
    log_in(client, owner.email)
    turn_on(client, owner)
    unverified = Client()
    unverified.force_login(owner)  # a session that never gave a code (made before it was on)
    response = unverified.get("/account/tokens/")
    assert (
        response.status_code == 302 and response["Location"] == "/account/login/code/?next=/account/tokens/"
    )
    api = unverified.get("/api/v1/tokens")
    assert api.status_code == 403 and "two-factor log-in is on" in api.json()["detail"]
    # The verified session, and requests with an API token, go on.
    assert client.get("/account/tokens/").status_code == 200
    assert client.get("/api/v1/tokens").status_code == 200
    assert owner_api.get("/api/v1/tokens").status_code == 200


def test_wrong_codes_are_limited_like_passwords(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = make_user("ada@example.com")
    client = Client()
    log_in(client, "ada@example.com")
    turn_on(client, user)
    client.post("/account/logout/")
    log_in(client, "ada@example.com")
    for _ in range(3):
        client.post("/account/login/code/", {"code": "000000"})
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page = client.post(
        "/account/login/code/", {"code": current_code(device, offset_steps=1)}
    ).content.decode()
    assert "too many wrong codes; try again in 15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_turning_it_off_needs_a_code():
    user = make_user("ada@example.com")
    client = Client()
    log_in(client, "ada@example.com")
    turn_on(client, user)
    page = client.post("/account/two-factor/", {"action": "disable", "code": "000000"}).content.decode()
    assert "that code is wrong or was used already" in page
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    client.post("/account/two-factor/", {"action": "disable", "code": current_code(device, offset_steps=1)})
    assert not TOTPDevice.objects.filter(user=user).exists()
    client.post("/account/logout/")
    assert log_in(client, "ada@example.com")["Location"] == "/dashboard/"
