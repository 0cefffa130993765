"""Helpers of bench/dns_qps.sh: the generated zone and queries, our server, the table.

Usage (from bench/dns_qps.sh):
    dns_qps_helper.py generate DIR           zone.txt (10,000 records), queries.txt and
                                             policy-queries.txt (routed names) in DIR
    dns_qps_helper.py port                   a port free for UDP and TCP on 127.0.0.1
    dns_qps_helper.py serve ZONE PORT        our server on 127.0.0.1:PORT until SIGTERM
    dns_qps_helper.py wait PORT [SECONDS]    until 127.0.0.1:PORT answers for the zone
    dns_qps_helper.py cpu PID                CPU seconds PID and its descendants have used
    dns_qps_helper.py table RESULTS          the medians of dnsperf's results as a table

Our server also serves POLICY_NAMES routed names of each of four policies (weighted,
failover, geolocation, latency; `policy_records`), which NSD cannot express: the policy mix
is set against NSD's QPS on the plain mix.
"""

import asyncio
import dataclasses
import logging
import os
import random
import signal
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdatatype

from dnsserver.handler import ServerState
from dnsserver.server import DnsServer
from kernel.listeners import Listener
from kernel.testing import free_port
from zones.engine import (
    EngineConfig,
    FailoverRole,
    GeoIP2FastLocator,
    Geolocation,
    RecordSetData,
    RoutingPolicy,
    ZoneSet,
    compile_zone,
    zone_data_from_text,
)

ORIGIN = "bench.test."
RECORDS = 10_000
QUERIES = 100_000
MIXES = ("plain", "edns", "cookie", "policy", "tcp")
POLICY_NAMES = 250
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")


def generate(directory: Path, seed: int = 5) -> None:
    """A zone of RECORDS records (A, AAAA, MX, TXT, CNAME, a few delegations) and a query mix.

    The mix: answers of each type, CNAME chains, NXDOMAIN, NODATA and referrals, a tenth of
    the names in mixed case as resolvers using 0x20 send them.
    """
    rng = random.Random(seed)
    lines = [
        f"$ORIGIN {ORIGIN}",
        "$TTL 300",
        "@ 3600 IN SOA ns1 hostmaster 1 7200 3600 1209600 300",
        "@ IN NS ns1",
        "@ IN NS ns2",
        "ns1 IN A 192.0.2.1",
        "ns2 IN A 192.0.2.2",
        "@ IN MX 10 mail",
        "mail IN A 192.0.2.25",
    ]
    hosts = []
    index = 0
    while len(lines) < RECORDS + 3:
        host = f"host{index}"
        hosts.append(host)
        lines.append(f"{host} IN A 10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}")
        if index % 4 == 0:
            lines.append(f"{host} IN AAAA 2001:db8::{index:x}")
        if index % 10 == 0:
            lines.append(f'{host} IN TXT "v=spf1 ip4:10.0.0.0/8 -all" "id {index}"')
        if index % 20 == 0:
            lines.append(f"{host} IN MX 10 mail")
        if index % 10 == 5:
            lines.append(f"www{index} IN CNAME {host}")
        if index % 500 == 7:
            lines.append(f"deleg{index} IN NS ns.deleg{index}")
            lines.append(f"ns.deleg{index} IN A 192.0.2.{index % 250}")
        index += 1
    (directory / "zone.txt").write_text("\n".join(lines) + "\n")
    kinds = (
        [("host", "A")] * 50
        + [("host", "AAAA")] * 10
        + [("host", "TXT")] * 5
        + [("host", "MX")] * 5
        + [("www", "A")] * 10
        + [("missing", "A")] * 10
        + [("host", "SRV")] * 5
        + [("deleg", "A")] * 5
    )
    queries = []
    for _ in range(QUERIES):
        kind, rdtype = rng.choice(kinds)
        number = rng.randrange(index)
        if kind == "www":
            name = f"www{rng.randrange(index // 10) * 10 + 5}"
        elif kind == "deleg":
            name = f"www.deleg{rng.randrange(index // 500) * 500 + 7}"
        elif kind == "missing":
            name = f"nothere{number}"
        else:
            name = f"host{number}"
        name = f"{name}.{ORIGIN}"
        if rng.random() < 0.1:
            name = "".join(char.upper() if rng.random() < 0.5 else char for char in name)
        queries.append(f"{name} {rdtype}")
    (directory / "queries.txt").write_text("\n".join(queries) + "\n")
    policy_queries = []
    for _ in range(QUERIES):
        kind = rng.choice(("weighted", "failover", "geo", "latency"))
        policy_queries.append(f"{kind}{rng.randrange(POLICY_NAMES)}.{ORIGIN} A")
    (directory / "policy-queries.txt").write_text("\n".join(policy_queries) + "\n")


def policy_records() -> list[RecordSetData]:
    """POLICY_NAMES names of each policy, with health checks (all healthy: none reported)."""
    origin = dns.name.from_text(ORIGIN)
    records = []

    def add(label: str, index: int, member: int, **policy) -> None:
        address = dns.rdata.from_text("IN", "A", f"10.{100 + member}.{index >> 8}.{index & 255}")
        records.append(
            RecordSetData(
                dns.name.from_text(f"{label}{index}", origin),
                dns.rdatatype.A,
                60,
                (address,),
                set_identifier=f"{label}{index}-{member}",
                health_check_id=index * 10 + member,
                **policy,
            )
        )

    for index in range(POLICY_NAMES):
        for member, weight in enumerate((10, 30, 60)):
            add("weighted", index, member, policy=RoutingPolicy.WEIGHTED, weight=weight)
        for member, role in enumerate((FailoverRole.PRIMARY, FailoverRole.SECONDARY)):
            add("failover", index, member, policy=RoutingPolicy.FAILOVER, failover=role)
        for member, country in enumerate(("GB", "US", "DE", "*")):
            geolocation = Geolocation(country=country)
            add("geo", index, member, policy=RoutingPolicy.GEOLOCATION, geolocation=geolocation)
        for member, region in enumerate(REGIONS):
            add("latency", index, member, policy=RoutingPolicy.LATENCY, region=region)
    return records


async def serve(zone_file: Path, port: int) -> None:
    state = ServerState(config=EngineConfig(locator=GeoIP2FastLocator()), roles=("auth",))
    data = zone_data_from_text(zone_file.read_text(), ORIGIN, key="bench")
    data = dataclasses.replace(data, record_sets=(*data.record_sets, *policy_records()))
    state.zones["auth"] = ZoneSet([compile_zone(data)])
    server = DnsServer(state, [Listener("auth", "127.0.0.1", port)])
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await server.stop()


def wait(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    query = dns.message.make_query(ORIGIN, "SOA")
    while time.monotonic() < deadline:
        try:
            reply = dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
        except (dns.exception.Timeout, ConnectionRefusedError):
            continue
        if reply.rcode() == dns.rcode.NOERROR and reply.answer:
            return
    sys.exit(f"nothing answered for {ORIGIN} on port {port} within {seconds} s")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of `pid` and every process below it (NSD forks its server)."""
    ticks = 0
    parents: dict[int, int] = {}
    times: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # The command name may hold spaces; the fields after it are space-separated.
        fields = text[text.rindex(")") + 2 :].split()
        process = int(stat.parent.name)
        parents[process] = int(fields[1])
        times[process] = int(fields[11]) + int(fields[12])  # utime, stime
    for process, used in times.items():
        ancestor = process
        while ancestor > 1 and ancestor != pid:
            ancestor = parents.get(ancestor, 0)
        if ancestor == pid:
            ticks += used
    return ticks / os.sysconf("SC_CLK_TCK")


def table(results: Path) -> str:
    """RESULTS holds lines `mix server run qps lost_percent cpu_us_per_query busy_percent`.

    The table gives medians per mix and server. NSD has no routing policies: in the policy
    mix its runs answer the plain mix, so that the ratio is our policy QPS to NSD's plain
    QPS, measured in alternation. "cost" sets NSD's CPU time per query against ours: the
    ratio of what each would answer with a whole core to itself, which is what the QPS ratio
    shows only when both servers were fully busy (a run whose client was the limit leaves its
    server less busy).
    """
    runs: dict[tuple[str, str], list[list[float]]] = {}
    for line in results.read_text().splitlines():
        mix, server, _run, *figures = line.split()
        runs.setdefault((mix, server), []).append([float(figure) for figure in figures])
    head = ("mix", "runs", "ours qps", "nsd qps", "ratio", "ours µs/q", "nsd µs/q", "cost", "busy", "lost")
    rows = ["{:<8} {:>4} {:>9} {:>9} {:>6} {:>9} {:>9} {:>5} {:>9} {:>6}".format(*head)]
    for mix in MIXES:
        ours = runs.get((mix, "ours"), [])
        nsd = runs.get((mix, "nsd"), [])
        if not ours or not nsd:
            continue
        our_qps, our_cpu, our_busy = (statistics.median(run[i] for run in ours) for i in (0, 2, 3))
        nsd_qps, nsd_cpu, nsd_busy = (statistics.median(run[i] for run in nsd) for i in (0, 2, 3))
        lost = max(run[1] for run in ours + nsd)
        label = mix if mix != "policy" else "policy*"
        rows.append(
            f"{label:<8} {len(ours):>4} {our_qps:>9.0f} {nsd_qps:>9.0f} {our_qps / nsd_qps:>6.2f} "
            f"{our_cpu:>9.2f} {nsd_cpu:>9.2f} {nsd_cpu / our_cpu if our_cpu else 0:>5.2f} "
            f"{our_busy:>3.0f}%/{nsd_busy:>3.0f}% {lost:>5.2f}%"
        )
    rows.append(
        "* policy: weighted, failover, geolocation and latency names, half with ECS, against NSD's plain"
    )
    rows.append("µs/q: server CPU time per completed query; cost: nsd µs/q over ours")
    rows.append("busy: server CPU time over wall time, ours/nsd; lost: the worst run of either")
    return "\n".join(rows)


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "generate":
        generate(Path(args[0]))
    elif command == "port":
        print(free_port())
    elif command == "serve":
        logging.basicConfig(level=logging.WARNING)
        asyncio.run(serve(Path(args[0]), int(args[1])))
    elif command == "wait":
        wait(int(args[0]), float(args[1]) if len(args) > 1 else 30.0)
    elif command == "cpu":
        print(f"{cpu_seconds(int(args[0])):.2f}")
    elif command == "table":
        print(table(Path(args[0])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
