"""Held-out family ``dc``: data-centre operations, in Albanian, Azerbaijani or Yoruba.

A world (one seed) is a data centre seen by 3-10 ingesting nodes (peer ids).
Its common kinds are 6-9 of: rack PDUs (per-phase amps, volts, kW, power
factor), cooling units (supply/return air, humidity, fan speed, mode), UPSes
(battery charge, load, runtime minutes, mode), diesel generators (fuel, run
hours, coolant, starter battery), environmental sensors (temperature,
humidity, dew point, particle counts), network switches (port, CRC errors,
utilisation, optical receive power, link state), badge readers, change and
maintenance tickets, operator shift notes, and the main power meter (kW,
frequency, harmonic distortion). Each world also has 1-3 rare kinds, each
about 0.3% of the stream: three that always carry high priority (fire
suppression discharge, water leak, loss of a power feed) and three that never
carry priority (audit visit, asset decommission, firmware notice); every
world has at least one of the latter.

Language. One dialect per world, drawn by seed: field names, kind names,
categorical values and free text are written in it (keys and kinds ASCII
folded, values and text with their diacritics), and keys and kinds each take
one naming style per world (snake_case, camelCase, dotted, kebab; snake,
dotted, PascalCase, SCREAMING). Numbers are in the world's units (Celsius or
Fahrenheit, kW or W, fuel in percent or litres), named by a unit suffix.

Distributions. Zipf-weighted entities (racks, sensors, switches, doors...)
and kinds; heavy tails (per-rack load, runtime, CRC errors, particle counts,
ticket durations, measured on a log scale); integer counters; means that
drift with a slow cycle; bimodal values (208/230 V feeds, fan speed modes,
short/long range optics, idle/test generator coolant); saturating readings
(battery charge at 100%, link utilisation at 100%, power factor near 1).

Priority. Each world encodes explicit priority in one of eight forms
(``PRIORITY_MODES``), always in one field (``prio_key``) carried only by
``PRIORITY_KINDS`` and the always-priority rare kinds; about 85% of values
are at a routine step. Some keys name priority or severity plainly, others
are neutral.

Ground truth (issue 3, "what important means"). A routine record or burst
head scores ``noisy_or(0.04, 0.9*anomaly, 0.9*priority, rarity)`` with
``detail = main_reason(...)``, all functions of its own content
(:meth:`DcWorkload.score`): ``anomaly`` is :func:`anomaly_strength` of the
largest distance of a numeric field from the kind's median, in robust
spreads (about 3% of records get one reading pushed 6-25 spreads out);
rarity is 0.5 for a rare kind and 0.45 for a rare categorical value. Exact
duplicates score 0.05 x source, near duplicates (another sensor's reading of
the same event: rounded numbers, re-cased words, re-typed codes) 0.1 x
source, burst tails (2-40 copies of a news-carrying head, same kind, origin
and keys, within seconds) ``min(0.02, 0.1 x head)``, and resends of news
from an earlier batch 0.01. ``ref`` points at the source or head in the same
batch, else -1.

Deterministic in the seed: one ``random.Random``, no string hashing, no set
iteration. Pure Python; loads no model.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable
from typing import Any

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.keys import PrivateKey
from protocol.record import Record

DIALECTS = ("sq", "az", "yo")
PRIORITY_MODES = ("level_desc", "flag", "colour", "words", "codes", "severity", "hexword", "sla")
COMMON_KINDS = ("pdu", "crac", "ups", "genset", "env", "switch", "badge", "ticket", "note", "meter")
PRIORITY_KINDS = ("crac", "ups", "switch", "ticket", "note")
ALWAYS_PRIORITY_RARE = ("fire", "leak", "feedloss")
NEVER_PRIORITY_RARE = ("audit", "decom", "firmware")
RARE_KINDS = ALWAYS_PRIORITY_RARE + NEVER_PRIORITY_RARE
KEY_STYLES = ("snake", "camel", "dotted", "kebab")
KIND_STYLES = ("snake", "dotted", "pascal", "upper")

#: Field concepts of each kind, in record order (the priority field is added separately).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "pdu": ("rack", "phase", "amps", "volts", "power", "pf"),
    "crac": ("unit", "t_supply", "t_return", "humidity", "fan", "mode"),
    "ups": ("unit", "charge", "load", "runtime", "ups_mode"),
    "genset": ("unit", "fuel", "hours", "coolant", "state", "batt_v"),
    "env": ("sensor", "temp", "humidity", "dewpoint", "particles"),
    "switch": ("device", "port", "crc", "util", "rx", "link"),
    "badge": ("door", "badge_no", "result", "direction"),
    "ticket": ("ticket_id", "category", "summary", "status", "duration"),
    "note": ("operator", "shift", "text"),
    "meter": ("board", "power", "freq", "thd"),
    "fire": ("zone", "agent", "cylinders"),
    "leak": ("zone", "cable_m"),
    "feedloss": ("board", "feed", "transfer_ms"),
    "audit": ("auditor", "scope", "visitors"),
    "decom": ("asset", "rack", "reason"),
    "firmware": ("model", "version"),
}

#: Numeric fields judged on a log scale (log1p): heavy-tailed readings.
LOG_FIELDS = (("pdu", "amps"), ("pdu", "power"), ("ups", "runtime"), ("switch", "crc"),
              ("env", "particles"), ("ticket", "duration"), ("meter", "thd"))

#: Where an injected anomaly may push a reading (+ up, - down), and the physical bounds (canonical units).
ANOMALY_DIRS: dict[tuple[str, str], str] = {
    ("pdu", "volts"): "-", ("pdu", "pf"): "-",
    ("crac", "t_supply"): "+-", ("crac", "t_return"): "+", ("crac", "humidity"): "+-",
    ("ups", "charge"): "-", ("ups", "load"): "+", ("ups", "runtime"): "-",
    ("genset", "fuel"): "-", ("genset", "batt_v"): "-",
    ("env", "temp"): "+-", ("env", "humidity"): "+-", ("env", "particles"): "+",
    ("switch", "crc"): "+", ("switch", "rx"): "-",
    ("ticket", "duration"): "+",
    ("meter", "freq"): "+-", ("meter", "thd"): "+",
}
BOUNDS: dict[str, tuple[float, float]] = {
    "volts": (0.0, 480.0), "pf": (0.0, 1.0), "t_supply": (-20.0, 120.0), "t_return": (-20.0, 120.0),
    "temp": (-20.0, 120.0), "humidity": (0.0, 100.0), "charge": (0.0, 100.0), "load": (0.0, 100.0),
    "runtime": (1.0, 1e5), "fuel": (0.0, 100.0), "batt_v": (0.0, 40.0), "particles": (0.0, 1e9),
    "crc": (0.0, 1e9), "rx": (-40.0, 5.0), "duration": (1.0, 1e6), "freq": (40.0, 70.0), "thd": (0.0, 100.0),
}

# --- vocabulary -------------------------------------------------------------------------------
# Key tokens (ASCII folded, as these systems usually store names); a unit token may follow.
KEY_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "sq": {
        "rack": ("rafti",), "phase": ("faza",), "amps": ("rryma",), "volts": ("tensioni",),
        "power": ("fuqia",), "pf": ("faktori", "fuqise"), "unit": ("njesia",),
        "t_supply": ("temp", "ajri", "furnizues"), "t_return": ("temp", "ajri", "kthyes"),
        "humidity": ("lageshtia",), "fan": ("shpejtesia", "ventilatorit"), "mode": ("regjimi",),
        "charge": ("mbushja", "baterise"), "load": ("ngarkesa",), "runtime": ("autonomia",),
        "ups_mode": ("regjimi", "punes"), "fuel": ("niveli", "karburantit"), "hours": ("oret", "punes"),
        "coolant": ("temp", "ftohesit"), "state": ("gjendja",), "batt_v": ("tensioni", "baterise"),
        "sensor": ("sensori",), "temp": ("temperatura",), "dewpoint": ("pika", "veses"),
        "particles": ("grimca", "m3"), "device": ("komutatori",), "port": ("porta",),
        "crc": ("gabime", "crc"), "util": ("shfrytezimi",), "rx": ("fuqia", "optike", "marrje"),
        "link": ("lidhja",), "door": ("dera",), "badge_no": ("nr", "karteles"), "result": ("rezultati",),
        "direction": ("drejtimi",), "ticket_id": ("nr", "tiketes"), "category": ("kategoria",),
        "summary": ("permbledhja",), "status": ("statusi",), "duration": ("kohezgjatja",),
        "operator": ("operatori",), "shift": ("turni",), "text": ("shenimi",), "board": ("paneli",),
        "freq": ("frekuenca",), "thd": ("shtremberimi", "harmonik"), "zone": ("zona",),
        "agent": ("agjenti",), "cylinders": ("bombula",), "cable_m": ("distanca", "kabllit"),
        "feed": ("ushqyesi",), "transfer_ms": ("koha", "kalimit"), "auditor": ("auditori",),
        "scope": ("fusha",), "visitors": ("vizitore",), "asset": ("aseti",), "reason": ("arsyeja",),
        "model": ("modeli",), "version": ("versioni",),
    },
    "az": {
        "rack": ("skaf",), "phase": ("faza",), "amps": ("cereyan",), "volts": ("gerginlik",),
        "power": ("guc",), "pf": ("guc", "emsali"), "unit": ("qurgu",),
        "t_supply": ("verilen", "hava", "temp"), "t_return": ("qayidan", "hava", "temp"),
        "humidity": ("rutubet",), "fan": ("ventilyator", "sureti"), "mode": ("rejim",),
        "charge": ("batareya", "doluluq"), "load": ("yuk",), "runtime": ("ehtiyat", "muddet"),
        "ups_mode": ("is", "rejimi"), "fuel": ("yanacaq", "seviyye"), "hours": ("is", "saati"),
        "coolant": ("soyuducu", "temp"), "state": ("veziyyet",), "batt_v": ("batareya", "gerginlik"),
        "sensor": ("sensor",), "temp": ("temperatur",), "dewpoint": ("seh", "noqtesi"),
        "particles": ("hissecik", "m3"), "device": ("kommutator",), "port": ("port",),
        "crc": ("crc", "xetalari"), "util": ("istifade",), "rx": ("optik", "qebul", "guc"),
        "link": ("elaqe",), "door": ("qapi",), "badge_no": ("kart", "nomresi"), "result": ("netice",),
        "direction": ("istiqamet",), "ticket_id": ("muraciet", "nomresi"), "category": ("kateqoriya",),
        "summary": ("xulase",), "status": ("status",), "duration": ("muddet",),
        "operator": ("operator",), "shift": ("novbe",), "text": ("qeyd",), "board": ("lovhe",),
        "freq": ("tezlik",), "thd": ("harmonik", "tehrif"), "zone": ("zona",),
        "agent": ("agent",), "cylinders": ("balon", "sayi"), "cable_m": ("kabel", "mesafe"),
        "feed": ("qidalanma", "xetti"), "transfer_ms": ("kecid", "vaxti"), "auditor": ("auditor",),
        "scope": ("ehate",), "visitors": ("ziyaretci", "sayi"), "asset": ("aktiv",), "reason": ("sebeb",),
        "model": ("model",), "version": ("versiya",),
    },
    "yo": {
        "rack": ("agbeko",), "phase": ("apakan",), "amps": ("sisan", "ina"), "volts": ("foliteji",),
        "power": ("agbara",), "pf": ("ipin", "agbara"), "unit": ("ero",),
        "t_supply": ("ooru", "afefe", "ijade"), "t_return": ("ooru", "afefe", "ipadabo"),
        "humidity": ("orinrin",), "fan": ("iyara", "afefe"), "mode": ("ona", "ise"),
        "charge": ("kikun", "batiri"), "load": ("eru",), "runtime": ("akoko", "ifipamo"),
        "ups_mode": ("ipo", "ise"), "fuel": ("ipele", "epo"), "hours": ("wakati", "ise"),
        "coolant": ("ooru", "itutu"), "state": ("ipo",), "batt_v": ("foliteji", "batiri"),
        "sensor": ("senso",), "temp": ("ooru",), "dewpoint": ("ojuami", "iri"),
        "particles": ("eruku", "m3"), "device": ("yipada",), "port": ("ibudo",),
        "crc": ("asise", "crc"), "util": ("ilo",), "rx": ("agbara", "opitiki"),
        "link": ("asopo",), "door": ("ilekun",), "badge_no": ("nomba", "kaadi"), "result": ("abajade",),
        "direction": ("itosona",), "ticket_id": ("nomba", "tiketi"), "category": ("eka",),
        "summary": ("akotan",), "status": ("ipo", "tiketi"), "duration": ("gigun", "akoko"),
        "operator": ("onise",), "shift": ("iyipo",), "text": ("akosile",), "board": ("paneli",),
        "freq": ("igbohunsafefe",), "thd": ("iparun", "harmoniki"), "zone": ("agbegbe",),
        "agent": ("ohun", "apanina"), "cylinders": ("igo",), "cable_m": ("jinna", "okun"),
        "feed": ("ila", "ina"), "transfer_ms": ("akoko", "iyipada"), "auditor": ("oluyewo",),
        "scope": ("aaye", "ayewo"), "visitors": ("alejo",), "asset": ("dukia",), "reason": ("idi",),
        "model": ("awose",), "version": ("eya",),
    },
}

KIND_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "sq": {
        "pdu": ("shperndares", "energjie"), "crac": ("njesi", "ftohje"), "ups": ("furnizim", "pandererprere"),
        "genset": ("gjenerator", "nafte"), "env": ("sensor", "mjedisi"), "switch": ("komutator", "rrjeti"),
        "badge": ("hyrje", "karte"), "ticket": ("tikete", "ndryshimi"), "note": ("shenim", "turni"),
        "meter": ("matesi", "kryesor"), "fire": ("shkarkim", "shuarje", "zjarri"), "leak": ("rrjedhje", "uji"),
        "feedloss": ("humbje", "furnizimi"), "audit": ("vizite", "auditimi"), "decom": ("cmontim", "aseti"),
        "firmware": ("njoftim", "firmware"),
    },
    "az": {
        "pdu": ("guc", "paylayici"), "crac": ("soyutma", "qurgusu"), "ups": ("fasilesiz", "qida"),
        "genset": ("dizel", "generator"), "env": ("muhit", "sensoru"), "switch": ("sebeke", "kommutatoru"),
        "badge": ("giris", "karti"), "ticket": ("deyisiklik", "muracieti"), "note": ("novbe", "qeydi"),
        "meter": ("esas", "sayqac"), "fire": ("yangin", "sondurme", "bosalma"), "leak": ("su", "sizmasi"),
        "feedloss": ("qida", "itkisi"), "audit": ("audit", "seferi"), "decom": ("istismardan", "cixarma"),
        "firmware": ("proshivka", "bildirisi"),
    },
    "yo": {
        "pdu": ("pinpin", "agbara"), "crac": ("ero", "itutu"), "ups": ("batiri", "afeyinti"),
        "genset": ("ero", "amunawa"), "env": ("senso", "ayika"), "switch": ("yipada", "netiwoki"),
        "badge": ("iwole", "kaadi"), "ticket": ("tiketi", "iyipada"), "note": ("akosile", "iyipo"),
        "meter": ("mita", "agba"), "fire": ("itusile", "apanina"), "leak": ("jijo", "omi"),
        "feedloss": ("ipadanu", "ina"), "audit": ("abewo", "ayewo"), "decom": ("yiyo", "dukia"),
        "firmware": ("ikede", "sofitiwia"),
    },
}

# Priority field names per mode: the two "plain" ones say priority/severity, the rest are neutral.
PRIO_KEY_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "sq": {"level_desc": ("perparesia",), "flag": ("thirr", "kujdestarin"), "colour": ("etiketa",),
           "words": ("koment",), "codes": ("kodi", "gjendjes"), "severity": ("ashpersia",),
           "hexword": ("fjala", "statusit"), "sla": ("afati", "pergjigjes", "min")},
    "az": {"level_desc": ("prioritet",), "flag": ("novbetcini", "cagir"), "colour": ("nisan",),
           "words": ("serh",), "codes": ("veziyyet", "kodu"), "severity": ("ciddilik",),
           "hexword": ("status", "sozu"), "sla": ("cavab", "muddeti", "deq")},
    "yo": {"level_desc": ("ipo", "pataki"), "flag": ("pe", "oluso"), "colour": ("ami",),
           "words": ("asoye",), "codes": ("koodu", "ipo"), "severity": ("iwuwo",),
           "hexword": ("oro", "ipo"), "sla": ("akoko", "idahun", "iseju")},
}
PLAIN_PRIO_MODES = ("level_desc", "severity")

# Categorical values: (common values, their weights, rare values). Rare values score 0.45.
CATS: dict[str, dict[str, tuple[tuple[str, ...], tuple[float, ...], tuple[str, ...]]]] = {
    "sq": {
        "mode": (("ftohje", "heqje lagështie", "pritje"), (0.8, 0.15, 0.05), ("anashkalim manual",)),
        "ups_mode": (("në linjë", "ekonomik"), (0.88, 0.12), ("anashkalim",)),
        "state": (("gatishmëri", "test"), (0.88, 0.12), ("bllokim defekti",)),
        "link": (("aktive", "e çaktivizuar"), (0.96, 0.04), ("çaktivizuar nga gabimi",)),
        "result": (("lejuar", "refuzuar"), (0.95, 0.05), ("ndjekje pa leje",)),
        "direction": (("hyrje", "dalje"), (0.5, 0.5), ()),
        "category": (("ndryshim", "mirëmbajtje", "kërkesë"), (0.45, 0.35, 0.2), ()),
        "status": (("hapur", "në proces", "mbyllur"), (0.3, 0.3, 0.4), ()),
        "shift": (("mëngjes", "pasdite", "natë"), (0.35, 0.35, 0.3), ()),
        "agent": (("FM-200", "Novec 1230", "IG-541"), (0.4, 0.4, 0.2), ()),
        "feed": (("A", "B"), (0.5, 0.5), ()),
        "scope": (("siguria fizike", "energjia", "ftohja", "ISO 27001"), (0.3, 0.25, 0.25, 0.2), ()),
        "reason": (("fund jete", "zëvendësim", "konsolidim"), (0.4, 0.4, 0.2), ()),
        "auditor": (("auditues i jashtëm", "sigurimi i cilësisë", "klienti"), (0.4, 0.3, 0.3), ()),
    },
    "az": {
        "mode": (("soyutma", "nəmsizləşdirmə", "gözləmə"), (0.8, 0.15, 0.05), ("əl ilə idarə",)),
        "ups_mode": (("onlayn", "qənaət"), (0.88, 0.12), ("baypas",)),
        "state": (("gözləmə", "sınaq"), (0.88, 0.12), ("qəza bloku",)),
        "link": (("aktiv", "söndürülüb"), (0.96, 0.04), ("xəta ilə bağlanıb",)),
        "result": (("icazə verildi", "rədd edildi"), (0.95, 0.05), ("icazəsiz keçid",)),
        "direction": (("giriş", "çıxış"), (0.5, 0.5), ()),
        "category": (("dəyişiklik", "texniki xidmət", "sorğu"), (0.45, 0.35, 0.2), ()),
        "status": (("açıq", "icrada", "bağlı"), (0.3, 0.3, 0.4), ()),
        "shift": (("səhər", "gündüz", "gecə"), (0.35, 0.35, 0.3), ()),
        "agent": (("FM-200", "Novec 1230", "IG-541"), (0.4, 0.4, 0.2), ()),
        "feed": (("A", "B"), (0.5, 0.5), ()),
        "scope": (("fiziki təhlükəsizlik", "enerji", "soyutma", "ISO 27001"), (0.3, 0.25, 0.25, 0.2), ()),
        "reason": (("ömrün sonu", "əvəzləmə", "konsolidasiya"), (0.4, 0.4, 0.2), ()),
        "auditor": (("xarici auditor", "keyfiyyət şöbəsi", "müştəri"), (0.4, 0.3, 0.3), ()),
    },
    "yo": {
        "mode": (("ìtutù", "yíyọ ọ̀rinrin", "ìdúró"), (0.8, 0.15, 0.05), ("ìdarí ọwọ́",)),
        "ups_mode": (("lórí ìlà", "ìpamọ́"), (0.88, 0.12), ("ọ̀nà àbáyọ",)),
        "state": (("ìmúrasílẹ̀", "ìdánwò"), (0.88, 0.12), ("títìpa àṣìṣe",)),
        "link": (("ń ṣiṣẹ́", "pa"), (0.96, 0.04), ("pa nítorí àṣìṣe",)),
        "result": (("gbà", "kọ̀"), (0.95, 0.05), ("títẹ̀lé láìgbàṣẹ",)),
        "direction": (("wọlé", "jáde"), (0.5, 0.5), ()),
        "category": (("ìyípadà", "ìtọ́jú", "ìbéèrè"), (0.45, 0.35, 0.2), ()),
        "status": (("ṣí sílẹ̀", "ń lọ lọ́wọ́", "ti parí"), (0.3, 0.3, 0.4), ()),
        "shift": (("òwúrọ̀", "ọ̀sán", "alẹ́"), (0.35, 0.35, 0.3), ()),
        "agent": (("FM-200", "Novec 1230", "IG-541"), (0.4, 0.4, 0.2), ()),
        "feed": (("A", "B"), (0.5, 0.5), ()),
        "scope": (("ààbò ara", "agbára", "ìtutù", "ISO 27001"), (0.3, 0.25, 0.25, 0.2), ()),
        "reason": (("òpin ayé", "ìrọ́pò", "ìṣọ̀kan"), (0.4, 0.4, 0.2), ()),
        "auditor": (("olùyẹ̀wò ìta", "ẹ̀ka dídára", "oníbàárà"), (0.4, 0.3, 0.3), ()),
    },
}
RARE_VALUE_WEIGHT = 0.006
#: Categorical concepts that have rare values, and so can make a record rare.
RARE_VALUE_FIELDS = ("mode", "ups_mode", "state", "link", "result")

OPERATORS = {
    "sq": ("Arben", "Elira", "Besnik", "Drita", "Gentian", "Mimoza", "Ilir", "Teuta"),
    "az": ("Elvin", "Aysel", "Rəşad", "Günel", "Orxan", "Nigar", "Tural", "Ləman"),
    "yo": ("Adébáyọ̀", "Fúnmi", "Túndé", "Bọ́lá", "Kẹ́hìndé", "Ṣadé", "Ọlá", "Yẹ́misí"),
}

# Free text. No urgency marker ever appears in these.
NOTE_TEMPLATES = {
    "sq": ("Turni {shift}: u kontrolluan {n} rafte, asnjë vërejtje.",
           "Temperatura në korridorin {row} e qëndrueshme.",
           "U zëvendësua filtri në {entity}.",
           "Vizitë e planifikuar e furnitorit për {entity}.",
           "Dorëzim turni pa probleme, {n} tiketa të hapura.",
           "Testi mujor i gjeneratorit përfundoi, {n} minuta."),
    "az": ("{shift} növbəsi: {n} şkaf yoxlanıldı, qeyd yoxdur.",
           "{row} dəhlizində temperatur sabitdir.",
           "{entity} üzərində filtr dəyişdirildi.",
           "Təchizatçının {entity} üçün planlı səfəri.",
           "Növbə problemsiz təhvil verildi, {n} açıq müraciət.",
           "Generatorun aylıq sınağı bitdi, {n} dəqiqə."),
    "yo": ("Iyipo {shift}: a ṣàyẹ̀wò agbeko {n}, kò sí àkíyèsí.",
           "Ooru ní ọ̀nà {row} dúró déédé.",
           "A pààrọ̀ àlẹ̀mọ́ ní {entity}.",
           "Àbẹ̀wò olùpèsè tí a ṣètò fún {entity}.",
           "A fi iyipo lé lọ́wọ́ láìsí ìṣòro, tiketi {n} ṣí sílẹ̀.",
           "Ìdánwò oṣooṣù ẹ̀rọ amúnáwá parí, ìṣẹ́jú {n}."),
}
SUMMARY_TEMPLATES = {
    "sq": ("Zëvendësim i {part} në {entity}", "Përditësim firmware në {entity}",
           "Kontroll periodik i {part}", "Shtim kapaciteti në {entity}"),
    "az": ("{entity} üzərində {part} dəyişdirilməsi", "{entity} proqram təminatının yenilənməsi",
           "{part} dövri yoxlanışı", "{entity} tutumunun artırılması"),
    "yo": ("Ìyípadà {part} ní {entity}", "Ìmúdójúìwọ̀n sọ́fítíwià ní {entity}",
           "Àyẹ̀wò déédé ti {part}", "Àfikún agbára ní {entity}"),
}
PARTS = {
    "sq": ("filtrit", "baterive", "ventilatorit", "modulit optik", "kabllit të ushqimit"),
    "az": ("filtrin", "batareyaların", "ventilyatorun", "optik modulun", "qida kabelinin"),
    "yo": ("àlẹ̀mọ́", "bátìrì", "afẹ́fẹ́", "módù opitiki", "okùn iná"),
}

# Urgency in free text ("words" mode). Negated phrases are removed before markers are looked for.
WORDS_NEUTRAL = {
    "sq": ("Kontroll rutinë, pa vërejtje.", "Vlerat brenda kufijve.", "Për informacion.",
           "Shiko raportin e turnit.", "U njoftua furnitori."),
    "az": ("Adi yoxlama, qeyd yoxdur.", "Göstəricilər normadadır.", "Məlumat üçün.",
           "Növbə hesabatına baxın.", "Təchizatçıya məlumat verildi."),
    "yo": ("Àyẹ̀wò déédé, kò sí àkíyèsí.", "Àwọn iye wà ní ààlà.", "Fún ìmọ̀.",
           "Ẹ wo ìjábọ̀ iyipo.", "A ti sọ fún olùpèsè."),
}
WORDS_NEGATED = {
    "sq": ("Jo urgjent, kontrollo në turnin e ardhshëm.", "Nuk është urgjente.", "Jo urgjente; pa ngut."),
    "az": ("Təcili deyil, növbəti növbədə baxılsın.", "Heç bir təcililik yoxdur.", "Təcili deyil; tələsik deyil."),
    "yo": ("Kì í ṣe kánjúkánjú, ẹ wò ó ní iyipo tó ń bọ̀.", "Kò sí kánjúkánjú.",
           "Kì í ṣe kánjúkánjú; ẹ fi sílẹ̀ di ọ̀la."),
}
NEGATIONS = {
    "sq": ("jo urgjent", "nuk është urgjent"),
    "az": ("təcili deyil", "heç bir təcililik yoxdur"),
    "yo": ("kì í ṣe kánjúkánjú", "kò sí kánjúkánjú"),
}
WORDS_URGENT = {  # (p, phrases, marker)
    "sq": ((0.45, ("Kontrollo sa më shpejt.", "Duhet parë sa më shpejt."), "sa më shpejt"),
           (0.75, ("Urgjent: kërkohet ndërhyrje.", "URGJENT, thirrni teknikun."), "urgjent"),
           (1.0, ("Emergjencë! Njoftoni menjëherë menaxherin.", "Gjendje emergjence."), "emergjenc")),
    "az": ((0.45, ("Tezliklə yoxlanılsın.", "Tezliklə baxmaq lazımdır."), "tezliklə"),
           (0.75, ("Təcili: müdaxilə lazımdır.", "TƏCİLİ, texniki çağırın."), "təcili"),
           (1.0, ("Fövqəladə hal! Rəhbərliyə dərhal xəbər verin.", "Fövqəladə vəziyyət."), "fövqəladə")),
    "yo": ((0.45, ("Ẹ ṣàyẹ̀wò rẹ̀ láìpẹ́.", "Ó yẹ kí a wò ó láìpẹ́."), "láìpẹ́"),
           (0.75, ("Kánjúkánjú: a nílò ìdásí.", "Kánjúkánjú ni, ẹ pe onímọ̀ ẹ̀rọ."), "kánjúkánjú"),
           (1.0, ("Pàjáwìrì! Ẹ sọ fún alábòójútó lẹ́sẹ̀kẹsẹ̀.", "Ipò pàjáwìrì."), "pàjáwìrì")),
}
COLOURS = {  # routine first, then rising steps
    "sq": ("jeshile", "e verdhë", "portokalli", "e kuqe"),
    "az": ("yaşıl", "sarı", "narıncı", "qırmızı"),
    "yo": ("àwọ̀ ewé", "òféèfé", "ọsàn", "pupa"),
}
SEVERITY_WORDS = {  # two routine words, then rising steps
    "sq": ("normale", "e ulët", "mesatare", "e lartë", "kritike"),
    "az": ("normal", "aşağı", "orta", "yüksək", "kritik"),
    "yo": ("déédé", "kékeré", "àárín", "gíga", "ewu ńlá"),
}
STEP_P = (0.45, 0.75, 1.0)
STEP_W = (0.07, 0.05, 0.03)  # 15% of values off the routine step
LEVEL_DESC_P = {5: 0.0, 4: 0.0, 3: 0.45, 2: 0.75, 1: 1.0}
SLA_P = {1440: 0.0, 480: 0.0, 240: 0.0, 60: 0.45, 15: 0.75, 5: 1.0}
FLAG_P = 0.8

_ANOMALY_FLOOR = 5.0
_NEWS = 0.3


def anomaly_strength(k: float) -> float:
    """How much a reading ``k`` robust spreads from its kind's median matters: 0 below 5, then 0.4 to 1."""
    if k < _ANOMALY_FLOOR:
        return 0.0
    return min(1.0, 0.4 + 0.6 * (k - _ANOMALY_FLOOR) / 15.0)


def _style(tokens: tuple[str, ...], style: str) -> str:
    if style == "snake":
        return "_".join(tokens)
    if style == "camel":
        return tokens[0] + "".join(t[:1].upper() + t[1:] for t in tokens[1:])
    if style == "dotted":
        return ".".join(tokens)
    if style == "kebab":
        return "-".join(tokens)
    if style == "pascal":
        return "".join(t[:1].upper() + t[1:] for t in tokens)
    return "_".join(tokens).upper()


def _is_num(v: object) -> bool:
    return (type(v) is int or type(v) is float)


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def _quantile(s: list[float], q: float) -> float:
    return s[min(len(s) - 1, max(0, int(q * (len(s) - 1) + 0.5)))]


class DcWorkload:
    """A seeded data-centre operations stream with ground-truth importance (see the module docstring)."""

    dup_rate = 0.045
    near_dup_rate = 0.045
    resend_rate = 0.007
    burst_rate = 0.15  # share of news-carrying fresh records that start a burst
    tail_share = 0.55  # while a burst runs, how often the next record is one of its tails
    rare_rate = 0.003  # per rare kind
    anomaly_rate = 0.045  # per record of a kind that has readings to push

    def __init__(self, seed: int) -> None:
        rng = self.rng = random.Random(seed)
        self.seed = seed
        self.dialect = rng.choice(DIALECTS)
        self.prio_mode = rng.choice(PRIORITY_MODES)
        d = self.dialect
        self.key_style = rng.choice(KEY_STYLES)
        self.kind_style = rng.choice(KIND_STYLES)
        self.units = {"temp": rng.choice(("c", "f")), "power": rng.choice(("kw", "w")),
                      "fuel": rng.choice(("pct", "l"))}
        self.tank_l = rng.choice((1500, 2500, 4000, 6000))
        self.mains_hz = rng.choice((50.0, 60.0))
        # Kinds: 6-9 common (at least two carry priority), 1-3 rare (at least one never-priority).
        while True:
            common = rng.sample(COMMON_KINDS, rng.randint(6, 9))
            if sum(k in PRIORITY_KINDS for k in common) >= 2:
                break
        self.common = tuple(common)
        n_rare = rng.randint(1, 3)
        rare = [rng.choice(NEVER_PRIORITY_RARE)]
        rare += rng.sample([k for k in RARE_KINDS if k != rare[0]], n_rare - 1)
        rng.shuffle(rare)
        self.rare = tuple(rare)
        weights = [(1.0 / (i + 1) ** 0.7) * (1.6 if k in PRIORITY_KINDS else 1.0) for i, k in enumerate(self.common)]
        total = sum(weights)
        self.kind_weights = tuple(w / total for w in weights)
        self.kinds = self.common + self.rare
        self.kind_names = {k: _style(KIND_WORDS[d][k], self.kind_style) for k in self.kinds}
        self.kind_of = {name: k for k, name in self.kind_names.items()}
        # Field names.
        unit_tok = {"amps": "a", "volts": "v", "power": self.units["power"], "pf": "", "t_supply": self.units["temp"],
                    "t_return": self.units["temp"], "humidity": "pct", "fan": "pct", "charge": "pct",
                    "load": "pct", "runtime": "min", "fuel": self.units["fuel"], "hours": "h",
                    "coolant": self.units["temp"], "batt_v": "v", "temp": self.units["temp"],
                    "dewpoint": self.units["temp"], "util": "pct", "rx": "dbm", "duration": "min",
                    "freq": "hz", "thd": "pct", "cable_m": "m", "transfer_ms": "ms"}
        self.keys = {c: _style(w + ((unit_tok[c],) if unit_tok.get(c) else ()), self.key_style)
                     for c, w in KEY_WORDS[d].items()}
        self.prio_key = _style(PRIO_KEY_WORDS[d][self.prio_mode], self.key_style)
        self.prio_kinds = tuple(k for k in self.kinds if k in PRIORITY_KINDS or k in ALWAYS_PRIORITY_RARE)
        # Origins, and which of them ingest each kind.
        self.origins = tuple(PrivateKey(rng.getrandbits(256).to_bytes(32, "little")).peer_id
                             for _ in range(rng.randint(3, 10)))
        self.kind_origins = {k: tuple(rng.sample(self.origins, min(len(self.origins), rng.randint(1, 3))))
                             for k in self.kinds}
        # Entities, Zipf-weighted.
        self.code_sep = rng.choice(("-", "_", "", "."))
        self.code_upper = rng.random() < 0.7
        self.code_width = rng.choice((2, 3))
        sizes = {"rack": 40, "unit_crac": 8, "unit_ups": 4, "unit_genset": 3, "sensor": 60, "device": 12,
                 "door": 15, "board": 3, "zone": 10, "asset": 80, "model": 6}
        self.entities = {name: self._codes(name.split("_")[0], name.split("_")[1] if "_" in name else "", n)
                         for name, n in sizes.items()}
        self.zipf = {name: self._zipf_cum(n, rng.uniform(0.9, 1.3)) for name, n in sizes.items()}
        self.operators = OPERATORS[d]
        self.op_cum = self._zipf_cum(len(self.operators), 1.0)
        # Per-entity parameters (heavy tails and bimodality across entities).
        self.rack_amps = [math.exp(math.log(8.0) + 0.6 * max(-2.0, min(2.0, rng.gauss(0, 1)))) for _ in range(sizes["rack"])]
        self.rack_volts = [rng.choice((208.0, 230.0)) for _ in range(sizes["rack"])]
        self.rack_phase = [rng.uniform(0, 2 * math.pi) for _ in range(sizes["rack"])]
        self.crac_off = [rng.gauss(0, 0.5) for _ in range(sizes["unit_crac"])]
        self.ups_cap = [math.exp(rng.gauss(0, 0.35)) for _ in range(sizes["unit_ups"])]
        self.gen_hours = [rng.uniform(300, 12000) for _ in range(sizes["unit_genset"])]
        self.sensor_off = [rng.gauss(0, 1.2) for _ in range(sizes["sensor"])]
        self.device_lr = [rng.random() < 0.4 for _ in range(sizes["device"])]
        self.board_kw = [rng.uniform(150, 900) for _ in range(sizes["board"])]
        self.ticket_prefix = {"sq": "NDR", "az": "DYS", "yo": "IYP"}[d] if rng.random() < 0.5 else \
            rng.choice(("CHG", "MNT", "REQ"))
        self.ticket_no = rng.randint(1000, 90000)
        self.period = rng.randint(1500, 5000)
        self.count = 0
        # Priority encoding.
        self._setup_priority()
        # Robust statistics per common kind, from natural (anomaly-free) samples across the drift cycle.
        self.stats: dict[str, dict[str, tuple[float, float, bool]]] = {}
        for k in self.common:
            samples = [self._natural(k, rng.uniform(0, 2 * math.pi)) for _ in range(400)]
            st: dict[str, tuple[float, float, bool]] = {}
            for key, v in samples[0].items():
                if key == self.prio_key or not _is_num(v):
                    continue
                log = (k, self._concept(k, key)) in LOG_FIELDS
                xs = sorted(math.log1p(max(0.0, s[key])) if log else float(s[key]) for s in samples)
                med = _median(xs)
                mad = _median([abs(x - med) for x in xs])
                spread = max(1.4826 * mad, (_quantile(xs, 0.975) - _quantile(xs, 0.025)) / 4.0,
                             1e-3 * max(1.0, abs(med)))
                st[key] = (med, spread, log)
            self.stats[k] = st
        self._pool: deque[tuple[str, str, dict[str, Any]]] = deque(maxlen=300)
        self._last_ts = 0

    # --- world helpers ---------------------------------------------------------------------
    def _codes(self, what: str, kind: str, n: int) -> tuple[str, ...]:
        rng = self.rng
        words = KIND_WORDS[self.dialect][kind] if kind else KEY_WORDS[self.dialect][what]
        prefix = words[0][:3]
        prefix = prefix.upper() if self.code_upper else prefix.lower()
        nums = rng.sample(range(1, 10 ** self.code_width), n)
        return tuple(f"{prefix}{self.code_sep}{x:0{self.code_width}d}" for x in nums)

    def _zipf_cum(self, n: int, s: float) -> tuple[list[int], list[float]]:
        order = list(range(n))
        self.rng.shuffle(order)
        cum, acc = [], 0.0
        for i in range(n):
            acc += 1.0 / (i + 1) ** s
            cum.append(acc)
        return order, cum

    def _pick(self, name: str) -> int:
        order, cum = self.zipf[name]
        return order[self.rng.choices(range(len(order)), cum_weights=cum)[0]]

    def _concept(self, kind: str, key: str) -> str:
        for c in KIND_FIELDS[kind]:
            if self.keys[c] == key:
                return c
        return ""

    def _cat(self, concept: str) -> str:
        common, weights, rare = CATS[self.dialect][concept]
        if rare and self.rng.random() < RARE_VALUE_WEIGHT * len(rare):
            return self.rng.choice(rare)
        return self.rng.choices(common, weights=weights)[0]

    # --- priority ----------------------------------------------------------------------------
    def _setup_priority(self) -> None:
        rng, d, mode = self.rng, self.dialect, self.prio_mode
        # (value maker, p, weight) entries; makers return a field value.
        table: list[tuple[Callable[[], Any], float, float]] = []

        def const(v: Any) -> Callable[[], Any]:
            return lambda: v

        if mode == "level_desc":
            table = [(const(5), 0.0, 0.47), (const(4), 0.0, 0.38)]
            table += [(const(lvl), p, w) for lvl, p, w in zip((3, 2, 1), STEP_P, STEP_W, strict=True)]
        elif mode == "flag":
            table = [(const(False), 0.0, 0.85), (const(True), FLAG_P, 0.15)]
        elif mode == "colour":
            cols = COLOURS[d]
            table = [(const(cols[0]), 0.0, 0.85)]
            table += [(const(c), p, w) for c, p, w in zip(cols[1:], STEP_P, STEP_W, strict=True)]
        elif mode == "severity":
            sev = SEVERITY_WORDS[d]
            table = [(const(sev[0]), 0.0, 0.5), (const(sev[1]), 0.0, 0.35)]
            table += [(const(s), p, w) for s, p, w in zip(sev[2:], STEP_P, STEP_W, strict=True)]
        elif mode == "codes":
            letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
            codes: list[str] = []
            while len(codes) < 7:
                c = rng.choice(letters) + str(rng.randint(0, 9))
                if c not in codes:
                    codes.append(c)
            self.code_p = {c: (0.0 if i < 4 else STEP_P[i - 4]) for i, c in enumerate(codes)}
            table = [(const(c), 0.0, 0.85 / 4) for c in codes[:4]]
            table += [(const(c), p, w) for c, p, w in zip(codes[4:], (0.45, 0.75, 1.0), (0.06, 0.05, 0.04),
                                                          strict=True)]
        elif mode == "hexword":
            self.hex_upper = rng.random() < 0.5

            def hexval(step: int) -> Callable[[], str]:
                def make() -> str:
                    v = rng.randrange(4) << 14 | step << 12 | rng.randrange(4096)
                    return f"0x{v:04X}" if self.hex_upper else f"0x{v:04x}"
                return make
            table = [(hexval(0), 0.0, 0.85)]
            table += [(hexval(s), p, w) for s, p, w in zip((1, 2, 3), STEP_P, STEP_W, strict=True)]
        elif mode == "sla":
            table = [(const(1440), 0.0, 0.3), (const(480), 0.0, 0.3), (const(240), 0.0, 0.25)]
            table += [(const(m), p, w) for m, p, w in zip((60, 15, 5), STEP_P, STEP_W, strict=True)]
        else:  # words
            def text(pool: tuple[str, ...], lead: float) -> Callable[[], str]:
                def make() -> str:
                    s = rng.choice(pool)
                    if rng.random() < lead:
                        s = rng.choice(WORDS_NEUTRAL[d]) + " " + s
                    return s
                return make
            table = [(text(WORDS_NEUTRAL[d], 0.3), 0.0, 0.55), (text(WORDS_NEGATED[d], 0.4), 0.0, 0.30)]
            table += [(text(phrases, 0.4), p, w) for (p, phrases, _), w in zip(WORDS_URGENT[d], STEP_W, strict=True)]
        self.prio_table = table
        self.prio_cum = []
        acc = 0.0
        for _, _, w in table:
            acc += w
            self.prio_cum.append(acc)
        self.high_table = [e for e in table if e[1] >= 0.75]

    def _prio_value(self, high: bool = False) -> Any:
        if high:
            make = self.rng.choices(self.high_table, weights=[e[2] for e in self.high_table])[0][0]
        else:
            make = self.rng.choices(self.prio_table, cum_weights=self.prio_cum)[0][0]
        return make()

    def priority_of(self, kind: str, fields: dict[str, Any]) -> float:
        """The explicit priority a record carries, in [0, 1] (0 at the routine step or with no field)."""
        if kind not in self.prio_kinds:
            return 0.0
        v = fields.get(self.prio_key)
        if v is None:
            return 0.0
        mode = self.prio_mode
        if mode == "level_desc":
            return LEVEL_DESC_P.get(v, 0.0) if type(v) is int else 0.0
        if mode == "flag":
            return FLAG_P if v is True else 0.0
        if mode == "sla":
            return SLA_P.get(v, 0.0) if type(v) is int else 0.0
        if not isinstance(v, str):
            return 0.0
        if mode == "colour":
            cols = COLOURS[self.dialect]
            return STEP_P[cols.index(v) - 1] if v in cols[1:] else 0.0
        if mode == "severity":
            sev = SEVERITY_WORDS[self.dialect]
            return STEP_P[sev.index(v) - 2] if v in sev[2:] else 0.0
        if mode == "codes":
            return self.code_p.get(v, 0.0)
        if mode == "hexword":
            try:
                step = int(v, 16) >> 12 & 3
            except ValueError:
                return 0.0
            return STEP_P[step - 1] if step else 0.0
        text = v.lower()
        for neg in NEGATIONS[self.dialect]:
            text = text.replace(neg, " ")
        for p, _, marker in reversed(WORDS_URGENT[self.dialect]):
            if marker in text:
                return p
        return 0.0

    # --- truth -------------------------------------------------------------------------------
    def anomaly_k(self, kind: str, fields: dict[str, Any]) -> float:
        """The largest distance of a numeric field from the kind's median, in robust spreads."""
        st = self.stats.get(kind)
        if not st:
            return 0.0
        worst = 0.0
        for key, (med, spread, log) in st.items():
            v = fields.get(key)
            if isinstance(v, bool) or not isinstance(v, int | float):
                continue
            x = math.log1p(max(0.0, v)) if log else float(v)
            worst = max(worst, abs(x - med) / spread)
        return worst

    def rarity_of(self, kind: str, fields: dict[str, Any]) -> tuple[float, float]:
        """(rarity, its rare-kind part): 0.5 for a rare kind, 0.45 for a rare categorical value."""
        if kind in self.rare:
            return 0.5, 0.5
        for c in KIND_FIELDS[kind]:
            if c in RARE_VALUE_FIELDS and fields.get(self.keys[c]) in CATS[self.dialect][c][2]:
                return 0.45, 0.0
        return 0.0, 0.0

    def score(self, kind: str, fields: dict[str, Any]) -> tuple[float, str]:
        """Ground truth of a fresh record from its content alone: (importance, detail)."""
        a = 0.9 * anomaly_strength(self.anomaly_k(kind, fields))
        p = 0.9 * self.priority_of(kind, fields)
        r, rk = self.rarity_of(kind, fields)
        return noisy_or(0.04, a, p, r), main_reason(a, p, r, rk)

    # --- natural records -----------------------------------------------------------------------
    def _temp(self, c: float) -> float:
        return round(c * 1.8 + 32.0, 1) if self.units["temp"] == "f" else round(c, 1)

    def _power(self, kw: float) -> int | float:
        return int(round(kw * 1000)) if self.units["power"] == "w" else round(kw, 2)

    def _fuel(self, pct: float) -> int | float:
        return int(round(pct * self.tank_l / 100.0)) if self.units["fuel"] == "l" else round(pct, 1)

    def _canon_to_final(self, concept: str, x: float) -> float:
        if concept in ("t_supply", "t_return", "temp", "coolant", "dewpoint"):
            return self._temp(x)
        if concept == "power":
            return float(self._power(x))
        if concept == "fuel":
            return float(self._fuel(x))
        return x

    def _round_like(self, concept: str, old: Any, x: float) -> int | float:
        if type(old) is int:
            return int(round(x))
        decimals = {"pf": 3, "rx": 2, "freq": 3, "amps": 2, "power": 2, "thd": 2}.get(concept, 1)
        return round(x, decimals)

    def _natural(self, kind: str, phase: float) -> dict[str, Any]:
        rng, K = self.rng, self.keys
        g = rng.gauss
        f: dict[str, Any] = {}
        if kind == "pdu":
            i = self._pick("rack")
            amps = self.rack_amps[i] * (1 + 0.12 * math.sin(phase + self.rack_phase[i])) * math.exp(g(0, 0.08))
            volts = self.rack_volts[i] + g(0, 1.2)
            pf = 0.985 - min(0.016, abs(g(0, 0.006)))
            f = {K["rack"]: self.entities["rack"][i], K["phase"]: rng.choice(("L1", "L2", "L3")),
                 K["amps"]: round(amps, 2), K["volts"]: round(volts, 1),
                 K["power"]: self._power(amps * volts * pf / 1000.0), K["pf"]: round(pf, 3)}
        elif kind == "crac":
            i = self._pick("unit_crac")
            sup = 18.0 + 1.0 * math.sin(phase) + self.crac_off[i] + g(0, 0.35)
            fan = g(45, 3) if rng.random() < 0.5 else min(100.0, g(82, 3))
            f = {K["unit"]: self.entities["unit_crac"][i], K["t_supply"]: self._temp(sup),
                 K["t_return"]: self._temp(sup + 10.0 + g(0, 0.9)),
                 K["humidity"]: round(min(100.0, max(0.0, 45 + g(0, 3.5))), 1),
                 K["fan"]: int(round(fan)), K["mode"]: self._cat("mode")}
        elif kind == "ups":
            i = self._pick("unit_ups")
            load = 42 + 8 * math.sin(0.7 * phase + i) + g(0, 3)
            charge = 100.0 if rng.random() < 0.4 else 100.0 - min(1.4, abs(g(0, 0.6)))
            runtime = 3200.0 / max(5.0, load) * self.ups_cap[i] * math.exp(g(0, 0.1))
            f = {K["unit"]: self.entities["unit_ups"][i], K["charge"]: round(charge, 1),
                 K["load"]: round(load, 1), K["runtime"]: max(1, int(round(runtime))),
                 K["ups_mode"]: self._cat("ups_mode")}
        elif kind == "genset":
            i = self._pick("unit_genset")
            state = self._cat("state")
            running = state == CATS[self.dialect]["state"][0][1]
            coolant = g(82, 3) if running else g(38, 2)
            f = {K["unit"]: self.entities["unit_genset"][i], K["fuel"]: self._fuel(100 - 6 * rng.betavariate(2, 3)),
                 K["hours"]: round(self.gen_hours[i] + 0.002 * self.count, 1), K["coolant"]: self._temp(coolant),
                 K["state"]: state, K["batt_v"]: round(27.2 + g(0, 0.15), 2)}
        elif kind == "env":
            i = self._pick("sensor")
            t = 22 + self.sensor_off[i] + 1.0 * math.sin(phase) + g(0, 0.4)
            rh = min(100.0, max(1.0, 45 + g(0, 5)))
            gamma = math.log(rh / 100.0) + 17.62 * t / (243.12 + t)
            dew = 243.12 * gamma / (17.62 - gamma)
            f = {K["sensor"]: self.entities["sensor"][i], K["temp"]: self._temp(t), K["humidity"]: round(rh, 1),
                 K["dewpoint"]: self._temp(dew), K["particles"]: int(math.exp(g(math.log(1200), 0.5)))}
        elif kind == "switch":
            i = self._pick("device")
            crc = 0 if rng.random() < 0.3 else int(math.exp(g(math.log(5), 0.9)))
            rx = g(-7.0, 0.8) if self.device_lr[i] else g(-2.5, 0.6)
            f = {K["device"]: self.entities["device"][i], K["port"]: rng.randint(1, 48), K["crc"]: crc,
                 K["util"]: round(min(100.0, math.exp(g(math.log(30), 0.5))), 1), K["rx"]: round(rx, 2),
                 K["link"]: self._cat("link")}
        elif kind == "badge":
            f = {K["door"]: self.entities["door"][self._pick("door")], K["badge_no"]: rng.randint(10000, 99999),
                 K["result"]: self._cat("result"), K["direction"]: self._cat("direction")}
        elif kind == "ticket":
            self.ticket_no += 1
            ent = self._random_entity()
            summary = rng.choice(SUMMARY_TEMPLATES[self.dialect]).format(
                part=rng.choice(PARTS[self.dialect]), entity=ent)
            f = {K["ticket_id"]: f"{self.ticket_prefix}-{self.ticket_no:06d}", K["category"]: self._cat("category"),
                 K["summary"]: summary, K["status"]: self._cat("status"),
                 K["duration"]: max(1, int(math.exp(g(math.log(90), 0.6))))}
        elif kind == "note":
            shift = self._cat("shift")
            text = rng.choice(NOTE_TEMPLATES[self.dialect]).format(
                shift=shift, n=rng.randint(2, 40), row=rng.choice("ABCDEFGH"), entity=self._random_entity())
            op = self.operators[self.op_cum[0][rng.choices(range(len(self.operators)), cum_weights=self.op_cum[1])[0]]]
            f = {K["operator"]: op, K["shift"]: shift, K["text"]: text}
        elif kind == "meter":
            i = self._pick("board")
            kw = self.board_kw[i] * (1 + 0.1 * math.sin(phase)) + g(0, 6)
            f = {K["board"]: self.entities["board"][i], K["power"]: self._power(kw),
                 K["freq"]: round(self.mains_hz + g(0, 0.015), 3),
                 K["thd"]: round(math.exp(g(math.log(3.0), 0.25)), 2)}
        elif kind == "fire":
            f = {K["zone"]: self.entities["zone"][self._pick("zone")], K["agent"]: self._cat("agent"),
                 K["cylinders"]: rng.randint(1, 6)}
        elif kind == "leak":
            f = {K["zone"]: self.entities["zone"][self._pick("zone")], K["cable_m"]: round(rng.uniform(0.5, 120), 1)}
        elif kind == "feedloss":
            f = {K["board"]: self.entities["board"][self._pick("board")], K["feed"]: self._cat("feed"),
                 K["transfer_ms"]: rng.randint(4, 40)}
        elif kind == "audit":
            f = {K["auditor"]: self._cat("auditor"), K["scope"]: self._cat("scope"), K["visitors"]: rng.randint(1, 6)}
        elif kind == "decom":
            f = {K["asset"]: self.entities["asset"][self._pick("asset")],
                 K["rack"]: self.entities["rack"][self._pick("rack")], K["reason"]: self._cat("reason")}
        elif kind == "firmware":
            f = {K["model"]: self.entities["model"][self._pick("model")],
                 K["version"]: f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}"}
        if kind in self.prio_kinds:
            f[self.prio_key] = self._prio_value(high=kind in ALWAYS_PRIORITY_RARE)
        return f

    def _random_entity(self) -> str:
        name = self.rng.choice(("rack", "unit_crac", "unit_ups", "device", "board"))
        return self.entities[name][self._pick(name)]

    def _push_anomaly(self, kind: str, f: dict[str, Any]) -> bool:
        """Push one reading of ``f`` 6-25 robust spreads from the kind's median; False if none can move."""
        rng = self.rng
        options = []
        for key, (med, spread, log) in self.stats.get(kind, {}).items():
            c = self._concept(kind, key)
            dirs = ANOMALY_DIRS.get((kind, c), "")
            lo_c, hi_c = BOUNDS.get(c, (-1e9, 1e9))
            lo, hi = self._canon_to_final(c, lo_c), self._canon_to_final(c, hi_c)
            if log:
                lo, hi = math.log1p(max(0.0, lo)), math.log1p(max(0.0, hi))
            for d in dirs:
                kmax = ((hi - med) if d == "+" else (med - lo)) / spread
                if kmax >= 6.5:
                    options.append((key, c, med, spread, log, 1.0 if d == "+" else -1.0, min(25.0, kmax)))
        if not options:
            return False
        key, c, med, spread, log, sign, kmax = rng.choice(options)
        k = rng.uniform(6.0, kmax)
        x = med + sign * k * spread
        f[key] = self._round_like(c, f[key], math.expm1(x) if log else x)
        return True

    # --- copies ----------------------------------------------------------------------------
    def _near(self, f: dict[str, Any]) -> dict[str, Any]:
        """Another sensor's reading of the same event: rounded numbers, re-cased words, re-typed codes."""
        rng = self.rng
        g = dict(f)
        keys = list(g)
        rng.shuffle(keys)
        changed, want = 0, rng.randint(1, 2)
        for key in keys:
            if changed >= want:
                break
            v = g[key]
            if type(v) is float:
                r = round(v, max(0, len(repr(v).split(".")[-1]) - 1)) if "." in repr(v) else v
                if r == v:
                    r = float(int(v)) if v != int(v) else v
                if r != v:
                    g[key] = r
                    changed += 1
            elif type(v) is str and v:
                if any(ch in v for ch in "-_.") and rng.random() < 0.6:
                    seps = [s for s in ("-", "_", "", ".") if s != self.code_sep]
                    w = v.replace(self.code_sep, rng.choice(seps)) if self.code_sep else v
                else:
                    w = rng.choice((v.upper(), v.lower(), v.title()))
                if w == v:
                    w = v.swapcase()
                if w != v:
                    g[key] = w
                    changed += 1
            elif type(v) is int and rng.random() < 0.3:
                g[key] = str(v)
                changed += 1
        if changed == 0:
            for key in keys:
                v = g[key]
                if type(v) is str and v.swapcase() != v:
                    g[key] = v.swapcase()
                    break
                if type(v) is int:
                    g[key] = str(v)
                    break
        return g

    def _jitter(self, f: dict[str, Any]) -> dict[str, Any]:
        g = dict(f)
        for key, v in g.items():
            if type(v) is float and key != self.prio_key:
                text = repr(v)
                decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 3
                g[key] = round(v * (1 + self.rng.gauss(0, 0.002)), decimals)
        return g

    # --- the stream ------------------------------------------------------------------------
    def _fresh_kind(self) -> str:
        rng = self.rng
        for k in self.rare:
            if rng.random() < self.rare_rate:
                return k
        return rng.choices(self.common, weights=self.kind_weights)[0]

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """``n`` labelled records in time order, ending near ``now_ms`` (never before earlier ones)."""
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        rng = self.rng
        # Drafts: (kind, origin, fields, importance, case, ref, detail, gap_ms).
        drafts: list[tuple[str, str, dict[str, Any], float, str, int, str, int]] = []
        bursts: list[list[Any]] = []  # [head index, kind, origin, fields, tails left, head importance]
        sources: list[int] = []
        pool = list(self._pool)
        news: list[tuple[str, str, dict[str, Any]]] = []
        for i in range(n):
            if bursts and rng.random() < self.tail_share:
                b = bursts[rng.randrange(len(bursts))]
                head, kind, origin, fields, _, head_imp = b
                drafts.append((kind, origin, self._jitter(fields), min(0.02, 0.1 * head_imp), "burst_tail", head, "",
                               rng.randint(5, 400)))
                b[4] -= 1
                if b[4] <= 0:
                    bursts.remove(b)
                continue
            u = rng.random()
            recent = sources[-40:]
            gap = 1 + int(rng.expovariate(1 / 220.0))
            if u < self.dup_rate and recent:
                src = rng.choice(recent)
                kind, origin, fields, imp = drafts[src][0], drafts[src][1], drafts[src][2], drafts[src][3]
                if rng.random() < 0.3:
                    origin = rng.choice(self.origins)
                drafts.append((kind, origin, dict(fields), 0.05 * imp, "dup", src, "", gap))
                continue
            if u < self.dup_rate + self.near_dup_rate and recent:
                src = rng.choice(recent)
                kind, origin, fields, imp = drafts[src][0], drafts[src][1], drafts[src][2], drafts[src][3]
                if rng.random() < 0.6:
                    origin = rng.choice(self.origins)
                drafts.append((kind, origin, self._near(fields), 0.1 * imp, "near_dup", src, "", gap))
                continue
            if u < self.dup_rate + self.near_dup_rate + self.resend_rate and pool:
                kind, origin, fields = rng.choice(pool)
                drafts.append((kind, origin, dict(fields), 0.01, "resend", -1, "", gap))
                continue
            kind = self._fresh_kind()
            self.count += 1
            fields = self._natural(kind, 2 * math.pi * self.count / self.period)
            if kind in self.common and rng.random() < self.anomaly_rate:
                self._push_anomaly(kind, fields)
            origin = rng.choice(self.kind_origins[kind])
            imp, detail = self.score(kind, fields)
            case = "routine"
            if detail in ("anomaly", "priority") and rng.random() < self.burst_rate:
                case = "burst_head"
                tails = max(2, min(40, int(2 * rng.paretovariate(1.1))))
                bursts.append([i, kind, origin, fields, tails, imp])
            drafts.append((kind, origin, fields, imp, case, -1, detail, gap))
            sources.append(i)
            if imp >= _NEWS:
                news.append((kind, origin, fields))
        total = sum(d[7] for d in drafts)
        ts = max(self._last_ts + 1, now_ms - total)
        out: list[LabeledRecord] = []
        for kind, origin, fields, imp, case, ref, detail, gap in drafts:
            ts += gap
            rec = Record.create(self.kind_names[kind], origin, ts, fields)
            out.append(LabeledRecord(rec, imp, case, ref, detail))
        self._last_ts = ts
        self._pool.extend(news)
        return out

    def next_batch(self, n: int, now_ms: int) -> list[tuple[Record, float]]:
        """The same stream without labels beyond importance: (record, importance) pairs."""
        return [(lr.record, lr.importance) for lr in self.next_labeled(n, now_ms)]
