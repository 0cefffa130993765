"""From a target going down to its failover record leaving the DNS answer, measured end to end.

Usage: .venv/bin/python bench/healthchecks_failover.py [THRESHOLD]   (default 2)

A throw-away SQLite database; a local HTTP target that can be switched to 503; a health check
on it (10-second interval, THRESHOLD, three checker regions) tied to the PRIMARY of a failover
pair; our DNS server (`manage.py dnsserver`) on a free port; one Celery worker for the regions;
the dispatcher once a second, as beat would. It waits for the primary answer, switches the
target off, and times until the DNS server answers with the secondary (bound: interval x
threshold + 2 s), then switches it on and times the recovery. Stops itself.
Needs Redis; it uses BENCH_REDIS_URL (default redis://127.0.0.1:6379/13), a database of its own:
`health:status` is one hash per Redis database and check ids restart at 1 in every throw-away
database, so sharing one with tests would mix their health views.
"""

import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dns.message
import dns.query
import dns.rdatatype

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kernel.testing import free_port

ROOT = Path(__file__).resolve().parent.parent

INTERVAL_SECONDS = 10
PRIMARY, SECONDARY = "192.0.2.30", "192.0.2.31"
ZONE = "failover-bench.test"


class Target(BaseHTTPRequestHandler):
    is_up = True

    def do_GET(self) -> None:
        status = 200 if Target.is_up else 503
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args) -> None:
        return


def answer(port: int) -> set[str]:
    query = dns.message.make_query(f"app.{ZONE}.", dns.rdatatype.A)
    try:
        response = dns.query.udp(query, "127.0.0.1", port=port, timeout=1)
    except (dns.exception.Timeout, OSError):
        return set()
    return {rdata.address for rrset in response.answer for rdata in rrset if rrset.rdtype == dns.rdatatype.A}


def main() -> None:
    threshold = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    workdir = Path(tempfile.mkdtemp(prefix="hc-failover-"))
    tag = uuid.uuid4().hex[:6]
    regions = [f"fo-{tag}-{n}" for n in range(3)]
    dns_port = free_port()
    env = {
        **os.environ,
        # The targets are local servers on 127.0.0.1.
        "HEALTHCHECK_ALLOW_LOCAL_TARGETS": "1",
        "DATABASE_URL": f"sqlite:///{workdir / 'failover.sqlite3'}",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "HEALTHCHECK_REGIONS": ",".join(regions),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "nameplate.settings",
    }
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    with sqlite3.connect(workdir / "failover.sqlite3") as db:
        db.execute("PRAGMA journal_mode=WAL")

    import django

    django.setup()
    # Imported only now: the models need the settings this script has just put in the environment.
    from accounts.models import User
    from healthchecks import services
    from healthchecks.models import StatusChange
    from healthchecks.tasks import dispatch_due_checks
    from kernel.redis import redis_client
    from zones import rules as zone_rules
    from zones import services as zone_services

    target = ThreadingHTTPServer(("127.0.0.1", 0), Target)
    threading.Thread(target=target.serve_forever, daemon=True).start()
    owner = User.objects.create_user(email="failover@example.com", password=uuid.uuid4().hex)
    check = services.create_health_check(
        owner=owner,
        data={
            "name": "failover bench primary",
            "check_type": "http",
            "ip_address": "127.0.0.1",
            "port": target.server_address[1],
            "resource_path": "/",
            "request_interval_seconds": INTERVAL_SECONDS,
            "failure_threshold": threshold,
            "timeout_seconds": 2.0,
            "regions": regions,
        },
    )
    services.sync_health_view()
    zone = zone_services.create_hosted_zone(owner=owner, name=ZONE, caller_reference=f"failover-{tag}")
    pair = [
        zone_rules.RecordSetSpec(
            name="app",
            type="A",
            ttl=10,
            values=(PRIMARY,),
            policy="failover",
            set_identifier="primary",
            failover="PRIMARY",
            health_check_id=check.pk,
        ),
        zone_rules.RecordSetSpec(
            name="app",
            type="A",
            ttl=10,
            values=(SECONDARY,),
            policy="failover",
            set_identifier="secondary",
            failover="SECONDARY",
        ),
    ]
    zone_services.apply_change_batch(
        hosted_zone=zone, changes=[zone_services.Change(zone_services.CREATE, spec) for spec in pair]
    )

    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "dnsserver", "--listen", f"auth=127.0.0.1:{dns_port}"],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "nameplate", "worker", "-P", "threads", "-c", "4"),
                *("-Q", ",".join(regions), "--without-gossip", "--without-mingle", "--without-heartbeat"),
                *("-l", "WARNING"),
            ],
            cwd=ROOT,
            env=env,
        ),
    ]
    stop = threading.Event()

    def beat() -> None:
        while not stop.is_set():
            dispatch_due_checks()
            stop.wait(1.0)

    beat_thread = threading.Thread(target=beat, daemon=True)
    beat_thread.start()
    try:
        deadline = time.monotonic() + 60
        while answer(dns_port) != {PRIMARY}:
            if time.monotonic() > deadline:
                raise SystemExit(f"the DNS server never answered {PRIMARY}; got {answer(dns_port)}")
            time.sleep(0.2)
        bound = INTERVAL_SECONDS * threshold + 2
        for label, is_up, expected in (("down", False, {SECONDARY}), ("up again", True, {PRIMARY})):
            Target.is_up = is_up
            switched = time.monotonic()
            deadline = switched + bound + 30
            while answer(dns_port) != expected:
                if time.monotonic() > deadline:
                    raise SystemExit(f"target {label}: the answer did not change within {bound + 30} s")
                time.sleep(0.1)
            elapsed = time.monotonic() - switched
            change = StatusChange.objects.filter(health_check=check).order_by("-changed_at").first()
            detected = (change.changed_at.timestamp() - (time.time() - elapsed)) if change else float("nan")
            print(
                f"target {label}: answer became {sorted(expected)[0]} after {elapsed:.1f} s "
                f"(status change recorded after {detected:.1f} s; bound interval x threshold + 2 = {bound} s)"
            )
    finally:
        stop.set()
        beat_thread.join(5)
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        target.shutdown()
        redis_client().delete(*regions)


if __name__ == "__main__":
    main()
