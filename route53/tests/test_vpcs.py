"""Private hosted zones' VPCs (our networks) through boto3: associations, the two-step
authorisation across accounts, and what another account cannot do."""

import pytest
from botocore.exceptions import ClientError

from accounts import accesskeys
from accounts.testing import make_user
from route53 import ids
from route53.tests.conftest import client_for
from zones import services as zone_services
from zones.models import ChangeBatch, HostedZone

pytestmark = pytest.mark.django_db(transaction=True)


def vpc(network) -> dict:
    return {"VPCRegion": "us-east-1", "VPCId": ids.vpc_id(network.pk)}


def code_of(call) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"]


@pytest.fixture
def network(owner):
    return zone_services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16"])


@pytest.fixture
def their_network(other_user):
    return zone_services.save_network(owner=other_user, name="theirs", cidrs=["10.2.0.0/16"])


@pytest.fixture
def private_zone_id(route53, network) -> str:
    answer = route53.create_hosted_zone(
        Name="corp.internal",
        CallerReference="private",
        VPC=vpc(network),
        HostedZoneConfig={"PrivateZone": True},
    )
    return answer["HostedZone"]["Id"]


def test_create_hosted_zone_with_a_vpc_makes_a_private_zone_of_that_network(route53, network):
    answer = route53.create_hosted_zone(
        Name="corp.internal", CallerReference="p", VPC=vpc(network), HostedZoneConfig={"Comment": "office"}
    )
    assert answer["HostedZone"]["Config"] == {"Comment": "office", "PrivateZone": True}
    assert answer["VPC"] == vpc(network)
    assert "DelegationSet" not in answer
    fetched = route53.get_hosted_zone(Id=answer["HostedZone"]["Id"])
    assert fetched["VPCs"] == [vpc(network)] and "DelegationSet" not in fetched
    zone = HostedZone.objects.get(pk=ids.parse_id("Z", answer["HostedZone"]["Id"]))
    assert zone.is_private and list(zone.networks.all()) == [network]


def test_a_private_zone_needs_one_of_your_vpcs(route53, their_network):
    assert (
        code_of(
            lambda: route53.create_hosted_zone(Name="a.internal", CallerReference="a", VPC=vpc(their_network))
        )
        == "InvalidVPCId"
    )
    assert (
        code_of(
            lambda: route53.create_hosted_zone(
                Name="a.internal", CallerReference="b", HostedZoneConfig={"PrivateZone": True}
            )
        )
        == "InvalidInput"
    )
    assert route53.get_hosted_zone_count()["HostedZoneCount"] == 0


def test_the_owner_associates_and_disassociates_its_own_networks(route53, owner, network, private_zone_id):
    second = zone_services.save_network(owner=owner, name="lab", cidrs=["10.3.0.0/16"])
    info = route53.associate_vpc_with_hosted_zone(
        HostedZoneId=private_zone_id, VPC=vpc(second), Comment="lab too"
    )["ChangeInfo"]
    batch = ChangeBatch.objects.get(pk=ids.parse_id("C", info["Id"]))
    assert (batch.source, batch.comment, batch.serial) == ("route53", "lab too", 2)
    assert route53.get_hosted_zone(Id=private_zone_id)["VPCs"] == [vpc(network), vpc(second)]
    assert [s["Name"] for s in route53.list_hosted_zones_by_vpc(**vpc(second))["HostedZoneSummaries"]] == [
        "corp.internal."
    ]
    assert code_of(
        lambda: route53.associate_vpc_with_hosted_zone(HostedZoneId=private_zone_id, VPC=vpc(second))
    ) == ("ConflictingDomainExists")
    route53.disassociate_vpc_from_hosted_zone(HostedZoneId=private_zone_id, VPC=vpc(network))
    assert route53.get_hosted_zone(Id=private_zone_id)["VPCs"] == [vpc(second)]
    assert code_of(
        lambda: route53.disassociate_vpc_from_hosted_zone(HostedZoneId=private_zone_id, VPC=vpc(network))
    ) == ("VPCAssociationNotFound")
    assert code_of(
        lambda: route53.disassociate_vpc_from_hosted_zone(HostedZoneId=private_zone_id, VPC=vpc(second))
    ) == ("LastVPCAssociation")


def test_a_public_zone_has_no_vpcs(route53, network):
    zone_id = route53.create_hosted_zone(Name="example.com", CallerReference="pub")["HostedZone"]["Id"]
    assert code_of(
        lambda: route53.associate_vpc_with_hosted_zone(HostedZoneId=zone_id, VPC=vpc(network))
    ) == ("PublicZoneVPCAssociation")


def test_a_network_holds_one_private_zone_of_a_name(route53, network, private_zone_id, owner):
    other = zone_services.save_network(owner=owner, name="lab", cidrs=["10.3.0.0/16"])
    second_id = route53.create_hosted_zone(Name="corp.internal", CallerReference="again", VPC=vpc(other))[
        "HostedZone"
    ]["Id"]
    assert code_of(
        lambda: route53.associate_vpc_with_hosted_zone(HostedZoneId=second_id, VPC=vpc(network))
    ) == ("ConflictingDomainExists")


def test_another_account_s_network_joins_your_zone_in_two_steps(
    route53, other_route53, network, their_network, private_zone_id, other_user
):
    # The network's owner alone cannot: the zone looks like no zone at all.
    assert code_of(
        lambda: other_route53.associate_vpc_with_hosted_zone(
            HostedZoneId=private_zone_id, VPC=vpc(their_network)
        )
    ) == ("NoSuchHostedZone")
    # The zone's owner authorises; it still cannot associate a network that is not its own.
    answer = route53.create_vpc_association_authorization(
        HostedZoneId=private_zone_id, VPC=vpc(their_network)
    )
    assert answer["VPC"] == vpc(their_network) and private_zone_id.endswith(answer["HostedZoneId"])
    assert route53.list_vpc_association_authorizations(HostedZoneId=private_zone_id)["VPCs"] == [
        vpc(their_network)
    ]
    assert code_of(
        lambda: route53.associate_vpc_with_hosted_zone(HostedZoneId=private_zone_id, VPC=vpc(their_network))
    ) == ("InvalidVPCId")
    assert route53.get_hosted_zone(Id=private_zone_id)["VPCs"] == [vpc(network)]
    # Then the network's owner associates.
    other_route53.associate_vpc_with_hosted_zone(HostedZoneId=private_zone_id, VPC=vpc(their_network))
    assert route53.get_hosted_zone(Id=private_zone_id)["VPCs"] == [vpc(network), vpc(their_network)]
    [summary] = other_route53.list_hosted_zones_by_vpc(**vpc(their_network))["HostedZoneSummaries"]
    assert summary["Name"] == "corp.internal." and private_zone_id.endswith(summary["HostedZoneId"])
    assert summary["Owner"] == {"OwningAccount": ids.account_id(HostedZone.objects.get().owner_id)}
    # The zone stays the owner's: the other account still cannot read or change it.
    assert code_of(lambda: other_route53.get_hosted_zone(Id=private_zone_id)) == "NoSuchHostedZone"
    assert (
        code_of(lambda: other_route53.list_resource_record_sets(HostedZoneId=private_zone_id))
        == "NoSuchHostedZone"
    )
    # Withdrawing the authorisation leaves the association; either owner may end it.
    route53.delete_vpc_association_authorization(HostedZoneId=private_zone_id, VPC=vpc(their_network))
    assert route53.list_vpc_association_authorizations(HostedZoneId=private_zone_id)["VPCs"] == []
    assert route53.get_hosted_zone(Id=private_zone_id)["VPCs"] == [vpc(network), vpc(their_network)]
    other_route53.disassociate_vpc_from_hosted_zone(HostedZoneId=private_zone_id, VPC=vpc(their_network))
    assert route53.get_hosted_zone(Id=private_zone_id)["VPCs"] == [vpc(network)]
    assert code_of(
        lambda: other_route53.associate_vpc_with_hosted_zone(
            HostedZoneId=private_zone_id, VPC=vpc(their_network)
        )
    ) == ("NoSuchHostedZone")
    assert code_of(
        lambda: route53.delete_vpc_association_authorization(
            HostedZoneId=private_zone_id, VPC=vpc(their_network)
        )
    ) == ("VPCAssociationAuthorizationNotFound")


def test_an_attacker_cannot_put_its_zone_in_your_network(route53, other_route53, network, their_network):
    """Authorising your network for its zone is its own step; the association is yours alone."""
    theirs_id = other_route53.create_hosted_zone(
        Name="evil.internal", CallerReference="e", VPC=vpc(their_network)
    )["HostedZone"]["Id"]
    other_route53.create_vpc_association_authorization(HostedZoneId=theirs_id, VPC=vpc(network))
    assert code_of(
        lambda: other_route53.associate_vpc_with_hosted_zone(HostedZoneId=theirs_id, VPC=vpc(network))
    ) == ("InvalidVPCId")
    assert route53.list_hosted_zones_by_vpc(**vpc(network))["HostedZoneSummaries"] == []
    assert list(network.hosted_zones.all()) == []


def test_an_attacker_cannot_read_or_change_your_zone_s_networks(
    live_server, route53, network, private_zone_id
):
    attacker = client_for(
        live_server.url, *accesskeys.create_access_key(owner=make_user("mallory@example.com"), name="m")
    )
    mine = zone_services.save_network(owner=HostedZone.objects.get().owner, name="lab", cidrs=["10.3.0.0/16"])
    route53.associate_vpc_with_hosted_zone(HostedZoneId=private_zone_id, VPC=vpc(mine))
    assert code_of(lambda: attacker.list_hosted_zones_by_vpc(**vpc(network))) == "InvalidVPCId"
    for call in (
        lambda: attacker.disassociate_vpc_from_hosted_zone(HostedZoneId=private_zone_id, VPC=vpc(network)),
        lambda: attacker.create_vpc_association_authorization(HostedZoneId=private_zone_id, VPC=vpc(network)),
        lambda: attacker.delete_vpc_association_authorization(HostedZoneId=private_zone_id, VPC=vpc(network)),
        lambda: attacker.list_vpc_association_authorizations(HostedZoneId=private_zone_id),
    ):
        assert code_of(call) == "NoSuchHostedZone"
    assert route53.get_hosted_zone(Id=private_zone_id)["VPCs"] == [vpc(network), vpc(mine)]
