"""The demo loader: every routing policy and an apex alias, and safe to run again."""

from zones import demo
from zones.models import HostedZone, RecordSet


def test_demo_zones_hold_every_policy_and_an_apex_alias(owner):
    zones = demo.load_demo_zones(owner)
    assert [zone.name for zone in zones] == ["nameplate-demo.com."]
    records = RecordSet.objects.filter(hosted_zone=zones[0])
    assert set(records.values_list("policy", flat=True)) == {
        "simple",
        "weighted",
        "latency",
        "failover",
        "geolocation",
        "multivalue",
    }
    apex = records.get(name="nameplate-demo.com.", type="A")
    assert apex.alias_target_name == "www.nameplate-demo.com."
    assert records.filter(alias_endpoint__isnull=False).count() == 1
    count = records.count()
    demo.load_demo_zones(owner)
    assert RecordSet.objects.filter(hosted_zone=zones[0]).count() == count
    assert HostedZone.objects.filter(owner=owner).count() == 1


def test_demo_records_go_into_the_zones_given(owner, zone):
    demo.load_demo_zones(owner, [zone])
    assert (
        RecordSet.objects.filter(hosted_zone=zone, name="example.com.", type="A").get().alias_target_name
        == "www.example.com."
    )
