"""Our name servers: the pool (each host with its own address), their glue, and a zone's four.

The pool is settings.DNS_NAMESERVER_ADDRESSES read with DNS_NAMESERVER_DOMAINS: with D
domains, the n-th address is the host `ns-<n // D>.<the (n % D)-th domain>.`, so the first D
addresses are the `ns-0` of every domain, the next D the `ns-1`, and so on. A delegation set
holds one host under each domain, as Route 53 spreads a set over four TLDs.

The DNS server answers a public zone only on the addresses of its own delegation set's
hosts, so what keeps zones apart is that two zones of one name, or of a name and a name
below it, never share a host (`hosts_near`, `pick_name_servers`,
`check_delegation_set`): Route 53's rule for same-name and parent/child zones. Nor does a
new zone get a host the registry still delegates its name to (`delegated_hosts`).

The pool holds only so many zones of one name (one per host of a domain), so another
account could take them all before the name is bought. The last free host of each domain,
for a name and the names above and below it, is kept for an account that holds the name
or a name above it with our registrar (`holders`): anyone else's zone leaves it free.
"""

import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db.models import Q

from zones.models import DelegationSet, HostedZone
from zones.services import locks
from zones.services.errors import NameServersExhaustedError, ZoneError


def name_server_domains() -> list[str]:
    """DNS_NAMESERVER_DOMAINS as lower-case names without the final dot. Raises ZoneError when empty."""
    domains = [
        domain.strip().strip(".").lower() for domain in settings.DNS_NAMESERVER_DOMAINS if domain.strip()
    ]
    if not domains:
        raise ZoneError("DNS_NAMESERVER_DOMAINS is empty: no name servers to delegate to")
    return domains


def name_server_pool() -> dict[str, str]:
    """Every name server of the pool: host (absolute, lower case) → its own address."""
    domains = name_server_domains()
    return {
        f"ns-{index // len(domains)}.{domains[index % len(domains)]}.": address
        for index, address in enumerate(settings.DNS_NAMESERVER_ADDRESSES)
    }


def is_name_server_name(zone_name: str) -> bool:
    """True for a name at or under one of our name-server domains (absolute, lower case)."""
    return any(
        zone_name == f"{domain}." or zone_name.endswith(f".{domain}.") for domain in name_server_domains()
    )


def name_server_addresses(hosts: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Host → addresses (glue) for our name servers; every host in use when `hosts` is None.

    Each host of the pool has its own address (module docstring). Hosts outside the pool
    are left out.
    """
    pool = name_server_pool()
    if hosts is None:
        hosts = sorted(
            {
                host
                for servers in DelegationSet.objects.values_list("name_servers", flat=True)
                for host in servers
            }
        )
    result: dict[str, list[str]] = {}
    for host in hosts:
        host = host.lower() if host.endswith(".") else host.lower() + "."
        if host in pool:
            result[host] = [pool[host]]
    return result


def lock_name_servers() -> None:
    """Hold the name-server lock until the current transaction ends, so that two zones made at once
    cannot both take the same free host."""
    locks.hold(locks.NAME_SERVERS)


# Where the world already delegates names (the registry, registered by registrar/apps.py):
# each returns the hosts some of the given names are delegated to.
_delegation_lookups: list[Callable[[list[str]], Iterable[str]]] = []


def register_delegation_lookup(lookup: Callable[[list[str]], Iterable[str]]) -> None:
    _delegation_lookups.append(lookup)


# Who holds names with our registrar (registered by registrar/apps.py): each returns the ids of
# the accounts holding some of the given names.
_holder_lookups: list[Callable[[list[str]], Iterable[int]]] = []


def register_holder_lookup(lookup: Callable[[list[str]], Iterable[int]]) -> None:
    _holder_lookups.append(lookup)


def holders(zone_name: str) -> set[int]:
    """The accounts holding `zone_name`, or a name above it, with our registrar."""
    names = _names_and_above(zone_name)
    return {owner_id for lookup in _holder_lookups for owner_id in lookup(names)}


# Free hosts of each domain kept, for a name and its family, for the account that holds the name.
HOSTS_KEPT_FOR_HOLDER = 1


def _names_and_above(zone_name: str) -> list[str]:
    labels = zone_name.rstrip(".").split(".")
    return [".".join(labels[index:]) + "." for index in range(len(labels) - 1)]


def delegated_hosts(zone_name: str) -> set[str]:
    """The hosts the world delegates `zone_name`, or a name above it, to (absolute, lower case).

    A new zone of that name must not get them even when no zone holds them now: a domain
    whose zone was deleted is still delegated to its old hosts, and whoever got them next
    would answer for it (a dangling delegation).
    """
    names = _names_and_above(zone_name)
    return {
        host.lower() if host.endswith(".") else host.lower() + "."
        for lookup in _delegation_lookups
        for host in lookup(names)
    }


def hosts_near(zone_name: str, *, exclude: HostedZone | None = None) -> set[str]:
    """The name servers of every public zone named `zone_name`, above it or below it."""
    above = []
    current = zone_name
    while current.count(".") > 1:
        current = current.split(".", 1)[1]
        above.append(current)
    zones = HostedZone.objects.filter(is_private=False).filter(
        Q(name__in=[zone_name, *above]) | Q(name__endswith="." + zone_name)
    )
    if exclude is not None:
        zones = zones.exclude(pk=exclude.pk)
    return {
        host for servers in zones.values_list("delegation_set__name_servers", flat=True) for host in servers
    }


def _kept_for_holder(zone_name: str, owner_id: int | None, hosts_per_domain: int) -> int:
    """How many free hosts per domain a zone of `owner_id` named `zone_name` must leave free."""
    if owner_id is None or hosts_per_domain <= HOSTS_KEPT_FOR_HOLDER or owner_id in holders(zone_name):
        return 0
    return HOSTS_KEPT_FOR_HOLDER


def _kept_error(zone_name: str, domain: str) -> NameServersExhaustedError:
    return NameServersExhaustedError(
        f"{zone_name} cannot get four name servers of its own: the last free name server under "
        f"{domain} for this name is kept for the account that registers it (or a name above it) "
        "here, and yours does not hold it.",
        field="name",
    )


def pick_name_servers(zone_name: str | None = None, *, owner_id: int | None = None) -> list[str]:
    """One free host under each name-server domain, at random; for `zone_name`, none in use near it.

    Raises NameServersExhaustedError (field `name`) when every host of a domain already serves a zone of
    that name, above it or below it, or (for `owner_id`, unless that account holds the name)
    when only the host kept for the name's holder is left. Call it under `lock_name_servers`
    inside the transaction that stores the set.
    """
    domains = name_server_domains()
    near = hosts_near(zone_name) if zone_name else set()
    delegated = delegated_hosts(zone_name) if zone_name else set()
    pool = name_server_pool()
    kept = _kept_for_holder(zone_name, owner_id, len(pool) // len(domains)) if zone_name else 0
    hosts = []
    for domain in domains:
        under = [host for host in pool if host.endswith(f".{domain}.")]
        free = [host for host in under if host not in near and host not in delegated]
        if free and len(free) <= kept:
            raise _kept_error(zone_name, domain)
        if not free and all(host in near for host in under):
            raise NameServersExhaustedError(
                f"{zone_name} cannot get four name servers of its own: every name server under "
                f"{domain} already serves a hosted zone of this name, or of a name above or below it.",
                field="name",
            )
        if not free:
            raise NameServersExhaustedError(
                f"{zone_name} cannot get four name servers of its own: every name server under {domain} "
                "serves a hosted zone of this name, above or below it, or is one the registry still "
                "delegates the name to.",
                field="name",
            )
        hosts.append(free[secrets.randbelow(len(free))])
    return hosts


def check_delegation_set(delegation_set: DelegationSet, zone_name: str) -> None:
    """Refuse a reusable set for `zone_name` that shares a host with a zone of that name, above or below it.

    Raises ZoneError (field `delegation_set`), or NameServersExhaustedError when the set would
    take a host kept for the name's holder (see `pick_name_servers`). Call it under
    `lock_name_servers`.
    """
    shared = sorted(set(delegation_set.name_servers) & hosts_near(zone_name))
    if shared:
        raise ZoneError(
            f"delegation set {delegation_set.pk}: its name servers {', '.join(shared)} already serve a "
            f"hosted zone named {zone_name} or a name above or below it, and two such zones never share "
            "a name server; choose another delegation set, or none for four new name servers.",
            field="delegation_set",
        )
    delegated = sorted(set(delegation_set.name_servers) & delegated_hosts(zone_name))
    if delegated:
        raise ZoneError(
            f"delegation set {delegation_set.pk}: the registry still delegates {zone_name} to its name "
            f"servers {', '.join(delegated)}, which would answer for whoever holds that domain; choose "
            "another delegation set, or none for four new name servers.",
            field="delegation_set",
        )
    pool = name_server_pool()
    domains = name_server_domains()
    kept = _kept_for_holder(zone_name, delegation_set.owner_id, len(pool) // len(domains))
    if kept:
        taken = hosts_near(zone_name) | delegated_hosts(zone_name)
        for domain in domains:
            free = [host for host in pool if host.endswith(f".{domain}.") and host not in taken]
            if len(set(free) - set(delegation_set.name_servers)) < kept:
                raise _kept_error(zone_name, domain)
