"""Change to answer in a large zone: one record change, through Redis and through the database poll.

Fills a hosted zone with RECORDS A/AAAA record sets (written in bulk: the setup, not what is
measured), starts `manage.py dnsserver` on it (role auth, a free port on 127.0.0.1), then
changes one record at a time through `zones.services.apply_change_batch` and polls the
server until the new address is answered: the time from the call to that answer, p50, p99
and max. Through Redis the change arrives as its diff on the bus; through the database poll
(the change unpublished) the server fetches the changes since the serial it serves. Either
way the server applies the diff to a new version of the zone (zones.engine.update_zone)
instead of compiling it again. The time also includes the server's start-up, printed.

With --engine it measures the engine alone, in process: `update_zone` applying one record
change to a generated zone of RECORDS records (bench/compile_zone.py's), against compiling it.

Usage: .venv/bin/python bench/change_to_answer.py [RECORDS ...] [--changes 50] [--fallback-changes 10]
       .venv/bin/python bench/change_to_answer.py --engine [RECORDS ...] [--changes 50]
       (default RECORDS: 1000 100000). Needs Redis at REDIS_URL (default redis://127.0.0.1:6379/5).
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dns_propagation import (
    ABSENT_REDIS_URL,
    CHANGE_DEADLINE_SECONDS,
    free_port,
    make_zone,
    report,
    running_server,
    set_address,
    setup_django,
    wait_for,
)

POLL_SECONDS = 1.0
# Loading a zone of a million records from SQLite takes minutes on a busy machine.
START_SECONDS = 900.0


def fill(zone, count: int) -> None:
    """`count` record sets host<n> (90% A, 10% AAAA), inserted in bulk like an import's rows."""
    from django.utils import timezone

    from kernel import bulksql
    from zones import rules
    from zones.models import HostedZone, RecordSet

    now = timezone.now()

    def rows():
        for index in range(count):
            if index % 10 == 9:
                spec = rules.RecordSetSpec(
                    name=f"host{index}.{zone.name}",
                    type="AAAA",
                    ttl=300,
                    values=(f"2001:db8::{index % 65536:x}",),
                )
            else:
                address = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"
                spec = rules.RecordSetSpec(
                    name=f"host{index}.{zone.name}", type="A", ttl=300, values=(address,)
                )
            yield {
                **RecordSet.fields_from_spec(spec),
                "hosted_zone_id": zone.pk,
                "is_protected": False,
                "created_at": now,
                "updated_at": now,
            }

    bulksql.insert_rows(RecordSet, rows())
    HostedZone.objects.filter(pk=zone.pk).update(record_set_count=zone.record_set_count + count)


def measure(zone, port: int, changes: int, first: int, publish: bool) -> tuple[list[float], list[float], int]:
    """Per change: seconds from the call to the new answer, and seconds the call itself took."""
    latencies, writes = [], []
    pauses = random.Random(first)
    for number in range(first, first + changes):
        if not publish:
            # Not right after a poll every time (the worst case): anywhere in the interval.
            time.sleep(pauses.uniform(0, POLL_SECONDS))
        address = f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"
        started = time.monotonic()
        set_address(zone, address, publish=publish)
        writes.append(time.monotonic() - started)
        if not wait_for(port, address, CHANGE_DEADLINE_SECONDS):
            return latencies, writes, 1
        latencies.append(time.monotonic() - started)
    return latencies, writes, 0


def started_in(port: int) -> float:
    started = time.monotonic()
    if not wait_for(port, "10.255.255.254", START_SECONDS):
        raise SystemExit(f"the server did not answer within {START_SECONDS:.0f} s")
    return time.monotonic() - started


def run(records: int, changes: int, fallback_changes: int, workdir: Path) -> None:
    import os

    zone = make_zone()
    fill(zone, records)
    set_address(zone, "10.255.255.254")
    first = 1
    for label, server_redis, publish, count in (
        ("through Redis", os.environ["REDIS_URL"], True, changes),
        ("through the database poll", ABSENT_REDIS_URL, False, fallback_changes),
    ):
        port = free_port()
        log_path = workdir / f"dnsserver-{records}-{port}.log"
        set_address(zone, "10.255.255.254")
        with running_server(port, server_redis, POLL_SECONDS, log_path):
            seconds = started_in(port)
            latencies, writes, missed = measure(zone, port, count, first, publish)
        first += count
        print(f"{records} records, server ready in {seconds:.1f} s")
        report(f"{records} records, {label} (poll every {POLL_SECONDS:.0f} s)", latencies, missed)
        print(f"  of which apply_change_batch itself: p50 {statistics.median(writes) * 1000:.0f} ms")


def engine_only(records: int, changes: int) -> None:
    import dns.name
    import dns.rdatatype

    from bench.compile_zone import generate
    from zones.engine import RecordSetData, ZoneData, compile_zone, update_zone

    data = generate(records)
    started = time.perf_counter()
    served = compile_zone(data)
    compile_seconds = time.perf_counter() - started
    seconds, cpu_seconds = [], []
    for number in range(changes):
        name = dns.name.from_text(f"host{number * 7919 % records}.bench.test.")
        address = f"172.16.{number >> 8 & 255}.{number & 255}"
        change = ZoneData(
            data.origin,
            served.serial + 1,
            [RecordSetData(name, dns.rdatatype.A, 300, (address,))],
            key="bench",
        )
        started, started_cpu = time.perf_counter(), time.process_time()
        served = update_zone(served, change, [name])
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - started_cpu)
    # On a shared machine the wall time includes waiting for a core; the CPU time does not.
    for label, values in (("wall", seconds), ("CPU", cpu_seconds)):
        ordered = sorted(values)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        print(
            f"{records} records, engine only: compile {compile_seconds:.1f} s; update_zone for one change "
            f"({label}) p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"max {ordered[-1] * 1000:.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=int, nargs="*", default=[1000, 100_000])
    parser.add_argument("--changes", type=int, default=50, help="Changes measured through Redis.")
    parser.add_argument("--fallback-changes", type=int, default=10, help="Changes measured by the DB poll.")
    parser.add_argument("--engine", action="store_true", help="Measure update_zone alone, in process.")
    arguments = parser.parse_args()
    if arguments.engine:
        for records in arguments.records:
            engine_only(records, arguments.changes)
        return
    with tempfile.TemporaryDirectory() as workdir:
        setup_django(f"sqlite:///{workdir}/bench.sqlite3")
        for records in arguments.records:
            run(records, arguments.changes, arguments.fallback_changes, Path(workdir))


if __name__ == "__main__":
    main()
