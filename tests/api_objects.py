"""One object of every kind the REST API names by id, for the API-wide sweeps."""

from django.conf import settings

from accounts import services as accounts
from dnsfirewall import services as firewall
from healthchecks import alerting
from healthchecks import services as health_services
from healthchecks.models import AlarmEvent, Notification, SmsOutboxMessage
from registrar.models import CartItem, LedgerEntry
from registrar.services import add_to_cart
from registrar.tests.conftest import buy, fund
from resolver import services as resolver_services
from zones import services as zone_services
from zones.tests.conftest import create


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
    network = zone_services.save_network(owner=owner, name="swept", cidrs=["192.0.2.0/24"])
    domain_list = firewall.create_domain_list(owner=owner, name="swept", domains=["swept.example"])
    group = firewall.create_rule_group(owner=owner, name="swept")
    rule = firewall.save_rule(group=group, domain_list=domain_list, name="swept", priority=1, action="ALERT")
    return {
        "zones": zone.pk,
        "changes": batch.pk,
        "networks": network.pk,
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
        "firewall/domain-lists": domain_list.pk,
        "firewall/rule-groups": group.pk,
        "firewall/rules": rule.pk,
        "firewall/associations": firewall.associate_rule_group(group=group, network=network, priority=1).pk,
        "resolver/endpoints": resolver_services.create_resolver_endpoint(
            owner=owner, network=network, name="swept", direction="INBOUND"
        ).pk,
        "resolver/rules": resolver_services.create_resolver_rule(
            owner=owner, name="swept", domain_name="swept.example", rule_type="SYSTEM"
        ).pk,
        "resolver/query-log-configs": resolver_services.create_query_log_config(owner=owner, name="swept").pk,
    }
