"""SigV4 verification: requests signed by botocore, AWS's published examples, and the refusals."""

from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from route53 import sigv4

KEY_ID, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
EXAMPLE_TIME = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)


def _signed_by_botocore(
    method: str, url: str, body: bytes = b"", *, secret: str = SECRET, region: str = "us-east-1"
):
    request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "text/xml"})
    SigV4Auth(Credentials(KEY_ID, secret), "route53", region).add_auth(request)
    prepared = request.prepare()
    path, _, query = prepared.url.split("://", 1)[1].partition("/")[2].partition("?")
    headers: dict[str, list[str]] = {"host": [prepared.url.split("/")[2]]}
    for name, value in prepared.headers.items():
        headers.setdefault(name.lower(), []).append(value)
    return sigv4.SignedRequest(method, "/" + path, query, headers, body)


def _secret_for(key_id: str) -> str | None:
    return SECRET if key_id == KEY_ID else None


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "http://127.0.0.1:8000/2013-04-01/hostedzone", b""),
        (
            "GET",
            "http://127.0.0.1:8000/2013-04-01/hostedzone/Z1/rrset?name=%5C052.example.com.&maxitems=3",
            b"",
        ),
        ("POST", "http://127.0.0.1:8000/2013-04-01/hostedzone", b"<CreateHostedZoneRequest/>"),
        ("DELETE", "http://localhost/2013-04-01/hostedzone/Z00000000000001", b""),
    ],
)
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-3", "nameplate"])
def test_a_request_signed_by_botocore_verifies(method, url, body, region):
    request = _signed_by_botocore(method, url, body, region=region)
    credential = sigv4.verify(request, services=["route53"], secret_for=_secret_for)
    assert (credential.access_key_id, credential.region) == (KEY_ID, region)


def test_a_wrong_secret_does_not_match():
    request = _signed_by_botocore("GET", "http://127.0.0.1/2013-04-01/hostedzone", secret="not-the-secret")
    with pytest.raises(sigv4.SignatureError) as caught:
        sigv4.verify(request, services=["route53"], secret_for=_secret_for)
    assert caught.value.code == "SignatureDoesNotMatch"


def test_an_altered_body_does_not_match():
    request = _signed_by_botocore("POST", "http://127.0.0.1/2013-04-01/hostedzone", b"<a/>")
    altered = sigv4.SignedRequest(request.method, request.path, request.query, request.headers, b"<b/>")
    with pytest.raises(sigv4.SignatureError) as caught:
        sigv4.verify(altered, services=["route53"], secret_for=_secret_for)
    assert caught.value.code == "SignatureDoesNotMatch"


def test_an_altered_query_does_not_match():
    request = _signed_by_botocore("GET", "http://127.0.0.1/2013-04-01/hostedzone?maxitems=1")
    altered = sigv4.SignedRequest(request.method, request.path, "maxitems=2", request.headers, b"")
    with pytest.raises(sigv4.SignatureError):
        sigv4.verify(altered, services=["route53"], secret_for=_secret_for)


def test_an_unknown_key_is_an_invalid_client_token_id():
    request = _signed_by_botocore("GET", "http://127.0.0.1/2013-04-01/hostedzone")
    with pytest.raises(sigv4.SignatureError) as caught:
        sigv4.verify(request, services=["route53"], secret_for=lambda key_id: None)
    assert caught.value.code == "InvalidClientTokenId"


def test_no_authorization_is_a_missing_authentication_token():
    request = sigv4.SignedRequest("GET", "/2013-04-01/hostedzone", "", {"host": ["x"]}, b"")
    with pytest.raises(sigv4.SignatureError) as caught:
        sigv4.verify(request, services=["route53"], secret_for=_secret_for)
    assert (caught.value.code, caught.value.message) == (
        "MissingAuthenticationToken",
        "Missing Authentication Token",
    )


@pytest.mark.parametrize("skew", [timedelta(minutes=6), -timedelta(minutes=6)])
def test_a_signature_older_or_newer_than_five_minutes_is_refused(skew):
    request = _signed_by_botocore("GET", "http://127.0.0.1/2013-04-01/hostedzone")
    with pytest.raises(sigv4.SignatureError) as caught:
        sigv4.verify(request, services=["route53"], secret_for=_secret_for, now=datetime.now(UTC) + skew)
    assert caught.value.code == "SignatureDoesNotMatch"
    assert caught.value.message.startswith("Signature expired:")


def test_another_service_s_signature_is_refused():
    request = _signed_by_botocore("GET", "http://127.0.0.1/2013-04-01/hostedzone")
    with pytest.raises(sigv4.SignatureError):
        sigv4.verify(request, services=["route53domains"], secret_for=_secret_for)


# AWS's published examples: the signing walk-through of the General Reference (IAM ListUsers)
# and the aws-sig-v4-test-suite's get-vanilla and post-vanilla, all with the documentation's
# example credentials and time.
@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "service", "signature"),
    [
        (
            "GET",
            "/",
            "Action=ListUsers&Version=2010-05-08",
            {
                "host": ["iam.amazonaws.com"],
                "content-type": ["application/x-www-form-urlencoded; charset=utf-8"],
                "x-amz-date": ["20150830T123600Z"],
            },
            "iam",
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        ),
        (
            "GET",
            "/",
            "",
            {"host": ["example.amazonaws.com"], "x-amz-date": ["20150830T123600Z"]},
            "service",
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
        (
            "POST",
            "/",
            "",
            {"host": ["example.amazonaws.com"], "x-amz-date": ["20150830T123600Z"]},
            "service",
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        ),
    ],
)
def test_aws_published_examples_verify(method, path, query, headers, service, signature):
    signed = ";".join(sorted(headers))
    headers = dict(headers)
    headers["authorization"] = [
        f"AWS4-HMAC-SHA256 Credential={KEY_ID}/20150830/us-east-1/{service}/aws4_request, "
        f"SignedHeaders={signed}, Signature={signature}"
    ]
    request = sigv4.SignedRequest(method, path, query, headers, b"")
    credential = sigv4.verify(request, services=[service], secret_for=_secret_for, now=EXAMPLE_TIME)
    assert credential.signature == signature
