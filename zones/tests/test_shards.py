"""ShardedMap: the per-name tables of a zone version, copied by shard (zones/engine/shards.py)."""

import pytest

from zones.engine.shards import ShardedMap, shard_count


def table(count: int) -> dict[bytes, int]:
    return {f"name{number}".encode(): number for number in range(count)}


def test_a_sharded_map_reads_like_the_dictionary_it_was_made_from():
    entries = table(5000)
    sharded = ShardedMap(entries)

    assert shard_count(5000) == 8
    assert len(sharded) == 5000
    assert sharded[b"name42"] == 42 and sharded.get(b"name4999") == 4999
    assert sharded.get(b"absent") is None and sharded.get(b"absent", -1) == -1
    assert b"name7" in sharded and b"absent" not in sharded
    with pytest.raises(KeyError):
        sharded[b"absent"]
    assert dict(sharded.items()) == entries
    assert sorted(sharded) == sorted(entries) and sorted(sharded.values()) == sorted(entries.values())
    assert sharded == entries and sharded == ShardedMap(entries)
    assert sharded != {**entries, b"name1": -1}
    assert ShardedMap() == {} and len(ShardedMap()) == 0


def test_a_new_version_copies_only_the_shards_it_writes_and_leaves_the_old_one_alone():
    entries = table(8000)
    old = ShardedMap(entries)
    editor = old.edit()
    editor[b"name1"] = -1
    editor[b"added"] = 1
    del editor[b"name2"]
    assert editor.pop(b"name3") == 3 and editor.pop(b"absent", None) is None
    new = editor.freeze()

    assert old == entries
    assert new == {
        **{key: value for key, value in entries.items() if key not in (b"name2", b"name3")},
        b"name1": -1,
        b"added": 1,
    }
    assert len(new) == 8000 - 1
    # At most the four shards written were copied; the other four are the old version's.
    assert old.shares_shards_with(new) >= 8 - 4
    assert old.edit().freeze() is old


def test_a_table_that_grows_well_past_its_shards_is_split_again():
    old = ShardedMap(table(10))
    editor = old.edit()
    for number in range(10, 3000):
        editor[f"name{number}".encode()] = number
    new = editor.freeze()

    assert old.shard_total == 1 and new.shard_total == shard_count(3000) == 4
    assert new == table(3000) and old == table(10)
