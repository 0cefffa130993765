"""Start-up of the DNS server on a large zone: seconds until it answers, resident bytes per record.

Fills a hosted zone with RECORDS A/AAAA record sets (in bulk, as bench/change_to_answer.py
does), starts `manage.py dnsserver` (role auth, a free port on 127.0.0.1, Redis away) and
times it from the start of the process to its first answer from the zone: the server loads
every zone before it binds its sockets, so that answer is the zone's. Then it reads the
server's resident set (VmRSS) and compares it with the same server on an empty zone: the
difference divided by the records is what a record costs a running server. Then it starts
the server once more: that restart reads the zone back from the zone cache the first start
wrote (dnsserver/zonecache.py) instead of compiling it.

Usage: .venv/bin/python bench/startup.py [RECORDS] (default 1,000,000; use 100000 on a busy machine)
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.change_to_answer import fill
from bench.dns_propagation import (
    ABSENT_REDIS_URL,
    ROOT,
    ask,
    free_port,
    make_zone,
    set_address,
    setup_django,
)

QNAME_ADDRESS = "10.255.255.254"
START_SECONDS = 900.0


def resident_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise OSError(f"no VmRSS for process {pid}")


def start(workdir: Path, label: str) -> tuple[float, int]:
    """Seconds to the first answer, and the resident bytes then."""
    port = free_port()
    command = [sys.executable, str(ROOT / "manage.py"), "dnsserver", "--listen", f"auth=127.0.0.1:{port}"]
    env = {**os.environ, "REDIS_URL": ABSENT_REDIS_URL, "DNS_ZONE_CACHE_DIR": str(workdir / "zone-cache")}
    started = time.monotonic()
    with open(workdir / f"dnsserver-{label}.log", "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        while time.monotonic() - started < START_SECONDS:
            response = ask(port)
            if response is not None and response.answer:
                seconds = time.monotonic() - started
                # Let the loop settle (the first poll, the counters) before reading the memory.
                time.sleep(2)
                return seconds, resident_bytes(process.pid)
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=30)
    raise SystemExit(f"the server did not answer within {START_SECONDS:.0f} s; see {workdir}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=int, nargs="?", default=1_000_000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        workdir = Path(workdir)
        setup_django(f"sqlite:///{workdir}/bench.sqlite3")
        zone = make_zone()
        set_address(zone, QNAME_ADDRESS)
        empty_seconds, empty_bytes = start(workdir, "empty")
        filled = time.monotonic()
        fill(zone, arguments.records)
        print(f"{arguments.records} records written in {time.monotonic() - filled:.0f} s (setup)")
        seconds, resident = start(workdir, "full")
        cached_seconds, cached_resident = start(workdir, "restart")
        if "read from the zone cache" not in (workdir / "dnsserver-restart.log").read_text():
            raise SystemExit(f"the restart did not read the zone cache; see {workdir}")
        print(f"empty zone: ready in {empty_seconds:.1f} s, resident {empty_bytes / 2**20:.0f} MiB")
        for label, ready, kept in (
            ("first start (compiled)", seconds, resident),
            ("restart (zone cache)", cached_seconds, cached_resident),
        ):
            per_record = (kept - empty_bytes) / arguments.records
            print(
                f"{arguments.records} records, {label}: ready in {ready:.1f} s,"
                f" resident {kept / 2**20:.0f} MiB, {per_record:.0f} bytes per record"
            )


if __name__ == "__main__":
    main()
