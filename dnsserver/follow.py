"""Keeping the served zones current, and telling Redis what we serve and what we answered.

`Follower` loads every zone of the server's roles from their sources, and the registry's
domains the hosted zones' delegation follows, at start, then:
- listens on `dns:changes` (`zone <id> <serial>`, `registry <tld> <serial>`) and
  `health:changes` (`<check id> <1|0>`), reloading the health view from `health:status` on
  every (re)connection;
- polls the source every `poll_seconds` (every few seconds) for zones whose serial differs,
  so changes arrive while Redis is away and missed messages are caught up;
- every second adds the query counts to `dns:queries:<YYYYMMDDHHMM>` in one pipeline, and
  every two seconds writes its heartbeat to `dns:servers` and its serials to
  `dns:served:<server id>` (every format is kernel.bus's).
A failing Redis or source is logged and retried; the zones already loaded keep answering.
With a `ZoneCache` (zonecache.py), a zone is first read back from the version written at
the last start or stop and brought to the source's serial by its diff, and the large zones
compiled or changed since are written again once the server answers and when it stops.
A change reaches a served zone as its diff (the names the bus message lists, or those the
change batches since the served serial touched) and makes a new version sharing every
untouched node (zones.engine.update_zone); a zone is compiled whole only when first loaded
or when its diff cannot be told. Both run in a worker thread; the new version is swapped in
whole, the old one answering until then.
"""

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

import dns.rcode
import dns.rdatatype

from dnsserver import xfr
from dnsserver.handler import HOSTED_ROLE, ServerState
from dnsserver.zonecache import ZoneCache
from kernel import bus
from kernel.listeners import PRIVATE_ROLE
from kernel.memory import collector_paused, release_freed_memory
from zones.engine import (
    CompileError,
    Registration,
    ZoneData,
    ZoneDiff,
    ZoneSnapshot,
    compile_zone,
    update_zone,
)

logger = logging.getLogger(__name__)

# Hosted zones are public (`auth`) or private (`private`); one message names either.
HOSTED_ROLES = (HOSTED_ROLE, PRIVATE_ROLE)
HEARTBEAT_SECONDS = 2.0
# What _compile answers for a zone that no longer exists.
_GONE = object()
COUNTERS_SECONDS = 1.0
RECONNECT_SECONDS = 1.0
STOP_SECONDS = 5.0


class RoleSources(Protocol):
    """Each role's zones and the registry's domains (dnsserver.sources): the database, or test data."""

    def serials(self, role: str) -> dict[str, int]:
        """Every zone key of the role with its current serial."""
        ...

    def load(self, role: str, key: str) -> ZoneData | None:
        """The zone's data now, or None when it no longer exists."""
        ...

    def registrations_version(self) -> object:
        """Something that changes whenever `registrations` would answer differently."""
        ...

    def registrations(self) -> list[Registration]:
        """The registry's domains, which the hosted zones' delegation follows."""
        ...

    def diff(self, role: str, key: str, served_serial: int, change: object = None) -> ZoneDiff | None:
        """The zone's changes since `served_serial` (`change`: the bus message); None: load it whole."""
        ...

    def identity(self, role: str, key: str) -> tuple | None:
        """The zone's `created` (ZoneData's), or None when unknown: a cached version must match it."""
        ...

    def close_thread(self) -> None:
        """Let go of what the calling worker thread holds (its database connections)."""
        ...


def default_server_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Follower:
    """Loads, follows and reports; see the module docstring."""

    def __init__(
        self,
        state: ServerState,
        source: RoleSources,
        *,
        redis_factory: Callable[[], object] | None = None,
        server_id: str | None = None,
        poll_seconds: float = 3.0,
        adjust: Callable[[ZoneData], ZoneData] | None = None,
        on_change: Callable[[str, str], None] | None = None,
        zone_cache: ZoneCache | None = None,
    ) -> None:
        self.state = state
        self.source = source
        self.redis_factory = redis_factory
        self.server_id = server_id or default_server_id()
        self.poll_seconds = poll_seconds
        self.adjust = adjust
        self.on_change = on_change or (lambda kind, detail: None)
        self.zone_cache = zone_cache
        # The serial of each (role, key) as its zone-cache file holds it.
        self._cached_serials: dict[tuple[str, str], int] = {}
        self._locks = {role: asyncio.Lock() for role in state.zones}
        self._tasks: list[asyncio.Task] = []
        self._notifies: set[asyncio.Task] = set()
        self._redis = None
        self._health_channel = ""
        self._registrations_version: object = None
        self._is_loaded = False
        self._cache_lock = asyncio.Lock()
        self._initial_save: asyncio.Task | None = None

    async def load_all(self) -> None:
        """Compile every zone of every role; a zone that fails to load is logged and skipped.

        Call it before the server binds its sockets, so no listener answers before its zones
        are in; `start` calls it when nobody has.
        """
        await self.sync_registrations()
        for role in self.state.zones:
            await self.sync_role(role)
        release_freed_memory()
        self._is_loaded = True

    async def start(self) -> None:
        """Load (unless `load_all` ran), write the zones compiled at load to the cache, then follow."""
        if not self._is_loaded:
            await self.load_all()
        # In the background: the server answers meanwhile. Zones read from the cache and
        # brought up to date are written at stop, not now.
        self._initial_save = asyncio.create_task(self.save_zone_cache(updated=False))
        self._tasks.append(asyncio.create_task(self._poll_forever()))
        if self.redis_factory is not None:
            self._tasks.append(asyncio.create_task(self._listen_forever()))
            self._tasks.append(asyncio.create_task(self._report_forever()))

    async def stop(self) -> None:
        """Stop following; bounded, so a Redis connection stuck mid-read cannot hold up shutdown."""
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=STOP_SECONDS)
            if pending:
                logger.warning("%d follower task(s) did not stop within %s s", len(pending), STOP_SECONDS)
        self._tasks.clear()
        if self._redis is not None:
            try:
                await asyncio.wait_for(self._redis.aclose(), timeout=STOP_SECONDS)
            except Exception as error:
                logger.warning("could not close the Redis connection cleanly: %s", error)
            self._redis = None

    async def _in_thread(self, function: Callable, *args: object) -> object:
        """`function(*args)` in a worker thread, which then closes its database connections.

        A thread of asyncio's executor would otherwise keep one open until it is collected,
        long after the follower stopped, and reuse it after the database restarted. A new
        connection per read costs a few milliseconds, once per poll.
        """

        def run() -> object:
            try:
                return function(*args)
            finally:
                self.source.close_thread()

        return await asyncio.to_thread(run)

    async def sync_registrations(self) -> None:
        """Re-read the registry's domains when they changed; the hosted zones are chosen anew."""
        if HOSTED_ROLE not in self.state.zones:
            return
        try:
            version = await self._in_thread(self.source.registrations_version)
            if version == self._registrations_version:
                return
            registrations = await self._in_thread(self.source.registrations)
        except Exception:
            logger.exception("could not read the registry's delegations; following the previous ones")
            return
        async with self._locks[HOSTED_ROLE]:
            self.state.zones[HOSTED_ROLE] = self.state.zones[HOSTED_ROLE].with_registrations(registrations)
        self._registrations_version = version
        logger.info("following %d registered domains", len(registrations))

    async def sync_role(self, role: str) -> None:
        """Bring a role's zones in line with the source: load new and changed, drop gone.

        The changed zones are compiled first and swapped in together, so that which zone
        answers a name is decided once over all of them.
        """
        try:
            serials = await self._in_thread(self.source.serials, role)
        except Exception:
            logger.exception("could not list the %s zones; serving what is loaded", role)
            return
        async with self._locks[role]:
            current = {snapshot.key: snapshot.serial for snapshot in self.state.zones[role]}
            removed = sorted(current.keys() - serials.keys())
            loaded = []
            for key, serial in serials.items():
                if current.get(key) == serial:
                    continue
                served = self.state.zones[role].get(key)
                if served is None and self.zone_cache is not None:
                    served = await self._cached_version(role, key, serial)
                    if served is not None and served.serial == serial:
                        loaded.append(served)
                        continue
                snapshot = await self._next_version(role, key, served)
                if snapshot is None:
                    continue
                if snapshot is _GONE:
                    removed.append(key)
                else:
                    loaded.append(snapshot)
            if not loaded and not removed:
                return
            self.state.zones[role] = self.state.zones[role].update(loaded, removed)
        for key in removed:
            logger.info("zone %s is gone from the %s role", key, role)
        await self._announce(role, loaded)

    async def reload(self, role: str, key: str, serial: int | None = None, change: object = None) -> None:
        """Bring one zone to the source's version and swap it in, unless we already serve `serial`.

        A served zone is updated from its diff (`change`, the bus message, says which names);
        otherwise, or when the diff cannot be told, it is compiled afresh. The old version
        answers until the new one is in.
        """
        async with self._locks[role]:
            served = self.state.zones[role].get(key)
            if serial is not None and served is not None and served.serial == serial:
                return
            snapshot = await self._next_version(role, key, served, change)
            if snapshot is None:
                return
            if snapshot is _GONE:
                if served is not None:
                    self.state.zones[role] = self.state.zones[role].remove(key)
                return
            self.state.zones[role] = self.state.zones[role].replace(snapshot)
        await self._announce(role, [snapshot])

    async def _next_version(
        self, role: str, key: str, served: ZoneSnapshot | None, change: object = None
    ) -> ZoneSnapshot | object | None:
        """The zone's next version: `served` updated by its diff if the source tells one, else compiled."""
        if served is not None:
            try:
                diff = await self._in_thread(self.source.diff, role, key, served.serial, change)
            except Exception:
                logger.exception("could not read the changes of zone %s (%s); loading it whole", key, role)
                diff = None
            if diff is not None:
                data = self.adjust(diff.data) if self.adjust is not None else diff.data
                try:
                    return await self._in_thread(update_zone, served, data, diff.names)
                except CompileError as error:
                    logger.error(
                        "zone %s (%s): its change does not apply (%s); loading it whole", key, role, error
                    )
        return await self._compile(role, key)

    async def _cached_version(self, role: str, key: str, serial: int) -> ZoneSnapshot | None:
        """The zone-cache version of this zone when it is this zone's and not newer than `serial`."""
        try:
            snapshot = await self._in_thread(self.zone_cache.read, role, key)
            if snapshot is None:
                return None
            identity = await self._in_thread(self.source.identity, role, key)
        except Exception:
            logger.exception("zone cache: could not read zone %s (%s); loading it from the source", key, role)
            return None
        if identity is None or snapshot.created != identity or snapshot.serial > serial:
            logger.info(
                "zone cache: the file of zone %s (%s) is another zone's or newer (serial %s); ignoring it",
                key,
                role,
                snapshot.serial,
            )
            return None
        self._cached_serials[(role, key)] = snapshot.serial
        logger.info("zone %s (%s): serial %s read from the zone cache", key, role, snapshot.serial)
        return snapshot

    async def save_zone_cache(self, *, updated: bool = True) -> None:
        """Write large served zones whose file is missing (`updated`: or older); drop gone zones' files.

        One save at a time: the one at stop waits for the one `start` began.
        """
        if self.zone_cache is None:
            return
        async with self._cache_lock:
            try:
                await self._in_thread(self._write_zone_cache, updated)
            except Exception:
                logger.exception("zone cache: could not write %s", self.zone_cache.directory)

    def _write_zone_cache(self, updated: bool) -> None:
        for role, zoneset in self.state.zones.items():
            served = {snapshot.key: snapshot for snapshot in zoneset}
            self.zone_cache.forget_except(role, set(served))
            for key, snapshot in served.items():
                cached_serial = self._cached_serials.get((role, key))
                if cached_serial == snapshot.serial or (cached_serial is not None and not updated):
                    continue
                if snapshot.record_count < self.zone_cache.min_records:
                    continue
                if self.source.identity(role, key) != snapshot.created:
                    continue
                if self.zone_cache.write(role, snapshot):
                    self._cached_serials[(role, key)] = snapshot.serial
                    logger.info("zone cache: wrote zone %s (%s) serial %s", key, role, snapshot.serial)

    async def _compile(self, role: str, key: str) -> ZoneSnapshot | object | None:
        """The zone compiled from the source now; _GONE when it no longer exists; None when it failed."""
        try:
            return await self._in_thread(self._load_and_compile, role, key)
        except CompileError as error:
            logger.error("zone %s (%s) does not compile: %s", key, role, error)
        except Exception:
            logger.exception("could not load zone %s (%s); serving the previous copy", key, role)
        return None

    def _load_and_compile(self, role: str, key: str) -> ZoneSnapshot | object:
        with collector_paused():
            data = self.source.load(role, key)
            if data is None:
                return _GONE
            if self.adjust is not None:
                data = self.adjust(data)
            snapshot = compile_zone(data)
            # Freed while the collector is off: it would first walk every object of the input.
            del data
        return snapshot

    async def _announce(self, role: str, snapshots: list[ZoneSnapshot]) -> None:
        """After a swap: log, tell the listeners and the secondaries, report the serials."""
        for snapshot in snapshots:
            logger.info("serving %s (%s) serial %s", snapshot.origin, snapshot.key, snapshot.serial)
            self.on_change("zone", snapshot.key)
            if snapshot.notify_targets:
                task = asyncio.create_task(xfr.send_notify(snapshot))
                self._notifies.add(task)
                task.add_done_callback(self._notifies.discard)
        if snapshots and self._redis is not None:
            try:
                await self._report_served()
            except Exception as error:
                # Redis being away must not stop this reload, nor the poll that called it.
                logger.warning("could not report served serials to Redis: %s", error)

    async def _poll_forever(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            self.state.bus.note_fallback_poll()
            await self.sync_registrations()
            for role in self.state.zones:
                try:
                    await self.sync_role(role)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("polling the %s zones failed; trying again next round", role)

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("Redis is away (%s); polling the database until it returns", error)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _client(self):
        if self._redis is None:
            self._redis = self.redis_factory()
        return self._redis

    async def _listen(self) -> None:
        client = await self._client()
        pubsub = client.pubsub()
        try:
            self._health_channel = bus.channel_name(bus.HEALTH_CHANGES_CHANNEL, client)
            await pubsub.subscribe(bus.channel_name(bus.DNS_CHANGES_CHANNEL, client), self._health_channel)
            self.state.health = bus.parse_health_status(await client.hgetall(bus.HEALTH_STATUS_KEY))
            # Anything published while we were away is caught up by one sync.
            await self.sync_registrations()
            for role in self.state.zones:
                await self.sync_role(role)
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                if message is not None:
                    await self._on_message(message)
        finally:
            await pubsub.aclose()

    async def _on_message(self, message: dict) -> None:
        channel = message["channel"].decode() if isinstance(message["channel"], bytes) else message["channel"]
        data = message["data"].decode() if isinstance(message["data"], bytes) else str(message["data"])
        if channel == self._health_channel:
            health = bus.parse_health_change(data)
            if health is None:
                logger.warning("ignoring a malformed %s message: %r", channel, data)
                return
            check_id, is_healthy = health
            self.state.bus.note_message("health")
            self.state.health = {**self.state.health, check_id: is_healthy}
            self.on_change("health", str(check_id))
            return
        change = bus.parse_zone_change(data)
        if change is None:
            logger.warning("ignoring a malformed %s message: %r", channel, data)
            return
        self.state.bus.note_message("zone" if change.role in HOSTED_ROLES else "registry")
        self.state.bus.note_database_serial(change.key, change.serial)
        for role in self._roles_of(change):
            await self.reload(role, change.key, change.serial, change)
        if change.role not in HOSTED_ROLES:
            # A TLD's delegations changed: the hosted zones may follow them differently.
            await self.sync_registrations()

    def _roles_of(self, change: bus.ZoneChange) -> list[str]:
        """The roles of ours a change may concern: a hosted zone is public or private (a diff says)."""
        if change.role not in HOSTED_ROLES or change.serial_before is not None:
            return [change.role] if change.role in self.state.zones else []
        ours = [role for role in HOSTED_ROLES if role in self.state.zones]
        serving = [role for role in ours if self.state.zones[role].get(change.key) is not None]
        return serving or ours

    async def _report_forever(self) -> None:
        beat = 0.0
        while True:
            await asyncio.sleep(COUNTERS_SECONDS)
            try:
                await self._flush_counters()
                if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                    await self._report_served()
                    beat = time.monotonic()
                self.on_change("report", self.server_id)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("could not report to Redis: %s", error)

    async def _flush_counters(self) -> None:
        counters = self.state.take_counters()
        if not counters:
            return
        counts = {
            (zone_key, dns.rdatatype.to_text(rdtype), dns.rcode.to_text(rcode)): count
            for (zone_key, rdtype, rcode), count in counters.items()
        }
        client = await self._client()
        try:
            await bus.add_query_counts(client, counts, datetime.now(UTC))
        except Exception:
            # Put the counts back so the next flush carries them.
            self.state.counters.update(counters)
            raise

    async def _report_served(self) -> None:
        client = await self._client()
        served = {snapshot.key: snapshot.serial for zones in self.state.zones.values() for snapshot in zones}
        await bus.report_served(client, self.server_id, served)
