"""Carrying out the slot core's effects: store, gossip, threads, model (node side of protocol/slots.py).

:class:`Effects` is used by exactly one task, :meth:`node.core.consensus.Consensus.run`,
which hands it the effects of each event in order. Each effect is matched by
type; an unknown one raises. Slow work (evaluation, fetches) runs in tasks of
the consensus nursery and ALWAYS answers with one event through ``post``, so
the core's in-flight counts are exact and the internal queue stays bounded.
Our own vote is stored before it is sent; a vote stored before a restart is
the one sent.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import trio

from node.metrics import Metrics
from node.store import Store
from node.worker import Worker
from protocol import slots as sl
from protocol.admission import ViewCheck, check_records
from protocol.block import Block, BlockLimits, decode_signed_header, open_payload
from protocol.errors import AttnshareError, LocalError, RemoteError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.lru import LruCache
from protocol.quorum import VOTER_EQUIVOCATION, Certificate
from protocol.record import Record
from protocol.vote import SignedVote, Vote, decode_signed_vote, sign_vote

if TYPE_CHECKING:
    from node.core.views import Views

log = logging.getLogger("attnshare.consensus")


@dataclass
class ConsensusIO:
    """What the driver needs from the rest of the node (all async)."""

    score: Callable[[Sequence[Record]], Awaitable[list[float]]]
    send_votes: Callable[[list[SignedVote]], None]
    publish_cert: Callable[[bytes], Awaitable[None]]
    fetch_block: Callable[[str, str | None], Awaitable[tuple[Block, bytes | None] | None]]
    now_ms: Callable[[], int]
    #: stream memory (node/core/views.py): when set, a block is re-scored against the history of
    #: the committed view its header names, and the view rule (admission.check_view) applies;
    #: None scores the records alone (tests with a fake model)
    views: Views | None = None
    #: our stored votes re-sent (``ResendVote``), in a batch that says so (``VoteBatch.resend``: gossip
    #: drops a message whose bytes it saw in the last two minutes); None: ``send_votes``
    resend_votes: Callable[[list[SignedVote]], None] | None = None


class Effects:
    """The I/O half of consensus, with its counters."""

    def __init__(self, *, key: PrivateKey, genesis: Genesis, store: Store, db: Worker, io: ConsensusIO,
                 metrics: Metrics, limits: BlockLimits, vote_flush_rows: int, resend_interval_s: float,
                 seen_votes: LruCache[Vote, None], post: Callable[[sl.Event], None],
                 on_decided: Callable[[tuple[str, int]], None]) -> None:
        self.key, self.me, self.genesis = key, key.peer_id, genesis
        self.is_validator = self.me in genesis.validators
        self.store, self.db, self.io, self.metrics, self.limits = store, db, io, metrics, limits
        self.vote_flush_rows, self.resend_interval_s = vote_flush_rows, resend_interval_s
        self.seen_votes, self.post, self.on_decided = seen_votes, post, on_decided
        self.nursery: trio.Nursery | None = None
        self._resent: LruCache[tuple[str, int], float] = LruCache(4096)
        self._vote_rows: list[tuple[str, str, str, int, int, bytes]] = []
        #: whether the last Commit stored a block that was new here
        self.last_commit_new = False
        self.committed_blocks = self.committed_records = self.rejected = 0
        self.votes_cast = self.evidence = 0
        #: recent commit latencies (ms, block creation -> local commit), for status and devnet
        self.latencies_ms: deque[int] = deque(maxlen=20_000)

    async def apply(self, eff: sl.Effect) -> sl.Event | None:
        """Carry out one effect; return the event it leads to, if any (our own vote, fed back)."""
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
                if len(self._vote_rows) >= self.vote_flush_rows:
                    await self.flush_votes()
            case sl.Commit(block, records, cert):
                self.last_commit_new = await self._commit(block, records, cert)
            case sl.Reject(proposer, seq, block_id):
                if block_id is not None:
                    await self.db.run(self.store.reject_block, block_id, self.io.now_ms())
                self.rejected += 1
                self.metrics.blocks_rejected.inc()
                self.on_decided((proposer, seq))
            case sl.PersistDecided(proposer, seq, outcome, block_id):
                # commit_block and reject_block record their own decisions in their transactions;
                # reject_block cannot when the store never kept the block (write window), so a
                # rejection is always marked too (idempotent).
                if outcome == "rejected":
                    await self.db.run(self.store.mark_decided, proposer, seq, outcome, None)
            case sl.RecordEvidence(ev):
                self.evidence += 1
                self.metrics.evidence.labels(ev.kind).inc()
                log.warning("evidence of %s by %s in slot %s", ev.kind, ev.offender, ev.slot)
                await self.db.run(self.store.add_evidence, ev.kind, ev.offender, ev.slot[0], ev.slot[1],
                                  ev.encode(), self.io.now_ms())
                if ev.kind == VOTER_EQUIVOCATION:
                    await self._republish_cert(*ev.slot)
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
        self.votes_cast += 1
        self.metrics.votes_cast.labels(eff.decision.name.lower()).inc()
        if eff.deviation is not None:
            self.metrics.score_deviation.observe(eff.deviation)
        self.io.send_votes([sv])
        self.seen_votes.put(sv.vote, None)
        return sl.VotesSeen((sv,), None)

    async def _resend(self, proposer: str, seq: int) -> None:
        last = self._resent.get((proposer, seq))
        now = trio.current_time()
        if not self.is_validator or (last is not None and now - last < self.resend_interval_s):
            return  # a replayed block must not make us publish once per replay
        self._resent.put((proposer, seq), now)
        if (raw := await self.db.run(self.store.own_vote, proposer, seq)) is not None:
            (self.io.resend_votes or self.io.send_votes)([decode_signed_vote(raw)])

    async def _commit(self, block: Block, records: tuple[Record, ...], cert: Certificate) -> bool:
        h = block.header
        now = self.io.now_ms()
        await self.db.run(self.store.put_block, block.block_id, h.proposer, h.seq, block.signed.encode(),
                          block.payload, h.created_ms, h.record_count, now, certified=True)
        new = bool(await self.db.run(self.store.commit_block, block.block_id, cert.encode(), list(records),
                                     list(h.float_scores()), now))
        if new and self.io.views is not None:  # stored: views may name it from now on (before on_decided)
            # Only a new commit: the views hold every committed block already (or read them back on
            # restart), and an old one (a replayed certificate of a slot no longer remembered as
            # decided) would reach them as a late gap and drop every cached History above it.
            self.io.views.on_commit(h.proposer, h.seq, block.block_id, records)
        if new:
            self.committed_blocks += 1
            self.committed_records += h.record_count
            self.metrics.blocks_committed.inc()
            self.metrics.records_committed.inc(h.record_count)
            self.metrics.commit_latency.observe(max(0, now - h.created_ms) / 1000)
            self.latencies_ms.append(max(0, now - h.created_ms))
        if h.proposer == self.me:
            await self.io.publish_cert(cert.encode())
        self.on_decided(h.slot)
        return new

    async def _republish_cert(self, proposer: str, seq: int) -> None:
        """A voter equivocated in a slot committed here: publish its certificate (review 9 #1).

        Only the proposer publishes a certificate otherwise. A byzantine validator that sent some
        of us a REJECT can make our tallies reject a slot that committed elsewhere and, as the
        proposer, withhold the certificate; the equivocation shows as evidence at the nodes that
        committed, and their certificate turns the others' rejection into the commit. Evidence is
        emitted once per voter and slot, so this is bounded by the equivocators, not the votes."""
        row = await self.db.run(self.store.block_at, proposer, seq)
        if row is not None and row.cert is not None:
            await self.io.publish_cert(row.cert)

    async def flush_votes(self) -> None:
        rows, self._vote_rows = self._vote_rows, []
        if rows:
            await self.db.run(self.store.add_votes, rows)

    # ------------------------------------------------------------------ slow work (outside the task)
    def _spawn(self, fn: Callable[..., Awaitable[None]], *args: object) -> None:
        assert self.nursery is not None
        self.nursery.start_soon(fn, *args)

    async def _evaluate(self, eff: sl.Evaluate) -> None:
        """Decode and (if asked) re-score; ALWAYS answers, so the core's slot frees up."""
        block, h = eff.block, eff.block.header
        result: sl.Event
        try:
            view_checked = False
            if eff.score and self.io.views is not None and eff.records is None:
                # The view rule needs the header only: judged before the payload is decoded
                # (review 10 #2: a block naming a view we do not hold was decoded again, up to
                # 0.5 s of CPU, on every re-announce, and never got a vote).
                refused = await self._view_refusal(block)
                if refused is not None:
                    self.post(refused)
                    return
                view_checked = True
            records = eff.records
            if records is None:
                assert block.payload is not None
                records = await trio.to_thread.run_sync(open_payload, h, block.payload, self.limits)
            own = None
            if eff.score and check_records(h, records) is None:
                if self.io.views is None:
                    own = tuple(await self.io.score(records))
                else:
                    result = await self._score_in_view(block, records, view_checked)
                    self.post(result)
                    return
            result = sl.Evaluated(block.block_id, records, own)
        except RemoteError as exc:
            log.info("block %s from %s refused: %s", block.block_id, h.proposer, exc)
            result = sl.Evaluated(block.block_id, None, None)
        except Exception as exc:  # the scorer or a thread failed: our problem, not the block's
            log.exception("evaluating block %s failed", block.block_id)
            result = sl.EvaluationFailed(block.block_id, str(exc))
        self.post(result)

    async def _view_refusal(self, block: Block, records: tuple[Record, ...] | None = None) -> sl.Event | None:
        """None if we hold the view the header names (waiting for it as the view rule allows);
        else the evaluation's answer: the rule's REJECT, or no vote now (a re-announce retries)."""
        views = self.io.views
        assert views is not None
        return self._refusal(block, records, await views.wait_for(block.header))

    def _refusal(self, block: Block, records: tuple[Record, ...] | None, chk: ViewCheck) -> sl.Event | None:
        """The evaluation's answer to a view check that does not let us score, else None."""
        h = block.header
        if chk.verdict is not None:
            log.info("block %s from %s names a view we refuse (%s): %s",
                     block.block_id, h.proposer, chk.verdict[1].name, h.view)
            self.metrics.remote_errors.labels("view-refused").inc()
            return sl.Evaluated(block.block_id, records, None, chk.verdict)
        if not chk.ready:  # we lack commits it names
            self.metrics.remote_errors.labels("view-missing").inc()
            return sl.EvaluationFailed(block.block_id, f"view not held ({chk.missing} commits missing)")
        return None

    async def _score_in_view(self, block: Block, records: tuple[Record, ...], view_checked: bool = False) -> sl.Event:
        """Re-score against the history of the view the header names, if the view rule allows it
        (``view_checked``: it did, before the payload was decoded; one judgement per evaluation)."""
        views = self.io.views
        assert views is not None
        # Judged before decoding, it is judged again here without waiting: a commit while the payload
        # decoded may have pruned what the view's history needs (then the lag counts from our view
        # now: CHAIN_RULE). Otherwise judged here, waiting as the view rule allows.
        refused = (self._refusal(block, records, views.check(block.header)) if view_checked
                   else await self._view_refusal(block, records))
        if refused is not None:
            return refused
        h = block.header
        return sl.Evaluated(block.block_id, records, tuple(await views.score(records, h.view, h.proposer)))

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
        except Exception:  # an answer or a transport failing in a way nobody foresaw: still a failed fetch
            log.warning("fetch of %s failed unexpectedly", block_id, exc_info=True)
        self.post(result)

