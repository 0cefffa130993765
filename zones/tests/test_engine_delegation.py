"""Which zone answers where (zones/engine/delegation.py), on plain data: no database, no sockets.

Accounts are "a" (the first owner of a name) and "b" (who comes after and tries to take it).
"""

import dataclasses

import dns.name
import dns.rcode
import dns.rdatatype
import pytest

from zones.engine import (
    Delegations,
    Question,
    Registration,
    ZoneSet,
    answer,
    compile_zone,
    zone_data_from_text,
)
from zones.engine.render import name_key

NS_A = ("ns-0.np-dns.com.", "ns-0.np-dns.net.")
NS_B = ("ns-1.np-dns.com.", "ns-1.np-dns.net.")
NS_C = ("ns-2.np-dns.com.", "ns-2.np-dns.net.")
POOL = {dns.name.from_text(host): f"127.0.53.{200 + index}" for index, host in enumerate(NS_A + NS_B + NS_C)}


def zone(origin: str, key: str, owner: str, created: int, name_servers=NS_A, extra: str = "", **fields):
    """A compiled zone of `owner` with www A 192.0.2.<key>, made at time `created`."""
    text = f"""
@ 300 IN SOA {name_servers[0]} hostmaster.{origin} 1 7200 900 1209600 86400
@ 300 IN NS {name_servers[0]}
www 300 IN A 192.0.2.{key}
{extra}
"""
    data = zone_data_from_text(text, origin, key=key)
    data = dataclasses.replace(
        data,
        name_servers=tuple(dns.name.from_text(host) for host in name_servers),
        owner=owner,
        created=(float(created), int(key)),
        **fields,
    )
    return compile_zone(data)


def registered(name: str, owner: str = "", name_servers=()) -> Registration:
    return Registration(
        dns.name.from_text(name), tuple(dns.name.from_text(host) for host in name_servers), owner
    )


def zone_set(*zones, registrations=()) -> ZoneSet:
    return ZoneSet(zones, delegations=Delegations.build(POOL, registrations))


def served(zones: ZoneSet, qname: str, name_server: str | None = None) -> str | None:
    """The key of the zone that answers `qname` there, or None (REFUSED)."""
    found = zones.find(name_key(dns.name.from_text(qname)), None, name_server)
    return found.key if found is not None else None


@pytest.mark.parametrize(
    ("zones", "registrations", "expected"),
    [
        # Nobody delegates: the older zone of a name, whoever holds it.
        ([("example.com.", "1", "a", 1, NS_A), ("example.com.", "2", "b", 2, NS_B)], [], "1"),
        ([("example.com.", "1", "a", 2, NS_A), ("example.com.", "2", "b", 1, NS_B)], [], "2"),
        # The registry delegates to one zone's name servers: that zone, older or newer.
        (
            [("example.com.", "1", "a", 1, NS_A), ("example.com.", "2", "b", 2, NS_B)],
            [registered("example.com.", "b", NS_B)],
            "2",
        ),
        # A mixed delegation: the zone holding more of the hosts.
        (
            [("example.com.", "1", "a", 1, NS_A), ("example.com.", "2", "b", 2, NS_B)],
            [registered("example.com.", "b", (NS_A[0], *NS_B))],
            "2",
        ),
        # Delegated elsewhere: only the holder's own zone, never another account's older one.
        (
            [("example.com.", "1", "b", 1, NS_B), ("example.com.", "2", "a", 2, NS_A)],
            [registered("example.com.", "a", ("ns1.elsewhere.net.",))],
            "2",
        ),
        # Held by someone who is none of our accounts and delegated elsewhere: no zone of ours.
        ([("example.com.", "1", "b", 1, NS_B)], [registered("example.com.", "", ("ns1.x.net.",))], None),
        # On hold (not delegated) and held by "a": "a"'s zone, not "b"'s.
        (
            [("example.com.", "1", "b", 1, NS_B), ("example.com.", "2", "a", 2, NS_A)],
            [registered("example.com.", "a")],
            "2",
        ),
    ],
)
def test_the_convenience_listener_follows_the_registry(zones, registrations, expected):
    snapshots = [zone(origin, key, owner, created, hosts) for origin, key, owner, created, hosts in zones]

    assert served(zone_set(*snapshots, registrations=registrations), "www.example.com.") == expected


def test_a_zone_below_another_accounts_zone_is_not_served_there():
    parent = zone("example.com.", "1", "a", 1, NS_A)
    theirs = zone("sub.example.com.", "2", "b", 2, NS_B)
    own = zone("own.example.com.", "3", "a", 3, NS_C)

    zones = zone_set(parent, theirs, own)

    assert served(zones, "www.sub.example.com.") == "1"
    assert served(zones, "www.own.example.com.") == "3"
    # Even with no zone above it, a registered domain of another account keeps it out.
    zones = zone_set(theirs, registrations=[registered("example.com.", "a", NS_A)])
    assert served(zones, "www.sub.example.com.") is None


def test_a_parents_ns_records_delegate_to_the_child_zone_they_name():
    delegating = "sub 300 IN NS ns-1.np-dns.com.\nsub 300 IN NS ns-1.np-dns.net."
    parent = zone("example.com.", "1", "a", 1, NS_A, extra=delegating)
    child = zone("sub.example.com.", "2", "b", 2, NS_B)
    other = zone("sub.example.com.", "3", "a", 3, NS_C)

    zones = zone_set(parent, child, other)

    assert served(zones, "www.sub.example.com.") == "2"
    # Delegated to hosts of none of our zones: the parent's referral answers.
    elsewhere = zone("example.com.", "1", "a", 1, NS_A, extra="sub 300 IN NS ns1.elsewhere.net.")
    zones = zone_set(elsewhere, other)
    assert served(zones, "www.sub.example.com.") == "1"
    message = answer(zones, Question.from_text("www.sub.example.com.", "A")).message
    assert message.rcode() == dns.rcode.NOERROR and message.authority[0].rdtype == dns.rdatatype.NS
    # A name below a delegation belongs to the delegated zone, even the parent's own account's.
    deeper = zone("deep.sub.example.com.", "4", "a", 4, NS_B)
    assert served(zone_set(elsewhere, deeper), "www.deep.sub.example.com.") == "1"


def test_an_older_intruder_does_not_keep_the_owners_newer_sub_zone_out():
    parent = zone("example.com.", "1", "a", 1, NS_A)
    intruder = zone("sub.example.com.", "2", "b", 2, NS_B)
    own = zone("sub.example.com.", "3", "a", 3, NS_C)

    assert served(zone_set(parent, intruder, own), "www.sub.example.com.") == "3"


def test_a_registered_domain_under_a_zone_is_delegated_by_the_registry():
    # A zone of a TLD's name (older than the rule that refuses them) does not answer for the
    # registered domains below it: the registry delegates them.
    tld = zone("com.", "1", "b", 1, NS_B)
    domain = zone("example.com.", "2", "a", 2, NS_A)

    zones = zone_set(tld, domain, registrations=[registered("example.com.", "a", NS_A)])

    assert served(zones, "www.example.com.") == "2"


def test_each_name_server_answers_only_the_zones_delegated_to_it():
    ours = zone("example.com.", "1", "a", 1, NS_A)
    theirs = zone("example.com.", "2", "b", 2, NS_B)
    below = zone("sub.example.com.", "3", "b", 3, NS_C)
    private = zone("example.com.", "4", "b", 4, NS_C, private_addresses=("127.0.55.10",))

    zones = zone_set(ours, theirs, below, private)

    assert [served(zones, "www.sub.example.com.", POOL[dns.name.from_text(host)]) for host in NS_A] == [
        "1",
        "1",
    ]
    assert [served(zones, "www.example.com.", POOL[dns.name.from_text(host)]) for host in NS_B] == ["2", "2"]
    assert [served(zones, "www.sub.example.com.", POOL[dns.name.from_text(host)]) for host in NS_C] == [
        "3",
        "3",
    ]
    assert served(zones, "www.example.com.", POOL[dns.name.from_text(NS_C[0])]) is None
    # A private zone answers on its network's private address only: never on the convenience
    # listener nor on a name server, whatever the source address.
    www = dns.name.from_text("www.example.com.")
    assert zones.find_zone(www, "127.0.0.1", "127.0.55.10").key == "4"
    assert zones.find_zone(www, "127.0.0.1", "127.0.55.11") is None
    assert zones.find_zone(www, "127.0.0.1").key == "1"
    assert zones.find_zone(www, "127.0.0.1", POOL[dns.name.from_text(NS_C[0])]) is None
    # The engine's answer is the name server's own zone's.
    message = answer(zones, Question.from_text("www.example.com.", "A"), name_server="127.0.53.202").message
    assert [rdata.address for rdata in message.answer[0]] == ["192.0.2.2"]


def test_two_zones_of_one_name_on_one_name_server_keep_the_older():
    older = zone("example.com.", "1", "a", 1, NS_A)
    newer = zone("example.com.", "2", "b", 2, NS_A)

    assert served(zone_set(newer, older), "www.example.com.", "127.0.53.200") == "1"


def test_registrations_are_followed_when_they_change():
    ours = zone("example.com.", "1", "a", 1, NS_A)
    bought = zone("example.com.", "2", "b", 2, NS_B)
    zones = zone_set(ours, bought)
    assert served(zones, "www.example.com.") == "1"

    zones = zones.with_registrations([registered("example.com.", "b", NS_B)])

    assert served(zones, "www.example.com.") == "2"
    assert served(zones.remove("2"), "www.example.com.") is None
    assert served(zones.remove("2").replace(bought), "www.example.com.") == "2"


def test_without_delegations_each_name_is_answered_by_its_oldest_zone():
    older = zone("example.com.", "1", "a", 1, NS_A)
    newer = zone("example.com.", "2", "b", 2, NS_B)

    assert served(ZoneSet([newer, older]), "www.example.com.") == "1"
    assert served(ZoneSet([newer, older]), "www.example.com.", "127.0.53.200") is None
