"""The rules of hosted zones and record sets: pure functions over plain data, no ORM.

The console's forms, the API's serializers, the zone-file importer, the change-batch service
and the DNS server's snapshot compiler all call these. Every function returns every problem
it finds; each `Problem` names its field, the record set and the reason.

    from zones import rules
    spec, problems = rules.check_record_set(rules.RecordSetSpec(name="www", type="A"), zone_name=...)

One concept per module: `problems` (what a rule returns), `spec` (a record set as plain data,
its types and limits), `names`, `values`, `record_sets` (one record set on its own), `zone`
(rules between the record sets of a zone), `protected` (the SOA and apex NS) and `networks`
(CIDRs and endpoint addresses). Policies, roles, continents and countries are
`zones.vocabulary`'s.
"""

from zones.rules.names import (
    SORT_KEY_MAX_LENGTH,
    absolute_name,
    ancestors_within,
    canonical_sort_key,
    is_below,
    normalize_zone_name,
    parse_name,
)
from zones.rules.networks import address_problems, cidr_problems
from zones.rules.problems import Problem
from zones.rules.protected import (
    NS_TTL,
    SOA_EXPIRE,
    SOA_MINIMUM,
    SOA_REFRESH,
    SOA_RETRY,
    SOA_TTL,
    check_soa_edit,
    parse_soa,
    soa_value,
)
from zones.rules.record_sets import RuleContext, check_record_set
from zones.rules.spec import (
    ALIAS_TYPES,
    DATA_FIELDS,
    ENDPOINT_ALIAS_TYPES,
    GLUE_TYPES,
    KEY_FIELDS,
    MAX_TTL,
    MAX_TXT_STRING_OCTETS,
    MAX_VALUES,
    MAX_WEIGHT,
    MULTIVALUE_TYPES,
    PLAIN_ONLY_TYPES,
    RECORD_TYPES,
    SPEC_FIELDS,
    RecordSetSpec,
)
from zones.rules.values import normalize_value
from zones.rules.zone import check_zone

__all__ = [
    "ALIAS_TYPES",
    "DATA_FIELDS",
    "ENDPOINT_ALIAS_TYPES",
    "GLUE_TYPES",
    "KEY_FIELDS",
    "MAX_TTL",
    "MAX_TXT_STRING_OCTETS",
    "MAX_VALUES",
    "MAX_WEIGHT",
    "MULTIVALUE_TYPES",
    "NS_TTL",
    "PLAIN_ONLY_TYPES",
    "RECORD_TYPES",
    "SOA_EXPIRE",
    "SOA_MINIMUM",
    "SOA_REFRESH",
    "SOA_RETRY",
    "SOA_TTL",
    "SORT_KEY_MAX_LENGTH",
    "SPEC_FIELDS",
    "Problem",
    "RecordSetSpec",
    "RuleContext",
    "absolute_name",
    "address_problems",
    "ancestors_within",
    "canonical_sort_key",
    "check_record_set",
    "check_soa_edit",
    "check_zone",
    "cidr_problems",
    "is_below",
    "normalize_value",
    "normalize_zone_name",
    "parse_name",
    "parse_soa",
    "soa_value",
]
