"""RFC 5730's frame around every command: result codes, the Result, Refused, login and `command`.

A command validates all of its input before changing anything and runs in one transaction;
raising Refused rolls it back and answers the refusal's Result.
"""

import dataclasses
import functools
import secrets
from collections.abc import Callable
from typing import Any

from django.db import transaction

from registrar.registry import models as m

# Result codes (RFC 5730 §3).
OK = 1000
OK_PENDING = 1001
OK_NO_MESSAGES = 1300
OK_ACK_TO_DEQUEUE = 1301
UNKNOWN_COMMAND = 2000
SYNTAX_ERROR = 2001
PARAMETER_MISSING = 2003
PARAMETER_RANGE = 2004
PARAMETER_SYNTAX = 2005
NOT_ELIGIBLE_FOR_RENEWAL = 2105
NOT_ELIGIBLE_FOR_TRANSFER = 2106
AUTHENTICATION_ERROR = 2200
AUTHORIZATION_ERROR = 2201
INVALID_AUTH_INFO = 2202
PENDING_TRANSFER = 2300
NOT_PENDING_TRANSFER = 2301
OBJECT_EXISTS = 2302
OBJECT_DOES_NOT_EXIST = 2303
STATUS_PROHIBITS = 2304
ASSOCIATION_PROHIBITS = 2305
POLICY_ERROR = 2306
COMMAND_FAILED = 2400

MESSAGES = {
    OK: "Command completed successfully",
    OK_PENDING: "Command completed successfully; action pending",
    OK_NO_MESSAGES: "Command completed successfully; no messages",
    OK_ACK_TO_DEQUEUE: "Command completed successfully; ack to dequeue",
    PARAMETER_MISSING: "Required parameter missing",
    PARAMETER_RANGE: "Parameter value range error",
    PARAMETER_SYNTAX: "Parameter value syntax error",
    NOT_ELIGIBLE_FOR_RENEWAL: "Object is not eligible for renewal",
    NOT_ELIGIBLE_FOR_TRANSFER: "Object is not eligible for transfer",
    AUTHENTICATION_ERROR: "Authentication error",
    AUTHORIZATION_ERROR: "Authorization error",
    INVALID_AUTH_INFO: "Invalid authorization information",
    PENDING_TRANSFER: "Object pending transfer",
    NOT_PENDING_TRANSFER: "Object not pending transfer",
    OBJECT_EXISTS: "Object exists",
    OBJECT_DOES_NOT_EXIST: "Object does not exist",
    STATUS_PROHIBITS: "Object status prohibits operation",
    ASSOCIATION_PROHIBITS: "Object association prohibits operation",
    POLICY_ERROR: "Parameter value policy error",
    COMMAND_FAILED: "Command failed",
}


@dataclasses.dataclass(frozen=True)
class Result:
    """A command's answer: `code` and `message` as in EPP, `reason` says why in plain words."""

    code: int
    message: str
    reason: str = ""
    field: str | None = None
    data: dict = dataclasses.field(default_factory=dict)

    @property
    def is_success(self) -> bool:
        return self.code < 2000


class Refused(Exception):
    """Raised inside a command to roll it back and answer with `result`."""

    def __init__(self, code: int, reason: str, field_name: str | None = None) -> None:
        super().__init__(reason)
        self.result = Result(code=code, message=MESSAGES[code], reason=reason, field=field_name)


def ok(code: int = OK, **data: Any) -> Result:
    """A successful answer carrying `data`."""
    return Result(code=code, message=MESSAGES[code], data=data)


def command(func: Callable[..., Result]) -> Callable[..., Result]:
    """Run a command in one transaction; a Refused rolls everything back into a Result."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Result:
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except Refused as refusal:
            return refusal.result

    return wrapper


def auth_code_matches(given: str | None, expected: str) -> bool:
    """Whether `given` is the domain's auth code, in constant time (any text, even non-ASCII)."""
    return secrets.compare_digest((given or "").encode(), expected.encode())


def login(client_id: str) -> m.Registrar:
    """The registrar logged in as `client_id` (EPP <login>); Refused with 2200 if unknown."""
    registrar = m.Registrar.objects.filter(client_id=client_id).first()
    if registrar is None:
        raise Refused(AUTHENTICATION_ERROR, f"{client_id} is not a registrar known to this registry")
    return registrar
