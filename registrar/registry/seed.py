"""The registry's starting data: TLDs, the two registrars, and the provider's own domains.

`ensure_registry_seed()` is idempotent; migrations of a fresh database are followed by it in
`manage.py registryseed`, the demo loader and the tests. The provider's name-server domains
(settings.DNS_NAMESERVER_DOMAINS) are registered through our registrar with host objects
for their name servers, so the TLD zones delegate them with glue like any other domain.
"""

from datetime import timedelta
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db import transaction

from registrar import names
from registrar.registry import clock, zonedata
from registrar.registry import models as m
from zones import services as zone_services

# name: (yearly price in cents, minimum years, maximum years)
TLDS = {
    "com": (1200, 1, 10),
    "net": (1400, 1, 10),
    "org": (1300, 1, 10),
    "io": (3900, 1, 5),
    "dev": (1500, 1, 10),
    "app": (1800, 1, 10),
}
RESERVED_LABELS = ["nic", "whois", "rdap", "registry", "localhost"]
# Each registry keeps a few names of its own besides the common ones.
TLD_RESERVED_LABELS = {"io": ["ocean"], "dev": ["test", "example"], "app": ["store"]}
PROVIDER_STATUSES = [m.CLIENT_DELETE_PROHIBITED, m.CLIENT_TRANSFER_PROHIBITED]


def _tld_name_servers(tld: str) -> list[dict]:
    addresses = settings.REGISTRY_TLD_SERVER_ADDRESSES
    return [{"name": f"{label}.nic.{tld}", "addresses": list(addresses)} for label in ("a", "b")]


def ensure_tlds_and_registrars() -> None:
    """Create or refresh the TLDs and both registrars; the root serial moves when TLDs change."""
    changed = False
    for name, (price, min_years, max_years) in TLDS.items():
        defaults = {
            "yearly_price_cents": price,
            "min_years": min_years,
            "max_years": max_years,
            "reserved_labels": RESERVED_LABELS + TLD_RESERVED_LABELS.get(name, []),
            "name_servers": _tld_name_servers(name),
        }
        tld, created = m.Tld.objects.get_or_create(name=name, defaults=defaults)
        if not created and any(getattr(tld, key) != value for key, value in defaults.items()):
            m.Tld.objects.filter(pk=tld.pk).update(**defaults)
            changed = True
        if created:
            changed = True
            m.ZoneSerial.objects.get_or_create(zone=name, defaults={"serial": 1})
    if changed:
        zonedata.bump_serial(zonedata.ROOT)
    m.ZoneSerial.objects.get_or_create(zone=zonedata.ROOT, defaults={"serial": 1})
    m.Registrar.objects.get_or_create(
        client_id=settings.REGISTRAR_CLIENT_ID,
        defaults={
            "name": "Nameplate Registrar",
            "iana_id": 9001,
            "url": settings.SITE_URL,
            "abuse_email": "abuse@nameplate.test",
        },
    )
    m.Registrar.objects.get_or_create(
        client_id=settings.REGISTRAR_PEER_CLIENT_ID,
        defaults={
            "name": "Elsewhere Names",
            "iana_id": 9002,
            "url": "https://elsewhere.test",
            "abuse_email": "abuse@elsewhere.test",
        },
    )


PROVIDER_HOST_LABELS = ("ns-0", "ns-1")


def provider_name_servers(domain: str) -> dict[str, list[str]]:
    """The hosts a provider name-server domain is delegated to, with the zones app's addresses."""
    hosts = [f"{label}.{domain}." for label in PROVIDER_HOST_LABELS]
    addresses = zone_services.name_server_addresses(hosts)
    return {host.rstrip(".").lower(): list(addrs) for host, addrs in addresses.items()}


def ensure_provider_domains() -> None:
    """Register each provider name-server domain with host objects and glue for its hosts."""
    ours = m.Registrar.objects.get(client_id=settings.REGISTRAR_CLIENT_ID)
    now = clock.now()
    for text in settings.DNS_NAMESERVER_DOMAINS:
        parsed = names.parse_domain_name(text)
        tld = m.Tld.objects.filter(name=parsed.tld).first()
        if tld is None:
            continue
        contact, _ = m.Contact.objects.get_or_create(
            handle="NAMEPLATE-NOC",
            defaults={
                "sponsor": ours,
                "name": "Nameplate DNS operations",
                "organisation": "Nameplate",
                "email": "noc@nameplate.test",
                "country_code": "US",
                "is_private": False,
            },
        )
        domain, created = m.DomainObject.objects.get_or_create(
            name=parsed.ascii,
            defaults={
                "tld": tld,
                "sponsor": ours,
                "registrant": contact,
                "admin": contact,
                "tech": contact,
                "statuses": PROVIDER_STATUSES,
                "auth_code": "provider-" + parsed.tld,
                "expires_at": now + timedelta(days=3650),
            },
        )
        own_hosts = provider_name_servers(parsed.ascii)
        changed = created
        for host, addrs in own_hosts.items():
            record, made = m.Host.objects.get_or_create(
                name=host, defaults={"sponsor": ours, "superordinate": domain, "addresses": addrs}
            )
            if not made and record.addresses != addrs:
                record.addresses = addrs
                record.save(update_fields=["addresses"])
                changed = True
            changed = changed or made
        wanted = sorted(own_hosts)
        if wanted and domain.name_servers != wanted:
            domain.name_servers = wanted
            changed = True
        if domain.expires_at < now + timedelta(days=365):
            domain.expires_at = now + timedelta(days=3650)
            changed = True
        if changed:
            domain.save()
            zonedata.bump_serial(tld.name)


def ensure_registry_seed() -> None:
    """Create whatever of the registry's starting data is missing; safe to run any number of times."""
    with transaction.atomic():
        ensure_tlds_and_registrars()
        ensure_provider_domains()


def seed_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    """post_migrate receiver: make sure the registry has its TLDs, registrars and provider domains."""
    ensure_registry_seed()
