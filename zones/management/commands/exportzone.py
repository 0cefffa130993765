from django.core.management.base import BaseCommand, CommandError

from zones import importexport, rules
from zones.models import HostedZone


class Command(BaseCommand):
    help = "Write a hosted zone as a BIND master file on standard output."

    def add_arguments(self, parser) -> None:
        parser.add_argument("zone", help="the zone's name (or its id)")
        parser.add_argument("--owner", help="the owner's e-mail address, when several users have the zone")

    def handle(self, *args, **options) -> None:
        zones = HostedZone.objects.all()
        if options["owner"]:
            zones = zones.filter(owner__email__iexact=options["owner"])
        if options["zone"].isdigit():
            zones = zones.filter(pk=int(options["zone"]))
        else:
            name, problems = rules.normalize_zone_name(options["zone"])
            if problems:
                raise CommandError(problems[0].message)
            zones = zones.filter(name=name)
        found = list(zones.order_by("pk")[:2])
        if not found:
            raise CommandError(f"There is no hosted zone {options['zone']}.")
        if len(found) > 1:
            raise CommandError(
                f"Several hosted zones are named {options['zone']}: give --owner or the zone's id."
            )
        self.stdout.write(importexport.export_zone(found[0]), ending="")
