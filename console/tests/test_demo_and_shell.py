import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from console import demo
from healthchecks.models import HealthCheck
from registrar.models import Domain
from zones.models import HostedZone

pytestmark = pytest.mark.django_db


def test_demo_command_can_run_twice():
    call_command("demo")
    call_command("demo")
    user = User.objects.get(email=demo.DEMO_EMAIL)
    assert user.check_password(demo.DEMO_PASSWORD)
    assert user.is_email_verified
    assert User.objects.filter(email=demo.DEMO_EMAIL).count() == 1
    domains = Domain.objects.filter(owner=user)
    assert sorted(domains.values_list("name", flat=True)) == ["nameplate-demo.com", "nameplate-demo.dev"]
    assert all(domain.hosted_zone_id for domain in domains)
    assert HealthCheck.objects.filter(owner=user).count() == 2
    zone = HostedZone.objects.get(owner=user, name="nameplate-demo.com.")
    policies = set(zone.record_sets.values_list("policy", flat=True))
    assert policies >= {"simple", "weighted", "latency", "failover", "geolocation", "multivalue"}
    assert (
        zone.record_sets.filter(name="nameplate-demo.com.", type="A").exclude(alias_target_name="").exists()
    )


def test_demo_user_can_log_in():
    call_command("demo")
    response = Client().post("/account/login/", {"email": demo.DEMO_EMAIL, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302


def test_home_page_tells_a_newcomer_what_to_try():
    html = Client().get("/").content.decode()
    for text in ("demo@nameplate.test", "dig @127.0.0.1 -p 8053", "Hosted zones", "Tools"):
        assert text in html


def test_base_layout_has_the_navigation_and_local_static_files(owner_client):
    html = owner_client.get("/dashboard/").content.decode()
    for label in ("Domains", "Hosted zones", "Health checks", "Alerts", "Tools", "Account"):
        assert f">{label}</a>" in html
    assert 'name="viewport"' in html
    assert "/static/console/app.css" in html
    assert "http://" not in html.split("<body>")[0].replace("http://127.0.0.1", "")


def test_dashboard_needs_a_log_in():
    response = Client().get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_form_errors_sit_beside_their_field():
    html = Client().post("/account/signup/", {"email": "not-an-address"}).content.decode()
    email_field = html.split('id="field-email"')[1].split("</div>")[0]
    assert "Enter a valid email address." in email_field
    assert 'value="not-an-address"' in email_field


def test_dashboard_counts_and_query_chart(owner, owner_client):
    import redis
    from django.conf import settings
    from django.utils import timezone

    from kernel.bus import queries_key
    from zones import services as zone_services

    zone = zone_services.create_hosted_zone(owner=owner, name="counted.example")
    client = redis.Redis.from_url(settings.REDIS_URL)
    # Zone ids repeat from test to test; counts left by earlier DNS-server tests would add up.
    for old in client.scan_iter("dns:queries:*"):
        client.delete(old)
    key = queries_key(timezone.now())
    client.hset(
        key, mapping={f"{zone.pk}|A|NOERROR": 7, f"{zone.pk}|AAAA|NXDOMAIN": 2, "999999|A|NOERROR": 50}
    )
    try:
        html = owner_client.get("/dashboard/").content.decode()
        chart = owner_client.get("/dashboard/queries.json").json()
    finally:
        client.delete(key)

    assert '<p class="figure" id="zone-count">1</p>' in html
    assert chart["series"] == [{"name": "counted.example", "points": [0] * 59 + [9]}]
    assert len(chart["labels"]) == 60
