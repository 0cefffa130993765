"""Sockets: one UDP and one TCP socket per listener, driven by the asyncio loop.

A listener on one of our name servers' addresses answers as that name server (only the
zones whose delegation set names it), and a private listener on a network's private address
answers that network's private zones only (kernel/listeners.py); the kernel tells the
sockets apart by their bound address, so a query costs nothing to sort (docs/dns-server.md,
"Which zone answers").

UDP is read in batches: when the socket is readable, one recvmmsg(2) call reads up to
`UDP_BATCH` datagrams, each is answered, and one sendmmsg(2) call sends the replies
(batch.py); batches follow one another until the socket is empty, up to
`UDP_BATCHES_PER_EVENT` before the loop gets control back (a client that waits for its
replies before it sends again keeps batches small; reading again at once spares a turn of
the event loop when more have arrived).
Where those calls are missing, `recvfrom`/`sendto` do the same one datagram at a time. Only
a full socket buffer queues replies for later. TCP keeps each connection open for several
queries (RFC 7766 §6.2.1), answers them in order and closes after `TCP_IDLE_SECONDS` of
silence.
"""

import asyncio
import collections
import ipaddress
import logging
import socket

from dnsserver import batch
from dnsserver.handler import QueryHandler, ServerState
from kernel.listeners import PRIVATE_ROLE, Listener
from zones.engine.data import IPAddress

logger = logging.getLogger(__name__)

UDP_BATCH = 64
UDP_BATCHES_PER_EVENT = 8
TCP_IDLE_SECONDS = 10.0


def _address(peer: tuple, cache: dict) -> IPAddress:
    host = peer[0]
    address = cache.get(host)
    if address is None:
        if len(cache) >= batch.ADDRESSES_KEPT:
            cache.clear()
        address = cache[host] = ipaddress.ip_address(host.partition("%")[0])
    return address


class _UdpEndpoint:
    def __init__(self, loop: asyncio.AbstractEventLoop, sock: socket.socket, handler: QueryHandler) -> None:
        self.loop = loop
        self.sock = sock
        self.handler = handler
        self.pending: collections.deque[tuple[bytes, tuple]] = collections.deque()
        self.addresses: dict[str, IPAddress] = {}
        if batch.is_available():
            self.udp_batch = batch.UdpBatch(sock, UDP_BATCH)
            loop.add_reader(sock.fileno(), self._read_batches)
        else:
            loop.add_reader(sock.fileno(), self._read)

    def _read_batches(self) -> None:
        handler = self.handler
        cache = handler.reply_cache
        udp = self.udp_batch
        for _ in range(UDP_BATCHES_PER_EVENT):
            try:
                count = udp.receive()
            except OSError as error:
                logger.warning("UDP receive failed: %s", error)
                return
            if not count:
                return
            udp.answer(count, cache.current(), cache.reply_of, handler.answer_timed, handler.answer)
            for reply, peer in udp.flush():
                self._queue(reply, peer)

    def _read(self) -> None:
        recvfrom = self.sock.recvfrom
        handle = self.handler.handle
        addresses = self.addresses
        for _ in range(UDP_BATCH):
            try:
                data, peer = recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                logger.warning("UDP receive failed: %s", error)
                return
            reply = handle(data, _address(peer, addresses))
            if reply is not None:
                self._send(reply, peer)

    def _send(self, reply: bytes, peer: tuple) -> None:
        if self.pending:
            self.pending.append((reply, peer))
            return
        try:
            self.sock.sendto(reply, peer)
        except (BlockingIOError, InterruptedError):
            self._queue(reply, peer)
        except OSError as error:
            logger.debug("UDP send to %s failed: %s", peer, error)

    def _queue(self, reply: bytes, peer: tuple) -> None:
        if not self.pending:
            self.loop.add_writer(self.sock.fileno(), self._flush)
        self.pending.append((reply, peer))

    def _flush(self) -> None:
        while self.pending:
            reply, peer = self.pending[0]
            try:
                self.sock.sendto(reply, peer)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                logger.debug("UDP send to %s failed: %s", peer, error)
            self.pending.popleft()
        self.loop.remove_writer(self.sock.fileno())

    def close(self) -> None:
        self.loop.remove_reader(self.sock.fileno())
        if self.pending:
            self.loop.remove_writer(self.sock.fileno())
        self.sock.close()


class _TcpConnection(asyncio.Protocol):
    def __init__(self, handler: QueryHandler) -> None:
        self.handler = handler
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.address: IPAddress | None = None
        self.idle: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.address = ipaddress.ip_address(peer[0].partition("%")[0])
        self._arm()

    def _arm(self) -> None:
        if self.idle is not None:
            self.idle.cancel()
        self.idle = asyncio.get_running_loop().call_later(TCP_IDLE_SECONDS, self.transport.close)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= 2:
            length = int.from_bytes(self.buffer[:2], "big")
            if len(self.buffer) < 2 + length:
                break
            message = bytes(self.buffer[2 : 2 + length])
            del self.buffer[: 2 + length]
            for reply in self.handler.handle_stream(message, self.address):
                if self.transport.is_closing():
                    return
                self.transport.write(len(reply).to_bytes(2, "big") + reply)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.idle is not None:
            self.idle.cancel()


class DnsServer:
    """The listeners of one process. `start` binds (port 0 picks a free port for UDP and TCP)."""

    def __init__(self, state: ServerState, listeners: list[Listener], *, reuse_port: bool = False) -> None:
        self.state = state
        self.listeners = listeners
        self.reuse_port = reuse_port
        self.bound: list[Listener] = []
        self._udp: list[_UdpEndpoint] = []
        self._tcp: list[asyncio.AbstractServer] = []

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for listener in self.listeners:
            name_server = self._answers_as(listener)
            handler = QueryHandler(self.state, listener.role, name_server)
            try:
                udp, tcp = self._bind_pair(listener)
            except OSError as error:
                await self.stop()
                raise OSError(
                    error.errno, f"cannot listen on {listener.host} port {listener.port}: {error.strerror}"
                ) from None
            self._udp.append(_UdpEndpoint(loop, udp, handler))
            server = await loop.create_server(lambda handler=handler: _TcpConnection(handler), sock=tcp)
            self._tcp.append(server)
            port = udp.getsockname()[1]
            self.bound.append(Listener(listener.role, listener.host, port))
            logger.info(
                "listening for %s on %s port %s (UDP and TCP)%s",
                listener.role,
                listener.host,
                port,
                f" as {name_server}" if name_server else "",
            )

    def _answers_as(self, listener: Listener) -> str | None:
        """The address a listener's zones are chosen by: a name server's, a network's private one, or None."""
        if listener.role == PRIVATE_ROLE:
            return ipaddress.ip_address(listener.host).compressed
        return self.state.name_server_at(listener.role, listener.host)

    def _bind_pair(self, listener: Listener) -> tuple[socket.socket, socket.socket]:
        family = socket.AF_INET6 if ":" in listener.host else socket.AF_INET
        # With port 0 the kernel picks the UDP port; TCP then binds the same number, and on
        # the rare clash both are closed and another pair is tried.
        for _ in range(20):
            udp = self._socket(family, socket.SOCK_DGRAM)
            try:
                udp.bind((listener.host, listener.port))
            except OSError:
                udp.close()
                raise
            port = udp.getsockname()[1]
            tcp = self._socket(family, socket.SOCK_STREAM)
            try:
                tcp.bind((listener.host, port))
            except OSError:
                udp.close()
                tcp.close()
                if listener.port:
                    raise
                continue
            tcp.listen(1024)
            return udp, tcp
        raise OSError(f"no free port pair on {listener.host}")

    def _socket(self, family: int, kind: int) -> socket.socket:
        sock = socket.socket(family, kind)
        sock.setblocking(False)
        if kind == socket.SOCK_STREAM:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if self.reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        if kind == socket.SOCK_DGRAM:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        return sock

    def port(self, role: str) -> int:
        return next(listener.port for listener in self.bound if listener.role == role)

    async def stop(self) -> None:
        for endpoint in self._udp:
            endpoint.close()
        for server in self._tcp:
            server.close()
            await server.wait_closed()
        self._udp.clear()
        self._tcp.clear()
