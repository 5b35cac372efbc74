"""The stream scheduler of the fab and brew held-out families (docs/holdout.md): fresh records,
exact and near copies, re-sends of earlier news, and bursts whose tails run on their own clock and
never outlast a batch, stamped strictly later than anything already emitted.

Only the scheduling is shared. Each family's kinds, fields, distributions, priority forms and truth
are its own (``_fresh``, ``_tail``, ``_source``, ``_reentry``, ``_zipf_origin``), written blind by
separate helpers; brew's author copied fab's scheduler line for line, and it now lives here once.
A subclass provides, besides those methods: ``_r`` (its random.Random), ``common`` and ``rare``
kinds with ``weights`` and ``rare_share``, ``stats``, ``rates`` (dup, near, burst, resend),
``clumpy``, ``mean_gap``, ``burst_period``, ``dialect``, ``origins``, ``_archive``, ``_last_ts``,
and the class attributes ``KIND_NAMES`` (per dialect: kind -> the name its records carry) and
``PRIORITY_KINDS``.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

from node.workload.domains import ROUTINE_FLOOR, LabeledRecord, main_reason, noisy_or
from protocol.record import Record

__all__ = ["BurstStream", "Rec", "Storm", "band", "poisson", "space", "unspace"]


@dataclass(slots=True)
class Rec:
    kind: str
    origin: int
    t: float
    fields: dict[str, object]
    case: str
    importance: float
    ref: int = -1
    detail: str = ""


@dataclass(slots=True)
class Storm:
    """A burst: the head's index and record, tails still owed, their period, tails emitted."""

    head: int
    rec: Rec
    owed: int
    period: float
    emitted: int = 0


class BurstStream:
    """The batch scheduler a held-out family's workload inherits (see the module docstring)."""

    KIND_NAMES: dict[str, dict[str, str]]
    PRIORITY_KINDS: frozenset[str]
    _r: random.Random
    _archive: list[Any]
    _last_ts: int

    def _gap(self) -> float:
        r = self._r
        if self.clumpy:
            return r.uniform(0.0, 0.1) * self.mean_gap if r.random() < 0.55 else r.expovariate(0.45 / self.mean_gap)
        return r.expovariate(1.0 / self.mean_gap)

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        """``n`` records ending near ``now_ms``, each with its ground-truth importance."""
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """``n`` labelled records, strictly later than every record already emitted."""
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        r = self._r
        kinds = [*self.common, *self.rare]
        total = sum(self.weights.values())
        rare_total = sum(self.rare_share.values())
        mix = [self.weights[k] / total * (1.0 - rare_total) for k in self.common] + [self.rare_share[k]
                                                                                    for k in self.rare]
        storm_kinds = [k for k in self.common if k in self.PRIORITY_KINDS or self.stats.get(k)]
        q = self.rates
        recs: list[Rec] = []
        storms: list[tuple[float, int, Storm]] = []
        owed = 0
        seq = itertools.count()
        clock = self._gap()
        while len(recs) < n:
            if storms and (len(recs) + owed >= n or storms[0][0] <= clock):
                when, _, storm = heapq.heappop(storms)
                recs.append(self._tail(storm, when))
                owed -= 1
                storm.owed -= 1
                if storm.owed:
                    heapq.heappush(storms, (when + storm.period * r.uniform(0.6, 1.4), next(seq), storm))
                continue
            t = clock
            clock += self._gap()
            room = n - len(recs) - 1 - owed
            which = band(r.random(), (q["dup"], q["near"], q["burst"], q["resend"]))
            if which == 0 and (j := self._source(recs)) >= 0:  # the same event logged again
                src = recs[j]
                o = src.origin if r.random() < 0.6 else self._zipf_origin()
                recs.append(Rec(src.kind, o, t, dict(src.fields), "dup", 0.05 * src.importance, j))
                continue
            if which == 1 and (j := self._source(recs)) >= 0:  # another system's re-entry
                src = recs[j]
                o = src.origin if r.random() < 0.5 else self._zipf_origin()
                recs.append(Rec(src.kind, o, t, self._reentry(src.fields), "near_dup", 0.1 * src.importance, j))
                continue
            if which == 2 and room >= 2 and storm_kinds:
                head = self._fresh(r.choice(storm_kinds), t, news=True)
                if head.importance < 0.3:  # nothing could be made news: an ordinary record
                    head.case = "routine"
                    recs.append(head)
                    continue
                tails = min(40, room, 2 + int(1.6 * r.paretovariate(1.05)))
                period = min(1500.0, max(30.0, self.mean_gap * self.burst_period * r.uniform(0.5, 2.0)))
                storm = Storm(len(recs), head, tails, period)
                recs.append(head)
                owed += tails
                heapq.heappush(storms, (t + period * r.uniform(0.6, 1.4), next(seq), storm))
                continue
            if which == 3 and self._archive:  # earlier batches' news, sent again
                kind, o0, f, imp = r.choice(self._archive)
                o = o0 if r.random() < 0.6 else self._zipf_origin()
                recs.append(Rec(kind, o, t, dict(f), "resend", (0.01 if o == o0 else 0.02) * imp))
                continue
            recs.append(self._fresh(r.choices(kinds, mix)[0], t))
        if owed or storms:  # pragma: no cover - tails are sized to the room left
            raise RuntimeError("a batch ended inside a burst")
        return self._stamp(recs, now_ms)

    def _stamp(self, recs: list[Rec], now_ms: int) -> list[LabeledRecord]:
        names = self.KIND_NAMES[self.dialect]
        start = max(self._last_ts + 1, now_ms - int(recs[-1].t))
        out: list[LabeledRecord] = []
        ts = start - 1
        for rec in recs:
            ts = max(ts + 1, start + int(rec.t))
            record = Record.create(names[rec.kind], self.origins[rec.origin], ts, rec.fields)
            fresh = rec.case in ("routine", "burst_head")
            out.append(LabeledRecord(record, round(min(1.0, max(0.0, rec.importance)), 9), rec.case, rec.ref,
                                     rec.detail if fresh else ""))
            if fresh and rec.importance >= 0.3:
                self._archive.append((rec.kind, rec.origin, dict(rec.fields), rec.importance))
        del self._archive[:-300]
        self._last_ts = ts
        return out


def poisson(r: random.Random, lam: float) -> int:
    """A Poisson count (small means), by inversion."""
    k, p, u = 0, math.exp(-lam), r.random()
    cum = p
    while u > cum and k < 200:
        k += 1
        p *= lam / k
        cum += p
    return k


def band(u: float, shares: tuple[float, ...]) -> int:
    """Which share ``u`` falls in (len(shares) when none: a fresh record)."""
    for i, p in enumerate(shares):
        if u < p:
            return i
        u -= p
    return len(shares)


def space(x: float, space: str) -> float:
    if space == "log":
        return math.log(max(x, 1e-9))
    if space == "log1p":
        return math.log1p(max(x, 0.0))
    return x


def unspace(y: float, space: str) -> float:
    if space == "log":
        return math.exp(y)
    if space == "log1p":
        return math.expm1(y)
    return y


def routine_truth(anomaly: float, priority: float, rarity: float, rare_kind: float) -> tuple[float, str]:
    """A routine record's or burst head's ground truth, (importance, detail), from its family's reading of
    the definition's clauses: anomaly and priority strengths in [0, 1] (each worth up to 0.9), rarity (a
    rare kind's or value's worth) and the rare kind's share of it. Each family keeps its own reading of
    the clauses; only how they combine is shared, so it is written once."""
    return (noisy_or(ROUTINE_FLOOR, 0.9 * anomaly, 0.9 * priority, rarity),
            main_reason(0.9 * anomaly, 0.9 * priority, rarity, rare_kind))
