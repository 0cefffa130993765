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
        ("0.0.0.0/0", "0.0.0.0/0 is wider than /8: a network may cover at most a /8 of IPv4 addresses"),
        ("10.0.0.0/7", "10.0.0.0/7 is wider than /8: a network may cover at most a /8 of IPv4 addresses"),
        ("::/0", "::/0 is wider than /32: a network may cover at most a /32 of IPv6 addresses"),
        (
            "2001:db8::/31",
            "2001:db8::/31 is wider than /32: a network may cover at most a /32 of IPv6 addresses",
        ),
    ],
)
def test_networks_wider_than_the_operators_limit_are_refused(
    other_user, other_api, other_client, cidr, message
):
    with pytest.raises(services.ZoneError) as refused:
        services.save_network(owner=other_user, name="everyone", cidrs=["192.0.2.0/24", cidr])
    assert (refused.value.field, refused.value.message) == ("cidrs", message)

    response = other_api.post("/api/v1/networks", {"name": "everyone", "cidrs": [cidr]})
    assert response.status_code == 400 and response.json() == {"cidrs": [message]}
    page = other_client.post("/zones/networks/", {"name": "everyone", "cidrs": cidr})
    assert page.status_code == 200 and page.context["form"].errors["cidrs"] == [message]
    assert not other_user.networks.exists()


def test_the_widest_network_is_the_operators_choice(owner, settings):
    assert services.save_network(owner=owner, name="a", cidrs=["10.0.0.0/8", "2001:db8::/32"])
    settings.DNS_NETWORK_WIDEST_IPV4_PREFIX = 16
    with pytest.raises(services.ZoneError) as refused:
        services.save_network(owner=owner, name="b", cidrs=["172.16.0.0/12"])
    assert refused.value.message.startswith("172.16.0.0/12 is wider than /16: ")


def test_a_network_overlapping_another_accounts_is_refused(owner, other_user, other_api, other_client):
    ours = services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16", "fd00:1::/48"])
    message = (
        "{cidr} overlaps a network of another account: a private zone may answer only clients that no "
        "other account's network holds"
    )

    for cidr in ("10.1.2.0/24", "10.0.0.0/8", "fd00:1:0:1::/64"):
        with pytest.raises(services.ZoneError) as refused:
            services.save_network(owner=other_user, name="shadow", cidrs=[cidr])
        assert (refused.value.field, refused.value.message) == ("cidrs", message.format(cidr=cidr))
    response = other_api.post("/api/v1/networks", {"name": "shadow", "cidrs": ["10.1.0.0/16"]})
    assert response.status_code == 400
    assert response.json() == {"cidrs": [message.format(cidr="10.1.0.0/16")]}
    page = other_client.post("/zones/networks/", {"name": "shadow", "cidrs": "10.1.128.0/17"})
    assert page.context["form"].errors["cidrs"] == [message.format(cidr="10.1.128.0/17")]
    # An update may not move a network over another account's either.
    mine = services.save_network(owner=other_user, name="mine", cidrs=["10.2.0.0/16"])
    response = other_api.patch(f"/api/v1/networks/{mine.pk}", {"cidrs": ["10.1.0.0/24"]})
    assert response.status_code == 400 and response.json() == {"cidrs": [message.format(cidr="10.1.0.0/24")]}
    # Beside it is fine, and so is overlapping one's own networks.
    assert services.save_network(owner=other_user, name="beside", cidrs=["10.3.0.0/16"])
    assert services.save_network(owner=owner, name="again", cidrs=["10.1.0.0/24"])
    assert list(ours.hosted_zones.all()) == []


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
    # Two name servers under each domain: room for two zones of one name, not more.
    settings.DNS_NAMESERVER_ADDRESSES = [f"192.0.2.{number}" for number in range(1, 9)]
    users = [owner, other_user]

    zones, errors = _at_once(
        6, lambda index: services.create_hosted_zone(owner=users[index % 2], name="race.example")
    )

    assert len(zones) == 2 and len(errors) == 4
    assert all(isinstance(error, services.ZoneError) and error.field == "name" for error in errors), errors
    assert not set(zones[0].name_servers) & set(zones[1].name_servers)


@pytest.mark.django_db(transaction=True)
def test_overlapping_networks_saved_at_once_by_two_accounts_are_not_both_kept(owner, other_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so there is no race to test")
    users = [owner, other_user]

    networks, errors = _at_once(
        4,
        lambda index: services.save_network(owner=users[index % 2], name=f"n{index}", cidrs=["10.9.0.0/16"]),
    )

    assert {network.owner_id for network in networks} in ({owner.pk}, {other_user.pk})
    assert all(isinstance(error, services.ZoneError) and error.field == "cidrs" for error in errors), errors
    assert len(networks) + len(errors) == 4


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
