"""The farm held-out family: greenhouses, barns, silos, machines and field logs in three dialects.

Theory of operation
-------------------
Written blind. The author read only ``protocol/record.py`` (the Record type),
``protocol/keys.py`` (PrivateKey and peer ids), the definitions of
``noisy_or``, ``main_reason`` and ``LabeledRecord`` in
``node/workload/domains.py``, ``tests/node/holdout_checks.py``,
``tests/node/test_holdout_rail.py`` (for the interface the tests call and the
label conventions) and the ``[tool.ruff]`` section of ``pyproject.toml``.
Nothing here was copied from, or tuned against, any other generator or model.

One seed builds one farm (a "world"): a dialect (Hungarian, Romanian or
Vietnamese, each with its own naming style for kinds and keys), a unit per
quantity family, a per-world scale or shift of every numeric field, 5 to 8
common kinds, 1 to 3 rare kinds, 3 to 6 stations (peer ids from seeded keys)
and one way of writing explicit priority (``PRIORITY_MODES``), carried by the
kinds in ``PRIORITY_KINDS`` in a field whose name is in the dialect.

The stream mixes six cases. ``routine`` records are drawn around each field's
world median; their truth is a function of their content alone
(:meth:`FarmWorkload.score`): ``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority,
rarity)`` with the main reason named by ``main_reason``. An anomaly is a number
at least 5 robust spreads from its kind's median (routine draws stay within
3.8); rarity is 0.5 for a rare kind and 0.45 for a rare categorical value;
priority is 0 at or below the routine step and at least 0.55 above it, or 0.9
for an alarm word in a free-text log (never when the word is negated).
``burst_head`` is the first record of a sudden run of one kind from one origin
and always carries an anomaly or a priority; ``burst_tail`` records follow it
within seconds and score ``min(0.02, 0.1 * head)``. ``dup`` (exact copy, later
or relayed by another station) scores ``0.05 * source``, ``near_dup`` (tiny
numeric jitter, re-typed text or codes) ``0.1 * source``, and ``resend`` (news
from an earlier batch sent again) 0.01.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass
from typing import Any

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.keys import PrivateKey
from protocol.record import Record

DIALECTS = ("hu", "ro", "vi")
PRIORITY_MODES = ("level_up", "level_down", "grade", "colour", "flag", "score", "words", "ticket")

BASE = 0.04
RARE_KIND_P = 0.5
RARE_VALUE_P = 0.45
TEXT_ALARM_P = 0.9
ANOMALY_K = 5.0
ROUTINE_CLIP = 3.8

# Case probabilities per slot (a burst's tails take extra slots).
P_BURST = 0.012
P_DUP = 0.045
P_NEAR = 0.045
P_RESEND = 0.008
P_RARE_KIND = 0.004  # per rare kind of the world
P_RARE_VALUE = 0.012  # per categorical field that has rare values
P_TEXT_ALARM = 0.05
P_TEXT_NEGATED = 0.10


@dataclass(frozen=True, slots=True)
class Spec:
    """One field of a kind: ``t`` is num, list, cat, id, tag (ear tag) or word (free text)."""

    field: str
    t: str
    family: str = ""
    base: float = 0.0
    spread: float = 0.0
    lo: float = -1e9
    hi: float = 1e9
    integer: bool = False
    mul: bool = False
    table: str = ""


def _n(field: str, family: str, base: float, spread: float, lo: float = -1e9, hi: float = 1e9, *,
       integer: bool = False, mul: bool = False) -> Spec:
    return Spec(field, "num", family, base, spread, lo, hi, integer, mul)


def _lst(field: str, family: str, base: float, spread: float, lo: float, hi: float) -> Spec:
    return Spec(field, "list", family, base, spread, lo, hi)


def _c(field: str, table: str = "") -> Spec:
    return Spec(field, "cat", table=table or field)


def _i(field: str) -> Spec:
    return Spec(field, "id")


def _t(field: str) -> Spec:
    return Spec(field, "tag")


def _w(field: str, table: str) -> Spec:
    return Spec(field, "word", table=table)


COMMON_KINDS: dict[str, tuple[Spec, ...]] = {
    "gh_climate": (_n("air_temp", "tmp", 22, 1.2, -30, 60), _n("humidity", "pct", 75, 4, 0, 100),
                   _n("co2", "ppm", 800, 60, 0, 5000, integer=True), _n("light", "light", 25, 3, 0, 150, mul=True),
                   _n("vent_pos", "pct", 30, 6, 0, 100, integer=True), _i("house")),
    "fertigation": (_n("ec", "ec", 2.2, 0.12, 0, 20), _n("ph", "", 5.8, 0.12, 0, 14),
                    _n("flow", "flow", 40, 3, 0, 500, mul=True), _n("drain", "pct", 28, 3, 0, 100),
                    _i("valve"), _c("recipe")),
    "milking": (_n("milk_yield", "mass", 12.5, 1.4, 0, 80, mul=True), _n("milk_cond", "ec", 4.8, 0.25, 0, 20),
                _n("scc", "scc", 150, 25, 0, 20000, integer=True, mul=True), _n("milk_dur", "dur", 420, 45, 0, 3600),
                _t("cow"), _c("quarter"), _i("robot")),
    "feeder": (_n("ration", "mass", 450, 25, 0, 5000, mul=True), _n("dry_matter", "pct", 46, 1.5, 0, 100),
               _n("refusal", "mass", 18, 4, 0, 1000, mul=True), _i("pen"), _c("feed")),
    "collar": (_n("activity", "", 60, 8, 0, 1000, integer=True), _n("rumination", "min", 480, 30, 0, 1440, integer=True),
               _n("body_temp", "tmp", 38.7, 0.2, 30, 45), _t("cow")),
    "barn_vent": (_n("fan", "fan", 55, 7, 0, 100), _n("nh3", "ppm", 8, 1.5, 0, 500),
                  _n("air_temp", "tmp", 16, 1.5, -30, 60), _n("humidity", "pct", 70, 4, 0, 100), _i("pen")),
    "silo": (_lst("cable_temps", "tmp", 12, 1.0, -30, 90), _n("grain_moist", "pct", 13.5, 0.4, 0, 100),
             _n("fill", "len", 14, 1.5, 0, 60, mul=True), _i("silo_id"), _c("grain")),
    "tractor": (_n("fuel", "vol", 180, 25, 0, 2000, mul=True), _n("engine_hours", "h", 3400, 600, 0, 60000, mul=True),
                _n("speed", "spd", 9, 1.2, 0, 80), _n("engine_temp", "tmp", 88, 2.5, -30, 200),
                _i("machine"), _c("implement")),
    "harvester": (_n("yield_rate", "yld", 8.5, 0.7, 0, 40, mul=True), _n("grain_moist", "pct", 16, 0.8, 0, 100),
                  _n("speed", "spd", 6, 0.6, 0, 80), _i("field_id"), _i("machine"), _c("crop", "grain")),
    "weather": (_n("air_temp", "tmp", 14, 2.5, -50, 60), _n("humidity", "pct", 68, 6, 0, 100),
                _n("wind", "spd", 12, 3, 0, 300), _n("rain", "rain", 1.0, 0.5, 0, 500),
                _n("pressure", "prs", 1013, 4, 800, 1100)),
    "cold_store": (_n("air_temp", "tmp", 2.0, 0.4, -40, 40), _n("humidity", "pct", 90, 2.5, 0, 100),
                   _n("door_opens", "", 6, 2, 0, 500, integer=True), _c("compressor"), _i("room")),
    "scout_log": (_i("field_id"), _c("pest"), _n("trap_count", "", 8, 3, 0, 5000, integer=True),
                  _w("scout", "people"), _w("text", "scout_text")),
    "vet_log": (_t("animal"), _c("treatment"), _n("body_temp", "tmp", 38.7, 0.25, 30, 45), _w("text", "vet_text")),
    "spraying": (_c("product"), _n("dose", "dose", 2.0, 0.15, 0, 50), _n("area", "area", 12, 2, 0, 2000, mul=True),
                 _n("wind", "spd", 9, 2, 0, 300), _w("operator", "people"), _i("field_id")),
}

RARE_KIND_SPECS: dict[str, tuple[Spec, ...]] = {
    "frost_alarm": (_n("air_temp", "tmp", -2.5, 1.0, -40, 10), _i("field_id"), _i("sensor")),
    "gas_alarm": (_n("phosphine", "ppm", 3.0, 1.0, 0, 100), _i("silo_id")),
    "power_fail": (_n("outage_dur", "dur", 900, 300, 0, 86400), _i("building")),
    "calibration": (_i("sensor"), _n("offset", "", 0.0, 0.3, -50, 50), _w("technician", "people")),
    "firmware": (_i("device"), _w("version", "version")),
    "soil_lab": (_i("field_id"), _n("ph", "", 6.5, 0.4, 0, 14), _n("n_ppm", "ppm", 25, 6, 0, 1000),
                 _n("p_ppm", "ppm", 40, 8, 0, 1000), _n("k_ppm", "ppm", 180, 25, 0, 3000)),
    "inspection": (_w("inspector", "people"), _w("outcome", "outcome")),
}
ALWAYS_PRIORITY_RARE = frozenset({"frost_alarm", "gas_alarm", "power_fail"})
NEVER_PRIORITY_RARE = frozenset({"calibration", "firmware", "soil_lab", "inspection"})
RARE_KINDS = frozenset(RARE_KIND_SPECS)
PRIORITY_KINDS = frozenset({"gh_climate", "milking", "barn_vent", "silo", "cold_store", "tractor"}) | ALWAYS_PRIORITY_RARE
TEXT_KINDS = frozenset({"scout_log", "vet_log"})
ALL_SPECS = {**COMMON_KINDS, **RARE_KIND_SPECS}

# Unit families: (unit name, factor, offset) from the canonical unit; one is drawn per world.
UNITS: dict[str, tuple[tuple[str, float, float], ...]] = {
    "tmp": (("c", 1.0, 0.0), ("f", 1.8, 32.0)),
    "light": (("klx", 1.0, 0.0), ("umol", 18.5, 0.0)),
    "ec": (("ms", 1.0, 0.0), ("us", 1000.0, 0.0)),
    "flow": (("lpm", 1.0, 0.0), ("m3h", 0.06, 0.0)),
    "mass": (("kg", 1.0, 0.0), ("lb", 2.2046, 0.0)),
    "scc": (("k", 1.0, 0.0), ("ml", 1000.0, 0.0)),
    "dur": (("s", 1.0, 0.0), ("min", 1 / 60, 0.0)),
    "fan": (("pct", 1.0, 0.0), ("rpm", 12.0, 0.0)),
    "len": (("m", 1.0, 0.0), ("ft", 3.2808, 0.0)),
    "vol": (("l", 1.0, 0.0), ("gal", 0.26417, 0.0)),
    "spd": (("kmh", 1.0, 0.0), ("mph", 0.62137, 0.0)),
    "yld": (("tha", 1.0, 0.0), ("buac", 14.87, 0.0)),
    "rain": (("mm", 1.0, 0.0), ("in", 0.03937, 0.0)),
    "prs": (("hpa", 1.0, 0.0), ("kpa", 0.1, 0.0)),
    "dose": (("lha", 1.0, 0.0), ("mlm2", 0.1, 0.0)),
    "area": (("ha", 1.0, 0.0), ("ac", 2.4711, 0.0)),
    "pct": (("pct", 1.0, 0.0),),
    "ppm": (("ppm", 1.0, 0.0),),
    "min": (("min", 1.0, 0.0),),
    "h": (("h", 1.0, 0.0),),
}

# --- the dialects: words (ASCII, for names) and phrases (with diacritics, for values) ------------

KIND_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "gh_climate": {"hu": ("uveghaz", "klima"), "ro": ("sera", "climat"), "vi": ("nha", "kinh", "khi", "hau")},
    "fertigation": {"hu": ("tapoldat", "adagolas"), "ro": ("fertirigare",), "vi": ("tuoi", "phan")},
    "milking": {"hu": ("fejorobot", "fejes"), "ro": ("robot", "muls"), "vi": ("robot", "vat", "sua")},
    "feeder": {"hu": ("takarmany", "kiosztas"), "ro": ("furajare",), "vi": ("may", "cho", "an")},
    "collar": {"hu": ("nyakorv", "aktivitas"), "ro": ("zgarda", "activitate"), "vi": ("vong", "co", "van", "dong")},
    "barn_vent": {"hu": ("istallo", "szellozes"), "ro": ("grajd", "ventilatie"), "vi": ("chuong", "thong", "gio")},
    "silo": {"hu": ("silo", "homero"), "ro": ("siloz", "senzori"), "vi": ("silo", "nhiet", "do")},
    "tractor": {"hu": ("traktor", "telemetria"), "ro": ("tractor", "telemetrie"), "vi": ("may", "keo")},
    "harvester": {"hu": ("kombajn", "hozam"), "ro": ("combina", "recolta"), "vi": ("may", "gat")},
    "weather": {"hu": ("idojaras", "allomas"), "ro": ("statie", "meteo"), "vi": ("tram", "thoi", "tiet")},
    "cold_store": {"hu": ("hutohaz",), "ro": ("depozit", "frigorific"), "vi": ("kho", "lanh")},
    "scout_log": {"hu": ("kartevo", "felderites"), "ro": ("monitorizare", "daunatori"), "vi": ("nhat", "ky", "sau", "benh")},
    "vet_log": {"hu": ("allatorvosi", "naplo"), "ro": ("jurnal", "veterinar"), "vi": ("nhat", "ky", "thu", "y")},
    "spraying": {"hu": ("permetezes", "naplo"), "ro": ("tratament", "fitosanitar"), "vi": ("phun", "thuoc")},
    "frost_alarm": {"hu": ("fagy", "riasztas"), "ro": ("alarma", "inghet"), "vi": ("canh", "bao", "suong", "gia")},
    "gas_alarm": {"hu": ("silo", "gaz", "riasztas"), "ro": ("alarma", "gaz", "siloz"), "vi": ("canh", "bao", "khi", "doc")},
    "power_fail": {"hu": ("aramszunet",), "ro": ("pana", "curent"), "vi": ("mat", "dien")},
    "calibration": {"hu": ("szenzor", "kalibralas"), "ro": ("calibrare", "senzor"), "vi": ("hieu", "chuan", "cam", "bien")},
    "firmware": {"hu": ("firmware", "frissites"), "ro": ("actualizare", "firmware"), "vi": ("cap", "nhat", "phan", "mem")},
    "soil_lab": {"hu": ("talajvizsgalat",), "ro": ("analiza", "sol"), "vi": ("phan", "tich", "dat")},
    "inspection": {"hu": ("hatosagi", "ellenorzes"), "ro": ("inspectie", "sanitara"), "vi": ("thanh", "tra")},
}

FIELD_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "air_temp": {"hu": ("levego", "homerseklet"), "ro": ("temp", "aer"), "vi": ("nhiet", "do", "kk")},
    "humidity": {"hu": ("paratartalom",), "ro": ("umiditate",), "vi": ("do", "am")},
    "co2": {"hu": ("co2",), "ro": ("co2",), "vi": ("co2",)},
    "light": {"hu": ("feny",), "ro": ("lumina",), "vi": ("anh", "sang")},
    "vent_pos": {"hu": ("szellozo", "nyitas"), "ro": ("deschidere", "geam"), "vi": ("mo", "cua", "so")},
    "ec": {"hu": ("vezetokepesseg",), "ro": ("ec",), "vi": ("ec",)},
    "ph": {"hu": ("ph",), "ro": ("ph",), "vi": ("ph",)},
    "flow": {"hu": ("atfolyas",), "ro": ("debit",), "vi": ("luu", "luong")},
    "drain": {"hu": ("elfolyas",), "ro": ("drenaj",), "vi": ("nuoc", "thoat")},
    "valve": {"hu": ("szelep",), "ro": ("valva",), "vi": ("van",)},
    "recipe": {"hu": ("recept",), "ro": ("reteta",), "vi": ("cong", "thuc")},
    "house": {"hu": ("haz", "szam"), "ro": ("sera", "nr"), "vi": ("nha", "kinh", "so")},
    "milk_yield": {"hu": ("tejhozam",), "ro": ("cantitate", "lapte"), "vi": ("san", "luong", "sua")},
    "milk_cond": {"hu": ("tej", "vezetes"), "ro": ("conductivitate",), "vi": ("do", "dan", "dien")},
    "scc": {"hu": ("szomatikus", "sejtszam"), "ro": ("celule", "somatice"), "vi": ("te", "bao", "soma")},
    "milk_dur": {"hu": ("fejesi", "ido"), "ro": ("durata", "muls"), "vi": ("thoi", "gian", "vat")},
    "cow": {"hu": ("tehen", "azon"), "ro": ("nr", "vaca"), "vi": ("ma", "bo")},
    "quarter": {"hu": ("tolgynegyed",), "ro": ("sfert",), "vi": ("khoang", "vu")},
    "robot": {"hu": ("robot",), "ro": ("robot",), "vi": ("robot",)},
    "ration": {"hu": ("adag",), "ro": ("ratie",), "vi": ("khau", "phan")},
    "dry_matter": {"hu": ("szarazanyag",), "ro": ("substanta", "uscata"), "vi": ("chat", "kho")},
    "refusal": {"hu": ("maradek",), "ro": ("resturi",), "vi": ("thuc", "an", "thua")},
    "pen": {"hu": ("karam",), "ro": ("boxa",), "vi": ("o", "chuong")},
    "feed": {"hu": ("takarmany", "tipus"), "ro": ("tip", "furaj"), "vi": ("loai", "thuc", "an")},
    "activity": {"hu": ("aktivitas",), "ro": ("activitate",), "vi": ("van", "dong")},
    "rumination": {"hu": ("kerodzes",), "ro": ("rumegare",), "vi": ("nhai", "lai")},
    "body_temp": {"hu": ("testho",), "ro": ("temp", "corp"), "vi": ("than", "nhiet")},
    "fan": {"hu": ("ventilator",), "ro": ("ventilator",), "vi": ("quat",)},
    "nh3": {"hu": ("ammonia",), "ro": ("amoniac",), "vi": ("nh3",)},
    "cable_temps": {"hu": ("kabel", "homerseklet"), "ro": ("cablu", "temp"), "vi": ("cap", "nhiet")},
    "grain_moist": {"hu": ("nedvesseg",), "ro": ("umiditate", "boabe"), "vi": ("do", "am", "hat")},
    "fill": {"hu": ("toltesi", "szint"), "ro": ("nivel", "umplere"), "vi": ("muc", "day")},
    "silo_id": {"hu": ("silo",), "ro": ("siloz",), "vi": ("silo",)},
    "grain": {"hu": ("gabona",), "ro": ("cereala",), "vi": ("loai", "hat")},
    "fuel": {"hu": ("uzemanyag",), "ro": ("combustibil",), "vi": ("nhien", "lieu")},
    "engine_hours": {"hu": ("uzemora",), "ro": ("ore", "motor"), "vi": ("gio", "may")},
    "speed": {"hu": ("sebesseg",), "ro": ("viteza",), "vi": ("toc", "do")},
    "engine_temp": {"hu": ("motor", "homerseklet"), "ro": ("temp", "motor"), "vi": ("nhiet", "do", "may")},
    "machine": {"hu": ("gep",), "ro": ("utilaj",), "vi": ("may",)},
    "implement": {"hu": ("munkagep",), "ro": ("echipament",), "vi": ("nong", "cu")},
    "yield_rate": {"hu": ("hozam",), "ro": ("randament",), "vi": ("nang", "suat")},
    "crop": {"hu": ("kultura",), "ro": ("cultura",), "vi": ("cay", "trong")},
    "field_id": {"hu": ("tabla",), "ro": ("parcela",), "vi": ("thua", "ruong")},
    "wind": {"hu": ("szel",), "ro": ("vant",), "vi": ("gio",)},
    "rain": {"hu": ("csapadek",), "ro": ("precipitatii",), "vi": ("luong", "mua")},
    "pressure": {"hu": ("legnyomas",), "ro": ("presiune",), "vi": ("ap", "suat")},
    "door_opens": {"hu": ("ajtonyitas",), "ro": ("deschideri", "usa"), "vi": ("so", "lan", "mo", "cua")},
    "compressor": {"hu": ("kompresszor",), "ro": ("compresor",), "vi": ("may", "nen")},
    "room": {"hu": ("kamra",), "ro": ("camera",), "vi": ("phong",)},
    "trap_count": {"hu": ("csapda", "fogas"), "ro": ("capcana",), "vi": ("so", "con", "trong", "bay")},
    "pest": {"hu": ("kartevo",), "ro": ("daunator",), "vi": ("sau", "hai")},
    "scout": {"hu": ("megfigyelo",), "ro": ("observator",), "vi": ("nguoi", "kiem", "tra")},
    "text": {"hu": ("megjegyzes",), "ro": ("observatii",), "vi": ("ghi", "chu")},
    "animal": {"hu": ("allat", "azon"), "ro": ("crotalie",), "vi": ("so", "tai")},
    "treatment": {"hu": ("kezeles",), "ro": ("tratament",), "vi": ("dieu", "tri")},
    "product": {"hu": ("szer",), "ro": ("produs",), "vi": ("thuoc",)},
    "dose": {"hu": ("dozis",), "ro": ("doza",), "vi": ("lieu", "luong")},
    "area": {"hu": ("terulet",), "ro": ("suprafata",), "vi": ("dien", "tich")},
    "operator": {"hu": ("kezelo",), "ro": ("operator",), "vi": ("nguoi", "phun")},
    "sensor": {"hu": ("erzekelo",), "ro": ("senzor",), "vi": ("cam", "bien")},
    "phosphine": {"hu": ("foszfin",), "ro": ("fosfina",), "vi": ("phosphine",)},
    "outage_dur": {"hu": ("kieses", "ido"), "ro": ("durata", "pana"), "vi": ("thoi", "gian", "mat", "dien")},
    "building": {"hu": ("epulet",), "ro": ("cladire",), "vi": ("toa", "nha")},
    "offset": {"hu": ("eltolas",), "ro": ("decalaj",), "vi": ("do", "lech")},
    "technician": {"hu": ("szerelo",), "ro": ("tehnician",), "vi": ("ky", "thuat", "vien")},
    "device": {"hu": ("eszkoz",), "ro": ("dispozitiv",), "vi": ("thiet", "bi")},
    "version": {"hu": ("verzio",), "ro": ("versiune",), "vi": ("phien", "ban")},
    "n_ppm": {"hu": ("nitrogen",), "ro": ("azot",), "vi": ("dam",)},
    "p_ppm": {"hu": ("foszfor",), "ro": ("fosfor",), "vi": ("lan",)},
    "k_ppm": {"hu": ("kalium",), "ro": ("potasiu",), "vi": ("kali",)},
    "inspector": {"hu": ("ellenor",), "ro": ("inspector",), "vi": ("thanh", "tra", "vien")},
    "outcome": {"hu": ("eredmeny",), "ro": ("rezultat",), "vi": ("ket", "qua")},
}

ID_PREFIX: dict[str, dict[str, str]] = {
    "house": {"hu": "UH", "ro": "SERA", "vi": "NK"}, "valve": {"hu": "SZ", "ro": "V", "vi": "VAN"},
    "robot": {"hu": "FR", "ro": "RM", "vi": "RB"}, "pen": {"hu": "K", "ro": "BX", "vi": "OC"},
    "silo_id": {"hu": "SIL", "ro": "SZ", "vi": "SL"}, "machine": {"hu": "G", "ro": "UT", "vi": "MK"},
    "field_id": {"hu": "T", "ro": "P", "vi": "TR"}, "room": {"hu": "HK", "ro": "CF", "vi": "KL"},
    "sensor": {"hu": "E", "ro": "S", "vi": "CB"}, "building": {"hu": "EP", "ro": "CL", "vi": "TN"},
    "device": {"hu": "ESZ", "ro": "DSP", "vi": "TB"},
}

# Categorical values: (common, rare) per dialect.
_LATIN_PESTS = (("Myzus persicae", "Trialeurodes vaporariorum", "Frankliniella occidentalis", "Tetranychus urticae"),
                ("Tuta absoluta", "Popillia japonica"))
_PRODUCTS = (("Fungex 250 SC", "Aphidor 20 SL", "Herbimax 480", "Cuprablue 50 WP"), ("Nemastop 10 G",))
_RECIPES = (("R1", "R2", "R3", "R4"), ("R9",))
CATS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "recipe": {"hu": _RECIPES, "ro": _RECIPES, "vi": _RECIPES},
    "pest": {"hu": _LATIN_PESTS, "ro": _LATIN_PESTS, "vi": _LATIN_PESTS},
    "product": {"hu": _PRODUCTS, "ro": _PRODUCTS, "vi": _PRODUCTS},
    "quarter": {"hu": (("BE", "JE", "BH", "JH"), ()), "ro": (("SF", "DF", "SS", "DS"), ()),
                "vi": (("TT", "PT", "TS", "PS"), ())},
    "feed": {"hu": (("TMR", "szenázs", "széna"), ("borsószalma",)), "ro": (("TMR", "siloz porumb", "fân"), ("borhot",)),
             "vi": (("TMR", "cỏ ủ", "rơm"), ("bã bia",))},
    "grain": {"hu": (("búza", "kukorica", "árpa", "repce"), ("cirok",)),
              "ro": (("grâu", "porumb", "orz", "rapiță"), ("sorg",)),
              "vi": (("lúa", "ngô", "đậu tương", "lúa mì"), ("kê",))},
    "implement": {"hu": (("eke", "vetőgép", "permetező", "kasza"), ("tuskómaró",)),
                  "ro": (("plug", "semănătoare", "erbicidator", "cositoare"), ("freză cioate",)),
                  "vi": (("cày", "máy gieo", "máy phun", "máy cắt cỏ"), ("máy nghiền gốc",))},
    "compressor": {"hu": (("üzem", "áll", "leolvasztás"), ("reteszelve",)),
                   "ro": (("pornit", "oprit", "degivrare"), ("blocat",)),
                   "vi": (("chạy", "dừng", "xả đá"), ("kẹt máy",))},
    "treatment": {"hu": (("körmölés", "vakcinázás", "tőgygyulladás-kezelés", "parazitaellenes"), ("császármetszés",)),
                  "ro": (("toaletare copite", "vaccinare", "tratament mamită", "deparazitare"), ("cezariană",)),
                  "vi": (("cắt móng", "tiêm phòng", "điều trị viêm vú", "tẩy giun"), ("mổ đẻ",))},
}

PEOPLE = {"hu": ("Kovács Péter", "Nagy Erzsébet", "Tóth Gábor", "Szabó Anna", "Horváth Zsolt"),
          "ro": ("Ion Popescu", "Maria Ionescu", "Andrei Dumitru", "Elena Stan", "Vasile Rusu"),
          "vi": ("Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Quốc Dũng", "Võ Thị Hoa")}
OUTCOMES = {"hu": ("megfelelt", "megfelelt, kisebb észrevétellel"), "ro": ("conform", "conform cu observații"),
            "vi": ("đạt", "đạt, có góp ý nhỏ")}
SCOUT_TEXT = {
    "hu": ("{field} táblán {n} db {pest} a csapdában, állomány rendben.", "Szórványos {pest} a {field} táblán, követjük.",
           "Nincs új kártevő a {field} táblán, {n} fogás."),
    "ro": ("Parcela {field}: {n} {pest} în capcană, situație stabilă.", "Atac slab de {pest} pe {field}, monitorizăm.",
           "Fără dăunători noi pe {field}, {n} capturi."),
    "vi": ("Thửa {field}: {n} con {pest} trong bẫy, ổn định.", "Rải rác {pest} ở thửa {field}, tiếp tục theo dõi.",
           "Không thấy sâu bệnh mới ở thửa {field}, {n} con."),
}
VET_TEXT = {
    "hu": ("{animal}: rutin vizsgálat, testhő rendben.", "{animal} sántít, körmölés ütemezve.",
           "{animal} kezelése folytatódik, étvágy jó."),
    "ro": ("{animal}: control de rutină, temperatură normală.", "{animal} șchiopătează, toaletare copite programată.",
           "{animal}: tratamentul continuă, apetit bun."),
    "vi": ("{animal}: khám định kỳ, thân nhiệt bình thường.", "{animal} đi khập khiễng, đã hẹn cắt móng.",
           "{animal}: tiếp tục điều trị, ăn uống tốt."),
}
ALARM_PREFIX = {"hu": ("SÜRGŐS: ", "AZONNAL intézkedni! "), "ro": ("URGENT: ", "PERICOL! "),
                "vi": ("KHẨN CẤP: ", "NGUY HIỂM! ")}
ALARM_SUFFIX = {"hu": (" Sürgős beavatkozás kell!", " Azonnal értesíteni a telepvezetőt."),
                "ro": (" Intervenție urgentă necesară!", " Pericol de extindere în tot lotul."),
                "vi": (" Cần xử lý khẩn cấp!", " Nguy hiểm lây lan sang thửa bên cạnh.")}
NEGATED = {"hu": (" Nem sürgős, jövő héten újra megnézzük.", " Nem kell azonnal kezelni."),
           "ro": (" Nu e urgent, revenim săptămâna viitoare.", " Fără pericol deocamdată."),
           "vi": (" Không khẩn cấp, tuần sau kiểm tra lại.", " Hiện không nguy hiểm.")}
ALARM_TERMS = {"hu": ("sürgős", "azonnal"), "ro": ("urgent", "pericol"), "vi": ("khẩn cấp", "nguy hiểm")}
NEG_TERMS = {"hu": ("nem sürgős", "nem kell azonnal"), "ro": ("nu e urgent", "fără pericol"),
             "vi": ("không khẩn cấp", "không nguy hiểm")}

# --- explicit priority: one encoding per world --------------------------------------------------

PRIO_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "level_up": {"hu": ("riasztasi", "szint"), "ro": ("nivel", "alarma"), "vi": ("muc", "canh", "bao")},
    "level_down": {"hu": ("prioritas",), "ro": ("prioritate",), "vi": ("uu", "tien")},
    "grade": {"hu": ("allapot", "minosites"), "ro": ("clasa", "stare"), "vi": ("xep", "loai")},
    "colour": {"hu": ("jelzo", "szin"), "ro": ("cod", "culoare"), "vi": ("ma", "mau")},
    "flag": {"hu": ("beavatkozas", "kell"), "ro": ("necesita", "interventie"), "vi": ("can", "xu", "ly")},
    "score": {"hu": ("kockazati", "index"), "ro": ("indice", "risc"), "vi": ("chi", "so", "rui", "ro")},
    "words": {"hu": ("sulyossag",), "ro": ("gravitate",), "vi": ("muc", "do", "nghiem", "trong")},
    "ticket": {"hu": ("jegy", "kategoria"), "ro": ("categorie", "tichet"), "vi": ("loai", "phieu")},
}
Steps = tuple[tuple[Any, float, float], ...]  # (value, priority, weight)
_COLOURS = {"hu": ("kék", "zöld", "sárga", "narancs", "piros"), "ro": ("albastru", "verde", "galben", "portocaliu", "roșu"),
            "vi": ("xanh dương", "xanh lá", "vàng", "cam", "đỏ")}
_SEVERITY = {"hu": ("tájékoztató", "normál", "figyelem", "sürgős", "kritikus"),
             "ro": ("informativ", "normal", "atenție", "urgent", "critic"),
             "vi": ("thông tin", "bình thường", "chú ý", "khẩn", "nghiêm trọng")}
_TICKETS = {"hu": ("TERV", "ELL", "HIBA", "UZEMZAVAR", "BIZT"), "ro": ("PLAN", "INSP", "DEFECT", "AVARIE", "SIGURANTA"),
            "vi": ("KH", "KT", "HONG", "SUCO", "ANTOAN")}
_FIVE = (0.0, 0.0, 0.55, 0.8, 1.0)  # below routine, routine, then three steps up
_FIVE_W = (0.07, 0.78, 0.08, 0.05, 0.02)
SCORE_BANDS = ((0, 39, 0.0, 0.85), (40, 69, 0.55, 0.08), (70, 89, 0.8, 0.05), (90, 100, 1.0, 0.02))


def prio_steps(mode: str, dialect: str) -> Steps:
    """The values a world's priority field takes, with their priority and routine-stream weight."""
    if mode == "level_up":
        return tuple(zip(range(5), _FIVE, _FIVE_W, strict=True))
    if mode == "level_down":
        return ((4, 0.0, 0.85), (3, 0.55, 0.08), (2, 0.8, 0.05), (1, 1.0, 0.02))
    if mode == "grade":
        return (("A", 0.0, 0.85), ("B", 0.55, 0.08), ("C", 0.8, 0.05), ("D", 1.0, 0.02))
    if mode == "flag":
        return ((False, 0.0, 0.87), (True, 0.9, 0.13))
    if mode == "score":
        return tuple((lo, p, w) for lo, _, p, w in SCORE_BANDS)
    table = {"colour": _COLOURS, "words": _SEVERITY, "ticket": _TICKETS}[mode][dialect]
    return tuple(zip(table, _FIVE, _FIVE_W, strict=True))


def anomaly_strength(k: float) -> float:
    """How strongly a distance of ``k`` robust spreads from the median counts as news (0 below 5)."""
    return 0.0 if k < ANOMALY_K else min(1.0, 0.45 + 0.08 * (k - ANOMALY_K))


def _join_key(dialect: str, parts: tuple[str, ...], unit: str = "") -> str:
    parts = parts + ((unit,) if unit else ())
    if dialect == "hu":  # camelCase, unit as the last hump
        return parts[0] + "".join(p.capitalize() for p in parts[1:])
    if dialect == "ro":  # kebab-case
        return "-".join(parts)
    return ".".join(parts)  # vi: dotted lower case


def _join_kind(dialect: str, parts: tuple[str, ...]) -> str:
    if dialect == "hu":
        return ".".join(parts)
    if dialect == "ro":
        return "_".join(parts).upper()
    return "".join(p.capitalize() for p in parts)


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _strip_marks(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


@dataclass(slots=True)
class _Burst:
    head: int
    kind: str
    origin: str
    fields: dict[str, Any]
    left: int
    head_ts: int


class FarmWorkload:
    """One seeded farm and its labelled record stream."""

    def __init__(self, seed: int) -> None:
        rng = self.rng = random.Random(seed)
        self.seed = seed
        self.dialect: str = rng.choice(DIALECTS)
        self.prio_mode: str = rng.choice(PRIORITY_MODES)
        d = self.dialect
        self.stations: list[str] = [PrivateKey(rng.randbytes(32)).peer_id for _ in range(rng.randint(3, 6))]
        kinds = sorted(COMMON_KINDS)
        self.common: list[str] = rng.sample(kinds, rng.randint(5, 8))
        if not any(k in PRIORITY_KINDS for k in self.common):
            self.common[rng.randrange(len(self.common))] = rng.choice(sorted(PRIORITY_KINDS - RARE_KINDS))
        rare = rng.sample(sorted(RARE_KINDS), rng.randint(1, 3))
        if not any(k in NEVER_PRIORITY_RARE for k in rare):
            rare[0] = rng.choice(sorted(NEVER_PRIORITY_RARE))
        self.rare: list[str] = rare
        self.weights = [rng.uniform(0.5, 2.0) for _ in self.common]
        self.units: dict[str, str] = {fam: rng.choice(opts)[0] for fam, opts in UNITS.items()}
        self._conv = {fam: next(o for o in opts if o[0] == self.units[fam]) for fam, opts in UNITS.items()}
        self.kind_name: dict[str, str] = {k: _join_kind(d, KIND_WORDS[k][d]) for k in self.common + self.rare}
        self.kind_of: dict[str, str] = {v: k for k, v in self.kind_name.items()}
        self.keys: dict[str, str] = {}
        for k in self.common + self.rare:
            for s in ALL_SPECS[k]:
                unit = self.units[s.family] if s.family else ""
                self.keys[s.field] = _join_key(d, FIELD_WORDS[s.field][d], unit)
        self.prio_key = _join_key(d, PRIO_WORDS[self.prio_mode][d])
        self.steps = prio_steps(self.prio_mode, d)
        self.home: dict[str, list[str]] = {k: rng.sample(self.stations, rng.randint(1, 2))
                                           for k in self.common + self.rare}
        self.ids: dict[str, list[str]] = {}
        for f, pre in ID_PREFIX.items():
            p = pre[d]
            nums = sorted(rng.sample(range(1, 40), rng.randint(2, 6)))
            self.ids[f] = [f"{p}-{n}" if d == "hu" else f"{p}{n:02d}" if d == "ro" else f"{p}{n}" for n in nums]
        self.tags = sorted(rng.sample(range(10000, 99999), rng.randint(30, 120)))
        self.cable_len = rng.randint(4, 8)
        # Per-world medians, spreads, bounds and decimals of every numeric field (world units).
        self._num: dict[tuple[str, str], tuple[float, float, float, float, int]] = {}
        for k in self.common + self.rare:
            for s in ALL_SPECS[k]:
                if s.t in ("num", "list"):
                    self._num[(k, s.field)] = self._world_numbers(s)
        self.stats: dict[str, dict[str, tuple[float, float]]] = {
            k: {s.field: self._num[(k, s.field)][:2] for s in COMMON_KINDS[k] if s.t in ("num", "list")}
            for k in self.common}
        self.anomaly_rate = 0.025
        self._clock = 0
        self._pool: list[tuple[str, str, dict[str, Any]]] = []

    # --- world construction helpers ---------------------------------------------------------

    def _world_numbers(self, s: Spec) -> tuple[float, float, float, float, int]:
        rng = self.rng
        med, spread = s.base, s.spread
        if s.mul:
            f = rng.uniform(0.7, 1.4)
            med, spread = med * f, spread * f
        else:
            med += rng.uniform(-1.5, 1.5) * spread
        fam = s.family or ""
        _, factor, offset = self._conv[fam] if fam else ("", 1.0, 0.0)
        med, spread = med * factor + offset, spread * factor
        lo, hi = s.lo * factor + offset, s.hi * factor + offset
        dec = -1 if s.integer else max(0, min(3, math.ceil(-math.log10(spread / 10))))
        return med, spread, lo, hi, dec

    # --- truth ---------------------------------------------------------------------------------

    def _spec_key(self, kind: str) -> list[tuple[Spec, str]]:
        return [(s, self.keys[s.field]) for s in ALL_SPECS[kind]]

    def anomaly_k(self, kind: str, fields: dict[str, Any]) -> float:
        """Largest distance, in robust spreads from the kind's median, of any numeric field."""
        st = self.stats.get(kind)
        if not st:
            return 0.0
        k = 0.0
        for f, (med, spread) in st.items():
            v = fields.get(self.keys[f])
            vals = v if isinstance(v, tuple | list) else (v,)
            for x in vals:
                if isinstance(x, int | float) and not isinstance(x, bool):
                    k = max(k, abs(x - med) / spread)
        return k

    def priority_of(self, kind: str, fields: dict[str, Any]) -> float:
        """Explicit priority: the world's priority field, or an un-negated alarm word in a log."""
        p = 0.0
        if kind in PRIORITY_KINDS and self.prio_key in fields:
            v = fields[self.prio_key]
            if self.prio_mode == "score":
                p = max((bp for lo, hi, bp, _ in SCORE_BANDS if lo <= v <= hi), default=0.0)
            else:
                p = next((sp for sv, sp, _ in self.steps if sv == v and type(sv) is type(v)), 0.0)
        if kind in TEXT_KINDS:
            text = fields.get(self.keys["text"])
            if isinstance(text, str) and self._alarm_in(text):
                p = max(p, TEXT_ALARM_P)
        return p

    def _alarm_in(self, text: str) -> bool:
        t = _nfc(text).lower()
        for neg in NEG_TERMS[self.dialect]:
            t = t.replace(neg, " ")
        return any(term in t for term in ALARM_TERMS[self.dialect])

    def rarity_of(self, kind: str, fields: dict[str, Any]) -> tuple[float, float]:
        """(rarity, the part of it that is a rare kind)."""
        rk = RARE_KIND_P if kind in self.rare else 0.0
        rv = 0.0
        if kind in self.common:
            for s, key in self._spec_key(kind):
                if s.t == "cat" and fields.get(key) in CATS[s.table][self.dialect][1]:
                    rv = RARE_VALUE_P
        return max(rk, rv), rk

    def score(self, kind: str, fields: dict[str, Any]) -> tuple[float, str]:
        """Ground truth of a fresh record from its content: (importance, main reason)."""
        a = 0.9 * anomaly_strength(self.anomaly_k(kind, fields))
        p = 0.9 * self.priority_of(kind, fields)
        r, rk = self.rarity_of(kind, fields)
        return noisy_or(BASE, a, p, r), main_reason(a, p, r, rk)

    # --- drawing fields ------------------------------------------------------------------------

    def _fit(self, kind: str, field: str, x: float) -> int | float:
        _, _, lo, hi, dec = self._num[(kind, field)]
        x = min(hi, max(lo, x))
        return int(round(x)) if dec < 0 else round(x, dec)

    def _draw(self, kind: str, field: str) -> int | float:
        med, spread, *_ = self._num[(kind, field)]
        g = max(-ROUTINE_CLIP, min(ROUTINE_CLIP, self.rng.gauss(0.0, 1.0)))
        return self._fit(kind, field, med + spread * g)

    def _draw_prio(self, elevated: bool) -> Any:
        steps = [s for s in self.steps if s[1] > 0] if elevated else list(self.steps)
        value, _, _ = self.rng.choices(steps, weights=[w for *_, w in steps])[0]
        if self.prio_mode == "score":
            hi = next(h for lo, h, _, _ in SCORE_BANDS if lo == value)
            return self.rng.randint(value, hi)
        return value

    def _text(self, kind: str, fields: dict[str, Any], alarm: bool) -> str:
        rng, d = self.rng, self.dialect
        if kind == "scout_log":
            t = rng.choice(SCOUT_TEXT[d]).format(field=fields[self.keys["field_id"]], pest=fields[self.keys["pest"]],
                                                 n=fields[self.keys["trap_count"]])
        else:
            t = rng.choice(VET_TEXT[d]).format(animal=fields[self.keys["animal"]])
        if alarm:
            t = rng.choice(ALARM_PREFIX[d]) + t if rng.random() < 0.5 else t + rng.choice(ALARM_SUFFIX[d])
        elif rng.random() < P_TEXT_NEGATED:
            t += rng.choice(NEGATED[d])
        return _nfc(t)

    def _fields(self, kind: str, *, fresh: bool, force: str = "") -> dict[str, Any]:
        """Draw a record's fields; ``force`` is "anomaly" or "priority" for a burst head."""
        rng, d = self.rng, self.dialect
        out: dict[str, Any] = {}
        text_spec = None
        for s, key in self._spec_key(kind):
            if s.t == "num":
                out[key] = self._draw(kind, s.field)
            elif s.t == "list":
                out[key] = tuple(self._draw(kind, s.field) for _ in range(self.cable_len))
            elif s.t == "cat":
                common, rare = CATS[s.table][d]
                if fresh and rare and kind in self.common and rng.random() < P_RARE_VALUE:
                    out[key] = rng.choice(rare)
                else:
                    out[key] = common[min(len(common) - 1, int(rng.expovariate(0.9)))]
            elif s.t == "id":
                out[key] = rng.choice(self.ids[s.field])
            elif s.t == "tag":
                out[key] = rng.choice(self.tags)
            elif s.table == "people":
                out[key] = rng.choice(PEOPLE[d])
            elif s.table == "version":
                out[key] = f"{rng.randint(1, 4)}.{rng.randint(0, 12)}.{rng.randint(0, 30)}"
            elif s.table == "outcome":
                out[key] = rng.choice(OUTCOMES[d])
            else:
                text_spec = (s, key)
        if kind in PRIORITY_KINDS:
            out[self.prio_key] = self._draw_prio(kind in ALWAYS_PRIORITY_RARE or force == "priority")
        if kind in self.common and (force == "anomaly" or (force == "" and rng.random() < self.anomaly_rate)):
            self._anomalize(kind, out)
        if text_spec is not None:
            alarm = force == "priority" or (force == "" and rng.random() < P_TEXT_ALARM)
            out[text_spec[1]] = self._text(kind, out, alarm)
        return out

    def _anomalize(self, kind: str, out: dict[str, Any]) -> bool:
        rng = self.rng
        specs = [s for s in COMMON_KINDS[kind] if s.t in ("num", "list")]
        rng.shuffle(specs)
        for s in specs:
            med, spread, lo, hi, _ = self._num[(kind, s.field)]
            k = rng.uniform(6.0, 14.0)
            for sign in rng.sample((1, -1), 2):
                v = self._fit(kind, s.field, med + sign * k * spread)
                if abs(v - med) / spread < 5.5:
                    continue
                key = self.keys[s.field]
                if s.t == "list":
                    vals = list(out[key])
                    vals[rng.randrange(len(vals))] = v
                    out[key] = tuple(vals)
                else:
                    out[key] = v
                return True
        return False

    def _jitter(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        """A near copy: one tiny numeric step, or text / a code typed again."""
        rng = self.rng
        out = dict(fields)
        nums = [s for s in ALL_SPECS[kind] if s.t in ("num", "list")]
        floats = [s for s in nums if self._num[(kind, s.field)][4] >= 0]
        texts = [s for s in ALL_SPECS[kind] if s.t in ("id", "word") and s.table != "version"]
        if texts and (not floats or rng.random() < 0.25):
            s = rng.choice(texts)
            key = self.keys[s.field]
            out[key] = _retype(out[key], rng)
            return out
        s = rng.choice(floats or nums)
        key = self.keys[s.field]
        dec = self._num[(kind, s.field)][4]
        step = 1 if dec < 0 else 10.0 ** -dec
        delta = rng.choice((-1, 1)) * step * rng.choice((1, 1, 2))

        def nudge(x: int | float) -> int | float:
            return x + delta if dec < 0 else round(x + delta, dec)

        if s.t == "list":
            vals = list(out[key])
            j = rng.randrange(len(vals))
            vals[j] = nudge(vals[j])
            out[key] = tuple(vals)
        else:
            out[key] = nudge(out[key])
        return out

    # --- the stream ----------------------------------------------------------------------------

    def _tick(self, lo: int, hi: int) -> int:
        self._clock += self.rng.randint(lo, hi)
        return self._clock

    def _record(self, kind: str, origin: str, fields: dict[str, Any], ts: int) -> Record:
        return Record.create(self.kind_name[kind], origin, ts, fields)

    def _pick_kind(self) -> str:
        rng = self.rng
        for k in self.rare:
            if rng.random() < P_RARE_KIND:
                return k
        return rng.choices(self.common, weights=self.weights)[0]

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """The next ``n`` records with their ground truth, none earlier than ``now_ms``."""
        if n < 0:
            raise ValueError("n must be non-negative")
        rng = self.rng
        self._clock = max(self._clock, now_ms)
        out: list[LabeledRecord] = []
        meta: list[tuple[str, dict[str, Any]]] = []  # abstract kind and fields per index
        sources: list[int] = []
        burst: _Burst | None = None
        for i in range(n):
            left = n - i
            if burst is not None and (burst.left >= left or self._clock - burst.head_ts > 50_000
                                      or rng.random() < 0.75):
                fields = burst.fields if rng.random() < 0.4 else self._jitter(burst.kind, burst.fields)
                rec = self._record(burst.kind, burst.origin, fields, self._tick(200, 1500))
                imp = min(0.02, 0.1 * out[burst.head].importance)
                out.append(LabeledRecord(rec, imp, "burst_tail", burst.head))
                meta.append((burst.kind, fields))
                burst.left -= 1
                if burst.left == 0:
                    burst = None
                continue
            u = rng.random()
            lo_gap, hi_gap = (200, 1500) if burst is not None else (500, 6000)
            if burst is None and u < P_BURST and left >= 12:
                kind = rng.choices(self.common, weights=self.weights)[0]
                prio_ok = kind in PRIORITY_KINDS or kind in TEXT_KINDS
                force = "priority" if prio_ok and rng.random() < 0.5 else "anomaly"
                fields = self._fields(kind, fresh=False, force=force)
                origin = rng.choice(self.home[kind])
                ts = self._tick(lo_gap, hi_gap)
                rec = self._record(kind, origin, fields, ts)
                imp, detail = self.score(kind, fields)
                out.append(LabeledRecord(rec, imp, "burst_head", -1, detail))
                tails = min(left - 1, 2 + int(rng.expovariate(1 / 5)), 24)
                burst = _Burst(i, kind, origin, fields, tails, ts)
                sources.append(i)
                meta.append((kind, fields))
                continue
            u -= P_BURST
            if sources and u < P_DUP + P_NEAR:
                j = rng.choice(sources[-30:])
                kind, src_fields = meta[j]
                src = out[j]
                origin = src.record.origin if rng.random() < 0.7 else rng.choice(self.stations)
                near = u >= P_DUP
                fields = self._jitter(kind, src_fields) if near else dict(src_fields)
                rec = self._record(kind, origin, fields, self._tick(lo_gap, hi_gap))
                case, factor = ("near_dup", 0.1) if near else ("dup", 0.05)
                out.append(LabeledRecord(rec, factor * src.importance, case, j))
                meta.append((kind, fields))
                continue
            u -= P_DUP + P_NEAR
            if self._pool and u < P_RESEND:
                kind_str, origin, fields = rng.choice(self._pool)
                rec = Record.create(kind_str, origin, self._tick(lo_gap, hi_gap), fields)
                out.append(LabeledRecord(rec, 0.01, "resend"))
                meta.append((self.kind_of[kind_str], fields))
                continue
            kind = self._pick_kind()
            fields = self._fields(kind, fresh=True)
            rec = self._record(kind, rng.choice(self.home[kind]), fields, self._tick(lo_gap, hi_gap))
            imp, detail = self.score(kind, fields)
            out.append(LabeledRecord(rec, imp, "routine", -1, detail))
            meta.append((kind, fields))
            sources.append(i)
        for lr in out:
            if lr.case in ("routine", "burst_head") and lr.importance >= 0.3:
                self._pool.append((lr.record.kind, lr.record.origin, lr.record.fields))
        del self._pool[:-200]
        return out

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        """The next ``n`` records with their importance."""
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]


def _retype(value: Any, rng: random.Random) -> Any:
    """The same text or code typed again: accents dropped, case or spacing changed."""
    s = str(value)
    options = [_strip_marks(s), s.lower(), s.upper(), s.replace("-", "", 1), s.replace(" ", "  ", 1), s + " "]
    options = [o for o in options if o != s]
    return rng.choice(options)
