"""Hosted zones through boto3 against the live server."""

import pytest
from botocore.exceptions import ClientError

from route53 import operations, shapes

pytestmark = pytest.mark.django_db(transaction=True)


def _create(route53, name="example.com", reference="ref-1", **extra):
    return route53.create_hosted_zone(Name=name, CallerReference=reference, **extra)


def test_create_hosted_zone_answers_201_with_its_four_name_servers(route53):
    answer = _create(route53, HostedZoneConfig={"Comment": "my zone"})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 201
    zone = answer["HostedZone"]
    assert zone["Name"] == "example.com."
    assert zone["Id"].startswith("/hostedzone/Z")
    assert zone["Config"] == {"Comment": "my zone", "PrivateZone": False}
    assert zone["ResourceRecordSetCount"] == 2
    assert len(answer["DelegationSet"]["NameServers"]) == 4
    assert answer["ChangeInfo"]["Status"] in {"PENDING", "INSYNC"}
    assert answer["Location"].endswith(zone["Id"].split("/")[-1])
    assert answer["ResponseMetadata"]["RequestId"]


def test_the_same_caller_reference_is_hosted_zone_already_exists(route53):
    _create(route53)
    with pytest.raises(ClientError) as caught:
        _create(route53)
    assert caught.value.response["Error"]["Code"] == "HostedZoneAlreadyExists"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert route53.get_hosted_zone_count()["HostedZoneCount"] == 1


def test_a_bad_name_is_invalid_domain_name(route53):
    with pytest.raises(ClientError) as caught:
        _create(route53, name="com")
    assert caught.value.response["Error"]["Code"] == "InvalidDomainName"
    assert "top-level domain" in caught.value.response["Error"]["Message"]


def test_get_hosted_zone_accepts_the_id_with_or_without_its_prefix(route53):
    zone_id = _create(route53)["HostedZone"]["Id"]
    for given in (zone_id, zone_id.split("/")[-1]):
        answer = route53.get_hosted_zone(Id=given)
        assert answer["HostedZone"]["Id"] == zone_id
        assert len(answer["DelegationSet"]["NameServers"]) == 4


def test_another_account_s_zone_is_no_such_hosted_zone(route53, other_route53):
    zone_id = _create(route53)["HostedZone"]["Id"]
    for call in (
        lambda: other_route53.get_hosted_zone(Id=zone_id),
        lambda: other_route53.delete_hosted_zone(Id=zone_id),
        lambda: other_route53.list_resource_record_sets(HostedZoneId=zone_id),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "NoSuchHostedZone"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert other_route53.list_hosted_zones()["HostedZones"] == []


def test_list_hosted_zones_pages_with_marker_and_every_zone_says_whether_it_is_private(route53):
    for n in range(5):
        _create(route53, name=f"zone{n}.example", reference=f"r{n}")
    paginator = route53.get_paginator("list_hosted_zones")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["HostedZones"]) for page in pages] == [2, 2, 1]
    zones = [zone for page in pages for zone in page["HostedZones"]]
    assert [zone["Name"] for zone in zones] == [f"zone{n}.example." for n in range(5)]
    assert all(zone["Config"]["PrivateZone"] is False for zone in zones)


def test_list_hosted_zones_by_name_orders_by_reversed_labels_and_finds_the_exact_zone(route53):
    for n, name in enumerate(["www.example.com", "example.org", "example.com", "a.example.com"]):
        _create(route53, name=name, reference=f"r{n}")
    names = [zone["Name"] for zone in route53.list_hosted_zones_by_name()["HostedZones"]]
    assert names == ["example.com.", "a.example.com.", "www.example.com.", "example.org."]
    answer = route53.list_hosted_zones_by_name(DNSName="www.example.com", MaxItems="1")
    assert [zone["Name"] for zone in answer["HostedZones"]] == ["www.example.com."]
    assert answer["IsTruncated"] is True
    assert answer["NextDNSName"] == "example.org."


def test_update_hosted_zone_comment(route53):
    zone_id = _create(route53)["HostedZone"]["Id"]
    answer = route53.update_hosted_zone_comment(Id=zone_id, Comment="new words")
    assert answer["HostedZone"]["Config"]["Comment"] == "new words"
    assert route53.get_hosted_zone(Id=zone_id)["HostedZone"]["Config"]["Comment"] == "new words"


def test_delete_hosted_zone_refuses_a_zone_with_records_then_deletes_it(route53):
    zone_id = _create(route53)["HostedZone"]["Id"]
    change = {
        "Action": "CREATE",
        "ResourceRecordSet": {
            "Name": "www.example.com",
            "Type": "A",
            "TTL": 60,
            "ResourceRecords": [{"Value": "192.0.2.1"}],
        },
    }
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [change]})
    with pytest.raises(ClientError) as caught:
        route53.delete_hosted_zone(Id=zone_id)
    assert caught.value.response["Error"]["Code"] == "HostedZoneNotEmpty"
    change["Action"] = "DELETE"
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [change]})
    assert route53.delete_hosted_zone(Id=zone_id)["ChangeInfo"]["Status"] == "INSYNC"
    assert route53.get_hosted_zone_count()["HostedZoneCount"] == 0


def test_get_change_of_an_unknown_id_is_no_such_change(route53):
    with pytest.raises(ClientError) as caught:
        route53.get_change(Id="C0000000000ZZZ")
    assert caught.value.response["Error"]["Code"] == "NoSuchChange"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_an_operation_not_served_is_invalid_action(route53):
    with pytest.raises(ClientError) as caught:
        route53.list_traffic_policies()
    assert caught.value.response["Error"]["Code"] == "InvalidAction"
    assert "traffic policies" in caught.value.response["Error"]["Message"]


def test_every_operation_of_the_model_is_served_or_refused_with_a_reason():
    model = shapes.service_model("route53")
    for name in model.operation_names:
        assert name in operations.SERVED or operations.refusal_reason(name) != "not served yet", name
    assert set(operations.SERVED) <= set(model.operation_names)


def test_a_name_with_no_free_name_servers_left_is_delegation_set_not_available(route53, settings):
    # One host under each of the four domains: a second zone of the name cannot get four of its own.
    settings.DNS_NAMESERVER_ADDRESSES = [f"127.0.53.{n}" for n in range(10, 14)]
    _create(route53, reference="first")
    with pytest.raises(ClientError) as caught:
        _create(route53, reference="second")
    assert caught.value.response["Error"]["Code"] == "DelegationSetNotAvailable"
    assert "cannot get four name servers of its own" in caught.value.response["Error"]["Message"]
    assert route53.get_hosted_zone_count()["HostedZoneCount"] == 1


def test_a_delegation_set_already_serving_the_name_is_conflicting_domain_exists(route53):
    set_id = route53.create_reusable_delegation_set(CallerReference="shared")["DelegationSet"]["Id"]
    _create(route53, reference="first", DelegationSetId=set_id)
    _create(route53, name="example.org", reference="other", DelegationSetId=set_id)
    for name in ("example.com", "www.example.com"):
        with pytest.raises(ClientError) as caught:
            _create(route53, name=name, reference=f"again-{name}", DelegationSetId=set_id)
        assert caught.value.response["Error"]["Code"] == "ConflictingDomainExists"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert route53.get_hosted_zone_count()["HostedZoneCount"] == 2


def test_only_a_bad_name_is_invalid_domain_name(route53):
    for name, words in (
        ("com", "top-level domain"),
        ("*.example.com", "no wildcard"),
        ("a..b.com", "not a domain"),
    ):
        with pytest.raises(ClientError) as caught:
            _create(route53, name=name, reference=name)
        assert caught.value.response["Error"]["Code"] == "InvalidDomainName"
        assert words in caught.value.response["Error"]["Message"]
