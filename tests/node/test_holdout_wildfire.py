"""The held-out ``wildfire`` family: seeded, valid, varied worlds, every case at a sensible rate,
truth per the definition."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or, tail_importance
from node.workload.holdout_wildfire import (
    ALWAYS_PRIORITY_RARE,
    COMMON_KINDS,
    DIALECTS,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    WildfireWorkload,
)
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

# The definition's priority, written out independently of the generator: value -> strength, per form.
STEPS = (0.0, 0.25, 0.5, 0.75, 1.0)
WORDS = {
    "au": ("Nil", "Community Info", "Advice", "Watch and Act", "Emergency Warning"),
    "gl": ("ordinario", "baixo", "medio", "alto", "extremo"),
    "rm": ("privel pitschen", "privel moderà", "privel considerabel", "privel grond", "privel fitg grond"),
}
CODES = {
    "au": {"L1": 0.0, "L2": 0.5, "L3": 1.0},
    "gl": {"IGP0": 0.0, "IGP1": 0.5, "IGP2": 0.75, "IGP3": 1.0},
    "rm": {"A1": 0.0, "A2": 0.5, "A3": 1.0},
}
DISPATCH = {1: 1.0, 2: 0.75, 3: 0.75, 4: 0.5, 5: 0.25, 6: 0.25, 7: 0.0, 8: 0.0, 9: 0.0}
URGENT = {  # step 1..4 phrases inside a note
    "au": ("have a look when you can", "need another tanker out today", "need help asap, fire is running",
           "EMERGENCY!! fire front hitting homes"),
    "gl": ("revisar cando se poida", "convén mandar reforzo hoxe", "precísase axuda axiña, o lume avanza",
           "URXENTE!! o lume está chegando ás casas"),
    "rm": ("controllar cur ch'i va", "duvrain anc ina squadra oz", "duvrain agid svelt, il fieu sa derasa",
           "URGENT!! il fieu tanscha las chasas"),
}
CALM = {
    "au": ("not urgent", "no rush", "can wait till morning", "nothing pressing"),
    "gl": ("non é urxente", "sen présa", "pode agardar a mañá", "nada urxente"),
    "rm": ("betg urgent", "nagina prescha", "po spetgar fin damaun", "nagut da grev"),
}
RARE_VALUES = {"au": {"flame", "Sheltering", "fireworks"}, "gl": {"lapa", "refuxiada", "foguetes"},
               "rm": {"flomma", "en refugi", "fieus artifizials"}}
WORD_FORMS = {"words", "text"}  # the forms a word list could know; every other one is a number, code or flag
ROUTINE_VALUE = {"words": lambda d: WORDS[d][0], "code": lambda d: next(iter(CODES[d])), "flag": lambda d: False}


def expected_priority(wl: WildfireWorkload, kind: str, fields: dict) -> float:
    if kind not in PRIORITY_KINDS | ALWAYS_PRIORITY_RARE:
        return 0.0
    d, mode = wl.dialect, wl.prio_mode
    if mode == "text":
        note = fields[wl.keys["note"]]
        return max([STEPS[i + 1] for i, p in enumerate(URGENT[d]) if p in note], default=0.0)
    v = fields[wl.prio_key]
    if mode == "words":
        return STEPS[WORDS[d].index(v)]
    if mode == "code":
        return CODES[d][v]
    if mode == "dispatch":
        return DISPATCH[v]
    if mode == "score":
        return STEPS[sum(v >= b for b in (4.0, 6.0, 7.5, 9.0))]
    if mode == "eta":
        return STEPS[sum(v < b for b in (360, 180, 60, 20))]
    if mode == "flag":
        return 0.9 if v is True else 0.0
    assert mode == "bits"
    return STEPS[(v >> 5) & 7]


def expected_k(wl: WildfireWorkload, kind: str, fields: dict) -> float:
    ks = []
    for key, s in wl.stats.get(kind, {}).items():
        x = float(fields[key])
        x = math.log(max(x, 1e-3)) if s.space == "log" else x
        ks.append(abs(x - s.center) / s.spread)
    return max(ks, default=0.0)


def expected_anomaly(k: float) -> float:
    return 0.0 if k < 4.5 else min(1.0, 0.35 + 0.1 * (k - 4.5))


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = WildfireWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


@cache
def _worlds(count: int = 80) -> tuple[WildfireWorkload, ...]:
    return tuple(WildfireWorkload(s) for s in range(count))


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(WildfireWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_wildfire import WildfireWorkload\n"
        "for s in (5, 6, 7):\n"
        "    wl = WildfireWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins[0], wl.common, wl.units[:3], [lr.record.cid for lr in b][-3:],\n"
        "          sum(lr.importance for lr in b), [lr.case for lr in b].count('resend'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_and_batches_exact() -> None:
    wl = WildfireWorkload(3)
    batches = [wl.next_labeled(300, NOW + i * 10**6) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    ts = [lr.record.ts_ms for b in batches for lr in b]
    assert all(a < b for a, b in zip(ts, ts[1:], strict=False))  # strictly increasing
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert abs(b[-1].record.ts_ms - (NOW + i * 10**6)) < 10**5  # ends near now
    late = wl.next_labeled(5, NOW + 10**12)  # a later now: the stream jumps forward
    assert all(abs(lr.record.ts_ms - (NOW + 10**12)) < 10**6 for lr in late)
    early = wl.next_labeled(50, NOW)  # an earlier now: the stream never goes back
    assert all(lr.record.ts_ms > late[-1].record.ts_ms for lr in early)
    for w in map(WildfireWorkload, range(6)):  # short batches: a burst never outgrows its batch
        for n in range(1, 40):
            b = w.next_labeled(n, NOW)
            assert len(b) == n
            assert all(lr.case != "burst_tail" or b[lr.ref].case == "burst_head" for lr in b)
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = WildfireWorkload(3).next_batch(40, NOW)
    assert [(r.cid, imp) for r, imp in pairs] == [
        (lr.record.cid, lr.importance) for lr in WildfireWorkload(3).next_labeled(40, NOW)]


def test_worlds_vary_in_dialect_kinds_origins_and_priority_form() -> None:
    worlds = _worlds()
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert len(PRIORITY_MODES) == 8
    assert len(set(PRIORITY_MODES) - WORD_FORMS) >= 4
    assert {(w.dialect, w.prio_mode) for w in worlds} >= {(d, "text") for d in DIALECTS} | {
        (d, "words") for d in DIALECTS}
    assert len({w.common for w in worlds}) > 40
    assert all(4 <= len(w.common) <= 6 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(set(w.common) <= set(COMMON_KINDS) and set(w.rare) <= set(RARE_KINDS) for w in worlds)
    assert all(PRIORITY_KINDS & set(w.common) for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 10 for w in worlds)
    assert len({len(w.origins) for w in worlds}) >= 6
    # Each dialect names kinds and fields its own way.
    kind_style = {"au": r"(?:[A-Z][a-z]+)+(?:Cb[A-Za-z]*)?", "gl": r"[a-z]+:[a-z_]+", "rm": r"[a-z]+(?:-[a-z]+)+"}
    key_style = {"au": r"[A-Z][A-Za-z0-9]*(?:_[A-Z0-9][A-Za-z0-9]*)*", "gl": r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*",
                 "rm": r"[a-z]+(?:[A-Z0-9][a-z0-9]*)*"}
    names: dict[str, set[str]] = defaultdict(set)
    for seed, w in enumerate(worlds[:30]):
        for lr in _stream(seed)[1][0]:
            names[w.dialect].add(lr.record.kind)
            assert re.fullmatch(kind_style[w.dialect], lr.record.kind), (w.dialect, lr.record.kind)
            for key in lr.record.fields:
                assert re.fullmatch(key_style[w.dialect], key), (w.dialect, key)
                assert key.isascii()
    assert not names["au"] & names["gl"]
    assert not names["gl"] & names["rm"]
    assert not names["au"] & names["rm"]
    # Units follow the dialect: wind in km/h or m/s; area in hectares or square metres.
    assert {w.keys["wind"] for w in worlds} == {"Wind_Kmh", "vento_ms", "ventKmh"}
    assert {w.keys["area"] for w in worlds} == {"Area_Ha", "superficie_ha", "surfatschaM2"}


def test_priority_field_takes_the_world_form_on_priority_kinds_only() -> None:
    types: dict[str, set[str]] = defaultdict(set)
    at_routine = carried = 0
    modes = set()
    for seed, w in enumerate(_worlds()[:48]):
        modes.add(w.prio_mode)
        if w.prio_mode == "text":
            assert w.prio_key is None
            continue
        steps: Counter = Counter()
        for lr in _stream(seed)[1][0]:
            kind = w.kind_of[lr.record.kind]
            v = lr.record.fields.get(w.prio_key)
            assert (v is not None) == (kind in PRIORITY_KINDS | ALWAYS_PRIORITY_RARE), (kind, w.prio_key)
            if v is None:
                continue
            types[w.prio_mode].add(type(v).__name__)
            p = expected_priority(w, kind, lr.record.fields)  # raises on a value outside the form
            if w.prio_mode == "score":
                assert 0.0 <= v <= 10.0
                assert round(v, 1) == v
            if w.prio_mode == "eta":
                assert 2 <= v <= 4000 or v == 9999
            if w.prio_mode == "bits":
                assert 0 <= v < 4096
                assert (v >> 5) & 7 <= 4
            if lr.case == "routine" and kind in PRIORITY_KINDS:
                steps[p] += 1
                if p > 0:  # a pressing record does not also say, in its note, that it can wait
                    assert not any(c in lr.record.fields[w.keys["note"]] for c in CALM[w.dialect])
        at_routine += steps[0.0]
        carried += sum(steps.values())
    assert modes == set(PRIORITY_MODES)
    assert at_routine >= 0.8 * carried
    assert types["words"] == types["code"] == {"str"}
    assert types["dispatch"] == types["eta"] == types["bits"] == {"int"}
    assert types["score"] == {"float"}
    assert types["flag"] == {"bool"}


def test_priority_ranks_in_the_forms_direction() -> None:
    checked = set()
    for s, world in enumerate(_worlds()):
        if world.prio_mode in checked or world.prio_mode == "text":
            continue
        w = WildfireWorkload(s)
        by_p: dict[float, list] = defaultdict(list)
        for lr in w.next_labeled(1500, NOW):
            kind = w.kind_of[lr.record.kind]
            if lr.case == "routine" and lr.detail in ("", "priority") and kind in PRIORITY_KINDS:
                by_p[expected_priority(w, kind, lr.record.fields)].append((lr.importance, lr.record.fields[w.prio_key]))
        assert len(by_p) >= 2
        tops = [max(i for i, _ in by_p[p]) for p in sorted(by_p)]
        assert tops == sorted(tops)
        assert max(i for i, _ in by_p[0.0]) < 0.3
        values = {p: [v for _, v in xs] for p, xs in by_p.items()}
        if w.prio_mode in ("dispatch", "eta"):  # smaller is more pressing
            assert max(values[max(values)]) < min(values[0.0])
        if w.prio_mode in ("score", "bits"):
            assert min(values[max(values)]) > max(values[0.0])
        if w.prio_mode in ROUTINE_VALUE:
            assert set(values[0.0]) == {ROUTINE_VALUE[w.prio_mode](w.dialect)}
        checked.add(w.prio_mode)
    assert checked == set(PRIORITY_MODES) - {"text"}


def test_notes_speak_the_dialect_and_say_when_things_can_wait() -> None:
    notes: dict[str, list[str]] = defaultdict(list)
    urgent_in_text_worlds: Counter = Counter()
    for seed, w in enumerate(_worlds()[:60]):
        for lr in _stream(seed)[1][0]:
            note = lr.record.fields.get(w.keys["note"])
            if note is None or lr.case != "routine":
                continue
            notes[w.dialect].append(note)
            has_urgent = any(p in note for p in URGENT[w.dialect])
            if w.prio_mode == "text":
                urgent_in_text_worlds[w.dialect] += has_urgent
            else:
                assert not has_urgent, note  # urgency words only where the world writes priority in notes
    assert sum(any(c in n for c in "áéíóúñ") for n in notes["gl"]) > 0.2 * len(notes["gl"])
    assert sum(any(c in n for c in "àèìòùéü") for n in notes["rm"]) > 0.1 * len(notes["rm"])
    assert all(n.isascii() for n in notes["au"])
    for d in DIALECTS:
        assert len(set(notes[d])) > 40, d
        assert sum(any(c in n for c in CALM[d]) for n in notes[d]) > 0.15 * len(notes[d]), d
    for s, world in enumerate(_worlds()):
        if world.prio_mode == "text" and urgent_in_text_worlds[world.dialect] < 3:
            w = WildfireWorkload(s)
            for lr in w.next_labeled(400, NOW):
                note = lr.record.fields.get(w.keys["note"], "")
                urgent_in_text_worlds[w.dialect] += lr.case == "routine" and any(p in note for p in URGENT[w.dialect])
    assert all(urgent_in_text_worlds[d] >= 3 for d in DIALECTS), urgent_in_text_worlds


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.70, 0.86), "dup": (0.035, 0.07), "near_dup": (0.06, 0.12),
                               "burst_head": (0.005, 0.016), "burst_tail": (0.035, 0.12), "resend": (0.004, 0.016)})
    assert_within(rates.detail, {"anomaly": (0.012, 0.035), "priority": (0.01, 0.035), "rare_kind": (0.003, 0.012),
                                 "rare_value": (0.001, 0.006), "": (0.65, 0.8)})
    assert rates.plain_rare_kind >= 0.5 * rates.rare_kind  # most rare kinds carry no priority
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=120)
    assert all(v <= 8 for v in missing.values()), missing  # of 30 windows


def test_rare_kinds_are_rare() -> None:
    per_kind: Counter = Counter()
    exposure: Counter = Counter()
    for seed in range(30):
        wl, batches = _stream(seed)
        fresh = sum(lr.case == "routine" for b in batches for lr in b)
        for k in wl.rare:
            exposure[k] += fresh
        for lr in (lr for b in batches for lr in b):
            kind = wl.kind_of[lr.record.kind]
            assert kind in wl.common or kind in wl.rare
            if kind not in wl.rare or lr.case != "routine":
                continue
            per_kind[kind] += 1
            if kind in ALWAYS_PRIORITY_RARE:
                assert lr.detail in ("priority", "rare_kind")
                assert lr.importance > 0.7
            else:
                assert (lr.detail, lr.importance) == ("rare_kind", pytest.approx(0.52))
    assert set(per_kind) == set(RARE_KINDS)
    for k in RARE_KINDS:
        assert 0.001 <= per_kind[k] / exposure[k] <= 0.015, (k, per_kind[k], exposure[k])


def test_truth_follows_the_definition() -> None:
    routine = []
    for seed in range(20):
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
            if lr.case not in ("routine", "burst_head"):
                continue
            kind, fields = wl.kind_of[lr.record.kind], lr.record.fields
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
    heads, tails = [], []
    per_head: Counter = Counter()
    relayed = 0
    changed: Counter = Counter()
    for seed in range(16):
        wl, batches = _stream(seed)
        for bi, b in enumerate(batches):
            for i, lr in enumerate(b):
                if lr.case != "burst_tail":
                    assert_copy_link(b, i)
                else:
                    src = b[lr.ref]
                    assert 0 <= lr.ref < i
                    assert src.case == "burst_head"
                    assert lr.importance == pytest.approx(tail_importance(src.importance), abs=1e-9)
                    assert (lr.record.kind, lr.record.origin) == (src.record.kind, src.record.origin)
                    assert set(lr.record.fields) == set(src.record.fields)
                    assert lr.record.fields != src.record.fields
                    assert lr.detail == ""
                    assert 0 < lr.record.ts_ms - src.record.ts_ms < 120_000
                    if wl.prio_key in src.record.fields:
                        assert lr.record.fields[wl.prio_key] == src.record.fields[wl.prio_key]
                    tails.append(lr.importance)
                    per_head[(seed, bi, lr.ref)] += 1
                if lr.case == "burst_head":
                    heads.append(lr.importance)
                if lr.case == "dup":
                    relayed += lr.record.origin != b[lr.ref].record.origin
                if lr.case == "near_dup":
                    src = b[lr.ref].record.fields
                    diff = [k for k, v in lr.record.fields.items() if src[k] != v]
                    assert 1 <= len(diff) <= 2
                    assert wl.prio_key not in diff
                    for k in diff:
                        changed["number" if isinstance(src[k], int | float) else "text"] += 1
    assert min(heads) >= 0.3
    assert max(tails) <= 0.035 + 1e-12
    assert sorted(heads)[len(heads) // 2] > 10 * sorted(tails)[len(tails) // 2]
    assert min(per_head.values()) >= 2
    assert 10 <= max(per_head.values()) <= 40
    assert relayed > 10
    assert changed["number"] > 50
    assert changed["text"] > 50
    # Tails come much closer together than the stream does.
    wl, batches = _stream(2)
    gaps, tail_gaps = stream_and_tail_gaps(batches)
    assert statistics.median(tail_gaps) < 0.5 * statistics.median(gaps)


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    checked = 0
    for seed in (4, 5, 6, 7, 8):
        wl = WildfireWorkload(seed)
        lrs = [lr for i in range(5) for lr in wl.next_labeled(256, NOW + i * 10**6) if lr.case == "routine"]
        values: dict[tuple, list[float]] = defaultdict(list)
        for lr in lrs:
            kind = wl.kind_of[lr.record.kind]
            if lr.detail == "":
                for key, s in wl.stats.get(kind, {}).items():
                    x = float(lr.record.fields[key])
                    values[(kind, key)].append(math.log(max(x, 1e-3)) if s.space == "log" else x)
        typical = {}
        for (kind, key), xs in values.items():
            if len(xs) >= 40:
                q1, med, q3 = statistics.quantiles(xs, n=4)
                typical[(kind, key)] = (med, max((q3 - q1) / 1.349, 0.25 * wl.stats[kind][key].spread))
                assert abs(med - wl.stats[kind][key].center) <= wl.stats[kind][key].spread  # the real median
        for lr in lrs:
            kind = wl.kind_of[lr.record.kind]
            if lr.detail != "anomaly":
                continue
            far = []
            for key, s in wl.stats[kind].items():
                if (kind, key) in typical:
                    x = float(lr.record.fields[key])
                    x = math.log(max(x, 1e-3)) if s.space == "log" else x
                    far.append(abs(x - typical[(kind, key)][0]) / typical[(kind, key)][1])
            if far:
                checked += 1
                assert max(far) >= 3.0, (kind, lr.record.fields)
    assert checked > 15
    wl = WildfireWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    for seed in (9, 10):
        wl = WildfireWorkload(seed)
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


def test_training_never_loads_the_wildfire_family() -> None:
    assert modules_loaded_by_training("wildfire") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_wildfire") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["wildfire"] == ("node.workload.holdout_wildfire", "WildfireWorkload")
