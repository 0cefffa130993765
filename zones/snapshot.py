"""The one bridge from database rows to the answer engine's input.

- `hosted_zone_data(zone)` maps a HostedZone and its RecordSets onto `ZoneData`;
  `compile_hosted_zone(zone)` compiles it (what the test-answer tool answers from).
- `HostedZoneSource` is the DNS server's zone source for the `auth` role.
- `engine_config()` hands the engine its locator and latency regions from settings.
"""

import functools
import ipaddress

import dns.name
import dns.rdatatype
from django.conf import settings

from zones.engine import (
    AliasTarget,
    Endpoint,
    EngineConfig,
    GeoIP2FastLocator,
    Geolocation,
    MaxMindLocator,
    RecordSetData,
    ZoneData,
    ZoneSnapshot,
    compile_zone,
)
from zones.models import HostedZone, RecordSet
from zones.regions import latency_regions
from zones.vocabulary import FailoverRole, RoutingPolicy


def record_set_data(row: RecordSet) -> RecordSetData:
    """One RecordSet row, through its spec, as the engine's RecordSetData."""
    spec = row.to_spec()
    policy = RoutingPolicy(spec.policy)
    alias = None
    if spec.alias_target_name:
        alias = AliasTarget(name=dns.name.from_text(spec.alias_target_name))
    elif spec.alias_endpoint_id is not None:
        endpoint = row.alias_endpoint
        alias = AliasTarget(
            endpoint=Endpoint(
                label=endpoint.name,
                addresses=tuple(endpoint.addresses),
                health_check_id=endpoint.health_check_id,
                ttl=endpoint.ttl,
            )
        )
    geolocation = None
    if policy is RoutingPolicy.GEOLOCATION:
        geolocation = Geolocation(
            continent=spec.continent or None,
            country=spec.country or None,
            subdivision=spec.subdivision or None,
        )
    return RecordSetData(
        name=dns.name.from_text(spec.name),
        rdtype=dns.rdatatype.from_text(spec.type),
        ttl=spec.ttl if spec.ttl is not None else 0,
        rdatas=spec.values,
        policy=policy,
        set_identifier=spec.set_identifier,
        weight=spec.weight,
        region=spec.region or None,
        failover=FailoverRole(spec.failover) if spec.failover else None,
        geolocation=geolocation,
        health_check_id=spec.health_check_id,
        alias=alias,
        evaluate_target_health=spec.evaluate_target_health,
    )


def hosted_zone_data(zone: HostedZone) -> ZoneData:
    """A hosted zone, its record sets, (private zones) its networks' CIDRs, and what delegation reads.

    Which listener answers from it follows its delegation set's hosts (not its apex NS, which
    its owner may edit), its owner and its age (zones/engine/delegation.py).
    """
    rows = zone.record_sets.select_related("alias_endpoint").order_by("name", "type", "set_identifier")
    networks = ()
    if zone.is_private:
        networks = tuple(
            ipaddress.ip_network(cidr, strict=False)
            for network in zone.networks.all()
            for cidr in network.cidrs
        )
    return ZoneData(
        origin=dns.name.from_text(zone.name),
        serial=zone.serial,
        record_sets=[record_set_data(row) for row in rows],
        key=str(zone.pk),
        networks=networks,
        name_servers=tuple(dns.name.from_text(host) for host in zone.name_servers),
        owner=str(zone.owner_id),
        created=(zone.created_at.timestamp(), zone.pk),
    )


def compile_hosted_zone(zone: HostedZone) -> ZoneSnapshot:
    """The snapshot the DNS server would serve for `zone` now (raises CompileError)."""
    return compile_zone(hosted_zone_data(zone))


class HostedZoneSource:
    """The DNS server's `auth` zones: every public hosted zone, and private zones with networks."""

    def serials(self) -> dict[str, int]:
        rows = HostedZone.objects.values_list("pk", "serial", "is_private")
        private = set(
            HostedZone.objects.filter(is_private=True, networks__isnull=False).values_list("pk", flat=True)
        )
        # A private zone without networks is visible to nobody, so it is not loaded.
        return {str(pk): serial for pk, serial, is_private in rows if not is_private or pk in private}

    def load(self, key: str) -> ZoneData | None:
        zone = HostedZone.objects.filter(pk=int(key)).select_related("delegation_set").first()
        return hosted_zone_data(zone) if zone is not None else None


@functools.cache
def engine_config() -> EngineConfig:
    """The engine's configuration from settings: locator (MaxMind file or geoip2fast) and regions.

    Cached: loading a location database takes a fraction of a second.
    """
    path = settings.DNS_GEOIP_DATABASE
    locator = MaxMindLocator(path) if path else GeoIP2FastLocator()
    return EngineConfig(locator=locator, regions=latency_regions())
