"""Renewals: manual, automatic via the beat tasks with time travel, reminder mails, expiry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registrar import services, tasks
from registrar.errors import InsufficientFunds, RegistryRefused
from registrar.models import Domain, LedgerEntry, RenewalNotice
from registrar.registry import models as registry_models
from registrar.registry.zonedata import build_tld_zone
from registrar.schedule import BEAT_SCHEDULE
from registrar.tests.clock import travel_to
from registrar.tests.conftest import buy, fund

pytestmark = pytest.mark.django_db


def test_manual_renewal_charges_and_extends_once_per_key(funded_owner):
    buy(funded_owner, "keep.com")
    domain = Domain.objects.get(name="keep.com")
    before = domain.expires_at
    services.renew_domain(domain=domain, years=2, idempotency_key="renew-key-1")
    services.renew_domain(domain=domain, years=2, idempotency_key="renew-key-1")
    domain.refresh_from_db()
    assert domain.expires_at == before.replace(year=before.year + 2)
    assert registry_models.DomainObject.objects.get(name="keep.com").expires_at == domain.expires_at
    charges = LedgerEntry.objects.filter(owner=funded_owner, kind="charge").values_list(
        "amount_cents", flat=True
    )
    assert sorted(charges) == [-2400, -1200]


def test_renewal_beyond_ten_years_is_refused_and_not_charged(funded_owner):
    fund(funded_owner)
    buy(funded_owner, "long.com", years=9)
    domain = Domain.objects.get(name="long.com")
    balance = services.balance_cents(funded_owner)
    with pytest.raises(RegistryRefused) as error:
        services.renew_domain(domain=domain, years=2)
    assert error.value.message == "long.com: a registration may run at most 10 years ahead"
    assert services.balance_cents(funded_owner) == balance


def test_renewal_without_credit_is_refused(owner, registry):
    fund(owner, 1200)
    buy(owner, "broke.com")
    with pytest.raises(InsufficientFunds):
        services.renew_domain(domain=Domain.objects.get(name="broke.com"), years=1)


def test_beat_schedule_names_the_registrar_tasks():
    names = {entry["task"] for entry in BEAT_SCHEDULE.values()}
    assert names == {
        "registrar.poll_registry",
        "registrar.approve_due_transfers",
        "registrar.auto_renew_domains",
        "registrar.send_renewal_reminders",
        "registrar.expire_domains",
    }


def test_reminders_at_30_and_7_days_then_auto_renew(
    funded_owner, monkeypatch, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    bought = timezone.now()
    buy(funded_owner, "renewme.com", now=bought)
    domain = Domain.objects.get(name="renewme.com")
    expires = domain.expires_at

    with django_capture_on_commit_callbacks(execute=True):
        travel_to(monkeypatch, expires - timedelta(days=29))
        assert tasks.send_renewal_reminders() == ["renewme.com 30"]
        assert tasks.send_renewal_reminders() == []
        travel_to(monkeypatch, expires - timedelta(days=6))
        assert tasks.send_renewal_reminders() == ["renewme.com 7"]
        assert tasks.send_renewal_reminders() == []
    first, second = mailoutbox_smtp.wait_for(2)
    assert first["Subject"] == "renewme.com expires in 29 days"
    assert second["Subject"] == "renewme.com expires in 6 days"
    assert "Auto-renew is on" in second.get_body(("plain",)).get_content()

    with django_capture_on_commit_callbacks(execute=True):
        travel_to(monkeypatch, expires - timedelta(days=4))
        assert tasks.auto_renew_domains() == []
        travel_to(monkeypatch, expires - timedelta(days=2))
        assert tasks.auto_renew_domains() == ["renewme.com"]
        assert tasks.auto_renew_domains() == []
    domain.refresh_from_db()
    assert domain.expires_at == expires.replace(year=expires.year + 1)
    assert LedgerEntry.objects.filter(owner=funded_owner, kind="charge").count() == 2
    third = mailoutbox_smtp.wait_for(3)[2]
    assert third["Subject"] == "renewme.com was renewed"


def test_auto_renew_without_credit_mails_once_then_the_domain_expires(
    owner, registry, monkeypatch, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    fund(owner, 1200)
    buy(owner, "lapse.com")
    domain = Domain.objects.get(name="lapse.com")
    expires = domain.expires_at
    with django_capture_on_commit_callbacks(execute=True):
        travel_to(monkeypatch, expires - timedelta(days=1))
        assert tasks.auto_renew_domains() == []
        assert tasks.auto_renew_domains() == []
    (mail,) = mailoutbox_smtp.wait_for(1)
    assert mail["Subject"] == "Could not renew lapse.com: add credit"
    assert RenewalNotice.objects.filter(domain=domain, kind="auto-renew-failed").count() == 1

    travel_to(monkeypatch, expires + timedelta(hours=1))
    assert tasks.expire_domains() == ["lapse.com"]
    domain.refresh_from_db()
    assert "redemptionPeriod" in domain.registry_statuses
    assert domain.status_text() == "Expired"
    assert build_tld_zone("com").get_node("lapse.com.") is None

    travel_to(monkeypatch, expires + timedelta(days=31, hours=2))
    assert tasks.expire_domains() == ["lapse.com"]
    domain.refresh_from_db()
    assert domain.state == "deleted"
    assert not registry_models.DomainObject.objects.filter(name="lapse.com").exists()


def test_auto_renew_off_is_left_alone(funded_owner, monkeypatch):
    buy(funded_owner, "manual.com")
    domain = Domain.objects.get(name="manual.com")
    services.update_settings(domain=domain, auto_renew=False)
    travel_to(monkeypatch, domain.expires_at - timedelta(days=1))
    assert tasks.auto_renew_domains() == []


def test_a_lapsed_domain_is_restored_for_a_fee_and_delegated_again(funded_owner, monkeypatch, owner_api):
    buy(funded_owner, "comeback.com")
    domain = Domain.objects.get(name="comeback.com")
    expires = domain.expires_at
    with pytest.raises(RegistryRefused) as error:
        services.restore_domain(domain=domain)
    assert error.value.message == "comeback.com is not in its redemption period"
    travel_to(monkeypatch, expires + timedelta(days=2))
    tasks.expire_domains()
    domain.refresh_from_db()
    assert build_tld_zone("com").get_node("comeback.com.") is None
    response = owner_api.post(f"/api/v1/domains/{domain.pk}/restore", {"idempotency_key": "restore-1"})
    assert response.status_code == 201 and response.json()["total_cents"] == 1200
    assert (
        owner_api.post(f"/api/v1/domains/{domain.pk}/restore", {"idempotency_key": "restore-1"}).json()["id"]
        == response.json()["id"]
    )
    domain.refresh_from_db()
    assert domain.registry_statuses == ["clientTransferProhibited"]
    assert domain.expires_at == expires.replace(year=expires.year + 1)
    assert build_tld_zone("com").get_rdataset("comeback.com.", "NS") is not None
