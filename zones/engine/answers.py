"""The engine's two entry points: `answer` (a full answer with reasons) and `find_wire`.

`answer` is what the DNS server's general path, the console's test-answer and trace tools
and the tests call: one question in, a dnspython response plus structured reasons out.
`find_wire` is the server's fast path: for answers that do not depend on policy, health or
the client it returns a precomputed template (see render.py) or builds one from tails,
and returns None whenever `answer` must decide. Both read the same snapshot, and the
templates were produced by the same resolver, so the two paths cannot disagree.
"""

import ipaddress
import random
from collections.abc import Mapping
from dataclasses import dataclass

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from zones.engine.data import IPAddress, Network
from zones.engine.geo import EngineConfig
from zones.engine.policies import QueryContext, Reason
from zones.engine.render import AA, QR, question_wire
from zones.engine.resolver import resolve
from zones.engine.snapshot import ZoneSnapshot
from zones.engine.zoneset import ZoneSet

_NXDOMAIN_HEAD = (QR | AA | dns.rcode.NXDOMAIN).to_bytes(2, "big") + b"\x00\x01\x00\x00\x00\x01\x00\x00"
_NODATA_HEAD = (QR | AA).to_bytes(2, "big") + b"\x00\x01\x00\x00\x00\x01\x00\x00"
_ZERO_ID = b"\x00\x00"
_DS = dns.rdatatype.DS.to_bytes(2, "big")
_SPECIAL_TYPES = frozenset(
    {dns.rdatatype.ANY, dns.rdatatype.AXFR, dns.rdatatype.IXFR, dns.rdatatype.OPT, dns.rdatatype.TSIG}
)
DEFAULT_CONFIG = EngineConfig()


@dataclass(frozen=True)
class Question:
    """One question as the engine sees it; the client parts drive latency and geolocation."""

    qname: dns.name.Name
    rdtype: int
    client_address: IPAddress | None = None
    client_subnet: Network | None = None

    @classmethod
    def from_text(
        cls, qname: str, rdtype: str, client_address: str | None = None, client_subnet: str | None = None
    ) -> "Question":
        """Build a question from the strings a form or a test holds."""
        return cls(
            qname=dns.name.from_text(qname),
            rdtype=dns.rdatatype.from_text(rdtype),
            client_address=ipaddress.ip_address(client_address) if client_address else None,
            client_subnet=ipaddress.ip_network(client_subnet, strict=False) if client_subnet else None,
        )


@dataclass(frozen=True)
class Answer:
    """A response and how it was reached.

    `scope_prefix` is the ECS scope the server must send (RFC 7871 §7.2.1): None when no
    subnet was sent, 0 when the answer did not depend on the client. `zone` is the snapshot
    that answered (None when REFUSED).
    """

    message: dns.message.Message
    reasons: tuple[Reason, ...]
    zone: ZoneSnapshot | None
    scope_prefix: int | None
    is_dynamic: bool

    @property
    def rcode(self) -> int:
        return self.message.rcode()

    def reasons_as_dicts(self) -> list[dict]:
        return [reason.to_dict() for reason in self.reasons]


def answer(
    zones: ZoneSet | ZoneSnapshot,
    question: Question,
    health: Mapping[int, bool] | None = None,
    *,
    config: EngineConfig = DEFAULT_CONFIG,
    rng: random.Random | None = None,
    query_id: int = 0,
    name_server: str | None = None,
) -> Answer:
    """Answer one question from the zones of a role (or one zone) under a health view.

    `health` maps health-check ids to True/False; a missing id counts as healthy. The
    message echoes `question.qname` exactly (letter case included). Names outside every
    zone visible to the client get REFUSED. `name_server` is the address of the name
    server asked (it answers only its own zones), None for the convenience listener.
    Never raises for well-formed questions.
    """
    context = QueryContext(
        config=config,
        health=health or {},
        client_address=question.client_address,
        client_subnet=question.client_subnet,
        rng=rng or random.Random(),
    )
    if isinstance(zones, ZoneSnapshot):
        zone = zones if question.qname.is_subdomain(zones.origin) else None
    else:
        zone = zones.find_zone(question.qname, question.client_address, name_server)
    message = dns.message.Message(id=query_id)
    message.flags = dns.flags.QR
    message.question = [dns.rrset.RRset(question.qname, dns.rdataclass.IN, question.rdtype)]
    if zone is None:
        message.set_rcode(dns.rcode.REFUSED)
        context.note("refused", f"{question.qname} is not in a zone served here")
        return Answer(message, tuple(context.reasons), None, _scope(question, context), False)
    context.note("zone", f"answered from zone {zone.origin} serial {zone.serial}", zone=zone.key)
    result = resolve(zone, question.qname, question.rdtype, context)
    if result.is_authoritative:
        message.flags |= dns.flags.AA
    message.set_rcode(result.rcode)
    message.answer = result.answer
    message.authority = result.authority
    message.additional = result.additional
    return Answer(message, tuple(context.reasons), zone, _scope(question, context), context.is_dynamic)


def _scope(question: Question, context: QueryContext) -> int | None:
    if question.client_subnet is None:
        return None
    return context.scope_prefix or 0


def find_wire(zone: ZoneSnapshot, key: bytes, rdtype: int) -> bytes | None:
    """A template for a lower-case wire name and type when the answer is static, else None.

    `key` must lie inside `zone` (as ZoneSet.find guarantees). The template has ID 0, no
    RD/CD, and the lower-case question; see render.py for how a server completes it.
    """
    suffix = rdtype.to_bytes(2, "big")
    template = zone.answers.get(key + suffix)
    if template is not None:
        return template
    if rdtype in _SPECIAL_TYPES:
        return None
    info = zone.names.get(key)
    if info is not None and not info.below_cut:
        if info.is_cut:
            if suffix == _DS:
                return _ZERO_ID + _NODATA_HEAD + question_wire(key, rdtype) + zone.negative_tail
            counts, tail = zone.referrals[key]
            return _ZERO_ID + counts + question_wire(key, rdtype) + tail
        if rdtype in info.types or dns.rdatatype.CNAME in info.types:  # the resolver decides
            return None
        return _ZERO_ID + _NODATA_HEAD + question_wire(key, rdtype) + zone.negative_tail
    # Walk up to the closest existing ancestor: a delegation above refers, a wildcard
    # beside it needs the resolver, otherwise the name does not exist.
    origin_length = len(zone.origin_key)
    offset = 0
    ancestors = []
    while len(key) - offset > origin_length:
        ancestors.append(offset)
        offset += key[offset] + 1
    for offset in reversed(ancestors):
        ancestor = zone.names.get(key[offset:])
        if ancestor is None:
            break
        if ancestor.is_cut:
            counts, tail = zone.referrals[key[offset:]]
            return _ZERO_ID + counts + question_wire(key, rdtype) + tail
    if zone.has_wildcards:
        return None
    return _ZERO_ID + _NXDOMAIN_HEAD + question_wire(key, rdtype) + zone.negative_tail
