"""DNS listener addresses, ROLE=HOST:PORT: how the DNS server is told where to listen and how the
console's tools know where to ask (both read DNS_SERVER_LISTEN through this one parser)."""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

ROLES = ("auth", "tld", "root")


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
