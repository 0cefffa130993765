"""One record set's rules: its name, type, TTL, values, routing policy and alias, on their own."""

from collections.abc import Collection
from dataclasses import dataclass, field, replace

import dns.rdata

from zones.rules.names import parse_name
from zones.rules.problems import Problem
from zones.rules.spec import (
    ALIAS_TYPES,
    ENDPOINT_ALIAS_TYPES,
    MAX_TTL,
    MAX_VALUES,
    MAX_WEIGHT,
    MULTIVALUE_TYPES,
    PLAIN_ONLY_TYPES,
    RECORD_TYPES,
    RecordSetSpec,
)
from zones.rules.values import normalize_value, rdata_text
from zones.vocabulary import (
    CONTINENTS,
    COUNTRIES,
    DEFAULT_COUNTRY,
    FailoverRole,
    RoutingPolicy,
    is_subdivision,
)


@dataclass(frozen=True)
class RuleContext:
    """What the rules need to know beyond the record set: the user's objects and the regions."""

    regions: Collection[str] = ()
    health_check_ids: Collection[int] = ()
    endpoint_ids: Collection[int] = ()
    allow_protected: bool = False


@dataclass
class _Collector:
    label: str
    key: tuple
    problems: list[Problem] = field(default_factory=list)

    def add(self, field_name: str, reason: str, related: tuple[str, ...] = (), *, subject: str = "") -> None:
        self.problems.append(Problem(field_name, reason, self.label, self.key, related, subject=subject))


def check_record_set(
    spec: RecordSetSpec, *, zone_name: str, context: RuleContext = RuleContext()
) -> tuple[RecordSetSpec, list[Problem]]:
    """Normalise one record set and return it with every problem found in it alone."""
    collect = _Collector(label=f"{spec.name or '@'} {spec.type}", key=())
    name, refusal = parse_name(spec.name, zone_name)
    rtype = (spec.type or "").strip().upper()
    set_identifier = (spec.set_identifier or "").strip()
    collect.label = f"{name} {rtype}" + (f" ({set_identifier})" if set_identifier else "")
    collect.key = (name, rtype, set_identifier)
    if refusal:
        collect.add("name", refusal)

    if rtype not in RECORD_TYPES:
        collect.add("type", f"{spec.type or '(empty)'} is not a supported record type")
        return replace(spec, name=name, type=rtype), collect.problems

    alias_target = ""
    if spec.alias_target_name:
        alias_target, refusal = parse_name(spec.alias_target_name, zone_name)
        if refusal:
            collect.add("alias_target", refusal)
    is_alias = bool(alias_target) or spec.alias_endpoint_id is not None
    values = _check_values(spec, rtype, is_alias, zone_name, collect)
    _check_ttl(spec.ttl, is_alias, collect)
    _check_placement(name, rtype, zone_name, context, collect)
    _check_policy(spec, rtype, set_identifier, is_alias, context, collect)
    if is_alias:
        _check_alias(spec, rtype, name, alias_target, context, collect)
    elif spec.evaluate_target_health:
        collect.add("evaluate_target_health", "only an alias evaluates its target's health")

    normalized = replace(
        spec,
        name=name,
        type=rtype,
        ttl=None if is_alias else spec.ttl,
        values=values,
        set_identifier=set_identifier,
        region=(spec.region or "").strip(),
        failover=(spec.failover or "").strip().upper(),
        continent=(spec.continent or "").strip().upper(),
        country=(spec.country or "").strip().upper(),
        subdivision=(spec.subdivision or "").strip().upper(),
        alias_target_name=alias_target,
    )
    return normalized, collect.problems


def _check_values(
    spec: RecordSetSpec, rtype: str, is_alias: bool, zone_name: str, collect: _Collector
) -> tuple[str, ...]:
    raw_values = [
        value for value in (spec.values or ()) if isinstance(value, dns.rdata.Rdata) or str(value).strip()
    ]
    if is_alias:
        if raw_values:
            collect.add("values", "an alias record set has no values of its own")
        return ()
    if not raw_values:
        collect.add("values", "at least one value is required")
        return ()
    if len(raw_values) > MAX_VALUES:
        collect.add("values", f"at most {MAX_VALUES} values are allowed, got {len(raw_values)}")
    if rtype in ("CNAME", "SOA") and len(raw_values) > 1:
        collect.add("values", f"a {rtype} record set has exactly one value")
    normalized: list[str] = []
    seen: set[str] = set()
    for raw in raw_values:
        parsed = isinstance(raw, dns.rdata.Rdata)  # by the zone-file reader, so not parsed again
        text = raw.to_text() if parsed else str(raw).strip()
        try:
            value = rdata_text(rtype, raw, text) if parsed else normalize_value(rtype, text, zone_name)
        except ValueError as error:
            collect.add("values", f"{text} {error}", subject="value")
            continue
        if value in seen:
            collect.add("values", f"{text} is a duplicate", subject="value")
            continue
        seen.add(value)
        normalized.append(value)
    return tuple(normalized)


def _check_ttl(ttl: int | None, is_alias: bool, collect: _Collector) -> None:
    if is_alias:
        if ttl is not None:
            collect.add("ttl", "an alias record set has no TTL of its own (it answers with its target's)")
        return
    if ttl is None:
        collect.add("ttl", "a TTL is required")
    elif isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= MAX_TTL:
        collect.add("ttl", f"{ttl} is not between 0 and {MAX_TTL}")


def _check_placement(
    name: str, rtype: str, zone_name: str, context: RuleContext, collect: _Collector
) -> None:
    at_apex = name == zone_name
    if rtype == "CNAME" and at_apex:
        collect.add("type", "a CNAME record set cannot be at the zone apex; use an alias record instead")
    if rtype == "SOA" and not (at_apex and context.allow_protected):
        collect.add("type", "the SOA record set is managed by the system")
    if rtype == "NS" and at_apex and not context.allow_protected:
        collect.add("type", "the apex NS record set exists already; edit it instead")
    if rtype == "DS" and at_apex:
        collect.add("type", "a DS record set at the apex belongs in the parent zone")


def _member(vocabulary: type[RoutingPolicy] | type[FailoverRole], value: str) -> bool:
    try:
        vocabulary(value)
    except ValueError:
        return False
    return True


def _check_policy(
    spec: RecordSetSpec,
    rtype: str,
    set_identifier: str,
    is_alias: bool,
    context: RuleContext,
    collect: _Collector,
) -> None:
    policy = (spec.policy or RoutingPolicy.SIMPLE).strip().lower()
    if not _member(RoutingPolicy, policy):
        collect.add("policy", f"{spec.policy} is not a routing policy ({', '.join(RoutingPolicy)})")
        return
    if policy == RoutingPolicy.SIMPLE:
        if set_identifier:
            collect.add("set_identifier", "a simple record set has no set identifier")
    else:
        if not set_identifier:
            collect.add("set_identifier", f"a {policy} record set needs a set identifier")
        elif len(set_identifier) > 128:
            collect.add("set_identifier", "at most 128 characters")
        if rtype in PLAIN_ONLY_TYPES:
            collect.add("policy", f"a {rtype} record set can only use the simple policy")
    if spec.health_check_id is not None:
        if rtype in PLAIN_ONLY_TYPES:
            collect.add("health_check", f"a {rtype} record set cannot have a health check")
        elif spec.health_check_id not in context.health_check_ids:
            collect.add("health_check", f"there is no health check {spec.health_check_id} of yours")

    weight_given = spec.weight is not None
    if policy == RoutingPolicy.WEIGHTED:
        if not weight_given:
            collect.add("weight", "a weighted record set needs a weight")
        elif (
            isinstance(spec.weight, bool)
            or not isinstance(spec.weight, int)
            or not 0 <= spec.weight <= MAX_WEIGHT
        ):
            collect.add("weight", f"{spec.weight} is not between 0 and {MAX_WEIGHT}")
    elif weight_given:
        collect.add("weight", "only a weighted record set has a weight")

    region = (spec.region or "").strip()
    if policy == RoutingPolicy.LATENCY:
        if not region:
            collect.add("region", "a latency record set needs a region")
        elif region not in context.regions:
            collect.add("region", f"{region} is not a latency region")
    elif region:
        collect.add("region", "only a latency record set has a region")

    failover = (spec.failover or "").strip().upper()
    if policy == RoutingPolicy.FAILOVER:
        if not _member(FailoverRole, failover):
            roles = " or ".join(FailoverRole)
            collect.add("failover", f"{spec.failover or '(empty)'} is not {roles}")
    elif failover:
        collect.add("failover", "only a failover record set has a failover role")

    location = (
        (spec.continent or "").strip(),
        (spec.country or "").strip(),
        (spec.subdivision or "").strip(),
    )
    if policy == RoutingPolicy.GEOLOCATION:
        _check_location(*(part.upper() for part in location), collect=collect)
    elif any(location):
        collect.add("geolocation", "only a geolocation record set has a location")

    if policy == RoutingPolicy.MULTIVALUE:
        if rtype not in MULTIVALUE_TYPES:
            collect.add("type", f"a multivalue answer record set cannot be {rtype}")
        if is_alias:
            collect.add("alias_target", "a multivalue answer record set cannot be an alias")


def _check_location(continent: str, country: str, subdivision: str, *, collect: _Collector) -> None:
    if continent and (country or subdivision):
        collect.add("geolocation", "give a continent or a country, not both")
    elif continent:
        if continent not in CONTINENTS:
            collect.add("continent", f"{continent} is not a continent code ({', '.join(CONTINENTS)})")
    elif country == DEFAULT_COUNTRY:
        if subdivision:
            collect.add("subdivision", f"the default location ({DEFAULT_COUNTRY}) has no subdivision")
    elif country:
        if country not in COUNTRIES:
            collect.add("country", f"{country} is not an ISO 3166 country code")
        elif subdivision and not is_subdivision(country, subdivision):
            collect.add("subdivision", f"{subdivision} is not a subdivision code")
    elif subdivision:
        collect.add("subdivision", "a subdivision needs its country")
    else:
        collect.add("geolocation", f"give a continent, a country, or {DEFAULT_COUNTRY} for the default")


def _check_alias(
    spec: RecordSetSpec, rtype: str, name: str, target: str, context: RuleContext, collect: _Collector
) -> None:
    if target and spec.alias_endpoint_id is not None:
        collect.add("alias_target", "name either a record set or an endpoint, not both")
        return
    if spec.alias_endpoint_id is not None:
        if rtype not in ENDPOINT_ALIAS_TYPES:
            collect.add("type", f"an alias to an endpoint must be A or AAAA, not {rtype}")
        if spec.alias_endpoint_id not in context.endpoint_ids:
            collect.add("alias_endpoint", f"there is no endpoint {spec.alias_endpoint_id} of yours")
        return
    if rtype not in ALIAS_TYPES:
        collect.add("type", f"a {rtype} record set cannot be an alias")
    if target == name:
        collect.add("alias_target", f"alias loop: {name} points at itself", (name,))
