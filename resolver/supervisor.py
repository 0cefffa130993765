"""`manage.py resolvers`: one unbound per network, written from the database and kept running.

The supervisor writes each instance's unbound.conf into RESOLVER_DIR/<key>/ and starts
`unbound -d -c` on it; it restarts an instance that dies and stops them all on exit. A change
(a `resolver:changes` or `dns:changes` message, or the periodic resync) rewrites the files
first, then catches the running instance up: forward and stub zones live through
unbound-control, anything else (addresses, access control, query logging) by a restart. The
files are the truth, so an instance restarted later says the same as it did live.
"""

import logging
import queue
import subprocess
import threading
import time
from collections import defaultdict
from dataclasses import asdict

import redis
from django.db import DatabaseError, close_old_connections, connections

from kernel import bus
from kernel.redis import redis_client
from resolver import control, services
from resolver.config import InstanceConfig, render_unbound_conf
from resolver.dnstap import DnstapListener, LoggedQuery
from resolver.errors import UnboundControlError
from resolver.firewall_log import FirewallLog

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 10
# An instance that keeps dying (its address taken, say) is started again at most this often.
RESTART_INTERVAL_SECONDS = 2
QUERY_LOG_FLUSH_SECONDS = 0.5
PRUNE_INTERVAL_SECONDS = 3600
# Record changes arrive on dns:changes; private-zone associations ride on them, so a resync
# follows, but at most this often.
ZONE_CHANGE_RESYNC_SECONDS = 1.0


class Instance:
    """One running unbound and the configuration it was last given."""

    def __init__(self, config: InstanceConfig, *, unbound: str, log_queue=None) -> None:
        self.config = config
        self.unbound = unbound
        self.log_queue = log_queue
        self.process: subprocess.Popen | None = None
        self.dnstap: DnstapListener | None = None
        self.firewall_log: FirewallLog | None = None
        self.next_start_at = 0.0

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def write_files(self) -> None:
        self.config.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.config.conf_path.with_suffix(".conf.new")
        temporary.write_text(render_unbound_conf(self.config))
        temporary.replace(self.config.conf_path)

    def start(self) -> bool:
        """Write the files and start unbound; whether it came up answering its control socket."""
        self.next_start_at = time.monotonic() + RESTART_INTERVAL_SECONDS
        self.write_files()
        self._start_query_log()
        output = (self.config.directory / "unbound.out").open("ab")
        self.process = subprocess.Popen(
            [self.unbound, "-d", "-c", str(self.config.conf_path)], stdout=output, stderr=output
        )
        output.close()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline and self.is_running():
            if control.is_answering(self.config):
                logger.info("resolver %s: unbound %s started", self.config.key, self.process.pid)
                return True
            time.sleep(0.05)
        logger.error(
            "resolver %s: unbound did not start (see %s and %s)",
            self.config.key,
            self.config.logfile,
            self.config.directory / "unbound.out",
        )
        self.stop()
        return False

    def _start_query_log(self) -> None:
        if self.config.is_query_logged and self.dnstap is None and self.log_queue is not None:
            key = self.config.key
            self.dnstap = DnstapListener(
                self.config.dnstap_socket, lambda logged: self.log_queue.put((int(key), logged))
            )
            self.dnstap.start()
        elif not self.config.is_query_logged and self.dnstap is not None:
            self.dnstap.stop()
            self.dnstap = None
        if not (self.config.is_query_logged and self.config.firewall_clauses):
            self.firewall_log = None
        elif self.firewall_log is None:
            self.firewall_log = FirewallLog(self.config.logfile)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        if self.dnstap is not None:
            self.dnstap.stop()
            self.dnstap = None

    def apply(self, new: InstanceConfig) -> None:
        """Catch up with `new`: live when only zones differ, by a restart otherwise."""
        old = self.config
        if new == old and self.is_running():
            return
        self.config = new
        if new.without_zones() != old.without_zones() or not self.is_running():
            self.stop()
            self.start()
            return
        self.write_files()
        try:
            for command in control.control_commands(old.zones, new.zones):
                control.run_control(new, *command)
        except UnboundControlError as error:
            logger.warning("resolver %s: live change failed (%s); restarting", new.key, error)
            self.stop()
            self.start()
            return
        logger.info("resolver %s: zones changed live", new.key)


class Supervisor:
    """Keeps the instances the database asks for running; `run` until `stopping` is set."""

    def __init__(self, *, unbound: str, resync_seconds: float) -> None:
        self.unbound = unbound
        self.resync_seconds = resync_seconds
        self.instances: dict[str, Instance] = {}
        self.log_queue: queue.Queue[tuple[int, LoggedQuery]] = queue.Queue()
        self.lock = threading.Lock()

    def sync(self) -> None:
        """Make the running instances what the database says."""
        with self.lock:
            desired = services.instance_configs()
            for key in set(self.instances) - set(desired):
                logger.info("resolver %s: no longer wanted; stopping", key)
                self.instances.pop(key).close()
            for key, config in desired.items():
                instance = self.instances.get(key)
                if instance is None:
                    instance = Instance(
                        config,
                        unbound=self.unbound,
                        log_queue=self.log_queue,
                    )
                    self.instances[key] = instance
                    instance.start()
                elif instance.is_running():
                    instance.apply(config)
                else:
                    # restart_dead starts it with this configuration when its turn comes.
                    instance.config = config

    def restart_dead(self) -> None:
        with self.lock:
            for key, instance in self.instances.items():
                if not instance.is_running() and time.monotonic() >= instance.next_start_at:
                    code = instance.process.returncode if instance.process else None
                    logger.warning("resolver %s: unbound is not running (exit %s); starting it", key, code)
                    instance.start()

    def flush_query_log(self) -> None:
        batches: dict[int, list[dict]] = defaultdict(list)
        while True:
            try:
                network_id, logged = self.log_queue.get_nowait()
            except queue.Empty:
                break
            batches[network_id].append(asdict(logged))
        for network_id, rows in batches.items():
            instance = self.instances.get(str(network_id))
            if instance is not None and instance.firewall_log is not None:
                instance.firewall_log.label(rows)
            services.record_queries(network_id, rows)

    def stop_all(self) -> None:
        with self.lock:
            for instance in self.instances.values():
                instance.close()
            self.instances.clear()

    def _subscribe(self):
        try:
            client = redis_client()
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(
                bus.channel_name(bus.RESOLVER_CHANGES_CHANNEL, client),
                bus.channel_name(bus.DNS_CHANGES_CHANNEL, client),
            )
            return pubsub
        except redis.RedisError as error:
            logger.warning(
                "resolvers: cannot follow the bus (%s); resyncing every %s s", error, self.resync_seconds
            )
            return None

    def run(self, stopping: threading.Event) -> None:
        """Sync, then follow the bus and resync on a timer until `stopping` is set; stop all after."""
        pubsub = None
        next_resync = next_prune = next_flush = 0.0
        zone_change_pending = False
        last_zone_sync = 0.0
        try:
            # Subscribed before the first sync, so no change made during it is missed.
            pubsub = self._subscribe()
            while not stopping.is_set():
                now = time.monotonic()
                try:
                    if now >= next_resync or (
                        zone_change_pending and now - last_zone_sync >= ZONE_CHANGE_RESYNC_SECONDS
                    ):
                        close_old_connections()
                        self.sync()
                        next_resync = now + self.resync_seconds
                        zone_change_pending, last_zone_sync = False, now
                        pubsub = pubsub or self._subscribe()
                    self.restart_dead()
                    if now >= next_flush:
                        self.flush_query_log()
                        next_flush = now + QUERY_LOG_FLUSH_SECONDS
                    if now >= next_prune:
                        services.prune_query_log()
                        next_prune = now + PRUNE_INTERVAL_SECONDS
                except DatabaseError as error:
                    logger.warning("resolvers: the database is away (%s); trying again", error)
                    next_resync = now + 1
                except Exception:
                    # One bad network (or a bug) must not stop every other network's resolver.
                    logger.exception("resolvers: sync failed; trying again in a second")
                    next_resync = now + 1
                if pubsub is None:
                    stopping.wait(0.1)
                    continue
                try:
                    message = pubsub.get_message(timeout=0.1)
                except redis.RedisError as error:
                    logger.warning("resolvers: lost the bus (%s)", error)
                    pubsub = None
                    continue
                if message is None:
                    continue
                channel = message["channel"].decode()
                if channel.startswith(bus.RESOLVER_CHANGES_CHANNEL + "@"):
                    if bus.parse_resolver_change(message["data"].decode()) is not None:
                        next_resync = 0.0
                else:
                    zone_change_pending = True
        finally:
            try:
                self.flush_query_log()
            except DatabaseError as error:
                logger.warning("resolvers: query-log entries lost at exit: %s", error)
            self.stop_all()
            if pubsub is not None:
                pubsub.close()
            connections.close_all()
