"""Helpers the test suites of every layer share."""

import os
import random
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import redis

SBIN = "/usr/sbin:/usr/local/sbin:/usr/bin:/bin"


def debian_program(program: str, package: str | None = None) -> str:
    """The path of `program`, installing Debian's `package` (default: the program's name) when missing.

    The suite runs as root on Debian, as CI does; elsewhere a missing program fails the test with
    the one command that installs it.
    """
    package = package or program
    found = shutil.which(program) or shutil.which(program, path=SBIN)
    if found:
        return found
    result = None
    if os.geteuid() == 0 and shutil.which("apt-get"):
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package]
        result = subprocess.run(install, env=environment, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            # Package lists may be missing or stale on a fresh machine.
            subprocess.run(["apt-get", "update", "-qq"], env=environment, capture_output=True, timeout=600)
            result = subprocess.run(install, env=environment, capture_output=True, text=True, timeout=900)
    found = shutil.which(program) or shutil.which(program, path=SBIN)
    if found is None:
        detail = f"\n{result.stdout}\n{result.stderr}" if result is not None else ""
        pytest.fail(f"{program} is missing: install it with apt-get install -y {package}{detail}")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A port free for UDP and TCP on `host`: see free_port_on."""
    return free_port_on([host])


def free_port_on(addresses: list[str]) -> int:
    """A port free for UDP and TCP on every one of `addresses`, below the kernel's ephemeral range.

    Checked, not reserved: the caller binds it moments later. An ephemeral port could meanwhile
    become the local end of another socket, or, after the listener stopped, the port a client's
    own query goes out from and comes back to (an "answer" from the wrong address).
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for port in random.Random().sample(range(max(1024, low - 12000), low), 200):
        try:
            for address in addresses:
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                    with socket.socket(family, kind) as probe:
                        probe.bind((address, port))
        except OSError:
            continue
        return port
    raise OSError(f"no port below {low} free on all of {addresses}")


TEST_RUN_CLIENT_NAME = "nameplate-test-run"


def claim_redis_for_test_run(url: str) -> redis.Redis:
    """Mark the Redis database at `url` as this test run's, or stop when another run holds it.

    Tests clear rate-limit keys and whole databases as they go, so two runs on one database
    fail each other's tests at random. The mark is a named connection, held open until the
    run ends: it goes away with the process, however the process ends, and no test's clean-up
    can delete it.
    """
    try:
        client = redis.Redis.from_url(url, single_connection_client=True, socket_connect_timeout=2)
        client.client_setname(TEST_RUN_CLIENT_NAME)
    except redis.ConnectionError as error:
        raise pytest.UsageError(f"No Redis answers at {url} ({error}): `make test` starts one.") from None
    database, own_id = client.get_connection_kwargs().get("db", 0), client.client_id()
    for other in client.client_list():
        is_a_run = other.get("name") == TEST_RUN_CLIENT_NAME and int(other["id"]) != own_id
        if is_a_run and int(other.get("db", -1)) == int(database):
            client.close()
            raise pytest.UsageError(
                f"Another test run is using Redis database {database} ({url}): wait for it to "
                "finish, or give this run another database with REDIS_URL."
            )
    return client
