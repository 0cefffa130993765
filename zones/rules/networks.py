"""Networks and endpoints: lists of CIDRs and of addresses."""

import ipaddress
from collections.abc import Iterable

from zones.rules.problems import Problem


def cidr_problems(cidrs: Iterable[str]) -> list[Problem]:
    """Each text must be an IPv4 or IPv6 network (host bits allowed)."""
    problems = []
    items = [str(cidr).strip() for cidr in cidrs if str(cidr).strip()]
    if not items:
        problems.append(Problem("cidrs", "a network needs at least one CIDR"))
    for cidr in items:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            problems.append(Problem("cidrs", f"{cidr} is not an IPv4 or IPv6 network"))
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
