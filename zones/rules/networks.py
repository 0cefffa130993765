"""Networks and endpoints: lists of CIDRs and of addresses.

A network's CIDRs are a VPC's: IPv4 blocks from /16 to /28 and IPv6 blocks of /56, as AWS
allows. They only say which clients the network's resolver answers (its inbound endpoints'
access control); private zones are answered through each network's own resolver, so networks
of different accounts may overlap, as VPCs do.
"""

import ipaddress
from collections.abc import Iterable

from zones.rules.problems import Problem

# AWS: a VPC's IPv4 CIDR blocks are /16 (65,536 addresses) to /28 (16); its IPv6 blocks are /56.
IPV4_PREFIXES = range(16, 29)
IPV6_PREFIX = 56


def cidr_problems(cidrs: Iterable[str]) -> list[Problem]:
    """Each text must be an IPv4 network of /16 to /28 or an IPv6 network of /56 (host bits allowed)."""
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
        if network.version == 4 and network.prefixlen not in IPV4_PREFIXES:
            reason = "an IPv4 block of a network is /16 to /28, as in a VPC"
        elif network.version == 6 and network.prefixlen != IPV6_PREFIX:
            reason = "an IPv6 block of a network is a /56, as in a VPC"
        else:
            continue
        problems.append(Problem("cidrs", f"{cidr} is a /{network.prefixlen}: {reason}"))
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
