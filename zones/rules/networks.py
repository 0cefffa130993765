"""Networks and endpoints: lists of CIDRs and of addresses.

A private zone answers the clients inside its networks, so a network must not reach other
accounts' clients: `cidr_problems` refuses networks wider than the operator's limit and
`overlap_problems` CIDRs that overlap another account's network.
"""

import ipaddress
from collections.abc import Iterable, Mapping

from zones.rules.problems import Problem

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def cidr_problems(cidrs: Iterable[str], widest_prefixes: Mapping[int, int] | None = None) -> list[Problem]:
    """Each text must be an IPv4 or IPv6 network (host bits allowed), no wider than its limit.

    `widest_prefixes` maps an IP version (4, 6) to the shortest prefix length allowed; None
    checks only the form.
    """
    problems = []
    items = [str(cidr).strip() for cidr in cidrs if str(cidr).strip()]
    if not items:
        problems.append(Problem("cidrs", "a network needs at least one CIDR"))
    for cidr in items:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            problems.append(Problem("cidrs", f"{cidr} is not an IPv4 or IPv6 network"))
            continue
        widest = (widest_prefixes or {}).get(network.version)
        if widest is not None and network.prefixlen < widest:
            problems.append(
                Problem(
                    "cidrs",
                    f"{cidr} is wider than /{widest}: a network may cover at most a /{widest} "
                    f"of IPv{network.version} addresses",
                )
            )
    return problems


def overlap_problems(cidrs: Iterable[str], others: Iterable[IPNetwork]) -> list[Problem]:
    """Each CIDR must not overlap one of `others` (the networks of every other account)."""
    others = list(others)
    problems = []
    for cidr in cidrs:
        network = ipaddress.ip_network(str(cidr).strip(), strict=False)
        if any(network.version == other.version and network.overlaps(other) for other in others):
            problems.append(
                Problem(
                    "cidrs",
                    f"{cidr} overlaps a network of another account: a private zone may answer only "
                    "clients that no other account's network holds",
                )
            )
    return problems


def address_problems(addresses: Iterable[str]) -> list[Problem]:
    """Each text must be an IPv4 or IPv6 address."""
    problems = []
    items = [str(address).strip() for address in addresses if str(address).strip()]
    if not items:
        problems.append(Problem("addresses", "an endpoint needs at least one address"))
    for address in items:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            problems.append(Problem("addresses", f"{address} is not an IPv4 or IPv6 address"))
    return problems
