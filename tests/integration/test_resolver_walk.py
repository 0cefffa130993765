"""A real resolver nobody here wrote (Debian's unbound) walks root → TLD → zone on our servers.

Our server listens on port 53 of distinct loopback addresses, as name servers on the Internet
do: the root on 127.0.53.1, the registry's TLD servers on 127.0.53.2, and each hosted-zone
name server on its own address, 127.0.53.3 to 127.0.53.10 (two under each name-server
domain), answering only the zones delegated to it. unbound knows only our root server (its
root hints).
"""

import socket
import subprocess

import dns.message
import dns.query
import dns.rdatatype
import pytest

from kernel.testing import debian_program, free_port
from tests.support import (
    LiveDnsServer,
    buy_domain,
    name_server_address,
    query,
    wait_for_delegation,
    wait_until,
)
from zones import services as zone_services
from zones.rules import RecordSetSpec

pytestmark = pytest.mark.django_db(transaction=True)

ROOT_ADDRESS = "127.0.53.1"
TLD_ADDRESS = "127.0.53.2"
ZONE_ADDRESSES = [f"127.0.53.{number}" for number in range(3, 11)]
UNBOUND = "/usr/sbin/unbound"


def _can_bind_port_53() -> str | None:
    """None when port 53 on our addresses can be bound; otherwise why not."""
    for address in [ROOT_ADDRESS, TLD_ADDRESS, *ZONE_ADDRESSES]:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind((address, 53))
            except OSError as error:
                return f"cannot bind {address} port 53 ({error}); this test needs root and free port 53"
    return None


def _ensure_unbound() -> None:
    debian_program("unbound")


@pytest.fixture
def our_servers(settings):
    reason = _can_bind_port_53()
    if reason:
        pytest.skip(reason)
    settings.REGISTRY_ROOT_SERVER_ADDRESSES = [ROOT_ADDRESS]
    settings.REGISTRY_TLD_SERVER_ADDRESSES = [TLD_ADDRESS]
    settings.DNS_NAMESERVER_ADDRESSES = ZONE_ADDRESSES
    listeners = [f"root={ROOT_ADDRESS}:53", f"tld={TLD_ADDRESS}:53"] + [
        f"auth={address}:53" for address in ZONE_ADDRESSES
    ]
    with LiveDnsServer(listeners) as server:
        yield server


@pytest.fixture
def unbound(tmp_path, our_servers):
    _ensure_unbound()
    root_server = "a.root-servers.nameplate.test."
    (tmp_path / "root.hints").write_text(
        f".  3600000 IN NS {root_server}\n{root_server} 3600000 IN A {ROOT_ADDRESS}\n"
    )
    # A port found free can be taken by another process before unbound binds it (unbound then
    # exits with "could not open ports"): try again on another port, a bounded number of times.
    for _attempt in range(5):
        port = free_port()
        (tmp_path / "unbound.conf").write_text(_unbound_conf(tmp_path, port))
        process = subprocess.Popen([UNBOUND, "-d", "-c", str(tmp_path / "unbound.conf")])
        if _started(process, port):
            break
    else:
        raise AssertionError(f"unbound could not bind a port: see {tmp_path / 'unbound.log'}")
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _unbound_conf(tmp_path, port: int) -> str:
    return f"""server:
    interface: 127.0.0.1@{port}
    port: {port}
    do-ip6: no
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "{tmp_path}"
    pidfile: "{tmp_path}/unbound.pid"
    use-syslog: no
    logfile: "{tmp_path}/unbound.log"
    verbosity: 1
    root-hints: "{tmp_path}/root.hints"
    do-not-query-localhost: no
    module-config: "iterator"
    access-control: 127.0.0.0/8 allow
    qname-minimisation: no
    harden-referral-path: no
    prefetch: no
    cache-min-ttl: 0
remote-control:
    control-enable: no
"""


def _started(process: subprocess.Popen, port: int) -> bool:
    """Whether unbound answers on `port`; False when it exited instead (it could not bind)."""
    wait_until(lambda: _answers(port) or process.poll() is not None, what="unbound to start")
    return process.poll() is None


def _answers(port: int) -> bool:
    try:
        dns.query.udp(dns.message.make_query(".", "NS"), "127.0.0.1", port=port, timeout=1)
    except (OSError, dns.exception.Timeout):
        return False
    return True


def _resolve(port: int, name: str) -> list[str]:
    response = dns.query.udp(dns.message.make_query(name, "A"), "127.0.0.1", port=port, timeout=5)
    return sorted(
        rdata.address for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for rdata in rrset
    )


def test_unbound_finds_a_bought_domain_through_our_root_and_tld(owner, our_servers, unbound):
    domain = buy_domain(owner, "walk-the-tree.com")
    zone = domain.hosted_zone
    spec = RecordSetSpec(name="www", type="A", ttl=2, values=("192.0.2.80",))
    zone_services.apply_change_batch(hosted_zone=zone, changes=[zone_services.Change("CREATE", spec)])
    # Ask unbound only once our servers have the data, or it caches the NXDOMAIN for the SOA minimum.
    wait_for_delegation(our_servers, "walk-the-tree.com.")
    wait_until(
        lambda: (
            query("www.walk-the-tree.com.", "A", 53, host=name_server_address(zone.name_servers[0])).answer
        ),
        what="the record",
    )

    assert wait_until(
        lambda: _resolve(unbound, "www.walk-the-tree.com.") == ["192.0.2.80"], what="the answer"
    )

    changed = RecordSetSpec(name="www", type="A", ttl=2, values=("192.0.2.81",))
    zone_services.apply_change_batch(hosted_zone=zone, changes=[zone_services.Change("UPSERT", changed)])

    # unbound may answer from its cache until the 2-second TTL runs out, then asks our servers again.
    assert wait_until(
        lambda: _resolve(unbound, "www.walk-the-tree.com.") == ["192.0.2.81"], what="the change"
    )


def test_unbound_reaches_the_delegated_zone_of_two_with_one_name(owner, other_user, our_servers, unbound):
    # B's zone is older; A then buys the name, and the registry delegates it to A's zone.
    theirs = zone_services.create_hosted_zone(owner=other_user, name="two-of-a-name.com")
    spec = RecordSetSpec(name="www", type="A", ttl=2, values=("203.0.113.66",))
    zone_services.apply_change_batch(hosted_zone=theirs, changes=[zone_services.Change("CREATE", spec)])
    domain = buy_domain(owner, "two-of-a-name.com")
    ours = domain.hosted_zone
    spec = RecordSetSpec(name="www", type="A", ttl=2, values=("192.0.2.90",))
    zone_services.apply_change_batch(hosted_zone=ours, changes=[zone_services.Change("CREATE", spec)])
    wait_for_delegation(our_servers, "two-of-a-name.com.")
    for zone in (ours, theirs):
        wait_until(
            lambda zone=zone: (
                query(
                    "www.two-of-a-name.com.", "A", 53, host=name_server_address(zone.name_servers[0])
                ).answer
            ),
            what=f"zone {zone.pk} on its name servers",
        )

    assert not set(ours.name_servers) & set(theirs.name_servers)
    assert _resolve(unbound, "www.two-of-a-name.com.") == ["192.0.2.90"]
