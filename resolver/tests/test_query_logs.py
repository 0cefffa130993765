"""Query logs: every query a network's clients send is kept with its answer and latency (dnstap)."""

import pytest
from django.utils import timezone

from dnsfirewall import services as firewall_services
from resolver import services
from resolver.models import QueryLogEntry
from resolver.stubserver import StubDnsServer
from resolver.tests.conftest import (
    ask,
    inbound_endpoint,
    make_network,
    rcode_of,
    wait_for_answer,
    wait_for_rcode,
)
from tests.support import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def logged_since(moment):
    """The entries since `moment`, but those of the probes that waited for the restart."""
    return QueryLogEntry.objects.filter(queried_at__gte=moment).exclude(query_name__startswith="probe.")


def test_the_query_log_keeps_each_query_with_its_answer(owner, other_user, supervisor):
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)
    theirs = make_network(other_user, "theirs", cidrs=["10.30.0.0/16"])
    their_listener = inbound_endpoint(other_user, theirs, name="their-in")
    with StubDnsServer("127.0.0.1", 0, {"www.partner.example.": "198.51.100.7"}) as partner:
        for user, network in ((owner, office), (other_user, theirs)):
            rule = services.create_resolver_rule(
                owner=user,
                name="partner",
                domain_name="partner.example",
                rule_type="FORWARD",
                target_ips=[f"{partner.host}:{partner.port}"],
            )
            services.associate_resolver_rule(rule, network)
        wait_for_answer(listener, "www.partner.example.", ["198.51.100.7"])
        wait_for_answer(their_listener, "www.partner.example.", ["198.51.100.7"])

        # Logging starts with the configuration (unbound restarts to open its dnstap stream).
        services.create_query_log_config(owner=owner, name="office-log", networks=[office])
        wait_until(lambda: supervisor.instance(office).dnstap is not None, what="the query log to start")
        wait_until(
            lambda: rcode_of(ask(listener, "probe.partner.example.")) == "NXDOMAIN", what="the restart"
        )
        before = timezone.now()
        assert rcode_of(ask(listener, "www.partner.example.", "A")) == "NOERROR"
        assert rcode_of(ask(listener, "missing.partner.example.", "AAAA")) == "NXDOMAIN"
        assert rcode_of(ask(their_listener, "www.partner.example.", "A")) == "NOERROR"

        wait_until(lambda: logged_since(before).count() >= 2, what="the entries")
        entries = list(logged_since(before).order_by("queried_at"))

    assert [(entry.query_name, entry.query_type, entry.rcode) for entry in entries] == [
        ("www.partner.example.", "A", "NOERROR"),
        ("missing.partner.example.", "AAAA", "NXDOMAIN"),
    ]
    first = entries[0]
    assert first.network == office and first.client_address == "127.0.0.1" and first.protocol == "udp"
    assert first.answer == "www.partner.example. 1 IN A 198.51.100.7"
    assert first.latency_ms is not None and first.latency_ms >= 0
    assert before <= first.queried_at <= timezone.now()
    # The other account's network keeps no log: its queries are nowhere.
    assert not QueryLogEntry.objects.filter(network=theirs).exists()
    assert logged_since(before).count() == 2
    assert sum(row["count"] for row in services.queries_per_minute(office, minutes=3)) >= 2


def test_the_query_log_says_what_the_firewall_did_with_each_query(owner, other_api, owner_api, supervisor):
    office = make_network(owner, "office")
    listener = inbound_endpoint(owner, office)
    names = ("alert", "blocked", "allowed", "plain")
    answers = {f"{name}.partner.example.": "198.51.100.7" for name in names}
    with StubDnsServer("127.0.0.1", 0, answers) as partner:
        rule = services.create_resolver_rule(
            owner=owner,
            name="partner",
            domain_name="partner.example",
            rule_type="FORWARD",
            target_ips=[f"{partner.host}:{partner.port}"],
        )
        services.associate_resolver_rule(rule, office)
        group = firewall_services.create_rule_group(owner=owner, name="corporate")
        lists = {}
        for priority, (name, action) in enumerate(
            (("alert", "ALERT"), ("blocked", "BLOCK"), ("allowed", "ALLOW"))
        ):
            lists[name] = firewall_services.create_domain_list(
                owner=owner, name=name, domains=[f"{name}.partner.example"]
            )
            firewall_services.save_rule(
                group=group,
                domain_list=lists[name],
                name=name,
                priority=priority + 1,
                action=action,
                **({"block_response": "NXDOMAIN"} if action == "BLOCK" else {}),
            )
        firewall_services.associate_rule_group(group=group, network=office, priority=100)
        services.create_query_log_config(owner=owner, name="office-log", networks=[office])
        wait_until(
            lambda: supervisor.instance(office) and supervisor.instance(office).firewall_log is not None,
            what="the query log with the firewall",
        )
        wait_for_rcode(listener, "blocked.partner.example.", "NXDOMAIN")
        before = timezone.now()
        for name in names:
            ask(listener, f"{name}.partner.example.")
        wait_until(lambda: logged_since(before).count() >= len(names), what="the entries")

    entries = {entry.query_name: entry for entry in logged_since(before)}
    seen = {
        name.split(".")[0]: (
            entry.rcode,
            entry.firewall_action,
            entry.firewall_rule_group_id,
            entry.firewall_domain_list_id,
        )
        for name, entry in entries.items()
    }
    assert seen == {
        "alert": ("NOERROR", "ALERT", group.pk, lists["alert"].pk),
        "blocked": ("NXDOMAIN", "BLOCK", group.pk, lists["blocked"].pk),
        "allowed": ("NOERROR", "ALLOW", group.pk, lists["allowed"].pk),
        "plain": ("NOERROR", "", None, None),
    }
    alerts = owner_api.get("/api/v1/resolver/query-log?firewall_action=ALERT").json()["results"]
    assert [(row["query_name"], row["firewall_rule_group"]) for row in alerts] == [
        ("alert.partner.example.", group.pk)
    ]
    # Another account learns nothing of them.
    assert other_api.get("/api/v1/resolver/query-log?firewall_action=ALERT").json()["count"] == 0
