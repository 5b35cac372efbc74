"""Consensus driver: carries the slot core's effects out with real I/O.

Theory of operation
-------------------
Every rule lives in :class:`protocol.slots.SlotCore` (pure). This adapter owns
one task, :meth:`Consensus.run`, the only writer of consensus state: it takes
one typed event at a time, hands it to the core with the time, and has
:class:`~node.core.consensus_effects.Effects` carry out the typed effects in order
(matched by type; an unknown effect raises).

Events arrive through :class:`~node.core.inbox.Inbox`, internal completions
first: gossip (blocks, votes, certificates, already verified by the pubsub
validators off the event loop) is bounded by count and bytes and lossy when
full, counted in ``dropped_events`` (gossip re-announces and sync repair what
is dropped); internal completions (Evaluated, Fetched, Synced, our own blocks,
the tick) are never dropped. That queue needs no cap because every producer
is bounded by construction: at most ``max_evaluations`` evaluations and
``max_fetches`` fetches are in flight (the core's limits), a sync task waits
for its own Synced to be handled, and the ticker waits for its tick.

Slow work runs outside the task: evaluation (decode on a thread, re-score on
the model worker), fetches (the store first, then sync), certificate checks
(a thread). Store writes go through the store's worker thread. A StoreError
(disk full...) is logged and counted, never fatal: the daemon keeps serving.
Our own vote is stored before it is sent, and a vote stored before a restart
is the one sent: a restart can never vote twice.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence

import trio

from node.core.consensus_effects import ConsensusIO, Effects
from node.core.consensus_params import ConsensusParams, ConsensusStats
from node.core.inbox import Inbox, Job
from node.metrics import Metrics
from node.net.pulse import Pulse
from node.store import ForkError, Store, StoreError
from node.worker import Worker
from protocol import slots as sl
from protocol.block import Block, BlockLimits
from protocol.errors import RemoteError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.lru import LruCache
from protocol.quorum import Certificate, verify_certificate
from protocol.record import Record
from protocol.vote import SignedVote, Vote

__all__ = ["Consensus", "ConsensusIO", "ConsensusParams", "ConsensusStats"]

log = logging.getLogger("attnshare.consensus")


class Consensus:
    """One node's consensus state (a SlotCore) plus the task that drives it."""

    def __init__(self, *, key: PrivateKey, genesis: Genesis, store: Store, db: Worker, io: ConsensusIO,
                 metrics: Metrics, limits: BlockLimits | None = None, params: ConsensusParams | None = None) -> None:
        self.me, self.genesis, self.store, self.db, self.io, self.metrics = key.peer_id, genesis, store, db, io, metrics
        self.params = p = (params or ConsensusParams()).validate()
        self.core = sl.SlotCore(genesis, self.me, p.slots)
        self.inbox = Inbox(p.gossip_queue, p.gossip_queue_bytes)
        self._committed_event = trio.Event()
        self._seen_votes: LruCache[Vote, None] = LruCache(p.seen_votes)
        self._waiters: dict[tuple[str, int], trio.Event] = {}
        self.changed = Pulse()  # fires after every handled event (tests and simulations wait on it)
        self.fx = Effects(key=key, genesis=genesis, store=store, db=db, io=io, metrics=metrics,
                          limits=limits or BlockLimits(), vote_flush_rows=p.vote_flush_rows,
                          resend_interval_s=p.resend_interval_s, seen_votes=self._seen_votes,
                          post=lambda ev: self.inbox.post(Job(ev)), on_decided=self._on_decided)
        self.stats_store_errors = 0
        self.stats_internal_errors = 0

    # Counters read by status, benchmarks and the devnet.
    @property
    def stats_committed_blocks(self) -> int:
        return self.fx.committed_blocks

    @property
    def stats_committed_records(self) -> int:
        return self.fx.committed_records

    @property
    def latencies_ms(self) -> deque[int]:
        return self.fx.latencies_ms

    # ------------------------------------------------------------------ inputs
    def post_block(self, block: Block, from_peer: str | None) -> None:
        self._post_gossip(sl.BlockSeen(block, from_peer))

    def post_votes(self, votes: Sequence[SignedVote], from_peer: str | None) -> None:
        """Votes whose signatures were verified; ones already handed over are skipped at once."""
        fresh = tuple(sv for sv in votes if sv.vote not in self._seen_votes)
        # Marked seen only once queued: a vote dropped at a full queue must count when it comes again.
        if fresh and self._post_gossip(sl.VotesSeen(fresh, from_peer)):
            for sv in fresh:
                self._seen_votes.put(sv.vote, None)

    def post_certificate(self, cert: Certificate, from_peer: str | None) -> None:
        self._post_gossip(sl.CertificateSeen(cert, from_peer))

    def _post_gossip(self, event: sl.Event) -> bool:
        if self.inbox.post_gossip(event):
            return True
        self.metrics.dropped_events.inc()  # gossip is lossy by design; re-sends and sync repair it
        return False

    async def submit_block(self, block: Block) -> None:
        """Hand over one of our own blocks (never dropped)."""
        self.inbox.post(Job(sl.BlockSeen(block, None)))

    async def submit_synced(self, block: Block, records: Sequence[Record], cert: Certificate) -> bool:
        """Commit a block sync has verified (verify_certified); True if newly committed here."""
        job = Job(sl.Synced(block, tuple(records), cert), trio.Event())
        self.inbox.post(job)
        assert job.done is not None
        await job.done.wait()
        return job.committed

    # ------------------------------------------------------------------ queries
    def statistics(self) -> ConsensusStats:
        s, fx = self.core.statistics(), self.fx
        return ConsensusStats(fx.committed_blocks, fx.committed_records, fx.rejected, fx.votes_cast, fx.evidence,
                              s.open_blocks, s.pending, self.stats_store_errors,
                              self.stats_internal_errors)

    def tips(self) -> dict[str, tuple[int, str | None]]:
        """Per proposer: (highest decided seq, latest committed block id)."""
        return self.core.tips()

    def decided(self, proposer: str, seq: int) -> str | None:
        return self.core.decided(proposer, seq)

    async def wait_decided(self, proposer: str, seq: int) -> str:
        """Wait until slot (proposer, seq) is committed or rejected; returns which."""
        while (outcome := self.core.decided(proposer, seq)) is None:
            await self._waiters.setdefault((proposer, seq), trio.Event()).wait()
        return outcome

    async def wait_idle(self) -> None:
        """Wait until every event posted so far is handled (tests, the simulator)."""
        await self.inbox.wait_idle()

    async def wait_commits(self, count: int) -> None:
        """Wait until at least ``count`` blocks are committed here (tests, devnet)."""
        while self.stats_committed_blocks < count:
            await self._committed_event.wait()

    # ------------------------------------------------------------------ running
    async def restore(self) -> None:
        """Rebuild chain tips and recent slot decisions from the store after a (re)start."""
        tips = await self.db.run(self.store.chain_tips)
        decided = await self.db.run(self.store.decided_window)
        self.core.restore(
            [(t.proposer, t.decided, t.committed_seq, t.committed_id, t.skipped) for t in tips],
            [(d.proposer, d.seq, "committed" if d.outcome == "committed" else "rejected") for d in decided],
        )
        self.fx.committed_blocks, self.fx.committed_records = await self.db.run(self.store.count_committed)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            self.fx.nursery = nursery
            nursery.start_soon(self._ticker)
            task_status.started()
            while True:
                await self._step(await self.inbox.next())

    async def _ticker(self) -> None:
        while True:
            await trio.sleep(self.params.tick_s)
            job = Job(None, trio.Event())
            self.inbox.post(job)
            assert job.done is not None
            await job.done.wait()  # at most one tick queued, however slow the task is

    async def _step(self, job: Job) -> None:
        """Handle one event and everything it leads to; then release whoever waits on it."""
        todo: deque[sl.Event | None] = deque([job.event])
        try:
            while todo:
                ev = todo.popleft()
                if ev is None:
                    await self.fx.flush_votes()
                elif isinstance(ev, sl.CertificateSeen) and self.core.decided(*ev.cert.slot) != "committed":
                    if await self._committed_in_store(ev.cert):
                        continue  # a replay of an old certificate: nothing to verify, store or score
                    # Checked by the pubsub validator already; signature checks are cached, and
                    # anything left runs on a thread, not on the event loop.
                    vs, gid = self.genesis.validators, self.genesis.id
                    await trio.to_thread.run_sync(verify_certificate, ev.cert, vs, gid)
                effects = self.core.tick(self.io.now_ms()) if ev is None else self.core.handle(ev, self.io.now_ms())
                for eff in effects:
                    try:
                        follow = await self.fx.apply(eff)
                    except (StoreError, ForkError) as exc:  # disk full, or > f faulty: count, keep serving
                        self.stats_store_errors += 1
                        log.error("store refused %s: %s", type(eff).__name__, exc)
                        continue
                    if isinstance(eff, sl.Commit):
                        job.committed = self.fx.last_commit_new
                    if follow is not None:
                        todo.append(follow)
        except RemoteError as exc:
            self.metrics.remote_errors.labels(type(exc).__name__).inc()
            log.info("refused remote input: %s", exc)
        except Exception:
            # A bug reached by some input must not let that input stop every commit: the pure core
            # already took the event, so log it loudly, count it (status), and keep serving.
            self.stats_internal_errors += 1
            log.exception("consensus: handling %s failed", type(job.event).__name__)
        finally:
            if job.done is not None:
                job.done.set()
            self.changed.fire()

    async def _committed_in_store(self, cert: Certificate) -> bool:
        """True if the store has the certificate's slot committed already, to its block.

        The core remembers only the last ``max_decided`` outcomes (after a restart, the store's
        last 64 slots per proposer), so a certificate of an older slot -- public, anyone can
        replay it -- went all the way: a thread to verify it, the block read, stored, decoded
        and committed again. A slot at or below the proposer's decided seq is the only kind that
        can be a replay: that one is looked up (one indexed read). A slot we saw rejected or
        skipped is not committed in the store, so a real gap still fills.
        """
        decided = self.core.chain.tip(cert.proposer).decided
        if cert.seq > decided:
            return False
        rows = await self.db.run(self.store.decided_since, cert.proposer, cert.seq, 1)
        # Only the very block: a certificate of another block in a committed slot (more than f
        # faulty) goes on to the core, which refuses and counts it ("conflicting-commit").
        return bool(rows) and rows[0].seq == cert.seq and rows[0].outcome == "committed" \
            and rows[0].block_id == cert.block_id

    def _on_decided(self, slot: tuple[str, int]) -> None:
        self._committed_event.set()
        self._committed_event = trio.Event()
        ev = self._waiters.pop(slot, None)
        if ev is not None:
            ev.set()

