"""The zone cache: a restart reads a compiled version back instead of compiling the zone.

A version read back, in a process whose string hashes differ from the writer's, answers
byte for byte like the zone compiled afresh. A file from another key or settings, an
altered or truncated file, another zone's file and a file newer than the source are never
used. The follower reads the cache before compiling and brings a cached version up to date
with the changes since, and `manage.py dnsserver` writes the cache when it stops and reads
it when it starts again.
"""

import asyncio
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import dns.message
import dns.name
import pytest

from dnsserver.follow import Follower
from dnsserver.handler import ServerState
from dnsserver.sources import MemoryZoneSource, database_sources
from dnsserver.tests.test_dnsserver_workers import (
    ABSENT_REDIS_URL,
    ROOT,
    answered_addresses,
    free_port,
    query,
)
from dnsserver.zonecache import ZoneCache
from zones import services
from zones.engine import AliasTarget, FailoverRole, Geolocation, RoutingPolicy, ZoneData, compile_zone
from zones.engine import compiler as engine_compiler
from zones.engine.render import name_key
from zones.tests.conftest import create, upsert
from zones.tests.test_incremental_property import ORIGIN, absolute, assert_same, routed, simple, soa

SECRET = "zone-cache-test-secret"


def rich_zone(serial: int = 1, created: tuple = (1_700_000_000.0, 7)) -> ZoneData:
    """A zone with every kind of node: wildcards, ENTs, CNAME chains, a cut with glue, each policy."""
    records = [
        soa(),
        simple(ORIGIN, "NS", "ns1.prop.test."),
        simple(ORIGIN, "MX", "10 mail.prop.test."),
        simple(absolute("www"), "A", "192.0.2.1"),
        simple(absolute("www"), "AAAA", "2001:db8::1"),
        simple(absolute("mail"), "A", "192.0.2.2"),
        simple(absolute("c1"), "CNAME", "c2.prop.test."),
        simple(absolute("c2"), "CNAME", "www.prop.test."),
        simple(absolute("deep.a.b"), "TXT", '"under an empty non-terminal"'),
        simple(absolute("*"), "A", "198.51.100.7"),
        simple(absolute("*.w"), "TXT", '"wildcard"'),
        simple(absolute("del"), "NS", "ns.del.prop.test."),
        simple(absolute("ns.del"), "A", "192.0.2.53"),
        routed(absolute("x.y.z"), "A", RoutingPolicy.WEIGHTED, "one", "192.0.2.10", weight=1),
        routed(absolute("x.y.z"), "A", RoutingPolicy.WEIGHTED, "two", "192.0.2.11", weight=3),
        routed(
            absolute("mail"),
            "AAAA",
            RoutingPolicy.FAILOVER,
            "p",
            "2001:db8::2",
            failover=FailoverRole.PRIMARY,
        ),
        routed(
            absolute("mail"),
            "AAAA",
            RoutingPolicy.FAILOVER,
            "s",
            "2001:db8::3",
            failover=FailoverRole.SECONDARY,
        ),
        routed(
            absolute("x.w"),
            "A",
            RoutingPolicy.GEOLOCATION,
            "eu",
            "192.0.2.20",
            geolocation=Geolocation(continent="EU"),
        ),
        routed(
            absolute("x.w"),
            "A",
            RoutingPolicy.GEOLOCATION,
            "any",
            "192.0.2.21",
            geolocation=Geolocation(country="*"),
        ),
        routed(absolute("c2"), "TXT", RoutingPolicy.MULTIVALUE, "m", '"multivalue"'),
        routed(ORIGIN, "A", RoutingPolicy.SIMPLE, None, None, alias=AliasTarget(name=absolute("www"))),
    ]
    records += [simple(absolute(f"host{index}"), "A", f"203.0.113.{index % 250}") for index in range(40)]
    return ZoneData(ORIGIN, serial, records, key="prop", created=created)


def compiled_in_many_shards(data: ZoneData):
    # A shard per entry: each table is spread over many shards, by the key's hash.
    with mock.patch("zones.engine.shards.ENTRIES_PER_SHARD", 1):
        return compile_zone(data)


WRITER = """
import sys
from pathlib import Path

import django

django.setup()
from dnsserver.tests.test_zone_cache import SECRET, compiled_in_many_shards, rich_zone
from dnsserver.zonecache import ZoneCache

ZoneCache(Path(sys.argv[1]), secret=SECRET, min_records=1).write("auth", compiled_in_many_shards(rich_zone()))
"""


def test_a_version_written_by_another_process_answers_byte_for_byte_like_a_fresh_compile(tmp_path):
    # Another hash seed: a shard chosen by the writer's hash(key) would be the wrong shard here.
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    subprocess.run(
        [sys.executable, "-c", WRITER, str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": seed, "DJANGO_SETTINGS_MODULE": "nameplate.settings"},
        check=True,
        capture_output=True,
    )
    read = ZoneCache(tmp_path, secret=SECRET).read("auth", "prop")
    assert read is not None
    assert_same(read, compiled_in_many_shards(rich_zone()))
    assert read.created == (1_700_000_000.0, 7)


def written(tmp_path, **options) -> ZoneCache:
    cache = ZoneCache(tmp_path, secret=SECRET, min_records=1, **options)
    assert cache.write("auth", compile_zone(rich_zone()))
    return cache


def test_a_file_is_used_only_with_the_same_key_settings_zone_and_intact_bytes(tmp_path):
    cache = written(tmp_path, settings_fingerprint="transfer=()")
    assert cache.read("auth", "prop") is not None
    assert cache.read("auth", "other") is None  # no file
    assert (
        ZoneCache(tmp_path, secret="another secret", settings_fingerprint="transfer=()").read("auth", "prop")
        is None
    )
    assert (
        ZoneCache(tmp_path, secret=SECRET, settings_fingerprint="transfer=(10/8)").read("auth", "prop")
        is None
    )

    path = cache.path("auth", "prop")
    original = path.read_bytes()
    altered = bytearray(original)
    altered[len(original) // 2] ^= 0x01
    path.write_bytes(bytes(altered))
    assert cache.read("auth", "prop") is None
    path.write_bytes(original[: len(original) // 2])
    assert cache.read("auth", "prop") is None

    # Another zone's intact file under this zone's name.
    path.write_bytes(original)
    path.rename(cache.path("auth", "prop2"))
    assert cache.read("auth", "prop2") is None


def test_small_zones_and_a_read_only_cache_write_nothing(tmp_path):
    assert not ZoneCache(tmp_path, secret=SECRET).write("auth", compile_zone(rich_zone()))
    assert not ZoneCache(tmp_path, secret=SECRET, min_records=1, read_only=True).write(
        "auth", compile_zone(rich_zone())
    )
    assert list(tmp_path.iterdir()) == []


def load(source: MemoryZoneSource, cache: ZoneCache) -> tuple[Follower, mock.MagicMock]:
    """A follower's first load with `cache` and the save `start` makes, and compile_zone as it saw it."""
    follower = Follower(ServerState(roles=("auth",)), source, zone_cache=cache)

    async def first_load() -> None:
        await follower.load_all()
        await follower.save_zone_cache(updated=False)

    with mock.patch("dnsserver.follow.compile_zone", wraps=engine_compiler.compile_zone) as compiles:
        asyncio.run(first_load())
    return follower, compiles


def source_of(data: ZoneData) -> MemoryZoneSource:
    source = MemoryZoneSource()
    source.put("auth", data)
    return source


def test_a_forked_child_pickles_and_writes_the_file_while_the_server_process_only_waits(tmp_path):
    cache = ZoneCache(tmp_path, secret=SECRET, min_records=1)
    snapshot = compile_zone(rich_zone())
    # The child runs the same patched function; calls made in this process are the ones counted.
    with mock.patch("dnsserver.zonecache.pickle.dumps", wraps=pickle.dumps) as dumps:
        assert cache.write("auth", snapshot)
    assert dumps.call_count == 0
    assert_same(cache.read("auth", "prop"), snapshot)
    assert [path.name for path in tmp_path.iterdir()] == ["auth-prop.zone"]


def test_a_writer_that_fails_raises_and_leaves_the_previous_file_and_no_partial_one(tmp_path):
    cache = ZoneCache(tmp_path, secret=SECRET, min_records=1)
    cache.write("auth", compile_zone(rich_zone()))
    failing = mock.patch("dnsserver.zonecache.pickle.dumps", side_effect=MemoryError("no room"))
    with failing, pytest.raises(OSError, match="exited with 1"):
        cache.write("auth", compile_zone(rich_zone(serial=2)))
    assert [path.name for path in tmp_path.iterdir()] == ["auth-prop.zone"]
    assert cache.read("auth", "prop").serial == 1


def test_a_started_follower_writes_the_zones_it_compiled_in_the_background(tmp_path):
    cache = ZoneCache(tmp_path, secret=SECRET, min_records=1)
    source = source_of(rich_zone())
    follower = Follower(ServerState(roles=("auth",)), source, zone_cache=cache, poll_seconds=60)

    async def run() -> None:
        await follower.load_all()
        assert not cache.path("auth", "prop").exists()
        await follower.start()
        deadline = time.monotonic() + 30
        while cache.read("auth", "prop") is None:
            assert time.monotonic() < deadline, "the cache was not written after start"
            await asyncio.sleep(0.02)
        await follower.stop()

    asyncio.run(run())
    assert cache.read("auth", "prop").serial == 1


def test_the_follower_writes_the_cache_once_loaded_and_reads_it_instead_of_compiling(tmp_path):
    cache = ZoneCache(tmp_path, secret=SECRET, min_records=1)
    first, compiles = load(source_of(rich_zone()), cache)
    assert compiles.call_count == 1
    assert cache.path("auth", "prop").exists()

    second, compiles = load(source_of(rich_zone()), cache)
    assert compiles.call_count == 0
    assert_same(second.state.zones["auth"].get("prop"), first.state.zones["auth"].get("prop"))


@pytest.mark.parametrize(
    "source_data",
    [
        pytest.param(rich_zone(created=(1_800_000_000.0, 7)), id="a recreated zone of the same key"),
        pytest.param(rich_zone(serial=0), id="a source older than the file"),
        pytest.param(rich_zone(serial=5), id="a newer serial whose changes the source cannot tell"),
    ],
)
def test_a_file_that_is_not_the_sources_zone_or_cannot_be_brought_up_to_date_is_compiled_over(
    tmp_path, source_data
):
    cache = ZoneCache(tmp_path, secret=SECRET, min_records=1)
    load(source_of(rich_zone()), cache)
    follower, compiles = load(source_of(source_data), cache)
    assert compiles.call_count == 1
    served = follower.state.zones["auth"].get("prop")
    assert served.serial == source_data.serial and served.created == source_data.created
    # At stop the new version replaces the file.
    asyncio.run(follower.save_zone_cache())
    assert cache.read("auth", "prop").serial == source_data.serial


def test_the_files_of_zones_no_longer_served_are_removed(tmp_path):
    cache = ZoneCache(tmp_path, secret=SECRET, min_records=1)
    load(source_of(rich_zone()), cache)
    load(MemoryZoneSource(), cache)
    assert not cache.path("auth", "prop").exists()


@pytest.mark.django_db(transaction=True)
def test_a_hosted_zone_read_from_the_cache_is_brought_up_to_date_by_its_diff_not_compiled(tmp_path, zone):
    services.apply_change_batch(
        hosted_zone=zone, changes=[create("www", "A", "192.0.2.1"), create("keep", "A", "192.0.2.2")]
    )
    cache = ZoneCache(tmp_path, secret=SECRET, min_records=1)
    _, compiles = load(database_sources(), cache)
    assert compiles.call_count == 1
    services.apply_change_batch(hosted_zone=zone, changes=[upsert("www", "A", "192.0.2.99")])

    second, compiles = load(database_sources(), cache)
    assert compiles.call_count == 0
    zone.refresh_from_db()
    served = second.state.zones["auth"].get(str(zone.pk))
    assert served.serial == zone.serial
    www = name_key(dns.name.from_text("www.example.com.")) + b"\x00\x01"
    reply = dns.message.from_wire(served.answers[www])
    assert [rdata.address for rrset in reply.answer for rdata in rrset] == ["192.0.2.99"]


FILL = """
from accounts.models import User
from zones import rules, services

owner = User.objects.create_user(email="cache@example.com", password="cache-password-53")
zone = services.create_hosted_zone(owner=owner, name="workers.test", caller_reference="cache")
spec = rules.RecordSetSpec(name="www.workers.test.", type="A", ttl=60, values=("192.0.2.44",))
services.apply_change_batch(hosted_zone=zone, changes=[services.Change("CREATE", spec)])
"""

CHANGE = """
from zones import rules, services
from zones.models import HostedZone

zone = HostedZone.objects.get(name="workers.test.")
spec = rules.RecordSetSpec(name="www.workers.test.", type="A", ttl=60, values=("192.0.2.45",))
services.apply_change_batch(hosted_zone=zone, changes=[services.Change("UPSERT", spec)])
"""


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def serve_until_answered(env: dict, log_path: Path, address: str) -> None:
    """Start `manage.py dnsserver`, wait for `address` in its answer, stop it with SIGTERM."""
    port = free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "dnsserver", "--listen", f"auth=127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while answered_addresses(query(port, tcp=False)) != [address]:
                assert time.monotonic() < deadline, log_path.read_text()[-2000:]
                assert process.poll() is None, log_path.read_text()[-2000:]
                time.sleep(0.05)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def test_the_dns_server_writes_the_cache_at_stop_and_restarts_from_it_with_the_changes_since(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nameplate.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": ABSENT_REDIS_URL,
        "DNS_ZONE_CACHE_DIR": str(tmp_path / "cache"),
        "DNS_ZONE_CACHE_MIN_RECORDS": "1",
    }
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "shell", "-c", FILL)
    serve_until_answered(env, tmp_path / "first.log", "192.0.2.44")
    assert len(list((tmp_path / "cache").glob("*/auth-*.zone"))) == 1
    assert "read from the zone cache" not in (tmp_path / "first.log").read_text()

    manage(env, "shell", "-c", CHANGE)
    serve_until_answered(env, tmp_path / "second.log", "192.0.2.45")
    log = (tmp_path / "second.log").read_text()
    assert "read from the zone cache" in log, log
    # The cached version was brought up to date by the change's diff, and written again at stop.
    assert "wrote zone" in log, log
