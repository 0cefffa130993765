"""Hosted-zone figures: a 1,000-change batch, the record list's first and last page, a big import.

    .venv/bin/python bench/zones_bench.py                       # SQLite (var/bench_zones.sqlite3)
    .venv/bin/python bench/zones_bench.py --database postgres://postgres@127.0.0.1:5432/nameplate_zones_bench
    .venv/bin/python bench/zones_bench.py --import-records 1000000

Targets: the batch commits in under 2 s, a list page renders in under
200 ms of server time at 100,000 records, a 1,000,000-record import finishes in under 5 minutes.
The database is emptied first (the SQLite file is deleted; a PostgreSQL database is migrated
and flushed), so point --database at a database of its own.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def zone_file(origin: str, count: int) -> str:
    """A zone file of `count` record sets: mostly A, some AAAA, TXT, MX and CNAME."""
    lines = [f"$ORIGIN {origin}", "$TTL 300"]
    for i in range(count):
        kind = i % 10
        if kind < 6:
            lines.append(f"host{i} IN A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}")
        elif kind < 8:
            lines.append(f"host{i} IN AAAA 2001:db8::{i >> 16:x}:{i & 0xFFFF:x}")
        elif kind == 8:
            lines.append(f'txt{i} IN TXT "record number {i}"')
        else:
            lines.append(f"alias{i} IN CNAME host{i - 1}")
    return "\n".join(lines) + "\n"


def timed(label: str, function, *args, **kwargs):
    """Run and print wall time and this process's CPU time (SQLite's work in it, PostgreSQL's not)."""
    start, cpu_start = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    print(f"{label:<66} {seconds * 1000:>10.1f} ms  (cpu {cpu_seconds * 1000:.0f} ms)")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var' / 'bench_zones.sqlite3'}")
    parser.add_argument("--records", type=int, default=100_000, help="record sets in the listed zone")
    parser.add_argument("--batch", type=int, default=1_000, help="changes in the timed batch")
    parser.add_argument(
        "--import-records", type=int, default=0, help="also time an import of this many record sets"
    )
    options = parser.parse_args()

    os.environ["DATABASE_URL"] = options.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nameplate.settings")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")
    if options.database.startswith("sqlite:///"):
        Path(options.database[len("sqlite:///") :]).unlink(missing_ok=True)

    import django

    django.setup()
    # Imported only now: Django's models need the settings chosen above and the app registry.
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from accounts.models import User
    from zones import importexport, rules, services
    from zones.models import HostedZone

    user = User.objects.create_user(email="bench@nameplate.test", password="bench-password-53")
    print(f"database: {connection.vendor} ({options.database})")

    zone = services.create_hosted_zone(owner=user, name="bench.test")
    text = zone_file("bench.test.", options.records)
    timed(f"import of {options.records:,} record sets (list zone)", importexport.import_zone_text, zone, text)

    changes = [
        services.Change(
            services.CREATE,
            rules.RecordSetSpec(name=f"batch{i}", type="A", ttl=60, values=(f"192.0.2.{i % 250 + 1}",)),
        )
        for i in range(options.batch)
    ]
    with CaptureQueriesContext(connection) as queries:
        timed(
            f"batch of {options.batch:,} CREATE changes (zone of {options.records:,})",
            services.apply_change_batch,
            hosted_zone=zone,
            changes=changes,
        )
    print(f"{'  queries in that batch':<66} {len(queries):>10}")
    upserts = [services.Change(services.UPSERT, change.record_set) for change in changes]
    timed(
        f"batch of {options.batch:,} UPSERT changes",
        services.apply_change_batch,
        hosted_zone=zone,
        changes=upserts,
    )
    deletes = [services.Change(services.DELETE, change.record_set) for change in changes]
    timed(
        f"batch of {options.batch:,} DELETE changes",
        services.apply_change_batch,
        hosted_zone=zone,
        changes=deletes,
    )

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    zone = HostedZone.objects.get(pk=zone.pk)
    total = zone.record_set_count
    for label, url in [
        ("record list, first page (console)", f"/zones/{zone.pk}/"),
        ("record list, last page (console)", f"/zones/{zone.pk}/?last=1"),
        ("record list, type filter AAAA, first page (console)", f"/zones/{zone.pk}/?type=AAAA"),
        ("record list, name contains 'host9999' (console)", f"/zones/{zone.pk}/?name=host9999"),
        ("record list, first page (API)", f"/api/v1/zones/{zone.pk}/rrsets"),
    ]:
        client.get(url)  # warm the connection and template caches
        response, _ = timed(f"{label} at {total:,} record sets", client.get, url)
        assert response.status_code == 200, response.status_code

    if options.import_records:
        big = services.create_hosted_zone(owner=user, name="big.test")
        text = zone_file("big.test.", options.import_records)
        print(f"{'  zone file size':<66} {len(text) / 1e6:>9.1f} MB")
        timed(
            f"import of {options.import_records:,} record sets (empty zone)",
            importexport.import_zone_text,
            big,
            text,
        )
        big.refresh_from_db()
        print(f"{'  record sets stored':<66} {big.record_set_count:>10,}")


if __name__ == "__main__":
    main()
