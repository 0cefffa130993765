"""Host objects (RFC 5732): name servers, with glue addresses when they lie under a domain here."""

import ipaddress
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction

from registrar import names
from registrar.registry import clock, zonedata
from registrar.registry import models as m
from registrar.registry.commands.results import (
    ASSOCIATION_PROHIBITS,
    AUTHORIZATION_ERROR,
    OBJECT_DOES_NOT_EXIST,
    OBJECT_EXISTS,
    PARAMETER_MISSING,
    PARAMETER_SYNTAX,
    POLICY_ERROR,
    Refused,
    Result,
    command,
    login,
    ok,
)


def registry_tld_of(host: str) -> str | None:
    """The TLD of `host` if this registry runs it, else None."""
    tld = host.rsplit(".", 1)[-1]
    return tld if m.Tld.objects.filter(name=tld).exists() else None


def domains_using(host_names: Iterable[str]) -> dict[str, list[str]]:
    """Host name → the domains here that name it as a name server (EPP's "linked", RFC 5732 §2.3)."""
    wanted = set(host_names)
    users: dict[str, list[str]] = {}
    if not wanted:
        return users
    for domain_name, servers in m.DomainObject.objects.values_list("name", "name_servers"):
        for host in wanted.intersection(servers):
            users.setdefault(host, []).append(domain_name)
    return users


def _check_addresses(values: Iterable[str]) -> list[str]:
    addresses = []
    for value in values:
        try:
            address = ipaddress.ip_address(str(value).strip())
        except ValueError:
            raise Refused(
                PARAMETER_SYNTAX, f"addresses: {value} is not an IPv4 or IPv6 address", "addresses"
            ) from None
        if str(address) not in addresses:
            addresses.append(str(address))
    return addresses


@command
def create_host(
    *, client_id: str, name: str, addresses: Iterable[str] = (), now: datetime | None = None
) -> Result:
    """Create a host object; hosts under a domain here need that domain's sponsor and glue."""
    registrar = login(client_id)
    try:
        host_name = names.parse_host_name(name).ascii
    except names.NameProblem as problem:
        raise Refused(PARAMETER_SYNTAX, problem.message, "name") from None
    checked = _check_addresses(addresses)
    if m.Host.objects.filter(name=host_name).exists():
        raise Refused(OBJECT_EXISTS, f"host {host_name} already exists", "name")
    superordinate = None
    if registry_tld_of(host_name) is not None:
        parent = ".".join(host_name.split(".")[-2:])
        superordinate = m.DomainObject.objects.filter(name=parent).first()
        if superordinate is None or superordinate.sponsor_id != registrar.pk:
            # An external host (RFC 5732 §1.1): anyone may name it, only its domain's sponsor gives it glue.
            if checked:
                whose = "is not registered" if superordinate is None else "is sponsored by another registrar"
                raise Refused(AUTHORIZATION_ERROR, f"host {host_name}: {parent} {whose}", "addresses")
            superordinate = None
        elif not checked:
            raise Refused(
                PARAMETER_MISSING, f"host {host_name} lies under {parent} and needs addresses", "addresses"
            )
    elif checked:
        raise Refused(
            POLICY_ERROR, f"host {host_name} is outside this registry; it takes no addresses", "addresses"
        )
    try:
        with transaction.atomic():
            m.Host.objects.create(
                name=host_name,
                sponsor=registrar,
                superordinate=superordinate,
                addresses=checked,
                created_at=now or clock.now(),
            )
    except IntegrityError:
        raise Refused(OBJECT_EXISTS, f"host {host_name} already exists", "name") from None
    if superordinate is not None:
        zonedata.bump_serial(superordinate.tld.name)
    return ok(name=host_name, addresses=checked)


def _sponsored_host(name: str, registrar: m.Registrar) -> m.Host:
    try:
        host_name = names.parse_host_name(name).ascii
    except names.NameProblem as problem:
        raise Refused(PARAMETER_SYNTAX, problem.message, "name") from None
    host = m.Host.objects.select_for_update().filter(name=host_name).first()
    if host is None:
        raise Refused(OBJECT_DOES_NOT_EXIST, f"host {host_name} does not exist", "name")
    if host.sponsor_id != registrar.pk:
        raise Refused(AUTHORIZATION_ERROR, f"host {host_name} is sponsored by another registrar", "name")
    return host


@command
def update_host(*, client_id: str, name: str, addresses: Iterable[str]) -> Result:
    """Replace a host object's addresses (its glue)."""
    registrar = login(client_id)
    host = _sponsored_host(name, registrar)
    checked = _check_addresses(addresses)
    if host.superordinate_id is not None and not checked:
        raise Refused(PARAMETER_MISSING, f"host {host.name} needs at least one address", "addresses")
    if host.superordinate_id is None and checked:
        raise Refused(
            POLICY_ERROR, f"host {host.name} is outside this registry; it takes no addresses", "addresses"
        )
    host.addresses = checked
    host.save()
    if host.superordinate_id is not None:
        zonedata.bump_serial(host.superordinate.tld.name)
    return ok(name=host.name, addresses=checked)


@command
def delete_host(*, client_id: str, name: str) -> Result:
    """Delete a host object that no domain uses as a name server."""
    registrar = login(client_id)
    host = _sponsored_host(name, registrar)
    users = domains_using([host.name]).get(host.name)
    if users:
        raise Refused(
            ASSOCIATION_PROHIBITS, f"host {host.name} is a name server of {', '.join(users)}", "name"
        )
    tld = host.superordinate.tld.name if host.superordinate_id else None
    host.delete()
    if tld:
        zonedata.bump_serial(tld)
    return ok(name=host.name)
