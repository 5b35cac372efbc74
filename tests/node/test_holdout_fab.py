"""The held-out ``fab`` family: seeded, valid, varied wafer-fab worlds, every case at a sensible rate,
truth per the definition."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from functools import cache

import pytest

from node.workload.domains import main_reason, noisy_or
from node.workload.holdout_fab import (
    ALWAYS_PRIORITY_RARE,
    COMMON_KINDS,
    DIALECTS,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    FabWorkload,
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
SEVERITY = {"en": ("Info", "Minor", "Major", "Critical", "Line-Down"),
            "ko": ("정보", "경미", "중대", "심각", "라인정지"),
            "scn": ("nenti", "liggeru", "mizzanu", "gravi", "gravissimu")}
HOTLOT = {"en": ("Normal", "Expedite", "Hot", "Super Hot", "Rocket"),
          "ko": ("일반", "우선", "핫랏", "슈퍼핫", "로켓"),
          "scn": ("nurmali", "prisciatu", "càudu", "càudu assai", "razzu")}
CODES = {"en": {"NH": 0.0, "EH": 0.5, "QH": 0.75, "XH": 1.0}, "ko": {"H0": 0.0, "H2": 0.5, "H9": 1.0},
         "scn": {"N": 0.0, "C": 0.5, "B": 0.75, "A": 1.0}}
FLAG_ON = {"en": "Y", "ko": True, "scn": 1}
FLAG_OFF = {"en": "N", "ko": False, "scn": 0}
URGENT = {
    "en": ("pls check when you get a chance", "need dispo before shift change",
           "URGENT - line down, need engr on floor within 1 hr", "EMERGENCY - evacuate the bay, ERT paged"),
    "ko": ("시간 날 때 확인 부탁", "교대 전까지 판정 필요", "긴급! 라인 정지, 1시간 내 엔지니어 현장 투입 요망",
           "비상! 베이 즉시 대피, 비상대응팀 호출"),
    "scn": ("quannu pò, talìa", "ci voli na dicisioni prima dû cambiu turnu",
            "URGENTI! linia ferma, l'ingigneri havi a vèniri dintra n'ura",
            "PIRICULU! sgumbrati a campata, chiamati a squatra d'emirgenza"),
}
CALM = {
    "en": ("does not need immediate attention", "no action required", "can wait for day shift", "FYI only",
           "not time sensitive"),
    "ko": ("급하지 않음", "조치 불필요", "주간 근무조에서 처리해도 됨", "참고용"),
    "scn": ("nun è urgenti", "nun c'è prèscia", "pò aspittari a dumani", "sulu pi canuscenza"),
}
RARE_VALUES = {"en": {"EMO ACTIVATED - POWER REMOVED", "SCRAP", "TUBE_TRAILER"},
               "ko": {"EMO 작동 - 설비 전원 차단", "폐기", "튜브트레일러"},
               "scn": {"EMO activated - power removed", "scartatu", "carru-bummuli"}}
WORD_FORMS = {"severity", "text", "hotlot"}  # forms written as words; every other one a number, code or flag
ROUTINE_VALUE = {"severity": lambda d: SEVERITY[d][0], "hotlot": lambda d: HOTLOT[d][0],
                 "code": lambda d: next(iter(CODES[d])), "flag": lambda d: FLAG_OFF[d]}
NOTE = {"en": "COMMENT", "ko": "비고", "scn": "cummentu"}
NUMERIC_FORMS = {"score", "qtime", "tier", "bits"}


def expected_priority(wl: FabWorkload, kind: str, fields: dict) -> float:
    if kind not in CARRIERS:
        return 0.0
    d, mode = wl.dialect, wl.prio_mode
    if mode == "text":
        note = fields[NOTE[d]]
        return max([STEPS[i + 1] for i, p in enumerate(URGENT[d]) if p in note], default=0.0)
    v = fields[wl.prio_key]
    if mode == "severity":
        return STEPS[SEVERITY[d].index(v)]
    if mode == "hotlot":
        return STEPS[HOTLOT[d].index(v)]
    if mode == "code":
        return CODES[d][v]
    if mode == "score":
        return STEPS[sum(v >= b for b in ((30, 50, 70, 90) if d == "scn" else (300, 500, 700, 900)))]
    if mode == "qtime":
        return STEPS[sum(v < b for b in ((3, 1.5, 0.75, 0.25) if d == "scn" else (180, 90, 45, 15)))]
    if mode == "flag":
        assert v in (FLAG_ON[d], FLAG_OFF[d])
        assert type(v) is type(FLAG_ON[d])
        return 0.9 if v == FLAG_ON[d] else 0.0
    if mode == "tier":
        return {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25, 5: 0.0, 6: 0.0, 7: 0.0}[v]
    assert mode == "bits"
    return STEPS[_word(v) >> 12 & 7]


def _word(v: object) -> int:
    if isinstance(v, str):
        assert v.endswith("h")
        return int(v[:-1], 16)
    assert isinstance(v, int)
    assert not isinstance(v, bool)
    return v


def _space(x: float, space: str) -> float:
    return math.log(max(x, 1e-9)) if space == "log" else math.log1p(max(x, 0.0)) if space == "log1p" else x


def expected_k(wl: FabWorkload, kind: str, fields: dict) -> float:
    return max((abs(_space(float(fields[key]), s.space) - s.center) / s.spread
                for key, s in wl.stats.get(kind, {}).items()), default=0.0)


def expected_anomaly(k: float) -> float:
    return 0.0 if k < 4.5 else min(1.0, 0.4 + 0.12 * (k - 4.5))


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    wl = FabWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


@cache
def _worlds(count: int = 96) -> tuple[FabWorkload, ...]:
    return tuple(FabWorkload(s) for s in range(count))


def _fresh(lrs):
    return [lr for lr in lrs if lr.case in ("routine", "burst_head")]


def _kind(wl: FabWorkload, lr) -> str:
    return wl.kind_of[lr.record.kind]


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    assert_seeded(FabWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_fab import FabWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = FabWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins[-1], wl.common, wl.rare, [t.name for t in wl.tools],\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    wl = FabWorkload(2)
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
    for w in map(FabWorkload, range(5)):  # short batches: a burst never outgrows its batch
        for n in range(1, 36):
            b = w.next_labeled(n, NOW)
            assert len(b) == n
            tails = Counter(lr.ref for lr in b if lr.case == "burst_tail")
            assert all(b[i].case == "burst_head" for i in tails)
            assert all(tails[i] >= 2 for i, lr in enumerate(b) if lr.case == "burst_head")  # never cut short
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = FabWorkload(2).next_batch(40, NOW)
    assert [(r.cid, imp) for r, imp in pairs] == [
        (lr.record.cid, lr.importance) for lr in FabWorkload(2).next_labeled(40, NOW)]
    # Every record, in every world, stays well inside protocol/record.py's limits; alarm texts keep SEMI
    # E5's 40 characters.
    lim = DEFAULT_LIMITS
    for seed in range(36):
        w, bs = _stream(seed)
        ts = [lr.record.ts_ms for b in bs for lr in b]
        assert all(a < b for a, b in zip(ts, ts[1:], strict=False)), seed  # clumped uploads too
        for lr in (lr for b in bs for lr in b):
            rec = lr.record
            assert len(rec.kind) <= lim.max_kind_len
            assert len(rec.fields) <= min(24, lim.max_fields)
            assert len(rec.canonical_bytes()) <= lim.max_total_bytes // 8
            for k, v in rec.fields.items():
                assert len(k) <= lim.max_key_len
                assert isinstance(v, bool | int | float | str), (k, v)
                if isinstance(v, str):
                    assert len(v) <= 300
                if isinstance(v, float):
                    assert math.isfinite(v)
            if _kind(w, lr) == "alarm":
                assert len(rec.fields[w.keys["altx"]]) <= 40


def test_worlds_vary_in_dialect_kinds_origins_and_priority_form() -> None:
    worlds = _worlds()
    assert {w.dialect for w in worlds} == set(DIALECTS)
    assert {w.prio_mode for w in worlds} == set(PRIORITY_MODES)
    assert len(PRIORITY_MODES) >= 8
    assert len(set(PRIORITY_MODES) - WORD_FORMS) >= 6
    assert {(w.dialect, w.prio_mode) for w in worlds} == {(d, m) for d in DIALECTS for m in PRIORITY_MODES}
    assert len({w.common for w in worlds}) > 45
    assert all(4 <= len(w.common) <= 6 and 1 <= len(w.rare) <= 3 for w in worlds)
    assert all(set(w.common) <= set(COMMON_KINDS) and set(w.rare) <= set(RARE_KINDS) for w in worlds)
    assert all(PRIORITY_KINDS & set(w.common) for w in worlds)
    assert {k for w in worlds for k in w.common} == set(COMMON_KINDS)
    assert {k for w in worlds for k in w.rare} == set(RARE_KINDS)
    assert all(3 <= len(w.origins) == len(set(w.origins)) <= 10 for w in worlds)
    assert len({len(w.origins) for w in worlds}) >= 6
    assert all(5 <= len(w.tools) <= 14 and len(w.plasma_tools) >= 2 for w in worlds)
    # Each dialect names kinds and fields its own way.
    kind_style = {"en": r"(?:[A-Z][a-z0-9]+)+", "ko": r"[가-힣]+\.[가-힣A-Z]+",
                  "scn": r"[a-zàèìòù]+/[a-zàèìòù]+(?:-[a-zàèìòù]+)*"}
    key_style = {"en": r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*", "ko": r"[가-힣A-Za-z0-9]+(?:_[가-힣A-Za-z0-9]+)*",
                 "scn": r"[a-zàèìòù0-9]+(?:-[a-zàèìòù0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)?)?"}
    names: dict[str, set[str]] = defaultdict(set)
    lots: dict[str, set[str]] = defaultdict(set)
    for seed, w in enumerate(worlds[:36]):
        for lr in _stream(seed)[1][0]:
            names[w.dialect].add(lr.record.kind)
            assert re.fullmatch(kind_style[w.dialect], lr.record.kind), (w.dialect, lr.record.kind)
            for key in lr.record.fields:
                assert re.fullmatch(key_style[w.dialect], key), (w.dialect, key)
                if w.dialect == "ko":
                    assert re.search("[가-힣]", key), key  # Hangul names, ASCII only in acronyms and units
            lot = lr.record.fields.get(w.keys["lot"])
            if lot and lr.case == "routine":
                lots[w.dialect].add(lot)
    assert not names["en"] & names["ko"]
    assert not names["ko"] & names["scn"]
    assert not names["en"] & names["scn"]
    lot_style = {"en": r"[A-Z]\d[A-Z]\d{3}\.\d", "ko": r"[A-Z]{2}\d{6}\.\d{2}", "scn": r"[A-Z]\d[A-Z]\d{4}-\d{2}"}
    for d in DIALECTS:  # lot ids as each fab writes them (N7A123.1 ...)
        assert len(lots[d]) > 50, d
        assert all(re.fullmatch(lot_style[d], x) for x in lots[d]), d


def test_units_follow_the_dialect() -> None:
    seen: dict[tuple[str, str], list[float]] = defaultdict(list)
    for seed, w in enumerate(_worlds()):
        if not {"trace", "upw", "fac", "particle"} & set(w.common):
            continue
        for lr in _stream(seed)[1][0]:
            if lr.case != "routine" or lr.detail:
                continue
            kind, f = _kind(w, lr), lr.record.fields
            for sem in {"trace": ("esc", "pres", "rff"), "upw": ("res", "tupw"), "fac": ("tmp", "exh", "n2p"),
                        "particle": ("csmall", "clarge")}.get(kind, ()):
                if kind == "trace" and sem != "esc" and f[w.keys["state"]] not in ("PROCESSING", "가동", "travagghiu"):
                    continue
                seen[(w.dialect, sem)].append(float(f[w.keys[sem]]))
    lo = {k: min(v) for k, v in seen.items()}
    hi = {k: max(v) for k, v in seen.items()}
    assert set(seen) >= {(d, s) for d in DIALECTS for s in ("esc", "pres", "res", "tmp", "exh", "csmall")}
    assert hi[("en", "esc")] < 100
    assert hi[("ko", "esc")] < 100
    assert lo[("scn", "esc")] > 270
    assert lo[("en", "pres")] > 2.0
    assert hi[("ko", "pres")] < 0.2
    assert hi[("scn", "pres")] < 15
    assert hi[("ko", "rff")] < 5 < lo[("en", "rff")]  # kW against W
    assert lo[("en", "res")] > 17
    assert lo[("ko", "res")] > 17
    assert hi[("scn", "res")] < 0.06
    assert hi[("en", "res")] <= 18.2
    assert hi[("ko", "res")] <= 18.2
    assert lo[("en", "tmp")] > 60 > 30 > hi[("ko", "tmp")]  # deg F against deg C
    assert lo[("en", "exh")] > -5
    assert hi[("ko", "exh")] < -200
    assert -120 < lo[("scn", "exh")] < hi[("scn", "exh")] < -30
    for d in ("ko", "scn"):  # one particle in a cubic-foot sample is 35 per cubic metre
        assert all(abs(round(x / 35.3147) * 35.3147 - x) < 0.5 for x in seen[(d, "csmall")])
        assert max(seen[(d, "clarge")]) >= 35
    assert max(seen[("en", "clarge")]) <= 2
    assert sum(x == 0 for x in seen[("en", "clarge")]) > 0.6 * len(
        seen[("en", "clarge")])


def test_entities_keep_their_origin_and_counters_only_grow() -> None:
    checked: Counter = Counter()
    for seed in range(40):
        wl, batches = _stream(seed)
        origin_of: dict[tuple, str] = {}
        last: dict[tuple, int] = {}
        for lr in (lr for b in batches for lr in _fresh(b)):
            kind, f = _kind(wl, lr), lr.record.fields
            entity = {"move": "tool", "trace": "tool", "alarm": "tool", "pm": "tool", "note": "tech",
                      "hold": "holder", "cd": "tool", "ovl": "tool", "film": "tool"}.get(kind)
            if entity is not None:  # every tool and technician comes in through one origin
                key = (f[wl.keys[entity]],)
                assert origin_of.setdefault(key, lr.record.origin) == lr.record.origin, (kind, key)
            if kind in ("upw", "fac", "quake", "toxgas", "dploss"):
                assert lr.record.origin == wl.origins[wl.scada_origin]
            if kind == "particle":
                assert lr.record.origin == wl.origins[wl.fms_origin]
            if kind == "amhs":
                assert lr.record.origin == wl.origins[wl.mcs_origin]
            for counter, owner in (("mseq", "tool"), ("nseq", "tech"), ("wo", None), ("xid", None)):
                if wl.keys[counter] in f:  # counters (per tool, per technician, per world) only ever grow
                    ent = (counter, f[wl.keys[owner]] if owner else "")
                    n = int(re.sub(r"\D", "", str(f[wl.keys[counter]])))
                    assert n > last.get(ent, -1) or (counter == "wo" and n == last[ent]), (counter, n, last.get(ent))
                    last[ent] = n
                    checked[counter] += 1
        shares = Counter(lr.record.origin for b in batches for lr in b)
        if len(wl.origins) >= 6:  # a few origins carry most
            assert shares.most_common(1)[0][1] >= 1.5 * len(batches) * 256 / len(wl.origins)
    assert min(checked.values()) > 80, checked


def test_chambers_idle_or_process_and_season_until_a_wet_clean() -> None:
    processing = {"PROCESSING", "가동", "travagghiu"}
    worlds = resets = 0
    all_states: Counter = Counter()
    for seed, w in enumerate(_worlds()):
        if "trace" not in w.common:
            continue
        wl, batches = _stream(seed)
        k = wl.keys
        rfh: dict[tuple, float] = {}
        by_recipe: dict[str, list[tuple[float, float]]] = defaultdict(list)
        states = Counter()
        for lr in (lr for b in batches for lr in _fresh(b)):
            kind, f = _kind(wl, lr), lr.record.fields
            if kind == "pm" and f[k["pmtype"]] in ("WET_CLEAN", "웻클리닝", "pulizzia-a-umitu"):
                assert f[k["rfh"]] == 0.0  # a wet clean restarts the chamber's RF hours
                rfh[(f[k["tool"]], f[k["ch"]])] = 0.0
                resets += 1
            if kind != "trace":
                continue
            chamber = (f[k["tool"]], f[k["ch"]])
            assert f[k["rfh"]] >= rfh.get(chamber, 0.0)  # RF hours only count up between wet cleans
            rfh[chamber] = f[k["rfh"]]
            busy = f[k["state"]] in processing
            states[busy] += 1
            if busy:  # at the recipe's setpoints
                assert f[k["rff"]] > 0
                assert f[k["he"]] > 0
                assert f[k["epd"]] > 0
                by_recipe[f[k["recipe"]]].append((f[k["rfh"]], f[k["epd"]]))
            else:  # pumped to base, RF off, no wafer
                assert f[k["rff"]] == 0
                assert f[k["he"]] == 0
                assert f[k["epd"]] == 0
                assert f[k["rfr"]] == 0
        all_states.update(states)
        if sum(states.values()) >= 150:  # bimodal: mostly processing, often idle
            assert 0.45 < states[True] / sum(states.values()) < 0.8, states
        # Seasoning: on one recipe, chambers with more RF hours take longer to reach endpoint.
        for pts in by_recipe.values():
            xs, ys = zip(*pts, strict=True)
            if len(pts) >= 30 and max(xs) - min(xs) > 150:
                assert statistics.correlation(xs, ys) > 0.5
                worlds += 1
    assert 0.55 < all_states[True] / sum(all_states.values()) < 0.7, all_states
    assert worlds >= 5, worlds
    assert resets >= 3, resets


def test_distributions_have_their_shapes() -> None:
    vals: dict[str, list[float]] = defaultdict(list)
    zero_scores = scores = fill_full = 0
    for seed, _w in enumerate(_worlds()):
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b if lr.case == "routine" and not lr.detail):
            kind, f = _kind(wl, lr), lr.record.fields
            for sem in ("wait", "held", "adur", "gof", "fill", "clarge", "csmall", "retries"):
                if wl.keys[sem] in f and kind in ("move", "hold", "alarm", "film", "amhs", "particle"):
                    vals[f"{wl.dialect}:{sem}"].append(float(f[wl.keys[sem]]))
            if wl.prio_mode == "score" and wl.prio_key in f:
                scores += 1
                zero_scores += f[wl.prio_key] == 0
            fill_full += kind == "amhs" and f[wl.keys["fill"]] == 100.0
    for d in DIALECTS:
        wait = sorted(vals[f"{d}:wait"])  # queue waits: heavy right tail
        assert wait[int(0.99 * len(wait))] > 6 * wait[len(wait) // 2], d
        assert all(0 < g < 1 for g in vals[f"{d}:gof"])  # goodness of fit bounded by 1
        assert all(0 <= x <= 100 for x in vals[f"{d}:fill"])
        large = vals[f"{d}:clarge"]  # zero-inflated particle counts
        assert sum(x == 0 for x in large) > 0.7 * len(large)
        assert max(large) > 0
        assert sum(x == 0 for x in vals[f"{d}:retries"]) > 0.8 * len(vals[f"{d}:retries"])
    assert fill_full > 0  # stockers fill up to 100% and stay there
    assert 0.3 < zero_scores / scores < 0.6  # the FDC score starts at 0: many routine records sit there


def test_priority_field_takes_the_world_form_on_priority_kinds_only() -> None:
    types: dict[tuple[str, str], set[str]] = defaultdict(set)
    at_routine = carried = 0
    for seed, w in enumerate(_worlds()):
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
            if w.prio_mode == "score":
                assert 0 <= v <= (99.9 if w.dialect == "scn" else 999)
            if w.prio_mode == "qtime":
                assert (-0.5 <= v <= 12 or v == 999.0) if w.dialect == "scn" else (-30 <= v <= 720 or v == 9999)
            if w.prio_mode == "tier":
                assert 1 <= v <= 7
            if w.prio_mode == "bits":
                assert 0 <= _word(v) < 2**16
                assert (_word(v) >> 12 & 7) <= 4
            if lr.case == "routine" and kind in PRIORITY_KINDS:
                at_routine += p == 0.0
                carried += 1
                if p > 0:  # a pressing record does not also say, in its note, that it can wait
                    assert not any(c in lr.record.fields[NOTE[w.dialect]] for c in CALM[w.dialect])
    assert 0.8 * carried <= at_routine <= 0.95 * carried
    by_mode: dict[str, set[str]] = defaultdict(set)
    for (mode, d), t in types.items():
        by_mode[mode] |= t
        if mode in ("bits", "score", "qtime"):  # scn writes a hex word, a percentage, hours
            assert t == ({"str"} if mode == "bits" else {"float"}) if d == "scn" else t == {"int"}, (mode, d, t)
        if mode == "flag":
            assert t == {{"en": "str", "ko": "bool", "scn": "int"}[d]}, (d, t)
    assert by_mode["severity"] == by_mode["hotlot"] == by_mode["code"] == {"str"}
    assert by_mode["tier"] == {"int"}
    assert set(by_mode) == set(PRIORITY_MODES) - {"text"}


def test_priority_ranks_in_the_forms_direction() -> None:
    checked = set()
    for s, world in enumerate(_worlds()):
        if (world.prio_mode, world.dialect == "scn") in checked or world.prio_mode == "text":
            continue
        w = FabWorkload(s)
        by_p: dict[float, list] = defaultdict(list)
        for lr in w.next_labeled(1500, NOW):
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
        if w.prio_mode in ("qtime", "tier"):  # smaller is more pressing
            assert max(top) < min(routine)
        if w.prio_mode == "score":
            assert min(top) > max(routine)
        if w.prio_mode == "bits":
            assert min(_word(v) >> 12 & 7 for v in top) > max(_word(v) >> 12 & 7 for v in routine)
        if w.prio_mode in ROUTINE_VALUE:
            assert set(routine) == {ROUTINE_VALUE[w.prio_mode](w.dialect)}
        checked.add((w.prio_mode, w.dialect == "scn"))
    assert {m for m, _ in checked} == set(PRIORITY_MODES) - {"text"}


def test_notes_speak_the_dialect_and_say_when_things_can_wait() -> None:
    notes: dict[str, list[str]] = defaultdict(list)
    urgent_in_text_worlds: Counter = Counter()
    alarm_texts: dict[str, set[str]] = defaultdict(set)
    for seed, w in enumerate(_worlds()):
        for lr in _stream(seed)[1][0]:
            if _kind(w, lr) == "alarm" and lr.case == "routine":
                alarm_texts[w.dialect].add(lr.record.fields[w.keys["altx"]])
            note = lr.record.fields.get(NOTE[w.dialect])
            if note is None or lr.case != "routine":
                continue
            notes[w.dialect].append(note)
            has_urgent = any(p in note for p in URGENT[w.dialect])
            if w.prio_mode == "text":
                urgent_in_text_worlds[w.dialect] += has_urgent
            else:
                assert not has_urgent, note  # urgency phrases only where the world writes priority in notes
    assert all(re.search("[가-힣]", n) for n in notes["ko"])
    assert sum(any(c in n for c in "àèìòùâêô") for n in notes["scn"]) > 0.3 * len(notes["scn"])
    assert all(n.isascii() for n in notes["en"])
    for d in DIALECTS:
        assert len(set(notes[d])) > 60, d
        assert sum(any(c in n for c in CALM[d]) for n in notes[d]) > 0.12 * len(notes[d]), d
        assert len(alarm_texts[d]) >= 20, d
    assert all(t.isupper() for t in alarm_texts["en"] if not t.startswith("EMO"))  # SEMI-style ALTX
    assert all(re.search("[가-힣]", t) for t in alarm_texts["ko"])
    assert all(t[0].isupper() and not t.isupper() for t in alarm_texts["scn"])  # the vendor's English
    for s, world in enumerate(_worlds()):
        if world.prio_mode == "text" and urgent_in_text_worlds[world.dialect] < 3:
            w = FabWorkload(s)
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
            if rare:
                assert kind in ("alarm", "hold", "fac")
                assert len(rare) == 1
                values[kind] += 1
                if kind == "alarm":  # an EMO is an equipment-safety alarm, set
                    assert lr.record.fields[wl.keys["alcd"]] == 128 | 2
            if kind not in wl.rare:
                continue
            per_kind[kind] += 1
            if kind in ALWAYS_PRIORITY_RARE:
                assert lr.detail in ("priority", "rare_kind")
                assert lr.importance > 0.7
            else:
                assert (lr.detail, lr.importance) == ("rare_kind", pytest.approx(0.52))
    assert set(per_kind) == set(RARE_KINDS)
    assert set(values) == {"alarm", "hold", "fac"}
    for k in RARE_KINDS:
        assert 0.0008 <= per_kind[k] / exposure[k] <= 0.014, (k, per_kind[k], exposure[k])


def test_truth_follows_the_definition() -> None:
    routine = []
    for seed in range(24):
        wl, batches = _stream(seed)
        for lr in (lr for b in batches for lr in b):
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
    assert_copies_and_tails_link(_stream, ("mseq", "nseq", "xid", "wo"), NOTE)


def test_anomalies_are_numbers_far_from_what_the_stream_shows() -> None:
    checked = 0
    for seed in (3, 4, 5, 6, 7, 8, 9):
        wl = FabWorkload(seed)
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
    # Physical directions as written: a resistivity drop, but a conductivity rise; suction lost toward 0 Pa.
    dirs = {(w.dialect, key): s.direction for w in _worlds() for kind in ("upw", "fac")
            for key, s in w.stats.get(kind, {}).items()}
    assert dirs[("en", "RESISTIVITY_MOHM_CM")] == dirs[("ko", "비저항_Mohm")] == -1
    assert dirs[("scn", "cunnuttività.us-cm")] == 1 == dirs[("en", "EXH_STATIC_INWC")]
    wl = FabWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_derived_numbers_follow_an_anomaly() -> None:
    seen: Counter = Counter()
    for seed, w in enumerate(_worlds()):
        if not {"cd", "particle"} & set(w.common):
            continue
        wl, batches = _stream(seed)
        k = wl.keys
        for lr in (lr for b in batches for lr in _fresh(b)):
            kind, f = _kind(wl, lr), lr.record.fields
            if kind not in ("cd", "particle"):
                continue
            ks = {key: abs(_space(float(f[key]), s.space) - s.center) / s.spread for key, s in wl.stats[kind].items()}
            if kind == "cd":  # the spec judgement: out of spec exactly when a CD number is 4.25 spreads off
                bad = max(ks.values()) >= 4.25
                assert f[k["judge"]] == {"en": ("PASS", "OOS"), "ko": ("합격", "불합격"),
                                         "scn": ("bonu", "fora-specifica")}[wl.dialect][bad]
                seen["oos" if bad else "pass"] += 1
            else:  # percent of the action limit, which sits 4.25 spreads up in each channel
                limits = {key: math.expm1(s.center + 4.25 * s.spread) for key, s in wl.stats[kind].items()}
                pct = max(float(f[key]) / limits[key] * 100.0 for key in limits)
                assert f[k["lim"]] == round(pct)
                assert (pct > 100) == (max(ks.values()) >= 4.25)
                seen["over" if pct > 100 else "under"] += 1
    assert min(seen[x] for x in ("oos", "pass", "over", "under")) >= 3, seen


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    for seed in (9, 10, 12):
        wl = FabWorkload(seed)
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


def test_training_never_loads_the_fab_family() -> None:
    assert modules_loaded_by_training("fab") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_fab") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["fab"] == ("node.workload.holdout_fab", "FabWorkload")
