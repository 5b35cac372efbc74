"""The held-out ``volcano`` family: seeded, valid, varied observatory worlds, every case at a sensible rate, truth
per the definition (recomputed here from what each record says, not from the generator's own code)."""

from __future__ import annotations

import datetime
import math
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_volcano import (
    ALWAYS_PRIORITY_RARE,
    COMMON_KINDS,
    COUNTERS,
    DIALECTS,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    VolcanoWorkload,
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
WORLDS = 48
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE

# The definition's priority, written out independently of the generator: value -> strength, per form.
STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)
WORDS = {"is": ("óveruleg", "væg", "miðlungs", "alvarleg", "lífshættuleg"), "ja": ("平常", "軽微", "中程度", "重大", "緊急"),
         "pam": ("normal", "mababa", "kalagitnan", "matas", "kritikal")}
COLOUR = {"is": ("grænn", "gulur", "appelsínugulur", "rauður"), "ja": ("緑", "黄", "オレンジ", "赤"),
          "pam": ("berde", "amarillu", "naranja", "malutu")}
COLOUR_STRENGTH = (0.0, 0.5, 0.75, 1.0)  # the aviation colour code has four values
CODE = {"is": ("E", "D", "C", "B", "A"), "ja": ("D", "C", "B", "A", "S"), "pam": ("P5", "P4", "P3", "P2", "P1")}
ESCALATION = {"is": ("vakthafandi sérfræðingur", "fagstjóri eldfjallavár", "vísindaráð almannavarna",
                     "almannavarnadeild", "samhæfingarstöð almannavarna"),
              "ja": ("監視当番", "火山監視・警報センター", "火山課長", "気象庁長官", "内閣府防災担当"),
              "pam": ("duty officer", "resident volcanologist", "PHIVOLCS director", "PDRRMO Pampanga", "NDRRMC")}
FLAG = {"is": ("já", "nei"), "ja": (True, False), "pam": ("wa", "ali")}  # (on, off)
URGENT = {
    "is": ("athugið þegar tími gefst", "þarf að skoða í dag", "áríðandi: sendið vakt á staðinn strax",
           "NEYÐ: hætta á manntjóni, virkið almannavarnir"),
    "ja": ("時間があるときに確認", "本日中に対応が必要", "至急：直ちに現地へ急行", "緊急：人命に危険、直ちに避難を"),
    "pam": ("lawan mu nung atin panaun", "kailangan ngening aldo", "apura: ipadala ngeni ing team",
            "EMERGENCY: peligru king bie, pamibakwit ngeni"),
}
CALM = {
    "is": ("ekki áríðandi", "liggur ekki á", "til upplýsingar", "venjubundið eftirlit", "má bíða næstu ferðar"),
    "ja": ("緊急性なし", "急ぎではない", "参考情報", "通常監視の範囲", "次回の定期調査で確認"),
    "pam": ("e apura", "ala yang kailangan a madalian", "para king record", "regular monitoring",
            "makapanenaya ya king susunod a biyahi"),
}
PRIO_KEYS = {"words": ("alvarleiki", "shinkokudo", "kabigatan"), "level": ("forgangur", "keikaiReberu", "antas"),
             "colour": ("flugkodi", "koukuuShoku", "kule-aviation"),
             "countdown": ("svarfrestur", "nokoriJikan", "panaun-sagut-min"),
             "deadline": ("frestur_til", "taiouKigen", "taning"), "score": ("ahaettumat", "kikenDo", "peligru-index"),
             "percent": ("likur_gos", "funkaKakuritsu", "posibilidad-pct"), "flag": ("aridandi", "shikyu", "apura"),
             "code": ("flokkur", "kubun", "klase"), "escalation": ("visad_til", "houkokuSaki", "ipasa-king")}
OPENED = {"is": "skrad", "ja": "happyoNichiji", "pam": "mibuklat"}
NOTE = {"is": "athugasemd", "ja": "bikou", "pam": "komentaryu"}
RARE_VALUES = {"is": {"sprengiskjálfti", "glóð í gíg", "flugmæling"}, "ja": {"爆発地震", "火映", "航空機観測"},
               "pam": {"explosion-type", "crater glow", "airborne"}}
RARE_VALUE_KINDS = {"quake", "thermal", "so2"}
NIGHT = {"is": "myrkur", "ja": "夜間", "pam": "bengi"}
WORD_FORMS = {"words", "colour", "escalation", "text"}
ROUTINE_VALUE = {"words": lambda d: {WORDS[d][0]}, "code": lambda d: {CODE[d][0]}, "colour": lambda d: {COLOUR[d][0]},
                 "escalation": lambda d: {ESCALATION[d][0]}, "flag": lambda d: {FLAG[d][1]}}
MONTHS_IS = ("janúar", "febrúar", "mars", "apríl", "maí", "júní", "júlí", "ágúst", "september", "október", "nóvember",
             "desember")
# Readings written as strings, after NFKC (full-width digits, ℃ -> °C, µ -> μ, ² -> 2).
QTY = {"is": re.compile(r"(?P<n>-?\d+(?:[.,]\d+)?) ?(?P<u>km|t/d|°C|μS/cm|g/m2)"),
       "ja": re.compile(r"(?P<p>M ?|FL ?)?(?P<n>-?\d{1,3}(?:,\d{3})+|-?\d+(?:\.\d+)?) ?(?P<u>km|トン/日|°C)?")}


def num(v: object, d: str) -> float:
    """A reading as written: a number, or a string in the dialect's way (a decimal comma in is, a thousands comma,
    a prefix or a unit in ja)."""
    assert not isinstance(v, bool)
    if isinstance(v, int | float):
        return float(v)
    assert d in QTY, (d, v)  # pam writes plain numbers only
    s = unicodedata.normalize("NFKC", str(v))
    m = QTY[d].fullmatch(s)
    assert m, (d, v)
    return float(m["n"].replace(",", "") if d == "ja" else m["n"].replace(",", "."))


def countdown_minutes(d: str, v: object) -> int:
    if d == "pam":
        assert isinstance(v, int)
        assert not isinstance(v, bool)
        return v
    m = re.fullmatch(r"(\d+)(日|時間|分)" if d == "ja" else r"(\d+) (dagur|dagar|klst\.|mín\.)", str(v))
    assert m, v
    if d == "is" and m[2].startswith("dag"):  # Icelandic: 1, 21, 31 ... dagur; otherwise dagar
        assert (m[2] == "dagur") == (int(m[1]) % 10 == 1 and int(m[1]) % 100 != 11), v
    return int(m[1]) * {"日": 1440, "時間": 60, "分": 1, "dagur": 1440, "dagar": 1440, "klst.": 60, "mín.": 1}[m[2]]


def stamp(d: str, v: object) -> datetime.datetime:
    s = str(v)
    if d == "is":
        m = re.fullmatch(r"(\d{1,2})\. (\w+) (\d{4}) kl\. (\d{2}):(\d{2})", s)
        assert m, v
        return datetime.datetime(int(m[3]), MONTHS_IS.index(m[2]) + 1, int(m[1]), int(m[4]), int(m[5]))
    if d == "ja":
        m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日 (\d{2})時(\d{2})分", s)
        assert m, v
        return datetime.datetime(*(int(x) for x in m.groups()))  # type: ignore[misc]
    m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2}) (AM|PM)", s)
    assert m, v
    assert 1 <= int(m[4]) <= 12
    hour = int(m[4]) % 12 + (12 if m[6] == "PM" else 0)
    return datetime.datetime(int(m[3]), int(m[1]), int(m[2]), hour, int(m[5]))


def level_step(d: str, v: object) -> int:
    if d == "ja":
        m = re.fullmatch(r"レベル([1-5])", str(v))
        assert m, v
        return int(m[1]) - 1  # 5 is the worst
    assert isinstance(v, int)
    assert not isinstance(v, bool)
    if d == "is":
        assert 1 <= v <= 5
        return 5 - v  # 1 is the worst
    assert 0 <= v <= 4
    return v  # 4 is the worst


def score_share(d: str, v: object) -> float:
    if d == "is":
        assert isinstance(v, float)
        assert 0.0 <= v <= 1.0
        return v
    assert isinstance(v, int)
    assert not isinstance(v, bool)
    top = 10 if d == "ja" else 100
    assert 0 <= v <= top
    return v / top


def percent(d: str, v: object) -> int:
    if d == "pam":
        assert isinstance(v, int)
        assert not isinstance(v, bool)
        n = v
    else:
        m = re.fullmatch(r"(\d{1,3}) %" if d == "is" else r"(\d{1,3})％", str(v))
        assert m, v
        n = int(m[1])
    assert 0 <= n <= 100
    return n


def expected_priority(wl: VolcanoWorkload, kind: str, fields: dict) -> float:
    if kind not in CARRIERS:
        return 0.0
    d, mode = wl.dialect, wl.prio_mode
    if mode == "text":
        note = fields[NOTE[d]]
        return max([STEPS[i + 1] for i, p in enumerate(URGENT[d]) if p in note], default=0.0)
    v = fields[wl.prio_key]
    if mode == "words":
        return STEPS[WORDS[d].index(v)]
    if mode == "level":
        return STEPS[level_step(d, v)]
    if mode == "colour":
        return COLOUR_STRENGTH[COLOUR[d].index(v)]
    if mode in ("countdown", "deadline"):  # minutes left to respond: 24 h / 6 h / 1 h / 15 min
        if mode == "countdown":
            left = countdown_minutes(d, v)
        else:
            left = int((stamp(d, v) - stamp(d, fields[OPENED[d]])).total_seconds() // 60)
        assert 5 <= left <= 14 * 1440
        return STEPS[sum(left < e for e in (1440, 360, 60, 15))]
    if mode == "score":
        return STEPS[sum(score_share(d, v) >= e for e in (0.2, 0.4, 0.6, 0.8))]
    if mode == "percent":
        return STEPS[sum(percent(d, v) >= e for e in (3, 15, 40, 70))]
    if mode == "flag":
        assert v in FLAG[d], v
        assert type(v) is type(FLAG[d][0])
        return 0.9 if v == FLAG[d][0] else 0.0
    if mode == "code":
        return STEPS[CODE[d].index(v)]
    assert mode == "escalation"
    return STEPS[ESCALATION[d].index(v)]


def _space(x: float, space: str) -> float:
    return math.log(max(x, 1e-9)) if space == "log" else math.log1p(max(x, 0.0)) if space == "log1p" else x


def expected_k(wl: VolcanoWorkload, kind: str, fields: dict) -> float:
    return max((abs(_space(num(fields[key], wl.dialect), s.space) - s.center) / s.spread
                for key, s in wl.stats.get(kind, {}).items()), default=0.0)


def expected_anomaly(k: float) -> float:
    return 0.0 if k < 5.0 else min(1.0, 0.4 + 0.1 * (k - 5.0))


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    """A world's first batches, streamed once."""
    wl = VolcanoWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


@cache
def _worlds(count: int = WORLDS) -> tuple[VolcanoWorkload, ...]:
    """The first worlds, as streamed: only their static attributes (dialect, form, kinds, origins, rates, names)
    are read through this, and streaming does not change them."""
    return tuple(_stream(s)[0] for s in range(count))


@cache
def _other_forms() -> dict[tuple[str, str], int]:
    """A seed for every (dialect, form) the first worlds lack (found by ``world_form``, checked against the world
    it names)."""
    have = {(w.dialect, w.prio_mode) for w in _worlds()}
    out: dict[tuple[str, str], int] = {}
    for seed in range(WORLDS, 3000):
        form = world_form(seed)
        if form not in have | out.keys():
            out[form] = seed
        if len(have) + len(out) == len(DIALECTS) * len(PRIORITY_MODES):
            break
    for form, seed in out.items():
        w = _stream(seed)[0]
        assert (w.dialect, w.prio_mode) == form
    return out


def _kind(wl: VolcanoWorkload, lr) -> str:
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
    assert_seeded(VolcanoWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_volcano import VolcanoWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = VolcanoWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins[-1], wl.common, wl.rare, [c.name for c in wl.cameras],\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('near_dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    wl = VolcanoWorkload(2)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert abs(b[-1].record.ts_ms - (NOW + i * 10**8)) < 10**5  # ends near now
    early = wl.next_labeled(60, NOW)  # an earlier now: the stream never goes back
    assert early[0].record.ts_ms > batches[-1][-1].record.ts_ms
    for w in map(VolcanoWorkload, range(4)):  # short batches: a burst never outgrows its batch
        for n in range(1, 30):
            b = w.next_labeled(n, NOW)
            assert len(b) == n
            tails = Counter(lr.ref for lr in b if lr.case == "burst_tail")
            assert all(b[i].case == "burst_head" for i in tails)
            assert all(tails[i] >= 2 for i, lr in enumerate(b) if lr.case == "burst_head")
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = VolcanoWorkload(2).next_batch(40, NOW)
    assert [(r.cid, imp) for r, imp in pairs] == [
        (lr.record.cid, lr.importance) for lr in VolcanoWorkload(2).next_labeled(40, NOW)]
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
                    assert 0 < len(v) <= 200
                if isinstance(v, float):
                    assert math.isfinite(v)


def test_worlds_vary_in_dialect_kinds_origins_and_priority_form() -> None:
    worlds = _worlds()
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert all(world_form(s) == (w.dialect, w.prio_mode) for s, w in enumerate(worlds))
    assert len(PRIORITY_MODES) >= 10
    assert len(set(PRIORITY_MODES) - WORD_FORMS) >= 0.6 * len(PRIORITY_MODES)  # most are not words
    assert len({(w.dialect, w.prio_mode) for w in worlds}) + len(_other_forms()) == len(DIALECTS) * len(PRIORITY_MODES)
    assert len({w.common for w in worlds}) > 40
    assert all(4 <= len(w.common) <= 7 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(PRIORITY_KINDS & set(w.common) for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 9 for w in worlds)
    assert len({len(w.origins) for w in worlds}) >= 5
    assert len({w.mean_gap for w in worlds}) == 4
    assert 0.1 < sum(w.clumpy for w in worlds) / len(worlds) < 0.5
    for w in worlds:  # no two fields of a dialect share a name, nor a field and the priority field
        assert len(set(w.keys.values())) == len(w.keys)
        assert w.prio_key not in w.keys.values()
        if w.prio_key:
            assert w.prio_key == PRIO_KEYS[w.prio_mode][DIALECTS.index(w.dialect)]
    kind_style = {"is": r"[a-záéíóúýðþæö0-9]+(?:_[a-záéíóúýðþæö0-9]+)*\.[a-záéíóúýðþæö0-9]+(?:_[a-záéíóúýðþæö0-9]+)*",
                  "ja": r"[A-Z0-9]*[\u3040-\u30ff\u4e00-\u9fff]+", "pam": r"[a-z0-9]+:[a-z0-9]+(?:-[a-z0-9]+)*"}
    key_style = {"is": r"[a-z0-9]+(?:_[a-z0-9]+)*", "ja": r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*",
                 "pam": r"[a-z0-9]+(?:-[a-z0-9]+)*"}
    names: dict[str, set[str]] = defaultdict(set)
    keys_seen: dict[str, set[str]] = defaultdict(set)
    for seed in range(36):
        w, batches = _stream(seed)
        for lr in batches[0]:
            names[w.dialect].add(lr.record.kind)
            assert re.fullmatch(kind_style[w.dialect], lr.record.kind), (w.dialect, lr.record.kind)
            for key in lr.record.fields:
                keys_seen[w.dialect].add(key)
                assert re.fullmatch(key_style[w.dialect], key), (w.dialect, key)
    assert not names["is"] & names["ja"]
    assert not names["ja"] & names["pam"]
    assert not names["is"] & names["pam"]
    assert sum(bool(re.search("[ðþæö]", k)) for k in names["is"]) >= 5  # is kinds keep their letters
    assert any("_" in k for k in keys_seen["is"])
    assert any(re.search("[A-Z]", k) for k in keys_seen["ja"])  # camelCase romaji
    assert any("-" in k for k in keys_seen["pam"])  # kebab-case
    assert not keys_seen["is"] & keys_seen["ja"]


def test_units_and_number_formats_follow_the_dialect() -> None:
    seen: dict[tuple[str, str], list[float]] = defaultdict(list)
    shapes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for w, lr in _all(range(WORLDS)):
        if lr.case != "routine" or lr.detail:
            continue
        kind, f = _kind(w, lr), lr.record.fields
        for sem in {"quake": ("mag", "depth"), "so2": ("so2", "wind"), "tilt": ("trad",), "vona": ("top",),
                    "lake": ("laket", "cond", "ph"), "thermal": ("tmax",), "co2": ("co2f",),
                    "ashfall": ("load",)}.get(kind, ()):
            v = f[w.keys[sem]]
            seen[(w.dialect, sem)].append(num(v, w.dialect))
            shape = "int" if isinstance(v, int) else "float" if isinstance(v, float) else \
                "comma" if re.fullmatch(r"-?\d+,\d+ \S+", v) else "whole" if re.fullmatch(r"-?\d+ \S+", v) else \
                "prefix" if re.fullmatch(r"(?:M|FL)-?[\d.]+", v) else \
                "thousands" if re.fullmatch(r"\d{1,3}(?:,\d{3})+\D+", v) else \
                "glued" if re.fullmatch(r"-?\d+(?:\.\d+)?[^\d\s.,]+", v) else v
            shapes[(w.dialect, sem)].add(shape)
    med = {k: statistics.median(v) for k, v in seen.items()}
    absmed = {k: statistics.median(abs(x) for x in v) for k, v in seen.items()}
    assert set(seen) >= {(d, s) for d in DIALECTS for s in ("mag", "so2", "trad", "top", "cond", "tmax")}
    assert 20 < med[("is", "so2")] < 2000  # tonnes per day
    assert 100 < med[("ja", "so2")] < 10000  # tonnes per day, a bigger emitter
    assert 0.2 < med[("pam", "so2")] < 30  # kg/s
    assert 20 * absmed[("is", "trad")] < absmed[("pam", "trad")]  # µrad, nanoradians
    assert 600 < med[("is", "top")] < 4000  # metres above sea level
    assert 20 < med[("ja", "top")] < 130  # flight level
    assert 2000 < med[("pam", "top")] < 13000  # feet
    assert med[("ja", "cond")] < 0.5 * min(med[("is", "cond")], med[("pam", "cond")])  # mS/m against µS/cm
    assert med[("pam", "wind")] > 2 * max(med[("is", "wind")], med[("ja", "wind")])  # km/h against m/s
    assert all(0 <= x <= 14 for d in DIALECTS for x in seen[(d, "ph")])
    assert shapes[("is", "depth")] == shapes[("is", "tmax")] == shapes[("is", "laket")] == {"comma"}
    assert shapes[("is", "so2")] == shapes[("is", "cond")] == {"whole"}
    assert shapes[("ja", "mag")] == shapes[("ja", "top")] == {"prefix"}
    assert shapes[("ja", "so2")] <= {"thousands", "glued"}
    assert "thousands" in shapes[("ja", "so2")]
    assert shapes[("ja", "depth")] == shapes[("ja", "tmax")] == {"glued"}
    assert all(shapes[("pam", s)] <= {"int", "float"} for s in ("mag", "depth", "so2", "trad", "top", "tmax", "load"))
    assert all(shapes[(d, "ph")] == {"float"} for d in DIALECTS)
    readings = ("mag", "depth", "dur", "rsam", "freq", "de", "dn", "du", "velu", "nsat", "trad", "ttan", "ttemp", "so2",
                "wind", "plumeh", "co2f", "soilt", "baro", "cs", "h2s", "hs", "so2ppm", "tmax", "laket", "ph", "cond",
                "amp", "ndet", "baz", "afm", "rain", "load", "dist", "ftemp", "cracks", "nq", "maxmag", "top")
    for w, lr in _all(range(WORLDS)):  # pam writes every reading as a plain number, copies included
        if w.dialect == "pam":
            assert not any(isinstance(lr.record.fields.get(w.keys[s]), str) for s in readings), lr.record.fields


def test_the_day_and_the_network_shape_the_numbers() -> None:
    cam: dict[tuple[int, str], dict[bool, list[float]]] = defaultdict(lambda: defaultdict(list))
    rsam: dict[str, list[float]] = defaultdict(list)
    zeros: dict[str, list[bool]] = defaultdict(list)
    loads: list[float] = []
    above: list[bool] = []
    depth: list[float] = []
    afm: dict[bool, list[float]] = defaultdict(list)
    tilt: dict[tuple[int, str], list[float]] = defaultdict(list)
    for seed in range(WORLDS):
        w, batches = _stream(seed)
        k, d = w.keys, w.dialect
        for lr in (lr for b in batches for lr in b):
            kind, f = _kind(w, lr), lr.record.fields
            if lr.case != "routine" or lr.detail:
                continue
            if kind == "thermal":
                cam[(seed, f[k["camera"]])][f[k["obs"]] != NIGHT[d]].append(num(f[k["tmax"]], d))
            elif kind == "rsam":
                m = re.fullmatch(r"(\d{1,2})\D(\d{2})\D*?(AM|PM)?", f[k["slot"]].replace(" ", ""))
                assert m, f[k["slot"]]
                h = int(m[1]) % 12 + (12 if m[3] == "PM" else 0) if m[3] else int(m[1])
                band = "day" if 10 <= h < 17 else "night" if 0 <= h < 5 else ""
                if band:
                    st = next(x for x in w.seis if x.name == f[k["station"]])
                    rsam[band].append(num(f[k["rsam"]], d) / st.base)
            elif kind == "multigas":
                zeros["h2s"].append(num(f[k["h2s"]], d) == 0)
            elif kind == "infra":
                zeros["ndet"].append(f[k["ndet"]] == 0)
            elif kind == "field":
                zeros["cracks"].append(f[k["cracks"]] == 0)
            elif kind == "ashfall":
                x = num(f[k["load"]], d)
                zeros["load"].append(x == 0)
                if x:
                    loc = next(p for p in w.localities if p.name == f[k["locality"]])
                    loads.append(x * loc.dist / w.ash0)
            elif kind == "afm":
                rain = num(f[k["rain"]], d)
                zeros["rain"].append(rain == 0)
                st = next(s for s in w.afms if s.name == f[k["afmst"]])
                if rain == 0 or rain > 0.5:
                    afm[rain > 0.5].append(num(f[k["afm"]], d) / st.l0)
            elif kind == "quake":
                v = next(x for x in w.volcanoes if x.name == f[k["volcano"]])
                above.append(num(f[k["mag"]], d) >= v.mc + 1.05)
                depth.append(num(f[k["depth"]], d))
            elif kind == "tilt":
                tilt[(seed, f[k["tstation"]])].append(num(f[k["trad"]], d))
    # Cameras' hot spots are warmed by the sun: day frames run hotter than night frames.
    pairs = [(statistics.mean(v[True]), statistics.mean(v[False])) for v in cam.values()
             if len(v[True]) >= 3 and len(v[False]) >= 3]
    assert len(pairs) >= 10
    assert sum(a > b for a, b in pairs) >= 0.8 * len(pairs)
    # RSAM carries daytime cultural noise and afternoon wind.
    assert len(rsam["day"]) > 50
    assert len(rsam["night"]) > 50
    assert statistics.median(rsam["day"]) > 1.3 * statistics.median(rsam["night"])
    # Zero-inflated counts and readings.
    for name, lo in (("h2s", 0.3), ("ndet", 0.45), ("cracks", 0.6), ("load", 0.4), ("rain", 0.5)):
        assert len(zeros[name]) > 100, name
        assert sum(zeros[name]) > lo * len(zeros[name]), name
        assert not all(zeros[name]), name
    # Heavy tails: ash loads (log-normal, sigma 0.8) and Gutenberg-Richter magnitudes.
    loads.sort()
    assert loads[int(0.95 * len(loads))] > 3.0 * loads[len(loads) // 2]
    assert 0.02 < sum(above) / len(above) < 0.2  # 10^-b above one unit over completeness
    # Depths are bimodal: a shallow swarm and a deep one, little in between.
    assert sum(x < 7.5 for x in depth) > 0.4 * len(depth)
    assert sum(x > 10.0 for x in depth) > 0.05 * len(depth)
    assert sum(8.0 <= x <= 9.5 for x in depth) < 0.03 * len(depth)
    # Rain lifts the lahar channels' flow monitors.
    assert len(afm[True]) > 20
    assert statistics.mean(afm[True]) > 1.15 * statistics.mean(afm[False])
    # The earth tide and the sun move the tiltmeters well past their noise.
    spreads = [statistics.pstdev(v) for v in tilt.values() if len(v) >= 10]
    assert len(spreads) >= 10
    assert statistics.median(spreads) > 0.3


def test_entities_keep_their_origin_and_counters_only_grow() -> None:
    checked: Counter = Counter()
    for seed in range(40):
        wl, batches = _stream(seed)
        k = wl.keys
        last: dict[tuple, int] = {}
        for lr in (lr for b in batches for lr in b if lr.case in ("routine", "burst_head")):
            kind, f = _kind(wl, lr), lr.record.fields
            system = {"gnss": wl.geo_origin, "tilt": wl.geo_origin, "so2": wl.gas_origin, "co2": wl.gas_origin,
                      "multigas": wl.gas_origin, "thermal": wl.cam_origin, "infra": wl.cam_origin,
                      "pdc": wl.cam_origin, "lake": wl.hydro_origin, "afm": wl.hydro_origin, "lahar": wl.hydro_origin,
                      "bulletin": wl.duty_origin, "vona": wl.duty_origin, "eruption": wl.duty_origin,
                      "field": wl.field_origin, "ashfall": wl.field_origin, "felt": wl.field_origin}.get(kind)
            if system is not None:
                assert lr.record.origin == wl.origins[system], kind
            if kind in ("quake", "rsam"):  # each seismic station is ingested through its own hub
                st = next(x for x in wl.seis if x.name == f[k["station"]])
                assert lr.record.origin == wl.origins[st.origin]
            for counter, owner in (("evid", None), ("riv", "station"), ("scanno", "scanner"), ("frame", "camera"),
                                   ("aiv", "afmst"), ("fieldno", None), ("bulno", None), ("vonano", None)):
                if k[counter] in f:
                    ent = (counter, f[k[owner]] if owner else "")
                    n = _digits(f[k[counter]])
                    prev = last.get(ent, -1)
                    assert n > prev, (counter, n, prev)
                    last[ent] = n
                    checked[counter] += 1
    assert set(checked) == set(COUNTERS)
    assert min(checked.values()) > 60, checked


def test_priority_field_takes_the_world_form_on_priority_kinds_only() -> None:
    types: dict[tuple[str, str], set[str]] = defaultdict(set)
    at_routine = carried = 0
    for seed in [*range(WORLDS), *_other_forms().values()]:
        w, batches = _stream(seed)
        if w.prio_mode == "text":
            assert w.prio_key is None
            continue
        for lr in batches[0]:
            kind = _kind(w, lr)
            v = lr.record.fields.get(w.prio_key)
            assert (v is not None) == (kind in CARRIERS), (kind, w.prio_key)
            assert (OPENED[w.dialect] in lr.record.fields) == (kind in CARRIERS and w.prio_mode == "deadline")
            if v is None:
                continue
            types[(w.prio_mode, w.dialect)].add(type(v).__name__)
            p = expected_priority(w, kind, lr.record.fields)  # raises on a value outside the form
            if lr.case == "routine" and kind in PRIORITY_KINDS:
                at_routine += p == 0.0
                carried += 1
                if p > 0:  # a pressing record does not also say, in its note, that it can wait
                    assert not any(c in lr.record.fields[NOTE[w.dialect]] for c in CALM[w.dialect])
    assert 0.75 * carried <= at_routine <= 0.95 * carried
    expected = {"level": {"is": "int", "ja": "str", "pam": "int"}, "countdown": {"pam": "int"},
                "score": {"is": "float", "ja": "int", "pam": "int"}, "percent": {"pam": "int"}, "flag": {"ja": "bool"}}
    for (mode, d), t in types.items():
        assert t == {expected.get(mode, {}).get(d, "str")}, (mode, d, t)
    assert len(types) == len(DIALECTS) * (len(PRIORITY_MODES) - 1)  # every dialect writes every form


def test_every_form_occurs_and_its_truth_rises_with_the_level() -> None:
    by_form: dict[str, dict[float, list]] = defaultdict(lambda: defaultdict(list))
    for seed in [*range(WORLDS), *_other_forms().values()]:
        w, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            kind = _kind(w, lr)
            if lr.case != "routine" or kind not in PRIORITY_KINDS:
                continue
            if expected_k(w, kind, lr.record.fields) < 5:
                value = lr.record.fields.get(w.prio_key) if w.prio_key else None
                by_form[w.prio_mode][expected_priority(w, kind, lr.record.fields)].append(
                    (lr.importance, w.dialect, value, lr.record.fields))
    assert set(by_form) == set(PRIORITY_MODES)
    for mode, levels in by_form.items():
        want = {0.0, 0.9} if mode == "flag" else set(COLOUR_STRENGTH) if mode == "colour" else set(STEPS)
        assert set(levels) == want, (mode, sorted(levels))
        truths = [sorted({round(i, 9) for i, _, _, _ in levels[p]}) for p in sorted(levels)]
        assert all(len(t) == 1 for t in truths), (mode, truths)  # the level alone sets a plain record's truth
        assert [t[0] for t in truths] == sorted(t[0] for t in truths)
        assert len({t[0] for t in truths}) == len(truths)  # strictly rising
        assert truths[0][0] == pytest.approx(0.04)
        assert truths[-1][0] >= 0.8
        top, routine = levels[max(levels)], levels[0.0]
        for d in DIALECTS:
            t = [v for _, dd, v, _ in top if dd == d]
            r = [v for _, dd, v, _ in routine if dd == d]
            if not t or not r:
                continue
            if mode == "countdown":  # less time left is more pressing; routine records have a day or more
                assert max(countdown_minutes(d, v) for v in t) < 15 <= 1440 <= min(countdown_minutes(d, v) for v in r)
            if mode == "score":
                assert min(score_share(d, v) for v in t) > max(score_share(d, v) for v in r)
            if mode == "percent":
                assert min(percent(d, v) for v in t) > max(percent(d, v) for v in r)
            if mode == "level":
                assert {level_step(d, v) for v in t} == {4}
            if mode in ROUTINE_VALUE:
                assert set(r) == ROUTINE_VALUE[mode](d)
        if mode == "deadline":  # the time left is read between the two dates; routine ones are a day away or more
            for _, d, v, f in routine:
                assert (stamp(d, v) - stamp(d, f[OPENED[d]])).days >= 1


def test_notes_speak_the_dialect_and_say_when_things_can_wait() -> None:
    notes: dict[str, list[str]] = defaultdict(list)
    urgent_in_text_worlds: Counter = Counter()
    for seed in range(WORLDS):
        w, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
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
        for other in DIALECTS:
            if other != d:
                assert len(words[d] & words[other]) < 0.04 * len(words[d]), (d, other, words[d] & words[other])
    assert sum(bool(re.search("[þðæöáíúý]", n)) for n in notes["is"]) > 0.5 * len(notes["is"])
    assert sum(bool(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", n)) for n in notes["ja"]) == len(notes["ja"])
    assert sum(bool(re.search(r"\b(?:ing|king|ning|ala|atin|ya)\b", n)) for n in notes["pam"]) > 0.6 * len(notes["pam"])
    for s in [*range(WORLDS), *_other_forms().values()]:
        world = _stream(s)[0] if s >= WORLDS else _worlds()[s]
        if world.prio_mode == "text" and urgent_in_text_worlds[world.dialect] < 3:
            w = VolcanoWorkload(s)
            for lr in w.next_labeled(600, NOW):
                note = lr.record.fields.get(NOTE[w.dialect], "")
                urgent_in_text_worlds[w.dialect] += lr.case == "routine" and any(p in note for p in URGENT[w.dialect])
    assert all(urgent_in_text_worlds[d] >= 3 for d in DIALECTS), urgent_in_text_worlds


def test_near_copies_are_retyped_the_way_each_dialects_systems_would() -> None:
    def fold(s: str) -> str:
        s = s.translate(str.maketrans({"þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "æ": "ae", "Æ": "Ae", "ö": "o",
                                       "Ö": "O"}))
        return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))

    how: Counter = Counter()
    for seed in range(WORLDS):
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
                    if not isinstance(old, str):
                        assert isinstance(v, int | float)
                        assert abs(v - old) <= max(50.0, 0.05 * abs(old)), (old, v)
                        how[f"{d}: number"] += 1
                    elif d != "pam" and QTY[d].fullmatch(unicodedata.normalize("NFKC", old)) and \
                            key in {wl.keys[s] for s in ("mag", "depth", "so2", "tmax", "laket", "cond", "load", "top")}:
                        x, y = num(old, d), num(v, d)
                        assert abs(x - y) <= max(5.0, 0.05 * abs(x)), (old, v)
                        how[f"{d}: quantity"] += 1
                    elif d == "ja" and unicodedata.normalize("NFKC", v) == old:
                        how["ja: " + ("half-width" if re.search("[\uff66-\uff9f]", v) else "full-width")] += 1
                    elif fold(v) == v and fold(old) == v:
                        how[f"{d}: folded"] += 1
                    elif len(v) < len(old) and ("." in v or d == "ja"):
                        how[f"{d}: abbreviated"] += 1
                    elif v.lower() == old.lower():
                        how[f"{d}: case"] += 1
                    else:
                        how[f"{d}: separator"] += 1
    for way in ("is: number", "ja: number", "pam: number", "is: quantity", "ja: quantity", "is: folded",
                "ja: half-width", "ja: full-width", "is: abbreviated", "ja: abbreviated", "pam: abbreviated",
                "is: case", "pam: case", "pam: separator"):
        assert how[way] >= 3, (way, how)


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.74, 0.89), "dup": (0.02, 0.055), "near_dup": (0.045, 0.09),
                               "burst_head": (0.004, 0.014), "burst_tail": (0.025, 0.12), "resend": (0.003, 0.013)})
    assert_within(rates.detail, {"anomaly": (0.012, 0.032), "priority": (0.01, 0.035), "rare_kind": (0.002, 0.014),
                                 "rare_value": (0.0008, 0.006), "": (0.68, 0.84)})
    assert rates.plain_rare_kind >= 0.5 * rates.rare_kind  # most rare kinds carry no priority
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=120)
    assert all(v <= 10 for v in missing.values()), missing  # of 30 windows


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
        assert 0.0006 <= per_kind[k] / exposure[k] <= 0.012, (k, per_kind[k], exposure[k])


def test_truth_follows_the_definition() -> None:
    routine = []
    odd_kinds: set[str] = set()
    for wl, lr in _all(range(WORLDS)):
        if lr.case not in ("routine", "burst_head"):
            continue
        kind, fields = _kind(wl, lr), lr.record.fields
        k = expected_k(wl, kind, fields)
        a = expected_anomaly(k)
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
        assert (lr.importance >= 0.3) == (lr.detail != ""), (lr.importance, lr.detail)
        if lr.detail == "anomaly":
            assert 5.0 <= k <= 12.5
            odd_kinds.add(kind)
        elif a == 0.0:
            assert k < 4.0  # routine numbers stay well inside
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert sum(x == pytest.approx(0.04) for x in routine) > 0.85 * len(routine)
    assert odd_kinds == set(COMMON_KINDS)  # every kind has a number that can go wrong, and each does


def test_copies_and_tails_link_to_their_sources() -> None:
    assert_copies_and_tails_link(_stream, COUNTERS, NOTE)


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    checked = 0
    for seed in range(3, 11):
        wl = VolcanoWorkload(seed)
        lrs = [lr for i in range(5) for lr in wl.next_labeled(256, NOW + i * 10**6) if lr.case == "routine"]
        values: dict[tuple, list[float]] = defaultdict(list)
        for lr in lrs:
            kind = _kind(wl, lr)
            if lr.detail == "":
                for key, s in wl.stats.get(kind, {}).items():
                    values[(kind, key)].append(_space(num(lr.record.fields[key], wl.dialect), s.space))
        typical = {}
        for (kind, key), xs in values.items():
            if len(xs) >= 60:
                xs.sort()
                s = wl.stats[kind][key]
                med = xs[len(xs) // 2]
                width = xs[int(0.975 * len(xs)) - 1] - xs[int(0.025 * len(xs))]
                typical[(kind, key)] = (med, max(width / 3.92, 0.5 * s.spread))
                assert abs(med - s.center) <= 1.6 * s.spread, (kind, key)  # the real median (the day moves it)
        for lr in lrs:
            kind = _kind(wl, lr)
            if lr.detail != "anomaly":
                continue
            far = []
            for key, s in wl.stats[kind].items():
                if (kind, key) in typical:
                    x = _space(num(lr.record.fields[key], wl.dialect), s.space)
                    far.append(abs(x - typical[(kind, key)][0]) / typical[(kind, key)][1])
                    if far[-1] >= 4.0 and s.direction:
                        assert (x - typical[(kind, key)][0]) * s.direction > 0, (kind, key, lr.record.fields)
            if far:
                checked += 1
                assert max(far) >= 3.0, (kind, lr.record.fields)
    assert checked > 15
    wl = VolcanoWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    for seed in (9, 10, 12, 13):
        wl = VolcanoWorkload(seed)
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


def test_training_never_loads_the_volcano_family() -> None:
    assert modules_loaded_by_training("holdout_volcano") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_volcano") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    families = eval_unseen_families()
    if "volcano" not in families:  # registering it is the evaluation script's change, not this family's
        pytest.skip("volcano is not yet listed in scripts/eval_unseen.py FAMILIES")
    assert families["volcano"] == ("node.workload.holdout_volcano", "VolcanoWorkload")
