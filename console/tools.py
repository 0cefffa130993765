"""The Tools pages' services: where our DNS servers listen, and running a trace against them."""

from django.conf import settings

from console import dnstrace


def listen_addresses() -> dict[str, tuple[str, int]]:
    """Role → (host, port) from DNS_SERVER_LISTEN ("auth=127.0.0.1:8053,...")."""
    addresses = {}
    for entry in settings.DNS_SERVER_LISTEN:
        role, _, endpoint = entry.partition("=")
        host, _, port = endpoint.rpartition(":")
        addresses[role.strip()] = (host.strip("[]"), int(port))
    return addresses


def run_trace(qname: str, qtype: str) -> dnstrace.Trace:
    """Trace `qname` from our root server down, asking each tier on its port."""
    addresses = listen_addresses()
    root_host, root_port = addresses["root"]
    root = dnstrace.Server("root", root_host, root_port)
    ports = {role: addresses[role][1] for role in dnstrace.TIERS}
    return dnstrace.trace(qname, qtype, root=root, ports=ports)
