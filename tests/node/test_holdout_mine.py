"""The mining held-out family: seeded, every case at a sensible rate, truth per the definition."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_mine import (
    ALWAYS_PRIORITY_RARE,
    COMMON_KINDS,
    DIALECTS,
    KINDS,
    NEVER_PRIORITY_RARE,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    TEXT_KINDS,
    TEXT_MARKERS,
    TEXT_NEGATIONS,
    UNIT_FAMILIES,
    MineWorkload,
    anomaly_strength,
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
    wl = MineWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


@cache
def _worlds(count: int = 40) -> tuple[MineWorkload, ...]:
    return tuple(MineWorkload(s) for s in range(count))


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(MineWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = ("from node.workload.holdout_mine import MineWorkload\n"
            "for s in (5, 6, 7):\n"
            "    wl = MineWorkload(s)\n"
            "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
            "    print(wl.dialect, wl.prio_mode, wl.origins[0], wl.common, [lr.record.cid for lr in b][-3:],\n"
            "          sum(lr.importance for lr in b), [lr.case for lr in b].count('resend'))\n")
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_and_batches_exact() -> None:
    wl = MineWorkload(3)
    batches = [wl.next_labeled(300, NOW + i * 10**6) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
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
    pairs = MineWorkload(3).next_batch(40, NOW)
    assert len(pairs) == 40
    assert [(r.cid, imp) for r, imp in pairs] == [(lr.record.cid, lr.importance)
                                                   for lr in MineWorkload(3).next_labeled(40, NOW)]


def test_worlds_vary_in_dialect_kinds_units_and_priority_encoding() -> None:
    worlds = _worlds()
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert len(PRIORITY_MODES) >= 7
    assert len({tuple(sorted(w.common)) for w in worlds}) > 20
    assert all(5 <= len(w.common) <= 8 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(set(w.common) <= set(COMMON_KINDS) and set(w.rare) <= set(RARE_KINDS) for w in worlds)
    assert all(any(k in PRIORITY_KINDS for k in w.common) for w in worlds)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(any(k in NEVER_PRIORITY_RARE for k in w.rare) for w in worlds)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 6 for w in worlds)
    for fam, opts in UNIT_FAMILIES.items():
        assert {w.units[fam] for w in worlds} == {o[0] for o in opts}, fam
    # Scales differ between worlds of the same units: the truck fleets are not all alike.
    payload = [med for w in worlds if "haul_truck" in w.stats and w.units["mass"] == "t"
               for key, (med, _) in w.stats["haul_truck"].items() if key == w.keys["payload"]]
    assert max(payload) > 1.5 * min(payload)


def test_units_set_keys_and_scales() -> None:
    checked = 0
    for w in _worlds():
        if "haul_truck" not in w.stats:
            continue
        stats = w.stats["haul_truck"]
        pressure = stats[w.keys["tyre_pressure"]][0]
        assert (500 <= pressure <= 800) if w.units["pressure"] == "kpa" else (70 <= pressure <= 120)
        temp = stats[w.keys["tyre_temp"]][0]
        assert (40 <= temp <= 90) if w.units["temp"] == "c" else (120 <= temp <= 190)
        checked += 1
    assert checked >= 8
    for w in _worlds()[:20]:
        for kind in w.common:
            for num in KINDS[kind].nums:
                if num.unit in UNIT_FAMILIES:
                    suffix = w.units[num.unit]
                    key = w.keys[num.canon]
                    assert key.lower().replace(".", "").replace("_", "").endswith(suffix), (key, suffix)


def test_dialect_naming_styles() -> None:
    # pt: camelCase keys, PascalCase kinds; cs: dotted lowercase keys, kebab-case kinds;
    # sw: SCREAMING_SNAKE keys, dotted lowercase kinds.
    key_style = {"pt": lambda k: k[0].islower() and not any(c in k for c in "_-. "),
                 "cs": lambda k: k == k.lower() and not any(c in k for c in "_- "),
                 "sw": lambda k: k == k.upper() and not any(c in k for c in "-. ")}
    kind_style = {"pt": lambda k: k[0].isupper() and k[1].islower() and not any(c in k for c in "_-. "),
                  "cs": lambda k: k == k.lower() and not any(c in k for c in "_. "),
                  "sw": lambda k: k == k.lower() and k.startswith("mgodi.") and not any(c in k for c in "_- ")}
    for dialect in DIALECTS:
        worlds = [w for w in _worlds() if w.dialect == dialect][:3]
        assert worlds
        for wl in worlds:
            recs = [lr.record for lr in wl.next_labeled(300, NOW)]
            keys = {k for r in recs for k in r.fields}
            assert all(key_style[dialect](k) for k in keys), (dialect, sorted(keys))
            assert all(kind_style[dialect](r.kind) for r in recs), dialect
            assert key_style[dialect](wl.prio_key)
    # Compound names really are compound in each style.
    assert any(sum(c.isupper() for c in k) >= 1 for w in _worlds() if w.dialect == "pt" for k in w.keys.values())
    assert any("." in k for w in _worlds() if w.dialect == "cs" for k in w.keys.values())
    assert any("_" in k for w in _worlds() if w.dialect == "sw" for k in w.keys.values())


def test_priority_field_takes_the_world_encoding_mostly_at_the_routine_step() -> None:
    seen: dict[str, set[str]] = {}
    routine_step: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for w in _worlds():
        for lr in w.next_labeled(200, NOW):
            kind = w.kind_of[lr.record.kind]
            v = lr.record.fields.get(w.prio_key)
            assert (v is not None) == (kind in PRIORITY_KINDS), (kind, w.prio_key)
            if v is None:
                continue
            seen.setdefault(w.prio_mode, set()).add(type(v).__name__)
            if w.prio_mode == "level_up":
                assert 0 <= v <= 3
            if w.prio_mode == "level_down":
                assert 1 <= v <= 5
            if w.prio_mode == "pct_limit":
                assert 0 < v <= 200
            if lr.case == "routine" and kind not in ALWAYS_PRIORITY_RARE:
                total[w.prio_mode] += 1
                routine_step[w.prio_mode] += w.priority_value(v) == 0.0
            if kind in ALWAYS_PRIORITY_RARE:
                assert w.priority_value(v) >= 0.55
    assert seen["flag"] == {"bool"}
    assert seen["level_up"] == seen["level_down"] == {"int"}
    assert seen["pct_limit"] == {"float"}
    assert all(seen[m] == {"str"} for m in ("tarp", "colour", "words", "letter", "ticket_cat"))
    shares = {m: routine_step[m] / total[m] for m in PRIORITY_MODES}
    assert all(0.72 <= x <= 0.96 for x in shares.values()), shares
    assert 0.8 <= sum(routine_step.values()) / sum(total.values()) <= 0.9


def test_scales_where_the_first_step_is_the_worst() -> None:
    for mode, worst, routine in (("level_down", 1, (4, 5)), ("letter", "A", ("C", "D"))):
        wl = next(w for w in (MineWorkload(s) for s in range(200)) if w.prio_mode == mode
                  and sum(k in PRIORITY_KINDS for k in w.common) >= 2)
        by_level: dict[object, list[float]] = {}
        for lr in wl.next_labeled(3000, NOW):
            lvl = lr.record.fields.get(wl.prio_key)
            if lvl is not None and lr.case == "routine" and lr.detail in ("", "priority"):
                by_level.setdefault(lvl, []).append(lr.importance)
        assert min(by_level[worst]) > 0.85, mode
        assert all(max(by_level.get(r, [0.0])) < 0.3 for r in routine), mode
        others = [v for lvl, vs in by_level.items() if lvl != worst and lvl not in routine for v in vs]
        assert others
        assert min(by_level[worst]) > max(others) > max(max(by_level.get(r, [0.0])) for r in routine)


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(20) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.72, 0.90), "dup": (0.02, 0.07), "near_dup": (0.02, 0.07),
                               "burst_head": (0.004, 0.02), "burst_tail": (0.04, 0.13), "resend": (0.001, 0.012)})
    assert_within(rates.detail, {"anomaly": (0.01, 0.04), "priority": (0.02, 0.09), "rare_kind": (0.002, 0.015),
                                 "rare_value": (0.0005, 0.008)})
    assert rates.plain_rare_kind >= 0.4 * rates.rare_kind
    news = sum(lr.importance > 0.5 for seed in range(20) for b in _stream(seed)[1] for lr in b)
    assert 0.03 <= news / (20 * 3 * 256) <= 0.15
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=160)
    assert all(v <= 4 for v in missing.values()), missing  # of 30 windows


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
                if kind in wl.rare:
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
                assert_copy_link(b, i)
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
                    if lr.detail == "rare_kind":
                        assert kind in wl.rare
                        assert kind in ALWAYS_PRIORITY_RARE or lr.importance == pytest.approx(0.52)
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
    wl = MineWorkload(11)
    wl.anomaly_rate = 0.0
    lrs = [lr for i in range(4) for lr in wl.next_labeled(256, NOW + i * 10**6) if lr.case == "routine"]
    assert sum(lr.detail == "anomaly" for lr in lrs) <= 0.01 * len(lrs)


def test_alarm_words_in_shift_reports_and_their_negations() -> None:
    alarm = negated = 0
    for w in _worlds():
        if not any(k in TEXT_KINDS for k in w.common):
            continue
        text_key = w.keys["text"]
        for lr in w.next_labeled(400, NOW):
            if lr.case != "routine" or w.kind_of[lr.record.kind] not in TEXT_KINDS:
                continue
            text = lr.record.fields[text_key].lower()
            if any(neg in text for neg in TEXT_NEGATIONS[w.dialect]):
                negated += 1
                assert lr.detail in ("", "anomaly")
                assert not w.text_alarm(text)
            elif any(m in text for m in TEXT_MARKERS[w.dialect]):
                alarm += 1
                assert lr.detail in ("priority", "anomaly")
                assert lr.importance > 0.7
    assert alarm > 3
    assert negated > 5


def test_resends_repeat_news_of_earlier_batches() -> None:
    wl = MineWorkload(9)
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
            "import node.workload.holdout_mine\n"
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith(('torch.', 'node.attention'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
