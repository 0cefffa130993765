"""Delegation: the name servers, glue hosts and DS records the registry publishes for a domain.

A domain either uses its hosted zone's four name servers or a list of external ones.
"""

from django.db import transaction

from registrar import names
from registrar.errors import RegistrarError
from registrar.models import Domain
from registrar.registry import commands
from registrar.services.pricing import price_list
from registrar.services.session import client_id, mirror, registry_data, require_managed
from zones import services as zone_services


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


def _delegate(domain: Domain, hosts: list[str]) -> None:
    hosts = [host.rstrip(".").lower() for host in hosts]
    _ensure_host_objects(hosts)
    data = registry_data(commands.update_domain(client_id=client_id(), name=domain.name, name_servers=hosts))
    mirror(domain, data)


def attach_hosted_zone(*, domain: Domain) -> Domain:
    """Create (or find) the domain's hosted zone and point the registry at its four name servers.

    Raises ZoneError if the zones app refuses, RegistryRefused if the registry does.
    """
    with transaction.atomic():
        zone = zone_services.create_hosted_zone(
            owner=domain.owner,
            name=domain.name,
            caller_reference=f"registrar-domain-{domain.pk}",
            comment=f"Created when {domain.unicode_name} was registered",
            source="system",
        )
        domain.hosted_zone = zone
        domain.uses_hosted_zone = True
        _delegate(domain, list(zone.name_servers))
    return domain


def set_name_servers(*, domain: Domain, name_servers: list[str]) -> Domain:
    """Delegate the domain to external name servers (2 to 13 host names).

    Raises RegistrarError for too few, RegistryRefused for a bad or unknown host.
    """
    require_managed(domain)
    hosts = [host.strip() for host in name_servers if host and host.strip()]
    if len(hosts) < 2:
        raise RegistrarError("name servers: enter at least two name servers", field="name_servers")
    with transaction.atomic():
        domain.uses_hosted_zone = False
        _delegate(domain, hosts)
    return domain


def use_hosted_zone(*, domain: Domain) -> Domain:
    """Point the domain back at its hosted zone's four name servers (creating the zone if gone)."""
    require_managed(domain)
    return attach_hosted_zone(domain=domain)


def create_glue_host(*, domain: Domain, name: str, addresses: list[str]) -> dict:
    """Register a name-server host under the domain, with its glue addresses, at the registry."""
    require_managed(domain)
    try:
        host = names.parse_host_name(name).ascii
    except names.NameProblem as problem:
        raise RegistrarError(problem.message, field="name") from None
    if not names.is_subdomain(host, domain.name) or host == domain.name:
        raise RegistrarError(f"name: {host} does not lie under {domain.name}", field="name")
    return registry_data(commands.create_host(client_id=client_id(), name=host, addresses=addresses))


def add_ds_record(*, domain: Domain, key_tag: int, algorithm: int, digest_type: int, digest: str) -> dict:
    """Publish a DS record for the domain in its TLD zone. Raises RegistryRefused for bad data."""
    require_managed(domain)
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
