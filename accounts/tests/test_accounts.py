import re

import pytest
from django.test import Client

from accounts.models import User
from accounts.testing import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def link_in(message, pattern: str) -> str:
    body = message.get_body(("plain",)).get_content()
    match = re.search(pattern, body)
    assert match, f"no link matching {pattern} in:\n{body}"
    return match.group(0)


def test_sign_up_sends_a_verification_mail_whose_link_allows_log_in(
    mailoutbox_smtp, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/signup/",
            {"email": "Ada@Example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 200
    assert b"Check your mail" in response.content
    user = User.objects.get(email="ada@example.com")
    assert not user.is_email_verified

    [mail] = mailoutbox_smtp.wait_for(1)
    assert mail["To"] == "ada@example.com"
    assert "Verify your e-mail address" in mail["Subject"]
    url = link_in(mail, r"http://[^\s]+/account/verify/[^\s]+/")

    response = client.post("/account/login/", {"email": "ada@example.com", "password": PASSWORD})
    assert "Verify your e-mail address first" in response.content.decode()

    response = client.get(url.split("8000", 1)[-1], follow=True)
    assert "is verified" in response.content.decode()
    user.refresh_from_db()
    assert user.is_email_verified

    response = client.post("/account/login/", {"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_sign_up_with_a_taken_address_answers_like_a_new_one_and_mails_the_owner(
    mailoutbox_smtp, django_capture_on_commit_callbacks
):
    """An attacker learns nothing from the page; the owner hears of the attempt."""
    make_user("taken@example.com")
    pages = {}
    for email in ("TAKEN@example.com", "fresh@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                "/account/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
            )
        assert response.status_code == 200
        pages[email] = response.content.decode().replace(email.lower(), "ADDRESS")
    assert pages["TAKEN@example.com"] == pages["fresh@example.com"]
    assert "already" not in pages["TAKEN@example.com"]
    assert User.objects.filter(email="taken@example.com").count() == 1

    mails = {mail["To"]: mail for mail in mailoutbox_smtp.wait_for(2)}
    warning = mails["taken@example.com"]
    assert warning["Subject"] == "Someone tried to sign up for Nameplate with your address"
    assert link_in(warning, r"http://[^\s]+/account/password-reset/")
    assert "Verify your e-mail address" in mails["fresh@example.com"]["Subject"]


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("short", "short", "This password is too short."),
        ("password123", "password123", "This password is too common."),
        (PASSWORD, PASSWORD + "x", "The two passwords differ."),
    ],
)
def test_sign_up_applies_the_password_rules(password1, password2, message):
    response = Client().post(
        "/account/signup/", {"email": "new@example.com", "password1": password1, "password2": password2}
    )
    assert message in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_verification_link_that_was_altered_is_refused():
    user = make_user("ada@example.com", verified=False)
    response = Client().get("/account/verify/1:abc:forged/", follow=True)
    assert "This verification link is not valid." in response.content.decode()
    user.refresh_from_db()
    assert not user.is_email_verified


def test_wrong_password_says_so():
    make_user("ada@example.com")
    response = Client().post("/account/login/", {"email": "ada@example.com", "password": "wrong"})
    assert response.status_code == 200
    assert "The e-mail address or the password is wrong." in response.content.decode()


def test_log_in_is_locked_after_repeated_failures(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    make_user("ada@example.com")
    client = Client()
    for _ in range(3):
        client.post("/account/login/", {"email": "ada@example.com", "password": "wrong"})
    response = client.post("/account/login/", {"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts; try again in 15 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_log_out_ends_the_session(owner_client):
    response = owner_client.post("/account/logout/")
    assert response.status_code == 302
    assert owner_client.get("/dashboard/").status_code == 302


def test_password_reset_by_mail(mailoutbox_smtp, settings):
    make_user("ada@example.com")
    client = Client()
    response = client.post("/account/password-reset/", {"email": "ada@example.com"})
    assert response.status_code == 302

    [mail] = mailoutbox_smtp.wait_for(1)
    assert "Reset your Nameplate password" in mail["Subject"]
    path = link_in(mail, r"/account/password-reset/[^/\s]+/[^/\s]+/")

    response = client.get(path, follow=True)
    assert "Choose a new password" in response.content.decode()
    new_password = "a-brand-new-password-53"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    response = Client().post("/account/login/", {"email": "ada@example.com", "password": new_password})
    assert response.status_code == 302


def test_profile_accepts_only_e164_mobile_numbers(owner, owner_client):
    response = owner_client.post("/account/profile/", {"mobile_number": "0415 555 0123"})
    assert "0415 555 0123 is not a phone number in E.164 form" in response.content.decode()
    response = owner_client.post("/account/profile/", {"mobile_number": "+1 415 555 2671"})
    assert "write it as +14155552671" in response.content.decode()
    response = owner_client.post("/account/profile/", {"mobile_number": "+14155552671"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.mobile_number == "+14155552671"
