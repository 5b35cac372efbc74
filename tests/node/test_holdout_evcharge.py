"""The held-out ``evcharge`` family: seeded, valid, varied charging-network worlds, every case at a sensible
rate, truth per the definition (recomputed here from what each record writes, with this file's own tables
of every priority form and unit, not the generator's)."""

from __future__ import annotations

import hashlib
import math
import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_evcharge import (
    ALWAYS_RAISED,
    CARRIERS,
    COMMON_KINDS,
    DIALECTS,
    HUB_IDS,
    PRIORITY_MODES,
    RARE_KINDS,
    WATCHED,
    EvChargeWorkload,
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
    "words": {"sw": ("kawaida", "chini", "wastani", "haraka", "hatari"),
              "vi": ("thường", "thấp", "trung bình", "khẩn", "khẩn cấp"),
              "ka": ("ჩვეულებრივი", "დაბალი", "საშუალო", "სასწრაფო", "კრიტიკული")},
    "lane": {"sw": ("F5", "F4", "F3", "F2", "F1"), "vi": ("H5", "H4", "H3", "H2", "H1"),
             "ka": ("რ5", "რ4", "რ3", "რ2", "რ1")},
    "grade": {"sw": ("E", "D", "C", "B", "A"), "vi": ("E", "D", "C", "B", "A"), "ka": ("ე", "დ", "გ", "ბ", "ა")},
    "escalate": {"sw": ("hakuna", "fundi wa kituo", "msimamizi wa kanda", "kituo cha udhibiti", "zimamoto"),
                 "vi": ("không ai", "kỹ thuật viên trạm", "giám sát vùng", "trung tâm điều hành", "cứu hỏa"),
                 "ka": ("არავის", "სადგურის ტექნიკოსს", "რეგიონულ ზედამხედველს", "ოპერაციულ ცენტრს",
                        "სახანძრო სამსახურს")},
    "beacon": {"sw": ("kijani", "njano", "machungwa", "nyekundu", "zambarau"),
               "vi": ("xanh lá", "vàng", "cam", "đỏ", "tím"),
               "ka": ("მწვანე", "ყვითელი", "ნარინჯისფერი", "წითელი", "იისფერი")},
    "stars": {d: ("☆☆☆☆", "★☆☆☆", "★★☆☆", "★★★☆", "★★★★") for d in ("sw", "vi", "ka")},
}
FLAG_ON = {"sw": ("ndiyo", "hapana"), "vi": (True, False), "ka": ("კი", "არა")}
PRIO_NAMES = {"words": ("kipaumbele", "mức ưu tiên", "პრიორიტეტი"),
              "lane": ("foleni ya huduma", "hàng xử lý", "მომსახურების რიგი"),
              "grade": ("daraja", "xếp loại", "კლასი"),
              "minutes": ("dakika hadi hatua", "hạn xử lý", "რეაგირების წუთები"),
              "escalate": ("pandisha kwa", "chuyển cho", "ესკალაცია"),
              "flag": ("zima chaja", "ngắt trụ", "დამტენის გათიშვა"),
              "beacon": ("rangi ya taa", "màu đèn", "ნათურის ფერი"),
              "stars": ("athari", "ảnh hưởng", "გავლენა")}
WORD_FORMS = {"words"}  # the one form that writes priority words (in the dialect)
RARE_VALUES = {"sw": {"kitufe cha dharura kimebonyezwa", "pini imeyeyuka"},
               "vi": {"nút dừng khẩn được nhấn", "chân cắm bị chảy"},
               "ka": {"ავარიული ღილაკი დაჭერილია", "გამდნარი კონტაქტი"}}
RARE_VALUE_KINDS = {"session", "ticket"}
VI_QTY = re.compile(r"(?P<n>-?[\d.,]+) ?(?P<u>kWh|kW|°C|V|A|Hz|MB|mA|₫|phút|giờ|giây)")
LETTERS = {"vi": set("ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĐ"),
           "ka": {chr(c) for c in range(0x10D0, 0x10F1)}}


def num(v: object) -> float:
    assert not isinstance(v, bool)
    if isinstance(v, int | float):
        return float(v)
    m = VI_QTY.fullmatch(str(v))
    assert m, v
    return float(m["n"].replace(".", "") if m["u"] == "₫" else m["n"].replace(",", "."))


def num_or_none(v: object) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    return num(v) if VI_QTY.fullmatch(str(v)) else None


def to_space(x: float, space: str) -> float:
    return math.log(x) if space == "log" else math.log1p(x) if space == "log1p" else x


def expected_priority(wl: EvChargeWorkload, kind: str, fields: dict) -> float:
    if kind not in CARRIERS:
        return 0.0
    d, mode, v = wl.dialect, wl.prio_mode, fields[wl.prio_key]
    if mode in TABLES:
        return STEPS[TABLES[mode][d].index(v)]
    if mode == "flag":
        assert v in FLAG_ON[d]
        assert type(v) is type(FLAG_ON[d][0])
        return 0.9 if v == FLAG_ON[d][0] else 0.0
    assert mode == "minutes"  # minutes until someone must act: the fewer, the more pressing
    if d == "ka":
        assert type(v) is int
        m = v
    else:
        hit = re.fullmatch(r"dakika (\d+)" if d == "sw" else r"(\d+) phút", v)
        assert hit, v
        m = int(hit[1])
    assert 0 <= m <= 1440
    return STEPS[0 if m >= 240 else 1 if m >= 60 else 2 if m >= 15 else 3 if m >= 5 else 4]


def expected_k(wl: EvChargeWorkload, kind: str, fields: dict) -> float:
    return max((abs(to_space(num(fields[key]), st.space) - st.centre) / st.spread
                for key, st in wl.stats.get(kind, {}).items() if key in fields), default=0.0)


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = EvChargeWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


def _all(seeds):
    for seed in seeds:
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            yield wl, lr


def _kind(wl: EvChargeWorkload, lr) -> str:
    return wl.kind_of[lr.record.kind]


@cache
def _form_seeds() -> dict[tuple[str, str], int]:
    seeds: dict[tuple[str, str], int] = {}
    for s in range(400):
        seeds.setdefault(world_form(s), s)
    return seeds


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(EvChargeWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_evcharge import EvChargeWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = EvChargeWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins, wl.common, wl.rare, sorted(wl.keys.items()),\n"
        "          sorted((k, sorted(v.items())) for k, v in wl.stats.items()),\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('near_dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    assert list(HUB_IDS) == [PrivateKey(hashlib.sha256(f"holdout-evcharge-hub/{i}".encode()).digest()).peer_id
                             for i in range(8)]
    wl = EvChargeWorkload(2)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert b[0].record.ts_ms >= NOW + i * 10**8
    early = wl.next_labeled(60, NOW)  # an earlier now: the stream never goes back
    assert early[0].record.ts_ms > batches[-1][-1].record.ts_ms
    for w in map(EvChargeWorkload, range(4)):  # short batches: a burst never outgrows its batch
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


def test_worlds_vary_in_dialect_kinds_hubs_form_and_naming() -> None:
    worlds = [_stream(s)[0] for s in range(WORLDS)]
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert all(world_form(s) == (w.dialect, w.prio_mode) for s, w in enumerate(worlds))
    assert set(_form_seeds()) == {(d, m) for d in DIALECTS for m in PRIORITY_MODES}
    assert len(PRIORITY_MODES) == 8
    assert len(set(PRIORITY_MODES) - WORD_FORMS) >= 7
    assert {w.kind_style for w in worlds} == {"upper", "dotted", "colon", "pascal", "snake"}
    assert {w.field_style for w in worlds} == {"snake", "kebab", "camel", "spaced"}
    assert all(w.kind_style != "upper" and w.field_style != "camel" for w in worlds if w.dialect == "ka")
    assert all(6 <= len(w.common) <= 9 and {"session", "thermal", "power", "ticket"} <= set(w.common)
               for w in worlds)
    assert all(1 <= len(w.rare) <= 3 for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 8 and set(w.origins) <= set(HUB_IDS) for w in worlds)
    assert len({w.common for w in worlds}) > 15
    for w in worlds:
        assert len(set(w.keys.values())) == len(w.keys)
        name = PRIO_NAMES[w.prio_mode][DIALECTS.index(w.dialect)]
        assert re.sub(r"[-_ ]", " ", w.prio_key).lower() == name or w.field_style == "camel"
        assert w.prio_key not in set(w.keys.values())
        assert not re.search(r"priority|severity|urgency", w.prio_key, re.I)
    sep = {"snake": "_", "kebab": "-", "spaced": " "}
    script: Counter = Counter()
    multi: dict[str, bool] = defaultdict(bool)
    for w, lr in _all(range(WORLDS)):
        kind = lr.record.kind
        assert {"upper": kind == kind.upper() and "_" in kind, "dotted": "." in kind, "colon": ":" in kind,
                "snake": "_" in kind, "pascal": not re.search(r"[-_.:/ ]", kind)}[w.kind_style], (w.kind_style, kind)
        text = kind + "".join(lr.record.fields) + "".join(v for v in lr.record.fields.values() if isinstance(v, str))
        script[w.dialect] += bool(set(text) & LETTERS.get(w.dialect, set()))
        for key in lr.record.fields:
            if w.field_style in sep:
                assert not (set("-_ ") - {sep[w.field_style]}) & set(key), (w.field_style, key)
                multi[w.field_style] |= sep[w.field_style] in key
            else:
                assert not re.search(r"[-_ ]", key), key
                multi["camel"] |= bool(re.search(r"\w[A-ZĐÂĂÊÔƠƯ]", key))
        if w.dialect == "ka":  # Mkhedruli only: no Mtavruli capitals
            assert not any(0x1C90 <= ord(c) <= 0x1CBF for c in text)
    assert script["vi"] > 1000
    assert script["ka"] > 1000
    assert all(multi.values())
    assert set(multi) == {"snake", "kebab", "camel", "spaced"}


def test_units_and_number_formats_follow_the_dialect() -> None:
    shapes: dict[tuple[str, str], set[str]] = defaultdict(set)
    temps: dict[tuple[str, bool], list[float]] = defaultdict(list)
    energy: dict[tuple[str, bool], list[float]] = defaultdict(list)
    for w, lr in _all(range(WORLDS)):
        kind, f = _kind(w, lr), lr.record.fields
        if lr.case != "routine" or lr.detail:
            continue

        def shape(sem: str, pattern: str, label: str, f=f, w=w) -> None:
            v = f[w.keys[sem]]
            shapes[(w.dialect, sem)].add(label if isinstance(v, str) and re.fullmatch(pattern, v)
                                         else type(v).__name__)

        if kind == "thermal":
            key = w.keys["cable_temp"]
            if w.dialect != "vi":
                assert re.search(r"([-_ ]|[a-z\u10d0-\u10f0])(f|c)$", key.lower()), key
                assert key.lower().endswith("f") == w.fahrenheit
            temps[(w.dialect, w.fahrenheit)].append(num(f[key]))
            shape("cable_temp", r"-?\d+,\d °C", "comma °C")
        if kind == "session":
            key = w.keys["energy"]
            if w.dialect != "vi":
                assert key.lower().endswith("wh"), key
                assert key.lower().endswith("kwh") != w.watt_hours
            energy[(w.dialect, w.watt_hours)].append(num(f[key]))
            shape("energy", r"\d+,\d\d kWh", "comma kWh")
            shape("duration", r"\d+ phút", "phút")
        if kind == "power":
            shape("voltage", r"\d+,\d V", "comma V")
            shape("load", r"\d+,\d kW", "comma kW")
        if kind == "ticket":
            shape("downtime", r"\d+,\d giờ", "comma giờ")
        if kind == "payment":
            v = f[w.keys["amount"]]
            shape("amount", r"\d{1,3}(\.\d{3})+ ₫", "dong")
            if w.dialect == "sw":
                assert v % 50 == 0
            if w.dialect == "ka":
                assert round(v, 2) == v
    for sem, label in (("cable_temp", "comma °C"), ("energy", "comma kWh"), ("duration", "phút"),
                       ("voltage", "comma V"), ("load", "comma kW"), ("downtime", "comma giờ"),
                       ("amount", "dong")):
        assert shapes[("vi", sem)] == {label}, (sem, shapes[("vi", sem)])
    assert shapes[("sw", "cable_temp")] == shapes[("ka", "cable_temp")] == {"float"}
    assert shapes[("sw", "energy")] == {"float"}
    assert shapes[("ka", "energy")] == {"float", "int"}  # kWh, or whole Wh in some worlds
    assert shapes[("sw", "duration")] == shapes[("ka", "duration")] == {"int"}
    assert shapes[("sw", "amount")] == {"int"}
    assert ("ka", True) in temps
    assert ("ka", False) in temps
    for (_d, fahrenheit), xs in temps.items():
        med = statistics.median(xs)
        assert (65.0 < med < 105.0) if fahrenheit else (15.0 < med < 40.0), med
    assert ("ka", True) in energy
    for (_d, wh), xs in energy.items():
        med = statistics.median(xs)
        assert (8_000 < med < 60_000) if wh else (8.0 < med < 60.0), med


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
    for mode, c in by_mode.items():  # each form writes calm and raised records, about 80-90% calm
        assert 0.05 <= c[True] / (c[True] + c[False]) <= 0.22, (mode, c)
    assert sum(raised_rare.values()) > 0


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.76, 0.88), "dup": (0.035, 0.07), "near_dup": (0.04, 0.075),
                               "burst_head": (0.005, 0.016), "burst_tail": (0.035, 0.11), "resend": (0.003, 0.016)})
    assert_within(rates.detail, {"anomaly": (0.012, 0.035), "priority": (0.012, 0.035),
                                 "rare_kind": (0.002, 0.012), "rare_value": (0.002, 0.01), "": (0.7, 0.84)})
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
        steppers = {wl.keys[s] for s in ("sample", "meter", "occurrences")}
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
                    assert 0 < lr.record.ts_ms - src.record.ts_ms < 120_000
                    watched = {wl.keys[s] for s in WATCHED.get(_kind(wl, lr), {})}
                    for key, v in src.record.fields.items():
                        nv = lr.record.fields[key]
                        if key in steppers:
                            assert nv > v, key
                        elif key == wl.prio_key or (isinstance(v, int) and key not in watched) or (
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
    assert all(2 <= per_head[h] <= 28 for h in heads)
    assert max(per_head.values()) >= 10
    assert relayed > 20
    assert changed > 100
    assert retyped["number"] > 50
    assert retyped["text"] > 50
    assert worlds_with_tails >= 20


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    trouble = {s: t for spec in WATCHED.values() for s, (_space, t) in spec.items()}
    checked = 0
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
                checked += 1
                assert abs(z) >= 3.5, (kind, lr.record.fields, z)
                if trouble[sem]:  # the way that means trouble
                    assert z * trouble[sem] > 0, (kind, sem, lr.record.fields)
    assert checked > 120
    wl = EvChargeWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    factors: Counter = Counter()  # same gateway (1%) and another (2%) both occur
    for seed in (9, 10, 12, 13):
        wl = EvChargeWorkload(seed)
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


def test_training_never_loads_the_evcharge_family() -> None:
    assert modules_loaded_by_training("evcharge") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_evcharge") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["evcharge"] == ("node.workload.holdout_evcharge", "EvChargeWorkload")
