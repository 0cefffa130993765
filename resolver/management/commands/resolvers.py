"""Run one unbound per network with an inbound endpoint, plus the shared SYSTEM-rule instance."""

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from resolver import metrics
from resolver.demo import demo_partner
from resolver.supervisor import Supervisor

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Write each network's unbound configuration from the database, run and supervise the instances."

    def handle(self, *args, **options) -> None:
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        supervisor = Supervisor(
            unbound=settings.RESOLVER_UNBOUND,
            resync_seconds=settings.RESOLVER_RESYNC_SECONDS,
        )
        partner = None
        try:
            partner = demo_partner()
        except OSError as error:
            logger.warning("the demo partner server (RESOLVER_DEMO_PARTNER) cannot listen: %s", error)
        if partner is not None:
            partner.__enter__()
            self.stdout.write(f"resolvers: the demo partner server answers on {partner.host}:{partner.port}")
        self.stdout.write(f"resolvers: instances in {settings.RESOLVER_DIR}")
        metrics_server = metrics.start_listener(supervisor, settings.METRICS_RESOLVER_LISTEN)
        try:
            supervisor.run(stopping)
        finally:
            if metrics_server is not None:
                metrics_server.shutdown()
            if partner is not None:
                partner.stop()
