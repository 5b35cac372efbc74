"""The held-out ``civic`` family: seeded, valid, varied municipal-services worlds, every case at a sensible rate,
truth per the definition (recomputed here from what each record says, not from the generator's own code)."""

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
from node.workload.holdout_civic import (
    ALWAYS_PRIORITY_RARE,
    COMMON_KINDS,
    COUNTERS,
    DIALECTS,
    PRIORITY_KINDS,
    PRIORITY_MODES,
    RARE_KINDS,
    CivicWorkload,
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
WORDS = {"pt": ("irrelevante", "leve", "média", "grave", "gravíssima"),
         "hu": ("elhanyagolható", "enyhe", "közepes", "súlyos", "életveszélyes"),
         "hsb": ("wšědny", "lochki", "srjedźny", "ćežki", "kritiski")}
CODE = {"pt": ("PRG", "NOR", "PRI", "URG", "EMG"), "hu": ("R", "C", "B", "A", "A+"), "hsb": ("R", "N", "S", "W", "K")}
COLOUR = {"pt": ("azul", "verde", "amarelo", "laranja", "vermelho"), "hu": ("fehér", "zöld", "sárga", "narancs", "piros"),
          "hsb": ("zeleny", "módry", "žołty", "oranžowy", "čerwjeny")}
ESCALATION = {"pt": ("equipe local", "supervisão regional", "secretaria", "gabinete do prefeito", "Defesa Civil"),
              "hu": ("körzeti brigád", "diszpécser", "osztályvezető", "igazgató", "katasztrófavédelem"),
              "hsb": ("dźěłowa skupina", "dispečer", "nawoda wotrjada", "měšćanosta", "katastrofowy štab")}
FLAG = {"pt": ("S", "N"), "hu": (True, False), "hsb": ("haj", "ně")}  # (on, off)
URGENT = {
    "pt": ("verificar quando possível", "resolver ainda hoje", "urgente: enviar equipe imediatamente",
           "EMERGÊNCIA: risco à vida, acionar a Defesa Civil"),
    "hu": ("ha lesz rá idő, nézzék meg", "még ma javítani kell", "sürgős: azonnal küldjenek brigádot",
           "ÉLETVESZÉLY: azonnali beavatkozás szükséges"),
    "hsb": ("hdyž je chwila, prošu přepruwować", "hišće dźensa porjedźić", "nuzne: skupinu hnydom pósłać",
            "STRACH ŽIWJENJA: hnydom zasahować"),
}
CALM = {
    "pt": ("sem urgência", "não é urgente", "pode aguardar a rota normal", "apenas para registro",
           "atender na programação semanal"),
    "hu": ("nem sürgős", "ráér", "csak tájékoztatásul", "a következő körben elég", "a heti ütemezés szerint"),
    "hsb": ("njeje nuzne", "móže čakać", "jenož k wědźe", "při přichodnej kontroli dosaha", "po tydźenskim planje"),
}
PRIO_KEYS = {"words": ("gravidade", "sulyossag", "ćežkosć"), "level": ("nivel_prioridade", "riasztasiFokozat",
                                                                      "prioritny_stopjeń"),
             "sla": ("prazo_atendimento_h", "reakcioido", "reakciski_čas_min"),
             "deadline": ("prazo_limite", "hatarido", "termin"),
             "score": ("pontuacao_risco", "kockazatiPontszam", "rizikowe_hódnoćenje"),
             "percent": ("impacto", "erintettseg", "potrjechenosć_pct"), "flag": ("urgente", "surgos", "nuzne"),
             "code": ("classificacao", "kategoriaKod", "kod"), "colour": ("cor", "szin", "barba"),
             "escalation": ("escalonamento", "eszkalacio", "eskalacija")}
OPENED = {"pt": "aberto_em", "hu": "bejelentve", "hsb": "zapodate"}
NOTE = {"pt": "observacao", "hu": "megjegyzes", "hsb": "přispomnjenka"}
RARE_VALUES = {"pt": {"imprensa", "manual forçado", "gerador"}, "hu": {"sajtó", "kézi felülbírálás", "aggregátor"},
               "hsb": {"nowiny", "ručnje zašaltowane", "generator"}}
RARE_VALUE_KINDS = {"ticket", "light", "pump"}
WORD_FORMS = {"words", "colour", "escalation", "text"}
ROUTINE_VALUE = {"words": lambda d: {WORDS[d][0]}, "code": lambda d: {CODE[d][0]}, "colour": lambda d: {COLOUR[d][0]},
                 "escalation": lambda d: {ESCALATION[d][0]}, "flag": lambda d: {FLAG[d][1]}}
QTY = re.compile(r"(-?\d+(?:[.,]\d+)?) ?(mca|mg/L|mg/l|NTU|°C|mm/s|bar|V|km/h)")
MONEY_PT = re.compile(r"R\$ ?(\d{1,3}(?:\.?\d{3})*),(\d{2})")
MONEY_HU = re.compile(r"(\d{1,3}(?:[ .]\d{3})*) ?Ft")


def num(v: object, d: str = "") -> float:
    """A reading as written: a number, a quantity string (a decimal comma, the unit after it), or money."""
    assert not isinstance(v, bool)
    if isinstance(v, int | float):
        return float(v)
    s = str(v)
    if m := MONEY_PT.fullmatch(s):
        return int(m[1].replace(".", "")) + int(m[2]) / 100
    if m := MONEY_HU.fullmatch(s):
        return float(re.sub(r"[ .]", "", m[1]))
    m = QTY.fullmatch(s)
    assert m, v
    return float(m[1].replace(",", "."))


def minutes_of_sla(d: str, v: object) -> int:
    if d == "pt":
        assert isinstance(v, int)
        assert not isinstance(v, bool)
        return 60 * v
    if d == "hsb":
        assert isinstance(v, int)
        assert not isinstance(v, bool)
        return v
    m = re.fullmatch(r"(\d+) (nap|óra|perc)", str(v))
    assert m, v
    return int(m[1]) * {"nap": 1440, "óra": 60, "perc": 1}[m[2]]


def stamp(d: str, v: object) -> datetime.datetime:
    pattern = {"pt": r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):00-03:00", "hu": r"(\d{4})\.(\d{2})\.(\d{2})\. (\d{2}):(\d{2})",
               "hsb": r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2})"}[d]
    m = re.fullmatch(pattern, str(v))
    assert m, v
    g = [int(x) for x in m.groups()]
    if d == "hsb":
        g[0], g[2] = g[2], g[0]
    return datetime.datetime(*g)  # type: ignore[misc]


def level_step(d: str, v: object) -> int:
    if d == "hu":
        m = re.fullmatch(r"([1-5])\. fokozat", str(v))
        assert m, v
        return int(m[1]) - 1  # 5 is the worst
    assert isinstance(v, int)
    assert not isinstance(v, bool)
    if d == "pt":
        assert 1 <= v <= 5
        return 5 - v  # 1 is the worst
    assert 0 <= v <= 4
    return v  # 4 is the worst


def score_share(d: str, v: object) -> float:
    if d == "hsb":
        assert isinstance(v, float)
        assert 0.0 <= v <= 10.0
        return v / 10.0
    assert isinstance(v, int)
    assert not isinstance(v, bool)
    top = 100 if d == "pt" else 1000
    assert 0 <= v <= top
    return v / top


def percent(d: str, v: object) -> int:
    if d == "hsb":
        assert isinstance(v, int)
        assert not isinstance(v, bool)
        n = v
    else:
        m = re.fullmatch(r"(\d{1,3})%" if d == "pt" else r"(\d{1,3}) %", str(v))
        assert m, v
        n = int(m[1])
    assert 0 <= n <= 100
    return n


def expected_priority(wl: CivicWorkload, kind: str, fields: dict) -> float:
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
    if mode in ("sla", "deadline"):  # minutes to respond: 2 days / 24 h / 8 h / 2 h
        if mode == "sla":
            left = minutes_of_sla(d, v)
        else:
            left = int((stamp(d, v) - stamp(d, fields[OPENED[d]])).total_seconds() // 60)
        assert 30 <= left <= 30 * 1440
        return STEPS[sum(left < e for e in (2880, 1440, 480, 120))]
    if mode == "score":
        return STEPS[sum(score_share(d, v) >= e for e in (0.2, 0.4, 0.6, 0.8))]
    if mode == "percent":
        return STEPS[sum(percent(d, v) >= e for e in (5, 20, 50, 80))]
    if mode == "flag":
        assert v in FLAG[d], v
        assert type(v) is type(FLAG[d][0])
        return 0.9 if v == FLAG[d][0] else 0.0
    if mode == "code":
        return STEPS[CODE[d].index(v)]
    if mode == "colour":
        return STEPS[COLOUR[d].index(v)]
    assert mode == "escalation"
    return STEPS[ESCALATION[d].index(v)]


def _space(x: float, space: str) -> float:
    return math.log(max(x, 1e-9)) if space == "log" else math.log1p(max(x, 0.0)) if space == "log1p" else x


def expected_k(wl: CivicWorkload, kind: str, fields: dict) -> float:
    return max((abs(_space(num(fields[key]), s.space) - s.center) / s.spread
                for key, s in wl.stats.get(kind, {}).items()), default=0.0)


def expected_anomaly(k: float) -> float:
    return 0.0 if k < 5.0 else min(1.0, 0.4 + 0.1 * (k - 5.0))


@cache
def _worlds(count: int = 72) -> tuple[CivicWorkload, ...]:
    return tuple(CivicWorkload(s) for s in range(count))


@cache
def _stream(seed: int, batches: int = 3, n: int = 256):
    """A world's first batches, streamed once (from a fresh world: only static attributes of ``_worlds()``
    are read elsewhere)."""
    wl = CivicWorkload(seed)
    return wl, tuple(tuple(wl.next_labeled(n, NOW + i * 10**6)) for i in range(batches))


@cache
def _other_forms() -> dict[tuple[str, str], int]:
    """A seed for every (dialect, form) the first 72 worlds lack."""
    have = {(w.dialect, w.prio_mode) for w in _worlds()}
    out: dict[tuple[str, str], int] = {}
    for seed in range(len(_worlds()), 800):
        w = CivicWorkload(seed)
        if (w.dialect, w.prio_mode) not in have | out.keys():
            out[(w.dialect, w.prio_mode)] = seed
        if len(have) + len(out) == len(DIALECTS) * len(PRIORITY_MODES):
            break
    return out


def _kind(wl: CivicWorkload, lr) -> str:
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
    assert_seeded(CivicWorkload, NOW)


def test_determinism_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from node.workload.holdout_civic import CivicWorkload\n"
        "for s in (3, 4, 5):\n"
        "    wl = CivicWorkload(s)\n"
        "    b = wl.next_labeled(200, 1_700_000_000_000) + wl.next_labeled(200, 1_700_000_000_000)\n"
        "    print(wl.dialect, wl.prio_mode, wl.origins[-1], wl.common, wl.rare, [l.name for l in wl.lamps],\n"
        "          [lr.record.cid for lr in b][-3:], sum(lr.importance for lr in b),\n"
        "          [lr.case for lr in b].count('near_dup'))\n"
    )
    assert same_output_under_two_hash_seeds(code)


def test_records_are_valid_ordered_within_limits_and_batches_exact() -> None:
    wl = CivicWorkload(2)
    batches = [wl.next_labeled(300, NOW + i * 10**8) for i in range(4)]
    assert_valid_ordered_batches(batches, 300, wl.origins)
    for i, b in enumerate(batches):
        assert all(lr.record.kind in wl.kind_of for lr in b)
        assert abs(b[-1].record.ts_ms - (NOW + i * 10**8)) < 10**5  # ends near now
    early = wl.next_labeled(60, NOW)  # an earlier now: the stream never goes back
    assert early[0].record.ts_ms > batches[-1][-1].record.ts_ms
    for w in map(CivicWorkload, range(4)):  # short batches: a burst never outgrows its batch
        for n in range(1, 30):
            b = w.next_labeled(n, NOW)
            assert len(b) == n
            tails = Counter(lr.ref for lr in b if lr.case == "burst_tail")
            assert all(b[i].case == "burst_head" for i in tails)
            assert all(tails[i] >= 2 for i, lr in enumerate(b) if lr.case == "burst_head")
    assert wl.next_labeled(0, NOW) == []
    with pytest.raises(ValueError, match="non-negative"):
        wl.next_labeled(-1, NOW)
    pairs = CivicWorkload(2).next_batch(40, NOW)
    assert [(r.cid, imp) for r, imp in pairs] == [
        (lr.record.cid, lr.importance) for lr in CivicWorkload(2).next_labeled(40, NOW)]
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
    assert len(PRIORITY_MODES) >= 10
    assert len(set(PRIORITY_MODES) - WORD_FORMS) >= 0.6 * len(PRIORITY_MODES)  # most are not words
    assert len({(w.dialect, w.prio_mode) for w in worlds}) + len(_other_forms()) == len(DIALECTS) * len(PRIORITY_MODES)
    assert len({w.common for w in worlds}) > 50
    assert all(4 <= len(w.common) <= 6 and 1 <= len(w.rare) <= 3 for w in worlds)
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
    kind_style = {"pt": r"[a-z0-9]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*", "hu": r"[a-zéáőúűöüóí]+/[a-zéáőúűöüóí]+",
                  "hsb": r"[A-ZŁŽŠČ][a-zěščřžćńłóźđ]+\.[A-ZŁŽŠČ][a-zěščřžćńłóźđ]+"}
    key_style = {"pt": r"[a-z0-9]+(?:_[a-z0-9]+)*", "hu": r"[a-z]+(?:[A-Z][a-z0-9]*)*",
                 "hsb": r"[a-zěščřžćńłóźđ]+(?:_[a-zěščřžćńłóźđ]+)*"}
    names: dict[str, set[str]] = defaultdict(set)
    marked: Counter = Counter()
    for seed in range(36):
        w, batches = _stream(seed)
        for lr in batches[0]:
            names[w.dialect].add(lr.record.kind)
            assert re.fullmatch(kind_style[w.dialect], lr.record.kind), (w.dialect, lr.record.kind)
            for key in lr.record.fields:
                assert re.fullmatch(key_style[w.dialect], key), (w.dialect, key)
                marked[w.dialect] += bool(re.search("[^a-zA-Z0-9_]", key))
    assert not names["pt"] & names["hu"]
    assert not names["hu"] & names["hsb"]
    assert not names["pt"] & names["hsb"]
    assert marked["pt"] == marked["hu"] == 0  # field names folded to ASCII
    assert marked["hsb"] > 300  # Upper Sorbian keeps its letters: "tłóčenje_kpa"
    assert any(re.search("[áéőűöüó]", k) for k in names["hu"])  # hu kinds keep their diacritics


def test_units_and_number_formats_follow_the_dialect() -> None:
    seen: dict[tuple[str, str], list[float]] = defaultdict(list)
    shapes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for w, lr in _all(range(72)):
        if lr.case != "routine" or lr.detail:
            continue
        kind, f = _kind(w, lr), lr.record.fields
        for sem in {"water": ("press", "flow"), "light": ("volt",), "reservoir": ("chlorine", "turb"),
                    "workorder": ("cost",), "traffic": ("tspeed",), "pump": ("pvib",), "vehicle": ("ect",),
                    "bin": ("fill",)}.get(kind, ()):
            v = f[w.keys[sem]]
            seen[(w.dialect, sem)].append(num(v))
            shape = "int" if isinstance(v, int) else "float" if isinstance(v, float) else \
                "money" if ("R$" in v or "Ft" in v) else "comma" if re.fullmatch(r"-?\d+,\d+ \S+", v) else \
                "whole" if re.fullmatch(r"-?\d+ \S+", v) else v
            shapes[(w.dialect, sem)].add(shape)
    med = {k: statistics.median(v) for k, v in seen.items()}
    assert set(seen) >= {(d, s) for d in DIALECTS for s in ("press", "volt", "chlorine", "cost", "fill")}
    assert 15 < med[("pt", "press")] < 60  # metres of water column
    assert 1.5 < med[("hu", "press")] < 6  # bar
    assert 150 < med[("hsb", "press")] < 600  # kPa
    assert abs(med[("pt", "volt")] - 220) < 8
    assert abs(med[("hu", "volt")] - 230) < 8
    assert abs(med[("hsb", "volt")] - 230) < 8
    assert med[("hu", "cost")] > 20 * med[("pt", "cost")] > 20 * med[("hsb", "cost")]  # forints, reais, euros
    assert max(max(seen[(d, "fill")]) for d in DIALECTS) <= 100
    assert shapes[("pt", "press")] == shapes[("pt", "chlorine")] == {"comma"}
    assert shapes[("hu", "press")] == shapes[("hu", "chlorine")] == {"comma"}
    assert shapes[("hu", "volt")] == {"whole"}
    assert shapes[("pt", "cost")] == shapes[("hu", "cost")] == {"money"}
    assert shapes[("pt", "flow")] <= {"float"}
    assert shapes[("hu", "flow")] <= {"float"}
    assert all(shapes[("hsb", s)] <= {"int", "float"} for s in ("press", "volt", "chlorine", "cost", "turb"))
    units = Counter(m[2] for w, lr in _all(range(72)) if w.dialect != "hsb" for v in lr.record.fields.values()
                    if isinstance(v, str) and (m := QTY.fullmatch(v)))
    assert {"mca", "mg/L", "mg/l", "NTU", "°C", "bar", "V", "km/h", "mm/s"} <= set(units), units
    assert not any(isinstance(v, str) and (QTY.fullmatch(v) or "R$" in v) for w, lr in _all(range(72))
                   if w.dialect == "hsb" for v in lr.record.fields.values())


def test_the_day_and_the_city_shape_the_numbers() -> None:
    lamp_on: dict[bool, list[float]] = defaultdict(list)
    confirms: list[float] = []
    defects: list[float] = []
    cost: list[float] = []
    speed: list[float] = []
    fills: dict[tuple[int, str], list[float]] = defaultdict(list)
    traffic: dict[str, list[float]] = defaultdict(list)
    for seed in range(72):
        w, batches = _stream(seed)
        k = w.keys
        for lr in (lr for b in batches for lr in b):
            kind, f = _kind(w, lr), lr.record.fields
            if lr.case != "routine" or lr.detail:
                continue
            if kind == "light":
                lamp = next(x for x in w.lamps if x.name == f[k["lamp"]])
                lamp_on[num(f[k["lcur"]]) > 0.1].append(num(f[k["lcur"]]) * w.v0 / lamp.watt)
            elif kind == "ticket":
                confirms.append(num(f[k["confirms"]]))
            elif kind == "inspection":
                defects.append(num(f[k["defects"]]))
            elif kind == "workorder":
                cost.append(num(f[k["cost"]]) / {"pt": 1.0, "hu": 75.0, "hsb": 0.18}[w.dialect] / w.cost0)
            elif kind == "vehicle":
                speed.append(num(f[k["speed"]]))
            elif kind == "bin":
                fills[(seed, f[k["bin"]])].append(num(f[k["fill"]]))
            elif kind == "traffic":
                m = re.search(r"(\d{1,2})\D(\d{2})$", f[k["slot"]])
                assert m
                h = int(m[1]) + int(m[2]) / 60
                lp = next(x for x in w.loops if x.name == f[k["loop"]])
                band = "peak" if abs(h - w.am_peak) < 0.5 else "night" if 1.0 <= h < 4.0 else ""
                if band:
                    traffic[band].append(f[k["vehicles"]] / lp.volume)
    # Lamps burn at night at their wattage and draw nothing by day: bimodal current.
    assert len(lamp_on[True]) > 100
    assert len(lamp_on[False]) > 100
    assert 0.5 < statistics.median(lamp_on[True]) < 1.3
    # Zero-inflated counts, a heavy-tailed cost, parked and driving vehicles.
    assert sum(x == 0 for x in confirms) > 0.5 * len(confirms)
    assert max(confirms) > 0
    assert sum(x == 0 for x in defects) > 0.45 * len(defects)
    assert max(defects) > 0
    cost.sort()
    assert cost[int(0.99 * len(cost))] > 4.0 * cost[len(cost) // 2]
    assert 0.2 < sum(x == 0 for x in speed) / len(speed) < 0.8
    assert sum(15 < x < 70 for x in speed) > 0.2 * len(speed)
    # Bins fill up and are emptied: some bin's readings fall back after a rise (a sawtooth).
    emptied = sum(any(b < a - 40 for a, b in zip(xs, xs[1:], strict=False)) for xs in fills.values())
    assert emptied >= 3
    # Traffic follows the day: the morning peak against the small hours.
    assert len(traffic["peak"]) > 20
    assert len(traffic["night"]) > 20
    assert statistics.mean(traffic["peak"]) > 4 * statistics.mean(traffic["night"])


def test_entities_keep_their_origin_and_counters_only_grow() -> None:
    checked: Counter = Counter()
    for seed in range(40):
        wl, batches = _stream(seed)
        k = wl.keys
        last: dict[tuple, int] = {}
        for lr in (lr for b in batches for lr in b if lr.case in ("routine", "burst_head")):
            kind, f = _kind(wl, lr), lr.record.fields
            system = {"ticket": wl.desk_origin, "callq": wl.desk_origin, "workorder": wl.wms_origin,
                      "inspection": wl.wms_origin, "vehicle": wl.fleet_origin, "water": wl.scada_origin,
                      "reservoir": wl.scada_origin, "pump": wl.scada_origin, "mainburst": wl.scada_origin,
                      "ecoli": wl.scada_origin, "traffic": wl.traffic_origin, "streetflood": wl.traffic_origin,
                      "road": wl.survey_origin, "sinkhole": wl.survey_origin}.get(kind)
            if system is not None:
                assert lr.record.origin == wl.origins[system], kind
            if kind == "light":
                lamp = next(x for x in wl.lamps if x.name == f[k["lamp"]])
                assert lr.record.origin == wl.origins[wl.districts[lamp.district].origin]
            for counter, owner, strict in (("protocol", None, True), ("osno", None, True), ("odo", "plate", False),
                                           ("burnh", "lamp", False), ("tiv", "loop", True), ("ivq", None, True),
                                           ("insno", None, True), ("runh", "station", False)):
                if k[counter] in f:
                    ent = (counter, f[k[owner]] if owner else "")
                    n = _digits(f[k[counter]])
                    prev = last.get(ent, -1)
                    assert n > prev or (not strict and n == prev), (counter, n, prev)
                    last[ent] = n
                    checked[counter] += 1
    assert set(checked) == set(COUNTERS)
    assert min(checked.values()) > 60, checked


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
    expected = {"level": {"pt": "int", "hu": "str", "hsb": "int"}, "sla": {"pt": "int", "hu": "str", "hsb": "int"},
                "score": {"pt": "int", "hu": "int", "hsb": "float"}, "percent": {"hsb": "int"},
                "flag": {"hu": "bool"}}
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
            if not _strings(lr.record.fields) & RARE_VALUES[w.dialect] and expected_k(w, kind, lr.record.fields) < 5:
                value = lr.record.fields.get(w.prio_key) if w.prio_key else None
                by_form[w.prio_mode][expected_priority(w, kind, lr.record.fields)].append(
                    (lr.importance, w.dialect, value, lr.record.fields))
    assert set(by_form) == set(PRIORITY_MODES)
    for mode, levels in by_form.items():
        assert set(levels) == ({0.0, 0.9} if mode == "flag" else set(STEPS)), (mode, sorted(levels))
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
            if mode == "sla":  # a shorter response target is more pressing; routine tickets wait 2-30 days
                assert max(minutes_of_sla(d, v) for v in t) < 120 <= 2880 <= min(minutes_of_sla(d, v) for v in r)
            if mode == "score":
                assert min(score_share(d, v) for v in t) > max(score_share(d, v) for v in r)
            if mode == "percent":
                assert min(percent(d, v) for v in t) > max(percent(d, v) for v in r)
            if mode == "level":
                assert {level_step(d, v) for v in t} == {4}
            if mode in ROUTINE_VALUE:
                assert set(r) == ROUTINE_VALUE[mode](d)
        if mode == "deadline":  # the time left is read between the two dates; routine ones are days away
            for _, d, v, f in routine:
                assert (stamp(d, v) - stamp(d, f[OPENED[d]])).days >= 2


def test_notes_speak_the_dialect_and_say_when_things_can_wait() -> None:
    notes: dict[str, list[str]] = defaultdict(list)
    urgent_in_text_worlds: Counter = Counter()
    for seed in range(72):
        w, batches = _stream(seed)
        for lr in batches[0]:
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
    assert sum(bool(re.search("[ãçõáéíóúâê]", n)) for n in notes["pt"]) > 0.3 * len(notes["pt"])
    assert sum(bool(re.search("[őűáéóöü]", n)) for n in notes["hu"]) > 0.4 * len(notes["hu"])
    assert sum(bool(re.search("[čćěłńřšžó]", n)) for n in notes["hsb"]) > 0.4 * len(notes["hsb"])
    for s in [*range(72), *_other_forms().values()]:
        world = _stream(s)[0] if s >= 72 else _worlds()[s]
        if world.prio_mode == "text" and urgent_in_text_worlds[world.dialect] < 3:
            w = CivicWorkload(s)
            for lr in w.next_labeled(600, NOW):
                note = lr.record.fields.get(NOTE[w.dialect], "")
                urgent_in_text_worlds[w.dialect] += lr.case == "routine" and any(p in note for p in URGENT[w.dialect])
    assert all(urgent_in_text_worlds[d] >= 3 for d in DIALECTS), urgent_in_text_worlds


def test_near_copies_are_retyped_the_way_each_dialects_systems_would() -> None:
    def fold(s: str) -> str:
        s = s.replace("ł", "l").replace("Ł", "L")
        return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))

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
                    if not isinstance(old, str):
                        assert isinstance(v, int | float)
                        assert abs(v - old) <= max(50.0, 0.05 * abs(old)), (old, v)
                        how[f"{d}: number"] += 1
                    elif MONEY_PT.fullmatch(old) or MONEY_HU.fullmatch(old):
                        assert num(v) == num(old), (old, v)
                        how[f"{d}: money respelled"] += 1
                    elif QTY.fullmatch(old):
                        m = re.fullmatch(r"(-?\d+(?:[.,]\d+)?) ?(\S+)", v)
                        assert m, (old, v)
                        x = float(m[1].replace(",", "."))
                        assert abs(x - num(old)) <= max(5.0, 0.05 * abs(num(old))), (old, v)
                        how[f"{d}: quantity"] += 1
                    elif fold(v) == v and fold(old) == v:
                        how[f"{d}: folded"] += 1
                    elif len(v) < len(old) and "." in v:
                        how[f"{d}: abbreviated"] += 1
                    elif v.lower() == old.lower():
                        how[f"{d}: case"] += 1
                    else:
                        how[f"{d}: separator"] += 1
    for way in ("pt: number", "hu: number", "hsb: number", "pt: quantity", "hu: quantity", "pt: money respelled",
                "hu: money respelled", "pt: folded", "hu: folded", "hsb: folded", "pt: abbreviated",
                "hu: abbreviated", "hsb: abbreviated", "pt: case", "hu: case", "hsb: case", "pt: separator",
                "hsb: separator"):
        assert how[way] >= 3, (way, how)


def test_every_case_occurs_at_a_sensible_rate() -> None:
    rates = case_rates(b for seed in range(24) for b in _stream(seed)[1])
    assert set(rates.case) == CASES
    assert_within(rates.case, {"routine": (0.74, 0.89), "dup": (0.02, 0.055), "near_dup": (0.045, 0.09),
                               "burst_head": (0.004, 0.014), "burst_tail": (0.025, 0.12), "resend": (0.003, 0.013)})
    assert_within(rates.detail, {"anomaly": (0.012, 0.032), "priority": (0.01, 0.04), "rare_kind": (0.002, 0.014),
                                 "rare_value": (0.0005, 0.006), "": (0.68, 0.84)})
    assert rates.plain_rare_kind >= 0.5 * rates.rare_kind  # most rare kinds carry no priority
    missing = windows_missing((w for seed in range(10) for w in _stream(seed)[1]), min_routine=120)
    assert all(v <= 10 for v in missing.values()), missing  # of 30 windows


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
        assert 0.0006 <= per_kind[k] / exposure[k] <= 0.012, (k, per_kind[k], exposure[k])


def test_truth_follows_the_definition() -> None:
    routine = []
    odd_kinds: set[str] = set()
    for wl, lr in _all(range(40)):
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
        wl = CivicWorkload(seed)
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
                assert abs(med - s.center) <= 1.6 * s.spread, (kind, key)  # the real median (the day moves it)
        for lr in lrs:
            kind = _kind(wl, lr)
            if lr.detail != "anomaly":
                continue
            far = []
            for key, s in wl.stats[kind].items():
                if (kind, key) in typical:
                    x = _space(num(lr.record.fields[key]), s.space)
                    far.append(abs(x - typical[(kind, key)][0]) / typical[(kind, key)][1])
                    if far[-1] >= 4.0 and s.direction:
                        assert (x - typical[(kind, key)][0]) * s.direction > 0, (kind, key, lr.record.fields)
            if far:
                checked += 1
                assert max(far) >= 3.0, (kind, lr.record.fields)
    assert checked > 15
    wl = CivicWorkload(11)  # with anomalies switched off, no routine record is one
    wl.anomaly_rate = 0.0
    assert not any(lr.detail == "anomaly" for i in range(3) for lr in wl.next_labeled(256, NOW + i * 10**6)
                   if lr.case == "routine")


def test_resends_repeat_news_of_earlier_batches() -> None:
    hits = 0
    for seed in (9, 10, 12, 13):
        wl = CivicWorkload(seed)
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


def test_training_never_loads_the_civic_family() -> None:
    assert modules_loaded_by_training("holdout_civic") == "[]"


def test_importing_the_family_loads_no_model() -> None:
    assert model_modules_loaded_by_import("node.workload.holdout_civic") == "[]"


def test_eval_unseen_lists_the_family() -> None:
    assert eval_unseen_families()["civic"] == ("node.workload.holdout_civic", "CivicWorkload")
