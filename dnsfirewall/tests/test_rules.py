"""The firewall's rule module: domains and rules, table-driven, no database."""

import pytest

from dnsfirewall import rules


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("Example.COM.", "example.com"),
        ("*.example.com", "*.example.com"),
        ("*", "*"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("_dmarc.example.com", "_dmarc.example.com"),
    ],
)
def test_a_domain_is_stored_lowercase_without_the_trailing_dot(text, domain):
    assert rules.normalize_domain(text) == (domain, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "ex*ample.com",
            "ex*ample.com is not a domain name (a wildcard must be the whole first label)",
        ),
        (
            "www.*.example.com",
            "www.*.example.com is not a domain name (a wildcard must be the whole first label)",
        ),
        (
            "not a domain",
            "not a domain is not a domain name (letters, digits, - and _ only)",
        ),
        (".", ". is not a domain name"),
        ("a" * 64 + ".com", f"{'a' * 64}.com is not a domain name (A DNS label is > 63 octets long)"),
    ],
)
def test_a_bad_domain_is_refused_with_the_reason(text, reason):
    assert rules.normalize_domain(text) == ("", reason)


def test_parsing_lines_skips_blanks_comments_and_repeats_and_names_bad_lines():
    domains, problems = rules.parse_domains(["# ads", "", "a.example", "A.example.", "b..example"])
    assert domains == ["a.example"]
    assert [problem.message for problem in problems] == [
        "domains: line 5: b..example is not a domain name (A DNS label is empty)"
    ]


@pytest.mark.parametrize(
    ("settings", "messages"),
    [
        ({"action": "ALLOW"}, []),
        ({"action": "DROP"}, ["action: DROP is not one of ALLOW, BLOCK, ALERT"]),
        ({"action": "BLOCK"}, ["block_response: (none) is not one of NODATA, NXDOMAIN, OVERRIDE"]),
        (
            {"action": "ALLOW", "block_response": "NXDOMAIN"},
            ["block_response: only a BLOCK rule has a block response, not ALLOW"],
        ),
        (
            {"action": "BLOCK", "block_response": "OVERRIDE"},
            ["override_type: (none) is not one of CNAME, A, AAAA"],
        ),
        (
            {
                "action": "BLOCK",
                "block_response": "OVERRIDE",
                "override_type": "AAAA",
                "override_value": "192.0.2.1",
            },
            ["override_value: 192.0.2.1 is not a AAAA value (Text input is malformed)"],
        ),
        (
            {
                "action": "BLOCK",
                "block_response": "OVERRIDE",
                "override_type": "CNAME",
                "override_value": "x.example",
            },
            [],
        ),
        ({"action": "ALERT", "priority": 0}, ["priority: 0 is not a whole number of at least 1"]),
        (
            {"action": "ALERT", "override_ttl": 604801},
            ["override_ttl: 604801 is not a TTL between 0 and 604800"],
        ),
    ],
)
def test_rule_settings_are_checked_by_field(settings, messages):
    given = {
        "priority": 1,
        "block_response": "",
        "override_type": "",
        "override_value": "",
        "override_ttl": 60,
    }
    problems = rules.rule_problems(**{**given, **settings})
    assert [problem.message for problem in problems] == messages


def test_an_override_value_is_stored_absolute():
    assert rules.normalize_override("CNAME", "walled.example.net") == ("walled.example.net.", [])
