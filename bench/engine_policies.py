"""Cost of the engine's weighted, geolocation and failover answers relative to a simple one.

Usage: .venv/bin/python bench/engine_policies.py [ITERATIONS]
Each figure is the median of five timed rounds of `answer()` for the same question.
"""

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dns.name
import dns.rdatatype

from zones.engine import (
    EngineConfig,
    FailoverRole,
    GeoIP2FastLocator,
    Geolocation,
    Question,
    RecordSetData,
    RoutingPolicy,
    ZoneData,
    ZoneSet,
    answer,
    compile_zone,
)

ORIGIN = dns.name.from_text("bench.test.")
A = dns.rdatatype.A


def owner(label: str) -> dns.name.Name:
    return dns.name.Name((label.encode(), *ORIGIN.labels))


def zone() -> ZoneSet:
    records = [
        RecordSetData(ORIGIN, dns.rdatatype.SOA, 3600, ("ns1 hostmaster 1 7200 3600 1209600 300",)),
        RecordSetData(ORIGIN, dns.rdatatype.NS, 3600, ("ns1",)),
        RecordSetData(owner("simple"), A, 60, ("192.0.2.1",)),
    ]
    for index, weight in enumerate((10, 20, 70)):
        records.append(
            RecordSetData(
                owner("weighted"),
                A,
                60,
                (f"192.0.2.{10 + index}",),
                policy=RoutingPolicy.WEIGHTED,
                set_identifier=f"w{index}",
                weight=weight,
                health_check_id=index + 1,
            )
        )
    for index, country in enumerate(("GB", "US", "DE", "*")):
        records.append(
            RecordSetData(
                owner("geo"),
                A,
                60,
                (f"192.0.2.{20 + index}",),
                policy=RoutingPolicy.GEOLOCATION,
                set_identifier=f"g{index}",
                geolocation=Geolocation(country=country),
            )
        )
    for index, role in enumerate((FailoverRole.PRIMARY, FailoverRole.SECONDARY)):
        records.append(
            RecordSetData(
                owner("failover"),
                A,
                60,
                (f"192.0.2.{30 + index}",),
                policy=RoutingPolicy.FAILOVER,
                set_identifier=role.value,
                failover=role,
                health_check_id=10 + index,
            )
        )
    return ZoneSet([compile_zone(ZoneData(ORIGIN, 1, records))])


def timed(zones: ZoneSet, question: Question, config: EngineConfig, iterations: int) -> float:
    rng = random.Random(1)
    health = {1: True, 2: False, 10: True}
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(iterations):
            answer(zones, question, health, config=config, rng=rng)
        rounds.append((time.perf_counter() - started) / iterations)
    return statistics.median(rounds)


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    zones = zone()
    config = EngineConfig(locator=GeoIP2FastLocator())
    client = "81.2.69.160"
    simple = timed(zones, Question.from_text("simple.bench.test.", "A", client), config, iterations)
    print(f"simple: {simple * 1e6:.1f} µs per answer")
    for label in ("weighted", "geo", "failover"):
        cost = timed(zones, Question.from_text(f"{label}.bench.test.", "A", client), config, iterations)
        print(f"{label}: {cost * 1e6:.1f} µs per answer, ratio to simple {cost / simple:.2f}")


if __name__ == "__main__":
    main()
