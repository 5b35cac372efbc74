"""Checks the held-out families' tests share: how often each case occurs, and which windows lack news.

Each family keeps its own bounds (its author chose its rates); only the counting is shared.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from node.workload.domains import LabeledRecord, tail_importance
from protocol.record import decode_record

CASES = frozenset({"routine", "dup", "near_dup", "burst_head", "burst_tail", "resend"})
REPO = Path(__file__).resolve().parents[2]
PLAIN_RARE_KIND = 0.52  # noisy_or(0.04, 0.5): a rare kind with no priority and no anomaly


@dataclass(frozen=True)
class CaseRates:
    """Shares of all records: per case, and per routine record's detail."""

    case: dict[str, float]
    detail: dict[str, float]
    rare_kind: int  # routine records whose detail is "rare_kind"
    plain_rare_kind: int  # ... of which carry nothing but rarity


def case_rates(batches: Iterable[Sequence[LabeledRecord]]) -> CaseRates:
    cases: Counter[str] = Counter()
    details: Counter[str] = Counter()
    plain = total = 0
    for batch in batches:
        for lr in batch:
            total += 1
            cases[lr.case] += 1
            if lr.case == "routine":
                details[lr.detail] += 1
                plain += lr.detail == "rare_kind" and lr.importance == pytest.approx(PLAIN_RARE_KIND)
    return CaseRates({c: n / total for c, n in cases.items()}, {d: n / total for d, n in details.items()},
                     details["rare_kind"], plain)


def assert_within(shares: dict[str, float], bounds: dict[str, tuple[float, float]]) -> None:
    for key, (lo, hi) in bounds.items():
        assert lo <= shares.get(key, 0.0) <= hi, (key, shares.get(key, 0.0), (lo, hi))


def windows_missing(windows: Iterable[Sequence[LabeledRecord]], min_routine: int) -> Counter[str]:
    """Per case or detail of news, how many windows hold none of it (every window must be mostly routine)."""
    missing: Counter[str] = Counter()
    for window in windows:
        c = Counter(lr.case for lr in window) + Counter(lr.detail for lr in window if lr.case == "routine")
        assert c["routine"] > min_routine
        missing.update(k for k in ("dup", "near_dup", "burst_tail", "anomaly", "priority") if not c[k])
    return missing


def _printed(code: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout.strip()


def modules_loaded_by_training(name: str) -> str:
    """What a fresh process imports whose name holds ``name`` or ``holdout`` after building one tiny
    set of training windows (printed as a sorted list): ``"[]"`` when training never loads a
    held-out family. One process serves every family's test (:func:`_modules_after_training`)."""
    return str(sorted(m for m in _modules_after_training() if name in m or "holdout" in m))


@functools.cache
def _modules_after_training() -> tuple[str, ...]:
    """Every module a fresh process holds after building one tiny set of training windows."""
    code = (
        "import sys\n"
        "from node.attention.train import TrainConfig, training_windows\n"
        "training_windows(TrainConfig(worlds=1, random_worlds=1, windows_per_world=1, random_windows_per_world=1))\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    return tuple(_printed(code, {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}).splitlines())


def model_modules_loaded_by_import(module: str) -> str:
    """torch and node.attention modules a process holds after importing ``module``, a held-out
    family's (node/workload/holdout_*.py; a sorted list as printed): ``"[]"`` when it loads no model. One fresh process imports every held-out
    family in turn (:func:`_model_modules_per_family`) and lists what each import added: if none
    adds a model module, none of them loads one on its own either (a family that loads one shows it,
    unless a family imported before it loaded it first, and then that family's test fails)."""
    return str(_model_modules_per_family()[module])


@functools.cache
def _model_modules_per_family() -> dict[str, list[str]]:
    modules = sorted(f"node.workload.{p.stem}" for p in (REPO / "node" / "workload").glob("holdout_*.py"))
    code = (
        "import importlib, json, sys\n"
        "def model(): return {m for m in sys.modules if m == 'torch' or m.startswith(('torch.', 'node.attention'))}\n"
        "out = {}\n"
        f"for name in {modules!r}:\n"
        "    before = model()\n"
        "    importlib.import_module(name)\n"
        "    out[name] = sorted(model() - before)\n"
        "print(json.dumps(out))\n"
    )
    return json.loads(_printed(code))  # type: ignore[no-any-return]


def eval_unseen_families() -> dict[str, tuple[str, str]]:
    """``scripts/eval_unseen.py``'s ``FAMILIES``, read from its source (importing it would load torch)."""
    path = REPO / "scripts" / "eval_unseen.py"
    tree = ast.parse(path.read_text())
    return next(ast.literal_eval(n.value) for n in tree.body  # type: ignore[no-any-return]
                if isinstance(n, ast.AnnAssign) and getattr(n.target, "id", "") == "FAMILIES")


def same_output_under_two_hash_seeds(code: str) -> bool:
    """Whether ``python -c code`` prints the same under PYTHONHASHSEED 1 and 2 (no str hashing, no set order)."""
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": h, "PATH": ""}).stdout for h in ("1", "2")}
    return len(outs) == 1


def assert_valid_ordered_batches(batches: Sequence[Sequence[LabeledRecord]], size: int, origins: Iterable[str]) -> None:
    """Every batch has ``size`` records, in time order across batches, each decoding to itself, from a known
    origin, with ground truth in [0, 1]."""
    known = set(origins)
    ts = [lr.record.ts_ms for b in batches for lr in b]
    assert ts == sorted(ts)
    for b in batches:
        assert len(b) == size
        for lr in b:
            assert decode_record(lr.record.canonical_bytes()) == lr.record
            assert lr.record.origin in known
            assert 0.0 <= lr.importance <= 1.0


def assert_seeded(factory: Callable[[int], Any], now: int) -> None:
    """The same seed gives the same labelled stream (in one batch or in two), another seed another one."""

    def key(lr: LabeledRecord) -> tuple[object, ...]:
        return (lr.record.cid, lr.importance, lr.case, lr.ref, lr.detail)

    a, b = factory(21).next_labeled(256, now), factory(21).next_labeled(256, now)
    assert [key(x) for x in a] == [key(x) for x in b]
    c = factory(22).next_labeled(256, now)
    assert {x.record.cid for x in a}.isdisjoint({x.record.cid for x in c})
    w1, w2 = factory(21), factory(21)
    assert [key(x) for x in w1.next_labeled(100, now) + w1.next_labeled(100, now)] == \
        [key(x) for x in w2.next_labeled(100, now) + w2.next_labeled(100, now)]


def assert_copy_link(batch: Sequence[LabeledRecord], i: int, *, tail_window_ms: int = 120_000,
                     one_field_off: bool = False) -> None:
    """The copy rules of the definition for ``batch[i]``: a duplicate, near duplicate or burst tail
    points at an earlier record of its kind in its batch (a tail at a burst head, a copy at news or
    routine), scores its factor of it (0.05 exact, 0.1 near, ``min(0.02, 0.1 x head)`` tail) and
    carries no reason of its own; every other record points nowhere. An exact copy repeats the
    fields under another cid; a near copy changes some field values (exactly one with
    ``one_field_off``) and keeps the keys; a tail keeps the head's origin and keys and comes within
    ``tail_window_ms``."""
    lr = batch[i]
    if lr.case not in ("dup", "near_dup", "burst_tail"):
        assert lr.ref == -1
        return
    assert 0 <= lr.ref < i
    src = batch[lr.ref]
    assert src.record.kind == lr.record.kind
    assert src.record.ts_ms <= lr.record.ts_ms
    assert src.case in (("burst_head",) if lr.case == "burst_tail" else ("routine", "burst_head"))
    assert lr.detail == ""
    if lr.case == "burst_tail":
        assert lr.importance == pytest.approx(min(0.02, 0.1 * src.importance), abs=1e-9)
        assert lr.record.origin == src.record.origin
        assert set(lr.record.fields) == set(src.record.fields)
        assert lr.record.ts_ms - src.record.ts_ms < tail_window_ms
        return
    factor = {"dup": 0.05, "near_dup": 0.1}[lr.case]
    assert lr.importance == pytest.approx(factor * src.importance, abs=1e-9)
    if lr.case == "dup":
        assert lr.record.fields == src.record.fields
        assert lr.record.cid != src.record.cid
    else:
        assert lr.record.fields != src.record.fields
        assert set(lr.record.fields) == set(src.record.fields)
        if one_field_off:
            assert sum(src.record.fields[k] != v for k, v in lr.record.fields.items()) == 1


def assert_burst_and_routine_shape(heads: Sequence[float], tails: Sequence[float], routine: Sequence[float],
                                   tails_per_head: Counter[Any]) -> None:
    """Across a family's streams: every burst head is news (0.3 or more) and every tail is worth at
    most 0.02, a median head over ten median tails, the median routine record at the 0.04 floor,
    and each burst of 2-40 tails."""
    assert min(heads) >= 0.3
    assert max(tails) <= 0.02 + 1e-12
    assert sorted(heads)[len(heads) // 2] > 10 * sorted(tails)[len(tails) // 2]
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert min(tails_per_head.values()) >= 2
    assert max(tails_per_head.values()) <= 40


def stream_and_tail_gaps(batches: Iterable[Sequence[LabeledRecord]]) -> tuple[list[int], list[int]]:
    """Milliseconds between consecutive routine records, and between consecutive burst tails (bursts
    run on their own clock: their tails must come much closer together than the stream does)."""
    gaps: list[int] = []
    tail_gaps: list[int] = []
    for b in batches:
        for i in range(1, len(b)):
            if b[i].case == b[i - 1].case and b[i].case in ("routine", "burst_tail"):
                (gaps if b[i].case == "routine" else tail_gaps).append(b[i].record.ts_ms - b[i - 1].record.ts_ms)
    return gaps, tail_gaps


def assert_copies_and_tails_link(stream: Callable[[int], tuple[Any, list[list[LabeledRecord]]]],
                                 counter_names: Sequence[str], note_keys: dict[str, str]) -> None:
    """Over 16 worlds of a family with the fab/brew scheduler (node/workload/holdout_stream.py):
    copies link to their sources, burst tails to their heads (same kind, origin and fields, words
    kept, counters stepped on, a tenth of the head at most), near copies change one or two fields
    (never the priority field, nor the note in text worlds), relays change origin, and tails come
    much closer together than the stream. ``stream(seed)`` gives a world and its first batches;
    ``counter_names`` are the ``wl.keys`` of its counters; ``note_keys`` its note field per dialect."""
    heads, tails = [], []
    head_at: list[tuple[int, int, int]] = []
    per_head: Counter = Counter()
    relayed = 0
    changed: Counter = Counter()
    for seed in range(16):
        wl, batches = stream(seed)
        counters = {wl.keys[c] for c in counter_names}
        for bi, b in enumerate(batches):
            for i, lr in enumerate(b):
                if lr.case != "burst_tail":
                    assert_copy_link(b, i)
                else:
                    src = b[lr.ref]
                    assert 0 <= lr.ref < i
                    assert src.case == "burst_head"
                    assert lr.importance == pytest.approx(tail_importance(src.importance), abs=1e-9)
                    assert (lr.record.kind, lr.record.origin) == (src.record.kind, src.record.origin)
                    assert set(lr.record.fields) == set(src.record.fields)
                    assert lr.record.fields != src.record.fields
                    assert lr.detail == ""
                    assert 0 < lr.record.ts_ms - src.record.ts_ms < 120_000
                    if wl.prio_key in src.record.fields:
                        assert lr.record.fields[wl.prio_key] == src.record.fields[wl.prio_key]
                    for key, v in src.record.fields.items():  # words stay, counters step on
                        if key in counters:
                            assert int(re.sub(r"\D", "", str(lr.record.fields[key]))) > int(re.sub(r"\D", "", str(v)))
                        elif isinstance(v, str):
                            assert lr.record.fields[key] == v
                    tails.append(lr.importance)
                    per_head[(seed, bi, lr.ref)] += 1
                if lr.case == "burst_head":
                    heads.append(lr.importance)
                    head_at.append((seed, bi, i))
                if lr.case == "dup":
                    relayed += lr.record.origin != b[lr.ref].record.origin
                if lr.case == "near_dup":
                    src = b[lr.ref].record.fields
                    diff = [k for k, v in lr.record.fields.items() if src[k] != v]
                    assert 1 <= len(diff) <= 2
                    assert wl.prio_key not in diff
                    if wl.prio_mode == "text":
                        assert note_keys[wl.dialect] not in diff
                    for k in diff:
                        changed["number" if isinstance(src[k], int | float) else "text"] += 1
    assert min(heads) >= 0.3
    assert max(tails) <= 0.035 + 1e-12
    assert sorted(heads)[len(heads) // 2] > 10 * sorted(tails)[len(tails) // 2]
    assert min(per_head[h] for h in head_at) >= 2  # a batch never ends inside a burst
    assert 8 <= max(per_head.values()) <= 40
    assert relayed > 10
    assert changed["number"] > 50
    assert changed["text"] > 50
    # Tails come much closer together than the stream does on average.
    worlds = 0
    for seed in range(16):
        wl, batches = stream(seed)
        gaps, tail_gaps = stream_and_tail_gaps(batches)
        if len(tail_gaps) >= 5:
            worlds += 1
            assert statistics.median(tail_gaps) < 0.5 * statistics.mean(gaps), seed
    assert worlds >= 6
