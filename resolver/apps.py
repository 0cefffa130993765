from django.apps import AppConfig


class ResolverConfig(AppConfig):
    name = "resolver"
    verbose_name = "Resolver"
    default_auto_field = "django.db.models.BigAutoField"
