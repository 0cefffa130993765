"""Which networks a private hosted zone answers in: associating and disassociating networks,
across accounts too, in AWS's two steps.

A zone and a network of one account: its owner associates them. A zone of account A and a
network of account B: A authorises B's network (`authorize_association`), then B associates
it (`associate_network`). Neither can do it alone: A may not put its zone in B's network, and
B may not put A's zone in its network unasked. Deleting the authorisation afterwards leaves
the association as it is, as in AWS.

Whoever may not see a zone is told it does not exist (`NoSuchZone`), exactly as for an id
no zone has; the same for networks (`NoSuchNetwork`).
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from zones.models import ChangeBatch, HostedZone, Network, VPCAssociationAuthorization
from zones.services.errors import ZoneError
from zones.services.hosted_zones import bump_serial


class AssociationError(ZoneError):
    """An association or authorisation was refused."""


class NoSuchZone(AssociationError):
    """No hosted zone of that id that the caller owns, or that the caller's network may join."""


class NoSuchNetwork(AssociationError):
    """No network of that id that the caller owns (or, for the zone's owner, that the zone uses)."""


class PublicZone(AssociationError):
    """A public hosted zone answers everyone; it has no networks."""


class ConflictingZone(AssociationError):
    """The network already holds this zone, or another private zone of the same name."""


class NoSuchAssociation(AssociationError):
    """The network is not associated with the zone."""


class LastAssociation(AssociationError):
    """A private hosted zone keeps at least one network."""


class NoSuchAuthorization(AssociationError):
    """The zone's owner has not authorised that network."""


def _no_zone(zone_id: int) -> NoSuchZone:
    return NoSuchZone(f"There is no hosted zone {zone_id} of yours.", field="hosted_zone")


def _no_network(network_id: int) -> NoSuchNetwork:
    return NoSuchNetwork(f"There is no network {network_id} of yours.", field="network")


def _owned_zone(owner: Any, zone_id: int) -> HostedZone:
    zone = HostedZone.objects.filter(owner=owner, pk=zone_id).first()
    if zone is None:
        raise _no_zone(zone_id)
    return zone


def _lock_visible(zone_id: int, visible: Q) -> HostedZone:
    """The zone, locked for the rest of the transaction, if `visible` lets the caller see it."""
    if not HostedZone.objects.filter(pk=zone_id).filter(visible).exists():
        raise _no_zone(zone_id)
    return HostedZone.objects.select_for_update().get(pk=zone_id)


def _private(zone: HostedZone) -> None:
    if not zone.is_private:
        raise PublicZone(
            f"{zone.name} is a public hosted zone: it answers everyone and has no networks.",
            field="hosted_zone",
        )


def authorize_association(*, owner: Any, zone_id: int, network_id: int) -> VPCAssociationAuthorization:
    """The zone's owner lets the network's owner associate that network with the zone (idempotent).

    Raises NoSuchZone unless `owner` owns the zone, PublicZone for a public one, NoSuchNetwork
    for an id no network has.
    """
    zone = _owned_zone(owner, zone_id)
    _private(zone)
    network = Network.objects.filter(pk=network_id).first()
    if network is None:
        raise NoSuchNetwork(f"There is no network {network_id}.", field="network")
    try:
        with transaction.atomic():
            authorization, _created = VPCAssociationAuthorization.objects.get_or_create(
                hosted_zone=zone, network=network
            )
    except IntegrityError:
        authorization = VPCAssociationAuthorization.objects.get(hosted_zone=zone, network=network)
    return authorization


def revoke_authorization(*, owner: Any, zone_id: int, network_id: int) -> None:
    """The zone's owner withdraws an authorisation; an association made with it stays.

    Raises NoSuchZone unless `owner` owns the zone, NoSuchAuthorization when there is none.
    """
    zone = _owned_zone(owner, zone_id)
    deleted, _ = VPCAssociationAuthorization.objects.filter(hosted_zone=zone, network_id=network_id).delete()
    if not deleted:
        raise NoSuchAuthorization(
            f"Network {network_id} is not authorised to be associated with {zone.name}.", field="network"
        )


def authorizations(*, owner: Any, zone_id: int) -> QuerySet:
    """The networks the zone's owner has authorised for the zone. Raises NoSuchZone."""
    zone = _owned_zone(owner, zone_id)
    return VPCAssociationAuthorization.objects.filter(hosted_zone=zone).select_related("network")


def associate_network(
    *, owner: Any, zone_id: int, network_id: int, source: str = ChangeBatch.Source.CONSOLE, comment: str = ""
) -> ChangeBatch:
    """The network's owner associates the network with a private zone: their own, or one whose
    owner authorised this network. Bumps the zone's serial, so the network's resolver learns it.

    Raises NoSuchNetwork unless `owner` owns the network, NoSuchZone unless the zone is the
    owner's or authorised for the network, PublicZone, ConflictingZone when the network
    already holds the zone or another private zone of its name.
    """
    network = Network.objects.filter(owner=owner, pk=network_id).first()
    if network is None:
        raise _no_network(network_id)
    with transaction.atomic():
        zone = _lock_visible(zone_id, Q(owner=owner) | Q(vpc_association_authorizations__network=network))
        _private(zone)
        if zone.networks.filter(pk=network.pk).exists():
            raise ConflictingZone(
                f"Network {network.name} is already associated with {zone.name}.", field="network"
            )
        if network.hosted_zones.filter(name=zone.name).exists():
            raise ConflictingZone(
                f"Network {network.name} already holds another private hosted zone named {zone.name}.",
                field="network",
            )
        zone.networks.add(network)
        return bump_serial(zone, source=source, comment=comment or f"network {network.name} associated")


def disassociate_network(
    *, owner: Any, zone_id: int, network_id: int, source: str = ChangeBatch.Source.CONSOLE, comment: str = ""
) -> ChangeBatch:
    """Take a network out of a private zone: the zone's owner may, and so may the network's owner.

    Raises NoSuchZone when `owner` owns neither the zone nor an associated network of that id,
    NoSuchAssociation when the zone's owner names a network the zone does not use,
    LastAssociation for the zone's only network.
    """
    with transaction.atomic():
        zone = _lock_visible(zone_id, Q(owner=owner) | Q(networks__pk=network_id, networks__owner=owner))
        _private(zone)
        network = zone.networks.filter(pk=network_id).first()
        if network is None:
            raise NoSuchAssociation(
                f"Network {network_id} is not associated with {zone.name}.", field="network"
            )
        if zone.networks.count() == 1:
            raise LastAssociation(
                f"Network {network.name} is the only network of {zone.name}: a private hosted zone keeps "
                "at least one; delete the zone instead.",
                field="network",
            )
        zone.networks.remove(network)
        return bump_serial(zone, source=source, comment=comment or f"network {network.name} disassociated")


def zones_of_network(*, owner: Any, network_id: int) -> QuerySet:
    """The private zones, of any account, associated with the owner's network. Raises NoSuchNetwork."""
    network = Network.objects.filter(owner=owner, pk=network_id).first()
    if network is None:
        raise _no_network(network_id)
    return network.hosted_zones.select_related("owner").order_by("name", "pk")
