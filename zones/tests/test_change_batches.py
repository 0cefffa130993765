"""Hosted zones and change batches: protected records, serials, atomicity, DELETE semantics, audit."""

import re
import threading
import time

import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest
import redis
from django.conf import settings
from django.db import connection

from healthchecks.models import HealthCheck
from kernel.bus import DNS_CHANGES_CHANNEL, DNS_SERVERS_KEY, channel_name, served_key
from zones import services
from zones.models import AuditEntry, ChangeBatch, HostedZone, RecordSet
from zones.tests.conftest import create, delete, upsert


def record_sets(zone: HostedZone) -> list[tuple]:
    return sorted(
        (rs.name, rs.type, rs.set_identifier, rs.ttl, tuple(rs.values))
        for rs in RecordSet.objects.filter(hosted_zone=zone)
    )


def soa_serial(zone: HostedZone) -> int:
    soa = RecordSet.objects.get(hosted_zone=zone, type="SOA")
    return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.SOA, soa.values[0]).serial


# ---- hosted zones ---------------------------------------------------------------------------


def test_a_new_zone_has_its_soa_and_four_name_servers(zone, settings):
    soa = RecordSet.objects.get(hosted_zone=zone, type="SOA")
    ns = RecordSet.objects.get(hosted_zone=zone, type="NS", name="example.com.")
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.SOA, soa.values[0])
    assert (rdata.mname.to_text(), rdata.rname.to_text()) == (zone.name_servers[0], settings.DNS_HOSTMASTER)
    assert (rdata.serial, rdata.refresh, rdata.retry, rdata.expire, rdata.minimum) == (
        1,
        7200,
        900,
        1209600,
        86400,
    )
    assert soa.ttl == 900 and ns.ttl == 172800
    assert ns.values == zone.name_servers and len(zone.name_servers) == 4
    assert len({host.split(".", 1)[1] for host in zone.name_servers}) >= 2
    assert all(host.endswith(".") for host in zone.name_servers)
    assert soa.is_protected and ns.is_protected
    assert zone.record_set_count == 2


def test_create_hosted_zone_is_idempotent_on_caller_reference(owner, other_user):
    first = services.create_hosted_zone(owner=owner, name="example.net", caller_reference="ref-1")
    again = services.create_hosted_zone(owner=owner, name="example.net", caller_reference="ref-1")
    theirs = services.create_hosted_zone(owner=other_user, name="example.net", caller_reference="ref-1")
    assert first.pk == again.pk != theirs.pk
    assert HostedZone.objects.filter(owner=owner).count() == 1


def test_every_name_server_has_an_address_of_its_own(owner, settings):
    settings.DNS_NAMESERVER_ADDRESSES = [f"192.0.2.{number}" for number in range(1, 9)]
    pool = services.name_server_pool()
    assert pool == {
        "ns-0.nameplate-dns.com.": "192.0.2.1",
        "ns-0.nameplate-dns.net.": "192.0.2.2",
        "ns-0.nameplate-dns.org.": "192.0.2.3",
        "ns-0.nameplate-dns.io.": "192.0.2.4",
        "ns-1.nameplate-dns.com.": "192.0.2.5",
        "ns-1.nameplate-dns.net.": "192.0.2.6",
        "ns-1.nameplate-dns.org.": "192.0.2.7",
        "ns-1.nameplate-dns.io.": "192.0.2.8",
    }
    zone = services.create_hosted_zone(owner=owner, name="glue.example")
    assert [host.split(".", 1)[1] for host in zone.name_servers] == [
        "nameplate-dns.com.",
        "nameplate-dns.net.",
        "nameplate-dns.org.",
        "nameplate-dns.io.",
    ]
    addresses = services.name_server_addresses(zone.name_servers)
    assert addresses == {host: [pool[host]] for host in zone.name_servers}
    assert len({address for found in addresses.values() for address in found}) == 4
    # Glue is given for our hosts only, in any spelling.
    assert services.name_server_addresses(
        ["NS-1.nameplate-dns.IO", "ns-9.nameplate-dns.com.", "ns1.other.net."]
    ) == {"ns-1.nameplate-dns.io.": ["192.0.2.8"]}
    assert set(services.name_server_addresses()) >= set(zone.name_servers)


def test_a_reusable_delegation_set_serves_several_zones(owner):
    delegation_set = services.create_delegation_set(owner=owner, caller_reference="ds-1")
    one = services.create_hosted_zone(owner=owner, name="one.test", delegation_set=delegation_set)
    two = services.create_hosted_zone(owner=owner, name="two.test", delegation_set=delegation_set)
    assert one.name_servers == two.name_servers == delegation_set.name_servers
    with pytest.raises(services.ZoneError, match="still serves hosted zones"):
        services.delete_delegation_set(delegation_set)


def test_a_private_zone_needs_a_network_of_its_owner(owner, other_user):
    with pytest.raises(services.ZoneError, match="needs at least one network"):
        services.create_hosted_zone(owner=owner, name="internal.example", is_private=True)
    theirs = services.save_network(owner=other_user, name="office", cidrs=["10.0.0.0/16"])
    with pytest.raises(services.ZoneError, match="no such network of yours"):
        services.create_hosted_zone(owner=owner, name="internal.example", is_private=True, networks=[theirs])
    mine = services.save_network(owner=owner, name="vpc", cidrs=["172.16.0.0/16", "fd00::/56"])
    zone = services.create_hosted_zone(owner=owner, name="example.com", is_private=True, networks=[mine])
    assert list(zone.networks.all()) == [mine]


def test_a_zone_with_records_cannot_be_deleted_until_they_are(zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    with pytest.raises(services.ZoneError, match="still holds record sets other than SOA and NS"):
        services.delete_hosted_zone(zone)
    services.apply_change_batch(hosted_zone=zone, changes=[delete("www", "A", "192.0.2.1")])
    services.delete_hosted_zone(zone)
    assert not HostedZone.objects.filter(pk=zone.pk).exists()


# ---- protected records and serials -----------------------------------------------------------


def test_the_soa_and_apex_ns_cannot_be_deleted(zone):
    ns = RecordSet.objects.get(hosted_zone=zone, type="NS")
    with pytest.raises(services.ProtectedRecordError, match="cannot be deleted"):
        services.apply_change_batch(hosted_zone=zone, changes=[delete("@", "NS", *ns.values, ttl=ns.ttl)])
    soa = RecordSet.objects.get(hosted_zone=zone, type="SOA")
    with pytest.raises(services.ProtectedRecordError, match="cannot be deleted"):
        services.apply_change_batch(hosted_zone=zone, changes=[delete("@", "SOA", *soa.values, ttl=soa.ttl)])
    assert RecordSet.objects.filter(hosted_zone=zone, is_protected=True).count() == 2


def test_the_apex_ns_values_and_ttl_may_be_edited(zone):
    values = [*zone.name_servers[:3], "ns1.example.net."]
    services.apply_change_batch(hosted_zone=zone, changes=[upsert("@", "NS", *values, ttl=3600)])
    ns = RecordSet.objects.get(hosted_zone=zone, type="NS")
    assert (ns.ttl, sorted(ns.values), ns.is_protected) == (3600, sorted(values), True)


def test_only_the_soa_timers_may_be_edited_and_the_serial_stays_the_systems(zone):
    soa = RecordSet.objects.get(hosted_zone=zone, type="SOA")
    mname, rname = soa.values[0].split()[:2]
    services.apply_change_batch(
        hosted_zone=zone, changes=[upsert("@", "SOA", f"{mname} {rname} 999 3600 600 604800 300", ttl=600)]
    )
    soa.refresh_from_db()
    zone.refresh_from_db()
    assert soa.values[0] == f"{mname} {rname} {zone.serial} 3600 600 604800 300"
    assert soa.ttl == 600
    with pytest.raises(services.ChangeBatchError, match="the SOA's mname is managed by the system"):
        services.apply_change_batch(
            hosted_zone=zone, changes=[upsert("@", "SOA", f"ns9.example.net. {rname} 1 1 1 1 1", ttl=600)]
        )
    with pytest.raises(
        services.ChangeBatchError, match=re.escape("example.com. NS: the record set already exists")
    ):
        services.apply_change_batch(hosted_zone=zone, changes=[create("@", "NS", "ns.example.net.")])


def test_every_batch_increments_the_serial_once(zone):
    assert zone.serial == 1
    first = services.apply_change_batch(
        hosted_zone=zone, changes=[create("a", "A", "192.0.2.1"), create("b", "A", "192.0.2.2")]
    )
    second = services.apply_change_batch(hosted_zone=zone, changes=[upsert("a", "A", "192.0.2.9")])
    zone.refresh_from_db()
    assert (first.serial, second.serial, zone.serial, soa_serial(zone)) == (2, 3, 3, 3)
    assert zone.record_set_count == 4


def test_the_serial_wraps_within_32_bits():
    assert services.next_serial(2**32 - 1) == 1
    assert services.next_serial(41) == 42


# ---- batches --------------------------------------------------------------------------------


def test_a_bad_last_change_leaves_the_zone_untouched(zone):
    before = record_sets(zone)
    changes = [create(f"host{i}", "A", f"192.0.2.{i}") for i in range(1, 10)]
    changes.append(create("bad", "A", "300.1.2.3"))
    with pytest.raises(services.ChangeBatchError) as caught:
        services.apply_change_batch(hosted_zone=zone, changes=changes)
    assert caught.value.index == 9
    assert caught.value.message == "change 9: bad.example.com. A: value: 300.1.2.3 is not an IPv4 address"
    zone.refresh_from_db()
    assert record_sets(zone) == before
    assert zone.serial == 1
    assert ChangeBatch.objects.filter(hosted_zone=zone).count() == 1
    assert AuditEntry.objects.filter(hosted_zone=zone).count() == 2


def test_a_zone_rule_broken_late_in_the_batch_names_that_change(zone):
    changes = [
        create("www", "A", "192.0.2.1"),
        create("mail", "A", "192.0.2.2"),
        create("www", "CNAME", "web.example.net."),
    ]
    with pytest.raises(services.ChangeBatchError) as caught:
        services.apply_change_batch(hosted_zone=zone, changes=changes)
    assert caught.value.index == 2
    assert caught.value.message == (
        "change 2: www.example.com. CNAME: type: www.example.com. has a CNAME beside A; "
        "a CNAME must stand alone"
    )
    assert not RecordSet.objects.filter(hosted_zone=zone, name="www.example.com.").exists()


def test_create_refuses_an_existing_record_set(zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    with pytest.raises(
        services.ChangeBatchError,
        match=re.escape("change 0: www.example.com. A: the record set already exists"),
    ):
        services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.2")])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            delete("www", "A", "192.0.2.1", ttl=60),
            "does not match the record set to delete (ttl 60 is not 300)",
        ),
        (delete("www", "A", "192.0.2.1"), "does not match the record set to delete (the values differ)"),
        (delete("web", "A", "192.0.2.1", "192.0.2.2"), "there is no such record set"),
    ],
)
def test_delete_must_match_the_record_set_exactly(zone, change, message):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1", "192.0.2.2")])
    with pytest.raises(services.ChangeBatchError) as caught:
        services.apply_change_batch(hosted_zone=zone, changes=[change])
    assert caught.value.message.endswith(message)
    assert RecordSet.objects.filter(hosted_zone=zone, name="www.example.com.").exists()


def test_delete_with_the_exact_record_set_removes_it(zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1", "192.0.2.2")])
    services.apply_change_batch(hosted_zone=zone, changes=[delete("www", "A", "192.0.2.2", "192.0.2.1")])
    assert not RecordSet.objects.filter(hosted_zone=zone, name="www.example.com.").exists()


def test_delete_then_create_in_one_batch_replaces_a_record_set(zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[delete("www", "A", "192.0.2.1"), create("www", "CNAME", "web.example.net.")],
    )
    assert RecordSet.objects.get(hosted_zone=zone, name="www.example.com.").type == "CNAME"


def test_a_batch_of_ten_thousand_changes_applies(zone):
    changes = [create(f"h{i}", "A", f"10.0.{i // 256}.{i % 256}") for i in range(10_000)]
    batch = services.apply_change_batch(hosted_zone=zone, changes=changes)
    assert batch.change_count == 10_000
    assert RecordSet.objects.filter(hosted_zone=zone).count() == 10_002


def test_the_audit_log_keeps_before_after_actor_and_source(zone, owner):
    services.apply_change_batch(
        hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")], actor=owner, source="api"
    )
    services.apply_change_batch(
        hosted_zone=zone, changes=[upsert("www", "A", "192.0.2.2", ttl=60)], actor=owner
    )
    entry = AuditEntry.objects.filter(hosted_zone=zone, name="www.example.com.").order_by("pk").last()
    assert (entry.action, entry.source, entry.actor) == ("UPSERT", "console", owner)
    assert (entry.before["values"], entry.before["ttl"]) == (["192.0.2.1"], 300)
    assert (entry.after["values"], entry.after["ttl"]) == (["192.0.2.2"], 60)
    first = AuditEntry.objects.filter(hosted_zone=zone, name="www.example.com.").order_by("pk").first()
    assert (first.source, first.before, first.after["values"]) == ("api", None, ["192.0.2.1"])


# ---- routing policies, aliases, health checks ------------------------------------------------


def test_routing_policy_constraints_hold_across_batches(zone):
    primary = dict(policy="failover", set_identifier="p", failover="PRIMARY")
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1", **primary)])
    with pytest.raises(services.ChangeBatchError, match="already has a PRIMARY record set"):
        services.apply_change_batch(
            hosted_zone=zone,
            changes=[
                create("www", "A", "192.0.2.2", policy="failover", set_identifier="p2", failover="PRIMARY")
            ],
        )
    with pytest.raises(services.ChangeBatchError, match="already uses the failover policy"):
        services.apply_change_batch(
            hosted_zone=zone,
            changes=[create("www", "A", "192.0.2.2", policy="weighted", set_identifier="w", weight=10)],
        )
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create("www", "A", "192.0.2.2", policy="failover", set_identifier="s", failover="SECONDARY")
        ],
    )
    assert RecordSet.objects.filter(hosted_zone=zone, name="www.example.com.").count() == 2


def test_an_alias_loop_across_batches_is_refused(zone):
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create("c", "A", "192.0.2.1"),
            create("a", "A", alias_target_name="b", ttl=None),
            create("b", "A", alias_target_name="c", ttl=None),
        ],
    )
    with pytest.raises(services.ChangeBatchError) as caught:
        services.apply_change_batch(
            hosted_zone=zone,
            changes=[delete("c", "A", "192.0.2.1"), create("c", "A", alias_target_name="a", ttl=None)],
        )
    assert "alias loop" in caught.value.message


def test_deleting_an_alias_target_is_refused(zone):
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[create("www", "A", "192.0.2.1"), create("@", "A", alias_target_name="www", ttl=None)],
    )
    with pytest.raises(
        services.ChangeBatchError, match=re.escape("there is no A record set at www.example.com.")
    ):
        services.apply_change_batch(hosted_zone=zone, changes=[delete("www", "A", "192.0.2.1")])


def test_an_apex_alias_to_an_endpoint(zone, owner):
    endpoint = services.save_endpoint(
        owner=owner, name="lb-1", kind="load_balancer", addresses=["192.0.2.10"]
    )
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[create("@", "A", alias_endpoint_id=endpoint.pk, ttl=None, evaluate_target_health=True)],
    )
    rs = RecordSet.objects.get(hosted_zone=zone, name="example.com.", type="A")
    assert (rs.alias_endpoint, rs.ttl, rs.evaluate_target_health, rs.is_alias) == (endpoint, None, True, True)


def test_a_record_set_may_name_only_its_owners_health_check(zone, owner, other_user):
    mine = HealthCheck.objects.create(
        owner=owner, name="web", check_type="tcp", ip_address="192.0.2.1", port=80
    )
    theirs = HealthCheck.objects.create(
        owner=other_user, name="x", check_type="tcp", ip_address="192.0.2.2", port=80
    )
    with pytest.raises(services.ChangeBatchError) as caught:
        services.apply_change_batch(
            hosted_zone=zone, changes=[create("www", "A", "192.0.2.1", health_check_id=theirs.pk)]
        )
    assert caught.value.message == (
        f"change 0: www.example.com. A: health_check: there is no health check {theirs.pk} of yours"
    )
    services.apply_change_batch(
        hosted_zone=zone, changes=[create("www", "A", "192.0.2.1", health_check_id=mine.pk)]
    )
    assert RecordSet.objects.get(hosted_zone=zone, name="www.example.com.").health_check == mine


def test_plan_changes_reports_without_writing(zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    plan = services.plan_changes(zone, [upsert("www", "A", "192.0.2.2"), create("mail", "A", "192.0.2.3")])
    assert [s.name for s in plan.creates] == ["mail.example.com."]
    assert [(b.values, a.values) for b, a in plan.updates] == [(("192.0.2.1",), ("192.0.2.2",))]
    assert RecordSet.objects.filter(hosted_zone=zone).count() == 3


# ---- Redis: the change feed and change status ------------------------------------------------


@pytest.fixture
def redis_db():
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(DNS_SERVERS_KEY, *client.keys("dns:served:*"))
    yield client
    client.delete(DNS_SERVERS_KEY, *client.keys("dns:served:*"))


def test_a_committed_change_is_published_on_redis(zone, redis_db, django_capture_on_commit_callbacks):
    pubsub = redis_db.pubsub()
    pubsub.subscribe(channel_name(DNS_CHANGES_CHANNEL, redis_db))
    assert pubsub.get_message(timeout=5)["type"] == "subscribe"
    serial_before = zone.serial
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.apply_change_batch(
            hosted_zone=zone, changes=[create("www", "A", "192.0.2.1"), create("www", "TXT", '"x"')]
        )
    message = pubsub.get_message(timeout=5)
    # The batch's diff: the serial it followed and the names it changed.
    assert (
        message["data"].decode() == f'zone {zone.pk} {batch.serial} {serial_before} auth ["www.example.com."]'
    )
    pubsub.close()


def test_a_publish_failure_is_logged_and_the_change_stays(
    zone, settings, caplog, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    assert ChangeBatch.objects.filter(pk=batch.pk).exists()
    assert f"could not publish zone {zone.pk} serial {batch.serial}" in caplog.text


def test_a_change_is_pending_until_every_live_server_serves_its_serial(zone, redis_db):
    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    assert services.refresh_change_status(batch).status == "PENDING"  # no server at all
    now = time.time()
    redis_db.zadd(DNS_SERVERS_KEY, {"dns-a": now, "dns-b": now, "dns-gone": now - 60})
    redis_db.hset(served_key("dns-a"), str(zone.pk), batch.serial)
    redis_db.hset(served_key("dns-b"), str(zone.pk), batch.serial - 1)
    assert services.refresh_change_status(batch).status == "PENDING"
    redis_db.hset(served_key("dns-b"), str(zone.pk), batch.serial + 1)
    refreshed = services.refresh_change_status(batch)
    assert refreshed.status == "INSYNC" and refreshed.insync_at is not None
    assert ChangeBatch.objects.filter(hosted_zone=zone, status="PENDING").count() == 0


def test_the_refresh_task_settles_pending_changes(zone, redis_db):
    from zones.tasks import refresh_changes

    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    redis_db.zadd(DNS_SERVERS_KEY, {"dns-a": time.time()})
    redis_db.hset(served_key("dns-a"), str(zone.pk), batch.serial)
    assert refresh_changes.apply().get() == 1
    batch.refresh_from_db()
    assert batch.status == "INSYNC"


# ---- PostgreSQL: concurrent batches on one zone ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_never_lose_an_update_and_get_distinct_serials(owner):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so there is no race to test")
    zone = services.create_hosted_zone(owner=owner, name="race.test")
    workers, per_worker = 4, 5
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def work(worker: int) -> None:
        try:
            barrier.wait()
            for i in range(per_worker):
                services.apply_change_batch(
                    hosted_zone=zone, changes=[create(f"w{worker}-{i}", "A", "192.0.2.1")]
                )
        except BaseException as error:  # a failure in a thread must fail the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    zone.refresh_from_db()
    serials = list(ChangeBatch.objects.filter(hosted_zone=zone).values_list("serial", flat=True))
    assert len(serials) == len(set(serials)) == workers * per_worker + 1
    assert zone.serial == workers * per_worker + 1
    assert (
        zone.record_set_count
        == RecordSet.objects.filter(hosted_zone=zone).count()
        == workers * per_worker + 2
    )
    assert soa_serial(zone) == zone.serial


def test_deleting_a_user_deletes_their_zones(owner):
    zone = services.create_hosted_zone(owner=owner, name="gone.test")
    endpoint = services.save_endpoint(owner=owner, name="lb", kind="cdn", addresses=["192.0.2.1"])
    services.apply_change_batch(
        hosted_zone=zone, changes=[create("@", "A", alias_endpoint_id=endpoint.pk, ttl=None)]
    )
    owner.delete()
    assert not HostedZone.objects.filter(pk=zone.pk).exists()
