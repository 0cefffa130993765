"""Batched UDP: recvmmsg(2) reads many datagrams, sendmmsg(2) sends many replies, via ctypes.

Python's socket module has no batched calls, and on the query path the system calls cost
more than answering: one `recvfrom` and one `sendto` per query is where a Python server
spends most of its time. `UdpBatch` keeps preallocated message headers and buffers; the
fields the kernel reads and writes are reached through memoryviews over them, so that a
datagram costs a few slice operations rather than ctypes attribute lookups. `answer` runs
the per-query loop between the two calls: a repeated query's kept reply (replycache.py) is
written over the query, after its ID, without a call into the handler.

Linux only (`is_available()`); elsewhere the server reads and writes one datagram a call.
"""

import ctypes
import ctypes.util
import errno
import ipaddress
import logging
import socket
import struct
from collections.abc import Callable, Mapping

from dnsserver.replycache import KeptReply, PlainReply
from zones.engine.data import IPAddress

logger = logging.getLogger(__name__)

RECEIVE_SLOT = 65536
NAME_SLOT = 28  # sizeof(struct sockaddr_in6), the larger of the two families
MSG_DONTWAIT = 0x40
MSG_TRUNC = 0x20
ADDRESSES_KEPT = 4096
SOCKADDR_SIZES = {socket.AF_INET: 16, socket.AF_INET6: 28}  # sockaddr_in, sockaddr_in6


class _IoVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


class _MsgHdr(ctypes.Structure):
    _fields_ = [
        ("msg_name", ctypes.c_void_p),
        ("msg_namelen", ctypes.c_uint32),
        ("msg_iov", ctypes.c_void_p),
        ("msg_iovlen", ctypes.c_size_t),
        ("msg_control", ctypes.c_void_p),
        ("msg_controllen", ctypes.c_size_t),
        ("msg_flags", ctypes.c_int),
    ]


class _MMsgHdr(ctypes.Structure):
    _fields_ = [("msg_hdr", _MsgHdr), ("msg_len", ctypes.c_uint)]


def _load_calls():
    path = ctypes.util.find_library("c")
    if path is None:
        return None, None
    libc = ctypes.CDLL(path, use_errno=True)
    receive = getattr(libc, "recvmmsg", None)
    send = getattr(libc, "sendmmsg", None)
    if receive is None or send is None:
        return None, None
    receive.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_void_p]
    receive.restype = ctypes.c_int
    send.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int]
    send.restype = ctypes.c_int
    return receive, send


_recvmmsg, _sendmmsg = _load_calls()

# Offsets into the header arrays, in units of the memoryview formats used below.
_MMSG_SIZE = ctypes.sizeof(_MMsgHdr)
_NAMELEN = _MsgHdr.msg_namelen.offset
_FLAGS = _MsgHdr.msg_flags.offset
_LEN = _MMsgHdr.msg_len.offset
assert _MMSG_SIZE % 8 == 0 and _NAMELEN % 4 == 0 and _FLAGS % 4 == 0 and _LEN % 4 == 0
_WORDS_PER_HEADER = _MMSG_SIZE // 4
_POINTERS_PER_HEADER = _MMSG_SIZE // 8
_LEN_WORD = _LEN // 4
_FLAGS_WORD = _FLAGS // 4
_NAMELEN_WORD = _NAMELEN // 4


def is_available() -> bool:
    return _recvmmsg is not None


def peer_of(family: int, name: bytes) -> tuple:
    """A sockaddr's bytes as the (host, port, ...) tuple socket.sendto takes."""
    port = struct.unpack_from("!H", name, 2)[0]
    if family == socket.AF_INET:
        return socket.inet_ntop(family, name[4:8]), port
    flowinfo = struct.unpack_from("!I", name, 4)[0]
    scope_id = struct.unpack_from("=I", name, 24)[0]
    return socket.inet_ntop(family, name[8:24]), port, flowinfo, scope_id


class UdpBatch:
    """Up to `size` datagrams in and `size` replies out per system call on one socket.

    A reply is written over its query, in the query's receive slot (a slot holds the largest
    datagram, so any UDP reply fits): a kept reply then needs only its bytes after the ID
    copied. Reply i is sent from slot i to the source of datagram i unless an earlier
    datagram got no reply; then its send header is pointed at its own slot and source.
    """

    def __init__(self, sock: socket.socket, size: int = 64) -> None:
        self.fd = sock.fileno()
        self.family = sock.family
        self.size = size
        # Where the packed source address sits in a sockaddr_in / sockaddr_in6.
        self.address_slice = (4, 8) if sock.family == socket.AF_INET else (8, 24)
        self._receive_data = bytearray(size * RECEIVE_SLOT)
        self._names = bytearray(size * NAME_SLOT)
        # Header arrays live in bytearrays, so that memoryviews reach their fields directly.
        self._receive_header_bytes = bytearray(size * _MMSG_SIZE)
        self._send_header_bytes = bytearray(size * _MMSG_SIZE)
        self._send_iov_bytes = bytearray(size * ctypes.sizeof(_IoVec))
        self._receive_headers = (_MMsgHdr * size).from_buffer(self._receive_header_bytes)
        self._send_headers = (_MMsgHdr * size).from_buffer(self._send_header_bytes)
        self._receive_iov = (_IoVec * size)()
        self._send_iov = (_IoVec * size).from_buffer(self._send_iov_bytes)
        receive_base = ctypes.addressof(ctypes.c_char.from_buffer(self._receive_data))
        names_base = ctypes.addressof(ctypes.c_char.from_buffer(self._names))
        self.name_addresses = [names_base + index * NAME_SLOT for index in range(size)]
        self.slot_addresses = [receive_base + index * RECEIVE_SLOT for index in range(size)]
        self._receive_base = receive_base
        # The kernel writes the length of the family's sockaddr into msg_namelen, which is
        # what it is given here, so that it never needs to be set again.
        name_size = SOCKADDR_SIZES[sock.family]
        for index in range(size):
            self._receive_iov[index].iov_base = self.slot_addresses[index]
            self._receive_iov[index].iov_len = RECEIVE_SLOT
            header = self._receive_headers[index].msg_hdr
            header.msg_name = self.name_addresses[index]
            header.msg_namelen = name_size
            header.msg_iov = ctypes.addressof(self._receive_iov[index])
            header.msg_iovlen = 1
            self._send_iov[index].iov_base = self.slot_addresses[index]
            header = self._send_headers[index].msg_hdr
            header.msg_name = self.name_addresses[index]
            header.msg_namelen = name_size
            header.msg_iov = ctypes.addressof(self._send_iov[index])
            header.msg_iovlen = 1
        self.received = memoryview(self._receive_data)
        self.names = memoryview(self._names)
        self._receive_words = memoryview(self._receive_header_bytes).cast("I")
        self._send_pointers = memoryview(self._send_header_bytes).cast("Q")
        self._send_iov_words = memoryview(self._send_iov_bytes).cast("Q")
        self._queued = 0
        # Whether some reply was sent from another slot than its own index's.
        self._readdressed = False
        # One address object per source, for the handler (its cookie memo checks identity).
        self.addresses: dict[bytes, IPAddress] = {}

    def receive(self) -> int:
        """How many datagrams now wait in slots 0 to that number less one; 0 when none.

        `answer` answers them (and drops one longer than a slot). Raises OSError for errors
        other than "nothing waiting".
        """
        count = _recvmmsg(self.fd, self._receive_headers, self.size, MSG_DONTWAIT, None)
        if count < 0:
            code = ctypes.get_errno()
            if code in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR):
                return 0
            raise OSError(code, "recvmmsg failed")
        return count

    def answer(
        self,
        count: int,
        replies: Mapping[bytes, PlainReply | KeptReply],
        reply_of: Callable[[PlainReply | KeptReply, bytes], bytes | None],
        answer_timed: Callable[[bytes, IPAddress], bytes | None],
        answer: Callable[[bytes, IPAddress], bytes | None],
    ) -> None:
        """Answer the `count` received datagrams and queue their replies for `flush`.

        A datagram whose bytes after the ID are a key of `replies` (the reply cache's
        `current()`) gets what `reply_of` says of the kept reply and its packed source;
        otherwise, or when that is None, `answer` gets the whole datagram and its source's
        address object and gives the reply (None to send nothing). The first of each batch
        goes to `answer_timed`, so that the latency histogram samples hits and misses alike.
        One loop with its fields in locals: it runs once per query.
        """
        words = self._receive_words
        received = self.received
        names = self.names
        iov_words = self._send_iov_words
        addresses = self.addresses
        start, end = self.address_slice
        queued = self._queued
        for slot in range(count):
            header = slot * _WORDS_PER_HEADER
            length = words[header + _LEN_WORD]
            # Only a datagram that filled its slot can have been cut short.
            if length == RECEIVE_SLOT and words[header + _FLAGS_WORD] & MSG_TRUNC:
                logger.debug("dropped a datagram longer than %d bytes", RECEIVE_SLOT)
                continue
            offset = slot * RECEIVE_SLOT
            tail = None
            if slot:
                kept = replies.get(received[offset + 2 : offset + length].tobytes())
                if kept is not None:
                    if kept.__class__ is PlainReply:  # reply_of's first branch, inlined
                        kept.count[0] += 1
                        tail = kept.tail
                    else:
                        name = slot * NAME_SLOT
                        tail = reply_of(kept, names[name + start : name + end].tobytes())
            if tail is None:
                name = slot * NAME_SLOT
                source = names[name + start : name + end].tobytes()
                address = addresses.get(source)
                if address is None:
                    if len(addresses) >= ADDRESSES_KEPT:
                        addresses.clear()
                    address = addresses[source] = ipaddress.ip_address(source)
                query = received[offset : offset + length].tobytes()
                reply = (answer if slot else answer_timed)(query, address)
                if reply is None:
                    continue
                size = len(reply)
                if size > RECEIVE_SLOT:  # no UDP reply is; a slot holds the largest datagram
                    logger.warning("dropped a %d-byte UDP reply", size)
                    continue
                received[offset : offset + size] = reply
            else:
                size = len(tail) + 2
                received[offset + 2 : offset + size] = tail
            iov_words[queued * 2 + 1] = size
            if slot != queued:  # a datagram before it got no reply
                iov_words[queued * 2] = self.slot_addresses[slot]
                self._send_pointers[queued * _POINTERS_PER_HEADER] = self.name_addresses[slot]
                self._readdressed = True
            queued += 1
        self._queued = queued

    def peer(self, slot: int) -> tuple:
        name = slot * NAME_SLOT
        return peer_of(self.family, bytes(self.names[name : name + NAME_SLOT]))

    def flush(self) -> list[tuple[bytes, tuple]]:
        """Send the queued replies; those the socket would not take, as (reply, peer)."""
        sent = 0
        count = self._queued
        while sent < count:
            done = _sendmmsg(self.fd, ctypes.byref(self._send_headers, sent * _MMSG_SIZE), count - sent, 0)
            if done > 0:
                sent += done
                continue
            code = ctypes.get_errno()
            if code in (errno.EAGAIN, errno.EWOULDBLOCK, errno.ENOBUFS):
                break
            if code != errno.EINTR:
                # One bad destination must not hold back the replies behind it.
                logger.debug("UDP send to %s failed: %s", self.peer(self._slot_of(sent)), os_error(code))
                sent += 1
        left = []
        for index in range(sent, count):
            slot = self._slot_of(index)
            offset = slot * RECEIVE_SLOT
            size = self._send_iov_words[index * 2 + 1]
            left.append((self.received[offset : offset + size].tobytes(), self.peer(slot)))
        self._queued = 0
        if self._readdressed:
            for index in range(count):
                self._send_iov_words[index * 2] = self.slot_addresses[index]
                self._send_pointers[index * _POINTERS_PER_HEADER] = self.name_addresses[index]
            self._readdressed = False
        return left

    def _slot_of(self, index: int) -> int:
        """The slot whose reply is queued at `index` (its send buffer is that slot)."""
        return (self._send_iov_words[index * 2] - self._receive_base) // RECEIVE_SLOT


def os_error(code: int) -> str:
    return f"[Errno {code}] {errno.errorcode.get(code, 'unknown')}"
