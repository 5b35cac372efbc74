"""The held-out ``kitchen`` family: seeded, valid, varied restaurant-chain worlds, every case at a sensible
rate, truth per the definition (recomputed here from what each record says, not from the generator's code)."""

from __future__ import annotations

import hashlib
import math
import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_kitchen import (
    ALWAYS_RAISED,
    CARRIERS,
    COMMON_KINDS,
    DIALECTS,
    PRIORITY_MODES,
    RARE_KINDS,
    SITE_IDS,
    KitchenWorkload,
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
WORLDS = 36

# The definition's priority, written out independently of the generator: what each form writes per step.
STEPS = (0.0, 0.4, 0.6, 0.8, 1.0)
WORDS = {"mt": ("normali", "baxx", "medju", "urġenti", "kritiku"),
         "lt": ("įprastas", "žemas", "vidutinis", "skubus", "kritinis"),
         "af": ("roetine", "laag", "matig", "dringend", "kritiek")}
CALLS = {"mt": ("std", "imbotta", "għaġġel", "FIRE", "ALLERĠIJA"), "lt": ("std", "pirmyn", "greičiau", "UGNIS", "ALERGIJA"),
         "af": ("std", "stoot", "jaag", "VUUR", "ALLERGIE")}
COLOURS = {"mt": ("aħdar", "isfar", "oranġjo", "aħmar", "iswed"),
           "lt": ("žalia", "geltona", "oranžinė", "raudona", "juoda"), "af": ("groen", "geel", "oranje", "rooi", "swart")}
FLAG_ON = {"mt": ("iva", "le"), "lt": (True, False), "af": ("ja", "nee")}
URGENT = {"mt": ("ara qabel l-għeluq", "ara fi ftit minuti", "URĠENTI:", "EMERĠENZA:"),
          "lt": ("patikrinti iki uždarymo", "patikrinti per kelias minutes", "SKUBU:", "AVARIJA:"),
          "af": ("kyk voor sluitingstyd", "kyk binne 'n paar minute", "DRINGEND:", "NOOD:")}
PRIO_WORDS = {"words": (("urġenza",), ("skubumas",), ("dringendheid",)),
              "ticket": (("kodiċi", "pass"), ("išdavimo", "kodas"), ("pas", "kode")),
              "level": (("klassi", "rispons"), ("reakcijos", "klasė"), ("reaksie", "klas")),
              "stars": (("stilel",), ("žvaigždutės",), ("sterre",)),
              "minutes": (("minuti", "għad"), ("liko", "minučių"), ("minute", "oor")),
              "colour": (("tikketta", "kulur"), ("žymos", "spalva"), ("etiket", "kleur")),
              "flag": (("żomm", "lura"), ("sulaikyti",), ("hou", "terug")),
              "note": (("nota",), ("pastaba",), ("nota",))}
LEXICON_LIKE = {"words", "note"}  # the forms that write priority words (cognates of urgent / critical)
RARE_VALUES = {"mt": {"miċħud", "mormi"}, "lt": {"atmesta", "išmesta"}, "af": {"afgekeur", "weggegooi"}}
RARE_VALUE_KINDS = {"delivery", "batch"}
# The direction that means trouble, per watched number (semantic name): warm fridges, undercooked food...
TROUBLE = {"temp": 1, "end_temp": 1, "chill_min": 1, "core_temp": -1, "pass_s": 1, "temp_chilled": 1,
           "temp_frozen": 1, "wash_temp": -1, "rinse_temp": -1, "gas_m3": 1, "power_kwh": 1}
QTY = re.compile(r"(?P<n>-?\d+(?:[.,]\d+)?)(?: ?(?:°C|kg|%|bar|m³|kWh))?")


def num(v: object) -> float:
    assert not isinstance(v, bool)
    if isinstance(v, int | float):
        return float(v)
    m = QTY.fullmatch(str(v))
    assert m, v
    return float(m["n"].replace(",", "."))


def styled(words: tuple[str, ...], style: str) -> str:
    if style == "camel":
        return words[0] + "".join(w[0].upper() + w[1:] for w in words[1:])
    if style == "upper":
        return "_".join(words).upper()
    return {"snake": "_", "kebab": "-", "dotted": "."}[style].join(words)


def expected_priority(wl: KitchenWorkload, kind: str, fields: dict) -> float:
    if kind not in CARRIERS:
        return 0.0
    d, mode, v = wl.dialect, wl.prio_mode, fields[wl.prio_key]
    if mode == "note":
        return max([STEPS[i + 1] for i, p in enumerate(URGENT[d]) if v.startswith(p)], default=0.0)
    if mode == "words":
        return STEPS[WORDS[d].index(v)]
    if mode == "ticket":
        return STEPS[CALLS[d].index(v)]
    if mode == "colour":
        return STEPS[COLOURS[d].index(v)]
    if mode == "flag":
        assert v in FLAG_ON[d]
        assert type(v) is type(FLAG_ON[d][0])
        return 0.9 if v == FLAG_ON[d][0] else 0.0
    if mode == "level":  # 5 routine .. 1 worst
        assert type(v) is int
        assert 1 <= v <= 5
        return STEPS[5 - v]
    if mode == "stars":  # one star routine .. five
        if d == "mt":
            assert type(v) is int
            n = v
        elif d == "lt":
            assert re.fullmatch("★{1,5}", v), v
            n = len(v)
        else:
            m = re.fullmatch(r"([1-5]) (ster|sterre)", v)
            assert m, v
            assert (m[2] == "ster") == (m[1] == "1")
            n = int(m[1])
        return STEPS[n - 1]
    assert mode == "minutes"  # minutes left: the fewer, the higher
    if d == "lt":
        m = re.fullmatch(r"(\d+) min\.", v)
        assert m, v
        v = int(m[1])
    assert type(v) is int
    assert 0 <= v <= 720
    return STEPS[0 if v >= 60 else 1 if v >= 30 else 2 if v >= 15 else 3 if v >= 5 else 4]


def expected_k(wl: KitchenWorkload, kind: str, fields: dict) -> float:
    ks = [abs((math.log(num(fields[key])) if st.log else num(fields[key])) - st.centre) / st.spread
          for key, st in wl.stats.get(kind, {}).items() if key in fields]
    return max(ks, default=0.0)


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = KitchenWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


def _all(seeds):
    for seed in seeds:
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            yield wl, lr


def _kind(wl: KitchenWorkload, lr) -> str:
    return wl.kind_of[lr.record.kind]


@cache
def _form_seeds() -> dict[tuple[str, str], int]:
    seeds: dict[tuple[str, str], int] = {}
    for s in range(400):
        seeds.setdefault(world_form(s), s)
    return seeds


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(KitchenWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_kitchen import KitchenWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = KitchenWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins, wl.common, wl.rare, sorted(wl.keys.items()),\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('near_dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    assert list(SITE_IDS) == [PrivateKey(hashlib.sha256(f"holdout-kitchen-site/{i}".encode()).digest()).peer_id
                              for i in range(len(SITE_IDS))]
    wl = KitchenWorkload(2)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert b[0].record.ts_ms >= NOW + i * 10**8
    early = wl.next_labeled(60, NOW)  # an earlier now: the stream never goes back
    assert early[0].record.ts_ms > batches[-1][-1].record.ts_ms
    for w in map(KitchenWorkload, range(4)):  # short batches: a burst never outgrows its batch
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


def test_worlds_vary_in_dialect_kinds_sites_form_and_naming() -> None:
    worlds = [_stream(s)[0] for s in range(WORLDS)]
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert all(world_form(s) == (w.dialect, w.prio_mode) for s, w in enumerate(worlds))
    assert set(_form_seeds()) == {(d, m) for d in DIALECTS for m in PRIORITY_MODES}
    assert len(PRIORITY_MODES) >= 6
    assert len(set(PRIORITY_MODES) - LEXICON_LIKE) >= 5  # most forms are no priority words
    assert {w.kind_style for w in worlds} == {"upper", "dotted", "kebab"}
    assert {w.field_style for w in worlds} == {"snake", "camel", "kebab", "dotted", "upper"}
    assert all(5 <= len(w.common) <= 8 and {"fridge", "ticket"} <= set(w.common) for w in worlds)
    assert all(1 <= len(w.rare) <= 3 for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 7 and set(w.origins) <= set(SITE_IDS) for w in worlds)
    assert len({tuple(w.origins) for w in worlds}) == WORLDS
    assert len({w.common for w in worlds}) > 20
    for w in worlds:
        assert len(set(w.keys.values())) == len(w.keys)
        assert w.prio_key == styled(PRIO_WORDS[w.prio_mode][DIALECTS.index(w.dialect)], w.field_style)
        assert w.prio_key not in set(w.keys.values()) - {w.keys["note"]}
    key_ok = {"snake": lambda k: k == k.lower() and not re.search(r"[-.]", k),
              "kebab": lambda k: k == k.lower() and not re.search(r"[_.]", k),
              "dotted": lambda k: k == k.lower() and not re.search(r"[-_]", k),
              "upper": lambda k: k == k.upper() and not re.search(r"[-.]", k),
              "camel": lambda k: k[0] == k[0].lower() and not re.search(r"[-_.]", k)}
    kind_sep = {"upper": "_", "dotted": ".", "kebab": "-"}
    letters = {"mt": "ċġħżĊĠĦŻ", "lt": "ąčęėįšųūžĄČĘĖĮŠŲŪŽ", "af": "êëôÊËÔ"}
    special: Counter = Counter()
    multi: dict[str, bool] = defaultdict(bool)
    for w, lr in _all(range(WORLDS)):
        kind = lr.record.kind
        assert kind_sep[w.kind_style] in kind
        assert kind == (kind.upper() if w.kind_style == "upper" else kind.lower())
        special[w.dialect] += any(c in letters[w.dialect] for c in kind + "".join(lr.record.fields)
                                  + "".join(v for v in lr.record.fields.values() if isinstance(v, str)))
        for key in lr.record.fields:
            assert key_ok[w.field_style](key), (w.field_style, key)
            multi[w.field_style] |= bool(re.search(r"[-_.]|[a-zà-ž][A-ZÀ-Ž]", key))
    assert special["mt"] > 1000
    assert special["lt"] > 1000
    assert special["af"] > 30  # Afrikaans writes few diacritics (Hoëveld, môre, ná)
    assert all(multi.values())


def test_units_and_number_formats_follow_the_dialect() -> None:
    temps: dict[tuple[str, bool], list[float]] = defaultdict(list)
    shapes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for w, lr in _all(range(WORLDS)):
        kind, f = _kind(w, lr), lr.record.fields
        if lr.case != "routine" or lr.detail:
            continue
        if kind == "fridge":
            key = w.keys["temp"]
            if w.dialect != "lt":
                assert key.lower().endswith("f" if w.fahrenheit else "c"), key
            temps[(w.dialect, w.fahrenheit)].append(num(f[key]))
            shapes[(w.dialect, "temp")].add("comma °C" if re.fullmatch(r"-?\d+,\d °C", str(f[key]))
                                            else type(f[key]).__name__)
        if kind == "delivery":
            v = f[w.keys["weight_kg"]]
            shapes[(w.dialect, "weight")].add("comma kg" if re.fullmatch(r"\d+,\d{1,2} kg", str(v)) else type(v).__name__)
        if kind == "ticket":
            clock = f[w.keys["clock"]]
            shapes[(w.dialect, "clock")].add("19h42" if re.fullmatch(r"\d\dh\d\d", clock) else
                                             "19:42" if re.fullmatch(r"\d\d:\d\d", clock) else clock)
    assert shapes[("lt", "temp")] == {"comma °C"}
    assert shapes[("mt", "temp")] == shapes[("af", "temp")] == {"float"}
    assert shapes[("lt", "weight")] == {"comma kg"}
    assert shapes[("mt", "weight")] == {"float"}
    assert shapes[("af", "weight")] == {"int"}  # grams
    assert shapes[("af", "clock")] == {"19h42"}
    assert shapes[("mt", "clock")] == shapes[("lt", "clock")] == {"19:42"}
    assert ("mt", True) in temps or ("af", True) in temps
    for (_d, fahrenheit), xs in temps.items():
        med = statistics.median(xs)
        assert (33.0 < med < 41.0) if fahrenheit else (1.0 < med < 5.0), med


def test_priority_field_only_on_carriers_and_every_form_rises() -> None:
    by_mode: dict[str, Counter] = defaultdict(Counter)
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
                if lr.case == "routine" and kind in COMMON_KINDS:
                    by_mode[mode][p > 0] += 1
    assert set(by_mode) == set(PRIORITY_MODES)
    for mode, c in by_mode.items():  # each form writes calm and raised records, 80-92% calm
        assert 0.05 <= c[True] / (c[True] + c[False]) <= 0.2, (mode, c)


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.75, 0.87), "dup": (0.035, 0.075), "near_dup": (0.035, 0.075),
                               "burst_head": (0.004, 0.015), "burst_tail": (0.04, 0.10), "resend": (0.005, 0.02)})
    assert_within(rates.detail, {"anomaly": (0.01, 0.03), "priority": (0.015, 0.04), "rare_kind": (0.004, 0.015),
                                 "rare_value": (0.0005, 0.005), "": (0.7, 0.84)})
    assert rates.plain_rare_kind >= 0.4 * rates.rare_kind
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=150)
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
        assert 0.001 <= per_kind[k] / exposure[k] <= 0.012, (k, per_kind[k], exposure[k])


def test_truth_follows_the_definition() -> None:
    routine = []
    odd_kinds: set[str] = set()
    for wl, lr in _all(range(WORLDS)):
        if lr.case not in ("routine", "burst_head"):
            continue
        kind, fields = _kind(wl, lr), lr.record.fields
        k = expected_k(wl, kind, fields)
        a = 0.0 if k < 6.0 else min(1.0, (k - 4.0) / 6.0)
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
            assert 6.0 <= k <= 11.5
            odd_kinds.add(kind)
        elif a == 0.0:
            assert k < 4.6  # routine numbers stay well inside: a gap between routine and anomalous
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert sum(x == pytest.approx(0.04) for x in routine) > 0.85 * len(routine)
    assert odd_kinds == {"fridge", "freezer", "chiller", "fryer", "batch", "ticket", "delivery", "dishwash", "meter"}


def test_copies_and_tails_link_to_their_sources() -> None:
    heads, per_head = [], Counter()
    relayed = changed = 0
    worlds_with_tails = 0
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
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
                        if isinstance(v, str) and key != wl.keys["clock"] and num_or_none(v) is None:
                            assert lr.record.fields[key] == v, key
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
                    changed += len(diff)
        gaps, tail_gaps = stream_and_tail_gaps(batches)
        if len(tail_gaps) >= 5:
            worlds_with_tails += 1
            assert statistics.median(tail_gaps) < 0.5 * statistics.mean(gaps), seed
    assert all(2 <= per_head[h] <= 30 for h in heads)
    assert max(per_head.values()) >= 10
    assert relayed > 20
    assert changed > 100
    assert worlds_with_tails >= 20


def num_or_none(v: str) -> float | None:
    m = QTY.fullmatch(v)
    return float(m["n"].replace(",", ".")) if m else None


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    checked = 0
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
        lrs = [lr for b in batches for lr in b]
        sem_of = {v: s for s, v in wl.keys.items()}
        typical: dict[tuple[str, str], tuple[float, float]] = {}
        for kind, stats in wl.stats.items():
            for key, st in stats.items():
                xs = sorted((math.log(num(lr.record.fields[key])) if st.log else num(lr.record.fields[key]))
                            for lr in lrs if lr.case == "routine" and not lr.detail and _kind(wl, lr) == kind
                            and key in lr.record.fields)
                if len(xs) >= 40:
                    spread = (xs[int(0.84 * len(xs))] - xs[int(0.16 * len(xs))]) / 2
                    typical[(kind, key)] = (statistics.median(xs), max(spread, 0.5 * st.spread))
        for lr in lrs:
            if lr.case != "routine" or lr.detail != "anomaly":
                continue
            kind = _kind(wl, lr)
            far = []
            for key, st in wl.stats[kind].items():
                if (kind, key) in typical and key in lr.record.fields:
                    med, spread = typical[(kind, key)]
                    x = math.log(num(lr.record.fields[key])) if st.log else num(lr.record.fields[key])
                    far.append(((x - med) / spread, sem_of[key]))
            if far:
                z, sem = max(far, key=lambda f: abs(f[0]))
                checked += 1
                assert abs(z) >= 4.5, (kind, lr.record.fields)
                if sem in TROUBLE:  # the way that means trouble
                    assert z * TROUBLE[sem] > 0, (kind, sem, lr.record.fields)
    assert checked > 200
    wl = KitchenWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    for seed in (9, 10, 12, 13):
        wl = KitchenWorkload(seed)
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
            for lr in batch:
                if lr.case in ("routine", "burst_head"):
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items())))
                    seen[key] = max(seen.get(key, 0.0), lr.importance)
    assert hits > 10


def test_training_never_loads_the_kitchen_family() -> None:
    assert modules_loaded_by_training("kitchen") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_kitchen") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["kitchen"] == ("node.workload.holdout_kitchen", "KitchenWorkload")
