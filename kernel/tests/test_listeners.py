"""ROLE=HOST:PORT, as the DNS server's --listen and DNS_SERVER_LISTEN give it."""

import pytest

from kernel.listeners import Listener, ListenerError, listeners_by_role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("auth=127.0.0.1:8053", Listener("auth", "127.0.0.1", 8053)),
        ("tld=127.0.0.1:0", Listener("tld", "127.0.0.1", 0)),
        ("root=[::1]:53", Listener("root", "::1", 53)),
    ],
)
def test_a_listener_reads_role_host_and_port(text, expected):
    assert Listener.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "dns=127.0.0.1:53",
            "listen: dns=127.0.0.1:53 names the role 'dns'; roles are auth, tld, root, private, rpz",
        ),
        ("auth=localhost:53", "listen: auth=localhost:53 is not ROLE=HOST:PORT with an IP address"),
        ("auth=127.0.0.1", "listen: auth=127.0.0.1 is not ROLE=HOST:PORT with an IP address"),
        ("auth=127.0.0.1:65536", "listen: auth=127.0.0.1:65536 has a port outside 0-65535"),
    ],
)
def test_a_bad_listener_is_refused_with_the_reason(text, message):
    with pytest.raises(ListenerError) as raised:
        Listener.parse(text)
    assert str(raised.value) == message


def test_the_first_listener_of_each_role_is_where_the_tools_ask():
    listeners = listeners_by_role(["auth=127.0.0.1:8053", " tld=127.0.0.2:53", "auth=[::1]:8053"])
    assert listeners == {"auth": Listener("auth", "127.0.0.1", 8053), "tld": Listener("tld", "127.0.0.2", 53)}
