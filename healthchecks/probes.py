"""Asynchronous probes: HTTP(S), string match and TCP connect, many at once in one event loop.

No Django here: a probe takes a `ProbeSpec` and returns a `ProbeOutcome`; the task turns rows
into specs and outcomes into rows. Every probe has its own deadline, so a slow target only
costs its own timeout.

A probe resolves its host itself, checks every address it got (`rules.is_dialable`), and
connects to a checked address, never to the name: a name that resolved to a public address
when the check was saved and to 127.0.0.1 now (DNS rebinding) is refused at the moment it
would be dialled.
"""

import asyncio
import ipaddress
import logging
import os
import socket
import ssl
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import anyio
import httpx

from healthchecks import rules

USER_AGENT = "Nameplate-Health-Check/1.0"
GIL_SWITCH_INTERVAL_SECONDS = 0.0005
try:
    import sniffio  # noqa: F401
except ImportError:
    # httpcore tries `import sniffio` on every request; a failing import rescans sys.path each
    # time (a third of a probe's CPU in the bench). Recording the absence once makes it fail fast.
    sys.modules["sniffio"] = None
# httpx logs every request at INFO: hundreds a second here, and each probe's result is stored anyway.
logging.getLogger("httpx").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ProbeSpec:
    """What one probe connects to; `start_at` is the scheduled time (Unix seconds)."""

    key: int
    check_type: str
    host: str
    port: int | None
    path: str = "/"
    host_header: str = ""
    search_string: str = ""
    skip_tls_verification: bool = False
    timeout_seconds: float = 4.0
    start_at: float = 0.0
    # The operator's HEALTHCHECK_ALLOW_LOCAL_TARGETS: loopback, private and documentation addresses.
    allow_local_targets: bool = False


@dataclass(frozen=True)
class ProbeOutcome:
    key: int
    is_success: bool
    status_code: int | None
    latency_ms: int | None
    error: str
    started_at: float
    lag_ms: int


# host, port -> the addresses to try, in order. getaddrinfo by default; the tests hand in their own.
Resolver = Callable[[str, int], Awaitable[list[str]]]


class RefusedTarget(Exception):
    """The host is, or resolved to, an address checkers may not connect to."""


class UnresolvedHost(Exception):
    """The host name did not resolve."""


async def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in getaddrinfo's order, each once."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _port(spec: ProbeSpec) -> int:
    return spec.port or (443 if spec.check_type.startswith("https") else 80)


async def dial_addresses(spec: ProbeSpec, resolve: Resolver) -> list[str]:
    """The addresses to connect to for `spec`, every one checked; raises RefusedTarget or UnresolvedHost.

    A literal address is checked as it is; a name is resolved now, and one refused address
    among its answers refuses the probe (a name that answers both ways is not to be trusted).
    """
    literal = rules.literal_address(spec.host)
    if literal is not None:
        shown = spec.host if spec.host == str(literal) or ":" in spec.host else f"{spec.host} ({literal})"
        candidates, of = [(shown, literal)], ""
    else:
        try:
            texts = await resolve(spec.host, _port(spec))
        except socket.gaierror as error:
            raise UnresolvedHost(f"could not resolve {spec.host}: {error.strerror or error}") from None
        if not texts:
            raise UnresolvedHost(f"could not resolve {spec.host}: no addresses")
        candidates, of = [(text, ipaddress.ip_address(text)) for text in texts], f" of {spec.host}"
    for shown, address in candidates:
        if not rules.is_dialable(address, allow_local_targets=spec.allow_local_targets):
            reached = rules.dialled_address(address)
            if reached != address:
                shown = f"{shown} (IPv4 {reached})"
            raise RefusedTarget(f"address {shown}{of} is not a public address")
    return [str(address) for _, address in candidates]


def _url(spec: ProbeSpec, address: str) -> str:
    scheme = "https" if spec.check_type.startswith("https") else "http"
    host = f"[{address}]" if ":" in address else address
    return f"{scheme}://{host}:{_port(spec)}{spec.path or '/'}"


def _describe(error: BaseException, timeout_seconds: float) -> str:
    """A short, plain reason; certificate problems are named as such."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"certificate error: {cause.verify_message or cause.reason}"[:200]
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, httpx.TimeoutException | asyncio.TimeoutError | TimeoutError):
        return f"timed out after {timeout_seconds:g} s"
    if isinstance(error, httpx.ConnectError | ConnectionError | OSError):
        return f"connection failed: {error or type(error).__name__}"[:200]
    return f"{type(error).__name__}: {error}"[:200]


async def _http(
    spec: ProbeSpec, address: str, transport: httpx.AsyncHTTPTransport
) -> tuple[bool, int | None, str]:
    headers = {"User-Agent": USER_AGENT, "Connection": "close"}
    # The URL holds the checked address; the name goes in the Host header and TLS's SNI, and
    # the certificate is verified against it.
    is_name = rules.literal_address(spec.host) is None
    host_header = spec.host_header or (spec.host if is_name else "")
    if host_header:
        headers["Host"] = host_header
    extensions = {"sni_hostname": host_header} if host_header else {}
    # The transport alone: a probe needs no redirects, cookies or auth, and skipping the client
    # halves the CPU a probe costs.
    response = await transport.handle_async_request(
        httpx.Request("GET", _url(spec, address), headers=headers, extensions=extensions)
    )
    try:
        code = response.status_code
        if not 200 <= code < 400:
            return False, code, f"HTTP status {code}"
        if spec.search_string:
            body = b""
            async for chunk in response.stream:
                body += chunk
                if len(body) >= rules.SEARCH_BODY_BYTES:
                    break
            if spec.search_string.encode() not in body[: rules.SEARCH_BODY_BYTES]:
                return False, code, "search string not found in the first 5,120 bytes of the body"
        return True, code, ""
    finally:
        await response.aclose()


async def _tcp(spec: ProbeSpec, address: str) -> tuple[bool, int | None, str]:
    _, writer = await asyncio.open_connection(address, spec.port)
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        # The connection was made, which is all a TCP check asks; a reset on close is not a failure.
        return True, None, ""
    return True, None, ""


async def _probe_address(
    spec: ProbeSpec, address: str, clients: "ProbeClients"
) -> tuple[bool, int | None, str]:
    if spec.check_type == "tcp":
        return await _tcp(spec, address)
    async with clients.for_spec(spec) as transport:
        return await _http(spec, address, transport)


async def _probe_addresses(spec: ProbeSpec, clients: "ProbeClients") -> tuple[bool, int | None, str]:
    """Probe the checked addresses in order, moving on only when connecting to one failed."""
    *others, last = await dial_addresses(spec, clients.resolve)
    for address in others:
        try:
            return await _probe_address(spec, address, clients)
        except (httpx.ConnectError, OSError):
            continue
    return await _probe_address(spec, last, clients)


async def run_probe(spec: ProbeSpec, clients: "ProbeClients") -> ProbeOutcome:
    """Wait until the spec's scheduled time, probe once within its timeout, and report."""
    delay = spec.start_at - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
    started = time.time()
    lag_ms = int((started - spec.start_at) * 1000) if spec.start_at else 0
    clock = time.perf_counter()
    try:
        async with asyncio.timeout(spec.timeout_seconds):
            ok, code, error = await _probe_addresses(spec, clients)
    except (RefusedTarget, UnresolvedHost) as exc:
        ok, code, error = False, None, str(exc)[:200]
    except (httpx.HTTPError, OSError, TimeoutError, ssl.SSLError) as exc:
        ok, code, error = False, None, _describe(exc, spec.timeout_seconds)
    latency_ms = int((time.perf_counter() - clock) * 1000)
    return ProbeOutcome(spec.key, ok, code, latency_ms if ok or code else None, error, started, lag_ms)


class ProbeClients:
    """TLS contexts made once per event loop; each probe gets its own connection, without keep-alive.

    One pool per probe keeps probes independent: a shared pool serialises hundreds of
    concurrent requests through its bookkeeping.
    """

    def __init__(self, resolve: Resolver | None = None) -> None:
        self._contexts: dict[bool, ssl.SSLContext] = {}
        self.resolve: Resolver = resolve or resolve_host

    def _context(self, verify: bool) -> ssl.SSLContext:
        # Made once: loading the CA bundle is the costly part of a TLS context.
        if verify not in self._contexts:
            self._contexts[verify] = httpx.create_ssl_context(verify=verify)
        return self._contexts[verify]

    def for_spec(self, spec: ProbeSpec) -> httpx.AsyncHTTPTransport:
        # Plain HTTP never uses the context: give it the cheap one, not the CA bundle.
        is_tls = spec.check_type.startswith("https")
        context = self._context(is_tls and not spec.skip_tls_verification)
        return httpx.AsyncHTTPTransport(verify=context, retries=0, limits=_ONE_CONNECTION)

    async def aclose(self) -> None:
        self._contexts.clear()


_ONE_CONNECTION = httpx.Limits(max_connections=1, max_keepalive_connections=0)


async def run_probes(specs: Sequence[ProbeSpec], resolve: Resolver | None = None) -> list[ProbeOutcome]:
    """Run every spec concurrently in this event loop; one outcome per spec, in order."""
    clients = ProbeClients(resolve)
    try:
        return list(await asyncio.gather(*(run_probe(spec, clients) for spec in specs)))
    finally:
        await clients.aclose()


class _ProbeLoop:
    """One event loop per process, in a daemon thread, shared by every task thread.

    Task threads hand their batches over and wait for the outcomes, so a thread-pool worker
    runs all its probes in one loop instead of one loop per thread competing for the GIL.
    """

    _lock = threading.Lock()
    _loop: asyncio.AbstractEventLoop | None = None
    _pid: int | None = None

    @classmethod
    def get(cls) -> asyncio.AbstractEventLoop:
        with cls._lock:
            # A forked child (a prefork pool) must start its own loop thread.
            if cls._loop is None or cls._pid != os.getpid():
                # Task threads doing ORM work hold the GIL for the default 5 ms slices; the
                # loop needs it for every socket event, so it fell seconds behind at 200
                # probes a second (the bench). Shorter slices keep it on time.
                sys.setswitchinterval(GIL_SWITCH_INTERVAL_SECONDS)
                # httpx's transport loads anyio's asyncio backend on its first connection, inside
                # the first probes' timeouts (seconds on a busy machine): load it now instead.
                anyio.run(anyio.sleep, 0)
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="probe-loop", daemon=True).start()
                cls._loop, cls._pid = loop, os.getpid()
            return cls._loop


def run_probes_blocking(specs: Sequence[ProbeSpec]) -> list[ProbeOutcome]:
    """`run_probes` from synchronous code (a Celery task): runs in the process's probe loop."""
    return asyncio.run_coroutine_threadsafe(run_probes(specs), _ProbeLoop.get()).result()
