"""The rule module, table-driven, no database."""

from datetime import UTC, datetime, timedelta

import pytest

from healthchecks import rules

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1"]
GOOD = {
    "name": "web",
    "check_type": "http",
    "ip_address": "9.9.9.9",
    "port": 80,
    "resource_path": "/health",
    "request_interval_seconds": 30,
    "failure_threshold": 3,
    "timeout_seconds": 4.0,
    "regions": REGIONS,
}


def problems_of(check_id=None, graph=None, **changes):
    data = {**GOOD, **changes}
    return [
        (p.field, p.message)
        for p in rules.validate_health_check(
            data, available_regions=REGIONS, check_id=check_id, child_graph=graph
        )
    ]


def test_good_settings_have_no_problems():
    assert problems_of() == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"port": 0}, ("port", "port: 0 is not a valid port; use 1 to 65535")),
        ({"port": 70000}, ("port", "port: 70000 is not a valid port; use 1 to 65535")),
        (
            {"failure_threshold": 11},
            ("failure_threshold", "failure_threshold: 11 is out of range; use 1 to 10"),
        ),
        (
            {"failure_threshold": 0},
            ("failure_threshold", "failure_threshold: 0 is out of range; use 1 to 10"),
        ),
        (
            {"request_interval_seconds": 20},
            ("request_interval_seconds", "request_interval_seconds: 20 is not 10 or 30"),
        ),
        ({"ip_address": "300.1.2.3"}, ("ip_address", "ip_address: 300.1.2.3 is not an IPv4 or IPv6 address")),
        (
            {"ip_address": "", "host_name": ""},
            ("ip_address", "ip_address: give an IP address or a host name to probe"),
        ),
        (
            {"resource_path": "health"},
            (
                "resource_path",
                "resource_path: health must start with / and contain no spaces or control characters",
            ),
        ),
        (
            {"resource_path": "/a b"},
            (
                "resource_path",
                "resource_path: /a b must start with / and contain no spaces or control characters",
            ),
        ),
        (
            {"timeout_seconds": 10.0},
            ("timeout_seconds", "timeout_seconds: 10.0 is out of range; use 0.5 to 9"),
        ),
        (
            {"timeout_seconds": 9.0, "request_interval_seconds": 10, "failure_threshold": 1},
            None,
        ),
        (
            {"regions": ["mars-1"]},
            (
                "regions",
                "regions: mars-1 is not a checker region; choose from us-east-1, eu-west-1, ap-southeast-1",
            ),
        ),
        ({"regions": []}, ("regions", "regions: choose at least one checker region")),
        (
            {"check_type": "gopher"},
            ("check_type", "check_type: gopher is not one of " + ", ".join(rules.CHECK_TYPES)),
        ),
        (
            {"check_type": "http_str_match"},
            ("search_string", "search_string: give the text the response body must contain"),
        ),
        (
            {"check_type": "https_str_match", "search_string": "x" * 256},
            ("search_string", "search_string: 256 characters is longer than 255"),
        ),
        (
            {"search_string": "ok"},
            ("search_string", "search_string: only string-matching checks use it, not http"),
        ),
        ({"check_type": "tcp", "port": None}, ("port", "port: a TCP check needs a port")),
        (
            {"host_name": "bad name!.example", "ip_address": ""},
            (
                "host_name",
                "host_name: bad name!.example is not a host name (letters, digits and hyphens per label)",
            ),
        ),
        ({"name": " "}, ("name", "name: give the check a name")),
    ],
)
def test_bad_settings_get_clear_errors(changes, expected):
    found = problems_of(**changes)
    if expected is None:
        assert found == []
    else:
        assert expected in found


CALC = {
    "name": "both",
    "check_type": "calculated",
    "child_checks": [2, 3],
    "healthy_children_threshold": 2,
    "regions": [],
    "request_interval_seconds": 30,
    "failure_threshold": 3,
}


@pytest.mark.parametrize(
    ("check_id", "graph", "changes", "expected"),
    [
        (1, {}, {}, []),
        (
            2,
            {},
            {},
            [("child_checks", "child_checks: a calculated check cannot include itself, directly or not")],
        ),
        (
            1,
            {3: [4], 4: [1]},
            {},
            [("child_checks", "child_checks: a calculated check cannot include itself, directly or not")],
        ),
        (
            1,
            {},
            {"healthy_children_threshold": 3},
            [("healthy_children_threshold", "healthy_children_threshold: 3 is out of range; use 0 to 2")],
        ),
        (
            1,
            {},
            {"child_checks": [], "healthy_children_threshold": 0},
            [("child_checks", "child_checks: a calculated check needs at least one child")],
        ),
        (
            1,
            {},
            {"child_checks": list(range(10, 266)), "healthy_children_threshold": 1},
            [("child_checks", "child_checks: 256 is more than 255 children")],
        ),
    ],
)
def test_calculated_check_rules(check_id, graph, changes, expected):
    data = {**CALC, **changes}
    found = [
        (p.field, p.message)
        for p in rules.validate_health_check(
            data, available_regions=REGIONS, check_id=check_id, child_graph=graph
        )
    ]
    assert found == expected


@pytest.mark.parametrize(
    ("start", "results", "threshold", "expected_healthy"),
    [
        ((True, 0, 0), [False], 1, False),
        ((True, 0, 0), [False, False], 3, True),
        ((True, 0, 0), [False, False, False], 3, False),
        ((True, 0, 0), [False, True, False, False], 3, True),
        ((False, 3, 0), [True, True], 3, False),
        ((False, 3, 0), [True, True, True], 3, True),
        ((False, 3, 0), [True, False, True, True], 3, False),
    ],
)
def test_each_region_applies_the_failure_threshold_to_consecutive_results(
    start, results, threshold, expected_healthy
):
    state = rules.RegionState(*start)
    for result in results:
        state = rules.apply_probe_to_region(state, is_success=result, failure_threshold=threshold)
    assert state.is_healthy is expected_healthy


@pytest.mark.parametrize(
    ("regions", "share", "expected"),
    [
        ([True, True, True], 0.18, True),
        ([True, False, False], 0.18, True),  # 33% > 18%
        ([False, False, False], 0.18, False),
        ([True] + [False] * 5, 0.18, False),  # 16.7% is not more than 18%
        ([True, True] + [False] * 8, 0.18, True),  # 20%
        ([True, False], 0.5, False),  # exactly the share is not more than it
        ([], 0.18, True),
    ],
)
def test_a_check_is_healthy_while_more_than_the_share_of_regions_say_so(regions, share, expected):
    assert rules.status_from_regions(regions, share) is expected


@pytest.mark.parametrize(
    ("children", "needed", "expected"),
    [([True, True, False], 2, True), ([True, False, False], 2, False), ([False], 0, True), ([], 0, True)],
)
def test_calculated_status_counts_healthy_children(children, needed, expected):
    assert rules.calculated_status(children, needed) is expected


@pytest.mark.parametrize(
    ("raw", "inverted", "disabled", "expected"),
    [
        (True, False, False, True),
        (False, False, False, False),
        (True, True, False, False),
        (False, True, False, True),
        (False, False, True, True),
        (False, True, True, True),
    ],
)
def test_inverted_and_disabled_checks(raw, inverted, disabled, expected):
    assert rules.final_status(raw, is_inverted=inverted, is_disabled=disabled) is expected


T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now_offset", "expected_offset"),
    [(0.2, 10), (9.9, 10), (10, 20), (35, 40), (3600.5, 3610)],
)
def test_next_run_stays_on_the_grid_and_skips_missed_slots(now_offset, expected_offset):
    now = T0 + timedelta(seconds=now_offset)
    assert rules.next_run_after(T0, 10, now) == T0 + timedelta(seconds=expected_offset)


@pytest.mark.parametrize(
    ("attempt", "jitter", "expected"), [(1, 0.0, 2.5), (1, 1.0, 5.0), (3, 0.0, 10.0), (20, 0.0, 300.0)]
)
def test_backoff_grows_exponentially_with_jitter_and_a_cap(attempt, jitter, expected):
    assert rules.backoff_seconds(attempt, jitter=jitter) == pytest.approx(expected)
