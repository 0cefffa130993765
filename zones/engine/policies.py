"""Route 53's routing policies: which records of a group answer, given health and client.

Each policy function takes the group's record sets in a stable order, a health predicate and
the query context, and returns the chosen record sets (empty for "no answer", i.e. NODATA),
appending to `context.reasons` why. Rules that hold for every policy (Route 53's behaviour):
a record set without a health check is healthy; a health check missing from the health view
is healthy; when no record set of a group is healthy, all of them are treated as healthy.
"""

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from zones.engine.data import IPAddress, Network, RecordSetData
from zones.engine.geo import (
    UNKNOWN,
    EngineConfig,
    Location,
    great_circle_km,
    location_point,
    table_region,
)
from zones.vocabulary import FailoverRole, RoutingPolicy

MULTIVALUE_LIMIT = 8
GEO_LEVELS = ("subdivision", "country", "continent", "default")


@dataclass(frozen=True, slots=True)
class Reason:
    """One step of how an answer was reached, for the test-answer tool and the logs.

    `code` is stable and machine-readable (e.g. "weighted", "skipped-unhealthy"); `message`
    is one plain sentence; `details` holds the values behind it (JSON-friendly).
    """

    code: str
    message: str
    details: Mapping[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "details": dict(self.details)}


@dataclass
class QueryContext:
    """Everything about one query that an answer may depend on, plus what it did depend on."""

    config: EngineConfig
    health: Mapping[int, bool]
    client_address: IPAddress | None = None
    client_subnet: Network | None = None
    rng: random.Random = field(default_factory=random.Random)
    reasons: list[Reason] = field(default_factory=list)
    is_dynamic: bool = False
    scope_prefix: int | None = None
    # While a template is precomputed: the keys of the names whose nodes the answer read
    # beyond its own name (incremental.py recomputes it when one of them changes).
    trace: set[bytes] | None = None
    _location: Location | None = None

    def note(self, code: str, message: str, **details: object) -> None:
        self.reasons.append(Reason(code, message, details))

    def is_check_healthy(self, health_check_id: int | None) -> bool:
        if health_check_id is None:
            return True
        return bool(self.health.get(health_check_id, True))

    @property
    def located_address(self) -> IPAddress | None:
        """The address that stands for the client: the ECS subnet when sent, else the source."""
        if self.client_subnet is not None and self.client_subnet.prefixlen > 0:
            return self.client_subnet.network_address
        return self.client_address

    def location(self) -> Location:
        """Locate the client once, and remember how wide the answer's validity is (ECS scope)."""
        if self._location is None:
            address = self.located_address
            self._location = self.config.locate(address) if address is not None else UNKNOWN
            self.widen_scope(self._location.network)
        return self._location

    def widen_scope(self, network: Network | None) -> None:
        # RFC 7871 §7.2.1: the scope is how much of the client address the answer used.
        if self.client_subnet is None or self.client_subnet.prefixlen == 0:
            return
        prefix = network.prefixlen if network is not None else self.client_subnet.prefixlen
        self.scope_prefix = max(self.scope_prefix or 0, prefix)


IsHealthy = Callable[[RecordSetData], bool]


def choose(
    records: Sequence[RecordSetData], is_healthy: IsHealthy, context: QueryContext
) -> list[RecordSetData]:
    """Apply the group's routing policy; returns the record sets whose data answers."""
    policy = records[0].policy
    context.is_dynamic = True
    context.note("policy", f"{policy.value} routing over {len(records)} record set(s)", policy=policy.value)
    if policy is RoutingPolicy.SIMPLE:
        return list(records)
    healthy = [record for record in records if is_healthy(record)]
    for record in records:
        if record not in healthy:
            context.note("skipped-unhealthy", f"{record.label} is unhealthy", record=record.label)
    if not healthy:
        context.note("all-unhealthy", "no record set is healthy, so all are treated as healthy")
    chooser = _CHOOSERS[policy]
    return chooser(records, healthy, context)


def _weighted(records: Sequence[RecordSetData], healthy: list, context: QueryContext) -> list:
    pool = healthy or list(records)
    weighted = [record for record in pool if (record.weight or 0) > 0]
    if weighted:
        total = sum(record.weight or 0 for record in weighted)
        point = context.rng.uniform(0, total)
        chosen = weighted[-1]
        running = 0
        for record in weighted:
            running += record.weight or 0
            if point < running:
                chosen = record
                break
        context.note(
            "weighted",
            f"{chosen.label} drawn with weight {chosen.weight} of {total}",
            record=chosen.label,
            weight=chosen.weight,
            total=total,
        )
        return [chosen]
    chosen = context.rng.choice(pool)
    context.note("weighted", f"{chosen.label} drawn with equal chance (all weights 0)", record=chosen.label)
    return [chosen]


def _failover(records: Sequence[RecordSetData], healthy: list, context: QueryContext) -> list:
    primary = [record for record in records if record.failover is FailoverRole.PRIMARY]
    secondary = [record for record in records if record.failover is FailoverRole.SECONDARY]
    for role, candidates in ((FailoverRole.PRIMARY, primary), (FailoverRole.SECONDARY, secondary)):
        for record in candidates:
            if record in healthy:
                side = role.value
                context.note("failover", f"{side} {record.label} answers", side=side, record=record.label)
                return [record]
    fallback = primary or secondary
    if not fallback:
        return []
    side = (FailoverRole.PRIMARY if primary else FailoverRole.SECONDARY).value
    context.note("failover", f"both sides unhealthy: {side} answers", side=side, record=fallback[0].label)
    return [fallback[0]]


def _multivalue(
    records: Sequence[RecordSetData], healthy: list[RecordSetData], context: QueryContext
) -> list:
    pool = healthy or list(records)
    chosen = context.rng.sample(pool, min(MULTIVALUE_LIMIT, len(pool)))
    context.note(
        "multivalue",
        f"{len(chosen)} of {len(pool)} record set(s) chosen at random",
        records=[record.label for record in chosen],
    )
    return chosen


def _geolocation(
    records: Sequence[RecordSetData], healthy: list[RecordSetData], context: QueryContext
) -> list:
    location = context.location()
    ranked = _geo_matches(records, location)
    context.note(
        "client-location",
        f"client located in country {location.country or 'unknown'}, "
        f"continent {location.continent or 'unknown'}",
        country=location.country,
        continent=location.continent,
        subdivision=location.subdivision,
        network=str(location.network) if location.network else None,
    )
    if not ranked:
        context.note("geolocation", "no record set matches the client's location and none is the default")
        return []
    level, record = next(((lv, rec) for lv, rec in ranked if not healthy or rec in healthy), ranked[0])
    context.note("geolocation", f"{record.label} matches by {level}", level=level, record=record.label)
    return [record]


def _geo_matches(records: Sequence[RecordSetData], location: Location) -> list[tuple[str, RecordSetData]]:
    levels: dict[str, list[RecordSetData]] = {
        "subdivision": [],
        "country": [],
        "continent": [],
        "default": [],
    }
    for record in records:
        geo = record.geolocation
        if geo is None:
            continue
        if geo.is_default:
            levels["default"].append(record)
        elif geo.country and geo.subdivision:
            if geo.country == location.country and geo.subdivision == location.subdivision:
                levels["subdivision"].append(record)
        elif geo.country:
            if geo.country == location.country:
                levels["country"].append(record)
        elif geo.continent and geo.continent == location.continent:
            levels["continent"].append(record)
    return [(level, record) for level, matched in levels.items() for record in matched]


def _latency(records: Sequence[RecordSetData], healthy: list, context: QueryContext) -> list:
    config = context.config
    override = table_region(config, context.located_address)
    if override is not None:
        region, network = override
        context.widen_scope(network)
        ranked = sorted(records, key=lambda record: record.region != region)
        context.note("latency-table", f"operator's latency table sends {network} to {region}", region=region)
    else:
        point = location_point(context.location())
        if point is None:
            context.note("latency", "client location unknown: regions taken in name order")
            ranked = sorted(records, key=lambda record: record.region or "")
        else:
            ranked = sorted(records, key=lambda record: _distance(config, point, record.region))
    for record in ranked:
        if not healthy or record in healthy:
            context.note("latency", f"{record.label} in {record.region} is nearest", region=record.region)
            return [record]
    return []


def _distance(config: EngineConfig, point: tuple[float, float], region: str | None) -> float:
    coordinates = config.regions.get(region or "")
    if coordinates is None:
        return float("inf")
    return great_circle_km(point, coordinates)


_CHOOSERS = {
    RoutingPolicy.WEIGHTED: _weighted,
    RoutingPolicy.FAILOVER: _failover,
    RoutingPolicy.MULTIVALUE: _multivalue,
    RoutingPolicy.GEOLOCATION: _geolocation,
    RoutingPolicy.LATENCY: _latency,
}
