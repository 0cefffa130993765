"""The firewall through a real unbound: our rpz: clauses, and the zones our RPZ module builds
(as zone files, and over AXFR with NOTIFY from a primary)."""

import logging
import time

import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import pytest

from dnsfirewall import rpz, services
from dnsfirewall.tests.unbound import TinyPrimary, Unbound, wait_until
from zones.engine import compile_zone

logger = logging.getLogger(__name__)

EXAMPLE_COM = """
$ORIGIN example.com.
@ 300 IN SOA ns.example.com. admin.example.com. 1 3600 600 86400 300
@ 300 IN NS ns.example.com.
ns 300 IN A 192.0.2.53
good 300 IN A 192.0.2.1
bad 300 IN A 192.0.2.2
deep.bad 300 IN A 192.0.2.22
www 300 IN A 192.0.2.3
alert 300 IN A 192.0.2.4
nodata 300 IN A 192.0.2.6
over 300 IN A 192.0.2.7
cn 300 IN A 192.0.2.8
x.partner 300 IN A 192.0.2.5
"""
EXAMPLE_NET = """
$ORIGIN example.net.
@ 300 IN SOA ns.example.net. admin.example.net. 1 3600 600 86400 300
@ 300 IN NS ns.example.net.
ns 300 IN A 198.51.100.53
walled 300 IN A 198.51.100.9
"""


def rule(group, owner, name, priority, action, domains, **fields):
    domain_list = services.create_domain_list(owner=owner, name=name, domains=domains)
    return services.save_rule(
        group=group, domain_list=domain_list, name=name, priority=priority, action=action, **fields
    )


def running_unbound(tmp_path, network) -> Unbound:
    """unbound with the network's rpz: clauses, each group's zone written where they say."""
    for group in services.network_rule_groups(network):
        (tmp_path / f"{group.rpz_zone_name}zone").write_text(rpz.zone_text(rpz.group_zone(group)))
    clauses = services.rpz_clauses(network, primaries=(), zonefile_dir=str(tmp_path))
    return Unbound(tmp_path, clauses, {"example.com.": EXAMPLE_COM, "example.net.": EXAMPLE_NET})


def addresses(message) -> list[str]:
    return sorted(
        rdata.address for rrset in message.answer if rrset.rdtype == dns.rdatatype.A for rdata in rrset
    )


@pytest.fixture
def firewall(owner, network, group):
    rule(group, owner, "partners", 5, "ALLOW", ["*.partner.example.com"])
    rule(group, owner, "allowed", 10, "ALLOW", ["good.example.com"])
    rule(
        group,
        owner,
        "blocked",
        20,
        "BLOCK",
        ["bad.example.com", "*.bad.example.com", "good.example.com", "x.partner.example.com"],
        block_response="NXDOMAIN",
    )
    rule(group, owner, "empty", 30, "BLOCK", ["nodata.example.com"], block_response="NODATA")
    rule(
        group,
        owner,
        "overridden",
        40,
        "BLOCK",
        ["over.example.com"],
        block_response="OVERRIDE",
        override_type="A",
        override_value="192.0.2.99",
    )
    rule(
        group,
        owner,
        "walled",
        50,
        "BLOCK",
        ["cn.example.com"],
        block_response="OVERRIDE",
        override_type="CNAME",
        override_value="walled.example.net",
    )
    rule(group, owner, "watched", 60, "ALERT", ["alert.example.com"])
    services.associate_rule_group(group=group, network=network, priority=100)
    return group


def test_block_answers_nxdomain_nodata_or_the_override(tmp_path, network, firewall):
    with running_unbound(tmp_path, network) as unbound:
        blocked = unbound.query("bad.example.com.", "A")
        assert blocked.rcode() == dns.rcode.NXDOMAIN and not blocked.answer
        below = unbound.query("deep.bad.example.com.", "A")
        assert below.rcode() == dns.rcode.NXDOMAIN and not below.answer
        empty = unbound.query("nodata.example.com.", "A")
        assert empty.rcode() == dns.rcode.NOERROR and not empty.answer
        assert addresses(unbound.query("over.example.com.", "A")) == ["192.0.2.99"]
        walled = unbound.query("cn.example.com.", "A")
        cname = walled.find_rrset(
            walled.answer, walled.question[0].name, dns.rdataclass.IN, dns.rdatatype.CNAME
        )
        assert cname[0].target.to_text() == "walled.example.net."
        # Names no rule matches are answered as usual.
        assert addresses(unbound.query("www.example.com.", "A")) == ["192.0.2.3"]


def test_an_allow_rule_of_higher_priority_lets_a_blocked_name_through(tmp_path, network, firewall):
    with running_unbound(tmp_path, network) as unbound:
        # good.example.com is in the BLOCK list too, at a lower priority.
        assert addresses(unbound.query("good.example.com.", "A")) == ["192.0.2.1"]
        # A wildcard ALLOW above an exact BLOCK wins, though RPZ prefers exact names.
        assert addresses(unbound.query("x.partner.example.com.", "A")) == ["192.0.2.5"]


def test_alert_answers_unchanged_and_logs_the_query(tmp_path, network, firewall):
    with running_unbound(tmp_path, network) as unbound:
        answer = unbound.query("alert.example.com.", "A")
        assert addresses(answer) == ["192.0.2.4"]
        unbound.query("deep.bad.example.com.", "A")
        log = unbound.log_text()
    log_name = services.rpz_log_name(firewall)
    assert f"rpz: applied [{log_name}] alert.example.com. rpz-passthru" in log
    assert f"rpz: applied [{log_name}] *.bad.example.com. rpz-nxdomain" in log
    assert services.firewall_rule_for(firewall, "alert.example.com.").action == "ALERT"
    read = [line for line in map(rpz.parse_rpz_log_line, log.splitlines()) if line is not None]
    assert [(line.group_id, line.trigger, line.action, line.client, line.qname) for line in read] == [
        (firewall.pk, "alert.example.com.", "rpz-passthru", "127.0.0.1", "alert.example.com."),
        (firewall.pk, "*.bad.example.com.", "rpz-nxdomain", "127.0.0.1", "deep.bad.example.com."),
    ]


def test_groups_apply_in_the_order_of_their_associations(tmp_path, owner, network):
    blocking = services.create_rule_group(owner=owner, name="blocking")
    rule(blocking, owner, "block www", 1, "BLOCK", ["www.example.com"], block_response="NXDOMAIN")
    allowing = services.create_rule_group(owner=owner, name="allowing")
    rule(allowing, owner, "allow www", 1, "ALLOW", ["www.example.com"])
    first = services.associate_rule_group(group=allowing, network=network, priority=100)
    services.associate_rule_group(group=blocking, network=network, priority=200)
    (tmp_path / "before").mkdir()
    with running_unbound(tmp_path / "before", network) as unbound:
        assert addresses(unbound.query("www.example.com.", "A")) == ["192.0.2.3"]
    services.update_association(first, priority=300)
    (tmp_path / "after").mkdir()
    with running_unbound(tmp_path / "after", network) as unbound:
        assert unbound.query("www.example.com.", "A").rcode() == dns.rcode.NXDOMAIN


def test_a_rule_change_reaches_unbound_by_notify_and_transfer(tmp_path, owner, network, group):
    """The RPZ source's zone over AXFR from a primary; a change raises the serial, NOTIFY
    makes unbound transfer it again, and the answer changes without a restart."""
    source = rpz.FirewallRpzSource()
    www = rule(group, owner, "www", 1, "BLOCK", ["www.example.com"], block_response="NXDOMAIN")
    services.associate_rule_group(group=group, network=network, priority=1)
    key = rpz.rpz_key(group.pk)
    with TinyPrimary() as primary:
        primary.serve(compile_zone(source.load(key)))
        clauses = services.rpz_clauses(
            network, primaries=[f"127.0.0.1@{primary.port}"], allow_notify=["127.0.0.0/8"]
        )
        with Unbound(tmp_path, clauses, {"example.com.": EXAMPLE_COM}) as unbound:
            wait_until(
                lambda: unbound.query("www.example.com.", "A").rcode() == dns.rcode.NXDOMAIN,
                what="unbound to transfer the RPZ zone",
            )
            transfers = primary.transfers
            services.save_rule(
                group=www.group, domain_list=www.domain_list, name="www", priority=1, action="ALERT", rule=www
            )
            assert source.serials() == {key: 3}
            primary.serve(compile_zone(source.load(key)))
            notified = time.monotonic()
            assert (
                primary.notify(dns.name.from_text(group.rpz_zone_name), unbound.port).rcode()
                == dns.rcode.NOERROR
            )
            wait_until(
                lambda: addresses(unbound.query("www.example.com.", "A")) == ["192.0.2.3"],
                what="the ALERT rule to replace the BLOCK",
            )
            # A figure for the report (pytest --log-cli-level=INFO), not a test of speed.
            logger.info("NOTIFY to a changed answer: %.0f ms", (time.monotonic() - notified) * 1000)
            assert primary.transfers > transfers
            assert unbound.process.poll() is None
