"""The aquaculture held-out family: seeded, every case at a sensible rate, truth per the definition."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_aqua import (
    ALWAYS_PRIORITY_RARE,
    DIALECTS,
    NEGATIONS,
    NEVER_PRIORITY_RARE,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    STYLES,
    UNIT_CHOICES,
    URGENCY,
    AquaWorkload,
    anomaly_strength,
)
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
    wl = AquaWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


@cache
def _worlds(count: int = 48) -> tuple[AquaWorkload, ...]:
    return tuple(AquaWorkload(s) for s in range(count))


@cache
def _world_sample(seed: int, n: int = 400):
    """A fresh world's first ``n`` records (independent of the cached worlds' state)."""
    wl = AquaWorkload(seed)
    return wl, tuple(wl.next_labeled(n, NOW))


def _mode_world(mode: str, min_prio_kinds: int = 1) -> AquaWorkload:
    return next(w for w in (AquaWorkload(s) for s in range(200))
                if w.prio_mode == mode and sum(k in PRIORITY_KINDS for k in w.common) >= min_prio_kinds)


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(AquaWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = ("from node.workload.holdout_aqua import AquaWorkload\n"
            "for s in (5, 6, 7, 8):\n"
            "    wl = AquaWorkload(s)\n"
            "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
            "    print(wl.dialect, wl.prio_mode, wl.prio_key, wl.origins[0], [lr.record.cid for lr in b][-3:],\n"
            "          sum(lr.importance for lr in b), [lr.case for lr in b].count('resend'), sorted(wl.stats))\n")
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_and_batches_exact() -> None:
    wl = AquaWorkload(3)
    batches = [wl.next_labeled(300, NOW + i * 10**6) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    assert 3 <= len(wl.origins) == len(set(wl.origins)) <= 10
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        # The batch ends near its ``now`` (records arrive about every third of a second).
        assert abs(b[-1].record.ts_ms - (NOW + i * 10**6)) < 60_000
    late = wl.next_labeled(5, NOW + 10**12)  # a later now: the stream jumps forward
    assert all(lr.record.ts_ms >= NOW + 10**12 - 5 * 1000 for lr in late)
    early = wl.next_labeled(50, NOW)  # an earlier now: the stream never goes back
    assert all(lr.record.ts_ms > late[-1].record.ts_ms for lr in early)
    for n in (1, 2, 7, 23):
        assert len(wl.next_labeled(n, NOW)) == n
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = AquaWorkload(3).next_batch(40, NOW)
    assert len(pairs) == 40
    assert [(r.cid, imp) for r, imp in pairs] == [(lr.record.cid, lr.importance)
                                                   for lr in AquaWorkload(3).next_labeled(40, NOW)]


def test_worlds_vary_in_dialect_kinds_units_and_naming() -> None:
    worlds = _worlds()
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert {w.key_style for w in worlds} == set(STYLES)
    assert {w.prio_plain for w in worlds} == {True, False}  # priority fields named plainly and neutrally
    assert len({tuple(w.common) for w in worlds}) > 20
    assert all(5 <= len(w.common) <= 8 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(any(k in PRIORITY_KINDS for k in w.common) for w in worlds)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(any(k in NEVER_PRIORITY_RARE for k in w.rare) for w in worlds)
    for fam, options in UNIT_CHOICES.items():
        assert {w.units[fam] for w in worlds} == set(options), fam
    assert len({w.prio_key for w in worlds}) > 12
    # Field names follow the world's style and no English field name appears.
    english = {"temperature", "oxygen", "salinity", "vessel", "species", "price", "priority", "urgency", "text"}
    for style in STYLES:
        for w in [w for w in worlds if w.key_style == style][:3]:
            keys = {k for lr in _world_sample(worlds.index(w))[1] for k in lr.record.fields}
            assert not keys & english
            if style == "snake":
                assert all("." not in k for k in keys)
                assert any("_" in k for k in keys)
            elif style == "dotted":
                assert all("_" not in k for k in keys)
                assert any("." in k for k in keys)
            elif style == "kebab":
                assert all("_" not in k and "." not in k for k in keys)
                assert any("-" in k for k in keys)
            else:
                assert all("_" not in k and "." not in k for k in keys)
                assert any(any(a.islower() and b.isupper() for a, b in zip(k, k[1:], strict=False)) for k in keys)


def test_priority_field_on_priority_kinds_only_in_the_world_encoding() -> None:
    types: dict[str, set[str]] = {}
    routine_share: dict[str, list[float]] = {}
    for w in _worlds()[:40]:
        vals = []
        for lr in _world_sample(_worlds().index(w))[1]:
            kind = w.kind_of[lr.record.kind]
            v = lr.record.fields.get(w.prio_key)
            assert (v is not None) == (kind in PRIORITY_KINDS), (kind, w.prio_key)
            if v is None:
                continue
            types.setdefault(w.prio_mode, set()).add(type(v).__name__)
            if lr.case == "routine" and kind not in RARE_KINDS:
                vals.append(w.priority_of(kind, lr.record.fields))
            if w.prio_mode == "scale_down":
                assert 1 <= v <= 6
            if w.prio_mode == "minutes":
                assert 5 <= v <= 2880  # not a tiny integer
            if w.prio_mode == "points":
                assert 0 <= v <= 999
        if len(vals) > 60:
            routine_share.setdefault(w.prio_mode, []).append(sum(p == 0 for p in vals) / len(vals))
    assert types["rotating"] == types["letters"] == types["colour"] == types["words"] == {"str"}
    assert types["scale_down"] == types["minutes"] == types["points"] == {"int"}
    assert types["flag"] == {"bool"}
    shares = [s for v in routine_share.values() for s in v]
    assert 0.78 <= sum(shares) / len(shares) <= 0.92, routine_share


def test_rotating_codes_hide_priority_among_many_routine_values() -> None:
    wl = _mode_world("rotating", 2)
    by_value: Counter[object] = Counter()
    p_of: dict[object, float] = {}
    for lr in wl.next_labeled(3000, NOW):
        kind = wl.kind_of[lr.record.kind]
        if lr.case == "routine" and kind in PRIORITY_KINDS and kind not in RARE_KINDS:
            v = lr.record.fields[wl.prio_key]
            by_value[v] += 1
            p_of[v] = wl.priority_of(kind, lr.record.fields)
    routine = [n for v, n in by_value.items() if p_of[v] == 0]
    urgent = [n for v, n in by_value.items() if p_of[v] > 0]
    assert len(routine) == 5
    assert len(urgent) == 3
    # The urgent values are rarer, but only moderately: no single routine value dominates.
    assert max(routine) < 1.6 * min(routine)
    assert max(urgent) > 0.25 * min(routine)
    assert min(urgent) < min(routine)


def test_scales_and_numbers_point_the_right_way() -> None:
    def by_value(wl: AquaWorkload) -> dict[object, list[float]]:
        out: dict[object, list[float]] = {}
        for lr in wl.next_labeled(2500, NOW):
            v = lr.record.fields.get(wl.prio_key)
            if v is not None and lr.case == "routine" and lr.detail in ("", "priority"):
                out.setdefault(v, []).append(lr.importance)
        return out

    down = by_value(_mode_world("scale_down", 2))
    assert max(down[6]) < 0.3
    assert max(down.get(5, [0.0])) < 0.3
    assert min(down[1] if 1 in down else down[2]) > 0.7
    assert min(down.get(2, [1.0])) > max(down.get(3, [0.0])) > max(down.get(4, [0.0])) >= max(down[6])
    minutes = by_value(_mode_world("minutes", 2))
    quick = [i for v, imps in minutes.items() if v <= 45 for i in imps]
    slow = [i for v, imps in minutes.items() if v >= 240 for i in imps]
    assert min(quick) > 0.6 > 0.3 > max(slow)
    points = by_value(_mode_world("points", 2))
    high = [i for v, imps in points.items() if v >= 600 for i in imps]
    low = [i for v, imps in points.items() if v < 300 for i in imps]
    assert min(high) > 0.6 > 0.3 > max(low)
    assert len({v for v in points if v < 300}) > 50  # a real numeric field, not a tiny scale


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(20) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.72, 0.90), "dup": (0.02, 0.06), "near_dup": (0.02, 0.06),
                               "burst_head": (0.005, 0.02), "burst_tail": (0.03, 0.14), "resend": (0.002, 0.012)})
    assert_within(rates.detail, {"anomaly": (0.01, 0.05), "priority": (0.015, 0.08), "rare_kind": (0.001, 0.012),
                                 "rare_value": (0.0005, 0.008)})
    assert rates.plain_rare_kind >= 0.4 * rates.rare_kind
    # Nearly every 256-record window has copies and news.
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=160)
    assert all(v <= 5 for v in missing.values()), missing  # of 30 windows


def test_rare_kinds_and_rare_values() -> None:
    per_kind: Counter[str] = Counter()
    seen_in: Counter[str] = Counter()
    rare_values = 0
    samples = [_stream(seed) for seed in range(20)] + [(w, (_world_sample(i)[1],)) for i, w in enumerate(_worlds())]
    for wl, batches in samples:
        for k in wl.rare:
            seen_in[k] += sum(len(b) for b in batches)
        for b in batches:
            for lr in b:
                kind = wl.kind_of[lr.record.kind]
                if kind in wl.rare:
                    per_kind[kind] += 1
                    if lr.case != "routine":
                        continue
                    if kind in ALWAYS_PRIORITY_RARE:
                        assert lr.detail == "priority"
                        assert lr.importance > 0.8
                    elif kind in NEVER_PRIORITY_RARE:
                        assert wl.prio_key not in lr.record.fields
                        assert (lr.detail, lr.importance) == ("rare_kind", pytest.approx(0.52))
                    else:
                        assert lr.detail in ("rare_kind", "priority")
                        assert lr.importance >= 0.52 - 1e-9
                elif lr.case == "routine" and lr.detail == "rare_value":
                    rare_values += 1
                    assert wl.rarity_of(kind, lr.record.fields) == (0.45, 0.0)
    for k in RARE_KINDS:
        assert seen_in[k], k
        assert 0.0005 <= per_kind[k] / seen_in[k] <= 0.008, (k, per_kind[k], seen_in[k])
    assert rare_values > 5


def test_truth_follows_the_definition() -> None:
    routine = []
    for seed in range(16):
        wl, batches = _stream(seed)
        for b in batches:
            for i, lr in enumerate(b):
                kind = wl.kind_of[lr.record.kind]
                if lr.case in ("dup", "near_dup", "burst_tail"):
                    assert 0 <= lr.ref < i
                    src = b[lr.ref]
                    assert src.record.kind == lr.record.kind
                    assert src.record.ts_ms < lr.record.ts_ms
                    assert src.case in (("burst_head",) if lr.case == "burst_tail" else ("routine", "burst_head"))
                    assert lr.detail == ""
                else:
                    assert lr.ref == -1
                if lr.case == "dup":
                    assert lr.importance == pytest.approx(0.05 * src.importance, abs=1e-12)
                    assert lr.record.fields == src.record.fields
                    assert lr.record.cid != src.record.cid  # a later copy or another origin's relay
                if lr.case == "near_dup":
                    assert lr.importance == pytest.approx(0.1 * src.importance, abs=1e-12)
                    assert lr.record.fields != src.record.fields
                    assert set(lr.record.fields) == set(src.record.fields)
                    assert lr.record.fields.get(wl.prio_key) == src.record.fields.get(wl.prio_key)
                if lr.case == "resend":
                    assert lr.importance == pytest.approx(0.01)
                if lr.case in ("routine", "burst_head"):
                    # The label is a function of the content alone, per the definition.
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
                        assert 0.9 * 0.5 <= lr.importance <= 1.0
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)


def test_bursts_have_a_news_head_and_tight_cheap_tails() -> None:
    heads, tails, lags = [], [], []
    tails_per_head: Counter[tuple[int, int, int]] = Counter()
    for seed in range(16):
        _, batches = _stream(seed)
        for bi, b in enumerate(batches):
            for lr in b:
                if lr.case == "burst_head":
                    heads.append(lr.importance)
                    assert lr.detail in ("anomaly", "priority")
                if lr.case == "burst_tail":
                    head = b[lr.ref]
                    assert lr.importance == pytest.approx(min(0.02, 0.1 * head.importance), abs=1e-12)
                    assert (lr.record.kind, lr.record.origin) == (head.record.kind, head.record.origin)
                    assert set(lr.record.fields) == set(head.record.fields)
                    assert lr.record.ts_ms - head.record.ts_ms < 80_000
                    lags.append(lr.record.ts_ms - head.record.ts_ms)
                    tails.append(lr.importance)
                    tails_per_head[(seed, bi, lr.ref)] += 1
    assert min(heads) >= 0.3
    assert max(tails) <= 0.02 + 1e-12  # a tail ranks below every fresh routine record
    assert min(tails_per_head.values()) >= 2
    assert max(tails_per_head.values()) <= 40
    assert len(set(tails_per_head.values())) > 8  # burst sizes vary
    assert sorted(lags)[len(lags) // 2] < 10_000  # tails follow their head within seconds


def test_anomalies_are_numbers_far_from_the_kind_median() -> None:
    checked = 0
    for seed in (4, 5, 6, 7):
        wl, batches = _stream(seed)
        for b in batches:
            for lr in b:
                kind = wl.kind_of[lr.record.kind]
                if lr.case != "routine" or kind not in wl.stats:
                    continue
                k = wl.anomaly_k(kind, lr.record.fields)
                if lr.detail == "anomaly":
                    checked += 1
                    assert 5.0 <= k <= 26.0
                elif lr.detail == "":
                    assert k < 5.0
    assert checked > 10
    # A world's routine distribution itself never strays (anomalies switched off).
    wl = AquaWorkload(11)
    wl.anomaly_rate = 0.0
    lrs = [lr for i in range(4) for lr in wl.next_labeled(256, NOW + i * 10**6) if lr.case == "routine"]
    assert sum(lr.detail == "anomaly" for lr in lrs) == 0
    assert max(wl.anomaly_k(wl.kind_of[lr.record.kind], lr.record.fields) for lr in lrs) < 4.6


def test_negated_urgency_does_not_count() -> None:
    for d in DIALECTS:
        wl = next(w for w in _worlds() if w.dialect == d)
        for neg in NEGATIONS[d]:
            assert wl.text_priority(wl._o(neg)) == 0.0, neg
            assert wl.text_priority(wl._o(neg).upper() + ".") == 0.0, neg
        for word, p in URGENCY[d]:
            assert wl.text_priority("… " + wl._o(word).capitalize() + "!") == p
        # A negated phrase beside a real urgent one still counts the urgent one.
        assert wl.text_priority(wl._o(NEGATIONS[d][0]) + ". " + wl._o(URGENCY[d][1][0])) == 1.0
    urgent = negated = 0
    for idx, w in enumerate(_worlds()[:30]):
        text_keys = [w.keys["text"]] + ([w.prio_key] if w.prio_mode == "words" else [])
        for lr in _world_sample(idx)[1]:
            kind = w.kind_of[lr.record.kind]
            text = next((lr.record.fields[k] for k in text_keys if k in lr.record.fields), None)
            if lr.case != "routine" or text is None:
                continue
            norm = w._norm(text)
            has_neg = any(n in norm for n in w._neg_norm)
            if w.text_priority(text) > 0:
                urgent += 1
                assert lr.detail in ("priority", "anomaly")
                assert lr.importance > 0.6
            elif has_neg:
                negated += 1
                assert lr.detail != "priority"
                if kind == "crewlog":
                    assert lr.importance == pytest.approx(0.04)
    assert urgent > 5
    assert negated > 10


def test_resends_repeat_news_of_earlier_batches() -> None:
    wl = AquaWorkload(9)
    seen: dict[tuple, float] = {}
    hits = 0
    for i in range(5):
        batch = wl.next_labeled(256, NOW + i * 10**6)
        for lr in batch:
            key = (lr.record.kind, lr.record.origin, tuple(sorted(lr.record.fields.items())))
            if lr.case == "resend":
                assert seen.get(key, 0.0) >= 0.3
                hits += 1
        for lr in batch:  # resends reach back to earlier batches only
            key = (lr.record.kind, lr.record.origin, tuple(sorted(lr.record.fields.items())))
            if lr.case in ("routine", "burst_head"):
                seen[key] = max(seen.get(key, 0.0), lr.importance)
    assert hits > 0


def test_distributions_have_their_own_shapes() -> None:
    """Zipf entities, counters that count, drifting and bimodal readings."""
    wl = next(w for w in _worlds() if {"pen", "landing", "feeder"} <= set(w.common))
    recs = [lr.record for lr in wl.next_labeled(3000, NOW) if lr.case == "routine"]
    pens = Counter(r.fields[wl.keys["pen"]] for r in recs if wl.keys["pen"] in r.fields)
    top = pens.most_common()
    assert top[0][1] > 2.5 * top[len(top) // 2][1]  # a few pens dominate
    lots = [r.fields[wl.keys["lot"]] for r in recs if wl.kind_of[r.kind] == "landing"]
    assert lots == sorted(lots)
    assert len(set(lots)) == len(lots)
    feed = sorted(float(r.fields[wl.keys["feed"]]) for r in recs if wl.kind_of[r.kind] == "feeder")
    assert feed[len(feed) // 10] < 0.5 * feed[len(feed) // 2]  # top-ups and main meals
    # Oxygen follows the day: the same world a night and an afternoon apart.
    wl_seed = _worlds().index(wl)

    def mean_oxy(hour: int) -> float:
        w = AquaWorkload(wl_seed)
        t = (NOW // 86_400_000) * 86_400_000 + ((hour - w.region["tz"]) % 24) * 3_600_000
        xs = [float(lr.record.fields[w.keys["oxy"]]) for lr in w.next_labeled(1500, t)
              if lr.case == "routine" and w.kind_of[lr.record.kind] == "pen" and lr.detail == ""]
        return sum(xs) / len(xs)

    assert mean_oxy(16) > mean_oxy(4)


def test_importing_the_family_loads_no_model() -> None:
    code = ("import sys\n"
            "import node.workload.holdout_aqua\n"
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith(('torch.', 'node.attention'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
