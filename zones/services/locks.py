"""Transaction-long locks for choices that read rows before writing them (free name servers, free CIDRs),
and a transaction that waits only so long for another writer's lock.

PostgreSQL takes an advisory lock held until the transaction ends; SQLite needs none, as its
transactions start IMMEDIATE (nameplate/settings.py) and so serialise every writer.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction

from zones.services.errors import ZoneError

# One key per kind of choice.
NAME_SERVERS = 5353
NETWORKS = 5354

# PostgreSQL's SQLSTATE for a lock not granted within lock_timeout.
_LOCK_NOT_AVAILABLE = "55P03"


class LockBusy(ZoneError):
    """Another writer held a lock this transaction needed for longer than it would wait."""


def hold(key: int) -> None:
    """Hold the lock `key` until the current transaction ends. Call it inside transaction.atomic()."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@contextmanager
def waiting_at_most(seconds: float) -> Iterator[None]:
    """A transaction in which waiting longer than `seconds` for another writer's lock raises LockBusy.

    For callers that would rather answer "try again" than queue behind a long write (the
    Route 53 API's PriorRequestNotComplete). PostgreSQL: `lock_timeout` for this transaction,
    so a row lock (a zone's `select_for_update`) not granted in time fails. SQLite: the
    connection's busy timeout while the transaction begins, since its IMMEDIATE begin takes
    the database's one write lock; the timeout is restored afterwards.
    """
    milliseconds = max(1, int(seconds * 1000))
    if connection.vendor == "postgresql":
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{milliseconds}ms"])
                yield
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
                raise LockBusy(f"another change held the lock for more than {seconds:g} seconds") from None
            raise
        return
    if connection.vendor != "sqlite":
        with transaction.atomic():
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout = {milliseconds}")
    try:
        with transaction.atomic():
            yield
    except OperationalError as error:
        if "database is locked" in str(error):
            raise LockBusy(f"another change held the lock for more than {seconds:g} seconds") from None
        raise
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(before)}")
