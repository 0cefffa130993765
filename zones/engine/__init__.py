"""The answer engine: pure Python and dnspython, no Django.

Input is plain data (`ZoneData`, `RecordSetData`); `compile_zone` turns it into an immutable
`ZoneSnapshot`, and `update_zone` makes the next version from a change (`ZoneDiff`) without
recompiling; `answer` answers one `Question` from a `ZoneSet` (or one snapshot) under a
health view and returns the response with the reasons behind it; `find_wire` is the server's
fast path over the same snapshot. Which zone answers on which listener follows delegation
(`Delegations`, `Registration`). See docs/dns-server.md.

The modules, one concept each: `data` (the input), `errors`, `index` (the compile-time
name index), `compiler` (`compile_zone` and the precomputed answers), `incremental`
(`update_zone`: copy-on-write versions), `snapshot`
(`ZoneSnapshot`), `delegation` (which zone answers where), `zoneset` (`ZoneSet`,
`is_newer`), `resolver` (RFC 1034 resolution), `policies` (Route 53's routing), `geo` and
`countries` (where a client is), `render` (wire templates) and `answers` (the entry points).
Policies, failover roles and the geolocation codes come from `zones.vocabulary`, shared
with the rest of zones/.
"""

from zones.engine.answers import DEFAULT_CONFIG, Answer, Question, answer, find_wire
from zones.engine.compiler import compile_zone
from zones.engine.data import (
    AliasTarget,
    Endpoint,
    Geolocation,
    RecordSetData,
    ZoneData,
    parse_networks,
    zone_data_from_dns_zone,
    zone_data_from_text,
)
from zones.engine.delegation import Delegations, Registration
from zones.engine.errors import CompileError, EngineError
from zones.engine.geo import (
    DEFAULT_REGIONS,
    ChainLocator,
    EngineConfig,
    GeoIP2FastLocator,
    Location,
    MaxMindLocator,
    TableLocator,
)
from zones.engine.incremental import ZoneDiff, update_zone
from zones.engine.policies import Reason
from zones.engine.snapshot import ZoneSnapshot
from zones.engine.zoneset import ZoneSet, is_newer
from zones.vocabulary import FailoverRole, RoutingPolicy

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_REGIONS",
    "AliasTarget",
    "Answer",
    "ChainLocator",
    "CompileError",
    "Delegations",
    "Endpoint",
    "EngineConfig",
    "EngineError",
    "FailoverRole",
    "GeoIP2FastLocator",
    "Geolocation",
    "Location",
    "MaxMindLocator",
    "Question",
    "Reason",
    "RecordSetData",
    "Registration",
    "RoutingPolicy",
    "TableLocator",
    "ZoneData",
    "ZoneDiff",
    "ZoneSet",
    "ZoneSnapshot",
    "answer",
    "compile_zone",
    "find_wire",
    "is_newer",
    "parse_networks",
    "update_zone",
    "zone_data_from_dns_zone",
    "zone_data_from_text",
]
