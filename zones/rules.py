"""The rules of hosted zones and record sets: pure functions over plain data, no ORM.

The console's forms, the API's serializers, the zone-file importer, the change-batch service
and the DNS server's snapshot compiler all call these. Every function returns every problem
it finds; each `Problem` names its field, the record set and the reason in one sentence.
"""

import functools
import ipaddress
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace

import dns.exception
import dns.ipv4
import dns.ipv6
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.txtbase
import dns.tokenizer
import phonenumbers

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

SIMPLE, WEIGHTED, LATENCY, FAILOVER, GEOLOCATION, MULTIVALUE = (
    "simple",
    "weighted",
    "latency",
    "failover",
    "geolocation",
    "multivalue",
)
POLICIES = (SIMPLE, WEIGHTED, LATENCY, FAILOVER, GEOLOCATION, MULTIVALUE)
FAILOVER_ROLES = ("PRIMARY", "SECONDARY")
CONTINENTS = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
}
DEFAULT_COUNTRY = "*"
# ISO 3166-1 alpha-2 codes: every region the phone-number metadata knows, plus territories
# without telephone numbering of their own.
COUNTRIES = frozenset(
    code for code in phonenumbers.SUPPORTED_REGIONS if len(code) == 2 and code not in {"AC", "TA", "XK"}
) | {"AQ", "BV", "GS", "HM", "PN", "TF", "UM"}

# The protected records' fixed parts (issue #4 item 2).
SOA_REFRESH, SOA_RETRY, SOA_EXPIRE, SOA_MINIMUM, SOA_TTL = 7200, 900, 1209600, 86400, 900
NS_TTL = 172800

_TYPE_MESSAGES = {"A": "is not an IPv4 address", "AAAA": "is not an IPv6 address"}
_ADDRESS_CANONICALIZERS = {"A": dns.ipv4.canonicalize, "AAAA": dns.ipv6.canonicalize}


@dataclass(frozen=True)
class Problem:
    """One refusal: the field it concerns, the record set it names and the reason."""

    field: str
    message: str
    record_set: str = ""
    key: tuple = ()
    related_names: tuple[str, ...] = ()
    # The keys of every record set the problem involves (a conflict names both sides).
    group: tuple[tuple, ...] = ()

    def __str__(self) -> str:
        return f"{self.record_set}: {self.message}" if self.record_set else self.message


@dataclass(frozen=True)
class RecordSetSpec:
    """A record set as plain data; `name` may be relative until `check_record_set` normalises it."""

    name: str
    type: str
    ttl: int | None = None
    values: tuple[str, ...] = ()
    policy: str = SIMPLE
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

    def as_dict(self) -> dict:
        # Field by field: dataclasses.asdict deep-copies, which a million-record import notices.
        data = {name: getattr(self, name) for name in SPEC_FIELDS}
        data["values"] = list(self.values)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "RecordSetSpec":
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["values"] = tuple(known.get("values") or ())
        return cls(**known)


SPEC_FIELDS = tuple(RecordSetSpec.__dataclass_fields__)


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

    def add(self, field_name: str, message: str, related: tuple[str, ...] = ()) -> None:
        self.problems.append(Problem(field_name, message, self.label, self.key, related))


# ---- names ----------------------------------------------------------------------------------


def normalize_zone_name(text: str) -> tuple[str, list[Problem]]:
    """The zone name as absolute lowercase text (IDNs as A-labels), or the problems with it."""
    raw = (text or "").strip()
    if not raw or raw == ".":
        return "", [Problem("name", "name: a hosted zone needs a domain name")]
    try:
        name = dns.name.from_unicode(raw.rstrip(".") + ".")
    except (dns.exception.DNSException, UnicodeError, ValueError) as error:
        return "", [Problem("name", f"name: {raw} is not a domain name ({_reason(error)})")]
    if any(label == b"*" for label in name.labels):
        return "", [Problem("name", f"name: {raw} is not a domain name (a zone name has no wildcard)")]
    return name.to_text().lower(), []


def absolute_name(text: str, zone_name: str) -> str:
    """Resolve a name typed in the editor: `@` is the apex, a name ending in the zone is absolute."""
    raw = (text or "").strip()
    zone_bare = zone_name.rstrip(".")
    if raw in ("", "@"):
        return zone_name
    if raw.endswith("."):
        return raw
    if raw.lower() == zone_bare.lower() or raw.lower().endswith("." + zone_bare.lower()):
        return raw + "."
    return f"{raw}.{zone_name}"


@functools.lru_cache(maxsize=64)
def _zone_origin(zone_name: str) -> dns.name.Name:
    return dns.name.from_text(zone_name)


def _parse_name(text: "str | dns.name.Name", zone_name: str, field_name: str, collect: _Collector) -> str:
    if isinstance(text, dns.name.Name):  # already parsed by dnspython (the zone-file reader)
        if not text.is_absolute() or not text.is_subdomain(_zone_origin(zone_name)):
            collect.add(field_name, f"{field_name}: {text} is not in the zone {zone_name}")
        return text.to_text().lower()
    raw = absolute_name(text, zone_name)
    try:
        # IDNA processing is slow; plain ASCII names need none.
        name = dns.name.from_text(raw) if raw.isascii() else dns.name.from_unicode(raw)
    except (dns.exception.DNSException, UnicodeError, ValueError) as error:
        collect.add(field_name, f"{field_name}: {text} is not a domain name ({_reason(error)})")
        return raw
    if not name.is_subdomain(_zone_origin(zone_name)):
        collect.add(field_name, f"{field_name}: {name.to_text()} is not in the zone {zone_name}")
    return name.to_text().lower()


def is_below(name: str, ancestor: str) -> bool:
    """True when `name` lies strictly beneath `ancestor` (both absolute lowercase text)."""
    return name != ancestor and name.endswith("." + ancestor)


def ancestors_within(name: str, zone_name: str) -> list[str]:
    """The names strictly between `name` and the zone apex, apex included, nearest first."""
    result = []
    current = name
    while current != zone_name and "." in current.rstrip("."):
        current = current.split(".", 1)[1]
        if not current.endswith(zone_name) and current != zone_name:
            break
        result.append(current)
    return result


# ---- values ---------------------------------------------------------------------------------


def normalize_value(rtype: str, text: str, zone_name: str) -> str:
    """One value as dnspython prints it (names absolute); raises ValueError with the reason."""
    rdtype = dns.rdatatype.from_text(rtype)
    raw = (text or "").strip()
    if not raw:
        raise ValueError("is empty")
    if rtype in _ADDRESS_CANONICALIZERS:
        # The address parsers dnspython's A and AAAA rdata use, without the tokenizer around them.
        try:
            return _ADDRESS_CANONICALIZERS[rtype](raw)
        except (dns.exception.DNSException, ValueError):
            raise ValueError(_TYPE_MESSAGES[rtype])
    origin = _zone_origin(zone_name)
    if rtype in ("TXT", "SPF"):
        return _txt_value(rdtype, raw)
    try:
        rdata = dns.rdata.from_text(dns.rdataclass.IN, rdtype, raw, origin=origin, relativize=False)
    except (dns.exception.DNSException, ValueError, UnicodeError) as error:
        raise ValueError(_TYPE_MESSAGES.get(rtype) or f"is not a valid {rtype} value ({_reason(error)})")
    return rdata.to_text(relativize=False).lower() if rtype in ("CNAME", "NS", "PTR") else rdata.to_text()


def _rdata_text(rtype: str, rdata: dns.rdata.Rdata, text: str) -> str:
    """A value dnspython has parsed already (the zone-file reader) as normalize_value gives it."""
    if dns.rdatatype.to_text(rdata.rdtype) != rtype:
        raise ValueError(f"is not a {rtype} value")
    return text.lower() if rtype in ("CNAME", "NS", "PTR") else text


def _txt_value(rdtype: dns.rdatatype.RdataType, raw: str) -> str:
    """TXT/SPF: quoted strings as given, an unquoted text as one string; long strings split at 255."""
    chunks: list[bytes] = []
    if '"' not in raw:
        strings = [raw.encode()]
    else:
        strings = []
        tokenizer = dns.tokenizer.Tokenizer(raw)
        try:
            while True:
                token = tokenizer.get().unescape_to_bytes()
                if token.is_eol_or_eof():
                    break
                if not (token.is_quoted_string() or token.is_identifier()):
                    raise ValueError(f"is not a valid {dns.rdatatype.to_text(rdtype)} value")
                strings.append(token.value if isinstance(token.value, bytes) else token.value.encode())
        except dns.exception.SyntaxError as error:
            raise ValueError(f"is not a valid {dns.rdatatype.to_text(rdtype)} value ({_reason(error)})")
    for string in strings:
        if not string:
            chunks.append(b"")
        for start in range(0, len(string), MAX_TXT_STRING_OCTETS):
            chunks.append(string[start : start + MAX_TXT_STRING_OCTETS])
    cls = dns.rdata.get_rdata_class(dns.rdataclass.IN, rdtype)
    rdata = cls(dns.rdataclass.IN, rdtype, chunks)
    assert isinstance(rdata, dns.rdtypes.txtbase.TXTBase)
    return rdata.to_text()


def _reason(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.rstrip(".")


# ---- one record set -------------------------------------------------------------------------


def check_record_set(
    spec: RecordSetSpec, *, zone_name: str, context: RuleContext = RuleContext()
) -> tuple[RecordSetSpec, list[Problem]]:
    """Normalise one record set and return it with every problem found in it alone."""
    collect = _Collector(label=f"{spec.name or '@'} {spec.type}", key=())
    name = _parse_name(spec.name, zone_name, "name", collect)
    rtype = (spec.type or "").strip().upper()
    set_identifier = (spec.set_identifier or "").strip()
    label = f"{name} {rtype}" + (f" ({set_identifier})" if set_identifier else "")
    collect.label, collect.key = label, (name, rtype, set_identifier)
    if collect.problems:
        collect.problems = [replace(p, record_set=label, key=collect.key) for p in collect.problems]

    if rtype not in RECORD_TYPES:
        collect.add("type", f"type: {spec.type or '(empty)'} is not a supported record type")
        return replace(spec, name=name, type=rtype), collect.problems

    alias_target = ""
    if spec.alias_target_name:
        alias_target = _parse_name(spec.alias_target_name, zone_name, "alias_target", collect)
    is_alias = bool(alias_target) or spec.alias_endpoint_id is not None
    values = _check_values(spec, rtype, is_alias, zone_name, collect)
    _check_ttl(spec.ttl, is_alias, collect)
    _check_placement(name, rtype, zone_name, context, collect)
    _check_policy(spec, rtype, set_identifier, is_alias, context, collect)
    if is_alias:
        _check_alias(spec, rtype, name, alias_target, context, collect)
    elif spec.evaluate_target_health:
        collect.add(
            "evaluate_target_health", "evaluate_target_health: only an alias evaluates its target's health"
        )

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
            collect.add("values", "values: an alias record set has no values of its own")
        return ()
    if not raw_values:
        collect.add("values", "values: at least one value is required")
        return ()
    if len(raw_values) > MAX_VALUES:
        collect.add("values", f"values: at most {MAX_VALUES} values are allowed, got {len(raw_values)}")
    if rtype in ("CNAME", "SOA") and len(raw_values) > 1:
        collect.add("values", f"values: a {rtype} record set has exactly one value")
    normalized: list[str] = []
    seen: set[str] = set()
    for raw in raw_values:
        parsed = isinstance(raw, dns.rdata.Rdata)  # by the zone-file reader, so not parsed again
        text = raw.to_text() if parsed else str(raw).strip()
        try:
            value = _rdata_text(rtype, raw, text) if parsed else normalize_value(rtype, text, zone_name)
        except ValueError as error:
            collect.add("values", f"value: {text} {error}")
            continue
        if value in seen:
            collect.add("values", f"value: {text} is a duplicate")
            continue
        seen.add(value)
        normalized.append(value)
    return tuple(normalized)


def _check_ttl(ttl: int | None, is_alias: bool, collect: _Collector) -> None:
    if is_alias:
        if ttl is not None:
            collect.add(
                "ttl", "ttl: an alias record set has no TTL of its own (it answers with its target's)"
            )
        return
    if ttl is None:
        collect.add("ttl", "ttl: a TTL is required")
    elif isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= MAX_TTL:
        collect.add("ttl", f"ttl: {ttl} is not between 0 and {MAX_TTL}")


def _check_placement(
    name: str, rtype: str, zone_name: str, context: RuleContext, collect: _Collector
) -> None:
    at_apex = name == zone_name
    if rtype == "CNAME" and at_apex:
        collect.add("type", "type: a CNAME record set cannot be at the zone apex")
    if rtype == "SOA" and not (at_apex and context.allow_protected):
        collect.add("type", "type: the SOA record set is managed by the system")
    if rtype == "NS" and at_apex and not context.allow_protected:
        collect.add("type", "type: the apex NS record set exists already; edit it instead")
    if rtype == "DS" and at_apex:
        collect.add("type", "type: a DS record set at the apex belongs in the parent zone")


def _check_policy(
    spec: RecordSetSpec,
    rtype: str,
    set_identifier: str,
    is_alias: bool,
    context: RuleContext,
    collect: _Collector,
) -> None:
    policy = (spec.policy or SIMPLE).strip().lower()
    if policy not in POLICIES:
        collect.add("policy", f"policy: {spec.policy} is not a routing policy ({', '.join(POLICIES)})")
        return
    if policy == SIMPLE:
        if set_identifier:
            collect.add("set_identifier", "set_identifier: a simple record set has no set identifier")
    else:
        if not set_identifier:
            collect.add("set_identifier", f"set_identifier: a {policy} record set needs a set identifier")
        elif len(set_identifier) > 128:
            collect.add("set_identifier", "set_identifier: at most 128 characters")
        if rtype in PLAIN_ONLY_TYPES:
            collect.add("policy", f"policy: a {rtype} record set can only use the simple policy")
    if spec.health_check_id is not None:
        if rtype in PLAIN_ONLY_TYPES:
            collect.add("health_check", f"health_check: a {rtype} record set cannot have a health check")
        elif spec.health_check_id not in context.health_check_ids:
            collect.add(
                "health_check", f"health_check: there is no health check {spec.health_check_id} of yours"
            )

    weight_given = spec.weight is not None
    if policy == WEIGHTED:
        if not weight_given:
            collect.add("weight", "weight: a weighted record set needs a weight")
        elif (
            isinstance(spec.weight, bool)
            or not isinstance(spec.weight, int)
            or not 0 <= spec.weight <= MAX_WEIGHT
        ):
            collect.add("weight", f"weight: {spec.weight} is not between 0 and {MAX_WEIGHT}")
    elif weight_given:
        collect.add("weight", "weight: only a weighted record set has a weight")

    region = (spec.region or "").strip()
    if policy == LATENCY:
        if not region:
            collect.add("region", "region: a latency record set needs a region")
        elif region not in context.regions:
            collect.add("region", f"region: {region} is not a latency region")
    elif region:
        collect.add("region", "region: only a latency record set has a region")

    failover = (spec.failover or "").strip().upper()
    if policy == FAILOVER:
        if failover not in FAILOVER_ROLES:
            collect.add("failover", f"failover: {spec.failover or '(empty)'} is not PRIMARY or SECONDARY")
    elif failover:
        collect.add("failover", "failover: only a failover record set has a failover role")

    location = (
        (spec.continent or "").strip(),
        (spec.country or "").strip(),
        (spec.subdivision or "").strip(),
    )
    if policy == GEOLOCATION:
        _check_location(*(part.upper() for part in location), collect=collect)
    elif any(location):
        collect.add("geolocation", "geolocation: only a geolocation record set has a location")

    if policy == MULTIVALUE:
        if rtype not in MULTIVALUE_TYPES:
            collect.add("type", f"type: a multivalue answer record set cannot be {rtype}")
        if is_alias:
            collect.add("alias_target", "alias_target: a multivalue answer record set cannot be an alias")


def _check_location(continent: str, country: str, subdivision: str, *, collect: _Collector) -> None:
    if continent and (country or subdivision):
        collect.add("geolocation", "geolocation: give a continent or a country, not both")
    elif continent:
        if continent not in CONTINENTS:
            collect.add(
                "continent", f"continent: {continent} is not a continent code ({', '.join(CONTINENTS)})"
            )
    elif country == DEFAULT_COUNTRY:
        if subdivision:
            collect.add("subdivision", "subdivision: the default location (*) has no subdivision")
    elif country:
        if country not in COUNTRIES:
            collect.add("country", f"country: {country} is not an ISO 3166 country code")
        if subdivision and not (1 <= len(subdivision) <= 3 and subdivision.isalnum()):
            collect.add("subdivision", f"subdivision: {subdivision} is not a subdivision code")
    elif subdivision:
        collect.add("subdivision", "subdivision: a subdivision needs its country")
    else:
        collect.add("geolocation", "geolocation: give a continent, a country, or * for the default")


def _check_alias(
    spec: RecordSetSpec, rtype: str, name: str, target: str, context: RuleContext, collect: _Collector
) -> None:
    if target and spec.alias_endpoint_id is not None:
        collect.add("alias_target", "alias_target: name either a record set or an endpoint, not both")
        return
    if spec.alias_endpoint_id is not None:
        if rtype not in ENDPOINT_ALIAS_TYPES:
            collect.add("type", f"type: an alias to an endpoint must be A or AAAA, not {rtype}")
        if spec.alias_endpoint_id not in context.endpoint_ids:
            collect.add(
                "alias_endpoint", f"alias_endpoint: there is no endpoint {spec.alias_endpoint_id} of yours"
            )
        return
    if rtype not in ALIAS_TYPES:
        collect.add("type", f"type: a {rtype} record set cannot be an alias")
    if target == name:
        collect.add("alias_target", f"alias_target: alias loop: {name} points at itself", (name,))


# ---- the zone as a whole --------------------------------------------------------------------


def check_zone(
    zone_name: str, record_sets: Iterable[RecordSetSpec], *, endpoints_ok: bool = True
) -> list[Problem]:
    """Problems between record sets (normalised ones) of one zone: coexistence, policies, aliases.

    Pass the whole zone, or every record set at the names concerned, their ancestors' NS and
    DS, and the zone's aliases: the rules look only at what they are given.
    """
    record_sets = list(record_sets)
    problems: list[Problem] = []
    by_name: dict[str, list[RecordSetSpec]] = defaultdict(list)
    seen: set[tuple] = set()
    for rs in record_sets:
        if rs.key in seen:
            problems.append(_problem(rs, "name", f"name: {rs.label} already exists"))
            continue
        seen.add(rs.key)
        by_name[rs.name].append(rs)

    delegations = {name for name, group in by_name.items() if name != zone_name and _has(group, "NS")}
    for name, group in by_name.items():
        types = {rs.type for rs in group}
        if "CNAME" in types and len(types) > 1:
            others = ", ".join(sorted(types - {"CNAME"}))
            keys = tuple(rs.key for rs in group)
            for rs in group:
                if rs.type == "CNAME":
                    message = f"type: {name} has a CNAME beside {others}; a CNAME must stand alone"
                    problems.append(_problem(rs, "type", message, group=keys))
        if name in delegations:
            ns_keys = tuple(rs.key for rs in group if rs.type == "NS")
            for rs in group:
                if rs.type not in ("NS", "DS", *GLUE_TYPES):
                    message = f"type: {name} is a delegation; only NS, DS and glue may sit there"
                    problems.append(_problem(rs, "type", message, group=(rs.key, *ns_keys)))
        elif "DS" in types:
            for rs in group:
                if rs.type == "DS":
                    message = "type: a DS record set belongs only at a delegation (a name with NS)"
                    problems.append(_problem(rs, "type", message, (name,)))
        for ancestor in ancestors_within(name, zone_name):
            if ancestor in delegations:
                ns_keys = tuple(rs.key for rs in by_name[ancestor] if rs.type == "NS")
                for rs in group:
                    if rs.type not in GLUE_TYPES:
                        message = (
                            f"name: {name} lies beneath the delegation {ancestor}; "
                            "only glue (A, AAAA) may be there"
                        )
                        problems.append(_problem(rs, "name", message, (ancestor,), group=(rs.key, *ns_keys)))
                break
        problems.extend(_policy_problems(group))
    problems.extend(_alias_problems(record_sets, by_name))
    return problems


def _has(group: list[RecordSetSpec], rtype: str) -> bool:
    return any(rs.type == rtype for rs in group)


def _problem(
    rs: RecordSetSpec, field_name: str, message: str, related: tuple[str, ...] = (), group: tuple = ()
) -> Problem:
    return Problem(field_name, message, rs.label, rs.key, related, group or (rs.key,))


def _policy_problems(group: list[RecordSetSpec]) -> list[Problem]:
    problems = []
    by_type: dict[str, list[RecordSetSpec]] = defaultdict(list)
    for rs in group:
        by_type[rs.type].append(rs)
    for rtype, sets in by_type.items():
        first = sets[0]
        for rs in sets[1:]:
            if rs.policy != first.policy:
                problems.append(
                    _problem(
                        rs,
                        "policy",
                        f"policy: {rs.name} {rtype} already uses the {first.policy} policy; "
                        "one policy kind per name and type",
                        group=(first.key, rs.key),
                    )
                )
            elif rs.policy == SIMPLE:
                problems.append(
                    _problem(rs, "name", f"name: {rs.name} {rtype} already exists", group=(first.key, rs.key))
                )
        if first.policy == FAILOVER:
            roles: dict[str, RecordSetSpec] = {}
            for rs in sets:
                if rs.failover in roles:
                    problems.append(
                        _problem(
                            rs,
                            "failover",
                            f"failover: {rs.name} {rtype} already has a {rs.failover} record set",
                            group=(roles[rs.failover].key, rs.key),
                        )
                    )
                roles.setdefault(rs.failover, rs)
        if first.policy == GEOLOCATION:
            locations: dict[tuple, RecordSetSpec] = {}
            for rs in sets:
                if rs.location in locations:
                    where = "/".join(part for part in rs.location if part)
                    problems.append(
                        _problem(
                            rs,
                            "geolocation",
                            f"geolocation: {rs.name} {rtype} already has a record set for {where}",
                            group=(locations[rs.location].key, rs.key),
                        )
                    )
                locations.setdefault(rs.location, rs)
    return problems


def _alias_problems(
    record_sets: list[RecordSetSpec], by_name: dict[str, list[RecordSetSpec]]
) -> list[Problem]:
    problems = []
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rs in record_sets:
        if rs.alias_target_name:
            edges[(rs.name, rs.type)].add(rs.alias_target_name)
    for rs in record_sets:
        target = rs.alias_target_name
        if not target or target == rs.name:
            continue
        if not any(other.type == rs.type for other in by_name.get(target, ())):
            problems.append(
                _problem(
                    rs,
                    "alias_target",
                    f"alias_target: there is no {rs.type} record set at {target}",
                    (target,),
                )
            )
            continue
        path = _find_loop(rs.name, rs.type, edges)
        if path:
            keys = tuple(
                other.key
                for hop in path
                for other in by_name.get(hop, ())
                if other.type == rs.type and other.is_alias
            )
            message = "alias_target: alias loop: " + " → ".join(path)
            problems.append(_problem(rs, "alias_target", message, tuple(path), group=keys))
    return problems


def _find_loop(start: str, rtype: str, edges: dict[tuple[str, str], set[str]]) -> list[str]:
    """A path of alias hops from `start` back to itself, or [] when there is none."""
    stack = [(start, [start])]
    visited: set[str] = set()
    while stack:
        name, path = stack.pop()
        for target in sorted(edges.get((name, rtype), ())):
            if target == start:
                return [*path, target]
            if target not in visited:
                visited.add(target)
                stack.append((target, [*path, target]))
    return []


# ---- the protected records ------------------------------------------------------------------


def soa_value(
    *, mname: str, rname: str, serial: int, refresh: int, retry: int, expire: int, minimum: int
) -> str:
    """The SOA rdata text, built by dnspython."""
    rdata = dns.rdata.from_text(
        dns.rdataclass.IN,
        dns.rdatatype.SOA,
        f"{mname} {rname} {serial} {refresh} {retry} {expire} {minimum}",
    )
    return rdata.to_text()


def parse_soa(value: str) -> dict:
    """The SOA's fields from its rdata text."""
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.SOA, value)
    return {
        "mname": rdata.mname.to_text(),
        "rname": rdata.rname.to_text(),
        "serial": rdata.serial,
        "refresh": rdata.refresh,
        "retry": rdata.retry,
        "expire": rdata.expire,
        "minimum": rdata.minimum,
    }


def check_soa_edit(current: str, proposed: str) -> list[Problem]:
    """Only the SOA's timers may change; its name servers, contact and serial are the system's."""
    try:
        before, after = parse_soa(current), parse_soa(proposed)
    except dns.exception.DNSException as error:
        return [Problem("values", f"value: {proposed} is not a valid SOA value ({_reason(error)})")]
    for fixed in ("mname", "rname"):
        if before[fixed] != after[fixed]:
            return [Problem("values", f"value: the SOA's {fixed} is managed by the system")]
    return []


def cidr_problems(cidrs: Iterable[str]) -> list[Problem]:
    """Each text must be an IPv4 or IPv6 network (host bits allowed)."""
    problems = []
    items = [str(cidr).strip() for cidr in cidrs if str(cidr).strip()]
    if not items:
        problems.append(Problem("cidrs", "cidrs: a network needs at least one CIDR"))
    for cidr in items:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            problems.append(Problem("cidrs", f"cidrs: {cidr} is not an IPv4 or IPv6 network"))
    return problems


def address_problems(addresses: Iterable[str]) -> list[Problem]:
    """Each text must be an IPv4 or IPv6 address."""
    problems = []
    items = [str(address).strip() for address in addresses if str(address).strip()]
    if not items:
        problems.append(Problem("addresses", "addresses: an endpoint needs at least one address"))
    for address in items:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            problems.append(Problem("addresses", f"addresses: {address} is not an IPv4 or IPv6 address"))
    return problems
