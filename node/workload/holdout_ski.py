"""Held-out family ``ski``: a ski area's mountain operations. Used ONLY by evaluation.

Theory of operation
-------------------
A seventeenth held-out family, written blind (docs/holdout.md): nobody tunes the model on it, and it shares
no code path, name, distribution or vocabulary with the training generators or the other held-out
families (none of which is a ski area, a ropeway or a snow business). Only the truth helpers
(:func:`noisy_or`, :func:`main_reason`, :func:`tail_importance`, ``ROUTINE_FLOOR``), :class:`LabeledRecord`
(through the shared scheduler) and the stream scheduler of node/workload/holdout_stream.py
(:class:`BurstStream`) are shared. Training never imports this module (tests/node/test_holdout_ski.py
checks ``sys.modules``).

One seed is one world: a ski area on one mountain, whose nodes (3-10 peer ids, the ``origins``: the lift
control servers, the snowmaking control system, the groomer fleet's telematics, the access-control (ticket
gate) server, the patrol dispatch, the parking system, the maintenance system, patrollers' handhelds) carry
ropeway telemetry, gate scans, snowmaking, grooming, snow plots, patrol and radio traffic, lift faults, car
parks, run status and work orders. A world draws, from one ``random.Random``:

- a dialect (below), which names every kind, field, categorical value and identifier, picks the units and
  writes every fault text, radio call and note;
- 4-6 common kinds of 12, at least one of which carries priority, and 1-3 rare kinds of 4 (each 0.15-1.1%
  of the fresh records);
- one of nine priority forms (``prio_mode``, field ``prio_key``);
- its mountain: 3-9 lifts (chairlifts, gondolas, surface lifts: rated speed, rope tension and drive power
  per type, uptime, a windier or calmer top station), 2 gates per lift at most, 6-30 snow guns (fan or lance,
  each on its hydrant's pressure), 1-3 pump houses, 2-7 groomers, 2-5 snow plots at their altitudes, 8-20
  runs with their difficulty, 1-4 car parks, patrollers and lift mechanics; every entity ingested through
  one origin (Zipf);
- case rates, a mean gap between records (0.3-9 s), whether the stream arrives in uploads (clumps), and how
  far back copies reach.

Dialects
--------
- ``en``: English as a Colorado ski area's systems write it. Kinds ``Area/Thing`` PascalCase
  (``Lifts/Telemetry``, ``Patrol/Incident``), fields lowerCamelCase with US unit suffixes
  (``ropeSpeedFpm``, ``windTopMph``, ``newSnow24hIn``); deg F, mph, inches, feet, psi, gpm, feet per
  minute, kips (winch), acres; run difficulty GREEN / BLUE / BLACK / DBL_BLACK.
- ``gsw``: Swiss German (Walliser-flavoured Schwiizerdütsch), as a resort in the Valais could write its
  operator consoles: kinds ``AREA_Ding`` (``BAHN_Betriebsdate``, ``RETTIG_Iisatz``), fields spaced words
  with the unit in parentheses, as a CSV export writes its header (``Wind Bergstation (km/h)``); deg C,
  km/h, cm, bar, l/s, m/s, kN, hectares; runs blau / rot / schwarz. Swiss German has no ``_lang(...)`` code
  (German has: some words are shared).
- ``gd``: Scottish Gaelic, as a Highland ski centre could write it; lexicon v6 has a ``gd`` code (the author's grep missed it). Kinds
  hyphenated lowercase Gaelic (``àrdaichear-dàta``), fields kebab-case Gaelic with the unit after an
  underscore (``gaoth-mhullach_mph``); UK units: wind in mph, the rest metric (cm, deg C, bar, l/min);
  runs uaine / gorm / dearg / dubh.

Kinds (semantic name: numbers; anomaly-prone fields starred)
-------------------------------------------------------------
Common: ``lift`` ropeway telemetry (lift, type, state, drive, rope speed bimodal: the lift's rated speed or
0, drive power 0 when stopped, top-station wind* log-normal (up), haul-rope tension* normal around the
lift's own value, gearbox oil temperature* (up), a riders counter per lift); ``gate`` ticket-gate scans (gate, lift, scans
per minute Poisson, rejects* zero-inflated, a validations counter per gate, last reject reason); ``gun``
a snow gun (type, wet-bulb temperature, state, water flow bimodal running / 0, hydrant pressure* normal per
gun (either way), nozzle stage); ``pump`` a pump house (outlet pressure* down, flow log-normal, reservoir
level random-walking and bounded 0-100, motor winding temperature* up, an energy counter per house);
``groom`` a groomer (machine, driver, engine hours counter per machine, winch tension* log-normal up,
coolant* up, fuel, area groomed log-normal); ``snow`` a snow plot (station, its altitude, air temperature,
snow depth random-walking per plot, new snow in 24 h* zero-inflated up, snow temperature, precipitation
type); ``patrol`` a patrol incident (a world counter, run, job type, patroller, response minutes*
log-normal up, note); ``radio`` the dispatch radio log (a world counter, call sign, channel, seconds on
air* log-normal up, the message); ``fault`` a lift-control fault (number and fixed text from the world's
catalogue, lift, come / go, seconds active* log-normal up, repeats in 24 h, acknowledgement); ``parking``
a car park (occupancy random-walking and saturating at 100, a cars-in counter per lot, shuttle wait*
log-normal up); ``run`` run status (run, difficulty colour, open / closed, snow surface, groomed or not,
hours since grooming); ``wo`` a work order (a world counter, asset, type, mechanic, labour hours*
log-normal up, description). Rare: ``derope`` a haul rope off its sheaves (always raised priority),
``evac`` a lift evacuation by rope, ``collision`` a skier hit by a groomer or snowmobile, ``lostchild`` a
lost child. Rare categorical values (a lift on its auxiliary drive, a gate scanning a card reported stolen,
freezing rain on a snow plot) appear in about 1.2% of their kinds' records.

Priority forms (carried by ``patrol``, ``radio``, ``fault``, ``wo`` and ``derope``)
------------------------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0; 86% at 0); the world's form writes it, and
the truth is read back from what is written:

- ``words``: a five-step dispatch class per dialect (Log Only / When Able / Send Patrol / Hot Call /
  All Call; nume notiere / wänn's gaht / Patrouille schicke / pressant / alli uusrücke; clàr a-mhàin /
  nuair a ghabhas / cuir sgioba / cabhagach / a h-uile sgioba);
- ``emoji``: a coloured circle a dispatch app writes (⚪ 🔵 🟡 🟠 🔴), the same in every dialect;
- ``roman``: an ascending class in Roman numerals, I (routine) .. V;
- ``fraction``: an urgency rating out of four, ``"0/4"`` .. ``"4/4"``; ``"2 vo 4"`` in gsw, ``"2 à 4"``
  in gd;
- ``marks``: a run of marks, ``"—"`` routine, then ``"▲"`` .. ``"▲▲▲▲"`` (gsw ``"+"`` .. ``"++++"``);
- ``percent``: an urgency index written as a string with a percent sign, 0 in 40% of routine records;
  bands at 40 / 60 / 75 / 90 (``"72%"``, gsw ``"72 %"``);
- ``target``: the response target, small is pressing: en seconds (86400 / 14400 / 7200 / 3600 routine,
  2700 / 1800, 1200 / 900, 600 / 300, 120 / 60), gsw minutes, gd an ISO 8601 duration (``"PT5M"``);
- ``flag``: the rescue helicopter requested, True (steps 3-4) has strength 0.9: a boolean in ``en``,
  ``"ja"`` / ``"nei"`` in gsw, ``"tha"`` / ``"chan eil"`` in gd;
- ``text``: no field; an urgency phrase in the note or radio message (four levels), and routine notes that
  often say outright that nothing is pressing.

Cases and truth (docs/attention.md, "The definition (issue 3)")
----------------------------------------------------------------
Routine records and burst heads, from their content alone:
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)`` (see :meth:`SkiWorkload.score`); anomaly = 0
below 4.5 spreads, else ``min(1, 0.35 + 0.12 * (k - 4.5))`` where k is the largest distance of an
anomaly-prone number from its (kind, field) median in spreads (central 95% width / 3.92 of the world's own
written routine values, estimated when the world is made; log space for positive heavy-tailed fields,
log(1 + x) space for zero-inflated counts); routine values are redrawn while 4 or more spreads off; an
anomaly (1.6-3.6% of fresh records) puts one number 4.5-11 spreads off, in the field's physical direction
and bounds (wind, gearbox oil, rejects, hydrant pressure either way, pump pressure down, motor
and coolant temperatures up, winch tension, new snow, response, airtime, fault and shuttle waits, labour
hours up). Rarity 0.5 for a rare kind, 0.45 for a rare value.
``detail = main_reason(0.9a, 0.9p, rarity, 0.5 if rare kind else 0)``.

An exact copy (the same reading relayed by another server, or re-delivered) keeps 5% of its source; a near
copy (another system's re-entry: a number re-rounded, a word abbreviated, accents dropped, a call sign
re-spaced; never the priority field, nor the note where the world writes priority in notes) 10%; a burst (a
lift polled at fault rate in a wind hold, a fault storm, a radio call repeated, a gate jammed) has a head
carrying the news and 2-40 tails from the same origin with drifting numbers and counters stepping, worth
``tail_importance(head)``; a re-send of an earlier batch's news keeps 1% of it (2% through another origin).

Pure Python, deterministic in the seed (and across hash seeds).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from node.workload.domains import tail_importance
from node.workload.holdout_stream import BurstStream, routine_truth
from node.workload.holdout_stream import Rec as _Rec
from node.workload.holdout_stream import Storm as _Storm
from node.workload.holdout_stream import poisson as _poisson
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
    "SkiWorkload",
]

_T = TypeVar("_T")

DIALECTS = ("en", "gsw", "gd")
PRIORITY_MODES = ("words", "emoji", "roman", "fraction", "marks", "percent", "target", "flag", "text")
STEP_STRENGTH = (0.0, 0.25, 0.5, 0.75, 1.0)
FLAG_STRENGTH = 0.9
STEP_ODDS = (0.86, 0.05, 0.04, 0.03, 0.02)

COMMON_KINDS = ("lift", "gate", "gun", "pump", "groom", "snow", "patrol", "radio", "fault", "parking", "run", "wo")
PRIORITY_KINDS = frozenset({"patrol", "radio", "fault", "wo"})
RARE_KINDS = ("derope", "evac", "collision", "lostchild")
ALWAYS_PRIORITY_RARE = frozenset({"derope"})
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE
COUNTERS = ("riders", "valid", "kwh", "ehours", "incno", "rseq", "carsin", "wo")  # step on in a burst tail
_TAIL_STEPS = (*COUNTERS, "occ")

# -- names ------------------------------------------------------------------------------------------------
_KINDS = {
    "en": {"lift": "Lifts/Telemetry", "gate": "Access/GateScans", "gun": "Snowmaking/Gun",
           "pump": "Snowmaking/PumpHouse", "groom": "Grooming/Cat", "snow": "Weather/SnowPlot",
           "patrol": "Patrol/Incident", "radio": "Dispatch/RadioLog", "fault": "Lifts/Fault",
           "parking": "Parking/Lot", "run": "Mountain/RunStatus", "wo": "Maintenance/WorkOrder",
           "derope": "Lifts/RopeDerailment", "evac": "Lifts/RopeEvacuation", "collision": "Patrol/VehicleCollision",
           "lostchild": "GuestServices/LostChild"},
    "gsw": {"lift": "BAHN_Betriebsdate", "gate": "ZUTRITT_Drehchrüz", "gun": "BESCHNEIIG_Kanone",
            "pump": "BESCHNEIIG_Pumpstation", "groom": "PISTE_Pischtemaschine", "snow": "WETTER_Schneemessfeld",
            "patrol": "RETTIG_Iisatz", "radio": "FUNK_Protokoll", "fault": "BAHN_Störig",
            "parking": "PARKIERIG_Parkplatz", "run": "PISTE_Zuestand", "wo": "UNDERHALT_Uftrag",
            "derope": "BAHN_Seilentgleisig", "evac": "BAHN_Bergig", "collision": "RETTIG_Kollision",
            "lostchild": "GÄSCHT_VermisstsChind"},
    "gd": {"lift": "àrdaichear-dàta", "gate": "geata-tiogaid", "gun": "gunna-sneachda", "pump": "taigh-pumpa",
           "groom": "inneal-rèiteachaidh", "snow": "stèisean-sneachda", "patrol": "tachartas-faire",
           "radio": "loga-rèidio", "fault": "àrdaichear-mearachd", "parking": "pàirc-chàraichean",
           "run": "staid-ruith", "wo": "òrdugh-obrach", "derope": "ròpa-far-nan-ceap",
           "evac": "falmhachadh-àrdaichear", "collision": "bualadh-carbaid", "lostchild": "leanabh-air-chall"},
}

# semantic name -> (en, gsw, gd)
_FIELDS: dict[str, tuple[str, str, str]] = {
    "lift": ("lift", "Aalaag", "àrdaichear"),
    "ltype": ("liftType", "Bahntyp", "seòrsa"),
    "lstate": ("state", "Zuestand", "staid"),
    "drive": ("drive", "Aatrieb", "inneal-slaodaidh"),
    "speed": ("ropeSpeedFpm", "Seilgschwindigkeit (m/s)", "luaths-ròpa_m-s"),
    "kw": ("drivePowerHp", "Aatriebsleistig (kW)", "cumhachd_kw"),
    "wind": ("windTopMph", "Wind Bergstation (km/h)", "gaoth-mhullach_mph"),
    "tension": ("haulRopeTensionKips", "Seilzug (kN)", "teannachadh-ròpa_kn"),
    "gear": ("gearboxOilF", "Getriiböl (°C)", "ola-giar_c"),
    "riders": ("ridersTotal", "Fahrgäscht total", "luchd-siubhail-iomlan"),
    "gate": ("gate", "Drehchrüz", "geata"),
    "ppm": ("scansPerMin", "Zutritt pro Minute", "sganaidhean-sa-mhionaid"),
    "rej": ("rejects", "Abgwiesnigi", "diùltaidhean"),
    "valid": ("validationsTotal", "Validierige total", "dearbhaidhean-iomlan"),
    "reason": ("lastRejectReason", "Letschte Grund", "adhbhar-mu-dheireadh"),
    "gun": ("gun", "Kanone", "gunna"),
    "gtype": ("gunType", "Typ", "seòrsa-gunna"),
    "wetbulb": ("wetBulbF", "Füechttemperatur (°C)", "teòthachd-fhliuch_c"),
    "gstate": ("gunState", "Betrieb", "staid-gunna"),
    "flow": ("waterFlowGpm", "Wassermängi (l/s)", "sruth-uisge_l-mion"),
    "pres": ("hydrantPsi", "Hydrantedruck (bar)", "bruthadh-uisge_bar"),
    "stage": ("nozzleStage", "Stuefe", "ìre-sròin"),
    "house": ("pumpHouse", "Pumpstation", "taigh-pumpa"),
    "pout": ("outletPsi", "Usgangsdruck (bar)", "bruthadh-a-mach_bar"),
    "mflow": ("flowGpm", "Förderstrom (m³/h)", "sruth_m3-u"),
    "lvl": ("pondLevelPct", "Speichersee (%)", "loch-stòraidh_pc"),
    "tmotor": ("motorTempF", "Motortemperatur (°C)", "teas-motair_c"),
    "kwh": ("energyKwh", "Energie total (kWh)", "lùth-iomlan_kwh"),
    "machine": ("cat", "Maschine", "inneal"),
    "driver": ("operator", "Fahrer", "draibhear"),
    "ehours": ("engineHours", "Betriebsstunde (h)", "uairean-einnsein"),
    "winch": ("winchKips", "Seilwinde (kN)", "uinnse_kn"),
    "coolant": ("coolantF", "Chüelwasser (°C)", "fuarachadh_c"),
    "fuel": ("fuelPct", "Tank (%)", "connadh_pc"),
    "area": ("groomedAcres", "Präpariert (ha)", "rèitichte_ha"),
    "station": ("plot", "Messfeld", "stèisean"),
    "alt": ("elevationFt", "Höchi (m ü. M.)", "àirde_m"),
    "tair": ("airTempF", "Lufttemperatur (°C)", "teòthachd-adhair_c"),
    "depth": ("snowDepthIn", "Schneehöchi (cm)", "doimhneachd-sneachda_cm"),
    "new24": ("newSnow24hIn", "Neuschnee 24h (cm)", "sneachd-ùr-24u_cm"),
    "tsnow": ("snowTempF", "Schneetemperatur (°C)", "teòthachd-sneachda_c"),
    "precip": ("precipType", "Niederschlag", "seòrsa-sileadh"),
    "incno": ("incidentNo", "Iisatznummer", "àireamh-tachartais"),
    "run": ("run", "Pischte", "ruith"),
    "jtype": ("jobType", "Iisatzart", "seòrsa-obrach"),
    "patroller": ("patroller", "Patrouilleur", "neach-faire"),
    "resp": ("responseMin", "Uusruckziit (min)", "ùine-freagairt_mion"),
    "note": ("notes", "Bemerkig", "nota"),
    "rseq": ("logSeq", "Lauf-Nr", "àireamh-loga"),
    "call": ("callSign", "Rufname", "ainm-gairm"),
    "chan": ("channel", "Kanal", "seanail"),
    "air": ("airtimeSec", "Sprechziit (s)", "ùine-craolaidh_d"),
    "fno": ("faultCode", "Störigsnummer", "còd-mearachd"),
    "ftext": ("faultText", "Störigstext", "teacsa-mearachd"),
    "fstate": ("faultState", "Status", "staid-mearachd"),
    "fdur": ("activeSec", "Aktiv (s)", "gnìomhach_d"),
    "occ": ("count24h", "Aazahl 24h", "àireamh-24u"),
    "lot": ("lot", "Parkplatz", "pàirc"),
    "occp": ("occupancyPct", "Belegig (%)", "làn_pc"),
    "carsin": ("carsInTotal", "Iifahrte total", "càraichean-a-steach"),
    "shuttle": ("shuttleWaitMin", "Wartezyt Bus (min)", "feitheamh-bus_mion"),
    "diff": ("difficulty", "Schwierigkeit", "duilgheadas"),
    "rstatus": ("runStatus", "Status Pischte", "staid-ruith"),
    "surface": ("surface", "Schneeart", "uachdar"),
    "groomed": ("groomed", "präpariert", "rèitichte"),
    "hsg": ("hoursSinceGroomed", "Stunde sit Präparation", "uairean-bho-rèiteachadh"),
    "wo": ("workOrder", "Uftragsnummer", "àireamh-òrduigh"),
    "asset": ("asset", "Objekt", "so-mhaoin"),
    "wtype": ("woType", "Uftragsart", "seòrsa-òrduigh"),
    "mech": ("mechanic", "Mechaniker", "meacanaig"),
    "hrs": ("laborHours", "Arbetsziit (h)", "uairean-obrach"),
    "tower": ("tower", "Stütze", "tùr"),
    "pax": ("ridersOnLine", "Passagier uf de Linie", "daoine-air-an-loidhne"),
    "method": ("method", "Methode", "dòigh"),
    "edur": ("durationMin", "Dauer (min)", "fad_mion"),
    "vehicle": ("vehicle", "Fahrzüüg", "carbad"),
    "injured": ("injured", "Verletzti", "leòinte"),
    "age": ("age", "Alter", "aois"),
    "place": ("lastSeen", "Zletscht gseh", "chunnacas-mu-dheireadh"),
}
_PRIO_KEYS = {
    "words": ("dispatchClass", "Iisatzklass", "clas-gairm"),
    "emoji": ("urgencyIcon", "Symbol", "ìomhaigh"),
    "roman": ("callClass", "Klass", "clas"),
    "fraction": ("urgencyRating", "Dringlichkeit", "èiginneachd"),
    "marks": ("flagMarks", "Markierig", "comharran"),
    "percent": ("urgencyIndex", "Index", "clàr-amais"),
    "target": ("responseTargetSec", "Zielziit (min)", "ùine-targaid"),
    "flag": ("heliRequested", "Heli aagforderet", "heileacoptair-iarrte"),
}

# -- units: semantic units are metric (deg C, km/h, cm, m, bar, l/s, m3/h, m/s, kW, kN, ha, %) ---------------
_DEC = {"speed": 2, "kw": 0, "wind": 0, "tension": 1, "gear": 1, "wetbulb": 1, "flow": 1, "pres": 1, "pout": 1,
        "mflow": 0, "lvl": 1, "tmotor": 1, "winch": 1, "coolant": 0, "fuel": 0, "area": 1, "tair": 1,
        "depth": 0, "new24": 0, "tsnow": 1, "resp": 0, "air": 0, "fdur": 0, "occp": 0, "shuttle": 0,
        "hsg": 1, "hrs": 1, "edur": 0, "alt": 0, "rej": 0, "ppm": 0}


@dataclass(frozen=True, slots=True)
class _Unit:
    to: Callable[[float], float]
    dec: int


def _lin(a: float, b: float = 0.0) -> Callable[[float], float]:
    return lambda x: a * x + b


_F = _lin(1.8, 32.0)
_PSI = _lin(14.5038)
_MPH = _lin(0.621371)
_IN = _lin(1 / 2.54)
_UNITS: dict[str, dict[str, _Unit]] = {
    "en": {"speed": _Unit(_lin(196.85), 0), "kw": _Unit(_lin(1.34102), 0), "wind": _Unit(_MPH, 0),
           "tension": _Unit(_lin(0.224809), 1), "gear": _Unit(_F, 0), "wetbulb": _Unit(_F, 1), "flow": _Unit(_lin(15.8503), 0),
           "pres": _Unit(_PSI, 0), "pout": _Unit(_PSI, 0), "mflow": _Unit(_lin(4.40287), 0),
           "tmotor": _Unit(_F, 0), "winch": _Unit(_lin(0.224809), 2), "coolant": _Unit(_F, 0),
           "area": _Unit(_lin(2.47105), 1), "tair": _Unit(_F, 0), "depth": _Unit(_IN, 0), "new24": _Unit(_IN, 1),
           "tsnow": _Unit(_F, 1), "alt": _Unit(_lin(3.28084), 0)},
    "gsw": {},
    "gd": {"wind": _Unit(_MPH, 0), "flow": _Unit(_lin(60.0), 0)},
}

# Anomaly-prone numbers per kind: semantic name -> (space, physical direction, semantic bounds).
_PRONE: dict[str, dict[str, tuple[str, int, float, float]]] = {
    "lift": {"wind": ("log", 1, 1.0, 250.0), "gear": ("lin", 1, -30.0, 160.0)},
    "gate": {"rej": ("log1p", 1, 0.0, 2000.0)},
    "gun": {"pres": ("lin", 0, 0.5, 120.0)},
    "pump": {"pout": ("lin", -1, 0.5, 150.0), "tmotor": ("lin", 1, -10.0, 200.0)},
    "groom": {"winch": ("log", 1, 0.5, 300.0), "coolant": ("lin", 1, 20.0, 140.0)},
    "snow": {"new24": ("log1p", 1, 0.0, 400.0)},
    "patrol": {"resp": ("log", 1, 0.5, 900.0)},
    "radio": {"air": ("log", 1, 1.0, 7200.0)},
    "fault": {"fdur": ("log", 1, 1.0, 900000.0)},
    "parking": {"shuttle": ("log", 1, 0.5, 900.0)},
    "run": {},
    "wo": {"hrs": ("log", 1, 0.05, 800.0)},
}
_SPREAD_FLOOR = {"log": 0.05, "log1p": 0.25}

# -- the dialects' words ------------------------------------------------------------------------------------
_WORDS = {"en": ("Log Only", "When Able", "Send Patrol", "Hot Call", "All Call"),
          "gsw": ("nume notiere", "wänn's gaht", "Patrouille schicke", "pressant", "alli uusrücke"),
          "gd": ("clàr a-mhàin", "nuair a ghabhas", "cuir sgioba", "cabhagach", "a h-uile sgioba")}
_EMOJI = ("⚪", "🔵", "🟡", "🟠", "🔴")
_ROMAN = ("I", "II", "III", "IV", "V")
_FRACTION = {"en": "{}/4", "gsw": "{} vo 4", "gd": "{} à 4"}
_MARK = {"en": "▲", "gsw": "+", "gd": "▲"}
_NO_MARKS = "—"
_PCT = {"en": "{}%", "gsw": "{} %", "gd": "{}%"}
_PCT_EDGES = (40, 60, 75, 90)
_TARGET_SEC = ((86400, 14400, 7200, 3600), (2700, 1800), (1200, 900), (600, 300), (120, 60))
_TARGET_EDGES = (3600, 1800, 900, 300)  # seconds: at or above the first is routine
_FLAG_WORDS = {"en": (False, True), "gsw": ("nei", "ja"), "gd": ("chan eil", "tha")}

_URGENT = {  # steps 1..4, inside a note or radio message (text worlds) and nowhere else
    "en": ("swing by when you get a chance", "need a patroller up here soon",
           "PRIORITY - injured skier, need a toboggan now", "MAYDAY MAYDAY - skier buried, all units respond"),
    "gsw": ("wänn ihr Ziit händ, chömed verbii", "mir bruuched bald en Patrouilleur",
            "PRESSANT! verletzte Skifahrer, Akia sofort", "NOTFALL! Lauene-Verschüttete, alli uusrücke"),
    "gd": ("nuair a bhios ùine agaibh", "feumaidh sinn neach-faire a dh'aithghearr",
           "CABHAG! sgithiche leònte, slaod an-dràsta", "ÈIGINN! neach fon t-sneachda, a h-uile sgioba"),
}
_CALM = {
    "en": ("no rush", "not urgent", "whenever you're free", "FYI", "nothing pressing", "can wait till sweep"),
    "gsw": ("pressiert nöd", "nöd dringend", "chan warte", "nume zur Info", "kei Stress"),
    "gd": ("chan eil cabhag", "chan eil e èiginneach", "faodaidh e feitheamh", "airson fiosrachaidh",
           "gun chabhag sam bith"),
}
_PATROL_NOTES = {
    "en": ("sweep of {run} done, clear", "bamboo and rope line reset at {run}", "lost ski recovered below {lift}",
           "assisted a guest down {run}, no injury", "closure sign put up at {run}", "checked the cornice above {run}",
           "guest with a sore knee, walked to the clinic", "moguls marked at the top of {run}",
           "pads replaced on the lift tower at {run}", "toboggan restocked at the top of {lift}",
           "snowboarder stuck in the flats on {run}, towed out", "hazard marker set at a rock on {run}"),
    "gsw": ("{run} abgfahre, alles sauber", "Absperrig bi {run} wieder gstellt", "verlorene Ski under {lift} gfunde",
            "Gascht sicher uf {run} abebegleitet, nüt passiert", "Sperrtafle bi {run} ufgstellt",
            "Wächte obe bi {run} kontrolliert", "Gascht mit Chnüüweh zum Arzt begleitet",
            "Buggel obe uf {run} markiert", "Polster a de Stütze bi {run} ersetzt", "Akia bi {lift} obe ufgfüllt",
            "Snowboarder im Flache uf {run} abgschleppt", "Gfahrestange bi eme Stei uf {run} gsetzt"),
    "gd": ("sguab air {run} deiseil, glan", "loidhne ròpa air ath-shuidheachadh aig {run}",
           "sgì air a lorg fo {lift}", "chuidich sinn aoigh sìos {run}, gun leòn",
           "soidhne dùnaidh suas aig {run}", "thug sinn sùil air a' bhàrr-fhuaim os cionn {run}",
           "aoigh le glùn goirt, choisich i chun a' chlionaig", "cnapan comharraichte aig mullach {run}",
           "padaichean ùra air an tùr aig {run}", "slaod air ath-lìonadh aig mullach {lift}",
           "bòrd-sneachda an sàs sa chòmhnard air {run}, air a shlaodadh", "comharra cunnairt aig creag air {run}"),
}
_RADIO = {
    "en": ("{call} to base, at the top of {lift}", "base copies, {call}", "{call} heading down {run} for sweep",
           "{call} on break at the patrol hut", "radio check, {call}, loud and clear", "{call} clear of {run}",
           "{call}, {lift} line is short, all good", "{call} requesting a snowmobile at the base of {lift}",
           "{call} back on the hill", "{call} copy, stand by"),
    "gsw": ("{call} a Basis, bi {lift} obe", "Basis verstande, {call}", "{call} fahrt {run} ab zum Kontrolliere",
            "{call} macht Pause i de Hütte", "Funkprob, {call}, guet verständlich", "{call}, {run} isch frei",
            "{call}, bi {lift} chuum Wartezyt", "{call} bruucht es Schneetöff unne bi {lift}",
            "{call} wieder uf de Pischte", "{call} verstande, warte"),
    "gd": ("{call} gu bunait, aig mullach {lift}", "bunait a' cluinntinn, {call}", "{call} a' dol sìos {run}",
           "{call} air fois sa bhothan", "deuchainn rèidio, {call}, soilleir", "{call} saor bho {run}",
           "{call}, ciudha goirid aig {lift}", "{call} ag iarraidh sgùtair-sneachda aig bonn {lift}",
           "{call} air ais air a' bheinn", "{call} a' cluinntinn, fuirich"),
}
_ACK = {
    "en": ("reset by {mech}", "known issue, see WO {wo}", "cleared on restart, no guests stopped",
           "reset per the lift manual", "bullwheel sensor wiped", "auto-cleared", "ack {mech}, running again"),
    "gsw": ("quittiert vo {mech}", "bekannt, lueg Uftrag {wo}", "nach Neustart weg, kei Gäscht blockiert",
            "zrugggsetzt nach Handbuech", "Sensor am Umlenkrad putzt", "vo sälber weg", "quittiert {mech}, lauft wieder"),
    "gd": ("ath-shuidhichte le {mech}", "duilgheadas aithnichte, faic òrdugh {wo}",
           "glanadh le ath-thòiseachadh, cha deach daoine a stad", "ath-shuidhichte a rèir an leabhair",
           "sensor na cuibhle air a ghlanadh", "ghlan e leis fhèin", "dearbhte le {mech}, a' ruith a-rithist"),
}
_WO_NOTES = {
    "en": ("replace sheave liners on tower {n} of {asset}", "grease the {asset} gearbox", "adjust the grip on chair {n}",
           "inspect the haul rope splice on {asset}", "replace the hydrant valve at {asset}",
           "change the hydraulic oil on {asset}", "check the tensioning carriage on {asset}", "recalibrate the anemometer on {asset}"),
    "gsw": ("Rollefüetter a Stütze {n} vo {asset} ersetze", "Getriib vo {asset} schmiere", "Klemme a Sässel {n} iistelle",
            "Spleiss vom Förderseil a {asset} kontrolliere", "Hydranteventil bi {asset} ersetze",
            "Hydrauliköl a {asset} wächsle", "Spannwage a {asset} prüefe", "Windmesser a {asset} neu kalibriere"),
    "gd": ("cuir linidhean ùra air tùr {n} aig {asset}", "cuir ola air a' ghiar aig {asset}",
           "ceartaich an greim air cathair {n}", "sgrùd ceangal an ròpa air {asset}",
           "cuir bhalbha ùr air {asset}", "atharraich an ola aig {asset}",
           "thoir sùil air a' charbad-teannachaidh aig {asset}", "ath-chalabrachadh an anemometer air {asset}"),
}
_DEROPE_NOTES = {
    "en": ("haul rope off the sheaves at tower {n}, line stopped", "rope out of the sheave train at tower {n}, guests on line"),
    "gsw": ("Förderseil a de Stütze {n} entgleist, Bahn gstoppt", "Seil us de Rollebatterie bi Stütze {n}, Gäscht uf de Linie"),
    "gd": ("ròpa far nan ceap aig tùr {n}, an loidhne air stad", "ròpa a-mach às na ceapan aig tùr {n}, daoine air an loidhne"),
}
_FAULTS = {
    "en": ("Wind Speed High Top Terminal", "Rope Position Fault Tower 7", "Brake Pad Wear Warning",
           "Gearbox Oil Temp High", "Drive Motor Overcurrent", "Tension Carriage Out Of Range",
           "Emergency Stop Button Pressed", "Chair Spacing Fault", "Gate Photo Eye Blocked",
           "UPS On Battery", "Anemometer Signal Lost", "Grip Force Low", "Return Terminal Door Open",
           "Communication Line Fault", "Auxiliary Drive Not Ready", "Bullwheel Speed Mismatch"),
    "gsw": ("Wind Bergstation z'hööch", "Seillagestörig Stütze 7", "Bremsbelag abgnutzt", "Getriibölteperatur hööch",
            "Überstrom Aatriebsmotor", "Spannwage usserhalb Bereich", "Nothalt drückt", "Sässelabstand Fähler",
            "Liechtschranke Drehchrüz blockiert", "USV uf Batterii", "Windmesser kei Signal", "Klemmkraft z'tüüf",
            "Tür Talstation offe", "Sicherheitslinie Störig", "Notaatrieb nöd bereit", "Umlenkrad Drehzahl Abwiichig"),
    "gd": ("gaoth àrd aig a' mhullach", "ròpa às àite aig tùr 7", "pada-breice caithte", "ola a' ghiar ro theth",
           "cus sruth sa mhotair", "carbad-teannachaidh a-mach à raon", "putan stad-èiginn brùite",
           "beàrn chathraichean ceàrr", "sùil-sholais a' gheata dùinte", "UPS air bataraidh",
           "gun chomharra bhon anemometer", "greim ro lag", "doras a' bhonn fosgailte", "loidhne conaltraidh briste",
           "inneal-cùl-taic gun a bhith deiseil", "luaths na cuibhle ceàrr"),
}
_LIFTS = {  # (name, type index): 0 chairlift, 1 gondola, 2 surface lift
    "en": (("Summit Express", 0), ("Aspen Quad", 0), ("Eagle Gondola", 1), ("Ridge T-Bar", 2), ("Bear Cub", 2),
           ("Timberline Six", 0), ("North Face Triple", 0), ("Powder Bowl Lift", 0), ("Village Gondola", 1),
           ("Poma 4", 2), ("Lone Pine Quad", 0), ("Sunrise Chair", 0)),
    "gsw": (("Sässelbahn Furgg", 0), ("Gondelbahn Sunnegga", 1), ("Skilift Blauherd", 2), ("Sässelbahn Rothorn", 0),
            ("Bügellift Riffelberg", 2), ("Gondle Hohtälli", 1), ("Sässelbahn Schwarzsee", 0), ("Skilift Gant", 2),
            ("Sässelbahn Kumme", 0), ("Gondelbahn Trockener Steg", 1), ("Sässelbahn Patrullarve", 0)),
    "gd": (("Cathair a' Chnuic", 0), ("Ceàrdach", 2), ("Sgùrr Mòr", 0), ("Coire Cas", 1), ("Càrn Bàn", 2),
           ("Gleann Dubh", 0), ("Allt Mòr", 2), ("Stob Dearg", 0), ("Beinn Bhuidhe", 1), ("Lochan", 2),
           ("Ciste Mhearad", 0)),
}
_LTYPES = {"en": ("CHAIR", "GONDOLA", "SURFACE"), "gsw": ("Sässelbahn", "Gondelbahn", "Schlepplift"),
           "gd": ("cathair", "gondola", "slaodan")}
_LSTATES = {"en": ("RUN", "STOP"), "gsw": ("in Betrieb", "gstoppt"), "gd": ("a' ruith", "air stad")}
_DRIVES = {"en": ("MAIN", "AUX"), "gsw": ("Hauptaatrieb", "Notaatrieb"), "gd": ("prìomh", "cùl-taic")}
_REASONS = {"en": ("NONE", "EXPIRED", "WRONG_ZONE", "PASSBACK", "STOLEN"),
            "gsw": ("kei", "abglaufe", "falschi Zone", "Doppelnutzig", "gstohle gmäldet"),
            "gd": ("chan eil", "air ruith a-mach", "sòn ceàrr", "cleachdadh dùbailte", "air a ghoid")}
_GTYPES = {"en": ("FAN", "LANCE"), "gsw": ("Propeller", "Lanze"), "gd": ("fan", "lansa")}
_GSTATES = {"en": ("MAKING", "OFF"), "gsw": ("Produktion", "us"), "gd": ("a' dèanamh", "dheth")}
_PRECIP = {"en": ("NONE", "SNOW", "GRAUPEL", "FREEZING_RAIN"), "gsw": ("kei", "Schnee", "Riisel", "Iisräge"),
           "gd": ("chan eil", "sneachd", "grèidh", "uisge-reòthte")}
_JTYPES = {"en": ("SWEEP", "ASSIST", "FIRST_AID", "LOST_ITEM", "SIGNAGE", "HAZARD"),
           "gsw": ("Kontrollfahrt", "Hilf", "Erschti Hilf", "Fundsache", "Signalisation", "Gfahrestell"),
           "gd": ("sguabadh", "cuideachadh", "ciad-fhuasgladh", "rud-caillte", "soidhneachadh", "cunnart")}
_DIFFS = {"en": ("GREEN", "BLUE", "BLACK", "DBL_BLACK"), "gsw": ("blau", "rot", "schwarz"),
          "gd": ("uaine", "gorm", "dearg", "dubh")}
_RSTATUS = {"en": ("OPEN", "CLOSED"), "gsw": ("offe", "gsperrt"), "gd": ("fosgailte", "dùinte")}
_SURFACES = {"en": ("PACKED_POWDER", "POWDER", "MACHINE_GROOMED", "SPRING", "VARIABLE"),
             "gsw": ("griffig", "Pulver", "präpariert", "Sulz", "wechselnd"),
             "gd": ("teann", "fùdar", "rèitichte", "earrach", "caochlaideach")}
_RUNS = {
    "en": ("Outer Limits", "Lower Boomer", "Prospector", "Big Dipper", "Spruce Glade", "Windows", "Corkscrew",
           "Lift Line", "Homeward Bound", "Ptarmigan", "Upper Stampede", "Fool's Gold", "Lazy Daisy", "Wild Card",
           "Elk Trail", "Dragon Tail", "Rendezvous", "Grizzly Face", "Cabin Run", "Silver Queen"),
    "gsw": ("Kumme", "Triftji", "Standard", "Furggsattel", "Weisse Perle", "National", "Rotboden", "Tuftere",
            "Gant", "Stafelalp", "Riffelalp", "Hohtälli", "Moos", "Breitboden", "Findel", "Obere Wengen",
            "Schweigmatten", "Stockhorn", "Sunnegga", "Gornergrat"),
    "gd": ("An t-Slighe Bhàn", "Coire na Ciste", "Fiacaill", "Am Bealach", "Sròn na Lairige", "Lochan Run",
           "Allt Creag an Leth-choin", "Ptarmigan", "Sneachda", "An Garbh-choire", "Creag Dhubh", "Tom na Sròine",
           "Cas Bheag", "Coire Bhrochain", "Sgòr an Lochain", "An Lairig", "Bealach Dearg", "Meall a' Bhuachaille",
           "Druim na Coille", "Sloc Dubh"),
}
_LOTS = {"en": ("Lot A", "Lot B", "Alpine Lot", "Gold Lot", "Overflow"),
         "gsw": ("P1 Talstation", "P2 Matterhorn", "Parkhaus Dorf", "P4 Täsch", "Bahnhofplatz"),
         "gd": ("Pàirc a' Bhonn", "Pàirc Coire Cas", "Pàirc Shìos", "Pàirc Ùr", "Pàirc an Locha")}
_PEOPLE = {"en": ("J. Harper", "K. Olsen", "D. Ruiz", "S. Yamada", "T. Brennan", "M. Kowal", "A. Lund", "R. Tate",
                  "L. Moreau", "B. Okafor", "C. Dunn", "E. Walsh"),
           "gsw": ("Aebischer", "Imboden", "Zurbriggen", "Julen", "Perren", "Biner", "Taugwalder", "Lauber",
                   "Kronig", "Furrer", "Summermatter", "Inderbinen"),
           "gd": ("Ealasaid", "Ruairidh", "Catrìona", "Dòmhnall", "Mòrag", "Seumas", "Iain Beag", "Peigi",
                  "Calum", "Anna NicLeòid", "Tormod", "Oighrig")}
_CALLS = {"en": "Patrol {n}", "gsw": "Rettig {n}", "gd": "Faire {n}"}
_WTYPES = {"en": ("PM", "CORRECTIVE", "INSPECTION", "ROPE"), "gsw": ("Wartig", "Reparatur", "Kontrolle", "Seil"),
           "gd": ("cumail-suas", "càradh", "sgrùdadh", "ròpa")}
_METHODS = {"en": ("ROPE_LOWER", "AUX_DRIVE_RETURN", "HELI"), "gsw": ("Abseile", "Notbetrieb zrugg", "Heli"),
            "gd": ("sìos le ròpa", "cùl-taic air ais", "heileacoptair")}
_VEHICLES = {"en": ("GROOMER", "SNOWMOBILE", "UTV"), "gsw": ("Pischtemaschine", "Schneetöff", "Quad"),
             "gd": ("inneal-rèiteachaidh", "sgùtair-sneachda", "carbad beag")}
_PLACES = {"en": ("base lodge", "top of {lift}", "ski school meeting area", "rental shop"),
           "gsw": ("Talstation", "obe bi {lift}", "Skischuel-Träffpunkt", "Vermietig"),
           "gd": ("taigh a' bhonn", "mullach {lift}", "àite coinneachaidh na sgoile", "bùth-màil")}
_RARE_VALUES = {"en": {"drive": "AUX", "reason": "STOLEN", "precip": "FREEZING_RAIN"},
                "gsw": {"drive": "Notaatrieb", "reason": "gstohle gmäldet", "precip": "Iisräge"},
                "gd": {"drive": "cùl-taic", "reason": "air a ghoid", "precip": "uisge-reòthte"}}
_RETYPE = {
    "en": (("Express", "Exp."), ("Quad", "4"), ("Patrol ", "P"), ("Gondola", "Gond."), ("Lift", "Lft"),
           ("MACHINE_GROOMED", "GROOMED"), ("PACKED_POWDER", "PP"), ("the ", "")),
    "gsw": (("Sässelbahn", "SB"), ("Gondelbahn", "GB"), ("Skilift", "SL"), ("Rettig", "R"), ("isch", "ist"),
            ("nöd", "nicht"), ("Parkplatz", "PP")),
    "gd": (("Cathair", "Cath."), ("àrdaichear", "àrd."), ("Faire ", "F"), ("Pàirc", "P."), ("an ", "'n "),
           ("sneachda", "sn.")),
}
_ASSET_KIND = {"en": "Cat", "gsw": "PB", "gd": "Inneal"}


@dataclass(slots=True)
class Spread:
    """A (kind, field)'s routine centre and spread, as written (in its space), with its bounds as written."""

    space: str
    direction: int
    center: float
    spread: float
    lo: float
    hi: float


@dataclass(slots=True)
class _Lift:
    name: str
    ltype: int
    rated: float  # m/s
    kw: float
    tension: float  # kN
    wind0: float  # km/h, the top station's median
    uptime: float
    riders: int


@dataclass(slots=True)
class _Gun:
    name: str
    lance: bool
    p0: float
    flow0: float
    stages: int


class SkiWorkload(BurstStream):
    """A held-out ski-area world (see the module docstring). Deterministic in ``seed``."""

    KIND_NAMES = _KINDS
    PRIORITY_KINDS = PRIORITY_KINDS

    def __init__(self, seed: int) -> None:
        self._r = r = random.Random(f"holdout-ski/{seed}")
        self.dialect: str = r.choice(DIALECTS)
        d = self.dialect
        self.prio_mode: str = r.choice(PRIORITY_MODES)
        self.prio_key: str | None = None if self.prio_mode == "text" else \
            _PRIO_KEYS[self.prio_mode][DIALECTS.index(d)]
        picked: list[str] = []
        while not PRIORITY_KINDS & set(picked):
            picked = r.sample(COMMON_KINDS, r.randint(4, 6))
        self.common: tuple[str, ...] = tuple(k for k in COMMON_KINDS if k in picked)
        rare = r.sample(RARE_KINDS, r.randint(1, 3))
        self.rare: tuple[str, ...] = tuple(k for k in RARE_KINDS if k in rare)
        heavy = {"lift": 2.2, "gate": 1.6, "gun": 1.5, "radio": 1.3, "snow": 0.7}
        self.weights = {k: r.lognormvariate(0.0, 0.5) * heavy.get(k, 1.0) for k in self.common}
        self.rare_share = {k: r.uniform(0.0015, 0.011) for k in self.rare}
        n_origins = r.randint(3, 10)
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-ski-node/{seed}/{i}".encode()).digest()).peer_id
            for i in range(n_origins)]
        self._origin_cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.2 for i in range(n_origins)))
        self.snowmaking_origin = r.randrange(n_origins)  # guns and pump houses
        self.dispatch_origin = r.randrange(n_origins)  # the radio log
        self.telematics_origin = r.randrange(n_origins)  # the groomer fleet
        self.cmms_origin = r.randrange(n_origins)  # work orders
        self.mean_gap = r.choice((300.0, 1000.0, 3000.0, 9000.0))
        self.clumpy = r.random() < 0.35  # handhelds and telematics upload in clumps
        self.burst_period = r.uniform(0.02, 0.15)
        self.copy_memory = r.uniform(15.0, 150.0)
        self.rates = {"dup": r.uniform(0.03, 0.065), "near": r.uniform(0.06, 0.11),
                      "burst": r.uniform(0.005, 0.013), "resend": r.uniform(0.008, 0.018)}
        self.anomaly_rate = r.uniform(0.016, 0.036)
        self.keys: dict[str, str] = {s: names[DIALECTS.index(d)] for s, names in _FIELDS.items()}
        self.kind_of: dict[str, str] = {v: k for k, v in _KINDS[d].items()}
        self._rare_values = frozenset(_RARE_VALUES[d].values())
        self._units = {s: _UNITS[d].get(s) or _Unit(float, _DEC[s]) for s in _DEC}
        self._dec = {self.keys[s]: u.dec for s, u in self._units.items()}
        self._cum: dict[tuple[int, float], list[float]] = {}
        self._build(r)
        self._fixed = frozenset(self.keys[s] for s in (*COUNTERS, "occ", "stage", "fno", "tower", "chan", "alt",
                                                         "pax", "injured", "age", "ppm", "rej"))
        self._caps = {self.keys[s]: (0.0, 100.0) for s in ("lvl", "occp", "fuel")}
        self.stats: dict[str, dict[str, Spread]] = {}
        self.stats = self._measure_spreads()
        self._archive: list[tuple[str, int, dict[str, object], float]] = []
        self._last_ts = 0

    # -- the mountain -----------------------------------------------------------------------------------------
    def _build(self, r: random.Random) -> None:
        d = self.dialect
        rated = (5.0, 6.0, 3.2)
        kw = (450.0, 900.0, 110.0)
        tension = (260.0, 520.0, 38.0)
        self.lifts = [
            _Lift(name, t, rated[t] * r.uniform(0.9, 1.05), kw[t] * r.uniform(0.7, 1.3), tension[t] * r.uniform(0.8, 1.25),
                  r.uniform(12.0, 35.0), r.uniform(0.8, 0.94), r.randint(10**4, 5 * 10**6))
            for name, t in r.sample(_LIFTS[d], r.randint(3, 9))]
        self.gates: list[tuple[str, _Lift, float]] = []
        self._valid: dict[str, int] = {}
        for lift in self.lifts:
            for g in range(1, r.randint(1, 2) + 1):
                gname = {"en": f"{lift.name} G{g}", "gsw": f"{lift.name} D{g}", "gd": f"{lift.name} {g}"}[d]
                self.gates.append((gname, lift, r.uniform(2.0, 14.0)))
                self._valid[gname] = r.randint(10**4, 3 * 10**6)
        self.gear0 = r.uniform(38.0, 55.0)
        self.hydrant0 = r.uniform(18.0, 45.0)  # the hydrant network's pressure
        self.guns: list[_Gun] = []
        for n in sorted(r.sample(range(1, 240), r.randint(6, 30))):
            lance = r.random() < 0.4
            name = {"en": f"SM-{n:03d}", "gsw": f"{'L' if lance else 'P'}{n:03d}", "gd": f"gunna {n}"}[d]
            self.guns.append(_Gun(name, lance, self.hydrant0 + r.gauss(0.0, 0.6),
                                  r.uniform(1.0, 3.0) if lance else r.uniform(4.0, 9.0), 1 if lance else r.randint(3, 6)))
        self.wb0 = r.uniform(-9.0, -4.0)
        self.houses = [{"en": f"PH{n}", "gsw": f"Pumpi {n}", "gd": f"taigh {n}"}[d] for n in range(1, r.randint(1, 3) + 1)]
        pout0, tmotor0 = r.uniform(30.0, 60.0), r.uniform(50.0, 65.0)  # one network, one motor type
        self._house = {h: (pout0 + r.gauss(0.0, 0.4), r.uniform(150.0, 700.0), tmotor0 + r.gauss(0.0, 0.5))
                       for h in self.houses}
        self._lvl = {h: r.uniform(20.0, 95.0) for h in self.houses}
        self._kwh = {h: r.randint(10**5, 9 * 10**6) for h in self.houses}
        people = list(_PEOPLE[d])
        r.shuffle(people)
        self.drivers = people[:r.randint(2, 4)]
        self.patrollers = people[len(self.drivers):len(self.drivers) + r.randint(2, 4)]
        self.mechs = people[len(self.drivers) + len(self.patrollers):][:r.randint(2, 3)]
        self.machines = [f"{_ASSET_KIND[d]} {n:02d}" for n in sorted(r.sample(range(1, 40), r.randint(2, 7)))]
        self._ehours = {m: r.randint(800, 14000) for m in self.machines}
        self.winch0 = r.uniform(15.0, 45.0)
        self.coolant0 = r.uniform(84.0, 92.0)
        alt_lo, alt_hi = {"en": (2800.0, 3900.0), "gsw": (1600.0, 3800.0), "gd": (500.0, 1150.0)}[d]
        plots = r.sample(_RUNS[d], r.randint(2, 5))
        self.stations = sorted(((f"{name} {i}", round(r.uniform(alt_lo, alt_hi), -1))
                                for i, name in enumerate(plots, 1)), key=lambda x: x[1])
        self._depth = {s: r.uniform(40.0, 220.0) for s, _ in self.stations}
        self._tair0 = r.uniform(-12.0, -1.0)
        runs = r.sample(_RUNS[d], r.randint(8, min(20, len(_RUNS[d]))))
        self.runs = [(run, r.choice(_DIFFS[d])) for run in runs]
        self._incno = r.randint(100, 9000)
        self._rseq = r.randint(1000, 900000)
        self.calls = [_CALLS[d].format(n=n) for n in sorted(r.sample(range(1, 40), r.randint(4, 10)))]
        self.resp0 = r.uniform(4.0, 9.0)
        self.air0 = r.uniform(6.0, 15.0)
        fault_texts = r.sample(range(len(_FAULTS[d])), r.randint(9, 16))
        codes = r.sample(range(100, 9999), len(fault_texts))
        self.catalogue = [(c, _FAULTS[d][i]) for c, i in zip(codes, fault_texts, strict=True)]
        self.fdur0 = r.uniform(15.0, 150.0)
        self.lots = r.sample(_LOTS[d], r.randint(1, 4))
        self._occp = {lot: r.uniform(10.0, 95.0) for lot in self.lots}
        self._carsin = {lot: r.randint(10**4, 2 * 10**6) for lot in self.lots}
        self.shuttle0 = r.uniform(4.0, 12.0)
        self._wo = r.randint(1000, 90000)
        self.hrs0 = r.uniform(1.0, 5.0)
        self.yy = r.randint(24, 27)
        self.assets = [*(lift.name for lift in self.lifts), *self.machines, *self.houses]
        self._origin_of: dict[str, int] = {}
        for e in [*(lift.name for lift in self.lifts), *self.machines, *(s for s, _ in self.stations),
                  *self.patrollers, *self.lots, *(run for run, _ in self.runs)]:
            self._origin_of[e] = self._zipf_origin()

    def _zipf_origin(self) -> int:
        return self._r.choices(range(len(self.origins)), cum_weights=self._origin_cum)[0]

    def _zipf(self, seq: Sequence[_T], s: float = 1.0) -> _T:
        cum = self._cum.get((len(seq), s))
        if cum is None:
            cum = self._cum[(len(seq), s)] = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(seq))))
        return seq[bisect.bisect_right(cum, self._r.random() * cum[-1])]

    # -- spreads ---------------------------------------------------------------------------------------------
    def _measure_spreads(self) -> dict[str, dict[str, Spread]]:
        """Median and spread (central 95% width / 3.92) of each anomaly-prone field as written, from 600 routine
        draws that leave the world's state untouched."""
        out: dict[str, dict[str, Spread]] = {}
        for kind in self.common:
            prone = _PRONE[kind]
            out[kind] = {}
            if not prone:
                continue
            draws = [self._write({s: v for s, v in self._draw(kind, False)[0].items() if s in prone}) for _ in range(600)]
            for sem, (space, direction, lo, hi) in prone.items():
                key = self.keys[sem]
                xs = sorted(_space(float(f[key]), space) for f in draws)  # type: ignore[arg-type]
                lo_i, hi_i = int(0.025 * len(xs)), int(0.975 * len(xs)) - 1
                floor = _SPREAD_FLOOR.get(space, 2.0 * 10.0 ** -self._units[sem].dec)
                u = self._units[sem]
                a, b = u.to(lo), u.to(hi)
                out[kind][key] = Spread(space, direction if b >= a else -direction, xs[len(xs) // 2],
                                        max((xs[hi_i] - xs[lo_i]) / 3.92, floor), min(a, b), max(a, b))
        return out

    # -- drawing (semantic units) ----------------------------------------------------------------------------
    def _draw(self, kind: str, live: bool = True) -> tuple[dict[str, object], int]:
        drawer: Callable[[bool], tuple[dict[str, object], int]] = getattr(self, f"_draw_{kind}")
        return drawer(live)

    def _draw_lift(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        lift = self._zipf(self.lifts, 0.7)
        running = r.random() < lift.uptime
        if live and running:
            lift.riders += r.randint(5, 120)
        return {"lift": lift.name, "ltype": _LTYPES[d][lift.ltype], "lstate": _LSTATES[d][0 if running else 1],
                "drive": _DRIVES[d][0], "speed": lift.rated * r.gauss(1.0, 0.008) if running else 0.0,
                "kw": lift.kw * r.lognormvariate(-0.2, 0.15) if running else 0.0,
                "wind": r.lognormvariate(math.log(lift.wind0), 0.42), "tension": r.gauss(lift.tension, 0.012 * lift.tension),
                "gear": r.gauss(self.gear0, 2.0),
                "riders": lift.riders}, self._origin_of[lift.name]

    def _draw_gate(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        gate, lift, lam = self._zipf(self.gates, 0.6)
        ppm = _poisson(r, lam)
        if live:
            self._valid[gate] += ppm
        rej = 0 if r.random() < 0.72 else 1 + int(r.expovariate(1.0 / 1.3))
        reason = _REASONS[d][0] if rej == 0 else r.choice(_REASONS[d][1:4])
        return {"gate": gate, "lift": lift.name, "ppm": ppm, "rej": float(rej), "valid": self._valid[gate],
                "reason": reason}, self._origin_of[lift.name]

    def _draw_gun(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        gun = self._zipf(self.guns, 0.5)
        wb = r.gauss(self.wb0, 1.2)
        making = wb < -2.5 and r.random() < 0.8
        return {"gun": gun.name, "gtype": _GTYPES[d][int(gun.lance)], "wetbulb": wb,
                "gstate": _GSTATES[d][0 if making else 1], "flow": gun.flow0 * r.gauss(1.0, 0.04) if making else 0.0,
                "pres": r.gauss(gun.p0, 0.7), "stage": r.randint(1, gun.stages) if making else 0}, self.snowmaking_origin

    def _draw_pump(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        house = self._zipf(self.houses, 0.8)
        p0, q0, t0 = self._house[house]
        lvl = min(100.0, max(0.0, self._lvl[house] + r.uniform(-3.0, 3.0)))
        if live:
            self._lvl[house] = lvl
            self._kwh[house] += r.randint(10, 900)
        return {"house": house, "pout": r.gauss(p0, 0.6), "mflow": r.lognormvariate(math.log(q0), 0.25),
                "lvl": lvl, "tmotor": r.gauss(t0, 1.5), "kwh": self._kwh[house]}, self.snowmaking_origin

    def _draw_groom(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        m = self._zipf(self.machines, 0.6)
        if live and r.random() < 0.3:
            self._ehours[m] += 1
        return {"machine": m, "driver": r.choice(self.drivers), "ehours": self._ehours[m],
                "winch": r.lognormvariate(math.log(self.winch0), 0.25), "coolant": r.gauss(self.coolant0, 1.5),
                "fuel": r.uniform(12.0, 100.0), "area": r.lognormvariate(math.log(3.0), 0.5)}, self.telematics_origin

    def _draw_snow(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        station, alt = self._zipf(self.stations, 0.5)
        new24 = 0.0 if r.random() < 0.62 else r.lognormvariate(math.log(5.0), 0.7)
        depth = max(0.0, self._depth[station] + r.uniform(-1.5, 1.5) + 0.3 * new24)
        if live:
            self._depth[station] = depth
        tair = r.gauss(self._tair0 - 0.0065 * (alt - 2000.0), 2.5)
        precip = _PRECIP[d][0] if new24 == 0.0 else r.choice(_PRECIP[d][1:3])
        return {"station": station, "alt": alt, "tair": tair, "depth": depth, "new24": new24,
                "tsnow": min(0.0, r.gauss(-3.0, 1.2)), "precip": precip}, self._origin_of[station]

    def _draw_patrol(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._incno += 1
        p = r.choice(self.patrollers)
        run = r.choice(self.runs)[0]
        return {"incno": self._inc_id(self._incno), "run": run, "jtype": r.choices(_JTYPES[d], (6, 3, 2, 2, 2, 1))[0],
                "patroller": p, "resp": r.lognormvariate(math.log(self.resp0), 0.45),
                "note": self._fill(r.choice(_PATROL_NOTES[d]), run=run) if live else ""}, self._origin_of[p]

    def _draw_radio(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        if live:
            self._rseq += 1
        call = r.choice(self.calls)
        return {"rseq": self._rseq, "call": call, "chan": r.choices((1, 2, 3, 4), (5, 3, 1, 1))[0],
                "air": r.lognormvariate(math.log(self.air0), 0.5),
                "note": self._fill(r.choice(_RADIO[self.dialect]), call=call) if live else ""}, self.dispatch_origin

    def _draw_fault(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        code, text = self._zipf(self.catalogue, 0.9)
        lift = self._zipf(self.lifts, 0.7)
        return {"fno": code, "ftext": text, "lift": lift.name,
                "fstate": {"en": ("ON", "OFF"), "gsw": ("chunnt", "gaht"), "gd": ("air", "dheth")}[self.dialect][
                    0 if r.random() < 0.55 else 1],
                "fdur": max(1.0, r.lognormvariate(math.log(self.fdur0), 1.0)), "occ": 1 + _poisson(r, 1.5),
                "note": self._fill(r.choice(_ACK[self.dialect])) if live else ""}, self._origin_of[lift.name]

    def _draw_parking(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        lot = self._zipf(self.lots, 0.8)
        occ = self._occp[lot] + r.uniform(-5.0, 6.0)
        occ = 100.0 if occ >= 100.0 else max(0.0, occ)
        if live:
            self._occp[lot] = occ
            self._carsin[lot] += r.randint(0, 25)
        return {"lot": lot, "occp": occ, "carsin": self._carsin[lot],
                "shuttle": r.lognormvariate(math.log(self.shuttle0), 0.35)}, self._origin_of[lot]

    def _draw_run(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        run, diff = self._zipf(self.runs, 0.4)
        groomed = r.random() < 0.6
        return {"run": run, "diff": diff, "rstatus": _RSTATUS[d][0 if r.random() < 0.85 else 1],
                "surface": _SURFACES[d][2] if groomed else r.choice(_SURFACES[d]), "groomed": groomed,
                "hsg": r.uniform(0.5, 8.0) if groomed else r.uniform(8.0, 48.0)}, self._origin_of[run]

    def _draw_wo(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._wo += r.randint(1, 5)
        asset = r.choice(self.assets)
        return {"wo": self._wo_id(self._wo), "asset": asset, "wtype": r.choices(_WTYPES[d], (5, 3, 2, 1))[0],
                "mech": r.choice(self.mechs), "hrs": r.lognormvariate(math.log(self.hrs0), 0.75),
                "note": self._fill(r.choice(_WO_NOTES[d]), asset=asset) if live else ""}, self.cmms_origin

    def _draw_derope(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        lift = r.choice(self.lifts)
        tower = r.randint(2, 24)
        return {"lift": lift.name, "tower": tower, "pax": _poisson(r, 25.0) + 1,
                "note": r.choice(_DEROPE_NOTES[self.dialect]).format(n=tower)}, self._origin_of[lift.name]

    def _draw_evac(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        lift = r.choice(self.lifts)
        return {"lift": lift.name, "pax": 5 + _poisson(r, 60.0), "method": r.choice(_METHODS[self.dialect]),
                "edur": r.uniform(40.0, 200.0)}, self._origin_of[lift.name]

    def _draw_collision(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        run = r.choice(self.runs)[0]
        return {"run": run, "vehicle": r.choice(_VEHICLES[self.dialect]), "injured": 1 + int(r.random() < 0.2),
                "patroller": r.choice(self.patrollers)}, self.dispatch_origin

    def _draw_lostchild(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        place = r.choice(_PLACES[self.dialect]).format(lift=r.choice(self.lifts).name)
        return {"age": r.randint(4, 12), "place": place, "call": r.choice(self.calls)}, self.dispatch_origin

    def _inc_id(self, n: int) -> str:
        return {"en": f"PT{self.yy}-{n:05d}", "gsw": f"E{n:06d}", "gd": f"T/{self.yy}/{n:05d}"}[self.dialect]

    def _wo_id(self, n: int) -> str:
        return {"en": f"WO{n:06d}", "gsw": f"UH-{n:06d}", "gd": f"OO{n:06d}"}[self.dialect]

    def _fill(self, template: str, **given: str) -> str:
        r = self._r
        slots: dict[str, Callable[[], object]] = {
            "run": lambda: r.choice(self.runs)[0], "lift": lambda: r.choice(self.lifts).name,
            "call": lambda: r.choice(self.calls), "mech": lambda: r.choice(self.mechs),
            "wo": lambda: self._wo_id(self._wo - r.randint(0, 200)), "n": lambda: r.randint(1, 24),
            "asset": lambda: r.choice(self.assets)}
        names = [p.split("}", 1)[0] for p in template.split("{")[1:]]
        return template.format_map({n: given[n] if n in given else slots[n]() for n in dict.fromkeys(names)})

    # -- writing ---------------------------------------------------------------------------------------------
    def _quant(self, key: str, x: float) -> int | float:
        dec = self._dec[key]
        return int(round(x)) if dec == 0 else round(x, dec)

    def _write(self, sem: dict[str, object]) -> dict[str, object]:
        """Semantic fields -> this dialect's names, units and rounding."""
        out: dict[str, object] = {}
        for s, v in sem.items():
            key = self.keys[s]
            out[key] = self._quant(key, self._units[s].to(v)) if s in self._units and isinstance(v, float) else v
        return out

    # -- truth -----------------------------------------------------------------------------------------------
    def _k_of(self, kind: str, key: str, f: dict[str, object]) -> float:
        s = self.stats[kind][key]
        return abs(_space(float(f[key]), s.space) - s.center) / s.spread  # type: ignore[arg-type]

    def anomaly_k(self, kind: str, fields: dict[str, object]) -> float:
        """The largest distance, in spreads, of an anomaly-prone number from its (kind, field) median."""
        return max((self._k_of(kind, key, fields) for key in self.stats.get(kind, {}) if key in fields), default=0.0)

    def priority_value(self, kind: str, fields: dict[str, object]) -> float:
        """Explicit priority (0..1) as the world's form writes it."""
        if kind not in CARRIERS:
            return 0.0
        mode, d = self.prio_mode, self.dialect
        if mode == "text":
            note = str(fields.get(self.keys["note"], ""))
            return max((STEP_STRENGTH[i] for i, p in enumerate(_URGENT[d], 1) if p in note), default=0.0)
        v = fields[str(self.prio_key)]
        if mode == "words":
            return STEP_STRENGTH[_WORDS[d].index(str(v))]
        if mode == "emoji":
            return STEP_STRENGTH[_EMOJI.index(str(v))]
        if mode == "roman":
            return STEP_STRENGTH[_ROMAN.index(str(v))]
        if mode == "fraction":
            return STEP_STRENGTH[int(str(v).split()[0].split("/")[0])]
        if mode == "marks":
            return 0.0 if v == _NO_MARKS else STEP_STRENGTH[len(str(v))]
        if mode == "percent":
            return STEP_STRENGTH[bisect.bisect_right(_PCT_EDGES, int(str(v).rstrip("% ")))]
        if mode == "target":
            sec = _iso_seconds(str(v)) if d == "gd" else 60 * int(v) if d == "gsw" else int(v)  # type: ignore[call-overload]
            return STEP_STRENGTH[sum(sec < e for e in _TARGET_EDGES)]
        return FLAG_STRENGTH if v == _FLAG_WORDS[d][1] and type(v) is type(_FLAG_WORDS[d][1]) else 0.0

    def score(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        """Ground truth of a routine record or burst head, from its content: (importance, detail)."""
        k = self.anomaly_k(kind, fields)
        a = 0.0 if k < 4.5 else min(1.0, 0.35 + 0.12 * (k - 4.5))
        p = self.priority_value(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if any(isinstance(v, str) and v in self._rare_values for v in fields.values()) else 0.0
        rarity = rk or rv
        return routine_truth(a, p, rarity, rk)

    # -- records ---------------------------------------------------------------------------------------------
    def _routine(self, kind: str) -> tuple[dict[str, object], int]:
        for _ in range(80):
            sem, origin = self._draw(kind)
            f = self._write(sem)
            if self.anomaly_k(kind, f) < 4.0:
                return f, origin
        raise RuntimeError(f"no routine draw of {kind}")  # pragma: no cover

    def _push_off(self, kind: str, f: dict[str, object]) -> bool:
        """Move one anomaly-prone number 4.5-11 spreads off its median, within bounds; False if none can go."""
        r = self._r
        choices = []
        for key in sorted(self.stats.get(kind, {})):
            s = self.stats[kind][key]
            for sign in ((1, -1) if s.direction == 0 else (s.direction,)):
                edge = _space(s.hi if sign > 0 else s.lo, s.space)
                reach = min(11.0, (edge - s.center) * sign / s.spread)
                if reach >= 4.9:
                    choices.append((key, sign, reach))
        if not choices:
            return False
        key, sign, reach = r.choice(choices)
        s = self.stats[kind][key]
        x = _unspace(s.center + sign * r.uniform(4.7, reach) * s.spread, s.space)
        quantum = 10.0 ** -self._dec[key]
        for _ in range(20_000):
            f[key] = self._quant(key, min(s.hi, max(s.lo, x)))
            if self._k_of(kind, key, f) >= 4.5:
                return True
            x += sign * max(quantum, abs(x) * 0.005)
        return False  # pragma: no cover

    def _draw_step(self, news: bool) -> int:
        r = self._r
        if not news:
            return r.choices(range(5), STEP_ODDS)[0]
        return r.choice((3, 4)) if self.prio_mode == "flag" else r.choices((2, 3, 4), (0.35, 0.35, 0.3))[0]

    def _form(self, step: int) -> object:
        """The step as the world's form writes it."""
        r, d, mode = self._r, self.dialect, self.prio_mode
        if mode == "words":
            return _WORDS[d][step]
        if mode == "emoji":
            return _EMOJI[step]
        if mode == "roman":
            return _ROMAN[step]
        if mode == "fraction":
            return _FRACTION[d].format(step)
        if mode == "marks":
            return _MARK[d] * step if step else _NO_MARKS
        if mode == "percent":
            edges = (0, *_PCT_EDGES, 100)
            if step == 0:
                x = 0 if r.random() < 0.4 else min(39, int(r.betavariate(1.3, 2.5) * 40))
            else:
                x = r.randint(edges[step], edges[step + 1] - (0 if step == 4 else 1))
            return _PCT[d].format(x)
        if mode == "target":
            sec = r.choice(_TARGET_SEC[step])
            return _seconds_iso(sec) if d == "gd" else sec // 60 if d == "gsw" else sec
        return _FLAG_WORDS[d][int(step >= 3)]

    def _mark(self, kind: str, f: dict[str, object], step: int) -> None:
        """Write the step (carriers only), and the note's urgent or calm words."""
        r, d = self._r, self.dialect
        nk = self.keys["note"]
        if self.prio_mode == "text":
            if step and nk in f:
                phrase = _URGENT[d][step - 1]
                f[nk] = f"{phrase}: {f[nk]}" if r.random() < 0.5 else f"{f[nk]} - {phrase}"
        elif kind in CARRIERS:
            f[str(self.prio_key)] = self._form(step)
        if nk in f and step == 0 and r.random() < 0.3:
            f[nk] = f"{f[nk]}, {r.choice(_CALM[d])}"

    def _fresh(self, kind: str, t: float, news: bool = False) -> _Rec:
        """A routine record (with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        f, origin = self._routine(kind)
        rare_sem = {"lift": "drive", "gate": "reason", "snow": "precip"}.get(kind)
        if rare_sem and r.random() < 0.012:
            f[self.keys[rare_sem]] = _RARE_VALUES[self.dialect][rare_sem]
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
        """An earlier record of the batch to copy, by importance and recency; -1 when there is none."""
        n = len(recs)
        idx = [i for i in range(max(0, n - 400), n) if recs[i].case in ("routine", "burst_head")]
        if not idx:
            return -1
        w = [(recs[i].importance + 0.03) * math.exp(-(n - i) / self.copy_memory) for i in idx]
        return self._r.choices(idx, w)[0]

    def _reentry(self, f: dict[str, object]) -> dict[str, object]:
        """Another system's re-entry: one or two values re-rounded or re-typed (never the priority field, nor,
        in a world that writes priority in notes, the note)."""
        r = self._r
        nk = self.keys["note"]
        options: list[tuple[str, object]] = []
        for key in sorted(f):
            v = f[key]
            if key in self._fixed or key == self.prio_key or isinstance(v, bool) or \
                    (self.prio_mode == "text" and key == nk):
                continue
            w: object = v
            if isinstance(v, float) and key in self._dec:
                w = _coarser(v, self._dec[key])
            elif isinstance(v, int) and key in self._dec:
                w = _coarser(v, 0)
            elif isinstance(v, str) and v:
                w = self._retype(v)
            if w != v:
                options.append((key, w))
        if not options:  # pragma: no cover - every kind has a number or a word to re-type
            raise RuntimeError("nothing to re-enter")
        g = dict(f)
        for key, w in r.sample(options, min(len(options), 2 if r.random() < 0.25 else 1)):
            g[key] = w
        return g

    def _retype(self, s: str) -> str:
        r = self._r
        out = [s.replace(a, b, 1) for a, b in _RETYPE[self.dialect] if a in s]
        plain = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
        if self.dialect == "gd":  # a system without the grave accents
            out.append(plain)
        elif self.dialect == "gsw":  # ... or one that writes ä as ae
            out.append(s.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"))
        if " " in s and len(s) < 24:
            out.append(s.replace(" ", "", 1) if r.random() < 0.5 else s.replace(" ", "_"))
        if s.upper() != s:
            out.append(s.upper() if len(s) < 24 else s.replace(" ", "  ", 1))
        elif s.lower() != s:
            out.append(s.lower())
        out = [x for x in out if x != s]
        return r.choice(out) if out else s

    def _tail(self, b: _Storm, t: float) -> _Rec:
        """A burst's look-alike: same kind, origin and keys; numbers drift, counters step, words stay."""
        r = self._r
        b.emitted += 1
        g = dict(b.rec.fields)
        steps = {self.keys[c] for c in _TAIL_STEPS}
        for key, v in b.rec.fields.items():
            if key in steps:
                g[key] = _step_counter(v, b.emitted)
            elif _drifts(v) and key in self._dec and key not in self._fixed and key != self.prio_key:
                x = float(v)  # type: ignore[arg-type]
                quantum = 10.0 ** -self._dec[key]
                lo, hi = self._caps.get(key, (-math.inf if x < 0 else 0.0, math.inf))
                g[key] = self._quant(key, min(hi, max(lo, x + r.gauss(0.0, 0.005 * abs(x) + 0.4 * quantum))))
        if g == b.rec.fields:  # nothing moved past its rounding: the last digit of one reading moves
            keys = sorted(k for k, v in g.items() if _drifts(v) and k in self._dec and k not in self._fixed
                          and k != self.prio_key)
            key = r.choice(keys)
            g[key] = self._quant(key, float(g[key]) + r.choice((-1, 1)) * 10.0 ** -self._dec[key])  # type: ignore[arg-type]
        return _Rec(b.rec.kind, b.rec.origin, t, g, "burst_tail", tail_importance(b.rec.importance), b.head)


# -- helpers ------------------------------------------------------------------------------------------------
def _seconds_iso(sec: int) -> str:
    """An ISO 8601 duration: PT24H, PT45M, PT1H, PT30S."""
    if sec % 3600 == 0:
        return f"PT{sec // 3600}H"
    if sec % 60 == 0:
        return f"PT{sec // 60}M"
    return f"PT{sec}S"  # pragma: no cover - every target is whole minutes


def _iso_seconds(s: str) -> int:
    n, unit = int(s[2:-1]), s[-1]
    return n * {"H": 3600, "M": 60, "S": 1}[unit]


def _coarser(v: int | float, dec: int) -> int | float:
    """Another system's rounding: one decimal fewer, or whole numbers of 10 and more to the nearest 5 / 10 /
    100. May return ``v`` itself (then it is not a re-entry option)."""
    if isinstance(v, float) and dec > 0:
        return round(v, dec - 1)
    if abs(v) < 10:
        return v
    step = 100 if abs(v) >= 2000 else 10 if abs(v) >= 100 else 5
    out = round(v / step) * step
    return int(out) if isinstance(v, int) else float(out)


def _drifts(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v != 0


def _step_counter(v: object, by: int) -> object:
    """A counter ``by`` further on: an int, or the number at the end of an id (``PT25-00123``)."""
    if isinstance(v, int):
        return v + by
    s = str(v)
    i = len(s)
    while i and s[i - 1].isdigit():
        i -= 1
    return f"{s[:i]}{int(s[i:]) + by:0{len(s) - i}d}"
