"""CPU time per query of `QueryHandler.handle`, in process, for each kind of query.

Usage: .venv/bin/python bench/dns_query_path.py [QUERIES (20000)] [PASSES (5)]

The zone and the queries are bench/dns_qps_helper.py's (10,000 records plus the routed
names); no sockets, so the figures are what answering costs apart from the system calls.
CPU time (time.process_time) and the best of PASSES, so that other load on the machine
moves the figures less than wall time would. Every kind is first asked once (our server
renders a routed answer the first time it is asked, then keeps it); the first column is
that first pass over the routed names, which is the engine's cost.
"""

import dataclasses
import ipaddress
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dns.edns
import dns.message
import dns_qps_helper

from dnsserver.handler import QueryHandler, ServerState
from zones.engine import EngineConfig, GeoIP2FastLocator, ZoneSet, compile_zone, zone_data_from_text

ECS = dns.edns.ECSOption("81.2.69.0", 24)
COOKIE = dns.edns.CookieOption(b"\x01\x02\x03\x04\x05\x06\x07\x08", b"")


def wires(lines: list[str], **options) -> list[bytes]:
    return [dns.message.make_query(*line.split(), **options).to_wire() for line in lines]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    passes = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    directory = Path(tempfile.mkdtemp())
    dns_qps_helper.generate(directory)
    state = ServerState(config=EngineConfig(locator=GeoIP2FastLocator()), roles=("auth",))
    data = zone_data_from_text((directory / "zone.txt").read_text(), dns_qps_helper.ORIGIN, key="bench")
    data = dataclasses.replace(data, record_sets=(*data.record_sets, *dns_qps_helper.policy_records()))
    state.zones["auth"] = ZoneSet([compile_zone(data)])
    handler = QueryHandler(state, "auth")
    address = ipaddress.ip_address("127.0.0.1")
    plain = (directory / "queries.txt").read_text().splitlines()[:count]
    routed = (directory / "policy-queries.txt").read_text().splitlines()[:count]
    kinds = {
        "plain": wires(plain),
        "edns": wires(plain, use_edns=0),
        "cookie": wires(plain, use_edns=0, options=[COOKIE]),
        "ecs": wires(plain, use_edns=0, options=[ECS]),
        "policy": wires(routed),
        "policy+ecs": wires(routed, use_edns=0, options=[ECS]),
    }
    started = time.process_time()
    for wire in kinds["policy"]:
        handler.handle(wire, address)
    first = (time.process_time() - started) / len(kinds["policy"])
    for batch in kinds.values():
        for wire in batch:
            handler.handle(wire, address)
    print(
        f"load average {Path('/proc/loadavg').read_text().split()[0]}; first pass over routed names "
        f"{first * 1e6:.1f} µs per query"
    )
    for label, batch in kinds.items():
        best = min(_timed(handler, batch, address) for _ in range(passes))
        tcp = min(_timed(handler, batch, address, is_tcp=True) for _ in range(passes))
        print(f"{label:<11} UDP {best * 1e6:6.2f} µs   TCP {tcp * 1e6:6.2f} µs per query")


def _timed(handler: QueryHandler, batch: list[bytes], address, is_tcp: bool = False) -> float:
    handle = handler.handle
    started = time.process_time()
    for wire in batch:
        handle(wire, address, is_tcp)
    return (time.process_time() - started) / len(batch)


if __name__ == "__main__":
    main()
