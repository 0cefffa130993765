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
import dns.rdataclass
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


def render(
    flags: int,
    qname: dns.name.Name,
    rdtype: int,
    answer: list[dns.rrset.RRset],
    authority: list[dns.rrset.RRset],
    additional: list[dns.rrset.RRset],
) -> bytes:
    """A compressed template for one question (ID 0, question in lower case)."""
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
