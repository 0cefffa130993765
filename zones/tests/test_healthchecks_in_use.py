"""A health check that record sets use cannot be deleted: through the API and the console alike."""

from django.conf import settings

from healthchecks import services as check_services
from healthchecks.models import HealthCheck
from zones import rules as zone_rules
from zones import services as zone_services


def _check(owner, name: str) -> HealthCheck:
    return check_services.create_health_check(
        owner=owner,
        data={
            "name": name,
            "check_type": "http",
            "ip_address": "127.0.0.1",
            "port": 8081,
            "resource_path": "/ok",
            "request_interval_seconds": 10,
            "failure_threshold": 1,
            "timeout_seconds": 2.0,
            "regions": list(settings.HEALTHCHECK_REGIONS),
        },
    )


def test_a_check_used_by_a_record_set_cannot_be_deleted(owner_api, owner, owner_client):
    check = _check(owner, "primary web")
    zone = zone_services.create_hosted_zone(owner=owner, name="shop-example.com", caller_reference="hc-test")
    spec = zone_rules.RecordSetSpec(
        name="app",
        type="A",
        ttl=60,
        values=("192.0.2.30",),
        policy="failover",
        set_identifier="primary",
        failover="PRIMARY",
        health_check_id=check.pk,
    )
    zone_services.apply_change_batch(
        hosted_zone=zone, changes=[zone_services.Change(zone_services.CREATE, spec)]
    )
    response = owner_api.delete(f"/api/v1/healthchecks/{check.pk}")
    assert response.status_code == 400
    message = (
        "health check primary web is used by app.shop-example.com.; remove it from those record sets first"
    )
    assert response.json() == {"non_field_errors": [message]}
    page = owner_client.post(f"/healthchecks/{check.pk}/delete/", follow=True)
    assert "remove it from those record sets first" in page.content.decode()
    assert HealthCheck.objects.filter(pk=check.pk).exists()
