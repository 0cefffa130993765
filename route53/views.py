"""The Route 53 API's views: verify SigV4, count the key's request, find the operation in
botocore's model, parse, call its function, write AWS's answer (or AWS's error). Route 53
speaks REST-XML under /2013-04-01/; Route 53 Domains the JSON protocol at /."""

import json
import logging
import uuid
from collections.abc import Callable
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from accounts import accesskeys
from kernel import ratelimit
from route53 import domains, operations, resolver_api, shapes, sigv4
from route53.context import Caller
from route53.errors import Route53Error

logger = logging.getLogger(__name__)

SERVICE = "route53"
# Route 53 allows five requests a second per account; bursts of tools paging a zone are
# allowed a little more, counted per access key in Redis.
THROTTLE_LIMIT = 100
THROTTLE_WINDOW_SECONDS = 10


@csrf_exempt
def route53_api(request: HttpRequest, operation_path: str = "") -> HttpResponse:
    request_id = str(uuid.uuid4())
    try:
        signed = signed_request(request)
        caller = Caller(authenticate(signed, services=[SERVICE]), request_id)
        throttle(caller)
        found = shapes.find_operation(SERVICE, request.method, signed.path)
        if found is None:
            raise Route53Error("InvalidAction", f"{request.method} {signed.path} is not a Route 53 operation")
        operation, labels = found
        handler = operations.SERVED.get(operation.name)
        if handler is None:
            raise Route53Error("InvalidAction", operations.refusal(operation.name))
        try:
            params = shapes.parse_request(
                operation,
                labels=labels,
                query=signed.query,
                headers={name: values[0] for name, values in signed.headers.items()},
                body=signed.body,
            )
        except shapes.ShapeError as error:
            raise Route53Error("InvalidInput", str(error)) from None
        status, headers, body = shapes.write_response(operation, handler(caller, params))
    except Route53Error as error:
        return error_response(error, request_id)
    response = HttpResponse(body, status=status, content_type="text/xml")
    for name, value in headers.items():
        response[name] = value
    response["x-amzn-RequestId"] = request_id
    return response


def signed_request(request: HttpRequest) -> sigv4.SignedRequest:
    """The request as the client signed it: the raw path when the server keeps it (gunicorn's RAW_URI)."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    path = raw.split("?", 1)[0] if raw else quote(request.path, safe="/-_.~")
    headers: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        headers.setdefault(name.lower(), []).append(value)
    return sigv4.SignedRequest(
        request.method, path, request.META.get("QUERY_STRING", ""), headers, request.body
    )


def authenticate(signed: sigv4.SignedRequest, *, services: list[str]):
    """The access key that signed the request. Raises Route53Error with AWS's 403 codes."""
    found = {}

    def secret_for(access_key_id: str) -> str | None:
        access_key = accesskeys.find_active_access_key(access_key_id)
        if access_key is None:
            return None
        found["key"] = access_key
        return accesskeys.decrypt_secret(access_key)

    try:
        sigv4.verify(signed, services=services, secret_for=secret_for)
    except sigv4.SignatureError as error:
        raise Route53Error(error.code, error.message, status=403) from None
    accesskeys.mark_used(found["key"])
    return found["key"]


def throttle(caller: Caller) -> None:
    decision = ratelimit.hit(
        ratelimit.limit_key("route53", caller.access_key.access_key_id),
        limit=THROTTLE_LIMIT,
        window_seconds=THROTTLE_WINDOW_SECONDS,
    )
    if not decision.is_allowed:
        raise Route53Error("Throttling", "Rate exceeded", status=400)


def error_response(error: Route53Error, request_id: str) -> HttpResponse:
    status = error.status or shapes.error_status(SERVICE, error.code)
    response = HttpResponse(
        shapes.write_error(error.code, error.message, request_id, messages=error.messages),
        status=status,
        content_type="text/xml",
    )
    response["x-amzn-RequestId"] = request_id
    return response


DOMAINS_SERVICE = "route53domains"


@csrf_exempt
def domains_api(request: HttpRequest) -> HttpResponse:
    """Route 53 Domains: a POST to / naming the operation in X-Amz-Target, JSON in and out."""
    request_id = str(uuid.uuid4())
    try:
        signed = signed_request(request)
        caller = Caller(authenticate(signed, services=[DOMAINS_SERVICE]), request_id)
        throttle(caller)
        target = request.headers.get("X-Amz-Target", "")
        name = target.removeprefix(domains.TARGET_PREFIX)
        model = shapes.service_model(DOMAINS_SERVICE)
        if not target.startswith(domains.TARGET_PREFIX) or name not in model.operation_names:
            raise Route53Error("UnknownOperationException", f"{target} is not a Route 53 Domains operation")
        handler = domains.SERVED.get(name)
        if handler is None:
            raise Route53Error("InvalidAction", f"{name} is not served by Nameplate yet")
        try:
            params = json.loads(signed.body or b"{}")
        except ValueError as error:
            raise Route53Error("SerializationException", f"The body is not JSON: {error}") from None
        shape = model.operation_model(name).input_shape
        missing = [member for member in (shape.required_members if shape else []) if member not in params]
        if missing:
            raise Route53Error("InvalidInput", f"{missing[0]}: this parameter is required")
        result = domains.to_json_value(handler(caller, params))
    except Route53Error as error:
        response = JsonResponse(
            {"__type": error.code, "message": error.message},
            status=error.status or shapes.error_status(DOMAINS_SERVICE, error.code),
            content_type="application/x-amz-json-1.1",
        )
        response["x-amzn-ErrorType"] = error.code
        response["x-amzn-RequestId"] = request_id
        return response
    response = JsonResponse(result, content_type="application/x-amz-json-1.1")
    response["x-amzn-RequestId"] = request_id
    return response


@csrf_exempt
def resolver_api_view(request: HttpRequest) -> HttpResponse:
    """Route 53 Resolver: a POST to / naming `Route53Resolver.<Operation>` in X-Amz-Target."""
    request_id = str(uuid.uuid4())
    try:
        signed = signed_request(request)
        caller = Caller(authenticate(signed, services=[resolver_api.SERVICE]), request_id)
        throttle(caller)
    except Route53Error as error:
        return resolver_api.error_response(error, request_id)
    return resolver_api.respond(caller, request.headers.get("X-Amz-Target", ""), signed.body, request_id)


def aws_json_or(fallback: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """A view for `/`: AWS's JSON protocol (a POST with X-Amz-Target) here, any other request
    to `fallback` (the console's home page), which keeps its CSRF protection."""
    protected = csrf_protect(fallback)

    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and "X-Amz-Target" in request.headers:
            if request.headers["X-Amz-Target"].startswith(resolver_api.TARGET_PREFIX):
                return resolver_api_view(request)
            return domains_api(request)
        return protected(request)

    return view
