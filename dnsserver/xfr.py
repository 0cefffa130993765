"""Zone transfers out (AXFR, RFC 5936; IXFR answered in full, RFC 1995 §4) and NOTIFY (RFC 1996).

Only addresses inside the zone's transfer networks may transfer it; everyone else gets
REFUSED. We keep no journal, so IXFR gets either our SOA alone (the client is current) or
the whole zone in AXFR form, which RFC 1995 allows.
"""

import asyncio
import logging
import socket

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.rrset

from zones.engine import ZoneSet, ZoneSnapshot, is_newer
from zones.engine.data import IPAddress

logger = logging.getLogger(__name__)

MESSAGE_BUDGET = 16000
NOTIFY_TIMEOUT_SECONDS = 2.0
NOTIFY_ATTEMPTS = 3


def transfer(zones: ZoneSet, data: bytes, address: IPAddress, name_server: str | None = None) -> list[bytes]:
    """The reply messages to an AXFR or IXFR request received over TCP (on `name_server`, if one)."""
    request = dns.message.from_wire(data)
    question = request.question[0]
    zone = zones.find_zone(question.name, address, name_server)
    if zone is None or zone.origin != question.name or not zone.allows_transfer(address):
        reply = dns.message.make_response(request)
        reply.set_rcode(dns.rcode.REFUSED)
        return [reply.to_wire()]
    if question.rdtype == dns.rdatatype.IXFR:
        client_serial = next(
            (rrset[0].serial for rrset in request.authority if rrset.rdtype == dns.rdatatype.SOA), None
        )
        if client_serial is not None and not is_newer(zone.serial, client_serial):
            reply = _response(request)
            reply.answer.append(zone.soa)
            return [reply.to_wire()]
    return list(_axfr_messages(request, zone))


def _response(request: dns.message.Message) -> dns.message.Message:
    reply = dns.message.make_response(request)
    reply.flags |= dns.flags.AA
    return reply


def _axfr_messages(request: dns.message.Message, zone: ZoneSnapshot):
    reply = _response(request)
    size = 0
    for rrset in [*zone.iter_rrsets(), zone.soa]:
        estimate = sum(len(rdata.to_wire()) + len(rrset.name) * 2 + 12 for rdata in rrset)
        if reply.answer and size + estimate > MESSAGE_BUDGET:
            yield reply.to_wire()
            reply = _response(request)
            reply.question = []
            size = 0
        reply.answer.append(rrset)
        size += estimate
    yield reply.to_wire()


def notify_message(zone: ZoneSnapshot) -> dns.message.Message:
    message = dns.message.make_query(zone.origin, dns.rdatatype.SOA)
    message.set_opcode(dns.opcode.NOTIFY)
    message.flags = dns.flags.AA | (message.flags & ~dns.flags.RD)
    message.answer.append(zone.soa)
    return message


def parse_target(target: str) -> tuple[str, int]:
    """ "host", "host:port" or "[v6]:port" to (host, port); port 53 by default."""
    if target.startswith("["):
        host, _, port = target[1:].partition("]:")
        return host.rstrip("]"), int(port or 53)
    if target.count(":") == 1:
        host, port = target.split(":")
        return host, int(port)
    return target, 53


async def send_notify(zone: ZoneSnapshot) -> dict[str, bool]:
    """Send NOTIFY for the zone's current serial to each of its targets; True if acknowledged."""
    results = {}
    for target in zone.notify_targets:
        results[target] = await _notify_one(zone, target)
    return results


async def _notify_one(zone: ZoneSnapshot, target: str) -> bool:
    host, port = parse_target(target)
    message = notify_message(zone)
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        for _ in range(NOTIFY_ATTEMPTS):
            await loop.sock_sendto(sock, message.to_wire(), (host, port))
            try:
                reply = await asyncio.wait_for(loop.sock_recv(sock, 65535), NOTIFY_TIMEOUT_SECONDS)
            except TimeoutError:
                continue
            try:
                parsed = dns.message.from_wire(reply)
            except dns.exception.DNSException:
                continue
            if parsed.id == message.id:
                return True
    logger.warning("NOTIFY for %s serial %s to %s was not acknowledged", zone.origin, zone.serial, target)
    return False
