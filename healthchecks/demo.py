"""Demo data: checks on the two local demo targets, a topic with the demo user's e-mail, alarms.

The targets are served by `manage.py demotargets`. The primary answers 503 while the flag file
var/demo-primary-down exists; the console's switch creates or removes that file, so failover and
the alert can be watched without touching a process.
"""

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from healthchecks import alerting, services
from healthchecks.models import Alarm, HealthCheck, Subscription, Topic

DEMO_TOPIC = "Demo alerts"
PRIMARY_NAME = "Demo primary web server"
SECONDARY_NAME = "Demo secondary web server"


def primary_down_flag() -> Path:
    return Path(settings.VAR_DIR) / "demo-primary-down"


def is_demo_primary_up() -> bool:
    return not primary_down_flag().exists()


def set_demo_target_up(is_up: bool) -> None:
    """Switch the demo primary target on or off (read by `demotargets` on every request)."""
    flag = primary_down_flag()
    if is_up:
        flag.unlink(missing_ok=True)
    else:
        flag.write_text("down\n")


def demo_target_state() -> dict:
    return {"primary": settings.HEALTHCHECK_DEMO_PRIMARY, "is_primary_up": is_demo_primary_up()}


def _split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


def _demo_check(user, name: str, address: str, marker: str) -> HealthCheck:
    existing = HealthCheck.objects.filter(owner=user, name=name).first()
    if existing is not None:
        return existing
    host, port = _split(address)
    return services.create_health_check(
        owner=user,
        data={
            "name": name,
            "check_type": HealthCheck.HTTP_STR_MATCH,
            "ip_address": host,
            "port": port,
            "resource_path": "/health",
            "search_string": marker,
            "request_interval_seconds": 10,
            "failure_threshold": 2,
            "timeout_seconds": 2.0,
            "regions": list(settings.HEALTHCHECK_REGIONS),
        },
    )


def load_demo_checks(user) -> dict[str, HealthCheck]:
    """Create (once) the demo checks, topic, confirmed e-mail subscription and alarms for `user`.

    Returns {"primary": HealthCheck, "secondary": HealthCheck} for tying failover records to.
    """
    with transaction.atomic():
        primary = _demo_check(user, PRIMARY_NAME, settings.HEALTHCHECK_DEMO_PRIMARY, "demo primary ok")
        secondary = _demo_check(
            user, SECONDARY_NAME, settings.HEALTHCHECK_DEMO_SECONDARY, "demo secondary ok"
        )
        topic = Topic.objects.filter(owner=user, name=DEMO_TOPIC).first()
        if topic is None:
            topic = alerting.create_topic(owner=user, name=DEMO_TOPIC)
        Subscription.objects.get_or_create(
            topic=topic,
            protocol=Subscription.EMAIL,
            endpoint=user.email,
            defaults={"confirmed_at": timezone.now()},
        )
        for check in (primary, secondary):
            if not Alarm.objects.filter(owner=user, health_check=check).exists():
                alerting.create_alarm(
                    owner=user, name=f"{check.name} is down", topic=topic, health_check=check
                )
    return {"primary": primary, "secondary": secondary}
