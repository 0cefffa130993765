"""Transaction-long locks for choices that read rows before writing them (free name servers, free CIDRs).

PostgreSQL takes an advisory lock held until the transaction ends; SQLite needs none, as its
transactions start IMMEDIATE (nameplate/settings.py) and so serialise every writer.
"""

from django.db import connection

# One key per kind of choice.
NAME_SERVERS = 5353
NETWORKS = 5354


def hold(key: int) -> None:
    """Hold the lock `key` until the current transaction ends. Call it inside transaction.atomic()."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
