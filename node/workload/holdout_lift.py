"""Held-out family ``lift``: a city transit operator's lifts, escalators and moving walkways. Used ONLY by
evaluation.

Theory of operation
-------------------
The twentieth held-out family, written blind (docs/holdout.md): nobody tunes the model on it, and it shares no
code path, name, distribution or vocabulary with the training generators or the other held-out families (none
of which is vertical transportation). Only the truth helpers (:func:`noisy_or`, :func:`main_reason`,
:func:`tail_importance`, ``ROUTINE_FLOOR``), :class:`LabeledRecord` (through the shared scheduler) and the
stream scheduler of node/workload/holdout_stream.py (:class:`BurstStream`) are shared. Training never imports
this module (tests/node/test_holdout_lift.py checks ``sys.modules``).

One seed is one world: one operator's stations (a Basque metro line, Tallinn's rail and tram interchanges,
Nairobi's commuter stations) whose nodes (3-10 peer ids, the ``origins``: the station controllers, the remote
monitoring centre, the building management system, the passenger-counting system, the helpdesk, the
maintenance management system) carry lift door operators, traction drives and trip logs, escalator drives and
handrails, moving walkways, passenger counts, pit and machine-room climate, the power supply, controller
faults, service calls and maintenance visits. A world draws, from one ``random.Random``:

- a dialect (below), which names every kind, field, categorical value and identifier, picks units and the
  number format, and writes every note;
- 4-6 common kinds of 12, at least one of which carries priority, and 1-3 rare kinds of 4 (each 0.15-1.0%
  of the fresh records);
- one of eleven priority forms (``prio_mode``, field ``prio_key``);
- its stations: 4-14 (each ingested through one origin, Zipf), 1-4 lifts each (a rated load and speed, the
  levels served, a door opening time and closing force of its own, door-cycle, trip and run-hour counters),
  0-5 escalators (a rated speed, a bearing-wear and a chain-stretch drift of their own, a run-hour counter),
  moving walkways at about a quarter of the stations, passenger counters on some of the units (a 15-minute
  interval counter each), a season, a mains voltage, technicians;
- a day: a clock that moves 0.5-3 minutes per fresh record, and a demand profile with a morning and an
  evening peak and a closed night (passenger load, motor current and temperature, door dwell and
  re-openings, escalator eco mode, walkway motor load and passenger flows follow it);
- case rates, a mean gap between records (0.3-5 s), whether the stream arrives in uploads (clumps), and how
  far back copies reach.

Dialects
--------
- ``eu``: Basque (euskara), as a Basque metro's systems could write it: kinds ``thing:aspect`` lower case
  (``igogailua:ateak``, ``eskailera:eragilea``), fields lower kebab-case Basque words
  (``ate-zikloak``, ``kate-tentsioa``); SI units, 400 V; nine readings are quantity strings with a decimal
  comma and the unit after a space (``"2,35 mm/s"``, ``"14,82 kN"``, ``"-1,2 mm"``), the rest plain
  numbers; time slots ``"08:15"``.
- ``et``: Estonian, as Tallinn's systems could write it: kinds ``thing.aspect`` lower case
  (``lift.uksed``, ``eskalaator.käsipuu``), fields snake_case Estonian words with the unit as the last
  segment (``vibratsioon_mm_s``, ``käsipuu_kiirus_m_min``); every reading a plain number, step, handrail
  and belt speeds in metres per minute, 400 V, winters to -22 deg C; time slots ``"08.15"``.
- ``sw``: Kenyan (Swahili field names and notes, English loanwords and Kenya Power's ``KPLC``): kinds
  ``Thing::Aspect`` (``Lifti::Milango``, ``Eskaleta::Reli``), fields lowerCamelCase Swahili
  (``mtetemo``, ``mvutanoWaMnyororo``); thirteen readings are quantity strings with a decimal point
  (``"2.35 mm/s"``, ``"1511 kgf"``, ``"540 kg"``, ``"415 V"``), chain tension in kilogram-force, 415 V; time
  slots in Swahili time (``"saa 2:15 asubuhi"`` is 08:15).

Kinds (semantic name: numbers; anomaly-prone fields starred)
-------------------------------------------------------------
Common: ``door`` a lift's door operator (car, door side, a cycle counter per car, time open* log-normal (up),
re-openings* zero-inflated (up), closing force* (up)); ``drive`` a lift's traction drive (car, operating
mode, motor current by load, winding temperature* by demand (up), rated speed, car vibration* log-normal
(up), a run-hour counter per car); ``trip`` a lift trip (car, a trip counter per car, from and to levels,
load bimodal (rush / quiet) or empty, levelling error* (either way), trip time* log-normal (up));
``esc`` an escalator drive (direction, mode normal / eco, step speed bimodal, motor current, vibration RMS*
log-normal with a drifting mean (up), step-chain tension* with a drifting mean (either way), a run-hour
counter); ``rail`` an escalator handrail (side, handrail speed by the step speed, slip against the steps*
(either way), handrail temperature* (up)); ``walk`` a moving walkway (belt speed bimodal, pallet gap* (up),
motor load by demand, a passenger counter); ``flow`` a passenger counter (unit, a 15-minute interval counter,
the slot's start time, persons by the day's profile, queue wait* log-normal (up)); ``pit`` a station's pit
and machine room (pit water* zero-inflated (up), machine-room temperature* (up), humidity, outdoor air);
``supply`` a station's supply (source, line voltage* (either way), frequency, power factor, phase
imbalance* log-normal (up), an energy counter); ``fault`` a controller fault (a world counter, unit, fault
code, description, time to reset* log-normal (up), note); ``call`` a service call (a world counter, station,
unit, category, technician, arrival estimate* log-normal (up), note); ``visit`` a maintenance visit (a world
counter, unit, task, technician, duration* log-normal (up), component wear* (up), note). Rare: ``entrap``
passengers trapped in a car (always raised priority), ``firemode`` a fire-service mode activation,
``estop`` an escalator or walkway emergency stop, ``flood`` water in a lift pit. Rare categorical values (a
lift in inspection operation, an escalator on manual key-switch run, a station on its generator) appear in
about 1.2% of their kinds' records.

Priority forms (carried by ``fault``, ``call``, ``visit`` and ``entrap``)
----------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0; 84% at 0); the world's form writes it, and
the truth is read back from what is written:

- ``scale``: a severity word (arrunta / arina / nabarmena / larria / oso larria; tavaline / madal / keskmine
  / kõrge / kriitiline; kawaida / ndogo / wastani / kubwa / hatari kuu);
- ``level``: a level where 1 is worst (5 routine): eu an integer, et ``"2. tase"``, sw an integer;
- ``respond``: a response target in minutes, small is pressing (bands at 300 / 180 / 60 / 20): eu
  whole minutes, et ``"HH:MM"``, sw ``"dakika 45"``;
- ``deadline``: an ISO 8601 duration to repair, small is pressing (bands at 48 h / 16 h / 6 h / 90 min): eu
  days when whole (``"P3D"``, ``"PT8H"``), et days and hours (``"P1DT12H"``), sw hours and minutes only
  (``"PT36H"``, ``"PT30M"``);
- ``risk``: a score out of 1000 under a neutral name, large is pressing (bands at 200 / 400 / 600 / 800): eu
  an integer, et a float with one decimal, sw ``"640/1000"``;
- ``percent``: the share of the station's step-free access lost, large is pressing (bands at 10 / 30 / 60 /
  90): eu ``"%45"`` (the sign first, as Basque writes it), et ``"45 %"``, sw ``"45%"``;
- ``flag``: out of service needed, strength 0.9 at steps 3-4: eu ``"bai"`` / ``"ez"``, et a boolean, sw
  ``"ndiyo"`` / ``"hapana"``;
- ``klass``: a code: eu ``"A"`` (worst) .. ``"E"`` (routine), et ``"P1"`` .. ``"P5"``, sw ``"D1"`` ..
  ``"D5"``;
- ``colour``: a colour word (green, blue, yellow, orange, red in the dialect);
- ``sign``: a status symbol: eu ``○ ◔ ◑ ◕ ●``, et ``– ! !! !!! !!!!``, sw ``✅ ℹ️ ⚠️ 🛑 🚨``;
- ``text``: no field; an urgency phrase in the note (four levels), and routine notes that often say
  outright that nothing is pressing.

Cases and truth (the definition in docs/holdout.md's sections)
--------------------------------------------------------------
Routine records and burst heads, from their content alone:
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)`` (see :meth:`LiftWorkload.score`); anomaly = 0
below 4.5 spreads, else ``min(1, 0.35 + 0.12 * (k - 4.5))`` where k is the largest distance of an
anomaly-prone number (read back from what is written: a decimal comma or a unit after the number is
parsed) from its (kind, field) median in spreads (central 95% width / 3.92 of the world's own written
routine values, estimated when the world is made, over the whole day; log space for positive heavy-tailed
fields, log(1 + x) for zero-inflated counts); routine values are redrawn while 4 or more spreads off; an
anomaly (1.5-3.5% of fresh records) puts one number 4.5-11 spreads off, in the field's physical direction
and bounds. Rarity 0.5 for a rare kind, 0.45 for a rare value.
``detail = main_reason(0.9a, 0.9p, rarity, 0.5 if rare kind else 0)``.

An exact copy (a fault forwarded by a second monitoring link, a counter file collected twice) keeps 5% of
its source; a near copy (another system's re-entry: a number re-rounded or moved by its last digit, a Basque
decimal comma typed as a point, a unit's space dropped or its case changed, a code's separator, leading
zero or case changed, Estonian letters or a Basque ñ without their marks, a word abbreviated; never the
priority field, nor the note where the world writes priority in notes) 10%; a burst (a drive re-reporting
at fault rate, a fault re-raised by a flapping contact, a call re-sent by the helpdesk) has a head carrying
the news and 2-40 tails from the same origin, plain numbers drifting and counters stepping, worth
``tail_importance(head)``; a re-send of an earlier batch's news keeps 1% of it (2% through another origin).

Pure Python, deterministic in the seed (and across hash seeds).
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

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
    "LiftWorkload",
    "read_number",
]

_T = TypeVar("_T")

DIALECTS = ("eu", "et", "sw")
PRIORITY_MODES = ("scale", "level", "respond", "deadline", "risk", "percent", "flag", "klass", "colour", "sign",
                  "text")
STEP_STRENGTH = (0.0, 0.25, 0.5, 0.75, 1.0)
FLAG_STRENGTH = 0.9
STEP_ODDS = (0.84, 0.055, 0.045, 0.035, 0.025)

COMMON_KINDS = ("door", "drive", "trip", "esc", "rail", "walk", "flow", "pit", "supply", "fault", "call", "visit")
PRIORITY_KINDS = frozenset({"fault", "call", "visit"})
RARE_KINDS = ("entrap", "firemode", "estop", "flood")
ALWAYS_PRIORITY_RARE = frozenset({"entrap"})
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE
COUNTERS = ("cycles", "runh", "trips", "eschours", "pax", "iv", "kwh", "faultno", "callno", "wono")

# -- names ------------------------------------------------------------------------------------------------------
_KINDS = {
    "eu": {"door": "igogailua:ateak", "drive": "igogailua:motorra", "trip": "igogailua:bidaia",
           "esc": "eskailera:eragilea", "rail": "eskailera:eskudela", "walk": "pasabidea:zinta",
           "flow": "kontaketa:fluxua", "pit": "putzua:ingurunea", "supply": "elikadura:sarea",
           "fault": "kontrola:akatsa", "call": "laguntza:abisua", "visit": "mantentzea:bisita",
           "entrap": "igogailua:harrapatuak", "firemode": "igogailua:suhiltzaile-modua",
           "estop": "eskailera:larrialdi-geldialdia", "flood": "putzua:uholdea"},
    "et": {"door": "lift.uksed", "drive": "lift.ajam", "trip": "lift.sõit", "esc": "eskalaator.ajam",
           "rail": "eskalaator.käsipuu", "walk": "liikurada.lint", "flow": "loendus.voog", "pit": "šaht.keskkond",
           "supply": "toide.võrk", "fault": "juhtimine.rike", "call": "kasutajatugi.pöördumine",
           "visit": "hooldus.külastus", "entrap": "lift.lõksus", "firemode": "lift.tuletõrjerežiim",
           "estop": "eskalaator.hädaseiskamine", "flood": "šaht.üleujutus"},
    "sw": {"door": "Lifti::Milango", "drive": "Lifti::Mota", "trip": "Lifti::Safari", "esc": "Eskaleta::Injini",
           "rail": "Eskaleta::Reli", "walk": "NjiaInayotembea::Ukanda", "flow": "Hesabu::Mtiririko",
           "pit": "Shimo::Mazingira", "supply": "Umeme::Ugavi", "fault": "Udhibiti::Hitilafu",
           "call": "Huduma::Simu", "visit": "Matengenezo::Ziara", "entrap": "Lifti::Walionaswa",
           "firemode": "Lifti::HaliYaZimamoto", "estop": "Eskaleta::KusimamaDharura", "flood": "Shimo::Mafuriko"},
}

# semantic name -> (eu, et, sw)
_FIELDS: dict[str, tuple[str, str, str]] = {
    "car": ("igogailua", "lift", "lifti"),
    "side": ("atea", "uks", "mlango"),
    "cycles": ("ate-zikloak", "ukse_tsüklid", "mizungukoYaMlango"),
    "opent": ("irekita-denbora", "avatud_aeg_s", "mudaWaKuwaWazi"),
    "reversals": ("atzera-egiteak", "tagasipöörded", "kurudiNyuma"),
    "force": ("ixte-indarra", "sulgemisjõud_n", "nguvuYaKufunga"),
    "opmode": ("modua", "režiim", "modi"),
    "current": ("motor-korrontea", "mootori_vool_a", "mkondoWaMota"),
    "wtemp": ("harilkatze-tenperatura", "mähise_temp_c", "jotoLaKoili"),
    "speed": ("abiadura", "kiirus_m_s", "kasi"),
    "carvib": ("kabina-bibrazioa", "kabiini_vibratsioon_mg", "mtetemoWaKabati"),
    "runh": ("martxa-orduak", "töötunnid", "saaZaKazi"),
    "trips": ("bidaiak", "sõidud", "safari"),
    "from": ("irteera-solairua", "lähtekorrus", "ghorofaYaKuanzia"),
    "to": ("helmuga-solairua", "sihtkorrus", "ghorofaYaKufika"),
    "load": ("karga", "koormus_kg", "uzito"),
    "lev": ("nibelazio-errorea", "tasandusviga_mm", "hitilafuYaUsawa"),
    "ttime": ("bidaia-denbora", "sõiduaeg_s", "mudaWaSafari"),
    "esc": ("eskailera", "eskalaator", "eskaleta"),
    "dir": ("norabidea", "suund", "mwelekeo"),
    "emode": ("egoera", "olek", "hali"),
    "escspeed": ("urrats-abiadura", "astme_kiirus_m_min", "kasiYaNgazi"),
    "esccur": ("eragile-korrontea", "ajami_vool_a", "mkondoWaInjini"),
    "vib": ("bibrazioa-rms", "vibratsioon_mm_s", "mtetemo"),
    "tension": ("kate-tentsioa", "keti_pinge_kn", "mvutanoWaMnyororo"),
    "eschours": ("funtzionamendu-orduak", "käigutunnid", "saaZaEskaleta"),
    "rside": ("eskudela", "käsipuu", "reli"),
    "rspeed": ("eskudel-abiadura", "käsipuu_kiirus_m_min", "kasiYaReli"),
    "slip": ("irristatzea", "libisemine_pct", "kutelezaAsilimia"),
    "rtemp": ("eskudel-tenperatura", "käsipuu_temp_c", "jotoLaReli"),
    "walk": ("pasabidea", "liikurada", "njiaInayotembea"),
    "bspeed": ("zinta-abiadura", "lindi_kiirus_m_min", "kasiYaUkanda"),
    "gap": ("paleta-tartea", "paletivahe_mm", "nafasiKatiYaPaleti"),
    "mload": ("motor-karga", "mootori_koormus_pct", "mzigoWaMota"),
    "pax": ("bidaiari-kontagailua", "reisijate_loendur", "hesabuYaAbiria"),
    "unit": ("unitatea", "seade", "kifaa"),
    "iv": ("tarte-zenbakia", "intervalli_nr", "nambaYaMuda"),
    "slot": ("ordu-tartea", "ajavahemik", "saa"),
    "persons": ("bidaiariak", "reisijad", "abiria"),
    "wait": ("itxaron-denbora", "ooteaeg_s", "mudaWaKusubiri"),
    "station": ("geltokia", "jaam", "kituo"),
    "water": ("putzuko-ura", "süvendi_vesi_mm", "majiShimoni"),
    "mrtemp": ("makina-gelako-tenperatura", "masinaruumi_temp_c", "jotoChumbaMashine"),
    "rh": ("hezetasuna", "niiskus_pct", "unyevu"),
    "tout": ("kanpoko-tenperatura", "välistemp_c", "jotoLaNje"),
    "source": ("elikadura-iturria", "toiteallikas", "chanzoLaUmeme"),
    "volt": ("tentsioa", "pinge_v", "volteji"),
    "freq": ("maiztasuna", "sagedus_hz", "masafa"),
    "pf": ("potentzia-faktorea", "võimsustegur", "kipengeleChaNguvu"),
    "imbal": ("fase-desoreka", "faaside_tasakaalutus_pct", "kutolinganaKwaAwamu"),
    "kwh": ("energia-kwh", "energia_kwh", "nishatiKwh"),
    "faultno": ("akats-zenbakia", "rikke_nr", "nambaYaHitilafu"),
    "fcode": ("akats-kodea", "rikkekood", "msimboWaHitilafu"),
    "fdesc": ("deskribapena", "kirjeldus", "maelezo"),
    "reset": ("berrezartze-denbora", "lähtestusaeg_s", "mudaWaKurejesha"),
    "note": ("oharra", "märkus", "maoni"),
    "callno": ("abisu-zenbakia", "pöördumise_nr", "nambaYaSimu"),
    "category": ("kategoria", "kategooria", "aina"),
    "tech": ("teknikaria", "tehnik", "fundi"),
    "eta": ("iristeko-denbora", "saabumisaeg_min", "mudaWaKufika"),
    "wono": ("lan-agindua", "töökäsk", "agizoLaKazi"),
    "task": ("zeregina", "töö", "kazi"),
    "dur": ("iraupena", "kestus_min", "muda"),
    "wear": ("higadura", "kulumine_pct", "uchakavu"),
    "tpers": ("harrapatuak", "lõksus_inimesi", "walionaswa"),
    "floor": ("solairua", "korrus", "ghorofa"),
    "tmin": ("harrapatuta-minutuak", "lõksus_min", "dakikaZaKunaswa"),
    "phase": ("fasea", "faas", "awamu"),
    "trigger": ("abiarazlea", "käivitaja", "kichochezi"),
    "place": ("kokapena", "asukoht", "mahali"),
    "reason": ("arrazoia", "põhjus", "sababu"),
    "fwater": ("ur-maila", "veetase_mm", "kinaChaMaji"),
    "pump": ("ponpa", "pump", "pampu"),
}
_PRIO_KEYS = {
    "scale": ("larritasuna", "raskusaste", "ukali"),
    "level": ("maila", "tase", "ngazi"),
    "respond": ("erantzun-epea", "reageerimisaeg", "mudaWaKujibu"),
    "deadline": ("konponketa-epea", "tähtaeg", "mudaWaMwisho"),
    "risk": ("puntuazioa", "hindepunktid", "alama"),
    "percent": ("eragina", "mõju", "athari"),
    "flag": ("zerbitzutik-kanpo", "teenusest_väljas", "njeYaHuduma"),
    "klass": ("klasea", "klass", "daraja"),
    "colour": ("kolorea", "värv", "rangi"),
    "sign": ("ikurra", "tähis", "ishara"),
}

# -- units and number formats: semantic units are SI (s, min, A, deg C, m/s, kN, mm/s, mm, kg, V, %) -------------
_DEC = {"opent": 1, "reversals": 0, "force": 0, "current": 1, "wtemp": 1, "carvib": 1, "speed": 2, "load": 0,
        "lev": 1, "ttime": 1, "escspeed": 2, "esccur": 1, "vib": 2, "tension": 2, "rspeed": 2, "slip": 2,
        "rtemp": 1, "bspeed": 2, "gap": 1, "mload": 0, "wait": 0, "water": 0, "mrtemp": 1, "rh": 0, "tout": 1,
        "volt": 0, "freq": 2, "pf": 2, "imbal": 1, "reset": 0, "eta": 0, "dur": 0, "wear": 0, "tmin": 0,
        "fwater": 0}


@dataclass(frozen=True, slots=True)
class _Unit:
    to: Callable[[float], float]
    dec: int


def _times(a: float) -> Callable[[float], float]:
    return lambda x: a * x


_UNITS: dict[str, dict[str, _Unit]] = {
    "eu": {},
    "et": {"escspeed": _Unit(_times(60.0), 1), "rspeed": _Unit(_times(60.0), 1), "bspeed": _Unit(_times(60.0), 1)},
    "sw": {"tension": _Unit(_times(101.972), 0)},
}
# Readings written as quantity strings, the unit after a space (eu with a decimal comma).
_QTY: dict[str, dict[str, str]] = {
    "eu": {"vib": "mm/s", "tension": "kN", "wtemp": "°C", "mrtemp": "°C", "current": "A", "esccur": "A",
           "rtemp": "°C", "gap": "mm", "lev": "mm"},
    "et": {},
    "sw": {"vib": "mm/s", "tension": "kgf", "load": "kg", "volt": "V", "current": "A", "esccur": "A",
           "wtemp": "°C", "mrtemp": "°C", "ttime": "s", "opent": "s", "eta": "min", "wait": "s", "carvib": "mg"},
}
_NUM = re.compile(r"-?\d+(?:[.,]\d+)?")

# Anomaly-prone numbers per kind: semantic name -> (space, physical direction, semantic bounds).
_PRONE: dict[str, dict[str, tuple[str, int, float, float]]] = {
    "door": {"opent": ("log", 1, 0.5, 900.0), "reversals": ("log1p", 1, 0.0, 500.0),
             "force": ("lin", 1, 20.0, 450.0)},
    "drive": {"wtemp": ("lin", 1, -25.0, 180.0), "carvib": ("log", 1, 0.5, 3000.0)},
    "trip": {"lev": ("lin", 0, -250.0, 250.0), "ttime": ("log", 1, 2.0, 3600.0)},
    "esc": {"vib": ("log", 1, 0.03, 300.0), "tension": ("lin", 0, 0.5, 80.0)},
    "rail": {"slip": ("lin", 0, -40.0, 40.0), "rtemp": ("lin", 1, -35.0, 130.0)},
    "walk": {"gap": ("lin", 1, 0.0, 80.0)},
    "flow": {"wait": ("log", 1, 1.0, 20000.0)},
    "pit": {"water": ("log1p", 1, 0.0, 3000.0), "mrtemp": ("lin", 1, -35.0, 95.0)},
    "supply": {"volt": ("lin", 0, 250.0, 520.0), "imbal": ("log", 1, 0.02, 80.0)},
    "fault": {"reset": ("log", 1, 1.0, 2e6)},
    "call": {"eta": ("log", 1, 1.0, 20000.0)},
    "visit": {"dur": ("log", 1, 3.0, 10000.0), "wear": ("lin", 1, 0.0, 100.0)},
}
_SPREAD_FLOOR = {"log": 0.05, "log1p": 0.25}

# -- priority forms ----------------------------------------------------------------------------------------------
_SCALE = {"eu": ("arrunta", "arina", "nabarmena", "larria", "oso larria"),
          "et": ("tavaline", "madal", "keskmine", "kõrge", "kriitiline"),
          "sw": ("kawaida", "ndogo", "wastani", "kubwa", "hatari kuu")}
_RESPOND_MIN = ((480, 720, 1440, 2880), (240,), (120, 90), (45, 30), (15, 10))
_RESPOND_EDGES = (300, 180, 60, 20)  # minutes: below each edge one step more pressing
_DEADLINE_MIN = ((4320, 7200, 10080), (1440, 2160), (480, 720), (120, 240), (30, 60))
_DEADLINE_EDGES = (2880, 960, 360, 90)
_RISK = ((0, 199), (200, 399), (400, 599), (600, 799), (800, 999))
_RISK_EDGES = (200, 400, 600, 800)
_PCT = ((0, 9), (10, 29), (30, 59), (60, 89), (90, 100))
_PCT_EDGES = (10, 30, 60, 90)
_FLAG: dict[str, tuple[object, object]] = {"eu": ("ez", "bai"), "et": (False, True), "sw": ("hapana", "ndiyo")}
_KLASS = {"eu": ("E", "D", "C", "B", "A"), "et": ("P5", "P4", "P3", "P2", "P1"), "sw": ("D5", "D4", "D3", "D2", "D1")}
_COLOUR = {"eu": ("berdea", "urdina", "horia", "laranja", "gorria"),
           "et": ("roheline", "sinine", "kollane", "oranž", "punane"),
           "sw": ("kijani", "samawati", "manjano", "machungwa", "nyekundu")}
_SIGN = {"eu": ("○", "◔", "◑", "◕", "●"), "et": ("–", "!", "!!", "!!!", "!!!!"),
         "sw": ("✅", "ℹ️", "⚠️", "🛑", "🚨")}

_URGENT = {  # steps 1..4, inside the note (text worlds) and nowhere else
    "eu": ("astia duzunean begiratu", "gaur bertan konpondu behar da", "premiazkoa: bidali teknikari bat berehala",
           "LARRIALDIA: utzi dena, bidaiariak arriskuan"),
    "et": ("kui aega on, vaadake üle", "palun täna ära parandada", "kiire: saatke tehnik kohe",
           "HÄDAOLUKORD: jätke kõik muu, reisijad ohus"),
    "sw": ("mkipata nafasi mwangalie", "tafadhali rekebisheni leo", "haraka: tumeni fundi sasa hivi",
           "DHARURA: acheni kila kitu, abiria wako hatarini"),
}
_CALM = {
    "eu": ("ez da presazkoa", "hurrengo bisitan nahikoa", "informazio gisa soilik", "itxaron dezake",
           "astelehenera arte itxaron daiteke"),
    "et": ("pole kiire", "järgmise hoolduse ajal sobib", "ainult teadmiseks", "võib oodata",
           "ootab esmaspäevani"),
    "sw": ("si ya haraka", "inaweza kusubiri", "kwa taarifa tu", "ziara ijayo inatosha", "hakuna haja ya kukimbia"),
}

# -- the dialects' words -----------------------------------------------------------------------------------------
_FAULT_NOTES = {
    "eu": ("{n} aldiz errepikatu da azken orduan", "automatikoki berrezarri da {n} segundotan",
           "{unit} unitatean, kontrol-zentroak onartua", "softwarea eguneratu ondoren agertu da",
           "mantentze-lanen leihoan sortua", "{station} geltokiko elikadura-gorabeherarekin lotuta",
           "argi-hesiak oztopo bat detektatu du", "garbiketaren ondoren berriro agertu da"),
    "et": ("kordus viimase tunni jooksul {n} korda", "lähtestus automaatselt {n} sekundiga",
           "seade {unit}, juhtimiskeskus kinnitas", "ilmnes pärast tarkvarauuendust", "tekkis hooldusakna ajal",
           "seotud toitehäirega jaamas {station}", "valguskardin tuvastas takistuse", "ilmus uuesti pärast koristust"),
    "sw": ("imejirudia mara {n} katika saa iliyopita", "ilijirejesha yenyewe baada ya sekunde {n}",
           "kwenye {unit}, kituo cha udhibiti kimethibitisha", "ilitokea baada ya kusasisha programu",
           "ilitokea wakati wa matengenezo", "inahusiana na kukatika kwa umeme {station}",
           "sensa ya mlango imegundua kizuizi", "imerudi tena baada ya usafi"),
}
_CALL_NOTES = {
    "eu": ("bidaiari batek dio {unit} unitateak zarata arraroa egiten duela",
           "{station}: eskailera mekanikoa geldirik dago goizetik", "eskudela irristatzen da, bidaiarien kexak",
           "atea ez da ondo ixten {station} geltokian", "botoi-panelak ez du funtzionatzen, {unit}",
           "pintadak eta kalteak kabinan", "ura putzuan, euri-jasaren ondoren", "kabinako argia itzalita dago",
           "maila-desberdintasuna solairuan, estropezu egiteko arriskua",
           "urteko ikuskapenerako data eskatzen da"),
    "et": ("reisija teatab, et seade {unit} teeb imelikku häält", "{station}: eskalaator seisab hommikust saadik",
           "käsipuu libiseb, reisijad kurdavad", "uks ei sulgu korralikult jaamas {station}",
           "nupupaneel ei tööta, {unit}", "grafiti ja kahjustused kabiinis", "šahti põhjas on vesi pärast paduvihma",
           "kabiini valgustus ei põle", "põranda ja kabiini vahel on aste, komistamisoht",
           "palun aeg iga-aastaseks ülevaatuseks"),
    "sw": ("abiria anasema {unit} inatoa kelele ya ajabu", "{station}: eskaleta imesimama tangu asubuhi",
           "reli ya mkono inateleza, abiria wanalalamika", "mlango haufungi vizuri kituo cha {station}",
           "vitufe havifanyi kazi, {unit}", "michoro na uharibifu ndani ya kabati",
           "maji kwenye shimo baada ya mvua kubwa", "taa ya ndani ya lifti imezimika",
           "sakafu haiko sawa na lifti, abiria wanajikwaa", "tunaomba tarehe ya ukaguzi wa mwaka"),
}
_VISIT_NOTES = {
    "eu": ("giltza geltoki-buruak dauka, {station}", "eraman ordezko {part} bat", "gaueko leihoa: 01:00-05:00 bakarrik",
           "bi teknikari, erreskate-plana prest", "ikuskapen legala erakunde kontrolatzailearekin",
           "kate-tentsioa neurtu eta doitu", "eskudelaren gidak garbitu", "balazta-forruak egiaztatu"),
    "et": ("võti on jaamaülema käes, {station}", "võtke kaasa varuosa: {part}", "öine aken ainult 01:00-05:00",
           "kaks tehnikut, päästeplaan olemas", "kohustuslik ülevaatus koos inspektoriga",
           "mõõta ja reguleerida keti pinget", "puhastada käsipuu juhikud", "kontrollida piduriklotse"),
    "sw": ("ufunguo uko kwa msimamizi wa kituo, {station}", "beba {part} ya ziada",
           "kazi usiku tu, saa 7 hadi saa 11 alfajiri", "mafundi wawili, mpango wa uokoaji upo",
           "ukaguzi wa lazima pamoja na mkaguzi wa serikali", "pima na urekebishe mvutano wa mnyororo",
           "safisha njia za reli ya mkono", "kagua pedi za breki"),
}
_ENTRAP_NOTES = {
    "eu": ("larrialdi-botoia sakatu dute, kabinarekin hitz egiten", "suhiltzaileei deitu zaie",
           "bidaiariak lasai daude, teknikaria bidean"),
    "et": ("häirenuppu vajutati, side kabiiniga olemas", "päästeamet on teel", "reisijad on rahulikud, tehnik teel"),
    "sw": ("kitufe cha dharura kimebonyezwa, tunazungumza nao", "zimamoto wamejulishwa",
           "abiria wametulia, fundi yuko njiani"),
}
_STATIONS = {
    "eu": (("Abando", "ABA"), ("Zazpikaleak", "ZZK"), ("Indautxu", "IND"), ("Moyua", "MOY"), ("Deustu", "DEU"),
           ("Sarriko", "SAR"), ("San Inazio", "SIN"), ("Santurtzi", "STZ"), ("Portugalete", "PTG"),
           ("Barakaldo", "BRK"), ("Basauri", "BSR"), ("Etxebarri", "ETX"), ("Bolueta", "BOL"), ("Lutxana", "LUT"),
           ("Ansio", "ANS"), ("Leioa", "LEI"), ("Urduliz", "URD"), ("Amara", "AMA"), ("Easo", "EAS"),
           ("Lugaritz", "LUG")),
    "et": (("Balti jaam", "BAL"), ("Ülemiste", "ÜLE"), ("Hobujaama", "HOB"), ("Vabaduse väljak", "VAB"),
           ("Kristiine", "KRI"), ("Mustamäe", "MUS"), ("Lasnamäe", "LAS"), ("Kadriorg", "KAD"), ("Pirita", "PIR"),
           ("Kopli", "KOP"), ("Telliskivi", "TEL"), ("Kalamaja", "KAL"), ("Nõmme", "NÕM"), ("Järve", "JÄR"),
           ("Tondi", "TON"), ("Põhja", "PÕH")),
    "sw": (("Stesheni Kuu", "STK"), ("Westlands", "WSL"), ("Ngara", "NGR"), ("Kasarani", "KSR"), ("Embakasi", "EMB"),
           ("Syokimau", "SYO"), ("Imara Daima", "IMD"), ("Ruiru", "RUI"), ("Kikuyu", "KIK"), ("Githurai", "GTH"),
           ("Makadara", "MKD"), ("Kibera", "KIB"), ("Dandora", "DND"), ("Ruaka", "RKA"), ("Mlolongo", "MLL"),
           ("Kahawa", "KHW")),
}
_SIDES = {"eu": ("aurrekoa", "atzekoa"), "et": ("esiuks", "tagauks"), "sw": ("mbele", "nyuma")}
_OPMODES = {"eu": ("automatikoa", "talde-kontrola"), "et": ("automaatne", "grupijuhtimine"),
            "sw": ("otomatiki", "kikundi")}
_DIRS = {"eu": ("gora", "behera"), "et": ("üles", "alla"), "sw": ("juu", "chini")}
_EMODES = {"eu": ("normala", "eko"), "et": ("tavarežiim", "ooterežiim"), "sw": ("kawaida", "polepole")}
_RSIDES = {"eu": ("ezkerra", "eskuina"), "et": ("vasak", "parem"), "sw": ("kushoto", "kulia")}
_SOURCES = {"eu": ("sarea",), "et": ("võrk",), "sw": ("KPLC",)}
_RARE_VALUES = {"eu": {"opmode": "ikuskapena", "emode": "eskuzkoa", "source": "sorgailua"},
                "et": {"opmode": "ülevaatusrežiim", "emode": "käsijuhtimine", "source": "generaator"},
                "sw": {"opmode": "ukaguzi", "emode": "mkono", "source": "jenereta"}}
_FAULTS = {  # (vendor code number, description); the code is written in the dialect's scheme
    "eu": ((101, "ate-blokeoaren akatsa"), (102, "argi-hesia blokeatuta"), (205, "abiadura gehiegi"),
           (210, "nibelazio-akatsa"), (220, "balazta ez da askatu"), (231, "motorraren gainberotzea"),
           (300, "segurtasun-katea irekita"), (412, "kontrol-txartelaren akatsa"),
           (520, "eskudelaren abiadura-desberdintasuna"), (531, "orrazi-plakaren kontaktua"),
           (540, "urrats falta detektatua"), (610, "fase-galera")),
    "et": ((101, "ukselukustuse rike"), (102, "valguskardin blokeeritud"), (205, "ülekiirus"), (210, "tasanduse viga"),
           (220, "pidur ei vabane"), (231, "mootori ülekuumenemine"), (300, "ohutusahel avatud"),
           (412, "kontrolleri kaardi rike"), (520, "käsipuu kiiruse erinevus"), (531, "kammplaadi kontakt"),
           (540, "puuduv aste tuvastatud"), (610, "faasikadu")),
    "sw": ((101, "hitilafu ya kufuli la mlango"), (102, "pazia la mwanga limezibwa"), (205, "mwendo kupita kiasi"),
           (210, "hitilafu ya kusawazisha"), (220, "breki haziachilii"), (231, "mota imepata joto kupita kiasi"),
           (300, "mnyororo wa usalama uko wazi"), (412, "hitilafu ya bodi ya udhibiti"),
           (520, "tofauti ya kasi ya reli ya mkono"), (531, "swichi ya bamba la meno"),
           (540, "ngazi iliyokosekana imegunduliwa"), (610, "kupotea kwa awamu")),
}
_CATEGORIES = {"eu": ("zarata", "geldialdia", "atea", "botoiak", "bandalismoa", "garbiketa", "argiztapena",
                      "irisgarritasuna"),
               "et": ("müra", "seisak", "uks", "nupud", "vandalism", "koristus", "valgustus", "ligipääsetavus"),
               "sw": ("kelele", "kusimama", "mlango", "vitufe", "uharibifu", "usafi", "taa", "ufikiaji")}
_TASKS = {"eu": ("hileko mantentzea", "urteko ikuskapena", "kate-tentsioa doitu", "eskudela ordezkatu",
                 "balazta egiaztatu", "ate-operadorea doitu", "urratsak garbitu", "kontrol-softwarea eguneratu"),
          "et": ("kuuhooldus", "iga-aastane ülevaatus", "keti pinge reguleerimine", "käsipuu vahetus",
                 "piduri kontroll", "ukseajami reguleerimine", "astmete puhastus", "tarkvara uuendus"),
          "sw": ("matengenezo ya kila mwezi", "ukaguzi wa mwaka", "kurekebisha mvutano wa mnyororo",
                 "kubadilisha reli ya mkono", "kukagua breki", "kurekebisha mlango", "kusafisha ngazi",
                 "kusasisha programu")}
_PARTS = {"eu": ("eskudel-gurpil", "ate-sentsore", "balazta-forru", "urrats-arrabola"),
          "et": ("käsipuu ratas", "ukseandur", "piduriklots", "astmerull"),
          "sw": ("gurudumu la reli", "sensa ya mlango", "pedi ya breki", "roli ya ngazi")}
_TECHS = {"eu": ("Iñaki Etxeberria", "Miren Agirre", "Jon Urrutia", "Ane Goikoetxea", "Koldo Zabala",
                 "Nerea Arrieta", "Gorka Iturbe", "Maialen Ibarra", "Unai Larrañaga", "Itziar Olano"),
          "et": ("Tõnu Kask", "Mari Tamm", "Jüri Saar", "Kadri Mägi", "Andres Pärn", "Liis Kuusk",
                 "Rein Õunapuu", "Kätlin Sepp", "Margus Lepik", "Triin Raud"),
          "sw": ("Otieno Ochieng", "Wanjiru Kamau", "Mwangi Njoroge", "Achieng Atieno", "Kiprop Cheruiyot",
                 "Njeri Wambui", "Mutua Musyoka", "Akinyi Odhiambo", "Baraka Kipchumba", "Zawadi Mwende")}
_PHASES = {"eu": ("1. fasea", "2. fasea"), "et": ("I faas", "II faas"), "sw": ("awamu ya kwanza", "awamu ya pili")}
_TRIGGERS = {"eu": ("ke-detektagailua", "suhiltzaileen giltza", "su-panela"),
             "et": ("suitsuandur", "päästjate võti", "tulekahjukeskus"),
             "sw": ("kitambua moshi", "ufunguo wa zimamoto", "paneli ya moto")}
_PLACES = {"eu": ("goian", "behean", "erdian"), "et": ("üleval", "all", "keskel"), "sw": ("juu", "chini", "katikati")}
_REASONS = {"eu": ("bidaiari batek sakatu du", "haur bat erori da", "poltsa bat harrapatuta", "arrazoirik gabe sakatua"),
            "et": ("reisija vajutas", "laps kukkus", "kott jäi kinni", "vajutati põhjuseta"),
            "sw": ("abiria alibonyeza", "mtoto alianguka", "mfuko ulinaswa", "ilibonyezwa bila sababu")}
_PUMPS = {"eu": ("martxan", "geldirik", "hutsegitea"), "et": ("töötab", "seisab", "rikkis"),
          "sw": ("inafanya kazi", "imesimama", "imeharibika")}
_ABBREV = {
    "eu": (("igogailua", "igog."), ("eskailera", "esk."), ("mantentzea", "mant."), ("ikuskapena", "ikusk."),
           ("geltoki", "gelt."), ("akatsa", "ak."), ("detektagailua", "detekt."), ("kontrol", "kontr."),
           ("eskudel", "eskud.")),
    "et": (("eskalaator", "eskal."), ("ülevaatus", "ülev."), ("reguleerimine", "reg."), ("kontroll", "kontr."),
           ("tuvastatud", "tuv."), ("hooldus", "hool."), ("käsipuu", "käsip."), ("väljak", "vlj.")),
    "sw": (("hitilafu", "hit."), ("matengenezo", "mateng."), ("kurekebisha", "kurek."), ("eskaleta", "esk."),
           ("mnyororo", "mnyor."), ("ukaguzi", "ukag."), ("Stesheni", "Stn."), ("udhibiti", "udhib.")),
}
_PLAIN = str.maketrans("õäöüšžÕÄÖÜŠŽñÑ", "oaouszOAOUSZnN")


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
class _Station:
    name: str
    code: str
    origin: int
    kwh: int
    cars: list[_Car] = field(default_factory=list)
    escs: list[_Esc] = field(default_factory=list)


@dataclass(slots=True)
class _Car:
    name: str
    station: str
    cap: float  # kg
    speed: float  # m/s
    levels: list[int]
    opent: float  # s
    force: float  # N
    cur: float  # A at full load
    vib: float  # mg
    lev: float  # mm, the car's levelling bias
    rear: bool
    cycles: int
    runh: int
    trips: int


@dataclass(slots=True)
class _Esc:
    name: str
    station: str
    walkway: bool
    rated: float  # m/s
    direction: int
    cur: float  # A
    vib: float  # mm/s, new
    wear: float  # log-space drift of the vibration (bearing wear)
    tension: float  # kN, nominal
    stretch: float  # kN drift (chain stretch and re-tensioning)
    slip: float  # %, the handrail's own offset
    gap: float  # mm
    hours: int
    pax: int


@dataclass(slots=True)
class _Counter:
    unit: str
    station: str
    base: float  # persons per 15 minutes at the peak
    wait: float  # s
    iv: int


class LiftWorkload(BurstStream):
    """A held-out vertical-transportation world (see the module docstring). Deterministic in ``seed``."""

    KIND_NAMES = _KINDS
    PRIORITY_KINDS = PRIORITY_KINDS

    def __init__(self, seed: int) -> None:
        self._r = r = random.Random(f"holdout-lift/{seed}")
        self.dialect: str = r.choice(DIALECTS)
        d = self.dialect
        di = DIALECTS.index(d)
        self.prio_mode: str = r.choice(PRIORITY_MODES)
        self.prio_key: str | None = None if self.prio_mode == "text" else _PRIO_KEYS[self.prio_mode][di]
        picked: list[str] = []
        while not PRIORITY_KINDS & set(picked):
            picked = r.sample(COMMON_KINDS, r.randint(4, 6))
        self.common: tuple[str, ...] = tuple(k for k in COMMON_KINDS if k in picked)
        rare = r.sample(RARE_KINDS, r.randint(1, 3))
        self.rare: tuple[str, ...] = tuple(k for k in RARE_KINDS if k in rare)
        heavy = {"trip": 2.0, "door": 1.6, "flow": 1.4, "esc": 1.2, "fault": 1.1, "visit": 0.6, "supply": 0.7}
        self.weights = {k: r.lognormvariate(0.0, 0.45) * heavy.get(k, 1.0) for k in self.common}
        self.rare_share = {k: r.uniform(0.0015, 0.01) for k in self.rare}
        n_origins = r.randint(3, 10)
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-lift-node/{seed}/{i}".encode()).digest()).peer_id
            for i in range(n_origins)]
        self._origin_cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.2 for i in range(n_origins)))
        self.rm_origin = r.randrange(n_origins)  # the remote monitoring centre: faults, entrapments
        self.bms_origin = r.randrange(n_origins)  # building management: pits, supply, floods
        self.apc_origin = r.randrange(n_origins)  # passenger counting
        self.desk_origin = r.randrange(n_origins)  # the helpdesk: service calls
        self.cmms_origin = r.randrange(n_origins)  # maintenance management: visits
        self.mean_gap = r.choice((300.0, 1000.0, 2500.0, 5000.0))
        self.clumpy = r.random() < 0.25  # counters and handhelds upload in clumps
        self.burst_period = r.uniform(0.02, 0.14)
        self.copy_memory = r.uniform(20.0, 160.0)
        self.rates = {"dup": r.uniform(0.03, 0.06), "near": r.uniform(0.06, 0.10),
                      "burst": r.uniform(0.006, 0.014), "resend": r.uniform(0.007, 0.016)}
        self.anomaly_rate = r.uniform(0.015, 0.035)
        self.keys: dict[str, str] = {s: names[di] for s, names in _FIELDS.items()}
        self.sem_of: dict[str, str] = {v: k for k, v in self.keys.items()}
        self.kind_of: dict[str, str] = {v: k for k, v in _KINDS[d].items()}
        self._rare_values = frozenset(_RARE_VALUES[d].values())
        self._units = {s: _UNITS[d].get(s) or _Unit(float, _DEC[s]) for s in _DEC}
        self._dec = {self.keys[s]: u.dec for s, u in self._units.items()}
        self._qty = {self.keys[s]: u for s, u in _QTY[d].items()}
        self._cum: dict[tuple[int, float], list[float]] = {}
        self._build(r)
        self._fixed = frozenset(self.keys[s] for s in (*COUNTERS, "from", "to", "floor", "tpers", "speed"))
        self._caps = {self.keys[s]: (0.0, 100.0) for s in ("rh", "mload", "wear")}
        self.stats: dict[str, dict[str, Spread]] = {}
        self.stats = self._measure_spreads()
        self._archive: list[tuple[str, int, dict[str, object], float]] = []
        self._last_ts = 0

    # -- the stations ------------------------------------------------------------------------------------------
    def _build(self, r: random.Random) -> None:
        d = self.dialect
        picks = r.sample(_STATIONS[d], r.randint(4, min(14, len(_STATIONS[d]))))
        self.stations: list[_Station] = [_Station(n, c, self._zipf_origin(), r.randint(10**4, 3 * 10**6))
                                         for n, c in picks]
        self.cars: list[_Car] = []
        self.escs: list[_Esc] = []
        self.walks: list[_Esc] = []
        for st in self.stations:
            for i in range(1, r.randint(1, 4) + 1):
                levels = sorted(r.sample(range(-4, 3), r.randint(2, 4)))
                speed = r.choice((1.0, 1.0, 1.6, 2.5))
                car = _Car(self._unit_name(st.code, "car", i), st.name, r.choice((630.0, 1000.0, 1275.0, 1600.0)),
                           speed, levels, r.uniform(2.8, 5.5), r.uniform(80.0, 115.0), r.uniform(18.0, 45.0),
                           r.uniform(6.0, 18.0), r.gauss(0.0, 0.8), r.random() < 0.3, r.randint(10**4, 4 * 10**6),
                           r.randint(100, 60000), r.randint(10**3, 2 * 10**6))
                st.cars.append(car)
                self.cars.append(car)
            n_esc = r.choice((0, 0, 1, 2, 2, 3, 4, 5))
            n_walk = r.choice((1, 2)) if r.random() < 0.25 else 0
            for i, walkway in [(i, False) for i in range(1, n_esc + 1)] + [(i, True) for i in range(1, n_walk + 1)]:
                esc = self._new_esc(r, st, i, walkway)
                st.escs.append(esc)
                (self.walks if walkway else self.escs).append(esc)
        if not self.escs:
            st = self.stations[0]
            esc = self._new_esc(r, st, 1, False)
            st.escs.append(esc)
            self.escs.append(esc)
        if not self.walks:
            st = self.stations[-1]
            esc = self._new_esc(r, st, 1, True)
            st.escs.append(esc)
            self.walks.append(esc)
        self.units = [c.name for c in self.cars] + [e.name for e in self.escs] + [w.name for w in self.walks]
        self._station_of = {c.name: c.station for c in self.cars} | {e.name: e.station for e in self.escs + self.walks}
        counted = r.sample(self.units, min(len(self.units), r.randint(2, 10)))
        self.counters: list[_Counter] = [_Counter(u, self._station_of[u], r.uniform(40.0, 600.0), r.uniform(4.0, 40.0),
                                                  r.randint(1000, 400000)) for u in counted]
        # the day
        self.hour = r.uniform(0.0, 24.0)
        self.tick_h = r.uniform(0.5, 3.0) / 60.0
        self.am_peak = r.uniform(7.0, 8.6)
        self.pm_peak = r.uniform(16.8, 18.6)
        self.closed = (r.uniform(0.5, 1.5), r.uniform(4.5, 5.5))
        self.season = {"eu": r.uniform(4.0, 26.0), "et": r.uniform(-22.0, 22.0), "sw": r.uniform(12.0, 27.0)}[d]
        self.room0 = r.uniform(20.0, 30.0)  # deg C, machine rooms at 15 deg C outside
        self.rh0 = {"eu": r.uniform(55.0, 80.0), "et": r.uniform(45.0, 85.0), "sw": r.uniform(40.0, 70.0)}[d]
        self.dry = r.uniform(0.78, 0.92)  # share of pit readings with no water
        self.v0 = {"eu": 400.0, "et": 400.0, "sw": 415.0}[d] * r.uniform(0.985, 1.02)
        self.v_sd = {"eu": 0.008, "et": 0.008, "sw": 0.02}[d]
        self.imbal0 = r.uniform(0.6, 2.0)  # %
        self.reset0 = r.uniform(15.0, 120.0)  # s
        self.eta0 = r.uniform(25.0, 90.0)  # min
        self.dur0 = r.uniform(60.0, 150.0)  # min
        self.wear0 = r.uniform(25.0, 50.0)  # %
        self.yy = r.randint(24, 27)
        self._faultno = r.randint(10**4, 9 * 10**5)
        self._callno = r.randint(100, 90000)
        self._wono = r.randint(100, 60000)
        techs = list(_TECHS[d])
        r.shuffle(techs)
        self.techs = techs[:r.randint(3, 7)]

    def _new_esc(self, r: random.Random, st: _Station, i: int, walkway: bool) -> _Esc:
        rated = r.choice((0.5, 0.65, 0.75)) if walkway else r.choice((0.5, 0.5, 0.65))
        return _Esc(self._unit_name(st.code, "walk" if walkway else "esc", i), st.name, walkway, rated,
                    r.randrange(2), r.uniform(9.0, 30.0), r.uniform(0.8, 2.6), r.uniform(-0.2, 0.2),
                    r.uniform(11.0, 26.0), r.uniform(-0.8, 0.8), r.uniform(0.2, 0.9), r.uniform(3.0, 5.0),
                    r.randint(1000, 90000), r.randint(10**4, 9 * 10**6))

    def _unit_name(self, code: str, what: str, i: int) -> str:
        d = self.dialect
        if d == "eu":
            return f"{code}-{ {'car': 'IG', 'esc': 'EM', 'walk': 'PM'}[what] }{i:02d}"
        if d == "et":
            return f"{code}-{ {'car': 'L', 'esc': 'E', 'walk': 'LR'}[what] }{i:02d}"
        return f"{code}/{ {'car': 'LFT', 'esc': 'ESK', 'walk': 'NJT'}[what] }/{i:02d}"

    def _zipf_origin(self) -> int:
        return self._r.choices(range(len(self.origins)), cum_weights=self._origin_cum)[0]

    def _zipf(self, seq: Sequence[_T], s: float = 1.0) -> _T:
        cum = self._cum.get((len(seq), s))
        if cum is None:
            cum = self._cum[(len(seq), s)] = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(seq))))
        return seq[bisect.bisect_right(cum, self._r.random() * cum[-1])]

    def _origin(self, station: str) -> int:
        return next(st.origin for st in self.stations if st.name == station)

    # -- the day -----------------------------------------------------------------------------------------------
    def demand(self, hour: float) -> float:
        """Passenger demand (0.03..1) at an hour of the day: a morning and an evening peak, closed at night."""
        h = hour % 24.0
        if self.closed[0] <= h < self.closed[1]:
            return 0.03
        am = math.exp(-((h - self.am_peak) ** 2) / (2 * 1.1 ** 2))
        pm = math.exp(-((h - self.pm_peak) ** 2) / (2 * 1.6 ** 2))
        return min(1.0, 0.2 + 0.8 * am + 0.7 * pm)

    def _hour(self, live: bool) -> float:
        return self.hour if live else self._r.uniform(0.0, 24.0)

    # -- spreads -----------------------------------------------------------------------------------------------
    def _measure_spreads(self) -> dict[str, dict[str, Spread]]:
        """Median and spread (central 95% width / 3.92) of each anomaly-prone field as written (and read back),
        from 600 routine draws over the whole day that leave the world's state untouched."""
        out: dict[str, dict[str, Spread]] = {}
        for kind in self.common:
            prone = _PRONE[kind]
            out[kind] = {}
            draws = [self._write({s: v for s, v in self._draw(kind, False)[0].items() if s in prone}) for _ in range(600)]
            for sem, (space, direction, lo, hi) in prone.items():
                key = self.keys[sem]
                xs = sorted(_space(read_number(f[key]), space) for f in draws)
                lo_i, hi_i = int(0.025 * len(xs)), int(0.975 * len(xs)) - 1
                u = self._units[sem]
                floor = _SPREAD_FLOOR.get(space, 2.0 * 10.0 ** -u.dec)
                a, b = u.to(lo), u.to(hi)
                out[kind][key] = Spread(space, direction if b >= a else -direction, xs[len(xs) // 2],
                                        max((xs[hi_i] - xs[lo_i]) / 3.92, floor), min(a, b), max(a, b))
        return out

    # -- drawing (semantic units) ------------------------------------------------------------------------------
    def _draw(self, kind: str, live: bool = True) -> tuple[dict[str, object], int]:
        drawer: Callable[[bool], tuple[dict[str, object], int]] = getattr(self, f"_draw_{kind}")
        return drawer(live)

    def _draw_door(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        car = self._zipf(self.cars, 0.5)
        dem = self.demand(self._hour(live))
        if live:
            car.cycles += 1 + int(dem * 24.0 * r.uniform(0.5, 1.5))
        zero = r.random() < 0.82 - 0.3 * dem
        rev = 0 if zero else 1 + int(r.expovariate(1.0 / (0.6 + 2.0 * dem)))
        return {"car": car.name, "side": _SIDES[d][1 if car.rear and r.random() < 0.4 else 0], "cycles": car.cycles,
                "opent": r.lognormvariate(math.log(car.opent * (1.0 + 0.45 * dem)), 0.2), "reversals": float(rev),
                "force": r.gauss(car.force, 3.5)}, self._origin(car.station)

    def _draw_drive(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        car = self._zipf(self.cars, 0.5)
        dem = self.demand(self._hour(live))
        if live and r.random() < 0.2 + 0.6 * dem:
            car.runh += 1
        busy = r.random() < dem
        share = min(1.0, max(0.0, r.gauss(0.6, 0.15))) if busy else min(1.0, r.expovariate(1.0 / 0.12))
        return {"car": car.name, "opmode": _OPMODES[d][0 if r.random() < 0.7 else 1],
                "current": car.cur * (0.3 + 0.9 * share) * r.lognormvariate(0.0, 0.05),
                "wtemp": self.room0 + 14.0 + 24.0 * dem + r.gauss(0.0, 2.0), "speed": car.speed * r.gauss(1.0, 0.003),
                "carvib": r.lognormvariate(math.log(car.vib), 0.25), "runh": car.runh}, self._origin(car.station)

    def _draw_trip(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        car = self._zipf(self.cars, 0.5)
        dem = self.demand(self._hour(live))
        if live:
            car.trips += 1
        a, b = r.sample(car.levels, 2)
        if r.random() < 0.15:
            load = 0.0
        elif r.random() < dem:  # rush: a crowded car
            load = min(1.05 * car.cap, max(60.0, r.gauss(0.55 * car.cap, 0.12 * car.cap)))
        else:
            load = min(car.cap, r.lognormvariate(math.log(95.0), 0.45))
        ttime = (4.0 + abs(a - b) * 4.5 / car.speed + 2.5 * dem) * r.lognormvariate(0.0, 0.08)
        return {"car": car.name, "trips": car.trips, "from": a, "to": b, "load": load,
                "lev": r.gauss(car.lev, 1.8), "ttime": ttime}, self._origin(car.station)

    def _esc_state(self, e: _Esc, live: bool) -> tuple[float, float, bool]:
        """(demand, the vibration drift, eco) now; a live draw moves the escalator's wear and chain stretch."""
        r = self._r
        dem = self.demand(self._hour(live))
        if live:
            e.wear = min(0.25, max(-0.25, e.wear + r.gauss(0.0, 0.012)))
            e.stretch = min(0.9, max(-0.9, e.stretch + r.gauss(0.0, 0.04)))
            wear = e.wear
        else:
            wear = r.uniform(-0.25, 0.25)
        return dem, wear, r.random() > 0.12 + 0.88 * dem

    def _draw_esc(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        e = self._zipf(self.escs, 0.4)
        dem, wear, eco = self._esc_state(e, live)
        stretch = e.stretch if live else r.uniform(-0.9, 0.9)
        if live and r.random() < 0.5:
            e.hours += 1
        return {"esc": e.name, "dir": _DIRS[d][e.direction], "emode": _EMODES[d][1 if eco else 0],
                "escspeed": (0.2 if eco else e.rated) * r.gauss(1.0, 0.008),
                "esccur": (0.25 * e.cur if eco else e.cur * (0.6 + 0.5 * dem)) * r.lognormvariate(0.0, 0.07),
                "vib": r.lognormvariate(math.log(e.vib) + wear, 0.18), "tension": r.gauss(e.tension + stretch, 0.35),
                "eschours": e.hours}, self._origin(e.station)

    def _draw_rail(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        e = self._zipf(self.escs, 0.4)
        dem, _, eco = self._esc_state(e, live)
        slip = r.gauss(e.slip, 0.3)
        step = (0.2 if eco else e.rated) * r.gauss(1.0, 0.008)
        return {"esc": e.name, "rside": r.choice(_RSIDES[d]), "rspeed": step * (1.0 + slip / 100.0), "slip": slip,
                "rtemp": self.room0 - 3.0 + 7.0 * dem + r.gauss(0.0, 1.2)}, self._origin(e.station)

    def _draw_walk(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        w = self._zipf(self.walks, 0.6)
        dem, _, eco = self._esc_state(w, live)
        if live:
            w.pax += int(dem * 300.0 * r.lognormvariate(0.0, 0.3))
        mload = r.gauss(7.0, 2.0) if eco else r.gauss(15.0 + 60.0 * dem, 5.0)
        return {"walk": w.name, "bspeed": (0.2 if eco else w.rated) * r.gauss(1.0, 0.008), "gap": r.gauss(w.gap, 0.35),
                "mload": min(100.0, max(0.0, mload)), "pax": w.pax}, self._origin(w.station)

    def _draw_flow(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        c = self._zipf(self.counters, 0.6)
        if live:
            c.iv += 1
        iv = c.iv if live else c.iv + r.randint(0, 95)
        minute = iv * 15 % 1440
        dem = self.demand(minute / 60.0)
        persons = int(round(c.base * dem * r.lognormvariate(0.0, 0.3)))
        return {"unit": c.unit, "iv": iv, "slot": self._slot(minute // 60, minute % 60), "persons": persons,
                "wait": r.lognormvariate(math.log(c.wait * (1.0 + 2.5 * dem * dem)), 0.3)}, self.apc_origin

    def _draw_pit(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        st = self._zipf(self.stations, 0.5)
        tout = r.gauss(self.season, 2.5)
        water = 0.0 if r.random() < self.dry else float(max(1, int(r.lognormvariate(math.log(3.5), 0.6))))
        return {"station": st.name, "water": water, "mrtemp": r.gauss(self.room0 + 0.25 * (tout - 15.0), 1.3),
                "rh": min(100.0, max(5.0, r.gauss(self.rh0, 5.0))), "tout": tout}, self.bms_origin

    def _draw_supply(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        st = self._zipf(self.stations, 0.5)
        if live:
            st.kwh += r.randint(2, 40)
        return {"station": st.name, "source": _SOURCES[d][0], "volt": r.gauss(self.v0, self.v_sd * self.v0),
                "freq": r.gauss(50.0, 0.03), "pf": min(1.0, r.gauss(0.92, 0.02)),
                "imbal": r.lognormvariate(math.log(self.imbal0), 0.35), "kwh": st.kwh}, self.bms_origin

    def _draw_fault(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._faultno += r.randint(1, 4)
        unit = r.choice(self.units)
        code, desc = r.choice(_FAULTS[d])
        note = self._fill(r.choice(_FAULT_NOTES[d]), unit=unit, station=self._station_of[unit]) if live else ""
        return {"faultno": self._fault_id(self._faultno), "unit": unit, "fcode": self._fault_code(code),
                "fdesc": desc, "reset": r.lognormvariate(math.log(self.reset0), 0.7), "note": note}, self.rm_origin

    def _draw_call(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._callno += 1
        unit = r.choice(self.units)
        station = self._station_of[unit]
        note = self._fill(r.choice(_CALL_NOTES[d]), unit=unit, station=station) if live else ""
        return {"callno": self._call_id(self._callno), "station": station, "unit": unit,
                "category": r.choice(_CATEGORIES[d]), "tech": r.choice(self.techs),
                "eta": r.lognormvariate(math.log(self.eta0), 0.45), "note": note}, self.desk_origin

    def _draw_visit(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._wono += r.randint(1, 3)
        unit = r.choice(self.units)
        note = self._fill(r.choice(_VISIT_NOTES[d]), station=self._station_of[unit]) if live else ""
        return {"wono": self._wo_id(self._wono), "unit": unit, "task": r.choice(_TASKS[d]), "tech": r.choice(self.techs),
                "dur": r.lognormvariate(math.log(self.dur0), 0.5), "wear": min(100.0, max(0.0, r.gauss(self.wear0, 6.0))),
                "note": note}, self.cmms_origin

    def _draw_entrap(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        car = r.choice(self.cars)
        return {"car": car.name, "station": car.station, "tpers": r.randint(1, 6), "floor": r.choice(car.levels),
                "tmin": float(r.randint(2, 60)), "note": r.choice(_ENTRAP_NOTES[d])}, self.rm_origin

    def _draw_firemode(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        car = r.choice(self.cars)
        return {"station": car.station, "car": car.name, "phase": r.choice(_PHASES[d]),
                "trigger": r.choice(_TRIGGERS[d])}, self._origin(car.station)

    def _draw_estop(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        e = r.choice(self.escs + self.walks)
        return {"unit": e.name, "place": r.choice(_PLACES[d]), "reason": r.choice(_REASONS[d])}, self._origin(e.station)

    def _draw_flood(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        car = r.choice(self.cars)
        return {"station": car.station, "unit": car.name, "fwater": r.uniform(40.0, 900.0),
                "pump": r.choice(_PUMPS[d])}, self.bms_origin

    def _slot(self, h: int, m: int) -> str:
        d = self.dialect
        if d == "eu":
            return f"{h:02d}:{m:02d}"
        if d == "et":
            return f"{h:02d}.{m:02d}"
        part = "alfajiri" if 4 <= h < 6 else "asubuhi" if 6 <= h < 12 else "mchana" if 12 <= h < 16 else \
            "jioni" if 16 <= h < 19 else "usiku"
        return f"saa {(h - 6) % 12 or 12}:{m:02d} {part}"

    def _fault_id(self, n: int) -> str:
        return {"eu": f"AK-{n:07d}", "et": f"R{n:07d}", "sw": f"HIT/{self.yy}/{n:07d}"}[self.dialect]

    def _fault_code(self, code: int) -> str:
        return {"eu": f"A{code:04d}", "et": f"R-{code}", "sw": f"HT{code}"}[self.dialect]

    def _call_id(self, n: int) -> str:
        return {"eu": f"ABI{self.yy}-{n:06d}", "et": f"PÖ-{n:06d}", "sw": f"SIMU{n:06d}"}[self.dialect]

    def _wo_id(self, n: int) -> str:
        return {"eu": f"LA-{n:06d}", "et": f"TK{n:06d}", "sw": f"KAZI-{n:06d}"}[self.dialect]

    def _fill(self, template: str, **given: str) -> str:
        r, d = self._r, self.dialect
        slots: dict[str, Callable[[], object]] = {
            "n": lambda: r.randint(2, 60), "unit": lambda: r.choice(self.units),
            "station": lambda: r.choice(self.stations).name, "part": lambda: r.choice(_PARTS[d])}
        names = [p.split("}", 1)[0] for p in template.split("{")[1:]]
        return template.format_map({n: given[n] if n in given else slots[n]() for n in dict.fromkeys(names)})

    # -- writing -----------------------------------------------------------------------------------------------
    def _enc(self, key: str, x: float, dec: int | None = None) -> object:
        """A number in written units as this dialect prints it: rounded; a quantity string (eu with a decimal
        comma) for the dialect's quantity readings, else a plain number."""
        dec = self._dec[key] if dec is None else dec
        y = round(x, dec) + 0.0 if dec else int(round(x))
        unit = self._qty.get(key)
        if unit is None:
            return y
        s = f"{y:.{dec}f}" if dec else str(y)
        return f"{s.replace('.', ',') if self.dialect == 'eu' else s} {unit}"

    def _write(self, sem: dict[str, object]) -> dict[str, object]:
        """Semantic fields -> this dialect's names, units, rounding and number format."""
        out: dict[str, object] = {}
        for s, v in sem.items():
            key = self.keys[s]
            out[key] = self._enc(key, self._units[s].to(v)) if s in self._units and isinstance(v, float) else v
        return out

    # -- truth -------------------------------------------------------------------------------------------------
    def _k_of(self, kind: str, key: str, f: dict[str, object]) -> float:
        s = self.stats[kind][key]
        return abs(_space(read_number(f[key]), s.space) - s.center) / s.spread

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
        if mode == "scale":
            return STEP_STRENGTH[_SCALE[d].index(str(v))]
        if mode == "level":
            return STEP_STRENGTH[5 - int(_NUM.search(str(v)).group())]  # type: ignore[union-attr]
        if mode == "respond":
            return STEP_STRENGTH[sum(_respond_minutes(d, v) < e for e in _RESPOND_EDGES)]
        if mode == "deadline":
            return STEP_STRENGTH[sum(_iso_minutes(str(v)) < e for e in _DEADLINE_EDGES)]
        if mode == "risk":
            return STEP_STRENGTH[sum(read_number(v) >= e for e in _RISK_EDGES)]
        if mode == "percent":
            return STEP_STRENGTH[sum(read_number(v) >= e for e in _PCT_EDGES)]
        if mode == "flag":
            return FLAG_STRENGTH if v == _FLAG[d][1] else 0.0
        if mode == "klass":
            return STEP_STRENGTH[_KLASS[d].index(str(v))]
        if mode == "colour":
            return STEP_STRENGTH[_COLOUR[d].index(str(v))]
        return STEP_STRENGTH[_SIGN[d].index(str(v))]

    def score(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        """Ground truth of a routine record or burst head, from its content: (importance, detail)."""
        k = self.anomaly_k(kind, fields)
        a = 0.0 if k < 4.5 else min(1.0, 0.35 + 0.12 * (k - 4.5))
        p = self.priority_value(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if any(isinstance(v, str) and v in self._rare_values for v in fields.values()) else 0.0
        rarity = rk or rv
        return routine_truth(a, p, rarity, rk)

    # -- records -----------------------------------------------------------------------------------------------
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
            f[key] = self._enc(key, min(s.hi, max(s.lo, x)))
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
        if mode == "scale":
            return _SCALE[d][step]
        if mode == "level":
            return f"{5 - step}. tase" if d == "et" else 5 - step
        if mode == "respond":
            m = r.choice(_RESPOND_MIN[step])
            return m if d == "eu" else f"{m // 60:02d}:{m % 60:02d}" if d == "et" else f"dakika {m}"
        if mode == "deadline":
            return _iso_write(d, r.choice(_DEADLINE_MIN[step]))
        if mode == "risk":
            lo, hi = _RISK[step]
            n = int(r.triangular(lo, hi, lo)) if step == 0 else r.randint(lo, hi)
            if d == "eu":
                return n
            return round(n + r.randint(0, 9) / 10.0, 1) if d == "et" else f"{n}/1000"
        if mode == "percent":
            lo, hi = _PCT[step]
            n = 0 if step == 0 and r.random() < 0.5 else r.randint(lo, hi)
            return f"%{n}" if d == "eu" else f"{n} %" if d == "et" else f"{n}%"
        if mode == "flag":
            return _FLAG[d][int(step >= 3)]
        if mode == "klass":
            return _KLASS[d][step]
        if mode == "colour":
            return _COLOUR[d][step]
        return _SIGN[d][step]

    def _mark(self, kind: str, f: dict[str, object], step: int) -> None:
        """Write the step (carriers only), and the note's urgent or calm words."""
        r, d = self._r, self.dialect
        nk = self.keys["note"]
        if self.prio_mode == "text":
            if step and nk in f:
                phrase = _URGENT[d][step - 1]
                f[nk] = f"{phrase}. {f[nk]}" if r.random() < 0.5 else f"{f[nk]}; {phrase}"
        elif kind in CARRIERS:
            f[str(self.prio_key)] = self._form(step)
        if nk in f and step == 0 and r.random() < 0.3:
            f[nk] = f"{f[nk]}, {r.choice(_CALM[d])}"

    def _fresh(self, kind: str, t: float, news: bool = False) -> _Rec:
        """A routine record (with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        self.hour = (self.hour + self.tick_h * r.uniform(0.5, 1.5)) % 24.0
        f, origin = self._routine(kind)
        rare_sem = {"drive": "opmode", "esc": "emode", "supply": "source"}.get(kind)
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
            if key in self._dec:
                w = self._renumber(key, v)
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

    def _renumber(self, key: str, v: object) -> object:
        """A number as another system writes it: re-rounded, its last digit moved, or (a quantity string) with
        a decimal point for a comma, the unit's space dropped or its case changed. May return ``v`` itself."""
        r = self._r
        dec = self._dec[key]
        outs: list[object] = []
        if isinstance(v, str):
            m = _NUM.match(v)
            if m is None:  # pragma: no cover - quantity strings start with their number
                return v
            num, unit = m.group(), v[m.end():].strip()
            if "," in num:
                outs.append(v.replace(",", ".", 1))
            outs.append(f"{num}{unit}")
            if unit.upper() != unit:
                outs.append(f"{num} {unit.upper()}")
            elif unit.lower() != unit:
                outs.append(f"{num} {unit.lower()}")
            x = read_number(v)
            y = _coarser(x, dec)
            if y != x:
                outs.append(self._enc(key, y, max(0, dec - 1)))
        elif isinstance(v, int | float) and not isinstance(v, bool):
            y = _coarser(v, dec if isinstance(v, float) else 0)
            if y != v:
                outs.append(y)
            if isinstance(v, float) and dec:
                outs.append(round(v + r.choice((-1, 1)) * 10.0 ** -dec, dec))
            elif isinstance(v, int) and abs(v) >= 100:
                outs.append(v + r.choice((-1, 1)))
        outs = [o for o in outs if o != v]
        return r.choice(outs) if outs else v

    def _retype(self, s: str) -> str:
        """How another system writes the same words or code: an abbreviation, a separator, a leading zero,
        case, letters without their marks."""
        r = self._r
        out = [s.replace(a, b, 1) for a, b in _ABBREV[self.dialect] if a in s]
        for a, b in (("-", "_"), ("/", "-"), (":", "."), (".", ":")):
            if a in s and len(s) < 24:
                out.append(s.replace(a, b))
        if " " in s and len(s) < 28:
            out.append(s.replace(" ", "", 1) if r.random() < 0.5 else s.replace(" ", "_"))
        unzeroed = re.sub(r"(?:^|(?<=[A-Za-zÕÄÖÜ/-]))0+(?=\d)", "", s, count=1)
        if unzeroed != s:
            out.append(unzeroed)
        else:
            out.append(re.sub(r"(?<=[A-Za-zÕÄÖÜ/-])([1-9])(?!\d)", r"0\1", s, count=1))
        if re.search("[A-Za-z]", s):
            if s.upper() != s and len(s) < 28:
                out.append(s.upper())
            elif s.lower() != s:
                out.append(s.lower())
        out.append(s.translate(_PLAIN))
        out = [x for x in out if x != s]
        return r.choice(out) if out else s

    def _tail(self, b: _Storm, t: float) -> _Rec:
        """A burst's look-alike: same kind, origin and keys; plain numbers drift, counters step, words (and
        numbers written as quantity strings) stay."""
        r = self._r
        b.emitted += 1
        g = dict(b.rec.fields)
        steps = {self.keys[c] for c in COUNTERS}
        for key, v in b.rec.fields.items():
            if key in steps:
                g[key] = _step_counter(v, b.emitted)
            elif _drifts(v) and key in self._dec and key not in self._fixed and key != self.prio_key:
                x = float(v)  # type: ignore[arg-type]
                quantum = 10.0 ** -self._dec[key]
                lo, hi = self._caps.get(key, (-math.inf if x < 0 else 0.0, math.inf))
                y = min(hi, max(lo, x + r.gauss(0.0, 0.006 * abs(x) + 0.4 * quantum)))
                g[key] = round(y, self._dec[key]) if isinstance(v, float) else int(round(y))
        if g == b.rec.fields:  # nothing moved past its rounding: the last digit of one reading moves
            keys = sorted(k for k, v in g.items() if _drifts(v) and k in self._dec and k not in self._fixed
                          and k != self.prio_key)
            key = r.choice(keys)
            v = g[key]
            sign = r.choice((-1, 1)) if abs(float(v)) > 1 else 1  # type: ignore[arg-type]
            g[key] = round(float(v) + sign * 10.0 ** -self._dec[key], self._dec[key]) if isinstance(v, float) \
                else int(v) + sign  # type: ignore[call-overload]
        return _Rec(b.rec.kind, b.rec.origin, t, g, "burst_tail", tail_importance(b.rec.importance), b.head)


# -- helpers ---------------------------------------------------------------------------------------------------
def read_number(v: object) -> float:
    """A written reading back as a number: plain, or a quantity string (``"2,35 mm/s"``, ``"415 V"``)."""
    if isinstance(v, bool):
        raise TypeError("a flag is not a reading")
    if isinstance(v, int | float):
        return float(v)
    m = _NUM.search(str(v))
    if m is None:
        raise ValueError(f"no number in {v!r}")
    return float(m.group().replace(",", "."))


def _respond_minutes(d: str, v: object) -> int:
    if d == "eu":
        return int(v)  # type: ignore[call-overload]
    s = str(v)
    if d == "et":
        h, m = s.split(":")
        return 60 * int(h) + int(m)
    return int(s.split(" ")[1])


def _iso_write(d: str, minutes: int) -> str:
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if d == "sw" or (d == "eu" and rest):  # hours and minutes only
        hours, days = hours + 24 * days, 0
    out = f"P{days}D" if days else "P"
    if hours or mins:
        out += "T" + (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "")
    return out


def _iso_minutes(s: str) -> int:
    m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", s)
    if m is None:
        raise ValueError(s)
    return 1440 * int(m[1] or 0) + 60 * int(m[2] or 0) + int(m[3] or 0)


def _coarser(v: int | float, dec: int) -> int | float:
    """Another system's rounding: one decimal fewer, or whole numbers of 10 and more to the nearest 5 / 10 /
    100. May return ``v`` itself."""
    if isinstance(v, float) and dec > 0:
        return round(v, dec - 1) + 0.0
    if abs(v) < 10:
        return v
    step = 100 if abs(v) >= 2000 else 10 if abs(v) >= 100 else 5
    out = round(v / step) * step
    return int(out) if isinstance(v, int) else float(out)


def _drifts(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v != 0


def _step_counter(v: object, by: int) -> object:
    """A counter ``by`` further on: an int, or the number at the end of an id (``AK-0012345``)."""
    if isinstance(v, int):
        return v + by
    s = str(v)
    i = len(s)
    while i and s[i - 1].isdigit():
        i -= 1
    return f"{s[:i]}{int(s[i:]) + by:0{len(s) - i}d}"
