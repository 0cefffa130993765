"""What the resolver reads a zone through: node facts and record sets by name and type.

Two stores implement `ZoneStore`: the compile-time index (full dnspython objects, used while
precomputing answers) and the compact `ZoneSnapshot` the server keeps. The resolver only
sees this protocol, so a precomputed answer and a live one come from the same code.
"""

from dataclasses import dataclass
from typing import Protocol

import dns.name
import dns.rrset

from zones.engine.data import RecordSetData
from zones.engine.render import name_key


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """Facts about one owner name. Instances are shared between names with equal facts.

    `types` holds every type with data here (empty for an empty non-terminal); `dynamic`
    the types whose answer depends on policy, health or the client; `is_cut` marks a
    delegation point (NS below the apex) and `below_cut` a name occluded by one.
    """

    types: frozenset[int]
    dynamic: frozenset[int]
    is_cut: bool = False
    below_cut: bool = False

    @property
    def is_empty_non_terminal(self) -> bool:
        return not self.types


class ZoneStore(Protocol):
    origin: dns.name.Name
    negative_soa: dns.rrset.RRset

    def get_node(self, name: dns.name.Name) -> NodeInfo | None: ...

    def get_rrset(self, name: dns.name.Name, rdtype: int) -> dns.rrset.RRset | None: ...

    def get_group(self, name: dns.name.Name, rdtype: int) -> tuple[RecordSetData, ...] | None: ...


class TracingStore:
    """A store that notes the key of every name whose data is read (what a template depends on)."""

    def __init__(self, store: ZoneStore, reads: set[bytes]) -> None:
        self.store = store
        self.reads = reads
        self.origin = store.origin
        self.negative_soa = store.negative_soa

    def get_node(self, name: dns.name.Name) -> NodeInfo | None:
        return self.store.get_node(name)

    def get_rrset(self, name: dns.name.Name, rdtype: int) -> dns.rrset.RRset | None:
        self.reads.add(name_key(name))
        return self.store.get_rrset(name, rdtype)

    def get_group(self, name: dns.name.Name, rdtype: int) -> tuple[RecordSetData, ...] | None:
        self.reads.add(name_key(name))
        return self.store.get_group(name, rdtype)
