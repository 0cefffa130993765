"""Resolver rules (forward a domain to target addresses, or resolve it as usual) and the VPCs
they are associated with."""

from typing import Any

from resolver import services as resolver
from resolver.models import ResolverRule
from route53 import ids
from route53.context import Caller
from route53.errors import Route53Error
from route53.resolver_api.endpoints import find_endpoint
from route53.resolver_api.shared import (
    Operation,
    account_id,
    arn,
    find_network,
    find_owned,
    make_id,
    not_found,
    page,
    refusal_as_invalid_parameter,
    timestamp,
)

RuleNetwork = ResolverRule.networks.through


def _rule(caller: Caller, rule: ResolverRule) -> dict[str, Any]:
    rule_id = make_id("rslvr-rr", rule.pk)
    answer = {
        "Id": rule_id,
        "Arn": arn(caller, "resolver-rule", rule_id),
        "DomainName": rule.domain_name,
        "Status": "COMPLETE",
        "RuleType": rule.rule_type,
        "Name": rule.name,
        "TargetIps": [{"Ip": target["ip"], "Port": target["port"]} for target in rule.target_ips],
        "OwnerId": account_id(caller),
        "ShareStatus": "NOT_SHARED",
        "CreationTime": timestamp(rule.created_at),
        "ModificationTime": timestamp(rule.created_at),
    }
    if rule.outbound_endpoint_id is not None:
        answer["ResolverEndpointId"] = make_id("rslvr-out", rule.outbound_endpoint_id)
    return answer


def _find_rule(caller: Caller, text: Any) -> ResolverRule:
    return find_owned(ResolverRule.objects.all(), caller, ["rslvr-rr"], text, "resolver rule")


def create_resolver_rule(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateResolverRule")
    endpoint = None
    if params.get("ResolverEndpointId"):
        endpoint = find_endpoint(caller, params["ResolverEndpointId"])
    targets = [
        {"ip": target.get("Ip", ""), "port": target.get("Port", 53)} for target in params.get("TargetIps", [])
    ]
    with refusal_as_invalid_parameter():
        rule = resolver.create_resolver_rule(
            owner=caller.user,
            name=params.get("Name") or params["CreatorRequestId"],
            domain_name=params.get("DomainName", ""),
            rule_type=params["RuleType"],
            target_ips=targets,
            outbound_endpoint=endpoint,
        )
    return {"ResolverRule": {**_rule(caller, rule), "CreatorRequestId": params["CreatorRequestId"]}}


def list_resolver_rules(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    rules = ResolverRule.objects.owned_by(caller.user).order_by("pk")
    return page([_rule(caller, rule) for rule in rules], params, "ResolverRules")


def get_resolver_rule(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return {"ResolverRule": _rule(caller, _find_rule(caller, params["ResolverRuleId"]))}


def delete_resolver_rule(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("DeleteResolverRule")
    rule = _find_rule(caller, params["ResolverRuleId"])
    if rule.networks.exists():
        raise Route53Error(
            "ResourceInUseException", f"The rule {rule.name} is associated with VPCs; disassociate it first."
        )
    answer = {**_rule(caller, rule), "Status": "DELETING"}
    resolver.delete_resolver_rule(rule)
    return {"ResolverRule": answer}


def _rule_association(link: Any) -> dict[str, Any]:
    return {
        "Id": make_id("rslvr-rrassoc", link.pk),
        "ResolverRuleId": make_id("rslvr-rr", link.resolverrule_id),
        "Name": link.resolverrule.name,
        "VPCId": ids.vpc_id(link.network_id),
        "Status": "COMPLETE",
        "StatusMessage": "",
    }


def associate_resolver_rule(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("AssociateResolverRule")
    rule = _find_rule(caller, params["ResolverRuleId"])
    network = find_network(caller, params["VPCId"])
    if rule.networks.filter(pk=network.pk).exists():
        raise Route53Error(
            "ResourceExistsException", f"The rule {rule.name} is already associated with {params['VPCId']}."
        )
    with refusal_as_invalid_parameter():
        resolver.associate_resolver_rule(rule, network)
    link = RuleNetwork.objects.select_related("resolverrule").get(resolverrule=rule, network=network)
    return {"ResolverRuleAssociation": _rule_association(link)}


def disassociate_resolver_rule(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("DisassociateResolverRule")
    rule = _find_rule(caller, params["ResolverRuleId"])
    network = find_network(caller, params["VPCId"])
    link = (
        RuleNetwork.objects.select_related("resolverrule").filter(resolverrule=rule, network=network).first()
    )
    if link is None:
        raise not_found("resolver rule association of", params["ResolverRuleId"])
    answer = {**_rule_association(link), "Status": "DELETING"}
    resolver.disassociate_resolver_rule(rule, network)
    return {"ResolverRuleAssociation": answer}


def list_resolver_rule_associations(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    links = (
        RuleNetwork.objects.filter(resolverrule__owner=caller.user)
        .select_related("resolverrule")
        .order_by("pk")
    )
    return page([_rule_association(link) for link in links], params, "ResolverRuleAssociations")


OPERATIONS: dict[str, Operation] = {
    "CreateResolverRule": create_resolver_rule,
    "ListResolverRules": list_resolver_rules,
    "GetResolverRule": get_resolver_rule,
    "DeleteResolverRule": delete_resolver_rule,
    "AssociateResolverRule": associate_resolver_rule,
    "DisassociateResolverRule": disassociate_resolver_rule,
    "ListResolverRuleAssociations": list_resolver_rule_associations,
}
