from django.apps import AppConfig


class ZonesConfig(AppConfig):
    name = "zones"
    verbose_name = "Hosted zones"
    default_auto_field = "django.db.models.BigAutoField"
