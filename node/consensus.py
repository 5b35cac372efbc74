"""Consensus driver: carries out the protocol core's decisions with real I/O.

Theory of operation
-------------------
Every event that touches consensus state (a block, a batch of votes, a
certificate, the result of evaluating a block, a block fetched over sync, a
tick) goes through one trio channel and is handled by one task, so the
QuorumTracker, ChainState and PendingBuffer (all pure, in protocol/) see a
single ordered stream, like a sans-I/O state machine should.

Anything slow runs outside that task and comes back as an event:
- evaluating a block (bomb-proof decode plus re-scoring with the model) runs in
  its own task, through the scorer's worker thread, then posts ``Evaluated``;
- fetching a block we only know by id (a certificate or votes arrived first, or
  the payload was too big for gossip) runs over the sync protocol, then posts
  ``Fetched``.
Store writes happen inside the loop, through the store's single worker thread.

A validator votes on a block only when the chain says it is READY (every
earlier slot of that proposer is decided and ``prev`` is the latest committed
block). FUTURE blocks wait in the bounded pending buffer; never in the pubsub
validator. Our own vote is made durable (``record_own_vote``) *before* it is
queued for sending, and if the store already holds a vote of ours for that
slot, that earlier vote is what we send: a restart can never vote twice.

Gossip is lossy. Repairs: a block re-announced by its proposer, or seen again,
makes us re-send our stored vote for it; a commit whose block we lack triggers
a sync fetch; anti-entropy (node/syncsvc.py) fills the rest.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import trio

from node.metrics import Metrics
from node.store import Store
from node.worker import Worker
from protocol.block import Block, BlockLimits, open_payload
from protocol.chain import ChainState, PendingBuffer, Verdict
from protocol.errors import AttnshareError, RemoteError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.quorum import (
    Certificate,
    Committed,
    EvidenceFound,
    QuorumTracker,
    Rejected,
    SlotDropped,
    verify_certificate,
)
from protocol.record import Record
from protocol.vote import Decision, Reason, SignedVote, Vote, decode_signed_vote, sign_vote

log = logging.getLogger("attnshare.consensus")

# Event kinds handled by the consensus task.
_BLOCK, _VOTES, _CERT, _EVALUATED, _FETCHED, _TICK = range(6)


@dataclass
class _OpenBlock:
    """A block we hold whose slot we have not yet finished with."""

    block: Block
    received_ms: int
    records: tuple[Record, ...] | None = None
    evaluating: bool = False
    voted: bool = False


@dataclass(frozen=True)
class ConsensusStats:
    committed_blocks: int
    committed_records: int
    rejected_blocks: int
    votes_cast: int
    evidence: int
    open_blocks: int
    pending_buffer: int


@dataclass
class ConsensusIO:
    """What the driver needs from the rest of the node (all async)."""

    score: Callable[[Sequence[Record]], Awaitable[list[float]]]
    send_votes: Callable[[list[SignedVote]], None]
    publish_cert: Callable[[bytes], Awaitable[None]]
    fetch_block: Callable[[str, str | None], Awaitable[tuple[Block, bytes | None] | None]]
    now_ms: Callable[[], int]


class Consensus:
    """One node's consensus state plus the task that drives it."""

    def __init__(
        self,
        *,
        key: PrivateKey,
        genesis: Genesis,
        store: Store,
        db: Worker,
        io: ConsensusIO,
        metrics: Metrics,
        limits: BlockLimits | None = None,
    ) -> None:
        self.key = key
        self.me = key.peer_id
        self.genesis = genesis
        self.validators = genesis.validators
        self.is_validator = self.me in self.validators
        self.store = store
        self.db = db
        self.io = io
        self.metrics = metrics
        self.limits = limits or BlockLimits()
        self.tracker = QuorumTracker(self.validators)
        self.chain = ChainState()
        self.pending = PendingBuffer(max_items=1024, max_per_key=64, timeout_ms=120_000)
        self._open: dict[str, _OpenBlock] = {}
        self._certs_waiting: dict[str, Certificate] = {}
        self._fetching: set[str] = set()
        self._vote_rows: list[tuple[str, str, str, int, int, bytes]] = []
        self._decided: dict[tuple[str, int], str] = {}  # slot -> "committed" | "rejected"
        self._waiters: dict[tuple[str, int], trio.Event] = {}
        self._send, self._recv = trio.open_memory_channel[tuple[int, Any]](4096)
        self._nursery: trio.Nursery | None = None
        self._committed_event = trio.Event()
        self.stats_committed_blocks = 0
        self.stats_committed_records = 0
        self.stats_rejected = 0
        self.stats_votes_cast = 0
        self.stats_evidence = 0
        #: recent commit latencies (ms, block creation -> local commit), for status and devnet
        self.latencies_ms: deque[int] = deque(maxlen=20_000)

    # ------------------------------------------------------------------ inputs
    def post_block(self, block: Block, from_peer: str | None) -> None:
        self._post((_BLOCK, (block, from_peer)))

    def post_votes(self, votes: list[SignedVote], from_peer: str | None) -> None:
        self._post((_VOTES, (votes, from_peer)))

    def post_certificate(self, cert: Certificate, from_peer: str | None) -> None:
        self._post((_CERT, (cert, from_peer)))

    def _post(self, event: tuple[int, Any]) -> None:
        try:
            self._send.send_nowait(event)
        except trio.WouldBlock:
            # Gossip is lossy by design; sync repairs what we drop here.
            self.metrics.dropped_events.inc()

    async def submit_block(self, block: Block) -> None:
        """Queue one of our own blocks (waits for room: back-pressure for the proposer)."""
        await self._send.send((_BLOCK, (block, None)))

    # ------------------------------------------------------------------ queries
    def statistics(self) -> ConsensusStats:
        return ConsensusStats(
            committed_blocks=self.stats_committed_blocks,
            committed_records=self.stats_committed_records,
            rejected_blocks=self.stats_rejected,
            votes_cast=self.stats_votes_cast,
            evidence=self.stats_evidence,
            open_blocks=len(self._open),
            pending_buffer=len(self.pending),
        )

    def tips(self) -> dict[str, tuple[int, str | None]]:
        """Per proposer: (highest decided seq, latest committed block id)."""
        return self.chain.snapshot()

    def decided(self, proposer: str, seq: int) -> str | None:
        return self._decided.get((proposer, seq))

    async def wait_decided(self, proposer: str, seq: int) -> str:
        """Wait until slot (proposer, seq) is committed or rejected; returns which."""
        while (proposer, seq) not in self._decided:
            ev = self._waiters.setdefault((proposer, seq), trio.Event())
            await ev.wait()
        return self._decided[(proposer, seq)]

    # ------------------------------------------------------------------ running
    async def restore(self) -> None:
        """Rebuild chain state from the store after a (re)start."""
        heads = await self.db.run(self.store.chain_state)
        for proposer, committed_seq, committed_id, decided_seq in heads:
            self.chain.restore(proposer, decided_seq, committed_seq, committed_id)
        counts = await self.db.run(self.store.count_committed)
        self.stats_committed_blocks, self.stats_committed_records = counts

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            nursery.start_soon(self._ticker)
            task_status.started()
            async for kind, payload in self._recv:
                try:
                    await self._dispatch(kind, payload)
                except RemoteError as exc:
                    self.metrics.remote_errors.labels(type(exc).__name__).inc()
                    log.info("refused remote input: %s", exc)

    async def _ticker(self) -> None:
        while True:
            await trio.sleep(0.5)
            self._post((_TICK, None))

    async def _dispatch(self, kind: int, payload: Any) -> None:
        if kind == _BLOCK:
            await self._on_block(*payload)
        elif kind == _VOTES:
            await self._on_votes(*payload)
        elif kind == _CERT:
            await self._on_certificate(*payload)
        elif kind == _EVALUATED:
            await self._on_evaluated(*payload)
        elif kind == _FETCHED:
            await self._on_fetched(*payload)
        elif kind == _TICK:
            await self._on_tick()

    # ------------------------------------------------------------------ blocks
    async def _on_block(self, block: Block, from_peer: str | None) -> None:
        h = block.signed.header
        bid = block.block_id
        if h.network != self.genesis.network_id or h.proposer not in self.validators:
            self.metrics.remote_errors.labels("foreign_block").inc()
            return
        now = self.io.now_ms()
        for eff in self.tracker.handle_header(block.signed, now):
            await self._apply_effect(eff)
        slot = (h.proposer, h.seq)
        if slot in self._decided:
            await self._resend_own_vote(h.proposer, h.seq)
            return
        ob = self._open.get(bid)
        if ob is not None:
            if ob.block.payload is None and block.payload is not None:
                ob.block = block
            elif ob.voted:
                await self._resend_own_vote(h.proposer, h.seq)
                return
        else:
            ob = self._open[bid] = _OpenBlock(block, now)
        await self.db.run(
            self.store.put_block, bid, h.proposer, h.seq, block.signed.encode(), block.payload,
            h.created_ms, h.record_count, now,
        )
        if block.payload is None:
            self._start_fetch(bid, from_peer)
            return
        if bid in self._certs_waiting:
            await self._commit(self._certs_waiting.pop(bid))
            return
        await self._consider(bid)

    async def _consider(self, bid: str) -> None:
        """Vote on an open block if the chain says it is its turn."""
        ob = self._open.get(bid)
        if ob is None or ob.voted or ob.evaluating or ob.block.payload is None:
            return
        h = ob.block.signed.header
        verdict = self.chain.classify(h)
        if verdict is Verdict.FUTURE:
            for evicted in self.pending.add(h.proposer, bid, self.io.now_ms()):
                self._open.pop(evicted, None)
            return
        if verdict is Verdict.STALE:
            await self._resend_own_vote(h.proposer, h.seq)
            return
        if not self.is_validator:
            # Non-validators tally and commit, but never vote; decode now so a
            # certificate can commit without waiting.
            if ob.records is None:
                self._start_evaluation(ob, vote=False)
            return
        if verdict is Verdict.BAD_PREV:
            await self._cast(ob, Decision.REJECT, Reason.CHAIN_RULE)
            return
        self._start_evaluation(ob, vote=True)

    def _start_evaluation(self, ob: _OpenBlock, *, vote: bool) -> None:
        ob.evaluating = True
        assert self._nursery is not None
        self._nursery.start_soon(self._evaluate, ob.block, vote)

    async def _evaluate(self, block: Block, vote: bool) -> None:
        """Decode and (for validators) re-score a block; post the verdict back."""
        h = block.signed.header
        g = self.genesis
        records: tuple[Record, ...] | None = None
        decision, reason = Decision.ACCEPT, Reason.OK
        try:
            if h.record_count > g.max_block_records or h.payload_len > g.max_payload_bytes:
                decision, reason = Decision.REJECT, Reason.TOO_LARGE
            elif h.model_id not in g.accepted_model_ids:
                decision, reason = Decision.REJECT, Reason.UNKNOWN_MODEL
            else:
                assert block.payload is not None
                records = await trio.to_thread.run_sync(open_payload, h, block.payload, self.limits)
                if any(r.origin != h.proposer for r in records) or len({r.cid for r in records}) != len(records):
                    decision, reason = Decision.REJECT, Reason.BAD_PAYLOAD
                elif vote and h.proposer != self.me:
                    decision, reason = await self._judge_scores(h.float_scores(), records)
        except RemoteError as exc:
            log.info("block %s from %s refused: %s", block.block_id, h.proposer, exc)
            decision, reason = Decision.REJECT, Reason.BAD_PAYLOAD
        self._post((_EVALUATED, (block.block_id, records, decision, reason, vote)))

    async def _judge_scores(self, claimed: Sequence[float], records: Sequence[Record]) -> tuple[Decision, Reason]:
        """The attention quorum: re-score in the block's own context and compare."""
        own = await self.io.score(records)
        tol = self.genesis.score_tolerance
        worst = max((abs(a - b) for a, b in zip(claimed, own, strict=True)), default=0.0)
        self.metrics.score_deviation.observe(worst)
        if worst > tol:
            return Decision.REJECT, Reason.SCORE_MISMATCH
        importance = math.fsum(own) / max(len(own), 1)
        if importance < self.genesis.min_block_importance:
            return Decision.REJECT, Reason.LOW_IMPORTANCE
        return Decision.ACCEPT, Reason.OK

    async def _on_evaluated(
        self, bid: str, records: tuple[Record, ...] | None, decision: Decision, reason: Reason, vote: bool
    ) -> None:
        ob = self._open.get(bid)
        if ob is None:
            return
        ob.evaluating = False
        ob.records = records
        if bid in self._certs_waiting and records is not None:
            await self._commit(self._certs_waiting.pop(bid))
            return
        if vote and self.is_validator:
            await self._cast(ob, decision, reason)

    async def _cast(self, ob: _OpenBlock, decision: Decision, reason: Reason) -> None:
        h = ob.block.signed.header
        if (h.proposer, h.seq) in self._decided:
            return
        sv = sign_vote(Vote(ob.block.block_id, h.proposer, h.seq, self.me, decision, reason), self.key)
        stored = await self.db.run(self.store.record_own_vote, h.proposer, h.seq, ob.block.block_id, sv.encode())
        if stored != sv.encode():
            sv = decode_signed_vote(stored)  # we voted in this slot before a restart: keep that vote
        ob.voted = True
        self.stats_votes_cast += 1
        self.metrics.votes_cast.labels(decision.name.lower()).inc()
        self.io.send_votes([sv])
        await self._on_votes([sv], None, verified=True)

    async def _resend_own_vote(self, proposer: str, seq: int) -> None:
        if not self.is_validator:
            return
        raw = await self.db.run(self.store.own_vote, proposer, seq)
        if raw is not None:
            self.io.send_votes([decode_signed_vote(raw)])

    # ------------------------------------------------------------------ votes
    async def _on_votes(self, votes: list[SignedVote], from_peer: str | None, verified: bool = True) -> None:
        now = self.io.now_ms()
        rows = []
        for sv in votes:
            v = sv.vote
            if v.voter not in self.validators:
                continue
            try:
                effects = self.tracker.handle_vote(sv, now, verified=verified)
            except RemoteError as exc:  # a forged vote: drop it, keep the rest of the batch
                self.metrics.remote_errors.labels(type(exc).__name__).inc()
                continue
            rows.append((v.block_id, v.voter, v.proposer, v.seq, int(v.decision), sv.encode()))
            for eff in effects:
                await self._apply_effect(eff)
        if rows:
            # Others' votes are kept for `show`/`votes`, not for safety (certificates
            # carry what matters), so they are written in batches: one fsync per
            # vote message was the store's second-largest cost under load.
            self._vote_rows.extend(rows)
            if len(self._vote_rows) >= 2000:
                await self._flush_votes()

    async def _flush_votes(self) -> None:
        rows, self._vote_rows = self._vote_rows, []
        if rows:
            await self.db.run(self.store.add_votes, rows)

    async def _apply_effect(self, eff: Any) -> None:
        if isinstance(eff, Committed):
            await self._commit(eff.certificate)
        elif isinstance(eff, Rejected):
            await self._reject(eff.proposer, eff.seq, eff.block_id)
        elif isinstance(eff, EvidenceFound):
            ev = eff.evidence
            self.stats_evidence += 1
            self.metrics.evidence.labels(ev.kind).inc()
            log.warning("evidence of %s by %s in slot %s", ev.kind, ev.offender, ev.slot)
            await self.db.run(
                self.store.add_evidence, ev.kind, ev.offender, ev.slot[0], ev.slot[1], ev.encode(), self.io.now_ms()
            )

    # ------------------------------------------------------------------ certificates
    async def _on_certificate(self, cert: Certificate, from_peer: str | None) -> None:
        if (cert.proposer, cert.seq) in self._decided:
            return
        verify_certificate(cert, self.validators)
        await self._commit(cert, from_peer=from_peer)

    async def _commit(self, cert: Certificate, from_peer: str | None = None) -> None:
        """Commit a certified block: store it with its records, advance the chain."""
        slot = (cert.proposer, cert.seq)
        if self._decided.get(slot) == "committed":
            return
        bid = cert.block_id
        ob = self._open.get(bid)
        if ob is None or ob.block.payload is None:
            self._certs_waiting[bid] = cert
            self._start_fetch(bid, from_peer)
            return
        if ob.records is None:
            # Known block, not yet decoded: decode first, then come back here.
            self._certs_waiting[bid] = cert
            if not ob.evaluating:
                self._start_evaluation(ob, vote=False)
            return
        await self.commit_verified(ob.block, ob.records, cert)

    async def commit_verified(self, block: Block, records: Sequence[Record], cert: Certificate) -> None:
        """Store a block whose certificate and payload have been verified (also used by sync)."""
        h = block.signed.header
        slot = (h.proposer, h.seq)
        if self._decided.get(slot) == "committed":
            return
        now = self.io.now_ms()
        # Raises ValidationError before anything is stored if a *different* block
        # is already committed in this slot (only possible with > f faulty validators).
        self.chain.apply_commit(h.proposer, h.seq, block.block_id)
        await self.db.run(
            self.store.put_block, block.block_id, h.proposer, h.seq, block.signed.encode(), block.payload,
            h.created_ms, h.record_count, now,
        )
        new = await self.db.run(
            self.store.commit_block, block.block_id, cert.encode(), list(records), list(h.float_scores()), now,
        )
        self._open.pop(block.block_id, None)
        self._certs_waiting.pop(block.block_id, None)
        self._decide(slot, "committed")
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
        await self._release_pending(h.proposer)

    async def _reject(self, proposer: str, seq: int, block_id: str | None) -> None:
        slot = (proposer, seq)
        if slot in self._decided:
            return
        if block_id is not None:
            await self.db.run(self.store.reject_block, block_id, self.io.now_ms())
            self._open.pop(block_id, None)
        self.chain.apply_reject(proposer, seq)
        self.stats_rejected += 1
        self.metrics.blocks_rejected.inc()
        self._decide(slot, "rejected")
        await self._release_pending(proposer)

    def _decide(self, slot: tuple[str, int], outcome: str) -> None:
        self._decided[slot] = outcome
        # Forget every other block held for this slot (an equivocator's second block).
        for bid in [b for b, ob in self._open.items() if ob.block.header.slot == slot]:
            del self._open[bid]
        if len(self._decided) > 200_000:  # bounded: drop the oldest half
            for k in list(self._decided)[:100_000]:
                del self._decided[k]
        ev = self._waiters.pop(slot, None)
        if ev is not None:
            ev.set()

    async def _release_pending(self, proposer: str) -> None:
        for bid in self.pending.pop(proposer):
            await self._consider(bid)

    async def wait_commits(self, count: int) -> None:
        """Wait until at least ``count`` blocks are committed here (tests, devnet)."""
        while self.stats_committed_blocks < count:
            await self._committed_event.wait()

    # ------------------------------------------------------------------ fetching
    def _start_fetch(self, bid: str, hint: str | None) -> None:
        if bid in self._fetching or self._nursery is None:
            return
        self._fetching.add(bid)
        self._nursery.start_soon(self._fetch, bid, hint)

    async def _fetch(self, bid: str, hint: str | None) -> None:
        try:
            got = await self.io.fetch_block(bid, hint)
        except AttnshareError as exc:
            log.info("fetch of %s failed: %s", bid, exc)
            got = None
        finally:
            self._fetching.discard(bid)
        if got is not None:
            self._post((_FETCHED, got))

    async def _on_fetched(self, block: Block, cert_bytes: bytes | None) -> None:
        if block.payload is None:
            return
        if block.block_id not in self._open:
            await self._on_block(block, None)
        else:
            self._open[block.block_id].block = block
            if block.block_id in self._certs_waiting:
                await self._commit(self._certs_waiting.pop(block.block_id))
            else:
                await self._consider(block.block_id)

    # ------------------------------------------------------------------ ticking
    async def _on_tick(self) -> None:
        await self._flush_votes()
        now = self.io.now_ms()
        for bid in self.pending.tick(now):
            self._open.pop(bid, None)
        for eff in self.tracker.tick(now):
            if isinstance(eff, SlotDropped):
                log.info("forgot undecided slot %s/%d (%s)", eff.proposer[-8:], eff.seq, eff.why)
            else:
                await self._apply_effect(eff)
