"""The attacker B (`other_user`) makes zones that would take A's (`owner`'s) answers; A's stay A's.

Each test does what the attack did, then asks our running DNS server, as dig would: the
convenience listener (127.0.0.1), each of A's four name servers at its own address, and
B's. A's names get A's data everywhere; B's zone answers only on B's own name servers.
"""

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from tests.support import LiveDnsServer, buy_domain, name_server_address, wait_for_delegation, wait_until
from zones import services as zone_services
from zones.models import DelegationSet, HostedZone
from zones.rules import RecordSetSpec

pytestmark = pytest.mark.django_db(transaction=True)

A_ADDRESS = "192.0.2.10"
B_ADDRESS = "203.0.113.66"


@pytest.fixture
def live_dns():
    listeners = ["root=127.0.0.1:0", "tld=127.0.0.1:0", "auth=127.0.0.1:0"]
    with LiveDnsServer(listeners, name_server_port=0) as server:
        yield server


def add_a(zone: HostedZone, name: str, address: str) -> None:
    spec = RecordSetSpec(name=name, type="A", ttl=60, values=(address,))
    zone_services.apply_change_batch(hosted_zone=zone, changes=[zone_services.Change("CREATE", spec)])


def ask(
    server: LiveDnsServer, qname: str, rdtype: str = "A", *, at: str | None = None
) -> dns.message.Message:
    """Ask the convenience listener, or (`at`) one name server at its own address."""
    request = dns.message.make_query(qname, rdtype)
    if at is None:
        return dns.query.udp(request, "127.0.0.1", port=server.port("auth"), timeout=3)
    return dns.query.udp(request, name_server_address(at), port=server.name_server_port, timeout=3)


def addresses(message: dns.message.Message) -> list[str]:
    return sorted(
        rdata.address for rrset in message.answer if rrset.rdtype == dns.rdatatype.A for rdata in rrset
    )


def soa_of(message: dns.message.Message) -> str:
    """The primary name server of the SOA in the authority section: whose zone said NXDOMAIN."""
    [soa] = [rrset for rrset in message.authority if rrset.rdtype == dns.rdatatype.SOA]
    return soa[0].mname.to_text()


def convenience_and_own(zone: HostedZone) -> list[str | None]:
    """Where A's names are asked: the convenience listener (None) and each of `zone`'s name servers."""
    return [None, *zone.name_servers]


def assert_answers_from(server: LiveDnsServer, zone: HostedZone, qname: str, address: str, *, where) -> None:
    for at in where:
        message = ask(server, qname, at=at)
        assert message.rcode() == dns.rcode.NOERROR and message.flags & dns.flags.AA, (at, message)
        assert addresses(message) == [address], (at, message)


def assert_no_such_name_in(server: LiveDnsServer, zone: HostedZone, qname: str, *, where) -> None:
    """NXDOMAIN, with the SOA of `zone` (its first name server is its SOA's primary)."""
    for at in where:
        message = ask(server, qname, at=at)
        assert message.rcode() == dns.rcode.NXDOMAIN, (at, message)
        assert soa_of(message) == zone.name_servers[0], (at, message)


def wait_for_answer(server: LiveDnsServer, qname: str, address: str, *, at: str | None = None) -> None:
    wait_until(lambda: addresses(ask(server, qname, at=at)) == [address], what=f"{qname} to answer {address}")


def test_a_same_name_zone_of_another_account_takes_none_of_its_answers(owner, other_user, live_dns):
    ours = zone_services.create_hosted_zone(owner=owner, name="a-zone.com")
    add_a(ours, "www", A_ADDRESS)
    wait_for_answer(live_dns, "www.a-zone.com.", A_ADDRESS)

    theirs = zone_services.create_hosted_zone(owner=other_user, name="a-zone.com")
    add_a(theirs, "www", B_ADDRESS)
    add_a(theirs, "login", B_ADDRESS)
    wait_for_answer(live_dns, "login.a-zone.com.", B_ADDRESS, at=theirs.name_servers[0])

    assert not set(ours.name_servers) & set(theirs.name_servers)
    assert not {name_server_address(host) for host in ours.name_servers} & {
        name_server_address(host) for host in theirs.name_servers
    }
    # A's names: A's data and A's NXDOMAIN, on the convenience listener and A's name servers.
    assert_answers_from(live_dns, ours, "www.a-zone.com.", A_ADDRESS, where=convenience_and_own(ours))
    assert_no_such_name_in(live_dns, ours, "login.a-zone.com.", where=convenience_and_own(ours))
    # B's zone answers on B's own name servers only.
    assert_answers_from(live_dns, theirs, "www.a-zone.com.", B_ADDRESS, where=theirs.name_servers)


def test_a_zone_named_like_a_bought_domain_takes_none_of_its_answers(owner, other_user, live_dns):
    domain = buy_domain(owner, "a-domain.com")
    ours = domain.hosted_zone
    add_a(ours, "www", A_ADDRESS)
    wait_for_delegation(live_dns, "a-domain.com.")
    wait_for_answer(live_dns, "www.a-domain.com.", A_ADDRESS)

    theirs = zone_services.create_hosted_zone(owner=other_user, name="a-domain.com")
    add_a(theirs, "www", B_ADDRESS)
    add_a(theirs, "login", B_ADDRESS)
    wait_for_answer(live_dns, "login.a-domain.com.", B_ADDRESS, at=theirs.name_servers[-1])

    assert not set(ours.name_servers) & set(theirs.name_servers)
    assert_answers_from(live_dns, ours, "www.a-domain.com.", A_ADDRESS, where=convenience_and_own(ours))
    assert_no_such_name_in(live_dns, ours, "login.a-domain.com.", where=convenience_and_own(ours))
    assert_answers_from(live_dns, theirs, "www.a-domain.com.", B_ADDRESS, where=theirs.name_servers)
    # Even A's zone gone, B's does not take the name A holds: A's domain is still A's.
    zone_services.apply_change_batch(
        hosted_zone=ours,
        changes=[
            zone_services.Change("DELETE", RecordSetSpec(name="www", type="A", ttl=60, values=(A_ADDRESS,)))
        ],
    )
    zone_services.delete_hosted_zone(ours)
    wait_until(lambda: ask(live_dns, "www.a-domain.com.").rcode() == dns.rcode.REFUSED, what="A's zone to go")
    assert ask(live_dns, "www.a-domain.com.", at=theirs.name_servers[0]).rcode() == dns.rcode.NOERROR


def test_a_domain_still_delegated_to_a_deleted_zones_hosts_never_lends_them_to_another_zone(
    owner, other_user, live_dns, settings
):
    domain = buy_domain(owner, "dangling.com")
    old_hosts = set(domain.hosted_zone.name_servers)
    wait_for_delegation(live_dns, "dangling.com.")
    zone_services.delete_hosted_zone(domain.hosted_zone)
    for host in old_hosts:
        wait_until(
            lambda host=host: ask(live_dns, "www.dangling.com.", at=host).rcode() == dns.rcode.REFUSED,
            what="A's deleted zone to leave its name servers",
        )
    per_domain = len(settings.DNS_NAMESERVER_ADDRESSES) // len(settings.DNS_NAMESERVER_DOMAINS)

    # B makes zones of the name until none is left to B (the last free host of each domain is
    # kept for A, who holds the domain): none gets a host the registry delegates it to.
    theirs = [
        zone_services.create_hosted_zone(owner=other_user, name="dangling.com") for _ in range(per_domain - 2)
    ]
    with pytest.raises(zone_services.NameServersExhaustedError):
        zone_services.create_hosted_zone(owner=other_user, name="dangling.com")
    assert not old_hosts & {host for zone in theirs for host in zone.name_servers}
    again = zone_services.create_hosted_zone(owner=owner, name="dangling.com")
    assert not old_hosts & set(again.name_servers)
    # Nor a reusable delegation set that happens to hold one of them.
    lucky = zone_services.create_delegation_set(owner=other_user)
    DelegationSet.objects.filter(pk=lucky.pk).update(name_servers=sorted(old_hosts))
    lucky.refresh_from_db()
    with pytest.raises(zone_services.ZoneError) as refused:
        zone_services.create_hosted_zone(owner=other_user, name="dangling.com", delegation_set=lucky)
    assert refused.value.field == "delegation_set" and "still delegates" in refused.value.message
    add_a(theirs[0], "www", B_ADDRESS)
    wait_for_answer(live_dns, "www.dangling.com.", B_ADDRESS, at=theirs[0].name_servers[0])
    # What a resolver following the registry reaches: nothing of B's.
    for host in old_hosts:
        assert ask(live_dns, "www.dangling.com.", at=host).rcode() == dns.rcode.REFUSED


def test_zones_of_a_name_made_before_it_is_bought_leave_its_buyer_four_name_servers(
    owner, other_user, settings
):
    per_domain = len(settings.DNS_NAMESERVER_ADDRESSES) // len(settings.DNS_NAMESERVER_DOMAINS)
    # B squats the name (and a name below it) before anyone has bought it, as far as B can.
    squatted = [
        zone_services.create_hosted_zone(owner=other_user, name="wanted.com") for _ in range(per_domain - 2)
    ]
    squatted.append(zone_services.create_hosted_zone(owner=other_user, name="sub.wanted.com"))
    for name in ("wanted.com", "deep.sub.wanted.com"):
        with pytest.raises(zone_services.NameServersExhaustedError) as refused:
            zone_services.create_hosted_zone(owner=other_user, name=name)
        assert refused.value.field == "name"
        assert "kept for the account that registers it" in refused.value.message
    # Nor through a reusable delegation set holding exactly the hosts still free.
    taken = {host for zone in squatted for host in zone.name_servers}
    free = sorted(set(zone_services.name_server_pool()) - taken)
    assert len(free) == 4
    lucky = zone_services.create_delegation_set(owner=other_user)
    DelegationSet.objects.filter(pk=lucky.pk).update(name_servers=free)
    lucky.refresh_from_db()
    with pytest.raises(zone_services.NameServersExhaustedError):
        zone_services.create_hosted_zone(owner=other_user, name="wanted.com", delegation_set=lucky)

    # A buys it: the registrar's zone gets the four hosts kept for the holder.
    domain = buy_domain(owner, "wanted.com")
    assert sorted(domain.hosted_zone.name_servers) == free
    assert domain.hosted_zone.owner == owner


def test_the_registrys_delegation_wins_over_an_older_zone_of_another_account(owner, other_user, live_dns):
    squatter = zone_services.create_hosted_zone(owner=other_user, name="bought-later.com")
    add_a(squatter, "www", B_ADDRESS)
    # First come: nobody holds the name yet, so B's zone answers the convenience listener.
    wait_for_answer(live_dns, "www.bought-later.com.", B_ADDRESS)

    domain = buy_domain(owner, "bought-later.com")
    add_a(domain.hosted_zone, "www", A_ADDRESS)
    wait_for_delegation(live_dns, "bought-later.com.")

    wait_for_answer(live_dns, "www.bought-later.com.", A_ADDRESS)
    ours = domain.hosted_zone
    assert_answers_from(live_dns, ours, "www.bought-later.com.", A_ADDRESS, where=convenience_and_own(ours))
    assert_answers_from(live_dns, squatter, "www.bought-later.com.", B_ADDRESS, where=squatter.name_servers)


def test_a_zone_below_another_accounts_zone_takes_none_of_its_answers(owner, other_user, live_dns):
    domain = buy_domain(owner, "parent-zone.com")
    ours = domain.hosted_zone
    add_a(ours, "www", A_ADDRESS)
    wait_for_delegation(live_dns, "parent-zone.com.")
    wait_for_answer(live_dns, "www.parent-zone.com.", A_ADDRESS)

    theirs = zone_services.create_hosted_zone(owner=other_user, name="sub.parent-zone.com")
    add_a(theirs, "www", B_ADDRESS)
    wait_for_answer(live_dns, "www.sub.parent-zone.com.", B_ADDRESS, at=theirs.name_servers[1])

    assert not set(ours.name_servers) & set(theirs.name_servers)
    # Below A's zone, A's zone says the name does not exist, on every listener but B's own.
    assert_no_such_name_in(live_dns, ours, "www.sub.parent-zone.com.", where=convenience_and_own(ours))
    assert_answers_from(live_dns, ours, "www.parent-zone.com.", A_ADDRESS, where=convenience_and_own(ours))
    assert_answers_from(live_dns, theirs, "www.sub.parent-zone.com.", B_ADDRESS, where=theirs.name_servers)

    # Once A delegates the name to B's zone with NS records, the Internet reaches B's zone there.
    delegation = RecordSetSpec(name="sub", type="NS", ttl=60, values=tuple(theirs.name_servers))
    zone_services.apply_change_batch(hosted_zone=ours, changes=[zone_services.Change("CREATE", delegation)])
    wait_for_answer(live_dns, "www.sub.parent-zone.com.", B_ADDRESS)
    referral = ask(live_dns, "www.sub.parent-zone.com.", at=ours.name_servers[0])
    assert not referral.flags & dns.flags.AA and referral.authority[0].rdtype == dns.rdatatype.NS


def test_a_private_zone_of_another_account_cannot_shadow_a_zone(owner, other_user, other_api, live_dns):
    ours = zone_services.create_hosted_zone(owner=owner, name="shadowed.com")
    add_a(ours, "www", A_ADDRESS)

    response = other_api.post("/api/v1/networks", {"name": "everyone", "cidrs": ["0.0.0.0/0"]})
    assert response.status_code == 400
    assert response.json() == {
        "cidrs": ["0.0.0.0/0 is a /0: an IPv4 block of a network is /16 to /28, as in a VPC"]
    }

    # A network holding the clients that ask (loopback here) and a private zone of our name on it:
    # private zones are answered only by the network's own resolver, never on the public listeners.
    network = zone_services.save_network(owner=other_user, name="loopback", cidrs=["127.0.0.0/16"])
    theirs = zone_services.create_hosted_zone(
        owner=other_user, name="shadowed.com", is_private=True, networks=[network]
    )
    add_a(theirs, "www", "198.51.100.66")
    wait_for_answer(live_dns, "www.shadowed.com.", A_ADDRESS)
    for where in convenience_and_own(ours):
        assert addresses(ask(live_dns, "www.shadowed.com.", at=where)) == [A_ADDRESS]
