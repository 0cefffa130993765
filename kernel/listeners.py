"""DNS listener addresses, ROLE=HOST:PORT: how the DNS server is told where to listen and how the
console's tools know where to ask (both read DNS_SERVER_LISTEN through this one parser).

The roles, and who may ask each:

- `auth`: public hosted zones, alike to every client; on DNS_SERVER_LISTEN, and on
  DNS_NAMESERVER_PORT of each name server's own address (as that name server).
- `tld`, `root`: the registry's TLD zones and root zone; on DNS_SERVER_LISTEN.
- `private`: private hosted zones, to any source; on DNS_PRIVATE_PORT of each address of
  DNS_PRIVATE_ADDRESSES.

The private listener's contract (the resolvers build on it): every network has one address
of DNS_PRIVATE_ADDRESSES of its own (`zones.Network.private_address`). A query that arrives
on that address is answered from the private zones associated with that network (longest
suffix), and from nothing else: REFUSED for any other name, whatever the source address.
So a network's resolver stubs its private zones to `<private_address>:DNS_PRIVATE_PORT`, two
accounts' private zones of one name never meet, and no public listener answers a private
zone. Only the resolvers are meant to reach these addresses.
"""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

ROLES = ("auth", "tld", "root", "private", "rpz")
PRIVATE_ROLE = "private"
# The DNS Firewall's RPZ zones, transferred (AXFR, NOTIFY) to the networks' resolvers only.
RPZ_ROLE = "rpz"


class ListenerError(ValueError):
    """A --listen value that is not ROLE=HOST:PORT with a known role."""


@dataclass(frozen=True)
class Listener:
    role: str
    host: str
    port: int

    @classmethod
    def parse(cls, text: str, roles: tuple[str, ...] = ROLES) -> "Listener":
        """Read ROLE=HOST:PORT (IPv6 hosts in brackets: auth=[::1]:8053)."""
        role, _, where = text.partition("=")
        if role not in roles:
            raise ListenerError(f"listen: {text} names the role {role!r}; roles are {', '.join(roles)}")
        if where.startswith("["):
            host, _, port = where[1:].partition("]:")
        else:
            host, _, port = where.rpartition(":")
        try:
            ipaddress.ip_address(host)
            number = int(port)
        except ValueError:
            raise ListenerError(f"listen: {text} is not ROLE=HOST:PORT with an IP address") from None
        if not 0 <= number <= 65535:
            raise ListenerError(f"listen: {text} has a port outside 0-65535")
        return cls(role, host, number)


def listeners_by_role(texts: Iterable[str]) -> dict[str, Listener]:
    """The first listener of each role among `texts`; raises ListenerError for a bad one."""
    found: dict[str, Listener] = {}
    for text in texts:
        listener = Listener.parse(text.strip())
        found.setdefault(listener.role, listener)
    return found
