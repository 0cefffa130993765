"""The bulk SQL writer on a plain table (auth's Group): many rows in, changed, read back."""

import pytest
from django.contrib.auth.models import Group

from kernel.bulksql import WRITE_CHUNK, chunks, insert_rows, update_rows

pytestmark = pytest.mark.django_db


def test_chunks_split_without_losing_or_repeating():
    assert [len(chunk) for chunk in chunks(range(5), 2)] == [2, 2, 1]
    assert list(chunks([], 3)) == []


def test_rows_go_in_across_several_chunks_and_change_in_place():
    count = WRITE_CHUNK * 2 + 7
    insert_rows(Group, ({"name": f"group {index}"} for index in range(count)))
    assert Group.objects.count() == count
    assert (
        Group.objects.filter(name="group 0").exists()
        and Group.objects.filter(name=f"group {count - 1}").exists()
    )

    ids = list(Group.objects.order_by("id").values_list("id", flat=True))
    update_rows(Group, ({"id": pk, "name": f"renamed {pk}"} for pk in ids[: WRITE_CHUNK + 1]))
    names = dict(Group.objects.values_list("id", "name"))
    assert all(names[pk] == f"renamed {pk}" for pk in ids[: WRITE_CHUNK + 1])
    assert names[ids[-1]] == f"group {count - 1}"


def test_nothing_to_write_writes_nothing():
    insert_rows(Group, [])
    update_rows(Group, iter(()))
    assert Group.objects.count() == 0
