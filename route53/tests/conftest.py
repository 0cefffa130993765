import boto3
import pytest
from botocore.config import Config

from accounts import accesskeys
from accounts.models import AccessKey, User


def client_for(
    url: str,
    access_key: AccessKey,
    secret: str,
    service: str = "route53",
    *,
    parameter_validation: bool = True,
):
    """A boto3 client of `service` pointed at our server, signing with the access key.

    Without `parameter_validation` botocore sends what its own checks would refuse (a TTL of -1),
    so that our answer to it can be tested.
    """
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=access_key.access_key_id,
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, parameter_validation=parameter_validation),
    )


@pytest.fixture
def access_key(owner: User) -> tuple[AccessKey, str]:
    return accesskeys.create_access_key(owner=owner, name="boto3")


@pytest.fixture
def route53(live_server, access_key):
    """boto3's Route 53 client for the owner, against the live test server."""
    return client_for(live_server.url, *access_key)


@pytest.fixture
def other_route53(live_server, other_user):
    return client_for(live_server.url, *accesskeys.create_access_key(owner=other_user, name="other"))
