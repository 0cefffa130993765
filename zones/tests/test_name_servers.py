"""Zones of one name, or of a name and a name below it, never share a name server; networks stay apart.

The attacker is `other_user` (B), who tries to get name servers that answer for the owner's
(A's) zone, or a network that reaches A's clients.
"""

import threading

import pytest
from django.db import connection

from zones import services

# One address per name-server domain: every delegation set is the same four hosts.
FOUR_ADDRESSES = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]


def test_zones_of_one_name_above_or_below_each_other_get_name_servers_of_their_own(owner, other_user):
    zones = [
        services.create_hosted_zone(owner=owner, name="example.com"),
        services.create_hosted_zone(owner=other_user, name="example.com"),
        services.create_hosted_zone(owner=other_user, name="sub.example.com"),
        services.create_hosted_zone(owner=owner, name="deep.sub.example.com"),
        services.create_hosted_zone(owner=other_user, name="example.com"),
    ]

    for index, zone in enumerate(zones):
        assert len(set(zone.name_servers)) == 4
        for other in zones[index + 1 :]:
            assert not set(zone.name_servers) & set(other.name_servers), (zone, other)
    pool = services.name_server_pool()
    assert len({pool[host] for zone in zones for host in zone.name_servers}) == 20


def test_when_every_name_server_serves_the_name_another_zone_of_it_is_refused(
    owner, other_user, other_api, settings
):
    settings.DNS_NAMESERVER_ADDRESSES = FOUR_ADDRESSES
    services.create_hosted_zone(owner=owner, name="example.com")
    message = (
        "example.com. cannot get four name servers of its own: every name server under "
        "nameplate-dns.com already serves a hosted zone of this name, or of a name above or below it."
    )

    with pytest.raises(services.ZoneError, match="cannot get four name servers") as refused:
        services.create_hosted_zone(owner=other_user, name="sub.example.com")
    assert refused.value.field == "name"
    response = other_api.post("/api/v1/zones", {"name": "example.com"})
    assert response.status_code == 400
    assert response.json() == {"name": [message]}
    # Zones of unrelated names share name servers as Route 53's do.
    assert services.create_hosted_zone(owner=other_user, name="example.net").name_servers


def test_a_reusable_delegation_set_is_refused_where_its_name_servers_serve_the_name(
    owner, other_user, other_api, other_client, settings
):
    settings.DNS_NAMESERVER_ADDRESSES = FOUR_ADDRESSES
    services.create_hosted_zone(owner=owner, name="example.com")
    theirs = services.create_delegation_set(owner=other_user, caller_reference="b-set")
    message = (
        f"delegation set {theirs.pk}: its name servers {', '.join(sorted(theirs.name_servers))} already "
        "serve a hosted zone named example.com. or a name above or below it, and two such zones never "
        "share a name server; choose another delegation set, or none for four new name servers."
    )

    with pytest.raises(services.ZoneError) as refused:
        services.create_hosted_zone(owner=other_user, name="example.com", delegation_set=theirs)
    assert refused.value.field == "delegation_set"
    assert refused.value.message == message
    response = other_api.post("/api/v1/zones", {"name": "example.com", "delegation_set": theirs.pk})
    assert response.status_code == 400 and response.json() == {"delegation_set": [message]}
    page = other_client.post("/zones/new/", {"name": "example.com", "delegation_set": theirs.pk})
    assert page.status_code == 200
    assert page.context["form"].errors["delegation_set"] == [message]
    # Nothing was made, and the set still serves unrelated names.
    assert not theirs.hosted_zones.exists()
    assert services.create_hosted_zone(owner=other_user, name="example.org", delegation_set=theirs)


def test_one_account_cannot_share_a_reusable_set_between_a_zone_and_its_sub_zone(owner):
    shared = services.create_delegation_set(owner=owner, caller_reference="white-label")
    services.create_hosted_zone(owner=owner, name="example.com", delegation_set=shared)

    for name in ("example.com", "shop.example.com"):
        with pytest.raises(services.ZoneError, match="already serve a hosted zone named") as refused:
            services.create_hosted_zone(owner=owner, name=name, delegation_set=shared)
        assert refused.value.field == "delegation_set"
    # A private zone is answered by no name server, so it may use any.
    assert services.create_hosted_zone(
        owner=owner,
        name="example.com",
        is_private=True,
        networks=[services.save_network(owner=owner, name="vpc", cidrs=["10.1.0.0/16"])],
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "com",
            "com. is a top-level domain: a public hosted zone is for a name under one, such as example.com.",
        ),
        ("nameplate-dns.net", "nameplate-dns.net. is where this service's name servers live"),
        ("ns-3.nameplate-dns.org", "ns-3.nameplate-dns.org. is where this service's name servers live"),
    ],
)
def test_zones_that_would_cover_everyone_or_our_name_servers_are_refused(
    other_user, other_api, name, message
):
    with pytest.raises(services.ZoneError) as refused:
        services.create_hosted_zone(owner=other_user, name=name)
    assert (refused.value.field, refused.value.message) == ("name", message)
    response = other_api.post("/api/v1/zones", {"name": name})
    assert response.status_code == 400 and response.json() == {"name": [message]}


# ---- networks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cidr", "message"),
    [
        ("0.0.0.0/0", "0.0.0.0/0 is a /0: an IPv4 block of a network is /16 to /28, as in a VPC"),
        ("10.0.0.0/8", "10.0.0.0/8 is a /8: an IPv4 block of a network is /16 to /28, as in a VPC"),
        ("10.0.0.0/29", "10.0.0.0/29 is a /29: an IPv4 block of a network is /16 to /28, as in a VPC"),
        ("::/0", "::/0 is a /0: an IPv6 block of a network is a /56, as in a VPC"),
        ("2001:db8::/48", "2001:db8::/48 is a /48: an IPv6 block of a network is a /56, as in a VPC"),
    ],
)
def test_networks_take_the_cidr_blocks_a_vpc_may_have(other_user, other_api, other_client, cidr, message):
    with pytest.raises(services.ZoneError) as refused:
        services.save_network(owner=other_user, name="everyone", cidrs=["192.0.2.0/24", cidr])
    assert (refused.value.field, refused.value.message) == ("cidrs", message)

    response = other_api.post("/api/v1/networks", {"name": "everyone", "cidrs": [cidr]})
    assert response.status_code == 400 and response.json() == {"cidrs": [message]}
    page = other_client.post("/zones/networks/", {"name": "everyone", "cidrs": cidr})
    assert page.status_code == 200 and page.context["form"].errors["cidrs"] == [message]
    assert not other_user.networks.exists()


def test_the_narrowest_and_widest_vpc_blocks_are_taken(owner):
    network = services.save_network(
        owner=owner, name="edges", cidrs=["10.0.0.0/16", "10.1.0.0/28", "fd00:1::/56"]
    )
    assert network.cidrs == ["10.0.0.0/16", "10.1.0.0/28", "fd00:1::/56"]


def test_networks_of_two_accounts_may_overlap_as_vpcs_do(owner, other_user, other_api):
    # A private zone is answered only through its own networks' resolvers, so an overlapping
    # network of another account reaches none of your zones (resolver/tests/test_private_zones.py).
    ours = services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16", "fd00:1::/56"])
    theirs = other_api.post("/api/v1/networks", {"name": "shadow", "cidrs": ["10.1.0.0/16", "fd00:1::/56"]})
    assert theirs.status_code == 201 and theirs.json()["cidrs"] == ["10.1.0.0/16", "fd00:1::/56"]
    assert ours.private_address != other_user.networks.get().private_address


# ---- PostgreSQL: the same choices made at once -----------------------------------------------


def _at_once(count: int, work) -> tuple[list, list[BaseException]]:
    """Run `work(index)` in `count` threads released together; their results and their errors."""
    results, errors = [], []
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results.append(work(index))
        except BaseException as error:  # a thread's failure is the test's to judge
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_zones_of_one_name_created_at_once_never_share_a_name_server(owner, other_user, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so there is no race to test")
    # Three name servers under each domain, the last kept for whoever registers the name:
    # room for two zones of one name from accounts not holding it, not more.
    settings.DNS_NAMESERVER_ADDRESSES = [f"192.0.2.{number}" for number in range(1, 13)]
    users = [owner, other_user]

    zones, errors = _at_once(
        6, lambda index: services.create_hosted_zone(owner=users[index % 2], name="race.example")
    )

    assert len(zones) == 2 and len(errors) == 4
    assert all(isinstance(error, services.ZoneError) and error.field == "name" for error in errors), errors
    assert not set(zones[0].name_servers) & set(zones[1].name_servers)


@pytest.mark.django_db(transaction=True)
def test_one_caller_reference_sent_at_once_creates_one_zone_and_refuses_the_rest(owner):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so there is no race to test")

    zones, errors = _at_once(
        4,
        lambda index: services.create_hosted_zone(
            owner=owner, name="retry.example", caller_reference="once", refuse_reused_reference=True
        ),
    )

    assert len(zones) == 1 and len(errors) == 3
    assert all(isinstance(error, services.CallerReferenceUsedError) for error in errors), errors
    assert services.create_hosted_zone(owner=owner, name="retry.example", caller_reference="once") == zones[0]


@pytest.mark.django_db(transaction=True)
def test_networks_saved_at_once_never_share_a_private_listener_address(owner, other_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so there is no race to test")
    users = [owner, other_user]

    networks, errors = _at_once(
        4,
        lambda index: services.save_network(owner=users[index % 2], name=f"n{index}", cidrs=["10.9.0.0/16"]),
    )

    assert errors == [] and len(networks) == 4
    assert len({network.private_address for network in networks}) == 4


def test_each_network_gets_its_own_private_listener_address(owner, other_user, settings):
    settings.DNS_PRIVATE_ADDRESSES = ["127.0.55.10", "127.0.55.11"]
    ours = services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16"])
    theirs = services.save_network(owner=other_user, name="office", cidrs=["10.2.0.0/16"])
    assert (ours.private_address, theirs.private_address) == ("127.0.55.10", "127.0.55.11")

    with pytest.raises(services.ZoneError) as refused:
        services.save_network(owner=owner, name="lab", cidrs=["10.3.0.0/16"])
    assert refused.value.message.startswith("Every one of the 2 private-listener addresses")

    ours.delete()
    assert (
        services.save_network(owner=owner, name="lab", cidrs=["10.3.0.0/16"]).private_address == "127.0.55.10"
    )
