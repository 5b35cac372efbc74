"""The signed-vote quorum: certificates, equivocation evidence, and the tally.

Theory of operation
-------------------
A *slot* is (proposer, seq). Each validator votes at most once per slot. The
:class:`QuorumTracker` is a sans-I/O state machine in the style of h11: the
driver feeds it signed votes (:meth:`QuorumTracker.handle_vote`) and signed
block headers (:meth:`QuorumTracker.handle_header`) with the current time, and
calls :meth:`QuorumTracker.tick` now and then; each call returns a list of
effects for the driver to carry out (store, gossip, log).

Per slot the tracker keeps the first vote *counted* from each validator. Every
rule that changes a slot lives in :meth:`QuorumTracker._admit_vote` (which
vote counts) and :func:`_outcome` (when a slot is decided):

* a vote from a non-member is ignored before its signature is even checked;
* a vote identical in content to the counted one is a duplicate and ignored
  (Ed25519 lets a signer make many signatures over one message, so identity
  is the vote's content, not its signature bytes);
* a vote that differs from the voter's counted vote is *voter equivocation*:
  :class:`Evidence` with both signed messages is emitted once per voter per
  slot, and the second vote is never counted;
* the slot **commits** when ``q`` counted ACCEPT votes name one block id;
* the slot is **rejected** once no block id can reach ``q`` even if every
  validator not yet heard from accepted it (``f + 1`` REJECTs are the simple
  sufficient case; a byzantine split of ACCEPTs can also end a slot);
* a decided slot stays decided: later votes may still yield evidence, never a
  second decision. Committed and Rejected are each emitted at most once.

Headers are tracked per slot only to catch *proposer equivocation*: two signed
headers with different block ids for the same slot.

Memory is bounded, and no voter can push out another proposer's slots:

* a slot is only opened within a window of its proposer's known chain head:
  ``head - slot_window_behind < seq <= head + slot_window_ahead``, where the
  head is the highest seq decided here or reported by the chain
  (:meth:`QuorumTracker.advance_head`). A vote or header outside the window
  is ignored *before* its signature is checked, so one byzantine voter's
  invented slots cost nothing and can never exceed the window of each
  proposer; with ``proposers`` given (nodes pass the genesis proposers), a slot
  of any other proposer is ignored too. An honest proposer has one slot in
  flight at a time, right above its head;
* at most ``max_open_slots`` undecided slots are held in all. A new slot
  beyond that evicts the open slot farthest ahead of its proposer's head
  (fewest counted voters, then newest, among equals) if the new slot is
  nearer its own head; otherwise the new slot is not opened. Honest slots sit
  right above their heads, so an invented slot can never push one out;
* idle open slots expire on :meth:`tick` after ``open_timeout_ms``.

Decided slots are pruned by :meth:`tick` after ``retain_decided_ms``; pruning
raises a per-proposer watermark, and votes or headers for a slot at or below
it that the tracker no longer holds are ignored, so a pruned slot can never be
decided twice. Such late slots are settled by certificates over sync instead.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

from protocol.block import DEFAULT_BLOCK_LIMITS, BlockLimits, SignedHeader, decode_signed_header
from protocol.codec import expect_bytes, expect_int, expect_list, expect_str, packb, unpackb
from protocol.errors import DecodeError, LocalError, ValidationError
from protocol.validators import MAX_VALIDATORS, Members, ValidatorSet
from protocol.vote import (
    MAX_SEQ,
    MAX_SIGNED_VOTE_BYTES,
    Decision,
    SignedVote,
    block_id_from_bin,
    block_id_to_bin,
    decode_signed_vote,
    expect_peer_id,
    signed_vote_from_obj,
)

# --- certificates -------------------------------------------------------------------

#: A certificate never needs more votes than there can be validators.
MAX_CERT_VOTES = MAX_VALIDATORS
MAX_CERT_BYTES = MAX_CERT_VOTES * MAX_SIGNED_VOTE_BYTES + 256


@dataclass(frozen=True, slots=True)
class Certificate:
    """Proof that a block committed: its slot plus ``q`` ACCEPT votes.

    Construction checks only the shape; :func:`verify_certificate` checks the
    votes against a validator set.
    """

    block_id: str
    proposer: str
    seq: int
    votes: tuple[SignedVote, ...]

    def __post_init__(self) -> None:
        block_id_to_bin(self.block_id, "certificate block_id")
        expect_peer_id(self.proposer, "certificate proposer")
        expect_int(self.seq, "certificate seq", 1, MAX_SEQ)
        if not isinstance(self.votes, tuple) or not 1 <= len(self.votes) <= MAX_CERT_VOTES:
            raise DecodeError(f"certificate must hold 1..{MAX_CERT_VOTES} votes")
        if not all(isinstance(sv, SignedVote) for sv in self.votes):
            raise DecodeError("certificate may hold only SignedVote items")

    @property
    def slot(self) -> tuple[str, int]:
        return (self.proposer, self.seq)

    def encode(self) -> bytes:
        """Wire bytes: ``[block_id_cid_bin, proposer, seq, [[vote_bytes, sig], ...]]``."""
        return packb(
            [
                block_id_to_bin(self.block_id),
                self.proposer,
                self.seq,
                [[sv.vote.canonical_bytes(), sv.signature] for sv in self.votes],
            ]
        )


def decode_certificate(data: bytes, validator_set: ValidatorSet | Members | None = None) -> Certificate:
    """Decode a certificate; raises DecodeError. Does not verify the votes.

    With ``validator_set`` (or :class:`Members`: validators and genesis proposers), a
    proposer or voter outside it, or more votes than there are validators, raises ValidationError before any peer id is parsed
    (finding 1: a certificate of 1024 outsiders' votes costs one unpack).
    """
    obj = unpackb(data, max_bytes=MAX_CERT_BYTES, max_items=MAX_CERT_VOTES, max_containers=MAX_CERT_VOTES + 2)
    cid_bin, proposer, seq, votes = expect_list(obj, 4, "certificate")
    if not isinstance(votes, list):
        raise DecodeError("certificate votes: expected an array")
    if validator_set is not None:
        if not isinstance(proposer, str) or proposer not in validator_set:
            raise ValidationError(f"certificate names an outsider as proposer {proposer!r:.60}")
        if len(votes) > validator_set.n:
            raise ValidationError(f"certificate has {len(votes)} votes, there are {validator_set.n} validators")
    block_id = block_id_from_bin(cid_bin, "certificate block_id")
    cert = Certificate(block_id, proposer, seq, tuple(signed_vote_from_obj(v, validator_set) for v in votes))
    if cert.encode() != bytes(data):
        raise DecodeError("certificate bytes are not canonical")
    return cert


def verify_certificate(cert: Certificate, validator_set: ValidatorSet, genesis_id: str) -> None:
    """Check ``cert`` against ``validator_set`` on network ``genesis_id``; return None or raise.

    Raises ValidationError unless every vote is an ACCEPT for exactly this
    block id and slot, from a distinct member, and there are at least ``q``;
    raises SignatureError if any vote's signature fails. All cheap checks run
    before any signature is verified, so a junk certificate costs little.
    """
    if len(cert.votes) < validator_set.q:
        raise ValidationError(
            f"certificate has {len(cert.votes)} votes, quorum is {validator_set.q}"
        )
    if len(cert.votes) > validator_set.n:
        # More votes than validators must hold a duplicate or an outsider.
        raise ValidationError(
            f"certificate has {len(cert.votes)} votes, there are {validator_set.n} validators"
        )
    seen: set[str] = set()
    for i, sv in enumerate(cert.votes):
        v = sv.vote
        if v.decision is not Decision.ACCEPT:
            raise ValidationError(f"certificate vote {i} is not ACCEPT")
        if v.block_id != cert.block_id or v.proposer != cert.proposer or v.seq != cert.seq:
            raise ValidationError(f"certificate vote {i} is for another block or slot")
        if v.voter not in validator_set:
            raise ValidationError(f"certificate vote {i} is from non-validator {v.voter}")
        if v.voter in seen:
            raise ValidationError(f"certificate has two votes from {v.voter}")
        seen.add(v.voter)
    for sv in cert.votes:
        sv.verify(genesis_id)  # cached: a vote already verified from gossip costs a lookup


# --- evidence -----------------------------------------------------------------------

EvidenceKind = Literal["voter-equivocation", "proposer-equivocation"]
VOTER_EQUIVOCATION: EvidenceKind = "voter-equivocation"
PROPOSER_EQUIVOCATION: EvidenceKind = "proposer-equivocation"
_KIND_CODES: dict[str, int] = {VOTER_EQUIVOCATION: 1, PROPOSER_EQUIVOCATION: 2}
_CODE_KINDS: dict[int, EvidenceKind] = {1: VOTER_EQUIVOCATION, 2: PROPOSER_EQUIVOCATION}
#: Cap on one signed message inside evidence: a signed header under the default
#: block limits is under 10 KiB; the rest is headroom for larger limits.
MAX_EVIDENCE_MSG_BYTES = max(64 * 1024, DEFAULT_BLOCK_LIMITS.max_signed_header_bytes)
MAX_EVIDENCE_BYTES = 2 * MAX_EVIDENCE_MSG_BYTES + 256


@dataclass(frozen=True, slots=True)
class Evidence:
    """Two signed messages from one offender that conflict in one slot.

    ``first`` and ``second`` are the encoded signed messages exactly as
    received: two :class:`~protocol.vote.SignedVote` encodings for
    voter equivocation, two encoded signed block headers for proposer
    equivocation. Anyone can re-check them with :meth:`verify`.
    """

    kind: EvidenceKind
    offender: str
    slot: tuple[str, int]
    first: bytes
    second: bytes

    def __post_init__(self) -> None:
        if self.kind not in _KIND_CODES:
            raise DecodeError(f"evidence: unknown kind {self.kind!r:.40}")
        expect_peer_id(self.offender, "evidence offender")
        if not isinstance(self.slot, tuple) or len(self.slot) != 2:
            raise DecodeError("evidence slot: expected (proposer, seq)")
        expect_peer_id(self.slot[0], "evidence slot proposer")
        expect_int(self.slot[1], "evidence slot seq", 1, MAX_SEQ)
        cap = MAX_SIGNED_VOTE_BYTES if self.kind == VOTER_EQUIVOCATION else MAX_EVIDENCE_MSG_BYTES
        expect_bytes(self.first, "evidence first message", max_len=cap)
        expect_bytes(self.second, "evidence second message", max_len=cap)

    def encode(self) -> bytes:
        """Wire bytes: ``[kind_code, offender, proposer, seq, first, second]``."""
        return packb(
            [_KIND_CODES[self.kind], self.offender, self.slot[0], self.slot[1], self.first, self.second]
        )

    def verify(
        self, validator_set: ValidatorSet, genesis_id: str, limits: BlockLimits = DEFAULT_BLOCK_LIMITS
    ) -> None:
        """Re-check both signatures and that the messages really conflict.

        ``limits`` bounds decoding the two headers of proposer equivocation.

        Raises ValidationError if they do not conflict (identical content,
        another slot, another signer, a voter outside the set), SignatureError
        if a signature fails, DecodeError if a message is malformed.
        """
        if self.kind == VOTER_EQUIVOCATION:
            self._verify_votes(validator_set, genesis_id)
        else:
            self._verify_headers(limits, genesis_id)

    def _verify_votes(self, validator_set: ValidatorSet, genesis_id: str) -> None:
        a, b = decode_signed_vote(self.first), decode_signed_vote(self.second)
        for sv in (a, b):
            if sv.vote.voter != self.offender:
                raise ValidationError("evidence vote is not signed by the offender")
            if sv.vote.slot != self.slot:
                raise ValidationError("evidence vote is for another slot")
        if self.offender not in validator_set:
            raise ValidationError(f"evidence offender {self.offender} is not a validator")
        if a.vote == b.vote:
            raise ValidationError("evidence votes do not conflict (same content)")
        a.verify(genesis_id)
        b.verify(genesis_id)

    def _verify_headers(self, limits: BlockLimits, genesis_id: str) -> None:
        a = decode_signed_header(self.first, limits)
        b = decode_signed_header(self.second, limits)
        for sh in (a, b):
            if sh.header.proposer != self.offender or self.slot[0] != self.offender:
                raise ValidationError("evidence header is not signed by the offender")
            if sh.header.seq != self.slot[1]:
                raise ValidationError("evidence header is for another slot")
        if a.header.block_id == b.header.block_id:
            raise ValidationError("evidence headers do not conflict (same block)")
        a.verify(genesis_id)
        b.verify(genesis_id)


def decode_evidence(data: bytes) -> Evidence:
    """Decode evidence; raises DecodeError. Call :meth:`Evidence.verify` to check it."""
    obj = unpackb(data, max_bytes=MAX_EVIDENCE_BYTES, max_items=6, max_containers=1)
    code, offender, proposer, seq, first, second = expect_list(obj, 6, "evidence")
    kind = _CODE_KINDS.get(expect_int(code, "evidence kind", 0, 255))
    if kind is None:
        raise DecodeError(f"evidence: unknown kind code {code}")
    expect_str(proposer, "evidence slot proposer", 64)
    ev = Evidence(kind, offender, (proposer, seq), first, second)
    if ev.encode() != bytes(data):
        raise DecodeError("evidence bytes are not canonical")
    return ev


# --- effects ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Committed:
    """The slot committed; the certificate holds exactly ``q`` ACCEPT votes."""

    certificate: Certificate


@dataclass(frozen=True, slots=True)
class Rejected:
    """The slot can no longer commit.

    ``block_id`` is the one block every counted vote named, or None if they
    named several. ``votes`` are all counted votes, sorted by voter: together
    they show that no block id can reach ``q``.
    """

    proposer: str
    seq: int
    block_id: str | None
    votes: tuple[SignedVote, ...]


@dataclass(frozen=True, slots=True)
class EvidenceFound:
    """An offender signed two conflicting messages for one slot."""

    evidence: Evidence


@dataclass(frozen=True, slots=True)
class SlotDropped:
    """An undecided slot was forgotten.

    ``why`` is "evicted" (the open-slot cap), "expired" (idle) or
    "superseded" (its proposer's head moved past it, see
    :meth:`QuorumTracker.advance_head`).

    Votes seen for it are lost here; the slot can still be settled by a
    certificate learned over sync.
    """

    proposer: str
    seq: int
    why: Literal["evicted", "expired", "superseded"]


Effect = Committed | Rejected | EvidenceFound | SlotDropped


@dataclass(frozen=True, slots=True)
class QuorumStats:
    """Counters for metrics and the admin API."""

    open_slots: int
    decided_slots: int
    watermarks: int


# --- the tracker ------------------------------------------------------------------------


@dataclass(slots=True)
class _Slot:
    order: int  # creation counter: deterministic tie-break for eviction
    touched_ms: int
    counted: dict[str, SignedVote] = field(default_factory=dict)
    accepts: dict[str, int] = field(default_factory=dict)  # block id -> ACCEPT count
    equivocators: set[str] = field(default_factory=set)
    header_id: str | None = None
    header_bytes: bytes = b""
    proposer_equivocated: bool = False
    decided: Literal["committed", "rejected"] | None = None
    decided_ms: int = 0
    stamp: int = 0  # the one live entry of this slot in the eviction heap


def _outcome(
    accepts: dict[str, int], counted: int, n: int, q: int
) -> tuple[Literal["commit"], str] | tuple[Literal["reject"], None] | None:
    """The decision rule, all of it. Pure; the caller applies it once.

    Commit when some block id has ``q`` ACCEPTs. Reject when even if every
    validator not yet counted accepted the best block id, it would fall short
    of ``q`` (each validator is counted at most once per slot).
    """
    best_id, best = max(accepts.items(), key=lambda kv: (kv[1], kv[0]), default=("", 0))
    if best >= q:
        return ("commit", best_id)
    if best + (n - counted) < q:
        return ("reject", None)
    return None


class QuorumTracker:
    """Tallies signed votes per slot and decides each slot at most once.

    See the module docstring for the rules. ``handle_vote`` raises
    SignatureError for a member's vote whose signature fails (the caller
    should penalize whoever relayed it); everything else is an effect.
    """

    def __init__(
        self,
        validator_set: ValidatorSet,
        genesis_id: str,
        *,
        max_open_slots: int = 4096,
        max_decided_slots: int = 65_536,
        max_decided_header_bytes: int = 64 * 1024 * 1024,
        max_watermarks: int = 65_536,
        retain_decided_ms: int = 120_000,
        open_timeout_ms: int = 600_000,
        slot_window_ahead: int = 64,
        slot_window_behind: int = 16,
        proposers: Collection[str] | None = None,
    ) -> None:
        if min(max_open_slots, max_decided_slots, max_watermarks, slot_window_ahead, max_decided_header_bytes) < 1:
            raise LocalError("QuorumTracker bounds must be >= 1")
        if slot_window_behind < 0:
            raise LocalError("QuorumTracker slot_window_behind must be >= 0")
        if retain_decided_ms < 0 or open_timeout_ms < 1:
            raise LocalError("QuorumTracker timeouts must be positive")
        self._vs = validator_set
        self._genesis_id = genesis_id  # every vote verified here is bound to this network
        self._max_open = max_open_slots
        self._max_decided = max_decided_slots
        # Decided slots keep their first header's bytes (evidence, should the proposer sign a
        # second header for the slot later), up to this many bytes in all, oldest dropped first:
        # 65,536 decided slots of 17 KiB headers (4,096 scores, a 1,024-entry view) were about
        # 1 GiB (review 25). Past it, a late equivocation is still noticed, not proven.
        self._max_decided_header_bytes = max_decided_header_bytes
        self._decided_header_bytes = 0
        self._decided_with_header: deque[tuple[str, int]] = deque()
        self._max_watermarks = max_watermarks
        self._retain_ms = retain_decided_ms
        self._open_timeout_ms = open_timeout_ms
        self._open: dict[tuple[str, int], _Slot] = {}
        # Insertion order is decision order: pruning pops from the front.
        self._decided: dict[tuple[str, int], _Slot] = {}
        self._watermark: dict[str, int] = {}
        # Highest seq known decided per proposer (ours or the chain's): the window's anchor.
        self._head: dict[str, int] = {}
        self._ahead = slot_window_ahead
        self._behind = slot_window_behind
        self._proposers = frozenset(proposers) if proposers is not None else None
        self._counter = 0
        # The eviction order of open slots, kept as a lazy max-heap (entries negated:
        # -distance, counted, -order, proposer, seq, stamp); an entry whose stamp is not its
        # slot's is stale and skipped. With open slots at the cap, a vote for a new slot
        # scanned all 4,096 of them (683 us against 3.9 us below the cap, 100 proposers): a
        # byzantine voter's stream of invented slots held the consensus task.
        self._heap: list[tuple[int, int, int, str, int, int]] = []
        self._stamps = 0
        self._open_seqs: dict[str, set[int]] = {}  # proposer -> seqs of its open slots

    # -- queries ------------------------------------------------------------------
    @property
    def validator_set(self) -> ValidatorSet:
        return self._vs

    def outcome(self, proposer: str, seq: int) -> Literal["committed", "rejected"] | None:
        """How a slot this tracker still holds was decided, or None."""
        st = self._decided.get((proposer, seq))
        return st.decided if st is not None else None

    def statistics(self) -> QuorumStats:
        return QuorumStats(len(self._open), len(self._decided), len(self._watermark))

    def counts(self, sv: SignedVote) -> bool:
        """True if this very vote is the one counted from its voter in a slot held here."""
        st = self._lookup(sv.vote.slot)
        if st is None:
            return False
        counted = st.counted.get(sv.vote.voter)
        return counted is not None and counted.vote == sv.vote

    def head(self, proposer: str) -> int:
        """The anchor of ``proposer``'s slot window: the highest seq known decided."""
        return self._head.get(proposer, 0)

    def in_window(self, proposer: str, seq: int) -> bool:
        """True if a new slot (proposer, seq) may be opened now (see the module docstring)."""
        if self._proposers is not None and proposer not in self._proposers:
            return False
        head = self._head.get(proposer, 0)
        return head - self._behind < seq <= head + self._ahead

    def advance_head(self, proposer: str, seq: int) -> list[Effect]:
        """The chain decided ``proposer``'s slots up to ``seq``: move its window.

        Open, undecided slots that fall behind the new window are dropped
        ("superseded"): their outcome no longer matters to voting, and a
        certificate over sync still settles them.
        """
        if seq <= self._head.get(proposer, 0):
            return []
        low = seq - self._behind
        effects: list[Effect] = []
        for s in sorted(x for x in self._open_seqs.get(proposer, ()) if x <= low):
            self._close((proposer, s))
            effects.append(SlotDropped(proposer, s, "superseded"))
        self._set_head(proposer, seq)
        return effects

    # -- inputs ---------------------------------------------------------------------
    def handle_vote(self, sv: SignedVote, now_ms: int, *, verified: bool = False) -> list[Effect]:
        """Feed one signed vote. Verifies its signature unless ``verified``."""
        v = sv.vote
        if v.voter not in self._vs:
            return []
        key = v.slot
        st = self._lookup(key)
        if st is None and (self._below_watermark(key) or not self.in_window(*key)):
            return []
        if st is not None:
            prev = st.counted.get(v.voter)
            if prev is not None and (prev.vote == v or v.voter in st.equivocators):
                return []  # duplicate, or this voter's equivocation is already on file
        # Verify before touching state: a forged vote must not open, evict or
        # tip anything.
        if not verified:
            sv.verify(self._genesis_id)
        effects: list[Effect] = []
        if st is None:
            st = self._create(key, now_ms, effects)
            if st is None:
                return effects  # full of slots nearer their heads: this one is not opened
        st.touched_ms = now_ms
        effects.extend(self._admit_vote(key, st, sv, now_ms))
        return effects

    def handle_header(self, signed_header: SignedHeader, now_ms: int) -> list[Effect]:
        """Record the first header per slot; a different second one is proposer equivocation.

        The caller has verified the header's signature.
        """
        h = signed_header.header
        key = (h.proposer, h.seq)
        st = self._lookup(key)
        if st is None and (self._below_watermark(key) or not self.in_window(*key)):
            return []
        effects: list[Effect] = []
        if st is None:
            st = self._create(key, now_ms, effects)
            if st is None:
                return effects
        if st.header_id is None:
            st.header_id = h.block_id
            st.header_bytes = signed_header.encode()
            if st.decided is not None:  # decided by votes before its header came
                self._keep_decided_header(key, st)
        elif st.header_id != h.block_id and not st.proposer_equivocated:
            st.proposer_equivocated = True
            if st.header_bytes:  # empty: a decided slot's, dropped under the byte budget
                effects.append(
                    EvidenceFound(
                        Evidence(PROPOSER_EQUIVOCATION, h.proposer, key, st.header_bytes, signed_header.encode())
                    )
                )
        return effects

    def tick(self, now_ms: int) -> list[Effect]:
        """Prune decided slots past retention; expire open slots idle too long."""
        effects: list[Effect] = []
        while self._decided:
            key, st = next(iter(self._decided.items()))
            if st.decided_ms + self._retain_ms > now_ms:
                break
            self._prune_decided(key)
        for key, st in list(self._open.items()):
            if st.touched_ms + self._open_timeout_ms <= now_ms:
                self._close(key)
                effects.append(SlotDropped(key[0], key[1], "expired"))
        return effects

    # -- the rules ----------------------------------------------------------------------
    def _admit_vote(
        self, key: tuple[str, int], st: _Slot, sv: SignedVote, now_ms: int
    ) -> list[Effect]:
        """Which vote counts, and what follows. The only place a tally changes."""
        v = sv.vote
        prev = st.counted.get(v.voter)
        if prev is not None:
            # Caller filtered duplicates and repeat offenders: this one conflicts.
            st.equivocators.add(v.voter)
            return [EvidenceFound(Evidence(VOTER_EQUIVOCATION, v.voter, key, prev.encode(), sv.encode()))]
        # Counted even after a decision, so a later conflicting vote is caught.
        st.counted[v.voter] = sv
        if v.decision is Decision.ACCEPT:
            st.accepts[v.block_id] = st.accepts.get(v.block_id, 0) + 1
        if st.decided is not None:
            return []
        self._push(key, st)  # one more counted voter: its eviction rank changed
        result = _outcome(st.accepts, len(st.counted), self._vs.n, self._vs.q)
        if result is None:
            return []
        if result[0] == "commit":
            block_id = result[1]
            votes = tuple(
                sorted(
                    (s for s in st.counted.values()
                     if s.vote.decision is Decision.ACCEPT and s.vote.block_id == block_id),
                    key=lambda s: s.vote.voter,
                )
            )
            self._decide(key, st, "committed", now_ms)
            return [Committed(Certificate(block_id, key[0], key[1], votes))]
        all_votes = tuple(sorted(st.counted.values(), key=lambda s: s.vote.voter))
        ids = {s.vote.block_id for s in all_votes}
        self._decide(key, st, "rejected", now_ms)
        return [Rejected(key[0], key[1], ids.pop() if len(ids) == 1 else None, all_votes)]

    # -- bookkeeping ----------------------------------------------------------------------
    def _lookup(self, key: tuple[str, int]) -> _Slot | None:
        st = self._open.get(key)
        return st if st is not None else self._decided.get(key)

    def _below_watermark(self, key: tuple[str, int]) -> bool:
        return key[1] <= self._watermark.get(key[0], 0)

    def _create(self, key: tuple[str, int], now_ms: int, effects: list[Effect]) -> _Slot | None:
        """Open a slot; at the cap, evict a farther one, or return None if none is farther."""
        if len(self._open) >= self._max_open:
            # Farthest ahead of its proposer's head first (honest slots sit at
            # head + 1), then fewest counted voters, then newest: a flood of
            # invented slots churns itself instead of honest slots. The new
            # slot competes too: one no nearer than the worst open slot is
            # simply not opened, so it can never push a nearer one out.
            victim = self._eviction_victim()
            if key[1] - self._head.get(key[0], 0) >= victim[1] - self._head.get(victim[0], 0):
                return None
            self._close(victim)
            effects.append(SlotDropped(victim[0], victim[1], "evicted"))
        self._counter += 1
        st = self._open[key] = _Slot(order=self._counter, touched_ms=now_ms)
        self._open_seqs.setdefault(key[0], set()).add(key[1])
        self._push(key, st)
        return st

    def _eviction_victim(self) -> tuple[str, int]:
        """The open slot farthest ahead of its proposer's head, fewest counted, newest: the top
        of the heap once stale entries are popped (amortized O(log n); :meth:`_push` keeps the
        heap within twice the open slots)."""
        while True:
            *_, proposer, seq, stamp = self._heap[0]
            st = self._open.get((proposer, seq))
            if st is not None and st.stamp == stamp:
                return (proposer, seq)
            heapq.heappop(self._heap)

    def _entry(self, key: tuple[str, int], st: _Slot) -> tuple[int, int, int, str, int, int]:
        return (-(key[1] - self._head.get(key[0], 0)), len(st.counted), -st.order, key[0], key[1], st.stamp)

    def _push(self, key: tuple[str, int], st: _Slot) -> None:
        self._stamps += 1
        st.stamp = self._stamps
        heapq.heappush(self._heap, self._entry(key, st))
        if len(self._heap) > 2 * len(self._open) + 64:
            # Stale entries outnumber live ones: rebuild (amortized O(1) per push), so the heap
            # stays within 2x the open slots whether or not the cap is ever reached.
            self._heap = [self._entry(k, s) for k, s in self._open.items()]
            heapq.heapify(self._heap)

    def _close(self, key: tuple[str, int]) -> None:
        """Remove an open slot (its heap entries go stale)."""
        del self._open[key]
        seqs = self._open_seqs.get(key[0])
        if seqs is not None:
            seqs.discard(key[1])
            if not seqs:
                del self._open_seqs[key[0]]

    def _decide(
        self, key: tuple[str, int], st: _Slot, outcome: Literal["committed", "rejected"], now_ms: int
    ) -> None:
        st.decided = outcome
        st.decided_ms = now_ms
        self._close(key)
        self._decided[key] = st
        self._keep_decided_header(key, st)
        if key[1] > self._head.get(key[0], 0):
            self._set_head(key[0], key[1])
        while len(self._decided) > self._max_decided:
            self._prune_decided(next(iter(self._decided)))

    def _set_head(self, proposer: str, seq: int) -> None:
        self._head.pop(proposer, None)  # re-insert: dict order is recency
        self._head[proposer] = seq
        while len(self._head) > self._max_watermarks:
            # Forgetting a head re-anchors that proposer's window at 0; with
            # ``proposers`` set this never happens for a set up to that size.
            forgotten = next(iter(self._head))
            del self._head[forgotten]
            self._repush(forgotten)
        self._repush(proposer)

    def _repush(self, proposer: str) -> None:
        """The proposer's head moved: every open slot of it is at a new distance."""
        for s in self._open_seqs.get(proposer, ()):
            self._push((proposer, s), self._open[(proposer, s)])

    def _keep_decided_header(self, key: tuple[str, int], st: _Slot) -> None:
        """Charge a decided slot's header bytes to the budget; past it, drop the oldest kept."""
        if not st.header_bytes:
            return
        self._decided_header_bytes += len(st.header_bytes)
        self._decided_with_header.append(key)
        while self._decided_header_bytes > self._max_decided_header_bytes:
            old = self._decided.get(self._decided_with_header.popleft())
            if old is not None and old.header_bytes:
                self._decided_header_bytes -= len(old.header_bytes)
                old.header_bytes = b""

    def _prune_decided(self, key: tuple[str, int]) -> None:
        st = self._decided.pop(key)
        if st.header_bytes:
            self._decided_header_bytes -= len(st.header_bytes)
            st.header_bytes = b""
        # Entries of pruned or emptied slots are dropped once they reach the front.
        kept = self._decided_with_header
        while kept and not getattr(self._decided.get(kept[0]), "header_bytes", b""):
            kept.popleft()
        proposer, seq = key
        if seq > self._watermark.get(proposer, 0):
            self._watermark.pop(proposer, None)  # re-insert: dict order is recency
            self._watermark[proposer] = seq
            while len(self._watermark) > self._max_watermarks:
                # Forgetting a watermark only lets a very late replay reopen a
                # pruned slot; the chain treats decided seqs as final anyway.
                del self._watermark[next(iter(self._watermark))]
