"""The quorum: certificates, evidence, and the QuorumTracker state machine."""

from __future__ import annotations

import contextlib
import random

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.block import SignedHeader, build_block
from protocol.cid import cid_of
from protocol.errors import DecodeError, SignatureError, ValidationError
from protocol.keys import PrivateKey
from protocol.quorum import (
    PROPOSER_EQUIVOCATION,
    VOTER_EQUIVOCATION,
    Certificate,
    Committed,
    Evidence,
    EvidenceFound,
    QuorumTracker,
    Rejected,
    SlotDropped,
    decode_certificate,
    decode_evidence,
    verify_certificate,
)
from protocol.record import Record
from protocol.validators import ValidatorSet
from protocol.vote import Decision, Reason, SignedVote, Vote, sign_vote
from tests.protocol.conftest import GENESIS_ID as GID

KEYS = [PrivateKey(bytes([i + 1]) * 32) for i in range(12)]
PROPOSER = PrivateKey(bytes([200]) * 32)
OUTSIDER = PrivateKey(bytes([201]) * 32)
A, B = cid_of(b"block A"), cid_of(b"block B")
MODEL = cid_of(b"model weights")


def vset(n: int) -> ValidatorSet:
    return ValidatorSet(k.peer_id for k in KEYS[:n])


def vote(
    key: PrivateKey,
    block_id: str = A,
    decision: Decision = Decision.ACCEPT,
    seq: int = 1,
    reason: Reason | None = None,
    proposer: str | None = None,
) -> SignedVote:
    if reason is None:
        reason = Reason.OK if decision is Decision.ACCEPT else Reason.LOW_IMPORTANCE
    v = Vote(block_id, proposer or PROPOSER.peer_id, seq, key.peer_id, decision, reason)
    return sign_vote(v, key, GID)


def feed(tracker: QuorumTracker, votes: list[SignedVote], now_ms: int = 0) -> list[object]:
    out: list[object] = []
    for sv in votes:
        out.extend(tracker.handle_vote(sv, now_ms))
    return out


def certificate(voters: list[int], block_id: str = A) -> Certificate:
    return Certificate(block_id, PROPOSER.peer_id, 1, tuple(vote(KEYS[i], block_id) for i in voters))


# --- validator set ---------------------------------------------------------------------


@pytest.mark.parametrize(("n", "f", "q"), [(1, 0, 1), (2, 0, 2), (3, 0, 3), (4, 1, 3), (7, 2, 5), (10, 3, 7)])
def test_validator_set_sizes(n: int, f: int, q: int) -> None:
    vs = vset(n)
    assert (vs.n, vs.f, vs.q) == (n, f, q)
    assert vs.peer_ids == tuple(sorted(k.peer_id for k in KEYS[:n]))
    assert KEYS[0].peer_id in vs
    assert OUTSIDER.peer_id not in vs
    assert vs.public_key(KEYS[0].peer_id) == KEYS[0].public


# --- liveness and rejection ---------------------------------------------------------------


@given(st.integers(1, 10), st.randoms(use_true_random=False))
@settings(max_examples=40, deadline=None)
def test_q_honest_accepts_commit_in_any_order(n: int, rnd: random.Random) -> None:
    vs = vset(n)
    voters = rnd.sample(range(n), vs.q)
    votes = [vote(KEYS[i]) for i in voters]
    rnd.shuffle(votes)
    tracker = QuorumTracker(vs, GID)
    effects = feed(tracker, votes[:-1])
    assert effects == []  # q - 1 votes never commit
    effects = feed(tracker, votes[-1:])
    assert len(effects) == 1
    assert isinstance(effects[0], Committed)
    cert = effects[0].certificate
    assert (cert.block_id, cert.slot) == (A, (PROPOSER.peer_id, 1))
    assert len(cert.votes) == vs.q
    verify_certificate(cert, vs, GID)
    assert tracker.outcome(PROPOSER.peer_id, 1) == "committed"


@pytest.mark.parametrize("n", range(1, 11))
def test_f_plus_one_rejects_end_the_slot(n: int) -> None:
    vs = vset(n)
    tracker = QuorumTracker(vs, GID)
    rejects = [vote(KEYS[i], decision=Decision.REJECT) for i in range(vs.f + 1)]
    assert feed(tracker, rejects[:-1]) == []
    effects = feed(tracker, rejects[-1:])
    assert len(effects) == 1
    assert isinstance(effects[0], Rejected)
    rej = effects[0]
    assert (rej.proposer, rej.seq, rej.block_id) == (PROPOSER.peer_id, 1, A)
    assert len(rej.votes) == vs.f + 1
    # Every remaining validator accepting changes nothing: decided stays decided.
    assert feed(tracker, [vote(KEYS[i]) for i in range(vs.f + 1, n)]) == []
    assert tracker.outcome(PROPOSER.peer_id, 1) == "rejected"


def test_split_accepts_reject_without_any_reject_vote() -> None:
    tracker = QuorumTracker(vset(4), GID)  # q = 3
    effects = feed(tracker, [vote(KEYS[0], A), vote(KEYS[1], B), vote(KEYS[2], A)])
    assert effects == []  # A can still reach 3 with the last validator
    effects = feed(tracker, [vote(KEYS[3], B)])
    assert len(effects) == 1
    assert isinstance(effects[0], Rejected)
    assert effects[0].block_id is None  # votes named two blocks


def test_duplicates_ignored_and_not_counted_twice() -> None:
    tracker = QuorumTracker(vset(4), GID)
    sv = vote(KEYS[0])
    assert feed(tracker, [sv, sv, sv, vote(KEYS[1])]) == []
    # Same content under other signature bytes is a duplicate, not equivocation:
    # a signer can make many valid signatures over one message.
    other_sig = SignedVote(sv.vote, bytes(64))
    assert tracker.handle_vote(other_sig, 0, verified=True) == []
    assert isinstance(feed(tracker, [vote(KEYS[2])])[0], Committed)


def test_non_member_votes_ignored_even_unsigned() -> None:
    tracker = QuorumTracker(vset(1), GID)
    outsider_vote = vote(OUTSIDER)
    forged = SignedVote(outsider_vote.vote, bytes(64))
    assert feed(tracker, [outsider_vote, forged]) == []
    assert tracker.statistics().open_slots == 0


def test_bad_signature_from_member_raises_and_changes_nothing() -> None:
    tracker = QuorumTracker(vset(1), GID)
    good = vote(KEYS[0])
    forged = SignedVote(good.vote, bytes(64))
    with pytest.raises(SignatureError):
        tracker.handle_vote(forged, 0)
    assert tracker.statistics().open_slots == 0
    # With verified=True the caller vouches for it and the check is skipped.
    assert isinstance(tracker.handle_vote(forged, 0, verified=True)[0], Committed)


# --- equivocation ------------------------------------------------------------------


def test_voter_equivocation_after_decision_is_evidence_not_a_second_decision() -> None:
    vs = vset(4)
    tracker = QuorumTracker(vs, GID)
    first = [vote(KEYS[i], A) for i in range(3)]
    assert isinstance(feed(tracker, first)[-1], Committed)
    second = vote(KEYS[0], B)
    effects = feed(tracker, [second])
    assert len(effects) == 1
    assert isinstance(effects[0], EvidenceFound)
    ev = effects[0].evidence
    assert (ev.kind, ev.offender, ev.slot) == (VOTER_EQUIVOCATION, KEYS[0].peer_id, (PROPOSER.peer_id, 1))
    assert (ev.first, ev.second) == (first[0].encode(), second.encode())
    ev.verify(vs, GID)
    # Reported once per voter per slot; more conflicting votes add nothing.
    assert feed(tracker, [vote(KEYS[0], decision=Decision.REJECT), vote(KEYS[3], B)]) == []


def test_equivocating_vote_is_not_counted() -> None:
    tracker = QuorumTracker(vset(4), GID)  # q = 3
    effects = feed(tracker, [vote(KEYS[0], A), vote(KEYS[0], B), vote(KEYS[1], B), vote(KEYS[2], B)])
    assert [type(e) for e in effects] == [EvidenceFound]
    # KEYS[0]'s B never counted: B has 2, A has 1, one validator left: B can still commit.
    assert isinstance(feed(tracker, [vote(KEYS[3], B)])[0], Committed)


@st.composite
def byzantine_runs(draw: st.DrawFn) -> tuple[int, int, list[list[SignedVote]]]:
    n = draw(st.integers(1, 10))
    vs = vset(n)
    byz = draw(st.integers(0, vs.f))
    honest_choice = draw(st.lists(st.sampled_from(["A", "B", "R"]), min_size=n - byz, max_size=n - byz))
    pool: list[SignedVote] = []
    for i in range(byz):
        pool += [vote(KEYS[i], A), vote(KEYS[i], B)]
    for j, choice in enumerate(honest_choice):
        key = KEYS[byz + j]
        if choice == "R":
            pool.append(vote(key, A, Decision.REJECT))
        else:
            pool.append(vote(key, A if choice == "A" else B))
    rnd = draw(st.randoms(use_true_random=False))
    # Three nodes, each with its own delivery order and some duplicates.
    orders = []
    for _ in range(3):
        order = pool + [rnd.choice(pool) for _ in range(rnd.randint(0, len(pool)))]
        rnd.shuffle(order)
        orders.append(order)
    return n, byz, orders


@given(byzantine_runs())
@settings(max_examples=120, deadline=None)
def test_safety_under_byzantine_double_votes(run: tuple[int, int, list[list[SignedVote]]]) -> None:
    n, byz, orders = run
    vs = vset(n)
    committed_ids: set[str] = set()
    for order in orders:
        tracker = QuorumTracker(vs, GID)
        effects = feed(tracker, order)
        commits = [e for e in effects if isinstance(e, Committed)]
        decisions = [e for e in effects if isinstance(e, Committed | Rejected)]
        assert len(decisions) <= 1  # at most one decision per slot per node
        for c in commits:
            verify_certificate(c.certificate, vs, GID)
            committed_ids.add(c.certificate.block_id)
        offenders = {e.evidence.offender for e in effects if isinstance(e, EvidenceFound)}
        # Both votes of every byzantine validator arrived, so each one is caught,
        # and no honest validator is ever accused.
        assert offenders == {KEYS[i].peer_id for i in range(byz)}
        for e in effects:
            if isinstance(e, EvidenceFound):
                e.evidence.verify(vs, GID)
    # Across nodes that saw different orders, never two different blocks.
    assert len(committed_ids) <= 1


class _MajorityQuorum(ValidatorSet):
    """A deliberately wrong validator set: simple majority instead of n - f."""

    __slots__ = ()

    @property
    def q(self) -> int:
        return self.n // 2 + 1


def test_safety_oracle_catches_a_too_small_quorum() -> None:
    # The same two-node scenario under the real q and under a majority q: the
    # check used by the property test must tell them apart.
    def committed_ids(vs: ValidatorSet) -> set[str]:
        node1 = [vote(KEYS[0], A), vote(KEYS[1], A), vote(KEYS[2], A)]
        node2 = [vote(KEYS[0], B), vote(KEYS[3], B), vote(KEYS[4], B)]
        ids = set()
        for order in (node1, node2):
            for e in feed(QuorumTracker(vs, GID), order):
                if isinstance(e, Committed):
                    ids.add(e.certificate.block_id)
        return ids

    peers = [k.peer_id for k in KEYS[:5]]
    assert committed_ids(_MajorityQuorum(peers)) == {A, B}
    assert committed_ids(ValidatorSet(peers)) == set()


# --- headers and proposer equivocation ------------------------------------------------


def signed_header(seq: int, tag: str, key: PrivateKey = PROPOSER) -> SignedHeader:
    rec = Record.create("note", key.peer_id, 1, {"tag": tag})
    return build_block(
        key, genesis_id=GID, network="testnet", seq=seq, prev=None, created_ms=0, model_id=MODEL,
        records=[rec], scores=[0.5],
    ).signed


def test_handle_header_detects_proposer_equivocation_once() -> None:
    tracker = QuorumTracker(vset(4), GID)
    h1, h2 = signed_header(3, "one"), signed_header(3, "two")
    assert tracker.handle_header(h1, 0) == []
    assert tracker.handle_header(h1, 1) == []
    effects = tracker.handle_header(h2, 2)
    assert len(effects) == 1
    assert isinstance(effects[0], EvidenceFound)
    ev = effects[0].evidence
    assert (ev.kind, ev.offender, ev.slot, ev.first, ev.second) == (
        PROPOSER_EQUIVOCATION, PROPOSER.peer_id, (PROPOSER.peer_id, 3), h1.encode(), h2.encode(),
    )
    ev.verify(vset(4), GID)
    assert decode_evidence(ev.encode()) == ev
    assert tracker.handle_header(signed_header(3, "three"), 3) == []
    assert tracker.handle_header(signed_header(4, "two"), 3) == []


def test_proposer_evidence_verify_rejects_non_conflicts() -> None:
    vs = vset(4)
    h1, h2 = signed_header(3, "one"), signed_header(3, "two")

    def ev(a: SignedHeader, b: SignedHeader, offender: PrivateKey = PROPOSER) -> Evidence:
        return Evidence(PROPOSER_EQUIVOCATION, offender.peer_id, (offender.peer_id, 3), a.encode(), b.encode())

    with pytest.raises(ValidationError, match="same block"):
        ev(h1, h1).verify(vs, GID)
    with pytest.raises(ValidationError, match="another slot"):
        ev(h1, signed_header(4, "two")).verify(vs, GID)
    with pytest.raises(ValidationError, match="not signed by the offender"):
        ev(h1, signed_header(3, "two", OUTSIDER)).verify(vs, GID)
    forged = SignedHeader(h2.header, bytes(64))
    with pytest.raises(SignatureError):
        ev(h1, forged).verify(vs, GID)
    with pytest.raises(DecodeError):
        Evidence(PROPOSER_EQUIVOCATION, PROPOSER.peer_id, (PROPOSER.peer_id, 3), h1.encode(), b"junk").verify(vs, GID)


# --- bounded memory ---------------------------------------------------------------------


def test_open_slot_cap_keeps_slots_nearer_their_head() -> None:
    tracker = QuorumTracker(vset(4), GID, max_open_slots=2)
    assert feed(tracker, [vote(KEYS[0], seq=1), vote(KEYS[1], seq=1)]) == []
    assert feed(tracker, [vote(KEYS[0], seq=2)]) == []
    # Full, and slot 3 is no nearer its head than slot 2: it is not opened.
    assert feed(tracker, [vote(KEYS[0], seq=3)]) == []
    assert tracker.statistics().open_slots == 2
    # Another proposer's next slot is nearer than slot 2: slot 2 makes room.
    other = vote(KEYS[0], seq=1, proposer=OUTSIDER.peer_id)
    assert feed(tracker, [other]) == [SlotDropped(PROPOSER.peer_id, 2, "evicted")]
    # Slot 1 kept its two votes: one more commits it.
    assert isinstance(feed(tracker, [vote(KEYS[2], seq=1)])[0], Committed)


def test_flood_of_one_vote_slots_churns_itself_not_older_slots() -> None:
    tracker = QuorumTracker(vset(4), GID, max_open_slots=3)
    feed(tracker, [vote(KEYS[1], seq=1)])  # an honest slot, first vote in
    tracker.handle_header(signed_header(9, "header only"), 0)
    feed(tracker, [vote(KEYS[0], seq=2)])
    # Full: the slot farthest from its head (header-only 9) goes first.
    assert feed(tracker, [vote(KEYS[0], seq=3)]) == [SlotDropped(PROPOSER.peer_id, 9, "evicted")]
    # Then the flood's farther slots are not opened at all: slot 1 survives it.
    for seq in range(4, 10):
        assert feed(tracker, [vote(KEYS[0], seq=seq)]) == []
    assert tracker.statistics().open_slots == 3
    assert isinstance(feed(tracker, [vote(KEYS[2], seq=1), vote(KEYS[3], seq=1)])[-1], Committed)


def test_tick_prunes_decided_and_late_votes_never_decide_again() -> None:
    tracker = QuorumTracker(vset(4), GID, retain_decided_ms=1000)
    votes = [vote(KEYS[i]) for i in range(4)]
    assert isinstance(feed(tracker, votes[:3], now_ms=0)[-1], Committed)
    assert tracker.tick(999) == []
    assert tracker.statistics().decided_slots == 1
    tracker.tick(1000)
    assert tracker.statistics().decided_slots == 0
    # A replay of the whole slot after pruning is ignored: no second Committed.
    assert feed(tracker, votes, now_ms=2000) == []
    assert tracker.statistics().open_slots == 0
    # Later slots of the same proposer still work.
    assert isinstance(feed(tracker, [vote(KEYS[i], seq=2) for i in range(3)])[-1], Committed)


def test_decided_cap_prunes_oldest_without_tick() -> None:
    tracker = QuorumTracker(vset(1), GID, max_decided_slots=2)
    for seq in range(1, 6):
        feed(tracker, [vote(KEYS[0], seq=seq)])
    assert tracker.statistics().decided_slots == 2
    assert tracker.outcome(PROPOSER.peer_id, 5) == "committed"
    assert tracker.outcome(PROPOSER.peer_id, 1) is None


def test_idle_open_slots_expire_on_tick() -> None:
    tracker = QuorumTracker(vset(4), GID, open_timeout_ms=500)
    feed(tracker, [vote(KEYS[0], seq=1)], now_ms=0)
    feed(tracker, [vote(KEYS[0], seq=2)], now_ms=300)
    assert tracker.tick(600) == [SlotDropped(PROPOSER.peer_id, 1, "expired")]
    assert tracker.statistics().open_slots == 1


# --- certificates -------------------------------------------------------------------


def test_verify_certificate_accepts_a_good_one() -> None:
    vs = vset(4)
    cert = certificate([0, 1, 2])
    verify_certificate(cert, vs, GID)
    assert decode_certificate(cert.encode()) == cert


@pytest.mark.parametrize(
    ("votes", "error", "match"),
    [
        (lambda: [vote(KEYS[0]), vote(KEYS[1])], ValidationError, "quorum"),
        (lambda: [vote(KEYS[0]), vote(KEYS[0]), vote(KEYS[1])], ValidationError, "two votes"),
        (lambda: [vote(KEYS[0]), vote(KEYS[1]), vote(OUTSIDER)], ValidationError, "non-validator"),
        (lambda: [vote(KEYS[0]), vote(KEYS[1]), vote(KEYS[2], B)], ValidationError, "another block"),
        (lambda: [vote(KEYS[0]), vote(KEYS[1]), vote(KEYS[2], seq=2)], ValidationError, "another block"),
        (lambda: [vote(KEYS[0]), vote(KEYS[1]), vote(KEYS[2], decision=Decision.REJECT)], ValidationError, "not ACCEPT"),
        (
            lambda: [vote(KEYS[0]), vote(KEYS[1]), SignedVote(vote(KEYS[2]).vote, bytes(64))],
            SignatureError,
            "bad signature",
        ),
    ],
)
def test_verify_certificate_rejects(votes: object, error: type[Exception], match: str) -> None:
    cert = Certificate(A, PROPOSER.peer_id, 1, tuple(votes()))  # type: ignore[operator]
    with pytest.raises(error, match=match):
        verify_certificate(cert, vset(4), GID)


@given(st.integers(1, 10), st.randoms(use_true_random=False))
@settings(max_examples=20, deadline=None)
def test_certificate_round_trip(n: int, rnd: random.Random) -> None:
    cert = certificate(rnd.sample(range(n), rnd.randint(1, n)), rnd.choice([A, B]))
    data = cert.encode()
    assert decode_certificate(data) == cert
    assert decode_certificate(data).encode() == data


# --- evidence -------------------------------------------------------------------------


def voter_evidence(a: SignedVote, b: SignedVote, offender: PrivateKey = KEYS[0]) -> Evidence:
    return Evidence(VOTER_EQUIVOCATION, offender.peer_id, a.vote.slot, a.encode(), b.encode())


def test_evidence_verify_accepts_real_equivocation_and_round_trips() -> None:
    vs = vset(4)
    ev = voter_evidence(vote(KEYS[0], A), vote(KEYS[0], A, Decision.REJECT))
    ev.verify(vs, GID)
    assert decode_evidence(ev.encode()) == ev


@pytest.mark.parametrize(
    ("first", "second", "match"),
    [
        (lambda: vote(KEYS[0], A), lambda: vote(KEYS[0], A), "do not conflict"),
        (lambda: vote(KEYS[0], A, seq=1), lambda: vote(KEYS[0], B, seq=2), "another slot"),
        (lambda: vote(KEYS[0], A), lambda: vote(KEYS[1], B), "not signed by the offender"),
    ],
)
def test_evidence_verify_rejects_non_conflicts(first: object, second: object, match: str) -> None:
    ev = voter_evidence(first(), second())  # type: ignore[operator]
    with pytest.raises(ValidationError, match=match):
        ev.verify(vset(4), GID)


def test_evidence_verify_rejects_bad_signature_and_outsider() -> None:
    a, b = vote(KEYS[0], A), vote(KEYS[0], B)
    forged = SignedVote(b.vote, bytes(64))
    with pytest.raises(SignatureError):
        voter_evidence(a, forged).verify(vset(4), GID)
    o1, o2 = vote(OUTSIDER, A), vote(OUTSIDER, B)
    with pytest.raises(ValidationError, match="not a validator"):
        voter_evidence(o1, o2, OUTSIDER).verify(vset(4), GID)


# --- decoder fuzzing ------------------------------------------------------------------

_GOOD = [
    certificate([0, 1, 2]).encode(),
    voter_evidence(vote(KEYS[0], A), vote(KEYS[0], B)).encode(),
    Evidence(
        PROPOSER_EQUIVOCATION, PROPOSER.peer_id, (PROPOSER.peer_id, 2),
        signed_header(2, "one").encode(), signed_header(2, "two").encode(),
    ).encode(),
]


@given(st.binary(max_size=800))
@settings(max_examples=300, deadline=None)
def test_decoders_fuzz_random_bytes(data: bytes) -> None:
    for decode in (decode_certificate, decode_evidence):
        with contextlib.suppress(DecodeError):
            decode(data)


@given(st.sampled_from(_GOOD), st.data())
@settings(max_examples=300, deadline=None)
def test_decoders_fuzz_mutated_bytes(good: bytes, data: st.DataObject) -> None:
    buf = bytearray(good)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(buf) - 1)) if buf else 0
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip" and buf:
            buf[pos] ^= data.draw(st.integers(1, 255))
        elif op == "cut":
            del buf[pos:]
        else:
            buf[pos:pos] = data.draw(st.binary(min_size=1, max_size=4))
    for decode in (decode_certificate, decode_evidence):
        try:
            out = decode(bytes(buf))
        except DecodeError:
            continue
        assert out.encode() == bytes(buf)


def test_certificate_vote_count_bound_checked_before_allocation() -> None:
    head = b"\x94" + msgpack.packb(bytes(36)) + msgpack.packb(PROPOSER.peer_id) + b"\x01"
    with pytest.raises(DecodeError):
        decode_certificate(head + b"\xdd\xff\xff\xff\xff")


# --- finding 3: one byzantine voter must not stop commits -------------------------------


def test_invented_slots_never_evict_an_honest_slot() -> None:
    """A byzantine voter interleaves invented slots with an honest slot's votes.

    Old rule (fewest votes, newest first): each invented slot evicted the
    honest slot, which was the newest one-vote slot, so it never committed.
    """
    other = OUTSIDER.peer_id
    tracker = QuorumTracker(vset(4), GID, max_open_slots=8)
    invented = iter([(p, s) for s in range(2, 60) for p in (PROPOSER.peer_id, other)])

    def flood(k: int) -> list[object]:
        out: list[object] = []
        for _ in range(k):
            p, s = next(invented)
            out += tracker.handle_vote(vote(KEYS[0], cid_of(f"{p}{s}".encode()), seq=s, proposer=p), 0)
        return out

    flood(8)  # the tracker is full of invented slots
    effects: list[object] = []
    for i in (1, 2, 3):
        effects += tracker.handle_vote(vote(KEYS[i], A, seq=1), 0)
        flood(3)
    assert any(isinstance(e, Committed) for e in effects)
    assert not any(isinstance(e, SlotDropped) and e.seq == 1 for e in effects)
    assert tracker.statistics().open_slots <= 8


def test_votes_outside_the_window_are_ignored_before_the_signature() -> None:
    tracker = QuorumTracker(vset(4), GID, slot_window_ahead=4, slot_window_behind=2)
    forged = SignedVote(vote(KEYS[0], seq=5).vote, bytes(64))
    assert tracker.handle_vote(forged, 0) == []  # beyond head + 4: no signature work, no slot
    assert tracker.statistics().open_slots == 0
    with pytest.raises(SignatureError):
        tracker.handle_vote(SignedVote(vote(KEYS[0], seq=4).vote, bytes(64)), 0)
    # The head moves with the chain; the window follows it.
    assert tracker.advance_head(PROPOSER.peer_id, 10) == []
    assert tracker.head(PROPOSER.peer_id) == 10
    assert feed(tracker, [vote(KEYS[0], seq=8)]) == []
    assert tracker.statistics().open_slots == 0  # at or below head - 2: not opened
    assert feed(tracker, [vote(KEYS[0], seq=9)]) == []
    assert feed(tracker, [vote(KEYS[0], seq=14)]) == []
    assert tracker.statistics().open_slots == 2
    # Moving past an open undecided slot drops it.
    assert tracker.advance_head(PROPOSER.peer_id, 20) == [
        SlotDropped(PROPOSER.peer_id, 9, "superseded"),
        SlotDropped(PROPOSER.peer_id, 14, "superseded"),
    ] or tracker.statistics().open_slots == 1


def test_per_proposer_window_bounds_open_slots() -> None:
    tracker = QuorumTracker(vset(4), GID, slot_window_ahead=16, slot_window_behind=0)
    for seq in range(1, 500):
        feed(tracker, [vote(KEYS[0], cid_of(b"x%d" % seq), seq=seq)])
    assert tracker.statistics().open_slots == 16


def test_only_known_proposers_get_slots() -> None:
    tracker = QuorumTracker(vset(4), GID, proposers=[PROPOSER.peer_id])
    forged = SignedVote(vote(KEYS[0], proposer=OUTSIDER.peer_id).vote, bytes(64))
    assert tracker.handle_vote(forged, 0) == []
    assert tracker.statistics().open_slots == 0
    assert feed(tracker, [vote(KEYS[0])]) == []
    assert tracker.statistics().open_slots == 1


def test_verify_certificate_refuses_more_votes_than_validators_before_signatures() -> None:
    votes = tuple(SignedVote(vote(KEYS[i % 4]).vote, bytes(64)) for i in range(5))
    with pytest.raises(ValidationError, match="there are 4 validators"):
        verify_certificate(Certificate(A, PROPOSER.peer_id, 1, votes), vset(4), GID)


@given(st.randoms(use_true_random=False), st.integers(2, 6))
@settings(max_examples=25, deadline=None)
def test_one_byzantine_voter_never_blocks_honest_slots(rnd: random.Random, cap: int) -> None:
    """Property (finding 3): whatever invented slots one voter opens, in any order and at any
    open-slot cap, every honest slot (each proposer's next seq) still commits."""
    proposers = [PROPOSER.peer_id, OUTSIDER.peer_id]
    tracker = QuorumTracker(vset(4), GID, max_open_slots=cap, slot_window_ahead=8, slot_window_behind=2)
    byz, honest = KEYS[0], KEYS[1:4]
    heads = dict.fromkeys(proposers, 0)
    for _ in range(12):
        events: list[SignedVote] = []
        for p in proposers:
            blk = cid_of(f"{p}{heads[p] + 1}".encode())
            events += [vote(k, blk, seq=heads[p] + 1, proposer=p) for k in honest]
        events += [
            vote(byz, cid_of(rnd.randbytes(8)), seq=rnd.randint(1, 40), proposer=rnd.choice(proposers))
            for _ in range(rnd.randint(0, 12))
        ]
        rnd.shuffle(events)
        committed = set()
        for sv in events:
            for eff in tracker.handle_vote(sv, 0):
                if isinstance(eff, Committed):
                    committed.add(eff.certificate.slot)
        assert committed == {(p, heads[p] + 1) for p in proposers}
        for p in proposers:
            heads[p] += 1
        assert tracker.statistics().open_slots <= cap


def test_decided_slots_keep_header_bytes_under_a_budget() -> None:
    # Review 25: 65,536 decided slots each kept their first header's bytes (up to 17 KiB): about
    # 1 GiB. They now share a byte budget, oldest dropped first; a late equivocation on a slot whose
    # bytes were dropped is noticed (no second evidence later) but not proven.
    one = len(signed_header(1, "h1").encode())
    tracker = QuorumTracker(vset(4), GID, max_decided_header_bytes=3 * one + one // 2)
    for seq in range(1, 7):
        h = signed_header(seq, f"h{seq}")
        assert len(h.encode()) == one
        assert tracker.handle_header(h, seq) == []
        feed(tracker, [vote(KEYS[i], h.header.block_id, seq=seq) for i in range(3)], seq)
        assert tracker.outcome(PROPOSER.peer_id, seq) == "committed"
    kept = {seq: tracker._decided[(PROPOSER.peer_id, seq)].header_bytes for seq in range(1, 7)}
    assert [seq for seq, b in kept.items() if b] == [4, 5, 6]
    assert tracker._decided_header_bytes == 3 * one
    assert tracker.handle_header(signed_header(1, "other"), 10) == []  # its bytes are gone: not proven
    (ev,) = tracker.handle_header(signed_header(6, "other"), 10)
    assert isinstance(ev, EvidenceFound)
    ev.evidence.verify(vset(4), GID)
    # A slot decided by votes before its header came is charged when the header comes.
    late = signed_header(7, "h7")
    feed(tracker, [vote(KEYS[i], late.header.block_id, seq=7) for i in range(3)], 11)
    assert tracker.handle_header(late, 12) == []
    assert tracker._decided_header_bytes == 3 * one
    assert [s for s in range(1, 8) if tracker._decided[(PROPOSER.peer_id, s)].header_bytes] == [5, 6, 7]
    # Pruning gives the bytes back.
    tracker.tick(10**9)
    assert tracker._decided_header_bytes == 0
    assert not tracker._decided_with_header
