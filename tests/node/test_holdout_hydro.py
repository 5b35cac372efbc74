"""The fourth held-out family (hydro): seeded, every case at a sensible rate, truth per the definition."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from functools import cache

import pytest

from node.workload.holdout_hydro import DIALECTS, PRIORITY_MODES, RARE_KINDS, HydroWorkload
from tests.node.holdout_checks import (
    CASES,
    assert_seeded,
    assert_valid_ordered_batches,
    assert_within,
    case_rates,
    same_output_under_two_hash_seeds,
    windows_missing,
)

NOW = 1_700_000_000_000


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = HydroWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(HydroWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = ("from node.workload.holdout_hydro import HydroWorkload\n"
            "for s in (5, 6, 7):\n"
            "    wl = HydroWorkload(s)\n"
            "    b = wl.next_labeled(200, 1_700_000_000_000)\n"
            "    print(wl.dialect, wl.prio_mode, [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b))\n")
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_and_batches_exact() -> None:
    wl = HydroWorkload(3)
    batches = [wl.next_labeled(300, NOW + i * 10**6) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.stations)
    for i, b in enumerate(batches):
        assert all(lr.record.ts_ms >= NOW + i * 10**6 for lr in b)
    late = wl.next_labeled(5, NOW + 10**12)  # a later now: the stream jumps forward
    assert all(lr.record.ts_ms >= NOW + 10**12 for lr in late)
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = HydroWorkload(3).next_batch(40, NOW)
    assert len(pairs) == 40
    assert [(r.cid, imp) for r, imp in pairs] == [(lr.record.cid, lr.importance)
                                                   for lr in HydroWorkload(3).next_labeled(40, NOW)]


def test_worlds_vary_in_dialect_kinds_and_priority_encoding() -> None:
    worlds = [HydroWorkload(s) for s in range(40)]
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert len({tuple(w.common) for w in worlds}) > 10
    assert all(4 <= len(w.common) <= 7 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(any(k != "levee" for k in w.rare) for w in worlds)  # a rare kind without priority in every world
    # Not English snake_case: camelCase (es), dotted lowercase (de), SCREAMING-KEBAB (ja) field names.
    style = {"es": lambda k: k[0].islower() and "." not in k and "-" not in k,
             "de": lambda k: "." in k and k == k.lower() and "-" not in k,
             "ja": lambda k: k == k.upper() and "_" not in k and "." not in k}
    for dialect in DIALECTS:
        wl = next(w for w in worlds if w.dialect == dialect)
        keys = {k for lr in wl.next_labeled(300, NOW) for k in lr.record.fields}
        assert all(style[dialect](k) for k in keys), (dialect, sorted(keys))
    # The priority field takes the world's encoding.
    seen: dict[str, set] = {}
    for w in worlds:
        for lr in w.next_labeled(120, NOW):
            for k, v in lr.record.fields.items():
                if k in ("nivelAviso", "hochwasser.lage", "KEIKAI-DANKAI", "colorAlarma", "alarm.farbe",
                         "KEIHOU-SHOKU"):
                    seen.setdefault(w.prio_mode, set()).add(type(v).__name__)
                if k in ("nivelAlerta", "warn.stufe", "KEIHOU-REBERU", "gradoAlerta", "alarm.rang", "KIKEN-JUNI"):
                    seen.setdefault(w.prio_mode, set()).add(type(v).__name__)
                    assert (0 <= v <= 4) if w.prio_mode == "level_up" else (1 <= v <= 5)
                if k in ("avisoUrgente", "eil.meldung", "KINKYUU-FURAGU"):
                    seen.setdefault(w.prio_mode, set()).add(type(v).__name__)
    assert seen["words"] == seen["colour"] == {"str"}
    assert seen["level_up"] == seen["level_down"] == {"int"}
    assert seen["flag"] == {"bool"}


def test_descending_levels_mean_more_at_one() -> None:
    wl = next(w for w in (HydroWorkload(s) for s in range(80)) if w.prio_mode == "level_down"
              and any(k in ("river", "reservoir", "gate") for k in w.common))
    by_level: dict[int, list[float]] = {}
    for lr in wl.next_labeled(1500, NOW):
        f = lr.record.fields
        lvl = next((v for k, v in f.items() if k in ("gradoAlerta", "alarm.rang", "KIKEN-JUNI")), None)
        if lvl is not None and lr.case == "routine" and lr.detail in ("", "priority"):
            by_level.setdefault(lvl, []).append(lr.importance)
    assert max(by_level[5]) < 0.3
    assert max(by_level.get(4, [0.0])) < 0.3
    assert min(by_level.get(1, [1.0])) > 0.85


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(20) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.65, 0.90), "dup": (0.02, 0.09), "near_dup": (0.02, 0.09),
                               "burst_head": (0.005, 0.03), "burst_tail": (0.03, 0.16), "resend": (0.002, 0.02)})
    assert_within(rates.detail, {"anomaly": (0.008, 0.04), "priority": (0.008, 0.05), "rare_kind": (0.004, 0.02),
                                 "rare_value": (0.001, 0.01)})
    assert rates.plain_rare_kind >= 0.4 * rates.rare_kind
    # Nearly every 256-record window has copies, a burst and news of each common kind.
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=150)
    assert all(v <= 3 for v in missing.values()), missing  # of 30 windows


def test_rare_kinds_are_rare() -> None:
    per_kind: Counter[str] = Counter()
    seen_in: Counter[str] = Counter()
    for seed in range(20):
        wl, batches = _stream(seed)
        names = {wl.kind_names[k]: k for k in wl.rare}
        for k in wl.rare:
            seen_in[k] += sum(len(b) for b in batches)
        for b in batches:
            for lr in b:
                if lr.record.kind in names:
                    per_kind[names[lr.record.kind]] += 1
                    if lr.case == "routine":
                        assert lr.detail in ("rare_kind", "priority")
    for k in RARE_KINDS:
        if seen_in[k]:
            assert 0.002 <= per_kind[k] / seen_in[k] <= 0.015, (k, per_kind[k], seen_in[k])


def test_truth_follows_the_definition() -> None:
    heads, tails, routine = [], [], []
    for seed in range(16):
        wl, batches = _stream(seed)
        for b in batches:
            for i, lr in enumerate(b):
                if lr.case in ("dup", "near_dup", "burst_tail"):
                    assert 0 <= lr.ref < i
                    src = b[lr.ref]
                    assert src.record.kind == lr.record.kind
                    assert src.case in (("burst_head",) if lr.case == "burst_tail" else ("routine", "burst_head"))
                    factor = {"dup": 0.05, "near_dup": 0.1, "burst_tail": 0.1}[lr.case]
                    floor = 0.02 if lr.case == "burst_tail" else 0.0
                    assert lr.importance == pytest.approx(max(floor, factor * src.importance), abs=2e-6)
                    assert lr.detail == ""
                else:
                    assert lr.ref == -1
                if lr.case == "dup":
                    assert lr.record.fields == b[lr.ref].record.fields
                if lr.case == "near_dup":
                    assert lr.record.fields != b[lr.ref].record.fields
                    assert set(lr.record.fields) == set(b[lr.ref].record.fields)
                if lr.case == "burst_tail":
                    assert lr.record.origin == b[lr.ref].record.origin
                    assert set(lr.record.fields) == set(b[lr.ref].record.fields)
                    assert lr.record.ts_ms - b[lr.ref].record.ts_ms < 120_000  # tightly spaced
                    tails.append(lr.importance)
                if lr.case == "burst_head":
                    heads.append(lr.importance)
                    assert lr.detail in ("anomaly", "priority")
                if lr.case == "resend":
                    assert lr.importance == pytest.approx(0.01)
                if lr.case == "routine":
                    routine.append(lr.importance)
                    assert lr.importance >= 0.04 - 1e-9
                    assert (lr.importance >= 0.3) == (lr.detail != ""), (lr.importance, lr.detail)
                    if lr.detail == "rare_kind":
                        assert lr.importance == pytest.approx(0.52)
                    if lr.detail == "rare_value":
                        assert lr.importance >= 1 - 0.96 * 0.55 - 1e-6  # alone: noisy_or(0.04, 0.45)
                    if lr.detail == "anomaly":
                        assert 0.9 * 0.5 <= lr.importance <= 1.0
    assert min(heads) >= 0.3  # a burst head carries news
    assert sorted(heads)[len(heads) // 2] > 5 * sorted(tails)[len(tails) // 2]
    assert max(tails) <= 0.1 + 1e-9
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)


def test_anomalies_are_numbers_far_from_the_kind_median() -> None:
    wl, batches = _stream(4)
    checked = 0
    for b in batches:
        for lr in b:
            kind = next(k for k, v in wl.kind_names.items() if v == lr.record.kind)
            if lr.case != "routine" or kind not in wl.stats:
                continue
            ks = []
            for name, st in wl.stats[kind].items():
                mt = wl.meta[name]
                v = lr.record.fields.get(mt.key)
                if isinstance(v, int | float) and not isinstance(v, bool):
                    ks.append(abs(mt.space(float(v)) - st.median) / st.spread)
            k = max(ks, default=0.0)
            if lr.detail == "anomaly":
                checked += 1
                assert k >= 4.5
            elif lr.detail == "":
                assert k < 4.5
    assert checked > 0


def test_resends_repeat_news_of_earlier_batches() -> None:
    wl = HydroWorkload(9)
    seen: dict[tuple, float] = {}
    hits = 0
    for i in range(5):
        for lr in wl.next_labeled(256, NOW + i * 10**6):
            key = (lr.record.kind, tuple(sorted(lr.record.fields.items())))
            if lr.case == "resend":
                assert seen.get(key, 0.0) >= 0.3
                hits += 1
            elif lr.case in ("routine", "burst_head"):
                seen[key] = max(seen.get(key, 0.0), lr.importance)
    assert hits > 0


def test_importing_the_family_loads_no_model() -> None:
    code = ("import sys\n"
            "import node.workload.holdout_hydro\n"
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith(('torch.', 'node.attention'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
