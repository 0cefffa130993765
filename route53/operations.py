"""Which Route 53 operations are served, by which function, and why the others are refused."""

from collections.abc import Callable
from typing import Any

from route53 import account, health_checks, hosted_zones, tags, vpcs
from route53.context import Caller

Handler = Callable[[Caller, dict[str, Any]], dict[str, Any]]

SERVED: dict[str, Handler] = {
    "CreateHostedZone": hosted_zones.create_hosted_zone,
    "GetHostedZone": hosted_zones.get_hosted_zone,
    "ListHostedZones": hosted_zones.list_hosted_zones,
    "ListHostedZonesByName": hosted_zones.list_hosted_zones_by_name,
    "GetHostedZoneCount": hosted_zones.get_hosted_zone_count,
    "UpdateHostedZoneComment": hosted_zones.update_hosted_zone_comment,
    "DeleteHostedZone": hosted_zones.delete_hosted_zone,
    "GetChange": hosted_zones.get_change,
    "ListResourceRecordSets": hosted_zones.list_resource_record_sets,
    "ChangeResourceRecordSets": hosted_zones.change_resource_record_sets,
    "CreateHealthCheck": health_checks.create_health_check,
    "GetHealthCheck": health_checks.get_health_check,
    "ListHealthChecks": health_checks.list_health_checks,
    "GetHealthCheckCount": health_checks.get_health_check_count,
    "UpdateHealthCheck": health_checks.update_health_check,
    "DeleteHealthCheck": health_checks.delete_health_check,
    "GetHealthCheckStatus": health_checks.get_health_check_status,
    "GetHealthCheckLastFailureReason": health_checks.get_health_check_last_failure_reason,
    "GetCheckerIpRanges": health_checks.get_checker_ip_ranges,
    "ChangeTagsForResource": tags.change_tags_for_resource,
    "ListTagsForResource": tags.list_tags_for_resource,
    "ListTagsForResources": tags.list_tags_for_resources,
    "CreateReusableDelegationSet": account.create_reusable_delegation_set,
    "GetReusableDelegationSet": account.get_reusable_delegation_set,
    "ListReusableDelegationSets": account.list_reusable_delegation_sets,
    "DeleteReusableDelegationSet": account.delete_reusable_delegation_set,
    "GetAccountLimit": account.get_account_limit,
    "GetHostedZoneLimit": account.get_hosted_zone_limit,
    "GetReusableDelegationSetLimit": account.get_reusable_delegation_set_limit,
    "GetGeoLocation": account.get_geo_location,
    "ListGeoLocations": account.list_geo_locations,
    "TestDNSAnswer": account.test_dns_answer,
    "AssociateVPCWithHostedZone": vpcs.associate_vpc_with_hosted_zone,
    "DisassociateVPCFromHostedZone": vpcs.disassociate_vpc_from_hosted_zone,
    "ListHostedZonesByVPC": vpcs.list_hosted_zones_by_vpc,
    "CreateVPCAssociationAuthorization": vpcs.create_vpc_association_authorization,
    "DeleteVPCAssociationAuthorization": vpcs.delete_vpc_association_authorization,
    "ListVPCAssociationAuthorizations": vpcs.list_vpc_association_authorizations,
}

# Refused with InvalidAction: the reason, by the first words of the operation's name.
REFUSALS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("TrafficPolicy", "TrafficPolicies"), "traffic policies are not part of Nameplate"),
    (("KeySigningKey", "DNSSEC", "HostedZoneDNSSEC"), "Nameplate does not sign zones (DNSSEC) yet"),
    (("QueryLoggingConfig",), "query logs go to the console, not to CloudWatch Logs"),
    (
        ("CidrCollection", "CidrBlocks", "CidrLocations", "CidrCollections"),
        "CIDR routing is not part of Nameplate",
    ),
    (("HealthCheckSource",), "health-check sources are not part of Nameplate"),
    (("ResourceRecordSetProtection",), "record-set protections are not part of Nameplate"),
    (("HostedZoneChangeBatch", "HostedZoneChangeBatches"), "change batches are read with GetChange"),
    (("HostedZoneFeature", "HostedZoneFeatures"), "hosted-zone features are not part of Nameplate"),
    (("HostedZoneTier",), "hosted-zone tiers are not part of Nameplate"),
    (("HealthChecksBySource",), "health-check sources are not part of Nameplate"),
    (("ResourceRecordSetChanges",), "a zone's change history is the audit log of the console and REST API"),
)


def refusal_reason(operation_name: str) -> str:
    """Why `operation_name` is not served, in a few words."""
    for words, reason in REFUSALS:
        if any(word in operation_name for word in words):
            return reason
    return "not served yet"


def refusal(operation_name: str) -> str:
    """InvalidAction's message for an operation that is not served."""
    return f"{operation_name} is not served by Nameplate: {refusal_reason(operation_name)}"
