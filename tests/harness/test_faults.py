"""Faults on several hosts: take a part away and measure what a user sees.

The harness (scripts/netns/harness.py) is built once for the module: PostgreSQL, Redis, the
web, two DNS servers, two region workers, beat, an unbound resolver and a client, each in its
own network namespace. Each test breaks one thing, asserts on what keeps working, prints its
figures and adds them to test-artifacts/harness-report.txt; it then puts the part back.
The figures are measurements, never assertions (bench/ is where speed is judged).
"""

import collections
import contextlib
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kernel.testing import debian_program
from scripts.netns import harness as netns
from scripts.netns import topology

pytestmark = pytest.mark.harness

ROOT = Path(__file__).resolve().parents[2]
REPORT_PATH = ROOT / "test-artifacts" / "harness-report.txt"


def wait_for(condition, seconds: float, what: str, harness=None, logs: tuple[str, ...] = ()):
    """Poll `condition` until it returns something truthy; fail naming `what` (with logs) after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            tails = (
                "".join(f"\n---- {name}.log\n{harness.log(name)[-2500:]}" for name in logs) if harness else ""
            )
            raise AssertionError(f"timed out after {seconds} s waiting for {what}{tails}")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def harness():
    reason = topology.cannot_build_reason()
    if reason:
        pytest.skip(reason)
    debian_program("unbound")
    debian_program("redis-server")
    if not (netns.POSTGRES_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL's initdb is missing at {netns.POSTGRES_BIN}: install postgresql-15")
    built = netns.Harness().up()
    try:
        yield built
    finally:
        built.down()


@pytest.fixture(scope="module")
def report():
    """Lines of the module's report: printed as they come, written to the artifact at the end."""
    lines: list[str] = []

    def add(fault: str, figures: dict, seen: str) -> None:
        line = f"{fault}: {json.dumps(figures)}; a user saw: {seen}"
        print(line)
        lines.append(line)

    yield add
    REPORT_PATH.parent.mkdir(exist_ok=True)
    REPORT_PATH.write_text(
        f"Fault tests on the network-namespace harness, {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n"
        + "".join(f"- {line}\n" for line in lines)
    )


def zone_answers(harness, host: str) -> dict[str, list[str]]:
    """What `host` answers for each zone's www, asked on one of that zone's name servers on it."""
    answers = {}
    for zone in harness.scenario["zones"]:
        address = sorted(set(zone["name_server_addresses"]) & set(topology.HOSTS[host]))[0]
        answers[zone["name"]] = harness.probe("dns", address, f"www.{zone['name']}", "A")["answer"]
    return answers


def expected_answers(harness) -> dict[str, list[str]]:
    return {zone["name"]: [zone["www"]] for zone in harness.scenario["zones"]}


def test_one_region_cut_off_is_outvoted_and_both_cut_off_move_the_failover_record(harness, report):
    check_id = str(harness.scenario["check_id"])
    app = harness.scenario["app"]

    def health():
        return harness.operate("health", check_id)

    both_healthy = {"is_healthy": True, "regions": {"us-east-1": True, "eu-west-1": True}}
    wait_for(
        lambda: health() == both_healthy, 90, "both regions to see the target healthy", harness, ("beat",)
    )
    cut_at = time.monotonic()
    harness.cut_off("worker-a", topology.TARGET_ADDRESS)
    try:
        status = wait_for(
            lambda: (status := health())["regions"]["us-east-1"] is False and status,
            60,
            "us-east-1 to report the target unhealthy",
            harness,
            ("worker-a",),
        )
        region_seconds = time.monotonic() - cut_at
        # One healthy region of two is 50%, more than the 18% the share rule asks for.
        assert status == {"is_healthy": True, "regions": {"us-east-1": False, "eu-west-1": True}}
        assert harness.probe("dns", topology.RESOLVER_ADDRESS, app["name"], "A")["answer"] == [app["primary"]]

        both_cut_at = time.monotonic()
        harness.cut_off("worker-b", topology.TARGET_ADDRESS)
        wait_for(
            lambda: health() == {"is_healthy": False, "regions": {"us-east-1": False, "eu-west-1": False}},
            60,
            "both regions and the check to turn unhealthy",
            harness,
            ("worker-b",),
        )
        moved = harness.probe(
            "dns", topology.RESOLVER_ADDRESS, app["name"], "A", "--expect", app["secondary"], "--wait", "30"
        )
        assert moved["answer"] == [app["secondary"]], moved
        failover_seconds = time.monotonic() - both_cut_at
    finally:
        for host in ("worker-a", "worker-b"):
            # A host not cut off yet (the test failed before) has no route to remove.
            with contextlib.suppress(topology.HarnessError):
                harness.reconnect(host, topology.TARGET_ADDRESS)
    back_at = time.monotonic()
    wait_for(lambda: health() == both_healthy, 60, "the check to recover once both regions reach it again")
    back = harness.probe(
        "dns", topology.RESOLVER_ADDRESS, app["name"], "A", "--expect", app["primary"], "--wait", "30"
    )
    assert back["answer"] == [app["primary"]]
    report(
        "one region cut off, then both",
        {
            "seconds_until_the_region_reported_unhealthy": round(region_seconds, 1),
            "seconds_until_the_resolver_answered_the_secondary": round(failover_seconds, 1),
            "seconds_until_the_primary_was_answered_again": round(time.monotonic() - back_at, 1),
        },
        f"{app['name']} kept answering the primary while one region of two failed (the other outvotes it); "
        "with both cut off it answered the secondary; the primary came back once they reached it again",
    )


def test_a_worker_killed_while_sending_alerts_loses_none_and_repeats_only_those_cut_mid_send(harness, report):
    alarm_id = str(harness.scenario["alarms"]["many"])
    recipients = harness.scenario["recipients"]["many"]

    def alerts() -> list[dict]:
        return [mail for mail in harness.mails() if mail["subject"] == "ALARM: harness many alarm"]

    harness.operate("fire-alarm", alarm_id)
    wait_for(lambda: len(alerts()) >= 3, 90, "the first alerts to arrive", harness, ("worker-a", "worker-b"))
    killed_at = time.monotonic()
    harness.kill("worker-a")
    delivered_when_killed = len(alerts())
    assert delivered_when_killed < recipients, (
        "the worker was killed after every alert had gone: nothing tested"
    )
    # As systemd would (Restart=always), the worker is started again; its unacknowledged tasks
    # come back once they are older than the broker's visibility timeout, so it starts after that.
    wait_for(
        lambda: time.monotonic() - killed_at > netns.VISIBILITY_TIMEOUT_SECONDS + 1,
        netns.VISIBILITY_TIMEOUT_SECONDS + 5,
        "the visibility timeout",
    )
    harness.start("worker-a")
    harness.wait_for_worker("worker-a")
    wait_for(
        lambda: harness.operate("notifications", alarm_id)["states"] == {"sent": recipients},
        90,
        "every notification to be sent",
        harness,
        ("worker-a", "worker-b"),
    )
    state = harness.operate("notifications", alarm_id)

    per_recipient = collections.Counter(mail["to"][0] for mail in alerts())
    # None lost: every subscriber got the alert.
    assert sorted(per_recipient) == sorted(f"alert-{n}@example.test" for n in range(recipients))
    # A second copy goes out only where the killed worker's own attempt was cut off after the mail
    # server had accepted the message and before the row said so: SMTP has no way to ask whether a
    # message went through, so that attempt is made again. Anything else sent twice is a bug.
    repeated = {address: count for address, count in per_recipient.items() if count > 1}
    attempts = state["attempts_by_endpoint"]
    assert all(count == 2 and attempts[address] == 2 for address, count in repeated.items()), (
        repeated,
        attempts,
    )
    # At most the killed worker's sends in flight.
    assert len(repeated) <= netns.WORKER_CONCURRENCY, repeated
    # And such a repeat is the same message, not a second alert: one Message-ID per subscriber,
    # so a mail store keeps one.
    message_ids = collections.defaultdict(set)
    for mail in alerts():
        message_ids[mail["to"][0]].add(mail["message_id"])
    assert all(len(ids) == 1 and "" not in ids for ids in message_ids.values()), message_ids
    report(
        "a worker SIGKILLed while sending alerts",
        {
            "alerts": recipients,
            "delivered_when_killed": delivered_when_killed,
            "smtp_deliveries": sum(per_recipient.values()),
            "subscribers_with_a_second_copy": len(repeated),
            "distinct_alerts_per_subscriber": sorted({len(ids) for ids in message_ids.values()}),
            "attempts": state["attempts"],
            "seconds_until_all_delivered": round(time.monotonic() - killed_at, 1),
        },
        "every subscriber got the alert; those the killed worker held arrived after the restart; "
        f"{len(repeated)} got it twice (the worker died after the mail server accepted it, before the "
        "row recorded it)",
    )


def test_dns1_killed_the_client_keeps_resolving_every_name(harness, report):
    names = [f"www.{zone['name']}={zone['www']}" for zone in harness.scenario["zones"]]
    loop = subprocess.Popen(
        [
            *("ip", "netns", "exec", topology.namespace("client"), str(netns.PYTHON), str(netns.PROBE)),
            *("lookups", topology.RESOLVER_ADDRESS, *names, "--seconds", "15", "--max-rounds", "1000"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert loop.stdout.readline().strip() == "ready"
        harness.kill("dns1")
        output, _ = loop.communicate(timeout=60)
    finally:
        if loop.poll() is None:
            loop.kill()
    summary = json.loads(output.strip().splitlines()[-1])
    try:
        # Every name resolved in the loop's second half, long after the kill, and still does now
        # with dns1 down; dns2 answers every zone itself.
        for name in names:
            qname, address = name.split("=")
            assert harness.probe("dns", topology.RESOLVER_ADDRESS, qname, "A")["answer"] == [address]
        assert zone_answers(harness, "dns2") == expected_answers(harness)
        assert summary["answered_in_the_second_half"] == sorted(name.split("=")[0] for name in names)
    finally:
        harness.start("dns1")
        harness.wait_for_dns("dns1")
    report(
        "dns1 killed",
        {key: summary[key] for key in ("lookups", "failed", "longest_gap_seconds")},
        f"{summary['failed']} failed lookups of {summary['lookups']} through the resolver; the longest "
        f"a name went without an answer was {summary['longest_gap_seconds']} s",
    )
    print(json.dumps(summary["failures"], indent=1))


def test_redis_stopped_dns_answers_changes_arrive_by_poll_and_queued_work_resumes(harness, report):
    zone = harness.scenario["zones"][0]
    alarm_id = str(harness.scenario["alarms"]["single"])

    harness.stop("redis")
    try:
        for host in ("dns1", "dns2"):
            assert zone_answers(harness, host) == expected_answers(harness), host
        changed_at = time.time()
        harness.operate("change-record", str(zone["id"]), "www", "192.0.2.99")
        # Each of the zone's four name servers (two on each DNS host), asked from the client at once.
        servers = ",".join(zone["name_server_addresses"])
        moved = harness.probe(
            *("dns", servers, f"www.{zone['name']}", "A", "--expect", "192.0.2.99"),
            *("--wait", "30", "--since", str(changed_at)),
        )
        assert not moved["timed_out"], moved
        seconds = {address: result["seconds"] for address, result in moved["servers"].items()}
        # An alert accepted while Redis is away: the alarm's event is a row in the database.
        harness.operate("fire-alarm", alarm_id)
    finally:
        # The record back as the scenario has it, for the tests after this one (through the poll too).
        harness.operate("change-record", str(zone["id"]), "www", zone["www"])
        harness.start("redis")
        harness.wait_for_redis()
    restarted_at = time.monotonic()
    # beat finds its lock gone with Redis and exits; a worker may exit too (Celery's consumer
    # sometimes fails with "Unrecoverable error" when the broker drops it, and shuts down). As
    # systemd does with Restart=always, whatever exited is started again.
    for name in ("worker-a", "worker-b"):
        if harness.has_failed_since_start(name):
            wait_for(lambda name=name: not harness.is_running(name), 30, f"{name} to exit after its error")
    exited = [name for name in ("beat", "worker-a", "worker-b") if not harness.is_running(name)]
    for name in exited:
        harness.start(name)

    def delivered() -> list[dict]:
        return [mail for mail in harness.mails() if mail["subject"] == "ALARM: harness single alarm"]

    wait_for(
        lambda: delivered(), 90, "the alert accepted while Redis was away", harness, ("beat", "worker-a")
    )
    wait_for(
        lambda: harness.operate("notifications", alarm_id)["states"] == {"sent": 1},
        30,
        "the notification to be recorded as sent",
    )
    assert len(delivered()) == 1
    restored = harness.probe(
        "dns", servers, f"www.{zone['name']}", "A", "--expect", zone["www"], "--wait", "30"
    )
    assert not restored["timed_out"], restored
    report(
        "Redis stopped",
        {
            "seconds_from_the_change_until_each_name_server_served_it": seconds,
            "poll_interval_seconds": netns.DNS_POLL_SECONDS,
            "seconds_from_redis_back_to_the_alert": round(time.monotonic() - restarted_at, 1),
            "exited_and_started_again": exited,
        },
        "answers never stopped; a change made meanwhile was served by both DNS servers from the database "
        "poll; the alert raised meanwhile arrived once after Redis came back",
    )


def test_database_stopped_dns_answers_from_memory_and_the_console_answers_503_then_recovers(harness, report):
    page = f"http://{topology.WEB_ADDRESS}:{topology.WEB_PORT}/rdap/domain/{harness.scenario['zones'][0]['name']}"
    assert harness.probe("http", page)["status"] == 200

    harness.stop("postgres", signal.SIGINT)
    try:
        for host in ("dns1", "dns2"):
            assert zone_answers(harness, host) == expected_answers(harness), host
        unavailable = harness.probe("http", page)
        assert unavailable["status"] == 503, unavailable
        assert unavailable["headers"]["Retry-After"] == "10"
        assert "The console is briefly unavailable" in unavailable["body"]
        assert "Traceback" not in unavailable["body"]
    finally:
        harness.start("postgres")
        harness.wait_for_postgres()
    recovered = harness.probe("http", page, "--expect-status", "200", "--wait", "60")
    assert recovered["status"] == 200, recovered
    for host in ("dns1", "dns2"):
        assert zone_answers(harness, host) == expected_answers(harness), host
    report(
        "database stopped",
        {
            "console_status_while_stopped": unavailable["status"],
            # Every request from the database's return until a 200: one means no user saw a 503 after it.
            "statuses_after_the_database_returned": recovered["statuses"],
        },
        "the DNS servers answered every zone from memory; the console answered its 503 page with "
        "Retry-After, then its pages again with no restart",
    )
