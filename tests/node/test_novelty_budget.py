"""The novelty budget (protocol.admission.within_novelty_budget) as validators apply it.

A record of a made-up kind, or any record with ``severity: CRITICAL`` added, scores high whatever it
holds: junk blocks crafted that way passed the bar (docs/attention.md, "crafted blocks"). Once the
view is past its first blocks, at most two such novel records per block count.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import trio

from node.core.views import Views, fit_block, novelty
from node.sim.cluster import shared_scorer
from node.worker import Worker
from node.workload import Workload
from protocol.admission import (
    NOVEL_RECORDS_PER_BLOCK,
    NOVELTY_MIN_VIEW,
    clears_importance,
    novelty_budget_for_ranking,
    within_novelty_budget,
    without_history_copies,
)
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
    # The kind has held these fields, with routine values (session 26: a field the kind never had is a claim).
    views.on_commit(P.peer_id, 2, "b2", [Record.create(r.kind, P.peer_id, T0 + 1, {
        **r.fields, "zzz_note": "ok", "zzz_code": "blue", "duration_min": 20, "zzz_tags": ["a"]})])
    hist = views.history(views.current())
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
    made_up = Record.create(r.kind, P.peer_id, later, {**r.fields, "zzz_extra": 1.5})
    # A known field holding a type of value it never held is a claim too (session 26's review).
    retyped = Record.create(r.kind, P.peer_id, later, {**r.fields, "duration_min": ["a", "b"]})
    as_text = Record.create(r.kind, P.peer_id, later, {**r.fields, "duration_min": "15 min"})  # a quantity
    assert novelty([same, new_kind, claimed, claimed_text, routine_word, in_list, colour, green, deadline, plain,
                    made_up, retyped, as_text], hist, SCORER.cache) == [
        False, True, True, True, False, True, True, False, True, False, True, True, False]
    assert hist.novelty_claim(SCORER.cache.get(retyped)) == \
        "field 'duration_min' holding a list or bytes, which it never held in the view"
    # Once committed, the claim is known, at the view's rate (session 28, review 28 row 1): one primer
    # makes the field no longer new, but claims past twice the view's share of the kind's records are.
    views.on_commit(P.peer_id, 3, "b3", [claimed])
    hist = views.history(views.current())
    of_kind = hist.kind_count(SCORER.cache.get(r).kind_id)
    assert of_kind > 2  # one claim among them: a share well under a half
    again = [Record.create(r.kind, P.peer_id, later + 1 + j, {**r.fields, "severity": "high"}) for j in range(6)]
    assert novelty(again, hist, SCORER.cache) == [True] * 6
    # ... and where the kind's committed records claim about as often as the block's, none is.
    views.on_commit(P.peer_id, 4, "b4", [Record.create(r.kind, P.peer_id, T0 + 10 + j, {
        **r.fields, "severity": ("low", "high")[j % 2], "seq_x": j}) for j in range(of_kind + 4)])
    hist = views.history(views.current())
    mixed = [*again[:3], *[Record.create(r.kind, P.peer_id, later + 20 + j, r.fields) for j in range(3)]]
    assert novelty(mixed, hist, SCORER.cache) == [False] * 6


def _crafted(junk: list[Record], how: str) -> list[Record]:
    out = []
    for j, r in enumerate(junk):
        if how == "priority":
            out.append(Record.create(r.kind, P.peer_id, r.ts_ms + 3_600_000 + j, {**r.fields, "urgency": "CRITICAL"}))
        elif how == "deadline":  # lexicon v11: a countdown under a deadline's name claims priority too
            out.append(Record.create(r.kind, P.peer_id, r.ts_ms + 3_600_000 + j, {**r.fields, "response_time_min": 5}))
        elif how == "made-up field":  # session 26: one field the kind never had, on a routine record
            out.append(Record.create(r.kind, P.peer_id, r.ts_ms + 3_600_000 + j, {**r.fields, f"x{j:04x}": j * 7.3}))
        elif how == "padded":  # to the 64-field limit with made-up numeric fields
            pad = {f"x{j:04x}_{i:02d}": (j * 64 + i) * 1.7 for i in range(64 - len(r.fields))}
            out.append(Record.create(r.kind, P.peer_id, r.ts_ms + 3_600_000 + j, {**r.fields, **pad}))
        else:
            out.append(Record.create(f"k{j:04x}", P.peer_id, r.ts_ms + 3_600_000 + j, {"f1": j * 1.5, "f2": f"w{j}"}))
    return out


@pytest.mark.parametrize("how", ["priority", "deadline", "kinds", "made-up field", "padded"])
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
    assert out["reasons"][0]["claim"] == "a kind the view never held"
    assert out["reasons"][0]["text"].startswith("a kind the view never held, and the block holds more than 2")
    kept = views.explain_sync(block, next(i for i in range(4, 8) if i not in cut), 3, view, P.peer_id)
    assert "model_score" not in kept


def test_claims_past_the_views_share_are_cut_and_explain_says_so() -> None:
    """Review 28 row 1: one primer of a kind carrying ``severity: CRITICAL`` committed, then a block of
    that kind's records all claiming it. Past twice the view's share the claims are novel: two keep
    their scores, the rest count 0, and explain names the share."""
    views, recs = _views()
    r = recs[0]
    views.on_commit(P.peer_id, 2, "b2", [Record.create(r.kind, P.peer_id, T0 + 1, {**r.fields, "severity": "CRITICAL"})])
    view = views.current()
    hist = views.history(view)
    assert hist.novelty_claim(SCORER.cache.get(Record.create(r.kind, P.peer_id, T0 + 9, {
        **r.fields, "severity": "CRITICAL"}))) is None  # primed: no claim of its own any more
    block = [Record.create(r.kind, P.peer_id, T0 + 7_200_000 + j, {**o.fields, "severity": "CRITICAL"})
             for j, o in enumerate([o for o in recs if o.kind == r.kind][:8])]
    assert novelty(block, hist, SCORER.cache) == [True] * len(block)
    judged = views.score_sync(block, view, P.peer_id)
    cut = [i for i, x in enumerate(judged) if x == 0.0]
    assert len(cut) >= len(block) - NOVEL_RECORDS_PER_BLOCK
    out = views.explain_sync(block, cut[-1], 3, view, P.peer_id)
    assert out["score"] == 0.0
    assert out["reasons"][0]["code"] == "novelty_budget"
    assert "the view's share" in out["reasons"][0]["claim"]


def test_a_field_new_to_every_record_still_ships_and_is_known_once_committed() -> None:
    """Liveness under the field rule: a kind's every pending record gains a field (a schema change).
    The proposer ranks the window as validators judge it, so two of them keep their scores; those
    two (the best-scoring: ``ranking``; or the better one: ``fit_block``'s half) make a block that clears the bar, and once it
    commits the field is known to that kind."""
    views, recs = _views()
    view = views.current()
    window = [Record.create(r.kind, P.peer_id, r.ts_ms + 3_600_000, {**r.fields, "firmware_rev": 7})
              for r in _records(64, 34, T0 + 7_200_000)]
    hist = views.history(view)
    assert all(novelty(window, hist, SCORER.cache))
    ranked = views.score_sync(window, view, P.peer_id, judge=False, ranking=True)  # as pipeline._decide ranks
    chosen = [window[i] for i, s in enumerate(ranked) if s > 0]
    assert len(chosen) == NOVEL_RECORDS_PER_BLOCK
    # The two it keeps are the window's best, not the first two to arrive (session 26's review).
    ctx = views.context(view, P.peer_id, len(window))
    scores, copies = SCORER.score_and_copies(ctx + window, hist, judge=False)
    base = without_history_copies(scores[len(ctx):], copies[len(ctx):])
    assert ranked == novelty_budget_for_ranking(base, [True] * len(window), len(hist))
    assert ranked != within_novelty_budget(base, [True] * len(window), len(hist))

    async def score(block: Sequence[Record]) -> list[float]:
        return views.score_sync(list(block), view, P.peer_id)

    block, claimed = trio.run(fit_block, score, chosen, G)  # both, or the better one alone
    assert block
    assert set(block) <= set(chosen)
    assert clears_importance(claimed, G)
    views.on_commit(P.peer_id, 2, "b2", block)
    held = Record.create(recs[0].kind, P.peer_id, T0 + 9_000_000, {**recs[0].fields, "firmware_rev": 7})
    assert hist.novelty_claim(SCORER.cache.get(held)) == "field 'firmware_rev', which its kind never had in the view"
    same_kind = [r for r in window if r.kind == block[0].kind and r not in block]
    assert same_kind
    assert not any(novelty(same_kind, views.history(views.current()), SCORER.cache))
