"""Console pages: zone list, record editor, inline edit, bulk delete, history, import, isolation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.testing import assert_hidden_from
from zones import import_jobs, services
from zones.models import ChangeBatch, HostedZone, ImportJob, RecordSet
from zones.tests.conftest import create


def test_the_zone_list_shows_counts_and_searches(owner_client, zone, other_zone):
    response = owner_client.get("/zones/")
    assert response.status_code == 200
    assert b"example.com" in response.content and b"example.org" not in response.content
    assert owner_client.get("/zones/?q=nothing").context["zones"].count() == 0


def test_the_zone_list_says_what_to_do_when_empty(owner_client):
    assert "No hosted zones yet" in owner_client.get("/zones/").content.decode()


def test_creating_a_zone_from_the_console(owner_client, owner):
    response = owner_client.post("/zones/new/", {"name": "Shop.Example", "comment": "shop"})
    zone = HostedZone.objects.get(owner=owner, name="shop.example.")
    assert response.status_code == 302 and response["Location"] == f"/zones/{zone.pk}/"


def test_a_bad_zone_name_is_shown_beside_its_field(owner_client):
    response = owner_client.post("/zones/new/", {"name": "*.example.com"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "*.example.com is not a domain name (a zone name has no wildcard)"
    ]


def test_the_record_editor_lists_filters_and_pages(owner_client, zone):
    services.apply_change_batch(
        hosted_zone=zone, changes=[create(f"h{i:03}", "A", "192.0.2.1") for i in range(150)]
    )
    services.apply_change_batch(hosted_zone=zone, changes=[create("mail", "MX", "10 mx.example.net.")])
    first = owner_client.get(f"/zones/{zone.pk}/")
    assert first.status_code == 200
    page = first.context["page"]
    assert len(page.rows) == 100 and page.is_first and not page.is_last
    last = owner_client.get(f"/zones/{zone.pk}/?last=1").context["page"]
    assert [rs.name for rs in last.rows][-1] == "mail.example.com." and last.is_last
    following = owner_client.get(f"/zones/{zone.pk}/?after={page.next_cursor}").context["page"]
    assert following.rows[0].name == "h098.example.com."
    back = owner_client.get(f"/zones/{zone.pk}/?before={following.previous_cursor}").context["page"]
    assert [rs.pk for rs in back.rows] == [rs.pk for rs in page.rows]
    only_mx = owner_client.get(f"/zones/{zone.pk}/?type=MX").context["page"]
    assert [rs.type for rs in only_mx.rows] == ["MX"]
    named = owner_client.get(f"/zones/{zone.pk}/?name=h14").context["page"]
    assert len(named.rows) == 10


def test_creating_a_record_set_through_the_form(owner_client, zone):
    response = owner_client.post(
        f"/zones/{zone.pk}/records/new/",
        {
            "name": "www",
            "type": "A",
            "ttl": "300",
            "values": "192.0.2.1\n192.0.2.2",
            "policy": "weighted",
            "set_identifier": "one",
            "weight": "10",
        },
    )
    assert response.status_code == 302
    rs = RecordSet.objects.get(hosted_zone=zone, name="www.example.com.")
    assert (rs.values, rs.policy, rs.weight) == (["192.0.2.1", "192.0.2.2"], "weighted", 10)


def test_form_errors_sit_beside_their_fields(owner_client, zone):
    response = owner_client.post(
        f"/zones/{zone.pk}/records/new/",
        {"name": "www", "type": "A", "ttl": "300", "values": "300.1.2.3", "policy": "simple"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["values"] == ["300.1.2.3 is not an IPv4 address"]
    assert b"300.1.2.3" in response.content  # the input is kept


def test_a_zone_rule_refusal_shows_in_the_form(owner_client, zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    response = owner_client.post(
        f"/zones/{zone.pk}/records/new/",
        {"name": "www", "type": "CNAME", "ttl": "300", "values": "web.example.net.", "policy": "simple"},
    )
    assert response.status_code == 200
    assert "a CNAME must stand alone" in str(response.context["form"].errors)


def test_a_refusal_by_the_whole_zone_sits_beside_the_rules_field(owner_client, zone):
    weighted = {"policy": "weighted", "set_identifier": "a", "weight": 1}
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1", **weighted)])
    services.apply_change_batch(hosted_zone=zone, changes=[create("plain", "A", "192.0.2.1")])
    latency = {"policy": "latency", "set_identifier": "b", "region": "us-east-1"}
    fields = {"name": "www", "type": "A", "ttl": "300", "values": "192.0.2.9", "policy": "simple"}
    response = owner_client.post(f"/zones/{zone.pk}/records/new/", {**fields, **latency})
    assert response.context["form"].errors == {
        "policy": ["www.example.com. A already uses the weighted policy; one policy kind per name and type"]
    }
    response = owner_client.post(f"/zones/{zone.pk}/records/new/", {**fields, "name": "plain"})
    assert response.context["form"].errors == {
        "__all__": ["plain.example.com. A: the record set already exists"]
    }


def test_an_alias_at_the_apex_through_the_form(owner_client, zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    response = owner_client.post(
        f"/zones/{zone.pk}/records/new/",
        {
            "name": "@",
            "type": "A",
            "is_alias": "on",
            "alias_target_name": "www",
            "policy": "simple",
            "evaluate_target_health": "on",
        },
    )
    assert response.status_code == 302
    rs = RecordSet.objects.get(hosted_zone=zone, name="example.com.", type="A")
    assert (rs.alias_target_name, rs.ttl, rs.evaluate_target_health) == ("www.example.com.", None, True)


def test_editing_renames_with_delete_and_create_in_one_batch(owner_client, zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    rs = RecordSet.objects.get(hosted_zone=zone, name="www.example.com.")
    response = owner_client.post(
        f"/zones/{zone.pk}/records/{rs.pk}/edit/",
        {"name": "web", "type": "A", "ttl": "60", "values": "192.0.2.1", "policy": "simple"},
    )
    assert response.status_code == 302
    assert list(RecordSet.objects.filter(hosted_zone=zone, type="A").values_list("name", "ttl")) == [
        ("web.example.com.", 60)
    ]
    assert ChangeBatch.objects.filter(hosted_zone=zone).first().change_count == 2


def test_inline_edit_changes_ttl_and_values(owner_client, zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    rs = RecordSet.objects.get(hosted_zone=zone, name="www.example.com.")
    response = owner_client.post(
        f"/zones/{zone.pk}/records/{rs.pk}/edit/",
        {"inline": "1", "ttl": "120", "values": "192.0.2.7"},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {"ok": True, "error": ""}
    rs.refresh_from_db()
    assert (rs.ttl, rs.values) == (120, ["192.0.2.7"])
    refused = owner_client.post(
        f"/zones/{zone.pk}/records/{rs.pk}/edit/",
        {"inline": "1", "ttl": "120", "values": "nope"},
        HTTP_ACCEPT="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "change 0: www.example.com. A: value: nope is not an IPv4 address"


def test_bulk_delete_removes_the_selected_record_sets_in_one_batch(owner_client, zone):
    services.apply_change_batch(
        hosted_zone=zone, changes=[create(f"h{i}", "A", "192.0.2.1") for i in range(5)]
    )
    ids = list(RecordSet.objects.filter(hosted_zone=zone, is_protected=False).values_list("pk", flat=True))[
        :3
    ]
    soa = RecordSet.objects.get(hosted_zone=zone, type="SOA")
    refused = owner_client.post(f"/zones/{zone.pk}/records/delete/", {"ids": [*ids, soa.pk]})
    assert "cannot be deleted" in str(list(refused.wsgi_request._messages))
    assert RecordSet.objects.filter(hosted_zone=zone).count() == 7  # all or nothing
    preview = owner_client.post(f"/zones/{zone.pk}/records/delete/", {"ids": ids})
    assert preview.status_code == 200 and len(preview.context["diff"]) == 3  # plan, show, then apply
    assert RecordSet.objects.filter(hosted_zone=zone).count() == 7
    # 3 of the zone's 7 record sets is more than ZONES_MAX_SAFE_DELETE_PERCENT (30): confirm it.
    unconfirmed = owner_client.post(f"/zones/{zone.pk}/records/delete/", {"ids": ids, "apply": "1"})
    assert unconfirmed.status_code == 200 and unconfirmed.context["confirmation_missing"]
    assert RecordSet.objects.filter(hosted_zone=zone).count() == 7
    response = owner_client.post(
        f"/zones/{zone.pk}/records/delete/", {"ids": ids, "apply": "1", "confirm_deletes": "1"}
    )
    assert response.status_code == 302
    assert RecordSet.objects.filter(hosted_zone=zone).count() == 4
    assert ChangeBatch.objects.filter(hosted_zone=zone).first().change_count == 3


def test_the_pending_change_is_shown_until_insync(owner_client, zone):
    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    page = owner_client.get(f"/zones/{zone.pk}/")
    assert page.context["pending"].pk == batch.pk
    assert b"PENDING" in page.content
    status = owner_client.get(f"/zones/{zone.pk}/changes/{batch.pk}/status/")
    assert status.json() == {"id": batch.pk, "status": "PENDING", "serial": batch.serial}


def test_history_and_diff_view(owner_client, zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    batch = services.apply_change_batch(
        hosted_zone=zone, changes=[services.Change("UPSERT", create("www", "A", "192.0.2.2").record_set)]
    )
    assert owner_client.get(f"/zones/{zone.pk}/history/").status_code == 200
    detail = owner_client.get(f"/zones/{zone.pk}/changes/{batch.pk}/")
    [row] = detail.context["diff"]
    values = next(field for field in row["fields"] if field["label"] == "Values")
    assert (row["kind"], values["before"], values["after"], values["kind"]) == (
        "changed",
        "192.0.2.1",
        "192.0.2.2",
        "changed",
    )


def test_import_preview_then_apply(owner_client, zone):
    upload = SimpleUploadedFile(
        "z.zone", b"$ORIGIN example.com.\n$TTL 300\nwww IN A 192.0.2.1\nmail IN MX 10 www\n"
    )
    response = owner_client.post(f"/zones/{zone.pk}/import/", {"file": upload})
    job = ImportJob.objects.get(hosted_zone=zone)
    assert response["Location"] == f"/zones/{zone.pk}/import/{job.pk}/"
    preview = owner_client.get(response["Location"])
    assert preview.context["job"].summary["creates"] == 2
    assert not RecordSet.objects.filter(hosted_zone=zone, name="www.example.com.").exists()
    applied = owner_client.post(response["Location"])
    assert applied.status_code == 302
    assert RecordSet.objects.filter(hosted_zone=zone, is_protected=False).count() == 2
    assert ChangeBatch.objects.filter(hosted_zone=zone).first().source == "import"


def test_a_large_import_runs_in_tasks_with_progress(
    owner_client, zone, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from zones import tasks

    monkeypatch.setattr(import_jobs, "INLINE_IMPORT_BYTES", 10)
    text = "$ORIGIN example.com.\n$TTL 300\n" + "".join(f"h{i} IN A 192.0.2.1\n" for i in range(50))
    job = import_jobs.start_import(
        owner=zone.owner, hosted_zone=zone, file_name="big.zone", content=text.encode(), replace=False
    )
    assert job.status == "planning"
    progress = owner_client.get(f"/zones/{zone.pk}/import/{job.pk}/", HTTP_ACCEPT="application/json").json()
    assert progress["status"] == "planning"
    assert tasks.plan_import.apply(args=[job.pk]).get() == "preview"
    assert tasks.apply_import.apply(args=[job.pk]).get() == "done"
    assert tasks.apply_import.apply(args=[job.pk]).get() == "done"  # a second delivery does nothing
    job.refresh_from_db()
    assert (job.percent, job.progress_done, job.progress_total) == (100, 50, 50)
    assert RecordSet.objects.filter(hosted_zone=zone).count() == 52
    assert ChangeBatch.objects.filter(hosted_zone=zone, source="import").count() == 1


def test_a_refused_import_shows_why(owner_client, zone):
    upload = SimpleUploadedFile("z.zone", b"$ORIGIN example.com.\n$INCLUDE /etc/passwd\n")
    owner_client.post(f"/zones/{zone.pk}/import/", {"file": upload})
    job = ImportJob.objects.get(hosted_zone=zone)
    assert job.status == "failed" and "$INCLUDE" in job.error
    assert "The import was refused" in owner_client.get(f"/zones/{zone.pk}/import/{job.pk}/").content.decode()


def test_export_downloads_a_bind_file(owner_client, zone):
    response = owner_client.get(f"/zones/{zone.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="example.com.zone"'
    assert b"IN SOA" in response.content


def test_networks_endpoints_and_delegation_sets_pages(owner_client, owner):
    assert (
        owner_client.post("/zones/networks/", {"name": "vpc", "cidrs": "10.0.0.0/16\nfd00::/56"}).status_code
        == 302
    )
    bad = owner_client.post("/zones/networks/", {"name": "bad", "cidrs": "10.0.0.0/33"})
    assert bad.context["form"].errors["cidrs"] == ["10.0.0.0/33 is not an IPv4 or IPv6 network"]
    assert (
        owner_client.post(
            "/zones/endpoints/",
            {"name": "lb", "kind": "load_balancer", "addresses": "192.0.2.10", "ttl": "60"},
        ).status_code
        == 302
    )
    assert owner_client.post("/zones/delegation-sets/").status_code == 302
    for url in ("/zones/networks/", "/zones/endpoints/", "/zones/delegation-sets/"):
        assert owner_client.get(url).status_code == 200


def test_deleting_a_zone_from_the_console(owner_client, zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    owner_client.post(f"/zones/{zone.pk}/delete/")
    assert HostedZone.objects.filter(pk=zone.pk).exists()
    services.apply_change_batch(
        hosted_zone=zone, changes=[services.Change("DELETE", create("www", "A", "192.0.2.1").record_set)]
    )
    assert owner_client.post(f"/zones/{zone.pk}/delete/")["Location"] == "/zones/"
    assert not HostedZone.objects.filter(pk=zone.pk).exists()


def test_console_pages_are_hidden_from_other_users(other_client, zone, owner):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    rs = RecordSet.objects.get(hosted_zone=zone, name="www.example.com.")
    batch = zone.change_batches.first()
    job = ImportJob.objects.create(owner=owner, hosted_zone=zone, file_path="/nonexistent", status="preview")
    network = services.save_network(owner=owner, name="vpc", cidrs=["10.0.0.0/16"])
    endpoint = services.save_endpoint(owner=owner, name="lb", kind="cdn", addresses=["192.0.2.1"])
    delegation_set = services.create_delegation_set(owner=owner)
    z = zone.pk
    assert_hidden_from(
        other_client,
        [
            ("get", f"/zones/{z}/"),
            ("post", f"/zones/{z}/settings/"),
            ("post", f"/zones/{z}/delete/"),
            ("get", f"/zones/{z}/records/new/"),
            ("get", f"/zones/{z}/records/{rs.pk}/edit/"),
            ("post", f"/zones/{z}/records/delete/"),
            ("get", f"/zones/{z}/changes/{batch.pk}/"),
            ("get", f"/zones/{z}/changes/{batch.pk}/status/"),
            ("get", f"/zones/{z}/history/"),
            ("get", f"/zones/{z}/export/"),
            ("get", f"/zones/{z}/import/"),
            ("get", f"/zones/{z}/import/{job.pk}/"),
            ("post", f"/zones/networks/{network.pk}/delete/"),
            ("post", f"/zones/endpoints/{endpoint.pk}/delete/"),
            ("post", f"/zones/delegation-sets/{delegation_set.pk}/delete/"),
        ],
    )
    assert RecordSet.objects.filter(pk=rs.pk).exists()


@pytest.mark.parametrize("url", ["/zones/1/delete/", "/zones/1/records/delete/", "/zones/1/settings/"])
def test_post_only_pages_refuse_get(owner_client, zone, url):
    assert owner_client.get(url.replace("/1/", f"/{zone.pk}/")).status_code == 405


def test_pages_need_a_login(client):
    assert client.get("/zones/")["Location"].startswith("/account/login/")
