"""What one unbound instance is told, and the unbound.conf that says it (pure: no Django).

`plan_zones` turns a network's rules and private zones into unbound's forward and stub zones
with Route 53's precedence; `render_unbound_conf` writes the whole file. The supervisor
applies the zones live (unbound-control) and everything else by restarting the instance.
"""

import dataclasses
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import dns.name

# Queries of the instance's own loopback clients are always answered (the console's tools, tests).
LOOPBACK_CIDRS = ("127.0.0.0/8", "::1/128")


def server_text(host: str, port: int) -> str:
    """An address as unbound writes it: IP@PORT."""
    return f"{host}@{port}"


@dataclass(frozen=True)
class RuleSpec:
    """A rule as the planner needs it: FORWARD with its targets (IP@PORT texts), or SYSTEM."""

    domain: str
    rule_type: str
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class ZonePlan:
    """unbound's forward-zones and stub-zones, name -> IP@PORT texts."""

    forward_zones: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stub_zones: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def names(self) -> set[str]:
        return set(self.forward_zones) | set(self.stub_zones)


def _closest(name: str, candidates: Iterable[str], *, strictly_above: bool) -> str | None:
    """The most specific of `candidates` at (or, with `strictly_above`, only above) `name`."""
    target = dns.name.from_text(name)
    best = None
    for candidate in candidates:
        outer = dns.name.from_text(candidate)
        if not target.is_subdomain(outer) or (strictly_above and outer == target):
            continue
        if best is None or len(outer) > len(dns.name.from_text(best)):
            best = candidate
    return best


def plan_zones(
    rules: Iterable[RuleSpec],
    private_zones: Iterable[str],
    *,
    private_server: str,
    system_server: str,
) -> ZonePlan:
    """Forward and stub zones with Route 53's precedence: the most specific name wins.

    - A FORWARD rule is a forward-zone to its targets.
    - A private zone is a stub-zone to the network's private listener; a FORWARD rule for the
      same name wins over it (the stub is left out).
    - A SYSTEM rule exempts its name from a broader FORWARD rule: the name is resolved as if
      the rule were not there, i.e. from a private zone covering it (a stub to the private
      listener) or else recursively (a forward-zone to the shared system instance, since
      unbound cannot carve a name out of a forward zone). A SYSTEM rule under no FORWARD rule
      changes nothing and is left out.
    unbound itself picks the most specific of its forward and stub zones (a stub zone is a
    hole in the forward tree).
    """
    rules = list(rules)
    private_zones = list(private_zones)
    forward_rules = {rule.domain: rule.targets for rule in rules if rule.rule_type == "FORWARD"}
    forwards: dict[str, tuple[str, ...]] = dict(forward_rules)
    stubs = {zone: (private_server,) for zone in private_zones if zone not in forward_rules}
    for rule in rules:
        if rule.rule_type != "SYSTEM" or rule.domain in forward_rules:
            continue
        if _closest(rule.domain, forward_rules, strictly_above=True) is None:
            continue
        if _closest(rule.domain, private_zones, strictly_above=False) is not None:
            stubs[rule.domain] = (private_server,)
        else:
            forwards[rule.domain] = (system_server,)
    return ZonePlan(forward_zones=dict(sorted(forwards.items())), stub_zones=dict(sorted(stubs.items())))


@dataclass(frozen=True)
class InstanceConfig:
    """Everything one unbound instance is configured with."""

    key: str  # the network's id, or "system"
    directory: Path
    interfaces: tuple[tuple[str, int], ...]
    root_server: tuple[str, int]
    access_control: tuple[str, ...] = LOOPBACK_CIDRS
    outgoing_interfaces: tuple[str, ...] = ()
    zones: ZonePlan = field(default_factory=ZonePlan)
    is_query_logged: bool = False
    # The DNS Firewall's `rpz:` clauses (dnsfirewall.services.rpz_clauses), in the order they apply.
    firewall_clauses: tuple[str, ...] = ()

    @property
    def conf_path(self) -> Path:
        return self.directory / "unbound.conf"

    @property
    def control_socket(self) -> Path:
        return self.directory / "ctl.sock"

    @property
    def dnstap_socket(self) -> Path:
        return self.directory / "dnstap.sock"

    @property
    def pidfile(self) -> Path:
        return self.directory / "unbound.pid"

    @property
    def logfile(self) -> Path:
        return self.directory / "unbound.log"

    def without_zones(self) -> "InstanceConfig":
        """The part a live change cannot apply: when it differs, the instance restarts."""
        return dataclasses.replace(self, zones=ZonePlan())


def _quoted(text: str | Path) -> str:
    return '"' + str(text).replace('"', "") + '"'


def _uses_ipv6(config: InstanceConfig) -> bool:
    hosts = [host for host, _ in config.interfaces] + list(config.outgoing_interfaces)
    hosts.append(config.root_server[0])
    for servers in [*config.zones.forward_zones.values(), *config.zones.stub_zones.values()]:
        hosts += [server.rpartition("@")[0] for server in servers]
    return any(ipaddress.ip_address(host).version == 6 for host in hosts)


def render_unbound_conf(config: InstanceConfig) -> str:
    """The instance's unbound.conf: the file is the truth, live changes only catch up with it."""
    ipv6 = _uses_ipv6(config)
    lines = [
        "# Written by `manage.py resolvers` from the database: edits here are overwritten.",
        "server:",
        "    num-threads: 1",
        "    do-daemonize: no",
        '    username: ""',
        '    chroot: ""',
        f"    directory: {_quoted(config.directory)}",
        f"    pidfile: {_quoted(config.pidfile)}",
        "    use-syslog: no",
        f"    logfile: {_quoted(config.logfile)}",
        "    verbosity: 1",
        "    interface-automatic: no",
        # Without it a second process could bind the same address and port and share its queries.
        "    so-reuseport: no",
        f"    do-ip6: {'yes' if ipv6 else 'no'}",
        # Our root, TLD, name servers and private listener all live on loopback addresses.
        "    do-not-query-localhost: no",
        # No validator: the mock Internet's root is not signed with a trust anchor unbound has.
        # respip applies the firewall's RPZ zones.
        f'    module-config: "{"respip iterator" if config.firewall_clauses else "iterator"}"',
        "    qname-minimisation: no",
        "    harden-referral-path: no",
        "    prefetch: no",
        # Health-checked answers have short TTLs; keep them as short as they are.
        "    cache-min-ttl: 0",
        "    infra-keep-probing: yes",
    ]
    for host, port in config.interfaces:
        lines.append(f"    interface: {server_text(host, port)}")
    for address in config.outgoing_interfaces:
        lines.append(f"    outgoing-interface: {address}")
    lines.append("    access-control: 0.0.0.0/0 refuse")
    lines.append("    access-control: ::/0 refuse")
    for cidr in config.access_control:
        lines.append(f"    access-control: {cidr} allow")
    # A zone unbound serves empty by default (.test, .local, RFC 1918 reverse zones, ...) must be
    # resolved through our stub or forward instead: a transparent local zone lets the query on.
    for name in sorted(config.zones.names()):
        lines.append(f"    local-zone: {_quoted(name)} transparent")
    lines += [
        "remote-control:",
        "    control-enable: yes",
        f"    control-interface: {_quoted(config.control_socket)}",
        "    control-use-cert: no",
    ]
    # Ports other than 53 need the stub form: root hints can only name addresses.
    lines += ["stub-zone:", '    name: "."', f"    stub-addr: {server_text(*config.root_server)}"]
    for name, servers in config.zones.stub_zones.items():
        lines += ["stub-zone:", f"    name: {_quoted(name)}"]
        lines += [f"    stub-addr: {server}" for server in servers]
    for name, servers in config.zones.forward_zones.items():
        lines += ["forward-zone:", f"    name: {_quoted(name)}"]
        lines += [f"    forward-addr: {server}" for server in servers]
    lines += config.firewall_clauses
    if config.is_query_logged:
        lines += [
            "dnstap:",
            "    dnstap-enable: yes",
            "    dnstap-bidirectional: yes",
            f"    dnstap-socket-path: {_quoted(config.dnstap_socket)}",
            "    dnstap-send-identity: no",
            "    dnstap-send-version: no",
            "    dnstap-log-client-query-messages: yes",
            "    dnstap-log-client-response-messages: yes",
        ]
    return "\n".join(lines) + "\n"
