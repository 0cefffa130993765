"""The web under 50 concurrent API clients: requests/s, p50 and p99 for three requests.

    .venv/bin/python bench/web_load.py                          # gunicorn, settings' workers/threads
    .venv/bin/python bench/web_load.py --server runserver       # Django's development server, to compare
    .venv/bin/python bench/web_load.py --workers 4 --threads 8 --seconds 20

It makes a throw-away PostgreSQL database (dropped at the end), fills it through the services
(a user with an API token, 20 hosted zones, one of them with 10,000 record sets), starts the
server on 127.0.0.1 on a free port with production settings (DEBUG off), and runs, one after
the other, each for --seconds (and at most --max-requests requests):

    list      GET  /api/v1/zones
    rrsets    GET  /api/v1/zones/<10,000-record zone>/rrsets      (the first page)
    changes   POST /api/v1/zones/<10,000-record zone>/changes     (one UPSERT each)

The clients are asyncio tasks sharing one httpx pool of --clients keep-alive connections; they
run on the same machine, so their own CPU time is taken from the server's. Beside the wall-clock
figures it prints the server's CPU time per request (its processes' user and system time from
/proc), which says what a core is worth when the machine is shared: requests/s per core is
1000 / that figure. Target (issue 17,
2 cores): at least 5x runserver's 59 requests/s for the list, p99 under 250 ms for the lists.
"""

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def tree_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its children (gunicorn's workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def create_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill(records: int) -> tuple[str, int]:
    """Migrate and fill the database; the API token and the big zone's id."""
    import django

    django.setup()
    # Imported only now: Django's models need the settings chosen by the environment.
    from django.core.management import call_command

    from accounts.models import User
    from accounts.services import create_api_token
    from zones import rules, services

    call_command("migrate", verbosity=0)
    user = User.objects.create_user(email="bench@nameplate.test", password="bench-password-53")
    _, key = create_api_token(owner=user, name="web load")
    big = services.create_hosted_zone(owner=user, name="big.web-load.test")
    for start in range(0, records, 5_000):
        changes = [
            services.Change(
                services.CREATE,
                rules.RecordSetSpec(
                    name=f"host{i}", type="A", ttl=300, values=(f"10.0.{i >> 8 & 255}.{i & 255}",)
                ),
            )
            for i in range(start, min(records, start + 5_000))
        ]
        services.apply_change_batch(hosted_zone=big, changes=changes)
    for n in range(19):
        services.create_hosted_zone(owner=user, name=f"zone{n}.web-load.test")
    return key, big.pk


def start_server(kind: str, port: int, environment: dict[str, str], options) -> subprocess.Popen:
    if kind == "gunicorn":
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            str(ROOT / "nameplate" / "gunicorn.conf.py"),
        ]
        environment = {**environment, "WEB_BIND": f"127.0.0.1:{port}"}
        if options.workers:
            environment["WEB_WORKERS"] = str(options.workers)
        if options.threads:
            environment["WEB_THREADS"] = str(options.threads)
    else:
        command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    return subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_until_up(base: str, process: subprocess.Popen, timeout_seconds: float = 60) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode} before answering")
        try:
            httpx.get(base + "/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {timeout_seconds} s")


async def run_load(base: str, key: str, label: str, request, options, server_pid: int) -> None:
    """`options.clients` tasks repeat `request` until the time or the request budget runs out."""
    latencies: list[float] = []
    failures: dict[str, int] = {}
    limits = httpx.Limits(max_connections=options.clients, max_keepalive_connections=options.clients)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as client:
        for n in range(options.clients):  # warm the connections and each worker's caches
            await request(client, n)
        started, cpu_started = time.perf_counter(), tree_cpu_seconds(server_pid)
        deadline = started + options.seconds

        async def one_client(n: int) -> None:
            while (
                time.perf_counter() < deadline
                and len(latencies) + sum(failures.values()) < options.max_requests
            ):
                sent = time.perf_counter()
                try:
                    response = await request(client, n)
                    outcome = None if response.status_code < 300 else str(response.status_code)
                except httpx.HTTPError as error:
                    outcome = type(error).__name__
                if outcome is None:
                    latencies.append(time.perf_counter() - sent)
                else:
                    failures[outcome] = failures.get(outcome, 0) + 1

        await asyncio.gather(*(one_client(n) for n in range(options.clients)))
        elapsed = time.perf_counter() - started
        server_cpu = tree_cpu_seconds(server_pid) - cpu_started
    if not latencies:
        print(f"{label:<44} no successful request; failures {failures}")
        return
    p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
    print(
        f"{label:<44} {len(latencies) / elapsed:>8.1f} req/s   p50 {p50:>7.1f} ms"
        f"   p99 {p99:>7.1f} ms"
        f"   server CPU {server_cpu * 1000 / len(latencies):>5.1f} ms/req   ({len(latencies)} ok"
        + (f", failed {failures})" if failures else ")")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn processes (default: WEB_WORKERS)")
    parser.add_argument("--threads", type=int, default=0, help="threads per process (default: WEB_THREADS)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0, help="per request kind")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per request kind")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--admin-database", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    options = parser.parse_args()

    name = f"nameplate_web_load_{os.getpid()}"
    database_url = options.admin_database.rsplit("/", 1)[0] + "/" + name
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nameplate.settings",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": options.redis,
        # Production settings, less what needs TLS in front: the proxy terminates it.
        "DEBUG": "0",
        "SECRET_KEY": "web-load-benchmark-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "API_THROTTLE_USER": "1000000/min",
        "METRICS_WEB_LISTEN": f"127.0.0.1:{free_port()}",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(environment)
    create_database(options.admin_database, name)
    process = None
    try:
        started = time.perf_counter()
        key, zone_id = fill(options.records)
        print(f"filled {options.records:,} record sets and 20 zones in {time.perf_counter() - started:.1f} s")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = start_server(options.server, port, environment, options)
        wait_until_up(base, process)
        shape = (
            f"{options.workers or 'WEB_WORKERS'} workers x {options.threads or 'WEB_THREADS'} threads"
            if options.server == "gunicorn"
            else "threaded, one process"
        )
        print(f"{options.server} ({shape}), {options.clients} clients, {os.cpu_count()} cores")

        def zone_list(client, n):
            return client.get("/api/v1/zones")

        def record_sets(client, n):
            return client.get(f"/api/v1/zones/{zone_id}/rrsets")

        counter = iter(range(10**9))

        def change_batch(client, n):
            value = f"192.0.2.{next(counter) % 250 + 1}"
            change = {
                "action": "UPSERT",
                "record_set": {"name": f"load{n}", "type": "A", "ttl": 60, "values": [value]},
            }
            return client.post(f"/api/v1/zones/{zone_id}/changes", json={"changes": [change]})

        for label, request in [
            ("GET /api/v1/zones (20 zones)", zone_list),
            (f"GET /api/v1/zones/<id>/rrsets ({options.records:,})", record_sets),
            ("POST /api/v1/zones/<id>/changes (1 UPSERT)", change_batch),
        ]:
            asyncio.run(run_load(base, key, label, request, options, process.pid))
        print(f"load average during the run: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        from django.db import connections

        connections.close_all()
        drop_database(options.admin_database, name)


if __name__ == "__main__":
    main()
