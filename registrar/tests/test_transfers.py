"""Transfers between our registrar and the other one, with the auth code, through the registry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registrar import peer, services, tasks
from registrar.errors import RegistrarError, RegistryRefused
from registrar.models import Domain, LedgerEntry
from registrar.registry import commands
from registrar.registry import models as registry_models
from registrar.tests.clock import travel_to
from registrar.tests.conftest import CONTACT, buy

pytestmark = pytest.mark.django_db


def sponsor_of(name: str) -> str:
    return registry_models.DomainObject.objects.get(name=name).sponsor.client_id


def test_transfer_out_is_refused_while_locked(funded_owner):
    buy(funded_owner, "locked.com")
    domain = Domain.objects.get(name="locked.com")
    code = services.auth_code(domain)
    with pytest.raises(RegistrarError) as error:
        services.request_transfer_out(domain=domain, auth_code=code)
    assert error.value.message == "locked.com is locked against transfers; turn the transfer lock off first."
    # The registry refuses the other registrar too: the lock is clientTransferProhibited there.
    result = peer.request_transfer(name="locked.com", auth_code=code)
    assert (result.code, result.reason) == (
        commands.STATUS_PROHIBITS,
        "locked.com has status clientTransferProhibited",
    )
    assert sponsor_of("locked.com") == "nameplate"


def test_transfer_out_with_the_auth_code_then_approve(funded_owner, django_capture_on_commit_callbacks):
    buy(funded_owner, "leaving.com")
    domain = Domain.objects.get(name="leaving.com")
    services.update_settings(domain=domain, transfer_lock=False)
    with pytest.raises(RegistryRefused) as error:
        services.request_transfer_out(domain=domain, auth_code="Wrong-Code-123")
    assert error.value.message == "auth code: that is not the auth code of leaving.com"
    services.request_transfer_out(domain=domain, auth_code=services.auth_code(domain))
    domain.refresh_from_db()
    assert domain.state == "transfer_out" and "pendingTransfer" in domain.registry_statuses
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_transfer_out(domain=domain)
    assert sponsor_of("leaving.com") == "elsewhere"
    domain.refresh_from_db()
    assert domain.state == "transferred_out" and not domain.is_managed
    with pytest.raises(RegistrarError, match="is transferred out; it cannot be changed"):
        services.set_name_servers(domain=domain, name_servers=["a.provider.test", "b.provider.test"])


def test_transfer_out_rejected_stays(funded_owner):
    buy(funded_owner, "staying.com")
    domain = Domain.objects.get(name="staying.com")
    services.update_settings(domain=domain, transfer_lock=False)
    services.request_transfer_out(domain=domain, auth_code=services.auth_code(domain))
    services.reject_transfer_out(domain=domain)
    domain.refresh_from_db()
    assert domain.state == "active" and "pendingTransfer" not in domain.registry_statuses
    assert sponsor_of("staying.com") == "nameplate"


def test_transfer_out_goes_through_by_itself_after_five_days(funded_owner, monkeypatch):
    now = timezone.now()
    buy(funded_owner, "slow.com", now=now)
    domain = Domain.objects.get(name="slow.com")
    services.update_settings(domain=domain, transfer_lock=False)
    services.request_transfer_out(domain=domain, auth_code=services.auth_code(domain), now=now)
    travel_to(monkeypatch, now + timedelta(days=4))
    assert tasks.approve_due_transfers() == []
    travel_to(monkeypatch, now + timedelta(days=5, minutes=1))
    assert tasks.approve_due_transfers() == ["slow.com"]
    domain.refresh_from_db()
    assert domain.state == "transferred_out"
    assert sponsor_of("slow.com") == "elsewhere"


def test_transfer_in_from_the_other_registrar(
    funded_owner, django_capture_on_commit_callbacks, mailoutbox_smtp
):
    code = peer.register(name="arriving.net", name_servers=())
    balance = services.balance_cents(funded_owner)
    expires = registry_models.DomainObject.objects.get(name="arriving.net").expires_at
    domain = services.transfer_in(
        owner=funded_owner,
        name="arriving.net",
        auth_code=code,
        contact=CONTACT,
        idempotency_key="transfer-in-1",
    )
    again = services.transfer_in(
        owner=funded_owner,
        name="arriving.net",
        auth_code=code,
        contact=CONTACT,
        idempotency_key="transfer-in-1",
    )
    assert again.pk == domain.pk
    assert domain.state == "transfer_in"
    assert services.balance_cents(funded_owner) == balance - 1400
    assert peer.approve_transfer(name="arriving.net").code == commands.OK
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.approve_due_transfers() == []
    domain.refresh_from_db()
    assert domain.state == "active"
    at_registry = registry_models.DomainObject.objects.get(name="arriving.net")
    assert at_registry.sponsor.client_id == "nameplate"
    assert at_registry.expires_at == expires.replace(year=expires.year + 1)
    assert at_registry.registrant.handle == domain.contacts.get(role="registrant").handle
    assert at_registry.registrant.sponsor.client_id == "nameplate"
    assert "clientTransferProhibited" in at_registry.statuses
    (mail,) = mailoutbox_smtp.wait_for(1)
    assert mail["Subject"] == "arriving.net: transfer in completed"


def test_transfer_in_rejected_is_refunded(funded_owner):
    code = peer.register(name="refused.org")
    services.transfer_in(
        owner=funded_owner,
        name="refused.org",
        auth_code=code,
        contact=CONTACT,
        idempotency_key="transfer-in-2",
    )
    peer.reject_transfer(name="refused.org")
    services.sync_with_registry()
    domain = Domain.objects.get(name="refused.org")
    assert domain.state == "transfer_failed"
    refund = LedgerEntry.objects.get(owner=funded_owner, kind="refund")
    assert refund.amount_cents == 1300
    assert services.balance_cents(funded_owner) == 100_00
    assert sponsor_of("refused.org") == "elsewhere"


def test_transfer_in_cancelled_is_refunded(funded_owner):
    code = peer.register(name="changed-mind.io")
    domain = services.transfer_in(
        owner=funded_owner,
        name="changed-mind.io",
        auth_code=code,
        contact=CONTACT,
        idempotency_key="transfer-in-3",
    )
    services.cancel_transfer_in(domain=domain)
    domain.refresh_from_db()
    assert domain.state == "transfer_failed"
    assert services.balance_cents(funded_owner) == 100_00


@pytest.mark.parametrize(
    ("locked", "use_code", "message"),
    [
        (True, True, "locked-in.com has status clientTransferProhibited"),
        (False, False, "auth code: that is not the auth code of locked-in.com"),
    ],
)
def test_transfer_in_refused_when_locked_or_with_a_wrong_code(funded_owner, locked, use_code, message):
    code = peer.register(name="locked-in.com")
    if locked:
        peer.set_transfer_lock(name="locked-in.com", locked=True)
    with pytest.raises(RegistryRefused) as error:
        services.transfer_in(
            owner=funded_owner,
            name="locked-in.com",
            auth_code=code if use_code else "Wrong-Code-123",
            contact=CONTACT,
            idempotency_key="transfer-in-4",
        )
    assert error.value.message == message
    assert services.balance_cents(funded_owner) == 100_00
    assert not Domain.objects.filter(name="locked-in.com").exists()
