"""The change banner the record editor polls: worded by state, the owner's own only."""

import time

import pytest
from django.test import Client

from kernel import bus
from zones import services

from .conftest import create

pytestmark = pytest.mark.django_db

SERVERS = ["test-fragment-a", "test-fragment-b", "test-fragment-c"]


@pytest.fixture
def live_servers():
    """Three live DNS servers as they announce themselves in Redis; `serve(index, zone, serial)`."""
    client = bus.redis_client()
    client.zadd(bus.DNS_SERVERS_KEY, {server: time.time() + 300 for server in SERVERS})

    def serve(index: int, zone, serial: int) -> None:
        client.hset(bus.served_key(SERVERS[index]), str(zone.pk), serial)

    yield serve
    client.zrem(bus.DNS_SERVERS_KEY, *SERVERS)
    for server in SERVERS:
        client.delete(bus.served_key(server))


def test_a_pending_change_waits_for_the_servers_behind_then_is_live(owner_client, zone, live_servers):
    for index in range(3):
        live_servers(index, zone, zone.serial)
    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    live_servers(0, zone, batch.serial)
    url = f"/zones/{zone.pk}/changes/{batch.pk}/banner/"
    html = owner_client.get(url).content.decode()
    assert "Waiting for 2 of 3 name servers…" in html
    assert 'class="message info change-banner"' in html and 'hx-trigger="every 2s"' in html

    live_servers(1, zone, batch.serial)
    live_servers(2, zone, batch.serial)
    html = owner_client.get(url).content.decode()
    assert "Live on every name server." in html
    assert 'class="message success change-banner"' in html and "hx-trigger" not in html


def test_the_zone_page_starts_the_banner_at_once(owner_client, zone, live_servers):
    live_servers(0, zone, zone.serial)
    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    html = owner_client.get(f"/zones/{zone.pk}/").content.decode()
    assert f'hx-get="/zones/{zone.pk}/changes/{batch.pk}/banner/"' in html
    assert 'hx-trigger="load, every 2s"' in html


def test_another_users_banner_is_404(other_client, zone):
    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    assert other_client.get(f"/zones/{zone.pk}/changes/{batch.pk}/banner/").status_code == 404


def test_a_logged_out_banner_answers_401_without_a_body(zone):
    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    response = Client().get(f"/zones/{zone.pk}/changes/{batch.pk}/banner/")
    assert response.status_code == 401 and response.content == b""
