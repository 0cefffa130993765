"""Limits under concurrency, played as an attacker would: many clients at once, over real HTTP."""

import re
import threading
from collections import Counter

import httpx
import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.throttling import SimpleRateThrottle

from accounts.testing import PASSWORD, api_client_for, make_user

CLIENTS = 50


def hammer(url: str, *, requests_each: int, headers: dict | None = None, timeout: float = 60) -> Counter:
    """CLIENTS threads, released together, GET `url` `requests_each` times each; the count of each
    status, and of Retry-After.

    Bounded by requests, not by time: on a loaded machine a time-boxed burst sends fewer
    requests than the limit and proves nothing.
    """
    statuses: Counter = Counter()
    lock = threading.Lock()
    ready = threading.Barrier(CLIENTS)

    def client() -> None:
        with httpx.Client(headers=headers, timeout=timeout) as http:
            ready.wait()
            for _ in range(requests_each):
                response = http.get(url)
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code == 429 and response.headers.get("Retry-After", "").isdigit():
                        statuses["retry-after"] += 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.fixture
def rates(monkeypatch):
    # Windows of an hour: however slow the machine, no counted hit leaves the window mid-test.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "100/hour", "anon": "10/hour"})


@pytest.mark.django_db(transaction=True)
def test_fifty_clients_of_one_user_get_no_more_than_the_limit_through(live_server, rates):
    owner = make_user("hammer@example.com")
    token = api_client_for(owner)._credentials["HTTP_AUTHORIZATION"]
    statuses = hammer(f"{live_server.url}/api/v1/me", requests_each=4, headers={"Authorization": token})
    assert statuses[200] == 100 and statuses[429] == 100, statuses
    assert statuses["retry-after"] == statuses[429]


@pytest.mark.django_db(transaction=True)
def test_fifty_anonymous_clients_of_one_address_get_no_more_than_the_limit_through(live_server, rates):
    # The schema is the API's one anonymous endpoint (the rest answer 401 before any throttle).
    # drf-spectacular loads its classes lazily and not thread-safely on the first schema built
    # in a process; build one first so the 50 threads test the throttle, not that race.
    SchemaGenerator().get_schema(request=None, public=True)
    # The ten that get through each build the whole schema while the other forty wait their turn.
    statuses = hammer(f"{live_server.url}/api/schema/?format=json", requests_each=1, timeout=120)
    assert statuses[200] == 10 and statuses[429] == CLIENTS - 10, statuses
    assert statuses["retry-after"] == statuses[429]


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_wrong_passwords_check_only_the_limit(live_server, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    make_user("ada@example.com")
    login = f"{live_server.url}/account/login/"
    results: list[httpx.Response] = []
    lock = threading.Lock()
    ready = threading.Barrier(20)

    def attempt() -> None:
        with httpx.Client(timeout=30) as http:
            page = http.get(login).text
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            ready.wait()
            response = http.post(
                login,
                data={"csrfmiddlewaretoken": csrf, "email": "ada@example.com", "password": "wrong"},
                headers={"Referer": login},
            )
            with lock:
                results.append(response)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = Counter(response.status_code for response in results)
    assert statuses == {200: 5, 429: 15}
    wrong = [r for r in results if r.status_code == 200]
    assert all("The e-mail address or the password is wrong." in r.text for r in wrong)
    locked = [r for r in results if r.status_code == 429]
    assert all("Too many failed log-in attempts; try again in 15 minutes." in r.text for r in locked)
    assert all(int(r.headers["Retry-After"]) > 14 * 60 for r in locked)


@pytest.mark.django_db
def test_a_right_password_forgives_the_failures_before_it(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    make_user("ada@example.com")
    for _ in range(2):
        client.post("/account/login/", {"email": "ada@example.com", "password": "wrong"})
    response = client.post("/account/login/", {"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 302
    client.post("/account/logout/")
    for _ in range(2):
        response = client.post("/account/login/", {"email": "ada@example.com", "password": "wrong"})
        assert response.status_code == 200
