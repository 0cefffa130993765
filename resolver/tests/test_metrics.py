"""The resolvers' /metrics: each network's unbound counters, read with stats_noreset, move with
the queries a client sends."""

import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from resolver import metrics, services
from resolver.stubserver import StubDnsServer
from resolver.tests.conftest import inbound_endpoint, make_network, wait_for_answer
from resolver.tests.test_forwarding import forward_rule

pytestmark = pytest.mark.django_db(transaction=True)


def scrape(port: int) -> dict[tuple[str, str], float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {
        (sample.name, sample.labels.get("network", "")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_the_counters_of_each_network_move_with_its_queries(owner, supervisor):
    with StubDnsServer("127.0.0.1", 0, {"www.partner.example.": "198.51.100.7"}) as partner:
        office = make_network(owner, "office")
        listener = inbound_endpoint(owner, office)
        services.associate_resolver_rule(forward_rule(owner, "partner", "partner.example", partner), office)
        wait_for_answer(listener, "www.partner.example.", ["198.51.100.7"])

        server = metrics.start_listener(supervisor.supervisor, "127.0.0.1:0")
        try:
            port = server.server_port
            network = str(office.pk)
            before = scrape(port)
            assert before[("nameplate_resolver_up", network)] == 1
            for _ in range(10):
                wait_for_answer(listener, "www.partner.example.", ["198.51.100.7"])
            after = scrape(port)
        finally:
            server.shutdown()

    queries = ("nameplate_resolver_queries_total", network)
    hits = ("nameplate_resolver_cache_hits_total", network)
    assert after[queries] - before[queries] >= 10
    # The name was cached by the first answer: the ten repeats are cache hits.
    assert after[hits] - before[hits] >= 10
    # Scraping does not reset unbound's counters.
    assert after[queries] >= before[queries] > 0


def test_a_listener_that_cannot_bind_is_logged_not_fatal(supervisor, caplog):
    assert metrics.start_listener(supervisor.supervisor, "localhost") is None
    assert "not started" in caplog.text
    assert metrics.parse_stats("total.num.queries=12\nthread0.num.queries=12\nnonsense\nx=y") == {
        "total.num.queries": 12.0,
        "thread0.num.queries": 12.0,
    }
