"""The RPZ zone of a rule group (pure), and the DNS server's source of those zones."""

import dns.name
import dns.rdatatype
import pytest

from dnsfirewall import rpz, services
from zones.engine import compile_zone

ORIGIN = dns.name.from_text("7.rpz.nameplate.internal.")


def records(rules: list[rpz.RuleData]) -> dict[str, str]:
    """Each trigger (relative to the origin) with its record's type and value."""
    zone = rpz.build_rpz_zone(ORIGIN, 1, rules)
    found = {}
    for name, node in zone.nodes.items():
        for rdataset in node:
            if rdataset.rdtype not in (dns.rdatatype.SOA, dns.rdatatype.NS):
                found[name.relativize(ORIGIN).to_text()] = (
                    f"{dns.rdatatype.to_text(rdataset.rdtype)} {rdataset[0]}"
                )
    return found


@pytest.mark.parametrize(
    ("rule", "record"),
    [
        (rpz.RuleData(1, "BLOCK", ("x.example",), "NXDOMAIN"), "CNAME ."),
        (rpz.RuleData(1, "BLOCK", ("x.example",), "NODATA"), "CNAME *."),
        (rpz.RuleData(1, "BLOCK", ("x.example",), "OVERRIDE", "A", "192.0.2.1"), "A 192.0.2.1"),
        (rpz.RuleData(1, "BLOCK", ("x.example",), "OVERRIDE", "CNAME", "w.example."), "CNAME w.example."),
        (rpz.RuleData(1, "ALLOW", ("x.example",)), "CNAME rpz-passthru."),
        (rpz.RuleData(1, "ALERT", ("x.example",)), "CNAME rpz-passthru."),
    ],
)
def test_each_action_has_its_standard_rpz_encoding(rule, record):
    assert records([rule]) == {"x.example": record}


def test_a_name_a_higher_priority_rule_covers_is_left_out():
    found = records(
        [
            rpz.RuleData(30, "BLOCK", ("a.example", "*.b.example", "c.example"), "NXDOMAIN"),
            rpz.RuleData(10, "ALLOW", ("*.example",)),
            rpz.RuleData(20, "BLOCK", ("a.example", "example"), "NODATA"),
        ]
    )
    # *.example (10) covers a.example, *.b.example and c.example; example itself is not below it.
    assert found == {"*.example": "CNAME rpz-passthru.", "example": "CNAME *."}


def test_the_first_rule_with_a_name_keeps_it_and_one_list_keeps_a_name_with_its_wildcard():
    found = records(
        [
            rpz.RuleData(1, "BLOCK", ("x.example", "*.x.example"), "NXDOMAIN"),
            rpz.RuleData(2, "ALLOW", ("x.example", "y.x.example")),
        ]
    )
    assert found == {"x.example": "CNAME .", "*.x.example": "CNAME ."}


def test_a_catch_all_wildcard_shadows_everything_after_it():
    found = records([rpz.RuleData(1, "ALERT", ("*",)), rpz.RuleData(2, "BLOCK", ("x.example",), "NXDOMAIN")])
    assert found == {"*": "CNAME rpz-passthru."}


@pytest.mark.django_db
def test_the_source_serves_associated_groups_with_serials_that_follow_changes(
    owner, network, group, domain_list
):
    source = rpz.FirewallRpzSource(notify_targets=lambda group: ["127.0.0.1:5353"])
    assert source.serials() == {}
    services.associate_rule_group(group=group, network=network, priority=1)
    services.save_rule(
        group=group, domain_list=domain_list, name="b", priority=1, action="BLOCK", block_response="NXDOMAIN"
    )
    key = f"rpz:{group.pk}"
    assert source.serials() == {key: 2}
    services.update_domain_list(domain_list, domains=["worse.example.com"], operation="ADD")
    assert source.serials() == {key: 3}
    data = source.load(key)
    assert data.notify_targets == ("127.0.0.1:5353",)
    assert [str(network) for network in data.xfr_networks] == ["127.0.0.0/8", "::1/128"]
    snapshot = compile_zone(data)
    assert snapshot.serial == 3
    assert sorted(
        rrset.name.to_text() for rrset in snapshot.iter_rrsets() if rrset.rdtype == dns.rdatatype.CNAME
    ) == [
        f"bad.example.com.{group.pk}.rpz.nameplate.internal.",
        f"worse.example.com.{group.pk}.rpz.nameplate.internal.",
    ]
    assert source.load("rpz:999999") is None and source.load("7") is None


def test_query_log_verdicts_name_each_lines_rule_and_read_the_rules_once(
    owner, group, django_assert_num_queries
):
    def rule(name, priority, action, domains, **fields):
        domain_list = services.create_domain_list(owner=owner, name=name, domains=domains)
        return services.save_rule(
            group=group, domain_list=domain_list, name=name, priority=priority, action=action, **fields
        )

    allowed = rule("allowed", 10, "ALLOW", ["good.example.com"])
    watched = rule("watched", 20, "ALERT", ["*.watched.example.com"])
    blocked = rule("blocked", 30, "BLOCK", ["bad.example.com"], block_response="NXDOMAIN")
    seen = [
        ("good.example.com.", "rpz-passthru"),
        ("a.watched.example.com.", "rpz-passthru"),
        ("bad.example.com.", "rpz-nxdomain"),
    ]
    lines = [rpz.RpzLogLine(group.pk, qname, action, "127.0.0.1", qname, "A") for qname, action in seen * 20]
    gone = rpz.RpzLogLine(
        group.pk + 1000, "x.example.com.", "rpz-nxdomain", "127.0.0.1", "x.example.com.", "A"
    )

    # The groups, then their rules: two queries for sixty-one lines.
    with django_assert_num_queries(2):
        verdicts = services.firewall_verdicts([*lines, gone])

    assert verdicts[-1] is None
    assert {(v.action, v.rule_group_id, v.domain_list_id) for v in verdicts[:-1]} == {
        ("ALLOW", group.pk, allowed.domain_list_id),
        ("ALERT", group.pk, watched.domain_list_id),
        ("BLOCK", group.pk, blocked.domain_list_id),
    }
    assert [v.action for v in verdicts[:3]] == ["ALLOW", "ALERT", "BLOCK"]
