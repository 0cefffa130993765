"""Serve the two local demo targets the demo health checks probe.

GET /health answers "demo primary ok" / "demo secondary ok"; the primary answers 503 while
the console's switch has it down (a flag file under var/).
"""

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings
from django.core.management.base import BaseCommand

from healthchecks import demo

logger = logging.getLogger(__name__)


def _handler(role: str):
    class DemoTarget(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            is_up = role == "secondary" or demo.is_demo_primary_up()
            body = f"demo {role} ok\n" if is_up else f"demo {role} switched off in the console\n"
            self.send_response(200 if is_up else 503)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, format: str, *args) -> None:
            logger.debug("demo %s: %s", role, format % args)

    return DemoTarget


class Command(BaseCommand):
    help = "Serve the demo health-check targets (HEALTHCHECK_DEMO_PRIMARY and HEALTHCHECK_DEMO_SECONDARY)."

    def handle(self, *args, **options) -> None:
        servers = []
        for role, address in (
            ("primary", settings.HEALTHCHECK_DEMO_PRIMARY),
            ("secondary", settings.HEALTHCHECK_DEMO_SECONDARY),
        ):
            host, _, port = address.rpartition(":")
            server = ThreadingHTTPServer((host, int(port)), _handler(role))
            servers.append(server)
            self.stdout.write(f"demo {role} target on http://{address}/health")
        threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except KeyboardInterrupt:
            for server in servers:
                server.shutdown()
