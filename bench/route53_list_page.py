"""Route 53 API listing figures: ms per page of ListResourceRecordSets and ListHostedZonesByName.

    .venv/bin/python bench/route53_list_page.py                 # SQLite (var/bench_route53.sqlite3)
    .venv/bin/python bench/route53_list_page.py --database postgres://postgres@127.0.0.1:5432/nameplate_route53_bench
    .venv/bin/python bench/route53_list_page.py --records 10000 --zones 200

A zone of --records record sets (default 100,000) is imported, then pages of 100 and of 300
are read the way the API reads them (route53.record_sets.list_page: one indexed query on
(hosted_zone, sort_key, type, set_identifier)) at the start, the middle and the end of the
zone, and a page of ListHostedZonesByName over --zones zones. For comparison it also times
what the page cost before the sort key: reading every row's key and sorting them in Python.
Each figure is the median of --repeat runs. The database is emptied first: point --database at
a database of its own.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var' / 'bench_route53.sqlite3'}")
    parser.add_argument("--records", type=int, default=100_000, help="record sets in the listed zone")
    parser.add_argument("--zones", type=int, default=1_000, help="hosted zones for ListHostedZonesByName")
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()

    os.environ["DATABASE_URL"] = options.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nameplate.settings")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")
    if options.database.startswith("sqlite:///"):
        Path(options.database[len("sqlite:///") :]).unlink(missing_ok=True)

    import django

    django.setup()
    # Imported only now: Django's models need the settings chosen above and the app registry.
    import dns.name
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from accounts import accesskeys
    from accounts.models import User
    from route53 import hosted_zones, record_sets
    from route53.context import Caller
    from zones import importexport, services
    from zones.models import HostedZone, RecordSet

    user = User.objects.create_user(email="bench@nameplate.test", password="bench-password-53")
    print(f"database: {connection.vendor} ({options.database})")
    zone = services.create_hosted_zone(owner=user, name="bench.test")
    lines = ["$ORIGIN bench.test.", "$TTL 300"]
    lines += [f"host{i} IN A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}" for i in range(options.records)]
    start = time.perf_counter()
    importexport.import_zone_text(zone, "\n".join(lines) + "\n")
    print(f"import of {options.records:,} record sets: {time.perf_counter() - start:.1f} s")
    zone = HostedZone.objects.get(pk=zone.pk)
    total = zone.record_set_count

    middle = f"host{options.records // 2}.bench.test."
    last = f"host{options.records - 1}.bench.test."
    for size in (100, 300):
        for where, name in (("first", None), ("middle", middle), ("near the end", last)):

            def page(name=name, size=size):
                return record_sets.list_page(
                    zone, start_name=name, start_type=None, start_identifier=None, max_items=size
                )

            assert page()["ResourceRecordSets"]
            print(
                f"ListResourceRecordSets, {where} page of {size} at {total:,} record sets: "
                f"{median_ms(page, options.repeat):.1f} ms"
            )

    def sorted_in_python():
        keys = RecordSet.objects.filter(hosted_zone=zone).values_list("name", "type", "set_identifier", "pk")
        return sorted(keys, key=lambda row: (dns.name.from_text(row[0]), row[1], row[2]))[:100]

    print(
        f"  before the sort key (every row read and sorted in Python) at {total:,}: "
        f"{median_ms(sorted_in_python, max(1, options.repeat // 10)):.1f} ms"
    )

    for n in range(options.zones):
        services.create_hosted_zone(owner=user, name=f"zone{n}.example", caller_reference=f"z{n}")
    caller = Caller(accesskeys.create_access_key(owner=user, name="bench")[0], "bench")
    params = {"DNSName": f"zone{options.zones // 2}.example", "MaxItems": "100"}
    by_name = median_ms(lambda: hosted_zones.list_hosted_zones_by_name(caller, params), options.repeat)
    print(
        f"ListHostedZonesByName, a page of 100 from the middle of {options.zones + 1:,} zones: "
        f"{by_name:.1f} ms"
    )


if __name__ == "__main__":
    main()
