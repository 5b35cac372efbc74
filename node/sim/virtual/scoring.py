"""Scorers for the virtual engine: the real model behind a content cache, or a declared cheap one.

Every validator re-scores every block it votes on. In one process those
re-scorings are the same computation on the same records, so
:class:`CachedScorer` keys results by the window's content (the tuple of
record CIDs, in order: order is part of the context) and computes each window
once. The answers are exactly the model's.

:class:`TruthScorer` is the declared cheap scorer for very large runs: a
record's score is the workload generator's ground-truth importance for it
(records the workload never produced, e.g. a rogue's junk, score from a hash
of their CID, low). It is context-free and costs a dictionary lookup, so it
measures the protocol and the network, not the model. Reports name the
scorer that ran (``scorer`` in report.json).

``score`` ranks a window (what a proposer selects by); ``score_block`` is a
block's in-block scores (claims, validators' re-scoring): the model's judge
weights where the checkpoint has them (node/attention/scorer.py), the same
function for the cheap scorer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Protocol

from protocol.cid import cid_of
from protocol.record import Record

#: model_id the cheap scorer's blocks carry (and the simulated genesis accepts).
CHEAP_MODEL_ID = cid_of(b"attnshare-sim-truth-scorer/1")


class SimScorer(Protocol):
    name: str
    model_id: str
    calls: int

    def score(self, records: Sequence[Record]) -> list[float]: ...

    def score_block(self, records: Sequence[Record]) -> list[float]: ...


class CachedScorer:
    """Any ``score(records)`` function (and a block one), computed once per distinct window."""

    def __init__(self, name: str, model_id: str, fn: Callable[[Sequence[Record]], list[float]],
                 max_entries: int = 200_000,
                 block_fn: Callable[[Sequence[Record]], list[float]] | None = None) -> None:
        self.name = name
        self.model_id = model_id
        self._fn = fn
        self._block_fn = block_fn
        self._cache: dict[tuple[str, ...], list[float]] = {}
        self._max = max_entries
        self.calls = 0
        self.computed = 0

    def score(self, records: Sequence[Record]) -> list[float]:
        return self._cached(records, self._fn, "")

    def score_block(self, records: Sequence[Record]) -> list[float]:
        if self._block_fn is None:
            return self.score(records)
        return self._cached(records, self._block_fn, "block")

    def _cached(self, records: Sequence[Record], fn: Callable[[Sequence[Record]], list[float]],
                tag: str) -> list[float]:
        self.calls += 1
        key = (tag, *(r.cid for r in records))
        got = self._cache.get(key)
        if got is None:
            self.computed += 1
            got = list(fn(records))
            if len(self._cache) >= self._max:
                self._cache.pop(next(iter(self._cache)))  # oldest first: windows are not revisited late
            self._cache[key] = got
        return list(got)


def model_scorer() -> CachedScorer:
    """The shipped model (loaded once, on CPU), behind the window cache."""
    from node.attention.scorer import load_scorer

    s = load_scorer(device="cpu")
    return CachedScorer("model", s.model_id, s.score, block_fn=lambda recs: s.score(recs, judge=True))


class TruthScorer:
    """The cheap scorer: ground-truth importance by CID (see the module docstring)."""

    name = "truth"
    model_id = CHEAP_MODEL_ID

    def __init__(self) -> None:
        self.truth: dict[str, float] = {}
        self.calls = 0

    def score(self, records: Sequence[Record]) -> list[float]:
        self.calls += 1
        out = []
        for r in records:
            t = self.truth.get(r.cid)
            if t is None:
                t = hashlib.sha256(r.cid.encode()).digest()[0] / 255 * 0.1
            out.append(t)
        return out

    def score_block(self, records: Sequence[Record]) -> list[float]:
        return self.score(records)


def make_scorer(name: str) -> SimScorer:
    """``"model"`` (the real one, cached) or ``"truth"`` (declared cheap)."""
    if name == "model":
        return model_scorer()
    if name == "truth":
        return TruthScorer()
    raise ValueError(f"unknown scorer {name!r}; use 'model' or 'truth'")
