from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RegistrarConfig(AppConfig):
    name = "registrar"
    verbose_name = "Registrar and registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: the seed needs the models, which cannot load before the app registry is ready.
        from registrar.registry.seed import seed_after_migrate

        # Reference data, like Django's own content types: created once the tables exist.
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="registrar-registry-seed")
