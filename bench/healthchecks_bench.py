"""Health-check throughput: N checks at a 10-second interval on one Celery worker process.

Usage: .venv/bin/python bench/healthchecks_bench.py [CHECKS] [SECONDS]   (default 2,000 and 60)

It builds a throw-away SQLite database under a temporary directory, starts a local HTTP target
in its own process (most paths answer at once, 5% answer after 2 s, 5% answer 500, 1% never
answer within the 4 s timeout), starts one `celery worker` process (thread pool) on a private
region queue, and plays beat by calling the dispatcher once a second. After a warm-up it
measures for SECONDS and prints the probes per second, the schedule lag (how late each probe
started against its slot: p50, p99, max) and the CPU the worker process used. It stops itself.
Needs Redis at REDIS_URL (default redis://127.0.0.1:6379/3).
"""

import asyncio
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WARM_UP_SECONDS = 15
INTERVAL_SECONDS = 10
THREADS = 16


def serve_target(port_queue: multiprocessing.Queue) -> None:
    """A small asyncio HTTP/1.0 server: /ok, /slow (2 s), /error (500), /hang (never in time)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            path = request.split(b" ", 2)[1]
            status, body = b"200 OK", b"bench target ok"
            if path.startswith(b"/slow"):
                await asyncio.sleep(2)
            elif path.startswith(b"/hang"):
                await asyncio.sleep(30)
            elif path.startswith(b"/error"):
                status, body = b"500 Internal Server Error", b"broken"
            writer.write(
                b"HTTP/1.0 "
                + status
                + b"\r\nContent-Type: text/plain\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\nConnection: close\r\n\r\n"
                + body
            )
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        port_queue.put(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def process_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[int], share: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    checks = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    workdir = Path(tempfile.mkdtemp(prefix="hc-bench-"))
    region = f"bench-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        # The targets are local servers on 127.0.0.1.
        "HEALTHCHECK_ALLOW_LOCAL_TARGETS": "1",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3"),
        "HEALTHCHECK_REGIONS": region,
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "nameplate.settings",
    }
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    # Write-ahead logging lets the worker's writes and the dispatcher's reads overlap; in rollback
    # mode a busy reader starves the writers. (Production runs PostgreSQL.)
    with sqlite3.connect(workdir / "bench.sqlite3") as db:
        db.execute("PRAGMA journal_mode=WAL")

    import django

    django.setup()
    # Imported only now: the models need the settings this script has just put in the environment.
    from django.utils import timezone

    from accounts.models import User
    from healthchecks.models import HealthCheck, HealthCheckRegion, ProbeResult
    from healthchecks.tasks import dispatch_due_checks

    port_queue: multiprocessing.Queue = multiprocessing.Queue()
    target = multiprocessing.Process(target=serve_target, args=(port_queue,), daemon=True)
    target.start()
    port = port_queue.get(timeout=10)

    owner = User.objects.create_user(email="bench@example.com", password=uuid.uuid4().hex)
    paths = ["/ok"] * 89 + ["/slow"] * 5 + ["/error"] * 5 + ["/hang"]
    # Rows are written in bulk (setup speed); the services would create the same rows one by one.
    created = HealthCheck.objects.bulk_create(
        [
            HealthCheck(
                owner=owner,
                name=f"bench {n}",
                check_type="http",
                ip_address="127.0.0.1",
                port=port,
                resource_path=f"{paths[n % len(paths)]}?n={n}",
                request_interval_seconds=INTERVAL_SECONDS,
                failure_threshold=3,
                timeout_seconds=4.0,
                regions=[region],
            )
            for n in range(checks)
        ]
    )
    start = timezone.now() + timedelta(seconds=2)
    HealthCheckRegion.objects.bulk_create(
        [
            HealthCheckRegion(
                health_check=check,
                region=region,
                # Checks created over time spread evenly across the interval.
                next_run_at=start + timedelta(seconds=INTERVAL_SECONDS * n / checks),
            )
            for n, check in enumerate(created)
        ]
    )

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nameplate",
            "worker",
            "-P",
            "threads",
            "-c",
            str(THREADS),
            "-Q",
            region,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        begin = time.monotonic()
        measure_from = measure_to = None
        cpu_from = 0.0
        next_tick = time.monotonic()
        dispatch_cpu = 0.0
        while True:
            now = time.monotonic()
            if measure_from is None and now - begin >= WARM_UP_SECONDS:
                measure_from, cpu_from = timezone.now(), process_cpu_seconds(worker.pid)
                wall_from = now
            if measure_from is not None and now - wall_from >= seconds:
                measure_to, cpu_to = timezone.now(), process_cpu_seconds(worker.pid)
                wall = now - wall_from
                break
            clock = time.process_time()
            dispatch_due_checks()
            dispatch_cpu += time.process_time() - clock
            next_tick += 1.0  # beat's period for the dispatcher
            time.sleep(max(0.0, next_tick - time.monotonic()))
        # Let in-flight probes of the window finish recording.
        time.sleep(6)
        window = ProbeResult.objects.filter(checked_at__gte=measure_from, checked_at__lt=measure_to)
        lags = list(window.values_list("schedule_lag_ms", flat=True))
        failures = window.filter(is_success=False).count()
        total_seconds = (measure_to - measure_from).total_seconds()
        print(f"checks: {checks} at {INTERVAL_SECONDS} s on one worker process ({THREADS} threads)")
        print(f"measured: {total_seconds:.0f} s after a {WARM_UP_SECONDS} s warm-up")
        print(f"probes: {len(lags)} ({len(lags) / total_seconds:.0f}/s), failed: {failures}")
        reasons = window.filter(is_success=False).values_list("error", flat=True)
        by_reason = Counter(
            reason.split(":")[0] if reason.startswith("conn") else reason for reason in reasons
        )
        print(
            "failures by reason: "
            + ", ".join(f"{reason} {count}" for reason, count in by_reason.most_common(4))
        )
        if lags:
            p50, p95, p99 = (percentile(lags, share) for share in (0.50, 0.95, 0.99))
            print(f"schedule lag ms: p50 {p50}, p95 {p95}, p99 {p99}, max {max(lags)}")
            late = sum(lag >= 1000 for lag in lags)
            print(f"probes started 1 s or more late: {late} ({late / len(lags):.2%})")
        cpu = cpu_to - cpu_from
        print(f"worker CPU: {cpu:.1f} s in {wall:.0f} s ({cpu / wall:.0%} of one core)")
        print(f"load average (the machine is shared): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"dispatcher CPU: {dispatch_cpu:.1f} s in {WARM_UP_SECONDS + wall:.0f} s")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        target.terminate()
        target.join(5)
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).delete(region)


if __name__ == "__main__":
    main()
