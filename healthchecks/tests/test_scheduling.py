"""Claims, leases and the schedule; probe results into region and check status; the Redis health view."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from healthchecks import services, tasks
from healthchecks.models import HealthCheck, HealthCheckRegion, ProbeResult, StatusChange
from healthchecks.probes import ProbeOutcome
from kernel import bus

from .conftest import http_check

REGION = "us-east-1"


def _make_due(check: HealthCheck) -> None:
    """The next slot has come: move every region's next run to now."""
    check.region_states.update(next_run_at=timezone.now())


def run_round(check: HealthCheck) -> None:
    """Claim and run every due probe of the check's regions, as the dispatcher and a worker would."""
    _make_due(check)
    for region in check.regions:
        token, claimed = services.claim_due_probes(region=region, lookahead_seconds=0)
        tasks.run_probes(token, [[pk, due.timestamp()] for pk, due in claimed])


def outcome(key: int, ok: bool) -> ProbeOutcome:
    return ProbeOutcome(key, ok, 200 if ok else 500, 5, "" if ok else "HTTP status 500", time.time(), 0)


def test_a_due_probe_is_claimed_once(owner, target):
    check = http_check(owner, target.port)
    token, claimed = services.claim_due_probes(region=REGION, lookahead_seconds=0)
    again_token, again = services.claim_due_probes(region=REGION, lookahead_seconds=0)
    row = HealthCheckRegion.objects.get(health_check=check, region=REGION)
    assert len(claimed) == 1 and claimed[0][0] == row.pk
    assert again == []
    assert row.lease_token == token != again_token


def test_no_overlapping_runs_even_when_the_next_slot_is_due_during_a_run(owner, target):
    check = http_check(owner, target.port)
    token, claimed = services.claim_due_probes(region=REGION, lookahead_seconds=0)
    row = HealthCheckRegion.objects.get(health_check=check, region=REGION)
    # The next slot is due while the first run still holds the lease: nobody may claim it.
    _, during = services.claim_due_probes(region=REGION, now=row.next_run_at + timedelta(seconds=1))
    assert during == []
    tasks.run_probes(token, [[pk, due.timestamp()] for pk, due in claimed])
    # Recorded, the lease is free, and the next slot is claimable.
    _, after = services.claim_due_probes(region=REGION, now=row.next_run_at, lookahead_seconds=0)
    assert [pk for pk, _ in after] == [row.pk]


def test_a_dead_workers_lease_expires_and_its_late_result_is_ignored(owner, target):
    check = http_check(owner, target.port)
    dead_token, _ = services.claim_due_probes(region=REGION, lookahead_seconds=0)
    row = HealthCheckRegion.objects.get(health_check=check, region=REGION)
    later = row.lease_until + timedelta(seconds=1)
    new_token, reclaimed = services.claim_due_probes(region=REGION, now=later, lookahead_seconds=0)
    assert [pk for pk, _ in reclaimed] == [row.pk]
    services.record_probe_results(token=dead_token, outcomes=[outcome(row.pk, False)])
    assert ProbeResult.objects.count() == 0
    tasks.run_probes(new_token, [[pk, time.time()] for pk, _ in reclaimed])
    assert ProbeResult.objects.filter(health_check=check, region=REGION).count() == 1


def test_the_schedule_keeps_its_grid_and_skips_missed_slots(owner, target):
    check = http_check(owner, target.port)
    row = HealthCheckRegion.objects.get(health_check=check, region=REGION)
    due = row.next_run_at
    services.claim_due_probes(region=REGION, now=due + timedelta(seconds=0.3), lookahead_seconds=0)
    row.refresh_from_db()
    assert row.next_run_at == due + timedelta(seconds=10)
    HealthCheckRegion.objects.filter(pk=row.pk).update(lease_token="", lease_until=None)
    services.claim_due_probes(region=REGION, now=due + timedelta(seconds=95), lookahead_seconds=0)
    row.refresh_from_db()
    assert row.next_run_at == due + timedelta(seconds=100)


def test_disabled_and_calculated_checks_are_not_probed(owner, target):
    check = http_check(owner, target.port)
    services.set_health_check_disabled(check=check, is_disabled=True)
    services.create_health_check(
        owner=owner,
        data={
            "name": "calc",
            "check_type": "calculated",
            "child_checks": [check.pk],
            "healthy_children_threshold": 1,
            "request_interval_seconds": 30,
            "failure_threshold": 3,
        },
    )
    _, claimed = services.claim_due_probes(region=REGION, lookahead_seconds=0)
    assert claimed == []


def test_a_down_target_turns_the_check_unhealthy_in_redis_and_back(
    owner, target, closed_port, health_view, django_capture_on_commit_callbacks
):
    check = http_check(owner, closed_port)
    pubsub = health_view.pubsub()
    pubsub.subscribe(bus.channel_name(bus.HEALTH_CHANGES_CHANNEL, health_view))
    pubsub.get_message(timeout=1)
    with django_capture_on_commit_callbacks(execute=True):
        run_round(check)
    check.refresh_from_db()
    assert check.is_healthy is False
    assert health_view.hget(bus.HEALTH_STATUS_KEY, str(check.pk)) == b"0"
    message = pubsub.get_message(timeout=2)
    assert message["data"] == f"{check.pk} 0".encode()
    assert services.current_status([check.pk, 999999]) == {check.pk: False, 999999: True}

    services.update_health_check(check=check, data={"port": target.port})
    with django_capture_on_commit_callbacks(execute=True):
        run_round(check)
    check.refresh_from_db()
    assert check.is_healthy is True
    assert health_view.hget(bus.HEALTH_STATUS_KEY, str(check.pk)) == b"1"
    assert [c.is_healthy for c in StatusChange.objects.filter(health_check=check).order_by("id")] == [
        True,
        False,
        True,
    ]
    pubsub.close()


def test_failure_threshold_needs_consecutive_failures_in_a_region(owner, closed_port):
    check = http_check(owner, closed_port, failure_threshold=2)
    run_round(check)
    check.refresh_from_db()
    assert check.is_healthy is True
    assert set(check.region_states.values_list("consecutive_failures", flat=True)) == {1}
    run_round(check)
    check.refresh_from_db()
    assert check.is_healthy is False


def _record(check: HealthCheck, verdicts: dict[str, bool]) -> None:
    _make_due(check)
    for region, ok in verdicts.items():
        token, claimed = services.claim_due_probes(region=region, lookahead_seconds=0)
        services.record_probe_results(token=token, outcomes=[outcome(pk, ok) for pk, _ in claimed])


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ({"us-east-1": False, "eu-west-1": True, "ap-southeast-1": True}, True),
        ({"us-east-1": False, "eu-west-1": False, "ap-southeast-1": True}, True),  # 33% > 18%
        ({"us-east-1": False, "eu-west-1": False, "ap-southeast-1": False}, False),
    ],
)
def test_region_share_decides_the_status(owner, target, verdicts, expected):
    check = http_check(owner, target.port)
    _record(check, verdicts)
    check.refresh_from_db()
    assert check.is_healthy is expected


def test_region_share_is_configurable(owner, target, settings):
    settings.HEALTHCHECK_HEALTHY_REGION_SHARE = 0.5
    check = http_check(owner, target.port)
    _record(check, {"us-east-1": False, "eu-west-1": False, "ap-southeast-1": True})
    check.refresh_from_db()
    assert check.is_healthy is False


def test_calculated_check_follows_its_children(owner, target, closed_port):
    up = http_check(owner, target.port, name="up")
    down = http_check(owner, closed_port, name="down")
    calc = services.create_health_check(
        owner=owner,
        data={
            "name": "both",
            "check_type": "calculated",
            "child_checks": [up.pk, down.pk],
            "healthy_children_threshold": 2,
            "request_interval_seconds": 30,
            "failure_threshold": 3,
        },
    )
    assert calc.is_healthy is True
    run_round(down)
    calc.refresh_from_db()
    assert calc.is_healthy is False
    services.update_health_check(check=calc, data={"healthy_children_threshold": 1})
    calc.refresh_from_db()
    assert calc.is_healthy is True


def test_inverted_check_is_healthy_while_its_target_is_down(owner, closed_port):
    check = http_check(owner, closed_port, is_inverted=True)
    run_round(check)
    check.refresh_from_db()
    assert check.is_healthy is True
    assert check.status_changes.first().reason.startswith("inverted: 0 of 3 regions healthy")


def test_a_calculated_check_cannot_include_itself(owner, target):
    child = http_check(owner, target.port)
    calc = services.create_health_check(
        owner=owner,
        data={
            "name": "calc",
            "check_type": "calculated",
            "child_checks": [child.pk],
            "healthy_children_threshold": 1,
            "request_interval_seconds": 30,
            "failure_threshold": 3,
        },
    )
    with pytest.raises(services.InvalidHealthCheck) as error:
        services.update_health_check(check=calc, data={"child_checks": [child.pk, calc.pk]})
    assert (error.value.field, error.value.message) == (
        "child_checks",
        "child_checks: a calculated check cannot include itself, directly or not",
    )


def test_dispatcher_sends_each_regions_probes(owner, target, settings, eager_tasks):
    settings.HEALTHCHECK_DISPATCH_LOOKAHEAD_SECONDS = 0
    check = http_check(owner, target.port)
    assert tasks.dispatch_due_checks() == 3
    assert sorted(ProbeResult.objects.filter(health_check=check).values_list("region", flat=True)) == sorted(
        check.regions
    )
    assert len(target.requests) == 3


def test_redis_failure_keeps_the_database_and_a_resync_restores_the_view(
    owner, closed_port, health_view, settings
):
    check = http_check(owner, closed_port)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert services.publish_health_changes({check.pk: False}) is False
    run_round(check)
    check.refresh_from_db()
    assert check.is_healthy is False
    settings.REDIS_URL = health_view.connection_pool.connection_kwargs and _url(health_view)
    health_view.hset(bus.HEALTH_STATUS_KEY, "424242", "0")
    assert services.sync_health_view() == 1
    assert health_view.hgetall(bus.HEALTH_STATUS_KEY) == {str(check.pk).encode(): b"0"}


def _url(client) -> str:
    kwargs = client.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs['db']}"


def test_old_results_are_pruned(owner, target, settings):
    settings.HEALTHCHECK_RESULT_RETENTION_DAYS = 7
    check = http_check(owner, target.port)
    old = timezone.now() - timedelta(days=8)
    ProbeResult.objects.create(health_check=check, region=REGION, checked_at=old, is_success=True)
    ProbeResult.objects.create(health_check=check, region=REGION, is_success=True)
    assert services.prune_probe_results() == 1
    assert ProbeResult.objects.count() == 1
