"""Review 7, finding 7: one ``explain`` held the shared model worker for many window-scorings.

``Scorer.explain`` (node/attention/scorer.py) scored the record's whole window (up to
``max_window`` 1,024) once, then once more per field of the record (occlusion: up to 64 fields,
so 65 full-window forwards, attention n^2), then the record alone. ``AdminMethods.rpc_explain``
-> ``Node.explain_in_block`` runs it on ``Node.model``, the one worker that also scores every
block a validator must vote on. Remote proposers choose the field count and the block size; one
``attnshare explain CID`` then delayed every evaluation behind it. Measured before the fix: 1,024
records of 64 fields, first scoring 0.48 s, explain 7.9 s; 512 records (the first test): scoring
with features cached 0.04 s, explain 2.9 s (~70x). Now the fields are occluded within the
record's neighbourhood in one batched forward, and a record of many fields is screened in groups
first: about 2x.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pytest
import torch

from node.attention.explain import (
    OCCLUSION_FIELDS,
    OCCLUSION_GROUPS,
    OCCLUSION_NEIGHBOURHOOD,
    neighbourhood,
)
from node.attention.features import featurize_record
from node.attention.scorer import Scorer, load_scorer
from protocol.keys import PrivateKey
from protocol.record import Record

ME = PrivateKey(b"\x54" * 32).peer_id


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return load_scorer(device="cpu")


def _best_of(n: int, fn: Callable[[], object]) -> float:
    """The fastest of ``n`` runs: the machine is shared, and a single run can be preempted."""
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def test_explaining_one_record_costs_about_what_scoring_its_window_costs(scorer: Scorer) -> None:
    rng = random.Random(1)
    window = [Record.create("trade", ME, 1_000 + i, {f"f{j:02d}": rng.random() for j in range(64)})
              for i in range(512)]
    scorer.score(window)  # warm up (features cached)
    scorer.explain(window, 3, 5)
    score_s = _best_of(3, lambda: scorer.score(window))
    explain_s = _best_of(3, lambda: scorer.explain(window, 3, 5))
    print(f"score {score_s:.3f} s, explain {explain_s:.3f} s")
    # Before the fix: ~70x (65 full-window forwards for a 64-field record), all on the shared model worker.
    # Now about 2x on a quiet machine; 10x leaves room for a loaded CI box (3x failed there once: 0.11 s
    # against 0.036 s) and still fails on the old code by a factor of 7.
    assert explain_s < 10 * score_s, f"explain {explain_s:.2f} s vs scoring the whole window {score_s:.2f} s"


def _old_occlusion(scorer: Scorer, window: list[Record], i: int) -> dict[str, float]:
    """What explain reported before the fix: each field occluded in the whole window, one forward each."""
    feats = [scorer.cache.get(r) for r in window]
    score = float(torch.sigmoid(scorer._logits(feats)[i]))
    rec = window[i]
    out = {}
    for key, _ in rec.items:
        alt = Record.create(rec.kind, rec.origin, rec.ts_ms, {k: v for k, v in rec.items if k != key})
        alt_feats = feats[:i] + [featurize_record(alt)] + feats[i + 1:]
        out[f"field:{key}"] = score - float(torch.sigmoid(scorer._logits(alt_feats)[i]))
    return out


def test_a_small_window_and_record_are_occluded_as_before(scorer: Scorer) -> None:
    rng = random.Random(2)
    kinds = ["trade", "alarm", "reading"]
    window = [Record.create(rng.choice(kinds), ME, 5_000 + 10 * i,
                            {f"f{j}": rng.gauss(0, 1) for j in range(rng.randrange(3, OCCLUSION_FIELDS + OCCLUSION_GROUPS))}
                            | {"note": rng.choice(["ok", "late", "critical failure in pump"])})
              for i in range(OCCLUSION_NEIGHBOURHOOD)]
    for i in (0, 7, 20):
        old = _old_occlusion(scorer, window, i)
        out = scorer.explain(window, i, top_k=100)
        assert out["features_context"] == len(window)
        got = {f["name"]: f["weight"] for f in out["features"]}
        assert got.keys() == old.keys()
        assert all(abs(got[k] - old[k]) < 1e-5 for k in old), (got, old)


def test_a_record_of_many_fields_is_screened_in_groups_and_keeps_its_strongest_field(scorer: Scorer) -> None:
    rng = random.Random(3)
    n_fields = 40
    assert n_fields > OCCLUSION_FIELDS + OCCLUSION_GROUPS  # the screened path
    window = [Record.create("reading", ME, 9_000 + 10 * i, {f"f{j:02d}": rng.gauss(20, 1) for j in range(n_fields)})
              for i in range(OCCLUSION_NEIGHBOURHOOD)]
    odd = dict(window[12].items) | {"f03": 400.0}  # one wildly anomalous value, in a numeric slot
    window[12] = Record.create("reading", ME, window[12].ts_ms, odd)
    old = _old_occlusion(scorer, window, 12)
    out = scorer.explain(window, 12, top_k=100)
    got = {f["name"]: f["weight"] for f in out["features"]}
    assert len(got) == OCCLUSION_FIELDS
    strongest = max(old, key=lambda k: abs(old[k]))
    assert strongest == "field:f03"
    assert out["features"][0]["name"] == strongest
    assert abs(got[strongest] - old[strongest]) < 1e-5  # the window fits the neighbourhood: same value


def test_neighbourhood_is_the_record_and_those_it_attends_to_most() -> None:
    w = torch.tensor([0.05, 0.4, 0.0, 0.3, 0.05, 0.2])
    assert neighbourhood(6, 2, w, 3) == [1, 2, 3]  # in window order, the record itself included
    assert neighbourhood(6, 1, w, 3) == [1, 3, 5]
    assert neighbourhood(6, 4, None, 3) == [3, 4, 5]  # no attention: the nearest by position
    assert neighbourhood(6, 0, None, 3) == [0, 1, 2]
    assert neighbourhood(3, 1, w[:3], 8) == [0, 1, 2]  # a small window whole
