"""The registry's clock: one offset in the database that every registry rule and the life-cycle
tasks read; staff advance it to watch auto-renewal, expiry, redemption and the purge."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.testing import make_user
from registrar import services, tasks
from registrar.models import Domain
from registrar.registry import clock, rdap
from registrar.registry import models as registry_models
from registrar.registry.zonedata import build_tld_zone
from registrar.tests.conftest import buy, fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(db) -> Client:
    user = make_user("operator@example.com")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def test_the_clock_reads_the_real_time_until_advanced_and_only_moves_forward(db):
    assert abs(clock.now() - timezone.now()) < timedelta(seconds=5)
    moved = clock.advance(days=10)
    assert timedelta(days=10) - timedelta(seconds=5) < moved - timezone.now() <= timedelta(days=10)
    assert clock.offset() == timedelta(days=10)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(days=-1)
    assert clock.offset() == timedelta(days=10)


def test_registry_rules_read_the_clock(funded_owner):
    buy(funded_owner, "ticking.com")
    domain_object = registry_models.DomainObject.objects.get(name="ticking.com")
    assert build_tld_zone("com").get_node("ticking.com.") is not None
    clock.advance(days=400)
    # The TLD zone, RDAP and the housekeeping see the domain as expired by the registry's time.
    assert build_tld_zone("com").get_node("ticking.com.") is None
    assert tasks.expire_domains() == ["ticking.com"]
    domain_object.refresh_from_db()
    assert registry_models.REDEMPTION_PERIOD in domain_object.statuses
    status, body = rdap.domain_response("ticking.com")
    assert status == 200 and "redemption period" in body["status"]


def test_advancing_366_days_auto_renews_a_funded_domain(funded_owner, django_capture_on_commit_callbacks):
    buy(funded_owner, "renewed.com")
    domain = Domain.objects.get(name="renewed.com")
    first_expiry = domain.expires_at
    with django_capture_on_commit_callbacks(execute=True):
        events = tasks.advance_registry_clock(days=366)
    domain.refresh_from_db()
    assert domain.state == Domain.ACTIVE
    assert domain.expires_at == first_expiry.replace(year=first_expiry.year + 1)
    assert registry_models.DomainObject.objects.get(name="renewed.com").expires_at == domain.expires_at
    renewal_day = (first_expiry - timezone.now()).days - 1
    assert any(event.endswith("auto-renewed renewed.com") for event in events)
    assert any(event.startswith(f"day {renewal_day}") or "auto-renewed" in event for event in events)
    assert not any("expired" in event for event in events)


def test_advancing_366_days_expires_a_domain_without_auto_renew_then_purges_it(funded_owner):
    buy(funded_owner, "lapsed.com")
    domain = Domain.objects.get(name="lapsed.com")
    services.update_settings(domain=domain, auto_renew=False)
    events = tasks.advance_registry_clock(days=366)
    domain.refresh_from_db()
    assert "redemptionPeriod" in domain.registry_statuses and "pendingDelete" in domain.registry_statuses
    assert domain.status_text() == "In redemption"
    assert [event.split(": ", 1)[1] for event in events if "lapsed.com" in event][-1] == (
        "expired or purged: lapsed.com"
    )
    tasks.advance_registry_clock(days=31)
    domain.refresh_from_db()
    assert domain.state == Domain.DELETED
    assert not registry_models.DomainObject.objects.filter(name="lapsed.com").exists()


def test_a_domain_without_credit_expires_despite_auto_renew(owner, registry):
    fund(owner, 1200)
    buy(owner, "broke.com")
    tasks.advance_registry_clock(days=366)
    domain = Domain.objects.get(name="broke.com")
    assert "redemptionPeriod" in domain.registry_statuses


def test_the_staff_page_advances_the_clock(staff_client, funded_owner):
    buy(funded_owner, "shown.com")
    page = staff_client.get("/domains/registry-clock/")
    assert page.status_code == 200 and "shown.com" in page.content.decode()
    response = staff_client.post("/domains/registry-clock/", {"days": "5"})
    assert response.status_code == 302 and response["Location"] == "/domains/registry-clock/"
    assert clock.offset() == timedelta(days=5)
    assert "5 days" in staff_client.get("/domains/registry-clock/").content.decode()


def test_the_staff_page_refuses_a_bad_number_beside_the_field(staff_client):
    response = staff_client.post("/domains/registry-clock/", {"days": "0"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"days": ["Ensure this value is greater than or equal to 1."]}
    assert clock.offset() == timedelta(0)


def test_a_customer_cannot_see_or_move_the_clock(owner_client, client):
    assert owner_client.get("/domains/registry-clock/").status_code == 404
    assert owner_client.post("/domains/registry-clock/", {"days": "400"}).status_code == 404
    assert clock.offset() == timedelta(0)
    anonymous = client.post("/domains/registry-clock/", {"days": "400"})
    assert anonymous.status_code == 302 and "/account/login/" in anonymous["Location"]
    assert clock.offset() == timedelta(0)
