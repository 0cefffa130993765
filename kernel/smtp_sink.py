"""A real SMTP server on 127.0.0.1 that keeps what it receives, for tests and local runs."""

import email
import email.policy
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from kernel.testing import free_port


class _Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 OK"


class SmtpSink:
    """`with SmtpSink() as sink:` then send to sink.host:sink.port and read sink.messages."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._handler = _Handler()
        # aiosmtpd's start-up check connects to the configured port, so port 0 must be resolved first.
        self.host = host
        self.port = port or free_port(host)
        self._controller = Controller(self._handler, hostname=host, port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self._handler.messages

    def wait_for(self, count: int, timeout_seconds: float = 10.0) -> list[EmailMessage]:
        """Block until `count` messages have arrived; raise TimeoutError otherwise."""
        with self._handler.arrived:
            if not self._handler.arrived.wait_for(lambda: len(self.messages) >= count, timeout_seconds):
                raise TimeoutError(f"{len(self.messages)} of {count} mails arrived in {timeout_seconds} s")
        return self.messages

    def __enter__(self) -> "SmtpSink":
        self._controller.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._controller.stop()
