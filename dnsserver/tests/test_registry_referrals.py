"""The registry's zones as our DNS server serves them: referrals from the root and the TLD."""

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import pytest

from dnsserver.handler import ServerState
from dnsserver.sources import database_sources
from dnsserver.tests.dns_fixtures import RunningServer
from registrar.models import Domain
from registrar.registry import commands
from registrar.tests.conftest import buy
from zones.engine import ZoneSet, compile_zone

pytestmark = pytest.mark.django_db


def load_registry(state: ServerState) -> None:
    """What the DNS server does at start: every registry zone, compiled, per role."""
    source = database_sources()
    for role in ("tld", "root"):
        state.zones[role] = ZoneSet([compile_zone(source.load(role, key)) for key in source.serials(role)])


def section(rrsets) -> dict[tuple[str, str], set[str]]:
    return {
        (rrset.name.to_text(), dns.rdatatype.to_text(rrset.rdtype)): {r.to_text() for r in rrset}
        for rrset in rrsets
    }


def test_root_and_tld_servers_refer_a_bought_domain_to_its_hosted_zone(funded_owner):
    buy(funded_owner, "walk.com")
    hosts = Domain.objects.get(name="walk.com").name_servers
    state = ServerState()
    load_registry(state)
    with RunningServer(state, roles=("tld", "root")) as server:
        query = dns.message.make_query("www.walk.com.", "A")
        root = server.query(query, role="root")
        assert not root.flags & dns.flags.AA
        assert section(root.authority) == {("com.", "NS"): {"a.nic.com.", "b.nic.com."}}
        assert section(root.additional)[("a.nic.com.", "A")] == {"127.0.0.1"}

        tld = server.query(query, role="tld")
        assert dns.rcode.to_text(tld.rcode()) == "NOERROR" and not tld.flags & dns.flags.AA
        assert section(tld.authority) == {("walk.com.", "NS"): {h + "." for h in hosts}}
        in_com = {h + "." for h in hosts if h.endswith(".com")}
        assert {name for name, rdtype in section(tld.additional) if rdtype == "A"} == in_com

        commands.update_domain(client_id="nameplate", name="walk.com", add_statuses=["clientHold"])
        load_registry(state)
        held = server.query(query, role="tld")
        assert dns.rcode.to_text(held.rcode()) == "NXDOMAIN"
