"""The DNS Firewall: domain lists, rule groups and their ordered rules, and the rule groups'
associations with VPCs. A CreatorRequestId that made an object before answers that object."""

from collections.abc import Callable
from typing import Any

from dnsfirewall import services as firewall
from dnsfirewall.models import (
    FirewallDomainList,
    FirewallRule,
    FirewallRuleGroup,
    FirewallRuleGroupAssociation,
)
from route53.context import Caller
from route53.errors import Route53Error
from route53.resolver_api.shared import (
    Operation,
    account_id,
    arn,
    find_network,
    find_owned,
    make_id,
    page,
    refusal_as_invalid_parameter,
    timestamp,
    vpc_id,
)


def _only(answer: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The members `keys` of `answer`: the metadata a List operation gives of each object."""
    return {key: value for key, value in answer.items() if key in keys}


def _create_once(caller: Caller, params: dict[str, Any], model: type, create: Callable[..., Any]) -> Any:
    """The caller's `model` its CreatorRequestId made before, or one `create` makes now."""
    request_id = params["CreatorRequestId"]
    made = model.objects.filter(owner=caller.user, creator_request_id=request_id).first()
    if made is None:
        with refusal_as_invalid_parameter():
            made = create(owner=caller.user, name=params["Name"], creator_request_id=request_id)
    return made


def _domain_list(caller: Caller, domain_list: FirewallDomainList) -> dict[str, Any]:
    list_id = make_id("rslvr-fdl", domain_list.pk)
    return {
        "Id": list_id,
        "Arn": arn(caller, "firewall-domain-list", list_id),
        "Name": domain_list.name,
        "DomainCount": len(domain_list.domains),
        "Status": "COMPLETE",
        "StatusMessage": "Created Firewall Domain List",
        "CreatorRequestId": domain_list.creator_request_id,
        "CreationTime": timestamp(domain_list.created_at),
        "ModificationTime": timestamp(domain_list.updated_at),
    }


def _find_domain_list(caller: Caller, text: Any) -> FirewallDomainList:
    return find_owned(FirewallDomainList.objects.all(), caller, ["rslvr-fdl"], text, "firewall domain list")


def create_firewall_domain_list(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateFirewallDomainList")
    domain_list = _create_once(caller, params, FirewallDomainList, firewall.create_domain_list)
    return {"FirewallDomainList": _domain_list(caller, domain_list)}


def update_firewall_domains(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("UpdateFirewallDomains")
    domain_list = _find_domain_list(caller, params["FirewallDomainListId"])
    with refusal_as_invalid_parameter():
        domain_list = firewall.update_domain_list(
            domain_list, domains=params["Domains"], operation=params["Operation"]
        )
    return {
        "Id": make_id("rslvr-fdl", domain_list.pk),
        "Name": domain_list.name,
        "Status": "COMPLETE",
        "StatusMessage": f"{len(domain_list.domains)} domains",
    }


def list_firewall_domain_lists(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    lists = FirewallDomainList.objects.owned_by(caller.user).order_by("pk")
    keep = ("Id", "Arn", "Name", "CreatorRequestId")
    return page([_only(_domain_list(caller, item), keep) for item in lists], params, "FirewallDomainLists")


def _rule_group(caller: Caller, group: FirewallRuleGroup) -> dict[str, Any]:
    group_id = make_id("rslvr-frg", group.pk)
    return {
        "Id": group_id,
        "Arn": arn(caller, "firewall-rule-group", group_id),
        "Name": group.name,
        "RuleCount": group.rules.count(),
        "Status": "COMPLETE",
        "StatusMessage": f"Served as the RPZ zone {group.rpz_zone_name}",
        "OwnerId": account_id(caller),
        "CreatorRequestId": group.creator_request_id,
        "ShareStatus": "NOT_SHARED",
        "CreationTime": timestamp(group.created_at),
        "ModificationTime": timestamp(group.updated_at),
    }


def _find_rule_group(caller: Caller, text: Any) -> FirewallRuleGroup:
    return find_owned(FirewallRuleGroup.objects.all(), caller, ["rslvr-frg"], text, "firewall rule group")


def create_firewall_rule_group(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateFirewallRuleGroup")
    group = _create_once(caller, params, FirewallRuleGroup, firewall.create_rule_group)
    return {"FirewallRuleGroup": _rule_group(caller, group)}


def list_firewall_rule_groups(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    groups = FirewallRuleGroup.objects.owned_by(caller.user).order_by("pk")
    keep = ("Id", "Arn", "Name", "OwnerId", "CreatorRequestId", "ShareStatus")
    return page([_only(_rule_group(caller, group), keep) for group in groups], params, "FirewallRuleGroups")


def _firewall_rule(rule: FirewallRule) -> dict[str, Any]:
    answer = {
        "FirewallRuleGroupId": make_id("rslvr-frg", rule.group_id),
        "FirewallDomainListId": make_id("rslvr-fdl", rule.domain_list_id),
        "Name": rule.name,
        "Priority": rule.priority,
        "Action": rule.action,
        "CreatorRequestId": rule.creator_request_id,
        "CreationTime": timestamp(rule.created_at),
        "ModificationTime": timestamp(rule.created_at),
    }
    if rule.block_response:
        answer["BlockResponse"] = rule.block_response
    if rule.block_response == "OVERRIDE":
        answer.update(
            BlockOverrideDomain=rule.override_value,
            BlockOverrideDnsType=rule.override_type,
            BlockOverrideTtl=rule.override_ttl,
        )
    return answer


def create_firewall_rule(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateFirewallRule")
    group = _find_rule_group(caller, params["FirewallRuleGroupId"])
    request_id = params["CreatorRequestId"]
    rule = FirewallRule.objects.filter(group=group, creator_request_id=request_id).first()
    if rule is None:
        if not params.get("FirewallDomainListId"):
            raise Route53Error(
                "InvalidParameterException", "FirewallDomainListId: a rule needs a domain list"
            )
        domain_list = _find_domain_list(caller, params["FirewallDomainListId"])
        with refusal_as_invalid_parameter():
            rule = firewall.save_rule(
                group=group,
                domain_list=domain_list,
                name=params["Name"],
                priority=params["Priority"],
                action=params["Action"],
                block_response=params.get("BlockResponse", "") if params["Action"] == "BLOCK" else "",
                override_type=params.get("BlockOverrideDnsType", ""),
                override_value=params.get("BlockOverrideDomain", ""),
                override_ttl=params.get("BlockOverrideTtl", 60),
                creator_request_id=request_id,
            )
    return {"FirewallRule": _firewall_rule(rule)}


def list_firewall_rules(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    group = _find_rule_group(caller, params["FirewallRuleGroupId"])
    rules = group.rules.order_by("priority")
    if params.get("Priority") is not None:
        rules = rules.filter(priority=params["Priority"])
    if params.get("Action"):
        rules = rules.filter(action=params["Action"])
    return page([_firewall_rule(rule) for rule in rules], params, "FirewallRules")


def associate_firewall_rule_group(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("AssociateFirewallRuleGroup")
    group = _find_rule_group(caller, params["FirewallRuleGroupId"])
    network = find_network(caller, params["VpcId"])
    request_id = params["CreatorRequestId"]
    association = FirewallRuleGroupAssociation.objects.filter(
        group=group, creator_request_id=request_id
    ).first()
    if association is None:
        with refusal_as_invalid_parameter():
            association = firewall.associate_rule_group(
                group=group,
                network=network,
                priority=params["Priority"],
                name=params["Name"],
                creator_request_id=request_id,
            )
    association_id = make_id("rslvr-frgassoc", association.pk)
    return {
        "FirewallRuleGroupAssociation": {
            "Id": association_id,
            "Arn": arn(caller, "firewall-rule-group-association", association_id),
            "FirewallRuleGroupId": make_id("rslvr-frg", group.pk),
            "VpcId": vpc_id(association.network),
            "Name": association.name,
            "Priority": association.priority,
            "MutationProtection": "DISABLED",
            "Status": "COMPLETE",
            "StatusMessage": f"Applied to the VPC's resolver as {group.rpz_zone_name}",
            "CreatorRequestId": association.creator_request_id,
            "CreationTime": timestamp(association.created_at),
            "ModificationTime": timestamp(association.created_at),
        }
    }


OPERATIONS: dict[str, Operation] = {
    "CreateFirewallDomainList": create_firewall_domain_list,
    "UpdateFirewallDomains": update_firewall_domains,
    "ListFirewallDomainLists": list_firewall_domain_lists,
    "CreateFirewallRuleGroup": create_firewall_rule_group,
    "CreateFirewallRule": create_firewall_rule,
    "ListFirewallRules": list_firewall_rules,
    "AssociateFirewallRuleGroup": associate_firewall_rule_group,
    "ListFirewallRuleGroups": list_firewall_rule_groups,
}
