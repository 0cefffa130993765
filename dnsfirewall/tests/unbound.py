"""A real unbound for the firewall's tests: our RPZ clauses, and a zone of ordinary answers.

The ordinary answers come from an `auth-zone` the same unbound holds for upstream lookups,
so a query the firewall lets through is resolved as usual and one it blocks never is.
`TinyPrimary` stands in for our DNS server's RPZ listener (the tests of this layer cannot
import dnsserver): it serves zone snapshots over AXFR and sends NOTIFY.
"""

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype

from kernel.testing import debian_program, free_port
from zones.engine import ZoneSnapshot

STARTUP_SECONDS = 20.0


class Unbound:
    """unbound on 127.0.0.1 with `clauses` (rpz: lines) and `data_zones` (name → master file text).

    `port` when the test must know it before (a primary that NOTIFYs it); else a free one.
    """

    def __init__(
        self, directory: Path, clauses: list[str], data_zones: dict[str, str], *, port: int | None = None
    ) -> None:
        # Asked until it answers: a name of the data zones, so unbound looks nowhere else.
        self.probe = next(iter(data_zones))
        self.program = debian_program("unbound")
        self.directory = directory
        self.port = port or free_port()
        self.log = directory / "unbound.log"
        lines = [
            "server:",
            f"    interface: 127.0.0.1@{self.port}",
            f"    port: {self.port}",
            '    username: ""',
            '    chroot: ""',
            f'    directory: "{directory}"',
            f'    pidfile: "{directory}/unbound.pid"',
            f'    logfile: "{self.log}"',
            "    use-syslog: no",
            "    do-daemonize: no",
            "    do-ip6: no",
            "    num-threads: 1",
            "    verbosity: 1",
            "    access-control: 127.0.0.0/8 allow",
            "    do-not-query-localhost: no",
            # RPZ runs in the respip module; no validator: the test zones are unsigned.
            '    module-config: "respip iterator"',
            "remote-control:",
            "    control-enable: no",
        ]
        for name, text in data_zones.items():
            path = directory / f"{name}zone"
            path.write_text(text)
            lines += ["auth-zone:", f'    name: "{name}"', f'    zonefile: "{path}"']
            lines += ["    for-upstream: yes", "    for-downstream: no", "    fallback-enabled: no"]
        self.config = directory / "unbound.conf"
        self.config.write_text("\n".join([*lines, *clauses]) + "\n")
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Unbound":
        checked = subprocess.run(
            [debian_program("unbound-checkconf", "unbound"), str(self.config)],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        self.process = subprocess.Popen([self.program, "-d", "-c", str(self.config)], start_new_session=True)
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                self.query(self.probe, "SOA", timeout=0.2)
                return self
            except (TimeoutError, OSError, dns.exception.Timeout):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = self.log.read_text() if self.log.exists() else ""
                    self.__exit__()
                    raise AssertionError(f"unbound did not start:\n{log}") from None

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)

    def query(self, qname: str, rdtype: str, *, timeout: float = 2.0) -> dns.message.Message:
        return dns.query.udp(
            dns.message.make_query(qname, rdtype), "127.0.0.1", port=self.port, timeout=timeout
        )

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


class TinyPrimary:
    """A primary for unbound's `rpz: primary:` in tests: SOA over UDP, AXFR over TCP, NOTIFY out.

    It serves what `serve` was last handed (zone snapshots of the engine, as the DNS server
    holds them), so a test plays the DNS server's follower: load from the source, serve, notify.
    """

    def __init__(self) -> None:
        self.zones: dict[dns.name.Name, ZoneSnapshot] = {}
        self.port = free_port()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", self.port))
        self.tcp.listen(8)
        self.transfers = 0
        self.threads = [
            threading.Thread(target=loop, daemon=True) for loop in (self._udp_loop, self._tcp_loop)
        ]

    def serve(self, snapshot: ZoneSnapshot) -> None:
        self.zones[snapshot.origin] = snapshot

    def notify(self, origin: dns.name.Name, port: int) -> dns.message.Message:
        """NOTIFY (RFC 1996) the unbound on `port` that `origin` has a new serial."""
        message = dns.message.make_query(origin, dns.rdatatype.SOA)
        # The opcode lives in the flags word: set the flags first.
        message.flags = dns.flags.AA
        message.set_opcode(dns.opcode.NOTIFY)
        message.answer.append(self.zones[origin].soa)
        return dns.query.udp(message, "127.0.0.1", port=port, timeout=2)

    def __enter__(self) -> "TinyPrimary":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for sock in (self.udp, self.tcp):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _answer(self, request: dns.message.Message) -> list[dns.message.Message]:
        reply = dns.message.make_response(request)
        question = request.question[0]
        zone = self.zones.get(question.name)
        if zone is None:
            reply.set_rcode(dns.rcode.REFUSED)
            return [reply]
        reply.flags |= dns.flags.AA
        if question.rdtype in (dns.rdatatype.AXFR, dns.rdatatype.IXFR):
            # IXFR answered in full, in AXFR form (RFC 1995 §4), as our DNS server does.
            self.transfers += 1
            reply.answer = [*zone.iter_rrsets(), zone.soa]
        elif question.rdtype == dns.rdatatype.SOA:
            reply.answer = [zone.soa]
        return [reply]

    def _udp_loop(self) -> None:
        while True:
            try:
                data, peer = self.udp.recvfrom(65535)
            except OSError:
                return
            try:
                request = dns.message.from_wire(data)
            except dns.exception.DNSException:
                continue
            for reply in self._answer(request):
                self.udp.sendto(reply.to_wire(), peer)

    def _tcp_loop(self) -> None:
        while True:
            try:
                connection, _ = self.tcp.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                with contextlib.suppress(OSError, EOFError, dns.exception.DNSException):
                    while True:
                        request = dns.message.from_wire(_read_exactly(connection, _length(connection)))
                        for reply in self._answer(request):
                            wire = reply.to_wire()
                            connection.sendall(len(wire).to_bytes(2, "big") + wire)


def _length(connection: socket.socket) -> int:
    return int.from_bytes(_read_exactly(connection, 2), "big")


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def wait_until(condition, *, timeout_seconds: float = 15.0, what: str = "condition"):
    """Poll `condition` until it returns something truthy; fail after the deadline."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        with contextlib.suppress(dns.exception.Timeout):
            value = condition()
            if value:
                return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_seconds} s waiting for {what}")
        time.sleep(0.05)
