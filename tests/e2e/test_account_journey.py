import re

import pytest

from accounts.models import User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-password-53"


def test_sign_up_verify_and_log_in(page, screenshot, mailoutbox_smtp):
    page.goto("/")
    screenshot("home")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("E-mail address").fill("grace@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    screenshot("signup")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_role("heading", name="Check your mail").wait_for()

    [mail] = mailoutbox_smtp.wait_for(1)
    body = mail.get_body(("plain",)).get_content()
    verify_path = re.search(r"/account/verify/\S+/", body).group(0)

    page.goto("/account/login/")
    page.get_by_label("E-mail address").fill("grace@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("Verify your e-mail address first").is_visible()
    screenshot("login-unverified")

    page.goto(verify_path)
    assert page.get_by_text("grace@example.com is verified").is_visible()
    page.get_by_label("E-mail address").fill("grace@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    screenshot("dashboard")
    assert User.objects.get(email="grace@example.com").is_email_verified


def test_layout_reads_on_a_phone(page, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/account/signup/")
    assert not page.get_by_role("link", name="Hosted zones").is_visible()
    page.get_by_text("Menu").click()
    assert page.get_by_role("link", name="Hosted zones").is_visible()
    screenshot("phone-menu")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
