"""AXFR/IXFR to allowed addresses, NOTIFY on change, and private-zone views."""

import dataclasses
import ipaddress
import socket

import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import dns.xfr
import dns.zone
import pytest

from dnsserver.follow import Follower
from dnsserver.handler import QueryHandler, ServerState
from dnsserver.sources import MemoryZoneSource
from dnsserver.tests.dns_fixtures import RunningServer
from kernel.listeners import Listener
from zones.engine import ZoneSet, compile_zone, parse_networks, zone_data_from_text
from zones.tests.dns_fixtures import EXAMPLE_ZONE

LOOPBACK = parse_networks(["127.0.0.0/8"])


def example_data(**changes):
    return dataclasses.replace(zone_data_from_text(EXAMPLE_ZONE, "example.com.", key="1"), **changes)


def zone_contents(zone: dns.zone.Zone) -> set[tuple]:
    return {
        (
            name.derelativize(zone.origin).to_text().lower(),
            dns.rdatatype.to_text(rdataset.rdtype),
            rdata.to_text(),
        )
        for name, node in zone.nodes.items()
        for rdataset in node
        for rdata in rdataset
    }


@pytest.fixture
def transfer_server():
    state = ServerState()
    state.zones["auth"] = ZoneSet([compile_zone(example_data(xfr_networks=LOOPBACK))])
    with RunningServer(state) as server:
        yield server


def test_axfr_contents_equal_the_zone(transfer_server):
    received = dns.zone.Zone("example.com.", relativize=False)
    dns.query.inbound_xfr("127.0.0.1", received, port=transfer_server.port(), timeout=10)
    expected = dns.zone.from_text(EXAMPLE_ZONE, "example.com.", relativize=False)
    assert zone_contents(received) == zone_contents(expected)


def test_ixfr_from_the_current_serial_gets_only_the_soa(transfer_server):
    query, _ = dns.xfr.make_query(dns.zone.Zone("example.com."), serial=2024010101)
    reply = transfer_server.query(query, "tcp")
    assert [rrset.rdtype for rrset in reply.answer] == [dns.rdatatype.SOA]


def test_axfr_is_refused_outside_the_allowed_networks():
    state = ServerState()
    state.zones["auth"] = ZoneSet([compile_zone(example_data(xfr_networks=parse_networks(["10.0.0.0/8"])))])
    with RunningServer(state) as server:
        reply = server.query(dns.message.make_query("example.com.", "AXFR"), "tcp")
        assert reply.rcode() == dns.rcode.REFUSED


def test_notify_reaches_a_listening_secondary_on_every_change():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as secondary:
        secondary.bind(("127.0.0.1", 0))
        secondary.settimeout(10)
        target = f"127.0.0.1:{secondary.getsockname()[1]}"
        source = MemoryZoneSource()
        source.put("auth", example_data(notify_targets=(target,)))
        state = ServerState()
        with RunningServer(state) as server:
            follower = Follower(state, source, poll_seconds=0.1)
            server.run(follower.start())
            try:
                for serial in (2024010101, 2024010102):
                    if serial != 2024010101:
                        source.put("auth", example_data(serial=serial, notify_targets=(target,)))
                    wire, peer = secondary.recvfrom(65535)
                    notify = dns.message.from_wire(wire)
                    assert notify.opcode() == dns.opcode.NOTIFY
                    assert notify.question[0].name.to_text() == "example.com."
                    assert notify.answer[0][0].serial == serial
                    secondary.sendto(dns.message.make_response(notify).to_wire(), peer)
            finally:
                server.run(follower.stop())


PRIVATE_ZONE = """
$ORIGIN example.com.
@ 300 IN SOA ns1 hostmaster 5 7200 3600 1209600 300
@ 300 IN NS ns1
ns1 300 IN A 10.0.0.53
www 300 IN A 10.0.0.80
intranet 300 IN A 10.0.0.81
"""


NETWORK_ADDRESS = "127.0.55.10"
OTHER_NETWORK_ADDRESS = "127.0.55.11"


def private_zone(**changes):
    return compile_zone(
        dataclasses.replace(
            zone_data_from_text(PRIVATE_ZONE, "example.com.", key="2"),
            private_addresses=(NETWORK_ADDRESS,),
            **changes,
        )
    )


def views() -> ZoneSet:
    return ZoneSet([compile_zone(example_data()), private_zone()])


def private_server(state: ServerState) -> RunningServer:
    """The private listener on the network's address and on another network's, and a public one."""
    server = RunningServer(state, roles=("auth",))
    server.server.listeners += [
        Listener("private", NETWORK_ADDRESS, 0),
        Listener("private", OTHER_NETWORK_ADDRESS, 0),
    ]
    return server


def ask_private(server: RunningServer, at: str, qname: str, transport: str = "udp") -> dns.message.Message:
    port = next(item.port for item in server.server.bound if item.host == at)
    send = dns.query.udp if transport == "udp" else dns.query.tcp
    return send(dns.message.make_query(qname, "A"), at, port=port, timeout=5)


def test_a_private_zone_answers_on_its_networks_private_address_only():
    state = ServerState(roles=("auth", "private"))
    state.zones["auth"] = ZoneSet([compile_zone(example_data())])
    state.zones["private"] = ZoneSet([private_zone()])
    with private_server(state) as server:
        for transport in ("udp", "tcp"):
            reply = ask_private(server, NETWORK_ADDRESS, "intranet.example.com.", transport)
            assert [rdata.address for rdata in reply.answer[0]] == ["10.0.0.81"]
            reply = ask_private(server, NETWORK_ADDRESS, "www.example.com.", transport)
            assert [rdata.address for rdata in reply.answer[0]] == ["10.0.0.80"]
            # Another network's address: nothing, not even the public zone of that name.
            reply = ask_private(server, OTHER_NETWORK_ADDRESS, "intranet.example.com.", transport)
            assert (reply.rcode(), reply.answer) == (dns.rcode.REFUSED, [])
            # The public listener, from inside the network's own address range: the public zone.
            reply = server.query(dns.message.make_query("intranet.example.com.", "A"), transport)
            assert reply.rcode() == dns.rcode.NXDOMAIN
            reply = server.query(dns.message.make_query("www.example.com.", "A"), transport)
            assert reply.answer[-1][0].address in ("192.0.2.80", "192.0.2.81")


def test_every_source_sees_the_public_view_on_public_listeners():
    state = ServerState()
    state.zones["auth"] = views()
    handler = QueryHandler(state, "auth")
    for outside in ("127.0.0.1", "127.0.55.10", "192.0.2.1", "2001:db8::1"):
        wire = handler.handle(
            dns.message.make_query("www.example.com.", "A").to_wire(), ipaddress.ip_address(outside)
        )
        reply = dns.message.from_wire(wire)
        assert reply.answer[-1][0].address in ("192.0.2.80", "192.0.2.81")
        wire = handler.handle(
            dns.message.make_query("intranet.example.com.", "A").to_wire(), ipaddress.ip_address(outside)
        )
        assert dns.message.from_wire(wire).rcode() == dns.rcode.NXDOMAIN
