"""Route 53 Resolver (JSON protocol) through boto3's route53resolver client, against the live server.

Until route53/views.py dispatches `Route53Resolver.*` targets (see the view below, which is the
one the integrator adds there), this module serves `/` with that view itself.
"""

import pytest
from botocore.exceptions import ClientError

from accounts import accesskeys
from dnsfirewall import services as firewall
from dnsfirewall.models import FirewallDomainList, FirewallRule, FirewallRuleGroupAssociation
from resolver.models import ResolverEndpoint, ResolverRule
from route53 import resolver_api
from route53.tests.conftest import client_for
from zones import services as zone_services

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network(owner):
    return zone_services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16"])


@pytest.fixture
def other_network(other_user):
    return zone_services.save_network(owner=other_user, name="theirs", cidrs=["10.2.0.0/16"])


@pytest.fixture
def route53resolver(live_server, access_key):
    return client_for(live_server.url, *access_key, service="route53resolver")


@pytest.fixture
def other_resolver(live_server, other_user):
    key = accesskeys.create_access_key(owner=other_user, name="other")
    return client_for(live_server.url, *key, service="route53resolver")


def error_of(call, **params) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def test_a_firewall_is_built_and_associated_with_a_vpc(route53resolver, network):
    vpc = resolver_api.vpc_id(network)
    domain_list = route53resolver.create_firewall_domain_list(CreatorRequestId="l1", Name="malware")[
        "FirewallDomainList"
    ]
    assert domain_list["Id"].startswith("rslvr-fdl-") and domain_list["DomainCount"] == 0
    updated = route53resolver.update_firewall_domains(
        FirewallDomainListId=domain_list["Id"], Operation="ADD", Domains=["bad.example.com", "*.evil.example"]
    )
    assert updated["Id"] == domain_list["Id"]
    assert FirewallDomainList.objects.get(name="malware").domains == ["bad.example.com", "*.evil.example"]
    group = route53resolver.create_firewall_rule_group(CreatorRequestId="g1", Name="corporate")[
        "FirewallRuleGroup"
    ]
    again = route53resolver.create_firewall_rule_group(CreatorRequestId="g1", Name="corporate")[
        "FirewallRuleGroup"
    ]
    assert again["Id"] == group["Id"]
    rule = route53resolver.create_firewall_rule(
        CreatorRequestId="r1",
        FirewallRuleGroupId=group["Id"],
        FirewallDomainListId=domain_list["Id"],
        Priority=100,
        Action="BLOCK",
        BlockResponse="OVERRIDE",
        BlockOverrideDomain="walled.example.net",
        BlockOverrideDnsType="CNAME",
        BlockOverrideTtl=30,
        Name="wall",
    )["FirewallRule"]
    assert rule["BlockOverrideDomain"] == "walled.example.net."
    route53resolver.create_firewall_rule(
        CreatorRequestId="r2",
        FirewallRuleGroupId=group["Id"],
        FirewallDomainListId=domain_list["Id"],
        Priority=200,
        Action="ALERT",
        Name="watch",
    )
    rules = route53resolver.list_firewall_rules(FirewallRuleGroupId=group["Id"])["FirewallRules"]
    assert [(item["Priority"], item["Action"]) for item in rules] == [(100, "BLOCK"), (200, "ALERT")]
    association = route53resolver.associate_firewall_rule_group(
        CreatorRequestId="a1",
        FirewallRuleGroupId=group["Id"],
        VpcId=vpc,
        Priority=101,
        Name="office firewall",
    )["FirewallRuleGroupAssociation"]
    assert association["VpcId"] == vpc and association["Priority"] == 101
    assert [item["Name"] for item in route53resolver.list_firewall_rule_groups()["FirewallRuleGroups"]] == [
        "corporate"
    ]
    assert [item["Name"] for item in route53resolver.list_firewall_domain_lists()["FirewallDomainLists"]] == [
        "malware"
    ]
    [served] = firewall.network_rule_groups(network)
    assert resolver_api.make_id("rslvr-frg", served.pk) == group["Id"]


def test_a_bad_domain_or_a_taken_priority_is_refused_with_the_field(route53resolver, network):
    domain_list = route53resolver.create_firewall_domain_list(CreatorRequestId="l1", Name="x")[
        "FirewallDomainList"
    ]
    code, message = error_of(
        route53resolver.update_firewall_domains,
        FirewallDomainListId=domain_list["Id"],
        Operation="REPLACE",
        Domains=["ex*ample.com"],
    )
    assert (code, message) == (
        "InvalidParameterException",
        "domains: line 1: ex*ample.com is not a domain name (a wildcard must be the whole first label)",
    )
    group = route53resolver.create_firewall_rule_group(CreatorRequestId="g1", Name="g")["FirewallRuleGroup"]
    params = dict(
        FirewallRuleGroupId=group["Id"], FirewallDomainListId=domain_list["Id"], Action="ALLOW", Name="r"
    )
    route53resolver.create_firewall_rule(CreatorRequestId="r1", Priority=1, **params)
    code, message = error_of(
        route53resolver.create_firewall_rule, CreatorRequestId="r2", Priority=1, **params
    )
    assert (code, message) == (
        "InvalidParameterException",
        "priority: another rule of this group has priority 1",
    )


def test_endpoints_rules_and_query_logs(route53resolver, network):
    vpc = resolver_api.vpc_id(network)
    endpoint = route53resolver.create_resolver_endpoint(
        CreatorRequestId="e1",
        Name="office inbound",
        SecurityGroupIds=[],
        Direction="INBOUND",
        IpAddresses=[{"SubnetId": vpc, "Ip": "127.0.54.20"}, {"SubnetId": vpc, "Ip": "127.0.54.21"}],
    )["ResolverEndpoint"]
    assert endpoint["Id"].startswith("rslvr-in-") and endpoint["HostVPCId"] == vpc
    assert endpoint["IpAddressCount"] == 2
    assert route53resolver.get_resolver_endpoint(ResolverEndpointId=endpoint["Id"])["ResolverEndpoint"][
        "Name"
    ] == ("office inbound")
    assert [item["Id"] for item in route53resolver.list_resolver_endpoints()["ResolverEndpoints"]] == [
        endpoint["Id"]
    ]
    rule = route53resolver.create_resolver_rule(
        CreatorRequestId="r1",
        Name="partner",
        RuleType="FORWARD",
        DomainName="partner.example",
        TargetIps=[{"Ip": "192.0.2.10", "Port": 5353}],
    )["ResolverRule"]
    assert rule["DomainName"] == "partner.example." and rule["TargetIps"] == [
        {"Ip": "192.0.2.10", "Port": 5353}
    ]
    association = route53resolver.associate_resolver_rule(ResolverRuleId=rule["Id"], VPCId=vpc)[
        "ResolverRuleAssociation"
    ]
    assert association["VPCId"] == vpc
    listed = route53resolver.list_resolver_rule_associations()["ResolverRuleAssociations"]
    assert [item["Id"] for item in listed] == [association["Id"]]
    assert list(ResolverRule.objects.get(name="partner").networks.all()) == [network]
    code, _ = error_of(route53resolver.delete_resolver_rule, ResolverRuleId=rule["Id"])
    assert code == "ResourceInUseException"
    route53resolver.disassociate_resolver_rule(ResolverRuleId=rule["Id"], VPCId=vpc)
    route53resolver.delete_resolver_rule(ResolverRuleId=rule["Id"])
    assert route53resolver.list_resolver_rules()["ResolverRules"] == []
    config = route53resolver.create_resolver_query_log_config(
        Name="office queries", DestinationArn="arn:aws:logs:us-east-1:1:log-group:x", CreatorRequestId="q1"
    )["ResolverQueryLogConfig"]
    linked = route53resolver.associate_resolver_query_log_config(
        ResolverQueryLogConfigId=config["Id"], ResourceId=vpc
    )
    assert linked["ResolverQueryLogConfigAssociation"]["ResourceId"] == vpc
    [listed_config] = route53resolver.list_resolver_query_log_configs()["ResolverQueryLogConfigs"]
    assert listed_config["AssociationCount"] == 1
    route53resolver.delete_resolver_endpoint(ResolverEndpointId=endpoint["Id"])
    assert not ResolverEndpoint.objects.exists()


def test_another_account_cannot_see_use_or_change_your_resolver_and_firewall(
    route53resolver, other_resolver, network, other_network
):
    vpc = resolver_api.vpc_id(network)
    endpoint = route53resolver.create_resolver_endpoint(
        CreatorRequestId="e1",
        Name="inbound",
        SecurityGroupIds=[],
        Direction="INBOUND",
        IpAddresses=[{"SubnetId": vpc}, {"SubnetId": vpc}],
    )["ResolverEndpoint"]
    rule = route53resolver.create_resolver_rule(
        CreatorRequestId="r1", Name="sys", RuleType="SYSTEM", DomainName="x.example"
    )["ResolverRule"]
    domain_list = route53resolver.create_firewall_domain_list(CreatorRequestId="l1", Name="secret list")[
        "FirewallDomainList"
    ]
    group = route53resolver.create_firewall_rule_group(CreatorRequestId="g1", Name="secret group")[
        "FirewallRuleGroup"
    ]
    their_group = other_resolver.create_firewall_rule_group(CreatorRequestId="g1", Name="theirs")[
        "FirewallRuleGroup"
    ]
    attempts = [
        (other_resolver.get_resolver_endpoint, {"ResolverEndpointId": endpoint["Id"]}),
        (other_resolver.delete_resolver_endpoint, {"ResolverEndpointId": endpoint["Id"]}),
        (other_resolver.get_resolver_rule, {"ResolverRuleId": rule["Id"]}),
        (other_resolver.delete_resolver_rule, {"ResolverRuleId": rule["Id"]}),
        (
            other_resolver.associate_resolver_rule,
            {"ResolverRuleId": rule["Id"], "VPCId": resolver_api.vpc_id(other_network)},
        ),
        (
            other_resolver.create_resolver_endpoint,
            {
                "CreatorRequestId": "x",
                "SecurityGroupIds": [],
                "Direction": "INBOUND",
                "IpAddresses": [{"SubnetId": vpc}, {"SubnetId": vpc}],
            },
        ),
        (
            other_resolver.update_firewall_domains,
            {"FirewallDomainListId": domain_list["Id"], "Operation": "ADD", "Domains": ["a.example"]},
        ),
        (other_resolver.list_firewall_rules, {"FirewallRuleGroupId": group["Id"]}),
        (
            other_resolver.create_firewall_rule,
            {
                "CreatorRequestId": "x",
                "FirewallRuleGroupId": their_group["Id"],
                "FirewallDomainListId": domain_list["Id"],
                "Priority": 1,
                "Action": "ALLOW",
                "Name": "steal",
            },
        ),
        (
            other_resolver.associate_firewall_rule_group,
            {
                "CreatorRequestId": "x",
                "FirewallRuleGroupId": their_group["Id"],
                "VpcId": vpc,
                "Priority": 1,
                "Name": "x",
            },
        ),
        (
            other_resolver.associate_firewall_rule_group,
            {
                "CreatorRequestId": "y",
                "FirewallRuleGroupId": group["Id"],
                "VpcId": resolver_api.vpc_id(other_network),
                "Priority": 1,
                "Name": "x",
            },
        ),
    ]
    for call, params in attempts:
        code, message = error_of(call, **params)
        assert code == "ResourceNotFoundException", (call, code, message)
        for secret in ("secret list", "secret group", "office", "inbound", "x.example"):
            assert secret not in message
    assert other_resolver.list_resolver_endpoints()["ResolverEndpoints"] == []
    assert other_resolver.list_resolver_rules()["ResolverRules"] == []
    assert other_resolver.list_firewall_domain_lists()["FirewallDomainLists"] == []
    assert [item["Name"] for item in other_resolver.list_firewall_rule_groups()["FirewallRuleGroups"]] == [
        "theirs"
    ]
    assert ResolverEndpoint.objects.count() == 1 and ResolverRule.objects.get().networks.count() == 0
    assert FirewallDomainList.objects.get(name="secret list").domains == []
    assert not FirewallRule.objects.exists() and not FirewallRuleGroupAssociation.objects.exists()


def test_a_key_scoped_to_hosted_zones_cannot_use_the_resolver(live_server, owner):
    zone = zone_services.create_hosted_zone(owner=owner, name="scoped.example", caller_reference="s")
    key = accesskeys.create_access_key(owner=owner, name="zone key", zone_ids=[zone.pk])
    client = client_for(live_server.url, *key, service="route53resolver")
    code, _ = error_of(client.list_firewall_rule_groups)
    assert code == "AccessDeniedException"


def test_a_read_only_key_lists_but_cannot_create(live_server, owner):
    key = accesskeys.create_access_key(owner=owner, name="reader", is_read_only=True)
    client = client_for(live_server.url, *key, service="route53resolver")
    assert client.list_firewall_rule_groups()["FirewallRuleGroups"] == []
    code, _ = error_of(client.create_firewall_rule_group, CreatorRequestId="g", Name="g")
    assert code == "AccessDenied"
