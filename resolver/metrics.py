"""The resolvers' Prometheus metrics: each instance's own counters, read at scrape time with
`stats_noreset` over its control socket (so scraping never resets what unbound counts).

Served by `manage.py resolvers` on METRICS_RESOLVER_LISTEN, labelled by network id (or
"system", the shared instance of SYSTEM rules).
"""

from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from kernel.metrics import serve_metrics
from resolver.control import run_control
from resolver.errors import UnboundControlError

# unbound's counter -> (our series, its help). Counters in unbound's totals since start.
COUNTERS = {
    "total.num.queries": ("nameplate_resolver_queries_total", "Queries the resolver received."),
    "total.num.cachehits": ("nameplate_resolver_cache_hits_total", "Queries answered from the cache."),
    "total.num.cachemiss": ("nameplate_resolver_cache_misses_total", "Queries that needed recursion."),
    "total.num.prefetch": ("nameplate_resolver_prefetches_total", "Cache prefetches."),
    "total.num.recursivereplies": (
        "nameplate_resolver_recursive_replies_total",
        "Replies sent after recursion or forwarding.",
    ),
}
GAUGES = {
    "total.recursion.time.avg": (
        "nameplate_resolver_recursion_seconds_avg",
        "Average time of a recursive answer since start.",
    ),
    "total.requestlist.current.all": (
        "nameplate_resolver_requests_waiting",
        "Queries waiting for an answer.",
    ),
}


def parse_stats(text: str) -> dict[str, float]:
    """unbound-control's `name=value` lines as numbers (lines that are not numbers are left out)."""
    values = {}
    for line in text.splitlines():
        name, separator, value = line.partition("=")
        if not separator:
            continue
        try:
            values[name.strip()] = float(value)
        except ValueError:
            continue
    return values


class ResolverCollector(Collector):
    """Reads every running instance of a Supervisor when Prometheus scrapes."""

    def __init__(self, supervisor) -> None:
        self.supervisor = supervisor

    def collect(self) -> Iterator:
        up = GaugeMetricFamily(
            "nameplate_resolver_up", "1 while the instance answers its control socket.", labels=["network"]
        )
        counters = {
            name: CounterMetricFamily(series, text, labels=["network"])
            for name, (series, text) in COUNTERS.items()
        }
        gauges = {
            name: GaugeMetricFamily(series, text, labels=["network"])
            for name, (series, text) in GAUGES.items()
        }
        with self.supervisor.lock:
            instances = [
                (key, instance.config)
                for key, instance in self.supervisor.instances.items()
                if instance.is_running()
            ]
        for key, config in instances:
            try:
                stats = parse_stats(run_control(config, "stats_noreset"))
            except UnboundControlError:
                up.add_metric([key], 0)
                continue
            up.add_metric([key], 1)
            for name, family in counters.items():
                if name in stats:
                    family.add_metric([key], stats[name])
            for name, family in gauges.items():
                if name in stats:
                    family.add_metric([key], stats[name])
        yield up
        yield from counters.values()
        yield from gauges.values()


def start_listener(supervisor, listen: str):
    """Serve the resolvers' metrics on `listen`; the HTTP server, or None (logged) when it cannot bind."""
    registry = CollectorRegistry()
    registry.register(ResolverCollector(supervisor))
    return serve_metrics(listen, registry)
