"""The bus: every key, channel and message that crosses processes, in one module.

Web processes and Celery workers publish; the DNS servers follow; the console reads back
what the servers report. Each side calls the functions here, so a format is written once.

| name                        | kind       | written by                      | read by            |
| --------------------------- | ---------- | ------------------------------- | ------------------ |
| `dns:changes`               | channel    | zones, registry (after commit)  | DNS servers        |
| `health:status`             | hash       | healthchecks                    | DNS servers, tools |
| `health:changes`            | channel    | healthchecks (after commit)     | DNS servers        |
| `dns:served:<server id>`    | hash       | each DNS server                 | zones (INSYNC)     |
| `dns:servers`               | sorted set | each DNS server (heartbeat)     | zones (INSYNC)     |
| `dns:queries:<YYYYMMDDHHMM>`| hash       | DNS servers (once a second)     | dashboard          |
| `resolver:changes`          | channel    | resolver (after commit)         | `manage.py resolvers` |

Channels carry the database number (`dns:changes@7`, see `channel_name`).
Messages on `dns:changes`: `zone <hosted-zone id> <serial>` (reload or fetch the zone),
`zone <id> <serial> <serial before> <auth|private> <JSON list of the changed names, or ->`
(a change batch's diff: the servers fetch exactly those names' record sets, or the changes
since the serial they serve when theirs is not the one before) and
`registry <tld or .> <serial>`.
Messages on `health:changes`: `<health-check id> <1 healthy | 0 unhealthy>`.
Messages on `resolver:changes`: `network <network id>` (that network's resolver must be rewritten).
The publishers log a Redis failure and return: the database holds the truth and the DNS
servers poll it, so a lost message only delays.
"""

import json
import logging
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import NamedTuple

import redis

from kernel.redis import redis_client

logger = logging.getLogger(__name__)

DNS_CHANGES_CHANNEL = "dns:changes"
HEALTH_STATUS_KEY = "health:status"
HEALTH_CHANGES_CHANNEL = "health:changes"
DNS_SERVERS_KEY = "dns:servers"
SERVED_KEY_PREFIX = "dns:served:"
QUERIES_KEY_PREFIX = "dns:queries:"

# A DNS server is live while its last heartbeat is at most this old.
LIVE_SERVER_SECONDS = 10
SERVED_TTL_SECONDS = 60
QUERIES_TTL_SECONDS = 8 * 24 * 3600

# Zone keys as the DNS servers name them: a hosted zone's id, or the registry's zone name.
REGISTRY_KEY_PREFIX = "registry:"


def channel_name(base: str, client) -> str:
    """The channel `base` as it is named on `client`'s database.

    Redis's pub/sub ignores the database number, so two installations (or two test runs)
    sharing one Redis server, each on a database of its own, would hear each other's
    messages; a channel name carries the database number of the client it goes through.
    """
    return f"{base}@{client.connection_pool.connection_kwargs.get('db', 0)}"


def served_key(server_id: str) -> str:
    return f"{SERVED_KEY_PREFIX}{server_id}"


def queries_key(moment: datetime) -> str:
    return f"{QUERIES_KEY_PREFIX}{moment.astimezone(UTC).strftime('%Y%m%d%H%M')}"


def registry_zone_key(name: str) -> str:
    """The zone key of a registry zone: `registry:.` for the root, `registry:<tld>` for a TLD."""
    return f"{REGISTRY_KEY_PREFIX}{name}"


# ---- dns:changes ------------------------------------------------------------------------


# A batch that touched more names than this is announced without them (the servers read
# the changes from the database): a message stays small.
DIFF_NAMES_LIMIT = 1000
HOSTED_ROLES = ("auth", "private")


class ZoneChange(NamedTuple):
    """A `dns:changes` message read back: which role's zone changed, and its new serial.

    With a batch's diff: the serial it followed and the names it changed (absolute, lower
    case; None when the batch touched too many to list).
    """

    role: str
    key: str
    serial: int
    serial_before: int | None = None
    names: tuple[str, ...] | None = None


def zone_change_message(
    zone_id: int,
    serial: int,
    *,
    serial_before: int | None = None,
    role: str = "auth",
    names: Iterable[str] | None = None,
) -> str:
    if serial_before is None:
        return f"zone {zone_id} {serial}"
    names = sorted(set(names)) if names is not None else None
    listed = (
        "-" if names is None or len(names) > DIFF_NAMES_LIMIT else json.dumps(names, separators=(",", ":"))
    )
    return f"zone {zone_id} {serial} {serial_before} {role} {listed}"


def registry_change_message(name: str, serial: int) -> str:
    return f"registry {name} {serial}"


def parse_zone_change(message: str) -> ZoneChange | None:
    """Read a `dns:changes` message; None when it is malformed."""
    if message.startswith("zone ") and message.count(" ") >= 5:
        return _parse_zone_diff(message)
    parts = message.split()
    if len(parts) != 3 or not parts[2].isdigit():
        return None
    kind, name, serial = parts
    if kind == "zone":
        return ZoneChange("auth", name, int(serial)) if name.isdigit() else None
    if kind == "registry":
        name = "." if name in (".", "") else name.strip(".").lower()
        return ZoneChange("root" if name == "." else "tld", registry_zone_key(name), int(serial))
    return None


def _parse_zone_diff(message: str) -> ZoneChange | None:
    _, zone_id, serial, serial_before, role, listed = message.split(" ", 5)
    if not (zone_id.isdigit() and serial.isdigit() and serial_before.isdigit()) or role not in HOSTED_ROLES:
        return None
    names = None
    if listed != "-":
        try:
            names = json.loads(listed)
        except ValueError:
            return None
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            return None
        names = tuple(names)
    return ZoneChange(role, zone_id, int(serial), int(serial_before), names)


def publish_zone_change(
    zone_id: int,
    serial: int,
    *,
    serial_before: int | None = None,
    role: str = "auth",
    names: Iterable[str] | None = None,
) -> None:
    """Announce a hosted zone's new serial, with the batch's diff when given; call it after commit.

    `role` is `auth` for a public zone, `private` for a private one; `names` the names the
    batch changed (every record set at them is fetched anew).
    """
    message = zone_change_message(zone_id, serial, serial_before=serial_before, role=role, names=names)
    _publish(DNS_CHANGES_CHANNEL, message, f"zone {zone_id} serial {serial}")


def publish_registry_change(name: str, serial: int) -> None:
    """Announce a registry zone's (a TLD's or the root's) new serial; call it after commit."""
    _publish(DNS_CHANGES_CHANNEL, registry_change_message(name, serial), f"registry {name} {serial}")


def _publish(channel: str, message: str, what: str) -> None:
    try:
        client = redis_client()
        client.publish(channel_name(channel, client), message)
    except redis.RedisError as error:
        logger.warning("could not publish %s on %s: %s", what, channel, error)


# ---- health:status and health:changes ---------------------------------------------------


def health_change_message(check_id: int, is_healthy: bool) -> str:
    return f"{check_id} {1 if is_healthy else 0}"


def parse_health_change(message: str) -> tuple[int, bool] | None:
    """Read a `health:changes` message as (check id, healthy); None when it is malformed."""
    check_id, _, status = message.partition(" ")
    if not check_id.isdigit() or status not in ("0", "1"):
        return None
    return int(check_id), status == "1"


def parse_health_status(fields: Mapping) -> dict[int, bool]:
    """The `health:status` hash as check id -> healthy (a missing check counts as healthy)."""
    return {int(key): value in (b"1", "1") for key, value in fields.items()}


def _status_fields(statuses: Mapping[int, bool]) -> dict[str, str]:
    return {str(check_id): "1" if is_healthy else "0" for check_id, is_healthy in statuses.items()}


def publish_health_changes(statuses: Mapping[int, bool]) -> None:
    """Write these statuses to `health:status` and announce each; raises redis.RedisError."""
    client = redis_client()
    pipe = client.pipeline(transaction=True)
    pipe.hset(HEALTH_STATUS_KEY, mapping=_status_fields(statuses))
    for check_id, is_healthy in statuses.items():
        pipe.publish(
            channel_name(HEALTH_CHANGES_CHANNEL, client), health_change_message(check_id, is_healthy)
        )
    pipe.execute()


def forget_health_status(check_ids: Iterable[int]) -> None:
    """Remove deleted checks from `health:status`; raises redis.RedisError."""
    fields = [str(check_id) for check_id in check_ids]
    if fields:
        redis_client().hdel(HEALTH_STATUS_KEY, *fields)


def replace_health_status(statuses: Mapping[int, bool]) -> None:
    """Rewrite `health:status` whole; raises redis.RedisError."""
    pipe = redis_client().pipeline(transaction=True)
    pipe.delete(HEALTH_STATUS_KEY)
    if statuses:
        pipe.hset(HEALTH_STATUS_KEY, mapping=_status_fields(statuses))
    pipe.execute()


def read_health_status() -> dict[int, bool]:
    """The health view the DNS servers answer with; empty (all healthy) when Redis is away."""
    try:
        return parse_health_status(redis_client().hgetall(HEALTH_STATUS_KEY))
    except (redis.RedisError, ValueError) as error:
        logger.warning("could not read %s: %s", HEALTH_STATUS_KEY, error)
        return {}


# ---- what the DNS servers report ----------------------------------------------------------


async def report_served(client, server_id: str, served: Mapping[str, int]) -> None:
    """A DNS server's heartbeat and the serial it serves for each zone key (asyncio client)."""
    key = served_key(server_id)
    async with client.pipeline(transaction=True) as pipe:
        pipe.delete(key)
        if served:
            pipe.hset(key, mapping=dict(served))
        pipe.expire(key, SERVED_TTL_SECONDS)
        pipe.zadd(DNS_SERVERS_KEY, {server_id: time.time()})
        await pipe.execute()


def served_serials(zone_key: str | int) -> dict[str, int | None] | None:
    """Each live DNS server's serial for the zone (None when it serves none); None when Redis is away."""
    try:
        client = redis_client()
        live = client.zrangebyscore(DNS_SERVERS_KEY, time.time() - LIVE_SERVER_SECONDS, "+inf")
        result: dict[str, int | None] = {}
        for member in live:
            server_id = member.decode() if isinstance(member, bytes) else str(member)
            value = client.hget(served_key(server_id), str(zone_key))
            result[server_id] = int(value) if value is not None else None
        return result
    except (redis.RedisError, ValueError) as error:
        logger.warning("could not read the DNS servers' serials for zone %s: %s", zone_key, error)
        return None


def query_count_field(zone_key: str, rdtype: str, rcode: str) -> str:
    return f"{zone_key}|{rdtype}|{rcode}"


def parse_query_count_field(field: bytes | str) -> tuple[str, str, str]:
    """(zone key, type, rcode) of a `dns:queries:<minute>` field."""
    text = field.decode() if isinstance(field, bytes) else field
    zone_key, _, rest = text.partition("|")
    rdtype, _, rcode = rest.partition("|")
    return zone_key, rdtype, rcode


async def add_query_counts(client, counts: Mapping[tuple[str, str, str], int], moment: datetime) -> None:
    """Add a DNS server's counts, keyed (zone key, type, rcode), to the minute's hash (asyncio)."""
    key = queries_key(moment)
    async with client.pipeline(transaction=False) as pipe:
        for (zone_key, rdtype, rcode), count in counts.items():
            pipe.hincrby(key, query_count_field(zone_key, rdtype, rcode), count)
        pipe.expire(key, QUERIES_TTL_SECONDS)
        await pipe.execute()


def read_query_counts(moments: list[datetime]) -> list[dict]:
    """The query-count hash of each minute, in order; raises redis.RedisError."""
    pipe = redis_client().pipeline(transaction=False)
    for moment in moments:
        pipe.hgetall(queries_key(moment))
    return pipe.execute()


# ---- resolver:changes ----------------------------------------------------------------------

RESOLVER_CHANGES_CHANNEL = "resolver:changes"


def resolver_change_message(network_id: int) -> str:
    return f"network {network_id}"


def parse_resolver_change(message: str) -> int | None:
    """Read a `resolver:changes` message as the network id; None when it is malformed."""
    kind, _, network_id = message.partition(" ")
    return int(network_id) if kind == "network" and network_id.isdigit() else None


def publish_resolver_change(network_id: int) -> None:
    """Announce that a network's resolver (endpoints, rules, zones, query logs) changed; after commit."""
    _publish(RESOLVER_CHANGES_CHANNEL, resolver_change_message(network_id), f"network {network_id}")
