"""Red team of consensus and admission (session 4): attacks on the pure state machines.

Each test names the attack; docs/consensus.md ("attacks tried and what stops them") lists them.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.admission import claims_fall_short, judge_scores
from protocol.block import build_block
from protocol.record import Record
from protocol.slots import BlockSeen, CastVote, Evaluate
from protocol.vote import Decision, Reason
from tests.protocol.test_slots import GENESIS, KEYS, MODEL, P, core, of

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
