"""Query-log configurations and the VPCs whose queries they log."""

from typing import Any

from resolver import services as resolver
from resolver.models import QueryLogConfig
from route53.context import Caller
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


def _query_log_config(caller: Caller, config: QueryLogConfig) -> dict[str, Any]:
    config_id = make_id("rslvr-rqlc", config.pk)
    return {
        "Id": config_id,
        "OwnerId": account_id(caller),
        "Status": "CREATED",
        "ShareStatus": "NOT_SHARED",
        "AssociationCount": config.networks.count(),
        "Arn": arn(caller, "resolver-query-log-config", config_id),
        "Name": config.name,
        # Queries are kept in Nameplate's database and shown in the console's query log.
        "DestinationArn": f"arn:nameplate:querylog:{config_id}",
        "CreationTime": timestamp(config.created_at),
    }


def create_resolver_query_log_config(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateResolverQueryLogConfig")
    with refusal_as_invalid_parameter():
        config = resolver.create_query_log_config(owner=caller.user, name=params["Name"])
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
    answer = page(configs, params, "ResolverQueryLogConfigs")
    return {**answer, "TotalCount": len(configs), "TotalFilteredCount": len(configs)}


def associate_resolver_query_log_config(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("AssociateResolverQueryLogConfig")
    config = find_owned(
        QueryLogConfig.objects.all(),
        caller,
        ["rslvr-rqlc"],
        params["ResolverQueryLogConfigId"],
        "query log configuration",
    )
    network = find_network(caller, params["ResourceId"])
    with refusal_as_invalid_parameter():
        resolver.associate_query_log_config(config, network)
    link = QueryLogConfig.networks.through.objects.get(querylogconfig=config, network=network)
    return {
        "ResolverQueryLogConfigAssociation": {
            "Id": make_id("rslvr-qlcassoc", link.pk),
            "ResolverQueryLogConfigId": make_id("rslvr-rqlc", config.pk),
            "ResourceId": vpc_id(network),
            "Status": "ACTIVE",
            "CreationTime": timestamp(config.created_at),
        }
    }


OPERATIONS: dict[str, Operation] = {
    "CreateResolverQueryLogConfig": create_resolver_query_log_config,
    "ListResolverQueryLogConfigs": list_resolver_query_log_configs,
    "AssociateResolverQueryLogConfig": associate_resolver_query_log_config,
}
