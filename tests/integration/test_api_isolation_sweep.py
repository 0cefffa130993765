"""Every operation of the OpenAPI schema, played by a second account against the first's ids.

The operations come from the schema itself, so a new endpoint is swept without anyone
remembering to add it: an operation whose path names an object of a kind this file cannot
make fails the sweep until tests/api_objects.py makes one.
"""

import json
import re

import pytest
from django.test import Client

from accounts.testing import api_client_for
from registrar.tests.conftest import registry  # noqa: F401 - the registry fixture
from tests.api_objects import owner_objects

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("registry")]

METHODS = ("get", "post", "put", "patch", "delete")


def schema_operations(client: Client) -> list[tuple[str, str]]:
    schema = json.loads(client.get("/api/schema/?format=json").content)
    return [(method, path) for path, item in schema["paths"].items() for method in METHODS if method in item]


def test_every_operation_on_another_accounts_object_answers_404(owner, other_user, owner_client):
    ids = owner_objects(owner)
    intruder = api_client_for(other_user)
    operations = schema_operations(owner_client)
    swept = []
    for method, path in operations:
        if "{" not in path:
            continue
        kind = path.removeprefix("/api/v1/").split("/{", 1)[0]
        assert kind in ids, f"{method.upper()} {path}: the sweep cannot make a {kind} object yet"
        url = re.sub(r"\{[^}]+\}", str(ids[kind]), path)
        response = getattr(intruder, method)(url, {}, format="json")
        assert response.status_code == 404, f"{method.upper()} {url} answered {response.status_code}"
        swept.append((method, path))
    # Query parameters that name an object are swept too.
    response = intruder.get(
        "/api/v1/test-dns-answer", {"hosted_zone_id": ids["zones"], "record_name": "www", "record_type": "A"}
    )
    assert response.status_code == 404
    assert len(swept) > 40, swept

    # Nothing of the owner's changed, and the owner still sees every object.
    owner_api = api_client_for(owner)
    for kind in ("zones", "healthchecks", "domains", "alarms", "alert-topics", "tokens"):
        assert owner_api.get(f"/api/v1/{kind}/{ids[kind]}").status_code == 200, kind
    assert owner_api.get(f"/api/v1/zones/{ids['zones']}/rrsets").json()["results"]
