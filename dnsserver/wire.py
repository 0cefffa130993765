"""Hand-written parsing and patching of DNS messages for the hot path.

`parse_query` reads the header, the one question and an optional OPT record (EDNS0,
RFC 6891) straight from the bytes; anything unusual (another opcode, several records, a
compressed question name, an EDNS version other than 0) returns None and goes to dnspython.
`complete` turns an engine template (or a rendered answer) into the reply: the client's ID,
RD/CD bits and question bytes, then our OPT record with the DNS COOKIE (RFC 7873, server
cookie laid out as RFC 9018) and the Client Subnet echo with its scope (RFC 7871).
"""

import hashlib
import ipaddress
import os
import struct
import time
from dataclasses import dataclass

from dnsserver import truncation
from zones.engine.data import IPAddress, Network
from zones.engine.render import CD, RD

HEADER = struct.Struct("!HHHHHH")
TYPE_CLASS = struct.Struct("!HH")
OPT_FIXED = struct.Struct("!HHBBHH")
OPTION = struct.Struct("!HH")
OPT_TYPE = 41
COOKIE = 10
ECS = 8
OUR_PAYLOAD = 1232
PLAIN_UDP_LIMIT = 512
DO_BIT = 0x8000
OPCODE_MASK = 0x7800
QR = 0x8000
COOKIES_PER_PERIOD = 65536
# Server cookies carry the start of the current minute as their timestamp (RFC 9018 §4.3
# asks only that a client's server cookie be renewed within half an hour), so that a
# reply with a cookie stays the same, and can be kept, for a minute.
COOKIE_PERIOD_SECONDS = 60
# A query's Client Subnet option (RFC 7871 §6) as it came: family, source prefix, address.
Subnet = tuple[int, int, bytes]
# Our OPT record without options (RFC 6891 §6.1.2): root owner, payload 1232, DO clear or set.
PLAIN_OPT = b"\x00" + OPT_FIXED.pack(OPT_TYPE, OUR_PAYLOAD, 0, 0, 0, 0)
DO_OPT = b"\x00" + OPT_FIXED.pack(OPT_TYPE, OUR_PAYLOAD, 0, 0, DO_BIT, 0)


class FormError(Exception):
    """The query is malformed in a way that earns FORMERR (RFC 1035 §4.1.1)."""


@dataclass(slots=True)
class Edns:
    """What the client's OPT record said."""

    payload: int
    is_do: bool
    client_cookie: bytes | None = None
    ecs_family: int = 0
    ecs_source: int = 0
    ecs_address: bytes = b""

    @property
    def has_ecs(self) -> bool:
        return self.ecs_family != 0

    def client_subnet(self) -> Network:
        """The ECS option as a network (address padded to its full length)."""
        return subnet_network((self.ecs_family, self.ecs_source, self.ecs_address))

    def udp_limit(self) -> int:
        return max(PLAIN_UDP_LIMIT, min(self.payload, OUR_PAYLOAD))


@dataclass(slots=True)
class Query:
    """A query as the fast path parsed it; `question` is the raw question bytes."""

    id: int
    flags: int
    qname: bytes
    rdtype: int
    question: bytes
    edns: Edns | None


def parse_query(data: bytes) -> Query | None:
    """Parse a plain QUERY by hand; None sends it down the general path.

    Raises FormError for a malformed COOKIE or Client Subnet option, so both paths agree.
    """
    if len(data) < 17:
        return None
    qid, flags, qdcount, ancount, nscount, arcount = HEADER.unpack_from(data)
    if flags & (QR | OPCODE_MASK) or qdcount != 1 or ancount or nscount or arcount > 1:
        return None
    offset = 12
    size = len(data)
    while True:
        if offset >= size:
            return None
        length = data[offset]
        if length == 0:
            break
        if length > 63 or offset - 12 + length > 253:
            return None
        offset += length + 1
    end = offset + 5
    if end > size:
        return None
    rdtype, rdclass = TYPE_CLASS.unpack_from(data, offset + 1)
    if rdclass != 1:
        return None
    qname = data[12 : offset + 1]
    if arcount == 0:
        if end != size:
            return None
        return Query(qid, flags, qname, rdtype, data[12:end], None)
    edns = _parse_opt(data, end)
    if edns is None:
        return None
    return Query(qid, flags, qname, rdtype, data[12:end], edns)


def _parse_opt(data: bytes, offset: int) -> Edns | None:
    if len(data) < offset + 11 or data[offset] != 0:
        return None
    rrtype, payload, _extended, version, ednsflags, rdlength = OPT_FIXED.unpack_from(data, offset + 1)
    start = offset + 11
    if rrtype != OPT_TYPE or version != 0 or start + rdlength != len(data):
        return None
    return parse_options(data[start:], payload, bool(ednsflags & DO_BIT))


def parse_options(options: bytes, payload: int, is_do: bool) -> Edns:
    """Read the EDNS options we act on; others are ignored (RFC 6891 §6.1.2).

    Raises FormError as `read_options` does.
    """
    client_cookie, subnet = read_options(options)
    edns = Edns(payload=payload, is_do=is_do, client_cookie=client_cookie)
    if subnet is not None:
        edns.ecs_family, edns.ecs_source, edns.ecs_address = subnet
    return edns


def read_options(options: bytes) -> tuple[bytes | None, Subnet | None]:
    """The client cookie and the Client Subnet of an OPT record's options, each None when absent.

    Raises FormError for a truncated option, a bad COOKIE length (RFC 7873 §5.2.2) or a bad
    ECS option (RFC 7871 §6: unknown family, prefix too long, non-zero scope, stray
    address bits).
    """
    client_cookie = subnet = None
    offset = 0
    size = len(options)
    while offset < size:
        if offset + 4 > size:
            raise FormError("truncated EDNS option")
        code = options[offset] << 8 | options[offset + 1]
        start = offset + 4
        offset = start + (options[offset + 2] << 8 | options[offset + 3])
        if offset > size:
            raise FormError("truncated EDNS option")
        if code == COOKIE:
            length = offset - start
            if length != 8 and not 16 <= length <= 40:
                raise FormError("bad COOKIE length")
            client_cookie = options[start : start + 8]
        elif code == ECS:
            subnet = _read_ecs(options[start:offset])
    return client_cookie, subnet


def _read_ecs(value: bytes) -> Subnet:
    if len(value) < 4:
        raise FormError("short ECS option")
    family, source, scope = struct.unpack_from("!HBB", value)
    address = value[4:]
    bits = 32 if family == 1 else 128 if family == 2 else 0
    if not bits or source > bits or scope != 0 or len(address) != (source + 7) // 8:
        raise FormError("bad ECS option")
    if source % 8 and address and address[-1] & (0xFF >> (source % 8)):
        raise FormError("ECS address has bits beyond its prefix")
    return family, source, address


def subnet_network(subnet: Subnet) -> Network:
    """A Client Subnet as a network (its address padded to the family's length)."""
    family, source, address = subnet
    packed = address + bytes((4 if family == 1 else 16) - len(address))
    return ipaddress.ip_network((ipaddress.ip_address(packed), source))


class CookieJar:
    """Server cookies in the RFC 9018 layout: version 1, reserved, timestamp, 8-byte hash.

    The hash is keyed BLAKE2b-64 over client cookie, version, reserved, timestamp and client
    address (RFC 9018 names SipHash-2-4, which Python does not expose; only servers that
    share the secret need to agree, and ours all use this one).
    """

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or os.urandom(16)
        # A resolver keeps its client cookie for a long time and asks many questions a
        # second; the cookies of the current period are remembered rather than rehashed.
        self._period = 0
        self._issued: dict[bytes, bytes] = {}

    def server_cookie(self, client_cookie: bytes, address: bytes, period: int | None = None) -> bytes:
        """The server cookie for this client in the period starting at `period` (now's when None)."""
        if period is None:
            period = cookie_period(time.time())
        if period != self._period:
            self._period = period
            self._issued = {}
        key = client_cookie + address
        cookie = self._issued.get(key)
        if cookie is None:
            if len(self._issued) >= COOKIES_PER_PERIOD:
                self._issued = {}
            prefix = b"\x01\x00\x00\x00" + period.to_bytes(4, "big")
            digest = hashlib.blake2b(
                client_cookie + prefix + address, key=self._secret, digest_size=8
            ).digest()
            cookie = self._issued[key] = prefix + digest
        return cookie


def cookie_period(now: float) -> int:
    """The start of the cookie period holding the time `now`, in whole seconds."""
    second = int(now)
    return second - second % COOKIE_PERIOD_SECONDS


def opt_record(edns: Edns, cookie: bytes | None, scope: int | None, extended_rcode: int = 0) -> bytes:
    """Our OPT record: payload 1232, the DO bit echoed, cookie and ECS echo when asked for."""
    options = b""
    if cookie is not None and edns.client_cookie is not None:
        value = edns.client_cookie + cookie
        options += OPTION.pack(COOKIE, len(value)) + value
    if edns.has_ecs:
        value = struct.pack("!HBB", edns.ecs_family, edns.ecs_source, scope or 0) + edns.ecs_address
        options += OPTION.pack(ECS, len(value)) + value
    flags = DO_BIT if edns.is_do else 0
    return b"\x00" + OPT_FIXED.pack(OPT_TYPE, OUR_PAYLOAD, extended_rcode, 0, flags, len(options)) + options


def ecs_option(family: int, source: int, scope: int, address: bytes) -> bytes:
    """A reply's Client Subnet option: the query's family, prefix and address, our scope (RFC 7871 §7.2.1)."""
    return OPTION.pack(ECS, len(address) + 4) + struct.pack("!HBB", family, source, scope) + address


def with_option(opt: bytes, option: bytes) -> bytes:
    """An OPT record of ours (ending in its options) with one more option at the end."""
    length = opt[9] << 8 | opt[10]
    return opt[:9] + (length + len(option)).to_bytes(2, "big") + opt[11:] + option


def complete(template: bytes, query: Query, opt: bytes | None, limit: int) -> bytes:
    """The reply: template with the client's ID, RD/CD, question bytes and our OPT appended.

    Over `limit` bytes the reply is compressed, then loses extra records, then is cut to the
    question with TC set (see truncation.py).
    """
    _, flags, qdcount, ancount, nscount, arcount = HEADER.unpack_from(template)
    flags |= query.flags & (RD | CD)
    body = template[12 + len(query.question) :]
    if opt is None:
        reply = HEADER.pack(query.id, flags, qdcount, ancount, nscount, arcount) + query.question + body
    else:
        reply = (
            HEADER.pack(query.id, flags, qdcount, ancount, nscount, arcount + 1) + query.question + body + opt
        )
    if len(reply) <= limit:
        return reply
    if ancount or nscount or arcount:
        head = HEADER.pack(query.id, flags, qdcount, ancount, nscount, arcount)
        return truncation.fit(head + query.question + body, query.question, opt, limit)
    return truncation.truncated(query.id, flags, query.question, opt or b"")


def address_bytes(address: IPAddress) -> bytes:
    return address.packed
