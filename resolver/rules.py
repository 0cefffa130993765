"""Pure checks of what the Resolver is given: domain names, target addresses, endpoint addresses.

Each returns the cleaned value and every problem found, as `(field, message)` pairs.
"""

import ipaddress
from collections.abc import Iterable, Mapping

import dns.exception
import dns.name

Problem = tuple[str, str]


def clean_domain_name(text: str, field: str = "domain_name") -> tuple[str, list[Problem]]:
    """A rule's domain as absolute lowercase text ('.' is every name)."""
    raw = (text or "").strip()
    if not raw:
        return "", [(field, "a rule needs a domain name")]
    try:
        name = dns.name.from_unicode(raw if raw.endswith(".") else raw + ".")
    except (dns.exception.DNSException, UnicodeError, ValueError) as error:
        return "", [(field, f"{raw} is not a domain name ({error})")]
    if any(label == b"*" for label in name.labels):
        return "", [(field, f"{raw} is not a domain name (a rule's domain has no wildcard)")]
    return name.to_text().lower(), []


def clean_ip_port(
    item: Mapping | str, field: str, *, default_port: int, need_port: bool = True
) -> tuple[dict | None, list[Problem]]:
    """{"ip": ..., "port": ...} from a mapping or "IP", "IP:PORT", "[IPv6]:PORT" text."""
    if isinstance(item, Mapping):
        ip_text, port = str(item.get("ip", "")).strip(), item.get("port", default_port)
    else:
        text = str(item).strip()
        ip_text, port = text, default_port
        if text.startswith("["):
            ip_text, _, port = text[1:].partition("]")
            port = port.lstrip(":") or default_port
        elif text.count(":") == 1:
            ip_text, _, port = text.partition(":")
    try:
        ip = ipaddress.ip_address(ip_text)
    except ValueError:
        return None, [(field, f"{ip_text or '(empty)'} is not an IPv4 or IPv6 address")]
    try:
        port = int(port)
    except (TypeError, ValueError):
        return None, [(field, f"{port} is not a port number")]
    low = 1 if need_port else 0
    if not low <= port <= 65535:
        return None, [(field, f"{port} is not a port from {low} to 65535")]
    return {"ip": str(ip), "port": port}, []


def clean_targets(items: Iterable, field: str = "target_ips") -> tuple[list[dict], list[Problem]]:
    """A FORWARD rule's targets: one or more distinct IP and port pairs (port 53 by default)."""
    targets, problems = [], []
    for item in items:
        target, found = clean_ip_port(item, field, default_port=53)
        problems += found
        if target and target not in targets:
            targets.append(target)
    if not targets and not problems:
        problems.append((field, "a FORWARD rule needs at least one target address"))
    return targets, problems


def covers(outer: str, inner: str) -> bool:
    """Whether the absolute name `inner` is `outer` or below it."""
    return dns.name.from_text(inner).is_subdomain(dns.name.from_text(outer))
