from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


class RegistrarConfig(AppConfig):
    name = "registrar"
    verbose_name = "Registrar and registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: the seed and the services need the models, which cannot load before
        # the app registry is ready.
        from registrar.registry import commands
        from registrar.registry.seed import seed_after_migrate
        from registrar.registry.zonedata import delegated_hosts
        from registrar.services import domain_holders, read_registry_messages
        from zones.services.name_servers import register_delegation_lookup, register_holder_lookup

        # Reference data, like Django's own content types: created once the tables exist.
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="registrar-registry-seed")
        # The registry wakes us right after a commit that queued a poll message for us.
        commands.subscribe(settings.REGISTRAR_CLIENT_ID, read_registry_messages)
        # A new hosted zone never gets the hosts the registry still delegates its name to.
        register_delegation_lookup(delegated_hosts)
        # The last free name servers of a name are kept for the account that holds it here.
        register_holder_lookup(domain_holders)
