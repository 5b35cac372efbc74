"""Ingest and the proposer: pending records -> scored window -> signed block.

Theory of operation
-------------------
1. ``ingest`` validates records and acknowledges them only once the store has
   them durably (the store commits with synchronous=FULL). At most
   ``memory_records`` pending records are held decoded in memory; the rest wait
   in the store and are read back, in ingest order, as the window drains (a
   restart starts that way: everything pending is in the store).
2. The proposer loop waits until enough records are pending (a full block) or
   the oldest has waited ``block_interval_ms``, then scores up to ``window``
   pending records together: a record's score depends on the others (duplicates,
   bursts, novelty).
3. protocol/selection.py's ShipSelector picks the most important records that
   fit the shipping budget (never one already committed); the rest are marked
   ``kept``, local and queryable.
4. Every score is computed against the history of our committed view
   (node/core/views.py), which the block header names; claimed scores are
   computed on the block's records alone with that history (what every
   validator re-scores with); the block ships only if it clears the
   validators' bar (``views.fit_block``), else its best half is tried once.
5. One of our slots is in flight at a time: ``prev`` must name our latest
   committed block, which is known only once the previous slot is decided.
   While waiting, the block is re-announced every few seconds so that lost
   gossip heals.

Crash safety: the block is stored durably *before* it is published, and our
next seq is derived from the blocks we stored. A crash before the store write
published nothing; a crash after it finds the undecided block on restart and
re-announces the very same bytes, so we never sign two blocks for one slot.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import trio

from node.config import PipelineConfig
from node.core.consensus import Consensus
from node.core.views import Views, fit_block
from node.metrics import Metrics
from node.net.pulse import Pulse
from node.store import Store
from node.worker import Worker
from protocol.block import Block, BlockLimits, build_block, decode_signed_header
from protocol.errors import LocalError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.record import Record, record_from_json
from protocol.selection import BudgetStats, PipelineParams, ShipSelector

log = logging.getLogger("attnshare.pipeline")

REANNOUNCE_S = 3.0
#: pending records held decoded in memory (at least two windows or blocks); beyond it they wait in
#: the store. Ingest is acknowledged ~3.6x faster than it is decided (README), so without a bound
#: a sustained ingest grows the daemon's memory for as long as it lasts (review 7, finding 1)
PENDING_IN_MEMORY = 4096
#: pending rows per store read when refilling memory: each read holds the store lock
REFILL_PAGE = 1024
#: records per ingest request: ~0.65 s of validation (in a thread), and the answer holds a cid each
MAX_INGEST_RECORDS = 100_000
#: requests up to this size are validated on the event loop (~1.7 ms): a thread costs more than that
VALIDATE_INLINE = 256


@dataclass(frozen=True)
class IngestResult:
    cids: list[str]
    errors: list[tuple[int, str]]  # (index in the request, message)


class Pipeline:
    """Turns ingested records into our own signed blocks."""

    def __init__(
        self, *, key: PrivateKey, genesis: Genesis, config: PipelineConfig, store: Store, db: Worker,
        score: Callable[[Sequence[Record]], Awaitable[list[float]]], model_id: str, consensus: Consensus,
        publish_block: Callable[[Block, int], Awaitable[None]], metrics: Metrics, now_ms: Callable[[], int],
        limits: BlockLimits | None = None, views: Views | None = None, memory_records: int = PENDING_IN_MEMORY,
        settle: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.key, self.me, self.genesis, self.config = key, key.peer_id, genesis, config
        self.store, self.db, self.model_id, self.views = store, db, model_id, views
        # Scores against a committed view's history (stream memory), or the records alone without one.
        self.score: Callable[..., Awaitable[list[float]]] = (
            views.score if views is not None
            else lambda records, _view, _proposer=None, judge=None, ranking=False: score(records))
        self.consensus, self.publish_block, self.metrics, self.now_ms = consensus, publish_block, metrics, now_ms
        self.limits = limits or BlockLimits()
        self.block_max = min(config.block_max_records, genesis.max_block_records)
        self.params = PipelineParams(
            share=config.ship_share if config.ship_share is not None else genesis.ship_share,
            bytes_per_s=config.ship_bytes_per_s,
            floor=config.ship_threshold if config.ship_threshold is not None else 0.0,
        )
        self.selector = ShipSelector(self.params)
        self.is_proposer = genesis.is_proposer(self.me)
        # Awaited once per run before the first window is decided: a proposer's catch-up, so its
        # first block names the view the validators hold (SyncService.settle; bounded there).
        self._settle = settle
        self._wake = trio.Event()
        self.changed = Pulse()  # fires after every window handled (tests and simulations wait on it)
        self._pending: deque[Record] = deque()
        self._deciding = 0  # records taken from _pending and not yet marked kept or shipped
        # Every pending row of the store is in _pending (or being decided), or, while _spilled,
        # above _cursor (a records.id): ingest queues in memory only while there is room, and
        # the proposer reads the rest back. Spilled from the start: after a restart the store may
        # hold any number of acknowledged undecided records.
        self.memory_records = max(memory_records, 2 * max(config.window, self.block_max))
        self._spilled = True
        self._cursor = 0
        self._stored_only = 0  # pending rows not in memory (for pending_count)
        # An ingest's write and its queueing, against a refill's read and its bookkeeping: a
        # record written between the two halves of either would be queued twice, or never.
        self._intake = trio.Lock()
        self.stats_ingested = self.stats_shipped = self.stats_kept = self.stats_blocks = 0

    # ------------------------------------------------------------------ ingest
    async def ingest(self, objs: Sequence[Any]) -> IngestResult:
        """Validate JSON-like record objects and store the good ones durably.

        A missing ``ts_ms`` is the daemon's clock at receipt, so such an object sent
        twice is two records; ``attnshare ingest`` stamps each line once instead.
        """
        if len(objs) > MAX_INGEST_RECORDS:
            raise LocalError(f"an ingest request holds at most {MAX_INGEST_RECORDS} records, "
                             f"not {len(objs)}: split it")
        now = self.now_ms()
        if len(objs) <= VALIDATE_INLINE:
            records, errors = self._validate(objs, now)
        else:
            # ~6.5 us a record, on the loop that also runs libp2p and consensus; it is pure.
            records, errors = await trio.to_thread.run_sync(self._validate, objs, now)
        cids = await self.ingest_records(records) if records else []
        return IngestResult(cids, errors)

    def _validate(self, objs: Sequence[Any], now: int) -> tuple[list[Record], list[tuple[int, str]]]:
        records: list[Record] = []
        errors: list[tuple[int, str]] = []
        for i, obj in enumerate(objs):
            try:
                if isinstance(obj, dict) and "ts_ms" not in obj:
                    obj = {**obj, "ts_ms": now}
                records.append(record_from_json(obj, self.me))
            except LocalError as exc:
                errors.append((i, str(exc)))
        return records, errors

    async def ingest_records(self, records: Sequence[Record]) -> list[str]:
        """Store records durably, then queue the new ones for scoring; returns their cids."""
        for r in records:
            if r.origin != self.me:
                raise LocalError(f"record origin {r.origin} is not this node ({self.me})")
        async with self._intake:
            new = await self.db.run(self.store.add_records_new, list(records), self.now_ms())
            self._queue([r for r, is_new in zip(records, new, strict=True) if is_new])
        self.stats_ingested += len(records)
        self.metrics.records_ingested.inc(len(records))
        self.metrics.pending_records.set(self.pending_count)
        self._wake.set()
        return [r.cid for r in records]

    def _queue(self, fresh: list[Record]) -> None:
        """Queue newly stored records in memory while there is room; the rest wait in the store."""
        # Pending records stay in memory as decoded Records while they fit: re-reading
        # and re-validating them from SQLite cost more than everything else in the
        # proposer. The store remains the source of truth (after a crash, or when full).
        room = 0 if self._spilled else max(0, self.memory_records - len(self._pending))
        self._pending.extend(fresh[:room])
        if len(fresh) > room:
            # The newest rows of the store, so above the cursor: the proposer reads them back.
            self._spilled = True
            self._stored_only += len(fresh) - room

    async def _refill(self) -> None:
        """Read records waiting in the store back into memory, oldest first, until it is full or none are left."""
        while self._spilled and len(self._pending) < self.memory_records:
            async with self._intake:
                want = min(REFILL_PAGE, self.memory_records - len(self._pending))
                rows = await self.db.run(self.store.pending_page, self._cursor, want)
                self._take(rows, want)
        self.metrics.pending_records.set(self.pending_count)

    def _take(self, rows: list[tuple[int, Record]], want: int) -> None:
        # Rows queued in memory by an ingest before the spill lie above the cursor too: skipped.
        known = {r.cid for r in self._pending}
        fresh = [r for _, r in rows if r.cid not in known]
        self._pending.extend(fresh)
        self._stored_only = max(0, self._stored_only - len(fresh))
        if rows:
            self._cursor = rows[-1][0]
        if len(rows) < want:  # nothing above the cursor: memory holds every pending record again
            self._spilled = False
            self._stored_only = 0

    @property
    def pending_count(self) -> int:
        """Acknowledged records not yet marked kept or shipped: in the store only, queued in
        memory, or in the window being decided."""
        return self._stored_only + len(self._pending) + self._deciding

    def budget(self) -> BudgetStats:
        """The shipping budget and its use (for ``status``)."""
        return self.selector.statistics()

    # ------------------------------------------------------------------ proposer
    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        # Restart: whatever was acknowledged but not yet scored is still pending in the store
        # (and ingest has queued nothing in memory: we start spilled).
        async with self._intake:
            self._stored_only = await self.db.run(self.store.count_pending)
        await self._refill()
        task_status.started()
        await self._resume_own_block()
        if self.is_proposer and self._settle is not None:
            await self._settle()
        while True:
            if len(self._pending) < self.memory_records // 2:
                await self._refill()  # at least a window and a block stay queued while any wait
            await self._wait_for_work()
            await self._step()

    async def _wait_for_work(self) -> None:
        """Return when a full block is pending, or the interval has passed with something pending."""
        deadline = trio.current_time() + self.config.block_interval_ms / 1000
        while True:
            if len(self._pending) >= self.block_max:
                return
            if self._pending and trio.current_time() >= deadline:
                return
            self._wake = trio.Event()
            with trio.move_on_at(deadline if self._pending else trio.current_time() + 1.0):
                await self._wake.wait()
            if not self._pending:
                deadline = trio.current_time() + self.config.block_interval_ms / 1000

    async def _step(self) -> None:
        n = min(self.config.window, len(self._pending))
        pending = [self._pending.popleft() for _ in range(n)]
        if not pending:
            return
        self._deciding = len(pending)
        try:
            await self._decide(pending)
        finally:
            self._deciding = 0
        self.changed.fire()

    async def _decide(self, pending: list[Record]) -> None:
        view = self.views.current() if self.views is not None else ()
        # Ranked with the model (not the judge), in the validators' setting: context, copy rule.
        scores = await self.score(pending, view, self.me if self.is_proposer else None, judge=False, ranking=True)
        block_records: list[Record] = []
        claimed: list[float] = []
        if self.is_proposer:
            already = await self.db.run(self.store.committed_record_cids, [r.cid for r in pending])
            chosen = self.selector.select(
                scores, [len(r.canonical_bytes()) for r in pending], [r.cid not in already for r in pending],
                self.now_ms(), self.block_max,
            ).indices
            if chosen:
                if self.views is not None:
                    # The view the block names is taken now, not when the window began: ranking a
                    # window takes most of a second, and a byzantine proposer committing tiny
                    # blocks meanwhile could push a view taken then past max_view_lag at the
                    # validators (review 10 #1). The claims are scored against this view.
                    view = self.views.current()
                # Claims as validators score them: the judge's in-block scores of what ships (only
                # then: most windows ship a few records, and those few are all it scores).
                block_records, claimed = await fit_block(
                    lambda recs: self.score(recs, view, self.me), [pending[i] for i in chosen], self.genesis)
        in_block = {r.cid for r in block_records}
        kept = [(r, s) for r, s in zip(pending, scores, strict=True) if r.cid not in in_block]
        if kept:
            await self.db.run(self.store.mark_records, [r.cid for r, _ in kept], "kept", scores=[s for _, s in kept])
            self.stats_kept += len(kept)
            self.metrics.records_kept.inc(len(kept))
        self._deciding = len(block_records)
        self.metrics.pending_records.set(self.pending_count)
        if block_records:
            await self._propose(block_records, claimed, view)

    async def _propose(self, records: list[Record], claimed: list[float], view: tuple[int, ...]) -> None:
        # Not reserve_seq(): a seq reserved and then lost in a crash before the
        # block was stored would leave a hole validators wait on forever. The
        # block is stored before it is published, so an unstored seq is unseen.
        last = await self.db.run(self.store.latest_own_block, self.me)
        seq = last.seq + 1 if last is not None else 1
        tip = self.consensus.tips().get(self.me)
        prev = tip[1] if tip else None
        block = await trio.to_thread.run_sync(
            lambda: build_block(
                self.key, genesis_id=self.genesis.id, network=self.genesis.network_id, seq=seq, prev=prev,
                created_ms=self.now_ms(),
                model_id=self.model_id, records=records, scores=claimed, limits=self.limits, view=view,
            )
        )
        h = block.signed.header
        # Durable before anyone can see it: a restart re-announces these exact bytes.
        await self.db.run(
            self.store.put_block, block.block_id, self.me, seq, block.signed.encode(), block.payload,
            h.created_ms, h.record_count, self.now_ms(),
        )
        await self.db.run(self.store.mark_records, [r.cid for r in records], "shipped", scores=claimed,
                          block_id=block.block_id)
        self._deciding = 0
        self.stats_blocks += 1
        self.stats_shipped += len(records)
        self.metrics.blocks_proposed.inc()
        self.metrics.records_shipped.inc(len(records))
        await self.consensus.submit_block(block)
        await self._announce_until_decided(block)

    async def _announce_until_decided(self, block: Block) -> None:
        h = block.signed.header
        attempt = 0
        while True:
            await self.publish_block(block, attempt)
            with trio.move_on_after(REANNOUNCE_S):
                outcome = await self.consensus.wait_decided(self.me, h.seq)
                if outcome == "rejected":
                    cids = [row.record.cid for row in await self.db.run(self.store.block_records, block.block_id)]
                    await self.db.run(self.store.mark_records, cids, "kept")
                    log.warning("our block %s (seq %d) was rejected", block.block_id, h.seq)
                return
            attempt += 1

    async def _resume_own_block(self) -> None:
        """After a restart: re-announce our latest block if its slot is undecided."""
        row = await self.db.run(self.store.latest_own_block, self.me)
        if row is None or row.status != "pending" or row.payload is None:
            return
        block = Block(decode_signed_header(row.header, self.limits), row.payload)
        await self.consensus.submit_block(block)
        log.info("re-announcing undecided block %s (seq %d)", block.block_id, row.seq)
        await self._announce_until_decided(block)
