from django.core.management.base import BaseCommand

from console import demo
from healthchecks.demo import load_demo_checks
from registrar.demo import load_demo_domains


class Command(BaseCommand):
    help = (
        "Create the demo user and its demo data (domains, zones, records, health checks); safe to run again."
    )

    def handle(self, *args, **options) -> None:
        user = demo.ensure_demo_user()
        domains = load_demo_domains(user)
        checks = load_demo_checks(user)
        self.stdout.write(f"Demo user: {demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}")
        self.stdout.write(f"Demo domains: {', '.join(domain.name for domain in domains)}")
        self.stdout.write(f"Demo health checks: {', '.join(check.name for check in checks.values())}")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready for {user.email}."))
