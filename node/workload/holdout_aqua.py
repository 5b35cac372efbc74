"""Held-out family ``aqua``: aquaculture and small-scale fishing operations.

A world (one seed) is a small coastal operation: fish-farm net pens with water
sensors (temperature, dissolved oxygen, salinity, pH, current, biomass),
automatic feeders, underwater cameras counting fish and sea lice, fishing and
well-boat trips, harbour landings sold as auction lots, a processing plant's
cold chain, divers inspecting moorings and nets, and the crew's free-text log.
A few rare kinds (one to three per world, each well under 1% of the stream)
stand for events such as escapes, blooms, distress calls, audits or paperwork.

Each world speaks one dialect, drawn by seed, for kind names, field names,
categorical values and free text, with its own spelling habits and naming
style; numbers are in the world's units. Entities (pens, vessels, buyers...)
follow Zipf laws; readings drift with tides and the daily cycle, some are
bimodal, some saturate, some are heavy-tailed integer counts; 3 to 10 origins.

Explicit priority takes one of eight encodings per world, in one field carried
only by some kinds; the crew log may also state urgency (or its absence) in
words. Ground truth follows the shared definition: routine records and burst
heads score ``noisy_or(0.04, 0.9*anomaly, 0.9*priority, rarity)`` from their
content alone; copies, burst tails and resends take the fixed fractions of
their source. Pure Python, deterministic in the seed (one ``random.Random``).
"""

from __future__ import annotations

import math
import random
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.keys import PrivateKey
from protocol.record import Record

DIALECTS = ("mi", "sm", "ceb")
PRIORITY_MODES = ("rotating", "letters", "scale_down", "minutes", "points", "flag", "colour", "words")
COMMON_KINDS = ("pen", "feeder", "camera", "trip", "landing", "cold", "dive", "crewlog", "wellboat")
RARE_KINDS = ("escape", "bloom", "distress", "quota_audit", "registration")
ALWAYS_PRIORITY_RARE = ("distress",)
NEVER_PRIORITY_RARE = ("quota_audit", "registration")
PRIORITY_KINDS = ("pen", "cold", "dive", "wellboat", "escape", "bloom", "distress")
STYLES = ("snake", "camel", "dotted", "kebab")

MEAN_GAP_MS = 350
ANOMALY_RATE = 0.035
ANOMALY_MIN_K = 5.0  # below this many robust spreads a reading is not an anomaly
P_HEAD, P_DUP, P_NEAR, P_RESEND = 0.011, 0.042, 0.038, 0.007
TAIL_STEP = 0.5
BURST_MAX_AGE_MS = 60_000

KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "pen": ("pen", "temp", "oxy", "sal", "ph", "cur", "biomass"),
    "feeder": ("feeder", "pen", "feed", "pellet", "appetite", "duration"),
    "camera": ("pen", "count", "lice", "dead", "weight_g"),
    "trip": ("vessel", "trip_no", "species", "catch", "fuel", "crew", "hours"),
    "landing": ("lot", "species", "grade", "price", "lot_kg", "buyer"),
    "cold": ("line", "chill", "ice", "door"),
    "dive": ("pen", "diver", "depth", "holes", "tension", "condition", "dive_min"),
    "crewlog": ("vessel", "entry", "text"),
    "wellboat": ("vessel", "moved", "tank_oxy", "treatment", "temp"),
    "escape": ("pen", "escaped", "hole_cm"),
    "bloom": ("pen", "algae", "cells", "chl"),
    "distress": ("vessel", "lat", "lon", "persons"),
    "quota_audit": ("vessel", "quota_used", "quota_limit", "auditor"),
    "registration": ("vessel", "reg_no", "expiry_days"),
}

# concept -> (transform, decimals, low bound, high bound, unit family or fixed unit)
# Only these take part in anomaly statistics (and only on common kinds).
NUMERIC: dict[str, tuple[str, int, float | None, float | None, str]] = {
    "temp": ("lin", 2, None, None, "@temp"),
    "oxy": ("lin", 2, 0.0, None, "@oxy"),
    "sal": ("lin", 2, 0.0, None, "psu"),
    "ph": ("lin", 2, 0.0, 14.0, ""),
    "cur": ("lin", 1, 0.0, None, "@cur"),
    "biomass": ("lin", 1, 0.0, None, "t"),
    "feed": ("lin", 1, 0.0, None, "@mass"),
    "appetite": ("lin", 0, 0.0, 100.0, ""),
    "duration": ("lin", 1, 0.0, None, "min"),
    "count": ("lin", 0, 0.0, None, ""),
    "lice": ("log", 2, 0.0, None, ""),
    "dead": ("log", 0, 0.0, None, ""),
    "weight_g": ("log", 0, 0.0, None, "g"),
    "hours": ("lin", 1, 0.0, None, "h"),
    "catch": ("log", 0, 0.0, None, "@mass"),
    "fuel": ("log", 1, 0.0, None, "@vol"),
    "price": ("log", 2, 0.0, None, "$"),
    "lot_kg": ("log", 1, 0.0, None, "@mass"),
    "chill": ("lin", 1, None, None, "@temp"),
    "ice": ("lin", 1, 0.0, None, "t"),
    "door": ("lin", 0, 0.0, None, ""),
    "depth": ("lin", 1, 0.0, None, "@depth"),
    "holes": ("lin", 0, 0.0, None, ""),
    "tension": ("lin", 1, 0.0, None, "kN"),
    "dive_min": ("lin", 0, 0.0, None, "min"),
    "moved": ("log", 0, 0.0, None, ""),
    "tank_oxy": ("lin", 2, 0.0, None, "@oxy"),
}
# Numbers of rare kinds: no statistics, never anomalies.
RARE_NUMERIC: dict[str, tuple[int, str]] = {
    "escaped": (0, ""), "hole_cm": (1, "cm"), "cells": (0, ""), "chl": (1, "ugL"), "lat": (4, ""),
    "lon": (4, ""), "persons": (0, ""), "quota_used": (1, "t"), "quota_limit": (1, "t"), "expiry_days": (0, ""),
}
ROLES = {"pen": "code", "feeder": "code", "vessel": "name", "buyer": "name", "line": "code", "diver": "code",
         "auditor": "code", "reg_no": "code", "species": "cat", "grade": "cat", "condition": "cat",
         "treatment": "cat", "algae": "cat", "text": "text", "trip_no": "counter", "lot": "counter",
         "entry": "counter", "pellet": "fixed", "crew": "fixed"}
UNIT_CHOICES = {"oxy": ("mgL", "pct"), "cur": ("cms", "kn"), "mass": ("kg", "lb"), "vol": ("L", "gal"),
                "depth": ("m", "fm"), "temp": ("C", "F")}

REGION: dict[str, dict[str, Any]] = {
    "mi": {"temp": 14.5, "oxy": 8.0, "sat": 8.1, "sal": 34.4, "sal_amp": 0.5, "ph": 8.05, "cur": 28.0,
           "lat": -41.2, "lon": 174.0, "tz": 12, "price": 14.0, "cur_code": "NZD", "price_dec": 2,
           "cap": 300.0, "weight": 2500.0, "lice": 0.25, "depth": (12.0, 35.0)},
    "sm": {"temp": 28.6, "oxy": 5.9, "sat": 6.2, "sal": 34.9, "sal_amp": 0.3, "ph": 8.1, "cur": 16.0,
           "lat": -13.85, "lon": -171.75, "tz": 13, "price": 18.0, "cur_code": "WST", "price_dec": 2,
           "cap": 45.0, "weight": 450.0, "lice": 0.06, "depth": (5.0, 16.0)},
    "ceb": {"temp": 29.2, "oxy": 5.3, "sat": 6.3, "sal": 30.5, "sal_amp": 2.5, "ph": 7.9, "cur": 22.0,
            "lat": 10.3, "lon": 123.95, "tz": 8, "price": 260.0, "cur_code": "PHP", "price_dec": 0,
            "cap": 60.0, "weight": 380.0, "lice": 0.08, "depth": (6.0, 20.0)},
}

# --- vocabulary: base spellings (macrons and the Samoan glottal stop as U+02BB) ---------------
W = tuple[str, ...]
KEY_WORDS: dict[str, dict[str, tuple[W, ...]]] = {
    "pen": {"mi": (("pā", "ika"), ("pā",)), "sm": (("pā", "iʻa"),), "ceb": (("kulungan",), ("baklad",))},
    "temp": {"mi": (("pāmahana", "wai"),), "sm": (("vevela", "vai"),), "ceb": (("init", "sa", "tubig"), ("temperatura",))},
    "oxy": {"mi": (("hāora",), ("hāora", "memeha")), "sm": (("okesene",),), "ceb": (("oksiheno",),)},
    "sal": {"mi": (("tote",), ("mātaitai",)), "sm": (("masima",),), "ceb": (("kaparat",),)},
    "ph": {"mi": (("taumata", "waikawa"),), "sm": (("fua", "oona"),), "ceb": (("kaaslom",),)},
    "cur": {"mi": (("tere", "au"),), "sm": (("saosaoa", "au"),), "ceb": (("kapaspas", "sulog"),)},
    "biomass": {"mi": (("taumaha", "ika"),), "sm": (("mamafa", "iʻa"),), "ceb": (("gibug-aton", "isda"),)},
    "feeder": {"mi": (("pūrere", "whāngai"),), "sm": (("masini", "fafaga"),), "ceb": (("makina", "pakaon"),)},
    "feed": {"mi": (("kai", "whāngai"),), "sm": (("meaʻai",),), "ceb": (("pagkaon",),)},
    "pellet": {"mi": (("rahi", "pire"),), "sm": (("lapoʻa", "fatu"),), "ceb": (("gidak-on", "pellet"),)},
    "appetite": {"mi": (("hiakai",),), "sm": (("fia", "ʻai"),), "ceb": (("gana",), ("gana", "mokaon"))},
    "duration": {"mi": (("roa", "whāngai"),), "sm": (("umi", "fafaga"),), "ceb": (("gidugayon", "pakaon"),)},
    "count": {"mi": (("tatau", "ika"),), "sm": (("faitau", "iʻa"),), "ceb": (("ihap", "isda"),)},
    "lice": {"mi": (("kutu", "moana"),), "sm": (("utu", "sami"),), "ceb": (("kuto", "dagat"),)},
    "dead": {"mi": (("ika", "mate"),), "sm": (("iʻa", "oti"),), "ceb": (("isda", "patay"),)},
    "weight_g": {"mi": (("taumaha", "toharite"),), "sm": (("mamafa", "averesi"),), "ceb": (("aberids", "timbang"),)},
    "vessel": {"mi": (("poti",), ("waka",)), "sm": (("vaʻa",), ("vaʻa", "fagota")), "ceb": (("sakayan",), ("bangka",))},
    "species": {"mi": (("momo",), ("momo", "ika")), "sm": (("ituaiga",),), "ceb": (("klase",), ("matang", "isda"))},
    "catch": {"mi": (("hopu",), ("ika", "i", "hopukina")), "sm": (("iʻa", "maua"),), "ceb": (("dakop",), ("kuha",))},
    "fuel": {"mi": (("hinu",),), "sm": (("suāuʻu",),), "ceb": (("krudo",), ("gasolina",))},
    "crew": {"mi": (("heramana",), ("kaimahi",)), "sm": (("auvaʻa",),), "ceb": (("tripulante",),)},
    "hours": {"mi": (("roa", "haerenga"),), "sm": (("umi", "malaga"),), "ceb": (("gidugayon", "biyahe"),)},
    "trip_no": {"mi": (("nama", "haerenga"),), "sm": (("numera", "malaga"),), "ceb": (("numero", "biyahe"),)},
    "lot": {"mi": (("puranga",), ("nama", "puranga")), "sm": (("numera", "vaega"),), "ceb": (("numero", "lote"),)},
    "grade": {"mi": (("kōeke",),), "sm": (("tulaga",),), "ceb": (("grado",),)},
    "price": {"mi": (("utu", "ia", "kg"),), "sm": (("tau", "i", "le", "kg"),), "ceb": (("presyo", "kada", "kilo"),)},
    "lot_kg": {"mi": (("taumaha", "puranga"),), "sm": (("mamafa", "vaega"),), "ceb": (("timbang", "lote"),)},
    "buyer": {"mi": (("kaihoko",),), "sm": (("tagata", "faʻatau"),), "ceb": (("mamalit",),)},
    "line": {"mi": (("rārangi",),), "sm": (("laina",),), "ceb": (("linya",),)},
    "chill": {"mi": (("pāmahana", "pouaka", "makariri"),), "sm": (("malulu", "pusaaisa"),), "ceb": (("init", "palamigan"),)},
    "ice": {"mi": (("hukapapa",),), "sm": (("aisa",),), "ceb": (("yelo",),)},
    "door": {"mi": (("huaki", "kūaha"),), "sm": (("tatala", "faitotoʻa"),), "ceb": (("abli", "pultahan"),)},
    "diver": {"mi": (("kairuku",),), "sm": (("tagata", "maulu"),), "ceb": (("mananawom",),)},
    "depth": {"mi": (("hōhonu",),), "sm": (("loloto",),), "ceb": (("giladmon",),)},
    "holes": {"mi": (("kōhao",), ("puta",)), "sm": (("pū",),), "ceb": (("buslot",),)},
    "tension": {"mi": (("kaha", "taura"),), "sm": (("malosi", "toso"),), "ceb": (("kusog", "pisi"),)},
    "condition": {"mi": (("āhua",), ("āhua", "kupenga")), "sm": (("foliga", "upega"),), "ceb": (("kahimtang", "pukot"),)},
    "dive_min": {"mi": (("roa", "ruku"),), "sm": (("umi", "maulu"),), "ceb": (("gidugayon", "sawom"),)},
    "text": {"mi": (("tuhinga",), ("kōrero", "kaimahi")), "sm": (("tusitusiga",), ("faʻamatalaga",)),
             "ceb": (("sulat",), ("nota", "sa", "tripulante"))},
    "entry": {"mi": (("nama", "tuhinga"),), "sm": (("numera", "tusitusiga"),), "ceb": (("numero", "sulat"),)},
    "moved": {"mi": (("ika", "nuku"),), "sm": (("iʻa", "siʻi"),), "ceb": (("isda", "gibalhin"),)},
    "tank_oxy": {"mi": (("hāora", "tāke"),), "sm": (("okesene", "tane"),), "ceb": (("oksiheno", "tangke"),)},
    "treatment": {"mi": (("rongoā",), ("maimoatanga",)), "sm": (("togafitiga",),), "ceb": (("tambal",),)},
    "escaped": {"mi": (("ika", "oma"),), "sm": (("iʻa", "sola"),), "ceb": (("isda", "nakaikyas"),)},
    "hole_cm": {"mi": (("rahi", "puta"),), "sm": (("lapoʻa", "pū"),), "ceb": (("gidak-on", "buslot"),)},
    "algae": {"mi": (("momo", "rimu"),), "sm": (("ituaiga", "limu"),), "ceb": (("klase", "lumot"),)},
    "cells": {"mi": (("pūtau", "ia", "mL"),), "sm": (("sela", "i", "le", "mL"),), "ceb": (("selula", "kada", "mL"),)},
    "chl": {"mi": (("kākāriki", "rau"),), "sm": (("kolorofila",),), "ceb": (("klorofil",),)},
    "lat": {"mi": (("ahopae",),), "sm": (("latitu",),), "ceb": (("latitud",),)},
    "lon": {"mi": (("ahoroa",),), "sm": (("longitu",),), "ceb": (("longhitud",),)},
    "persons": {"mi": (("tāngata", "i", "runga"),), "sm": (("tagata", "i", "luga"),), "ceb": (("tawo", "sakay"),)},
    "quota_used": {"mi": (("kōta", "kua", "pau"),), "sm": (("kuota", "faʻaaogā"),), "ceb": (("kota", "nagamit"),)},
    "quota_limit": {"mi": (("kōta", "katoa"),), "sm": (("kuota", "atoa"),), "ceb": (("kota", "kinatibuk-an"),)},
    "auditor": {"mi": (("kaiarotake",),), "sm": (("suʻetusi",),), "ceb": (("tigsusi",),)},
    "reg_no": {"mi": (("nama", "rēhita"),), "sm": (("numera", "lesitala"),), "ceb": (("numero", "rehistro"),)},
    "expiry_days": {"mi": (("rā", "ki", "te", "pau"),), "sm": (("aso", "e", "muta"),), "ceb": (("adlaw", "sa", "pagkahuman"),)},
}
KIND_WORDS: dict[str, dict[str, W]] = {
    "pen": {"mi": ("inenga", "pā"), "sm": ("fua", "pā"), "ceb": ("sukod", "kulungan")},
    "feeder": {"mi": ("whāngai", "ika"), "sm": ("fafaga", "iʻa"), "ceb": ("pakaon", "isda")},
    "camera": {"mi": ("kāmera", "tatau"), "sm": ("mea", "puʻeata"), "ceb": ("kamera", "ihap")},
    "trip": {"mi": ("haerenga", "hī", "ika"), "sm": ("malaga", "fagota"), "ceb": ("biyahe", "pangisda")},
    "landing": {"mi": ("hoko", "ika"), "sm": ("faʻatau", "iʻa"), "ceb": ("subasta", "isda")},
    "cold": {"mi": ("mekameka", "makariri"), "sm": ("filifili", "malulu"), "ceb": ("kadena", "bugnaw")},
    "dive": {"mi": ("tirotiro", "ruku"), "sm": ("siakiga", "maulu"), "ceb": ("inspeksyon", "sawom")},
    "crewlog": {"mi": ("pukapuka", "kaimahi"), "sm": ("api", "auvaʻa"), "ceb": ("talaan", "tripulante")},
    "wellboat": {"mi": ("poti", "kawe", "ika"), "sm": ("vaʻa", "ave", "iʻa"), "ceb": ("barko", "isda")},
    "escape": {"mi": ("ika", "oma"), "sm": ("iʻa", "sosola"), "ceb": ("nakaikyas", "isda")},
    "bloom": {"mi": ("puāwai", "rimu"), "sm": ("limu", "tupu"), "ceb": ("pula", "nga", "taob")},
    "distress": {"mi": ("poti", "mōrearea"), "sm": ("vaʻa", "lamatia"), "ceb": ("sakayan", "peligro")},
    "quota_audit": {"mi": ("arotake", "kōta"), "sm": ("suʻega", "kuota"), "ceb": ("audit", "kota")},
    "registration": {"mi": ("whakahou", "rēhita"), "sm": ("faʻafou", "lesitala"), "ceb": ("bag-o", "rehistro")},
}
PRIO_PLAIN: dict[str, tuple[W, ...]] = {"mi": (("kōhukihuki",), ("whakaarotau",)),
                                        "sm": (("faʻamuamua",), ("faʻanatinati",)),
                                        "ceb": (("prayoridad",), ("kadalian",))}
PRIO_NEUTRAL: dict[str, dict[str, W]] = {
    "mi": {"rotating": ("tūnga",), "letters": ("waehere",), "scale_down": ("taumata",), "minutes": ("wā", "whakautu"),
           "points": ("piro",), "flag": ("tohu",), "colour": ("tae",), "words": ("kōrero",)},
    "sm": {"rotating": ("tulaga", "galuega"), "letters": ("faʻailoga",), "scale_down": ("laasaga",),
           "minutes": ("taimi", "tali"), "points": ("togi",), "flag": ("faʻailo",), "colour": ("lanu",),
           "words": ("manatu",)},
    "ceb": {"rotating": ("kahimtang", "trabaho"), "letters": ("kodigo",), "scale_down": ("lebel",),
            "minutes": ("oras", "sa", "tubag"), "points": ("puntos",), "flag": ("timailhan",), "colour": ("kolor",),
            "words": ("komento",)},
}
COLOURS = {"mi": ("kākāriki", "kōwhai", "karaka", "whero"), "sm": ("lanumeamata", "samasama", "lanumoli", "mūmū"),
           "ceb": ("lunhaw", "dalag", "kahel", "pula")}
STATUS = {  # routine work states, then escalation steps (p 0.35, 0.7, 1.0)
    "mi": (("tirohia", "whāngaia", "horoia", "tatauria", "pai"),
           ("tirohia anō", "karangatia te rangatira", "whakawāteatia")),
    "sm": (("siaki", "fafaga", "fufulu", "faitau", "lelei"), ("toe siaki", "valaʻau le pule", "aveʻese vave")),
    "ceb": (("gisusi", "gipakaon", "gihugasan", "giihap", "maayo"), ("susiha pag-usab", "tawga ang amo", "bakwita")),
}
SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "mi": {
        "neutral": ("I haere te poti ki te pā tuarua i te ata.", "He pai te rangi, he māmā te hau.",
                    "Kua oti te whāngai i ngā ika.", "I kitea he kutu moana i runga i ētahi ika.",
                    "Kua whakakīia te hinu o te poti.", "He nui te tai i tēnei ahiahi.",
                    "Kua tirohia ngā kupenga katoa.", "E whā ngā kaimahi i tēnei haerenga."),
        "negated": ("Ehara i te mea kōhukihuki, ka tirohia āpōpō.", "Kāore he ohotata, he tirohanga noa iho.",
                    "Kāore he mōrearea ki ngā kaimahi."),
        "urgent": ("He take kōhukihuki: kua pakaru te pāmu hāora.", "Kōhukihuki, me hoki wawe mai te poti."),
        "emergency": ("Ohotata! Kua taka tētahi kaimahi ki te moana.",
                      "He mōrearea te hau, me hoki ki uta ināianei."),
    },
    "sm": {
        "neutral": ("Na alu le vaʻa i le pā iʻa lona lua i le taeao.", "E lelei le tau, e itiiti le matagi.",
                    "Ua uma ona fafaga iʻa.", "Na vaʻaia ni utu i nisi o iʻa.", "Ua faʻatumu le suāuʻu o le vaʻa.",
                    "E maualuga le tai i lenei aoauli.", "Ua siaki upega uma.", "E toʻafā le auvaʻa i lenei malaga."),
        "negated": ("E lē faʻanatinati, o le a siaki taeao.",
                    "Leai se faʻalavelave faʻafuaseʻi, na o se siakiga masani.", "E le o lamatia le auvaʻa."),
        "urgent": ("E faʻanatinati: ua malepe le pamu okesene.", "Mea faʻanatinati, toe foʻi vave le vaʻa."),
        "emergency": ("Faʻalavelave faʻafuaseʻi! Ua paʻū se tasi i le sami.",
                      "Ua lamatia le vaʻa ona o le matagi malosi."),
    },
    "ceb": {
        "neutral": ("Miadto ang sakayan sa ikaduhang kulungan sa buntag.", "Maayo ang panahon, hinay ang hangin.",
                    "Nahuman na ang pagpakaon sa mga isda.", "Nakakita og kuto sa pipila ka isda.",
                    "Napuno na ang krudo sa sakayan.", "Taas ang taob karong hapon.", "Gisusi ang tanang pukot.",
                    "Upat ka tripulante karong biyahe."),
        "negated": ("Dili dinalian, susihon ugma.", "Walay emerhensya, naandan lang nga pagsusi.",
                    "Walay peligro sa mga tripulante."),
        "urgent": ("Dinalian: naguba ang bomba sa oksiheno.", "Dinalian kaayo, pauli dayon ang sakayan."),
        "emergency": ("Emerhensya! Dunay nahulog sa dagat.", "Peligro ang hangin, pauli na dayon."),
    },
}
# Phrases that state the *absence* of urgency (removed before looking for urgency words).
NEGATIONS = {"mi": ("ehara i te mea kōhukihuki", "kāore he ohotata", "kāore he mōrearea"),
             "sm": ("e lē faʻanatinati", "leai se faʻalavelave faʻafuaseʻi", "e le o lamatia"),
             "ceb": ("dili dinalian", "walay emerhensya", "walay peligro")}
URGENCY = {"mi": (("kōhukihuki", 0.7), ("ohotata", 1.0), ("mōrearea", 1.0)),
           "sm": (("faʻanatinati", 0.7), ("faʻalavelave faʻafuaseʻi", 1.0), ("lamatia", 1.0)),
           "ceb": (("dinalian", 0.7), ("emerhensya", 1.0), ("peligro", 1.0))}
SPECIES = {"mi": (("tāmure", "kahawai", "tarakihi", "hāpuku", "kōura", "kuku", "tio", "hāmana"), ("mangō", "kekeno")),
           "sm": (("atu", "asiasi", "malauli", "ʻanae", "tilapia", "feʻe", "alili"), ("malie", "laumei")),
           "ceb": (("bangus", "tilapia", "lapu-lapu", "danggit", "tamban", "bariles", "pusit", "hipon"),
                   ("iho", "pawikan"))}
GRADES = {"mi": (("tino pai", "pai", "waenga"), ("kino",)), "sm": (("silisili", "lelei", "feololo"), ("leaga",)),
          "ceb": (("primera", "segunda", "tersera"), ("sira",))}
CONDITIONS = {"mi": (("pai", "piri rimu", "pakaru iti", "kua horoia"), ("pakaru nui",)),
              "sm": (("lelei", "mafiafia limu", "masaesae itiiti", "ua fufuluina"), ("masaesae tele",)),
              "ceb": (("maayo", "lumoton", "gamay nga gisi", "nalimpyohan"), ("dakong gisi",))}
TREATMENTS = {"mi": (("kore", "horoi wai māori", "wai mahana"), ("rongoā matū",)),
              "sm": (("leai", "fufulu vai magalo", "vai mafanafana"), ("vailaʻau",)),
              "ceb": (("wala", "hugas tab-ang", "init nga tubig"), ("kemikal",))}
ALGAE = ("Karenia brevisulcata", "Alexandrium pacificum", "Pyrodinium bahamense", "Gymnodinium catenatum")
VESSELS = {"mi": ("Kōtuku", "Karoro", "Tākapu", "Whetū Mārama", "Tai Pari", "Ngaru Nui", "Te Aroha", "Marangai",
                  "Rāwhiti", "Kahu", "Tūī", "Hine Moana"),
           "sm": ("Fetū o le Sami", "Tausala", "Manaia", "Matagi Lelei", "Lupe", "Tuli", "Sina", "Vaiala", "Galu",
                  "Afiafi", "Manuʻa", "Aolele"),
           "ceb": ("Bituon sa Dagat", "Balud", "Habagat", "Amihan", "Santo Niño", "Lumba-lumba", "Sugilanon",
                   "Dagohoy", "Kinabuhi", "Bulawan", "Panaad", "Adlaw")}
BUYERS = {"mi": ("Ngata", "Parata", "Tipene", "Rāwiri", "Hōhepa", "Wiremu", "Mere", "Aperahama"),
          "sm": ("Tuilagi", "Leota", "Faleolo", "Sapolu", "Fuimaono", "Lemalu", "Toala", "Aiono"),
          "ceb": ("Dela Cruz", "Abellana", "Cabahug", "Villaflor", "Osmeña", "Gullas", "Ybañez", "Sanchez")}
PEN_PREFIX = {"mi": ("PĀ", "Pā", "P"), "sm": ("PA", "P"), "ceb": ("K", "KL", "B")}
DIVER_PREFIX = {"mi": "KR", "sm": "TM", "ceb": "MN"}
AUDIT_PREFIX = {"mi": "ARO", "sm": "SUE", "ceb": "TS"}
REG_PREFIX = {"mi": "NZ", "sm": "WS", "ceb": "PH-CEB"}
LETTER_POOL = "BCDFGHJKLMNPQRSTVWXZ"

_MACRON = str.maketrans("āēīōūĀĒĪŌŪ", "aeiouAEIOU")
_TOKEN = re.compile(r"[\wʻ'’-]+")


def anomaly_strength(k: float) -> float:
    """Anomaly term for a reading ``k`` robust spreads from its kind's median: 0 below 5, 0.55 at 6, 1 from 15."""
    if k < ANOMALY_MIN_K:
        return 0.0
    return min(1.0, 0.5 + (k - ANOMALY_MIN_K) / 20.0)


def _quantile(xs: list[float], q: float) -> float:
    pos = q * (len(xs) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _tr(transform: str, x: float) -> float:
    return math.log1p(max(x, 0.0)) if transform == "log" else x


def _untr(transform: str, y: float) -> float:
    return math.expm1(y) if transform == "log" else y


def _rnd(x: float, decimals: int) -> int | float:
    return int(round(x)) if decimals == 0 else round(x, decimals)


@dataclass(slots=True)
class _Burst:
    head: int
    kind: str
    origin: str
    fields: dict[str, Any]
    ts: int
    left: int
    importance: float


@dataclass(slots=True)
class _Pen:
    code: str
    toff: float
    ooff: float
    cap: float
    phase: float
    meal: float
    pellet: float
    lice: float
    weight: float
    depth: float
    moor: float


@dataclass(slots=True)
class _Vessel:
    name: str
    crew: int
    hours: float
    catch: float
    fuel: float
    reg: str


class AquaWorkload:
    """One seeded aquaculture world; :meth:`next_labeled` yields labelled record batches."""

    def __init__(self, seed: int) -> None:
        rng = self.rng = random.Random(seed)
        d = self.dialect = rng.choice(DIALECTS)
        self.prio_mode = rng.choice(PRIORITY_MODES)
        self.region = REGION[d]
        if d == "mi":
            self._macron, self._okina = rng.choice(("macron", "double", "plain")), "ʻ"
        elif d == "sm":
            self._macron, self._okina = rng.choice(("macron", "plain")), rng.choice(("ʻ", "'", ""))
        else:
            self._macron, self._okina = "macron", "ʻ"
        self.key_style = rng.choice(STYLES)
        self.kind_style = rng.choice(STYLES)
        self.unit_suffix = rng.random() < 0.6
        self.units = {fam: rng.choice(opts) for fam, opts in UNIT_CHOICES.items()}
        self.origins = [PrivateKey(rng.randbytes(32)).peer_id for _ in range(rng.randint(3, 10))]
        self.anomaly_rate = ANOMALY_RATE

        # Kinds: 5-8 common (at least one carrying priority), 1-3 rare (at least one never carrying it).
        common = rng.sample(COMMON_KINDS, rng.randint(5, 8))
        if not any(k in PRIORITY_KINDS for k in common):
            common[rng.randrange(len(common))] = rng.choice([k for k in COMMON_KINDS if k in PRIORITY_KINDS])
        self.common = [k for k in COMMON_KINDS if k in common]
        first_rare = rng.choice(NEVER_PRIORITY_RARE)
        others = [k for k in RARE_KINDS if k != first_rare]
        self.rare = [first_rare, *rng.sample(others, rng.randint(0, 2))]
        weights = {k: rng.lognormvariate(0.0, 0.6) for k in self.common}
        prio_share = sum(w for k, w in weights.items() if k in PRIORITY_KINDS) / sum(weights.values())
        if prio_share < 0.3:
            for k in weights:
                if k in PRIORITY_KINDS:
                    weights[k] *= 0.3 / prio_share * (1 - prio_share) / 0.7
        self._kind_w = weights
        self._kind_cw = self._cum([weights[k] for k in self.common])
        self.rare_rate = {k: rng.uniform(0.002, 0.005) for k in self.rare}
        self._kind_origins = {k: self._zipf(rng.sample(self.origins, min(len(self.origins), rng.randint(1, 3))), 1.0)
                              for k in (*self.common, *self.rare)}

        # Names.
        self.kind_name = {k: self._style(KIND_WORDS[k][d], self.kind_style) for k in (*self.common, *self.rare)}
        self.kind_of = {v: k for k, v in self.kind_name.items()}
        self.keys: dict[str, str] = {}
        for concept, options in KEY_WORDS.items():
            words = rng.choice(options[d])
            unit = self._unit_token(concept)
            if self.unit_suffix and unit:
                words = (*words, unit)
            self.keys[concept] = self._style(words, self.key_style)
        self.prio_plain = rng.random() < 0.5
        prio_words = rng.choice(PRIO_PLAIN[d]) if self.prio_plain else PRIO_NEUTRAL[d][self.prio_mode]
        if self.prio_mode == "minutes" and self.unit_suffix:
            prio_words = (*prio_words, "min")
        self.prio_key = self._style(prio_words, self.key_style)
        self.meta: dict[str, tuple[str, str, int, float | None, float | None]] = {}
        for concept, (transform, dec, lo, hi, unit) in NUMERIC.items():
            if unit == "@oxy" and self.units["oxy"] == "pct" or unit == "@temp" and self.units["temp"] == "F":
                dec = 1
            if unit == "@cur" and self.units["cur"] == "kn":
                dec = 2
            if concept == "price":
                dec = self.region["price_dec"]
            self.meta[self.keys[concept]] = ("num", transform, dec, lo, hi)
        for concept, (dec, _unit) in RARE_NUMERIC.items():
            self.meta[self.keys[concept]] = ("rnum", "lin", dec, None, None)
        for concept, role in ROLES.items():
            self.meta[self.keys[concept]] = (role, "", 0, None, None)
        names = sorted([*self.keys.values(), self.prio_key])
        if len(set(names)) != len(names):
            raise AssertionError(f"key clash: {names}")

        # Vocabulary in the world's spelling.
        o = self._o
        self._colours = tuple(o(c) for c in COLOURS[d])
        self._status = (tuple(o(s) for s in STATUS[d][0]), tuple(o(s) for s in STATUS[d][1]))
        self._sent = {k: tuple(o(s) for s in v) for k, v in SENTENCES[d].items()}
        self._neg_norm = tuple(self._norm(o(s)) for s in NEGATIONS[d])
        self._urg_norm = tuple((self._norm(o(w)), p) for w, p in URGENCY[d])
        sp, sp_rare = SPECIES[d]
        self._species = self._zipf([o(s) for s in rng.sample(sp, len(sp))], 1.1)
        self._species_rare = tuple(o(s) for s in sp_rare)
        self._species_price = {s: rng.lognormvariate(math.log(self.region["price"]), 0.45) for s in self._species[0]}
        self._species_price.update({s: self.region["price"] * 0.5 for s in self._species_rare})
        self._species_catch = {s: rng.lognormvariate(0.0, 0.5) for s in (*self._species[0], *self._species_rare)}
        self._grades = tuple(o(g) for g in GRADES[d][0])
        self._grade_rare = tuple(o(g) for g in GRADES[d][1])
        self._conds = tuple(o(c) for c in CONDITIONS[d][0])
        self._cond_rare = tuple(o(c) for c in CONDITIONS[d][1])
        self._treats = tuple(o(t) for t in TREATMENTS[d][0])
        self._treat_rare = tuple(o(t) for t in TREATMENTS[d][1])
        self._rare_vals = {self.keys["species"]: self._species_rare, self.keys["grade"]: self._grade_rare,
                           self.keys["condition"]: self._cond_rare, self.keys["treatment"]: self._treat_rare}
        self._rare_value_p = rng.uniform(0.004, 0.009)

        # Entities.
        reg = self.region
        prefix = o(rng.choice(PEN_PREFIX[d]))
        fmt = rng.choice(("{p}-{i:02d}", "{p}{i}", "{p} {i}", "{p}{i:02d}"))
        nums = sorted(rng.sample(range(1, 40), rng.randint(6, 20)))
        lo_d, hi_d = reg["depth"]
        pens = [_Pen(fmt.format(p=prefix, i=i), rng.gauss(0, 0.3), rng.gauss(0, 0.3),
                     rng.lognormvariate(math.log(reg["cap"]), 0.5), rng.random(), 0.0,
                     rng.choice((3.0, 4.5, 6.0, 9.0, 12.0)), rng.lognormvariate(math.log(reg["lice"]), 0.4),
                     rng.lognormvariate(math.log(reg["weight"]), 0.5), rng.uniform(lo_d, hi_d), rng.uniform(20, 60))
                for i in nums]
        for p in pens:
            p.meal = p.cap * rng.uniform(1.0, 2.0)
        self._pens = self._zipf(rng.sample(pens, len(pens)), 1.0)
        self.pens = [p.code for p in pens]
        names = [o(v) for v in rng.sample(VESSELS[d], rng.randint(5, 10))]
        n_well = rng.randint(1, 2)
        vessels = [_Vessel(nm, rng.randint(2, 8), rng.uniform(4, 14), rng.lognormvariate(math.log(400), 0.6),
                           rng.uniform(15, 60), f"{REG_PREFIX[d]}-{rng.randint(1000, 99999)}") for nm in names]
        self._wellboats = self._zipf(vessels[:n_well], 1.0)
        self._vessels = self._zipf(vessels[n_well:], 1.1)
        self._all_vessels = self._zipf(vessels, 1.0)
        self._buyers = self._zipf([o(b) for b in rng.sample(BUYERS[d], rng.randint(4, 8))], 1.2)
        line_word = o(KEY_WORDS["line"][d][0][0]).capitalize()
        self._lines = self._zipf([(f"{line_word} {i}", rng.uniform(-0.5, 2.0)) for i in range(1, rng.randint(3, 5))], 0.8)
        self._ice_cap, self._ice_phase = rng.uniform(8, 40), rng.random()
        self._divers = self._zipf([f"{DIVER_PREFIX[d]}{rng.randint(1, 60)}" for _ in range(rng.randint(3, 6))], 1.0)
        self._auditors = [f"{AUDIT_PREFIX[d]}-{rng.randint(1, 99)}" for _ in range(3)]
        self._tide_phase = rng.uniform(0, 2 * math.pi)
        self._trip_no, self._lot, self._entry = rng.randint(100, 5000), rng.randint(1000, 90000), rng.randint(1, 3000)

        # Priority encoding: (p, weight, maker) steps; about 85% at the routine step(s).
        self._letters = "".join(rng.sample(LETTER_POOL, 4))
        self._prio_steps = self._make_prio_steps()
        self._prio_cw = self._cum([w for _, w, _ in self._prio_steps])

        # Robust statistics per common kind, from the world's own routine distribution.
        self.stats: dict[str, dict[str, tuple[str, float, float]]] = {}
        for kind in self.common:
            keys = [self.keys[c] for c in KIND_FIELDS[kind] if c in NUMERIC]
            if not keys:
                continue
            samples = [self._gen(kind, rng.randint(0, 2 * 365 * 86_400_000)) for _ in range(400)]
            st: dict[str, tuple[str, float, float]] = {}
            for key in keys:
                transform = self.meta[key][1]
                xs = sorted(_tr(transform, float(s[key])) for s in samples)
                med = _quantile(xs, 0.5)
                iqr = (_quantile(xs, 0.75) - _quantile(xs, 0.25)) / 1.349
                tail = max(_quantile(xs, 0.995) - med, med - _quantile(xs, 0.005)) / 4.5
                floor = 0.7 if transform == "lin" and self.meta[key][2] == 0 else 1e-3 + 0.01 * abs(med)
                st[key] = (transform, med, max(iqr, tail, floor))
            self.stats[kind] = st

        self._clock = 0
        self._old_news: deque[tuple[str, str, dict[str, Any]]] = deque(maxlen=300)
        self._recent: dict[tuple[Any, ...], int] = {}
        self._recent_q: deque[tuple[Any, ...]] = deque()

    # --- naming helpers -----------------------------------------------------------------------
    def _o(self, s: str) -> str:
        """The world's spelling of a base string (macrons, glottal stops)."""
        if self._macron == "plain":
            s = s.translate(_MACRON)
        elif self._macron == "double":
            out = []
            for i, c in enumerate(s):
                base = c.translate(_MACRON)
                if base == c:
                    out.append(c)
                elif c.isupper():
                    prev_up = i > 0 and s[i - 1].isupper()
                    out.append(base + (base if prev_up else base.lower()))
                else:
                    out.append(base + base)
            s = "".join(out)
        if self._okina != "ʻ":
            s = s.replace("ʻ", self._okina)
        return s

    def _style(self, words: tuple[str, ...], style: str) -> str:
        ws = [self._o(w) for w in words]
        if style == "snake":
            return "_".join(ws)
        if style == "dotted":
            return ".".join(ws)
        if style == "kebab":
            return "-".join(ws)
        return ws[0] + "".join(w[:1].upper() + w[1:] for w in ws[1:])

    def _unit_token(self, concept: str) -> str:
        unit = NUMERIC[concept][4] if concept in NUMERIC else RARE_NUMERIC.get(concept, (0, ""))[1]
        if unit.startswith("@"):
            return self.units[unit[1:]]
        if unit == "$":
            return self.region["cur_code"]
        return unit

    @staticmethod
    def _cum(ws: list[float]) -> list[float]:
        out, acc = [], 0.0
        for w in ws:
            acc += w
            out.append(acc)
        return out

    def _zipf(self, items: list[Any], s: float) -> tuple[list[Any], list[float]]:
        return items, self._cum([1.0 / (i + 1) ** s for i in range(len(items))])

    def _pick(self, z: tuple[list[Any], list[float]]) -> Any:
        return self.rng.choices(z[0], cum_weights=z[1])[0]

    @staticmethod
    def _norm(text: str) -> str:
        return " " + " ".join(_TOKEN.findall(text.lower())) + " "

    # --- priority ------------------------------------------------------------------------------
    def _make_prio_steps(self) -> list[tuple[float, float, Callable[[], Any]]]:
        rng, mode = self.rng, self.prio_mode
        if mode == "rotating":
            routine, esc = self._status
            steps = [(0.0, 0.17, (lambda v=v: v)) for v in routine]
            return steps + [(p, w, (lambda v=v: v)) for p, w, v in zip((0.35, 0.7, 1.0), (0.07, 0.05, 0.03), esc, strict=True)]
        if mode == "letters":
            return [(p, w, (lambda c=c: c + str(rng.randint(1, 9))))
                    for p, w, c in zip((0.0, 0.35, 0.7, 1.0), (0.85, 0.07, 0.05, 0.03), self._letters, strict=True)]
        if mode == "scale_down":
            return [(p, w, (lambda v=v: v)) for v, p, w in
                    ((6, 0.0, 0.85), (5, 0.1, 0.05), (4, 0.3, 0.04), (3, 0.55, 0.03), (2, 0.8, 0.02), (1, 1.0, 0.01))]
        if mode == "minutes":
            def routine_minutes() -> int:
                return rng.choice((240, 360, 480, 720, 1440, 2880)) if rng.random() < 0.5 else rng.randint(240, 2880)
            return [(0.0, 0.85, routine_minutes), (0.35, 0.07, lambda: rng.randint(60, 120)),
                    (0.7, 0.05, lambda: rng.randint(20, 45)), (1.0, 0.03, lambda: rng.randint(5, 15))]
        if mode == "points":
            return [(0.0, 0.85, lambda: int(rng.triangular(0, 260, 40))), (0.35, 0.07, lambda: rng.randint(400, 599)),
                    (0.7, 0.05, lambda: rng.randint(600, 849)), (1.0, 0.03, lambda: rng.randint(850, 999))]
        if mode == "flag":
            return [(0.0, 0.88, lambda: False), (0.8, 0.12, lambda: True)]
        if mode == "colour":
            return [(p, w, (lambda c=c: c)) for p, w, c in
                    zip((0.0, 0.35, 0.7, 1.0), (0.85, 0.07, 0.05, 0.03), self._colours, strict=True)]
        return [(0.0, 0.85, lambda: self._remark(0.0)), (0.7, 0.10, lambda: self._remark(0.7)),
                (1.0, 0.05, lambda: self._remark(1.0))]

    def _remark(self, level: float) -> str:
        rng, s = self.rng, self._sent
        if level >= 1.0:
            return rng.choice(s["emergency"])
        if level > 0:
            return rng.choice(s["urgent"])
        return rng.choice(s["negated"]) if rng.random() < 0.4 else rng.choice(s["neutral"])

    def _log_text(self, level: float | None = None) -> str:
        rng, s = self.rng, self._sent
        parts = rng.sample(s["neutral"], rng.randint(1, 3))
        if rng.random() < 0.3:
            parts.insert(rng.randint(0, len(parts)), rng.choice(s["negated"]))
        if level is None:
            r = rng.random()
            level = 1.0 if r < 0.03 else 0.7 if r < 0.09 else 0.0
        if level > 0:
            parts.insert(rng.randint(0, len(parts)), rng.choice(s["emergency" if level >= 1.0 else "urgent"]))
        return " ".join(parts)

    def text_priority(self, text: str) -> float:
        """Urgency stated in free text: negated phrases first removed, then the strongest urgency word."""
        t = self._norm(text)
        for neg in self._neg_norm:
            t = t.replace(neg, " ")
        return max([p for w, p in self._urg_norm if w in t], default=0.0)

    def priority_of(self, kind: str, fields: dict[str, Any]) -> float:
        """Explicit priority in [0, 1] carried by the record's content."""
        if kind == "crewlog":
            text = fields.get(self.keys["text"])
            return self.text_priority(text) if isinstance(text, str) else 0.0
        v = fields.get(self.prio_key)
        if v is None or kind not in PRIORITY_KINDS:
            return 0.0
        mode = self.prio_mode
        if mode == "rotating":
            return dict(zip(self._status[1], (0.35, 0.7, 1.0), strict=True)).get(v, 0.0)
        if mode == "letters":
            i = self._letters.find(v[:1]) if isinstance(v, str) and v else -1
            return (0.0, 0.35, 0.7, 1.0)[i] if i >= 0 else 0.0
        if mode == "scale_down":
            return {5: 0.1, 4: 0.3, 3: 0.55, 2: 0.8, 1: 1.0}.get(v, 0.0) if type(v) is int else 0.0
        if mode == "minutes":
            if type(v) is not int:
                return 0.0
            return 1.0 if v <= 15 else 0.7 if v <= 45 else 0.35 if v <= 120 else 0.0
        if mode == "points":
            if type(v) is not int:
                return 0.0
            return 1.0 if v >= 850 else 0.7 if v >= 600 else 0.35 if v >= 400 else 0.0
        if mode == "flag":
            return 0.8 if v is True else 0.0
        if mode == "colour":
            return dict(zip(self._colours, (0.0, 0.35, 0.7, 1.0), strict=True)).get(v, 0.0)
        return self.text_priority(v) if isinstance(v, str) else 0.0

    def _prio_value(self, min_p: float = 0.0, top: bool = False) -> Any:
        steps = self._prio_steps
        if top:
            return max(steps, key=lambda s: s[0])[2]()
        if min_p > 0:
            return self.rng.choice([s for s in steps if s[0] >= min_p])[2]()
        return self.rng.choices(steps, cum_weights=self._prio_cw)[0][2]()

    # --- truth ---------------------------------------------------------------------------------
    def anomaly_k(self, kind: str, fields: dict[str, Any]) -> float:
        """How many robust spreads the most extreme numeric reading lies from its kind's median."""
        st = self.stats.get(kind)
        if not st:
            return 0.0
        k = 0.0
        for key, (transform, med, spread) in st.items():
            v = fields.get(key)
            if isinstance(v, bool) or not isinstance(v, int | float):
                continue
            k = max(k, abs(_tr(transform, float(v)) - med) / spread)
        return k

    def rarity_of(self, kind: str, fields: dict[str, Any]) -> tuple[float, float]:
        """(rarity, its rare-kind part): 0.5 for a rare kind, 0.45 for a rare categorical value."""
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.0
        for key, rare in self._rare_vals.items():
            if fields.get(key) in rare:
                rv = 0.45
        return max(rk, rv), rk

    def score(self, kind: str, fields: dict[str, Any]) -> tuple[float, str]:
        a = 0.9 * anomaly_strength(self.anomaly_k(kind, fields))
        p = 0.9 * self.priority_of(kind, fields)
        r, rk = self.rarity_of(kind, fields)
        return noisy_or(0.04, a, p, r), main_reason(a, p, r, rk)

    # --- content generation --------------------------------------------------------------------
    def _num(self, concept: str, x: float) -> int | float:
        unit = NUMERIC[concept][4] if concept in NUMERIC else ""
        fam = unit[1:] if unit.startswith("@") else ""
        u = self.units.get(fam, "")
        if u == "pct":
            x = min(140.0, x / self.region["sat"] * 100.0)
        elif u == "kn":
            x *= 0.0194384
        elif u == "lb":
            x *= 2.20462
        elif u == "gal":
            x *= 0.264172
        elif u == "fm":
            x *= 0.546807
        elif u == "F" and fam == "temp":
            x = x * 9 / 5 + 32
        dec = self.meta[self.keys[concept]][2] if concept in NUMERIC else RARE_NUMERIC[concept][0]
        return _rnd(x, dec)

    def _cat(self, common: tuple[str, ...], rare: tuple[str, ...], weights: tuple[float, ...] | None = None) -> str:
        if self.rng.random() < self._rare_value_p:
            return self.rng.choice(rare)
        return self.rng.choices(common, weights=weights)[0] if weights else self.rng.choice(common)

    def _gen(self, kind: str, t: int) -> dict[str, Any]:
        """Routine field values of one record of ``kind`` at time ``t`` (ms), keyed by the world's keys."""
        rng, reg, num = self.rng, self.region, self._num
        h = t / 3_600_000
        hour = (h + reg["tz"]) % 24
        daily = math.cos(2 * math.pi * (hour - 15) / 24)
        tide = 2 * math.pi * h / 12.42 + self._tide_phase
        c: dict[str, Any] = {}
        if kind in ("pen", "feeder", "camera", "dive", "escape", "bloom"):
            pen: _Pen = self._pick(self._pens)
            c["pen"] = pen.code
        if kind == "pen":
            temp = reg["temp"] + 0.6 * daily + pen.toff + rng.gauss(0, 0.15)
            c["temp"] = num("temp", temp)
            oxy = reg["oxy"] + 0.9 * math.cos(2 * math.pi * (hour - 16) / 24) + pen.ooff + rng.gauss(0, 0.25)
            c["oxy"] = num("oxy", max(0.5, oxy - 0.05 * (temp - reg["temp"])))
            c["sal"] = num("sal", reg["sal"] + reg["sal_amp"] * math.sin(tide) + rng.gauss(0, 0.15))
            c["ph"] = num("ph", reg["ph"] + 0.04 * daily + rng.gauss(0, 0.03))
            c["cur"] = num("cur", reg["cur"] * abs(math.cos(tide)) + abs(rng.gauss(0, 3)))
            frac = (t / 86_400_000 / 420 + pen.phase) % 1.0
            c["biomass"] = num("biomass", pen.cap * (0.35 + 0.6 * frac) * (1 + rng.gauss(0, 0.01)))
        elif kind == "feeder":
            c["feeder"] = f"{pen.code}/{rng.randint(1, 2)}"
            meal = rng.gauss(pen.meal, 0.12 * pen.meal) if rng.random() < 0.7 else rng.gauss(0.2 * pen.meal, 0.05 * pen.meal)
            c["feed"] = num("feed", max(0.5, meal))
            c["pellet"] = pen.pellet
            c["appetite"] = num("appetite", 100 * (1 - math.exp(-rng.gammavariate(3.0, 0.9))))
            c["duration"] = num("duration", max(3.0, rng.gauss(25, 6)))
        elif kind == "camera":
            lam = 45 * (0.6 + 0.4 * max(0.0, daily))
            c["count"] = num("count", max(0.0, rng.gauss(lam, math.sqrt(lam))))
            c["lice"] = num("lice", rng.lognormvariate(math.log(pen.lice), 0.55))
            c["dead"] = num("dead", rng.gammavariate(0.8, 2.5))
            c["weight_g"] = num("weight_g", pen.weight * (1 + rng.gauss(0, 0.05)))
        elif kind == "trip":
            v: _Vessel = self._pick(self._vessels)
            c["vessel"] = v.name
            self._trip_no += 1
            c["trip_no"] = self._trip_no
            c["species"] = self._species_pick()
            hours = max(1.0, rng.gauss(v.hours, 1.5))
            c["hours"] = num("hours", hours)
            c["catch"] = num("catch", rng.lognormvariate(math.log(v.catch * self._species_catch[c["species"]]), 0.7))
            c["fuel"] = num("fuel", v.fuel * hours * (1 + rng.gauss(0, 0.08)))
            c["crew"] = v.crew if rng.random() < 0.85 else max(1, v.crew + rng.choice((-1, 1)))
        elif kind == "landing":
            self._lot += 1
            c["lot"] = self._lot
            c["species"] = self._species_pick()
            g = self._cat(self._grades, self._grade_rare, (0.3, 0.45, 0.25))
            factor = {0: 1.0, 1: 0.75, 2: 0.55}.get(self._grades.index(g), 0.2) if g in self._grades else 0.2
            c["grade"] = g
            c["price"] = num("price", self._species_price[c["species"]] * factor * rng.lognormvariate(0, 0.08))
            c["lot_kg"] = num("lot_kg", rng.lognormvariate(math.log(250), 0.8))
            c["buyer"] = self._pick(self._buyers)
        elif kind == "cold":
            name, sp = self._pick(self._lines)
            c["line"] = name
            chill = sp + abs(rng.gauss(0, 0.35)) + (rng.uniform(1.0, 2.5) if rng.random() < 0.12 else 0.0)
            c["chill"] = num("chill", chill)
            c["ice"] = num("ice", self._ice_cap * (1 - (h / 36 + self._ice_phase) % 1.0) + 0.5 + rng.gauss(0, 0.1))
            c["door"] = num("door", rng.gammavariate(4.0, 1.5))
        elif kind == "dive":
            c["diver"] = self._pick(self._divers)
            c["depth"] = num("depth", max(1.0, pen.depth + rng.gauss(0, 0.8)))
            c["holes"] = min(4, self._poisson(0.4))
            c["tension"] = num("tension", pen.moor + 8 * abs(math.cos(tide)) + rng.gauss(0, 2))
            c["condition"] = self._cat(self._conds, self._cond_rare, (0.5, 0.25, 0.15, 0.1))
            c["dive_min"] = num("dive_min", max(5.0, rng.gauss(35, 8)))
        elif kind == "crewlog":
            c["vessel"] = self._pick(self._all_vessels).name
            self._entry += 1
            c["entry"] = self._entry
            c["text"] = self._log_text()
        elif kind == "wellboat":
            c["vessel"] = self._pick(self._wellboats).name
            c["moved"] = num("moved", rng.lognormvariate(math.log(20000), 0.5))
            c["tank_oxy"] = num("tank_oxy", rng.gauss(9.5, 0.8))
            c["treatment"] = self._cat(self._treats, self._treat_rare, (0.5, 0.35, 0.15))
            c["temp"] = num("temp", reg["temp"] + 0.4 * daily + rng.gauss(0, 0.3))
        elif kind == "escape":
            c["escaped"] = num("escaped", rng.lognormvariate(math.log(3000), 1.0))
            c["hole_cm"] = num("hole_cm", max(5.0, rng.gauss(60, 25)))
        elif kind == "bloom":
            c["algae"] = rng.choice(ALGAE)
            c["cells"] = num("cells", rng.lognormvariate(math.log(2e5), 0.8))
            c["chl"] = num("chl", max(1.0, rng.gauss(25, 8)))
        elif kind == "distress":
            v = self._pick(self._all_vessels)
            c["vessel"] = v.name
            c["lat"] = num("lat", reg["lat"] + rng.gauss(0, 0.3))
            c["lon"] = num("lon", reg["lon"] + rng.gauss(0, 0.3))
            c["persons"] = v.crew
        elif kind == "quota_audit":
            c["vessel"] = self._pick(self._vessels).name
            limit = rng.choice((50.0, 80.0, 120.0, 200.0))
            c["quota_limit"] = limit
            c["quota_used"] = num("quota_used", limit * rng.uniform(0.2, 0.98))
            c["auditor"] = rng.choice(self._auditors)
        elif kind == "registration":
            v = self._pick(self._all_vessels)
            c["vessel"] = v.name
            c["reg_no"] = v.reg
            c["expiry_days"] = rng.randint(1, 60)
        return {self.keys[k]: val for k, val in c.items()}

    def _species_pick(self) -> str:
        if self.rng.random() < self._rare_value_p:
            return self.rng.choice(self._species_rare)
        return self._pick(self._species)

    def _poisson(self, lam: float) -> int:
        n, p, limit = 0, self.rng.random(), math.exp(-lam)
        while p > limit:
            n += 1
            p *= self.rng.random()
        return n

    def _tame(self, kind: str, fields: dict[str, Any]) -> None:
        """Pull a routine reading that strayed past 4.5 robust spreads back inside (the world saturates)."""
        for key, (transform, med, spread) in self.stats.get(kind, {}).items():
            v = fields[key]
            y = _tr(transform, float(v))
            if abs(y - med) / spread > 4.5:
                _, _, dec, lo, hi = self.meta[key]
                x = _untr(transform, med + math.copysign(4.4 * spread, y - med))
                x = max(lo, x) if lo is not None else x
                fields[key] = _rnd(min(hi, x) if hi is not None else x, dec)

    def _inject(self, kind: str, fields: dict[str, Any]) -> bool:
        """Push one reading 6-25 robust spreads (6-12 on a log scale) away from its median."""
        rng = self.rng
        st = self.stats.get(kind)
        if not st:
            return False
        keys = list(st)
        rng.shuffle(keys)
        for key in keys:
            transform, med, spread = st[key]
            _, _, dec, lo, hi = self.meta[key]
            k = rng.uniform(6.0, 12.0 if transform == "log" else 25.0)
            dirs = [1.0, -1.0] if rng.random() < 0.6 else [-1.0, 1.0]
            for sgn in dirs:
                kk = k
                y_lo = _tr(transform, lo) if lo is not None else -math.inf
                y_hi = _tr(transform, hi) if hi is not None else math.inf
                room = (y_hi - med) if sgn > 0 else (med - y_lo)
                if room / spread < 6.5:
                    continue
                kk = min(kk, room / spread - 0.3)
                x = _rnd(_untr(transform, med + sgn * kk * spread), dec)
                trial = dict(fields)
                trial[key] = x
                if self.anomaly_k(kind, trial) >= 6.0:
                    fields[key] = x
                    return True
        return False

    def _content_key(self, kind: str, fields: dict[str, Any]) -> tuple[Any, ...]:
        return (kind, *sorted(fields.items()))

    def _remember(self, kind: str, fields: dict[str, Any]) -> None:
        key = self._content_key(kind, fields)
        self._recent[key] = self._recent.get(key, 0) + 1
        self._recent_q.append(key)
        if len(self._recent_q) > 5000:
            old = self._recent_q.popleft()
            self._recent[old] -= 1
            if not self._recent[old]:
                del self._recent[old]

    def _choose_kind(self) -> str:
        rng = self.rng
        r = rng.random()
        for k in self.rare:
            r -= self.rare_rate[k]
            if r < 0:
                return k
        return rng.choices(self.common, cum_weights=self._kind_cw)[0]

    def _routine(self, t: int) -> tuple[str, dict[str, Any]]:
        rng = self.rng
        for _ in range(20):
            kind = self._choose_kind()
            fields = self._gen(kind, t)
            for _retry in range(6):
                if self.anomaly_k(kind, fields) <= 4.5:
                    break
                fields = self._gen(kind, t)
            self._tame(kind, fields)
            if kind in PRIORITY_KINDS:
                fields[self.prio_key] = self._prio_value(top=kind in ALWAYS_PRIORITY_RARE)
            if kind in self.stats and rng.random() < self.anomaly_rate:
                self._inject(kind, fields)
            if self._content_key(kind, fields) not in self._recent:
                return kind, fields
        return kind, fields

    def _news(self, t: int) -> tuple[str, dict[str, Any]]:
        """A routine-looking record that carries news (an anomaly or a priority), for a burst head."""
        rng = self.rng
        cands = [k for k in self.common if k in self.stats or k in PRIORITY_KINDS or k == "crewlog"]
        cw = self._cum([self._kind_w[k] for k in cands])
        for _ in range(30):
            kind = rng.choices(cands, cum_weights=cw)[0]
            fields = self._gen(kind, t)
            self._tame(kind, fields)
            if kind in PRIORITY_KINDS:
                fields[self.prio_key] = self._prio_value()
            use_prio = kind == "crewlog" or (kind in PRIORITY_KINDS and (kind not in self.stats or rng.random() < 0.5))
            if use_prio and kind == "crewlog":
                fields[self.keys["text"]] = self._log_text(rng.choice((0.7, 1.0)))
            elif use_prio:
                fields[self.prio_key] = self._prio_value(min_p=0.55)
            else:
                self._inject(kind, fields)
            _, detail = self.score(kind, fields)
            if detail in ("anomaly", "priority"):
                return kind, fields
        raise AssertionError("no news record could be drawn")

    def _near(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Another sensor's or clerk's reading of the same event: rounding, re-cased words, re-typed codes."""
        rng = self.rng
        out = dict(fields)
        keys = [k for k in fields if k != self.prio_key and self.meta.get(k, ("",))[0] not in ("counter", "fixed")]
        rng.shuffle(keys)
        changed = 0
        for key in keys:
            v = out[key]
            role = self.meta[key][0]
            nv = v
            if role in ("num", "rnum") and isinstance(v, float):
                dec = self.meta[key][2]
                nv = round(v, dec - 1) if dec >= 1 and rng.random() < 0.6 else round(v + rng.choice((-1, 1)) * 10.0 ** -dec, dec)
            elif role in ("num", "rnum") and isinstance(v, int):
                nv = v + rng.choice((-1, 1)) if v > 1 else v + 1
            elif role in ("cat", "name", "text") and isinstance(v, str):
                nv = rng.choice((v.upper(), v.lower(), v.title(), v.capitalize()))
            elif role == "code" and isinstance(v, str):
                opts = [v.replace("-", ""), v.replace("-", " "), v.replace(" ", "-"), v.replace(" ", ""),
                        v.replace("/", "-"), v.lower(), v.translate(_MACRON)]
                nv = rng.choice([x for x in opts if x != v] or [v.lower() + "0"])
            if nv != v:
                out[key] = nv
                changed += 1
                if changed >= (1 if rng.random() < 0.6 else 2):
                    break
        if out == fields:
            key = next(k for k in fields if k != self.prio_key)
            out[key] = f"{fields[key]}." if isinstance(fields[key], str) else fields[key] + 1
        return out

    def _tail(self, b: _Burst) -> dict[str, Any]:
        """The same alarm again seconds later: numbers wobble, counters step, words stay."""
        rng = self.rng
        out = dict(b.fields)
        for key, v in out.items():
            role = self.meta.get(key, ("",))[0]
            if key == self.prio_key:
                continue
            if role == "counter":
                out[key] = v + 1
            elif role in ("num", "rnum") and isinstance(v, float):
                dec = self.meta[key][2]
                out[key] = round(v * (1 + rng.gauss(0, 0.01)) + rng.choice((-1, 0, 1)) * 10.0 ** -dec, dec)
            elif role in ("num", "rnum") and isinstance(v, int) and not isinstance(v, bool):
                out[key] = max(0, v + rng.choice((-1, 0, 0, 1)))
        b.fields = out
        return out

    # --- the stream ----------------------------------------------------------------------------
    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """``n`` labelled records in time order, ending near ``now_ms`` (never before earlier ones)."""
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        rng = self.rng
        self._clock = max(self._clock, now_ms - n * MEAN_GAP_MS)
        out: list[LabeledRecord] = []
        kinds: list[str] = []
        bursts: list[_Burst] = []
        for i in range(n):
            self._clock += max(1, int(rng.expovariate(1.0 / MEAN_GAP_MS)))
            t = self._clock
            remaining = n - i
            bursts = [b for b in bursts if b.left > 0]
            pending = sum(b.left for b in bursts)
            old = [b for b in bursts if t - b.ts > BURST_MAX_AGE_MS]
            if bursts and (pending >= remaining or old or rng.random() < TAIL_STEP):
                b = old[0] if old else rng.choice(bursts)
                b.left -= 1
                fields = self._tail(b)
                rec = Record.create(self.kind_name[b.kind], b.origin, t, fields)
                out.append(LabeledRecord(rec, min(0.02, 0.1 * b.importance), "burst_tail", b.head))
                kinds.append(b.kind)
                continue
            sources = [j for j in range(max(0, i - 80), i) if out[j].case in ("routine", "burst_head")]
            r = rng.random()
            if r < P_HEAD and remaining - 1 - pending >= 2:
                kind, fields = self._news(t)
                origin = self._pick(self._kind_origins[kind])
                imp, detail = self.score(kind, fields)
                rec = Record.create(self.kind_name[kind], origin, t, fields)
                out.append(LabeledRecord(rec, imp, "burst_head", -1, detail))
                kinds.append(kind)
                self._remember(kind, fields)
                size = min(40, 2 + int(4 * (rng.paretovariate(1.6) - 1)), remaining - 1 - pending)
                bursts.append(_Burst(i, kind, origin, dict(fields), t, size, imp))
                continue
            r -= P_HEAD
            if sources and r < P_DUP + P_NEAR:
                news = [j for j in sources if out[j].importance >= 0.3]
                j = rng.choice(news) if news and rng.random() < 0.3 else rng.choice(sources)
                src = out[j]
                skind = kinds[j]
                if r < P_DUP:
                    origin = src.record.origin if rng.random() < 0.5 else rng.choice(self.origins)
                    rec = Record.create(src.record.kind, origin, t, src.record.fields)
                    out.append(LabeledRecord(rec, 0.05 * src.importance, "dup", j))
                else:
                    origin = rng.choice(self.origins) if rng.random() < 0.7 else src.record.origin
                    rec = Record.create(src.record.kind, origin, t, self._near(skind, src.record.fields))
                    out.append(LabeledRecord(rec, 0.1 * src.importance, "near_dup", j))
                kinds.append(skind)
                continue
            r -= P_DUP + P_NEAR
            if self._old_news and r < P_RESEND:
                kind, origin, fields = rng.choice(self._old_news)
                rec = Record.create(self.kind_name[kind], origin, t, fields)
                out.append(LabeledRecord(rec, 0.01, "resend"))
                kinds.append(kind)
                continue
            kind, fields = self._routine(t)
            origin = self._pick(self._kind_origins[kind])
            imp, detail = self.score(kind, fields)
            out.append(LabeledRecord(Record.create(self.kind_name[kind], origin, t, fields), imp, "routine", -1, detail))
            kinds.append(kind)
            self._remember(kind, fields)
        for lr, kind in zip(out, kinds, strict=True):
            if lr.case in ("routine", "burst_head") and lr.importance >= 0.3:
                self._old_news.append((kind, lr.record.origin, lr.record.fields))
        return out

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        """Records with their ground-truth importance (the labelled stream without its cases)."""
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]
