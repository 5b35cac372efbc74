"""Held-out family "airspace": air-traffic surveillance and aerodrome operations. Used ONLY by evaluation.

Theory of operation
-------------------
A third held-out family, written blind: nobody tunes the model on it, and it
shares no code path, name, distribution or vocabulary with the training
generators (``domains``, ``randomized``) or the other held-out families
(``holdout_fleet``, ``holdout_ledger``). Only the truth helpers
(:func:`noisy_or`, :func:`main_reason`) and :class:`LabeledRecord` are shared,
because the definition of importance is shared. Training never imports this
module (tests/node/test_holdout_airspace.py checks ``sys.modules``).

A seed picks a world in one of three dialects:

* ``icao``: English ICAO-style UPPER_SNAKE names, feet / knots / ft-per-min,
  QNH in hPa or (US) altimeter setting in inHg;
* ``fi``: Finnish snake_case names, metric units (m, km/h, m/s);
* ``id``: Indonesian kebab-case names, aviation units.

Kinds: ADS-B position reports (always; trimodal taxi / approach / cruise
altitude and speed, vertical rates with routine climbs, a uniform track, an
octal squawk per aircraft, optional receiver signal strength and on-ground
flag), METAR weather observations (saturating visibility 9999, heavy-tailed
wind, narrow pressure), flight plans (flight levels, a clock-like EOBT,
routes of five-letter waypoints), pilot reports, runway condition reports
and NOTAM-like advisories (a subset per world). Rare kinds (1-3 per world,
each 0.2-1.2% of the stream): TCAS resolution advisories, bird strikes and
go-arounds (no priority field) and runway incursions (severity letter A-D).

Explicit priority comes in forms chosen to differ from the lexicon's: an
ADS-B emergency-state enum (``NONE``/``MINFUEL``/``UNLAWFUL``..., Finnish
``ei``/``kaappaus``..., Indonesian ``tidak-ada``/``pembajakan``...) or a
distress flag; an ascending 0-6 turbulence intensity; a *descending* runway
condition code (6 = dry, 0 = worst); advisory classes as words of a five-step
scale per dialect (``ROUTINE``..``DISTRESS``, ``tiedoksi``..``hatatilanne``,
``informasi``..``awas``); ``MAYDAY`` / ``PAN PAN`` inside pilot remarks; an
incursion severity letter. Emergency squawks (7500/7600/7700) and severe
weather codes (``+TSRA``, ``VA``...) are rare values.

Cases and truth (the definition in docs/attention.md): routine records are
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)``, rarity 0.5 for a
rare kind and 0.45 for a rare value; an anomaly is a number 4.5-11 spreads
off its kind's median (spread = central 95% width / 3.92 of the world's own
routine distribution, estimated at world creation, in log space for
positive heavy-tailed fields), strength ``min(1, (k - 2.5) / 4)``. An exact
copy (the same message relayed by another ground station, or re-delivered)
keeps 5% of its source; a near copy (another receiver's decode: coarser
rounding, another signal strength, re-typed text) 10%; a burst (an
emergency descent or an alert re-sent at a tight period by one station) has
a head carrying the news and a tail of drifting look-alikes at 10% of the
head (at least 0.02); a re-send of a record an earlier batch carried keeps
1% (2% when relayed by another station, or re-quantized: then labelled a
near copy with no in-batch source). Copy sources are drawn in proportion to
importance and recency. Arrivals are simulated as events: bursts run on
their own clock and interleave with the stream; some worlds arrive in radar
sweep clumps.

Pure Python, deterministic in the seed.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import math
import random
from dataclasses import dataclass, field

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.keys import PrivateKey
from protocol.record import Record

__all__ = ["DIALECTS", "AirspaceWorkload"]

DIALECTS = ("icao", "fi", "id")

# Semantic kinds: common ones and rare ones. Names per dialect below.
_COMMON = ("pos", "wx", "fpl", "pirep", "rcr", "adv")
_RARE = ("tcas", "bird", "incursion", "goaround")

_KIND_NAMES = {
    "icao": {"pos": "ADSB_POSITION", "wx": "METAR_OBS", "fpl": "FLIGHT_PLAN", "pirep": "PILOT_REPORT",
             "rcr": "RWY_CONDITION", "adv": "NOTAM_ADVISORY", "tcas": "TCAS_RA", "bird": "BIRD_STRIKE",
             "incursion": "RWY_INCURSION", "goaround": "GO_AROUND"},
    "fi": {"pos": "sijaintiraportti", "wx": "saahavainto", "fpl": "lentosuunnitelma", "pirep": "lentajan_raportti",
           "rcr": "kiitotien_kunto", "adv": "tiedote_ilmailijoille", "tcas": "tcas_vaistoneuvo",
           "bird": "lintutormays", "incursion": "kiitotieloukkaus", "goaround": "ylosveto"},
    "id": {"pos": "laporan-posisi", "wx": "observasi-cuaca", "fpl": "rencana-penerbangan", "pirep": "laporan-pilot",
           "rcr": "kondisi-landasan", "adv": "pemberitahuan-penerbang", "tcas": "peringatan-tcas",
           "bird": "tabrakan-burung", "incursion": "serobotan-landasan", "goaround": "batal-mendarat"},
}

# Semantic field -> name per dialect. Units: icao/id aviation units, fi metric (see _CONVERT).
_FIELD_NAMES = {
    "icao": {"cs": "CALLSIGN", "alt": "ALT_FT", "gs": "GS_KT", "vs": "VS_FPM", "trk": "TRK_DEG", "sqk": "SQUAWK",
             "lat": "LAT", "lon": "LON", "rssi": "RSSI_DBM", "ems": "EMERGENCY_STATE", "flag": "DISTRESS_FLAG",
             "gnd": "ON_GROUND", "stn": "STATION", "wind": "WIND_KT", "gust": "GUST_KT", "vis": "VIS_M",
             "temp": "TEMP_C", "dew": "DEWPT_C", "qnh": "QNH_HPA", "wxc": "WX", "adep": "ADEP", "ades": "ADES",
             "rfl": "RFL", "eobt": "EOBT", "route": "ROUTE", "pax": "PAX", "turb": "TURB_INTENSITY",
             "remark": "REMARKS", "apt": "AERODROME", "rwy": "RWY", "rwycc": "RWYCC", "depth": "DEPTH_MM",
             "cover": "COVERAGE_PCT", "ref": "NOTAM_ID", "cls": "CLASS", "text": "TEXT", "valid": "VALID_MIN",
             "sense": "RA_SENSE", "sep": "SEP_FT", "species": "SPECIES", "phase": "PHASE",
             "letter": "SEVERITY_CLASS", "reason": "REASON"},
    "fi": {"cs": "kutsutunnus", "alt": "korkeus_m", "gs": "maanopeus_kmh", "vs": "pystynopeus_ms",
           "trk": "suunta_aste", "sqk": "transponderikoodi", "lat": "leveys", "lon": "pituus", "rssi": "signaali_dbm",
           "ems": "hatatila", "flag": "hataviesti", "gnd": "maassa", "stn": "asema", "wind": "tuuli_ms",
           "gust": "puuska_ms", "vis": "nakyvyys_m", "temp": "lampotila", "dew": "kastepiste",
           "qnh": "ilmanpaine_hpa", "wxc": "saailmio", "adep": "lahtokentta", "ades": "maarakentta",
           "rfl": "matkalentopinta", "eobt": "lahtoaika", "route": "reitti", "pax": "matkustajat",
           "turb": "turbulenssi", "remark": "huomautukset", "apt": "lentoasema", "rwy": "kiitotie",
           "rwycc": "kitkaluokka", "depth": "syvyys_mm", "cover": "peitto_pros", "ref": "tiedote_nro",
           "cls": "luokka", "text": "teksti", "valid": "voimassa_min", "sense": "neuvo", "sep": "erotus_m",
           "species": "laji", "phase": "vaihe", "letter": "vakavuusluokka", "reason": "syy"},
    "id": {"cs": "tanda-panggil", "alt": "ketinggian-kaki", "gs": "kecepatan-darat-knot", "vs": "kecepatan-vertikal",
           "trk": "arah-derajat", "sqk": "kode-transponder", "lat": "lintang", "lon": "bujur",
           "rssi": "kekuatan-sinyal", "ems": "status-darurat", "flag": "tanda-bahaya", "gnd": "di-darat",
           "stn": "stasiun", "wind": "angin-knot", "gust": "hembusan-knot", "vis": "jarak-pandang-m",
           "temp": "suhu", "dew": "titik-embun", "qnh": "tekanan-hpa", "wxc": "fenomena-cuaca",
           "adep": "bandara-asal", "ades": "bandara-tujuan", "rfl": "ketinggian-jelajah", "eobt": "waktu-berangkat",
           "route": "rute", "pax": "penumpang", "turb": "turbulensi", "remark": "catatan", "apt": "bandara",
           "rwy": "landasan", "rwycc": "kode-kondisi", "depth": "kedalaman-mm", "cover": "cakupan-persen",
           "ref": "nomor-notam", "cls": "tingkat", "text": "isi", "valid": "berlaku-menit", "sense": "arahan",
           "sep": "separasi-kaki", "species": "spesies", "phase": "fase", "letter": "kategori-keparahan",
           "reason": "alasan"},
}

# Unit conversion from the semantic units (ft, kt, fpm, hPa) for metric Finnish worlds: (factor, decimals).
_CONVERT = {
    "fi": {"alt": (0.3048, 0), "gs": (1.852, 0), "vs": (0.00508, 1), "wind": (0.5144, 0), "gust": (0.5144, 0),
           "sep": (0.3048, 0)},
    "inhg": {"qnh": (0.02953, 2)},
}
# Decimals of each semantic numeric field in its semantic unit (None: a multiple given by _STEP).
_DECIMALS = {"alt": 0, "gs": 0, "vs": 0, "trk": 1, "lat": 4, "lon": 4, "rssi": 1, "wind": 0, "gust": 0, "vis": 0,
             "temp": 0, "dew": 0, "qnh": 0, "rfl": 0, "eobt": 0, "pax": 0, "turb": 0, "rwycc": 0, "depth": 0,
             "cover": 0, "valid": 0, "sep": 0}
_STEP = {"alt": 25, "vs": 64, "rfl": 10}  # ADS-B altitude in 25 ft steps, vertical rate in 64 fpm steps

# Emergency states: (value per dialect, priority). The first is routine.
_EMS = (
    (("NONE", "ei", "tidak-ada"), 0.0),
    (("GENERAL", "yleinen", "umum"), 1.0),
    (("LIFEGUARD", "sairaslento", "medis"), 0.4),
    (("MINFUEL", "polttoaine_vahissa", "bahan-bakar-minim"), 0.7),
    (("NORDO", "ei_radioyhteytta", "tanpa-radio"), 0.7),
    (("UNLAWFUL", "kaappaus", "pembajakan"), 1.0),
    (("DOWNED", "maahansyoksy", "jatuh"), 1.0),
)
# Advisory classes, five steps per dialect (priority 0 / 0.15 / 0.4 / 0.7 / 1.0).
_CLASSES = {"icao": ("ROUTINE", "ADVISORY", "CAUTION", "WARNING", "DISTRESS"),
            "fi": ("tiedoksi", "huomautus", "varoitus", "vakava", "hatatilanne"),
            "id": ("informasi", "rendah", "waspada", "siaga", "awas")}
_CLASS_PRIO = (0.0, 0.15, 0.4, 0.7, 1.0)
_INCURSION = (("D", 0.15), ("C", 0.4), ("B", 0.7), ("A", 1.0))
_WORDS = {
    "icao": ("LGT", "MOD", "CHOP", "SMOOTH", "TOPS", "BASES", "RIME", "CLR", "BLW", "ABV", "VIS", "GOOD", "OCNL",
             "CB", "RERTE", "DELAY", "STAND", "GATE", "TWY", "CLSD", "WIP", "CRANE", "OBST", "LIGHTS", "U/S"),
    "fi": ("kevyt", "kohtalainen", "sileaa", "pilvi", "ylaraja", "alaraja", "jaata", "nakyvyys", "hyva", "viive",
           "portti", "rullaustie", "suljettu", "tyomaa", "nosturi", "este", "valot", "epakunnossa", "odotus"),
    "id": ("ringan", "sedang", "mulus", "awan", "puncak", "dasar", "es", "pandang", "baik", "tunda", "gerbang",
           "taksi", "ditutup", "pekerjaan", "derek", "rintangan", "lampu", "rusak", "tunggu", "cerah"),
}
_WX_COMMON = ("NSW", "-RA", "RA", "BR", "-SN", "SN", "FG", "-DZ", "HZ")
_WX_RARE = ("+TSRA", "FC", "VA", "+FZRA", "SS")
_SENSE = ("CLIMB", "DESCEND", "MONITOR_VS", "LEVEL_OFF", "CROSSING_CLIMB")
_PHASES = ("TAKEOFF", "CLIMB", "APPROACH", "LANDING", "CRUISE")
_REASONS = ("UNSTABLE", "TRAFFIC", "WINDSHEAR", "RWY_OCCUPIED", "VISUAL_LOST")
_SPECIES = ("gull", "goose", "swift", "hawk", "crow", "pigeon", "heron", "lapwing", "egret", "kite")
_EMERGENCY_SQUAWKS = ("7500", "7600", "7700")

# Numeric fields an anomaly may hit, per kind: field -> space ("lin"/"log") and direction (+1 up only, 0 both).
_ANOMALOUS = {
    "pos": {"gs": ("lin", 1), "vs": ("lin", 0)},
    "wx": {"wind": ("log", 1), "temp": ("lin", 0), "qnh": ("lin", 0)},
    "fpl": {"rfl": ("lin", 0), "pax": ("lin", 1)},
    "pirep": {"temp": ("lin", 0)},
    "rcr": {"depth": ("log", 1)},
    "adv": {"valid": ("log", 1)},
}


@dataclass(slots=True)
class _Item:
    """One record being built: semantic kind and fields, truth, case, station and arrival time (ms, relative)."""

    kind: str
    fields: dict[str, object]
    base: float
    station: int
    t: float
    case: str = "routine"
    ref: int = -1
    detail: str = ""
    src: int = -1  # index in the batch of the record this one copies (dup, near_dup), for truth


@dataclass(slots=True)
class _Burst:
    head: int
    item: _Item
    left: int
    period: float
    next_t: float


@dataclass(slots=True)
class _Spread:
    space: str
    direction: int
    median: float
    spread: float
    lo: float = 0.0
    hi: float = 0.0


@dataclass(slots=True)
class _World:
    aircraft: list[tuple[str, str, int]] = field(default_factory=list)  # callsign, squawk, cruise FL
    stations: list[str] = field(default_factory=list)
    airports: list[str] = field(default_factory=list)
    runways: list[str] = field(default_factory=list)
    waypoints: list[str] = field(default_factory=list)
    notams: list[str] = field(default_factory=list)


class AirspaceWorkload:
    """A held-out airspace world (see the module docstring). Deterministic in ``seed``."""

    def __init__(self, seed: int) -> None:
        self._r = r = random.Random(f"holdout-airspace:{seed}")
        self.dialect = r.choice(DIALECTS)
        self.inhg = self.dialect == "icao" and r.random() < 0.5
        extra = r.sample(_COMMON[1:], r.randint(2, 5))
        self.common = ["pos", *sorted(extra, key=_COMMON.index)]
        self.rare = sorted(r.sample(_RARE, r.randint(1, 3)), key=_RARE.index)
        self.weights = {"pos": r.uniform(4.0, 10.0), "wx": r.uniform(1.0, 3.0), "fpl": r.uniform(1.0, 3.0),
                        "pirep": r.uniform(0.5, 1.5), "rcr": r.uniform(0.5, 1.5), "adv": r.uniform(0.5, 2.0)}
        self.rare_share = {k: r.uniform(0.002, 0.012) for k in self.rare}
        self.pos_priority = r.choice(("ems", "ems", "flag", "none"))
        self.traffic_skew = r.uniform(0.6, 1.1)  # how much a few aircraft dominate the traffic
        self.rssi = r.random() < 0.5
        self.on_ground = r.random() < 0.5
        self.temp_c = r.uniform(-25.0, 32.0) if self.dialect != "id" else r.uniform(22.0, 33.0)
        self.qnh = r.uniform(995.0, 1030.0)
        self.lat0 = {"fi": r.uniform(60, 68), "id": r.uniform(-8, 2), "icao": r.uniform(-40, 60)}[self.dialect]
        self.lon0 = {"fi": r.uniform(21, 29), "id": r.uniform(100, 125), "icao": r.uniform(-120, 150)}[self.dialect]
        self.stations = [PrivateKey(hashlib.sha256(f"holdout-airspace-stn:{seed}:{i}".encode()).digest()).peer_id
                         for i in range(r.randint(3, 10))]
        self.mean_gap = r.choice((15.0, 40.0, 120.0, 400.0, 1500.0))
        self.sweeps = r.random() < 0.4  # radar sweeps: arrivals in clumps
        self.burst_period = r.choice((0.03, 0.1, 0.3, 1.0))  # of the mean gap
        self.copy_memory = r.uniform(10.0, 150.0)  # how far back copies reach (records, e-folding)
        self.rates = {"dup": r.uniform(0.03, 0.09), "near": r.uniform(0.03, 0.08), "burst": r.uniform(0.006, 0.02),
                      "resend": r.uniform(0.005, 0.03), "anomaly": r.uniform(0.01, 0.03)}
        names = _FIELD_NAMES[self.dialect]
        # Fields copies and burst tails never move: priority levels, categories coded as numbers, clocks.
        self._fixed = frozenset(names[k] for k in ("turb", "rwycc", "cover", "eobt"))
        self._zipf: dict[tuple[int, float], list[float]] = {}
        self.w = self._make_world(r)
        self._spreads = self._estimate_spreads(r)
        self._sent: list[tuple[str, int, dict[str, object]]] = []  # earlier batches' news, for re-sends
        self._last_ts = 0

    # -- the world ------------------------------------------------------------------------
    def _make_world(self, r: random.Random) -> _World:
        w = _World()
        prefixes = ["".join(r.choice("ABCDEFGHIJKLMNOPRSTUVWXYZ") for _ in range(3)) for _ in range(r.randint(3, 9))]
        for _ in range(r.randint(30, 200)):
            sqk = "".join(str(r.randint(0, 7)) for _ in range(4))
            while sqk in _EMERGENCY_SQUAWKS:
                sqk = "".join(str(r.randint(0, 7)) for _ in range(4))
            w.aircraft.append((f"{r.choice(prefixes)}{r.randint(1, 9999)}", sqk, 10 * r.randint(28, 41)))
        region = {"fi": "EF", "id": r.choice(("WI", "WA")), "icao": r.choice(("K", "E", "L", "Y", "R"))}[self.dialect]
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        w.airports = sorted({region + "".join(r.choice(letters) for _ in range(4 - len(region)))
                             for _ in range(r.randint(4, 12))})
        w.stations = w.airports[: max(2, len(w.airports) // 2)]
        w.runways = [f"{r.randint(1, 36):02d}{r.choice(('', 'L', 'R', 'C'))}" for _ in range(r.randint(2, 6))]
        syll = ("TU", "SKA", "OR", "VIX", "RA", "PO", "LEK", "NI", "BA", "DU", "MO", "KE", "SI", "AN")
        w.waypoints = sorted({"".join(r.choice(syll) for _ in range(3))[:5].ljust(5, "X") for _ in range(40)})
        w.notams = [f"{r.choice('ABC')}{r.randint(1, 9999):04d}/26" for _ in range(r.randint(20, 80))]
        return w

    def _estimate_spreads(self, r: random.Random) -> dict[str, dict[str, _Spread]]:
        """Median and spread (central 95% width / 3.92) of every anomaly-prone field, from routine draws."""
        out: dict[str, dict[str, _Spread]] = {}
        for kind in self.common:
            sample = [self._draw(kind, r) for _ in range(400)]
            out[kind] = {}
            for key, (space, direction) in _ANOMALOUS[kind].items():
                xs = sorted(_to_space(float(f[key]), space) for f, _ in sample if key in f)  # type: ignore[arg-type]
                med = xs[len(xs) // 2]
                p025, p975 = xs[int(0.025 * len(xs))], xs[int(0.975 * len(xs)) - 1]
                spread = max((p975 - p025) / 3.92, 1e-3 if space == "log" else 1.0)
                out[kind][key] = _Spread(space, direction, med, spread, xs[0], xs[-1])
        return out

    def _pick(self, seq: list, alpha: float = 0.9) -> object:
        """Zipf-like choice (rank weight 1 / rank^alpha): a few entities dominate, as in real traffic."""
        cum = self._zipf.get((len(seq), alpha))
        if cum is None:
            cum = self._zipf[(len(seq), alpha)] = list(itertools.accumulate(
                (i + 1) ** -alpha for i in range(len(seq))))
        return self._r.choices(seq, cum_weights=cum)[0]

    def _draw(self, kind: str, r: random.Random, push: float = 0.0) -> tuple[dict[str, object], float]:
        """Routine semantic fields of one record and its explicit priority (0..1); ``push`` raises priority levels."""
        w = self.w
        f: dict[str, object] = {}
        prio = 0.0
        if kind in ("pos", "pirep", "fpl", "tcas", "bird", "goaround"):
            cs, sqk, cruise = self._pick(w.aircraft, self.traffic_skew)  # type: ignore[misc]
            f["cs"] = cs
        if kind == "pos":
            u = r.random()
            if u < 0.08:  # taxiing
                f["alt"] = r.gauss(150.0, 60.0)
                f["gs"], f["vs"] = abs(r.gauss(14.0, 5.0)), 0.0
            elif u < 0.4:  # climb or approach
                f["alt"] = math.exp(r.gauss(math.log(6000.0), 0.6))
                f["gs"] = 150.0 + f["alt"] / 120.0 + r.gauss(0.0, 20.0)  # type: ignore[operator]
                f["vs"] = r.choice((1.0, -1.0)) * abs(r.gauss(1100.0, 450.0))
            else:  # cruise
                f["alt"] = cruise * 100.0 + r.gauss(0.0, 40.0)
                f["gs"] = r.gauss(455.0, 25.0)
                f["vs"] = r.gauss(0.0, 120.0)
            f["trk"] = r.uniform(0.0, 360.0)
            f["sqk"] = sqk
            f["lat"] = self.lat0 + r.gauss(0.0, 1.2)
            f["lon"] = self.lon0 + r.gauss(0.0, 1.8)
            if self.rssi:
                f["rssi"] = r.gauss(-78.0, 6.0)
            if self.on_ground:
                f["gnd"] = u < 0.08
            if self.pos_priority == "ems":
                on = push > 0 or r.random() < 0.006
                states = [*_EMS[1:]]
                val, prio = (r.choice(states) if on else _EMS[0])
                f["ems"] = val[DIALECTS.index(self.dialect)]
            elif self.pos_priority == "flag":
                on = push > 0 or r.random() < 0.006
                f["flag"] = on
                prio = 0.9 if on else 0.0
        elif kind == "wx":
            f["stn"] = self._pick(w.stations, 1.5)
            wind = math.exp(r.gauss(math.log(8.0), 0.5))
            f["wind"] = wind
            if wind > 15.0:
                f["gust"] = wind + r.uniform(8.0, 20.0)
            f["vis"] = 9999.0 if r.random() < 0.7 else min(9999.0, math.exp(r.gauss(math.log(3000.0), 0.8)))
            f["temp"] = self.temp_c + r.gauss(0.0, 4.0)
            f["dew"] = float(f["temp"]) - math.exp(r.gauss(1.0, 0.5))  # type: ignore[arg-type]
            f["qnh"] = self.qnh + r.gauss(0.0, 5.0)
            f["wxc"] = r.choice(_WX_COMMON)
        elif kind == "fpl":
            f["adep"], f["ades"] = r.sample(w.airports, 2)
            f["rfl"] = float(cruise) + r.gauss(0.0, 15.0)
            f["eobt"] = float(r.randint(0, 23) * 100 + r.randint(0, 59))
            f["route"] = " ".join(r.choice(w.waypoints) for _ in range(r.randint(3, 8)))
            f["pax"] = max(1.0, r.gauss(150.0, 45.0))
        elif kind == "pirep":
            f["alt"] = cruise * 100.0 + r.gauss(0.0, 1500.0)
            lvl = min(6, int(r.expovariate(1.0) + push))
            f["turb"] = float(lvl)
            prio = lvl / 6.0
            f["temp"] = -2.0 * f["alt"] / 1000.0 + 15.0 + r.gauss(0.0, 3.0)  # type: ignore[operator]
            words = [r.choice(_WORDS[self.dialect]) for _ in range(r.randint(2, 7))]
            if r.random() < 0.012 or (push > 0 and r.random() < 0.3):
                word, p = r.choice((("MAYDAY", 1.0), ("PAN PAN", 0.7)))
                words.insert(r.randrange(len(words) + 1), word)
                prio = max(prio, p)
            f["remark"] = " ".join(words)
        elif kind == "rcr":
            f["apt"] = self._pick(w.airports, 1.5)
            f["rwy"] = r.choice(w.runways)
            sev = min(6, int(r.expovariate(1.0) + push))
            f["rwycc"] = float(6 - sev)
            prio = sev / 6.0
            f["depth"] = math.exp(r.gauss(math.log(3.0), 0.6))
            f["cover"] = float(r.choice((10, 25, 50, 75, 100)))
        elif kind == "adv":
            f["ref"] = self._pick(w.notams, 1.3)
            lvl = min(4, int(r.expovariate(1.3) + push))
            f["cls"] = _CLASSES[self.dialect][lvl]
            prio = _CLASS_PRIO[lvl]
            f["text"] = " ".join(r.choice(_WORDS[self.dialect]) for _ in range(r.randint(3, 10)))
            f["valid"] = math.exp(r.gauss(math.log(120.0), 0.7))
        elif kind == "tcas":
            f["alt"] = cruise * 100.0 + r.gauss(-8000.0, 6000.0)
            f["sense"] = r.choice(_SENSE)
            f["sep"] = max(50.0, r.gauss(600.0, 150.0))
        elif kind == "bird":
            f["alt"] = math.exp(r.gauss(math.log(800.0), 0.9))
            f["species"] = " ".join(r.sample(_SPECIES, r.randint(1, 2)))
            f["phase"] = r.choice(_PHASES)
        elif kind == "incursion":
            f["apt"] = self._pick(w.airports, 1.5)
            f["rwy"] = r.choice(w.runways)
            letter, prio = r.choices(_INCURSION, (0.5, 0.3, 0.15, 0.05))[0]
            f["letter"] = letter
        elif kind == "goaround":
            f["alt"] = math.exp(r.gauss(math.log(400.0), 0.5))
            f["reason"] = r.choice(_REASONS)
            f["apt"] = self._pick(w.airports, 1.5)
        return f, prio

    # -- records ---------------------------------------------------------------------------
    def _fresh(self, kind: str, t: float, news: bool = False) -> _Item:
        """A routine record (or, with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        has_prio = kind in ("pirep", "rcr", "adv") or (kind == "pos" and self.pos_priority != "none")
        anomalous = kind in _ANOMALOUS and (
            (news and (not has_prio or r.random() < 0.55)) or (not news and r.random() < self.rates["anomaly"]))
        f, prio = self._draw(kind, r, push=2.5 if news and not anomalous and has_prio else 0.0)
        anomaly = 0.0
        if anomalous:
            key = r.choice(sorted(k for k in _ANOMALOUS[kind] if k in f))
            s = self._spreads[kind][key]
            k = r.uniform(4.5, 11.0)
            sign = 1.0 if s.direction > 0 else r.choice((1.0, -1.0))
            x = s.median + sign * k * s.spread
            # Beyond everything the routine sample showed, even for a heavy tail.
            x = max(x, s.hi + 0.5 * s.spread) if sign > 0 else min(x, s.lo - 0.5 * s.spread)
            f[key] = _from_space(x, s.space)
            anomaly = min(1.0, (k - 2.5) / 4.0)
        rare_kind = 0.5 if kind in _RARE else 0.0
        rarity = rare_kind
        if kind == "pos" and r.random() < 0.004:
            f["sqk"] = r.choice(_EMERGENCY_SQUAWKS)
            rarity = noisy_or(rarity, 0.45)
        if kind == "wx" and r.random() < 0.015:
            f["wxc"] = r.choice(_WX_RARE)
            rarity = noisy_or(rarity, 0.45)
        base = noisy_or(0.04, 0.9 * anomaly, 0.9 * prio, rarity)
        detail = main_reason(0.9 * anomaly, 0.9 * prio, rarity, rare_kind)
        return _Item(kind, self._render(f), base, r.randrange(len(self.stations)), t,
                     "burst_head" if news else "routine", detail=detail)

    def _copy_source(self, items: list[_Item]) -> int:
        """An earlier record of the batch, by importance and recency; -1 when there is none."""
        r = self._r
        n = len(items)
        cand = [i for i in range(max(0, n - 600), n) if items[i].case in ("routine", "burst_head")]
        if not cand:
            return -1
        weights = [(items[i].base + 0.03) * math.exp(-(n - i) / self.copy_memory) for i in cand]
        return r.choices(cand, weights)[0]

    def _near_fields(self, f: dict[str, object], other_station: bool) -> dict[str, object]:
        """Another receiver's decode of the same message: coarser numbers, re-typed text, its own signal.

        Works on the rendered fields (what goes on the wire), never touches a priority level, and
        always changes something, so a near copy is never an exact one.
        """
        r = self._r
        g = dict(f)
        rssi = _FIELD_NAMES[self.dialect]["rssi"]
        numeric = [k for k, v in f.items() if _is_num(v) and k != rssi and k not in self._fixed]
        for key in numeric:
            if r.random() < 0.5:
                g[key] = _coarsen(f[key])  # type: ignore[arg-type]
        for key, v in f.items():
            if isinstance(v, str) and " " in v and r.random() < 0.5:
                g[key] = r.choice((v.lower() if v != v.lower() else v.upper(), v + ".", "  " + v,
                                   v.replace(" ", "  ")))
        if rssi in f and other_station:
            g[rssi] = round(r.gauss(-78.0, 6.0), 1)
        if g == f and numeric:  # nudge one number by a last-digit step
            key = r.choice(numeric)
            v = f[key]
            g[key] = v + r.choice((-1, 1)) if isinstance(v, int) else round(
                v + r.choice((-1.0, 1.0)) * 10.0 ** -_decimals(v), _decimals(v))  # type: ignore[operator]
        if g == f:  # no number to move (an incursion report): re-typed by hand
            key = r.choice(sorted(k for k, v in f.items() if isinstance(v, str)))
            v = str(f[key])
            g[key] = v.lower() if v != v.lower() else v + " "
        return g

    def _tail(self, b: _Burst, t: float) -> _Item:
        """A burst's look-alike: same kind and station, numbers drifting a little, levels unchanged."""
        r = self._r
        g = dict(b.item.fields)
        for key, v in g.items():
            if not _is_num(v) or key in self._fixed:
                continue
            if isinstance(v, int):
                g[key] = int(round(v + r.gauss(0.0, 0.004 * abs(v))))
            else:
                d = _decimals(v)  # type: ignore[arg-type]
                g[key] = round(v + r.gauss(0.0, 0.004 * abs(v) + 10.0 ** -d), d)  # type: ignore[operator]
        return _Item(b.item.kind, g, max(0.02, 0.1 * b.item.base), b.item.station, t, "burst_tail", b.head)

    def _gap(self) -> float:
        r = self._r
        if self.sweeps and r.random() < 0.5:
            return r.uniform(0.0, 0.1) * self.mean_gap
        return r.expovariate(1.0 / (self.mean_gap * (1.95 if self.sweeps else 1.0)))

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        """``n`` records ending at or after ``now_ms``, each with its ground-truth importance."""
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """``n`` labelled records; timestamps continue the previous batch's."""
        if n < 0:
            raise ValueError("n must be non-negative")
        r = self._r
        items: list[_Item] = []
        bursts: list[tuple[float, int, _Burst]] = []  # heap of (next tail time, tiebreak, burst)
        kinds = self.common + self.rare
        common_w = sum(self.weights[k] for k in self.common)
        rare_total = sum(self.rare_share.values())
        kind_w = [self.weights[k] / common_w * (1.0 - rare_total) for k in self.common] + \
                 [self.rare_share[k] for k in self.rare]
        t = 0.0
        next_t = self._gap()
        tick = 0
        while len(items) < n:
            if bursts and bursts[0][0] <= next_t:
                tt, _, b = heapq.heappop(bursts)
                items.append(self._tail(b, tt))
                b.left -= 1
                if b.left > 0:
                    tick += 1
                    heapq.heappush(bursts, (tt + b.period * r.uniform(0.5, 1.5), tick, b))
                continue
            t, next_t = next_t, next_t + self._gap()
            u = r.random()
            q = self.rates
            if u < q["dup"] and (j := self._copy_source(items)) >= 0:
                src = items[j]
                st = r.randrange(len(self.stations)) if r.random() < 0.65 else src.station
                items.append(_Item(src.kind, dict(src.fields), 0.05 * src.base, st, t, "dup", j))
            elif (u := u - q["dup"]) < q["near"] and (j := self._copy_source(items)) >= 0:
                src = items[j]
                st = r.randrange(len(self.stations))
                g = self._near_fields(src.fields, st != src.station)
                items.append(_Item(src.kind, g, 0.1 * src.base, st, t, "near_dup", j))
            elif (u := u - q["near"]) < q["burst"]:
                kind = r.choice(self.rare) if r.random() < 0.1 else r.choice(self.common)
                head = self._fresh(kind, t, news=kind not in _RARE)
                head.case = "burst_head"
                tails = min(40, 2 + int(2 * r.paretovariate(1.2)))
                period = self.mean_gap * self.burst_period * r.uniform(0.5, 2.0)
                b = _Burst(len(items), head, tails, period, t)
                tick += 1
                heapq.heappush(bursts, (t + period * r.uniform(0.5, 1.5), tick, b))
                items.append(head)
            elif (u := u - q["burst"]) < q["resend"] and self._sent:
                kind, st0, f = r.choice(self._sent)
                st = r.randrange(len(self.stations))
                if r.random() < 0.3:  # re-quantized by another receiver: a near copy of shared news
                    items.append(_Item(kind, self._near_fields(f, st != st0), 0.02, st, t, "near_dup"))
                else:
                    items.append(_Item(kind, dict(f), 0.01 if st == st0 else 0.02, st, t, "resend"))
            else:
                kind = r.choices(kinds, kind_w)[0]
                items.append(self._fresh(kind, t))
        return self._materialize(items, now_ms)

    def _materialize(self, items: list[_Item], now_ms: int) -> list[LabeledRecord]:
        if not items:
            return []
        span = items[-1].t
        start = max(self._last_ts, now_ms - int(span) - 1)
        names = _KIND_NAMES[self.dialect]
        out: list[LabeledRecord] = []
        prev = start
        for it in items:
            ts = max(prev, start + int(it.t))  # tails and the stream interleave in time order
            prev = ts
            rec = Record.create(names[it.kind], self.stations[it.station], ts, it.fields)
            detail = it.detail if it.case in ("routine", "burst_head") else ""
            out.append(LabeledRecord(rec, round(min(1.0, max(0.0, it.base)), 6), it.case, it.ref, detail))
            if it.case in ("routine", "burst_head") and it.base >= 0.3:
                self._sent.append((it.kind, it.station, dict(it.fields)))
        del self._sent[:-400]
        self._last_ts = prev + 1
        return out

    def _render(self, f: dict[str, object]) -> dict[str, object]:
        """Semantic fields -> this dialect's names, units and rounding."""
        names = _FIELD_NAMES[self.dialect]
        conv = dict(_CONVERT["fi"]) if self.dialect == "fi" else {}
        if self.inhg:
            conv.update(_CONVERT["inhg"])
        out: dict[str, object] = {}
        for key, v in f.items():
            name = names[key]
            if key == "qnh" and self.inhg:
                name = "ALTIMETER_INHG"
            if isinstance(v, float):
                factor, dec = conv.get(key, (1.0, _DECIMALS.get(key, 0)))
                x = v * factor
                step = _STEP.get(key) if factor == 1.0 else None
                out[name] = int(round(x / step) * step) if step else (int(round(x)) if dec == 0 else round(x, dec))
            else:
                out[name] = v
        return out


# -- helpers ------------------------------------------------------------------------------
def _to_space(x: float, space: str) -> float:
    return math.log(max(x, 1e-6)) if space == "log" else x


def _from_space(x: float, space: str) -> float:
    return math.exp(x) if space == "log" else x


def _is_num(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _decimals(v: float) -> int:
    """Decimals a rendered float was written with (at most 6)."""
    for d in range(7):
        if round(v, d) == v:
            return d
    return 6


def _coarsen(v: int | float) -> int | float:
    """A coarser receiver's rounding: one decimal fewer, or the nearest multiple of 10 / 100."""
    if isinstance(v, float) and (d := _decimals(v)) > 0:
        return round(v, d - 1)
    mag = 100 if abs(v) >= 2000 else 10 if abs(v) >= 100 else 1
    out = round(v / mag) * mag
    return int(out) if isinstance(v, int) else float(out)
