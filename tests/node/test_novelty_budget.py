"""The novelty budget (protocol.admission.within_novelty_budget) as validators apply it.

A record of a made-up kind, or any record with ``severity: CRITICAL`` added, scores high whatever it
holds: junk blocks crafted that way passed the bar (docs/attention.md, "crafted blocks"). Once the
view is past its first blocks, at most two such novel records per block count.
"""

from __future__ import annotations

import pytest

from node.core.views import Views, novelty
from node.sim.cluster import shared_scorer
from node.worker import Worker
from node.workload import Workload
from protocol.admission import NOVEL_RECORDS_PER_BLOCK, NOVELTY_MIN_VIEW, clears_importance
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.record import Record
from protocol.validators import ValidatorSet

KEYS = [PrivateKey(bytes([0xC0 + i]) * 32) for i in range(4)]
SCORER = shared_scorer()
G = Genesis(network_id="testnet", validators=ValidatorSet(k.peer_id for k in KEYS),
            accepted_model_ids=(SCORER.model_id,))
P = KEYS[2]
T0 = 1_700_000_000_000


def _records(n: int, seed: int, t0: int) -> list[Record]:
    out = [Record.create(lr.record.kind, P.peer_id, lr.record.ts_ms, lr.record.fields)
           for lr in Workload(seed).next_labeled(n, t0)]
    return list({r.cid: r for r in out}.values())


def _views(committed: int = 200) -> tuple[Views, list[Record]]:
    views = Views(G, SCORER, Worker("model"), capacity=1024)
    recs = _records(committed, 31, T0)
    views.on_commit(P.peer_id, 1, "b1", recs)
    return views, recs


def test_history_knows_what_is_novel() -> None:
    views, recs = _views()
    hist = views.history(views.current())
    assert len(hist) >= NOVELTY_MIN_VIEW
    r = recs[0]
    later = T0 + 3_600_000
    same = Record.create(r.kind, P.peer_id, later, r.fields)
    new_kind = Record.create("never_seen_kind", P.peer_id, later, r.fields)
    claimed = Record.create(r.kind, P.peer_id, later, {**r.fields, "severity": "CRITICAL"})
    claimed_text = Record.create(r.kind, P.peer_id, later, {**r.fields, "zzz_note": "kritisch, sofort"})
    routine_word = Record.create(r.kind, P.peer_id, later, {**r.fields, "zzz_note": "info"})
    # Review of session 8: a word inside a list, and an alert colour, claim priority too.
    in_list = Record.create(r.kind, P.peer_id, later, {**r.fields, "zzz_tags": ["x", "CRITICAL"]})
    colour = Record.create(r.kind, P.peer_id, later, {**r.fields, "zzz_code": "RED"})
    green = Record.create(r.kind, P.peer_id, later, {**r.fields, "zzz_code": "green"})
    # Session 22 (lexicon v11): a field named as a deadline claims priority by its name, whatever it holds.
    deadline = Record.create(r.kind, P.peer_id, later, {**r.fields, "prazo_resposta_min": 15})
    plain = Record.create(r.kind, P.peer_id, later, {**r.fields, "duration_min": 15})
    assert novelty([same, new_kind, claimed, claimed_text, routine_word, in_list, colour, green, deadline, plain],
                   hist, SCORER.cache) == [False, True, True, True, False, True, True, False, True, False]
    # Once committed, the claim is known: the same field may say priority again.
    views.on_commit(P.peer_id, 2, "b2", [claimed])
    assert novelty([Record.create(r.kind, P.peer_id, later + 1, {**r.fields, "severity": "high"})],
                   views.history(views.current()), SCORER.cache) == [False]


def _crafted(junk: list[Record], how: str) -> list[Record]:
    out = []
    for j, r in enumerate(junk):
        if how == "priority":
            out.append(Record.create(r.kind, P.peer_id, r.ts_ms + 3_600_000 + j, {**r.fields, "urgency": "CRITICAL"}))
        elif how == "deadline":  # lexicon v11: a countdown under a deadline's name claims priority too
            out.append(Record.create(r.kind, P.peer_id, r.ts_ms + 3_600_000 + j, {**r.fields, "response_time_min": 5}))
        else:
            out.append(Record.create(f"k{j:04x}", P.peer_id, r.ts_ms + 3_600_000 + j, {"f1": j * 1.5, "f2": f"w{j}"}))
    return out


@pytest.mark.parametrize("how", ["priority", "deadline", "kinds"])
def test_a_block_of_novel_claims_counts_two_records_and_fails_the_bar(how: str) -> None:
    views, recs = _views()
    view = views.current()
    crafted = _crafted(_records(40, 32, T0 + 7_200_000), how)
    hist = views.history(view)
    assert all(novelty(crafted, hist, SCORER.cache))
    judged = views.score_sync(crafted, view, P.peer_id)
    assert sum(s > 0 for s in judged) == NOVEL_RECORDS_PER_BLOCK
    assert not clears_importance(judged, G)
    # The model alone (no budget) passed such blocks: what the rule is for.
    ctx = views.context(view, P.peer_id, len(crafted))
    raw = list(SCORER.score(ctx + crafted, hist, judge=True))[len(ctx):]
    assert sum(raw) / len(raw) > sum(judged) / len(judged)


def test_an_honest_block_within_the_budget_is_unchanged_and_explain_names_the_rule() -> None:
    views, recs = _views()
    view = views.current()
    hist = views.history(view)
    fresh = [r for r in _records(64, 33, T0 + 7_200_000) if not hist.has_content(SCORER.cache.get(r).content)]
    fresh = [r for r, n in zip(fresh, novelty(fresh, hist, SCORER.cache), strict=True) if not n][:20]
    ctx = views.context(view, P.peer_id, len(fresh))
    assert views.score_sync(fresh, view, P.peer_id) == list(SCORER.score(ctx + fresh, hist, judge=True))[len(ctx):]
    block = fresh[:4] + _crafted(fresh[4:8], "kinds")
    judged = views.score_sync(block, view, P.peer_id)
    cut = [i for i in range(4, 8) if judged[i] == 0.0]
    assert len(cut) == 4 - NOVEL_RECORDS_PER_BLOCK
    out = views.explain_sync(block, cut[0], 3, view, P.peer_id)
    assert out["score"] == 0.0
    assert out["model_score"] > 0.0
    assert out["reasons"][0]["code"] == "novelty_budget"
    kept = views.explain_sync(block, next(i for i in range(4, 8) if i not in cut), 3, view, P.peer_id)
    assert "model_score" not in kept
