"""Compile a generated zone of N records; print the time and the resident memory per record.

Usage: .venv/bin/python bench/compile_zone.py [RECORDS]   (default 1,000,000)
"""

import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dns.name
import dns.rdatatype

from zones.engine import RecordSetData, ZoneData, compile_zone


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def generate(count: int) -> ZoneData:
    origin = dns.name.from_text("bench.test.")
    records = [
        RecordSetData(origin, dns.rdatatype.SOA, 3600, ("ns1 hostmaster 1 7200 3600 1209600 300",)),
        RecordSetData(origin, dns.rdatatype.NS, 3600, ("ns1",)),
    ]
    for index in range(count):
        owner = dns.name.Name((f"host{index}".encode(), *origin.labels))
        if index % 10 == 9:
            records.append(RecordSetData(owner, dns.rdatatype.AAAA, 300, (f"2001:db8::{index % 65536:x}",)))
        else:
            records.append(
                RecordSetData(
                    owner, dns.rdatatype.A, 300, (f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}",)
                )
            )
    return ZoneData(origin, 1, records, key="bench")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    gc.collect()
    baseline = rss_bytes()
    data = generate(count)
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    snapshot = compile_zone(data)
    seconds = time.perf_counter() - started
    peak = rss_bytes()
    del data
    gc.collect()
    # The input is the database rows' copy; what stays is the snapshot.
    after_input_freed = rss_bytes()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"records: {snapshot.record_count}")
    print(f"compile seconds: {seconds:.1f}")
    print(f"resident bytes per record while compiling (input and snapshot): {(peak - before) / count:.0f}")
    print(f"resident bytes per record, snapshot only: {(after_input_freed - baseline) / count:.0f}")
    print(f"peak RSS of the process: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
