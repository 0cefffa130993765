"""Two-factor log-in: an authenticator app (TOTP, RFC 6238) and single-use recovery codes.

The devices and the code checks are django-otp's; what is ours is the flow: set up, confirm
with a first code (which hands out the recovery codes, once), ask for a code after the
password, and turn it off again with a code. Code attempts are counted like passwords.
"""

import base64
import io

import segno
from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services import AccountError
from kernel import ratelimit

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def has_two_factor(user: User) -> bool:
    """Whether log-ins of `user` need a second factor (a confirmed authenticator)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user: User) -> TOTPDevice | None:
    """The authenticator being set up and not yet confirmed with a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def start_setup(user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for `user` (a previous unconfirmed one is dropped)."""
    if has_two_factor(user):
        raise AccountError("Two-factor log-in is on already.", field="code")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    """The authenticator's otpauth:// address as an SVG QR code, for the phone's camera."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, xmldecl=False)
    return out.getvalue().decode()


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing in by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def confirm_setup(user: User, code: str) -> list[str]:
    """Confirm the pending authenticator with its first code; returns the new recovery codes.

    Raises AccountError (field "code") when nothing is being set up or the code is wrong.
    """
    device = pending_authenticator(user)
    if device is None:
        raise AccountError("Start setting up two-factor log-in first.", field="code")
    _count_attempt(user)
    if not device.verify_token(_digits(code)):
        raise AccountError("code: that is not the code your app shows now", field="code")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
    _forgive_attempts(user)
    return codes


def verify_second_factor(user: User, code: str) -> Device:
    """The device that accepts `code`: the authenticator's current code or an unused recovery code.

    A recovery code works once. Raises AccountError (field "code") for a wrong code, and when
    too many wrong codes came in a row (counted atomically, like passwords).
    """
    _count_attempt(user)
    code = code.strip()
    digits = _digits(code)
    for device in TOTPDevice.objects.filter(user=user, confirmed=True) if len(digits) == 6 else ():
        if device.verify_token(digits):
            _forgive_attempts(user)
            return device
    recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is not None and recovery.verify_token(code.replace(" ", "").lower()):
        _forgive_attempts(user)
        return recovery
    raise AccountError("code: that code is wrong or was used already", field="code")


def disable(user: User, code: str) -> None:
    """Turn two-factor log-in off, after one more good code; raises AccountError otherwise."""
    verify_second_factor(user, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _digits(code: str) -> str:
    return "".join(character for character in code if character.isdigit())


def _count_attempt(user: User) -> None:
    decision = ratelimit.hit(
        ratelimit.limit_key("login-code", str(user.pk)),
        limit=settings.LOGIN_FAILURE_LIMIT,
        window_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS,
    )
    if not decision.is_allowed:
        minutes = max(1, round(decision.retry_after_seconds / 60))
        raise AccountError(
            f"code: too many wrong codes; try again in {minutes} minute{'s' if minutes != 1 else ''}",
            field="code",
        )


def _forgive_attempts(user: User) -> None:
    ratelimit.reset(ratelimit.limit_key("login-code", str(user.pk)))
