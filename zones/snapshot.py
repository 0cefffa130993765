"""The one bridge from database rows to the answer engine's input.

- `hosted_zone_data(zone)` maps a HostedZone and its RecordSets onto `ZoneData`;
  `compile_hosted_zone(zone)` compiles it afresh; `served_snapshot(zone)` is the version at
  the zone's serial as a DNS server keeps it, from a process-local cache updated by each
  change's diff (what the test-answer tool answers from: no compile per request).
- `HostedZoneSource` is the DNS server's zone source for the `auth` role (public zones) and
  the `private` role (private zones, on their networks' private-listener addresses).
- `engine_config()` hands the engine its locator and latency regions from settings.
"""

import collections
import functools
import ipaddress
import json
import threading
from typing import Protocol

import dns.name
import dns.rdatatype
from django.conf import settings
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from kernel.memory import collector_paused
from zones.engine import (
    AliasTarget,
    Endpoint,
    EngineConfig,
    GeoIP2FastLocator,
    Geolocation,
    MaxMindLocator,
    RecordSetData,
    ZoneData,
    ZoneDiff,
    ZoneSnapshot,
    compile_zone,
    update_zone,
)
from zones.models import AuditEntry, ChangeBatch, HostedZone, RecordSet
from zones.regions import latency_regions
from zones.vocabulary import FailoverRole, RoutingPolicy

# The columns a record set is read from, as tuples (values_list) streamed in chunks: model
# instances for every row of a million-record zone held at once (the queryset's cache) were
# most of the server's start-up time and memory. Simple record sets that are no alias (most
# of a large zone) are read apart, by the four columns they use, without the endpoint join,
# their values as the stored JSON text (`stored_values` reads it).
_SIMPLE_COLUMNS = ("name", "type", "ttl", "values_text")
_IS_SIMPLE = Q(policy=RoutingPolicy.SIMPLE, alias_target_name="", alias_endpoint__isnull=True)
_ROW_COLUMNS = (
    "name",
    "type",
    "ttl",
    "values",
    "policy",
    "set_identifier",
    "weight",
    "region",
    "failover",
    "continent",
    "country",
    "subdivision",
    "health_check_id",
    "alias_target_name",
    "alias_endpoint_id",
    "evaluate_target_health",
    "alias_endpoint__name",
    "alias_endpoint__addresses",
    "alias_endpoint__health_check_id",
    "alias_endpoint__ttl",
)
ROWS_PER_FETCH = 2000


class RecordSetReader:
    """Rows of `_ROW_COLUMNS` (or `_SIMPLE_COLUMNS`) as the engine's RecordSetData.

    A name is parsed once for its rows (they come ordered by name), and the names of one
    parent share its Name's labels, so a zone's labels are held once. Types and policies
    are looked up once each.
    """

    def __init__(self) -> None:
        self._name_text = ""
        self._name: dns.name.Name | None = None
        # Each parent's Name and its wire length.
        self._parents: dict[str, tuple[dns.name.Name, int]] = {}
        self._types: dict[str, dns.rdatatype.RdataType] = {}

    def name(self, text: str) -> dns.name.Name:
        if text == self._name_text:
            return self._name
        first, _, parent_text = text.partition(".")
        if first and parent_text and text.isascii() and "\\" not in text:
            parent = self._parents.get(parent_text)
            if parent is None:
                parent_name = dns.name.from_text(parent_text)
                parent = self._parents[parent_text] = (parent_name, len(parent_name.to_wire()))
            name = _checked_name(first.encode(), *parent)
        else:
            name = dns.name.from_text(text)
        self._name_text, self._name = text, name
        return name

    def simple_set(self, row: tuple) -> RecordSetData:
        """A row of `_SIMPLE_COLUMNS`."""
        name, rdtype, ttl, values = row
        ttl = ttl if ttl is not None else 0
        return RecordSetData(self.name(name), self.rdtype(rdtype), ttl, stored_values(values))

    def rdtype(self, text: str) -> dns.rdatatype.RdataType:
        rdtype = self._types.get(text)
        if rdtype is None:
            rdtype = self._types[text] = dns.rdatatype.from_text(text)
        return rdtype

    def record_set(self, row: tuple) -> RecordSetData:
        (
            name,
            rdtype,
            ttl,
            values,
            policy,
            set_identifier,
            weight,
            region,
            failover,
            continent,
            country,
            subdivision,
            health_check_id,
            alias_target_name,
            alias_endpoint_id,
            evaluate_target_health,
            endpoint_name,
            endpoint_addresses,
            endpoint_health_check_id,
            endpoint_ttl,
        ) = row
        policy = RoutingPolicy(policy)
        alias = None
        if alias_target_name:
            alias = AliasTarget(name=dns.name.from_text(alias_target_name))
        elif alias_endpoint_id is not None:
            alias = AliasTarget(
                endpoint=Endpoint(
                    label=endpoint_name,
                    addresses=tuple(endpoint_addresses),
                    health_check_id=endpoint_health_check_id,
                    ttl=endpoint_ttl,
                )
            )
        geolocation = None
        if policy is RoutingPolicy.GEOLOCATION:
            geolocation = Geolocation(
                continent=continent or None, country=country or None, subdivision=subdivision or None
            )
        return RecordSetData(
            name=self.name(name),
            rdtype=self.rdtype(rdtype),
            ttl=ttl if ttl is not None else 0,
            rdatas=tuple(values),
            policy=policy,
            set_identifier=set_identifier,
            weight=weight,
            region=region or None,
            failover=FailoverRole(failover) if failover else None,
            geolocation=geolocation,
            health_check_id=health_check_id,
            alias=alias,
            evaluate_target_health=evaluate_target_health,
        )


def stored_values(text: str) -> tuple[str, ...]:
    """A record set's values from their stored JSON text (a list of strings).

    The common list, one string with no quote or escape in it, is read without the JSON
    parser, which was a fifth of reading a large zone; anything else goes to the parser.
    """
    if len(text) >= 4 and text[:2] == '["' and text[-2:] == '"]':
        value = text[2:-2]
        if '"' not in value and "\\" not in value:
            return (value,)
    return tuple(json.loads(text))


def _checked_name(first: bytes, parent: dns.name.Name, parent_length: int) -> dns.name.Name:
    """The Name `first` + `parent`, checked as dnspython checks one, without its slower constructor.

    dnspython's per-label conversion and checks were a third of reading a large zone; a new
    label below a checked parent needs only these two (a label of at most 63 bytes, a name
    of at most 255), and anything else takes the constructor.
    """
    if len(first) > 63 or len(first) + 1 + parent_length > 255:
        return dns.name.Name((first, *parent.labels))
    name = object.__new__(dns.name.Name)
    # Name is immutable: its labels are set once, here, as its constructor sets them.
    object.__setattr__(name, "labels", (first, *parent.labels))
    return name


def hosted_zone_data(zone: HostedZone) -> ZoneData:
    """A hosted zone, its record sets, its networks' private-listener addresses, and what delegation reads.

    Which listener answers from it follows its delegation set's hosts (not its apex NS, which
    its owner may edit), its owner and its age (zones/engine/delegation.py).
    """
    return _zone_data(zone, zone.record_sets.all())


def _zone_data(zone: HostedZone, record_sets) -> ZoneData:
    """ZoneData of `zone` with `record_sets`: the simple ones first, then the routed and aliases."""
    ordered = record_sets.order_by("name", "type", "set_identifier")
    simple_rows = (
        ordered.filter(_IS_SIMPLE)
        .annotate(values_text=Cast("values", TextField()))
        .values_list(*_SIMPLE_COLUMNS)
        .iterator(chunk_size=ROWS_PER_FETCH)
    )
    other_rows = ordered.exclude(_IS_SIMPLE).values_list(*_ROW_COLUMNS).iterator(chunk_size=ROWS_PER_FETCH)
    reader = RecordSetReader()
    record_sets = [reader.simple_set(row) for row in simple_rows]
    record_sets.extend(reader.record_set(row) for row in other_rows)
    private_addresses = ()
    if zone.is_private:
        private_addresses = tuple(
            sorted(
                ipaddress.ip_address(address).compressed
                for address in zone.networks.exclude(private_address=None).values_list(
                    "private_address", flat=True
                )
            )
        )
    return ZoneData(
        origin=dns.name.from_text(zone.name),
        serial=zone.serial,
        record_sets=record_sets,
        key=str(zone.pk),
        private_addresses=private_addresses,
        name_servers=tuple(dns.name.from_text(host) for host in zone.name_servers),
        owner=str(zone.owner_id),
        created=zone_identity(zone.created_at, zone.pk),
    )


def zone_identity(created_at, pk: int) -> tuple[float, int]:
    """ZoneData.created of a hosted zone: which zone of a name is older, and which zone it is."""
    return (created_at.timestamp(), pk)


def compile_hosted_zone(zone: HostedZone) -> ZoneSnapshot:
    """The snapshot the DNS server would serve for `zone` now, compiled afresh (raises CompileError)."""
    return compile_zone(hosted_zone_data(zone))


# The versions served_snapshot keeps, newest use last, and how many records they may hold
# together in one process (a web worker keeps a few zones, not every zone).
_SERVED: collections.OrderedDict[int, ZoneSnapshot] = collections.OrderedDict()
_SERVED_LOCK = threading.Lock()
SERVED_RECORDS_KEPT = 2_000_000


def served_snapshot(zone: HostedZone) -> ZoneSnapshot:
    """The version of `zone` at its current serial, as the DNS servers keep it (raises CompileError).

    Cached in this process by zone and serial: a newer serial updates the cached version
    from the changes since (`HostedZoneSource.diff`, `update_zone`), as a server does; the
    zone is compiled whole only the first time, or when its changes cannot be told.
    """
    serial = HostedZone.objects.filter(pk=zone.pk).values_list("serial", flat=True).first()
    with _SERVED_LOCK:
        cached = _SERVED.get(zone.pk)
        if cached is not None and cached.serial == serial:
            _SERVED.move_to_end(zone.pk)
            return cached
    version = None
    if cached is not None:
        diff = HostedZoneSource(private=zone.is_private).diff(str(zone.pk), cached.serial)
        if diff is not None:
            version = update_zone(cached, diff.data, diff.names)
    if version is None:
        with collector_paused():
            version = compile_hosted_zone(zone)
    with _SERVED_LOCK:
        _SERVED[zone.pk] = version
        _SERVED.move_to_end(zone.pk)
        while len(_SERVED) > 1 and sum(kept.record_count for kept in _SERVED.values()) > SERVED_RECORDS_KEPT:
            _SERVED.popitem(last=False)
    return version


class ZoneChangeHint(Protocol):
    """What a bus message tells of a change (kernel.bus.ZoneChange)."""

    serial: int
    serial_before: int | None
    names: tuple[str, ...] | None


# More names than this in one diff: loading the whole zone is as quick.
DIFF_NAMES_LIMIT = 20_000


class HostedZoneSource:
    """The DNS server's hosted zones: the public ones (`auth` role), or the private ones (`private` role).

    A private zone is listed only while a network with a private-listener address holds it:
    without one it is answered nowhere.
    """

    def __init__(self, *, private: bool = False) -> None:
        self.private = private

    def _zones(self):
        zones = HostedZone.objects.filter(is_private=self.private)
        if self.private:
            zones = zones.filter(networks__private_address__isnull=False).distinct()
        return zones

    def serials(self) -> dict[str, int]:
        return {str(pk): serial for pk, serial in self._zones().values_list("pk", "serial")}

    def load(self, key: str) -> ZoneData | None:
        zone = self._zones().filter(pk=int(key)).select_related("delegation_set").first()
        return hosted_zone_data(zone) if zone is not None else None

    def identity(self, key: str) -> tuple[float, int] | None:
        """The zone's ZoneData.created, or None when it is not one of this source's zones."""
        row = self._zones().filter(pk=int(key)).values_list("created_at", "pk").first()
        return zone_identity(*row) if row is not None else None

    def diff(self, key: str, served_serial: int, change: ZoneChangeHint | None = None) -> ZoneDiff | None:
        """The zone's changes since `served_serial`, as the record sets at the names they touched now.

        The names are the bus message's when it follows `served_serial` and is the last
        change; else those of the audit entries of every change batch after the one that made
        `served_serial`. None when that cannot be told exactly (the zone is gone, a batch
        that made `served_serial` is not found, a batch that changed no record set, such as
        a network or endpoint change, or too many names): the caller then loads the whole zone.
        """
        for _ in range(3):
            zone = self._zones().filter(pk=int(key)).select_related("delegation_set").first()
            if zone is None or zone.serial == served_serial:
                return None
            if (
                change is not None
                and change.names is not None
                and (change.serial, change.serial_before) == (zone.serial, served_serial)
            ):
                names = change.names
            else:
                names = _names_changed_since(zone, served_serial)
            if names is None or len(names) > DIFF_NAMES_LIMIT:
                return None
            data = _zone_data(zone, RecordSet.objects.filter(hosted_zone=zone, name__in=sorted(names)))
            # Read committed: a batch committed meanwhile shows in the rows; then read again.
            if HostedZone.objects.filter(pk=zone.pk, serial=zone.serial).exists():
                return ZoneDiff(data, tuple(dns.name.from_text(name) for name in names))
        return None


def _names_changed_since(zone: HostedZone, served_serial: int) -> set[str] | None:
    """The names the change batches after the one that made `served_serial` touched, or None."""
    batches = ChangeBatch.objects.filter(hosted_zone=zone)
    served = batches.filter(serial=served_serial).order_by("-pk").values_list("pk", flat=True).first()
    if served is None:
        return None
    since = list(batches.filter(pk__gt=served).values_list("pk", "change_count"))
    if not since or not all(change_count for _pk, change_count in since):
        return None
    since = [pk for pk, _change_count in since]
    names = set()
    for chunk in range(0, len(since), 500):
        names.update(
            AuditEntry.objects.filter(hosted_zone=zone, change_batch_id__in=since[chunk : chunk + 500])
            .values_list("name", flat=True)
            .distinct()
        )
    return names


@functools.cache
def engine_config() -> EngineConfig:
    """The engine's configuration from settings: locator (MaxMind file or geoip2fast) and regions.

    Cached: loading a location database takes a fraction of a second.
    """
    path = settings.DNS_GEOIP_DATABASE
    locator = MaxMindLocator(path) if path else GeoIP2FastLocator()
    return EngineConfig(locator=locator, regions=latency_regions())
