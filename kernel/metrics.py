"""The one way a process serves its Prometheus /metrics: HOST:PORT parsed once, bound in a thread.

Metrics must never stop the process they describe: a port in use or a bad address is logged
and the process goes on without its listener.
"""

import logging

from prometheus_client import CollectorRegistry, start_http_server

logger = logging.getLogger(__name__)


def parse_listen(listen: str) -> tuple[str, int]:
    """HOST:PORT (or [IPv6]:PORT) as a pair; raises ValueError naming the value."""
    host, separator, port = listen.rpartition(":")
    if not separator or not port.isdigit() or not host:
        raise ValueError(f"{listen!r} is not HOST:PORT")
    return host.strip("[]"), int(port)


def serve_metrics(listen: str, registry: CollectorRegistry | None = None):
    """Serve /metrics on `listen` (the default registry unless one is given) in a thread.

    Returns the HTTP server (its `shutdown()` stops it), or None when `listen` is empty or
    cannot be bound (logged).
    """
    if not listen:
        return None
    try:
        host, port = parse_listen(listen)
        if registry is None:
            server, _thread = start_http_server(port, addr=host)
        else:
            server, _thread = start_http_server(port, addr=host, registry=registry)
    except (OSError, ValueError) as error:
        logger.warning("metrics listener %s not started: %s", listen, error)
        return None
    logger.info("metrics on http://%s:%s/metrics", host, server.server_port)
    return server
