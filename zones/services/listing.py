"""Record-set listing: filters and keyset pagination over (name, type, set identifier).

A cursor is the key of the row a page starts after (or ends before), as URL-safe base64
JSON. `first`, `next`, `previous` and `last` pages are all cheap at any zone size.
"""

import base64
import json
from dataclasses import dataclass

from django.db.models import Q, QuerySet

ORDER = ("name", "type", "set_identifier")


def filter_record_sets(queryset: QuerySet, *, name: str = "", rtype: str = "", policy: str = "") -> QuerySet:
    """The record list's filters: name contains, type, routing policy."""
    if name:
        queryset = queryset.filter(name__contains=name.strip().lower())
    if rtype:
        queryset = queryset.filter(type=rtype.strip().upper())
    if policy:
        queryset = queryset.filter(policy=policy.strip().lower())
    return queryset


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool
    is_last: bool


def encode_cursor(row) -> str:
    """The cursor of `row`: a record set, or a `.values()` row of one."""
    if isinstance(row, dict):
        key = [row[field] for field in ORDER]
    else:
        key = [getattr(row, field) for field in ORDER]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str, str] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, rtype, set_identifier = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return str(name), str(rtype), str(set_identifier)
    except (ValueError, TypeError):
        return None


def _after(key: tuple[str, str, str]) -> Q:
    name, rtype, set_identifier = key
    return Q(name__gte=name) & (
        Q(name__gt=name) | Q(type__gt=rtype) | Q(type=rtype, set_identifier__gt=set_identifier)
    )


def _before(key: tuple[str, str, str]) -> Q:
    name, rtype, set_identifier = key
    return Q(name__lte=name) & (
        Q(name__lt=name) | Q(type__lt=rtype) | Q(type=rtype, set_identifier__lt=set_identifier)
    )


def keyset_page(
    queryset: QuerySet,
    *,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
    size: int = 100,
) -> KeysetPage:
    """One page of `queryset` (of record sets, or of `.values()` rows with the order's fields) in
    (name, type, set identifier) order; `last` gives the final page."""
    after_key = decode_cursor(after) if after else None
    before_key = decode_cursor(before) if before else None
    forward = not (before_key or last)
    if after_key:
        queryset = queryset.filter(_after(after_key))
    if before_key:
        queryset = queryset.filter(_before(before_key))
    ordering = ORDER if forward else tuple(f"-{field}" for field in ORDER)
    rows = list(queryset.order_by(*ordering)[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    if forward:
        is_first, is_last = after_key is None, not has_more
    else:
        is_first, is_last = not has_more, before_key is None
    return KeysetPage(
        rows=rows,
        next_cursor=encode_cursor(rows[-1]) if rows and not is_last else None,
        previous_cursor=encode_cursor(rows[0]) if rows and not is_first else None,
        is_first=is_first,
        is_last=is_last,
    )
