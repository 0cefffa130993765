"""Helper of bench/resolver_qps.sh: the demo's resolver data, and a rule change's time to effect.

setup              migrate, load the demo resolver (network "office", corp.internal, partner rule)
                   plus live.corp.internal (TTL 0: every query reaches our private listener);
                   prints the inbound endpoint as IP PORT
rule-change N      N times: add a FORWARD rule for changed.example and time until the inbound
                   endpoint answers through it, then delete it and time until it is gone
"""

import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nameplate.settings")
django.setup()

import dns.exception  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402
from django.core.management import call_command  # noqa: E402

from console.demo import ensure_demo_user  # noqa: E402
from resolver import services  # noqa: E402
from resolver.demo import load_demo_resolver  # noqa: E402
from resolver.models import EndpointAddress, ResolverRule  # noqa: E402
from resolver.stubserver import StubDnsServer  # noqa: E402
from zones import rules as zone_rules  # noqa: E402
from zones import services as zone_services  # noqa: E402


def setup() -> None:
    call_command("migrate", verbosity=0)
    user = ensure_demo_user()
    network = load_demo_resolver(user)
    zone = network.hosted_zones.get(name="corp.internal.")
    if not zone.record_sets.filter(name="live.corp.internal.").exists():
        spec = zone_rules.RecordSetSpec(name="live", type="A", ttl=0, values=("10.0.0.30",))
        zone_services.apply_change_batch(hosted_zone=zone, changes=[zone_services.Change("CREATE", spec)])
    address = EndpointAddress.objects.filter(endpoint__network=network, endpoint__direction="INBOUND").first()
    print(address.ip, address.port)


def _answer(ip: str, port: int, name: str) -> list[str]:
    try:
        response = dns.query.udp(dns.message.make_query(name, "A"), ip, port=port, timeout=0.5)
    except (OSError, dns.exception.Timeout):  # while unbound changes: not an answer yet
        return []
    return [rdata.address for rrset in response.answer for rdata in rrset]


def _until(condition, deadline_seconds: float = 10.0) -> float:
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > deadline_seconds:
            raise SystemExit(f"no effect within {deadline_seconds} s")
        time.sleep(0.005)
    return time.perf_counter() - start


def rule_change(times: int) -> None:
    user = ensure_demo_user()
    network = load_demo_resolver(user)
    address = EndpointAddress.objects.filter(endpoint__network=network, endpoint__direction="INBOUND").first()
    added, removed = [], []
    with StubDnsServer("127.0.0.1", 0, {"www.changed.example.": "192.0.2.99"}) as target:
        for _ in range(times):
            ResolverRule.objects.filter(owner=user, name="bench-change").delete()
            start = time.perf_counter()
            rule = services.create_resolver_rule(
                owner=user,
                name="bench-change",
                domain_name="changed.example",
                rule_type="FORWARD",
                target_ips=[f"{target.host}:{target.port}"],
            )
            services.associate_resolver_rule(rule, network)
            _until(lambda: _answer(address.ip, address.port, "www.changed.example.") == ["192.0.2.99"])
            added.append(time.perf_counter() - start)
            start = time.perf_counter()
            services.delete_resolver_rule(rule)
            _until(lambda: _answer(address.ip, address.port, "www.changed.example.") == [])
            removed.append(time.perf_counter() - start)
    for label, values in (("rule added", added), ("rule removed", removed)):
        print(
            f"{label}: median {statistics.median(values) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms over {len(values)} changes"
        )


def wait(ip: str, port: int) -> None:
    _until(lambda: _answer(ip, port, "db.corp.internal.") == ["10.0.0.20"], deadline_seconds=60)


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup()
    elif sys.argv[1] == "wait":
        wait(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "rule-change":
        rule_change(int(sys.argv[2]))
    else:
        raise SystemExit(__doc__)
