"""Values: one rdata text as dnspython parses and prints it, names made absolute."""

import dns.exception
import dns.ipv4
import dns.ipv6
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.txtbase
import dns.tokenizer

from zones.rules.names import zone_origin
from zones.rules.problems import error_reason
from zones.rules.spec import MAX_TXT_STRING_OCTETS

_TYPE_MESSAGES = {"A": "is not an IPv4 address", "AAAA": "is not an IPv6 address"}
_ADDRESS_CANONICALIZERS = {"A": dns.ipv4.canonicalize, "AAAA": dns.ipv6.canonicalize}
# Types whose value is a name, kept in lowercase like record-set names.
_NAME_TYPES = ("CNAME", "NS", "PTR")


def normalize_value(rtype: str, text: str, zone_name: str) -> str:
    """One value as dnspython prints it (names absolute); raises ValueError with the reason."""
    rdtype = dns.rdatatype.from_text(rtype)
    raw = (text or "").strip()
    if not raw:
        raise ValueError("is empty")
    if rtype in _ADDRESS_CANONICALIZERS:
        # The address parsers dnspython's A and AAAA rdata use, without the tokenizer around them.
        try:
            return _ADDRESS_CANONICALIZERS[rtype](raw)
        except (dns.exception.DNSException, ValueError):
            raise ValueError(_TYPE_MESSAGES[rtype])
    origin = zone_origin(zone_name)
    if rtype in ("TXT", "SPF"):
        return _txt_value(rdtype, raw)
    try:
        rdata = dns.rdata.from_text(dns.rdataclass.IN, rdtype, raw, origin=origin, relativize=False)
    except (dns.exception.DNSException, ValueError, UnicodeError) as error:
        raise ValueError(_TYPE_MESSAGES.get(rtype) or f"is not a valid {rtype} value ({error_reason(error)})")
    return rdata.to_text(relativize=False).lower() if rtype in _NAME_TYPES else rdata.to_text()


def rdata_text(rtype: str, rdata: dns.rdata.Rdata, text: str) -> str:
    """A value dnspython has parsed already (the zone-file reader) as normalize_value gives it."""
    if dns.rdatatype.to_text(rdata.rdtype) != rtype:
        raise ValueError(f"is not a {rtype} value")
    return text.lower() if rtype in _NAME_TYPES else text


def _txt_value(rdtype: dns.rdatatype.RdataType, raw: str) -> str:
    """TXT/SPF: quoted strings as given, an unquoted text as one string; long strings split at 255."""
    chunks: list[bytes] = []
    if '"' not in raw:
        strings = [raw.encode()]
    else:
        strings = []
        tokenizer = dns.tokenizer.Tokenizer(raw)
        try:
            while True:
                token = tokenizer.get().unescape_to_bytes()
                if token.is_eol_or_eof():
                    break
                if not (token.is_quoted_string() or token.is_identifier()):
                    raise ValueError(f"is not a valid {dns.rdatatype.to_text(rdtype)} value")
                strings.append(token.value if isinstance(token.value, bytes) else token.value.encode())
        except dns.exception.SyntaxError as error:
            raise ValueError(f"is not a valid {dns.rdatatype.to_text(rdtype)} value ({error_reason(error)})")
    for string in strings:
        if not string:
            chunks.append(b"")
        for start in range(0, len(string), MAX_TXT_STRING_OCTETS):
            chunks.append(string[start : start + MAX_TXT_STRING_OCTETS])
    cls = dns.rdata.get_rdata_class(dns.rdataclass.IN, rdtype)
    rdata = cls(dns.rdataclass.IN, rdtype, chunks)
    assert isinstance(rdata, dns.rdtypes.txtbase.TXTBase)
    return rdata.to_text()
