"""Account services: sign-up, e-mail verification, log-in throttling, API tokens."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import scopes
from accounts.models import ApiToken, User
from kernel import emails, ratelimit
from kernel.errors import ServiceError

VERIFICATION_SALT = "console.email-verification"


class AccountError(ServiceError):
    """An account operation was refused."""


def sign_up(*, email: str, password: str) -> None:
    """Create an unverified account and send the verification mail after commit.

    An address that already has an account gets no second one and no error: its owner is
    mailed instead (with a link to reset the password), so the answer never tells a stranger
    who has an account here. The password is hashed either way, so the two take as long.
    """
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            make_password(password)
            transaction.on_commit(lambda: send_sign_up_attempt_mail(existing))
            return
        user = User.objects.create_user(email=email, password=password)
        transaction.on_commit(lambda: send_verification_mail(user))


def send_sign_up_attempt_mail(user: User) -> None:
    reset_url = settings.SITE_URL + reverse("accounts-password-reset")
    emails.send_mail("sign_up_attempt", user.email, {"user": user, "reset_url": reset_url})


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
class LoginAttempt:
    """One log-in attempt, counted before its password is checked."""

    retry_after_seconds: int
    counted: tuple[ratelimit.Decision, ...] = ()

    @property
    def is_locked(self) -> bool:
        return self.retry_after_seconds > 0


def start_login_attempt(*, email: str, ip_address: str | None) -> LoginAttempt:
    """Count an attempt against the address's limit and the client's; locked when either is full.

    Every attempt counts until it proves right (`finish_login_attempt`), so parallel guesses
    cannot all be checked before the first failure is recorded: count and check are one
    atomic step in Redis. A client gets four times an address's limit, so a shared office
    NAT still works.
    """
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    limit = settings.LOGIN_FAILURE_LIMIT
    by_email = ratelimit.hit(
        ratelimit.limit_key("login-email", email.lower()), limit=limit, window_seconds=window
    )
    if not by_email.is_allowed:
        return LoginAttempt(by_email.retry_after_seconds)
    if not ip_address:
        return LoginAttempt(0, (by_email,))
    by_client = ratelimit.hit(
        ratelimit.limit_key("login-client", ip_address), limit=limit * 4, window_seconds=window
    )
    if not by_client.is_allowed:
        ratelimit.forget(by_email)
        return LoginAttempt(by_client.retry_after_seconds)
    return LoginAttempt(0, (by_email, by_client))


def finish_login_attempt(attempt: LoginAttempt, *, email: str) -> None:
    """The password was right: the address's failures are forgiven and this attempt uncounted."""
    ratelimit.reset(ratelimit.limit_key("login-email", email.lower()))
    for decision in attempt.counted[1:]:
        ratelimit.forget(decision)


def create_api_token(
    *,
    owner: User,
    name: str,
    zone_ids: list[int] | None = None,
    is_read_only: bool = False,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret key; the key is not stored and cannot be shown again.

    `zone_ids` None scopes it to every hosted zone; a list, to those (each must be the owner's).
    Raises AccountError naming the field.
    """
    name = name.strip()
    if not name:
        raise AccountError("A token needs a name.", field="name")
    if ApiToken.objects.active().filter(owner=owner, name=name).exists():
        raise AccountError(f"You already have a token called {name}.", field="name")
    zone_ids = scopes.clean_scope(owner=owner, zone_ids=zone_ids, expires_at=expires_at, error=AccountError)
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        owner=owner,
        name=name,
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        zone_ids=zone_ids,
        is_read_only=is_read_only,
        expires_at=expires_at,
    )
    return token, key


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
