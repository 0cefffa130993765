"""The DNS server's /metrics listener, scraped over HTTP while real queries reach the server."""

import socket
import urllib.request

import dns.message
import dns.rcode
import dns.rdatatype
import pytest
from prometheus_client.parser import text_string_to_metric_families

from dnsserver import metrics
from dnsserver.handler import ServerState
from dnsserver.tests.dns_fixtures import RunningServer
from kernel.metrics import parse_listen
from zones.engine import ZoneSet, compile_zone, zone_data_from_text

ZONE = """
$ORIGIN metrics.test.
$TTL 300
@ IN SOA ns1 hostmaster 7 7200 3600 1209600 300
@ IN NS ns1
ns1 IN A 192.0.2.53
www IN A 192.0.2.80
"""


@pytest.fixture
def running():
    state = ServerState(roles=("auth",))
    state.zones["auth"] = ZoneSet([compile_zone(zone_data_from_text(ZONE, "metrics.test.", key="z-metrics"))])
    listener = metrics.start_listener(state, "127.0.0.1:0")
    assert listener is not None
    try:
        with RunningServer(state) as server:
            yield state, server, listener.server_port
    finally:
        listener.shutdown()
        listener.server_close()


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    """Every sample of the listener's page, by (name, sorted labels)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert response.status == 200
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def queries(samples: dict, zone: str, rdtype: str, rcode: str) -> float:
    labels = (("rcode", rcode), ("role", "auth"), ("type", rdtype), ("zone", zone))
    return samples.get(("nameplate_dns_queries_total", labels), 0)


def moved(before: dict, after: dict, *labels: str) -> float:
    return queries(after, *labels) - queries(before, *labels)


def test_query_counts_and_latency_move_with_real_queries(running):
    state, server, port = running
    before = scrape(port)
    for _ in range(20):
        reply = server.query(dns.message.make_query("www.metrics.test.", "A"))
        assert reply.answer[0][0].address == "192.0.2.80"
    for _ in range(5):
        reply = server.query(dns.message.make_query("nothere.metrics.test.", "AAAA"), "tcp")
        assert reply.rcode() == dns.rcode.NXDOMAIN
    for _ in range(3):
        reply = server.query(dns.message.make_query("elsewhere.example.", "MX"))
        assert reply.rcode() == dns.rcode.REFUSED
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.settimeout(5)
        udp.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www", ("127.0.0.1", server.port()))
        assert udp.recv(512)[3] & 0x0F == dns.rcode.FORMERR
    after = scrape(port)
    assert moved(before, after, "z-metrics", "A", "NOERROR") == 20
    assert moved(before, after, "z-metrics", "AAAA", "NXDOMAIN") == 5
    assert moved(before, after, "-", "MX", "REFUSED") == 3
    assert moved(before, after, "-", "OTHER", "FORMERR") == 1  # no readable question
    # One request in LATENCY_SAMPLE_EVERY is timed; the first of all is.
    timed = after[("nameplate_dns_answer_duration_seconds_count", (("role", "auth"),))]
    assert timed >= 29 // metrics.LATENCY_SAMPLE_EVERY
    assert (
        after[("nameplate_dns_answer_duration_seconds_bucket", (("le", "+Inf"), ("role", "auth")))] == timed
    )
    assert after[("nameplate_dns_answer_duration_seconds_sum", (("role", "auth"),))] > 0
    # Handing the counts to Redis (follow.py) must not reset what Prometheus reads.
    taken = state.take_counters()
    assert taken[("z-metrics", dns.rdatatype.A, dns.rcode.NOERROR)] == 20
    assert not state.take_counters()
    assert queries(scrape(port), "z-metrics", "A", "NOERROR") == queries(after, "z-metrics", "A", "NOERROR")


def test_zones_serials_lag_and_bus_counts(running):
    state, _server, port = running
    samples = scrape(port)
    assert samples[("nameplate_dns_zones", (("role", "auth"),))] == 1
    assert samples[("nameplate_dns_records", (("role", "auth"),))] == 4  # SOA, NS and two A
    zone_labels = (("role", "auth"), ("zone", "z-metrics"))
    assert samples[("nameplate_dns_zone_serial", zone_labels)] == 7
    assert samples[("nameplate_dns_zone_serial_lag", zone_labels)] == 0
    state.bus.note_database_serial("z-metrics", 10)
    state.bus.note_database_serial("z-metrics", 9)  # an older announcement changes nothing
    state.bus.note_message("zone")
    state.bus.note_message("zone")
    state.bus.note_message("health")
    state.bus.note_fallback_poll()
    samples = scrape(port)
    assert samples[("nameplate_dns_zone_serial_lag", zone_labels)] == 3
    assert samples[("nameplate_dns_bus_messages_total", (("kind", "zone"),))] == 2
    assert samples[("nameplate_dns_bus_messages_total", (("kind", "health"),))] == 1
    assert samples[("nameplate_dns_fallback_polls_total", ())] == 1


def test_queries_for_made_up_types_share_one_series(running):
    # Anyone may ask for any of 65,536 types; each must not become a series of its own.
    _state, server, port = running
    for rdtype in range(40000, 40050):
        server.query(dns.message.make_query("www.metrics.test.", rdtype))
    samples = scrape(port)
    series = {labels for name, labels in samples if name == "nameplate_dns_queries_total"}
    assert queries(samples, "z-metrics", "OTHER", "NOERROR") == 50
    assert not any(("type", "TYPE40000") in labels for labels in series)


def test_serial_lag_follows_rfc_1982_arithmetic():
    assert metrics.serial_distance(5, 2**32 - 2) == 7
    assert metrics.serial_distance(3, 3) == 0
    assert metrics.serial_distance(3, 9) == 0


def test_a_listener_that_cannot_bind_is_logged_and_skipped(caplog):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert metrics.start_listener(ServerState(roles=("auth",)), f"127.0.0.1:{port}") is None
    assert "metrics listener" in caplog.text and "not started" in caplog.text
    assert metrics.start_listener(ServerState(roles=("auth",)), "") is None
    with pytest.raises(ValueError, match="'localhost' is not HOST:PORT"):
        parse_listen("localhost")
