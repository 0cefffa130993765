"""Fixtures of the firewall tests: the owner's network and lists, another account's."""

import pytest

from dnsfirewall import services
from zones import services as zone_services


@pytest.fixture
def network(owner):
    return zone_services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16"])


@pytest.fixture
def other_network(other_user):
    return zone_services.save_network(owner=other_user, name="theirs", cidrs=["10.2.0.0/16"])


@pytest.fixture
def domain_list(owner):
    return services.create_domain_list(owner=owner, name="blocked", domains=["bad.example.com"])


@pytest.fixture
def group(owner):
    return services.create_rule_group(owner=owner, name="corporate")


@pytest.fixture
def other_domain_list(other_user):
    return services.create_domain_list(owner=other_user, name="secret list", domains=["secret.example.org"])


@pytest.fixture
def other_group(other_user):
    return services.create_rule_group(owner=other_user, name="secret group")
