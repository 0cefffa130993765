"""The demo account. Each app adds its own demo data in its `demo` module."""

from django.utils import timezone

from accounts.models import User

DEMO_EMAIL = "demo@nameplate.test"
DEMO_PASSWORD = "demo-password-53"


def ensure_demo_user() -> User:
    user, created = User.objects.get_or_create(
        email=DEMO_EMAIL, defaults={"email_verified_at": timezone.now()}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
