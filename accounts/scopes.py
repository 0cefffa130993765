"""What an API token may do: every hosted zone or a list of them, read-write or read-only.

A token's scope is checked on every API request by `TokenScopePermission` (a default DRF
permission): a read-only token may only read; a token scoped to zones may use only the
hosted-zone endpoints (views that set `token_zone_scope`) and only for its zones. Outside
its scope a request gets 403 with a sentence naming the scope.

accounts sits below the zones app, so it cannot look zones up itself: the zones app hands
it a `ZoneDirectory` when it starts (`register_zone_directory`, from zones/apps.py).
"""

from collections.abc import Iterable
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied


class ZoneDirectory(Protocol):
    def zone_names(self, owner: Any, zone_ids: Iterable[int]) -> dict[int, str]:
        """The names of those of `zone_ids` that `owner` has, by id."""
        ...

    def zone_choices(self, owner: Any) -> list[tuple[int, str]]:
        """Every hosted zone of `owner` as (id, name), for a form."""
        ...


_directory: ZoneDirectory | None = None


def register_zone_directory(directory: ZoneDirectory) -> None:
    global _directory
    _directory = directory


def zone_directory() -> ZoneDirectory:
    if _directory is None:
        raise ImproperlyConfigured("no zone directory registered: is the zones app installed?")
    return _directory


def clean_scope(
    *, owner: Any, zone_ids: Iterable[int] | None, expires_at: Any, error: type[Exception]
) -> list[int] | None:
    """A credential's zone list (sorted, each the owner's; None for every zone), checked with its
    expiry; raises `error` (the caller's ServiceError) naming the field. API tokens and access
    keys share it. (kernel.errors is not imported here: zones/apps.py loads this module before
    the app registry is ready.)"""
    if zone_ids is not None:
        zone_ids = sorted({int(zone_id) for zone_id in zone_ids})
        if not zone_ids:
            raise error("zone_ids: name at least one hosted zone, or leave it out for all", field="zone_ids")
        known = zone_directory().zone_names(owner, zone_ids)
        unknown = [str(zone_id) for zone_id in zone_ids if zone_id not in known]
        if unknown:
            raise error(f"zone_ids: {', '.join(unknown)} is not one of your hosted zones", field="zone_ids")
    if expires_at is not None and expires_at <= timezone.now():
        raise error("expires_at: the expiry must be in the future", field="expires_at")
    return zone_ids


def describe(token: Any) -> str:
    """The scope in words: "all hosted zones, read-write" or "zones a.com., b.org., read-only"."""
    access = "read-only" if token.is_read_only else "read-write"
    if token.zone_ids is None:
        return f"all hosted zones, {access}"
    names = zone_directory().zone_names(token.owner, token.zone_ids)
    listed = ", ".join(names.get(zone_id, f"#{zone_id}") for zone_id in token.zone_ids) or "none"
    return f"zones {listed}, {access}"


def allows_zone(token: Any, zone_id: int | None) -> bool:
    return token.zone_ids is None or (zone_id is not None and int(zone_id) in token.zone_ids)


class TokenScopePermission(permissions.BasePermission):
    """Requests made with an API token stay inside the token's scope (sessions are not scoped).

    Views of hosted-zone data set `token_zone_scope = True` and, where the URL names a zone,
    `scoped_zone_id()`; their objects answer `scope_zone_id`. List views filter their
    queryset with `scoped_queryset`.
    """

    def has_permission(self, request, view) -> bool:
        token = _token(request)
        if token is None:
            return True
        if token.is_read_only and request.method not in permissions.SAFE_METHODS:
            raise PermissionDenied(f"this token is read-only (scope: {describe(token)})")
        if token.zone_ids is None:
            return True
        if not getattr(view, "token_zone_scope", False):
            raise PermissionDenied(
                f"this token is scoped to {describe(token)}: it can use only hosted-zone endpoints"
            )
        zone_id = view.scoped_zone_id() if hasattr(view, "scoped_zone_id") else None
        if zone_id is not None and not allows_zone(token, zone_id):
            raise PermissionDenied(f"this token's scope is {describe(token)}: not this zone")
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        token = _token(request)
        if token is None or token.zone_ids is None:
            return True
        if not allows_zone(token, getattr(obj, "scope_zone_id", None)):
            raise PermissionDenied(f"this token's scope is {describe(token)}: not this zone")
        return True


def scoped_queryset(request, queryset, zone_lookup: str):
    """`queryset` narrowed to the zones of the request's token (unchanged for sessions)."""
    token = _token(request)
    if token is None or token.zone_ids is None:
        return queryset
    return queryset.filter(**{f"{zone_lookup}__in": token.zone_ids})


def _token(request) -> Any:
    # request.auth is the ApiToken for token-authenticated requests, None for sessions.
    token = getattr(request, "auth", None)
    return token if hasattr(token, "zone_ids") else None
