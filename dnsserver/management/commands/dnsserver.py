"""`manage.py dnsserver`: the authoritative DNS server (roles auth, tld, root, private).

Without --listen it listens on DNS_SERVER_LISTEN (the convenience listener 127.0.0.1:8053
and the registry's servers), on DNS_NAMESERVER_PORT of each name server's own address, and
(the private listener, for the resolvers) on DNS_PRIVATE_PORT of each DNS_PRIVATE_ADDRESSES
address. Every zone is loaded before the first socket is bound.
"""

import asyncio
import dataclasses
import errno
import hashlib
import logging
import multiprocessing
import signal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dnsfirewall.rpz import KEY_PREFIX as RPZ_KEY_PREFIX
from dnsserver import metrics
from dnsserver.follow import Follower
from dnsserver.handler import HOSTED_ROLE, ServerState
from dnsserver.server import DnsServer
from dnsserver.sources import database_sources, name_server_pool
from dnsserver.zonecache import ZoneCache
from kernel.listeners import PRIVATE_ROLE, Listener, ListenerError
from kernel.redis import async_redis_client
from zones.engine import ZoneData, parse_networks
from zones.snapshot import engine_config

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Serve hosted zones (auth), the registry's TLD zones (tld) and the root zone (root)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--listen",
            action="append",
            metavar="ROLE=HOST:PORT",
            help=(
                "A listener (repeatable; IPv6 as auth=[::1]:8053); an auth listener on a name server's "
                "address answers as that name server; a private listener answers the private zones "
                "of the network whose private address it is on. Default: DNS_SERVER_LISTEN, auth on "
                "DNS_NAMESERVER_PORT of every DNS_NAMESERVER_ADDRESSES address, and private on "
                "DNS_PRIVATE_PORT of every DNS_PRIVATE_ADDRESSES address."
            ),
        )
        parser.add_argument(
            "--workers", type=int, default=1, help="Processes sharing the ports (SO_REUSEPORT)."
        )
        parser.add_argument("--poll-seconds", type=float, default=3.0, help="Database poll interval.")
        parser.add_argument(
            "--allow-transfer",
            action="append",
            default=[],
            metavar="CIDR",
            help="Addresses that may AXFR/IXFR every zone (repeatable).",
        )
        parser.add_argument(
            "--notify", action="append", default=[], metavar="HOST[:PORT]", help="Secondaries to NOTIFY."
        )

    def handle(self, *args, **options) -> None:
        pool = name_server_pool()
        try:
            if options["listen"]:
                listeners = [Listener.parse(text) for text in options["listen"]]
            else:
                listeners = (
                    [Listener.parse(text) for text in settings.DNS_SERVER_LISTEN]
                    + [
                        Listener(HOSTED_ROLE, address, settings.DNS_NAMESERVER_PORT)
                        for address in dict.fromkeys(pool.values())
                    ]
                    + [
                        Listener(PRIVATE_ROLE, address, settings.DNS_PRIVATE_PORT)
                        for address in settings.DNS_PRIVATE_ADDRESSES
                    ]
                )
            transfer = parse_networks(options["allow_transfer"])
        except (ListenerError, ValueError) as error:
            raise CommandError(str(error)) from None
        if options["workers"] < 1:
            raise CommandError("workers: must be at least 1")
        run = dict(
            name_servers=pool,
            listeners=listeners,
            poll_seconds=options["poll_seconds"],
            transfer=transfer,
            notify=tuple(options["notify"]),
            reuse_port=options["workers"] > 1,
            metrics_listen=settings.METRICS_DNS_LISTEN,
        )
        if options["workers"] == 1:
            try:
                serve(**run)
            except OSError as error:
                raise CommandError(f"{error}{_PORT_HINT if error.errno == errno.EACCES else ''}") from None
            return
        processes = [
            multiprocessing.Process(
                target=serve,
                kwargs={
                    **run,
                    "metrics_listen": _nth_port(run["metrics_listen"], index),
                    # One process writes the zone cache; they all read it.
                    "writes_zone_cache": index == 0,
                },
                daemon=True,
            )
            for index in range(options["workers"])
        ]
        for process in processes:
            process.start()

        def stop_workers(signum: int, frame: object) -> None:
            # Workers handle SIGTERM themselves; pass the parent's on so none outlives it.
            for process in processes:
                if process.is_alive():
                    process.terminate()

        signal.signal(signal.SIGTERM, stop_workers)
        signal.signal(signal.SIGINT, stop_workers)
        for process in processes:
            process.join()


_PORT_HINT = (
    "; ports below 1024 need root (the name servers listen on DNS_NAMESERVER_PORT and the private "
    "listener on DNS_PRIVATE_PORT, 53 unless set)"
)


def _nth_port(listen: str, index: int) -> str:
    """HOST:PORT with the port moved up by `index` (each worker process its own metrics port)."""
    if not listen:
        return listen
    host, _, port = listen.rpartition(":")
    return f"{host}:{int(port) + index}"


def serve(**options) -> None:
    """Run one server process until SIGTERM (options: `_serve`'s); OSError: a listener cannot bind."""
    asyncio.run(_serve(**options))


def zone_cache(transfer, notify, *, writes: bool) -> ZoneCache | None:
    """The zone cache DNS_ZONE_CACHE_DIR names, keyed to the settings that shape a version; None: off."""
    if not settings.DNS_ZONE_CACHE_DIR:
        return None
    # A directory per database: servers of other databases (tests, benchmarks) keep apart.
    database = settings.DATABASES["default"]
    where = "|".join(str(database.get(part, "")) for part in ("ENGINE", "HOST", "PORT", "NAME"))
    return ZoneCache(
        Path(settings.DNS_ZONE_CACHE_DIR) / hashlib.sha256(where.encode()).hexdigest()[:16],
        secret=settings.SECRET_KEY,
        settings_fingerprint=repr((tuple(transfer), tuple(notify))),
        min_records=settings.DNS_ZONE_CACHE_MIN_RECORDS,
        read_only=not writes,
    )


async def _serve(
    *,
    name_servers,
    listeners,
    poll_seconds,
    transfer,
    notify,
    reuse_port,
    metrics_listen="",
    writes_zone_cache=True,
) -> None:
    roles = tuple(dict.fromkeys(listener.role for listener in listeners))
    state = ServerState(engine_config(), roles=roles, name_servers=name_servers)

    def adjust(data: ZoneData) -> ZoneData:
        if data.is_private or data.key.startswith(RPZ_KEY_PREFIX):
            # Private zones leave only through their networks' resolvers: no transfers out;
            # the firewall's RPZ zones carry their own transfer and NOTIFY lists.
            return data
        return dataclasses.replace(data, xfr_networks=transfer, notify_targets=notify)

    follower = Follower(
        state,
        database_sources(),
        redis_factory=async_redis_client,
        poll_seconds=poll_seconds,
        adjust=adjust,
        zone_cache=zone_cache(transfer, notify, writes=writes_zone_cache),
    )
    server = DnsServer(state, listeners, reuse_port=reuse_port)
    # Every zone first, the sockets after: a listener never answers REFUSED for a zone it
    # serves because that zone has not loaded yet.
    await follower.load_all()
    metrics_server = metrics.start_listener(state, metrics_listen)
    await server.start()
    await follower.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    logger.info("dnsserver %s ready", follower.server_id)
    await stop.wait()
    await follower.stop()
    await server.stop()
    # After the sockets close: pickling a large zone holds the interpreter for seconds.
    await follower.save_zone_cache()
    if metrics_server is not None:
        metrics_server.shutdown()
