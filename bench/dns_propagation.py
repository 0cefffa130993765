"""How long a record change takes to reach the DNS server's answers, through Redis and without it.

Starts `manage.py dnsserver` (role auth, a free port on 127.0.0.1) against a fresh SQLite
database (or DATABASE_URL when set) and Redis, applies record changes one at a time through
`zones.services.apply_change_batch`, and polls the server with dnspython until each change's
new address is answered. The time runs from the call to apply_change_batch to the first
answer that carries the new address. Then it does the same with the changes
unpublished, so that only the database poll (--poll-seconds) brings them: once with the
server's Redis up, once with Redis away for the server as well. Each run stops at the first
change that does not arrive within 15 s.

Usage: .venv/bin/python bench/dns_propagation.py [--changes 200] [--fallback-changes 20]
Needs Redis at REDIS_URL (default redis://127.0.0.1:6379/5).
"""

import argparse
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rdatatype

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kernel.testing import free_port

ROOT = Path(__file__).resolve().parent.parent

ZONE = "propagation.test."
QNAME = f"www.{ZONE}"
START_SECONDS = 120.0
CHANGE_DEADLINE_SECONDS = 15.0
POLL_INTERVAL_SECONDS = 0.002
# A port nothing listens on: the server's Redis client fails at once and keeps retrying.
ABSENT_REDIS_URL = "redis://127.0.0.1:1/0"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nameplate.settings")
    # Django and the apps are imported in functions here: only after the settings above are
    # chosen and django.setup() has run can their models load.
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_zone():
    from accounts.models import User
    from zones import services

    owner = User.objects.create_user(
        email=f"bench-{time.time_ns()}@example.com", password="bench-password-53"
    )
    return services.create_hosted_zone(owner=owner, name=ZONE, caller_reference=f"bench-{time.time_ns()}")


@contextlib.contextmanager
def running_server(port: int, redis_url: str, poll_seconds: float, log_path: Path) -> Iterator[None]:
    # The zone cache beside the log: the benchmark's throw-away database leaves nothing in var/.
    env = {**os.environ, "REDIS_URL": redis_url, "DNS_ZONE_CACHE_DIR": str(log_path.parent / "zone-cache")}
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "dnsserver",
        "--listen",
        f"auth=127.0.0.1:{port}",
        "--poll-seconds",
        str(poll_seconds),
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def ask(port: int) -> dns.message.Message | None:
    query = dns.message.make_query(QNAME, dns.rdatatype.A)
    try:
        return dns.query.udp(query, "127.0.0.1", port=port, timeout=0.5)
    except (dns.exception.Timeout, OSError):
        return None


def addresses(response: dns.message.Message | None) -> set[str]:
    if response is None:
        return set()
    return {rdata.address for rrset in response.answer if rrset.rdtype == dns.rdatatype.A for rdata in rrset}


def wait_for(port: int, address: str, deadline_seconds: float) -> bool:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if address in addresses(ask(port)):
            return True
        time.sleep(POLL_INTERVAL_SECONDS)
    return False


def set_address(zone, address: str, *, publish: bool = True) -> None:
    from django.test import override_settings

    from zones import rules, services

    spec = rules.RecordSetSpec(name=QNAME, type="A", ttl=60, values=(address,))
    # Without the publish, only the servers' database poll can bring the change.
    with override_settings(REDIS_URL=os.environ["REDIS_URL"] if publish else ABSENT_REDIS_URL):
        services.apply_change_batch(hosted_zone=zone, changes=[services.Change("UPSERT", spec)])
    zone.refresh_from_db()


def measure(
    zone, port: int, changes: int, first: int, publish: bool, poll_seconds: float
) -> tuple[list[float], int]:
    """Seconds from apply_change_batch to the new answer, per change; and how many never arrived.

    Stops at the first change that does not arrive within CHANGE_DEADLINE_SECONDS. Without
    the publish, each change waits a random part of the poll interval first: applied right
    after the previous one was seen, every change would land just after a poll (the worst case).
    """
    latencies = []
    pauses = random.Random(first)
    for number in range(first, first + changes):
        if not publish:
            time.sleep(pauses.uniform(0, poll_seconds))
        address = f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"
        started = time.monotonic()
        set_address(zone, address, publish=publish)
        if not wait_for(port, address, CHANGE_DEADLINE_SECONDS):
            return latencies, 1
        latencies.append(time.monotonic() - started)
    return latencies, 0


def report(label: str, latencies: list[float], missed: int) -> None:
    if not latencies:
        print(f"{label}: no change arrived within {CHANGE_DEADLINE_SECONDS:.0f} s")
        return
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    stopped = f", then one missed (not answered within {CHANGE_DEADLINE_SECONDS:.0f} s)" if missed else ""
    print(
        f"{label}: changes {len(ordered)}{stopped}, "
        f"p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms"
    )


def run(
    zone,
    label: str,
    *,
    server_redis_url: str,
    publish: bool,
    poll_seconds: float,
    changes: int,
    first: int,
    workdir: Path,
) -> None:
    port = free_port()
    log_path = workdir / f"dnsserver-{port}.log"
    set_address(zone, "10.255.255.254")
    with running_server(port, server_redis_url, poll_seconds, log_path):
        if not wait_for(port, "10.255.255.254", START_SECONDS):
            print(f"{label}: the server did not answer within {START_SECONDS:.0f} s; see {log_path}")
            return
        latencies, missed = measure(zone, port, changes, first, publish, poll_seconds)
    report(label, latencies, missed)
    if missed:
        print(f"the server's log ends with:\n{log_path.read_text()[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200, help="Changes measured through Redis.")
    parser.add_argument("--fallback-changes", type=int, default=20, help="Changes measured by the DB poll.")
    parser.add_argument(
        "--poll-seconds", type=float, default=3.0, help="The server's database poll interval."
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nameplate-propagation-") as tmp:
        workdir = Path(tmp)
        setup_django(os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'db.sqlite3'}")
        zone = make_zone()
        print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}, redis: {os.environ['REDIS_URL']}")
        redis_url = os.environ["REDIS_URL"]
        common = dict(poll_seconds=options.poll_seconds, workdir=workdir)
        run(
            zone,
            "via Redis",
            server_redis_url=redis_url,
            publish=True,
            changes=options.changes,
            first=1,
            **common,
        )
        run(
            zone,
            f"via the database poll ({options.poll_seconds:g} s), no publish, server's Redis up",
            server_redis_url=redis_url,
            publish=False,
            changes=options.fallback_changes,
            first=100_000,
            **common,
        )
        run(
            zone,
            f"via the database poll ({options.poll_seconds:g} s), Redis away for everyone",
            server_redis_url=ABSENT_REDIS_URL,
            publish=False,
            changes=options.fallback_changes,
            first=200_000,
            **common,
        )


if __name__ == "__main__":
    main()
