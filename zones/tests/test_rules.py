"""The rule module, table-driven and without a database."""

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

from zones import rules
from zones.rules import RecordSetSpec, RuleContext

ZONE = "example.com."
CONTEXT = RuleContext(regions={"us-east-1", "eu-west-1"}, health_check_ids={7}, endpoint_ids={3})


def check(**fields) -> tuple[RecordSetSpec, list[rules.Problem]]:
    fields.setdefault("name", "www")
    fields.setdefault("type", "A")
    if "values" in fields:
        fields["values"] = tuple(fields["values"])
    return rules.check_record_set(RecordSetSpec(**fields), zone_name=ZONE, context=CONTEXT)


def messages(problems: list[rules.Problem]) -> list[str]:
    return [problem.message for problem in problems]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"ttl": 300, "values": ["300.1.2.3"]}, "values", "value: 300.1.2.3 is not an IPv4 address"),
        (
            {"type": "AAAA", "ttl": 300, "values": ["1.2.3.4"]},
            "values",
            "value: 1.2.3.4 is not an IPv6 address",
        ),
        (
            {"type": "HINFO", "ttl": 300, "values": ["a b"]},
            "type",
            "type: HINFO is not a supported record type",
        ),
        (
            {"name": "www.example.org.", "ttl": 300, "values": ["192.0.2.1"]},
            "name",
            "name: www.example.org. is not in the zone example.com.",
        ),
        ({"ttl": -1, "values": ["192.0.2.1"]}, "ttl", "ttl: -1 is not between 0 and 2147483647"),
        (
            {"ttl": 2147483648, "values": ["192.0.2.1"]},
            "ttl",
            "ttl: 2147483648 is not between 0 and 2147483647",
        ),
        ({"values": ["192.0.2.1"]}, "ttl", "ttl: a TTL is required"),
        ({"ttl": 300, "values": []}, "values", "values: at least one value is required"),
        (
            {"ttl": 300, "values": [f"10.0.{i // 256}.{i % 256}" for i in range(401)]},
            "values",
            "values: at most 400 values are allowed, got 401",
        ),
        ({"ttl": 300, "values": ["192.0.2.1", "192.0.2.1"]}, "values", "value: 192.0.2.1 is a duplicate"),
        (
            {"name": "@", "type": "CNAME", "ttl": 300, "values": ["www.example.net."]},
            "type",
            "type: a CNAME record set cannot be at the zone apex; use an alias record instead",
        ),
        (
            {"type": "CNAME", "ttl": 300, "values": ["a.example.net.", "b.example.net."]},
            "values",
            "values: a CNAME record set has exactly one value",
        ),
        (
            {"type": "SOA", "ttl": 300, "values": ["ns1 host 1 2 3 4 5"]},
            "type",
            "type: the SOA record set is managed by the system",
        ),
        (
            {"name": "@", "type": "DS", "ttl": 300, "values": ["12345 13 2 " + "ab" * 32]},
            "type",
            "type: a DS record set at the apex belongs in the parent zone",
        ),
        (
            {"type": "MX", "ttl": 300, "values": ["mail.example.com."]},
            "values",
            "value: mail.example.com. is not a valid MX value (expecting an integer)",
        ),
        (
            {"ttl": 300, "values": ["192.0.2.1"], "set_identifier": "x"},
            "set_identifier",
            "set_identifier: a simple record set has no set identifier",
        ),
        (
            {"ttl": 300, "values": ["192.0.2.1"], "policy": "weighted", "weight": 1},
            "set_identifier",
            "set_identifier: a weighted record set needs a set identifier",
        ),
        (
            {"ttl": 300, "values": ["192.0.2.1"], "policy": "weighted", "set_identifier": "a"},
            "weight",
            "weight: a weighted record set needs a weight",
        ),
        (
            {"ttl": 300, "values": ["192.0.2.1"], "policy": "weighted", "set_identifier": "a", "weight": 256},
            "weight",
            "weight: 256 is not between 0 and 255",
        ),
        (
            {"ttl": 300, "values": ["192.0.2.1"], "weight": 5},
            "weight",
            "weight: only a weighted record set has a weight",
        ),
        (
            {
                "ttl": 300,
                "values": ["192.0.2.1"],
                "policy": "latency",
                "set_identifier": "a",
                "region": "mars-1",
            },
            "region",
            "region: mars-1 is not a latency region",
        ),
        (
            {
                "ttl": 300,
                "values": ["192.0.2.1"],
                "policy": "failover",
                "set_identifier": "a",
                "failover": "THIRD",
            },
            "failover",
            "failover: THIRD is not PRIMARY or SECONDARY",
        ),
        (
            {
                "ttl": 300,
                "values": ["192.0.2.1"],
                "policy": "geolocation",
                "set_identifier": "a",
                "continent": "XX",
            },
            "continent",
            "continent: XX is not a continent code (AF, AN, AS, EU, NA, OC, SA)",
        ),
        (
            {
                "ttl": 300,
                "values": ["192.0.2.1"],
                "policy": "geolocation",
                "set_identifier": "a",
                "continent": "EU",
                "country": "FR",
            },
            "geolocation",
            "geolocation: give a continent or a country, not both",
        ),
        (
            {
                "ttl": 300,
                "values": ["192.0.2.1"],
                "policy": "geolocation",
                "set_identifier": "a",
                "country": "QQ",
            },
            "country",
            "country: QQ is not an ISO 3166 country code",
        ),
        (
            {
                "ttl": 300,
                "values": ["192.0.2.1"],
                "policy": "geolocation",
                "set_identifier": "a",
                "subdivision": "CA",
            },
            "subdivision",
            "subdivision: a subdivision needs its country",
        ),
        (
            {"ttl": 300, "values": ["192.0.2.1"], "policy": "geolocation", "set_identifier": "a"},
            "geolocation",
            "geolocation: give a continent, a country, or * for the default",
        ),
        (
            {
                "type": "CNAME",
                "ttl": 300,
                "values": ["x.example.net."],
                "policy": "multivalue",
                "set_identifier": "a",
            },
            "type",
            "type: a multivalue answer record set cannot be CNAME",
        ),
        (
            {
                "type": "NS",
                "ttl": 300,
                "values": ["ns.example.net."],
                "policy": "weighted",
                "set_identifier": "a",
                "weight": 1,
            },
            "policy",
            "policy: a NS record set can only use the simple policy",
        ),
        (
            {"ttl": 300, "values": ["192.0.2.1"], "policy": "random"},
            "policy",
            "policy: random is not a routing policy "
            "(simple, weighted, latency, failover, geolocation, multivalue)",
        ),
        (
            {"ttl": 300, "values": ["192.0.2.1"], "health_check_id": 8},
            "health_check",
            "health_check: there is no health check 8 of yours",
        ),
        (
            {"alias_target_name": "web", "ttl": 60},
            "ttl",
            "ttl: an alias record set has no TTL of its own (it answers with its target's)",
        ),
        (
            {"alias_target_name": "web", "values": ["192.0.2.1"]},
            "values",
            "values: an alias record set has no values of its own",
        ),
        (
            {"type": "CNAME", "alias_endpoint_id": 3},
            "type",
            "type: an alias to an endpoint must be A or AAAA, not CNAME",
        ),
        ({"alias_endpoint_id": 4}, "alias_endpoint", "alias_endpoint: there is no endpoint 4 of yours"),
        (
            {"alias_target_name": "web", "alias_endpoint_id": 3},
            "alias_target",
            "alias_target: name either a record set or an endpoint, not both",
        ),
        (
            {"type": "SSHFP", "alias_target_name": "web"},
            "type",
            "type: a SSHFP record set cannot be an alias",
        ),
        (
            {"alias_target_name": "www"},
            "alias_target",
            "alias_target: alias loop: www.example.com. points at itself",
        ),
        (
            {"ttl": 300, "values": ["192.0.2.1"], "evaluate_target_health": True},
            "evaluate_target_health",
            "evaluate_target_health: only an alias evaluates its target's health",
        ),
    ],
)
def test_each_record_set_rule_refuses_with_field_and_message(fields, field, message):
    _spec, problems = check(**fields)
    assert (field, message) in [(p.field, p.message) for p in problems], messages(problems)


def test_a_refusal_names_the_record_set():
    _spec, problems = check(ttl=300, values=["300.1.2.3"])
    assert str(problems[0]) == "www.example.com. A: value: 300.1.2.3 is not an IPv4 address"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("www", "www.example.com."),
        ("@", "example.com."),
        ("", "example.com."),
        ("WWW.Example.COM", "www.example.com."),
        ("www.example.com.", "www.example.com."),
        ("*.wild", "*.wild.example.com."),
        ("_sip._tcp", "_sip._tcp.example.com."),
        ("bücher", "xn--bcher-kva.example.com."),
    ],
)
def test_names_are_made_absolute_and_lowercase(name, expected):
    spec, problems = check(name=name, ttl=300, values=["192.0.2.1"])
    assert problems == []
    assert spec.name == expected


@pytest.mark.parametrize(
    ("rtype", "value", "expected"),
    [
        ("A", " 192.0.2.1 ", "192.0.2.1"),
        ("AAAA", "2001:DB8:0::1", "2001:db8::1"),
        ("MX", "10 mail", "10 mail.example.com."),
        ("CNAME", "Web.Example.net.", "web.example.net."),
        ("CAA", '0 issue "letsencrypt.org"', '0 issue "letsencrypt.org"'),
        ("SRV", "0 5 5060 sip", "0 5 5060 sip.example.com."),
        ("TXT", "v=spf1 -all", '"v=spf1 -all"'),
        ("TXT", '"a" "b"', '"a" "b"'),
        ("HTTPS", '1 . alpn="h2"', '1 . alpn="h2"'),
        ("TLSA", "3 1 1 " + "AB" * 32, "3 1 1 " + "ab" * 32),
    ],
)
def test_values_are_normalised_by_dnspython(rtype, value, expected):
    spec, problems = check(type=rtype, ttl=300, values=[value])
    assert problems == []
    assert spec.values == (expected,)


def test_txt_strings_longer_than_255_octets_are_split():
    long_text = "x" * 600
    spec, problems = check(type="TXT", ttl=300, values=[long_text])
    assert problems == []
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.TXT, spec.values[0])
    assert [len(s) for s in rdata.strings] == [255, 255, 90]
    assert b"".join(rdata.strings) == long_text.encode()


def zone_problems(*specs: RecordSetSpec) -> list[str]:
    normalized = []
    for item in specs:
        spec, problems = rules.check_record_set(item, zone_name=ZONE, context=CONTEXT)
        assert problems == [], problems
        normalized.append(spec)
    return [str(problem) for problem in rules.check_zone(ZONE, normalized)]


def a(name: str = "www", *values: str, **fields) -> RecordSetSpec:
    return RecordSetSpec(name=name, type="A", ttl=300, values=values or ("192.0.2.1",), **fields)


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        (
            [a(), RecordSetSpec(name="www", type="CNAME", ttl=300, values=("web.example.net.",))],
            "www.example.com. CNAME: type: www.example.com. has a CNAME beside A; a CNAME must stand alone",
        ),
        (
            [
                RecordSetSpec(name="sub", type="NS", ttl=300, values=("ns.example.net.",)),
                RecordSetSpec(name="x.sub", type="TXT", ttl=300, values=("hi",)),
            ],
            "x.sub.example.com. TXT: name: x.sub.example.com. lies beneath the delegation sub.example.com.; "
            "only glue (A, AAAA) may be there",
        ),
        (
            [
                RecordSetSpec(name="sub", type="NS", ttl=300, values=("ns.example.net.",)),
                RecordSetSpec(name="sub", type="MX", ttl=300, values=("10 mail.example.net.",)),
            ],
            "sub.example.com. MX: type: sub.example.com. is a delegation; only NS, DS and glue may sit there",
        ),
        (
            [RecordSetSpec(name="sub", type="DS", ttl=300, values=("12345 13 2 " + "ab" * 32,))],
            "sub.example.com. DS: type: a DS record set belongs only at a delegation (a name with NS)",
        ),
        (
            [
                a(policy="weighted", set_identifier="one", weight=1),
                a(policy="latency", set_identifier="two", region="us-east-1"),
            ],
            "www.example.com. A (two): policy: www.example.com. A already uses the weighted policy; "
            "one policy kind per name and type",
        ),
        (
            [
                a(policy="failover", set_identifier="one", failover="PRIMARY"),
                a(policy="failover", set_identifier="two", failover="PRIMARY"),
            ],
            "www.example.com. A (two): failover: www.example.com. A already has a PRIMARY record set",
        ),
        (
            [
                a(policy="geolocation", set_identifier="one", country="FR"),
                a(policy="geolocation", set_identifier="two", country="FR"),
            ],
            "www.example.com. A (two): geolocation: www.example.com. A already has a record set for FR",
        ),
        (
            [
                a(policy="weighted", set_identifier="one", weight=1),
                a("www", "192.0.2.9", policy="weighted", set_identifier="one", weight=2),
            ],
            "www.example.com. A (one): name: www.example.com. A (one) already exists",
        ),
        (
            [
                RecordSetSpec(name="a", type="A", alias_target_name="b"),
                RecordSetSpec(name="b", type="A", alias_target_name="c"),
                RecordSetSpec(name="c", type="A", alias_target_name="a"),
            ],
            "a.example.com. A: alias_target: alias loop: "
            "a.example.com. → b.example.com. → c.example.com. → a.example.com.",
        ),
        (
            [RecordSetSpec(name="@", type="A", alias_target_name="www")],
            "example.com. A: alias_target: there is no A record set at www.example.com.",
        ),
    ],
)
def test_zone_rules_refuse_conflicts(specs, expected):
    assert expected in zone_problems(*specs)


@pytest.mark.parametrize(
    "specs",
    [
        [a(), RecordSetSpec(name="www", type="AAAA", ttl=300, values=("2001:db8::1",))],
        [
            RecordSetSpec(name="sub", type="NS", ttl=300, values=("ns.sub.example.com.",)),
            RecordSetSpec(name="sub", type="DS", ttl=300, values=("12345 13 2 " + "ab" * 32,)),
            a("ns.sub"),
        ],
        [
            a(policy="failover", set_identifier="p", failover="PRIMARY"),
            a(policy="failover", set_identifier="s", failover="SECONDARY"),
        ],
        [
            a(policy="geolocation", set_identifier="eu", continent="EU"),
            a(policy="geolocation", set_identifier="fr", country="FR"),
            a(policy="geolocation", set_identifier="us-ca", country="US", subdivision="CA"),
            a(policy="geolocation", set_identifier="default", country="*"),
        ],
        [a(), RecordSetSpec(name="@", type="A", alias_target_name="www", evaluate_target_health=True)],
        [
            a(policy="multivalue", set_identifier="1"),
            a("www", "192.0.2.2", policy="multivalue", set_identifier="2"),
        ],
    ],
)
def test_zone_rules_accept_valid_zones(specs):
    assert zone_problems(*specs) == []


def test_zone_names_are_normalised():
    assert rules.normalize_zone_name("Example.COM") == ("example.com.", [])
    _name, problems = rules.normalize_zone_name("")
    assert problems[0].message == "name: a hosted zone needs a domain name"
    _name, problems = rules.normalize_zone_name("*.example.com")
    assert problems[0].message == "name: *.example.com is not a domain name (a zone name has no wildcard)"


def test_soa_edit_may_change_only_timers():
    current = "ns1.example.net. hostmaster.example.net. 5 7200 900 1209600 86400"
    assert (
        rules.check_soa_edit(current, "ns1.example.net. hostmaster.example.net. 5 3600 600 604800 300") == []
    )
    problems = rules.check_soa_edit(
        current, "ns9.example.net. hostmaster.example.net. 5 7200 900 1209600 86400"
    )
    assert problems[0].message == "value: the SOA's mname is managed by the system"


@pytest.mark.parametrize(
    ("cidrs", "message"),
    [
        ([], "cidrs: a network needs at least one CIDR"),
        (["10.0.0.0/33"], "cidrs: 10.0.0.0/33 is not an IPv4 or IPv6 network"),
    ],
)
def test_network_cidrs_are_checked(cidrs, message):
    assert [p.message for p in rules.cidr_problems(cidrs)] == [message]


def test_the_sort_key_orders_names_as_dnssec_s_canonical_order():
    names = [
        "example.org.",
        "www.example.com.",
        "b.a.example.com.",
        "a.example.com.",
        "example.com.",
        "*.example.com.",
        "-.example.com.",
        "_acme-challenge.example.com.",
        "a-b.example.com.",
        "ab.example.com.",
        "\\000.example.com.",
        "\\255.example.com.",
        "z.example.com.",
        ".",
    ]
    by_dnspython = sorted(names, key=dns.name.from_text)
    assert sorted(names, key=rules.canonical_sort_key) == by_dnspython
    assert by_dnspython[:5] == [".", "example.com.", "\\000.example.com.", "*.example.com.", "-.example.com."]
    assert set("".join(map(rules.canonical_sort_key, names))) <= set("0123456789abcdefghijklmnopqrstuvwxyz")
    assert rules.canonical_sort_key("WWW.Example.COM.") == rules.canonical_sort_key("www.example.com.")
