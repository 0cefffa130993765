"""`manage.py dnsserver --workers 2`: two processes share one port (SO_REUSEPORT) and both answer.

The server runs as a subprocess against a SQLite file the test migrates and fills through the
zones services in another subprocess. Its Redis points at a port where nothing listens, so it
loads from the database (as it must when Redis is away) and announces nothing to the Redis
other tests read.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rdatatype
import pytest

from kernel.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
ABSENT_REDIS_URL = "redis://127.0.0.1:1/0"
START_DEADLINE_SECONDS = 60.0
STOP_DEADLINE_SECONDS = 15.0
ADDRESS = "192.0.2.44"

FILL = """
from accounts.models import User
from zones import rules, services

owner = User.objects.create_user(email="workers@example.com", password="workers-password-53")
zone = services.create_hosted_zone(owner=owner, name="workers.test", caller_reference="workers")
spec = rules.RecordSetSpec(name="www.workers.test.", type="A", ttl=60, values=("{address}",))
services.apply_change_batch(hosted_zone=zone, changes=[services.Change("CREATE", spec)])
"""


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def udp_socket_inodes(port: int) -> set[str]:
    """Inodes of the UDP sockets bound to 127.0.0.1:`port` (/proc/net/udp)."""
    inodes = set()
    for line in Path("/proc/net/udp").read_text().splitlines()[1:]:
        fields = line.split()
        address, _, hex_port = fields[1].partition(":")
        if address == "0100007F" and int(hex_port, 16) == port:
            inodes.add(fields[9])
    return inodes


def socket_inodes_of(pid: int) -> set[str]:
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def query(port: int, *, tcp: bool) -> dns.message.Message | None:
    message = dns.message.make_query("www.workers.test.", dns.rdatatype.A)
    try:
        if tcp:
            return dns.query.tcp(message, "127.0.0.1", port=port, timeout=2)
        return dns.query.udp(message, "127.0.0.1", port=port, timeout=2)
    except (dns.exception.Timeout, OSError, EOFError):
        return None


def answered_addresses(response: dns.message.Message | None) -> list[str]:
    if response is None:
        return []
    return [rdata.address for rrset in response.answer for rdata in rrset]


@pytest.fixture
def database_env(tmp_path) -> dict:
    """The environment of a subprocess that sees a migrated SQLite file holding one zone."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nameplate.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": ABSENT_REDIS_URL,
    }
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "shell", "-c", FILL.format(address=ADDRESS))
    return env


@pytest.fixture
def two_workers(database_env, tmp_path):
    """`dnsserver --workers 2` on a free port; yields (port, parent pid, log path).

    Stopped by SIGTERM to its process group.
    """
    port = free_port()
    log_path = tmp_path / "dnsserver.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed after the server stops
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "dnsserver",
            "--listen",
            f"auth=127.0.0.1:{port}",
            "--workers",
            "2",
            "--poll-seconds",
            "30",
        ],
        cwd=ROOT,
        env=database_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield port, process.pid, log_path
    finally:
        # Each worker stops on SIGTERM; the whole group gets it, as a process manager sends it.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_DEADLINE_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_two_workers_share_the_port_and_answer_over_udp_and_tcp(two_workers):
    port, parent, log_path = two_workers
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while answered_addresses(query(port, tcp=False)) != [ADDRESS]:
        assert time.monotonic() < deadline, (
            f"no answer in time; the server's log:\n{log_path.read_text()[-2000:]}"
        )
        time.sleep(0.05)  # the pause between two polls; the loop waits on the answer itself
    workers = children(parent)
    assert len(workers) == 2
    # Both workers hold their own UDP socket on the one port: the kernel spreads the queries.
    while True:
        bound = udp_socket_inodes(port)
        holders = [worker for worker in workers if socket_inodes_of(worker) & bound]
        if len(holders) == 2:
            break
        assert time.monotonic() < deadline, f"UDP sockets on {port} held by {holders} of {workers}"
    assert len(bound) >= 2

    for index in range(300):
        response = query(port, tcp=index % 3 == 0)
        assert response is not None, f"query {index} got no answer"
        assert response.flags & dns.flags.AA
        assert answered_addresses(response) == [ADDRESS]

    # SIGTERM to the parent alone (as `kill <pid>` sends it) stops every worker too.
    os.kill(parent, signal.SIGTERM)
    deadline = time.monotonic() + STOP_DEADLINE_SECONDS
    while any(Path(f"/proc/{worker}").exists() and _is_running(worker) for worker in workers):
        assert time.monotonic() < deadline, f"workers {workers} outlived their parent"
        time.sleep(0.05)


def _is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"
