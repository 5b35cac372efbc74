"""Held-out family ``volcano``: a volcano observatory's monitoring network. Used ONLY by evaluation.

Theory of operation
-------------------
The twenty-second held-out family, written blind (docs/holdout.md): nobody tunes the model on it, and it
shares no code path, name, distribution or vocabulary with the training generators or the other held-out
families. Only the truth helpers (:func:`noisy_or`, :func:`main_reason`, :func:`tail_importance`,
``ROUTINE_FLOOR``, through :func:`routine_truth`), :class:`LabeledRecord` (through the shared scheduler)
and the stream scheduler of node/workload/holdout_stream.py (:class:`BurstStream`) are shared. Training
never imports this module (tests/node/test_holdout_volcano.py checks ``sys.modules``).

One seed is one world: one volcano observatory (the Icelandic Met Office's natural-hazards watch, a JMA
regional volcano observation centre, a Pinatubo observatory in Pampanga) whose nodes (3-9 peer ids, the
``origins``: the seismic hubs, the geodesy server, the gas network, the camera and infrasound server, the
hydrology desk, the duty office, the field office) log volcanic earthquakes, RSAM tremor amplitudes, GNSS
solutions, tiltmeters, SO2 flux scans, soil CO2 flux, MultiGAS ratios, thermal cameras, crater-lake and
fumarole chemistry, infrasound arrays, acoustic flow monitors on lahar channels, ash-fall reports,
field-team reports, observatory bulletins and aviation notices (VONA). A world draws, from one
``random.Random``:

- a dialect (below), which names every kind, field, categorical value and identifier, picks units and the
  number format, and writes every note;
- 4-7 common kinds of 15 (at least one carrying priority) and 1-3 rare kinds of 4 (each 0.12-0.9% of the
  fresh records);
- one of eleven priority forms (``prio_mode``, field ``prio_key``);
- its network: 1-4 volcanoes (a completeness magnitude, a b-value, shallow and deep swarms, a daily event
  count, an SO2 output that drifts, a summit height), 4-14 seismic stations (each ingested through one hub
  origin, Zipf; an RSAM baseline and a cultural-noise share of its own), 3-10 GNSS stations (an uplift rate
  of their own that drifts, positions that random-walk), 2-6 tiltmeters (a tidal and a thermal response
  of their own), 2-4 DOAS scanners, 3-10 soil-CO2 plots (a flux of their own), 1-4 MultiGAS stations, 2-6
  cameras (a hot spot of their own warmed by the sun), 1-4 crater lakes or fumarole pools (temperature,
  pH, conductivity), 1-3 infrasound arrays, 2-6 flow monitors on lahar channels, 4-10 localities reporting
  ash, 2-6 field teams;
- a clock: 0.5-4 minutes of observatory time per fresh record, with the sun (its hours by latitude and
  season: Icelandic days run from 3 h to 21 h), the semi-diurnal and diurnal earth tide (tilt, GNSS),
  daytime cultural noise and afternoon wind (RSAM, infrasound, SO2 wind speed), rain spells (AFM levels),
  a barometer (soil CO2) and a calendar date (deadlines are dated);
- case rates, a mean gap between records (0.4-6 s), whether the stream arrives in uploads, and how far back
  copies reach.

Dialects
--------
- ``is``: Icelandic, as the Met Office's systems could write it: kinds ``area.subject`` in lower case with
  Icelandic letters (``skjálftar.atburður``, ``gas.so2_flæði``), fields ASCII-folded snake_case
  (``staerd``, ``dypi``, ``hamarkshiti``), values and notes with þ, ð, æ, ö (``Þórðarhyrna``,
  ``Grímsvötn``); six readings are quantity strings with a decimal comma and the unit after a space
  (``"4,2 km"``, ``"812,5 t/d"``, ``"37,1 °C"``, ``"520 µS/cm"``), tilt in µrad, SO2 in tonnes per day,
  plume tops in metres above sea level, dates ``13. maí 2024 kl. 08:42``, events ``sk2024-001234``.
- ``ja``: Japanese, as a JMA volcano centre's systems could write it: kinds in Japanese script
  (``火山性地震``, ``二酸化硫黄放出量``, ``火山の状況に関する解説情報``), fields romaji lowerCamelCase
  (``kibo``, ``shingenFukasa``, ``so2Houshutsuryo``), values and notes in Japanese; six readings are
  strings JMA-style with no space: magnitudes ``"M2.3"``, depths ``"10.2km"``, SO2 ``"1,200トン/日"``
  (a thousands comma), temperatures ``"45.2℃"``, plume tops as flight levels ``"FL120"``; conductivity in
  mS/m, dates ``2024年5月13日 08時42分``, bulletins ``第123号``.
- ``pam``: Kapampangan, as a Pampanga observatory's systems could write it, with the English loanwords a
  Philippine system would use: kinds ``area:subject`` kebab-case (``seismik:lindol``, ``gas:so2-flux``),
  fields kebab-case with the unit as the last segment (``kalalam-km``, ``so2-flux-kg-s``); every reading a
  plain number, SO2 in kg/s, tilt in nanoradians, soil CO2 in mol/m²/d, wind in km/h, plume tops in feet,
  dates ``05/13/2024 08:42 AM``, bulletins ``Bulletin No. 123``.

Kinds (semantic name: numbers; anomaly-prone fields starred)
-------------------------------------------------------------
Common: ``quake`` a located volcanic earthquake (an event counter, station, volcano, type VT / LP / hybrid /
tremor, magnitude* Gutenberg-Richter exponential above the volcano's completeness (up), depth bimodal
shallow / deep, duration* log-normal, longer for LP (up)); ``rsam`` a station's 10-minute RSAM (an interval
counter, the slot, amplitude* log-normal by station with daytime cultural noise and wind (up), dominant
frequency); ``gnss`` a GNSS solution (station code, east / north / up positions random-walking with the
tide, vertical velocity* from the station's drifting uplift rate (either way), satellites); ``tilt`` a
tiltmeter (radial tilt* with the earth tide and the sun (either way), tangential tilt, sensor temperature);
``so2`` an SO2 scan (scanner, a scan counter, flux* log-normal around the volcano's drifting output (up),
wind speed, plume height zero-inflated, method); ``co2`` soil CO2 (plot, flux* log-normal by plot, lower
at high pressure (up), soil temperature* warmed by the sun (up), barometric pressure); ``multigas`` a
MultiGAS station (CO2/SO2* (either way), H2S* zero-inflated (up), H2S/SO2, SO2 ppm); ``thermal`` a
camera's frame (a frame counter, hot-spot maximum* warmed by day (up), what is seen: steam, cloud, fog,
dark at night); ``lake`` a crater lake or fumarole pool (temperature* drifting (up), pH* (down),
conductivity* (up)); ``infra`` an infrasound array's interval (amplitude* with afternoon wind noise (up),
detections* zero-inflated (up), back azimuth); ``afm`` a lahar channel's flow monitor (an interval
counter, the channel, level* log-normal raised by rain (up), rainfall* zero-inflated in rain spells (up));
``ashfall`` an ash-fall report (locality, distance, mass load* zero-inflated, log-normal sigma 0.9 (up), grain,
note); ``field`` a field-team report (a counter, team, site, fumarole temperature* at boiling with a
superheated tail (up), new cracks* zero-inflated (up), note); ``bulletin`` an observatory bulletin (a
counter, volcano, events in 24 h* log-normal (up), largest magnitude, note); ``vona`` an aviation notice
(a counter, volcano, plume top* above the summit (up), ash, remarks). Rare: ``eruption`` an eruption onset
(always raised priority), ``lahar`` a lahar detection, ``pdc`` a dome collapse / pyroclastic flow,
``felt`` a felt-earthquake report. Rare categorical values (an explosion quake, incandescence on a camera,
an airborne SO2 measurement) appear in about 1.2% of their kinds' records.

Priority forms (carried by ``field``, ``bulletin``, ``vona`` and ``eruption``)
------------------------------------------------------------------------------
A record draws a step 0..4 (strengths 0, 0.25, 0.5, 0.75, 1.0; 84% at 0); the world's form writes it, and
the truth is read back from what is written:

- ``words`` (``alvarleiki`` / ``shinkokudo`` / ``kabigatan``): óveruleg / væg / miðlungs / alvarleg /
  lífshættuleg; 平常 / 軽微 / 中程度 / 重大 / 緊急; normal / mababa / kalagitnan / matas / kritikal;
- ``level`` (``forgangur`` / ``keikaiReberu`` / ``antas``): is an integer where 1 is worst (5 routine), ja
  ``"レベル5"`` where 5 is worst, pam an integer 0..4 where 4 is worst;
- ``colour`` (``flugkodi`` / ``koukuuShoku`` / ``kule-aviation``): the aviation colour code, four values
  (green 0, yellow 0.5, orange 0.75, red 1; a step 1 is written green): grænn / gulur / appelsínugulur /
  rauður; 緑 / 黄 / オレンジ / 赤; berde / amarillu / naranja / malutu;
- ``countdown`` (``svarfrestur`` / ``nokoriJikan`` / ``panaun-sagut-min``): time left to respond, small is
  pressing (bands at 24 h / 6 h / 1 h / 15 min; routine 1-14 days): is ``"3 dagar"`` / ``"8 klst."`` /
  ``"30 mín."``, ja ``"3日"`` / ``"8時間"`` / ``"30分"``, pam whole minutes;
- ``deadline`` (``frestur_til`` / ``taiouKigen`` / ``taning``, with the issue time ``skrad`` /
  ``happyoNichiji`` / ``mibuklat``): a dated deadline; the time between the two is the countdown above;
- ``score`` (``ahaettumat`` / ``kikenDo`` / ``peligru-index``): large is pressing, in fifths of its scale:
  is a float 0.00..1.00, ja an integer 0..10, pam an integer 0..100;
- ``percent`` (``likur_gos`` / ``funkaKakuritsu`` / ``posibilidad-pct``): an eruption probability, large is
  pressing (bands at 3 / 15 / 40 / 70): is ``"45 %"``, ja ``"45％"``, pam an integer;
- ``flag`` (``aridandi`` / ``shikyu`` / ``apura``): urgent, strength 0.9 at steps 3-4: is ``"já"`` /
  ``"nei"``, ja a boolean, pam ``"wa"`` / ``"ali"``;
- ``code`` (``flokkur`` / ``kubun`` / ``klase``): E / D / C / B / A; D / C / B / A / S; P5 / P4 / P3 / P2 /
  P1;
- ``escalation`` (``visad_til`` / ``houkokuSaki`` / ``ipasa-king``): who the record is referred to, from
  the duty officer to national civil protection;
- ``text``: no field; an urgency phrase in the note (four levels), and routine notes that often say
  outright that nothing is pressing ("ekki áríðandi", "緊急性なし", "e apura").

Cases and truth
---------------
Routine records and burst heads, from their content alone (see :meth:`VolcanoWorkload.score`):
``routine_truth(anomaly, priority, rarity, rare kind)``, i.e. ``noisy_or(0.04, 0.9a, 0.9p, rarity)``;
anomaly = 0 below 5 spreads, else ``min(1, 0.4 + 0.1 * (k - 5))`` where k is the largest distance of an
anomaly-prone number (read back from what is written) from its (kind, field) median in spreads (central
95% width / 3.92 of the world's written routine values, measured when the world is made over the whole
day and the whole range of every drifting state; log space for positive heavy-tailed fields, log(1 + x)
for zero-inflated ones); routine values are redrawn while 4 or more spreads off; an anomaly (1.5-3.5% of
fresh records) puts one number 5.2-12 spreads off, in the field's physical direction and within its bounds.
Rarity 0.5 for a rare kind, 0.45 for a rare value. ``detail = main_reason(...)``.

An exact copy (an event relayed by a second hub, a bulletin posted twice) keeps 5% of its source; a near
copy (another system's re-entry: a number re-rounded or moved by its last digit, a decimal comma typed as
a point, a unit's space dropped or added, a thousands comma dropped, full-width digits, ℃ as °C, Icelandic
letters folded to ASCII, half-width katakana, a place abbreviated, case or a separator changed; never the
priority field, the issue time, a counter, nor the note where the world writes priority in notes) 10%; a
burst (a station re-triggering at alarm rate, a bulletin re-issued, a VONA re-sent) has a head carrying
the news and 2-40 tails from the same origin, plain numbers drifting and counters stepping, worth
``tail_importance(head)``; a re-send of an earlier batch's news keeps 1% of it (2% through another origin).

Pure Python, deterministic in the seed (and across hash seeds).
"""

from __future__ import annotations

import bisect
import datetime as _dt
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
    "VolcanoWorkload",
    "read_number",
    "world_form",
]

_T = TypeVar("_T")

DIALECTS = ("is", "ja", "pam")
PRIORITY_MODES = ("words", "level", "colour", "countdown", "deadline", "score", "percent", "flag", "code",
                  "escalation", "text")
STEP_STRENGTH = (0.0, 0.25, 0.5, 0.75, 1.0)
COLOUR_STRENGTH = (0.0, 0.5, 0.75, 1.0)  # green, yellow, orange, red
COLOUR_OF_STEP = (0, 0, 1, 2, 3)
FLAG_STRENGTH = 0.9
STEP_ODDS = (0.84, 0.055, 0.045, 0.035, 0.025)
ANOMALY_AT = 5.0  # spreads: an anomaly-prone number this far off its median is news
ROUTINE_BELOW = 4.0  # spreads: routine draws stay inside this
LN10 = math.log(10.0)

COMMON_KINDS = ("quake", "rsam", "gnss", "tilt", "so2", "co2", "multigas", "thermal", "lake", "infra", "afm",
                "ashfall", "field", "bulletin", "vona")
PRIORITY_KINDS = frozenset({"field", "bulletin", "vona"})
RARE_KINDS = ("eruption", "lahar", "pdc", "felt")
ALWAYS_PRIORITY_RARE = frozenset({"eruption"})
CARRIERS = PRIORITY_KINDS | ALWAYS_PRIORITY_RARE
COUNTERS = ("evid", "riv", "scanno", "frame", "aiv", "fieldno", "bulno", "vonano")

# -- names ------------------------------------------------------------------------------------------------------
_KINDS = {
    "is": {"quake": "skjálftar.atburður", "rsam": "órói.rsam", "gnss": "aflögun.gps", "tilt": "aflögun.halli",
           "so2": "gas.so2_flæði", "co2": "gas.co2_jarðvegur", "multigas": "gas.multigas",
           "thermal": "hiti.myndavél", "lake": "vatn.efnamæling", "infra": "hljóð.lágtíðni", "afm": "flóð.afm",
           "ashfall": "aska.öskufall", "field": "vettvangur.skýrsla", "bulletin": "tilkynning.stöðumat",
           "vona": "flug.vona", "eruption": "gos.upphaf", "lahar": "flóð.eðjuflóð", "pdc": "gos.gjóskuflóð",
           "felt": "skjálftar.fannst"},
    "ja": {"quake": "火山性地震", "rsam": "RSAM振幅", "gnss": "GNSS連続観測", "tilt": "傾斜観測",
           "so2": "二酸化硫黄放出量", "co2": "土壌二酸化炭素", "multigas": "火山ガス組成", "thermal": "熱映像観測",
           "lake": "火口湖観測", "infra": "空振観測", "afm": "土石流検知", "ashfall": "降灰報告",
           "field": "現地調査報告", "bulletin": "火山の状況に関する解説情報", "vona": "噴火に関する火山観測報",
           "eruption": "噴火速報", "lahar": "土石流発生", "pdc": "火砕流", "felt": "有感地震"},
    "pam": {"quake": "seismik:lindol", "rsam": "seismik:rsam", "gnss": "deformasyun:gnss",
            "tilt": "deformasyun:tilt", "so2": "gas:so2-flux", "co2": "gas:co2-gabun", "multigas": "gas:multigas",
            "thermal": "thermal:kamera", "lake": "danum:crater-lake", "infra": "infrasound:array",
            "afm": "lahar:afm", "ashfall": "abu:ulat", "field": "field:ulat-team", "bulletin": "bulletin:kalagayan",
            "vona": "aviation:vona", "eruption": "bulkan:erupsyun", "lahar": "lahar:daluyong",
            "pdc": "bulkan:pyroclastic-flow", "felt": "seismik:lindol-mekiramdam"},
}

# semantic name -> (is, ja, pam)
_FIELDS: dict[str, tuple[str, str, str]] = {
    "evid": ("atburdur_nr", "jishinBango", "event-no"),
    "station": ("stod", "kansokuten", "estasyun"),
    "volcano": ("eldstod", "kazan", "bulkan"),
    "qtype": ("tegund", "shurui", "uri"),
    "mag": ("staerd", "kibo", "magnitude"),
    "depth": ("dypi", "shingenFukasa", "kalalam-km"),
    "dur": ("lengd_s", "keizokuByo", "tagal-s"),
    "riv": ("timabil", "kukanBango", "interval-no"),
    "slot": ("kl", "jikoku", "oras"),
    "rsam": ("rsam_gildi", "rsamChi", "rsam-counts"),
    "freq": ("tidni_hz", "yuusenShuhasu", "frequency-hz"),
    "gstation": ("gps_stod", "gnssKyoku", "gnss-estasyun"),
    "de": ("austur_mm", "touzaiMm", "aslagan-mm"),
    "dn": ("nordur_mm", "nambokuMm", "paralaya-mm"),
    "du": ("upp_mm", "jougeMm", "pataas-mm"),
    "velu": ("lodrettur_hradi_mm_d", "jougeSokudo", "pataas-bilis-mm-aldo"),
    "nsat": ("fjoldi_gervitungla", "eiseiSu", "satellite-count"),
    "tstation": ("hallamaelir", "keishakei", "tiltmeter"),
    "trad": ("halli_radial", "keishaHousha", "tilt-radial-nrad"),
    "ttan": ("halli_hlidlaegur", "keishaSessen", "tilt-tangential-nrad"),
    "ttemp": ("hiti_skynjara", "sensaOndo", "temperatura-sensor"),
    "scanner": ("skanni", "doasKyoku", "doas-estasyun"),
    "scanno": ("skonnun_nr", "sukyanBango", "scan-no"),
    "so2": ("so2_flaedi", "so2Houshutsuryo", "so2-flux-kg-s"),
    "wind": ("vindhradi", "fuusoku", "bilis-angin-kmh"),
    "plumeh": ("makkarhaed_m", "fuenKodo", "katas-plume-m"),
    "method": ("aferd", "sokuteiHouhou", "paraan"),
    "site": ("reitur", "sokuten", "soil-site"),
    "co2f": ("co2_flaedi", "co2Flux", "co2-flux-mol"),
    "soilt": ("jardvegshiti", "chionOndo", "temperatura-gabun"),
    "baro": ("loftthrystingur", "kiatsu", "presyon-hpa"),
    "mgstation": ("multigas_stod", "multigasKyoku", "multigas-estasyun"),
    "cs": ("co2_so2_hlutfall", "co2So2Hi", "ratio-co2-so2"),
    "h2s": ("h2s_ppm", "h2sNoudo", "h2s-ppm"),
    "hs": ("h2s_so2_hlutfall", "h2sSo2Hi", "ratio-h2s-so2"),
    "so2ppm": ("so2_ppm", "so2Noudo", "so2-ppm"),
    "camera": ("myndavel", "kameraMei", "kamera"),
    "frame": ("mynd_nr", "furemuBango", "frame-no"),
    "tmax": ("hamarkshiti", "saikouOndo", "max-temperatura"),
    "obs": ("athugun", "kansokuJokyo", "obserbasyun"),
    "lake": ("stadur", "kansokuChiten", "lugar-danum"),
    "laket": ("vatnshiti", "suion", "temperatura-danum"),
    "ph": ("syrustig", "phChi", "ph"),
    "cond": ("leidni", "denkiDendoudo", "conductivity-us-cm"),
    "array": ("hljodnemi", "kuushinKei", "infrasound-array"),
    "amp": ("utslag_pa", "kuushinShinpuku", "amplitude-pa"),
    "ndet": ("fjoldi_greininga", "kenshutsuSu", "detections"),
    "baz": ("stefna_grada", "toraiHoui", "back-azimuth"),
    "afmst": ("flodamaelir", "dosekiryuSensa", "afm-estasyun"),
    "river": ("vatnsfall", "kasen", "ilug"),
    "aiv": ("maelibil", "sokuteiKukan", "afm-interval"),
    "afm": ("afm_styrkur", "afmReberu", "afm-level"),
    "rain": ("urkoma_mm", "uryouMm", "uran-mm"),
    "locality": ("byggdarlag", "basho", "balen"),
    "load": ("oskumagn", "kouhaiRyou", "abu-g-m2"),
    "grain": ("kornastaerd", "ryuushi", "uri-abu"),
    "dist": ("fjarlaegd_km", "kyoriKm", "distansya-km"),
    "note": ("athugasemd", "bikou", "komentaryu"),
    "fieldno": ("skyrsla_nr", "chousaBango", "report-no"),
    "team": ("teymi", "han", "team"),
    "fsite": ("vettvangur", "genba", "lugal"),
    "ftemp": ("gufuhiti", "funkiOndo", "temperatura-fumarole"),
    "cracks": ("nyjar_sprungur", "kiretsuSu", "bayung-bitak"),
    "bulno": ("tilkynning_nr", "happyouBango", "bulletin-no"),
    "nq": ("skjalftar_solarhring", "jishinKaisu", "lindol-24h"),
    "maxmag": ("staersti_skjalfti", "saidaiKibo", "pekamaragul-magnitude"),
    "vonano": ("vona_nr", "vonaBango", "vona-no"),
    "top": ("makkarhaed_ys", "fuenChoujou", "plume-top-ft"),
    "ash": ("aska", "kazanbai", "abu"),
    "vent": ("gosstod", "kakou", "bunganga"),
    "column": ("gosmokkur_km", "funenKodoKm", "eruption-column-km"),
    "ldepth": ("dypt_flods_m", "ryuushin", "kalalam-lahar-m"),
    "lvel": ("hradi_flods_m_s", "ryuusoku", "bilis-lahar-m-s"),
    "runout": ("lengd_km", "ryuushutsuKyori", "abut-km"),
    "sector": ("stefna", "houkou", "direksyun"),
    "intensity": ("fannst", "shindo", "intensity"),
    "opened": ("skrad", "happyoNichiji", "mibuklat"),
}
_PRIO_KEYS = {
    "words": ("alvarleiki", "shinkokudo", "kabigatan"),
    "level": ("forgangur", "keikaiReberu", "antas"),
    "colour": ("flugkodi", "koukuuShoku", "kule-aviation"),
    "countdown": ("svarfrestur", "nokoriJikan", "panaun-sagut-min"),
    "deadline": ("frestur_til", "taiouKigen", "taning"),
    "score": ("ahaettumat", "kikenDo", "peligru-index"),
    "percent": ("likur_gos", "funkaKakuritsu", "posibilidad-pct"),
    "flag": ("aridandi", "shikyu", "apura"),
    "code": ("flokkur", "kubun", "klase"),
    "escalation": ("visad_til", "houkokuSaki", "ipasa-king"),
}

# -- units and formats (semantic units: ML, km, s, counts, Hz, mm, mm/d, µrad, deg C, t/d, m/s, m, g/m2/d,
# hPa, ppm, pH, µS/cm, Pa, mm per 10 min, g/m2, m a.s.l.) --------------------------------------------------------
_DEC = {"mag": 1, "depth": 1, "dur": 0, "rsam": 0, "freq": 1, "de": 1, "dn": 1, "du": 1, "velu": 1, "nsat": 0,
        "trad": 2, "ttan": 2, "ttemp": 2, "so2": 0, "wind": 1, "plumeh": 0, "co2f": 1, "soilt": 1, "baro": 1,
        "cs": 2, "h2s": 1, "hs": 2, "so2ppm": 2, "tmax": 1, "laket": 1, "ph": 2, "cond": 0, "amp": 2, "ndet": 0,
        "baz": 0, "afm": 0, "rain": 1, "load": 0, "dist": 1, "ftemp": 1, "cracks": 0, "nq": 0, "maxmag": 1,
        "top": 0, "column": 1, "ldepth": 1, "lvel": 1, "runout": 1}


@dataclass(frozen=True, slots=True)
class _Unit:
    to: Callable[[float], float]
    dec: int


def _scale(a: float) -> Callable[[float], float]:
    return lambda x: a * x


_UNITS: dict[str, dict[str, _Unit]] = {
    "is": {},
    "ja": {"cond": _Unit(_scale(0.1), 1), "top": _Unit(_scale(3.28084 / 100.0), 0)},  # mS/m, flight level
    "pam": {"so2": _Unit(_scale(1.0 / 86.4), 2), "trad": _Unit(_scale(1000.0), 0), "ttan": _Unit(_scale(1000.0), 0),
            "co2f": _Unit(_scale(1.0 / 44.01), 3), "wind": _Unit(_scale(3.6), 0), "top": _Unit(_scale(3.28084), 0)},
}


@dataclass(frozen=True, slots=True)
class _Fmt:
    """A reading written as a string: a prefix, the number (decimal mark, thousands mark, zero padding), a suffix."""

    prefix: str = ""
    suffix: str = ""
    decimal: str = "."
    thousands: str = ""
    width: int = 0

    def write(self, y: int | float, dec: int) -> str:
        s = f"{abs(y):.{dec}f}" if dec else str(abs(int(y)))
        whole, _, frac = s.partition(".")
        if self.thousands and len(whole) > 3:
            whole = f"{int(whole):,}".replace(",", self.thousands)
        if self.width:
            whole = whole.zfill(self.width)
        body = whole + (self.decimal + frac if frac else "")
        return f"{self.prefix}{'-' if y < 0 else ''}{body}{self.suffix}"


_FMT: dict[str, dict[str, _Fmt]] = {
    "is": {"depth": _Fmt(suffix=" km", decimal=","), "so2": _Fmt(suffix=" t/d", decimal=","),
           "tmax": _Fmt(suffix=" °C", decimal=","), "laket": _Fmt(suffix=" °C", decimal=","),
           "cond": _Fmt(suffix=" µS/cm", decimal=","), "load": _Fmt(suffix=" g/m²", decimal=",")},
    "ja": {"mag": _Fmt(prefix="M"), "depth": _Fmt(suffix="km"), "so2": _Fmt(suffix="トン/日", thousands=","),
           "tmax": _Fmt(suffix="℃"), "laket": _Fmt(suffix="℃"), "top": _Fmt(prefix="FL", width=3)},
    "pam": {},
}
_NUM = re.compile(r"-?\d+(?:[.,]\d+)*")

# Anomaly-prone numbers per kind: semantic name -> (space, physical direction, semantic bounds).
_PRONE: dict[str, dict[str, tuple[str, int, float, float]]] = {
    "quake": {"mag": ("lin", 1, -1.5, 7.5), "dur": ("log", 1, 1.0, 3600.0)},
    "rsam": {"rsam": ("log", 1, 1.0, 5e6)},
    "gnss": {"velu": ("lin", 0, -300.0, 300.0)},
    "tilt": {"trad": ("lin", 0, -5000.0, 5000.0)},
    "so2": {"so2": ("log", 1, 1.0, 2e5)},
    "co2": {"co2f": ("log", 1, 0.1, 1e5), "soilt": ("lin", 1, -30.0, 150.0)},
    "multigas": {"cs": ("log", 0, 0.05, 2000.0), "h2s": ("log1p", 1, 0.0, 2000.0)},
    "thermal": {"tmax": ("lin", 1, -40.0, 1200.0)},
    "lake": {"laket": ("lin", 1, 0.0, 99.0), "ph": ("lin", -1, 0.0, 14.0), "cond": ("log", 1, 5.0, 2e5)},
    "infra": {"amp": ("log", 1, 0.005, 5000.0), "ndet": ("log1p", 1, 0.0, 5000.0)},
    "afm": {"afm": ("log", 1, 1.0, 1e6), "rain": ("log1p", 1, 0.0, 150.0)},
    "ashfall": {"load": ("log1p", 1, 0.0, 1e6)},
    "field": {"ftemp": ("lin", 1, 0.0, 900.0), "cracks": ("log1p", 1, 0.0, 500.0)},
    "bulletin": {"nq": ("log1p", 1, 0.0, 1e5)},
    "vona": {"top": ("log", 1, 300.0, 25000.0)},
}
_SPREAD_FLOOR = {"log": 0.04, "log1p": 0.3}

# -- priority forms ----------------------------------------------------------------------------------------------
_WORDS = {"is": ("óveruleg", "væg", "miðlungs", "alvarleg", "lífshættuleg"),
          "ja": ("平常", "軽微", "中程度", "重大", "緊急"),
          "pam": ("normal", "mababa", "kalagitnan", "matas", "kritikal")}
_COLOUR = {"is": ("grænn", "gulur", "appelsínugulur", "rauður"), "ja": ("緑", "黄", "オレンジ", "赤"),
           "pam": ("berde", "amarillu", "naranja", "malutu")}
_CD_MIN = ((1440, 2880, 4320, 7200, 10080, 20160), (360, 480, 720, 1080), (60, 90, 120, 180, 240), (15, 20, 30, 45),
           (5, 10))
_CD_EDGES = (1440, 360, 60, 15)  # minutes: below each edge one step more pressing
_PCT = ((0, 2), (3, 14), (15, 39), (40, 69), (70, 100))
_PCT_EDGES = (3, 15, 40, 70)
_FLAG: dict[str, tuple[object, object]] = {"is": ("nei", "já"), "ja": (False, True), "pam": ("ali", "wa")}
_CODE = {"is": ("E", "D", "C", "B", "A"), "ja": ("D", "C", "B", "A", "S"), "pam": ("P5", "P4", "P3", "P2", "P1")}
_ESCALATION = {"is": ("vakthafandi sérfræðingur", "fagstjóri eldfjallavár", "vísindaráð almannavarna",
                      "almannavarnadeild", "samhæfingarstöð almannavarna"),
               "ja": ("監視当番", "火山監視・警報センター", "火山課長", "気象庁長官", "内閣府防災担当"),
               "pam": ("duty officer", "resident volcanologist", "PHIVOLCS director", "PDRRMO Pampanga", "NDRRMC")}
_URGENT = {  # steps 1..4, inside the note (text worlds) and nowhere else
    "is": ("athugið þegar tími gefst", "þarf að skoða í dag", "áríðandi: sendið vakt á staðinn strax",
           "NEYÐ: hætta á manntjóni, virkið almannavarnir"),
    "ja": ("時間があるときに確認", "本日中に対応が必要", "至急：直ちに現地へ急行", "緊急：人命に危険、直ちに避難を"),
    "pam": ("lawan mu nung atin panaun", "kailangan ngening aldo", "apura: ipadala ngeni ing team",
            "EMERGENCY: peligru king bie, pamibakwit ngeni"),
}
_CALM = {
    "is": ("ekki áríðandi", "liggur ekki á", "til upplýsingar", "venjubundið eftirlit", "má bíða næstu ferðar"),
    "ja": ("緊急性なし", "急ぎではない", "参考情報", "通常監視の範囲", "次回の定期調査で確認"),
    "pam": ("e apura", "ala yang kailangan a madalian", "para king record", "regular monitoring",
            "makapanenaya ya king susunod a biyahi"),
}

# -- the dialects' words -----------------------------------------------------------------------------------------
_VOLCANOES = {
    "is": ("Katla", "Hekla", "Grímsvötn", "Askja", "Bárðarbunga", "Sundhnúkur", "Öræfajökull", "Eyjafjallajökull",
           "Þeistareykir", "Krýsuvík"),
    "ja": ("桜島", "新燃岳", "阿蘇山", "浅間山", "諏訪之瀬島", "口永良部島", "雲仙岳", "草津白根山"),
    "pam": ("Pinatubo", "Arayat", "Natib", "Mariveles"),
}
_PLACES = {
    "is": ("Grímsfjall", "Þórðarhyrna", "Goðabunga", "Hábunga", "Austmannsbunga", "Entujökull", "Skrokkalda",
           "Dyngjuháls", "Öskjuop", "Dreki", "Herðubreiðarlindir", "Þorbjörn", "Svartsengi", "Eldvörp",
           "Sýlingarfell", "Hagafell", "Húsmúli", "Láguhnúkar", "Fagradalsfjall", "Álftavatn", "Búrfell",
           "Skálafell", "Hrauneyjar", "Kverkfjöll"),
    "ja": ("黒神", "有村", "瀬戸", "ハルタ山", "横山", "赤水", "湯之平", "持木", "高免", "中岳西", "草千里",
           "古坊中", "烏帽子岳", "鬼押出", "追分", "塩野", "前掛山", "韓国岳", "新湯", "御池", "高千穂河原",
           "ナベ山", "白鳥山", "カルデラ北"),
    "pam": ("Sitio Burok", "Mount Negron", "Camp O'Donnell", "Sacobia", "Bamban", "Porac", "Mancatian",
            "Sapang Bato", "Delta 5", "Abacan", "Pasig-Potrero", "Gumain", "Barangay Villa Maria",
            "Barangay Santa Juliana", "Capas", "Botolan", "Barangay Planas", "Floridablanca", "Dolores",
            "Sitio Haduan", "Mount Cuadrado", "Barangay Camias", "Sitio Kalangitan", "Mount Bituin"),
}
_RIVERS = {
    "is": ("Múlakvísl", "Skálm", "Jökulsá á Sólheimasandi", "Skaftá", "Gígjukvísl", "Jökulsá á Fjöllum",
           "Markarfljót", "Köldukvísl"),
    "ja": ("持木川", "野尻川", "黒神川", "第一古里川", "長谷川", "有村川", "春松川", "シラス川"),
    "pam": ("Pasig-Potrero River", "Abacan River", "Sacobia-Bamban River", "O'Donnell River",
            "Porac-Gumain River", "Marella River", "Santo Tomas River", "Bucao River"),
}
_LOCALITIES = {
    "is": ("Vík í Mýrdal", "Kirkjubæjarklaustur", "Hvolsvöllur", "Grindavík", "Reykjanesbær", "Höfn",
           "Mývatnssveit", "Egilsstaðir", "Selfoss", "Þykkvibær", "Skógar", "Hella"),
    "ja": ("鹿児島市黒神町", "鹿児島市有村町", "垂水市", "霧島市", "鹿屋市", "鹿児島市東桜島町", "南阿蘇村",
           "阿蘇市", "軽井沢町", "嬬恋村", "高原町", "都城市"),
    "pam": ("Angeles City", "Mabalacat City", "Porac", "San Fernando City", "Bacolor", "Guagua", "Floridablanca",
            "Lubao", "Magalang", "Arayat", "Capas", "Bamban"),
}
_LAKES = {
    "is": ("Grímsvötn", "Öskjuvatn", "Víti", "Skaftárkatlar", "Kverkfjöll hverasvæði", "Hveradalir", "Seltún"),
    "ja": ("湯釜", "中岳第一火口", "新燃岳火口", "硫黄山", "御鉢", "水釜"),
    "pam": ("Crater Lake Pinatubo", "Arayat fumarole", "Sitio Burok hot spring", "Mount Natib fumarole",
            "Maskup hot spring", "Mount Negron steaming ground"),
}
_QTYPES = {"is": ("VT-skjálfti", "LP-skjálfti", "blandaður skjálfti", "óróahviða"),
           "ja": ("A型地震", "B型地震", "BH型地震", "火山性微動"),
           "pam": ("VT", "LP", "hybrid", "tremor")}
_OBS = {"is": ("gufa sést", "skýjað", "þoka", "myrkur"), "ja": ("白色噴煙", "雲が多い", "霧", "夜間"),
        "pam": ("puting asuk", "maulap", "fog", "bengi")}
_METHODS = {"is": ("skönnun", "þverun"), "ja": ("スキャン", "トラバース"), "pam": ("scanning", "traverse")}
_RARE_VALUES = {"is": {"qtype": "sprengiskjálfti", "obs": "glóð í gíg", "method": "flugmæling"},
                "ja": {"qtype": "爆発地震", "obs": "火映", "method": "航空機観測"},
                "pam": {"qtype": "explosion-type", "obs": "crater glow", "method": "airborne"}}
_GRAIN = {"is": ("fínkorna", "grófkorna", "blandað"), "ja": ("細粒", "粗粒", "混在"),
          "pam": ("pino", "magaspang", "halo-halo")}
_ASH = {"is": ("engin aska", "aska ekki greinanleg"), "ja": ("火山灰なし", "火山灰不明"),
        "pam": ("ala abu", "e makit ing abu")}
_SECTORS = {"is": ("norður", "norðaustur", "austur", "suðaustur", "suður", "suðvestur", "vestur", "norðvestur"),
            "ja": ("北", "北東", "東", "南東", "南", "南西", "西", "北西"),
            "pam": ("north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest")}
_INTENSITY = {"is": ("fannst lítillega", "fannst greinilega", "fannst vel", "fannst víða"),
              "ja": ("震度1", "震度2", "震度3", "震度4"),
              "pam": ("Intensity II", "Intensity III", "Intensity IV", "Intensity V")}
_TEAMS = {"is": lambda i: f"Teymi {i}", "ja": lambda i: f"第{i}班", "pam": lambda i: f"Grupu {i}"}
_FIELD_NOTES = {
    "is": ("sýni tekin úr {n} gufuaugum", "gengið upp á gígbarm, skyggni {n} km", "ný sprunga um {n} m löng við {place}",
           "brennisteinslykt fannst í {n} km fjarlægð", "hitastig mælt í gufuaugum við {place}",
           "vatnsborð í katlinum lækkaði um {n} cm", "skipt um rafhlöður í mæli við {place}",
           "þurftum að snúa við vegna veðurs", "sigdæld sést greinilega í jöklinum",
           "gufuvirkni svipuð og í síðustu ferð"),
    "ja": ("噴気孔{n}か所で温度を測定", "火口縁まで接近、視程{n}km", "{place}付近で長さ約{n}mの新たな亀裂を確認",
           "風下{n}kmで硫黄臭を確認", "{place}の噴気温度を測定", "湯だまりの水位が約{n}cm低下",
           "{place}で観測機器の電池を交換", "天候不良のため途中で引き返した", "噴気量は前回調査時と比べて大きな変化なし",
           "地熱域の拡大は認められない"),
    "pam": ("minukuha kami sample king {n} a fumarole", "mibait kami king gilid ning crater, visibility {n} km",
            "atin bayung bitak a {n} m kaba king {place}", "amoy asupri {n} km ibat king crater",
            "mikuha ing temperatura ning fumarole king {place}", "mebababa ing danum king crater lake, {n} cm",
            "miliban ing battery ning instrument king {place}", "mibalik kami uli ning uran",
            "ala maragul a panibayu king asuk", "ing steaming ground ali yang miragul"),
}
_BULLETIN_NOTES = {
    "is": ("skjálftavirkni undir {volcano} svipuð og undanfarna daga", "{n} skjálftar mældust síðasta sólarhring",
           "landris heldur áfram á svipuðum hraða", "engar breytingar sjást á óróa",
           "gasmengun gæti fundist í {locality}", "kvikusöfnun heldur áfram undir {place}",
           "Veðurstofan fylgist náið með þróun mála", "stærsti skjálftinn var {m} að stærð"),
    "ja": ("{volcano}では火山性地震が{n}回観測された", "火山活動に特段の変化はない",
           "山体膨張を示す地殻変動は継続している", "{locality}で少量の降灰を確認",
           "噴煙は火口縁上{n}00mまで上がった", "二酸化硫黄の放出量はやや多い状態",
           "今後の火山活動の推移に注意", "最大規模の地震はM{m}"),
    "pam": ("atin {n} a volcanic earthquake a mirecord king {volcano}", "ala maragul a panibayu king aktibidad ning bulkan",
            "tuloy-tuloy ing pamangaldak ning bulkan ayon king GPS", "atin manipis a abu a milagpak king {locality}",
            "ing steam plume miabut {n}00 m ibabo ning crater", "matas ya pa ing SO2 emission",
            "bantayan ing kalagayan ning bulkan", "ing pekamaragul a lindol M{m}"),
}
_VONA_NOTES = {
    "is": ("gufubólstur sést á vefmyndavél", "engin aska greinanleg á gervitunglamyndum", "skýjað yfir fjallinu",
           "mökkurinn berst til {sector}", "gufumökkur um {n}00 m yfir gígnum"),
    "ja": ("白色の噴煙が{sector}へ流れる", "衛星画像で火山灰は確認できない", "山頂は雲に覆われている",
           "噴煙高度は火口縁上{n}00m", "遠望カメラで白色噴煙を確認"),
    "pam": ("puting asuk papunta king {sector}", "ala abu king satellite image", "maulap ing tuktuk ning bulkan",
            "ing plume miabut {n}00 m", "makit ing asuk king kamera"),
}
_ASH_NOTES = {
    "is": ("íbúi tilkynnir öskufok í {locality}", "öskulag á bílum", "sýni sent til greiningar",
           "öskufok vegna hvassviðris", "grá aska á snjó", "þunnt lag á gluggum"),
    "ja": ("{locality}で車に降灰", "住民から降灰の通報", "降灰量計測のため試料採取", "強風による再飛散の可能性",
           "洗濯物に灰が付着", "道路にうっすら積もる"),
    "pam": ("reklamu ning residente king {locality}: abu king kotse", "atin abu king bubung ning bale",
            "sample mipadala king laboratory", "marimla ing angin, mikalat ing abu", "abu king dalan",
            "manipis a abu king salamin"),
}
_ERUPTION_NOTES = {
    "is": ("gos hafið við {place}, kvika komin upp á yfirborð", "gosmökkur sést í {n} km hæð",
           "sprungugos, hraun rennur til {sector}"),
    "ja": ("{volcano}で噴火が発生", "噴煙は火口縁上{n}000mに達した", "大きな噴石が火口から{n}km付近まで飛散"),
    "pam": ("mipaputuk ya ing {volcano}", "ing eruption column miabut {n} km", "lava flow papunta king {sector}"),
}
_ABBREV = {
    "is": (("jökull", "jök."), ("fjall", "fj."), ("Kirkjubæjarklaustur", "Klaustur"), ("vatn", "v."),
           ("bunga", "b."), ("Teymi", "T."), ("skjálfti", "skj.")),
    "ja": (("鹿児島市", ""), ("熱映像カメラ", "カメラ"), ("ガス観測点", ""), ("第一", "第1"), ("傾斜計", "")),
    "pam": (("Barangay", "Brgy."), ("Sitio", "Sit."), ("Mount", "Mt."), ("River", "Rv."), ("City", "C."),
            ("Santa", "Sta."), ("Grupu", "Gr.")),
}
_FOLD_IS = str.maketrans({"þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "æ": "ae", "Æ": "Ae", "ö": "o", "Ö": "O"})
_MONTHS_IS = ("janúar", "febrúar", "mars", "apríl", "maí", "júní", "júlí", "ágúst", "september", "október",
              "nóvember", "desember")


def _fold(s: str) -> str:
    """Letters without their marks, as an IT system that folds to ASCII writes them (þ as th, æ as ae)."""
    return "".join(c for c in unicodedata.normalize("NFKD", s.translate(_FOLD_IS)) if not unicodedata.combining(c))


def _half_width_table() -> dict[str, str]:
    """Full-width katakana -> half-width (voiced ones as two characters), as old systems store them."""
    out: dict[str, str] = {}
    marks = ("", "\uff9e", "\uff9f")
    for code in range(0xFF66, 0xFF9E):
        for m in marks:
            half = chr(code) + m
            full = unicodedata.normalize("NFKC", half)
            if len(full) == 1 and full not in out:
                out[full] = half
    out["ー"] = "\uff70"
    return out


_HALF = _half_width_table()
_WIDE = str.maketrans({**{chr(ord("0") + i): chr(0xFF10 + i) for i in range(10)}, ",": "，", ".": "．"})


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
class _Volcano:
    name: str
    mc: float  # completeness magnitude
    b: float  # Gutenberg-Richter b-value
    shallow: float  # km, the shallow swarm's depth
    deep: float  # km, the deep swarm's depth
    shallow_share: float
    qmix: tuple[float, ...]  # VT / LP / hybrid / tremor shares
    dur0: float  # s, a VT event's duration at the completeness magnitude
    nq0: float  # events per day
    so2: float  # t/d
    so2drift: float  # log units, the output's current drift
    summit: float  # m a.s.l.
    plume0: float  # m, a routine steam plume above the summit


@dataclass(slots=True)
class _Seis:
    name: str
    volcano: int
    origin: int
    base: float  # RSAM counts at a quiet hour
    cult: float  # daytime cultural-noise share
    f0: float  # Hz
    iv: int


@dataclass(slots=True)
class _Gnss:
    code: str
    r0: float  # mm/d, the station's long-term uplift rate
    rate: float  # mm/d, now
    noise: float  # mm/d
    de: float
    dn: float
    du: float


@dataclass(slots=True)
class _Tilt:
    name: str
    off: float  # µrad
    off2: float
    tide: float  # µrad per unit tide
    therm: float  # µrad per unit sun
    noise: float


@dataclass(slots=True)
class _Scanner:
    name: str
    volcano: int
    scans: int


@dataclass(slots=True)
class _Plot:
    name: str
    base: float  # g/m2/d
    t0: float  # deg C


@dataclass(slots=True)
class _Multigas:
    name: str
    cs0: float
    h2s0: float  # ppm when present
    zero: float  # share of readings with no H2S
    hs0: float
    so2ppm: float


@dataclass(slots=True)
class _Camera:
    name: str
    t0: float  # deg C, the hot spot at night
    solar: float  # deg C added at full sun
    frame: int


@dataclass(slots=True)
class _Lake:
    name: str
    t0: float
    drift: float  # deg C, the temperature's current drift
    ph0: float
    c0: float  # µS/cm


@dataclass(slots=True)
class _Array:
    name: str
    a0: float  # Pa
    zero: float
    baz: float


@dataclass(slots=True)
class _Afm:
    name: str
    river: str
    l0: float
    iv: int


@dataclass(slots=True)
class _Locality:
    name: str
    dist: float  # km from the main vent


class VolcanoWorkload(BurstStream):
    """A held-out volcano-observatory world (see the module docstring). Deterministic in ``seed``."""

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
        busy = {"quake": 2.0, "rsam": 1.5, "gnss": 1.2, "tilt": 1.1, "thermal": 1.2, "infra": 1.0, "afm": 1.0,
                "so2": 0.9, "co2": 0.8, "multigas": 1.0, "lake": 0.6, "ashfall": 0.6, "field": 0.9, "bulletin": 0.8,
                "vona": 0.6}
        self.weights = {k: r.lognormvariate(0.0, 0.5) * busy[k] for k in self.common}
        self.rare_share = {k: r.uniform(0.0012, 0.009) for k in self.rare}
        n_origins = r.randint(3, 9)
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-volcano-node/{seed}/{i}".encode()).digest()).peer_id
            for i in range(n_origins)]
        self._origin_cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.1 for i in range(n_origins)))
        self.geo_origin = r.randrange(n_origins)  # the geodesy server: GNSS, tilt
        self.gas_origin = r.randrange(n_origins)  # the gas network: DOAS, soil CO2, MultiGAS
        self.cam_origin = r.randrange(n_origins)  # cameras and infrasound; pyroclastic flows seen on them
        self.hydro_origin = r.randrange(n_origins)  # crater lakes, flow monitors, lahars
        self.duty_origin = r.randrange(n_origins)  # the duty office: bulletins, VONA, eruption onsets
        self.field_origin = r.randrange(n_origins)  # the field office: team reports, ash and felt reports
        self.mean_gap = r.choice((400.0, 1500.0, 3000.0, 6000.0))
        self.clumpy = r.random() < 0.3  # remote stations upload over satellite in clumps
        self.burst_period = r.uniform(0.03, 0.12)
        self.copy_memory = r.uniform(25.0, 200.0)
        self.rates = {"dup": r.uniform(0.025, 0.055), "near": r.uniform(0.05, 0.09),
                      "burst": r.uniform(0.006, 0.013), "resend": r.uniform(0.006, 0.014)}
        self.anomaly_rate = r.uniform(0.015, 0.035)
        self.keys: dict[str, str] = {s: names[di] for s, names in _FIELDS.items()}
        self.sem_of: dict[str, str] = {v: k for k, v in self.keys.items()}
        self.kind_of: dict[str, str] = {v: k for k, v in _KINDS[d].items()}
        self._rare_values = frozenset(_RARE_VALUES[d].values())
        self._units = {s: _UNITS[d].get(s) or _Unit(float, _DEC[s]) for s in _DEC}
        self._dec = {self.keys[s]: u.dec for s, u in self._units.items()}
        self._fmt = {self.keys[s]: f for s, f in _FMT[d].items()}
        self._cum: dict[tuple[int, float], list[float]] = {}
        self._build(r)
        self._fixed = frozenset(self.keys[s] for s in (*COUNTERS, "opened"))
        self._caps = {self.keys["ph"]: (0.0, 14.0), self.keys["nsat"]: (4.0, 40.0),
                      self.keys["baz"]: (0.0, 359.0)}
        self.stats: dict[str, dict[str, Spread]] = {}
        self.stats = self._measure_spreads()
        self._archive: list[tuple[str, int, dict[str, object], float]] = []
        self._last_ts = 0

    # -- the network -------------------------------------------------------------------------------------------
    def _build(self, r: random.Random) -> None:
        d = self.dialect
        places = _PLACES[d]
        self.volcanoes = []
        summit0, nq0 = r.uniform(800.0, 2000.0), r.lognormvariate(math.log(15.0), 0.7)
        for name in r.sample(_VOLCANOES[d], r.randint(1, min(4, len(_VOLCANOES[d])))):
            mix = [r.uniform(0.45, 0.75), r.uniform(0.1, 0.3), r.uniform(0.03, 0.12), r.uniform(0.01, 0.06)]
            self.volcanoes.append(_Volcano(
                name, r.uniform(-0.3, 1.0), r.uniform(0.8, 1.4), r.uniform(1.0, 4.0), r.uniform(12.0, 24.0),
                r.uniform(0.5, 0.9), tuple(mix), r.uniform(4.0, 12.0), nq0 * r.lognormvariate(0.0, 0.25),
                r.lognormvariate(math.log({"is": 120.0, "ja": 900.0, "pam": 250.0}[d]), 0.7), 0.0,
                summit0 + r.uniform(-150.0, 150.0), r.uniform(150.0, 700.0)))
        nv = len(self.volcanoes)
        self.seis = [_Seis(p, r.randrange(nv), self._zipf_origin(), r.lognormvariate(math.log(120.0), 0.5),
                           r.uniform(0.1, 1.2), r.uniform(1.5, 6.0), r.randint(1000, 200000))
                     for p in r.sample(places, r.randint(4, 14))]
        self.gnss = []
        codes: set[str] = set()
        for i, p in enumerate(r.sample(places, r.randint(3, 10))):
            r0 = 0.0 if r.random() < 0.5 else r.uniform(-0.5, 1.5)
            code = self._gnss_code(r, p, i)
            code = code if code not in codes else f"{code[:3]}{i}"
            codes.add(code)
            self.gnss.append(_Gnss(code, r0, r0, r.uniform(1.0, 2.5),
                                   r.uniform(-20.0, 20.0), r.uniform(-20.0, 20.0), r.uniform(-20.0, 20.0)))
        self.tilts = [_Tilt(self._tilt_name(p, i), r.uniform(-6.0, 6.0), r.uniform(-40.0, 40.0),
                            r.uniform(0.05, 0.4), r.uniform(0.1, 2.0), r.uniform(0.03, 0.12))
                      for i, p in enumerate(r.sample(places, r.randint(2, 6)))]
        self.scanners = [_Scanner(self._scanner_name(p), r.randrange(nv), r.randint(100, 90000))
                         for p in r.sample(places, r.randint(2, 4))]
        soil0 = r.uniform(2.0, 22.0)
        self.plots = [_Plot(self._plot_name(i), r.lognormvariate(math.log(40.0), 0.9), soil0 + r.uniform(-2.5, 2.5))
                      for i in sorted(r.sample(range(1, 80), r.randint(3, 10)))]
        cs0 = r.lognormvariate(math.log(4.0), 0.6)
        self.multigas = [_Multigas(self._mg_name(p), cs0 * r.lognormvariate(0.0, 0.2),
                                   r.lognormvariate(math.log(2.0), 0.5), r.uniform(0.58, 0.8),
                                   r.lognormvariate(math.log(0.3), 0.5), r.lognormvariate(math.log(1.5), 0.6))
                         for p in r.sample(places, r.randint(1, 4))]
        hot0 = r.uniform(15.0, 60.0)
        self.cameras = [_Camera(self._camera_name(p), hot0 + r.uniform(-5.0, 5.0), r.uniform(4.0, 15.0),
                                r.randint(1000, 900000)) for p in r.sample(places, r.randint(2, 6))]
        ph_base, lake_t, lake_c = r.uniform(3.0, 7.5), r.uniform(10.0, 40.0), r.lognormvariate(math.log(800.0), 0.5)
        self.lakes = [_Lake(n, lake_t + r.uniform(-3.0, 3.0), 0.0, ph_base + r.uniform(-0.15, 0.15),
                            lake_c * r.lognormvariate(0.0, 0.12))
                      for n in r.sample(_LAKES[d], r.randint(1, 4))]
        self.arrays = [_Array(self._array_name(p), r.lognormvariate(math.log(0.2), 0.5), r.uniform(0.58, 0.85),
                              r.uniform(0.0, 360.0)) for p in r.sample(places, r.randint(1, 3))]
        self.afms = [_Afm(self._afm_name(i), river, r.lognormvariate(math.log(40.0), 0.5), r.randint(1000, 300000))
                     for i, river in enumerate(r.sample(_RIVERS[d], r.randint(2, 6)), 1)]
        self.localities = [_Locality(n, r.uniform(5.0, 60.0)) for n in r.sample(_LOCALITIES[d], r.randint(4, 10))]
        self.teams = [_TEAMS[d](i) for i in sorted(r.sample(range(1, 12), r.randint(2, 6)))]
        self.field_sites = r.sample(places, 8)
        # the clock and the weather
        self.hour = r.uniform(0.0, 24.0)
        self.day = r.randint(0, 700)  # days since 2024-01-01
        self.tick_h = r.uniform(0.5, 4.0) / 60.0
        if d == "is":
            self.sunrise = r.uniform(3.0, 10.5)
            self.sunset = min(23.5, 27.0 - self.sunrise + r.uniform(-0.4, 0.4))
        elif d == "ja":
            self.sunrise, self.sunset = r.uniform(5.0, 7.0), r.uniform(17.0, 19.3)
        else:
            self.sunrise, self.sunset = r.uniform(5.4, 6.3), r.uniform(17.4, 18.4)
        self.air = {"is": r.uniform(-12.0, 14.0), "ja": r.uniform(0.0, 30.0), "pam": r.uniform(24.0, 33.0)}[d]
        self.tide_phase = (r.uniform(0.0, 2 * math.pi), r.uniform(0.0, 2 * math.pi))
        self.wind0 = r.uniform(3.0, 10.0)  # m/s
        self.rain_share = {"is": r.uniform(0.05, 0.2), "ja": r.uniform(0.05, 0.2), "pam": r.uniform(0.1, 0.3)}[d]
        self.rain0 = r.uniform(0.5, 3.0)  # mm per 10 min in a spell
        self.raining = r.random() < self.rain_share
        self.baro = r.uniform(990.0, 1030.0)
        self.boil = r.uniform(92.5, 99.0)  # deg C, boiling at the fumaroles' altitude
        self.ash0 = r.lognormvariate(math.log({"is": 300.0, "ja": 3000.0, "pam": 150.0}[d]), 0.6)
        self.year = 2024 + self.day // 365
        self._evid = r.randint(10**3, 9 * 10**5)
        self._fieldno = r.randint(10, 9000)
        self._bulno = r.randint(1, 900)
        self._vonano = r.randint(1, 400)

    def _gnss_code(self, r: random.Random, place: str, i: int) -> str:
        if self.dialect == "is":
            return re.sub(r"[^A-Z]", "", _fold(place).upper())[:4].ljust(4, "X")
        if self.dialect == "ja":
            return f"{r.randint(950000, 999999)}"
        return f"PHV{i + 1:02d}"

    def _tilt_name(self, place: str, i: int) -> str:
        return {"is": f"H-{place}", "ja": f"{place}傾斜計", "pam": f"TILT-{i + 1} {place}"}[self.dialect]

    def _scanner_name(self, place: str) -> str:
        return {"is": f"NOVAC {place}", "ja": f"DOAS{place}", "pam": f"DOAS-{place}"}[self.dialect]

    def _plot_name(self, i: int) -> str:
        return {"is": f"Jarðvegsreitur {i}", "ja": f"土壌測点{i}", "pam": f"Lote {i}"}[self.dialect]

    def _mg_name(self, place: str) -> str:
        return {"is": f"Gasstöð {place}", "ja": f"{place}ガス観測点", "pam": f"MultiGAS {place}"}[self.dialect]

    def _camera_name(self, place: str) -> str:
        return {"is": f"Hitamyndavél {place}", "ja": f"{place}熱映像カメラ", "pam": f"Thermal cam {place}"}[self.dialect]

    def _array_name(self, place: str) -> str:
        return {"is": f"Hljóðnemi {place}", "ja": f"空振計{place}", "pam": f"Infrasound {place}"}[self.dialect]

    def _afm_name(self, i: int) -> str:
        return {"is": f"Flóðamælir {i}", "ja": f"AFM{i:02d}", "pam": f"AFM-{i:02d}"}[self.dialect]

    def _zipf_origin(self) -> int:
        return self._r.choices(range(len(self.origins)), cum_weights=self._origin_cum)[0]

    def _zipf(self, seq: Sequence[_T], s: float = 1.0) -> _T:
        cum = self._cum.get((len(seq), s))
        if cum is None:
            cum = self._cum[(len(seq), s)] = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(seq))))
        return seq[bisect.bisect_right(cum, self._r.random() * cum[-1])]

    # -- the day -----------------------------------------------------------------------------------------------
    def sun(self, hour: float) -> float:
        """The sun's strength (0..1) at an hour: 0 from sunset to sunrise."""
        h = hour % 24.0
        if not self.sunrise < h < self.sunset:
            return 0.0
        return math.sin(math.pi * (h - self.sunrise) / (self.sunset - self.sunrise))

    @staticmethod
    def cultural(hour: float) -> float:
        """Traffic and people near the stations (0..1): a daytime plateau."""
        h = hour % 24.0
        return 1.0 / (1.0 + math.exp(-(h - 7.0) * 1.5)) / (1.0 + math.exp((h - 20.0) * 1.5))

    @staticmethod
    def windy(hour: float) -> float:
        """Wind (0..1), strongest in the afternoon."""
        return 0.5 + 0.5 * math.cos(2 * math.pi * ((hour % 24.0) - 15.0) / 24.0)

    def tide(self, hours: float) -> float:
        """The earth tide (about -1.45..1.45): the semi-diurnal M2 and the diurnal K1."""
        p1, p2 = self.tide_phase
        return math.sin(2 * math.pi * hours / 12.42 + p1) + 0.45 * math.sin(2 * math.pi * hours / 23.93 + p2)

    def _hours(self, live: bool) -> float:
        """The observatory clock in hours (live), or any hour of any day (when measuring)."""
        if live:
            return self.day * 24.0 + self.hour
        return self._r.uniform(0.0, 24.0 * 30.0)

    # -- spreads -----------------------------------------------------------------------------------------------
    def _measure_spreads(self) -> dict[str, dict[str, Spread]]:
        """Median and spread (central 95% width / 3.92) of each anomaly-prone field as written (and read back),
        from 700 routine draws over the whole day and every drifting state's range, that leave the network
        untouched."""
        out: dict[str, dict[str, Spread]] = {}
        for kind in self.common:
            prone = _PRONE[kind]
            out[kind] = {}
            draws = [self._write({s: v for s, v in self._draw(kind, False)[0].items() if s in prone})
                     for _ in range(700)]
            for sem, (space, direction, lo, hi) in prone.items():
                key = self.keys[sem]
                xs = sorted(_space(self.read(key, f[key]), space) for f in draws)
                lo_i, hi_i = int(0.025 * len(xs)), int(0.975 * len(xs)) - 1
                u = self._units[sem]
                floor = _SPREAD_FLOOR.get(space, 2.0 * 10.0 ** -u.dec)
                a, b = u.to(lo), u.to(hi)
                out[kind][key] = Spread(space, direction, xs[len(xs) // 2], max((xs[hi_i] - xs[lo_i]) / 3.92, floor),
                                        min(a, b), max(a, b))
        return out

    # -- drawing (semantic units) ------------------------------------------------------------------------------
    def _draw(self, kind: str, live: bool = True) -> tuple[dict[str, object], int]:
        drawer: Callable[[bool], tuple[dict[str, object], int]] = getattr(self, f"_draw_{kind}")
        return drawer(live)

    def _draw_quake(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        st = self._zipf(self.seis, 0.5)
        v = self.volcanoes[st.volcano]
        if live:
            self._evid += r.randint(1, 4)
        qi = r.choices(range(4), v.qmix)[0]
        mag = v.mc + r.expovariate(v.b * LN10)
        depth = abs(r.gauss(v.shallow, 1.0)) + 0.1 if r.random() < v.shallow_share else max(0.5, r.gauss(v.deep, 2.5))
        dur = r.lognormvariate(math.log(v.dur0 * (2.5 if qi in (1, 3) else 1.0) * (1.0 + 1.5 * (mag - v.mc))), 0.3)
        return {"evid": self._ev_id(self._evid), "station": st.name, "volcano": v.name, "qtype": _QTYPES[d][qi],
                "mag": mag, "depth": depth, "dur": dur}, st.origin

    def _draw_rsam(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        st = self._zipf(self.seis, 0.5)
        if live:
            st.iv += 1
        iv = st.iv if live else st.iv + r.randint(0, 143)
        minute = iv * 10 % 1440
        h = minute / 60.0
        noise = 1.0 + st.cult * self.cultural(h) + 0.5 * self.windy(h)
        return {"station": st.name, "riv": iv, "slot": self._slot(minute),
                "rsam": st.base * noise * r.lognormvariate(0.0, 0.18),
                "freq": max(0.3, r.gauss(st.f0, 0.3))}, st.origin

    def _draw_gnss(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        g = self._zipf(self.gnss, 0.4)
        t = self._hours(live)
        if live:
            g.rate = min(g.r0 + 0.6, max(g.r0 - 0.6, g.rate + r.gauss(0.0, 0.05)))
            g.de = min(40.0, max(-40.0, g.de + r.gauss(0.0, 0.3)))
            g.dn = min(40.0, max(-40.0, g.dn + r.gauss(0.0, 0.3)))
            g.du = min(60.0, max(-60.0, g.du + g.rate * self.tick_h / 24.0 + r.gauss(0.0, 0.4)))
            rate, de, dn, du = g.rate, g.de, g.dn, g.du
        else:
            rate = r.uniform(g.r0 - 0.6, g.r0 + 0.6)
            de, dn, du = r.uniform(-40.0, 40.0), r.uniform(-40.0, 40.0), r.uniform(-60.0, 60.0)
        tide = self.tide(t)
        return {"gstation": g.code, "de": de + r.gauss(0.0, 1.5), "dn": dn + r.gauss(0.0, 1.5),
                "du": du + 4.0 * tide + r.gauss(0.0, 3.0), "velu": rate + 0.6 * tide + r.gauss(0.0, g.noise),
                "nsat": float(r.randint(9, 24))}, self.geo_origin

    def _draw_tilt(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        tl = self._zipf(self.tilts, 0.4)
        t = self._hours(live)
        sun = self.sun(t % 24.0)
        return {"tstation": tl.name,
                "trad": tl.off + tl.tide * 10.0 * self.tide(t) + tl.therm * (sun - 0.35) + r.gauss(0.0, tl.noise),
                "ttan": tl.off2 + tl.tide * 6.0 * self.tide(t + 3.1) + 0.5 * tl.therm * sun + r.gauss(0.0, tl.noise),
                "ttemp": self.air + 6.0 * sun + r.gauss(0.0, 0.3)}, self.geo_origin

    def _draw_so2(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        sc = self._zipf(self.scanners, 0.6)
        v = self.volcanoes[sc.volcano]
        if live:
            sc.scans += r.randint(1, 3)
            v.so2drift = min(0.3, max(-0.3, v.so2drift + r.gauss(0.0, 0.02)))
            drift = v.so2drift
        else:
            drift = r.uniform(-0.3, 0.3)
        h = self._hours(live) % 24.0
        plumeh = 0.0 if r.random() < 0.3 else r.lognormvariate(math.log(v.plume0 * 1.5), 0.5)
        return {"scanner": sc.name, "scanno": sc.scans, "volcano": v.name,
                "so2": v.so2 * math.exp(drift) * r.lognormvariate(0.0, 0.45),
                "wind": r.lognormvariate(math.log(self.wind0 * (0.7 + 0.6 * self.windy(h))), 0.3),
                "plumeh": plumeh, "method": r.choices(_METHODS[d], (0.85, 0.15))[0]}, self.gas_origin

    def _draw_co2(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        p = self._zipf(self.plots, 0.3)
        if live:
            baro = self.baro
        else:
            baro = r.uniform(975.0, 1045.0)
        sun = self.sun(self._hours(live) % 24.0)
        return {"site": p.name, "co2f": p.base * math.exp(-0.015 * (baro - 1010.0)) * r.lognormvariate(0.0, 0.35),
                "soilt": p.t0 + 4.0 * sun + r.gauss(0.0, 0.6), "baro": baro + r.gauss(0.0, 0.3)}, self.gas_origin

    def _draw_multigas(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        m = self._zipf(self.multigas, 0.5)
        h2s = 0.0 if r.random() < m.zero else r.lognormvariate(math.log(m.h2s0), 0.5)
        return {"mgstation": m.name, "cs": m.cs0 * r.lognormvariate(0.0, 0.25), "h2s": h2s,
                "hs": m.hs0 * r.lognormvariate(0.0, 0.3),
                "so2ppm": m.so2ppm * r.lognormvariate(0.0, 0.6)}, self.gas_origin

    def _draw_thermal(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        c = self._zipf(self.cameras, 0.4)
        if live:
            c.frame += r.randint(1, 12)
        sun = self.sun(self._hours(live) % 24.0)
        obs = _OBS[d][3] if sun == 0.0 else r.choices(_OBS[d][:3], (0.55, 0.3, 0.15))[0]
        return {"camera": c.name, "frame": c.frame, "tmax": c.t0 + c.solar * sun + r.gauss(0.0, 2.0),
                "obs": obs}, self.cam_origin

    def _draw_lake(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        lk = self._zipf(self.lakes, 0.6)
        if live:
            lk.drift = min(1.5, max(-1.5, lk.drift + r.gauss(0.0, 0.1)))
            drift = lk.drift
        else:
            drift = r.uniform(-1.5, 1.5)
        return {"lake": lk.name, "laket": lk.t0 + drift + r.gauss(0.0, 0.6), "ph": lk.ph0 + r.gauss(0.0, 0.08),
                "cond": lk.c0 * r.lognormvariate(0.0, 0.08)}, self.hydro_origin

    def _draw_infra(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        a = self._zipf(self.arrays, 0.5)
        h = self._hours(live) % 24.0
        ndet = 0.0 if r.random() < a.zero else float(1 + int(r.expovariate(0.5)))
        return {"array": a.name, "amp": a.a0 * (1.0 + 1.5 * self.windy(h)) * r.lognormvariate(0.0, 0.3),
                "ndet": ndet, "baz": (a.baz + r.gauss(0.0, 4.0)) % 360.0}, self.cam_origin

    def _draw_afm(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        s = self._zipf(self.afms, 0.4)
        if live:
            s.iv += 1
        raining = self.raining if live else r.random() < self.rain_share
        rain = r.lognormvariate(math.log(self.rain0), 0.6) if raining else \
            (0.0 if r.random() < 0.95 else r.uniform(0.1, 0.3))
        return {"afmst": s.name, "river": s.river, "aiv": s.iv,
                "afm": s.l0 * (1.0 + 0.3 * rain) * r.lognormvariate(0.0, 0.3), "rain": rain}, self.hydro_origin

    def _draw_ashfall(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        loc = self._zipf(self.localities, 0.6)
        load = 0.0 if r.random() < 0.62 else r.lognormvariate(math.log(self.ash0 / loc.dist), 0.9)
        note = self._fill(r.choice(_ASH_NOTES[d])) if live else ""
        return {"locality": loc.name, "dist": loc.dist, "load": load, "grain": r.choice(_GRAIN[d]),
                "note": note}, self.field_origin

    def _draw_field(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._fieldno += 1
        ftemp = self.boil + r.gauss(0.0, 1.2) if r.random() < 0.85 else self.boil + r.expovariate(1 / 5.0)
        cracks = 0.0 if r.random() < 0.7 else float(1 + int(r.expovariate(0.7)))
        note = self._fill(r.choice(_FIELD_NOTES[d])) if live else ""
        return {"fieldno": self._field_id(self._fieldno), "team": r.choice(self.teams),
                "fsite": r.choice(self.field_sites), "ftemp": ftemp, "cracks": cracks, "note": note}, self.field_origin

    def _draw_bulletin(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._bulno += 1
        v = self._zipf(self.volcanoes, 0.8)
        nq = r.lognormvariate(math.log(v.nq0), 0.45)
        note = self._fill(r.choice(_BULLETIN_NOTES[d]), volcano=v.name) if live else ""
        return {"bulno": self._bul_id(self._bulno), "volcano": v.name, "nq": nq,
                "maxmag": v.mc + 0.5 + r.expovariate(v.b * LN10) * 1.5, "note": note}, self.duty_origin

    def _draw_vona(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        if live:
            self._vonano += 1
        v = self._zipf(self.volcanoes, 0.8)
        note = self._fill(r.choice(_VONA_NOTES[d])) if live else ""
        return {"vonano": self._vona_id(self._vonano), "volcano": v.name,
                "top": v.summit + r.lognormvariate(math.log(v.plume0), 0.45),
                "ash": r.choices(_ASH[d], (0.8, 0.2))[0], "note": note}, self.duty_origin

    def _draw_eruption(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        v = r.choice(self.volcanoes)
        column = r.uniform(2.0, 15.0)
        return {"volcano": v.name, "vent": r.choice(self.field_sites), "column": column,
                "note": self._fill(r.choice(_ERUPTION_NOTES[d]), volcano=v.name, n=str(int(column)))}, self.duty_origin

    def _draw_lahar(self, live: bool) -> tuple[dict[str, object], int]:
        r = self._r
        s = r.choice(self.afms)
        return {"river": s.river, "afmst": s.name, "ldepth": r.uniform(0.5, 6.0),
                "lvel": r.uniform(2.0, 12.0)}, self.hydro_origin

    def _draw_pdc(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        return {"volcano": r.choice(self.volcanoes).name, "runout": r.uniform(0.8, 8.0),
                "sector": r.choice(_SECTORS[d])}, self.cam_origin

    def _draw_felt(self, live: bool) -> tuple[dict[str, object], int]:
        r, d = self._r, self.dialect
        return {"locality": r.choice(self.localities).name, "mag": r.uniform(2.5, 5.0),
                "intensity": r.choice(_INTENSITY[d])}, self.field_origin

    def _slot(self, minute: int) -> str:
        h, m = divmod(minute, 60)
        if self.dialect == "is":
            return f"{h:02d}:{m:02d}"
        if self.dialect == "ja":
            return f"{h}時{m:02d}分"
        return f"{(h + 11) % 12 + 1}:{m:02d} {'AM' if h < 12 else 'PM'}"

    def _ev_id(self, n: int) -> str:
        return {"is": f"sk{self.year}-{n:06d}", "ja": f"EV{n:08d}", "pam": f"PHV-{self.year}-{n:06d}"}[self.dialect]

    def _field_id(self, n: int) -> str:
        return {"is": f"VS-{n:05d}", "ja": f"現地第{n}号", "pam": f"FR-{self.year}-{n:04d}"}[self.dialect]

    def _bul_id(self, n: int) -> str:
        return {"is": f"{self.year}/{n:04d}", "ja": f"第{n}号", "pam": f"Bulletin No. {n}"}[self.dialect]

    def _vona_id(self, n: int) -> str:
        return {"is": f"{self.year}-IMO-{n:03d}", "ja": f"{self.year}/{n:04d}",
                "pam": f"{self.year}-PHV-{n:03d}"}[self.dialect]

    def _fill(self, template: str, **given: str) -> str:
        r = self._r
        slots: dict[str, Callable[[], object]] = {
            "n": lambda: r.randint(2, 40), "m": lambda: f"{r.uniform(1.5, 3.9):.1f}".replace(".", ",")
            if self.dialect == "is" else f"{r.uniform(1.5, 3.9):.1f}",
            "place": lambda: r.choice(self.field_sites), "locality": lambda: r.choice(self.localities).name,
            "volcano": lambda: r.choice(self.volcanoes).name, "sector": lambda: r.choice(_SECTORS[self.dialect])}
        names = [p.split("}", 1)[0] for p in template.split("{")[1:]]
        return template.format_map({n: given[n] if n in given else slots[n]() for n in dict.fromkeys(names)})

    # -- writing and reading -----------------------------------------------------------------------------------
    def _enc(self, key: str, x: float, dec: int | None = None) -> object:
        """A number in written units as this dialect prints it: rounded; a string (a decimal comma, a thousands
        comma, a prefix or a unit) where the dialect writes one, else a plain number."""
        dec = self._dec[key] if dec is None else dec
        y = round(x, dec) + 0.0 if dec else int(round(x))
        fmt = self._fmt.get(key)
        return y if fmt is None else fmt.write(y, dec)

    def _write(self, sem: dict[str, object]) -> dict[str, object]:
        """Semantic fields -> this dialect's names, units, rounding and number format."""
        out: dict[str, object] = {}
        for s, v in sem.items():
            key = self.keys[s]
            out[key] = self._enc(key, self._units[s].to(v)) if s in self._units and isinstance(v, float) else v
        return out

    def read(self, key: str, v: object) -> float:
        """A written reading back as a number (by the dialect's decimal and thousands marks)."""
        return read_number(v, self.dialect)

    # -- truth -------------------------------------------------------------------------------------------------
    def _k_of(self, kind: str, key: str, f: dict[str, object]) -> float:
        s = self.stats[kind][key]
        return abs(_space(self.read(key, f[key]), s.space) - s.center) / s.spread

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
        if mode == "level":
            n = int(_NUM.search(str(v)).group())  # type: ignore[union-attr]
            return STEP_STRENGTH[{"is": 5 - n, "ja": n - 1, "pam": n}[d]]
        if mode == "colour":
            return COLOUR_STRENGTH[_COLOUR[d].index(str(v))]
        if mode == "countdown":
            return STEP_STRENGTH[sum(_countdown_minutes(d, v) < e for e in _CD_EDGES)]
        if mode == "deadline":
            left = _stamp_minutes(d, str(v)) - _stamp_minutes(d, str(fields[self.keys["opened"]]))
            return STEP_STRENGTH[sum(left < e for e in _CD_EDGES)]
        if mode == "score":
            edges = {"is": (0.2, 0.4, 0.6, 0.8), "ja": (2, 4, 6, 8), "pam": (20, 40, 60, 80)}[d]
            return STEP_STRENGTH[sum(float(v) >= e for e in edges)]  # type: ignore[arg-type]
        if mode == "percent":
            return STEP_STRENGTH[sum(read_number(v, d) >= e for e in _PCT_EDGES)]
        if mode == "flag":
            return FLAG_STRENGTH if v == _FLAG[d][1] else 0.0
        if mode == "code":
            return STEP_STRENGTH[_CODE[d].index(str(v))]
        return STEP_STRENGTH[_ESCALATION[d].index(str(v))]

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
            f = self._write(sem)
            if self.anomaly_k(kind, f) < ROUTINE_BELOW:
                return f, origin
        raise RuntimeError(f"no routine draw of {kind}")  # pragma: no cover

    def _push_off(self, kind: str, f: dict[str, object]) -> bool:
        """Move one anomaly-prone number 5.2-12 spreads off its median, within bounds; False if none can go."""
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

    def _draw_step(self, news: bool) -> int:
        r = self._r
        if not news:
            return r.choices(range(5), STEP_ODDS)[0]
        return r.choice((3, 4)) if self.prio_mode == "flag" else r.choices((2, 3, 4), (0.3, 0.4, 0.3))[0]

    def _form(self, step: int, opened: float) -> object:
        """The step as the world's form writes it (``opened``: the clock in minutes, for deadlines)."""
        r, d, mode = self._r, self.dialect, self.prio_mode
        if mode == "words":
            return _WORDS[d][step]
        if mode == "level":
            return 5 - step if d == "is" else f"レベル{step + 1}" if d == "ja" else step
        if mode == "colour":
            return _COLOUR[d][COLOUR_OF_STEP[step]]
        if mode == "countdown":
            m = r.choice(_CD_MIN[step])
            return _duration(d, m) if d != "pam" else m
        if mode == "deadline":
            return _stamp(d, opened + r.choice(_CD_MIN[step]))
        if mode == "score":
            if d == "is":
                lo, hi = round(0.2 * step, 2), round(0.2 * step + 0.19, 2) if step < 4 else 1.0
                x = r.triangular(lo, hi, lo) if step == 0 else r.uniform(lo, hi)
                return min(hi, max(lo, round(x, 2)))
            width = 2 if d == "ja" else 20
            lo = step * width
            hi = lo + width - 1 if step < 4 else 5 * width
            return int(r.triangular(lo, hi + 0.999, lo)) if step == 0 else r.randint(lo, hi)
        if mode == "percent":
            lo, hi = _PCT[step]
            n = r.randint(lo, hi)
            return f"{n} %" if d == "is" else f"{n}％" if d == "ja" else n
        if mode == "flag":
            return _FLAG[d][int(step >= 3)]
        if mode == "code":
            return _CODE[d][step]
        return _ESCALATION[d][step]

    def _mark(self, kind: str, f: dict[str, object], step: int) -> None:
        """Write the step (carriers only), the issue time beside a deadline, and the note's urgent or calm
        words."""
        r, d = self._r, self.dialect
        nk = self.keys["note"]
        if self.prio_mode == "text":
            if step and nk in f:
                phrase = _URGENT[d][step - 1]
                sep = "。" if d == "ja" else ". "
                f[nk] = f"{phrase}{sep}{f[nk]}" if r.random() < 0.5 else f"{f[nk]}{'、' if d == 'ja' else '; '}{phrase}"
        elif kind in CARRIERS:
            opened = int((self.day * 24.0 + self.hour) * 60.0)
            if self.prio_mode == "deadline":
                f[self.keys["opened"]] = _stamp(d, opened)
            f[str(self.prio_key)] = self._form(step, opened)
        if nk in f and step == 0 and r.random() < 0.3:
            calm = r.choice(_CALM[d])
            f[nk] = f"{f[nk]}（{calm}）" if d == "ja" else f"{f[nk]} ({calm})"

    def _weather(self) -> None:
        r = self._r
        flip = self.tick_h / 3.0  # rain spells last hours
        if self.raining:
            self.raining = r.random() >= flip
        else:
            self.raining = r.random() < flip * self.rain_share / max(1e-6, 1.0 - self.rain_share)
        self.baro = min(1045.0, max(975.0, self.baro + r.gauss(0.0, 0.15)))

    def _fresh(self, kind: str, t: float, news: bool = False) -> _Rec:
        """A routine record (with ``news``, a burst head: anomalous or with raised priority)."""
        r = self._r
        self.hour += self.tick_h * r.uniform(0.5, 1.5)
        if self.hour >= 24.0:
            self.hour -= 24.0
            self.day += 1
        self._weather()
        f, origin = self._routine(kind)
        rare_sem = {"quake": "qtype", "thermal": "obs", "so2": "method"}.get(kind)
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
        idx = [i for i in range(max(0, n - 500), n) if recs[i].case in ("routine", "burst_head")]
        if not idx:
            return -1
        w = [(recs[i].importance + 0.04) * math.exp(-(n - i) / self.copy_memory) for i in idx]
        return self._r.choices(idx, w)[0]

    def _reentry(self, f: dict[str, object]) -> dict[str, object]:
        """Another system's re-entry: one or two values re-rounded or re-typed (never the priority field, the
        issue time, a counter, nor, in a world that writes priority in notes, the note)."""
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
        for key, w in r.sample(options, min(len(options), 2 if r.random() < 0.3 else 1)):
            g[key] = w
        return g

    def _renumber(self, key: str, v: object) -> object:
        """A number as another system writes it: re-rounded, its last digit moved, or (a string) a point for
        the decimal comma, the unit's space dropped or added, the thousands comma dropped, full-width digits,
        ℃ as °C. May return ``v`` itself."""
        r, d = self._r, self.dialect
        dec = self._dec[key]
        outs: list[object] = []
        if isinstance(v, str):
            fmt = self._fmt[key]
            if d == "is":
                if "," in v:
                    outs.append(v.replace(",", ".", 1))
                outs.append(v.replace(" ", "", 1))
            else:
                if "," in v:
                    outs.append(v.replace(",", ""))
                outs.append(v.translate(_WIDE))
                if "℃" in v:
                    outs.append(v.replace("℃", "°C"))
                if fmt.suffix:
                    outs.append(v.replace(fmt.suffix, " " + fmt.suffix))
                if fmt.prefix:
                    outs.append(v.replace(fmt.prefix, fmt.prefix + " ", 1))
            x = self.read(key, v)
            y = _coarser(x, dec)
            if y != x:
                outs.append(self._enc(key, y, max(0, dec - 1)))
        elif isinstance(v, int | float) and not isinstance(v, bool):
            y = _coarser(v, dec if isinstance(v, float) else 0)
            if y != v:
                outs.append(y)
            if isinstance(v, float) and dec:
                outs.append(round(v + r.choice((-1, 1)) * 10.0 ** -dec, dec))
            elif isinstance(v, int) and abs(v) >= 50:
                outs.append(v + r.choice((-1, 1)))
        outs = [o for o in outs if o != v]
        return r.choice(outs) if outs else v

    def _retype(self, s: str) -> str:
        """How another system writes the same words or id: an abbreviation, letters folded, half-width
        katakana, full-width digits, a separator, case."""
        r, d = self._r, self.dialect
        out = [s.replace(a, b, 1) for a, b in _ABBREV[d] if a in s and s.replace(a, b, 1).strip()]
        if d == "ja":
            half = "".join(_HALF.get(c, c) for c in s)
            if half != s:
                out.extend((half, half))
            wide = s.translate(_WIDE)
            if wide != s:
                out.append(wide)
        else:
            folded = _fold(s)
            if folded != s:
                out.extend((folded, folded))
        for a, b in (("-", ""), ("/", "-"), ("'", ""), (" ", "-")):
            if a in s and len(s) < 24 and not re.search("[a-zá-þ]{3}", s):
                out.append(s.replace(a, b))
        if s.upper() != s and len(s) < 40:
            out.append(s.upper())
        elif s.lower() != s:
            out.append(s.lower())
        out = [x for x in out if x != s]
        return r.choice(out) if out else s

    def _tail(self, b: _Storm, t: float) -> _Rec:
        """A burst's look-alike: same kind, origin and keys; plain numbers drift, counters step, words (and
        numbers written as strings) stay."""
        r = self._r
        b.emitted += 1
        g = dict(b.rec.fields)
        steps = {self.keys[c] for c in COUNTERS}
        movable = sorted(k for k, v in g.items() if _drifts(v) and k in self._dec and k != self.prio_key)
        for key, v in b.rec.fields.items():
            if key in steps:
                g[key] = _step_counter(v, b.emitted)
            elif key in movable:
                x = float(v)  # type: ignore[arg-type]
                quantum = 10.0 ** -self._dec[key]
                lo, hi = self._caps.get(key, (-math.inf if x < 0 else 0.0, math.inf))
                y = min(hi, max(lo, x + r.gauss(0.0, 0.008 * abs(x) + 0.5 * quantum)))
                g[key] = round(y, self._dec[key]) if isinstance(v, float) else int(round(y))
        if g == b.rec.fields:  # nothing moved past its rounding
            if movable:
                key = r.choice(movable)
                v = g[key]
                sign = r.choice((-1, 1)) if abs(float(v)) > 1 else 1  # type: ignore[arg-type]
                g[key] = round(float(v) + sign * 10.0 ** -self._dec[key], self._dec[key]) if isinstance(v, float) \
                    else int(v) + sign  # type: ignore[call-overload]
            else:  # pragma: no cover - every burst kind has a plain number or a counter
                raise RuntimeError("a burst tail with nothing to move")
        return _Rec(b.rec.kind, b.rec.origin, t, g, "burst_tail", tail_importance(b.rec.importance), b.head)


# -- helpers ---------------------------------------------------------------------------------------------------
def _world_rng(seed: int) -> random.Random:
    return random.Random(f"holdout-volcano/{seed}")


def _draw_form(r: random.Random) -> tuple[str, str]:
    return r.choice(DIALECTS), r.choice(PRIORITY_MODES)


def world_form(seed: int) -> tuple[str, str]:
    """A seed's (dialect, priority form), without building its world (the constructor draws them first)."""
    return _draw_form(_world_rng(seed))


def read_number(v: object, dialect: str = "is") -> float:
    """A written reading back as a number: plain, or a string (``"4,2 km"``, ``"M2.3"``, ``"1,200トン/日"``,
    ``"FL120"``, full-width digits): a comma is a decimal mark in ``is`` and ``pam``, a thousands mark in
    ``ja``."""
    if isinstance(v, bool):
        raise TypeError("a flag is not a reading")
    if isinstance(v, int | float):
        return float(v)
    m = _NUM.search(unicodedata.normalize("NFKC", str(v)))
    if m is None:
        raise ValueError(f"no number in {v!r}")
    s = m.group()
    return float(s.replace(",", "") if dialect == "ja" else s.replace(",", ".", 1))


def _duration(d: str, minutes: int) -> str:
    if minutes % 1440 == 0:
        n = minutes // 1440
        return f"{n}日" if d == "ja" else f"{n} dagur" if n % 10 == 1 and n % 100 != 11 else f"{n} dagar"
    if minutes % 60 == 0:
        return f"{minutes // 60}時間" if d == "ja" else f"{minutes // 60} klst."
    return f"{minutes}分" if d == "ja" else f"{minutes} mín."


def _countdown_minutes(d: str, v: object) -> int:
    if d == "pam":
        return int(str(v))
    m = re.fullmatch(r"(\d+) ?(日|時間|分|dagur|dagar|klst\.|mín\.)", str(v))
    if m is None:
        raise ValueError(f"not a countdown: {v!r}")
    return int(m[1]) * {"日": 1440, "時間": 60, "分": 1, "dagur": 1440, "dagar": 1440, "klst.": 60, "mín.": 1}[m[2]]


_EPOCH_DAYS = 738886  # date(2024, 1, 1).toordinal()


def _stamp(d: str, minutes: float) -> str:
    """The observatory clock (minutes since 2024-01-01 00:00 local) as the dialect writes a date and time."""
    m = int(minutes)
    day, rest = divmod(m, 1440)
    date = _dt.date.fromordinal(_EPOCH_DAYS + day)
    hh, mm = divmod(rest, 60)
    if d == "is":
        return f"{date.day}. {_MONTHS_IS[date.month - 1]} {date.year} kl. {hh:02d}:{mm:02d}"
    if d == "ja":
        return f"{date.year}年{date.month}月{date.day}日 {hh:02d}時{mm:02d}分"
    return f"{date.month:02d}/{date.day:02d}/{date.year} {(hh + 11) % 12 + 1:02d}:{mm:02d} {'AM' if hh < 12 else 'PM'}"


def _stamp_minutes(d: str, s: str) -> int:
    if d == "is":
        m = re.fullmatch(r"(\d{1,2})\. (\w+) (\d{4}) kl\. (\d{2}):(\d{2})", s)
        da, mon, y, hh, mi = m.groups()  # type: ignore[union-attr]
        mo = _MONTHS_IS.index(mon) + 1
        hour = int(hh)
    elif d == "ja":
        m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日 (\d{2})時(\d{2})分", s)
        y, mo, da, hh, mi = m.groups()  # type: ignore[union-attr,assignment]
        hour = int(hh)
    else:
        m = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2}) (AM|PM)", s)
        mo, da, y, hh, mi, ap = m.groups()  # type: ignore[union-attr,assignment]
        hour = int(hh) % 12 + (12 if ap == "PM" else 0)
    return (_dt.date(int(y), int(mo), int(da)).toordinal() - _EPOCH_DAYS) * 1440 + hour * 60 + int(mi)


def _coarser(v: int | float, dec: int) -> int | float:
    """Another system's rounding: one decimal fewer, or whole numbers of 10 and more to the nearest 5 / 10 /
    100. May return ``v`` itself."""
    if isinstance(v, float) and dec > 0:
        return round(v, dec - 1) + 0.0
    if abs(v) < 10:
        return v
    step = 100 if abs(v) >= 5000 else 10 if abs(v) >= 200 else 5
    out = round(v / step) * step
    return int(out) if isinstance(v, int) else float(out)


def _drifts(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v != 0


def _step_counter(v: object, by: int) -> object:
    """A counter ``by`` further on: an int, or the last run of digits in an id (``sk2024-001234``, ``第12号``)."""
    if isinstance(v, int):
        return v + by
    s = str(v)
    runs = list(re.finditer(r"\d+", s))
    if not runs:  # pragma: no cover - every counter id holds digits
        raise ValueError(f"no counter in {s!r}")
    m = runs[-1]
    return f"{s[:m.start()]}{int(m.group()) + by:0{len(m.group())}d}{s[m.end():]}"
