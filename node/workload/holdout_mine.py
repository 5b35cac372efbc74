"""The mining held-out family: one seeded mine per workload, labelled with the importance definition.

Theory of operation
-------------------
This generator was written blind. Its author read only: ``protocol/record.py``
(the Record type), ``protocol/keys.py`` (PrivateKey and peer ids), the
definitions of ``noisy_or``, ``main_reason`` and ``LabeledRecord`` in
``node/workload/domains.py``, ``tests/node/holdout_checks.py``,
``tests/node/test_holdout_rail.py`` (for the test style, the interface and the
label conventions) and the ``[tool.ruff]`` section of ``pyproject.toml``.
Nothing else in the repository (in particular no model code and no other
generator) informed it.

A seed builds one mine ("world"): a dialect (Brazilian Portuguese, Czech or
Swahili, each with its own naming style for kinds and keys), a unit system per
quantity family (metric or imperial, percent or ppm...), per-kind scales (a
fleet of small or large trucks, a deep or a shallow mine), 5-8 common kinds
(haul trucks, fans, gas monitors, belts, crushers, pumps, extensometers, fuel
tanks, shift reports, work orders, personnel tags), 1-3 rare kinds (at least
one of which never carries a priority), 3-6 origins (peer ids) and one of the
:data:`PRIORITY_MODES`, the world's way to write priority on the kinds in
:data:`PRIORITY_KINDS`. Shift reports carry free text whose alarm words count
as a priority, unless they are negated.

Ground truth follows the definition: a record is news when it is an anomaly
(a number at least 5 robust spreads from its kind's median), of a rare kind, of
a rare categorical value, carries a priority above the routine step, or heads a
burst. ``score`` gives the truth of a fresh record from its content alone:
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)`` with the detail named
by ``main_reason``. Copies are not news: an exact duplicate is worth 0.05 of its
source, a near duplicate (tiny jitter, re-typed text) 0.1, a burst tail
``min(0.02, 0.1 * head)``, and a resend of an earlier batch's news 0.01.

Everything comes from one ``random.Random(seed)``: no global random, no clock,
no str hashing and no set iteration, so a seed gives the same stream anywhere.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.keys import PrivateKey
from protocol.record import Record

DIALECTS = ("pt", "cs", "sw")  # Brazilian Portuguese, Czech, Swahili
_DI = {d: i for i, d in enumerate(DIALECTS)}

BASE = 0.04
ANOMALY_K = 5.0
TEXT_PRIORITY = 0.9
RARE_KIND_RARITY = 0.5
RARE_VALUE_RARITY = 0.45

# --- units --------------------------------------------------------------------------------
#: family -> (metric-ish option, other option); each option is (suffix, factor, offset)
UNIT_FAMILIES: dict[str, tuple[tuple[str, float, float], tuple[str, float, float]]] = {
    "mass": (("t", 1.0, 0.0), ("st", 1.10231, 0.0)),
    "massrate": (("tph", 1.0, 0.0), ("stph", 1.10231, 0.0)),
    "speed": (("kmh", 1.0, 0.0), ("mph", 0.621371, 0.0)),
    "pressure": (("kpa", 1.0, 0.0), ("psi", 0.145038, 0.0)),
    "temp": (("c", 1.0, 0.0), ("f", 1.8, 32.0)),
    "flow": (("m3s", 1.0, 0.0), ("cfm", 2118.88, 0.0)),
    "length": (("mm", 1.0, 0.0), ("in", 0.0393701, 0.0)),
    "lrate": (("mmd", 1.0, 0.0), ("ind", 0.0393701, 0.0)),
    "depth": (("m", 1.0, 0.0), ("ft", 3.28084, 0.0)),
    "volume": (("l", 1.0, 0.0), ("gal", 0.264172, 0.0)),
    "vflow": (("lps", 1.0, 0.0), ("gpm", 15.8503, 0.0)),
    "charge": (("kg", 1.0, 0.0), ("lb", 2.20462, 0.0)),
    "gas": (("pct", 1.0, 0.0), ("ppm", 10000.0, 0.0)),
}


# --- kinds ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Num:
    """A numeric field: median drawn per world in [lo, hi] (metric), robust spread rel * median."""

    canon: str
    unit: str  # a UNIT_FAMILIES key, a fixed suffix, or "" for none
    lo: float
    hi: float
    rel: float
    integer: bool = False


@dataclass(frozen=True, slots=True)
class KindSpec:
    strs: tuple[str, ...]
    nums: tuple[Num, ...]
    cat: str = ""  # a categorical field with rare values
    text: str = ""  # "shift", "maint" or ""


KINDS: dict[str, KindSpec] = {
    "haul_truck": KindSpec(("truck_id",), (
        Num("payload", "mass", 90, 360, 0.06), Num("speed", "speed", 18, 35, 0.15),
        Num("tyre_pressure", "pressure", 600, 720, 0.04), Num("tyre_temp", "temp", 55, 80, 0.08)),
        cat="op_mode"),
    "vent_fan": KindSpec(("fan_id",), (
        Num("airflow", "flow", 150, 450, 0.05), Num("fan_rpm", "rpm", 600, 1200, 0.03, True),
        Num("motor_current", "a", 150, 400, 0.05), Num("vibration", "mms", 1.5, 4.0, 0.15))),
    "gas_monitor": KindSpec(("sensor_id", "location"), (
        Num("ch4", "gas", 0.05, 0.35, 0.2), Num("co", "ppm", 3, 15, 0.25), Num("o2", "pct", 20.7, 20.9, 0.005))),
    "conveyor": KindSpec(("belt_id",), (
        Num("belt_speed", "ms", 3, 6, 0.03), Num("belt_load", "massrate", 1500, 6000, 0.1),
        Num("drive_temp", "temp", 45, 70, 0.06)), cat="belt_state"),
    "crusher": KindSpec((), (
        Num("throughput", "massrate", 800, 3000, 0.1), Num("power", "kw", 300, 900, 0.08),
        Num("css", "length", 120, 250, 0.03), Num("oil_temp", "temp", 40, 55, 0.05))),
    "dewater_pump": KindSpec(("pump_id",), (
        Num("pump_flow", "vflow", 40, 250, 0.08), Num("sump_level", "depth", 1.5, 6, 0.12),
        Num("motor_current", "a", 40, 180, 0.06)), cat="sump"),
    "extensometer": KindSpec(("instrument_id", "location"), (
        Num("displacement", "length", 5, 40, 0.08), Num("disp_rate", "lrate", 0.05, 0.3, 0.25),
        Num("rock_temp", "temp", 18, 35, 0.03))),
    "fuel_inventory": KindSpec(("tank_id",), (
        Num("tank_level", "volume", 20000, 80000, 0.15), Num("dispensed", "volume", 500, 3000, 0.25))),
    "shift_report": KindSpec(("shift",), (
        Num("crew", "", 20, 60, 0.15, True), Num("tonnes_moved", "mass", 8000, 40000, 0.12)), text="shift"),
    "maint_ticket": KindSpec(("ticket_no", "equipment"), (Num("hours_est", "h", 2, 12, 0.25),), text="maint"),
    "personnel_tag": KindSpec(("tag_id", "zone"), (
        Num("battery", "pct", 60, 95, 0.08), Num("last_seen", "s", 30, 120, 0.2, True))),
    # rare kinds (no statistics: their numbers are never anomalies)
    "microseismic": KindSpec(("location",), (
        Num("magnitude", "ml", 0.5, 2.5, 0.2), Num("event_depth", "depth", 300, 1200, 0.1))),
    "refuge_chamber": KindSpec(("chamber_id",), (
        Num("occupants", "", 3, 12, 0.2, True), Num("o2", "pct", 19.5, 20.9, 0.01))),
    "blast_log": KindSpec(("blast_id", "face", "pattern"), (
        Num("holes", "", 40, 160, 0.1, True), Num("charge", "charge", 2000, 12000, 0.1))),
    "magazine_audit": KindSpec(("magazine_id",), (
        Num("emulsion", "charge", 5000, 40000, 0.1), Num("detonators", "", 200, 2000, 0.1, True),
        Num("boosters", "", 100, 800, 0.1, True))),
    "survey_pickup": KindSpec(("face",), (
        Num("points", "", 50, 400, 0.2, True), Num("advance", "depth", 2, 6, 0.1))),
}

COMMON_KINDS = ("haul_truck", "vent_fan", "gas_monitor", "conveyor", "crusher", "dewater_pump",
                "extensometer", "fuel_inventory", "shift_report", "maint_ticket", "personnel_tag")
ALWAYS_PRIORITY_RARE = ("microseismic", "refuge_chamber")
NEVER_PRIORITY_RARE = ("blast_log", "magazine_audit", "survey_pickup")
RARE_KINDS = ALWAYS_PRIORITY_RARE + NEVER_PRIORITY_RARE
PRIORITY_KINDS = ("vent_fan", "gas_monitor", "dewater_pump", "extensometer", "maint_ticket",
                  *ALWAYS_PRIORITY_RARE)
TEXT_KINDS = ("shift_report",)

# --- words ------------------------------------------------------------------------------------
#: canonical kind -> "pt|cs|sw" words
KIND_WORDS: dict[str, str] = {
    "haul_truck": "caminhao fora estrada|dampr telemetrie|mgodi lori kubwa",
    "vent_fan": "ventilador principal|hlavni ventilator|mgodi feni hewa",
    "gas_monitor": "monitor gas|cidlo plynu|mgodi kipima gesi",
    "conveyor": "correia transportadora|pasovy dopravnik|mgodi mkanda usafirishaji",
    "crusher": "britador primario|primarni drtic|mgodi kisaga mawe",
    "dewater_pump": "bomba desaguamento|cerpadlo odvodneni|mgodi pampu maji",
    "extensometer": "extensometro|extenzometr|mgodi kipima mwamba",
    "fuel_inventory": "estoque diesel|zasoba nafty|mgodi akiba dizeli",
    "shift_report": "relatorio turno|zprava smeny|mgodi ripoti zamu",
    "maint_ticket": "ordem manutencao|udrzba zakazka|mgodi tiketi matengenezo",
    "personnel_tag": "leitura cracha|identifikace osob|mgodi kitambulisho mfanyakazi",
    "microseismic": "evento microssismico|mikroseismicka udalost|mgodi mtetemeko mdogo",
    "refuge_chamber": "camara refugio|unikova komora|mgodi chumba hifadhi",
    "blast_log": "registro desmonte|trhaci prace|mgodi kumbukumbu ulipuaji",
    "magazine_audit": "inventario paiol|inventura skladu trhavin|mgodi ukaguzi ghala baruti",
    "survey_pickup": "levantamento topografico|dulni mereni|mgodi upimaji ardhi",
}

#: canonical field -> "pt|cs|sw" words
FIELD_WORDS: dict[str, str] = {
    "truck_id": "frota|cislo vozu|namba lori",
    "payload": "carga|naklad|mzigo",
    "speed": "velocidade|rychlost|kasi",
    "tyre_pressure": "pressao pneu|tlak pneu|shinikizo tairi",
    "tyre_temp": "temp pneu|teplota pneu|joto tairi",
    "op_mode": "modo operacao|rezim|hali uendeshaji",
    "fan_id": "ventilador|ventilator|feni",
    "airflow": "vazao ar|prutok vzduchu|mtiririko hewa",
    "fan_rpm": "rotacao|otacky|mizunguko",
    "motor_current": "corrente motor|proud motoru|mkondo mota",
    "vibration": "vibracao|vibrace|mtetemo",
    "sensor_id": "sensor|cidlo|kitambuzi",
    "location": "local|misto|mahali",
    "ch4": "metano|metan|methani",
    "co": "monoxido|co|kaboni monoksidi",
    "o2": "oxigenio|kyslik|oksijeni",
    "belt_id": "correia|pas|mkanda",
    "belt_speed": "velocidade correia|rychlost pasu|kasi mkanda",
    "belt_load": "vazao minerio|dopravni vykon|mzigo kwa saa",
    "drive_temp": "temp acionamento|teplota pohonu|joto injini",
    "belt_state": "estado|stav|hali",
    "throughput": "alimentacao|propustnost|uzalishaji",
    "power": "potencia|prikon|nguvu",
    "css": "abertura fechada|vystupni sterbina|mwanya",
    "oil_temp": "temp oleo|teplota oleje|joto mafuta",
    "pump_id": "bomba|cerpadlo|pampu",
    "pump_flow": "vazao|prutok|mtiririko",
    "sump_level": "nivel poco|hladina jimky|kina kisima",
    "sump": "poco|jimka|kisima",
    "instrument_id": "instrumento|pristroj|chombo",
    "displacement": "deslocamento|posun|msogeo",
    "disp_rate": "taxa deslocamento|rychlost posunu|kasi msogeo",
    "rock_temp": "temp rocha|teplota horniny|joto mwamba",
    "tank_id": "tanque|nadrz|tangi",
    "tank_level": "volume tanque|objem nadrze|ujazo tangi",
    "dispensed": "abastecido|vydano|iliyotolewa",
    "shift": "turno|smena|zamu",
    "crew": "efetivo|osadka|wafanyakazi",
    "tonnes_moved": "producao|tezba|uzalishaji jumla",
    "text": "observacoes|poznamka|maelezo",
    "ticket_no": "numero os|cislo zakazky|namba tiketi",
    "equipment": "equipamento|zarizeni|kifaa",
    "hours_est": "horas estimadas|odhad hodin|saa makadirio",
    "tag_id": "cracha|cip|kitambulisho",
    "zone": "zona|zona|eneo",
    "battery": "bateria|baterie|betri",
    "last_seen": "ultima leitura|posledni cteni|mara mwisho",
    "magnitude": "magnitude|magnituda|ukubwa",
    "event_depth": "profundidade|hloubka|kina",
    "chamber_id": "camara|komora|chumba",
    "occupants": "ocupantes|osob|watu",
    "blast_id": "desmonte|odpal|mlipuko",
    "holes": "furos|vrtu|mashimo",
    "charge": "carga explosivo|naloz|baruti",
    "pattern": "malha|schema|mpangilio",
    "magazine_id": "paiol|sklad|ghala",
    "emulsion": "emulsao|emulze|emalsheni",
    "detonators": "espoletas|rozbusky|vifyatuzi",
    "boosters": "reforcadores|posilovace|viboreshaji",
    "points": "pontos|body|alama",
    "advance": "avanco|postup|maendeleo",
    "face": "frente|celba|uso",
}

# --- priority ---------------------------------------------------------------------------------
PRIORITY_MODES = ("tarp", "colour", "words", "flag", "letter", "level_up", "level_down",
                  "pct_limit", "ticket_cat")

#: mode -> "pt|cs|sw" words of the world's priority key
PRIORITY_KEY_WORDS: dict[str, str] = {
    "tarp": "nivel tarp|tarp|kiwango tarp",
    "colour": "sinalizacao|barva stavu|rangi",
    "words": "gravidade|zavaznost|uzito",
    "flag": "acionar brigada|vyhlasit evakuaci|piga kengele",
    "letter": "classe risco|kategorie|daraja",
    "level_up": "classe alarme|stupen poplachu|ngazi kengele",
    "level_down": "prioridade|priorita|kipaumbele",
    "pct_limit": "pct limite|procento limitu|asilimia kikomo",
    "ticket_cat": "tipo ordem|typ hlaseni|aina kazi",
}

#: mode -> steps (values per dialect, weight, priority); the first steps of weight sum ~0.86 are routine
_STEPS: dict[str, tuple[tuple[tuple[Any, Any, Any], float, float], ...]] = {
    "tarp": ((("TARP-0",) * 3, 0.86, 0.0), (("TARP-1",) * 3, 0.08, 0.5),
             (("TARP-2",) * 3, 0.04, 0.8), (("TARP-3",) * 3, 0.02, 1.0)),
    "colour": ((("verde", "zelena", "kijani"), 0.86, 0.0), (("amarelo", "zluta", "njano"), 0.08, 0.5),
               (("laranja", "oranzova", "machungwa"), 0.04, 0.75),
               (("vermelho", "cervena", "nyekundu"), 0.02, 1.0)),
    "words": ((("normal", "bezny", "kawaida"), 0.70, 0.0), (("informativo", "informace", "taarifa"), 0.16, 0.0),
              (("atencao", "pozor", "tahadhari"), 0.08, 0.5), (("alerta", "vystraha", "hatari"), 0.04, 0.8),
              (("critico", "kriticky", "dharura"), 0.02, 1.0)),
    "flag": (((False,) * 3, 0.87, 0.0), ((True,) * 3, 0.13, 0.85)),
    "letter": ((("C",) * 3, 0.45, 0.0), (("D",) * 3, 0.42, 0.0), (("B",) * 3, 0.10, 0.65),
               (("A",) * 3, 0.03, 1.0)),
    "level_up": (((0,) * 3, 0.86, 0.0), ((1,) * 3, 0.08, 0.5), ((2,) * 3, 0.04, 0.8), ((3,) * 3, 0.02, 1.0)),
    "level_down": (((4,) * 3, 0.50, 0.0), ((5,) * 3, 0.36, 0.0), ((3,) * 3, 0.08, 0.45),
                   ((2,) * 3, 0.04, 0.7), ((1,) * 3, 0.02, 1.0)),
    # value ranges (lo, hi) of percent of the exposure/alarm limit
    "pct_limit": ((((2.0, 49.9),) * 3, 0.86, 0.0), (((50.0, 79.9),) * 3, 0.08, 0.5),
                  (((80.0, 99.9),) * 3, 0.04, 0.75), (((100.0, 180.0),) * 3, 0.02, 1.0)),
    "ticket_cat": ((("PREV", "PREV", "KINGA"), 0.50, 0.0), (("CORR", "OPRAVA", "MAREKEBISHO"), 0.36, 0.0),
                   (("QUEBRA", "PORUCHA", "HITILAFU"), 0.10, 0.6),
                   (("SEGURANCA", "BEZPECNOST", "USALAMA"), 0.04, 1.0)),
}

#: alarm words in shift reports (matched case-insensitively once negations are struck out)
TEXT_MARKERS: dict[str, tuple[str, ...]] = {
    "pt": ("urgente", "perigo", "alarme de gás acionado"),
    "cs": ("naléhavé", "nebezpečí", "plynový poplach vyhlášen"),
    "sw": ("dharura", "hatari", "kengele ya gesi imelia"),
}
TEXT_NEGATIONS: dict[str, tuple[str, ...]] = {
    "pt": ("não urgente", "sem urgência", "sem perigo", "nenhum alarme de gás"),
    "cs": ("není naléhavé", "bez naléhavosti", "žádné nebezpečí", "žádný plynový poplach"),
    "sw": ("hakuna dharura", "hakuna hatari", "hakuna kengele ya gesi"),
}

_SHIFT_ROUTINE: dict[str, tuple[str, ...]] = {
    "pt": ("Turno {shift} sem ocorrências relevantes; {n} viagens para o britador.",
           "Nenhum alarme de gás no nível {lvl}, ventilação dentro do padrão.",
           "Sem urgência: troca de pneu do caminhão {truck} concluída na oficina.",
           "Frente {face} liberada após abatimento de choco, sem perigo identificado.",
           "Detonação da frente {face} concluída no horário; poeira assentou em 30 min.",
           "Bomba do nível {lvl} revisada, operação normal.",
           "Não urgente: revisar iluminação da rampa de acesso ao nível {lvl}."),
    "cs": ("Směna {shift} bez mimořádných událostí, {n} jízd k drtiči.",
           "Žádný plynový poplach na patře {lvl}, větrání v normě.",
           "Bez naléhavosti: výměna pneumatiky dampru {truck} hotova.",
           "Čelba {face} uvolněna po odstranění uvolněné horniny, žádné nebezpečí.",
           "Odstřel na čelbě {face} proveden podle plánu.",
           "Čerpadlo na patře {lvl} zkontrolováno, provoz normální.",
           "Není naléhavé: doplnit osvětlení na úpadnici k patru {lvl}."),
    "sw": ("Zamu {shift} bila matukio makubwa; safari {n} kwenda kisaga.",
           "Hakuna kengele ya gesi katika ngazi {lvl}; uingizaji hewa ni wa kawaida.",
           "Hakuna dharura: tairi la lori {truck} limebadilishwa karakana.",
           "Uso {face} umesafishwa baada ya kuondoa mawe yaliyolegea, hakuna hatari.",
           "Ulipuaji wa uso {face} umekamilika kwa wakati.",
           "Pampu ya ngazi {lvl} imekaguliwa, inafanya kazi vizuri."),
}
_SHIFT_ALARM: dict[str, tuple[str, ...]] = {
    "pt": ("URGENTE: queda de blocos na frente {face}, área isolada.",
           "PERIGO: alarme de gás acionado no nível {lvl}, evacuação parcial.",
           "URGENTE: caminhão {truck} com princípio de incêndio no pneu, brigada acionada."),
    "cs": ("NALÉHAVÉ: zával na čelbě {face}, prostor uzavřen.",
           "NEBEZPEČÍ: plynový poplach vyhlášen na patře {lvl}, částečná evakuace.",
           "NALÉHAVÉ: požár pneumatiky dampru {truck}, zasahuje báňská záchranná služba."),
    "sw": ("DHARURA: mwamba umeanguka kwenye uso {face}, eneo limefungwa.",
           "HATARI: kengele ya gesi imelia katika ngazi {lvl}, uhamishaji wa sehemu.",
           "DHARURA: moto kwenye tairi la lori {truck}, timu ya uokoaji imeitwa."),
}
_MAINT_TEXT: dict[str, tuple[str, ...]] = {
    "pt": ("Trocar roletes de carga da correia {belt}.", "Inspeção de 500 h do caminhão {truck}.",
           "Vazamento de óleo no redutor da bomba {pump}.", "Recalibrar sensor de metano do nível {lvl}.",
           "Reapertar parafusos da grelha do britador."),
    "cs": ("Vyměnit nosné válečky pásu {belt}.", "Prohlídka 500 h dampru {truck}.",
           "Únik oleje z převodovky čerpadla {pump}.", "Překalibrovat čidlo metanu na patře {lvl}.",
           "Dotáhnout šrouby roštu drtiče."),
    "sw": ("Badilisha roli za mkanda {belt}.", "Ukaguzi wa saa 500 wa lori {truck}.",
           "Mafuta yanavuja kwenye gia ya pampu {pump}.", "Rekebisha kipima methani ngazi {lvl}.",
           "Kaza bolti za chekecheke ya kisaga."),
}

#: categorical field -> per dialect (common values, rare values)
_CATS: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    "op_mode": ((("autonomo", "manual"), ("reboque", "teleoperado")),
                (("autonomni", "rucni"), ("odtah", "dalkove")),
                (("kujiendesha", "mkono"), ("kuvutwa", "mbali"))),
    "belt_state": ((("operando", "parado"), ("reverso", "inspecao")),
                   (("provoz", "stani"), ("zpetny chod", "prohlidka")),
                   (("inafanya kazi", "imesimama"), ("kinyume", "ukaguzi"))),
    "sump": ((("poco norte", "poco sul", "poco principal"), ("galeria abandonada",)),
             (("severni jimka", "jizni jimka", "hlavni jimka"), ("stara stola",)),
             (("kisima cha kaskazini", "kisima cha kusini", "kisima kikuu"), ("shimo la zamani",))),
}
RARE_VALUE_RATE = 0.012

_SHIFT_NAMES = (("A", "B", "C", "D"), ("ranni", "odpoledni", "nocni"), ("asubuhi", "mchana", "usiku"))
_FACE_PREFIX = ("FR", "C", "U")
_TRUCK_MODELS = ("CAT793F", "KOM930E", "LIEB-T284", "BELAZ-75131", "CAT777G", "KOM730E")

# stream shares (per slot outside a burst)
P_BURST, P_DUP, P_NEAR, P_RESEND = 0.013, 0.042, 0.04, 0.008
P_RARE_PER_KIND = 0.0045
P_TEXT_ALARM = 0.1


def anomaly_strength(k: float) -> float:
    """0 below :data:`ANOMALY_K` robust spreads, then from 0.4 rising to 1."""
    return 0.0 if k < ANOMALY_K else min(1.0, 0.4 + 0.04 * (k - ANOMALY_K))


def _words(table: str, dialect: str) -> list[str]:
    return table.split("|")[_DI[dialect]].split()


def render_key(dialect: str, words: list[str], unit: str) -> str:
    """pt: camelCase; cs: dotted lowercase; sw: SCREAMING_SNAKE. The unit goes last."""
    parts = [*words, unit] if unit else list(words)
    if dialect == "pt":
        return parts[0].lower() + "".join(p[:1].upper() + p[1:].lower() for p in parts[1:])
    if dialect == "cs":
        return ".".join(p.lower() for p in parts)
    return "_".join(p.upper() for p in parts)


def render_kind(dialect: str, words: list[str]) -> str:
    """pt: PascalCase; cs: kebab-case; sw: dotted lowercase."""
    if dialect == "pt":
        return "".join(w[:1].upper() + w[1:].lower() for w in words)
    if dialect == "cs":
        return "-".join(w.lower() for w in words)
    return ".".join(w.lower() for w in words)


@dataclass(slots=True)
class _NumGen:
    key: str
    median: float
    spread: float
    decimals: int
    integer: bool


@dataclass(slots=True)
class _Burst:
    head: int
    kind: str
    origin: str
    fields: dict[str, Any]
    importance: float
    head_ts: int
    left: int


class MineWorkload:
    """One seeded mine: its dialect, units, kinds, origins and priority encoding, and its stream."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self._rng = rng
        self.seed = seed
        self.dialect: str = rng.choice(DIALECTS)
        d = _DI[self.dialect]
        self.prio_mode: str = rng.choice(PRIORITY_MODES)
        imperial = rng.random() < 0.4
        self._conv: dict[str, tuple[str, float, float]] = {}
        for fam, opts in UNIT_FAMILIES.items():
            pick = int(imperial) ^ int(rng.random() < 0.2) if fam != "gas" else int(rng.random() < 0.5)
            self._conv[fam] = opts[pick]
        self.units: dict[str, str] = {fam: c[0] for fam, c in self._conv.items()}

        self.common: list[str] = rng.sample(COMMON_KINDS, rng.randint(5, 8))
        if not any(k in PRIORITY_KINDS for k in self.common):
            self.common[rng.randrange(len(self.common))] = rng.choice(
                [k for k in COMMON_KINDS if k in PRIORITY_KINDS])
        self.rare: list[str] = rng.sample(RARE_KINDS, rng.randint(1, 3))
        if not any(k in NEVER_PRIORITY_RARE for k in self.rare):
            self.rare[rng.randrange(len(self.rare))] = rng.choice(NEVER_PRIORITY_RARE)
        self._weights = [rng.uniform(0.5, 2.0) for _ in self.common]
        self.kinds: list[str] = self.common + self.rare

        self.kind_names: dict[str, str] = {k: render_kind(self.dialect, _words(KIND_WORDS[k], self.dialect))
                                           for k in self.kinds}
        self.kind_of: dict[str, str] = {v: k for k, v in self.kind_names.items()}
        self.prio_key = render_key(self.dialect, _words(PRIORITY_KEY_WORDS[self.prio_mode], self.dialect), "")
        self._steps = [(vals[d], w, p) for vals, w, p in _STEPS[self.prio_mode]]
        self._prio_map: dict[Any, float] = {} if self.prio_mode == "pct_limit" else {
            v: p for v, _, p in self._steps}

        # keys and number generators
        self.keys: dict[str, str] = {"prio": self.prio_key}
        self._nums: dict[str, list[_NumGen]] = {}
        self.stats: dict[str, dict[str, tuple[float, float]]] = {}
        for kind in self.kinds:
            spec = KINDS[kind]
            for canon in (*spec.strs, *((spec.cat,) if spec.cat else ()), *(("text",) if spec.text else ())):
                self.keys[canon] = render_key(self.dialect, _words(FIELD_WORDS[canon], self.dialect), "")
            gens = []
            for num in spec.nums:
                suffix, factor, offset = self._conv.get(num.unit, (num.unit, 1.0, 0.0))
                key = render_key(self.dialect, _words(FIELD_WORDS[num.canon], self.dialect), suffix)
                self.keys[num.canon] = key
                med = rng.uniform(num.lo, num.hi)
                spread = med * num.rel * factor
                med = med * factor + offset
                if num.integer:
                    spread = max(spread, 2.0)
                    med = float(round(med))
                decimals = max(0, min(6, math.ceil(-math.log10(spread / 50.0))))
                gens.append(_NumGen(key, med, spread, decimals, num.integer))
            self._nums[kind] = gens
            if kind in self.common:
                self.stats[kind] = {g.key: (g.median, g.spread) for g in gens}

        # names of things in this mine
        depth_unit = self._conv["depth"]
        step = rng.choice((40, 60, 80))
        self.levels = [str(round(x * step * depth_unit[1])) for x in sorted(rng.sample(range(2, 20), 4))]
        self.faces = [f"{_FACE_PREFIX[d]}{n}" for n in sorted(rng.sample(range(1, 90), 6))]
        model = rng.choice(_TRUCK_MODELS)
        self.trucks = [f"{model}-{n:02d}" for n in sorted(rng.sample(range(1, 60), rng.randint(4, 9)))]
        self._pools: dict[str, list[str]] = {
            "truck_id": self.trucks,
            "fan_id": [f"VP-{n}" for n in sorted(rng.sample(range(1, 12), 3))],
            "sensor_id": [f"{p}-{lv}-{n:02d}" for p in (rng.choice(("SG", "CH4", "GM")),)
                          for lv in self.levels for n in (1, 2)],
            "location": [f"{lv}/{f}" for lv in self.levels for f in self.faces[:3]],
            "belt_id": [f"CT-{n:02d}" for n in sorted(rng.sample(range(1, 30), 3))],
            "pump_id": [f"B-{n:02d}" for n in sorted(rng.sample(range(1, 40), 3))],
            "instrument_id": [f"EXT-{n:03d}" for n in sorted(rng.sample(range(1, 400), 5))],
            "tank_id": [f"TQ-{n}" for n in range(1, rng.randint(2, 4) + 1)],
            "shift": list(_SHIFT_NAMES[d]),
            "tag_id": [f"T{n:05d}" for n in sorted(rng.sample(range(1, 99999), 40))],
            "zone": self.faces + self.levels,
            "chamber_id": [f"RC-{n}" for n in sorted(rng.sample(range(1, 20), 3))],
            "magazine_id": [f"MAG-{n}" for n in sorted(rng.sample(range(1, 9), 2))],
            "face": self.faces,
        }
        self._pools["equipment"] = self.trucks[:3] + self._pools["fan_id"] + self._pools["belt_id"] + \
            self._pools["pump_id"]
        self._ticket = rng.randint(10_000, 90_000)
        self._blast = rng.randint(100, 900)

        self.origins: list[str] = [PrivateKey(rng.randbytes(32)).peer_id for _ in range(rng.randint(3, 6))]
        self.anomaly_rate = 0.025
        self._t = 0
        self._news: list[tuple[str, str, dict[str, Any]]] = []

    # --- the definition ----------------------------------------------------------------------
    def anomaly_k(self, kind: str, fields: dict[str, Any]) -> float:
        """Largest distance of a numeric field from its kind's median, in robust spreads."""
        stats = self.stats.get(kind)
        if not stats:
            return 0.0
        k = 0.0
        for key, (med, spread) in stats.items():
            v = fields.get(key)
            if isinstance(v, int | float) and not isinstance(v, bool):
                k = max(k, abs(v - med) / spread)
        return k

    def text_alarm(self, text: str) -> bool:
        """Whether free text raises an alarm: a marker word that no negation strikes out."""
        low = text.lower()
        for neg in TEXT_NEGATIONS[self.dialect]:
            low = low.replace(neg, " ")
        return any(m in low for m in TEXT_MARKERS[self.dialect])

    def priority_value(self, value: Any) -> float:
        """The priority a value of the world's priority field stands for."""
        if self.prio_mode == "pct_limit":
            if not isinstance(value, int | float) or isinstance(value, bool):
                return 0.0
            return next((p for (lo, _), _, p in reversed(self._steps) if value >= lo), 0.0)
        return self._prio_map.get(value, 0.0) if type(value) in (bool, int, str) else 0.0

    def priority_of(self, kind: str, fields: dict[str, Any]) -> float:
        p = 0.0
        if kind in PRIORITY_KINDS and self.prio_key in fields:
            p = self.priority_value(fields[self.prio_key])
        if kind in TEXT_KINDS:
            text = fields.get(self.keys["text"])
            if isinstance(text, str) and self.text_alarm(text):
                p = max(p, TEXT_PRIORITY)
        return p

    def rarity_of(self, kind: str, fields: dict[str, Any]) -> tuple[float, float]:
        """(rarity, the part of it owed to a rare kind)."""
        if kind in self.rare:
            return RARE_KIND_RARITY, RARE_KIND_RARITY
        cat = KINDS[kind].cat
        if cat and fields.get(self.keys[cat]) in _CATS[cat][_DI[self.dialect]][1]:
            return RARE_VALUE_RARITY, 0.0
        return 0.0, 0.0

    def score(self, kind: str, fields: dict[str, Any]) -> tuple[float, str]:
        """Ground truth of a fresh record from its content alone: (importance, detail)."""
        a = 0.9 * anomaly_strength(self.anomaly_k(kind, fields))
        p = 0.9 * self.priority_of(kind, fields)
        r, rk = self.rarity_of(kind, fields)
        return noisy_or(BASE, a, p, r), main_reason(a, p, r, rk)

    # --- content -----------------------------------------------------------------------------
    def _str(self, canon: str) -> str:
        rng = self._rng
        if canon == "ticket_no":
            self._ticket += rng.randint(1, 7)
            return f"OS-{self._ticket}" if self.dialect == "pt" else f"WO{self._ticket}"
        if canon == "blast_id":
            self._blast += 1
            return f"{rng.choice(self.faces)}-{self._blast}"
        if canon == "pattern":
            b = rng.choice((2.5, 3.0, 3.5, 4.0, 5.0, 6.0))
            return f"{b:.1f}x{b * rng.choice((1.1, 1.15, 1.2, 1.25)):.1f}"
        return rng.choice(self._pools[canon])

    def _fmt(self, template: str) -> str:
        rng = self._rng
        return template.format(shift=rng.choice(self._pools["shift"]), lvl=rng.choice(self.levels),
                               face=rng.choice(self.faces), truck=rng.choice(self.trucks),
                               n=rng.randint(40, 260), belt=rng.choice(self._pools["belt_id"]),
                               pump=rng.choice(self._pools["pump_id"]))

    def _value(self, g: _NumGen, z: float) -> int | float:
        v = g.median + g.spread * z
        return int(round(v)) if g.integer else round(v, g.decimals)

    def _draw_prio(self, level: str) -> Any:
        """A priority value: "any" (the routine mix), "up" (above routine) or "high" (priority >= 0.55)."""
        rng = self._rng
        steps = [s for s in self._steps if level == "any" or (s[2] > 0 if level == "up" else s[2] >= 0.55)]
        value = rng.choices([s[0] for s in steps], weights=[s[1] for s in steps])[0]
        if self.prio_mode == "pct_limit":
            lo, hi = value
            return round(rng.uniform(lo, hi), 1)
        return value

    def _fields(self, kind: str, *, rare_values: bool, anomaly: bool, alarm: bool) -> dict[str, Any]:
        rng = self._rng
        spec = KINDS[kind]
        f: dict[str, Any] = {self.keys[c]: self._str(c) for c in spec.strs}
        for g in self._nums[kind]:
            f[g.key] = self._value(g, max(-3.5, min(3.5, rng.gauss(0.0, 1.0))))
        if spec.cat:
            common, rare = _CATS[spec.cat][_DI[self.dialect]]
            use_rare = rare_values and rng.random() < RARE_VALUE_RATE
            f[self.keys[spec.cat]] = rng.choice(rare if use_rare else common)
        if spec.text == "shift":
            alarm_text = alarm or rng.random() < P_TEXT_ALARM
            f[self.keys["text"]] = self._fmt(rng.choice((_SHIFT_ALARM if alarm_text else _SHIFT_ROUTINE)[self.dialect]))
        elif spec.text == "maint":
            f[self.keys["text"]] = self._fmt(rng.choice(_MAINT_TEXT[self.dialect]))
        if kind in PRIORITY_KINDS:
            level = "high" if kind in ALWAYS_PRIORITY_RARE else ("up" if alarm else "any")
            f[self.prio_key] = self._draw_prio(level)
        if anomaly and kind in self.stats:
            g = rng.choice(self._nums[kind])
            k = rng.uniform(6.0, 20.0)
            down = rng.random() < 0.3 and g.median - k * g.spread > 0
            f[g.key] = self._value(g, -k if down else k)
        return f

    def _jitter(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        """A near duplicate: one number nudged by a few rounding steps, or the text re-typed."""
        rng = self._rng
        out = dict(fields)
        text_key = self.keys.get("text")
        floats = [g for g in self._nums[kind] if not g.integer]
        if text_key in out and rng.random() < 0.35:
            text = out[text_key]
            options = [text.rstrip("."), text.replace(" ", "  ", 1), text[:1].lower() + text[1:], text + " "]
            out[text_key] = rng.choice([t for t in options if t != text])
            return out
        g = rng.choice(floats)
        step = 10.0 ** -g.decimals
        out[g.key] = round(out[g.key] + rng.choice((-1, 1)) * step * rng.randint(1, 3), g.decimals)
        return out

    def _tail_fields(self, kind: str, head: dict[str, Any]) -> dict[str, Any]:
        rng = self._rng
        out = dict(head)
        for g in self._nums[kind]:
            if not g.integer:
                out[g.key] = round(head[g.key] + g.spread * rng.uniform(-0.5, 0.5), g.decimals)
        return out

    # --- the stream --------------------------------------------------------------------------
    def _tick(self, fast: bool) -> int:
        rng = self._rng
        self._t += rng.randint(300, 1500) if fast else max(1, int(rng.expovariate(1 / 2400.0)))
        return self._t

    def _record(self, kind: str, origin: str, fields: dict[str, Any], fast: bool) -> Record:
        return Record.create(self.kind_names[kind], origin, self._tick(fast), fields)

    def _routine_kind(self) -> str:
        rng = self._rng
        for k in self.rare:
            if rng.random() < P_RARE_PER_KIND:
                return k
        return rng.choices(self.common, weights=self._weights)[0]

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """The next ``n`` records with their ground truth, none earlier than ``now_ms``."""
        if n < 0:
            raise ValueError("n must be non-negative")
        rng = self._rng
        self._t = max(self._t, now_ms)
        out: list[LabeledRecord] = []
        sources: list[int] = []  # indices of fresh records (routine, burst heads)
        burst: _Burst | None = None
        for i in range(n):
            fast = burst is not None
            if burst is not None:
                force = n - i <= burst.left or self._t - burst.head_ts > 60_000
                if force or rng.random() < 0.6:
                    fields = self._tail_fields(burst.kind, burst.fields)
                    rec = self._record(burst.kind, burst.origin, fields, True)
                    out.append(LabeledRecord(rec, min(0.02, 0.1 * burst.importance), "burst_tail", burst.head))
                    burst.left -= 1
                    if burst.left == 0:
                        burst = None
                    continue
            u = rng.random()
            recent = sources[-48:]
            if burst is None and u < P_BURST and n - i >= 3:
                kind = rng.choices(self.common, weights=self._weights)[0]
                prio_ok = kind in PRIORITY_KINDS or kind in TEXT_KINDS
                use_prio = prio_ok and rng.random() < 0.5
                fields = self._fields(kind, rare_values=False, anomaly=not use_prio, alarm=use_prio)
                origin = rng.choice(self.origins)
                imp, detail = self.score(kind, fields)
                rec = self._record(kind, origin, fields, False)
                out.append(LabeledRecord(rec, imp, "burst_head", -1, detail))
                sources.append(i)
                burst = _Burst(i, kind, origin, fields, imp, rec.ts_ms, min(rng.randint(2, 14), n - i - 1))
            elif P_BURST <= u < P_BURST + P_DUP and recent:
                j = rng.choice(recent)
                src = out[j]
                origin = src.record.origin if rng.random() < 0.7 else rng.choice(self.origins)
                rec = Record.create(src.record.kind, origin, self._tick(fast), src.record.fields)
                out.append(LabeledRecord(rec, 0.05 * src.importance, "dup", j))
            elif P_BURST + P_DUP <= u < P_BURST + P_DUP + P_NEAR and recent:
                j = rng.choice(recent)
                src = out[j]
                kind = self.kind_of[src.record.kind]
                rec = Record.create(src.record.kind, src.record.origin, self._tick(fast),
                                    self._jitter(kind, src.record.fields))
                out.append(LabeledRecord(rec, 0.1 * src.importance, "near_dup", j))
            elif P_BURST + P_DUP + P_NEAR <= u < P_BURST + P_DUP + P_NEAR + P_RESEND and self._news:
                kind, origin, fields = rng.choice(self._news)
                rec = self._record(kind, origin, fields, fast)
                out.append(LabeledRecord(rec, 0.01, "resend"))
            else:
                kind = self._routine_kind()
                anomaly = kind in self.stats and rng.random() < self.anomaly_rate
                fields = self._fields(kind, rare_values=True, anomaly=anomaly, alarm=False)
                imp, detail = self.score(kind, fields)
                rec = self._record(kind, rng.choice(self.origins), fields, fast)
                out.append(LabeledRecord(rec, imp, "routine", -1, detail))
                sources.append(i)
        for lr in out:  # news of this batch may be resent in later ones
            if lr.case in ("routine", "burst_head") and lr.importance >= 0.3:
                self._news.append((self.kind_of[lr.record.kind], lr.record.origin, lr.record.fields))
        del self._news[:-64]
        return out

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        """The next ``n`` records with their importance."""
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]
