"""The DNS Firewall's rules: pure functions over plain data that return every problem found.

The console's forms, the REST serializers and the route53resolver API all call these
through dnsfirewall.services, so a domain or a rule is judged the same way everywhere.
"""

from collections.abc import Iterable

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from zones.rules import Problem
from zones.rules.problems import error_reason

ACTIONS = ("ALLOW", "BLOCK", "ALERT")
BLOCK_RESPONSES = ("NODATA", "NXDOMAIN", "OVERRIDE")
OVERRIDE_TYPES = ("CNAME", "A", "AAAA")
MAX_NAME_LENGTH = 64
# Route 53 allows 100,000 domains in one list.
MAX_DOMAINS = 100_000
# A trigger is the domain followed by the RPZ zone's origin; names longer than this would
# not fit in 255 octets below `<group id>.rpz.nameplate.internal.`.
MAX_DOMAIN_LENGTH = 200
MAX_OVERRIDE_TTL = 604_800


# What Route 53 accepts in a firewall domain (IDNs arrive here as A-labels).
LABEL_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def normalize_domain(text: str) -> tuple[str, str | None]:
    """One domain as stored (lowercase, A-labels, no trailing dot), or the reason it is refused.

    A wildcard is allowed only as the whole first label: `*.example.com`, or `*` alone.
    """
    raw = text.strip()
    if raw == "*":
        return "*", None
    try:
        name = dns.name.from_unicode(raw.rstrip(".") + ".")
    except (dns.exception.DNSException, UnicodeError, ValueError) as error:
        return "", f"{raw} is not a domain name ({error_reason(error)})"
    if len(name.labels) < 2:
        return "", f"{raw} is not a domain name"
    if any(b"*" in label for label in name.labels[1:]) or (b"*" in name.labels[0] and name.labels[0] != b"*"):
        return (
            "",
            f"{raw} is not a domain name (a wildcard must be the whole first label)",
        )
    domain = name.to_text(omit_final_dot=True).lower()
    labels = name.labels[1:-1] if name.labels[0] == b"*" else name.labels[:-1]
    bad = next(
        (label for label in labels if not set(label.decode("latin-1").lower()) <= LABEL_CHARACTERS), None
    )
    if bad is not None:
        return "", f"{raw} is not a domain name (letters, digits, - and _ only)"
    if len(domain) > MAX_DOMAIN_LENGTH:
        return "", f"{raw} is longer than {MAX_DOMAIN_LENGTH} characters"
    return domain, None


def parse_domains(lines: Iterable[str]) -> tuple[list[str], list[Problem]]:
    """Domains typed one a line (or read from a file): the cleaned list in order, without repeats.

    Blank lines and lines starting with `#` are skipped. Each problem names its line.
    """
    domains: dict[str, None] = {}
    problems = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        domain, reason = normalize_domain(text)
        if reason is not None:
            problems.append(Problem("domains", f"line {number}: {reason}"))
        else:
            domains[domain] = None
    if len(domains) > MAX_DOMAINS:
        problems.append(Problem("domains", f"a list holds at most {MAX_DOMAINS} domains, not {len(domains)}"))
    return list(domains), problems


def name_problems(name: str, field: str = "name") -> list[Problem]:
    text = name.strip()
    if not text:
        return [Problem(field, "a name is required")]
    if len(text) > MAX_NAME_LENGTH:
        return [Problem(field, f"a name has at most {MAX_NAME_LENGTH} characters")]
    return []


def normalize_override(override_type: str, value: str) -> tuple[str, list[Problem]]:
    """An override answer's value as dnspython prints it (names absolute), or the problems."""
    if override_type not in OVERRIDE_TYPES:
        return "", [
            Problem("override_type", f"{override_type or '(none)'} is not one of {', '.join(OVERRIDE_TYPES)}")
        ]
    text = value.strip()
    if not text:
        return "", [Problem("override_value", "an override needs a value")]
    if override_type == "CNAME" and not text.endswith("."):
        text += "."
    try:
        rdata = dns.rdata.from_text(
            dns.rdataclass.IN,
            dns.rdatatype.from_text(override_type),
            text,
            origin=dns.name.root,
            relativize=False,
        )
    except (dns.exception.DNSException, ValueError) as error:
        return "", [
            Problem(
                "override_value", f"{value.strip()} is not a {override_type} value ({error_reason(error)})"
            )
        ]
    return rdata.to_text(), []


def rule_problems(
    *,
    priority: object,
    action: str,
    block_response: str,
    override_type: str,
    override_value: str,
    override_ttl: object,
) -> list[Problem]:
    """Every problem with one rule's settings (the override value is checked by normalize_override)."""
    problems = []
    if not isinstance(priority, int) or isinstance(priority, bool) or priority < 1:
        problems.append(Problem("priority", f"{priority} is not a whole number of at least 1"))
    if action not in ACTIONS:
        problems.append(Problem("action", f"{action or '(none)'} is not one of {', '.join(ACTIONS)}"))
    elif action == "BLOCK":
        if block_response not in BLOCK_RESPONSES:
            problems.append(
                Problem(
                    "block_response",
                    f"{block_response or '(none)'} is not one of {', '.join(BLOCK_RESPONSES)}",
                )
            )
        elif block_response == "OVERRIDE":
            problems.extend(normalize_override(override_type, override_value)[1])
    elif block_response:
        problems.append(Problem("block_response", f"only a BLOCK rule has a block response, not {action}"))
    if (
        not isinstance(override_ttl, int)
        or isinstance(override_ttl, bool)
        or not 0 <= override_ttl <= MAX_OVERRIDE_TTL
    ):
        problems.append(
            Problem("override_ttl", f"{override_ttl} is not a TTL between 0 and {MAX_OVERRIDE_TTL}")
        )
    return problems
