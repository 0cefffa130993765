"""Hosted zones, delegation sets, networks and endpoints: creating, editing and deleting them.

Which name servers a zone gets is name_servers.py's; here, who may create which zone and
which network.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from kernel import bus
from zones import rules
from zones.models import AuditEntry, ChangeBatch, DelegationSet, Endpoint, HostedZone, Network, RecordSet
from zones.services import locks
from zones.services.errors import CallerReferenceUsedError, ZoneError
from zones.services.name_servers import (
    check_delegation_set,
    is_name_server_name,
    lock_name_servers,
    pick_name_servers,
)
from zones.services.plan import CREATE, audit_dict
from zones.services.serials import next_serial, set_soa_serial

logger = logging.getLogger(__name__)

# ---- delegation sets ------------------------------------------------------------------------


def create_delegation_set(
    *, owner: Any, caller_reference: str | None = None, is_reusable: bool = True
) -> DelegationSet:
    """A new set of four name servers; idempotent on (owner, caller_reference)."""
    if caller_reference:
        existing = DelegationSet.objects.filter(owner=owner, caller_reference=caller_reference).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return DelegationSet.objects.create(
                owner=owner,
                caller_reference=caller_reference or None,
                name_servers=pick_name_servers(),
                is_reusable=is_reusable,
            )
    except IntegrityError:
        return DelegationSet.objects.get(owner=owner, caller_reference=caller_reference)


def delete_delegation_set(delegation_set: DelegationSet) -> None:
    """Delete a reusable delegation set. Raises ZoneError while a hosted zone still uses it."""
    if delegation_set.hosted_zones.exists():
        raise ZoneError("This delegation set still serves hosted zones; delete or move them first.")
    delegation_set.delete()


# ---- networks and endpoints -----------------------------------------------------------------


def _raise_first(problems: list[rules.Problem]) -> None:
    if problems:
        raise ZoneError.from_problem(problems[0])


def save_network(*, owner: Any, name: str, cidrs: list[str], network: Network | None = None) -> Network:
    """Create or update a network (a named list of CIDRs).

    Raises ZoneError (field `cidrs`) for a CIDR that is not a VPC's (IPv4 /16 to /28, IPv6
    /56) and (field `name`) for a taken name. Networks of different accounts may overlap: a
    private zone is answered only through its own networks' resolvers.
    """
    cleaned = [str(cidr).strip() for cidr in cidrs if str(cidr).strip()]
    _raise_first(rules.cidr_problems(cleaned))
    name = name.strip()
    if not name:
        raise ZoneError("A network needs a name.", field="name")
    clash = Network.objects.filter(owner=owner, name=name)
    if network is not None:
        clash = clash.exclude(pk=network.pk)
    if clash.exists():
        raise ZoneError(f"You already have a network named {name}.", field="name")
    with transaction.atomic():
        # Two networks made at once must not take the same private-listener address.
        locks.hold(locks.NETWORKS)
        if network is None:
            network = Network.objects.create(
                owner=owner, name=name, cidrs=cleaned, private_address=_free_private_address()
            )
        else:
            network.name, network.cidrs = name, cleaned
            network.save(update_fields=["name", "cidrs"])
            for zone in network.hosted_zones.all():
                bump_serial(zone, source=ChangeBatch.Source.SYSTEM, comment=f"network {name} changed")
            # Its resolver admits the network's CIDRs: it is rewritten now, not at the next resync.
            network_id = network.pk
            transaction.on_commit(lambda: bus.publish_resolver_change(network_id))
    return network


def _free_private_address() -> str:
    """The first of DNS_PRIVATE_ADDRESSES no network holds (the caller holds locks.NETWORKS)."""
    taken = set(Network.objects.exclude(private_address=None).values_list("private_address", flat=True))
    for address in settings.DNS_PRIVATE_ADDRESSES:
        if address not in taken:
            return address
    raise ZoneError(
        f"Every one of the {len(settings.DNS_PRIVATE_ADDRESSES)} private-listener addresses "
        "(DNS_PRIVATE_ADDRESSES) is taken; the operator must add more before another network can be made.",
        field="name",
    )


def delete_network(network: Network) -> None:
    """Delete a network. Raises ZoneError while a private zone is bound to it."""
    if network.hosted_zones.exists():
        raise ZoneError("Private hosted zones are bound to this network; unbind them first.")
    network_id = network.pk
    with transaction.atomic():
        network.delete()
        # Its resolver stops now, not at the next resync.
        transaction.on_commit(lambda: bus.publish_resolver_change(network_id))


def save_endpoint(
    *,
    owner: Any,
    name: str,
    kind: str,
    addresses: list[str],
    ttl: int = 60,
    health_check: Any = None,
    endpoint: Endpoint | None = None,
) -> Endpoint:
    """Create or update an alias endpoint.

    Raises ZoneError for bad addresses, a taken name or another user's health check.
    """
    cleaned = [str(address).strip() for address in addresses if str(address).strip()]
    _raise_first(rules.address_problems(cleaned))
    name = name.strip()
    if not name:
        raise ZoneError("An endpoint needs a name.", field="name")
    if kind not in Endpoint.Kind.values:
        raise ZoneError(f"{kind} is not an endpoint kind.", field="kind")
    if health_check is not None and health_check.owner_id != owner.pk:
        raise ZoneError(f"There is no health check {health_check.pk} of yours.", field="health_check")
    if not 0 <= int(ttl) <= rules.MAX_TTL:
        raise ZoneError(f"{ttl} is not between 0 and {rules.MAX_TTL}.", field="ttl")
    clash = Endpoint.objects.filter(owner=owner, name=name)
    if endpoint is not None:
        clash = clash.exclude(pk=endpoint.pk)
    if clash.exists():
        raise ZoneError(f"You already have an endpoint named {name}.", field="name")
    with transaction.atomic():
        if endpoint is None:
            return Endpoint.objects.create(
                owner=owner, name=name, kind=kind, addresses=cleaned, ttl=ttl, health_check=health_check
            )
        endpoint.name, endpoint.kind, endpoint.addresses = name, kind, cleaned
        endpoint.ttl, endpoint.health_check = ttl, health_check
        endpoint.save()
        zone_ids = RecordSet.objects.filter(alias_endpoint=endpoint).values_list("hosted_zone_id", flat=True)
        for zone in HostedZone.objects.filter(pk__in=set(zone_ids)):
            bump_serial(zone, source=ChangeBatch.Source.SYSTEM, comment=f"endpoint {name} changed")
    return endpoint


def delete_endpoint(endpoint: Endpoint) -> None:
    """Delete an endpoint. Raises ZoneError while an alias points at it."""
    if endpoint.record_sets.exists():
        raise ZoneError("Alias record sets point at this endpoint; change them first.")
    endpoint.delete()


# ---- hosted zones ---------------------------------------------------------------------------


def _soa_text(name_servers: list[str], serial: int, timers: dict | None = None) -> str:
    timers = timers or {}
    return rules.soa_value(
        mname=name_servers[0],
        rname=settings.DNS_HOSTMASTER,
        serial=serial,
        refresh=timers.get("refresh", rules.SOA_REFRESH),
        retry=timers.get("retry", rules.SOA_RETRY),
        expire=timers.get("expire", rules.SOA_EXPIRE),
        minimum=timers.get("minimum", rules.SOA_MINIMUM),
    )


def create_hosted_zone(
    *,
    owner: Any,
    name: str,
    caller_reference: str | None = None,
    comment: str = "",
    is_private: bool = False,
    networks: Iterable[Network] = (),
    delegation_set: DelegationSet | None = None,
    source: str = "console",
    tags: dict | None = None,
    refuse_reused_reference: bool = False,
) -> HostedZone:
    """Create a hosted zone with its SOA and apex NS; the same caller reference returns the same zone.

    With refuse_reused_reference (Route 53's CreateHostedZone), a caller reference already used
    raises CallerReferenceUsedError instead, also when a concurrent request took it first.

    A public zone gets four name servers that no zone of its name, above it or below it
    uses (name_servers.py). Raises ZoneError for a bad name, a public zone named like a TLD
    or under our name-server domains, a private zone without networks, another user's
    network or delegation set, a reusable delegation set that shares a name server with
    such a zone, or no free name servers left for the name.
    """
    if caller_reference:
        existing = HostedZone.objects.filter(owner=owner, caller_reference=caller_reference).first()
        if existing is not None:
            return _reused_reference(existing, refuse_reused_reference)
    zone_name, problems = rules.normalize_zone_name(name)
    _raise_first(problems)
    if not is_private and zone_name.count(".") == 1:
        raise ZoneError(
            f"{zone_name} is a top-level domain: a public hosted zone is for a name under one, "
            f"such as example.{zone_name}",
            field="name",
        )
    if not is_private and is_name_server_name(zone_name):
        raise ZoneError(f"{zone_name} is where this service's name servers live", field="name")
    networks = list(networks)
    if is_private and not networks:
        raise ZoneError("A private hosted zone needs at least one network.", field="networks")
    if not is_private and networks:
        raise ZoneError("Only a private hosted zone is bound to networks.", field="networks")
    if any(network.owner_id != owner.pk for network in networks):
        raise ZoneError("There is no such network of yours.", field="networks")
    if delegation_set is not None and (delegation_set.owner_id != owner.pk or not delegation_set.is_reusable):
        raise ZoneError("There is no such reusable delegation set of yours.", field="delegation_set")
    if len(comment) > 256:
        raise ZoneError("At most 256 characters.", field="comment")
    try:
        with transaction.atomic():
            if not is_private:
                lock_name_servers()
            if delegation_set is None:
                delegation_set = DelegationSet.objects.create(
                    owner=owner,
                    name_servers=pick_name_servers(None if is_private else zone_name, owner_id=owner.pk),
                    is_reusable=False,
                )
            elif not is_private:
                check_delegation_set(delegation_set, zone_name)
            zone = HostedZone.objects.create(
                owner=owner,
                name=zone_name,
                comment=comment,
                caller_reference=caller_reference or None,
                is_private=is_private,
                delegation_set=delegation_set,
                serial=1,
                tags=tags or {},
                record_set_count=2,
            )
            if networks:
                zone.networks.set(networks)
            protected = [
                rules.RecordSetSpec(
                    name=zone_name,
                    type="SOA",
                    ttl=rules.SOA_TTL,
                    values=(_soa_text(zone.name_servers, 1),),
                ),
                rules.RecordSetSpec(
                    name=zone_name, type="NS", ttl=rules.NS_TTL, values=tuple(zone.name_servers)
                ),
            ]
            RecordSet.objects.bulk_create(
                RecordSet(hosted_zone=zone, is_protected=True, **RecordSet.fields_from_spec(spec))
                for spec in protected
            )
            batch = ChangeBatch.objects.create(
                hosted_zone=zone,
                actor=owner,
                source=source,
                serial=1,
                change_count=2,
                comment="hosted zone created",
            )
            AuditEntry.objects.bulk_create(
                AuditEntry(
                    hosted_zone=zone,
                    change_batch=batch,
                    actor=owner,
                    source=source,
                    action=CREATE,
                    name=spec.name,
                    type=spec.type,
                    after=audit_dict(spec),
                )
                for spec in protected
            )
            transaction.on_commit(lambda: bus.publish_zone_change(zone.pk, zone.serial))
    except IntegrityError:
        if not caller_reference:
            raise
        existing = HostedZone.objects.get(owner=owner, caller_reference=caller_reference)
        return _reused_reference(existing, refuse_reused_reference)
    return zone


def _reused_reference(zone: HostedZone, refuse: bool) -> HostedZone:
    if refuse:
        raise CallerReferenceUsedError(
            f"A hosted zone has already been created with the caller reference {zone.caller_reference}.",
            field="caller_reference",
        )
    return zone


def update_hosted_zone(
    zone: HostedZone,
    *,
    comment: str | None = None,
    tags: dict | None = None,
    networks: Iterable[Network] | None = None,
) -> HostedZone:
    """Change a zone's comment, tags or (private zones) networks. Raises ZoneError for bad input."""
    with transaction.atomic():
        fields = ["updated_at"]
        if comment is not None:
            if len(comment) > 256:
                raise ZoneError("At most 256 characters.", field="comment")
            zone.comment = comment
            fields.append("comment")
        if tags is not None:
            if not isinstance(tags, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in tags.items()
            ):
                raise ZoneError("Tags are a mapping of text keys to text values.", field="tags")
            zone.tags = tags
            fields.append("tags")
        zone.save(update_fields=fields)
        if networks is not None:
            networks = list(networks)
            if not zone.is_private:
                raise ZoneError("Only a private hosted zone is bound to networks.", field="networks")
            if not networks:
                raise ZoneError("A private hosted zone needs at least one network.", field="networks")
            if any(network.owner_id != zone.owner_id for network in networks):
                raise ZoneError("There is no such network of yours.", field="networks")
            zone.networks.set(networks)
            bump_serial(zone, source=ChangeBatch.Source.SYSTEM, comment="networks changed")
    return zone


def delete_hosted_zone(zone: HostedZone) -> None:
    """Delete a zone that holds only its SOA and NS. Raises ZoneError while it holds other record sets."""
    with transaction.atomic():
        locked = HostedZone.objects.select_for_update().get(pk=zone.pk)
        if locked.has_user_records:
            raise ZoneError(
                f"The hosted zone {locked.name} still holds record sets other than SOA and NS; "
                "delete them first."
            )
        delegation_set = locked.delegation_set
        zone_id, serial = locked.pk, locked.serial
        locked.delete()
        if not delegation_set.is_reusable and not delegation_set.hosted_zones.exists():
            delegation_set.delete()
        transaction.on_commit(lambda: bus.publish_zone_change(zone_id, serial))


def bump_serial(zone: HostedZone, *, source: str, comment: str = "", actor: Any = None) -> ChangeBatch:
    """Raise the zone's serial without changing its records (networks or endpoints changed)."""
    with transaction.atomic():
        locked = HostedZone.objects.select_for_update().get(pk=zone.pk)
        locked.serial = next_serial(locked.serial)
        locked.save(update_fields=["serial", "updated_at"])
        set_soa_serial(locked)
        batch = ChangeBatch.objects.create(
            hosted_zone=locked,
            actor=actor,
            source=source,
            serial=locked.serial,
            change_count=0,
            comment=comment,
        )
        zone.serial = locked.serial
        transaction.on_commit(lambda: bus.publish_zone_change(locked.pk, locked.serial))
    return batch
