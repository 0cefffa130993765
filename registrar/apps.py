from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed_registry(sender: AppConfig, **kwargs) -> None:
    """After `migrate`, make sure the registry has its TLDs, registrars and provider domains."""
    from registrar.registry.seed import ensure_registry_seed

    ensure_registry_seed()


class RegistrarConfig(AppConfig):
    name = "registrar"
    verbose_name = "Registrar and registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Reference data, like Django's own content types: created once the tables exist.
        post_migrate.connect(_seed_registry, sender=self, dispatch_uid="registrar-registry-seed")
