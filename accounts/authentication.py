"""API token authentication: `Authorization: Bearer <token>` (or `Token <token>`).

A web process keeps each token it has read, with its owner, for API_TOKEN_CACHE_SECONDS
(one second): reading them was a third of a short API request's time. Within that second
the token is checked as ever (expiry, the owner's account), on a copy of its own per
request. Saving or deleting a token, or saving its owner (revoking it, disabling the
account), drops it from this process at once; every other process reads it again within
the second.
"""

import copy
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.models import ApiToken, User

# key hash → (when read, on the monotonic clock; the token with its owner).
_read_tokens: dict[str, tuple[float, ApiToken]] = {}
TOKENS_KEPT = 4096


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header: expected '<keyword> <token>'.")
        key_hash = ApiToken.hash_key(header[1].decode(errors="replace"))
        try:
            token = _token(key_hash)
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.") from None
        if not token.owner.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        now = timezone.now()
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(
                f"This API token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC."
            )
        if token.is_last_used_stale(now):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            _note_use(key_hash, now)
        return token.owner, token

    def authenticate_header(self, request) -> str:
        return "Bearer"


def _token(key_hash: str) -> ApiToken:
    """The active token of `key_hash` with its owner, a copy for this request; raises DoesNotExist."""
    now = time.monotonic()
    kept = _read_tokens.get(key_hash)
    if kept is None or now - kept[0] >= settings.API_TOKEN_CACHE_SECONDS:
        # key_hash is unique: one indexed lookup, with the owner in the same query.
        token = ApiToken.objects.active().select_related("owner").get(key_hash=key_hash)
        if settings.API_TOKEN_CACHE_SECONDS > 0:
            if len(_read_tokens) >= TOKENS_KEPT:
                _read_tokens.clear()
            _read_tokens[key_hash] = (now, token)
    else:
        token = kept[1]
    # Copies: nothing a request sets on its token or user reaches the next request.
    request_token = copy.copy(token)
    request_token.owner = copy.copy(token.owner)
    return request_token


def _note_use(key_hash: str, now) -> None:
    kept = _read_tokens.get(key_hash)
    if kept is not None:
        kept[1].last_used_at = now


@receiver([post_save, post_delete], sender=ApiToken)
def _forget_token(sender, instance: ApiToken, **kwargs) -> None:
    """A token saved or deleted here (revoked, say) is read again at its next use."""
    _read_tokens.pop(instance.key_hash, None)


@receiver(post_save, sender=User)
def _forget_owners_tokens(sender, instance: User, **kwargs) -> None:
    """An account saved here (disabled, say) has its tokens read again at their next use."""
    for key_hash, (_, token) in list(_read_tokens.items()):
        if token.owner_id == instance.pk:
            _read_tokens.pop(key_hash, None)
