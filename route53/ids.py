"""Route 53's ids for our rows: `Z…` for hosted zones, `C…` for changes, `N…` for delegation sets
(`vpc-…` for networks, twelve digits for accounts).

Each is the prefix and the row's id in base 36, upper case, padded: letters and digits as
AWS's are. Clients may send them bare, with their `/hostedzone/`-style path prefix, or
percent-encoded; botocore strips the prefix itself, the AWS CLI and Terraform do not always.
"""

import string
import uuid
from urllib.parse import unquote

from route53.errors import Route53Error

_DIGITS = string.digits + string.ascii_uppercase
_WIDTH = 13
_PREFIXES = {"Z": "/hostedzone/", "C": "/change/", "N": "/delegationset/"}
_NOT_FOUND = {"Z": "NoSuchHostedZone", "C": "NoSuchChange", "N": "NoSuchDelegationSet"}
_WHAT = {"Z": "hosted zone", "C": "change", "N": "reusable delegation set"}


def _encode(number: int) -> str:
    digits = ""
    while number:
        number, digit = divmod(number, 36)
        digits = _DIGITS[digit] + digits
    return digits.rjust(_WIDTH, "0")


def make_id(kind: str, pk: int) -> str:
    return kind + _encode(pk)


def zone_id(pk: int) -> str:
    return make_id("Z", pk)


def change_id(pk: int) -> str:
    return make_id("C", pk)


def delegation_set_id(pk: int) -> str:
    return make_id("N", pk)


def parse_id(kind: str, text: str) -> int:
    """The row id in `text` (bare, prefixed or percent-encoded). Raises the kind's NoSuch… error."""
    bare = unquote(text or "").strip()
    prefix = _PREFIXES[kind]
    if bare.startswith(prefix):
        bare = bare[len(prefix) :]
    if len(bare) < 2 or bare[0] != kind or any(c not in _DIGITS for c in bare[1:]):
        raise Route53Error(_NOT_FOUND[kind], f"No {_WHAT[kind]} found with ID: {text}")
    return int(bare[1:], 36)


def health_check_id(pk: int) -> str:
    return str(uuid.UUID(int=pk))


def parse_health_check_id(text: str) -> int:
    try:
        return uuid.UUID(unquote(text or "").strip()).int
    except ValueError:
        raise Route53Error("NoSuchHealthCheck", f"A health check with id {text} does not exist.") from None


def vpc_id(pk: int) -> str:
    """A network's VPC id: `vpc-` and its row id in 17 hex digits, as Route 53 Resolver's API writes it."""
    return f"vpc-{pk:017x}"


def parse_vpc_id(text: str) -> int:
    """The network's row id in a VPC id. Raises InvalidVPCId for text of another shape."""
    digits = unquote(text or "").strip().removeprefix("vpc-")
    if digits == (text or "").strip() or not digits or any(c not in "0123456789abcdef" for c in digits):
        raise Route53Error("InvalidVPCId", f"The VPC ID {text} is not valid, or it is not yours.")
    return int(digits, 16)


def account_id(user_pk: int) -> str:
    """An account's twelve-digit id, as AWS writes account ids (HostedZoneOwner.OwningAccount)."""
    return f"{user_pk:012d}"
