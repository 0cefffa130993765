from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported once the app registry is ready: drf-spectacular registers the
        # authentication scheme when the extension class is defined, and the token cache's
        # receivers (a saved token or account is read again) connect when theirs are.
        from accounts import authentication, schema  # noqa: F401
