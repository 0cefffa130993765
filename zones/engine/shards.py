"""`ShardedMap`: the per-name tables of a compiled zone, split into shards by the key's hash.

A zone version is immutable and a change makes a new one (incremental.py). Were each table
one dictionary, every version would copy all of it (a million entries for a million-record
zone) to change three. Split into shards of about a thousand entries each, a new version
copies only the shards its change writes and shares the others with the old version.

A lookup stays two C-level steps and one dict get: `hash(key)` (which a bytes object caches,
so the dict get does not hash again), the shard, the get. The number of shards grows with
the table (a small zone has one, so thousands of small zones cost no more than before), and
a table that grows well past its shards is split again when a version is made.
"""

from collections.abc import Iterable, Iterator, Mapping, MutableMapping

ENTRIES_PER_SHARD = 1024
MAX_SHARDS = 4096


def shard_count(length: int) -> int:
    """The number of shards (a power of two) for a table of `length` entries."""
    count = 1
    while count < MAX_SHARDS and count * ENTRIES_PER_SHARD < length:
        count *= 2
    return count


class _ShardReads:
    """The reads a version and its editor share: a key's shard is `hash(key) & _mask`."""

    __slots__ = ()
    _shards: tuple[dict, ...] | list[dict]
    _mask: int

    def get(self, key, default=None):
        return self._shards[hash(key) & self._mask].get(key, default)

    def __getitem__(self, key):
        return self._shards[hash(key) & self._mask][key]

    def __contains__(self, key) -> bool:
        return key in self._shards[hash(key) & self._mask]

    def __iter__(self) -> Iterator:
        for shard in self._shards:
            yield from shard

    def items(self) -> Iterator[tuple]:
        """Every (key, value), shard by shard (a generator, not a view)."""
        for shard in self._shards:
            yield from shard.items()


class ShardedMap(_ShardReads, Mapping):
    """A read-only mapping kept in shards; `edit()` starts the next version's copy-on-write."""

    __slots__ = ("_length", "_mask", "_shards")

    def __init__(self, entries: Mapping | Iterable = ()) -> None:
        entries = entries if isinstance(entries, Mapping) else dict(entries)
        count = shard_count(len(entries))
        shards = tuple({} for _ in range(count))
        mask = count - 1
        for key, value in entries.items():
            shards[hash(key) & mask][key] = value
        self._shards = shards
        self._mask = mask
        self._length = len(entries)

    @classmethod
    def _of_shards(cls, shards: tuple[dict, ...], length: int) -> "ShardedMap":
        made = cls.__new__(cls)
        made._shards = shards
        made._mask = len(shards) - 1
        made._length = length
        return made

    def __len__(self) -> int:
        return self._length

    def __reduce__(self):
        # A shard is chosen by hash(key), and a bytes key's hash differs from one process to
        # the next (PYTHONHASHSEED): a pickled map is rebuilt from its entries, not its shards.
        entries = {}
        for shard in self._shards:
            entries.update(shard)
        return (ShardedMap, (entries,))

    def values(self) -> Iterator:
        for shard in self._shards:
            yield from shard.values()

    def __eq__(self, other) -> bool:
        if isinstance(other, ShardedMap) and len(other._shards) == len(self._shards):
            return self._length == other._length and self._shards == other._shards
        if isinstance(other, Mapping):
            return len(self) == len(other) and all(
                other.get(key, _MISSING) == value for key, value in self.items()
            )
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"<ShardedMap of {self._length} in {len(self._shards)} shards>"

    @property
    def shard_total(self) -> int:
        return len(self._shards)

    def shares_shards_with(self, other: "ShardedMap") -> int:
        """How many shard objects two versions share (for tests and benchmarks)."""
        if len(self._shards) != len(other._shards):
            return 0
        return sum(mine is theirs for mine, theirs in zip(self._shards, other._shards, strict=True))

    def edit(self) -> "ShardedMapEditor":
        return ShardedMapEditor(self)


_MISSING = object()


class ShardedMapEditor(_ShardReads, MutableMapping):
    """The next version of a ShardedMap while it is being made: a shard is copied when first written.

    The base is never changed; `freeze()` gives the new ShardedMap (the base itself when
    nothing was written).
    """

    def __init__(self, base: ShardedMap) -> None:
        self._base = base
        self._shards = list(base._shards)
        self._mask = base._mask
        self._length = base._length
        self._copied: set[int] = set()

    def _writable(self, key) -> dict:
        index = hash(key) & self._mask
        if index not in self._copied:
            self._shards[index] = dict(self._shards[index])
            self._copied.add(index)
        return self._shards[index]

    def __setitem__(self, key, value) -> None:
        shard = self._writable(key)
        if key not in shard:
            self._length += 1
        shard[key] = value

    def __delitem__(self, key) -> None:
        if key not in self:
            raise KeyError(key)
        del self._writable(key)[key]
        self._length -= 1

    def pop(self, key, *default):
        if key in self:
            value = self[key]
            del self[key]
            return value
        if default:
            return default[0]
        raise KeyError(key)

    def __len__(self) -> int:
        return self._length

    def freeze(self) -> ShardedMap:
        if not self._copied:
            return self._base
        if shard_count(self._length) > 2 * len(self._shards):
            return ShardedMap(dict(self.items()))
        return ShardedMap._of_shards(tuple(self._shards), self._length)
