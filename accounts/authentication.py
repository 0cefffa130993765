"""API token authentication: `Authorization: Bearer <token>` (or `Token <token>`)."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.models import ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header: expected '<keyword> <token>'.")
        key = header[1].decode(errors="replace")
        try:
            # key_hash is unique: one indexed lookup, with the owner in the same query.
            token = ApiToken.objects.active().select_related("owner").get(key_hash=ApiToken.hash_key(key))
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
        return token.owner, token

    def authenticate_header(self, request) -> str:
        return "Bearer"
