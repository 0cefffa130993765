"""Wire-format building blocks for precomputed answers.

A *template* is a complete response whose question holds the query name in lower case and
whose ID and RD/CD bits are zero. The server turns a template into the reply by writing the
client's ID and flags into the header and the client's own question bytes over the template's
(same length, so every compression pointer stays valid; RFC 1035 §4.1.4).

A *tail* is the part after the question, written without compression pointers, so that it
can follow any question: NXDOMAIN/NODATA authority, referrals.
"""

import io
import struct

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

HEADER = struct.Struct("!HHHHHH")
QR = 0x8000
AA = 0x0400
TC = 0x0200
RD = 0x0100
CD = 0x0010


# One length octet per possible label length (RFC 1035 §2.3.4: at most 63).
_LENGTH_OCTETS = tuple(bytes((length,)) for length in range(64))


def name_key(name: dns.name.Name) -> bytes:
    """The lookup key of a name: its uncompressed wire form in lower case (RFC 4343).

    Raises dns.name.NeedAbsoluteNameOrOrigin for a relative name.
    """
    labels = name.labels
    if not labels or labels[-1]:
        raise dns.name.NeedAbsoluteNameOrOrigin
    # Built from the labels: Name.to_wire costs three times as much, and compiling a large
    # zone computes one key per record.
    return b"".join([_LENGTH_OCTETS[len(label)] + label for label in labels]).lower()


def question_wire(key: bytes, rdtype: int) -> bytes:
    return key + struct.pack("!HH", rdtype, dns.rdataclass.IN)


# Types whose rdata names dnspython compresses when it renders a message (RFC 1035 §4.1.4
# allows it for the well-known types; RFC 3597 §4 forbids it for the others). `render`
# writes NS, CNAME, PTR, MX and SOA itself and leaves messages with the rest to dnspython.
_TARGET_TYPES = frozenset({dns.rdatatype.NS, dns.rdatatype.CNAME, dns.rdatatype.PTR})
_OTHER_COMPRESSED_TYPES = frozenset({dns.rdatatype.IPSECKEY, dns.rdatatype.AMTRELAY})


def render(
    flags: int,
    qname: dns.name.Name,
    rdtype: int,
    answer: list[dns.rrset.RRset],
    authority: list[dns.rrset.RRset],
    additional: list[dns.rrset.RRset],
) -> bytes:
    """A compressed template for one question (ID 0, question in lower case).

    Byte for byte what `render_with_dnspython` writes, at a fraction of the cost: names are
    compressed against a table of lower-case wire suffixes instead of dnspython Name objects.
    """
    sections = (answer, authority, additional)
    for section in sections:
        for rrset in section:
            if rrset.rdtype in _OTHER_COMPRESSED_TYPES or rrset.rdclass != dns.rdataclass.IN or not rrset:
                return render_with_dnspython(flags, qname, rdtype, answer, authority, additional)
    out = bytearray(HEADER.size)
    table: dict[bytes, int] = {}
    _write_name(out, qname.canonicalize(), table)
    out += struct.pack("!HH", rdtype, dns.rdataclass.IN)
    counts = [sum(_write_rrset(out, rrset, table) for rrset in section) for section in sections]
    HEADER.pack_into(out, 0, 0, flags, 1, *counts)
    return bytes(out)


def _write_name(out: bytearray, name: dns.name.Name, table: dict[bytes, int]) -> None:
    # RFC 1035 §4.1.4, as dnspython's Name.to_wire does it: the longest suffix already
    # written becomes a pointer; each suffix written out is remembered while its offset fits
    # in a pointer.
    key = name_key(name)
    offset = 0
    for label in name.labels:
        if not label:
            out.append(0)
            return
        pointer = table.get(key[offset:])
        if pointer is not None:
            out += (0xC000 | pointer).to_bytes(2, "big")
            return
        if len(out) <= 0x3FFF:
            table[key[offset:]] = len(out)
        out.append(len(label))
        out += label
        offset += len(label) + 1


def _write_rrset(out: bytearray, rrset: dns.rrset.RRset, table: dict[bytes, int]) -> int:
    fixed = struct.pack("!HHI", rrset.rdtype, rrset.rdclass, rrset.ttl)
    # The compiler hands plain record sets over as uncompressed rdata wire.
    wires = getattr(rrset, "wires", None)
    for rdata in rrset if wires is None else wires:
        _write_name(out, rrset.name, table)
        out += fixed
        length_at = len(out)
        out += b"\x00\x00"
        if wires is None:
            _write_rdata(out, rdata, table)
        else:
            out += rdata
        struct.pack_into("!H", out, length_at, len(out) - length_at - 2)
    return len(rrset)


def _write_rdata(out: bytearray, rdata: dns.rdata.Rdata, table: dict[bytes, int]) -> None:
    rdtype = rdata.rdtype
    if rdtype in _TARGET_TYPES:
        _write_name(out, rdata.target, table)
    elif rdtype == dns.rdatatype.MX:
        out += struct.pack("!H", rdata.preference)
        _write_name(out, rdata.exchange, table)
    elif rdtype == dns.rdatatype.SOA:
        _write_name(out, rdata.mname, table)
        _write_name(out, rdata.rname, table)
        out += struct.pack("!IIIII", rdata.serial, rdata.refresh, rdata.retry, rdata.expire, rdata.minimum)
    else:
        out += rdata.to_wire()


def render_with_dnspython(
    flags: int,
    qname: dns.name.Name,
    rdtype: int,
    answer: list[dns.rrset.RRset],
    authority: list[dns.rrset.RRset],
    additional: list[dns.rrset.RRset],
) -> bytes:
    """`render` through dnspython's own RRset.to_wire: the reference, and the path for rare types."""
    buffer = io.BytesIO()
    buffer.write(bytes(HEADER.size))
    compress: dict[dns.name.Name, int] = {}
    qname.canonicalize().to_wire(buffer, compress)
    buffer.write(struct.pack("!HH", rdtype, dns.rdataclass.IN))
    counts = [
        sum(rrset.to_wire(buffer, compress, want_shuffle=False) for rrset in section)
        for section in (answer, authority, additional)
    ]
    wire = bytearray(buffer.getvalue())
    HEADER.pack_into(wire, 0, 0, flags, 1, *counts)
    return bytes(wire)


def render_tail(sections: tuple[list[dns.rrset.RRset], ...]) -> tuple[tuple[int, ...], bytes]:
    """Uncompressed records of each section, and how many records each section holds."""
    buffer = io.BytesIO()
    counts = tuple(
        sum(rrset.to_wire(buffer, None, want_shuffle=False) for rrset in section) for section in sections
    )
    return counts, buffer.getvalue()


def render_plain(flags: int, key: bytes, rdtype: int, ttl: int, wires: list[bytes]) -> bytes:
    """The template of an answer made of one RRset at the question's own name.

    Byte for byte what `render` writes for that answer when no rdata holds a compressible
    name: every owner is a pointer to the question name at offset 12 (RFC 1035 §4.1.4).
    """
    prefix = b"\xc0\x0c" + struct.pack("!HHI", rdtype, dns.rdataclass.IN, ttl)
    parts = [HEADER.pack(0, flags, 1, len(wires), 0, 0), key, struct.pack("!HH", rdtype, dns.rdataclass.IN)]
    for wire in wires:
        parts.append(prefix)
        parts.append(len(wire).to_bytes(2, "big"))
        parts.append(wire)
    return b"".join(parts)


def head(flags: int, ancount: int, nscount: int, arcount: int) -> bytes:
    return HEADER.pack(0, flags, 1, ancount, nscount, arcount)
