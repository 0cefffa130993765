"""Hosted zones, changes and record sets over zones.services: one function per operation,
boto3's dicts in and out."""

from typing import Any

import dns.exception
from django.db.models import Max, Q

from route53 import ids, record_sets
from route53.context import Caller
from route53.errors import Route53Error, invalid_input
from zones import rules, services
from zones.models import ChangeBatch, DelegationSet, HostedZone, Network
from zones.services import locks

MAX_CHANGES = 1000
# A batch for a zone another writer has locked waits this long, then answers PriorRequestNotComplete,
# which the AWS SDKs retry with back-off.
ZONE_LOCK_WAIT_SECONDS = 2
VPC_REGION = "us-east-1"
SOURCE = ChangeBatch.Source.ROUTE53


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


def vpc_dict(network: Network) -> dict[str, str]:
    """A network as a VPC; VPCRegion is not stored (networks are not regional here), see route53/vpcs.py."""
    return {"VPCRegion": VPC_REGION, "VPCId": ids.vpc_id(network.pk)}


def own_network(caller: Caller, text: str) -> Network:
    """The caller's network of that VPC id. Raises InvalidVPCId, for another's as for none."""
    network = Network.objects.filter(owner=caller.user, pk=ids.parse_vpc_id(text)).first()
    if network is None:
        raise Route53Error("InvalidVPCId", f"The VPC ID {text} is not valid, or it is not yours.")
    return network


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


def _create_zone_error(error: services.ZoneError) -> Route53Error:
    """CreateHostedZone's refusal under AWS's code for it.

    ConflictingDomainExists: the reusable delegation set already serves a zone of this name
    (or above or below it). DelegationSetNotAvailable: every name server free for this name
    is taken. InvalidDomainName: the name itself. InvalidInput: anything else.
    """
    if error.field == "delegation_set":
        return Route53Error("ConflictingDomainExists", error.message)
    if isinstance(error, services.NameServersExhaustedError):
        return Route53Error("DelegationSetNotAvailable", error.message)
    if error.field == "name":
        return Route53Error("InvalidDomainName", error.message)
    return invalid_input(error.message)


def create_hosted_zone(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateHostedZone")
    reference = params["CallerReference"]
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
    networks = []
    if params.get("VPC"):
        networks = [own_network(caller, (params["VPC"] or {}).get("VPCId", ""))]
    elif config.get("PrivateZone"):
        raise invalid_input("VPC: a private hosted zone needs a VPC (one of your networks)")
    try:
        zone = services.create_hosted_zone(
            owner=caller.user,
            name=record_sets.read_name(params["Name"]),
            caller_reference=reference,
            comment=config.get("Comment", ""),
            delegation_set=delegation_set,
            is_private=bool(networks),
            networks=networks,
            source=SOURCE,
            refuse_reused_reference=True,
        )
    except services.CallerReferenceUsedError:
        raise Route53Error(
            "HostedZoneAlreadyExists",
            f"A hosted zone has already been created with the specified caller reference: {reference}",
            status=409,
        ) from None
    except services.ZoneError as error:
        raise _create_zone_error(error) from None
    batch = zone.change_batches.order_by("pk").first()
    result = {
        "HostedZone": hosted_zone_dict(zone),
        "ChangeInfo": change_info(batch),
        "Location": f"/2013-04-01/hostedzone/{ids.zone_id(zone.pk)}",
    }
    if zone.is_private:
        result["VPC"] = vpc_dict(networks[0])
    else:
        result["DelegationSet"] = delegation_set_dict(zone.delegation_set)
    return result


def get_hosted_zone(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    zone = caller.hosted_zone(params["Id"])
    result: dict[str, Any] = {"HostedZone": hosted_zone_dict(zone)}
    if zone.is_private:
        result["VPCs"] = [vpc_dict(network) for network in zone.networks.order_by("pk")]
    else:
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
    """Ordered by the names with their labels reversed (com.example before com.example.www), then id:
    the index (owner, sort_key, id), one query a page."""
    limit = _max_items(params)
    if params.get("HostedZoneId") and not params.get("DNSName"):
        raise invalid_input("The input is not valid: a HostedZoneId needs a DNSName")
    zones = caller.hosted_zones()
    if params.get("DNSName"):
        try:
            key = rules.canonical_sort_key(record_sets.read_name(params["DNSName"]))
        except dns.exception.DNSException as error:
            raise invalid_input(f"DNSName: {params['DNSName']} is not a domain name ({error})") from None
        start_pk = ids.parse_id("Z", params["HostedZoneId"]) if params.get("HostedZoneId") else 0
        zones = zones.filter(sort_key__gte=key).filter(
            Q(sort_key__gt=key) | Q(sort_key=key, pk__gte=start_pk)
        )
    page = list(zones.order_by("sort_key", "pk")[: limit + 1])
    result: dict[str, Any] = {
        "HostedZones": [hosted_zone_dict(zone) for zone in page[:limit]],
        "IsTruncated": len(page) > limit,
        "MaxItems": str(limit),
    }
    if params.get("DNSName"):
        result["DNSName"] = params["DNSName"]
    if params.get("HostedZoneId"):
        result["HostedZoneId"] = params["HostedZoneId"]
    if len(page) > limit:
        result.update(
            NextDNSName=record_sets.write_name(page[limit].name),
            NextHostedZoneId=ids.zone_id(page[limit].pk),
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
        with locks.waiting_at_most(ZONE_LOCK_WAIT_SECONDS):
            change_batch = services.apply_change_batch(
                hosted_zone=zone,
                changes=converted,
                actor=caller.user,
                source=SOURCE,
                comment=batch.get("Comment", ""),
            )
    except services.ChangeBatchError as error:
        raise invalid_change_batch(_problem_messages(error)) from None
    except locks.LockBusy:
        raise prior_request_not_complete() from None
    return {"ChangeInfo": change_info(change_batch)}


def _problem_messages(error: services.ChangeBatchError) -> list[str]:
    """Every problem the zones service found, in the rule module's words, each with its change."""
    messages = [
        f"change {problem.change}: {problem}" for problem in error.problems if problem.change is not None
    ]
    return messages or [error.message]


def prior_request_not_complete() -> Route53Error:
    return Route53Error(
        "PriorRequestNotComplete",
        "The request was rejected because Route 53 was still processing a prior request: "
        "another change to this hosted zone holds its lock. Try again.",
    )


def invalid_change_batch(messages: list[str]) -> Route53Error:
    return Route53Error("InvalidChangeBatch", "[" + ", ".join(messages) + "]", messages=messages)
