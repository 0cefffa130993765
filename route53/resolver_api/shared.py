"""What every Route53Resolver operation shares: AWS's ids, the caller's own objects, ARNs,
times, pages and the error a service's refusal becomes."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from kernel.errors import ServiceError
from route53 import ids
from route53.context import Caller
from route53.errors import Route53Error
from zones.models import Network

REGION = "us-east-1"
DEFAULT_PAGE_SIZE = 100

# One function per operation: the caller and boto3's parameters in, the result's dict out.
Operation = Callable[[Caller, dict[str, Any]], dict[str, Any]]


def make_id(prefix: str, pk: int) -> str:
    """AWS's shape of ids: `rslvr-<kind>-` and 17 hex digits (here, the row's id)."""
    return f"{prefix}-{pk:017x}"


def vpc_id(network: Network) -> str:
    return ids.vpc_id(network.pk)


def parse_id(prefixes: Iterable[str], text: Any, what: str) -> int:
    for prefix in prefixes:
        digits = str(text or "").removeprefix(f"{prefix}-")
        if digits != str(text or "") and digits and all(c in "0123456789abcdef" for c in digits):
            return int(digits, 16)
    raise not_found(what, text)


def not_found(what: str, text: Any) -> Route53Error:
    return Route53Error("ResourceNotFoundException", f"The {what} {text} does not exist in your account.")


def find_owned(queryset: QuerySet, caller: Caller, prefixes: Iterable[str], text: Any, what: str) -> Any:
    """The caller's object the id `text` names; another account's answers as one that never existed."""
    found = queryset.owned_by(caller.user).filter(pk=parse_id(prefixes, text, what)).first()
    if found is None:
        raise not_found(what, text)
    return found


def find_network(caller: Caller, text: Any) -> Network:
    return find_owned(Network.objects.all(), caller, ["vpc", "subnet"], text, "VPC")


def arn(caller: Caller, kind: str, resource_id: str) -> str:
    return f"arn:aws:route53resolver:{REGION}:{account_id(caller)}:{kind}/{resource_id}"


def account_id(caller: Caller) -> str:
    return ids.account_id(caller.user.pk)


def timestamp(moment: datetime) -> str:
    return moment.isoformat()


def page(items: list, params: dict, key: str) -> dict[str, Any]:
    """A page of `items` under `key`; NextToken is the offset of the next page."""
    token = str(params.get("NextToken") or "0")
    if not token.isdigit():
        raise Route53Error("InvalidNextTokenException", f"NextToken: {token} is not a token we gave")
    start = int(token)
    size = max(1, min(int(params.get("MaxResults") or DEFAULT_PAGE_SIZE), 1000))
    answer: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        answer["NextToken"] = str(start + size)
    return answer


@contextmanager
def refusal_as_invalid_parameter() -> Iterator[None]:
    """A service's refusal inside the block answers InvalidParameterException with its message."""
    try:
        yield
    except ServiceError as error:
        raise Route53Error("InvalidParameterException", error.message) from None
