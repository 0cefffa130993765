"""Query logs from unbound's dnstap: a Frame Streams reader and the few protobuf fields we need.

unbound writes each query it receives (CLIENT_QUERY) and each reply it sends (CLIENT_RESPONSE)
as a dnstap protobuf message, framed by Frame Streams, to a unix socket we listen on. dnstap
is the one unbound output with the answer itself (log-replies has no answer data); a reply is
paired with its query by client address, port and message id for the latency.

Frame Streams (bidirectional, as unbound speaks it): the writer sends READY, we answer ACCEPT,
the writer sends START, then data frames, then STOP, which we answer with FINISH. A frame is a
32-bit big-endian length and that many bytes; length 0 starts a control frame (its own length,
then a 32-bit type and fields). The dnstap schema: https://github.com/dnstap/dnstap.pb.
"""

import ipaddress
import logging
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import dns.exception
import dns.message
import dns.rcode
import dns.rdatatype

logger = logging.getLogger(__name__)

CONTENT_TYPE = b"protobuf:dnstap.Dnstap"
CONTROL_ACCEPT, CONTROL_START, CONTROL_STOP, CONTROL_READY, CONTROL_FINISH = 1, 2, 3, 4, 5
FIELD_CONTENT_TYPE = 1

# dnstap.proto: Dnstap.message = 14; Message fields and types.
DNSTAP_MESSAGE = 14
CLIENT_QUERY, CLIENT_RESPONSE = 5, 6
MESSAGE_FIELDS = {
    1: "type",
    3: "socket_protocol",
    4: "query_address",
    6: "query_port",
    8: "query_time_sec",
    9: "query_time_nsec",
    10: "query_message",
    12: "response_time_sec",
    13: "response_time_nsec",
    14: "response_message",
}
PROTOCOLS = {1: "udp", 2: "tcp", 3: "dot", 4: "doh"}
# A query whose reply never came is forgotten after this long.
PENDING_SECONDS = 30


class FrameStreamError(Exception):
    """The writer broke the Frame Streams protocol."""


def _varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if position >= len(data):
            raise FrameStreamError("a protobuf varint runs past the end of its message")
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7


def protobuf_fields(data: bytes) -> dict[int, int | bytes]:
    """The top-level fields of a protobuf message, by number (the last of a repeated one)."""
    fields: dict[int, int | bytes] = {}
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            fields[number], position = _varint(data, position)
        elif wire_type == 1:
            fields[number] = struct.unpack_from("<Q", data, position)[0]
            position += 8
        elif wire_type == 2:
            length, position = _varint(data, position)
            fields[number] = data[position : position + length]
            position += length
        elif wire_type == 5:
            fields[number] = struct.unpack_from("<I", data, position)[0]
            position += 4
        else:
            raise FrameStreamError(f"protobuf wire type {wire_type} is not one dnstap uses")
    return fields


def dnstap_message(frame: bytes) -> dict | None:
    """A dnstap frame's Message as {name: value}; None when the frame carries no message."""
    outer = protobuf_fields(frame)
    inner = outer.get(DNSTAP_MESSAGE)
    if not isinstance(inner, bytes):
        return None
    return {
        MESSAGE_FIELDS[number]: value
        for number, value in protobuf_fields(inner).items()
        if number in MESSAGE_FIELDS
    }


@dataclass(frozen=True)
class LoggedQuery:
    """One answered query, as the query log keeps it."""

    queried_at: datetime
    client_address: str
    client_port: int
    protocol: str
    query_name: str
    query_type: str
    rcode: str
    answer: str
    latency_ms: float | None


def _seconds(message: dict, prefix: str) -> float | None:
    if f"{prefix}_time_sec" not in message:
        return None
    return message[f"{prefix}_time_sec"] + message.get(f"{prefix}_time_nsec", 0) / 1e9


def _address(raw: bytes | None) -> str:
    if not raw or len(raw) not in (4, 16):
        return "0.0.0.0"
    return str(ipaddress.ip_address(raw))


class QueryPairer:
    """Pairs CLIENT_RESPONSE messages with their CLIENT_QUERY to give each query its latency."""

    def __init__(self) -> None:
        self.pending: dict[tuple, float] = {}

    def add(self, message: dict) -> LoggedQuery | None:
        """Feed one dnstap message; the finished query when it was a reply."""
        kind = message.get("type")
        client = _address(message.get("query_address"))
        port = int(message.get("query_port", 0))
        if kind == CLIENT_QUERY:
            wire, moment = message.get("query_message"), _seconds(message, "query")
            if wire and len(wire) >= 2 and moment is not None:
                self.pending[(client, port, wire[:2])] = moment
                self._forget_old(moment)
            return None
        if kind != CLIENT_RESPONSE or not message.get("response_message"):
            return None
        wire = message["response_message"]
        try:
            response = dns.message.from_wire(wire)
        except dns.exception.DNSException as error:
            logger.warning("query log: an unreadable reply to %s (%s)", client, error)
            return None
        if not response.question:
            return None
        answered = _seconds(message, "response") or time.time()
        asked = self.pending.pop((client, port, wire[:2]), None) or _seconds(message, "query")
        question = response.question[0]
        return LoggedQuery(
            queried_at=datetime.fromtimestamp(asked or answered, UTC),
            client_address=client,
            client_port=port,
            protocol=PROTOCOLS.get(int(message.get("socket_protocol", 1)), "udp"),
            query_name=question.name.to_text().lower(),
            query_type=dns.rdatatype.to_text(question.rdtype),
            rcode=dns.rcode.to_text(response.rcode()),
            answer="\n".join(rrset.to_text() for rrset in response.answer),
            latency_ms=round((answered - asked) * 1000, 3) if asked is not None else None,
        )

    def _forget_old(self, now: float) -> None:
        if len(self.pending) > 10000:
            self.pending = {
                key: moment for key, moment in self.pending.items() if now - moment < PENDING_SECONDS
            }


def _read_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _read_length(connection: socket.socket) -> int:
    return struct.unpack(">I", _read_exactly(connection, 4))[0]


def _control_frame(control_type: int, content_type: bytes | None = CONTENT_TYPE) -> bytes:
    body = struct.pack(">I", control_type)
    if content_type:
        body += struct.pack(">II", FIELD_CONTENT_TYPE, len(content_type)) + content_type
    return struct.pack(">II", 0, len(body)) + body


def read_frames(connection: socket.socket, on_frame: Callable[[bytes], None]) -> None:
    """Read one writer's Frame Streams session, calling `on_frame` with each data frame."""
    while True:
        try:
            length = _read_length(connection)
        except EOFError:
            return
        if length:
            on_frame(_read_exactly(connection, length))
            continue
        control = _read_exactly(connection, _read_length(connection))
        control_type = struct.unpack(">I", control[:4])[0]
        if control_type == CONTROL_READY:
            connection.sendall(_control_frame(CONTROL_ACCEPT))
        elif control_type == CONTROL_STOP:
            connection.sendall(_control_frame(CONTROL_FINISH, None))
            return
        elif control_type != CONTROL_START:
            raise FrameStreamError(f"unexpected control frame type {control_type}")


class DnstapListener:
    """Listens on an instance's dnstap socket in a thread; hands each answered query to `on_query`."""

    def __init__(self, path: Path, on_query: Callable[[LoggedQuery], None]) -> None:
        self.path = path
        self.on_query = on_query
        self.server: socket.socket | None = None
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()

    def start(self) -> None:
        self.path.unlink(missing_ok=True)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(self.path))
        self.server.listen(4)
        self.server.settimeout(0.5)
        self.thread = threading.Thread(target=self._accept, name=f"dnstap {self.path}", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread:
            self.thread.join(timeout=5)
        if self.server:
            self.server.close()
        self.path.unlink(missing_ok=True)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        pairer = QueryPairer()

        def on_frame(frame: bytes) -> None:
            message = dnstap_message(frame)
            logged = pairer.add(message) if message else None
            if logged:
                self.on_query(logged)

        with connection:
            try:
                read_frames(connection, on_frame)
            except (OSError, FrameStreamError, struct.error) as error:
                logger.warning("query log: the dnstap stream on %s broke: %s", self.path, error)
