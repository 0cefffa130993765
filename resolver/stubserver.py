"""A tiny DNS server with fixed answers: the demo's "partner" resolver that a FORWARD rule targets.

It answers A (and AAAA) queries for the names it is given, NXDOMAIN for any other name, and
remembers the source address of each query (to show which outbound address was used).
"""

import logging
import socket
import threading
from collections.abc import Mapping

import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

logger = logging.getLogger(__name__)


class StubDnsServer:
    """UDP and TCP on one address; `answers` maps absolute names to an address; port 0 picks one."""

    def __init__(self, host: str, port: int, answers: Mapping[str, str], *, ttl: int = 1) -> None:
        self.answers = {name.lower(): address for name, address in answers.items()}
        self.ttl = ttl
        self.host = host
        self.udp, self.tcp = self._bind(host, port)
        self.port = self.udp.getsockname()[1]
        self.sources: list[str] = []
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._serve_udp, daemon=True),
            threading.Thread(target=self._serve_tcp, daemon=True),
        ]

    @staticmethod
    def _bind(host: str, port: int) -> tuple[socket.socket, socket.socket]:
        """UDP and TCP sockets on one port; with port 0, a port free for both (a few tries)."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        for _attempt in range(20 if port == 0 else 1):
            udp = socket.socket(family, socket.SOCK_DGRAM)
            udp.bind((host, port))
            tcp = socket.socket(family, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind((host, udp.getsockname()[1]))
            except OSError:
                udp.close()
                tcp.close()
                if port:
                    raise
                continue
            tcp.listen(8)
            return udp, tcp
        raise OSError(f"no port free for UDP and TCP on {host}")

    def __enter__(self) -> "StubDnsServer":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.udp.close()
        self.tcp.close()

    def answer(self, wire: bytes, source: str) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None
        self.sources.append(source)
        response = dns.message.make_response(query)
        question = query.question[0]
        address = self.answers.get(question.name.to_text().lower())
        if address is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
        else:
            rdtype = dns.rdatatype.AAAA if ":" in address else dns.rdatatype.A
            if question.rdtype == rdtype:
                response.answer.append(dns.rrset.from_text(question.name, self.ttl, "IN", rdtype, address))
        return response.to_wire()

    def _serve_udp(self) -> None:
        while not self.stopping.is_set():
            try:
                wire, source = self.udp.recvfrom(4096)
            except OSError:
                return
            reply = self.answer(wire, source[0])
            if reply:
                self.udp.sendto(reply, source)

    def _serve_tcp(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, source = self.tcp.accept()
            except OSError:
                return
            with connection:
                try:
                    length = int.from_bytes(connection.recv(2), "big")
                    reply = self.answer(connection.recv(length), source[0])
                    if reply:
                        connection.sendall(len(reply).to_bytes(2, "big") + reply)
                except OSError as error:
                    logger.warning("stub server: a TCP query from %s failed: %s", source[0], error)
