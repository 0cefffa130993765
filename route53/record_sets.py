"""Route 53's ResourceRecordSet and our record sets (zones.rules.RecordSetSpec), both ways, and
the record list in AWS's order with its three-part position.

Names in this API are always fully qualified, with or without the trailing dot, never relative
to the zone; AWS writes characters other than letters, digits, hyphen and underscore as a
backslash and three octal digits (`\\052` for the wildcard), and reads them back.
"""

import re
from typing import Any

import dns.exception
from django.db.models import Q

from route53 import ids
from route53.errors import invalid_input
from zones import rules
from zones.models import Endpoint, HostedZone, RecordSet
from zones.vocabulary import RoutingPolicy

DEFAULT_MAX_ITEMS = 100
MAX_ITEMS_LIMIT = 300
# Aliases to our endpoints (load balancers, CDNs, bucket websites) name this hosted-zone id and
# `<endpoint id>.endpoint.` as DNSName, as AWS's name a service's zone and its host name.
ENDPOINT_ALIAS_ZONE_ID = "ZNAMEPLATEENDPOINT"
_OCTAL = re.compile(r"\\([0-7]{3})")
_PLAIN = re.compile(r"[a-z0-9\-_.]")


def read_name(text: str) -> str:
    """An API name as our absolute, lowercase presentation (escapes decoded, trailing dot added)."""
    name = _OCTAL.sub(lambda match: chr(int(match[1], 8)), text.strip()).lower()
    return name if name.endswith(".") else name + "."


def write_name(name: str) -> str:
    return "".join(c if _PLAIN.fullmatch(c) else f"\\{ord(c):03o}" for c in name)


def to_spec(data: dict[str, Any], zone: HostedZone) -> rules.RecordSetSpec:
    """A ResourceRecordSet (boto3's dict) as the rule module's plain data; the rules check it later."""
    fields: dict[str, Any] = {
        "name": read_name(data.get("Name", "")),
        "type": data.get("Type", "").upper(),
        "ttl": data.get("TTL"),
        "values": tuple(record.get("Value", "") for record in data.get("ResourceRecords") or ()),
        "set_identifier": data.get("SetIdentifier", ""),
        "health_check_id": ids.parse_health_check_id(data["HealthCheckId"])
        if data.get("HealthCheckId")
        else None,
    }
    if "Weight" in data:
        fields.update(policy=RoutingPolicy.WEIGHTED.value, weight=data["Weight"])
    elif "Region" in data:
        fields.update(policy=RoutingPolicy.LATENCY.value, region=data["Region"])
    elif "Failover" in data:
        fields.update(policy=RoutingPolicy.FAILOVER.value, failover=data["Failover"])
    elif "GeoLocation" in data:
        location = data["GeoLocation"]
        fields.update(
            policy=RoutingPolicy.GEOLOCATION.value,
            continent=location.get("ContinentCode", ""),
            country=location.get("CountryCode", ""),
            subdivision=location.get("SubdivisionCode", ""),
        )
    elif data.get("MultiValueAnswer"):
        fields["policy"] = RoutingPolicy.MULTIVALUE.value
    alias = data.get("AliasTarget")
    if alias is not None:
        fields["evaluate_target_health"] = bool(alias.get("EvaluateTargetHealth"))
        fields.update(_alias_fields(alias, zone))
    return rules.RecordSetSpec(**fields)


def _alias_fields(alias: dict[str, Any], zone: HostedZone) -> dict[str, Any]:
    target_zone = alias.get("HostedZoneId", "")
    dns_name = read_name(alias.get("DNSName", ""))
    if target_zone == ENDPOINT_ALIAS_ZONE_ID:
        head, _, rest = dns_name.partition(".")
        endpoint = Endpoint.objects.filter(
            owner_id=zone.owner_id, pk=int(head) if head.isdigit() else 0
        ).first()
        if rest != "endpoint." or endpoint is None:
            raise invalid_input(f"AliasTarget: {alias.get('DNSName')} is not one of your endpoints")
        return {"alias_endpoint_id": endpoint.pk}
    if ids.parse_id("Z", target_zone) != zone.pk:
        raise invalid_input(
            f"AliasTarget: an alias targets a record set of the same hosted zone ({ids.zone_id(zone.pk)}) "
            f"or an endpoint ({ENDPOINT_ALIAS_ZONE_ID}), not {target_zone}"
        )
    return {"alias_target_name": dns_name}


def to_resource_record_set(record_set: RecordSet, zone: HostedZone) -> dict[str, Any]:
    """One of our record sets as a ResourceRecordSet (boto3's dict)."""
    data: dict[str, Any] = {"Name": write_name(record_set.name), "Type": record_set.type}
    if record_set.set_identifier:
        data["SetIdentifier"] = record_set.set_identifier
    policy = record_set.policy
    if policy == RoutingPolicy.WEIGHTED:
        data["Weight"] = record_set.weight
    elif policy == RoutingPolicy.LATENCY:
        data["Region"] = record_set.region
    elif policy == RoutingPolicy.FAILOVER:
        data["Failover"] = record_set.failover
    elif policy == RoutingPolicy.GEOLOCATION:
        location = {
            "ContinentCode": record_set.continent,
            "CountryCode": record_set.country,
            "SubdivisionCode": record_set.subdivision,
        }
        data["GeoLocation"] = {key: value for key, value in location.items() if value}
    elif policy == RoutingPolicy.MULTIVALUE:
        data["MultiValueAnswer"] = True
    if record_set.alias_endpoint_id is not None:
        data["AliasTarget"] = {
            "HostedZoneId": ENDPOINT_ALIAS_ZONE_ID,
            "DNSName": f"{record_set.alias_endpoint_id}.endpoint.",
            "EvaluateTargetHealth": record_set.evaluate_target_health,
        }
    elif record_set.alias_target_name:
        data["AliasTarget"] = {
            "HostedZoneId": ids.zone_id(zone.pk),
            "DNSName": write_name(record_set.alias_target_name),
            "EvaluateTargetHealth": record_set.evaluate_target_health,
        }
    else:
        data["TTL"] = record_set.ttl
        data["ResourceRecords"] = [{"Value": value} for value in record_set.values]
    if record_set.health_check_id is not None:
        data["HealthCheckId"] = ids.health_check_id(record_set.health_check_id)
    return data


def list_page(
    zone: HostedZone,
    *,
    start_name: str | None,
    start_type: str | None,
    start_identifier: str | None,
    max_items: int | None,
) -> dict[str, Any]:
    """One page of ListResourceRecordSets: the record sets from the position on, and the next position.

    AWS's order is by name with its labels reversed (DNSSEC's canonical order), then type, then
    set identifier: the index (hosted_zone, sort_key, type, set_identifier), so a page is one
    indexed query at any size of zone. The position is a place in the order, not a filter: a
    name that holds no record set starts the page at the next one. Raises Route53Error
    InvalidInput for a type without a name.
    """
    if start_type and not start_name:
        raise invalid_input("The input is not valid: a StartRecordType needs a StartRecordName")
    limit = DEFAULT_MAX_ITEMS if max_items is None else max(1, min(int(max_items), MAX_ITEMS_LIMIT))
    rows = RecordSet.objects.filter(hosted_zone=zone)
    if start_name:
        try:
            key = rules.canonical_sort_key(read_name(start_name))
        except dns.exception.DNSException as error:
            raise invalid_input(f"StartRecordName: {start_name} is not a domain name ({error})") from None
        rtype, identifier = (start_type or "").upper(), start_identifier or ""
        # The range first, so the database walks the index from the position on; then the
        # position within the name.
        rows = rows.filter(sort_key__gte=key).filter(
            Q(sort_key__gt=key)
            | Q(sort_key=key, type__gt=rtype)
            | Q(sort_key=key, type=rtype, set_identifier__gte=identifier)
        )
    page = list(rows.order_by("sort_key", "type", "set_identifier")[: limit + 1])
    result: dict[str, Any] = {
        "ResourceRecordSets": [to_resource_record_set(row, zone) for row in page[:limit]],
        "IsTruncated": len(page) > limit,
        "MaxItems": str(limit),
    }
    if len(page) > limit:
        following = page[limit]
        result.update(NextRecordName=write_name(following.name), NextRecordType=following.type)
        if following.set_identifier:
            result["NextRecordIdentifier"] = following.set_identifier
    return result
