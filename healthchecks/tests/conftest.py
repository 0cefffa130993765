"""Local servers for the health-check tests: every one binds 127.0.0.1 port 0 and stops itself."""

import json
import socket
import ssl
import subprocess
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery import current_app
from django.conf import settings

from healthchecks import services
from healthchecks.models import HealthCheck
from kernel import bus
from kernel.redis import redis_client

BODY = b"<html><body>status: all good, marker-53</body></html>"


class TargetHandler(BaseHTTPRequestHandler):
    """/ok, /slow and /hold (answer when released), /error (500), /redirect (301), /big (marker late)."""

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        self.server.hosts.append(self.headers.get("Host"))
        self.server.request_seen.set()
        if self.path.startswith("/slow"):
            self.server.release.wait(30)
        if self.path.startswith("/hold"):
            # Held until the test releases it: a probe in flight when a worker is killed.
            self.server.release.wait(30)
        if self.path.startswith("/error"):
            status, body = 500, b"broken"
        elif self.path.startswith("/redirect"):
            status, body = 301, b""
        elif self.path.startswith("/big"):
            status, body = 200, b"x" * 6000 + b"marker-53"
        else:
            status, body = 200, BODY
        try:
            self.send_response(status)
            if status == 301:
                self.send_header("Location", "/ok")
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            # The prober gave up (timeout) or its worker was killed: nothing to answer.
            return

    def log_message(self, format: str, *args) -> None:
        return


class LocalServer:
    def __init__(self, handler, context: ssl.SSLContext | None = None) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.requests = []
        self.httpd.hosts = []
        self.httpd.request_seen = threading.Event()
        self.httpd.release = threading.Event()
        if context is not None:
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def requests(self) -> list:
        return self.httpd.requests

    def __enter__(self) -> "LocalServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def target():
    """A plain HTTP target on 127.0.0.1."""
    with LocalServer(TargetHandler) as server:
        yield server


@pytest.fixture(scope="session")
def self_signed_cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with the openssl CLI at test time."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=nameplate-test",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_target(self_signed_cert):
    """An HTTPS target whose certificate no public authority signed."""
    cert, key = self_signed_cert
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with LocalServer(TargetHandler, context) as server:
        yield server


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class GatewayHandler(BaseHTTPRequestHandler):
    """A Twilio-style SMS gateway: records each POST, answers the next scripted status (then 201)."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        status = self.server.script.pop(0) if self.server.script else 201
        self.server.requests.append(
            {
                "form": {k: v[0] for k, v in form.items()},
                "auth": self.headers.get("Authorization"),
                "idempotency_key": self.headers.get("Idempotency-Key"),
                "status": status,
            }
        )
        body = json.dumps({"sid": f"SM{len(self.server.requests)}", "status": "queued"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        return


@pytest.fixture
def sms_gateway(settings):
    """A local SMS gateway; SMS_GATEWAY_URL points at it. `.script` lists statuses to answer first."""
    with LocalServer(GatewayHandler) as server:
        server.httpd.script = []
        server.script = server.httpd.script
        settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.port}/2010-04-01/Accounts/AC1/Messages.json"
        settings.SMS_ACCOUNT = "AC1"
        settings.SMS_TOKEN = "secret-token"
        settings.SMS_FROM_NUMBER = "+14155550100"
        yield server


@pytest.fixture
def eager_tasks():
    """Celery tasks run in-process when enqueued: a dispatcher called as beat would runs its work."""
    current_app.conf.task_always_eager = True
    current_app.conf.task_eager_propagates = True
    yield
    current_app.conf.task_always_eager = False
    current_app.conf.task_eager_propagates = False


@pytest.fixture
def health_view():
    """The Redis health view, emptied before and after the test."""
    client = redis_client()
    client.delete(bus.HEALTH_STATUS_KEY)
    yield client
    client.delete(bus.HEALTH_STATUS_KEY)


def http_check(owner, port: int, **overrides) -> HealthCheck:
    data = {
        "name": overrides.pop("name", f"web {port}"),
        "check_type": "http",
        "ip_address": "127.0.0.1",
        "port": port,
        "resource_path": "/ok",
        "request_interval_seconds": 10,
        "failure_threshold": 1,
        "timeout_seconds": 2.0,
        "regions": list(settings.HEALTHCHECK_REGIONS),
    }
    data.update(overrides)
    return services.create_health_check(owner=owner, data=data)
