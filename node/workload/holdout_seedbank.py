"""Held-out family ``seedbank``: a genebank's seed vaults, drying rooms and seed-testing lab. Used ONLY by evaluation.

Theory of operation
-------------------
The twenty-fourth held-out family, written blind (docs/holdout.md): nobody tunes the model on it, and it
shares no code path, name, distribution or vocabulary with the training generators or the other held-out
families. Only the truth helpers (through :func:`routine_truth` and :func:`tail_importance`), the record
type and the stream scheduler of node/workload/holdout_stream.py (:class:`BurstStream`) are shared.
Training never imports this module (tests/node/test_holdout_seedbank.py checks ``sys.modules``).

One seed is one genebank (a Nordic vault on permafrost, a Polish national collection, a US
base collection) whose controllers and lab terminals (3-7 peer ids, the ``origins``, Zipf busy; one of
them the curator's desk) log cold-vault climate, drying-room climate, seed moisture tests, germination
tests, accession intake, regeneration requests, sample dispatches and vault audits. A world draws, from
one ``random.Random``:

- a dialect (below), which names every kind, field, categorical value and identifier, picks units and the
  number format, and writes every note;
- 4-7 common kinds of 8 (at least one carrying priority) and 1-3 rare kinds of 4 (each 0.12-0.9% of the
  fresh records): meltwater or flood ingress, a vault freezer stop, a pest find, a mislabelled accession;
- one of eight priority forms (``prio_mode``, field ``prio_key``);
- 8-40 accessions (a species with its thousand-seed weight, a viability, a moisture content, a stock of
  seeds of their own) and 1-3 vault rooms (a set point, a humidity, a compressor of their own);
- case rates, a mean gap between records (0.4-6 s), whether the stream arrives in polled clumps, and how
  far back copies reach.

Dialects
--------
- ``nb``: Norwegian Bokmål: kinds ``area.subject`` lower case with æ / ø / å (``hvelv.klima``,
  ``frø.fukt``), fields snake_case ASCII (``temp_hvelv``); vault temperature, moisture content and grams
  as quantity strings with a decimal comma (``"-18,2 °C"``, ``"6,1 %"``, ``"12,5 g"``); accessions
  ``NGB12345``.
- ``pl``: Polish: kinds UPPER_SNAKE with Ą / Ę / Ł / Ó / Ś / Ż (``KOMORA_CHŁODNICZA``), fields lowerCamel
  ASCII (``tempKomory``); grams quantity strings ``"12,5 g"``, the rest plain metric; accessions
  ``PL-RAD-004512``.
- ``en``: a US base collection: kinds ``Subject Area`` Title Case with a space (``Vault Climate``), fields
  Title Case words with spaces (``Vault Temp F``); Fahrenheit (vault temperature a string ``"-0.4 °F"``);
  accessions ``PI 612345``.

Priority forms (carried by ``regen``, ``dispatch``, ``audit`` and the rare ``flood``)
------------------------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0); the form writes it and truth is read back
from what is written: ``words`` (five per dialect), ``text`` (no field; urgency phrases in the note),
``target`` (a response target in hours, a plain int: 72-240 routine, 24-71, 8-23, 2-7, 0-1), ``risk`` (a
loss-risk index 0-100, a plain int, in fifths), ``glyph`` (a bar of four cells, filled ones counting:
``●●○○``, ``■■□□``, ``▮▮▯▯``), ``emoji`` (a coloured disc 🟢 🟡 🟠 🔴 ⚫), ``flag`` (a hold-distribution
flag: ``J``/``N``, ``T``/``N``, a bool; strength 0.9), ``fraction`` (an escalation step ``"2/4"``, en
``"2 of 4"``). Six of eight are not words; two are plain numbers under names that do not say priority.

Cases and truth
---------------
Routine records and burst heads: ``routine_truth(anomaly, priority, rarity, rare kind)``; anomaly 0 below 5
spreads, else ``min(1, 0.4 + 0.1 (k - 5))`` for the largest distance k of an anomaly-prone number (read back
from what is written) from its (kind, field) median in spreads (central 95% width / 3.92 of 600 routine
draws, measured when the world is made; log or log1p space for skewed fields); routine draws stay under
4 spreads; an anomaly puts one number 5.3-12 spreads off. Rarity 0.5 for a rare kind, 0.45 for a rare value
(a gibberellin pre-treatment in a germination test, mould on an intake). Exact copies, near copies (another
terminal's re-entry: re-rounded, a decimal comma as a point, a unit's space dropped, letters folded, case),
burst tails ``tail_importance(head)``, re-sends 1% / 2%.

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
    "SeedbankWorkload",
    "read_number",
    "world_form",
]

DIALECTS = ("nb", "pl", "en")
PRIORITY_MODES = ("words", "text", "target", "risk", "glyph", "emoji", "flag", "fraction")
LEVELS = (0.0, 0.25, 0.5, 0.75, 1.0)
LEVEL_ODDS = (0.86, 0.05, 0.04, 0.03, 0.02)
FLAG_STRENGTH = 0.9
ANOMALY_AT = 5.0
ROUTINE_BELOW = 4.0

COMMON_KINDS = ("vault", "dryroom", "moisture", "germ", "intake", "regen", "dispatch", "audit")
PRIORITY_KINDS = frozenset({"regen", "dispatch", "audit"})
RARE_KINDS = ("flood", "freezer", "pest", "mixup")
ALWAYS_PRIORITY_RARE = frozenset({"flood"})
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE
COUNTERS = ("ctr",)

_KINDS = {
    "nb": {"vault": "hvelv.klima", "dryroom": "tørkerom.klima", "moisture": "frø.fukt", "germ": "spiring.test",
           "intake": "aksesjon.mottak", "regen": "regenerering.behov", "dispatch": "utsending.prøver",
           "audit": "hvelv.telling", "flood": "hvelv.vanninntrenging", "freezer": "kjøling.stans",
           "pest": "skadedyr.funn", "mixup": "merking.avvik"},
    "pl": {"vault": "KOMORA_CHŁODNICZA", "dryroom": "SUSZARNIA_KLIMAT", "moisture": "WILGOTNOŚĆ_NASION",
           "germ": "TEST_KIEŁKOWANIA", "intake": "PRZYJĘCIE_OBIEKTU", "regen": "REGENERACJA_WNIOSEK",
           "dispatch": "WYSYŁKA_PRÓB", "audit": "INWENTARYZACJA_KOMORY", "flood": "ZALANIE_KOMORY",
           "freezer": "AWARIA_CHŁODZENIA", "pest": "SZKODNIKI_WYKRYCIE", "mixup": "BŁĄD_ETYKIETY"},
    "en": {"vault": "Vault Climate", "dryroom": "Dryroom Climate", "moisture": "Moisture Assay",
           "germ": "Germination Test", "intake": "Accession Intake", "regen": "Regeneration Request",
           "dispatch": "Sample Dispatch", "audit": "Vault Audit", "flood": "Water Ingress",
           "freezer": "Chiller Trip", "pest": "Pest Finding", "mixup": "Label Discrepancy"},
}

# semantic field -> (nb, pl, en)
_FIELDS = {
    "acc": ("aksesjon", "obiekt", "Accession"), "ctr": ("loggnr", "nrWpisu", "Entry No"),
    "room": ("hvelv", "komora", "Vault Room"), "tv": ("temp_hvelv", "tempKomory", "Vault Temp F"),
    "rhv": ("rf_hvelv", "wilgKomory", "Vault RH Pct"), "kw": ("kompressor_kw", "mocSprezarki", "Compressor KW"),
    "td": ("temp_torkerom", "tempSuszarni", "Dryroom Temp F"), "rhd": ("rf_torkerom", "wilgSuszarni",
                                                                       "Dryroom RH Pct"),
    "hours": ("timer_i_rom", "godzinSuszenia", "Hours In Room"), "mc": ("fuktinnhold", "zawartoscWody",
                                                                        "Moisture Pct"),
    "erh": ("likevekt_rf", "rownowagaRh", "Equilibrium RH"), "sown": ("saadd", "wysiano", "Seeds Sown"),
    "gp": ("spiring_pct", "kielkowaniePct", "Germination Pct"), "days": ("testdager", "dniTestu", "Test Days"),
    "pre": ("forbehandling", "obrobkaWstepna", "Pretreatment"), "species": ("art", "gatunek", "Taxon"),
    "count": ("antall_fro", "liczbaNasion", "Seed Count"), "tsw": ("tkv_g", "mtn", "Thousand Seed Wt"),
    "state": ("tilstand", "stan", "Condition"), "via": ("levedyktighet", "zywotnosc", "Viability Pct"),
    "left": ("gjenvaerende", "pozostalo", "Seeds On Hand"), "pkts": ("pakker", "paczek", "Packets"),
    "grams": ("gram_sendt", "masaWyslana", "Grams Shipped"), "dest": ("mottakerland", "krajOdbiorcy",
                                                                      "Destination"),
    "boxes": ("esker_talt", "pudelekSprawdzonych", "Boxes Checked"), "misfiled": ("feilplassert", "zleOdlozone",
                                                                                  "Misfiled"),
    "note": ("merknad", "uwagi", "Remarks"), "water": ("vann_liter", "wodaLitry", "Water Liters"),
    "tmax": ("maks_temp", "tempMaks", "Peak Temp F"), "insects": ("insekter", "owady", "Insects Found"),
}
_PRIO_KEYS = {"words": ("hastegrad", "pilnosc", "Urgency"), "target": ("svarfrist_t", "czasReakcjiH",
                                                                       "Response Target Hrs"),
              "risk": ("tapsrisiko", "ryzykoUtraty", "Loss Risk Index"), "glyph": ("niva_bar", "pasekStanu",
                                                                                "Status Bar"),
              "emoji": ("statusmerke", "znacznik", "Status Dot"), "flag": ("stans_utsending", "wstrzymac",
                                                                           "Hold Distribution"),
              "fraction": ("trinn", "stopien", "Escalation Step")}

# metric decimals; unit changes per dialect: sem -> (scale, offset, decimals)
_DEC = {"tv": 1, "rhv": 1, "kw": 2, "td": 1, "rhd": 1, "hours": 0, "mc": 1, "erh": 1, "sown": 0, "gp": 0,
        "days": 0, "count": 0, "tsw": 2, "via": 0, "left": 0, "pkts": 0, "grams": 1, "boxes": 0, "misfiled": 0,
        "water": 0, "tmax": 1, "insects": 0}
_UNITS = {"en": {"tv": (1.8, 32.0, 1), "td": (1.8, 32.0, 1), "tmax": (1.8, 32.0, 1)}}
_SUFFIX = {"nb": {"tv": " °C", "mc": " %", "grams": " g"}, "pl": {"grams": " g"}, "en": {"tv": " °F"}}

# anomaly-prone fields per common kind: sem -> (space, direction, lo, hi) in metric units
_PRONE = {
    "vault": {"tv": ("lin", 0, -40.0, 25.0), "rhv": ("lin", 0, 2.0, 100.0)},
    "dryroom": {"rhd": ("lin", 0, 2.0, 100.0), "td": ("lin", 0, -5.0, 40.0)},
    "moisture": {"mc": ("log", 0, 0.8, 40.0)},
    "germ": {"gp": ("lin", -1, 0.0, 100.0)},
    "intake": {"count": ("log", 0, 5.0, 5_000_000.0)},
    "regen": {"via": ("lin", -1, 0.0, 100.0)},
    "dispatch": {"grams": ("log", 1, 0.05, 50_000.0)},
    "audit": {"misfiled": ("log1p", 1, 0.0, 3000.0)},
}

# species: Latin name, thousand-seed weight (g), typical germination (%)
_SPECIES = (("Hordeum vulgare", 45.0, 95.0), ("Triticum aestivum", 40.0, 94.0), ("Secale cereale", 30.0, 92.0),
            ("Avena sativa", 33.0, 93.0), ("Pisum sativum", 210.0, 91.0), ("Phaseolus vulgaris", 330.0, 90.0),
            ("Brassica oleracea", 3.8, 88.0), ("Daucus carota", 1.2, 80.0), ("Linum usitatissimum", 6.0, 90.0),
            ("Trifolium pratense", 1.8, 85.0), ("Allium cepa", 3.5, 82.0), ("Beta vulgaris", 14.0, 86.0))

_WORDS = {"nb": ("rutine", "lav", "forhøyet", "alvorlig", "akutt"),
          "pl": ("zwykły", "niski", "podwyższony", "poważny", "krytyczny"),
          "en": ("nominal", "minor", "elevated", "major", "severe")}
_GLYPH = {"nb": ("●", "○"), "pl": ("■", "□"), "en": ("▮", "▯")}  # (filled, empty)
_EMOJI = ("🟢", "🟡", "🟠", "🔴", "⚫")
_FLAG = {"nb": ("J", "N"), "pl": ("T", "N"), "en": (True, False)}  # (on, off)
_TARGET = ((72, 240), (24, 71), (8, 23), (2, 7), (0, 1))  # hours, per level
_URGENT = {
    "nb": ("sjekk ved anledning", "sjekk i løpet av dagen", "haster: rykk ut nå",
           "NØDSITUASJON: handle straks, varsle vakthavende"),
    "pl": ("sprawdzić przy okazji", "sprawdzić jeszcze dziś", "pilne: natychmiast na miejsce",
           "ALARM: działać natychmiast, powiadomić kierownika"),
    "en": ("check at convenience", "check before close of day", "urgent: respond now",
           "EMERGENCY: act immediately, page the duty curator"),
}
_CALM = {"nb": ("ingen hast", "til orientering", "som planlagt"),
         "pl": ("bez pośpiechu", "do wiadomości", "zgodnie z planem"),
         "en": ("no rush", "for information", "as scheduled")}
_NOTES = {
    "nb": {"regen": ("sås ut på feltet neste sesong", "lav beholdning av {acc}", "viabilitet under terskel"),
           "dispatch": ("sendt med kurer", "fytosanitært sertifikat vedlagt", "SMTA signert"),
           "audit": ("alle esker på plass", "hylle {room} talt", "strekkoder lest"),
           "flood": ("smeltevann i tunnelen ved {room}",), "freezer": ("kompressor stoppet i {room}",),
           "pest": ("biller funnet i posen til {acc}",), "mixup": ("etikett stemmer ikke for {acc}",)},
    "pl": {"regen": ("wysiew w przyszłym sezonie", "mały zapas {acc}", "żywotność poniżej progu"),
           "dispatch": ("wysłano kurierem", "świadectwo fitosanitarne dołączone", "SMTA podpisana"),
           "audit": ("wszystkie pudełka na miejscu", "regał w {room} sprawdzony", "kody kreskowe zeskanowane"),
           "flood": ("woda na posadzce w {room}",), "freezer": ("sprężarka stanęła w {room}",),
           "pest": ("wołki w torebce {acc}",), "mixup": ("etykieta nie zgadza się dla {acc}",)},
    "en": {"regen": ("grow out next season", "low stock of {acc}", "viability below threshold"),
           "dispatch": ("shipped by courier", "phytosanitary certificate attached", "SMTA signed"),
           "audit": ("all boxes accounted for", "shelf in {room} counted", "barcodes scanned"),
           "flood": ("water on the floor of {room}",), "freezer": ("compressor tripped in {room}",),
           "pest": ("weevils in the packet of {acc}",), "mixup": ("label mismatch on {acc}",)},
}
_PRE = {"nb": ("ingen", "kaldbehandling", "skarifisering"), "pl": ("brak", "stratyfikacja", "skaryfikacja"),
        "en": ("none", "prechill", "scarification")}
_STATE = {"nb": ("rensket", "urensket"), "pl": ("oczyszczone", "nieoczyszczone"), "en": ("cleaned", "uncleaned")}
_DEST = {"nb": ("NO", "SE", "DK", "FI", "IS"), "pl": ("PL", "DE", "CZ", "SK", "LT"),
         "en": ("US", "CA", "MX", "BR", "KE")}
_ROOMS = {"nb": ("hvelv 1", "hvelv 2", "hvelv 3"), "pl": ("K-1", "K-2", "K-3"),
          "en": ("Vault A", "Vault B", "Vault C")}
# rare values: (kind, semantic field) -> the value in each dialect
_RARE_VALUES = {("germ", "pre"): {"nb": "gibberellinsyre", "pl": "kwas giberelinowy", "en": "GA3 soak"},
                ("intake", "state"): {"nb": "muggent", "pl": "spleśniałe", "en": "moldy"}}
_NUM = re.compile(r"-?\d+(?:[.,]\d+)?")
_FOLD = str.maketrans("æøåÆØÅąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "eoaEOAacelnoszzACELNOSZZ")


def _world_rng(seed: int) -> random.Random:
    return random.Random(f"holdout-seedbank/{seed}")


def _draw_form(r: random.Random) -> tuple[str, str]:
    return r.choice(DIALECTS), r.choice(PRIORITY_MODES)


def world_form(seed: int) -> tuple[str, str]:
    """A seed's (dialect, priority form), without building its world."""
    return _draw_form(_world_rng(seed))


def read_number(v: object) -> float:
    """A written reading back as a number: plain, or a quantity string (``"-18,2 °C"``, ``"12,5 g"``)."""
    if isinstance(v, bool):
        raise TypeError("a flag is not a reading")
    if isinstance(v, int | float):
        return float(v)
    m = _NUM.search(unicodedata.normalize("NFKC", str(v)))
    if m is None:
        raise ValueError(f"no number in {v!r}")
    return float(m.group().replace(",", "."))


def target_level(hours: int) -> int:
    """A response target (hours) back as its level 0..4."""
    return sum(hours <= hi for _, hi in _TARGET[1:])


@dataclass(slots=True)
class Spread:
    space: str
    direction: int
    center: float
    spread: float
    lo: float
    hi: float


@dataclass(slots=True)
class _Accession:
    name: str
    species: str
    tsw: float
    viability: float  # %
    mc: float  # moisture content, %
    stock: float  # seeds on hand


@dataclass(slots=True)
class _Room:
    name: str
    setpoint: float  # deg C
    rh: float
    kw: float


class SeedbankWorkload(BurstStream):
    """A held-out genebank world (see the module docstring). Deterministic in ``seed``."""

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
        busy = {"vault": 2.2, "dryroom": 1.5, "moisture": 0.8, "germ": 0.9, "intake": 0.6, "regen": 0.4,
                "dispatch": 0.5, "audit": 0.35}
        self.weights = {k: r.lognormvariate(0.0, 0.45) * busy[k] for k in self.common}
        self.rare_share = {k: r.uniform(0.0012, 0.009) for k in self.rare}
        n_origins = r.randint(3, 7)
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-seedbank-node/{seed}/{i}".encode()).digest()).peer_id
            for i in range(n_origins)]
        self._origin_cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.1 for i in range(n_origins)))
        self.desk = r.randrange(n_origins)
        self.mean_gap = r.choice((400.0, 1500.0, 3000.0, 6000.0))
        self.clumpy = r.random() < 0.4  # controllers polled by a SCADA loop
        self.burst_period = r.uniform(0.03, 0.1)
        self.copy_memory = r.uniform(40.0, 200.0)
        self.rates = {"dup": r.uniform(0.02, 0.045), "near": r.uniform(0.05, 0.08),
                      "burst": r.uniform(0.005, 0.012), "resend": r.uniform(0.005, 0.012)}
        self.anomaly_rate = r.uniform(0.015, 0.035)
        self.keys: dict[str, str] = {s: names[di] for s, names in _FIELDS.items()}
        self.kind_of: dict[str, str] = {v: k for k, v in _KINDS[d].items()}
        self._rare_values = frozenset(v[d] for v in _RARE_VALUES.values())
        self._conv = {s: _UNITS.get(d, {}).get(s, (1.0, 0.0, dec)) for s, dec in _DEC.items()}
        self._dec = {self.keys[s]: c[2] for s, c in self._conv.items()}
        self._suffix = {self.keys[s]: u for s, u in _SUFFIX[d].items()}
        self._fixed = frozenset({self.keys["ctr"]})
        # the collection
        self.rooms = [_Room(_ROOMS[d][i], r.uniform(-20.0, -17.5), r.uniform(25.0, 45.0), r.uniform(2.0, 9.0))
                      for i in range(r.randint(1, 3))]
        self.accessions = [self._accession(r, i) for i in range(r.randint(8, 40))]
        self.dry_t, self.dry_rh = r.uniform(13.0, 17.0), r.uniform(12.0, 17.0)
        self._ctr = r.randint(100, 400_000)
        self.stats: dict[str, dict[str, Spread]] = {}
        self.stats = self._measure()
        self._archive: list[tuple[str, int, dict[str, object], float]] = []
        self._last_ts = 0

    def _accession(self, r: random.Random, i: int) -> _Accession:
        sp, tsw, gp = r.choice(_SPECIES)
        n = r.randint(1, 99_999 if self.dialect == "nb" else 999_999)
        name = {"nb": f"NGB{n:05d}", "pl": f"PL-RAD-{n:06d}", "en": f"PI {n:06d}"}[self.dialect]
        return _Accession(name, sp, tsw * r.lognormvariate(0.0, 0.1), min(99.0, gp + r.gauss(0.0, 3.0)),
                          r.uniform(4.5, 7.0), r.lognormvariate(math.log(4000.0), 0.6))

    def _zipf_origin(self) -> int:
        return self._r.choices(range(len(self.origins)), cum_weights=self._origin_cum)[0]

    # -- drawing (metric, semantic names) ----------------------------------------------------------------------
    def _draw(self, kind: str) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        ac = r.choice(self.accessions)
        rm = r.choice(self.rooms)
        origin = self._zipf_origin()
        base: dict[str, object] = {"acc": ac.name, "ctr": 0}
        if kind == "vault":
            cycle = r.random()  # compressor duty cycle: the room warms a little while it is off
            base = {"room": rm.name, "ctr": 0, "tv": rm.setpoint + 0.6 * cycle + r.gauss(0.0, 0.15),
                    "rhv": rm.rh + r.gauss(0.0, 2.0), "kw": rm.kw * (0.2 if cycle > 0.7 else 1.0) + r.gauss(0.0, 0.1)}
        elif kind == "dryroom":
            base = {"ctr": 0, "td": self.dry_t + r.gauss(0.0, 0.4), "rhd": self.dry_rh + r.gauss(0.0, 0.8),
                    "hours": float(r.randint(6, 900))}
        elif kind == "moisture":
            mc = ac.mc * r.lognormvariate(0.0, 0.06)
            base |= {"mc": mc, "erh": 4.0 + 2.2 * mc + r.gauss(0.0, 1.0)}
        elif kind == "germ":
            sown = r.choice((50, 100, 100, 200, 400))
            p = min(0.995, max(0.3, ac.viability / 100.0))
            hits = sum(r.random() < p for _ in range(sown))
            base |= {"sown": float(sown), "gp": 100.0 * hits / sown, "days": float(r.choice((7, 10, 14, 21, 28))),
                     "pre": r.choices(_PRE[d], (0.7, 0.2, 0.1))[0]}
        elif kind == "intake":
            base |= {"species": ac.species, "count": r.lognormvariate(math.log(6000.0), 0.55),
                     "tsw": ac.tsw * r.lognormvariate(0.0, 0.04), "state": _STATE[d][r.random() < 0.25]}
        elif kind == "regen":
            base |= {"via": min(99.0, ac.viability - r.uniform(0.0, 8.0)), "left": ac.stock * r.uniform(0.05, 0.4),
                     "note": self._note(kind, ac.name, rm.name)}
            origin = self.desk
        elif kind == "dispatch":
            pk = 1 + int(r.expovariate(0.5))
            base |= {"pkts": float(pk), "grams": pk * ac.tsw * r.uniform(0.05, 0.1) * r.lognormvariate(0.0, 0.15),
                     "dest": r.choice(_DEST[d]), "note": self._note(kind, ac.name, rm.name)}
        elif kind == "audit":
            lam = 0.5
            k, p, u = 0, math.exp(-lam), r.random()
            cum = p
            while u > cum and k < 6:
                k += 1
                p *= lam / k
                cum += p
            base = {"room": rm.name, "ctr": 0, "boxes": float(r.randint(20, 400)), "misfiled": float(k),
                    "note": self._note(kind, ac.name, rm.name)}
        elif kind == "flood":
            base = {"room": rm.name, "ctr": 0, "water": float(r.randint(5, 3000)),
                    "note": self._note(kind, ac.name, rm.name)}
        elif kind == "freezer":
            base = {"room": rm.name, "ctr": 0, "tmax": rm.setpoint + r.uniform(2.0, 14.0),
                    "note": self._note(kind, ac.name, rm.name)}
        elif kind == "pest":
            base |= {"insects": float(r.randint(1, 40)), "note": self._note(kind, ac.name, rm.name)}
        else:  # mixup
            base |= {"species": ac.species, "note": self._note(kind, ac.name, rm.name)}
        return base, origin

    def _note(self, kind: str, acc: str, room: str) -> str:
        return self._r.choice(_NOTES[self.dialect][kind]).format(acc=acc, room=room)

    # -- writing and reading -----------------------------------------------------------------------------------
    def _enc(self, key: str, y: float, dec: int | None = None) -> object:
        """A number already in written units, rounded and (where the dialect does) written with its unit."""
        dec = self._dec[key] if dec is None else dec
        v: int | float = round(y, dec) + 0.0 if dec else int(round(y))
        suffix = self._suffix.get(key)
        if suffix is None:
            return v
        s = f"{v:.{dec}f}" if dec else str(v)
        return (s if self.dialect == "en" else s.replace(".", ",")) + suffix

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
            draws = [self._write(self._draw(kind)[0]) for _ in range(600)]
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
            return max((LEVELS[i] for i, p in enumerate(_URGENT[d], 1) if p in note), default=0.0)
        v = fields[str(self.prio_key)]
        if mode == "words":
            return LEVELS[_WORDS[d].index(str(v))]
        if mode == "target":
            return LEVELS[target_level(int(v))]  # type: ignore[call-overload]
        if mode == "risk":
            return LEVELS[sum(int(v) >= e for e in (20, 40, 60, 80))]  # type: ignore[call-overload]
        if mode == "glyph":
            return LEVELS[str(v).count(_GLYPH[d][0])]
        if mode == "emoji":
            return LEVELS[_EMOJI.index(str(v))]
        if mode == "flag":
            return FLAG_STRENGTH if v == _FLAG[d][0] else 0.0
        return LEVELS[int(str(v).split("/")[0].split(" ")[0])]

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
        for _ in range(200):
            sem, origin = self._draw(kind)
            self._ctr += 1
            sem["ctr"] = self._ctr
            f = self._write(sem)
            if self.dialect == "pl":
                f[self.keys["ctr"]] = f"{self._ctr:07d}/KR"
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

    def _form(self, level: int) -> object:
        r, d, mode = self._r, self.dialect, self.prio_mode
        if mode == "words":
            return _WORDS[d][level]
        if mode == "target":
            return r.randint(*_TARGET[level])
        if mode == "risk":
            lo = 20 * level
            hi = lo + 19 if level < 4 else 100
            return int(r.triangular(lo, hi + 0.999, lo)) if level == 0 else r.randint(lo, hi)
        if mode == "glyph":
            on, off = _GLYPH[d]
            return on * level + off * (4 - level)
        if mode == "emoji":
            return _EMOJI[level]
        if mode == "flag":
            return _FLAG[d][0 if level >= 3 else 1]
        return f"{level} of 4" if d == "en" else f"{level}/4"

    def _draw_level(self, news: bool) -> int:
        r = self._r
        if not news:
            return r.choices(range(5), LEVEL_ODDS)[0]
        return r.choice((3, 4)) if self.prio_mode == "flag" else r.choices((2, 3, 4), (0.3, 0.4, 0.3))[0]

    def _mark(self, kind: str, f: dict[str, object], level: int) -> None:
        r, d = self._r, self.dialect
        nk = self.keys["note"]
        if self.prio_mode == "text":
            if level and nk in f:
                phrase = _URGENT[d][level - 1]
                f[nk] = f"{phrase} - {f[nk]}" if r.random() < 0.5 else f"{f[nk]}. {phrase}"
        elif kind in CARRIERS:
            f[str(self.prio_key)] = self._form(level)
        if nk in f and level == 0 and r.random() < 0.3:
            f[nk] = f"{f[nk]}, {r.choice(_CALM[d])}"

    def _fresh(self, kind: str, t: float, news: bool = False) -> _Rec:
        """A routine record (with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        f, origin = self._routine(kind)
        for (rk, sem), vals in _RARE_VALUES.items():
            if rk == kind and r.random() < 0.015:
                f[self.keys[sem]] = vals[self.dialect]
        carries = kind in PRIORITY_KINDS
        wants = r.random() < self.anomaly_rate if not news else (not carries or r.random() < 0.5)
        odd = wants and self._push_off(kind, f)
        if kind in ALWAYS_PRIORITY_RARE:
            level = r.choice((3, 4))
        elif carries:
            level = self._draw_level(news and not odd)
        else:
            level = 0
        self._mark(kind, f, level)
        imp, detail = self.score(kind, f)
        return _Rec(kind, origin, t, f, "burst_head" if news else "routine", imp, -1, detail)

    def _source(self, recs: list[_Rec]) -> int:
        n = len(recs)
        idx = [i for i in range(max(0, n - 400), n) if recs[i].case in ("routine", "burst_head")]
        if not idx:
            return -1
        w = [(recs[i].importance + 0.05) * math.exp(-(n - i) / self.copy_memory) for i in idx]
        return self._r.choices(idx, w)[0]

    def _reentry(self, f: dict[str, object]) -> dict[str, object]:
        """Another terminal's re-entry: one or two values re-rounded or re-typed (never the priority field, the
        entry number, nor, in a world that writes priority in notes, the note)."""
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
        if not options:  # pragma: no cover - every kind has a number or a word to re-enter
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
        elif isinstance(v, int | float) and abs(v) >= 10:
            outs.extend((v + r.choice((-1, 1)), type(v)(round(v / 10) * 10)))
        outs = [o for o in outs if o != v]
        return r.choice(outs) if outs else v

    def _retype(self, s: str) -> str:
        r = self._r
        out = [s.translate(_FOLD), s.upper(), s.lower(), s.replace(" ", ""), s.replace("-", "")]
        out = [x for x in out if x != s and x.strip()]
        return r.choice(out) if out else s

    def _tail(self, b: _Storm, t: float) -> _Rec:
        """A burst's look-alike: same kind, origin and keys; plain numbers drift, the entry number steps, words
        (and numbers written as strings) stay."""
        r = self._r
        b.emitted += 1
        g = dict(b.rec.fields)
        ctr = self.keys["ctr"]
        movable = sorted(k for k, v in g.items() if k in self._dec and k != self.prio_key
                         and isinstance(v, int | float) and not isinstance(v, bool) and v != 0)
        for key, v in b.rec.fields.items():
            if key == ctr:
                g[key] = v + b.emitted if isinstance(v, int) else f"{int(str(v)[:7]) + b.emitted:07d}/KR"
            elif key in movable:
                x = float(v)  # type: ignore[arg-type]
                y = x + r.gauss(0.0, 0.01 * abs(x) + 0.5 * 10.0 ** -self._dec[key])
                y = y if x < 0 else max(0.0, y)
                g[key] = round(y, self._dec[key]) if isinstance(v, float) else int(round(y))
        return _Rec(b.rec.kind, b.rec.origin, t, g, "burst_tail", tail_importance(b.rec.importance), b.head)
