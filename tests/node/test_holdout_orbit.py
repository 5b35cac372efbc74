"""The held-out ``orbit`` family: seeded, valid, varied worlds, every case at a sensible rate,
truth per the definition."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or, tail_importance
from node.workload.holdout_orbit import (
    ALWAYS_PRIORITY_RARE,
    COMMON_KINDS,
    DIALECTS,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    OrbitWorkload,
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
    "en": ("NOMINAL", "WATCH", "CAUTION", "WARNING", "EMERGENCY"),
    "ru": ("штатно", "замечание", "отклонение", "нештатно", "аварийно"),
    "oc": ("ordinari", "leugièr", "mejan", "grèu", "fòrça grèu"),
}
CODES = {
    "en": {"CL-IV": 0.0, "CL-III": 0.5, "CL-II": 0.75, "CL-I": 1.0},
    "ru": {"К3": 0.0, "К2": 0.5, "К1": 1.0},
    "oc": {"V0": 0.0, "V1": 0.5, "V2": 0.75, "V3": 1.0},
}
RANK = {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25, 5: 0.0, 6: 0.0}
URGENT = {  # step 1..4 phrases inside a note
    "en": ("pls review when convenient", "need a decision before next pass",
           "URGENT - need GO/NO-GO within the hour", "EMERGENCY - vehicle at risk, all hands to MCC"),
    "ru": ("посмотреть при случае", "нужно решение до следующего сеанса",
           "СРОЧНО! нужна команда в этом сеансе", "АВАРИЯ! угроза потери КА"),
    "oc": ("de veire quand se poirà", "cal una decision abans lo passatge que ven",
           "URGÉNCIA! cal mandar la comanda a aqueste passatge", "PERILH! risc de pèrdre lo satellit"),
}
CALM = {
    "en": ("not time critical", "no action required", "can wait for next shift", "FYI only"),
    "ru": ("не срочно", "терпит до утра", "подождёт до следующей смены", "для сведения"),
    "oc": ("es pas urgent", "pòt esperar fins a deman", "cap de preissa", "per informacion"),
}
RARE_VALUES = {"en": {"AUTH_FAIL", "CREWED", "X"}, "ru": {"неверная подпись", "пилотируемый", "X"},
               "oc": {"autentificacion refusada", "amb equipatge", "X"}}
WORD_FORMS = {"words", "text"}  # the forms a word list could know; every other one is a number, code or flag
ROUTINE_VALUE = {"words": lambda d: WORDS[d][0], "code": lambda d: next(iter(CODES[d])), "flag": lambda d: False}
NOTE = {"en": "remarks", "ru": "примечание", "oc": "comentari"}


def expected_priority(wl: OrbitWorkload, kind: str, fields: dict) -> float:
    if kind not in PRIORITY_KINDS | ALWAYS_PRIORITY_RARE:
        return 0.0
    d, mode = wl.dialect, wl.prio_mode
    if mode == "text":
        note = fields[NOTE[d]]
        return max([STEPS[i + 1] for i, p in enumerate(URGENT[d]) if p in note], default=0.0)
    v = fields[wl.prio_key]
    if mode == "words":
        return STEPS[WORDS[d].index(v)]
    if mode == "code":
        return CODES[d][v]
    if mode == "rank":
        return RANK[v]
    if mode == "score":
        return STEPS[sum(v >= b for b in (40, 60, 75, 90))]
    if mode == "orbits":
        return STEPS[sum(v < b for b in (16, 8, 4, 2))]
    if mode == "flag":
        return 0.9 if v is True else 0.0
    assert mode == "bits"
    word = int(v, 16) if isinstance(v, str) else v
    return STEPS[(word >> 9) & 7]


def _space(x: float, space: str) -> float:
    return math.log(max(x, 1e-6)) if space == "log" else x


def expected_k(wl: OrbitWorkload, kind: str, fields: dict) -> float:
    return max((abs(_space(float(fields[key]), s.space) - s.center) / s.spread
                for key, s in wl.stats.get(kind, {}).items()), default=0.0)


def expected_anomaly(k: float) -> float:
    return 0.0 if k < 4.5 else min(1.0, 0.35 + 0.1 * (k - 4.5))


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = OrbitWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


@cache
def _worlds(count: int = 60) -> tuple[OrbitWorkload, ...]:
    return tuple(OrbitWorkload(s) for s in range(count))


def _fresh(lrs):
    return [lr for lr in lrs if lr.case in ("routine", "burst_head")]


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(OrbitWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_orbit import OrbitWorkload\n"
        "for s in (5, 6, 7):\n"
        "    wl = OrbitWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins[0], wl.common, wl.spacecraft, [lr.record.cid for lr in b][-3:],\n"
        "          sum(lr.importance for lr in b), [lr.case for lr in b].count('resend'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_and_batches_exact() -> None:
    wl = OrbitWorkload(3)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    ts = [lr.record.ts_ms for b in batches for lr in b]
    assert all(a < b for a, b in zip(ts, ts[1:], strict=False))  # strictly increasing
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert abs(b[-1].record.ts_ms - (NOW + i * 10**8)) < 10**5  # ends near now
    late = wl.next_labeled(5, NOW + 10**12)  # a later now: the stream jumps forward
    assert all(abs(lr.record.ts_ms - (NOW + 10**12)) < 10**7 for lr in late)
    early = wl.next_labeled(50, NOW)  # an earlier now: the stream never goes back
    assert all(lr.record.ts_ms > late[-1].record.ts_ms for lr in early)
    for w in map(OrbitWorkload, range(6)):  # short batches: a burst never outgrows its batch
        for n in range(1, 40):
            b = w.next_labeled(n, NOW)
            assert len(b) == n
            assert all(lr.case != "burst_tail" or b[lr.ref].case == "burst_head" for lr in b)
            tails = Counter(lr.ref for lr in b if lr.case == "burst_tail")
            assert all(tails[i] >= 2 for i, lr in enumerate(b) if lr.case == "burst_head")  # never cut short
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = OrbitWorkload(3).next_batch(40, NOW)
    assert [(r.cid, imp) for r, imp in pairs] == [
        (lr.record.cid, lr.importance) for lr in OrbitWorkload(3).next_labeled(40, NOW)]


def test_worlds_vary_in_dialect_kinds_origins_and_priority_form() -> None:
    worlds = _worlds()
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert len(PRIORITY_MODES) == 8
    assert len(set(PRIORITY_MODES) - WORD_FORMS) >= 6
    assert {(w.dialect, w.prio_mode) for w in worlds} >= {(d, "text") for d in DIALECTS} | {
        (d, "words") for d in DIALECTS} | {(d, "bits") for d in DIALECTS}
    assert len({w.common for w in worlds}) > 40
    assert all(4 <= len(w.common) <= 6 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(set(w.common) <= set(COMMON_KINDS) and set(w.rare) <= set(RARE_KINDS) for w in worlds)
    assert all(PRIORITY_KINDS & set(w.common) for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 10 for w in worlds)
    assert len({len(w.origins) for w in worlds}) >= 6
    assert all(2 <= len(w.spacecraft) <= 6 for w in worlds)
    # Each dialect names kinds and fields its own way.
    kind_style = {"en": r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", "ru": r"[А-ЯЁа-яё]+(?:_[А-ЯЁа-яё]+)+",
                  "oc": r"[a-zàèéíòóúç_]+(?:\.[a-zàèéíòóúç_]+)+"}
    key_style = {"en": r"[a-z][a-z0-9]*(?:[A-Z0-9][a-z0-9]*)*",
                 "ru": r"[A-Za-zА-ЯЁа-яё0-9]+(?:_[A-Za-zА-ЯЁа-яё0-9]+)*", "oc": r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"}
    names: dict[str, set[str]] = defaultdict(set)
    for seed, w in enumerate(worlds[:30]):
        for lr in _stream(seed)[1][0]:
            names[w.dialect].add(lr.record.kind)
            assert re.fullmatch(kind_style[w.dialect], lr.record.kind), (w.dialect, lr.record.kind)
            for key in lr.record.fields:
                assert re.fullmatch(key_style[w.dialect], key), (w.dialect, key)
                assert key.isascii() == (w.dialect != "ru") or key == "lg_вероятности"
                if w.dialect == "ru":
                    assert re.search("[А-ЯЁа-яё]", key), key  # Cyrillic names, Latin only in symbols
    assert not names["en"] & names["ru"]
    assert not names["ru"] & names["oc"]
    assert not names["en"] & names["oc"]
    # Units follow the dialect: OBC temperature in deg C or kelvin, miss distance in metres or km.
    assert {w.keys["tobc"] for w in worlds} == {"obcTempC", "темп_БЦВМ", "temperatura-calculador-k"}
    assert {w.keys["miss"] for w in worlds} == {"missDistM", "мин_расстояние_км", "distancia-minimala-m"}
    temps: dict[str, list[float]] = defaultdict(list)
    for seed, w in enumerate(worlds[:40]):
        temps[w.dialect] += [lr.record.fields[w.keys["tobc"]] for lr in _stream(seed)[1][0]
                             if w.kind_of[lr.record.kind] == "hk" and lr.detail == ""]
    assert max(temps["en"] + temps["ru"]) < 60 < 250 < min(temps["oc"])


def test_entities_keep_their_origin_counters_and_drift() -> None:
    checked: Counter = Counter()
    for seed in range(40):
        wl, batches = _stream(seed)
        origin_of: dict[tuple, str] = {}
        last: dict[tuple, int] = {}
        for lr in (lr for b in batches for lr in _fresh(b)):
            kind, f = wl.kind_of[lr.record.kind], lr.record.fields
            entity = {"cmd": "sc", "pass": "gs", "log": "op", "gsm": "gs", "od": "sc", "anom": "sc"}.get(kind)
            if entity is not None:  # every spacecraft, station and operator comes in through one origin
                key = (kind, f[wl.keys[entity]])
                assert origin_of.setdefault(key, lr.record.origin) == lr.record.origin
            if kind == "swx":
                assert lr.record.origin == wl.origins[wl.feed_origin]
            for counter, owner in (("frame", "sc"), ("cseq", "sc"), ("seq", "op")):
                if wl.keys[counter] in f:  # per-entity counters only ever grow
                    ent = (counter, f[wl.keys[owner]])
                    assert f[wl.keys[counter]] > last.get(ent, -1)
                    last[ent] = f[wl.keys[counter]]
                    checked[counter] += 1
        shares = Counter(lr.record.origin for b in batches for lr in b)
        if len(wl.origins) >= 5:  # a few origins carry most
            assert shares.most_common(1)[0][1] >= 2 * len(batches) * 256 / len(wl.origins) / 1.5
    assert min(checked.values()) > 100
    # The solar flux drifts from batch to batch; a recorder fills up and dumps; orbits decay.
    for seed, w in enumerate(_worlds()):
        if "swx" in w.common:
            wl = OrbitWorkload(seed)
            means = [statistics.mean(lr.record.fields[wl.keys["f107"]] for lr in wl.next_labeled(200, NOW + i * 10**6)
                                     if wl.kind_of[lr.record.kind] == "swx" and lr.case == "routine")
                     for i in range(4)]
            assert len({round(m) for m in means}) >= 2
            break
    for seed, w in enumerate(_worlds()):
        if "od" in w.common:
            wl = OrbitWorkload(seed)
            sma: dict[str, list[float]] = defaultdict(list)
            for lr in wl.next_labeled(600, NOW):
                if wl.kind_of[lr.record.kind] == "od" and lr.case == "routine":
                    sma[lr.record.fields[wl.keys["sc"]]].append(lr.record.fields[wl.keys["sma"]])
            longest = max(sma.values(), key=len)
            third = len(longest) // 3
            assert third >= 4
            assert statistics.median(longest[-third:]) < statistics.median(longest[:third])
            break


def test_priority_field_takes_the_world_form_on_priority_kinds_only() -> None:
    types: dict[tuple[str, str], set[str]] = defaultdict(set)
    at_routine = carried = 0
    modes = set()
    for seed, w in enumerate(_worlds()[:60]):
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
            types[(w.prio_mode, w.dialect)].add(type(v).__name__)
            p = expected_priority(w, kind, lr.record.fields)  # raises on a value outside the form
            if w.prio_mode == "score":
                assert 0 <= v <= 100
            if w.prio_mode == "orbits":
                assert 0 <= v <= 45 or v == 99
            if w.prio_mode == "rank":
                assert 1 <= v <= 6
            if w.prio_mode == "bits":
                word = int(v, 16) if isinstance(v, str) else v
                assert 0 <= word < 2**16
                assert (word >> 9) & 7 <= 4
            if lr.case == "routine" and kind in PRIORITY_KINDS:
                steps[p] += 1
                if p > 0:  # a pressing record does not also say, in its note, that it can wait
                    assert not any(c in lr.record.fields[NOTE[w.dialect]] for c in CALM[w.dialect])
        at_routine += steps[0.0]
        carried += sum(steps.values())
    assert modes == set(PRIORITY_MODES)
    assert at_routine >= 0.8 * carried
    by_mode: dict[str, set[str]] = defaultdict(set)
    for (mode, d), t in types.items():
        by_mode[mode] |= t
        if mode == "bits":
            assert t == ({"str"} if d == "oc" else {"int"}), (d, t)
    assert by_mode["words"] == by_mode["code"] == {"str"}
    assert by_mode["rank"] == by_mode["score"] == by_mode["orbits"] == {"int"}
    assert by_mode["flag"] == {"bool"}
    assert by_mode["bits"] == {"int", "str"}


def test_priority_ranks_in_the_forms_direction() -> None:
    checked = set()
    for s, world in enumerate(_worlds()):
        if world.prio_mode in checked or world.prio_mode == "text":
            continue
        w = OrbitWorkload(s)
        by_p: dict[float, list] = defaultdict(list)
        for lr in w.next_labeled(1500, NOW):
            kind = w.kind_of[lr.record.kind]
            plain = not {v for v in lr.record.fields.values() if isinstance(v, str)} & RARE_VALUES[w.dialect] \
                and expected_k(w, kind, lr.record.fields) < 4.5  # priority alone
            if lr.case == "routine" and lr.detail in ("", "priority") and kind in PRIORITY_KINDS and plain:
                by_p[expected_priority(w, kind, lr.record.fields)].append((lr.importance, lr.record.fields[w.prio_key]))
        assert len(by_p) >= 2
        tops = [max(i for i, _ in by_p[p]) for p in sorted(by_p)]
        assert tops == sorted(tops)
        assert max(i for i, _ in by_p[0.0]) < 0.3
        values = {p: [v for _, v in xs] for p, xs in by_p.items()}
        if w.prio_mode in ("rank", "orbits"):  # smaller is more pressing
            assert max(values[max(values)]) < min(values[0.0])
        if w.prio_mode == "score":
            assert min(values[max(values)]) > max(values[0.0])
        if w.prio_mode == "bits":
            def level(v: object) -> int:
                return ((int(v, 16) if isinstance(v, str) else v) >> 9) & 7  # type: ignore[operator, arg-type]
            assert min(map(level, values[max(values)])) > max(map(level, values[0.0]))
        if w.prio_mode in ROUTINE_VALUE:
            assert set(values[0.0]) == {ROUTINE_VALUE[w.prio_mode](w.dialect)}
        checked.add(w.prio_mode)
    assert checked == set(PRIORITY_MODES) - {"text"}


def test_notes_speak_the_dialect_and_say_when_things_can_wait() -> None:
    notes: dict[str, list[str]] = defaultdict(list)
    urgent_in_text_worlds: Counter = Counter()
    for seed, w in enumerate(_worlds()[:60]):
        for lr in _stream(seed)[1][0]:
            note = lr.record.fields.get(NOTE[w.dialect])
            if note is None or lr.case != "routine":
                continue
            notes[w.dialect].append(note)
            has_urgent = any(p in note for p in URGENT[w.dialect])
            if w.prio_mode == "text":
                urgent_in_text_worlds[w.dialect] += has_urgent
            else:
                assert not has_urgent, note  # urgency words only where the world writes priority in notes
    assert sum(any(c in n for c in "àèéíòóúç") for n in notes["oc"]) > 0.2 * len(notes["oc"])
    assert all(re.search("[а-яё]", n) for n in notes["ru"])
    assert all(n.isascii() for n in notes["en"])
    for d in DIALECTS:
        assert len(set(notes[d])) > 40, d
        assert sum(any(c in n for c in CALM[d]) for n in notes[d]) > 0.12 * len(notes[d]), d
    for s, world in enumerate(_worlds()):
        if world.prio_mode == "text" and urgent_in_text_worlds[world.dialect] < 3:
            w = OrbitWorkload(s)
            for lr in w.next_labeled(400, NOW):
                note = lr.record.fields.get(NOTE[w.dialect], "")
                urgent_in_text_worlds[w.dialect] += lr.case == "routine" and any(p in note for p in URGENT[w.dialect])
    assert all(urgent_in_text_worlds[d] >= 3 for d in DIALECTS), urgent_in_text_worlds


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.70, 0.86), "dup": (0.035, 0.07), "near_dup": (0.06, 0.12),
                               "burst_head": (0.005, 0.016), "burst_tail": (0.035, 0.13), "resend": (0.004, 0.016)})
    assert_within(rates.detail, {"anomaly": (0.01, 0.035), "priority": (0.012, 0.04), "rare_kind": (0.003, 0.014),
                                 "rare_value": (0.0008, 0.006), "": (0.65, 0.8)})
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
    head_at: list[tuple[int, int, int]] = []
    per_head: Counter = Counter()
    relayed = 0
    changed: Counter = Counter()
    for seed in range(16):
        wl, batches = _stream(seed)
        counters = {wl.keys[c] for c in ("frame", "cseq", "seq")}
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
                    for key in counters & set(src.record.fields):  # counters step on
                        assert lr.record.fields[key] > src.record.fields[key]
                    tails.append(lr.importance)
                    per_head[(seed, bi, lr.ref)] += 1
                if lr.case == "burst_head":
                    heads.append(lr.importance)
                    head_at.append((seed, bi, i))
                if lr.case == "dup":
                    relayed += lr.record.origin != b[lr.ref].record.origin
                if lr.case == "near_dup":
                    src = b[lr.ref].record.fields
                    diff = [k for k, v in lr.record.fields.items() if src[k] != v]
                    assert 1 <= len(diff) <= 2
                    assert wl.prio_key not in diff
                    if wl.prio_mode == "text":
                        assert NOTE[wl.dialect] not in diff
                    for k in diff:
                        changed["number" if isinstance(src[k], int | float) else "text"] += 1
    assert min(heads) >= 0.3
    assert max(tails) <= 0.035 + 1e-12
    assert sorted(heads)[len(heads) // 2] > 10 * sorted(tails)[len(tails) // 2]
    assert min(per_head[h] for h in head_at) >= 2  # a batch never ends inside a burst
    assert 10 <= max(per_head.values()) <= 40
    assert relayed > 10
    assert changed["number"] > 50
    assert changed["text"] > 50
    # Tails come much closer together than the stream does on average.
    worlds = 0
    for seed in range(16):
        wl, batches = _stream(seed)
        gaps, tail_gaps = stream_and_tail_gaps(batches)
        if len(tail_gaps) >= 5:
            worlds += 1
            assert statistics.median(tail_gaps) < 0.5 * statistics.mean(gaps), seed
    assert worlds >= 6


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    checked = 0
    for seed in (4, 5, 6, 7, 8, 9):
        wl = OrbitWorkload(seed)
        lrs = [lr for i in range(5) for lr in wl.next_labeled(256, NOW + i * 10**6) if lr.case == "routine"]
        values: dict[tuple, list[float]] = defaultdict(list)
        for lr in lrs:
            kind = wl.kind_of[lr.record.kind]
            if lr.detail == "":
                for key, s in wl.stats.get(kind, {}).items():
                    values[(kind, key)].append(_space(float(lr.record.fields[key]), s.space))
        typical = {}
        for (kind, key), xs in values.items():  # the definition's spread, measured on the stream itself
            if len(xs) >= 60:
                xs.sort()
                med = xs[len(xs) // 2]
                width = xs[int(0.975 * len(xs)) - 1] - xs[int(0.025 * len(xs))]
                typical[(kind, key)] = (med, max(width / 3.92, 0.05 if wl.stats[kind][key].space == "log" else 0.5))
                assert abs(med - wl.stats[kind][key].center) <= wl.stats[kind][key].spread  # the real median
        for lr in lrs:
            kind = wl.kind_of[lr.record.kind]
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
    wl = OrbitWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_derived_numbers_follow_an_anomaly() -> None:
    seen: Counter = Counter()
    for seed in range(60):
        wl, batches = _stream(seed)
        d, k = wl.dialect, wl.keys
        for lr in (lr for b in batches for lr in _fresh(b)):
            kind, f = wl.kind_of[lr.record.kind], lr.record.fields
            off = {key for key, s in wl.stats.get(kind, {}).items()
                   if abs(_space(float(f[key]), s.space) - s.center) / s.spread >= 4.5}  # the anomalous number
            if kind == "hk" and k["vbat"] in off:  # a low battery voltage: the state of charge follows
                assert f[k["soc"]] == int(round(min(100.0, max(0.0, 100.0 - (29.4 - f[k["vbat"]]) * 10.0))))
                seen["soc"] += 1
            if kind == "cdm":  # the radial miss is a component of the miss distance, anomalous or not
                miss_m = f[k["miss"]] * (1000.0 if d == "ru" else 1.0)
                assert abs(f[k["radial"]]) <= miss_m + 1
            if kind == "cdm" and k["miss"] in off:  # a close approach: the collision probability follows
                lg = min(-0.5, -1.0 - 2.2 * math.log10(max(miss_m, 0.1)))
                if d == "ru":
                    assert f[k["pc"]] == round(lg, 1)
                else:
                    assert f[k["pc"]] == float(f"{10.0 ** lg:.1e}")
                assert lg > -7.0  # a probability no routine record reaches
                seen["pc"] += 1
            if kind == "swx" and k["vsw"] in off:  # a fast solar wind: Kp follows
                kp = round(min(9.0, max(0.0, 1.2 + (f[k["vsw"]] - 400.0) / 120.0)) * 3) / 3
                assert kp >= 4
                if d == "en":
                    t = int(round(kp * 3))
                    assert f[k["kp"]] == f"{(t + 1) // 3}{('-', '', '+')[(t + 1) % 3]}"
                else:
                    assert f[k["kp"]] == round(kp, 2 if d == "ru" else 1)
                seen["kp"] += 1
            if kind == "gsm":  # the antenna is stowed in a high wind, and only then
                assert f[k["stow"]] == (f[k["wind"]] * (3.6 if d == "ru" else 1.0) > 70.0)
                seen["stow"] += k["wind"] in off
            if kind == "pl" and k["vol"] in off:  # a huge payload volume: the file count follows
                mbit = f[k["vol"]] * {"en": 1.0, "ru": 8.0, "oc": 1000.0}[d]
                assert f[k["files"]] == max(1, int(round(mbit / wl.file_mbit)))
                seen["files"] += 1
    assert set(seen) == {"soc", "pc", "kp", "stow", "files"}, seen


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    for seed in (9, 10):
        wl = OrbitWorkload(seed)
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


def test_training_never_loads_the_orbit_family() -> None:
    assert modules_loaded_by_training("orbit") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_orbit") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["orbit"] == ("node.workload.holdout_orbit", "OrbitWorkload")
