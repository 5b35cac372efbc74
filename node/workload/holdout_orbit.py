"""Held-out family ``orbit``: spacecraft and ground-segment operations. Used ONLY by evaluation.

Theory of operation
-------------------
A fourteenth held-out family, written blind: nobody tunes the model on it, and
it shares no code path, name, distribution or vocabulary with the training
generators or the other held-out families. Only the truth helpers
(:func:`noisy_or`, :func:`main_reason`, :func:`tail_importance`,
``ROUTINE_FLOOR``) and :class:`LabeledRecord` are shared, because the
definition of importance is shared. Training never imports this module
(tests/node/test_holdout_orbit.py checks ``sys.modules``).

One seed is one world: a satellite operator's mission-control network whose
nodes (3-10 peer ids, the ``origins``: control centres, ground stations, a
space-weather and conjunction-screening feed) carry telemetry and paperwork
for a small constellation (2-6 spacecraft). A world draws, from one
``random.Random``:

- a dialect (below), which names every kind, field, categorical value and
  identifier, picks the units and writes every free-text note;
- 4-6 common kinds, at least one of which carries priority, and 1-3 rare
  kinds (each 0.2-1.2% of the fresh records);
- one of eight priority encodings (``prio_mode``, field ``prio_key``);
- its setting: the spacecraft, ground stations, operators, catalogued objects
  and instruments, each ingested through one origin (Zipf: a few centres
  carry most), thermal and power baselines, link budgets, the solar cycle;
- case rates, a mean gap between records (0.5-15 s), whether the stream
  arrives in clumps (data comes down in passes), and how far back copies
  reach.

Dialects
--------
- ``en``: English as NASA/CCSDS-style flight operations write it. Kinds
  UPPER_SNAKE (``HK_TELEMETRY``, ``CONJUNCTION_CDM``), fields lowerCamelCase
  with unit suffixes (``battVoltV``, ``missDistM``); deg C, metres, ms, Mbit,
  arcseconds, km/h; Kp in NOAA's thirds notation (``"3+"``).
- ``ru``: Russian in Cyrillic, as a Roscosmos-style control centre (ЦУП)
  writes it: kinds and fields Cyrillic snake_case with the operators'
  abbreviations (``ТМИ_служебная``, ``напр_АБ_В``, ``донесение_НШС``); miss
  distances in km, latency in seconds, volumes in megabytes, pointing in
  arcminutes, wind in m/s, link margins quantized to 0.5 dB, collision
  probability as its decimal logarithm; the operators' own ops vocabulary
  (штатно / нештатно / аварийно) rather than the textbook severity words.
  Russian is one of the lexicon's languages; most of this vocabulary is not.
- ``oc``: Occitan (Lengadocian, classical norm), as an operations room in
  Toulouse could write it; in no lexicon version. Kinds dotted lowercase
  (``telemesura.plataforma``), fields kebab-case (``tension-bataria-v``);
  temperatures in kelvin, azimuths in radians, residuals in centimetres,
  payload volume in Gbit, pointing in microradians; notes with diacritics
  ("es pas urgent", "cap de preissa").

Kinds (semantic name: numbers; anomaly-prone fields starred)
-------------------------------------------------------------
Common: ``hk`` housekeeping telemetry (battery voltage* bimodal sunlit /
eclipse and capped at the charge limit, state of charge derived from it and
saturating at 100, on-board computer temperature* normal, battery
temperature, array current zero in eclipse, heater flag, a frame counter per
spacecraft); ``pass`` ground-station pass (maximum elevation skewed low,
AOS azimuth uniform, duration tied to elevation, link margin* normal,
volume downlinked, signed Doppler); ``cmd`` command verification (mnemonic,
a command counter per spacecraft, status, round-trip latency* log-normal,
retries); ``cdm`` conjunction data message (catalogued secondary object,
hours to TCA, miss distance* log-normal, low is the anomaly, signed radial
miss, collision probability derived from the miss distance, object type,
comment); ``swx`` space-weather bulletin (Kp in thirds derived from the solar
wind, proton flux* log-normal, solar wind speed* log-normal, signed Bz, F10.7
drifting batch by batch, flare class); ``od`` orbit determination (semi-major
axis decaying per spacecraft, eccentricity, inclination, residual RMS*
log-normal, observations, fit arc); ``pl`` payload data accounting (volume*
very heavy-tailed, file count derived from it, recorder fill random-walking
per spacecraft and saturating at 100, lost packets zero-inflated); ``anom``
anomaly report (report id counter, subsystem, occurrences, duration*
log-normal, note); ``log`` flight-operations log (operator, console, entry
counter, note); ``att`` attitude status (pointing error* log-normal, signed
bimodal wheel speed, a unit quaternion as a list, body rate, mode); ``gsm``
ground-station equipment (wind* log-normal, von Mises wind direction, HPA
reflected power* log-normal, LNA temperature, antenna stowed when the wind
is high). Rare: ``safemode`` (a safe-mode entry, always with raised
priority), ``debris`` (a debris or micrometeoroid strike), ``thrust`` (an
unplanned thruster firing), ``sadm`` (a solar-array anomaly). Rare
categorical values (an X-class flare, a crewed secondary object, a command
refused for a bad authentication) appear in about 1.2% of their kinds'
records.

Priority encodings (carried by ``cdm``, ``anom``, ``log`` and ``safemode``)
---------------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0; 85% at 0);
the world's form writes it, and the truth is read back from what is written:

- ``words``: a five-word scale per dialect (NOMINAL / WATCH / CAUTION /
  WARNING / EMERGENCY; штатно / замечание / отклонение / нештатно /
  аварийно; ordinari / leugièr / mejan / grèu / fòrça grèu);
- ``text``: no field; an urgency phrase in the note (four levels), and
  routine notes that often say outright that nothing is pressing;
- ``code``: an ordinal code set, coarser than the steps (``CL-IV`` ..
  ``CL-I``, class I the worst; ``К3`` .. ``К1``; ``V0`` .. ``V3``);
- ``rank``: a descending response class 1..6 (5-6 routine, 4 -> 0.25,
  3 -> 0.5, 2 -> 0.75, 1 -> 1.0);
- ``score``: an ascending integer risk score 0-100 (below 40 routine, then
  bands at 40 / 60 / 75 / 90);
- ``orbits``: orbits left before the ground must act, small is pressing (16
  and more routine, then below 16 / 8 / 4 / 2);
- ``flag``: a boolean "call the flight director"; True (steps 3-4) has
  strength 0.9;
- ``bits``: a 16-bit event status word whose bits 9-11 hold the step (an
  int; in ``oc`` written as hex, ``"0x4A31"``), the other bits transmitter /
  lock / heater / fault / eclipse flags, a spacecraft nibble and a per-world
  software nibble.

Cases and truth (docs/attention.md, "The definition (issue 3)")
----------------------------------------------------------------
Routine records and burst heads, from their content alone:
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)`` (see
:meth:`OrbitWorkload.score`); anomaly = 0 below 4.5 spreads, else
``min(1, 0.35 + 0.1 * (k - 4.5))`` where k is the largest distance of an
anomaly-prone number from its (kind, field) median in spreads (central 95%
width / 3.92 of the world's own rendered routine values, estimated when the
world is made, in log space for positive heavy-tailed fields); routine
values are redrawn while 4 or more spreads off, an anomaly (2-4% of fresh
records) puts one number 4.5-11 spreads off, in the field's physical
direction and bounds, and numbers derived from it follow (state of charge
from battery voltage, collision probability from miss distance, Kp from the
solar wind, the file count from the volume, the stow flag from the wind).
Rarity 0.5 for a rare kind, 0.45 for a rare value.
``detail = main_reason(0.9a, 0.9p, rarity, 0.5 if rare kind else 0)``.

An exact copy (the same frame relayed by a second station, or re-delivered)
keeps 5% of its source; a near copy (another centre's re-entry: a number
re-rounded, a word re-typed, an abbreviation, ё written е, accents dropped,
an id re-spaced; never the priority field) 10%; a burst (a spacecraft
dumping telemetry at alarm rate, a conjunction re-screened again and again,
a report re-sent) has a head carrying the news and 2-40 tails from the same
origin with drifting numbers and counters stepping, worth
``tail_importance(head)``; a re-send of an earlier batch's news keeps 1% of
it (2% through another origin). Copy sources are drawn by importance and
recency. Bursts run on their own clock and interleave with the stream; a
batch never ends inside a burst.

Pure Python, deterministic in the seed (and across hash seeds).
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import math
import random
import unicodedata
from dataclasses import dataclass
from typing import TypeVar

from node.workload.domains import (
    LabeledRecord,
    tail_importance,
)
from node.workload.holdout_stream import routine_truth
from protocol.keys import PrivateKey
from protocol.record import Record

__all__ = [
    "ALWAYS_PRIORITY_RARE",
    "COMMON_KINDS",
    "DIALECTS",
    "PRIORITY_KINDS",
    "PRIORITY_MODES",
    "RARE_KINDS",
    "OrbitWorkload",
]

_T = TypeVar("_T")

DIALECTS = ("en", "ru", "oc")
PRIORITY_MODES = ("words", "text", "code", "rank", "score", "orbits", "flag", "bits")
STEP_STRENGTH = (0.0, 0.25, 0.5, 0.75, 1.0)
FLAG_STRENGTH = 0.9
ROUTINE_STEPS = (0.85, 0.05, 0.04, 0.035, 0.025)  # a priority kind's fresh record: step 0..4

COMMON_KINDS = ("hk", "pass", "cmd", "cdm", "swx", "od", "pl", "anom", "log", "att", "gsm")
PRIORITY_KINDS = frozenset({"cdm", "anom", "log"})
RARE_KINDS = ("safemode", "debris", "thrust", "sadm")
ALWAYS_PRIORITY_RARE = frozenset({"safemode"})
_COUNTERS = frozenset({"frame", "cseq", "seq"})  # step by one per burst tail

_KIND_NAMES = {
    "en": {"hk": "HK_TELEMETRY", "pass": "GS_PASS_SUMMARY", "cmd": "CMD_VERIFICATION", "cdm": "CONJUNCTION_CDM",
           "swx": "SPACE_WX_BULLETIN", "od": "OD_SOLUTION", "pl": "PAYLOAD_DATA_ACCT", "anom": "ANOMALY_REPORT",
           "log": "FLIGHT_OPS_LOG", "att": "AOCS_STATUS", "gsm": "GS_EQUIPMENT_MON", "safemode": "SAFE_MODE_ENTRY",
           "debris": "MMOD_IMPACT", "thrust": "UNPLANNED_THRUSTER_FIRING", "sadm": "SOLAR_ARRAY_ANOMALY"},
    "ru": {"hk": "ТМИ_служебная", "pass": "сеанс_связи", "cmd": "квитанция_КПИ", "cdm": "опасное_сближение",
           "swx": "космическая_погода", "od": "определение_орбиты", "pl": "учёт_ЦИ", "anom": "донесение_НШС",
           "log": "журнал_смены", "att": "состояние_СОС", "gsm": "состояние_КИС",
           "safemode": "переход_в_защитный_режим", "debris": "удар_космического_мусора",
           "thrust": "нештатное_включение_ДУ", "sadm": "аномалия_СБ"},
    "oc": {"hk": "telemesura.plataforma", "pass": "estacion.passatge", "cmd": "telecomanda.verificacion",
           "cdm": "orbita.aprochament", "swx": "meteo.espaciala", "od": "orbita.determinacion",
           "pl": "carga_utila.donadas", "anom": "anomalia.rapòrt", "log": "sala.registre", "att": "actitud.estat",
           "gsm": "estacion.equipament", "safemode": "satellit.mòde_seguretat", "debris": "satellit.impacte",
           "thrust": "propulsion.impulsion_imprevista", "sadm": "energia.anomalia_panèl"},
}

_FIELD_NAMES = {
    "en": {"sc": "spacecraft", "frame": "frameCount", "mode": "obcMode", "vbat": "battVoltV", "soc": "battSocPct",
           "tobc": "obcTempC", "tbat": "battTempC", "isa": "arrayCurrentA", "heater": "battHeaterOn",
           "gs": "groundStation", "elev": "maxElevDeg", "az": "aosAzimuthDeg", "dur": "passDurationS",
           "margin": "linkMarginDb", "vdl": "downlinkMB", "dopp": "maxDopplerKhz", "result": "passResult",
           "opcode": "cmdMnemonic", "cseq": "cmdSeqCount", "status": "verifyStatus", "lat": "rttMs",
           "retries": "retryCount", "obj": "noradId", "otype": "objectType", "tca": "hoursToTca",
           "miss": "missDistM", "radial": "radialMissM", "pc": "collisionProb", "cdmid": "cdmId", "kp": "kpIndex",
           "flux": "protonFluxPfu", "vsw": "solarWindKms", "bz": "imfBzNt", "f107": "f107Sfu", "flare": "flareClass",
           "sma": "smaKm", "ecc": "eccentricity", "inc": "inclinationDeg", "rms": "residualRmsM",
           "nobs": "trackingObs", "arc": "fitArcHrs", "inst": "instrument", "vol": "volumeMbit", "files": "fileCount",
           "fill": "ssrFillPct", "lost": "lostPackets", "arid": "reportId", "subsys": "subsystem",
           "occ": "occurrences", "adur": "durationMin", "note": "remarks", "op": "operator", "console": "console",
           "seq": "logSeq", "perr": "pointingErrArcsec", "wheel": "rw1SpeedRpm", "q": "attQuat", "amode": "aocsMode",
           "rate": "bodyRateDps", "wind": "windKmh", "wdir": "windDirDeg", "refl": "hpaReflectedW",
           "lna": "lnaTempK", "stow": "antennaStowed", "trigger": "safeModeTrigger", "dh": "momentumDeltaNms",
           "face": "impactFace", "thr": "thrusterId", "dv": "deltaVMms", "fdur": "burnDurMs", "wing": "arrayWing",
           "drop": "currentDropPct", "angle": "sadmAngleDeg"},
    "ru": {"sc": "КА", "frame": "номер_кадра", "mode": "режим_БКУ", "vbat": "напр_АБ_В", "soc": "заряд_АБ_проц",
           "tobc": "темп_БЦВМ", "tbat": "темп_АБ", "isa": "ток_СБ_А", "heater": "обогрев_АБ", "gs": "станция",
           "elev": "макс_угол_места", "az": "азимут_входа", "dur": "длит_сеанса_с", "margin": "запас_линии_дБ",
           "vdl": "принято_Мбайт", "dopp": "доплер_кГц", "result": "итог_сеанса", "opcode": "команда",
           "cseq": "номер_КПИ", "status": "квитанция", "lat": "задержка_с", "retries": "повторы",
           "obj": "номер_объекта", "otype": "тип_объекта", "tca": "до_сближения_ч", "miss": "мин_расстояние_км",
           "radial": "радиальное_м", "pc": "lg_вероятности", "cdmid": "номер_сообщения", "kp": "индекс_Kp",
           "flux": "поток_протонов", "vsw": "скорость_СВ_кмс", "bz": "Bz_нТл", "f107": "поток_F10_7",
           "flare": "класс_вспышки", "sma": "большая_полуось_км", "ecc": "эксцентриситет",
           "inc": "наклонение_град", "rms": "СКО_невязок_м", "nobs": "число_измерений", "arc": "мерный_интервал_ч",
           "inst": "прибор", "vol": "объём_Мбайт", "files": "файлов", "fill": "заполнение_ЗУ_проц",
           "lost": "потеряно_пакетов", "arid": "номер_донесения", "subsys": "система", "occ": "повторений",
           "adur": "длительность_мин", "note": "примечание", "op": "оператор", "console": "пост",
           "seq": "номер_записи", "perr": "рассогласование_угл_мин", "wheel": "обороты_ДМ1", "q": "кватернион",
           "amode": "режим_СОС", "rate": "угл_скорость_град_с", "wind": "ветер_мс", "wdir": "направление_ветра",
           "refl": "отраж_мощность_Вт", "lna": "темп_МШУ_К", "stow": "антенна_в_походном", "trigger": "причина",
           "dh": "изменение_кин_момента", "face": "грань", "thr": "двигатель", "dv": "приращение_скорости_мм_с",
           "fdur": "длит_включения_мс", "wing": "панель_СБ", "drop": "падение_тока_проц", "angle": "угол_СБ_град"},
    "oc": {"sc": "satellit", "frame": "numero-trama", "mode": "mode-bord", "vbat": "tension-bataria-v",
           "soc": "carga-bataria-pct", "tobc": "temperatura-calculador-k", "tbat": "temperatura-bataria-k",
           "isa": "corrent-panels-a", "heater": "escalfador-bataria", "gs": "estacion", "elev": "elevacion-max-grad",
           "az": "azimut-aos-rad", "dur": "durada-passatge-s", "margin": "marge-ligam-db", "vdl": "descargat-mo",
           "dopp": "doppler-khz", "result": "resultat", "opcode": "comanda", "cseq": "numero-comanda",
           "status": "verificacion", "lat": "retard-ms", "retries": "ensages", "obj": "numero-catalog",
           "otype": "tipe-objecte", "tca": "oras-abans-tca", "miss": "distancia-minimala-m",
           "radial": "distancia-radiala-m", "pc": "probabilitat-collision", "cdmid": "referencia-cdm",
           "kp": "indici-kp", "flux": "flux-protons-pfu", "vsw": "vent-solar-kms", "bz": "bz-nt",
           "f107": "flux-f107", "flare": "classa-erupcion", "sma": "semiaxe-major-km", "ecc": "excentricitat",
           "inc": "inclinason-grad", "rms": "residus-rms-cm", "nobs": "nombre-mesuras", "arc": "arc-oras",
           "inst": "instrument", "vol": "volum-gbit", "files": "fichiers", "fill": "emplenament-memoria-pct",
           "lost": "paquets-perduts", "arid": "numero-raport", "subsys": "sosistema", "occ": "ocurrencias",
           "adur": "durada-min", "note": "comentari", "op": "operator", "console": "poste", "seq": "numero-linha",
           "perr": "desviacion-puntatge-urad", "wheel": "roda-reaccion-rpm", "q": "quaternion",
           "amode": "mode-actitud", "rate": "velocitat-angulara-gs", "wind": "vent-kmh",
           "wdir": "direccion-vent-grad", "refl": "potencia-reflectida-w", "lna": "temperatura-lna-k",
           "stow": "antena-en-seguretat", "trigger": "causa", "dh": "variacion-moment-nms", "face": "facia-tocada",
           "thr": "propulsor", "dv": "delta-v-mms", "fdur": "durada-impulsion-ms", "wing": "ala-panel",
           "drop": "baissa-corrent-pct", "angle": "angle-panel-grad"},
}

_PRIO_KEYS = {
    "words": ("cwClass", "оценка_ситуации", "gravetat"),
    "code": ("anomalyClass", "категория", "classa-vigilancia"),
    "rank": ("responseClass", "очерёдность", "ordre-de-tractament"),
    "score": ("riskScore", "балл_опасности", "nota-de-risc"),
    "orbits": ("orbitsToAct", "витков_до_реакции", "orbitas-abans-accion"),
    "flag": ("escalateToFd", "вызов_руководителя", "apelar-cap-de-sala"),
    "bits": ("evtStatusWord", "слово_состояния", "mot-d-estat"),
}

# Decimals of each measured (float) field as rendered; 0 renders an int. Per-dialect unit changes below.
_DECIMALS = {"vbat": 2, "soc": 0, "tobc": 1, "tbat": 1, "isa": 2, "elev": 0, "az": 1, "dur": 0, "margin": 1,
             "vdl": 1, "dopp": 2, "lat": 0, "tca": 1, "miss": 0, "radial": 0, "flux": 2, "vsw": 0, "bz": 1,
             "f107": 1, "sma": 3, "ecc": 6, "inc": 4, "rms": 2, "vol": 0, "fill": 1, "adur": 1, "perr": 1,
             "wheel": 0, "rate": 4, "wind": 0, "wdir": 0, "refl": 2, "lna": 1, "dh": 4, "dv": 1, "fdur": 0,
             "drop": 1, "angle": 1, "arc": 1}
# Unit changes: semantic name -> (scale, offset, decimals); rendered = semantic * scale + offset.
_CONVERT: dict[str, dict[str, tuple[float, float, int]]] = {
    "ru": {"vbat": (1.0, 0.0, 1), "miss": (0.001, 0.0, 3), "lat": (0.001, 0.0, 2), "vdl": (1.0, 0.0, 0),
           "vol": (0.125, 0.0, 1), "perr": (1 / 60, 0.0, 2), "wind": (1 / 3.6, 0.0, 1)},
    "oc": {"tobc": (1.0, 273.15, 1), "tbat": (1.0, 273.15, 1), "az": (math.pi / 180, 0.0, 3),
           "rms": (100.0, 0.0, 0), "vol": (0.001, 0.0, 3), "perr": (4.8481, 0.0, 0)},
}
_HALF_DB = frozenset({("ru", "margin")})  # link margins written to the nearest 0.5 dB
# Anomaly-prone fields: semantic name -> (space, direction, physical bounds in semantic units).
_ANOMALOUS: dict[str, dict[str, tuple[str, int, float, float]]] = {
    "hk": {"tobc": ("lin", 1, -40.0, 125.0), "vbat": ("lin", -1, 12.0, 34.0)},
    "pass": {"margin": ("lin", -1, -15.0, 30.0)},
    "cmd": {"lat": ("log", 1, 20.0, 600000.0)},
    "cdm": {"miss": ("log", -1, 2.0, 200000.0)},
    "swx": {"flux": ("log", 1, 0.01, 1e5), "vsw": ("log", 1, 200.0, 3000.0)},
    "od": {"rms": ("log", 1, 0.01, 1e5)},
    "pl": {"vol": ("log", 1, 1.0, 1e7)},
    "anom": {"adur": ("log", 1, 0.1, 20000.0)},
    "log": {},
    "att": {"perr": ("log", 1, 0.1, 1e6)},
    "gsm": {"wind": ("log", 1, 0.5, 300.0), "refl": ("log", 1, 0.01, 5000.0)},
}
_LOG_FLOOR = 1e-6  # log space: log(max(x, this))

# -- the dialects' words ---------------------------------------------------------------------
_SCALE_WORDS = {"en": ("NOMINAL", "WATCH", "CAUTION", "WARNING", "EMERGENCY"),
                "ru": ("штатно", "замечание", "отклонение", "нештатно", "аварийно"),
                "oc": ("ordinari", "leugièr", "mejan", "grèu", "fòrça grèu")}
# Ordinal codes: (value, strength); step -> code index.
_CODES = {"en": (("CL-IV", 0.0), ("CL-III", 0.5), ("CL-II", 0.75), ("CL-I", 1.0)),
          "ru": (("К3", 0.0), ("К2", 0.5), ("К1", 1.0)),
          "oc": (("V0", 0.0), ("V1", 0.5), ("V2", 0.75), ("V3", 1.0))}
_CODE_OF_STEP = {"en": (0, 0, 1, 2, 3), "ru": (0, 0, 1, 1, 2), "oc": (0, 0, 1, 2, 3)}
_RANK = {1: 1.0, 2: 0.75, 3: 0.5, 4: 0.25, 5: 0.0, 6: 0.0}
_RANK_OF_STEP = (((5, 6), (0.45, 0.55)), ((4,), (1.0,)), ((3,), (1.0,)), ((2,), (1.0,)), ((1,), (1.0,)))
_SCORE_BANDS = ((0, 39), (40, 59), (60, 74), (75, 89), (90, 100))
_ORBIT_BANDS = ((16, 45), (8, 15), (4, 7), (2, 3), (0, 1))
_ORBITS_NONE = 99  # no action foreseen
_BITS_SHIFT = 9

_URGENT = {  # steps 1..4, inside a note (text mode) and nowhere else
    "en": ("pls review when convenient", "need a decision before next pass",
           "URGENT - need GO/NO-GO within the hour", "EMERGENCY - vehicle at risk, all hands to MCC"),
    "ru": ("посмотреть при случае", "нужно решение до следующего сеанса",
           "СРОЧНО! нужна команда в этом сеансе", "АВАРИЯ! угроза потери КА"),
    "oc": ("de veire quand se poirà", "cal una decision abans lo passatge que ven",
           "URGÉNCIA! cal mandar la comanda a aqueste passatge", "PERILH! risc de pèrdre lo satellit"),
}
_CALM = {
    "en": ("not time critical", "no action required", "can wait for next shift", "FYI only"),
    "ru": ("не срочно", "терпит до утра", "подождёт до следующей смены", "для сведения"),
    "oc": ("es pas urgent", "pòt esperar fins a deman", "cap de preissa", "per informacion"),
}
_NOTES = {
    "en": ("{sc} pass over {gs} nominal, all VCs locked", "stored command load uplinked to {sc}, all verified",
           "battery heater {n} on {sc} cycling per thermal model", "{sc} payload dump complete, {n} files",
           "{sc} drag makeup burn planned for {hh}:00Z", "shift handover at {hh}:00Z, {n} on console",
           "OD update for {sc} using {gs} ranging", "{gs} antenna in PM until {hh}:00Z",
           "{sc} out of eclipse, array current nominal", "{sc} SSR playback complete",
           "TLM review on {sc}, all params within limits", "{gs} autotrack verified on {sc}",
           "quiet night, nothing to report on {sc}", "{sc} momentum dump executed per timeline"),
    "ru": ("сеанс связи с {sc} через НС «{gs}» прошёл штатно", "закладка программы на {sc} выполнена, квитанции получены",
           "обогреватель АБ №{n} на {sc} работает по циклограмме", "сброс ЦИ с {sc} завершён, файлов: {n}",
           "коррекция орбиты {sc} запланирована на {hh}:00 ДМВ", "пересменка в {hh}:00, на смене человек: {n}",
           "уточнение орбиты {sc} по измерениям НС «{gs}»", "антенна НС «{gs}» на профилактике до {hh}:00",
           "{sc} вышел из тени, ток СБ в норме", "сброс ЗУ {sc} выполнен", "контроль ТМИ {sc}: параметры в допуске",
           "наведение антенны НС «{gs}» проверено", "ночная смена, по {sc} без происшествий",
           "разгрузка ДМ на {sc} выполнена по циклограмме"),
    "oc": ("passatge de {sc} per {gs} sens problèma", "programa cargat sus {sc}, totas las telecomandas verificadas",
           "l'escalfador de la batariá {n} de {sc} fonciona coma previst",
           "descargament de las donadas de {sc} acabat, fichièrs: {n}", "correccion d'orbita de {sc} prevista a {hh}h",
           "cambi d'equipa a {hh}h, {n} personas en sala", "determinacion d'orbita de {sc} amb las mesuras de {gs}",
           "antena de {gs} en manteniment fins a {hh}h", "{sc} es sortit de l'ombra, corrent dels panèls normal",
           "descarga de la memòria de {sc} facha", "contraròtle de la telemesura de {sc}: tot dins las toleràncias",
           "orientacion de l'antena de {gs} verificada", "nuèch tranquilla, res de particular per {sc}",
           "desaturacion de las ròdas de {sc} facha segon lo programa"),
}
_CDM_NOTES = {
    "en": ("screened against {gs} ephemeris", "secondary covariance from catalog", "owner/operator ephemeris used",
           "TCA inside the {gs} contact window", "re-run after OD update"),
    "ru": ("расчёт по эфемеридам НС «{gs}»", "ковариация вторичного объекта по каталогу",
           "использованы эфемериды владельца", "сближение в зоне видимости НС «{gs}»",
           "повторный расчёт после уточнения орбиты"),
    "oc": ("calcul amb las efemèrides de {gs}", "covariància de l'objècte segondari segon lo catalòg",
           "efemèrides del proprietari utilizadas", "aprochament dins la fenèstra de visibilitat de {gs}",
           "calcul tornat far aprèp la determinacion d'orbita"),
}
_ANOM_NOTES = {
    "en": ("RW{n} current spike, back in family", "star tracker {n} dropout at eclipse exit",
           "transponder dropped lock for {n}0 s", "battery cell {n} voltage delta trending up",
           "EDAC single-bit errors on SSR bank {n}", "heater {n} cycling faster than predicted",
           "GPS cold start, first fix after {n}0 min", "payload tripped off without command"),
    "ru": ("скачок тока ДМ{n}, вернулся в допуск", "пропадание БОКЗ-{n} на выходе из тени",
           "срыв захвата сигнала БРТК на {n}0 с", "растёт разбаланс напряжений аккумуляторов, элемент {n}",
           "одиночные сбои памяти ЗУ, блок {n}", "обогреватель {n} включается чаще расчётного",
           "холодный старт АСН, решение через {n}0 мин", "самопроизвольное выключение ЦА"),
    "oc": ("pic de corrent sus la ròda {n}, tornat dins las toleràncias",
           "pèrda del captador d'estelas {n} en sortida d'ombra", "lo transpondor a perdut lo senhal pendent {n}0 s",
           "desequilibri de tension de l'element {n} en aumentacion", "errors simples de memòria, banc {n}",
           "l'escalfador {n} s'aluca mai sovent que previst",
           "recebedor GNSS en aviada a freg, posicion aprèp {n}0 min", "instrument atudat sens comanda"),
}
_SAFE_NOTES = {
    "en": ("{sc} entered safe mode at {hh}:{mm}Z, sun-pointing, comms up",
           "{sc} autonomous safe mode, FDIR trip, power positive"),
    "ru": ("{sc} перешёл в защитный режим в {hh}:{mm} ДМВ, ориентация на Солнце",
           "{sc}: переход в защитный режим по срабатыванию защиты, связь есть"),
    "oc": ("{sc} passat en mòde seguretat a {hh}h{mm}, orientat cap al solelh",
           "{sc}: mòde seguretat per una proteccion automatica, ligam ràdio establit"),
}
_STATIONS = {
    "en": ("Svalbard", "Wallops", "Fairbanks", "McMurdo", "Hartebeesthoek", "Awarua", "Punta Arenas", "Inuvik",
           "Kiruna", "Troll", "Dongara", "South Point", "Santiago", "Singapore"),
    "ru": ("Медвежьи Озёра", "Щёлково", "Уссурийск", "Железногорск", "Калязин", "Воркута", "Новосибирск",
           "Петропавловск-Камчатский", "Байконур", "Мурманск", "Хабаровск", "Анадырь"),
    "oc": ("Aussaguèl", "Tolosa", "Kourou", "Kiruna", "Hartebeesthoek", "Kerguelen", "Inuvik", "Svalbard",
           "Montpelhièr", "Marselha"),
}
_SC_SERIES = {"en": ("KESTREL", "HALCYON", "MERIDIAN", "TALON", "CORVUS", "AURIGA", "SKYLARK", "PERSEUS"),
              "ru": ("Сокол", "Беркут", "Кречет", "Сапсан", "Стриж", "Ястреб"),
              "oc": ("Cigala", "Estela", "Calandra", "Irondèla", "Aucèl", "Mistral")}
_OPERATORS = {"en": ("J. Alvarez", "K. Osei", "M. Chen", "R. Patel", "S. Novak", "T. Whitfield", "L. Moreau",
                     "D. Kowalski"),
              "ru": ("Иванов А.", "Смирнова Е.", "Кузнецов Д.", "Попова О.", "Соколов И.", "Лебедева Н.",
                     "Волков С.", "Морозова Т."),
              "oc": ("Joan", "Peire", "Marcèla", "Guilhèm", "Mirelha", "Ramon", "Bernat", "Jaumeta", "Estève")}
_CONSOLES = {"en": ("FD", "GNC", "EPS", "TTC", "FDO", "PAYLOAD", "GC"),
             "ru": ("сменный руководитель", "баллистик", "оператор ТМИ", "оператор КПИ", "дежурный инженер"),
             "oc": ("cap de sala", "dinamica de vòl", "operator telemesura", "operator telecomanda",
                    "engenhaire de garda")}
_MODES = {"en": ("NOMINAL", "SCIENCE", "DOWNLINK", "STANDBY"), "ru": ("штатный", "съёмка", "сброс", "ожидание"),
          "oc": ("nominal", "observacion", "telecargament", "espèra")}
_RESULTS = {"en": ("COMPLETE", "PARTIAL", "LATE_AOS", "EARLY_LOS"),
            "ru": ("штатно", "частично", "поздний вход", "ранний выход"),
            "oc": ("complet", "parcial", "AOS tardièr", "LOS d'ora")}
_OPCODES = {"en": ("SET_HTR_ON", "RW_BIAS", "TX_ON", "SSR_PLAYBACK", "PL_POWER_ON", "TIME_SYNC", "ADCS_FINE"),
            "ru": ("ВКЛ_ОБОГРЕВ", "СБРОС_ЗУ", "ВКЛ_ПРД", "КОРР_ВРЕМЕНИ", "ВКЛ_ЦА", "ЗАКЛ_ПРОГРАММЫ"),
            "oc": ("ALUCAR_ESCALFADOR", "DESCARGAR_MEMORIA", "ALUCAR_EMISSOR", "SINCRO_ORA", "ALUCAR_INSTRUMENT",
                   "MODE_FIN")}
_STATUS = {"en": ("ACCEPTED", "EXECUTED", "COMPLETED", "PENDING"), "ru": ("принята", "исполнена", "ожидание"),
           "oc": ("acceptada", "executada", "en espèra")}
_OTYPES = {"en": ("DEBRIS", "PAYLOAD", "ROCKET BODY", "UNKNOWN"), "ru": ("фрагмент", "КА", "ступень", "неизвестный"),
           "oc": ("tròç", "satellit", "estatge de fusada", "desconegut")}
_FLARES = ("A", "B", "C", "M")
_SUBSYS = {"en": ("EPS", "AOCS", "TT&C", "OBDH", "THERMAL", "PROP", "PAYLOAD"),
           "ru": ("СЭС", "СОС", "БРТК", "БКУ", "СОТР", "ДУ", "ЦА"),
           "oc": ("energia", "actitud", "telecomunicacions", "ordenador de bòrd", "tèrmic", "propulsion",
                  "carga utila")}
_AMODES = {"en": ("FINE_POINT", "SUN_POINT", "NADIR", "SLEW"), "ru": ("орбитальная", "солнечная", "инерциальная",
                                                                      "разворот"),
           "oc": ("nadir", "solar", "inercial", "virada")}
_INSTRUMENTS = {"en": ("MSI", "SAR", "AIS", "GNSS-RO", "HSI"), "ru": ("МСУ", "РСА", "АИС", "ГСА", "БРЛК"),
                "oc": ("imatjaire", "radar", "AIS", "espectromètre", "camèra IR")}
_TRIGGERS = {"en": ("UNDERVOLTAGE", "WATCHDOG_RESET", "SUN_LOSS", "WHEEL_OVERSPEED", "OBC_REBOOT"),
             "ru": ("низкое напряжение", "перезапуск БЦВМ", "потеря Солнца", "превышение оборотов ДМ"),
             "oc": ("tension bassa", "reaviada del calculador", "pèrda del solelh", "sobrevitessa de ròda")}
_FACES = {"en": ("+X", "-X", "+Y", "-Y", "+Z", "-Z", "SOLAR_ARRAY"), "ru": ("+X", "-X", "+Y", "-Y", "+Z", "-Z", "СБ"),
          "oc": ("+X", "-X", "+Y", "-Y", "+Z", "-Z", "panèl")}
_THRUSTERS = {"en": "THR-{}", "ru": "ДК-{}", "oc": "P{}"}
_RARE_VALUES = {"en": {"status": "AUTH_FAIL", "otype": "CREWED", "flare": "X"},
                "ru": {"status": "неверная подпись", "otype": "пилотируемый", "flare": "X"},
                "oc": {"status": "autentificacion refusada", "otype": "amb equipatge", "flare": "X"}}
_RETYPE = {"en": (("spacecraft", "S/C"), ("battery", "batt"), ("nominal", "nom"), ("complete", "cmplt"),
                  ("ROCKET BODY", "R/B")),
           "ru": (("ё", "е"), ("сеанс связи", "сеанс"), ("выполнен", "вып."), ("антенна", "ант."),
                  ("оператор", "опер.")),
           "oc": (("satellit", "sat."), ("passatge", "pass."), ("telemesura", "TM"), ("estatge de fusada", "estatge"))}
_REGIONS = {"en": "Z", "ru": "ДМВ", "oc": "h"}


@dataclass(slots=True)
class Spread:
    """A (kind, field)'s routine centre and spread in rendered units (log space when ``space == "log"``)."""

    space: str
    direction: int
    center: float
    spread: float
    lo: float  # physical bounds, rendered units
    hi: float


@dataclass(slots=True)
class _Item:
    kind: str
    origin: int
    t: float
    fields: dict[str, object]
    case: str
    importance: float
    ref: int = -1
    detail: str = ""


@dataclass(slots=True)
class _Burst:
    head: int
    item: _Item
    left: int
    period: float
    n: int = 0


class OrbitWorkload:
    """A held-out space-operations world (see the module docstring). Deterministic in ``seed``."""

    def __init__(self, seed: int) -> None:
        self._r = r = random.Random(f"holdout-orbit:{seed}")
        self.dialect: str = r.choice(DIALECTS)
        self._d = d = DIALECTS.index(self.dialect)
        self.prio_mode: str = r.choice(PRIORITY_MODES)
        self.prio_key: str | None = None if self.prio_mode == "text" else _PRIO_KEYS[self.prio_mode][d]
        while True:
            common = r.sample(COMMON_KINDS, r.randint(4, 6))
            if PRIORITY_KINDS & set(common):
                break
        self.common: tuple[str, ...] = tuple(sorted(common, key=COMMON_KINDS.index))
        self.rare: tuple[str, ...] = tuple(sorted(r.sample(RARE_KINDS, r.randint(1, 3)), key=RARE_KINDS.index))
        self.weights = {k: r.uniform(0.6, 3.0) * (1.8 if k in ("hk", "pass") else 1.0) for k in self.common}
        self.rare_share = {k: r.uniform(0.002, 0.012) for k in self.rare}
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-orbit-node:{seed}:{i}".encode()).digest()).peer_id
            for i in range(r.randint(3, 10))]
        self._origin_cum = list(itertools.accumulate((i + 1) ** -0.9 for i in range(len(self.origins))))
        self.feed_origin = r.randrange(len(self.origins))  # the space-weather feed
        self.mean_gap = r.choice((500.0, 2000.0, 6000.0, 15000.0))
        self.clumpy = r.random() < 0.45  # data comes down in passes
        self.burst_period = r.uniform(0.02, 0.15)
        self.copy_memory = r.uniform(15.0, 150.0)
        self.rates = {"dup": r.uniform(0.035, 0.07), "near": r.uniform(0.07, 0.12), "burst": r.uniform(0.006, 0.014),
                      "resend": r.uniform(0.01, 0.02)}
        self.anomaly_rate = r.uniform(0.02, 0.04)
        self.keys: dict[str, str] = dict(_FIELD_NAMES[self.dialect])
        self.kind_of: dict[str, str] = {v: k for k, v in _KIND_NAMES[self.dialect].items()}
        self._rare_values = frozenset(_RARE_VALUES[self.dialect].values())
        self._zipf: dict[tuple[int, float], list[float]] = {}
        self._batch = 0
        self._make_world(r)
        fixed = {"frame", "cseq", "retries", "obj", "kp", "nobs", "files", "lost", "occ", "seq", "heater", "stow",
                 "arc"}
        self._measured = frozenset(self.keys[k] for k in _DECIMALS)
        conv = _CONVERT.get(self.dialect, {})
        self._dec = {self.keys[k]: conv.get(k, (1.0, 0.0, dec))[2] for k, dec in _DECIMALS.items()}
        self._sem_of = {v: k for k, v in self.keys.items()}
        self._signed = frozenset(self.keys[k] for k in ("tobc", "tbat", "margin", "dopp", "radial", "bz", "wheel"))
        self._jitter = {self.keys[k]: sd for k, sd in (("az", 0.5 * self._factor("az")), ("wdir", 4.0),
                                                       ("angle", 0.3))}
        self._bounded = {self.keys[k]: b for k, b in (("soc", (0, 100)), ("fill", (0.0, 100.0)),
                                                      ("az", (0.0, 359.9 * self._factor("az"))),
                                                      ("wdir", (0, 359)), ("angle", (0.0, 359.9)),
                                                      ("drop", (0.0, 100.0)))}
        self._fixed = frozenset({self.keys[k] for k in fixed} | ({self.prio_key} if self.prio_key else set()))
        self.stats: dict[str, dict[str, Spread]] = self._estimate_spreads()
        self._sent: list[tuple[str, int, dict[str, object], float]] = []  # earlier batches' news, for re-sends
        self._last_ts = 0

    # -- the world ---------------------------------------------------------------------------
    def _make_world(self, r: random.Random) -> None:
        d = self.dialect
        series = r.choice(_SC_SERIES[d])
        nums = sorted(r.sample(range(1, 13), r.randint(2, 6)))
        if d == "en":
            self.spacecraft = [f"{series}-{n}" for n in nums]
        elif d == "ru":
            self.spacecraft = [f"{series}-М №{n}" for n in nums]
        else:
            self.spacecraft = [f"{series}-{n}" for n in nums]
        r.shuffle(self.spacecraft)
        stations = list(_STATIONS[d])
        r.shuffle(stations)
        self.stations = stations[: r.randint(3, 8)]
        self.operators = r.sample(_OPERATORS[d], r.randint(4, len(_OPERATORS[d])))
        self.yy = r.choice(("24", "25", "26"))
        self.objects = [r.randint(10000, 59999) for _ in range(r.randint(20, 80))]
        self.software = r.randrange(16) << 12
        self.sc_nibble = {s: (i + 1) << 4 for i, s in enumerate(self.spacecraft)}
        # Baselines.
        self.tobc0 = r.uniform(15.0, 30.0)
        self.tbat0 = r.uniform(5.0, 20.0)
        self.sun_frac = r.uniform(0.6, 0.75)
        self.isa0 = r.uniform(6.0, 12.0)
        self.margin0 = r.uniform(4.0, 9.0)
        self.rate0 = r.uniform(0.2, 20.0)  # MB/s downlink
        self.lat0 = r.uniform(250.0, 900.0)
        self.miss0 = r.uniform(1500.0, 6000.0)
        self.flux0 = r.uniform(0.1, 1.0)
        self.vsw0 = r.uniform(350.0, 480.0)
        self.f107 = r.uniform(70.0, 220.0)
        self.rms0 = r.uniform(1.5, 8.0)
        self.vol0 = r.uniform(300.0, 3000.0)
        self.file_mbit = r.uniform(50.0, 400.0)
        self.adur0 = r.uniform(3.0, 20.0)
        self.perr0 = r.uniform(5.0, 40.0)
        self.wheel0 = r.uniform(800.0, 3000.0)
        self.wind0 = r.uniform(8.0, 20.0)
        self.wind_dir0 = r.uniform(0.0, 2 * math.pi)
        self.refl0 = r.uniform(0.5, 3.0)
        self.lna0 = r.uniform(40.0, 90.0)
        self.arc = r.choice((24.0, 48.0, 72.0))
        # Per-spacecraft state: counters, a decaying orbit, a recorder filling up.
        self._frame = {s: r.randint(0, 2**20) for s in self.spacecraft}
        self._cseq = {s: r.randint(0, 60000) for s in self.spacecraft}
        self._sma = {s: r.uniform(6850.0, 7200.0) for s in self.spacecraft}
        self._ecc = {s: r.uniform(0.0001, 0.002) for s in self.spacecraft}
        self._inc = {s: r.choice((r.uniform(97.4, 98.7), r.uniform(51.5, 53.2))) for s in self.spacecraft}
        self._fill = {s: r.uniform(5.0, 90.0) for s in self.spacecraft}
        self._seq = {o: r.randint(0, 5000) for o in self.operators}
        self._arid = r.randint(1, 400)
        # Every entity is ingested through one origin (a few origins carry most).
        self._origin_of = {e: self._zipf_origin() for e in [*self.spacecraft, *self.stations, *self.operators]}

    def _zipf_origin(self) -> int:
        return self._r.choices(range(len(self.origins)), cum_weights=self._origin_cum)[0]

    def _pick(self, seq: list[_T], alpha: float = 1.0) -> _T:
        """Zipf-like choice (rank weight 1 / rank^alpha): a few entities dominate."""
        cum = self._zipf.get((len(seq), alpha))
        if cum is None:
            cum = self._zipf[(len(seq), alpha)] = list(itertools.accumulate(
                (i + 1) ** -alpha for i in range(len(seq))))
        return self._r.choices(seq, cum_weights=cum)[0]

    def _conv(self, sem: str) -> tuple[float, float, int]:
        conv = _CONVERT.get(self.dialect)
        if conv and sem in conv:
            return conv[sem]
        return 1.0, 0.0, _DECIMALS.get(sem, 0)

    def _factor(self, sem: str) -> float:
        return self._conv(sem)[0]

    def _estimate_spreads(self) -> dict[str, dict[str, Spread]]:
        """Median and spread (central 95% width / 3.92) of every anomaly-prone rendered field, from routine draws."""
        out: dict[str, dict[str, Spread]] = {}
        for kind in self.common:
            out[kind] = {}
            if not _ANOMALOUS[kind]:
                continue
            sample = [self._render({sem: v for sem, v in self._draw(kind, live=False)[0].items()
                                    if sem in _ANOMALOUS[kind]}) for _ in range(600)]
            for sem, (space, direction, lo, hi) in _ANOMALOUS[kind].items():
                key = self.keys[sem]
                xs = sorted(_to_space(float(f[key]), space) for f in sample)  # type: ignore[arg-type]
                p025, p975 = xs[int(0.025 * len(xs))], xs[int(0.975 * len(xs)) - 1]
                spread = max((p975 - p025) / 3.92, 0.05 if space == "log" else 0.5)
                scale, offset, _ = self._conv(sem)
                out[kind][key] = Spread(space, direction, xs[len(xs) // 2], spread, lo * scale + offset,
                                        hi * scale + offset)
        return out

    # -- drawing ---------------------------------------------------------------------------
    def _draw(self, kind: str, live: bool = True) -> tuple[dict[str, object], int]:
        """Routine semantic fields of one record (floats in semantic units) and its origin."""
        r, d = self._r, self.dialect
        f: dict[str, object] = {}
        origin = -1
        if kind == "hk":
            sc = self._pick(self.spacecraft, 0.8)
            origin = self._origin_of[self._pick(self.stations, 0.7)]  # telemetry comes down through a station
            f["sc"] = sc
            if live:
                self._frame[sc] += r.randint(1, 500)
            f["frame"] = self._frame[sc]
            f["mode"] = r.choices(_MODES[d], (0.55, 0.2, 0.15, 0.1))[0]
            sunlit = r.random() < self.sun_frac
            vbat = min(29.4, r.gauss(28.9, 0.35)) if sunlit else r.gauss(26.6, 0.5)
            f["vbat"] = vbat
            f["soc"] = min(100.0, max(0.0, 100.0 - (29.4 - vbat) * 10.0 + r.gauss(0.0, 2.0)))
            f["tobc"] = r.gauss(self.tobc0, 3.0)
            f["tbat"] = r.gauss(self.tbat0 - (0.0 if sunlit else 2.5), 1.5)
            f["isa"] = r.gauss(self.isa0, 0.3) if sunlit else 0.0
            f["heater"] = r.random() < (0.15 if sunlit else 0.6)
        elif kind == "pass":
            gs = self._pick(self.stations, 0.7)
            origin = self._origin_of[gs]
            f["gs"] = gs
            f["sc"] = self._pick(self.spacecraft, 0.8)
            elev = 5.0 + 85.0 * r.betavariate(1.0, 2.4)
            f["elev"] = elev
            f["az"] = r.uniform(0.0, 359.9)
            dur = 240.0 + 520.0 * math.sin(math.radians(elev)) + r.gauss(0.0, 20.0)
            f["dur"] = dur
            f["margin"] = r.gauss(self.margin0 + 2.0 * elev / 90.0, 1.4)
            f["vdl"] = self.rate0 * dur * r.uniform(0.7, 1.0)
            f["dopp"] = r.choice((-1.0, 1.0)) * r.uniform(30.0, 56.0)
            f["result"] = r.choices(_RESULTS[d], (0.8, 0.1, 0.05, 0.05))[0]
        elif kind == "cmd":
            sc = self._pick(self.spacecraft, 0.8)
            origin = self._origin_of[sc]
            f["sc"] = sc
            f["opcode"] = r.choice(_OPCODES[d])
            if live:
                self._cseq[sc] += 1
            f["cseq"] = self._cseq[sc]
            f["status"] = r.choice(_STATUS[d])
            f["lat"] = math.exp(r.gauss(math.log(self.lat0), 0.35))
            f["retries"] = 0 if r.random() < 0.85 else r.randint(1, 2)
        elif kind == "cdm":
            sc = self._pick(self.spacecraft, 0.8)
            origin = self._origin_of[sc]
            f["sc"] = sc
            f["obj"] = self._pick(self.objects, 0.6)
            f["otype"] = r.choices(_OTYPES[d], (0.55, 0.25, 0.15, 0.05))[0]
            f["tca"] = r.uniform(4.0, 120.0)
            miss = math.exp(r.gauss(math.log(self.miss0), 0.7))
            f["miss"] = miss
            f["radial"] = max(-miss, min(miss, r.gauss(0.0, miss / 3.0)))  # a component of the miss
            f["pc"] = self._pc(miss, r.gauss(0.0, 0.3))
            f["cdmid"] = f"{'CDM' if d == 'en' else 'СБЛ' if d == 'ru' else 'APR'}-{self.yy}{r.randint(1, 365):03d}-" \
                         f"{r.randint(0, 99999):05d}"
            f["note"] = r.choice(_CDM_NOTES[d]).format(gs=r.choice(self.stations))
        elif kind == "swx":
            origin = self.feed_origin
            vsw = math.exp(r.gauss(math.log(self.vsw0), 0.18))
            f["vsw"] = vsw
            f["kp"] = self._kp(vsw, r.gauss(0.0, 0.8))
            f["flux"] = math.exp(r.gauss(math.log(self.flux0), 0.6))
            f["bz"] = r.gauss(0.0, 3.5)
            f["f107"] = self.f107 + r.gauss(0.0, 1.5)
            f["flare"] = r.choices(_FLARES, (0.1, 0.45, 0.38, 0.07))[0]
        elif kind == "od":
            sc = self._pick(self.spacecraft, 0.8)
            origin = self._origin_of[sc]
            f["sc"] = sc
            sma = self._sma[sc]
            if live:
                sma -= r.uniform(0.0005, 0.004)
                if r.random() < 0.003:
                    sma += r.uniform(0.05, 0.3)  # an orbit-raising manoeuvre
                self._sma[sc] = sma
            f["sma"] = sma + r.gauss(0.0, 0.002)
            f["ecc"] = max(0.0, self._ecc[sc] + r.gauss(0.0, 2e-5))
            f["inc"] = self._inc[sc] + r.gauss(0.0, 0.0005)
            f["rms"] = math.exp(r.gauss(math.log(self.rms0), 0.4))
            lam = 40.0 + self.arc
            f["nobs"] = max(3, int(round(r.gauss(lam, math.sqrt(lam)))))
            f["arc"] = self.arc
        elif kind == "pl":
            sc = self._pick(self.spacecraft, 0.8)
            origin = self._origin_of[self._pick(self.stations, 0.7)]
            f["sc"] = sc
            f["inst"] = r.choice(_INSTRUMENTS[d])
            vol = math.exp(r.gauss(math.log(self.vol0), 0.9))
            f["vol"] = vol
            f["files"] = max(1, int(round(vol / self.file_mbit * r.uniform(0.8, 1.2))))
            fill = self._fill[sc] + r.uniform(-3.0, 6.0)
            fill = 100.0 if fill > 100.0 else max(0.0, fill)
            if r.random() < 0.08:
                fill = r.uniform(2.0, 15.0)  # a recorder dump
            if live:
                self._fill[sc] = fill
            f["fill"] = fill
            f["lost"] = 0 if r.random() < 0.9 else r.randint(1, 3)
        elif kind == "anom":
            sc = self._pick(self.spacecraft, 0.8)
            origin = self._origin_of[sc]
            f["sc"] = sc
            if live:
                self._arid += 1
            f["arid"] = self._report_id(self._arid)
            f["subsys"] = r.choice(_SUBSYS[d])
            f["occ"] = 1 + _poisson(r, 0.8)
            f["adur"] = math.exp(r.gauss(math.log(self.adur0), 0.9))
            f["note"] = r.choice(_ANOM_NOTES[d]).format(n=r.randint(1, 4))
        elif kind == "log":
            op = r.choice(self.operators)
            origin = self._origin_of[op]
            f["op"] = op
            f["console"] = r.choice(_CONSOLES[d])
            if live:
                self._seq[op] += 1
            f["seq"] = self._seq[op]
            f["note"] = self._note()
        elif kind == "att":
            sc = self._pick(self.spacecraft, 0.8)
            origin = self._origin_of[self._pick(self.stations, 0.7)]
            f["sc"] = sc
            f["amode"] = r.choices(_AMODES[d], (0.5, 0.15, 0.25, 0.1))[0]
            f["perr"] = math.exp(r.gauss(math.log(self.perr0), 0.5))
            f["wheel"] = r.choice((-1.0, 1.0)) * r.gauss(self.wheel0, 300.0)
            q = [r.gauss(0.0, 1.0) for _ in range(4)]
            norm = math.sqrt(sum(x * x for x in q)) or 1.0
            f["q"] = tuple(round(x / norm, 4) for x in q)
            f["rate"] = abs(r.gauss(0.0, 0.01))
        elif kind == "gsm":
            gs = self._pick(self.stations, 0.7)
            origin = self._origin_of[gs]
            f["gs"] = gs
            wind = math.exp(r.gauss(math.log(self.wind0), 0.5))
            f["wind"] = wind
            f["wdir"] = math.degrees(r.vonmisesvariate(self.wind_dir0, 2.0)) % 360.0
            f["refl"] = math.exp(r.gauss(math.log(self.refl0), 0.35))
            f["lna"] = r.gauss(self.lna0, 2.5)
            f["stow"] = wind > 70.0
        elif kind == "safemode":
            sc = r.choice(self.spacecraft)
            origin = self._origin_of[sc]
            f["sc"] = sc
            f["trigger"] = r.choice(_TRIGGERS[d])
            f["soc"] = r.uniform(35.0, 95.0)
            f["note"] = r.choice(_SAFE_NOTES[d]).format(sc=sc, hh=f"{r.randint(0, 23):02d}",
                                                        mm=f"{r.randint(0, 59):02d}")
        elif kind == "debris":
            sc = r.choice(self.spacecraft)
            origin = self._origin_of[sc]
            f["sc"] = sc
            f["rate"] = r.uniform(0.05, 2.0)
            f["dh"] = math.exp(r.gauss(math.log(0.02), 0.8))
            f["face"] = r.choice(_FACES[d])
        elif kind == "thrust":
            sc = r.choice(self.spacecraft)
            origin = self._origin_of[sc]
            f["sc"] = sc
            f["thr"] = _THRUSTERS[d].format(r.randint(1, 8))
            f["dv"] = math.exp(r.gauss(math.log(15.0), 0.9))
            f["fdur"] = math.exp(r.gauss(math.log(800.0), 0.7))
        elif kind == "sadm":
            sc = r.choice(self.spacecraft)
            origin = self._origin_of[sc]
            f["sc"] = sc
            f["wing"] = r.choice(("+Y", "-Y"))
            f["drop"] = r.uniform(10.0, 60.0)
            f["angle"] = r.uniform(0.0, 359.9)
        else:  # pragma: no cover
            raise KeyError(kind)
        return f, origin

    def _pc(self, miss_m: float, noise: float) -> float:
        """Collision probability (semantic: the probability itself) from the miss distance in metres."""
        return 10.0 ** min(-0.5, -1.0 - 2.2 * math.log10(max(miss_m, 0.1)) + noise)

    def _kp(self, vsw: float, noise: float) -> float:
        """Planetary K index in thirds (0, 1/3, ... 9) from the solar wind speed."""
        return round(min(9.0, max(0.0, 1.2 + (vsw - 400.0) / 120.0 + noise)) * 3) / 3

    def _report_id(self, n: int) -> str:
        d = self.dialect
        if d == "en":
            return f"AR-{self.yy}-{n:04d}"
        if d == "ru":
            return f"НШС-{n:03d}/{self.yy}"
        return f"RA{self.yy}.{n:04d}"

    def _note(self) -> str:
        r = self._r
        return r.choice(_NOTES[self.dialect]).format(sc=r.choice(self.spacecraft), gs=r.choice(self.stations),
                                                     hh=f"{r.choice((0, 6, 8, 12, 14, 18, 20, 22)):02d}",
                                                     n=r.randint(2, 12))

    def _quant(self, sem: str, x: float) -> int | float:
        """A rendered number as the dialect writes it (decimals, or the nearest 0.5 dB)."""
        if (self.dialect, sem) in _HALF_DB:
            return round(x * 2.0) / 2.0
        dec = self._conv(sem)[2]
        return int(round(x)) if dec == 0 else round(x, dec)

    def _render(self, f: dict[str, object]) -> dict[str, object]:
        """Semantic fields -> this dialect's names, units and rounding."""
        d = self.dialect
        out: dict[str, object] = {}
        for sem, v in f.items():
            name = self.keys[sem]
            if sem == "kp":
                out[name] = _kp_text(float(v)) if d == "en" else round(float(v), 2 if d == "ru" else 1)  # type: ignore[arg-type]
            elif sem == "pc":
                pc = float(v)  # type: ignore[arg-type]
                out[name] = round(math.log10(pc), 1) if d == "ru" else float(f"{pc:.1e}")
            elif isinstance(v, float) and sem in _DECIMALS:
                scale, offset, _ = self._conv(sem)
                out[name] = self._quant(sem, v * scale + offset)
            else:
                out[name] = v
        if "stow" in f:  # the antenna stows above 70 km/h, as the station's own anemometer reads it
            out[self.keys["stow"]] = self._semantic("wind", out) > 70.0
        return out

    # -- truth -----------------------------------------------------------------------------
    def anomaly_k(self, kind: str, fields: dict[str, object]) -> float:
        """The largest distance, in spreads, of an anomaly-prone number from its (kind, field) median."""
        ks = [abs(_to_space(float(fields[key]), s.space) - s.center) / s.spread  # type: ignore[arg-type]
              for key, s in self.stats.get(kind, {}).items() if key in fields]
        return max(ks, default=0.0)

    def priority_value(self, kind: str, fields: dict[str, object]) -> float:
        """Explicit priority (0..1) as the world's encoding writes it."""
        if kind not in PRIORITY_KINDS | ALWAYS_PRIORITY_RARE:
            return 0.0
        mode, d = self.prio_mode, self.dialect
        if mode == "text":
            note = str(fields.get(self.keys["note"], ""))
            return max((STEP_STRENGTH[i + 1] for i, p in enumerate(_URGENT[d]) if p in note), default=0.0)
        v = fields[self.prio_key]  # type: ignore[index]
        if mode == "words":
            return STEP_STRENGTH[_SCALE_WORDS[d].index(v)]  # type: ignore[arg-type]
        if mode == "code":
            return dict(_CODES[d])[v]  # type: ignore[index]
        if mode == "rank":
            return _RANK[v]  # type: ignore[index]
        if mode == "score":
            x = int(v)  # type: ignore[call-overload]
            return 1.0 if x >= 90 else 0.75 if x >= 75 else 0.5 if x >= 60 else 0.25 if x >= 40 else 0.0
        if mode == "orbits":
            m = int(v)  # type: ignore[call-overload]
            return 0.0 if m >= 16 else 0.25 if m >= 8 else 0.5 if m >= 4 else 0.75 if m >= 2 else 1.0
        if mode == "flag":
            return FLAG_STRENGTH if v is True else 0.0
        word = int(v, 16) if isinstance(v, str) else int(v)  # type: ignore[call-overload]
        return STEP_STRENGTH[min((word >> _BITS_SHIFT) & 7, 4)]

    def score(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        """Ground truth of a routine record or burst head, from its content: (importance, detail)."""
        k = self.anomaly_k(kind, fields)
        a = 0.0 if k < 4.5 else min(1.0, 0.35 + 0.1 * (k - 4.5))
        p = self.priority_value(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if any(isinstance(v, str) and v in self._rare_values for v in fields.values()) else 0.0
        rarity = rk or rv
        return routine_truth(a, p, rarity, rk)

    # -- records ---------------------------------------------------------------------------
    def _routine_fields(self, kind: str) -> tuple[dict[str, object], int]:
        """Rendered routine fields, every anomaly-prone number redrawn while 4 or more spreads off."""
        for _ in range(60):
            sem, origin = self._draw(kind)
            f = self._render(sem)
            if self.anomaly_k(kind, f) < 4.0:
                return f, origin
        raise RuntimeError(f"no routine draw of {kind}")  # pragma: no cover

    def _make_anomaly(self, kind: str, f: dict[str, object]) -> bool:
        """Put one anomaly-prone number 4.5-11 spreads off its median, within bounds; False when none can be."""
        r = self._r
        options = []
        for key, s in sorted(self.stats.get(kind, {}).items()):
            signs = (1.0, -1.0) if s.direction == 0 else (float(s.direction),)
            for sign in signs:
                edge = _to_space(s.hi if sign > 0 else s.lo, s.space)
                kmax = min(11.0, (edge - s.center) * sign / s.spread)
                if kmax >= 4.8:
                    options.append((key, s, sign, kmax))
        if not options:
            return False
        key, s, sign, kmax = r.choice(options)
        sem = self._sem_of[key]
        step = 0.5 if (self.dialect, sem) in _HALF_DB else 10.0 ** -self._conv(sem)[2]
        x = _from_space(s.center + sign * r.uniform(4.7, kmax) * s.spread, s.space)
        x = min(s.hi, max(s.lo, x))
        v = self._quant(sem, x)
        for _ in range(10_000):
            v = self._quant(sem, x)
            if abs(_to_space(float(v), s.space) - s.center) / s.spread >= 4.5:
                break
            x += sign * max(step, abs(x) * 0.01)
        old = self._semantic(sem, f)
        f[key] = v
        self._derive(sem, f, old)
        return True

    def _semantic(self, sem: str, f: dict[str, object]) -> float:
        scale, offset, _ = self._conv(sem)
        return (float(f[self.keys[sem]]) - offset) / scale  # type: ignore[arg-type]

    def _derive(self, sem: str, f: dict[str, object], old: float) -> None:
        """Numbers computed from an anomalous one (``old`` before it was moved, semantic units) follow it."""
        k = self.keys
        if sem == "vbat":
            soc = min(100.0, max(0.0, 100.0 - (29.4 - self._semantic("vbat", f)) * 10.0))
            f[k["soc"]] = self._quant("soc", soc)
        elif sem == "miss":
            miss = self._semantic("miss", f)
            f.update(self._render({"pc": self._pc(miss, 0.0), "radial": self._semantic("radial", f) * miss / old}))
        elif sem == "vsw":
            f.update(self._render({"kp": self._kp(self._semantic("vsw", f), 0.0)}))
        elif sem == "vol":
            f[k["files"]] = max(1, int(round(self._semantic("vol", f) / self.file_mbit)))
        elif sem == "wind":
            f[k["stow"]] = self._semantic("wind", f) > 70.0  # as _render sets it

    def _step(self, news: bool) -> int:
        r = self._r
        if news:
            return r.choice((3, 4)) if self.prio_mode == "flag" else r.choices((2, 3, 4), (0.3, 0.4, 0.3))[0]
        return r.choices(range(5), ROUTINE_STEPS)[0]

    def _encode(self, step: int, sc: object) -> object:
        r, d, mode = self._r, self.dialect, self.prio_mode
        if mode == "words":
            return _SCALE_WORDS[d][step]
        if mode == "code":
            return _CODES[d][_CODE_OF_STEP[d][step]][0]
        if mode == "rank":
            vals, w = _RANK_OF_STEP[step]
            return r.choices(vals, w)[0]
        if mode == "score":
            lo, hi = _SCORE_BANDS[step]
            if step == 0:
                return min(hi, int(r.betavariate(1.4, 3.2) * (hi + 1)))
            return r.randint(lo, hi)
        if mode == "orbits":
            if step == 0 and r.random() < 0.3:
                return _ORBITS_NONE
            return r.randint(*_ORBIT_BANDS[step])
        if mode == "flag":
            return step >= 3
        low = (r.random() < 0.97) | (r.random() < 0.9) << 1 | (r.random() < 0.3) << 2 | (r.random() < 0.08) << 3
        word = self.software | step << _BITS_SHIFT | (r.random() < 0.35) << 8 | self.sc_nibble.get(sc, 0) | low
        return f"0x{word:04X}" if d == "oc" else word

    def _attach_priority(self, kind: str, f: dict[str, object], step: int) -> None:
        """Write the step in the world's form (priority kinds only) and the note's calm or urgent words."""
        r, d = self._r, self.dialect
        note_key = self.keys["note"]
        if self.prio_mode == "text":
            if note_key in f and step > 0:
                phrase = _URGENT[d][step - 1]
                f[note_key] = f"{f[note_key]}; {phrase}" if r.random() < 0.5 else f"{phrase}. {f[note_key]}"
        elif kind in PRIORITY_KINDS | ALWAYS_PRIORITY_RARE:
            f[self.prio_key] = self._encode(step, f.get(self.keys["sc"]))  # type: ignore[index]
        if note_key in f and step == 0 and r.random() < 0.3:
            f[note_key] = f"{f[note_key]}, {r.choice(_CALM[d])}"

    def _fresh(self, kind: str, t: float, news: bool = False) -> _Item:
        """A routine record (or, with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        f, origin = self._routine_fields(kind)
        has_prio = kind in PRIORITY_KINDS
        if kind in ("cmd", "cdm", "swx") and r.random() < 0.012:
            sem = {"cmd": "status", "cdm": "otype", "swx": "flare"}[kind]
            f[self.keys[sem]] = _RARE_VALUES[self.dialect][sem]
        wants = (news and (not has_prio or r.random() < 0.5)) or (not news and r.random() < self.anomaly_rate)
        anomalous = wants and self._make_anomaly(kind, f)
        if kind in ALWAYS_PRIORITY_RARE:
            step = r.choice((3, 4))
        elif has_prio:
            step = self._step(news and not anomalous)
        else:
            step = 0
        self._attach_priority(kind, f, step)
        imp, detail = self.score(kind, f)
        return _Item(kind, origin, t, f, "burst_head" if news else "routine", imp, -1, detail)

    def _copy_source(self, items: list[_Item]) -> int:
        """An earlier record of the batch, by importance and recency; -1 when there is none."""
        n = len(items)
        cand = [i for i in range(max(0, n - 600), n) if items[i].case in ("routine", "burst_head")]
        if not cand:
            return -1
        weights = [(items[i].importance + 0.03) * math.exp(-(n - i) / self.copy_memory) for i in cand]
        return self._r.choices(cand, weights)[0]

    def _near(self, f: dict[str, object]) -> dict[str, object]:
        """Another centre's re-entry: one or two values re-rounded or re-typed, never the priority field (nor,
        where the world writes priority in notes, the note)."""
        r = self._r
        g = dict(f)
        options = []
        note_key = self.keys["note"]
        for key in sorted(f):
            v = f[key]
            if key in self._fixed or isinstance(v, bool) or (self.prio_mode == "text" and key == note_key):
                continue
            w: object
            if key in self._measured and isinstance(v, int | float):
                w = _reround(v, self._dec[key])
            elif isinstance(v, str):
                w = self._retype(v)
            else:
                continue
            if w != v:
                options.append((key, w))
        if not options:  # pragma: no cover - every kind has a measured number or a text
            raise RuntimeError("nothing to re-type")
        for key, w in r.sample(options, min(len(options), 2 if r.random() < 0.2 else 1)):
            g[key] = w
        return g

    def _retype(self, s: str) -> str:
        r = self._r
        out = []
        if self.dialect == "oc":  # accents dropped (not in Russian: й is not и)
            plain = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
            if plain != s:
                out.append(plain)
        for a, b in _RETYPE[self.dialect]:
            if a in s:
                out.append(s.replace(a, b, 1))
        if "-" in s and not s.startswith(("+", "-")):
            out.append(s.replace("-", " ", 1))
        elif " " in s and len(s) < 24:
            out.append(s.replace(" ", "_", 1))
        out.append(s.lower() if s != s.lower() else s.upper() if len(s) < 24 else s + ".")
        if " " in s:
            out.append(s.replace(" ", "  ", 1))
        out = [x for x in out if x != s]
        return r.choice(out) if out else s

    def _tail(self, b: _Burst, t: float) -> _Item:
        """A burst's look-alike: same kind, origin and keys; numbers drift, counters step, levels stay."""
        r = self._r
        b.n += 1
        g = dict(b.item.fields)
        counters = {self.keys[c] for c in _COUNTERS}
        for key, v in g.items():
            if isinstance(v, bool) or not isinstance(v, int | float):
                continue
            if key in counters:
                g[key] = v + b.n
            elif key in self._measured and key not in self._fixed and v != 0:
                dec = self._dec[key]
                sd = self._jitter.get(key, 0.006 * abs(v) + 0.3 * 10.0 ** -dec)
                lo, hi = self._bounded.get(key, (-math.inf if key in self._signed else 0.0, math.inf))
                nv = min(hi, max(lo, v + r.gauss(0.0, sd)))
                g[key] = self._quant(self._sem_of[key], nv)
        if g == b.item.fields:  # nothing drifted past its rounding: the last digit of one reading moves
            keys = sorted(k for k, v in g.items() if k in self._measured and k not in self._fixed
                          and not isinstance(v, bool) and v != 0)
            if keys:
                key = r.choice(keys)
                sem = self._sem_of[key]
                step = 0.5 if (self.dialect, sem) in _HALF_DB else 10.0 ** -self._dec[key]
                g[key] = self._quant(sem, float(g[key]) + r.choice((-1, 1)) * step)  # type: ignore[arg-type]
        return _Item(b.item.kind, b.item.origin, t, g, "burst_tail", tail_importance(b.item.importance), b.head)

    def _gap(self) -> float:
        r = self._r
        if self.clumpy and r.random() < 0.5:
            return r.uniform(0.0, 0.08) * self.mean_gap
        return r.expovariate(1.0 / (self.mean_gap * (1.96 if self.clumpy else 1.0)))

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        """``n`` records ending near ``now_ms``, each with its ground-truth importance."""
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """``n`` labelled records, strictly later than every record already emitted."""
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        r = self._r
        self.f107 = min(300.0, max(65.0, self.f107 + r.gauss(0.0, 3.0)))  # the solar cycle drifts
        items: list[_Item] = []
        bursts: list[tuple[float, int, _Burst]] = []  # heap of (next tail time, tiebreak, burst)
        pending = 0  # tails still to come
        kinds = [*self.common, *self.rare]
        total_w = sum(self.weights.values())
        rare_total = sum(self.rare_share.values())
        kind_w = [self.weights[k] / total_w * (1.0 - rare_total) for k in self.common] + \
                 [self.rare_share[k] for k in self.rare]
        news_kinds = [k for k in self.common if k in PRIORITY_KINDS or self.stats[k]]
        tick = 0
        next_t = self._gap()
        q = self.rates
        while len(items) < n:
            flush = len(items) + pending >= n
            if bursts and (flush or bursts[0][0] <= next_t):
                tt, _, b = heapq.heappop(bursts)
                items.append(self._tail(b, tt))
                pending -= 1
                b.left -= 1
                if b.left > 0:
                    tick += 1
                    heapq.heappush(bursts, (tt + b.period * r.uniform(0.5, 1.5), tick, b))
                continue
            t, next_t = next_t, next_t + self._gap()
            u = r.random()
            room = n - len(items) - 1 - pending
            if u < q["dup"] and (j := self._copy_source(items)) >= 0:
                src = items[j]
                o = src.origin if r.random() < 0.6 else self._zipf_origin()
                items.append(_Item(src.kind, o, t, dict(src.fields), "dup", 0.05 * src.importance, j))
            elif (u := u - q["dup"]) < q["near"] and (j := self._copy_source(items)) >= 0:
                src = items[j]
                o = src.origin if r.random() < 0.5 else self._zipf_origin()
                items.append(_Item(src.kind, o, t, self._near(src.fields), "near_dup", 0.1 * src.importance, j))
            elif (u := u - q["near"]) < q["burst"] and room >= 2:
                head = self._fresh(r.choice(news_kinds), t, news=True)
                if head.importance < 0.3:  # no number could go far enough: an ordinary record
                    head.case = "routine"
                    items.append(head)
                    continue
                tails = min(40, 2 + int(2 * r.paretovariate(1.1)), room)
                period = min(1500.0, max(40.0, self.mean_gap * self.burst_period * r.uniform(0.5, 2.0)))
                b = _Burst(len(items), head, tails, period)
                items.append(head)
                pending += tails
                tick += 1
                heapq.heappush(bursts, (t + period * r.uniform(0.5, 1.5), tick, b))
            elif (u := u - q["burst"]) < q["resend"] and self._sent:
                kind, o0, f, imp = r.choice(self._sent)
                o = o0 if r.random() < 0.6 else self._zipf_origin()
                items.append(_Item(kind, o, t, dict(f), "resend", (0.01 if o == o0 else 0.02) * imp))
            else:
                items.append(self._fresh(r.choices(kinds, kind_w)[0], t))
        self._batch += 1
        return self._materialize(items, now_ms)

    def _materialize(self, items: list[_Item], now_ms: int) -> list[LabeledRecord]:
        span = int(items[-1].t)
        start = max(self._last_ts + 1, now_ms - span)
        names = _KIND_NAMES[self.dialect]
        out: list[LabeledRecord] = []
        prev = start - 1
        for it in items:
            ts = max(prev + 1, start + int(it.t))
            prev = ts
            rec = Record.create(names[it.kind], self.origins[it.origin], ts, it.fields)
            detail = it.detail if it.case in ("routine", "burst_head") else ""
            out.append(LabeledRecord(rec, round(min(1.0, max(0.0, it.importance)), 9), it.case, it.ref, detail))
            if it.case in ("routine", "burst_head") and it.importance >= 0.3:
                self._sent.append((it.kind, it.origin, dict(it.fields), it.importance))
        del self._sent[:-400]
        self._last_ts = prev
        return out


# -- helpers ------------------------------------------------------------------------------
def _poisson(r: random.Random, lam: float) -> int:
    """Knuth's Poisson draw (small means)."""
    limit, k, p = math.exp(-lam), 0, r.random()
    while p > limit:
        k += 1
        p *= r.random()
    return k


def _kp_text(kp: float) -> str:
    """NOAA's thirds notation: 0, 0+, 1-, 1, 1+, ... 9-, 9."""
    t = int(round(kp * 3))
    base, rem = divmod(t + 1, 3)
    return f"{base}{('-', '', '+')[rem]}"


def _to_space(x: float, space: str) -> float:
    return math.log(max(x, _LOG_FLOOR)) if space == "log" else x


def _from_space(x: float, space: str) -> float:
    return math.exp(x) if space == "log" else x


def _reround(v: int | float, dec: int) -> int | float:
    """Another centre's rounding: one decimal fewer, or the nearest 5 / 10 / 100 for whole numbers of 10
    and more. May return ``v`` itself (then it is no re-entry option)."""
    if dec > 0:
        return round(v, dec - 1)
    if abs(v) < 10:
        return v
    mag = 100 if abs(v) >= 2000 else 10 if abs(v) >= 100 else 5
    return int(round(v / mag) * mag)
