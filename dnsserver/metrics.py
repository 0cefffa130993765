"""Prometheus metrics of the DNS server, on a /metrics listener of its own (loopback by default).

Nothing on the query path calls prometheus-client: each QueryHandler counts replies in a
plain Counter keyed (zone key, type, rcode) and the answer latency in a list of bucket
counts, and the follower counts bus messages and fall-back polls in `BusCounts`. At scrape
time `DnsCollector` reads those numbers (copies of dicts and lists, which the GIL makes
consistent enough for counters that only grow) and the zones loaded, and turns them into
metric families. Several worker processes (`dnsserver --workers`) each keep their own
numbers and need a listener each.
"""

import collections
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import dns.rcode
import dns.rdatatype
import dns.serial
from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from kernel.metrics import serve_metrics
from zones.engine import ZoneSet

logger = logging.getLogger(__name__)

# Upper bounds of the answer-latency buckets: a static answer takes some microseconds, one
# the engine decides some hundreds.
LATENCY_BOUNDS_SECONDS = (
    0.00001,
    0.000025,
    0.00005,
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.05,
)

# The histogram times one request in this many (the first of each run), not every one; on
# the UDP batch path, the first request of each batch.
LATENCY_SAMPLE_EVERY = 16


@dataclass
class BusCounts:
    """What the follower tells the metrics: bus messages by kind, fall-back polls, the database's serials.

    `database_serials` maps a zone key to the newest serial the bus or the database said
    the zone has; the served serial's distance behind it is the lag.
    """

    messages: collections.Counter[str] = field(default_factory=collections.Counter)
    fallback_polls: int = 0
    database_serials: dict[str, int] = field(default_factory=dict)

    def note_message(self, kind: str) -> None:
        self.messages[kind] += 1

    def note_fallback_poll(self) -> None:
        self.fallback_polls += 1

    def note_database_serial(self, zone_key: str, serial: int) -> None:
        known = self.database_serials.get(zone_key)
        if known is None or dns.serial.Serial(serial) > dns.serial.Serial(known):
            self.database_serials[zone_key] = serial


class HandlerLike(Protocol):
    role: str
    counts: collections.Counter
    latency_counts: list[int]
    latency_sum_seconds: float


class StateLike(Protocol):
    zones: dict[str, ZoneSet]
    handlers: list[HandlerLike]
    bus: BusCounts


class DnsCollector(Collector):
    """Reads one server's counters and zones when Prometheus scrapes."""

    def __init__(self, state: StateLike) -> None:
        self.state = state

    def collect(self) -> Iterator:
        state = self.state
        yield self._queries(state)
        yield self._latency(state)
        yield from self._zones(state)
        yield from self._bus(state)

    def _queries(self, state: StateLike) -> CounterMetricFamily:
        family = CounterMetricFamily(
            "nameplate_dns_queries",
            "Replies sent, by listener role, zone (- for none), query type (OTHER: unassigned) and rcode.",
            labels=["role", "zone", "type", "rcode"],
        )
        totals: collections.Counter[tuple[str, str, str, str]] = collections.Counter()
        for handler in list(state.handlers):
            for (zone_key, rdtype, rcode), count in handler.all_counts().items():
                totals[(handler.role, zone_key, type_label(rdtype), dns.rcode.to_text(rcode))] += count
        for labels, count in sorted(totals.items()):
            family.add_metric(list(labels), count)
        return family

    def _latency(self, state: StateLike) -> HistogramMetricFamily:
        family = HistogramMetricFamily(
            "nameplate_dns_answer_duration_seconds",
            f"Time from a request to its reply, by role; the first request of each UDP batch"
            f" and one in {LATENCY_SAMPLE_EVERY} of the others timed.",
            labels=["role"],
        )
        by_role: dict[str, tuple[list[int], float]] = {}
        for handler in list(state.handlers):
            counts, total = by_role.get(handler.role, ([0] * (len(LATENCY_BOUNDS_SECONDS) + 1), 0.0))
            by_role[handler.role] = (
                [a + b for a, b in zip(counts, list(handler.latency_counts), strict=True)],
                total + handler.latency_sum_seconds,
            )
        for role, (counts, total) in sorted(by_role.items()):
            buckets = []
            running = 0
            for bound, count in zip((*LATENCY_BOUNDS_SECONDS, float("inf")), counts, strict=True):
                running += count
                buckets.append(("+Inf" if bound == float("inf") else repr(bound), running))
            family.add_metric([role], buckets, total)
        return family

    def _zones(self, state: StateLike) -> Iterator:
        zones = GaugeMetricFamily("nameplate_dns_zones", "Zones loaded, by role.", labels=["role"])
        records = GaugeMetricFamily(
            "nameplate_dns_records", "Records of the zones loaded, by role.", labels=["role"]
        )
        serials = GaugeMetricFamily(
            "nameplate_dns_zone_serial", "The SOA serial served, by role and zone.", labels=["role", "zone"]
        )
        lag = GaugeMetricFamily(
            "nameplate_dns_zone_serial_lag",
            "How many serials the served zone is behind the newest the database announced (RFC 1982).",
            labels=["role", "zone"],
        )
        known = dict(state.bus.database_serials)
        for role, zone_set in sorted(state.zones.items()):
            snapshots = list(zone_set)
            zones.add_metric([role], len(snapshots))
            records.add_metric([role], sum(snapshot.record_count for snapshot in snapshots))
            for snapshot in snapshots:
                serials.add_metric([role, snapshot.key], snapshot.serial)
                newest = known.get(snapshot.key, snapshot.serial)
                lag.add_metric([role, snapshot.key], serial_distance(newest, snapshot.serial))
        yield zones
        yield records
        yield serials
        yield lag

    def _bus(self, state: StateLike) -> Iterator:
        messages = CounterMetricFamily(
            "nameplate_dns_bus_messages", "Bus messages the follower received, by kind.", labels=["kind"]
        )
        for kind, count in sorted(dict(state.bus.messages).items()):
            messages.add_metric([kind], count)
        yield messages
        yield CounterMetricFamily(
            "nameplate_dns_fallback_polls",
            "Times the follower read the database because the bus could not be trusted.",
            value=state.bus.fallback_polls,
        )


def type_label(rdtype: int) -> str:
    """A type's mnemonic; OTHER for the numbers without one, which anyone can ask for by the thousand."""
    text = dns.rdatatype.to_text(rdtype)
    return "OTHER" if text.startswith("TYPE") else text


def serial_distance(newer: int, older: int) -> int:
    """How far `older` is behind `newer` in RFC 1982 serial arithmetic (0 when not behind)."""
    distance = (newer - older) % 2**32
    return distance if distance < 2**31 else 0


def start_listener(state: StateLike, listen: str):
    """Serve the server's metrics on http://`listen`/metrics in a thread.

    Returns the HTTP server (its `shutdown()` stops it), or None and a warning when
    `listen` is empty or cannot be bound: metrics never stop the DNS server they describe.
    """
    registry = CollectorRegistry()
    registry.register(DnsCollector(state))
    return serve_metrics(listen, registry)
