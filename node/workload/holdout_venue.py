"""Held-out family ``venue``: a performing-arts venue's operations. Used ONLY by evaluation.

Theory of operation
-------------------
An eighteenth held-out family, written blind (docs/holdout.md): nobody tunes the model on it, and it shares
no code path, name, distribution or vocabulary with the training generators or the other held-out families
(none of which is a theatre, an opera house or an arena). Only the truth helpers (:func:`noisy_or`,
:func:`main_reason`, :func:`tail_importance`, ``ROUTINE_FLOOR``), :class:`LabeledRecord` (through the shared
scheduler) and the stream scheduler of node/workload/holdout_stream.py (:class:`BurstStream`) are shared.
Training never imports this module (tests/node/test_holdout_venue.py checks ``sys.modules``).

One seed is one world: one house (a Broadway-style theatre, a Neapolitan opera house, a Yakutsk theatre)
during a run of performances, whose nodes (3-10 peer ids, the ``origins``: the automation controllers, the
lighting console, the audio network, the building management system, the crowd-counting system, the bar
tills, the power monitoring, the stage manager's desk, the front-of-house handhelds, the maintenance
system) carry fly-system telemetry, dimmer racks, sound-level monitors, radio microphones, auditorium
climate, crowd sensors, bar sales, power distribution, the stage manager's cue log, front-of-house
incidents, technical snags and fire-curtain tests. A world draws, from one ``random.Random``:

- a dialect (below), which names every kind, field, categorical value and identifier, picks the units and
  the currency, and writes every note;
- 4-6 common kinds of 12, at least one of which carries priority, and 1-3 rare kinds of 4 (each 0.15-1.1%
  of the fresh records);
- one of ten priority forms (``prio_mode``, field ``prio_key``);
- its house: 4-14 flown axes (a programmed speed, a load, 2-4 trim heights, how often it moves, a cycle
  counter), 2-8 dimmer racks, 1-3 sound-level positions, 6-24 radio-mic packs (a fixed frequency each, a
  battery that runs down and is swapped), 2-6 climate zones, 2-6 crowd areas, 2-8 tills, 2-5 power boards,
  1-2 fire curtains, the stage managers, front-of-house staff and crew, a cue list per department; every
  entity ingested through one origin (Zipf); a season (the outdoor air: a Yakutsk winter reaches -50 deg C);
- case rates, a mean gap between records (0.25-6 s), whether the stream arrives in uploads (clumps), and how
  far back copies reach.

Dialects
--------
- ``en``: English as a Broadway-style house's systems write it. Kinds ``Dept:Thing``
  (``Automation:Axis``, ``StageMgmt:CueLog``), fields lower snake_case with US unit suffixes
  (``speed_fpm``, ``load_lbs``, ``motor_temp_f``, ``airflow_cfm``, ``density_per_100sqft``); deg F, feet,
  feet per minute, pounds, inches, psi, CFM, 208 V / 60 Hz, US dollars, queue waits in seconds.
- ``nap``: Neapolitan, as an opera house in Naples could write its consoles: kinds ``thing@area``
  lower case (``tiro@palcuscenico``, ``chiammata@regia``), fields dotted lower case with the unit as the last
  segment (``carreco.daN``, ``temperatura.motore.C``); metric, rigging loads in decanewtons, 400 V / 50 Hz,
  euros. Neapolitan has no ``_lang(...)`` code (Italian has: many technical words are shared).
- ``sah``: Sakha (Yakut), in Cyrillic with its own letters (ҕ ҥ ө ү һ), as a Yakutsk theatre could write it:
  kinds ``AREA.THING`` in capitals (``СЫАНА.КӨТӨҔҮҮ``), fields lower-case words with the unit after a comma,
  as a Russian-style table header writes it (``ыйааһына, тс``, ``түргэнэ, м/мүн``); rigging loads in
  tonne-force, speeds in metres per minute, radio frequencies in kHz, hydraulic pressure in kgf/cm2,
  380 V / 50 Hz, roubles. Sakha has no ``_lang(...)`` code (Russian has; a few loanwords are shared).

Kinds (semantic name: numbers; anomaly-prone fields starred)
-------------------------------------------------------------
Common: ``hoist`` a flown axis (state, brake, speed bimodal: the axis's programmed speed while moving or 0
parked, position at a trim or between, load around the axis's own value, following error* log-normal
(up), motor temperature* (up), a cycle counter per axis); ``lx`` a dimmer rack (DMX universe, fixtures
offline* zero-inflated (up), rack temperature* (up), power bimodal lit / dark, lamp hours per rack);
``sound`` a sound-level monitor (position, LAeq over 15 minutes* (up), LCpeak, the licence limit, an
interval counter per position); ``rf`` a radio mic (pack, character, fixed frequency, RSSI* (down),
battery running down and swapped, dropouts* zero-inflated (up)); ``hvac`` a climate zone (occupied /
unoccupied, supply air, space temperature* (up), humidity* (either way), CO2 by occupancy, airflow,
outdoor air); ``crowd`` a crowd sensor (area, density* log-normal (up), flow, queue wait* log-normal (up),
an entries counter per area); ``bar`` a till (a transaction counter per till, basket amount* log-normal
(up) in the local currency, items, beer-line temperature* (up), tender); ``power`` a power board (source,
three phase currents, line voltage* (either way), frequency, neutral current* log-normal (up), an energy
counter per board); ``cue`` the stage manager's cue log (cue, a log counter, department, caller, go
latency* log-normal (up), note); ``incident`` a front-of-house incident (a world counter, location, type,
staff, response minutes* log-normal (up), note); ``snag`` a technical snag (a world counter, department,
asset, raised by, estimated hours* log-normal (up), note); ``iron`` a fire-curtain test (curtain, drop time*
(either way), hydraulic pressure* (down), a test counter per curtain). Rare: ``pyro`` a pyrotechnic misfire
(always raised priority), ``surge`` a crowd surge at a barrier, ``fall`` a performer's fall, ``showstop``
a show stop. Rare categorical values (a hoist brake slipping, a climate zone in smoke extract, a board on
the generator) appear in about 1.2% of their kinds' records.

Priority forms (carried by ``cue``, ``incident``, ``snag`` and ``pyro``)
-----------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0; 85% at 0); the world's form writes it, and
the truth is read back from what is written:

- ``calls``: the stage manager's five-step call (Log / Post-Show / Interval / Hold Please / Stop Show;
  pe' sapé / doppo 'o spettaculo / a ll'intervallo / aspettate / fermate 'o spettaculo; суруйан кэбис /
  оонньуу кэнниттэн / тохтобулга / кэтэһиҥ / оонньууну тохтотуҥ);
- ``sands``: a coded staff announcement, theatre style: routine calls ("Half hour please") at step 0, then
  "Mr Green to the stage door", "Mr Brown to front of house", "Inspector Sands to the prompt corner",
  "Mr Sands is in the building" (and their Neapolitan and Sakha counterparts): innocuous words that mean
  trouble only to the staff;
- ``text``: no field; an urgency phrase in the note (four levels), and routine notes that often say
  outright that nothing is pressing;
- ``stars``: four filled or empty marks, ``"★★☆☆"`` (nap ``"●●○○"``, sah ``"■■□□"``);
- ``blocks``: one block of rising height, ``"▁"`` (routine) ``"▂" "▄" "▆" "█"``;
- ``hex``: the colour a show-control app paints the entry: ``"#FF5722"`` (nap lower-case hex from another
  palette, sah the signed 32-bit ARGB integer a .NET client stores, ``-689152``);
- ``queue``: the position in the stage manager's call queue, small is pressing: 1 (step 4), 2-4, 5-9,
  10-19, 20-400 routine; an integer in en, ``"nº 7"`` in nap, ``"№ 7"`` in sah;
- ``matrix``: a 5x5 risk-matrix code, likelihood x severity, ``"L3xS4"`` (nap ``"P3·G4"``, sah
  ``"3×4"``); the product's bands: 4 or less routine, 5-6, 8-10, 12-15, 16-25;
- ``timecode``: the time left to act, small is pressing: en an SMPTE timecode ``"00:04:30:12"``
  (``"--:--:--:--"`` none), nap ``"HH:MM:SS"``, sah whole minutes (-1 none); bands at 60 / 30 / 10 / 2
  minutes;
- ``flag``: a hold requested, True (steps 3-4) has strength 0.9: a boolean in en, ``"sì"`` / ``"no"`` in
  nap, ``"ээ"`` / ``"суох"`` in sah.

Cases and truth (docs/attention.md, "The definition (issue 3)")
----------------------------------------------------------------
Routine records and burst heads, from their content alone:
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)`` (see :meth:`VenueWorkload.score`); anomaly = 0
below 4.5 spreads, else ``min(1, 0.35 + 0.12 * (k - 4.5))`` where k is the largest distance of an
anomaly-prone number from its (kind, field) median in spreads (central 95% width / 3.92 of the world's own
written routine values, estimated when the world is made; log space for positive heavy-tailed fields,
log(1 + x) space for zero-inflated counts); routine values are redrawn while 4 or more spreads off; an
anomaly (1.5-3.5% of fresh records) puts one number 4.5-11 spreads off, in the field's physical direction
and bounds. Rarity 0.5 for a rare kind, 0.45 for a rare value.
``detail = main_reason(0.9a, 0.9p, rarity, 0.5 if rare kind else 0)``.

An exact copy (the same reading relayed by another system, or re-delivered) keeps 5% of its source; a near
copy (another system's re-entry: a number re-rounded, a word abbreviated, "Stage Left" written "SL",
Neapolitan accents dropped or apostrophes curled, Sakha letters typed on a Russian keyboard; never the
priority field, nor the note where the world writes priority in notes) 10%; a burst (an axis polled at
fault rate, a rack's alarms repeating, a cue re-logged, a handheld re-sending an incident) has a head
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
import re
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
    "VenueWorkload",
]

_T = TypeVar("_T")

DIALECTS = ("en", "nap", "sah")
PRIORITY_MODES = ("calls", "sands", "text", "stars", "blocks", "hex", "queue", "matrix", "timecode", "flag")
STEP_STRENGTH = (0.0, 0.25, 0.5, 0.75, 1.0)
FLAG_STRENGTH = 0.9
STEP_ODDS = (0.85, 0.05, 0.04, 0.035, 0.025)

COMMON_KINDS = ("hoist", "lx", "sound", "rf", "hvac", "crowd", "bar", "power", "cue", "incident", "snag", "iron")
PRIORITY_KINDS = frozenset({"cue", "incident", "snag"})
RARE_KINDS = ("pyro", "surge", "fall", "showstop")
ALWAYS_PRIORITY_RARE = frozenset({"pyro"})
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE
COUNTERS = ("cycles", "lamph", "samples", "entries", "txn", "kwh", "cseq", "incno", "snagno", "tests")

# -- names ------------------------------------------------------------------------------------------------
_KINDS = {
    "en": {"hoist": "Automation:Axis", "lx": "Lighting:DimmerRack", "sound": "Audio:SplMonitor",
           "rf": "Audio:RadioMic", "hvac": "Building:ClimateZone", "crowd": "FOH:CrowdSensor",
           "bar": "Concessions:Till", "power": "Power:Distro", "cue": "StageMgmt:CueLog", "incident": "FOH:Incident",
           "snag": "Production:Snag", "iron": "Safety:FireCurtainTest", "pyro": "Effects:PyroMisfire",
           "surge": "FOH:CrowdSurge", "fall": "Safety:PerformerFall", "showstop": "StageMgmt:ShowStop"},
    "nap": {"hoist": "tiro@palcuscenico", "lx": "armadio@luce", "sound": "fonometro@sala",
            "rf": "radiomicrofono@fonica", "hvac": "zona@clima", "crowd": "sensore@foyer", "bar": "cassa@bar",
            "power": "quadro@currente", "cue": "chiammata@regia", "incident": "fatto@sala", "snag": "guasto@tecnica",
            "iron": "tagliafuoco@sicurezza", "pyro": "botta.mancata@effetti", "surge": "ammuina@foyer",
            "fall": "caduta@palcuscenico", "showstop": "spettaculo.fermato@regia"},
    "sah": {"hoist": "СЫАНА.КӨТӨҔҮҮ", "lx": "УОТ.ШКАФ", "sound": "ТЫАС.КЭЭМЭЙ", "rf": "ТЫАС.РАДИОМИКРОФОН",
            "hvac": "САЛГЫН.ЗОНА", "crowd": "ФОЙЕ.ДЬОН", "bar": "БУФЕТ.КАССА", "power": "КҮҮС.ЩИТ",
            "cue": "РЕЖИССЕР.СИГНАЛ", "incident": "СААЛА.ТҮБЭЛТЭ", "snag": "ТЕХНИКА.АЛДЬАНЫЫ",
            "iron": "ХАРЫСТАБЫЛ.САБЫЫ", "pyro": "ЭФФЕКТ.ЭСТИБЭТЭХ", "surge": "ФОЙЕ.АННЬЫҺЫЫ",
            "fall": "СЫАНА.ОХТУУ", "showstop": "РЕЖИССЕР.ТОХТООҺУН"},
}

# semantic name -> (en, nap, sah)
_FIELDS: dict[str, tuple[str, str, str]] = {
    "axis": ("axis", "tiro", "көтөҕүү"),
    "hstate": ("axis_state", "stato", "турук"),
    "brake": ("brake", "frenu", "тормуос"),
    "speed": ("speed_fpm", "velucità.m_s", "түргэнэ, м/мүн"),
    "pos": ("position_ft", "pusizione.m", "үрдүгэ, м"),
    "load": ("load_lbs", "carreco.daN", "ыйааһына, тс"),
    "ferr": ("following_error_in", "errore.inseguimento.mm", "хойутааһына, мм"),
    "tmot": ("motor_temp_f", "temperatura.motore.C", "мотуор итиитэ, °С"),
    "cycles": ("cycle_count", "cicle.totale", "цикл ахсаана"),
    "rack": ("rack", "armadio", "шкаф"),
    "univ": ("dmx_universe", "universo.dmx", "универсум"),
    "offline": ("fixtures_offline", "proiettori.stutati", "холбоммотох уот"),
    "trak": ("rack_temp_f", "temperatura.armadio.C", "шкаф итиитэ, °С"),
    "kw": ("load_kw", "putenza.kW", "кыамта, кВт"),
    "lamph": ("lamp_hours", "ore.lampada", "лаампа чааһа"),
    "mpos": ("position", "posto", "миэстэ"),
    "leq": ("laeq_15min_db", "leq.15min.dBA", "тыас, дБА"),
    "peak": ("lcpeak_db", "picco.dBC", "чыпчаал, дБС"),
    "limit": ("limit_db", "limite.dBA", "муҥур, дБА"),
    "samples": ("interval_count", "campiune", "кээмэй ахсаана"),
    "pack": ("pack", "radiomicrofono", "микрофон"),
    "role": ("character", "perzunaggio", "оруол"),
    "freq": ("freq_mhz", "frequenza.MHz", "долгун, кГц"),
    "rssi": ("rssi_dbm", "segnale.dBm", "сигнал, дБм"),
    "batt": ("battery_pct", "batteria.pc", "батарея, %"),
    "drops": ("dropouts", "perdite", "быстыы"),
    "zone": ("zone", "zona", "зона"),
    "hmode": ("mode", "modo", "режим"),
    "tsup": ("supply_air_f", "aria.mannata.C", "киирэр салгын, °С"),
    "troom": ("space_temp_f", "temperatura.sala.C", "саала итиитэ, °С"),
    "rh": ("rh_pct", "umidità.pc", "сиигэ, %"),
    "co2": ("co2_ppm", "co2.ppm", "CO2, ppm"),
    "airflow": ("airflow_cfm", "portata.m3_h", "салгын, м³/ч"),
    "tout": ("outdoor_air_f", "aria.fore.C", "таһырдьа, °С"),
    "area": ("area", "zona.pubblico", "сир"),
    "density": ("density_per_100sqft", "densità.p_m2", "хойуу, киһи/м²"),
    "flow": ("flow_per_min", "flusso.p_min", "киирии, киһи/мүн"),
    "qwait": ("queue_wait_s", "attesa.fila.min", "кэтэһии, мүн"),
    "entries": ("entries_total", "trasute.totale", "киирбит дьон"),
    "till": ("till", "cassa", "касса"),
    "txn": ("txn_no", "scuntrino.n", "чек нүөмэрэ"),
    "amount": ("amount_usd", "importo.eur", "суумата, солк"),
    "items": ("items", "pezze", "ахсаана"),
    "tline": ("beer_line_f", "temperatura.birra.C", "пиибэ итиитэ, °С"),
    "pay": ("tender", "pagamento", "төлөбүр"),
    "board": ("distro", "quadro", "щит"),
    "source": ("source", "alimentazione", "ситим"),
    "i1": ("l1_amps", "corrente.L1.A", "1 фаза, А"),
    "i2": ("l2_amps", "corrente.L2.A", "2 фаза, А"),
    "i3": ("l3_amps", "corrente.L3.A", "3 фаза, А"),
    "volts": ("volts_ll", "tensione.V", "күүрүү, В"),
    "hz": ("freq_hz", "frequenza.Hz", "частота, Гц"),
    "neutral": ("neutral_amps", "corrente.N.A", "нейтраль, А"),
    "kwh": ("kwh_total", "energia.kWh", "энергия, кВт·ч"),
    "cueid": ("cue", "chiammata.n", "сигнал"),
    "cseq": ("log_seq", "prugressivo", "бэрээдэк"),
    "dept": ("dept", "reparto", "салаа"),
    "caller": ("called_by", "direttore.scena", "ыҥырбыт"),
    "latency": ("go_latency_ms", "ritardo.ms", "хойутааһын, мс"),
    "note": ("note", "nota", "бэлиэтээһин"),
    "incno": ("incident_no", "fatto.n", "түбэлтэ нүөмэрэ"),
    "loc": ("location", "addò", "ханна"),
    "itype": ("type", "tipo", "көрүҥэ"),
    "staff": ("reported_by", "segnalato.da", "суруйбут"),
    "resp": ("response_min", "risposta.min", "кэлии, мүн"),
    "snagno": ("snag_no", "guasto.n", "сайаапка"),
    "asset": ("asset", "oggetto", "тэрил"),
    "raised": ("raised_by", "aperto.da", "арыйбыт"),
    "est": ("est_hours", "ore.stimate", "чаас, былаан"),
    "curtain": ("curtain", "sipario", "сабыы"),
    "drop": ("drop_time_s", "calata.s", "түһүү, с"),
    "hpres": ("hyd_psi", "pressione.bar", "баттааһын, кгс/см²"),
    "tests": ("test_count", "prove.totale", "боруобалар"),
    "effect": ("effect", "botta", "эффект"),
    "device": ("device", "tipo.botta", "тэрил көрүҥэ"),
    "people": ("est_people", "gente.stimata", "дьон ахсаана"),
    "barrier": ("barrier_lbf", "transenna.kN", "хаххалыыр, кН"),
    "height": ("height_ft", "altezza.m", "үрдүк, м"),
    "performer": ("performer", "artista", "артыыс"),
    "conscious": ("conscious", "cosciente", "өйдөөх"),
    "reason": ("reason", "mutivo", "төрүөтэ"),
    "stopmin": ("stopped_min", "fermo.min", "тохтобул, мүн"),
    "act": ("act", "atto", "дьайыы"),
}
_PRIO_KEYS = {
    "calls": ("sm_call", "chiammata.direttore", "ыҥырыы"),
    "sands": ("pa_announcement", "annunzio", "биллэрии"),
    "stars": ("flag_stars", "stelluzze", "сулус"),
    "blocks": ("gauge", "barra", "шкала"),
    "hex": ("tag_colour", "culore", "өҥө, ARGB"),
    "queue": ("queue_pos", "posto.'n.fila", "уочарат"),
    "matrix": ("risk_lxs", "rischio.PxG", "куттал матрицата"),
    "timecode": ("act_within_tc", "fa.entro", "болдьох, мүн"),
    "flag": ("hold_requested", "fermata.richiesta", "тохтотуу ирдэнэр"),
}

# -- units: semantic units are metric (deg C, m, m/s, kg, mm, m3/h, persons/m2, min, bar, kN) ----------------
_DEC = {"speed": 2, "pos": 2, "load": 0, "ferr": 1, "tmot": 1, "offline": 0, "trak": 1, "kw": 1, "leq": 1,
        "peak": 1, "freq": 3, "rssi": 0, "batt": 0, "drops": 0, "tsup": 1, "troom": 1, "rh": 0, "co2": 0,
        "airflow": 0, "tout": 1, "density": 2, "flow": 0, "qwait": 1, "amount": 2, "tline": 1, "i1": 0, "i2": 0,
        "i3": 0, "volts": 0, "hz": 2, "neutral": 1, "latency": 0, "resp": 0, "est": 1, "drop": 1, "hpres": 1,
        "barrier": 1, "height": 1}


@dataclass(frozen=True, slots=True)
class _Unit:
    to: Callable[[float], float]
    dec: int


def _lin(a: float, b: float = 0.0) -> Callable[[float], float]:
    return lambda x: a * x + b


_F = _lin(1.8, 32.0)
_FT = _lin(3.28084)
_UNITS: dict[str, dict[str, _Unit]] = {
    "en": {"speed": _Unit(_lin(196.85), 0), "pos": _Unit(_FT, 1), "load": _Unit(_lin(2.20462), 0),
           "ferr": _Unit(_lin(1 / 25.4), 3), "tmot": _Unit(_F, 0), "trak": _Unit(_F, 0), "tsup": _Unit(_F, 1),
           "troom": _Unit(_F, 1), "tout": _Unit(_F, 0), "airflow": _Unit(_lin(0.588578), 0),
           "density": _Unit(_lin(9.2903), 1), "qwait": _Unit(_lin(60.0), 0), "tline": _Unit(_F, 1),
           "hpres": _Unit(_lin(14.5038), 0), "barrier": _Unit(_lin(224.809), 0), "height": _Unit(_FT, 1)},
    "nap": {"load": _Unit(_lin(0.980665), 0)},
    "sah": {"speed": _Unit(_lin(60.0), 1), "load": _Unit(_lin(0.001), 3), "freq": _Unit(_lin(1000.0), 0),
            "hpres": _Unit(_lin(1.01972), 1), "amount": _Unit(float, 0), "qwait": _Unit(float, 0)},
}

# Anomaly-prone numbers per kind: semantic name -> (space, physical direction, semantic bounds).
_PRONE: dict[str, dict[str, tuple[str, int, float, float]]] = {
    "hoist": {"ferr": ("log", 1, 0.05, 500.0), "tmot": ("lin", 1, -20.0, 180.0)},
    "lx": {"offline": ("log1p", 1, 0.0, 400.0), "trak": ("lin", 1, -10.0, 120.0)},
    "sound": {"leq": ("lin", 1, 30.0, 140.0)},
    "rf": {"rssi": ("lin", -1, -125.0, -5.0), "drops": ("log1p", 1, 0.0, 5000.0)},
    "hvac": {"troom": ("lin", 1, -10.0, 60.0), "rh": ("lin", 0, 1.0, 100.0)},
    "crowd": {"density": ("log", 1, 0.01, 12.0), "qwait": ("log", 1, 0.05, 600.0)},
    "bar": {"amount": ("log", 1, 0.01, 1e7), "tline": ("lin", 1, -5.0, 40.0)},
    "power": {"volts": ("lin", 0, 0.0, 700.0), "neutral": ("log", 1, 0.1, 3000.0)},
    "cue": {"latency": ("log", 1, 10.0, 600000.0)},
    "incident": {"resp": ("log", 1, 0.2, 600.0)},
    "snag": {"est": ("log", 1, 0.05, 2000.0)},
    "iron": {"drop": ("lin", 0, 1.0, 300.0), "hpres": ("lin", -1, 0.5, 400.0)},
}
_SPREAD_FLOOR = {"log": 0.05, "log1p": 0.25}

# -- priority forms ----------------------------------------------------------------------------------------
_CALLS = {"en": ("Log", "Post-Show", "Interval", "Hold Please", "Stop Show"),
          "nap": ("pe' sapé", "doppo 'o spettaculo", "a ll'intervallo", "aspettate", "fermate 'o spettaculo"),
          "sah": ("суруйан кэбис", "оонньуу кэнниттэн", "тохтобулга", "кэтэһиҥ", "оонньууну тохтотуҥ")}
_SANDS_ROUTINE = {
    "en": ("Half hour please", "Beginners to the stage please", "House is open", "Five minutes please",
           "Act two beginners please"),
    "nap": ("mezz'ora, prego", "primme 'n scena, prego", "'a sala è aperta", "cinche minute, prego",
            "secondo atto, primme 'n scena"),
    "sah": ("аҥаар чаас хаалла", "бастакы тахсааччылар сыанаҕа", "саала аһаҕас", "биэс мүнүүтэ хаалла",
            "иккис дьайыы, сыанаҕа"),
}
_SANDS = {  # steps 1..4: coded announcements that mean trouble only to the staff
    "en": ("Mr Green to the stage door", "Mr Brown to front of house", "Inspector Sands to the prompt corner",
           "Mr Sands is in the building"),
    "nap": ("'o signor Verde â porta 'e palcuscenico", "'o signor Marrone ô foyer",
            "'o 'spettore Rena â cunzolle", "'o signor Rena sta dint' 'o teatro"),
    "sah": ("Күөх Уйбаан сыана ааныгар", "Хара Уйбаан фойеҕа", "Кумах инспектор пультаҕа",
            "Кумах Уйбаан тыйаатырга баар"),
}
_STARS = {"en": ("★", "☆"), "nap": ("●", "○"), "sah": ("■", "□")}
_BLOCKS = ("▁", "▂", "▄", "▆", "█")
_HEX_EN = ("#9E9E9E", "#2196F3", "#FFC107", "#FF5722", "#D50000")
_HEX_NAP = ("#7f8c8d", "#3498db", "#f1c40f", "#e67e22", "#c0392b")
_ARGB_SAH = tuple(int("FF" + h, 16) - (1 << 32) for h in ("607D8B", "0288D1", "FBC02D", "F57C00", "C62828"))
_QUEUE = {"en": "{}", "nap": "nº {}", "sah": "№ {}"}
_QUEUE_EDGES = (20, 10, 5, 2)  # positions below each edge are one step more pressing
_MATRIX = {"en": "L{}xS{}", "nap": "P{}·G{}", "sah": "{}×{}"}
_MATRIX_PAIRS = tuple(tuple((a, b) for a in range(1, 6) for b in range(1, 6) if lo <= a * b <= hi)
                      for lo, hi in ((1, 4), (5, 6), (8, 10), (12, 15), (16, 25)))
_TC_SEC = ((3600, 8 * 3600), (1800, 3599), (600, 1799), (120, 599), (15, 119))
_TC_EDGES = (3600, 1800, 600, 120)  # seconds: at or above the first is routine
_TC_NONE = {"en": "--:--:--:--", "nap": "--:--:--", "sah": -1}
_FLAG_WORDS = {"en": (False, True), "nap": ("no", "sì"), "sah": ("суох", "ээ")}

_URGENT = {  # steps 1..4, inside a note (text worlds) and nowhere else
    "en": ("when someone gets a sec", "need a hand on this before the act",
           "HOLD PLEASE - need crew on this right now", "SHOW STOP - all crew to the stage now"),
    "nap": ("quanno tenite nu mumento", "mannate quaccheduno primma 'e ll'atto",
            "AMPRESSA! ce vò gente ccà, mo' mo'", "FERMATE TUTTO! tutte quante 'ncopp' 'o palco"),
    "sah": ("босхо буоллаххытына кэлиҥ", "дьайыы иннинэ биир киһини ыытыҥ",
            "ТҮРГЭННИК! манна киһи тута наада", "СУҺАЛ! барыта тохтоо, бары сыанаҕа"),
}
_CALM = {
    "en": ("no rush", "not urgent", "after the show is fine", "FYI only", "nothing pressing"),
    "nap": ("nun ce sta pressa", "cu calma", "quanno se pò", "sulo pe' sapé", "nisciuna pressa"),
    "sah": ("ыксала суох", "суһала суох", "тиэтэйбэккэ", "кэтэһиэн сөп", "билиһиннэрии эрэ"),
}

# -- the dialects' words ------------------------------------------------------------------------------------
_CUE_NOTES = {
    "en": ("called on the button", "a touch late, actor slow off the mark", "standby given early, {dept} ready",
           "go on the music", "fade ran long, check timing after the show", "called on visual from {person}",
           "deck clear before the cue", "follow spot pick-up late stage left", "trap clear, go given",
           "flown piece in on the count", "house lights out on time", "applause held the cue a few seconds"),
    "nap": ("chiammata justa 'ncopp' 'o tasto", "nu poco 'e ritardo, ll'artista lento a partì",
            "standby dato primma, {dept} pronto", "go 'ncopp' 'a museca",
            "'a dissolvenza è durata assaje, cuntrollà doppo 'o spettaculo", "chiammata a vista 'a {person}",
            "palco libbero primma d''a chiammata", "seguipersona tarde a sinistra", "botola libbera, go dato",
            "'o pezzo è calato a tiempo", "luce 'e sala stutata a tiempo", "ll'applauso ha trattenuto 'a chiammata"),
    "sah": ("кнопкаҕа кэмигэр ыҥырылынна", "кыратык хойутаата, артыыс бытааннык хамсаата",
            "{dept} бэлэм, эрдэ сэрэтилиннэ", "муусуканан ыҥырылынна",
            "уот уһуннук уларыйда, оонньуу кэнниттэн бэрэбиэркэлээ", "{person} көрөн ыҥырда",
            "сигнал иннинэ сыана ыраас этэ", "хаҥас өттүгэр прожектор хойутаата", "люк ыраас, сигнал бэрилиннэ",
            "декорация кэмигэр түстэ", "саала уота кэмигэр умулунна", "ытыс таһыыта сигналы тохтотто"),
}
_INCIDENT_NOTES = {
    "en": ("guest fainted in row {row}, recovered, water given", "bag left in the {area}, claimed",
           "latecomer held at the door until the pause", "guest removed for filming, no trouble",
           "spilled drink in the {area}, cleaned", "complaint about the sightline from seat {seat}",
           "lost phone handed in to the box office", "wheelchair user assisted to the elevator",
           "child separated from parent, reunited in the {area}", "small cut from a glass at the bar, first aid given"),
    "nap": ("nu signore s'è sentuto male 'a fila {row}, s'è ripigliato, dato ll'acqua",
            "na borsa lassata int' 'o {area}, ripigliata", "ritardatario fermato â porta fino â pausa",
            "nu signore è stato fatto ascì pecché filmava, nisciuno problema", "bevanda versata int' 'o {area}, pulezzato",
            "lamentela p' 'a vista d' 'o posto {seat}", "telefonino perzo purtato â biglietteria",
            "signora 'ncopp' 'a carrozzella aiutata a l'ascensore", "criaturo perzo, truvato int' 'o {area}",
            "taglio piccerillo cu nu bicchiere, medicato"),
    "sah": ("{row} эрээккэ көрөөччү мөлтөөтө, өйдөннө, уу бэрилиннэ", "{area} суумка хаалбыт, ылбыттар",
            "хойутаабыт көрөөччү тохтобулга диэри ааҥҥа тохтотулунна", "устубут иһин көрөөччү таһаарылынна",
            "{area} утах тоҕуллубут, сотуллунна", "{seat} миэстэттэн сыана көстүбэт диэн үҥсүү",
            "сүппүт телефон кассаҕа туттарылынна", "олоппостоох киһиэхэ лифтэҕэ көмөлөстүлэр",
            "оҕо төрөппүтүттэн арахсыбыт, {area} булулунна", "буфекка иһитинэн кыратык быһылынна, көмө оҥоһулунна"),
}
_SNAG_NOTES = {
    "en": ("replace the lamp in {asset}", "{asset} squeaks on the way out, needs grease", "gel faded on {asset}",
           "intermittent buzz on {asset}", "check the brake on {asset}", "re-tape the spike marks stage left",
           "recalibrate the load cell on {asset}", "order spare batteries for the RF packs",
           "door closer on the scene dock is weak"),
    "nap": ("cagnà 'a lampadina 'e {asset}", "{asset} cìgola quanno esce, ce vò 'o grasso",
            "gelatina sculurita 'ncopp' a {asset}", "ronzio ogne tanto 'ncopp' a {asset}",
            "cuntrollà 'o frenu 'e {asset}", "rimettere 'e segne 'ncopp' 'o palco a sinistra",
            "ricalibrà 'a cella 'e carreco 'e {asset}", "accattà batterie pe' 'e radiomicrofune",
            "'a porta d' 'o magazzino nun se chiude bbuono"),
    "sah": ("{asset} лаампатын уларыт", "{asset} тахсарыгар хаачыргыыр, сыа кут",
            "{asset} светофильтрын өҥө симэлийбит", "{asset} сороҕор дьыргыйар", "{asset} тормуоһун бэрэбиэркэлээ",
            "хаҥас өттүгэр бэлиэлэри саҥардан сыһыар", "{asset} ыйааһын датчигын калибровкалаа",
            "радиомикрофоннарга батарея атыылас", "склад аана үчүгэйдик сабыллыбат"),
}
_PYRO_NOTES = {
    "en": ("pyro {effect} did not fire on the cue, device live on the deck",
           "misfire on {effect}, area cordoned, do not approach"),
    "nap": ("'a botta {effect} nun è partuta, 'o dispositivo è ancora carreco 'ncopp' 'o palco",
            "botta mancata {effect}, zona chiusa, nun v'avvicinate"),
    "sah": ("{effect} эффект сигналга эстибэтэ, тэрил сыанаҕа эстэ илик",
            "{effect} эстибэтэ, сир бүөлэннэ, чугаһаамаҥ"),
}
_PIECES = {
    "en": ("Main Rag", "Border 3", "Electric 1", "Electric 2", "Header", "Cyc", "Scrim", "Chandelier",
           "Show Portal", "Legs 2", "Mid Traveller", "Blackout Drop", "Flown Bridge", "Sky Drop"),
    "nap": ("Sipario 'e scena", "Cielo 3", "Americana 1", "Americana 2", "Arlecchino", "Fondale", "Velatino",
            "Lampadario", "Boccascena", "Quinte 2", "Mantovana", "Telone nero", "Ponte mobile", "Panorama"),
    "sah": ("Сүрүн сабыы", "Үөһээ сабыы", "Уот маһа 1", "Уот маһа 2", "Падуга", "Кэнники фон", "Тюль", "Люстра",
            "Портал", "Кырыы 2", "Орто сабыы", "Хара фон", "Мостик", "Халлаан фона"),
}
_HSTATES = {"en": ("MOVING", "PARKED"), "nap": ("'n muvimento", "fermo"), "sah": ("хамсыыр", "турар")}
_BRAKES = {"en": ("RELEASED", "SET"), "nap": ("libbero", "chiuso"), "sah": ("босхо", "туттар")}
_HMODES = {"en": ("OCCUPIED", "UNOCCUPIED"), "nap": ("occupato", "vacante"), "sah": ("дьонноох", "кураанах")}
_SOURCES = {"en": "UTILITY", "nap": "rete", "sah": "ситим"}
_RARE_VALUES = {"en": {"brake": "SLIP", "hmode": "SMOKE_EXTRACT", "source": "GENERATOR"},
                "nap": {"brake": "slittamento", "hmode": "evacuazione fumo", "source": "gruppo elettrogeno"},
                "sah": {"brake": "халтарыйыы", "hmode": "буруо таһаарыы", "source": "генератор"}}
_ZONES = {"en": ("Orchestra", "Mezzanine", "Balcony", "Stage", "Lobby", "Dressing Rooms"),
          "nap": ("Platea", "Palchi", "Galleria", "Palcuscenico", "Foyer", "Camerini"),
          "sah": ("Партер", "Ложалар", "Балкон", "Сыана", "Фойе", "Грим хосторо")}
_AREAS = {"en": ("Main Lobby", "Orchestra Entrance", "Mezzanine Bar", "Balcony Stairs", "Coat Check",
                 "Grand Foyer", "Box Office", "Stage Door"),
          "nap": ("Foyer Granne", "Ingresso Platea", "Bar d' 'e Palchi", "Scala d' 'a Galleria", "Guardaroba",
                  "Ridotto", "Biglietteria", "Porta 'e Palcuscenico"),
          "sah": ("Улахан фойе", "Партер аана", "Буфет", "Балкон кирилиэһэ", "Гардероб", "Кэнники фойе", "Касса",
                  "Сыана аана")}
_POSITIONS = {"en": ("FOH Mix", "Balcony Rail", "Pit Rail"), "nap": ("Regia Fonica", "Galleria", "Buca"),
              "sah": ("Пульт", "Балкон", "Оркестр ямата")}
_ROLES = {"en": ("Eliza", "Higgins", "Ensemble 4", "Swing 2", "Narrator", "Mother", "Captain", "Chorus 1",
                 "Lead Vocal", "Guitar VO", "Ensemble 7", "Doolittle"),
          "nap": ("Tosca", "Cavaradossi", "Scarpia", "Pulcinella", "Coro 3", "Sagrestano", "Spoletta", "Pastorello",
                  "Narratore", "Coro 7", "Angelotti", "Sciarrone"),
          "sah": ("Ньургун Боотур", "Туйаара", "Уот Уһутаакы", "Хор 2", "Ааҕааччы", "Ийэ", "Аҕа", "Олоҥхоһут",
                  "Кыыс Ньургун", "Хор 5", "Айыы Умсуур", "Тимир Дьэбэрэ")}
_BOARDS = {"en": ("Company Switch 1", "Company Switch 2", "Dimmer Feed", "Audio Isolated", "Automation Feed"),
           "nap": ("Quadro Generale", "Quadro Luce", "Quadro Fonica", "Quadro Macchine", "Quadro Palco"),
           "sah": ("Сүрүн щит", "Уот щита", "Тыас щита", "Автоматика щита", "Сыана щита")}
_CURTAINS = {"en": ("Main Iron", "Scene Dock Shutter"), "nap": ("Tagliafuoco Principale", "Tagliafuoco Magazzino"),
             "sah": ("Сүрүн сабыы", "Склад сабыыта")}
_PAY = {"en": ("CARD", "CASH", "MOBILE", "COMP"), "nap": ("carta", "contante", "bancomat", "omaggio"),
        "sah": ("карта", "харчы", "QR", "босхо")}
_ITYPES = {"en": ("FIRST_AID", "SECURITY", "LOST_PROPERTY", "LATECOMER", "COMPLAINT", "SPILL"),
           "nap": ("primmo succorso", "sicurezza", "oggetto perzo", "ritardatario", "lamentela", "versamento"),
           "sah": ("бастакы көмө", "харабыл", "сүппүт мал", "хойутаабыт", "үҥсүү", "тоҕуллуу")}
_DEPTS = {"en": ("LX", "SOUND", "FLYS", "AUTOMATION", "WARDROBE", "PROPS", "STAGE"),
          "nap": ("luce", "fonica", "tiri", "macchinisti", "sartoria", "attrezzeria", "palco"),
          "sah": ("уот", "тыас", "көтөҕүү", "автоматика", "таҥас", "реквизит", "сыана")}
_CUE_PREFIX = {"en": ("LX", "SQ", "FLY", "AUTO", "FS", "VID"), "nap": ("LUCE", "FON", "TIRO", "MAC", "SEG", "VID"),
               "sah": ("УОТ", "ТЫАС", "КӨТ", "АВТО", "ПРЖ", "ВИД")}
_DEVICES = {"en": ("GERB", "MINE", "FLASH_POT", "AIRBURST"), "nap": ("fontana", "mina", "flash", "botta 'n aria"),
            "sah": ("фонтан", "мина", "флеш", "халлаан эстиитэ")}
_STAGE_SPOTS = {"en": ("Downstage Left", "Downstage Right", "Upstage Center", "Stage Left", "Stage Right"),
                "nap": ("proscenio a sinistra", "proscenio a destra", "funno 'o centro", "quinta sinistra",
                        "quinta destra"),
                "sah": ("иннин хаҥас", "иннин уҥа", "кэннин орто", "хаҥас кырыы", "уҥа кырыы")}
_REASONS = {"en": ("automation fault", "performer injured", "fire alarm", "audience medical", "power loss"),
            "nap": ("guasto d' 'e macchine", "artista fatto male", "allarme fuoco", "malore 'n sala",
                    "mancanza 'e currente"),
            "sah": ("автоматика алдьанна", "артыыс бааһырда", "уот сигнала", "көрөөччү ыалдьыбыт", "уот сүттэ")}
_PEOPLE = {"en": ("J. Alvarez", "M. Chen", "R. Okafor", "S. Goldberg", "T. Nguyen", "K. Walsh", "D. Patel",
                  "L. Brooks", "A. Ferreira", "B. Kim", "C. Moreno", "E. Fitzgerald"),
           "nap": ("Esposito", "Russo", "Capuozzo", "De Luca", "Iovine", "Scognamiglio", "Coppola", "Ammendola",
                   "Sorrentino", "Cannavacciuolo", "Improta", "Di Maio"),
           "sah": ("Саргылаана", "Айаал", "Туйаара", "Эрчим", "Ньургуйаана", "Дьулус", "Сардаана", "Айсен",
                   "Күннэй", "Мичил", "Айталина", "Ньургун")}
_RETYPE = {
    "en": (("Downstage ", "DS "), ("Upstage ", "US "), ("Stage Left", "SL"), ("Stage Right", "SR"),
           ("stage left", "SL"), ("Orchestra", "Orch"), ("Mezzanine", "Mezz"), ("Balcony", "Balc"),
           ("Electric", "Elec"), ("Company Switch", "Co Sw"), ("please", "pls"), ("the ", ""), ("Dressing Rooms", "DR")),
    "nap": (("palcuscenico", "palco"), ("Palcuscenico", "Palco"), ("Americana", "Am."), ("Quadro", "Q."),
            ("'o ", "o "), ("'a ", "a "), ("proscenio", "prosc."), ("Tagliafuoco", "T.F."), ("Galleria", "Gall.")),
    "sah": (("Көтөҕүү", "Көт."), ("микрофон", "мкф"), ("щита", "щ."), ("сабыы", "саб."), ("фойе", "ф."),
            ("Сүрүн", "Сүр.")),
}
_RUSSIAN_KEYBOARD = str.maketrans({"ҕ": "г", "ҥ": "нг", "ө": "о", "ү": "у", "һ": "х", "Ҕ": "Г", "Ҥ": "НГ",
                                   "Ө": "О", "Ү": "У", "Һ": "Х"})


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
class _Axis:
    name: str
    speed: float  # m/s, programmed
    load: float  # kg
    trims: tuple[float, ...]  # m
    moving: float  # share of polls moving
    cycles: int


@dataclass(slots=True)
class _Rack:
    name: str
    universe: int
    kw: float
    offset: float
    lamph: int


@dataclass(slots=True)
class _Pack:
    name: str
    role: str
    freq: float  # MHz
    batt: float


class VenueWorkload(BurstStream):
    """A held-out performing-arts venue world (see the module docstring). Deterministic in ``seed``."""

    KIND_NAMES = _KINDS
    PRIORITY_KINDS = PRIORITY_KINDS

    def __init__(self, seed: int) -> None:
        self._r = r = random.Random(f"holdout-venue/{seed}")
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
        heavy = {"hoist": 2.0, "rf": 1.7, "lx": 1.4, "crowd": 1.3, "bar": 1.5, "cue": 1.2, "iron": 0.4}
        self.weights = {k: r.lognormvariate(0.0, 0.5) * heavy.get(k, 1.0) for k in self.common}
        self.rare_share = {k: r.uniform(0.0015, 0.011) for k in self.rare}
        n_origins = r.randint(3, 10)
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-venue-node/{seed}/{i}".encode()).digest()).peer_id
            for i in range(n_origins)]
        self._origin_cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.1 for i in range(n_origins)))
        self.lighting_origin = r.randrange(n_origins)  # the lighting console
        self.audio_origin = r.randrange(n_origins)  # sound-level monitors and radio mics
        self.bms_origin = r.randrange(n_origins)  # climate zones
        self.sm_origin = r.randrange(n_origins)  # the stage manager's desk (cue log, show stops, pyro)
        self.cmms_origin = r.randrange(n_origins)  # snags
        self.mean_gap = r.choice((250.0, 800.0, 2000.0, 6000.0))
        self.clumpy = r.random() < 0.3  # handhelds and the tills upload in clumps
        self.burst_period = r.uniform(0.02, 0.15)
        self.copy_memory = r.uniform(15.0, 150.0)
        self.rates = {"dup": r.uniform(0.03, 0.065), "near": r.uniform(0.06, 0.11),
                      "burst": r.uniform(0.005, 0.013), "resend": r.uniform(0.008, 0.018)}
        self.anomaly_rate = r.uniform(0.015, 0.035)
        self.keys: dict[str, str] = {s: names[DIALECTS.index(d)] for s, names in _FIELDS.items()}
        self.kind_of: dict[str, str] = {v: k for k, v in _KINDS[d].items()}
        self._rare_values = frozenset(_RARE_VALUES[d].values())
        self._units = {s: _UNITS[d].get(s) or _Unit(float, _DEC[s]) for s in _DEC}
        self._dec = {self.keys[s]: u.dec for s, u in self._units.items()}
        self._cum: dict[tuple[int, float], list[float]] = {}
        self._build(r)
        self._fixed = frozenset(self.keys[s] for s in (*COUNTERS, "univ", "limit", "freq", "items", "drops",
                                                         "offline", "people", "act", "stopmin"))
        self._caps = {self.keys[s]: (0.0, 100.0) for s in ("batt", "rh")}
        self.stats: dict[str, dict[str, Spread]] = {}
        self.stats = self._measure_spreads()
        self._archive: list[tuple[str, int, dict[str, object], float]] = []
        self._last_ts = 0

    # -- the house ------------------------------------------------------------------------------------------
    def _build(self, r: random.Random) -> None:
        d = self.dialect
        pieces = r.sample(_PIECES[d], r.randint(4, min(14, len(_PIECES[d]))))
        numbers = sorted(r.sample(range(1, 80), len(pieces)))
        self.axes: list[_Axis] = []
        for n, piece in zip(numbers, pieces, strict=True):
            name = {"en": f"LS{n:02d} {piece}", "nap": f"Tiro {n} - {piece}", "sah": f"{piece} ({n})"}[d]
            trims = tuple(sorted(round(r.uniform(0.4, 19.0), 2) for _ in range(r.randint(2, 4))))
            self.axes.append(_Axis(name, r.uniform(0.3, 1.8), r.uniform(90.0, 950.0), trims, r.uniform(0.08, 0.35),
                                   r.randint(2000, 400000)))
        self.ferr0 = r.uniform(1.2, 3.5)  # mm
        self.tmot0 = r.uniform(32.0, 48.0)
        self.lit_share = r.uniform(0.55, 0.85)
        self.racks = [_Rack({"en": f"DR-{n}", "nap": f"Armadio {chr(64 + n)}", "sah": f"Шкаф {n}"}[d], u,
                            r.uniform(20.0, 90.0), r.gauss(0.0, 0.4), r.randint(500, 30000))
                      for n, u in zip(range(1, r.randint(2, 8) + 1), r.sample(range(1, 33), 8), strict=False)]
        self.trak0 = r.uniform(27.0, 36.0)
        self.leq0 = r.uniform(86.0, 97.0)
        self.limit = int(round(self.leq0 + r.choice((4, 5, 6, 8))))
        self.positions = [(p, r.gauss(0.0, 0.4)) for p in r.sample(_POSITIONS[d], r.randint(1, 3))]
        self._samples = {p: r.randint(100, 60000) for p, _ in self.positions}
        roles = r.sample(_ROLES[d], r.randint(6, len(_ROLES[d])))
        n_packs = r.randint(6, 24)  # leads wear a second pack ("Eliza B") in the bigger shows
        chans = sorted(r.sample(range(0, 9120), n_packs))  # 470-698 MHz in 25 kHz steps
        self.packs = [_Pack({"en": f"RF {i:02d}", "nap": f"Radio {i}", "sah": f"Микрофон {i}"}[d],
                            roles[(i - 1) % len(roles)] + (" B" if i > len(roles) else ""), 470.0 + 0.025 * c,
                            r.uniform(30.0, 100.0))
                      for i, c in enumerate(chans, 1)]
        self.rssi0 = r.uniform(-62.0, -48.0)
        setpoint = r.uniform(20.0, 23.0)
        self.zones = [(z, setpoint + r.gauss(0.0, 0.3), r.uniform(2000.0, 30000.0))
                      for z in r.sample(_ZONES[d], r.randint(2, 6))]
        self.tsup0 = r.uniform(14.0, 18.0)
        self.rh0 = r.uniform(38.0, 55.0)
        self.occupied = r.uniform(0.5, 0.85)
        self.tout0 = {"en": r.uniform(-6.0, 30.0), "nap": r.uniform(6.0, 32.0),
                      "sah": r.uniform(-50.0, -25.0) if r.random() < 0.7 else r.uniform(8.0, 28.0)}[d]
        self.areas = [(a, math.exp(r.uniform(math.log(0.5), math.log(1.4))))
                      for a in r.sample(_AREAS[d], r.randint(2, 6))]
        self._entries = {a: r.randint(1000, 900000) for a, _ in self.areas}
        self.qwait0 = r.uniform(1.0, 4.0)  # min
        self.tills = [{"en": f"Till {n}", "nap": f"Cassa {n}", "sah": f"Касса {n}"}[d] for n in range(1, r.randint(2, 8) + 1)]
        self._txn = {t: r.randint(1000, 500000) for t in self.tills}
        self.basket0 = {"en": r.uniform(14.0, 26.0), "nap": r.uniform(7.0, 15.0), "sah": r.uniform(350.0, 900.0)}[d]
        self.tline0 = r.uniform(2.5, 5.5)
        boards = r.sample(_BOARDS[d], r.randint(2, 5))
        self.boards = [(b, r.uniform(40.0, 380.0)) for b in boards]
        self._kwh = {b: r.randint(10**4, 5 * 10**6) for b, _ in self.boards}
        self.vnom = {"en": 208.0, "nap": 400.0, "sah": 380.0}[d] * r.uniform(0.99, 1.02)
        self.hz0 = 60.0 if d == "en" else 50.0
        self.n0 = r.uniform(4.0, 18.0)
        people = list(_PEOPLE[d])
        r.shuffle(people)
        self.sms = people[:r.randint(1, 3)]
        self.staff = people[len(self.sms):len(self.sms) + r.randint(2, 5)]
        self.crew = people[len(self.sms) + len(self.staff):][:r.randint(2, 4)]
        self.cues: dict[str, list[str]] = {}
        for p in _CUE_PREFIX[d]:
            nums = sorted(r.sample(range(1, 400), r.randint(20, 60)))
            self.cues[p] = [f"{p} {n}.5" if r.random() < 0.15 else f"{p} {n}" for n in nums]
        self._cseq = r.randint(100, 90000)
        self.latency0 = r.uniform(180.0, 420.0)  # ms
        self._incno = r.randint(10, 9000)
        self.resp0 = r.uniform(2.0, 7.0)
        self._snagno = r.randint(100, 50000)
        self.est0 = r.uniform(0.8, 4.0)
        self.yy = r.randint(24, 27)
        drop0 = r.uniform(18.0, 28.0)  # seconds to the floor, one design for the house
        self.curtains = [(c, drop0 + r.gauss(0.0, 0.25)) for c in r.sample(_CURTAINS[d], r.randint(1, 2))]
        self._tests = {c: r.randint(50, 4000) for c, _ in self.curtains}
        self.hpres0 = r.uniform(90.0, 160.0)  # bar
        self.effects = [{"en": f"PY {n}", "nap": f"Botta {n}", "sah": f"ПЭ-{n}"}[d] for n in range(1, r.randint(2, 9))]
        self.assets = [*(a.name for a in self.axes[:6]), *(k.name for k in self.racks), *(b for b, _ in self.boards),
                       *(c for c, _ in self.curtains)]
        self._origin_of: dict[str, int] = {}
        for e in [*(a.name for a in self.axes), *(a for a, _ in self.areas), *self.tills, *(b for b, _ in self.boards),
                  *(c for c, _ in self.curtains), *self.staff]:
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
            draws = [self._write({s: v for s, v in self._draw(kind, False)[0].items() if s in prone}) for _ in range(600)]
            for sem, (space, direction, lo, hi) in prone.items():
                key = self.keys[sem]
                xs = sorted(_space(float(f[key]), space) for f in draws)  # type: ignore[arg-type]
                lo_i, hi_i = int(0.025 * len(xs)), int(0.975 * len(xs)) - 1
                u = self._units[sem]
                floor = _SPREAD_FLOOR.get(space, 2.0 * 10.0 ** -u.dec)
                a, b = u.to(lo), u.to(hi)
                out[kind][key] = Spread(space, direction if b >= a else -direction, xs[len(xs) // 2],
                                        max((xs[hi_i] - xs[lo_i]) / 3.92, floor), min(a, b), max(a, b))
        return out

    # -- drawing (semantic units) ----------------------------------------------------------------------------
    def _draw(self, kind: str, live: bool = True) -> tuple[dict[str, object], int]:
        drawer: Callable[[bool], tuple[dict[str, object], int]] = getattr(self, f"_draw_{kind}")
        return drawer(live)

    def _draw_hoist(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        ax = self._zipf(self.axes, 0.6)
        moving = r.random() < ax.moving
        if live and moving and r.random() < 0.5:
            ax.cycles += 1
        pos = r.uniform(ax.trims[0], ax.trims[-1]) if moving else r.choice(ax.trims) + r.gauss(0.0, 0.002)
        return {"axis": ax.name, "hstate": _HSTATES[d][0 if moving else 1], "brake": _BRAKES[d][0 if moving else 1],
                "speed": ax.speed * r.gauss(1.0, 0.012) if moving else 0.0, "pos": max(0.0, pos),
                "load": ax.load * r.gauss(1.0, 0.008), "ferr": r.lognormvariate(math.log(self.ferr0), 0.35),
                "tmot": r.gauss(self.tmot0, 1.8), "cycles": ax.cycles}, self._origin_of[ax.name]

    def _draw_lx(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        rack = self._zipf(self.racks, 0.5)
        lit = r.random() < self.lit_share
        if live and lit and r.random() < 0.35:
            rack.lamph += 1
        offline = 0 if r.random() < 0.8 else 1 + int(r.expovariate(1.0 / 0.8))
        return {"rack": rack.name, "univ": rack.universe, "offline": float(offline),
                "trak": r.gauss(self.trak0 + rack.offset, 1.3),
                "kw": rack.kw * r.lognormvariate(-0.1, 0.2) if lit else rack.kw * r.uniform(0.01, 0.05),
                "lamph": rack.lamph}, self.lighting_origin

    def _draw_sound(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        pos, off = self._zipf(self.positions, 0.8)
        if live:
            self._samples[pos] += 1
        leq = r.gauss(self.leq0 + off, 1.4)
        return {"mpos": pos, "leq": leq, "peak": leq + r.gauss(18.0, 2.5), "limit": self.limit,
                "samples": self._samples[pos]}, self.audio_origin

    def _draw_rf(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        pack = self._zipf(self.packs, 0.4)
        batt = pack.batt - r.uniform(0.1, 1.2)
        batt = r.uniform(96.0, 100.0) if batt < 12.0 else batt  # swapped at the interval
        if live:
            pack.batt = batt
        drops = 0 if r.random() < 0.85 else 1 + int(r.expovariate(1.0))
        return {"pack": pack.name, "role": pack.role, "freq": pack.freq, "rssi": r.gauss(self.rssi0, 3.5),
                "batt": batt, "drops": float(drops)}, self.audio_origin

    def _draw_hvac(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        zone, t0, flow0 = self._zipf(self.zones, 0.5)
        occ = r.random() < self.occupied
        return {"zone": zone, "hmode": _HMODES[d][0 if occ else 1], "tsup": r.gauss(self.tsup0, 0.6),
                "troom": r.gauss(t0, 0.5), "rh": r.gauss(self.rh0, 3.0),
                "co2": r.lognormvariate(math.log(900.0 if occ else 470.0), 0.15),
                "airflow": flow0 * (r.lognormvariate(0.0, 0.08) if occ else r.uniform(0.3, 0.45)),
                "tout": r.gauss(self.tout0, 1.5)}, self.bms_origin

    def _draw_crowd(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        area, d0 = self._zipf(self.areas, 0.7)
        flow = r.lognormvariate(math.log(25.0 * d0), 0.5)
        if live:
            self._entries[area] += int(flow * r.uniform(0.2, 1.0))
        return {"area": area, "density": r.lognormvariate(math.log(d0), 0.3), "flow": flow,
                "qwait": r.lognormvariate(math.log(self.qwait0), 0.5), "entries": self._entries[area]}, \
            self._origin_of[area]

    def _draw_bar(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        till = self._zipf(self.tills, 0.6)
        if live:
            self._txn[till] += r.randint(1, 4)
        return {"till": till, "txn": self._txn[till], "amount": r.lognormvariate(math.log(self.basket0), 0.55),
                "items": 1 + _poisson(r, 1.3), "tline": r.gauss(self.tline0, 0.5),
                "pay": r.choices(_PAY[d], (6, 3, 2, 0.3))[0]}, self._origin_of[till]

    def _draw_power(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        board, amps = self._zipf(self.boards, 0.6)
        if live:
            self._kwh[board] += r.randint(1, 40)
        return {"board": board, "source": _SOURCES[d], "i1": amps * r.lognormvariate(0.0, 0.07),
                "i2": amps * r.lognormvariate(0.0, 0.07), "i3": amps * r.lognormvariate(0.0, 0.07),
                "volts": r.gauss(self.vnom, 0.006 * self.vnom), "hz": r.gauss(self.hz0, 0.02),
                "neutral": r.lognormvariate(math.log(self.n0), 0.35), "kwh": self._kwh[board]}, self._origin_of[board]

    def _draw_cue(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._cseq += 1
        i = r.choices(range(6), (6, 4, 3, 2, 2, 1))[0]
        dept = _DEPTS[d][(0, 1, 2, 3, 6, 6)[i]]
        return {"cueid": r.choice(self.cues[_CUE_PREFIX[d][i]]), "cseq": self._cseq, "dept": dept,
                "caller": r.choice(self.sms), "latency": r.lognormvariate(math.log(self.latency0), 0.35),
                "note": self._fill(r.choice(_CUE_NOTES[d]), dept=dept) if live else ""}, self.sm_origin

    def _draw_incident(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._incno += 1
        staff = r.choice(self.staff)
        area = r.choice(self.areas)[0]
        return {"incno": self._inc_id(self._incno), "loc": area, "itype": r.choices(_ITYPES[d], (4, 2, 3, 3, 2, 2))[0],
                "staff": staff, "resp": r.lognormvariate(math.log(self.resp0), 0.45),
                "note": self._fill(r.choice(_INCIDENT_NOTES[d]), area=area) if live else ""}, self._origin_of[staff]

    def _draw_snag(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._snagno += r.randint(1, 3)
        asset = r.choice(self.assets)
        return {"snagno": self._snag_id(self._snagno), "dept": r.choice(_DEPTS[d]), "asset": asset,
                "raised": r.choice(self.crew), "est": r.lognormvariate(math.log(self.est0), 0.7),
                "note": self._fill(r.choice(_SNAG_NOTES[d]), asset=asset) if live else ""}, self.cmms_origin

    def _draw_iron(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        curtain, d0 = self._zipf(self.curtains, 1.0)
        if live:
            self._tests[curtain] += 1
        return {"curtain": curtain, "drop": r.gauss(d0, 0.6), "hpres": r.gauss(self.hpres0, 2.5),
                "tests": self._tests[curtain]}, self._origin_of[curtain]

    def _draw_pyro(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        effect = r.choice(self.effects)
        return {"effect": effect, "device": r.choice(_DEVICES[d]), "loc": r.choice(_STAGE_SPOTS[d]),
                "caller": r.choice(self.sms), "note": r.choice(_PYRO_NOTES[d]).format(effect=effect)}, self.sm_origin

    def _draw_surge(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        area = r.choice(self.areas)[0]
        return {"area": area, "people": 40 + _poisson(r, 150.0), "barrier": r.uniform(3.0, 12.0),
                "staff": r.choice(self.staff)}, self._origin_of[area]

    def _draw_fall(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        return {"loc": r.choice(_STAGE_SPOTS[d]), "height": r.uniform(0.8, 6.0), "performer": r.choice(self.packs).role,
                "conscious": r.random() < 0.8, "caller": r.choice(self.sms)}, self.sm_origin

    def _draw_showstop(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        return {"reason": r.choice(_REASONS[d]), "stopmin": r.randint(2, 25), "act": r.randint(1, 3),
                "cseq": self._cseq, "caller": r.choice(self.sms)}, self.sm_origin

    def _inc_id(self, n: int) -> str:
        return {"en": f"FOH-{self.yy}-{n:05d}", "nap": f"F{n:06d}", "sah": f"{self.yy}/{n:05d}"}[self.dialect]

    def _snag_id(self, n: int) -> str:
        return {"en": f"SNAG{n:06d}", "nap": f"G-{n:06d}", "sah": f"АЛ-{n:06d}"}[self.dialect]

    def _fill(self, template: str, **given: str) -> str:
        r, d = self._r, self.dialect
        slots: dict[str, Callable[[], object]] = {
            "dept": lambda: r.choice(_DEPTS[d]), "person": lambda: r.choice([*self.sms, *self.crew]),
            "area": lambda: r.choice(self.areas)[0], "asset": lambda: r.choice(self.assets),
            "row": lambda: r.choice("ABCDEFGHJKLMNOPQRST") if d == "en" else r.randint(1, 28),
            "seat": lambda: f"{r.choice('ABCDEFGHJKLMN')}{r.randint(1, 30)}" if d == "en" else
            f"{r.randint(1, 28)}-{r.randint(1, 30)}"}
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
        if mode == "calls":
            return STEP_STRENGTH[_CALLS[d].index(str(v))]
        if mode == "sands":
            return STEP_STRENGTH[_SANDS[d].index(str(v)) + 1] if v in _SANDS[d] else 0.0
        if mode == "stars":
            return STEP_STRENGTH[str(v).count(_STARS[d][0])]
        if mode == "blocks":
            return STEP_STRENGTH[_BLOCKS.index(str(v))]
        if mode == "hex":
            return STEP_STRENGTH[{"en": _HEX_EN, "nap": _HEX_NAP, "sah": _ARGB_SAH}[d].index(v)]  # type: ignore[arg-type]
        if mode == "queue":
            n = int(re.sub(r"\D", "", str(v)))
            return STEP_STRENGTH[sum(n < e for e in _QUEUE_EDGES)]
        if mode == "matrix":
            a, b = (int(c) for c in re.findall(r"\d", str(v)))
            return STEP_STRENGTH[next(i for i, pairs in enumerate(_MATRIX_PAIRS) if (a, b) in pairs)]
        if mode == "timecode":
            sec = _tc_seconds(d, v)
            return 0.0 if sec is None else STEP_STRENGTH[sum(sec < e for e in _TC_EDGES)]
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
        if mode == "calls":
            return _CALLS[d][step]
        if mode == "sands":
            return r.choice(_SANDS_ROUTINE[d]) if step == 0 else _SANDS[d][step - 1]
        if mode == "stars":
            full, empty = _STARS[d]
            return full * step + empty * (4 - step)
        if mode == "blocks":
            return _BLOCKS[step]
        if mode == "hex":
            return {"en": _HEX_EN, "nap": _HEX_NAP, "sah": _ARGB_SAH}[d][step]
        if mode == "queue":
            n = (int(round(math.exp(r.uniform(math.log(20.0), math.log(400.0))))), r.randint(10, 19), r.randint(5, 9),
                 r.randint(2, 4), 1)[step]
            return n if d == "en" else _QUEUE[d].format(n)
        if mode == "matrix":
            return _MATRIX[d].format(*r.choice(_MATRIX_PAIRS[step]))
        if mode == "timecode":
            if step == 0 and r.random() < 0.5:
                return _TC_NONE[d]
            return _tc_write(d, r.randint(*_TC_SEC[step]), r.randrange(30))
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
        rare_sem = {"hoist": "brake", "hvac": "hmode", "power": "source"}.get(kind)
        if rare_sem and r.random() < 0.012:
            f[self.keys[rare_sem]] = _RARE_VALUES[self.dialect][rare_sem]
        carries = kind in PRIORITY_KINDS
        wants = r.random() < self.anomaly_rate if not news else (not carries or r.random() < 0.5)
        odd = wants and self._push_off(kind, f)
        if odd and kind == "sound":  # the peak meter never reads under the average
            peak, leq = self.keys["peak"], self.keys["leq"]
            f[peak] = max(f[peak], round(f[leq] + r.uniform(3.0, 9.0), 1))  # type: ignore[call-overload,operator]
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
        """How another system writes the same words: an abbreviation, accents or letters it lacks, case."""
        r = self._r
        out = [s.replace(a, b, 1) for a, b in _RETYPE[self.dialect] if a in s]
        if self.dialect == "nap":  # a system without accents, or one that curls the apostrophes
            out.append("".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c)))
            out.append(s.replace("'", "’"))
        elif self.dialect == "sah":  # Sakha letters typed on a Russian keyboard
            out.append(s.translate(_RUSSIAN_KEYBOARD))
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
        steps = {self.keys[c] for c in COUNTERS}
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
def _tc_write(d: str, sec: int, frames: int) -> object:
    """Seconds left to act as the dialect writes them: SMPTE with frames, HH:MM:SS, or whole minutes."""
    h, m, s = sec // 3600, sec // 60 % 60, sec % 60
    if d == "en":
        return f"{h:02d}:{m:02d}:{s:02d}:{frames:02d}"
    if d == "nap":
        return f"{h:02d}:{m:02d}:{s:02d}"
    return sec // 60


def _tc_seconds(d: str, v: object) -> int | None:
    if v == _TC_NONE[d]:
        return None
    if d == "sah":
        return 60 * int(v)  # type: ignore[call-overload]
    h, m, s = (int(x) for x in str(v).split(":")[:3])
    return 3600 * h + 60 * m + s


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
    """A counter ``by`` further on: an int, or the number at the end of an id (``FOH-25-00123``)."""
    if isinstance(v, int):
        return v + by
    s = str(v)
    i = len(s)
    while i and s[i - 1].isdigit():
        i -= 1
    return f"{s[:i]}{int(s[i:]) + by:0{len(s) - i}d}"
