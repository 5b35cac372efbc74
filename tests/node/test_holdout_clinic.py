"""The clinic held-out family (written blind): seeded, every case at a sensible rate, truth per the definition."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_clinic import (
    ALWAYS_PRIORITY_RARE,
    CODE_PHRASES,
    DIALECTS,
    FAMILIES,
    HANDOVER_MARKERS,
    HANDOVER_NEGATED,
    HANDOVER_URGENT,
    NEVER_PRIORITY_RARE,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    ClinicWorkload,
    anomaly_strength,
    phrase_strength,
    priority_value,
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
    wl = ClinicWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


@cache
def _worlds(count: int = 40) -> tuple[ClinicWorkload, ...]:
    return tuple(ClinicWorkload(s) for s in range(count))



def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(ClinicWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = ("from node.workload.holdout_clinic import ClinicWorkload\n"
            "for s in (5, 6, 7):\n"
            "    wl = ClinicWorkload(s)\n"
            "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
            "    print(wl.dialect, wl.prio_mode, wl.wards[0], wl.common, [lr.record.cid for lr in b][-3:],\n"
            "          sum(lr.importance for lr in b), [lr.case for lr in b].count('resend'))\n")
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_and_batches_exact() -> None:
    wl = ClinicWorkload(3)
    batches = [wl.next_labeled(300, NOW + i * 10**6) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.wards)
    for i, b in enumerate(batches):
        assert all(lr.record.ts_ms >= NOW + i * 10**6 for lr in b)
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert all(lr.case in CASES for lr in b)
    late = wl.next_labeled(5, NOW + 10**12)
    assert all(lr.record.ts_ms >= NOW + 10**12 for lr in late)
    early = wl.next_labeled(50, NOW)  # an earlier now: the stream never goes back
    assert all(lr.record.ts_ms >= late[-1].record.ts_ms for lr in early)
    for n in (1, 2, 7, 23):
        assert len(wl.next_labeled(n, NOW)) == n
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = ClinicWorkload(3).next_batch(40, NOW)
    assert len(pairs) == 40
    assert [(r.cid, imp) for r, imp in pairs] == [(lr.record.cid, lr.importance)
                                                   for lr in ClinicWorkload(3).next_labeled(40, NOW)]


def test_worlds_vary_in_dialect_kinds_units_and_priority_encoding() -> None:
    worlds = _worlds()
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert len({tuple(sorted(w.common)) for w in worlds}) > 20
    assert all(5 <= len(w.common) <= 8 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(sum(k in PRIORITY_KINDS for k in w.common) >= 2 for w in worlds)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(any(k in NEVER_PRIORITY_RARE for k in w.rare) for w in worlds)
    assert all(3 <= len(w.wards) == len(set(w.wards)) <= 6 for w in worlds)
    for fam in FAMILIES:
        assert len({w.units[fam] for w in worlds}) >= 2, fam
    # it: lowercase, words by '-', unit after ':'; tr: Title_Snake; ja: lowerCamel ASCII romaji.
    style = {"it": lambda k: k == k.lower() and " " not in k and "_" not in k,
             "tr": lambda k: k[0].isupper() and " " not in k and "-" not in k and ":" not in k,
             "ja": lambda k: k[0].islower() and k.isascii() and k.isalnum()}
    kind_style = {"it": lambda k: "/" in k and k == k.lower(),
                  "tr": lambda k: k[0].isupper() and "_" in k and "/" not in k,
                  "ja": lambda k: k.isascii() and k.isalpha() and k == k.lower()}
    for dialect in DIALECTS:
        wl = next(w for w in worlds if w.dialect == dialect)
        recs = [lr.record for lr in wl.next_labeled(300, NOW)]
        keys = {k for r in recs for k in r.fields}
        assert all(style[dialect](k) for k in keys), (dialect, sorted(keys))
        assert all(kind_style[dialect](r.kind) for r in recs), dialect
    # The priority field takes the world's encoding, on priority kinds (and loud rare kinds) only.
    seen: dict[str, set] = {}
    lowest: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for w in worlds:
        for lr in w.next_labeled(150, NOW):
            kind = w.kind_of[lr.record.kind]
            v = lr.record.fields.get(w.prio_key)
            assert (v is not None) == (kind in PRIORITY_KINDS or kind in ALWAYS_PRIORITY_RARE), (kind, w.prio_key)
            if v is None or lr.case != "routine" or kind not in PRIORITY_KINDS:
                continue
            seen.setdefault(w.prio_mode, set()).add(type(v).__name__)
            total[w.prio_mode] += 1
            lowest[w.prio_mode] += priority_value(w.prio_mode, w.dialect, v) == 0.0
            if w.prio_mode == "news2":
                assert 0 <= v <= 20
            if w.prio_mode == "esi_down":
                assert 1 <= v <= 5
            if w.prio_mode in ("hl7_letter", "avpu"):
                assert v in "ACPRSTUV"
    assert seen["triage_word"] == seen["hl7_letter"] == seen["avpu"] == seen["code_text"] == {"str"}
    assert seen["news2"] == seen["esi_down"] == {"int"}
    assert seen["stat_flag"] == {"bool"}
    assert 0.78 <= sum(lowest.values()) / sum(total.values()) <= 0.92


def test_priority_encodings_order_their_steps() -> None:
    assert [priority_value("esi_down", "it", v) for v in (5, 4, 3, 2, 1)] == [0.0, 0.2, 0.55, 0.85, 1.0]
    assert [priority_value("news2", "tr", v) for v in (0, 2, 3, 5, 7, 9, 20)] == [0, 0, 0.2, 0.55, 0.85, 1, 1]
    assert [priority_value("hl7_letter", "ja", v) for v in "RPTAS"] == [0.0, 0.2, 0.55, 0.85, 1.0]
    assert [priority_value("avpu", "it", v) for v in "ACVPU"] == [0.0, 0.55, 0.85, 1.0, 1.0]
    assert [priority_value("triage_word", "tr", v) for v in ("yeşil", "SARI", "kirmizi")] == [0.0, 0.55, 1.0]
    assert priority_value("triage_word", "it", "Arancione") == 0.85
    assert priority_value("stat_flag", "ja", True) == 0.85
    assert priority_value("stat_flag", "ja", False) == priority_value("news2", "it", True) == 0.0
    # Code words count; negated ones do not; accents and case do not matter.
    assert phrase_strength("CODICE BLU letto L04", CODE_PHRASES["it"], "it") == 1.0
    assert phrase_strength("nessun codice blu, paziente vigile", CODE_PHRASES["it"], "it") == 0.0
    assert phrase_strength("non è codice rosso", CODE_PHRASES["it"], "it") == 0.0
    assert phrase_strength("paziente non collaborante, codice rosso", CODE_PHRASES["it"], "it") == 0.85
    assert phrase_strength("MAVİ KOD yatak Y-3", CODE_PHRASES["tr"], "tr") == 1.0
    assert phrase_strength("mavi kod degil, hasta uyanik", CODE_PHRASES["tr"], "tr") == 0.0
    assert phrase_strength("aciliyeti yok", CODE_PHRASES["tr"], "tr") == 0.0
    assert phrase_strength("Dokutaa Haato 305-2", CODE_PHRASES["ja"], "ja") == 1.0
    assert phrase_strength("shikyuu de wa nai", CODE_PHRASES["ja"], "ja") == 0.0
    assert phrase_strength("SHIKYŪ", CODE_PHRASES["ja"], "ja") == 0.55
    assert phrase_strength("acil değil", HANDOVER_MARKERS["tr"], "tr") == 0.0
    assert phrase_strength("ACİL: hasta tekrar değerlendirilmeli", HANDOVER_MARKERS["tr"], "tr") == 0.85


def test_descending_levels_mean_more_at_one() -> None:
    wl = next(w for w in (ClinicWorkload(s) for s in range(80)) if w.prio_mode == "esi_down")
    by_level: dict[int, list[float]] = {}
    for lr in wl.next_labeled(3000, NOW):
        lvl = lr.record.fields.get(wl.prio_key)
        if lvl is not None and lr.case == "routine" and lr.detail in ("", "priority"):
            by_level.setdefault(lvl, []).append(lr.importance)
    assert max(by_level[5]) < 0.3
    assert max(by_level.get(4, [0.0])) < 0.3
    assert min(by_level[1]) > 0.85
    assert min(by_level[1]) > max(by_level[2]) > max(by_level[3]) > max(by_level[5])
    assert len(by_level[5]) > 0.75 * sum(len(v) for v in by_level.values())


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(20) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.70, 0.90), "dup": (0.02, 0.07), "near_dup": (0.02, 0.07),
                               "burst_head": (0.003, 0.02), "burst_tail": (0.03, 0.14), "resend": (0.002, 0.015)})
    assert_within(rates.detail, {"anomaly": (0.01, 0.05), "priority": (0.01, 0.07), "rare_kind": (0.002, 0.015),
                                 "rare_value": (0.001, 0.01)})
    assert rates.plain_rare_kind >= 0.4 * rates.rare_kind
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
            assert 0.0005 <= per_kind[k] / seen_in[k] <= 0.01, (k, per_kind[k], seen_in[k])


def test_truth_follows_the_definition() -> None:
    heads, tails, routine = [], [], []
    tails_per_head: Counter[tuple] = Counter()
    for seed in range(16):
        wl, batches = _stream(seed)
        for bi, b in enumerate(batches):
            for i, lr in enumerate(b):
                kind = wl.kind_of[lr.record.kind]
                if lr.case in ("dup", "near_dup", "burst_tail"):
                    assert 0 <= lr.ref < i
                    src = b[lr.ref]
                    assert src.record.kind == lr.record.kind
                    assert src.record.ts_ms <= lr.record.ts_ms
                    assert src.case in (("burst_head",) if lr.case == "burst_tail" else ("routine", "burst_head"))
                    if lr.case == "burst_tail":
                        assert lr.importance == pytest.approx(min(0.02, 0.1 * src.importance), abs=1e-9)
                    else:
                        factor = {"dup": 0.05, "near_dup": 0.1}[lr.case]
                        assert lr.importance == pytest.approx(factor * src.importance, abs=1e-9)
                    assert lr.detail == ""
                else:
                    assert lr.ref == -1
                if lr.case == "dup":
                    assert lr.record.fields == b[lr.ref].record.fields
                    assert lr.record.cid != b[lr.ref].record.cid
                if lr.case == "near_dup":
                    assert lr.record.fields != b[lr.ref].record.fields
                    assert set(lr.record.fields) == set(b[lr.ref].record.fields)
                    assert lr.record.fields.get(wl.prio_key) == b[lr.ref].record.fields.get(wl.prio_key)
                if lr.case == "burst_tail":
                    assert lr.record.origin == b[lr.ref].record.origin
                    assert set(lr.record.fields) == set(b[lr.ref].record.fields)
                    assert lr.record.ts_ms - b[lr.ref].record.ts_ms < 120_000
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
                        assert kind in ALWAYS_PRIORITY_RARE or lr.importance == pytest.approx(0.52)
                    if lr.detail == "rare_value":
                        assert lr.importance >= 1 - 0.96 * 0.55 - 1e-6
                    if lr.detail == "anomaly":
                        assert 0.9 * 0.4 <= lr.importance <= 1.0
    assert min(heads) >= 0.3
    assert max(tails) <= 0.02 + 1e-12
    assert sorted(heads)[len(heads) // 2] > 10 * sorted(tails)[len(tails) // 2]
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert min(tails_per_head.values()) >= 2
    assert max(tails_per_head.values()) <= 40


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
    assert checked > 10
    for seed in (11, 12):  # a world's routine distribution itself rarely strays (anomalies switched off)
        wl = ClinicWorkload(seed)
        wl.anomaly_rate = 0.0
        lrs = [lr for i in range(4) for lr in wl.next_labeled(256, NOW + i * 10**6) if lr.case == "routine"]
        assert sum(lr.detail == "anomaly" for lr in lrs) <= 0.01 * len(lrs)


def test_priority_words_inside_free_text() -> None:
    urgent = negated = coded = negated_codes = 0
    for w in _worlds():
        text_key = w.keys["handover"]["text"] if "handover" in w.common else None
        for lr in w.next_labeled(300, NOW):
            kind = w.kind_of[lr.record.kind]
            if lr.case != "routine":
                continue
            if kind == "handover":
                text = lr.record.fields[text_key]
                if any(text.endswith(m) for m in HANDOVER_NEGATED[w.dialect]):
                    negated += 1
                    assert lr.detail in ("", "anomaly"), text
                elif any(m.split("{")[0] in text for m in HANDOVER_URGENT[w.dialect]):
                    urgent += 1
                    assert lr.detail == "priority", text
                    assert lr.importance > 0.7
                else:
                    assert lr.detail in ("", "anomaly"), text
            if w.prio_mode == "code_text" and kind in PRIORITY_KINDS:
                note = lr.record.fields[w.prio_key]
                coded += 1
                strength = phrase_strength(note, CODE_PHRASES[w.dialect], w.dialect)
                assert lr.importance >= noisy_or(0.04, 0.9 * strength) - 1e-9
                if strength >= 0.55:
                    assert lr.detail in ("priority", "anomaly"), note
                else:
                    assert lr.detail != "priority", note
                    negated_codes += any(m in note for m in ("non ", "nessun", "değil", "nai"))
    assert urgent > 3
    assert negated > 5
    assert coded > 20
    assert negated_codes > 2


def test_resends_repeat_news_of_earlier_batches() -> None:
    wl = ClinicWorkload(9)
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


def test_importing_the_family_loads_no_model() -> None:
    code = ("import sys\n"
            "import node.workload.holdout_clinic\n"
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith(('torch.', 'node.attention'))))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
