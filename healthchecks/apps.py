from django.apps import AppConfig


class HealthchecksConfig(AppConfig):
    name = "healthchecks"
    verbose_name = "Health checks and alerts"
    default_auto_field = "django.db.models.BigAutoField"
