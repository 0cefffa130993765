from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from registrar.registry import models as registry_models
from registrar.registry.seed import ensure_registry_seed
from registrar.registry.zonedata import current_serial
from zones.services import name_server_pool

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_registers_the_provider_domains(registry):
    counts = [registry_models.Tld.objects.count(), registry_models.DomainObject.objects.count()]
    serials = [current_serial(zone) for zone in (".", "com", "net", "org", "io")]
    ensure_registry_seed()
    assert [registry_models.Tld.objects.count(), registry_models.DomainObject.objects.count()] == counts
    assert [current_serial(zone) for zone in (".", "com", "net", "org", "io")] == serials
    assert set(registry_models.Registrar.objects.values_list("client_id", flat=True)) == {
        "nameplate",
        "elsewhere",
    }
    provider = registry_models.DomainObject.objects.get(name="nameplate-dns.org")
    assert provider.sponsor.client_id == "nameplate"
    assert provider.name_servers == ["ns-0.nameplate-dns.org", "ns-1.nameplate-dns.org"]
    assert set(provider.statuses) == {"clientDeleteProhibited", "clientTransferProhibited"}
    assert registry_models.Host.objects.get(name="ns-1.nameplate-dns.org").addresses == [
        name_server_pool()["ns-1.nameplate-dns.org."]
    ]


def test_registryseed_and_registryzone_commands(registry):
    out = StringIO()
    call_command("registryseed", stdout=out)
    assert out.getvalue() == "registry seed is in place\n"
    out = StringIO()
    call_command("registryzone", "io", stdout=out)
    assert "io. 172800 IN NS a.nic.io." in out.getvalue()
    assert "nameplate-dns.io. 172800 IN NS ns-0.nameplate-dns.io." in out.getvalue()
    with pytest.raises(CommandError, match="zz is not a TLD of this registry"):
        call_command("registryzone", "zz")
