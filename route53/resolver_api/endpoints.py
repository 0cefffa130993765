"""Resolver endpoints: the inbound and outbound addresses of a VPC's resolver."""

from typing import Any

from kernel.errors import ServiceError
from resolver import services as resolver
from resolver.models import ResolverEndpoint
from route53.context import Caller
from route53.errors import Route53Error
from route53.resolver_api.shared import (
    Operation,
    arn,
    find_network,
    find_owned,
    make_id,
    page,
    refusal_as_invalid_parameter,
    timestamp,
    vpc_id,
)
from zones.models import Network


def _endpoint_id(endpoint: ResolverEndpoint) -> str:
    return make_id("rslvr-in" if endpoint.is_inbound else "rslvr-out", endpoint.pk)


def _endpoint(caller: Caller, endpoint: ResolverEndpoint) -> dict[str, Any]:
    endpoint_id = _endpoint_id(endpoint)
    return {
        "Id": endpoint_id,
        "Arn": arn(caller, "resolver-endpoint", endpoint_id),
        "Name": endpoint.name,
        "SecurityGroupIds": [],
        "Direction": endpoint.direction,
        "IpAddressCount": endpoint.addresses.count(),
        "HostVPCId": vpc_id(endpoint.network),
        "Status": "OPERATIONAL",
        "StatusMessage": ", ".join(str(address) for address in endpoint.addresses.all()),
        "CreationTime": timestamp(endpoint.created_at),
        "ModificationTime": timestamp(endpoint.created_at),
        "ResolverEndpointType": "IPV4",
        "Protocols": ["Do53"],
    }


def find_endpoint(caller: Caller, text: Any) -> ResolverEndpoint:
    return find_owned(
        ResolverEndpoint.objects.select_related("network"),
        caller,
        ["rslvr-in", "rslvr-out"],
        text,
        "endpoint",
    )


def create_resolver_endpoint(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateResolverEndpoint")
    requested = params["IpAddresses"]
    networks = {find_network(caller, address.get("SubnetId")).pk for address in requested}
    if len(networks) != 1:
        raise Route53Error("InvalidParameterException", "IpAddresses: every address must be in one VPC")
    network = Network.objects.get(pk=networks.pop())
    addresses = [address["Ip"] for address in requested if address.get("Ip")]
    with refusal_as_invalid_parameter():
        endpoint = resolver.create_resolver_endpoint(
            owner=caller.user,
            network=network,
            name=params.get("Name") or params["CreatorRequestId"],
            direction=params["Direction"],
            addresses=addresses,
        )
    return {
        "ResolverEndpoint": {**_endpoint(caller, endpoint), "CreatorRequestId": params["CreatorRequestId"]}
    }


def list_resolver_endpoints(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    endpoints = ResolverEndpoint.objects.owned_by(caller.user).select_related("network").order_by("pk")
    return page([_endpoint(caller, endpoint) for endpoint in endpoints], params, "ResolverEndpoints")


def get_resolver_endpoint(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return {"ResolverEndpoint": _endpoint(caller, find_endpoint(caller, params["ResolverEndpointId"]))}


def delete_resolver_endpoint(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("DeleteResolverEndpoint")
    endpoint = find_endpoint(caller, params["ResolverEndpointId"])
    answer = {**_endpoint(caller, endpoint), "Status": "DELETING"}
    try:
        resolver.delete_resolver_endpoint(endpoint)
    except ServiceError as error:
        raise Route53Error("ResourceInUseException", error.message) from None
    return {"ResolverEndpoint": answer}


OPERATIONS: dict[str, Operation] = {
    "CreateResolverEndpoint": create_resolver_endpoint,
    "ListResolverEndpoints": list_resolver_endpoints,
    "GetResolverEndpoint": get_resolver_endpoint,
    "DeleteResolverEndpoint": delete_resolver_endpoint,
}
