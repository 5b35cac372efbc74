"""How the model ranks a labelled stream of your own, against the baselines (``attnshare model eval FILE``).

Why
---
Issue 9 began with a user who wrote a record stream to the definition of importance, scored it with
``attnshare model score`` and found a thirty-line heuristic ranking it better. Every figure the
project reports is on generators written here; this module is how anyone checks the model on theirs:
a JSON-lines file whose lines carry a truth column (``"importance": 0.8``, or ``"important": true``)
and, if they like, a case column (``"case": "near dup"``).

What is compared
----------------
* **model**: the scores ``attnshare model score`` prints for the same file and options (windows of
  ``window`` records, each against the memory of what earlier windows shipped; ``stream_scores``);
* **heuristic**, **heuristic+**: the project's baselines (``baselines.py``: robust z, a priority word
  list, exact and near dedup; plus rare kinds and burst tails), per window, with no memory;
* **recency** (newest first within a window) and **random** (seeded).

Metrics: NDCG at 5, 10 and 20% of the whole file's records (the file ranked at once, as a user reads
the scores); the mean NDCG@10% within each run of :data:`CHUNK` consecutive records, and the model's
lead over every baseline with a 95% bootstrap interval over those runs (from :data:`MIN_CHUNKS` on);
and, with a case column, each case's median rank over the file (0 = top) under every method.

The truth is read as gains: a number >= 0 (any scale: NDCG divides by the ideal), or a boolean
(true = 1). A line without it, or with anything else there, is named and left out, as ``score``
leaves out a bad line.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from typing import Any

from node.attention.baselines import (
    heuristic_plus_scores,
    heuristic_scores,
    random_scores,
    recency_scores,
)
from node.attention.evaluate import bootstrap_diff, ndcg_at_k
from node.attention.features import WindowFeatures, featurize
from node.attention.scorer import window_slices
from protocol.record import Record

__all__ = ["BASELINES", "CHUNK", "MIN_CHUNKS", "SHARES", "gain_of", "ranks", "stream_report"]

#: Shares of the file's records the whole-file NDCG is taken at.
SHARES = (0.05, 0.1, 0.2)
#: Records per run for the per-run NDCG and its interval (the window the project's own figures use),
#: and the fewest runs an interval is given for.
CHUNK = 256
MIN_CHUNKS = 4
#: Baselines, each scoring one window of records with no memory: (records, their features, window index)
#: -> scores. The window is featurized once for all of them.
BASELINES: dict[str, Callable[[Sequence[Record], WindowFeatures, int], list[float]]] = {
    "heuristic+": lambda recs, feats, i: heuristic_plus_scores(recs, feats),
    "heuristic": lambda recs, feats, i: heuristic_scores(recs, feats),
    "recency": lambda recs, feats, i: recency_scores(feats),
    "random": lambda recs, feats, i: random_scores(len(recs), i),
}


def gain_of(value: object, column: str) -> float:
    """A truth cell as a gain: a finite number >= 0, or a boolean (true = 1). ValueError otherwise."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float) and math.isfinite(value) and value >= 0:
        return float(value)
    if value is None:
        raise ValueError(f"no truth column {column!r} (give each line a number >= 0 or a boolean there)")
    raise ValueError(f"truth {column!r} must be a number >= 0 or a boolean, not {value!r}")


def ranks(scores: Sequence[float]) -> list[float]:
    """Each record's normalized rank by score (0 = top, 1 = bottom); ties by position, as a node breaks them."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    out = [0.0] * len(scores)
    for pos, i in enumerate(order):
        out[i] = pos / max(1, len(scores) - 1)
    return out


def _ndcg_at_share(scores: Sequence[float], gains: Sequence[float], share: float) -> float | None:
    """NDCG at ``share`` of the records; None when no record has a gain (the metric is undefined)."""
    if not any(g > 0 for g in gains):
        return None
    return ndcg_at_k(scores, gains, max(1, round(len(gains) * share)))


def stream_report(records: Sequence[Record], gains: Sequence[float], model_scores: Sequence[float],
                  window: int, cases: Sequence[str | None] | None = None) -> dict[str, Any]:
    """The report: the model's scores and every baseline's, against the truth ``gains``.

    ``window`` is the window the model scored in; the baselines score the same windows
    (:func:`window_slices`). Per-run figures split the file into runs of about :data:`CHUNK`.
    """
    n = len(records)
    if not (n == len(gains) == len(model_scores)) or (cases is not None and len(cases) != n):
        raise ValueError("records, gains, scores and cases must have one entry per record")
    slices = window_slices(n, window)
    chunks = window_slices(n, CHUNK)
    scores: dict[str, list[float]] = {"model": [float(s) for s in model_scores], **{name: [] for name in BASELINES}}
    for i, (a, b) in enumerate(slices):
        recs = records[a:b]
        feats = featurize(recs)
        for name, fn in BASELINES.items():
            scores[name].extend(float(x) for x in fn(recs, feats, i))
    methods: dict[str, dict[str, Any]] = {}
    per_window: dict[str, list[float]] = {}
    for name, s in scores.items():
        row: dict[str, Any] = {f"ndcg@{round(p * 100)}%": _ndcg_at_share(s, gains, p) for p in SHARES}
        # Windows with no gain at all have no NDCG: they are left out of every method alike.
        vals = [_ndcg_at_share(s[a:b], gains[a:b], 0.1) for a, b in chunks]
        per_window[name] = [v for v in vals if v is not None]
        row["run_ndcg@10%"] = statistics.fmean(per_window[name]) if per_window[name] else None
        methods[name] = row
    report: dict[str, Any] = {
        "records": n,
        "window": window,
        "windows": len(slices),
        "run": CHUNK,
        "runs_with_gain": len(per_window["model"]),
        "gain_records": sum(1 for g in gains if g > 0),
        "methods": methods,
    }
    if len(per_window["model"]) >= MIN_CHUNKS:
        report["vs_model"] = {
            name: dict(zip(("diff", "lo", "hi"), bootstrap_diff(per_window["model"], per_window[name]), strict=True))
            for name in BASELINES
        }
    if cases is not None:
        report["cases"] = _case_table(scores, cases)
    return report


def _case_table(scores: dict[str, list[float]], cases: Sequence[str | None]) -> dict[str, Any]:
    """Per case label: how many records carry it and its median rank under every method."""
    counts: dict[str, int] = {}
    for c in cases:
        if c is not None:
            counts[c] = counts.get(c, 0) + 1
    table: dict[str, Any] = {"counts": counts, "median_rank": {}}
    for name, s in scores.items():
        r = ranks(s)
        by: dict[str, list[float]] = {}
        for c, x in zip(cases, r, strict=True):
            if c is not None:
                by.setdefault(c, []).append(x)
        table["median_rank"][name] = {c: statistics.median(xs) for c, xs in by.items()}
    return table
