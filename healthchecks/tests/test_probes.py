"""Each check type against a local server: up, down, slow, wrong string, bad certificate."""

import asyncio
import socket

from healthchecks.probes import ProbeClients, ProbeSpec, run_probe, run_probes_blocking


def probe(**spec):
    spec.setdefault("key", 1)
    spec.setdefault("host", "127.0.0.1")
    spec.setdefault("timeout_seconds", 2.0)
    spec.setdefault("allow_local_targets", True)
    return run_probes_blocking([ProbeSpec(**spec)])[0]


def test_http_check_up(target):
    outcome = probe(check_type="http", port=target.port, path="/ok")
    assert (outcome.is_success, outcome.status_code, outcome.error) == (True, 200, "")
    assert outcome.latency_ms is not None
    assert target.requests == ["/ok"]


def test_http_check_redirect_counts_as_up(target):
    outcome = probe(check_type="http", port=target.port, path="/redirect")
    assert (outcome.is_success, outcome.status_code) == (True, 301)


def test_http_check_server_error(target):
    outcome = probe(check_type="http", port=target.port, path="/error")
    assert (outcome.is_success, outcome.status_code, outcome.error) == (False, 500, "HTTP status 500")


def test_http_check_down(closed_port):
    outcome = probe(check_type="http", port=closed_port)
    assert outcome.is_success is False
    assert outcome.status_code is None
    assert outcome.error.startswith("connection failed")


def test_http_check_slow_target_times_out(target):
    outcome = probe(check_type="http", port=target.port, path="/slow", timeout_seconds=0.5)
    assert (outcome.is_success, outcome.error) == (False, "timed out after 0.5 s")


def test_string_match_found(target):
    outcome = probe(check_type="http_str_match", port=target.port, path="/ok", search_string="marker-53")
    assert outcome.is_success is True


def test_string_match_wrong_string(target):
    outcome = probe(check_type="http_str_match", port=target.port, path="/ok", search_string="not there")
    assert (outcome.is_success, outcome.status_code, outcome.error) == (
        False,
        200,
        "search string not found in the first 5,120 bytes of the body",
    )


def test_string_match_reads_only_the_first_5120_bytes(target):
    outcome = probe(check_type="http_str_match", port=target.port, path="/big", search_string="marker-53")
    assert outcome.is_success is False


def test_host_header_is_sent(target):
    outcome = probe(check_type="http", port=target.port, path="/ok", host_header="www.example.com")
    assert outcome.is_success is True
    assert target.httpd.hosts == ["www.example.com"]


def test_https_bad_certificate_is_reported_as_such(tls_target):
    outcome = probe(check_type="https", port=tls_target.port, path="/ok")
    assert outcome.is_success is False
    assert outcome.error.startswith("certificate error: ")
    assert "self-signed" in outcome.error or "self signed" in outcome.error


def test_https_skip_verification_accepts_the_certificate(tls_target):
    outcome = probe(check_type="https", port=tls_target.port, path="/ok", skip_tls_verification=True)
    assert (outcome.is_success, outcome.status_code) == (True, 200)


def test_https_string_match(tls_target):
    outcome = probe(
        check_type="https_str_match",
        port=tls_target.port,
        path="/ok",
        search_string="marker-53",
        skip_tls_verification=True,
    )
    assert outcome.is_success is True


def test_tcp_check_up_and_down(target, closed_port):
    up = probe(check_type="tcp", port=target.port)
    down = probe(check_type="tcp", port=closed_port)
    assert (up.is_success, up.error) == (True, "")
    assert down.is_success is False
    assert down.error.startswith("connection failed")


def test_tcp_check_counts_a_completed_handshake_as_up():
    # A listener that never calls accept(): the kernel completes the handshake, which is all
    # a TCP check asks.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    try:
        outcome = probe(check_type="tcp", port=listener.getsockname()[1], timeout_seconds=0.5)
        assert outcome.is_success is True
    finally:
        listener.close()


def test_a_slow_target_does_not_delay_the_others(target):
    specs = [
        ProbeSpec(
            key=1,
            check_type="http",
            host="127.0.0.1",
            port=target.port,
            path="/slow",
            timeout_seconds=1.0,
            allow_local_targets=True,
        ),
        ProbeSpec(
            key=2,
            check_type="http",
            host="127.0.0.1",
            port=target.port,
            path="/ok",
            timeout_seconds=1.0,
            allow_local_targets=True,
        ),
    ]
    finished = []

    async def run():
        clients = ProbeClients()
        tasks = [asyncio.ensure_future(run_probe(spec, clients)) for spec in specs]
        for done in asyncio.as_completed(tasks):
            finished.append((await done).key)
        await clients.aclose()

    asyncio.run(run())
    assert finished == [2, 1]
