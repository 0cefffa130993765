"""Every operation of the OpenAPI schema, played by a second account against the first's ids.

The operations come from the schema itself, so a new endpoint is swept without anyone
remembering to add it: an operation whose path names an object of a kind this file cannot
make fails the sweep until one is added to OWNER_OBJECTS.
"""

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from accounts import services as accounts
from accounts.testing import api_client_for
from healthchecks import alerting
from healthchecks import services as health_services
from healthchecks.models import AlarmEvent, Notification, SmsOutboxMessage
from registrar.models import CartItem, LedgerEntry
from registrar.services import add_to_cart
from registrar.tests.conftest import buy, fund, registry  # noqa: F401 - the registry fixture
from zones import services as zone_services
from zones.tests.conftest import create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("registry")]

METHODS = ("get", "post", "put", "patch", "delete")


def owner_objects(owner) -> dict[str, int]:
    """One object of every kind the API names by id, all the owner's: path segment -> id."""
    zone = zone_services.create_hosted_zone(owner=owner, name="swept.example")
    batch = zone_services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    check = health_services.create_health_check(
        owner=owner,
        data={
            "name": "swept",
            "check_type": "tcp",
            "ip_address": "192.0.2.10",
            "port": 443,
            "request_interval_seconds": 30,
            "failure_threshold": 3,
            "timeout_seconds": 2.0,
            "regions": list(settings.HEALTHCHECK_REGIONS),
        },
    )
    topic = alerting.create_topic(owner=owner, name="swept")
    subscription = alerting.subscribe(topic=topic, protocol="email", endpoint="ops@example.com")
    alarm = alerting.create_alarm(owner=owner, name="swept", topic=topic, health_check=check)
    event = AlarmEvent.objects.create(alarm=alarm, state="ALARM", reason="swept")
    notification = Notification.objects.create(owner=owner, event=event, subscription=subscription)
    fund(owner)
    order = buy(owner, "swept-domain.com")
    add_to_cart(owner=owner, name="swept-cart.com", years=1)
    token, _ = accounts.create_api_token(owner=owner, name="swept")
    return {
        "zones": zone.pk,
        "changes": batch.pk,
        "networks": zone_services.save_network(owner=owner, name="swept", cidrs=["192.0.2.0/24"]).pk,
        "endpoints": zone_services.save_endpoint(
            owner=owner, name="swept", kind="load_balancer", addresses=["192.0.2.20"]
        ).pk,
        "delegation-sets": zone_services.create_delegation_set(owner=owner).pk,
        "healthchecks": check.pk,
        "alert-topics": topic.pk,
        "alert-subscriptions": subscription.pk,
        "alarms": alarm.pk,
        "alert-notifications": notification.pk,
        "sms-outbox": SmsOutboxMessage.objects.create(owner=owner, to_number="+14155550123", body="x").pk,
        "domains": order.lines.first().domain_id,
        "orders": order.pk,
        "cart": CartItem.objects.filter(owner=owner).first().pk,
        "ledger": LedgerEntry.objects.filter(owner=owner).first().pk,
        "tokens": token.pk,
    }


def schema_operations(client: Client) -> list[tuple[str, str]]:
    schema = json.loads(client.get("/api/schema/?format=json").content)
    return [(method, path) for path, item in schema["paths"].items() for method in METHODS if method in item]


def test_every_operation_on_another_accounts_object_answers_404(owner, other_user, owner_client):
    ids = owner_objects(owner)
    intruder = api_client_for(other_user)
    operations = schema_operations(owner_client)
    swept = []
    for method, path in operations:
        if "{" not in path:
            continue
        kind = path.removeprefix("/api/v1/").split("/", 1)[0]
        assert kind in ids, f"{method.upper()} {path}: the sweep cannot make a {kind} object yet"
        url = re.sub(r"\{[^}]+\}", str(ids[kind]), path)
        response = getattr(intruder, method)(url, {}, format="json")
        assert response.status_code == 404, f"{method.upper()} {url} answered {response.status_code}"
        swept.append((method, path))
    # Query parameters that name an object are swept too.
    response = intruder.get(
        "/api/v1/test-dns-answer", {"hosted_zone_id": ids["zones"], "record_name": "www", "record_type": "A"}
    )
    assert response.status_code == 404
    assert len(swept) > 40, swept

    # Nothing of the owner's changed, and the owner still sees every object.
    owner_api = api_client_for(owner)
    for kind in ("zones", "healthchecks", "domains", "alarms", "alert-topics", "tokens"):
        assert owner_api.get(f"/api/v1/{kind}/{ids[kind]}").status_code == 200, kind
    assert owner_api.get(f"/api/v1/zones/{ids['zones']}/rrsets").json()["results"]
