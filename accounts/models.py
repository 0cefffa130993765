import hashlib
import secrets
from datetime import timedelta

import phonenumbers
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from kernel.ownership import OwnedQuerySet

API_TOKEN_PREFIX = "np_"


def validate_mobile_number(value: str) -> None:
    """Accept only a valid number in E.164 form (+ then country code and number)."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            f"{value} is not a phone number in E.164 form, such as +14155550123", code="invalid"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"{value} is not a valid phone number", code="invalid")
    if phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) != value:
        raise ValidationError(
            f"{value} is not in E.164 form; write it as "
            f"{phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)}",
            code="format",
        )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified_at", timezone.now())
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account; people log in with their e-mail address."""

    email = models.EmailField("e-mail address", unique=True)
    mobile_number = models.CharField(
        max_length=16,
        blank=True,
        validators=[validate_mobile_number],
        help_text="For SMS alerts, in E.164 form: + then country code and number, e.g. +14155550123.",
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.email

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None


class ApiTokenQuerySet(OwnedQuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A named API token. Only its SHA-256 hash is stored; the token is shown once."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The token's first characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The scope (accounts/scopes.py): the hosted zones it may touch (None: all) and whether it may write.
    zone_ids = models.JSONField(null=True, blank=True, help_text="Hosted-zone ids; empty means every zone.")
    is_read_only = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    # Writing last_used_at on every request would turn each API read into a write.
    LAST_USED_RESOLUTION = timedelta(minutes=1)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return API_TOKEN_PREFIX + secrets.token_urlsafe(32)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def is_last_used_stale(self, now) -> bool:
        return self.last_used_at is None or now - self.last_used_at >= self.LAST_USED_RESOLUTION


class AccessKeyQuerySet(OwnedQuerySet):
    def active(self) -> "AccessKeyQuerySet":
        return self.filter(revoked_at__isnull=True)


class AccessKey(models.Model):
    """A Route 53 API access key: an AKIA-shaped id and a secret stored encrypted (accounts/accesskeys.py).

    SigV4 needs the secret itself to recompute a signature, so unlike an API token it is not
    hashed: it is encrypted with a key derived from the settings and shown to its owner once.
    The scope fields are an API token's (accounts/scopes.py).
    """

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_keys")
    name = models.CharField(max_length=100)
    access_key_id = models.CharField(max_length=20, unique=True)
    encrypted_secret = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    zone_ids = models.JSONField(null=True, blank=True, help_text="Hosted-zone ids; empty means every zone.")
    is_read_only = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = AccessKeyQuerySet.as_manager()

    LAST_USED_RESOLUTION = timedelta(minutes=1)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.access_key_id})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def is_last_used_stale(self, now) -> bool:
        return self.last_used_at is None or now - self.last_used_at >= self.LAST_USED_RESOLUTION
