"""Helpers for the end-to-end tests: buy a domain the normal way, run the DNS server on the database."""

import asyncio
import io
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import dns.message
import dns.query
import dns.rdatatype

from dnsserver.follow import Follower
from dnsserver.handler import ServerState
from dnsserver.server import DnsServer
from dnsserver.sources import database_sources, name_server_pool
from kernel.listeners import Listener
from kernel.redis import async_redis_client
from kernel.testing import free_port_on
from registrar import services as registrar_services
from registrar.models import Domain
from registrar.registry.seed import ensure_registry_seed
from zones import services as zone_services
from zones.snapshot import engine_config

TEST_CARD = "4242 4242 4242 4242"
CONTACT = {"name": "Test Owner", "email": "owner@example.com", "city": "Seoul", "country_code": "KR"}


def buy_domain(user: Any, name: str) -> Domain:
    """Top up, add to cart and check out, as a customer would; the domain with its hosted zone."""
    ensure_registry_seed()
    [offer] = registrar_services.check_names([name])
    assert offer.is_available, f"{name} is not available: {offer}"
    registrar_services.top_up(owner=user, amount_cents=offer.yearly_price_cents * 2, card_number=TEST_CARD)
    registrar_services.add_to_cart(owner=user, name=name, years=1)
    registrar_services.checkout(owner=user, idempotency_key=f"test-{name}", contact=CONTACT)
    return Domain.objects.get(owner=user, name=name, state=Domain.ACTIVE)


class LiveDnsServer:
    """Our DNS server with its database zone source and Redis follow, in a thread of its own.

    `listeners` are "role=host:port" texts; port 0 picks a free port (see `.port(role)`).
    With `name_server_port` it also listens, as each name server, on that port of every
    name server's own address (settings.DNS_NAMESERVER_ADDRESSES), as `manage.py dnsserver`
    does; 0 picks one port free on all of them (`.name_server_port`).
    """

    def __init__(
        self, listeners: list[str], *, poll_seconds: float = 0.5, name_server_port: int | None = None
    ) -> None:
        self.listeners = [Listener.parse(text) for text in listeners]
        self.name_servers = name_server_pool()
        self.name_server_port = name_server_port
        if name_server_port is not None:
            addresses = list(dict.fromkeys(self.name_servers.values()))
            self.name_server_port = name_server_port or free_port_on(addresses)
            self.listeners += [Listener("auth", address, self.name_server_port) for address in addresses]
        roles = tuple(dict.fromkeys(listener.role for listener in self.listeners))
        self.state = ServerState(engine_config(), roles=roles, name_servers=self.name_servers)
        self.follower = Follower(
            self.state,
            database_sources(),
            redis_factory=async_redis_client,
            poll_seconds=poll_seconds,
        )
        self.server = DnsServer(self.state, self.listeners)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def _run(self, coroutine) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def __enter__(self) -> "LiveDnsServer":
        self.thread.start()
        self._run(self.server.start())
        self._run(self.follower.start())
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._run(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    async def _stop(self) -> None:
        await self.follower.stop()
        await self.server.stop()
        # What is still running (a NOTIFY in flight, a task its stop gave up on) is cancelled
        # and awaited here, as asyncio.run does, so no coroutine is left for the garbage
        # collector to close in some later test.
        left = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in left:
            task.cancel()
        if left:
            _, pending = await asyncio.wait(left, timeout=10)
            for task in pending:
                stack = io.StringIO()
                task.print_stack(file=stack)
                warnings.warn(f"LiveDnsServer: a task ignored its cancel: {stack.getvalue()}", stacklevel=1)
        await self.loop.shutdown_default_executor()

    def port(self, role: str) -> int:
        return self.server.port(role)

    def listen_setting(self) -> list[str]:
        """DNS_SERVER_LISTEN as it must read for tools that walk these listeners."""
        return [f"{item.role}=127.0.0.1:{self.port(item.role)}" for item in self.listeners]


def query(qname: str, rdtype: str, port: int, *, host: str = "127.0.0.1", **make: Any) -> dns.message.Message:
    return dns.query.udp(dns.message.make_query(qname, rdtype, **make), host, port=port, timeout=3)


def name_server_address(host: str) -> str:
    """The address of one of our name servers (absolute host name)."""
    return zone_services.name_server_pool()[host]


def wait_for_delegation(server: "LiveDnsServer", domain: str, *, host: str = "127.0.0.1") -> None:
    """Until the root refers to the TLD and the TLD to the domain's name servers."""
    for role in ("root", "tld"):
        addresses = [item.host for item in server.listeners if item.role == role]
        wait_until(
            lambda role=role, addresses=addresses: any(
                rrset.rdtype == dns.rdatatype.NS
                for rrset in query(domain, "NS", server.port(role), host=addresses[0]).authority
            ),
            what=f"the {role} server to delegate {domain}",
        )


def wait_until(
    condition: Callable[[], Any], *, timeout_seconds: float = 15.0, what: str = "condition"
) -> Any:
    """Poll `condition` until it returns something truthy; fail after the deadline."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_seconds} s waiting for {what}")
        time.sleep(0.05)
