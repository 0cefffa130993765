"""Delegation: the name servers, glue hosts and DS records the registry publishes for a domain.

A domain is delegated either to a hosted zone's four name servers or to external ones. The
hosted zone is the owner's own zone of the domain's name whenever there is one: a purchase
or "use hosted zone" never creates a second zone of a name the owner already hosts.
"""

from django.db import transaction

from registrar import names
from registrar.errors import RegistrarError
from registrar.models import Domain
from registrar.registry import commands
from registrar.services.pricing import price_list
from registrar.services.session import client_id, domain_info, mirror, registry_data, require_managed
from zones import services as zone_services
from zones.models import HostedZone


def domain_holders(names: list[str]) -> list[int]:
    """The accounts holding any of `names` (absolute) with us, for the zones app's name-server pool."""
    stored = [name.rstrip(".").lower() for name in names]
    held = Domain.objects.filter(name__in=stored, state__in=Domain.MANAGED_STATES)
    return list(held.values_list("owner_id", flat=True))


def _ensure_host_objects(hosts: list[str]) -> None:
    """Host objects at the registry for the hosts under its TLDs: ours with glue, others without.

    A refusal is left for the name-server update to report in its own words.
    """
    ours = {
        host.rstrip("."): addrs
        for host, addrs in zone_services.name_server_addresses([h + "." for h in hosts]).items()
    }
    tlds = {tld["name"] for tld in price_list()}
    for host in hosts:
        if host in ours:
            commands.create_host(client_id=client_id(), name=host, addresses=ours[host])
        elif host.rsplit(".", 1)[-1] in tlds:
            commands.create_host(client_id=client_id(), name=host)


def _zone_hosts(zone: HostedZone) -> list[str]:
    return sorted(host.rstrip(".").lower() for host in zone.name_servers)


def _delegate(domain: Domain, hosts: list[str]) -> None:
    hosts = [host.rstrip(".").lower() for host in hosts]
    to_hosted_zone = domain.hosted_zone is not None and sorted(hosts) == _zone_hosts(domain.hosted_zone)
    if to_hosted_zone and domain_info(domain)["ds"]:
        raise RegistrarError(
            f"name servers: {domain.unicode_name} has DS records at the registry and its hosted "
            "zone here is not signed, so validating resolvers would reject every answer "
            "(SERVFAIL); remove the DS records first.",
            field="name_servers",
        )
    _ensure_host_objects(hosts)
    data = registry_data(commands.update_domain(client_id=client_id(), name=domain.name, name_servers=hosts))
    mirror(domain, data)


def hosted_zones_named(domain: Domain) -> list[HostedZone]:
    """The owner's public hosted zones of the domain's name, oldest first."""
    return list(
        HostedZone.objects.owned_by(domain.owner)
        .filter(name=f"{domain.name}.", is_private=False)
        .select_related("delegation_set")
        .order_by("created_at", "pk")
    )


def describe_zone(zone: HostedZone) -> str:
    """`example.org. (#7, 12 record sets)`: enough to tell zones of one name apart."""
    count = zone.record_set_count
    return f"{zone.name} (#{zone.pk}, {count} record set{'' if count == 1 else 's'})"


def matching_hosted_zone(domain: Domain) -> HostedZone | None:
    """The owner's zone of this name whose four name servers the registry delegates to, if any."""
    delegated = sorted(domain.name_servers)
    return next((zone for zone in hosted_zones_named(domain) if _zone_hosts(zone) == delegated), None)


def _choose_zone(domain: Domain, hosted_zone_id: int | None, *, pick: bool) -> HostedZone | None:
    """The zone to delegate to, or None when the owner hosts none of this name (one is created).

    The one asked for; else the one the domain goes with; else the owner's only zone of the
    name. With several and none asked for, `pick` takes the one with most record sets (a
    checkout cannot stop to ask); otherwise RegistrarError lists them.
    """
    candidates = hosted_zones_named(domain)
    if hosted_zone_id is not None:
        chosen = next((zone for zone in candidates if zone.pk == hosted_zone_id), None)
        if chosen is None:
            raise RegistrarError(
                f"hosted zone: you have no public hosted zone #{hosted_zone_id} named {domain.name}.",
                field="hosted_zone",
            )
        return chosen
    attached = next((zone for zone in candidates if zone.pk == domain.hosted_zone_id), None)
    if attached is not None:
        return attached
    if len(candidates) > 1 and not pick:
        listed = ", ".join(describe_zone(zone) for zone in candidates)
        raise RegistrarError(
            f"hosted zone: you host {len(candidates)} zones named {domain.name}. here: {listed}; "
            "choose the one to delegate to.",
            field="hosted_zone",
        )
    if candidates:
        return max(candidates, key=lambda zone: (zone.record_set_count, -zone.pk))
    return None


def attach_hosted_zone(
    *, domain: Domain, hosted_zone_id: int | None = None, pick: bool = False
) -> HostedZone:
    """Point the registry at a hosted zone's four name servers: the owner's zone of that name, else a new one.

    Answers the zone. Raises RegistrarError for a zone that is not the owner's public zone of
    the name, for several zones and none chosen (unless `pick`), and for DS records on the
    domain (the zone is unsigned); ZoneError if the zones app refuses; RegistryRefused if the
    registry does.
    """
    with transaction.atomic():
        zone = _choose_zone(domain, hosted_zone_id, pick=pick)
        if zone is None:
            zone = zone_services.create_hosted_zone(
                owner=domain.owner,
                name=domain.name,
                caller_reference=f"registrar-domain-{domain.pk}",
                comment=f"Created when {domain.unicode_name} was registered",
                source="system",
            )
        domain.hosted_zone = zone
        _delegate(domain, list(zone.name_servers))
    return zone


def set_name_servers(*, domain: Domain, name_servers: list[str]) -> Domain:
    """Delegate the domain to external name servers (2 to 13 host names).

    Raises RegistrarError for too few, RegistryRefused for a bad or unknown host.
    """
    require_managed(domain)
    hosts = [host.strip() for host in name_servers if host and host.strip()]
    if len(hosts) < 2:
        raise RegistrarError("name servers: enter at least two name servers", field="name_servers")
    with transaction.atomic():
        _delegate(domain, hosts)
    return domain


def use_hosted_zone(*, domain: Domain, hosted_zone_id: int | None = None) -> HostedZone:
    """Delegate the domain to a hosted zone of its name (see attach_hosted_zone); answers the zone."""
    require_managed(domain)
    return attach_hosted_zone(domain=domain, hosted_zone_id=hosted_zone_id)


# ---- glue hosts -----------------------------------------------------------------------------


def _host_under(domain: Domain, name: str) -> str:
    try:
        host = names.parse_host_name(name).ascii
    except names.NameProblem as problem:
        raise RegistrarError(problem.message, field="name") from None
    if not names.is_subdomain(host, domain.name) or host == domain.name:
        raise RegistrarError(f"name: {host} does not lie under {domain.name}", field="name")
    return host


def glue_hosts(domain: Domain) -> list[dict]:
    """The host objects under the domain: name, glue addresses, and whether a domain uses it."""
    require_managed(domain)
    return domain_info(domain)["hosts"]


def find_glue_host(domain: Domain, name: str) -> dict | None:
    """One of the domain's glue hosts by name, or None."""
    wanted = name.rstrip(".").lower()
    return next((host for host in glue_hosts(domain) if host["name"] == wanted), None)


def create_glue_host(*, domain: Domain, name: str, addresses: list[str]) -> dict:
    """Register a name-server host under the domain, with its glue addresses, at the registry.

    Raises RegistrarError for a host outside the domain, RegistryRefused for one that exists or
    for bad addresses.
    """
    require_managed(domain)
    host = _host_under(domain, name)
    data = registry_data(commands.create_host(client_id=client_id(), name=host, addresses=addresses))
    return {**data, "is_linked": False}


def update_glue_host(*, domain: Domain, name: str, addresses: list[str]) -> dict:
    """Replace a glue host's addresses; the TLD zone's glue follows.

    Raises RegistryRefused for bad or no addresses, or a host that does not exist.
    """
    require_managed(domain)
    host = _host_under(domain, name)
    registry_data(commands.update_host(client_id=client_id(), name=host, addresses=addresses))
    return find_glue_host(domain, host) or {}


def delete_glue_host(*, domain: Domain, name: str) -> None:
    """Delete a glue host; refused (RegistryRefused, EPP 2305) while a domain uses it as a name server."""
    require_managed(domain)
    host = _host_under(domain, name)
    registry_data(commands.delete_host(client_id=client_id(), name=host))


# ---- DS records -----------------------------------------------------------------------------


def add_ds_record(*, domain: Domain, key_tag: int, algorithm: int, digest_type: int, digest: str) -> dict:
    """Publish a DS record for the domain in its TLD zone.

    Raises RegistrarError while the domain is delegated to its hosted zone (hosted zones are
    not signed, so the DS could match no key), RegistryRefused for bad DS data.
    """
    require_managed(domain)
    if domain.uses_hosted_zone:
        raise RegistrarError(
            f"ds: {domain.unicode_name} is delegated to its hosted zone here, which is not signed: "
            "with a DS record at the registry, every validating resolver would reject the domain's "
            "answers (SERVFAIL). DNSSEC signing of hosted zones comes later; until then the "
            "delegation stays unsigned.",
            field="ds",
        )
    ds = {"key_tag": key_tag, "algorithm": algorithm, "digest_type": digest_type, "digest": digest}
    data = registry_data(commands.update_domain(client_id=client_id(), name=domain.name, add_ds=[ds]))
    mirror(domain, data)
    return data


def remove_ds_record(*, domain: Domain, key_tag: int, algorithm: int, digest_type: int, digest: str) -> dict:
    """Withdraw a DS record. Raises RegistryRefused when the domain has no such record."""
    require_managed(domain)
    ds = {"key_tag": key_tag, "algorithm": algorithm, "digest_type": digest_type, "digest": digest}
    data = registry_data(commands.update_domain(client_id=client_id(), name=domain.name, remove_ds=[ds]))
    mirror(domain, data)
    return data
