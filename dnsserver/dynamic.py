"""Answers that depend on policy, health or the client, from precomputed wire templates.

The engine's `find_wire` has no template for a routed answer (weighted, latency, failover,
geolocation, multivalue, aliases with target health), a wildcard or ANY; the engine's
`answer` decides those, and dnspython renders the decision. Rendering costs fifty times a
static answer, so each decision is rendered once and its template kept:

- a decision that used neither chance nor the client's location (failover, aliases, target
  health, wildcards, ANY, simple groups) is the same for every query until the zone or the
  health view changes: one template;
- one that used the client's location (geolocation, latency) is the same for every client
  located at the same address: one template per located address (the Client Subnet's
  address when the query carries one, else the source address), as many as `LOCATED_KEPT`;
- a weighted or multivalue group of plain record sets draws from the server's random
  generator exactly as the engine does (`random.Random.uniform` over the running weights,
  `random.Random.choice`, `random.Random.sample`), and the draw picks among templates made
  once per record set; the tests hold both to the same seed and compare the bytes;
- anything else asks the engine every time (a weighted group of aliases, say).

`find` also says how the handler's reply cache may reuse the answer for a later query with
the same bytes: for any client (`FOR_ANY_CLIENT`), for the same source address only
(`FOR_THIS_SOURCE`), by the same weighted draw over replies made from `WeightedPlan.templates`,
or not at all (None).

Templates belong to a zone snapshot and a health view. Snapshots are immutable and a change
makes a new one (copy-on-write), so the templates are keyed on the snapshot object itself:
when the role's zone set changes, those of snapshots no longer in it are dropped, and a new
health view drops them all.
"""

import bisect
import random
from collections.abc import Mapping
from typing import Protocol

import dns.name
import dns.rdatatype
import dns.rrset

from dnsserver.wire import Subnet, subnet_network
from zones.engine import EngineConfig, Question, ZoneSet, ZoneSnapshot, answer
from zones.engine.data import IPAddress, RecordSetData
from zones.engine.policies import MULTIVALUE_LIMIT, QueryContext
from zones.engine.render import AA, QR, render, render_plain
from zones.engine.resolver import Resolution, add_additional, is_record_healthy
from zones.vocabulary import RoutingPolicy

RANDOM_REASONS = frozenset({"weighted", "multivalue"})
LOCATION_REASONS = frozenset({"client-location", "latency", "latency-table"})
# Types whose data holds no compressible name and needs no additional section, so that a
# multivalue answer is written straight from the chosen records' rdata (render_plain).
PLAIN_TYPES = frozenset({dns.rdatatype.A, dns.rdatatype.AAAA, dns.rdatatype.TXT})
LOCATED_KEPT = 65536
ANSWERS_KEPT_PER_ZONE = 100_000
_ANSWER_FLAGS = QR | AA
FOR_ANY_CLIENT = "any client"
FOR_THIS_SOURCE = "this source"


class ServerStateLike(Protocol):
    """What DynamicAnswers reads of the server's state (dnsserver.handler.ServerState)."""

    health: Mapping[int, bool]
    config: EngineConfig
    rng: random.Random


class DynamicAnswers:
    """The dynamic answers of one listener's zones: `find` gives (template, ECS scope, reuse).

    The scope is None for a query without Client Subnet, else the prefix the answer is
    valid for (RFC 7871 §7.2.1; 0 when it did not depend on the client).
    """

    def __init__(self, state: ServerStateLike) -> None:
        self.state = state
        self._zone_set: ZoneSet | None = None
        self._health: Mapping[int, bool] | None = None
        self._by_zone: dict[ZoneSnapshot, dict[bytes, _Plan]] = {}

    def find(
        self,
        zone_set: ZoneSet,
        zone: ZoneSnapshot,
        key: bytes,
        rdtype: int,
        address: IPAddress,
        subnet: Subnet | None,
    ) -> "Found":
        """The template answering `key`/`rdtype` from `zone` (a zone of `zone_set`) for this client."""
        health = self.state.health
        if health is not self._health:
            self._health = health
            self._by_zone = {}
            self._zone_set = zone_set
        elif zone_set is not self._zone_set:
            self._zone_set = zone_set
            self._by_zone = {
                snapshot: plans
                for snapshot, plans in self._by_zone.items()
                if zone_set.get(snapshot.key) is snapshot
            }
        plans = self._by_zone.get(zone)
        if plans is None:
            plans = self._by_zone[zone] = {}
        set_key = key + rdtype.to_bytes(2, "big")
        plan = plans.get(set_key)
        if plan is None:
            if len(plans) >= ANSWERS_KEPT_PER_ZONE:
                plans.clear()
            plan = plans[set_key] = self._plan(zone, key, rdtype, health, address, subnet)
        return plan.find(self, address, subnet)

    def ask_engine(
        self,
        zone: ZoneSnapshot,
        qname: dns.name.Name,
        rdtype: int,
        health: Mapping[int, bool],
        address: IPAddress,
        subnet: Subnet | None,
        rng: random.Random,
    ) -> tuple[bytes, int | None, frozenset[str]]:
        """The engine's answer as a template, its ECS scope and the codes of its reasons."""
        result = answer(
            zone,
            Question(qname, rdtype, address, subnet_network(subnet) if subnet is not None else None),
            health,
            config=self.state.config,
            rng=rng,
        )
        message = result.message
        template = render(message.flags, qname, rdtype, message.answer, message.authority, message.additional)
        return template, result.scope_prefix, frozenset(reason.code for reason in result.reasons)

    def _plan(
        self,
        zone: ZoneSnapshot,
        key: bytes,
        rdtype: int,
        health: Mapping[int, bool],
        address: IPAddress,
        subnet: Subnet | None,
    ) -> "_Plan":
        qname = dns.name.from_wire(key, 0)[0]
        # A scratch generator: learning what the answer depends on must not use up a draw.
        template, _scope, codes = self.ask_engine(
            zone, qname, rdtype, health, address, subnet, random.Random(0)
        )
        if codes & RANDOM_REASONS:
            return _draw_plan(zone, key, qname, rdtype, health) or _EnginePlan(zone, qname, rdtype, health)
        if codes & LOCATION_REASONS:
            return _LocatedPlan(zone, qname, rdtype, health)
        return _FixedPlan(template)


# A template, its ECS scope, and how the answer may be reused (see the module's docstring).
Found = tuple[bytes, int | None, "str | WeightedPlan | None"]


class _Plan:
    def find(self, answers: DynamicAnswers, address: IPAddress, subnet: Subnet | None) -> Found:
        raise NotImplementedError


class _FixedPlan(_Plan):
    """The same answer for every client until the zone or the health view changes."""

    def __init__(self, template: bytes) -> None:
        self.template = template

    def find(self, answers, address, subnet):
        return self.template, None if subnet is None else 0, FOR_ANY_CLIENT


class _EnginePlan(_Plan):
    """An answer the engine decides each time (chance over record sets that are not plain)."""

    def __init__(self, zone: ZoneSnapshot, qname: dns.name.Name, rdtype: int, health) -> None:
        self.zone = zone
        self.qname = qname
        self.rdtype = rdtype
        self.health = health

    def find(self, answers, address, subnet):
        template, scope, _codes = answers.ask_engine(
            self.zone, self.qname, self.rdtype, self.health, address, subnet, answers.state.rng
        )
        return template, scope, None


class _LocatedPlan(_EnginePlan):
    """One answer per located address (geolocation, latency), decided by the engine once."""

    def __init__(self, zone: ZoneSnapshot, qname: dns.name.Name, rdtype: int, health) -> None:
        super().__init__(zone, qname, rdtype, health)
        self.located: dict[object, tuple[bytes, int | None] | None] = {}

    def find(self, answers, address, subnet):
        # The engine locates the Client Subnet's address when its prefix is not 0, else the
        # source (zones.engine.policies.QueryContext.located_address).
        if subnet is not None and subnet[1]:
            located: object = subnet
            reuse = FOR_ANY_CLIENT  # the subnet is in the query's bytes
        else:
            located = address
            reuse = FOR_THIS_SOURCE
        kept = self.located.get(located)
        if kept is not None:
            template, scope = kept
            return template, None if subnet is None else scope or 0, reuse
        if located in self.located:  # this client's answer involved chance: never kept
            return super().find(answers, address, subnet)
        template, scope, codes = answers.ask_engine(
            self.zone, self.qname, self.rdtype, self.health, address, subnet, answers.state.rng
        )
        if len(self.located) >= LOCATED_KEPT:
            self.located.clear()
        if codes & RANDOM_REASONS:
            self.located[located] = None
            return template, scope, None
        self.located[located] = (template, scope)
        return template, scope, reuse


class WeightedPlan(_Plan):
    """The engine's weighted draw (policies._weighted) over one template per record set."""

    def __init__(self, templates: list[bytes], running: list[int]) -> None:
        self.templates = templates
        self.running = running
        self.total = running[-1] if running else 0
        self.indexes = range(len(templates))
        self.last = len(templates) - 1

    def pick(self, rng: random.Random) -> int:
        """The index of the template drawn, using `rng` as the engine's draw does."""
        if not self.running:
            return rng.choice(self.indexes)  # as rng.choice(self.templates): one _randbelow
        return min(bisect.bisect_right(self.running, rng.uniform(0, self.total)), self.last)

    def find(self, answers, address, subnet):
        return self.templates[self.pick(answers.state.rng)], None if subnet is None else 0, self


class _MultivaluePlan(_Plan):
    """The engine's multivalue draw (policies._multivalue): up to eight record sets at random."""

    def __init__(self, key: bytes, rdtype: int, members: list[tuple[int, list[bytes]]]) -> None:
        self.key = key
        self.rdtype = rdtype
        self.members = members
        self.population = range(len(members))
        self.count = min(MULTIVALUE_LIMIT, len(members))

    def find(self, answers, address, subnet):
        chosen = answers.state.rng.sample(self.population, self.count)
        ttl = None
        wires: list[bytes] = []
        for index in chosen:
            member_ttl, member_wires = self.members[index]
            ttl = member_ttl if ttl is None else min(ttl, member_ttl)
            wires.extend(wire for wire in member_wires if wire not in wires)
        template = render_plain(_ANSWER_FLAGS, self.key, self.rdtype, ttl, wires)
        return template, None if subnet is None else 0, None


def _draw_plan(
    zone: ZoneSnapshot, key: bytes, qname: dns.name.Name, rdtype: int, health: Mapping[int, bool]
) -> _Plan | None:
    """A plan drawing over a weighted or multivalue group of plain record sets, else None.

    Plain: the group sits at the queried name itself (no wildcard, no delegation), holds
    the queried type (no CNAME to follow), and each record set has data of its own (no alias).
    """
    info = zone.get_node(qname)
    if info is None or info.is_cut or info.below_cut or rdtype == dns.rdatatype.CNAME:
        return None
    group = zone.get_group(qname, rdtype)
    if not group or any(record.alias is not None or not record.rdatas for record in group):
        return None
    policy = group[0].policy
    context = QueryContext(config=EngineConfig(), health=health)
    healthy = [record for record in group if is_record_healthy(zone, record, context)]
    pool = healthy or list(group)
    if policy is RoutingPolicy.WEIGHTED:
        weighted = [record for record in pool if (record.weight or 0) > 0]
        if not weighted:
            return WeightedPlan([_member_template(zone, qname, rdtype, record) for record in pool], [])
        running = []
        total = 0
        for record in weighted:
            total += record.weight or 0
            running.append(total)
        return WeightedPlan([_member_template(zone, qname, rdtype, record) for record in weighted], running)
    if policy is RoutingPolicy.MULTIVALUE and rdtype in PLAIN_TYPES:
        return _MultivaluePlan(key, rdtype, [(record.ttl, _unique_wires(record)) for record in pool])
    return None


def _member_template(zone: ZoneSnapshot, qname: dns.name.Name, rdtype: int, record: RecordSetData) -> bytes:
    """The answer when `record` alone is chosen, as resolver.rrset_for and resolve make it."""
    rrset = dns.rrset.from_rdata_list(qname, record.ttl, record.rdatas)
    result = Resolution()
    result.answer.append(rrset)
    add_additional(zone, rrset, result)
    return render(_ANSWER_FLAGS, qname, rdtype, result.answer, [], result.additional)


def _unique_wires(record: RecordSetData) -> list[bytes]:
    wires: list[bytes] = []
    for rdata in record.rdatas:
        wire = rdata.to_wire()
        if wire not in wires:
            wires.append(wire)
    return wires
