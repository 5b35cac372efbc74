"""Block selection: which records of a scored window ship, under the operator's budget.

Theory of operation
-------------------
A proposer scores a window of pending records together, then ships the most
important ones and keeps the rest local. How many ship is a *budget*, not an
accident of where a fixed threshold lands (issue 9):

- ``share``: the fraction of records that ship, on average (genesis default
  ``ship_share``, an operator may set ``pipeline.ship_share``);
- ``bytes_per_s``: optionally, a cap on the record bytes shipped per second
  (``pipeline.ship_bytes_per_s``), a token bucket holding at most
  ``burst_s`` seconds of rate.

:class:`ShipSelector` calibrates online. It keeps the last ``history`` scores
it saw (a bounded window, oldest out first), and for each window sets the
threshold at the ``1 - share`` quantile of them (never below ``floor``).
Records at or above the threshold are candidates; a running allowance,
``share`` per record seen (capped at ``share * history``: a quiet spell cannot
save up an unbounded burst), says how many may ship; the best candidates
ship first, while the byte bucket has room. On any stream the shipped share
therefore converges to ``share``: the quantile makes about that many
candidates, and the allowance never lets more than that through over time,
ties and drift included.

Deterministic: the same sequence of (scores, sizes, eligibility, now_ms)
gives the same selections on every node. Pure: no clock, no randomness.

:func:`best_half` is the fallback when a selected block's own in-block
scores miss the genesis importance bar (``protocol.admission.proposer_clears``):
keep the better-scoring half, in ingest order, and try once more.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from protocol.errors import ConfigError, LocalError


@dataclass(frozen=True, slots=True)
class PipelineParams:
    """The proposer's selection budget; built from config.toml ``[pipeline]`` over the genesis default."""

    share: float = 0.05
    """Fraction of records shipped over time, in (0, 1]."""
    bytes_per_s: int | None = None
    """Cap on shipped record bytes per second; None: no byte cap."""
    burst_s: float = 10.0
    """The byte bucket holds this many seconds of ``bytes_per_s``."""
    history: int = 4096
    """Recent scores the threshold is calibrated over."""
    floor: float = 0.0
    """A record scoring below this never ships, whatever the budget (``pipeline.ship_threshold``)."""

    def validate(self) -> None:
        """Raise ConfigError naming the first bad field."""
        if not isinstance(self.share, int | float) or not 0.0 < self.share <= 1.0:
            raise ConfigError(f"pipeline.ship_share must be in (0, 1], got {self.share!r}")
        if self.bytes_per_s is not None and (
            not isinstance(self.bytes_per_s, int) or not 1 <= self.bytes_per_s <= 1 << 40
        ):
            raise ConfigError(f"pipeline.ship_bytes_per_s must be in [1, 2^40], got {self.bytes_per_s!r}")
        if not 0.1 <= self.burst_s <= 3600:
            raise ConfigError(f"pipeline burst_s must be in [0.1, 3600], got {self.burst_s!r}")
        if not 16 <= self.history <= 1_000_000:
            raise ConfigError(f"pipeline history must be in [16, 1000000], got {self.history!r}")
        if not 0.0 <= self.floor <= 1.0:
            raise ConfigError(f"pipeline.ship_threshold must be in [0, 1], got {self.floor!r}")


@dataclass(frozen=True, slots=True)
class Selection:
    """Indices into the window that ship (ascending: ingest order is part of the context)."""

    indices: tuple[int, ...]
    threshold: float


@dataclass(frozen=True, slots=True)
class BudgetStats:
    """What ``status`` shows: the budget and its use."""

    share: float
    bytes_per_s: int | None
    threshold: float | None
    seen: int
    shipped: int
    shipped_bytes: int
    recent_share: float | None
    """Shipped / seen over the last ``history`` records."""
    allowance: float


class ShipSelector:
    """Online-calibrated selection under a share (and optional byte-rate) budget."""

    def __init__(self, params: PipelineParams) -> None:
        params.validate()
        self.params = params
        self._recent: deque[float] = deque(maxlen=params.history)
        self._allowance = 0.0
        self._tokens = float(params.bytes_per_s * params.burst_s) if params.bytes_per_s else 0.0
        self._last_ms: int | None = None
        self._threshold: float | None = None
        self._batches: deque[tuple[int, int]] = deque()  # (seen, shipped) per window
        self._batch_seen = 0
        self.seen = 0
        self.shipped = 0
        self.shipped_bytes = 0

    def threshold(self) -> float:
        """The ``1 - share`` quantile of the recent scores (never below the floor)."""
        if not self._recent:
            return max(self.params.floor, 0.0)
        ordered = sorted(self._recent)
        k = min(len(ordered) - 1, max(0, math.ceil((1.0 - self.params.share) * len(ordered)) - 1))
        return max(self.params.floor, ordered[k])

    def select(
        self,
        scores: Sequence[float],
        sizes: Sequence[int],
        eligible: Sequence[bool],
        now_ms: int,
        max_records: int,
    ) -> Selection:
        """Choose what ships from one scored window.

        ``sizes`` are the records' encoded bytes, ``eligible`` is False for a
        record that must not ship whatever its score (already committed).
        """
        n = len(scores)
        if len(sizes) != n or len(eligible) != n or max_records < 0:
            raise LocalError("select: scores, sizes and eligible must have one entry per record")
        p = self.params
        self._recent.extend(scores)
        threshold = self._threshold = self.threshold()
        self._allowance = min(self._allowance + p.share * n, p.share * p.history + 1.0)
        if p.bytes_per_s:
            if self._last_ms is not None:
                elapsed = max(0, now_ms - self._last_ms)
                self._tokens = min(p.bytes_per_s * p.burst_s, self._tokens + p.bytes_per_s * elapsed / 1000)
            self._last_ms = now_ms
        # A score of exactly 0 is a rule's verdict, not the model's (a copy of committed content, a
        # novel record past the budget: the model's sigmoid is never 0): such a record never ships,
        # even when most of a window is zeroed and the threshold with it.
        candidates = sorted(
            (i for i in range(n) if eligible[i] and scores[i] > 0.0 and scores[i] >= threshold),
            key=lambda i: (-scores[i], i),
        )
        room = min(int(self._allowance), max_records)
        chosen: list[int] = []
        for i in candidates:
            if len(chosen) >= room:
                break
            if p.bytes_per_s:
                if sizes[i] > self._tokens:
                    continue  # a smaller, less important record may still fit
                self._tokens -= sizes[i]
            chosen.append(i)
        self._allowance -= len(chosen)
        self.seen += n
        self.shipped += len(chosen)
        self.shipped_bytes += sum(sizes[i] for i in chosen)
        self._note(n, len(chosen))
        return Selection(tuple(sorted(chosen)), threshold)

    def _note(self, seen: int, shipped: int) -> None:
        self._batches.append((seen, shipped))
        self._batch_seen += seen
        while len(self._batches) > 1 and self._batch_seen - self._batches[0][0] >= self.params.history:
            self._batch_seen -= self._batches.popleft()[0]

    def statistics(self) -> BudgetStats:
        seen = sum(s for s, _ in self._batches)
        shipped = sum(k for _, k in self._batches)
        return BudgetStats(
            share=self.params.share,
            bytes_per_s=self.params.bytes_per_s,
            threshold=self._threshold,
            seen=self.seen,
            shipped=self.shipped,
            shipped_bytes=self.shipped_bytes,
            recent_share=shipped / seen if seen else None,
            allowance=round(self._allowance, 3),
        )


def best_half(claimed: Sequence[float]) -> list[int]:
    """Indices of the better-scoring half (at least one), in ingest order."""
    order = sorted(range(len(claimed)), key=lambda i: (-claimed[i], i))[: max(1, len(claimed) // 2)]
    return sorted(order)
