"""Demo data: record sets of every routing policy and an alias at the apex, in the demo user's zones.

`manage.py demo` calls `load_demo_zones(user)`; the registrar's demo calls it with the zones
of the domains it buys. Safe to run again: a zone that already has its demo records is left alone.
"""

from collections.abc import Iterable
from typing import Any

from healthchecks.models import HealthCheck
from zones import rules, services
from zones.models import ChangeBatch, Endpoint, HostedZone, RecordSet

DEMO_ZONE = "nameplate-demo.com"
DEMO_ENDPOINT = "demo-load-balancer"


def _spec(name: str, rtype: str, *values: str, ttl: int | None = 300, **fields: Any) -> services.Change:
    return services.Change(
        services.CREATE, rules.RecordSetSpec(name=name, type=rtype, ttl=ttl, values=values, **fields)
    )


def demo_changes(endpoint: Endpoint, health_check_id: int | None) -> list[services.Change]:
    """The demo record sets: one name per routing policy, an endpoint alias and an apex alias."""
    return [
        _spec("www", "A", "192.0.2.10", policy="weighted", set_identifier="blue", weight=80),
        _spec("www", "A", "192.0.2.11", policy="weighted", set_identifier="green", weight=20),
        _spec("www", "AAAA", "2001:db8::10"),
        _spec("api", "A", "192.0.2.20", policy="latency", set_identifier="virginia", region="us-east-1"),
        _spec("api", "A", "192.0.2.21", policy="latency", set_identifier="ireland", region="eu-west-1"),
        _spec(
            "api", "A", "192.0.2.22", policy="latency", set_identifier="singapore", region="ap-southeast-1"
        ),
        _spec(
            "app",
            "A",
            "192.0.2.30",
            policy="failover",
            set_identifier="primary",
            failover="PRIMARY",
            health_check_id=health_check_id,
        ),
        _spec("app", "A", "192.0.2.31", policy="failover", set_identifier="secondary", failover="SECONDARY"),
        _spec("geo", "A", "192.0.2.40", policy="geolocation", set_identifier="europe", continent="EU"),
        _spec(
            "geo",
            "A",
            "192.0.2.41",
            policy="geolocation",
            set_identifier="california",
            country="US",
            subdivision="CA",
        ),
        _spec("geo", "A", "192.0.2.42", policy="geolocation", set_identifier="default", country="*"),
        _spec("pool", "A", "192.0.2.50", policy="multivalue", set_identifier="one"),
        _spec("pool", "A", "192.0.2.51", policy="multivalue", set_identifier="two"),
        _spec("pool", "A", "192.0.2.52", policy="multivalue", set_identifier="three"),
        _spec("cdn", "A", ttl=None, alias_endpoint_id=endpoint.pk, evaluate_target_health=True),
        _spec("@", "A", ttl=None, alias_target_name="www", evaluate_target_health=True),
        _spec("@", "MX", "10 mail", "20 mail-backup.example.net."),
        _spec("@", "TXT", '"v=spf1 mx -all"'),
        _spec("mail", "A", "192.0.2.25"),
        _spec("docs", "CNAME", "www"),
        _spec("@", "CAA", '0 issue "letsencrypt.org"'),
        _spec("_sip._tcp", "SRV", "10 60 5060 app"),
    ]


def load_demo_zones(user: Any, zones: Iterable[HostedZone] | None = None) -> list[HostedZone]:
    """Fill `zones` (default: the user's public zones, or a new nameplate-demo.com) with demo records."""
    zones = (
        list(zones) if zones is not None else list(HostedZone.objects.filter(owner=user, is_private=False))
    )
    if not zones:
        zones = [
            services.create_hosted_zone(
                owner=user, name=DEMO_ZONE, caller_reference="demo", comment="Demo zone"
            )
        ]
    endpoint = Endpoint.objects.filter(owner=user, name=DEMO_ENDPOINT).first() or services.save_endpoint(
        owner=user,
        name=DEMO_ENDPOINT,
        kind=Endpoint.Kind.LOAD_BALANCER,
        addresses=["192.0.2.80", "2001:db8::80"],
    )
    check = HealthCheck.objects.filter(owner=user).order_by("pk").first()
    for zone in zones:
        if RecordSet.objects.filter(hosted_zone=zone, name=f"www.{zone.name}").exists():
            continue
        services.apply_change_batch(
            hosted_zone=zone,
            changes=demo_changes(endpoint, check.pk if check else None),
            actor=user,
            source=ChangeBatch.Source.SYSTEM,
            comment="demo records",
        )
    return zones
