"""Networks of private hosted zones across accounts: the zone's owner authorises, the network's
owner associates; neither alone. The console and the Route 53 API both call these services."""

import pytest

from zones import services
from zones.models import ChangeBatch
from zones.services import associations


@pytest.fixture
def network(owner):
    return services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16"])


@pytest.fixture
def their_network(other_user):
    return services.save_network(owner=other_user, name="theirs", cidrs=["10.2.0.0/16"])


@pytest.fixture
def private_zone(owner, network):
    return services.create_hosted_zone(owner=owner, name="corp.internal", is_private=True, networks=[network])


def test_the_network_s_owner_associates_once_the_zone_s_owner_authorised(
    owner, other_user, private_zone, their_network
):
    with pytest.raises(associations.NoSuchZone):
        associations.associate_network(owner=other_user, zone_id=private_zone.pk, network_id=their_network.pk)
    associations.authorize_association(owner=owner, zone_id=private_zone.pk, network_id=their_network.pk)
    with pytest.raises(associations.NoSuchNetwork):
        associations.associate_network(owner=owner, zone_id=private_zone.pk, network_id=their_network.pk)
    batch = associations.associate_network(
        owner=other_user, zone_id=private_zone.pk, network_id=their_network.pk, source=ChangeBatch.Source.API
    )
    assert (batch.source, batch.serial, batch.change_count) == ("api", 2, 0)
    assert set(private_zone.networks.all()) == {private_zone.networks.get(name="office"), their_network}
    assert list(associations.zones_of_network(owner=other_user, network_id=their_network.pk)) == [
        private_zone
    ]


def test_an_attacker_s_authorisation_does_not_put_its_zone_in_your_network(
    owner, other_user, network, their_network
):
    theirs = services.create_hosted_zone(
        owner=other_user, name="evil.internal", is_private=True, networks=[their_network]
    )
    associations.authorize_association(owner=other_user, zone_id=theirs.pk, network_id=network.pk)
    with pytest.raises(associations.NoSuchNetwork):
        associations.associate_network(owner=other_user, zone_id=theirs.pk, network_id=network.pk)
    assert list(associations.zones_of_network(owner=owner, network_id=network.pk)) == []
    with pytest.raises(associations.NoSuchNetwork):
        associations.zones_of_network(owner=other_user, network_id=network.pk)


def test_either_owner_disassociates_and_a_stranger_cannot(owner, other_user, private_zone, their_network):
    associations.authorize_association(owner=owner, zone_id=private_zone.pk, network_id=their_network.pk)
    associations.associate_network(owner=other_user, zone_id=private_zone.pk, network_id=their_network.pk)
    office = private_zone.networks.get(name="office")
    with pytest.raises(associations.NoSuchZone):
        associations.disassociate_network(owner=other_user, zone_id=private_zone.pk, network_id=office.pk)
    associations.disassociate_network(owner=owner, zone_id=private_zone.pk, network_id=their_network.pk)
    with pytest.raises(associations.LastAssociation):
        associations.disassociate_network(owner=owner, zone_id=private_zone.pk, network_id=office.pk)
    associations.revoke_authorization(owner=owner, zone_id=private_zone.pk, network_id=their_network.pk)
    with pytest.raises(associations.NoSuchAuthorization):
        associations.revoke_authorization(owner=owner, zone_id=private_zone.pk, network_id=their_network.pk)
