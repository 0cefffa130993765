"""Asynchronous probes: HTTP(S), string match and TCP connect, many at once in one event loop.

No Django here: a probe takes a `ProbeSpec` and returns a `ProbeOutcome`; the task turns rows
into specs and outcomes into rows. Every probe has its own deadline, so a slow target only
costs its own timeout.
"""

import asyncio
import logging
import os
import ssl
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import anyio
import httpx

from healthchecks.rules import SEARCH_BODY_BYTES

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


@dataclass(frozen=True)
class ProbeOutcome:
    key: int
    is_success: bool
    status_code: int | None
    latency_ms: int | None
    error: str
    started_at: float
    lag_ms: int


def _url(spec: ProbeSpec) -> str:
    scheme = "https" if spec.check_type.startswith("https") else "http"
    host = f"[{spec.host}]" if ":" in spec.host else spec.host
    port = spec.port or (443 if scheme == "https" else 80)
    return f"{scheme}://{host}:{port}{spec.path or '/'}"


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


async def _http(spec: ProbeSpec, transport: httpx.AsyncHTTPTransport) -> tuple[bool, int | None, str]:
    headers = {"User-Agent": USER_AGENT, "Connection": "close"}
    if spec.host_header:
        headers["Host"] = spec.host_header
    extensions = {"sni_hostname": spec.host_header} if spec.host_header else {}
    # The transport alone: a probe needs no redirects, cookies or auth, and skipping the client
    # halves the CPU a probe costs.
    response = await transport.handle_async_request(
        httpx.Request("GET", _url(spec), headers=headers, extensions=extensions)
    )
    try:
        code = response.status_code
        if not 200 <= code < 400:
            return False, code, f"HTTP status {code}"
        if spec.search_string:
            body = b""
            async for chunk in response.stream:
                body += chunk
                if len(body) >= SEARCH_BODY_BYTES:
                    break
            if spec.search_string.encode() not in body[:SEARCH_BODY_BYTES]:
                return False, code, "search string not found in the first 5,120 bytes of the body"
        return True, code, ""
    finally:
        await response.aclose()


async def _tcp(spec: ProbeSpec) -> tuple[bool, int | None, str]:
    _, writer = await asyncio.open_connection(spec.host, spec.port)
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        # The connection was made, which is all a TCP check asks; a reset on close is not a failure.
        return True, None, ""
    return True, None, ""


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
            if spec.check_type == "tcp":
                ok, code, error = await _tcp(spec)
            else:
                async with clients.for_spec(spec) as transport:
                    ok, code, error = await _http(spec, transport)
    except (httpx.HTTPError, OSError, TimeoutError, ssl.SSLError) as exc:
        ok, code, error = False, None, _describe(exc, spec.timeout_seconds)
    latency_ms = int((time.perf_counter() - clock) * 1000)
    return ProbeOutcome(spec.key, ok, code, latency_ms if ok or code else None, error, started, lag_ms)


class ProbeClients:
    """TLS contexts made once per event loop; each probe gets its own connection, without keep-alive.

    One pool per probe keeps probes independent: a shared pool serialises hundreds of
    concurrent requests through its bookkeeping.
    """

    def __init__(self) -> None:
        self._contexts: dict[bool, ssl.SSLContext] = {}

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


async def run_probes(specs: Sequence[ProbeSpec]) -> list[ProbeOutcome]:
    """Run every spec concurrently in this event loop; one outcome per spec, in order."""
    clients = ProbeClients()
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
