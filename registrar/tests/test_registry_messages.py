"""Registry events reach our side as they happen: the poll queue, written with the change, read after commit.

The periodic poll (`registrar.poll_registry`) stays as the fall-back for a wake-up that never came.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.testing import api_client_for, make_user
from registrar import peer, services, tasks
from registrar.models import Domain, LedgerEntry
from registrar.registry import commands
from registrar.registry import models as registry_models
from registrar.registry.seed import ensure_registry_seed
from registrar.tests.clock import travel_to
from registrar.tests.conftest import CONTACT, buy, fund

BASE = "/api/v1"


def request_transfer_in(api, name: str, auth_code: str, key: str) -> dict:
    payload = {"name": name, "auth_code": auth_code, "idempotency_key": key, "contact": CONTACT}
    response = api.post(f"{BASE}/domains/transfer-in", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.mark.django_db(transaction=True)
def test_the_other_registrars_approval_shows_on_our_side_the_moment_it_commits(mailoutbox_smtp):
    ensure_registry_seed()
    owner = make_user("mover@example.com")
    fund(owner)
    api = api_client_for(owner)
    code = peer.register(name="instant.net")
    created = request_transfer_in(api, "instant.net", code, "instant-transfer-1")
    assert api.get(f"{BASE}/domains/{created['id']}").json()["state"] == "transfer_in"

    assert peer.approve_transfer(name="instant.net").code == commands.OK
    # No poll, no beat task: the registry's message was read right after its commit.
    detail = api.get(f"{BASE}/domains/{created['id']}").json()
    assert detail["state"] == "active"
    assert "clientTransferProhibited" in detail["registry_statuses"]
    assert registry_models.PollMessage.objects.get(
        domain_name="instant.net", recipient__client_id="nameplate"
    )
    assert not registry_models.PollMessage.objects.filter(
        recipient__client_id="nameplate", acked_at=None
    ).exists()
    (notice,) = mailoutbox_smtp.wait_for(1)
    assert notice["Subject"] == "instant.net: transfer in completed"


@pytest.mark.django_db(transaction=True)
def test_a_transfer_out_the_other_registrar_asks_for_shows_at_once_and_is_mailed(mailoutbox_smtp):
    ensure_registry_seed()
    owner = make_user("holder@example.com")
    fund(owner)
    buy(owner, "asked-for.com")
    domain = Domain.objects.get(name="asked-for.com")
    services.update_settings(domain=domain, transfer_lock=False)
    code = services.auth_code(domain)

    # The registrant gave the code to Elsewhere Names, which asks the registry without us.
    assert peer.request_transfer(name="asked-for.com", auth_code=code).code == commands.OK_PENDING
    assert api_client_for(owner).get(f"{BASE}/domains/{domain.pk}").json()["state"] == "transfer_out"
    receipt, notice = mailoutbox_smtp.wait_for(2)
    assert receipt["Subject"].endswith(": asked-for.com")
    assert notice["Subject"] == "asked-for.com: Elsewhere Names asked to take it over"


@pytest.mark.django_db
def test_a_lost_wake_up_is_caught_by_the_periodic_poll(funded_owner):
    # Under the `db` fixture nothing commits, so the wake-up after commit never runs: as if lost.
    code = peer.register(name="missed.org")
    domain = services.transfer_in(
        owner=funded_owner, name="missed.org", auth_code=code, contact=CONTACT, idempotency_key="missed-1"
    )
    peer.reject_transfer(name="missed.org")
    domain.refresh_from_db()
    assert domain.state == "transfer_in"
    assert tasks.poll_registry() == []
    domain.refresh_from_db()
    assert domain.state == "transfer_failed"
    assert LedgerEntry.objects.get(owner=funded_owner, kind="refund").amount_cents == 1300
    assert commands.poll_request(client_id="nameplate").code == commands.OK_NO_MESSAGES


@pytest.mark.django_db
def test_the_registrys_own_approval_after_five_days_is_a_message_to_both_sides(funded_owner, monkeypatch):
    now = timezone.now()
    code = peer.register(name="waited.io", now=now)
    services.transfer_in(
        owner=funded_owner,
        name="waited.io",
        auth_code=code,
        contact=CONTACT,
        idempotency_key="waited-1",
        now=now,
    )
    travel_to(monkeypatch, now + timedelta(days=5, minutes=1))
    assert commands.approve_due_transfers() == ["waited.io"]
    ours = commands.poll_request(client_id="nameplate")
    assert ours.code == commands.OK_ACK_TO_DEQUEUE
    assert (ours.data["domain"], ours.data["kind"], ours.data["status"], ours.data["count"]) == (
        "waited.io",
        "transfer",
        "serverApproved",
        1,
    )
    assert ours.data["text"] == "Transfer approved by the registry."
    # The losing side has the request in its queue, then the approval.
    theirs = registry_models.PollMessage.objects.filter(recipient__client_id="elsewhere", acked_at=None)
    assert [message.data["status"] for message in theirs] == ["pending", "serverApproved"]
    assert services.read_registry_messages() == ["waited.io transfer"]
    assert Domain.objects.get(name="waited.io").state == "active"


@pytest.mark.django_db
def test_poll_request_and_ack_follow_epp(registry):
    assert commands.poll_request(client_id="nameplate").code == commands.OK_NO_MESSAGES
    code = peer.register(name="queued.app")
    fund_user = make_user("queue@example.com")
    fund(fund_user)
    services.transfer_in(
        owner=fund_user, name="queued.app", auth_code=code, contact=CONTACT, idempotency_key="queued-1"
    )
    # The request is news for the losing registrar only; a refused command queues nothing.
    assert commands.poll_request(client_id="nameplate").code == commands.OK_NO_MESSAGES
    refused = peer.approve_transfer(name="not-registered.app")
    assert refused.code == commands.OBJECT_DOES_NOT_EXIST
    theirs = commands.poll_request(client_id="elsewhere")
    assert (theirs.code, theirs.message) == (1301, "Command completed successfully; ack to dequeue")
    assert (theirs.data["count"], theirs.data["status"], theirs.data["gaining"]) == (
        1,
        "pending",
        "nameplate",
    )

    not_ours = commands.poll_ack(client_id="nameplate", message_id=theirs.data["id"])
    assert (not_ours.code, not_ours.reason) == (2303, f"message {theirs.data['id']} is not in your queue")
    acked = commands.poll_ack(client_id="elsewhere", message_id=theirs.data["id"])
    assert (acked.code, acked.data["count"]) == (commands.OK, 0)
    empty = commands.poll_request(client_id="elsewhere")
    assert (empty.code, empty.message) == (1300, "Command completed successfully; no messages")


@pytest.mark.django_db
def test_expiry_and_purge_reach_the_sponsor_as_messages(funded_owner, monkeypatch):
    buy(funded_owner, "fading.com")
    domain = Domain.objects.get(name="fading.com")
    services.update_settings(domain=domain, auto_renew=False)
    travel_to(monkeypatch, domain.expires_at + timedelta(hours=1))
    commands.expire_domains()
    assert services.read_registry_messages() == ["fading.com deleted"]
    domain.refresh_from_db()
    assert "redemptionPeriod" in domain.registry_statuses
    travel_to(monkeypatch, domain.expires_at + timedelta(days=31, hours=2))
    commands.expire_domains()
    assert services.read_registry_messages() == ["fading.com purged"]
    domain.refresh_from_db()
    assert domain.state == "deleted"
