"""AWS Signature Version 4, verified as AWS does, on botocore.auth's canonicalisation.

The canonical request is rebuilt from what the client sent: the raw path (its percent-encoding
kept), the query re-encoded, exactly the headers it named in SignedHeaders, and the SHA-256 of
the body. Any region is accepted (each client signs with its own); the credential's service
must be the endpoint's. X-Amz-Date must lie within five minutes of our clock.
"""

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from botocore.auth import EMPTY_SHA256_HASH, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_CLOCK_SKEW = timedelta(minutes=5)
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+)\s*,\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+)\s*,\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)


class SignatureError(Exception):
    """A request's signature was missing, malformed, stale or wrong; `code` is AWS's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SignedRequest:
    """What the client sent, as sent: `path` still percent-encoded, `query` the raw query string."""

    method: str
    path: str
    query: str
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None


@dataclass(frozen=True)
class Credential:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


class _Verifier(SigV4Auth):
    """botocore's signer, told to sign exactly the headers the client signed."""

    def __init__(self, credential: Credential, secret: str) -> None:
        super().__init__(Credentials(credential.access_key_id, secret), credential.service, credential.region)
        self._signed_headers = credential.signed_headers

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        selected = HTTPHeaders()
        for name in self._signed_headers:
            for value in request.headers.get_all(name) or ():
                selected[name] = value
        return selected


def parse_credential(request: SignedRequest) -> Credential:
    """The Authorization header's parts. Raises SignatureError when absent or malformed."""
    authorization = request.header("authorization")
    if not authorization:
        raise SignatureError("MissingAuthenticationToken", "Missing Authentication Token")
    match = _AUTHORIZATION.match(authorization.strip())
    if match is None:
        raise SignatureError(
            "IncompleteSignature",
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
            f"with the {ALGORITHM} algorithm.",
        )
    parts = match["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SignatureError(
            "IncompleteSignature",
            "Credential should be scoped to a valid region and end in aws4_request, "
            f"not {match['credential']}.",
        )
    signed = tuple(match["signed"].lower().split(";"))
    if "host" not in signed:
        raise SignatureError("SignatureDoesNotMatch", "The host header must be signed.")
    return Credential(parts[0], parts[1], parts[2], parts[3], signed, match["signature"])


def verify(
    request: SignedRequest,
    *,
    services: Iterable[str],
    secret_for: Callable[[str], str | None],
    now: datetime | None = None,
) -> Credential:
    """The request's credential once its signature checks out.

    `secret_for` gives an access key id's secret, or None for an unknown, revoked or expired
    key. Raises SignatureError with MissingAuthenticationToken, IncompleteSignature,
    InvalidClientTokenId or SignatureDoesNotMatch.
    """
    credential = parse_credential(request)
    if credential.service not in set(services):
        raise SignatureError(
            "SignatureDoesNotMatch",
            f"Credential should be scoped to a valid service, not '{credential.service}'.",
        )
    amz_date = request.header("x-amz-date") or ""
    try:
        signed_at = datetime.strptime(amz_date, AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError(
            "IncompleteSignature", "X-Amz-Date is missing or not in the form 20150830T123600Z."
        ) from None
    if credential.date != amz_date[:8]:
        raise SignatureError(
            "SignatureDoesNotMatch",
            f"Credential date {credential.date} does not match X-Amz-Date {amz_date}.",
        )
    now = now or datetime.now(UTC)
    if abs(now - signed_at) > MAX_CLOCK_SKEW:
        raise SignatureError(
            "SignatureDoesNotMatch",
            f"Signature expired: {amz_date} is now earlier than {(now - MAX_CLOCK_SKEW):{AMZ_DATE_FORMAT}} "
            f"({now:{AMZ_DATE_FORMAT}} - 5 min.)",
        )
    secret = secret_for(credential.access_key_id)
    if secret is None:
        raise SignatureError("InvalidClientTokenId", "The security token included in the request is invalid.")
    body_hash = hashlib.sha256(request.body).hexdigest() if request.body else EMPTY_SHA256_HASH
    declared = request.header("x-amz-content-sha256")
    if declared is not None and declared != body_hash:
        raise SignatureError(
            "SignatureDoesNotMatch", "The provided X-Amz-Content-SHA256 does not match the body."
        )
    expected = compute_signature(request, credential, secret, amz_date)
    if not hmac.compare_digest(expected, credential.signature):
        raise SignatureError(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
        )
    return credential


def canonical_request(request: SignedRequest, credential: Credential, secret: str = "") -> str:
    signer = _Verifier(credential, secret)
    return signer.canonical_request(_aws_request(request, credential))


def compute_signature(request: SignedRequest, credential: Credential, secret: str, amz_date: str) -> str:
    """The signature botocore would give `request` signed with `secret` at `amz_date`."""
    signer = _Verifier(credential, secret)
    aws_request = _aws_request(request, credential)
    aws_request.context["timestamp"] = amz_date
    string_to_sign = signer.string_to_sign(aws_request, signer.canonical_request(aws_request))
    return signer.signature(string_to_sign, aws_request)


def _aws_request(request: SignedRequest, credential: Credential) -> AWSRequest:
    headers = HTTPHeaders()
    for name in credential.signed_headers:
        for value in request.headers.get(name, ()):
            headers[name] = value
    aws_request = AWSRequest(
        method=request.method,
        url=f"http://{request.header('host') or 'localhost'}{request.path}",
        headers=headers,
        data=request.body,
    )
    # The query re-encoded (RFC 3986, as AWS does) from its decoded pairs, so a client that
    # sends '*' or '%2A' signs the same canonical query either way.
    aws_request.params = parse_qsl(request.query, keep_blank_values=True)
    return aws_request
