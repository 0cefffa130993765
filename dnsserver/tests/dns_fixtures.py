"""A DNS server on a loopback port in a background thread, for tests."""

import asyncio
import threading

import dns.message
import dns.query

from dnsserver.server import DnsServer
from kernel.listeners import Listener


class RunningServer:
    """Our DNS server on `host` (127.0.0.1), port 0, in a thread with its own event loop."""

    def __init__(self, state, roles=("auth",), host: str = "127.0.0.1") -> None:
        self.state = state
        self.host = host
        self.loop = asyncio.new_event_loop()
        self.server = DnsServer(state, [Listener(role, host, 0) for role in roles])
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> "RunningServer":
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(timeout=10)
        return self

    def __exit__(self, *exc_info) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    def run(self, coroutine, timeout: float = 30):
        """Run a coroutine on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=timeout)

    def port(self, role: str = "auth") -> int:
        return self.server.port(role)

    def query(self, message: dns.message.Message, transport: str = "udp", role: str = "auth", **kwargs):
        send = dns.query.udp if transport == "udp" else dns.query.tcp
        timeout = kwargs.pop("timeout", 5)
        return send(message, self.host, port=self.port(role), timeout=timeout, **kwargs)
