"""Replies kept by the bytes of the query after its ID, and the one rule for answering from them.

A listener's ReplyCache keeps the UDP reply to a query when that reply follows from the query's
bytes, the listener's zones and the health view, under the conditions it was made on
(KeptReply): a static template or REFUSED for anyone (PlainReply); a reply with a server
cookie for the same source within the cookie's minute; a routed answer as DynamicAnswers
allows (for anyone, for that source, or drawn again among the weighted record sets' replies
with the same random generator), and only while the health view it was chosen under is the
current one. Never TCP. The cache is emptied whenever the role's zones are replaced, so a
change reaches the next query at once; a new health view passes over the routed replies and
leaves the static ones.

The handler keeps replies (`keep`) and answers one query at a time from them
(`reply_after_id`); the UDP batch loop (batch.py) takes `current()` once per batch and
`reply_of` for each datagram.
"""

import random
import time
from collections.abc import Mapping
from typing import NamedTuple, Protocol

from dnsserver.dynamic import WeightedPlan
from zones.engine import ZoneSet


class ReplyBudget:
    """How many replies the ReplyCaches of one process hold together, and at most."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.caches: list[ReplyCache] = []

    def make_room(self) -> None:
        """Empty every cache when the budget is spent (a flood of distinct queries ends here)."""
        if self.used >= self.limit:
            for cache in self.caches:
                cache.clear()


class PlainReply(NamedTuple):
    """A reply kept for anyone who sends the query's bytes, with no condition."""

    tail: bytes
    # The count of replies by its (zone key, type, rcode), one cell shared by every kept reply
    # counted alike: adding to a list's item costs a fraction of a Counter's tuple hashing.
    count: list[int]


class KeptReply(NamedTuple):
    """A reply kept for a query's bytes, and the conditions on which it answers them again."""

    # The reply after its ID; for a weighted draw, one per record set of `draw.templates`.
    tail: bytes | list[bytes]
    count: list[int]
    # Only for this source address, packed (a server cookie, an answer located by the source).
    owner: bytes | None
    # Only before this time (the end of the server cookie's period).
    until: int | None
    draw: WeightedPlan | None
    # Only while this is the health view (a routed answer: DynamicAnswers chose it under it).
    health: Mapping[int, bool] | None


class Serving(Protocol):
    """What a cache reads of the server's state (dnsserver.handler.ServerState)."""

    zones: dict[str, ZoneSet]
    health: Mapping[int, bool]
    rng: random.Random
    replies_kept: ReplyBudget


class ReplyCache:
    """One listener's UDP replies (all but the ID) by the query's bytes after its ID."""

    def __init__(self, state: Serving, role: str) -> None:
        self.state = state
        self.role = role
        self.budget = state.replies_kept
        self.replies: dict[bytes, PlainReply | KeptReply] = {}
        self.zone_set: ZoneSet | None = None
        self.health: Mapping[int, bool] | None = None
        # The clock the cookie periods are checked against, read by `current`.
        self.now = 0.0
        # Replies answered from the cache, by (zone key, type, rcode); kept across clears.
        self.counts: dict[tuple[str, int, int], list[int]] = {}
        self.budget.caches.append(self)

    def current(self) -> dict[bytes, PlainReply | KeptReply]:
        """The kept replies, for the requests about to be answered (the whole of a UDP batch).

        Empties the cache first if the role's zones were replaced since its replies were kept,
        and reads the health view and the clock once for all of them. The zones and the health
        view are replaced only by the server's event loop, so they cannot change while a batch
        is answered.
        """
        state = self.state
        if self.zone_set is not state.zones[self.role]:
            self.clear()
            self.zone_set = state.zones[self.role]
        self.health = state.health
        self.now = time.time()
        return self.replies

    def reply_of(self, kept: PlainReply | KeptReply, source: bytes) -> bytes | None:
        """The reply after its ID that `kept` gives a query from `source` (packed), counted, or None.

        The one rule for answering from the cache; `current()` must have been called for the
        request. The batch loop inlines its first branch.
        """
        if kept.__class__ is PlainReply:
            kept.count[0] += 1
            return kept.tail
        tail, count, owner, until, draw, health = kept
        if owner is not None and owner != source:
            return None
        if until is not None and self.now >= until:
            return None
        if health is not None and health is not self.health:
            return None
        count[0] += 1
        return tail if draw is None else tail[draw.pick(self.state.rng)]

    def reply_after_id(self, key: bytes, source: bytes) -> bytes | None:
        """The kept reply, after its ID, to one query whose bytes after the ID are `key`, from `source`."""
        kept = self.current().get(key)
        return None if kept is None else self.reply_of(kept, source)

    def keep(
        self,
        data: bytes,
        reply: bytes | list[bytes],
        counted: tuple[str, int, int],
        owner: bytes | None,
        until: int | None,
        draw: WeightedPlan | None,
        health: Mapping[int, bool] | None,
    ) -> None:
        """Keep `reply` (after its ID) for the query `data`, with the conditions of KeptReply."""
        self.current()
        self.budget.make_room()
        key = data[2:]
        if key not in self.replies:
            self.budget.used += 1
        count = self.counts.get(counted)
        if count is None:
            count = self.counts[counted] = [0]
        if owner is None and until is None and draw is None and health is None:
            self.replies[key] = PlainReply(reply, count)  # type: ignore[arg-type]  # one tail without a draw
        else:
            self.replies[key] = KeptReply(reply, count, owner, until, draw, health)

    def clear(self) -> None:
        self.budget.used -= len(self.replies)
        self.replies = {}
