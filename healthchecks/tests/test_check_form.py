"""Forms that fit the task: one URL for an HTTP(S) check, the account's mobile number offered for SMS,
and every refusal beside its field in plain words."""

import pytest

from healthchecks import alerting
from healthchecks.forms import HealthCheckForm, SubscriptionForm, check_url, split_check_url
from healthchecks.models import HealthCheck

BASE = {
    "name": "shop",
    "request_interval_seconds": "30",
    "failure_threshold": "3",
    "timeout_seconds": "4",
    "regions": ["us-east-1"],
}


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        (
            "https://shop.example.com:8443/health?full=1",
            {
                "scheme": "https",
                "ip_address": "",
                "host_name": "shop.example.com",
                "port": 8443,
                "resource_path": "/health?full=1",
            },
        ),
        (
            "http://192.0.2.10",
            {
                "scheme": "http",
                "ip_address": "192.0.2.10",
                "host_name": "",
                "port": None,
                "resource_path": "/",
            },
        ),
        (
            "http://[2001:db8::1]:8080/up",
            {
                "scheme": "http",
                "ip_address": "2001:db8::1",
                "host_name": "",
                "port": 8080,
                "resource_path": "/up",
            },
        ),
    ],
)
def test_a_url_is_split_into_the_checks_parts(url, parts):
    assert split_check_url(url) == parts


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "ftp://example.com/",
            "ftp://example.com/ is not an http:// or https:// URL such as https://shop.example.com/health",
        ),
        (
            "shop.example.com",
            "shop.example.com is not an http:// or https:// URL such as https://shop.example.com/health",
        ),
        (
            "https://example.com:99999/",
            "the port in https://example.com:99999/ is not a number from 1 to 65535",
        ),
    ],
)
def test_a_bad_url_is_refused_beside_the_url_field(owner, url, reason):
    form = HealthCheckForm({**BASE, "check_type": "https", "url": url}, owner=owner)
    assert not form.is_valid()
    assert form.errors["url"] == [reason]


def test_the_console_creates_an_https_check_from_one_url(owner_client, owner):
    response = owner_client.post(
        "/healthchecks/new/", {**BASE, "check_type": "http", "url": "https://127.0.0.1:8443/health"}
    )
    check = HealthCheck.objects.get(owner=owner)
    assert response.status_code == 302
    assert (check.check_type, check.ip_address, check.host_name, check.port, check.resource_path) == (
        "https",
        "127.0.0.1",
        "",
        8443,
        "/health",
    )
    edit = owner_client.get(f"/healthchecks/{check.pk}/edit/")
    assert edit.context["form"].initial["url"] == "https://127.0.0.1:8443/health"


def test_string_matching_keeps_its_type_under_either_scheme(owner):
    form = HealthCheckForm(
        {**BASE, "check_type": "http_str_match", "url": "https://127.0.0.1/", "search_string": "ok"},
        owner=owner,
    )
    assert form.is_valid(), form.errors
    assert form.service_data()["check_type"] == "https_str_match"
    assert "url" not in form.service_data()


def test_a_tcp_check_takes_host_and_port_and_ignores_a_url(owner):
    form = HealthCheckForm(
        {**BASE, "check_type": "tcp", "ip_address": "127.0.0.1", "port": "9", "url": "https://x.example/"},
        owner=owner,
    )
    assert form.is_valid(), form.errors
    assert (form.service_data()["ip_address"], form.service_data()["port"]) == ("127.0.0.1", 9)


def test_check_url_puts_the_parts_back_together():
    check = HealthCheck(check_type="https", host_name="shop.example.com", port=443, resource_path="/h")
    assert check_url(check) == "https://shop.example.com/h"
    assert check_url(HealthCheck(check_type="tcp", ip_address="192.0.2.1", port=22)) == ""


def test_the_check_form_page_loads_its_script_and_has_no_inline_script(owner_client):
    page = owner_client.get("/healthchecks/new/").content.decode()
    assert '<script src="/static/healthchecks/check_form.js" defer></script>' in page
    assert "<script>" not in page and "onchange=" not in page


def test_a_bad_setting_is_shown_beside_its_field_without_the_internal_name(owner_client):
    response = owner_client.post(
        "/healthchecks/new/",
        {**BASE, "check_type": "tcp", "ip_address": "http://shop.example.com", "port": "80"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["ip_address"]
    assert errors and all(not error.startswith("ip_address") for error in errors)
    assert "http://shop.example.com" in errors[0]


def test_an_sms_subscription_offers_the_accounts_mobile_number(owner_client, owner):
    owner.mobile_number = "+14155550123"
    owner.save(update_fields=["mobile_number"])
    form = SubscriptionForm(owner=owner)
    html = str(form["endpoint"])
    assert 'list="endpoint-suggestions"' in html
    assert '<option value="+14155550123"></option>' in html
    assert f'<option value="{owner.email}"></option>' in html
    topic = alerting.create_topic(owner=owner, name="ops")
    page = owner_client.get(f"/alerts/topics/{topic.pk}/").content.decode()
    assert '<option value="+14155550123"></option>' in page


def test_an_account_without_a_mobile_number_is_offered_its_address_only(owner):
    html = str(SubscriptionForm(owner=owner)["endpoint"])
    assert f'<option value="{owner.email}"></option>' in html and "+1" not in html
