"""Fixtures of the resolver tests: real unbound instances under a supervisor of their own.

Each test gets its own RESOLVER_DIR under tmp_path, free loopback ports, our DNS server for
the root and the private listener, and a supervisor thread that stops (with its instances)
when the test ends.
"""

import threading

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from kernel.testing import debian_program
from resolver import services
from resolver.supervisor import Supervisor
from tests.support import LiveDnsServer, free_port_on, wait_until
from zones import services as zone_services

INBOUND_ADDRESSES = [f"127.0.54.{number}" for number in range(10, 30)]
SYSTEM_ADDRESS = "127.0.54.2"
PRIVATE_ADDRESSES = [f"127.0.55.{number}" for number in range(10, 30)]


@pytest.fixture
def resolver_settings(settings, tmp_path):
    settings.RESOLVER_DIR = tmp_path / "r"
    settings.RESOLVER_UNBOUND = debian_program("unbound")
    settings.RESOLVER_INBOUND_ADDRESSES = INBOUND_ADDRESSES
    settings.RESOLVER_OUTBOUND_ADDRESSES = INBOUND_ADDRESSES
    settings.RESOLVER_INBOUND_PORT = free_port_on(INBOUND_ADDRESSES)
    settings.RESOLVER_SYSTEM_ADDRESS = SYSTEM_ADDRESS
    settings.RESOLVER_SYSTEM_PORT = free_port_on([SYSTEM_ADDRESS])
    settings.RESOLVER_RESYNC_SECONDS = 30
    return settings


class RunningSupervisor:
    """A supervisor in a thread: `.instance(network)` is that network's running unbound."""

    def __init__(self, supervisor: Supervisor) -> None:
        self.supervisor = supervisor
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=supervisor.run, args=(self.stopping,), daemon=True)

    def instance(self, network):
        return self.supervisor.instances.get(str(network.pk))

    def pid(self, network) -> int | None:
        instance = self.instance(network)
        return instance.pid if instance and instance.is_running() else None


@pytest.fixture
def our_dns(resolver_settings):
    """Our DNS server: root, tld, auth and the firewall's rpz on free ports, the private listener on
    DNS_PRIVATE_ADDRESSES."""
    resolver_settings.DNS_PRIVATE_ADDRESSES = PRIVATE_ADDRESSES
    resolver_settings.DNS_PRIVATE_PORT = free_port_on(PRIVATE_ADDRESSES)
    public = ["auth=127.0.0.1:0", "tld=127.0.0.1:0", "root=127.0.0.1:0", "rpz=127.0.0.1:0"]
    private = [f"private={address}:{resolver_settings.DNS_PRIVATE_PORT}" for address in PRIVATE_ADDRESSES]
    with LiveDnsServer(public + private) as server:
        resolver_settings.DNS_SERVER_LISTEN = [
            f"{role}=127.0.0.1:{server.port(role)}" for role in ("auth", "tld", "root")
        ]
        resolver_settings.RESOLVER_FIREWALL_PRIMARY = f"127.0.0.1@{server.port('rpz')}"
        yield server


@pytest.fixture
def supervisor(resolver_settings, our_dns):
    running = RunningSupervisor(
        Supervisor(
            unbound=resolver_settings.RESOLVER_UNBOUND,
            resync_seconds=resolver_settings.RESOLVER_RESYNC_SECONDS,
        )
    )
    running.thread.start()
    yield running
    running.stopping.set()
    running.thread.join(timeout=30)


def ask(endpoint_address, name: str, rdtype: str = "A") -> dns.message.Message | None:
    """Ask an inbound endpoint address (EndpointAddress); None when it does not answer."""
    try:
        return dns.query.udp(
            dns.message.make_query(name, rdtype), endpoint_address.ip, port=endpoint_address.port, timeout=2
        )
    except (OSError, dns.exception.Timeout):
        return None


def addresses_of(response: dns.message.Message | None) -> list[str]:
    if response is None:
        return []
    return sorted(
        rdata.address
        for rrset in response.answer
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA)
        for rdata in rrset
    )


def rcode_of(response: dns.message.Message | None) -> str | None:
    return dns.rcode.to_text(response.rcode()) if response is not None else None


def wait_for_rcode(endpoint_address, name: str, rcode: str, rdtype: str = "A") -> None:
    wait_until(
        lambda: rcode_of(ask(endpoint_address, name, rdtype)) == rcode,
        what=f"{name} to be {rcode} at {endpoint_address}",
    )


def wait_for_answer(endpoint_address, name: str, expected: list[str], rdtype: str = "A") -> None:
    wait_until(
        lambda: addresses_of(ask(endpoint_address, name, rdtype)) == expected,
        what=f"{name} to be {expected} at {endpoint_address}",
    )


def make_network(owner, name: str, cidrs=("10.20.0.0/16",)):
    return zone_services.save_network(owner=owner, name=name, cidrs=list(cidrs))


def inbound_endpoint(owner, network, name: str = "in"):
    """An inbound endpoint on the next free pool address; its one EndpointAddress."""
    endpoint = services.create_resolver_endpoint(owner=owner, network=network, name=name, direction="INBOUND")
    return endpoint.addresses.get()
