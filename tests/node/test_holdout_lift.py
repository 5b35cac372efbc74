"""The held-out ``lift`` family: seeded, valid, varied vertical-transportation worlds, every case at a sensible
rate, truth per the definition."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_lift import (
    ALWAYS_PRIORITY_RARE,
    COMMON_KINDS,
    COUNTERS,
    DIALECTS,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    LiftWorkload,
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
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE
ET_LETTERS = "a-zõäöüšž"

# The definition's priority, written out independently of the generator: value -> strength, per form.
STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)
SCALE = {"eu": ("arrunta", "arina", "nabarmena", "larria", "oso larria"),
         "et": ("tavaline", "madal", "keskmine", "kõrge", "kriitiline"),
         "sw": ("kawaida", "ndogo", "wastani", "kubwa", "hatari kuu")}
KLASS = {"eu": ("E", "D", "C", "B", "A"), "et": ("P5", "P4", "P3", "P2", "P1"), "sw": ("D5", "D4", "D3", "D2", "D1")}
COLOUR = {"eu": ("berdea", "urdina", "horia", "laranja", "gorria"),
          "et": ("roheline", "sinine", "kollane", "oranž", "punane"),
          "sw": ("kijani", "samawati", "manjano", "machungwa", "nyekundu")}
SIGN = {"eu": ("○", "◔", "◑", "◕", "●"), "et": ("–", "!", "!!", "!!!", "!!!!"), "sw": ("✅", "ℹ️", "⚠️", "🛑", "🚨")}
FLAG = {"eu": ("bai", "ez"), "et": (True, False), "sw": ("ndiyo", "hapana")}  # (on, off)
URGENT = {
    "eu": ("astia duzunean begiratu", "gaur bertan konpondu behar da", "premiazkoa: bidali teknikari bat berehala",
           "LARRIALDIA: utzi dena, bidaiariak arriskuan"),
    "et": ("kui aega on, vaadake üle", "palun täna ära parandada", "kiire: saatke tehnik kohe",
           "HÄDAOLUKORD: jätke kõik muu, reisijad ohus"),
    "sw": ("mkipata nafasi mwangalie", "tafadhali rekebisheni leo", "haraka: tumeni fundi sasa hivi",
           "DHARURA: acheni kila kitu, abiria wako hatarini"),
}
CALM = {
    "eu": ("ez da presazkoa", "hurrengo bisitan nahikoa", "informazio gisa soilik", "itxaron dezake",
           "astelehenera arte itxaron daiteke"),
    "et": ("pole kiire", "järgmise hoolduse ajal sobib", "ainult teadmiseks", "võib oodata", "ootab esmaspäevani"),
    "sw": ("si ya haraka", "inaweza kusubiri", "kwa taarifa tu", "ziara ijayo inatosha", "hakuna haja ya kukimbia"),
}
RARE_VALUES = {"eu": {"ikuskapena", "eskuzkoa", "sorgailua"}, "et": {"ülevaatusrežiim", "käsijuhtimine", "generaator"},
               "sw": {"ukaguzi", "mkono", "jenereta"}}
RARE_VALUE_KINDS = {"drive", "esc", "supply"}
WORD_FORMS = {"scale", "colour", "text"}  # forms written as words; every other one a number, code, symbol or flag
ROUTINE_VALUE = {"scale": lambda d: {SCALE[d][0]}, "klass": lambda d: {KLASS[d][0]}, "colour": lambda d: {COLOUR[d][0]},
                 "sign": lambda d: {SIGN[d][0]}, "flag": lambda d: {FLAG[d][1]}}
NOTE = {"eu": "oharra", "et": "märkus", "sw": "maoni"}
QTY = re.compile(r"(-?\d+(?:[.,]\d+)?) ?(mm/s|kN|kgf|°C|A|mm|kg|V|s|min|mg)")


def num(v: object) -> float:
    """A reading as written: a number, or a quantity string with its unit after the number."""
    assert not isinstance(v, bool)
    if isinstance(v, int | float):
        return float(v)
    m = QTY.fullmatch(str(v))
    assert m, v
    return float(m[1].replace(",", "."))


def respond_minutes(d: str, v: object) -> int:
    if d == "eu":
        assert isinstance(v, int)
        assert not isinstance(v, bool)
        return v
    if d == "et":
        m = re.fullmatch(r"(\d{2}):(\d{2})", str(v))
        assert m, v
        return 60 * int(m[1]) + int(m[2])
    m = re.fullmatch(r"dakika (\d+)", str(v))
    assert m, v
    return int(m[1])


def iso_minutes(d: str, v: object) -> int:
    m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", str(v))
    assert m, v
    assert len(str(v)) > 2, v
    if d == "sw":
        assert m[1] is None, v  # hours and minutes only
    if d == "eu":
        assert m[1] is None or str(v).endswith("D"), v  # whole days, or hours
    return 1440 * int(m[1] or 0) + 60 * int(m[2] or 0) + int(m[3] or 0)


def risk(d: str, v: object) -> float:
    if d == "eu":
        assert isinstance(v, int)
        x = float(v)
    elif d == "et":
        assert isinstance(v, float)
        x = v
    else:
        m = re.fullmatch(r"(\d{1,3})/1000", str(v))
        assert m, v
        x = float(m[1])
    assert 0 <= x < 1000
    return x


def percent(d: str, v: object) -> int:
    pattern = {"eu": r"%(\d{1,3})", "et": r"(\d{1,3}) %", "sw": r"(\d{1,3})%"}[d]
    m = re.fullmatch(pattern, str(v))
    assert m, v
    assert 0 <= int(m[1]) <= 100
    return int(m[1])


def level(d: str, v: object) -> int:
    if d == "et":
        m = re.fullmatch(r"([1-5])\. tase", str(v))
        assert m, v
        return int(m[1])
    assert isinstance(v, int)
    assert not isinstance(v, bool)
    assert 1 <= v <= 5
    return v


def expected_priority(wl: LiftWorkload, kind: str, fields: dict) -> float:
    if kind not in CARRIERS:
        return 0.0
    d, mode = wl.dialect, wl.prio_mode
    if mode == "text":
        note = fields[NOTE[d]]
        return max([STEPS[i + 1] for i, p in enumerate(URGENT[d]) if p in note], default=0.0)
    v = fields[wl.prio_key]
    if mode == "scale":
        return STEPS[SCALE[d].index(v)]
    if mode == "level":  # 1 is worst
        return STEPS[5 - level(d, v)]
    if mode == "respond":
        return STEPS[sum(respond_minutes(d, v) < e for e in (300, 180, 60, 20))]
    if mode == "deadline":
        return STEPS[sum(iso_minutes(d, v) < e for e in (2880, 960, 360, 90))]
    if mode == "risk":
        return STEPS[sum(risk(d, v) >= e for e in (200, 400, 600, 800))]
    if mode == "percent":
        return STEPS[sum(percent(d, v) >= e for e in (10, 30, 60, 90))]
    if mode == "flag":
        assert v in FLAG[d], v
        assert type(v) is type(FLAG[d][0])
        return 0.9 if v == FLAG[d][0] else 0.0
    if mode == "klass":
        return STEPS[KLASS[d].index(v)]
    if mode == "colour":
        return STEPS[COLOUR[d].index(v)]
    assert mode == "sign"
    return STEPS[SIGN[d].index(v)]


def _space(x: float, space: str) -> float:
    return math.log(max(x, 1e-9)) if space == "log" else math.log1p(max(x, 0.0)) if space == "log1p" else x


def expected_k(wl: LiftWorkload, kind: str, fields: dict) -> float:
    return max((abs(_space(num(fields[key]), s.space) - s.center) / s.spread
                for key, s in wl.stats.get(kind, {}).items()), default=0.0)


def expected_anomaly(k: float) -> float:
    return 0.0 if k < 4.5 else min(1.0, 0.35 + 0.12 * (k - 4.5))


def slot_hour(d: str, v: str) -> float:
    """A passenger count's slot back as an hour of the day (Swahili time counts from 06:00)."""
    if d in ("eu", "et"):
        m = re.fullmatch(r"(\d{2}):(\d{2})" if d == "eu" else r"(\d{2})\.(\d{2})", v)
        assert m, v
        return int(m[1]) + int(m[2]) / 60
    m = re.fullmatch(r"saa (\d{1,2}):(\d{2}) (alfajiri|asubuhi|mchana|jioni|usiku)", v)
    assert m, v
    h = (int(m[1]) + 6) % 12
    if m[3] in ("mchana", "jioni") or (m[3] == "usiku" and h >= 7):
        h += 12
    return h + int(m[2]) / 60


@cache
def _worlds(count: int = 72) -> tuple[LiftWorkload, ...]:
    return tuple(LiftWorkload(s) for s in range(count))


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    """A world's first batches, streamed once (from the cached, still unstreamed world: the same stream as a
    fresh ``LiftWorkload(seed)`` gives; only static attributes of ``_worlds()`` are read elsewhere)."""
    wl = _worlds()[seed] if seed < len(_worlds()) else LiftWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


STREAMED = range(72)


@cache
def _other_forms() -> dict[tuple[str, str], int]:
    """A seed for every (dialect, form) the first 72 worlds lack."""
    have = {(w.dialect, w.prio_mode) for w in _worlds()}
    out: dict[tuple[str, str], int] = {}
    for seed in range(len(_worlds()), 600):
        w = LiftWorkload(seed)
        if (w.dialect, w.prio_mode) not in have | out.keys():
            out[(w.dialect, w.prio_mode)] = seed
        if len(have) + len(out) == len(DIALECTS) * len(PRIORITY_MODES):
            break
    return out


def _fresh(lrs):
    return [lr for lr in lrs if lr.case in ("routine", "burst_head")]


def _kind(wl: LiftWorkload, lr) -> str:
    return wl.kind_of[lr.record.kind]


def _all(seeds):
    for seed in seeds:
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            yield wl, lr


def _strings(fields: dict) -> set[str]:
    return {v for v in fields.values() if isinstance(v, str)}


def _digits(v: object) -> int:
    return v if isinstance(v, int) else int(re.sub(r"\D", "", str(v)))


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(LiftWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_lift import LiftWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = LiftWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins[-1], wl.common, wl.rare, wl.units,\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('near_dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    wl = LiftWorkload(2)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    ts = [lr.record.ts_ms for b in batches for lr in b]
    assert all(a < b for a, b in zip(ts, ts[1:], strict=False))
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert abs(b[-1].record.ts_ms - (NOW + i * 10**8)) < 10**5  # ends near now
    late = wl.next_labeled(5, NOW + 10**12)
    assert all(abs(lr.record.ts_ms - (NOW + 10**12)) < 10**7 for lr in late)
    early = wl.next_labeled(60, NOW)  # an earlier now: the stream never goes back
    assert all(lr.record.ts_ms > late[-1].record.ts_ms for lr in early)
    for w in map(LiftWorkload, range(5)):  # short batches: a burst never outgrows its batch
        for n in range(1, 36):
            b = w.next_labeled(n, NOW)
            assert len(b) == n
            tails = Counter(lr.ref for lr in b if lr.case == "burst_tail")
            assert all(b[i].case == "burst_head" for i in tails)
            assert all(tails[i] >= 2 for i, lr in enumerate(b) if lr.case == "burst_head")
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = LiftWorkload(2).next_batch(40, NOW)
    assert [(r.cid, imp) for r, imp in pairs] == [
        (lr.record.cid, lr.importance) for lr in LiftWorkload(2).next_labeled(40, NOW)]
    lim = DEFAULT_LIMITS
    for seed in range(36):
        _, bs = _stream(seed)
        ts = [lr.record.ts_ms for b in bs for lr in b]
        assert all(a < b for a, b in zip(ts, ts[1:], strict=False)), seed
        for lr in (lr for b in bs for lr in b):
            rec = lr.record
            assert len(rec.kind) <= lim.max_kind_len
            assert len(rec.fields) <= min(12, lim.max_fields)
            assert len(rec.canonical_bytes()) <= lim.max_total_bytes // 8
            for k, v in rec.fields.items():
                assert len(k) <= 40 <= lim.max_key_len
                assert isinstance(v, bool | int | float | str), (k, v)
                if isinstance(v, str):
                    assert len(v) <= 200
                if isinstance(v, float):
                    assert math.isfinite(v)


def test_worlds_vary_in_dialect_kinds_origins_and_priority_form() -> None:
    worlds = _worlds()
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert len(PRIORITY_MODES) >= 8
    assert len(set(PRIORITY_MODES) - WORD_FORMS) >= 0.7 * len(PRIORITY_MODES)  # most are not words
    assert len({(w.dialect, w.prio_mode) for w in worlds}) >= 24
    assert len({w.common for w in worlds}) > 50
    assert all(4 <= len(w.common) <= 6 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(PRIORITY_KINDS & set(w.common) for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 10 for w in worlds)
    assert len({len(w.origins) for w in worlds}) >= 6
    assert all(4 <= len(w.stations) <= 14 and w.escs and w.walks and w.cars for w in worlds)
    assert len({w.mean_gap for w in worlds}) == 4
    assert 0.1 < sum(w.clumpy for w in worlds) / len(worlds) < 0.45
    for w in worlds:  # no two fields of a dialect share a name, nor a field and the priority field
        assert len(set(w.keys.values())) == len(w.keys)
        assert w.prio_key not in w.keys.values()
    kind_style = {"eu": r"[a-z]+:[a-z]+(?:-[a-z]+)*", "et": rf"[{ET_LETTERS}]+\.[{ET_LETTERS}]+",
                  "sw": r"[A-Z][a-zA-Z]+::[A-Z][a-zA-Z]+"}
    key_style = {"eu": r"[a-z]+(?:-[a-z]+)*", "et": rf"[{ET_LETTERS}]+(?:_[{ET_LETTERS}]+)*",
                 "sw": r"[a-z]+(?:[A-Z][a-z]+)*"}
    names: dict[str, set[str]] = defaultdict(set)
    unit_keys: Counter = Counter()
    for seed, w in enumerate(worlds[:36]):
        for lr in _stream(seed)[1][0]:
            names[w.dialect].add(lr.record.kind)
            assert re.fullmatch(kind_style[w.dialect], lr.record.kind), (w.dialect, lr.record.kind)
            for key in lr.record.fields:
                assert re.fullmatch(key_style[w.dialect], key), (w.dialect, key)
                unit_keys[w.dialect] += bool(re.search(r"_(?:mm_s|kn|a|c|s|min|m_min|mm|pct|v|hz|kg|n|mg)$", key))
    assert not names["eu"] & names["et"]
    assert not names["et"] & names["sw"]
    assert not names["eu"] & names["sw"]
    assert unit_keys["et"] > 300  # the unit as the last segment: "vibratsioon_mm_s"
    assert unit_keys["eu"] == unit_keys["sw"] == 0


def test_units_and_number_formats_follow_the_dialect() -> None:
    seen: dict[tuple[str, str], list[float]] = defaultdict(list)
    formats: dict[tuple[str, str], set[str]] = defaultdict(set)
    for w, lr in _all(STREAMED):
        if lr.case != "routine" or lr.detail:
            continue
        kind, f = _kind(w, lr), lr.record.fields
        for sem in {"esc": ("vib", "tension", "escspeed", "esccur"), "supply": ("volt", "freq"),
                    "drive": ("wtemp", "current"), "trip": ("load", "lev"), "pit": ("tout", "mrtemp"),
                    "rail": ("rspeed", "slip")}.get(kind, ()):
            v = f[w.keys[sem]]
            seen[(w.dialect, sem)].append(num(v))
            shape = "int" if isinstance(v, int) else "float" if isinstance(v, float) else \
                "comma" if re.fullmatch(r"-?\d+,\d+ \S+", v) else "point" if re.fullmatch(r"-?\d+\.\d+ \S+", v) \
                else "whole" if re.fullmatch(r"-?\d+ \S+", v) else v
            formats[(w.dialect, sem)].add(shape)
    lo = {k: min(v) for k, v in seen.items()}
    med = {k: statistics.median(v) for k, v in seen.items()}
    assert set(seen) >= {(d, s) for d in DIALECTS for s in ("vib", "tension", "volt", "wtemp", "escspeed", "tout")}
    assert abs(med[("sw", "volt")] - 415) < 10  # Kenya's 415 V
    assert abs(med[("eu", "volt")] - 400) < 10
    assert abs(med[("et", "volt")] - 400) < 10
    assert med[("sw", "tension")] > 50 * max(med[("eu", "tension")], med[("et", "tension")])  # kgf against kN
    hi = {k: max(v) for k, v in seen.items()}
    assert hi[("et", "escspeed")] > 25 > 1 > max(hi[("eu", "escspeed")], hi[("sw", "escspeed")])  # m/min
    assert lo[("et", "tout")] < 0  # a Tallinn winter
    assert lo[("sw", "tout")] > 0  # Nairobi
    assert formats[("eu", "vib")] == formats[("eu", "tension")] == formats[("eu", "wtemp")] == {"comma"}
    assert formats[("eu", "escspeed")] == formats[("eu", "freq")] == {"float"}  # plain numbers, a decimal point
    assert formats[("sw", "vib")] == formats[("sw", "current")] == {"point"}
    assert formats[("sw", "tension")] == formats[("sw", "volt")] == formats[("sw", "load")] == {"whole"}
    assert formats[("sw", "rspeed")] == formats[("sw", "slip")] == {"float"}
    assert all(formats[("et", s)] <= {"int", "float"} for s in ("vib", "tension", "volt", "wtemp", "load"))
    units = Counter(m[2] for w, lr in _all(range(36)) if w.dialect != "et" for v in lr.record.fields.values()
                    if isinstance(v, str) and (m := QTY.fullmatch(v)))
    assert {"mm/s", "kN", "kgf", "°C", "A", "kg", "V", "s", "min", "mg"} <= set(units), units
    assert not any(isinstance(v, str) and QTY.fullmatch(v) for w, lr in _all(range(36)) if w.dialect == "et"
                   for v in lr.record.fields.values())


def test_the_day_and_the_machines_shape_the_numbers() -> None:
    load_share: list[float] = []
    esc_speed: list[float] = []
    reversals: list[float] = []
    water: list[float] = []
    reset: list[float] = []
    by_hour: dict[str, list[int]] = defaultdict(list)
    for w, lr in _all(STREAMED):
        kind, f, k = _kind(w, lr), lr.record.fields, w.keys
        if lr.case != "routine" or lr.detail:
            continue
        if kind == "trip":
            car = next(c for c in w.cars if c.name == f[k["car"]])
            x = num(f[k["load"]])
            if x > 0:
                load_share.append(x / car.cap)
            assert f[k["from"]] != f[k["to"]]
            assert {f[k["from"]], f[k["to"]]} <= set(car.levels)
        elif kind == "esc":
            esc_speed.append(num(f[k["escspeed"]]) / (60.0 if w.dialect == "et" else 1.0))
        elif kind == "door":
            reversals.append(num(f[k["reversals"]]))
        elif kind == "pit":
            water.append(num(f[k["water"]]))
            assert 0 <= num(f[k["rh"]]) <= 100
        elif kind == "fault":
            reset.append(num(f[k["reset"]]) / w.reset0)
        elif kind == "flow":
            h = slot_hour(w.dialect, f[k["slot"]])
            band = "peak" if w.am_peak - 0.5 <= h <= w.am_peak + 0.5 else "night" if w.closed[0] + 0.3 <= h < w.closed[1] - 0.3 else ""
            if band:
                by_hour[band].append(f[k["persons"]] / next(c.base for c in w.counters if c.unit == f[k["unit"]]))
    # Trip loads are bimodal: crowded cars at the peaks, a few passengers otherwise.
    assert sum(x > 0.35 for x in load_share) > 0.15 * len(load_share)
    assert sum(x < 0.2 for x in load_share) > 0.35 * len(load_share)
    assert sum(0.25 <= x <= 0.35 for x in load_share) < 0.12 * len(load_share)
    # Escalators slow to eco speed when nobody is on them.
    assert sum(abs(x - 0.2) < 0.02 for x in esc_speed) > 0.1 * len(esc_speed)
    assert sum(x >= 0.45 for x in esc_speed) > 0.4 * len(esc_speed)
    assert sum(x == 0 for x in reversals) > 0.5 * len(reversals)  # zero-inflated
    assert max(reversals) > 0
    assert sum(x == 0 for x in water) > 0.7 * len(water)
    assert max(water) > 0
    reset.sort()
    assert reset[int(0.99 * len(reset))] > 3.0 * reset[len(reset) // 2]  # a heavy right tail
    # Passenger counts follow the day: the morning peak against the closed night.
    assert len(by_hour["peak"]) > 30
    assert len(by_hour["night"]) > 30
    assert statistics.mean(by_hour["peak"]) > 10 * statistics.mean(by_hour["night"])


def test_entities_keep_their_origin_and_counters_only_grow() -> None:
    checked: Counter = Counter()
    spread_worlds = 0
    for seed in range(40):
        wl, batches = _stream(seed)
        k = wl.keys
        last: dict[tuple, int] = {}
        origin_of_station = {st.name: wl.origins[st.origin] for st in wl.stations}
        for lr in (lr for b in batches for lr in _fresh(b)):
            kind, f = _kind(wl, lr), lr.record.fields
            unit = next((f[k[s]] for s in ("car", "esc", "walk") if k[s] in f), None)
            if kind in ("door", "drive", "trip", "esc", "rail", "walk"):
                station = next(u.station for u in wl.cars + wl.escs + wl.walks if u.name == unit)
                assert lr.record.origin == origin_of_station[station], (kind, unit)
            system = {"flow": wl.apc_origin, "pit": wl.bms_origin, "supply": wl.bms_origin, "fault": wl.rm_origin,
                      "call": wl.desk_origin, "visit": wl.cmms_origin, "entrap": wl.rm_origin,
                      "flood": wl.bms_origin}.get(kind)
            if system is not None:
                assert lr.record.origin == wl.origins[system]
            for counter, owner, strict in (("cycles", "car", True), ("runh", "car", False), ("trips", "car", True),
                                           ("eschours", "esc", False), ("pax", "walk", False), ("iv", "unit", True),
                                           ("kwh", "station", True), ("faultno", None, True),
                                           ("callno", None, True), ("wono", None, True)):
                if k[counter] in f:
                    ent = (counter, f[k[owner]] if owner else "")
                    n = _digits(f[k[counter]])
                    prev = last.get(ent, -1)
                    assert n > prev or (not strict and n == prev), (counter, n, prev)
                    last[ent] = n
                    checked[counter] += 1
        if len(wl.origins) >= 6:
            spread_worlds += len({lr.record.origin for b in batches for lr in b}) >= 3
    assert set(checked) == set(COUNTERS)
    assert min(checked.values()) > 60, checked
    assert spread_worlds >= 8


def test_priority_field_takes_the_world_form_on_priority_kinds_only() -> None:
    types: dict[tuple[str, str], set[str]] = defaultdict(set)
    at_routine = carried = 0
    for seed in [*range(len(_worlds())), *_other_forms().values()]:
        w, batches = _stream(seed)
        if w.prio_mode == "text":
            assert w.prio_key is None
            continue
        for lr in batches[0]:
            kind = _kind(w, lr)
            v = lr.record.fields.get(w.prio_key)
            assert (v is not None) == (kind in CARRIERS), (kind, w.prio_key)
            if v is None:
                continue
            types[(w.prio_mode, w.dialect)].add(type(v).__name__)
            p = expected_priority(w, kind, lr.record.fields)  # raises on a value outside the form
            if lr.case == "routine" and kind in PRIORITY_KINDS:
                at_routine += p == 0.0
                carried += 1
                if p > 0:  # a pressing record does not also say, in its note, that it can wait
                    assert not any(c in lr.record.fields[NOTE[w.dialect]] for c in CALM[w.dialect])
    assert 0.78 * carried <= at_routine <= 0.95 * carried
    expected = {"level": {"eu": "int", "et": "str", "sw": "int"}, "respond": {"eu": "int", "et": "str", "sw": "str"},
                "risk": {"eu": "int", "et": "float", "sw": "str"}, "flag": {"eu": "str", "et": "bool", "sw": "str"}}
    for (mode, d), t in types.items():
        assert t == {expected.get(mode, {}).get(d, "str")}, (mode, d, t)
    assert len(types) == len(DIALECTS) * (len(PRIORITY_MODES) - 1)  # every dialect writes every form


def test_every_form_occurs_and_its_truth_rises_with_the_level() -> None:
    by_form: dict[str, dict[float, list]] = defaultdict(lambda: defaultdict(list))
    for seed in [*range(len(_worlds())), *_other_forms().values()]:
        w, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            kind = _kind(w, lr)
            if lr.case != "routine" or kind not in PRIORITY_KINDS:
                continue
            if not _strings(lr.record.fields) & RARE_VALUES[w.dialect] and expected_k(w, kind, lr.record.fields) < 4.5:
                value = lr.record.fields.get(w.prio_key) if w.prio_key else None
                by_form[w.prio_mode][expected_priority(w, kind, lr.record.fields)].append(
                    (lr.importance, w.dialect, value))
    assert set(by_form) == set(PRIORITY_MODES)
    for mode, levels in by_form.items():
        assert set(levels) == ({0.0, 0.9} if mode == "flag" else set(STEPS)), (mode, sorted(levels))
        truths = [sorted({round(i, 9) for i, _, _ in levels[p]}) for p in sorted(levels)]
        assert all(len(t) == 1 for t in truths), (mode, truths)  # the level alone sets a plain record's truth
        assert [t[0] for t in truths] == sorted(t[0] for t in truths)
        assert len({t[0] for t in truths}) == len(truths)  # strictly rising
        assert truths[0][0] == pytest.approx(0.04)
        assert truths[-1][0] >= 0.8
        if mode == "text":
            continue
        top, routine = levels[max(levels)], levels[0.0]
        for d in DIALECTS:
            t = [v for _, dd, v in top if dd == d]
            r = [v for _, dd, v in routine if dd == d]
            if not t or not r:
                continue
            if mode == "respond":  # a shorter response target is more pressing
                assert max(respond_minutes(d, v) for v in t) < min(respond_minutes(d, v) for v in r)
            if mode == "deadline":
                assert max(iso_minutes(d, v) for v in t) < min(iso_minutes(d, v) for v in r)
            if mode == "level":  # level 1 is the worst
                assert {level(d, v) for v in t} == {1}
                assert {level(d, v) for v in r} == {5}
            if mode == "risk":  # a larger score is more pressing
                assert min(risk(d, v) for v in t) > max(risk(d, v) for v in r)
            if mode == "percent":
                assert min(percent(d, v) for v in t) > max(percent(d, v) for v in r)
            if mode in ROUTINE_VALUE:
                assert set(r) == ROUTINE_VALUE[mode](d)


def test_notes_speak_the_dialect_and_say_when_things_can_wait() -> None:
    notes: dict[str, list[str]] = defaultdict(list)
    urgent_in_text_worlds: Counter = Counter()
    for seed, w in enumerate(_worlds()):
        for lr in _stream(seed)[1][0]:
            note = lr.record.fields.get(NOTE[w.dialect])
            if note is None or lr.case != "routine":
                continue
            notes[w.dialect].append(note)
            has_urgent = any(p in note for p in URGENT[w.dialect])
            if w.prio_mode == "text":
                urgent_in_text_worlds[w.dialect] += has_urgent
            else:
                assert not has_urgent, note  # urgency phrases only where the world writes priority in notes
    words = {d: {x for n in notes[d] for x in re.findall(r"[^\W\d_]{4,}", n.lower())} for d in DIALECTS}
    for d in DIALECTS:
        assert len(set(notes[d])) > 60, d
        assert not any(re.search(r"\b(?:the|and|with|after|please)\b", n) for n in notes[d]), d
        assert sum(any(c in n for c in CALM[d]) for n in notes[d]) > 0.1 * len(notes[d]), d
        for other in DIALECTS:  # each dialect's notes in words of its own
            if other != d:
                assert len(words[d] & words[other]) < 0.03 * len(words[d]), (d, other, words[d] & words[other])
    assert sum(bool(re.search("[õäöü]", n)) for n in notes["et"]) > 0.3 * len(notes["et"])
    assert sum(bool(re.search(r"\b(?:da|du|dago|eta|ondoren|bat|ez)\b", n)) for n in notes["eu"]) > 0.4 * len(notes["eu"])
    assert sum(bool(re.search(r"\b(?:ya|wa|na|kwa|la|cha|baada)\b", n)) for n in notes["sw"]) > 0.4 * len(notes["sw"])
    for s in [*range(len(_worlds())), *_other_forms().values()]:
        world = _worlds()[s] if s < len(_worlds()) else _stream(s)[0]
        if world.prio_mode == "text" and urgent_in_text_worlds[world.dialect] < 3:
            w = LiftWorkload(s)
            for lr in w.next_labeled(500, NOW):
                note = lr.record.fields.get(NOTE[w.dialect], "")
                urgent_in_text_worlds[w.dialect] += lr.case == "routine" and any(p in note for p in URGENT[w.dialect])
    assert all(urgent_in_text_worlds[d] >= 3 for d in DIALECTS), urgent_in_text_worlds


def test_near_copies_are_retyped_the_way_each_dialects_systems_would() -> None:
    plain = str.maketrans("õäöüšžÕÄÖÜŠŽñÑ", "oaouszOAOUSZnN")
    how: Counter = Counter()
    for seed in range(48):
        wl, batches = _stream(seed)
        d = wl.dialect
        for b in batches:
            for lr in b:
                if lr.case != "near_dup":
                    continue
                src = b[lr.ref].record.fields
                for key, v in lr.record.fields.items():
                    old = src[key]
                    if v == old:
                        continue
                    if not isinstance(old, str):  # a plain number re-rounded or moved by its last digit
                        assert isinstance(v, int | float)
                        assert abs(v - old) <= max(50.0, 0.05 * abs(old)), (old, v)
                        how[f"{d}: number"] += 1
                    elif QTY.fullmatch(old):
                        m = re.fullmatch(r"(-?\d+(?:[.,]\d+)?) ?(\S+)", v)
                        assert m, (old, v)
                        x, unit = float(m[1].replace(",", ".")), m[2]
                        assert unit.lower() == QTY.fullmatch(old)[2].lower(), (old, v)
                        assert abs(x - num(old)) <= max(50.0, 0.05 * abs(num(old))), (old, v)
                        if x != num(old):
                            how[f"{d}: quantity re-rounded"] += 1
                        elif "," in old and "." in v:
                            how["eu: decimal point"] += 1
                        else:
                            how[f"{d}: unit respelled"] += 1
                    elif len(v) < len(old) and v.count(".") > old.count("."):
                        how[f"{d}: abbreviated"] += 1
                    elif v.lower() == old.lower():
                        how[f"{d}: case"] += 1
                    elif v == old.translate(plain):
                        how[f"{d}: marks dropped"] += 1
                    elif re.sub(r"0+(?=\d)", "", v) == re.sub(r"0+(?=\d)", "", old):
                        how[f"{d}: leading zero"] += 1
                    else:
                        how[f"{d}: separator"] += 1
    for way in ("eu: decimal point", "eu: unit respelled", "sw: unit respelled", "eu: quantity re-rounded",
                "sw: quantity re-rounded", "eu: number", "et: number", "sw: number", "eu: case", "et: case",
                "sw: case", "eu: abbreviated", "et: abbreviated", "sw: abbreviated", "et: marks dropped",
                "eu: leading zero", "et: leading zero", "sw: leading zero", "et: separator", "sw: separator"):
        assert how[way] >= 3, (way, how)


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.72, 0.87), "dup": (0.025, 0.06), "near_dup": (0.05, 0.10),
                               "burst_head": (0.004, 0.015), "burst_tail": (0.03, 0.12), "resend": (0.003, 0.014)})
    assert_within(rates.detail, {"anomaly": (0.012, 0.032), "priority": (0.012, 0.035), "rare_kind": (0.003, 0.015),
                                 "rare_value": (0.0005, 0.005), "": (0.68, 0.82)})
    assert rates.plain_rare_kind >= 0.5 * rates.rare_kind  # most rare kinds carry no priority
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=120)
    assert all(v <= 9 for v in missing.values()), missing  # of 30 windows


def test_rare_kinds_and_values_are_rare() -> None:
    per_kind: Counter = Counter()
    exposure: Counter = Counter()
    values: Counter = Counter()
    carriers: Counter = Counter()
    for seed in range(48):
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
                assert len(rare) == 1
                values[kind] += 1
            if kind not in wl.rare:
                continue
            per_kind[kind] += 1
            if kind in ALWAYS_PRIORITY_RARE:
                assert lr.detail in ("priority", "rare_kind")
                assert lr.importance > 0.7
            else:
                assert (lr.detail, lr.importance) == ("rare_kind", pytest.approx(0.52))
    assert set(per_kind) == set(RARE_KINDS)
    assert set(values) == RARE_VALUE_KINDS
    assert sum(values.values()) < 0.03 * sum(carriers.values())  # about 1.2% of their kinds' records
    for k in RARE_KINDS:
        assert 0.0008 <= per_kind[k] / exposure[k] <= 0.013, (k, per_kind[k], exposure[k])


def test_truth_follows_the_definition() -> None:
    routine = []
    odd_kinds: set[str] = set()
    for wl, lr in _all(range(36)):
        if lr.case not in ("routine", "burst_head"):
            continue
        kind, fields = _kind(wl, lr), lr.record.fields
        a = expected_anomaly(expected_k(wl, kind, fields))
        p = expected_priority(wl, kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        r = rk or (0.45 if _strings(fields) & RARE_VALUES[wl.dialect] else 0.0)
        assert lr.importance == pytest.approx(noisy_or(0.04, 0.9 * a, 0.9 * p, r), abs=1e-9)
        assert lr.detail == main_reason(0.9 * a, 0.9 * p, r, rk)
        if lr.case == "burst_head":
            assert a > 0 or p >= 0.5
            assert lr.importance >= 0.3
            continue
        routine.append(lr.importance)
        assert (lr.importance >= 0.3) == (lr.detail != ""), (lr.importance, lr.detail)
        if lr.detail == "anomaly":
            assert 4.5 <= expected_k(wl, kind, fields) <= 11.5
            odd_kinds.add(kind)
        elif a == 0.0:
            assert expected_k(wl, kind, fields) < 4.0  # routine numbers stay well inside
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert sum(x == pytest.approx(0.04) for x in routine) > 0.85 * len(routine)
    assert odd_kinds == set(COMMON_KINDS)  # every kind has a number that can go wrong, and each does


def test_copies_and_tails_link_to_their_sources() -> None:
    assert_copies_and_tails_link(_stream, COUNTERS, NOTE)


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    checked = 0
    for seed in range(3, 11):
        wl = LiftWorkload(seed)
        lrs = [lr for i in range(5) for lr in wl.next_labeled(256, NOW + i * 10**6) if lr.case == "routine"]
        values: dict[tuple, list[float]] = defaultdict(list)
        for lr in lrs:
            kind = _kind(wl, lr)
            if lr.detail == "":
                for key, s in wl.stats.get(kind, {}).items():
                    values[(kind, key)].append(_space(num(lr.record.fields[key]), s.space))
        typical = {}
        for (kind, key), xs in values.items():
            if len(xs) >= 60:
                xs.sort()
                s = wl.stats[kind][key]
                med = xs[len(xs) // 2]
                width = xs[int(0.975 * len(xs)) - 1] - xs[int(0.025 * len(xs))]
                typical[(kind, key)] = (med, max(width / 3.92, 0.5 * s.spread))
                assert abs(med - s.center) <= 1.5 * s.spread  # the real median (the day moves it a little)
        for lr in lrs:
            kind = _kind(wl, lr)
            if lr.detail != "anomaly":
                continue
            far = []
            for key, s in wl.stats[kind].items():
                if (kind, key) in typical:
                    x = _space(num(lr.record.fields[key]), s.space)
                    far.append(abs(x - typical[(kind, key)][0]) / typical[(kind, key)][1])
                    if far[-1] >= 3.5 and s.direction:
                        assert (x - typical[(kind, key)][0]) * s.direction > 0, (kind, key, lr.record.fields)
            if far:
                checked += 1
                assert max(far) >= 3.0, (kind, lr.record.fields)
    assert checked > 15
    dirs = {(w.dialect, key): s.direction for w in _worlds() for kind in ("door", "esc", "trip", "supply", "walk")
            for key, s in w.stats.get(kind, {}).items()}
    assert dirs[("eu", "bibrazioa-rms")] == dirs[("et", "vibratsioon_mm_s")] == dirs[("sw", "mtetemo")] == 1
    assert dirs[("eu", "ixte-indarra")] == dirs[("et", "paletivahe_mm")] == dirs[("sw", "kurudiNyuma")] == 1
    assert dirs[("eu", "kate-tentsioa")] == dirs[("sw", "mvutanoWaMnyororo")] == dirs[("et", "tasandusviga_mm")] == 0
    assert dirs[("eu", "tentsioa")] == dirs[("sw", "volteji")] == 0
    wl = LiftWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    for seed in (9, 10, 12):
        wl = LiftWorkload(seed)
        seen: dict[tuple, float] = {}
        for i in range(6):
            batch = wl.next_labeled(256, NOW + i * 10**6)
            for lr in batch:
                if lr.case == "resend":
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items())))
                    assert seen.get(key, 0.0) >= 0.3
                    assert lr.importance in (pytest.approx(0.01 * seen[key]), pytest.approx(0.02 * seen[key]))
                    assert lr.detail == ""
                    assert lr.ref == -1
                    hits += 1
            for lr in batch:
                if lr.case in ("routine", "burst_head"):
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items())))
                    seen[key] = max(seen.get(key, 0.0), lr.importance)
    assert hits > 3


def test_training_never_loads_the_lift_family() -> None:
    assert modules_loaded_by_training("holdout_lift") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_lift") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["lift"] == ("node.workload.holdout_lift", "LiftWorkload")
