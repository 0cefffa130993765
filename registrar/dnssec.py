"""DS record rules (RFC 4034 §5): IANA's algorithm and digest registries, and digest lengths.

Pure functions, no database; the registry's update command and the console's DS form both
read them. The numbers come from dnspython's `dns.dnssec` constants, which follow IANA's
"DNS Security Algorithm Numbers" and "Delegation Signer (DS) Resource Record Digest
Algorithms" registries.
"""

import string
from dataclasses import dataclass

import dns.dnssec
import dns.exception
import dns.rdata
import dns.rdataclass
import dns.rdatatype

# Numbers IANA lists but marks N in its "Zone Signing" column (or reserves): a DS naming
# one of these could never match a key a zone is signed with.
NOT_FOR_ZONE_SIGNING = frozenset(
    {
        dns.dnssec.Algorithm.RSAMD5,  # RFC 8624 §3.1: MUST NOT be used for signing
        dns.dnssec.Algorithm.DH,  # a key-exchange algorithm (RFC 2539), not a signature
        dns.dnssec.Algorithm.ECC,  # reserved
        dns.dnssec.Algorithm.INDIRECT,  # reserved for indirect keys, never defined
    }
)
DS_ALGORITHMS = tuple(
    algorithm for algorithm in dns.dnssec.Algorithm if algorithm not in NOT_FOR_ZONE_SIGNING
)
# Digest type → digest length in octets (RFC 4034 §5.1.4, RFC 4509 §2.1, RFC 5933 §2, RFC 6605 §2).
DIGEST_LENGTHS = {
    dns.dnssec.DSDigest.SHA1: 20,
    dns.dnssec.DSDigest.SHA256: 32,
    dns.dnssec.DSDigest.GOST: 32,
    dns.dnssec.DSDigest.SHA384: 48,
}
DS_DIGEST_TYPES = tuple(DIGEST_LENGTHS)


class DsProblem(ValueError):
    """DS data that breaks a rule; `message` names the value and the reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DsData:
    key_tag: int
    algorithm: int
    digest_type: int
    digest: str  # upper-case hexadecimal

    def as_dict(self) -> dict:
        return {
            "key_tag": self.key_tag,
            "algorithm": self.algorithm,
            "digest_type": self.digest_type,
            "digest": self.digest,
        }


def algorithm_label(number: int) -> str:
    """`13 ECDSAP256SHA256`, for choices and messages."""
    return f"{number} {dns.dnssec.Algorithm(number).name}"


def digest_type_label(number: int) -> str:
    """`2 SHA256`, for choices and messages."""
    return f"{number} {dns.dnssec.DSDigest(number).name}"


def _as_int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _rule_problem(algorithm: object, digest_type: object, digest: object) -> str | None:
    """What breaks IANA's registries or the digest length; None when nothing does (or not yet parseable)."""
    number = _as_int(algorithm)
    if number is not None and number not in DS_ALGORITHMS:
        assigned = number in set(dns.dnssec.Algorithm)
        why = "is not used to sign zones" if assigned else "is not an assigned DNSSEC algorithm"
        return f"DS record: algorithm {number} {why} (IANA)"
    kind = _as_int(digest_type)
    if kind is not None and kind not in DS_DIGEST_TYPES:
        return f"DS record: digest type {kind} is not an assigned DS digest type (IANA)"
    hex_digits = "".join(str(digest).split())
    if kind is not None and hex_digits and all(c in string.hexdigits for c in hex_digits):
        expected = DIGEST_LENGTHS[dns.dnssec.DSDigest(kind)]
        if len(hex_digits) != expected * 2:
            return (
                f"DS record: a {dns.dnssec.DSDigest(kind).name} digest is {expected} octets "
                f"({expected * 2} hexadecimal digits), not {len(hex_digits) / 2:g}"
            )
    return None


def parse_ds(key_tag: object, algorithm: object, digest_type: object, digest: object) -> DsData:
    """The DS data, checked; raises DsProblem for bad syntax, an unassigned number or a wrong length."""
    problem = _rule_problem(algorithm, digest_type, digest)
    if problem:
        raise DsProblem(problem)
    text = f"{key_tag} {algorithm} {digest_type} {digest}"
    try:
        rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, text)
    except (dns.exception.DNSException, ValueError) as error:
        raise DsProblem(f"DS record: {text} is not valid DS data ({error})") from None
    # Mnemonics ("ECDSAP256SHA256") are numbers only now.
    problem = _rule_problem(int(rdata.algorithm), rdata.digest_type, rdata.digest.hex())
    if problem:
        raise DsProblem(problem)
    return DsData(
        key_tag=rdata.key_tag,
        algorithm=int(rdata.algorithm),
        digest_type=rdata.digest_type,
        digest=rdata.digest.hex().upper(),
    )
