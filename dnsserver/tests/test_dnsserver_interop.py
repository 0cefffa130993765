"""Interoperability: Debian's NSD and our server load the same zone file and must agree.

NSD runs as a subprocess on 127.0.0.1 with its own configuration in a temporary directory
(installed with apt-get when missing). Our server loads the same master-file text through
`zone_data_from_text`. Every question of the corpus (each record type, NXDOMAIN, NODATA,
empty non-terminals, wildcards, CNAME chains, delegations with glue, names outside the
zone) is asked of both servers four ways: UDP and TCP, without and with EDNS0, half of them
with the query name in mixed case. The replies must agree on the rcode, the flags, the
question as echoed, the answer and authority sections (as parsed rrsets, order aside), the
EDNS version and DO bit, and for referrals the glue in the additional section.

Two differences are legitimate and configured or compared for: NSD runs with
`minimal-responses: yes`, because we, like Route 53, add no apex NS set to positive
answers; and ANY gets one RRset of the name from each server (RFC 8482 §4.1 leaves the
choice of RRset to the server), which must be one the zone holds.
"""

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest

from dnsserver.handler import ServerState
from dnsserver.tests.dns_fixtures import RunningServer
from kernel.testing import debian_program, free_port
from zones.engine import ZoneSet, compile_zone, zone_data_from_text
from zones.rules import RECORD_TYPES

ORIGIN = "interop.example."
NSD_START_SECONDS = 20.0
QUERY_TIMEOUT_SECONDS = 3.0

DIGITS = "0123456789" * 10
HEX = "0123456789ABCDEF" * 4
BASE_ZONE = f"""
$ORIGIN {ORIGIN}
$TTL 300
@ 3600 IN SOA ns1 hostmaster 2024060101 7200 3600 1209600 600
@ IN NS ns1
@ IN NS ns2.example.net.
@ IN MX 10 mail
@ IN MX 20 mx.example.net.
@ IN A 192.0.2.1
@ IN AAAA 2001:db8::1
@ IN TXT "v=spf1 mx -all"
@ IN SPF "v=spf1 mx -all"
@ IN CAA 0 issue "letsencrypt.org"
@ IN CAA 128 tbs "unknown"
@ 60 IN HTTPS 1 . alpn="h2,h3"
ns1 IN A 192.0.2.53
ns1 IN AAAA 2001:db8::53
mail IN A 192.0.2.25
mail IN AAAA 2001:db8::25
www IN CNAME web
web IN A 192.0.2.80
web IN A 192.0.2.81
web IN AAAA 2001:db8::80
web IN TXT "hello" "world"
web IN MX 0 .
chain1 IN CNAME chain2
chain2 IN CNAME chain3
chain3 IN CNAME www
out IN CNAME www.example.org.
dangling IN CNAME missing
loop1 IN CNAME loop2
loop2 IN CNAME loop1
self IN CNAME self
to-wild IN CNAME host.wild
to-alias IN CNAME x.alias
to-ent IN CNAME c
to-sub IN CNAME host.sub
to-nodata IN CNAME mail
a.b.c IN TXT "deep"
x.y.z.deep IN A 192.0.2.7
*.deep IN A 192.0.2.8
*.wild IN A 192.0.2.99
*.wild IN MX 10 mail
*.wild IN TXT "wild"
exists.wild IN TXT "not synthesised"
*.alias IN CNAME web
*.cname-chain IN CNAME chain1
sub IN NS ns.sub
sub IN NS ns.elsewhere.example.net.
sub IN NS ns.other
sub IN DS 12345 13 2 {HEX}
ns.sub IN A 192.0.2.54
ns.sub IN AAAA 2001:db8::54
nodssub IN NS ns.nodssub
ns.nodssub IN A 192.0.2.55
other IN NS ns.other
other IN NS ns1
ns.other IN A 192.0.2.56
outsub IN NS ns.example.net.
outsub IN NS ns.example.org.
_sip._tcp IN SRV 0 5 5060 mail
_sip._tcp IN SRV 10 5 5060 sip.example.net.
_xmpp-server._tcp IN SRV 5 0 5269 web
_443._tcp.web IN TLSA 3 1 1 {HEX}
ptr IN PTR web.interop.example.
naptr IN NAPTR 100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .
naptr IN NAPTR 102 10 "S" "SIP+D2U" "" _sip._udp
sshfp IN SSHFP 4 2 {HEX}
sshfp IN SSHFP 1 1 0123456789ABCDEF0123456789ABCDEF01234567
svc IN SVCB 1 web alpn="h2" port=8443
svc IN SVCB 2 mail ipv4hint=192.0.2.25
svc-alias IN SVCB 0 svc
https IN HTTPS 1 . alpn="h2,h3" ipv4hint=192.0.2.80 ipv6hint=2001:db8::80
hinfo IN HINFO "PC" "Linux"
rp IN RP hostmaster.interop.example. web.interop.example.
loc IN LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m
MixedCase IN A 192.0.2.77
multi\\.dot IN A 192.0.2.78
spa\\032ce IN TXT "a label with a space"
ttl IN TXT "short"
ttl 86400 IN A 192.0.2.86
"""
# Record sets too big for a plain (512-byte) and an EDNS (1232-byte) UDP reply.
BASE_ZONE += "".join(f'big IN TXT "{index}{DIGITS[1:]}"\n' for index in range(6))
BASE_ZONE += "".join(
    f'huge IN TXT "{index}{DIGITS[1:]}" "{DIGITS}" "{DIGITS}" "{DIGITS}"\n' for index in range(6)
)
# Replies that fit only compressed, or only without their additional records (no TC for
# those: RFC 2181 §9): twenty mail exchangers with addresses, a delegation with long glue.
# Their many host names are asked only for their own types.
BULK_RECORDS = "".join(
    f"manymx IN MX {index} mx{index}.hosts\nmx{index}.hosts IN A 192.0.2.{100 + index}\n"
    f"mx{index}.hosts IN AAAA 2001:db8::{100 + index:x}\n"
    for index in range(20)
) + "".join(
    f"bigdeleg IN NS ns{index}-with-a-rather-long-name.bigdeleg\n"
    f"ns{index}-with-a-rather-long-name.bigdeleg IN A 192.0.2.{10 + index}\n"
    f"ns{index}-with-a-rather-long-name.bigdeleg IN AAAA 2001:db8::{10 + index:x}\n"
    for index in range(5)
)
ZONE = BASE_ZONE + BULK_RECORDS

# Types asked at every name, beside the name's own: positives, NODATA, chains, DS.
PROBE_TYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "DS", "NS")
# Names that hold nothing themselves: NXDOMAIN, wildcard matches, names under delegations.
EXTRA_NAMES = (
    "nothere",
    "deeper.nothere",
    "missing",
    "c",
    "b.c",
    "q.c",
    "y.z.deep",
    "z.deep",
    "deep",
    "q.z.deep",
    "q.deep",
    "q.r.deep",
    "host.wild",
    "q.r.wild",
    "wild",
    "q.exists.wild",
    "x.alias",
    "y.z.alias",
    "a.cname-chain",
    "host.sub",
    "a.b.sub",
    "ns.sub",
    "x.nodssub",
    "x.other",
    "x.outsub",
    "x.bigdeleg",
    "_tcp",
    "_udp",
    "www.web",
    "mixedcase",
    "multi",
)
OUTSIDE_NAMES = ("www.example.org.", "example.", "interop.example.net.", "xinterop.example.")
# Each question is asked four ways: (transport, EDNS version or None, DO bit, mixed case).
VARIANTS = (
    ("udp", None, False, False),
    ("udp", 0, False, True),
    ("tcp", None, False, True),
    ("tcp", 0, True, False),
)


@dataclass(frozen=True)
class Probe:
    qname: str
    rdtype: str

    def __str__(self) -> str:
        return f"{self.qname}/{self.rdtype}"


def corpus() -> list[Probe]:
    """Every owner with its own types and the probe types, plus the extra and outside names."""
    zone = dns.zone.from_text(ZONE, origin=ORIGIN, relativize=False)
    base = dns.zone.from_text(BASE_ZONE, origin=ORIGIN, relativize=False)
    origin = dns.name.from_text(ORIGIN)
    probes: dict[tuple[str, str], Probe] = {}

    def add(qname: str, rdtype: str) -> None:
        probes.setdefault((qname.lower(), rdtype), Probe(qname, rdtype))

    for rdtype in (*RECORD_TYPES, "HINFO", "RP", "LOC", "DNSKEY", "RRSIG", "NSEC", "TYPE65280", "ANY"):
        add(ORIGIN, rdtype)
    for name, node in zone.nodes.items():
        text = name.to_text()
        for rdataset in node.rdatasets:
            add(text, dns.rdatatype.to_text(rdataset.rdtype))
        if name in base.nodes:
            for rdtype in (*PROBE_TYPES, "ANY"):
                add(text, rdtype)
    for relative in EXTRA_NAMES:
        text = dns.name.from_text(relative, origin).to_text()
        for rdtype in (*PROBE_TYPES, "SRV"):
            add(text, rdtype)
    for text in OUTSIDE_NAMES:
        add(text, "A")
        add(text, "SOA")
    return list(probes.values())


CORPUS = corpus()


def mixed_case(qname: str) -> str:
    """Upper-case every other letter, so that a server that lower-cases the echo shows it."""
    letters = []
    upper = True
    for char in qname:
        if char.isalpha():
            letters.append(char.upper() if upper else char.lower())
            upper = not upper
        else:
            letters.append(char)
    return "".join(letters)


def nsd_binary() -> str:
    return debian_program("nsd")


NSD_CONF = """\
server:
    ip-address: 127.0.0.1
    port: {port}
    username: ""
    chroot: ""
    zonesdir: "{root}"
    pidfile: "{root}/nsd.pid"
    database: ""
    xfrdfile: "{root}/xfrd.state"
    xfrdir: "{root}"
    zonelistfile: "{root}/zone.list"
    logfile: "{root}/nsd.log"
    server-count: 1
    hide-version: yes
    hide-identity: yes
    refuse-any: no
    minimal-responses: yes
    rrl-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: "{origin}"
    zonefile: "zone.txt"
"""


class RunningNsd:
    """NSD in the foreground on a free port of 127.0.0.1, serving one zone file."""

    def __init__(self, root: Path, zone_text: str, origin: str) -> None:
        self.root = root
        self.port = free_port()
        (root / "zone.txt").write_text(zone_text)
        (root / "nsd.conf").write_text(NSD_CONF.format(port=self.port, root=root, origin=origin))
        self.origin = origin
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "RunningNsd":
        # NSD keeps its own copy of the descriptor; ours closes once it has started.
        with open(self.root / "nsd.out", "wb") as output:
            self.process = subprocess.Popen(
                [nsd_binary(), "-d", "-c", str(self.root / "nsd.conf")], stdout=output, stderr=output
            )
        try:
            self._wait_until_answering()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + NSD_START_SECONDS
        query = dns.message.make_query(self.origin, "SOA")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"nsd exited with {self.process.returncode}:\n{self.log()}")
            try:
                reply = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.2)
            except (dns.exception.Timeout, ConnectionRefusedError):
                continue
            if reply.rcode() == dns.rcode.NOERROR and reply.answer:
                return
        pytest.fail(f"nsd did not answer for {self.origin} within {NSD_START_SECONDS} s:\n{self.log()}")

    def log(self) -> str:
        texts = []
        for file in ("nsd.out", "nsd.log"):
            path = self.root / file
            if path.exists():
                texts.append(path.read_text(errors="replace"))
        return "\n".join(texts)

    def __exit__(self, *exc_info) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def nsd(tmp_path_factory):
    with RunningNsd(tmp_path_factory.mktemp("nsd"), ZONE, ORIGIN) as running:
        yield running


@pytest.fixture(scope="module")
def ours():
    state = ServerState()
    state.zones["auth"] = ZoneSet([compile_zone(zone_data_from_text(ZONE, ORIGIN, key="interop"))])
    with RunningServer(state) as running:
        yield running


def ask(port: int, query: dns.message.Message, transport: str) -> dns.message.Message:
    send = dns.query.udp if transport == "udp" else dns.query.tcp
    return send(query, "127.0.0.1", port=port, timeout=QUERY_TIMEOUT_SECONDS)


def is_referral(message: dns.message.Message) -> bool:
    return (
        message.rcode() == dns.rcode.NOERROR
        and not message.flags & dns.flags.AA
        and any(rrset.rdtype == dns.rdatatype.NS for rrset in message.authority)
    )


def section_set(section: list) -> set[tuple]:
    """A section as comparable data, names in canonical (lower) case: a server may compress a
    name in rdata against the question, whose letter case is the client's (RFC 4343)."""
    return {
        (
            rrset.name.to_text().lower(),
            dns.rdatatype.to_text(rrset.rdtype),
            rrset.ttl,
            tuple(sorted(canonical_text(rdata) for rdata in rrset)),
        )
        for rrset in section
    }


def canonical_text(rdata: dns.rdata.Rdata) -> str:
    wire = rdata.to_digestable()
    return dns.rdata.from_wire(rdata.rdclass, rdata.rdtype, wire, 0, len(wire)).to_text()


def comparable(message: dns.message.Message, rdtype: str) -> dict:
    """What both servers must agree on (see the module docstring)."""
    question = message.question[0]
    result = {
        "rcode": message.rcode(),
        "flags": dns.flags.to_text(message.flags),
        "question": (question.name.to_text(), question.rdtype, question.rdclass),
        "edns": (message.edns, bool(message.ednsflags & dns.flags.DO)),
        "authority": section_set(message.authority),
    }
    if message.flags & dns.flags.TC:
        return result
    if rdtype == "ANY":
        result["answer"] = [(rrset.name.to_text().lower(), len(rrset)) for rrset in message.answer]
    else:
        result["answer"] = section_set(message.answer)
    if is_referral(message):
        result["glue"] = section_set([rrset for rrset in message.additional if rrset.rdtype != 41])
    return result


def test_corpus_covers_the_ground():
    assert len(CORPUS) * len(VARIANTS) >= 200
    asked = {probe.rdtype for probe in CORPUS}
    assert set(RECORD_TYPES) <= asked
    assert "ANY" in asked


@pytest.mark.parametrize("probe", CORPUS, ids=str)
def test_nsd_and_our_server_agree(nsd, ours, probe):
    for transport, edns, is_do, is_mixed in VARIANTS:
        qname = mixed_case(probe.qname) if is_mixed else probe.qname
        query = dns.message.make_query(qname, probe.rdtype, use_edns=edns, want_dnssec=is_do)
        theirs = ask(nsd.port, query, transport)
        mine = ask(ours.port(), query, transport)
        variant = f"{transport}, {'EDNS0' if edns == 0 else 'plain'}, {qname}"
        assert comparable(mine, probe.rdtype) == comparable(theirs, probe.rdtype), variant
        if probe.rdtype == "ANY" and mine.answer:
            # RFC 8482 §4.1: one RRset of the name, whichever each server picks.
            (rrset,) = mine.answer
            assert rrset.name == dns.name.from_text(probe.qname)


def test_nsd_and_our_server_agree_on_udp_truncation(nsd, ours):
    for qname, edns, payload in [("big", None, 512), ("huge", 0, 1232), ("huge", 0, 4096), ("big", 0, 512)]:
        query = dns.message.make_query(f"{qname}.{ORIGIN}", "TXT", use_edns=edns, payload=payload)
        theirs = ask(nsd.port, query, "udp")
        mine = ask(ours.port(), query, "udp")
        assert comparable(mine, "TXT") == comparable(theirs, "TXT"), (qname, edns, payload)
