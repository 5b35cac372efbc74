"""The held-out ``peloton`` family: seeded, valid, varied stage-race worlds, every case at a sensible rate,
truth per the definition (recomputed here from what each record says, with this file's own tables of the
priority forms, rare values and units, not the generator's code)."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_peloton import (
    CARRIERS,
    COMMON_KINDS,
    DIALECTS,
    PRIORITY_MODES,
    RARE_KINDS,
    STYLES,
    PelotonWorkload,
    world_form,
)
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

# The priority forms, written out from docs/holdout-peloton.md: value -> strength.
STEP5 = (0.0, 0.25, 0.5, 0.75, 1.0)
PRIO_WORDS = {"nl": ("normaal", "laag", "verhoogd", "dringend", "kritiek"),
              "ca": ("normal", "baixa", "alta", "urgent", "crítica"),
              "tl": ("karaniwan", "mababa", "mataas", "apurahan", "kritikal")}
COLOURS = {"nl": ("wit", "blauw", "geel", "rood", "zwart"), "ca": ("blanc", "blau", "groc", "vermell", "negre"),
           "tl": ("puti", "asul", "dilaw", "pula", "itim")}
QCODE = {"QRU": 0.0, "QRX": 0.3, "QSP": 0.6, "QRR": 1.0}
FLAG = {"O": 0.0, "C": 0.35, "B": 0.65, "A": 1.0}
YES_NO = {"nl": (True, False), "ca": ("sí", "no"), "tl": ("oo", "hindi")}
PRIO_KEY_WORDS = {"words": (("dringendheid",), ("urgència",), ("pagkaapurahan",)),
                  "rank": (("incident", "klasse"), ("classe", "incident"), ("uri", "insidente")),
                  "qcode": (("radiocode",), ("codi", "ràdio"), ("kodigo", "radyo")),
                  "flag": (("seinvlag",), ("bandera", "senyal"), ("watawat", "hudyat")),
                  "minutes": (("reactietijd", "min"), ("minuts", "resposta"), ("minuto", "tugon")),
                  "colour": (("kleurcode",), ("codi", "color"), ("kulay", "kodigo")),
                  "bool": (("dokter", "nodig"), ("cal", "metge"), ("kailangan", "doktor"))}
WORD_FORMS = {"words", "colour"}  # forms whose values are words of the dialect
RARE_VALUES = {"nl": {"uitsluiting", "ijzel", "hagel", "afwijkend resultaat"},
               "ca": {"expulsió", "glaç", "calamarsa", "resultat analític advers"},
               "tl": {"diskwalipikasyon", "nagyeyelo", "graniso", "positibong resulta"}}
RARE_VALUE_KINDS = {"jury", "moto", "med"}
# Semantic fields that are words or ids (a burst tail repeats them), and the record counter.
WORDY = ("team", "msg", "note", "remark", "reason", "decision", "event", "surface", "bibs", "checkpoint", "zone",
         "vehicle", "sample", "article", "moto_id", "wind_dir")

LOWER, UPPER = "a-zà-öø-ÿ0-9", "A-ZÀ-ÖØ-Þ0-9"
STYLE_RE = {"snake": rf"[{LOWER}]+(?:_[{LOWER}]+)*", "kebab": rf"[{LOWER}]+(?:-[{LOWER}]+)*",
            "dotted": rf"[{LOWER}]+(?:\.[{LOWER}]+)*", "upper": rf"[{UPPER}]+(?:_[{UPPER}]+)*",
            "camel": rf"[{LOWER}]+(?:[{UPPER}][{LOWER}]*)*"}
QTY = re.compile(r"(?:CHF ?)?(?P<n>-?\d+(?:[.,]\d+)?) ?(?:kph|°C)?")
CLOCK = re.compile(r"(?P<sign>[+-])(?P<m>\d\d):(?P<s>\d\d)")


def num(v: object) -> float:
    """The number a value says (its written unit left aside; "+mm:ss" in seconds)."""
    assert not isinstance(v, bool)
    if isinstance(v, int | float):
        return float(v)
    m = CLOCK.fullmatch(str(v))
    if m:
        return (-1 if m["sign"] == "-" else 1) * (int(m["m"]) * 60 + int(m["s"]))
    m = QTY.fullmatch(str(v))
    assert m, v
    return float(m["n"].replace(",", "."))


def styled(words: tuple[str, ...], style: str) -> str:
    sep = {"snake": "_", "kebab": "-", "dotted": ".", "upper": "_"}
    if style == "camel":
        return words[0] + "".join(w[0].upper() + w[1:] for w in words[1:])
    out = sep[style].join(words)
    return out.upper() if style == "upper" else out


def expected_priority(wl: PelotonWorkload, kind: str, fields: dict) -> float:
    if kind not in CARRIERS:
        assert wl.prio_key not in fields
        return 0.0
    v, d, mode = fields[wl.prio_key], wl.dialect, wl.prio_mode
    if mode == "words":
        return STEP5[PRIO_WORDS[d].index(v)]
    if mode == "colour":
        return STEP5[COLOURS[d].index(v)]
    if mode == "rank":  # incident class 1-5, 1 worst
        assert type(v) is int
        assert 1 <= v <= 5
        return STEP5[5 - v]
    if mode == "qcode":
        return QCODE[v]
    if mode == "flag":
        return FLAG[v]
    if mode == "minutes":  # minutes to respond: the fewer, the higher
        assert type(v) is int
        assert 0 <= v <= 240
        return 0.0 if v >= 45 else 0.25 if v >= 20 else 0.5 if v >= 8 else 0.75 if v >= 2 else 1.0
    assert mode == "bool"
    yes, no = YES_NO[d]
    assert v in (yes, no)
    assert type(v) is type(yes)
    return 0.9 if v == yes else 0.0


def _space(x: float, space: str) -> float:
    return math.log(max(x, 1e-6)) if space == "log" else math.log1p(max(x, 0.0)) if space == "log1p" else x


def distances(wl: PelotonWorkload, kind: str, fields: dict) -> list[tuple[float, float]]:
    """(k, threshold) per measured field: spreads off the world's typical value, and where anomalies begin."""
    return [(abs(_space(num(fields[key]), s.space) - s.center) / s.spread, s.at)
            for key, s in wl.stats.get(kind, {}).items()]


def expected_anomaly(wl: PelotonWorkload, kind: str, fields: dict) -> float:
    return max([min(1.0, 0.45 + 0.1 * (k - at)) for k, at in distances(wl, kind, fields) if k >= at], default=0.0)


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = PelotonWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


def _all(seeds):
    for seed in seeds:
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            yield wl, lr


def _kind(wl: PelotonWorkload, lr) -> str:
    return wl.kind_of[lr.record.kind]


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(PelotonWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_peloton import PelotonWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = PelotonWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins[-1], wl.common, wl.rare, wl.stats,\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('near_dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    wl = PelotonWorkload(2)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert abs(b[-1].record.ts_ms - (NOW + i * 10**8)) < 10**5
    early = wl.next_labeled(60, NOW)  # an earlier now: the stream never goes back
    assert early[0].record.ts_ms > batches[-1][-1].record.ts_ms
    for w in map(PelotonWorkload, range(4)):  # short batches: a burst never outgrows its batch
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
    assert len(PRIORITY_MODES) >= 6
    assert len(set(PRIORITY_MODES) - WORD_FORMS) >= 4  # most forms are not words
    assert {w.key_style for w in worlds} == {w.kind_style for w in worlds} == set(STYLES)
    assert all(w.common[:2] == ("tele", "radio") and 4 <= len(w.common) <= 6 for w in worlds)
    assert all(1 <= len(w.rare) <= 3 for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(4 <= len(w.origins) == len(set(w.origins)) <= 8 for w in worlds)
    assert len({(w.common, w.rare) for w in worlds}) > 20
    for w in worlds:
        assert len(set(w.keys.values())) == len(w.keys)
        assert w.prio_key not in w.keys.values()
        assert w.prio_key == styled(PRIO_KEY_WORDS[w.prio_mode][DIALECTS.index(w.dialect)], w.key_style)
    kinds: dict[str, set[str]] = defaultdict(set)
    for w, lr in _all(range(WORLDS)):
        kinds[w.dialect].add(lr.record.kind)
        assert re.fullmatch(STYLE_RE[w.kind_style], lr.record.kind), (w.kind_style, lr.record.kind)
        for key in lr.record.fields:
            assert re.fullmatch(STYLE_RE[w.key_style], key), (w.key_style, key)
    low = {d: {k.lower().replace("-", "_").replace(".", "_") for k in ks} for d, ks in kinds.items()}
    assert any("valpartij" in k or "telemetrie" in k for k in low["nl"])
    assert any("ràdio" in k or "avituallament" in k for k in low["ca"])
    assert any("siklista" in k or "koponan" in k for k in low["tl"])


def test_units_and_number_formats_follow_the_dialect() -> None:
    shapes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    speeds: dict[str, list[float]] = defaultdict(list)
    for w, lr in _all(range(WORLDS)):
        if lr.case != "routine" or lr.detail:
            continue
        kind = _kind(w, lr)
        for sem in {"tele": ("speed", "gap"), "moto": ("temp",), "jury": ("fine",)}.get(kind, ()):
            v = lr.record.fields[w.keys[sem]]
            shape = (type(v).__name__ if not isinstance(v, str) else
                     "kph" if re.fullmatch(r"\d+\.\d kph", v) else "mm:ss" if CLOCK.fullmatch(v) else
                     "comma C" if re.fullmatch(r"-?\d+,\d °C", v) else "CHF" if re.fullmatch(r"CHF \d+", v) else v)
            shapes[(w.dialect, sem)][shape] += 1
            if sem == "speed":
                speeds[w.dialect].append(num(v))
    assert set(shapes[("nl", "speed")]) == {"float"}
    assert set(shapes[("ca", "speed")]) == {"float"}
    assert set(shapes[("tl", "speed")]) == {"kph"}
    assert set(shapes[("nl", "gap")]) == {"int"}
    assert set(shapes[("ca", "gap")]) == {"mm:ss"}
    assert set(shapes[("tl", "gap")]) == {"float"}  # minutes
    assert set(shapes[("ca", "temp")]) == {"comma C"}
    assert set(shapes[("nl", "temp")]) == set(shapes[("tl", "temp")]) == {"float"}
    assert set(shapes[("tl", "fine")]) == {"CHF"}
    assert set(shapes[("nl", "fine")]) == set(shapes[("ca", "fine")]) == {"int"}
    assert 30.0 < statistics.median(speeds["nl"]) < 50.0  # km/h
    assert 8.0 < statistics.median(speeds["ca"]) < 14.0  # m/s
    assert 30.0 < statistics.median(speeds["tl"]) < 50.0  # km/h


def test_riders_have_their_own_levels_and_terrain_makes_speeds_bimodal() -> None:
    bimodal = 0
    for seed in range(WORLDS):
        wl, batches = _stream(seed)
        tele = [lr.record.fields for b in batches for lr in b
                if lr.case == "routine" and not lr.detail and _kind(wl, lr) == "tele"]
        k = wl.keys
        kmh = [num(f[k["speed"]]) * (3.6 if wl.dialect == "ca" else 1.0) for f in tele]
        slow, fast = sum(x < 30 for x in kmh) / len(kmh), sum(x > 38 for x in kmh) / len(kmh)
        bimodal += slow > 0.1 and fast > 0.3
        per_rider: dict[int, list[int]] = defaultdict(list)
        for f in tele:
            per_rider[f[k["bib"]]].append(f[k["hr"]])
        meds = [statistics.median(v) for v in per_rider.values() if len(v) >= 6]
        assert len(meds) >= 5
        assert max(meds) - min(meds) >= 10  # each rider his own heart-rate level
        assert all(isinstance(f[k["power"]], int) and f[k["power"]] >= 0 for f in tele)
    assert bimodal >= 5  # climbs and flats in one window


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
            assert (wl.prio_key in lr.record.fields) == (kind in CARRIERS), (kind, lr.record.fields)
            if lr.case != "routine" or kind not in CARRIERS:
                continue
            p = expected_priority(wl, kind, lr.record.fields)
            if kind == "crash":
                assert p >= 0.5  # a crash is always reported high
                continue
            by_mode[mode][p > 0] += 1
            if lr.detail in ("", "priority") and expected_anomaly(wl, kind, lr.record.fields) == 0:
                assert (lr.detail == "priority") == (0.9 * p >= 0.3)
    assert set(by_mode) == set(PRIORITY_MODES)
    for mode, c in by_mode.items():  # each form writes both calm and raised records, mostly calm
        assert c[True] > 0, (mode, c)
        assert 0.75 * (c[True] + c[False]) < c[False], (mode, c)


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.75, 0.87), "dup": (0.04, 0.075), "near_dup": (0.04, 0.075),
                               "burst_head": (0.004, 0.014), "burst_tail": (0.045, 0.1), "resend": (0.006, 0.02)})
    assert_within(rates.detail, {"anomaly": (0.01, 0.03), "priority": (0.015, 0.04), "rare_kind": (0.004, 0.015),
                                 "rare_value": (0.001, 0.006), "": (0.7, 0.82)})
    assert rates.plain_rare_kind >= 0.5 * rates.rare_kind
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=150)
    assert all(v <= 12 for v in missing.values()), missing  # of 30 windows


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
            carriers[kind] += kind in RARE_VALUE_KINDS
            if rare:
                assert kind in RARE_VALUE_KINDS
                values[kind] += 1
            if kind in RARE_KINDS:
                per_kind[kind] += 1
                if kind == "crash":
                    assert lr.importance > 0.7
                else:
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
        a = expected_anomaly(wl, kind, fields)
        p = expected_priority(wl, kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        r = rk or (0.45 if {v for v in fields.values() if isinstance(v, str)} & RARE_VALUES[wl.dialect] else 0.0)
        assert lr.importance == pytest.approx(noisy_or(0.04, 0.9 * a, 0.9 * p, r), abs=1e-9), (kind, fields)
        assert lr.detail == main_reason(0.9 * a, 0.9 * p, r, rk)
        if lr.case == "burst_head":
            assert a > 0 or p >= 0.5 or rk
            assert lr.importance >= 0.3
            continue
        routine.append(lr.importance)
        assert (lr.importance >= 0.3) == (lr.detail != "")
        if a:
            odd_kinds.add(kind)
        else:  # a routine value never comes near its threshold, however heavy its tail
            assert all(k < at - 0.5 for k, at in distances(wl, kind, fields)), (kind, fields)
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert sum(x == pytest.approx(0.04) for x in routine) > 0.8 * len(routine)
    assert odd_kinds == set(COMMON_KINDS)
    for w in (_stream(s)[0] for s in range(WORLDS)):
        assert all(s.at >= 5.0 and s.spread > 0 for st in w.stats.values() for s in st.values())


def test_copies_and_tails_link_to_their_sources() -> None:
    heads, tails = [], []
    per_head: Counter = Counter()
    head_at: list[tuple[int, int, int]] = []
    relayed = 0
    changed: Counter = Counter()
    for seed in range(16):
        wl, batches = _stream(seed)
        wordy = {wl.keys[s] for s in WORDY}
        for bi, b in enumerate(batches):
            for i, lr in enumerate(b):
                if lr.case == "burst_head":
                    heads.append(lr.importance)
                    head_at.append((seed, bi, i))
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
                    seq = wl.keys["seq"]
                    assert lr.record.fields[seq] > src.record.fields[seq]  # the counter steps on
                    for key, v in src.record.fields.items():  # words, ids and priority stay
                        if key in wordy or key == wl.prio_key:
                            assert lr.record.fields[key] == v, key
                    tails.append(lr.importance)
                    per_head[(seed, bi, lr.ref)] += 1
                if lr.case in ("dup", "near_dup"):
                    relayed += lr.record.origin != b[lr.ref].record.origin
                if lr.case == "near_dup":
                    src_fields = b[lr.ref].record.fields
                    diff = [k for k, v in lr.record.fields.items() if src_fields[k] != v]
                    assert 1 <= len(diff) <= 2
                    assert wl.prio_key not in diff
                    for k in diff:
                        v = src_fields[k]
                        changed["number" if isinstance(v, int | float) or QTY.fullmatch(v) or CLOCK.fullmatch(v)
                                else "text"] += 1
                        if not isinstance(v, str):
                            assert abs(num(lr.record.fields[k]) - num(v)) <= max(5.0, 0.05 * abs(num(v)))
    assert min(heads) >= 0.3
    assert min(tails) >= 0.02
    assert sorted(heads)[len(heads) // 2] > 9 * sorted(tails)[len(tails) // 2]
    assert min(per_head[h] for h in head_at) >= 2  # a batch never ends inside a burst
    assert 8 <= max(per_head.values()) <= 40
    assert relayed > 30
    assert changed["number"] > 50
    assert changed["text"] > 30
    worlds = 0
    for seed in range(16):  # tails come much closer together than the stream does
        gaps, tail_gaps = stream_and_tail_gaps(_stream(seed)[1])
        if len(tail_gaps) >= 5:
            worlds += 1
            assert statistics.median(tail_gaps) < 0.5 * statistics.mean(gaps), seed
    assert worlds >= 8


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
    assert checked > 30
    wl = PelotonWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = relayed = 0
    for seed in (9, 10, 12, 13):
        wl = PelotonWorkload(seed)
        seen: dict[tuple, tuple[float, str]] = {}
        for i in range(6):
            batch = wl.next_labeled(256, NOW + i * 10**6)
            for lr in batch:
                if lr.case == "resend":
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items())))
                    importance, origin = seen[key]
                    assert importance >= 0.3
                    factor = 0.01 if lr.record.origin == origin else 0.02
                    assert lr.importance == pytest.approx(factor * importance)
                    assert lr.ref == -1
                    assert lr.detail == ""
                    hits += 1
                    relayed += factor == 0.02
            for lr in batch:
                if lr.case in ("routine", "burst_head"):
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items())))
                    if lr.importance > seen.get(key, (0.0, ""))[0]:
                        seen[key] = (lr.importance, lr.record.origin)
    assert hits > 20
    assert 0 < relayed < hits


def test_training_never_loads_the_peloton_family() -> None:
    assert modules_loaded_by_training("peloton") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_peloton") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["peloton"] == ("node.workload.holdout_peloton", "PelotonWorkload")
