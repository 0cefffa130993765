"""From request bytes to reply bytes: the one pass, the general path and error mapping.

The one pass (`QueryHandler._answer_one_pass`) reads the header, question and OPT record
once, finds the zone once, takes the engine's precomputed template (`find_wire`) or, for
routed, health- or client-dependent answers, one from `DynamicAnswers` (dynamic.py), and
patches it with the client's ID, flags, question and our OPT record; UDP and TCP alike.
Requests it does not read (other opcodes, odd layouts, EDNS versions) are parsed by
dnspython and join the same templates in `_dispatch`. Every failure maps to one RCODE in
`error_reply`; nothing here decides an answer.
"""

import bisect
import collections
import ipaddress
import logging
import random
import struct
import time
from collections.abc import Mapping

import dns.exception
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from dnsserver import xfr
from dnsserver.dynamic import FOR_THIS_SOURCE, DynamicAnswers, WeightedPlan
from dnsserver.metrics import LATENCY_BOUNDS_SECONDS, LATENCY_SAMPLE_EVERY, BusCounts
from dnsserver.replycache import ReplyBudget, ReplyCache
from dnsserver.wire import (
    COOKIE_PERIOD_SECONDS,
    DO_OPT,
    HEADER,
    OUR_PAYLOAD,
    PLAIN_OPT,
    PLAIN_UDP_LIMIT,
    TYPE_CLASS,
    CookieJar,
    Edns,
    FormError,
    Query,
    complete,
    cookie_period,
    ecs_option,
    opt_record,
    parse_options,
    parse_query,
    read_options,
    with_option,
)
from zones.engine import Delegations, EngineConfig, ZoneSet, find_wire
from zones.engine.data import IPAddress
from zones.engine.render import QR, TC

logger = logging.getLogger(__name__)

ROLES = ("auth", "tld", "root")
# The role of hosted zones, which follow delegation (the others serve the registry's zones).
HOSTED_ROLE = "auth"
TCP_LIMIT = 65535
MAX_NAME_OCTETS = 255
TRANSFER_TYPES = frozenset({dns.rdatatype.AXFR, dns.rdatatype.IXFR})
REFUSED_ZONE = "-"
BADVERS = 16
COOKIE_OPTS_KEPT = 65536
# Replies kept by every listener of a process together (ReplyCache): a few hundred bytes each.
REPLIES_KEPT = 100_000


class ServerState:
    """What every listener of a process answers from. Attributes are replaced, never edited.

    `name_servers` (host → address) are our name servers: the `auth` zones then follow
    delegation, and a listener on one of those addresses answers as that name server.
    """

    def __init__(
        self,
        config: EngineConfig | None = None,
        roles: tuple[str, ...] = ROLES,
        name_servers: Mapping[dns.name.Name, str] | None = None,
    ) -> None:
        delegations = Delegations.build(name_servers) if name_servers is not None else None
        self.zones: dict[str, ZoneSet] = {
            role: ZoneSet(delegations=delegations if role == HOSTED_ROLE else None) for role in roles
        }
        self.health: dict[int, bool] = {}
        self.config = config or EngineConfig()
        self.cookies = CookieJar()
        self.rng = random.Random()
        # Counts taken by `take_counters` but not yet written (the follower puts them back here
        # when Redis is away); the handlers count into their own cumulative counters.
        self.counters: collections.Counter[tuple[str, int, int]] = collections.Counter()
        self.handlers: list[QueryHandler] = []
        self.bus = BusCounts()
        self.replies_kept = ReplyBudget(REPLIES_KEPT)

    def take_counters(self) -> collections.Counter:
        """The queries answered since the last call, by (zone key, type, rcode), over every listener."""
        counters, self.counters = self.counters, collections.Counter()
        for handler in self.handlers:
            counters.update(handler.take_new_counts())
        return counters

    def name_server_at(self, role: str, host: str) -> str | None:
        """The name server a listener of `role` on `host` answers as, or None (the convenience listener)."""
        zones = self.zones.get(role)
        if role != HOSTED_ROLE or zones is None:
            return None
        address = ipaddress.ip_address(host).compressed
        return address if address in zones.delegations.addresses else None


class QueryHandler:
    """Answers the requests of one listener: its role's zones, as one name server or as the convenience one.

    `name_server` is the address of the name server the listener is (it answers that name
    server's zones only); None for every other listener.
    """

    def __init__(self, state: ServerState, role: str, name_server: str | None = None) -> None:
        self.state = state
        self.role = role
        self.name_server = name_server
        self._cookie_opts: dict[bytes, tuple[IPAddress, int, bytes, bytes]] = {}
        self.dynamic = DynamicAnswers(state)
        # What the metrics read (dnsserver/metrics.py): replies by (zone key, type, rcode)
        # since start, and the sampled answer latency as counts per bucket of
        # LATENCY_BOUNDS_SECONDS (the last for longer ones) and their sum. Plain numbers, so
        # that counting costs next to nothing.
        self.counts: collections.Counter[tuple[str, int, int]] = collections.Counter()
        self.latency_counts = [0] * (len(LATENCY_BOUNDS_SECONDS) + 1)
        self.latency_sum_seconds = 0.0
        self._until_sample = 1
        self._counts_taken: dict[tuple[str, int, int], int] = {}
        self.reply_cache = ReplyCache(state, role)
        state.handlers.append(self)

    def handle(self, data: bytes, address: IPAddress, is_tcp: bool = False) -> bytes | None:
        """One reply for one request, or None to drop it (short header, a response).

        One request in LATENCY_SAMPLE_EVERY is timed for the latency histogram: reading the
        clock costs more than a tenth of a static answer on some virtual machines. The UDP
        batch loop times the first request of each batch instead (`answer_timed`).
        """
        self._until_sample -= 1
        if self._until_sample:
            return self.answer(data, address, is_tcp)
        self._until_sample = LATENCY_SAMPLE_EVERY
        return self.answer_timed(data, address, is_tcp)

    def answer(self, data: bytes, address: IPAddress, is_tcp: bool = False) -> bytes | None:
        """The reply to one request, or None to drop it; not timed."""
        if not is_tcp:
            tail = self.reply_cache.reply_after_id(data[2:], address.packed)
            if tail is not None:
                return data[:2] + tail
        try:
            return self._answer_one_pass(data, address, is_tcp) or self._answer_general(data, address, is_tcp)
        except FormError:
            return self._error(data, dns.rcode.FORMERR)
        except Exception:
            logger.exception("answering a %d-byte request from %s failed", len(data), address)
            return self._error(data, dns.rcode.SERVFAIL)

    def answer_timed(self, data: bytes, address: IPAddress, is_tcp: bool = False) -> bytes | None:
        """`answer`, timed into the latency histogram."""
        started = time.perf_counter()
        reply = self.answer(data, address, is_tcp)
        elapsed = time.perf_counter() - started
        self.latency_counts[bisect.bisect_left(LATENCY_BOUNDS_SECONDS, elapsed)] += 1
        self.latency_sum_seconds += elapsed
        return reply

    def _answer_general(self, data: bytes, address: IPAddress, is_tcp: bool) -> bytes | None:
        """The reply to a request the one pass does not read: parse_query, else dnspython."""
        query = parse_query(data) or self._parse_general(data)
        if isinstance(query, Query):
            return self._dispatch(query, address, is_tcp)
        if query is not None:
            self._count_error(data, query)
        return query

    def _error(self, data: bytes, rcode: int) -> bytes | None:
        reply = error_reply(data, rcode)
        self._count_error(data, reply)
        return reply

    def all_counts(self) -> dict[tuple[str, int, int], int]:
        """Every reply since start by (zone key, type, rcode): those answered and those kept."""
        counts = dict(self.counts)
        for counted, count in self.reply_cache.counts.items():
            counts[counted] = counts.get(counted, 0) + count[0]
        return counts

    def take_new_counts(self) -> dict[tuple[str, int, int], int]:
        """The replies counted since the last call (the cumulative counts stay for the metrics)."""
        now = self.all_counts()
        taken = self._counts_taken
        self._counts_taken = now
        return {key: count - taken.get(key, 0) for key, count in now.items() if count != taken.get(key, 0)}

    def _count_error(self, data: bytes, reply: bytes | None) -> None:
        if reply is not None:
            self.counts[(REFUSED_ZONE, _question_type(data) or 0, reply[3] & 0x0F)] += 1

    def handle_stream(self, data: bytes, address: IPAddress) -> list[bytes]:
        """Replies to one TCP request: several messages for a zone transfer, else one."""
        if _question_type(data) in TRANSFER_TYPES:
            try:
                return xfr.transfer(self.state.zones[self.role], data, address, self.name_server)
            except dns.exception.DNSException:
                reply = error_reply(data, dns.rcode.FORMERR)
                return [reply] if reply is not None else []
            except Exception:
                logger.exception("zone transfer to %s failed", address)
                reply = error_reply(data, dns.rcode.SERVFAIL)
                return [reply] if reply is not None else []
        reply = self.handle(data, address, is_tcp=True)
        return [reply] if reply is not None else []

    def _answer_one_pass(self, data: bytes, address: IPAddress, is_tcp: bool) -> bytes | None:
        """The reply to a query in one pass over its bytes, or None to take the general way.

        Taken: a QUERY with one IN question, an uncompressed name, no answer or authority
        records, and no EDNS or an EDNS0 OPT record ending the message, with any options.
        The header, question and OPT record are read once, the zone found once, the answer
        is a template (static from the engine, dynamic from `DynamicAnswers`), and the
        reply is that template with the client's ID, RD/CD, question and our OPT record. It
        makes the same reply as parse_query, _dispatch and complete would; it only skips
        their objects and calls, which is most of a query's cost in Python.
        """
        size = len(data)
        # Header: QR clear, opcode QUERY, QDCOUNT 1, no answer or authority, ARCOUNT 0 or 1.
        if size < 17 or data[2] & 0xF8 or data[4:11] != b"\x00\x01\x00\x00\x00\x00\x00" or data[11] > 1:
            return None
        offset = 12
        length = data[12]
        while length:
            if length > 63:
                return None
            offset += length + 1
            if offset >= size:
                return None
            length = data[offset]
        end = offset + 5
        if end > size or offset > 266 or data[offset + 3] or data[offset + 4] != 1:
            return None
        rdtype = data[offset + 1] << 8 | data[offset + 2]
        if rdtype in TRANSFER_TYPES:
            return None
        limit = TCP_LIMIT if is_tcp else PLAIN_UDP_LIMIT
        opt = b""
        subnet = None
        is_kept = not is_tcp
        owner = until = draw = health = None
        if not data[11]:
            if end != size:  # trailing bytes: dnspython's reading gives FORMERR
                return None
        else:
            # OPT (RFC 6891 §6.1.2): root owner, type 41, version 0, ending the message.
            if size < end + 11 or data[end : end + 3] != b"\x00\x00\x29" or data[end + 6]:
                return None
            rdlength = data[end + 9] << 8 | data[end + 10]
            if end + 11 + rdlength != size:
                return None
            opt = DO_OPT if data[end + 7] & 0x80 else PLAIN_OPT
            if rdlength:
                if (
                    data[end + 11 : end + 13] == b"\x00\x0a"
                    and not data[end + 13]
                    and data[end + 14] == rdlength - 4
                    and (rdlength == 12 or 20 <= rdlength <= 44)
                ):
                    # A lone COOKIE option (RFC 7873 §4), the common case: the client
                    # cookie, maybe our last one; read without making objects.
                    period = cookie_period(time.time())
                    owner, until = address.packed, period + COOKIE_PERIOD_SECONDS
                    opt = self._cookie_opt(data[end + 15 : end + 23], address, opt, period)
                else:
                    client_cookie, subnet = read_options(data[end + 11 :])
                    if client_cookie is not None:
                        period = cookie_period(time.time())
                        owner, until = address.packed, period + COOKIE_PERIOD_SECONDS
                        opt = self._cookie_opt(client_cookie, address, opt, period)
            if not is_tcp:
                payload = data[end + 3] << 8 | data[end + 4]
                limit = (
                    OUR_PAYLOAD if payload >= OUR_PAYLOAD else payload if payload > PLAIN_UDP_LIMIT else 512
                )
        key = data[12 : offset + 1].lower()
        zone_set = self.state.zones[self.role]
        zone = zone_set.find(key, address, self.name_server)
        scope = 0
        if zone is None:
            template = HEADER.pack(0, QR | dns.rcode.REFUSED, 1, 0, 0, 0) + data[12:end]
            zone_key = REFUSED_ZONE
        else:
            zone_key = zone.key
            template = find_wire(zone, key, rdtype)
            if template is None:
                template, scope, reuse = self.dynamic.find(zone_set, zone, key, rdtype, address, subnet)
                health = self.state.health
                if reuse is None:
                    is_kept = False
                elif reuse is FOR_THIS_SOURCE:
                    owner = address.packed
                elif isinstance(reuse, WeightedPlan):
                    draw = reuse
        if subnet is not None:
            opt = with_option(opt, ecs_option(subnet[0], subnet[1], scope or 0, subnet[2]))
        reply = _patched(data, template, offset, rdtype, opt, limit)
        counted = (zone_key, rdtype, reply[3] & 0x0F)
        self.counts[counted] += 1
        if is_kept:
            if draw is None:
                tail: bytes | list[bytes] = reply[2:]
            else:
                tail = [_patched(data, each, offset, rdtype, opt, limit)[2:] for each in draw.templates]
            self.reply_cache.keep(data, tail, counted, owner, until, draw, health)
        return reply

    def _cookie_opt(self, client_cookie: bytes, address: IPAddress, base: bytes, period: int) -> bytes:
        """Our OPT record `base` with a COOKIE option: the client's cookie and our own of `period`.

        The last one built for a client cookie is kept with the address object it was
        built for; the server reuses one object per source address, so that an identity
        check replaces hashing the address within the same period.
        """
        kept = self._cookie_opts.get(client_cookie)
        if kept is not None and kept[0] is address and kept[1] == period and kept[2] is base:
            return kept[3]
        value = client_cookie + self.state.cookies.server_cookie(client_cookie, address.packed, period)
        opt = (
            base[:-2]
            + (len(value) + 4).to_bytes(2, "big")
            + b"\x00\x0a"
            + len(value).to_bytes(2, "big")
            + value
        )
        if len(self._cookie_opts) >= COOKIE_OPTS_KEPT:
            self._cookie_opts.clear()
        self._cookie_opts[client_cookie] = (address, period, base, opt)
        return opt

    def _dispatch(self, query: Query, address: IPAddress, is_tcp: bool) -> bytes:
        """The reply to a query parsed by parse_query or dnspython: the same answers as the one pass."""
        edns = query.edns
        key = query.qname.lower()
        zone_set = self.state.zones[self.role]
        zone = zone_set.find(key, address, self.name_server)
        subnet = (edns.ecs_family, edns.ecs_source, edns.ecs_address) if edns and edns.has_ecs else None
        scope: int | None = None if subnet is None else 0
        if zone is None:
            template = _refused_template(query)
            zone_key = REFUSED_ZONE
        elif query.rdtype in TRANSFER_TYPES:
            # Transfers need TCP (RFC 5936 §4.2); a TC reply sends the client there.
            template = _header_only(query, QR | TC)
            zone_key = zone.key
        else:
            zone_key = zone.key
            template = find_wire(zone, key, query.rdtype)
            if template is None:
                found = self.dynamic.find(zone_set, zone, key, query.rdtype, address, subnet)
                template, scope = found[0], found[1]
        opt = None
        limit = TCP_LIMIT if is_tcp else 512
        if edns is not None:
            cookie = None
            if edns.client_cookie is not None:
                cookie = self.state.cookies.server_cookie(edns.client_cookie, address.packed)
            opt = opt_record(edns, cookie, scope)
            if not is_tcp:
                limit = edns.udp_limit()
        reply = complete(template, query, opt, limit)
        self.counts[(zone_key, query.rdtype, reply[3] & 0x0F)] += 1
        return reply

    def _parse_general(self, data: bytes) -> Query | bytes | None:
        """dnspython's reading of an unusual request: a Query to dispatch, a reply, or None."""
        if len(data) < 12:
            return None
        flags = struct.unpack_from("!H", data, 2)[0]
        if flags & QR:
            return None
        opcode = dns.opcode.from_flags(flags)
        if opcode not in (dns.opcode.QUERY, dns.opcode.NOTIFY):
            return error_reply(data, dns.rcode.NOTIMP)
        try:
            message = dns.message.from_wire(data)
        except dns.message.ShortHeader:
            return None
        except (dns.exception.DNSException, ValueError, UnicodeError, struct.error, IndexError):
            return error_reply(data, dns.rcode.FORMERR)
        if opcode == dns.opcode.NOTIFY:
            # NOTIFY is for secondaries, and we are the primary of every zone we serve.
            return error_reply(data, dns.rcode.REFUSED)
        edns = None
        if message.edns >= 0:
            options = b"".join(
                struct.pack("!HH", option.otype, len(wire)) + wire
                for option in message.options
                for wire in (option.to_wire(),)
            )
            edns = parse_options(options, message.payload, bool(message.ednsflags & 0x8000))
            if message.edns > 0:
                return _badvers(data, edns)
        if len(message.question) != 1:
            return error_reply(data, dns.rcode.FORMERR)
        rrset = message.question[0]
        question = rrset.name.to_wire() + TYPE_CLASS.pack(rrset.rdtype, rrset.rdclass)
        if rrset.rdclass != dns.rdataclass.IN:
            return _header_only(
                Query(message.id, message.flags, b"", 0, question, None), QR | dns.rcode.REFUSED
            )
        return Query(message.id, message.flags, rrset.name.to_wire(), rrset.rdtype, question, edns)


def _patched(data: bytes, template: bytes, offset: int, rdtype: int, opt: bytes, limit: int) -> bytes:
    """`template` as the reply to the one-pass query `data` (its question name ends at `offset`).

    The client's ID, RD and CD bits and question, then our OPT record `opt` (b"" for none);
    over `limit` bytes, `complete` makes the truncated reply.
    """
    end = offset + 5
    arcount = template[10] << 8 | template[11]
    if opt:
        arcount += 1
    reply = b"".join(
        (
            data[:2],
            bytes((template[2] | data[2] & 0x01, template[3] | data[3] & 0x10)),
            template[4:10],
            arcount.to_bytes(2, "big"),
            data[12:end],
            template[end:],
            opt,
        )
    )
    if len(reply) > limit:
        flags = data[2] << 8 | data[3]
        query = Query(data[0] << 8 | data[1], flags, data[12 : offset + 1], rdtype, data[12:end], None)
        reply = complete(template, query, opt or None, limit)
    return reply


def _refused_template(query: Query) -> bytes:
    return HEADER.pack(0, QR | dns.rcode.REFUSED, 1, 0, 0, 0) + query.question


def _header_only(query: Query, flags: int) -> bytes:
    return HEADER.pack(query.id, flags | (query.flags & 0x0100), 1, 0, 0, 0) + query.question


def _badvers(data: bytes, edns: Edns) -> bytes:
    # RFC 6891 §6.1.3: BADVERS is 16, split between the header (0) and the OPT record (1).
    reply = bytearray(error_reply(data, dns.rcode.NOERROR) or b"")
    reply[10:12] = b"\x00\x01"
    return bytes(reply) + opt_record(edns, None, None, extended_rcode=BADVERS >> 4)


def error_reply(data: bytes, rcode: int) -> bytes | None:
    """The one mapping from a failure to a reply: header and, if readable, the question.

    A request shorter than a header, or one that is itself a response, gets no reply.
    """
    if len(data) < 12:
        return None
    qid, flags, qdcount = struct.unpack_from("!HHH", data)
    if flags & QR:
        return None
    question = _first_question(data) if qdcount else b""
    reply_flags = QR | (flags & 0x7900) | rcode
    return HEADER.pack(qid, reply_flags, 1 if question else 0, 0, 0, 0) + question


def _question_type(data: bytes) -> int | None:
    question = _first_question(data) if len(data) > 12 else b""
    return TYPE_CLASS.unpack_from(question, len(question) - 4)[0] if question else None


def _first_question(data: bytes) -> bytes:
    """The first question's bytes, or b"" when its name is not a valid uncompressed name.

    A name over 255 octets (RFC 1035 §2.3.4) is not echoed: a reply carrying it could not be
    parsed by the client, so FORMERR goes out with an empty question section, as NSD does.
    """
    offset = 12
    while offset < len(data):
        length = data[offset]
        if length == 0:
            end = offset + 5
            return data[12:end] if end <= len(data) and offset - 12 < MAX_NAME_OCTETS else b""
        if length > 63:
            return b""
        offset += length + 1
    return b""
