"""The one admission rule (protocol/admission.py)."""

from __future__ import annotations

import pytest

from protocol.admission import (
    block_importance,
    check_records,
    clears_importance,
    judge_block,
    precheck,
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


def test_low_importance_with_honest_claims() -> None:
    h, recs = make([0.1, 0.1])
    assert judge_block(h, recs, (0.1, 0.1), G).verdict == (Decision.REJECT, Reason.LOW_IMPORTANCE)
    assert not clears_importance([0.1, 0.1], G)
    assert clears_importance([G.min_block_importance] * 3, G)
    assert block_importance([]) == 0.0


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
