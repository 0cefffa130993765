"""Making a reply fit the client's UDP payload: compress, leave out extra records, then TC.

Templates are laid out for speed, not size: the tails of referrals and negative answers are
written without compression so that they can follow any question. A reply over the limit is
therefore first rendered again with full compression (RFC 1035 §4.1.4). If it is still too
big, additional records are left out, which does not earn TC (RFC 2181 §9), except the
in-domain glue of a referral, without which the referral cannot be followed (RFC 9471 §3.1).
When the answer, the authority section or that glue does not fit, the reply is cut to the
question with TC set (RFC 2181 §9), and the client asks again over TCP.
"""

import contextlib

import dns.exception
import dns.message
import dns.rdatatype
import dns.renderer
import dns.rrset

from zones.engine.render import HEADER, TC

GLUE_TYPES = (dns.rdatatype.A, dns.rdatatype.AAAA)


def fit(reply: bytes, question: bytes, opt: bytes | None, limit: int) -> bytes:
    """`reply` (without an OPT record) cut down to `limit` bytes once `opt` is appended.

    `question` is the reply's question section as bytes, for the truncated form.
    """
    opt = opt or b""
    qid, flags = HEADER.unpack_from(reply)[:2]
    message = dns.message.from_wire(reply)
    required, optional = _split_additional(message)
    renderer = dns.renderer.Renderer(qid, flags, limit - len(opt))
    try:
        renderer.add_question(message.question[0].name, message.question[0].rdtype)
        for section, rrsets in (
            (dns.renderer.ANSWER, message.answer),
            (dns.renderer.AUTHORITY, message.authority),
            (dns.renderer.ADDITIONAL, required),
        ):
            for rrset in rrsets:
                renderer.add_rrset(section, rrset, want_shuffle=False)
    except dns.exception.TooBig:
        return truncated(qid, flags, question, opt)
    for rrset in optional:
        with contextlib.suppress(dns.exception.TooBig):
            renderer.add_rrset(dns.renderer.ADDITIONAL, rrset, want_shuffle=False)
    if opt:
        renderer.counts[dns.renderer.ADDITIONAL] += 1
    renderer.write_header()
    return renderer.get_wire() + opt


def truncated(qid: int, flags: int, question: bytes, opt: bytes) -> bytes:
    """The question alone with TC set (and the OPT record, so EDNS is still negotiated)."""
    return HEADER.pack(qid, flags | TC, 1, 0, 0, 1 if opt else 0) + question + opt


def _split_additional(message: dns.message.Message) -> tuple[list[dns.rrset.RRset], list[dns.rrset.RRset]]:
    """Additional records a referral needs (in-domain glue, RFC 9471 §3.1), and the others."""
    cuts = [rrset.name for rrset in message.authority if rrset.rdtype == dns.rdatatype.NS]
    required = []
    optional = []
    for rrset in message.additional:
        if rrset.rdtype in GLUE_TYPES and any(rrset.name.is_subdomain(cut) for cut in cuts):
            required.append(rrset)
        else:
            optional.append(rrset)
    return required, optional
