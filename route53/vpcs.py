"""Private hosted zones' VPCs over zones.services.associations: a VPC is a zones.Network.

A VPC's id is the network's (`vpc-` and 17 hex digits, as the Route 53 Resolver API writes
it). VPCRegion is not stored: networks are not regional here, so it is read and ignored, and
answers give `us-east-1`. A zone and a network of two accounts take AWS's two steps:
CreateVPCAssociationAuthorization by the zone's owner, then AssociateVPCWithHostedZone by the
network's owner.
"""

from typing import Any

from route53 import ids, record_sets
from route53.context import Caller
from route53.errors import Route53Error, invalid_input
from route53.hosted_zones import SOURCE, change_info, vpc_dict
from zones.models import HostedZone
from zones.services import associations

DEFAULT_MAX_RESULTS = 50

_CODES: dict[type[associations.AssociationError], str] = {
    associations.NoSuchZone: "NoSuchHostedZone",
    associations.NoSuchNetwork: "InvalidVPCId",
    associations.PublicZone: "PublicZoneVPCAssociation",
    associations.ConflictingZone: "ConflictingDomainExists",
    associations.NoSuchAssociation: "VPCAssociationNotFound",
    associations.LastAssociation: "LastVPCAssociation",
    associations.NoSuchAuthorization: "VPCAssociationAuthorizationNotFound",
}


def _error(error: associations.AssociationError) -> Route53Error:
    return Route53Error(_CODES.get(type(error), "InvalidInput"), error.message)


def _network_id(params: dict[str, Any]) -> int:
    vpc = params.get("VPC") or {}
    if not vpc.get("VPCId"):
        raise invalid_input("VPC: a VPCId is required")
    return ids.parse_vpc_id(vpc["VPCId"])


def _zone_id(caller: Caller, text: str) -> int:
    """The zone id of the request; a key scoped to zones may name only those."""
    pk = ids.parse_id("Z", text)
    if caller.access_key.zone_ids is not None and pk not in caller.access_key.zone_ids:
        raise Route53Error("NoSuchHostedZone", f"No hosted zone found with ID: {text}")
    return pk


def associate_vpc_with_hosted_zone(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """The network's owner adds the network to a private zone: their own, or one authorised for it."""
    caller.require_write("AssociateVPCWithHostedZone")
    try:
        batch = associations.associate_network(
            owner=caller.user,
            zone_id=_zone_id(caller, params["HostedZoneId"]),
            network_id=_network_id(params),
            source=SOURCE,
            comment=params.get("Comment", ""),
        )
    except associations.AssociationError as error:
        raise _error(error) from None
    return {"ChangeInfo": change_info(batch)}


def disassociate_vpc_from_hosted_zone(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """The zone's owner, or the network's, takes the network out of the zone."""
    caller.require_write("DisassociateVPCFromHostedZone")
    try:
        batch = associations.disassociate_network(
            owner=caller.user,
            zone_id=_zone_id(caller, params["HostedZoneId"]),
            network_id=_network_id(params),
            source=SOURCE,
            comment=params.get("Comment", ""),
        )
    except associations.AssociationError as error:
        raise _error(error) from None
    return {"ChangeInfo": change_info(batch)}


def _page(params: dict[str, Any], token_name: str, size_name: str, default: int) -> tuple[int, int]:
    """(offset, size) of a page: the token is the offset of its first item."""
    token = params.get(token_name) or "0"
    if not token.isdigit():
        raise Route53Error("InvalidPaginationToken", f"{token_name}: {token} is not a token this API gave")
    try:
        size = max(1, min(int(params.get(size_name) or default), 100))
    except ValueError:
        raise invalid_input(f"{size_name}: {params[size_name]} is not a whole number") from None
    return int(token), size


def list_hosted_zones_by_vpc(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """The private zones, of any account, that the caller's network is associated with."""
    offset, size = _page(params, "NextToken", "MaxItems", 100)
    try:
        zones = associations.zones_of_network(owner=caller.user, network_id=ids.parse_vpc_id(params["VPCId"]))
    except associations.AssociationError as error:
        raise _error(error) from None
    page: list[HostedZone] = list(zones[offset : offset + size + 1])
    result: dict[str, Any] = {
        "HostedZoneSummaries": [
            {
                "HostedZoneId": ids.zone_id(zone.pk),
                "Name": record_sets.write_name(zone.name),
                "Owner": {"OwningAccount": ids.account_id(zone.owner_id)},
            }
            for zone in page[:size]
        ],
        "MaxItems": str(size),
    }
    if len(page) > size:
        result["NextToken"] = str(offset + size)
    return result


def create_vpc_association_authorization(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    """The zone's owner lets the owner of another account's network associate it with the zone."""
    caller.require_write("CreateVPCAssociationAuthorization")
    zone = caller.hosted_zone(params["HostedZoneId"])
    try:
        authorization = associations.authorize_association(
            owner=caller.user, zone_id=zone.pk, network_id=_network_id(params)
        )
    except associations.AssociationError as error:
        raise _error(error) from None
    return {"HostedZoneId": ids.zone_id(zone.pk), "VPC": vpc_dict(authorization.network)}


def delete_vpc_association_authorization(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    caller.require_write("DeleteVPCAssociationAuthorization")
    zone = caller.hosted_zone(params["HostedZoneId"])
    try:
        associations.revoke_authorization(owner=caller.user, zone_id=zone.pk, network_id=_network_id(params))
    except associations.AssociationError as error:
        raise _error(error) from None
    return {}


def list_vpc_association_authorizations(caller: Caller, params: dict[str, Any]) -> dict[str, Any]:
    zone = caller.hosted_zone(params["HostedZoneId"])
    offset, size = _page(params, "NextToken", "MaxResults", DEFAULT_MAX_RESULTS)
    try:
        found = associations.authorizations(owner=caller.user, zone_id=zone.pk)
    except associations.AssociationError as error:
        raise _error(error) from None
    page = list(found[offset : offset + size + 1])
    result: dict[str, Any] = {
        "HostedZoneId": ids.zone_id(zone.pk),
        "VPCs": [vpc_dict(authorization.network) for authorization in page[:size]],
    }
    if len(page) > size:
        result["NextToken"] = str(offset + size)
    return result
