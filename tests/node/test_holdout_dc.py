"""The data-centre held-out family: seeded, every case at a sensible rate, truth per the definition."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from functools import cache
from typing import Any

import pytest

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from node.workload.holdout_dc import (
    ALWAYS_PRIORITY_RARE,
    DIALECTS,
    KEY_STYLES,
    NEGATIONS,
    NEVER_PRIORITY_RARE,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    WORDS_URGENT,
    DcWorkload,
    anomaly_strength,
)
from tests.node.holdout_checks import (
    CASES,
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
def _stream(seed: int, batches: int = 3, n: int = 256) -> tuple[DcWorkload, tuple[tuple[LabeledRecord, ...], ...]]:
    wl = DcWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


@cache
def _worlds(count: int = 48) -> tuple[DcWorkload, ...]:
    return tuple(DcWorkload(s) for s in range(count))


def _world(mode: str, start: int = 0) -> DcWorkload:
    return next(w for w in (DcWorkload(s) for s in range(start, start + 400)) if w.prio_mode == mode)


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(DcWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = ("from node.workload.holdout_dc import DcWorkload\n"
            "for s in (5, 6, 7):\n"
            "    wl = DcWorkload(s)\n"
            "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
            "    print(wl.dialect, wl.prio_mode, wl.origins[0], wl.prio_key, [lr.record.cid for lr in b][-3:],\n"
            "          sum(lr.importance for lr in b), [lr.case for lr in b].count('resend'), sorted(wl.stats))\n")
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_and_batches_exact() -> None:
    wl = DcWorkload(3)
    batches = [wl.next_labeled(300, NOW + i * 10**6) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    for i, b in enumerate(batches):
        assert abs(b[-1].record.ts_ms - (NOW + i * 10**6)) < 2_000  # ends near now
        assert b[0].record.ts_ms > NOW + i * 10**6 - 600_000  # a batch spans minutes, not hours
        assert all(lr.record.kind in wl.kind_of for lr in b)
    late = wl.next_labeled(5, NOW + 10**12)  # a later now: the stream jumps forward
    assert all(lr.record.ts_ms >= NOW + 10**12 - 60_000 for lr in late)
    early = wl.next_labeled(50, NOW)  # an earlier now: the stream never goes back
    assert all(lr.record.ts_ms > late[-1].record.ts_ms for lr in early)
    for n in (1, 2, 7, 23):
        assert len(wl.next_labeled(n, NOW)) == n
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = DcWorkload(3).next_batch(40, NOW)
    assert [(r.cid, imp) for r, imp in pairs] == [(lr.record.cid, lr.importance)
                                                   for lr in DcWorkload(3).next_labeled(40, NOW)]


def test_worlds_vary_in_dialect_kinds_styles_units_and_origins() -> None:
    worlds = _worlds()
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.key_style for w in worlds} == set(KEY_STYLES)
    assert len({tuple(sorted(w.common)) for w in worlds}) > 25
    assert all(6 <= len(w.common) <= 9 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(sum(k in PRIORITY_KINDS for k in w.common) >= 2 for w in worlds)
    assert all(any(k in NEVER_PRIORITY_RARE for k in w.rare) for w in worlds)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 10 for w in worlds)
    assert len({len(w.origins) for w in worlds}) >= 5
    for unit in ("temp", "power", "fuel"):
        assert len({w.units[unit] for w in worlds}) == 2, unit
    # Field names follow the world's style; the priority key is one of them.
    seps = {"snake": "_", "dotted": ".", "kebab": "-"}
    for w in worlds[:24]:
        recs = [lr.record for lr in w.next_labeled(150, NOW)]
        keys = {k for r in recs for k in r.fields}
        assert w.prio_key in keys or not any(w.kind_of[r.kind] in w.prio_kinds for r in recs)
        for k in keys:
            assert k.isascii(), k
            assert " " not in k, k
            others = [s for st, s in seps.items() if st != w.key_style]
            assert not any(s in k for s in others), (w.key_style, k)
            if w.key_style == "camel":
                assert k[0].islower(), k
        # Values carry the dialect: diacritics or words, never English.
        texts = " ".join(v for r in recs for v in r.fields.values() if isinstance(v, str))
        assert not any(word in texts.lower().split() for word in ("urgent", "the", "cooling", "online"))


def test_every_priority_form_is_reached_in_one_field_on_priority_kinds_only() -> None:
    worlds = _worlds()
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert len(PRIORITY_MODES) == 8
    types: dict[str, set[str]] = {}
    routine: dict[str, list[bool]] = {}
    for w in worlds:
        for lr in w.next_labeled(300, NOW):
            kind = w.kind_of[lr.record.kind]
            v = lr.record.fields.get(w.prio_key)
            assert (v is not None) == (kind in PRIORITY_KINDS or kind in ALWAYS_PRIORITY_RARE), (kind, w.prio_key)
            if v is None or lr.case != "routine" or kind not in PRIORITY_KINDS:
                continue
            types.setdefault(w.prio_mode, set()).add(type(v).__name__)
            routine.setdefault(w.prio_mode, []).append(w.priority_of(kind, lr.record.fields) == 0.0)
    assert types["flag"] == {"bool"}
    assert types["level_desc"] == types["sla"] == {"int"}
    assert all(types[m] == {"str"} for m in ("colour", "words", "codes", "severity", "hexword"))
    for mode, flags in routine.items():
        assert 0.75 <= sum(flags) / len(flags) <= 0.93, (mode, sum(flags) / len(flags))
    # Some keys name priority plainly, some do not; both kinds occur.
    assert len({w.prio_key for w in worlds}) >= 10


def test_each_form_has_steps_and_several_routine_values_where_meant() -> None:
    for mode in PRIORITY_MODES:
        wl = _world(mode)
        kind = next(k for k in wl.common if k in PRIORITY_KINDS)
        by_value: dict[object, set[float]] = {}
        for _ in range(12):
            v = wl._prio_value()
            by_value.setdefault(v, set())
        for _ in range(3000):
            v = wl._prio_value()
            p = wl.priority_of(kind, {wl.prio_key: v})
            by_value.setdefault(v, set()).add(p)
        steps = {p for ps in by_value.values() for p in ps}
        assert 0.0 in steps, (mode, steps)
        assert max(steps) >= 0.75, (mode, steps)
        assert len(steps) >= (2 if mode == "flag" else 4), (mode, steps)
        assert all(len(ps) <= 1 for ps in by_value.values()), mode  # a value means one thing
        if mode in ("codes", "sla", "severity", "level_desc", "hexword"):
            assert sum(0.0 in ps for ps in by_value.values()) >= 2, mode  # several routine values
        # Always-priority rare kinds take a high step.
        assert all(wl.priority_of(kind, {wl.prio_key: wl._prio_value(high=True)}) >= 0.75 for _ in range(50))


def test_descending_scales_mean_more_at_the_small_end() -> None:
    for mode in ("level_desc", "sla"):
        wl = _world(mode)
        kind = next(k for k in wl.common if k in PRIORITY_KINDS)
        vals = sorted({wl._prio_value() for _ in range(2000)})
        ps = [wl.priority_of(kind, {wl.prio_key: v}) for v in vals]
        assert ps == sorted(ps, reverse=True), (mode, vals, ps)
        assert ps[0] == 1.0
        assert ps[-1] == 0.0


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(20) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.72, 0.88), "dup": (0.025, 0.06), "near_dup": (0.025, 0.06),
                               "burst_head": (0.005, 0.03), "burst_tail": (0.04, 0.15), "resend": (0.002, 0.012)})
    assert_within(rates.detail, {"anomaly": (0.015, 0.04), "priority": (0.03, 0.10), "rare_kind": (0.001, 0.012),
                                 "rare_value": (0.0005, 0.006)})
    assert rates.plain_rare_kind >= 0.4 * rates.rare_kind
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=160)
    assert all(v <= 4 for v in missing.values()), missing  # of 30 windows


def test_rare_kinds_are_rare_and_scored_as_such() -> None:
    per_kind: Counter[str] = Counter()
    seen_in: Counter[str] = Counter()
    always = never = 0
    for seed in range(30):
        wl, batches = _stream(seed)
        for k in wl.rare:
            seen_in[k] += sum(len(b) for b in batches)
        for b in batches:
            for lr in b:
                kind = wl.kind_of[lr.record.kind]
                if kind not in wl.rare:
                    continue
                per_kind[kind] += 1
                if lr.case != "routine":
                    continue
                if kind in ALWAYS_PRIORITY_RARE:
                    always += 1
                    assert wl.priority_of(kind, lr.record.fields) >= 0.75
                    assert lr.detail in ("priority", "rare_kind")
                    assert lr.importance > 0.8
                else:
                    never += 1
                    assert wl.prio_key not in lr.record.fields
                    assert (lr.detail, lr.importance) == ("rare_kind", pytest.approx(noisy_or(0.04, 0.5)))
    assert always > 3
    assert never > 10
    for k in RARE_KINDS:
        if seen_in[k] > 2000:
            assert 0.0005 <= per_kind[k] / seen_in[k] <= 0.008, (k, per_kind[k], seen_in[k])


def test_truth_follows_the_definition() -> None:
    routine: list[float] = []
    rare_values = 0
    for seed in range(16):
        wl, batches = _stream(seed)
        for b in batches:
            for lr in b:
                if lr.case not in ("routine", "burst_head"):
                    continue
                kind = wl.kind_of[lr.record.kind]
                imp, detail = wl.score(kind, lr.record.fields)
                assert (lr.importance, lr.detail) == (pytest.approx(imp, abs=1e-12), detail)
                a = anomaly_strength(wl.anomaly_k(kind, lr.record.fields))
                p = wl.priority_of(kind, lr.record.fields)
                r, rk = wl.rarity_of(kind, lr.record.fields)
                assert lr.importance == pytest.approx(noisy_or(0.04, 0.9 * a, 0.9 * p, r), abs=1e-12)
                assert lr.detail == main_reason(0.9 * a, 0.9 * p, r, rk)
                assert lr.ref == -1
                assert (lr.importance >= 0.3) == (lr.detail != ""), (lr.importance, lr.detail)
                if lr.case == "routine":
                    routine.append(lr.importance)
                if lr.detail == "rare_value":
                    rare_values += 1
                    assert r == 0.45
                    assert rk == 0.0
                    assert kind not in wl.rare
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert min(routine) >= 0.04 - 1e-12
    assert rare_values > 3


def test_copies_point_at_an_earlier_source_with_the_right_factor() -> None:
    counts: Counter[str] = Counter()
    cross_origin = 0
    for seed in range(12):
        _, batches = _stream(seed)
        for b in batches:
            for i, lr in enumerate(b):
                if lr.case not in ("dup", "near_dup"):
                    continue
                counts[lr.case] += 1
                assert_copy_link(b, i)  # source, kind, factor, no reason of its own, keys kept
                src = b[lr.ref]
                # Stricter than the shared check: a copy comes after its source, and even a near copy
                # is a record of its own.
                assert src.record.ts_ms < lr.record.ts_ms
                factor = {"dup": 0.05, "near_dup": 0.1}[lr.case]
                assert lr.importance == pytest.approx(factor * src.importance, abs=1e-12)
                assert lr.record.cid != src.record.cid
                cross_origin += lr.record.origin != src.record.origin
                if lr.case == "near_dup":
                    diff = [k for k in lr.record.fields if lr.record.fields[k] != src.record.fields[k]]
                    assert 1 <= len(diff) <= 3
                    for k in diff:  # rounding, re-casing, re-typing: the same reading, differently written
                        old: Any = src.record.fields[k]
                        new: Any = lr.record.fields[k]
                        if isinstance(old, str):
                            assert old.upper().replace("-", "").replace("_", "").replace(".", "") == \
                                new.upper().replace("-", "").replace("_", "").replace(".", ""), (old, new)
                        elif isinstance(new, str):
                            assert new == str(old)
                        else:
                            assert abs(new - old) <= max(1.0, 0.01 * abs(old)), (old, new)
    assert counts["dup"] > 100
    assert counts["near_dup"] > 100
    assert cross_origin > 50  # another node's copy of the same event


def test_bursts_are_a_news_head_and_2_to_40_close_tails() -> None:
    heads: list[float] = []
    tails_per_head: Counter[tuple[int, int, int]] = Counter()
    for seed in range(16):
        _, batches = _stream(seed)
        for bi, b in enumerate(batches):
            for i, lr in enumerate(b):
                if lr.case == "burst_head":
                    heads.append(lr.importance)
                    assert lr.detail in ("anomaly", "priority")
                if lr.case != "burst_tail":
                    continue
                head = b[lr.ref]
                assert 0 <= lr.ref < i
                assert head.case == "burst_head"
                assert (head.record.kind, head.record.origin) == (lr.record.kind, lr.record.origin)
                assert set(head.record.fields) == set(lr.record.fields)
                assert 0 < lr.record.ts_ms - head.record.ts_ms < 60_000  # within seconds
                assert lr.importance == pytest.approx(min(0.02, 0.1 * head.importance), abs=1e-12)
                assert lr.detail == ""
                tails_per_head[(seed, bi, lr.ref)] += 1
    assert min(heads) >= 0.3
    assert min(tails_per_head.values()) >= 1  # a burst cut by the batch end may keep only one
    assert max(tails_per_head.values()) <= 40
    assert sorted(tails_per_head.values())[len(tails_per_head) // 2] >= 2
    assert max(tails_per_head.values()) >= 15  # heavy-tailed burst sizes


def test_anomalies_are_readings_far_from_the_kind_median() -> None:
    checked = 0
    injected: list[float] = []
    for seed in (4, 5, 6, 7):
        wl, batches = _stream(seed)
        for b in batches:
            for lr in b:
                kind = wl.kind_of[lr.record.kind]
                if lr.case != "routine":
                    continue
                k = wl.anomaly_k(kind, lr.record.fields)
                if lr.detail == "anomaly":
                    checked += 1
                    injected.append(k)
                    assert k >= 5.0
                    assert lr.importance >= noisy_or(0.04, 0.36) - 1e-12
                elif lr.detail == "":
                    assert k < 5.0
    assert checked > 10
    assert max(injected) > 12  # pushed anywhere from 6 to 25 spreads out
    # A world's natural distributions rarely stray by themselves (anomalies switched off).
    for seed in (11, 12):
        wl = DcWorkload(seed)
        wl.anomaly_rate = 0.0
        lrs = [lr for i in range(4) for lr in wl.next_labeled(256, NOW + i * 10**6) if lr.case == "routine"]
        assert sum(lr.detail == "anomaly" for lr in lrs) <= 0.01 * len(lrs)


def test_negated_urgency_does_not_count() -> None:
    urgent = negated = 0
    for w in (w for w in (DcWorkload(s) for s in range(200)) if w.prio_mode == "words"):
        markers = [m for _, _, m in WORDS_URGENT[w.dialect]]
        for lr in w.next_labeled(400, NOW):
            kind = w.kind_of[lr.record.kind]
            if lr.case != "routine" or kind not in PRIORITY_KINDS:
                continue
            text = str(lr.record.fields[w.prio_key]).lower()
            stripped = text
            for neg in NEGATIONS[w.dialect]:
                stripped = stripped.replace(neg, " ")
            if any(neg in text for neg in NEGATIONS[w.dialect]):
                negated += 1
                assert any(m in text for m in markers)  # the urgency word is there, negated
                assert w.priority_of(kind, lr.record.fields) == 0.0
                assert lr.detail != "priority"
            elif any(m in stripped for m in markers):
                urgent += 1
                assert w.priority_of(kind, lr.record.fields) >= 0.45
                assert lr.detail in ("priority", "anomaly", "rare_value")
                assert lr.importance > 0.4
            else:
                assert w.priority_of(kind, lr.record.fields) == 0.0
        if urgent > 20 and negated > 40:
            break
    assert urgent > 20
    assert negated > 40


def test_resends_repeat_news_of_earlier_batches() -> None:
    wl = DcWorkload(9)
    seen: dict[tuple[object, ...], float] = {}
    hits = 0
    for i in range(6):
        batch = wl.next_labeled(256, NOW + i * 10**6)
        for lr in batch:
            key = (lr.record.kind, lr.record.origin, tuple(sorted(lr.record.fields.items())))
            if lr.case == "resend":
                assert seen.get(key, 0.0) >= 0.3
                assert lr.importance == pytest.approx(0.01)
                assert lr.ref == -1
                hits += 1
        for lr in batch:  # resends reach back to earlier batches only
            key = (lr.record.kind, lr.record.origin, tuple(sorted(lr.record.fields.items())))
            if lr.case in ("routine", "burst_head"):
                seen[key] = max(seen.get(key, 0.0), lr.importance)
    assert hits > 0


def test_importing_the_family_loads_no_model() -> None:
    code = ("import sys\n"
            "import node.workload.holdout_dc\n"
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith(('torch.', 'node.attention'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
