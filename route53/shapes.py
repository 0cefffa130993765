"""Requests parsed and responses written from botocore's own service models, so element names,
list members, locations, status codes and error shapes are AWS's.

    operation, labels = find_operation(ROUTE53, "GET", "/2013-04-01/hostedzone/Z1")
    params = parse_request(operation, labels=labels, query=..., headers=..., body=...)
    status, headers, body = write_response(operation, {"HostedZone": {...}})

Values are plain Python in the shape of boto3's: structures are dicts by member name, lists
are lists, timestamps are aware datetimes.
"""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote

import botocore.loaders
import botocore.model

ROUTE53_NAMESPACE = "https://route53.amazonaws.com/doc/2013-04-01/"


class ShapeError(Exception):
    """A request did not fit the model: the message names the element and the reason (InvalidInput)."""


@cache
def service_model(name: str) -> botocore.model.ServiceModel:
    """The service's model as botocore ships it (botocore/data/<name>/<version>/service-2.json)."""
    loader = botocore.loaders.create_loader()
    return botocore.model.ServiceModel(loader.load_service_model(name, "service-2"), service_name=name)


@cache
def _routes(name: str) -> list[tuple[str, re.Pattern, botocore.model.OperationModel]]:
    routes = []
    model = service_model(name)
    for operation_name in model.operation_names:
        operation = model.operation_model(operation_name)
        path = operation.http["requestUri"].split("?")[0]
        pattern = ""
        for literal, label, greedy in re.findall(r"([^{]*)(?:\{(\w+)(\+?)\})?", path):
            pattern += re.escape(literal)
            if label:
                pattern += f"(?P<{label}>.+)" if greedy else f"(?P<{label}>[^/]+)"
        routes.append((operation.http["method"], re.compile(pattern.rstrip("/") + "/?$"), operation))
    # Literal paths before templated ones: /hostedzonecount is not /hostedzone/{Id}.
    routes.sort(key=lambda route: route[1].pattern.count("(?P"))
    return routes


def find_operation(
    name: str, method: str, path: str
) -> tuple[botocore.model.OperationModel, dict[str, str]] | None:
    """The operation a REST request names, and its path labels percent-decoded; None if none does."""
    for route_method, pattern, operation in _routes(name):
        match = pattern.match(path)
        if match and route_method == method:
            return operation, {label: unquote(value) for label, value in match.groupdict().items()}
    return None


def parse_request(
    operation: botocore.model.OperationModel,
    *,
    labels: dict[str, str],
    query: str,
    headers: dict[str, str],
    body: bytes,
) -> dict[str, Any]:
    """The operation's input as boto3 would have been given it. Raises ShapeError for bad input."""
    shape = operation.input_shape
    if shape is None:
        return {}
    query_values: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        query_values.setdefault(key, []).append(value)
    params: dict[str, Any] = {}
    body_members = {}
    for member_name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", member_name)
        if location == "uri":
            if wire_name in labels:
                params[member_name] = labels[wire_name]
        elif location == "querystring":
            if wire_name in query_values:
                if member.type_name == "list":
                    params[member_name] = [
                        _scalar(member.member, v, wire_name) for v in query_values[wire_name]
                    ]
                else:
                    params[member_name] = _scalar(member, query_values[wire_name][0], wire_name)
        elif location == "header":
            value = headers.get(wire_name.lower())
            if value is not None:
                params[member_name] = _scalar(member, value, wire_name)
        else:
            body_members[member_name] = member
    if body_members and body.strip():
        try:
            root = ET.fromstring(body)
        except ET.ParseError as error:
            raise ShapeError(f"The XML document is not well-formed: {error}") from None
        params.update(_read_structure(root, body_members))
    for required in shape.required_members:
        if required not in params:
            wire = shape.members[required].serialization.get("name", required)
            raise ShapeError(
                f"1 validation error detected: Value null at '{_lower_first(wire)}' "
                "failed to satisfy constraint: Member must not be null"
            )
    return params


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_structure(element: ET.Element, members: dict[str, botocore.model.Shape]) -> dict[str, Any]:
    by_name = {member.serialization.get("name", name): (name, member) for name, member in members.items()}
    result: dict[str, Any] = {}
    for child in element:
        found = by_name.get(_local(child.tag))
        if found is not None:
            name, member = found
            result[name] = _read(child, member)
    return result


def _read(element: ET.Element, shape: botocore.model.Shape) -> Any:
    if shape.type_name == "structure":
        return _read_structure(element, shape.members)
    if shape.type_name == "list":
        member_name = shape.member.serialization.get("name", "member")
        return [_read(child, shape.member) for child in element if _local(child.tag) == member_name]
    if shape.type_name == "map":
        raise ShapeError(f"{_local(element.tag)}: maps are not read from XML here")
    return _scalar(shape, element.text or "", _local(element.tag))


def _scalar(shape: botocore.model.Shape, text: str, where: str) -> Any:
    kind = shape.type_name
    if kind in {"integer", "long"}:
        try:
            return int(text.strip())
        except ValueError:
            raise ShapeError(f"{where}: {text} is not a whole number") from None
    if kind == "boolean":
        if text.strip().lower() not in {"true", "false"}:
            raise ShapeError(f"{where}: {text} is not true or false")
        return text.strip().lower() == "true"
    if kind in {"float", "double"}:
        try:
            return float(text)
        except ValueError:
            raise ShapeError(f"{where}: {text} is not a number") from None
    if kind == "timestamp":
        try:
            return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ShapeError(f"{where}: {text} is not an ISO 8601 time") from None
    return text


def write_response(
    operation: botocore.model.OperationModel, result: dict[str, Any], *, namespace: str = ROUTE53_NAMESPACE
) -> tuple[int, dict[str, str], bytes]:
    """The HTTP status, headers and XML body of the operation's output `result`."""
    status = int(operation.http.get("responseCode", 200))
    shape = operation.output_shape
    headers: dict[str, str] = {}
    if shape is None:
        return status, headers, b""
    root = ET.Element(shape.name, xmlns=namespace)
    for member_name, member in shape.members.items():
        value = result.get(member_name)
        if value is None:
            continue
        location = member.serialization.get("location")
        if location == "header":
            headers[member.serialization.get("name", member_name)] = _text(member, value)
        elif location is None:
            _write(root, member.serialization.get("name", member_name), member, value)
    return (
        status,
        headers,
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + ET.tostring(root, encoding="utf-8", xml_declaration=False),
    )


def _write(parent: ET.Element, name: str, shape: botocore.model.Shape, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if shape.type_name == "structure":
        for member_name, member in shape.members.items():
            member_value = value.get(member_name)
            if member_value is not None:
                _write(element, member.serialization.get("name", member_name), member, member_value)
    elif shape.type_name == "list":
        member_name = shape.member.serialization.get("name", "member")
        for item in value:
            _write(element, member_name, shape.member, item)
    else:
        element.text = _text(shape, value)


def _text(shape: botocore.model.Shape, value: Any) -> str:
    if shape.type_name == "boolean":
        return "true" if value else "false"
    if shape.type_name == "timestamp":
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return str(value)


def error_status(service: str, code: str) -> int:
    """The HTTP status the model gives the error `code` (400 when it names none)."""
    model = service_model(service)
    for shape in model.error_shapes:
        if shape.name == code:
            return int(shape.metadata.get("error", {}).get("httpStatusCode", 400))
    return 400


def write_error(
    code: str,
    message: str,
    request_id: str,
    *,
    messages: list[str] | None = None,
    namespace: str = ROUTE53_NAMESPACE,
) -> bytes:
    """AWS's REST-XML error document: ErrorResponse/Error with Type, Code and Message, and the RequestId.

    `messages` (InvalidChangeBatch's list of problems) go in Error/Messages, one Message each;
    `message` then holds them all as AWS writes it, "[first, second]", which is what botocore reads.
    """
    root = ET.Element("ErrorResponse", xmlns=namespace)
    error = ET.SubElement(root, "Error")
    ET.SubElement(error, "Type").text = "Sender"
    ET.SubElement(error, "Code").text = code
    ET.SubElement(error, "Message").text = message
    if messages:
        listed = ET.SubElement(error, "Messages")
        for text in messages:
            ET.SubElement(listed, "Message").text = text
    ET.SubElement(root, "RequestId").text = request_id
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
