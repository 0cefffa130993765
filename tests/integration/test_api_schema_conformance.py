"""The schema tells the truth: schemathesis drives every operation of /api/schema/.

As a logged-in user with real objects (every `{id}` is one of the user's), a bounded number of
generated requests per operation; no answer may be a server error, and every answer must
match the response the schema declares for its status. Every problem found is reported.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts import services as accounts
from nameplate.wsgi import application
from registrar.tests.conftest import registry  # noqa: F401 - the registry fixture
from tests.api_objects import owner_objects

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("registry")]

EXAMPLES_PER_OPERATION = 8


def conforms(operation, ids: dict[str, int], key: str):
    """A Hypothesis test of one operation: generated requests, the owner's ids in the path."""
    kind = operation.path.removeprefix("/api/v1/").split("/{", 1)[0]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        if case.path_parameters and kind in ids:
            case.path_parameters = {name: ids[kind] for name in case.path_parameters}
        response = case.call(headers={"Authorization": f"Bearer {key}"})
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    return check


@pytest.fixture
def connections_kept_open():
    """Requests go through the real WSGI handler, which closes the database connection after each
    one; keep it, as Django's test client does, so the test's transaction survives."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("connections_kept_open")
def test_every_operation_answers_as_the_schema_says(owner):
    ids = owner_objects(owner)
    _, key = accounts.create_api_token(owner=owner, name="schemathesis")
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    problems: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60

    for operation in operations:
        try:
            conforms(operation, ids, key)()
        except (Exception, BaseExceptionGroup) as error:  # each operation's first failure, reported below
            problems[operation.label] = " ".join(str(error).split())[:400]

    assert not problems, "\n".join(f"{label}: {problem}" for label, problem in sorted(problems.items()))
