"""The bulk SQL writer: many rows of one model inserted or updated in a few statements.

Django's bulk_create and bulk_update spend most of a large batch preparing each value of
each row (bulk_update builds a CASE per field), and a million-record import or a
1,000-change batch must stay within seconds. These write with executemany (and COPY for
inserts on PostgreSQL), preparing only the values that need it: JSON and datetimes.

Rows are dicts of attribute names (`hosted_zone_id`, not `hosted_zone`) to Python values;
every row of one call has the keys of the first. No signals are sent, no `auto_now` is
filled in, and nothing is read back: pass every value the table needs.
"""

import functools
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import Any

from django.db import connection, models

WRITE_CHUNK = 2000


def chunks(items: Iterable, size: int) -> Iterator[list]:
    """`items` in lists of at most `size` (SQLite allows 999 parameters in one query)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert `rows` into the model's table."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return
    columns = list(first)
    params = _row_params(model, columns)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(column) for column in _column_names(model, columns))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: several times faster than INSERT for big batches.
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in chain([first], iterator):
                    copy.write_row(params(row))
            return
        sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})"
        for chunk in chunks(chain([first], iterator), WRITE_CHUNK):
            cursor.executemany(sql, [params(row) for row in chunk])


def update_rows(model: type[models.Model], rows: Iterable[dict[str, Any]], *, key: str = "id") -> None:
    """Set each row's other columns where the model's `key` column equals the row's `key`."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return
    columns = [column for column in first if column != key]
    params = _row_params(model, [*columns, key])
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in _column_names(model, columns))
    (key_column,) = _column_names(model, [key])
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(key_column)} = %s"
    with connection.cursor() as cursor:
        for chunk in chunks(chain([first], iterator), WRITE_CHUNK):
            cursor.executemany(sql, [params(row) for row in chunk])


def _column_names(model: type[models.Model], attnames: list[str]) -> list[str]:
    fields = {field.attname: field for field in model._meta.concrete_fields}
    return [fields[attname].column for attname in attnames]


def _row_params(model: type[models.Model], attnames: list[str]) -> Callable[[dict], list]:
    """A function from a row to its parameters in `attnames` order, prepared for the database."""
    fields = {field.attname: field for field in model._meta.concrete_fields}
    preparers: list[Callable[[Any], Any] | None] = []
    for attname in attnames:
        field = fields[attname]
        if isinstance(field, models.JSONField):
            preparers.append(functools.partial(field.get_db_prep_save, connection=connection))
        elif isinstance(field, models.DateTimeField):
            # The rows of a batch share one timestamp: adapt it once.
            preparers.append(functools.lru_cache(maxsize=8)(connection.ops.adapt_datetimefield_value))
        else:
            preparers.append(None)
    pairs = list(zip(attnames, preparers, strict=True))

    def params(row: dict) -> list:
        return [prepare(row[attname]) if prepare else row[attname] for attname, prepare in pairs]

    return params
