"""Reverting a change batch: the pure planner, the service, and the console's plan-show-apply pages."""

import pytest

from zones import services
from zones.models import ChangeBatch, RecordSet
from zones.services import revert
from zones.services.plan import AuditLine
from zones.tests.conftest import create, delete, upsert

WWW = ("www.example.com.", "A", "")
API = ("api.example.com.", "A", "")


def a_set(name: str, *values: str, ttl: int = 300) -> dict:
    return {"name": name, "type": "A", "ttl": ttl, "values": list(values), "policy": "simple"}


# ---- the planner, no database ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "action", "restored"),
    [
        (AuditLine("CREATE", WWW, None, a_set("www.example.com.", "192.0.2.1")), "DELETE", None),
        (AuditLine("DELETE", WWW, a_set("www.example.com.", "192.0.2.1"), None), "CREATE", ["192.0.2.1"]),
        (
            AuditLine(
                "UPSERT", WWW, a_set("www.example.com.", "192.0.2.1"), a_set("www.example.com.", "192.0.2.2")
            ),
            "UPSERT",
            ["192.0.2.1"],
        ),
    ],
)
def test_each_change_is_undone_by_its_inverse(line, action, restored):
    [step] = revert.plan_revert([line], {WWW: line.after})
    assert step.change.action == action
    assert step.label == "www.example.com. A"
    assert (step.now, step.restored) == (line.after, line.before)
    if restored is not None:
        assert list(step.change.record_set.values) == restored


def test_a_record_set_touched_twice_goes_back_to_what_it_held_first():
    lines = [
        AuditLine("CREATE", WWW, None, a_set("www.example.com.", "192.0.2.1")),
        AuditLine(
            "UPSERT", WWW, a_set("www.example.com.", "192.0.2.1"), a_set("www.example.com.", "192.0.2.2")
        ),
    ]
    [step] = revert.plan_revert(lines, {WWW: a_set("www.example.com.", "192.0.2.2")})
    assert step.change.action == "DELETE"


def test_a_record_set_changed_since_refuses_the_whole_revert_naming_it_and_the_later_change():
    lines = [
        AuditLine("CREATE", WWW, None, a_set("www.example.com.", "192.0.2.1")),
        AuditLine("CREATE", API, None, a_set("api.example.com.", "192.0.2.9")),
    ]
    current = {WWW: a_set("www.example.com.", "192.0.2.7"), API: a_set("api.example.com.", "192.0.2.9")}
    with pytest.raises(revert.RevertConflict) as caught:
        revert.plan_revert(lines, current, changed_by={WWW: 42})
    assert caught.value.keys == [WWW]
    assert caught.value.message == (
        "This change cannot be reverted: www.example.com. A (by change 42) has changed since. "
        "Revert the later change first, or edit the record sets by hand."
    )


def test_a_record_set_deleted_since_is_a_conflict_too():
    lines = [AuditLine("CREATE", WWW, None, a_set("www.example.com.", "192.0.2.1"))]
    with pytest.raises(revert.RevertConflict):
        revert.plan_revert(lines, {WWW: None})


def test_values_compare_whatever_json_made_of_them():
    after = a_set("www.example.com.", "192.0.2.1")
    now = {**after, "values": ("192.0.2.1",)}
    assert revert.plan_revert([AuditLine("CREATE", WWW, None, after)], {WWW: now})


@pytest.mark.parametrize(
    ("deletes", "count", "expected"),
    [(0, 10, False), (3, 10, False), (4, 10, True), (1, 1, True), (31, 100, True), (30, 100, False)],
)
def test_the_safe_delete_share(deletes, count, expected):
    assert revert.exceeds_safe_delete(deletes=deletes, record_set_count=count, max_percent=30) is expected


# ---- the service ---------------------------------------------------------------------------------


def values_of(zone, name: str) -> list[str] | None:
    rs = RecordSet.objects.filter(hosted_zone=zone, name=name, type="A").first()
    return None if rs is None else list(rs.to_spec().values)


def test_reverting_applies_the_inverse_as_a_new_batch(zone, owner):
    services.apply_change_batch(
        hosted_zone=zone, changes=[create("www", "A", "192.0.2.1"), create("old", "A", "192.0.2.5")]
    )
    batch = services.apply_change_batch(
        hosted_zone=zone,
        changes=[
            upsert("www", "A", "192.0.2.2"),
            delete("old", "A", "192.0.2.5"),
            create("new", "A", "192.0.2.6"),
        ],
    )
    serial = batch.serial
    undo = revert.revert_change_batch(batch=batch, actor=owner)
    assert undo.pk != batch.pk and undo.serial > serial
    assert undo.comment == f"revert of change {batch.pk}" and undo.change_count == 3
    assert values_of(zone, "www.example.com.") == ["192.0.2.1"]
    assert values_of(zone, "old.example.com.") == ["192.0.2.5"]
    assert values_of(zone, "new.example.com.") is None


def test_a_later_change_to_the_same_record_set_refuses_the_revert_and_writes_nothing(zone, owner):
    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    later = services.apply_change_batch(hosted_zone=zone, changes=[upsert("www", "A", "192.0.2.3")])
    batches = ChangeBatch.objects.count()
    with pytest.raises(
        revert.RevertConflict, match=f"www.example.com. A \\(by change {later.pk}\\) has changed"
    ):
        revert.revert_change_batch(batch=batch, actor=owner)
    assert ChangeBatch.objects.count() == batches
    assert values_of(zone, "www.example.com.") == ["192.0.2.3"]


def test_a_revert_can_itself_be_reverted(zone, owner):
    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    undo = revert.revert_change_batch(batch=batch, actor=owner)
    assert values_of(zone, "www.example.com.") is None
    revert.revert_change_batch(batch=undo, actor=owner)
    assert values_of(zone, "www.example.com.") == ["192.0.2.1"]


# ---- the console ---------------------------------------------------------------------------------


def test_the_revert_page_shows_the_diff_and_applies_it_on_post(owner_client, zone):
    services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    batch = services.apply_change_batch(hosted_zone=zone, changes=[upsert("www", "A", "192.0.2.2")])
    url = f"/zones/{zone.pk}/changes/{batch.pk}/revert/"
    page = owner_client.get(url)
    assert page.status_code == 200
    [row] = page.context["diff"]
    values = next(field for field in row["fields"] if field["label"] == "Values")
    assert (row["label"], values["before"], values["after"]) == (
        "www.example.com. A",
        "192.0.2.2",
        "192.0.2.1",
    )
    assert values_of(zone, "www.example.com.") == ["192.0.2.2"]  # a GET writes nothing
    applied = owner_client.post(url)
    undo = ChangeBatch.objects.filter(hosted_zone=zone).order_by("-pk").first()
    assert applied.status_code == 302 and applied["Location"] == f"/zones/{zone.pk}/changes/{undo.pk}/"
    assert values_of(zone, "www.example.com.") == ["192.0.2.1"]


def test_the_revert_page_gives_the_reason_it_refuses(owner_client, zone):
    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    services.apply_change_batch(hosted_zone=zone, changes=[upsert("www", "A", "192.0.2.3")])
    response = owner_client.post(f"/zones/{zone.pk}/changes/{batch.pk}/revert/")
    assert response.status_code == 200
    assert "has changed since" in response.context["refusal"]
    assert values_of(zone, "www.example.com.") == ["192.0.2.3"]


def test_a_revert_deleting_most_of_the_zone_needs_the_confirmation_box(owner_client, zone):
    batch = services.apply_change_batch(
        hosted_zone=zone, changes=[create(f"h{i}", "A", "192.0.2.1") for i in range(5)]
    )
    url = f"/zones/{zone.pk}/changes/{batch.pk}/revert/"
    unconfirmed = owner_client.post(url)
    assert unconfirmed.status_code == 200 and unconfirmed.context["confirmation_missing"]
    assert "Tick the box to confirm the deletions." in unconfirmed.content.decode()
    assert RecordSet.objects.filter(hosted_zone=zone, is_protected=False).count() == 5
    confirmed = owner_client.post(url, {"confirm_deletes": "1"})
    assert confirmed.status_code == 302
    assert RecordSet.objects.filter(hosted_zone=zone, is_protected=False).count() == 0


def test_another_account_cannot_see_or_revert_your_batch(other_client, zone):
    batch = services.apply_change_batch(hosted_zone=zone, changes=[create("www", "A", "192.0.2.1")])
    url = f"/zones/{zone.pk}/changes/{batch.pk}/revert/"
    assert other_client.get(url).status_code == 404
    assert other_client.post(url).status_code == 404
    assert values_of(zone, "www.example.com.") == ["192.0.2.1"]


def test_a_batch_of_another_zone_cannot_be_reverted_through_your_zone(owner_client, zone, other_zone):
    theirs = services.apply_change_batch(hosted_zone=other_zone, changes=[create("www", "A", "192.0.2.1")])
    assert owner_client.post(f"/zones/{zone.pk}/changes/{theirs.pk}/revert/").status_code == 404
    assert RecordSet.objects.filter(hosted_zone=other_zone, name="www.example.org.").exists()


def test_history_lists_the_newest_change_first(owner_client, zone):
    first = services.apply_change_batch(hosted_zone=zone, changes=[create("a", "A", "192.0.2.1")])
    second = services.apply_change_batch(hosted_zone=zone, changes=[create("b", "A", "192.0.2.1")])
    batches = list(owner_client.get(f"/zones/{zone.pk}/history/").context["batches"])
    assert [batch.pk for batch in batches[:2]] == [second.pk, first.pk]
