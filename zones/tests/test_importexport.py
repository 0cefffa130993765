"""Zone files: import, export, the round trip, and the importzone/exportzone commands."""

import io
import json
import subprocess
from datetime import timedelta
from pathlib import Path

import dns.name
import dns.rdataclass
import dns.zone
import pytest
from django.core.management import CommandError, call_command
from django.db.models import QuerySet
from django.utils import timezone

from healthchecks.models import HealthCheck
from kernel.testing import debian_program
from zones import import_jobs, importexport, services
from zones.models import ChangeBatch, HostedZone, ImportJob, RecordSet
from zones.tests.conftest import create

ZONE_FILE = """
$ORIGIN example.com.
$TTL 3600
@       IN SOA  ns1.old-provider.net. admin.example.com. 2024 7200 900 1209600 300
@       IN NS   ns1.old-provider.net.
@       IN NS   ns2.old-provider.net.
@       IN MX   10 mail
@       IN MX   20 mx.example.net.
@       IN TXT  "v=spf1 include:_spf.example.net -all"
@       IN CAA  0 issue "letsencrypt.org"
www     300 IN A     192.0.2.1
www     300 IN A     192.0.2.2
www     IN AAAA  2001:db8::1
mail    IN A     192.0.2.25
ftp     IN CNAME www
*.dev   IN A     192.0.2.99
_sip._tcp IN SRV 0 5 5060 sip
sip     IN A     192.0.2.60
sub     IN NS    ns.sub
sub     IN DS    12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns.sub  IN A     192.0.2.53
ptr     IN PTR   www.example.com.
naptr   IN NAPTR 100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .
sshfp   IN SSHFP 4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
_443._tcp IN TLSA 3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
svc     IN SVCB  1 www alpn="h2"
https   IN HTTPS 1 . alpn="h2,h3"
spf     IN SPF   "v=spf1 -all"
long    IN TXT   ( "part one"
                   "part two" )
"""


def dns_data(text: str, origin: str, *, skip_apex_soa_ns: bool = True) -> set[tuple]:
    """A zone file as a set of (name, ttl, type, rdata text), read by dnspython."""
    zone = dns.zone.from_text(text, origin=origin, relativize=False, check_origin=False)
    result = set()
    apex = dns.name.from_text(origin)
    for name, node in zone.nodes.items():
        for rdataset in node.rdatasets:
            if skip_apex_soa_ns and name == apex and rdataset.rdtype in (2, 6):
                continue
            for rdata in rdataset:
                result.add((name.to_text(), rdataset.ttl, rdataset.rdtype, rdata.to_text()))
    return result


def stored(zone: HostedZone) -> list[tuple]:
    return sorted(
        (
            s.name,
            s.type,
            s.set_identifier,
            s.ttl,
            tuple(sorted(s.values)),
            s.policy,
            s.weight,
            s.alias_target_name,
        )
        for s in RecordSet.objects.filter(hosted_zone=zone, is_protected=False)
    )


def test_import_then_export_gives_back_the_same_data(zone):
    importexport.import_zone_text(zone, ZONE_FILE)
    exported = importexport.export_zone(zone)
    assert dns_data(exported, "example.com.") == dns_data(ZONE_FILE, "example.com.")


def test_the_files_soa_and_apex_ns_are_replaced_by_the_zones_own(zone):
    importexport.import_zone_text(zone, ZONE_FILE)
    ns = RecordSet.objects.get(hosted_zone=zone, name="example.com.", type="NS")
    assert ns.values == zone.name_servers
    exported = dns.zone.from_text(importexport.export_zone(zone), origin="example.com.", relativize=False)
    soa = exported.find_rdataset("example.com.", "SOA")[0]
    assert soa.mname.to_text() == zone.name_servers[0]
    zone.refresh_from_db()
    assert soa.serial == zone.serial


def test_policy_and_alias_record_sets_survive_the_round_trip(zone, owner):
    services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            create("www", "A", "192.0.2.1", policy="weighted", set_identifier="blue", weight=70),
            create("www", "A", "192.0.2.2", policy="weighted", set_identifier="green", weight=30),
            create("@", "A", alias_target_name="www", ttl=None, evaluate_target_health=True),
            create("api", "A", "192.0.2.9", policy="latency", set_identifier="eu", region="eu-west-1"),
            create("geo", "A", "192.0.2.10", policy="geolocation", set_identifier="fr", country="FR"),
            create("plain", "TXT", "x" * 300),
        ],
    )
    exported = importexport.export_zone(zone)
    copy = services.create_hosted_zone(owner=owner, name="example.com", caller_reference="copy")
    importexport.import_zone_text(copy, exported)
    assert stored(copy) == stored(zone)


def test_importing_an_export_into_its_zone_changes_nothing_but_the_serial(zone):
    importexport.import_zone_text(zone, ZONE_FILE)
    before = stored(zone)
    importexport.import_zone_text(zone, importexport.export_zone(zone))
    assert stored(zone) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "$INCLUDE /etc/passwd\n",
            "line 1: $INCLUDE is not allowed here; a file may use $ORIGIN and $TTL only",
        ),
        ("$TTL 300\nwww IN A 300.1.2.3\n", "line 2: 300.1.2.3 is not an IPv4 address"),
        ("$TTL 300\nhinfo IN HINFO PC Linux\n", "HINFO is not a supported record type"),
        (
            "$TTL 300\nwww IN CH A 192.0.2.1\n",
            "line 2: the class CH is not served here; records are of class IN",
        ),
    ],
)
def test_bad_zone_files_are_refused_with_the_line(zone, text, message):
    with pytest.raises(services.ZoneFileError) as caught:
        importexport.read_zone_file(text, "example.com.")
    assert message in caught.value.message


def test_names_outside_the_zone_refuse_the_file_naming_them(zone):
    with pytest.raises(services.ZoneFileError) as caught:
        importexport.read_zone_file(
            "$TTL 300\nwww IN A 192.0.2.2\nwww.example.org. IN A 192.0.2.1\n", zone.name
        )
    assert caught.value.message == (
        "line 3: these records are outside example.com: www.example.org. (is the file for another zone?)"
    )


def test_a_rule_broken_in_the_file_refuses_the_whole_import(zone):
    text = "$TTL 300\nwww IN A 192.0.2.1\nwww IN CNAME web.example.net.\n"
    with pytest.raises(services.ChangeBatchError, match="a CNAME must stand alone"):
        importexport.import_zone_text(zone, text)
    assert stored(zone) == []


def test_replace_deletes_record_sets_missing_from_the_file(zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("old", "A", "192.0.2.1")])
    importexport.import_zone_text(zone, "$TTL 300\nnew IN A 192.0.2.2\n", replace=True)
    assert [row[0] for row in stored(zone)] == ["new.example.com."]


@pytest.fixture
def var_dir(settings, tmp_path):
    """Uploads and their plans under the test's own directory."""
    settings.VAR_DIR = tmp_path
    return tmp_path


def previewed_job(zone, text: str):
    job = import_jobs.start_import(
        owner=zone.owner, hosted_zone=zone, file_name="z.zone", content=text.encode(), replace=False
    )
    assert job.status == "preview", job.error
    return job


def test_an_import_applies_the_plan_its_preview_showed(zone, var_dir):
    job = previewed_job(zone, "$TTL 300\nwww IN A 192.0.2.1\nmail IN A 192.0.2.25\n")
    Path(job.file_path).write_text("$TTL 300\nother IN A 192.0.2.99\n")
    job = import_jobs.start_apply(job)
    assert job.status == "done"
    assert [row[0] for row in stored(zone)] == ["mail.example.com.", "www.example.com."]
    assert job.change_batch.change_count == 2 and job.change_batch.source == "import"
    assert list(var_dir.glob("imports/*")) == []


def test_a_zone_changed_since_the_preview_is_planned_again(zone, var_dir):
    job = previewed_job(zone, "$TTL 300\nwww IN A 192.0.2.1\n")
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "CNAME", "web.example.net.")])
    job = import_jobs.start_apply(job)
    assert job.status == "failed"
    assert job.error == (
        "change 0: www.example.com. A: name: a CNAME record set already exists at www.example.com.: "
        "a name with a CNAME can hold no other record set"
    )
    assert [row[:2] for row in stored(zone)] == [("www.example.com.", "CNAME")]
    assert [path.suffix for path in var_dir.glob("imports/*")] == [".zone"]


def test_a_health_check_gone_since_the_preview_refuses_the_import(zone, owner, var_dir):
    check = HealthCheck.objects.create(
        owner=owner, name="web", check_type="tcp", ip_address="192.0.2.1", port=80
    )
    annotation = {"name": "www.example.com.", "type": "A", "ttl": 60, "values": ["192.0.2.1"]}
    job = previewed_job(
        zone, importexport.ANNOTATION + json.dumps({**annotation, "health_check_id": check.pk})
    )
    check_id = check.pk
    check.delete()
    job = import_jobs.start_apply(job)
    assert job.status == "failed"
    assert (
        job.error
        == f"change 0: www.example.com. A: health_check: there is no health check {check_id} of yours"
    )
    assert stored(zone) == []


def test_an_import_whose_worker_died_while_applying_is_applied_by_the_next_delivery(zone, var_dir, settings):
    job = previewed_job(zone, "$TTL 300\nwww IN A 192.0.2.1\n")
    # The first delivery claimed it and died before its batch committed (nothing was written).
    claimed_at = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1)
    ImportJob.objects.filter(pk=job.pk).update(status="applying", updated_at=claimed_at)

    job = importexport.apply_import_job(job)
    assert job.status == "done"
    assert [row[0] for row in stored(zone)] == ["www.example.com."]
    assert job.change_batch.source == "import"
    # A third delivery finds it done and writes nothing more.
    assert importexport.apply_import_job(job).status == "done"
    assert ChangeBatch.objects.filter(hosted_zone=zone, source="import").count() == 1


def test_a_delivery_while_another_is_still_applying_leaves_the_job_to_it(zone, var_dir):
    job = previewed_job(zone, "$TTL 300\nwww IN A 192.0.2.1\n")
    ImportJob.objects.filter(pk=job.pk).update(status="applying", updated_at=timezone.now())

    assert importexport.apply_import_job(job).status == "applying"
    assert stored(zone) == []


def test_the_job_is_marked_done_in_the_batchs_own_transaction(zone, var_dir, monkeypatch):
    job = previewed_job(zone, "$TTL 300\nwww IN A 192.0.2.1\n")
    marked = []
    real_update = QuerySet.update

    def update_then_crash(queryset, **fields):
        count = real_update(queryset, **fields)
        if queryset.model is ImportJob and fields.get("status") == "done":
            marked.append(fields)
            raise OSError("the worker died right after marking the job")
        return count

    monkeypatch.setattr(QuerySet, "update", update_then_crash)
    job = importexport.apply_import_job(job)
    monkeypatch.undo()
    # The crash rolled back the batch with the mark: nothing was written, the job failed.
    assert marked and job.status == "failed"
    assert stored(zone) == []
    assert not ChangeBatch.objects.filter(hosted_zone=zone, source="import").exists()


def test_importzone_creates_the_zone_and_exportzone_prints_it(owner, tmp_path):
    path = tmp_path / "example.com.zone"
    path.write_text(ZONE_FILE)
    out = io.StringIO()
    call_command("importzone", "example.com", str(path), "--owner", owner.email, stdout=out)
    assert HostedZone.objects.filter(owner=owner, name="example.com.").exists()
    count = len(importexport.read_zone_file(ZONE_FILE, "example.com.").record_sets)
    assert "Created hosted zone example.com." in out.getvalue()
    assert (
        f"Imported {count} record sets into example.com.: serial 2, {count + 2} record sets" in out.getvalue()
    )
    printed = io.StringIO()
    call_command("exportzone", "example.com", stdout=printed)
    assert dns_data(printed.getvalue(), "example.com.") == dns_data(ZONE_FILE, "example.com.")


def test_importzone_refuses_unknown_owners_and_bad_files(owner, tmp_path):
    path = tmp_path / "bad.zone"
    path.write_text("$INCLUDE x\n")
    with pytest.raises(CommandError, match=r"There is no user nobody@example\.com"):
        call_command("importzone", "example.com", str(path), "--owner", "nobody@example.com")
    with pytest.raises(CommandError, match=r"\$INCLUDE"):
        call_command("importzone", "example.com", str(path), "--owner", owner.email)
    with pytest.raises(CommandError, match=r"There is no hosted zone nothing\.test"):
        call_command("exportzone", "nothing.test")


def test_the_exported_file_is_read_by_a_standard_parser_in_its_class(zone):
    importexport.import_zone_text(zone, ZONE_FILE)
    exported = dns.zone.from_text(importexport.export_zone(zone), origin="example.com.", relativize=False)
    assert exported.rdclass == dns.rdataclass.IN
    assert exported.get_rdataset("www.example.com.", "A").ttl == 300


def test_a_standard_server_reads_the_export_back_to_the_same_data(zone, tmp_path):
    # NSD's checker is the standard server here, installed from Debian when missing.
    checker = debian_program("nsd-checkzone", "nsd")
    importexport.import_zone_text(zone, ZONE_FILE)
    exported = importexport.export_zone(zone)
    path = tmp_path / "example.com.zone"
    path.write_text(exported)
    result = subprocess.run(
        [checker, "-p", "example.com", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert dns_data(result.stdout, "example.com.", skip_apex_soa_ns=False) == dns_data(
        exported, "example.com.", skip_apex_soa_ns=False
    )
