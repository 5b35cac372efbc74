"""Ranking metrics, context-case breakdowns, and the comparison against baselines.

Metrics are computed per window and averaged over windows:

* NDCG@k with the ground-truth importance as gain;
* precision@k: share of the top k by score that are in the top k by truth
  (ties at the k-th truth value count as relevant);
* retained@p: share of the window's total importance kept when only the top
  p of records (by score) are shipped;
* per context case, a pair accuracy: how often the record that carries the
  news outranks the one that repeats it (duplicate source over its copy,
  burst head over its tail, novel first mention over a follow-up), and how
  many of the repeats still make the top 10%.

Differences against the model come with a bootstrap interval over windows.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from node.attention.baselines import (
    heuristic_plus_scores,
    heuristic_scores,
    random_scores,
    recency_scores,
)
from node.attention.data import Window
from node.attention.model import ImportanceNet

__all__ = ["Method", "evaluate", "model_method", "ndcg_at_k", "window_metrics"]

_CASES = {
    "duplicates": ("dup", "near_dup"),
    "bursts": ("burst_tail",),
    "novelty": ("novel_follow",),
}


def ndcg_at_k(scores: Sequence[float], gains: Sequence[float], k: int) -> float:
    """NDCG@k; ties in score are broken by position (stable), as a node would."""
    k = min(k, len(scores))
    order = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
    ideal = sorted(gains, reverse=True)[:k]
    dcg = sum(gains[i] / math.log2(r + 2) for r, i in enumerate(order))
    idcg = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 1.0


def window_metrics(scores: Sequence[float], w: Window, ks: Sequence[int] = (10, 25)) -> dict[str, float]:
    """All metrics of one window (see module docstring); case keys only where the case occurs."""
    gains = w.target.tolist()
    n = len(gains)
    order = sorted(range(n), key=lambda i: -scores[i])
    rank = [0] * n
    for r, i in enumerate(order):
        rank[i] = r
    out: dict[str, float] = {}
    truth_sorted = sorted(gains, reverse=True)
    total = sum(gains) or 1.0
    for k in ks:
        kk = min(k, n)
        out[f"ndcg@{k}"] = ndcg_at_k(scores, gains, kk)
        cut = truth_sorted[kk - 1]
        out[f"precision@{k}"] = sum(1 for i in order[:kk] if gains[i] >= cut) / kk
    for p in (0.10, 0.25):
        m = max(1, math.ceil(p * n))
        out[f"retained@{int(p * 100)}%"] = sum(gains[i] for i in order[:m]) / total
    top10 = max(1, math.ceil(0.10 * n))
    for name, cases in _CASES.items():
        pairs = [(w.refs[i], i) for i in range(n) if w.cases[i] in cases and w.refs[i] >= 0]
        if not pairs:
            continue
        # Only pairs where the truth says the source matters more are scored.
        pairs = [(s, c) for s, c in pairs if gains[s] > gains[c]]
        if pairs:
            out[f"{name}.pair_acc"] = sum(1 for s, c in pairs if scores[s] > scores[c]) / len(pairs)
            out[f"{name}.repeats_in_top10%"] = sum(1 for _, c in pairs if rank[c] < top10) / len(pairs)
            out[f"{name}.pairs"] = float(len(pairs))
    return out


Method = Callable[[Window, int], list[float]]


def model_method(model: ImportanceNet) -> Method:
    """Scores of a network on a window (the window as one context, as the Scorer does)."""

    def run(w: Window, _i: int) -> list[float]:
        with torch.inference_mode():
            return torch.sigmoid(model(w.feats)).squeeze(0).tolist()

    return run


def baseline_methods() -> dict[str, Method]:
    return {
        "random": lambda w, i: random_scores(len(w), i),
        "recency": lambda w, i: recency_scores(w.feats),
        "heuristic": lambda w, i: heuristic_scores(w.records, w.feats),
        "heuristic+": lambda w, i: heuristic_plus_scores(w.records, w.feats),
    }


@dataclass(frozen=True, slots=True)
class _Summary:
    mean: dict[str, float]
    per_window: list[dict[str, float]]


def _summarize(rows: list[dict[str, float]]) -> _Summary:
    keys = sorted({k for r in rows for k in r})
    mean: dict[str, float] = {}
    for k in keys:
        if k.endswith(".pairs"):
            mean[k] = sum(r.get(k, 0.0) for r in rows)
            continue
        # Case metrics pool pairs across windows (weighted by pair count).
        if "." in k:
            case = k.split(".")[0]
            num = sum(r[k] * r[f"{case}.pairs"] for r in rows if k in r)
            den = sum(r[f"{case}.pairs"] for r in rows if k in r)
            mean[k] = num / den if den else float("nan")
        else:
            vals = [r[k] for r in rows if k in r]
            mean[k] = sum(vals) / len(vals)
    return _Summary(mean, rows)


def bootstrap_diff(a: list[float], b: list[float], reps: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    """Mean of a - b over windows with a 95% bootstrap interval."""
    rng = random.Random(seed)
    d = [x - y for x, y in zip(a, b, strict=True)]
    n = len(d)
    means = sorted(sum(d[rng.randrange(n)] for _ in range(n)) / n for _ in range(reps))
    return sum(d) / n, means[int(0.025 * reps)], means[int(0.975 * reps) - 1]


def evaluate(windows: list[Window], methods: dict[str, Method], reference: str = "model",
             key: str = "ndcg@10") -> dict[str, Any]:
    """Run every method on every window; report means, case breakdowns and diffs vs ``reference``."""
    summaries = {name: _summarize([window_metrics(fn(w, i), w) for i, w in enumerate(windows)])
                 for name, fn in methods.items()}
    report: dict[str, Any] = {
        "windows": len(windows),
        "records": sum(len(w) for w in windows),
        "methods": {name: s.mean for name, s in summaries.items()},
    }
    if reference in summaries:
        ref = [r[key] for r in summaries[reference].per_window]
        report["vs_" + reference] = {
            name: dict(zip(("diff", "lo", "hi"), bootstrap_diff(ref, [r[key] for r in s.per_window]), strict=True))
            for name, s in summaries.items() if name != reference
        }
        report["compare_key"] = key
    return report


def run_eval(model_path: str | None = None, mlp_path: str | None = None, worlds: int = 16,
             per_world: int = 6, window: int = 256, nobias_path: str | None = None) -> dict[str, Any]:
    """The ``model eval`` report: the model and every baseline on held-out test worlds.

    Defaults to the checkpoints shipped in the package (``model.pt``, and the
    ``mlp.pt`` / ``nobias.pt`` ablations trained by the same script).
    """
    from pathlib import Path

    from node.attention.data import TEST_SEEDS, make_windows
    from node.attention.scorer import default_checkpoint_path
    from node.attention.train import load_checkpoint
    from protocol.cid import cid_of
    from protocol.errors import LocalError

    if worlds < 1 or per_world < 1 or not 2 <= window <= 1024:
        raise LocalError("need --worlds >= 1, --per-world >= 1 and 2 <= --window <= 1024")
    here = default_checkpoint_path().parent
    model_file = Path(model_path) if model_path else default_checkpoint_path()
    mlp_file = Path(mlp_path) if mlp_path else here / "mlp.pt"
    nobias_file = Path(nobias_path) if nobias_path else here / "nobias.pt"
    try:
        model_bytes = model_file.read_bytes()
    except OSError as exc:
        raise LocalError(f"cannot read {model_file}: {exc.strerror}") from None
    model, _ = load_checkpoint(model_bytes)
    windows = make_windows(TEST_SEEDS[:worlds], per_world, (window,), shuffle_seed=2)
    methods = baseline_methods()
    for name, f in (("mlp (no attention)", mlp_file), ("attention, no pair bias", nobias_file)):
        if f.exists():
            methods[name] = model_method(load_checkpoint(f.read_bytes())[0])
        elif name.startswith("mlp"):
            raise LocalError(f"no-attention baseline checkpoint {f} is missing")
    methods["model"] = model_method(model)
    report = evaluate(windows, methods)
    report["model_id"] = cid_of(model_bytes)
    report["test_seeds"] = [TEST_SEEDS[0], TEST_SEEDS[0] + worlds - 1]
    report["window"] = window
    return report
