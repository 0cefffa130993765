"""Each name server answers on its own address only the zones delegated to it; the convenience
listener follows the registry. Two zones of one name, served from memory, on real sockets."""

import asyncio
import dataclasses
import threading

import dns.edns
import dns.message
import dns.name
import dns.query
import dns.rcode
import pytest

from dnsserver.follow import Follower
from dnsserver.handler import ServerState
from dnsserver.server import DnsServer
from dnsserver.sources import MemoryZoneSource
from kernel.listeners import Listener
from zones.engine import Registration, zone_data_from_text

HOSTS_A = ("ns-0.np-dns.com.", "ns-0.np-dns.net.")
HOSTS_B = ("ns-1.np-dns.com.", "ns-1.np-dns.net.")
POOL = {dns.name.from_text(host): f"127.0.53.{230 + n}" for n, host in enumerate(HOSTS_A + HOSTS_B)}


def twin(key: str, owner: str, hosts: tuple[str, ...], address: str):
    text = f"""
@ 300 IN SOA {hosts[0]} hostmaster.twin.test. 1 7200 900 1209600 86400
@ 300 IN NS {hosts[0]}
www 300 IN A {address}
"""
    data = zone_data_from_text(text, "twin.test.", key=key)
    return dataclasses.replace(
        data,
        name_servers=tuple(dns.name.from_text(host) for host in hosts),
        owner=owner,
        created=(float(key), int(key)),
    )


@pytest.fixture
def servers():
    """The convenience listener on 127.0.0.1 and one listener per name server, following a memory source."""
    source = MemoryZoneSource()
    source.put("auth", twin("1", "a", HOSTS_A, "192.0.2.1"))
    source.put("auth", twin("2", "b", HOSTS_B, "192.0.2.2"))
    state = ServerState(roles=("auth",), name_servers=POOL)
    listeners = [Listener("auth", "127.0.0.1", 0)] + [
        Listener("auth", address, 0) for address in POOL.values()
    ]
    server = DnsServer(state, listeners)
    follower = Follower(state, source, poll_seconds=0.05)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def run(coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=30)

    run(server.start())
    run(follower.start())
    yield server, source, run, follower
    run(follower.stop())
    run(server.stop())
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=10)
    loop.close()


def answered(server: DnsServer, host: str, *, transport: str = "udp", subnet: str | None = None) -> list[str]:
    """The A records of www.twin.test. from the listener on `host` (ECS takes the general path)."""
    options = [dns.edns.ECSOption(subnet, 24)] if subnet else []
    request = dns.message.make_query("www.twin.test.", "A", use_edns=0 if subnet else False, options=options)
    port = next(item.port for item in server.bound if item.host == host)
    send = dns.query.udp if transport == "udp" else dns.query.tcp
    reply = send(request, host, port=port, timeout=3)
    return [rdata.address for rrset in reply.answer for rdata in rrset]


@pytest.mark.parametrize(("transport", "subnet"), [("udp", None), ("tcp", None), ("udp", "198.51.100.0")])
def test_each_name_server_answers_its_own_zone_of_two_with_one_name(servers, transport, subnet):
    server, *_ = servers

    for host, expected in [*((h, ["192.0.2.1"]) for h in HOSTS_A), *((h, ["192.0.2.2"]) for h in HOSTS_B)]:
        address = POOL[dns.name.from_text(host)]
        assert answered(server, address, transport=transport, subnet=subnet) == expected, host
    # Nobody delegates the name: the older zone answers the convenience listener.
    assert answered(server, "127.0.0.1", transport=transport, subnet=subnet) == ["192.0.2.1"]


def test_the_convenience_listener_follows_the_registry_as_it_changes(servers):
    server, source, run, follower = servers
    name = dns.name.from_text("twin.test.")

    source.register(Registration(name, tuple(dns.name.from_text(host) for host in HOSTS_B), "b"))
    run(follower.sync_registrations())

    assert answered(server, "127.0.0.1") == ["192.0.2.2"]
    assert answered(server, POOL[dns.name.from_text(HOSTS_A[0])]) == ["192.0.2.1"]
    source.delete("auth", "2")
    run(follower.sync_role("auth"))
    # Held by b and delegated to a zone that is gone: a's zone does not take b's name.
    reply = dns.query.udp(
        dns.message.make_query("www.twin.test.", "A"), "127.0.0.1", port=server.port("auth"), timeout=3
    )
    assert reply.rcode() == dns.rcode.REFUSED
    assert answered(server, POOL[dns.name.from_text(HOSTS_A[0])]) == ["192.0.2.1"]
