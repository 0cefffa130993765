from django.core.management.base import BaseCommand

from console import demo


class Command(BaseCommand):
    help = "Create the demo user and its demo data; safe to run again."

    def handle(self, *args, **options) -> None:
        user = demo.ensure_demo_user()
        self.stdout.write(f"Demo user: {demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready for {user.email}."))
