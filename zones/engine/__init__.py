"""The answer engine: pure Python and dnspython, no Django.

Input is plain data (`ZoneData`, `RecordSetData`); `compile_zone` turns it into an immutable
`ZoneSnapshot`; `answer` answers one `Question` from a `ZoneSet` (or one snapshot) under a
health view and returns the response with the reasons behind it; `find_wire` is the server's
fast path over the same snapshot. See docs/dns-server.md.
"""

from zones.engine.answers import DEFAULT_CONFIG, Answer, Question, answer, find_wire
from zones.engine.compiler import CompileError, EngineError, ZoneSet, ZoneSnapshot, compile_zone, is_newer
from zones.engine.data import (
    AliasTarget,
    Endpoint,
    FailoverRole,
    Geolocation,
    RecordSetData,
    RoutingPolicy,
    ZoneData,
    parse_networks,
    zone_data_from_dns_zone,
    zone_data_from_text,
)
from zones.engine.geo import (
    DEFAULT_REGIONS,
    ChainLocator,
    EngineConfig,
    GeoIP2FastLocator,
    Location,
    MaxMindLocator,
    TableLocator,
)
from zones.engine.policies import Reason

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_REGIONS",
    "AliasTarget",
    "Answer",
    "ChainLocator",
    "CompileError",
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
    "RoutingPolicy",
    "TableLocator",
    "ZoneData",
    "ZoneSet",
    "ZoneSnapshot",
    "answer",
    "compile_zone",
    "find_wire",
    "is_newer",
    "parse_networks",
    "zone_data_from_dns_zone",
    "zone_data_from_text",
]
