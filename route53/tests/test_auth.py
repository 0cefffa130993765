"""Signatures, key scopes and throttling as boto3 sees them."""

import httpx
import pytest
from botocore.exceptions import ClientError

from accounts import accesskeys
from accounts.models import AccessKey
from kernel import ratelimit
from route53 import views
from route53.tests.conftest import client_for
from zones.models import HostedZone

pytestmark = pytest.mark.django_db(transaction=True)


def _code(call) -> tuple[str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_a_wrong_secret_gets_signature_does_not_match(live_server, access_key):
    client = client_for(live_server.url, access_key[0], "x" * 40)
    assert _code(client.list_hosted_zones) == ("SignatureDoesNotMatch", 403)


def test_an_unknown_or_revoked_key_gets_invalid_client_token_id(live_server, access_key):
    key, secret = access_key
    accesskeys.revoke_access_key(key)
    assert _code(client_for(live_server.url, key, secret).list_hosted_zones) == ("InvalidClientTokenId", 403)


def test_an_unsigned_request_gets_missing_authentication_token(live_server, db):
    response = httpx.get(f"{live_server.url}/2013-04-01/hostedzone")
    assert response.status_code == 403
    assert "<Code>MissingAuthenticationToken</Code>" in response.text
    assert "<RequestId>" in response.text and response.headers["x-amzn-RequestId"]
    assert 'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"' in response.text


def test_a_signed_request_records_when_the_key_was_last_used(route53, access_key):
    route53.list_hosted_zones()
    assert AccessKey.objects.get(pk=access_key[0].pk).last_used_at is not None


def test_a_read_only_key_reads_but_cannot_write(live_server, owner):
    key, secret = accesskeys.create_access_key(owner=owner, is_read_only=True)
    client = client_for(live_server.url, key, secret)
    assert client.list_hosted_zones()["HostedZones"] == []
    code, status = _code(lambda: client.create_hosted_zone(Name="example.com", CallerReference="r"))
    assert (code, status) == ("AccessDenied", 403)


def test_a_key_scoped_to_one_zone_sees_only_that_zone(live_server, route53, owner):
    first = route53.create_hosted_zone(Name="one.example", CallerReference="1")["HostedZone"]["Id"]
    second = route53.create_hosted_zone(Name="two.example", CallerReference="2")["HostedZone"]["Id"]
    zone = HostedZone.objects.get(name="one.example.")
    key, secret = accesskeys.create_access_key(owner=owner, zone_ids=[zone.pk])
    client = client_for(live_server.url, key, secret)
    assert [z["Id"] for z in client.list_hosted_zones()["HostedZones"]] == [first]
    assert _code(lambda: client.get_hosted_zone(Id=second)) == ("NoSuchHostedZone", 404)


def test_a_key_over_its_limit_gets_throttling(route53, access_key):
    key = ratelimit.limit_key("route53", access_key[0].access_key_id)
    for _ in range(views.THROTTLE_LIMIT):
        ratelimit.hit(key, limit=views.THROTTLE_LIMIT, window_seconds=views.THROTTLE_WINDOW_SECONDS)
    code, status = _code(route53.list_hosted_zones)
    assert (code, status) == ("Throttling", 400)
