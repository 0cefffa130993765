"""The zones API: success, bad input (field and message), other users' objects (404), wrong methods."""

import pytest

from accounts.testing import assert_hidden_from
from zones import services
from zones.models import ChangeBatch, HostedZone, RecordSet
from zones.tests.conftest import create


def change(action: str, **record_set) -> dict:
    return {"action": action, "record_set": record_set}


def test_create_list_and_fetch_hosted_zones(owner_api, owner):
    response = owner_api.post(
        "/api/v1/zones", {"name": "Example.NET", "caller_reference": "r-1", "comment": "c"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "example.net." and len(body["name_servers"]) == 4 and body["record_set_count"] == 2
    again = owner_api.post("/api/v1/zones", {"name": "example.net", "caller_reference": "r-1"})
    assert again.json()["id"] == body["id"]
    listed = owner_api.get("/api/v1/zones?search=example").json()
    assert [zone["id"] for zone in listed["results"]] == [body["id"]]
    assert owner_api.get(f"/api/v1/zones/{body['id']}").json()["serial"] == 1


def test_a_bad_zone_name_is_a_field_error(owner_api):
    response = owner_api.post("/api/v1/zones", {"name": "*.example.com"})
    assert response.status_code == 400
    assert response.json() == {"name": ["*.example.com is not a domain name (a zone name has no wildcard)"]}


def test_a_private_zone_through_the_api(owner_api, owner, other_user):
    network = owner_api.post("/api/v1/networks", {"name": "vpc", "cidrs": ["10.0.0.0/16"]}).json()
    theirs = services.save_network(owner=other_user, name="x", cidrs=["10.9.0.0/16"])
    refused = owner_api.post(
        "/api/v1/zones", {"name": "corp.internal", "is_private": True, "networks": [theirs.pk]}
    )
    assert refused.status_code == 400 and "networks" in refused.json()
    response = owner_api.post(
        "/api/v1/zones", {"name": "corp.internal", "is_private": True, "networks": [network["id"]]}
    )
    assert response.status_code == 201 and response.json()["networks"] == [network["id"]]


def test_patch_changes_comment_and_tags(owner_api, zone):
    response = owner_api.patch(f"/api/v1/zones/{zone.pk}", {"comment": "web", "tags": {"team": "ops"}})
    assert response.status_code == 200
    assert (response.json()["comment"], response.json()["tags"]) == ("web", {"team": "ops"})


def test_apply_a_change_batch_and_read_its_status(owner_api, zone):
    response = owner_api.post(
        f"/api/v1/zones/{zone.pk}/changes",
        {
            "comment": "launch",
            "changes": [
                change("CREATE", name="www", type="A", ttl=300, values=["192.0.2.1", "192.0.2.2"]),
                change("CREATE", name="@", type="A", alias_target_name="www"),
                change(
                    "CREATE",
                    name="api",
                    type="A",
                    ttl=60,
                    values=["192.0.2.3"],
                    policy="weighted",
                    set_identifier="a",
                    weight=5,
                ),
            ],
        },
    )
    assert response.status_code == 201, response.json()
    batch = response.json()
    assert (batch["status"], batch["serial"], batch["change_count"], batch["source"]) == (
        "PENDING",
        2,
        3,
        "api",
    )
    status = owner_api.get(f"/api/v1/changes/{batch['id']}").json()
    assert status["status"] == "PENDING"
    listed = owner_api.get(f"/api/v1/zones/{zone.pk}/changes").json()
    assert listed["results"][0]["id"] == batch["id"]


def test_a_refused_batch_names_the_failing_change(owner_api, zone):
    response = owner_api.post(
        f"/api/v1/zones/{zone.pk}/changes",
        {
            "changes": [
                change("CREATE", name="www", type="A", ttl=300, values=["192.0.2.1"]),
                change("CREATE", name="bad", type="A", ttl=300, values=["300.1.2.3"]),
            ]
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "changes": {"1": {"record_set": {"values": ["300.1.2.3 is not an IPv4 address"]}}},
        "non_field_errors": ["change 1: bad.example.com. A: value: 300.1.2.3 is not an IPv4 address"],
        "index": ["1"],
    }
    assert not RecordSet.objects.filter(hosted_zone=zone, name="www.example.com.").exists()


def test_a_refused_batch_reports_every_problem_by_change_and_field(owner_api, zone):
    response = owner_api.post(
        f"/api/v1/zones/{zone.pk}/changes",
        {
            "changes": [
                change("CREATE", name="ok", type="A", ttl=300, values=["192.0.2.1"]),
                change("CREATE", name="bad", type="A", ttl=-1, values=["300.1.2.3"]),
                change("CREATE", name="@", type="CNAME", ttl=300, values=["web.example.net."]),
            ]
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "changes": {
            "1": {
                "record_set": {
                    "values": ["300.1.2.3 is not an IPv4 address"],
                    "ttl": ["-1 is not between 0 and 2147483647"],
                }
            },
            "2": {
                "record_set": {
                    "type": ["a CNAME record set cannot be at the zone apex; use an alias record instead"]
                }
            },
        },
        "non_field_errors": [
            "change 1: bad.example.com. A: value: 300.1.2.3 is not an IPv4 address",
            "change 1: bad.example.com. A: ttl: -1 is not between 0 and 2147483647",
            "change 2: example.com. CNAME: type: a CNAME record set cannot be at the zone apex; "
            "use an alias record instead",
        ],
        "index": ["1"],
    }
    assert not RecordSet.objects.filter(hosted_zone=zone, name="ok.example.com.").exists()


def test_every_change_that_cannot_apply_and_every_zone_rule_is_reported(owner_api, zone):
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[create("www", "A", "192.0.2.1"), create("alias", "CNAME", "web.example.net.")],
    )
    cannot_apply = owner_api.post(
        f"/api/v1/zones/{zone.pk}/changes",
        {
            "changes": [
                change("CREATE", name="www", type="A", ttl=300, values=["192.0.2.1"]),
                change("DELETE", name="gone", type="A", ttl=300, values=["192.0.2.1"]),
            ]
        },
    ).json()
    assert cannot_apply["changes"] == {
        "0": {"non_field_errors": ["www.example.com. A: the record set already exists"]},
        "1": {"non_field_errors": ["gone.example.com. A: there is no such record set"]},
    }
    zone_rules = owner_api.post(
        f"/api/v1/zones/{zone.pk}/changes",
        {
            "changes": [
                change("CREATE", name="alias", type="A", ttl=300, values=["192.0.2.2"]),
                change("CREATE", name="www", type="CNAME", ttl=300, values=["web.example.net."]),
            ]
        },
    ).json()
    assert zone_rules["non_field_errors"] == [
        "change 0: alias.example.com. A: name: a CNAME record set already exists at alias.example.com.: "
        "a name with a CNAME can hold no other record set",
        "change 1: www.example.com. CNAME: type: www.example.com. has a CNAME beside A; "
        "a CNAME must stand alone",
    ]
    assert zone_rules["changes"]["0"] == {
        "record_set": {
            "name": [
                "a CNAME record set already exists at alias.example.com.: "
                "a name with a CNAME can hold no other record set"
            ]
        }
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"changes": []}, {"changes": {"non_field_errors": ["This list may not be empty."]}}),
        (
            {"changes": [change("MOVE", name="www", type="A")]},
            {"changes": {"0": {"action": ['"MOVE" is not a valid choice.']}}},
        ),
        (
            {"changes": [change("CREATE", name="www", type="HINFO", ttl=1, values=["a b"])]},
            {"changes": {"0": {"record_set": {"type": ['"HINFO" is not a valid choice.']}}}},
        ),
    ],
)
def test_malformed_batches_are_field_errors(owner_api, zone, body, expected):
    response = owner_api.post(f"/api/v1/zones/{zone.pk}/changes", body)
    assert response.status_code == 400
    assert response.json() == expected


def test_record_sets_are_listed_a_keyset_page_at_a_time(owner_api, zone):
    services.apply_change_batch(
        hosted_zone=zone, changes=[create(f"h{i:02}", "A", "192.0.2.1") for i in range(30)]
    )
    first = owner_api.get(f"/api/v1/zones/{zone.pk}/rrsets?page_size=20").json()
    assert len(first["results"]) == 20 and first["previous"] is None
    second = owner_api.get(f"/api/v1/zones/{zone.pk}/rrsets?page_size=20&after={first['next']}").json()
    assert len(second["results"]) == 12 and second["next"] is None
    names = [rs["name"] for rs in first["results"] + second["results"]]
    assert names == sorted(names) and len(set(names)) == 32 - 1  # SOA and NS share the apex name
    only_soa = owner_api.get(f"/api/v1/zones/{zone.pk}/rrsets?type=SOA").json()["results"]
    assert [rs["is_protected"] for rs in only_soa] == [True]


def test_history_and_export(owner_api, zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    history = owner_api.get(f"/api/v1/zones/{zone.pk}/history").json()["results"]
    assert history[0]["action"] == "CREATE" and history[0]["after"]["values"] == ["192.0.2.1"]
    exported = owner_api.get(f"/api/v1/zones/{zone.pk}/export")
    assert exported.status_code == 200 and b"www.example.com. 300 IN A 192.0.2.1" in exported.content


def test_deleting_a_zone_with_records_is_refused(owner_api, zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    response = owner_api.delete(f"/api/v1/zones/{zone.pk}")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "The hosted zone example.com. still holds record sets other than SOA and NS; delete them first."
        ]
    }
    services.apply_change_batch(
        hosted_zone=zone, changes=[services.Change("DELETE", create("www", "A", "192.0.2.1").record_set)]
    )
    assert owner_api.delete(f"/api/v1/zones/{zone.pk}").status_code == 204
    assert not HostedZone.objects.filter(pk=zone.pk).exists()


def test_networks_endpoints_and_delegation_sets(owner_api):
    bad = owner_api.post("/api/v1/networks", {"name": "vpc", "cidrs": ["10.0.0.0/33"]})
    assert bad.status_code == 400 and bad.json() == {"cidrs": ["10.0.0.0/33 is not an IPv4 or IPv6 network"]}
    network = owner_api.post("/api/v1/networks", {"name": "vpc", "cidrs": ["10.0.0.0/16"]})
    assert network.status_code == 201
    updated = owner_api.patch(f"/api/v1/networks/{network.json()['id']}", {"cidrs": ["10.1.0.0/16"]})
    assert updated.json()["cidrs"] == ["10.1.0.0/16"]
    endpoint = owner_api.post("/api/v1/endpoints", {"name": "lb", "kind": "cdn", "addresses": ["192.0.2.10"]})
    assert endpoint.status_code == 201, endpoint.json()
    bad_endpoint = owner_api.post("/api/v1/endpoints", {"name": "lb2", "kind": "cdn", "addresses": ["nope"]})
    assert bad_endpoint.json() == {"addresses": ["nope is not an IPv4 or IPv6 address"]}
    delegation_set = owner_api.post("/api/v1/delegation-sets", {"caller_reference": "ds"})
    assert delegation_set.status_code == 201 and len(delegation_set.json()["name_servers"]) == 4
    zone = owner_api.post(
        "/api/v1/zones", {"name": "a.test", "delegation_set": delegation_set.json()["id"]}
    ).json()
    assert zone["name_servers"] == delegation_set.json()["name_servers"]
    refused = owner_api.delete(f"/api/v1/delegation-sets/{delegation_set.json()['id']}")
    assert refused.status_code == 400


def test_every_endpoint_hides_other_users_objects(other_api, zone, owner):
    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    network = services.save_network(owner=owner, name="vpc", cidrs=["10.0.0.0/16"])
    endpoint = services.save_endpoint(owner=owner, name="lb", kind="cdn", addresses=["192.0.2.1"])
    delegation_set = services.create_delegation_set(owner=owner)
    z = zone.pk
    assert_hidden_from(
        other_api,
        [
            ("get", f"/api/v1/zones/{z}"),
            ("patch", f"/api/v1/zones/{z}", {"comment": "x"}),
            ("delete", f"/api/v1/zones/{z}"),
            ("get", f"/api/v1/zones/{z}/rrsets"),
            ("get", f"/api/v1/zones/{z}/changes"),
            (
                "post",
                f"/api/v1/zones/{z}/changes",
                {"changes": [change("CREATE", name="x", type="A", ttl=1, values=["192.0.2.1"])]},
            ),
            ("get", f"/api/v1/zones/{z}/history"),
            ("get", f"/api/v1/zones/{z}/export"),
            ("get", f"/api/v1/changes/{batch.pk}"),
            ("get", f"/api/v1/networks/{network.pk}"),
            ("patch", f"/api/v1/networks/{network.pk}", {"name": "y"}),
            ("delete", f"/api/v1/networks/{network.pk}"),
            ("get", f"/api/v1/endpoints/{endpoint.pk}"),
            ("delete", f"/api/v1/endpoints/{endpoint.pk}"),
            ("get", f"/api/v1/delegation-sets/{delegation_set.pk}"),
            ("delete", f"/api/v1/delegation-sets/{delegation_set.pk}"),
        ],
    )
    assert other_api.get("/api/v1/zones").json()["results"] == []
    assert RecordSet.objects.filter(hosted_zone=zone).count() == 3
    assert ChangeBatch.objects.filter(hosted_zone=zone).count() == 2


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("put", "/api/v1/zones/{z}"),
        ("delete", "/api/v1/zones/{z}/changes"),
        ("post", "/api/v1/zones/{z}/rrsets"),
        ("post", "/api/v1/changes/{b}"),
        ("patch", "/api/v1/delegation-sets/{d}"),
    ],
)
def test_wrong_methods_are_refused(owner_api, zone, owner, method, url):
    batch = zone.change_batches.first()
    delegation_set = services.create_delegation_set(owner=owner)
    response = getattr(owner_api, method)(url.format(z=zone.pk, b=batch.pk, d=delegation_set.pk), {})
    assert response.status_code == 405


def test_the_api_needs_authentication(client, zone):
    assert client.get("/api/v1/zones").status_code in (401, 403)
