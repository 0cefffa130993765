"""ChangeResourceRecordSets and ListResourceRecordSets through boto3 against the live server."""

import threading
import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError
from django.db import connection, transaction

from healthchecks import services as check_services
from route53 import ids, record_sets, shapes
from route53.tests.conftest import client_for
from zones import services as zone_services
from zones.models import AuditEntry, ChangeBatch, HostedZone

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def zone_id(route53) -> str:
    return route53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]


@pytest.fixture
def health_check_id(owner) -> str:
    check = check_services.create_health_check(
        owner=owner,
        data={
            "name": "primary web",
            "check_type": "tcp",
            "ip_address": "127.0.0.1",
            "port": 9,
            "request_interval_seconds": 30,
            "failure_threshold": 3,
            "timeout_seconds": 2,
            "regions": ["us-east-1"],
        },
    )
    return ids.health_check_id(check.pk)


def a(name: str, *values: str, ttl: int = 300, **extra) -> dict:
    return {"Name": name, "Type": "A", "TTL": ttl, "ResourceRecords": [{"Value": v} for v in values], **extra}


def change(route53, zone_id: str, *changes: tuple[str, dict], comment: str = "") -> dict:
    batch = {"Changes": [{"Action": action, "ResourceRecordSet": rrset} for action, rrset in changes]}
    if comment:
        batch["Comment"] = comment
    return route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=batch)


def listed(route53, zone_id: str) -> list[dict]:
    pages = route53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id)
    return [rrset for page in pages for rrset in page["ResourceRecordSets"]]


def test_every_routing_policy_and_an_alias_round_trip(route53, zone_id, health_check_id):
    sent = [
        a("www.example.com.", "192.0.2.1", SetIdentifier="blue", Weight=70, HealthCheckId=health_check_id),
        a("www.example.com.", "192.0.2.2", SetIdentifier="green", Weight=30),
        a("lat.example.com.", "192.0.2.3", SetIdentifier="east", Region="us-east-1"),
        a(
            "app.example.com.",
            "192.0.2.4",
            SetIdentifier="primary",
            Failover="PRIMARY",
            HealthCheckId=health_check_id,
        ),
        a("app.example.com.", "192.0.2.5", SetIdentifier="secondary", Failover="SECONDARY"),
        a("geo.example.com.", "192.0.2.6", SetIdentifier="europe", GeoLocation={"ContinentCode": "EU"}),
        a(
            "geo.example.com.",
            "192.0.2.7",
            SetIdentifier="california",
            GeoLocation={"CountryCode": "US", "SubdivisionCode": "CA"},
        ),
        a("geo.example.com.", "192.0.2.8", SetIdentifier="default", GeoLocation={"CountryCode": "*"}),
        a(
            "multi.example.com.",
            "192.0.2.9",
            SetIdentifier="m1",
            MultiValueAnswer=True,
            HealthCheckId=health_check_id,
        ),
        {
            "Name": "example.com.",
            "Type": "A",
            "AliasTarget": {
                "HostedZoneId": zone_id.split("/")[-1],
                "DNSName": "lat.example.com.",
                "EvaluateTargetHealth": True,
            },
            "SetIdentifier": "apex",
            "Region": "us-east-1",
        },
    ]
    change(route53, zone_id, *[("CREATE", rrset) for rrset in sent])
    got = {(r["Name"], r["Type"], r.get("SetIdentifier")): r for r in listed(route53, zone_id)}
    for rrset in sent:
        answered = got[(rrset["Name"], rrset["Type"], rrset["SetIdentifier"])]
        expected = dict(rrset)
        if "AliasTarget" in expected:
            expected["AliasTarget"] = {**expected["AliasTarget"], "HostedZoneId": zone_id.split("/")[-1]}
        assert answered == expected


def test_certbot_s_txt_record_with_ttl_10_and_a_quoted_value(route53, zone_id):
    txt = {
        "Name": "_acme-challenge.example.com",
        "Type": "TXT",
        "TTL": 10,
        "ResourceRecords": [{"Value": '"token-123"'}],
    }
    change(route53, zone_id, ("UPSERT", txt))
    [answered] = [r for r in listed(route53, zone_id) if r["Type"] == "TXT"]
    assert answered == {**txt, "Name": "_acme-challenge.example.com."}


def test_upsert_replaces_and_delete_must_match_exactly(route53, zone_id):
    change(route53, zone_id, ("CREATE", a("www.example.com", "192.0.2.1")))
    change(route53, zone_id, ("UPSERT", a("www.example.com", "192.0.2.2")))
    assert [r["ResourceRecords"] for r in listed(route53, zone_id) if r["Type"] == "A"] == [
        [{"Value": "192.0.2.2"}]
    ]
    with pytest.raises(ClientError) as caught:
        change(route53, zone_id, ("DELETE", a("www.example.com", "192.0.2.1")))
    assert caught.value.response["Error"]["Code"] == "InvalidChangeBatch"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    change(route53, zone_id, ("DELETE", a("www.example.com", "192.0.2.2")))
    assert [r["Type"] for r in listed(route53, zone_id)] == ["NS", "SOA"]


def raw_error_body(route53, operation: str) -> list[bytes]:
    """The bodies of the answers to `operation`, as the server wrote them (botocore parses only Message)."""
    bodies: list[bytes] = []
    route53.meta.events.register(
        f"after-call.route53.{operation}", lambda http_response, **_: bodies.append(http_response.content)
    )
    return bodies


def test_invalid_change_batch_lists_every_problem_in_our_rule_words_and_changes_nothing(
    route53, zone_id, live_server, access_key
):
    unchecked = client_for(live_server.url, *access_key, parameter_validation=False)
    bodies = raw_error_body(unchecked, "ChangeResourceRecordSets")
    with pytest.raises(ClientError) as caught:
        change(
            unchecked,
            zone_id,
            ("CREATE", a("ok.example.com", "192.0.2.1")),
            ("CREATE", a("bad.example.com", "300.1.2.3", ttl=-1)),
            ("CREATE", a("worse.example.com", "192.0.2.300")),
            (
                "CREATE",
                {
                    "Name": "example.com",
                    "Type": "CNAME",
                    "TTL": 60,
                    "ResourceRecords": [{"Value": "x.example.net"}],
                },
            ),
        )
    expected = [
        "change 1: bad.example.com. A: value: 300.1.2.3 is not an IPv4 address",
        "change 1: bad.example.com. A: ttl: -1 is not between 0 and 2147483647",
        "change 2: worse.example.com. A: value: 192.0.2.300 is not an IPv4 address",
        "change 3: example.com. CNAME: type: a CNAME record set cannot be at the zone apex; "
        "use an alias record instead",
    ]
    assert caught.value.response["Error"]["Code"] == "InvalidChangeBatch"
    assert caught.value.response["Error"]["Message"] == "[" + ", ".join(expected) + "]"
    messages = ET.fromstring(bodies[-1]).findall(
        f"{{{shapes.ROUTE53_NAMESPACE}}}Error/{{{shapes.ROUTE53_NAMESPACE}}}Messages/"
    )
    assert [message.text for message in messages] == expected
    assert [r["Type"] for r in listed(route53, zone_id)] == ["NS", "SOA"]


def test_invalid_change_batch_lists_every_change_that_cannot_apply_and_the_zone_rules(route53, zone_id):
    change(
        route53,
        zone_id,
        ("CREATE", a("www.example.com", "192.0.2.1")),
        (
            "CREATE",
            {
                "Name": "web.example.com",
                "Type": "CNAME",
                "TTL": 60,
                "ResourceRecords": [{"Value": "x.example.net"}],
            },
        ),
    )
    with pytest.raises(ClientError) as caught:
        change(
            route53,
            zone_id,
            ("CREATE", a("www.example.com", "192.0.2.1")),
            ("DELETE", a("www.example.com", "192.0.2.1", ttl=60)),
        )
    assert caught.value.response["Error"]["Message"] == (
        "[change 0: www.example.com. A: the record set already exists, "
        "change 1: www.example.com. A: does not match the record set to delete (ttl 60 is not 300)]"
    )
    with pytest.raises(ClientError) as caught:
        change(route53, zone_id, ("CREATE", a("web.example.com", "192.0.2.2")))
    assert caught.value.response["Error"]["Message"] == (
        "[change 0: web.example.com. A: name: a CNAME record set already exists at web.example.com.: "
        "a name with a CNAME can hold no other record set]"
    )


def test_a_change_batch_is_applied_in_order(route53, zone_id):
    change(
        route53,
        zone_id,
        ("CREATE", a("www.example.com", "192.0.2.1")),
        ("DELETE", a("www.example.com", "192.0.2.1")),
        ("CREATE", a("www.example.com", "192.0.2.9")),
    )
    assert [r["ResourceRecords"] for r in listed(route53, zone_id) if r["Type"] == "A"] == [
        [{"Value": "192.0.2.9"}]
    ]


def test_a_thousand_changes_are_one_batch_and_a_thousand_and_one_are_refused(route53, zone_id):
    changes = [("CREATE", a(f"h{n}.example.com", "192.0.2.1")) for n in range(1000)]
    info = change(route53, zone_id, *changes, comment="bulk")["ChangeInfo"]
    assert info["Comment"] == "bulk" and info["Id"].startswith("/change/C")
    assert route53.get_hosted_zone(Id=zone_id)["HostedZone"]["ResourceRecordSetCount"] == 1002
    with pytest.raises(ClientError) as caught:
        change(route53, zone_id, *[("CREATE", a(f"x{n}.example.com", "192.0.2.1")) for n in range(1001)])
    assert "at most 1000 changes" in caught.value.response["Error"]["Message"]


def test_a_wildcard_is_written_as_octal_052_and_read_either_way(route53, zone_id):
    change(route53, zone_id, ("CREATE", a("*.example.com", "192.0.2.1")))
    [wildcard] = [r for r in listed(route53, zone_id) if r["Type"] == "A"]
    assert wildcard["Name"] == "\\052.example.com."
    change(route53, zone_id, ("DELETE", a("\\052.example.com.", "192.0.2.1")))


def test_1500_record_sets_page_in_aws_order_by_paginator_and_by_hand(route53, zone_id):
    names = [f"r{n:04d}.example.com." for n in range(1500)]
    for start in range(0, 1500, 1000):
        change(route53, zone_id, *[("CREATE", a(name, "192.0.2.1")) for name in names[start : start + 1000]])
    expected = ["example.com.", "example.com.", *names]
    by_paginator = listed(route53, zone_id)
    assert [r["Name"] for r in by_paginator] == expected
    assert [r["Type"] for r in by_paginator[:2]] == ["NS", "SOA"]
    by_hand, position, pages = [], {}, 0
    while True:
        page = route53.list_resource_record_sets(HostedZoneId=zone_id, MaxItems="1000", **position)
        assert len(page["ResourceRecordSets"]) <= 300 and page["MaxItems"] == "300"
        by_hand += page["ResourceRecordSets"]
        pages += 1
        if not page["IsTruncated"]:
            break
        position = {"StartRecordName": page["NextRecordName"], "StartRecordType": page["NextRecordType"]}
    assert pages == 6
    assert by_hand == by_paginator


def test_the_position_is_a_place_in_the_order_with_the_set_identifier(route53, zone_id):
    change(
        route53,
        zone_id,
        *[("CREATE", a("w.example.com", f"192.0.2.{n}", SetIdentifier=f"s{n}", Weight=1)) for n in range(3)],
    )
    page = route53.list_resource_record_sets(
        HostedZoneId=zone_id, StartRecordName="w.example.com", StartRecordType="A", MaxItems="1"
    )
    assert page["ResourceRecordSets"][0]["SetIdentifier"] == "s0"
    assert (page["NextRecordName"], page["NextRecordType"], page["NextRecordIdentifier"]) == (
        "w.example.com.",
        "A",
        "s1",
    )
    page = route53.list_resource_record_sets(
        HostedZoneId=zone_id, StartRecordName="w.example.com", StartRecordType="A", StartRecordIdentifier="s1"
    )
    assert [r["SetIdentifier"] for r in page["ResourceRecordSets"]] == ["s1", "s2"]
    page = route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordName="m.example.com")
    assert page["ResourceRecordSets"][0]["Name"] == "w.example.com."


def test_a_type_without_a_name_is_invalid_input(route53, zone_id):
    with pytest.raises(ClientError) as caught:
        route53.list_resource_record_sets(HostedZoneId=zone_id, StartRecordType="A")
    assert caught.value.response["Error"]["Code"] == "InvalidInput"


def test_get_change_reads_the_batch_status(route53, zone_id):
    info = change(route53, zone_id, ("CREATE", a("www.example.com", "192.0.2.1")))["ChangeInfo"]
    again = route53.get_change(Id=info["Id"])["ChangeInfo"]
    assert again["Id"] == info["Id"] and again["Status"] in {"PENDING", "INSYNC"}


def test_an_alias_to_one_of_our_endpoints_round_trips(route53, zone_id, owner):
    endpoint = zone_services.save_endpoint(
        owner=owner, name="lb", kind="load_balancer", addresses=["192.0.2.80"]
    )
    alias = {
        "Name": "lb.example.com.",
        "Type": "A",
        "AliasTarget": {
            "HostedZoneId": record_sets.ENDPOINT_ALIAS_ZONE_ID,
            "DNSName": f"{endpoint.pk}.endpoint.",
            "EvaluateTargetHealth": False,
        },
    }
    change(route53, zone_id, ("CREATE", alias))
    assert [r for r in listed(route53, zone_id) if r["Name"] == "lb.example.com."] == [alias]
    with pytest.raises(ClientError) as caught:
        change(
            route53,
            zone_id,
            (
                "CREATE",
                {
                    **alias,
                    "Name": "x.example.com.",
                    "AliasTarget": {**alias["AliasTarget"], "DNSName": "999.endpoint."},
                },
            ),
        )
    assert caught.value.response["Error"]["Code"] == "InvalidInput"


def test_changes_made_here_are_audited_with_the_source_route53(route53, zone_id, owner):
    info = change(route53, zone_id, ("CREATE", a("www.example.com", "192.0.2.1")))["ChangeInfo"]
    batch = ChangeBatch.objects.get(pk=ids.parse_id("C", info["Id"]))
    assert batch.source == "route53" and batch.get_source_display() == "Route 53 API"
    assert batch.actor == owner
    entry = AuditEntry.objects.get(change_batch=batch)
    assert (entry.source, entry.action, entry.name) == ("route53", "CREATE", "www.example.com.")
    created = ChangeBatch.objects.filter(hosted_zone_id=batch.hosted_zone_id).order_by("pk").first()
    assert created.source == "route53" and created.comment == "hosted zone created"


def test_a_batch_for_a_zone_another_writer_has_locked_is_prior_request_not_complete(route53, zone_id):
    """botocore retries PriorRequestNotComplete; this client makes one attempt, so it sees the error."""
    zone_pk = ids.parse_id("Z", zone_id)
    locked, release = threading.Event(), threading.Event()

    def hold_the_zone() -> None:
        try:
            with transaction.atomic():
                HostedZone.objects.select_for_update().get(pk=zone_pk)
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_zone)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with pytest.raises(ClientError) as caught:
            change(route53, zone_id, ("CREATE", a("www.example.com", "192.0.2.1")))
    finally:
        release.set()
        holder.join()
    assert caught.value.response["Error"]["Code"] == "PriorRequestNotComplete"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert [r["Type"] for r in listed(route53, zone_id)] == ["NS", "SOA"]
    change(route53, zone_id, ("CREATE", a("www.example.com", "192.0.2.1")))
    assert [r["Type"] for r in listed(route53, zone_id)] == ["NS", "SOA", "A"]
