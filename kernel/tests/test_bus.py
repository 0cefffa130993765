"""The bus: what one side publishes, the other side reads back, through a real Redis."""

import asyncio
from datetime import UTC, datetime

import pytest

from kernel import bus
from kernel.redis import async_redis_client, redis_client


@pytest.fixture
def redis_clean():
    client = redis_client()
    keys = [bus.HEALTH_STATUS_KEY, bus.DNS_SERVERS_KEY, *client.keys(f"{bus.SERVED_KEY_PREFIX}*")]
    client.delete(*keys)
    yield client
    client.delete(bus.HEALTH_STATUS_KEY, bus.DNS_SERVERS_KEY, *client.keys(f"{bus.SERVED_KEY_PREFIX}*"))


def subscribed(client, channel: str):
    pubsub = client.pubsub()
    pubsub.subscribe(channel)
    assert pubsub.get_message(timeout=5)["type"] == "subscribe"
    return pubsub


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("zone 12 2024010101", ("auth", "12", 2024010101, None, None)),
        ('zone 12 3 2 private ["a.corp.","b c.corp."]', ("private", "12", 3, 2, ("a.corp.", "b c.corp."))),
        ("zone 12 3 2 auth -", ("auth", "12", 3, 2, None)),
        ("zone 12 3 2 tld -", None),
        ("zone 12 3 2 auth [1]", None),
        ("zone 12 3 2 auth [oops", None),
        ("registry com 7", ("tld", "registry:com", 7, None, None)),
        ("registry COM. 7", ("tld", "registry:com", 7, None, None)),
        ("registry . 3", ("root", "registry:.", 3, None, None)),
        ("zone twelve 1", None),
        ("zone 12", None),
        ("zone 12 x", None),
        ("registry com 7 8", None),
        ("garbage", None),
        ("", None),
    ],
)
def test_zone_change_messages_read_back_per_the_contract(message, expected):
    assert bus.parse_zone_change(message) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [("42 1", (42, True)), ("42 0", (42, False)), ("42 2", None), ("x 1", None), ("42", None), ("", None)],
)
def test_health_change_messages_read_back_per_the_contract(message, expected):
    assert bus.parse_health_change(message) == expected


def test_a_published_zone_change_arrives_as_the_follower_parses_it(redis_clean):
    pubsub = subscribed(redis_clean, bus.channel_name(bus.DNS_CHANGES_CHANNEL, redis_clean))
    bus.publish_zone_change(17, 2026120201)
    bus.publish_registry_change("com", 9)
    bus.publish_zone_change(17, 2026120202, serial_before=2026120201, role="private", names=["www.corp."])
    received = [pubsub.get_message(timeout=5)["data"].decode() for _ in range(3)]
    pubsub.close()
    assert [bus.parse_zone_change(message) for message in received] == [
        ("auth", "17", 2026120201, None, None),
        ("tld", "registry:com", 9, None, None),
        ("private", "17", 2026120202, 2026120201, ("www.corp.",)),
    ]


def test_health_changes_are_written_announced_forgotten_and_replaced(redis_clean):
    pubsub = subscribed(redis_clean, bus.channel_name(bus.HEALTH_CHANGES_CHANNEL, redis_clean))
    bus.publish_health_changes({5: False, 6: True})
    announced = {bus.parse_health_change(pubsub.get_message(timeout=5)["data"].decode()) for _ in range(2)}
    pubsub.close()
    assert announced == {(5, False), (6, True)}
    assert bus.read_health_status() == {5: False, 6: True}
    bus.forget_health_status([6])
    assert bus.read_health_status() == {5: False}
    bus.replace_health_status({7: True})
    assert bus.read_health_status() == {7: True}
    bus.replace_health_status({})
    assert bus.read_health_status() == {}


def test_reports_of_the_dns_servers_are_read_back_for_live_servers_only(redis_clean):
    async def report() -> None:
        client = async_redis_client()
        try:
            await bus.report_served(client, "dns-a", {"17": 5, "registry:com": 9})
            await bus.report_served(client, "dns-b", {"18": 1})
        finally:
            await client.aclose()

    asyncio.run(report())
    assert bus.served_serials(17) == {"dns-a": 5, "dns-b": None}
    redis_clean.zadd(bus.DNS_SERVERS_KEY, {"dns-b": 0})  # its heartbeat is long gone
    assert bus.served_serials(17) == {"dns-a": 5}


def test_query_counts_add_up_per_minute_and_read_back_by_field():
    moment = datetime(2001, 2, 3, 4, 5, tzinfo=UTC)
    redis_client().delete(bus.queries_key(moment))

    async def count() -> None:
        client = async_redis_client()
        try:
            await bus.add_query_counts(client, {("17", "A", "NOERROR"): 3}, moment)
            await bus.add_query_counts(
                client, {("17", "A", "NOERROR"): 2, ("17", "MX", "NXDOMAIN"): 1}, moment
            )
        finally:
            await client.aclose()

    asyncio.run(count())
    try:
        (bucket,) = bus.read_query_counts([moment])
        assert bus.queries_key(moment) == "dns:queries:200102030405"
        assert redis_client().ttl(bus.queries_key(moment)) > 7 * 24 * 3600
    finally:
        redis_client().delete(bus.queries_key(moment))
    counts = {bus.parse_query_count_field(field): int(value) for field, value in bucket.items()}
    assert counts == {("17", "A", "NOERROR"): 5, ("17", "MX", "NXDOMAIN"): 1}


def test_publishers_log_and_return_when_redis_is_away(settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    bus.publish_zone_change(17, 3)
    bus.publish_registry_change(".", 4)
    assert "could not publish zone 17 serial 3 on dns:changes" in caplog.text
    assert "could not publish registry . 4 on dns:changes" in caplog.text
    assert bus.read_health_status() == {}
    assert bus.served_serials(17) is None
