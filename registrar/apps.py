from django.apps import AppConfig


class RegistrarConfig(AppConfig):
    name = "registrar"
    verbose_name = "Registrar and registry"
    default_auto_field = "django.db.models.BigAutoField"
