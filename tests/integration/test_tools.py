"""The trace and test-answer tools against our running DNS server, with data made the normal way."""

import dns.message
import dns.query
import dns.rdatatype
import pytest
from django.core.management import call_command

from console import tools
from tests.support import (
    LiveDnsServer,
    buy_domain,
    name_server_address,
    query,
    wait_for_delegation,
    wait_until,
)
from zones import services as zone_services
from zones.models import HostedZone
from zones.rules import RecordSetSpec

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_dns(settings):
    listeners = ["root=127.0.0.1:0", "tld=127.0.0.1:0", "auth=127.0.0.1:0"]
    with LiveDnsServer(listeners, name_server_port=0) as server:
        settings.DNS_SERVER_LISTEN = server.listen_setting()
        settings.DNS_NAMESERVER_PORT = server.name_server_port
        yield server


def add_records(zone: HostedZone, *specs: RecordSetSpec) -> None:
    zone_services.apply_change_batch(
        hosted_zone=zone, changes=[zone_services.Change("CREATE", spec) for spec in specs]
    )


def test_trace_of_a_bought_domain_walks_root_tld_zone(owner, live_dns):
    domain = buy_domain(owner, "trace-me.com")
    add_records(domain.hosted_zone, RecordSetSpec(name="www", type="A", ttl=60, values=("192.0.2.44",)))
    wait_until(
        lambda: query("www.trace-me.com.", "A", live_dns.port("auth")).answer,
        what="the record to reach the auth server",
    )
    wait_for_delegation(live_dns, "trace-me.com.")

    result = tools.run_trace("www.trace-me.com", "A")

    assert result.outcome == "answer", result.error
    assert [step.tier for step in result.steps] == ["root", "tld", "auth"]
    root, tld, auth = result.steps
    assert root.outcome == "referral" and any(" NS " in line and "nic" in line for line in root.authority)
    assert tld.server.name.endswith(".com.") and tld.server.port == live_dns.port("tld")
    assert tld.outcome == "referral"
    zone_servers = set(domain.hosted_zone.name_servers)
    assert {line.split()[-1] for line in tld.authority} == zone_servers
    # The zone's own name server, at its own address (from the glue), on the name servers' port.
    assert auth.server.name in zone_servers and auth.server.port == live_dns.name_server_port
    assert auth.server.address == name_server_address(auth.server.name)
    assert auth.is_authoritative
    assert auth.answer == ["www.trace-me.com. 60 IN A 192.0.2.44"]
    assert all(step.rtt_ms is not None for step in result.steps)


@pytest.mark.parametrize("other_first", [True, False], ids=["other-zone-older", "other-zone-newer"])
def test_trace_reaches_the_delegated_zone_of_two_with_one_name(owner, other_user, live_dns, other_first):
    if other_first:
        other = zone_services.create_hosted_zone(owner=other_user, name="twins.com")
    domain = buy_domain(owner, "twins.com")
    if not other_first:
        other = zone_services.create_hosted_zone(owner=other_user, name="twins.com")
    add_records(other, RecordSetSpec(name="www", type="A", ttl=60, values=("203.0.113.66",)))
    zone = domain.hosted_zone
    add_records(zone, RecordSetSpec(name="www", type="A", ttl=60, values=("192.0.2.45",)))
    wait_for_delegation(live_dns, "twins.com.")
    for hosted, address in ((zone, "192.0.2.45"), (other, "203.0.113.66")):
        wait_until(
            lambda hosted=hosted, address=address: (
                [
                    rdata.address
                    for rrset in query(
                        "www.twins.com.",
                        "A",
                        live_dns.name_server_port,
                        host=name_server_address(hosted.name_servers[0]),
                    ).answer
                    for rdata in rrset
                ]
                == [address]
            ),
            what=f"zone {hosted.pk} on its own name servers",
        )

    result = tools.run_trace("www.twins.com", "A")

    assert result.outcome == "answer", result.error
    assert [step.tier for step in result.steps] == ["root", "tld", "auth"]
    auth = result.steps[-1]
    assert auth.server.name in zone.name_servers
    assert auth.server.address == name_server_address(auth.server.name)
    assert auth.answer == ["www.twins.com. 60 IN A 192.0.2.45"]
    assert not set(zone.name_servers) & set(other.name_servers)


def test_trace_of_an_unregistered_name_ends_in_nxdomain_at_the_tld(owner, live_dns):
    buy_domain(owner, "registered-one.com")
    wait_for_delegation(live_dns, "registered-one.com.")

    result = tools.run_trace("never-registered-here.com", "A")

    assert result.outcome == "nxdomain"
    assert [step.tier for step in result.steps] == ["root", "tld"]
    assert result.steps[-1].rcode == "NXDOMAIN"
    assert "NXDOMAIN from the tld server" in result.error


def test_dnstrace_command_prints_every_step(owner, live_dns, capsys):
    domain = buy_domain(owner, "cli-trace.org")
    add_records(domain.hosted_zone, RecordSetSpec(name="@", type="TXT", ttl=60, values=('"hello"',)))
    wait_until(lambda: query("cli-trace.org.", "TXT", live_dns.port("auth")).answer, what="the TXT record")
    wait_for_delegation(live_dns, "cli-trace.org.")

    call_command("dnstrace", "cli-trace.org", "TXT")

    out = capsys.readouterr().out
    assert ";; 1. root server" in out and ";; 2. tld server" in out and ";; 3. auth server" in out
    assert 'cli-trace.org. 60 IN TXT "hello"' in out


POLICY_RECORDS = [
    RecordSetSpec(name="simple", type="A", ttl=60, values=("192.0.2.1",)),
    # One weight is zero, so the draw is certain while both are healthy.
    RecordSetSpec(
        name="weighted",
        type="A",
        ttl=60,
        values=("192.0.2.10",),
        policy="weighted",
        set_identifier="heavy",
        weight=100,
    ),
    RecordSetSpec(
        name="weighted",
        type="A",
        ttl=60,
        values=("192.0.2.11",),
        policy="weighted",
        set_identifier="never",
        weight=0,
    ),
    RecordSetSpec(
        name="latency",
        type="A",
        ttl=60,
        values=("192.0.2.20",),
        policy="latency",
        set_identifier="europe",
        region="eu-west-2",
    ),
    RecordSetSpec(
        name="latency",
        type="A",
        ttl=60,
        values=("192.0.2.21",),
        policy="latency",
        set_identifier="america",
        region="us-east-1",
    ),
    RecordSetSpec(
        name="failover",
        type="A",
        ttl=60,
        values=("192.0.2.30",),
        policy="failover",
        set_identifier="primary",
        failover="PRIMARY",
    ),
    RecordSetSpec(
        name="failover",
        type="A",
        ttl=60,
        values=("192.0.2.31",),
        policy="failover",
        set_identifier="secondary",
        failover="SECONDARY",
    ),
    RecordSetSpec(
        name="geo",
        type="A",
        ttl=60,
        values=("192.0.2.40",),
        policy="geolocation",
        set_identifier="uk",
        country="GB",
    ),
    RecordSetSpec(
        name="geo",
        type="A",
        ttl=60,
        values=("192.0.2.41",),
        policy="geolocation",
        set_identifier="europe",
        continent="EU",
    ),
    RecordSetSpec(
        name="geo",
        type="A",
        ttl=60,
        values=("192.0.2.42",),
        policy="geolocation",
        set_identifier="default",
        country="*",
    ),
    *[
        RecordSetSpec(
            name="multi",
            type="A",
            ttl=60,
            values=(f"192.0.2.{50 + n}",),
            policy="multivalue",
            set_identifier=f"m{n}",
        )
        for n in range(3)
    ],
    RecordSetSpec(name="@", type="A", alias_target_name="simple"),
]

QUESTIONS = [
    ("simple", None),
    ("weighted", None),
    ("latency", "81.2.69.0/24"),  # London: eu-west-2 is nearest
    ("latency", "8.8.8.0/24"),  # United States
    ("failover", None),
    ("geo", "81.2.69.0/24"),  # GB
    ("geo", "193.0.14.0/24"),  # NL: the continent record
    ("geo", "200.160.0.0/24"),  # BR: the default
    ("multi", None),
    ("@", None),
]


def real_answer(port: int, qname: str, subnet: str | None) -> set[str]:
    options = []
    if subnet:
        address, prefix = subnet.split("/")
        options = [dns.edns.ECSOption(address, int(prefix))]
    request = dns.message.make_query(qname, "A", use_edns=0, options=options)
    response = dns.query.udp(request, "127.0.0.1", port=port, timeout=3)
    return {line for rrset in response.answer for line in rrset.to_text().splitlines()}


def test_test_answer_agrees_with_the_server_for_every_policy(owner, live_dns):
    domain = buy_domain(owner, "policies-here.net")
    zone = domain.hosted_zone
    add_records(zone, *POLICY_RECORDS)
    wait_until(lambda: query("multi.policies-here.net.", "A", live_dns.port("auth")).answer, what="records")

    for name, subnet in QUESTIONS:
        qname = "policies-here.net." if name == "@" else f"{name}.policies-here.net."
        report = tools.explain_dns_answer(
            hosted_zone=zone, record_name=name, record_type="A", client_subnet=subnet or ""
        )
        served = real_answer(live_dns.port("auth"), qname, subnet)
        assert report.response_code == "NOERROR", (name, report)
        assert set(report.answer) == served, (name, subnet, report.answer, served, report.reasons)
        assert report.reasons, name


def test_test_answer_explains_the_branch_chosen(owner):
    domain = buy_domain(owner, "explained.io")
    add_records(domain.hosted_zone, *POLICY_RECORDS)

    report = tools.explain_dns_answer(
        hosted_zone=domain.hosted_zone, record_name="geo", record_type="A", client_subnet="81.2.69.0/24"
    )

    assert report.record_data == ["192.0.2.40"]
    assert report.scope_prefix is not None
    assert any(reason["code"] == "geolocation" for reason in report.reasons), report.reasons


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("record_name", "www.elsewhere.org.", "www.elsewhere.org. is not in the zone explained-bad.io."),
        ("record_type", "AAAAA", "AAAAA is not a record type"),
        ("resolver_ip", "300.1.2.3", "300.1.2.3 is not an IP address"),
        ("client_subnet", "10.0.0.0/40", "10.0.0.0/40 is not an IP network such as 203.0.113.0/24"),
    ],
)
def test_test_answer_refuses_bad_input_by_field(owner, owner_api, field, value, message):
    zone = zone_services.create_hosted_zone(owner=owner, name="explained-bad.io")
    params = {"hosted_zone_id": zone.pk, "record_name": "www", "record_type": "A", field: value}

    response = owner_api.get("/api/v1/test-dns-answer", params)

    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_test_answer_api_and_page(owner, owner_api, owner_client, other_api, other_client):
    domain = buy_domain(owner, "answer-api.dev")
    add_records(domain.hosted_zone, *POLICY_RECORDS)
    params = {"hosted_zone_id": domain.hosted_zone.pk, "record_name": "failover", "record_type": "A"}

    response = owner_api.get("/api/v1/test-dns-answer", params)

    assert response.status_code == 200
    body = response.json()
    assert body["response_code"] == "NOERROR"
    assert body["record_data"] == ["192.0.2.30"]
    assert any(reason["code"] == "failover" for reason in body["reasons"])

    page = owner_client.get(
        "/tools/test-answer/",
        {"hosted_zone": domain.hosted_zone.pk, "record_name": "failover", "record_type": "A"},
    )
    assert "192.0.2.30" in page.content.decode()

    assert other_api.get("/api/v1/test-dns-answer", params).status_code == 404
    page = other_client.get(
        "/tools/test-answer/",
        {"hosted_zone": domain.hosted_zone.pk, "record_name": "failover", "record_type": "A"},
    )
    assert "192.0.2.30" not in page.content.decode()
    assert "You have no hosted zones yet" in page.content.decode()
    assert owner_api.post("/api/v1/test-dns-answer", params).status_code == 405
