"""The REST API of the DNS Firewall: success, bad input, another account's objects."""

import pytest

from accounts.testing import api_client_for, assert_hidden_from
from dnsfirewall import services
from dnsfirewall.models import FirewallRule, FirewallRuleGroup, FirewallRuleGroupAssociation
from kernel import bus
from kernel.redis import redis_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(owner):
    return api_client_for(owner)


@pytest.fixture
def other_api(other_user):
    return api_client_for(other_user)


def test_a_domain_list_is_created_with_its_domains_cleaned(api):
    response = api.post(
        "/api/v1/firewall/domain-lists",
        {"name": "malware", "domains": ["Bad.Example.COM.", "*.evil.example", "bad.example.com"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["domains"] == ["bad.example.com", "*.evil.example"]
    assert response.json()["domain_count"] == 2


def test_a_bad_domain_is_refused_naming_its_line(api):
    response = api.post(
        "/api/v1/firewall/domain-lists",
        {"name": "malware", "domains": ["good.example", "ex*ample.com"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "domains": [
            "domains: line 2: ex*ample.com is not a domain name (a wildcard must be the whole first label)"
        ]
    }


def test_domains_are_added_and_removed(api, domain_list):
    url = f"/api/v1/firewall/domain-lists/{domain_list.pk}/domains"
    added = api.post(url, {"operation": "ADD", "domains": ["more.example.com"]}, format="json")
    assert added.json()["domains"] == ["bad.example.com", "more.example.com"]
    removed = api.post(url, {"operation": "REMOVE", "domains": ["bad.example.com"]}, format="json")
    assert removed.json()["domains"] == ["more.example.com"]


def test_a_rule_is_added_to_a_group_and_raises_its_serial(api, group, domain_list):
    response = api.post(
        "/api/v1/firewall/rules",
        {
            "group": group.pk,
            "domain_list": domain_list.pk,
            "name": "block",
            "priority": 100,
            "action": "BLOCK",
            "block_response": "OVERRIDE",
            "override_type": "CNAME",
            "override_value": "walled.example.net",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["override_value"] == "walled.example.net."
    group.refresh_from_db()
    assert group.serial == 2


def test_a_priority_taken_in_the_group_is_refused(api, group, domain_list):
    services.save_rule(group=group, domain_list=domain_list, name="first", priority=100, action="ALERT")
    response = api.post(
        "/api/v1/firewall/rules",
        {
            "group": group.pk,
            "domain_list": domain_list.pk,
            "name": "again",
            "priority": 100,
            "action": "ALLOW",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"priority": ["priority: another rule of this group has priority 100"]}


def test_a_block_rule_needs_its_response(api, group, domain_list):
    response = api.post(
        "/api/v1/firewall/rules",
        {"group": group.pk, "domain_list": domain_list.pk, "name": "b", "priority": 1, "action": "BLOCK"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "block_response": ["block_response: (none) is not one of NODATA, NXDOMAIN, OVERRIDE"]
    }


def test_a_group_is_associated_with_a_network_and_gives_the_resolver_its_clause(api, group, network):
    response = api.post(
        "/api/v1/firewall/associations",
        {"group": group.pk, "network": network.pk, "priority": 101},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert services.rpz_clauses(network, primaries=["127.0.0.1@8056"]) == [
        "rpz:",
        f'    name: "{group.pk}.rpz.nameplate.internal."',
        "    primary: 127.0.0.1@8056",
        "    rpz-log: yes",
        f'    rpz-log-name: "firewall-{group.pk}"',
    ]
    deleted = api.delete(f"/api/v1/firewall/rule-groups/{group.pk}")
    assert deleted.status_code == 400
    assert deleted.json() == {
        "non_field_errors": ["This rule group is associated with a network; disassociate it first."]
    }


def test_another_account_cannot_read_change_or_delete_your_firewall(other_api, group, domain_list, network):
    rule = services.save_rule(group=group, domain_list=domain_list, name="r", priority=1, action="ALERT")
    association = services.associate_rule_group(group=group, network=network, priority=1)
    assert_hidden_from(
        other_api,
        [
            ("get", f"/api/v1/firewall/domain-lists/{domain_list.pk}"),
            ("patch", f"/api/v1/firewall/domain-lists/{domain_list.pk}", {"name": "mine"}),
            (
                "post",
                f"/api/v1/firewall/domain-lists/{domain_list.pk}/domains",
                {"operation": "ADD", "domains": ["x.example"]},
            ),
            ("delete", f"/api/v1/firewall/domain-lists/{domain_list.pk}"),
            ("get", f"/api/v1/firewall/rule-groups/{group.pk}"),
            ("patch", f"/api/v1/firewall/rule-groups/{group.pk}", {"name": "mine"}),
            ("delete", f"/api/v1/firewall/rule-groups/{group.pk}"),
            ("get", f"/api/v1/firewall/rules/{rule.pk}"),
            ("patch", f"/api/v1/firewall/rules/{rule.pk}", {"action": "ALLOW"}),
            ("delete", f"/api/v1/firewall/rules/{rule.pk}"),
            ("get", f"/api/v1/firewall/associations/{association.pk}"),
            ("patch", f"/api/v1/firewall/associations/{association.pk}", {"priority": 5}),
            ("delete", f"/api/v1/firewall/associations/{association.pk}"),
        ],
    )
    for path in ("domain-lists", "rule-groups", "rules", "associations"):
        assert other_api.get(f"/api/v1/firewall/{path}").json()["results"] == []
    rule.refresh_from_db()
    assert rule.action == "ALERT" and FirewallRuleGroupAssociation.objects.filter(pk=association.pk).exists()


def test_another_account_cannot_use_your_list_or_group_nor_associate_with_your_network(
    other_api, other_user, group, domain_list, network, other_group
):
    their_list = services.create_domain_list(owner=other_user, name="theirs", domains=["x.example"])
    # Their rule in your group, and your list in their group.
    for body in (
        {"group": group.pk, "domain_list": their_list.pk},
        {"group": other_group.pk, "domain_list": domain_list.pk},
    ):
        response = other_api.post(
            "/api/v1/firewall/rules",
            {**body, "name": "steal", "priority": 1, "action": "ALLOW"},
            format="json",
        )
        assert response.status_code == 400
        assert "does not exist" in str(response.json())
        assert domain_list.name not in str(response.json()) and group.name not in str(response.json())
    for body in (
        {"group": other_group.pk, "network": network.pk},
        {"group": group.pk, "network": network.pk},
    ):
        response = other_api.post("/api/v1/firewall/associations", {**body, "priority": 1}, format="json")
        assert response.status_code == 400
        assert network.name not in str(response.json())
    assert not FirewallRule.objects.exists()
    assert not FirewallRuleGroupAssociation.objects.exists()
    assert FirewallRuleGroup.objects.get(pk=group.pk).serial == 1


def test_the_services_refuse_another_accounts_list_and_network(group, other_domain_list, other_network):
    with pytest.raises(services.FirewallError) as refused:
        services.save_rule(group=group, domain_list=other_domain_list, name="r", priority=1, action="ALLOW")
    assert refused.value.message == f"domain_list: there is no domain list {other_domain_list.pk} of yours"
    with pytest.raises(services.FirewallError) as refused:
        services.associate_rule_group(group=group, network=other_network, priority=1)
    assert refused.value.message == f"network: there is no network {other_network.pk} of yours"


def test_the_firewall_endpoints_are_in_the_openapi_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/firewall/domain-lists",
        "/api/v1/firewall/rule-groups",
        "/api/v1/firewall/rules",
        "/api/v1/firewall/associations",
    ):
        assert path in schema


def test_associating_disassociating_and_reordering_tell_the_resolvers(
    api, group, network, django_capture_on_commit_callbacks
):
    client = redis_client()
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(bus.channel_name(bus.RESOLVER_CHANGES_CHANNEL, client))
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/firewall/associations",
            {"group": group.pk, "network": network.pk, "priority": 1},
            format="json",
        )
    with django_capture_on_commit_callbacks(execute=True):
        api.patch(f"/api/v1/firewall/associations/{created.json()['id']}", {"priority": 2}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        api.delete(f"/api/v1/firewall/associations/{created.json()['id']}")
    heard = []
    for _ in range(100):
        message = pubsub.get_message(timeout=0.1)
        if message is not None:
            heard.append(bus.parse_resolver_change(message["data"].decode()))
        if len(heard) == 3:
            break
    pubsub.close()
    assert heard == [network.pk, network.pk, network.pk]


def test_a_block_rule_patched_to_allow_drops_its_response(api, group, domain_list):
    rule = services.save_rule(
        group=group,
        domain_list=domain_list,
        name="b",
        priority=1,
        action="BLOCK",
        block_response="OVERRIDE",
        override_type="A",
        override_value="192.0.2.1",
    )
    response = api.patch(f"/api/v1/firewall/rules/{rule.pk}", {"action": "ALLOW"}, format="json")
    assert response.status_code == 200, response.json()
    assert (
        response.json()["action"],
        response.json()["block_response"],
        response.json()["override_value"],
    ) == (
        "ALLOW",
        "",
        "",
    )
