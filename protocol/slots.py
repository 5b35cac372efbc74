"""The per-slot lifecycle: evaluate, fetch, vote, commit, forget. Pure and bounded.

Theory of operation
-------------------
A *slot* is (proposer, seq). :class:`SlotCore` owns everything one node
knows about undecided slots: the :class:`~protocol.quorum.QuorumTracker`
(the tally), the :class:`~protocol.chain.ChainState` (whose turn it is), the
:class:`~protocol.chain.PendingBuffer` (blocks that must wait) and the blocks
it holds open. It is a sans-I/O state machine in the style of h11: the driver
feeds typed events to :meth:`SlotCore.handle` with the current time and calls
:meth:`SlotCore.tick` now and then; each call returns typed effects for the
driver to carry out (store, gossip, evaluate on a thread, fetch over sync).
The driver reports back how slow work ended with another event
(:class:`Evaluated`, :class:`EvaluationFailed`, :class:`Fetched`,
:class:`FetchFailed`); it must never drop those.

A block's life:

1. :class:`BlockSeen`: a block of a genesis validator on our network. If its
   slot is decided, or at or below the proposer's decided seq (the chain
   survives restarts through the store), it is never opened again: at most
   our stored vote is re-sent. Otherwise it is opened if it fits the bounds
   (below), stored (:class:`StoreBlock`) and, if we hold only its header,
   fetched (:class:`Fetch`).
2. Its turn (:meth:`~protocol.chain.ChainState.classify`): FUTURE waits in
   the pending buffer, STALE is forgotten, BAD_PREV gets a REJECT vote, READY
   is checked on the header (:func:`~protocol.admission.precheck`) and then
   evaluated (:class:`Evaluate`: decode, and re-score unless it is our own).
3. :class:`Evaluated` brings records and our own scores back, and
   :func:`~protocol.admission.judge_block` decides our vote
   (:class:`CastVote`). A validator votes once per slot.
4. Votes (:class:`VotesSeen`) feed the tally; a certificate
   (:class:`CertificateSeen`, from the tally, or :class:`Synced` from sync)
   commits the slot once we hold the block's records (:class:`Commit`); a
   tally that cannot reach quorum rejects it (:class:`Reject`). Either way
   :class:`PersistDecided` records the outcome, every open block of the slot
   is forgotten, and the proposer's next waiting block is considered.

Bounds, and what happens at each (defaults in :class:`SlotParams`):

* open blocks per slot (``max_blocks_per_slot``): a further variant is
  refused (the second one already yields proposer-equivocation evidence);
  a block named by a certificate is always admitted;
* open blocks in all (``max_open_blocks``): a new block evicts the open block
  farthest ahead of its proposer's decided seq if the new one is nearer,
  else it is refused (gossip re-announces, sync repairs);
* a window of seqs per proposer: a block more than ``slot_window_ahead``
  above the proposer's decided seq is refused; the tally uses the same window;
* evaluations: at most ONE in flight per slot (an equivocator's variants wait
  their turn, and once we voted in a slot no further variant is scored), and
  at most ``max_evaluations`` in all (the rest queue, one entry per block);
* fetches: at most ``max_fetches`` in flight and ``max_fetch_queue`` queued
  (the oldest queued request is dropped); a block whose payload we hold is
  never fetched, and a header-only block is fetched only once it is its
  proposer's next slot (or a certificate names it): until then it waits in
  the pending buffer, so one proposer's window of unserved headers cannot
  hold every fetch slot;
* time: an open block undecided after ``open_block_timeout_ms`` is forgotten,
  as is a header-only block whose fetch failed; waiting certificates expire
  likewise; FUTURE blocks expire from the pending buffer;
* decided outcomes: the last ``max_decided`` are remembered here, and all of
  them through :class:`PersistDecided` and :meth:`SlotCore.restore`;
* model runs on a lying or junk proposer: once we scored one of its blocks and
  voted SCORE_MISMATCH or LOW_IMPORTANCE, or decoded one and voted BAD_PAYLOAD
  (a payload that does not decode, or records that are not its own or repeat),
  its next block waits ``rescore_backoff_ms`` (doubling per such block in a
  row, at most ``rescore_backoff_max_ms``) before it is evaluated; its next
  commit clears this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from protocol.admission import check_records, claims_fall_short, judge_block, precheck
from protocol.block import Block, held_bytes
from protocol.chain import ChainState, PendingBuffer, Verdict
from protocol.errors import LocalError, ValidationError
from protocol.genesis import Genesis
from protocol.quorum import (
    Certificate,
    Committed,
    Evidence,
    EvidenceFound,
    QuorumTracker,
    Rejected,
    SlotDropped,
)
from protocol.quorum import Effect as QuorumEffect
from protocol.record import Record, held_bytes_estimate
from protocol.vote import Decision, Reason, SignedVote

Slot = tuple[str, int]
Outcome = Literal["committed", "rejected"]


@dataclass(frozen=True, slots=True)
class SlotParams:
    """Every bound of the slot lifecycle, with its default. See the module docstring."""

    #: open blocks per slot (a third variant from an equivocator is refused)
    max_blocks_per_slot: int = 2
    #: open blocks in all; honest use is about one per proposer
    max_open_blocks: int = 1024
    #: what open blocks hold in all, by :func:`held_bytes` (decoded header and declared payload):
    #: 1,024 open blocks of 4 MiB payloads would be 4 GiB (review 25); and the decoded records an
    #: evaluated block keeps for its commit (``record.held_bytes_estimate``), kept only within it
    max_open_bytes: int = 256 * 1024 * 1024
    #: how far above a proposer's decided seq a block or slot may open
    slot_window_ahead: int = 64
    #: how far below the decided seq the tally still opens a slot (late votes)
    slot_window_behind: int = 16
    #: undecided slots the tally holds in all
    max_open_slots: int = 4096
    #: evaluations (decode + re-score) in flight in all; one per slot at most
    max_evaluations: int = 8
    #: sync fetches in flight, and queued behind them
    max_fetches: int = 8
    max_fetch_queue: int = 256
    #: an open block (or waiting certificate) undecided this long is forgotten
    open_block_timeout_ms: int = 120_000
    #: blocks waiting for their turn (FUTURE): in all, per proposer, and how long
    pending_max_items: int = 1024
    pending_max_per_proposer: int = 64
    pending_timeout_ms: int = 120_000
    #: certificates waiting for their block's payload or records
    max_waiting_certs: int = 256
    #: decided outcomes remembered in memory (all are persisted)
    max_decided: int = 65_536
    #: after we re-scored a proposer's block and found it false (SCORE_MISMATCH) or junk
    #: (LOW_IMPORTANCE), or decoded one and found it malformed (BAD_PAYLOAD), its next block is
    #: evaluated no sooner than this, doubling per such block in a row up to
    #: ``rescore_backoff_max_ms``; a commit of the proposer clears it
    rescore_backoff_ms: int = 250
    rescore_backoff_max_ms: int = 8_000

    def validate(self) -> SlotParams:
        """Raise LocalError if a bound is unusable; return self."""
        for name in (
            "max_blocks_per_slot", "max_open_blocks", "max_open_bytes", "slot_window_ahead", "max_open_slots",
            "max_evaluations", "max_fetches", "max_fetch_queue", "open_block_timeout_ms",
            "pending_max_items", "pending_max_per_proposer", "pending_timeout_ms",
            "max_waiting_certs", "max_decided", "rescore_backoff_ms", "rescore_backoff_max_ms",
        ):
            if getattr(self, name) < 1:
                raise LocalError(f"SlotParams.{name} must be >= 1")
        if self.slot_window_behind < 0:
            raise LocalError("SlotParams.slot_window_behind must be >= 0")
        return self


# --- events in ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockSeen:
    """A block (or a header-only announce) whose header signature was verified."""

    block: Block
    from_peer: str | None = None


@dataclass(frozen=True, slots=True)
class VotesSeen:
    """Signed votes whose signatures were verified (gossip, or our own)."""

    votes: tuple[SignedVote, ...]
    from_peer: str | None = None


@dataclass(frozen=True, slots=True)
class CertificateSeen:
    """A certificate already checked by :func:`~protocol.quorum.verify_certificate`."""

    cert: Certificate
    from_peer: str | None = None


@dataclass(frozen=True, slots=True)
class Evaluated:
    """An :class:`Evaluate` finished: ``records`` None if the payload failed to decode;
    ``own_scores`` None if it was not re-scored (or the records failed their checks)."""

    block_id: str
    records: tuple[Record, ...] | None
    own_scores: tuple[float, ...] | None
    #: a REJECT the evaluator reached by a rule that needs node state the core does not hold
    #: (protocol.admission.check_view: the block's named committed view lags ours by more than
    #: genesis.max_view_lag, or names the wrong entry for its own proposer); cast as is
    verdict: tuple[Decision, Reason] | None = None


@dataclass(frozen=True, slots=True)
class EvaluationFailed:
    """An :class:`Evaluate` could not finish for a local reason (e.g. the scorer failed)."""

    block_id: str
    error: str


@dataclass(frozen=True, slots=True)
class Fetched:
    """A :class:`Fetch` returned the block with its payload (signature verified)."""

    block: Block


@dataclass(frozen=True, slots=True)
class FetchFailed:
    block_id: str


@dataclass(frozen=True, slots=True)
class Synced:
    """Sync verified this block, its records and its certificate: commit it."""

    block: Block
    records: tuple[Record, ...]
    cert: Certificate


Event = BlockSeen | VotesSeen | CertificateSeen | Evaluated | EvaluationFailed | Fetched | FetchFailed | Synced


# --- effects out ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Evaluate:
    """Decode the payload (unless ``records`` is given) and, if ``score``, re-score it;
    answer with :class:`Evaluated` or :class:`EvaluationFailed`."""

    block: Block
    score: bool
    records: tuple[Record, ...] | None = None


@dataclass(frozen=True, slots=True)
class Fetch:
    """Fetch the block over sync (from ``hint`` first); answer with Fetched or FetchFailed."""

    block_id: str
    hint: str | None


@dataclass(frozen=True, slots=True)
class StoreBlock:
    """Persist an open block (header, and payload if present)."""

    block: Block
    received_ms: int


@dataclass(frozen=True, slots=True)
class CastVote:
    """Sign, persist and send our vote, then feed it back as :class:`VotesSeen`.

    If we already voted in the slot before a restart, that stored vote is the
    one to send. ``deviation`` is the worst claimed-vs-own score gap, if scored.
    """

    block_id: str
    proposer: str
    seq: int
    decision: Decision
    reason: Reason
    deviation: float | None = None


@dataclass(frozen=True, slots=True)
class ResendVote:
    """Re-send our stored vote for the slot, if any (lost gossip heals this way)."""

    proposer: str
    seq: int


@dataclass(frozen=True, slots=True)
class StoreVotes:
    """Keep these counted votes (for ``show``/``votes``; not needed for safety)."""

    votes: tuple[SignedVote, ...]


@dataclass(frozen=True, slots=True)
class Commit:
    """Store the certified block with its records; the slot is committed here."""

    block: Block
    records: tuple[Record, ...]
    cert: Certificate


@dataclass(frozen=True, slots=True)
class Reject:
    """The slot was rejected by the tally; ``block_id`` if every vote named one block."""

    proposer: str
    seq: int
    block_id: str | None


@dataclass(frozen=True, slots=True)
class PersistDecided:
    """Record the slot's outcome durably, so a restart never re-opens it."""

    proposer: str
    seq: int
    outcome: Outcome
    block_id: str | None


@dataclass(frozen=True, slots=True)
class Forget:
    """An open block was dropped (log and count): ``why`` says which bound or rule."""

    block_id: str
    why: str


@dataclass(frozen=True, slots=True)
class RecordEvidence:
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Refused:
    """An input was refused without any state change (count it; ``peer`` may be penalized)."""

    what: str
    peer: str | None


@dataclass(frozen=True, slots=True)
class SlotForgotten:
    """The tally dropped an undecided slot (evicted, expired, superseded)."""

    proposer: str
    seq: int
    why: str


Effect = (
    Evaluate | Fetch | StoreBlock | CastVote | ResendVote | StoreVotes | Commit | Reject | PersistDecided
    | Forget | RecordEvidence | Refused | SlotForgotten
)


@dataclass(frozen=True, slots=True)
class SlotStats:
    open_blocks: int
    open_slots: int
    pending: int
    evaluations: int
    evaluations_queued: int
    fetches: int
    fetches_queued: int
    waiting_certs: int
    decided: int
    open_bytes: int = 0


# --- the core ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Open:
    block: Block
    opened_ms: int
    hint: str | None
    records: tuple[Record, ...] | None = None
    #: what ``records`` hold, by ``record.held_bytes_estimate``, counted in ``_open_bytes``
    records_bytes: int = 0
    evaluating: bool = False
    #: an evaluation is wanted but waits (the slot or the global limit is busy)
    want_eval: bool = False
    want_score: bool = False
    #: whether the evaluation in flight (or the last one) re-scores
    scoring: bool = False


@dataclass(slots=True)
class _WaitingCert:
    cert: Certificate
    since_ms: int
    hint: str | None = None


@dataclass(slots=True)
class _Fetches:
    #: block id -> the proposer it counts against (None: named by a certificate, never held back)
    in_flight: dict[str, str | None] = field(default_factory=dict)
    queue: dict[str, str | None] = field(default_factory=dict)  # FIFO: block id -> hint


class SlotCore:
    """One node's undecided slots and the rules that move them. See the module docstring."""

    def __init__(self, genesis: Genesis, me: str, params: SlotParams | None = None) -> None:
        self.params = p = (params or SlotParams()).validate()
        self.genesis = genesis
        self.validators = genesis.validators
        self.me = me
        self.is_validator = me in genesis.validators
        self.tracker = QuorumTracker(
            genesis.validators,
            genesis.id,
            max_open_slots=p.max_open_slots,
            slot_window_ahead=p.slot_window_ahead,
            slot_window_behind=p.slot_window_behind,
            proposers=genesis.proposer_ids,
        )
        self.chain = ChainState()
        self.pending: PendingBuffer[str, str] = PendingBuffer(
            p.pending_max_items, p.pending_max_per_proposer, p.pending_timeout_ms
        )
        self._open: dict[str, _Open] = {}
        self._open_bytes = 0  # held_bytes of the open blocks (decoded headers, declared payloads) and kept records
        self._by_slot: dict[Slot, dict[str, None]] = {}
        self._voted: set[Slot] = set()
        self._certs: dict[str, _WaitingCert] = {}
        self._decided: dict[Slot, Outcome] = {}
        self._evals: dict[Slot, str] = {}  # slot -> the block id being evaluated
        self._eval_queue: dict[str, None] = {}  # FIFO of block ids waiting for a free evaluator
        self._fetch = _Fetches()
        # Proposers whose blocks we scored and rejected: how many in a row, and when the next
        # may be scored. A byzantine proposer's chain of junk (or lying) blocks otherwise made
        # every validator run the model once per slot, as fast as each slot was rejected.
        self._junk_streak: dict[str, int] = {}
        self._rescore_at: dict[str, int] = {}
        self._deferred: dict[str, None] = {}  # open blocks waiting out their proposer's backoff

    # -- queries -----------------------------------------------------------------------
    def decided(self, proposer: str, seq: int) -> Outcome | None:
        return self._decided.get((proposer, seq))

    def tips(self) -> dict[str, tuple[int, str | None]]:
        return self.chain.snapshot()

    def statistics(self) -> SlotStats:
        return SlotStats(
            open_blocks=len(self._open),
            open_bytes=self._open_bytes,
            open_slots=self.tracker.statistics().open_slots,
            pending=len(self.pending),
            evaluations=len(self._evals),
            evaluations_queued=len(self._eval_queue),
            fetches=len(self._fetch.in_flight),
            fetches_queued=len(self._fetch.queue),
            waiting_certs=len(self._certs),
            decided=len(self._decided),
        )

    def open_block_ids(self, proposer: str, seq: int) -> list[str]:
        return list(self._by_slot.get((proposer, seq), ()))

    # -- restart -----------------------------------------------------------------------
    def restore(
        self,
        tips: Iterable[tuple[str, int, int, str | None, int]],
        decided: Iterable[tuple[str, int, Outcome]] = (),
    ) -> None:
        """Reinstate chain tips ``(proposer, decided, committed_seq, committed_id, skipped)``
        and recent decided outcomes ``(proposer, seq, outcome)`` from the store."""
        for proposer, decided_seq, committed_seq, committed_id, skipped in tips:
            self.chain.restore(proposer, decided_seq, committed_seq, committed_id, skipped)
            self.tracker.advance_head(proposer, decided_seq)
        for proposer, seq, outcome in decided:
            self._remember((proposer, seq), outcome)

    # -- inputs ------------------------------------------------------------------------
    def handle(self, event: Event, now_ms: int) -> list[Effect]:
        """Apply one event; return what the driver must do, in order."""
        match event:
            case BlockSeen(block, peer):
                return self._on_block(block, peer, now_ms, certified=False)
            case VotesSeen(votes, _peer):
                return self._on_votes(votes, now_ms)
            case CertificateSeen(cert, peer):
                return self._on_cert(cert, peer, now_ms)
            case Evaluated(bid, records, own, verdict):
                return self._on_evaluated(bid, records, own, now_ms, verdict)
            case EvaluationFailed(bid, _error):
                return self._eval_done(bid, now_ms)
            case Fetched(block):
                return self._on_fetched(block, now_ms)
            case FetchFailed(bid):
                return self._on_fetch_failed(bid, now_ms)
            case Synced(block, records, cert):
                return self._commit_verified(block, records, cert, now_ms)
        raise LocalError(f"unknown slot event {event!r:.80}")

    def tick(self, now_ms: int) -> list[Effect]:
        """Expire what waited too long: pending blocks, stale open blocks, waiting certs, idle slots."""
        out: list[Effect] = []
        for bid in self.pending.tick(now_ms):
            out += self._forget(bid, "pending-expired")
        horizon = now_ms - self.params.open_block_timeout_ms
        for bid, ob in list(self._open.items()):
            if ob.opened_ms <= horizon and not ob.evaluating and bid not in self._fetch.in_flight:
                out += self._forget(bid, "stale")
        for bid, wc in list(self._certs.items()):
            if wc.since_ms <= horizon and bid not in self._fetch.in_flight:
                del self._certs[bid]
        for bid in list(self._deferred):
            held = self._open.get(bid)
            if held is None:
                del self._deferred[bid]
            elif now_ms >= self._rescore_at.get(held.block.header.proposer, 0):
                del self._deferred[bid]
                out += self._consider(bid, now_ms)
        out += self._quorum_effects(self.tracker.tick(now_ms), now_ms)
        return out

    # -- blocks ------------------------------------------------------------------------
    def _on_block(self, block: Block, peer: str | None, now_ms: int, *, certified: bool) -> list[Effect]:
        h = block.header
        slot = (h.proposer, h.seq)
        if h.network != self.genesis.network_id or not self.genesis.is_proposer(h.proposer):
            return [Refused("foreign-block", peer)]
        out: list[Effect] = self._quorum_effects(self.tracker.handle_header(block.signed, now_ms), now_ms)
        settled = slot in self._decided or h.seq <= self.chain.tip(h.proposer).decided
        if self._decided.get(slot) == "committed" or (settled and not certified):
            # Decided (perhaps before a restart): never re-opened, whatever its attempt. Only a
            # certificate re-opens a slot we saw rejected or skipped: it committed elsewhere.
            return out + self._resend(slot)
        bid = block.block_id
        ob = self._open.get(bid)
        if ob is not None:
            if ob.block.payload is None and block.payload is not None:
                ob.block = block  # the payload we were missing
                self._fetch.queue.pop(bid, None)
                out.append(StoreBlock(block, now_ms))
                return out + self._advance(bid, now_ms)
            if slot in self._voted:
                return out + self._resend(slot)
            return out + self._advance(bid, now_ms)
        refusal = None if certified else self._admit(h.proposer, h.seq, slot)
        if refusal is not None:
            return [*out, Refused(refusal, peer)]
        size = held_bytes(h)
        victims = self._eviction_victims(size, h.proposer, h.seq, certified)
        if victims is None:
            return [*out, Refused("open-blocks-full", peer)]
        for victim in victims:
            out += self._forget(victim, "evicted")
        # Fetch a header-only block from its proposer first: an honest one holds its
        # payload. Whoever relayed it first may be a peer replaying headers it never
        # serves, so every fetch would first wait out a timeout on it.
        hint = peer if block.payload is not None or h.proposer == self.me else h.proposer
        self._open[bid] = _Open(block, now_ms, hint)
        self._open_bytes += size
        self._by_slot.setdefault(slot, {})[bid] = None
        out.append(StoreBlock(block, now_ms))
        return out + self._advance(bid, now_ms)

    def _admit(self, proposer: str, seq: int, slot: Slot) -> str | None:
        if seq > self.chain.tip(proposer).decided + self.params.slot_window_ahead:
            return "beyond-window"
        if len(self._by_slot.get(slot, ())) >= self.params.max_blocks_per_slot:
            return "slot-full"
        return None

    def _distance_of(self, proposer: str, seq: int) -> int:
        return seq - self.chain.tip(proposer).decided

    def _distance(self, bid: str) -> int:
        h = self._open[bid].block.header
        return self._distance_of(h.proposer, h.seq)

    def _eviction_victims(self, size: int, proposer: str, seq: int, certified: bool) -> list[str] | None:
        """The open blocks to forget so that one more of ``size`` bytes fits both bounds (count and
        bytes): the farthest ahead of their proposers' chains first (newest among equals), each
        farther ahead than the new block unless a certificate names it; None (refuse it, forgetting
        nothing) when they do not free enough."""
        over_count = len(self._open) + 1 - self.params.max_open_blocks
        over_bytes = self._open_bytes + size - self.params.max_open_bytes
        if over_count <= 0 and over_bytes <= 0:
            return []
        mine = self._distance_of(proposer, seq)
        ranked = sorted(((self._distance(bid), i, bid) for i, (bid, ob) in enumerate(self._open.items())
                         if not ob.evaluating and bid not in self._certs), reverse=True)
        victims: list[str] = []
        for distance, _, bid in ranked:
            if over_count <= 0 and over_bytes <= 0:
                break
            if not certified and distance <= mine:
                return None
            victims.append(bid)
            over_count -= 1
            over_bytes -= held_bytes(self._open[bid].block.header) + self._open[bid].records_bytes
        return victims if over_count <= 0 and over_bytes <= 0 else None

    def _advance(self, bid: str, now_ms: int) -> list[Effect]:
        """Take an open block as far as it can go now."""
        ob = self._open[bid]
        if ob.block.payload is None:
            h = ob.block.header
            if bid in self._certs or h.seq <= self.chain.tip(h.proposer).decided + 1:
                return self._queue_fetch(bid, ob.hint)
            # Not its turn yet: fetch it when it is. Else a proposer announcing
            # header-only blocks for its whole window (payloads it never serves)
            # holds every fetch slot, and honest big blocks wait behind them.
            out: list[Effect] = []
            for evicted in self.pending.add(h.proposer, bid, now_ms):
                out += self._forget(evicted, "pending-evicted")
            return out
        if bid in self._certs:
            return self._commit(self._certs[bid].cert, ob.hint, now_ms)
        return self._consider(bid, now_ms)

    def _consider(self, bid: str, now_ms: int) -> list[Effect]:
        """Vote on an open block if the chain says it is its turn."""
        ob = self._open.get(bid)
        if ob is None or ob.evaluating or ob.block.payload is None:
            return []
        h = ob.block.header
        slot = (h.proposer, h.seq)
        if slot in self._voted:
            return []
        verdict = self.chain.classify(h)
        if verdict is Verdict.FUTURE:
            out: list[Effect] = []
            for evicted in self.pending.add(h.proposer, bid, now_ms):
                out += self._forget(evicted, "pending-evicted")
            return out
        if verdict is Verdict.STALE:
            return self._resend(slot) + self._forget(bid, "stale")
        if not self.is_validator:
            # Non-validators never vote; decode now so a certificate commits without waiting.
            return self._want_eval(bid, score=False) if ob.records is None else []
        if verdict is Verdict.BAD_PREV:
            return self._cast(bid, Decision.REJECT, Reason.CHAIN_RULE)
        early = precheck(h, self.genesis)
        if early is None and h.proposer != self.me:
            early = claims_fall_short(h, self.genesis)  # fails whatever we score: no model run
        if early is not None:
            return self._cast(bid, *early)
        if now_ms < self._rescore_at.get(h.proposer, 0):
            self._deferred[bid] = None  # its proposer's last blocks were junk: tick brings it back
            return []
        return self._want_eval(bid, score=h.proposer != self.me)

    def _cast(self, bid: str, decision: Decision, reason: Reason, deviation: float | None = None) -> list[Effect]:
        h = self._open[bid].block.header
        slot = (h.proposer, h.seq)
        if slot in self._voted or slot in self._decided:
            return []
        self._voted.add(slot)
        # Once we voted, no other variant of this slot needs scoring, nor
        # decoding unless a certificate names it.
        for other in self._by_slot.get(slot, ()):
            ob = self._open[other]
            ob.want_score = False
            ob.want_eval = ob.want_eval and other in self._certs
        return [CastVote(bid, h.proposer, h.seq, decision, reason, deviation)]

    def _resend(self, slot: Slot) -> list[Effect]:
        # Only within the tally's window behind our decided seq: a vote further down opens no
        # slot on a node at our height or above (a node below gets the slot by sync, with its
        # certificate), and the net layer drops a batch holding a vote of a slot decided long
        # ago without reading the rest, our fresh votes in it included.
        proposer, seq = slot
        if not self.is_validator or seq <= self.chain.tip(proposer).decided - self.params.slot_window_behind:
            return []
        return [ResendVote(*slot)]

    # -- evaluation --------------------------------------------------------------------
    def _want_eval(self, bid: str, *, score: bool) -> list[Effect]:
        ob = self._open[bid]
        ob.want_eval = True
        ob.want_score = ob.want_score or score
        self._eval_queue[bid] = None
        return self._start_evals()

    def _start_evals(self) -> list[Effect]:
        """Start waiting evaluations while the limits allow: one per slot, ``max_evaluations`` in all."""
        out: list[Effect] = []
        for bid in list(self._eval_queue):
            if len(self._evals) >= self.params.max_evaluations:
                break
            ob = self._open.get(bid)
            if ob is None or not ob.want_eval:
                del self._eval_queue[bid]
                continue
            slot = ob.block.header.slot
            if slot in self._evals:
                continue  # one evaluation per slot: this variant waits its turn
            del self._eval_queue[bid]
            ob.want_eval = False
            ob.evaluating = True
            ob.scoring, ob.want_score = ob.want_score, False
            self._evals[slot] = bid
            out.append(Evaluate(ob.block, ob.scoring, ob.records))
        return out

    def _eval_done(self, bid: str, now_ms: int) -> list[Effect]:
        self._clear_eval(bid)
        return self._start_evals()

    def _clear_eval(self, bid: str) -> None:
        for slot, b in list(self._evals.items()):
            if b == bid:
                del self._evals[slot]
        ob = self._open.get(bid)
        if ob is not None:
            ob.evaluating = False

    def _on_evaluated(
        self, bid: str, records: tuple[Record, ...] | None, own: tuple[float, ...] | None, now_ms: int,
        verdict: tuple[Decision, Reason] | None = None,
    ) -> list[Effect]:
        # Act on the result first (a vote stops further scoring in the slot),
        # then start whatever evaluation may run now.
        self._clear_eval(bid)
        return self._evaluated(bid, records, own, now_ms, verdict) + self._start_evals()

    def _evaluated(
        self, bid: str, records: tuple[Record, ...] | None, own: tuple[float, ...] | None, now_ms: int,
        verdict: tuple[Decision, Reason] | None = None,
    ) -> list[Effect]:
        out: list[Effect] = []
        ob = self._open.get(bid)
        if ob is None:
            return out
        h = ob.block.header
        slot = (h.proposer, h.seq)
        if records is not None and ob.records is None:
            self._keep_records(ob, records)
        if bid in self._certs and records is not None:
            return out + self._commit(self._certs[bid].cert, ob.hint, now_ms, records)
        if not self.is_validator or slot in self._voted or slot in self._decided:
            return out
        if self.chain.classify(h) is not Verdict.READY:
            return out + self._consider(bid, now_ms)
        if verdict is not None:  # a rule on node state the core does not hold (the committed view)
            return out + self._cast(bid, *verdict)
        needs_scores = records is not None and own is None and h.proposer != self.me
        if needs_scores and check_records(h, records or ()) is None:
            if ob.scoring:
                return out  # asked to score and got no scores: no vote (the timeout forgets it)
            return out + self._want_eval(bid, score=True)  # decoded for a certificate; now score it
        j = judge_block(h, records, own, self.genesis)
        deviation = j.worst_deviation if own is not None else None
        if own is not None and j.reason in (Reason.SCORE_MISMATCH, Reason.LOW_IMPORTANCE):
            self._back_off(h.proposer, now_ms)
        elif j.reason is Reason.BAD_PAYLOAD and h.proposer != self.me:
            # Decoding was the cost (up to 32 MiB decompressed per block): without a backoff, a
            # byzantine proposer's next bad payload was decoded as soon as the last was rejected.
            self._back_off(h.proposer, now_ms)
        return out + self._cast(bid, j.decision, j.reason, deviation)

    def _keep_records(self, ob: _Open, records: tuple[Record, ...]) -> None:
        """Keep an evaluated block's decoded records for its commit, charged to ``max_open_bytes``.

        Decoded records hold up to 29 times their bytes (review 25: one-character strings), so a
        budget on declared payloads alone let evaluated blocks hold several times it. Past the
        budget they are not kept: the payload is, and a commit decodes it again
        (``Evaluate`` with ``score=False``). Nothing is evicted for them."""
        size = held_bytes_estimate(records)
        if self._open_bytes + size > self.params.max_open_bytes:
            return
        ob.records = records
        ob.records_bytes = size
        self._open_bytes += size

    def _back_off(self, proposer: str, now_ms: int) -> None:
        """We decoded (and maybe scored) a block of ``proposer``: false, junk or malformed. Its next waits.

        An honest proposer computes its claims exactly as we do (bit for bit), ships only
        blocks that clear the bar by them, and builds its payloads with build_block, so none
        of these reasons ever follows its blocks.
        """
        k = self._junk_streak.get(proposer, 0) + 1
        self._junk_streak[proposer] = k
        p = self.params
        delay = min(p.rescore_backoff_max_ms, p.rescore_backoff_ms << min(k - 1, 30))
        self._rescore_at[proposer] = now_ms + delay

    # -- fetching ----------------------------------------------------------------------
    def _queue_fetch(self, bid: str, hint: str | None) -> list[Effect]:
        ob = self._open.get(bid)
        if ob is not None and ob.block.payload is not None:
            return []  # we hold the payload: never fetch it again
        if bid in self._fetch.in_flight or bid in self._fetch.queue:
            return []
        self._fetch.queue[bid] = hint
        if len(self._fetch.queue) > self.params.max_fetch_queue:
            del self._fetch.queue[next(iter(self._fetch.queue))]
        return self._start_fetches()

    def _start_fetches(self) -> list[Effect]:
        """Start queued fetches, oldest first, at most one uncertified block per proposer at a time.

        A byzantine proposer announces header-only variants of its next slot (two are open per
        slot) and never serves them: each fetch then waits out the request timeout (10 s) on it,
        and with the announce repeated, f such proposers held 2f of the ``max_fetches`` slots
        for good, so honest big blocks (announced header-only) waited a timeout for a slot. A
        block named by a certificate is fetched regardless (it committed: someone holds it).
        """
        out: list[Effect] = []
        busy = {p for p in self._fetch.in_flight.values() if p is not None}
        for bid in list(self._fetch.queue):
            if len(self._fetch.in_flight) >= self.params.max_fetches:
                break
            ob = self._open.get(bid)
            if ob is not None and ob.block.payload is not None:
                del self._fetch.queue[bid]
                continue  # queued for a certificate, then its payload came on gossip
            owner = ob.block.header.proposer if ob is not None and bid not in self._certs else None
            if owner is not None and owner in busy:
                continue  # its proposer's other block is being fetched: this one keeps its place
            hint = self._fetch.queue.pop(bid)
            self._fetch.in_flight[bid] = owner
            if owner is not None:
                busy.add(owner)
            out.append(Fetch(bid, hint))
        return out

    def _on_fetched(self, block: Block, now_ms: int) -> list[Effect]:
        bid = block.block_id
        self._fetch.in_flight.pop(bid, None)
        out = self._start_fetches()
        if block.payload is None:
            return out + self._fetch_failed(bid)
        wc = self._certs.get(bid)
        return out + self._on_block(block, wc.hint if wc else None, now_ms, certified=wc is not None)

    def _on_fetch_failed(self, bid: str, now_ms: int) -> list[Effect]:
        self._fetch.in_flight.pop(bid, None)
        return self._start_fetches() + self._fetch_failed(bid)

    def _fetch_failed(self, bid: str) -> list[Effect]:
        self._certs.pop(bid, None)  # anti-entropy brings committed blocks with their certificates
        ob = self._open.get(bid)
        if ob is not None and ob.block.payload is None:
            return self._forget(bid, "fetch-failed")
        return []

    # -- votes and certificates --------------------------------------------------------
    def _on_votes(self, votes: tuple[SignedVote, ...], now_ms: int) -> list[Effect]:
        out: list[Effect] = []
        kept: list[SignedVote] = []
        for sv in votes:
            if sv.vote.voter not in self.validators:
                continue
            effects = self.tracker.handle_vote(sv, now_ms, verified=True)
            if self.tracker.counts(sv):
                kept.append(sv)
            out += self._quorum_effects(effects, now_ms)
        if kept:
            out.insert(0, StoreVotes(tuple(kept)))
        return out

    def _on_cert(self, cert: Certificate, peer: str | None, now_ms: int) -> list[Effect]:
        if not self.genesis.is_proposer(cert.proposer):
            return [Refused("foreign-certificate", peer)]
        if self._decided.get(cert.slot) == "committed":
            return []
        return self._commit(cert, peer, now_ms)

    def _quorum_effects(self, effects: list[QuorumEffect], now_ms: int) -> list[Effect]:
        out: list[Effect] = []
        for eff in effects:
            match eff:
                case Committed(cert):
                    out += self._commit(cert, None, now_ms)
                case Rejected(proposer, seq, block_id, _votes):
                    out += self._reject(proposer, seq, block_id, now_ms)
                case EvidenceFound(evidence):
                    out.append(RecordEvidence(evidence))
                case SlotDropped(proposer, seq, why):
                    out.append(SlotForgotten(proposer, seq, why))
                case _:
                    raise LocalError(f"unknown quorum effect {eff!r:.80}")
        return out

    # -- deciding ----------------------------------------------------------------------
    def _commit(self, cert: Certificate, hint: str | None, now_ms: int,
                records: tuple[Record, ...] | None = None) -> list[Effect]:
        """Commit once we hold the block's records (``records``: just decoded, whether or not the
        open block could keep them); until then the certificate waits."""
        if self._decided.get(cert.slot) == "committed":
            return []
        bid = cert.block_id
        ob = self._open.get(bid)
        records = records if records is not None else (ob.records if ob is not None else None)
        if ob is not None and records is not None and ob.block.payload is not None:
            self._certs.pop(bid, None)
            return self._commit_verified(ob.block, records, cert, now_ms)
        if bid not in self._certs:
            if len(self._certs) >= self.params.max_waiting_certs:
                del self._certs[next(iter(self._certs))]
            self._certs[bid] = _WaitingCert(cert, now_ms, hint)
        if ob is None or ob.block.payload is None:
            return self._queue_fetch(bid, hint)
        return [] if ob.evaluating else self._want_eval(bid, score=False)

    def _commit_verified(
        self, block: Block, records: tuple[Record, ...], cert: Certificate, now_ms: int
    ) -> list[Effect]:
        h = block.header
        slot = (h.proposer, h.seq)
        if self._decided.get(slot) == "committed":
            return []
        if h.network != self.genesis.network_id:
            return [Refused("foreign-block", None)]
        if (cert.block_id, cert.proposer, cert.seq) != (block.block_id, h.proposer, h.seq):
            # Only q signers who all signed a wrong slot (more than f faulty) make such a pair; we
            # would store it and serve it over sync, where every honest client takes us for liars.
            return [Refused("certificate-mismatch", None)]
        try:
            self.chain.apply_commit(h.proposer, h.seq, block.block_id)
        except ValidationError:
            # A different block is committed here: more than f faulty validators.
            return [Refused("conflicting-commit", None)]
        self._junk_streak.pop(h.proposer, None)
        self._rescore_at.pop(h.proposer, None)
        out: list[Effect] = [
            Commit(block, records, cert),
            PersistDecided(h.proposer, h.seq, "committed", block.block_id),
        ]
        return out + self._decide(slot, "committed", now_ms)

    def _reject(self, proposer: str, seq: int, block_id: str | None, now_ms: int) -> list[Effect]:
        slot = (proposer, seq)
        if slot in self._decided:
            return []
        self.chain.apply_reject(proposer, seq)
        out: list[Effect] = [Reject(proposer, seq, block_id), PersistDecided(proposer, seq, "rejected", block_id)]
        return out + self._decide(slot, "rejected", now_ms)

    def _decide(self, slot: Slot, outcome: Outcome, now_ms: int) -> list[Effect]:
        self._remember(slot, outcome)
        self._voted.discard(slot)
        out: list[Effect] = []
        for bid in list(self._by_slot.get(slot, ())):
            out += self._forget(bid, "decided", quiet=True)
        proposer = slot[0]
        out += self._quorum_effects(self.tracker.advance_head(proposer, self.chain.tip(proposer).decided), now_ms)
        for bid in self.pending.pop(proposer):
            if bid in self._open:
                out += self._advance(bid, now_ms)  # a header-only one is fetched now
        return out

    def _remember(self, slot: Slot, outcome: Outcome) -> None:
        self._decided.pop(slot, None)
        self._decided[slot] = outcome
        while len(self._decided) > self.params.max_decided:
            del self._decided[next(iter(self._decided))]

    def _forget(self, bid: str, why: str, *, quiet: bool = False) -> list[Effect]:
        ob = self._open.pop(bid, None)
        if ob is None:
            return []
        self._open_bytes -= held_bytes(ob.block.header) + ob.records_bytes
        slot = ob.block.header.slot
        group = self._by_slot.get(slot)
        if group is not None:
            group.pop(bid, None)
            if not group:
                del self._by_slot[slot]
        self._eval_queue.pop(bid, None)
        self._deferred.pop(bid, None)
        self._fetch.queue.pop(bid, None)
        self.pending.remove(slot[0], bid)
        if slot not in self._by_slot:
            # Nothing held for the slot any more. Should it come back, a second
            # CastVote is safe: the driver sends the vote it stored first.
            self._voted.discard(slot)
        return [] if quiet else [Forget(bid, why)]


__all__ = [
    "BlockSeen", "CastVote", "CertificateSeen", "Commit", "Effect", "Evaluate", "Evaluated", "EvaluationFailed",
    "Event", "Fetch", "FetchFailed", "Fetched", "Forget", "PersistDecided", "RecordEvidence", "Refused", "Reject",
    "ResendVote", "SlotCore", "SlotForgotten", "SlotParams", "SlotStats", "StoreBlock", "StoreVotes", "Synced",
    "VotesSeen",
]
