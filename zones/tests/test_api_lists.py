"""The zone list and the record-set pages read plain rows: they answer what the serializers do."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from healthchecks.models import HealthCheck
from zones import services
from zones.models import HostedZone, RecordSet
from zones.serializers import HostedZoneSerializer, RecordSetSerializer
from zones.services import associations
from zones.tests.conftest import create


def as_json(data) -> list:
    """What a JSON client receives for serializer data (ordered dicts, datetimes as text)."""
    return json.loads(json.dumps(data))


@pytest.fixture
def zones_of_every_kind(owner, other_user) -> list[HostedZone]:
    """Public and private zones, tags and comments, a shared delegation set, a network of another
    account associated with one of them, and networks whose names do not follow their ids."""
    zulu = services.save_network(owner=owner, name="zulu", cidrs=["10.1.0.0/16"])
    alpha = services.save_network(owner=owner, name="alpha", cidrs=["10.2.0.0/16"])
    theirs = services.save_network(owner=other_user, name="beta", cidrs=["10.3.0.0/16"])
    shared = services.create_delegation_set(owner=owner, caller_reference="shared")
    zones = [
        services.create_hosted_zone(owner=owner, name="plain.test"),
        services.create_hosted_zone(
            owner=owner, name="tagged.test", caller_reference="c-1", comment="web", tags={"team": "ops"}
        ),
        services.create_hosted_zone(owner=owner, name="shared-a.test", delegation_set=shared),
        services.create_hosted_zone(owner=owner, name="shared-b.test", delegation_set=shared),
        services.create_hosted_zone(
            owner=owner, name="corp.internal", is_private=True, networks=[zulu, alpha]
        ),
        services.create_hosted_zone(owner=owner, name="lab.internal", is_private=True, networks=[alpha]),
    ]
    associations.authorize_association(owner=owner, zone_id=zones[4].pk, network_id=theirs.pk)
    associations.associate_network(owner=other_user, zone_id=zones[4].pk, network_id=theirs.pk)
    services.create_hosted_zone(owner=other_user, name="not-mine.test")
    return zones


def test_the_zone_list_answers_what_the_zone_serializer_does(owner_api, owner, zones_of_every_kind):
    expected = HostedZoneSerializer(HostedZone.objects.filter(owner=owner).order_by("name", "id"), many=True)

    body = owner_api.get("/api/v1/zones").json()

    assert body["count"] == 6 and body["next"] is None and body["previous"] is None
    assert body["results"] == as_json(expected.data)
    corp = next(zone for zone in body["results"] if zone["name"] == "corp.internal.")
    assert len(corp["networks"]) == 3  # alpha, beta (the other account's), zulu: by name


def test_a_zone_list_that_fits_its_page_is_not_counted_apart(owner_api, zones_of_every_kind):
    with CaptureQueriesContext(connection) as queries:
        body = owner_api.get("/api/v1/zones?page_size=10").json()

    assert body["count"] == 6 and len(body["results"]) == 6
    assert not [query for query in queries.captured_queries if "COUNT(" in query["sql"]]


@pytest.mark.parametrize(
    ("query", "count", "names", "has_next", "has_previous"),
    [
        ("page_size=4", 6, ["corp", "lab", "plain", "shared-a"], True, False),
        ("page_size=4&page=2", 6, ["shared-b", "tagged"], False, True),
        ("page_size=3&page=2", 6, ["shared-a", "shared-b", "tagged"], False, True),
        ("page_size=3&page=last", 6, ["shared-a", "shared-b", "tagged"], False, True),
        ("page_size=2&page=2", 6, ["plain", "shared-a"], True, True),
        ("search=shared", 2, ["shared-a", "shared-b"], False, False),
        ("search=nothing-like-it", 0, [], False, False),
    ],
)
def test_zone_pages_count_and_link_like_django_pages(
    owner_api, zones_of_every_kind, query, count, names, has_next, has_previous
):
    body = owner_api.get(f"/api/v1/zones?{query}").json()

    assert body["count"] == count
    assert [zone["name"].split(".")[0] for zone in body["results"]] == names
    assert (body["next"] is not None, body["previous"] is not None) == (has_next, has_previous)


@pytest.mark.parametrize("page", ["3", "0", "two", "1.5"])
def test_a_page_that_is_not_there_is_a_404(owner_api, zones_of_every_kind, page):
    response = owner_api.get(f"/api/v1/zones?page_size=3&page={page}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_a_record_set_page_answers_what_the_record_set_serializer_does(owner_api, owner, zone):
    check = HealthCheck.objects.create(
        owner=owner, name="web", check_type="tcp", ip_address="192.0.2.1", port=80
    )
    endpoint = services.save_endpoint(owner=owner, name="lb", kind="cdn", addresses=["192.0.2.10"])
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create("www", "A", "192.0.2.2", "192.0.2.1"),
            create("mail", "MX", "10 mx1.example.com.", "20 mx2.example.com."),
            create("txt", "TXT", '"v=spf1 -all"'),
            create("w", "A", "192.0.2.3", policy="weighted", set_identifier="heavy", weight=10),
            create("w", "A", "192.0.2.4", policy="weighted", set_identifier="light", weight=1),
            create(
                "f",
                "A",
                "192.0.2.5",
                policy="failover",
                set_identifier="p",
                failover="PRIMARY",
                health_check_id=check.pk,
            ),
            create("f", "A", "192.0.2.6", policy="failover", set_identifier="s", failover="SECONDARY"),
            create("lat", "A", "192.0.2.7", policy="latency", set_identifier="east", region="us-east-1"),
            create("geo", "A", "192.0.2.8", policy="geolocation", set_identifier="fr", country="FR"),
            create("geo", "A", "192.0.2.9", policy="geolocation", set_identifier="eu", continent="EU"),
            create("cdn", "A", alias_endpoint_id=endpoint.pk, ttl=None, evaluate_target_health=True),
            create("alias", "A", alias_target_name="www", ttl=None),
        ],
    )
    expected = RecordSetSerializer(
        RecordSet.objects.filter(hosted_zone=zone).order_by("name", "type", "set_identifier"), many=True
    )

    body = owner_api.get(f"/api/v1/zones/{zone.pk}/rrsets?page_size=500").json()

    assert body["results"] == as_json(expected.data)
    assert len(body["results"]) == 14 and body["next"] is None and body["previous"] is None


def test_record_set_pages_walk_forward_and_back_with_plain_rows(owner_api, zone):
    services.apply_change_batch(
        hosted_zone=zone, changes=[create(f"h{i:02}", "A", f"192.0.2.{i + 1}") for i in range(25)]
    )

    first = owner_api.get(f"/api/v1/zones/{zone.pk}/rrsets?page_size=10").json()
    second = owner_api.get(f"/api/v1/zones/{zone.pk}/rrsets?page_size=10&after={first['next']}").json()
    back = owner_api.get(f"/api/v1/zones/{zone.pk}/rrsets?page_size=10&before={second['previous']}").json()

    assert [rs["name"] for rs in second["results"]][:2] == ["h08.example.com.", "h09.example.com."]
    assert back["results"] == first["results"]
    assert back["previous"] is None and first["previous"] is None


def test_a_record_set_page_reads_no_zone_object_and_hides_another_accounts_zone(owner_api, other_api, zone):
    with CaptureQueriesContext(connection) as queries:
        assert owner_api.get(f"/api/v1/zones/{zone.pk}/rrsets").status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    zone_reads = [sql for sql in statements if "zones_hostedzone" in sql]
    # One lookup of the zone's id, not the zone with its delegation set.
    assert len(zone_reads) == 1 and "zones_delegationset" not in zone_reads[0]
    missing = other_api.get("/api/v1/zones/999999/rrsets")
    # As the zone's own URL answers a zone that is not there.
    assert (missing.status_code, missing.json()) == (404, other_api.get("/api/v1/zones/999999").json())
    for url in (f"/api/v1/zones/{zone.pk}/rrsets", "/api/v1/zones/not-a-number/rrsets"):
        response = other_api.get(url)
        assert (response.status_code, response.json()) == (404, missing.json()), url
