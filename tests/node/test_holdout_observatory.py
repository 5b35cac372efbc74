"""The held-out ``observatory`` family: seeded, valid, varied observatory networks, every case at a sensible
rate, truth per the definition (recomputed here from what each record writes, with this file's own tables of
every priority form, unit and rare value, not the generator's)."""

from __future__ import annotations

import hashlib
import math
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_observatory import (
    ALWAYS_RAISED,
    CARRIERS,
    COMMON_KINDS,
    DIALECTS,
    PRIORITY_FORMS,
    RARE_KINDS,
    SITE_IDS,
    WATCHED,
    ObservatoryWorkload,
    world_form,
)
from protocol.keys import PrivateKey
from protocol.record import DEFAULT_LIMITS
from tests.node.holdout_checks import (
    CASES,
    assert_seeded,
    assert_valid_ordered_batches,
    assert_within,
    case_rates,
    eval_unseen_families,
    model_modules_loaded_by_import,
    modules_loaded_by_training,
    same_output_under_two_hash_seeds,
    stream_and_tail_gaps,
    windows_missing,
)

NOW = 1_700_000_000_000
WORLDS = 30
STEPS = (0.0, 0.4, 0.6, 0.8, 1.0)

# The definition's priority, written out independently of the generator: what each form writes per step.
TABLES = {
    "words": {"el": ("κανονική", "χαμηλή", "μέτρια", "υψηλή", "κρίσιμη"),
              "lt": ("įprastas", "žemas", "vidutinis", "aukštas", "kritinis"),
              "hy": ("սովորական", "ցածր", "միջին", "բարձր", "կրիտիկական")},
    "rank": {"el": ("εʹ", "δʹ", "γʹ", "βʹ", "αʹ"), "lt": ("V", "IV", "III", "II", "I"),
             "hy": ("Ե", "Դ", "Գ", "Բ", "Ա")},
    "notify": {"el": ("κανείς", "βοηθός νυχτερινής βάρδιας", "μηχανικός σταθμού", "διευθυντής αστεροσκοπείου",
                      "πυροσβεστική"),
               "lt": ("niekam", "nakties asistentui", "stoties inžinieriui", "observatorijos direktoriui",
                      "ugniagesiams"),
               "hy": ("ոչ ոքի", "գիշերային օգնականին", "կայանի ինժեներին", "աստղադիտարանի տնօրենին",
                      "հրշեջներին")},
    "plus": {d: ("·", "+", "++", "+++", "++++") for d in DIALECTS},
    "fraction": {d: ("0/4", "1/4", "2/4", "3/4", "4/4") for d in DIALECTS},
    "action": {"el": ("καμία ενέργεια", "παρακολούθηση", "κλείσιμο σχισμής", "κλείσιμο και στάθμευση", "εκκένωση"),
               "lt": ("jokių veiksmų", "stebėti", "uždaryti plyšį", "uždaryti ir parkuoti", "evakuoti"),
               "hy": ("ոչինչ", "հետևել", "փակել ճեղքը", "փակել և կայանել", "տարհանել")},
}
HALT_ON = {"el": ("ναι", "όχι"), "lt": (True, False), "hy": ("այո", "ոչ")}
PRIO_NAMES = {"words": ("προτεραιότητα", "prioritetas", "առաջնահերթություն"),
              "rank": ("σειρά εξυπηρέτησης", "eilės numeris", "հերթի կարգ"),
              "hours": ("ώρες έως ενέργεια", "valandos iki veiksmo", "ժամեր մինչ գործողություն"),
              "notify": ("ειδοποίηση προς", "pranešti kam", "ծանուցել"),
              "halt": ("διακοπή παρατηρήσεων", "stabdyti stebėjimus", "դադարեցնել դիտումները"),
              "plus": ("σήμανση", "žymė", "նշան"),
              "fraction": ("επηρεαζόμενο μέρος", "paveikta dalis", "ազդված մաս"),
              "action": ("ενέργεια θόλου", "kupolo veiksmas", "գմբեթի գործողություն")}
WORD_FORMS = {"words"}  # the one form that writes priority words (in the dialect)
RARE_VALUES = {"el": {"κολλημένο κλείστρο", "γρατζουνιά στο κάτοπτρο"},
               "lt": {"užstrigo užraktas", "įbrėžtas veidrodis"},
               "hy": {"փականը խրված է", "քերծված հայելի"}}
RARE_VALUE_KINDS = {"exposure", "ticket"}
# Greek writes every measured number as a string: a decimal comma and this unit.
EL_UNITS = {"seeing": "″", "sky": " mag", "wind": " m/s", "tendency": " hPa", "temp_error": " °C",
            "downtime": " ώρες", "rms": "″", "transparency": " %", "rate": " MB/s", "motor_current": " A",
            "dark": " e/px/h", "pga": " mg", "pressure": " hPa", "exp_time": " δλ", "cooler_power": " W"}
EL_QTY = re.compile(r"(?P<n>-?\d+(?:,\d+)?)(?P<u> ?(?:δλ|″|mag|m/s|%|°C|hPa|mm/h|W|ώρες|°|GB|MB/s|A|ADU|e/px/h"
                    r"|mg|ML))?")
LETTERS = {"el": {chr(c) for c in range(0x0386, 0x03CF)}, "hy": {chr(c) for c in range(0x0531, 0x0588)},
           "lt": set("ąčęėįšųūžĄČĘĖĮŠŲŪŽ")}


def num(v: object) -> float:
    assert not isinstance(v, bool)
    if isinstance(v, int | float):
        return float(v)
    m = EL_QTY.fullmatch(str(v))
    assert m, v
    return float(m["n"].replace(",", "."))


def num_or_none(v: object) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    return num(v) if EL_QTY.fullmatch(str(v)) else None


def to_space(x: float, space: str) -> float:
    return math.log(x) if space == "log" else math.log1p(x) if space == "log1p" else x


def expected_priority(wl: ObservatoryWorkload, kind: str, fields: dict) -> float:
    if kind not in CARRIERS:
        return 0.0
    d, form, v = wl.dialect, wl.prio_form, fields[wl.prio_key]
    if form in TABLES:
        return STEPS[TABLES[form][d].index(v)]
    if form == "halt":
        assert v in HALT_ON[d]
        assert type(v) is type(HALT_ON[d][0])
        return 0.9 if v == HALT_ON[d][0] else 0.0
    assert form == "hours"  # hours until someone must act: the fewer, the more pressing
    if d == "lt":
        assert type(v) is int
        h = v
    else:
        hit = re.fullmatch(r"εντός (\d+) ωρών" if d == "el" else r"(\d+) ժամում", v)
        assert hit, v
        h = int(hit[1])
    assert 0 <= h <= 336
    return STEPS[0 if h >= 72 else 1 if h >= 24 else 2 if h >= 8 else 3 if h >= 2 else 4]


def expected_k(wl: ObservatoryWorkload, kind: str, fields: dict) -> float:
    return max((abs(to_space(num(fields[key]), st.space) - st.centre) / st.spread
                for key, st in wl.stats.get(kind, {}).items() if key in fields), default=0.0)


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = ObservatoryWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


def _all(seeds):
    for seed in seeds:
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            yield wl, lr


def _kind(wl: ObservatoryWorkload, lr) -> str:
    return wl.kind_of[lr.record.kind]


@cache
def _form_seeds() -> dict[tuple[str, str], int]:
    seeds: dict[tuple[str, str], int] = {}
    for s in range(400):
        seeds.setdefault(world_form(s), s)
    return seeds


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(ObservatoryWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_observatory import ObservatoryWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = ObservatoryWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_form, wl.origins, wl.common, wl.rare, sorted(wl.keys.items()),\n"
        "          sorted((k, sorted(v.items())) for k, v in wl.stats.items()),\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('near_dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    assert list(SITE_IDS) == [PrivateKey(hashlib.sha256(f"holdout-observatory-site/{i}".encode()).digest()).peer_id
                              for i in range(8)]
    wl = ObservatoryWorkload(2)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert b[0].record.ts_ms >= NOW + i * 10**8
    early = wl.next_labeled(60, NOW)  # an earlier now: the stream never goes back
    assert early[0].record.ts_ms > batches[-1][-1].record.ts_ms
    for w in map(ObservatoryWorkload, range(4)):  # short batches: a burst never outgrows its batch
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
        assert len(rec.fields) <= 10
        assert len(rec.canonical_bytes()) <= lim.max_total_bytes // 8
        for k, v in rec.fields.items():
            assert len(k) <= 48
            assert isinstance(v, bool | int | float | str), (k, v)
            if isinstance(v, str):
                assert 0 < len(v) <= 200
            if isinstance(v, float):
                assert math.isfinite(v)


def test_worlds_vary_in_dialect_kinds_sites_form_and_naming() -> None:
    worlds = [_stream(s)[0] for s in range(WORLDS)]
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert all(world_form(s) == (w.dialect, w.prio_form) for s, w in enumerate(worlds))
    assert set(_form_seeds()) == {(d, f) for d in DIALECTS for f in PRIORITY_FORMS}
    assert len(PRIORITY_FORMS) == 8
    assert len(set(PRIORITY_FORMS) - WORD_FORMS) >= 7
    assert {w.kind_style for w in worlds} == {"upper", "dotted", "slash", "pascal", "snake"}
    assert {w.field_style for w in worlds} == {"snake", "kebab", "camel", "spaced"}
    assert all(6 <= len(w.common) <= 9 and {"exposure", "weather", "camera", "ticket"} <= set(w.common)
               for w in worlds)
    assert all(1 <= len(w.rare) <= 3 for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 8 and set(w.origins) <= set(SITE_IDS) for w in worlds)
    assert len({w.common for w in worlds}) > 15
    assert len({len(w.scopes) for w in worlds}) >= 5
    for w in worlds:
        assert len(set(w.keys.values())) == len(w.keys)
        assert len({s.name for s in w.scopes}) == len(w.scopes)
        name = PRIO_NAMES[w.prio_form][DIALECTS.index(w.dialect)]
        assert re.sub(r"[-_ ]", " ", w.prio_key).lower() == name or w.field_style == "camel"
        assert w.prio_key not in set(w.keys.values())
        assert not re.search(r"priority|severity|urgency|urgent|critical", w.prio_key, re.I)
    sep = {"snake": "_", "kebab": "-", "spaced": " "}
    script: Counter = Counter()
    multi: dict[str, bool] = defaultdict(bool)
    for w, lr in _all(range(WORLDS)):
        kind = lr.record.kind
        assert {"upper": kind == kind.upper() and "_" in kind, "dotted": "." in kind, "slash": "/" in kind,
                "snake": "_" in kind and kind != kind.upper(),
                "pascal": not re.search(r"[-_./: ]", kind)}[w.kind_style], (w.kind_style, kind)
        if w.kind_style == "upper" and w.dialect == "el":  # Greek capitals carry no accents
            assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", kind)), kind
        text = kind + "".join(lr.record.fields) + "".join(v for v in lr.record.fields.values() if isinstance(v, str))
        script[w.dialect] += bool(set(text) & LETTERS[w.dialect])
        for key in lr.record.fields:
            if w.field_style in sep:
                assert not (set("-_ ") - {sep[w.field_style]}) & set(key), (w.field_style, key)
                multi[w.field_style] |= sep[w.field_style] in key
            else:
                assert not re.search(r"[-_ ]", key), key
                multi["camel"] |= bool(re.search(r"\w[A-ZΑ-ΩΆ-ΏԱ-ՖĄČĘĖĮŠŲŪŽ]", key))
    assert script["el"] > 1000
    assert script["hy"] > 1000
    assert script["lt"] > 1000
    assert all(multi.values())
    assert set(multi) == {"snake", "kebab", "camel", "spaced"}


def test_units_and_number_formats_follow_the_dialect() -> None:
    shapes: dict[tuple[str, str], set[str]] = defaultdict(set)
    wind: dict[tuple[str, bool], list[float]] = defaultdict(list)
    ccd: dict[tuple[str, bool], list[float]] = defaultdict(list)
    press: dict[str, list[float]] = defaultdict(list)
    durations: dict[bool, list[float]] = defaultdict(list)
    clocks: dict[str, set[str]] = defaultdict(set)
    for w, lr in _all(range(WORLDS)):
        kind, f = _kind(w, lr), lr.record.fields
        if lr.case != "routine" or lr.detail:
            continue
        for sem in ("seeing", "sky", "wind", "tendency", "temp_error", "downtime", "rms", "transparency", "rate",
                    "motor_current", "dark", "pga", "pressure", "exp_time", "cooler_power"):
            key = w.keys[sem]
            if key not in f:
                continue
            v = f[key]
            if w.dialect == "el":
                assert isinstance(v, str), (sem, v)
                assert v.endswith(EL_UNITS[sem]), (sem, v)
                assert "." not in v, v  # a decimal comma
                shapes[("el", sem)].add("comma" if "," in v else "whole")
            else:
                assert isinstance(v, int | float), (sem, v)
                assert not isinstance(v, bool), (sem, v)
                shapes[(w.dialect, sem)].add(type(v).__name__)
        if w.keys["clock"] in f:
            c = f[w.keys["clock"]]
            clocks[w.dialect].add("hms" if re.fullmatch(r"\d\d:\d\d:\d\d", c) else "hm" if re.fullmatch(
                r"\d\d:\d\d", c) else c)
        if kind == "weather":
            key = w.keys["wind"]
            if w.dialect == "lt":
                assert key.lower().endswith("kmh" if w.kmh else "ms"), key
            wind[(w.dialect, w.kmh)].append(num(f[key]))
            press[w.dialect].append(num(f[w.keys["pressure"]]))
        if kind == "camera":
            key = w.keys["ccd_temp"]
            if w.dialect == "lt":
                assert key.lower().endswith("k" if w.kelvin else "c"), key
            ccd[(w.dialect, w.kelvin)].append(num(f[key]))
            assert num(f[key]) == pytest.approx(num(f[w.keys["setpoint"]]) + num(f[w.keys["temp_error"]]), abs=0.011)
        if kind == "transfer":
            durations[w.minutes].append(num(f[w.keys["duration"]]))
            if w.dialect == "hy":
                assert type(f[w.keys["volume"]]) is int  # whole MB
    assert shapes[("el", "seeing")] == shapes[("el", "sky")] == {"comma"}
    assert shapes[("el", "transparency")] == shapes[("el", "exp_time")] == {"whole"}
    assert shapes[("lt", "seeing")] == shapes[("hy", "wind")] == {"float"}
    assert shapes[("lt", "exp_time")] == shapes[("hy", "transparency")] == {"int"}
    assert clocks == {"el": {"hms"}, "lt": {"hms"}, "hy": {"hm"}}
    assert ("lt", True) in wind
    assert ("lt", False) in wind
    for (_d, kmh), xs in wind.items():
        med = statistics.median(xs)
        assert (8.0 < med < 30.0) if kmh else (2.0 < med < 9.0), med
    assert ("lt", True) in ccd
    for (_d, kelvin), xs in ccd.items():
        med = statistics.median(xs)
        assert (150.0 < med < 260.0) if kelvin else (-125.0 < med < -10.0), med
    for d, xs in press.items():  # high sites; Armenian worlds write mm of mercury
        med = statistics.median(xs)
        assert (420.0 < med < 610.0) if d == "hy" else (580.0 < med < 810.0), (d, med)
    assert statistics.median(durations[True]) < 0.3 * statistics.median(durations[False])


def test_priority_field_only_on_carriers_and_every_form_rises() -> None:
    by_form: dict[str, Counter] = defaultdict(Counter)
    raised_rare: Counter = Counter()
    for (d, form), seed in sorted(_form_seeds().items()):
        wl, batches = _stream(seed)
        assert (wl.dialect, wl.prio_form) == (d, form)
        for lr in (lr for b in batches for lr in b):
            kind = _kind(wl, lr)
            assert (wl.prio_key in lr.record.fields) == (kind in CARRIERS), (kind, lr.record.fields)
            if lr.case in ("routine", "burst_head") and kind in CARRIERS:
                p = expected_priority(wl, kind, lr.record.fields)
                if kind in ALWAYS_RAISED:
                    assert p >= 0.6
                    raised_rare[kind] += 1
                if lr.case == "routine" and kind in COMMON_KINDS:
                    by_form[form][p > 0] += 1
    assert set(by_form) == set(PRIORITY_FORMS)
    for form, c in by_form.items():  # each form writes calm and raised records, about 80-90% calm
        assert 0.04 <= c[True] / (c[True] + c[False]) <= 0.22, (form, c)
    assert sum(raised_rare.values()) > 0


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.74, 0.86), "dup": (0.035, 0.07), "near_dup": (0.04, 0.08),
                               "burst_head": (0.006, 0.016), "burst_tail": (0.04, 0.11), "resend": (0.003, 0.016)})
    assert_within(rates.detail, {"anomaly": (0.012, 0.035), "priority": (0.01, 0.035),
                                 "rare_kind": (0.0015, 0.012), "rare_value": (0.002, 0.01), "": (0.68, 0.82)})
    assert rates.plain_rare_kind >= 0.2 * rates.rare_kind
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=150)
    assert all(v <= 15 for v in missing.values()), missing  # of 30 windows


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
            rare = {v for v in lr.record.fields.values() if isinstance(v, str)} & RARE_VALUES[wl.dialect]
            if kind in RARE_VALUE_KINDS:
                carriers[kind] += 1
            if rare:
                assert kind in RARE_VALUE_KINDS
                values[kind] += 1
            if kind in RARE_KINDS:
                per_kind[kind] += 1
                if kind not in CARRIERS:
                    assert (lr.detail, lr.importance) == ("rare_kind", pytest.approx(0.52))
    assert set(per_kind) == set(RARE_KINDS)
    assert set(values) == RARE_VALUE_KINDS
    assert sum(values.values()) < 0.04 * sum(carriers.values())
    for k in RARE_KINDS:
        assert 0.001 <= per_kind[k] / exposure[k] <= 0.014, (k, per_kind[k], exposure[k])


def test_truth_follows_the_definition() -> None:
    routine = []
    odd_kinds: set[str] = set()
    for wl, lr in _all(range(WORLDS)):
        if lr.case not in ("routine", "burst_head"):
            continue
        kind, fields = _kind(wl, lr), lr.record.fields
        k = expected_k(wl, kind, fields)
        a = 0.0 if k < 4.5 else min(1.0, (k - 2.5) / 4.0)
        p = expected_priority(wl, kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        r = rk or (0.45 if {v for v in fields.values() if isinstance(v, str)} & RARE_VALUES[wl.dialect] else 0.0)
        assert lr.importance == pytest.approx(noisy_or(0.04, 0.9 * a, 0.9 * p, r), abs=1e-9), (kind, fields)
        assert lr.detail == main_reason(0.9 * a, 0.9 * p, r, rk)
        if lr.case == "burst_head":
            assert a > 0 or p > 0 or rk > 0
            assert lr.importance >= 0.3
            continue
        routine.append(lr.importance)
        assert (lr.importance >= 0.3) == (lr.detail != "")
        if lr.detail == "anomaly":
            assert 4.5 <= k <= 11.0
            odd_kinds.add(kind)
        elif a == 0.0:
            assert k < 4.0  # routine numbers stay inside: a gap between routine and anomalous
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert sum(x == pytest.approx(0.04) for x in routine) > 0.85 * len(routine)
    assert odd_kinds == set(WATCHED)
    for w in (_stream(s)[0] for s in range(WORLDS)):  # spreads from the world's own draws, in their space
        assert set(w.stats) == set(WATCHED) & set(w.common)
        for kind, stats in w.stats.items():
            assert set(stats) == {w.keys[s] for s in WATCHED[kind]}
            for key, st in stats.items():
                assert st.spread > 0
                assert st.space == WATCHED[kind][next(s for s in WATCHED[kind] if w.keys[s] == key)][0]


def test_copies_and_tails_link_to_their_sources() -> None:
    heads, per_head = [], Counter()
    relayed = changed = 0
    retyped: Counter = Counter()
    worlds_with_tails = 0
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
        steppers = {wl.keys[s] for s in ("frame", "shutter_count", "corrections", "occurrences")}
        clock = wl.keys["clock"]
        for bi, b in enumerate(batches):
            for i, lr in enumerate(b):
                if lr.case not in ("dup", "near_dup", "burst_tail"):
                    assert lr.ref == -1
                    if lr.case == "burst_head":
                        heads.append((seed, bi, i))
                        assert lr.importance >= 0.3
                    continue
                src = b[lr.ref]
                assert 0 <= lr.ref < i
                assert src.record.kind == lr.record.kind
                assert src.record.ts_ms <= lr.record.ts_ms
                assert lr.detail == ""
                assert set(lr.record.fields) == set(src.record.fields)
                if lr.case == "burst_tail":
                    assert src.case == "burst_head"
                    assert lr.importance == pytest.approx(max(0.02, 0.1 * src.importance), abs=1e-9)
                    assert lr.record.origin == src.record.origin
                    assert 0 <= lr.record.ts_ms - src.record.ts_ms < 120_000
                    assert lr.record.fields != src.record.fields
                    for key, v in src.record.fields.items():
                        nv = lr.record.fields[key]
                        if key in steppers:
                            assert nv > v, key
                        elif key == wl.prio_key or isinstance(v, int) or (
                                isinstance(v, str) and key != clock and num_or_none(v) is None):
                            assert nv == v, key  # words, ids, ints and the priority stay
                    per_head[(seed, bi, lr.ref)] += 1
                    continue
                assert src.case in ("routine", "burst_head")
                factor = 0.05 if lr.case == "dup" else 0.1
                assert lr.importance == pytest.approx(factor * src.importance, abs=1e-9)
                assert lr.record.cid != src.record.cid
                if lr.case == "dup":
                    assert lr.record.fields == src.record.fields
                    relayed += lr.record.origin != src.record.origin
                else:
                    sf = src.record.fields
                    diff = [k for k, v in lr.record.fields.items() if sf[k] != v]
                    assert 1 <= len(diff) <= 2
                    assert wl.prio_key not in diff  # a near copy never changes the priority it writes
                    for k in diff:
                        assert not isinstance(sf[k], int)  # counters, ids, ints and flags are never re-typed
                        retyped["number" if num_or_none(sf[k]) is not None else "text"] += 1
                    changed += len(diff)
        gaps, tail_gaps = stream_and_tail_gaps(batches)
        if len(tail_gaps) >= 5:
            worlds_with_tails += 1
            assert statistics.median(tail_gaps) < 0.5 * statistics.mean(gaps), seed
    assert all(2 <= per_head[h] <= 30 for h in heads)
    assert max(per_head.values()) >= 10
    assert relayed > 20
    assert changed > 100
    assert retyped["number"] > 50
    assert retyped["text"] > 50
    assert worlds_with_tails >= 20


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    trouble = {s: t for spec in WATCHED.values() for s, (_space, t) in spec.items()}
    checked: Counter = Counter()
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
        lrs = [lr for b in batches for lr in b]
        sem_of = {v: s for s, v in wl.keys.items()}
        typical: dict[tuple[str, str], tuple[float, float]] = {}
        for kind, stats in wl.stats.items():
            for key, st in stats.items():
                xs = sorted(to_space(num(lr.record.fields[key]), st.space) for lr in lrs
                            if lr.case == "routine" and not lr.detail and _kind(wl, lr) == kind)
                if len(xs) >= 40:
                    spread = (xs[int(0.975 * len(xs))] - xs[int(0.025 * len(xs))]) / 3.92
                    typical[(kind, key)] = (statistics.median(xs), max(spread, 0.5 * st.spread))
        for lr in lrs:
            if lr.case != "routine" or lr.detail != "anomaly":
                continue
            kind = _kind(wl, lr)
            far = []
            for key, st in wl.stats[kind].items():
                if (kind, key) in typical:
                    med, spread = typical[(kind, key)]
                    far.append(((to_space(num(lr.record.fields[key]), st.space) - med) / spread, sem_of[key]))
            if far:
                z, sem = max(far, key=lambda f: abs(f[0]))
                checked[kind] += 1
                assert abs(z) >= 3.5, (kind, lr.record.fields, z)
                if trouble[sem]:  # the way that means trouble
                    assert z * trouble[sem] > 0, (kind, sem, lr.record.fields)
    assert sum(checked.values()) > 120
    assert len(checked) >= 7
    wl = ObservatoryWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    factors: Counter = Counter()  # same control room (1%) and another (2%) both occur
    for seed in (9, 10, 12, 13):
        wl = ObservatoryWorkload(seed)
        seen: dict[tuple, float] = {}
        for i in range(6):
            batch = wl.next_labeled(256, NOW + i * 10**6)
            for lr in batch:
                if lr.case == "resend":
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items(), key=repr)))
                    assert seen.get(key, 0.0) >= 0.3
                    assert lr.importance in (pytest.approx(0.01 * seen[key]), pytest.approx(0.02 * seen[key]))
                    assert lr.ref == -1
                    assert lr.detail == ""
                    hits += 1
                    factors[lr.importance == pytest.approx(0.02 * seen[key])] += 1
            for lr in batch:
                if lr.case in ("routine", "burst_head"):
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items(), key=repr)))
                    seen[key] = max(seen.get(key, 0.0), lr.importance)
    assert hits > 10
    assert min(factors[True], factors[False]) >= 3, factors


def test_training_never_loads_the_observatory_family() -> None:
    assert modules_loaded_by_training("observatory") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_observatory") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["observatory"] == ("node.workload.holdout_observatory", "ObservatoryWorkload")
