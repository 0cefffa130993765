"""The rules of health checks and alarms: pure functions over plain data, no ORM.

Forms, serializers and services all call `validate_health_check`; the status rules
(`apply_probe_to_region`, `status_from_regions`, `calculated_status`) are what the worker uses.
"""

import ipaddress
import math
import re
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import dns.exception
import dns.name

CHECK_TYPES = ("http", "https", "http_str_match", "https_str_match", "tcp", "calculated")
STRING_MATCH_TYPES = ("http_str_match", "https_str_match")
REQUEST_INTERVALS = (10, 30)
MIN_FAILURE_THRESHOLD, MAX_FAILURE_THRESHOLD = 1, 10
MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS = 0.5, 9.0
MAX_SEARCH_STRING = 255
MAX_CHILD_CHECKS = 255
# The body prefix a string-match check searches (Route 53: the first 5,120 bytes).
SEARCH_BODY_BYTES = 5120

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Special-purpose blocks (the IANA registries) that `ipaddress` does not name on its own.
THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")  # RFC 1122 3.2.1.3: never a destination
CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598: the ISP's side of a NAT
PRIVATE_USE_NETWORKS = tuple(
    ipaddress.ip_network(net) for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
# RFC 5737 and RFC 3849: examples and tests use them; nothing answers there.
DOCUMENTATION_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
NAT64_NETWORK = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 2.1: the IPv4 address is the last 32 bits
IPV4_COMPATIBLE_NETWORK = ipaddress.ip_network("::/96")  # RFC 4291 2.5.5.1 (deprecated)
# What HEALTHCHECK_ALLOW_LOCAL_TARGETS lets checks probe: the operator's own machine and network.
LOCAL_KINDS = ("loopback", "private", "documentation")
_KIND_PHRASES = {
    "unspecified": "an unspecified address",
    "loopback": "a loopback address",
    "link-local": "a link-local address",
    "multicast": "a multicast address",
    "carrier-grade NAT": "a carrier-grade NAT address",
    "private": "a private address",
    "documentation": "a documentation address",
    "reserved": "a reserved address",
    "special-purpose": "a special-purpose address",
}
# Names that never leave the machine or the local network (RFC 6761 6.3, RFC 6762, RFC 8375, and
# .internal, which ICANN keeps for private networks).
LOCAL_NAME_SUFFIXES = ("localhost", "local", "internal", "home.arpa")
_PATH_RE = re.compile(r"^/[\x21-\x7e]*$")


@dataclass(frozen=True)
class Problem:
    """One broken rule: the field it concerns and the reason, which reads on after the field's name."""

    field: str
    reason: str

    @property
    def message(self) -> str:
        """The whole sentence, field first: "port: 0 is not a valid port; use 1 to 65535"."""
        return f"{self.field}: {self.reason}"


def validate_health_check(
    data: Mapping,
    *,
    available_regions: Sequence[str],
    check_id: int | None = None,
    child_graph=None,
    allow_local_targets: bool = False,
) -> list[Problem]:
    """Every problem with a check's settings; an empty list when they are good.

    `data` holds the model's field names (child_checks as a list of ids). `child_graph` maps a
    check id to the ids of its children, so that a calculated check cannot include itself
    through another check. `allow_local_targets` lets loopback, private and documentation
    addresses (and local names such as localhost) through; the operator decides.
    """
    problems: list[Problem] = []
    add = problems.append
    check_type = data.get("check_type") or ""
    if not (data.get("name") or "").strip():
        add(Problem("name", "give the check a name"))
    if check_type not in CHECK_TYPES:
        add(Problem("check_type", f"{check_type} is not one of {', '.join(CHECK_TYPES)}"))
        return problems

    interval = data.get("request_interval_seconds")
    if interval not in REQUEST_INTERVALS:
        add(Problem("request_interval_seconds", f"{interval} is not 10 or 30"))
    threshold = data.get("failure_threshold")
    if not isinstance(threshold, int) or not MIN_FAILURE_THRESHOLD <= threshold <= MAX_FAILURE_THRESHOLD:
        add(Problem("failure_threshold", f"{threshold} is out of range; use 1 to 10"))
    regions = list(data.get("regions") or [])
    unknown = [region for region in regions if region not in available_regions]
    if unknown:
        add(
            Problem(
                "regions",
                f"{', '.join(unknown)} is not a checker region; choose from {', '.join(available_regions)}",
            )
        )

    if check_type == "calculated":
        problems.extend(_calculated_problems(data, check_id, child_graph or {}))
        return problems

    if not regions:
        add(Problem("regions", "choose at least one checker region"))
    problems.extend(_endpoint_problems(data, check_type, allow_local_targets))
    timeout = data.get("timeout_seconds")
    if not isinstance(timeout, int | float) or not MIN_TIMEOUT_SECONDS <= timeout <= MAX_TIMEOUT_SECONDS:
        add(Problem("timeout_seconds", f"{timeout} is out of range; use 0.5 to 9"))
    elif isinstance(interval, int) and timeout >= interval:
        add(
            Problem(
                "timeout_seconds",
                f"{timeout} must be shorter than the {interval}-second interval",
            )
        )
    search = data.get("search_string") or ""
    if check_type in STRING_MATCH_TYPES:
        if not search:
            add(Problem("search_string", "give the text the response body must contain"))
        elif len(search) > MAX_SEARCH_STRING:
            add(Problem("search_string", f"{len(search)} characters is longer than 255"))
    elif search:
        add(Problem("search_string", f"only string-matching checks use it, not {check_type}"))
    return problems


def _endpoint_problems(data: Mapping, check_type: str, allow_local_targets: bool) -> list[Problem]:
    problems: list[Problem] = []
    add = problems.append
    ip_text = (data.get("ip_address") or "").strip()
    host_name = (data.get("host_name") or "").strip()
    if not ip_text and not host_name:
        add(Problem("ip_address", "give an IP address or a host name to probe"))
    if ip_text:
        try:
            address = ipaddress.ip_address(ip_text)
        except ValueError:
            add(Problem("ip_address", f"{ip_text} is not an IPv4 or IPv6 address"))
        else:
            reason = refused_address_reason(ip_text, address, allow_local_targets=allow_local_targets)
            if reason:
                add(Problem("ip_address", reason))
    if host_name:
        problem = _host_problem("host_name", host_name) or _target_name_problem(
            host_name, allow_local_targets=allow_local_targets
        )
        if problem:
            add(problem)
    host_header = (data.get("host_header") or "").strip()
    if host_header:
        problem = _host_problem("host_header", host_header)
        if problem:
            add(problem)

    port = data.get("port")
    if port is None or port == "":
        if check_type == "tcp":
            add(Problem("port", "a TCP check needs a port"))
    elif not isinstance(port, int) or not 1 <= port <= 65535:
        add(Problem("port", f"{port} is not a valid port; use 1 to 65535"))

    path = data.get("resource_path") or ""
    if check_type == "tcp":
        if path not in ("", "/"):
            add(Problem("resource_path", "a TCP check has no path"))
    elif path and not _PATH_RE.match(path):
        add(
            Problem(
                "resource_path",
                f"{path} must start with / and contain no spaces or control characters",
            )
        )
    elif len(path) > 255:
        add(Problem("resource_path", "longer than 255 characters"))
    return problems


def _host_problem(field: str, value: str) -> Problem | None:
    try:
        name = dns.name.from_text(value)
    except dns.exception.DNSException as error:
        return Problem(field, f"{value} is not a host name ({error})")
    labels = [label for label in name.labels if label]
    if len(labels) < 1 or any(
        not re.fullmatch(rb"[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9])?", lb) for lb in labels
    ):
        return Problem(field, f"{value} is not a host name (letters, digits and hyphens per label)")
    return None


def _calculated_problems(data: Mapping, check_id: int | None, child_graph: Mapping) -> list[Problem]:
    problems: list[Problem] = []
    children = [int(child) for child in data.get("child_checks") or []]
    if not children:
        problems.append(Problem("child_checks", "a calculated check needs at least one child"))
    if len(children) > MAX_CHILD_CHECKS:
        problems.append(Problem("child_checks", f"{len(children)} is more than 255 children"))
    if check_id is not None and check_id in _reachable(children, child_graph):
        problems.append(Problem("child_checks", "a calculated check cannot include itself, directly or not"))
    needed = data.get("healthy_children_threshold")
    if not isinstance(needed, int) or needed < 0 or needed > len(children):
        problems.append(
            Problem(
                "healthy_children_threshold",
                f"{needed} is out of range; use 0 to {len(children)}",
            )
        )
    return problems


def _reachable(start: Iterable[int], graph: Mapping) -> set[int]:
    seen: set[int] = set()
    stack = list(start)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(graph.get(node, ()))
    return seen


# ---- target addresses ------------------------------------------------------------------------


def dialled_address(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 spelling reaches (mapped, compatible, 6to4, NAT64), else the address.

    A check is judged by what it would reach: ::ffff:10.0.0.1 is dialled as 10.0.0.1, and a
    6to4 or NAT64 address is relayed to the IPv4 address inside it.
    """
    if address.version == 4:
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64_NETWORK or (address in IPV4_COMPATIBLE_NETWORK and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _in_any(address: IPAddress, networks: Iterable) -> bool:
    # An IPv4 address tested against an IPv6 network (or the reverse) compares bare integers.
    return any(address in network for network in networks if network.version == address.version)


def address_kind(address: IPAddress) -> str:
    """What the address reaches: "public", or the kind of non-public address ("private", "loopback", ...)."""
    reached = dialled_address(address)
    if reached.is_unspecified or reached in THIS_NETWORK:
        return "unspecified"
    if reached.is_loopback:
        return "loopback"
    if reached.is_link_local:
        return "link-local"
    # Before is_global: some multicast groups (224.0.1.0/24) count as global.
    if reached.is_multicast:
        return "multicast"
    if reached in CARRIER_GRADE_NAT:
        return "carrier-grade NAT"
    if _in_any(reached, PRIVATE_USE_NETWORKS):
        return "private"
    if _in_any(reached, DOCUMENTATION_NETWORKS):
        return "documentation"
    if reached.is_reserved:
        return "reserved"
    if not reached.is_global:
        return "special-purpose"
    return "public"


def is_dialable(address: IPAddress, *, allow_local_targets: bool) -> bool:
    """Whether a checker may connect to `address`: public, or local where the operator allows it."""
    kind = address_kind(address)
    return kind == "public" or (allow_local_targets and kind in LOCAL_KINDS)


def refused_address_reason(text: str, address: IPAddress, *, allow_local_targets: bool) -> str | None:
    """Why checks may not probe `address` (spelled `text`), or None when they may."""
    if is_dialable(address, allow_local_targets=allow_local_targets):
        return None
    phrase = _KIND_PHRASES[address_kind(address)]
    reached = dialled_address(address)
    what = f"reaches the IPv4 address {reached}, {phrase}" if reached != address else f"is {phrase}"
    return f"{text} {what}; health checks probe public addresses only"


def literal_address(text: str) -> IPAddress | None:
    """The address a host name spells, as the resolver reads it (2130706433 and 127.1 too), or None."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    try:
        # inet_aton is what getaddrinfo falls back to: it reads decimal, octal and hex forms.
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


def _target_name_problem(host_name: str, *, allow_local_targets: bool) -> Problem | None:
    address = literal_address(host_name.rstrip("."))
    if address is not None:
        shown = host_name if host_name == str(address) else f"{host_name} (read as {address})"
        reason = refused_address_reason(shown, address, allow_local_targets=allow_local_targets)
        return Problem("host_name", reason) if reason else None
    if allow_local_targets:
        return None
    name = host_name.rstrip(".").lower()
    for suffix in LOCAL_NAME_SUFFIXES:
        if name == suffix or name.endswith(f".{suffix}"):
            which = "" if name == suffix else f" (.{suffix})"
            return Problem(
                "host_name", f"{host_name} is a local name{which}; health checks probe public hosts only"
            )
    return None


# ---- status rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionState:
    """One region's view of a check: its status and its current streaks."""

    is_healthy: bool
    consecutive_failures: int
    consecutive_successes: int


def apply_probe_to_region(state: RegionState, *, is_success: bool, failure_threshold: int) -> RegionState:
    """The region's state after one more probe result.

    A region turns unhealthy after `failure_threshold` failures in a row and healthy again
    after as many successes in a row (Route 53 uses one threshold both ways).
    """
    failures = 0 if is_success else state.consecutive_failures + 1
    successes = state.consecutive_successes + 1 if is_success else 0
    is_healthy = state.is_healthy
    if is_healthy and failures >= failure_threshold:
        is_healthy = False
    elif not is_healthy and successes >= failure_threshold:
        is_healthy = True
    return RegionState(is_healthy, failures, successes)


def status_from_regions(region_healthy: Sequence[bool], healthy_share: float) -> bool:
    """Healthy while more than `healthy_share` of the regions report healthy (none: healthy)."""
    if not region_healthy:
        return True
    return sum(region_healthy) / len(region_healthy) > healthy_share


def calculated_status(children_healthy: Sequence[bool], healthy_children_threshold: int) -> bool:
    """A calculated check is healthy when at least N of its children are."""
    return sum(children_healthy) >= healthy_children_threshold


def final_status(raw_is_healthy: bool, *, is_inverted: bool, is_disabled: bool) -> bool:
    """The status a check reports: a disabled check counts as healthy, an inverted one flips."""
    if is_disabled:
        return True
    return not raw_is_healthy if is_inverted else raw_is_healthy


def next_run_after(scheduled_at: datetime, interval_seconds: int, now: datetime) -> datetime:
    """The next slot on the check's own grid after `now`: no drift, and missed slots are skipped."""
    step = timedelta(seconds=interval_seconds)
    following = scheduled_at + step
    if following > now:
        return following
    missed = math.floor((now - scheduled_at) / step)
    return scheduled_at + step * (missed + 1)


def backoff_seconds(attempt: int, *, base: float = 5.0, cap: float = 600.0, jitter: float = 0.0) -> float:
    """Exponential back-off for the `attempt`-th retry (1-based), capped; `jitter` is in [0, 1)."""
    delay = min(cap, base * (2 ** max(0, attempt - 1)))
    return delay * (0.5 + jitter / 2)


def is_expiry_alarming(expires_at: datetime | None, *, now: datetime, warning_days: int) -> bool:
    """A domain-expiry alarm is in alarm from `warning_days` before expiry (unknown expiry: not)."""
    return expires_at is not None and expires_at - now <= timedelta(days=warning_days)
