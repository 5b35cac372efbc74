"""The held-out ``grid`` family: seeded, valid, varied worlds, every case at a sensible rate, truth per the definition."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or, tail_importance
from node.workload.holdout_grid import (
    ALWAYS_PRIORITY_RARE,
    DIALECTS,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    GridWorkload,
)
from tests.node.holdout_checks import (
    CASES,
    assert_copy_link,
    assert_seeded,
    assert_valid_ordered_batches,
    assert_within,
    case_rates,
    model_modules_loaded_by_import,
    same_output_under_two_hash_seeds,
    windows_missing,
)

NOW = 1_700_000_000_000

# The definition, written out independently of the generator: the strength of each priority step.
STEPS = (0.0, 0.2, 0.45, 0.75, 1.0)
ENCODINGS = {
    "words": {
        "hi": ("samanya", "halka", "madhyam", "jaldi", "turant"),
        "tr": ("olağan", "düşük", "orta", "yüksek", "kritik"),
        "pt": ("rotina", "baixa", "média", "alta", "emergência"),
    },
    "level_up": {d: (0, 1, 2, 3, 4) for d in DIALECTS},
    "level_down": {d: (5, 4, 3, 2, 1) for d in DIALECTS},
    "letter": {
        "hi": ("E", "D", "C", "B", "A"),
        "tr": ("K4", "K3", "K2", "K1", "K0"),
        "pt": ("N", "B", "M", "A", "E"),
    },
    "marks": {
        "hi": ("-", "*", "**", "***", "****"),
        "tr": ("-", "!", "!!", "!!!", "!!!!"),
        "pt": ("-", "+", "++", "+++", "++++"),
    },
    "deadline": {d: (1440, 480, 120, 30, 10) for d in DIALECTS},
}
URGENT = {
    "hi": (
        "jab time mile tab dekh lena",
        "aaj hi dekhna hai",
        "jaldi karo, public bahut naraz hai",
        "TURANT aao, khatra hai",
    ),
    "tr": (
        "müsait olunca bakılsın",
        "bugün içinde bakılmalı",
        "çabuk gelin, vatandaş çok tepkili",
        "ACİL!! can güvenliği riski var",
    ),
    "pt": (
        "quando der, dá uma olhada",
        "precisa ver hoje ainda",
        "corre lá, cliente reclamando muito",
        "URGENTE!! risco de vida no local",
    ),
}
CALM = {
    "hi": ("koi jaldi nahi", "urgent nahi hai", "kal tak chalega"),
    "tr": ("acil değil", "acelesi yok", "yarına kalabilir"),
    "pt": ("sem urgência", "não é urgente", "fica pra semana que vem"),
}
RARE_VALUES = {
    "hi": {"lockout", "chhedchhad", "todphod"},
    "tr": {"kilitli", "müdahale", "vandalizm"},
    "pt": {"bloqueado", "violação", "vandalizado"},
}


def expected_priority(wl: GridWorkload, kind: str, fields: dict) -> float:
    if kind not in PRIORITY_KINDS | ALWAYS_PRIORITY_RARE:
        return 0.0
    if wl.prio_mode == "text":
        note = fields[wl.keys["note"]]
        return max(
            [STEPS[i + 1] for i, p in enumerate(URGENT[wl.dialect]) if p in note], default=0.0
        )
    v = fields[wl.prio_key]
    if wl.prio_mode == "flag":
        assert isinstance(v, bool)
        return 0.9 if v else 0.0
    return STEPS[ENCODINGS[wl.prio_mode][wl.dialect].index(v)]


def expected_k(wl: GridWorkload, kind: str, fields: dict) -> float:
    return max(
        [abs(fields[wl.keys[f]] - s.center) / s.spread for f, s in wl.stats[kind].items()],
        default=0.0,
    )


def expected_anomaly(k: float) -> float:
    return 0.0 if k < 4.5 else min(1.0, 0.4 + 0.12 * (k - 4.5))


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = GridWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


@cache
def _worlds(count: int = 60) -> tuple[GridWorkload, ...]:
    return tuple(GridWorkload(s) for s in range(count))


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(GridWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_grid import GridWorkload\n"
        "for s in (5, 6, 7):\n"
        "    wl = GridWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins[0], wl.common, [lr.record.cid for lr in b][-3:],\n"
        "          sum(lr.importance for lr in b), [lr.case for lr in b].count('resend'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_and_batches_exact() -> None:
    wl = GridWorkload(3)
    batches = [wl.next_labeled(300, NOW + i * 10**6) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert abs(b[-1].record.ts_ms - (NOW + i * 10**6)) < 10**6  # ends near now
    late = wl.next_labeled(5, NOW + 10**12)  # a later now: the stream jumps forward
    assert all(abs(lr.record.ts_ms - (NOW + 10**12)) < 10**5 for lr in late)
    early = wl.next_labeled(50, NOW)  # an earlier now: the stream never goes back
    assert all(lr.record.ts_ms > late[-1].record.ts_ms for lr in early)
    for n in (1, 2, 3, 7, 23, 150):
        assert len(wl.next_labeled(n, NOW)) == n
    for w in map(GridWorkload, range(8)):  # short batches: a burst drawn near the end is cut to fit
        for n in range(1, 45):
            assert len(w.next_labeled(n, NOW)) == n
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = GridWorkload(3).next_batch(40, NOW)
    assert [(r.cid, imp) for r, imp in pairs] == [
        (lr.record.cid, lr.importance) for lr in GridWorkload(3).next_labeled(40, NOW)
    ]


def test_worlds_vary_in_dialect_kinds_and_priority_encoding() -> None:
    worlds = _worlds()
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert 6 <= len(PRIORITY_MODES) <= 8
    assert len({w.common for w in worlds}) > 30
    assert all(5 <= len(w.common) <= 9 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(set(w.common).isdisjoint(RARE_KINDS) for w in worlds)
    assert all(PRIORITY_KINDS & set(w.common) for w in worlds)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 10 for w in worlds)
    assert len({len(w.origins) for w in worlds}) >= 6
    # Each dialect names kinds and fields its own way (none of them English snake_case).
    kind_style = {"hi": r"[a-z]+/[a-z]+", "tr": r"(?:[A-Z][a-z]+)+", "pt": r"[a-z]+(?:-[a-z]+)*"}
    key_style = {
        "hi": r"[a-z][a-z0-9_]*",
        "tr": r"[a-z]+(?:[A-Z][a-z]*)*",
        "pt": r"[a-z]+(?:\.[a-z]+)*",
    }
    names: dict[str, set[str]] = defaultdict(set)
    for w in map(GridWorkload, range(30)):
        names[w.dialect].update(w.kind_of)
        for lr in w.next_labeled(200, NOW):
            assert re.fullmatch(kind_style[w.dialect], lr.record.kind), (w.dialect, lr.record.kind)
            for key in lr.record.fields:
                assert re.fullmatch(key_style[w.dialect], key), (w.dialect, key)
    assert not names["hi"] & names["tr"]
    assert not names["tr"] & names["pt"]
    assert not names["hi"] & names["pt"]
    # The physical grid follows the dialect's country.
    nominal = {w.dialect: set() for w in worlds}
    for w in worlds:
        nominal[w.dialect].add((w.stats["fdr"]["kv"].center, w.stats["pv"]["hz"].center))
    assert nominal == {"hi": {(11.0, 50.0)}, "tr": {(34.5, 50.0)}, "pt": {(13.8, 60.0)}}
    assert {w.stats["mtr"]["volts"].center for w in worlds if w.dialect == "pt"} == {127.0, 220.0}


def test_priority_field_takes_the_world_encoding_on_priority_kinds_only() -> None:
    seen: dict[str, set] = defaultdict(set)
    at_routine = carried = 0
    for w in map(GridWorkload, range(40)):
        if w.prio_mode == "text":
            assert w.prio_key is None
            continue
        allowed = set(ENCODINGS[w.prio_mode][w.dialect]) if w.prio_mode != "flag" else {False, True}
        steps: Counter = Counter()
        for lr in w.next_labeled(500, NOW):
            kind = w.kind_of[lr.record.kind]
            v = lr.record.fields.get(w.prio_key)
            assert (v is not None) == (kind in PRIORITY_KINDS | ALWAYS_PRIORITY_RARE), (
                kind,
                w.prio_key,
            )
            if v is not None:
                assert v in allowed
                assert type(v) in {type(a) for a in allowed}
                seen[w.prio_mode].add(type(v).__name__)
                steps[v] += lr.case == "routine"
                if expected_priority(w, kind, lr.record.fields) >= 0.45 and lr.case == "routine":
                    # A pressing paper does not also say, in its note, that it can wait.
                    note = lr.record.fields.get(w.keys["note"], "")
                    assert not any(c in note for c in CALM[w.dialect]), note
        # Most records sit at the routine step.
        routine = ENCODINGS[w.prio_mode][w.dialect][0] if w.prio_mode != "flag" else False
        at_routine += steps[routine]
        carried += sum(steps.values())
        if sum(steps.values()) >= 50:
            assert steps[routine] >= 0.55 * sum(steps.values()), (w.prio_mode, steps)
    assert at_routine >= 0.75 * carried
    assert seen["words"] == seen["letter"] == seen["marks"] == {"str"}
    assert seen["level_up"] == seen["level_down"] == seen["deadline"] == {"int"}
    assert seen["flag"] == {"bool"}


def test_priority_steps_rank_in_the_encodings_direction() -> None:
    checked = set()
    for w in (GridWorkload(s) for s in range(120)):
        if w.prio_mode in checked or w.prio_mode == "text":
            continue
        by_value: dict = defaultdict(list)
        for lr in w.next_labeled(2500, NOW):
            v = lr.record.fields.get(w.prio_key)
            if (
                v is not None
                and lr.case == "routine"
                and lr.detail in ("", "priority")
                and w.kind_of[lr.record.kind] in PRIORITY_KINDS
            ):
                by_value[v].append(lr.importance)
        order = (False, True) if w.prio_mode == "flag" else ENCODINGS[w.prio_mode][w.dialect]
        tops = [max(by_value[v]) for v in order if by_value[v]]
        assert len(tops) >= 2
        assert tops == sorted(tops), (w.prio_mode, tops)
        assert max(by_value[order[0]]) < 0.3  # the routine step carries no news
        assert min(by_value[order[-1]]) > 0.8  # the top step always does
        checked.add(w.prio_mode)
    assert checked == set(PRIORITY_MODES) - {"text"}


def test_notes_speak_the_dialect_and_say_when_things_can_wait() -> None:
    notes: dict[str, list[str]] = defaultdict(list)
    own = with_device = 0
    for w in map(GridWorkload, range(30)):
        batch = w.next_labeled(300, NOW)
        places = {lr.record.fields.get(w.keys["place"]) for lr in batch} - {None}
        for lr in batch:
            if lr.case == "routine" and w.keys["note"] in lr.record.fields:
                note = lr.record.fields[w.keys["note"]]
                notes[w.dialect].append(note)
                # A ticket's note speaks of the ticket's own place, a switching order of its device.
                for name in ("place", "device"):
                    mine = lr.record.fields.get(w.keys[name])
                    if name == "place" and mine is not None:
                        assert {p for p in places if p in note} <= {mine}, (note, mine)
                    if name == "device" and mine is not None:
                        own += mine in note
                        with_device += 1
    assert all(n.isascii() for n in notes["hi"])  # Hindi in its everyday Latin transliteration
    assert sum(any(c in n for c in "çğıöşüİ") for n in notes["tr"]) > 0.4 * len(notes["tr"])
    assert sum(any(c in n for c in "ãâáàçéêíóôõú") for n in notes["pt"]) > 0.3 * len(notes["pt"])
    for d in DIALECTS:
        assert len(set(notes[d])) > 40, d
        assert sum(any(c in n for c in CALM[d]) for n in notes[d]) > 0.1 * len(notes[d]), d
    assert own == with_device > 20


def test_urgency_written_inside_notes() -> None:
    urgent = calm = 0
    dialects = set()
    for w in (GridWorkload(s) for s in range(300)):
        if w.prio_mode != "text":
            continue
        dialects.add(w.dialect)
        for lr in w.next_labeled(500, NOW):
            kind = w.kind_of[lr.record.kind]
            if lr.case != "routine" or kind not in PRIORITY_KINDS:
                continue
            note = lr.record.fields[w.keys["note"]]
            if URGENT[w.dialect][3] in note:
                urgent += 1
                assert lr.detail in ("priority", "anomaly")
                assert lr.importance > 0.85
            elif any(p in note for p in URGENT[w.dialect]):
                assert lr.importance > 0.2
            else:
                assert lr.detail in ("", "anomaly")
                calm += any(c in note for c in CALM[w.dialect])
    assert dialects == set(DIALECTS)
    assert urgent > 5
    assert calm > 10


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(20) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(
        rates.case,
        {
            "routine": (0.75, 0.9),
            "dup": (0.025, 0.06),
            "near_dup": (0.025, 0.06),
            "burst_head": (0.005, 0.02),
            "burst_tail": (0.03, 0.12),
            "resend": (0.002, 0.012),
        },
    )
    assert_within(
        rates.detail,
        {
            "anomaly": (0.012, 0.045),
            "priority": (0.012, 0.05),
            "rare_kind": (0.001, 0.008),
            "rare_value": (0.0008, 0.008),
            "": (0.7, 0.85),
        },
    )
    assert rates.plain_rare_kind >= 0.4 * rates.rare_kind
    # Nearly every 256-record window has copies and news.
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=170)
    assert all(v <= 4 for v in missing.values()), missing  # of 30 windows


def test_rare_kinds_are_rare() -> None:
    per_kind: Counter[str] = Counter()
    seen_in: Counter[str] = Counter()
    for seed in range(30):
        wl, batches = _stream(seed)
        for k in wl.rare:
            seen_in[k] += sum(len(b) for b in batches)
        for b in batches:
            for lr in b:
                kind = wl.kind_of[lr.record.kind]
                assert kind in wl.common or kind in wl.rare
                if kind not in wl.rare:
                    continue
                per_kind[kind] += 1
                if lr.case == "routine" and kind in ALWAYS_PRIORITY_RARE:
                    assert lr.detail in ("priority", "rare_kind")
                    assert lr.importance > 0.8  # both reasons count
                elif lr.case == "routine":
                    assert (lr.detail, lr.importance) == ("rare_kind", pytest.approx(0.52))
    assert set(per_kind) == set(RARE_KINDS)
    for k in RARE_KINDS:
        assert 0.0005 <= per_kind[k] / seen_in[k] <= 0.006, (k, per_kind[k], seen_in[k])


def test_truth_follows_the_definition() -> None:
    routine = []
    for seed in range(16):
        wl, batches = _stream(seed)
        for b in batches:
            for lr in b:
                if lr.case not in ("routine", "burst_head"):
                    continue
                kind, fields = wl.kind_of[lr.record.kind], lr.record.fields
                a = expected_anomaly(expected_k(wl, kind, fields))
                p = expected_priority(wl, kind, fields)
                rk = 0.5 if kind in RARE_KINDS else 0.0
                r = rk or (0.45 if set(fields.values()) & RARE_VALUES[wl.dialect] else 0.0)
                assert lr.importance == pytest.approx(noisy_or(0.04, 0.9 * a, 0.9 * p, r), abs=1e-9)
                assert lr.detail == main_reason(0.9 * a, 0.9 * p, r, rk)
                assert (lr.importance, lr.detail) == (
                    pytest.approx(wl.score(kind, fields)[0]),
                    wl.score(kind, fields)[1],
                )
                if lr.case == "burst_head":
                    assert lr.detail in ("anomaly", "priority")
                    continue
                routine.append(lr.importance)
                assert (lr.importance >= 0.3) == (lr.detail != ""), (lr.importance, lr.detail)
                if lr.detail == "rare_value":
                    assert lr.importance == pytest.approx(1 - 0.96 * 0.55)
                if lr.detail == "anomaly":
                    assert 0.9 * 0.4 <= lr.importance <= 1.0
    assert sorted(routine)[len(routine) // 2] == pytest.approx(0.04)
    assert sum(x == pytest.approx(0.04) for x in routine) > 0.85 * len(routine)


def test_copies_and_tails_link_to_their_sources() -> None:
    heads, tails = [], []
    tails_per_head: Counter = Counter()
    relayed = ways = 0
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
                    assert lr.importance == pytest.approx(
                        tail_importance(src.importance), abs=1e-12
                    )
                    assert (lr.record.kind, lr.record.origin) == (
                        src.record.kind,
                        src.record.origin,
                    )
                    assert set(lr.record.fields) == set(src.record.fields)
                    assert lr.detail == ""
                    gap = lr.record.ts_ms - b[i - 1].record.ts_ms
                    assert 0 < gap <= 1500  # much tighter than the stream
                    tails.append(lr.importance)
                    tails_per_head[(seed, bi, lr.ref)] += 1
                if lr.case == "burst_head":
                    heads.append(lr.importance)
                if lr.case == "dup":
                    relayed += lr.record.origin != b[lr.ref].record.origin
                if lr.case == "near_dup":
                    diff = [
                        k for k, v in lr.record.fields.items() if b[lr.ref].record.fields[k] != v
                    ]
                    assert len(diff) == 1
                    ways += 1
    assert min(heads) >= 0.3
    assert max(tails) <= 0.035 + 1e-12  # just under the routine floor
    assert sorted(heads)[len(heads) // 2] > 10 * sorted(tails)[len(tails) // 2]
    assert min(tails_per_head.values()) >= 2
    assert max(tails_per_head.values()) <= 40
    assert max(tails_per_head.values()) >= 10
    assert relayed > 5
    assert ways > 100
    # The stream itself is much sparser than a burst.
    wl, batches = _stream(2)
    gaps = [
        b[i].record.ts_ms - b[i - 1].record.ts_ms
        for b in batches
        for i in range(1, len(b))
        if b[i].case not in ("burst_tail",)
    ]
    assert statistics.median(gaps) > 800


def test_anomalies_are_numbers_far_from_the_kind_median() -> None:
    checked = 0
    for seed in (4, 5, 6, 7):
        wl = GridWorkload(seed)
        lrs = [
            lr
            for i in range(6)
            for lr in wl.next_labeled(256, NOW + i * 10**6)
            if lr.case == "routine"
        ]
        values: dict[tuple, list[float]] = defaultdict(list)
        for lr in lrs:
            kind = wl.kind_of[lr.record.kind]
            if lr.detail == "":
                for f in wl.stats[kind]:
                    values[(kind, f)].append(lr.record.fields[wl.keys[f]])
        typical = {}
        for (kind, f), xs in values.items():
            if len(xs) < 40:
                continue
            spec = wl.stats[kind][f]
            q1, med, q3 = statistics.quantiles(xs, n=4)
            spread = max((q3 - q1) / 1.349, 0.25 * spec.spread)
            typical[(kind, f)] = (med, spread)
            # The typical value is the stream's real median.
            assert abs(med - spec.center) <= spec.spread, (kind, f, med, spec)
            if spec.digits and spec.shape != "rain":
                assert 0.5 <= (q3 - q1) / 1.349 / spec.spread <= 1.6, (kind, f)
        for lr in lrs:
            kind = wl.kind_of[lr.record.kind]
            if lr.detail == "anomaly":
                far = [
                    abs(lr.record.fields[wl.keys[f]] - typical[(kind, f)][0])
                    / typical[(kind, f)][1]
                    for f in wl.stats[kind]
                    if (kind, f) in typical
                ]
                if far:
                    checked += 1
                    assert max(far) >= 3.0, (kind, lr.record.fields)
            elif lr.detail == "":
                assert expected_k(wl, kind, lr.record.fields) < 4.5
    assert checked > 30
    # A world's routine distribution itself never strays (anomalies switched off).
    wl = GridWorkload(11)
    wl.anomaly_rate = 0.0
    lrs = [
        lr for i in range(4) for lr in wl.next_labeled(256, NOW + i * 10**6) if lr.case == "routine"
    ]
    assert not any(lr.detail == "anomaly" for lr in lrs)


def test_resends_repeat_news_of_earlier_batches() -> None:
    wl = GridWorkload(9)
    seen: dict[tuple, float] = {}
    hits = 0
    for i in range(6):
        batch = wl.next_labeled(256, NOW + i * 10**6)
        for lr in batch:
            key = (lr.record.kind, lr.record.origin, tuple(sorted(lr.record.fields.items())))
            if lr.case == "resend":
                assert seen.get(key, 0.0) >= 0.3
                assert lr.importance == pytest.approx(0.01 * seen[key])
                assert lr.detail == ""
                assert lr.ref == -1
                hits += 1
        for lr in batch:  # resends reach back to earlier batches only
            key = (lr.record.kind, lr.record.origin, tuple(sorted(lr.record.fields.items())))
            if lr.case in ("routine", "burst_head"):
                seen[key] = max(seen.get(key, 0.0), lr.importance)
    assert hits > 2


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_grid") == "[]"
