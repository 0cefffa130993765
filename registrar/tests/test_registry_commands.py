"""Each registry command: its success and its refusals, with EPP result codes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registrar.registry import commands as c
from registrar.registry import models as m

pytestmark = pytest.mark.django_db

US = "nameplate"
PEER = "elsewhere"


def contact(client_id: str = US) -> str:
    result = c.create_contact(
        client_id=client_id, name="Grace Hopper", email="grace@example.com", country_code="us"
    )
    assert result.code == c.OK
    return result.data["handle"]


def create(name: str = "example.com", client_id: str = US, **kwargs) -> c.Result:
    kwargs.setdefault("years", 1)
    return c.create_domain(client_id=client_id, name=name, registrant=contact(client_id), **kwargs)


def domains():
    """Domain objects other than the provider's own name-server domains."""
    return m.DomainObject.objects.exclude(registrant__handle="NAMEPLATE-NOC")


def refused(result: c.Result, code: int, reason: str) -> None:
    assert (result.code, result.message, result.reason) == (code, c.MESSAGES[code], reason)
    assert not result.is_success


def test_unknown_registrar_cannot_log_in(registry):
    refused(
        c.tld_list(client_id="nobody"),
        c.AUTHENTICATION_ERROR,
        "nobody is not a registrar known to this registry",
    )


def test_tld_list_has_prices_and_terms(registry):
    tlds = {tld["name"]: tld for tld in c.tld_list(client_id=US).data["tlds"]}
    assert set(tlds) >= {"com", "net", "org", "io", "dev", "app"}
    assert tlds["com"] == {"name": "com", "yearly_price_cents": 1200, "min_years": 1, "max_years": 10}
    assert tlds["io"]["max_years"] == 5


def test_check_answers_available_taken_reserved_and_invalid(registry):
    assert create("taken.com").code == c.OK
    result = c.check_domains(
        client_id=US, names_to_check=["free.com", "taken.com", "nic.com", "bad_name.com", "x.zz"]
    )
    assert result.code == c.OK
    rows = [(r["name"], r["available"], r["reason"], r["message"]) for r in result.data["results"]]
    assert rows == [
        ("free.com", True, "", "free.com is available"),
        ("taken.com", False, "taken", "taken.com is already registered"),
        ("nic.com", False, "reserved", "nic.com is reserved by the .com registry"),
        (
            "bad_name.com",
            False,
            "invalid",
            "bad_name.com: the label bad_name contains '_', which is not a letter, digit or hyphen",
        ),
        ("x.zz", False, "invalid", "x.zz: .zz is not a TLD we offer"),
    ]
    assert result.data["results"][0]["yearly_price_cents"] == 1200


def test_check_of_an_idn_answers_both_forms(registry):
    entry = c.check_domains(client_id=US, names_to_check=["bücher.org"]).data["results"][0]
    assert (entry["name"], entry["unicode_name"], entry["available"]) == (
        "xn--bcher-kva.org",
        "bücher.org",
        True,
    )


def test_create_registers_for_the_term(registry):
    now = timezone.now()
    result = create("example.com", years=2, now=now)
    assert result.code == c.OK and result.message == "Command completed successfully"
    domain = domains().get(name="example.com")
    assert domain.sponsor.client_id == US
    assert domain.expires_at == now.replace(year=now.year + 2)
    assert domain.status_values() == ["ok"]
    assert len(domain.auth_code) == 16


@pytest.mark.parametrize(
    ("name", "years", "code", "reason"),
    [
        ("nic.com", 1, c.POLICY_ERROR, "nic.com is reserved by the .com registry"),
        ("example.zz", 1, c.POLICY_ERROR, "example.zz: .zz is not a TLD this registry runs"),
        (
            "ex ample.com",
            1,
            c.PARAMETER_SYNTAX,
            "ex ample.com: the label ex ample contains ' ', which is not a letter, digit or hyphen",
        ),
        ("example.com", 11, c.PARAMETER_RANGE, "years: .com is registered for 1 to 10 years, not 11"),
        ("example.io", 6, c.PARAMETER_RANGE, "years: .io is registered for 1 to 5 years, not 6"),
        ("example.com", 0, c.PARAMETER_RANGE, "years: .com is registered for 1 to 10 years, not 0"),
    ],
)
def test_create_refuses_bad_input(registry, name, years, code, reason):
    refused(create(name, years=years), code, reason)
    assert not domains().exists()


def test_create_refuses_a_taken_name(registry):
    create("example.com")
    refused(create("example.com", client_id=PEER), c.OBJECT_EXISTS, "example.com is already registered")


def test_create_refuses_another_registrars_contact(registry):
    result = c.create_domain(client_id=US, name="example.com", years=1, registrant=contact(PEER))
    assert result.code == c.AUTHORIZATION_ERROR
    assert result.reason.endswith("belongs to another registrar")


def test_create_refuses_an_in_zone_name_server_without_a_host_object(registry):
    result = create("example.com", name_servers=["ns1.other.com"])
    refused(
        result,
        c.ASSOCIATION_PROHIBITS,
        "name servers: ns1.other.com is not a host object at this registry; create it first",
    )
    assert not domains().exists()


def test_info_shows_the_auth_code_only_to_the_sponsor(registry):
    create("example.com", auth_code="Secret-Code-1")
    mine = c.info_domain(client_id=US, name="example.com")
    assert mine.data["auth_code"] == "Secret-Code-1"
    refused(
        c.info_domain(client_id=PEER, name="example.com"),
        c.AUTHORIZATION_ERROR,
        "example.com is sponsored by another registrar",
    )
    theirs = c.info_domain(client_id=PEER, name="example.com", auth_code="Secret-Code-1")
    assert theirs.code == c.OK and "auth_code" not in theirs.data
    refused(
        c.info_domain(client_id=US, name="missing.com"),
        c.OBJECT_DOES_NOT_EXIST,
        "missing.com is not registered",
    )


def test_renew_extends_once_per_current_expiry(registry):
    now = timezone.now()
    create("example.com", now=now)
    domain = domains().get()
    result = c.renew_domain(
        client_id=US, name="example.com", current_expires_at=domain.expires_at, years=2, now=now
    )
    assert result.code == c.OK
    assert result.data["expires_at"] == now.replace(year=now.year + 3)
    again = c.renew_domain(
        client_id=US, name="example.com", current_expires_at=domain.expires_at, years=2, now=now
    )
    assert again.code == c.PARAMETER_RANGE
    assert domains().get().expires_at == now.replace(year=now.year + 3)


def test_renew_refuses_beyond_ten_years_and_other_sponsors(registry):
    now = timezone.now()
    create("example.com", years=9, now=now)
    expires = domains().get().expires_at
    refused(
        c.renew_domain(client_id=US, name="example.com", current_expires_at=expires, years=2, now=now),
        c.NOT_ELIGIBLE_FOR_RENEWAL,
        "example.com: a registration may run at most 10 years ahead",
    )
    refused(
        c.renew_domain(client_id=PEER, name="example.com", current_expires_at=expires, years=1, now=now),
        c.AUTHORIZATION_ERROR,
        "example.com is sponsored by another registrar",
    )


def test_update_changes_name_servers_statuses_auth_code_and_ds(registry):
    create("example.com")
    result = c.update_domain(
        client_id=US,
        name="example.com",
        name_servers=["ns1.provider.test.", "NS2.provider.test"],
        add_statuses=["clientHold"],
        auth_code="New-Code-123",
        add_ds=[{"key_tag": 12345, "algorithm": 13, "digest_type": 2, "digest": "ab" * 32}],
    )
    assert result.code == c.OK
    domain = domains().get()
    assert domain.name_servers == ["ns1.provider.test", "ns2.provider.test"]
    assert domain.statuses == ["clientHold"]
    assert domain.auth_code == "New-Code-123"
    assert [r.to_text() for r in domain.ds_records.all()] == [f"12345 13 2 {'AB' * 32}"]


@pytest.mark.parametrize(
    ("change", "code", "reason"),
    [
        (
            {"add_statuses": ["serverHold"]},
            c.PARAMETER_SYNTAX,
            "status: serverHold is not a status a registrar may set",
        ),
        (
            {"name_servers": ["bad_host.example.net"]},
            c.PARAMETER_SYNTAX,
            "name servers: bad_host.example.net: the label bad_host contains '_', "
            "which is not a letter, digit or hyphen",
        ),
        (
            {"name_servers": ["a.example.net", "a.example.net"]},
            c.PARAMETER_SYNTAX,
            "name servers: a.example.net is listed twice",
        ),
        (
            {"name_servers": [f"ns{i}.example.net" for i in range(14)]},
            c.PARAMETER_RANGE,
            "name servers: at most 13, not 14",
        ),
        ({"auth_code": "short"}, c.PARAMETER_SYNTAX, "auth code: use 8 to 32 letters, digits or - _ . ! + ="),
        (
            {"add_ds": [{"key_tag": 1, "algorithm": 13, "digest_type": 2, "digest": "zz"}]},
            c.PARAMETER_SYNTAX,
            None,
        ),
        (
            {"remove_ds": [{"key_tag": 1, "algorithm": 13, "digest_type": 2, "digest": "ab" * 32}]},
            c.OBJECT_DOES_NOT_EXIST,
            "DS record 1 is not on example.com",
        ),
    ],
)
def test_update_refuses_bad_input_and_changes_nothing(registry, change, code, reason):
    create("example.com")
    before = domains().get()
    result = c.update_domain(client_id=US, name="example.com", **change)
    assert result.code == code
    if reason:
        assert result.reason == reason
    after = domains().get()
    assert (after.statuses, after.name_servers, after.auth_code, after.ds_records.count()) == (
        before.statuses,
        before.name_servers,
        before.auth_code,
        0,
    )


def test_update_prohibited_allows_only_the_unlock(registry):
    create("example.com")
    c.update_domain(client_id=US, name="example.com", add_statuses=["clientUpdateProhibited"])
    refused(
        c.update_domain(client_id=US, name="example.com", name_servers=["ns.provider.test"]),
        c.STATUS_PROHIBITS,
        "example.com has status clientUpdateProhibited",
    )
    result = c.update_domain(
        client_id=US,
        name="example.com",
        remove_statuses=["clientUpdateProhibited"],
        name_servers=["ns.provider.test"],
    )
    assert result.code == c.OK and result.data["name_servers"] == ["ns.provider.test"]


def test_hosts_need_their_domains_sponsor_and_glue(registry):
    create("example.com")
    assert (
        c.create_host(client_id=US, name="ns1.example.com", addresses=["192.0.2.1", "2001:db8::1"]).code
        == c.OK
    )
    refused(
        c.create_host(client_id=US, name="ns1.example.com", addresses=["192.0.2.1"]),
        c.OBJECT_EXISTS,
        "host ns1.example.com already exists",
    )
    refused(
        c.create_host(client_id=PEER, name="ns2.example.com", addresses=["192.0.2.2"]),
        c.AUTHORIZATION_ERROR,
        "host ns2.example.com: example.com is sponsored by another registrar",
    )
    assert c.create_host(client_id=PEER, name="ns4.example.com").data == {
        "name": "ns4.example.com",
        "addresses": [],
    }
    refused(
        c.create_host(client_id=US, name="ns2.example.com"),
        c.PARAMETER_MISSING,
        "host ns2.example.com lies under example.com and needs addresses",
    )
    refused(
        c.create_host(client_id=US, name="ns.missing.com", addresses=["192.0.2.3"]),
        c.AUTHORIZATION_ERROR,
        "host ns.missing.com: missing.com is not registered",
    )
    refused(
        c.create_host(client_id=US, name="ns.example.test", addresses=["192.0.2.3"]),
        c.POLICY_ERROR,
        "host ns.example.test is outside this registry; it takes no addresses",
    )
    refused(
        c.create_host(client_id=US, name="ns3.example.com", addresses=["300.1.2.3"]),
        c.PARAMETER_SYNTAX,
        "addresses: 300.1.2.3 is not an IPv4 or IPv6 address",
    )
    assert c.update_domain(client_id=US, name="example.com", name_servers=["ns1.example.com"]).code == c.OK
    refused(
        c.delete_host(client_id=US, name="ns1.example.com"),
        c.ASSOCIATION_PROHIBITS,
        "host ns1.example.com is a name server of example.com",
    )
    assert c.update_host(client_id=US, name="ns1.example.com", addresses=["192.0.2.9"]).data["addresses"] == [
        "192.0.2.9"
    ]


def test_delete_enters_redemption_and_restore_brings_it_back(registry):
    now = timezone.now()
    create("example.com", now=now)
    result = c.delete_domain(client_id=US, name="example.com", now=now)
    assert result.code == c.OK_PENDING
    assert domains().get().statuses == ["pendingDelete", "redemptionPeriod"]
    assert (
        c.check_domains(client_id=US, names_to_check=["example.com"]).data["results"][0]["reason"] == "taken"
    )
    refused(
        c.delete_domain(client_id=US, name="example.com", now=now),
        c.STATUS_PROHIBITS,
        "example.com has status redemptionPeriod",
    )
    assert c.restore_domain(client_id=US, name="example.com", now=now).code == c.OK
    assert domains().get().status_values() == ["ok"]
    refused(
        c.restore_domain(client_id=US, name="example.com", now=now),
        c.STATUS_PROHIBITS,
        "example.com is not in its redemption period",
    )


def test_delete_refuses_while_prohibited(registry):
    create("example.com")
    c.update_domain(client_id=US, name="example.com", add_statuses=["clientDeleteProhibited"])
    refused(
        c.delete_domain(client_id=US, name="example.com"),
        c.STATUS_PROHIBITS,
        "example.com has status clientDeleteProhibited",
    )


def test_purge_after_redemption_frees_the_name(registry):
    now = timezone.now()
    create("example.com", now=now)
    c.delete_domain(client_id=US, name="example.com", now=now)
    assert c.expire_domains(now=now + timedelta(days=29)) == []
    assert c.expire_domains(now=now + timedelta(days=31)) == ["example.com"]
    assert c.check_domains(client_id=US, names_to_check=["example.com"]).data["results"][0]["available"]


def test_transfer_request_approve_moves_the_domain_and_adds_a_year(registry):
    now = timezone.now()
    create("example.com", now=now, auth_code="Move-Me-Please")
    result = c.request_transfer(client_id=PEER, name="example.com", auth_code="Move-Me-Please", now=now)
    assert result.code == c.OK_PENDING and result.data["status"] == "pending"
    assert domains().get().statuses == ["pendingTransfer"]
    refused(
        c.update_domain(client_id=US, name="example.com", auth_code="Another-Code-1"),
        c.STATUS_PROHIBITS,
        "example.com has status pendingTransfer",
    )
    assert c.approve_transfer(client_id=US, name="example.com", now=now).data["status"] == "clientApproved"
    domain = domains().get()
    assert domain.sponsor.client_id == PEER
    assert domain.expires_at == now.replace(year=now.year + 2)
    assert domain.auth_code != "Move-Me-Please"
    assert domain.registrant.sponsor.client_id == PEER


@pytest.mark.parametrize(
    ("setup", "auth_code", "code", "reason"),
    [
        (
            {"add_statuses": ["clientTransferProhibited"]},
            "Move-Me-Please",
            c.STATUS_PROHIBITS,
            "example.com has status clientTransferProhibited",
        ),
        ({}, "Wrong-Code-123", c.INVALID_AUTH_INFO, "auth code: that is not the auth code of example.com"),
    ],
)
def test_transfer_request_is_refused_when_locked_or_with_a_wrong_code(
    registry, setup, auth_code, code, reason
):
    create("example.com", auth_code="Move-Me-Please")
    if setup:
        c.update_domain(client_id=US, name="example.com", **setup)
    refused(c.request_transfer(client_id=PEER, name="example.com", auth_code=auth_code), code, reason)
    assert not m.Transfer.objects.exists()


def test_transfer_reject_cancel_and_query(registry):
    create("example.com", auth_code="Move-Me-Please")
    refused(
        c.request_transfer(client_id=US, name="example.com", auth_code="Move-Me-Please"),
        c.NOT_ELIGIBLE_FOR_TRANSFER,
        "example.com is already sponsored by you",
    )
    c.request_transfer(client_id=PEER, name="example.com", auth_code="Move-Me-Please")
    refused(
        c.request_transfer(client_id=PEER, name="example.com", auth_code="Move-Me-Please"),
        c.PENDING_TRANSFER,
        "example.com already has a pending transfer",
    )
    refused(
        c.approve_transfer(client_id=PEER, name="example.com"),
        c.AUTHORIZATION_ERROR,
        "example.com is sponsored by another registrar",
    )
    refused(
        c.cancel_transfer(client_id=US, name="example.com"),
        c.AUTHORIZATION_ERROR,
        "example.com: only the requesting registrar may cancel",
    )
    assert c.reject_transfer(client_id=US, name="example.com").data["status"] == "clientRejected"
    assert c.query_transfer(client_id=PEER, name="example.com").data["status"] == "clientRejected"
    c.request_transfer(client_id=PEER, name="example.com", auth_code="Move-Me-Please")
    assert c.cancel_transfer(client_id=PEER, name="example.com").data["status"] == "clientCancelled"
    refused(
        c.approve_transfer(client_id=US, name="example.com"),
        c.NOT_PENDING_TRANSFER,
        "example.com has no pending transfer",
    )
    assert domains().get().sponsor.client_id == US


def test_pending_transfer_is_approved_by_the_registry_after_five_days(registry):
    now = timezone.now()
    create("example.com", now=now, auth_code="Move-Me-Please")
    c.request_transfer(client_id=PEER, name="example.com", auth_code="Move-Me-Please", now=now)
    assert c.approve_due_transfers(now=now + timedelta(days=4)) == []
    assert c.approve_due_transfers(now=now + timedelta(days=5, seconds=1)) == ["example.com"]
    assert c.approve_due_transfers(now=now + timedelta(days=6)) == []
    assert domains().get().sponsor.client_id == PEER
    assert m.Transfer.objects.get().status == "serverApproved"


def test_each_tld_has_its_own_reserved_list(registry):
    results = c.check_domains(client_id=US, names_to_check=["test.dev", "test.com", "store.app"]).data[
        "results"
    ]
    assert [(r["name"], r["reason"]) for r in results] == [
        ("test.dev", "reserved"),
        ("test.com", ""),
        ("store.app", "reserved"),
    ]
