"""The suite's own guard: one test run per Redis database."""

import re
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from kernel.testing import TEST_RUN_CLIENT_NAME, claim_redis_for_test_run


def _on_database(url: str, database: int) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def test_a_second_run_on_the_same_redis_database_is_refused():
    # This run claimed settings.REDIS_URL when it started; a second claim is another run's.
    database = int(urlsplit(settings.REDIS_URL).path.strip("/") or 0)
    refusal = re.escape(f"Another test run is using Redis database {database} (")
    with pytest.raises(pytest.UsageError, match=refusal):
        claim_redis_for_test_run(settings.REDIS_URL)


def test_a_run_on_another_database_gets_its_claim():
    database = (int(urlsplit(settings.REDIS_URL).path.strip("/") or 0) + 1) % 16
    claim = claim_redis_for_test_run(_on_database(settings.REDIS_URL, database))
    try:
        assert claim.client_getname() == TEST_RUN_CLIENT_NAME
        [mine] = [c for c in claim.client_list() if int(c["id"]) == claim.client_id()]
        assert int(mine["db"]) == database
    finally:
        claim.close()


def test_no_redis_is_a_usage_error_naming_the_address():
    with pytest.raises(pytest.UsageError, match=re.escape("No Redis answers at redis://127.0.0.1:1/0 (")):
        claim_redis_for_test_run("redis://127.0.0.1:1/0")
