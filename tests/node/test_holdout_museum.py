"""The held-out ``museum`` family: seeded, valid, varied museum-network worlds, every case at a sensible
rate, truth per the definition (recomputed here from what each record writes, with this file's own tables
of every priority form, not the generator's)."""

from __future__ import annotations

import hashlib
import math
import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_museum import (
    ALWAYS_RAISED,
    CARRIERS,
    COMMON_KINDS,
    DIALECTS,
    PRIORITY_MODES,
    RARE_KINDS,
    SITE_IDS,
    WATCHED,
    MuseumWorkload,
    world_form,
)
from protocol.keys import PrivateKey
from protocol.record import DEFAULT_LIMITS
from tests.node.holdout_checks import (
    CASES,
    assert_copy_link,
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

# The definition's priority, written out independently of the generator: what each form writes per step.
STEPS = (0.0, 0.4, 0.6, 0.8, 1.0)
TABLES = {
    "words": {"lv": ("ikdienišķs", "zems", "vidējs", "steidzams", "kritisks"),
              "hy": ("սովորական", "ցածր", "միջին", "հրատապ", "կրիտիկական"),
              "uz": ("odatiy", "past", "oʻrta", "shoshilinch", "favqulodda")},
    "colour": {"lv": ("zaļš", "dzeltens", "oranžs", "sarkans", "melns"),
               "hy": ("կանաչ", "դեղին", "նարնջագույն", "կարմիր", "սև"),
               "uz": ("yashil", "sariq", "toʻq sariq", "qizil", "qora")},
    "grade": {"lv": ("A", "B", "C", "D", "E"), "hy": ("Ա", "Բ", "Գ", "Դ", "Ե"), "uz": ("A", "B", "C", "D", "E")},
    "code": {"lv": ("S90", "S40", "S30", "S20", "S10"), "hy": ("Կ90", "Կ40", "Կ30", "Կ20", "Կ10"),
             "uz": ("H90", "H40", "H30", "H20", "H10")},
    "notify": {"lv": ("neviens", "dežurējošais restaurators", "krājuma glabātājs", "direktors", "glābšanas dienests"),
               "hy": ("ոչ ոք", "հերթապահ վերականգնող", "ֆոնդապահ", "տնօրեն", "փրկարար ծառայություն"),
               "uz": ("hech kim", "navbatchi restavrator", "fond saqlovchisi", "direktor", "qutqaruv xizmati")},
}
FLAG_ON = {"lv": ("jā", "nē"), "hy": (True, False), "uz": ("ha", "yoʻq")}
PRIO_WORDS = {"words": (("steidzamība",), ("շտապողականություն",), ("shoshilinchlik",)),
              "colour": (("birkas", "krāsa"), ("պիտակի", "գույն"), ("yorliq", "rangi")),
              "flag": (("ziņot", "vadībai"), ("տեղեկացնել", "ղեկավարին"), ("rahbarga", "xabar")),
              "grade": (("riska", "pakāpe"), ("ռիսկի", "աստիճան"), ("xavf", "darajasi")),
              "code": (("statusa", "kods"), ("կարգավիճակի", "կոդ"), ("holat", "kodi")),
              "hours": (("stundas", "līdz", "riskam"), ("ժամ", "մինչև", "վտանգ"), ("xavfgacha", "soat")),
              "notify": (("informēt",), ("ծանուցել",), ("xabardor", "qilish")),
              "class": (("reakcijas", "klase"), ("արձագանքի", "դաս"), ("javob", "sinfi"))}
LEXICON_LIKE = {"words"}  # the one form that writes urgency words (in the dialect)
RARE_VALUES = {"lv": {"uzlauztas", "termīti", "aktīvs pelējums"},
               "hy": {"ներխուժմամբ բացված", "տերմիտներ", "ակտիվ բորբոս"},
               "uz": {"buzib ochildi", "termitlar", "faol mogʻor"}}
RARE_VALUE_KINDS = {"door", "pest", "treatment"}
QTY = re.compile(r"(?P<n>-?\d+(?:[.,]\d+)?)(?: ?(?P<u>°C|°F|%|lx|mm/s|g|h|s|MB|€|µW/lm|bar))?")
LETTERS = {"lv": set("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ"), "uz": {"ʻ", "ʼ"},
           "hy": {chr(c) for c in range(0x531, 0x588)}}


def num(v: object) -> float:
    assert not isinstance(v, bool)
    if isinstance(v, int | float):
        return float(v)
    m = QTY.fullmatch(str(v))
    assert m, v
    return float(m["n"].replace(",", "."))


def styled(words: tuple[str, ...], style: str) -> str:
    if style == "camel":
        return words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:])
    if style == "upper":
        return "_".join(words).upper()
    if style == "title":
        return " ".join(w[:1].upper() + w[1:] for w in words)
    return {"snake": "_", "kebab": "-"}[style].join(words)


def expected_priority(wl: MuseumWorkload, kind: str, fields: dict) -> float:
    if kind not in CARRIERS:
        return 0.0
    d, mode, v = wl.dialect, wl.prio_mode, fields[wl.prio_key]
    if mode in TABLES:
        return STEPS[TABLES[mode][d].index(v)]
    if mode == "flag":
        assert v in FLAG_ON[d]
        assert type(v) is type(FLAG_ON[d][0])
        return 0.9 if v == FLAG_ON[d][0] else 0.0
    if mode == "class":  # a descending response class: 4 routine .. 0 the most pressing
        assert type(v) is int
        assert 0 <= v <= 4
        return STEPS[4 - v]
    assert mode == "hours"  # hours until the object is at risk: the fewer, the higher
    if d == "hy":
        assert type(v) is int
        h = v
    else:
        m = re.fullmatch(r"(\d+) (h|soat)", v)
        assert m, v
        assert m[2] == ("h" if d == "lv" else "soat")
        h = int(m[1])
    assert 0 <= h <= 720
    return STEPS[0 if h >= 168 else 1 if h >= 48 else 2 if h >= 12 else 3 if h >= 3 else 4]


def to_space(x: float, space: str) -> float:
    return math.log(x) if space == "log" else math.log1p(x) if space == "log1p" else x


def expected_k(wl: MuseumWorkload, kind: str, fields: dict) -> float:
    return max((abs(to_space(num(fields[key]), st.space) - st.centre) / st.spread
                for key, st in wl.stats.get(kind, {}).items() if key in fields), default=0.0)


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = MuseumWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


def _all(seeds):
    for seed in seeds:
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            yield wl, lr


def _kind(wl: MuseumWorkload, lr) -> str:
    return wl.kind_of[lr.record.kind]


@cache
def _form_seeds() -> dict[tuple[str, str], int]:
    seeds: dict[tuple[str, str], int] = {}
    for s in range(400):
        seeds.setdefault(world_form(s), s)
    return seeds


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(MuseumWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_museum import MuseumWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = MuseumWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins, wl.common, wl.rare, sorted(wl.keys.items()),\n"
        "          sorted((k, sorted(v.items())) for k, v in wl.stats.items()),\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('near_dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    assert list(SITE_IDS) == [PrivateKey(hashlib.sha256(f"holdout-museum-site/{i}".encode()).digest()).peer_id
                              for i in range(8)]
    wl = MuseumWorkload(2)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert b[0].record.ts_ms >= NOW + i * 10**8
    early = wl.next_labeled(60, NOW)  # an earlier now: the stream never goes back
    assert early[0].record.ts_ms > batches[-1][-1].record.ts_ms
    for w in map(MuseumWorkload, range(4)):  # short batches: a burst never outgrows its batch
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
    assert all(world_form(s) == (w.dialect, w.prio_mode) for s, w in enumerate(worlds))
    assert set(_form_seeds()) == {(d, m) for d in DIALECTS for m in PRIORITY_MODES}
    assert len(set(PRIORITY_MODES) - LEXICON_LIKE) >= 6
    assert {w.kind_style for w in worlds} == {"upper", "dotted", "slash", "pascal"}
    assert {w.field_style for w in worlds} == {"snake", "camel", "kebab", "upper", "title"}
    assert all(5 <= len(w.common) <= 8 and {"climate", "visitors", "treatment"} <= set(w.common) for w in worlds)
    assert all(1 <= len(w.rare) <= 3 for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 8 and set(w.origins) <= set(SITE_IDS) for w in worlds)
    assert len({tuple(w.origins) for w in worlds}) == WORLDS
    assert len({w.common for w in worlds}) > 15
    for w in worlds:
        assert len(set(w.keys.values())) == len(w.keys)
        assert w.prio_key == styled(PRIO_WORDS[w.prio_mode][DIALECTS.index(w.dialect)], w.field_style)
        assert w.prio_key not in set(w.keys.values())
        assert not re.search(r"priority|severity|urgency", w.prio_key, re.I)
    key_ok = {"snake": lambda k: k == k.lower() and not re.search(r"[-. ]", k),
              "kebab": lambda k: k == k.lower() and not re.search(r"[_. ]", k),
              "upper": lambda k: k == k.upper() and not re.search(r"[-. ]", k),
              "title": lambda k: all(p[:1] == p[:1].upper() for p in k.split(" ")) and not re.search(r"[-_.]", k),
              "camel": lambda k: k[:1] == k[:1].lower() and not re.search(r"[-_. ]", k)}
    kind_ok = {"upper": lambda k: k == k.upper() and "_" in k, "dotted": lambda k: k == k.lower() and "." in k,
               "slash": lambda k: k == k.lower() and "/" in k,
               "pascal": lambda k: k[:1] == k[:1].upper() and not re.search(r"[-_./ ]", k)}
    special: Counter = Counter()
    multi: dict[str, bool] = defaultdict(bool)
    for w, lr in _all(range(WORLDS)):
        assert kind_ok[w.kind_style](lr.record.kind), (w.kind_style, lr.record.kind)
        text = lr.record.kind + "".join(lr.record.fields) + "".join(
            v for v in lr.record.fields.values() if isinstance(v, str))
        special[w.dialect] += bool(set(text) & LETTERS[w.dialect])
        for key in lr.record.fields:
            assert key_ok[w.field_style](key), (w.field_style, key)
            multi[w.field_style] |= bool(re.search(r"[-_ ]|\w[A-ZÀ-ŽԱ-Ֆ]", key))
    assert all(n > 1000 for n in special.values()), special
    assert all(multi.values())


def test_units_and_number_formats_follow_the_dialect() -> None:
    temps: dict[tuple[str, bool], list[float]] = defaultdict(list)
    lux: dict[tuple[str, bool], list[float]] = defaultdict(list)
    shapes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for w, lr in _all(range(WORLDS)):
        kind, f = _kind(w, lr), lr.record.fields
        if lr.case != "routine" or lr.detail:
            continue
        if kind == "climate":
            key = w.keys["temp"]
            if w.dialect != "lv":
                assert key.lower().endswith("f" if w.fahrenheit else "c"), key
            temps[(w.dialect, w.fahrenheit)].append(num(f[key]))
            v = f[key]
            shapes[(w.dialect, "temp")].add("comma °C" if re.fullmatch(r"-?\d+,\d °C", str(v)) else type(v).__name__)
            rh = f[w.keys["rh"]]
            shapes[(w.dialect, "rh")].add("comma %" if re.fullmatch(r"\d+,\d %", str(rh)) else type(rh).__name__)
        if kind == "light":
            v = f[w.keys["lux"]]
            lux[(w.dialect, w.footcandles)].append(num(v))
            shapes[(w.dialect, "lux")].add("lx" if re.fullmatch(r"\d+ lx", str(v)) else type(v).__name__)
        if kind == "digitise":
            v = f[w.keys["size"]]
            shapes[(w.dialect, "size")].add("comma MB" if re.fullmatch(r"\d+,\d MB", str(v)) else type(v).__name__)
        if kind == "sales":
            v = f[w.keys["amount"]]
            shapes[(w.dialect, "amount")].add("comma €" if re.fullmatch(r"\d+,\d\d €", str(v)) else type(v).__name__)
            if w.dialect == "uz":
                assert v % 500 == 0
    assert shapes[("lv", "temp")] == {"comma °C"}
    assert shapes[("lv", "rh")] == {"comma %"}
    assert shapes[("lv", "lux")] == {"lx"}
    assert shapes[("lv", "size")] == {"comma MB"}
    assert shapes[("lv", "amount")] == {"comma €"}
    assert shapes[("hy", "temp")] == shapes[("uz", "temp")] == shapes[("uz", "rh")] == {"float"}
    assert shapes[("uz", "size")] == {"int"}  # whole KB
    assert shapes[("hy", "size")] == {"float"}
    assert shapes[("hy", "amount")] == shapes[("uz", "amount")] == {"int"}
    assert ("hy", True) in temps
    assert ("hy", False) in temps
    for (_d, fahrenheit), xs in temps.items():
        med = statistics.median(xs)
        assert (60.0 < med < 73.0) if fahrenheit else (16.0 < med < 23.0), med
    assert ("hy", True) in lux
    for (_d, fc), xs in lux.items():
        med = statistics.median(xs)
        assert (4.0 < med < 20.0) if fc else (45.0 < med < 220.0), med


def test_priority_field_only_on_carriers_and_every_form_rises() -> None:
    by_mode: dict[str, Counter] = defaultdict(Counter)
    raised_rare: Counter = Counter()
    for (d, mode), seed in sorted(_form_seeds().items()):
        wl, batches = _stream(seed)
        assert (wl.dialect, wl.prio_mode) == (d, mode)
        for lr in (lr for b in batches for lr in b):
            kind = _kind(wl, lr)
            assert (wl.prio_key in lr.record.fields) == (kind in CARRIERS), (kind, lr.record.fields)
            if lr.case in ("routine", "burst_head") and kind in CARRIERS:
                p = expected_priority(wl, kind, lr.record.fields)
                if kind in ALWAYS_RAISED:
                    assert p >= 0.6
                    raised_rare[kind] += 1
                if lr.case == "routine" and kind in COMMON_KINDS:
                    by_mode[mode][p > 0] += 1
    assert set(by_mode) == set(PRIORITY_MODES)
    for mode, c in by_mode.items():  # each form writes calm and raised records, 78-95% calm
        assert 0.05 <= c[True] / (c[True] + c[False]) <= 0.22, (mode, c)


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.74, 0.86), "dup": (0.035, 0.075), "near_dup": (0.035, 0.075),
                               "burst_head": (0.005, 0.018), "burst_tail": (0.045, 0.12), "resend": (0.004, 0.018)})
    assert_within(rates.detail, {"anomaly": (0.01, 0.03), "priority": (0.012, 0.04), "rare_kind": (0.002, 0.012),
                                 "rare_value": (0.001, 0.008), "": (0.68, 0.82)})
    assert rates.plain_rare_kind >= 0.4 * rates.rare_kind
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=140)
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
    assert sum(values.values()) < 0.05 * sum(carriers.values())
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
            assert 4.5 <= k <= 11.5
            odd_kinds.add(kind)
        elif a == 0.0:
            assert k < 4.05  # routine numbers stay inside: a gap between routine and anomalous
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert sum(x == pytest.approx(0.04) for x in routine) > 0.85 * len(routine)
    assert odd_kinds == set(WATCHED)
    for w in (_stream(s)[0] for s in range(WORLDS)):  # spreads in the right space, from the world's own draws
        for kind, stats in w.stats.items():
            assert {key for key in stats} == {w.keys[s] for s in WATCHED[kind]}
            for key, st in stats.items():
                assert st.spread > 0
                assert st.space == WATCHED[kind][next(s for s in WATCHED[kind] if w.keys[s] == key)][0]


def test_copies_and_tails_link_to_their_sources() -> None:
    heads, per_head = [], Counter()
    relayed = changed = 0
    kinds_retyped: Counter = Counter()
    worlds_with_tails = 0
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
        steppers = {wl.keys[s] for s in ("luxhours", "total", "seq")}
        for bi, b in enumerate(batches):
            for i, lr in enumerate(b):
                if lr.case != "burst_tail":
                    assert_copy_link(b, i)
                else:
                    src = b[lr.ref]
                    assert 0 <= lr.ref < i
                    assert src.case == "burst_head"
                    assert lr.importance == pytest.approx(max(0.02, 0.1 * src.importance), abs=1e-9)
                    assert (lr.record.kind, lr.record.origin) == (src.record.kind, src.record.origin)
                    assert set(lr.record.fields) == set(src.record.fields)
                    assert lr.detail == ""
                    assert 0 < lr.record.ts_ms - src.record.ts_ms < 120_000
                    for key, v in src.record.fields.items():  # words, ids and the priority stay
                        if key in steppers:
                            assert lr.record.fields[key] > v
                        elif isinstance(v, str) and key != wl.keys["clock"] and num_or_none(v) is None:
                            assert lr.record.fields[key] == v, key
                        elif isinstance(v, int) and key not in steppers and key != wl.prio_key:
                            watched = {wl.keys[s] for s in WATCHED.get(_kind(wl, lr), {})}
                            assert key in watched or lr.record.fields[key] == v, key
                    if wl.prio_key in src.record.fields:
                        assert lr.record.fields[wl.prio_key] == src.record.fields[wl.prio_key]
                    per_head[(seed, bi, lr.ref)] += 1
                if lr.case == "burst_head":
                    heads.append((seed, bi, i))
                    assert lr.importance >= 0.3
                if lr.case == "dup":
                    relayed += lr.record.origin != b[lr.ref].record.origin
                if lr.case == "near_dup":
                    src_f = b[lr.ref].record.fields
                    diff = [k for k, v in lr.record.fields.items() if src_f[k] != v]
                    assert 1 <= len(diff) <= 2
                    assert wl.prio_key not in diff  # a near copy never changes the priority it writes
                    for k in diff:
                        assert not isinstance(src_f[k], int)  # counters and ids are never re-typed
                        kinds_retyped["number" if num_or_none(str(src_f[k])) is not None else "text"] += 1
                    changed += len(diff)
        gaps, tail_gaps = stream_and_tail_gaps(batches)
        if len(tail_gaps) >= 5:
            worlds_with_tails += 1
            assert statistics.median(tail_gaps) < 0.5 * statistics.mean(gaps), seed
    assert all(2 <= per_head[h] <= 30 for h in heads)
    assert max(per_head.values()) >= 10
    assert relayed > 20
    assert changed > 100
    assert kinds_retyped["number"] > 50
    assert kinds_retyped["text"] > 50
    assert worlds_with_tails >= 20


def num_or_none(v: str) -> float | None:
    m = QTY.fullmatch(v)
    return float(m["n"].replace(",", ".")) if m else None


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    trouble = {s: t for spec in WATCHED.values() for s, (_space, t) in spec.items()}
    checked = 0
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
        lrs = [lr for b in batches for lr in b]
        sem_of = {v: s for s, v in wl.keys.items()}
        typical: dict[tuple[str, str], tuple[float, float, float]] = {}
        for kind, stats in wl.stats.items():
            for key, st in stats.items():
                xs = sorted(to_space(num(lr.record.fields[key]), st.space) for lr in lrs
                            if lr.case == "routine" and not lr.detail and _kind(wl, lr) == kind)
                if len(xs) >= 40:
                    spread = (xs[int(0.975 * len(xs))] - xs[int(0.025 * len(xs))]) / 3.92
                    typical[(kind, key)] = (statistics.median(xs), max(spread, 0.5 * st.spread), xs[-1] - xs[0])
        for lr in lrs:
            if lr.case != "routine" or lr.detail != "anomaly":
                continue
            kind = _kind(wl, lr)
            far = []
            for key, st in wl.stats[kind].items():
                if (kind, key) in typical:
                    med, spread, _width = typical[(kind, key)]
                    x = to_space(num(lr.record.fields[key]), st.space)
                    far.append(((x - med) / spread, sem_of[key]))
            if far:
                z, sem = max(far, key=lambda f: abs(f[0]))
                checked += 1
                assert abs(z) >= 3.5, (kind, lr.record.fields, z)
                if trouble[sem]:  # the way that means trouble
                    assert z * trouble[sem] > 0, (kind, sem, lr.record.fields)
    assert checked > 150
    wl = MuseumWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    factors: Counter = Counter()  # same gateway (1%) and another (2%) both occur
    for seed in (9, 10, 12, 13):
        wl = MuseumWorkload(seed)
        seen: dict[tuple, float] = {}
        for i in range(6):
            batch = wl.next_labeled(256, NOW + i * 10**6)
            for lr in batch:
                if lr.case == "resend":
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items())))
                    assert seen.get(key, 0.0) >= 0.3
                    assert lr.importance in (pytest.approx(0.01 * seen[key]), pytest.approx(0.02 * seen[key]))
                    assert lr.ref == -1
                    assert lr.detail == ""
                    hits += 1
                    factors[lr.importance == pytest.approx(0.02 * seen[key])] += 1
            for lr in batch:
                if lr.case in ("routine", "burst_head"):
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items())))
                    seen[key] = max(seen.get(key, 0.0), lr.importance)
    assert hits > 10
    assert min(factors[True], factors[False]) >= 3, factors


def test_training_never_loads_the_museum_family() -> None:
    assert modules_loaded_by_training("museum") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_museum") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["museum"] == ("node.workload.holdout_museum", "MuseumWorkload")
