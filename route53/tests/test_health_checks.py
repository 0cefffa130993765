"""Health checks and tags through boto3 against the live server."""

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.django_db(transaction=True)

CONFIG = {
    "Type": "HTTP",
    "IPAddress": "127.0.0.1",
    "Port": 8081,
    "ResourcePath": "/health",
    "RequestInterval": 30,
    "FailureThreshold": 3,
}


def test_create_get_list_update_delete_a_health_check(route53):
    created = route53.create_health_check(CallerReference="hc-1", HealthCheckConfig=CONFIG)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    check = created["HealthCheck"]
    assert {key: check["HealthCheckConfig"][key] for key in CONFIG} == CONFIG
    assert check["CallerReference"] == "hc-1" and len(check["Id"]) == 36
    again = route53.create_health_check(CallerReference="hc-1", HealthCheckConfig=CONFIG)["HealthCheck"]
    assert again["Id"] == check["Id"]
    assert route53.get_health_check_count()["HealthCheckCount"] == 1
    assert [c["Id"] for c in route53.list_health_checks()["HealthChecks"]] == [check["Id"]]
    updated = route53.update_health_check(
        HealthCheckId=check["Id"], ResourcePath="/ready", FailureThreshold=5
    )
    assert updated["HealthCheck"]["HealthCheckConfig"]["ResourcePath"] == "/ready"
    assert updated["HealthCheck"]["HealthCheckVersion"] == 2
    assert (
        route53.get_health_check(HealthCheckId=check["Id"])["HealthCheck"]["HealthCheckConfig"][
            "FailureThreshold"
        ]
        == 5
    )
    observations = route53.get_health_check_status(HealthCheckId=check["Id"])["HealthCheckObservations"]
    assert {o["Region"] for o in observations} == set(check["HealthCheckConfig"]["Regions"])
    route53.delete_health_check(HealthCheckId=check["Id"])
    with pytest.raises(ClientError) as caught:
        route53.get_health_check(HealthCheckId=check["Id"])
    assert caught.value.response["Error"]["Code"] == "NoSuchHealthCheck"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_bad_settings_are_invalid_input_with_our_rule_words(route53):
    with pytest.raises(ClientError) as caught:
        route53.create_health_check(
            CallerReference="bad", HealthCheckConfig={**CONFIG, "FailureThreshold": 99}
        )
    assert caught.value.response["Error"]["Code"] == "InvalidInput"
    assert "failure" in caught.value.response["Error"]["Message"].lower()


def test_a_health_check_in_use_cannot_be_deleted(route53):
    check_id = route53.create_health_check(CallerReference="hc", HealthCheckConfig=CONFIG)["HealthCheck"][
        "Id"
    ]
    zone_id = route53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]
    rrset = {
        "Name": "www.example.com",
        "Type": "A",
        "TTL": 60,
        "SetIdentifier": "a",
        "Weight": 1,
        "HealthCheckId": check_id,
        "ResourceRecords": [{"Value": "192.0.2.1"}],
    }
    route53.change_resource_record_sets(
        HostedZoneId=zone_id, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": rrset}]}
    )
    with pytest.raises(ClientError) as caught:
        route53.delete_health_check(HealthCheckId=check_id)
    assert caught.value.response["Error"]["Code"] == "HealthCheckInUse"


def test_another_account_s_health_check_is_no_such_health_check(route53, other_route53):
    check_id = route53.create_health_check(CallerReference="hc", HealthCheckConfig=CONFIG)["HealthCheck"][
        "Id"
    ]
    with pytest.raises(ClientError) as caught:
        other_route53.get_health_check(HealthCheckId=check_id)
    assert caught.value.response["Error"]["Code"] == "NoSuchHealthCheck"
    assert other_route53.list_health_checks()["HealthChecks"] == []


def test_tags_of_zones_and_health_checks(route53):
    zone_id = route53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]
    check_id = route53.create_health_check(CallerReference="hc", HealthCheckConfig=CONFIG)["HealthCheck"][
        "Id"
    ]
    bare_zone = zone_id.split("/")[-1]
    for kind, resource in (("hostedzone", bare_zone), ("healthcheck", check_id)):
        route53.change_tags_for_resource(
            ResourceType=kind,
            ResourceId=resource,
            AddTags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "dns"}],
        )
        route53.change_tags_for_resource(ResourceType=kind, ResourceId=resource, RemoveTagKeys=["team"])
        tag_set = route53.list_tags_for_resource(ResourceType=kind, ResourceId=resource)["ResourceTagSet"]
        assert tag_set == {
            "ResourceType": kind,
            "ResourceId": resource,
            "Tags": [{"Key": "env", "Value": "prod"}],
        }
    sets = route53.list_tags_for_resources(ResourceType="hostedzone", ResourceIds=[bare_zone])[
        "ResourceTagSets"
    ]
    assert sets[0]["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_checker_ip_ranges(route53):
    assert route53.get_checker_ip_ranges()["CheckerIpRanges"] == ["127.0.0.0/8"]
