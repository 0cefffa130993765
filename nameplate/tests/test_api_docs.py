"""The Swagger page reads as a table of contents: every operation has a tag and a summary; API
paths answer the same with a trailing slash, for GET and for POST."""

import pytest
import yaml
from django.test import Client

from accounts.testing import api_client_for, make_user
from nameplate.schema import summary_for

pytestmark = pytest.mark.django_db


def test_every_operation_has_a_tag_and_a_summary():
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    operations = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert len(operations) > 50
    for path, method, operation in operations:
        assert operation.get("tags") and operation["tags"] != ["v1"], f"{method} {path} has no group"
        assert operation.get("summary"), f"{method} {path} has no summary"
    tags = {tag for _, _, operation in operations for tag in operation["tags"]}
    assert {"zones", "healthchecks", "domains", "alarms"} <= tags


@pytest.mark.parametrize(
    ("operation_id", "summary"),
    [
        ("alarms_list", "List alarms"),
        ("alarms_create", "Create alarm"),
        ("healthchecks_partial_update", "Update healthcheck"),
        ("domains_name_servers_update", "Replace domain name servers"),
        ("delegation-sets_destroy", "Delete delegation set"),
        ("me_retrieve", "Get me"),
        ("checkout_create", "Create checkout"),
    ],
)
def test_summaries_read_as_a_verb_and_a_thing(operation_id, summary):
    assert summary_for(operation_id, "get") == summary


def test_a_trailing_slash_answers_as_without_for_get_and_post():
    owner = make_user("slash@example.com")
    client = api_client_for(owner)
    assert client.get("/api/v1/me/").json() == client.get("/api/v1/me").json()
    assert client.get("/api/v1/zones/").json() == client.get("/api/v1/zones").json()
    created = client.post("/api/v1/zones/", {"name": "slash-bakery.com"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["name"].rstrip(".") == "slash-bakery.com"
    bad = client.post("/api/v1/zones/", {"name": ""}, format="json")
    assert bad.status_code == 400 and "name" in bad.json()
    assert client.get("/api/v1/no-such-thing/").status_code == 404


def test_a_trailing_slash_keeps_another_users_objects_hidden():
    owner, other = make_user("slash-owner@example.com"), make_user("slash-other@example.com")
    zone_id = (
        api_client_for(owner).post("/api/v1/zones", {"name": "hidden-bakery.com"}, format="json").json()["id"]
    )
    assert api_client_for(other).get(f"/api/v1/zones/{zone_id}/").status_code == 404
    assert Client().get("/api/v1/zones/").status_code in (401, 403)
