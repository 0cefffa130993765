"""With the database away the console answers a clear 503 page, and recovers by itself.

The database is made unreachable the way a stopped server is: PostgreSQL at a closed port,
SQLite at a file that cannot be opened. (tests/harness/test_faults.py stops a real PostgreSQL.)
"""

import socket
from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client, RequestFactory

from nameplate.middleware import DatabaseUnavailableMiddleware

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_unreachable():
    """Until the block ends, every new connection of `default` fails as if the server were down."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-directory/nameplate.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        yield connection.settings_dict.get("PORT") or connection.settings_dict["NAME"]
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_a_signed_in_page_answers_503_while_the_database_is_away_and_200_after(owner_client):
    assert owner_client.get("/zones/").status_code == 200

    with database_unreachable() as where:
        response = owner_client.get("/zones/")

        assert response.status_code == 503
        assert response["Retry-After"] == "10"
        assert response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert "The console is briefly unavailable" in html and "Try again in 10 seconds" in html
        # Neither a traceback nor where the database lives.
        assert "Traceback" not in html and "OperationalError" not in html and str(where) not in html

    assert owner_client.get("/zones/").status_code == 200


def test_an_anonymous_page_reading_the_database_answers_503_too():
    with database_unreachable():
        response = Client().get("/rdap/domain/nameplate-demo.com")
    assert response.status_code == 503
    assert Client().get("/rdap/domain/never-registered.com").status_code == 404


@pytest.mark.parametrize("error", [OperationalError("server closed the connection"), InterfaceError("gone")])
def test_both_kinds_of_lost_connection_answer_the_page(error):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    response = middleware.process_exception(RequestFactory().get("/zones/"), error)
    assert response.status_code == 503 and b"briefly unavailable" in response.content


def test_other_errors_are_left_to_the_500_page():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/zones/"), ValueError("a bug")) is None
