"""The held-out ``tunnel`` family: seeded, valid, varied tunnel projects, every case at a sensible rate, truth per
the definition (recomputed here from what each record writes, with this file's own tables of every priority
form, unit, number format and rare value, not the generator's)."""

from __future__ import annotations

import hashlib
import math
import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_tunnel import (
    ALWAYS_RAISED,
    CARRIERS,
    COMMON_KINDS,
    DIALECTS,
    ORIGIN_IDS,
    PRIORITY_FORMS,
    RARE_KINDS,
    WATCHED,
    TunnelWorkload,
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
    model_modules_loaded_by_import,
    modules_loaded_by_training,
    same_output_under_two_hash_seeds,
    stream_and_tail_gaps,
    windows_missing,
)

NOW = 1_700_000_000_000
WORLDS = 30
STEPS = (0.0, 0.35, 0.6, 0.8, 1.0)

# The definition's priority, written out independently of the generator: what each form writes per step.
TABLES = {
    "words": {"zh": ("常规", "低", "中", "高", "紧急"),
              "he": ("שגרתית", "נמוכה", "בינונית", "גבוהה", "קריטית"),
              "da": ("normal", "lav", "middel", "høj", "kritisk")},
    "scope": {"zh": ("无需停工", "本工位", "掌子面区域", "全隧道", "全工地"),
              "he": ("ללא עצירה", "נקודת העבודה", "אזור החזית", "כל המנהרה", "כל האתר"),
              "da": ("intet stop", "arbejdsstedet", "brystningsområdet", "hele tunnelen", "hele pladsen")},
    "signoff": {"zh": ("无需签认", "班组长", "值班工程师", "项目经理", "安监站"),
                "he": ("לא נדרש", "מנהל עבודה", "מהנדס משמרת", "מנהל פרויקט", "מפקח עבודה"),
                "da": ("ingen", "sjakbajs", "vagthavende ingeniør", "projektchef", "Arbejdstilsynet")},
    "ppe": {"zh": ("常规防护", "防尘口罩", "便携式检测仪", "随身自救器", "正压呼吸器"),
            "he": ("ציוד רגיל", "מסכת אבק", "גלאי גז אישי", "מסכת מילוט", "מנשם אוויר"),
            "da": ("standard", "støvmaske", "personlig gasmåler", "selvredder", "friskluftsudstyr")},
    "cadence": {"zh": ("每周", "每天", "每4小时", "每小时", "实时连续"),
                "he": ("שבועי", "יומי", "כל 4 שעות", "כל שעה", "רציף"),
                "da": ("ugentligt", "dagligt", "hver 4. time", "hver time", "kontinuerligt")},
}
# A count written by the numeric forms: (zh pattern, he pattern); da writes a plain int.
COUNT_TEXT = {"crews": (r"(\d+)个班组", None), "rings": (r"(\d+)环", r"(\d+) טב׳"), "cordon": (r"(\d+)米", r"(\d+) מ׳")}
# The priority field's name: zh characters or pinyin, he words, da words.
PRIO_NAMES = {"words": (("优先级", "youxianji"), "עדיפות", "prioritet"),
              "scope": (("停工范围", "tinggong_fanwei"), "היקף עצירה", "stopomfang"),
              "crews": (("出动班组", "chudong_banzu"), "צוותים להזעקה", "holdudkaldt"),
              "signoff": (("复工签认", "fugong_qianren"), "אישור חזרה לעבודה", "frigivesaf"),
              "rings": (("剩余可掘环数", "shengyu_kejue_huanshu"), "טבעות עד טיפול", "ringetilafklaring"),
              "cordon": (("警戒半径", "jingjie_banjing"), "רדיוס גידור", "afspærringradiusm"),
              "ppe": (("防护要求", "fanghu_yaoqiu"), "ציוד מגן נדרש", "krævedeværnemidler"),
              "cadence": (("监测频率", "jiance_pinlv"), "תדירות מדידה", "målefrekvens")}
WORD_FORMS = {"words"}  # the one form that writes priority words (in the dialect)
RARE_VALUES = {"zh": {"管片开裂", "发现未爆弹药"}, "he": {"סגמנט סדוק", "נמצאה תחמושת שלא התפוצצה"},
               "da": {"revnet segment", "fund af ueksploderet ammunition"}}
RARE_VALUE_KINDS = {"ring", "shift"}
MODES = {"zh": ("掘进", "拼装", "停机"), "he": ("כרייה", "הרכבת טבעת", "עצירה"),
         "da": ("fremdrift", "ringbygning", "stilstand")}
# Strings worlds write measured numbers as "<number> <unit>": Danish with a decimal comma, Hebrew with a point.
UNITS = {"da": ("bar", "kN", "MN", "MNm", "°C", "mm", "m", "min", "m³", "%", "s", "%LEL", "ppm", "m/s", "t/h", "A", "t",
                "l/s", "m³/h", "timer", "NTU", "°", "‰", "mm/min"),
         "he": ("בר", "kPa", "kN", "MN", "kNm", "MNm", "°C", "מ״מ", "מ׳", "דק׳", "מ״ק", "%", "שנ׳", "%LEL", "ppm",
                "מ׳/ש׳", "טון/שעה", "A", "טון", "ל׳/ש׳", "מ״ק/שעה", "שע׳", "NTU", "°", "‰", "מ״מ/דק׳")}
QTY_TEXT = {d: re.compile(r"(-?\d+(?:" + ("," if d == "da" else r"\.") + r"\d+)?) (" +
                          "|".join(re.escape(u) for u in sorted(us, key=len, reverse=True)) + ")")
            for d, us in UNITS.items()}
MEASURED = ("face_pressure", "bearing_temp", "thrust", "torque", "settlement", "delta", "build_time", "lipping",
            "volume", "fill", "ch4", "co", "o2", "velocity", "gearbox_temp", "tracking", "mass", "cycle_time", "inflow",
            "turbidity", "horiz", "vert", "wear", "downtime", "level", "current", "temp", "advance")
SCRIPT = {"zh": lambda c: "\u4e00" <= c <= "\u9fff", "he": lambda c: "\u05d0" <= c <= "\u05ea",
          "da": lambda c: c in "æøåÆØÅ"}


def num(v: object, dialect: str) -> float:
    assert not isinstance(v, bool)
    if isinstance(v, int | float):
        return float(v)
    m = QTY_TEXT[dialect].fullmatch(str(v))
    assert m, v
    return float(m[1].replace(",", "."))


def num_or_none(v: object, dialect: str) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    return num(v, dialect) if dialect in QTY_TEXT and QTY_TEXT[dialect].fullmatch(str(v)) else None


def to_space(x: float, space: str) -> float:
    return math.log(x) if space == "log" else math.log1p(x) if space == "log1p" else x


def count_of(form: str, dialect: str, v: object) -> int:
    if dialect == "da" or (dialect == "he" and form == "crews"):
        assert type(v) is int, v
        return v
    assert isinstance(v, str), v
    if form == "crews" and v == "无":
        return 0
    pattern = COUNT_TEXT[form][0 if dialect == "zh" else 1]
    assert pattern is not None
    hit = re.fullmatch(pattern, v)
    assert hit, v
    return int(hit[1])


def expected_priority(wl: TunnelWorkload, kind: str, fields: dict) -> float:
    if kind not in CARRIERS:
        return 0.0
    d, form, v = wl.dialect, wl.prio_form, fields[wl.prio_key]
    if form in TABLES:
        return STEPS[TABLES[form][d].index(v)]
    n = count_of(form, d, v)
    if form == "crews":  # crews called out: the more, the more pressing
        assert 0 <= n <= 6
        return STEPS[min(n, 4)]
    if form == "rings":  # rings the TBM may still advance: the fewer, the more pressing
        assert 0 <= n <= 400
        return STEPS[4 if n == 0 else 3 if n <= 5 else 2 if n <= 19 else 1 if n <= 59 else 0]
    assert form == "cordon"  # a cordon radius in metres: the wider, the more pressing
    assert 0 <= n <= 1_000
    return STEPS[0 if n < 5 else 1 if n < 20 else 2 if n < 80 else 3 if n < 300 else 4]


def expected_k(wl: TunnelWorkload, kind: str, fields: dict) -> float:
    return max((abs(to_space(num(fields[key], wl.dialect), st.space) - st.centre) / st.spread
                for key, st in wl.stats.get(kind, {}).items() if key in fields), default=0.0)


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = TunnelWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


def _all(seeds):
    for seed in seeds:
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            yield wl, lr


def _kind(wl: TunnelWorkload, lr) -> str:
    return wl.kind_of[lr.record.kind]


@cache
def _form_seeds() -> dict[tuple[str, str], int]:
    seeds: dict[tuple[str, str], int] = {}
    for s in range(400):
        seeds.setdefault(world_form(s), s)
    return seeds


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(TunnelWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_tunnel import TunnelWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = TunnelWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_form, wl.origins, wl.common, wl.rare, sorted(wl.keys.items()),\n"
        "          sorted((k, sorted(v.items())) for k, v in wl.stats.items()), sorted(wl.units.items()),\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('near_dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    assert list(ORIGIN_IDS) == [PrivateKey(hashlib.sha256(f"holdout-tunnel-origin/{i}".encode()).digest()).peer_id
                                for i in range(8)]
    wl = TunnelWorkload(2)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert b[0].record.ts_ms >= NOW + i * 10**8
    early = wl.next_labeled(60, NOW)  # an earlier now: the stream never goes back
    assert early[0].record.ts_ms > batches[-1][-1].record.ts_ms
    for w in map(TunnelWorkload, range(4)):  # short batches: a burst never outgrows its batch
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
        assert len(rec.kind) <= 40
        assert len(rec.fields) <= 10
        assert len(rec.canonical_bytes()) <= lim.max_total_bytes // 8
        for k, v in rec.fields.items():
            assert len(k) <= 48
            assert isinstance(v, bool | int | float | str), (k, v)
            assert not isinstance(v, bool)  # no flags in this family
            if isinstance(v, str):
                assert 0 < len(v) <= 200
            if isinstance(v, float):
                assert math.isfinite(v)


def test_worlds_vary_in_dialect_kinds_origins_form_and_naming() -> None:
    worlds = [_stream(s)[0] for s in range(WORLDS)]
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert all(world_form(s) == (w.dialect, w.prio_form) for s, w in enumerate(worlds))
    assert set(_form_seeds()) == {(d, f) for d in DIALECTS for f in PRIORITY_FORMS}
    assert len(PRIORITY_FORMS) == 8
    assert len(set(PRIORITY_FORMS) - WORD_FORMS) == 7
    share = Counter(world_form(s)[0] for s in range(600))
    assert all(160 <= share[d] <= 240 for d in DIALECTS), share  # a third each
    styles = defaultdict(set)
    for w in worlds + [_stream(s)[0] for s in _form_seeds().values()]:
        styles[w.dialect].add((w.kind_style, w.field_style))
    assert {k for d in styles for k, _f in styles[d]} == {"dotted", "upper", "pascal", "slash", "joined", "bracket",
                                                          "spaced", "snake", "maqaf"}
    assert {f for _k, f in styles["zh"]} == {"joined", "snake", "pinyin"}
    assert {f for _k, f in styles["he"]} == {"snake", "spaced", "maqaf"}
    assert {f for _k, f in styles["da"]} == {"snake", "kebab", "camel", "spaced"}
    assert all(8 <= len(w.common) <= 10 and {"tbm", "settle", "gas", "ring", "shift", "hazard"} <= set(w.common)
               and not {"conveyor", "train"} <= set(w.common) for w in worlds)
    assert all(1 <= len(w.rare) <= 3 for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 8 and set(w.origins) <= set(ORIGIN_IDS) for w in worlds)
    assert len({w.common for w in worlds}) > 12
    assert len({len(w.tbms) for w in worlds}) == 3
    for w in worlds:
        assert len(set(w.keys.values())) == len(w.keys)
        assert w.prio_key not in set(w.keys.values())
        zh, he, da = PRIO_NAMES[w.prio_form]
        key = w.prio_key
        if w.dialect == "zh":
            assert re.sub(r"_", "", key) == zh[0] or key == zh[1], key
        elif w.dialect == "he":
            assert re.sub(r"[_־ ]", " ", key) == he, key
        else:
            assert re.sub(r"[-_ ]", "", key).lower() == da, key
        assert not re.search(r"priority|severity|urgen|critical|level", key, re.I)
    script: Counter = Counter()
    for w, lr in _all(range(WORLDS)):
        kind = lr.record.kind
        d = w.dialect
        assert {"dotted": "." in kind, "slash": "/" in kind, "snake": "_" in kind, "spaced": " " in kind,
                "maqaf": "־" in kind, "bracket": kind.startswith("【"),
                "upper": kind == kind.upper() and "_" in kind,
                "pascal": kind[:1].isupper() and not re.search(r"[-_./: ]", kind),
                "joined": not re.search(r"[-_./: 【]", kind)}[w.kind_style], (w.kind_style, kind)
        text = kind + "".join(lr.record.fields) + "".join(v for v in lr.record.fields.values() if isinstance(v, str))
        script[d] += any(SCRIPT[d](c) for c in text)
        for key in lr.record.fields:
            if d == "zh" and w.field_style == "pinyin":
                assert re.fullmatch(r"[a-z0-9_]+", key), key
            elif d == "zh":
                assert w.field_style == "snake" or "_" not in key, key
                assert not re.search(r"[a-z]{3}", key.split("(")[0].split("（")[0]), key  # characters, not pinyin
            elif w.field_style in ("snake", "kebab", "maqaf"):
                sep = {"snake": "_", "kebab": "-", "maqaf": "־"}[w.field_style]
                assert not ({"_", "-", "־", " "} - {sep}) & set(key), (w.field_style, key)
            elif w.field_style == "spaced":
                assert not {"_", "־"} & set(key), key
            else:  # camel
                assert not re.search(r"[-_ ]", key), key
    assert script["zh"] > 1000
    assert script["he"] > 1000
    assert script["da"] > 500  # Danish letters (æ ø å) in many records, not all


def test_units_and_number_formats_follow_the_dialect() -> None:
    shapes: dict[tuple[str, bool], set[str]] = defaultdict(set)
    press: dict[str, list[float]] = defaultdict(list)
    torque: dict[str, list[float]] = defaultdict(list)
    ch4: dict[str, list[float]] = defaultdict(list)
    chainages: dict[str, set[str]] = defaultdict(set)
    for w, lr in _all(range(WORLDS)):
        kind, f, d = _kind(w, lr), lr.record.fields, w.dialect
        if lr.case != "routine" or lr.detail:
            continue
        for sem in MEASURED:
            key = w.keys[sem]
            if key not in f:
                continue
            v = f[key]
            if w.strings:
                assert d in ("da", "he")
                assert isinstance(v, str), (sem, v)
                assert QTY_TEXT[d].fullmatch(v), (sem, v)  # "2,35 bar", "12.4 מ״מ"
                shapes[(d, True)].add("comma" if "," in v else "point" if "." in v else "whole")
            else:
                assert isinstance(v, int | float), (sem, v)
                shapes[(d, False)].add(type(v).__name__)
                if d == "zh":
                    assert re.search(r"[(（].+[)）]$", key) or w.field_style == "pinyin", key
        if kind == "tbm":
            x = num(f[w.keys["face_pressure"]], d)
            unit = w.units["press"].sym
            press[unit].append(x)
            if f[w.keys["mode"]] == MODES[d][0]:
                torque[w.units["torque"].sym].append(num(f[w.keys["torque"]], d))
            c = f[w.keys["chainage"]]
            chainages[d].add("zh" if re.fullmatch(r"[YZ]K\d+\+\d{3}\.\d{3}", c) else
                             "he" if re.fullmatch(r"\d+\+\d{3}\.\d", c) else "da" if re.fullmatch(r"\d+\+\d{3},\d", c)
                             else c)
        if kind == "gas":
            ch4[w.units["lel"].sym].append(num(f[w.keys["ch4"]], d))
    assert shapes[("da", True)] == {"comma", "whole"}  # a decimal comma
    assert shapes[("he", True)] == {"point", "whole"}
    assert shapes[("zh", False)] == shapes[("da", False)] == {"int", "float"}
    assert chainages == {"zh": {"zh"}, "he": {"he"}, "da": {"da"}}
    assert {"bar", "MPa", "kPa", "בר"} <= set(press)
    for unit, xs in press.items():  # the same support pressures in three units
        med = statistics.median(xs)
        assert {"MPa": 0.09 < med < 0.35, "kPa": 90 < med < 350}.get(unit, 0.9 < med < 3.5), (unit, med)
    for unit, xs in torque.items():  # MN·m on metro and road TBMs, or kN·m
        med = statistics.median(xs)
        assert (800 < med < 90_000) if unit.startswith("kN") else (0.8 < med < 90), (unit, med)
    assert "%" in ch4  # zh writes methane in % by volume, tiny numbers
    assert max(ch4["%"]) < 0.3
    for xs in ch4.values():  # zero-inflated: mostly no methane at all
        assert sum(x == 0 for x in xs) > 0.6 * len(xs)


def test_the_tunnel_behaves_like_one() -> None:
    behind: list[float] = []
    ahead: list[float] = []
    rings: dict[tuple[int, str], list[int]] = defaultdict(list)
    grout_ok = grout = 0
    counters: dict[tuple[int, str, str], list] = defaultdict(list)
    modes: Counter = Counter()
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
        d = wl.dialect
        built: dict[str, set[int]] = defaultdict(set)
        for lr in (lr for b in batches for lr in b):
            if lr.case != "routine":
                continue
            kind, f = _kind(wl, lr), lr.record.fields
            if kind == "settle" and not lr.detail:
                dist = num(f[wl.keys["face_dist"]], d)
                (behind if dist < -40 else ahead if dist > 20 else []).append(num(f[wl.keys["settlement"]], d))
            elif kind == "ring":
                tbm, ring = f[wl.keys["tbm"]], f[wl.keys["ring"]]
                rings[(seed, tbm)].append(ring)
                built[tbm].add(ring)
            elif kind == "grout":
                grout += 1
                grout_ok += f[wl.keys["ring"]] in built[f[wl.keys["tbm"]]]
            elif kind == "tbm":
                mode = MODES[d].index(f[wl.keys["mode"]])
                adv, tq = num(f[wl.keys["advance"]], d), num(f[wl.keys["torque"]], d)
                assert (adv > 0 and tq > 0) == (mode == 0), f
                modes[mode] += 1
                stroke = f[wl.keys["stroke"]]
                assert 0 <= stroke <= 2_150
                if mode == 0:  # the stroke runs on while it bores, and starts again with the next ring
                    counters[(seed, "stroke", f[wl.keys["tbm"]])].append((f[wl.keys["ring"]], stroke))
            elif kind == "conveyor":
                speed = num(f[wl.keys["speed"]], d)
                assert (speed == 0) == (num(f[wl.keys["load"]], d) == 0) == (num(f[wl.keys["current"]], d) == 0)
                counters[(seed, "tonnage", f[wl.keys["belt"]])].append(f[wl.keys["tonnage"]])
            elif kind == "gas":
                counters[(seed, "seq", f[wl.keys["station"]])].append(f[wl.keys["seq"]])
            elif kind == "hazard":
                counters[(seed, "ticket", "")].append(f[wl.keys["ticket_no"]])
            elif kind == "cutter":
                assert (num(f[wl.keys["chamber_pressure"]], d) > 0) == (f[wl.keys["access"]] in
                                                                         ("带压", "אוויר דחוס", "trykluft")), f
    # points behind the face have settled, points ahead of it not yet
    assert statistics.median(behind) < statistics.median(ahead) - 1.5
    assert len(rings) > 20
    assert all(xs == sorted(xs) and len(set(xs)) == len(xs) for xs in rings.values())  # rings count up
    assert grout > 100
    assert grout_ok > 0.9 * grout  # the grout of a ring comes after that ring was built
    assert min(modes.values()) > 50  # boring, building rings, standing
    for (_seed, what, _dev), xs in counters.items():
        assert xs == sorted(xs), (what, xs[:10])
        if what in ("seq", "ticket"):
            assert len(set(xs)) == len(xs)


def test_priority_field_only_on_carriers_and_every_form_rises() -> None:
    by_form: dict[str, Counter] = defaultdict(Counter)
    raised_rare: Counter = Counter()
    values: dict[str, dict[float, list[int]]] = defaultdict(lambda: defaultdict(list))
    for (d, form), seed in sorted(_form_seeds().items()):
        wl, batches = _stream(seed)
        assert (wl.dialect, wl.prio_form) == (d, form)
        for lr in (lr for b in batches for lr in b):
            kind = _kind(wl, lr)
            assert (wl.prio_key in lr.record.fields) == (kind in CARRIERS), (kind, lr.record.fields)
            if lr.case in ("routine", "burst_head") and kind in CARRIERS:
                v = lr.record.fields[wl.prio_key]
                p = expected_priority(wl, kind, lr.record.fields)
                if form in COUNT_TEXT:
                    values[form][p].append(count_of(form, d, v))
                if kind in ALWAYS_RAISED:
                    assert p >= 0.6
                    raised_rare[kind] += 1
                if lr.case == "routine" and kind in COMMON_KINDS:
                    by_form[form][p > 0] += 1
    assert set(by_form) == set(PRIORITY_FORMS)
    for form, c in by_form.items():  # each form writes calm and raised records, about 80-90% calm
        assert 0.04 <= c[True] / (c[True] + c[False]) <= 0.25, (form, c)
    # the numeric forms rank in their own direction: more crews, fewer rings left, a wider cordon
    for form, sign in (("crews", 1), ("rings", -1), ("cordon", 1)):
        per = values[form]
        assert len(per) >= 4, (form, sorted(per))
        steps = sorted(per)
        for lo, hi in zip(steps, steps[1:], strict=False):
            if sign > 0:
                assert min(per[hi]) > max(per[lo]), form
            else:
                assert max(per[hi]) < min(per[lo]), form
    assert sum(raised_rare.values()) > 0


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.76, 0.87), "dup": (0.035, 0.065), "near_dup": (0.04, 0.08),
                               "burst_head": (0.006, 0.014), "burst_tail": (0.035, 0.1), "resend": (0.003, 0.014)})
    assert_within(rates.detail, {"anomaly": (0.012, 0.032), "priority": (0.013, 0.035),
                                 "rare_kind": (0.0015, 0.008), "rare_value": (0.0005, 0.006), "": (0.71, 0.83)})
    assert rates.plain_rare_kind >= 0.2 * rates.rare_kind
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=160)
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
        assert 0.0008 <= per_kind[k] / exposure[k] <= 0.01, (k, per_kind[k], exposure[k])


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
    ways: Counter = Counter()
    worlds_with_tails = 0
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
        d = wl.dialect
        steppers = {wl.keys[s] for s in ("stroke", "cycle", "seq", "starts", "tonnage", "revision", "occurrences")}
        measured = {wl.keys[s] for s in MEASURED}  # numbers that may drift or follow a drift in a tail
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
                        elif key == wl.prio_key or (key not in measured and (isinstance(v, int) or (
                                isinstance(v, str) and num_or_none(v, d) is None))):
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
                        old, new = sf[k], lr.record.fields[k]
                        assert not isinstance(old, int)  # counters, ids and ints are never re-typed
                        retyped["number" if num_or_none(old, d) is not None else "text"] += 1
                        if isinstance(old, str) and d in QTY_TEXT and QTY_TEXT[d].fullmatch(old):
                            ways[(d, "qty-point" if new == old.replace(",", ".", 1) else "qty-ascii" if re.search(
                                "[\"']", new) else "qty-space" if new == old.replace(" ", "", 1) else "qty-other")] += 1
                        elif isinstance(old, str):  # each dialect's own way of writing the same thing
                            ways[(d, "comma" if ("," in old and "." in new) else "fold" if re.search(
                                "ae|oe|aa", new) and re.search("[æøå]", old) else "gershayim" if re.search(
                                "[\"']", new) else "traditional" if any(a != b and "\u4e00" <= b <= "\u9fff"
                                                                       for a, b in zip(old, new, strict=False))
                                else "fullwidth" if re.search("[＋－，]", new) else "other")] += 1
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
    assert ways[("da", "qty-other")] == ways[("he", "qty-other")] == 0
    for way in (("da", "comma"), ("da", "fold"), ("he", "gershayim"), ("zh", "traditional"), ("zh", "fullwidth"),
                ("da", "qty-point"), ("da", "qty-space"), ("he", "qty-ascii"), ("he", "qty-space")):
        assert ways[way] >= 3, (way, ways)
    assert worlds_with_tails >= 20


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    trouble = {s: t for spec in WATCHED.values() for s, (_space, t, _b) in spec.items()}
    checked: Counter = Counter()
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
        d = wl.dialect
        lrs = [lr for b in batches for lr in b]
        sem_of = {v: s for s, v in wl.keys.items()}
        typical: dict[tuple[str, str], tuple[float, float]] = {}
        for kind, stats in wl.stats.items():
            for key, st in stats.items():
                xs = sorted(to_space(num(lr.record.fields[key], d), st.space) for lr in lrs
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
                    far.append(((to_space(num(lr.record.fields[key], d), st.space) - med) / spread, sem_of[key]))
            if far:
                z, sem = max(far, key=lambda f: abs(f[0]))
                checked[kind] += 1
                assert abs(z) >= 3.5, (kind, lr.record.fields, z)
                if trouble[sem]:  # the way that means trouble
                    assert z * trouble[sem] > 0, (kind, sem, lr.record.fields)
    assert sum(checked.values()) > 120
    assert len(checked) >= 7
    wl = TunnelWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    factors: Counter = Counter()  # same origin (1%) and another (2%) both occur
    for seed in (9, 10, 12, 13):
        wl = TunnelWorkload(seed)
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


def test_training_never_loads_the_tunnel_family() -> None:
    assert modules_loaded_by_training("tunnel") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_tunnel") == "[]"
