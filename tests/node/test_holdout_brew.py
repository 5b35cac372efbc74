"""The held-out ``brew`` family: seeded, valid, varied brewery worlds, every case at a sensible rate, truth
per the definition."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_brew import (
    ALWAYS_PRIORITY_RARE,
    COMMON_KINDS,
    DIALECTS,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    BrewWorkload,
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

# The definition's priority, written out independently of the generator: value -> strength, per form.
STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)
WORDS = {"en": ("Routine", "Monitor", "Deviation", "Hold Product", "Stop Line"),
         "cs": ("běžné", "sledovat", "odchylka", "zadržet výrobek", "zastavit linku"),
         "nds": ("allens in de Reeg", "ankieken", "Afwieken", "Waar anhollen", "Band stoppen")}
COLOURS = {"en": ("GREEN", "BLUE", "YELLOW", "AMBER", "RED"),
           "cs": ("zelená", "modrá", "žlutá", "oranžová", "červená"),
           "nds": ("gröön", "blau", "geel", "orange", "root")}
CODES = {"en": {"N/D": 0.0, "AL": 0.5, "CL": 0.75, "CCP-F": 1.0}, "cs": {"0": 0.0, "V": 0.5, "K": 1.0},
         "nds": {"--": 0.0, "W1": 0.5, "W2": 0.75, "KKP!": 1.0}}
FLAG_ON = {"en": True, "cs": "A", "nds": 1}
FLAG_OFF = {"en": False, "cs": "N", "nds": 0}
NO_DEADLINE = {"en": 9999, "cs": 999.0, "nds": "--:--"}
URGENT = {
    "en": ("take a look when you can", "needs QA sign-off before shift change",
           "URGENT - line stopped, need maintenance on the floor now",
           "EMERGENCY - evacuate the area, call 911 and the plant manager"),
    "cs": ("až bude čas, mrkněte na to", "potřeba vyjádření kvality do konce směny",
           "NALÉHAVÉ! linka stojí, údržbu okamžitě na místo", "NEBEZPEČÍ! okamžitě opustit prostor, volat hasiče"),
    "nds": ("wenn Tiet is, mal ankieken", "bruukt en Antwoort vun de QS vör Schichtwessel",
            "IILIG! Band steiht, Warkstäe foorts her", "GEFOHR! Rebeet foorts rüümen, Füerwehr ropen"),
}
CALM = {
    "en": ("no action required", "not urgent", "can wait until Monday", "FYI only", "no rush on this"),
    "cs": ("není naléhavé", "bez nutnosti zásahu", "počká do ranní směny", "jen pro informaci", "nespěchá"),
    "nds": ("nich iilig", "nix to doon", "kann bet morgen töven", "blots to'n Weten", "keen Hast"),
}
RARE_VALUES = {"en": {"PEDIOCOCCUS", "QUARANTINE", "TANKER"}, "cs": {"pediokoky", "karanténa", "cisterna"},
               "nds": {"Pediokokken", "Quarantään", "Tankwagen"}}
WORD_FORMS = {"words", "colour", "text"}  # forms written as words; every other one a number, code or flag
ROUTINE_VALUE = {"words": lambda d: WORDS[d][0], "colour": lambda d: COLOURS[d][0],
                 "haccp": lambda d: next(iter(CODES[d])), "flag": lambda d: FLAG_OFF[d]}
NOTE = {"en": "Comment", "cs": "poznamka", "nds": "Bemarken"}
RUNNING = {"RUNNING", "běží", "löppt"}


def _minutes(v: str) -> int:
    sign = -1 if v.startswith("-") else 1
    hh, mm = v.lstrip("-").split(":")
    return sign * (60 * int(hh) + int(mm))


def _deadline(d: str, v: object) -> float:
    """The countdown in the dialect's unit (inf: no deadline)."""
    if v == NO_DEADLINE[d] and type(v) is type(NO_DEADLINE[d]):
        return math.inf
    if d == "nds":
        assert isinstance(v, str)
        assert re.fullmatch(r"-?\d\d:\d\d", v), v
        return _minutes(v)
    assert isinstance(v, int | float)
    assert not isinstance(v, bool)
    return float(v)


def _word(v: object) -> int:
    if isinstance(v, str):
        assert v.startswith("16#")
        return int(v[3:], 16)
    assert isinstance(v, int)
    assert not isinstance(v, bool)
    return v


def _thermo(word: int) -> int:
    nib = word >> 8 & 15
    assert nib in (0, 1, 3, 7, 15), bin(word)  # a thermometer: no gaps
    return bin(nib).count("1")


def expected_priority(wl: BrewWorkload, kind: str, fields: dict) -> float:
    if kind not in CARRIERS:
        return 0.0
    d, mode = wl.dialect, wl.prio_mode
    if mode == "text":
        note = fields[NOTE[d]]
        return max([STEPS[i + 1] for i, p in enumerate(URGENT[d]) if p in note], default=0.0)
    v = fields[wl.prio_key]
    if mode == "words":
        return STEPS[WORDS[d].index(v)]
    if mode == "colour":
        return STEPS[COLOURS[d].index(v)]
    if mode == "haccp":
        return CODES[d][v]
    if mode == "hazard":
        return STEPS[sum(v >= b for b in {"en": (30, 50, 70, 90), "cs": (3, 5, 7, 9),
                                          "nds": (250, 450, 650, 850)}[d])]
    if mode == "deadline":
        x = _deadline(d, v)
        return STEPS[sum(x < b for b in ((4, 2, 1, 0.33) if d == "cs" else (240, 120, 60, 20)))]
    if mode == "flag":
        assert v in (FLAG_ON[d], FLAG_OFF[d])
        assert type(v) is type(FLAG_ON[d])
        return 0.9 if v == FLAG_ON[d] else 0.0
    if mode == "tier":
        return {0: 1.0, 1: 0.75, 2: 0.5, 3: 0.25, 4: 0.0, 5: 0.0, 6: 0.0}[v]
    assert mode == "bits"
    return STEPS[_thermo(_word(v))]


def _space(x: float, space: str) -> float:
    return math.log(max(x, 1e-9)) if space == "log" else math.log1p(max(x, 0.0)) if space == "log1p" else x


def expected_k(wl: BrewWorkload, kind: str, fields: dict) -> float:
    return max((abs(_space(float(fields[key]), s.space) - s.center) / s.spread
                for key, s in wl.stats.get(kind, {}).items()), default=0.0)


def expected_anomaly(k: float) -> float:
    return 0.0 if k < 4.5 else min(1.0, 0.4 + 0.1 * (k - 4.5))


@cache
def _worlds(count: int = 72) -> tuple[BrewWorkload, ...]:
    return tuple(BrewWorkload(s) for s in range(count))


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    """A world's first batches, streamed once (from the cached, still unstreamed world: the same stream as
    a fresh ``BrewWorkload(seed)`` gives; only static attributes of ``_worlds()`` are read elsewhere)."""
    wl = _worlds()[seed] if seed < len(_worlds()) else BrewWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


STREAMED = range(72)  # the worlds whose streams the shape tests read (all of _worlds())


def _fresh(lrs):
    return [lr for lr in lrs if lr.case in ("routine", "burst_head")]


def _kind(wl: BrewWorkload, lr) -> str:
    return wl.kind_of[lr.record.kind]


def _all(seeds):
    for seed in seeds:
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            yield wl, lr


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(BrewWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_brew import BrewWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = BrewWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins[-1], wl.common, wl.rare, [f.name for f in wl.fermenters],\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    wl = BrewWorkload(2)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    ts = [lr.record.ts_ms for b in batches for lr in b]
    assert all(a < b for a, b in zip(ts, ts[1:], strict=False))  # strictly increasing
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert abs(b[-1].record.ts_ms - (NOW + i * 10**8)) < 10**5  # ends near now
    late = wl.next_labeled(5, NOW + 10**12)  # a later now: the stream jumps forward
    assert all(abs(lr.record.ts_ms - (NOW + 10**12)) < 10**7 for lr in late)
    early = wl.next_labeled(60, NOW)  # an earlier now: the stream never goes back
    assert all(lr.record.ts_ms > late[-1].record.ts_ms for lr in early)
    for w in map(BrewWorkload, range(5)):  # short batches: a burst never outgrows its batch
        for n in range(1, 36):
            b = w.next_labeled(n, NOW)
            assert len(b) == n
            tails = Counter(lr.ref for lr in b if lr.case == "burst_tail")
            assert all(b[i].case == "burst_head" for i in tails)
            assert all(tails[i] >= 2 for i, lr in enumerate(b) if lr.case == "burst_head")  # never cut short
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = BrewWorkload(2).next_batch(40, NOW)
    assert [(r.cid, imp) for r, imp in pairs] == [
        (lr.record.cid, lr.importance) for lr in BrewWorkload(2).next_labeled(40, NOW)]
    # Every record, in every world, stays well inside protocol/record.py's limits.
    lim = DEFAULT_LIMITS
    for seed in range(36):
        w, bs = _stream(seed)
        ts = [lr.record.ts_ms for b in bs for lr in b]
        assert all(a < b for a, b in zip(ts, ts[1:], strict=False)), seed  # clumped uploads too
        for lr in (lr for b in bs for lr in b):
            rec = lr.record
            assert 0.0 <= lr.importance <= 1.0
            assert len(rec.kind) <= lim.max_kind_len
            assert len(rec.fields) <= min(16, lim.max_fields)
            assert len(rec.canonical_bytes()) <= lim.max_total_bytes // 8
            for k, v in rec.fields.items():
                assert len(k) <= lim.max_key_len
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
    assert len(set(PRIORITY_MODES) - WORD_FORMS) >= 5
    assert {(w.dialect, w.prio_mode) for w in worlds} == {(d, m) for d in DIALECTS for m in PRIORITY_MODES}
    assert len({w.common for w in worlds}) > 50
    assert all(4 <= len(w.common) <= 6 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(set(w.common) <= set(COMMON_KINDS) and set(w.rare) <= set(RARE_KINDS) for w in worlds)
    assert all(PRIORITY_KINDS & set(w.common) for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 10 for w in worlds)
    assert len({len(w.origins) for w in worlds}) >= 6
    assert all(6 <= len(w.fermenters) <= 24 and 1 <= len(w.lines) <= 4 for w in worlds)
    assert len({w.mean_gap for w in worlds}) == 4
    assert 0.2 < sum(w.clumpy for w in worlds) / len(worlds) < 0.6
    # Each dialect names kinds and fields its own way: PLC tags, ASCII tags, German-style compounds.
    kind_style = {"en": r"[A-Z][A-Za-z0-9]*_[A-Z][A-Za-z0-9]*", "cs": r"[a-z_]+\.[a-z0-9_]+",
                  "nds": r"[A-ZÄÖÜ][A-Za-zÄÖÜäöüß0-9]*(?:-[A-ZÄÖÜ][A-Za-zÄÖÜäöüß0-9]*)+"}
    key_style = {"en": r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*", "cs": r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*",
                 "nds": r"[A-ZÄÖÜ][A-Za-zäöüß0-9]*(?:-[A-Za-zäöüß0-9]+)*(?:\[[^\[\]]+\])?"}
    names: dict[str, set[str]] = defaultdict(set)
    bracketed: Counter = Counter()
    for seed, w in enumerate(worlds[:36]):
        for lr in _stream(seed)[1][0]:
            names[w.dialect].add(lr.record.kind)
            assert re.fullmatch(kind_style[w.dialect], lr.record.kind), (w.dialect, lr.record.kind)
            for key in lr.record.fields:
                assert re.fullmatch(key_style[w.dialect], key), (w.dialect, key)
                if w.dialect == "cs":
                    assert key.isascii(), key  # PLC tags carry no diacritics; the values do
                bracketed[w.dialect] += "[" in key
    assert not names["en"] & names["cs"]
    assert not names["cs"] & names["nds"]
    assert not names["en"] & names["nds"]
    assert bracketed["nds"] > 100
    assert any(re.search("[äöüÄÖÜ]", k) for k in names["nds"])


def test_units_follow_the_dialect() -> None:
    seen: dict[tuple[str, str], list[float]] = defaultdict(list)
    for w, lr in _all(STREAMED):
        if lr.case != "routine" or lr.detail:
            continue
        kind, f = _kind(w, lr), lr.record.fields
        for sem in {"ferm": ("tferm", "grav", "pres"), "bright": ("co2", "dox"), "filler": ("speed",),
                    "cip": ("cond",), "boil": ("og", "vol"), "util": ("glyc", "air")}.get(kind, ()):
            if sem == "speed" and f[w.keys[sem]] == 0:
                continue
            if sem == "cond" and f[w.keys["state"]] not in RUNNING:
                continue
            seen[(w.dialect, sem)].append(float(f[w.keys[sem]]))
    lo = {k: min(v) for k, v in seen.items()}
    hi = {k: max(v) for k, v in seen.items()}
    assert set(seen) >= {(d, s) for d in DIALECTS for s in ("tferm", "grav", "pres", "co2", "dox", "speed", "cond")}
    assert lo[("en", "tferm")] > 40 > 25 > hi[("cs", "tferm")]  # deg F against deg C
    assert hi[("nds", "tferm")] < 25
    assert 1.0 < lo[("en", "grav")] <= hi[("en", "grav")] < 1.08  # specific gravity against Plato / % GG
    assert lo[("cs", "grav")] > 1.2
    assert lo[("nds", "grav")] > 1.2
    assert hi[("cs", "grav")] < 18
    assert lo[("en", "pres")] > 5 > 2 > hi[("cs", "pres")]  # psig against bar
    assert 2.0 < lo[("en", "co2")] <= hi[("en", "co2")] < 3.3  # volumes against g/l
    assert lo[("cs", "co2")] > 4.2
    assert hi[("nds", "dox")] < 1.0 < lo[("cs", "dox")]  # mg/l against ppb (ug/l)
    assert lo[("en", "dox")] > 1.0
    assert lo[("nds", "speed")] > 10 * hi[("cs", "speed")] / 2  # bottles per hour against per minute
    assert hi[("en", "speed")] < 1300
    assert lo[("nds", "cond")] > 200 > hi[("cs", "cond")]  # uS/cm against mS/cm
    assert lo[("en", "glyc")] > 20 > 0 > hi[("cs", "glyc")]  # glycol below freezing in deg C
    assert min(lo[("en", "og")], lo[("en", "grav")]) > 1.0
    assert lo[("en", "air")] > 80 > 10 > hi[("nds", "air")]


def test_entities_keep_their_origin_and_counters_only_grow() -> None:
    checked: Counter = Counter()
    spread_worlds = 0
    for seed in range(40):
        wl, batches = _stream(seed)
        origin_of: dict[tuple, str] = {}
        last: dict[tuple, int] = {}
        k = wl.keys
        for lr in (lr for b in batches for lr in _fresh(b)):
            kind, f = _kind(wl, lr), lr.record.fields
            entity = {"mash": "bh", "boil": "bh", "ferm": "tank", "bright": "tank", "cip": "circ", "filler": "line",
                      "pasteur": "line", "pack": "line", "note": "brewer", "haccp": "checker", "alarm": "area",
                      "glass": "line"}.get(kind)
            if entity is not None:  # every brewhouse, tank, circuit, line and person comes in through one origin
                key = (entity, f[k[entity]])
                assert origin_of.setdefault(key, lr.record.origin) == lr.record.origin, (kind, key)
            system = {"util": wl.scada_origin, "nh3": wl.scada_origin, "co2relief": wl.scada_origin,
                      "lab": wl.lims_origin, "wo": wl.cmms_origin, "receipt": wl.erp_origin,
                      "recall": wl.erp_origin}.get(kind)
            if system is not None:
                assert lr.record.origin == wl.origins[system]
            for counter, owner, strict in (("brew", "bh", False), ("cyc", "circ", False), ("good", "line", False),
                                           ("pal", "line", False), ("kwh", None, True), ("nseq", "brewer", True),
                                           ("wo", None, True), ("sample", None, True), ("hseq", None, True),
                                           ("rcpt", None, True)):
                if k[counter] in f and kind not in RARE_KINDS:  # counters only ever grow
                    ent = (counter, f[k[owner]] if owner else "")
                    n = int(re.sub(r"\D", "", str(f[k[counter]]))[-7:]) if counter == "wo" else f[k[counter]]
                    prev = last.get(ent, -1)
                    assert n > prev or (not strict and n == prev), (counter, n, prev)
                    last[ent] = n
                    checked[counter] += 1
        shares = Counter(lr.record.origin for b in batches for lr in b)
        if len(wl.origins) >= 6:  # a few origins carry most, but more than one carries something
            assert shares.most_common(1)[0][1] >= 1.5 * len(batches) * 256 / len(wl.origins)
            assert len(shares) >= 3
            spread_worlds += len(set(origin_of.values())) >= 2
    assert min(checked.values()) > 60, checked
    assert spread_worlds >= 10  # entities come in through several origins (Zipf-weighted)


def test_gravity_falls_tanks_refill_cip_and_fillers_run_or_stand() -> None:
    long_runs = refills = 0
    fall = rise = 0.0
    states: Counter = Counter()
    speeds: Counter = Counter()
    for seed, w in enumerate(_worlds()[:len(STREAMED)]):
        if not {"ferm", "cip", "filler"} & set(w.common):
            continue
        wl, batches = _stream(seed)
        k = wl.keys
        per_batch: dict[tuple, list[tuple[float, float]]] = defaultdict(list)
        last_batch: dict[str, int] = {}
        running_speed: dict[str, list[float]] = defaultdict(list)
        for lr in (lr for b in batches for lr in _fresh(b)):
            kind, f = _kind(wl, lr), lr.record.fields
            if kind == "ferm":
                tank, batch = f[k["tank"]], f[k["batch"]]
                assert batch >= last_batch.get(tank, 0)  # a tank is refilled with a newer brew, never an older
                refills += tank in last_batch and batch > last_batch[tank]
                last_batch[tank] = batch
                pts = per_batch[(tank, batch)]
                if pts:
                    assert f[k["day"]] >= pts[-1][0]  # days since pitch only count up
                pts.append((f[k["day"]], float(f[k["grav"]])))
            elif kind == "cip":
                running = f[k["state"]] in RUNNING
                states[running] += 1
                assert (f[k["flow"]] > 0) == running  # bimodal: pumping at the circuit's setpoint, or 0
            elif kind == "filler":
                speeds[f[k["speed"]] > 0] += 1
                if f[k["speed"]] > 0:
                    running_speed[f[k["line"]]].append(f[k["speed"]])
        for pts in per_batch.values():  # gravity falls as the yeast works (attenuation), then levels off
            plato = [(day, 259.0 - 259.0 / g if wl.dialect == "en" else g) for day, g in pts]
            assert all(b[1] < a[1] + 0.15 for a, b in zip(plato, plato[1:], strict=False)), pts
            for (_, g0), (_, g1) in zip(plato, plato[1:], strict=False):
                fall += max(0.0, g0 - g1)
                rise += max(0.0, g1 - g0)
            long_runs += len(pts) >= 6
        for xs in running_speed.values():  # each line runs at its own rated speed
            med = statistics.median(xs)
            assert all(0.85 * med < x < 1.15 * med for x in xs)
    assert long_runs >= 30, long_runs
    assert fall > 8 * rise, (fall, rise)  # readings wobble, the trend is down
    assert refills >= 3, refills
    assert 0.45 < states[True] / sum(states.values()) < 0.65, states
    assert 0.08 < speeds[False] / sum(speeds.values()) < 0.22, speeds


def test_distributions_have_their_shapes() -> None:
    vals: dict[str, list[float]] = defaultdict(list)
    zero_scores = scores = full = 0
    for w, lr in _all(STREAMED):
        if lr.case != "routine" or lr.detail:
            continue
        kind, f = _kind(w, lr), lr.record.fields
        for sem, kinds in (("adur", ("alarm",)), ("hrs", ("wo",)), ("water", ("util",)), ("rfill", ("filler",)),
                           ("rlabel", ("filler",)), ("micro", ("lab",)), ("faults", ("pack",)), ("lvl", ("bright",)),
                           ("ph", ("lab",))):
            if kind in kinds:
                vals[f"{w.dialect}:{sem}"].append(float(f[w.keys[sem]]))
        if w.prio_mode == "hazard" and w.prio_key in f:
            scores += 1
            zero_scores += f[w.prio_key] == 0
        full += kind == "bright" and f[w.keys["lvl"]] == 100.0
    for d in DIALECTS:
        for sem, ratio in (("adur", 8), ("hrs", 3)):  # heavy right tails, and routine (not anomalies)
            xs = sorted(vals[f"{d}:{sem}"])
            assert xs[int(0.99 * len(xs))] > ratio * xs[len(xs) // 2], (d, sem)
        for sem, share in (("rfill", 0.6), ("micro", 0.65), ("faults", 0.8)):  # zero-inflated counts
            xs = vals[f"{d}:{sem}"]
            assert sum(x == 0 for x in xs) > share * len(xs), (d, sem)
            assert max(xs) > 0
        assert all(0 <= x <= 100 for x in vals[f"{d}:lvl"])  # a tank's level is bounded
        assert all(3.8 < x < 5.0 for x in vals[f"{d}:ph"])
    assert full > 0  # bright tanks fill up to 100% and stay there
    assert 0.3 < zero_scores / scores < 0.6  # the hazard score starts at 0: many routine records sit there


def test_priority_field_takes_the_world_form_on_priority_kinds_only() -> None:
    types: dict[tuple[str, str], set[str]] = defaultdict(set)
    at_routine = carried = 0
    for seed, w in enumerate(_worlds()[:len(STREAMED)]):
        if w.prio_mode == "text":
            assert w.prio_key is None
            continue
        for lr in _stream(seed)[1][0]:
            kind = _kind(w, lr)
            v = lr.record.fields.get(w.prio_key)
            assert (v is not None) == (kind in CARRIERS), (kind, w.prio_key)
            if v is None:
                continue
            types[(w.prio_mode, w.dialect)].add(type(v).__name__)
            p = expected_priority(w, kind, lr.record.fields)  # raises on a value outside the form
            if w.prio_mode == "hazard":
                assert 0 <= v <= {"en": 100, "cs": 10.0, "nds": 1000}[w.dialect]
            if w.prio_mode == "deadline":
                x = _deadline(w.dialect, v)
                assert x == math.inf or (-0.25 <= x <= 24 if w.dialect == "cs" else -15 <= x <= 1440)
            if w.prio_mode == "tier":
                assert 0 <= v <= 6
            if w.prio_mode == "bits":
                assert 0 <= _word(v) < 2**16
                assert _word(v) >> 12  # the unit's nibble
            if lr.case == "routine" and kind in PRIORITY_KINDS:
                at_routine += p == 0.0
                carried += 1
                if p > 0:  # a pressing record does not also say, in its comment, that it can wait
                    assert not any(c in lr.record.fields[NOTE[w.dialect]] for c in CALM[w.dialect])
    assert 0.8 * carried <= at_routine <= 0.95 * carried
    by_mode: dict[str, set[str]] = defaultdict(set)
    for (mode, d), t in types.items():
        by_mode[mode] |= t
        if mode == "hazard":
            assert t == ({"float"} if d == "cs" else {"int"}), (d, t)
        if mode == "deadline":
            assert t == {"en": {"int"}, "cs": {"float"}, "nds": {"str"}}[d], (d, t)
        if mode == "bits":
            assert t == ({"str"} if d == "nds" else {"int"}), (d, t)
        if mode == "flag":
            assert t == {{"en": "bool", "cs": "str", "nds": "int"}[d]}, (d, t)
    assert by_mode["words"] == by_mode["colour"] == by_mode["haccp"] == {"str"}
    assert by_mode["tier"] == {"int"}
    assert set(by_mode) == set(PRIORITY_MODES) - {"text"}


def test_priority_ranks_in_the_forms_direction() -> None:
    checked = set()
    for s, world in enumerate(_worlds()):
        if (world.prio_mode, world.dialect) in checked or world.prio_mode == "text":
            continue
        w, batches = _stream(s)
        by_p: dict[float, list] = defaultdict(list)
        for lr in (lr for b in batches for lr in b):
            kind = _kind(w, lr)
            plain = not {v for v in lr.record.fields.values() if isinstance(v, str)} & RARE_VALUES[w.dialect] \
                and expected_k(w, kind, lr.record.fields) < 4.5  # priority alone
            if lr.case == "routine" and lr.detail in ("", "priority") and kind in PRIORITY_KINDS and plain:
                by_p[expected_priority(w, kind, lr.record.fields)].append((lr.importance, lr.record.fields[w.prio_key]))
        assert len(by_p) >= 2
        tops = [max(i for i, _ in by_p[p]) for p in sorted(by_p)]
        assert tops == sorted(tops)
        assert max(i for i, _ in by_p[0.0]) < 0.3
        values = {p: [v for _, v in xs] for p, xs in by_p.items()}
        top, routine = values[max(values)], values[0.0]
        if w.prio_mode == "tier":  # smaller is more pressing
            assert max(top) < min(routine)
        if w.prio_mode == "deadline":
            assert max(_deadline(w.dialect, v) for v in top) < min(_deadline(w.dialect, v) for v in routine)
        if w.prio_mode == "hazard":
            assert min(top) > max(routine)
        if w.prio_mode == "bits":
            assert min(_thermo(_word(v)) for v in top) > max(_thermo(_word(v)) for v in routine)
        if w.prio_mode in ROUTINE_VALUE:
            assert set(routine) == {ROUTINE_VALUE[w.prio_mode](w.dialect)}
        checked.add((w.prio_mode, w.dialect))
    assert {m for m, _ in checked} == set(PRIORITY_MODES) - {"text"}
    assert len(checked) >= 20


def test_notes_speak_the_dialect_and_say_when_things_can_wait() -> None:
    notes: dict[str, list[str]] = defaultdict(list)
    urgent_in_text_worlds: Counter = Counter()
    alarm_texts: dict[str, set[str]] = defaultdict(set)
    for seed, w in enumerate(_worlds()[:len(STREAMED)]):
        for lr in _stream(seed)[1][0]:
            if _kind(w, lr) == "alarm" and lr.case == "routine":
                alarm_texts[w.dialect].add(lr.record.fields[w.keys["atext"]])
            note = lr.record.fields.get(NOTE[w.dialect])
            if note is None or lr.case != "routine":
                continue
            notes[w.dialect].append(note)
            has_urgent = any(p in note for p in URGENT[w.dialect])
            if w.prio_mode == "text":
                urgent_in_text_worlds[w.dialect] += has_urgent
            else:
                assert not has_urgent, note  # urgency phrases only where the world writes priority in comments
    assert sum(bool(re.search("[áčďéěíňóřšťúůýž]", n)) for n in notes["cs"]) > 0.6 * len(notes["cs"])
    assert sum(bool(re.search("[äöüß]|'t|'n| vun | un ", n)) for n in notes["nds"]) > 0.6 * len(notes["nds"])
    assert all(n.isascii() for n in notes["en"])
    assert any(re.search(r"\d,\d °P", n) for n in notes["cs"])  # a decimal comma and degrees Plato
    assert any(re.search(r"\b1\.0\d\d\b", n) for n in notes["en"])  # a specific gravity
    for d in DIALECTS:
        assert len(set(notes[d])) > 60, d
        assert sum(any(c in n for c in CALM[d]) for n in notes[d]) > 0.1 * len(notes[d]), d
        assert len(alarm_texts[d]) >= 14, d
    assert all(t.isascii() and all(w[0].isupper() or w[0].isdigit() for w in t.split()) for t in alarm_texts["en"])
    assert sum(bool(re.search("[áčďéěíňóřšťúůýž]", t)) for t in alarm_texts["cs"]) > 0.7 * len(alarm_texts["cs"])
    for s, world in enumerate(_worlds()):
        if world.prio_mode == "text" and urgent_in_text_worlds[world.dialect] < 3:
            w = BrewWorkload(s)
            for lr in w.next_labeled(500, NOW):
                note = lr.record.fields.get(NOTE[w.dialect], "")
                urgent_in_text_worlds[w.dialect] += lr.case == "routine" and any(p in note for p in URGENT[w.dialect])
    assert all(urgent_in_text_worlds[d] >= 3 for d in DIALECTS), urgent_in_text_worlds


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.72, 0.87), "dup": (0.03, 0.065), "near_dup": (0.055, 0.11),
                               "burst_head": (0.004, 0.014), "burst_tail": (0.03, 0.12), "resend": (0.003, 0.014)})
    assert_within(rates.detail, {"anomaly": (0.01, 0.03), "priority": (0.012, 0.035), "rare_kind": (0.003, 0.016),
                                 "rare_value": (0.0005, 0.005), "": (0.68, 0.82)})
    assert rates.plain_rare_kind >= 0.5 * rates.rare_kind  # most rare kinds carry no priority
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=120)
    assert all(v <= 9 for v in missing.values()), missing  # of 30 windows


def test_rare_kinds_and_values_are_rare() -> None:
    per_kind: Counter = Counter()
    exposure: Counter = Counter()
    values: Counter = Counter()
    carriers: Counter = Counter()
    for seed in range(40):
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
            if kind in ("lab", "receipt", "util"):
                carriers[kind] += 1
            if rare:
                assert kind in ("lab", "receipt", "util")
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
    assert set(values) == {"lab", "receipt", "util"}
    assert sum(values.values()) < 0.03 * sum(carriers.values())  # about 1.2% of their kinds' records
    for k in RARE_KINDS:
        assert 0.0008 <= per_kind[k] / exposure[k] <= 0.014, (k, per_kind[k], exposure[k])


def test_truth_follows_the_definition() -> None:
    routine = []
    for wl, lr in _all(range(24)):
        if lr.case not in ("routine", "burst_head"):
            continue
        kind, fields = _kind(wl, lr), lr.record.fields
        a = expected_anomaly(expected_k(wl, kind, fields))
        p = expected_priority(wl, kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        r = rk or (0.45 if {v for v in fields.values() if isinstance(v, str)} & RARE_VALUES[wl.dialect] else 0.0)
        assert lr.importance == pytest.approx(noisy_or(0.04, 0.9 * a, 0.9 * p, r), abs=1e-9)
        assert lr.detail == main_reason(0.9 * a, 0.9 * p, r, rk)
        if lr.case == "burst_head":
            assert a > 0 or p >= 0.5  # a head carries an anomaly or raised priority
            assert lr.importance >= 0.3
            continue
        routine.append(lr.importance)
        assert (lr.importance >= 0.3) == (lr.detail != ""), (lr.importance, lr.detail)
        if lr.detail == "anomaly":
            assert 4.5 <= expected_k(wl, kind, fields) <= 11.5
        elif a == 0.0:
            assert expected_k(wl, kind, fields) < 4.0  # routine numbers stay well inside
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert sum(x == pytest.approx(0.04) for x in routine) > 0.85 * len(routine)


def test_copies_and_tails_link_to_their_sources() -> None:
    assert_copies_and_tails_link(_stream, ("good", "pal", "kwh", "nseq", "wo", "sample", "hseq", "rcpt"), NOTE)


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    checked = 0
    for seed in (3, 4, 5, 6, 7, 8, 9):
        wl = BrewWorkload(seed)
        lrs = [lr for i in range(5) for lr in wl.next_labeled(256, NOW + i * 10**6) if lr.case == "routine"]
        values: dict[tuple, list[float]] = defaultdict(list)
        for lr in lrs:
            kind = _kind(wl, lr)
            if lr.detail == "":
                for key, s in wl.stats.get(kind, {}).items():
                    values[(kind, key)].append(_space(float(lr.record.fields[key]), s.space))
        typical = {}
        for (kind, key), xs in values.items():  # the definition's spread, measured on the stream itself
            if len(xs) >= 60:
                xs.sort()
                s = wl.stats[kind][key]
                med = xs[len(xs) // 2]
                width = xs[int(0.975 * len(xs)) - 1] - xs[int(0.025 * len(xs))]
                typical[(kind, key)] = (med, max(width / 3.92, 0.5 * s.spread))
                assert abs(med - s.center) <= s.spread  # the real median
        for lr in lrs:
            kind = _kind(wl, lr)
            if lr.detail != "anomaly":
                continue
            far = []
            for key, s in wl.stats[kind].items():
                if (kind, key) in typical:
                    x = _space(float(lr.record.fields[key]), s.space)
                    far.append(abs(x - typical[(kind, key)][0]) / typical[(kind, key)][1])
                    if far[-1] >= 3.5 and s.direction:  # off in the field's physical direction
                        assert (x - typical[(kind, key)][0]) * s.direction > 0, (kind, key, lr.record.fields)
            if far:
                checked += 1
                assert max(far) >= 3.5, (kind, lr.record.fields)
    assert checked > 15
    # Physical directions as written: a fermenter or the glycol warming up, caustic diluted, air pressure lost.
    dirs = {(w.dialect, key): s.direction for w in _worlds() for kind in ("ferm", "util", "cip")
            for key, s in w.stats.get(kind, {}).items()}
    assert dirs[("en", "Temp_F")] == dirs[("nds", "Temperatuur[°C]")] == dirs[("cs", "glykol_privod_c")] == 1
    assert dirs[("en", "Air_Hdr_PSIG")] == dirs[("cs", "koncentrace_louhu_pct")] == dirs[("nds", "Drucklucht[bar]")] == -1
    wl = BrewWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_the_lab_verdict_follows_an_anomaly() -> None:
    seen: Counter = Counter()
    for seed, w in enumerate(_worlds()[:len(STREAMED)]):
        if "lab" not in w.common:
            continue
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in _fresh(b)):
            if _kind(wl, lr) != "lab":
                continue
            f = lr.record.fields
            bad = expected_k(wl, "lab", f) >= 4.25  # the spec limits sit 4.25 spreads off
            assert f[wl.keys["verdict"]] == {"en": ("PASS", "FAIL"), "cs": ("vyhovuje", "nevyhovuje"),
                                             "nds": ("in Ordnung", "nich in Ordnung")}[wl.dialect][bad]
            seen[bad] += 1
    assert min(seen[True], seen[False]) >= 3, seen


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    for seed in (9, 10, 12):
        wl = BrewWorkload(seed)
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
            for lr in batch:  # re-sends reach back to earlier batches only
                if lr.case in ("routine", "burst_head"):
                    key = (lr.record.kind, tuple(sorted(lr.record.fields.items())))
                    seen[key] = max(seen.get(key, 0.0), lr.importance)
    assert hits > 3


def test_training_never_loads_the_brew_family() -> None:
    assert modules_loaded_by_training("brew") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_brew") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["brew"] == ("node.workload.holdout_brew", "BrewWorkload")
