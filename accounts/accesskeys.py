"""Route 53 API access keys: an AKIA-shaped id and a secret, encrypted at rest, shown once.

SigV4 recomputes the signature from the secret, so the secret is kept, encrypted with Fernet
(the `cryptography` package) under a key derived from SECRET_KEY: a copy of the database
alone does not give the secrets away. Rotating SECRET_KEY makes every stored secret
unreadable; the keys then answer InvalidClientTokenId and must be created anew.
"""

import base64
import hashlib
import secrets
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import scopes
from accounts.models import AccessKey, User
from kernel.errors import ServiceError

ACCESS_KEY_PREFIX = "AKIA"
# AWS's ids are AKIA plus 16 characters of an upper-case base-32 alphabet.
ACCESS_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
ACCESS_KEY_ID_LENGTH = 20
SECRET_LENGTH = 40


class AccessKeyError(ServiceError):
    """An access-key operation was refused."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"nameplate access keys\0" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def generate_access_key_id() -> str:
    tail = "".join(secrets.choice(ACCESS_KEY_ALPHABET) for _ in range(ACCESS_KEY_ID_LENGTH - 4))
    return ACCESS_KEY_PREFIX + tail


def generate_secret() -> str:
    # 30 random bytes are 40 base-64 characters, AWS's secret length.
    return base64.b64encode(secrets.token_bytes(30)).decode()


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(access_key: AccessKey) -> str | None:
    """The key's secret, or None when it was encrypted under another SECRET_KEY."""
    try:
        return _fernet().decrypt(access_key.encrypted_secret.encode()).decode()
    except InvalidToken:
        return None


def create_access_key(
    *,
    owner: User,
    name: str = "",
    zone_ids: list[int] | None = None,
    is_read_only: bool = False,
    expires_at: datetime | None = None,
) -> tuple[AccessKey, str]:
    """A new access key and its secret; the secret cannot be shown again.

    The scope is an API token's: `zone_ids` None for every hosted zone, or a list of the
    owner's zones. Raises AccessKeyError naming the field.
    """
    name = name.strip() or f"access key {timezone.now():%Y-%m-%d %H:%M}"
    zone_ids = scopes.clean_scope(owner=owner, zone_ids=zone_ids, expires_at=expires_at, error=AccessKeyError)
    secret = generate_secret()
    with transaction.atomic():
        access_key = AccessKey.objects.create(
            owner=owner,
            name=name,
            access_key_id=generate_access_key_id(),
            encrypted_secret=encrypt_secret(secret),
            zone_ids=zone_ids,
            is_read_only=is_read_only,
            expires_at=expires_at,
        )
    return access_key, secret


def revoke_access_key(access_key: AccessKey) -> None:
    if access_key.revoked_at is None:
        access_key.revoked_at = timezone.now()
        access_key.save(update_fields=["revoked_at"])


def find_active_access_key(access_key_id: str) -> AccessKey | None:
    """The usable key of that id (not revoked, not expired, its owner active), or None."""
    access_key = (
        AccessKey.objects.active().select_related("owner").filter(access_key_id=access_key_id).first()
    )
    if access_key is None or not access_key.owner.is_active or access_key.is_expired(timezone.now()):
        return None
    return access_key


def mark_used(access_key: AccessKey) -> None:
    """Record the use, at most once a minute (a write per request would turn reads into writes)."""
    now = timezone.now()
    if access_key.is_last_used_stale(now):
        AccessKey.objects.filter(pk=access_key.pk).update(last_used_at=now)
        access_key.last_used_at = now
