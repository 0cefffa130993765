"""The harness's network: the hosts, their addresses, and the namespaces and bridge that join them.

Every namespace's name starts with PREFIX, so `tear_down_everything` finds all of them, also after
a crash. Addresses come from the documentation ranges only (198.51.100.0/24, 2001:db8::/32).
scripts/netns/harness.py starts the processes on these hosts.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

PREFIX = os.environ.get("NAMEPLATE_NETNS_PREFIX", "np-")
BRIDGE_NAMESPACE = f"{PREFIX}net"
NETWORK_V4 = "198.51.100.0/24"

# host: its addresses in 198.51.100.0/24 (the first also gets 2001:db8:5100::<last octet>).
HOSTS = {
    "db": ["198.51.100.10"],
    "redis": ["198.51.100.11"],
    "web": ["198.51.100.12"],
    # root listener, TLD listener, then the name servers' own addresses (see NAME_SERVER_ADDRESSES).
    "dns1": [
        "198.51.100.21",
        "198.51.100.23",
        "198.51.100.100",
        "198.51.100.102",
        "198.51.100.104",
        "198.51.100.106",
    ],
    "dns2": [
        "198.51.100.22",
        "198.51.100.24",
        "198.51.100.101",
        "198.51.100.103",
        "198.51.100.105",
        "198.51.100.107",
    ],
    "worker-a": ["198.51.100.31"],
    "worker-b": ["198.51.100.32"],
    "resolver": ["198.51.100.40"],
    # the client itself, then the health-check target.
    "client": ["198.51.100.50", "198.51.100.60"],
}
DB_ADDRESS = HOSTS["db"][0]
REDIS_ADDRESS = HOSTS["redis"][0]
WEB_ADDRESS = HOSTS["web"][0]
RESOLVER_ADDRESS = HOSTS["resolver"][0]
CLIENT_ADDRESS = HOSTS["client"][0]
TARGET_ADDRESS = HOSTS["client"][1]
# With four name-server domains the n-th address is ns-<n // 4> under the (n % 4)-th domain, so
# .100 to .107 are ns-0 and ns-1 of .com, .net, .org and .io. Every zone gets one of each domain:
# two on dns1 (.com and .org, the even addresses) and two on dns2.
NAME_SERVER_ADDRESSES = [f"198.51.100.{n}" for n in range(100, 108)]
ROOT_SERVER_ADDRESSES = [HOSTS["dns1"][0], HOSTS["dns2"][0]]
TLD_SERVER_ADDRESSES = [HOSTS["dns1"][1], HOSTS["dns2"][1]]
REGIONS = {"worker-a": "us-east-1", "worker-b": "eu-west-1"}
SMTP_PORT = 2525
WEB_PORT = 8000


class HarnessError(Exception):
    """The harness could not build a host or start a process; the message says which and why."""


def namespace(host: str) -> str:
    return f"{PREFIX}{host}"


def ipv6_of(address: str) -> str:
    return f"2001:db8:5100::{address.rsplit('.', 1)[1]}"


def cannot_build_reason() -> str | None:
    """None when this machine can build the harness; otherwise why not (for a test's skip)."""
    if os.geteuid() != 0:
        return "the harness needs root: `ip netns add` creates network namespaces"
    if shutil.which("ip") is None and not Path("/usr/sbin/ip").exists():
        return "the harness needs iproute2's `ip` (apt-get install -y iproute2)"
    probe = f"{PREFIX}probe-{os.getpid()}"
    result = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if result.returncode != 0:
        return f"`ip netns add` is not possible here: {result.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise HarnessError(f"ip {' '.join(args)}: {result.stderr.strip()}")


def our_namespaces() -> list[str]:
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in listed.splitlines() if line.startswith(PREFIX)]


def kill_namespace_processes(name: str, grace_seconds: float = 5.0) -> None:
    """SIGTERM, then SIGKILL, every process inside namespace `name` (all of them ours)."""

    def pids() -> list[int]:
        listed = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout
        return [int(pid) for pid in listed.split()]

    for signum in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
        deadline = time.monotonic() + grace_seconds
        while pids() and time.monotonic() < deadline:
            time.sleep(0.1)


def tear_down_everything() -> list[str]:
    """Kill every process in our namespaces and delete them; returns the namespaces removed."""
    removed = our_namespaces()
    for name in removed:
        kill_namespace_processes(name)
    for name in removed:
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
    return removed


def build_network() -> None:
    """One namespace per host, each with a veth pair to the bridge in BRIDGE_NAMESPACE."""
    ip("netns", "add", BRIDGE_NAMESPACE)
    ip("-n", BRIDGE_NAMESPACE, "link", "add", "br0", "type", "bridge")
    ip("-n", BRIDGE_NAMESPACE, "link", "set", "br0", "up")
    for host, addresses in HOSTS.items():
        ns = namespace(host)
        ip("netns", "add", ns)
        ip("-n", ns, "link", "set", "lo", "up")
        veth = ("eth0", "netns", ns, "type", "veth", "peer", "name", f"v-{host}", "netns", BRIDGE_NAMESPACE)
        ip("link", "add", *veth)
        ip("-n", BRIDGE_NAMESPACE, "link", "set", f"v-{host}", "master", "br0")
        ip("-n", BRIDGE_NAMESPACE, "link", "set", f"v-{host}", "up")
        for address in addresses:
            ip("-n", ns, "addr", "add", f"{address}/24", "dev", "eth0")
        ip("-n", ns, "-6", "addr", "add", f"{ipv6_of(addresses[0])}/64", "dev", "eth0", "nodad")
        ip("-n", ns, "link", "set", "eth0", "up")


def cut_off(host: str, address: str) -> None:
    """`host` can no longer reach `address`: a blackhole route inside its namespace."""
    ip("-n", namespace(host), "route", "add", "blackhole", f"{address}/32")


def reconnect(host: str, address: str) -> None:
    ip("-n", namespace(host), "route", "del", "blackhole", f"{address}/32")
