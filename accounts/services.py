"""Account services: sign-up, e-mail verification, log-in throttling, API tokens."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, LoginFailure, User
from kernel import emails
from kernel.errors import ServiceError

VERIFICATION_SALT = "console.email-verification"


class AccountError(ServiceError):
    """An account operation was refused."""


def sign_up(*, email: str, password: str) -> User:
    """Create an unverified account and send the verification mail after commit.

    Raises AccountError (field "email") when the address is taken.
    """
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise AccountError(f"An account with the e-mail address {email} already exists.", field="email")
        user = User.objects.create_user(email=email, password=password)
        transaction.on_commit(lambda: send_verification_mail(user))
    return user


def make_verification_token(user: User) -> str:
    return signing.TimestampSigner(salt=VERIFICATION_SALT).sign(f"{user.pk}:{user.email}")


def send_verification_mail(user: User) -> None:
    path = reverse("accounts-verify-email", args=[make_verification_token(user)])
    emails.send_mail("verify_email", user.email, {"user": user, "verify_url": settings.SITE_URL + path})


def verify_email(token: str) -> User:
    """Mark the address in a signed token as verified.

    Raises AccountError when the link is expired, altered, or the address changed since.
    """
    signer = signing.TimestampSigner(salt=VERIFICATION_SALT)
    try:
        value = signer.unsign(token, max_age=settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise AccountError("This verification link has expired; log in to get a new one.") from None
    except signing.BadSignature:
        raise AccountError("This verification link is not valid.") from None
    user_id, _, email = value.partition(":")
    user = User.objects.filter(pk=user_id, email=email).first()
    if user is None:
        raise AccountError("This verification link is for an address that is no longer on any account.")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


@dataclass(frozen=True)
class LoginLock:
    retry_after_seconds: int


def get_login_lock(*, email: str, ip_address: str | None) -> LoginLock | None:
    """The lock in force for this address or client, or None when a log-in may be tried."""
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    since = timezone.now() - window
    match = Q(email=email.lower())
    if ip_address:
        match |= Q(ip_address=ip_address)
    failures = LoginFailure.objects.filter(match, created_at__gte=since).order_by("created_at")
    by_email = [f for f in failures if f.email == email.lower()]
    by_ip = [f for f in failures if ip_address and f.ip_address == ip_address]
    limit = settings.LOGIN_FAILURE_LIMIT
    # A client is allowed more failures than one address, so a shared office NAT still works.
    for group, group_limit in ((by_email, limit), (by_ip, limit * 4)):
        if len(group) >= group_limit:
            oldest_counted = group[-group_limit]
            retry_after = oldest_counted.created_at + window - timezone.now()
            return LoginLock(retry_after_seconds=max(1, int(retry_after.total_seconds())))
    return None


def record_login_failure(*, email: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(email=email.lower(), ip_address=ip_address)
    LoginFailure.objects.filter(
        created_at__lt=timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    ).delete()


def clear_login_failures(*, email: str) -> None:
    LoginFailure.objects.filter(email=email.lower()).delete()


def create_api_token(*, owner: User, name: str) -> tuple[ApiToken, str]:
    """A new token and its secret key; the key is not stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise AccountError("A token needs a name.", field="name")
    if ApiToken.objects.active().filter(owner=owner, name=name).exists():
        raise AccountError(f"You already have a token called {name}.", field="name")
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(owner=owner, name=name, prefix=key[:10], key_hash=ApiToken.hash_key(key))
    return token, key


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
