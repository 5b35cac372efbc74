"""Consensus driver: carries the slot core's effects out with real I/O.

Theory of operation
-------------------
Every rule lives in :class:`protocol.slots.SlotCore` (pure). This adapter owns
one task, :meth:`Consensus.run`, the only writer of consensus state: it takes
one typed event at a time, hands it to the core with the time, and carries
out the typed effects in order with ``match`` (an unknown effect raises).

Events arrive on two queues, served internal-first:
- *gossip* (blocks, votes, certificates, already verified by the pubsub
  validators off the event loop): bounded, and lossy when full, counted in
  ``dropped_events``; gossip re-announces and sync repair what is dropped;
- *internal* completions (Evaluated, Fetched, Synced, our own blocks, the
  tick): never dropped. The queue needs no cap because every producer is
  bounded by construction: at most ``max_evaluations`` evaluations and
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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import trio

from node.metrics import Metrics
from node.store import ForkError, Store, StoreError
from node.worker import Worker
from protocol import slots as sl
from protocol.admission import check_records
from protocol.block import Block, BlockLimits, decode_signed_header, open_payload
from protocol.errors import AttnshareError, LocalError, RemoteError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.lru import LruCache
from protocol.quorum import Certificate, verify_certificate
from protocol.record import Record
from protocol.vote import SignedVote, Vote, decode_signed_vote, sign_vote

log = logging.getLogger("attnshare.consensus")


@dataclass(frozen=True, slots=True)
class ConsensusParams:
    """The driver's settings; the slot bounds are in :class:`~protocol.slots.SlotParams`."""

    slots: sl.SlotParams = field(default_factory=sl.SlotParams)
    #: gossip events waiting for the consensus task; more are dropped (and counted)
    gossip_queue: int = 4096
    #: seconds between ticks (expiry of pending, stale and idle state; vote flushes)
    tick_s: float = 0.5
    #: others' votes are written in batches of this many (or at the next tick)
    vote_flush_rows: int = 2000
    #: votes already handed to the core: a repeat costs one lookup (finding 4)
    seen_votes: int = 65_536
    #: our stored vote for a slot is re-sent at most this often, however often its block is replayed
    resend_interval_s: float = 1.0

    def validate(self) -> ConsensusParams:
        self.slots.validate()
        if self.gossip_queue < 1 or self.vote_flush_rows < 1 or self.seen_votes < 1 or self.tick_s <= 0:
            raise LocalError("ConsensusParams: queue, flush and cache sizes must be >= 1, tick_s > 0")
        return self


@dataclass(frozen=True)
class ConsensusStats:
    committed_blocks: int
    committed_records: int
    rejected_blocks: int
    votes_cast: int
    evidence: int
    open_blocks: int
    pending_buffer: int
    store_errors: int = 0


@dataclass
class ConsensusIO:
    """What the driver needs from the rest of the node (all async)."""

    score: Callable[[Sequence[Record]], Awaitable[list[float]]]
    send_votes: Callable[[list[SignedVote]], None]
    publish_cert: Callable[[bytes], Awaitable[None]]
    fetch_block: Callable[[str, str | None], Awaitable[tuple[Block, bytes | None] | None]]
    now_ms: Callable[[], int]


@dataclass(eq=False)
class _Job:
    """An internal event; ``done`` is set once handled (Synced and ticks wait for it)."""

    event: sl.Event | None  # None: a tick
    done: trio.Event | None = None
    committed: bool = False


class Consensus:
    """One node's consensus state (a SlotCore) plus the task that drives it."""

    def __init__(self, *, key: PrivateKey, genesis: Genesis, store: Store, db: Worker, io: ConsensusIO,
                 metrics: Metrics, limits: BlockLimits | None = None, params: ConsensusParams | None = None) -> None:
        self.key, self.me, self.genesis = key, key.peer_id, genesis
        self.is_validator = self.me in genesis.validators
        self.store, self.db, self.io, self.metrics = store, db, io, metrics
        self.limits = limits or BlockLimits()
        self.params = (params or ConsensusParams()).validate()
        self.core = sl.SlotCore(genesis, self.me, self.params.slots)
        self._gossip: deque[sl.Event] = deque()
        self._internal: deque[_Job] = deque()
        self._wake = trio.Event()
        self._idle = trio.Event()
        self._seen_votes: LruCache[Vote, None] = LruCache(self.params.seen_votes)
        self._resent: LruCache[tuple[str, int], float] = LruCache(4096)
        self._vote_rows: list[tuple[str, str, str, int, int, bytes]] = []
        self._waiters: dict[tuple[str, int], trio.Event] = {}
        self._nursery: trio.Nursery | None = None
        self._committed_event = trio.Event()
        self.stats_committed_blocks = self.stats_committed_records = self.stats_rejected = 0
        self.stats_votes_cast = self.stats_evidence = self.stats_store_errors = 0
        #: recent commit latencies (ms, block creation -> local commit), for status and devnet
        self.latencies_ms: deque[int] = deque(maxlen=20_000)

    # ------------------------------------------------------------------ inputs
    def post_block(self, block: Block, from_peer: str | None) -> None:
        self._post_gossip(sl.BlockSeen(block, from_peer))

    def post_votes(self, votes: Sequence[SignedVote], from_peer: str | None) -> None:
        """Votes whose signatures were verified; ones already handed over are skipped at once."""
        fresh = tuple(sv for sv in votes if sv.vote not in self._seen_votes)
        for sv in fresh:
            self._seen_votes.put(sv.vote, None)
        if fresh:
            self._post_gossip(sl.VotesSeen(fresh, from_peer))

    def post_certificate(self, cert: Certificate, from_peer: str | None) -> None:
        self._post_gossip(sl.CertificateSeen(cert, from_peer))

    def _post_gossip(self, event: sl.Event) -> None:
        if len(self._gossip) >= self.params.gossip_queue:
            self.metrics.dropped_events.inc()  # gossip is lossy by design; sync repairs it
            return
        self._gossip.append(event)
        self._wake.set()

    def _post(self, job: _Job) -> None:
        self._internal.append(job)  # never dropped: bounded by in-flight limits (module docstring)
        self._wake.set()

    async def submit_block(self, block: Block) -> None:
        """Hand over one of our own blocks (never dropped)."""
        self._post(_Job(sl.BlockSeen(block, None)))

    async def submit_synced(self, block: Block, records: Sequence[Record], cert: Certificate) -> bool:
        """Commit a block sync has verified (verify_certified); True if newly committed here."""
        job = _Job(sl.Synced(block, tuple(records), cert), trio.Event())
        self._post(job)
        assert job.done is not None
        await job.done.wait()
        return job.committed

    # ------------------------------------------------------------------ queries
    def statistics(self) -> ConsensusStats:
        s = self.core.statistics()
        return ConsensusStats(
            self.stats_committed_blocks, self.stats_committed_records, self.stats_rejected, self.stats_votes_cast,
            self.stats_evidence, s.open_blocks, s.pending, self.stats_store_errors,
        )

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
        while self._gossip or self._internal or not self._idle.is_set():
            await self._idle.wait()
            await trio.lowlevel.checkpoint()

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
        self.stats_committed_blocks, self.stats_committed_records = await self.db.run(self.store.count_committed)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            nursery.start_soon(self._ticker)
            task_status.started()
            while True:
                if self._internal:
                    job = self._internal.popleft()
                elif self._gossip:
                    job = _Job(self._gossip.popleft())
                else:
                    self._wake = trio.Event()
                    self._idle.set()
                    await self._wake.wait()
                    self._idle = trio.Event()
                    continue
                await self._step(job)

    async def _ticker(self) -> None:
        while True:
            await trio.sleep(self.params.tick_s)
            job = _Job(None, trio.Event())
            self._post(job)
            assert job.done is not None
            await job.done.wait()  # at most one tick queued, however slow the task is

    async def _step(self, job: _Job) -> None:
        """Handle one event and everything it leads to; then release whoever waits on it."""
        todo: deque[sl.Event | None] = deque([job.event])
        try:
            while todo:
                ev = todo.popleft()
                if ev is None:
                    await self._flush_votes()
                elif isinstance(ev, sl.CertificateSeen) and self.core.decided(*ev.cert.slot) != "committed":
                    # Checked by the pubsub validator already; signature checks are cached, and
                    # anything left runs on a thread, not on the event loop.
                    vs, gid = self.genesis.validators, self.genesis.id
                    await trio.to_thread.run_sync(verify_certificate, ev.cert, vs, gid)
                effects = self.core.tick(self.io.now_ms()) if ev is None else self.core.handle(ev, self.io.now_ms())
                for eff in effects:
                    try:
                        follow = await self._apply(eff, job)
                    except (StoreError, ForkError) as exc:  # disk full, or > f faulty: count, keep serving
                        self.stats_store_errors += 1
                        log.error("store refused %s: %s", type(eff).__name__, exc)
                        continue
                    if follow is not None:
                        todo.append(follow)
        except RemoteError as exc:
            self.metrics.remote_errors.labels(type(exc).__name__).inc()
            log.info("refused remote input: %s", exc)
        finally:
            if job.done is not None:
                job.done.set()

    # ------------------------------------------------------------------ effects
    async def _apply(self, eff: sl.Effect, job: _Job) -> sl.Event | None:
        match eff:
            case sl.StoreBlock(block, received_ms):
                h = block.header
                await self.db.run(self.store.put_block, block.block_id, h.proposer, h.seq, block.signed.encode(),
                                  block.payload, h.created_ms, h.record_count, received_ms)
            case sl.Evaluate():
                self._spawn(self._evaluate, eff)
            case sl.Fetch(block_id, hint):
                self._spawn(self._fetch, block_id, hint)
            case sl.CastVote():
                return await self._cast(eff)
            case sl.ResendVote(proposer, seq):
                await self._resend(proposer, seq)
            case sl.StoreVotes(votes):
                # Kept for `show`/`votes`, not for safety: written in batches (one fsync per
                # vote message was the store's second-largest cost under load).
                self._vote_rows += [(v.vote.block_id, v.vote.voter, v.vote.proposer, v.vote.seq,
                                     int(v.vote.decision), v.encode()) for v in votes]
                if len(self._vote_rows) >= self.params.vote_flush_rows:
                    await self._flush_votes()
            case sl.Commit(block, records, cert):
                job.committed = await self._commit(block, records, cert)
            case sl.Reject(proposer, seq, block_id):
                if block_id is not None:
                    await self.db.run(self.store.reject_block, block_id, self.io.now_ms())
                self.stats_rejected += 1
                self.metrics.blocks_rejected.inc()
                self._wake_waiters((proposer, seq))
            case sl.PersistDecided(proposer, seq, outcome, block_id):
                # commit_block and reject_block record their own decisions in their transactions;
                # reject_block cannot when the store never kept the block (write window), so a
                # rejection is always marked too (idempotent).
                if outcome == "rejected":
                    await self.db.run(self.store.mark_decided, proposer, seq, outcome, None)
            case sl.RecordEvidence(ev):
                self.stats_evidence += 1
                self.metrics.evidence.labels(ev.kind).inc()
                log.warning("evidence of %s by %s in slot %s", ev.kind, ev.offender, ev.slot)
                await self.db.run(self.store.add_evidence, ev.kind, ev.offender, ev.slot[0], ev.slot[1],
                                  ev.encode(), self.io.now_ms())
            case sl.Refused(what, _peer):
                self.metrics.remote_errors.labels(what).inc()
            case sl.Forget(block_id, why):
                log.debug("forgot block %s (%s)", block_id, why)
            case sl.SlotForgotten(proposer, seq, why):
                log.info("forgot undecided slot %s/%d (%s)", proposer[-8:], seq, why)
            case _:
                raise LocalError(f"unknown consensus effect {eff!r:.80}")
        return None

    async def _cast(self, eff: sl.CastVote) -> sl.Event:
        vote = Vote(eff.block_id, eff.proposer, eff.seq, self.me, eff.decision, eff.reason)
        sv = sign_vote(vote, self.key, self.genesis.id)
        stored = await self.db.run(self.store.record_own_vote, eff.proposer, eff.seq, eff.block_id, sv.encode())
        if stored != sv.encode():
            sv = decode_signed_vote(stored)  # we voted in this slot before a restart: keep that vote
        self.stats_votes_cast += 1
        self.metrics.votes_cast.labels(eff.decision.name.lower()).inc()
        if eff.deviation is not None:
            self.metrics.score_deviation.observe(eff.deviation)
        self.io.send_votes([sv])
        self._seen_votes.put(sv.vote, None)
        return sl.VotesSeen((sv,), None)

    async def _resend(self, proposer: str, seq: int) -> None:
        last = self._resent.get((proposer, seq))
        now = trio.current_time()
        if not self.is_validator or (last is not None and now - last < self.params.resend_interval_s):
            return  # a replayed block must not make us publish once per replay
        self._resent.put((proposer, seq), now)
        if (raw := await self.db.run(self.store.own_vote, proposer, seq)) is not None:
            self.io.send_votes([decode_signed_vote(raw)])

    async def _commit(self, block: Block, records: tuple[Record, ...], cert: Certificate) -> bool:
        h = block.header
        now = self.io.now_ms()
        await self.db.run(self.store.put_block, block.block_id, h.proposer, h.seq, block.signed.encode(),
                          block.payload, h.created_ms, h.record_count, now, certified=True)
        new = bool(await self.db.run(self.store.commit_block, block.block_id, cert.encode(), list(records),
                                     list(h.float_scores()), now))
        if new:
            self.stats_committed_blocks += 1
            self.stats_committed_records += h.record_count
            self.metrics.blocks_committed.inc()
            self.metrics.records_committed.inc(h.record_count)
            self.metrics.commit_latency.observe(max(0, now - h.created_ms) / 1000)
            self.latencies_ms.append(max(0, now - h.created_ms))
        if h.proposer == self.me:
            await self.io.publish_cert(cert.encode())
        self._committed_event.set()
        self._committed_event = trio.Event()
        self._wake_waiters(h.slot)
        return new

    def _wake_waiters(self, slot: tuple[str, int]) -> None:
        ev = self._waiters.pop(slot, None)
        if ev is not None:
            ev.set()

    async def _flush_votes(self) -> None:
        rows, self._vote_rows = self._vote_rows, []
        if rows:
            await self.db.run(self.store.add_votes, rows)

    # ------------------------------------------------------------------ slow work (outside the task)
    def _spawn(self, fn: Callable[..., Awaitable[None]], *args: object) -> None:
        assert self._nursery is not None
        self._nursery.start_soon(fn, *args)

    async def _evaluate(self, eff: sl.Evaluate) -> None:
        """Decode and (if asked) re-score; ALWAYS answers, so the core's slot frees up."""
        block, h = eff.block, eff.block.header
        result: sl.Event
        try:
            records = eff.records
            if records is None:
                assert block.payload is not None
                records = await trio.to_thread.run_sync(open_payload, h, block.payload, self.limits)
            own = None
            if eff.score and check_records(h, records) is None:
                own = tuple(await self.io.score(records))
            result = sl.Evaluated(block.block_id, records, own)
        except RemoteError as exc:
            log.info("block %s from %s refused: %s", block.block_id, h.proposer, exc)
            result = sl.Evaluated(block.block_id, None, None)
        except Exception as exc:  # the scorer or a thread failed: our problem, not the block's
            log.exception("evaluating block %s failed", block.block_id)
            result = sl.EvaluationFailed(block.block_id, str(exc))
        self._post(_Job(result))

    async def _fetch(self, block_id: str, hint: str | None) -> None:
        """The store first (a payload held since before a restart), then sync. ALWAYS answers."""
        result: sl.Event = sl.FetchFailed(block_id)
        try:
            row = await self.db.run(self.store.get_block, block_id)
            if row is not None and row.payload is not None:
                result = sl.Fetched(Block(decode_signed_header(row.header, self.limits), row.payload))
            else:
                got = await self.io.fetch_block(block_id, hint)
                if got is not None and got[0].payload is not None and got[0].block_id == block_id:
                    result = sl.Fetched(got[0])
        except AttnshareError as exc:
            log.info("fetch of %s failed: %s", block_id, exc)
        self._post(_Job(result))
