"""Route 53 Resolver (AWS JSON 1.1, `Route53Resolver.<Operation>`) over resolver.services and
dnsfirewall.services.

One module a concern: `endpoints`, forwarding `rules`, `query_logs` and the DNS `firewall`'s
domain lists, rule groups, rules and associations, one function per operation, boto3's dicts in
and out; `shared` holds the ids, lookups and pages they all use. A VPC is a zones.Network
(`vpc-` and its id in hex); an endpoint's subnet names its VPC, since our networks have no
subnets (`SubnetId` may be the VpcId or `subnet-` and the same hex). Another account's objects
answer ResourceNotFoundException, exactly as ids that never existed.

`respond` does everything after the signature check: route53/views.py authenticates (SigV4,
service `route53resolver`) and hands it the request.
"""

import json
from typing import Any

from django.http import HttpResponse, JsonResponse

from route53 import shapes
from route53.context import Caller
from route53.errors import Route53Error
from route53.resolver_api import endpoints, firewall, query_logs, rules
from route53.resolver_api.shared import Operation, make_id, vpc_id

__all__ = ["SERVICE", "TARGET_PREFIX", "error_response", "handle", "make_id", "respond", "vpc_id"]

SERVICE = "route53resolver"
TARGET_PREFIX = "Route53Resolver."
CONTENT_TYPE = "application/x-amz-json-1.1"

SERVED: dict[str, Operation] = {
    **endpoints.OPERATIONS,
    **rules.OPERATIONS,
    **query_logs.OPERATIONS,
    **firewall.OPERATIONS,
}


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
