"""The web under 50 concurrent API clients: requests/s, p50 and p99 for three requests.

    .venv/bin/python bench/web_load.py                          # gunicorn as the settings shape it
    .venv/bin/python bench/web_load.py --server runserver       # Django's development server, to compare
    .venv/bin/python bench/web_load.py --workers 4 --seconds 20
    .venv/bin/python bench/web_load.py --worker-class gthread --workers 2 --threads 2 --only list,rrsets

It makes a throw-away PostgreSQL database (dropped at the end), fills it through the services
(a user with an API token, 20 hosted zones, one of them with 10,000 record sets), starts the
server on 127.0.0.1 on a free port with production settings (DEBUG off), and runs, one after
the other, each for --seconds (and at most --max-requests requests):

    list      GET  /api/v1/zones
    rrsets    GET  /api/v1/zones/<10,000-record zone>/rrsets      (the first page)
    changes   POST /api/v1/zones/<10,000-record zone>/changes     (one UPSERT each)

The clients are --clients asyncio tasks, each with a keep-alive connection of its own (a bare
HTTP/1.1 client, `Connection`); they run on the same machine, so their own CPU time is taken
from the server's. Beside the wall-clock figures it prints the server's CPU time per request
(its processes' user and system time from /proc), which says what a core is worth when the
machine is shared: requests/s per core is 1000 / that figure. The clients' own CPU time and
the database's (the PostgreSQL backends serving the benchmark's database) are printed beside
it, per request, to show where the rest of the machine went. Target (issue 17, 2 cores): at
least 5x runserver's 59 requests/s for the list, p99 under 250 ms for the lists.
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kernel.testing import free_port

ROOT = Path(__file__).resolve().parent.parent


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


def database_cpu_seconds(admin_url: str, name: str) -> float:
    """User and system CPU time of the PostgreSQL backends connected to database `name`."""
    with psycopg.connect(admin_url, autocommit=True) as connection:
        pids = [
            row[0]
            for row in connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name])
        ]
    return sum(process_cpu_seconds(pid) for pid in pids)


def process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone, or not on this host
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    from django.db import connection

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
    # The planner's statistics, as autovacuum would have them by the time a zone is this big:
    # without them PostgreSQL sorts the whole zone for a page instead of walking the index.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return key, big.pk


def server_environment(kind: str, port: int, environment: dict[str, str], options) -> dict[str, str]:
    environment = dict(environment)
    if kind == "gunicorn":
        environment["WEB_BIND"] = f"127.0.0.1:{port}"
        if options.workers:
            environment["WEB_WORKERS"] = str(options.workers)
        if options.threads:
            environment["WEB_THREADS"] = str(options.threads)
        if options.worker_class:
            environment["WEB_WORKER_CLASS"] = options.worker_class
    return environment


def gunicorn_shape(environment: dict[str, str]) -> str:
    """The processes and threads gunicorn runs, as the settings derive them from `environment`."""
    read = "from nameplate import settings as s; print(s.WEB_WORKER_CLASS, s.WEB_WORKERS, s.WEB_THREADS)"
    answer = subprocess.run(
        [sys.executable, "-c", read], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    worker_class, workers, threads = answer.stdout.split()
    if worker_class == "gthread":
        return f"gthread workers: {workers} x {threads} threads"
    return f"sync workers: {workers}"


def start_server(kind: str, port: int, environment: dict[str, str]) -> subprocess.Popen:
    if kind == "gunicorn":
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            str(ROOT / "nameplate" / "gunicorn.conf.py"),
        ]
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


class Connection:
    """One keep-alive HTTP/1.1 connection on asyncio streams: the lightest client that will do.

    httpx spent about as much CPU per request as the server did, on the same two cores; this
    writes the request bytes and reads a Content-Length body (Django's CommonMiddleware sets it)
    and nothing more, so the machine's time goes to the server being measured.
    """

    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.headers = f"Host: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> int:
        """Send one request and read its answer; the status code."""
        if self.streams is None:
            self.streams = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.streams
        head = f"{method} {path} HTTP/1.1\r\n{self.headers}"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        try:
            status = int((await reader.readline()).split(b" ", 2)[1])
            length, is_closing = None, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
                elif name.lower() == b"connection" and value.strip().lower() == b"close":
                    is_closing = True
            if length is None:
                raise ConnectionError("an answer without Content-Length")
            await reader.readexactly(length)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            self.close()
            raise
        if is_closing:
            self.close()
        return status

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def run_load(port: int, key: str, label: str, request, options, server_pid: int, database: str) -> None:
    """`options.clients` tasks, a connection each, repeat `request` until the time or the budget runs out."""
    latencies: list[float] = []
    failures: dict[str, int] = {}
    connections = [Connection(port, key) for _ in range(options.clients)]
    for n, connection in enumerate(connections):  # open the connections, warm each worker's caches
        await request(connection, n)
    started, cpu_started = time.perf_counter(), tree_cpu_seconds(server_pid)
    client_cpu_started = time.process_time()
    database_cpu_started = database_cpu_seconds(options.admin_database, database)
    deadline = started + options.seconds

    async def one_client(n: int) -> None:
        while (
            time.perf_counter() < deadline and len(latencies) + sum(failures.values()) < options.max_requests
        ):
            sent = time.perf_counter()
            try:
                status = await asyncio.wait_for(request(connections[n], n), timeout=30)
                outcome = None if status < 300 else str(status)
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError, TimeoutError) as error:
                outcome = type(error).__name__
            if outcome is None:
                latencies.append(time.perf_counter() - sent)
            else:
                failures[outcome] = failures.get(outcome, 0) + 1

    await asyncio.gather(*(one_client(n) for n in range(options.clients)))
    elapsed = time.perf_counter() - started
    server_cpu = tree_cpu_seconds(server_pid) - cpu_started
    client_cpu = time.process_time() - client_cpu_started
    database_cpu = database_cpu_seconds(options.admin_database, database) - database_cpu_started
    for connection in connections:
        connection.close()
    if not latencies:
        print(f"{label:<44} no successful request; failures {failures}")
        return
    p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
    per_request_ms = 1000 / len(latencies)
    print(
        f"{label:<44} {len(latencies) / elapsed:>8.1f} req/s   p50 {p50:>7.1f} ms"
        f"   p99 {p99:>7.1f} ms"
        f"   server CPU {server_cpu * per_request_ms:>5.1f} ms/req"
        f"   (clients {client_cpu * per_request_ms:.1f}, database {database_cpu * per_request_ms:.1f})"
        f"   ({len(latencies)} ok" + (f", failed {failures})" if failures else ")")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn processes (default: WEB_WORKERS)")
    parser.add_argument("--threads", type=int, default=0, help="threads per process (default: WEB_THREADS)")
    parser.add_argument(
        "--worker-class", default="", help="sync or gthread, to compare (default: WEB_WORKER_CLASS)"
    )
    parser.add_argument(
        "--only", default="list,rrsets,changes", help="which requests, comma-separated (list,rrsets,changes)"
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0, help="per request kind")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per request kind")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--admin-database", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    options = parser.parse_args()
    unknown = set(options.only.split(",")) - {"list", "rrsets", "changes"}
    if unknown:
        parser.error(f"--only: {', '.join(sorted(unknown))} is not list, rrsets or changes")

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
        process_environment = server_environment(options.server, port, environment, options)
        process = start_server(options.server, port, process_environment)
        wait_until_up(base, process)
        shape = (
            gunicorn_shape(process_environment) if options.server == "gunicorn" else "threaded, one process"
        )
        print(f"{options.server} ({shape}), {options.clients} clients, {os.cpu_count()} cores")

        def zone_list(connection: Connection, n: int):
            return connection.request("GET", "/api/v1/zones")

        def record_sets(connection: Connection, n: int):
            return connection.request("GET", f"/api/v1/zones/{zone_id}/rrsets")

        counter = iter(range(10**9))

        def change_batch(connection: Connection, n: int):
            value = f"192.0.2.{next(counter) % 250 + 1}"
            change = {
                "action": "UPSERT",
                "record_set": {"name": f"load{n}", "type": "A", "ttl": 60, "values": [value]},
            }
            body = json.dumps({"changes": [change]}).encode()
            return connection.request("POST", f"/api/v1/zones/{zone_id}/changes", body)

        kinds = {
            "list": ("GET /api/v1/zones (20 zones)", zone_list),
            "rrsets": (f"GET /api/v1/zones/<id>/rrsets ({options.records:,})", record_sets),
            "changes": ("POST /api/v1/zones/<id>/changes (1 UPSERT)", change_batch),
        }
        for kind in options.only.split(","):
            label, request = kinds[kind]
            asyncio.run(run_load(port, key, label, request, options, process.pid, name))
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
