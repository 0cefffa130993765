"""What one compiled zone answers from: `ZoneSnapshot`, a few dictionaries of bytes.

A snapshot is never changed after `compile_zone` builds it; a change compiles a new one,
which the server swaps in whole. The resolver reads it through the `ZoneStore` protocol,
parsing a template back when it needs a static set; `find_wire` reads its templates and
tails directly.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset

from zones.engine.data import IPAddress, Network, RecordSetData
from zones.engine.nodes import NodeInfo
from zones.engine.render import name_key


@dataclass(frozen=True, eq=False)
class ZoneSnapshot:
    """One compiled zone: immutable, shared by every query until a newer one replaces it.

    `answers` maps name key + type (2 bytes, big-endian) to a response template (see
    render.py); `names` maps name keys to shared NodeInfo; `referrals` maps delegation
    points to (counts, tail); `negative_tail` is the SOA authority of NXDOMAIN/NODATA.
    `name_servers` holds the name keys of the delegation set's hosts; `owner` and
    `created` are ZoneData's (delegation.py reads all three).
    """

    origin: dns.name.Name
    origin_key: bytes
    serial: int
    key: str
    networks: tuple[Network, ...]
    xfr_networks: tuple[Network, ...]
    notify_targets: tuple[str, ...]
    soa: dns.rrset.RRset
    negative_soa: dns.rrset.RRset
    names: dict[bytes, NodeInfo]
    answers: dict[bytes, bytes]
    rrsets: dict[bytes, dns.rrset.RRset]
    groups: dict[bytes, tuple[RecordSetData, ...]]
    referrals: dict[bytes, tuple[bytes, bytes]]
    negative_tail: bytes
    has_wildcards: bool
    record_count: int
    name_servers: frozenset[bytes] = frozenset()
    owner: str = ""
    created: tuple[float, int] = (0.0, 0)

    @property
    def is_private(self) -> bool:
        return bool(self.networks)

    def get_node(self, name: dns.name.Name) -> NodeInfo | None:
        return self.names.get(name_key(name))

    def get_rrset(self, name: dns.name.Name, rdtype: int) -> dns.rrset.RRset | None:
        key = name_key(name) + rdtype.to_bytes(2, "big")
        rrset = self.rrsets.get(key)
        if rrset is not None:
            return rrset
        template = self.answers.get(key)
        if template is None:
            return None
        message = dns.message.from_wire(template)
        for candidate in message.answer:
            if candidate.rdtype == rdtype and candidate.name == name:
                return candidate
        return None

    def cut_name_servers(self, cut_key: bytes) -> frozenset[bytes]:
        """The name keys of the hosts a delegation point of this zone names in its NS set."""
        rrset = self.rrsets.get(cut_key + dns.rdatatype.NS.to_bytes(2, "big"))
        return frozenset(name_key(rdata.target) for rdata in rrset) if rrset is not None else frozenset()

    def get_group(self, name: dns.name.Name, rdtype: int) -> tuple[RecordSetData, ...] | None:
        return self.groups.get(name_key(name) + rdtype.to_bytes(2, "big"))

    def allows_transfer(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in self.xfr_networks)

    def is_visible_to(self, address: IPAddress | None) -> bool:
        """Public zones are visible to all; private ones only inside their networks."""
        if not self.networks:
            return True
        if address is None:
            return False
        return any(address.version == net.version and address in net for net in self.networks)

    def iter_rrsets(self) -> Iterator[dns.rrset.RRset]:
        """Every static RRset of the zone, SOA first (for AXFR and zone-file export)."""
        yield self.soa
        for key, info in self.names.items():
            name = dns.name.from_wire(key, 0)[0]
            for rdtype in sorted(info.types - info.dynamic):
                if rdtype == dns.rdatatype.SOA and key == self.origin_key:
                    continue
                rrset = self.get_rrset(name, rdtype)
                if rrset is not None:
                    yield rrset
