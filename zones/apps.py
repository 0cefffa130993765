from django.apps import AppConfig

from accounts import scopes


class ZonesConfig(AppConfig):
    name = "zones"
    verbose_name = "Hosted zones"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: the directory reads zones' models, which load after the app registry.
        from zones.scopes import HostedZoneDirectory

        scopes.register_zone_directory(HostedZoneDirectory())
