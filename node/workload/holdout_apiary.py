"""Held-out family ``apiary``: a beekeeping operation's hive-monitoring network. Used ONLY by evaluation.

Theory of operation
-------------------
The twenty-third held-out family, written blind (docs/holdout.md): nobody tunes the model on it, and it
shares no code path, name, distribution or vocabulary with the training generators or the other held-out
families. Only the truth helpers (through :func:`routine_truth` and :func:`tail_importance`), the record
type and the stream scheduler of node/workload/holdout_stream.py (:class:`BurstStream`) are shared.
Training never imports this module (tests/node/test_holdout_apiary.py checks ``sys.modules``).

One seed is one world: one beekeeping operation (a Slovenian beekeeper with AŽ hives in bee houses, a US
commercial pollination outfit moving pallets between yards, a Welsh bee farm) whose apiary gateways (3-8
peer ids, the ``origins``, Zipf busy; one of them also the association's office) log hive scales, in-hive
climate sensors, entrance bee counters, hive acoustics, varroa washes, the beekeeper's inspections,
honey harvests, varroa treatments and regional bee-health advisories. A world draws, from one
``random.Random``:

- a dialect (below), which names every kind, field, categorical value and identifier, picks units and the
  number format, and writes every note;
- 4-7 common kinds of 9 (at least one carrying priority) and 1-3 rare kinds of 4 (each 0.12-0.9% of the
  fresh records): a swarm leaving, hive theft, a pesticide kill, a yellow-legged (Asian) hornet sighting;
- one of nine priority forms (``prio_mode``, field ``prio_key``);
- 6-30 hives (an empty weight, a colony strength, a brood-nest set point, a humidity, a hum pitch, a mite
  load of their own), each at one apiary (origin);
- a clock (0.2-3 minutes of apiary time per fresh record; foraging follows the daylight: entrance counters
  log departures per 10 minutes and the share of foragers back, which drops when a field is sprayed), a nectar flow
  that drifts (scale weight and daily gain follow it), an outside temperature by dialect's climate;
- case rates, a mean gap between records (0.3-5 s), whether the stream arrives in uploads, and how far
  back copies reach.

Dialects
--------
- ``sl``: Slovene: kinds ``area.subject`` lower case with č / š / ž (``panj.teža``, ``varoja.štetje``),
  fields ASCII-folded snake_case (``teza``, ``temp_gnezda``); weight, brood temperature and honey written as
  quantity strings with a decimal comma (``"42,3 kg"``, ``"34,6 °C"``); hives ``AŽ-07``.
- ``en``: a US commercial beekeeper: kinds ``Area/Subject`` PascalCase (``Hive/Scale``), fields camelCase
  (``grossWeight``, ``broodTempF``); pounds and Fahrenheit; gross weight a quantity string ``"92.4 lb"``,
  the rest plain; record numbers ``R001234``; hives ``BUTTE-014``.
- ``cy``: Welsh: kinds ``area:subject`` kebab-case (``cwch:pwysau``), fields kebab-case (``pwysau-kg``,
  ``tymheredd-nythaid``); every reading a plain metric number; hives ``cwch-12``.

Priority forms (carried by ``inspection``, ``treatment``, ``advisory`` and the rare ``hornet``)
---------------------------------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0); the form writes it, and truth is read
back from what is written: ``words`` (five words per dialect), ``stars`` (``-`` / ``*`` ... ``****``),
``rank`` (sl an int 5..1 with 1 worst, en ``T5``..``T1``, cy an int 1..5 with 5 worst), ``score`` (sl a
float 0.0-10.0, en an int 0-1000, cy an int 0-20; in fifths), ``flag`` (sl ``DA``/``NE``, en a bool,
cy ``ie``/``na``; strength 0.9), ``hex`` (a status colour as a hex code, green to red, five values),
``revisit`` (days until the next visit: 10-28 routine, 6-9, 3-5, 1-2, 0; sl ``"3 dnevi"``, en ``"3d"``,
cy an int), ``roman`` (``V``..``I``, I worst), ``text`` (no field; urgency phrases in the note).

Cases and truth
---------------
Routine records and burst heads: ``routine_truth(anomaly, priority, rarity, rare kind)``; anomaly 0 below 5
spreads, else ``min(1, 0.4 + 0.1 (k - 5))`` for the largest distance k of an anomaly-prone number (read
back from what is written) from its (kind, field) median, in spreads (central 95% width / 3.92 of 600
routine draws over the whole day and every flow state, measured when the world is made; log or log1p
space for skewed fields); routine draws stay under 4 spreads; an anomaly puts one number 5.3-12 spreads
off. Rarity 0.5 for a rare kind, 0.45 for a rare value (a drone-laying brood pattern, a drone-brood mite
count). Exact copies 5%, near copies (another app's re-entry: re-rounded, a decimal comma as a point, a
unit's space, letters folded, case) 10%, burst tails ``tail_importance(head)``, re-sends 1% / 2%.

Pure Python, deterministic in the seed (and across hash seeds).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import re
import unicodedata
from dataclasses import dataclass

from node.workload.domains import tail_importance
from node.workload.holdout_stream import BurstStream, routine_truth
from node.workload.holdout_stream import Rec as _Rec
from node.workload.holdout_stream import Storm as _Storm
from node.workload.holdout_stream import space as _space
from node.workload.holdout_stream import unspace as _unspace
from protocol.keys import PrivateKey

__all__ = [
    "ALWAYS_PRIORITY_RARE",
    "COMMON_KINDS",
    "COUNTERS",
    "DIALECTS",
    "PRIORITY_KINDS",
    "PRIORITY_MODES",
    "RARE_KINDS",
    "ApiaryWorkload",
    "read_number",
    "world_form",
]

DIALECTS = ("sl", "en", "cy")
PRIORITY_MODES = ("words", "stars", "rank", "score", "flag", "hex", "revisit", "roman", "text")
STEP_STRENGTH = (0.0, 0.25, 0.5, 0.75, 1.0)
STEP_ODDS = (0.85, 0.05, 0.045, 0.035, 0.02)
FLAG_STRENGTH = 0.9
ANOMALY_AT = 5.0
ROUTINE_BELOW = 4.0

COMMON_KINDS = ("scale", "climate", "entrance", "acoustic", "varroa", "inspection", "harvest", "treatment",
                "advisory")
PRIORITY_KINDS = frozenset({"inspection", "treatment", "advisory"})
RARE_KINDS = ("swarm", "theft", "poison", "hornet")
ALWAYS_PRIORITY_RARE = frozenset({"hornet"})
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE
COUNTERS = ("seq",)

_KINDS = {
    "sl": {"scale": "panj.teža", "climate": "panj.mikroklima", "entrance": "panj.vhod", "acoustic": "panj.zvok",
           "varroa": "varoja.štetje", "inspection": "pregled.čebelar", "harvest": "med.točenje",
           "treatment": "varoja.zdravljenje", "advisory": "obvestilo.območje", "swarm": "roj.odhod",
           "theft": "panj.tatvina", "poison": "čebele.zastrupitev", "hornet": "sršen.azijski"},
    "en": {"scale": "Hive/Scale", "climate": "Hive/Climate", "entrance": "Hive/EntranceCount",
           "acoustic": "Hive/Acoustics", "varroa": "Varroa/Wash", "inspection": "Yard/Inspection",
           "harvest": "Yard/Harvest", "treatment": "Varroa/Treatment", "advisory": "Dept/Advisory",
           "swarm": "Yard/SwarmLoss", "theft": "Yard/Theft", "poison": "Yard/PesticideKill",
           "hornet": "Pest/YellowLeggedHornet"},
    "cy": {"scale": "cwch:pwysau", "climate": "cwch:hinsawdd", "entrance": "cwch:mynedfa", "acoustic": "cwch:sain",
           "varroa": "varroa:golchiad", "inspection": "gwenynfa:archwiliad", "harvest": "mel:cynhaeaf",
           "treatment": "varroa:triniaeth", "advisory": "rhybudd:ardal", "swarm": "haid:ymadael",
           "theft": "gwenynfa:lladrad", "poison": "gwenyn:gwenwyno", "hornet": "cacynen:asia"},
}

# semantic field -> (sl, en, cy)
_FIELDS = {
    "hive": ("panj", "hiveId", "cwch"), "seq": ("zap_st", "recNo", "rhif"),
    "weight": ("teza", "grossWeight", "pwysau-kg"), "dw": ("sprememba_24h", "delta24hLb", "newid-24awr-kg"),
    "batt": ("baterija_v", "battV", "batri-v"), "tbrood": ("temp_gnezda", "broodTempF", "tymheredd-nythaid"),
    "rh": ("vlaga_pct", "humidityPct", "lleithder-pc"), "tout": ("temp_zunaj", "ambientF", "tymheredd-allan"),
    "out": ("izleti_10min", "departures10m", "allan-10mun"), "ret": ("povratek_pct", "returnPct", "dychwelyd-pc"),
    "freq": ("frekvenca_hz", "humHz", "amledd-hz"), "db": ("glasnost_db", "soundDb", "sain-db"),
    "method": ("metoda", "method", "dull"), "bees": ("vzorec_cebel", "beesSampled", "gwenyn-sampl"),
    "mites": ("varoje", "mitesFound", "gwiddon"), "frames": ("satje_zalega", "broodFrames", "fframiau-magu"),
    "qcells": ("maticniki", "queenCells", "celloedd-brenhines"), "queen": ("matica", "queenSeen", "brenhines"),
    "pattern": ("zalega", "broodPattern", "patrwm-magu"), "temper": ("narava", "temper", "tymer"),
    "note": ("opomba", "notes", "nodyn"), "supers": ("nastavki", "supers", "llofftydd"),
    "honey": ("med", "honeyLb", "mel-kg"), "moist": ("vlaga_medu", "moisturePct", "lleithder-mel"),
    "product": ("sredstvo", "product", "triniaeth"), "dose": ("odmerek_g", "doseG", "dos-g"),
    "region": ("obmocje", "county", "sir"), "loss": ("izgube_pct", "winterLossPct", "colled-pc"),
    "dist": ("oddaljenost_km", "distanceMi", "pellter-km"), "drop": ("padec_teze", "weightDropLb", "cwymp-kg"),
    "missing": ("manjka_panjev", "hivesMissing", "cychod-coll"), "dead": ("mrtve_cebele", "deadBees",
                                                                             "gwenyn-marw"),
    "hornets": ("srseni", "hornetsSeen", "cacwn"), "hdist": ("razdalja_m", "distanceFt", "pellter-m"),
}
_PRIO_KEYS = {"words": ("nujnost", "urgency", "brys"), "stars": ("zvezdice", "flagStars", "ser"),
              "rank": ("prioriteta", "tier", "safle"), "score": ("ocena_tveganja", "riskScore", "sgor-risg"),
              "flag": ("takoj_ukrepaj", "actNow", "gweithredu"), "hex": ("barva_stanja", "statusColor", "lliw-statws"),
              "revisit": ("ponovni_pregled", "revisitIn", "ailymweld"), "roman": ("razred", "class", "dosbarth")}

# metric default decimals; unit changes per dialect: sem -> (scale, offset, decimals)
_DEC = {"weight": 1, "dw": 2, "batt": 2, "tbrood": 1, "rh": 0, "tout": 1, "out": 0, "ret": 1, "freq": 1, "db": 1,
        "bees": 0, "mites": 0, "frames": 0, "qcells": 0, "supers": 0, "honey": 1, "moist": 1, "dose": 1, "loss": 1,
        "dist": 1, "drop": 1, "missing": 0, "dead": 0, "hornets": 0, "hdist": 0}
_LB, _MI, _FT = 2.20462, 0.621371, 3.28084
_UNITS = {"en": {"weight": (_LB, 0.0, 1), "dw": (_LB, 0.0, 2), "honey": (_LB, 0.0, 1), "drop": (_LB, 0.0, 1),
                 "tbrood": (1.8, 32.0, 1), "tout": (1.8, 32.0, 0), "dist": (_MI, 0.0, 1), "hdist": (_FT, 0.0, 0)}}
_SUFFIX = {"sl": {"weight": " kg", "tbrood": " °C", "honey": " kg", "drop": " kg"}, "en": {"weight": " lb"}, "cy": {}}

# anomaly-prone fields per common kind: sem -> (space, direction, lo, hi) in metric units
_PRONE = {
    "scale": {"weight": ("lin", 0, 3.0, 250.0), "dw": ("lin", 0, -60.0, 60.0)},
    "climate": {"tbrood": ("lin", 0, 2.0, 50.0), "rh": ("lin", 0, 3.0, 100.0)},
    "entrance": {"ret": ("lin", -1, 0.0, 100.0)},
    "acoustic": {"freq": ("lin", 0, 60.0, 900.0), "db": ("lin", 1, 10.0, 120.0)},
    "varroa": {"mites": ("log1p", 1, 0.0, 300.0)},
    "inspection": {"frames": ("lin", 0, 0.0, 22.0), "qcells": ("log1p", 1, 0.0, 60.0)},
    "harvest": {"honey": ("log", 1, 0.5, 400.0), "moist": ("lin", 1, 10.0, 30.0)},
    "treatment": {"dose": ("log", 0, 0.1, 2000.0)},
    "advisory": {"loss": ("lin", 1, 0.0, 100.0)},
}

_WORDS = {"sl": ("običajno", "nizka", "srednja", "visoka", "nujno"),
          "en": ("routine", "watch", "elevated", "serious", "critical"),
          "cy": ("arferol", "isel", "canolig", "uchel", "argyfwng")}
_STARS = ("-", "*", "**", "***", "****")
_HEX = ("#2e7d32", "#9e9d24", "#f9a825", "#ef6c00", "#c62828")
_ROMAN = ("V", "IV", "III", "II", "I")
_FLAG = {"sl": ("DA", "NE"), "en": (True, False), "cy": ("ie", "na")}  # (on, off)
_REVISIT = ((10, 28), (6, 9), (3, 5), (1, 2), (0, 0))
_URGENT = {
    "sl": ("preveri ob priliki", "preveri še danes", "nujno: takoj na čebelnjak",
           "ALARM: takojšnje ukrepanje, obvesti veterinarja"),
    "en": ("check when convenient", "check before end of day", "urgent: get to the yard now",
           "EMERGENCY: act immediately, call the state apiarist"),
    "cy": ("gwiriwch pan fo cyfle", "gwiriwch heddiw", "brys: ewch i'r wenynfa nawr",
           "ARGYFWNG: gweithredwch ar unwaith, ffoniwch yr arolygydd"),
}
_CALM = {"sl": ("ni nujno", "rutinski pregled", "za evidenco", "brez posebnosti"),
         "en": ("no rush", "routine check", "for the record", "nothing unusual"),
         "cy": ("dim brys", "archwiliad arferol", "er gwybodaeth", "dim byd anarferol")}
_NOTES = {
    "sl": {"inspection": ("matica lepo zalega v {hive}", "dodan nastavek na {hive}", "zaloge hrane zadostne",
                          "čebele mirne, paša dobra", "zamenjano satje v {hive}"),
           "treatment": ("drugi krog zdravljenja", "zdravljeno po navodilih", "brez zalege, ugoden čas"),
           "advisory": ("spremljajte naravni odpad varoj", "začenja se kostanjeva paša", "škropljenje v bližini"),
           "swarm": ("roj na bližnji lipi",), "theft": ("panji odpeljani ponoči",),
           "poison": ("mrtve čebele pred panji",), "hornet": ("sršeni lovijo pred bradami panjev",)},
    "en": {"inspection": ("queen laying well in {hive}", "added a super to {hive}", "stores look good",
                          "bees calm, flow on", "swapped frames in {hive}"),
           "treatment": ("second round", "applied per label", "broodless window, good timing"),
           "advisory": ("monitor mite loads", "almond bloom starting", "spraying reported near the orchards"),
           "swarm": ("swarm clustered in the oak by the road",), "theft": ("pallets gone, tire tracks",),
           "poison": ("dead bees piled at entrances",), "hornet": ("hornets hawking at entrances",)},
    "cy": {"inspection": ("brenhines yn dodwy'n dda yn {hive}", "ychwanegwyd llofft i {hive}", "digon o storfeydd",
                          "gwenyn tawel, llif neithdar da", "fframiau wedi'u newid yn {hive}"),
           "treatment": ("ail rownd triniaeth", "yn ol y label", "dim magu, amseru da"),
           "advisory": ("monitro cwymp gwiddon", "y grug yn blodeuo", "chwistrellu gerllaw"),
           "swarm": ("haid ar y goeden gerllaw",), "theft": ("cychod wedi'u dwyn dros nos",),
           "poison": ("gwenyn marw o flaen y cychod",), "hornet": ("cacwn yn hela o flaen y cychod",)},
}
_METHOD = {"sl": ("izpiranje z alkoholom", "sladkor v prahu"), "en": ("alcohol wash", "sugar roll"),
           "cy": ("golchiad alcohol", "rholio siwgr")}
_PATTERN = {"sl": ("strnjena", "pikasta"), "en": ("solid", "spotty"), "cy": ("cyfan", "brith")}
_TEMPER = {"sl": ("mirne", "nemirne", "napadalne"), "en": ("calm", "runny", "defensive"),
           "cy": ("tawel", "aflonydd", "ymosodol")}
_QUEEN = {"sl": ("videna", "ni videna"), "en": (True, False), "cy": ("gwelwyd", "heb weld")}
_PRODUCT = {"sl": (("oksalna kislina", 5.0), ("mravljinčna kislina", 60.0), ("timol", 25.0)),
            "en": (("oxalic vapor", 2.0), ("Formic Pro", 41.0), ("Apiguard", 50.0)),
            "cy": (("asid ocsalig", 5.0), ("asid fformig", 60.0), ("thymol", 25.0))}
_REGIONS = {"sl": ("Gorenjska", "Štajerska", "Dolenjska", "Primorska", "Koroška", "Prekmurje"),
            "en": ("Butte", "Glenn", "Colusa", "Stanislaus", "Merced", "Fresno"),
            "cy": ("Ceredigion", "Gwynedd", "Powys", "Sir Gâr", "Ynys Môn", "Sir Benfro")}
# rare values: (kind, semantic field) -> the value in each dialect
_RARE_VALUES = {("inspection", "pattern"): {"sl": "trotovska zalega", "en": "drone layer", "cy": "magu gwenyn gormes"},
                ("varroa", "method"): {"sl": "izrez trotovine", "en": "drone uncapping", "cy": "agor magu gormes"}}
_YARDS = ("BUTTE", "CHICO", "ORLAND", "GRIDLEY", "MAXWELL", "DURHAM")
_NUM = re.compile(r"-?\d+(?:[.,]\d+)?")
_FOLD = str.maketrans("čšžČŠŽâôŵŷ", "cszCSZaowy")


def _world_rng(seed: int) -> random.Random:
    return random.Random(f"holdout-apiary/{seed}")


def _draw_form(r: random.Random) -> tuple[str, str]:
    return r.choice(DIALECTS), r.choice(PRIORITY_MODES)


def world_form(seed: int) -> tuple[str, str]:
    """A seed's (dialect, priority form), without building its world."""
    return _draw_form(_world_rng(seed))


def read_number(v: object) -> float:
    """A written reading back as a number: plain, or a quantity string (``"42,3 kg"``, ``"92.4 lb"``)."""
    if isinstance(v, bool):
        raise TypeError("a flag is not a reading")
    if isinstance(v, int | float):
        return float(v)
    m = _NUM.search(unicodedata.normalize("NFKC", str(v)))
    if m is None:
        raise ValueError(f"no number in {v!r}")
    return float(m.group().replace(",", "."))


def sl_days(n: int) -> str:
    """A count of days in Slovene (dual and plural forms)."""
    tail = n % 100
    return f"{n} {'dan' if tail == 1 else 'dneva' if tail == 2 else 'dnevi' if tail in (3, 4) else 'dni'}"


def _revisit_days(d: str, v: object) -> int:
    if d == "cy":
        return int(v)  # type: ignore[call-overload]
    m = re.fullmatch(r"(\d+) (?:dan|dneva|dnevi|dni)" if d == "sl" else r"(\d+)d", str(v))
    if m is None:
        raise ValueError(f"not a revisit: {v!r}")
    return int(m[1])


def _revisit_step(days: int) -> int:
    return sum(days <= hi for _, hi in _REVISIT[1:])


@dataclass(slots=True)
class Spread:
    space: str
    direction: int
    center: float
    spread: float
    lo: float
    hi: float


@dataclass(slots=True)
class _Hive:
    name: str
    origin: int
    empty: float  # kg, the boxes and frames
    strength: float
    setpoint: float  # brood-nest temperature, deg C
    rh: float
    hum: float  # Hz
    loud: float  # dB
    mites: float  # mean mites per 300-bee wash
    frames: float
    batt: float


class ApiaryWorkload(BurstStream):
    """A held-out hive-monitoring world (see the module docstring). Deterministic in ``seed``."""

    KIND_NAMES = _KINDS
    PRIORITY_KINDS = PRIORITY_KINDS

    def __init__(self, seed: int) -> None:
        self._r = r = _world_rng(seed)
        self.dialect, self.prio_mode = _draw_form(r)
        d = self.dialect
        di = DIALECTS.index(d)
        self.prio_key: str | None = None if self.prio_mode == "text" else _PRIO_KEYS[self.prio_mode][di]
        picked: list[str] = []
        while not PRIORITY_KINDS & set(picked):
            picked = r.sample(COMMON_KINDS, r.randint(4, 7))
        self.common: tuple[str, ...] = tuple(k for k in COMMON_KINDS if k in picked)
        rare = r.sample(RARE_KINDS, r.randint(1, 3))
        self.rare: tuple[str, ...] = tuple(k for k in RARE_KINDS if k in rare)
        busy = {"scale": 2.0, "climate": 1.6, "entrance": 1.8, "acoustic": 1.0, "varroa": 0.5, "inspection": 0.8,
                "harvest": 0.4, "treatment": 0.5, "advisory": 0.3}
        self.weights = {k: r.lognormvariate(0.0, 0.4) * busy[k] for k in self.common}
        self.rare_share = {k: r.uniform(0.0012, 0.009) for k in self.rare}
        n_origins = r.randint(3, 8)
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-apiary-gw/{seed}/{i}".encode()).digest()).peer_id
            for i in range(n_origins)]
        self._origin_cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.2 for i in range(n_origins)))
        self.office = r.randrange(n_origins)
        self.mean_gap = r.choice((300.0, 1200.0, 2500.0, 5000.0))
        self.clumpy = r.random() < 0.35  # gateways on cellular upload in clumps
        self.burst_period = r.uniform(0.03, 0.12)
        self.copy_memory = r.uniform(30.0, 180.0)
        self.rates = {"dup": r.uniform(0.025, 0.05), "near": r.uniform(0.05, 0.085),
                      "burst": r.uniform(0.006, 0.013), "resend": r.uniform(0.006, 0.013)}
        self.anomaly_rate = r.uniform(0.015, 0.035)
        self.keys: dict[str, str] = {s: names[di] for s, names in _FIELDS.items()}
        self.kind_of: dict[str, str] = {v: k for k, v in _KINDS[d].items()}
        self._rare_values = frozenset(v[d] for v in _RARE_VALUES.values())
        self._conv = {s: _UNITS.get(d, {}).get(s, (1.0, 0.0, dec)) for s, dec in _DEC.items()}
        self._dec = {self.keys[s]: c[2] for s, c in self._conv.items()}
        self._suffix = {self.keys[s]: u for s, u in _SUFFIX[d].items()}
        self._fixed = frozenset({self.keys["seq"]})
        # the operation
        n_hives = r.randint(6, 30)
        self.hives = [self._hive(r, i, n_origins) for i in range(n_hives)]
        self.air = {"sl": r.uniform(8.0, 24.0), "en": r.uniform(12.0, 30.0), "cy": r.uniform(6.0, 18.0)}[d]
        self.loss0 = r.uniform(8.0, 30.0)
        self.hour = r.uniform(0.0, 24.0)
        self.tick_h = r.uniform(0.2, 3.0) / 60.0
        self.flow = r.random()
        self._seq = r.randint(10, 90_000)
        self.stats: dict[str, dict[str, Spread]] = {}
        self.stats = self._measure()
        self._archive: list[tuple[str, int, dict[str, object], float]] = []
        self._last_ts = 0

    def _hive(self, r: random.Random, i: int, n_origins: int) -> _Hive:
        d = self.dialect
        name = {"sl": f"AŽ-{i + 1:02d}", "en": f"{r.choice(_YARDS)}-{r.randint(1, 480):03d}",
                "cy": f"cwch-{i + 1}"}[d]
        origin = self._r.choices(range(n_origins), cum_weights=list(
            itertools.accumulate(1.0 / (j + 1) ** 1.2 for j in range(n_origins))))[0]
        return _Hive(name, origin, r.uniform(18.0, 45.0), r.lognormvariate(0.0, 0.3), r.uniform(34.2, 35.4),
                     r.uniform(50.0, 68.0), r.uniform(210.0, 260.0), r.uniform(38.0, 52.0),
                     r.lognormvariate(math.log(2.0), 0.7), r.uniform(4.0, 9.0), r.uniform(3.6, 4.1))

    def _zipf_origin(self) -> int:
        return self._r.choices(range(len(self.origins)), cum_weights=self._origin_cum)[0]

    @staticmethod
    def daylight(hour: float) -> float:
        """Foraging weather (0..1): bees fly from about 6 h to 20 h, most at early afternoon."""
        h = hour % 24.0
        return math.sin(math.pi * (h - 6.0) / 14.0) if 6.0 < h < 20.0 else 0.0

    # -- drawing (metric, semantic names) ----------------------------------------------------------------------
    def _draw(self, kind: str, live: bool = True) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        hour, flow = (self.hour, self.flow) if live else (r.uniform(0.0, 24.0), r.random())
        day = self.daylight(hour)
        hv = r.choice(self.hives)
        base: dict[str, object] = {"hive": hv.name, "seq": 0}
        if kind == "scale":
            w = hv.empty + 22.0 * flow * hv.strength + 8.0 * hv.strength - 1.2 * day * hv.strength
            base |= {"weight": w + r.gauss(0.0, 0.8), "dw": r.gauss(2.2 * flow - 0.3, 0.5),
                     "batt": hv.batt + r.gauss(0.0, 0.04)}
        elif kind == "climate":
            base |= {"tbrood": hv.setpoint + r.gauss(0.0, 0.3), "rh": min(99.0, hv.rh + r.gauss(0.0, 4.0)),
                     "tout": self.air + 8.0 * day - 3.0 + r.gauss(0.0, 1.5)}
        elif kind == "entrance":
            act = day * hv.strength * (0.4 + 0.6 * flow)
            out = r.lognormvariate(math.log(700.0 * act + 1.0), 0.3) if act > 0.03 else r.expovariate(0.3)
            base |= {"out": out, "ret": min(100.0, r.gauss(94.0, 2.5))}
        elif kind == "acoustic":
            base |= {"freq": hv.hum + 12.0 * day + r.gauss(0.0, 6.0), "db": hv.loud + 6.0 * day + r.gauss(0.0, 1.5)}
        elif kind == "varroa":
            base |= {"method": r.choice(_METHOD[d]), "bees": float(r.randint(280, 320)),
                     "mites": max(0.0, hv.mites * r.lognormvariate(0.0, 0.5) - 0.5)}
        elif kind == "inspection":
            base |= {"frames": min(12.0, max(1.0, hv.frames * (0.7 + 0.5 * flow) + r.gauss(0.0, 0.8))),
                     "qcells": 0.0 if r.random() < 0.75 else float(r.randint(1, 4)),
                     "queen": _QUEEN[d][r.random() < 0.35], "pattern": _PATTERN[d][r.random() < 0.2],
                     "temper": r.choices(_TEMPER[d], (0.7, 0.25, 0.05))[0], "note": self._note(kind, hv.name)}
        elif kind == "harvest":
            supers = r.randint(1, 4)
            base |= {"supers": float(supers), "honey": r.lognormvariate(math.log(9.0 * supers * hv.strength), 0.2),
                     "moist": r.gauss(17.4, 0.5)}
        elif kind == "treatment":
            product, dose = r.choice(_PRODUCT[d])
            base |= {"product": product, "dose": dose * r.lognormvariate(0.0, 0.08), "note": self._note(kind, hv.name)}
        elif kind == "advisory":
            base = {"region": r.choice(_REGIONS[d]), "seq": 0, "loss": max(0.0, r.gauss(self.loss0, 2.5)),
                    "dist": r.lognormvariate(math.log(8.0), 0.6), "note": self._note(kind, "")}
            return base, self.office
        elif kind == "swarm":
            base |= {"drop": r.uniform(1.5, 4.0), "note": self._note(kind, hv.name)}
        elif kind == "theft":
            base |= {"missing": float(r.randint(1, 6)), "note": self._note(kind, hv.name)}
        elif kind == "poison":
            base |= {"dead": float(r.randint(500, 6000)), "note": self._note(kind, hv.name)}
        else:  # hornet
            base |= {"hornets": float(r.randint(1, 12)), "hdist": r.uniform(2.0, 150.0),
                     "note": self._note(kind, hv.name)}
        return base, hv.origin

    def _note(self, kind: str, hive: str) -> str:
        return self._r.choice(_NOTES[self.dialect][kind]).format(hive=hive)

    # -- writing and reading -----------------------------------------------------------------------------------
    def _enc(self, key: str, y: float, dec: int | None = None) -> object:
        """A number already in written units, rounded and (where the dialect does) written with its unit."""
        dec = self._dec[key] if dec is None else dec
        v: int | float = round(y, dec) + 0.0 if dec else int(round(y))
        suffix = self._suffix.get(key)
        if suffix is None:
            return v
        s = f"{v:.{dec}f}" if dec else str(v)
        return (s.replace(".", ",") if self.dialect == "sl" else s) + suffix

    def _write(self, sem: dict[str, object]) -> dict[str, object]:
        out: dict[str, object] = {}
        for s, v in sem.items():
            key = self.keys[s]
            if s in self._conv and isinstance(v, float):
                a, b, _ = self._conv[s]
                out[key] = self._enc(key, v * a + b)
            else:
                out[key] = v
        return out

    def _to(self, sem: str, x: float) -> float:
        a, b, _ = self._conv[sem]
        return x * a + b

    def _measure(self) -> dict[str, dict[str, Spread]]:
        out: dict[str, dict[str, Spread]] = {}
        for kind in self.common:
            draws = [self._write(self._draw(kind, False)[0]) for _ in range(600)]
            out[kind] = {}
            for sem, (space, direction, lo, hi) in _PRONE[kind].items():
                key = self.keys[sem]
                xs = sorted(_space(read_number(f[key]), space) for f in draws)
                a, b = int(0.025 * len(xs)), int(0.975 * len(xs)) - 1
                floor = 0.05 if space != "lin" else 2.0 * 10.0 ** -self._dec[key]
                lo_w, hi_w = sorted((self._to(sem, lo), self._to(sem, hi)))
                out[kind][key] = Spread(space, direction, xs[len(xs) // 2], max((xs[b] - xs[a]) / 3.92, floor),
                                        lo_w, hi_w)
        return out

    # -- truth -------------------------------------------------------------------------------------------------
    def _k_of(self, kind: str, key: str, f: dict[str, object]) -> float:
        s = self.stats[kind][key]
        return abs(_space(read_number(f[key]), s.space) - s.center) / s.spread

    def anomaly_k(self, kind: str, fields: dict[str, object]) -> float:
        return max((self._k_of(kind, key, fields) for key in self.stats.get(kind, {}) if key in fields), default=0.0)

    def priority_value(self, kind: str, fields: dict[str, object]) -> float:
        """Explicit priority (0..1) read back from what the world's form wrote."""
        if kind not in CARRIERS:
            return 0.0
        mode, d = self.prio_mode, self.dialect
        if mode == "text":
            note = str(fields.get(self.keys["note"], ""))
            return max((STEP_STRENGTH[i] for i, p in enumerate(_URGENT[d], 1) if p in note), default=0.0)
        v = fields[str(self.prio_key)]
        if mode == "words":
            return STEP_STRENGTH[_WORDS[d].index(str(v))]
        if mode == "stars":
            return STEP_STRENGTH[_STARS.index(str(v))]
        if mode == "rank":
            n = int(str(v).lstrip("T"))
            return STEP_STRENGTH[n - 1 if d == "cy" else 5 - n]
        if mode == "score":
            top = {"sl": 10.0, "en": 1000.0, "cy": 20.0}[d]
            return STEP_STRENGTH[sum(float(v) >= top * e for e in (0.2, 0.4, 0.6, 0.8))]  # type: ignore[arg-type]
        if mode == "flag":
            return FLAG_STRENGTH if v == _FLAG[d][0] else 0.0
        if mode == "hex":
            return STEP_STRENGTH[_HEX.index(str(v).lower())]
        if mode == "revisit":
            return STEP_STRENGTH[_revisit_step(_revisit_days(d, v))]
        return STEP_STRENGTH[_ROMAN.index(str(v))]

    def score(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        """Ground truth of a routine record or burst head, from its content: (importance, detail)."""
        k = self.anomaly_k(kind, fields)
        a = 0.0 if k < ANOMALY_AT else min(1.0, 0.4 + 0.1 * (k - ANOMALY_AT))
        p = self.priority_value(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if any(isinstance(v, str) and v in self._rare_values for v in fields.values()) else 0.0
        return routine_truth(a, p, rk or rv, rk)

    # -- records -----------------------------------------------------------------------------------------------
    def _routine(self, kind: str) -> tuple[dict[str, object], int]:
        for _ in range(100):
            sem, origin = self._draw(kind)
            self._seq += 1
            sem["seq"] = self._seq
            f = self._write(sem)
            if self.dialect == "en":
                f[self.keys["seq"]] = f"R{self._seq:06d}"
            if self.anomaly_k(kind, f) < ROUTINE_BELOW:
                return f, origin
        raise RuntimeError(f"no routine draw of {kind}")  # pragma: no cover

    def _push_off(self, kind: str, f: dict[str, object]) -> bool:
        """Move one anomaly-prone number 5.3-12 spreads off its median, within bounds; False if none can go."""
        r = self._r
        choices = []
        for key in sorted(self.stats.get(kind, {})):
            s = self.stats[kind][key]
            for sign in ((1, -1) if s.direction == 0 else (s.direction,)):
                edge = _space(s.hi if sign > 0 else s.lo, s.space)
                reach = min(12.0, (edge - s.center) * sign / s.spread)
                if reach >= 5.6:
                    choices.append((key, sign, reach))
        if not choices:
            return False
        key, sign, reach = r.choice(choices)
        s = self.stats[kind][key]
        x = _unspace(s.center + sign * r.uniform(5.3, reach) * s.spread, s.space)
        quantum = 10.0 ** -self._dec[key]
        for _ in range(20_000):
            f[key] = self._enc(key, min(s.hi, max(s.lo, x)))
            if self._k_of(kind, key, f) >= ANOMALY_AT:
                return True
            x += sign * max(quantum, abs(x) * 0.005)
        return False  # pragma: no cover

    def _form(self, step: int) -> object:
        r, d, mode = self._r, self.dialect, self.prio_mode
        if mode == "words":
            return _WORDS[d][step]
        if mode == "stars":
            return _STARS[step]
        if mode == "rank":
            return {"sl": 5 - step, "en": f"T{5 - step}", "cy": step + 1}[d]
        if mode == "score":
            if d == "sl":
                lo, hi = 2.0 * step, 2.0 * step + 1.9 if step < 4 else 10.0
                return round(r.triangular(lo, hi, lo) if step == 0 else r.uniform(lo, hi), 1)
            width = 200 if d == "en" else 4
            lo = step * width
            hi = lo + width - 1 if step < 4 else 5 * width
            return int(r.triangular(lo, hi + 0.999, lo)) if step == 0 else r.randint(lo, hi)
        if mode == "flag":
            return _FLAG[d][0 if step >= 3 else 1]
        if mode == "hex":
            return _HEX[step].upper() if d == "sl" else _HEX[step]
        if mode == "revisit":
            n = r.randint(*_REVISIT[step])
            return sl_days(n) if d == "sl" else f"{n}d" if d == "en" else n
        return _ROMAN[step]

    def _draw_step(self, news: bool) -> int:
        r = self._r
        if not news:
            return r.choices(range(5), STEP_ODDS)[0]
        return r.choice((3, 4)) if self.prio_mode == "flag" else r.choices((2, 3, 4), (0.3, 0.4, 0.3))[0]

    def _mark(self, kind: str, f: dict[str, object], step: int) -> None:
        r, d = self._r, self.dialect
        nk = self.keys["note"]
        if self.prio_mode == "text":
            if step and nk in f:
                phrase = _URGENT[d][step - 1]
                f[nk] = f"{phrase}. {f[nk]}" if r.random() < 0.5 else f"{f[nk]}; {phrase}"
        elif kind in CARRIERS:
            f[str(self.prio_key)] = self._form(step)
        if nk in f and step == 0 and r.random() < 0.3:
            f[nk] = f"{f[nk]} ({r.choice(_CALM[d])})"

    def _fresh(self, kind: str, t: float, news: bool = False) -> _Rec:
        """A routine record (with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        self.hour = (self.hour + self.tick_h * r.uniform(0.5, 1.5)) % 24.0
        self.flow = min(1.0, max(0.0, self.flow + r.gauss(0.0, 0.01)))
        f, origin = self._routine(kind)
        for (rk, sem), vals in _RARE_VALUES.items():
            if rk == kind and r.random() < 0.012:
                f[self.keys[sem]] = vals[self.dialect]
        carries = kind in PRIORITY_KINDS
        wants = r.random() < self.anomaly_rate if not news else (not carries or r.random() < 0.5)
        odd = wants and self._push_off(kind, f)
        if kind in ALWAYS_PRIORITY_RARE:
            step = r.choice((3, 4))
        elif carries:
            step = self._draw_step(news and not odd)
        else:
            step = 0
        self._mark(kind, f, step)
        imp, detail = self.score(kind, f)
        return _Rec(kind, origin, t, f, "burst_head" if news else "routine", imp, -1, detail)

    def _source(self, recs: list[_Rec]) -> int:
        n = len(recs)
        idx = [i for i in range(max(0, n - 500), n) if recs[i].case in ("routine", "burst_head")]
        if not idx:
            return -1
        w = [(recs[i].importance + 0.04) * math.exp(-(n - i) / self.copy_memory) for i in idx]
        return self._r.choices(idx, w)[0]

    def _reentry(self, f: dict[str, object]) -> dict[str, object]:
        """Another app's re-entry: one or two values re-rounded or re-typed (never the priority field, the
        record number, nor, in a world that writes priority in notes, the note)."""
        r = self._r
        nk = self.keys["note"]
        options: list[tuple[str, object]] = []
        for key in sorted(f):
            v = f[key]
            if key in self._fixed or key == self.prio_key or isinstance(v, bool) or \
                    (self.prio_mode == "text" and key == nk):
                continue
            w: object = v
            if key in self._dec:
                w = self._renumber(key, v)
            elif isinstance(v, str):
                w = self._retype(v)
            if w != v:
                options.append((key, w))
        if not options:  # pragma: no cover - every kind has a number to re-round
            raise RuntimeError("nothing to re-enter")
        g = dict(f)
        for key, w in r.sample(options, min(len(options), 2 if r.random() < 0.3 else 1)):
            g[key] = w
        return g

    def _renumber(self, key: str, v: object) -> object:
        r = self._r
        dec = self._dec[key]
        outs: list[object] = []
        if isinstance(v, str):
            if "," in v:
                outs.append(v.replace(",", "."))
            outs.append(v.replace(" ", "", 1))
            outs.append(v.split(" ")[0])
        elif isinstance(v, float) and dec:
            outs.extend((round(v, dec - 1) + 0.0, round(v + r.choice((-1, 1)) * 10.0 ** -dec, dec)))
        elif isinstance(v, int | float) and abs(v) >= 20:
            outs.extend((v + r.choice((-1, 1)), type(v)(round(v / 5) * 5)))
        outs = [o for o in outs if o != v]
        return r.choice(outs) if outs else v

    def _retype(self, s: str) -> str:
        r = self._r
        out = [s.translate(_FOLD), s.upper(), s.lower(), s.replace("-", ""), s.replace("'", "")]
        out = [x for x in out if x != s and x.strip()]
        return r.choice(out) if out else s

    def _tail(self, b: _Storm, t: float) -> _Rec:
        """A burst's look-alike: same kind, origin and keys; plain numbers drift, the record number steps, words
        (and numbers written as strings) stay."""
        r = self._r
        b.emitted += 1
        g = dict(b.rec.fields)
        seq = self.keys["seq"]
        movable = sorted(k for k, v in g.items() if k in self._dec and k != self.prio_key
                         and isinstance(v, int | float) and not isinstance(v, bool) and v != 0)
        for key, v in b.rec.fields.items():
            if key == seq:
                g[key] = v + b.emitted if isinstance(v, int) else f"R{int(str(v)[1:]) + b.emitted:06d}"
            elif key in movable:
                x = float(v)  # type: ignore[arg-type]
                y = x + r.gauss(0.0, 0.01 * abs(x) + 0.5 * 10.0 ** -self._dec[key])
                y = y if x < 0 else max(0.0, y)
                g[key] = round(y, self._dec[key]) if isinstance(v, float) else int(round(y))
        return _Rec(b.rec.kind, b.rec.origin, t, g, "burst_tail", tail_importance(b.rec.importance), b.head)
