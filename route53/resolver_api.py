"""Route 53 Resolver (AWS JSON 1.1, `Route53Resolver.<Operation>`) over resolver.services and
dnsfirewall.services.

Endpoints, forwarding rules, query-log configurations and the DNS Firewall's domain lists, rule
groups, rules and associations, one function per operation, boto3's dicts in and out. A VPC is
a zones.Network (`vpc-` and its id in hex); an endpoint's subnet names its VPC, since our
networks have no subnets (`SubnetId` may be the VpcId or `subnet-` and the same hex). Another
account's objects answer ResourceNotFoundException, exactly as ids that never existed.

`respond` does everything after the signature check: route53/views.py authenticates (SigV4,
service `route53resolver`) and hands it the request.
"""

import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse

from dnsfirewall import services as firewall
from dnsfirewall.models import (
    FirewallDomainList,
    FirewallRule,
    FirewallRuleGroup,
    FirewallRuleGroupAssociation,
)
from kernel.errors import ServiceError
from resolver import services as resolver
from resolver.models import QueryLogConfig, ResolverEndpoint, ResolverRule
from route53 import ids, shapes
from route53.context import Caller
from route53.errors import Route53Error
from zones.models import Network

logger = logging.getLogger(__name__)

SERVICE = "route53resolver"
TARGET_PREFIX = "Route53Resolver."
REGION = "us-east-1"
DEFAULT_PAGE_SIZE = 100
CONTENT_TYPE = "application/x-amz-json-1.1"


# ---- ids ----------------------------------------------------------------------------------


def make_id(prefix: str, pk: int) -> str:
    """AWS's shape of ids: `rslvr-<kind>-` and 17 hex digits (here, the row's id)."""
    return f"{prefix}-{pk:017x}"


def vpc_id(network: Network) -> str:
    return ids.vpc_id(network.pk)


def _parse(prefixes: Iterable[str], text: Any, what: str) -> int:
    for prefix in prefixes:
        digits = str(text or "").removeprefix(f"{prefix}-")
        if digits != str(text or "") and digits and all(c in "0123456789abcdef" for c in digits):
            return int(digits, 16)
    raise _not_found(what, text)


def _not_found(what: str, text: Any) -> Route53Error:
    return Route53Error("ResourceNotFoundException", f"The {what} {text} does not exist in your account.")


def _owned(queryset: QuerySet, caller: Caller, prefixes: Iterable[str], text: Any, what: str) -> Any:
    found = queryset.owned_by(caller.user).filter(pk=_parse(prefixes, text, what)).first()
    if found is None:
        raise _not_found(what, text)
    return found


def _network(caller: Caller, text: Any) -> Network:
    return _owned(Network.objects.all(), caller, ["vpc", "subnet"], text, "VPC")


def _arn(caller: Caller, kind: str, resource_id: str) -> str:
    return f"arn:aws:route53resolver:{REGION}:{_account(caller)}:{kind}/{resource_id}"


def _account(caller: Caller) -> str:
    return ids.account_id(caller.user.pk)


def _time(moment: datetime) -> str:
    return moment.isoformat()


def _page(items: list, params: dict, key: str) -> dict[str, Any]:
    """A page of `items` under `key`; NextToken is the offset of the next page."""
    token = str(params.get("NextToken") or "0")
    if not token.isdigit():
        raise Route53Error("InvalidNextTokenException", f"NextToken: {token} is not a token we gave")
    start = int(token)
    size = max(1, min(int(params.get("MaxResults") or DEFAULT_PAGE_SIZE), 1000))
    page: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        page["NextToken"] = str(start + size)
    return page


def _refused(error: ServiceError) -> Route53Error:
    return Route53Error("InvalidParameterException", error.message)


# ---- resolver endpoints -------------------------------------------------------------------


def _endpoint_id(endpoint: ResolverEndpoint) -> str:
    return make_id("rslvr-in" if endpoint.is_inbound else "rslvr-out", endpoint.pk)


def _endpoint(caller: Caller, endpoint: ResolverEndpoint) -> dict[str, Any]:
    endpoint_id = _endpoint_id(endpoint)
    return {
        "Id": endpoint_id,
        "Arn": _arn(caller, "resolver-endpoint", endpoint_id),
        "Name": endpoint.name,
        "SecurityGroupIds": [],
        "Direction": endpoint.direction,
        "IpAddressCount": endpoint.addresses.count(),
        "HostVPCId": vpc_id(endpoint.network),
        "Status": "OPERATIONAL",
        "StatusMessage": ", ".join(str(address) for address in endpoint.addresses.all()),
        "CreationTime": _time(endpoint.created_at),
        "ModificationTime": _time(endpoint.created_at),
        "ResolverEndpointType": "IPV4",
        "Protocols": ["Do53"],
    }


def _find_endpoint(caller: Caller, text: Any) -> ResolverEndpoint:
    return _owned(
        ResolverEndpoint.objects.select_related("network"),
        caller,
        ["rslvr-in", "rslvr-out"],
        text,
        "endpoint",
    )


def create_resolver_endpoint(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateResolverEndpoint")
    requested = params["IpAddresses"]
    networks = {_network(caller, address.get("SubnetId")).pk for address in requested}
    if len(networks) != 1:
        raise Route53Error("InvalidParameterException", "IpAddresses: every address must be in one VPC")
    network = Network.objects.get(pk=networks.pop())
    addresses = [address["Ip"] for address in requested if address.get("Ip")]
    try:
        endpoint = resolver.create_resolver_endpoint(
            owner=caller.user,
            network=network,
            name=params.get("Name") or params["CreatorRequestId"],
            direction=params["Direction"],
            addresses=addresses,
        )
    except ServiceError as error:
        raise _refused(error) from None
    return {
        "ResolverEndpoint": {**_endpoint(caller, endpoint), "CreatorRequestId": params["CreatorRequestId"]}
    }


def list_resolver_endpoints(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    endpoints = ResolverEndpoint.objects.owned_by(caller.user).select_related("network").order_by("pk")
    return _page([_endpoint(caller, endpoint) for endpoint in endpoints], params, "ResolverEndpoints")


def get_resolver_endpoint(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return {"ResolverEndpoint": _endpoint(caller, _find_endpoint(caller, params["ResolverEndpointId"]))}


def delete_resolver_endpoint(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("DeleteResolverEndpoint")
    endpoint = _find_endpoint(caller, params["ResolverEndpointId"])
    answer = {**_endpoint(caller, endpoint), "Status": "DELETING"}
    try:
        resolver.delete_resolver_endpoint(endpoint)
    except ServiceError as error:
        raise Route53Error("ResourceInUseException", error.message) from None
    return {"ResolverEndpoint": answer}


# ---- resolver rules and their associations ------------------------------------------------


def _rule(caller: Caller, rule: ResolverRule) -> dict[str, Any]:
    rule_id = make_id("rslvr-rr", rule.pk)
    answer = {
        "Id": rule_id,
        "Arn": _arn(caller, "resolver-rule", rule_id),
        "DomainName": rule.domain_name,
        "Status": "COMPLETE",
        "RuleType": rule.rule_type,
        "Name": rule.name,
        "TargetIps": [{"Ip": target["ip"], "Port": target["port"]} for target in rule.target_ips],
        "OwnerId": _account(caller),
        "ShareStatus": "NOT_SHARED",
        "CreationTime": _time(rule.created_at),
        "ModificationTime": _time(rule.created_at),
    }
    if rule.outbound_endpoint_id is not None:
        answer["ResolverEndpointId"] = make_id("rslvr-out", rule.outbound_endpoint_id)
    return answer


def _find_rule(caller: Caller, text: Any) -> ResolverRule:
    return _owned(ResolverRule.objects.all(), caller, ["rslvr-rr"], text, "resolver rule")


def create_resolver_rule(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateResolverRule")
    endpoint = None
    if params.get("ResolverEndpointId"):
        endpoint = _find_endpoint(caller, params["ResolverEndpointId"])
    targets = [
        {"ip": target.get("Ip", ""), "port": target.get("Port", 53)} for target in params.get("TargetIps", [])
    ]
    try:
        rule = resolver.create_resolver_rule(
            owner=caller.user,
            name=params.get("Name") or params["CreatorRequestId"],
            domain_name=params.get("DomainName", ""),
            rule_type=params["RuleType"],
            target_ips=targets,
            outbound_endpoint=endpoint,
        )
    except ServiceError as error:
        raise _refused(error) from None
    return {"ResolverRule": {**_rule(caller, rule), "CreatorRequestId": params["CreatorRequestId"]}}


def list_resolver_rules(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    rules = ResolverRule.objects.owned_by(caller.user).order_by("pk")
    return _page([_rule(caller, rule) for rule in rules], params, "ResolverRules")


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


RuleNetwork = ResolverRule.networks.through


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
    network = _network(caller, params["VPCId"])
    if rule.networks.filter(pk=network.pk).exists():
        raise Route53Error(
            "ResourceExistsException", f"The rule {rule.name} is already associated with {params['VPCId']}."
        )
    try:
        resolver.associate_resolver_rule(rule, network)
    except ServiceError as error:
        raise _refused(error) from None
    link = RuleNetwork.objects.select_related("resolverrule").get(resolverrule=rule, network=network)
    return {"ResolverRuleAssociation": _rule_association(link)}


def disassociate_resolver_rule(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("DisassociateResolverRule")
    rule = _find_rule(caller, params["ResolverRuleId"])
    network = _network(caller, params["VPCId"])
    link = (
        RuleNetwork.objects.select_related("resolverrule").filter(resolverrule=rule, network=network).first()
    )
    if link is None:
        raise _not_found("resolver rule association of", params["ResolverRuleId"])
    answer = {**_rule_association(link), "Status": "DELETING"}
    resolver.disassociate_resolver_rule(rule, network)
    return {"ResolverRuleAssociation": answer}


def list_resolver_rule_associations(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    links = (
        RuleNetwork.objects.filter(resolverrule__owner=caller.user)
        .select_related("resolverrule")
        .order_by("pk")
    )
    return _page([_rule_association(link) for link in links], params, "ResolverRuleAssociations")


# ---- query logs -------------------------------------------------------------------------


def _query_log_config(caller: Caller, config: QueryLogConfig) -> dict[str, Any]:
    config_id = make_id("rslvr-rqlc", config.pk)
    return {
        "Id": config_id,
        "OwnerId": _account(caller),
        "Status": "CREATED",
        "ShareStatus": "NOT_SHARED",
        "AssociationCount": config.networks.count(),
        "Arn": _arn(caller, "resolver-query-log-config", config_id),
        "Name": config.name,
        # Queries are kept in Nameplate's database and shown in the console's query log.
        "DestinationArn": f"arn:nameplate:querylog:{config_id}",
        "CreationTime": _time(config.created_at),
    }


def create_resolver_query_log_config(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateResolverQueryLogConfig")
    try:
        config = resolver.create_query_log_config(owner=caller.user, name=params["Name"])
    except ServiceError as error:
        raise _refused(error) from None
    return {
        "ResolverQueryLogConfig": {
            **_query_log_config(caller, config),
            "CreatorRequestId": params["CreatorRequestId"],
        }
    }


def list_resolver_query_log_configs(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    configs = [
        _query_log_config(caller, config)
        for config in QueryLogConfig.objects.owned_by(caller.user).order_by("pk")
    ]
    page = _page(configs, params, "ResolverQueryLogConfigs")
    return {**page, "TotalCount": len(configs), "TotalFilteredCount": len(configs)}


def associate_resolver_query_log_config(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("AssociateResolverQueryLogConfig")
    config = _owned(
        QueryLogConfig.objects.all(),
        caller,
        ["rslvr-rqlc"],
        params["ResolverQueryLogConfigId"],
        "query log configuration",
    )
    network = _network(caller, params["ResourceId"])
    try:
        resolver.associate_query_log_config(config, network)
    except ServiceError as error:
        raise _refused(error) from None
    link = QueryLogConfig.networks.through.objects.get(querylogconfig=config, network=network)
    return {
        "ResolverQueryLogConfigAssociation": {
            "Id": make_id("rslvr-qlcassoc", link.pk),
            "ResolverQueryLogConfigId": make_id("rslvr-rqlc", config.pk),
            "ResourceId": vpc_id(network),
            "Status": "ACTIVE",
            "CreationTime": _time(config.created_at),
        }
    }


# ---- DNS Firewall -------------------------------------------------------------------------


def _domain_list(caller: Caller, domain_list: FirewallDomainList) -> dict[str, Any]:
    list_id = make_id("rslvr-fdl", domain_list.pk)
    return {
        "Id": list_id,
        "Arn": _arn(caller, "firewall-domain-list", list_id),
        "Name": domain_list.name,
        "DomainCount": len(domain_list.domains),
        "Status": "COMPLETE",
        "StatusMessage": "Created Firewall Domain List",
        "CreatorRequestId": domain_list.creator_request_id,
        "CreationTime": _time(domain_list.created_at),
        "ModificationTime": _time(domain_list.updated_at),
    }


def _find_domain_list(caller: Caller, text: Any) -> FirewallDomainList:
    return _owned(FirewallDomainList.objects.all(), caller, ["rslvr-fdl"], text, "firewall domain list")


def create_firewall_domain_list(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateFirewallDomainList")
    request_id = params["CreatorRequestId"]
    domain_list = FirewallDomainList.objects.filter(owner=caller.user, creator_request_id=request_id).first()
    if domain_list is None:
        try:
            domain_list = firewall.create_domain_list(
                owner=caller.user, name=params["Name"], creator_request_id=request_id
            )
        except ServiceError as error:
            raise _refused(error) from None
    return {"FirewallDomainList": _domain_list(caller, domain_list)}


def update_firewall_domains(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("UpdateFirewallDomains")
    domain_list = _find_domain_list(caller, params["FirewallDomainListId"])
    try:
        domain_list = firewall.update_domain_list(
            domain_list, domains=params["Domains"], operation=params["Operation"]
        )
    except ServiceError as error:
        raise _refused(error) from None
    return {
        "Id": make_id("rslvr-fdl", domain_list.pk),
        "Name": domain_list.name,
        "Status": "COMPLETE",
        "StatusMessage": f"{len(domain_list.domains)} domains",
    }


def list_firewall_domain_lists(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    lists = FirewallDomainList.objects.owned_by(caller.user).order_by("pk")
    metadata = [
        {
            key: value
            for key, value in _domain_list(caller, item).items()
            if key in ("Id", "Arn", "Name", "CreatorRequestId")
        }
        for item in lists
    ]
    return _page(metadata, params, "FirewallDomainLists")


def _rule_group(caller: Caller, group: FirewallRuleGroup) -> dict[str, Any]:
    group_id = make_id("rslvr-frg", group.pk)
    return {
        "Id": group_id,
        "Arn": _arn(caller, "firewall-rule-group", group_id),
        "Name": group.name,
        "RuleCount": group.rules.count(),
        "Status": "COMPLETE",
        "StatusMessage": f"Served as the RPZ zone {group.rpz_zone_name}",
        "OwnerId": _account(caller),
        "CreatorRequestId": group.creator_request_id,
        "ShareStatus": "NOT_SHARED",
        "CreationTime": _time(group.created_at),
        "ModificationTime": _time(group.updated_at),
    }


def _find_rule_group(caller: Caller, text: Any) -> FirewallRuleGroup:
    return _owned(FirewallRuleGroup.objects.all(), caller, ["rslvr-frg"], text, "firewall rule group")


def create_firewall_rule_group(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateFirewallRuleGroup")
    request_id = params["CreatorRequestId"]
    group = FirewallRuleGroup.objects.filter(owner=caller.user, creator_request_id=request_id).first()
    if group is None:
        try:
            group = firewall.create_rule_group(
                owner=caller.user, name=params["Name"], creator_request_id=request_id
            )
        except ServiceError as error:
            raise _refused(error) from None
    return {"FirewallRuleGroup": _rule_group(caller, group)}


def list_firewall_rule_groups(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    groups = FirewallRuleGroup.objects.owned_by(caller.user).order_by("pk")
    keep = ("Id", "Arn", "Name", "OwnerId", "CreatorRequestId", "ShareStatus")
    metadata = [
        {key: value for key, value in _rule_group(caller, group).items() if key in keep} for group in groups
    ]
    return _page(metadata, params, "FirewallRuleGroups")


def _firewall_rule(rule: FirewallRule) -> dict[str, Any]:
    answer = {
        "FirewallRuleGroupId": make_id("rslvr-frg", rule.group_id),
        "FirewallDomainListId": make_id("rslvr-fdl", rule.domain_list_id),
        "Name": rule.name,
        "Priority": rule.priority,
        "Action": rule.action,
        "CreatorRequestId": rule.creator_request_id,
        "CreationTime": _time(rule.created_at),
        "ModificationTime": _time(rule.created_at),
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
        try:
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
        except ServiceError as error:
            raise _refused(error) from None
    return {"FirewallRule": _firewall_rule(rule)}


def list_firewall_rules(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    group = _find_rule_group(caller, params["FirewallRuleGroupId"])
    rules = group.rules.order_by("priority")
    if params.get("Priority") is not None:
        rules = rules.filter(priority=params["Priority"])
    if params.get("Action"):
        rules = rules.filter(action=params["Action"])
    return _page([_firewall_rule(rule) for rule in rules], params, "FirewallRules")


def associate_firewall_rule_group(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("AssociateFirewallRuleGroup")
    group = _find_rule_group(caller, params["FirewallRuleGroupId"])
    network = _network(caller, params["VpcId"])
    request_id = params["CreatorRequestId"]
    association = FirewallRuleGroupAssociation.objects.filter(
        group=group, creator_request_id=request_id
    ).first()
    if association is None:
        try:
            association = firewall.associate_rule_group(
                group=group,
                network=network,
                priority=params["Priority"],
                name=params["Name"],
                creator_request_id=request_id,
            )
        except ServiceError as error:
            raise _refused(error) from None
    association_id = make_id("rslvr-frgassoc", association.pk)
    return {
        "FirewallRuleGroupAssociation": {
            "Id": association_id,
            "Arn": _arn(caller, "firewall-rule-group-association", association_id),
            "FirewallRuleGroupId": make_id("rslvr-frg", group.pk),
            "VpcId": vpc_id(association.network),
            "Name": association.name,
            "Priority": association.priority,
            "MutationProtection": "DISABLED",
            "Status": "COMPLETE",
            "StatusMessage": f"Applied to the VPC's resolver as {group.rpz_zone_name}",
            "CreatorRequestId": association.creator_request_id,
            "CreationTime": _time(association.created_at),
            "ModificationTime": _time(association.created_at),
        }
    }


SERVED: dict[str, Callable[[Caller, dict[str, Any]], dict[str, Any]]] = {
    "CreateResolverEndpoint": create_resolver_endpoint,
    "ListResolverEndpoints": list_resolver_endpoints,
    "GetResolverEndpoint": get_resolver_endpoint,
    "DeleteResolverEndpoint": delete_resolver_endpoint,
    "CreateResolverRule": create_resolver_rule,
    "ListResolverRules": list_resolver_rules,
    "GetResolverRule": get_resolver_rule,
    "DeleteResolverRule": delete_resolver_rule,
    "AssociateResolverRule": associate_resolver_rule,
    "DisassociateResolverRule": disassociate_resolver_rule,
    "ListResolverRuleAssociations": list_resolver_rule_associations,
    "CreateResolverQueryLogConfig": create_resolver_query_log_config,
    "ListResolverQueryLogConfigs": list_resolver_query_log_configs,
    "AssociateResolverQueryLogConfig": associate_resolver_query_log_config,
    "CreateFirewallDomainList": create_firewall_domain_list,
    "UpdateFirewallDomains": update_firewall_domains,
    "ListFirewallDomainLists": list_firewall_domain_lists,
    "CreateFirewallRuleGroup": create_firewall_rule_group,
    "CreateFirewallRule": create_firewall_rule,
    "ListFirewallRules": list_firewall_rules,
    "AssociateFirewallRuleGroup": associate_firewall_rule_group,
    "ListFirewallRuleGroups": list_firewall_rule_groups,
}


# ---- the protocol -------------------------------------------------------------------------


def handle(caller: Caller, target: str, body: bytes) -> dict[str, Any]:
    """The result of the operation `target` names, for the JSON body. Raises Route53Error."""
    if caller.access_key.zone_ids is not None:
        raise Route53Error(
            "AccessDeniedException",
            "This access key is scoped to hosted zones; the Resolver needs a key for the whole account.",
            status=403,
        )
    name = target.removeprefix(TARGET_PREFIX)
    model = shapes.service_model(SERVICE)
    if not target.startswith(TARGET_PREFIX) or name not in model.operation_names:
        raise Route53Error("UnknownOperationException", f"{target} is not a Route 53 Resolver operation")
    handler = SERVED.get(name)
    if handler is None:
        raise Route53Error("InvalidRequestException", f"{name} is not served by Nameplate yet")
    try:
        params = json.loads(body or b"{}")
    except ValueError as error:
        raise Route53Error("SerializationException", f"The body is not JSON: {error}") from None
    if not isinstance(params, dict):
        raise Route53Error("SerializationException", "The body is not a JSON object")
    shape = model.operation_model(name).input_shape
    missing = [member for member in (shape.required_members if shape else []) if member not in params]
    if missing:
        raise Route53Error("InvalidParameterException", f"{missing[0]}: this parameter is required")
    return handler(caller, params)


def error_response(error: Route53Error, request_id: str) -> HttpResponse:
    response = JsonResponse(
        {"__type": error.code, "message": error.message},
        status=error.status or shapes.error_status(SERVICE, error.code),
        content_type=CONTENT_TYPE,
    )
    response["x-amzn-ErrorType"] = error.code
    response["x-amzn-RequestId"] = request_id
    return response


def respond(caller: Caller, target: str, body: bytes, request_id: str) -> HttpResponse:
    """The HTTP answer to an authenticated Route53Resolver request: the result, or AWS's error."""
    try:
        result = handle(caller, target, body)
    except Route53Error as error:
        return error_response(error, request_id)
    response = JsonResponse(result, content_type=CONTENT_TYPE)
    response["x-amzn-RequestId"] = request_id
    return response
