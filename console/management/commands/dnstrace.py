from django.core.management.base import BaseCommand, CommandError

from console import tools


class Command(BaseCommand):
    help = "Walk from our root server through the TLD server to the zone's name servers, like dig +trace."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name")
        parser.add_argument("type", nargs="?", default="A")

    def handle(self, *args, **options) -> None:
        result = tools.run_trace(options["name"], options["type"])
        for number, step in enumerate(result.steps, start=1):
            where = f"{step.server.name} ({step.server.address} port {step.server.port})"
            rtt = f"{step.rtt_ms:.1f} ms" if step.rtt_ms is not None else "-"
            self.stdout.write(f";; {number}. {step.tier} server {where}: {step.qname} {step.qtype}")
            self.stdout.write(
                f";;    {step.outcome} {step.rcode} in {rtt}{(': ' + step.error) if step.error else ''}"
            )
            for section in (step.answer, step.authority, step.additional):
                for line in section:
                    self.stdout.write(f"   {line}")
        if result.outcome != "answer":
            raise CommandError(result.error or result.outcome)
