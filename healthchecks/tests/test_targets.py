"""Health-check targets, played as an attacker would: every spelling of a private address, local
names, and a name that resolves to 127.0.0.1 only when the probe dials it (DNS rebinding).

The suite turns HEALTHCHECK_ALLOW_LOCAL_TARGETS on (its targets are on 127.0.0.1); these tests
turn it off, as a production operator leaves it.
"""

import asyncio
import socket

import pytest

from healthchecks import rules
from healthchecks.models import HealthCheck, ProbeResult
from healthchecks.probes import ProbeClients, ProbeSpec, run_probe

from .conftest import http_check
from .test_scheduling import run_round

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
PUBLIC_ONLY = "health checks probe public addresses only"
GOOD = {
    "name": "web",
    "check_type": "http",
    "ip_address": "9.9.9.9",
    "port": 80,
    "resource_path": "/health",
    "request_interval_seconds": 30,
    "failure_threshold": 3,
    "timeout_seconds": 4.0,
    "regions": REGIONS,
}


def target_problems(*, allow_local_targets: bool = False, **changes) -> list[tuple[str, str]]:
    data = {**GOOD, **changes}
    found = rules.validate_health_check(
        data, available_regions=REGIONS, allow_local_targets=allow_local_targets
    )
    return [(problem.field, problem.message) for problem in found]


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        # The addresses, then their IPv4-mapped spellings, which got through.
        ("10.0.0.1", "10.0.0.1 is a private address"),
        ("192.168.1.1", "192.168.1.1 is a private address"),
        ("169.254.169.254", "169.254.169.254 is a link-local address"),
        ("::ffff:10.0.0.1", "::ffff:10.0.0.1 reaches the IPv4 address 10.0.0.1, a private address"),
        ("::ffff:192.168.1.1", "::ffff:192.168.1.1 reaches the IPv4 address 192.168.1.1, a private address"),
        (
            "::ffff:169.254.169.254",
            "::ffff:169.254.169.254 reaches the IPv4 address 169.254.169.254, a link-local address",
        ),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1 reaches the IPv4 address 127.0.0.1, a loopback address"),
        (
            "::ffff:a9fe:a9fe",
            "::ffff:a9fe:a9fe reaches the IPv4 address 169.254.169.254, a link-local address",
        ),
        # IPv4-compatible (RFC 4291), 6to4 (RFC 3056) and NAT64 (RFC 6052) spellings.
        ("::10.0.0.1", "::10.0.0.1 reaches the IPv4 address 10.0.0.1, a private address"),
        (
            "::169.254.169.254",
            "::169.254.169.254 reaches the IPv4 address 169.254.169.254, a link-local address",
        ),
        ("2002:a00:1::1", "2002:a00:1::1 reaches the IPv4 address 10.0.0.1, a private address"),
        (
            "2002:a9fe:a9fe::",
            "2002:a9fe:a9fe:: reaches the IPv4 address 169.254.169.254, a link-local address",
        ),
        ("2002:7f00:1::1", "2002:7f00:1::1 reaches the IPv4 address 127.0.0.1, a loopback address"),
        ("64:ff9b::10.0.0.1", "64:ff9b::10.0.0.1 reaches the IPv4 address 10.0.0.1, a private address"),
        (
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::a9fe:a9fe reaches the IPv4 address 169.254.169.254, a link-local address",
        ),
        ("64:ff9b::127.0.0.1", "64:ff9b::127.0.0.1 reaches the IPv4 address 127.0.0.1, a loopback address"),
        # The other ranges, IPv4 and IPv6.
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("127.8.9.10", "127.8.9.10 is a loopback address"),
        ("::1", "::1 is a loopback address"),
        ("172.16.5.4", "172.16.5.4 is a private address"),
        ("fd00::1", "fd00::1 is a private address"),
        ("fe80::1", "fe80::1 is a link-local address"),
        ("100.64.0.1", "100.64.0.1 is a carrier-grade NAT address"),
        ("100.127.255.254", "100.127.255.254 is a carrier-grade NAT address"),
        ("224.0.0.1", "224.0.0.1 is a multicast address"),
        ("224.0.1.1", "224.0.1.1 is a multicast address"),
        ("ff02::1", "ff02::1 is a multicast address"),
        ("240.0.0.1", "240.0.0.1 is a reserved address"),
        ("255.255.255.255", "255.255.255.255 is a reserved address"),
        ("0.0.0.0", "0.0.0.0 is an unspecified address"),
        ("0.1.2.3", "0.1.2.3 is an unspecified address"),
        ("::", ":: is an unspecified address"),
        ("192.0.2.1", "192.0.2.1 is a documentation address"),
        ("2001:db8::1", "2001:db8::1 is a documentation address"),
        ("198.18.0.1", "198.18.0.1 is a special-purpose address"),
    ],
)
def test_every_spelling_of_a_non_public_address_is_refused(address, reason):
    assert target_problems(ip_address=address) == [("ip_address", f"ip_address: {reason}; {PUBLIC_ONLY}")]


@pytest.mark.parametrize(
    ("host_name", "message"),
    [
        ("localhost", "host_name: localhost is a local name; health checks probe public hosts only"),
        ("LocalHost.", "host_name: LocalHost. is a local name; health checks probe public hosts only"),
        (
            "api.localhost",
            "host_name: api.localhost is a local name (.localhost); health checks probe public hosts only",
        ),
        (
            "metadata.google.internal",
            "host_name: metadata.google.internal is a local name (.internal); "
            "health checks probe public hosts only",
        ),
        (
            "printer.local",
            "host_name: printer.local is a local name (.local); health checks probe public hosts only",
        ),
        (
            "nas.home.arpa",
            "host_name: nas.home.arpa is a local name (.home.arpa); health checks probe public hosts only",
        ),
        # What the resolver reads as an address is judged as one.
        ("127.0.0.1", f"host_name: 127.0.0.1 is a loopback address; {PUBLIC_ONLY}"),
        ("2130706433", f"host_name: 2130706433 (read as 127.0.0.1) is a loopback address; {PUBLIC_ONLY}"),
        ("127.1", f"host_name: 127.1 (read as 127.0.0.1) is a loopback address; {PUBLIC_ONLY}"),
        (
            "0xa9.0xfe.0xa9.0xfe",
            "host_name: 0xa9.0xfe.0xa9.0xfe (read as 169.254.169.254) is a link-local address; "
            f"{PUBLIC_ONLY}",
        ),
    ],
)
def test_local_host_names_are_refused(host_name, message):
    assert target_problems(ip_address="", host_name=host_name) == [("host_name", message)]


@pytest.mark.parametrize(
    "changes",
    [
        {"ip_address": "8.8.8.8"},
        {"ip_address": "2606:4700:4700::1111"},
        {"ip_address": "::ffff:8.8.8.8"},
        {"ip_address": "2002:808:808::1"},
        {"ip_address": "64:ff9b::8.8.8.8"},
        {"ip_address": "", "host_name": "www.example.com"},
        {"ip_address": "", "host_name": "localhost.example.com"},
    ],
)
def test_public_targets_are_accepted(changes):
    assert target_problems(**changes) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"ip_address": "127.0.0.1"},
        {"ip_address": "::1"},
        {"ip_address": "::ffff:127.0.0.1"},
        {"ip_address": "10.0.0.1"},
        {"ip_address": "fd00::1"},
        {"ip_address": "192.0.2.200"},
        {"ip_address": "", "host_name": "localhost"},
        {"ip_address": "", "host_name": "db.internal"},
    ],
)
def test_the_operator_may_allow_loopback_and_private_targets(changes):
    assert target_problems(allow_local_targets=True, **changes) == []


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("169.254.169.254", "169.254.169.254 is a link-local address"),
        (
            "::ffff:169.254.169.254",
            "::ffff:169.254.169.254 reaches the IPv4 address 169.254.169.254, a link-local address",
        ),
        ("100.64.0.1", "100.64.0.1 is a carrier-grade NAT address"),
        ("224.0.0.1", "224.0.0.1 is a multicast address"),
        ("0.0.0.0", "0.0.0.0 is an unspecified address"),
        ("240.0.0.1", "240.0.0.1 is a reserved address"),
    ],
)
def test_allowing_local_targets_still_refuses_metadata_multicast_and_the_rest(address, reason):
    problems = target_problems(allow_local_targets=True, ip_address=address)
    assert problems == [("ip_address", f"ip_address: {reason}; {PUBLIC_ONLY}")]


# ---- through the API and the console ---------------------------------------------------------

API_CHECK = {
    "name": "metadata",
    "check_type": "http",
    "port": 80,
    "resource_path": "/latest/meta-data/",
    "request_interval_seconds": 10,
    "failure_threshold": 1,
    "timeout_seconds": 2.0,
}


@pytest.fixture
def public_only(settings):
    settings.HEALTHCHECK_ALLOW_LOCAL_TARGETS = False


@pytest.mark.parametrize(
    ("target", "field", "message"),
    [
        (
            {"ip_address": "::ffff:169.254.169.254"},
            "ip_address",
            "ip_address: ::ffff:169.254.169.254 reaches the IPv4 address 169.254.169.254, "
            f"a link-local address; {PUBLIC_ONLY}",
        ),
        (
            {"ip_address": "::ffff:127.0.0.1"},
            "ip_address",
            "ip_address: ::ffff:127.0.0.1 reaches the IPv4 address 127.0.0.1, a loopback address; "
            f"{PUBLIC_ONLY}",
        ),
        (
            {"host_name": "metadata.google.internal"},
            "host_name",
            "host_name: metadata.google.internal is a local name (.internal); "
            "health checks probe public hosts only",
        ),
        (
            {"host_name": "localhost"},
            "host_name",
            "host_name: localhost is a local name; health checks probe public hosts only",
        ),
    ],
)
def test_the_api_refuses_local_targets_by_field(owner_api, public_only, target, field, message):
    response = owner_api.post("/api/v1/healthchecks", {**API_CHECK, **target}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert HealthCheck.objects.count() == 0


def test_the_api_refuses_moving_a_check_to_a_local_target(owner_api, public_only):
    created = owner_api.post("/api/v1/healthchecks", {**API_CHECK, "ip_address": "9.9.9.9"}, format="json")
    assert created.status_code == 201, created.json()
    check_id = created.json()["id"]
    response = owner_api.patch(
        f"/api/v1/healthchecks/{check_id}", {"ip_address": "::ffff:10.0.0.1"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "ip_address": [
            f"ip_address: ::ffff:10.0.0.1 reaches the IPv4 address 10.0.0.1, a private address; {PUBLIC_ONLY}"
        ]
    }
    assert HealthCheck.objects.get(pk=check_id).ip_address == "9.9.9.9"


def test_the_console_shows_the_refusal_beside_the_field(owner_client, public_only):
    form = {
        **API_CHECK,
        "host_name": "metadata.google.internal",
        "regions": REGIONS,
        "healthy_children_threshold": 1,
    }
    response = owner_client.post("/healthchecks/new/", form)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "host_name": [
            "metadata.google.internal is a local name (.internal); health checks probe public hosts only"
        ]
    }
    assert HealthCheck.objects.count() == 0


# ---- at the moment of dialling -----------------------------------------------------------------


def resolver_of(answers: dict[str, list[str]]):
    """A resolver only this test knows: `answers` maps a name to its addresses."""
    asked: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers[host]

    resolve.asked = asked
    return resolve


def probe_with(resolve, **spec):
    spec.setdefault("key", 1)
    spec.setdefault("check_type", "http")
    spec.setdefault("timeout_seconds", 2.0)

    async def run():
        return await run_probe(ProbeSpec(**spec), ProbeClients(resolve))

    return asyncio.run(run())


def test_a_mapped_address_is_not_dialled(target):
    outcome = probe_with(resolver_of({}), host="::ffff:127.0.0.1", port=target.port, path="/ok")
    assert (outcome.is_success, outcome.status_code) == (False, None)
    assert outcome.error == "address ::ffff:127.0.0.1 (IPv4 127.0.0.1) is not a public address"
    assert target.requests == []


@pytest.mark.parametrize(
    ("host", "error"),
    [
        ("127.0.0.1", "address 127.0.0.1 is not a public address"),
        ("10.0.0.1", "address 10.0.0.1 is not a public address"),
        ("64:ff9b::7f00:1", "address 64:ff9b::7f00:1 (IPv4 127.0.0.1) is not a public address"),
        ("2002:7f00:1::1", "address 2002:7f00:1::1 (IPv4 127.0.0.1) is not a public address"),
        ("2130706433", "address 2130706433 (127.0.0.1) is not a public address"),
    ],
)
def test_a_literal_local_address_is_refused_before_connecting(target, host, error):
    outcome = probe_with(resolver_of({}), host=host, port=target.port, check_type="tcp")
    assert (outcome.is_success, outcome.error) == (False, error)


def test_a_name_that_resolves_to_loopback_is_refused_when_dialled(target):
    resolve = resolver_of({"rebind.example.com": ["127.0.0.1"]})
    outcome = probe_with(resolve, host="rebind.example.com", port=target.port, path="/ok")
    assert outcome.error == "address 127.0.0.1 of rebind.example.com is not a public address"
    assert resolve.asked == ["rebind.example.com"]
    assert target.requests == []


def test_one_local_address_among_the_answers_refuses_the_name(target):
    resolve = resolver_of({"both.example.com": ["93.184.215.14", "::ffff:127.0.0.1"]})
    outcome = probe_with(resolve, host="both.example.com", port=target.port, check_type="tcp")
    assert outcome.error == (
        "address ::ffff:127.0.0.1 (IPv4 127.0.0.1) of both.example.com is not a public address"
    )


def test_an_unknown_name_fails_the_probe_plainly(target):
    outcome = probe_with(resolver_of({}), host="nowhere.example.com", port=target.port)
    assert outcome.error == "could not resolve nowhere.example.com: Name or service not known"


def test_where_local_targets_are_allowed_the_probe_dials_the_resolved_address(target):
    resolve = resolver_of({"app.example.com": ["127.0.0.1"]})
    outcome = probe_with(
        resolve, host="app.example.com", port=target.port, path="/ok", allow_local_targets=True
    )
    assert (outcome.is_success, outcome.status_code) == (True, 200)
    # The name travels in the Host header; the connection went to the checked address.
    assert target.httpd.hosts == ["app.example.com"]


def test_a_check_whose_name_rebinds_to_loopback_records_the_refusal(owner, target, monkeypatch, settings):
    # Saved while its name looked public; by the time it is probed the name answers 127.0.0.1.
    settings.HEALTHCHECK_ALLOW_LOCAL_TARGETS = False
    check = http_check(
        owner,
        target.port,
        name="rebinding",
        ip_address="",
        host_name="rebind.example.com",
        regions=["us-east-1"],
    )
    resolve = resolver_of({"rebind.example.com": ["127.0.0.1"]})
    monkeypatch.setattr("healthchecks.probes.resolve_host", resolve)
    run_round(check)
    result = ProbeResult.objects.get(health_check=check)
    assert (result.is_success, result.error) == (
        False,
        "address 127.0.0.1 of rebind.example.com is not a public address",
    )
    assert check.region_states.get().last_error == result.error
    check.refresh_from_db()
    assert check.is_healthy is False
    assert target.requests == []
