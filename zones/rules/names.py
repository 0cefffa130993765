"""Names: a zone's name, a record set's name within its zone, and where a name lies."""

import functools

import dns.exception
import dns.name

from zones.rules.problems import Problem, error_reason


def normalize_zone_name(text: str) -> tuple[str, list[Problem]]:
    """The zone name as absolute lowercase text (IDNs as A-labels), or the problems with it."""
    raw = (text or "").strip()
    if not raw or raw == ".":
        return "", [Problem("name", "a hosted zone needs a domain name")]
    try:
        name = dns.name.from_unicode(raw.rstrip(".") + ".")
    except (dns.exception.DNSException, UnicodeError, ValueError) as error:
        return "", [Problem("name", f"{raw} is not a domain name ({error_reason(error)})")]
    if any(label == b"*" for label in name.labels):
        return "", [Problem("name", f"{raw} is not a domain name (a zone name has no wildcard)")]
    return name.to_text().lower(), []


def absolute_name(text: str, zone_name: str) -> str:
    """Resolve a name typed in the editor: `@` is the apex, a name ending in the zone is absolute."""
    raw = (text or "").strip()
    zone_bare = zone_name.rstrip(".")
    if raw in ("", "@"):
        return zone_name
    if raw.endswith("."):
        return raw
    if raw.lower() == zone_bare.lower() or raw.lower().endswith("." + zone_bare.lower()):
        return raw + "."
    return f"{raw}.{zone_name}"


@functools.lru_cache(maxsize=64)
def zone_origin(zone_name: str) -> dns.name.Name:
    """The zone's name parsed once (a batch asks for it per value)."""
    return dns.name.from_text(zone_name)


def parse_name(text: "str | dns.name.Name", zone_name: str) -> tuple[str, str]:
    """A name of the zone as absolute lowercase text, and why it is refused ('' when it is not).

    A `dns.name.Name` (the zone-file reader's) is taken as parsed; text may be relative.
    """
    if isinstance(text, dns.name.Name):
        if not text.is_absolute() or not text.is_subdomain(zone_origin(zone_name)):
            return text.to_text().lower(), f"{text} is not in the zone {zone_name}"
        return text.to_text().lower(), ""
    raw = absolute_name(text, zone_name)
    try:
        # IDNA processing is slow; plain ASCII names need none.
        name = dns.name.from_text(raw) if raw.isascii() else dns.name.from_unicode(raw)
    except (dns.exception.DNSException, UnicodeError, ValueError) as error:
        return raw, f"{text} is not a domain name ({error_reason(error)})"
    if not name.is_subdomain(zone_origin(zone_name)):
        return name.to_text().lower(), f"{name.to_text()} is not in the zone {zone_name}"
    return name.to_text().lower(), ""


def is_below(name: str, ancestor: str) -> bool:
    """True when `name` lies strictly beneath `ancestor` (both absolute lowercase text)."""
    return name != ancestor and name.endswith("." + ancestor)


def ancestors_within(name: str, zone_name: str) -> list[str]:
    """The names strictly between `name` and the zone apex, apex included, nearest first."""
    result = []
    current = name
    while current != zone_name and "." in current.rstrip("."):
        current = current.split(".", 1)[1]
        if not current.endswith(zone_name) and current != zone_name:
            break
        result.append(current)
    return result


# Two base-36 digits per octet, from "10" up, and "0" between labels: every digit sorts the
# same in any collation a database may use, and "0" before any octet's first digit.
_KEY_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_OCTET_KEYS = {
    octet: _KEY_DIGITS[(octet + 36) // 36] + _KEY_DIGITS[(octet + 36) % 36] for octet in range(256)
}
SORT_KEY_MAX_LENGTH = 512


def canonical_sort_key(name: str) -> str:
    """A text key of an absolute name whose plain text order is DNSSEC's canonical order (RFC 4034 §6.1).

    Labels from the root down, each lowercased octet by octet, so that a name sorts right after
    its parent and before the parent's next sibling: example.com., a.example.com.,
    b.a.example.com., www.example.com., example.org. Route 53 lists zones and record sets in
    this order; a database column of it lets one indexed query find a page.
    """
    if "\\" in name or not name.isascii():
        # Escapes and IDNs: their octets as dnspython reads them, one character per octet.
        labels = [label.decode("latin-1") for label in dns.name.from_text(name).canonicalize().labels]
    else:
        labels = name.lower().split(".")
    return "0".join(label.translate(_OCTET_KEYS) for label in reversed(labels) if label)
