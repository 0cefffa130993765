"""The database sources the DNS server is given: hosted zones (auth, private), the registry's (tld, root)."""

import threading

import dns.flags
import dns.name
import dns.rdatatype
import pytest
from django.db import connection

from dnsserver.sources import database_sources
from registrar.registry.seed import ensure_registry_seed
from registrar.registry.zonedata import current_serial
from zones import services
from zones.engine import Question, answer, compile_zone
from zones.tests.conftest import create

pytestmark = pytest.mark.django_db


def test_the_auth_role_lists_every_public_zone_and_the_private_role_every_private_one(zone, owner):
    network = services.save_network(owner=owner, name="office", cidrs=["10.1.0.0/16"])
    private = services.create_hosted_zone(owner=owner, name="corp.test", is_private=True, networks=[network])
    source = database_sources()
    before = source.serials("auth")
    assert before == {str(zone.pk): zone.serial}
    assert source.serials("private") == {str(private.pk): private.serial}
    assert source.load("auth", str(private.pk)) is None
    assert source.load("private", str(zone.pk)) is None
    data = source.load("private", str(private.pk))
    assert data.is_private and data.private_addresses == (network.private_address,)
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    zone.refresh_from_db()
    assert source.serials("auth")[str(zone.pk)] == zone.serial == before[str(zone.pk)] + 1
    data = source.load("auth", str(zone.pk))
    assert (data.key, data.serial) == (str(zone.pk), zone.serial)
    assert compile_zone(data).serial == zone.serial


def test_the_auth_role_loads_nothing_for_a_zone_that_is_gone(zone):
    source = database_sources()
    assert source.load("auth", str(zone.pk + 1000)) is None
    services.delete_hosted_zone(zone)
    assert str(zone.pk) not in source.serials("auth")
    assert source.load("auth", str(zone.pk)) is None


def test_the_tld_and_root_roles_serve_the_registrys_zones():
    ensure_registry_seed()
    source = database_sources()
    tlds = source.serials("tld")
    assert "registry:com" in tlds and "registry:." not in tlds
    assert tlds["registry:com"] == current_serial("com")
    assert source.serials("root") == {"registry:.": current_serial(".")}

    com = source.load("tld", "registry:com")
    assert (com.origin, com.key, com.serial) == (
        dns.name.from_text("com."),
        "registry:com",
        current_serial("com"),
    )
    message = answer(compile_zone(com), Question.from_text("www.nameplate-dns.com.", "A")).message
    assert not message.flags & dns.flags.AA
    assert {rrset.name.to_text() for rrset in message.authority} == {"nameplate-dns.com."}
    assert any(rrset.rdtype == dns.rdatatype.A for rrset in message.additional)

    root = source.load("root", "registry:.")
    assert (root.origin, root.key) == (dns.name.root, "registry:.")
    message = answer(compile_zone(root), Question.from_text("www.nameplate-dns.com.", "A")).message
    assert {(rrset.name.to_text(), rrset.rdtype) for rrset in message.authority} == {
        ("com.", dns.rdatatype.NS)
    }


@pytest.mark.django_db(transaction=True)
def test_close_thread_closes_the_database_connection_of_the_calling_thread(zone):
    sources = database_sources()
    seen = {}

    def read_in_a_worker_thread():
        sources.serials("auth")
        seen["open"] = connection.connection is not None
        sources.close_thread()
        seen["after"] = connection.connection

    worker = threading.Thread(target=read_in_a_worker_thread)
    worker.start()
    worker.join(timeout=30)
    assert seen == {"open": True, "after": None}
