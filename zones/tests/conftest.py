"""Fixtures of the zones tests: a hosted zone of the owner's, and helpers to build changes."""

import pytest

from zones import rules, services
from zones.models import HostedZone

ZONE = "example.com."


def spec(name: str, rtype: str = "A", *values: str, ttl: int | None = 300, **fields) -> rules.RecordSetSpec:
    return rules.RecordSetSpec(name=name, type=rtype, ttl=ttl, values=tuple(values), **fields)


def create(name: str, rtype: str = "A", *values: str, **fields) -> services.Change:
    return services.Change("CREATE", spec(name, rtype, *values, **fields))


def delete(name: str, rtype: str = "A", *values: str, **fields) -> services.Change:
    return services.Change("DELETE", spec(name, rtype, *values, **fields))


def upsert(name: str, rtype: str = "A", *values: str, **fields) -> services.Change:
    return services.Change("UPSERT", spec(name, rtype, *values, **fields))


@pytest.fixture
def zone(owner) -> HostedZone:
    return services.create_hosted_zone(owner=owner, name="example.com", caller_reference="zone-fixture")


@pytest.fixture
def other_zone(other_user) -> HostedZone:
    return services.create_hosted_zone(owner=other_user, name="example.org", caller_reference="other-fixture")
