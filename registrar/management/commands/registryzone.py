from django.core.management.base import BaseCommand, CommandError

from registrar.registry import zonedata


class Command(BaseCommand):
    help = "Print a registry zone (a TLD, or . for the root) in master-file format."

    def add_arguments(self, parser) -> None:
        parser.add_argument("zone", help='a TLD such as com, or "." for the root zone')

    def handle(self, *args, **options) -> None:
        try:
            zone = zonedata.build_zone(options["zone"])
        except zonedata.RegistryZoneError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(zone.to_text(relativize=False))
