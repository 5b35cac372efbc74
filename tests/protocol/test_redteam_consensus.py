"""Red team of consensus and admission (session 4): attacks on the pure state machines.

Each test names the attack; docs/consensus.md ("attacks tried and what stops them") lists them.
"""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.admission import claims_fall_short, judge_scores
from protocol.block import Block, build_block
from protocol.cid import cid_of
from protocol.keys import PrivateKey
from protocol.quorum import Certificate, QuorumTracker, SlotDropped
from protocol.record import Record
from protocol.slots import (
    BlockSeen,
    CastVote,
    CertificateSeen,
    Commit,
    Evaluate,
    Evaluated,
    Fetch,
    Fetched,
    FetchFailed,
    Refused,
    SlotCore,
    VotesSeen,
)
from protocol.validators import ValidatorSet
from protocol.vote import Decision, Reason, Vote, sign_vote
from tests.protocol.test_quorum import GID, vset
from tests.protocol.test_quorum import KEYS as QKEYS
from tests.protocol.test_slots import GENESIS, KEYS, MODEL, P, block, cert, core, of, records_of
from tests.protocol.test_slots import vote as slot_vote

BAR = GENESIS.min_block_importance
TOL = GENESIS.score_tolerance


def _block_claiming(score: float, n: int = 8, seq: int = 1):  # noqa: ANN202
    recs = [Record.create("note", P.peer_id, 5000 + i, {"junk": i, "s": seq}) for i in range(n)]
    return build_block(P, genesis_id=GENESIS.id, network=GENESIS.network_id, seq=seq, prev=None, created_ms=1,
                       model_id=MODEL, records=recs, scores=[score] * n)


def test_junk_with_honest_claims_under_the_bar_costs_no_model_run() -> None:
    # The rogue's `junk` attack: the dullest records, claimed honestly, aimed under the bar.
    # Every validator used to decode and re-score each such block (one model run per slot) only
    # to find it LOW_IMPORTANCE; the claims alone prove it: our mean <= claims' mean + tolerance.
    c = core()
    junk = _block_claiming(BAR - TOL - 0.01)
    out = c.handle(BlockSeen(junk), 0)
    assert not of(out, Evaluate)
    (cast,) = of(out, CastVote)
    assert (cast.decision, cast.reason) == (Decision.REJECT, Reason.LOW_IMPORTANCE)


def test_claims_within_the_tolerance_of_the_bar_are_still_scored() -> None:
    # Our scores may be up to the tolerance above the claims: such a block can pass, so it is scored.
    c = core()
    near = _block_claiming(BAR - TOL + 0.002)
    (ev,) = of(c.handle(BlockSeen(near), 0), Evaluate)
    assert ev.score is True
    # Our own block is never judged on its claims (its proposer checked them before shipping).
    mine = core()
    own_key = KEYS[0]
    recs = [Record.create("note", own_key.peer_id, 1, {"i": 0})]
    b = build_block(own_key, genesis_id=GENESIS.id, network=GENESIS.network_id, seq=1, prev=None, created_ms=1,
                    model_id=MODEL, records=recs, scores=[0.0])
    assert of(mine.handle(BlockSeen(b), 0), Evaluate)


_BAR_Q = round(BAR * 65535)


@settings(max_examples=200, deadline=None)
@given(
    claims=st.lists(st.integers(max(0, _BAR_Q - 3000), min(65535, _BAR_Q + 1000)), min_size=1, max_size=12),
    noise=st.lists(st.floats(-1.0, 1.0), min_size=12, max_size=12),
)
def test_the_early_low_importance_verdict_never_differs_from_the_full_rule(
    claims: list[int], noise: list[float]
) -> None:
    # Soundness: whenever the claims alone reject, judge_scores rejects too, for ANY own scores:
    # random ones within the tolerance, and every score at the very edge of it.
    n = len(claims)
    floats = [c / 65535 for c in claims]
    blk = build_block(P, genesis_id=GENESIS.id, network=GENESIS.network_id, seq=1, prev=None, created_ms=1,
                      model_id=MODEL,
                      records=[Record.create("note", P.peer_id, 9000 + i, {"i": i}) for i in range(n)],
                      scores=floats)
    if claims_fall_short(blk.header, GENESIS) is None:
        return
    claimed = blk.header.float_scores()
    own = [min(1.0, max(0.0, f + TOL * x)) for f, x in zip(claimed, noise[:n], strict=True)]
    edge = [f + TOL for f in claimed]
    assert judge_scores(claimed, own, GENESIS).decision is Decision.REJECT
    assert judge_scores(claimed, edge, GENESIS).decision is Decision.REJECT


# --- the tally's open-slot cap: invented slots must not cost a scan each ------------------------



def _reference_victim(t: QuorumTracker) -> tuple[tuple[str, int], int]:
    """The eviction rule as first written (a scan): farthest from its head, fewest counted, newest."""
    key, _st = max(
        t._open.items(),  # noqa: SLF001 -- the reference needs the raw state
        key=lambda kv: (kv[0][1] - t.head(kv[0][0]), -len(kv[1].counted), kv[1].order),
    )
    return key, key[1] - t.head(key[0])


@settings(max_examples=60, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 3), st.integers(1, 30), st.integers(0, 3)),
        min_size=1, max_size=120,
    ),
    cap=st.integers(1, 6),
)
def test_the_indexed_eviction_picks_the_slot_the_scan_picked(
    ops: list[tuple[int, int, int, int]], cap: int
) -> None:
    # Model test: the heap-kept eviction order equals the rule as a scan over every open slot,
    # through votes (counts change), decisions and head moves (distances change), at any cap.
    props = [k.peer_id for k in QKEYS[4:8]]
    t = QuorumTracker(vset(4), GID, max_open_slots=cap, slot_window_ahead=16, slot_window_behind=3,
                      proposers=props)
    for i, (op, p, seq, voter) in enumerate(ops):
        proposer = props[p]
        if op == 9:
            t.advance_head(proposer, seq)
            continue
        k = QKEYS[voter]
        sv = sign_vote(Vote(cid_of(bytes([op % 2, p, seq])), proposer, seq, k.peer_id, Decision.ACCEPT,
                            Reason.OK), k, GID)
        fresh = (proposer, seq) not in t._open and t.outcome(proposer, seq) is None  # noqa: SLF001
        expect = None
        if fresh and t.in_window(proposer, seq) and len(t._open) >= cap:  # noqa: SLF001
            victim, far = _reference_victim(t)
            expect = victim if seq - t.head(proposer) < far else "not-opened"
        out = t.handle_vote(sv, i, verified=True)
        evicted = [(e.proposer, e.seq) for e in out if isinstance(e, SlotDropped) and e.why == "evicted"]
        if expect == "not-opened":
            assert not evicted
            assert (proposer, seq) not in t._open  # noqa: SLF001
        elif expect is not None:
            assert evicted == [expect]
        else:
            assert not evicted
        assert len(t._open) <= cap  # noqa: SLF001


def test_a_vote_for_an_invented_slot_at_the_cap_costs_about_what_one_below_it_does() -> None:
    # One byzantine validator, 100 genesis proposers: votes for every proposer's next 64 slots
    # fill the tally's 4,096 open slots; each further vote used to scan all of them to find
    # the slot to evict (683 us against 3.9 us below the cap: 175x; ~1,500 votes/s held the
    # consensus task). CPU time per vote, at the cap over below it, compared in one process.
    keys = [PrivateKey(bytes([i % 250 + 1]) * 31 + bytes([i // 250 + 1])) for i in range(100)]
    props = [k.peer_id for k in keys]
    t = QuorumTracker(ValidatorSet(props), GID, proposers=props)
    byz = keys[0]
    bid = cid_of(b"invented")
    votes = [sign_vote(Vote(bid, p, s, byz.peer_id, Decision.ACCEPT, Reason.OK), byz, GID)
             for s in range(1, 65) for p in props]
    below, at = votes[:4096], votes[4096:]
    t0 = time.process_time()
    for sv in below:
        t.handle_vote(sv, 0, verified=True)
    t1 = time.process_time()
    for sv in at:
        t.handle_vote(sv, 0, verified=True)
    t2 = time.process_time()
    assert t.statistics().open_slots == 4096
    per_below, per_at = (t1 - t0) / len(below), (t2 - t1) / len(at)
    assert per_at < 10 * per_below + 20e-6, f"{per_at * 1e6:.1f} us at the cap vs {per_below * 1e6:.1f} below"


# --- attacks that failed already (rows of the table in docs/consensus.md) --------------------


def test_claims_inflated_by_just_under_the_tolerance_buy_no_admission() -> None:
    # A proposer claims every score 0.0199 over the truth, its true mean just under the bar:
    # the claims pass the tolerance, but importance is the mean of OUR scores, not the claims.
    own = [BAR - 0.005] * 8
    claims = [o + TOL * 0.995 for o in own]
    j = judge_scores(claims, own, GENESIS)
    assert (j.decision, j.reason) == (Decision.REJECT, Reason.LOW_IMPORTANCE)
    assert j.worst_deviation <= TOL


def test_a_certificate_for_another_slot_never_commits_the_block_it_names() -> None:
    # Defence in depth (it takes q signers of a wrong slot, more than f faulty): a certificate
    # whose slot is not the block's own is refused, so we never store and serve a pair that
    # every honest sync client would refuse as a lie.
    c = core()
    b = block(P, 1)
    lying = Certificate(b.block_id, P.peer_id, 2,
                        tuple(sorted((sign_vote(Vote(b.block_id, P.peer_id, 2, k.peer_id, Decision.ACCEPT,
                                                     Reason.OK), k, GENESIS.id) for k in KEYS[1:4]),
                                     key=lambda sv: sv.vote.voter)))
    out = c.handle(CertificateSeen(lying), 0)
    out += c.handle(Fetched(b), 1)
    out += c.handle(Evaluated(b.block_id, records_of(b), None), 2)
    assert not of(out, Commit)
    assert any(r.what == "certificate-mismatch" for r in of(out, Refused))
    assert c.decided(P.peer_id, 1) is None


def test_the_eviction_heap_stays_bounded_below_the_cap() -> None:
    # Every counted vote pushes an entry; stale ones must not pile up while the cap is never hit.
    t = QuorumTracker(vset(4), GID, max_open_slots=4096)
    props = [k.peer_id for k in QKEYS[4:8]]
    for seq in range(1, 400):
        for p in props:
            for k in QKEYS[:2]:  # two votes per slot: never decides, never evicts
                sv = sign_vote(Vote(cid_of(b"h"), p, seq % 60 + 1, k.peer_id, Decision.ACCEPT, Reason.OK), k, GID)
                t.handle_vote(sv, seq, verified=True)
        if seq % 50 == 0:
            for p in props:
                t.advance_head(p, seq // 50)
    assert len(t._heap) <= 2 * len(t._open) + 64  # noqa: SLF001


# --- a proposer's chain of false or junk blocks: the model runs ever less often for it ----------


def _reject_by_others(c: SlotCore, b: Block, now: int) -> list[object]:
    return c.handle(VotesSeen(tuple(slot_vote(k, b, Decision.REJECT) for k in KEYS[1:3])), now)


def test_after_a_false_block_its_proposers_next_is_scored_only_after_a_backoff() -> None:
    # A byzantine proposer whose claims lie (or whose blocks are junk under inflated claims)
    # made every validator run the model once per slot, as fast as each slot was rejected.
    c = core()
    p = c.params
    b1 = block(P, 1)
    c.handle(BlockSeen(b1), 0)
    (cast,) = of(c.handle(Evaluated(b1.block_id, records_of(b1), (0.2,) * 3), 10), CastVote)
    assert cast.reason is Reason.SCORE_MISMATCH
    _reject_by_others(c, b1, 11)
    assert c.decided(P.peer_id, 1) == "rejected"
    b2 = block(P, 2)
    assert not of(c.handle(BlockSeen(b2), 12), Evaluate)  # parked: its proposer is backing off
    assert not of(c.tick(10 + p.rescore_backoff_ms - 1), Evaluate)
    (ev,) = of(c.tick(10 + p.rescore_backoff_ms), Evaluate)
    assert ev.block.block_id == b2.block_id
    # A second false block in a row doubles the wait.
    (cast,) = of(c.handle(Evaluated(b2.block_id, records_of(b2), (0.2,) * 3), 1000), CastVote)
    _reject_by_others(c, b2, 1001)
    b3 = block(P, 3)
    assert not of(c.handle(BlockSeen(b3), 1002), Evaluate)
    assert not of(c.tick(1000 + 2 * p.rescore_backoff_ms - 1), Evaluate)
    assert of(c.tick(1000 + 2 * p.rescore_backoff_ms), Evaluate)


def test_a_commit_clears_the_backoff_and_honest_proposers_never_wait() -> None:
    c = core()
    b1 = block(P, 1)
    c.handle(BlockSeen(b1), 0)
    c.handle(Evaluated(b1.block_id, records_of(b1), (0.2,) * 3), 1)  # false: backoff starts
    _reject_by_others(c, b1, 2)
    b2 = block(P, 2)
    c.handle(BlockSeen(b2), 3)
    # P's next block commits anyway (a certificate: the others accepted it).
    out = c.handle(CertificateSeen(cert_of(b2)), 4)
    out += c.handle(Evaluated(b2.block_id, records_of(b2), None), 5)
    assert of(out, Commit)
    b3 = block(P, 3, prev=b2.block_id)
    assert of(c.handle(BlockSeen(b3), 6), Evaluate)  # no wait after a commit
    q1 = block(KEYS[2], 1)  # another proposer is never held back by P's record
    assert of(c.handle(BlockSeen(q1), 7), Evaluate)


def cert_of(b: Block) -> Certificate:
    return cert(b, list(KEYS[1:4]))


def test_a_proposers_unserved_variants_hold_one_fetch_slot_not_all() -> None:
    # Header-only variants of a byzantine proposer's next slot, never served: each fetch waits
    # out the request timeout on it. They took a fetch slot each (2 per byzantine proposer, and
    # again after each re-announce), so honest big blocks, announced header-only, waited.
    c = core(max_fetches=2)
    v1, v2 = (block(P, 1, variant=i).header_only() for i in (1, 2))
    honest = block(KEYS[2], 1).header_only()
    out = c.handle(BlockSeen(v1), 0) + c.handle(BlockSeen(v2), 1) + c.handle(BlockSeen(honest), 2)
    assert [f.block_id for f in of(out, Fetch)] == [v1.block_id, honest.block_id]
    # The second variant keeps its place and goes once the first is done.
    assert [f.block_id for f in of(c.handle(FetchFailed(v1.block_id), 3), Fetch)] == [v2.block_id]
    # A block named by a certificate is fetched whatever else of its proposer is in flight.
    c2 = core(max_fetches=4)
    c2.handle(BlockSeen(v1), 0)
    out = c2.handle(CertificateSeen(cert(block(P, 1, variant=2), list(KEYS[1:4]))), 1)
    assert [f.block_id for f in of(out, Fetch)] == [v2.block_id]
