"""Reusable delegation sets, limits, geography and TestDNSAnswer: one function per operation."""

import ipaddress
from functools import cache
from typing import Any

import dns.exception
import dns.name
import dns.rcode
import dns.rdatatype
import pycountry

from healthchecks.models import HealthCheck
from kernel import bus
from route53 import ids, record_sets
from route53.context import Caller
from route53.errors import Route53Error, invalid_input
from route53.hosted_zones import delegation_set_dict
from zones import engine, services, snapshot
from zones.models import DelegationSet
from zones.vocabulary import CONTINENTS, COUNTRIES, DEFAULT_COUNTRY, SUBDIVISIONS

# Route 53's default quotas, answered as the limits: Nameplate enforces none of them itself.
ACCOUNT_LIMITS = {
    "MAX_HEALTH_CHECKS_BY_OWNER": 200,
    "MAX_HOSTED_ZONES_BY_OWNER": 500,
    "MAX_REUSABLE_DELEGATION_SETS_BY_OWNER": 100,
    "MAX_TRAFFIC_POLICIES_BY_OWNER": 0,
    "MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER": 0,
    "MAX_HEALTH_CHECK_SOURCES_BY_OWNER": 0,
}
HOSTED_ZONE_LIMITS = {"MAX_RRSETS_BY_ZONE": 10_000, "MAX_VPCS_ASSOCIATED_BY_ZONE": 300}
DELEGATION_SET_LIMITS = {"MAX_ZONES_BY_REUSABLE_DELEGATION_SET": 100}


def _delegation_sets(caller: Caller):
    return DelegationSet.objects.filter(owner=caller.user, is_reusable=True)


def _delegation_set(caller: Caller, text: str) -> DelegationSet:
    delegation_set = _delegation_sets(caller).filter(pk=ids.parse_id("N", text)).first()
    if delegation_set is None:
        raise Route53Error("NoSuchDelegationSet", f"No reusable delegation set found with ID: {text}")
    return delegation_set


def create_reusable_delegation_set(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("CreateReusableDelegationSet")
    reference = params["CallerReference"]
    if DelegationSet.objects.filter(owner=caller.user, caller_reference=reference).exists():
        raise Route53Error(
            "DelegationSetAlreadyCreated",
            f"A delegation set with caller reference {reference} has already been created.",
        )
    if params.get("HostedZoneId"):
        raise invalid_input("HostedZoneId: a zone's own name servers cannot be made reusable here")
    delegation_set = services.create_delegation_set(owner=caller.user, caller_reference=reference)
    return {
        "DelegationSet": delegation_set_dict(delegation_set),
        "Location": f"/2013-04-01/delegationset/{ids.delegation_set_id(delegation_set.pk)}",
    }


def get_reusable_delegation_set(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    return {"DelegationSet": delegation_set_dict(_delegation_set(caller, params["Id"]))}


def list_reusable_delegation_sets(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    limit = max(1, min(int(params.get("MaxItems") or 100), 100))
    sets = _delegation_sets(caller).order_by("pk")
    if params.get("Marker"):
        sets = sets.filter(pk__gte=ids.parse_id("N", params["Marker"]))
    page = list(sets[: limit + 1])
    result: dict[str, Any] = {
        "DelegationSets": [delegation_set_dict(item) for item in page[:limit]],
        "Marker": params.get("Marker", ""),
        "IsTruncated": len(page) > limit,
        "MaxItems": str(limit),
    }
    if len(page) > limit:
        result["NextMarker"] = ids.delegation_set_id(page[limit].pk)
    return result


def delete_reusable_delegation_set(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("DeleteReusableDelegationSet")
    delegation_set = _delegation_set(caller, params["Id"])
    try:
        services.delete_delegation_set(delegation_set)
    except services.ZoneError as error:
        raise Route53Error("DelegationSetInUse", error.message) from None
    return {}


def get_account_limit(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    kind = params["Type"]
    if kind not in ACCOUNT_LIMITS:
        raise invalid_input(f"Type: {kind} is not one of {', '.join(ACCOUNT_LIMITS)}")
    counts = {
        "MAX_HEALTH_CHECKS_BY_OWNER": lambda: HealthCheck.objects.filter(owner=caller.user).count(),
        "MAX_HOSTED_ZONES_BY_OWNER": lambda: caller.hosted_zones().count(),
        "MAX_REUSABLE_DELEGATION_SETS_BY_OWNER": lambda: _delegation_sets(caller).count(),
    }
    return {"Limit": {"Type": kind, "Value": ACCOUNT_LIMITS[kind]}, "Count": counts.get(kind, lambda: 0)()}


def get_hosted_zone_limit(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    kind = params["Type"]
    zone = caller.hosted_zone(params["HostedZoneId"])
    if kind not in HOSTED_ZONE_LIMITS:
        raise invalid_input(f"Type: {kind} is not one of {', '.join(HOSTED_ZONE_LIMITS)}")
    if kind == "MAX_VPCS_ASSOCIATED_BY_ZONE":
        if not zone.is_private:
            raise Route53Error("HostedZoneNotPrivate", "The specified hosted zone is a public hosted zone.")
        count = zone.networks.count()
    else:
        count = zone.record_set_count
    return {"Limit": {"Type": kind, "Value": HOSTED_ZONE_LIMITS[kind]}, "Count": count}


def get_reusable_delegation_set_limit(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    kind = params["Type"]
    if kind not in DELEGATION_SET_LIMITS:
        raise invalid_input(f"Type: {kind} is not one of {', '.join(DELEGATION_SET_LIMITS)}")
    delegation_set = _delegation_set(caller, params["DelegationSetId"])
    count = delegation_set.hosted_zones.count()
    return {"Limit": {"Type": kind, "Value": DELEGATION_SET_LIMITS[kind]}, "Count": count}


@cache
def geo_locations() -> tuple[dict[str, str], ...]:
    """Every location a geolocation record set may name, in Route 53's order: continents, the
    default ("*"), countries, then each country's subdivisions."""
    locations: list[dict[str, str]] = [
        {"ContinentCode": code, "ContinentName": name} for code, name in sorted(CONTINENTS.items())
    ]
    locations.append({"CountryCode": DEFAULT_COUNTRY, "CountryName": "Default"})
    locations += [{"CountryCode": code, "CountryName": name} for code, name in sorted(COUNTRIES.items())]
    for country in sorted(SUBDIVISIONS):
        for code in sorted(SUBDIVISIONS[country]):
            found = pycountry.subdivisions.get(code=f"{country}-{code}")
            locations.append(
                {
                    "CountryCode": country,
                    "CountryName": COUNTRIES.get(country, country),
                    "SubdivisionCode": code,
                    "SubdivisionName": found.name if found else code,
                }
            )
    return tuple(locations)


def _geo_key(location: dict[str, str]) -> tuple[str, str, str]:
    return (
        location.get("ContinentCode", ""),
        location.get("CountryCode", ""),
        location.get("SubdivisionCode", ""),
    )


def get_geo_location(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    wanted = (
        params.get("ContinentCode", ""),
        params.get("CountryCode", ""),
        params.get("SubdivisionCode", ""),
    )
    if wanted == ("", "", ""):
        wanted = ("", DEFAULT_COUNTRY, "")
    for location in geo_locations():
        if _geo_key(location) == wanted:
            return {"GeoLocationDetails": dict(location)}
    raise Route53Error(
        "NoSuchGeoLocation", f"There is no geographic location {'/'.join(filter(None, wanted))}."
    )


def list_geo_locations(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    limit = max(1, min(int(params.get("MaxItems") or 100), 100))
    locations = list(geo_locations())
    start = 0
    position = (
        params.get("StartContinentCode", ""),
        params.get("StartCountryCode", ""),
        params.get("StartSubdivisionCode", ""),
    )
    if position != ("", "", ""):
        start = next((i for i, location in enumerate(locations) if _geo_key(location) == position), None)
        if start is None:
            raise invalid_input(
                f"There is no geographic location {'/'.join(filter(None, position))} to start at."
            )
    page = locations[start : start + limit + 1]
    result: dict[str, Any] = {
        "GeoLocationDetailsList": [dict(location) for location in page[:limit]],
        "IsTruncated": len(page) > limit,
        "MaxItems": str(limit),
    }
    if len(page) > limit:
        following = page[limit]
        for key, name in (
            ("ContinentCode", "NextContinentCode"),
            ("CountryCode", "NextCountryCode"),
            ("SubdivisionCode", "NextSubdivisionCode"),
        ):
            if following.get(key):
                result[name] = following[key]
    return result


def test_dns_answer(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """The answer our DNS server would give, from the same engine, compiled zone and health view.

    The console's Test-answer tool does the same (console/tools.py); both call the engine.
    """
    zone = caller.hosted_zone(params["HostedZoneId"])
    try:
        name = dns.name.from_text(record_sets.read_name(params["RecordName"]))
        rdtype = dns.rdatatype.from_text(params["RecordType"].upper())
    except (dns.exception.DNSException, dns.rdatatype.UnknownRdatatype) as error:
        raise invalid_input(f"RecordName/RecordType: {error}") from None
    if not name.is_subdomain(dns.name.from_text(zone.name)):
        raise invalid_input(f"RecordName: {name} is not in the hosted zone {zone.name}")
    client_address = _address(params.get("ResolverIP"), "ResolverIP")
    subnet = None
    if params.get("EDNS0ClientSubnetIP"):
        mask = params.get("EDNS0ClientSubnetMask") or ("24" if "." in params["EDNS0ClientSubnetIP"] else "56")
        try:
            subnet = ipaddress.ip_network(f"{params['EDNS0ClientSubnetIP']}/{mask}", strict=False)
        except ValueError as error:
            raise invalid_input(f"EDNS0ClientSubnetIP: {error}") from None
    question = engine.Question(name, rdtype, client_address=client_address, client_subnet=subnet)
    result = engine.answer(
        snapshot.served_snapshot(zone),
        question,
        bus.read_health_status(),
        config=snapshot.engine_config(),
    )
    message = result.message
    return {
        "Nameserver": zone.name_servers[0].rstrip(".") if zone.name_servers else "",
        "RecordName": name.to_text(),
        "RecordType": dns.rdatatype.to_text(rdtype),
        "RecordData": [rdata.to_text() for rrset in message.answer for rdata in rrset],
        "ResponseCode": dns.rcode.to_text(message.rcode()),
        "Protocol": "UDP",
    }


def _address(text: str | None, field: str):
    if not text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise invalid_input(f"{field}: {text} is not an IP address") from None
