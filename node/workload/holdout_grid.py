"""Held-out family ``grid``: electric power distribution operations, with ground truth per record.

Theory of operation
-------------------
One seed is one world: a distribution utility's operations desk whose nodes
(3-10 peer ids, the ``origins``) ingest telemetry and paperwork. A world draws,
from one ``random.Random``:

- a dialect (below), which names every kind, field, categorical value and
  identifier, and writes every free-text note;
- 5-9 common kinds (at least one of which carries priority) and 1-3 rare kinds;
- one of eight priority encodings (``prio_mode``);
- its physical setting: nominal voltages and frequency follow the dialect's
  grid (11 kV feeders and 230 V in the Hindi world, 34.5 kV and 230 V in the
  Turkish one, 13.8 kV, 60 Hz and 127 or 220 V in the Brazilian one), and
  load-like typical values are scaled by a per-world factor;
- per-kind and per-origin weights, a mean gap between records and the rates of
  rare kinds.

``next_labeled(n, now_ms)`` builds a batch of exactly ``n`` records, strictly
increasing in time, ending near ``now_ms`` (never going back before the last
record already emitted). Each record is a fresh reading or paper (case
"routine"), a burst (a "burst_head" carrying news followed by 2-40
"burst_tail" repeats from the same origin, 60-1500 ms apart, where the stream
itself runs 1.5-4 s apart), an exact duplicate ("dup": same fields, later time,
sometimes relayed by another origin), a near duplicate ("near_dup": one number
nudged by a fraction of its spread, an identifier re-typed, or one word of a
note mistyped) or a "resend" of an important record of an earlier batch.

Dialects
--------
- ``hi``: Hindi as operators type it in Latin letters (Hinglish). Kinds are
  lowercase ``area/thing`` paths (``upkendra/trafo``), fields snake_case
  (``tel_taapmaan_c``), notes in romanised Hindi ("pole 14 pe jumper dheela hai").
- ``tr``: Turkish. Kinds PascalCase (``TrafoMerkezi``), fields camelCase without
  diacritics (``yagSicaklikC``), values and notes with them ("acil değil").
- ``pt``: Brazilian Portuguese. Kinds lowercase kebab (``medicao-se``), fields
  lowercase and dotted (``temp.oleo.c``), notes in shop-floor Portuguese ("corre lá").

Kinds (canonical name: numeric fields, typical value / robust spread, shape)
------------------------------------------------------------------------------
Common: ``sub`` substation (oil temperature normal, load % triangular, tap
position integer normal around 17 of 1-33, HV bus kV, breaker state), ``fdr``
feeder (current lognormal, kV normal, power factor normal, low side only),
``mtr`` smart meter (interval kWh lognormal, voltage normal, voltage sags
Poisson, meter status), ``out`` outage ticket (customers lognormal, restore
estimate triangular, cause, note), ``wo`` crew work order (hours lognormal,
crew lead, note), ``sw`` switching order (steps Poisson, device, state, note),
``wx`` substation weather (wind lognormal, ambient temperature normal, rain
zero-inflated exponential), ``ev`` EV charger (kW normal, session kWh
lognormal, connector state), ``pv`` solar inverter (AC kW triangular, DC
volts normal, frequency normal), ``rec`` recloser (operations Poisson, fault kA
lognormal), ``log`` shift diary (operator, note). Rare (each 0.12-0.3% of fresh
records, 0.2-0.4% of the stream with its copies): ``isl`` islanding event,
``fire`` substation fire (always carries an elevated priority), ``theft`` cable
theft, ``audit`` regulator audit. Rare categorical values (breaker lockout, meter tamper, vandalised
charger) appear in about 1.2% of the records of their kinds.

Routine numbers are drawn from their shape and redrawn while they lie 4 or more
spreads from the typical value; an anomaly (about 2.5% of the stream) sets one
number 5-12 spreads away, in the physically meaningful direction(s) and within
the field's physical bounds.

Priority encodings (carried by ``out``, ``wo``, ``sw``, ``log`` and ``fire``)
-----------------------------------------------------------------------------
Five steps 0 (routine) .. 4 (top), of strength 0, 0.2, 0.45, 0.75, 1.0:

- ``words``: a word of the dialect's scale (samanya/halka/madhyam/jaldi/turant ...);
- ``level_up``: integer 0..4, higher is more pressing;
- ``level_down``: integer 5..1, 1 is the most pressing;
- ``flag``: a boolean "urgent?" field; True has strength 0.9;
- ``letter``: a class code (E..A in hi, K4..K0 in tr, N/B/M/A/E in pt);
- ``marks``: a run of marks ("-", "*", "**" ... in hi, "!" in tr, "+" in pt);
- ``deadline``: a response deadline in minutes (1440, 480, 120, 30, 10);
- ``text``: no field; an urgency phrase inside the note, in the dialect, while
  routine notes sometimes say outright that nothing is pressing.

About 3.5% of the stream is elevated (step 1 or more; at most 30% of a
priority kind's fresh records), so most priority-carrying records sit at step 0.

Truth
-----
For routine records and burst heads, from content alone:
``noisy_or(ROUTINE_FLOOR, 0.9 * anomaly, 0.9 * priority, rarity)`` where
anomaly = ``anomaly_strength(k)`` with k the largest distance of a number from
its (kind, field) typical value in robust spreads (0 below 4.5, then
0.4 + 0.12 per spread beyond, capped at 1), priority the step's strength and
rarity 0.5 for a rare kind or 0.45 for a rare categorical value; ``detail`` is
``main_reason(0.9a, 0.9p, rarity, 0.5 if rare kind else 0)``. A dup is worth
0.05 x its source, a near dup 0.1 x, a resend 0.01 x, a burst tail
``tail_importance(head)``; copies and tails point at their source by ``ref``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from node.workload.domains import (
    ROUTINE_FLOOR,
    LabeledRecord,
    main_reason,
    noisy_or,
    tail_importance,
)
from protocol.keys import PrivateKey
from protocol.record import Record

DIALECTS = ("hi", "tr", "pt")
PRIORITY_MODES = ("words", "level_up", "level_down", "flag", "letter", "marks", "deadline", "text")
STEP_STRENGTH = (0.0, 0.2, 0.45, 0.75, 1.0)
FLAG_STRENGTH = 0.9

COMMON_KINDS = ("sub", "fdr", "mtr", "out", "wo", "sw", "wx", "ev", "pv", "rec", "log")
PRIORITY_KINDS = frozenset({"out", "wo", "sw", "log"})
RARE_KINDS = ("isl", "fire", "theft", "audit")
ALWAYS_PRIORITY_RARE = frozenset({"fire"})
ID_FIELDS = ("asset", "ticket", "device")

ROUTINE_MAX_K = 4.0  # routine numbers are redrawn at this distance or beyond
ANOMALY_K = (5.0, 12.0)  # injected anomalies land this many spreads away
RARE_KIND = 0.5
RARE_VALUE = 0.45
DUP, NEAR_DUP, RESEND = 0.05, 0.1, 0.01

# Per-event probabilities of the copy / burst cases (the rest is fresh routine content).
P_BURST, P_DUP, P_NEAR, P_RESEND = 0.012, 0.045, 0.042, 0.008


def anomaly_strength(k: float) -> float:
    """Anomaly in [0, 1] of a number ``k`` robust spreads from its typical value."""
    if k < 4.5:
        return 0.0
    return min(1.0, 0.4 + 0.12 * (k - 4.5))


# --- numeric fields ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Num:
    """A numeric field: typical value, robust spread, draw shape, anomaly direction, rounding."""

    center: float
    spread: float
    shape: str  # normal | tri | lognormal | poisson | rain
    direction: str  # up | down | both
    digits: int  # 0: an integer field
    lo: float
    hi: float


# Nominal grid per dialect: HV bus kV, feeder kV, frequency, hot oil, ambient temperature.
_NOMINAL = {
    "hi": {"hv": 132.0, "mv": 11.0, "hz": 50.0, "oil": 63.0, "amb": 31.0},
    "tr": {"hv": 154.0, "mv": 34.5, "hz": 50.0, "oil": 54.0, "amb": 14.0},
    "pt": {"hv": 138.0, "mv": 13.8, "hz": 60.0, "oil": 59.0, "amb": 24.0},
}


def _world_stats(dialect: str, rng: random.Random) -> dict[str, dict[str, Num]]:
    nom = _NOMINAL[dialect]
    lv = 230.0 if dialect != "pt" else rng.choice((127.0, 220.0))
    f = rng.uniform(0.85, 1.15)  # how busy this utility's network is
    big = 1e9
    return {
        "sub": {
            "oil_c": Num(nom["oil"], 4.5, "normal", "up", 1, 0, 160),
            "load_pct": Num(round(63 * f, 1), 8.0, "tri", "both", 1, 0, 220),
            "tap": Num(17, 2.0, "normal", "both", 0, 1, 33),
            "hv_kv": Num(nom["hv"], round(nom["hv"] * 0.008, 3), "normal", "both", 1, 0, big),
        },
        "fdr": {
            "amps": Num(round(320 * f), 40.0 * f, "lognormal", "both", 1, 0, big),
            "kv": Num(nom["mv"], round(nom["mv"] * 0.009, 4), "normal", "both", 2, 0, big),
            "pf": Num(0.94, 0.012, "normal", "down", 3, 0.3, 1.0),
        },
        "mtr": {
            "kwh": Num(round(0.85 * f, 3), 0.22 * f, "lognormal", "up", 3, 0, big),
            "volts": Num(lv, round(lv * 0.012, 3), "normal", "both", 1, 0, big),
            "sags": Num(1, 1.5, "poisson", "up", 0, 0, big),
        },
        "out": {
            "customers": Num(round(40 * f), 22.0 * f, "lognormal", "up", 0, 1, big),
            "eta_min": Num(90, 30.0, "tri", "up", 0, 5, big),
        },
        "wo": {"hours": Num(3.0, 1.0, "lognormal", "up", 1, 0.1, big)},
        "sw": {"steps": Num(6, 2.5, "poisson", "up", 0, 1, big)},
        "wx": {
            "wind": Num(round(12 * f, 1), 5.0, "lognormal", "up", 1, 0, big),
            "temp": Num(nom["amb"], 4.0, "normal", "both", 1, -60, 60),
            "rain": Num(0.3, 0.8, "rain", "up", 1, 0, big),
        },
        "ev": {
            "ev_kw": Num(48.0, 10.0, "normal", "both", 1, 0, 400),
            "sess_kwh": Num(22.0, 7.0, "lognormal", "up", 1, 0, big),
        },
        "pv": {
            "ac_kw": Num(round(80 * f, 1), 18.0 * f, "tri", "both", 1, 0, big),
            "dc_v": Num(720.0, 22.0, "normal", "both", 1, 0, big),
            "hz": Num(nom["hz"], 0.025, "normal", "both", 3, 0, big),
        },
        "rec": {
            "ops": Num(1, 1.5, "poisson", "up", 0, 0, big),
            "fault_ka": Num(1.4, 0.4, "lognormal", "up", 2, 0, big),
        },
        "log": {},
        "isl": {
            "hz": Num(nom["hz"], 0.3, "normal", "both", 2, 0, big),
            "dur_s": Num(45, 20.0, "lognormal", "up", 0, 1, big),
        },
        "fire": {},
        "theft": {"cable_m": Num(60, 25.0, "lognormal", "up", 0, 1, big)},
        "audit": {"findings": Num(3, 1.5, "poisson", "up", 0, 0, big)},
    }


# Canonical fields of each kind, in a fixed order; numbers come from the stats above.
_LAYOUT = {
    "sub": ("asset", "oil_c", "load_pct", "tap", "hv_kv", "breaker"),
    "fdr": ("asset", "amps", "kv", "pf"),
    "mtr": ("asset", "kwh", "volts", "sags", "mstatus"),
    "out": ("ticket", "place", "customers", "eta_min", "cause", "note"),
    "wo": ("ticket", "crew", "hours", "note"),
    "sw": ("ticket", "device", "steps", "swstate", "note"),
    "wx": ("asset", "wind", "temp", "rain"),
    "ev": ("asset", "ev_kw", "sess_kwh", "conn"),
    "pv": ("asset", "ac_kw", "dc_v", "hz"),
    "rec": ("asset", "ops", "fault_ka"),
    "log": ("operator", "note"),
    "isl": ("asset", "hz", "dur_s", "note"),
    "fire": ("asset", "note"),
    "theft": ("place", "cable_m", "note"),
    "audit": ("agency", "findings", "note"),
}

# --- dialects ----------------------------------------------------------------------------

_KIND_NAMES = {
    "hi": {
        "sub": "upkendra/trafo",
        "fdr": "feeder/naap",
        "mtr": "meter/padhai",
        "out": "katauti/shikayat",
        "wo": "kaam/adesh",
        "sw": "switching/adesh",
        "wx": "upkendra/mausam",
        "ev": "ev/charger",
        "pv": "solar/inverter",
        "rec": "recloser/ghatna",
        "log": "shift/diary",
        "isl": "grid/dweepan",
        "fire": "upkendra/aag",
        "theft": "cable/chori",
        "audit": "niyamak/jaanch",
    },
    "tr": {
        "sub": "TrafoMerkezi",
        "fdr": "FiderOlcum",
        "mtr": "SayacOkuma",
        "out": "ArizaKaydi",
        "wo": "IsEmri",
        "sw": "ManevraTalimati",
        "wx": "MerkezHava",
        "ev": "SarjIstasyonu",
        "pv": "GunesEvirici",
        "rec": "TekrarKapamaOlay",
        "log": "VardiyaDefteri",
        "isl": "AdaModu",
        "fire": "MerkezYangin",
        "theft": "KabloHirsizligi",
        "audit": "EpdkDenetim",
    },
    "pt": {
        "sub": "medicao-se",
        "fdr": "alimentador",
        "mtr": "leitura-medidor",
        "out": "ocorrencia",
        "wo": "ordem-servico",
        "sw": "manobra",
        "wx": "clima-se",
        "ev": "eletroposto",
        "pv": "inversor-fv",
        "rec": "religador",
        "log": "diario-turno",
        "isl": "ilhamento",
        "fire": "incendio-se",
        "theft": "furto-cabo",
        "audit": "fiscalizacao-aneel",
    },
}

_FIELD_NAMES = {
    "hi": {
        "asset": "upkaran_id",
        "ticket": "shikayat_no",
        "oil_c": "tel_taapmaan_c",
        "load_pct": "bhaar_pratishat",
        "tap": "tap_sthiti",
        "breaker": "breaker_halat",
        "hv_kv": "hv_voltage_kv",
        "amps": "dhara_amp",
        "kv": "voltage_kv",
        "pf": "power_factor",
        "kwh": "khapat_kwh",
        "volts": "voltage_v",
        "sags": "voltage_dip_ginti",
        "mstatus": "meter_halat",
        "customers": "prabhavit_upbhokta",
        "eta_min": "bahali_anuman_min",
        "cause": "karan",
        "note": "tippani",
        "crew": "team_leader",
        "hours": "anumaanit_ghante",
        "steps": "kadam_sankhya",
        "device": "switch_no",
        "swstate": "adesh_sthiti",
        "wind": "hawa_kmph",
        "temp": "tapman_c",
        "rain": "barish_mm",
        "ev_kw": "shakti_kw",
        "sess_kwh": "session_kwh",
        "conn": "connector_halat",
        "ac_kw": "ac_output_kw",
        "dc_v": "dc_voltage",
        "hz": "aavritti_hz",
        "ops": "operation_ginti",
        "fault_ka": "fault_dhara_ka",
        "operator": "operator",
        "dur_s": "avadhi_sec",
        "cable_m": "cable_meter",
        "agency": "sanstha",
        "findings": "kamiyan",
        "place": "ilaka",
    },
    "tr": {
        "asset": "varlikNo",
        "ticket": "kayitNo",
        "oil_c": "yagSicaklikC",
        "load_pct": "yukYuzde",
        "tap": "kademe",
        "breaker": "kesiciDurum",
        "hv_kv": "ygGerilimKv",
        "amps": "akimA",
        "kv": "gerilimKv",
        "pf": "gucFaktoru",
        "kwh": "tuketimKwh",
        "volts": "gerilimV",
        "sags": "cokmeSayisi",
        "mstatus": "sayacDurum",
        "customers": "etkilenenAbone",
        "eta_min": "tahminiSureDk",
        "cause": "neden",
        "note": "aciklama",
        "crew": "ekipSefi",
        "hours": "tahminiSaat",
        "steps": "adimSayisi",
        "device": "anahtarNo",
        "swstate": "talimatDurum",
        "wind": "ruzgarKmh",
        "temp": "sicaklikC",
        "rain": "yagisMm",
        "ev_kw": "gucKw",
        "sess_kwh": "oturumKwh",
        "conn": "soketDurum",
        "ac_kw": "acGucKw",
        "dc_v": "dcGerilimV",
        "hz": "frekansHz",
        "ops": "acmaSayisi",
        "fault_ka": "arizaAkimiKa",
        "operator": "nobetci",
        "dur_s": "sureSn",
        "cable_m": "kabloMetre",
        "agency": "kurum",
        "findings": "bulguSayisi",
        "place": "mahalle",
    },
    "pt": {
        "asset": "ativo.id",
        "ticket": "ocorrencia.num",
        "oil_c": "temp.oleo.c",
        "load_pct": "carga.pct",
        "tap": "tap.pos",
        "breaker": "disjuntor.estado",
        "hv_kv": "tensao.at.kv",
        "amps": "corrente.a",
        "kv": "tensao.kv",
        "pf": "fator.potencia",
        "kwh": "consumo.kwh",
        "volts": "tensao.v",
        "sags": "afundamentos",
        "mstatus": "medidor.status",
        "customers": "clientes.afetados",
        "eta_min": "previsao.min",
        "cause": "causa",
        "note": "obs",
        "crew": "equipe",
        "hours": "duracao.h",
        "steps": "passos",
        "device": "chave",
        "swstate": "manobra.estado",
        "wind": "vento.kmh",
        "temp": "temp.amb.c",
        "rain": "chuva.mm",
        "ev_kw": "potencia.kw",
        "sess_kwh": "sessao.kwh",
        "conn": "conector.estado",
        "ac_kw": "potencia.ca.kw",
        "dc_v": "tensao.cc.v",
        "hz": "frequencia.hz",
        "ops": "operacoes",
        "fault_ka": "corrente.falta.ka",
        "operator": "operador",
        "dur_s": "duracao.s",
        "cable_m": "cabo.m",
        "agency": "orgao",
        "findings": "achados",
        "place": "bairro",
    },
}

_PRIO_KEYS = {
    "hi": {
        "words": "tatkalta",
        "level_up": "prathmikta_star",
        "level_down": "kram_sankhya",
        "flag": "zaroori",
        "letter": "shreni",
        "marks": "nishaan",
        "deadline": "samay_seema_min",
    },
    "tr": {
        "words": "aciliyet",
        "level_up": "oncelikSeviye",
        "level_down": "oncelikSira",
        "flag": "acilMi",
        "letter": "sinif",
        "marks": "isaret",
        "deadline": "mudahaleSuresiDk",
    },
    "pt": {
        "words": "urgencia",
        "level_up": "prioridade.nivel",
        "level_down": "prioridade.ordem",
        "flag": "urgente",
        "letter": "classe",
        "marks": "marca",
        "deadline": "prazo.min",
    },
}

# Value of each priority step 0..4 per encoding (flag: False / True).
_PRIO_VALUES = {
    "words": {
        "hi": ("samanya", "halka", "madhyam", "jaldi", "turant"),
        "tr": ("olağan", "düşük", "orta", "yüksek", "kritik"),
        "pt": ("rotina", "baixa", "média", "alta", "emergência"),
    },
    "level_up": {d: (0, 1, 2, 3, 4) for d in DIALECTS},
    "level_down": {d: (5, 4, 3, 2, 1) for d in DIALECTS},
    "letter": {
        "hi": ("E", "D", "C", "B", "A"),
        "tr": ("K4", "K3", "K2", "K1", "K0"),
        "pt": ("N", "B", "M", "A", "E"),
    },
    "marks": {
        "hi": ("-", "*", "**", "***", "****"),
        "tr": ("-", "!", "!!", "!!!", "!!!!"),
        "pt": ("-", "+", "++", "+++", "++++"),
    },
    "deadline": {d: (1440, 480, 120, 30, 10) for d in DIALECTS},
}

# Urgency inside free text, steps 1..4, and the everyday ways of saying "not pressing".
_URGENCY = {
    "hi": (
        "jab time mile tab dekh lena",
        "aaj hi dekhna hai",
        "jaldi karo, public bahut naraz hai",
        "TURANT aao, khatra hai",
    ),
    "tr": (
        "müsait olunca bakılsın",
        "bugün içinde bakılmalı",
        "çabuk gelin, vatandaş çok tepkili",
        "ACİL!! can güvenliği riski var",
    ),
    "pt": (
        "quando der, dá uma olhada",
        "precisa ver hoje ainda",
        "corre lá, cliente reclamando muito",
        "URGENTE!! risco de vida no local",
    ),
}
_CALM = {
    "hi": ("koi jaldi nahi hai", "urgent nahi hai, aaram se", "kal tak chalega"),
    "tr": ("acil değil", "acelesi yok, sakin bakın", "yarına kalabilir"),
    "pt": ("sem urgência", "não é urgente, pode ver amanhã", "fica pra semana que vem"),
}

_CATEGORIES = {  # common values (weights), then the rare value or None
    "breaker": {
        "hi": (("chalu", "band"), "lockout"),
        "tr": (("kapalı", "açık"), "kilitli"),
        "pt": (("fechado", "aberto"), "bloqueado"),
    },
    "mstatus": {
        "hi": (("theek", "comm_nahi"), "chhedchhad"),
        "tr": (("normal", "iletişim yok"), "müdahale"),
        "pt": (("ok", "sem comunicação"), "violação"),
    },
    "conn": {
        "hi": (("charging", "khali", "kharab"), "todphod"),
        "tr": (("şarjda", "boşta", "arızalı"), "vandalizm"),
        "pt": (("carregando", "livre", "falha"), "vandalizado"),
    },
    "cause": {
        "hi": (("ped", "cable_fault", "fuse", "pata_nahi", "jaanwar"), None),
        "tr": (("ağaç", "kablo arızası", "sigorta", "bilinmiyor", "hayvan"), None),
        "pt": (("árvore", "cabo", "fusível", "indeterminada", "animal"), None),
    },
    "swstate": {
        "hi": (("yojana", "jaari", "chal_raha", "poora"), None),
        "tr": (("planlandı", "verildi", "uygulanıyor", "tamamlandı"), None),
        "pt": (("programada", "emitida", "em execução", "concluída"), None),
    },
}
_CAT_WEIGHTS = {
    "breaker": (0.86, 0.14),
    "mstatus": (0.93, 0.07),
    "conn": (0.55, 0.38, 0.07),
    "cause": (0.3, 0.2, 0.25, 0.15, 0.1),
    "swstate": (0.3, 0.3, 0.2, 0.2),
}
RARE_VALUE_FIELDS = ("breaker", "mstatus", "conn")
P_RARE_VALUE = 0.012

_PLACES = {
    "hi": (
        "Govindpura",
        "Rajiv Nagar",
        "Sector 12",
        "Kalyanpuri",
        "Azad Chowk",
        "Shastri Colony",
        "Mandi Road",
        "Naya Bazaar",
    ),
    "tr": (
        "Bağcılar",
        "Kızılay",
        "Yenimahalle",
        "Çankaya",
        "Esenler",
        "Karşıyaka",
        "Bornova",
        "Etimesgut",
    ),
    "pt": (
        "Vila Mariana",
        "Jardim América",
        "Centro",
        "Boa Vista",
        "Santa Cruz",
        "Parque das Flores",
        "Vila Nova",
        "São Cristóvão",
    ),
}
_PEOPLE = {
    "hi": (
        "Ramesh Yadav",
        "Imran Khan",
        "Gurpreet Singh",
        "Suresh Patil",
        "Anil Meena",
        "Deepak Rawat",
    ),
    "tr": ("Mehmet Yılmaz", "Hasan Demir", "Ayşe Kaya", "Emre Çelik", "Fatma Şahin", "Murat Aydın"),
    "pt": (
        "João Silva",
        "Marcos Souza",
        "Aline Costa",
        "Rafael Lima",
        "Cida Santos",
        "Tiago Alves",
    ),
}
_AGENCIES = {
    "hi": ("CEA", "SERC", "vidyut nireekshak"),
    "tr": ("EPDK", "TEİAŞ", "Bakanlık"),
    "pt": ("ANEEL", "ONS", "agência estadual"),
}

_ID_FORMATS = {
    "hi": {
        "sub": "UPK-{n:03d}",
        "fdr": "FDR-{n:02d}",
        "mtr": "MTR{n:08d}",
        "wx": "AWS-{n:02d}",
        "ev": "EVCS-{n:03d}",
        "pv": "INV-{n:02d}",
        "rec": "ACR-{n:03d}",
        "isl": "MG-{n:02d}",
        "fire": "UPK-{n:03d}",
        "out": "SHK/{n:06d}",
        "wo": "KA-{n:05d}",
        "sw": "SWO/{n:04d}",
        "device": "ISO-{n:02d}",
    },
    "tr": {
        "sub": "TM{n:04d}",
        "fdr": "FD{n:04d}",
        "mtr": "SYC{n:09d}",
        "wx": "MET{n:03d}",
        "ev": "SRJ{n:04d}",
        "pv": "GES{n:03d}",
        "rec": "TKR{n:04d}",
        "isl": "ADA{n:02d}",
        "fire": "TM{n:04d}",
        "out": "ARZ{n:07d}",
        "wo": "IE-{n:06d}",
        "sw": "MNV-{n:05d}",
        "device": "AYR{n:03d}",
    },
    "pt": {
        "sub": "SE-{n:02d}",
        "fdr": "AL-{n:03d}",
        "mtr": "UC {n:010d}",
        "wx": "EMA-{n:02d}",
        "ev": "EP-{n:03d}",
        "pv": "UFV-{n:03d}",
        "rec": "RL-{n:04d}",
        "isl": "MR-{n:02d}",
        "fire": "SE-{n:02d}",
        "out": "OC{n:08d}",
        "wo": "OS-{n:06d}",
        "sw": "PM-{n:05d}",
        "device": "CF-{n:03d}",
    },
}

# Note templates: {place}, {n} (a pole or count), {crew}, {dev}.
_NOTES = {
    "hi": {
        "out": (
            "{place} mein poori gali ki light gayi hai, log phone kar rahe",
            "DT ka fuse ud gaya {place} side, lineman bheja",
            "consumer bol raha transformer se awaaz aa rahi hai",
            "tez hawa ke baad {place} mein supply band",
            "ek phase gayab hai, voltage kam aa raha",
            "LT cable jal gayi pole {n} ke paas",
        ),
        "wo": (
            "pole {n} pe jumper dheela hai, tight karna hai",
            "{place} DT ka oil level check karo, leakage dikh raha",
            "ped ki daaliyan LT line ko chhu rahi, katai karni hai",
            "meter box khula mila, nayi seal lagani hai",
            "earthing resistance naapna hai {place} upkendra mein",
            "insulator tuta hua pole {n} pe, badalna hai",
        ),
        "sw": (
            "{dev} kholna hai, {place} feeder shutdown ke liye",
            "{dev} band karke load {place} pe transfer karo",
            "PTW ke baad {dev} pe earth lagana",
            "shutdown khatam, {dev} wapas chalu karna",
        ),
        "log": (
            "raat ki shift shaanti se gayi, koi trip nahi",
            "{place} feeder do baar trip hua, reclose ho gaya",
            "SCADA link thodi der down tha, ab theek",
            "{crew} ki team {place} se wapas aa gayi",
            "load shedding schedule ke hisaab se chala",
        ),
        "isl": (
            "grid se alag ho gaya, DG aur solar pe chal raha",
            "dweep mode mein hai, frequency upar neeche ho rahi",
        ),
        "fire": (
            "{place} upkendra ke trafo mein aag, fire brigade ko bulaya",
            "control room mein dhuan, sab staff bahar",
        ),
        "theft": (
            "raat mein {place} ke paas cable kaat ke le gaye",
            "cable trench khuli mili, taamba gayab",
        ),
        "audit": (
            "niyamak team aayi, record aur earthing dekhe",
            "inspector ne maintenance register maanga",
        ),
    },
    "tr": {
        "out": (
            "{place} mahallesinde tüm sokak elektriksiz, telefonlar geliyor",
            "{place} tarafında trafo sigortası atmış, ekip yönlendirildi",
            "abone trafodan ses geldiğini söylüyor",
            "fırtına sonrası {place} enerjisiz",
            "bir faz yok, gerilim düşük geliyor",
            "{n} nolu direk yanında AG kablo yanmış",
        ),
        "wo": (
            "{n} nolu direkte jumper gevşek, sıkılacak",
            "{place} trafosunda yağ sızıntısı var, seviye kontrol edilecek",
            "ağaç dalları AG hattına değiyor, budama yapılacak",
            "sayaç kutusu açık bulundu, yeni mühür takılacak",
            "{place} trafo merkezinde topraklama ölçümü yapılacak",
            "{n} nolu direkte izolatör kırık, değişecek",
        ),
        "sw": (
            "{dev} açılacak, {place} fideri bakım için",
            "{dev} kapatılıp yük {place} hattına aktarılacak",
            "çalışma izninden sonra {dev} topraklanacak",
            "bakım bitti, {dev} tekrar devreye alınacak",
        ),
        "log": (
            "gece vardiyası sakin geçti, açma yok",
            "{place} fideri iki kez açtı, tekrar kapama başarılı",
            "SCADA bağlantısı kısa süre koptu, şimdi normal",
            "{crew} ekibi {place} dönüşü merkeze geldi",
            "yük atma programına göre uygulandı",
        ),
        "isl": (
            "şebekeden ayrıldı, jeneratör ve GES ile besleniyor",
            "ada modunda çalışıyor, frekans dalgalı",
        ),
        "fire": (
            "{place} TM trafosunda yangın, itfaiye çağrıldı",
            "kumanda odasında duman var, personel dışarıda",
        ),
        "theft": (
            "gece {place} civarında kablo kesilip çalınmış",
            "kablo kanalı açılmış, bakır eksik",
        ),
        "audit": (
            "denetim ekibi geldi, kayıtlar ve topraklama incelendi",
            "denetçiler bakım defterini istedi",
        ),
    },
    "pt": {
        "out": (
            "rua inteira sem luz no {place}, telefone não para",
            "fusível do trafo queimou lado {place}, equipe a caminho",
            "cliente diz que o trafo tá fazendo barulho",
            "depois do vendaval o {place} ficou sem energia",
            "falta uma fase, tensão baixa",
            "cabo BT queimado perto do poste {n}",
        ),
        "wo": (
            "jumper frouxo no poste {n}, reapertar",
            "vazamento de óleo no trafo do {place}, conferir nível",
            "galho encostando na rede BT, fazer poda",
            "caixa do medidor aberta, colocar lacre novo",
            "medir aterramento na SE {place}",
            "isolador quebrado no poste {n}, trocar",
        ),
        "sw": (
            "abrir {dev} para manutenção no alimentador {place}",
            "fechar {dev} e transferir carga pro {place}",
            "aterrar {dev} depois da liberação",
            "serviço concluído, religar {dev}",
        ),
        "log": (
            "turno da noite tranquilo, sem desligamentos",
            "alimentador {place} desarmou duas vezes, religou",
            "link do SCADA caiu um pouco, já normalizou",
            "equipe do {crew} voltou do {place}",
            "corte de carga conforme programação",
        ),
        "isl": (
            "ilhou da rede, gerador e solar segurando a carga",
            "operando ilhado, frequência oscilando",
        ),
        "fire": (
            "fogo no trafo da SE {place}, bombeiros acionados",
            "fumaça na sala de comando, pessoal evacuado",
        ),
        "theft": (
            "levaram o cabo de madrugada perto do {place}",
            "caixa de passagem aberta, cobre furtado",
        ),
        "audit": (
            "fiscalização na SE, olharam registros e aterramento",
            "fiscais pediram o livro de manutenção",
        ),
    },
}

_KIND_WEIGHT = {
    "mtr": 3.0,
    "fdr": 1.5,
    "sub": 1.2,
    "wx": 0.8,
    "ev": 1.0,
    "pv": 1.0,
    "rec": 0.7,
    "out": 1.3,
    "wo": 1.1,
    "sw": 0.8,
    "log": 0.9,
}
_STEP_WEIGHTS = (0.3, 0.3, 0.25, 0.15)  # steps 1..4 of an elevated record
ELEVATED_SHARE = 0.05  # of the stream
ANOMALY_SHARE = 0.028  # of the stream


@dataclass(slots=True)
class _Item:
    kind: str
    origin: str
    ts: int
    fields: dict[str, object]
    case: str
    importance: float
    ref: int = -1
    detail: str = ""


class GridWorkload:
    """One distribution utility's operations stream (see the module docstring)."""

    def __init__(self, seed: int) -> None:
        rng = self._rng = random.Random(seed * 1_000_003 + 71)
        self.dialect: str = rng.choice(DIALECTS)
        self.prio_mode: str = rng.choice(PRIORITY_MODES)
        d = self.dialect
        n_common = rng.randint(5, 9)
        pkinds = sorted(PRIORITY_KINDS)
        others = [k for k in COMMON_KINDS if k not in PRIORITY_KINDS]
        n_prio = rng.randint(max(1, n_common - len(others)), min(3, n_common))
        chosen = rng.sample(pkinds, n_prio) + rng.sample(others, n_common - n_prio)
        self.common: tuple[str, ...] = tuple(k for k in COMMON_KINDS if k in chosen)
        self.rare: tuple[str, ...] = tuple(
            sorted(rng.sample(RARE_KINDS, rng.randint(1, 3)), key=RARE_KINDS.index)
        )
        self.origins: tuple[str, ...] = tuple(
            PrivateKey(rng.randbytes(32)).peer_id for _ in range(rng.randint(3, 10))
        )
        self._origin_w = [rng.uniform(0.3, 1.5) for _ in self.origins]
        self._kind_w = [_KIND_WEIGHT[k] * rng.uniform(0.6, 1.6) for k in self.common]
        self.rare_rate: dict[str, float] = {k: rng.uniform(0.0012, 0.003) for k in self.rare}
        self.gap_ms = rng.uniform(1500.0, 4000.0)
        self.stats = _world_stats(d, rng)
        self.kind_name = {k: _KIND_NAMES[d][k] for k in self.common + self.rare}
        self.kind_of = {v: k for k, v in self.kind_name.items()}
        self.keys = dict(_FIELD_NAMES[d])
        self.prio_key: str | None = (
            None if self.prio_mode == "text" else _PRIO_KEYS[d][self.prio_mode]
        )
        if self.prio_mode == "flag":
            self._prio_strength: dict[object, float] = {False: 0.0, True: FLAG_STRENGTH}
        elif self.prio_mode != "text":
            vals = _PRIO_VALUES[self.prio_mode][d]
            self._prio_strength = dict(zip(vals, STEP_STRENGTH, strict=True))
        self.urgency = _URGENCY[d]
        self.calm = _CALM[d]
        self.rare_values = {self.keys[f]: _CATEGORIES[f][d][1] for f in RARE_VALUE_FIELDS}
        # Identifier pools: a utility has a fixed fleet of assets.
        fmt = _ID_FORMATS[d]
        self._pool: dict[str, list[str]] = {}
        for k in ("sub", "fdr", "wx", "ev", "pv", "rec", "isl", "fire", "device"):
            size = {"wx": rng.randint(3, 8), "device": rng.randint(12, 40)}.get(
                k, rng.randint(6, 30)
            )
            self._pool[k] = [fmt[k].format(n=n) for n in rng.sample(range(1, 999), size)]
        self._pool["fire"] = self._pool["sub"]
        self._pool["mtr"] = [fmt["mtr"].format(n=rng.randrange(10**7, 10**8)) for _ in range(500)]
        self._ticket_no = {k: rng.randrange(1000, 90000) for k in ("out", "wo", "sw")}
        total = sum(self._kind_w)
        share = {k: w / total for k, w in zip(self.common, self._kind_w, strict=True)}
        prio_share = sum(share[k] for k in self.common if k in PRIORITY_KINDS)
        self._elevate_p = min(0.3, ELEVATED_SHARE / prio_share)
        num_share = sum(share[k] for k in self.common if self.stats[k])
        self._num_share = num_share
        self.anomaly_rate = ANOMALY_SHARE
        self._last_ts = -1
        self._news: list[tuple[str, str, dict[str, object], float]] = []

    # --- truth -------------------------------------------------------------------------

    def anomaly_k(self, kind: str, fields: dict[str, object]) -> float:
        """Largest distance, in robust spreads, of a number of the record from its typical value."""
        best = 0.0
        for name, spec in self.stats[kind].items():
            v = fields.get(self.keys[name])
            if isinstance(v, int | float) and not isinstance(v, bool):
                best = max(best, abs(v - spec.center) / spec.spread)
        return best

    def priority_of(self, kind: str, fields: dict[str, object]) -> float:
        """Strength of the explicit priority step (0 routine .. 1 top)."""
        if kind not in PRIORITY_KINDS and kind not in ALWAYS_PRIORITY_RARE:
            return 0.0
        if self.prio_mode == "text":
            note = fields.get(self.keys["note"], "")
            for step in (4, 3, 2, 1):
                if isinstance(note, str) and self.urgency[step - 1] in note:
                    return STEP_STRENGTH[step]
            return 0.0
        v = fields.get(self.prio_key or "")
        if isinstance(v, bool) != (self.prio_mode == "flag"):
            return 0.0
        return self._prio_strength.get(v, 0.0)

    def rarity_of(self, kind: str, fields: dict[str, object]) -> tuple[float, float]:
        """(rarity, rare-kind part): 0.5 for a rare kind, 0.45 for a rare categorical value."""
        if kind in RARE_KINDS:
            return RARE_KIND, RARE_KIND
        if any(fields.get(k) == v for k, v in self.rare_values.items()):
            return RARE_VALUE, 0.0
        return 0.0, 0.0

    def score(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        """Ground truth and detail of a fresh record, from its content alone."""
        a = 0.9 * anomaly_strength(self.anomaly_k(kind, fields))
        p = 0.9 * self.priority_of(kind, fields)
        r, rk = self.rarity_of(kind, fields)
        return noisy_or(ROUTINE_FLOOR, a, p, r), main_reason(a, p, r, rk)

    # --- content -----------------------------------------------------------------------

    def _draw(self, spec: Num) -> float:
        rng = self._rng
        for _ in range(50):
            if spec.shape == "normal":
                x = rng.gauss(spec.center, spec.spread)
            elif spec.shape == "tri":
                w = spec.spread * 2.2
                x = rng.triangular(spec.center - w, spec.center + w, spec.center)
            elif spec.shape == "lognormal":
                x = spec.center * math.exp(rng.gauss(0.0, spec.spread / spec.center))
            elif spec.shape == "poisson":
                x = _poisson(rng, spec.center)
            else:  # rain: mostly dry, otherwise exponential
                x = 0.0 if rng.random() < 0.65 else rng.expovariate(1.0 / (spec.spread * 1.1))
            x = _round(x, spec.digits)
            if spec.lo <= x <= spec.hi and abs(x - spec.center) < ROUTINE_MAX_K * spec.spread:
                return x
        return _round(spec.center, spec.digits)

    def _anomalous(self, spec: Num) -> float | None:
        rng = self._rng
        dirs = {"up": (1,), "down": (-1,), "both": (1, -1)}[spec.direction]
        options = []
        for s in dirs:
            bound = spec.hi if s > 0 else spec.lo
            kmax = min(ANOMALY_K[1], abs(bound - spec.center) / spec.spread)
            if kmax >= ANOMALY_K[0] + 0.5:
                options.append((s, kmax))
        if not options:
            return None
        s, kmax = rng.choice(options)
        x = _round(spec.center + s * rng.uniform(ANOMALY_K[0], kmax) * spec.spread, spec.digits)
        return x if abs(x - spec.center) >= ANOMALY_K[0] * spec.spread - 1e-9 else None

    def _ticket(self, kind: str) -> str:
        self._ticket_no[kind] += self._rng.randint(1, 4)
        return _ID_FORMATS[self.dialect][kind].format(n=self._ticket_no[kind])

    def _note(self, kind: str, fields: dict[str, object]) -> str:
        """A note in the dialect, naming the record's own place and device where it has them."""
        rng, d, k = self._rng, self.dialect, self.keys
        text = rng.choice(_NOTES[d][kind]).format(
            place=fields.get(k["place"], rng.choice(_PLACES[d])),
            n=rng.randint(2, 480),
            crew=rng.choice(_PEOPLE[d]).split()[0],
            dev=fields.get(k["device"], rng.choice(self._pool["device"])),
        )
        if rng.random() < 0.2:
            text = f"{text}, {rng.choice(self.calm)}"
        return text

    def _set_priority(self, kind: str, fields: dict[str, object], step: int) -> None:
        """Write priority ``step`` (0..4) into the record the world's way."""
        key = self.keys["note"]
        if step and key in fields:  # a pressing note does not also say it can wait
            for calm in self.calm:
                fields[key] = str(fields[key]).replace(f", {calm}", "")
        if self.prio_mode == "text":
            if step:
                note = str(fields[key])
                phrase = self.urgency[step - 1]
                fields[key] = (
                    f"{phrase} - {note}" if self._rng.random() < 0.5 else f"{note}. {phrase}"
                )
        elif self.prio_mode == "flag":
            fields[self.prio_key] = step > 0
        else:
            fields[self.prio_key] = _PRIO_VALUES[self.prio_mode][self.dialect][step]

    def _fresh(self, kind: str) -> dict[str, object]:
        """Routine content of ``kind``: typical numbers, common values, priority at step 0."""
        rng, d, k = self._rng, self.dialect, self.keys
        out: dict[str, object] = {}
        for name in _LAYOUT[kind]:
            key = k[name]
            if name in self.stats[kind]:
                out[key] = self._draw(self.stats[kind][name])
            elif name == "asset":
                out[key] = rng.choice(self._pool[kind])
            elif name == "ticket":
                out[key] = self._ticket(kind)
            elif name == "device":
                out[key] = rng.choice(self._pool["device"])
            elif name == "place":
                out[key] = rng.choice(_PLACES[d])
            elif name in ("crew", "operator"):
                out[key] = rng.choice(_PEOPLE[d])
            elif name == "agency":
                out[key] = rng.choice(_AGENCIES[d])
            elif name == "note":
                continue  # written last, about the record's own place and device
            else:
                values = _CATEGORIES[name][d][0]
                out[key] = rng.choices(values, _CAT_WEIGHTS[name])[0]
        if "note" in _LAYOUT[kind]:
            out[k["note"]] = self._note(kind, out)
        if kind in PRIORITY_KINDS or kind in ALWAYS_PRIORITY_RARE:
            self._set_priority(kind, out, 0)
        return out

    def _inject_anomaly(self, kind: str, fields: dict[str, object]) -> bool:
        names = list(self.stats[kind])
        self._rng.shuffle(names)
        for name in names:
            x = self._anomalous(self.stats[kind][name])
            if x is not None:
                fields[self.keys[name]] = x
                return True
        return False

    def _elevated_step(self) -> int:
        return self._rng.choices((1, 2, 3, 4), _STEP_WEIGHTS)[0]

    def _routine(self) -> tuple[str, dict[str, object]]:
        rng = self._rng
        u = rng.random()
        for kind in self.rare:
            u -= self.rare_rate[kind]
            if u < 0:
                fields = self._fresh(kind)
                if kind in ALWAYS_PRIORITY_RARE:
                    self._set_priority(kind, fields, rng.choice((3, 4)))
                return kind, fields
        kind = rng.choices(self.common, self._kind_w)[0]
        fields = self._fresh(kind)
        if self.stats[kind] and rng.random() < min(0.15, self.anomaly_rate / self._num_share):
            self._inject_anomaly(kind, fields)
        if kind in PRIORITY_KINDS:
            p = self._elevate_p * (0.7 if self.prio_mode == "flag" else 1.0)
            if rng.random() < p:
                self._set_priority(kind, fields, self._elevated_step())
        for name in RARE_VALUE_FIELDS:
            if name in _LAYOUT[kind] and rng.random() < P_RARE_VALUE:
                fields[self.keys[name]] = _CATEGORIES[name][self.dialect][1]
        return kind, fields

    def _head(self) -> tuple[str, dict[str, object]]:
        """A fresh record that carries news: an anomaly or a pressing priority."""
        rng = self._rng
        kind = rng.choices(self.common, self._kind_w)[0]
        fields = self._fresh(kind)
        use_prio = kind in PRIORITY_KINDS and (not self.stats[kind] or rng.random() < 0.5)
        if use_prio or not self._inject_anomaly(kind, fields):
            if kind not in PRIORITY_KINDS:
                return self._head()
            self._set_priority(kind, fields, rng.choice((2, 3, 4)))
        return kind, fields

    def _tail_fields(self, kind: str, head: dict[str, object]) -> dict[str, object]:
        """A repeat of a burst head: the same alarm, numbers wobbling by a little."""
        out = dict(head)
        for name, spec in self.stats[kind].items():
            if spec.digits and self._rng.random() < 0.5:
                key = self.keys[name]
                out[key] = _round(
                    float(out[key]) + self._rng.uniform(-0.15, 0.15) * spec.spread, spec.digits
                )
        return out

    def _near(self, kind: str, src: dict[str, object]) -> dict[str, object]:
        """A near duplicate: one number nudged, an identifier re-typed or one word mistyped."""
        rng = self._rng
        ways = ["num"] * bool(self.stats[kind])
        ways += ["id"] * any(n in _LAYOUT[kind] for n in ID_FIELDS)
        ways += ["word"] * ("note" in _LAYOUT[kind])
        for _ in range(20):
            out = dict(src)
            way = rng.choice(ways)
            if way == "num":
                name = rng.choice(sorted(self.stats[kind]))
                spec, key = self.stats[kind][name], self.keys[name]
                step = (
                    max(1.0, round(0.25 * spec.spread))
                    if not spec.digits
                    else rng.uniform(0.05, 0.25) * spec.spread
                )
                out[key] = _round(float(out[key]) + rng.choice((-1, 1)) * step, spec.digits)
            elif way == "id":
                key = self.keys[next(n for n in ID_FIELDS if n in _LAYOUT[kind])]
                out[key] = _retype(rng, str(out[key]))
            else:
                key = self.keys["note"]
                out[key] = _mistype(rng, str(out[key]))
            if out != src:
                return out
        raise AssertionError("no near duplicate found")  # pragma: no cover

    # --- stream ------------------------------------------------------------------------

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """``n`` records ending near ``now_ms``, each with its ground truth and case."""
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        rng = self._rng
        ts = max(self._last_ts + 1, int(now_ms - n * self.gap_ms))
        items: list[_Item] = []
        sources: list[int] = []  # routine records and burst heads, copy candidates
        news: list[int] = []

        def gap() -> int:
            return 1 + int(rng.expovariate(1.0 / self.gap_ms))

        def origin() -> str:
            return rng.choices(self.origins, self._origin_w)[0]

        while len(items) < n:
            room = n - len(items)
            u = rng.random()
            ts += gap()
            if u < P_BURST and room >= 3:
                kind, fields = self._head()
                o = origin()
                imp, detail = self.score(kind, fields)
                head = len(items)
                items.append(_Item(kind, o, ts, fields, "burst_head", imp, -1, detail))
                sources.append(head)
                news.append(head)
                tails = min(40, 2 + int(rng.expovariate(1 / 5.0)), room - 1)
                for _ in range(tails):
                    ts += rng.randint(60, 1500)
                    items.append(
                        _Item(
                            kind,
                            o,
                            ts,
                            self._tail_fields(kind, fields),
                            "burst_tail",
                            tail_importance(imp),
                            head,
                        )
                    )
                continue
            u -= P_BURST
            if u < P_DUP + P_NEAR and sources:
                if news and rng.random() < 0.4:
                    ref = rng.choice(news)
                else:
                    ref = rng.choice(sources[-30:])
                src = items[ref]
                if u < P_DUP:
                    o = src.origin if rng.random() < 0.65 else origin()
                    items.append(
                        _Item(src.kind, o, ts, dict(src.fields), "dup", DUP * src.importance, ref)
                    )
                else:
                    o = src.origin if rng.random() < 0.75 else origin()
                    items.append(
                        _Item(
                            src.kind,
                            o,
                            ts,
                            self._near(src.kind, src.fields),
                            "near_dup",
                            NEAR_DUP * src.importance,
                            ref,
                        )
                    )
                continue
            u -= P_DUP + P_NEAR
            if u < P_RESEND and self._news:
                kind, o, fields, imp = rng.choice(self._news)
                items.append(_Item(kind, o, ts, dict(fields), "resend", RESEND * imp))
                continue
            kind, fields = self._routine()
            imp, detail = self.score(kind, fields)
            items.append(_Item(kind, origin(), ts, fields, "routine", imp, -1, detail))
            sources.append(len(items) - 1)
            if imp >= 0.3:
                news.append(len(items) - 1)
        self._last_ts = ts
        for i in news:
            it = items[i]
            self._news.append((it.kind, it.origin, dict(it.fields), it.importance))
        del self._news[:-300]
        return [
            LabeledRecord(
                Record.create(self.kind_name[it.kind], it.origin, it.ts, it.fields),
                it.importance,
                it.case,
                it.ref,
                it.detail,
            )
            for it in items
        ]

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        """The records of :meth:`next_labeled` with their ground truth only."""
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]


# --- helpers -----------------------------------------------------------------------------


def _round(x: float, digits: int) -> int | float:
    return int(round(x)) if digits == 0 else round(x, digits)


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _retype(rng: random.Random, ident: str) -> str:
    """The same identifier as a hurried operator types it again."""
    ways = []
    for sep in ("-", "/", " "):
        if sep in ident:
            ways.append(ident.replace(sep, "", 1))
    if any(c.isupper() for c in ident):
        ways.append(ident.lower())
    digits = [
        i
        for i in range(len(ident) - 1)
        if ident[i].isdigit() and ident[i + 1].isdigit() and ident[i] != ident[i + 1]
    ]
    if digits:
        i = rng.choice(digits)
        ways.append(ident[:i] + ident[i + 1] + ident[i] + ident[i + 2 :])
    return rng.choice(ways) if ways else ident + "0"


def _mistype(rng: random.Random, text: str) -> str:
    """One word of a note typed differently: a letter dropped, doubled or swapped."""
    words = text.split(" ")
    idx = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not idx:
        return text + "."
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    how = rng.randrange(3)
    if how == 0:
        w = w[:j] + w[j + 1 :]
    elif how == 1:
        w = w[:j] + w[j] + w[j:]
    else:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    words[i] = w if w != words[i] else w + w[-1]
    return " ".join(words)
