"""Zones and helpers shared by the engine and DNS-server tests (no database)."""

import dns.message
import dns.name
import dns.rdatatype

from zones.engine import ZoneSet, compile_zone, zone_data_from_text

EXAMPLE_ZONE = """
$ORIGIN example.com.
$TTL 300
@ 3600 IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 600
@ IN NS ns1
@ IN NS ns2.example.net.
@ IN MX 10 mail
@ IN MX 20 mx.example.net.
@ IN A 192.0.2.1
@ IN AAAA 2001:db8::1
@ IN TXT "v=spf1 -all"
ns1 IN A 192.0.2.53
mail IN A 192.0.2.25
mail IN AAAA 2001:db8::25
www IN CNAME web
web IN A 192.0.2.80
web IN A 192.0.2.81
chain1 IN CNAME chain2
chain2 IN CNAME www
out IN CNAME www.example.org.
dangling IN CNAME missing
loop1 IN CNAME loop2
loop2 IN CNAME loop1
a.b.c IN TXT "deep"
*.wild IN A 192.0.2.99
*.wild IN MX 10 mail
*.alias IN CNAME web
exists.wild IN TXT "not synthesised"
sub IN NS ns.sub
sub IN NS ns.elsewhere.example.net.
sub IN DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns.sub IN A 192.0.2.54
ns.sub IN AAAA 2001:db8::54
nodssub IN NS ns.nodssub
ns.nodssub IN A 192.0.2.55
_sip._tcp IN SRV 0 5 5060 mail
ptr IN PTR web.example.com.
caa IN CAA 0 issue "letsencrypt.org"
naptr IN NAPTR 100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .
sshfp IN SSHFP 4 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
tlsa IN TLSA 3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
hinfo IN HINFO "PC" "Linux"
"""
# Record sets large enough to need TCP (about 700 and 2,400 bytes).
DIGITS = "0123456789" * 10
EXAMPLE_ZONE += "".join(f'big IN TXT "{index}{DIGITS[1:]}"\n' for index in range(6))
EXAMPLE_ZONE += "".join(
    f'huge IN TXT "{index}{DIGITS[1:]}" "{DIGITS}" "{DIGITS}" "{DIGITS}"\n' for index in range(6)
)

TLD_ZONE = """
$ORIGIN test.
$TTL 3600
@ IN SOA a.nic.test. hostmaster.nic.test. 7 1800 900 604800 300
@ IN NS a.nic.test.
a.nic IN A 192.0.2.200
shop IN NS ns1.shop.test.
shop IN NS ns2.example.com.
ns1.shop IN A 192.0.2.10
signed IN NS ns.signed.test.
signed IN DS 1 13 2 00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF
ns.signed IN A 192.0.2.11
"""

ROOT_ZONE = """
$ORIGIN .
$TTL 86400
@ IN SOA a.root.test. nstld.test. 2024010100 1800 900 604800 86400
@ IN NS a.root.test.
test. IN NS a.nic.test.
a.nic.test. IN A 192.0.2.200
a.root.test. IN A 192.0.2.1
"""


def example_zones() -> ZoneSet:
    return ZoneSet([compile_zone(zone_data_from_text(EXAMPLE_ZONE, "example.com.", key="1"))])


def registry_zones() -> ZoneSet:
    return ZoneSet(
        [
            compile_zone(zone_data_from_text(TLD_ZONE, "test.", key="registry:test")),
            compile_zone(zone_data_from_text(ROOT_ZONE, ".", key="registry:.")),
        ]
    )


def section_set(section: list) -> set[tuple]:
    """A section as comparable data: (owner lower-case, type, ttl, sorted rdata texts)."""
    return {
        (
            rrset.name.to_text().lower(),
            dns.rdatatype.to_text(rrset.rdtype),
            rrset.ttl,
            tuple(sorted(rdata.to_text() for rdata in rrset)),
        )
        for rrset in section
    }


def summary(message: dns.message.Message) -> dict:
    """What two answers to the same question must agree on."""
    return {
        "rcode": message.rcode(),
        "flags": message.flags & ~0x0100,
        "answer": section_set(message.answer),
        "authority": section_set(message.authority),
        "additional": section_set([rrset for rrset in message.additional if rrset.rdtype != 41]),
    }


def name(text: str) -> dns.name.Name:
    return dns.name.from_text(text)
