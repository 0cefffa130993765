"""A record set as plain data (`RecordSetSpec`), the types a record set may have, and its limits.

The spec is the one list of a record set's fields: the model, the form, the serializer, the
zone-file importer and exporter, the snapshot compiler and the audit log all map through it.
Its field names are the model's attribute names (`health_check_id`, `alias_endpoint_id`).
"""

import dataclasses
from dataclasses import dataclass
from typing import Any

from zones.vocabulary import RoutingPolicy

RECORD_TYPES = (
    "A",
    "AAAA",
    "CAA",
    "CNAME",
    "DS",
    "HTTPS",
    "MX",
    "NAPTR",
    "NS",
    "PTR",
    "SOA",
    "SPF",
    "SRV",
    "SSHFP",
    "SVCB",
    "TLSA",
    "TXT",
)
# Types an alias may have when it points at another record set of the zone (Route 53's list).
ALIAS_TYPES = ("A", "AAAA", "CAA", "CNAME", "MX", "NAPTR", "PTR", "SPF", "SRV", "TXT")
# An endpoint (load balancer, CDN, bucket website) answers with addresses only.
ENDPOINT_ALIAS_TYPES = ("A", "AAAA")
# Types that cannot carry a routing policy, an alias or a health check.
PLAIN_ONLY_TYPES = ("SOA", "NS", "DS")
MULTIVALUE_TYPES = ("A", "AAAA", "CAA", "MX", "NAPTR", "PTR", "SPF", "SRV", "TXT")
GLUE_TYPES = ("A", "AAAA")

MAX_TTL = 2147483647
MAX_VALUES = 400
MAX_WEIGHT = 255
MAX_TXT_STRING_OCTETS = 255


@dataclass(frozen=True)
class RecordSetSpec:
    """A record set as plain data; `name` may be relative until `check_record_set` normalises it."""

    name: str
    type: str
    ttl: int | None = None
    values: tuple[str, ...] = ()
    policy: str = RoutingPolicy.SIMPLE.value
    set_identifier: str = ""
    weight: int | None = None
    region: str = ""
    failover: str = ""
    continent: str = ""
    country: str = ""
    subdivision: str = ""
    health_check_id: int | None = None
    alias_target_name: str = ""
    alias_endpoint_id: int | None = None
    evaluate_target_health: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.name, self.type, self.set_identifier)

    @property
    def is_alias(self) -> bool:
        return bool(self.alias_target_name) or self.alias_endpoint_id is not None

    @property
    def label(self) -> str:
        text = f"{self.name} {self.type}"
        return f"{text} ({self.set_identifier})" if self.set_identifier else text

    @property
    def location(self) -> tuple[str, str, str]:
        return (self.continent, self.country, self.subdivision)

    def as_dict(self) -> dict[str, Any]:
        """Every field by name, `values` as a list: the model's field values and the JSON form."""
        # Field by field: dataclasses.asdict deep-copies, which a million-record import notices.
        data = {name: getattr(self, name) for name in SPEC_FIELDS}
        data["values"] = list(self.values)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "RecordSetSpec":
        """The spec from `data`'s fields of a spec (others are left out), `values` as any sequence."""
        known = {name: data[name] for name in SPEC_FIELDS if name in data}
        known["values"] = tuple(known.get("values") or ())
        return cls(**known)


SPEC_FIELDS = tuple(field.name for field in dataclasses.fields(RecordSetSpec))
# What names a record set within its zone; the other fields are what a change may alter.
KEY_FIELDS = ("name", "type", "set_identifier")
DATA_FIELDS = tuple(name for name in SPEC_FIELDS if name not in KEY_FIELDS)
