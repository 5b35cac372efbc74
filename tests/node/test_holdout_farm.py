"""The farm held-out family: seeded, every case at a sensible rate, truth per the definition."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_farm import (
    ALL_SPECS,
    ALWAYS_PRIORITY_RARE,
    CATS,
    DIALECTS,
    NEVER_PRIORITY_RARE,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    TEXT_KINDS,
    UNITS,
    FarmWorkload,
    anomaly_strength,
    prio_steps,
)
from tests.node.holdout_checks import (
    CASES,
    assert_burst_and_routine_shape,
    assert_copy_link,
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
    wl = FarmWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


@cache
def _worlds(count: int = 40) -> tuple[FarmWorkload, ...]:
    return tuple(FarmWorkload(s) for s in range(count))


def _numbers(v: object) -> tuple:
    return v if isinstance(v, tuple) else (v,)


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(FarmWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = ("from node.workload.holdout_farm import FarmWorkload\n"
            "for s in (5, 6, 7):\n"
            "    wl = FarmWorkload(s)\n"
            "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
            "    print(wl.dialect, wl.prio_mode, wl.stations[0], sorted(wl.keys.values())[:4],\n"
            "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
            "          [lr.case for lr in b].count('resend'))\n")
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_and_batches_exact() -> None:
    wl = FarmWorkload(3)
    batches = [wl.next_labeled(300, NOW + i * 10**6) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.stations)
    for i, b in enumerate(batches):
        assert all(lr.record.ts_ms >= NOW + i * 10**6 for lr in b)
        assert all(lr.record.kind in wl.kind_of for lr in b)
    late = wl.next_labeled(5, NOW + 10**12)
    assert all(lr.record.ts_ms >= NOW + 10**12 for lr in late)
    early = wl.next_labeled(50, NOW)  # the stream never goes back
    assert all(lr.record.ts_ms >= late[-1].record.ts_ms for lr in early)
    for n in (1, 2, 7, 23):
        assert len(wl.next_labeled(n, NOW)) == n
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = FarmWorkload(3).next_batch(40, NOW)
    assert len(pairs) == 40
    assert [(r.cid, imp) for r, imp in pairs] == [(lr.record.cid, lr.importance)
                                                   for lr in FarmWorkload(3).next_labeled(40, NOW)]


def test_worlds_vary_in_dialect_kinds_units_and_priority_encoding() -> None:
    worlds = _worlds()
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert len(PRIORITY_MODES) >= 7
    assert len({tuple(sorted(w.common)) for w in worlds}) > 25
    assert all(5 <= len(w.common) <= 8 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(any(k in PRIORITY_KINDS for k in w.common) for w in worlds)
    assert all(any(k in NEVER_PRIORITY_RARE for k in w.rare) for w in worlds)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.stations) == len(set(w.stations)) <= 6 for w in worlds)
    for fam, opts in UNITS.items():
        assert len({w.units[fam] for w in worlds}) == len(opts), fam
    # Scales differ between worlds: the same field of the same kind has other medians.
    medians = {round(w.stats[k][f][0], 3) for w in worlds if w.units["tmp"] == "c"
               for k in w.stats if k == "gh_climate" for f in ("air_temp",)}
    assert len(medians) > 3


def test_dialect_naming_styles() -> None:
    seps = ("_", "-", ".", " ")
    key_style = {"hu": lambda k: k[0].islower() and not any(c in k for c in seps),  # camelCase
                 "ro": lambda k: k == k.lower() and not any(c in k for c in "_. "),  # kebab-case
                 "vi": lambda k: k == k.lower() and not any(c in k for c in "_- ")}  # dotted
    kind_style = {"hu": lambda k: k == k.lower() and not any(c in k for c in "_- "),
                  "ro": lambda k: k == k.upper() and not any(c in k for c in ".- "),
                  "vi": lambda k: k[0].isupper() and k[1].islower() and not any(c in k for c in seps)}
    joined = {"hu": lambda k: k != k.lower(), "ro": lambda k: "-" in k, "vi": lambda k: "." in k}
    for dialect in DIALECTS:
        worlds = [w for w in _worlds() if w.dialect == dialect][:4]
        for wl in worlds:
            assert len(set(wl.keys.values())) == len(wl.keys)  # one key per field
            assert wl.prio_key not in wl.keys.values()
            recs = [lr.record for lr in wl.next_labeled(300, NOW)]
            keys = {k for r in recs for k in r.fields}
            assert all(key_style[dialect](k) for k in keys), (dialect, sorted(keys))
            assert sum(map(joined[dialect], keys)) > 0.5 * len(keys), (dialect, sorted(keys))
            assert all(kind_style[dialect](r.kind) for r in recs), dialect
            assert all(k.isascii() for k in keys)
            # Quantities carry the world's unit in their name.
            for kind in wl.common:
                for s in ALL_SPECS[kind]:
                    if s.family and len(UNITS[s.family]) > 1:
                        assert wl.keys[s.field].lower().endswith(wl.units[s.family]), (s.field, wl.keys[s.field])


def test_priority_field_takes_the_world_encoding() -> None:
    seen: dict[str, set[str]] = {}
    at_routine = total = 0
    for w in _worlds():
        routine_values = {v for v, p, _ in prio_steps(w.prio_mode, w.dialect) if p == 0}
        for lr in w.next_labeled(200, NOW):
            kind = w.kind_of[lr.record.kind]
            v = lr.record.fields.get(w.prio_key)
            assert (v is not None) == (kind in PRIORITY_KINDS), (kind, w.prio_key)
            if v is None:
                continue
            seen.setdefault(w.prio_mode, set()).add(type(v).__name__)
            if kind in ALWAYS_PRIORITY_RARE:
                assert w.priority_of(kind, lr.record.fields) >= 0.55
            elif lr.case == "routine":
                total += 1
                at_routine += (v < 40) if w.prio_mode == "score" else (v in routine_values)
            if w.prio_mode == "level_up":
                assert 0 <= v <= 4
            if w.prio_mode in ("level_down", "score"):
                assert 1 <= v <= 4 if w.prio_mode == "level_down" else 0 <= v <= 100
            if w.prio_mode == "grade":
                assert v in "ABCD"
    assert seen["colour"] == seen["words"] == seen["ticket"] == seen["grade"] == {"str"}
    assert seen["level_up"] == seen["level_down"] == seen["score"] == {"int"}
    assert seen["flag"] == {"bool"}
    assert 0.78 <= at_routine / total <= 0.93, at_routine / total


def test_descending_levels_mean_more_at_one() -> None:
    wl = next(w for w in (FarmWorkload(s) for s in range(80)) if w.prio_mode == "level_down"
              and sum(k in PRIORITY_KINDS for k in w.common) >= 3)
    by_level: dict[int, list[float]] = {}
    for lr in wl.next_labeled(2000, NOW):
        lvl = lr.record.fields.get(wl.prio_key)
        kind = wl.kind_of[lr.record.kind]
        if lvl is not None and lr.case == "routine" and lr.detail in ("", "priority") \
                and wl.anomaly_k(kind, lr.record.fields) < 5 and wl.rarity_of(kind, lr.record.fields)[0] == 0:
            by_level.setdefault(lvl, []).append(lr.importance)
    assert max(by_level[4]) < 0.1
    assert min(by_level[1]) > 0.85
    assert min(by_level[1]) > max(by_level[2]) >= min(by_level[2]) > max(by_level[3]) > max(by_level[4])


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(20) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.75, 0.90), "dup": (0.025, 0.07), "near_dup": (0.025, 0.07),
                               "burst_head": (0.004, 0.02), "burst_tail": (0.025, 0.12),
                               "resend": (0.002, 0.015)})
    assert_within(rates.detail, {"anomaly": (0.01, 0.04), "priority": (0.02, 0.09), "rare_kind": (0.002, 0.015),
                                 "rare_value": (0.002, 0.012)})
    assert rates.plain_rare_kind >= 0.4 * rates.rare_kind
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=170)
    assert all(v <= 5 for v in missing.values()), missing  # of 30 windows
    news = [lr.importance > 0.5 for seed in range(20) for b in _stream(seed)[1] for lr in b]
    assert 0.05 <= sum(news) / len(news) <= 0.15


def test_rare_kinds_are_rare() -> None:
    per_kind: Counter[str] = Counter()
    seen_in: Counter[str] = Counter()
    for seed in range(20):
        wl, batches = _stream(seed)
        for k in wl.rare:
            seen_in[k] += sum(len(b) for b in batches)
        for b in batches:
            for lr in b:
                kind = wl.kind_of[lr.record.kind]
                if kind not in wl.rare:
                    continue
                per_kind[kind] += 1
                if lr.case == "routine" and kind in ALWAYS_PRIORITY_RARE:
                    assert lr.detail in ("priority", "rare_kind")
                    assert lr.importance > 0.75
                elif lr.case == "routine":
                    assert (lr.detail, lr.importance) == ("rare_kind", pytest.approx(0.52))
    for k in RARE_KINDS:
        if seen_in[k]:
            assert 0.001 <= per_kind[k] / seen_in[k] <= 0.01, (k, per_kind[k], seen_in[k])


def test_truth_follows_the_definition() -> None:
    heads, tails, routine = [], [], []
    tails_per_head: Counter[tuple[int, int, int]] = Counter()
    for seed in range(16):
        wl, batches = _stream(seed)
        for bi, b in enumerate(batches):
            for i, lr in enumerate(b):
                kind = wl.kind_of[lr.record.kind]
                assert_copy_link(b, i, one_field_off=True)
                if lr.case == "burst_tail":
                    tails.append(lr.importance)
                    tails_per_head[(seed, bi, lr.ref)] += 1
                if lr.case == "burst_head":
                    heads.append(lr.importance)
                    assert lr.detail in ("anomaly", "priority")
                if lr.case == "resend":
                    assert lr.importance == pytest.approx(0.01)
                if lr.case in ("routine", "burst_head"):
                    imp, detail = wl.score(kind, lr.record.fields)
                    assert (lr.importance, lr.detail) == (pytest.approx(imp), detail)
                    a = anomaly_strength(wl.anomaly_k(kind, lr.record.fields))
                    p = wl.priority_of(kind, lr.record.fields)
                    r, rk = wl.rarity_of(kind, lr.record.fields)
                    assert imp == pytest.approx(noisy_or(0.04, 0.9 * a, 0.9 * p, r))
                    assert detail == main_reason(0.9 * a, 0.9 * p, r, rk)
                if lr.case == "routine":
                    routine.append(lr.importance)
                    assert lr.importance >= 0.04 - 1e-9
                    assert (lr.importance >= 0.3) == (lr.detail != ""), (lr.importance, lr.detail)
                    if lr.detail == "rare_value":
                        assert lr.importance >= 1 - 0.96 * 0.55 - 1e-6
                    if lr.detail == "anomaly":
                        assert 0.9 * 0.4 <= lr.importance <= 1.0
    assert_burst_and_routine_shape(heads, tails, routine, tails_per_head)


def test_anomalies_are_numbers_far_from_the_kind_median() -> None:
    checked = 0
    for seed in (4, 5, 6):
        wl, batches = _stream(seed)
        for b in batches:
            for lr in b:
                kind = wl.kind_of[lr.record.kind]
                if lr.case != "routine" or kind not in wl.stats:
                    continue
                k = wl.anomaly_k(kind, lr.record.fields)
                if lr.detail == "anomaly":
                    checked += 1
                    assert k >= 5.0
                elif lr.detail == "":
                    assert k < 5.0
    assert checked > 5
    wl = FarmWorkload(11)
    wl.anomaly_rate = 0.0
    lrs = [lr for i in range(4) for lr in wl.next_labeled(256, NOW + i * 10**6) if lr.case == "routine"]
    assert sum(lr.detail == "anomaly" for lr in lrs) <= 0.01 * len(lrs)
    # Routine values of each numeric field centre on the world's median with about its spread.
    for kind, fields in wl.stats.items():
        for f, (med, spread) in fields.items():
            vals = sorted(x for lr in lrs if wl.kind_of[lr.record.kind] == kind
                          for x in _numbers(lr.record.fields[wl.keys[f]]))
            if len(vals) < 40:
                continue
            mid = vals[len(vals) // 2]
            mad = sorted(abs(x - mid) for x in vals)[len(vals) // 2]
            assert abs(mid - med) < 0.4 * spread, (kind, f)
            assert 0.4 * spread < mad < 1.2 * spread, (kind, f, mad, spread)


def test_alarm_words_inside_free_text_logs() -> None:
    urgent = negated = 0
    for w in _worlds():
        if not TEXT_KINDS & set(w.common):
            continue
        text_key = w.keys["text"]
        for lr in w.next_labeled(400, NOW):
            kind = w.kind_of[lr.record.kind]
            if lr.case != "routine" or kind not in TEXT_KINDS:
                continue
            text = lr.record.fields[text_key].lower()
            if any(m in text for m in ("sürgős", "azonnal", "urgent", "pericol", "khẩn cấp", "nguy hiểm")):
                if any(m in text for m in ("nem sürgős", "nem kell azonnal", "nu e urgent", "fără pericol",
                                           "không khẩn cấp", "không nguy hiểm")):
                    negated += 1
                    assert lr.detail in ("", "anomaly", "rare_value")
                else:
                    urgent += 1
                    assert lr.detail in ("priority", "anomaly")
                    assert lr.importance > 0.7
    assert urgent > 3
    assert negated > 5


def test_rare_values_are_rare_categorical_values() -> None:
    counts: Counter[tuple[str, str]] = Counter()
    rare_hits = 0
    for seed in range(20):
        wl, batches = _stream(seed)
        for b in batches:
            for lr in b:
                if lr.case != "routine":
                    continue
                for s in ALL_SPECS[wl.kind_of[lr.record.kind]]:
                    if s.t == "cat":
                        counts[(s.table, lr.record.fields[wl.keys[s.field]])] += 1
                if lr.detail == "rare_value":
                    rare_hits += 1
                    assert lr.importance == pytest.approx(noisy_or(0.04, 0.45))
    assert rare_hits > 10
    rare_values = {v for t, v in counts if any(v in pair[1] for pair in CATS[t].values())}
    assert rare_values
    per_table: Counter[str] = Counter()
    for (t, _), n in counts.items():
        per_table[t] += n
    for (t, v), n in counts.items():
        if v in rare_values:
            assert n / per_table[t] < 0.03, (t, v, n, per_table[t])


def test_resends_repeat_news_of_earlier_batches() -> None:
    wl = FarmWorkload(9)
    seen: dict[tuple, float] = {}
    hits = 0
    for i in range(5):
        batch = wl.next_labeled(256, NOW + i * 10**6)
        for lr in batch:
            key = (lr.record.kind, lr.record.origin, tuple(sorted(lr.record.fields.items())))
            if lr.case == "resend":
                assert seen.get(key, 0.0) >= 0.3
                hits += 1
        for lr in batch:
            key = (lr.record.kind, lr.record.origin, tuple(sorted(lr.record.fields.items())))
            if lr.case in ("routine", "burst_head"):
                seen[key] = max(seen.get(key, 0.0), lr.importance)
    assert hits > 0


def test_importing_the_family_loads_no_model() -> None:
    code = ("import sys\n"
            "import node.workload.holdout_farm\n"
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith(('torch.', 'node.attention'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
