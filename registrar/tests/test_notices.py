"""Receipts and notices by mail: renewals, restores, auth-code resets, transfer requests and outcomes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registrar import peer, services, tasks
from registrar.models import Domain
from registrar.registry import models as registry_models
from registrar.tests.clock import travel_to
from registrar.tests.conftest import CONTACT, buy

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


def text_of(mail) -> str:
    return mail.get_body(("plain",)).get_content()


@pytest.fixture
def domain(funded_owner) -> Domain:
    buy(funded_owner, "noticed.com")
    return Domain.objects.get(name="noticed.com")


def test_a_renewal_mails_a_receipt_with_the_amount_and_dates(
    owner_api, domain, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    before = domain.expires_at
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(
            f"{BASE}/domains/{domain.pk}/renew", {"years": 2, "idempotency_key": "receipt-renew-1"}
        )
        owner_api.post(
            f"{BASE}/domains/{domain.pk}/renew", {"years": 2, "idempotency_key": "receipt-renew-1"}
        )
    assert response.status_code == 201
    domain.refresh_from_db()
    (receipt,) = mailoutbox_smtp.wait_for(1)
    assert receipt["To"] == "owner@example.com"
    assert receipt["Subject"] == f"Receipt: noticed.com renewed until {domain.expires_at:%-d %B %Y}"
    body = text_of(receipt)
    assert f"Order:           {response.json()['id']}, " in body
    assert "Renewal:         2 years" in body and "Charged:         $24.00" in body
    assert f"Old expiry:      {before:%-d %B %Y}" in body
    assert f"New expiry:      {domain.expires_at:%-d %B %Y}" in body
    assert f"Balance after:   ${services.balance_cents(domain.owner) / 100:,.2f}" in body


def test_an_auto_renewal_mails_a_receipt(
    domain, monkeypatch, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    expires = domain.expires_at
    with django_capture_on_commit_callbacks(execute=True):
        travel_to(monkeypatch, expires - timedelta(days=2))
        assert services.auto_renew_domains() == ["noticed.com"]
    (auto,) = mailoutbox_smtp.wait_for(1)
    assert auto["Subject"] == "noticed.com was renewed"
    body = " ".join(text_of(auto).split())
    assert "Charged: $12.00" in body and f"(it was {expires:%-d %B %Y})" in body


def test_a_restore_mails_a_receipt(
    owner_api, domain, monkeypatch, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    services.update_settings(domain=domain, auto_renew=False)
    travel_to(monkeypatch, domain.expires_at + timedelta(days=2))
    tasks.expire_domains()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_api.post(
            f"{BASE}/domains/{domain.pk}/restore", {"idempotency_key": "receipt-restore"}
        )
    assert response.status_code == 201
    (receipt,) = mailoutbox_smtp.wait_for(1)
    domain.refresh_from_db()
    assert receipt["Subject"] == "Receipt: noticed.com restored"
    body = text_of(receipt)
    assert "Charged:         $12.00" in body
    assert f"New expiry:      {domain.expires_at:%-d %B %Y}" in body


def test_an_auth_code_reset_is_mailed_without_the_code(
    owner_api, domain, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    with django_capture_on_commit_callbacks(execute=True):
        code = owner_api.post(f"{BASE}/domains/{domain.pk}/auth-code", {"reset": True}).json()["auth_code"]
    (notice,) = mailoutbox_smtp.wait_for(1)
    assert notice["Subject"] == "The auth code of noticed.com was changed"
    body = text_of(notice)
    assert code not in body and notice.get_body(("html",)).get_content().count(code) == 0
    assert f"on {timezone.localtime():%-d %B %Y}" in body and "The old code no longer works" in body


def test_a_transfer_out_request_and_its_outcomes_are_mailed(
    owner_api, domain, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    url = f"{BASE}/domains/{domain.pk}"
    owner_api.patch(f"{url}/settings", {"transfer_lock": False}, format="json")
    code = owner_api.get(f"{url}/auth-code").json()["auth_code"]
    with django_capture_on_commit_callbacks(execute=True):
        owner_api.post(f"{url}/transfer-out", {"auth_code": code})
        owner_api.post(f"{url}/transfer-out/reject")
        owner_api.post(f"{url}/transfer-out", {"auth_code": code})
        owner_api.post(f"{url}/transfer-out/approve")
    request, refused, _, done = mailoutbox_smtp.wait_for(4)
    act_by = registry_models.Transfer.objects.filter(domain__name="noticed.com").last().act_by
    assert request["Subject"] == "noticed.com: Elsewhere Names asked to take it over"
    assert f"it goes through by itself on {timezone.localtime(act_by):%-d %B %Y}" in " ".join(
        text_of(request).split()
    )
    assert refused["Subject"] == "noticed.com: transfer out to Elsewhere Names refused"
    assert "(refused by you)" in text_of(refused)
    assert done["Subject"] == "noticed.com: transfer out to Elsewhere Names completed"
    assert "(approved by you)" in text_of(done)


def test_a_rejected_transfer_in_mails_the_refund(
    owner_api, funded_owner, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    code = peer.register(name="refunded.net")
    payload = {
        "name": "refunded.net",
        "auth_code": code,
        "idempotency_key": "refund-mail",
        "contact": CONTACT,
    }
    owner_api.post(f"{BASE}/domains/transfer-in", payload, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        peer.reject_transfer(name="refunded.net")
    (notice,) = mailoutbox_smtp.wait_for(1)
    assert notice["Subject"] == "refunded.net: transfer in rejected"
    assert "(rejected by Elsewhere Names)" in text_of(notice)
    assert "Refunded to your balance: $14.00." in text_of(notice)
