"""Labeled windows from the workload generators, featurized once (with history) for training and evaluation.

Seed ranges are disjoint by construction: training worlds, validation worlds
(used to pick the loss and hyper-parameters) and test worlds (used only by
``model eval``) never share a seed, so evaluation runs on worlds the model
has never seen.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch

from node.attention.features import FeatureCache, WindowFeatures, featurize
from node.attention.history import History
from node.workload import LabeledRecord, Workload
from node.workload.randomized import RandomizedWorkload
from protocol.record import Record

__all__ = [
    "BLOCK_KINDS", "FABRICATED_KINDS", "HISTORY_SHARE", "REPLAYED_KINDS", "PRIMED_KINDS", "TEST_SEEDS", "TRAIN_FAMILIES", "TRAIN_SEEDS", "VAL_SEEDS", "Window",
    "make_block_windows", "make_view_block_windows", "make_windows",
]

TRAIN_SEEDS = range(1, 10_000)
VAL_SEEDS = range(50_000, 51_000)
TEST_SEEDS = range(90_000, 91_000)

# Families training may use. The held-out families (node.workload.holdout_*) are
# imported by evaluation only: a test checks that training never loads them.
TRAIN_FAMILIES: dict[str, Callable[[int], Any]] = {"domains": Workload, "randomized": RandomizedWorkload}

# Evaluation's history: what earlier batches would have committed, i.e. their
# most important records (ground truth), this share of each batch.
HISTORY_SHARE = 0.2

_EPOCH_MS = 1_700_000_000_000


@dataclass(frozen=True, slots=True)
class Window:
    """One featurized window (scored against its history) with ground truth and context-case labels."""

    feats: WindowFeatures
    target: torch.Tensor  # [n] ground-truth importance
    cases: tuple[str, ...]
    refs: tuple[int, ...]
    records: tuple[Record, ...]  # the Records, for baselines that read fields
    details: tuple[str, ...] = ()
    family: str = "domains"
    # Per-record loss weight (None: every record counts). Validator-shaped windows put the
    # proposer's earlier committed records before the block: they are context, not scored.
    weight: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.cases)


def committed_share(batch: list[LabeledRecord], share: float) -> list[Record]:
    """The ``share`` most important records of a batch (by truth, ties by position), in batch order."""
    k = max(1, round(share * len(batch)))
    top = sorted(range(len(batch)), key=lambda i: (-batch[i].importance, i))[:k]
    return [batch[i].record for i in sorted(top)]


def make_windows(seeds: range | list[int], per_seed: int, lengths: tuple[int, ...],
                 weights: tuple[float, ...] | None = None, *, shuffle_seed: int = 0, family: str = "domains",
                 factory: Callable[[int], Any] | None = None, history: str = "none",
                 warmup: tuple[int, ...] = (0,)) -> list[Window]:
    """``per_seed`` consecutive batches from each seed's world, with lengths drawn from ``lengths``.

    ``history`` says what each window is scored against: ``"none"``;
    ``"committed"`` (the :data:`HISTORY_SHARE` most important records of every
    earlier batch of the world); or ``"random"`` (per world, one of none, all
    earlier records, or a random share of 5-50% of each batch: training sees
    every kind of memory a node may hold). ``warmup`` batches (a count drawn
    per world) fill the history before the first window.
    """
    rng = random.Random(f"attnshare-windows/{shuffle_seed}/{family}")
    make = factory or TRAIN_FAMILIES[family]
    out: list[Window] = []
    for seed in seeds:
        wl = make(seed)
        now = _EPOCH_MS + seed * 10_000_000
        mode, share = history, HISTORY_SHARE
        if history == "random":
            mode = rng.choices(("none", "all", "committed"), (0.2, 0.2, 0.6))[0]
            share = rng.uniform(0.05, 0.5)
        hist = History() if mode != "none" else None
        for step in range(-rng.choice(warmup), per_seed):
            n = rng.choices(lengths, weights)[0] if step >= 0 else 256
            batch = wl.next_labeled(n, now)
            now = batch[-1].record.ts_ms + 1_000 + rng.randrange(600_000)
            recs = tuple(lr.record for lr in batch)
            if step >= 0:
                out.append(Window(
                    featurize(recs, history=hist if hist is not None and len(hist) else None),
                    torch.tensor([lr.importance for lr in batch], dtype=torch.float32),
                    tuple(lr.case for lr in batch),
                    tuple(lr.ref for lr in batch),
                    recs,
                    tuple(lr.detail for lr in batch),
                    family,
                ))
            if hist is not None:
                hist.add(recs if mode == "all" else committed_share(batch, share))
    return out


BLOCK_KINDS = ("honest", "junk", "random")
# Blocks of records padded with field names the proposer got committed first (review 26, B1): the
# junk block padded ("primed") and the honest block padded ("primed_honest"), targets unchanged.
PRIMED_KINDS = ("primed", "primed_honest")
# The junk block with made-up numbers (session 49, review 48 finding 2: a liar dresses records nobody
# would ship as anomalies), targets unchanged: a number the proposer made up carries nothing.
FABRICATED_KINDS = ("fabricated",)
# The honest block re-sent with small changes (session 49: trial M's judge let re-typed replays of committed
# news through more often than K's), at the targets of copies of committed records.
REPLAYED_KINDS = ("replayed",)
_DEPENDENT = frozenset({"dup", "near_dup", "burst_tail", "novel_follow", "resend"})


def make_block_windows(seeds: range | list[int], per_seed: int, sources: tuple[int, ...],
                       sizes: tuple[int, ...], mix: tuple[float, float, float] = (2.0, 1.0, 1.0),
                       *, honest_min: float = 0.3, drop_orphans: bool = False,
                       shuffle_seed: int = 0, family: str = "domains", history: bool = False) -> list[Window]:
    """Windows built the way blocks are: a subset of a larger window, scored among itself.

    Validators score a block with only its own records as context, so a model
    that learned only whole windows rates a block of important records
    relative to each other (low) and a block of junk relative to itself (not
    much lower). These windows teach it the absolute scale. From a source
    window of ``sources`` records, a subset of a size from ``sizes`` is
    either the records of highest ground-truth importance ("honest": what a
    proposer ships, never below ``honest_min`` when enough of them exist), the
    lowest ("junk"), or random; ``mix`` weighs the three. Records keep their
    window order and their ground-truth importance as the label: importance is
    defined against the world, not the window. Ties are broken by a seeded
    shuffle. Deterministic in the arguments.

    A record whose label depends on another (a duplicate, a burst tail, a
    follow-up: its ``ref``), or on earlier batches (a re-send), is an
    *orphan* when that other record is not in the subset: it then looks just
    like the news it repeats, yet is labelled low. ``drop_orphans`` leaves
    every dependent record out of the subsets (in a subset they are nearly
    always orphans), so that no label contradicts what the subset shows.

    ``history``: each subset is scored against what the world's earlier
    source windows committed (their :data:`HISTORY_SHARE` most important
    records), as a validator scores a block against the committed view; a
    re-send of committed news is then no orphan and stays in.
    """
    rng = random.Random(f"attnshare-blocks/{shuffle_seed}" + ("" if family == "domains" else "/" + family))
    out: list[Window] = []
    for seed in seeds:
        wl = TRAIN_FAMILIES[family](seed)
        hist = History() if history else None
        now = _EPOCH_MS + seed * 10_000_000 + 5_000_000
        for _ in range(per_seed):
            n = rng.choice(sources)
            batch = wl.next_labeled(n, now)
            now = batch[-1].record.ts_ms + 1_000 + rng.randrange(600_000)
            how = rng.choices(BLOCK_KINDS, mix)[0]
            k = min(rng.choice(sizes), n)
            idx = list(range(n))
            rng.shuffle(idx)
            if drop_orphans:
                dependent = _DEPENDENT - {"resend"} if hist is not None else _DEPENDENT
                idx = [i for i in idx if batch[i].case not in dependent]
                k = min(k, len(idx))
            if how == "honest":
                idx.sort(key=lambda i: -batch[i].importance)
                strong = sum(1 for i in idx if batch[i].importance >= honest_min)
                # A block of strong records; a size that needs weaker ones shrinks to the strong ones.
                fit = [s for s in sizes if s <= strong]
                k = min(k, max(fit)) if fit else min(sizes)
            elif how == "junk":
                idx.sort(key=lambda i: batch[i].importance)
            chosen = sorted(idx[:k])
            sub = [batch[i] for i in chosen]
            pos = {b: a for a, b in enumerate(chosen)}
            recs = tuple(lr.record for lr in sub)
            out.append(Window(
                featurize(recs, history=hist if hist is not None and len(hist) else None),
                torch.tensor([lr.importance for lr in sub], dtype=torch.float32),
                tuple(lr.case for lr in sub),
                tuple(pos.get(lr.ref, -1) for lr in sub),
                recs,
                tuple(lr.detail for lr in sub),
                family,
            ))
            if hist is not None:
                hist.add(committed_share(batch, HISTORY_SHARE))
    return out


def make_view_block_windows(seeds: range | list[int], per_seed: int, score: Callable[[WindowFeatures], list[float]],
                            *, family: str = "domains", warmup: int = 2, lengths: tuple[int, ...] = (64, 128, 256, 512),
                            share: float = 0.1, quota: int = 1024, context: int = 128,
                            mask_orphans: bool = False, kinds: tuple[str, ...] = BLOCK_KINDS,
                            shuffle_seed: int = 0, prime_share: float = 0.5,
                            prime_version: int = 1, fabricated_share: float = 0.5,
                            replayed_share: float = 0.5) -> list[Window]:
    """Blocks the way validators score them (docs/consensus.md), for fine-tuning.

    Each seed's world is played as one proposer's stream, as
    scripts/calibrate_block_importance.py plays held-out worlds: every window
    is scored with ``score`` (the model being fine-tuned, before any
    fine-tuning: selection is fixed by the stage-1 checkpoint) against the
    committed view's History (``quota`` records: one proposer's share); its
    best ``share`` ships and commits. After ``warmup`` windows, each window
    yields three training windows, the honest block, a junk block (the
    lowest-scoring records the node kept) and a random block of kept
    records, each as a validator sees it: after as many of the proposer's
    last committed records as fill ``context``, against the view (the honest
    block against the view before it, junk and random against the view that
    holds it). Targets are the ground truth (absolute: importance is defined
    against the world); the weight is 1 on the block's records and 0 on the
    context, whose scores do not count. ``mask_orphans`` also gives weight 0
    to a copy, burst tail or follow-up whose source is neither in the block
    nor committed (an orphan: it looks exactly like the news it repeats, and
    no model can tell it is not). ``kinds`` says which of the three blocks
    are kept (the stream is played the same way whatever it says).

    ``kinds`` may also name :data:`PRIMED_KINDS` (review 26, B1: a liar gets
    a few records carrying made-up field names committed, then pads routine
    records with those names, which an unprimed judge read as news). In
    ``prime_share`` of the windows, before the honest block, the proposer
    commits 1-16 *priming* records per kind (records of the window's other
    records' kinds, carrying 1-8 made-up names with values drawn from one
    distribution per name); the junk block and the honest block are then
    also given with every record padded with those names (fresh draws),
    against the same views as their plain forms, with the same targets: a
    name that carries nothing changes no record's importance. Priming draws
    from its own random stream, so the windows drawn are the same whatever
    ``kinds`` says (the plain blocks' views then hold the priming records).
    ``prime_version`` 2 (review 28, row 3): 1-128 priming records per kind (at
    most 512), and in half of the names the padding drawn apart from what the
    primers carried (narrower, constant, shifted, wider, or another scale; a
    label of another vocabulary; a flag held at one value): after many
    primers a field's history is established, and padding unlike it read as
    a field's anomaly.

    ``kinds`` may also name :data:`FABRICATED_KINDS` (review 48, finding 2: a
    liar dresses the records nobody would ship as anomalies). In
    ``fabricated_share`` of the windows the junk block is also given with
    made-up numbers (:class:`_Fabrication`: every number, one per record, or
    some, in all or part of the block, multiplied by factors from 5 to 1e6,
    either sign, or divided), against the junk block's view, with the junk
    block's targets: a number the proposer made up carries nothing. It draws
    from its own random stream, like priming.

    ``kinds`` may also name :data:`REPLAYED_KINDS` (session 49): in
    ``replayed_share`` of the windows, the honest block just committed is
    sent again (:class:`_Replay`: exact, labels re-typed, numbers nudged,
    made-up fields added, or a label and a number), time-stamped after the
    window, against the view that holds it, at the targets of a re-sent
    committed record (0.01 exact, 0.02 changed: ``randomized``'s resends).
    Its own random stream too. Deterministic in the arguments.
    """
    rng = random.Random(f"attnshare-viewblocks/{shuffle_seed}/{family}")
    cache = FeatureCache()
    out: list[Window] = []

    def block_window(ctx: list[Record], batch: list[LabeledRecord], idx: list[int], seen: set[int],
                     view: History, pad: _Padding | _Fabrication | None = None) -> Window:
        sub = [batch[i] for i in idx]
        recs = tuple(ctx) + tuple(lr.record if pad is None else pad.apply(lr.record) for lr in sub)
        zeros = [0.0] * len(ctx)
        visible = seen | set(idx)
        weight = [0.0 if mask_orphans and lr.case in _DEPENDENT and lr.ref >= 0 and lr.ref not in visible else 1.0
                  for lr in sub]
        return Window(
            featurize(recs, cache, view if len(view) else None),
            torch.tensor(zeros + [lr.importance for lr in sub], dtype=torch.float32),
            ("context",) * len(ctx) + tuple(lr.case for lr in sub),
            (-1,) * len(recs),  # refs into the batch mean nothing here; no metric reads them
            recs,
            ("",) * len(ctx) + tuple(lr.detail for lr in sub),
            family,
            torch.tensor(zeros + weight, dtype=torch.float32),
        )

    priming = any(kind in kinds for kind in PRIMED_KINDS)
    fabricating = any(kind in kinds for kind in FABRICATED_KINDS)
    replaying = any(kind in kinds for kind in REPLAYED_KINDS)

    def replay_window(ctx: list[Record], batch: list[LabeledRecord], idx: list[int], view: History,
                      replay: _Replay) -> Window:
        after = batch[-1].record.ts_ms
        made = [replay.apply(batch[i].record, after + 1_000 * (j + 1)) for j, i in enumerate(idx)]
        recs = tuple(ctx) + tuple(r for r, _ in made)
        zeros = [0.0] * len(ctx)
        return Window(
            featurize(recs, cache, view if len(view) else None),
            torch.tensor(zeros + [t for _, t in made], dtype=torch.float32),
            ("context",) * len(ctx) + ("replay",) * len(made),
            (-1,) * len(recs),
            recs,
            ("",) * len(recs),
            family,
            torch.tensor(zeros + [1.0] * len(made), dtype=torch.float32),
        )
    for seed in seeds:
        wl = TRAIN_FAMILIES[family](seed)
        prng = random.Random(f"attnshare-primed/{shuffle_seed}/{family}/{seed}")
        frng = random.Random(f"attnshare-fabricated/{shuffle_seed}/{family}/{seed}")
        rrng = random.Random(f"attnshare-replayed/{shuffle_seed}/{family}/{seed}")
        view = History(quota, cache)
        mine: list[Record] = []  # the proposer's committed records, oldest first
        now = _EPOCH_MS + seed * 10_000_000 + 7_000_000
        for step in range(warmup + per_seed):
            n = rng.choice(lengths) if step >= warmup else 256
            batch = wl.next_labeled(n, now)
            now = batch[-1].record.ts_ms + 1_000 + rng.randrange(600_000)
            recs = [lr.record for lr in batch]
            k = max(2, round(share * n))
            scores = score(featurize(recs, cache, view if len(view) else None))
            ranked = sorted(range(n), key=lambda i: (-scores[i], i))
            honest = sorted(ranked[:k])
            fill = max(0, min(context, quota) - k)
            pad = None
            if step >= warmup and priming and prng.random() < prime_share:
                pad = _Padding.draw(prng, prime_version)
                padded_kinds = {recs[i].kind for i in honest + ranked[-k:]}
                primers = pad.primers(prng, [r for r in recs if r.kind in padded_kinds], batch[0].record.ts_ms)
                view.add(primers)  # committed in the proposer's earlier blocks
                mine += primers
            ctx = mine[len(mine) - min(len(mine), fill):]
            if step >= warmup and "honest" in kinds:
                out.append(block_window(ctx, batch, honest, set(), view))
            if pad is not None and "primed_honest" in kinds:
                out.append(block_window(ctx, batch, honest, set(), view, pad))
            view.add(recs[i] for i in honest)
            mine += [recs[i] for i in honest]
            if step >= warmup:
                ctx = mine[len(mine) - min(len(mine), fill):]
                rest = ranked[k:]
                junk = sorted(rest[-k:])
                for kind, idx in (("junk", junk), ("random", sorted(rng.sample(rest, min(k, len(rest)))))):
                    if kind in kinds:
                        out.append(block_window(ctx, batch, idx, set(honest), view))
                if pad is not None and "primed" in kinds:
                    out.append(block_window(ctx, batch, junk, set(honest), view, pad))
                if fabricating and frng.random() < fabricated_share:
                    out.append(block_window(ctx, batch, junk, set(honest), view, _Fabrication.draw(frng)))
                if replaying and rrng.random() < replayed_share:
                    out.append(replay_window(ctx, batch, honest, view, _Replay.draw(rrng)))
    return out


def _numeric_keys(fields: Mapping[str, object]) -> list[str]:
    """The fields holding a number (not a flag): what a replay nudges and a fabrication makes up."""
    return [k for k, v in fields.items() if isinstance(v, int | float) and not isinstance(v, bool)]


class _Replay:
    """How a liar re-sends committed news (``make_view_block_windows``'s "replayed" blocks).

    Drawn per block: the change (exact; one or two labels re-typed; one or two numbers nudged by
    0.05-3% or an integer by 1-3; one or two made-up fields added; a label and a number), with the
    draws per record seeded by its CID and the block's salt. The eval's replays
    (``scripts/eval_unseen.py``: a "-xyz" suffix, 0.1% or +-1, fields named "_" and "__") are one
    shape of each; these vary the way of it. A record without a label or a number to change gets a
    made-up field instead.
    """

    __slots__ = ("how", "salt")

    def __init__(self, how: str, salt: int) -> None:
        self.how, self.salt = how, salt

    @classmethod
    def draw(cls, rng: random.Random) -> _Replay:
        how = rng.choices(("exact", "retype", "nudge", "added", "mixed"), (0.15, 0.3, 0.2, 0.15, 0.2))[0]
        return cls(how, rng.getrandbits(32))

    @staticmethod
    def retyped(value: str, rng: random.Random) -> str:
        way = rng.randrange(4)
        if way == 0:
            return value.swapcase() if value.lower() != value.upper() else value + "."
        if way == 1:
            return f"{value}{rng.choice(('-', '_', ' ', '/', '#'))}{rng.getrandbits(rng.choice((8, 12, 16))):x}"
        if way == 2:
            return f"{rng.choice(('re', 'x', 'v2', 'dup'))}{rng.choice(('-', '_', ':'))}{value}"
        if not value:
            return "x"
        return value[:-1] + rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz0123456789" if c != value[-1]])

    @staticmethod
    def nudged(value: int | float, rng: random.Random) -> int | float:
        if isinstance(value, int):
            return value + rng.choice((-1, 1)) * rng.randint(1, 3)
        return value * (1.0 + rng.choice((-1.0, 1.0)) * 10 ** rng.uniform(-3.3, -1.5))

    def apply(self, record: Record, ts_ms: int) -> tuple[Record, float]:
        """``record`` sent again at ``ts_ms`` with this block's change, and its target."""
        rng = random.Random(f"{self.salt}/{record.cid}")
        fields = dict(record.fields)
        labels = [k for k, v in fields.items() if isinstance(v, str)]
        nums = _numeric_keys(fields)
        how = self.how
        if how != "exact" and not (labels if how in ("retype", "mixed") else nums if how == "nudge" else True):
            how = "added"
        if how in ("retype", "mixed"):
            for k in rng.sample(labels, 1 if how == "mixed" else min(len(labels), rng.randint(1, 2))):
                fields[k] = self.retyped(fields[k], rng)  # type: ignore[arg-type]
        if how in ("nudge", "mixed") and nums:
            for k in rng.sample(nums, 1 if how == "mixed" else min(len(nums), rng.randint(1, 2))):
                fields[k] = self.nudged(fields[k], rng)  # type: ignore[arg-type]
        if how == "added":
            for _ in range(rng.randint(1, 2)):
                fields.setdefault(_made_up_name(rng), _made_up_values(rng)(rng))
        return Record.create(record.kind, record.origin, ts_ms, fields), 0.01 if how == "exact" else 0.02


class _Fabrication:
    """How a liar makes up one block's numbers (``make_view_block_windows``'s "fabricated" blocks).

    Drawn per block: which numbers (every number of a record, one, or each with a chance of one
    half, at least one), which share of the block's records (all, three quarters or half), and the
    factors (per number: 5 to 1e6, log-uniform, negated with chance 0.3, or a division by 5 to
    1e3 with chance 0.2). Integers stay integers half of the time. The factors span the shapes
    ``scripts/eval_unseen.py --adversarial`` crafts and far more, so the judge learns the shape,
    not the eval's factors. Each record's draws come from a stream seeded by its CID and the
    block's draw, so :meth:`apply` is a function of the record.
    """

    __slots__ = ("which", "share", "salt", "whole")

    def __init__(self, which: str, share: float, salt: int, whole: bool) -> None:
        self.which, self.share, self.salt, self.whole = which, share, salt, whole

    @classmethod
    def draw(cls, rng: random.Random) -> _Fabrication:
        which = rng.choices(("every", "one", "some"), (0.35, 0.4, 0.25))[0]
        return cls(which, rng.choice((1.0, 1.0, 0.75, 0.5)), rng.getrandbits(32), rng.random() < 0.5)

    @staticmethod
    def factor(rng: random.Random) -> float:
        if rng.random() < 0.2:
            return 1.0 / 10 ** rng.uniform(0.7, 3.0)
        return (-1.0 if rng.random() < 0.3 else 1.0) * 10 ** rng.uniform(0.7, 6.0)

    def apply(self, record: Record) -> Record:
        """``record`` with its numbers made up (or as it is: a record outside the block's share, or
        one without numbers)."""
        rng = random.Random(f"{self.salt}/{record.cid}")
        if rng.random() >= self.share:
            return record
        nums = _numeric_keys(record.fields)
        if not nums:
            return record
        if self.which == "one":
            chosen = [rng.choice(nums)]
        elif self.which == "some":
            chosen = [k for k in nums if rng.random() < 0.5] or [rng.choice(nums)]
        else:
            chosen = nums
        fields = dict(record.fields)
        for k in chosen:
            v = float(fields[k]) or 1.0  # type: ignore[arg-type]
            made = v * self.factor(rng)
            fields[k] = round(made) if self.whole and isinstance(fields[k], int) and abs(made) < 2 ** 53 else made
        return Record.create(record.kind, record.origin, record.ts_ms, fields)


class _Padding:
    """Made-up field names a liar primes, each with the distribution the primers' values are drawn from
    and the one the padding's are (the same in version 1)."""

    __slots__ = ("fields", "times", "most")

    def __init__(self, fields: list[tuple[str, Callable[[random.Random], object], Callable[[random.Random], object]]],
                 times: int, most: int = 64) -> None:
        self.fields = fields
        self.times = times
        self.most = most  # priming records in all

    @classmethod
    def draw(cls, rng: random.Random, version: int = 1) -> _Padding:
        names: list[str] = []
        while len(names) < rng.choice((1, 2, 2, 4, 4, 8)):
            name = _made_up_name(rng)
            if name not in names:
                names.append(name)
        if version == 1:  # session 28's draws, in its order (the shipped judge rebuilds from them)
            fields = []
            for name in names:
                values = _made_up_values(rng)
                fields.append((name, values, values))
            return cls(fields, rng.choice((1, 1, 2, 3, 4, 8, 16)))
        fields = [(name, *_made_up_pair(rng)) for name in names]
        return cls(fields, rng.choice((1, 1, 2, 3, 4, 8, 16, 32, 64, 128)), 512)

    def apply(self, record: Record, rng: random.Random | None = None, *, primer: bool = False) -> Record:
        """``record`` with every made-up name added (fresh values, a primer's or the padding's; a name
        it already has is kept)."""
        draw = rng or random.Random(record.cid)
        fields = dict(record.fields)
        for name, primed, padded in self.fields:
            fields.setdefault(name, (primed if primer else padded)(draw))
        return Record.create(record.kind, record.origin, record.ts_ms, fields)

    def primers(self, rng: random.Random, pool: list[Record], before_ms: int) -> list[Record]:
        """``times`` records per kind of ``pool`` (at most ``most`` in all), each a pool record of that
        kind carrying the names."""
        by_kind: dict[str, list[Record]] = {}
        for r in pool:
            by_kind.setdefault(r.kind, []).append(r)
        times = min(self.times, max(1, self.most // max(1, len(by_kind))))
        out = []
        for j, kind in enumerate(sorted(by_kind)):
            for t in range(times):
                base = rng.choice(by_kind[kind])
                padded = self.apply(base, rng, primer=True)
                out.append(Record.create(kind, base.origin, before_ms - 60_000 - 1_000 * (j * times + t),
                                         padded.fields))
        out.sort(key=lambda r: r.ts_ms)
        return out


def _made_up_name(rng: random.Random) -> str:
    """A field name in the randomized worlds' styles and languages, or a made-up code."""
    from node.workload.randomized import _NAME_WORDS, _STYLES, _name

    if rng.random() < 0.2:
        return rng.choice(("x", "f", "col", "attr", "field", "k", "z")) + rng.choice(("", "_", "-")) + \
            format(rng.randrange(1 << 16), rng.choice(("d", "x")))
    return _name(rng, rng.choice((*_NAME_WORDS, "syl")), rng.choice(_STYLES), rng.randint(1, 3))


def _made_up_values(rng: random.Random) -> Callable[[random.Random], object]:
    """One field's values: numbers on a random scale and distribution, labels of a small vocabulary, or
    a flag; what a liar pads with and what it primed are the same kind of thing."""
    form = rng.choices(("number", "integer", "label", "flag"), (0.55, 0.2, 0.2, 0.05))[0]
    if form == "number":
        lo = rng.choice((0.0, 0.0, rng.uniform(-1e3, 1e3)))
        width = 10 ** rng.uniform(-2, 5)
        decimals = rng.randint(0, 4)
        return _numbers(lo, width, decimals, gauss=rng.random() >= 0.5)
    if form == "integer":
        top = rng.choice((10, 100, 1000, 100_000))
        return lambda r: r.randrange(top)
    if form == "label":
        vocab = _made_up_vocab(rng)
        return lambda r: r.choice(vocab)
    return lambda r: r.random() < 0.5


Values = Callable[[random.Random], object]


def _made_up_vocab(rng: random.Random) -> list[str]:
    """2-12 made-up words of 2-8 letters: a label field's vocabulary."""
    return ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 8)))
            for _ in range(rng.randint(2, 12))]


def _numbers(lo: float, width: float, decimals: int, gauss: bool) -> Values:
    if gauss:
        return lambda r: round(lo + width * (0.5 + 0.15 * r.gauss(0.0, 1.0)), decimals)
    return lambda r: round(lo + r.random() * width, decimals)


def _made_up_pair(rng: random.Random) -> tuple[Values, Values]:
    """One made-up field's values in priming records and in padding (version 2, review 28 row 3): the
    same distribution half of the time, else padding drawn apart from the primers': numbers narrower,
    constant, shifted, wider or on another scale; integers on another range or constant; labels of
    another vocabulary or one label; a flag held at one value. After many primers the view holds
    the field's distribution, and padding unlike it reads as an anomaly of the field."""
    form = rng.choices(("number", "integer", "label", "flag"), (0.55, 0.2, 0.2, 0.05))[0]
    apart = rng.random() < 0.5
    if form == "number":
        lo = rng.choice((0.0, 0.0, rng.uniform(-1e3, 1e3)))
        width = 10 ** rng.uniform(-2, 5)
        decimals = rng.randint(0, 4)
        gauss = rng.random() < 0.5
        primed = _numbers(lo, width, decimals, gauss)
        if not apart:
            return primed, primed
        how = rng.choice(("narrow", "constant", "shifted", "wider", "elsewhere"))
        if how == "narrow":
            return primed, _numbers(lo + width * rng.random(), width * 10 ** rng.uniform(-4, -1), max(decimals, 2), gauss)
        if how == "constant":
            c = round(lo + width * rng.random() * rng.choice((1, 3, 30)), decimals)
            return primed, lambda r: c
        if how == "shifted":
            return primed, _numbers(lo + width * rng.choice((-1, 1)) * rng.uniform(2, 50), width, decimals, gauss)
        if how == "wider":
            return primed, _numbers(lo, width * 10 ** rng.uniform(1, 3), decimals, gauss)
        return primed, _numbers(rng.choice((0.0, rng.uniform(-1e4, 1e4))), 10 ** rng.uniform(-3, 6),
                                rng.randint(0, 4), rng.random() < 0.5)
    if form == "integer":
        top = rng.choice((10, 100, 1000, 100_000))
        def primed(r: random.Random) -> object:
            return r.randrange(top)
        if not apart:
            return primed, primed
        if rng.random() < 0.3:
            c = rng.randrange(top * rng.choice((1, 10, 100)))
            return primed, lambda r: c
        base = top * rng.choice((2, 10, 100, 1000))
        return primed, lambda r: base + r.randrange(top)
    if form == "label":
        words = _made_up_vocab(rng)
        def primed(r: random.Random) -> object:
            return r.choice(words)
        if not apart:
            return primed, primed
        other = _made_up_vocab(rng) if rng.random() < 0.6 else _made_up_vocab(rng)[:1]
        return primed, lambda r: r.choice(other)
    def primed(r: random.Random) -> object:
        return r.random() < 0.5
    if not apart:
        return primed, primed
    held = rng.random() < 0.5
    return primed, lambda r: held
