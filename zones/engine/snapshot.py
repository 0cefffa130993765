"""What one compiled zone answers from: `ZoneSnapshot`, a few dictionaries of bytes.

A snapshot is never changed after `compile_zone` builds it; a change makes a new one
(`update_zone`, incremental.py: copy-on-write of what changed, sharing every untouched
node, template and group), which the server swaps in whole. The resolver reads it through
the `ZoneStore` protocol, parsing a template back when it needs a static set; `find_wire`
reads its templates and tails directly.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset

from zones.engine.data import IPAddress, Network, RecordSetData
from zones.engine.nodes import NodeInfo
from zones.engine.render import name_key
from zones.engine.shards import ShardedMap


@dataclass(frozen=True, eq=False)
class ZoneSnapshot:
    """One compiled zone: immutable, shared by every query until a newer one replaces it.

    Every per-name table is a ShardedMap (shards.py), so that a new version copies only
    the shards its change writes. `answers` maps name key + type (2 bytes, big-endian) to a
    response template (see render.py); `names` maps name keys to shared NodeInfo; `referrals` maps delegation
    points to (counts, tail); `negative_tail` is the SOA authority of NXDOMAIN/NODATA.
    `name_servers` holds the name keys of the delegation set's hosts; `owner` and
    `created` are ZoneData's (delegation.py reads all three).

    What an incremental update needs (incremental.py): `dependents` maps a name key to the
    owners (name keys) whose templates or referral read that name's node or data beyond
    their own name (CNAME targets, MX/SRV/NS targets, wildcards and enclosers), and
    `depends_on` is the same map the other way; `child_counts` counts each name's children
    (an empty non-terminal lives while it has some); `soa_keys` are the answer keys whose
    template ends with the negative SOA (re-stamped with each serial).
    """

    origin: dns.name.Name
    origin_key: bytes
    serial: int
    key: str
    private_addresses: frozenset[str]
    xfr_networks: tuple[Network, ...]
    notify_targets: tuple[str, ...]
    soa: dns.rrset.RRset
    negative_soa: dns.rrset.RRset
    names: ShardedMap[bytes, NodeInfo]
    answers: ShardedMap[bytes, bytes]
    rrsets: ShardedMap[bytes, dns.rrset.RRset]
    groups: ShardedMap[bytes, tuple[RecordSetData, ...]]
    referrals: ShardedMap[bytes, tuple[bytes, bytes]]
    negative_tail: bytes
    has_wildcards: bool
    record_count: int
    name_servers: frozenset[bytes] = frozenset()
    owner: str = ""
    created: tuple[float, int] = (0.0, 0)
    dependents: ShardedMap[bytes, frozenset[bytes]] = field(default_factory=ShardedMap)
    depends_on: ShardedMap[bytes, frozenset[bytes]] = field(default_factory=ShardedMap)
    child_counts: ShardedMap[bytes, int] = field(default_factory=ShardedMap)
    soa_keys: frozenset[bytes] = frozenset()

    @property
    def is_private(self) -> bool:
        return bool(self.private_addresses)

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
