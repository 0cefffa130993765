from django.core.management.base import BaseCommand

from registrar.registry.seed import ensure_registry_seed


class Command(BaseCommand):
    help = (
        "Create the registry's TLDs, the two registrars and the provider's name-server domains (idempotent)."
    )

    def handle(self, *args, **options) -> None:
        ensure_registry_seed()
        self.stdout.write("registry seed is in place")
