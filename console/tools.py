"""The Tools pages' services: where our DNS servers listen, and running a trace against them."""

import ipaddress
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype
from django.conf import settings

from console import dnstrace
from kernel import bus
from kernel.errors import ServiceError
from kernel.listeners import listeners_by_role
from zones import engine, snapshot
from zones.models import HostedZone


def run_trace(qname: str, qtype: str) -> dnstrace.Trace:
    """Trace `qname` from our root server down, asking each tier on its port.

    The root and the TLD servers are asked on their listeners' ports (DNS_SERVER_LISTEN);
    the hosted zones' name servers at the addresses the glue gives, on DNS_NAMESERVER_PORT.
    """
    listeners = listeners_by_role(settings.DNS_SERVER_LISTEN)
    root = dnstrace.Server("root", listeners["root"].host, listeners["root"].port)
    ports = {
        "root": listeners["root"].port,
        "tld": listeners["tld"].port,
        "auth": settings.DNS_NAMESERVER_PORT,
    }
    return dnstrace.trace(qname, qtype, root=root, ports=ports)


class ToolError(ServiceError):
    """A tool's input was refused."""


@dataclass(frozen=True)
class AnswerReport:
    """What our name server answers for one question, and why (Route 53's TestDNSAnswer)."""

    name_server: str
    record_name: str
    record_type: str
    response_code: str
    is_authoritative: bool
    answer: list[str]
    authority: list[str]
    additional: list[str]
    reasons: list[dict]
    scope_prefix: int | None
    protocol: str = "UDP"

    @property
    def record_data(self) -> list[str]:
        """The answer's values alone, as Route 53 lists them."""
        return [line.split(None, 4)[4] for line in self.answer if len(line.split(None, 4)) == 5]


def _parse_ip(value: str, *, field: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        raise ToolError(f"{value} is not an IP address", field=field) from None


def _parse_subnet(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ToolError(
            f"{value} is not an IP network such as 203.0.113.0/24", field="client_subnet"
        ) from None


def explain_dns_answer(
    *,
    hosted_zone: HostedZone,
    record_name: str,
    record_type: str,
    resolver_ip: str = "",
    client_subnet: str = "",
) -> AnswerReport:
    """Answer (record_name, record_type) from `hosted_zone` with the DNS server's own engine.

    The zone version is the one the servers keep at the zone's serial (zones.snapshot
    `served_snapshot`: cached by zone and serial, updated by each change's diff), and the
    health view is the one the servers read, so the answer and its reasons match a live query. Raises
    ToolError naming the field for a bad name, type, address or subnet.
    """
    origin = dns.name.from_text(hosted_zone.name)
    try:
        name = dns.name.from_text(record_name, origin=origin)
    except dns.exception.DNSException as error:
        raise ToolError(f"{record_name} is not a domain name: {error}", field="record_name") from None
    if not name.is_subdomain(origin):
        raise ToolError(f"{name} is not in the zone {hosted_zone.name}", field="record_name")
    try:
        rdtype = dns.rdatatype.from_text(record_type.upper())
    except dns.rdatatype.UnknownRdatatype:
        raise ToolError(f"{record_type} is not a record type", field="record_type") from None
    client_address = _parse_ip(resolver_ip, field="resolver_ip") if resolver_ip else None
    subnet = _parse_subnet(client_subnet) if client_subnet else None
    question = engine.Question(name, rdtype, client_address=client_address, client_subnet=subnet)
    result = engine.answer(
        snapshot.served_snapshot(hosted_zone),
        question,
        bus.read_health_status(),
        config=snapshot.engine_config(),
    )
    message = result.message
    return AnswerReport(
        name_server=hosted_zone.name_servers[0] if hosted_zone.name_servers else "",
        record_name=name.to_text(),
        record_type=dns.rdatatype.to_text(rdtype),
        response_code=dns.rcode.to_text(message.rcode()),
        is_authoritative=bool(message.flags & dns.flags.AA),
        answer=[line for rrset in message.answer for line in rrset.to_text().splitlines()],
        authority=[line for rrset in message.authority for line in rrset.to_text().splitlines()],
        additional=[line for rrset in message.additional for line in rrset.to_text().splitlines()],
        reasons=result.reasons_as_dicts(),
        scope_prefix=result.scope_prefix,
    )
