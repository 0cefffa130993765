"""Hosted zones, changes and record sets over zones.services: one function per operation,
boto3's dicts in and out."""

from typing import Any

import dns.exception
import dns.name
from django.db.models import Max

from route53 import ids, record_sets
from route53.context import Caller
from route53.errors import Route53Error, invalid_input
from zones import rules, services
from zones.models import ChangeBatch, DelegationSet, HostedZone

MAX_CHANGES = 1000
SOURCE = ChangeBatch.Source.API


def hosted_zone_dict(zone: HostedZone) -> dict[str, Any]:
    config: dict[str, Any] = {"PrivateZone": zone.is_private}
    if zone.comment:
        config["Comment"] = zone.comment
    return {
        "Id": f"/hostedzone/{ids.zone_id(zone.pk)}",
        "Name": record_sets.write_name(zone.name),
        "CallerReference": zone.caller_reference or f"nameplate-{zone.pk}",
        "Config": config,
        "ResourceRecordSetCount": zone.record_set_count,
    }


def delegation_set_dict(delegation_set: DelegationSet) -> dict[str, Any]:
    data: dict[str, Any] = {"NameServers": [name.rstrip(".") for name in delegation_set.name_servers]}
    if delegation_set.is_reusable:
        data["Id"] = f"/delegationset/{ids.delegation_set_id(delegation_set.pk)}"
    if delegation_set.caller_reference:
        data["CallerReference"] = delegation_set.caller_reference
    return data


def change_info(batch: ChangeBatch) -> dict[str, Any]:
    services.refresh_change_status(batch)
    info: dict[str, Any] = {
        "Id": f"/change/{ids.change_id(batch.pk)}",
        "Status": batch.status,
        "SubmittedAt": batch.submitted_at,
    }
    if batch.comment:
        info["Comment"] = batch.comment
    return info


def _zone_error(error: services.ZoneError) -> Route53Error:
    return invalid_input(error.message)


def create_hosted_zone(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateHostedZone")
    reference = params["CallerReference"]
    if HostedZone.objects.filter(owner=caller.user, caller_reference=reference).exists():
        raise Route53Error(
            "HostedZoneAlreadyExists",
            f"A hosted zone has already been created with the specified caller reference: {reference}",
            status=409,
        )
    config = params.get("HostedZoneConfig") or {}
    delegation_set = None
    if params.get("DelegationSetId"):
        pk = ids.parse_id("N", params["DelegationSetId"])
        delegation_set = DelegationSet.objects.filter(owner=caller.user, pk=pk, is_reusable=True).first()
        if delegation_set is None:
            raise Route53Error(
                "NoSuchDelegationSet",
                f"No reusable delegation set found with ID: {params['DelegationSetId']}",
            )
    if params.get("VPC") or config.get("PrivateZone"):
        raise invalid_input(
            "Private hosted zones (VPC) are not served by this API yet; create them in the console"
        )
    try:
        zone = services.create_hosted_zone(
            owner=caller.user,
            name=record_sets.read_name(params["Name"]),
            caller_reference=reference,
            comment=config.get("Comment", ""),
            delegation_set=delegation_set,
            source=SOURCE,
        )
    except services.ZoneError as error:
        raise Route53Error("InvalidDomainName", error.message) from None
    batch = zone.change_batches.order_by("pk").first()
    return {
        "HostedZone": hosted_zone_dict(zone),
        "ChangeInfo": change_info(batch),
        "DelegationSet": delegation_set_dict(zone.delegation_set),
        "Location": f"/2013-04-01/hostedzone/{ids.zone_id(zone.pk)}",
    }


def get_hosted_zone(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    zone = caller.hosted_zone(params["Id"])
    result: dict[str, Any] = {"HostedZone": hosted_zone_dict(zone)}
    if not zone.is_private:
        result["DelegationSet"] = delegation_set_dict(zone.delegation_set)
    return result


def _max_items(params: dict[str, Any], default: int = 100) -> int:
    try:
        return max(1, min(int(params.get("MaxItems") or default), 100))
    except ValueError:
        raise invalid_input(f"MaxItems: {params['MaxItems']} is not a whole number") from None


def list_hosted_zones(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    limit = _max_items(params)
    zones = caller.hosted_zones().order_by("pk")
    if params.get("DelegationSetId"):
        zones = zones.filter(delegation_set_id=ids.parse_id("N", params["DelegationSetId"]))
    if params.get("Marker"):
        zones = zones.filter(pk__gte=ids.parse_id("Z", params["Marker"]))
    page = list(zones[: limit + 1])
    result: dict[str, Any] = {
        "HostedZones": [hosted_zone_dict(zone) for zone in page[:limit]],
        "Marker": params.get("Marker", ""),
        "IsTruncated": len(page) > limit,
        "MaxItems": str(limit),
    }
    if len(page) > limit:
        result["NextMarker"] = ids.zone_id(page[limit].pk)
    return result


def list_hosted_zones_by_name(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """Ordered by the names with their labels reversed (com.example before com.example.www), then id."""
    limit = _max_items(params)
    if params.get("HostedZoneId") and not params.get("DNSName"):
        raise invalid_input("The input is not valid: a HostedZoneId needs a DNSName")
    zones = sorted(caller.hosted_zones(), key=lambda zone: (dns.name.from_text(zone.name), zone.pk))
    if params.get("DNSName"):
        try:
            start = (dns.name.from_text(record_sets.read_name(params["DNSName"])), 0)
        except dns.exception.DNSException as error:
            raise invalid_input(f"DNSName: {params['DNSName']} is not a domain name ({error})") from None
        if params.get("HostedZoneId"):
            start = (start[0], ids.parse_id("Z", params["HostedZoneId"]))
        zones = [zone for zone in zones if (dns.name.from_text(zone.name), zone.pk) >= start]
    result: dict[str, Any] = {
        "HostedZones": [hosted_zone_dict(zone) for zone in zones[:limit]],
        "IsTruncated": len(zones) > limit,
        "MaxItems": str(limit),
    }
    if params.get("DNSName"):
        result["DNSName"] = params["DNSName"]
    if params.get("HostedZoneId"):
        result["HostedZoneId"] = params["HostedZoneId"]
    if len(zones) > limit:
        result.update(
            NextDNSName=record_sets.write_name(zones[limit].name),
            NextHostedZoneId=ids.zone_id(zones[limit].pk),
        )
    return result


def get_hosted_zone_count(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return {"HostedZoneCount": caller.hosted_zones().count()}


def update_hosted_zone_comment(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("UpdateHostedZoneComment")
    zone = caller.hosted_zone(params["Id"])
    try:
        services.update_hosted_zone(zone, comment=params.get("Comment", ""))
    except services.ZoneError as error:
        raise _zone_error(error) from None
    return {"HostedZone": hosted_zone_dict(zone)}


def delete_hosted_zone(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("DeleteHostedZone")
    zone = caller.hosted_zone(params["Id"])
    last = zone.change_batches.aggregate(last=Max("pk"))["last"] or 0
    if zone.has_user_records:
        raise Route53Error(
            "HostedZoneNotEmpty",
            "The specified hosted zone contains non-required resource record sets and so cannot be deleted.",
        )
    try:
        services.delete_hosted_zone(zone)
    except services.ZoneError as error:
        raise Route53Error("HostedZoneNotEmpty", error.message) from None
    # The zone's changes go with it; the answer still names its last one, now in sync nowhere to wait for.
    return {
        "ChangeInfo": {
            "Id": f"/change/{ids.change_id(last)}",
            "Status": "INSYNC",
            "SubmittedAt": zone.updated_at,
        }
    }


def get_change(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return {"ChangeInfo": change_info(caller.change_batch(params["Id"]))}


def list_resource_record_sets(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    zone = caller.hosted_zone(params["HostedZoneId"])
    return record_sets.list_page(
        zone,
        start_name=params.get("StartRecordName"),
        start_type=params.get("StartRecordType"),
        start_identifier=params.get("StartRecordIdentifier"),
        max_items=params.get("MaxItems"),
    )


def change_resource_record_sets(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """Every change applied in order, all or none; InvalidChangeBatch lists every problem found."""
    caller.require_write("ChangeResourceRecordSets")
    zone = caller.hosted_zone(params["HostedZoneId"])
    batch = params["ChangeBatch"]
    changes = batch.get("Changes") or []
    if len(changes) > MAX_CHANGES:
        raise invalid_change_batch(
            [f"A change batch holds at most {MAX_CHANGES} changes, not {len(changes)}"]
        )
    converted = [
        services.Change(
            change.get("Action", ""), record_sets.to_spec(change.get("ResourceRecordSet") or {}, zone)
        )
        for change in changes
    ]
    try:
        change_batch = services.apply_change_batch(
            hosted_zone=zone,
            changes=converted,
            actor=caller.user,
            source=SOURCE,
            comment=batch.get("Comment", ""),
        )
    except services.ChangeBatchError as error:
        raise invalid_change_batch(_every_problem(zone, converted, error)) from None
    return {"ChangeInfo": change_info(change_batch)}


def _every_problem(
    zone: HostedZone, changes: list[services.Change], error: services.ChangeBatchError
) -> list[str]:
    """Each change's own problems (the rule module's sentences), or the batch's refusal when none has any.

    apply_change_batch stops at the first bad change; the clients show the whole list, so the
    other changes are put through the same rules here, on the error path only.
    """
    context = services.rule_context(zone.owner)
    messages = []
    for index, change in enumerate(changes):
        _spec, problems = rules.check_record_set(change.record_set, zone_name=zone.name, context=context)
        messages.extend(f"change {index}: {problem}" for problem in problems)
    return messages or [error.message]


def invalid_change_batch(messages: list[str]) -> Route53Error:
    error = Route53Error("InvalidChangeBatch", "[" + ", ".join(messages) + "]")
    error.messages = messages
    return error
