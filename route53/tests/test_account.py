"""Reusable delegation sets, limits, geography and TestDNSAnswer through boto3."""

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reusable_delegation_set_serves_a_new_zone_and_is_deleted_when_unused(route53):
    created = route53.create_reusable_delegation_set(CallerReference="ds-1")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    delegation_set = created["DelegationSet"]
    assert delegation_set["Id"].startswith("/delegationset/N") and len(delegation_set["NameServers"]) == 4
    assert route53.get_reusable_delegation_set(Id=delegation_set["Id"])["DelegationSet"] == delegation_set
    assert route53.list_reusable_delegation_sets()["DelegationSets"] == [delegation_set]
    zone = route53.create_hosted_zone(
        Name="example.com", CallerReference="z", DelegationSetId=delegation_set["Id"]
    )
    assert zone["DelegationSet"]["NameServers"] == delegation_set["NameServers"]
    limit = route53.get_reusable_delegation_set_limit(
        DelegationSetId=delegation_set["Id"], Type="MAX_ZONES_BY_REUSABLE_DELEGATION_SET"
    )
    assert limit["Count"] == 1
    with pytest.raises(ClientError) as caught:
        route53.delete_reusable_delegation_set(Id=delegation_set["Id"])
    assert caught.value.response["Error"]["Code"] == "DelegationSetInUse"
    route53.delete_hosted_zone(Id=zone["HostedZone"]["Id"])
    route53.delete_reusable_delegation_set(Id=delegation_set["Id"])
    assert route53.list_reusable_delegation_sets()["DelegationSets"] == []


def test_limits_count_what_the_account_has(route53):
    zone_id = route53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]
    answer = route53.get_account_limit(Type="MAX_HOSTED_ZONES_BY_OWNER")
    assert answer["Limit"] == {"Type": "MAX_HOSTED_ZONES_BY_OWNER", "Value": 500} and answer["Count"] == 1
    answer = route53.get_hosted_zone_limit(HostedZoneId=zone_id, Type="MAX_RRSETS_BY_ZONE")
    assert answer["Count"] == 2
    with pytest.raises(ClientError) as caught:
        route53.get_hosted_zone_limit(HostedZoneId=zone_id, Type="MAX_VPCS_ASSOCIATED_BY_ZONE")
    assert caught.value.response["Error"]["Code"] == "HostedZoneNotPrivate"


def test_geo_locations_are_route53_s_and_page_by_position(route53):
    assert route53.get_geo_location(ContinentCode="EU")["GeoLocationDetails"] == {
        "ContinentCode": "EU",
        "ContinentName": "Europe",
    }
    california = route53.get_geo_location(CountryCode="US", SubdivisionCode="CA")["GeoLocationDetails"]
    assert california["SubdivisionName"] == "California"
    with pytest.raises(ClientError) as caught:
        route53.get_geo_location(CountryCode="QQ")
    assert caught.value.response["Error"]["Code"] == "NoSuchGeoLocation"
    first = route53.list_geo_locations(MaxItems="8")
    assert [item.get("ContinentCode") for item in first["GeoLocationDetailsList"][:7]] == sorted(
        ["AF", "AN", "AS", "EU", "NA", "OC", "SA"]
    )
    assert first["GeoLocationDetailsList"][7]["CountryCode"] == "*"
    second = route53.list_geo_locations(StartCountryCode=first["NextCountryCode"], MaxItems="1")
    assert second["GeoLocationDetailsList"][0]["CountryCode"] == first["NextCountryCode"]


def test_test_dns_answer_answers_from_our_engine(route53):
    zone_id = route53.create_hosted_zone(Name="example.com", CallerReference="z")["HostedZone"]["Id"]
    rrsets = [
        {
            "Name": "www.example.com",
            "Type": "A",
            "TTL": 60,
            "SetIdentifier": name,
            "GeoLocation": location,
            "ResourceRecords": [{"Value": address}],
        }
        for name, location, address in (
            ("europe", {"ContinentCode": "EU"}, "192.0.2.1"),
            ("default", {"CountryCode": "*"}, "192.0.2.2"),
        )
    ]
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": rrset} for rrset in rrsets]},
    )
    answer = route53.test_dns_answer(HostedZoneId=zone_id, RecordName="www.example.com", RecordType="A")
    assert (answer["ResponseCode"], answer["RecordData"]) == ("NOERROR", ["192.0.2.2"])
    answer = route53.test_dns_answer(
        HostedZoneId=zone_id,
        RecordName="www.example.com",
        RecordType="A",
        EDNS0ClientSubnetIP="81.2.69.0",
        EDNS0ClientSubnetMask="24",
    )
    assert answer["RecordData"] == ["192.0.2.1"]
    missing = route53.test_dns_answer(HostedZoneId=zone_id, RecordName="nope.example.com", RecordType="A")
    assert missing["ResponseCode"] == "NXDOMAIN"
