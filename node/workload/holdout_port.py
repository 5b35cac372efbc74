"""Held-out workload family: a seaport and its vessel traffic. Theory of operation.

Written blind
-------------
This generator was written without looking at the importance model or at any
other workload generator. Its author read only: ``protocol/record.py`` (the
Record type), ``protocol/keys.py`` (PrivateKey and peer ids), the definitions of
``noisy_or``, ``main_reason`` and ``LabeledRecord`` in
``node/workload/domains.py`` (printing those line ranges also showed, by
accident, the first lines of the private dataclass that follows
``LabeledRecord`` and of the rounding helper that follows ``noisy_or``; neither
is used here), ``tests/node/holdout_checks.py``, ``tests/node/test_holdout_rail.py``
(for test style and label conventions only) and the ``[tool.ruff]`` section of
``pyproject.toml``. Every kind, field name, unit, vocabulary and priority
encoding below is the author's own guess of how port people write.

The world
---------
Each seed builds one port ("world"), written in one of three dialects:

* ``no`` Norwegian bokmal (with ae/o/a letters): kinds and keys dotted lowercase;
* ``id`` Indonesian: kinds and keys SCREAMING_SNAKE_CASE;
* ``el`` Greek in Latin transliteration: kinds and keys camelCase, numeric keys
  carry a unit suffix.

Common kinds (5-8 per world, per-world weights): AIS position reports (speed
bimodal moored/underway, heading, draught), ship-to-shore crane cycles (a lift
counter that only grows, heavy-tailed spreader load, empties vs laden),
reefer container temperatures (setpoint vs supply/return air, drifting with a
diurnal ambient), berth occupancy, pilot and tug dispatch logs (free text),
gate truck transactions, weather buoys (wind, gusts, heavy-tailed wave height,
visibility, pressure drifting over days), bunkering (volume, density and
sulphur, both bimodal by fuel grade), customs inspection status, mooring line
tension (following the tide) and harbour master notices (free text).
Units are chosen per world and per family (knots or m/s, metres or feet,
tonnes or kilograms, Celsius or Fahrenheit, cubic metres or barrels, nautical
miles or kilometres, kilonewtons or tonnes-force); scales (vessel sizes,
climate, wind, port size) vary per world, and the climate follows the dialect.

Rare kinds (1-3 per world, each well under 1% of the stream): man overboard,
oil spill and collision/allision always carry a high explicit priority
(:data:`ALWAYS_PRIORITY_RARE`); vessel detention and port closure never do
(:data:`NEVER_PRIORITY_RARE`); every world has at least one of the latter.

Explicit priority
-----------------
One encoding per world (:data:`PRIORITY_MODES`), in one field, carried only by
the kinds in :data:`PRIORITY_KINDS` and by the always-priority rare kinds.
About 85% of the values sit at the lowest step. The modes:

* ``radio``: the marine radio call categories (routine word of the dialect,
  SECURITE, PAN-PAN, MAYDAY), spelled with or without accents and hyphens;
* ``marsec``: the ISPS maritime security level 1-3 (1 is normal);
* ``prio_down``: a ticket priority 1-5 where 1 is the most severe (a low
  number is the worst);
* ``flag``: International Code of Signals flag hoists (routine flags such as
  H, G, Q, P or none; B and A ask for caution; V and W ask for assistance;
  O is man overboard and NC is distress);
* ``colour``: a colour code in the dialect (green, yellow, orange, red);
* ``sar``: the search-and-rescue emergency phase (none, INCERFA, ALERFA,
  DETRESFA);
* ``words``: a free-text remark whose urgency words count unless negated
  ("... ikke", "tidak ...", "ochi ...").

Independently of the mode, the free-text kinds (pilot logs, notices, and the
texts of always-priority rare kinds) may carry urgency words in their text,
with negations that do not count (:func:`text_priority`).

Truth
-----
Per the definition: routine records and burst heads score
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)`` with detail
``main_reason(0.9 * anomaly, 0.9 * priority, rarity, rare_kind)``, a function
of the content alone (:meth:`PortWorkload.score`). ``anomaly`` is
:func:`anomaly_strength` of the largest distance, in robust spreads, of a
numeric reading from the world's calibrated median for that kind (0 below
:data:`ANOMALY_K`); about 3% of routine records get one reading pushed 6-25
robust spreads out (6-12 for readings judged on a log scale). ``priority`` is
the explicit step's value (0, or at least 0.4, or a sub-threshold 0.15 for the
second-lowest ticket level). ``rarity`` is 0.5
for a rare kind and 0.45 for a rare categorical value (a grounded vessel, a
blocked berth, a seized container).

Copies: an exact duplicate (a later copy or another terminal's relay) scores
0.05 x its source, a near duplicate (another sensor's or clerk's reading of
the same event: rounding, re-cased or accent-dropped words, re-typed codes)
0.1 x its source. A burst is one device chattering: a head carrying news
(an anomaly or a high priority) and 2-40 tails of the same kind, origin and
keys within seconds, each scoring ``min(0.02, 0.1 * head)``. A resend of a
newsworthy record from an earlier batch scores 0.01.

Pure Python, deterministic in the seed: one ``random.Random``, no string
hashing, no set iteration order.
"""

from __future__ import annotations

import math
import random
import re
from typing import Any

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.keys import PrivateKey
from protocol.record import Record

DIALECTS = ("no", "id", "el")
PRIORITY_MODES = ("radio", "marsec", "prio_down", "flag", "colour", "sar", "words")
COMMON_KINDS = ("ais", "crane", "reefer", "berth", "pilot", "gate", "buoy", "bunker", "customs",
                "mooring", "notice")
RARE_KINDS = ("mob", "spill", "collision", "detention", "closure")
ALWAYS_PRIORITY_RARE = ("mob", "spill", "collision")
NEVER_PRIORITY_RARE = ("detention", "closure")
PRIORITY_KINDS = ("ais", "pilot", "buoy", "customs", "notice")
TEXT_KINDS = ("pilot", "notice", "mob", "spill", "collision", "detention", "closure")
UNIT_FAMILIES: dict[str, tuple[str, str]] = {
    "spd": ("kn", "ms"), "len": ("m", "ft"), "mass": ("t", "kg"), "tmp": ("c", "f"),
    "vol": ("m3", "bbl"), "dist": ("nm", "km"), "force": ("kN", "tf"),
}

ANOMALY_K = 5.0  # robust spreads from the median at which a reading counts as anomalous
RARE_KIND_RARITY = 0.5
RARE_VALUE_RARITY = 0.45
BASE = 0.04
DUP_FACTOR = 0.05
NEAR_DUP_FACTOR = 0.1
RESEND_IMPORTANCE = 0.01


def anomaly_strength(k: float) -> float:
    """Anomaly in [0, 1] from a distance in robust spreads: 0 below ANOMALY_K, then 0.4 and up."""
    if k < ANOMALY_K:
        return 0.0
    return min(1.0, 0.4 + 0.06 * (k - ANOMALY_K))


def tail_importance(head: float) -> float:
    return min(0.02, 0.1 * head)


# --- vocabulary ---------------------------------------------------------------------------------
_DI = {"no": 0, "id": 1, "el": 2}

KIND_NAMES: dict[str, tuple[str, str, str]] = {
    "ais": ("havn.ais.posisjon", "POSISI_AIS_KAPAL", "aisThesiPloiou"),
    "crane": ("havn.kran.løftesyklus", "SIKLUS_KRAN_PETIKEMAS", "kyklosGeranou"),
    "reefer": ("havn.kjølecontainer.temperatur", "SUHU_PETIKEMAS_BERPENDINGIN", "thermokrasiaPsygeiou"),
    "berth": ("havn.kai.belegg", "OKUPANSI_DERMAGA", "katalipsiProvlitas"),
    "pilot": ("havn.los.slep.logg", "LOG_PANDU_TUNDA", "imerologioPlogonRyfoulkon"),
    "gate": ("havn.port.lastebil", "TRANSAKSI_GERBANG_TRUK", "kinisiPylisFortigon"),
    "buoy": ("havn.værbøye", "PELAMPUNG_CUACA", "meteoSimadoura"),
    "bunker": ("havn.bunkring", "PENGISIAN_BAHAN_BAKAR_KAPAL", "anefodiasmosKafsimon"),
    "customs": ("havn.toll.kontroll", "STATUS_PEMERIKSAAN_BEA_CUKAI", "telonikosElegchos"),
    "mooring": ("havn.fortøyning.strekk", "TEGANGAN_TALI_TAMBAT", "entasiKavonProsdesis"),
    "notice": ("havn.havnefogd.melding", "MAKLUMAT_PELAYARAN_SYAHBANDAR", "anakoinosiLimenarchi"),
    "mob": ("havn.mann.over.bord", "ORANG_JATUH_KE_LAUT", "anthroposStiThalassa"),
    "spill": ("havn.oljeutslipp", "TUMPAHAN_MINYAK", "petrelaiokiRypansi"),
    "collision": ("havn.kollisjon", "TABRAKAN_KAPAL", "syngrousiPloion"),
    "detention": ("havn.havnestatskontroll.tilbakeholdelse", "PENAHANAN_KAPAL_PSC", "kratisiPloiouPsc"),
    "closure": ("havn.stenging", "PENUTUPAN_PELABUHAN", "kleisimoLimaniou"),
}

_T = tuple[str, ...]
FIELD_WORDS: dict[str, tuple[_T, _T, _T]] = {
    "mmsi": (("mmsi",), ("MMSI",), ("mmsi",)),
    "vessel": (("fartøy",), ("NAMA", "KAPAL"), ("onoma", "ploiou")),
    "speed": (("fart",), ("KECEPATAN",), ("taxytita",)),
    "heading": (("kurs", "grader"), ("HALUAN", "DERAJAT"), ("poreia", "moires")),
    "draught": (("dypgang",), ("SARAT",), ("vythisma",)),
    "navstatus": (("navstatus",), ("STATUS", "NAVIGASI"), ("katastasi", "plou")),
    "crane_id": (("kran",), ("NOMOR", "DEREK"), ("geranos",)),
    "counter": (("løfteteller",), ("PENGHITUNG", "ANGKATAN"), ("metritis", "anypsoseon")),
    "load": (("spreder", "last"), ("BEBAN", "SPREADER"), ("fortio", "spreader")),
    "cycle": (("syklustid", "s"), ("WAKTU", "SIKLUS", "DETIK"), ("chronos", "kyklou", "sec")),
    "container": (("container", "nr"), ("NOMOR", "PETIKEMAS"), ("kodikos", "kontainer")),
    "twin": (("tvillingløft",), ("ANGKAT", "GANDA"), ("diplianypsosi",)),
    "setpoint": (("settpunkt",), ("SUHU", "SETELAN"), ("simeio", "rythmisis")),
    "supply": (("tilluft",), ("SUHU", "UDARA", "PASOK"), ("aeras", "prosagogis")),
    "ret": (("returluft",), ("SUHU", "UDARA", "BALIK"), ("aeras", "epistrofis")),
    "ambient": (("utetemp",), ("SUHU", "SEKITAR"), ("thermokrasia", "perivallontos")),
    "berth": (("kai",), ("DERMAGA",), ("provlita",)),
    "status": (("status",), ("STATUS",), ("katastasi",)),
    "loa": (("lengde", "oa"), ("PANJANG", "KAPAL"), ("mikos", "ploiou")),
    "occupancy": (("belegg", "prosent"), ("TINGKAT", "HUNIAN", "PERSEN"), ("katalipsi", "pct")),
    "dwell": (("liggetid", "timer"), ("WAKTU", "TAMBAT", "JAM"), ("paramoni", "ores")),
    "pilot": (("los",), ("PANDU",), ("plogos",)),
    "tug": (("slepebåt",), ("KAPAL", "TUNDA"), ("ryfoulko",)),
    "tugs": (("antall", "slepebåter"), ("JUMLAH", "TUNDA"), ("arithmos", "ryfoulkon")),
    "eta": (("eta", "min"), ("ETA", "MENIT"), ("eta", "lepta")),
    "text": (("tekst",), ("ISI",), ("keimeno",)),
    "lane": (("felt",), ("LAJUR",), ("lorida",)),
    "plate": (("regnr",), ("NOMOR", "POLISI"), ("pinakida",)),
    "gross": (("bruttovekt",), ("BERAT", "KOTOR"), ("mikto", "varos")),
    "direction": (("retning",), ("ARAH",), ("kateuthynsi",)),
    "wait": (("ventetid", "min"), ("WAKTU", "TUNGGU", "MENIT"), ("anamoni", "lepta")),
    "station": (("stasjon",), ("STASIUN",), ("stathmos",)),
    "wind": (("vind", "middel"), ("ANGIN", "RATA"), ("anemos", "mesos")),
    "gust": (("vindkast",), ("HEMBUSAN", "ANGIN"), ("ripi", "anemou")),
    "wave": (("bølgehøyde", "hs"), ("TINGGI", "GELOMBANG"), ("ypsos", "kymatos")),
    "visibility": (("sikt",), ("JARAK", "PANDANG"), ("oratotita",)),
    "pressure": (("lufttrykk", "hpa"), ("TEKANAN", "UDARA", "HPA"), ("varometriki", "piesi", "hpa")),
    "grade": (("kvalitet",), ("JENIS", "BBM"), ("typos", "kafsimou")),
    "volume": (("volum",), ("VOLUME",), ("ogkos",)),
    "density": (("tetthet", "kg", "m3"), ("DENSITAS", "KG", "M3"), ("pyknotita", "kg", "m3")),
    "sulphur": (("svovel", "prosent"), ("KADAR", "SULFUR", "PERSEN"), ("periektikotita", "theiou", "pct")),
    "declaration": (("deklarasjon", "nr"), ("NOMOR", "PIB"), ("arithmos", "diasafistis")),
    "days": (("dager", "på", "terminal"), ("HARI", "TIMBUN"), ("imeres", "paramonis")),
    "line": (("trosse", "nr"), ("NOMOR", "TALI"), ("kavos",)),
    "tension": (("strekk",), ("TEGANGAN",), ("entasi",)),
    "mbl": (("andel", "mbl", "prosent"), ("PERSEN", "MBL"), ("pososto", "mbl")),
    "notice_no": (("melding", "nr"), ("NOMOR", "MAKLUMAT"), ("arithmos", "anakoinosis")),
    "valid": (("gyldig", "timer"), ("BERLAKU", "JAM"), ("ischys", "ores")),
    "position": (("posisjon",), ("POSISI",), ("thesi",)),
    "persons": (("personer",), ("JUMLAH", "ORANG"), ("atoma",)),
    "substance": (("stoff",), ("JENIS", "ZAT"), ("ousia",)),
    "spill_volume": (("anslått", "mengde"), ("PERKIRAAN", "VOLUME"), ("ektimomenos", "ogkos")),
    "vessel2": (("motpart",), ("KAPAL", "LAWAN"), ("allo", "ploio")),
    "incident": (("hendelse",), ("JENIS", "KEJADIAN"), ("eidos", "symvantos")),
    "imo": (("imo", "nr"), ("NOMOR", "IMO"), ("arithmos", "imo")),
    "deficiencies": (("mangler",), ("JUMLAH", "KEKURANGAN"), ("elleipseis",)),
    "hours": (("varighet", "timer"), ("DURASI", "JAM"), ("diarkeia", "ores")),
    "reason": (("årsak",), ("ALASAN",), ("aitia",)),
}

PRIO_KEY_WORDS: dict[str, tuple[_T, _T, _T]] = {
    "radio": (("sambandskategori",), ("KATEGORI", "PANGGILAN", "RADIO"), ("katigoria", "klisis")),
    "marsec": (("marsec", "nivå"), ("TINGKAT", "MARSEC"), ("epipedo", "marsec")),
    "prio_down": (("prioritet",), ("PRIORITAS",), ("proteraiotita",)),
    "flag": (("signalflagg",), ("BENDERA", "ISYARAT"), ("simaia", "simatos")),
    "colour": (("fargekode",), ("KODE", "WARNA"), ("chromatikos", "kodikos")),
    "sar": (("sar", "fase"), ("FASE", "SAR"), ("fasi", "sar")),
    "words": (("merknad",), ("CATATAN",), ("paratirisi",)),
}

UNIT_WORDS: dict[str, tuple[str, str, str]] = {
    "kn": ("knop", "KNOT", "komvoi"), "ms": ("ms", "MS", "ms"), "m": ("m", "M", "m"),
    "ft": ("fot", "KAKI", "podia"), "t": ("tonn", "TON", "tonoi"), "kg": ("kg", "KG", "kg"),
    "c": ("c", "C", "c"), "f": ("f", "F", "f"), "m3": ("m3", "M3", "m3"), "bbl": ("fat", "BAREL", "varelia"),
    "nm": ("nm", "MIL", "nmi"), "km": ("km", "KM", "km"), "kN": ("kn", "KN", "kn"), "tf": ("tf", "TF", "tf"),
}

KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "ais": ("mmsi", "vessel", "navstatus", "speed", "heading", "draught"),
    "crane": ("crane_id", "container", "counter", "load", "cycle", "twin"),
    "reefer": ("container", "setpoint", "supply", "ret", "ambient"),
    "berth": ("berth", "vessel", "status", "loa", "occupancy", "dwell"),
    "pilot": ("pilot", "tug", "vessel", "tugs", "eta", "text"),
    "gate": ("lane", "plate", "container", "direction", "gross", "wait"),
    "buoy": ("station", "wind", "gust", "wave", "visibility", "pressure"),
    "bunker": ("vessel", "grade", "volume", "density", "sulphur"),
    "customs": ("container", "declaration", "status", "days"),
    "mooring": ("berth", "line", "tension", "mbl"),
    "notice": ("notice_no", "text", "valid"),
    "mob": ("vessel", "position", "persons", "text"),
    "spill": ("vessel", "substance", "spill_volume", "text"),
    "collision": ("vessel", "vessel2", "incident", "text"),
    "detention": ("vessel", "imo", "deficiencies", "text"),
    "closure": ("reason", "hours", "text"),
}

ROLES: dict[str, str] = {
    "mmsi": "code", "vessel": "name", "navstatus": "cat", "speed": "num", "heading": "int",
    "draught": "num", "crane_id": "code", "container": "code", "counter": "counter", "load": "num",
    "cycle": "int", "twin": "bool", "setpoint": "num", "supply": "num", "ret": "num", "ambient": "num",
    "berth": "code", "status": "cat", "loa": "num", "occupancy": "int", "dwell": "num", "pilot": "code",
    "tug": "name", "tugs": "int", "eta": "int", "text": "text", "lane": "int", "plate": "code",
    "direction": "cat", "gross": "num", "wait": "int", "station": "code", "wind": "num", "gust": "num",
    "wave": "num", "visibility": "num", "pressure": "num", "grade": "cat", "volume": "num",
    "density": "num", "sulphur": "num", "declaration": "code", "days": "num", "line": "int",
    "tension": "num", "mbl": "num", "notice_no": "code", "valid": "int", "position": "code",
    "persons": "int", "substance": "cat", "spill_volume": "num", "vessel2": "name", "incident": "cat",
    "imo": "code", "deficiencies": "int", "hours": "int", "reason": "cat",
}

UNIT_FAMILY_OF: dict[str, str] = {
    "speed": "spd", "draught": "len", "load": "mass", "setpoint": "tmp", "supply": "tmp", "ret": "tmp",
    "ambient": "tmp", "loa": "len", "gross": "mass", "wind": "spd", "gust": "spd", "wave": "len",
    "visibility": "dist", "volume": "vol", "spill_volume": "vol", "tension": "force",
}
UNIT_DECIMALS = {"kn": 1, "ms": 1, "m": 1, "ft": 1, "t": 1, "kg": 0, "c": 1, "f": 1, "m3": 1, "bbl": 0,
                 "nm": 2, "km": 2, "kN": 0, "tf": 1}
FIXED_DECIMALS = {"dwell": 1, "pressure": 1, "density": 1, "sulphur": 2, "days": 1, "mbl": 1, "wave": 2}

#: Per kind: (field or (field, minus_field), transform, directions an injected anomaly may take).
STATS: dict[str, tuple[tuple[Any, str, str], ...]] = {
    "ais": (("speed", "lin", "+"), ("draught", "log", "+-")),
    "crane": (("load", "lin", "+"), ("cycle", "log", "+")),
    "reefer": ((("supply", "setpoint"), "lin", "+-"), (("ret", "setpoint"), "lin", "+-"),
               ("ambient", "lin", "+-")),
    "berth": (("loa", "log", "+-"), ("dwell", "log", "+")),
    "pilot": (("eta", "log", "+"),),
    "gate": (("gross", "lin", "+"), ("wait", "log", "+")),
    "buoy": (("wind", "lin", "+"), ("gust", "lin", "+"), ("wave", "log", "+"), ("visibility", "log", "+-"),
             ("pressure", "lin", "+-")),
    "bunker": (("volume", "log", "+-"), ("density", "lin", "+-"), ("sulphur", "lin", "+")),
    "customs": (("days", "log", "+"),),
    "mooring": (("tension", "lin", "+"), ("mbl", "lin", "+")),
}

CATS: dict[str, dict[str, tuple[str, str, str]]] = {
    "navstatus": {
        "underway": ("under fart", "BERLAYAR", "en plo"),
        "anchored": ("til ankers", "LEGO JANGKAR", "agkyrovolimeno"),
        "moored": ("fortøyd", "SANDAR", "prosdedemeno"),
        "restricted": ("begrenset manøvreringsevne", "OLAH GERAK TERBATAS", "periorismeni ikanotita"),
        "aground": ("på grunn", "KANDAS", "prosaraxi"),
        "nuc": ("ikke under kommando", "TIDAK TERKENDALI", "ektos elegchou"),
    },
    "berth_status": {
        "occupied": ("opptatt", "TERISI", "katilimmeni"), "free": ("ledig", "KOSONG", "eleftheri"),
        "reserved": ("reservert", "DIPESAN", "kratimeni"), "blocked": ("sperret", "DIBLOKIR", "apokleismeni"),
    },
    "direction": {"in": ("inn", "MASUK", "eisodos"), "out": ("ut", "KELUAR", "exodos")},
    "customs_status": {
        "released": ("frigitt", "SPPB", "eleftherothike"),
        "pending": ("under behandling", "DALAM PROSES", "se ekremotita"),
        "inspection": ("fysisk kontroll", "PEMERIKSAAN FISIK", "fysikos elegchos"),
        "docs": ("dokumentkontroll", "PENELITIAN DOKUMEN", "elegchos engrafon"),
        "seized": ("beslaglagt", "DISITA", "katasxethike"),
    },
    "substance": {"hfo": ("tungolje", "minyak bakar berat", "vary mazout"),
                  "diesel": ("diesel", "solar", "petrelaio diesel"),
                  "unknown": ("ukjent", "tidak diketahui", "agnosto")},
    "incident": {"collision": ("kollisjon", "tabrakan", "syngrousi"),
                 "allision": ("påkjørsel av kai", "menabrak dermaga", "prosktisi se provlita")},
    "reason": {"weather": ("uvær", "cuaca buruk", "kakokairia"),
               "exercise": ("beredskapsøvelse", "latihan", "askisi"),
               "security": ("sikringstiltak", "pengamanan", "metra asfaleias"),
               "dredging": ("mudring", "pengerukan", "ekskafes")},
}
#: Per kind: (field, category table, rare internal values) -> rarity RARE_VALUE_RARITY.
RARE_VALUES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "ais": ("navstatus", "navstatus", ("aground", "nuc")),
    "berth": ("status", "berth_status", ("blocked",)),
    "customs": ("status", "customs_status", ("seized",)),
}
RARE_VALUE_PROB = 0.008

# Urgency words in free text: (tokens, value); negators before (within two tokens) or after.
_URGENT: dict[str, tuple[tuple[_T, float], ...]] = {
    "no": ((("viktig",), 0.4), (("snarest",), 0.4), (("haster",), 0.7), (("akutt",), 0.7), (("fare",), 0.7),
           (("nød",), 1.0), (("livsfare",), 1.0), (("umiddelbar", "fare"), 1.0)),
    "id": ((("penting",), 0.4), (("perlu", "perhatian"), 0.4), (("segera",), 0.7), (("mendesak",), 0.7),
           (("darurat",), 1.0), (("bahaya",), 1.0), (("berbahaya",), 1.0), (("evakuasi",), 1.0)),
    "el": ((("simantiko",), 0.4), (("prosochi",), 0.4), (("epeigon",), 0.7), (("amesa",), 0.7),
           (("kindynos",), 1.0), (("sos",), 1.0)),
}
_NEG_BEFORE = {"no": ("ikke", "ingen", "ikkje", "uten"), "id": ("tidak", "bukan", "tak", "tanpa"),
               "el": ("ochi", "den", "kanenas", "kanena", "choris", "mi")}
_NEG_AFTER = {"no": ("ikke",), "id": (), "el": ()}

#: Phrases per urgency step (lowest first); step 0 mixes nothing, neutral words and negated urgency.
TEXT_STEPS: dict[str, tuple[tuple[str, ...], ...]] = {
    "no": (("", "Rutine.", "Haster ikke.", "Ikke akutt.", "Ingen fare."), ("Viktig.", "Snarest."),
           ("HASTER!", "Akutt behov.", "Fare for skade."), ("NØD!", "Livsfare!", "Umiddelbar fare.")),
    "id": (("", "Rutin.", "Tidak mendesak.", "Bukan darurat.", "Tidak berbahaya."),
           ("Penting.", "Perlu perhatian."), ("SEGERA!", "Mendesak."),
           ("DARURAT!", "Bahaya!", "Berbahaya, evakuasi!")),
    "el": (("", "Kanoniko.", "Ochi epeigon.", "Den einai epeigon.", "Kanenas kindynos."),
           ("Simantiko.", "Prosochi."), ("EPEIGON!", "Amesa."), ("KINDYNOS!", "Kindynos zois!", "SOS.")),
}
TEXT_STEP_VALUES = (0.0, 0.4, 0.7, 1.0)
TEXT_STEP_DIST = (0.92, 0.04, 0.025, 0.015)
NEGATED_PHRASES: dict[str, tuple[str, ...]] = {d: TEXT_STEPS[d][0][2:] for d in DIALECTS}
URGENT_MARKERS: dict[str, tuple[str, ...]] = {d: TEXT_STEPS[d][2] + TEXT_STEPS[d][3] for d in DIALECTS}

_D4 = (0.85, 0.08, 0.045, 0.025)
#: Per mode: step values (lowest first), step probabilities, value per step per dialect.
MODE_STEPS: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "radio": ((0.0, 0.4, 0.7, 1.0), _D4),
    "marsec": ((0.0, 0.5, 1.0), (0.86, 0.10, 0.04)),
    "prio_down": ((0.0, 0.15, 0.45, 0.7, 1.0), (0.85, 0.06, 0.045, 0.03, 0.015)),
    "flag": ((0.0, 0.4, 0.7, 1.0), _D4),
    "colour": ((0.0, 0.4, 0.7, 1.0), _D4),
    "sar": ((0.0, 0.4, 0.7, 1.0), _D4),
    "words": (TEXT_STEP_VALUES, _D4),
}


def mode_values(mode: str, dialect: str) -> tuple[tuple[Any, ...], ...]:
    """The values a priority field takes under ``mode``, per step (lowest first)."""
    d = _DI[dialect]
    if mode == "radio":
        return ((("RUTINE", "RUTIN", "KANONIKI")[d],), ("SECURITE", "SÉCURITÉ"), ("PAN-PAN", "PAN PAN"),
                ("MAYDAY",))
    if mode == "marsec":
        return ((1,), (2,), (3,))
    if mode == "prio_down":
        return ((5,), (4,), (3,), (2,), (1,))
    if mode == "flag":
        return (("-", "H", "G", "Q", "P"), ("B", "A"), ("V", "W"), ("O", "NC"))
    if mode == "colour":
        return ((("grønn",), ("hijau",), ("prasino",))[d], (("gul",), ("kuning",), ("kitrino",))[d],
                (("oransje",), ("oranye", "jingga"), ("portokali",))[d], (("rød",), ("merah",), ("kokkino",))[d])
    if mode == "sar":
        return ((("ingen", "NIHIL", "kamia")[d],), ("INCERFA",), ("ALERFA",), ("DETRESFA",))
    if mode == "words":
        return TEXT_STEPS[dialect]
    raise ValueError(mode)


_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "AE", "Ø": "O", "Å": "A", "é": "e", "É": "E"})


def fold(text: str) -> str:
    """Drop the accents this family's dialects use."""
    return text.translate(_FOLD)


_TOKEN = re.compile(r"[^\W_]+")


def _norm_code(v: str) -> str:
    return "".join(_TOKEN.findall(fold(v).upper()))


def text_priority(dialect: str, text: str) -> float:
    """Highest urgency a free text expresses; negated urgency words do not count."""
    toks = _TOKEN.findall(fold(text).lower())
    before, after = _NEG_BEFORE[dialect], _NEG_AFTER[dialect]
    best = 0.0
    for phrase, value in _URGENT[dialect]:
        ph = tuple(fold(t) for t in phrase)
        n = len(ph)
        for i in range(len(toks) - n + 1):
            if tuple(toks[i:i + n]) != ph:
                continue
            negated = any(t in before for t in toks[max(0, i - 2):i]) or (
                i + n < len(toks) and toks[i + n] in after)
            if not negated:
                best = max(best, value)
    return best


# --- text templates -------------------------------------------------------------------------------
PILOT_TEMPLATES = {
    "no": ("Los {pilot} bestilt til {vessel}, ankomst lossted kl {hhmm}.",
           "Slepebåt {tug} assisterer {vessel} inn til {berth}.",
           "{vessel} ber om los ved innseilingen, {tugs} slepebåter bestilt.",
           "Losbytte utført ved {berth}, alt i orden.",
           "Los gått om bord i {vessel} kl {hhmm}, ventet fortøyd kl {hhmm2}.",
           "{tug} frigitt fra {vessel} etter avgang fra {berth}."),
    "id": ("Pandu {pilot} naik ke {vessel} pukul {hhmm}.",
           "Kapal tunda {tug} membantu {vessel} sandar di {berth}.",
           "{vessel} minta pandu di alur masuk, {tugs} kapal tunda dipesan.",
           "Pergantian pandu selesai di {berth}, semua baik.",
           "Pandu turun dari {vessel} pukul {hhmm}, kapal berangkat pukul {hhmm2}.",
           "{tug} dilepas dari {vessel} setelah keluar dari {berth}."),
    "el": ("O plogos {pilot} anevike sto {vessel} stis {hhmm}.",
           "To ryfoulko {tug} voithaei to {vessel} na prosdethei stin {berth}.",
           "To {vessel} zita plogo stin eisodo, {tugs} ryfoulka kleistika.",
           "Allagi plogou stin {berth}, ola kala.",
           "O plogos katevike apo to {vessel} stis {hhmm}, anachorisi stis {hhmm2}.",
           "To {tug} apodesmeftike apo to {vessel} meta tin anachorisi apo tin {berth}."),
}
NOTICE_TEMPLATES = {
    "no": ("Mudring ved {berth} til {date}, hold god avstand.",
           "Fartsgrense {n} knop i indre havnebasseng.",
           "Fyrlykt {n} er slukket, sjøfarende bes vise aktsomhet.",
           "Arbeid på fendere ved {berth} fra kl {hhmm}.",
           "Dykkere i vannet ved {berth} fra kl {hhmm}.",
           "Cruiseanløp {date}, økt trafikk i leia."),
    "id": ("Pengerukan di {berth} sampai {date}, jaga jarak aman.",
           "Batas kecepatan {n} knot di kolam pelabuhan.",
           "Lampu suar {n} padam, kapal diminta berhati-hati.",
           "Perbaikan fender di {berth} mulai pukul {hhmm}.",
           "Penyelam bekerja di sekitar {berth} mulai pukul {hhmm}.",
           "Kapal pesiar tiba {date}, lalu lintas alur meningkat."),
    "el": ("Ekskafes stin {berth} eos {date}, krateite apostasi.",
           "Orio taxytitas {n} komvoi sto esoteriko limani.",
           "O faros {n} einai svistos, ta ploia na einai prosektika.",
           "Ergasies se defenses stin {berth} apo tis {hhmm}.",
           "Dytes sto nero konta stin {berth} apo tis {hhmm}.",
           "Afixi kroazierophorou {date}, afximeni kinisi sto kanali."),
}
RARE_TEMPLATES = {
    "mob": ("Person over bord fra {vessel} ved {berth}.",
            "Orang jatuh ke laut dari {vessel} dekat {berth}.",
            "Anthropos sti thalassa apo to {vessel} konta stin {berth}."),
    "spill": ("Oljesøl observert ved {berth}, kilde {vessel}.",
              "Tumpahan minyak terlihat di {berth}, sumber {vessel}.",
              "Petrelaiokilida konta stin {berth}, pigi to {vessel}."),
    "collision": ("{vessel} og {vessel2} i berøring i innseilingen.",
                  "{vessel} bersentuhan dengan {vessel2} di alur masuk.",
                  "To {vessel} syngroustike me to {vessel2} stin eisodo."),
    "detention": ("{vessel} tilbakeholdt etter havnestatskontroll, {n} mangler registrert.",
                  "{vessel} ditahan setelah pemeriksaan PSC, {n} kekurangan tercatat.",
                  "To {vessel} kratithike meta apo elegcho PSC, {n} elleipseis."),
    "closure": ("Havnen stengt for all trafikk i {n} timer grunnet {reason}.",
                "Pelabuhan ditutup untuk semua lalu lintas selama {n} jam karena {reason}.",
                "To limani kleinei gia oli tin kykloforia gia {n} ores logo {reason}."),
}

VESSELS = {
    "no": ("NORDKAPP", "POLARLYS", "STAVANGERFJORD", "TROLLFJORD", "BERGENSFJORD", "NORNE", "SKAGERAK",
           "FRAMNES", "VESTFJORD", "HÅLOGALAND", "KRONPRINS HARALD"),
    "id": ("KM KELUD", "KM SINABUNG", "SINAR BAHARI", "MERATUS JAYA", "TANTO SEJAHTERA", "KOTA BARU",
           "LAUT BIRU", "SAMUDERA INDAH", "BINTANG TIMUR", "DEWI NUSANTARA", "TELUK MAS"),
    "el": ("AGIOS NIKOLAOS", "BLUE STAR DELOS", "KRITI II", "AEGEAN SPIRIT", "POSEIDON", "NISSOS RODOS",
           "ELENI", "PANAGIA", "ARIADNE", "THESSALONIKI EXPRESS", "ELEFTHERIOS V"),
    "intl": ("MAERSK ESSEN", "MSC ANNA", "CMA CGM TAGE", "COSCO PRIDE", "ONE HARMONY", "HAPAG TOKYO",
             "EVER LUCENT", "YM WELLNESS", "HMM OSLO", "STOLT FOCUS", "TORM HELENE", "NORD MAGIC"),
}
TUGS = {"no": ("BAMSE", "BOA BRAGE", "VULCAN", "OSTERSUND", "BUKSER"),
        "id": ("TB JAYANEGARA", "TB ANOMAN", "TB BIMA", "TB GATOTKACA", "TB ARJUNA"),
        "el": ("HERCULES", "ATLAS", "TITAN", "ARGONAFTIS", "KRATOS")}
MIDS = {"no": ("257", "258", "259"), "id": ("525",), "el": ("237", "239", "240", "241"),
        "intl": ("636", "538", "563", "477", "351", "215")}
OWNERS = ("MSC", "MAE", "CMA", "HLX", "ONE", "TGH", "TCL", "SEG", "COS", "EGH")
PORT_POS = {"no": (59.90, 10.73), "id": (-6.10, 106.88), "el": (37.94, 23.63)}
CLIMATE = {"no": (6.0, 3.0), "id": (28.0, 1.5), "el": (18.0, 3.0)}  # ambient base C: mean, spread
WIND = {"no": (9.0, 14.0), "id": (5.0, 9.0), "el": (7.0, 13.0)}  # Weibull scale, knots
WAVE = {"no": (0.8, 1.6), "id": (0.4, 0.9), "el": (0.5, 1.2)}  # median Hs, metres

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _iso6346_values() -> dict[str, int]:
    out: dict[str, int] = {}
    v = 10
    for ch in _LETTERS:
        if v % 11 == 0:
            v += 1
        out[ch] = v
        v += 1
    return out


_ISO_VALUES = _iso6346_values()


def container_number(owner: str, serial: int) -> str:
    """An ISO 6346 container number with its check digit."""
    body = owner + "U" + f"{serial:06d}"
    total = sum((_ISO_VALUES[c] if c.isalpha() else int(c)) * (1 << i) for i, c in enumerate(body))
    return body + str(total % 11 % 10)


def _imo_number(base6: int) -> str:
    digits = f"{base6:06d}"
    check = sum(int(d) * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10
    return f"IMO {digits}{check}"


def _style(dialect: str, tokens: tuple[str, ...]) -> str:
    if dialect == "no":
        return ".".join(t.lower() for t in tokens)
    if dialect == "id":
        return "_".join(t.upper() for t in tokens)
    return tokens[0].lower() + "".join(t[:1].upper() + t[1:].lower() for t in tokens[1:])


def _to_unit(unit: str, base: float) -> float:
    """Convert from the base unit of a family (knots, metres, tonnes, C, m3, nmi, kN)."""
    if unit == "ms":
        return base * 0.514444
    if unit == "ft":
        return base * 3.28084
    if unit == "kg":
        return base * 1000.0
    if unit == "f":
        return base * 9.0 / 5.0 + 32.0
    if unit == "bbl":
        return base * 6.28981
    if unit == "km":
        return base * 1.852
    if unit == "tf":
        return base / 9.80665
    return base


def _round(x: float, dec: int) -> int | float:
    return int(round(x)) if dec == 0 else round(x, dec)


def _transform(x: float, how: str) -> float:
    return math.log(max(x, 0.01)) if how == "log" else x


def _untransform(y: float, how: str) -> float:
    return math.exp(y) if how == "log" else y


class PortWorkload:
    """One seeded port: its dialect, kinds, units, priority encoding, terminals and stream."""

    def __init__(self, seed: int) -> None:
        rng = self.rng = random.Random(seed)
        self.dialect: str = rng.choice(DIALECTS)
        self.prio_mode: str = rng.choice(PRIORITY_MODES)
        d = self._d = _DI[self.dialect]
        self.units: dict[str, str] = {fam: rng.choice(opts) for fam, opts in UNIT_FAMILIES.items()}
        self.common: list[str] = rng.sample(COMMON_KINDS, rng.randint(5, 8))
        if not any(k in PRIORITY_KINDS for k in self.common):
            self.common[rng.randrange(len(self.common))] = rng.choice(
                [k for k in PRIORITY_KINDS if k not in self.common])
        self.weights: list[float] = [rng.uniform(0.4, 3.0) for _ in self.common]
        rare = [rng.choice(NEVER_PRIORITY_RARE)]
        others = [k for k in RARE_KINDS if k not in rare]
        rare += rng.sample(others, rng.randint(0, 2))
        self.rare: list[str] = [k for k in RARE_KINDS if k in rare]
        self.rare_rate: dict[str, float] = {k: rng.uniform(0.0025, 0.006) for k in self.rare}
        self.stations: list[str] = [PrivateKey(rng.randbytes(32)).peer_id for _ in range(rng.randint(3, 6))]
        self.kind_origins: dict[str, list[int]] = {
            k: rng.sample(range(len(self.stations)), rng.randint(1, min(3, len(self.stations))))
            for k in self.common}
        self.kind_name: dict[str, str] = {k: KIND_NAMES[k][d] for k in self.common + self.rare}
        self.kind_of: dict[str, str] = {v: k for k, v in self.kind_name.items()}
        self.keys: dict[str, str] = {}
        for f in FIELD_WORDS:
            toks = FIELD_WORDS[f][d]
            fam = UNIT_FAMILY_OF.get(f)
            if fam is not None:
                toks = toks + (UNIT_WORDS[self.units[fam]][d],)
            self.keys[f] = _style(self.dialect, toks)
        self.prio_key: str = _style(self.dialect, PRIO_KEY_WORDS[self.prio_mode][d])
        self.prio_kinds: tuple[str, ...] = PRIORITY_KINDS + ALWAYS_PRIORITY_RARE
        self.prio_values = mode_values(self.prio_mode, self.dialect)
        self.prio_steps, self.prio_dist = MODE_STEPS[self.prio_mode]
        self._prio_lookup: dict[Any, float] = {}
        for vals, p in zip(self.prio_values, self.prio_steps, strict=True):
            for v in vals:
                self._prio_lookup[_norm_code(v) if isinstance(v, str) else v] = p
        self._rare_value_sets: dict[str, tuple[str, tuple[str, ...]]] = {
            k: (self.keys[f], tuple(CATS[table][v][d] for v in vals)) for k, (f, table, vals) in RARE_VALUES.items()}
        self._world_params()
        self.anomaly_rate = 0.03
        self.stats: dict[str, list[tuple[Any, str, str, float, float]]] = {}
        self._calibrate()
        self.clock = 0
        self.memory: list[tuple[str, str, dict[str, Any]]] = []
        self._notice_no = rng.randint(1, 300)

    # --- world ----------------------------------------------------------------------------------
    def _world_params(self) -> None:
        rng, dl = self.rng, self.dialect
        self.scale = rng.uniform(0.6, 1.5)
        self.moored_share = rng.uniform(0.3, 0.5)
        self.cruise_speed = rng.uniform(9.0, 15.0)
        self.cranes = [("K{:02d}", "QC-{:02d}", "G{:02d}")[self._d].format(i + 1)
                       for i in range(rng.randint(3, 12))]
        self.lift_counter = {c: rng.randint(10_000, 900_000) for c in self.cranes}
        self.empty_share = rng.uniform(0.2, 0.4)
        self.laden_median = rng.uniform(12.0, 22.0)
        self.cycle_median = rng.uniform(80.0, 130.0)
        sps = [-25.0, -18.0, 2.0, 4.0, 13.0]
        self.setpoints = rng.sample(sps, rng.randint(1, 3))
        mean, spread = CLIMATE[dl]
        self.ambient_base = rng.gauss(mean, spread)
        self.ambient_amp = rng.uniform(2.0, 6.0)
        self.ambient_phase = rng.random()
        self.berths = [("KAI-{}", "D-{:03d}", "P{}")[self._d].format(rng.randint(1, 60)) for _ in range(8)]
        self.berths = list(dict.fromkeys(self.berths))
        self.loa_median = 180.0 * self.scale
        self.dwell_median = rng.uniform(10.0, 40.0)
        self.eta_median = rng.uniform(30.0, 90.0)
        self.gross_median = rng.uniform(18.0, 28.0)
        self.wait_median = rng.uniform(6.0, 30.0)
        self.buoys = [("BØYE-{}", "PLP-{:02d}", "SIM-{}")[self._d].format(i + 1) for i in range(rng.randint(1, 3))]
        self.wind_scale = rng.uniform(*WIND[dl])
        self.wave_median = rng.uniform(*WAVE[dl])
        self.vis_median = rng.uniform(5.0, 12.0)
        self.pressure_phase = rng.random()
        self.grade_shares = [rng.uniform(0.5, 0.7), rng.uniform(0.2, 0.35)]
        self.grade_shares.append(max(0.05, 1.0 - sum(self.grade_shares)))
        self.bunker_median = 600.0 * self.scale
        self.days_median = rng.uniform(1.5, 4.0)
        self.mbl = rng.uniform(400.0, 1200.0)
        self.tension_frac = rng.uniform(0.18, 0.32)
        self.tide_amp = rng.uniform(0.04, 0.1)
        self.tide_phase = rng.random()
        lat, lon = PORT_POS[dl]
        self.pos = (lat + rng.uniform(-0.05, 0.05), lon + rng.uniform(-0.05, 0.05))

    def _num(self, f: str, base: float) -> int | float:
        fam = UNIT_FAMILY_OF.get(f)
        if fam is None:
            return _round(base, FIXED_DECIMALS.get(f, 0))
        unit = self.units[fam]
        dec = FIXED_DECIMALS.get(f, UNIT_DECIMALS[unit]) if unit in ("m", "ft") else UNIT_DECIMALS[unit]
        return _round(_to_unit(unit, base), dec)

    def _decimals(self, f: str) -> int:
        v = self._num(f, 1.2345)
        return 0 if isinstance(v, int) else len(repr(v).split(".")[1])

    def _cat(self, table: str, value: str) -> str:
        return CATS[table][value][self._d]

    def _vessel(self) -> str:
        pool = VESSELS[self.dialect] if self.rng.random() < 0.5 else VESSELS["intl"]
        return self.rng.choice(pool)

    def _container(self) -> str:
        return container_number(self.rng.choice(OWNERS), self.rng.randrange(1_000_000))

    def _hhmm(self) -> str:
        return f"{self.rng.randrange(24):02d}{(':', '.', ':')[self._d]}{self.rng.randrange(60):02d}"

    def _date(self) -> str:
        day, month = self.rng.randint(1, 28), self.rng.randint(1, 12)
        return (f"{day}.{month}.", f"{day}/{month}", f"{day}/{month}")[self._d]

    def _position(self) -> str:
        lat, lon = self.pos[0] + self.rng.uniform(-0.02, 0.02), self.pos[1] + self.rng.uniform(-0.02, 0.02)

        def dm(x: float, pos: str, neg: str, width: int) -> str:
            a = abs(x)
            return f"{int(a):0{width}d}°{(a - int(a)) * 60:05.2f}'{pos if x >= 0 else neg}"

        return dm(lat, "N", "S", 2) + " " + dm(lon, "E", "W", 3)

    def _plate(self) -> str:
        r = self.rng
        if self.dialect == "no":
            return "".join(r.choice(_LETTERS) for _ in range(2)) + f" {r.randint(10000, 99999)}"
        if self.dialect == "id":
            return (f"{r.choice(('B', 'D', 'L', 'H', 'BK'))} {r.randint(1000, 9999)} "
                    + "".join(r.choice(_LETTERS) for _ in range(r.randint(2, 3))))
        return "".join(r.choice("ABEHIKMNOPTXYZ") for _ in range(3)) + f"-{r.randint(1000, 9999)}"

    # --- field generation -----------------------------------------------------------------------
    def _values(self, kind: str, t: int, live: bool, rare_values: bool) -> dict[str, Any]:
        r, d = self.rng, self._d
        v: dict[str, Any] = {}
        rare_pick = rare_values and r.random() < RARE_VALUE_PROB
        if kind == "ais":
            mids = MIDS[self.dialect] if r.random() < 0.5 else MIDS["intl"]
            v["mmsi"] = r.choice(mids) + f"{r.randrange(1_000_000):06d}"
            v["vessel"] = self._vessel()
            u = r.random()
            if rare_pick:
                st = r.choice(("aground", "nuc"))
            elif u < self.moored_share:
                st = "moored"
            elif u < self.moored_share + 0.08:
                st = "anchored"
            elif u < self.moored_share + 0.12:
                st = "restricted"
            else:
                st = "underway"
            v["navstatus"] = self._cat("navstatus", st)
            if st in ("moored", "anchored", "aground"):
                spd = abs(r.gauss(0.0, 0.15))
            elif st == "restricted":
                spd = max(0.5, r.gauss(4.0, 1.5))
            elif st == "nuc":
                spd = max(0.0, r.gauss(1.5, 1.0))
            else:
                spd = max(3.0, r.gauss(self.cruise_speed, 2.5))
            v["speed"] = self._num("speed", spd)
            v["heading"] = r.randrange(360)
            v["draught"] = self._num("draught", 8.0 * self.scale * math.exp(r.gauss(0.0, 0.25)))
        elif kind == "crane":
            crane = r.choice(self.cranes)
            v["crane_id"] = crane
            v["container"] = self._container()
            if live:
                self.lift_counter[crane] += r.randint(1, 3)
            v["counter"] = self.lift_counter[crane]
            if r.random() < self.empty_share:
                load = max(1.8, r.gauss(3.9, 0.25))
            else:
                load = self.laden_median * math.exp(r.gauss(0.0, 0.4))
            v["load"] = self._num("load", load)
            v["cycle"] = int(round(self.cycle_median * math.exp(r.gauss(0.0, 0.22))))
            v["twin"] = r.random() < 0.12
        elif kind == "reefer":
            amb = (self.ambient_base + self.ambient_amp * math.sin(2 * math.pi * (t / 86_400_000 + self.ambient_phase))
                   + r.gauss(0.0, 1.0))
            sp = r.choice(self.setpoints)
            v["container"] = self._container()
            v["setpoint"] = self._num("setpoint", sp)
            v["supply"] = self._num("supply", sp + r.gauss(-0.2, 0.35) + 0.015 * (amb - 20.0))
            v["ret"] = self._num("ret", sp + r.gauss(1.5, 0.5) + 0.03 * (amb - 20.0))
            v["ambient"] = self._num("ambient", amb)
        elif kind == "berth":
            v["berth"] = r.choice(self.berths)
            v["vessel"] = self._vessel()
            u = r.random()
            st = "blocked" if rare_pick else "occupied" if u < 0.6 else "free" if u < 0.85 else "reserved"
            v["status"] = self._cat("berth_status", st)
            v["loa"] = self._num("loa", self.loa_median * math.exp(r.gauss(0.0, 0.3)))
            v["occupancy"] = r.randint(55, 100) if st == "occupied" else r.randint(0, 20)
            v["dwell"] = self._num("dwell", self.dwell_median * math.exp(r.gauss(0.0, 0.5)))
        elif kind == "pilot":
            v["pilot"] = ("L-{:03d}", "PDU-{:03d}", "PL-{:03d}")[d].format(r.randint(1, 60))
            v["tug"] = r.choice(TUGS[self.dialect])
            v["vessel"] = self._vessel()
            v["tugs"] = r.choice((0, 1, 1, 2, 2, 2, 3, 4))
            v["eta"] = max(1, int(round(self.eta_median * math.exp(r.gauss(0.0, 0.35)))))
        elif kind == "gate":
            v["lane"] = r.randint(1, 12)
            v["plate"] = self._plate()
            v["container"] = self._container()
            v["direction"] = self._cat("direction", r.choice(("in", "out")))
            if r.random() < 0.25:
                gross = max(1.5, r.gauss(3.2, 0.5))
            else:
                gross = min(34.0, max(5.0, r.gauss(self.gross_median, 4.5)))
            v["gross"] = self._num("gross", gross)
            v["wait"] = max(1, int(round(self.wait_median * math.exp(r.gauss(0.0, 0.6)))))
        elif kind == "buoy":
            wind = r.weibullvariate(self.wind_scale, 2.0)
            v["station"] = r.choice(self.buoys)
            v["wind"] = self._num("wind", wind)
            v["gust"] = self._num("gust", wind * r.uniform(1.15, 1.5) + abs(r.gauss(0.0, 1.0)))
            v["wave"] = self._num("wave", self.wave_median * math.exp(r.gauss(0.0, 0.4)))
            v["visibility"] = self._num("visibility", self.vis_median * math.exp(r.gauss(0.0, 0.45)))
            v["pressure"] = self._num("pressure", 1013.0 + 7.0 * math.sin(
                2 * math.pi * (t / 259_200_000 + self.pressure_phase)) + r.gauss(0.0, 3.0))
        elif kind == "bunker":
            v["vessel"] = self._vessel()
            grade = r.choices(("VLSFO", "MGO", "ULSFO"), weights=self.grade_shares)[0]
            v["grade"] = grade
            v["volume"] = self._num("volume", self.bunker_median * math.exp(r.gauss(0.0, 0.55)))
            dens, sul = {"VLSFO": ((965.0, 10.0), (0.45, 0.035)), "MGO": ((852.0, 6.0), (0.07, 0.02)),
                         "ULSFO": ((925.0, 10.0), (0.08, 0.012))}[grade]
            v["density"] = self._num("density", r.gauss(*dens))
            v["sulphur"] = self._num("sulphur", max(0.01, r.gauss(*sul)))
        elif kind == "customs":
            v["container"] = self._container()
            yy = 24 + r.randrange(2)
            v["declaration"] = (f"TD{yy}{r.randrange(10**7):07d}", f"PIB-{r.randrange(10**6):06d}/{yy}",
                                f"{yy}GR{r.randrange(10**12):012d}")[d]
            u = r.random()
            st = ("seized" if rare_pick else "released" if u < 0.7 else "pending" if u < 0.85
                  else "inspection" if u < 0.93 else "docs")
            v["status"] = self._cat("customs_status", st)
            v["days"] = self._num("days", self.days_median * math.exp(r.gauss(0.0, 0.5)))
        elif kind == "mooring":
            tide = math.sin(2 * math.pi * (t / 44_712_000 + self.tide_phase))
            tension = self.mbl * (self.tension_frac + self.tide_amp * tide + r.gauss(0.0, 0.015))
            v["berth"] = r.choice(self.berths)
            v["line"] = r.randint(1, 12)
            v["tension"] = self._num("tension", tension)
            v["mbl"] = self._num("mbl", 100.0 * tension / self.mbl)
        elif kind == "notice":
            if live:
                self._notice_no += 1
            n = self._notice_no
            v["notice_no"] = (f"HF-{n:04d}", f"MP-{n:04d}/SYB", f"AN-{n}")[d]
            v["valid"] = r.choice((6, 12, 24, 48, 72, 168))
        elif kind == "mob":
            v["vessel"] = self._vessel()
            v["position"] = self._position()
            v["persons"] = r.choice((1, 1, 1, 2, 3))
        elif kind == "spill":
            v["vessel"] = self._vessel()
            v["substance"] = self._cat("substance", r.choice(("hfo", "diesel", "unknown")))
            v["spill_volume"] = self._num("spill_volume", 2.0 * math.exp(r.gauss(0.0, 1.0)))
        elif kind == "collision":
            v["vessel"] = self._vessel()
            v["vessel2"] = self._vessel()
            v["incident"] = self._cat("incident", r.choice(("collision", "allision")))
        elif kind == "detention":
            v["vessel"] = self._vessel()
            v["imo"] = _imo_number(r.randrange(900_000, 999_999))
            v["deficiencies"] = r.randint(4, 30)
        elif kind == "closure":
            v["reason"] = self._cat("reason", r.choice(tuple(CATS["reason"])))
            v["hours"] = r.choice((2, 4, 6, 12, 24))
        return v

    def _text(self, kind: str, v: dict[str, Any], step: int) -> str:
        r, dl = self.rng, self.dialect
        fill = {"vessel": v.get("vessel", ""), "vessel2": v.get("vessel2", ""), "pilot": v.get("pilot", ""),
                "tug": v.get("tug", ""), "tugs": v.get("tugs", 2), "berth": r.choice(self.berths),
                "hhmm": self._hhmm(), "hhmm2": self._hhmm(), "date": self._date(), "n": r.randint(3, 30),
                "reason": v.get("reason", "")}
        if kind == "pilot":
            base = r.choice(PILOT_TEMPLATES[dl])
        elif kind == "notice":
            base = r.choice(NOTICE_TEMPLATES[dl])
        else:
            base = RARE_TEMPLATES[kind][self._d]
            if kind == "detention":
                fill["n"] = v["deficiencies"]
            if kind == "closure":
                fill["n"] = v["hours"]
        text = base.format(**fill)
        if kind in NEVER_PRIORITY_RARE:
            return text
        phrase = r.choice(TEXT_STEPS[dl][step])
        return text + " " + phrase if phrase else text

    def _step(self, dist: tuple[float, ...]) -> int:
        return self.rng.choices(range(len(dist)), weights=dist)[0]

    def _make(self, kind: str, t: int, *, live: bool = True, rare_values: bool = True,
              prio_step: int | None = None, text_step: int | None = None) -> dict[str, Any]:
        v = self._values(kind, t, live, rare_values)
        if kind in TEXT_KINDS:
            if text_step is None:
                text_step = self._step(TEXT_STEP_DIST) if kind not in ALWAYS_PRIORITY_RARE else 2 + self.rng.randrange(2)
            v["text"] = self._text(kind, v, text_step)
        fields = {self.keys[f]: v[f] for f in KIND_FIELDS[kind]}
        if kind in self.prio_kinds:
            if prio_step is None:
                if kind in ALWAYS_PRIORITY_RARE:
                    prio_step = len(self.prio_steps) - 1 - self.rng.randrange(2)
                else:
                    prio_step = self._step(self.prio_dist)
            fields[self.prio_key] = self.rng.choice(self.prio_values[prio_step])
        return fields

    # --- calibration and truth -------------------------------------------------------------------
    def _stat_value(self, fields: dict[str, Any], target: Any, how: str) -> float | None:
        if isinstance(target, tuple):
            a, b = fields.get(self.keys[target[0]]), fields.get(self.keys[target[1]])
            if not (_is_num(a) and _is_num(b)):
                return None
            return _transform(float(a) - float(b), how)
        x = fields.get(self.keys[target])
        return _transform(float(x), how) if _is_num(x) else None

    def _calibrate(self, samples: int = 300) -> None:
        week = 7 * 86_400_000
        for kind in self.common:
            if kind not in STATS:
                continue
            rows = [self._make(kind, self.rng.randrange(week), live=False, rare_values=False,
                               prio_step=0, text_step=0) for _ in range(samples)]
            out = []
            for target, how, dirs in STATS[kind]:
                xs = sorted(x for x in (self._stat_value(f, target, how) for f in rows) if x is not None)
                med = _quantile(xs, 0.5)
                mad = 1.4826 * _quantile(sorted(abs(x - med) for x in xs), 0.5)
                iqr = (_quantile(xs, 0.75) - _quantile(xs, 0.25)) / 1.349
                q90 = (_quantile(xs, 0.9) - _quantile(xs, 0.1)) / 2.563
                floor = 0.05 if how == "log" else 0.02 * abs(med) + 10.0 ** -self._decimals(
                    target[0] if isinstance(target, tuple) else target)
                out.append((target, how, dirs, med, max(mad, iqr, q90, floor)))
            self.stats[kind] = out

    def anomaly_k(self, kind: str, fields: dict[str, Any]) -> float:
        """Largest distance, in robust spreads, of a reading from the world's median for ``kind``."""
        k = 0.0
        for target, how, _dirs, med, spread in self.stats.get(kind, ()):
            x = self._stat_value(fields, target, how)
            if x is not None:
                k = max(k, abs(x - med) / spread)
        return k

    def priority_of(self, kind: str, fields: dict[str, Any]) -> float:
        """Explicit priority in [0, 1]: the world's priority field and urgency words in free text."""
        p = 0.0
        v = fields.get(self.prio_key)
        if v is not None:
            if self.prio_mode == "words":
                p = text_priority(self.dialect, str(v))
            else:
                p = self._prio_lookup.get(_norm_code(v) if isinstance(v, str) else v, 0.0)
        text = fields.get(self.keys["text"])
        if kind in TEXT_KINDS and isinstance(text, str):
            p = max(p, text_priority(self.dialect, text))
        return p

    def rarity_of(self, kind: str, fields: dict[str, Any]) -> tuple[float, float]:
        """(rarity, the part of it due to a rare kind)."""
        if kind in RARE_KINDS:
            return RARE_KIND_RARITY, RARE_KIND_RARITY
        spec = self._rare_value_sets.get(kind)
        if spec is not None and fields.get(spec[0]) in spec[1]:
            return RARE_VALUE_RARITY, 0.0
        return 0.0, 0.0

    def score(self, kind: str, fields: dict[str, Any]) -> tuple[float, str]:
        """Ground truth of a fresh record from its content: (importance, detail)."""
        a = 0.9 * anomaly_strength(self.anomaly_k(kind, fields))
        p = 0.9 * self.priority_of(kind, fields)
        r, rk = self.rarity_of(kind, fields)
        return noisy_or(BASE, a, p, r), main_reason(a, p, r, rk)

    def _push(self, kind: str, fields: dict[str, Any], k_lo: float = 6.0) -> None:
        """Push one reading of ``fields`` far from its median (6-25 robust spreads, 6-12 on a log scale)."""
        r = self.rng
        target, how, dirs, med, spread = r.choice(self.stats[kind])
        sign = 1.0 if dirs == "+" else r.choice((-1.0, 1.0))
        f = target[0] if isinstance(target, tuple) else target
        dec = self._decimals(f)
        for attempt in range(8):
            k = r.uniform(k_lo, 12.0 if how == "log" else 25.0) + 2.0 * attempt
            y = _untransform(med + sign * k * spread, how)
            if isinstance(target, tuple):
                y += float(fields[self.keys[target[1]]])
            fields[self.keys[f]] = _round(y, dec)
            if self.anomaly_k(kind, fields) >= k_lo - 0.5:
                return

    # --- copies ---------------------------------------------------------------------------------
    def _near(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Another sensor's or clerk's reading of the same event."""
        r = self.rng
        roles = {self.keys[f]: ROLES[f] for f in KIND_FIELDS[kind]}
        roles[self.prio_key] = "prio"
        out = dict(fields)
        keys = [k for k in fields if roles.get(k) in ("num", "text", "code", "name", "cat")]
        for _ in range(12):
            key = r.choice(keys)
            v, role = out[key], roles[key]
            if role == "num" and isinstance(v, float):
                dec = len(repr(v).split(".")[1]) if "." in repr(v) else 0
                if dec > 0 and r.random() < 0.5:
                    out[key] = round(v, dec - 1) if dec > 1 else float(round(v))
                else:
                    out[key] = round(v + r.choice((-1, 1)) * 10.0 ** -max(dec, 1), max(dec, 1))
            elif role == "num" and isinstance(v, int):
                out[key] = v + r.choice((-1, 1)) * max(1, abs(v) // 500)
            elif role in ("text", "cat", "name") and isinstance(v, str):
                op = r.randrange(4)
                if op == 0:
                    out[key] = fold(v)
                elif op == 1:
                    out[key] = v.lower()
                elif op == 2:
                    out[key] = v.upper() if role != "text" else v.rstrip(".!")
                else:
                    out[key] = v.replace(", ", " ").replace("kl ", "kl. ") if role == "text" else v.title()
            elif role == "code" and isinstance(v, str):
                op = r.randrange(3)
                if op == 0:
                    out[key] = v.lower()
                elif op == 1:
                    out[key] = v.replace("-", "").replace(" ", "")
                else:
                    out[key] = (v[:4] + " " + v[4:]) if " " not in v[:5] else v.replace(" ", "-", 1)
            if out != fields and r.random() < 0.6:
                break
        if out == fields:
            key = next(k for k in keys)
            v = out[key]
            out[key] = v + " " if isinstance(v, str) else v + 1
        return out

    def _tail(self, kind: str, head: dict[str, Any], i: int) -> dict[str, Any]:
        r = self.rng
        out = dict(head)
        for f in KIND_FIELDS[kind]:
            key, role = self.keys[f], ROLES[f]
            v = out[key]
            if role == "counter":
                out[key] = v + i
            elif role == "num" and isinstance(v, float) and r.random() < 0.5:
                dec = len(repr(v).split(".")[1]) if "." in repr(v) else 1
                out[key] = round(v * (1.0 + r.uniform(-0.002, 0.002)), dec)
        return out

    # --- stream ---------------------------------------------------------------------------------
    def _pick_kind(self) -> str:
        u = self.rng.random()
        for k in self.rare:
            u -= self.rare_rate[k]
            if u < 0:
                return k
        return self.rng.choices(self.common, weights=self.weights)[0]

    def _origin(self, kind: str) -> str:
        idx = self.kind_origins.get(kind)
        return self.stations[self.rng.choice(idx)] if idx else self.rng.choice(self.stations)

    def _head(self, t: int) -> tuple[str, dict[str, Any]]:
        r = self.rng
        for _ in range(20):
            kind = r.choices(self.common, weights=self.weights)[0]
            use_prio = kind in PRIORITY_KINDS and (kind not in STATS or r.random() < 0.5)
            if use_prio:
                top = len(self.prio_steps) - 1
                fields = self._make(kind, t, rare_values=False, prio_step=top - r.randrange(2))
            else:
                fields = self._make(kind, t, rare_values=False, prio_step=0, text_step=0)
                self._push(kind, fields, k_lo=7.0)
            if self.score(kind, fields)[1] in ("anomaly", "priority"):
                return kind, fields
        raise AssertionError("no burst head with news")  # pragma: no cover

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        if n < 0:
            raise ValueError("n must be non-negative")
        r = self.rng
        self.clock = max(self.clock, now_ms)
        out: list[LabeledRecord] = []
        sources: list[int] = []
        burst: dict[str, Any] | None = None

        def emit(kind: str, origin: str, fields: dict[str, Any], imp: float, case: str,
                 ref: int = -1, detail: str = "") -> None:
            rec = Record.create(self.kind_name[kind], origin, self.clock, fields)
            out.append(LabeledRecord(rec, imp, case, ref, detail))

        while len(out) < n:
            left = n - len(out)
            if burst is not None and burst["left"] > 0 and (burst["left"] >= left or r.random() < 0.75):
                self.clock += r.randint(100, 1500)
                burst["i"] += 1
                burst["left"] -= 1
                emit(burst["kind"], burst["origin"], self._tail(burst["kind"], burst["fields"], burst["i"]),
                     tail_importance(burst["imp"]), "burst_tail", burst["ref"])
                continue
            if burst is not None and burst["left"] <= 0:
                burst = None
            self.clock += r.randint(200, 1500) if burst is not None else r.randint(300, 2500)
            u = r.random()
            if u < 0.05 and sources:
                i = r.choice(sources[-40:])
                src = out[i]
                kind = self.kind_of[src.record.kind]
                origin = src.record.origin if r.random() < 0.7 else r.choice(self.stations)
                emit(kind, origin, src.record.fields, DUP_FACTOR * src.importance, "dup", i)
            elif u < 0.10 and sources:
                i = r.choice(sources[-40:])
                src = out[i]
                kind = self.kind_of[src.record.kind]
                origin = src.record.origin if r.random() < 0.5 else r.choice(self.stations)
                emit(kind, origin, self._near(kind, src.record.fields), NEAR_DUP_FACTOR * src.importance,
                     "near_dup", i)
            elif u < 0.107 and self.memory:
                kname, origin, fields = r.choice(self.memory)
                emit(self.kind_of[kname], origin, fields, RESEND_IMPORTANCE, "resend")
            elif u < 0.122 and burst is None and left >= 3:
                kind, fields = self._head(self.clock)
                imp, detail = self.score(kind, fields)
                origin = self._origin(kind)
                emit(kind, origin, fields, imp, "burst_head", -1, detail)
                sources.append(len(out) - 1)
                tails = min(40, 2 + int(r.expovariate(1 / 6.0)), left - 1)
                burst = {"kind": kind, "origin": origin, "fields": fields, "imp": imp, "ref": len(out) - 1,
                         "left": tails, "i": 0}
            else:
                kind = self._pick_kind()
                fields = self._make(kind, self.clock)
                if kind in self.stats and r.random() < self.anomaly_rate:
                    self._push(kind, fields)
                imp, detail = self.score(kind, fields)
                emit(kind, self._origin(kind), fields, imp, "routine", -1, detail)
                sources.append(len(out) - 1)
        for lr in out:
            if lr.case in ("routine", "burst_head") and lr.importance >= 0.3:
                self.memory.append((lr.record.kind, lr.record.origin, lr.record.fields))
        del self.memory[:-200]
        return out

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]


def _is_num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _quantile(xs: list[float], q: float) -> float:
    if not xs:
        return 0.0
    pos = q * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)
