"""Checkout latency (charge + registry create + hosted zone + delegation) and TLD zone build time.

Runs on a throw-away SQLite database unless DATABASE_URL is set.
Usage: .venv/bin/python bench/registrar_bench.py [CHECKOUTS] [DOMAINS]   (defaults 50, 2000)
"""

import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
workdir = tempfile.mkdtemp(prefix="registrar-bench-")
atexit.register(shutil.rmtree, workdir, ignore_errors=True)
os.environ.setdefault("VAR_DIR", workdir)
os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nameplate.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from accounts.models import User  # noqa: E402
from registrar import services  # noqa: E402
from registrar.registry import commands  # noqa: E402
from registrar.registry.zonedata import build_root_zone, build_tld_zone  # noqa: E402

CONTACT = {"name": "Bench", "email": "bench@example.com", "country_code": "US"}


def main(checkouts: int, domains: int) -> None:
    call_command("migrate", verbosity=0)
    user = User.objects.create_user(email="bench@example.com", password="bench-password-53")
    services.top_up(owner=user, amount_cents=checkouts * 1200, card_number="4242424242424242")
    timings = []
    for index in range(checkouts):
        services.add_to_cart(owner=user, name=f"bench-{index}.com")
        started = time.perf_counter()
        services.checkout(owner=user, idempotency_key=f"bench-{index:08d}", contact=CONTACT)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"checkout: {checkouts} orders, median {statistics.median(timings):.1f} ms, "
        f"p95 {sorted(timings)[int(len(timings) * 0.95) - 1]:.1f} ms"
    )
    handle = commands.create_contact(client_id="nameplate", **CONTACT).data["handle"]
    with transaction.atomic():
        for index in range(domains):
            commands.create_domain(
                client_id="nameplate",
                name=f"filler-{index}.com",
                years=1,
                registrant=handle,
                name_servers=["ns1.provider.test", "ns2.provider.test"],
            )
    for label, build in (("com zone", lambda: build_tld_zone("com")), ("root zone", build_root_zone)):
        started = time.perf_counter()
        zone = build()
        elapsed = (time.perf_counter() - started) * 1000
        print(f"{label}: {len(zone.nodes)} names built in {elapsed:.0f} ms")


if __name__ == "__main__":
    arguments = [int(value) for value in sys.argv[1:3]]
    main(*(arguments + [50, 2000][len(arguments) :]))
