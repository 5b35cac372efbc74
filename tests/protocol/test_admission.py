"""The one admission rule (protocol/admission.py)."""

from __future__ import annotations

import math

import pytest

from protocol.admission import (
    NOVEL_RECORDS_PER_BLOCK,
    NOVELTY_MIN_VIEW,
    PROPOSER_MARGIN,
    ViewCheck,
    block_importance,
    check_records,
    check_view,
    clears_importance,
    judge_block,
    judge_scores,
    novelty_budget_for_ranking,
    precheck,
    proposer_clears,
    within_novelty_budget,
)
from protocol.block import build_block
from protocol.cid import cid_of
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.record import Record
from protocol.validators import ValidatorSet
from protocol.vote import Decision, Reason

KEY = PrivateKey(bytes([0x55]) * 32)
OTHER = PrivateKey(bytes([0x56]) * 32)
MODEL = cid_of(b"admission model")
G = Genesis(network_id="testnet", validators=ValidatorSet([KEY.peer_id]), accepted_model_ids=(MODEL,))


def make(scores: list[float], *, network: str = "testnet", model: str = MODEL, origin: PrivateKey = KEY):
    recs = [Record.create("note", origin.peer_id, i, {"i": i}) for i in range(len(scores))]
    b = build_block(KEY, genesis_id=G.id, network=network, seq=1, prev=None, created_ms=1, model_id=model,
                    records=recs, scores=scores)
    return b.header, tuple(recs)


def test_accepts_honest_claims_over_the_bar() -> None:
    h, recs = make([0.6, 0.2])
    j = judge_block(h, recs, (0.61, 0.19), G)
    assert j.verdict == (Decision.ACCEPT, Reason.OK)
    assert j.worst_deviation == pytest.approx(0.01, abs=1e-3)
    assert j.importance == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("own", "reason"),
    [((0.6, 0.25), Reason.SCORE_MISMATCH), ((0.1, 0.1), Reason.SCORE_MISMATCH)],
)
def test_claims_out_of_tolerance(own: tuple[float, float], reason: Reason) -> None:
    h, recs = make([0.6, 0.2])
    assert judge_block(h, recs, own, G).verdict == (Decision.REJECT, reason)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("where", ["own", "claimed"])
def test_judge_scores_does_not_fail_open_on_a_non_finite_score(bad: float, where: str) -> None:
    # Review 6, finding 8: `nan > tolerance` and `nan < bar` are both False, so a NaN own score
    # was an ACCEPT of any claims. No input made the shipped scorer return one: hardening.
    good = [0.9, 0.9]
    odd = [bad, 0.9]
    claimed, own = (good, odd) if where == "own" else (odd, good)
    j = judge_scores(claimed, own, G)
    assert j.verdict == (Decision.REJECT, Reason.SCORE_MISMATCH)
    assert j.worst_deviation == math.inf
    h, recs = make([0.9, 0.9])
    if where == "own":
        assert judge_block(h, recs, odd, G).verdict == (Decision.REJECT, Reason.SCORE_MISMATCH)


def test_low_importance_with_honest_claims() -> None:
    low = G.min_block_importance / 2  # below the bar, whatever the genesis default is
    h, recs = make([low, low])
    assert judge_block(h, recs, (low, low), G).verdict == (Decision.REJECT, Reason.LOW_IMPORTANCE)
    assert not clears_importance([low, low], G)
    assert clears_importance([G.min_block_importance] * 3, G)
    assert block_importance([]) == 0.0


def test_an_honest_proposer_keeps_a_margin_over_the_bar() -> None:
    """Review 44, finding 4: validators on other hardware score a few 1e-6 apart, so a block at the bar
    would get votes that follow the hardware. The proposer ships only with PROPOSER_MARGIN to spare; the
    validators' rule is unchanged (a block at the bar still passes)."""
    bar = G.min_block_importance
    edge = [bar + PROPOSER_MARGIN / 2] * 4
    assert clears_importance(edge, G)
    assert not proposer_clears(edge, G)
    assert judge_block(*make(edge), tuple(edge), G).verdict == (Decision.ACCEPT, Reason.OK)
    clear = [bar + 2 * PROPOSER_MARGIN] * 4
    assert proposer_clears(clear, G)
    assert clears_importance(clear, G)
    assert 1e-5 <= PROPOSER_MARGIN <= G.score_tolerance / 10  # above hardware noise, far below a real score


def test_header_checks_come_first() -> None:
    h, recs = make([0.9], model=cid_of(b"other model"))
    assert precheck(h, G) == (Decision.REJECT, Reason.UNKNOWN_MODEL)
    assert judge_block(h, None, None, G).reason is Reason.UNKNOWN_MODEL  # nothing decoded
    h, recs = make([0.9], network="othernet")
    assert judge_block(h, recs, (0.9,), G).decision is Decision.REJECT


def test_record_checks() -> None:
    h, recs = make([0.9], origin=OTHER)
    assert check_records(h, recs) == (Decision.REJECT, Reason.BAD_PAYLOAD)
    h, recs = make([0.9, 0.9])
    assert check_records(h, recs[:1]) == (Decision.REJECT, Reason.BAD_PAYLOAD)
    assert judge_block(h, None, None, G).reason is Reason.BAD_PAYLOAD
    assert judge_block(h, recs, None, G).verdict == (Decision.ACCEPT, Reason.OK)  # not re-scored: own block


# --- the committed view a header names (issue 9) ---------------------------------------

VKEYS = [PrivateKey(bytes([0x70 + i]) * 32) for i in range(4)]
GV = Genesis(network_id="testnet", validators=ValidatorSet(k.peer_id for k in VKEYS), accepted_model_ids=(MODEL,),
             max_view_lag=4)
IDS = GV.validators.peer_ids


def viewed(view: tuple[int, ...], proposer: PrivateKey | None = None):
    key = proposer or PrivateKey(bytes([0x70 + [k.peer_id for k in VKEYS].index(IDS[1])]) * 32)
    recs = [Record.create("note", key.peer_id, 1, {"i": 1})]
    return build_block(key, genesis_id=GV.id, network="testnet", seq=6, prev=None, created_ms=1, model_id=MODEL,
                       records=recs, scores=[0.5], view=view).header


STALE = ViewCheck((Decision.REJECT, Reason.CHAIN_RULE))


def test_view_held_exactly_is_ready() -> None:
    h = viewed((3, 5, 0, 9))  # the proposer is validator 1: its own entry is its prev's seq, 5
    assert check_view(h, (3, 5, 0, 9), GV) == ViewCheck(None)
    assert check_view(h, (3, 5, 0, 9), GV).ready


def test_view_may_lag_ours_by_at_most_max_view_lag() -> None:
    h = viewed((3, 5, 0, 9))
    assert check_view(h, (7, 5, 4, 13), GV).ready  # 4 behind on three validators: within the bound
    assert check_view(h, (8, 5, 0, 9), GV) == STALE  # 5 behind on one: copies of 5 blocks would look new


def test_lag_is_measured_from_lag_from_when_given() -> None:
    """Review 10 #1: a validator measures the lag from its view when it first judged the block."""
    h = viewed((3, 5, 0, 9))
    assert check_view(h, (8, 5, 0, 9), GV) == STALE
    assert check_view(h, (8, 5, 0, 9), GV, lag_from=(3, 5, 0, 9)).ready  # first judged at 3: within
    assert check_view(h, (8, 5, 0, 9), GV, lag_from=(8, 5, 0, 9)) == STALE
    # The smaller of the two counts: lag_from never makes a view staler than ours does.
    assert check_view(h, (3, 5, 0, 9), GV, lag_from=(20, 5, 0, 9)).ready
    with pytest.raises(ValueError, match="lag_from"):
        check_view(h, (3, 5, 0, 9), GV, lag_from=(3, 5))


def test_empty_view_counts_as_nothing_committed() -> None:
    h = viewed(())
    assert check_view(h, (0, 0, 4, 1), GV).ready  # young network: nothing much to copy yet
    assert check_view(h, (0, 0, 5, 0), GV) == STALE  # an empty view once history exists
    assert not check_view(h, (0, 3, 0, 0), GV).ready  # own entry must be prev's seq, even empty


@pytest.mark.parametrize("own", [4, 6])
def test_own_entry_must_be_exactly_prev(own: int) -> None:
    """A proposer cannot leave its own last block out of the view (then its copies would look new)."""
    assert check_view(viewed((3, own, 0, 9)), (3, 5, 0, 9), GV) == STALE


def test_view_ahead_of_ours_waits_and_far_ahead_does_not() -> None:
    near = check_view(viewed((3, 5, 2, 12)), (3, 5, 0, 9), GV)
    assert near == ViewCheck(None, missing=5, far_ahead=False)
    assert not near.ready
    far = check_view(viewed((3, 5, 0, 9 + 5)), (3, 5, 0, 9), GV)  # a view naming blocks nobody has
    assert far.verdict is None
    assert far.far_ahead
    assert not far.ready


def test_view_of_the_wrong_size_is_rejected_before_decoding() -> None:
    h = viewed((3, 5, 0))
    assert precheck(h, GV) == (Decision.REJECT, Reason.OTHER)
    assert check_view(h, (3, 5, 0, 9), GV).verdict == (Decision.REJECT, Reason.OTHER)
    assert precheck(viewed(()), GV) is None
    assert precheck(viewed((0, 5, 0, 0)), GV) is None
    with pytest.raises(ValueError, match="2 entries"):
        check_view(viewed(()), (0, 0), GV)


def test_view_of_a_non_validator_proposer_is_rejected() -> None:
    assert check_view(viewed((0, 0, 0, 0), OTHER), (0, 0, 0, 0), GV).verdict == (Decision.REJECT, Reason.OTHER)


# -- the novelty budget -----------------------------------------------------------------------
MATURE = NOVELTY_MIN_VIEW


def test_novelty_budget_keeps_the_first_novel_records_and_zeroes_the_rest() -> None:
    assert NOVEL_RECORDS_PER_BLOCK == 2
    novel = [False, True, True, True, True, False]
    scores = [0.5, 0.3, 0.9, 0.8, 0.6, 0.1]
    assert within_novelty_budget(scores, novel, MATURE) == [0.5, 0.3, 0.9, 0.0, 0.0, 0.1]


def test_novelty_budget_cut_does_not_depend_on_float_noise() -> None:
    # Proposer and validator may differ by float noise (within score_tolerance): the cut must fall
    # on the same records, or the proposer's claim of 0 fails the validator's check (review of session 8).
    novel = [True, True, True]
    proposer = within_novelty_budget([0.80, 0.7000001, 0.7], novel, MATURE)
    validator = within_novelty_budget([0.80, 0.7, 0.7000001], novel, MATURE)
    assert [s == 0.0 for s in proposer] == [s == 0.0 for s in validator] == [False, False, True]


def test_the_proposers_ranking_keeps_its_best_novel_records_and_validators_keep_the_same() -> None:
    # Session 26: ranking its window with the validators' rule (the first two novel records to
    # arrive) a proposer shipped routine novel records and dropped the news behind them.
    novel = [False, True, True, True, True, False]
    scores = [0.5, 0.3, 0.9, 0.8, 0.6, 0.1]
    ranked = novelty_budget_for_ranking(scores, novel, MATURE)
    assert ranked == [0.5, 0.0, 0.9, 0.8, 0.0, 0.1]
    assert within_novelty_budget(scores, novel, MATURE)[1] == 0.3  # what block order would have kept
    # The block it ships from that ranking holds just those two novel records: validators keep both.
    shipped = [i for i, s in enumerate(ranked) if s > 0]
    assert within_novelty_budget([scores[i] for i in shipped], [novel[i] for i in shipped], MATURE) == \
        [scores[i] for i in shipped]
    assert novelty_budget_for_ranking([0.4, 0.4, 0.4], [True] * 3, MATURE) == [0.4, 0.4, 0.0]  # ties: the earlier
    assert novelty_budget_for_ranking([0.9, 0.8, 0.7], [True] * 3, MATURE - 1) == [0.9, 0.8, 0.7]
    with pytest.raises(ValueError, match="novelty flags"):
        novelty_budget_for_ranking([0.1], [True, False], MATURE)


def test_novelty_budget_spares_young_views_and_blocks_within_it() -> None:
    assert within_novelty_budget([0.9, 0.8, 0.7], [True] * 3, MATURE - 1) == [0.9, 0.8, 0.7]
    assert within_novelty_budget([0.9, 0.8, 0.7], [True, True, False], MATURE) == [0.9, 0.8, 0.7]
    assert within_novelty_budget([], [], MATURE) == []




def test_novelty_budget_caps_a_block_of_novel_claims_under_the_bar() -> None:
    # The attack it answers: every record a made-up kind or a made-up priority field, every score high.
    n = 40
    judged = within_novelty_budget([0.9] * n, [True] * n, 10_000)
    assert sum(s > 0 for s in judged) == NOVEL_RECORDS_PER_BLOCK
    assert not clears_importance(judged, G)


def test_novelty_budget_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="1 scores for 2 novelty flags"):
        within_novelty_budget([0.5], [False, True], MATURE)
