"""Domain-name rules: host-name syntax (RFC 1035 §2.3.1, RFC 1123 §2.1) and IDNA 2008.

Pure functions over text, no database. Every refusal is a `NameProblem` whose message names
the value and the reason in one sentence; the registry's check command turns it into the
"invalid" reason.
"""

import re
from dataclasses import dataclass

import idna

MAX_NAME_OCTETS = 253  # RFC 1035 §2.3.4 (255 on the wire, less the root label and length octets)
MAX_LABEL_OCTETS = 63
LDH = re.compile(r"^[a-z0-9-]+$")


class NameProblem(ValueError):
    """A name that breaks a syntax rule; `message` says which and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DomainName:
    """A checked name: `ascii` is the stored form (A-labels), `unicode` the display form."""

    ascii: str
    unicode: str

    @property
    def labels(self) -> list[str]:
        return self.ascii.split(".")

    @property
    def tld(self) -> str:
        return self.labels[-1]

    @property
    def is_idn(self) -> bool:
        return self.ascii != self.unicode


def _to_a_label(label: str, name: str) -> str:
    if label.isascii():
        return label
    try:
        # UTS 46 maps what people type (width, case) before the IDNA 2008 rules are applied.
        return idna.encode(label, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise NameProblem(f"{name}: the label {label} is not a valid internationalised label ({error})")


def _check_ldh_label(label: str, name: str) -> None:
    if not label:
        raise NameProblem(f"{name}: a name cannot have an empty label (two dots in a row, or a leading dot)")
    if len(label) > MAX_LABEL_OCTETS:
        raise NameProblem(f"{name}: the label {label} is {len(label)} octets long; the limit is 63")
    if not LDH.match(label):
        bad = next(char for char in label if not re.match(r"[a-z0-9-]", char))
        raise NameProblem(
            f"{name}: the label {label} contains {bad!r}, which is not a letter, digit or hyphen"
        )
    if label.startswith("-") or label.endswith("-"):
        raise NameProblem(f"{name}: the label {label} starts or ends with a hyphen")
    if label[2:4] == "--":
        if not label.startswith("xn--"):
            raise NameProblem(f"{name}: the label {label} has hyphens in the third and fourth positions")
        try:
            idna.decode(label)
        except idna.IDNAError:
            raise NameProblem(f"{name}: the label {label} is not a valid punycode (xn--) label") from None


def parse_host_name(text: str) -> DomainName:
    """A host or domain name of any depth, checked and in both forms.

    Raises NameProblem for an empty name, a bad label, or a name longer than 253 octets.
    """
    name = (text or "").strip().rstrip(".").lower()
    if not name:
        raise NameProblem("Enter a domain name.")
    shown = text.strip()
    a_labels = [_to_a_label(label, shown) if label else label for label in name.split(".")]
    for label in a_labels:
        _check_ldh_label(label, shown)
    ascii_name = ".".join(a_labels)
    if len(ascii_name) > MAX_NAME_OCTETS:
        raise NameProblem(f"{shown}: the name is {len(ascii_name)} octets long; the limit is 253")
    unicode_name = ".".join(idna.decode(label) if label.startswith("xn--") else label for label in a_labels)
    return DomainName(ascii=ascii_name, unicode=unicode_name)


def parse_domain_name(text: str) -> DomainName:
    """A registrable name: exactly one label under a top-level domain (example.com).

    Raises NameProblem as parse_host_name does, and for a name that is not two labels.
    """
    name = parse_host_name(text)
    if len(name.labels) != 2:
        raise NameProblem(
            f"{text.strip()}: a domain to register is one label and a top-level domain, such as example.com"
        )
    if name.tld.isdigit():
        raise NameProblem(f"{text.strip()}: a top-level domain cannot be all digits")
    return name


def is_subdomain(name: str, parent: str) -> bool:
    """Whether `name` equals `parent` or lies below it (both in A-label form, no trailing dot)."""
    return name == parent or name.endswith("." + parent)
