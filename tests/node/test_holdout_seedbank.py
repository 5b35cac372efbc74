"""The held-out ``seedbank`` family: seeded, valid, varied genebank worlds, every case at a sensible rate, truth
per the definition (recomputed here from what each record says, not from the generator's own code)."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_seedbank import (
    ALWAYS_PRIORITY_RARE,
    COMMON_KINDS,
    COUNTERS,
    DIALECTS,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    SeedbankWorkload,
    world_form,
)
from protocol.record import DEFAULT_LIMITS
from tests.node.holdout_checks import (
    CASES,
    assert_copies_and_tails_link,
    assert_seeded,
    assert_valid_ordered_batches,
    assert_within,
    case_rates,
    eval_unseen_families,
    model_modules_loaded_by_import,
    modules_loaded_by_training,
    same_output_under_two_hash_seeds,
    windows_missing,
)

NOW = 1_700_000_000_000
WORLDS = 36
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE

# The definition's priority, written out independently of the generator: value -> strength, per form.
STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)
WORDS = {"nb": ("rutine", "lav", "forhøyet", "alvorlig", "akutt"),
         "pl": ("zwykły", "niski", "podwyższony", "poważny", "krytyczny"),
         "en": ("nominal", "minor", "elevated", "major", "severe")}
GLYPH = {"nb": "●○", "pl": "■□", "en": "▮▯"}
EMOJI = {"🟢": 0, "🟡": 1, "🟠": 2, "🔴": 3, "⚫": 4}
FLAG = {"nb": ("J", "N"), "pl": ("T", "N"), "en": (True, False)}  # (on, off)
URGENT = {
    "nb": ("sjekk ved anledning", "sjekk i løpet av dagen", "haster: rykk ut nå",
           "NØDSITUASJON: handle straks, varsle vakthavende"),
    "pl": ("sprawdzić przy okazji", "sprawdzić jeszcze dziś", "pilne: natychmiast na miejsce",
           "ALARM: działać natychmiast, powiadomić kierownika"),
    "en": ("check at convenience", "check before close of day", "urgent: respond now",
           "EMERGENCY: act immediately, page the duty curator"),
}
PRIO_KEYS = {"words": ("hastegrad", "pilnosc", "Urgency"), "target": ("svarfrist_t", "czasReakcjiH",
                                                                      "Response Target Hrs"),
             "risk": ("tapsrisiko", "ryzykoUtraty", "Loss Risk Index"), "glyph": ("niva_bar", "pasekStanu",
                                                                               "Status Bar"),
             "emoji": ("statusmerke", "znacznik", "Status Dot"), "flag": ("stans_utsending", "wstrzymac",
                                                                          "Hold Distribution"),
             "fraction": ("trinn", "stopien", "Escalation Step")}
NOTE = {"nb": "merknad", "pl": "uwagi", "en": "Remarks"}
RARE_VALUES = {"nb": {"gibberellinsyre", "muggent"}, "pl": {"kwas giberelinowy", "spleśniałe"},
               "en": {"GA3 soak", "moldy"}}
RARE_VALUE_KINDS = {"germ", "intake"}
WORD_FORMS = {"words", "text"}
PLAIN_NUMBER_FORMS = {"target", "risk"}  # a plain int under a name that says neither priority nor urgency
QTY = re.compile(r"(?P<n>-?\d+(?:[.,]\d+)?) ?(?:°C|°F|%|g)?")


def num(v: object) -> float:
    assert not isinstance(v, bool)
    if isinstance(v, int | float):
        return float(v)
    m = QTY.fullmatch(str(v))
    assert m, v
    return float(m["n"].replace(",", "."))


def expected_priority(wl: SeedbankWorkload, kind: str, fields: dict) -> float:
    if kind not in CARRIERS:
        return 0.0
    d, mode = wl.dialect, wl.prio_mode
    if mode == "text":
        note = fields[NOTE[d]]
        return max([STEPS[i + 1] for i, p in enumerate(URGENT[d]) if p in note], default=0.0)
    v = fields[wl.prio_key]
    if mode == "words":
        return STEPS[WORDS[d].index(v)]
    if mode == "target":  # hours to respond: the fewer, the higher
        assert type(v) is int
        assert 0 <= v <= 240
        return STEPS[0 if v >= 72 else 1 if v >= 24 else 2 if v >= 8 else 3 if v >= 2 else 4]
    if mode == "risk":
        assert type(v) is int
        assert 0 <= v <= 100
        return STEPS[min(4, v // 20)]
    if mode == "glyph":
        on, off = GLYPH[d]
        assert re.fullmatch(f"{on}*{off}*", v)
        assert len(v) == 4, v
        return STEPS[v.count(on)]
    if mode == "emoji":
        return STEPS[EMOJI[v]]
    if mode == "flag":
        assert v in FLAG[d], v
        assert type(v) is type(FLAG[d][0])
        return 0.9 if v == FLAG[d][0] else 0.0
    assert mode == "fraction"
    m = re.fullmatch(r"([0-4]) of 4" if d == "en" else r"([0-4])/4", v)
    assert m, v
    return STEPS[int(m[1])]


def _space(x: float, space: str) -> float:
    return math.log(max(x, 1e-9)) if space == "log" else math.log1p(max(x, 0.0)) if space == "log1p" else x


def expected_k(wl: SeedbankWorkload, kind: str, fields: dict) -> float:
    return max((abs(_space(num(fields[key]), s.space) - s.center) / s.spread
                for key, s in wl.stats.get(kind, {}).items()), default=0.0)


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = SeedbankWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


def _all(seeds):
    for seed in seeds:
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            yield wl, lr


def _kind(wl: SeedbankWorkload, lr) -> str:
    return wl.kind_of[lr.record.kind]


def _strings(fields: dict) -> set[str]:
    return {v for v in fields.values() if isinstance(v, str)}


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(SeedbankWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_seedbank import SeedbankWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = SeedbankWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins[-1], wl.common, wl.rare, [a.name for a in wl.accessions],\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('near_dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    wl = SeedbankWorkload(2)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert abs(b[-1].record.ts_ms - (NOW + i * 10**8)) < 10**5
    early = wl.next_labeled(60, NOW)  # an earlier now: the stream never goes back
    assert early[0].record.ts_ms > batches[-1][-1].record.ts_ms
    for w in map(SeedbankWorkload, range(4)):  # short batches: a burst never outgrows its batch
        for n in range(1, 25):
            b = w.next_labeled(n, NOW)
            assert len(b) == n
            tails = Counter(lr.ref for lr in b if lr.case == "burst_tail")
            assert all(b[i].case == "burst_head" for i in tails)
            assert all(tails[i] >= 2 for i, lr in enumerate(b) if lr.case == "burst_head")
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    lim = DEFAULT_LIMITS
    for _w, lr in _all(range(WORLDS)):
        rec = lr.record
        assert len(rec.kind) <= lim.max_kind_len
        assert len(rec.fields) <= 12
        assert len(rec.canonical_bytes()) <= lim.max_total_bytes // 8
        for k, v in rec.fields.items():
            assert len(k) <= 40
            assert isinstance(v, bool | int | float | str), (k, v)
            if isinstance(v, str):
                assert 0 < len(v) <= 200
            if isinstance(v, float):
                assert math.isfinite(v)


def test_worlds_vary_in_dialect_kinds_origins_form_and_naming() -> None:
    worlds = [_stream(s)[0] for s in range(WORLDS)]
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert all(world_form(s) == (w.dialect, w.prio_mode) for s, w in enumerate(worlds))
    assert {world_form(s) for s in range(400)} == {(d, m) for d in DIALECTS for m in PRIORITY_MODES}
    assert len(PRIORITY_MODES) >= 7
    assert len(set(PRIORITY_MODES) - WORD_FORMS) >= 4  # most forms are not words
    assert set(PRIORITY_MODES) >= PLAIN_NUMBER_FORMS
    for mode in PLAIN_NUMBER_FORMS:  # their field names say neither priority, severity nor urgency
        assert not any(re.search("prio|sever|urgen|pilno|haste", k, re.I) for k in PRIO_KEYS[mode])
    assert all(4 <= len(w.common) <= 7 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(PRIORITY_KINDS & set(w.common) for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 7 for w in worlds)
    assert len({w.common for w in worlds}) > 20
    for w in worlds:
        assert len(set(w.keys.values())) == len(w.keys)
        assert w.prio_key not in w.keys.values()
        if w.prio_key:
            assert w.prio_key == PRIO_KEYS[w.prio_mode][DIALECTS.index(w.dialect)]
    kind_style = {"nb": r"[a-zæøå]+\.[a-zæøå]+", "pl": r"[A-ZĄĆĘŁŃÓŚŹŻ]+_[A-ZĄĆĘŁŃÓŚŹŻ]+", "en": r"[A-Z][a-z]+ [A-Z][a-z]+"}
    key_style = {"nb": r"[a-z0-9]+(?:_[a-z0-9]+)*", "pl": r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*",
                 "en": r"[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)*"}
    kinds: dict[str, set[str]] = defaultdict(set)
    keys: dict[str, set[str]] = defaultdict(set)
    for w, lr in _all(range(WORLDS)):
        kinds[w.dialect].add(lr.record.kind)
        assert re.fullmatch(kind_style[w.dialect], lr.record.kind), lr.record.kind
        for key in lr.record.fields:
            keys[w.dialect].add(key)
            assert re.fullmatch(key_style[w.dialect], key), (w.dialect, key)
    assert sum(bool(re.search("[æøå]", k)) for k in kinds["nb"]) >= 3
    assert sum(bool(re.search("[ĄĆĘŁŃÓŚŹŻ]", k)) for k in kinds["pl"]) >= 3
    assert any("_" in k for k in keys["nb"])
    assert any(re.search("[A-Z]", k) for k in keys["pl"])
    assert any(" " in k for k in keys["en"])
    assert not keys["nb"] & keys["pl"]
    assert not keys["pl"] & keys["en"]


def test_units_and_number_formats_follow_the_dialect() -> None:
    sem_of = {"vault": ("temp_hvelv", "tempKomory", "Vault Temp F"), "moisture": ("fuktinnhold", "zawartoscWody",
                                                                                  "Moisture Pct"),
              "dispatch": ("gram_sendt", "masaWyslana", "Grams Shipped")}
    seen: dict[tuple[str, str], list[float]] = defaultdict(list)
    shapes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for w, lr in _all(range(WORLDS)):
        kind = _kind(w, lr)
        if lr.case != "routine" or lr.detail or kind not in sem_of:
            continue
        v = lr.record.fields[sem_of[kind][DIALECTS.index(w.dialect)]]
        seen[(w.dialect, kind)].append(num(v))
        shapes[(w.dialect, kind)].add(
            type(v).__name__ if not isinstance(v, str) else
            "comma C" if re.fullmatch(r"-\d+,\d °C", v) else "comma %" if re.fullmatch(r"\d+,\d %", v) else
            "comma g" if re.fullmatch(r"\d+,\d g", v) else "point F" if re.fullmatch(r"-?\d+\.\d °F", v) else v)
    med = {k: statistics.median(v) for k, v in seen.items()}
    assert shapes[("nb", "vault")] == {"comma C"}
    assert shapes[("nb", "moisture")] == {"comma %"}
    assert shapes[("nb", "dispatch")] == shapes[("pl", "dispatch")] == {"comma g"}
    assert shapes[("en", "vault")] == {"point F"}
    assert shapes[("pl", "vault")] == shapes[("pl", "moisture")] == shapes[("en", "moisture")] == {"float"}
    assert -21.0 < med[("nb", "vault")] < -16.0  # deg C
    assert -21.0 < med[("pl", "vault")] < -16.0
    assert -6.0 < med[("en", "vault")] < 4.0  # deg F
    assert all(3.5 < med[(d, "moisture")] < 8.5 for d in DIALECTS)  # percent of fresh weight


def test_priority_field_only_on_carriers_and_every_form_rises() -> None:
    seeds: dict[tuple[str, str], int] = {}
    for s in range(400):
        seeds.setdefault(world_form(s), s)
    by_mode: dict[str, Counter] = defaultdict(Counter)
    for (d, mode), seed in sorted(seeds.items()):
        wl, batches = _stream(seed)
        assert (wl.dialect, wl.prio_mode) == (d, mode)
        for lr in (lr for b in batches for lr in b):
            kind = _kind(wl, lr)
            if wl.prio_key:
                assert (wl.prio_key in lr.record.fields) == (kind in CARRIERS), (kind, lr.record.fields)
            if lr.case in ("routine", "burst_head") and kind in CARRIERS:
                p = expected_priority(wl, kind, lr.record.fields)
                by_mode[mode][p > 0] += 1
                if lr.case == "routine" and lr.detail in ("", "priority") and expected_k(wl, kind, lr.record.fields) < 5:
                    assert (lr.detail == "priority") == (0.9 * p >= 0.3)
    assert set(by_mode) == set(PRIORITY_MODES)
    for mode, c in by_mode.items():  # each form writes both calm and raised records, mostly calm
        assert c[True] > 0, (mode, c)
        assert c[False] > c[True], (mode, c)


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.77, 0.9), "dup": (0.018, 0.048), "near_dup": (0.045, 0.08),
                               "burst_head": (0.003, 0.013), "burst_tail": (0.02, 0.11), "resend": (0.002, 0.012)})
    assert_within(rates.detail, {"anomaly": (0.008, 0.03), "priority": (0.008, 0.03), "rare_kind": (0.002, 0.012),
                                 "rare_value": (0.0005, 0.006), "": (0.7, 0.86)})
    assert rates.plain_rare_kind >= 0.5 * rates.rare_kind
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=120)
    assert all(v <= 14 for v in missing.values()), missing  # of 30 windows


def test_rare_kinds_and_values_are_rare() -> None:
    per_kind: Counter = Counter()
    exposure: Counter = Counter()
    values: Counter = Counter()
    carriers: Counter = Counter()
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
        fresh = sum(lr.case == "routine" for b in batches for lr in b)
        for k in wl.rare:
            exposure[k] += fresh
        for lr in (lr for b in batches for lr in b):
            kind = _kind(wl, lr)
            assert kind in wl.common or kind in wl.rare
            if lr.case != "routine":
                continue
            rare = _strings(lr.record.fields) & RARE_VALUES[wl.dialect]
            if kind in RARE_VALUE_KINDS:
                carriers[kind] += 1
            if rare:
                assert kind in RARE_VALUE_KINDS
                values[kind] += 1
            if kind in RARE_KINDS:
                per_kind[kind] += 1
                if kind in ALWAYS_PRIORITY_RARE:
                    assert lr.importance > 0.7
                else:
                    assert (lr.detail, lr.importance) == ("rare_kind", pytest.approx(0.52))
    assert set(per_kind) == set(RARE_KINDS)
    assert set(values) == RARE_VALUE_KINDS
    assert sum(values.values()) < 0.04 * sum(carriers.values())
    for k in RARE_KINDS:
        assert 0.0005 <= per_kind[k] / exposure[k] <= 0.012, (k, per_kind[k], exposure[k])


def test_truth_follows_the_definition() -> None:
    routine = []
    odd_kinds: set[str] = set()
    for wl, lr in _all(range(WORLDS)):
        if lr.case not in ("routine", "burst_head"):
            continue
        kind, fields = _kind(wl, lr), lr.record.fields
        k = expected_k(wl, kind, fields)
        a = 0.0 if k < 5.0 else min(1.0, 0.4 + 0.1 * (k - 5.0))
        p = expected_priority(wl, kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        r = rk or (0.45 if _strings(fields) & RARE_VALUES[wl.dialect] else 0.0)
        assert lr.importance == pytest.approx(noisy_or(0.04, 0.9 * a, 0.9 * p, r), abs=1e-9), (kind, fields)
        assert lr.detail == main_reason(0.9 * a, 0.9 * p, r, rk)
        if lr.case == "burst_head":
            assert a > 0 or p >= 0.5
            assert lr.importance >= 0.3
            continue
        routine.append(lr.importance)
        assert (lr.importance >= 0.3) == (lr.detail != "")
        if lr.detail == "anomaly":
            assert 5.0 <= k <= 12.5
            odd_kinds.add(kind)
        elif a == 0.0:
            assert k < 4.0
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert sum(x == pytest.approx(0.04) for x in routine) > 0.85 * len(routine)
    assert odd_kinds == set(COMMON_KINDS)


def test_copies_and_tails_link_to_their_sources() -> None:
    assert_copies_and_tails_link(_stream, COUNTERS, NOTE)


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    checked = 0
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
        lrs = [lr for b in batches for lr in b]
        typical: dict[tuple[str, str], tuple[float, float]] = {}
        for kind, stats in wl.stats.items():
            for key, s in stats.items():
                xs = sorted(_space(num(lr.record.fields[key]), s.space) for lr in lrs
                            if lr.case == "routine" and not lr.detail and _kind(wl, lr) == kind)
                if len(xs) >= 40:
                    spread = max((xs[int(0.975 * len(xs)) - 1] - xs[int(0.025 * len(xs))]) / 3.92, s.spread * 0.5)
                    typical[(kind, key)] = (statistics.median(xs), spread)
        for lr in lrs:
            if lr.case != "routine" or lr.detail != "anomaly":
                continue
            kind = _kind(wl, lr)
            far = [abs(_space(num(lr.record.fields[key]), s.space) - typical[(kind, key)][0]) / typical[(kind, key)][1]
                   for key, s in wl.stats[kind].items() if (kind, key) in typical]
            if far:
                checked += 1
                assert max(far) >= 3.0, (kind, lr.record.fields)
    assert checked > 15
    wl = SeedbankWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    for seed in (9, 10, 12, 13):
        wl = SeedbankWorkload(seed)
        seen: dict[tuple, float] = {}
        for i in range(6):
            batch = wl.next_labeled(256, NOW + i * 10**6)
            for lr in batch:
                if lr.case == "resend":
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items())))
                    assert seen.get(key, 0.0) >= 0.3
                    assert lr.importance in (pytest.approx(0.01 * seen[key]), pytest.approx(0.02 * seen[key]))
                    assert lr.ref == -1
                    hits += 1
            for lr in batch:
                if lr.case in ("routine", "burst_head"):
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items())))
                    seen[key] = max(seen.get(key, 0.0), lr.importance)
    assert hits > 3


def test_training_never_loads_the_seedbank_family() -> None:
    assert modules_loaded_by_training("holdout_seedbank") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_seedbank") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["seedbank"] == ("node.workload.holdout_seedbank", "SeedbankWorkload")
