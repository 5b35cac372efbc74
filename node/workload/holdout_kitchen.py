"""Held-out family ``kitchen``: a chain of commercial kitchens and its central food production. Used ONLY by evaluation.

Theory of operation
-------------------
A held-out family written blind (docs/holdout-kitchen.md): nobody tunes the model on it, and it shares
no code path, name, distribution or vocabulary with the training generators or the other held-out
families. Only :class:`LabeledRecord`, :func:`noisy_or` and :func:`main_reason` (the definition's truth
helpers) and :class:`Record` are imported; the scheduler, the field generators and the vocabularies are
this module's own. Training never imports it (tests/node/test_holdout_kitchen.py checks ``sys.modules``).

One seed is one restaurant chain: 3-7 sites (one of them the central production unit, ``site 0``), each
with a gateway (the ``origins``, peer ids from :data:`SITE_IDS`, Zipf busy). A site has its own fridges,
freezers, fryers, dish machines, gas and power meters, and maybe a blast chiller; every device has
levels of its own (a fridge's set point, a fryer's oil temperature, a dish machine's rinse heat and
detergent dose, a site's gas draw). The world draws, from one ``random.Random(seed)``:

- a dialect: ``mt`` Maltese, ``lt`` Lithuanian or ``af`` Afrikaans, which names every kind, field,
  category and note, and writes numbers (below);
- a naming style for kinds (UPPER_SNAKE, dotted, kebab) and one for fields (snake, camel, kebab, dotted,
  UPPER);
- fridge probes and order tickets (always) plus 3-6 of nine other common kinds, and 1-3 of five rare
  kinds (fire-suppression discharge, pest sighting, food-poisoning complaint, health inspector visit,
  product recall), each 0.2-0.7% of the fresh records;
- one of eight priority forms (``prio_mode``; the field ``prio_key``), carried by tickets, deliveries,
  shift notes, complaints and recalls only;
- case rates, an arrival process (log-normal gaps, median 80 ms-2.5 s) and a burst period.

Numbers by dialect: ``mt`` plain decimals with a point, masses in kg, temperatures in °C or (35% of
worlds) °F (the unit in the field name: ``temp_c`` / ``temp_f``); ``lt`` quantities as strings with a
decimal comma and the unit (``"3,4 °C"``, ``"12,5 kg"``, ``"0,84 m³"``, ``"45 min."``); ``af`` masses in
whole grams (``massa.g``), temperatures in °C or (35%) °F, clocks written ``19h42``.

Truth (docs/attention.md's definition): routine records and burst heads are
``noisy_or(0.04, 0.9 a, 0.9 p, rarity)``. ``a``: a watched number (probe temperatures, chill time, oil
temperature, core temperature, time on the pass, delivery temperatures, dish-machine heats and detergent,
meter draws) k spreads off its kind's median, read back from what the record writes; spread = half the
width of the central 68% (16th to 84th percentile) of 500 routine draws made with the world, in log
space for positive skewed fields; ``a = 0`` below 6 spreads, else ``min(1, (k - 4) / 6)``. Routine draws
stay under 4.5 spreads (redrawn otherwise); an anomaly puts one number 6.5-11 spreads off, in the
direction that means trouble (warm fridges, undercooked batches, cold rinses). ``p``: the priority step's
strength (0, 0.4, 0.6, 0.8, 1.0; a raised flag 0.9). Rarity 0.5 for a rare kind, 0.45 for a rare value
(a rejected delivery, a discarded batch). Exact copies keep 5% of their source, near copies 10%, burst
tails a tenth of their head (at least 0.02), re-sends of earlier news 1% (2% from another gateway).

Pure Python, deterministic in the seed (and across hash seeds).
"""

from __future__ import annotations

import heapq
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.record import Record

__all__ = [
    "ALWAYS_RAISED", "CARRIERS", "COMMON_KINDS", "DIALECTS", "PRIORITY_MODES", "RARE_KINDS",
    "SITE_IDS", "KitchenWorkload", "world_form",
]

DIALECTS = ("mt", "lt", "af")
PRIORITY_MODES = ("words", "ticket", "level", "stars", "minutes", "colour", "flag", "note")
COMMON_KINDS = ("fridge", "freezer", "chiller", "fryer", "batch", "ticket", "delivery", "dishwash",
                "meter", "shift", "allergen")
RARE_KINDS = ("suppression", "pest", "illness", "inspection", "recall")
ALWAYS_PRESENT = ("fridge", "ticket")
CARRIERS = frozenset({"ticket", "delivery", "shift", "illness", "recall"})
ALWAYS_RAISED = frozenset({"recall"})
STEP_STRENGTH = (0.0, 0.4, 0.6, 0.8, 1.0)
FLAG_STRENGTH = 0.9
ANOMALY_K = 6.0  # an anomaly is at least this many spreads off
ROUTINE_K = 4.5  # routine draws stay under this many spreads
TAIL_FLOOR = 0.02

# Gateways: Ed25519 peer ids of the seeds sha256(f"holdout-kitchen-site/{i}") (written out, so that this
# module needs nothing but the record type; tests/node/test_holdout_kitchen.py re-derives them).
SITE_IDS = (
    "12D3KooWMhKpz3xbngUvxZCxMiYZXeyvvDDuAKa1VL6YutiEnkjb", "12D3KooWARtcxutVDog6vNNCJdhGyxXAJd259GfLfwqZ6igGaPou",
    "12D3KooWFEva4eyCbZkqo81qQnwNRdvi9BxDF5RcLrYCFWCQaYo3", "12D3KooWCJLH4Uf5sTzZmCfQ3H2XrZ7V8QaE2hyDYiPWYc1oqToq",
    "12D3KooWB1mSoMFchskPKYsxuu6T8KLmV6D9tPJoZS1w3oEYYnas", "12D3KooWLRCPGXwC7odxdz83AKCKsiEJpV6uCaMeqWbCzFjhmABG",
    "12D3KooWMpDbZawqAzWLnbCcfHrUoUWPZT7UaLr4P8TCW1qTm1j2", "12D3KooWLBbQ6Pa5pKsBDr2dZVvm7qzQAPHYTcZCV39CY2fZjXy5",
    "12D3KooWQ3xVmnBafgz32VhbiqnjZ2yNLFHDxJkdd6odtoY4QDmK", "12D3KooWEx5j1Zu3sRbPkxGZBMKxBCDMQCnA7C5QgTb1cZSL6gQp",
    "12D3KooWCiHQ6ZYdWtae77x1Ju6RGKrBi47Hv4CzrVXuTDyez361", "12D3KooWByo8qDtrucxoRcz6zkLix2ChUGTRQgkk2XatYsH9AE7v",
    "12D3KooWJ5J31hB4ApjE3kNWaDLFkkJcfv7G2zjazAkoVDuvtThe", "12D3KooWJTu88RQCy246Qce7V3LLLWii65hMmM2g5UjPWUXLKm7H",
    "12D3KooWSKVQkTbvEwhj8Hn5vT2fEozjdtvbH19nnZ2yiw4xBJPW", "12D3KooWF7VJNADpVmNFxW5G2oZWpgFk7a51HCt9wNvwUgMi4DJR",
    "12D3KooWSKva6LrXbsoGxkALfq8337NP3jzeqJCH4FhfYuCEibLf", "12D3KooWAgSn3bDFc2jq81nzzWi7ToY3T5uwX46muMHQMe4if1Mm",
    "12D3KooWHERT5vGqVjUAVjy9DdfBEvZYk85FbYyau1uWoxusWt29", "12D3KooWQdqtdrZ3C7tyF6a99JG9BxU98aHQs93HKgeTZuiwDk1B",
    "12D3KooWALx5t9aHNxA2HDB1WeHTDiAdGUAdoh91h45ENuBdnAhj", "12D3KooWADYdbVGBuXqMyeMJRQhzA5CqB2Bmg5TwgQvXjVE64zuB",
    "12D3KooWFeYvmQavdbBpKhjm1sTa7BtC2wdhboh4wJof7qdGCYBF", "12D3KooWJZruvwdtMYmny8eu6oYPdimW5FYZxoWGb6RCTNsxuVQB",
    "12D3KooWSJgffFzPbUPVhJxv4xW8aVZQdxeK7aP1aC4CEimM3GcJ", "12D3KooWMs14yvshpyjMDaAKUsJXTYwnDwXsrtFrAYxaYFpmZsMr",
    "12D3KooWRZSqKHv92SMMZM86HdBsaA17oyXmXgXua1fUNvS4o8E2", "12D3KooWNYnSvLrPZZjsTic5d6ZRjPyre1k3PtPFJapazhzMcd4z",
    "12D3KooWD9mQnGXhsCR4nrdB93q4E4U4CiehSLAHAyZT6tKUvzZn", "12D3KooWF2iYC2Zawbod1LWDzx3cQ68vbpf5oQwDb6oCM75D291p",
    "12D3KooWPeeEtpspuFtyyi4tZ2edJzKFBF2E3x6ehwmjL6YknnKv", "12D3KooWBGpwrnsEiG6ZwHqbuji8iKM4urSWShfMy1raTvCabuoC",
    "12D3KooWAM8SjhhExnESxtvEbEoYjGqwgTqH3sXfRmbFaVa5gAEF", "12D3KooWFrUNkHfBvKhau5BN3wDfoVVJm4YzWFypZUnsSVCvPBEF",
    "12D3KooWPFA9JWt3tEdvEeiaih7zH7A1CL4Y1GnyigcCXvHRNBQw", "12D3KooWPwM5UumEQM2FjCcruZBP3kLCaZWnCUE6t8wma2UewTkQ",
    "12D3KooWBrB7fqYZPR4frKbYDgL4GDXdWnxLe5SUkJqtHYrNKV8U", "12D3KooWAsmuFtyySubwZzBERBtF6CJkwHoAKMWLZyxtsNtfPXzd",
    "12D3KooWQeVWfy4Q1KXvnHKyETRBUDCQHzwbVhmhXYGtr35R3TkV", "12D3KooWMRnqtLhTNkcuHvYGx7FFZFps6FK9eVXsJfemEyHb9eoz",
)

# -- vocabulary (mt, lt, af) ---------------------------------------------------------------------
KIND_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "fridge": (("friġġ", "temp"), ("šaldytuvas", "temperatūra"), ("yskas", "meting")),
    "freezer": (("friża", "temp"), ("šaldiklis", "temperatūra"), ("vrieskas", "meting")),
    "chiller": (("tkessiħ", "malajr"), ("šoko", "šaldymas"), ("snelverkoeler", "siklus")),
    "fryer": (("żejt", "qali"), ("gruzdintuvė", "aliejus"), ("diepbraaier", "olie")),
    "batch": (("kejl", "qalba"), ("patiekalo", "šerdis"), ("bondel", "kern")),
    "ticket": (("ordni", "pass"), ("užsakymas", "išdavimas"), ("bestelling", "deurgee")),
    "delivery": (("kunsinna", "fornitur"), ("tiekėjo", "pristatymas"), ("verskaffer", "aflewering")),
    "dishwash": (("ħasil", "platti"), ("indaplovės", "ciklas"), ("skottelgoedwasser", "siklus")),
    "meter": (("qari", "kontatur"), ("skaitiklio", "rodmuo"), ("meter", "lesing")),
    "shift": (("nota", "xift"), ("pamainos", "pastaba"), ("skof", "nota")),
    "allergen": (("dikjarazzjoni", "allerġeni"), ("alergenų", "deklaracija"), ("allergeen", "verklaring")),
    "suppression": (("tifi", "nar"), ("gesinimas", "suveikė"), ("blusstelsel", "ontlaai")),
    "pest": (("pesti", "osservati"), ("kenkėjų", "pastebėjimas"), ("ongedierte", "waarneming")),
    "illness": (("ilment", "avvelenament"), ("apsinuodijimo", "skundas"), ("voedselvergiftiging", "klagte")),
    "inspection": (("żjara", "spettur"), ("inspektoriaus", "vizitas"), ("inspekteur", "besoek")),
    "recall": (("irtirar", "prodott"), ("produkto", "atšaukimas"), ("produk", "herroeping")),
}

FIELD_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "unit": (("unità",), ("įrenginys",), ("eenheid",)),
    "clock": (("ħin",), ("laikas",), ("tyd",)),
    "temp": (("temp",), ("temperatūra",), ("temp",)),
    "setpoint": (("punt", "mira"), ("nustatyta", "temp"), ("stelpunt",)),
    "door_s": (("bieb", "miftuħ", "s"), ("durys", "atidarytos", "s"), ("deur", "oop", "s")),
    "defrost": (("tidwib",), ("atitirpinimas",), ("ontdooi",)),
    "recipe": (("platt",), ("patiekalas",), ("gereg",)),
    "start_temp": (("temp", "bidu"), ("pradinė", "temp"), ("begin", "temp")),
    "end_temp": (("temp", "tmiem"), ("galutinė", "temp"), ("eind", "temp")),
    "chill_min": (("minuti", "tkessiħ"), ("aušinimo", "min"), ("verkoel", "min")),
    "load_kg": (("tagħbija",), ("krovinys",), ("lading",)),
    "oil_temp": (("temp", "żejt"), ("aliejaus", "temp"), ("olie", "temp")),
    "tpm": (("tpm", "pct"), ("polariniai", "proc"), ("tpm", "pers")),
    "oil_days": (("jiem", "żejt"), ("aliejaus", "dienos"), ("olie", "dae")),
    "batch_id": (("lott", "kċina"), ("partijos", "nr"), ("bondel", "nr")),
    "core_temp": (("temp", "qalba"), ("šerdies", "temp"), ("kern", "temp")),
    "hold_min": (("minuti", "żamma"), ("laikymo", "min"), ("hou", "min")),
    "outcome": (("riżultat",), ("rezultatas",), ("uitslag",)),
    "cook": (("kok",), ("virėjas",), ("kok",)),
    "ticket_no": (("numru", "ordni"), ("užsakymo", "nr"), ("strokie", "nr")),
    "table": (("mejda",), ("stalas",), ("tafel",)),
    "covers": (("koperti",), ("svečiai",), ("gaste",)),
    "items": (("oġġetti",), ("patiekalų", "sk"), ("geregte",)),
    "station": (("stazzjon",), ("stotis",), ("stasie",)),
    "pass_s": (("sekondi", "pass"), ("laukimo", "s"), ("pas", "sek")),
    "note": (("nota",), ("pastaba",), ("nota",)),
    "supplier": (("fornitur",), ("tiekėjas",), ("verskaffer",)),
    "product": (("prodott",), ("produktas",), ("produk",)),
    "lot": (("lott",), ("partija",), ("lot", "nr")),
    "weight_kg": (("piż",), ("svoris",), ("massa",)),
    "temp_chilled": (("temp", "kiesaħ"), ("temp", "atšaldyta"), ("temp", "verkoel")),
    "temp_frozen": (("temp", "iffriżat"), ("temp", "sušaldyta"), ("temp", "bevries")),
    "condition": (("kundizzjoni",), ("būklė",), ("toestand",)),
    "date": (("data",), ("data",), ("datum",)),
    "wash_temp": (("temp", "ħasil"), ("plovimo", "temp"), ("was", "temp")),
    "rinse_temp": (("temp", "tlaħliħ"), ("skalavimo", "temp"), ("spoel", "temp")),
    "detergent_ppm": (("deterġent", "ppm"), ("ploviklio", "ppm"), ("seep", "ppm")),
    "cycle_no": (("ċiklu", "nru"), ("ciklo", "nr"), ("siklus", "nr")),
    "cycle_s": (("ċiklu", "sekondi"), ("ciklo", "trukmė"), ("siklus", "sek")),
    "meter_id": (("kontatur",), ("skaitiklis",), ("meter",)),
    "utility": (("servizz",), ("tipas",), ("diens",)),
    "gas_reading": (("qari", "gass"), ("dujų", "rodmuo"), ("gas", "lesing")),
    "power_reading": (("qari", "elettriku"), ("elektros", "rodmuo"), ("krag", "lesing")),
    "gas_m3": (("gass", "m3"), ("dujos",), ("gas", "m3")),
    "power_kwh": (("elettriku", "kwh"), ("elektra",), ("krag", "kwh")),
    "staff": (("ħaddiema",), ("darbuotojai",), ("personeel",)),
    "waste_kg": (("skart",), ("atliekos",), ("vermorsing",)),
    "covers_total": (("koperti", "total"), ("svečių", "viso"), ("gaste", "totaal")),
    "manager": (("maniġer",), ("vadovas",), ("bestuurder",)),
    "allergens": (("allerġeni",), ("alergenai",), ("allergene",)),
    "version": (("verżjoni",), ("versija",), ("weergawe",)),
    "approved": (("approvat", "minn"), ("patvirtino",), ("goedgekeur", "deur")),
    "system": (("sistema",), ("sistema",), ("stelsel",)),
    "location": (("post",), ("vieta",), ("plek",)),
    "agent": (("aġent",), ("medžiaga",), ("middel",)),
    "pressure": (("pressjoni", "bar"), ("slėgis", "bar"), ("druk", "bar")),
    "gas_shut": (("gass", "magħluq"), ("dujos", "išjungtos"), ("gas", "af")),
    "description": (("deskrizzjoni",), ("aprašymas",), ("beskrywing",)),
    "pest": (("pest",), ("kenkėjas",), ("plaag",)),
    "count": (("għadd",), ("kiekis",), ("aantal",)),
    "contractor": (("kuntrattur", "imsejjaħ"), ("iškviesta", "dezinsekcija"), ("kontrakteur", "gebel")),
    "guests_ill": (("klijenti", "morda"), ("susirgo",), ("gaste", "siek")),
    "symptoms": (("sintomi",), ("simptomai",), ("simptome",)),
    "visit_date": (("data", "żjara"), ("apsilankymo", "data"), ("besoek", "datum")),
    "inspector": (("spettur",), ("inspektorius",), ("inspekteur",)),
    "score": (("punteġġ",), ("balai",), ("telling",)),
    "findings": (("sejbiet",), ("pažeidimai",), ("bevindings",)),
    "next_visit": (("żjara", "li", "jmiss"), ("kitas", "patikrinimas"), ("volgende", "besoek")),
    "reason": (("raġuni",), ("priežastis",), ("rede",)),
}

PRIO_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "words": (("urġenza",), ("skubumas",), ("dringendheid",)),
    "ticket": (("kodiċi", "pass"), ("išdavimo", "kodas"), ("pas", "kode")),
    "level": (("klassi", "rispons"), ("reakcijos", "klasė"), ("reaksie", "klas")),
    "stars": (("stilel",), ("žvaigždutės",), ("sterre",)),
    "minutes": (("minuti", "għad"), ("liko", "minučių"), ("minute", "oor")),
    "colour": (("tikketta", "kulur"), ("žymos", "spalva"), ("etiket", "kleur")),
    "flag": (("żomm", "lura"), ("sulaikyti",), ("hou", "terug")),
    "note": FIELD_WORDS["note"],
}

# Five steps per form and dialect (step 0 is routine).
WORDS = {"mt": ("normali", "baxx", "medju", "urġenti", "kritiku"),
         "lt": ("įprastas", "žemas", "vidutinis", "skubus", "kritinis"),
         "af": ("roetine", "laag", "matig", "dringend", "kritiek")}
CALLS = {"mt": ("std", "imbotta", "għaġġel", "FIRE", "ALLERĠIJA"),
         "lt": ("std", "pirmyn", "greičiau", "UGNIS", "ALERGIJA"),
         "af": ("std", "stoot", "jaag", "VUUR", "ALLERGIE")}
COLOURS = {"mt": ("aħdar", "isfar", "oranġjo", "aħmar", "iswed"),
           "lt": ("žalia", "geltona", "oranžinė", "raudona", "juoda"),
           "af": ("groen", "geel", "oranje", "rooi", "swart")}
FLAGS = {"mt": ("iva", "le"), "lt": (True, False), "af": ("ja", "nee")}  # (raised, routine)
MINUTES = ((60, 720), (30, 59), (15, 29), (5, 14), (0, 4))  # minutes left per step
URGENT = {  # steps 1-4, at the head of a note in the ``note`` form
    "mt": ("ara qabel l-għeluq", "ara fi ftit minuti", "URĠENTI: aġixxi issa", "EMERĠENZA: waqqaf is-servizz"),
    "lt": ("patikrinti iki uždarymo", "patikrinti per kelias minutes", "SKUBU: veikti dabar",
           "AVARIJA: stabdyti aptarnavimą"),
    "af": ("kyk voor sluitingstyd", "kyk binne 'n paar minute", "DRINGEND: tree nou op", "NOOD: staak die diens"),
}

SITE_CODES = {"mt": ("BRG", "SLM", "VLT", "MST", "QRM", "GĦX", "SPB", "MDN"),
              "lt": ("VLN", "KNS", "KLP", "ŠIA", "PNV", "ALT", "UTN", "MAŽ"),
              "af": ("STB", "PTA", "BFN", "KPS", "DBN", "PLK", "GRG", "OUD")}
DEVICE_WORD = {"fridge": ("friġġ", "šaldytuvas", "yskas"), "freezer": ("friża", "šaldiklis", "vrieskas"),
               "chiller": ("blast", "šoko kamera", "snelkoeler"), "fryer": ("fryer", "gruzdintuvė", "braaier"),
               "dishwash": ("ħassiela", "indaplovė", "wasser")}
SURNAMES = {"mt": ("Borg", "Camilleri", "Vella", "Farrugia", "Zammit", "Galea", "Grech", "Attard", "Spiteri",
                   "Caruana", "Micallef", "Azzopardi"),
            "lt": ("Kazlauskas", "Petrauskienė", "Jankauskas", "Žukauskaitė", "Stankevičius", "Vasiliauskas",
                   "Butkutė", "Paulauskas", "Urbonienė", "Navickas"),
            "af": ("van der Merwe", "Botha", "Pretorius", "Nel", "du Plessis", "Venter", "Coetzee", "Steyn",
                   "Fourie", "Bezuidenhout")}
RECIPES = {"mt": ("stuffat tal-fenek", "ross il-forn", "timpana", "imqarrun il-forn", "soppa tal-armla",
                  "kawlata", "brunġiel mimli", "torta tal-lampuki"),
           "lt": ("cepelinai", "kugelis", "balandėliai", "vištienos troškinys", "kiaulienos kepsnys",
                  "žirnių sriuba", "virtiniai", "grybų sriuba"),
           "af": ("bobotie", "potjiekos", "tamatiebredie", "sosaties", "hoenderpastei", "frikkadelle",
                  "pampoenkoekies", "skaapboud")}
STATIONS = {"mt": ("grill", "qali", "kiesaħ", "ħelu"), "lt": ("grilis", "keptuvė", "šaltoji", "konditerija"),
            "af": ("rooster", "pan", "koue kant", "soetgoed")}
SUPPLIERS = {"mt": ("Farrugia Bros", "Borg Fresh", "Camilleri Dairies", "Vella Fish Co", "Zammit Imports",
                    "Ħal Qormi Meats"),
             "lt": ("UAB Agrovita", "UAB Žuvėdra", "UAB Šviežia", "UAB Mėsinga", "UAB Daržovių kelias",
                    "ŽŪB Pienynas"),
             "af": ("Boland Vleis", "Karoo Lam Bk.", "Vars Produkte Bpk", "Weskus Vis", "Hoëveld Suiwel",
                    "Kaapse Bakkery")}
PRODUCTS = {  # per category: chilled, frozen, ambient
    "mt": (("tiġieġ", "ħalib", "ġobon", "ħut frisk", "laħam tal-majjal"), ("ċipps iffriżati", "piżelli ffriżati",
           "ġelat"), ("dqiq", "ross", "żejt taż-żebbuġa", "tadam fil-laned")),
    "lt": (("vištiena", "pienas", "sūris", "šviežia žuvis", "kiauliena"), ("šaldytos bulvytės",
           "šaldyti žirneliai", "ledai"), ("miltai", "ryžiai", "alyvuogių aliejus", "konservuoti pomidorai")),
    "af": (("hoender", "melk", "kaas", "vars vis", "varkvleis"), ("bevrore skyfies", "bevrore ertjies",
           "roomys"), ("meel", "rys", "olyfolie", "ingemaakte tamaties")),
}
CONDITIONS = {"mt": ("tajjeb", "kaxxa mgħaffġa", "tikketta nieqsa"), "lt": ("tvarkinga", "pažeista pakuotė",
              "trūksta etiketės"), "af": ("in orde", "verpakking beskadig", "etiket ontbreek")}
OUTCOMES = {"mt": ("għadda", "għadda wara tisħin"), "lt": ("tinka", "tinka po pašildymo"),
            "af": ("geslaag", "geslaag ná herverhitting")}
RARE_VALUES = {"condition": {"mt": "miċħud", "lt": "atmesta", "af": "afgekeur"},
               "outcome": {"mt": "mormi", "lt": "išmesta", "af": "weggegooi"}}
UTILITIES = {"mt": ("gass", "elettriku"), "lt": ("dujos", "elektra"), "af": ("gas", "elektrisiteit")}
ALLERGENS = {"mt": ("glutina", "krustaċei", "bajd", "ħut", "karawett", "sojja", "ħalib", "ġewż", "karfus",
                    "mustarda", "ġulġlien", "sulfiti", "lupina", "molluski"),
             "lt": ("glitimas", "vėžiagyviai", "kiaušiniai", "žuvys", "žemės riešutai", "soja", "pienas",
                    "riešutai", "salierai", "garstyčios", "sezamai", "sulfitai", "lubinai", "moliuskai"),
             "af": ("gluten", "skaaldiere", "eiers", "vis", "grondboontjies", "soja", "melk", "neute", "seldery",
                    "mosterd", "sesam", "sulfiete", "lupien", "weekdiere")}
NONE_WORD = {"mt": "xejn", "lt": "nėra", "af": "geen"}
NOTES: dict[str, dict[str, tuple[str, ...]]] = {  # carriers' notes: context only, never urgency
    "ticket": {"mt": ("bla basal", "bla glutina", "ben misjur", "għeluq snin", "takeaway", "ħalli s-salsa apparti"),
               "lt": ("be svogūnų", "be glitimo", "gerai iškeptas", "gimtadienis", "išsinešimui", "padažas atskirai"),
               "af": ("geen uie", "glutenvry", "goed gaar", "verjaarsdag", "wegneem", "sous apart")},
    "delivery": {"mt": ("ix-xufier wasal tard", "paletta mgeżwra", "fattura mehmuża", "konsenja parzjali"),
                 "lt": ("vairuotojas vėlavo", "padėklas apvyniotas", "sąskaita pridėta", "dalinis pristatymas"),
                 "af": ("drywer was laat", "palet toegedraai", "faktuur aangeheg", "gedeeltelike aflewering")},
    "shift": {"mt": ("servizz ta' nofsinhar mimli", "friġġ 2 tnaddaf", "żewġ ħaddiema ġodda mħarrġa",
                     "nieqes il-ħalib għal għada", "il-ħassiela tagħmel storbju", "bukkjar kbir għal-lejla"),
              "lt": ("pietų aptarnavimas pilnas", "šaldytuvas 2 išvalytas", "apmokyti du nauji darbuotojai",
                     "rytojui trūksta pieno", "indaplovė keistai ūžia", "vakare didelis užsakymas"),
              "af": ("middagdiens was vol", "yskas 2 skoongemaak", "twee nuwe personeel opgelei",
                     "kort melk vir môre", "skottelgoedwasser maak geraas", "groot bespreking vanaand")},
    "illness": {"mt": ("klijent ċempel", "ilment bl-email", "irrappurtat mill-kamriera"),
                "lt": ("klientas paskambino", "skundas el. paštu", "pranešė padavėja"),
                "af": ("klant het gebel", "klagte per e-pos", "kelner het gerapporteer")},
    "recall": {"mt": ("avviż mill-fornitur", "avviż tal-awtorità"), "lt": ("tiekėjo pranešimas", "VMVT pranešimas"),
               "af": ("kennisgewing van verskaffer", "kennisgewing van owerheid")},
}
SUPPRESSION = {  # system, location, agent, description
    "mt": (("sistema tal-kappa", "sprinkler tal-kċina"), ("linja tal-qali", "grill", "forn"),
           ("kimika mxarrba", "ilma"), ("il-kappa ħadet in-nar", "skattat bla nar", "attivat bl-idejn")),
    "lt": (("gartraukio sistema", "virtuvės purkštuvai"), ("gruzdinimo linija", "grilis", "krosnis"),
           ("šlapioji chemija", "vanduo"), ("užsidegė gartraukis", "suveikė be gaisro", "įjungta rankiniu būdu")),
    "af": (("kap-blusstelsel", "kombuis-sproeiers"), ("braailyn", "rooster", "oond"),
           ("nat chemikalie", "water"), ("kap het vlam gevat", "ontlaai sonder brand", "met die hand geaktiveer")),
}
PESTS = {  # pest, location, description
    "mt": (("ġurdien", "wirdiena", "dubbien", "nemel"), ("maħżen", "taħt is-sink", "kamra kiesħa"),
           ("ħmieġ tal-ġrieden", "rat mill-kok", "fuq in-nassa")),
    "lt": (("pelė", "tarakonas", "musės", "skruzdėlės"), ("sandėlis", "po kriaukle", "šaldymo kamera"),
           ("pelių išmatos", "pastebėjo virėjas", "spąstuose")),
    "af": (("muis", "kakkerlak", "vlieë", "miere"), ("stoorkamer", "onder die wasbak", "koelkamer"),
           ("muismis gevind", "deur die kok gesien", "in die lokval")),
}
SYMPTOMS = {"mt": ("rimettar", "dijarea", "deni u rimettar", "uġigħ fl-istonku"),
            "lt": ("vėmimas", "viduriavimas", "karščiavimas ir vėmimas", "pilvo skausmas"),
            "af": ("braking", "diarree", "koors en braking", "maagpyn")}
RECALL_REASONS = {"mt": ("listerja", "allerġen mhux iddikjarat", "frammenti tal-metall", "salmonella"),
                  "lt": ("listerija", "nedeklaruotas alergenas", "metalo dalelės", "salmonelės"),
                  "af": ("listeria", "onverklaarde allergeen", "metaalfragmente", "salmonella")}

# Fields of each kind (semantic names; the dialect and style name them). Alternatives in a kind
# (chilled / frozen delivery temperature, gas / power meter) appear in some of its records only.
KIND_FIELDS = {
    "fridge": ("unit", "temp", "setpoint", "door_s", "clock"),
    "freezer": ("unit", "temp", "defrost", "clock"),
    "chiller": ("unit", "recipe", "start_temp", "end_temp", "chill_min", "load_kg", "clock"),
    "fryer": ("unit", "oil_temp", "tpm", "oil_days", "clock"),
    "batch": ("recipe", "batch_id", "core_temp", "hold_min", "outcome", "cook", "clock"),
    "ticket": ("ticket_no", "table", "covers", "items", "station", "pass_s", "note", "clock"),
    "delivery": ("supplier", "product", "lot", "weight_kg", "temp_chilled", "temp_frozen", "condition", "note",
                 "date"),
    "dishwash": ("unit", "wash_temp", "rinse_temp", "detergent_ppm", "cycle_no", "cycle_s"),
    "meter": ("meter_id", "utility", "gas_reading", "power_reading", "gas_m3", "power_kwh", "clock"),
    "shift": ("staff", "waste_kg", "covers_total", "manager", "note", "clock"),
    "allergen": ("recipe", "allergens", "version", "approved", "date"),
    "suppression": ("system", "location", "agent", "pressure", "gas_shut", "description", "clock"),
    "pest": ("pest", "location", "count", "contractor", "description"),
    "illness": ("guests_ill", "symptoms", "recipe", "visit_date", "note"),
    "inspection": ("inspector", "score", "findings", "next_visit"),
    "recall": ("product", "lot", "supplier", "reason", "note"),
}
# Watched numbers: (log space?, direction of trouble: +1 up, -1 down, 0 either).
WATCHED = {
    "fridge": {"temp": (False, 1)}, "freezer": {"temp": (False, 1)},
    "chiller": {"end_temp": (False, 1), "chill_min": (True, 1)},
    "fryer": {"oil_temp": (False, 0)}, "batch": {"core_temp": (False, -1)}, "ticket": {"pass_s": (True, 1)},
    "delivery": {"temp_chilled": (False, 1), "temp_frozen": (False, 1)},
    "dishwash": {"wash_temp": (False, -1), "rinse_temp": (False, -1), "detergent_ppm": (True, 0)},
    "meter": {"gas_m3": (True, 1), "power_kwh": (True, 1)},
}
UNIT = {s: "C" for s in ("temp", "setpoint", "start_temp", "end_temp", "oil_temp", "core_temp", "temp_chilled",
                         "temp_frozen", "wash_temp", "rinse_temp")}
UNIT.update({"load_kg": "kg", "weight_kg": "kg", "waste_kg": "kg", "tpm": "pct", "pressure": "bar", "gas_m3": "m3",
             "gas_reading": "m3", "power_kwh": "kwh", "power_reading": "kwh"})
INT_WATCHED = frozenset({"chill_min", "pass_s", "detergent_ppm"})
SECONDS_CLOCK = frozenset({"fridge", "freezer", "chiller", "fryer", "dishwash", "meter", "suppression"})
KIND_STYLES = ("upper", "dotted", "kebab")
FIELD_STYLES = ("snake", "camel", "kebab", "dotted", "upper")

_QTY = re.compile(r"(-?\d+(?:[.,]\d+)?)(?: ?(?:°C|kg|%|bar|m³|kWh))?")


def world_form(seed: int) -> tuple[str, str]:
    """The (dialect, priority form) a seed's world draws: the first two draws of its generator."""
    r = random.Random(seed)
    return r.choice(DIALECTS), r.choice(PRIORITY_MODES)


def style_name(words: tuple[str, ...], style: str) -> str:
    if style == "upper":
        return "_".join(w.upper() for w in words)
    if style == "camel":
        return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])
    return {"snake": "_", "kebab": "-", "dotted": "."}[style].join(words)


def number(v: object) -> float | None:
    """The number a field value writes (a plain number or a quantity string with a point or comma)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    m = _QTY.fullmatch(str(v))
    return float(m[1].replace(",", ".")) if m else None


def _quantile(xs: list[float], p: float) -> float:
    """The ``p`` quantile of sorted ``xs`` (the value at rank ``p * len``)."""
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def _comma(x: float, dec: int, unit: str) -> str:
    return f"{x:.{dec}f}".replace(".", ",") + unit


def _fold(s: str) -> str:
    s = s.replace("ħ", "h").replace("Ħ", "H")
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


@dataclass(slots=True)
class _Stat:
    centre: float
    spread: float
    log: bool
    sign: int


@dataclass(slots=True)
class _Device:
    kind: str
    site: int
    name: str
    level: float
    level2: float = 0.0
    level3: float = 0.0
    noise: float = 0.0
    counter: int = 0
    reading: float = 0.0
    utility: int = 0  # meters: 0 gas, 1 power


@dataclass(slots=True)
class _Supplier:
    name: str
    category: int  # 0 chilled, 1 frozen, 2 ambient
    lot_style: int
    size: float


@dataclass(slots=True)
class _Burst:
    head: int
    kind: str
    site: int
    sem: dict[str, object]
    importance: float
    left: int
    period: float
    last_at: float


@dataclass(slots=True)
class _Event:
    kind: str
    site: int
    fields: dict[str, object]
    importance: float
    case: str
    ref: int = -1
    detail: str = ""
    sem: dict[str, object] = field(default_factory=dict)


class KitchenWorkload:
    """One restaurant chain's kitchen telemetry, labelled with ground-truth importance."""

    def __init__(self, seed: int) -> None:
        r = self._r = random.Random(seed)
        self.seed = seed
        self.dialect, self.prio_mode = r.choice(DIALECTS), r.choice(PRIORITY_MODES)
        d = self._di = DIALECTS.index(self.dialect)
        self.kind_style = r.choice(KIND_STYLES)
        self.field_style = r.choice(FIELD_STYLES)
        self.fahrenheit = self.dialect != "lt" and r.random() < 0.35
        others = [k for k in COMMON_KINDS if k not in ALWAYS_PRESENT]
        picked = set(r.sample(others, r.randint(3, 6)))
        self.common = tuple(k for k in COMMON_KINDS if k in ALWAYS_PRESENT or k in picked)
        chosen = set(r.sample(RARE_KINDS, r.randint(1, 3)))
        self.rare = tuple(k for k in RARE_KINDS if k in chosen)
        # Names.
        self.kind_name = {k: style_name(KIND_WORDS[k][d], self.kind_style) for k in self.common + self.rare}
        self.kind_of = {v: k for k, v in self.kind_name.items()}
        self.keys: dict[str, str] = {s: style_name(w[d] + self._unit_token(s), self.field_style)
                                     for s, w in FIELD_WORDS.items()}
        self.prio_key = style_name(PRIO_WORDS[self.prio_mode][d], self.field_style)
        if self.prio_mode == "note":
            assert self.prio_key == self.keys["note"]
        # Sites and their gateways.
        n_sites = r.randint(3, 7)
        self.origins = [SITE_IDS[i] for i in r.sample(range(len(SITE_IDS)), n_sites)]
        self.site_codes = r.sample(SITE_CODES[self.dialect], n_sites)
        self._site_w = [1.0 / (i + 1) ** 0.9 for i in range(n_sites)]
        self.tz_ms = r.randrange(24) * 3_600_000
        letters = {"mt": "ABCĊDEFGĠJKLMNPRSTVZŻ", "lt": "ABCČDEGIJKLMNOPRSŠTUVZŽ", "af": "ABCDEFGHJKLMNPRSTW"}
        self.staff = [f"{r.choice(letters[self.dialect])}. {s}" for s in r.sample(SURNAMES[self.dialect], 6)]
        self.devices: dict[str, list[_Device]] = {}
        self._make_devices()
        self.suppliers = [_Supplier(name, r.choices((0, 1, 2), (0.5, 0.25, 0.25))[0], r.randrange(3),
                                    r.uniform(6.0, 40.0)) for name in r.sample(SUPPLIERS[self.dialect], r.randint(3, 6))]
        self.suppliers[0].category = 0  # at least one chilled supplier
        self._supplier_w = [1.0 / (i + 1) ** 1.2 for i in range(len(self.suppliers))]
        self.ticket_no = [r.randrange(1000, 9000) for _ in range(n_sites)]
        self.covers_total = [r.randrange(0, 200) for _ in range(n_sites)]
        self.crew = [r.randint(3, 11) for _ in range(n_sites)]
        self.versions = {rec: r.randint(1, 9) for rec in RECIPES[self.dialect]}
        self.pass_median = r.uniform(180.0, 420.0)
        # Mix of kinds and rates.
        self.weights = {k: r.uniform(*w) for k, w in {
            "fridge": (1.5, 3.0), "freezer": (0.6, 1.2), "chiller": (0.3, 0.8), "fryer": (0.5, 1.2),
            "batch": (0.5, 1.2), "ticket": (1.5, 4.0), "delivery": (0.3, 0.8), "dishwash": (0.5, 1.2),
            "meter": (0.3, 1.0), "shift": (0.15, 0.35), "allergen": (0.1, 0.3)}.items() if k in self.common}
        self.rare_share = {k: r.uniform(0.002, 0.007) for k in self.rare}
        common_total = sum(self.weights.values())
        carrier_share = sum(w for k, w in self.weights.items() if k in CARRIERS) / common_total
        self.raise_rate = min(0.2, max(0.08, r.uniform(0.02, 0.03) / carrier_share))
        self.anomaly_rate = r.uniform(0.015, 0.035)
        self.rates = {"dup": r.uniform(0.045, 0.075), "near": r.uniform(0.045, 0.075),
                      "burst": r.uniform(0.006, 0.012), "resend": r.uniform(0.015, 0.025)}
        self.tail_mean = r.uniform(4.0, 9.0)
        self.gap_median = math.exp(r.uniform(math.log(80.0), math.log(2500.0)))
        self.gap_sigma = r.uniform(0.6, 1.2)
        mean_gap = self.gap_median * math.exp(self.gap_sigma ** 2 / 2)
        self.tail_period = mean_gap * r.uniform(0.03, 0.25)
        self.recent = r.randint(6, 16)  # copies mostly reach this many eligible records back
        # Spreads of the watched numbers, from routine draws.
        self.stats: dict[str, dict[str, _Stat]] = {}
        self._calibrate(500)
        self._archive: list[tuple[str, int, dict[str, object], float]] = []
        self._next_ts = 0

    # -- world ------------------------------------------------------------------------------------
    def _unit_token(self, sem: str) -> tuple[str, ...]:
        u = UNIT.get(sem)
        if self.dialect == "lt" or u not in ("C", "kg"):
            return ()
        if u == "C":
            return ("f",) if self.fahrenheit else ("c",)
        return ("kg",) if self.dialect == "mt" else ("g",)

    def _make_devices(self) -> None:
        r, d = self._r, self._di
        per_site = {"fridge": (1, 4), "freezer": (1, 2), "fryer": (0, 3), "dishwash": (1, 2)}
        for kind in ("fridge", "freezer", "chiller", "fryer", "dishwash"):
            devs: list[_Device] = []
            for s, code in enumerate(self.site_codes):
                lo, hi = per_site.get(kind, (0, 1))
                count = r.randint(lo, hi) if kind != "chiller" else (1 if s == 0 else int(r.random() < 0.3))
                for j in range(count):
                    name = f"{code} {DEVICE_WORD[kind][d]} {j + 1}"
                    if kind == "fridge":
                        dev = _Device(kind, s, name, round(r.uniform(1.0, 4.5) * 2) / 2, noise=r.uniform(0.25, 0.6))
                    elif kind == "freezer":
                        dev = _Device(kind, s, name, float(r.randint(-22, -17)), noise=r.uniform(0.4, 1.0))
                    elif kind == "chiller":
                        dev = _Device(kind, s, name, r.uniform(1.5, 3.5), r.uniform(70.0, 95.0), noise=r.uniform(0.4, 0.8))
                    elif kind == "fryer":
                        dev = _Device(kind, s, name, float(r.choice((170, 175, 180, 185))), noise=r.uniform(1.5, 3.5),
                                      counter=r.randrange(7))
                    else:
                        dev = _Device(kind, s, name, r.uniform(60.0, 66.0), r.uniform(82.0, 88.0), r.uniform(1000, 2200),
                                      noise=r.uniform(0.6, 1.2), counter=r.randrange(100, 50_000))
                    devs.append(dev)
            if not devs:  # no site has a fryer: the central unit gets one
                assert kind == "fryer"
                devs.append(_Device(kind, 0, f"{self.site_codes[0]} {DEVICE_WORD[kind][d]} 1", 178.0, noise=2.0))
            self.devices[kind] = devs
        meters = []
        for s, code in enumerate(self.site_codes):
            meters.append(_Device("meter", s, f"{code}-G{r.randrange(10_000, 99_999)}", r.uniform(1.0, 2.5),
                                  reading=r.uniform(1e3, 9e4), utility=0))
            meters.append(_Device("meter", s, f"{code}-E{r.randrange(10_000, 99_999)}", r.uniform(12.0, 30.0),
                                  reading=r.uniform(1e4, 9e5), utility=1))
        self.devices["meter"] = meters

    def _calibrate(self, draws: int) -> None:
        for kind in self.common:
            if kind not in WATCHED:
                continue
            seen: dict[str, list[float]] = {}
            for _ in range(draws):
                ctx = self._pick(kind)
                for sem, v in self._watched_draw(kind, ctx).items():
                    x = number(self._fmt(sem, v))
                    assert x is not None
                    seen.setdefault(sem, []).append(math.log(x) if WATCHED[kind][sem][0] else x)
            stats: dict[str, _Stat] = {}
            for sem, xs in seen.items():
                if len(xs) < 40:
                    continue
                xs.sort()
                spread = (_quantile(xs, 0.84) - _quantile(xs, 0.16)) / 2
                log, sign = WATCHED[kind][sem]
                stats[self.keys[sem]] = _Stat(_quantile(xs, 0.5), max(spread, 1e-6), log, sign)
            self.stats[kind] = stats

    def _site(self) -> int:
        return self._r.choices(range(len(self.origins)), self._site_w)[0]

    def _pick(self, kind: str) -> dict[str, object]:
        """Where a record comes from: a device or supplier, and its site. No side effects."""
        r = self._r
        if kind in self.devices:
            devs = self.devices[kind]
            dev = r.choices(devs, [self._site_w[x.site] for x in devs])[0]
            return {"site": dev.site, "dev": dev}
        if kind == "delivery":
            sup = r.choices(self.suppliers, self._supplier_w)[0]
            return {"site": 0 if r.random() < 0.6 else self._site(), "sup": sup}
        return {"site": self._site()}

    def _watched_draw(self, kind: str, ctx: dict[str, object]) -> dict[str, float | int]:
        """Fresh routine values of a kind's watched numbers (semantic units: °C, minutes, seconds...)."""
        r = self._r
        dev = ctx.get("dev")
        if kind == "fridge":
            assert isinstance(dev, _Device)
            bump = r.expovariate(1 / 1.2) if r.random() < 0.1 else 0.0  # a door left open
            return {"temp": dev.level + r.uniform(-0.5, 0.5) * dev.noise + r.gauss(0, dev.noise) + bump}
        if kind == "freezer":
            assert isinstance(dev, _Device)
            ctx["defrost"] = r.random() < 0.05
            return {"temp": dev.level + r.gauss(0, dev.noise) + (r.uniform(1.0, 3.0) if ctx["defrost"] else 0.0)}
        if kind == "chiller":
            assert isinstance(dev, _Device)
            return {"end_temp": dev.level + r.gauss(0, dev.noise),
                    "chill_min": int(round(dev.level2 * r.lognormvariate(0, 0.12)))}
        if kind == "fryer":
            assert isinstance(dev, _Device)
            drop = -r.uniform(3.0, 10.0) if r.random() < 0.12 else 0.0  # a basket just went in
            return {"oil_temp": dev.level + r.gauss(0, dev.noise) + drop}
        if kind == "batch":
            return {"core_temp": 75.0 + r.gammavariate(2.0, 2.2) + r.gauss(0, 0.3)}
        if kind == "ticket":
            return {"pass_s": int(round(self.pass_median * r.lognormvariate(0, 0.45)))}
        if kind == "delivery":
            sup = ctx["sup"]
            assert isinstance(sup, _Supplier)
            if sup.category == 0:
                return {"temp_chilled": r.gauss(3.0, 0.9)}
            if sup.category == 1:
                return {"temp_frozen": r.gauss(-18.5, 1.2)}
            return {}
        if kind == "dishwash":
            assert isinstance(dev, _Device)
            return {"wash_temp": dev.level + r.gauss(0, dev.noise), "rinse_temp": dev.level2 + r.gauss(0, 1.1 * dev.noise),
                    "detergent_ppm": int(round(dev.level3 * r.lognormvariate(0, 0.08)))}
        if kind == "meter":
            assert isinstance(dev, _Device)
            draw = dev.level * r.lognormvariate(0, 0.3)
            return {"gas_m3": draw} if dev.utility == 0 else {"power_kwh": draw}
        return {}

    def _k(self, kind: str, sem: str, v: float | int) -> float:
        st = self.stats.get(kind, {}).get(self.keys[sem])
        if st is None:
            return 0.0
        x = number(self._fmt(sem, v))
        assert x is not None
        y = math.log(max(x, 1e-9)) if st.log else x
        return abs(y - st.centre) / st.spread

    def _routine_numbers(self, kind: str, ctx: dict[str, object]) -> dict[str, float | int]:
        w = self._watched_draw(kind, ctx)
        for _ in range(40):
            if all(self._k(kind, s, v) < ROUTINE_K for s, v in w.items()):
                return w
            w = self._watched_draw(kind, ctx)
        for s in list(w):  # (never seen) fall back to the median
            st = self.stats[kind][self.keys[s]]
            w[s] = self._unrender(s, math.exp(st.centre) if st.log else st.centre)
        return w

    def _unrender(self, sem: str, x: float) -> float | int:
        v = (x - 32.0) / 1.8 if self.fahrenheit and UNIT.get(sem) == "C" else x
        return int(round(v)) if sem in INT_WATCHED else v

    def _anomalous(self, kind: str, w: dict[str, float | int]) -> None:
        r = self._r
        sems = [s for s in w if self.keys[s] in self.stats.get(kind, {})]
        if not sems:
            return
        sem = r.choice(sems)
        st = self.stats[kind][self.keys[sem]]
        sign = st.sign or r.choice((-1, 1))
        y = st.centre + sign * r.uniform(6.5, 11.0) * st.spread
        w[sem] = self._unrender(sem, math.exp(y) if st.log else y)

    # -- records ----------------------------------------------------------------------------------
    def _step(self, kind: str, news: bool) -> int:
        r = self._r
        if kind in ALWAYS_RAISED:
            return r.choices((2, 3, 4), (0.4, 0.35, 0.25))[0]
        rate = 0.5 if kind == "illness" else self.raise_rate
        if news or r.random() < rate:
            return r.choices((1, 2, 3, 4), (0.4, 0.3, 0.2, 0.1))[0]
        return 0

    def _fresh(self, kind: str, ts: int, news: bool = False) -> tuple[int, dict[str, object]]:
        """A fresh record's site and semantic values; ``news`` forces an anomaly or a raised priority."""
        r = self._r
        ctx = self._pick(kind)
        w = self._routine_numbers(kind, ctx)
        has_watch = any(self.keys[s] in self.stats.get(kind, {}) for s in w)
        prio = 0
        if kind in CARRIERS:
            force = news and (not has_watch or r.random() < 0.5)
            prio = self._step(kind, force)
            news = news and not force
        if has_watch and (news or r.random() < self.anomaly_rate):
            self._anomalous(kind, w)
        sem = self._others(kind, ctx, ts, w)
        if kind in CARRIERS:
            sem["prio"] = prio
        site = ctx["site"]
        assert isinstance(site, int)
        return site, sem

    def _others(self, kind: str, ctx: dict[str, object], ts: int, w: dict[str, float | int]) -> dict[str, object]:
        """Every field of a record (semantic values, watched ones from ``w``), advancing counters."""
        r, dl = self._r, self.dialect
        dev = ctx.get("dev")
        site = ctx["site"]
        assert isinstance(site, int)
        s: dict[str, object] = {}
        if kind == "fridge":
            assert isinstance(dev, _Device)
            s = {"unit": dev.name, "temp": w["temp"], "setpoint": dev.level,
                 "door_s": 0 if r.random() < 0.65 else int(r.lognormvariate(3.0, 0.9)), "clock": ts}
        elif kind == "freezer":
            assert isinstance(dev, _Device)
            s = {"unit": dev.name, "temp": w["temp"], "defrost": bool(ctx.get("defrost")), "clock": ts}
        elif kind == "chiller":
            assert isinstance(dev, _Device)
            s = {"unit": dev.name, "recipe": r.choice(RECIPES[dl]), "start_temp": r.uniform(62.0, 85.0),
                 "end_temp": w["end_temp"], "chill_min": w["chill_min"], "load_kg": r.lognormvariate(math.log(12.0), 0.5),
                 "clock": ts}
        elif kind == "fryer":
            assert isinstance(dev, _Device)
            if r.random() < 0.04:
                dev.counter = 0 if dev.counter >= 5 else dev.counter + 1  # a day passes; fresh oil after 5-6 days
            s = {"unit": dev.name, "oil_temp": w["oil_temp"], "tpm": max(4.0, 6.0 + 2.6 * dev.counter + r.gauss(0, 0.8)),
                 "oil_days": dev.counter, "clock": ts}
        elif kind == "batch":
            roll = r.random()
            outcome = RARE_VALUES["outcome"][dl] if roll < 0.02 else OUTCOMES[dl][int(roll > 0.92)]
            s = {"recipe": r.choice(RECIPES[dl]), "batch_id": f"{self.site_codes[site]}-{r.randrange(10_000):04d}",
                 "core_temp": w["core_temp"], "hold_min": int(r.lognormvariate(math.log(20.0), 0.6)),
                 "outcome": outcome, "cook": r.choice(self.staff), "clock": ts}
        elif kind == "ticket":
            self.ticket_no[site] += 1 if r.random() < 0.93 else r.randint(2, 4)
            covers = 0 if r.random() < 0.06 else 1 + sum(r.random() < 0.4 for _ in range(8))
            s = {"ticket_no": self.ticket_no[site], "table": r.randint(1, 45) if covers else 0, "covers": covers,
                 "items": max(1, covers + r.randint(0, 2 * covers + 1)), "station": r.choice(STATIONS[dl]),
                 "pass_s": w["pass_s"], "note": r.choice(NOTES["ticket"][dl]), "clock": ts}
        elif kind == "delivery":
            sup = ctx["sup"]
            assert isinstance(sup, _Supplier)
            roll = r.random()
            cond = RARE_VALUES["condition"][dl] if roll < 0.03 else \
                CONDITIONS[dl][0 if roll < 0.9 else 1 if roll < 0.95 else 2]
            s = {"supplier": sup.name, "product": r.choice(PRODUCTS[dl][sup.category]), "lot": self._lot(sup, ts),
                 "weight_kg": sup.size * r.lognormvariate(0, 1.0)}
            s.update(w)
            s.update({"condition": cond, "note": r.choice(NOTES["delivery"][dl]), "date": ts})
        elif kind == "dishwash":
            assert isinstance(dev, _Device)
            dev.counter += 1
            s = {"unit": dev.name, "wash_temp": w["wash_temp"], "rinse_temp": w["rinse_temp"],
                 "detergent_ppm": w["detergent_ppm"], "cycle_no": dev.counter, "cycle_s": int(r.uniform(70, 190))}
        elif kind == "meter":
            assert isinstance(dev, _Device)
            use = next(iter(w.values()))
            dev.reading += float(use)
            g = dev.utility == 0
            s = {"meter_id": dev.name, "utility": UTILITIES[dl][dev.utility],
                 ("gas_reading" if g else "power_reading"): dev.reading, ("gas_m3" if g else "power_kwh"): use,
                 "clock": ts}
        elif kind == "shift":
            self.covers_total[site] += r.randint(0, 40)
            s = {"staff": max(1, self.crew[site] + r.randint(-2, 2)),
                 "waste_kg": 0.0 if r.random() < 0.4 else r.lognormvariate(math.log(2.0), 0.9),
                 "covers_total": self.covers_total[site], "manager": r.choice(self.staff),
                 "note": "; ".join(r.sample(NOTES["shift"][dl], r.randint(1, 2))), "clock": ts}
        elif kind == "allergen":
            recipe = r.choice(RECIPES[dl])
            self.versions[recipe] += 1
            listed = sorted(r.sample(range(14), r.choice((0, 1, 1, 2, 2, 3, 4))))
            s = {"recipe": recipe, "allergens": ", ".join(ALLERGENS[dl][i] for i in listed) or NONE_WORD[dl],
                 "version": self.versions[recipe], "approved": r.choice(self.staff), "date": ts}
        elif kind == "suppression":
            sy, loc, agent, desc = SUPPRESSION[dl]
            s = {"system": r.choice(sy), "location": r.choice(loc), "agent": r.choice(agent),
                 "pressure": r.uniform(12.0, 17.0), "gas_shut": r.random() < 0.8, "description": r.choice(desc),
                 "clock": ts}
        elif kind == "pest":
            pests, locs, descs = PESTS[dl]
            s = {"pest": r.choice(pests), "location": r.choice(locs), "count": 1 + int(r.expovariate(0.5)),
                 "contractor": r.random() < 0.6, "description": r.choice(descs)}
        elif kind == "illness":
            s = {"guests_ill": 1 + int(r.expovariate(0.8)), "symptoms": r.choice(SYMPTOMS[dl]),
                 "recipe": r.choice(RECIPES[dl]), "visit_date": ts - r.randint(1, 3) * 86_400_000,
                 "note": r.choice(NOTES["illness"][dl])}
        elif kind == "inspection":
            fmt = {"mt": "EHD-{:04d}", "lt": "VMVT-{:05d}", "af": "EHP{:04d}"}[dl]
            s = {"inspector": fmt.format(r.randrange(10_000)), "score": r.randint(62, 100),
                 "findings": int(r.expovariate(0.6)), "next_visit": ts + r.randint(60, 365) * 86_400_000}
        elif kind == "recall":
            sup = r.choice(self.suppliers)
            s = {"product": r.choice(PRODUCTS[dl][sup.category]), "lot": self._lot(sup, ts), "supplier": sup.name,
                 "reason": r.choice(RECALL_REASONS[dl]), "note": r.choice(NOTES["recall"][dl])}
        return s

    def _lot(self, sup: _Supplier, ts: int) -> str:
        r = self._r
        day = datetime.fromtimestamp(ts / 1000, UTC)
        if sup.lot_style == 0:
            return f"L{day:%y}{day.timetuple().tm_yday:03d}-{r.randrange(100):02d}"
        if sup.lot_style == 1:
            return f"{r.randrange(10 ** 6):06d}"
        return f"LOT-{r.randrange(10 ** 5):05d}-{r.choice('ABCDEFGH')}"

    # -- rendering --------------------------------------------------------------------------------
    def _fmt(self, sem: str, v: object) -> object:
        u, dl = UNIT.get(sem), self.dialect
        if u is None or isinstance(v, bool) or not isinstance(v, int | float):
            return v
        x = float(v)
        if u == "C":
            x = x * 1.8 + 32.0 if self.fahrenheit else x
            return _comma(x, 1, " °C") if dl == "lt" else round(x, 1)
        if u == "kg":
            if dl == "af":
                return int(round(x * 1000))
            return _comma(x, 2 if x < 10 else 1, " kg") if dl == "lt" else round(x, 2)
        dec, unit = {"pct": (1, " %"), "bar": (1, " bar"), "m3": (2, " m³"), "kwh": (1, " kWh")}[u]
        return _comma(x, dec, unit) if dl == "lt" else round(x, dec)

    def _clock(self, kind: str, ts: int) -> str:
        t = datetime.fromtimestamp((ts + self.tz_ms) / 1000, UTC)
        if kind in SECONDS_CLOCK:
            return f"{t:%H:%M:%S}"
        return f"{t:%Hh%M}" if self.dialect == "af" else f"{t:%H:%M}"

    def _date(self, ts: int) -> str:
        t = datetime.fromtimestamp((ts + self.tz_ms) / 1000, UTC)
        return t.strftime({"mt": "%d/%m/%Y", "lt": "%Y-%m-%d", "af": "%Y/%m/%d"}[self.dialect])

    def _prio_value(self, step: int) -> object:
        r, dl, mode = self._r, self.dialect, self.prio_mode
        if mode == "words":
            return WORDS[dl][step]
        if mode == "ticket":
            return CALLS[dl][step]
        if mode == "level":
            return 5 - step
        if mode == "stars":
            return step + 1 if dl == "mt" else "★" * (step + 1) if dl == "lt" else \
                ("1 ster" if step == 0 else f"{step + 1} sterre")
        if mode == "minutes":
            m = r.randint(*MINUTES[step])
            return f"{m} min." if dl == "lt" else m
        if mode == "colour":
            return COLOURS[dl][step]
        assert mode == "flag"
        return FLAGS[dl][0 if step else 1]

    def _render(self, kind: str, sem: dict[str, object]) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, v in sem.items():
            if key == "prio" or key.startswith("_"):
                continue
            if key == "clock":
                assert isinstance(v, int)
                out[self.keys[key]] = self._clock(kind, v)
            elif key in ("date", "visit_date", "next_visit"):
                assert isinstance(v, int)
                out[self.keys[key]] = self._date(v)
            elif key == "note" and self.prio_mode == "note" and sem.get("prio"):
                step = sem["prio"]
                assert isinstance(step, int)
                out[self.keys[key]] = f"{URGENT[self.dialect][step - 1]} ({v})"
            else:
                out[self.keys[key]] = self._fmt(key, v)
        if "prio" in sem and self.prio_mode != "note":
            step = sem["prio"]
            assert isinstance(step, int)
            sem.setdefault("_prio_value", self._prio_value(step))  # a tail keeps its head's written level
            out[self.prio_key] = sem["_prio_value"]
        return out

    # -- truth ------------------------------------------------------------------------------------
    def strength(self, kind: str, fields: dict[str, object]) -> float:
        """The priority strength a record writes (0 for kinds that carry no priority)."""
        if kind not in CARRIERS:
            return 0.0
        dl, mode, v = self.dialect, self.prio_mode, fields[self.prio_key]
        if mode == "note":
            return max((STEP_STRENGTH[i + 1] for i, p in enumerate(URGENT[dl]) if str(v).startswith(p)), default=0.0)
        if mode == "flag":
            return FLAG_STRENGTH if v == FLAGS[dl][0] else 0.0
        if mode == "level":
            assert isinstance(v, int)
            return STEP_STRENGTH[5 - v]
        if mode == "minutes":
            m = int(str(v).removesuffix(" min."))
            return STEP_STRENGTH[next(i for i, (lo, hi) in enumerate(MINUTES) if lo <= m <= hi)]
        if mode == "stars":
            n = v if isinstance(v, int) else str(v).count("★") or int(str(v).split()[0])
            assert isinstance(n, int)
            return STEP_STRENGTH[n - 1]
        table = {"words": WORDS, "ticket": CALLS, "colour": COLOURS}[mode][dl]
        return STEP_STRENGTH[table.index(v)]

    def anomaly_k(self, kind: str, fields: dict[str, object]) -> float:
        """How many spreads the record's farthest watched number is off its kind's median."""
        k = 0.0
        for key, st in self.stats.get(kind, {}).items():
            if key in fields:
                x = number(fields[key])
                assert x is not None
                y = math.log(max(x, 1e-9)) if st.log else x
                k = max(k, abs(y - st.centre) / st.spread)
        return k

    def _truth(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        k = self.anomaly_k(kind, fields)
        a = 0.0 if k < ANOMALY_K else min(1.0, (k - 4.0) / 6.0)
        p = self.strength(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if any(fields.get(self.keys[f]) == RARE_VALUES[f][self.dialect] for f in RARE_VALUES) else 0.0
        rarity = max(rk, rv)
        return noisy_or(0.04, 0.9 * a, 0.9 * p, rarity), main_reason(0.9 * a, 0.9 * p, rarity, rk)

    # -- copies and tails -------------------------------------------------------------------------
    def _retyped(self, key: str, v: object) -> object:
        """Another gateway's re-entry of one value: re-rounded, re-typed, or the same when it cannot."""
        r = self._r
        if isinstance(v, int):  # counters, ids and flags stay
            return v
        if isinstance(v, float):
            dec = next((d for d in range(12) if round(v, d) == v), 3)
            return round(v, dec - 1) if dec > 0 else v
        s = str(v)
        ways = []
        if _QTY.fullmatch(s):
            ways += [s.replace(",", "."), s.replace(" ", "", 1)]
        else:
            ways += [_fold(s), s.upper() if s != s.upper() else s.lower(), s.replace(":", ".")]
        r.shuffle(ways)
        return next((w for w in ways if w != s), s)

    def _near(self, fields: dict[str, object]) -> dict[str, object] | None:
        r = self._r
        keys = [k for k in fields if k != self.prio_key and self._retyped(k, fields[k]) != fields[k]]
        if not keys:
            return None
        out = dict(fields)
        for k in r.sample(keys, min(len(keys), 1 if r.random() < 0.7 else 2)):
            out[k] = self._retyped(k, fields[k])
        return out

    def _tail_sem(self, b: _Burst, ts: int, elapsed_ms: float) -> dict[str, object]:
        r = self._r
        s = dict(b.sem)
        for key in WATCHED.get(b.kind, {}):
            v = s.get(key)
            if key == "pass_s" and isinstance(v, int):  # the ticket is still on the pass: its clock runs on
                s[key] = v + max(1, round(elapsed_ms / 1000))
            elif key == "chill_min" and isinstance(v, int):
                s[key] = v + round(elapsed_ms / 60_000)
            elif isinstance(v, int):
                s[key] = int(round(v * r.lognormvariate(0, 0.02)))
            elif isinstance(v, float):
                s[key] = v * r.lognormvariate(0, 0.05) if WATCHED[b.kind][key][0] else v + r.gauss(0, 0.2)
        if "clock" in s:
            s["clock"] = ts
        if b.kind == "suppression":  # the agent cylinder empties
            bar = s["pressure"]
            assert isinstance(bar, float)
            s["pressure"] = bar * r.uniform(0.7, 0.95)
        if b.kind == "dishwash":
            c = s["cycle_no"]
            assert isinstance(c, int)
            s["cycle_no"] = c + 1
        if b.kind == "meter":
            for read, use in (("gas_reading", "gas_m3"), ("power_reading", "power_kwh")):
                if read in s:
                    a, u = s[read], s[use]
                    assert isinstance(a, float)
                    assert isinstance(u, float)
                    s[read] = a + u
        b.sem = s
        return s

    def _source(self, eligible: list[int]) -> int:
        r = self._r
        if not eligible:
            return -1
        if r.random() < 0.8:
            return r.choice(eligible[-self.recent:])
        return r.choice(eligible)

    def _other_site(self, site: int) -> int:
        o = self._site()
        return o if o != site else (site + 1 + self._r.randrange(len(self.origins) - 1)) % len(self.origins)

    def _gap(self) -> float:
        return self._r.lognormvariate(math.log(self.gap_median), self.gap_sigma)

    # -- the stream -------------------------------------------------------------------------------
    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """``n`` labelled records, in time order, from ``now_ms`` on (never before the last batch's)."""
        if n < 0:
            raise ValueError("n must be non-negative")
        r = self._r
        start = max(now_ms, self._next_ts)
        events: list[_Event] = []
        out: list[LabeledRecord] = []
        eligible: list[int] = []
        queue: list[tuple[float, int, int]] = []  # (time, order, burst id)
        bursts: dict[int, _Burst] = {}
        owed = 0  # tails open bursts still have to send
        kinds = list(self.weights) + list(self.rare_share)
        rare_total = sum(self.rare_share.values())
        common_total = sum(self.weights.values())
        kind_w = [self.weights[k] / common_total * (1 - rare_total) for k in self.weights] + list(self.rare_share.values())
        burstable = [k for k in self.weights if k in WATCHED and k != "delivery"]  # alarms that repeat
        t, t_next = 0.0, self._gap()
        last_ts = start - 1
        order = 0

        def emit(ev: _Event, at: float) -> None:
            nonlocal last_ts
            ts = max(last_ts + 1, start + int(at))
            last_ts = ts
            if ev.sem:
                if "clock" in ev.sem:
                    ev.sem["clock"] = ts
                ev.fields = self._render(ev.kind, ev.sem)
                if ev.case in ("routine", "burst_head"):
                    ev.importance, ev.detail = self._truth(ev.kind, ev.fields)
            rec = Record.create(self.kind_name[ev.kind], self.origins[ev.site], ts, ev.fields)
            events.append(ev)
            out.append(LabeledRecord(rec, ev.importance, ev.case, ev.ref, ev.detail))
            if ev.case in ("routine", "burst_head"):
                eligible.append(len(out) - 1)

        while len(out) < n:
            if queue and (queue[0][0] <= t_next or len(out) + owed >= n):
                at, _, bid = heapq.heappop(queue)
                b = bursts[bid]
                sem = self._tail_sem(b, start + int(at), at - b.last_at)
                b.last_at = at
                emit(_Event(b.kind, b.site, {}, max(TAIL_FLOOR, 0.1 * b.importance), "burst_tail", b.head,
                            sem=sem), at)
                b.left -= 1
                owed -= 1
                if b.left:
                    order += 1
                    heapq.heappush(queue, (at + b.period * r.uniform(0.6, 1.4), order, bid))
                continue
            t, t_next = t_next, t_next + self._gap()
            u = r.random()
            q = self.rates
            if u < q["dup"] and (j := self._source(eligible)) >= 0:
                src = events[j]
                site = src.site if r.random() < 0.55 else self._other_site(src.site)
                emit(_Event(src.kind, site, dict(src.fields), 0.05 * src.importance, "dup", j), t)
                continue
            u -= q["dup"]
            if u < q["near"] and (j := self._source(eligible)) >= 0 and (g := self._near(events[j].fields)):
                src = events[j]
                site = src.site if r.random() < 0.4 else self._other_site(src.site)
                emit(_Event(src.kind, site, g, 0.1 * src.importance, "near_dup", j), t)
                continue
            u -= q["near"]
            room = n - len(out) - owed - 1
            if u < q["burst"] and room >= 2:
                kind = "suppression" if "suppression" in self.rare and r.random() < 0.08 else \
                    r.choices(burstable, [self.weights[k] for k in burstable])[0]
                site, sem = self._fresh(kind, start + int(t), news=True)
                tails = min(room, 30, 2 + int(r.expovariate(1 / self.tail_mean)))
                head = _Event(kind, site, {}, 0.0, "burst_head", sem=sem)
                emit(head, t)
                b = _Burst(len(out) - 1, kind, site, dict(sem), head.importance, tails,
                           self.tail_period * r.uniform(0.5, 2.0), t)
                order += 1
                bursts[order] = b
                owed += tails
                heapq.heappush(queue, (t + b.period * r.uniform(0.6, 1.4), order, order))
                continue
            u -= q["burst"]
            if u < q["resend"] and self._archive:
                kind, site0, fields, imp = r.choice(self._archive)
                site = site0 if r.random() < 0.5 else self._other_site(site0)
                emit(_Event(kind, site, dict(fields), (0.01 if site == site0 else 0.02) * imp, "resend"), t)
                continue
            kind = r.choices(kinds, kind_w)[0]
            site, sem = self._fresh(kind, start + int(t))
            emit(_Event(kind, site, {}, 0.0, "routine", sem=sem), t)
        for ev in events:
            if ev.case in ("routine", "burst_head") and ev.importance >= 0.3:
                self._archive.append((ev.kind, ev.site, ev.fields, ev.importance))
        del self._archive[:-300]
        if out:
            self._next_ts = out[-1].record.ts_ms + 1
        return out

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]
