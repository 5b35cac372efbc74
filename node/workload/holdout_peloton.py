"""Held-out family "peloton": operations of a professional cycling stage race. Used ONLY by evaluation.

Theory of operation
-------------------
A blind held-out family (docs/holdout-peloton.md): written by a helper who never saw a score of any
model, sharing no code path, name, distribution or vocabulary with the training generators or the
other held-out families. Only the truth helpers (:func:`noisy_or`, :func:`main_reason`),
:class:`LabeledRecord` and the record type are shared, because the definition of importance is.
Training never imports this module (tests/node/test_holdout_peloton.py checks ``sys.modules``).

A seed draws one world: a stage race run in one of three dialects, Flemish Dutch (``nl``), Catalan
(``ca``) or Tagalog (``tl``), with its own naming style for field names and for kind names (snake,
camel, kebab, dotted or UPPER), one way of writing explicit priority (:data:`PRIORITY_MODES`), a stage
profile (flat, hilly or mountain: the terrain under each rider decides his speed, power and cadence),
a roster of teams and riders (each rider with his own threshold power and heart-rate level, a role and
a place in the race: peloton, breakaway or dropped), a climate, 4-8 origins (race radio, timing
receivers, team-car relays, moto scouts, a doctor's car) and its own arrival rhythm.

Kinds: rider telemetry (always), team-car radio (always), and 2-4 of jury communiqués, moto-scout
weather and road reports, feed-zone / neutral-service logs, medical and anti-doping events, timing
splits; 1-3 rare kinds (crash, neutralisation, abandon, mechanical in the final kilometres, road
blocked by a protest). Units follow the dialect: speed in km/h (nl), m/s (ca) or "43.2 kph" text
(tl); gaps in signed seconds (nl), "+mm:ss" text (ca) or decimal minutes (tl); temperatures as
numbers or "18,5 °C" text (ca); fines as numbers or "CHF 350" text (tl).

Truth (docs/attention.md's definition): a routine record is
``noisy_or(0.04, 0.9 * anomaly, 0.9 * priority, rarity)``. An anomaly is a number far off its
kind's typical value in the world: per (kind, field) the world keeps the median and the spread
(central 80% width / 2.5631, a normal sigma's worth) of its own routine values, drawn when the world
is made, in the field's space (linear, or log for durations and fines), and a threshold ``at`` of at least 5
spreads and 1.25 x the farthest routine value seen plus 0.5 (routine draws closer than ``at - 0.5``
only: a heavy-tailed routine value is never an anomaly). An anomaly sits 0.5-5.5 spreads beyond
``at``; strength ``min(1, 0.45 + 0.1 * (k - at))``. Rarity is 0.5 for a rare kind, 0.45 for a rare
categorical value. Exact copies keep 5% of their source, near copies 10%, burst tails a tenth of
their head (at least 0.02), re-sends of an earlier batch's news 1% (2% through another origin).

Pure Python, deterministic in the seed (one ``random.Random``; no hash order anywhere).
"""

from __future__ import annotations

import hashlib
import math
import random
import unicodedata
from dataclasses import dataclass, field

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.keys import PrivateKey
from protocol.record import Record

DIALECTS = ("nl", "ca", "tl")
PRIORITY_MODES = ("words", "rank", "qcode", "flag", "minutes", "colour", "bool")
STYLES = ("snake", "camel", "kebab", "dotted", "upper")
COMMON_KINDS = ("tele", "radio", "jury", "moto", "feed", "med", "split")
OPTIONAL_KINDS = COMMON_KINDS[2:]
RARE_KINDS = ("crash", "neutral", "dnf", "mech", "protest")
CARRIERS = ("radio", "moto", "med", "crash")  # kinds whose records carry the priority field
ANOMALY_MIN = 5.0  # an anomaly threshold is never under this many spreads
UP_ONLY = frozenset({"power", "cadence", "dur", "fine", "wind", "musettes", "bidons"})  # anomalies only upwards
FLOOR = {"hr": 25.0, "speed": 3.0, "avg_speed": 3.0, "core_temp": 30.0}  # lower anomalies stop here (as written)

# --- names -----------------------------------------------------------------------------------------

KIND_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "tele": (("renner", "telemetrie"), ("telemetria", "ciclista"), ("telemetriya", "siklista")),
    "radio": (("ploeg", "radio"), ("ràdio", "equip"), ("radyo", "koponan")),
    "jury": (("jury", "communiqué"), ("comunicat", "jurat"), ("komunike", "hurado")),
    "moto": (("moto", "weerbericht"), ("informe", "moto"), ("ulat", "moto")),
    "feed": (("bevoorrading",), ("avituallament",), ("istasyon", "pagkain")),
    "med": (("medisch", "voorval"), ("incidència", "mèdica"), ("medikal", "pangyayari")),
    "split": (("tussentijd",), ("temps", "intermedi"), ("oras", "checkpoint")),
    "crash": (("valpartij",), ("caiguda",), ("pagbagsak",)),
    "neutral": (("neutralisatie",), ("neutralització",), ("neutralisasyon",)),
    "dnf": (("opgave",), ("abandonament",), ("umayaw", "siklista")),
    "mech": (("defect", "laatste", "km"), ("avaria", "darrer", "km"), ("sira", "huling", "km")),
    "protest": (("wegblokkade",), ("bloqueig", "protesta"), ("harang", "protesta")),
}

FIELD_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "bib": (("rugnummer",), ("dorsal",), ("numero", "siklista")),
    "team": (("ploeg",), ("equip",), ("koponan",)),
    "seq": (("volgnummer",), ("seqüència",), ("bilang",)),
    "km": (("km", "te", "gaan"), ("km", "per", "meta"), ("km", "natitira")),
    "clock": (("koerstijd",), ("temps", "cursa"), ("oras", "karera")),
    "power": (("vermogen", "w"), ("potència", "w"), ("lakas", "watt")),
    "cadence": (("trapfrequentie",), ("cadència",), ("ikot", "pedal")),
    "hr": (("hartslag",), ("pulsacions",), ("tibok", "puso")),
    "speed": (("snelheid", "kmh"), ("velocitat", "ms"), ("bilis",)),
    "gap": (("achterstand", "s"), ("diferència",), ("agwat", "minuto")),
    "car": (("volgwagen",), ("cotxe",), ("sasakyan",)),
    "channel": (("kanaal",), ("canal",), ("tsanel",)),
    "dur": (("duur", "s"), ("durada", "s"), ("tagal", "segundo")),
    "msg": (("bericht",), ("missatge",), ("mensahe",)),
    "decision": (("beslissing",), ("decisió",), ("pasya",)),
    "fine": (("boete", "chf"), ("multa", "chf"), ("multa", "chf")),
    "penalty": (("tijdstraf", "s"), ("penalització", "s"), ("parusa", "segundo")),
    "article": (("artikel",), ("article",), ("artikulo",)),
    "note": (("toelichting",), ("observacions",), ("paliwanag",)),
    "moto_id": (("motard",), ("moto",), ("motorsiklo",)),
    "temp": (("temperatuur", "c"), ("temperatura",), ("temperatura", "c")),
    "wind": (("wind", "kmh"), ("vent", "ms"), ("hangin", "kph")),
    "wind_dir": (("windrichting",), ("direcció", "vent"), ("direksyon", "hangin")),
    "rain": (("neerslag", "mm"), ("pluja", "mm"), ("ulan", "mm")),
    "surface": (("wegdek",), ("ferm",), ("kalsada",)),
    "remark": (("opmerking",), ("comentari",), ("puna",)),
    "zone": (("zone",), ("zona",), ("sona",)),
    "musettes": (("musettes",), ("bosses",), ("supot",)),
    "bidons": (("bidons",), ("bidons",), ("bote",)),
    "wheels": (("wielwissels",), ("canvis", "roda"), ("palit", "gulong")),
    "vehicle": (("neutrale", "wagen"), ("vehicle", "neutral"), ("neutral", "na", "sasakyan")),
    "staff": (("verzorgers",), ("auxiliars",), ("tauhan",)),
    "event": (("voorval",), ("tipus",), ("uri",)),
    "core_temp": (("kerntemperatuur",), ("temperatura", "corporal"), ("temperatura", "katawan")),
    "sample": (("staal", "id"), ("mostra", "id"), ("sampol", "id")),
    "doctor_car": (("dokterswagen",), ("cotxe", "metge"), ("sasakyan", "doktor")),
    "checkpoint": (("meetpunt",), ("punt", "control"), ("checkpoint",)),
    "tod": (("tijdstip",), ("hora",), ("oras",)),
    "group": (("groepsgrootte",), ("mida", "grup"), ("laki", "grupo")),
    "avg_speed": (("gemiddelde", "kmh"), ("mitjana", "kmh"), ("promedyo", "bilis")),
    "down": (("gevallen", "renners"), ("corredors", "terra"), ("bumagsak",)),
    "bibs": (("rugnummers",), ("dorsals",), ("mga", "numero")),
    "reason": (("reden",), ("motiu",), ("dahilan",)),
    "dur_min": (("duur", "min"), ("durada", "min"), ("tagal", "minuto")),
    "three_km": (("drie", "km", "regel"), ("regla", "3", "km"), ("tuntunin", "3km")),
    "delay": (("vertraging", "min"), ("retard", "min"), ("antala", "minuto")),
}

PRIO_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "words": (("dringendheid",), ("urgència",), ("pagkaapurahan",)),
    "rank": (("incident", "klasse"), ("classe", "incident"), ("uri", "insidente")),
    "qcode": (("radiocode",), ("codi", "ràdio"), ("kodigo", "radyo")),
    "flag": (("seinvlag",), ("bandera", "senyal"), ("watawat", "hudyat")),
    "minutes": (("reactietijd", "min"), ("minuts", "resposta"), ("minuto", "tugon")),
    "colour": (("kleurcode",), ("codi", "color"), ("kulay", "kodigo")),
    "bool": (("dokter", "nodig"), ("cal", "metge"), ("kailangan", "doktor")),
}

# Fields per kind, in the order a record lists them (the priority field, where carried, is added).
FIELDS: dict[str, tuple[str, ...]] = {
    "tele": ("bib", "team", "seq", "km", "clock", "power", "cadence", "hr", "speed", "gap"),
    "radio": ("team", "car", "bib", "channel", "seq", "clock", "dur", "msg"),
    "jury": ("seq", "bib", "team", "decision", "fine", "penalty", "article", "note", "clock"),
    "moto": ("moto_id", "seq", "km", "temp", "wind", "wind_dir", "rain", "surface", "remark"),
    "feed": ("zone", "seq", "km", "musettes", "bidons", "wheels", "vehicle", "staff", "remark"),
    "med": ("bib", "team", "seq", "event", "core_temp", "sample", "doctor_car", "remark"),
    "split": ("seq", "checkpoint", "km", "tod", "group", "gap", "avg_speed"),
    "crash": ("seq", "km", "down", "bibs", "remark", "clock"),
    "neutral": ("seq", "km", "reason", "dur_min", "clock"),
    "dnf": ("seq", "bib", "team", "km", "reason", "clock"),
    "mech": ("seq", "bib", "team", "km", "three_km", "clock"),
    "protest": ("seq", "km", "delay", "remark", "clock"),
}

# Fields a world measures for anomalies, with the space their spread is taken in.
STAT_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "tele": (("power", "lin"), ("cadence", "lin"), ("hr", "lin"), ("speed", "lin")),
    "radio": (("dur", "log"),),
    "jury": (("fine", "log"),),
    "moto": (("temp", "lin"), ("wind", "lin")),
    "feed": (("musettes", "lin"), ("bidons", "lin")),
    "med": (("core_temp", "lin"),),
    "split": (("avg_speed", "lin"),),
}

# Fields another receiver may decode differently (near copies) and fields that drift in a burst.
SOFT: dict[str, tuple[str, ...]] = {
    "tele": ("power", "cadence", "hr", "speed", "km", "gap"),
    "radio": ("dur", "msg"),
    "jury": ("note",),
    "moto": ("km", "temp", "wind", "rain", "remark"),
    "feed": ("km", "remark"),
    "med": ("core_temp", "remark"),
    "split": ("km", "avg_speed", "checkpoint"),
    "crash": ("km", "remark"),
    "neutral": ("km", "reason"),
    "dnf": ("km", "reason"),
    "mech": ("km",),
    "protest": ("km", "remark"),
}
DRIFT = ("power", "cadence", "hr", "speed", "gap", "km", "dur", "temp", "wind", "rain", "core_temp",
         "avg_speed")
TEXT_FIELDS = ("msg", "note", "remark", "reason", "checkpoint")

# Which origins write which kinds (roles of the world's origins).
KIND_ROLES: dict[str, tuple[str, ...]] = {
    "tele": ("timing",), "radio": ("teamcar",), "jury": ("raceradio",), "moto": ("moto",),
    "feed": ("teamcar", "raceradio"), "med": ("doctor", "raceradio"), "split": ("timing",),
    "crash": ("raceradio", "moto"), "neutral": ("raceradio",), "dnf": ("raceradio", "teamcar"),
    "mech": ("teamcar",), "protest": ("moto", "raceradio"),
}

# --- explicit priority ----------------------------------------------------------------------------

PRIO_WORD_VALUES = {"nl": ("normaal", "laag", "verhoogd", "dringend", "kritiek"),
                    "ca": ("normal", "baixa", "alta", "urgent", "crítica"),
                    "tl": ("karaniwan", "mababa", "mataas", "apurahan", "kritikal")}
COLOUR_VALUES = {"nl": ("wit", "blauw", "geel", "rood", "zwart"),
                 "ca": ("blanc", "blau", "groc", "vermell", "negre"),
                 "tl": ("puti", "asul", "dilaw", "pula", "itim")}
QCODES = ("QRU", "QRX", "QSP", "QRR")
FLAG_LETTERS = ("O", "C", "B", "A")
BOOL_VALUES: dict[str, tuple[object, object]] = {"nl": (False, True), "ca": ("no", "sí"), "tl": ("hindi", "oo")}
# Strength of each step of a form, routine step first.
STEPS: dict[str, tuple[float, ...]] = {
    "words": (0.0, 0.25, 0.5, 0.75, 1.0), "rank": (0.0, 0.25, 0.5, 0.75, 1.0),
    "qcode": (0.0, 0.3, 0.6, 1.0), "flag": (0.0, 0.35, 0.65, 1.0),
    "minutes": (0.0, 0.25, 0.5, 0.75, 1.0), "colour": (0.0, 0.25, 0.5, 0.75, 1.0), "bool": (0.0, 0.9),
}
MINUTE_BANDS = ((45, 240), (20, 40), (8, 15), (2, 5), (0, 1))  # minutes to respond per step

# --- categorical values and text ------------------------------------------------------------------

DECISIONS = {"nl": ("waarschuwing", "boete", "tijdstraf", "gele kaart", "terugzetting"),
             "ca": ("advertiment", "multa", "penalització de temps", "targeta groga", "desclassificació"),
             "tl": ("babala", "multa", "parusa sa oras", "dilaw na kard", "pagbaba ng puwesto")}
DECISION_WEIGHTS = (0.35, 0.4, 0.12, 0.08, 0.05)
SURFACES = {"nl": ("droog", "nat", "kasseien", "grind", "vochtig"),
            "ca": ("sec", "moll", "llambordes", "grava", "humit"),
            "tl": ("tuyo", "basa", "bato-bato", "graba", "medyo basa")}
EVENTS = {"nl": ("routinecontrole", "schaafwonden verzorgd", "dopingcontrole gemeld", "chaperon toegewezen",
                 "bloedstaal afgenomen"),
          "ca": ("control rutinari", "cures de rascades", "control antidopatge notificat", "xaperó assignat",
                 "mostra de sang presa"),
          "tl": ("regular na tsek", "ginamot ang galos", "abiso ng doping test", "itinalagang chaperone",
                 "kinuhanan ng dugo")}
RARE_VALUES = {"nl": {"decision": ("uitsluiting",), "surface": ("ijzel", "hagel"), "event": ("afwijkend resultaat",)},
               "ca": {"decision": ("expulsió",), "surface": ("glaç", "calamarsa"),
                      "event": ("resultat analític advers",)},
               "tl": {"decision": ("diskwalipikasyon",), "surface": ("nagyeyelo", "graniso"),
                      "event": ("positibong resulta",)}}
WIND_DIRS = {"nl": ("N", "NO", "O", "ZO", "Z", "ZW", "W", "NW"),
             "tl": ("hilaga", "hilagang-silangan", "silangan", "timog-silangan", "timog", "timog-kanluran",
                    "kanluran", "hilagang-kanluran")}

RADIO_TEXT = {
    "nl": ("Rugnummer {bib} vraagt een bidon, we komen naar voor.", "Kopgroep heeft {gap} voorsprong, blijf rustig zitten.",
           "Allee {bib}, ge moet nu aansluiten vooraan.", "Zijwind binnen {km} km, zet u goed vooraan in 't peloton.",
           "Bevoorrading over {km} km, de musettes liggen klaar.", "We houden het tempo met twee man op kop.",
           "Bandenspanning {bar} bar, alles in orde.", "{bib} mag vandaag zijn eigen koers rijden, geen stress.",
           "Kasseistrook binnen {km} km, schuif op naar voren.", "Goed eten en drinken nu, de finale is nog lang."),
    "ca": ("El dorsal {bib} demana un bidó, pugem amb el cotxe.", "L'escapada té {gap} d'avantatge, tranquils.",
           "{bib}, has de tornar a enllaçar amb el grup.", "Vent lateral d'aquí a {km} km, situeu-vos davant.",
           "Avituallament d'aquí a {km} km, les bosses estan preparades.", "Portem el ritme amb dos homes al capdavant.",
           "Pressió dels pneumàtics {bar} bar, tot correcte.", "{bib} avui té via lliure, sense pressa.",
           "Tram de llambordes d'aquí a {km} km, pugeu posicions.", "Mengeu i beveu ara, el final encara és llarg."),
    "tl": ("Ang numero {bib} ay humihingi ng bidon, aakyat kami.", "May {gap} na lamang ang grupo sa unahan, kalma lang.",
           "{bib}, kailangan mong humabol sa peloton.", "Hangin sa gilid sa loob ng {km} km, pumuwesto sa unahan.",
           "Istasyon ng pagkain sa {km} km, handa na ang mga musette.", "Tayo ang nagdadala ng bilis, dalawa sa unahan.",
           "Presyon ng gulong {bar} bar, ayos lahat.", "Malaya si {bib} ngayong araw, walang presyon.",
           "Bato-batong daan sa loob ng {km} km, umabante ka.", "Kumain at uminom na, malayo pa ang finale."),
}
MOTO_TEXT = {
    "nl": ("Regenbui op {km} km van de meet.", "Wegdek glad in de afdaling.", "Tegenwind op het open stuk.",
           "Veel publiek op de helling.", "Wegenwerken, versmalling over {n} m.", "Droog en zonnig, niets te melden."),
    "ca": ("Ruixat a {km} km de l'arribada.", "Ferm relliscós a la baixada.", "Vent de cara a la plana.",
           "Molt de públic a la pujada.", "Obres, estrenyiment de {n} m.", "Sec i assolellat, res a destacar."),
    "tl": ("Umuulan sa {km} km mula sa finish.", "Madulas ang kalsada sa pababa.", "Salubong na hangin sa bukas na bahagi.",
           "Maraming manonood sa akyatan.", "May ginagawang kalsada, makitid sa {n} m.", "Tuyo at maaraw, walang problema."),
}
JURY_TEXT = {
    "nl": ("Hangen aan de ploegwagen.", "Bevoorrading buiten de zone.", "Afval weggegooid buiten de zone.",
           "Van lijn veranderd in de sprint.", "Gebruik van het voetpad.", "Onvoorzichtig rijgedrag in de afdaling."),
    "ca": ("Agafat al cotxe d'equip.", "Avituallament fora de zona.", "Residus llençats fora de la zona.",
           "Canvi de línia a l'esprint.", "Ús de la vorera.", "Conducció imprudent a la baixada."),
    "tl": ("Kumapit sa sasakyan ng koponan.", "Pagpapakain sa labas ng sona.", "Nagtapon ng basura sa labas ng sona.",
           "Lumihis ng linya sa sprint.", "Gumamit ng bangketa.", "Walang ingat sa pagbaba."),
}
FEED_TEXT = {
    "nl": ("Musettes uitgedeeld zonder problemen.", "Neutrale wagen bleef achter de kopgroep.",
           "Wiel gewisseld bij rugnummer {bib}.", "Veel volk in de zone.", "Reservefiets op het dak klaar."),
    "ca": ("Bosses repartides sense incidències.", "El vehicle neutral s'ha quedat darrere l'escapada.",
           "Canvi de roda al dorsal {bib}.", "Molta gent a la zona.", "Bicicleta de recanvi preparada."),
    "tl": ("Naipamigay ang mga supot nang maayos.", "Nanatili ang neutral na sasakyan sa likod ng grupo sa unahan.",
           "Pinalitan ang gulong ng numero {bib}.", "Maraming tao sa sona.", "Handa na ang reserbang bisikleta."),
}
MED_TEXT = {
    "nl": ("Schaafwonden aan de elleboog verzorgd.", "Renner kreeg ijs in de nek.",
           "Chaperon volgt de renner na de meet.", "Geen verdere verzorging.", "Pleister op de knie."),
    "ca": ("Rascades al colze curades.", "El corredor ha rebut gel al clatell.",
           "El xaperó acompanya el corredor després de l'arribada.", "No cal més assistència.", "Tireta al genoll."),
    "tl": ("Nilinis ang galos sa siko.", "Binigyan ng malamig na tuwalya ang siklista.",
           "Sinamahan ng chaperone ang siklista pagkatapos ng finish.", "Wala nang kailangang lunas.",
           "Tinapalan ang tuhod."),
}
CRASH_TEXT = {
    "nl": ("Valpartij in het peloton, meerdere renners op de grond.", "Renner gevallen in de afdaling.",
           "Massale val na een bocht.", "Val bij de tussensprint."),
    "ca": ("Caiguda al gran grup, diversos corredors a terra.", "Un corredor ha caigut a la baixada.",
           "Caiguda massiva després d'un revolt.", "Caiguda a l'esprint intermedi."),
    "tl": ("Bumagsak sa peloton, ilang siklista ang nasa lupa.", "Bumagsak ang isang siklista sa pababa.",
           "Maramihang pagbagsak pagkatapos ng kurbada.", "Pagbagsak sa intermediate sprint."),
}
NEUTRAL_TEXT = {
    "nl": ("Spoorwegovergang gesloten.", "Hevige regen, wegdek onberijdbaar.", "Ongeval op het parcours.",
           "Dieren op de weg."),
    "ca": ("Pas a nivell tancat.", "Pluja intensa, ferm impracticable.", "Accident al recorregut.",
           "Animals a la carretera."),
    "tl": ("Sarado ang tawiran ng tren.", "Malakas na ulan, hindi madaanan ang kalsada.", "Aksidente sa ruta.",
           "May mga hayop sa kalsada."),
}
DNF_TEXT = {
    "nl": ("opgave na val", "ziek", "buiten tijdslimiet", "knieblessure", "uitgeput"),
    "ca": ("abandonament per caiguda", "malalt", "fora de control", "lesió al genoll", "esgotat"),
    "tl": ("umayaw matapos bumagsak", "may sakit", "lampas sa oras", "pinsala sa tuhod", "pagod na pagod"),
}
PROTEST_TEXT = {
    "nl": ("Boeren blokkeren de weg met tractoren.", "Betogers zitten op de weg.",
           "Spandoeken en vuurwerk op het parcours."),
    "ca": ("Pagesos bloquegen la carretera amb tractors.", "Manifestants asseguts a la carretera.",
           "Pancartes i bengales al recorregut."),
    "tl": ("Hinarangan ng mga magsasaka ang kalsada gamit ang traktora.", "Nakaupo sa kalsada ang mga nagpoprotesta.",
           "May mga banner at paputok sa ruta."),
}
PLACE_PARTS = {
    "nl": (("Sint-", "Oud-", "Groot-", "", ""), ("Berg", "Molen", "Kapel", "Heide", "Linde", "Beke"),
           ("hem", "gem", "dries", "hout", "kerke", "rode")),
    "ca": (("Sant ", "Coll de ", "Pla de ", "", ""), ("Vila", "Roca", "Castell", "Font", "Torre", "Riba"),
           ("seca", "nova", "ferrada", "dell", "gassa", "mar")),
    "tl": (("San ", "Bayan ng ", "Barangay ", "", ""), ("Mala", "Taga", "Bula", "Lipa", "Santo", "Kawa"),
           ("bon", "yan", "kan", "log", "nag", "pit")),
}
ZONE_PREFIX = {"nl": "BZ", "ca": "ZA", "tl": "SP"}
SPREAD_SCALE = 2.5631  # the central 80% of a normal distribution is 2.5631 sigma wide

# --- helpers ---------------------------------------------------------------------------------------


def _styled(words: tuple[str, ...], style: str) -> str:
    if style == "snake":
        return "_".join(words)
    if style == "camel":
        return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])
    if style == "kebab":
        return "-".join(words)
    if style == "dotted":
        return ".".join(words)
    return "_".join(w.upper() for w in words)


def _rng(seed: int) -> random.Random:
    return random.Random(f"holdout-peloton/{seed}")


def world_form(seed: int) -> tuple[str, str]:
    """The dialect and priority form of seed's world, without building it."""
    r = _rng(seed)
    return r.choice(DIALECTS), r.choice(PRIORITY_MODES)


def to_space(x: float, space: str) -> float:
    if space == "log":
        return math.log(max(x, 1e-6))
    if space == "log1p":
        return math.log1p(max(x, 0.0))
    return x


def from_space(y: float, space: str) -> float:
    if space == "log":
        return math.exp(y)
    if space == "log1p":
        return math.expm1(y)
    return y


def number(v: object) -> float:
    """The number a rendered value says: 43.2, "43.2 kph", "18,5 °C", "CHF 350", "+02:15" (seconds)."""
    if isinstance(v, bool):
        raise ValueError("a flag is not a number")
    if isinstance(v, int | float):
        return float(v)
    s = str(v).strip()
    if ":" in s:
        sign = -1.0 if s.startswith("-") else 1.0
        m, sec = s.lstrip("+-").split(":")
        return sign * (int(m) * 60 + int(sec))
    s = s.replace("CHF", "").replace("kph", "").replace("°C", "").strip().replace(",", ".")
    return float(s)


def _hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


@dataclass(frozen=True)
class Stat:
    """What a world's routine values of one field look like: median and spread in ``space``, and the
    distance (in spreads) from which on a value is an anomaly."""

    space: str
    center: float
    spread: float
    at: float

    def distance(self, v: object) -> float:
        return abs(to_space(number(v), self.space) - self.center) / self.spread


@dataclass
class _Rider:
    bib: int
    team: str
    ftp: float  # threshold power, W
    hr_thr: float  # threshold heart rate, bpm
    sprinter: bool
    place: str  # "peloton", "break" or "dropped"
    offset_s: float  # gap to the peloton this rider keeps, s (negative: ahead)


@dataclass
class _Slot:
    t: float
    case: str
    burst: int = -1


@dataclass
class _Item:
    kind: str
    origin: int
    fields: dict[str, object]
    importance: float
    case: str
    ts: int
    ref: int = -1
    detail: str = ""


@dataclass
class _Burst:
    head: int  # batch index of the head
    left: int
    period: float
    next_t: float
    item: _Item | None = None
    drift: dict[str, float] = field(default_factory=dict)


# --- the family ------------------------------------------------------------------------------------


class PelotonWorkload:
    """A seeded stage-race operations stream; :meth:`next_labeled` gives batches with ground truth."""

    def __init__(self, seed: int) -> None:
        self._r = r = _rng(seed)
        self.dialect: str = r.choice(DIALECTS)
        self.prio_mode: str = r.choice(PRIORITY_MODES)
        self._d = DIALECTS.index(self.dialect)
        self.key_style: str = r.choice(STYLES)
        self.kind_style: str = r.choice(STYLES)
        self.keys: dict[str, str] = {sem: _styled(w[self._d], self.key_style) for sem, w in FIELD_WORDS.items()}
        self.prio_key: str = _styled(PRIO_WORDS[self.prio_mode][self._d], self.key_style)
        self.kind_names: dict[str, str] = {k: _styled(w[self._d], self.kind_style) for k, w in KIND_WORDS.items()}
        self.kind_of: dict[str, str] = {v: k for k, v in self.kind_names.items()}
        self._sem_of: dict[str, str] = {v: k for k, v in self.keys.items()}

        extra = r.sample(OPTIONAL_KINDS, r.randint(2, 4))
        self.common: tuple[str, ...] = tuple(k for k in COMMON_KINDS if k in ("tele", "radio") or k in extra)
        drawn = r.sample(RARE_KINDS, r.randint(1, 3))
        self.rare: tuple[str, ...] = tuple(k for k in RARE_KINDS if k in drawn)
        base = {"tele": (3.0, 7.0), "radio": (1.0, 2.4), "jury": (0.3, 0.9), "moto": (0.6, 1.6),
                "feed": (0.4, 1.1), "med": (0.4, 1.1), "split": (0.7, 1.8)}
        self.weights = {k: r.uniform(*base[k]) for k in self.common}
        self.rare_share = {k: r.uniform(0.003, 0.007) for k in self.rare}
        self.anomaly_rate = r.uniform(0.014, 0.03)
        self.raised_rate = r.uniform(0.09, 0.16) * (0.85 if self.prio_mode == "bool" else 1.0)
        self.rare_value_rate = r.uniform(0.015, 0.035)
        self.rates = {"dup": r.uniform(0.045, 0.07), "near": r.uniform(0.045, 0.07),
                      "burst": r.uniform(0.006, 0.011), "resend": r.uniform(0.012, 0.024)}
        self.burst_len = r.uniform(5.0, 11.0)  # median tails per burst
        self.mean_gap = r.choice((20.0, 50.0, 120.0, 300.0, 900.0))  # ms between stream records
        self.clumpy = r.random() < 0.35  # telemetry packets: arrivals in clumps
        self.burst_period = r.uniform(0.03, 0.3)  # of the mean gap
        self.copy_memory = r.uniform(8.0, 60.0)  # records: how far back a copy's source usually lies

        # The race: a stage profile, a roster, a climate.
        self.profile_kind = r.choice(("flat", "hilly", "mountain"))
        self.stage_km = r.uniform(150.0, 225.0)
        avg = {"flat": 44.0, "hilly": 39.0, "mountain": 33.0}[self.profile_kind]
        self.stage_s = self.stage_km / avg * 3600.0
        self.profile = self._make_profile(r)
        self.start_of_day_s = r.uniform(11.0, 13.5) * 3600.0
        self.temp0 = {"nl": r.uniform(6.0, 22.0), "ca": r.uniform(14.0, 32.0), "tl": r.uniform(24.0, 33.0)}[self.dialect]
        self.wind0 = r.uniform(6.0, 30.0)
        self.wet = r.choice((0.0, 0.1, 0.35, 0.7))
        self.wind_dir0 = r.randrange(8)
        self.teams = self._team_codes(r, r.randint(10, 18))
        self.channels = {t: r.randint(1, 24) for t in self.teams}
        self.riders = self._make_riders(r)
        self._rider_w = [1.0 / (i + 1) ** 0.6 for i in range(len(self.riders))]
        self.articles = [f"{r.choice((1, 2, 12))}.{r.randint(1, 16)}.{r.randint(1, 120):03d}" for _ in range(6)]
        self.places = self._make_places(r)
        self.sample_prefix = r.choice("ABCDEFGHKMNPRSTUVWXYZ")

        roles = ["raceradio", "timing"] + ["teamcar"] * r.randint(1, 2) + ["moto"] * r.randint(1, 2)
        if r.random() < 0.6:
            roles.append("doctor")
        if r.random() < 0.4:
            roles.append("timing")
        self.roles = roles
        self.origins: list[str] = [
            PrivateKey(hashlib.sha256(f"holdout-peloton-origin/{seed}/{i}".encode()).digest()).peer_id
            for i in range(len(roles))]
        self._by_role = {k: [i for i, role in enumerate(roles) if role in KIND_ROLES[k]] or [0]
                         for k in KIND_ROLES}

        self._seq = [r.randint(1, 4000) for _ in roles]
        self._t0_ms: float | None = None
        self._last_ts = 0
        self._news: list[_Item] = []  # earlier batches' news, for re-sends
        self.stats: dict[str, dict[str, Stat]] = self._calibrate(r)

    # --- the world ----------------------------------------------------------------------------------

    def _make_profile(self, r: random.Random) -> list[tuple[float, str]]:
        """Segments (end km, terrain) from the start to the finish."""
        out: list[tuple[float, str]] = []
        x = 0.0
        p_climb = {"flat": 0.08, "hilly": 0.3, "mountain": 0.45}[self.profile_kind]
        p_cobbles = 0.15 if self.dialect == "nl" else 0.04
        while x < self.stage_km:
            u = r.random()
            if u < p_climb:
                up = r.uniform(3.0, 18.0 if self.profile_kind == "mountain" else 8.0)
                x += up
                out.append((x, "climb"))
                x += up * r.uniform(0.7, 1.3)
                out.append((x, "descent"))
            elif u < p_climb + p_cobbles:
                x += r.uniform(1.0, 4.0)
                out.append((x, "cobbles"))
            else:
                x += r.uniform(5.0, 30.0)
                out.append((x, "flat"))
        return out

    def _terrain(self, done_km: float) -> str:
        done_km = min(max(done_km, 0.0), self.stage_km)
        for end, terrain in self.profile:
            if done_km <= end:
                return terrain
        return self.profile[-1][1]

    @staticmethod
    def _team_codes(r: random.Random, n: int) -> list[str]:
        out: list[str] = []
        while len(out) < n:
            code = "".join(r.choice("ABCDEFGHIJKLMNOPRSTUVWXYZ") for _ in range(3))
            if code not in out:
                out.append(code)
        return out

    def _make_riders(self, r: random.Random) -> list[_Rider]:
        riders: list[_Rider] = []
        lead = r.uniform(20.0, 420.0)
        p_drop = {"flat": 0.04, "hilly": 0.1, "mountain": 0.18}[self.profile_kind]
        for ti, team in enumerate(self.teams):
            for j in r.sample(range(1, 9), r.randint(3, 7)):
                u = r.random()
                place = "break" if u < 0.06 else "dropped" if u < 0.06 + p_drop else "peloton"
                offset = (-lead + r.gauss(0.0, 6.0) if place == "break"
                          else r.uniform(30.0, 1500.0) if place == "dropped" else 0.0)
                riders.append(_Rider(bib=10 * ti + j, team=team, ftp=r.lognormvariate(math.log(330.0), 0.09),
                                     hr_thr=r.gauss(171.0, 6.0), sprinter=r.random() < 0.15, place=place,
                                     offset_s=offset))
        r.shuffle(riders)  # who the feed shows most, Zipf
        return riders

    def _make_places(self, r: random.Random) -> list[str]:
        pre, stem, suf = PLACE_PARTS[self.dialect]
        out: list[str] = []
        while len(out) < 8:
            name = r.choice(pre) + r.choice(stem) + r.choice(suf)
            if name not in out:
                out.append(name)
        return out

    def _calibrate(self, r: random.Random) -> dict[str, dict[str, Stat]]:
        """Median, spread and anomaly threshold of each measured field, from the world's own routine draws."""
        stats: dict[str, dict[str, Stat]] = {}
        for kind in self.common:
            sems = STAT_FIELDS[kind]
            xs: dict[str, list[float]] = {sem: [] for sem, _ in sems}
            for _ in range(400):
                el = r.uniform(0.0, self.stage_s)
                f = self._draw(kind, el, calibrating=True)
                for sem, space in sems:
                    xs[sem].append(to_space(number(f[self.keys[sem]]), space))
            stats[kind] = {}
            for sem, space in sems:
                v = sorted(xs[sem])
                center = v[len(v) // 2]
                spread = max((v[int(0.9 * len(v))] - v[int(0.1 * len(v))]) / SPREAD_SCALE, 1e-3)
                far = max(abs(x - center) for x in v) / spread
                stats[kind][self.keys[sem]] = Stat(space, center, spread, max(ANOMALY_MIN, 1.25 * far + 0.5))
        return stats

    # --- content ------------------------------------------------------------------------------------

    def _fmt(self, sem: str, x: float) -> object:
        """A number written the way this world writes ``sem``."""
        d = self.dialect
        if sem in ("power", "cadence", "hr", "musettes", "bidons", "group", "penalty"):
            return int(round(max(x, 0.0)))
        if sem == "speed":
            return round(x, 1) if d == "nl" else round(x / 3.6, 2) if d == "ca" else f"{x:.1f} kph"
        if sem == "gap":
            if d == "nl":
                return int(round(x))
            if d == "ca":
                s = int(round(x))
                return f"{'-' if s < 0 else '+'}{abs(s) // 60:02d}:{abs(s) % 60:02d}"
            return round(x / 60.0, 2)
        if sem in ("temp", "core_temp"):
            return f"{x:.1f} °C".replace(".", ",") if d == "ca" else round(x, 1)
        if sem == "wind":
            return round(x, 1) if d == "nl" else round(x / 3.6, 1) if d == "ca" else int(round(x))
        if sem == "fine":
            v = int(round(x / 10.0)) * 10 if x >= 20 else int(round(x))
            return f"CHF {v}" if d == "tl" else v
        if sem in ("km", "rain", "dur", "avg_speed"):
            return round(max(x, 0.0), 1)
        raise KeyError(sem)

    def _from_rendered(self, sem: str, v: object) -> float:
        """The quantity of a rendered ``sem`` in the world's internal units (km/h, s, °C)."""
        x = number(v)
        if sem == "speed" and self.dialect == "ca":
            return x * 3.6
        if sem == "gap" and self.dialect == "tl":
            return x * 60.0
        if sem == "wind" and self.dialect == "ca":
            return x * 3.6
        return x

    def _text(self, table: dict[str, tuple[str, ...]], r: random.Random, **slots: object) -> str:
        return r.choice(table[self.dialect]).format(**slots)

    def _gap_words(self, s: float) -> str:
        s = int(abs(s))
        if self.dialect == "nl":
            return f"{s // 60}'{s % 60:02d}\""
        if self.dialect == "ca":
            return f"{s // 60} min {s % 60} s"
        return f"{s // 60}:{s % 60:02d}"

    def _rider(self, r: random.Random) -> _Rider:
        return r.choices(self.riders, weights=self._rider_w)[0]

    def _categorical(self, table: dict[str, tuple[str, ...]], rare_sem: str, r: random.Random,
                     weights: tuple[float, ...] | None = None) -> str:
        if r.random() < self.rare_value_rate:
            return r.choice(RARE_VALUES[self.dialect][rare_sem])
        return r.choices(table[self.dialect], weights=weights)[0]

    def _draw(self, kind: str, el: float, calibrating: bool = False) -> dict[str, object]:
        """A routine record of ``kind`` at ``el`` seconds into the stage (rendered; no priority field)."""
        r = self._r
        k = self.keys
        d = self.dialect
        done = el / self.stage_s * self.stage_km
        km_to_go = self.stage_km - done
        f: dict[str, object] = {}
        if kind == "tele":
            rider = self._rider(r)
            if rider.place == "peloton":
                gap = r.gauss(0.0, 2.5)
            else:
                gap = rider.offset_s * (1.0 + r.gauss(0.0, 0.02)) + r.gauss(0.0, 3.0)
            pos = done - gap * 0.011
            terrain = self._terrain(pos)
            sprint = terrain == "flat" and r.random() < (0.07 if rider.sprinter else 0.025)
            if sprint:
                power = rider.ftp * r.uniform(2.3, 4.4) * (1.15 if rider.sprinter else 1.0)
                speed = r.uniform(56.0, 72.0)
                cad = r.gauss(111.0, 6.0)
            elif terrain == "climb":
                power = rider.ftp * r.gauss(0.93, 0.07)
                speed = max(8.0, r.gauss(21.0, 3.2) * rider.ftp / 330.0)
                cad = r.gauss(77.0, 6.0)
            elif terrain == "descent":
                coasting = r.random() < 0.45
                power = 0.0 if coasting else rider.ftp * r.uniform(0.08, 0.35)
                speed = min(95.0, max(30.0, r.gauss(63.0, 9.0)))
                cad = 0.0 if coasting else r.gauss(96.0, 8.0)
            else:
                power = rider.ftp * r.lognormvariate(math.log(0.62), 0.22)
                speed = r.gauss(38.0 if terrain == "cobbles" else 44.0, 3.5)
                cad = r.gauss(91.0, 6.0)
            effort = min(power / rider.ftp, 1.15)
            hr = min(208.0, max(55.0, rider.hr_thr * (0.58 + 0.42 * effort) + r.gauss(0.0, 3.5)))
            f[k["bib"]] = rider.bib
            f[k["team"]] = rider.team
            f[k["seq"]] = 0
            f[k["km"]] = self._fmt("km", self.stage_km - pos)
            f[k["clock"]] = _hms(el)
            f[k["power"]] = self._fmt("power", power)
            f[k["cadence"]] = self._fmt("cadence", cad)
            f[k["hr"]] = self._fmt("hr", hr)
            f[k["speed"]] = self._fmt("speed", speed)
            f[k["gap"]] = self._fmt("gap", gap)
        elif kind == "radio":
            rider = self._rider(r)
            slots = {"bib": rider.bib, "km": r.randint(2, 60), "gap": self._gap_words(r.uniform(15, 400)),
                     "bar": f"{r.uniform(4.5, 7.5):.1f}".replace(".", "," if d != "tl" else ".")}
            f[k["team"]] = rider.team
            f[k["car"]] = 1 if r.random() < 0.7 else 2
            f[k["bib"]] = rider.bib
            f[k["channel"]] = self.channels[rider.team]
            f[k["seq"]] = 0
            f[k["clock"]] = _hms(el)
            f[k["dur"]] = self._fmt("dur", r.lognormvariate(math.log(5.5), 0.55))
            f[k["msg"]] = self._text(RADIO_TEXT, r, **slots)
        elif kind == "jury":
            rider = self._rider(r)
            decision = self._categorical(DECISIONS, "decision", r, DECISION_WEIGHTS)
            f[k["seq"]] = 0
            f[k["bib"]] = rider.bib
            f[k["team"]] = rider.team
            f[k["decision"]] = decision
            f[k["fine"]] = self._fmt("fine", r.lognormvariate(math.log(200.0), 0.75))
            timed = decision == DECISIONS[d][2]
            f[k["penalty"]] = r.choice((10, 20, 20, 30, 60)) if timed else 0
            f[k["article"]] = r.choice(self.articles)
            f[k["note"]] = self._text(JURY_TEXT, r)
            f[k["clock"]] = _hms(el)
        elif kind == "moto":
            raining = r.random() < self.wet
            rain = r.lognormvariate(math.log(2.0), 0.9) if raining else 0.0
            surf = SURFACES[d]
            weights = (0.1, 0.6, 0.1, 0.1, 0.3) if raining else (0.75, 0.02, 0.1, 0.08, 0.05)
            f[k["moto_id"]] = self._moto_id(r)
            f[k["seq"]] = 0
            f[k["km"]] = self._fmt("km", max(0.0, km_to_go - r.uniform(-2.0, 15.0)))
            f[k["temp"]] = self._fmt("temp", self.temp0 + 3.0 * math.sin(el / self.stage_s * math.pi) + r.gauss(0, 1.3))
            f[k["wind"]] = self._fmt("wind", r.lognormvariate(math.log(self.wind0), 0.4))
            f[k["wind_dir"]] = self._wind_dir((self.wind_dir0 + r.choice((-1, 0, 0, 0, 1))) % 8)
            f[k["rain"]] = self._fmt("rain", rain)
            f[k["surface"]] = self._categorical({d: surf}, "surface", r, weights)
            f[k["remark"]] = self._text(MOTO_TEXT, r, km=r.randint(1, 40), n=r.choice((50, 100, 200, 300)))
        elif kind == "feed":
            f[k["zone"]] = f"{ZONE_PREFIX[d]}{r.randint(1, 3)}"
            f[k["seq"]] = 0
            f[k["km"]] = self._fmt("km", max(0.0, km_to_go + r.uniform(-3.0, 3.0)))
            f[k["musettes"]] = self._fmt("musettes", max(0.0, r.gauss(45.0, 12.0)))
            f[k["bidons"]] = self._fmt("bidons", max(0.0, r.gauss(140.0, 35.0)))
            f[k["wheels"]] = min(6, int(r.expovariate(1.6)))
            f[k["vehicle"]] = {"nl": "NW-", "ca": "VN-", "tl": "NS-"}[d] + str(r.randint(1, 3))
            f[k["staff"]] = r.randint(3, 9)
            f[k["remark"]] = self._text(FEED_TEXT, r, bib=self._rider(r).bib)
        elif kind == "med":
            rider = self._rider(r)
            f[k["bib"]] = rider.bib
            f[k["team"]] = rider.team
            f[k["seq"]] = 0
            f[k["event"]] = self._categorical(EVENTS, "event", r, (0.35, 0.25, 0.15, 0.15, 0.1))
            f[k["core_temp"]] = self._fmt("core_temp", r.gauss(37.6 + 0.02 * max(0.0, self.temp0 - 20.0), 0.35))
            f[k["sample"]] = f"{self.sample_prefix}{r.randint(100000, 999999)}"
            f[k["doctor_car"]] = r.choice((1, 1, 2))
            f[k["remark"]] = self._text(MED_TEXT, r)
        elif kind == "split":
            lead_group = r.random() < 0.3
            at = max(0.0, done - r.uniform(0.0, 30.0))
            terrain = self._terrain(at)
            mean = {"climb": 23.0, "descent": 55.0, "cobbles": 39.0}.get(terrain, 44.0)
            f[k["seq"]] = 0
            f[k["checkpoint"]] = r.choice(self.places)
            f[k["km"]] = self._fmt("km", self.stage_km - at)
            f[k["tod"]] = _hms(self.start_of_day_s + el)
            f[k["group"]] = r.randint(1, 12) if lead_group or r.random() < 0.4 else r.randint(40, 150)
            f[k["gap"]] = self._fmt("gap", 0.0 if lead_group else r.lognormvariate(math.log(120.0), 1.0))
            f[k["avg_speed"]] = self._fmt("avg_speed", r.gauss(mean, 3.0))
        elif kind == "crash":
            down = min(15, 1 + int(r.expovariate(0.45)))
            bibs = sorted({self._rider(r).bib for _ in range(min(down, 5))})
            f[k["seq"]] = 0
            f[k["km"]] = self._fmt("km", km_to_go)
            f[k["down"]] = down
            f[k["bibs"]] = ", ".join(map(str, bibs))
            f[k["remark"]] = self._text(CRASH_TEXT, r)
            f[k["clock"]] = _hms(el)
        elif kind == "neutral":
            f[k["seq"]] = 0
            f[k["km"]] = self._fmt("km", km_to_go)
            f[k["reason"]] = self._text(NEUTRAL_TEXT, r)
            f[k["dur_min"]] = r.randint(2, 25)
            f[k["clock"]] = _hms(el)
        elif kind == "dnf":
            rider = self._rider(r)
            f[k["seq"]] = 0
            f[k["bib"]] = rider.bib
            f[k["team"]] = rider.team
            f[k["km"]] = self._fmt("km", km_to_go)
            f[k["reason"]] = self._text(DNF_TEXT, r)
            f[k["clock"]] = _hms(el)
        elif kind == "mech":
            rider = self._rider(r)
            f[k["seq"]] = 0
            f[k["bib"]] = rider.bib
            f[k["team"]] = rider.team
            f[k["km"]] = self._fmt("km", r.uniform(0.2, 3.0))
            f[k["three_km"]] = r.random() < 0.85
            f[k["clock"]] = _hms(el)
        else:
            assert kind == "protest"
            f[k["seq"]] = 0
            f[k["km"]] = self._fmt("km", max(0.0, km_to_go - r.uniform(5.0, 40.0)))
            f[k["delay"]] = r.randint(5, 40)
            f[k["remark"]] = self._text(PROTEST_TEXT, r)
            f[k["clock"]] = _hms(el)
        if not calibrating and kind in self.stats:  # a routine value stays well inside its threshold
            for key, s in self.stats[kind].items():
                if s.distance(f[key]) >= s.at - 0.5:
                    return self._draw(kind, el)
        return f

    def _moto_id(self, r: random.Random) -> object:
        n = r.randint(1, 4)
        return f"moto {n}" if self.dialect == "nl" else n if self.dialect == "ca" else f"M{n}"

    def _wind_dir(self, i: int) -> object:
        return (i * 45 + self._r.randint(-10, 10)) % 360 if self.dialect == "ca" else WIND_DIRS[self.dialect][i]

    # --- priority, anomalies, truth ----------------------------------------------------------------

    def _prio_value(self, step: int) -> object:
        r, d, mode = self._r, self.dialect, self.prio_mode
        if mode == "words":
            return PRIO_WORD_VALUES[d][step]
        if mode == "rank":
            return 5 - step
        if mode == "qcode":
            return QCODES[step]
        if mode == "flag":
            return FLAG_LETTERS[step]
        if mode == "minutes":
            lo, hi = MINUTE_BANDS[step]
            if step == 0:
                return r.choice((45, 60, 60, 90, 120, 120, 180, 240))
            return r.randint(lo, hi) if step >= 3 else r.randrange(lo, hi + 1, 5 if step == 1 else 1)
        if mode == "colour":
            return COLOUR_VALUES[d][step]
        return BOOL_VALUES[d][step]

    def priority(self, v: object) -> float:
        """The strength a priority value says, in this world's form."""
        mode, d = self.prio_mode, self.dialect
        steps = STEPS[mode]
        if mode == "words":
            return steps[PRIO_WORD_VALUES[d].index(str(v))]
        if mode == "rank":
            return steps[5 - int(v)]  # type: ignore[call-overload]
        if mode == "qcode":
            return steps[QCODES.index(str(v))]
        if mode == "flag":
            return steps[FLAG_LETTERS.index(str(v))]
        if mode == "minutes":
            n = int(v)  # type: ignore[call-overload]
            return steps[next(i for i, (lo, hi) in enumerate(MINUTE_BANDS) if n >= lo)]
        if mode == "colour":
            return steps[COLOUR_VALUES[d].index(str(v))]
        return steps[1] if v == BOOL_VALUES[d][1] else steps[0]

    def _draw_step(self, kind: str, news: bool) -> int:
        """A priority step: mostly routine; a crash, or a burst head that says its news by priority, high."""
        steps = STEPS[self.prio_mode]
        high = [i for i, s in enumerate(steps) if s >= 0.5]
        if news or kind == "crash":
            return self._r.choice(high)
        if self._r.random() >= self.raised_rate:
            return 0
        raised = list(range(1, len(steps)))
        return self._r.choices(raised, weights=[len(raised) - i + 1 for i in range(1, len(raised) + 1)])[0]

    def _anomalize(self, kind: str, f: dict[str, object]) -> None:
        """Push one measured field 0.5-5.5 spreads beyond its world's threshold: a stuck or spiking sensor, a
        typo in a fine, a radio left keyed, heat stroke or hypothermia, a gale, a timing error."""
        r = self._r
        stats = self.stats[kind]
        key = r.choice(list(stats))
        s = stats[key]
        sem = self._sem_of[key]
        for _ in range(20):
            k = s.at + r.uniform(0.5, 5.5)
            down = sem not in UP_ONLY and r.random() < 0.5
            x = from_space(s.center + (-1.0 if down else 1.0) * k * s.spread, s.space)
            if down and x < FLOOR.get(sem, 0.0):
                x = from_space(s.center + k * s.spread, s.space)
            internal = x * 3.6 if (sem in ("speed", "wind") and self.dialect == "ca") else x
            v = self._fmt(sem, internal)
            if s.distance(v) >= s.at + 0.2:
                f[key] = v
                return
        raise AssertionError("no anomaly found")  # pragma: no cover

    def truth(self, kind: str, fields: dict[str, object]) -> tuple[float, str]:
        """Ground truth of a routine record or burst head, from what it says: (importance, detail)."""
        a = 0.0
        for key, s in self.stats.get(kind, {}).items():
            k = s.distance(fields[key])
            if k >= s.at:
                a = max(a, min(1.0, 0.45 + 0.1 * (k - s.at)))
        p = self.priority(fields[self.prio_key]) if self.prio_key in fields else 0.0
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rare_vals = RARE_VALUES[self.dialect]
        rv = 0.45 if any(isinstance(v, str) and any(v in vals for vals in rare_vals.values())
                         for v in fields.values()) else 0.0
        rarity = rk or rv
        return noisy_or(0.04, 0.9 * a, 0.9 * p, rarity), main_reason(0.9 * a, 0.9 * p, rarity, rk)

    # --- the stream ---------------------------------------------------------------------------------

    def _gap(self) -> float:
        r = self._r
        if self.clumpy:
            return r.uniform(0.0, 2.0) if r.random() < 0.8 else r.expovariate(1.0 / (self.mean_gap * 4.6))
        return r.expovariate(1.0 / self.mean_gap)

    def _tails(self) -> int:
        return max(2, min(30, int(round(self._r.lognormvariate(math.log(self.burst_len), 0.5)))))

    def _schedule(self, n: int) -> list[_Slot]:
        """Cases and times (ms from the batch's start) of n records; bursts end inside the batch."""
        r = self._r
        slots: list[_Slot] = []
        bursts: list[_Burst] = []
        t_stream = self._gap()
        serial = 0
        have_news = bool(self._news)
        while len(slots) < n:
            left = n - len(slots)
            reserved = sum(b.left for b in bursts)
            if bursts and (left == reserved or min(b.next_t for b in bursts) <= t_stream):
                b = min(bursts, key=lambda x: x.next_t)
                slots.append(_Slot(b.next_t, "burst_tail", b.head))
                b.left -= 1
                b.next_t += b.period * r.uniform(0.7, 1.4)
                if b.left == 0:
                    bursts.remove(b)
                continue
            u = r.random()
            rt = self.rates
            case = "routine"
            if have_news and u < rt["resend"]:
                case = "resend"
            elif (u := u - rt["resend"]) < rt["dup"]:
                case = "dup"
            elif (u := u - rt["dup"]) < rt["near"]:
                case = "near_dup"
            elif u - rt["near"] < rt["burst"] and left - reserved >= 3:
                tails = min(self._tails(), left - reserved - 1)
                period = max(2.0, self.burst_period * self.mean_gap)
                bursts.append(_Burst(serial, tails, period, t_stream + period * r.uniform(0.7, 1.4)))
                slots.append(_Slot(t_stream, "burst_head", serial))
                serial += 1
                t_stream += self._gap()
                continue
            slots.append(_Slot(t_stream, case))
            t_stream += self._gap()
        return slots

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """The next n records, the last near ``now_ms`` (never before anything already given)."""
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        slots = self._schedule(n)
        offset = now_ms - slots[-1].t
        if offset + slots[0].t <= self._last_ts:
            offset = self._last_ts + 1 - slots[0].t
        if self._t0_ms is None:
            self._t0_ms = offset + slots[0].t - self._r.uniform(0.05, 0.9) * self.stage_s * 1000.0
        items: list[_Item] = []
        heads: dict[int, _Burst] = {}
        for slot in slots:
            ts = int(round(offset + slot.t))
            items.append(self._make(slot, ts, items, heads))
        self._last_ts = items[-1].ts
        for it in items:
            if it.case in ("routine", "burst_head") and it.importance >= 0.3:
                self._news.append(it)
        del self._news[:-300]
        return [LabeledRecord(Record.create(self.kind_names[it.kind], self.origins[it.origin], it.ts, it.fields),
                              it.importance, it.case, it.ref, it.detail) for it in items]

    def _elapsed(self, ts: int) -> float:
        assert self._t0_ms is not None
        return ((ts - self._t0_ms) / 1000.0) % self.stage_s

    def _origin(self, kind: str) -> int:
        pool = self._by_role[kind]
        return self._r.choices(pool, weights=[1.0 / (i + 1) for i in range(len(pool))])[0]

    def _other_origin(self, origin: int) -> int:
        others = [i for i in range(len(self.origins)) if i != origin]
        radio = [i for i in others if self.roles[i] == "raceradio"]
        return radio[0] if radio and self._r.random() < 0.5 else self._r.choice(others)

    def _next_seq(self, origin: int) -> int:
        self._seq[origin] += 1
        return self._seq[origin]

    def _make(self, slot: _Slot, ts: int, items: list[_Item], heads: dict[int, _Burst]) -> _Item:
        r = self._r
        if slot.case == "burst_tail":
            return self._tail(heads[slot.burst], ts)
        if slot.case in ("dup", "near_dup"):
            src = self._source(items)
            if src >= 0:
                return self._copy(items, src, slot.case, ts)
        if slot.case == "resend" and self._news:
            old = r.choice(self._news[-80:])
            relay = r.random() < 0.5
            origin = self._other_origin(old.origin) if relay else old.origin
            return _Item(old.kind, origin, dict(old.fields), (0.02 if relay else 0.01) * old.importance, "resend", ts)
        news = slot.case == "burst_head"
        item = self._fresh(ts, news)
        if news:
            item.case = "burst_head"
            heads[slot.burst] = _Burst(len(items), 0, 0.0, 0.0, item, {})
        return item

    def _pick_kind(self) -> str:
        r = self._r
        u = r.random()
        for k in self.rare:
            if u < self.rare_share[k]:
                return k
            u -= self.rare_share[k]
        return r.choices(self.common, weights=[self.weights[k] for k in self.common])[0]

    def _fresh(self, ts: int, news: bool) -> _Item:
        r = self._r
        el = self._elapsed(ts)
        how = ""
        if news:
            options = [("anomaly", 0.35), ("priority", 0.45), ("rare", 0.2)]
            how = r.choices([o for o, _ in options], weights=[w for _, w in options])[0]
            if how == "priority":
                carriers = [k for k in self.common if k in CARRIERS]
                kind = r.choice(carriers)
            elif how == "rare":
                kind = r.choice(self.rare)
            else:
                kind = r.choice([k for k in self.common if k in ("tele", "moto", "med", "radio")])
        else:
            kind = self._pick_kind()
        f = self._draw(kind, el)
        origin = self._origin(kind)
        f[self.keys["seq"]] = self._next_seq(origin)
        if kind in CARRIERS:
            f[self.prio_key] = self._prio_value(self._draw_step(kind, how == "priority"))
        if how == "anomaly" or (not news and kind in self.stats and r.random() < self.anomaly_rate):
            self._anomalize(kind, f)
        importance, detail = self.truth(kind, f)
        return _Item(kind, origin, f, importance, "routine", ts, -1, detail)

    def _source(self, items: list[_Item]) -> int:
        idx = [i for i, it in enumerate(items) if it.case in ("routine", "burst_head")]
        if not idx:
            return -1
        n = len(items)
        w = [math.exp(-(n - i) / self.copy_memory) for i in idx]
        return self._r.choices(idx, weights=w)[0]

    def _copy(self, items: list[_Item], src: int, case: str, ts: int) -> _Item:
        r = self._r
        s = items[src]
        relay = r.random() < 0.6 or ts == s.ts
        origin = self._other_origin(s.origin) if relay else s.origin
        if case == "dup":
            return _Item(s.kind, origin, dict(s.fields), 0.05 * s.importance, "dup", ts, src)
        f = dict(s.fields)
        soft = [sem for sem in SOFT[s.kind] if self.keys[sem] in f]
        chosen = r.sample(soft, min(len(soft), r.choice((1, 1, 2))))
        for sem in chosen:
            f[self.keys[sem]] = self._redecode(sem, f[self.keys[sem]])
        return _Item(s.kind, origin, f, 0.1 * s.importance, "near_dup", ts, src)

    def _redecode(self, sem: str, v: object) -> object:
        """Another receiver's reading of the same value: coarser rounding, or the text typed again."""
        r = self._r
        if sem in TEXT_FIELDS:
            s = str(v)
            tries = [_strip_accents(s), s.lower(), s.upper(), s.rstrip("."), s.replace(", ", " - "),
                     s[:1].swapcase() + s[1:]]
            r.shuffle(tries)
            return next((x for x in tries if x != s and x), s + ".")
        if isinstance(v, str) and ":" in v:  # "+02:15": to the nearest 5 s, or a second off
            x = number(v)
            y = 5 * round(x / 5)
            internal = y if y != x else x + r.choice((-1, 1))
            return self._fmt(sem, internal)
        if isinstance(v, str):  # "43.2 kph", "18,5 °C": whole units, or written another way
            x = number(v)
            if x != round(x):
                return v.replace(f"{x:.1f}".replace(".", ","), str(round(x))).replace(f"{x:.1f}", str(round(x)))
            return v.replace(" ", "")
        if isinstance(v, float):
            for digits in (1, 0):
                y = round(v, digits)
                if y != v:
                    return float(y) if digits else float(int(y))
            return round(v + r.choice((-0.1, 0.1)), 1)
        assert isinstance(v, int)
        y = 5 * round(v / 5)
        return y if y != v else v + r.choice((-1, 1))

    def _tail(self, b: _Burst, ts: int) -> _Item:
        """One more of the head's message: counters on, clocks on, measured numbers drifting a little."""
        r = self._r
        head = b.item
        assert head is not None
        f = dict(head.fields)
        f[self.keys["seq"]] = self._next_seq(head.origin)
        el = self._elapsed(ts)
        if self.keys["clock"] in f:
            f[self.keys["clock"]] = _hms(el)
        if self.keys["tod"] in f:
            f[self.keys["tod"]] = _hms(self.start_of_day_s + el)
        for sem in DRIFT:
            key = self.keys[sem]
            if key not in f:
                continue
            x = self._from_rendered(sem, f[key])
            drift = b.drift.setdefault(sem, 0.0) + r.gauss(0.0, 0.01)
            b.drift[sem] = drift
            nx = self._from_rendered(sem, head.fields[key]) * (1.0 + drift)
            if sem == "km":
                nx = max(0.0, x - r.uniform(0.0, 0.05))
            f[key] = self._fmt(sem, nx)
        return _Item(head.kind, head.origin, f, max(0.02, 0.1 * head.importance), "burst_tail", ts, b.head)
