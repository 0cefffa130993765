"""Zone files in words: refusals that name the entry's line and the reason, the plain BIND export
that any server loads (NSD's checker here), and the import page's plan-show-apply step."""

import subprocess

import dns.zone
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from healthchecks import services as check_services
from kernel import bus
from kernel.testing import debian_program
from zones import importexport, services
from zones.models import ImportJob, RecordSet
from zones.tests.conftest import create

HEAD = "$ORIGIN alicebakery.com.\n$TTL 300\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + "www IN A 192.0.2.1\napi IN A 300.1.2.3\nmail IN A 192.0.2.2\n",
            "line 4: 300.1.2.3 is not an IPv4 address",
        ),
        (HEAD + "www IN A 192.0.2.1\napi IN A 300.1.2.3\n", "line 4: 300.1.2.3 is not an IPv4 address"),
        (HEAD + "v6 IN AAAA 192.0.2.1\n", "line 3: 192.0.2.1 is not an IPv6 address"),
        (HEAD + "www IN FOO 192.0.2.1\n", "line 3: FOO is not a record type we support"),
        (HEAD + '@ IN TXT ( "one"\n  "two" )\napi IN A 1.2.3\n', "line 5: 1.2.3 is not an IPv4 address"),
        (HEAD + "@ IN MX mail\n", "line 3: mail is not a valid MX value (expecting an integer)"),
        (HEAD + "@ IN A\n", "line 3: the A record has no value"),
        (
            "$ORIGIN bakery.example.\n@ 3600 IN SOA ns1 host 1 7200 900 1209600 300\n"
            "@ IN NS ns1\nwww IN A 192.0.2.1\n",
            "line 2: these records are outside alicebakery.com: bakery.example., www.bakery.example. "
            "(is the file for another zone?)",
        ),
    ],
)
def test_a_refused_file_names_the_entrys_line_and_the_reason(text, message):
    with pytest.raises(services.ZoneFileError) as caught:
        importexport.read_zone_file(text, "alicebakery.com.")
    assert caught.value.message == message
    assert caught.value.field == "file"


def test_an_annotation_for_another_zone_is_refused_too():
    text = HEAD + ';@nameplate {"name":"www.bakery.example.","type":"A","ttl":60,"values":["192.0.2.1"]}\n'
    with pytest.raises(services.ZoneFileError, match=r"line 3: these records are outside alicebakery\.com"):
        importexport.read_zone_file(text, "alicebakery.com.")


def test_the_import_page_shows_the_reason_beside_the_file_field(owner_client, owner):
    zone = services.create_hosted_zone(owner=owner, name="alicebakery.com")
    upload = SimpleUploadedFile("z.zone", (HEAD + "www IN A 192.0.2.1\napi IN A 300.1.2.3\n").encode())
    response = owner_client.post(f"/zones/{zone.pk}/import/", {"file": upload})
    job = ImportJob.objects.get(hosted_zone=zone)
    page = owner_client.get(response["Location"]).content.decode()
    assert job.error == "line 4: 300.1.2.3 is not an IPv4 address"
    assert "line 4: 300.1.2.3 is not an IPv4 address" in page
    assert "malformed" not in page


# ---- the plain export ----------------------------------------------------------------------------


@pytest.fixture
def routed_zone(zone, owner):
    check = services_health_check(owner)
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create("plain", "A", "192.0.2.50"),
            create("www", "A", "192.0.2.1", policy="weighted", set_identifier="blue", weight=100),
            create("www", "A", "192.0.2.2", policy="weighted", set_identifier="green", weight=0),
            create("@", "A", alias_target_name="www", ttl=None),
            create(
                "app",
                "A",
                "192.0.2.30",
                policy="failover",
                set_identifier="primary",
                failover="PRIMARY",
                health_check_id=check.pk,
            ),
            create(
                "app", "A", "192.0.2.31", policy="failover", set_identifier="secondary", failover="SECONDARY"
            ),
        ],
    )
    return zone, check


def services_health_check(owner):
    return check_services.create_health_check(
        owner=owner,
        data={
            "name": "primary",
            "check_type": "tcp",
            "ip_address": "127.0.0.1",
            "port": 9,
            "request_interval_seconds": 30,
            "failure_threshold": 3,
            "timeout_seconds": 2,
            "regions": ["us-east-1"],
        },
    )


def answers(text: str, name: str, rtype: str = "A") -> set[str]:
    parsed = dns.zone.from_text(text, origin="example.com.", relativize=False)
    rdataset = parsed.get_rdataset(name, rtype)
    return {rdata.to_text() for rdata in rdataset} if rdataset else set()


def test_the_plain_export_loads_in_nsd_with_policies_and_aliases_as_their_answers(routed_zone, tmp_path):
    zone, check = routed_zone
    checker = debian_program("nsd-checkzone", "nsd")
    bus.redis_client().hset(bus.HEALTH_STATUS_KEY, str(check.pk), "0")  # the primary is down
    try:
        text = importexport.export_plain_zone(zone)
    finally:
        bus.redis_client().hdel(bus.HEALTH_STATUS_KEY, str(check.pk))
    assert ";@nameplate" not in text
    path = tmp_path / "example.com.zone"
    path.write_text(text)
    result = subprocess.run(
        [checker, "-p", "example.com", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr + text
    served = result.stdout
    assert answers(served, "plain.example.com.") == {"192.0.2.50"}
    assert answers(served, "www.example.com.") == {"192.0.2.1"}  # weight 100 against 0
    assert answers(served, "example.com.") == {"192.0.2.1"}  # the alias, as www's answer
    assert answers(served, "app.example.com.") == {"192.0.2.31"}  # the primary is unhealthy
    assert (
        "; www.example.com. A: weighted routing over 2 record sets, written as the answer given now" in text
    )
    assert "; example.com. A: alias to www.example.com., written as the answer given now" in text


def test_the_export_view_offers_both_formats(owner_client, routed_zone):
    zone, _check = routed_zone
    round_trip = owner_client.get(f"/zones/{zone.pk}/export/")
    plain = owner_client.get(f"/zones/{zone.pk}/export/?format=plain")
    assert ";@nameplate" in round_trip.content.decode()
    assert ";@nameplate" not in plain.content.decode()
    assert plain["Content-Disposition"] == 'attachment; filename="example.com.plain.zone"'
    assert owner_client.post(f"/zones/{zone.pk}/export/").status_code == 405


def test_another_account_cannot_export_your_zone(other_client, zone):
    assert other_client.get(f"/zones/{zone.pk}/export/?format=plain").status_code == 404


# ---- the import page -----------------------------------------------------------------------------


def upload(owner_client, zone, text: str, *, replace: bool = False):
    data = {"file": SimpleUploadedFile("z.zone", text.encode())}
    if replace:
        data["replace"] = "on"
    response = owner_client.post(f"/zones/{zone.pk}/import/", data)
    return response["Location"]


def test_apply_is_disabled_when_the_file_changes_nothing(owner_client, zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    url = upload(owner_client, zone, "$ORIGIN example.com.\nwww 300 IN A 192.0.2.1\n")
    page = owner_client.get(url).content.decode()
    assert '<button type="submit" disabled>Apply as one change batch</button>' in page
    batches = zone.change_batches.count()
    owner_client.post(url)
    assert zone.change_batches.count() == batches


def test_an_import_deleting_most_of_the_zone_needs_the_confirmation_box(owner_client, zone):
    services.apply_change_batch(
        hosted_zone=zone, changes=[create(f"h{i}", "A", "192.0.2.1") for i in range(4)]
    )
    url = upload(owner_client, zone, "$ORIGIN example.com.\nnew 300 IN A 192.0.2.9\n", replace=True)
    preview = owner_client.get(url)
    assert preview.context["needs_confirmation"] and preview.context["deletes"] == 4
    unconfirmed = owner_client.post(url)
    assert "Tick the box to confirm the deletions." in unconfirmed.content.decode()
    assert RecordSet.objects.filter(hosted_zone=zone, is_protected=False).count() == 4
    owner_client.post(url, {"confirm_deletes": "1"})
    assert [rs.name for rs in RecordSet.objects.filter(hosted_zone=zone, is_protected=False)] == [
        "new.example.com."
    ]
