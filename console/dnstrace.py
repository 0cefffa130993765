"""An iterative DNS walk, like `dig +trace`: root, then TLD, then the zone's name servers.

Layers, as in dnspython's query module: `ask` sends one question to one server (UDP, then
TCP when the answer is truncated) within a deadline; `trace` is the policy that follows
referrals and CNAMEs from the root down and records every step.

The walk knows three tiers of servers. Each tier has its port: on the Internet all are 53;
in development the root and TLD servers share 127.0.0.1 on two ports, so a server named in
the root's referral is asked on the TLD port, and one named in a TLD's referral (or a zone's)
on the hosted-zone name servers' port, at the address its glue gives: each name server has
its own, and answers only the zones delegated to it.
"""

import socket
import time
from dataclasses import dataclass, field

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.rrset

TIERS = ("root", "tld", "auth")
MAX_STEPS = 24
MAX_CNAMES = 8


@dataclass(frozen=True)
class Server:
    name: str
    address: str
    port: int


@dataclass
class Step:
    """One question to one server and what came back."""

    tier: str
    server: Server
    qname: str
    qtype: str
    outcome: str  # answer, referral, cname, nxdomain, nodata, error
    rcode: str = ""
    rtt_ms: float | None = None
    answer: list[str] = field(default_factory=list)
    authority: list[str] = field(default_factory=list)
    additional: list[str] = field(default_factory=list)
    error: str = ""
    is_authoritative: bool = False


@dataclass
class Trace:
    qname: str
    qtype: str
    steps: list[Step] = field(default_factory=list)
    outcome: str = ""  # answer, nxdomain, nodata, error
    error: str = ""

    @property
    def answer(self) -> list[str]:
        return self.steps[-1].answer if self.steps and self.outcome == "answer" else []


class QueryFailed(Exception):
    """No usable answer from one server: timeout, refused connection, garbage."""


def ask(
    server: Server, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType, timeout_seconds: float
) -> tuple[dns.message.Message, float]:
    """One non-recursive question to one server; the response and its round trip in ms.

    Raises QueryFailed when the server does not answer within `timeout_seconds`.
    """
    query = dns.message.make_query(qname, rdtype, use_edns=0, payload=1232)
    query.flags &= ~dns.flags.RD
    deadline = time.monotonic() + timeout_seconds
    started = time.perf_counter()
    try:
        response = dns.query.udp(query, server.address, port=server.port, timeout=timeout_seconds)
        if response.flags & dns.flags.TC:
            remaining = max(0.1, deadline - time.monotonic())
            response = dns.query.tcp(query, server.address, port=server.port, timeout=remaining)
    except dns.exception.Timeout:
        raise QueryFailed(
            f"no answer from {server.address} port {server.port} in {timeout_seconds:g} s"
        ) from None
    except (OSError, dns.exception.DNSException) as error:
        raise QueryFailed(f"{server.address} port {server.port}: {error}") from None
    return response, (time.perf_counter() - started) * 1000


def _texts(rrsets: list[dns.rrset.RRset]) -> list[str]:
    return [line for rrset in rrsets for line in rrset.to_text().splitlines()]


def _next_tier(tier: str) -> str:
    return TIERS[min(TIERS.index(tier) + 1, len(TIERS) - 1)]


def _referral_servers(
    response: dns.message.Message, tier: str, ports: dict[str, int]
) -> tuple[dns.name.Name | None, list[Server]]:
    """The delegated zone and its servers, with addresses from the glue."""
    ns_rrsets = [r for r in response.authority if r.rdtype == dns.rdatatype.NS]
    if not ns_rrsets:
        return None, []
    zone = ns_rrsets[0].name
    glue: dict[dns.name.Name, list[str]] = {}
    for rrset in response.additional:
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            glue.setdefault(rrset.name, []).extend(rdata.address for rdata in rrset)
    port = ports[_next_tier(tier)]
    servers = []
    for rdata in ns_rrsets[0]:
        for address in glue.get(rdata.target, []):
            servers.append(Server(rdata.target.to_text(), address, port))
    if not servers:
        # Out-of-bailiwick name servers without glue: find their addresses the usual way.
        for rdata in ns_rrsets[0]:
            try:
                servers.extend(
                    Server(rdata.target.to_text(), address, port)
                    for address in socket.gethostbyname_ex(rdata.target.to_text(omit_final_dot=True))[2]
                )
            except OSError:
                continue
    return zone, servers


def trace(
    qname: str,
    qtype: str = "A",
    *,
    root: Server,
    ports: dict[str, int],
    timeout_seconds: float = 2.0,
) -> Trace:
    """Walk from `root` to the answer for (qname, qtype), following referrals and CNAMEs.

    `ports` gives the port of each tier ("root", "tld", "auth"). Never raises for DNS
    trouble: timeouts, lame delegations and NXDOMAIN end the trace as its outcome.
    """
    try:
        name = dns.name.from_text(qname)
        rdtype = dns.rdatatype.from_text(qtype.upper())
    except (dns.exception.DNSException, ValueError) as error:
        return Trace(qname, qtype, outcome="error", error=f"{qname} {qtype}: {error}")
    result = Trace(name.to_text(), dns.rdatatype.to_text(rdtype))
    servers, tier, zone = [root], "root", dns.name.root
    cnames = 0
    while len(result.steps) < MAX_STEPS:
        response = None
        for server in servers:
            try:
                response, rtt_ms = ask(server, name, rdtype, timeout_seconds)
                break
            except QueryFailed as error:
                result.steps.append(
                    Step(tier, server, name.to_text(), result.qtype, "error", error=str(error))
                )
        if response is None:
            result.outcome, result.error = "error", f"timeout: no server for {zone.to_text()} answered"
            return result
        step = Step(
            tier,
            server,
            name.to_text(),
            result.qtype,
            "",
            rcode=dns.rcode.to_text(response.rcode()),
            rtt_ms=round(rtt_ms, 2),
            answer=_texts(response.answer),
            authority=_texts(response.authority),
            additional=_texts(response.additional),
            is_authoritative=bool(response.flags & dns.flags.AA),
        )
        result.steps.append(step)
        rcode = response.rcode()
        if rcode == dns.rcode.NXDOMAIN:
            step.outcome = result.outcome = "nxdomain"
            result.error = f"{name.to_text()} does not exist (NXDOMAIN from the {tier} server {server.name})"
            return result
        if rcode != dns.rcode.NOERROR:
            step.outcome = result.outcome = "error"
            reason = "lame delegation: " if tier != "root" and rcode == dns.rcode.REFUSED else ""
            result.error = f"{reason}{server.name} answered {step.rcode} for {name.to_text()}"
            return result
        answer = response.get_rrset(response.answer, name, dns.rdataclass.IN, rdtype)
        if answer is not None:
            step.outcome = result.outcome = "answer"
            return result
        cname = response.get_rrset(response.answer, name, dns.rdataclass.IN, dns.rdatatype.CNAME)
        if cname is not None and rdtype != dns.rdatatype.CNAME:
            cnames += 1
            if cnames > MAX_CNAMES:
                step.outcome = result.outcome = "error"
                result.error = f"more than {MAX_CNAMES} CNAMEs in a row"
                return result
            step.outcome = "cname"
            name = cname[0].target
            final = response.get_rrset(response.answer, name, dns.rdataclass.IN, rdtype)
            if final is not None:
                step.outcome = result.outcome = "answer"
                return result
            servers, tier, zone = [root], "root", dns.name.root
            continue
        if step.is_authoritative:
            step.outcome = result.outcome = "nodata"
            result.error = f"{name.to_text()} exists but has no {result.qtype} records"
            return result
        child, next_servers = _referral_servers(response, tier, ports)
        if child is None or not child.is_subdomain(zone) or child == zone:
            step.outcome = result.outcome = "error"
            result.error = f"lame delegation: {server.name} is not authoritative for {name.to_text()}"
            return result
        if not next_servers:
            step.outcome = result.outcome = "error"
            result.error = f"no address for any name server of {child.to_text()}"
            return result
        step.outcome = "referral"
        servers, tier, zone = next_servers, _next_tier(tier), child
    result.outcome, result.error = "error", f"gave up after {MAX_STEPS} steps"
    return result
