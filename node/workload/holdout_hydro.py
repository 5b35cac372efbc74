"""Held-out family "hydro": river, reservoir and groundwater monitoring. Used ONLY by evaluation.

Theory of operation
-------------------
A fourth held-out family, written blind: its author never read the model, its
features or its lexicon, nor the bodies of the other generators, and nobody
tunes the model on it. It shares no code path, name, distribution or
vocabulary with the training generators (``domains``, ``randomized``) or the
other held-out families (``holdout_fleet``, ``holdout_ledger``,
``holdout_airspace``). Only the truth helpers (:func:`noisy_or`,
:func:`main_reason`) and :class:`LabeledRecord` are shared, because the
definition of importance is shared. Training never imports this module, and
importing it loads neither torch nor ``node.attention``
(tests/node/test_holdout_hydro.py checks ``sys.modules``).

A seed picks a world in one of three dialects, each unlike English snake_case:

* ``es``: Spanish camelCase names with a unit suffix (``nivelRio_m``,
  ``caudal_m3s``), metres, m3/s, degrees C, uS/cm;
* ``de``: German dotted compounds (``pegel.stand_cm``, ``abfluss.menge_ls``),
  centimetres, m3/s or l/s, degrees C or kelvin, mS/m, rain in l/m2;
* ``ja``: Japanese romaji SCREAMING-KEBAB (``SUII-CM``, ``RYUURYOU-M3S``),
  cm or m, storage in 10^4 m3, uS/cm or mS/m.

Kinds (4-7 common ones per world, drawn from eight): river gauges (stage with
a slow multi-day swell, heavy-tailed discharge, diurnal water temperature),
reservoir levels (elevation, storage, fill, inflow/outflow), rain gauges
(mostly dry, tipping-bucket 0.2 mm steps, lognormal showers), groundwater
wells (slowly drifting depth, conductivity), water-quality sondes (diurnal
temperature and dissolved oxygen, pH, heavy-tailed turbidity), dam gate
telemetry (bimodal opening: shut or open, spill only when open), pump
stations (integer pumps running, starts-today counter growing over the day,
a run-hours odometer) and operator logbook entries (free text in the
dialect's language). Each site belongs to one station (origin peer).
Rare kinds (1-3 per world, each 0.35-0.9% of the stream): levee breach
alarms (always with the world's priority field), fish-kill reports, sensor
tampering and ice jams (no priority field).

Explicit priority takes one of five world-wide forms on gauges, reservoirs
and gates: a flood-situation word on a five-step scale per dialect
(``tranquilo``..``inundacion``, ``ruhig``..``katastrophe``,
``HEIJOU``..``HINAN-SHIJI``), an ascending numeric warning level 0-4, a
*descending* alert level 1-5 (1 = most severe), a boolean urgent flag with a
dialect name (``avisoUrgente``, ``eil.meldung``, ``KINKYUU-FURAGU``) or an
alarm colour (``verde``..``negro``, ``gruen``..``schwarz``,
``MIDORI``..``KURO``). Logbook remarks may carry an uppercase word
(``REVISAR``/``URGENTE``/``EVACUAR``, ``PRUEFEN``/``DRINGEND``/``RAEUMEN``,
``YOUCHUUI``/``SHIKYUU``/``HINAN``). Steps map to priority 0, 0, 0.4, 0.7, 1;
the flag to 0.8. Sensor states have rare values (submerged, no signal).
River and rain records carry a unit label (``m``, ``cm``, ``l/m2``, ``MM``...).

Cases and truth (the shared definition): routine records are
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)``, rarity 0.5 for a
rare kind and 0.45 for a rare value; an anomaly is a number 4.5-11 spreads
off its kind's median (spread = central 95% width / 3.92 of the world's own
routine distribution, estimated at world creation, in log1p space for
heavy-tailed non-negative fields), strength ``min(1, (k - 2.5) / 4)``; routine
numbers are kept within 4 spreads, and the truth is always computed from the
numbers as emitted. An exact copy (a telemetry retry, or a relay by another
station) keeps 5% of its source; a near copy (another logger's reading of the
same event: coarser rounding, its own battery voltage, a unit label
written another way, a re-typed station code or remark) 10%; a burst (a rising gauge, a storm or a pump alarm polled
at a tight period by one station) has a head carrying the news and a tail of
drifting look-alikes at 10% of the head (at least 0.02), interleaved with the
rest of the stream on its own clock; a re-send of a record an earlier batch
carried (``resend``) keeps 1%. Copy sources are drawn in proportion to
importance and recency. Bursts and copies never cross a batch boundary.

Pure Python, deterministic in the seed (no string hashing, no set iteration).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import deque
from dataclasses import dataclass, field

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.keys import PrivateKey
from protocol.record import Record

__all__ = ["DIALECTS", "PRIORITY_MODES", "HydroWorkload"]

DIALECTS = ("es", "de", "ja")
PRIORITY_MODES = ("words", "level_up", "level_down", "flag", "colour")
COMMON_KINDS = ("river", "reservoir", "rain", "well", "sonde", "gate", "pump", "logbook")
RARE_KINDS = ("levee", "fishkill", "tamper", "icejam")
_PRIO_KINDS = ("river", "reservoir", "gate")
_STEP_PRIO = (0.0, 0.0, 0.4, 0.7, 1.0)
_STEP_WEIGHTS = (0.88, 0.07, 0.025, 0.015, 0.01)
_FLAG_PRIO = 0.8

# -- vocabulary -------------------------------------------------------------------------------
_KIND_NAMES = {
    "es": {"river": "lecturaRio", "reservoir": "nivelEmbalse", "rain": "pluviometro", "well": "pozoFreatico",
           "sonde": "sondaCalidad", "gate": "telemetriaCompuerta", "pump": "estacionBombeo",
           "logbook": "bitacoraOperador", "levee": "alarmaRoturaDique", "fishkill": "informeMortandadPeces",
           "tamper": "manipulacionSensor", "icejam": "atascoHielo"},
    "de": {"river": "pegel.messung", "reservoir": "talsperre.stand", "rain": "niederschlag.messer",
           "well": "grundwasser.messstelle", "sonde": "guete.sonde", "gate": "wehr.telemetrie",
           "pump": "pumpwerk.status", "logbook": "betriebs.tagebuch", "levee": "deich.bruch.alarm",
           "fishkill": "fischsterben.meldung", "tamper": "sensor.manipulation", "icejam": "eisstau.meldung"},
    "ja": {"river": "KASEN-SUII", "reservoir": "DAMU-CHOSUI", "rain": "URYOU-KEI", "well": "CHIKASUI-KANSOKU",
           "sonde": "SUISHITSU-SONDE", "gate": "GEETO-TEREMETORI", "pump": "HAISUI-KIJOU",
           "logbook": "UNYOU-NISSHI", "levee": "TEIBOU-KESSEN-KEIHOU", "fishkill": "GYORUI-HEISHI-HOUKOKU",
           "tamper": "SENSA-KAIZAN", "icejam": "KOORI-HEISOKU"},
}

# semantic field -> key per dialect; "{u}" takes the world's unit tag.
_KEYS = {
    "es": {"level": "nivelRio_{u}", "wetwell": "nivelPozoBombeo_{u}", "res_level": "cotaEmbalse_msnm",
           "storage": "volumenEmbalse_hm3", "fill": "llenado_pct", "discharge": "caudal_{u}",
           "inflow": "caudalEntrada_{u}", "outflow": "caudalSalida_{u}", "spill": "caudalVertido_{u}",
           "wtemp": "tempAgua_{u}", "battery": "bateria_V", "rain": "lluvia10min_mm",
           "intensity": "intensidad_mmh", "rain24": "acumulado24h_mm", "gw_depth": "profundidadFreatico_{u}",
           "cond": "conductividad_{u}", "ph": "pH", "do": "oxigenoDisuelto_mgL", "turb": "turbidez_NTU",
           "gate_open": "aperturaCompuerta_cm", "pumps_on": "bombasEnMarcha", "starts": "arranquesHoy",
           "runhours": "horasFuncionamiento", "station": "codigoEstacion", "basin": "cuenca",
           "state": "estadoSensor", "gate_id": "compuerta", "mode": "modoOperacion", "operator": "operador",
           "shift": "turno", "remark": "observaciones", "words": "nivelAviso", "level_up": "nivelAlerta",
           "level_down": "gradoAlerta", "flag": "avisoUrgente", "colour": "colorAlarma",
           "section_km": "puntoKilometrico_km", "breach_width": "anchoBrecha_m", "fish_count": "pecesMuertos",
           "species": "especie", "location": "paraje", "ice_thick": "espesorHielo_cm",
           "backwater": "remanso_{u}", "sensor_id": "idSensor", "event": "evento", "observer": "observador",
           "door": "puertaAbierta"},
    "de": {"level": "pegel.stand_{u}", "wetwell": "pumpensumpf.stand_{u}", "res_level": "stau.hoehe_mnn",
           "storage": "speicher.inhalt_hm3", "fill": "fuell.grad_pzt", "discharge": "abfluss.menge_{u}",
           "inflow": "zu.fluss_{u}", "outflow": "ab.gabe_{u}", "spill": "ueber.lauf_{u}",
           "wtemp": "wasser.temp_{u}", "battery": "akku.spannung_v", "rain": "niederschlag.10min_lm2",
           "intensity": "regen.intensitaet_lm2h", "rain24": "niederschlag.24h_lm2",
           "gw_depth": "grundwasser.flurabstand_{u}", "cond": "leit.faehigkeit_{u}", "ph": "ph.wert",
           "do": "sauerstoff.gehalt_mgl", "turb": "truebung.wert_ntu", "gate_open": "schuetz.oeffnung_cm",
           "pumps_on": "pumpen.in_betrieb", "starts": "pumpen.starts_heute", "runhours": "betriebs.stunden",
           "station": "mess.stelle", "basin": "fluss.gebiet", "state": "sensor.zustand", "gate_id": "schuetz.nr",
           "mode": "betriebs.art", "operator": "bediener.name", "shift": "schicht.art",
           "remark": "tagebuch.eintrag", "words": "hochwasser.lage", "level_up": "warn.stufe",
           "level_down": "alarm.rang", "flag": "eil.meldung", "colour": "alarm.farbe", "section_km": "deich.km",
           "breach_width": "bruch.breite_m", "fish_count": "fische.tot_anzahl", "species": "fisch.art",
           "location": "fund.ort", "ice_thick": "eis.dicke_cm", "backwater": "rueck.stau_{u}",
           "sensor_id": "sensor.kennung", "event": "ereignis.text", "observer": "melder.name",
           "door": "tuer.offen"},
    "ja": {"level": "SUII-{u}", "wetwell": "PONPUSEI-SUII-{u}", "res_level": "CHOSUII-EL-M",
           "storage": "CHOSUIRYOU-MAN-M3", "fill": "CHOSUIRITSU-PCT", "discharge": "RYUURYOU-{u}",
           "inflow": "RYUUNYUURYOU-{u}", "outflow": "HOURYUURYOU-{u}", "spill": "ETSURYUURYOU-{u}",
           "wtemp": "SUION-{u}", "battery": "DENCHI-V", "rain": "URYOU-10PUN-MM", "intensity": "JIKAN-URYOU-MMH",
           "rain24": "RUIKEI-URYOU-MM", "gw_depth": "CHIKASUII-SHINDO-{u}", "cond": "DENKI-DENDOUDO-{u}",
           "ph": "PH-CHI", "do": "YOUZON-SANSO-MGL", "turb": "DAKUDO-NTU", "gate_open": "GEETO-KAIDO-CM",
           "pumps_on": "UNTEN-DAISUU", "starts": "KIDOU-KAISUU", "runhours": "RUIKEI-UNTEN-JIKAN",
           "station": "KANSOKUSHO-KOODO", "basin": "SUIKEI", "state": "SENSA-JOUTAI", "gate_id": "GEETO-BANGOU",
           "mode": "UNTEN-MOODO", "operator": "TANTOUSHA", "shift": "KINMU-TAI", "remark": "BIKOU",
           "words": "KEIKAI-DANKAI", "level_up": "KEIHOU-REBERU", "level_down": "KIKEN-JUNI",
           "flag": "KINKYUU-FURAGU", "colour": "KEIHOU-SHOKU", "section_km": "KYORI-HYOU-KM",
           "breach_width": "KESSEN-HABA-M", "fish_count": "HEISHI-SUU", "species": "GYOSHU",
           "location": "HAKKEN-BASHO", "ice_thick": "KOORI-ATSU-CM", "backwater": "SEKIAGE-{u}",
           "sensor_id": "SENSA-ID", "event": "JISHOU", "observer": "HOUKOKUSHA", "door": "TOBIRA-KAIHOU"},
}

_BASINS = {
    "es": ("Ebro", "Tajo", "Duero", "Guadalquivir", "Mino", "Jucar", "Segura", "Guadiana"),
    "de": ("Donau", "Elbe", "Weser", "Isar", "Main", "Mosel", "Saale", "Neckar"),
    "ja": ("TONE", "SHINANO", "KISO", "YODO", "CHIKUGO", "KITAKAMI", "TENRYUU", "MOGAMI"),
}
_STATES = {  # (common values with weights), rare values
    "es": ((("ok", 0.86), ("deriva", 0.09), ("mantenimiento", 0.05)), ("sumergido", "sinSenal")),
    "de": ((("ok", 0.86), ("drift", 0.09), ("wartung", 0.05)), ("ueberflutet", "kein.signal")),
    "ja": ((("SEIJOU", 0.86), ("DORIFUTO", 0.09), ("HOSHUCHUU", 0.05)), ("SUIBOTSU", "TSUUSHIN-FUNOU")),
}
_WORDS = {
    "es": ("tranquilo", "vigilar", "crecida", "desborde", "inundacion"),
    "de": ("ruhig", "beobachten", "ausufernd", "ueberflutung", "katastrophe"),
    "ja": ("HEIJOU", "CHUUI", "KEIKAI", "HANRAN", "HINAN-SHIJI"),
}
_COLOURS = {
    "es": ("verde", "amarillo", "naranja", "rojo", "negro"),
    "de": ("gruen", "gelb", "orange", "rot", "schwarz"),
    "ja": ("MIDORI", "KIIRO", "DAIDAI", "AKA", "KURO"),
}
_SHOUTS = {  # uppercase word in a logbook remark -> priority step
    "es": (("REVISAR", 2), ("URGENTE", 3), ("EVACUAR", 4)),
    "de": (("PRUEFEN", 2), ("DRINGEND", 3), ("RAEUMEN", 4)),
    "ja": (("YOUCHUUI", 2), ("SHIKYUU", 3), ("HINAN", 4)),
}
_MODES = {"es": ("automatico", "manual", "remoto"), "de": ("automatik", "hand", "fern"),
          "ja": ("JIDOU", "SHUDOU", "ENKAKU")}
_OPERATORS = {
    "es": ("M. Garcia", "J. Lopez", "A. Ruiz", "C. Navarro", "L. Ortega", "P. Romero"),
    "de": ("K. Bauer", "S. Wagner", "T. Hoffmann", "M. Schulz", "J. Becker", "A. Krueger"),
    "ja": ("SATOU", "SUZUKI", "TAKAHASHI", "TANAKA", "WATANABE", "ITOU"),
}
_SHIFTS = {"es": ("manana", "tarde", "noche"), "de": ("frueh", "spaet", "nacht"),
           "ja": ("HAYABAN", "OSOBAN", "YAKIN")}
_REMARK_A = {
    "es": ("revision rutinaria de la estacion", "limpieza de la rejilla", "cambio de bateria",
           "calibracion de la sonda", "lectura manual de la escala", "inspeccion de la compuerta",
           "purga del pozo", "visita de mantenimiento", "sin novedad en el turno", "ajuste del pluviometro",
           "descarga de datos del registrador", "engrase del mecanismo"),
    "de": ("Routinekontrolle der Messstelle", "Rechen gereinigt", "Batterie getauscht", "Sonde kalibriert",
           "Lattenpegel abgelesen", "Schuetz inspiziert", "Brunnen abgepumpt", "Wartungsbesuch",
           "Schicht ohne Besonderheiten", "Niederschlagsmesser justiert", "Datensammler ausgelesen",
           "Antrieb abgeschmiert"),
    "ja": ("kansokusho no teiki tenken", "sukuriin seisou", "batterii koukan", "sonde kousei",
           "suiihyou no mokushi", "geeto tenken", "ido no haisui", "hoshu houmon", "kinmuchuu ijou nashi",
           "uryoukei no chousei", "deeta kaishuu", "kudoubu no kyuuyu"),
}
_REMARK_B = {
    "es": ("todo correcto", "nivel estable", "agua algo turbia", "ligera lluvia", "viento fuerte",
           "acceso embarrado", "se anota lectura de {n} cm", "ramas acumuladas en el cauce", "caudal en descenso",
           "se retira basura flotante", "temperatura ambiente {t} grados", "sin incidencias"),
    "de": ("alles in Ordnung", "Wasserstand stabil", "Wasser leicht getruebt", "leichter Regen", "starker Wind",
           "Zufahrt verschlammt", "Ablesung {n} cm notiert", "Treibholz am Rechen", "Abfluss fallend",
           "Treibgut entfernt", "Lufttemperatur {t} Grad", "keine Auffaelligkeiten"),
    "ja": ("ijou nashi", "suii antei", "yaya nigori ari", "jakkan no ame", "kyoufuu", "shinnyuuro nukarumi",
           "mokushi {n} cm wo kiroku", "ryuuboku ari", "ryuuryou genshou", "gomi jokyo", "kion {t} do",
           "tokki jikou nashi"),
}
_SPECIES = {"es": ("trucha", "barbo", "carpa", "boga"), "de": ("Forelle", "Barbe", "Karpfen", "Aesche"),
            "ja": ("AYU", "UGUI", "KOI", "YAMAME")}
_LOCATIONS = {
    "es": ("junto al puente", "aguas abajo de la presa", "meandro norte", "azud viejo", "vado del molino"),
    "de": ("an der Bruecke", "unterhalb der Sperre", "Nordschleife", "altes Wehr", "Muehlenfurt"),
    "ja": ("hashi fukin", "damu kaiiki", "kita no dakoubu", "furui seki", "suisha no asase"),
}
_TAMPER = {
    "es": ("cerradura forzada", "cable cortado", "caseta abierta sin aviso", "panel solar desplazado"),
    "de": ("Schloss aufgebrochen", "Kabel durchtrennt", "Gehaeuse unbefugt geoeffnet", "Solarpanel verdreht"),
    "ja": ("jou ga kowasareta", "keeburu setsudan", "kyoubako mudan kaihou", "taiyou paneru no zure"),
}
_ICE = {
    "es": ("hielo acumulado aguas arriba", "placas de hielo contra el puente", "cauce taponado por hielo"),
    "de": ("Eis staut sich oberhalb", "Eisschollen am Brueckenpfeiler", "Gerinne durch Eis verlegt"),
    "ja": ("jouryuu ni koori ga taiseki", "hashi ni hyouhen ga shuuchuu", "kasen ga koori de heisoku"),
}
_UNIT_KEYS = {"es": {"river": "unidadNivel", "rain": "unidadLluvia"},
              "de": {"river": "pegel.einheit", "rain": "niederschlag.einheit"},
              "ja": {"river": "SUII-TANI", "rain": "URYOU-TANI"}}
_UNIT_RETYPE = {"es": {"m": "metros", "mm": "l/m2"}, "de": {"cm": "zentimeter", "l/m2": "mm"},
                "ja": {"CM": "SENCHI", "M": "MEETORU", "MM": "MIRI"}}


@dataclass(slots=True)
class _Meta:
    """How one semantic numeric field is rendered and scored."""

    key: str
    scale: float = 1.0
    offset: float = 0.0
    decimals: int = 2  # 0 means an int
    log: bool = False  # spreads measured in log1p space (non-negative heavy-tailed)
    inject: bool = True  # anomalies may be planted here
    nonneg: bool = True

    def render(self, x: float) -> int | float:
        y = x * self.scale + self.offset
        if self.nonneg:
            y = max(0.0, y)
        return int(round(y)) if self.decimals == 0 else round(y, self.decimals)

    def space(self, y: float) -> float:
        return math.log1p(max(0.0, y)) if self.log else y

    def unspace(self, s: float) -> float:
        return math.expm1(s) if self.log else s


@dataclass(slots=True)
class _Stat:
    median: float
    spread: float


@dataclass(slots=True)
class _Site:
    code: str
    origin: int
    basin: str
    p: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class _Burst:
    head: int
    kind: str
    origin: int
    fields: dict[str, object]
    importance: float
    left: int
    next_ts: int
    period: int
    hot: str | None  # the drifting news field


class HydroWorkload:
    """A seeded hydrological monitoring stream with ground-truth importance (evaluation only)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        r = random.Random(seed * 1_000_003 + 4242)
        self.dialect: str = r.choice(DIALECTS)
        d = self.dialect
        self.prio_mode: str = r.choice(PRIORITY_MODES)
        n_stations = r.randint(3, 8)
        self.stations: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-hydro-stn:{seed}:{i}".encode()).digest()).peer_id
            for i in range(n_stations)
        ]
        k = r.randint(4, 7)
        common = r.sample(COMMON_KINDS, k)
        if not any(c in _PRIO_KINDS or c == "logbook" for c in common):
            common[0] = r.choice(_PRIO_KINDS)
        self.common: list[str] = [c for c in COMMON_KINDS if c in common]
        rare = r.sample(RARE_KINDS, r.randint(1, 3))
        if all(x == "levee" for x in rare):
            rare.append(r.choice(RARE_KINDS[1:]))
        self.rare: list[str] = [c for c in RARE_KINDS if c in rare]
        self.rare_rates: dict[str, float] = {c: r.uniform(0.0035, 0.009) for c in self.rare}
        self.kind_names: dict[str, str] = _KIND_NAMES[d]
        # units
        if d == "es":
            self.units = {"level": "m", "discharge": "m3s", "wtemp": "C", "cond": "uScm", "gw": "m"}
        elif d == "de":
            self.units = {"level": "cm", "discharge": r.choice(("m3s", "ls")), "wtemp": r.choice(("grad", "k")),
                          "cond": "msm", "gw": "cm"}
        else:
            self.units = {"level": r.choice(("CM", "M")), "discharge": "M3S", "wtemp": r.choice(("C", "K")),
                          "cond": r.choice(("USCM", "MSM")), "gw": "M"}
        self.meta = self._build_meta()
        # stream parameters
        self.weights = [r.uniform(0.5, 2.0) for _ in self.common]
        self.mean_gap_ms = r.choice((1_500, 4_000, 9_000, 20_000))
        self.rates = {"dup": r.uniform(0.035, 0.07), "near_dup": r.uniform(0.035, 0.07),
                      "resend": r.uniform(0.006, 0.014), "burst": r.uniform(0.011, 0.019),
                      "anomaly": r.uniform(0.015, 0.03), "rare_value": r.uniform(0.002, 0.005)}
        self._q_base = r.uniform(0.5, 5.0)  # log m3/s: one river system per world
        self._crest = r.uniform(180.0, 900.0)  # one dam: its reservoirs sit near one elevation
        self._cap = math.exp(r.uniform(math.log(5.0), math.log(400.0)))
        self.sites: dict[str, list[_Site]] = {}
        basins = r.sample(_BASINS[d], r.randint(2, 4))
        for kind in self.common + self.rare:
            self.sites[kind] = [self._make_site(r, kind, basins) for _ in range(r.randint(2, 5))]
        self.stats: dict[str, dict[str, _Stat]] = {}
        self._estimate(random.Random(seed * 7 + 99))
        self._rng = random.Random(seed * 31 + 12345)
        self._last_ts: int | None = None
        self._history: deque[Record] = deque(maxlen=256)

    # -- world construction ------------------------------------------------------------------
    def _build_meta(self) -> dict[str, _Meta]:
        d, u = self.dialect, self.units
        keys = _KEYS[d]

        def key(sem: str, unit: str = "") -> str:
            return keys[sem].replace("{u}", unit)

        lvl_cm = u["level"].lower() == "cm"
        q_ls = u["discharge"] == "ls"
        kelvin = u["wtemp"].lower() == "k"
        msm = u["cond"].lower() == "msm"
        gw_cm = u["gw"].lower() == "cm"
        lvl = dict(scale=100.0 if lvl_cm else 1.0, decimals=0 if lvl_cm else 2)
        q = dict(scale=1000.0 if q_ls else 1.0, decimals=0 if q_ls else 2, log=True)
        m = {
            "level": _Meta(key("level", u["level"]), **lvl),
            "wetwell": _Meta(key("wetwell", u["level"]), **lvl),
            "backwater": _Meta(key("backwater", u["level"]), inject=False, **lvl),
            "res_level": _Meta(key("res_level")),
            "storage": _Meta(key("storage"), scale=100.0 if d == "ja" else 1.0, decimals=0 if d == "ja" else 2),
            "fill": _Meta(key("fill"), decimals=1),
            "discharge": _Meta(key("discharge", u["discharge"]), **q),
            "inflow": _Meta(key("inflow", u["discharge"]), **q),
            "outflow": _Meta(key("outflow", u["discharge"]), **q),
            "spill": _Meta(key("spill", u["discharge"]), **q),
            "wtemp": _Meta(key("wtemp", u["wtemp"]), offset=273.15 if kelvin else 0.0, decimals=2 if kelvin else 1,
                           nonneg=kelvin),
            "battery": _Meta(key("battery"), inject=False),
            "rain": _Meta(key("rain"), decimals=1, log=True),
            "intensity": _Meta(key("intensity"), decimals=1, log=True),
            "rain24": _Meta(key("rain24"), decimals=1, log=True),
            "gw_depth": _Meta(key("gw_depth", u["gw"]), scale=100.0 if gw_cm else 1.0, decimals=0 if gw_cm else 2),
            "cond": _Meta(key("cond", u["cond"]), scale=0.1 if msm else 1.0, decimals=1 if msm else 0),
            "ph": _Meta(key("ph")),
            "do": _Meta(key("do")),
            "turb": _Meta(key("turb"), decimals=1, log=True),
            "gate_open": _Meta(key("gate_open"), decimals=0),
            "pumps_on": _Meta(key("pumps_on"), decimals=0, inject=False),
            "starts": _Meta(key("starts"), decimals=0),
            "runhours": _Meta(key("runhours"), decimals=0, inject=False),
            "section_km": _Meta(key("section_km"), decimals=1, inject=False),
            "breach_width": _Meta(key("breach_width"), decimals=1, inject=False),
            "fish_count": _Meta(key("fish_count"), decimals=0, inject=False),
            "ice_thick": _Meta(key("ice_thick"), decimals=0, inject=False),
        }
        return m

    def _make_site(self, r: random.Random, kind: str, basins: list[str]) -> _Site:
        d = self.dialect
        n = r.randint(1, 9999)
        basin = r.choice(basins)
        if d == "es":
            code = f"{basin[:2].upper()}-{n:04d}"
        elif d == "de":
            code = f"{r.randint(1, 9)}{n:04d}{r.randint(0, 99):02d}"
        else:
            code = f"KS-{r.randint(100, 999)}-{n % 100:02d}"
        p = {
            "stage": r.uniform(0.4, 3.5), "swell": r.uniform(0.05, 0.5), "swell_days": r.uniform(1.5, 6.0),
            "phase": r.uniform(0.0, 6.3), "q_mu": self._q_base + r.uniform(-0.4, 0.4), "q_sig": r.uniform(0.25, 0.6),
            "temp": r.uniform(6.0, 22.0), "tamp": r.uniform(0.5, 2.5), "batt": r.uniform(12.2, 13.6),
            "crest": self._crest + r.uniform(-12.0, 12.0), "cap": self._cap * r.uniform(0.8, 1.25),
            "fill": r.uniform(35.0, 90.0), "depth": r.uniform(1.5, 35.0), "cond": r.uniform(180.0, 1100.0),
            "ph": r.uniform(6.9, 8.3), "do": r.uniform(7.0, 10.5), "turb": r.uniform(0.5, 2.5),
            "open_p": r.uniform(0.15, 0.55), "open_cm": r.uniform(60.0, 260.0), "pumps": r.randint(2, 4),
            "start_rate": r.uniform(0.3, 1.6), "hours": r.uniform(2_000.0, 40_000.0), "well_lvl": r.uniform(0.8, 2.5),
        }
        return _Site(code, r.randrange(len(self.stations)), basin, p)

    def _estimate(self, r: random.Random) -> None:
        """Median and robust spread of each numeric field of each common kind, from its own routine stream."""
        t0 = 1_700_000_000_000
        for kind in self.common:
            cols: dict[str, list[float]] = {}
            for _ in range(260):
                site = r.choice(self.sites[kind])
                ts = t0 + r.randrange(0, 20 * 86_400_000)  # whole cycles of swell and drift
                sem = self._numbers(r, kind, site, ts)
                for name, x in sem.items():
                    mt = self.meta[name]
                    cols.setdefault(name, []).append(mt.space(float(mt.render(x))))
            stats = {}
            for name, xs in cols.items():
                xs.sort()
                lo, hi = xs[int(0.025 * (len(xs) - 1))], xs[int(0.975 * (len(xs) - 1))]
                med = xs[len(xs) // 2]
                mt = self.meta[name]
                step = 10.0 ** -mt.decimals
                floor = mt.space(abs(mt.unspace(med)) + step) - mt.space(abs(mt.unspace(med))) if mt.log else step
                stats[name] = _Stat(med, max((hi - lo) / 3.92, floor, 1e-6))
            self.stats[kind] = stats

    # -- value generators (semantic, base units) ------------------------------------------------
    def _numbers(self, r: random.Random, kind: str, site: _Site, ts: int) -> dict[str, float]:
        p = site.p
        hour = (ts / 3_600_000.0) % 24.0
        day = ts / 86_400_000.0
        diurnal = math.sin(2 * math.pi * (hour - 9.0) / 24.0)
        swell = math.sin(2 * math.pi * day / p["swell_days"] + p["phase"])
        if kind == "river":
            stage = p["stage"] + p["swell"] * swell + r.gauss(0, 0.02)
            q = math.exp(p["q_mu"] + 1.6 * (stage - p["stage"]) + r.gauss(0, p["q_sig"]))
            return {"level": stage, "discharge": q, "wtemp": p["temp"] + p["tamp"] * diurnal + r.gauss(0, 0.2),
                    "battery": p["batt"] + 0.3 * diurnal + r.gauss(0, 0.05)}
        if kind == "reservoir":
            fill = min(100.0, max(2.0, p["fill"] + 6.0 * swell + r.gauss(0, 0.4)))
            inflow = math.exp(p["q_mu"] + 0.4 * swell + r.gauss(0, p["q_sig"]))
            return {"res_level": p["crest"] - 25.0 * (1 - fill / 100.0) ** 0.7 + r.gauss(0, 0.01),
                    "storage": p["cap"] * fill / 100.0, "fill": fill, "inflow": inflow,
                    "outflow": math.exp(p["q_mu"] + r.gauss(0, 0.2))}
        if kind == "rain":
            wet = r.random() < 0.3 + 0.15 * swell
            mm = 0.2 * round(math.exp(r.gauss(-0.3, 0.8)) / 0.2) if wet else 0.0
            return {"rain": mm, "intensity": mm * 6.0 * r.uniform(0.8, 1.3),
                    "rain24": math.exp(r.gauss(1.2 + 0.8 * swell, 0.6)) if r.random() < 0.85 else 0.0,
                    "battery": p["batt"] + 0.3 * diurnal + r.gauss(0, 0.05)}
        if kind == "well":
            return {"gw_depth": p["depth"] - 0.12 * swell + 0.01 * (day % 20.0) + r.gauss(0, 0.01),
                    "wtemp": p["temp"] * 0.5 + 5.0 + r.gauss(0, 0.1), "cond": p["cond"] * math.exp(r.gauss(0, 0.04))}
        if kind == "sonde":
            return {"wtemp": p["temp"] + p["tamp"] * diurnal + r.gauss(0, 0.15),
                    "cond": p["cond"] * math.exp(r.gauss(0, 0.06)), "ph": p["ph"] + 0.15 * diurnal + r.gauss(0, 0.05),
                    "do": p["do"] + 1.4 * math.sin(2 * math.pi * (hour - 10.0) / 24.0) + r.gauss(0, 0.2),
                    "turb": math.exp(p["turb"] + r.gauss(0, 0.45))}
        if kind == "gate":
            is_open = r.random() < p["open_p"]
            cm = max(5.0, p["open_cm"] * r.uniform(0.7, 1.15)) if is_open else 0.0
            spill = math.exp(p["q_mu"] + 0.8 * math.log(cm / 100.0) + r.gauss(0, 0.2)) if is_open else 0.0
            return {"gate_open": cm, "spill": spill, "battery": p["batt"] + r.gauss(0, 0.05)}
        if kind == "pump":
            on = min(p["pumps"], max(0, int(round(r.gauss(1.0 + 0.8 * swell, 0.6)))))
            starts = r.gauss(hour * p["start_rate"], 1.0 + 0.3 * hour ** 0.5)
            return {"pumps_on": float(on), "starts": max(0.0, starts), "runhours": p["hours"] + (day % 30) * 8,
                    "wetwell": p["well_lvl"] + 0.3 * swell + r.gauss(0, 0.05)}
        return {}

    # -- record construction --------------------------------------------------------------------
    def _state(self, r: random.Random) -> tuple[str, bool]:
        common, rare = _STATES[self.dialect]
        if r.random() < self.rates["rare_value"] * 4.0:
            return r.choice(rare), True
        u = r.random()
        for v, w in common:
            u -= w
            if u < 0:
                return v, False
        return common[0][0], False

    def _prio_field(self, r: random.Random, step: int | None = None) -> tuple[str, object, float]:
        mode, d = self.prio_mode, self.dialect
        key = _KEYS[d][mode]
        if mode == "flag":
            on = (r.random() < 0.035) if step is None else step >= 3
            return key, on, _FLAG_PRIO if on else 0.0
        if step is None:
            step = r.choices(range(5), weights=_STEP_WEIGHTS)[0]
        prio = _STEP_PRIO[step]
        if mode == "words":
            return key, _WORDS[d][step], prio
        if mode == "colour":
            return key, _COLOURS[d][step], prio
        if mode == "level_up":
            return key, step, prio
        return key, 5 - step, prio  # level_down: 1 is the most severe

    def _remark(self, r: random.Random) -> str:
        d = self.dialect
        a = r.choice(_REMARK_A[d])
        b = self._fill(r, r.choice(_REMARK_B[d]))
        text = f"{a}; {b}"
        if r.random() < 0.5:
            c = self._fill(r, r.choice(_REMARK_B[d]))
            if c != b:
                text += f", {c}"
        if r.random() < 0.6:
            text += f" ({r.randint(0, 23):02d}:{r.randint(0, 59):02d})"
        return text

    @staticmethod
    def _fill(r: random.Random, text: str) -> str:
        return text.replace("{n}", str(r.randint(3, 480))).replace("{t}", str(r.randint(-6, 34)))

    def _clamp(self, kind: str, name: str, x: int | float) -> int | float:
        st = self.stats[kind].get(name)
        if st is None:
            return x
        mt = self.meta[name]
        s = mt.space(float(x))
        lim = 4.0 * st.spread
        if abs(s - st.median) <= lim:
            return x
        s = st.median + math.copysign(lim * 0.98, s - st.median)
        return mt.render((mt.unspace(s) - mt.offset) / mt.scale)

    def _common_fields(self, r: random.Random, kind: str, ts: int) -> tuple[int, dict[str, object], float, bool]:
        """Routine fields of one common-kind record: (origin, fields, priority, rare value)."""
        d, keys = self.dialect, _KEYS[self.dialect]
        site = r.choice(self.sites[kind])
        f: dict[str, object] = {keys["station"]: site.code}
        prio, rare_value = 0.0, False
        if kind == "logbook":
            f[keys["operator"]] = r.choice(_OPERATORS[d])
            f[keys["shift"]] = r.choice(_SHIFTS[d])
            text = self._remark(r)
            if r.random() < 0.045:
                word, step = r.choices(_SHOUTS[d], weights=(0.45, 0.35, 0.2))[0]
                text = f"{word}: {text}" if r.random() < 0.5 else f"{text} - {word}"
                prio = _STEP_PRIO[step]
            f[keys["remark"]] = text
            return site.origin, f, prio, False
        if kind in ("river", "reservoir", "sonde", "icejam", "levee", "fishkill"):
            f[keys["basin"]] = site.basin
        for name, x in self._numbers(r, kind, site, ts).items():
            mt = self.meta[name]
            f[mt.key] = self._clamp(kind, name, mt.render(x))
        if kind in ("river", "rain", "well", "sonde", "pump"):
            f[keys["state"]], rare_value = self._state(r)
        if kind == "river":
            f[_UNIT_KEYS[d]["river"]] = self.units["level"]
        if kind == "rain":
            f[_UNIT_KEYS[d]["rain"]] = {"es": "mm", "de": "l/m2", "ja": "MM"}[d]
        if kind == "gate":
            f[keys["gate_id"]] = f"{'C' if d == 'es' else 'S' if d == 'de' else 'G'}{r.randint(1, 4)}"
            f[keys["mode"]] = r.choices(_MODES[d], weights=(0.8, 0.12, 0.08))[0]
        if kind in _PRIO_KINDS:
            key, val, prio = self._prio_field(r)
            f[key] = val
        return site.origin, f, prio, rare_value

    def _rare_fields(self, r: random.Random, kind: str) -> tuple[int, dict[str, object], float]:
        d, keys = self.dialect, _KEYS[self.dialect]
        site = r.choice(self.sites[kind])
        f: dict[str, object] = {keys["station"]: site.code}
        prio = 0.0
        if kind == "levee":
            f[keys["basin"]] = site.basin
            f[keys["section_km"]] = round(r.uniform(0.5, 140.0), 1)
            f[keys["breach_width"]] = round(math.exp(r.gauss(2.0, 0.8)), 1)
            f[self.meta["level"].key] = self.meta["level"].render(site.p["stage"] + r.uniform(1.0, 3.0))
            key, val, prio = self._prio_field(r, r.choice((3, 4, 4)))
            f[key] = val
        elif kind == "fishkill":
            f[keys["basin"]] = site.basin
            f[keys["location"]] = r.choice(_LOCATIONS[d])
            f[keys["species"]] = r.choice(_SPECIES[d])
            f[keys["fish_count"]] = int(math.exp(r.gauss(4.0, 1.2)))
            f[self.meta["wtemp"].key] = self.meta["wtemp"].render(site.p["temp"] + r.uniform(2.0, 8.0))
            f[keys["observer"]] = r.choice(_OPERATORS[d])
        elif kind == "tamper":
            f[keys["sensor_id"]] = f"{site.code}/{r.randint(1, 6)}"
            f[keys["event"]] = r.choice(_TAMPER[d])
            f[keys["door"]] = r.random() < 0.7
            f[self.meta["battery"].key] = self.meta["battery"].render(site.p["batt"] - r.uniform(0.0, 2.5))
        else:  # icejam
            f[keys["basin"]] = site.basin
            f[keys["ice_thick"]] = r.randint(8, 70)
            f[self.meta["backwater"].key] = self.meta["backwater"].render(r.uniform(0.2, 2.2))
            f[keys["remark"]] = r.choice(_ICE[d])
        return site.origin, f, prio

    def _anomaly(self, kind: str, f: dict[str, object]) -> float:
        stats = self.stats.get(kind)
        if not stats:
            return 0.0
        best = 0.0
        for name, st in stats.items():
            mt = self.meta[name]
            v = f.get(mt.key)
            if isinstance(v, bool) or not isinstance(v, int | float):
                continue
            k = abs(mt.space(float(v)) - st.median) / st.spread
            if k >= 4.5:
                best = max(best, min(1.0, (k - 2.5) / 4.0))
        return best

    def _plant(self, r: random.Random, kind: str, f: dict[str, object]) -> str | None:
        """Move one injectable number 4.8-10.5 spreads off its median; returns the semantic name."""
        names = [n for n in self.stats.get(kind, {}) if self.meta[n].inject]
        if not names:
            return None
        name = r.choice(names)
        mt, st = self.meta[name], self.stats[kind][name]
        k = r.uniform(4.8, 8.0 if mt.log else 10.5)  # log fields: 8 spreads is already a flood
        sign = 1.0 if (mt.log or r.random() < 0.65) else -1.0
        s = st.median + sign * k * st.spread
        y = mt.unspace(s)
        if mt.nonneg and y < 0:
            y = mt.unspace(st.median + k * st.spread)
        f[mt.key] = int(round(y)) if mt.decimals == 0 else round(y, mt.decimals)
        return name

    def _truth(self, kind: str, f: dict[str, object], prio: float, rare_value: bool) -> tuple[float, str]:
        rk = 0.5 if kind in RARE_KINDS else 0.0
        anomaly = 0.0 if rk else self._anomaly(kind, f)
        rarity = max(rk, 0.45 if rare_value else 0.0)
        imp = noisy_or(0.04, 0.9 * anomaly, 0.9 * prio, rarity)
        return round(min(1.0, max(0.0, imp)), 6), main_reason(anomaly, prio, rarity, rk)

    def _pick_kind(self, r: random.Random) -> str:
        return r.choices(self.common, weights=self.weights)[0]

    # -- copies -------------------------------------------------------------------------------------
    def _source(self, r: random.Random, out: list[LabeledRecord]) -> int | None:
        n = len(out)
        idx = [i for i in range(max(0, n - 120), n) if out[i].case in ("routine", "burst_head")]
        if not idx:
            return None
        w = [(0.08 + out[i].importance) * math.exp(-(n - i) / 50.0) for i in idx]
        return r.choices(idx, weights=w)[0]

    def _other_origin(self, r: random.Random, origin: int) -> int:
        if len(self.stations) < 2:
            return origin
        o = r.randrange(len(self.stations) - 1)
        return o + 1 if o >= origin else o

    def _near(self, r: random.Random, f: dict[str, object]) -> dict[str, object]:
        """Another logger's reading of the same event: one or two small differences, never the news itself."""
        d, keys = self.dialect, _KEYS[self.dialect]
        g = dict(f)
        floats = [k for k, v in g.items() if isinstance(v, float)]
        ints = [k for k, v in g.items() if isinstance(v, int) and not isinstance(v, bool)
                and k not in (keys["level_up"], keys["level_down"])]
        batt = self.meta["battery"].key
        units = [k for k in (_UNIT_KEYS[d]["river"], _UNIT_KEYS[d]["rain"]) if k in g]

        def rounding() -> None:  # the other logger rounds coarser
            k = r.choice(floats)
            v = float(g[k])  # type: ignore[arg-type]
            g[k] = round(v, 1) if abs(v - round(v, 1)) > 1e-9 else float(round(v))

        def battery() -> None:  # its own battery
            g[batt] = round(float(g[batt]) + r.choice((-1, 1)) * r.uniform(0.02, 0.4), 2)  # type: ignore[arg-type]

        def unit() -> None:  # the unit written another way
            k = r.choice(units)
            g[k] = _UNIT_RETYPE[d].get(str(g[k]), str(g[k]).upper() if d != "ja" else str(g[k]).lower())

        def remark() -> None:  # the remark re-typed
            v = str(g[keys["remark"]])
            if "; " in v and r.random() < 0.5:
                g[keys["remark"]] = v.replace("; ", " - ")
            elif ", " in v:
                g[keys["remark"]] = v.replace(", ", " / ", 1)
            else:
                g[keys["remark"]] = v.lower() + "." if v.lower() != v else v + " ."

        def station() -> None:  # the station code re-typed
            v = str(g[keys["station"]])
            g[keys["station"]] = v.replace("-", "") if "-" in v else v[:3] + " " + v[3:]

        def last_digit() -> None:  # one step off in the last digit
            k = r.choice(floats + ints)
            v = g[k]
            if isinstance(v, float):
                dec = self._decimals_of(k)
                g[k] = round(v + r.choice((-1, 1)) * 10.0 ** -dec, dec)
            else:
                assert isinstance(v, int)
                g[k] = v + r.choice((-1, 1)) if v > 0 else v + 1

        moves = []
        if floats:
            moves += [rounding, rounding]
        if batt in g:
            moves += [battery, battery]
        if units:
            moves += [unit, unit]
        if keys["remark"] in g:
            moves += [remark, remark, remark]
        if keys["station"] in g:
            moves.append(station)
        if floats or ints:
            moves.append(last_digit)
        for _ in range(6):
            for move in r.sample(moves, min(len(moves), r.choice((1, 1, 2)))):
                move()
            if g != f:
                return g
        k = next(k for k, v in g.items() if isinstance(v, str))  # every record has a station code
        g[k] = str(g[k]) + (" " if d != "ja" else "-")
        return g

    def _decimals_of(self, key: str) -> int:
        for mt in self.meta.values():
            if mt.key == key:
                return max(1, mt.decimals)
        return 2

    def _drift(self, r: random.Random, b: _Burst) -> dict[str, object]:
        """The next look-alike of a burst: the news field drifts, the rest jitters."""
        kind = b.kind
        g = dict(b.fields)
        for name, st in self.stats.get(kind, {}).items():
            mt = self.meta[name]
            v = g.get(mt.key)
            if isinstance(v, bool) or not isinstance(v, int | float):
                continue
            s = mt.space(float(v))
            if name == b.hot:
                s += st.spread * r.uniform(-0.3, 0.6)
            elif name in ("runhours",):
                continue
            else:
                s += st.spread * r.uniform(-0.15, 0.15)
            y = mt.unspace(s)
            if mt.nonneg:
                y = max(0.0, y)
            g[mt.key] = int(round(y)) if mt.decimals == 0 else round(y, mt.decimals)
        b.fields = g
        return g

    # -- stream ---------------------------------------------------------------------------------------
    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        if n < 0:
            raise ValueError(f"batch size must be non-negative, got {n}")
        if n == 0:
            return []
        r = self._rng
        clock = now_ms if self._last_ts is None else max(now_ms, self._last_ts)
        out: list[LabeledRecord] = []
        bursts: list[_Burst] = []
        history = list(self._history)
        rates = self.rates
        while len(out) < n:
            cand = clock + int(r.expovariate(1.0 / self.mean_gap_ms)) + 1
            due = min(bursts, key=lambda b: b.next_ts) if bursts else None
            if due is not None and due.next_ts <= cand:
                clock = due.next_ts
                fields = self._drift(r, due)
                self._emit(out, due.kind, due.origin, clock, fields, max(0.02, round(0.1 * due.importance, 6)),
                           "burst_tail", due.head)
                due.left -= 1
                due.next_ts = clock + max(1, int(due.period * r.uniform(0.7, 1.3)))
                if due.left <= 0:
                    bursts.remove(due)
                continue
            clock = cand
            u = r.random()
            rare = self._roll_rare(r)
            if rare is not None:
                origin, f, prio = self._rare_fields(r, rare)
                imp, detail = self._truth(rare, f, prio, False)
                self._emit(out, rare, origin, clock, f, imp, "routine", -1, detail)
                continue
            if u < rates["dup"]:
                src = self._source(r, out)
                if src is not None:
                    s = out[src]
                    origin = self._origin_index(s.record.origin)
                    if r.random() < 0.5:
                        origin = self._other_origin(r, origin)
                    self._emit(out, self._kind_id(s.record.kind), origin, clock, dict(s.record.fields),
                               round(0.05 * s.importance, 6), "dup", src)
                    continue
            u -= rates["dup"]
            if 0 <= u < rates["near_dup"]:
                src = self._source(r, out)
                if src is not None:
                    s = out[src]
                    origin = self._origin_index(s.record.origin)
                    if r.random() < 0.7:
                        origin = self._other_origin(r, origin)
                    self._emit(out, self._kind_id(s.record.kind), origin, clock, self._near(r, dict(s.record.fields)),
                               round(0.1 * s.importance, 6), "near_dup", src)
                    continue
            u -= rates["near_dup"]
            if 0 <= u < rates["resend"] and history:
                old = history[min(len(history) - 1, int(len(history) * r.random() ** 0.5))]
                origin = self._origin_index(old.origin)
                if r.random() < 0.3:
                    origin = self._other_origin(r, origin)
                self._emit(out, self._kind_id(old.kind), origin, clock, dict(old.fields), 0.01, "resend")
                continue
            u -= rates["resend"]
            if 0 <= u < rates["burst"] and len(bursts) < 2 and len(out) < n - 2:
                b = self._burst_head(r, out, clock)
                if b is not None:
                    bursts.append(b)
                    continue
            kind = self._pick_kind(r)
            origin, f, prio, rare_value = self._common_fields(r, kind, clock)
            if kind != "logbook" and r.random() < rates["anomaly"]:
                self._plant(r, kind, f)
            imp, detail = self._truth(kind, f, prio, rare_value)
            self._emit(out, kind, origin, clock, f, imp, "routine", -1, detail)
        self._last_ts = clock
        for lr in out:
            if lr.case in ("routine", "burst_head") and lr.importance >= 0.3:
                self._history.append(lr.record)
        return out

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]

    def _roll_rare(self, r: random.Random) -> str | None:
        u = r.random()
        for kind in self.rare:
            u -= self.rare_rates[kind]
            if u < 0:
                return kind
        return None

    def _burst_head(self, r: random.Random, out: list[LabeledRecord], clock: int) -> _Burst | None:
        kinds = [k for k in self.common if k != "logbook"]
        if not kinds:
            return None
        kind = r.choice(kinds)
        origin, f, prio, rare_value = self._common_fields(r, kind, clock)
        hot = None
        if kind in _PRIO_KINDS and r.random() < 0.35:
            key, val, prio = self._prio_field(r, r.choice((3, 4)))
            f[key] = val
        else:
            hot = self._plant(r, kind, f)
        imp, detail = self._truth(kind, f, prio, rare_value)
        for _ in range(4):
            if imp >= 0.3:
                break
            hot = self._plant(r, kind, f)
            imp, detail = self._truth(kind, f, prio, rare_value)
        if imp < 0.3:
            return None
        head = len(out)
        self._emit(out, kind, origin, clock, f, imp, "burst_head", -1, detail)
        period = r.choice((300, 800, 1_500, 3_000))
        return _Burst(head, kind, origin, dict(f), imp, r.randint(3, 11), clock + period, period, hot)

    def _emit(self, out: list[LabeledRecord], kind: str, origin: int, ts: int, fields: dict[str, object],
              imp: float, case: str, ref: int = -1, detail: str = "") -> None:
        rec = Record.create(self.kind_names[kind], self.stations[origin], ts, fields)
        out.append(LabeledRecord(rec, imp, case, ref, detail if case in ("routine", "burst_head") else ""))

    def _origin_index(self, peer: str) -> int:
        return self.stations.index(peer)

    def _kind_id(self, name: str) -> str:
        for k, v in self.kind_names.items():
            if v == name:
                return k
        raise KeyError(name)
