"""What an operator or a user does on the harness, through our own services (run on the web host).

    ip netns exec np-web .venv/bin/python scripts/netns/operations.py setup
    ... operations.py change-record ZONE_ID www 192.0.2.99
    ... operations.py health CHECK_ID
    ... operations.py fire-alarm ALARM_ID
    ... operations.py notifications ALARM_ID
    ... operations.py serve        # the same commands, one per line on stdin (the harness's way)

Each prints one JSON object on its last line. The environment is the harness's: the
database and Redis of the `db` and `redis` hosts.
"""

import json
import os
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nameplate.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from healthchecks import alerting  # noqa: E402
from healthchecks import services as check_services  # noqa: E402
from healthchecks.models import Alarm, HealthCheck, Notification  # noqa: E402
from tests.support import buy_domain  # noqa: E402
from zones import services as zone_services  # noqa: E402
from zones.models import HostedZone  # noqa: E402
from zones.rules import RecordSetSpec  # noqa: E402

DOMAINS = ("harness-one.com", "harness-two.net", "harness-three.org")
TARGET_ADDRESS = "198.51.100.60"
PRIMARY_ADDRESS = "192.0.2.61"
SECONDARY_ADDRESS = "192.0.2.62"
ALERT_RECIPIENTS = 24
# Short TTLs: the resolver asks our servers again within a second or two, so what the client
# sees follows the servers rather than the resolver's cache.
TTL_SECONDS = 1


def www_address(index: int) -> str:
    return f"192.0.2.{10 + index}"


def _user(email: str) -> User:
    return User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password="harness-password-53", email_verified_at=timezone.now()
    )


def _alarm_topic(owner: User, name: str, recipients: list[str], check: HealthCheck) -> Alarm:
    topic = alerting.create_topic(owner=owner, name=name)
    for address in recipients:
        alerting.subscribe(topic=topic, protocol="email", endpoint=address)
    # Confirmation is its own flow, tested elsewhere: here every subscriber has confirmed (a
    # confirmation mail may still go out if beat's dispatcher claims it first; it is not an alert).
    topic.subscriptions.update(confirmed_at=timezone.now())
    return alerting.create_alarm(owner=owner, name=f"{name} alarm", topic=topic, health_check=check)


def setup() -> dict:
    """Three bought domains with a www record each, a failover pair behind a health check, alarms."""
    owner = _user("harness-owner@example.com")
    zones = []
    for index, name in enumerate(DOMAINS):
        zone = buy_domain(owner, name).hosted_zone
        spec = RecordSetSpec(name="www", type="A", ttl=TTL_SECONDS, values=(www_address(index),))
        zone_services.apply_change_batch(hosted_zone=zone, changes=[zone_services.Change("CREATE", spec)])
        pool = zone_services.name_server_pool()
        zones.append(
            {
                "id": zone.pk,
                "name": name,
                "www": www_address(index),
                "name_server_addresses": [pool[host] for host in zone.name_servers],
            }
        )
    check = check_services.create_health_check(
        owner=owner,
        data={
            "name": "harness target",
            "check_type": HealthCheck.HTTP,
            "ip_address": TARGET_ADDRESS,
            "port": 80,
            "resource_path": "/",
            "request_interval_seconds": 10,
            "failure_threshold": 1,
            "timeout_seconds": 2.0,
        },
    )
    failover = [
        RecordSetSpec(
            name="app",
            type="A",
            ttl=TTL_SECONDS,
            values=(PRIMARY_ADDRESS,),
            policy="failover",
            set_identifier="primary",
            failover="PRIMARY",
            health_check_id=check.pk,
        ),
        RecordSetSpec(
            name="app",
            type="A",
            ttl=TTL_SECONDS,
            values=(SECONDARY_ADDRESS,),
            policy="failover",
            set_identifier="secondary",
            failover="SECONDARY",
        ),
    ]
    zone_services.apply_change_batch(
        hosted_zone=HostedZone.objects.get(pk=zones[0]["id"]),
        changes=[zone_services.Change("CREATE", spec) for spec in failover],
    )
    # The alarms watch a disabled check (never probed, so never moved by it): the tests move them.
    quiet = check_services.create_health_check(
        owner=owner,
        data={
            "name": "harness alarm anchor",
            "check_type": HealthCheck.HTTP,
            "ip_address": TARGET_ADDRESS,
            "port": 80,
            "is_disabled": True,
        },
    )
    many = _alarm_topic(
        owner, "harness many", [f"alert-{n}@example.test" for n in range(ALERT_RECIPIENTS)], quiet
    )
    single = _alarm_topic(owner, "harness single", ["redis-away@example.test"], quiet)
    return {
        "zones": zones,
        "app": {"name": f"app.{DOMAINS[0]}", "primary": PRIMARY_ADDRESS, "secondary": SECONDARY_ADDRESS},
        "check_id": check.pk,
        "alarms": {"many": many.pk, "single": single.pk},
        "recipients": {"many": ALERT_RECIPIENTS, "single": 1},
    }


def change_record(zone_id: str, name: str, address: str) -> dict:
    spec = RecordSetSpec(name=name, type="A", ttl=TTL_SECONDS, values=(address,))
    batch = zone_services.apply_change_batch(
        hosted_zone=HostedZone.objects.get(pk=int(zone_id)), changes=[zone_services.Change("UPSERT", spec)]
    )
    return {"change_batch": batch.pk}


def health(check_id: str) -> dict:
    check = HealthCheck.objects.get(pk=int(check_id))
    regions = dict(check.region_states.values_list("region", "is_healthy"))
    return {"is_healthy": check.is_healthy, "regions": regions}


def fire_alarm(alarm_id: str) -> dict:
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().get(pk=int(alarm_id))
        state = Alarm.OK if alarm.state == Alarm.ALARM else Alarm.ALARM
        event = alerting.set_alarm_state(alarm=alarm, state=state, reason="harness: a fault test")
    return {"event": event.pk if event else None, "state": state}


def notifications(alarm_id: str) -> dict:
    rows = Notification.objects.filter(event__alarm_id=int(alarm_id))
    states: dict[str, int] = {}
    for state in rows.values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    attempts = dict(rows.values_list("endpoint", "attempts"))
    return {"states": states, "attempts": sum(attempts.values()), "attempts_by_endpoint": attempts}


COMMANDS = {
    "setup": setup,
    "change-record": change_record,
    "health": health,
    "fire-alarm": fire_alarm,
    "notifications": notifications,
}


def serve() -> None:
    """One command per line on stdin ("health 1"), one JSON line back: Django starts once."""
    for line in sys.stdin:
        command, *arguments = line.split()
        try:
            answer = COMMANDS[command](*arguments)
        except Exception as error:  # the caller gets every failure as an answer, and carries on
            answer = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
        finally:
            # The database may be stopped and started between commands: never keep a connection.
            connection.close()
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "serve":
        serve()
    else:
        print(json.dumps(COMMANDS[command](*arguments)))
