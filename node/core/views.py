"""Stream memory for consensus: the committed view, and one History per view a block names.

Theory of operation
-------------------
A block header names the committed view its scores were computed against
(``header.view``: the committed seq of every genesis proposer, ``Genesis.proposer_ids``, sorted peer
ids; protocol/block.py). The **history of a view** is, for each proposer,
the last ``quota = capacity // n`` records of its committed blocks with seq
at most its entry, taken in (seq, position in block) order -- the same
records on every node that holds those commits, so a validator re-scores a
block bit for bit as its proposer did (History's features depend only on
the multiset of records, docs/attention.md). A per-proposer quota, rather
than one global "last 4,096", needs no global order of commits (none is
agreed) and keeps one proposer's blocks from flushing the others' out.

:class:`Views` keeps

* ``ours``: our committed seq per proposer, moved by :meth:`Views.on_commit`
  (called by the consensus effects after each commit is stored, before the
  slot counts as decided) and restored from the store at start;
* ``settled``: per proposer, the seq up to which every slot is settled here
  (committed and held, or known to have no commit: rejected by our tally, or
  passed over by a later commit's ``prev``). ``ours`` alone hid a hole a sync
  peer left below it (review 6, finding 3): the History of a view above it
  lacked the hole's records and the validator voted against honest blocks.
  Commits that continue the prefix move it here; a commit that jumps slots
  leaves it behind until :meth:`Views.wait_for` asks the store;
* per proposer, the committed blocks a view still allowed by the rule can
  need: every block above ``ours - max_view_lag`` plus enough older ones to
  fill the quota, each cut to its last ``quota`` records (only those can be
  in a history): at most ``(max_view_lag + 1) x quota`` records per proposer,
  ``(max_view_lag + 1) x capacity`` in all (70k records with the defaults).
  A block's records are held as their canonical bytes, back to back, and
  decoded again when a view adds the block or a block's context is read; their
  features come from the scorer's bounded feature cache, not pinned per block
  (review 25, row 1: decoded, with their features, a byzantine proposer's
  padded records were held at 7.4 times their canonical bytes, 1.1 GiB a
  proposer; ``scripts/measure_views_memory.py``). The cached Histories below
  still hold the features of their own records (quota a proposer each);
* an LRU of Histories keyed by view (``max_cached``). A new view is derived
  from the largest cached view at or below it on every entry, by adding the
  blocks in between (``History.add_grouped`` keeps each quota): incremental,
  not a rebuild of 4,096 records per block. A block committed out of order
  (a gap filled by sync) drops the cached views it changes.

A block's records are scored (by its proposer for the claims, by every
validator) in a window of at least ``admission.SCORING_CONTEXT`` records:
a smaller block after as many of its proposer's last committed records in
the view as fill it (:meth:`Views.context`), against the view's History;
only the block's own scores count.

The rule deciding whether a named view may be used at all is pure,
:func:`protocol.admission.check_view`; :meth:`Views.wait_for` waits, bounded
by ``wait_s`` and woken by each commit, for commits a view names that we lack
(above our head, or in a hole below it).
History building and scoring run on the model worker thread only; the trio
side only swaps in new immutable tuples, so the thread always reads a
consistent snapshot.
"""

from __future__ import annotations

import inspect
import time
from array import array
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgpack
import trio

from node.attention.features import RecordFeatures, featurize_record
from node.attention.history import CLAIM_SHARE_FACTOR, DEFAULT_CAPACITY, History
from node.net.pulse import Pulse
from node.worker import Worker
from protocol.admission import (
    NOVEL_RECORDS_PER_BLOCK,
    SCORING_CONTEXT,
    ViewCheck,
    check_view,
    novelty_budget_for_ranking,
    proposer_clears,
    within_novelty_budget,
    without_history_copies,
)
from protocol.block import BlockHeader, decode_signed_header, open_payload
from protocol.genesis import Genesis
from protocol.record import Record
from protocol.selection import best_half

__all__ = ["Views", "ViewStats", "fit_block"]

View = tuple[int, ...]


def novelty(records: Sequence[Record], hist: History, cache: Any) -> list[bool]:
    """Per record, whether it claims what ``hist`` never held (``History.novel``: a new kind, a field
    its kind never had, priority in a field its kind never claimed any in, or a made-up value in a
    field that mostly holds one), or (session 28) claims priority in a (kind, field) more often than
    the view's share predicts (``History.claims_past_share``). ``cache``: the scorer's feature cache."""
    feats = [cache.get(r) for r in records]
    return hist.claims_past_share(feats, [hist.novel(f) for f in feats])


def novelty_budget(scores: Sequence[float], records: Sequence[Record], hist: History, cache: Any) -> list[float]:
    """As validators judge a block: novel records past the budget count 0
    (:func:`protocol.admission.within_novelty_budget`)."""
    return within_novelty_budget(scores, novelty(records, hist, cache), len(hist))


@dataclass(eq=False, frozen=True, slots=True)
class _Committed:
    """One committed block's last records (at most a quota), as their canonical bytes back to back.

    Held for up to ``max_view_lag + 1`` blocks a proposer, whatever a byzantine proposer put in
    them: as bytes they cost their canonical size (the payload before zstd) plus 8 bytes a record,
    where decoded records cost 5-7 times that (Python keeps a value in 50-80 bytes whatever its
    size) and their features more again (review 25, row 1). :meth:`records` decodes them when a
    view or a context needs them.
    """

    seq: int
    data: bytes
    ends: array[int]  #: where each record's bytes end in ``data``
    block_id: str | None = None

    @classmethod
    def of(cls, seq: int, records: Sequence[Record], block_id: str | None) -> _Committed:
        ends: array[int] = array("Q")
        end = 0
        for r in records:
            end += len(r.canonical_bytes())
            ends.append(end)
        return cls(seq, b"".join([r.canonical_bytes() for r in records]), ends, block_id)

    def __len__(self) -> int:
        return len(self.ends)

    def records(self, last: int | None = None) -> list[Record]:
        """The block's records (its last ``last``), decoded: equal to those committed.

        The bytes are those of records this process built or decoded, so they are canonical and
        within the limits already: they are not checked again (``decode_records`` would, at 1.6-1.9
        times the cost), just unpacked into the fields' form (sorted pairs, lists as tuples).
        """
        ends, data, unpack = self.ends, self.data, msgpack.unpackb
        first = 0 if last is None else max(0, len(ends) - last)
        start = ends[first - 1] if first else 0
        out = []
        for i in range(first, len(ends)):
            end = ends[i]
            raw = data[start:end]
            kind, origin, ts_ms, items = unpack(raw, raw=False, use_list=False)
            out.append(Record(kind, origin, ts_ms, items, raw))
            start = end
        return out


@dataclass
class ViewStats:
    """How the cache is doing (for status and benchmarks)."""

    hits: int = 0
    derived: int = 0  #: from a cached view at or below, adding the blocks in between
    built: int = 0  #: from nothing (no cached view below)
    blocks_added: int = 0
    build_s: float = 0.0
    invalidated: int = 0
    waits: int = 0
    wait_timeouts: int = 0
    #: evaluations answered at once because their view names a commit a wait already ran out on
    not_rewaited: int = 0
    #: blocks judged, by how far their view lagged ours at most (seqs, on any proposer): the honest
    #: spread that ``genesis.max_view_lag`` must cover. Lags past it count in one bucket,
    #: ``max_view_lag + 1``: a peer chooses the lag, and one key each grew with the chain (review 25).
    lag_seen: dict[int, int] = field(default_factory=dict)


class Views:
    """Our committed view, the committed records views may need, and a History per view."""

    def __init__(self, genesis: Genesis, scorer: Any, model: Worker, *, capacity: int = DEFAULT_CAPACITY,
                 max_cached: int = 8, wait_s: float = 2.0, max_waiting: int = 2) -> None:
        self.genesis, self.scorer, self.model = genesis, scorer, model
        self.ids = genesis.proposer_ids
        self.index = {p: i for i, p in enumerate(self.ids)}
        self.quota = max(1, capacity // len(self.ids))
        self.lag = genesis.max_view_lag
        self.max_cached, self.wait_s, self.max_waiting = max_cached, wait_s, max_waiting
        self._waiting = 0
        self._waiting_for: set[str] = set()  # proposers with a block whose evaluation waits now
        # (proposer index, seq) named ahead of ours that a wait already ran out on: not waited for
        # again until we hold it (then the view is ready anyway). Without this two byzantine
        # proposers naming each other's never-made next commit held both waiters on every
        # re-announce. At most max_view_lag entries per proposer (further ahead is never waited).
        self._waited_in_vain: set[tuple[int, int]] = set()
        self.ours: list[int] = [0] * len(self.ids)
        self._ids: list[str | None] = [None] * len(self.ids)
        # Per proposer, the settled prefix: every slot up to it is committed and held, or known to
        # have no commit (a rejection decided here, or slots a later commit's prev passed over).
        # ``ours`` alone hid holes a sync peer left (review 6, finding 3). With its latest commit's
        # id, which the next commit's prev must name to pass over rejected slots.
        self._settled: list[int] = [0] * len(self.ids)
        self._settled_id: list[str | None] = [None] * len(self.ids)
        # Proposer index -> its settled prefix when a wait for a hole above it ran out: not waited
        # for again until the prefix moves (like _waited_in_vain, one entry per proposer at most).
        self._hole_waited: dict[int, int] = {}
        self._store: Any = None  # set by restore: where holes are settled from (slot decisions)
        self._db: Worker | None = None
        # Proposer index -> (settled prefix, our head) when the store last could not settle its hole:
        # asked again only once either moves (a hole no peer fills costs one read, not one per block).
        self._store_stuck: dict[int, tuple[int, int]] = {}
        self._blocks: list[tuple[_Committed, ...]] = [()] * len(self.ids)
        # Proposer index -> (the held blocks it came from, view entry, length, records): context()'s memo.
        self._last_context: dict[int, tuple[tuple[_Committed, ...], int, int, tuple[Record, ...]]] = {}
        self._cache: OrderedDict[View, History] = OrderedDict()
        self._pruned: list[int] = [0] * len(self.ids)  # highest seq no longer held, per proposer
        # Block id -> our view when we first judged that block: its lag is measured from there
        # (review 10 #1). Keyed by the block, not by its slot and view: a byzantine proposer's new
        # variant of a slot, signed after the view went stale, is judged from our view now.
        # Bounded: one entry per block judged, the least recently judged dropped.
        self._first_judged: OrderedDict[str, View] = OrderedDict()
        self._pending_drop: deque[tuple[int, int]] = deque()  # (proposer, seq): cached views to drop
        self.changed = Pulse()
        self.stats = ViewStats()
        # A scorer without stream memory (test fakes) scores records alone, on every node alike.
        self._with_history = "history" in inspect.signature(scorer.score).parameters
        self._with_judge = "judge" in inspect.signature(scorer.score).parameters
        self._with_copies = callable(getattr(scorer, "score_and_copies", None))

    # ------------------------------------------------------------------ committed state (trio side)
    def current(self) -> View:
        """Our committed view: the one our next block names."""
        return tuple(self.ours)

    def committed_id(self, proposer: str) -> str | None:
        return self._ids[self.index[proposer]]

    def on_commit(self, proposer: str, seq: int, block_id: str, records: Sequence[Record]) -> None:
        """A block committed here (stored): remember its records, move our view."""
        i = self.index.get(proposer)
        if i is None:
            return
        held = self._blocks[i]
        if any(b.seq == seq for b in held):
            return
        # Only a block's last quota records can be in any view's history (or context): keep those.
        blocks = tuple(sorted((*held, _Committed.of(seq, tuple(records)[-self.quota:], block_id)),
                              key=lambda b: b.seq))
        if seq > self.ours[i]:
            self.ours[i], self._ids[i] = seq, block_id
            if self._waited_in_vain:
                self._waited_in_vain = {(j, s) for j, s in self._waited_in_vain if j != i or s > seq}
        self._blocks[i] = self._prune(i, blocks, self.ours[i])
        if seq == self._settled[i] + 1:
            self._settle(i, seq, block_id)
        if held and seq < held[-1].seq:
            # A gap filled late (sync): cached views at or above it lack it. Queued after the new
            # blocks are in place, so the model thread never re-caches a view from the old ones.
            self._pending_drop.append((i, seq))
        self.changed.fire()

    def _prune(self, i: int, blocks: tuple[_Committed, ...], ours: int) -> tuple[_Committed, ...]:
        """Keep what any view the rule still allows (entry >= ours - lag) can need."""
        floor = ours - self.lag
        old = sum(len(b) for b in blocks if b.seq <= floor)
        start = 0
        while (start < len(blocks) - 1 and blocks[start].seq <= floor
               and old - len(blocks[start]) >= self.quota):
            old -= len(blocks[start])
            self._pruned[i] = max(self._pruned[i], blocks[start].seq)
            start += 1
        return blocks[start:]

    def _settle(self, i: int, seq: int, block_id: str | None) -> None:
        """Move proposer ``i``'s settled prefix to ``seq`` (its latest commit ``block_id``), then on
        over the held blocks that continue it (committed earlier, above the hole just filled)."""
        for b in self._blocks[i]:
            if b.seq == seq + 1:
                seq, block_id = b.seq, b.block_id
        self._settled[i], self._settled_id[i] = seq, block_id
        self._hole_waited.pop(i, None)

    def settled(self) -> View:
        """Per proposer, the seq up to which every slot is settled here (at most ``ours``)."""
        return tuple(self._settled)

    def held_records(self) -> int:
        return sum(len(b) for bs in self._blocks for b in bs)

    def held_bytes(self) -> int:
        """The canonical bytes of the committed records held (what they cost here, within 8 bytes a record)."""
        return sum(len(b.data) for bs in self._blocks for b in bs)

    # ------------------------------------------------------------------ the rule, and waiting
    #: Blocks whose first judgement is remembered (a block is a few dozen bytes here).
    FIRST_JUDGED = 4096

    def check(self, header: BlockHeader) -> ViewCheck:
        named = header.view or (0,) * len(self.ids)
        if len(named) != len(self.ids):
            return check_view(header, self.ours, self.genesis, self._settled)  # refused as malformed
        key = header.block_id
        first = self._first_judged.get(key)
        if first is None:
            first = tuple(self.ours)
            self._first_judged[key] = first
            while len(self._first_judged) > self.FIRST_JUDGED:
                self._first_judged.popitem(last=False)
        else:
            self._first_judged.move_to_end(key)  # an honest block re-announced for long keeps it
        # Measured from when we first judged it, for the entries whose history we can still build
        # exactly; for the others, from our view now (as before: refused beyond the lag).
        lag_from = [min(have, f) if self._rebuildable(i, v) else have
                    for i, (have, f, v) in enumerate(zip(self.ours, first, named, strict=True))]
        return check_view(header, self.ours, self.genesis, self._settled, lag_from)

    def _rebuildable(self, i: int, seq: int) -> bool:
        """Whether the history of proposer ``i``'s entry ``seq`` is still held whole: nothing of it
        pruned, or the blocks held at or below ``seq`` hold its last quota records."""
        if self._pruned[i] == 0:
            return True
        return sum(len(b) for b in self._blocks[i] if b.seq <= seq) >= self.quota

    async def wait_for(self, header: BlockHeader) -> ViewCheck:
        """The rule's answer once we hold the view, or after ``wait_s`` (then not ready: abstain).

        A view far ahead of ours (more than ``max_view_lag`` on some entry) is not
        waited for: it names commits nobody may have. Each wait holds one of the
        core's few evaluation slots, so at most ``max_waiting`` wait at once (byzantine
        proposers naming views just ahead cannot hold them all), and at most one per
        proposer (one byzantine proposer with a trap block in each of two slots held
        both: an honest block one commit ahead got no vote until its re-announce, 5.5 s
        against 0.5 s; review 37, finding B); beyond that the block gets no vote now and
        its next re-announce tries again. A commit we
        already waited for in vain (an entry ``(proposer, seq)`` still ahead of ours
        when a wait ran out) is not waited for again: the block gets its answer at
        once, and once we hold that commit its view is ready without waiting.
        An entry above a hole in our chain (below our head) is missing too: the store
        is asked first whether the slots there are settled after all (rejected, or
        passed over by a later commit's prev); if not, sync must bring the hole's
        commit, and a hole already waited for in vain is not waited for again until
        it is filled.
        """
        named = header.view or (0,) * len(self.ids)
        if len(named) == len(self.ids):
            lag = max(0, *(have - v for have, v in zip(self.ours, named, strict=True)))
            lag = min(lag, self.lag + 1)
            self.stats.lag_seen[lag] = self.stats.lag_seen.get(lag, 0) + 1
        chk = await self._check_settling(header, named)
        if (chk.ready or chk.verdict is not None or chk.far_ahead or self._waiting >= self.max_waiting
                or header.proposer in self._waiting_for):
            return chk
        missing = [(i, v) for i, v in enumerate(named) if v > self.ours[i]]
        holes = self._holes(named)
        if any(m in self._waited_in_vain for m in missing) or any(self._hole_waited.get(i) == h for i, h in holes):
            self.stats.not_rewaited += 1
            return chk
        self.stats.waits += 1
        self._waiting += 1
        self._waiting_for.add(header.proposer)
        try:
            with trio.move_on_after(self.wait_s):
                while not chk.ready and chk.verdict is None:
                    wake = self.changed.event()
                    await wake.wait()
                    chk = await self._check_settling(header, named)
                return chk
            self.stats.wait_timeouts += 1
            self._waited_in_vain.update((i, v) for i, v in missing if v > self.ours[i])
            self._hole_waited.update(self._holes(named))
            return self.check(header)
        finally:
            self._waiting -= 1
            self._waiting_for.discard(header.proposer)

    def _holes(self, named: Sequence[int]) -> list[tuple[int, int]]:
        """(proposer index, settled prefix) of every entry of ``named`` above a hole below our head."""
        if len(named) != len(self.ids):
            return []
        return [(i, s) for i, (v, s, have) in enumerate(zip(named, self._settled, self.ours, strict=True))
                if s < min(v, have)]

    async def _check_settling(self, header: BlockHeader, named: Sequence[int]) -> ViewCheck:
        """:meth:`check`, after asking the store to settle the holes the view's entries stand above.

        A commit that jumps slots (a rejection we did not see, or a commit sync brought before an
        earlier one) leaves our in-memory prefix behind; the store's slot decisions and the next
        commit's prev say whether those slots are settled. Read only while a hole blocks a view.
        """
        chk = self.check(header)
        if chk.ready or chk.verdict is not None or self._store is None or self._db is None:
            return chk
        moved = False
        for i, _s in self._holes(named):
            # Read now, not before an earlier await: on_commit may have moved them since.
            s, sid, upto = self._settled[i], self._settled_id[i], self.ours[i]
            if self._store_stuck.get(i) == (s, upto) or s >= min(named[i], upto):
                continue
            seq, block_id = await self._db.run(_read_settled, self._store, self.ids[i], s, sid, upto)
            if seq > self._settled[i]:
                self._settle(i, seq, block_id)
                moved = True
            if self._settled[i] < upto:
                self._store_stuck[i] = (self._settled[i], upto)
        return self.check(header) if moved else chk

    # ------------------------------------------------------------------ scoring (model thread)
    async def score(self, records: Sequence[Record], view: Sequence[int], proposer: str | None = None, *,
                    judge: bool | None = None, ranking: bool = False) -> list[float]:
        """Scores of ``records`` as one window against the history of ``view`` (() = no history).

        With ``proposer`` (a block's records, as validators judge them), the window starts
        with :meth:`context` (for blocks under ``SCORING_CONTEXT`` records), whose scores are dropped,
        and exact and near copies of the view's committed content score 0. ``judge`` (default: whether
        ``proposer`` is given) scores with the checkpoint's judge weights: in-block scores.
        ``ranking``: the proposer ranking its own window, where the novelty budget keeps the
        best-scoring novel records, not the first (``admission.novelty_budget_for_ranking``).
        """
        return await self.model.run(self.score_sync, list(records), tuple(view), proposer, judge, ranking)

    def score_sync(self, records: list[Record], view: View, proposer: str | None = None,
                   judge: bool | None = None, ranking: bool = False) -> list[float]:
        judge = proposer is not None if judge is None else judge
        if not self._with_history:
            return list(self.scorer.score(records, judge=judge) if self._with_judge else self.scorer.score(records))
        ctx, hist = self._setting(records, view, proposer)
        if proposer is not None and self._with_copies:
            # As validators judge a block: exact and near copies of committed content count 0.
            scores, copies = self.scorer.score_and_copies(ctx + records, hist, judge=judge)
            return self._novelty_budget(without_history_copies(scores[len(ctx):], copies[len(ctx):]), records, hist,
                                        ranking)
        if self._with_judge:
            scores = list(self.scorer.score(ctx + records, hist, judge=judge))[len(ctx):]
        else:
            scores = list(self.scorer.score(ctx + records, hist))[len(ctx):]
        return self._copy_rule(scores, records, hist, ranking) if proposer is not None else scores

    def _setting(self, records: list[Record], view: View, proposer: str | None) -> tuple[list[Record], History]:
        ctx = self.context(view, proposer, len(records)) if proposer is not None else []
        return ctx, self.history(view)

    def _copy_rule(self, scores: list[float], records: list[Record], hist: History,
                   ranking: bool = False) -> list[float]:
        # A scorer without near digests (test fakes): exact copies of committed content count 0.
        cache = self.scorer.cache
        scores = without_history_copies(scores, [hist.has_content(cache.get(r).content) for r in records])
        return self._novelty_budget(scores, records, hist, ranking)

    def _novelty_budget(self, scores: list[float], records: list[Record], hist: History,
                        ranking: bool = False) -> list[float]:
        if ranking:
            return novelty_budget_for_ranking(scores, novelty(records, hist, self.scorer.cache), len(hist))
        return novelty_budget(scores, records, hist, self.scorer.cache)


    def context(self, view: Sequence[int], proposer: str, block_len: int) -> list[Record]:
        """What a block of ``block_len`` records of ``proposer`` is scored after (oldest first): its
        last committed records in ``view``, as many as fill the window up to
        ``admission.SCORING_CONTEXT`` (capped by the quota, so always held); none for big blocks."""
        view = tuple(view) or (0,) * len(self.ids)
        i = self.index[proposer]
        want = max(0, min(SCORING_CONTEXT, self.quota) - block_len)
        held = self._blocks[i]
        # The last context decoded, per proposer: every block evaluated against the same view
        # would decode the same records again (worst records: 8.7 ms a block, review 27 row 7).
        # Keyed by the held tuple itself (a commit replaces it), so it is never stale; at most
        # SCORING_CONTEXT decoded records a proposer.
        last = self._last_context.get(i)
        if last is not None and last[0] is held and last[1] == view[i] and last[2] == want:
            return list(last[3])
        out: list[Record] = []
        for b in reversed(held):
            if len(out) >= want:
                break
            if b.seq <= view[i]:
                out[:0] = b.records(want - len(out))
        self._last_context[i] = (held, view[i], want, tuple(out))
        return out

    def history(self, view: Sequence[int]) -> History:
        """The History of ``view`` (model thread only). Raises ValueError for a malformed view."""
        view = tuple(view) or (0,) * len(self.ids)
        if len(view) != len(self.ids):
            raise ValueError(f"a view has one entry per proposer ({len(self.ids)}), got {len(view)}")
        self._drop_changed()
        hit = self._cache.get(view)
        if hit is not None:
            self._cache.move_to_end(view)
            self.stats.hits += 1
            return hit
        start = time.perf_counter()
        base_view, base = self._best_base(view)
        hist = base.copy() if base is not None else History(max(1, self.quota * len(self.ids)))
        for i, upto in enumerate(view):
            since = base_view[i] if base_view is not None else 0
            blocks = [b for b in self._blocks[i] if since < b.seq <= upto]
            if base is None:  # only the last quota records can matter
                kept, total = [], 0
                for b in reversed(blocks):
                    kept.append(b)
                    total += len(b)
                    if total >= self.quota:
                        break
                blocks = kept[::-1]
            for b in blocks:
                hist.add_grouped(i, self._features(b), self.quota)
            self.stats.blocks_added += len(blocks)
        if base is None:
            self.stats.built += 1
        else:
            self.stats.derived += 1
        self.stats.build_s += time.perf_counter() - start
        self._cache[view] = hist
        while len(self._cache) > self.max_cached:
            self._cache.popitem(last=False)
        return hist

    def can_build(self, view: Sequence[int]) -> bool:
        """Whether we still hold what the History of ``view`` needs (views the rule allows always)."""
        view = tuple(view) or (0,) * len(self.ids)
        # Nothing pruned yet, or a quota of records held at or below the entry (pruning keeps one
        # at or below ours - lag): then the last quota records at or below it are all here.
        return len(view) == len(self.ids) and all(
            self._pruned[i] == 0 or sum(len(b) for b in self._blocks[i] if b.seq <= v) >= self.quota
            for i, v in enumerate(view))

    def explain_sync(self, records: list[Record], index: int, top_k: int, view: View,
                     proposer: str | None = None) -> dict[str, Any]:
        """The scorer's explanation of ``records[index]`` as validators scored it (the view's History,
        after the proposer's context) if we can still build that view; else within the block alone."""
        if self._with_history and self.can_build(view):
            ctx = self.context(view, proposer, len(records)) if proposer is not None else []
            hist = self.history(view)
            exp = self.scorer.explain(ctx + records, len(ctx) + index, top_k, history=hist,
                                      **self._judge_kw(proposer))
            out = {**exp, "view_history": True, "context_records": len(ctx)}
            if proposer is not None and self._is_copy(records, index, hist):
                # The copy rule, as validators applied it: the model's own score is kept beside.
                out["model_score"] = out["score"]
                out["score"] = 0.0
                out["reasons"] = [{"code": "copy_rule", "of": "history", "weight": 1.0,
                                   "text": "exact or near copy of committed content, one field off it, or its measured "
                                           "numbers under other labels: scores 0 (the copy rule)"},
                                  *out.get("reasons", [])]
            elif proposer is not None and out["score"] > 0 \
                    and (claim := self._novelty_claim(records, index, hist)) is not None \
                    and self.score_sync(records, view, proposer)[index] == 0.0:
                # The novelty budget cut this record (the whole block decides which novel records count).
                out["model_score"] = out["score"]
                out["score"] = 0.0
                out["reasons"] = [{"code": "novelty_budget", "of": "block", "weight": 1.0, "claim": claim,
                                   "text": f"{claim}, and the block holds more than {NOVEL_RECORDS_PER_BLOCK} "
                                           "such novel records: scores 0 (the novelty budget)"},
                                  *out.get("reasons", [])]
            return out
        return {**self.scorer.explain(records, index, top_k, **self._judge_kw(proposer)),
                "view_history": False, "context_records": 0}

    def _novelty_claim(self, records: list[Record], index: int, hist: History) -> str | None:
        """What made ``records[index]`` novel in its block, in words: the record's own claim
        (``History.novelty_claim``) or, if only the block shows it, priority claimed past the view's share."""
        claim = hist.novelty_claim(self.scorer.cache.get(records[index]))
        if claim is None and novelty(records, hist, self.scorer.cache)[index]:
            claim = (f"priority claimed in a field more often than {CLAIM_SHARE_FACTOR}x the view's share of "
                     "its kind's records claim it there")
        return claim

    def _is_copy(self, records: list[Record], index: int, hist: History) -> bool:
        if self._with_copies:
            return bool(self.scorer.score_and_copies([records[index]], hist)[1][0])
        return bool(hist.has_content(self.scorer.cache.get(records[index]).content))

    def _judge_kw(self, proposer: str | None) -> dict[str, bool]:
        # A block's record is explained as validators scored it: with the judge's weights.
        return {"judge": proposer is not None} if self._with_judge else {}

    def _best_base(self, view: View) -> tuple[View | None, History | None]:
        best: tuple[int, View] | None = None
        for v in self._cache:
            # Deriving needs every block in between: held only above what was pruned.
            if all(self._pruned[i] <= a <= b for i, (a, b) in enumerate(zip(v, view, strict=True))):
                key = (sum(v), v)
                if best is None or key > best:
                    best = key
        if best is None:
            return None, None
        return best[1], self._cache[best[1]]

    def _drop_changed(self) -> None:
        while self._pending_drop:
            i, seq = self._pending_drop.popleft()
            for v in [v for v in self._cache if v[i] >= seq]:
                del self._cache[v]
                self.stats.invalidated += 1

    def _features(self, b: _Committed) -> list[RecordFeatures]:
        # Not kept per block (review 25, row 1): the scorer's cache is bounded, and keyed by the
        # records' bytes, so a block validation just featurized is decoded and looked up, not featurized.
        cache = getattr(self.scorer, "cache", None)
        return [cache.get(r) if cache is not None else featurize_record(r) for r in b.records()]

    # ------------------------------------------------------------------ restart
    async def restore(self, store: Any, db: Worker) -> None:
        """Rebuild our view and the blocks views may need from the store; holes are settled from it
        from now on (``db`` must be the worker the consensus commits through, see :func:`_read_settled`)."""
        self._store, self._db = store, db
        for p, seq, block_id, records in await db.run(self._read_store, store):
            self.on_commit(p, seq, block_id, records)
        for i, p in enumerate(self.ids):
            upto, upto_id = await db.run(_read_settled, store, p, self._settled[i], self._settled_id[i], self.ours[i])
            if upto > self._settled[i]:
                self._settle(i, upto, upto_id)

    def _read_store(self, store: Any) -> list[tuple[str, int, str, tuple[Record, ...]]]:
        heads = {p: s for p, s, _b, _n in store.heads()}
        out = []
        for p in self.ids:
            head = heads.get(p, 0)
            if not head:
                continue
            lo = head
            rows: list[Any] = []
            # Walk back until the blocks at or below head - lag hold a quota (or seq 1).
            while True:
                lo = max(1, lo - max(self.lag, 16), head - 10_000 + 1)
                rows = store.blocks_range(p, lo, head - lo + 1)
                old = sum(r.record_count for r in rows if r.seq <= head - self.lag)
                if lo == 1 or old >= self.quota or head - lo + 1 >= 10_000:
                    break
            out += [(p, r.seq, r.block_id, open_payload(decode_signed_header(r.header).header, r.payload))
                    for r in rows if r.payload is not None]
        return out


#: Slot decisions read per store query while settling a proposer's prefix.
_SETTLE_PAGE = 1024


def _read_settled(store: Any, proposer: str, seq: int, block_id: str | None, upto: int) -> tuple[int, str | None]:
    """How far ``proposer``'s settled prefix runs on from ``seq`` (latest commit ``block_id``), up to
    ``upto``, by the store (on the store worker). Returns the new prefix and its latest commit's id.

    A slot committed here is settled (the store holds every committed block). A slot with no
    decision here is settled if the next commit above it names our latest settled commit as
    its prev: a quorum voted for that block as the next of the chain, so nothing committed in
    between (slots a commit from sync jumped over before we saw them decided).

    A slot *our tally rejected* is settled the same way, not by the rejection alone (review 9
    #1): a byzantine validator that sends us a REJECT and the others an ACCEPT can make our
    tally reject a slot that committed elsewhere, and withhold its certificate. If the next
    commit above our rejections names a block we do not hold as its prev, they are a hole:
    views naming them wait (then abstain) until sync brings the commit, instead of being
    scored against a history that lacks its records. (``upto`` is our latest commit, so every
    run of rejections below it has a commit above it to judge it by.)

    The store commits a block and the consensus task calls :meth:`Views.on_commit` with no
    await in between; this read runs on the same worker, so every commit it sees is one the
    views hold already.
    """
    for p, head, head_id, count in store.heads():
        if p == proposer and count == head and head <= upto:
            return head, head_id  # no hole anywhere (one row: the common case)

    def prev_of(row: Any) -> str | None:
        return decode_signed_header(row.header).header.prev

    run = seq  # seq < s <= run: our rejections above the prefix, not yet passed over by a commit
    while run < upto:
        rows = store.decided_since(proposer, run + 1, _SETTLE_PAGE)
        for row in rows:
            if row.seq != run + 1 or row.seq > upto:
                break
            if row.outcome != "committed":
                run = row.seq
                continue
            if run > seq:
                got = store.blocks_range(proposer, row.seq, 1)
                if not got or got[0].seq != row.seq or prev_of(got[0]) != block_id:
                    return seq, block_id  # our rejections were not the chain's: a hole
            seq = run = row.seq
            block_id = row.block_id
        else:
            if len(rows) == _SETTLE_PAGE:
                continue  # a whole page read: read on
        if run >= upto:
            break
        # run + 1 has no decision here: the next commit must pass over it (and our rejections) from ours.
        nxt = store.blocks_range(proposer, run + 1, 1)
        if not nxt:
            break
        if prev_of(nxt[0]) != block_id:
            return seq, block_id
        if nxt[0].seq > upto:
            break
        seq = run = nxt[0].seq
        block_id = nxt[0].block_id
    return run, block_id


async def fit_block(score: Callable[[Sequence[Record]], Awaitable[list[float]]], records: list[Record],
                    genesis: Genesis, known: list[float] | None = None) -> tuple[list[Record], list[float]]:
    """The block to propose from ``records`` (chosen in their window) and its claimed scores.

    Validators can only re-score the records among themselves (after the
    proposer's committed context, with the view's history), so ``score`` does
    that and its scores are the claims (``known``: the window was scored that
    way and is the block, in order). The block ships only if it clears the
    validators' bar; else its best half is tried once; else nothing.
    """
    claimed = known if known is not None else await score(records)
    if proposer_clears(claimed, genesis):
        return records, claimed
    keep = [records[i] for i in best_half(claimed)]
    claimed = await score(keep)
    if not proposer_clears(claimed, genesis):
        return [], []
    return keep, claimed
