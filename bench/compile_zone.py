"""Compile a generated zone of N records; print the time and the resident memory per record.

Usage: .venv/bin/python bench/compile_zone.py [RECORDS] [--mixed]   (default 1,000,000)

The zone holds one record set of one record per name: 90% A and 10% AAAA, or with --mixed
60% A, 10% AAAA, 10% TXT, 10% CNAME (to another name of the zone) and 10% MX (likewise).
Bytes per record are the growth of the resident set divided by the records: while
compiling (input, index and snapshot), and once the input is freed (what a server keeps).
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


def generate(count: int, *, is_mixed: bool = False) -> ZoneData:
    origin = dns.name.from_text("bench.test.")
    records = [
        RecordSetData(origin, dns.rdatatype.SOA, 3600, ("ns1 hostmaster 1 7200 3600 1209600 300",)),
        RecordSetData(origin, dns.rdatatype.NS, 3600, ("ns1",)),
    ]
    for index in range(count):
        owner = dns.name.Name((f"host{index}".encode(), *origin.labels))
        kind = index % 10
        if kind == 9:
            records.append(RecordSetData(owner, dns.rdatatype.AAAA, 300, (f"2001:db8::{index % 65536:x}",)))
        elif is_mixed and kind == 6:
            records.append(
                RecordSetData(owner, dns.rdatatype.TXT, 300, (f'"v=spf1 ip4:10.0.0.{kind} -all"',))
            )
        elif is_mixed and kind == 7:
            records.append(RecordSetData(owner, dns.rdatatype.CNAME, 300, (f"host{index - 1}",)))
        elif is_mixed and kind == 8:
            records.append(RecordSetData(owner, dns.rdatatype.MX, 300, (f"10 host{index - 3}",)))
        else:
            address = f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"
            records.append(RecordSetData(owner, dns.rdatatype.A, 300, (address,)))
    return ZoneData(origin, 1, records, key="bench")


def main() -> None:
    arguments = [argument for argument in sys.argv[1:] if not argument.startswith("--")]
    count = int(arguments[0]) if arguments else 1_000_000
    is_mixed = "--mixed" in sys.argv[1:]
    gc.collect()
    baseline = rss_bytes()
    data = generate(count, is_mixed=is_mixed)
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    started_cpu = time.process_time()
    snapshot = compile_zone(data)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - started_cpu
    peak = rss_bytes()
    del data
    gc.collect()
    # The input is the database rows' copy; what stays is the snapshot.
    after_input_freed = rss_bytes()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"zone: {'mixed A/AAAA/TXT/CNAME/MX' if is_mixed else 'A and AAAA'}, records: {snapshot.record_count}"
    )
    # On a shared machine the wall time includes waiting for a core; the CPU time does not.
    print(f"compile seconds: {seconds:.1f} (CPU {cpu_seconds:.1f})")
    print(f"resident bytes per record while compiling (input and snapshot): {(peak - before) / count:.0f}")
    print(f"resident bytes per record, snapshot only: {(after_input_freed - baseline) / count:.0f}")
    print(f"peak RSS of the process: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
