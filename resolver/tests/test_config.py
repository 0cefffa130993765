"""The planner's precedence, the unbound.conf it writes, and the live commands (no unbound, no database)."""

from pathlib import Path

import dns.message
import pytest

from resolver.config import InstanceConfig, RuleSpec, ZonePlan, plan_zones, render_unbound_conf
from resolver.control import control_commands
from resolver.dnstap import QueryPairer, dnstap_message, protobuf_fields

PRIVATE = "127.0.55.10@5300"
SYSTEM = "127.0.54.2@5301"
PARTNER = ("192.0.2.1@53",)


def forward(domain: str) -> RuleSpec:
    return RuleSpec(domain, "FORWARD", PARTNER)


def system(domain: str) -> RuleSpec:
    return RuleSpec(domain, "SYSTEM")


@pytest.mark.parametrize(
    ("rules", "private_zones", "forwards", "stubs"),
    [
        # A private zone alone: a stub to the network's address on the private listener.
        ([], ["corp.internal."], {}, {"corp.internal.": (PRIVATE,)}),
        # A rule for the same name wins over the private zone.
        ([forward("corp.internal.")], ["corp.internal."], {"corp.internal.": PARTNER}, {}),
        # A more specific rule wins for its names; the private zone keeps the rest.
        (
            [forward("ad.corp.internal.")],
            ["corp.internal."],
            {"ad.corp.internal.": PARTNER},
            {"corp.internal.": (PRIVATE,)},
        ),
        # A more specific private zone wins over a broader rule.
        (
            [forward("internal.")],
            ["corp.internal."],
            {"internal.": PARTNER},
            {"corp.internal.": (PRIVATE,)},
        ),
        # SYSTEM under a FORWARD: recursion through the system instance.
        (
            [forward("partner.example."), system("public.partner.example.")],
            [],
            {"partner.example.": PARTNER, "public.partner.example.": (SYSTEM,)},
            {},
        ),
        # SYSTEM under a FORWARD that shadows a private zone: the private zone answers it.
        (
            [forward("corp.internal."), system("hr.corp.internal.")],
            ["corp.internal."],
            {"corp.internal.": PARTNER},
            {"hr.corp.internal.": (PRIVATE,)},
        ),
        # SYSTEM under no FORWARD changes nothing.
        ([system("example.com.")], [], {}, {}),
    ],
)
def test_the_most_specific_name_wins_and_a_rule_beats_a_private_zone_of_its_name(
    rules, private_zones, forwards, stubs
):
    plan = plan_zones(rules, private_zones, private_server=PRIVATE, system_server=SYSTEM)
    assert (dict(plan.forward_zones), dict(plan.stub_zones)) == (forwards, stubs)


def _config(**fields) -> InstanceConfig:
    return InstanceConfig(
        key="7",
        directory=Path("/srv/r/7"),
        interfaces=(("127.0.54.10", 53),),
        root_server=("127.0.0.1", 8055),
        **fields,
    )


def test_the_unbound_conf_says_everything_the_instance_does():
    config = _config(
        access_control=("10.1.0.0/16", "127.0.0.0/8", "::1/128"),
        outgoing_interfaces=("127.0.54.20",),
        zones=ZonePlan(
            forward_zones={"partner.example.": PARTNER}, stub_zones={"corp.internal.": (PRIVATE,)}
        ),
        is_query_logged=True,
    )
    text = render_unbound_conf(config)
    for line in [
        "    interface: 127.0.54.10@53",
        "    outgoing-interface: 127.0.54.20",
        "    access-control: 0.0.0.0/0 refuse",
        "    access-control: 10.1.0.0/16 allow",
        "    access-control: 127.0.0.0/8 allow",
        '    chroot: ""',
        '    username: ""',
        '    pidfile: "/srv/r/7/unbound.pid"',
        '    control-interface: "/srv/r/7/ctl.sock"',
        "    control-use-cert: no",
        "    so-reuseport: no",
        '    local-zone: "corp.internal." transparent',
        'stub-zone:\n    name: "."\n    stub-addr: 127.0.0.1@8055',
        'stub-zone:\n    name: "corp.internal."\n    stub-addr: 127.0.55.10@5300',
        'forward-zone:\n    name: "partner.example."\n    forward-addr: 192.0.2.1@53',
        '    dnstap-socket-path: "/srv/r/7/dnstap.sock"',
    ]:
        assert line in text
    plain = render_unbound_conf(_config())
    assert "dnstap" not in plain and '    module-config: "iterator"' in plain
    firewall = render_unbound_conf(_config(firewall_clauses=("rpz:", '    name: "fw-1.rpz."')))
    assert '    module-config: "respip iterator"' in firewall and 'rpz:\n    name: "fw-1.rpz."' in firewall


def test_only_the_zones_change_live():
    before = _config(zones=ZonePlan(forward_zones={"a.example.": PARTNER}))
    after = _config(zones=ZonePlan(stub_zones={"corp.internal.": (PRIVATE,)}))
    assert before.without_zones() == after.without_zones()
    assert control_commands(before.zones, after.zones) == [
        ["local_zone", "corp.internal.", "transparent"],
        ["forward_remove", "a.example."],
        ["stub_add", "corp.internal.", PRIVATE],
        ["local_zone_remove", "a.example."],
        ["flush_requestlist"],
        ["flush_zone", "a.example."],
        ["flush_zone", "corp.internal."],
    ]
    # An added route drops no query in flight.
    assert control_commands(ZonePlan(), before.zones) == [
        ["local_zone", "a.example.", "transparent"],
        ["forward_add", "a.example.", *PARTNER],
        ["flush_zone", "a.example."],
    ]
    assert control_commands(before.zones, before.zones) == []


def _field(number: int, value: bytes | int) -> bytes:
    if isinstance(value, int):
        return bytes([number << 3]) + _varint(value)
    return bytes([number << 3 | 2]) + _varint(len(value)) + value


def _varint(value: int) -> bytes:
    out = b""
    while True:
        byte, value = value & 0x7F, value >> 7
        out += bytes([byte | (0x80 if value else 0)])
        if not value:
            return out


def test_a_dnstap_reply_is_paired_with_its_query_for_the_latency():
    query = dns.message.make_query("www.example.", "A")
    response = dns.message.make_response(query)
    common = _field(3, 1) + _field(4, bytes([192, 0, 2, 9])) + _field(6, 40000)
    asked = _field(14, _field(1, 5) + common + _field(8, 1700000000) + _field(10, query.to_wire()))
    answered = _field(
        14, _field(1, 6) + common + _field(12, 1700000000) + _field(13, 0) + _field(14, response.to_wire())
    )
    assert protobuf_fields(_field(15, 1))[15] == 1

    pairer = QueryPairer()
    assert pairer.add(dnstap_message(asked)) is None
    logged = pairer.add(dnstap_message(answered))

    assert (logged.client_address, logged.client_port, logged.query_name, logged.rcode) == (
        "192.0.2.9",
        40000,
        "www.example.",
        "NOERROR",
    )
    assert logged.latency_ms == 0.0 and logged.protocol == "udp"
