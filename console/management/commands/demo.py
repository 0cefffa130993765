from django.core.management.base import BaseCommand

from console import demo
from healthchecks.demo import load_demo_checks
from registrar.demo import load_demo_domains
from resolver.demo import load_demo_resolver
from zones.demo import load_demo_zones


class Command(BaseCommand):
    help = (
        "Create the demo user and its demo data (domains, zones, records, health checks); safe to run again."
    )

    def handle(self, *args, **options) -> None:
        user = demo.ensure_demo_user()
        domains = load_demo_domains(user)
        checks = load_demo_checks(user)
        # After the checks, so the failover primary is tied to the demo primary's check.
        zones = load_demo_zones(user, [domain.hosted_zone for domain in domains if domain.hosted_zone])
        load_demo_resolver(user)
        self.stdout.write(f"Demo user: {demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}")
        self.stdout.write(f"Demo domains: {', '.join(domain.name for domain in domains)}")
        self.stdout.write(f"Demo health checks: {', '.join(check.name for check in checks.values())}")
        self.stdout.write(f"Demo zones: {', '.join(zone.display_name for zone in zones)}")
        self.stdout.write("Try: dig @127.0.0.1 -p 8053 www.nameplate-demo.com")
        self.stdout.write("Try: dig @127.0.54.10 www.corp.internal  (the office network's resolver)")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready for {user.email}."))
