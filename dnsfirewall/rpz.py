"""Rule groups as RPZ zones (Response Policy Zones, draft-vixie-dnsop-dns-rpz), and their source.

`build_rpz_zone` is pure: a group's rules in priority order become one zone whose owner
names are the triggers (the domain, below the zone's origin) and whose records are the
standard policy actions:

    BLOCK NXDOMAIN   name CNAME .
    BLOCK NODATA     name CNAME *.
    BLOCK OVERRIDE   name <type> <value>      (the answer itself: CNAME, A or AAAA)
    ALLOW            name CNAME rpz-passthru.
    ALERT            name CNAME rpz-passthru. (answered as ALLOW; unbound's rpz-log reports it)

Route 53 applies a group's first matching rule. Inside one RPZ zone an exact trigger beats
a wildcard and a longer wildcard beats a shorter one whatever their order, so a trigger
that a rule of higher priority already covers (the same name, or a wildcard above it) is
left out: the zone then answers as the first matching rule would. Across groups the
resolver applies the zones in the order they are configured, first match wins, which is
the order of the network's associations.

`FirewallRpzSource` is the DNS server's zone source for these zones (the interface of
dnsserver.sources.ZoneSource), served over AXFR to the resolvers, with NOTIFY on a new serial.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone

from dnsfirewall.models import FirewallRuleGroup
from zones.engine import ZoneData
from zones.engine.data import parse_networks, zone_data_from_dns_zone

KEY_PREFIX = "rpz:"
# How often a resolver asks for the SOA when a NOTIFY was lost, and how long the negative
# answers of the policy zone itself live.
REFRESH_SECONDS = 60
RETRY_SECONDS = 10
EXPIRE_SECONDS = 7 * 24 * 3600
NEGATIVE_TTL_SECONDS = 60
LOOPBACK = ("127.0.0.0/8", "::1/128")

PASSTHRU = dns.name.from_text("rpz-passthru.")
NXDOMAIN_TARGET = dns.name.root
NODATA_TARGET = dns.name.from_text("*.")


@dataclass(frozen=True)
class RuleData:
    """One rule as the zone needs it: its priority, action, and the domains of its list."""

    priority: int
    action: str
    domains: tuple[str, ...]
    block_response: str = ""
    override_type: str = ""
    override_value: str = ""
    ttl: int = 60


def trigger_name(domain: str, origin: dns.name.Name) -> dns.name.Name:
    """The owner name of a domain's trigger: the domain (with its wildcard) below the origin."""
    if domain == "*":
        return dns.name.Name((b"*",)).concatenate(origin)
    return dns.name.from_text(domain, origin=origin)


def _policy_rdata(rule: RuleData) -> dns.rdata.Rdata:
    if rule.action == "BLOCK":
        if rule.block_response == "OVERRIDE":
            rdtype = dns.rdatatype.from_text(rule.override_type)
            return dns.rdata.from_text(
                dns.rdataclass.IN, rdtype, rule.override_value, origin=dns.name.root, relativize=False
            )
        target = NODATA_TARGET if rule.block_response == "NODATA" else NXDOMAIN_TARGET
    else:
        target = PASSTHRU
    return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.CNAME, target.to_text())


def _is_covered(domain: dns.name.Name, is_wildcard: bool, wildcard_bases: set[dns.name.Name]) -> bool:
    """Whether a wildcard of higher priority (`*.<base>`, kept by base) already matches every name
    `domain` would: an exact name strictly below a base, a wildcard at or below one."""
    name = domain if is_wildcard else (domain.parent() if domain != dns.name.root else None)
    while name is not None:
        if name in wildcard_bases:
            return True
        name = name.parent() if name != dns.name.root else None
    return False


def build_rpz_zone(origin: dns.name.Name, serial: int, rules: Sequence[RuleData]) -> dns.zone.Zone:
    """The RPZ zone of one rule group, given its rules (any order; lower priority first applies)."""
    zone = dns.zone.Zone(origin, relativize=False)
    soa = dns.rdata.from_text(
        dns.rdataclass.IN,
        dns.rdatatype.SOA,
        f"localhost. hostmaster.nameplate.internal. {serial} {REFRESH_SECONDS} {RETRY_SECONDS} "
        f"{EXPIRE_SECONDS} {NEGATIVE_TTL_SECONDS}",
    )
    zone.find_rdataset(origin, dns.rdatatype.SOA, create=True).add(soa, NEGATIVE_TTL_SECONDS)
    ns = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.NS, "localhost.")
    zone.find_rdataset(origin, dns.rdatatype.NS, create=True).add(ns, NEGATIVE_TTL_SECONDS)
    taken: set[dns.name.Name] = set()
    wildcard_bases: set[dns.name.Name] = set()
    for rule in sorted(rules, key=lambda rule: rule.priority):
        rdata = _policy_rdata(rule)
        kept = []
        for domain in rule.domains:
            is_wildcard = domain == "*" or domain.startswith("*.")
            base = dns.name.root if domain == "*" else dns.name.from_text(domain.removeprefix("*."))
            key = dns.name.Name((b"*", *base.labels)) if is_wildcard else base
            if key in taken or _is_covered(base, is_wildcard, wildcard_bases):
                continue
            kept.append((domain, key, base, is_wildcard))
        # The rule's own names are added after the check, so that `a.example.com` and
        # `*.example.com` in one list both stay.
        for domain, key, base, is_wildcard in kept:
            taken.add(key)
            if is_wildcard:
                wildcard_bases.add(base)
            zone.find_rdataset(trigger_name(domain, origin), rdata.rdtype, create=True).add(rdata, rule.ttl)
    return zone


@dataclass(frozen=True)
class RpzLogLine:
    """One `rpz: applied` line of unbound's log: which group's trigger acted on which query, how.

    `trigger` is the domain as the rule's list has it, with the trailing dot
    ("*.bad.example.com."); `qname` is the name asked.
    """

    group_id: int
    trigger: str
    action: str
    client: str
    qname: str
    qtype: str
    client_port: int = 0

    @property
    def is_passthru(self) -> bool:
        """ALLOW or ALERT: the query was answered as usual (firewall_rule_for tells them apart)."""
        return self.action == "rpz-passthru"


def parse_rpz_log_line(line: str) -> RpzLogLine | None:
    """Read `… rpz: applied [firewall-<id>] <trigger> <action> <client>@<port> <qname> <type> <class>`.

    None for any other line, or one of a zone that is not a rule group's.
    """
    _, marker, rest = line.partition("rpz: applied [firewall-")
    if not marker:
        return None
    group_id, _, rest = rest.partition("] ")
    parts = rest.split()
    if not group_id.isdigit() or len(parts) < 5:
        return None
    trigger, action, client, qname, qtype = parts[:5]
    address, _, port = client.rpartition("@")
    return RpzLogLine(
        int(group_id), trigger, action, address, qname, qtype, int(port) if port.isdigit() else 0
    )


def zone_text(zone: dns.zone.Zone) -> str:
    """The zone as a master file (absolute names), as unbound's `zonefile:` reads it."""
    return zone.to_text(relativize=False, want_origin=True)


def group_rules(group: FirewallRuleGroup) -> list[RuleData]:
    """The group's rules, with their lists' domains, as plain data."""
    return [
        RuleData(
            priority=rule.priority,
            action=rule.action,
            domains=tuple(rule.domain_list.domains),
            block_response=rule.block_response,
            override_type=rule.override_type,
            override_value=rule.override_value,
            ttl=rule.override_ttl,
        )
        for rule in group.rules.select_related("domain_list").order_by("priority")
    ]


def group_zone(group: FirewallRuleGroup) -> dns.zone.Zone:
    """The group's RPZ zone now."""
    return build_rpz_zone(dns.name.from_text(group.rpz_zone_name), group.serial, group_rules(group))


def rpz_key(group_id: int) -> str:
    return f"{KEY_PREFIX}{group_id}"


class FirewallRpzSource:
    """The DNS server's RPZ zones: one per rule group that some network uses.

    `xfr_networks` may transfer them (the resolvers' source addresses; loopback by default).
    `notify_targets(group)` names the resolvers ("host" or "host:port") to NOTIFY when the
    group's serial changes: the resolver app knows where each network's unbound listens.
    """

    def __init__(
        self,
        *,
        xfr_networks: Iterable[str] = LOOPBACK,
        notify_targets: Callable[[FirewallRuleGroup], Sequence[str]] | None = None,
    ) -> None:
        self.xfr_networks = parse_networks(xfr_networks)
        self.notify_targets = notify_targets

    def serials(self) -> dict[str, int]:
        rows = (
            FirewallRuleGroup.objects.filter(associations__isnull=False)
            .values_list("pk", "serial")
            .distinct()
        )
        return {rpz_key(pk): serial for pk, serial in rows}

    def load(self, key: str) -> ZoneData | None:
        if not key.startswith(KEY_PREFIX) or not key[len(KEY_PREFIX) :].isdigit():
            return None
        group = FirewallRuleGroup.objects.filter(pk=int(key[len(KEY_PREFIX) :])).first()
        if group is None:
            return None
        targets = tuple(self.notify_targets(group)) if self.notify_targets is not None else ()
        return zone_data_from_dns_zone(
            group_zone(group), key=key, xfr_networks=self.xfr_networks, notify_targets=targets
        )
