"""Health checks over healthchecks.services: HealthCheckConfig ↔ our check's settings,
one function per operation."""

from typing import Any

from django.conf import settings
from django.db import transaction

from healthchecks import services as check_services
from healthchecks.models import HealthCheck
from route53 import ids
from route53.context import Caller
from route53.errors import Route53Error, invalid_input
from route53.models import HealthCheckReference

TYPES = {
    "HTTP": HealthCheck.HTTP,
    "HTTPS": HealthCheck.HTTPS,
    "HTTP_STR_MATCH": HealthCheck.HTTP_STR_MATCH,
    "HTTPS_STR_MATCH": HealthCheck.HTTPS_STR_MATCH,
    "TCP": HealthCheck.TCP,
    "CALCULATED": HealthCheck.CALCULATED,
}
AWS_TYPES = {ours: theirs for theirs, ours in TYPES.items()}
# Our checkers probe from the loopback in development; the ranges tell firewalls where probes come from.
CHECKER_IP_RANGES = ["127.0.0.0/8"]


def _health_checks(caller: Caller):
    return HealthCheck.objects.filter(owner=caller.user).select_related("route53_reference")


def find_health_check(caller: Caller, text: str) -> HealthCheck:
    check = _health_checks(caller).filter(pk=ids.parse_health_check_id(text)).first()
    if check is None:
        raise Route53Error("NoSuchHealthCheck", f"A health check with id {text} does not exist.")
    return check


def _reference(check: HealthCheck) -> HealthCheckReference | None:
    try:
        return check.route53_reference
    except HealthCheckReference.DoesNotExist:
        return None


def health_check_dict(check: HealthCheck) -> dict[str, Any]:
    reference = _reference(check)
    config: dict[str, Any] = {
        "Type": AWS_TYPES.get(check.check_type, check.check_type.upper()),
        "Inverted": check.is_inverted,
        "Disabled": check.is_disabled,
    }
    if check.is_calculated:
        config["HealthThreshold"] = check.healthy_children_threshold
        config["ChildHealthChecks"] = [
            ids.health_check_id(pk) for pk in check.child_checks.values_list("pk", flat=True)
        ]
    else:
        config.update(
            Port=check.effective_port,
            RequestInterval=check.request_interval_seconds,
            FailureThreshold=check.failure_threshold,
            MeasureLatency=bool(reference and reference.measure_latency),
            Regions=list(check.regions),
        )
        if check.ip_address:
            config["IPAddress"] = check.ip_address
        if check.host_name:
            config["FullyQualifiedDomainName"] = check.host_name
        if check.check_type != HealthCheck.TCP:
            config["ResourcePath"] = check.resource_path or "/"
        if check.search_string:
            config["SearchString"] = check.search_string
        if check.is_tls:
            config["EnableSNI"] = not check.skip_tls_verification
    return {
        "Id": ids.health_check_id(check.pk),
        "CallerReference": reference.caller_reference if reference else f"nameplate-{check.pk}",
        "HealthCheckConfig": config,
        "HealthCheckVersion": reference.version if reference else 1,
    }


def _settings(config: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """Our check's settings from a HealthCheckConfig or UpdateHealthCheck's fields, unchecked."""
    data: dict[str, Any] = {}
    if "Type" in config:
        if config["Type"] not in TYPES:
            raise invalid_input(
                f"Type: {config['Type']} health checks are not served; use one of {', '.join(TYPES)}"
            )
        data["check_type"] = TYPES[config["Type"]]
    simple = {
        "IPAddress": "ip_address",
        "Port": "port",
        "ResourcePath": "resource_path",
        "FullyQualifiedDomainName": "host_name",
        "SearchString": "search_string",
        "RequestInterval": "request_interval_seconds",
        "FailureThreshold": "failure_threshold",
        "Inverted": "is_inverted",
        "Disabled": "is_disabled",
        "HealthThreshold": "healthy_children_threshold",
        "Regions": "regions",
    }
    for theirs, ours in simple.items():
        if theirs in config:
            data[ours] = config[theirs]
    if "EnableSNI" in config:
        data["skip_tls_verification"] = not config["EnableSNI"]
    if "ChildHealthChecks" in config:
        data["child_checks"] = [find_health_check(caller, child).pk for child in config["ChildHealthChecks"]]
    return data


def _invalid(error: check_services.HealthCheckError) -> Route53Error:
    problems = getattr(error, "problems", None)
    return invalid_input(
        "; ".join(str(problem.message) for problem in problems) if problems else error.message
    )


def create_health_check(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateHealthCheck")
    reference = params["CallerReference"]
    config = params["HealthCheckConfig"]
    existing = HealthCheckReference.objects.filter(
        health_check__owner=caller.user, caller_reference=reference
    ).first()
    if existing is not None:
        if (
            health_check_dict(existing.health_check)["HealthCheckConfig"] | config
            != health_check_dict(existing.health_check)["HealthCheckConfig"]
        ):
            raise Route53Error(
                "HealthCheckAlreadyExists",
                f"A health check with caller reference {reference} already exists with other settings.",
                status=409,
            )
        return {
            "HealthCheck": health_check_dict(existing.health_check),
            "Location": _location(existing.health_check),
        }
    data = {
        "name": f"route53 {reference}"[:100],
        "regions": list(settings.HEALTHCHECK_REGIONS),
        "timeout_seconds": 4.0,
    }
    data.update(_settings(config, caller))
    if data.get("check_type") in {
        HealthCheck.HTTP,
        HealthCheck.HTTPS,
        HealthCheck.HTTP_STR_MATCH,
        HealthCheck.HTTPS_STR_MATCH,
    }:
        data.setdefault("resource_path", "/")
    try:
        with transaction.atomic():
            check = check_services.create_health_check(owner=caller.user, data=data)
            HealthCheckReference.objects.create(
                health_check=check,
                caller_reference=reference,
                measure_latency=bool(config.get("MeasureLatency")),
            )
    except check_services.HealthCheckError as error:
        raise _invalid(error) from None
    return {"HealthCheck": health_check_dict(check), "Location": _location(check)}


def _location(check: HealthCheck) -> str:
    return f"/2013-04-01/healthcheck/{ids.health_check_id(check.pk)}"


def get_health_check(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return {"HealthCheck": health_check_dict(find_health_check(caller, params["HealthCheckId"]))}


def list_health_checks(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    limit = max(1, min(int(params.get("MaxItems") or 100), 1000))
    checks = _health_checks(caller).order_by("pk")
    if params.get("Marker"):
        checks = checks.filter(pk__gte=ids.parse_health_check_id(params["Marker"]))
    page = list(checks[: limit + 1])
    result: dict[str, Any] = {
        "HealthChecks": [health_check_dict(check) for check in page[:limit]],
        "Marker": params.get("Marker", ""),
        "IsTruncated": len(page) > limit,
        "MaxItems": str(limit),
    }
    if len(page) > limit:
        result["NextMarker"] = ids.health_check_id(page[limit].pk)
    return result


def get_health_check_count(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return {"HealthCheckCount": _health_checks(caller).count()}


def update_health_check(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("UpdateHealthCheck")
    check = find_health_check(caller, params["HealthCheckId"])
    reference = _reference(check)
    if "HealthCheckVersion" in params and params["HealthCheckVersion"] != (
        reference.version if reference else 1
    ):
        raise Route53Error(
            "HealthCheckVersionMismatch",
            "The value of HealthCheckVersion in the request doesn't match the health check's.",
            status=409,
        )
    try:
        with transaction.atomic():
            check = check_services.update_health_check(check=check, data=_settings(params, caller))
            if reference is None:
                reference = HealthCheckReference.objects.create(
                    health_check=check, caller_reference=f"nameplate-{check.pk}"
                )
            reference.version += 1
            reference.save(update_fields=["version"])
    except check_services.HealthCheckError as error:
        raise _invalid(error) from None
    check.route53_reference = reference
    return {"HealthCheck": health_check_dict(check)}


def delete_health_check(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("DeleteHealthCheck")
    check = find_health_check(caller, params["HealthCheckId"])
    try:
        check_services.delete_health_check(check=check)
    except check_services.HealthCheckError as error:
        raise Route53Error("HealthCheckInUse", error.message) from None
    return {}


def get_health_check_status(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    check = find_health_check(caller, params["HealthCheckId"])
    observations = []
    for state in check.region_states.order_by("region"):
        status = (
            "Success: the endpoint answered"
            if state.is_healthy
            else f"Failure: {state.last_error or 'no answer'}"
        )
        report: dict[str, Any] = {"Status": status}
        if state.last_checked_at:
            report["CheckedTime"] = state.last_checked_at
        observations.append(
            {"Region": state.region, "IPAddress": CHECKER_IP_RANGES[0].split("/")[0], "StatusReport": report}
        )
    return {"HealthCheckObservations": observations}


def get_health_check_last_failure_reason(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    check = find_health_check(caller, params["HealthCheckId"])
    failures = []
    for state in check.region_states.exclude(last_error="").order_by("region"):
        report: dict[str, Any] = {"Status": f"Failure: {state.last_error}"}
        if state.last_checked_at:
            report["CheckedTime"] = state.last_checked_at
        failures.append({"Region": state.region, "IPAddress": "127.0.0.1", "StatusReport": report})
    return {"HealthCheckObservations": failures}


def get_checker_ip_ranges(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return {"CheckerIpRanges": CHECKER_IP_RANGES}
