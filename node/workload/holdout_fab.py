"""Held-out family ``fab``: semiconductor wafer-fab operations. Used ONLY by evaluation.

Theory of operation
-------------------
A fifteenth held-out family, written blind (docs/holdout.md, "A fifteenth held-out family"): nobody tunes
the model on it, and it shares no code path, name, distribution or vocabulary with the training generators
or the other held-out families. Only the truth helpers (:func:`noisy_or`, :func:`main_reason`,
:func:`tail_importance`, ``ROUTINE_FLOOR``) and :class:`LabeledRecord` are shared, because the definition
of importance is shared. Training never imports this module (tests/node/test_holdout_fab.py checks
``sys.modules``).

One seed is one world: a 300 mm fab whose nodes (3-10 peer ids, the ``origins``: the MES, FDC and EES
servers of tool groups, the material-control system, the facility SCADA, the particle-monitoring server,
engineers' workstations) carry lot moves, tool data, metrology, facility readings and the paperwork of
the floor. A world draws, from one ``random.Random``:

- a dialect (below), which names every kind, field, categorical value and identifier, picks the units and
  writes every alarm text and free-text note;
- 4-6 common kinds, at least one of which carries priority, and 1-3 rare kinds (each 0.15-1.1% of the
  fresh records);
- one of nine priority encodings (``prio_mode``, field ``prio_key``);
- its setting: process tools with 1-4 chambers and their recipes, metrology tools, lots, bays and their
  particle counters, ultrapure-water loops, facility points, stockers and overhead vehicles, technicians,
  an alarm catalogue; each entity ingested through one origin (Zipf: a few servers carry most);
- case rates, a mean gap between records (0.15-7 s), whether the stream arrives in uploads (clumps), and
  how far back copies reach.

Dialects
--------
- ``en``: English as a US fab's MES and engineers write it. Kinds PascalCase event names
  (``EqpAlarmReport``, ``LotTrackEvent``), fields UPPER_SNAKE database columns with unit suffixes
  (``CHMB_PRES_MTORR``, ``QUEUE_WAIT_MIN``); lot ids like ``N7A123.1``, tool ids like ``ETCH04``, chambers
  ``PM1``; SEMI E5-style upper-case alarm texts (``ALTX``) with ALID / ALCD; facility readings in US
  units (deg F, gpm, inches of water, psig, g), particles per cubic foot; booleans written ``"Y"`` / ``"N"``.
- ``ko``: Korean as a Korean memory fab writes it: kinds dotted Hangul (``설비.알람``), fields Hangul with
  ASCII unit suffixes (``챔버압력_Torr``, ``RF반사파_W``), English acronyms inside (RF, ESC, CD, OHT);
  chamber pressure in Torr, RF power in kW, film thickness in nm, PM duration in minutes, N2 in kgf/cm2,
  particles per m3 (multiples of 35.3: one particle in a cubic-foot sample); alarm texts and notes in
  Korean with the floor's loanwords (웻 클리닝, 시즈닝, 퀄). Korean is one of the lexicon's languages;
  most of this vocabulary is not in it.
- ``scn``: Sicilian, as a fab in Catania's Etna Valley could write it; in no lexicon version. Kinds
  ``area/thing`` in lower kebab-case (``machina/allarmi``), fields kebab-case with the unit after a dot
  (``prissioni.pa``, ``timpiratura-esc.k``); pressure in pascal, ESC temperature in kelvin, CD in
  micrometres, ultrapure water as *conductivity* in uS/cm (so its anomaly points up), exhaust in mm of
  water, N2 in bar, hold time and alarm duration in minutes; vendor alarm texts in sentence-case English
  (the tools are imported), notes in Sicilian with its contractions (dâ, ntâ, dô, ô).

Kinds (semantic name: numbers; anomaly-prone fields starred)
-------------------------------------------------------------
Common: ``move`` lot track-in/out (lot, operation, tool, event, wafer count mostly 25, queue wait* very
heavy-tailed, process time, a move counter per tool); ``trace`` a chamber's SVID sample, bimodal
processing / idle (pressure at the recipe setpoint or at base, RF forward power at the setpoint or 0,
reflected power* zero when idle and log-normal when processing, ESC temperature* normal around the
chamber's setpoint, helium backside flow, RF hours since the last wet clean counting up per chamber and
reset by a wet-clean PM, endpoint time drifting up with the RF hours: chamber seasoning); ``alarm`` an
S5F1-style alarm report (ALID from the world's catalogue with its fixed text and ALCD byte, set or
cleared, seconds active* log-normal, occurrences in 24 h, the operator's acknowledgement note);
``cd`` CD-SEM (target, mean* both directions, 3-sigma*, sites, a spec judgement that follows an anomaly);
``ovl`` overlay (signed x / y residuals, max |mean| + 3 sigma*, magnification, rotation); ``film``
thickness monitor (mean*, non-uniformity*, goodness of fit bounded by 1); ``particle`` cleanroom counter
(two size channels*, zero-inflated and quantized, the ISO class, a percent of the action limit that
follows an anomaly); ``upw`` ultrapure water (resistivity* saturating at 18.2, low is the anomaly; TOC*
log-normal; temperature; flow); ``fac`` facility (exhaust static pressure*, negative, a loss of suction is
the anomaly; N2 header pressure*, low is the anomaly; room differential pressure, temperature, humidity;
the N2 source); ``pm`` maintenance event (type, E10 state, technician, duration* log-normal, parts, a work
order counter, the chamber's RF hours); ``note`` a technician's shift note (bay, shift, a note counter per
technician, free text); ``hold`` lot hold (reason, disposition, wafers, hours on hold* log-normal, holder,
comment); ``amhs`` overhead transport (vehicle, carrier, ports, transfer time* log-normal, stocker fill
random-walking and saturating at 100, retries zero-inflated, a transfer counter). Rare: ``quake`` a
seismic trip, ``toxgas`` a toxic-gas detector alarm (always with raised priority), ``breakage`` a wafer
breakage, ``dploss`` a cleanroom pressure loss. Rare categorical values (an EMO alarm, a scrapped lot, N2
from the tube trailer) appear in about 1.2% of their kinds' records.

Priority encodings (carried by ``alarm``, ``hold``, ``note`` and ``toxgas``)
---------------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0; 86% at 0); the world's form writes it, and
the truth is read back from what is written:

- ``severity``: a five-word scale per dialect (Info / Minor / Major / Critical / Line-Down; 정보 / 경미 /
  중대 / 심각 / 라인정지; nenti / liggeru / mizzanu / gravi / gravissimu);
- ``text``: no field; an urgency phrase in the note (four levels), and routine notes that often say
  outright that nothing is pressing;
- ``code``: a hold code from a small vocabulary, coarser than the steps (NH / EH / QH / XH; H0 / H2 / H9;
  the letters N / C / B / A, A the worst);
- ``hotlot``: the lot-priority class in the dialect (Normal / Expedite / Hot / Super Hot / Rocket ...);
- ``score``: an FDC fault score that starts at 0 (45% of routine records exactly 0): an integer 0-999,
  bands at 300 / 500 / 700 / 900; in ``scn`` a percentage 0.0-99.9, bands at 30 / 50 / 70 / 90;
- ``qtime``: what is left before the lot's queue-time limit expires, small (or negative: expired) is
  pressing: minutes (9999 = no limit; 180 and more routine, then below 180 / 90 / 45 / 15); in ``scn``
  hours (999.0 = no limit; below 3 / 1.5 / 0.75 / 0.25);
- ``flag``: escalate to the module engineer, True (steps 3-4) has strength 0.9; ``"Y"`` / ``"N"`` in
  ``en``, a boolean in ``ko``, 1 / 0 in ``scn``;
- ``bits``: a 16-bit EES status word whose bits 12-14 hold the step; the other bits interlock / vacuum /
  door / remote flags, a tool nibble (bits 8-11) and a per-world bit 15; an int, in ``scn`` a PLC-style
  hex string (``"3A41h"``);
- ``tier``: a descending response tier (5-7 routine, 4, 3, 2, 1 most pressing).

Cases and truth (docs/attention.md, "The definition (issue 3)")
----------------------------------------------------------------
Routine records and burst heads, from their content alone:
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)`` (see :meth:`FabWorkload.score`); anomaly = 0
below 4.5 spreads, else ``min(1, 0.4 + 0.12 * (k - 4.5))`` where k is the largest distance of an
anomaly-prone number from its (kind, field) median in spreads (central 95% width / 3.92 of the world's own
rendered routine values, estimated when the world is made; log space for positive heavy-tailed fields,
log(1 + x) space for zero-inflated counts); routine values are redrawn while 4 or more spreads off, an
anomaly (1.8-3.8% of fresh records) puts one number 4.5-11 spreads off, in the field's physical direction
and bounds, and what is computed from it follows (the CD spec judgement, the particle counter's percent of
its action limit). Rarity 0.5 for a rare kind, 0.45 for a rare value.
``detail = main_reason(0.9a, 0.9p, rarity, 0.5 if rare kind else 0)``.

An exact copy (the same event logged again by another server, or re-delivered) keeps 5% of its source; a
near copy (another system's re-entry: a number re-rounded, a word abbreviated or re-spaced, accents
dropped, a lot id re-padded; never the priority field, nor the note where the world writes priority in
notes) 10%; a burst (an alarm storm, a chamber polled at fault rate, a particle counter in excursion
sampling, a hold re-sent) has a head carrying the news and 2-40 tails from the same origin with drifting
numbers and counters stepping, worth ``tail_importance(head)``; a re-send of an earlier batch's news keeps
1% of it (2% through another origin). Copy sources are drawn by importance and recency. Bursts run on
their own clock and interleave with the stream; a batch never ends inside a burst.

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
from dataclasses import dataclass, field
from typing import TypeVar

from node.workload.domains import (
    tail_importance,
)
from node.workload.holdout_stream import BurstStream, routine_truth  # the shared scheduler
from node.workload.holdout_stream import Rec as _Rec
from node.workload.holdout_stream import Storm as _Storm
from node.workload.holdout_stream import poisson as _poisson
from node.workload.holdout_stream import space as _space
from node.workload.holdout_stream import unspace as _unspace
from protocol.keys import PrivateKey

__all__ = [
    "ALWAYS_PRIORITY_RARE",
    "COMMON_KINDS",
    "DIALECTS",
    "PRIORITY_KINDS",
    "PRIORITY_MODES",
    "RARE_KINDS",
    "FabWorkload",
]

_T = TypeVar("_T")

DIALECTS = ("en", "ko", "scn")
PRIORITY_MODES = ("severity", "text", "code", "hotlot", "score", "qtime", "flag", "bits", "tier")
STEP_STRENGTH = (0.0, 0.25, 0.5, 0.75, 1.0)
FLAG_STRENGTH = 0.9
STEP_ODDS = (0.86, 0.05, 0.04, 0.03, 0.02)  # a priority kind's fresh record: step 0..4

COMMON_KINDS = ("move", "trace", "alarm", "cd", "ovl", "film", "particle", "upw", "fac", "pm", "note", "hold",
                "amhs")
PRIORITY_KINDS = frozenset({"alarm", "hold", "note"})
RARE_KINDS = ("quake", "toxgas", "breakage", "dploss")
ALWAYS_PRIORITY_RARE = frozenset({"toxgas"})
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE  # the kinds whose records carry the world's priority form
COUNTERS = ("mseq", "nseq", "wo", "xid")  # per-entity (or per-world) counters: step by one per burst tail
_TAIL_STEPS = (*COUNTERS, "occ")  # an alarm storm counts its own repeats

# -- names --------------------------------------------------------------------------------
_KINDS = {
    "en": {"move": "LotTrackEvent", "trace": "ChamberSvidSample", "alarm": "EqpAlarmReport", "cd": "CdSemResult",
           "ovl": "OverlayResult", "film": "FilmThicknessResult", "particle": "ParticleCount",
           "upw": "UpwQuality", "fac": "FacilityReading", "pm": "PmEvent", "note": "ShiftNote",
           "hold": "LotHold", "amhs": "AmhsTransfer", "quake": "SeismicTrip", "toxgas": "ToxicGasAlarm",
           "breakage": "WaferBreakage", "dploss": "CleanroomPressureLoss"},
    "ko": {"move": "랏.이동", "trace": "설비.챔버상태", "alarm": "설비.알람", "cd": "계측.CD", "ovl": "계측.오버레이",
           "film": "계측.막두께", "particle": "환경.파티클", "upw": "유틸.초순수", "fac": "유틸.시설",
           "pm": "설비.보전", "note": "근무.일지", "hold": "랏.보류", "amhs": "물류.반송",
           "quake": "안전.지진트립", "toxgas": "안전.독성가스", "breakage": "설비.웨이퍼파손",
           "dploss": "환경.차압상실"},
    "scn": {"move": "lottu/muvimentu", "trace": "machina/statu-cammara", "alarm": "machina/allarmi",
            "cd": "misura/cd", "ovl": "misura/sovrapposizioni", "film": "misura/spissuri",
            "particle": "ambienti/partìculi", "upw": "sirvizzi/acqua-pura", "fac": "sirvizzi/mpiantu",
            "pm": "machina/manutinzioni", "note": "turnu/quadernu", "hold": "lottu/fermu",
            "amhs": "trasportu/spustamentu", "quake": "sicurizza/terremotu", "toxgas": "sicurizza/gas-tossicu",
            "breakage": "machina/wafer-rumputu", "dploss": "ambienti/perdita-prissioni"},
}

_SEMANTIC = ("lot", "op", "tool", "ch", "recipe", "evt", "wafers", "wait", "proc", "mseq", "state", "pres", "rff",
             "rfr", "esc", "he", "rfh", "epd", "alid", "alcd", "altx", "adur", "occ", "note", "target", "mean",
             "sig3", "sites", "judge", "layer", "ox", "oy", "m3s", "mag", "rot", "film", "thk", "unif", "gof",
             "sensor", "bay", "iso", "csmall", "clarge", "lim", "loop", "res", "toc", "tupw", "flow", "point",
             "exh", "n2p", "dp", "tmp", "rh", "n2src", "pmtype", "e10", "tech", "pdur", "parts", "wo", "shift",
             "nseq", "reason", "disp", "wafq", "held", "holder", "veh", "carrier", "src", "dst", "xfer", "fill",
             "retries", "xid", "pga", "tripped", "axis", "qdur", "gas", "reading", "tlv", "det", "slot", "pieces",
             "arm", "ldur", "door")
_NAMES = {
    "en": ("LOT_ID", "OPER_NO", "EQP_ID", "CHMB_ID", "RECIPE_ID", "EVENT_TYPE", "WAFER_QTY", "QUEUE_WAIT_MIN",
           "PROC_TIME_MIN", "EQP_MOVE_SEQ", "CHMB_STATE", "CHMB_PRES_MTORR", "RF_FWD_W", "RF_REFL_W",
           "ESC_TEMP_C", "HE_FLOW_SCCM", "RF_HRS_SINCE_WC", "EPD_TIME_S", "ALID", "ALCD", "ALTX", "ALM_ACTIVE_S",
           "ALM_CNT_24H", "COMMENT", "CD_TARGET_NM", "CD_MEAN_NM", "CD_3SIGMA_NM", "SITE_CNT", "SPEC_JUDGE",
           "LAYER_ID", "OVL_X_NM", "OVL_Y_NM", "OVL_MAX_M3S_NM", "MAG_PPM", "ROT_URAD", "FILM_TYPE", "THK_MEAN_A",
           "THK_NU_PCT", "GOF", "SENSOR_ID", "BAY_ID", "ISO_CLASS", "CNT_0P1UM_FT3", "CNT_0P5UM_FT3",
           "PCT_OF_ACTION_LMT", "LOOP_ID", "RESISTIVITY_MOHM_CM", "TOC_PPB", "SUPPLY_TEMP_F", "FLOW_GPM",
           "POINT_ID", "EXH_STATIC_INWC", "N2_HDR_PSIG", "ROOM_DP_INWC", "ROOM_TEMP_F", "ROOM_RH_PCT",
           "N2_SOURCE", "PM_TYPE", "E10_STATE", "TECH_NAME", "PM_DURATION_HRS", "PARTS_REPLACED", "WORK_ORDER",
           "SHIFT", "NOTE_SEQ", "HOLD_REASON", "DISPOSITION", "WAFERS_HELD", "HOLD_HRS", "HOLD_USER",
           "VEHICLE_ID", "CARRIER_ID", "FROM_PORT", "TO_PORT", "XFER_TIME_S", "STK_FILL_PCT", "RETRY_CNT",
           "XFER_ID", "PGA_G", "TOOLS_TRIPPED", "AXIS", "SHAKE_DUR_S", "GAS", "READING_PPB", "PCT_OF_TLV",
           "DETECTOR_ID", "SLOT_NO", "FRAGMENTS", "ROBOT_ARM", "LOSS_DUR_S", "DOOR_ID"),
    "ko": ("랏번호", "공정번호", "설비번호", "챔버", "레시피", "이벤트", "웨이퍼수", "대기시간_분", "진행시간_분",
           "설비이동순번", "챔버상태", "챔버압력_Torr", "RF정방향_kW", "RF반사파_W", "ESC온도_C", "He유량_sccm",
           "RF누적시간_h", "EPD시간_초", "알람ID", "알람코드", "알람내용", "알람지속_초", "24시간발생수", "비고",
           "CD목표_nm", "CD평균_nm", "CD3시그마_nm", "측정포인트", "판정", "레이어", "오버레이X_nm", "오버레이Y_nm",
           "오버레이최대_nm", "배율_ppm", "회전_urad", "막종류", "막두께_nm", "균일도_퍼센트", "적합도", "센서번호",
           "베이", "청정등급", "입자_0_1um_m3", "입자_0_5um_m3", "관리한계대비_퍼센트", "계통", "비저항_Mohm",
           "총유기탄소_ppb", "공급온도_C", "유량_m3h", "측정점", "배기정압_Pa", "질소압력_kgf", "실차압_Pa", "실온_C",
           "습도_퍼센트", "질소공급원", "보전유형", "설비상태", "작업자", "보전시간_분", "교체부품수", "작업지시번호",
           "근무조", "일지순번", "보류사유", "처리", "보류웨이퍼수", "보류시간_h", "보류자", "OHT번호", "캐리어번호",
           "출발포트", "도착포트", "반송시간_초", "스토커적재율_퍼센트", "재시도", "반송번호", "최대가속도_gal",
           "정지설비수", "축", "진동시간_초", "가스", "농도_ppb", "TLV대비_퍼센트", "감지기", "슬롯", "파편수",
           "로봇암", "상실시간_초", "출입문"),
    "scn": ("lottu", "upirazzioni", "machina", "cammara", "ricetta", "eventu", "nummaru-wafer", "attisa.min",
            "travagghiu.min", "prugressivu-machina", "statu", "prissioni.pa", "putenza-rf.w",
            "putenza-riflessa.w", "timpiratura-esc.k", "flussu-eliu.sccm", "uri-rf.h", "tempu-fini-attaccu.s",
            "codici-allarmi", "classi-allarmi", "testu-allarmi", "durata-allarmi.min", "ripetizzioni-24h",
            "cummentu", "cd-obbiettivu.um", "cd-menzu.um", "cd-tri-sigma.um", "punti", "giudiziu", "stratu",
            "sovrapposizioni-x.nm", "sovrapposizioni-y.nm", "sovrapposizioni-max.nm", "ngrannimentu.ppm",
            "rutazzioni.urad", "tipu-film", "spissuri.a", "unifurmità.pct", "bontà-fit", "sensuri", "campata",
            "classi-iso", "partìculi-0-3.m3", "partìculi-0-5.m3", "pirzintuali-limiti", "anellu",
            "cunnuttività.us-cm", "carbuniu-urganicu.ppb", "timpiratura-acqua.c", "purtata.m3h", "puntu",
            "aspirazzioni.mmh2o", "prissioni-azotu.bar", "differenziali.pa", "timpiratura-sala.c", "umidità.pct",
            "fonti-azotu", "tipu-manutinzioni", "statu-e10", "tecnicu", "durata-manutinzioni.h", "pezzi-canciati",
            "ordini-di-travagghiu", "turnu", "nummaru-nota", "mutivu", "dicisioni", "wafer-fermi", "fermu-da.min",
            "cu-fermau", "vagunettu", "carrier", "partenza", "arrivu", "tempu-trasportu.s", "chinezza-stocker.pct",
            "tentativi", "nummaru-trasportu", "accelirazzioni.gal", "machini-fermati", "assi", "durata-scossa.s",
            "gas", "cuncintrazzioni.ppb", "pirzintuali-tlv", "rilevaturi", "slot", "pezzi", "brazzu",
            "durata-perdita.s", "porta"),
}
_PRIO_KEYS = {
    "severity": ("EVT_SEVERITY", "심각도", "gravitati"),
    "code": ("HOLD_CODE", "보류코드", "còdici-fermu"),
    "hotlot": ("LOT_PRTY_CLASS", "랏등급", "classi-lottu"),
    "score": ("FDC_SCORE", "FDC점수", "puntiggiu-rìschiu.pct"),
    "qtime": ("QT_REMAIN_MIN", "잔여Q타임_분", "q-tempu-ristanti.h"),
    "flag": ("ESCALATE_YN", "모듈담당호출", "chiamari-ngigneri"),
    "bits": ("EES_STATUS_WORD", "상태워드", "palora-statu"),
    "tier": ("RESP_TIER", "대응단계", "liveddu-risposta"),
}

# -- units --------------------------------------------------------------------------------
# Semantic units: mTorr, W, deg C, sccm, h, s, min, nm, Angstrom, %, counts per ft3, MOhm.cm, ppb, m3/h, Pa,
# kPa (gauge), gal, ppm... Decimals as rendered when no dialect converts the field; 0 renders an int.
_DEC = {"wait": 0, "proc": 1, "pres": 2, "rff": 0, "rfr": 1, "esc": 1, "he": 1, "rfh": 1, "epd": 1, "adur": 0,
        "target": 1, "mean": 2, "sig3": 2, "ox": 2, "oy": 2, "m3s": 2, "mag": 3, "rot": 2, "thk": 1, "unif": 2,
        "gof": 4, "csmall": 0, "clarge": 0, "res": 2, "toc": 2, "tupw": 1, "flow": 1, "exh": 0, "n2p": 0,
        "dp": 1, "tmp": 1, "rh": 1, "pdur": 2, "held": 2, "xfer": 1, "fill": 1, "pga": 1, "qdur": 1,
        "reading": 1, "tlv": 0, "ldur": 0}


@dataclass(frozen=True, slots=True)
class _Unit:
    """How a dialect writes a semantic number: ``to`` (semantic -> written), ``back`` and decimals."""

    to: Callable[[float], float]
    back: Callable[[float], float]
    dec: int


def _lin(a: float, b: float = 0.0) -> tuple[Callable[[float], float], Callable[[float], float]]:
    return (lambda x: a * x + b), (lambda y: (y - b) / a)


_INWC = 249.089  # Pa per inch of water
_FT3 = 35.3147  # cubic feet per cubic metre
_UNITS: dict[str, dict[str, _Unit]] = {
    "en": {"tupw": _Unit(*_lin(1.8, 32.0), 1), "tmp": _Unit(*_lin(1.8, 32.0), 1), "flow": _Unit(*_lin(4.4029), 1),
           "exh": _Unit(*_lin(1 / _INWC), 3), "n2p": _Unit(*_lin(0.145038), 1), "dp": _Unit(*_lin(1 / _INWC), 4),
           "pga": _Unit(*_lin(1 / 980.665), 4)},
    "ko": {"pres": _Unit(*_lin(0.001), 5), "rff": _Unit(*_lin(0.001), 3), "thk": _Unit(*_lin(0.1), 2),
           "pdur": _Unit(*_lin(60.0), 0), "n2p": _Unit(*_lin(0.0101972), 2),
           "csmall": _Unit(*_lin(_FT3), 0), "clarge": _Unit(*_lin(_FT3), 0)},
    "scn": {"pres": _Unit(*_lin(0.133322), 3), "esc": _Unit(*_lin(1.0, 273.15), 1), "target": _Unit(*_lin(0.001), 5),
            "mean": _Unit(*_lin(0.001), 5), "sig3": _Unit(*_lin(0.001), 5),
            "res": _Unit(lambda x: 1.0 / x, lambda y: 1.0 / y, 5), "exh": _Unit(*_lin(1 / 9.80665), 1),
            "n2p": _Unit(*_lin(0.01), 2), "held": _Unit(*_lin(60.0), 0), "adur": _Unit(*_lin(1 / 60), 2),
            "csmall": _Unit(*_lin(_FT3), 0), "clarge": _Unit(*_lin(_FT3), 0)},
}

# Anomaly-prone numbers per kind: semantic name -> (space, physical direction, semantic bounds).
_PRONE: dict[str, dict[str, tuple[str, int, float, float]]] = {
    "move": {"wait": ("log", 1, 0.5, 40000.0)},
    "trace": {"esc": ("lin", 1, -20.0, 200.0), "rfr": ("log1p", 1, 0.0, 5000.0)},
    "alarm": {"adur": ("log", 1, 1.0, 900000.0)},
    "cd": {"mean": ("lin", 0, 3.0, 400.0), "sig3": ("log", 1, 0.05, 200.0)},
    "ovl": {"m3s": ("log", 1, 0.1, 800.0)},
    "film": {"thk": ("lin", 0, 20.0, 100000.0), "unif": ("log", 1, 0.02, 60.0)},
    "particle": {"csmall": ("log1p", 1, 0.0, 3e5), "clarge": ("log1p", 1, 0.0, 3e5)},
    "upw": {"res": ("lin", -1, 0.5, 18.24), "toc": ("log", 1, 0.05, 5000.0)},
    "fac": {"exh": ("lin", 1, -3000.0, -5.0), "n2p": ("lin", -1, 60.0, 1500.0)},
    "pm": {"pdur": ("log", 1, 0.1, 3000.0)},
    "note": {},
    "hold": {"held": ("log", 1, 0.01, 8000.0)},
    "amhs": {"xfer": ("log", 1, 3.0, 40000.0)},
}
_SPREAD_FLOOR = {"log": 0.05, "log1p": 0.25}
_JUDGE_AT = 4.25  # spreads: the CD spec limit and the particle action limit sit here (routine stays under 4)

# -- the dialects' words ---------------------------------------------------------------------------------
_SEVERITY = {"en": ("Info", "Minor", "Major", "Critical", "Line-Down"),
             "ko": ("정보", "경미", "중대", "심각", "라인정지"),
             "scn": ("nenti", "liggeru", "mizzanu", "gravi", "gravissimu")}
_HOTLOT = {"en": ("Normal", "Expedite", "Hot", "Super Hot", "Rocket"),
           "ko": ("일반", "우선", "핫랏", "슈퍼핫", "로켓"),
           "scn": ("nurmali", "prisciatu", "càudu", "càudu assai", "razzu")}
_HOLD_CODES = {"en": (("NH", 0.0), ("EH", 0.5), ("QH", 0.75), ("XH", 1.0)),
               "ko": (("H0", 0.0), ("H2", 0.5), ("H9", 1.0)),
               "scn": (("N", 0.0), ("C", 0.5), ("B", 0.75), ("A", 1.0))}
_CODE_FOR_STEP = {"en": (0, 0, 1, 2, 3), "ko": (0, 0, 1, 1, 2), "scn": (0, 0, 1, 2, 3)}
_SCORE_EDGES = {"int": (300, 500, 700, 900), "pct": (30.0, 50.0, 70.0, 90.0)}
_SCORE_TOP = {"int": 999, "pct": 99.9}
_QT_EDGES = {"min": (180, 90, 45, 15), "h": (3.0, 1.5, 0.75, 0.25)}
_QT_BANDS = {"min": ((180, 720), (90, 179), (45, 89), (15, 44), (-30, 14)),
             "h": ((3.0, 12.0), (1.5, 2.99), (0.75, 1.49), (0.25, 0.74), (-0.5, 0.24))}
_QT_NONE = {"min": 9999, "h": 999.0}
_TIER_FOR_STEP = ((5, 6, 7), (4,), (3,), (2,), (1,))
_BITS_AT = 12
_FLAG_WORDS = {"en": ("N", "Y"), "ko": (False, True), "scn": (0, 1)}

_URGENT = {  # steps 1..4, inside a note (text mode) and nowhere else
    "en": ("pls check when you get a chance", "need dispo before shift change",
           "URGENT - line down, need engr on floor within 1 hr", "EMERGENCY - evacuate the bay, ERT paged"),
    "ko": ("시간 날 때 확인 부탁", "교대 전까지 판정 필요", "긴급! 라인 정지, 1시간 내 엔지니어 현장 투입 요망",
           "비상! 베이 즉시 대피, 비상대응팀 호출"),
    "scn": ("quannu pò, talìa", "ci voli na dicisioni prima dû cambiu turnu",
            "URGENTI! linia ferma, l'ingigneri havi a vèniri dintra n'ura",
            "PIRICULU! sgumbrati a campata, chiamati a squatra d'emirgenza"),
}
_CALM = {
    "en": ("does not need immediate attention", "no action required", "can wait for day shift", "FYI only",
           "not time sensitive"),
    "ko": ("급하지 않음", "조치 불필요", "주간 근무조에서 처리해도 됨", "참고용"),
    "scn": ("nun è urgenti", "nun c'è prèscia", "pò aspittari a dumani", "sulu pi canuscenza"),
}
_SHIFT_NOTES = {
    "en": ("Lot {lot} tracked out of {tool}, all {n} wafers accounted for",
           "{tool} {ch} wet clean done, seasoning wafers running", "Shift handover {hh}:00, {n} techs on floor",
           "{tool} back from PM, quals passed", "New recipe rev loaded on {tool}",
           "CD on {lot} within spec, released to next op", "{stk} at {n}0% full, watching it",
           "Particle check in {bay} clean", "Quiet night in {bay}, nothing to report",
           "Vendor FSE on site for {tool} tomorrow", "Swapped gas cylinder on {tool}",
           "{tool} running monitor wafers after long idle", "Pilot lot {lot} split {n} wafers for engr",
           "Reticle inspection on {tool} done", "Chiller on {tool} topped off, temps stable",
           "Tool {tool} {ch} leak check passed"),
    "ko": ("랏 {lot} {tool} 트랙아웃, 웨이퍼 {n}매 이상 없음", "{tool} {ch} 웻 클리닝 완료, 시즈닝 진행 중",
           "{hh}:00 교대, 현장 인원 {n}명", "{tool} PM 완료, 퀄 통과", "{tool} 레시피 개정 적용",
           "{lot} CD 스펙 내, 다음 공정 진행", "{stk} 적재율 {n}0%, 관찰 중", "{bay} 파티클 점검 이상 없음",
           "{bay} 야간 특이사항 없음", "{tool} 벤더 엔지니어 내일 방문", "{tool} 가스 실린더 교체 완료",
           "{tool} 장시간 대기 후 모니터 웨이퍼 진행", "파일럿 랏 {lot} 엔지니어 분할 {n}매",
           "{tool} 레티클 검사 완료", "{tool} 칠러 보충, 온도 안정", "{tool} {ch} 리크 체크 합격"),
    "scn": ("lottu {lot} nisciutu dâ {tool}, tutti i {n} wafer cuntati",
            "pulizzia dâ cammara {ch} dâ {tool} finuta, ora vannu i wafer di cundiziunamentu",
            "cambiu turnu ê {hh}:00, {n} tecnici ntâ sala", "{tool} turnata dâ manutinzioni, qualifica passata",
            "carricata a ricetta nova supra a {tool}", "CD dô lottu {lot} dintra i limiti, passatu avanti",
            "{stk} chinu ô {n}0 pi centu, u tinemu d'occhiu", "cuntrollu dî partìculi ntâ {bay}: tuttu pulitu",
            "nuttata tranquilla ntâ {bay}, nenti di diri", "dumani veni u tecnicu dû fornituri pâ {tool}",
            "canciata a bummula dô gas supra a {tool}", "{tool} fa i wafer di cuntrollu doppu u fermu longu",
            "lottu pilota {lot}: {n} wafer spartuti pi l'ingigneria", "ispizzioni dô reticulu supra a {tool} fatta",
            "rabbuccatu u chiller dâ {tool}, timpiraturi fermi", "prova di tenuta dâ {tool} {ch} passata"),
}
_ACK_NOTES = {
    "en": ("ack {tech}, reset, tool back up", "known issue, tracked under {wo}", "cleared after retry, no wafer impact",
           "reset per OCAP step {n}", "vendor FSE notified, monitoring", "nuisance alarm, limit review pending",
           "auto-cleared", "ack {tech}, lot continued", "{ch} put down for check", "swapped LP, carrier re-read OK"),
    "ko": ("{tech} 확인, 리셋 후 정상 가동", "기존 이슈, {wo} 로 관리 중", "재시도 후 해제, 웨이퍼 영향 없음",
           "OCAP {n}단계 조치 후 리셋", "벤더 엔지니어 통보, 모니터링 중", "오알람, 기준값 검토 예정", "자동 해제",
           "{tech} 확인, 랏 계속 진행", "{ch} 점검 위해 다운", "로드포트 변경 후 캐리어 재판독 정상"),
    "scn": ("vistu di {tech}, resettatu, a machina ripartìu", "prubbrema canusciutu, seguitu cû {wo}",
            "si livau ô secunnu tentativu, nuddu dannu ê wafer", "resettatu secunnu l'OCAP, passu {n}",
            "avvisatu u tecnicu dû fornituri, a tinemu d'occhiu", "allarmi farsu, s'havi a rivìdiri a soglia",
            "si livau sulu", "vistu di {tech}, u lottu cuntinua", "{ch} fermata pi cuntrollu",
            "canciatu u loadport, a littura dô carrier ora va"),
}
_HOLD_NOTES = {
    "en": ("SPC OOC on {op}, waiting engr dispo", "Q-time exceeded at {op}", "held for CD recheck",
           "{tool} suspect, lots held pending review", "customer hold per QA", "litho rework requested",
           "missing data collection at {op}", "held for split merge", "engr experiment hold"),
    "ko": ("{op} SPC OOC, 엔지니어 판정 대기", "{op} Q타임 초과", "CD 재측정 위해 보류", "{tool} 의심, 검토 전까지 랏 보류",
           "QA 요청 고객 보류", "포토 리워크 요청", "{op} 데이터 수집 누락", "스플릿 병합 대기 보류", "엔지니어 실험 보류"),
    "scn": ("SPC fora cuntrollu â {op}, aspittamu a dicisioni di l'ingigneri", "q-tempu scadutu â {op}",
            "fermatu pi rimisurari u CD", "{tool} suspetta, lotti fermi nzinu â virifica", "fermu dû clienti pi QA",
            "addumannata a rilavurazzioni dâ fotolitu", "manca a raccolta dati â {op}", "fermu pi riunìri i split",
            "fermu pi spirimentu di l'ingigneria"),
}
_GAS_NOTES = {
    "en": ("{gas} detector {det} tripped in {bay}, area cleared", "{gas} reading at {det}, ERT dispatched",
           "{gas} alarm at {det}, exhaust verified, gas cabinet isolated"),
    "ko": ("{bay} {det} {gas} 감지, 구역 대피", "{det} {gas} 검출, 비상대응팀 출동", "{det} {gas} 경보, 배기 확인, 가스캐비닛 차단"),
    "scn": ("rilevaturi {det} dû {gas} scattatu ntâ {bay}, zona sgumbrata",
            "{gas} ô rilevaturi {det}, mannata a squatra d'emirgenza",
            "allarmi {gas} ô {det}, aspirazzioni cuntrullata, armadiu dû gas chiusu"),
}
_ALARM_TEXTS = {  # SEMI E5 ALTX: at most 40 characters; category = the ALCD category bits
    "en": (("CHAMBER PRESSURE HIGH LIMIT", 3), ("RF REFLECTED POWER HIGH", 3), ("HE BACKSIDE FLOW OUT OF RANGE", 4),
           ("WAFER NOT DETECTED ON ESC", 6), ("ROBOT HANDOFF TIMEOUT", 6), ("THROTTLE VALVE POSITION ERROR", 4),
           ("MFC {n} FLOW DEVIATION", 3), ("PUMPDOWN TIMEOUT", 6), ("ENDPOINT NOT DETECTED", 4),
           ("LP{n} CARRIER ID READ FAIL", 7), ("CHILLER TEMP DEVIATION", 3), ("TURBO PUMP SPEED LOW", 6),
           ("GAS BOX EXHAUST LOW", 3), ("SLIT VALVE CLOSE TIMEOUT", 6), ("ESC LEAK CURRENT HIGH", 4),
           ("WAFER SLIDE DETECTED", 6), ("MATCHER TUNE TIMEOUT", 4), ("DI WATER FLOW LOW", 3),
           ("PROCESS KIT LIFE EXCEEDED", 7), ("LOAD LOCK VENT TIMEOUT", 6), ("HEATER ZONE {n} TC DEVIATION", 3),
           ("FOUP DOOR OPEN ERROR", 7), ("SOURCE GAS CYLINDER LOW", 7), ("SPC RULE VIOLATION", 3)),
    "ko": (("챔버 압력 상한 초과", 3), ("RF 반사파 상한 초과", 3), ("He 백사이드 유량 범위 이탈", 4), ("ESC 웨이퍼 미감지", 6),
           ("로봇 핸드오프 시간 초과", 6), ("스로틀 밸브 위치 이상", 4), ("MFC{n} 유량 편차", 3), ("펌프다운 시간 초과", 6),
           ("EPD 미검출", 4), ("LP{n} 캐리어 ID 판독 실패", 7), ("칠러 온도 편차", 3), ("터보펌프 회전수 저하", 6),
           ("가스박스 배기 부족", 3), ("슬릿밸브 닫힘 시간 초과", 6), ("ESC 누설전류 상한", 4), ("웨이퍼 슬라이드 감지", 6),
           ("매처 튜닝 시간 초과", 4), ("DIW 유량 부족", 3), ("키트 수명 초과", 7), ("로드락 벤트 시간 초과", 6),
           ("히터 {n}존 온도 편차", 3), ("FOUP 도어 열림 이상", 7), ("소스가스 실린더 잔량 부족", 7), ("SPC 룰 위반", 3)),
    "scn": (("Chamber pressure high limit", 3), ("RF reflected power high", 3), ("He backside flow out of range", 4),
            ("Wafer not detected on ESC", 6), ("Robot handoff timeout", 6), ("Throttle valve position error", 4),
            ("MFC{n} flow deviation", 3), ("Pumpdown timeout", 6), ("Endpoint not detected", 4),
            ("LP{n} carrier ID read fail", 7), ("Chiller temperature deviation", 3), ("Turbo pump speed low", 6),
            ("Gas box exhaust low", 3), ("Slit valve close timeout", 6), ("ESC leakage current high", 4),
            ("Wafer slide detected", 6), ("Matcher tune timeout", 4), ("DI water flow low", 3),
            ("Process kit life exceeded", 7), ("Loadlock vent timeout", 6), ("Heater zone {n} TC deviation", 3),
            ("FOUP door open error", 7), ("Source gas cylinder low", 7), ("SPC rule violation", 3)),
}
_RARE_VALUES = {"en": {"altx": "EMO ACTIVATED - POWER REMOVED", "disp": "SCRAP", "n2src": "TUBE_TRAILER"},
                "ko": {"altx": "EMO 작동 - 설비 전원 차단", "disp": "폐기", "n2src": "튜브트레일러"},
                "scn": {"altx": "EMO activated - power removed", "disp": "scartatu", "n2src": "carru-bummuli"}}
_EMO_CATEGORY = 2  # equipment safety
_AREAS = {"en": ("ETCH", "CVD", "PVD", "DIFF", "IMP", "CMP", "WET"),
          "ko": ("DET", "CVD", "PVD", "DIF", "IMP", "CMP", "WET"),
          "scn": ("ATT", "DEP", "MET", "DIF", "IMP", "LUC", "UMI")}
_PLASMA = 3  # the first three areas of each dialect run RF plasma chambers
_METRO = {"en": ("CDSEM", "OVL", "ELLI"), "ko": ("CDS", "OVL", "THK"), "scn": ("SEM", "SOV", "ELL")}
_RECIPE_STEMS = ("POLY_ME", "STI_ETCH", "TEOS_DEP", "W_BARRIER", "GATE_OX", "ASH_STD", "SPACER_ET", "CONT_ETCH",
                 "NIT_DEP", "LDD_IMP", "CU_SEED", "HM_OPEN")
_EVENTS = {"en": ("TRACK_IN", "TRACK_OUT", "MOVE_OUT", "SKIP"), "ko": ("트랙인", "트랙아웃", "이동", "스킵"),
           "scn": ("trasuta", "nisciuta", "spustamentu", "sautatu")}
_STATES = {"en": ("PROCESSING", "IDLE"), "ko": ("가동", "대기"), "scn": ("travagghiu", "riposu")}
_LAYERS = {"en": ("ACTIVE", "POLY", "CONTACT", "M1", "V1", "M2"), "ko": ("액티브", "폴리", "컨택", "M1", "V1", "M2"),
           "scn": ("attivu", "poly", "cuntattu", "M1", "V1", "M2")}
_FILMS = {"en": ("THERMAL_OX", "SIN", "TEOS", "POLY"), "ko": ("열산화막", "질화막", "TEOS", "폴리"),
          "scn": ("ossidu-termicu", "nitruru", "teos", "poly")}
_JUDGE = {"en": ("PASS", "OOS"), "ko": ("합격", "불합격"), "scn": ("bonu", "fora-specifica")}
_PM_TYPES = {"en": ("DAILY_CHECK", "WEEKLY_PM", "MONTHLY_PM", "WET_CLEAN", "PART_SWAP", "QUAL_RUN"),
             "ko": ("일상점검", "주간PM", "월간PM", "웻클리닝", "부품교체", "퀄진행"),
             "scn": ("cuntrollu-jurnaleri", "manutinzioni-simanali", "manutinzioni-misali", "pulizzia-a-umitu",
                     "canciu-pezzi", "qualifica")}
_WET_CLEAN = 3  # index in _PM_TYPES: resets the chamber's RF hours
_E10 = ("SDT", "UDT", "ENG", "SBY")
_SHIFTS = {"en": ("A", "B", "C", "D"), "ko": ("A조", "B조", "C조", "D조"), "scn": ("matina", "jornu", "sira", "notti")}
_REASONS = {"en": ("SPC_OOC", "QTIME", "ENG_REQ", "CUST_HOLD", "MISSING_DC", "TOOL_SUSPECT"),
            "ko": ("SPC이탈", "Q타임", "엔지요청", "고객보류", "DC누락", "설비의심"),
            "scn": ("spc-fora", "q-tempu", "dumanna-ingigneri", "clienti", "dati-mancanti", "machina-suspetta")}
_DISPS = {"en": ("OPEN", "RELEASE", "REWORK", "MRB"), "ko": ("진행중", "해제", "리워크", "MRB"),
          "scn": ("apertu", "libbiratu", "rifari", "MRB")}
_N2SRC = {"en": ("PLANT_GEN", "BULK_LN2"), "ko": ("질소발생기", "액체질소탱크"), "scn": ("generaturi", "sirbatoiu")}
_LOOPS = {"en": ("UPW-A", "UPW-B", "POU-ETCH", "POU-WET", "POU-CMP"),
          "ko": ("초순수-1계통", "초순수-2계통", "POU-식각", "POU-세정", "POU-CMP"),
          "scn": ("anellu-A", "anellu-B", "pou-attaccu", "pou-lavaggiu", "pou-lucidatura")}
_POINTS = {"en": ("EXH-GEN-{n}", "EXH-ACID-{n}", "EXH-SOLV-{n}", "AHU-{n}"),
           "ko": ("일반배기-{n}", "산배기-{n}", "유기배기-{n}", "공조기-{n}"),
           "scn": ("aspirazzioni-{n}", "acidi-{n}", "sulventi-{n}", "trattamentu-aria-{n}")}
_ISO = ("ISO 3", "ISO 4", "ISO 5")
_GASES = ("AsH3", "PH3", "SiH4", "Cl2", "HBr", "NF3", "WF6", "B2H6", "HF", "NH3")
_ARMS = {"en": ("UPPER", "LOWER"), "ko": ("상부", "하부"), "scn": ("supra", "sutta")}
_TECHS = {"en": ("J. Nguyen", "M. Garcia", "R. Patel", "S. Kim", "T. Okafor", "A. Rossi", "D. Brooks", "L. Chen",
                 "K. Walsh", "P. Herrera"),
          "ko": ("김민준", "이서연", "박지훈", "최유진", "정하늘", "강도윤", "윤서준", "임지아", "한예린", "오승현"),
          "scn": ("Turi", "Jana", "Cuncetta", "Melu", "Nunziu", "Rosalia", "Ninu", "Sarina", "Pippu", "Carmelu")}
_RETYPE = {
    "en": (("CHAMBER", "CHMBR"), ("wafers", "wfrs"), ("wafer", "wfr"), ("PRESSURE", "PRES"), ("TIMEOUT", "TIME OUT"),
           ("engr", "eng"), ("Lot ", "lot "), ("DEVIATION", "DEV"), ("done", "complete"), ("Shift", "Shft")),
    "ko": (("웨이퍼", "W/F"), ("엔지니어", "엔지"), (" 완료", "완료"), ("챔버", "CH"), ("이상 없음", "이상무"),
           ("시간 초과", "타임아웃"), ("설비", "EQ")),
    "scn": (("machina", "macch."), ("cammara", "cam."), ("lottu", "lotto"), ("dâ ", "da a "), ("ntâ ", "nta "),
            ("wafer", "fedde"), ("manutinzioni", "manut."), ("tecnicu", "tecn.")),
}


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
class _Tool:
    name: str
    chambers: tuple[str, ...]
    recipes: tuple[int, ...]
    nibble: int
    plasma: bool  # etch / CVD / PVD: RF chambers that report SVID traces
    esc_off: dict[str, float] = field(default_factory=dict)


class FabWorkload(BurstStream):
    """A held-out wafer-fab world (see the module docstring). Deterministic in ``seed``."""

    KIND_NAMES = _KINDS
    PRIORITY_KINDS = PRIORITY_KINDS

    def __init__(self, seed: int) -> None:
        self._r = r = random.Random(f"holdout-fab/{seed}")
        self.dialect: str = r.choice(DIALECTS)
        d = self.dialect
        self.prio_mode: str = r.choice(PRIORITY_MODES)
        self.prio_key: str | None = None if self.prio_mode == "text" else \
            _PRIO_KEYS[self.prio_mode][DIALECTS.index(d)]
        picked: list[str] = []
        while not CARRIERS & set(picked):
            picked = r.sample(COMMON_KINDS, r.randint(4, 6))
        self.common: tuple[str, ...] = tuple(k for k in COMMON_KINDS if k in picked)
        rare = r.sample(RARE_KINDS, r.randint(1, 3))
        self.rare: tuple[str, ...] = tuple(k for k in RARE_KINDS if k in rare)
        heavy = {"trace": 2.2, "move": 1.8, "alarm": 1.4, "particle": 1.3}
        self.weights = {k: r.lognormvariate(0.0, 0.45) * heavy.get(k, 1.0) for k in self.common}
        self.rare_share = {k: r.uniform(0.0015, 0.011) for k in self.rare}
        n_origins = r.randint(3, 10)
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-fab-node/{seed}/{i}".encode()).digest()).peer_id
            for i in range(n_origins)]
        self._origin_cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.1 for i in range(n_origins)))
        self.scada_origin = r.randrange(n_origins)  # facility SCADA: UPW, exhaust, N2, gas detection, seismic
        self.fms_origin = r.randrange(n_origins)  # the particle-monitoring server
        self.mcs_origin = r.randrange(n_origins)  # the material-control system (AMHS)
        self.mean_gap = r.choice((150.0, 600.0, 2000.0, 7000.0))
        self.clumpy = r.random() < 0.4  # FDC and MES data uploaded in batches
        self.burst_period = r.uniform(0.02, 0.14)
        self.copy_memory = r.uniform(12.0, 160.0)
        self.rates = {"dup": r.uniform(0.03, 0.065), "near": r.uniform(0.065, 0.115),
                      "burst": r.uniform(0.005, 0.013), "resend": r.uniform(0.008, 0.018)}
        self.anomaly_rate = r.uniform(0.018, 0.038)
        self.keys: dict[str, str] = dict(zip(_SEMANTIC, _NAMES[d], strict=True))
        self._sem_of = {v: k for k, v in self.keys.items()}
        self.kind_of: dict[str, str] = {v: k for k, v in _KINDS[d].items()}
        self._rare_values = frozenset(_RARE_VALUES[d].values())
        self._units = {s: self._unit_of(s) for s in _DEC}
        self._cum: dict[tuple[int, float], list[float]] = {}
        self._dec = {self.keys[s]: u.dec for s, u in self._units.items()}
        self._build(r)
        self._fixed = frozenset(self.keys[s] for s in (*COUNTERS, "op", "alid", "alcd", "wafers", "sites", "occ",
                                                         "parts", "retries", "wafq", "rfh", "target", "lim"))
        self._signed = frozenset(self.keys[s] for s in ("ox", "oy", "mag", "rot", "exh"))
        self._caps = {self.keys[s]: b for s, b in (("fill", (0.0, 100.0)), ("rh", (0.0, 100.0)),
                                                    ("gof", (0.0, 0.9999)))}
        self.stats: dict[str, dict[str, Spread]] = {}
        self.stats = self._measure_spreads()
        self._limits = self._action_limits()
        self._archive: list[tuple[str, int, dict[str, object], float]] = []  # earlier batches' news
        self._last_ts = 0

    # -- the world ------------------------------------------------------------------------------------
    def _unit_of(self, sem: str) -> _Unit:
        u = _UNITS[self.dialect].get(sem)
        return u if u is not None else _Unit(float, float, _DEC[sem])

    def _build(self, r: random.Random) -> None:
        d = self.dialect
        yy = r.randint(24, 27)
        # Recipes: (name, pressure setpoint mTorr, RF setpoint W, endpoint time s).
        stems = r.sample(_RECIPE_STEMS, r.randint(4, 8))
        self.recipes = [(f"{s}_{'V' if d != 'scn' else 'r'}{r.randint(1, 9)}", r.uniform(4.0, 90.0),
                         float(r.choice((300, 500, 800, 1200, 1500, 2500))), r.uniform(20.0, 120.0))
                        for s in stems]
        areas = _AREAS[d]
        self.tools: list[_Tool] = []
        used: set[str] = set()
        for i in range(r.randint(5, 14)):
            while True:
                area = r.choice(areas[:_PLASMA] if i < 2 else areas)
                num = r.randint(1, 24)
                name = {"en": f"{area}{num:02d}", "ko": f"{area}{100 + num}", "scn": f"{area}-{num:02d}"}[d]
                if name not in used:
                    used.add(name)
                    break
            n_ch = r.randint(1, 4)
            chambers = tuple({"en": f"PM{c}", "ko": f"CH-{'ABCD'[c - 1]}", "scn": f"C{c}"}[d]
                             for c in range(1, n_ch + 1))
            recipes = tuple(sorted(r.sample(range(len(self.recipes)), r.randint(1, min(3, len(self.recipes))))))
            tool = _Tool(name, chambers, recipes, (i % 15 + 1) << 8, area in areas[:_PLASMA])
            tool.esc_off = {c: r.gauss(0.0, 0.8) for c in chambers}
            self.tools.append(tool)
        self._tool_by_name = {t.name: t for t in self.tools}
        self.plasma_tools = [t for t in self.tools if t.plasma]
        mstem = _METRO[d]
        self.metro = {kind: [{"en": f"{mstem[i]}{n:02d}", "ko": f"{mstem[i]}{n:02d}", "scn": f"{mstem[i]}-{n:02d}"}[d]
                             for n in sorted(r.sample(range(1, 9), r.randint(1, 3)))]
                      for i, kind in enumerate(("cd", "ovl", "film"))}
        self.lots = self._make_lots(r, yy)
        self.ops = sorted(r.sample(range(1000, 9000, 50), r.randint(15, 40)))
        self.techs = r.sample(_TECHS[d], r.randint(4, len(_TECHS[d])))
        bay_nums = sorted(r.sample(range(1, 40), r.randint(5, 14)))
        self.bays = [{"en": f"BAY{n:02d}", "ko": f"{n}베이", "scn": f"campata {n}"}[d] for n in bay_nums]
        self.sensors: list[tuple[str, str, str]] = []  # (sensor, bay, ISO class)
        for n, bay in zip(bay_nums, self.bays, strict=True):
            iso = r.choices(_ISO, (0.2, 0.45, 0.35))[0]
            for k in range(1, r.randint(1, 4) + 1):
                sid = {"en": f"PC-{n:02d}-{k}", "ko": f"PTC{n:02d}{k}", "scn": f"cp{n}.{k}"}[d]
                self.sensors.append((sid, bay, iso))
        self._bay_dirt = {bay: r.uniform(0.5, 1.6) for bay in self.bays}
        self.loops = r.sample(_LOOPS[d], r.randint(2, 5))
        self.points = [p.format(n=r.randint(1, 6)) for p in r.sample(_POINTS[d], r.randint(2, 4))]
        self.stockers = [{"en": f"STK{n:02d}", "ko": f"STK-{n}", "scn": f"magazzinu-{n}"}[d]
                         for n in sorted(r.sample(range(1, 20), r.randint(2, 6)))]
        self.vehicles = [{"en": f"OHT{n:03d}", "ko": f"V{n:04d}", "scn": f"vag-{n}"}[d]
                         for n in sorted(r.sample(range(1, 400), r.randint(8, 40)))]
        self.catalogue = self._alarm_catalogue(r)
        self.software_bit = r.randrange(2) << 15
        self.yy = yy
        # Baselines.
        self.esc0 = r.uniform(20.0, 65.0)
        self.refl0 = r.uniform(1.5, 6.0)
        self.he0 = r.uniform(5.0, 14.0)
        self.wait0 = r.uniform(15.0, 90.0)
        self.adur0 = r.uniform(20.0, 150.0)
        self.cd_target = round(r.uniform(18.0, 65.0), 1)
        self.sig0 = r.uniform(1.0, 2.5)
        self.m3s0 = r.uniform(2.0, 6.0)
        self.film_type = r.choice(_FILMS[d])
        self.thk_target = r.choice((500.0, 1000.0, 1500.0, 3000.0, 5000.0, 8000.0))
        self.unif0 = r.uniform(0.6, 2.0)
        self.toc0 = r.uniform(0.4, 1.5)
        self.tupw0 = r.uniform(21.0, 24.0)
        self.exh0 = r.uniform(-900.0, -450.0)
        self.n2p0 = r.uniform(650.0, 850.0)
        self.pdur0 = r.uniform(2.0, 8.0)
        self.held0 = r.uniform(2.0, 14.0)
        self.xfer0 = r.uniform(25.0, 90.0)
        # State: counters, seasoning, stocker fill.
        self._mseq = {t.name: r.randint(0, 90000) for t in self.tools}
        self._rfh = {(t.name, c): r.uniform(0.0, 400.0) for t in self.tools for c in t.chambers}
        self._nseq = {t: r.randint(0, 3000) for t in self.techs}
        self._wo = r.randint(10000, 900000)
        self._xid = r.randint(0, 10**6)
        self._fill = {s: r.uniform(30.0, 90.0) for s in self.stockers}
        # Every entity is ingested through one origin (a few servers carry most).
        self._origin_of: dict[str, int] = {}
        for e in [*(t.name for t in self.tools), *(m for ms in self.metro.values() for m in ms), *self.techs]:
            self._origin_of[e] = self._zipf_origin()

    def _make_lots(self, r: random.Random, yy: int) -> list[str]:
        """Active lots, as each fab writes their ids: N7A123.1, KH251043.01, C8S0457-02."""
        d = self.dialect
        if d == "en":
            tech = r.choice(("N7", "N5", "N3", "F2", "K4", "M6"))
            prods = [f"{tech}{p}" for p in r.sample("ABCDEFGHJKLM", r.randint(2, 4))]
        elif d == "ko":
            prods = ["".join(r.sample("BDFHKLMPRSTX", 2)) + str(yy) for _ in range(r.randint(2, 4))]
        else:
            prods = [f"{r.choice('CKMPSV')}{r.randint(1, 9)}{r.choice('ELMSTX')}" for _ in range(r.randint(2, 4))]

        def make() -> str:
            p = r.choice(prods)
            if d == "en":
                return f"{p}{r.randint(0, 999):03d}.{r.randint(1, 4)}"
            if d == "ko":
                return f"{p}{r.randint(0, 9999):04d}.{r.randint(0, 3):02d}"
            return f"{p}{r.randint(0, 9999):04d}-{r.randint(1, 12):02d}"

        want = r.randint(30, 120)
        lots: list[str] = []
        while len(lots) < want:
            lot = make()
            if lot not in lots:
                lots.append(lot)
        return lots

    def _alarm_catalogue(self, r: random.Random) -> list[tuple[int, str, int]]:
        """The world's alarms: (ALID, ALTX, category), Zipf-used (a few alarms are most of the noise)."""
        texts = r.sample(_ALARM_TEXTS[self.dialect], r.randint(10, 20))
        alids = r.sample(range(1000, 65000), len(texts))
        return [(a, t.replace("{n}", str(r.randint(1, 6))), cat) for a, (t, cat) in zip(alids, texts, strict=True)]

    def _zipf_origin(self) -> int:
        return self._r.choices(range(len(self.origins)), cum_weights=self._origin_cum)[0]

    def _zipf(self, seq: Sequence[_T], s: float = 1.0) -> _T:
        """A few entities dominate: rank weight 1 / rank^s."""
        cum = self._cum.get((len(seq), s))
        if cum is None:
            cum = self._cum[(len(seq), s)] = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(seq))))
        return seq[bisect.bisect_right(cum, self._r.random() * cum[-1])]

    # -- spreads ---------------------------------------------------------------------------------------
    def _written_bounds(self, sem: str, lo: float, hi: float) -> tuple[float, float, bool]:
        u = self._units[sem]
        a, b = u.to(lo), u.to(hi)
        return min(a, b), max(a, b), b >= a

    def _measure_spreads(self) -> dict[str, dict[str, Spread]]:
        """Median and spread (central 95% width / 3.92) of each anomaly-prone field as written, from 600
        routine draws that leave the world's state untouched."""
        out: dict[str, dict[str, Spread]] = {}
        for kind in self.common:
            prone = _PRONE[kind]
            out[kind] = {}
            if not prone:
                continue
            draws = [self._write({sm: v for sm, v in self._draw(kind, live=False)[0].items() if sm in prone})
                     for _ in range(600)]
            for sem, (space, direction, lo, hi) in prone.items():
                key = self.keys[sem]
                xs = sorted(_space(float(f[key]), space) for f in draws)  # type: ignore[arg-type]
                lo_i, hi_i = int(0.025 * len(xs)), int(0.975 * len(xs)) - 1
                floor = _SPREAD_FLOOR.get(space, 2.0 * 10.0 ** -self._units[sem].dec)
                wlo, whi, rising = self._written_bounds(sem, lo, hi)
                out[kind][key] = Spread(space, direction if rising else -direction, xs[len(xs) // 2],
                                        max((xs[hi_i] - xs[lo_i]) / 3.92, floor), wlo, whi)
        return out

    def _action_limits(self) -> dict[str, float]:
        """Where the spec / action limits sit, as written: _JUDGE_AT spreads above (or around) the median."""
        out: dict[str, float] = {}
        for kind in ("cd", "particle"):
            for key, s in self.stats.get(kind, {}).items():
                out[key] = _unspace(s.center + _JUDGE_AT * s.spread, s.space)
        return out

    # -- drawing -----------------------------------------------------------------------------------------
    def _draw(self, kind: str, live: bool = True) -> tuple[dict[str, object], int]:
        """A routine record's semantic fields (numbers in semantic units) and its origin."""
        drawer: Callable[[bool], tuple[dict[str, object], int]] = getattr(self, f"_draw_{kind}")
        return drawer(live)

    def _chamber(self, plasma: bool = False) -> tuple[_Tool, str]:
        tool = self._zipf(self.plasma_tools if plasma else self.tools, 0.7)
        return tool, self._r.choice(tool.chambers)

    def _draw_move(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        tool = self._zipf(self.tools, 0.7)
        if live:
            self._mseq[tool.name] += r.randint(1, 3)
        area_proc = 20.0 + 40.0 * (self.tools.index(tool) % 3)
        return {"lot": self._zipf(self.lots, 0.5), "op": r.choice(self.ops), "tool": tool.name,
                "recipe": self.recipes[r.choice(tool.recipes)][0],
                "evt": r.choices(_EVENTS[self.dialect], (0.45, 0.45, 0.08, 0.02))[0],
                "wafers": 25 if r.random() < 0.82 else r.choice((24, 24, 23, 13, 12, 1)),
                "wait": max(1.0, r.lognormvariate(math.log(self.wait0), 0.9)),
                "proc": max(1.0, r.gauss(area_proc, area_proc * 0.12)), "mseq": self._mseq[tool.name]}, \
            self._origin_of[tool.name]

    def _draw_trace(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        tool, ch = self._chamber(plasma=True)
        name, pres, rf, epd0 = self.recipes[r.choice(tool.recipes)]
        busy = r.random() < 0.62
        if live:
            self._rfh[(tool.name, ch)] += r.uniform(0.02, 0.3) if busy else 0.0
        rfh = self._rfh[(tool.name, ch)]
        f: dict[str, object] = {"tool": tool.name, "ch": ch, "recipe": name, "rfh": rfh,
                                "state": _STATES[self.dialect][0 if busy else 1],
                                "esc": r.gauss(self.esc0 + tool.esc_off[ch], 0.5)}
        if busy:  # at the recipe's setpoints; the endpoint slows as the chamber walls season
            f.update(pres=pres * r.gauss(1.0, 0.01), rff=rf * r.gauss(1.0, 0.004),
                     rfr=r.lognormvariate(math.log(self.refl0), 0.45), he=r.gauss(self.he0, 0.6),
                     epd=epd0 * (1.0 + rfh / 1500.0) + r.gauss(0.0, 0.4))
        else:  # pumped to base, RF off, no wafer on the chuck
            f.update(pres=r.lognormvariate(math.log(0.6), 0.5), rff=0.0, rfr=0.0, he=0.0, epd=0.0)
        return f, self._origin_of[tool.name]

    def _draw_alarm(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        tool, ch = self._chamber()
        alid, text, cat = self._zipf(self.catalogue, 0.9)
        f: dict[str, object] = {"tool": tool.name, "ch": ch, "alid": alid, "altx": text,
                                "alcd": cat | (128 if r.random() < 0.7 else 0),
                                "lot": self._zipf(self.lots, 0.5) if r.random() < 0.7 else "",
                                "adur": max(3.0, r.lognormvariate(math.log(self.adur0), 1.1)),
                                "occ": 1 + _poisson(r, 2.2)}
        f["note"] = self._fill_text(r.choice(_ACK_NOTES[self.dialect]), tool=tool.name, ch=ch)
        return f, self._origin_of[tool.name]

    def _draw_cd(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        t = r.choice(self.metro["cd"])
        return {"lot": self._zipf(self.lots, 0.5), "tool": t, "op": r.choice(self.ops), "target": self.cd_target,
                "mean": r.gauss(self.cd_target, 0.03 * self.cd_target),
                "sig3": r.lognormvariate(math.log(self.sig0), 0.25), "sites": r.choice((9, 13, 17, 17))}, \
            self._origin_of[t]

    def _draw_ovl(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        t = r.choice(self.metro["ovl"])
        ox, oy = r.gauss(0.0, 0.4 * self.m3s0), r.gauss(0.0, 0.4 * self.m3s0)
        return {"lot": self._zipf(self.lots, 0.5), "tool": t, "layer": r.choice(_LAYERS[self.dialect]),
                "ox": ox, "oy": oy, "m3s": r.lognormvariate(math.log(self.m3s0), 0.28) + max(abs(ox), abs(oy)),
                "mag": r.gauss(0.0, 0.12), "rot": r.gauss(0.0, 0.35), "sites": r.choice((40, 80, 120))}, \
            self._origin_of[t]

    def _draw_film(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        t = r.choice(self.metro["film"])
        return {"lot": self._zipf(self.lots, 0.5), "tool": t, "film": self.film_type,
                "thk": r.gauss(self.thk_target, 0.006 * self.thk_target),
                "unif": r.lognormvariate(math.log(self.unif0), 0.3),
                "gof": min(0.9999, 1.0 - r.lognormvariate(math.log(0.004), 0.5)), "sites": r.choice((9, 49))}, \
            self._origin_of[t]

    def _draw_particle(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        sensor, bay, iso = self._zipf(self.sensors, 0.6)
        dirt = self._bay_dirt[bay]
        small = 0 if r.random() < 0.4 else 1 + int(r.expovariate(1.0 / (2.5 * dirt)))
        large = 0 if r.random() < 0.86 else 1 + int(r.random() < 0.2)
        return {"sensor": sensor, "bay": bay, "iso": iso, "csmall": float(small), "clarge": float(large)}, \
            self.fms_origin

    def _draw_upw(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        return {"loop": self._zipf(self.loops, 0.8), "res": min(18.2, r.gauss(18.17, 0.012)),
                "toc": r.lognormvariate(math.log(self.toc0), 0.3), "tupw": r.gauss(self.tupw0, 0.25),
                "flow": r.gauss(60.0, 6.0)}, self.scada_origin

    def _draw_fac(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        return {"point": self._zipf(self.points, 0.8), "exh": r.gauss(self.exh0, 0.02 * abs(self.exh0)),
                "n2p": r.gauss(self.n2p0, 5.0), "dp": r.gauss(12.5, 1.2), "tmp": r.gauss(21.5, 0.2),
                "rh": r.gauss(43.0, 1.5), "n2src": _N2SRC[self.dialect][0 if r.random() < 0.75 else 1]}, \
            self.scada_origin

    def _draw_pm(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        tool, ch = self._chamber()
        kind = r.choices(range(6), (0.3, 0.2, 0.1, 0.15, 0.15, 0.1))[0]
        if live:
            self._wo += r.randint(1, 9)
            if kind == _WET_CLEAN:
                self._rfh[(tool.name, ch)] = 0.0  # a wet clean restarts the chamber's seasoning
        return {"tool": tool.name, "ch": ch, "pmtype": _PM_TYPES[self.dialect][kind],
                "e10": r.choices(_E10, (0.6, 0.2, 0.12, 0.08))[0], "tech": r.choice(self.techs),
                "pdur": r.lognormvariate(math.log(self.pdur0), 0.7), "parts": _poisson(r, 1.3),
                "wo": self._wo_id(self._wo), "rfh": self._rfh[(tool.name, ch)]}, self._origin_of[tool.name]

    def _draw_note(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        tech = r.choice(self.techs)
        if live:
            self._nseq[tech] += 1
        return {"tech": tech, "bay": r.choice(self.bays), "shift": r.choice(_SHIFTS[self.dialect]),
                "nseq": self._nseq[tech], "note": self._fill_text(r.choice(_SHIFT_NOTES[self.dialect]))}, \
            self._origin_of[tech]

    def _draw_hold(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        holder = r.choice(self.techs)
        return {"lot": self._zipf(self.lots, 0.5), "op": r.choice(self.ops),
                "reason": r.choice(_REASONS[self.dialect]), "disp": r.choices(_DISPS[self.dialect], (5, 4, 2, 1))[0],
                "wafq": 25 if r.random() < 0.6 else r.randint(1, 25),
                "held": r.lognormvariate(math.log(self.held0), 1.0), "holder": holder,
                "note": self._fill_text(r.choice(_HOLD_NOTES[self.dialect]))}, self._origin_of[holder]

    def _draw_amhs(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        stk = self._zipf(self.stockers, 0.7)
        fill = self._fill[stk] + r.uniform(-4.0, 4.5)
        fill = 100.0 if fill >= 100.0 else max(0.0, fill)
        if live:
            self._fill[stk] = fill
            self._xid += 1
        tool = self._zipf(self.tools, 0.7).name
        src, dst = f"{stk}-P{r.randint(1, 4)}", f"{tool}-LP{r.randint(1, 4)}"
        if r.random() < 0.5:
            src, dst = dst, src
        return {"veh": r.choice(self.vehicles), "carrier": self._carrier(r.randint(1, 99999)), "src": src,
                "dst": dst, "xfer": r.lognormvariate(math.log(self.xfer0), 0.32), "fill": fill,
                "retries": 0 if r.random() < 0.88 else r.randint(1, 3), "xid": self._xid}, self.mcs_origin

    def _draw_quake(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        return {"sensor": f"SEIS-{r.randint(1, 4)}", "pga": r.lognormvariate(math.log(25.0), 0.6),
                "tripped": r.randint(1, max(1, len(self.tools))), "axis": r.choice(("X", "Y", "Z")),
                "qdur": r.lognormvariate(math.log(8.0), 0.5)}, self.scada_origin

    def _draw_toxgas(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        gas, bay = r.choice(_GASES), r.choice(self.bays)
        det = f"GD-{r.randint(1, 60):02d}"
        return {"gas": gas, "reading": r.lognormvariate(math.log(60.0), 0.8), "tlv": r.randint(20, 400),
                "det": det, "bay": bay,
                "note": r.choice(_GAS_NOTES[self.dialect]).format(gas=gas, det=det, bay=bay)}, self.scada_origin

    def _draw_breakage(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        tool, ch = self._chamber()
        return {"tool": tool.name, "ch": ch, "lot": self._zipf(self.lots, 0.5), "slot": r.randint(1, 25),
                "pieces": 2 + _poisson(r, 3.0), "arm": r.choice(_ARMS[self.dialect])}, self._origin_of[tool.name]

    def _draw_dploss(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        return {"bay": r.choice(self.bays), "dp": r.uniform(-2.0, 3.0), "ldur": r.lognormvariate(math.log(90.0), 0.7),
                "door": f"D{r.randint(1, 30):02d}"}, self.scada_origin

    def _wo_id(self, n: int) -> str:
        return {"en": f"WO{self.yy}{n:07d}", "ko": f"WO-{n:07d}", "scn": f"OdT/{n:07d}"}[self.dialect]

    def _carrier(self, n: int) -> str:
        return {"en": f"FP{n:05d}", "ko": f"F{n:06d}", "scn": f"cs{n:05d}"}[self.dialect]

    def _fill_text(self, template: str, tool: str | None = None, ch: str | None = None) -> str:
        """A note from its template; only the slots the template names are drawn."""
        r = self._r
        t = tool or self._zipf(self.tools, 0.7).name
        slots: dict[str, Callable[[], object]] = {
            "lot": lambda: self._zipf(self.lots, 0.5), "tool": lambda: t,
            "ch": lambda: ch or r.choice(self._tool_by_name[t].chambers), "bay": lambda: r.choice(self.bays),
            "stk": lambda: r.choice(self.stockers), "tech": lambda: r.choice(self.techs),
            "op": lambda: r.choice(self.ops), "wo": lambda: self._wo_id(self._wo - r.randint(0, 500)),
            "hh": lambda: f"{r.choice((6, 7, 14, 15, 18, 19, 22, 23)):02d}", "n": lambda: r.randint(2, 9)}
        return template.format_map({name: slots[name]() for name in _slot_names(template)})

    # -- writing ---------------------------------------------------------------------------------------
    def _quant(self, key: str, x: float) -> int | float:
        dec = self._dec[key]
        return int(round(x)) if dec == 0 else round(x, dec)

    def _write(self, sem: dict[str, object]) -> dict[str, object]:
        """Semantic fields -> this dialect's names, units and rounding."""
        out: dict[str, object] = {}
        for s, v in sem.items():
            key = self.keys[s]
            if s in self._units and isinstance(v, float):
                out[key] = self._quant(key, self._units[s].to(v))
            else:
                out[key] = v
        return out

    def _finish(self, kind: str, f: dict[str, object]) -> None:
        """Numbers a system computes from the measurement: the CD judgement, the counter's percent of limit."""
        k = self.keys
        if kind == "cd":
            bad = any(self._k_of(kind, key, f) >= _JUDGE_AT for key in self.stats.get("cd", {}))
            f[k["judge"]] = _JUDGE[self.dialect][1 if bad else 0]
        elif kind == "particle":
            f[k["lim"]] = int(round(100.0 * max(float(f[key]) / self._limits[key]  # type: ignore[arg-type]
                                                for key in self.stats["particle"])))

    # -- truth -------------------------------------------------------------------------------------------
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
        if mode == "severity":
            return STEP_STRENGTH[_SEVERITY[d].index(str(v))]
        if mode == "hotlot":
            return STEP_STRENGTH[_HOTLOT[d].index(str(v))]
        if mode == "code":
            return dict(_HOLD_CODES[d])[str(v)]
        if mode == "flag":
            return FLAG_STRENGTH if v == _FLAG_WORDS[d][1] else 0.0
        if mode == "bits":
            word = int(v[:-1], 16) if isinstance(v, str) else int(_number(v))
            return STEP_STRENGTH[min(4, (word >> _BITS_AT) & 7)]
        x = _number(v)
        if mode == "score":
            return STEP_STRENGTH[bisect.bisect_right(_SCORE_EDGES["pct" if d == "scn" else "int"], x)]
        if mode == "qtime":
            return STEP_STRENGTH[sum(x < e for e in _QT_EDGES["h" if d == "scn" else "min"])]
        return STEP_STRENGTH[max(0, 5 - int(x))]  # tier: 5-7 routine, 1 the most pressing

    def score(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        """Ground truth of a routine record or burst head, from its content: (importance, detail)."""
        k = self.anomaly_k(kind, fields)
        a = 0.0 if k < 4.5 else min(1.0, 0.4 + 0.12 * (k - 4.5))
        p = self.priority_value(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if any(isinstance(v, str) and v in self._rare_values for v in fields.values()) else 0.0
        rarity = rk or rv
        return routine_truth(a, p, rarity, rk)

    # -- records -----------------------------------------------------------------------------------------
    def _routine(self, kind: str) -> tuple[dict[str, object], int]:
        """A routine record as written, every anomaly-prone number redrawn while 4 or more spreads off."""
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
        idle = kind == "trace" and f[self.keys["state"]] == _STATES[self.dialect][1]
        for key in sorted(self.stats.get(kind, {})):
            if idle and key == self.keys["rfr"]:  # no reflected power with the RF off
                continue
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
            v = self._quant(key, min(s.hi, max(s.lo, x)))
            f[key] = v
            if self._k_of(kind, key, f) >= 4.5:
                return True
            x += sign * max(quantum, abs(x) * 0.005)
        return False  # pragma: no cover - bounds leave room by construction

    def _draw_step(self, news: bool) -> int:
        r = self._r
        if not news:
            return r.choices(range(5), STEP_ODDS)[0]
        return r.choice((3, 4)) if self.prio_mode == "flag" else r.choices((2, 3, 4), (0.35, 0.35, 0.3))[0]

    def _form(self, step: int, tool: object) -> object:
        """The step as the world's form writes it."""
        r, d, mode = self._r, self.dialect, self.prio_mode
        if mode == "severity":
            return _SEVERITY[d][step]
        if mode == "hotlot":
            return _HOTLOT[d][step]
        if mode == "code":
            return _HOLD_CODES[d][_CODE_FOR_STEP[d][step]][0]
        if mode == "tier":
            return r.choice(_TIER_FOR_STEP[step])
        if mode == "flag":
            return _FLAG_WORDS[d][int(step >= 3)]
        if mode == "score":  # starts at 0: 45% of routine records exactly 0, the rest low in the band
            unit = "pct" if d == "scn" else "int"
            edges = (0, *_SCORE_EDGES[unit])
            top = _SCORE_TOP[unit] if step == 4 else edges[step + 1]
            x = (0.0 if r.random() < 0.45 else r.betavariate(1.2, 3.0) * top) if step == 0 else \
                r.uniform(edges[step], top)
            if unit == "int":
                return min(int(x), top if step == 4 else top - 1)
            return min(round(x, 1), round(top - (0.0 if step == 4 else 0.1), 1))
        if mode == "qtime":  # a countdown: small (or negative, expired) is pressing
            unit = "h" if d == "scn" else "min"
            if step == 0 and r.random() < 0.35:
                return _QT_NONE[unit]
            lo, hi = _QT_BANDS[unit][step]
            return r.randint(lo, hi) if unit == "min" else round(r.uniform(lo, hi), 2)  # type: ignore[arg-type]
        # bits: the step in bits 12-14, the tool's nibble in 8-11, interlock / vacuum / door / remote below
        nib = self._tool_by_name[tool].nibble if tool in self._tool_by_name else 0
        low = ((r.random() < 0.96) | (r.random() < 0.9) << 1 | (r.random() < 0.93) << 2 | (r.random() < 0.6) << 3
               | r.randrange(16) << 4)
        word = self.software_bit | step << _BITS_AT | nib | low
        return f"{word:04X}h" if d == "scn" else word

    def _mark(self, kind: str, f: dict[str, object], step: int) -> None:
        """Write the step (priority kinds only), and the note's urgent or calm words."""
        r, d = self._r, self.dialect
        nk = self.keys["note"]
        if self.prio_mode == "text":
            if step and nk in f:
                phrase = _URGENT[d][step - 1]
                f[nk] = f"{phrase}: {f[nk]}" if r.random() < 0.4 else f"{f[nk]} - {phrase}"
        elif kind in CARRIERS:
            f[self.prio_key] = self._form(step, f.get(self.keys["tool"]))  # type: ignore[index]
        if nk in f and step == 0 and r.random() < 0.3:
            f[nk] = f"{f[nk]}; {r.choice(_CALM[d])}"

    def _fresh(self, kind: str, t: float, news: bool = False) -> _Rec:
        """A routine record (with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        f, origin = self._routine(kind)
        rare_sem = {"alarm": "altx", "hold": "disp", "fac": "n2src"}.get(kind)
        if rare_sem and r.random() < 0.012:
            f[self.keys[rare_sem]] = _RARE_VALUES[self.dialect][rare_sem]
            if kind == "alarm":
                f[self.keys["alcd"]] = 128 | _EMO_CATEGORY
        carries = kind in PRIORITY_KINDS
        wants = r.random() < self.anomaly_rate if not news else (not carries or r.random() < 0.5)
        odd = wants and self._push_off(kind, f)
        self._finish(kind, f)
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
        idx = [i for i in range(max(0, n - 500), n) if recs[i].case in ("routine", "burst_head")]
        if not idx:
            return -1
        w = [(recs[i].importance + 0.025) * math.exp(-(n - i) / self.copy_memory) for i in idx]
        return self._r.choices(idx, w)[0]

    def _reentry(self, f: dict[str, object]) -> dict[str, object]:
        """Another system's re-entry: one or two values re-rounded or re-typed (never the priority field,
        nor, in a world that writes priority in notes, the note)."""
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
        if not options:  # pragma: no cover - every kind has a number or a text to re-type
            raise RuntimeError("nothing to re-enter")
        g = dict(f)
        for key, w in r.sample(options, min(len(options), 2 if r.random() < 0.25 else 1)):
            g[key] = w
        return g

    def _retype(self, s: str) -> str:
        r = self._r
        out = []
        if self.dialect == "scn":
            bare = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
            out.append(bare)
        out += [s.replace(a, b, 1) for a, b in _RETYPE[self.dialect] if a in s]
        if "." in s and s.replace(".", "").isalnum() and len(s) < 14:  # a lot id: the split re-padded
            head, _, tail = s.rpartition(".")
            out.append(f"{head}.{tail.zfill(len(tail) + 1)}")
        if "-" in s and len(s) < 16:
            out.append(s.replace("-", "", 1))
        elif s.isalnum() and s.isascii() and len(s) < 12 and any(c.isdigit() for c in s):
            i = next(i for i, c in enumerate(s) if c.isdigit())
            if i:
                out.append(f"{s[:i]}-{s[i:]}")
        if s.upper() != s:
            out.append(s.upper() if len(s) < 20 else s.replace(" ", "  ", 1))
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
                lo, hi = self._caps.get(key, (-math.inf if key in self._signed or x < 0 else 0.0, math.inf))
                g[key] = self._quant(key, min(hi, max(lo, x + r.gauss(0.0, 0.005 * abs(x) + 0.4 * quantum))))
        if g == b.rec.fields:  # nothing moved past its rounding: the last digit of one reading moves
            keys = sorted(k for k, v in g.items() if _drifts(v) and k in self._dec and k not in self._fixed
                          and k != self.prio_key)
            key = r.choice(keys)  # every kind without a counter has a non-zero reading
            nudge = r.choice((-1, 1)) * 10.0 ** -self._dec[key]
            g[key] = self._quant(key, float(g[key]) + nudge)  # type: ignore[arg-type]
        return _Rec(b.rec.kind, b.rec.origin, t, g, "burst_tail", tail_importance(b.rec.importance), b.head)



# -- helpers ----------------------------------------------------------------------------------------------
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


def _slot_names(template: str) -> list[str]:
    """The ``{name}`` slots of a note template, in order, once each."""
    names: list[str] = []
    for part in template.split("{")[1:]:
        name = part.split("}", 1)[0]
        if name not in names:
            names.append(name)
    return names


def _number(v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise TypeError(f"not a number: {v!r}")
    return float(v)


def _drifts(v: object) -> bool:
    """A reading that can drift in a burst tail: a non-zero number (not a flag)."""
    return isinstance(v, int | float) and not isinstance(v, bool) and v != 0


def _step_counter(v: object, by: int) -> object:
    """A counter ``by`` further on: an int, or the number at the end of an id (``WO260001234``)."""
    if isinstance(v, int):
        return v + by
    s = str(v)
    i = len(s)
    while i and s[i - 1].isdigit():
        i -= 1
    return f"{s[:i]}{int(s[i:]) + by:0{len(s) - i}d}"
