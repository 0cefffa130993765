"""The TLD and root zones the registry publishes, parsed back with dnspython."""

from datetime import timedelta

import dns.name
import dns.rdatatype
import dns.zone
import pytest
import redis
from django.conf import settings
from django.utils import timezone

from kernel import bus
from registrar import services
from registrar.models import Domain
from registrar.registry import commands
from registrar.registry import models as registry_models
from registrar.registry.zonedata import RegistryZoneError, build_root_zone, build_tld_zone, current_serial
from registrar.tests.conftest import buy
from zones.services import name_server_pool

pytestmark = pytest.mark.django_db


def records(zone: dns.zone.Zone, *, skip_provider: bool = True) -> set[tuple[str, str, tuple[str, ...]]]:
    """Every (owner, type, sorted rdata) in the zone, without SOA, apex NS and the TLD's own hosts."""
    found = set()
    for name, node in zone.nodes.items():
        owner = name.to_text()
        if skip_provider and ("nameplate-dns" in owner or ".nic." in owner):
            continue
        for rdataset in node.rdatasets:
            if name == zone.origin:
                continue
            found.add(
                (owner, dns.rdatatype.to_text(rdataset.rdtype), tuple(sorted(r.to_text() for r in rdataset)))
            )
    return found


def test_tld_zone_has_soa_ns_and_provider_delegations_with_glue(registry):
    zone = build_tld_zone("com")
    soa = zone.get_rdataset(zone.origin, "SOA")[0]
    assert soa.mname.to_text() == "a.nic.com." and soa.serial == current_serial("com")
    assert {r.target.to_text() for r in zone.get_rdataset(zone.origin, "NS")} == {"a.nic.com.", "b.nic.com."}
    assert zone.get_rdataset("a.nic.com.", "A")[0].address == "127.0.0.1"
    provider = {r.target.to_text() for r in zone.get_rdataset("nameplate-dns.com.", "NS")}
    assert provider == {"ns-0.nameplate-dns.com.", "ns-1.nameplate-dns.com."}
    assert (
        zone.get_rdataset("ns-0.nameplate-dns.com.", "A")[0].address
        == name_server_pool()["ns-0.nameplate-dns.com."]
    )
    # nameplate-dns.net lives in the net zone, not here.
    assert zone.get_node("nameplate-dns.net.") is None
    assert build_tld_zone("net").get_rdataset("nameplate-dns.net.", "NS") is not None


def test_root_zone_delegates_every_tld_with_glue(registry):
    zone = build_root_zone()
    assert zone.origin == dns.name.root
    for tld in ("com", "net", "org", "io", "dev", "app"):
        ns = {r.target.to_text() for r in zone.get_rdataset(f"{tld}.", "NS")}
        assert ns == {f"a.nic.{tld}.", f"b.nic.{tld}."}
        assert zone.get_rdataset(f"a.nic.{tld}.", "A")[0].address == "127.0.0.1"
    assert {r.target.to_text() for r in zone.get_rdataset(".", "NS")} == {
        "a.root-servers.nameplate.test.",
        "b.root-servers.nameplate.test.",
    }


def test_unknown_tld_zone_is_refused(registry):
    with pytest.raises(RegistryZoneError, match="zz is not a TLD of this registry"):
        build_tld_zone("zz")


def test_purchase_delegates_to_the_hosted_zone_with_sibling_glue(funded_owner):
    buy(funded_owner, "shop.com")
    hosts = Domain.objects.get(name="shop.com").name_servers
    zone = build_tld_zone("com")
    expected = {("shop.com.", "NS", tuple(sorted(h + "." for h in hosts)))}
    # Glue for our hosts under .com (the others are in their own TLD zones).
    pool = name_server_pool()
    expected |= {(h + ".", "A", (pool[h + "."],)) for h in hosts if h.endswith(".com")}
    assert (
        records(zone) | {r for r in records(zone, skip_provider=False) if r[0] in {h + "." for h in hosts}}
        == expected
    )


def test_name_server_change_hold_and_expiry_change_the_delegation(funded_owner):
    now = timezone.now()
    buy(funded_owner, "shop.com", now=now)
    domain = Domain.objects.get(name="shop.com")
    serial = current_serial("com")

    commands.create_host(client_id="nameplate", name="ns1.shop.com", addresses=["192.0.2.1", "2001:db8::1"])
    services.set_name_servers(domain=domain, name_servers=["ns1.shop.com", "ns.provider.test"])
    zone = build_tld_zone("com")
    assert records(zone) == {
        ("shop.com.", "NS", ("ns.provider.test.", "ns1.shop.com.")),
        ("ns1.shop.com.", "A", ("192.0.2.1",)),
        ("ns1.shop.com.", "AAAA", ("2001:db8::1",)),
    }
    assert current_serial("com") > serial

    commands.update_domain(client_id="nameplate", name="shop.com", add_statuses=["clientHold"])
    assert records(build_tld_zone("com")) == set()

    commands.update_domain(client_id="nameplate", name="shop.com", remove_statuses=["clientHold"])
    assert ("shop.com.", "NS", ("ns.provider.test.", "ns1.shop.com.")) in records(build_tld_zone("com"))

    later = now + timedelta(days=366)
    assert records(build_tld_zone("com", now=later)) == set()
    before = current_serial("com")
    assert "shop.com" in commands.expire_domains(now=later)
    assert current_serial("com") > before
    assert records(build_tld_zone("com")) == set()


def test_ds_records_are_published_at_the_delegation(funded_owner):
    buy(funded_owner, "signed.dev")
    domain = Domain.objects.get(name="signed.dev")
    services.set_name_servers(domain=domain, name_servers=["ns1.provider.test", "ns2.provider.test"])
    services.add_ds_record(domain=domain, key_tag=2371, algorithm=13, digest_type=2, digest="ab" * 32)
    zone = build_tld_zone("dev")
    ds = zone.get_rdataset("signed.dev.", "DS")
    assert [r.to_text() for r in ds] == [f"2371 13 2 {'ab' * 32}"]
    services.remove_ds_record(domain=domain, key_tag=2371, algorithm=13, digest_type=2, digest="AB" * 32)
    assert build_tld_zone("dev").get_rdataset("signed.dev.", "DS") is None


def test_every_change_is_announced_on_redis_after_commit(funded_owner, django_capture_on_commit_callbacks):
    client = redis.Redis.from_url(settings.REDIS_URL)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(bus.channel_name(bus.DNS_CHANGES_CHANNEL, client))
    # Consume the subscription's confirmation (the flag turns it into None).
    assert pubsub.get_message(timeout=2.0) is None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            buy(funded_owner, "loud.org")
        expected = f"registry org {current_serial('org')}"
        messages: list[str] = []
        # Other processes may publish on the channel too: read until ours arrives (bounded).
        while expected not in messages and len(messages) < 500:
            message = pubsub.get_message(timeout=5.0)
            if message is None:
                break
            messages.append(message["data"].decode())
        assert expected in messages
        assert all(m.startswith(("registry ", "zone ")) for m in messages)
    finally:
        pubsub.close()
        client.close()


def test_serials_only_go_up(funded_owner):
    seen = [current_serial("io")]
    buy(funded_owner, "up.io")
    seen.append(current_serial("io"))
    domain = Domain.objects.get(name="up.io")
    services.update_settings(domain=domain, transfer_lock=False)
    seen.append(current_serial("io"))
    assert seen == sorted(seen) and len(set(seen)) == 3
    assert registry_models.ZoneSerial.objects.get(zone="io").serial == seen[-1]
