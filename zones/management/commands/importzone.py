from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from zones import importexport, rules, services
from zones.models import HostedZone


class Command(BaseCommand):
    help = (
        "Import a BIND zone file into a hosted zone as one change batch, creating the zone when the "
        "owner has none by that name. The file's SOA and apex NS are replaced by the zone's own."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("zone", help="the zone's name, e.g. example.com")
        parser.add_argument("file", help="the BIND master file")
        parser.add_argument("--owner", required=True, help="the e-mail address of the owning user")
        parser.add_argument("--replace", action="store_true", help="also delete record sets the file lacks")

    def handle(self, *args, **options) -> None:
        owner = User.objects.filter(email__iexact=options["owner"]).first()
        if owner is None:
            raise CommandError(f"There is no user {options['owner']}.")
        path = Path(options["file"])
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}")
        try:
            name, problems = rules.normalize_zone_name(options["zone"])
            if problems:
                raise CommandError(problems[0].message)
            zone = HostedZone.objects.filter(owner=owner, name=name).order_by("pk").first()
            if zone is None:
                zone = services.create_hosted_zone(owner=owner, name=name, source="import")
                self.stdout.write(f"Created hosted zone {zone.name} (id {zone.pk}).")
            batch = importexport.import_zone_text(zone, text, actor=owner, replace=options["replace"])
        except services.ZoneError as error:
            raise CommandError(error.message)
        if batch is None:
            self.stdout.write("The file holds no record sets besides SOA and NS; nothing changed.")
            return
        zone.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {batch.change_count} record sets into {zone.name}: serial {zone.serial}, "
                f"{zone.record_set_count} record sets, change {batch.pk}."
            )
        )
