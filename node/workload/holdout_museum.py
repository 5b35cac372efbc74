"""Held-out family ``museum``: a museum and archive network's operations. Used ONLY by evaluation.

Theory of operation
-------------------
A held-out family written blind (docs/holdout-museum.md): nobody tunes the model on it, and it shares no
code path, name, distribution or vocabulary with the training generators or the other held-out
families. Only :class:`LabeledRecord`, :func:`noisy_or` and :func:`main_reason` (the definition's truth
helpers) and :class:`Record` are imported; the event simulation, the field generators and the
vocabularies are this module's own. Training never imports it (tests/node/test_holdout_museum.py).

One seed is one museum network: 3-8 sites (site 0 the main house with the conservation lab and the
digitisation studio), each a gateway (the ``origins``, peer ids from :data:`SITE_IDS`, Zipf busy). A
site has galleries and stores with climate set points of their own, objects on display under light
limits of their own, vibration sensors, gate counters, doors, pest traps and shop tills. The world
draws, from one ``random.Random(seed)``:

- a dialect: ``lv`` Latvian, ``hy`` Armenian (Armenian script) or ``uz`` Uzbek (Latin, with ``oʻ gʻ``),
  which names every kind, field, category and note and writes the numbers (below);
- a naming style for kinds (UPPER_SNAKE, dotted, slash, PascalCase) and one for fields (snake, camel,
  kebab, UPPER, Title Case with spaces), drawn apart from the dialect;
- gallery climate, gate counters and conservation treatment records (always) plus 2-5 of seven other
  common kinds (light exposure, vibration, object loans and courier moves, door events, pest traps,
  digitisation jobs, shop and ticket sales), and 1-3 of five rare kinds (water leak near the
  collection, object damage report, alarm activation, theft or attempted theft, fire-suppression
  discharge), each 0.2-0.8% of the fresh records;
- one of eight priority forms (``prio_mode``; the field ``prio_key``) carried by loans, treatments,
  digitisation jobs, damage reports, leaks and thefts only (leaks and thefts always raised);
- case rates, a mean gap (120 ms-2 s), a burst clock and the sites' time zone (opening hours).

Numbers by dialect: ``lv`` writes measured quantities as strings with a decimal comma and the unit
(``"21,4 °C"``, ``"48,2 %"``, ``"152 lx"``, ``"0,42 mm/s"``, ``"845,3 MB"``, ``"12,50 €"``); ``hy``
plain numbers, temperatures in °C or (35% of worlds) °F and light in lux or (30%) foot-candles, the unit
in the field name, money in whole drams; ``uz`` plain numbers in °C and lux, file sizes in whole KB,
money in whole soʻm (rounded to 500).

Arrivals: a discrete-event simulation. Climate rooms, gate counters, lit objects and pest traps poll on
periods of their own (jittered, phases apart); everything else arrives as Poisson sources per kind.
Every arrival may instead be a forwarded copy (exact or re-typed), a re-send of earlier news or the
head of a burst; a burst's tails run on their own clock (period 4-20% of the mean gap, jittered) in
the same event queue, interleaved with the stream, and never outgrow their batch.

Truth (docs/holdout.md's definition): routine records and burst heads are
``noisy_or(0.04, 0.9 a, 0.9 p, rarity)``, ``detail = main_reason(...)``. ``a``: each watched number's
distance k from its kind's median in spreads (spread = central 95% width / 3.92 of 600 routine draws
made with the world, read back from what the record writes, in log space for positive skewed fields,
log1p for zero-inflated seconds); ``a = 0`` below 4.5, else ``min(1, (k - 2.5) / 4)``. Routine draws
stay under 4 spreads (redrawn otherwise), an anomaly puts one number 4.5-11 spreads off in the direction
that means trouble. ``p``: the step's strength 0.4 / 0.6 / 0.8 / 1.0 (a raised flag 0.9), read back
from the record. ``rarity`` 0.5 for a rare kind, 0.45 for a rare value (a forced door, termites in a
trap, active mould found in a treatment). Exact copies 5% of their source, near copies 10%, burst tails
a tenth of the head (at least 0.02), re-sends 1% (same gateway) or 2% (another) of the earlier record.
"""

from __future__ import annotations

import heapq
import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.record import Record

DIALECTS = ("lv", "hy", "uz")
PRIORITY_MODES = ("words", "colour", "flag", "grade", "code", "hours", "notify", "class")
COMMON_KINDS = ("climate", "light", "vibration", "visitors", "loan", "treatment", "door", "pest",
                "digitise", "sales")
RARE_KINDS = ("leak", "damage", "alarm", "theft", "suppression")
ALWAYS_PRESENT = ("climate", "visitors", "treatment")
CARRIERS = frozenset({"loan", "treatment", "digitise", "leak", "damage", "theft"})
ALWAYS_RAISED = frozenset({"leak", "theft"})
PERIODIC = frozenset({"climate", "visitors", "light", "pest"})
BURST_KINDS = ("climate", "light", "vibration", "visitors", "door", "loan", "digitise")
KIND_STYLES = ("upper", "dotted", "slash", "pascal")
FIELD_STYLES = ("snake", "camel", "kebab", "upper", "title")
STEP_STRENGTH = (0.0, 0.4, 0.6, 0.8, 1.0)
FLAG_STRENGTH = 0.9
ANOMALY_K = 4.5  # an anomaly is at least this many spreads off
ANOMALY_MAX_K = 11.0
ROUTINE_K = 4.0  # routine draws stay under this many spreads
TAIL_FLOOR = 0.02
CALIBRATION_DRAWS = 600

# Ed25519 peer ids of sha256("holdout-museum-site/{i}") (tests derive them again).
SITE_IDS = (
    "12D3KooWAEFMW2W27aqXxVc2Kd2eC8j485TCFyyHw9Zdx37qPCGC",
    "12D3KooWRQNP1JsKV9qw3Z79mvUDFSBaeejJgQSez8K8nEZ764Kj",
    "12D3KooWSQeFUSE5RjKYciC2NSiZJkVFpqCn6d8UBySfiAz2d1ZM",
    "12D3KooWB86NbgzyiPwXkKUWLRKLfnE4rLcMfvSjfFHSgK3CJu5C",
    "12D3KooWDXCc5nsdHBWoZQ4HYa6rG75XqzBmSL5n4wP5SxjvLWbh",
    "12D3KooWSU8SiNDiuVkWYTxEWBxyMsCDQeef6pvidyGJySbEjvbq",
    "12D3KooWCuKMtkrSw9Ayjdes7syJWkrPNWSteZgufuq1fLx8eWnA",
    "12D3KooWJYbc8D6Qk55BcJQBz2nDg5EFEvakRViLz8jzUTdqUDDd",
)

# ---------------------------------------------------------------- vocabularies (lv, hy, uz)

KIND_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "climate": (("zāles", "klimats"), ("սրահի", "կլիմա"), ("xona", "iqlimi")),
    "light": (("gaismas", "ekspozīcija"), ("լույսի", "ազդեցություն"), ("yorugʻlik", "taʼsiri")),
    "vibration": (("vibrācijas", "mērījums"), ("թրթռման", "չափում"), ("tebranish", "oʻlchovi")),
    "visitors": (("apmeklētāju", "skaitītājs"), ("այցելուների", "հաշվիչ"), ("tashrifchilar", "hisoblagichi")),
    "loan": (("aizdevuma", "pārvadājums"), ("փոխառության", "տեղափոխում"), ("ijara", "tashuvi")),
    "treatment": (("restaurācijas", "ieraksts"), ("վերականգնման", "գրառում"), ("restavratsiya", "yozuvi")),
    "door": (("durvju", "notikums"), ("դռան", "իրադարձություն"), ("eshik", "hodisasi")),
    "pest": (("kaitēkļu", "slazds"), ("վնասատուների", "թակարդ"), ("zararkunanda", "tuzogʻi")),
    "digitise": (("digitalizācijas", "darbs"), ("թվայնացման", "աշխատանք"), ("raqamlashtirish", "ishi")),
    "sales": (("kases", "pārdošana"), ("դրամարկղի", "վաճառք"), ("kassa", "savdosi")),
    "leak": (("ūdens", "noplūde"), ("ջրի", "արտահոսք"), ("suv", "oqishi")),
    "damage": (("priekšmeta", "bojājums"), ("առարկայի", "վնասում"), ("buyum", "shikastlanishi")),
    "alarm": (("signalizācijas", "trauksme"), ("ազդանշանային", "տագնապ"), ("signalizatsiya", "xavfi")),
    "theft": (("zādzības", "ziņojums"), ("գողության", "հաղորդում"), ("oʻgʻirlik", "xabari")),
    "suppression": (("ugunsdzēšanas", "aktivizācija"), ("հրդեհաշիջման", "գործարկում"), ("yongʻin", "oʻchirgich")),
}

# Semantic field -> words per dialect (a unit token is appended for some, per world).
FIELD_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "room": (("telpa",), ("սենյակ",), ("xona",)),
    "temp": (("temperatūra",), ("ջերմաստիճան",), ("harorat",)),
    "rh": (("relatīvais", "mitrums"), ("հարաբերական", "խոնավություն"), ("nisbiy", "namlik")),
    "setpoint": (("iestatītā", "temperatūra"), ("սահմանված", "ջերմաստիճան"), ("belgilangan", "harorat")),
    "hvac": (("ventilācijas", "režīms"), ("օդափոխության", "ռեժիմ"), ("shamollatish", "rejimi")),
    "clock": (("laiks",), ("ժամը",), ("vaqt",)),
    "object": (("inventāra", "nr"), ("գույքահամար",), ("inventar", "raqami")),
    "lux": (("apgaismojums",), ("լուսավորվածություն",), ("yoritilganlik",)),
    "uv": (("uv", "starojums"), ("ուլտրամանուշակագույն",), ("uf", "nurlanish")),
    "luxhours": (("lukshstundas",), ("լյուքս", "ժամեր"), ("lyuks", "soatlar")),
    "sensor": (("sensors",), ("տվիչ",), ("datchik",)),
    "peak": (("maksimālais", "ātrums"), ("գագաթնային", "արագություն"), ("eng", "yuqori", "tezlik")),
    "freq": (("frekvence",), ("հաճախականություն",), ("chastota",)),
    "vsource": (("avots",), ("աղբյուր",), ("manba",)),
    "gallery": (("ekspozīcijas", "zāle"), ("ցուցասրահ",), ("galereya",)),
    "count": (("apmeklētāji",), ("այցելուներ",), ("tashrifchilar",)),
    "total": (("kopā", "šodien"), ("ընդամենը", "այսօր"), ("bugun", "jami")),
    "dwell": (("uzturēšanās", "sekundes"), ("մնալու", "վայրկյաններ"), ("qolish", "soniyalari")),
    "loan_id": (("aizdevuma", "nr"), ("փոխառության", "համար"), ("ijara", "raqami")),
    "stage": (("posms",), ("փուլ",), ("bosqich",)),
    "partner": (("partnerinstitūcija",), ("գործընկեր", "հաստատություն"), ("hamkor", "muassasa")),
    "crate_temp": (("kastes", "temperatūra"), ("արկղի", "ջերմաստիճան"), ("quti", "harorati")),
    "shock": (("trieciens", "g"), ("հարված", "g"), ("zarba", "g")),
    "courier": (("kurjers",), ("սուրհանդակ",), ("kuryer",)),
    "conservator": (("restaurators",), ("վերականգնող",), ("restavrator",)),
    "method": (("procedūra",), ("ընթացակարգ",), ("muolaja",)),
    "hours": (("darba", "stundas"), ("աշխատաժամեր",), ("ish", "soatlari")),
    "finding": (("konstatēts",), ("արձանագրված",), ("aniqlandi",)),
    "note": (("piezīme",), ("նշում",), ("izoh",)),
    "door": (("durvis",), ("դուռ",), ("eshik",)),
    "event": (("notikums",), ("իրադարձություն",), ("hodisa",)),
    "badge": (("caurlaide",), ("անցաքարտ",), ("ruxsatnoma",)),
    "held": (("atvērtas", "sekundes"), ("բաց", "վայրկյան"), ("ochiq", "soniya")),
    "seq": (("notikuma", "nr"), ("հերթական", "համար"), ("tartib", "raqami")),
    "trap": (("slazds",), ("թակարդ",), ("tuzoq",)),
    "species": (("suga",), ("տեսակ",), ("tur",)),
    "pest_count": (("skaits",), ("քանակ",), ("soni",)),
    "days": (("dienas", "kopš", "pārbaudes"), ("օր", "ստուգումից"), ("tekshiruvdan", "beri", "kun")),
    "job": (("darba", "nr"), ("աշխատանքի", "համար"), ("ish", "raqami")),
    "collection": (("kolekcija",), ("հավաքածու",), ("kolleksiya",)),
    "pages": (("lapas",), ("էջեր",), ("sahifalar",)),
    "size": (("apjoms",), ("ծավալ",), ("hajm",)),
    "dpi": (("izšķirtspēja",), ("կետայնություն",), ("tiniqlik",)),
    "operator": (("operators",), ("օպերատոր",), ("operator",)),
    "till": (("kase",), ("դրամարկղ",), ("kassa",)),
    "item": (("prece",), ("ապրանք",), ("mahsulot",)),
    "qty": (("daudzums",), ("քանակություն",), ("miqdor",)),
    "amount": (("summa",), ("գումար", "դրամ"), ("summa", "soʻm")),
    "receipt": (("čeka", "nr"), ("կտրոն",), ("chek", "raqami")),
    "moisture": (("mitruma", "sensors"), ("խոնավության", "տվիչ"), ("namlik", "datchigi")),
    "description": (("apraksts",), ("նկարագրություն",), ("tavsif",)),
    "reporter": (("ziņotājs",), ("հաղորդող",), ("xabarchi",)),
    "zone": (("zona",), ("գոտի",), ("hudud",)),
    "alarm_type": (("trauksmes", "veids"), ("տագնապի", "տեսակ"), ("signal", "turi")),
    "outcome": (("iznākums",), ("ելք",), ("natija",)),
    "agent": (("dzēšanas", "viela"), ("մարող", "նյութ"), ("oʻchirish", "vositasi")),
    "pressure": (("spiediens", "bar"), ("ճնշում", "բար"), ("bosim", "bar")),
}

PRIO_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "words": (("steidzamība",), ("շտապողականություն",), ("shoshilinchlik",)),
    "colour": (("birkas", "krāsa"), ("պիտակի", "գույն"), ("yorliq", "rangi")),
    "flag": (("ziņot", "vadībai"), ("տեղեկացնել", "ղեկավարին"), ("rahbarga", "xabar")),
    "grade": (("riska", "pakāpe"), ("ռիսկի", "աստիճան"), ("xavf", "darajasi")),
    "code": (("statusa", "kods"), ("կարգավիճակի", "կոդ"), ("holat", "kodi")),
    "hours": (("stundas", "līdz", "riskam"), ("ժամ", "մինչև", "վտանգ"), ("xavfgacha", "soat")),
    "notify": (("informēt",), ("ծանուցել",), ("xabardor", "qilish")),
    "class": (("reakcijas", "klase"), ("արձագանքի", "դաս"), ("javob", "sinfi")),
}

# Priority values per step 0 (routine) .. 4.
WORDS = (("ikdienišķs", "zems", "vidējs", "steidzams", "kritisks"),
         ("սովորական", "ցածր", "միջին", "հրատապ", "կրիտիկական"),
         ("odatiy", "past", "oʻrta", "shoshilinch", "favqulodda"))
COLOURS = (("zaļš", "dzeltens", "oranžs", "sarkans", "melns"),
           ("կանաչ", "դեղին", "նարնջագույն", "կարմիր", "սև"),
           ("yashil", "sariq", "toʻq sariq", "qizil", "qora"))
FLAGS: tuple[tuple[Any, Any], ...] = (("jā", "nē"), (True, False), ("ha", "yoʻq"))  # (raised, routine)
GRADES = (("A", "B", "C", "D", "E"), ("Ա", "Բ", "Գ", "Դ", "Ե"), ("A", "B", "C", "D", "E"))
CODE_PREFIX = ("S", "Կ", "H")
CODE_NUMBERS = (90, 40, 30, 20, 10)
HOURS = ((168, 720), (48, 167), (12, 47), (3, 11), (0, 2))  # hours until the object is at risk
NOTIFY = (("neviens", "dežurējošais restaurators", "krājuma glabātājs", "direktors", "glābšanas dienests"),
          ("ոչ ոք", "հերթապահ վերականգնող", "ֆոնդապահ", "տնօրեն", "փրկարար ծառայություն"),
          ("hech kim", "navbatchi restavrator", "fond saqlovchisi", "direktor", "qutqaruv xizmati"))

TOWNS = (("RIG", "CES", "LIE", "DAU", "VEN", "JEL", "TUK", "SIG"),
         ("ԵՐՎ", "ԳՅՄ", "ՎՆՁ", "ԴԻԼ", "ԷՋՄ", "ԳՌՍ", "ՍՎՆ", "ԻՋՎ"),
         ("TOS", "SAM", "BUX", "XIV", "NUK", "FAR", "AND", "NAM"))
ROOM_WORDS = (("zāle", "krātuve"), ("սրահ", "պահոց"), ("zal", "ombor"))
STORE_LETTERS = (("A", "B", "C", "D"), ("Ա", "Բ", "Գ", "Դ"), ("A", "B", "V", "G"))
SURNAMES = (("Bērziņš", "Kalniņa", "Ozols", "Liepiņa", "Krūmiņš", "Zariņa", "Jansons", "Vītola", "Ēķis"),
            ("Հովհաննիսյան", "Սարգսյան", "Պետրոսյան", "Գրիգորյան", "Մկրտչյան", "Հարությունյան", "Ավետիսյան",
             "Ղազարյան"),
            ("Karimov", "Yusupova", "Rahimov", "Toshmatova", "Oʻrinboyev", "Gʻulomova", "Qodirov", "Ismoilova"))
INITIALS = (("A", "I", "J", "L", "M", "D", "Ē", "K"), ("Ա", "Հ", "Գ", "Մ", "Ս", "Լ", "Ն", "Ա"),
            ("A", "D", "Sh", "M", "N", "Z", "Gʻ", "B"))
PARTNERS = (("Rundāles pils muzejs", "Latvijas Nacionālais mākslas muzejs", "Rīgas vēstures un kuģniecības muzejs",
             "Latvijas Nacionālā bibliotēka", "Cēsu muzejs", "Ermitāžas krājums"),
            ("Ազգային պատկերասրահ", "Մատենադարան", "Հայաստանի պատմության թանգարան", "Սարյանի տուն-թանգարան",
             "Գյումրու թանգարան", "Էջմիածնի գանձատուն"),
            ("Davlat sanʼat muzeyi", "Samarqand muzey-qoʻriqxonasi", "Buxoro davlat muzeyi", "Savitskiy muzeyi",
             "Temuriylar tarixi muzeyi", "Xiva Ichan qalʼa"))
STAGES = (("iepakots", "ceļā", "pienācis", "stāvokļa pārbaude", "izstādīts"),
          ("փաթեթավորված", "ճանապարհին", "ժամանել է", "վիճակի ստուգում", "ցուցադրված"),
          ("qadoqlangan", "yoʻlda", "yetib keldi", "holat tekshiruvi", "koʻrgazmada"))
HVAC = (("sildīšana", "dzesēšana", "dīkstāve", "sausināšana", "mitrināšana"),
        ("տաքացում", "սառեցում", "պարապուրդ", "չորացում", "խոնավացում"),
        ("isitish", "sovutish", "kutish", "quritish", "namlash"))
VSOURCES = (("būvdarbi", "apmeklētāji", "satiksme", "tehnika"),
            ("շինարարություն", "այցելուներ", "երթևեկություն", "սարքավորում"),
            ("qurilish", "tashrifchilar", "transport", "uskuna"))
METHODS = (("tīrīšana", "konsolidācija", "retušēšana", "stabilizācija", "montāža", "dezinsekcija"),
           ("մաքրում", "ամրացում", "ռետուշ", "կայունացում", "մոնտաժ", "ախտահանում"),
           ("tozalash", "mustahkamlash", "retush", "barqarorlashtirish", "montaj", "dezinseksiya"))
FINDINGS = (("bez izmaiņām", "nelielas plaisas", "krāsas atslāņošanās", "putekļi", "vecs remonts"),
            ("առանց փոփոխության", "փոքր ճաքեր", "ներկի շերտազատում", "փոշի", "հին վերանորոգում"),
            ("oʻzgarishsiz", "mayda yoriqlar", "boʻyoq koʻchishi", "chang", "eski taʼmir"))
NOTE_PHRASES = (("virsma notīrīta ar mīkstu otu", "atslāņojumi nostiprināti ar zivju līmi", "rāmis pārbaudīts",
                 "fotodokumentācija pabeigta", "mitrums kastē normā", "pielietots japāņu papīrs",
                 "laka noņemta daļēji", "turpināt nākamnedēļ", "nepieciešama otrā kārta",
                 "objekts atgriezts krātuvē"),
                ("մակերեսը մաքրվել է փափուկ վրձնով", "շերտազատումներն ամրացվել են ձկան սոսնձով",
                 "շրջանակը ստուգվել և լուսանկարվել է", "լուսանկարահանումն ավարտված է", "խոնավությունը նորմայում է",
                 "կիրառվել է ճապոնական թուղթ", "լաքը մասամբ հեռացվել է", "շարունակել հաջորդ շաբաթ",
                 "անհրաժեշտ է երկրորդ շերտ", "առարկան վերադարձվել է պահոց"),
                ("yuzasi yumshoq choʻtka bilan tozalandi", "koʻchgan qatlamlar baliq yelimi bilan mahkamlandi",
                 "ramka tekshirildi", "fotohujjatlashtirish tugadi", "qutidagi namlik meʼyorda",
                 "yapon qogʻozi qoʻllanildi", "lak qisman olib tashlandi", "keyingi haftada davom ettirish",
                 "ikkinchi qatlam kerak", "buyum omborga qaytarildi"))
DOOR_EVENTS = (("atvērtas", "aizvērtas", "caurlaide derīga", "caurlaide noraidīta"),
               ("բացվել է", "փակվել է", "անցաքարտն ընդունվել է", "անցաքարտը մերժվել է"),
               ("ochildi", "yopildi", "ruxsatnoma qabul qilindi", "ruxsatnoma rad etildi"))
PESTS = (("nav", "drēbju kodes", "ādgrauži", "sudrabzivtiņas", "zirnekļi"),
         ("չկա", "ցեցեր", "կաշեկեր բզեզներ", "արծաթաձկնիկներ", "սարդեր"),
         ("yoʻq", "kuya", "teri qoʻngʻizi", "kumushbaliq", "oʻrgimchak"))
COLLECTIONS = (("fotogrāfijas", "manuskripti", "kartes", "laikraksti", "plakāti"),
               ("լուսանկարներ", "ձեռագրեր", "քարտեզներ", "թերթեր", "պաստառներ"),
               ("fotosuratlar", "qoʻlyozmalar", "xaritalar", "gazetalar", "plakatlar"))
ITEMS = (("biļete pieaugušajiem", "biļete skolēniem", "senioru biļete", "katalogs", "pastkarte", "audiogids"),
         ("մեծահասակի տոմս", "աշակերտի տոմս", "թոշակառուի տոմս", "կատալոգ", "բացիկ", "աուդիոուղեցույց"),
         ("kattalar chiptasi", "oʻquvchi chiptasi", "nafaqaxoʻr chiptasi", "katalog", "otkritka", "audiogid"))
ITEM_PRICE_EUR = (8.0, 3.0, 5.0, 25.0, 1.5, 4.0)
LEAK_NOTES = (("ūdens uz grīdas pie plauktiem", "pil no griestiem", "mitrs traips uz sienas"),
              ("ջուր հատակին դարակների մոտ", "կաթում է առաստաղից", "խոնավ բիծ պատին"),
              ("javonlar yonida polda suv", "shiftdan tomchilamoqda", "devorda nam dogʻ"))
DAMAGE = (("nokritis no statīva", "ieplīsis rāmis", "saskrāpēta virsma", "atlūzis stūris"),
          ("ընկել է հենակից", "ճաքած շրջանակ", "քերծված մակերես", "կոտրված անկյուն"),
          ("tagligidan tushib ketgan", "ramkasi yorilgan", "yuzasi tirnalgan", "burchagi sinib ketgan"))
ALARM_TYPES = (("ielaušanās", "kustība", "stikla plīšana", "dūmi"),
               ("ներխուժում", "շարժում", "ապակու կոտրում", "ծուխ"),
               ("bostirib kirish", "harakat", "oyna sinishi", "tutun"))
THEFT = (("mēģinājums", "nozagts"), ("փորձ", "գողացված"), ("urinish", "oʻgʻirlangan"))
AGENTS = (("inertā gāze", "ūdens migla", "FM-200"), ("իներտ գազ", "ջրային մառախուղ", "FM-200"),
          ("inert gaz", "suv tumani", "FM-200"))
# Rare values (rarity 0.45): a forced door, termites in a trap, active mould found in a treatment.
FORCED = ("uzlauztas", "ներխուժմամբ բացված", "buzib ochildi")
TERMITES = ("termīti", "տերմիտներ", "termitlar")
MOULD = ("aktīvs pelējums", "ակտիվ բորբոս", "faol mogʻor")
RARE_VALUES = tuple(frozenset({FORCED[i], TERMITES[i], MOULD[i]}) for i in range(3))

# Watched numbers: (kind, field) -> (space, trouble direction: +1 up, -1 down, 0 either).
WATCHED: dict[str, dict[str, tuple[str, int]]] = {
    "climate": {"temp": ("lin", 0), "rh": ("lin", 0)},
    "light": {"lux": ("log", 1), "uv": ("lin", 1)},
    "vibration": {"peak": ("log", 1)},
    "visitors": {"dwell": ("log", 1)},
    "loan": {"crate_temp": ("lin", 0), "shock": ("log", 1)},
    "treatment": {"hours": ("log", 1)},
    "door": {"held": ("log1p", 1)},
    "digitise": {"pages": ("log", 1), "size": ("log", 0)},
    "sales": {"amount": ("log", 1)},
}
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "climate": ("room", "temp", "rh", "setpoint", "hvac", "clock"),
    "light": ("object", "room", "lux", "uv", "luxhours", "clock"),
    "vibration": ("sensor", "peak", "freq", "vsource", "clock"),
    "visitors": ("gallery", "count", "total", "dwell", "clock"),
    "loan": ("loan_id", "object", "stage", "partner", "crate_temp", "shock", "courier"),
    "treatment": ("object", "conservator", "method", "hours", "finding", "note"),
    "door": ("door", "event", "badge", "held", "seq"),
    "pest": ("trap", "species", "pest_count", "days"),
    "digitise": ("job", "collection", "pages", "size", "dpi", "operator"),
    "sales": ("till", "item", "qty", "amount", "receipt"),
    "leak": ("room", "moisture", "note", "clock"),
    "damage": ("object", "description", "reporter"),
    "alarm": ("zone", "alarm_type", "clock"),
    "theft": ("object", "zone", "outcome"),
    "suppression": ("zone", "agent", "pressure", "clock"),
}
INT_FIELDS = frozenset({"count", "total", "luxhours", "held", "seq", "pest_count", "days", "job", "pages", "dpi",
                        "qty", "receipt"})
TEMPS = frozenset({"temp", "setpoint", "crate_temp"})
_FOLD_LV = str.maketrans("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ", "acegiklnsuzACEGIKLNSUZ")
_QTY = re.compile(r"(-?\d+(?:[.,]\d+)?)(?: ?(?:°C|°F|%|lx|mm/s|g|h|s|MB|€|µW/lm|bar))?")


def world_form(seed: int) -> tuple[str, str]:
    """The (dialect, priority form) a seed draws: the first two draws of its generator."""
    rng = random.Random(seed)
    d = DIALECTS[rng.randrange(len(DIALECTS))]
    return d, PRIORITY_MODES[rng.randrange(len(PRIORITY_MODES))]


def style_name(words: tuple[str, ...], style: str) -> str:
    """Join ``words`` in a naming style (kinds and fields)."""
    if style == "upper":
        return "_".join(words).upper()
    if style == "camel":
        return words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:])
    if style == "pascal":
        return "".join(w[:1].upper() + w[1:] for w in words)
    if style == "title":
        return " ".join(w[:1].upper() + w[1:] for w in words)
    sep = {"snake": "_", "kebab": "-", "dotted": ".", "slash": "/"}[style]
    return sep.join(w.lower() for w in words)


def number(v: object) -> float | None:
    """A number as a record writes it (a plain number or a quantity string), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    m = _QTY.fullmatch(str(v))
    return float(m[1].replace(",", ".")) if m else None


def _space(x: float, space: str) -> float:
    if space == "log":
        return math.log(max(x, 1e-9))
    if space == "log1p":
        return math.log1p(max(x, 0.0))
    return x


def _unspace(y: float, space: str) -> float:
    if space == "log":
        return math.exp(y)
    if space == "log1p":
        return math.expm1(y)
    return y


def _quantile(xs: list[float], p: float) -> float:
    s = sorted(xs)
    pos = p * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


@dataclass(frozen=True, slots=True)
class Stat:
    """A watched number's routine centre and spread (in ``space``), measured when the world is made."""

    centre: float
    spread: float
    space: str


@dataclass(slots=True)
class _Room:
    site: int
    name: str
    setpoint: float
    rh: float
    amp: float
    period_ms: float
    phase: float
    noise: float
    rh_noise: float


@dataclass(slots=True)
class _Device:
    site: int
    name: str
    level: float = 0.0
    spread: float = 0.0
    counter: int = 0
    extra: float = 0.0
    room: str = ""


@dataclass(slots=True)
class _Source:
    kind: str
    device: int  # index into the kind's device list, -1 for a kind-wide Poisson source
    gap_ms: float
    periodic: bool


@dataclass(slots=True)
class _Burst:
    kind: str
    head: int  # batch index of the head
    sem: dict[str, Any]
    origin: str
    importance: float
    period_ms: float
    left: int


@dataclass(slots=True)
class _Out:
    lr: LabeledRecord
    sem: dict[str, Any] | None = None
    kind: str = ""


@dataclass(slots=True)
class _News:
    kind_name: str
    fields: dict[str, Any]
    origin: str
    importance: float


@dataclass(slots=True)
class _Queue:
    heap: list[tuple[float, int, int, int]] = field(default_factory=list)  # (time, seq, type, index)
    seq: int = 0

    def push(self, t: float, typ: int, idx: int) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, typ, idx))


_FRESH, _TAIL = 0, 1


class MuseumWorkload:
    """One museum network's operational stream (see the module docstring)."""

    def __init__(self, seed: int) -> None:
        rng = self.rng = random.Random(seed)
        self.dialect = DIALECTS[rng.randrange(len(DIALECTS))]
        self.prio_mode = PRIORITY_MODES[rng.randrange(len(PRIORITY_MODES))]
        d = self.di = DIALECTS.index(self.dialect)
        self.kind_style = KIND_STYLES[rng.randrange(len(KIND_STYLES))]
        self.field_style = FIELD_STYLES[rng.randrange(len(FIELD_STYLES))]
        self.fahrenheit = self.dialect == "hy" and rng.random() < 0.35
        self.footcandles = self.dialect == "hy" and rng.random() < 0.3
        optional = [k for k in COMMON_KINDS if k not in ALWAYS_PRESENT]
        picked = set(rng.sample(optional, rng.randint(2, 5)))
        self.common = tuple(k for k in COMMON_KINDS if k in ALWAYS_PRESENT or k in picked)
        picked_rare = set(rng.sample(RARE_KINDS, rng.randint(1, 3)))
        self.rare = tuple(k for k in RARE_KINDS if k in picked_rare)
        self.kinds = self.common + self.rare
        # names
        self.kind_names = {k: style_name(KIND_WORDS[k][d], self.kind_style) for k in self.kinds}
        self.kind_of = {v: k for k, v in self.kind_names.items()}
        self.keys: dict[str, str] = {}
        for sem, words in FIELD_WORDS.items():
            self.keys[sem] = style_name(words[d] + self._unit_token(sem), self.field_style)
        self.prio_key = style_name(PRIO_WORDS[self.prio_mode][d], self.field_style)
        # rates
        self.raise_rate = rng.uniform(0.08, 0.2)
        self.anomaly_rate = rng.uniform(0.018, 0.035)
        self.dup_rate = rng.uniform(0.05, 0.066)
        self.near_rate = rng.uniform(0.05, 0.065)
        self.resend_rate = rng.uniform(0.01, 0.018)
        self.burst_rate = rng.uniform(0.007, 0.012)
        self.tail_mean = rng.uniform(3.5, 8.0)
        self.rare_value_rate = rng.uniform(0.015, 0.03)
        self.recent = rng.randint(6, 16)
        self.mean_gap_ms = math.exp(rng.uniform(math.log(120.0), math.log(2000.0)))
        self.burst_period_ms = self.mean_gap_ms * rng.uniform(0.04, 0.2)
        self.tz_ms = rng.randrange(24) * 3_600_000
        # sites and their things
        n_sites = rng.randint(3, 8)
        self.origins: tuple[str, ...] = tuple(rng.sample(SITE_IDS, n_sites))
        zipf = rng.uniform(0.8, 1.4)
        self.site_weights = [1.0 / (i + 1) ** zipf for i in range(n_sites)]
        self.towns = rng.sample(TOWNS[d], n_sites)
        self._make_things(n_sites)
        # kind weights (fresh records)
        base = {"climate": 3.0, "light": 1.6, "vibration": 1.0, "visitors": 2.2, "loan": 0.8, "treatment": 0.9,
                "door": 1.4, "pest": 0.7, "digitise": 0.8, "sales": 1.6}
        w = {k: base[k] * math.exp(rng.gauss(0.0, 0.35)) for k in self.common}
        rare_share = {k: rng.uniform(0.002, 0.008) for k in self.rare}
        total = sum(w.values())
        common_share = 1.0 - sum(rare_share.values())
        self.share = {k: common_share * v / total for k, v in w.items()} | rare_share
        # calibration: centre and spread of each watched number, read back from rendered draws
        self.stats: dict[str, dict[str, Stat]] = {}
        self._calibrate()
        # stream state
        self._queue = _Queue()
        self._sources: list[_Source] = []
        self._bursts: list[_Burst] = []
        self._started = False
        self.last_ts = 0
        self._news: list[_News] = []

    # ------------------------------------------------------------ world

    def _unit_token(self, sem: str) -> tuple[str, ...]:
        if self.dialect == "lv":
            return ()  # the unit is in the value
        if sem in TEMPS:
            return ("f",) if self.fahrenheit else ("c",)
        if sem == "lux":
            return ("fc",) if self.footcandles else ("lx",)
        if sem == "size":
            return ("kb",) if self.dialect == "uz" else ("mb",)
        return ()

    def _site(self) -> int:
        return self.rng.choices(range(len(self.origins)), weights=self.site_weights)[0]

    def _person(self) -> str:
        d, rng = self.di, self.rng
        return f"{rng.choice(INITIALS[d])}. {rng.choice(SURNAMES[d])}"

    def _make_things(self, n_sites: int) -> None:
        rng, d = self.rng, self.di
        fmt = rng.randrange(2)
        prefix = (("LNMM", "RVKM"), ("ՀԱՊ", "ՄՍ"), ("OʻzDSM", "TAM"))[d][fmt]
        self.objects = []
        for _ in range(rng.randint(50, 120)):
            n = rng.randint(100, 39999)
            self.objects.append(f"{prefix}-{n}" if fmt == 0 else f"{prefix} {n}/{rng.randint(1, 12)}")
        self.rooms: list[_Room] = []
        for s in range(n_sites):
            for j in range(rng.randint(2, 6)):
                store = j > 0 and rng.random() < 0.35
                word = ROOM_WORDS[d][1 if store else 0]
                label = rng.choice(STORE_LETTERS[d]) + str(j) if store else str(j + 1)
                self.rooms.append(_Room(
                    s, f"{self.towns[s]} {word} {label}",
                    setpoint=rng.uniform(15.5, 19.0) if store else rng.uniform(19.0, 22.5),
                    rh=rng.uniform(40.0, 55.0), amp=rng.uniform(0.2, 1.0),
                    period_ms=rng.uniform(20, 90) * 60_000.0, phase=rng.uniform(0, 2 * math.pi),
                    noise=rng.uniform(0.1, 0.35), rh_noise=rng.uniform(0.8, 2.2)))
        rooms = [r.name for r in self.rooms]
        self.lit = [_Device(self._site(), rng.choice(self.objects), level=rng.choice((50.0, 80.0, 150.0, 200.0)),
                            spread=rng.uniform(0.08, 0.2), counter=rng.randint(2000, 400000),
                            extra=rng.uniform(8.0, 40.0), room=rng.choice(rooms))
                    for _ in range(rng.randint(4, 18))]
        self.vib = [_Device(self._site(), f"V{rng.randint(10, 99)}-{i + 1}", level=math.exp(rng.uniform(-2.3, 0.3)),
                            spread=rng.uniform(0.3, 0.6), extra=rng.uniform(5.0, 60.0))
                    for i in range(rng.randint(2, 6))]
        self.galleries = []
        for s in range(n_sites):
            for j in range(rng.randint(2, 5)):
                self.galleries.append(_Device(s, f"{self.towns[s]} {ROOM_WORDS[d][0]} {j + 1}",
                                              level=rng.uniform(3.0, 40.0) / (j + 1) ** 0.8,
                                              extra=rng.uniform(90.0, 600.0), counter=rng.randint(0, 400)))
        self.doors = [_Device(self._site(), f"{rng.choice(('D', 'E', 'K'))}{rng.randint(1, 4)}.{i + 1:02d}",
                              level=rng.uniform(4.0, 15.0), counter=rng.randint(100, 90000))
                      for i in range(rng.randint(4, 12))]
        self.traps = [_Device(self._site(), f"{self.towns[0][:1]}T-{i + 1:03d}", level=rng.uniform(0.05, 0.3))
                      for i in range(rng.randint(6, 20))]
        self.loans = []
        for _ in range(rng.randint(3, 9)):
            lid = f"{('AIZ', 'ՓՈԽ', 'IJR')[d]}-{rng.randint(2021, 2024)}-{rng.randint(1, 199):03d}"
            self.loans.append(_Device(self._site(), lid, level=rng.uniform(18.0, 21.0), spread=rng.uniform(0.3, 0.8),
                                      counter=rng.randrange(5), extra=math.exp(rng.uniform(0.0, 0.9)),
                                      room=rng.choice(self.objects)))
        self.loan_partner = [rng.choice(PARTNERS[d]) for _ in self.loans]
        self.loan_courier = [self._person() for _ in self.loans]
        self.conservators = [self._person() for _ in range(rng.randint(3, 6))]
        self.operators = [self._person() for _ in range(rng.randint(2, 5))]
        self.tills = []
        for s in range(n_sites):
            for j in range(rng.randint(1, 3)):
                self.tills.append(_Device(s, f"{self.towns[s]}-{j + 1}", counter=rng.randint(1000, 99000)))
        self.job_counter = rng.randint(1000, 90000)
        self.dwell_sigma = rng.uniform(0.3, 0.55)
        self.hours_median = rng.uniform(1.5, 4.0)
        self.pages_median = rng.uniform(15.0, 80.0)
        self.mb_per_page = rng.uniform(3.0, 25.0)
        self.price_scale = {0: 1.0, 1: 480.0, 2: 13000.0}[d] * rng.uniform(0.8, 1.3)

    def _devices(self, kind: str) -> list[Any]:
        by_kind: dict[str, list[Any]] = {
            "climate": self.rooms, "light": self.lit, "vibration": self.vib, "visitors": self.galleries,
            "door": self.doors, "pest": self.traps, "loan": self.loans, "sales": self.tills}
        return by_kind.get(kind, [])

    # ------------------------------------------------------------ units and rendering

    def _to_display(self, sem: str, x: float) -> float:
        if sem in TEMPS and self.fahrenheit:
            return x * 9.0 / 5.0 + 32.0
        if sem == "lux" and self.footcandles:
            return x / 10.764
        if sem == "size" and self.dialect == "uz":
            return x * 1024.0
        return x

    def _from_display(self, sem: str, y: float) -> float:
        if sem in TEMPS and self.fahrenheit:
            return (y - 32.0) * 5.0 / 9.0
        if sem == "lux" and self.footcandles:
            return y * 10.764
        if sem == "size" and self.dialect == "uz":
            return y / 1024.0
        return y

    def _render_value(self, sem: str, x: Any) -> Any:
        """A semantic value (base units) as this world writes it."""
        if not isinstance(x, float):
            return x
        lv = self.dialect == "lv"
        y = self._to_display(sem, x)
        if sem in TEMPS:
            return _comma(y, 1, "°C") if lv else round(y, 1)
        if sem == "rh":
            return _comma(min(max(y, 0.5), 99.5), 1, "%") if lv else round(min(max(y, 0.5), 99.5), 1)
        if sem == "lux":
            if lv:
                return f"{max(1, round(y))} lx"
            return round(max(y, 0.1), 1) if self.footcandles else max(1, round(y))
        if sem == "uv":
            return _comma(max(y, 0.1), 1, "µW/lm") if lv else round(max(y, 0.1), 1)
        if sem == "peak":
            return _comma(max(y, 0.01), 2, "mm/s") if lv else round(max(y, 0.01), 2)
        if sem == "freq":
            return round(y, 1)
        if sem == "dwell":
            return f"{max(1, round(y))} s" if lv else max(1, round(y))
        if sem == "shock":
            return _comma(max(y, 0.01), 2, "g") if lv else round(max(y, 0.01), 2)
        if sem == "hours":
            return _comma(max(y, 0.1), 1, "h") if lv else round(max(y, 0.1), 1)
        if sem == "held":
            return f"{max(0, round(y))} s" if lv else max(0, round(y))
        if sem == "pages":
            return max(1, round(y))
        if sem == "size":
            if lv:
                return _comma(max(y, 0.1), 1, "MB")
            return max(1, round(y)) if self.dialect == "uz" else round(max(y, 0.1), 1)
        if sem == "amount":
            if lv:
                return _comma(max(y, 0.5), 2, "€")
            step = 100 if self.dialect == "hy" else 500
            return max(step, int(round(y / step)) * step)
        if sem in ("moisture", "pressure"):
            return _comma(y, 1, "%" if sem == "moisture" else "bar") if lv else round(y, 1)
        return round(y, 2)

    def _clock(self, ts: int) -> str:
        t = (ts + self.tz_ms) // 1000
        h, m, s = (t // 3600) % 24, (t // 60) % 60, t % 60
        return f"{h:02d}:{m:02d}:{s:02d}" if self.dialect == "lv" else f"{h:02d}:{m:02d}"

    def _render(self, kind: str, sem: dict[str, Any], ts: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for s in KIND_FIELDS[kind]:
            out[self.keys[s]] = self._clock(ts) if s == "clock" else self._render_value(s, sem[s])
        if kind in CARRIERS:
            out[self.prio_key] = self._prio_value(sem["_step"])
        return out

    # ------------------------------------------------------------ priority

    def _prio_value(self, step: int) -> Any:
        d, mode = self.di, self.prio_mode
        if mode == "words":
            return WORDS[d][step]
        if mode == "colour":
            return COLOURS[d][step]
        if mode == "flag":
            return FLAGS[d][0 if step else 1]
        if mode == "grade":
            return GRADES[d][step]
        if mode == "code":
            return f"{CODE_PREFIX[d]}{CODE_NUMBERS[step]}"
        if mode == "hours":
            lo, hi = HOURS[step]
            h = self.rng.randint(lo, hi)
            return f"{h} h" if d == 0 else f"{h} soat" if d == 2 else h
        if mode == "notify":
            return NOTIFY[d][step]
        return 4 - step  # "class": a descending response class, 0 the most pressing

    def priority_of(self, kind: str, fields: dict[str, Any]) -> float:
        """The priority strength a record writes (read back from its field)."""
        if kind not in CARRIERS:
            return 0.0
        d, mode, v = self.di, self.prio_mode, fields[self.prio_key]
        if mode == "flag":
            return FLAG_STRENGTH if v == FLAGS[d][0] else 0.0
        if mode == "hours":
            h = int(str(v).split()[0])
            step = next(i for i, (lo, hi) in enumerate(HOURS) if lo <= h <= hi)
        elif mode == "class":
            step = 4 - int(v)
        elif mode == "code":
            step = CODE_NUMBERS.index(int(str(v)[len(CODE_PREFIX[d]):]))
        else:
            table = {"words": WORDS, "colour": COLOURS, "grade": GRADES, "notify": NOTIFY}[mode][d]
            step = table.index(v)
        return STEP_STRENGTH[step]

    def _draw_step(self, kind: str) -> int:
        rng = self.rng
        if kind in ALWAYS_RAISED:
            return rng.choices((2, 3, 4), weights=(2, 2, 1))[0]
        rate = 0.5 if kind == "damage" else self.raise_rate
        if rng.random() >= rate:
            return 0
        return rng.choices((1, 2, 3, 4), weights=(4, 3, 2, 1))[0]

    # ------------------------------------------------------------ routine values

    def _hour_factor(self, ts: int) -> float:
        h = ((ts + self.tz_ms) // 60_000) % 1440 / 60.0
        if h < 10.0 or h >= 18.0:
            return 0.03
        return 0.35 + 0.65 * math.exp(-((h - 14.0) / 2.5) ** 2)

    def _raw(self, kind: str, dev: int, ts: int) -> dict[str, Any]:
        """A routine record's semantic values (base units; floats are measured numbers)."""
        rng, d = self.rng, self.di
        sem: dict[str, Any] = {}
        if kind == "climate":
            r = self.rooms[dev]
            wave = math.sin(2 * math.pi * ts / r.period_ms + r.phase)
            temp = r.setpoint + r.amp * wave + rng.gauss(0.0, r.noise)
            slope = math.cos(2 * math.pi * ts / r.period_ms + r.phase)
            sem |= {"room": r.name, "temp": temp, "rh": r.rh - 1.5 * (temp - r.setpoint) + rng.gauss(0.0, r.rh_noise),
                    "setpoint": float(round(r.setpoint * 2) / 2),
                    "hvac": HVAC[d][0 if slope > 0.5 else 1 if slope < -0.5 else rng.choice((2, 3, 4))]}
        elif kind == "light":
            o = self.lit[dev]
            lux = o.level * math.exp(rng.gauss(0.0, o.spread))
            o.counter += max(1, round(lux / 4))
            sem |= {"object": o.name, "room": o.room, "lux": lux, "uv": max(0.5, rng.gauss(o.extra, 2.5)),
                    "luxhours": o.counter}
        elif kind == "vibration":
            v = self.vib[dev]
            sem |= {"sensor": v.name, "peak": v.level * math.exp(rng.gauss(0.0, v.spread)),
                    "freq": max(1.0, rng.gauss(v.extra, 3.0)), "vsource": rng.choice(VSOURCES[d])}
        elif kind == "visitors":
            g = self.galleries[dev]
            n = _poisson(rng, g.level * self._hour_factor(ts) * 5.0)
            g.counter += n
            sem |= {"gallery": g.name, "count": n, "total": g.counter,
                    "dwell": g.extra * math.exp(rng.gauss(0.0, self.dwell_sigma))}
        elif kind == "loan":
            lo = self.loans[dev]
            if rng.random() < 0.15:
                lo.counter = min(4, lo.counter + 1)
            sem |= {"loan_id": lo.name, "object": lo.room, "stage": STAGES[d][lo.counter],
                    "partner": self.loan_partner[dev], "crate_temp": rng.gauss(lo.level, lo.spread),
                    "shock": lo.extra * math.exp(rng.gauss(0.0, 0.45)), "courier": self.loan_courier[dev]}
        elif kind == "treatment":
            mould = rng.random() < self.rare_value_rate
            sem |= {"object": rng.choice(self.objects), "conservator": rng.choice(self.conservators),
                    "method": rng.choice(METHODS[d]), "hours": self.hours_median * math.exp(rng.gauss(0.0, 0.6)),
                    "finding": MOULD[d] if mould else rng.choice(FINDINGS[d]),
                    "note": "; ".join(rng.sample(NOTE_PHRASES[d], rng.randint(1, 3)))}
        elif kind == "door":
            dr = self.doors[dev]
            dr.counter += 1
            forced = rng.random() < self.rare_value_rate
            held = 0.0 if rng.random() < 0.62 else dr.level * math.exp(rng.gauss(0.0, 0.7))
            sem |= {"door": dr.name, "event": FORCED[d] if forced else rng.choice(DOOR_EVENTS[d]),
                    "badge": f"{rng.choice('KMPS')}-{rng.randint(1000, 9999)}", "held": held, "seq": dr.counter}
        elif kind == "pest":
            t = self.traps[dev]
            if rng.random() < self.rare_value_rate:
                n, species = rng.randint(1, 6), TERMITES[d]
            else:
                n = _poisson(rng, t.level)
                species = rng.choice(PESTS[d][1:]) if n else PESTS[d][0]
            sem |= {"trap": t.name, "species": species, "pest_count": n, "days": rng.randint(5, 35)}
        elif kind == "digitise":
            self.job_counter += 1
            pages = self.pages_median * math.exp(rng.gauss(0.0, 0.9))
            dpi = rng.choice((300, 400, 600))
            size = max(1.0, pages) * self.mb_per_page * (dpi / 400) ** 2 * math.exp(rng.gauss(0.0, 0.25))
            sem |= {"job": self.job_counter, "collection": rng.choice(COLLECTIONS[d]), "pages": pages,
                    "size": size, "dpi": dpi, "operator": rng.choice(self.operators)}
        elif kind == "sales":
            t = self.tills[dev]
            t.counter += 1
            i = rng.choices(range(6), weights=(5, 3, 2, 0.6, 2, 1.2))[0]
            qty = 1 + min(9, int(rng.expovariate(0.9)))
            price = ITEM_PRICE_EUR[i] * self.price_scale
            sem |= {"till": t.name, "item": ITEMS[d][i], "qty": qty,
                    "amount": qty * price * math.exp(rng.gauss(0.0, 0.05)), "receipt": t.counter}
        elif kind == "leak":
            sem |= {"room": rng.choice(self.rooms).name, "moisture": rng.uniform(60.0, 99.0),
                    "note": rng.choice(LEAK_NOTES[d])}
        elif kind == "damage":
            sem |= {"object": rng.choice(self.objects), "description": rng.choice(DAMAGE[d]),
                    "reporter": rng.choice(self.conservators)}
        elif kind == "alarm":
            sem |= {"zone": rng.choice(self.rooms).name, "alarm_type": rng.choice(ALARM_TYPES[d])}
        elif kind == "theft":
            sem |= {"object": rng.choice(self.objects), "zone": rng.choice(self.rooms).name,
                    "outcome": THEFT[d][0 if rng.random() < 0.7 else 1]}
        else:  # suppression
            sem |= {"zone": rng.choice(self.rooms).name, "agent": rng.choice(AGENTS[d]),
                    "pressure": rng.uniform(20.0, 140.0)}
        for s in list(sem):
            if s in INT_FIELDS and isinstance(sem[s], float):
                sem[s] = round(sem[s])
        if kind in WATCHED:  # watched numbers stay floats until rendered
            for s in WATCHED[kind]:
                sem[s] = float(sem[s])
        return sem

    def k_of(self, kind: str, fields: dict[str, Any]) -> float:
        """The largest distance, in spreads, of a record's watched numbers from their kind's centres."""
        ks = [abs(_space(number(fields[key]) or 0.0, st.space) - st.centre) / st.spread
              for key, st in self.stats.get(kind, {}).items() if key in fields]
        return max(ks, default=0.0)

    def _calibrate(self) -> None:
        for kind in self.common:
            if kind not in WATCHED:
                continue
            devs = self._devices(kind)
            saved = self._save_counters()
            draws: dict[str, list[float]] = {s: [] for s in WATCHED[kind]}
            for _ in range(CALIBRATION_DRAWS):
                ts = self.rng.randrange(86_400_000) + 1_700_000_000_000
                sem = self._raw(kind, self.rng.randrange(len(devs)) if devs else -1, ts)
                for s, (space, _t) in WATCHED[kind].items():
                    v = number(self._render_value(s, sem[s]))
                    assert v is not None
                    draws[s].append(_space(v, space))
            self._restore_counters(saved)
            self.stats[kind] = {}
            for s, (space, _t) in WATCHED[kind].items():
                xs = draws[s]
                spread = max((_quantile(xs, 0.975) - _quantile(xs, 0.025)) / 3.92, 1e-3)
                self.stats[kind][self.keys[s]] = Stat(_quantile(xs, 0.5), spread, space)

    def _save_counters(self) -> tuple[Any, ...]:
        devs = [*self.lit, *self.galleries, *self.doors, *self.loans, *self.tills]
        return devs, [x.counter for x in devs], self.job_counter

    def _restore_counters(self, saved: tuple[Any, ...]) -> None:
        devs, counters, job = saved
        for x, c in zip(devs, counters, strict=True):
            x.counter = c
        self.job_counter = job

    def _anomalous(self, kind: str, sem: dict[str, Any], ts: int) -> dict[str, Any] | None:
        """Put one watched number 4.5-11 spreads off in the direction that means trouble."""
        rng = self.rng
        for _ in range(12):
            s = rng.choice(list(WATCHED[kind]))
            space, trouble = WATCHED[kind][s]
            st = self.stats[kind][self.keys[s]]
            k = rng.uniform(ANOMALY_K + 0.15, ANOMALY_MAX_K - 0.3)
            sign = trouble or rng.choice((-1, 1))
            y = _unspace(st.centre + sign * k * st.spread, space)
            if s == "rh" and not 2.0 <= y <= 98.0:
                continue
            trial = dict(sem)
            trial[s] = self._from_display(s, y)
            if ANOMALY_K <= self.k_of(kind, self._render(kind, trial, ts)) <= ANOMALY_MAX_K + 0.5:
                return trial
        return None

    def _fresh_sem(self, kind: str, dev: int, ts: int, *, anomaly: bool = False,
                   step: int | None = None) -> dict[str, Any]:
        """A routine (or, with ``anomaly``, anomalous) record's semantic values, the step included."""
        sem: dict[str, Any] = {}
        st = self._draw_step(kind) if step is None else step
        for _ in range(30):
            sem = self._raw(kind, dev, ts) | {"_step": st}
            if kind not in WATCHED or self.k_of(kind, self._render(kind, sem, ts)) < ROUTINE_K:
                break
        if anomaly and kind in WATCHED:
            odd = self._anomalous(kind, sem, ts)
            if odd is not None:
                return odd
        return sem

    # ------------------------------------------------------------ truth

    def truth(self, kind: str, fields: dict[str, Any]) -> tuple[float, str]:
        """Importance and detail of a fresh record (routine or burst head), read back from its fields."""
        k = self.k_of(kind, fields)
        a = 0.0 if k < ANOMALY_K else min(1.0, (k - 2.5) / 4.0)
        p = self.priority_of(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rare_value = any(isinstance(v, str) and v in RARE_VALUES[self.di] for v in fields.values())
        r = rk or (0.45 if rare_value else 0.0)
        return noisy_or(0.04, 0.9 * a, 0.9 * p, r), main_reason(0.9 * a, 0.9 * p, r, rk)

    # ------------------------------------------------------------ near copies

    def _retype(self, sem_name: str, v: Any) -> Any:
        """Another gateway's re-entry of one value, or None when it cannot be re-typed."""
        rng = self.rng
        if isinstance(v, bool | int):
            return None
        if isinstance(v, float):
            text = repr(v)
            dec = len(text.split(".")[1]) if "." in text and "e" not in text else 0
            if dec == 0:
                return None
            nv = round(v, dec - 1)
            return nv if nv != v else None
        s = str(v)
        options = []
        if sem_name == "clock":
            options.append(s.replace(":", "."))
        if _QTY.fullmatch(s) and " " in s:
            options.append(s.replace(" ", "", 1))
        if _QTY.fullmatch(s) and "," in s:
            options.append(s.replace(",", "."))
        if self.dialect == "lv":
            options.append(s.translate(_FOLD_LV))
        elif self.dialect == "hy":
            options.append(s.replace("և", "եւ"))
            options.append(s[:1].upper() + s[1:] if s[:1].islower() else s[:1].lower() + s[1:])
        else:
            options.append(s.replace("ʻ", "'").replace("ʼ", "'"))
            options.append(s.replace("ʻ", "‘").replace("ʼ", "’"))
        if not _QTY.fullmatch(s) and sem_name != "clock":
            options.append(s.lower() if s != s.lower() else s.upper())
        options = [o for o in options if o != s]
        return rng.choice(options) if options else None

    def _near_fields(self, kind: str, fields: dict[str, Any]) -> dict[str, Any] | None:
        sem_of = {self.keys[s]: s for s in KIND_FIELDS[kind]}
        choices = []
        for key, v in fields.items():
            if key == self.prio_key or key not in sem_of:
                continue
            nv = self._retype(sem_of[key], v)
            if nv is not None:
                choices.append((key, nv))
        if not choices:
            return None
        out = dict(fields)
        n = 2 if len(choices) > 1 and self.rng.random() < 0.35 else 1
        for key, nv in self.rng.sample(choices, n):
            out[key] = nv
        return out

    # ------------------------------------------------------------ the stream

    def _start(self, start: float) -> None:
        rng = self.rng
        for kind in self.kinds:
            share = self.share[kind]
            devs = self._devices(kind)
            if kind in PERIODIC and devs:
                period = len(devs) * self.mean_gap_ms / share
                for i in range(len(devs)):
                    self._sources.append(_Source(kind, i, period, True))
                    self._queue.push(start + rng.uniform(0.0, period), _FRESH, len(self._sources) - 1)
            else:
                self._sources.append(_Source(kind, -1, self.mean_gap_ms / share, False))
                self._queue.push(start + rng.expovariate(share / self.mean_gap_ms), _FRESH, len(self._sources) - 1)
        self._started = True

    def _next_time(self, src: _Source, t: float) -> float:
        if src.periodic:
            return t + src.gap_ms * self.rng.uniform(0.9, 1.1)
        return t + self.rng.expovariate(1.0 / src.gap_ms)

    def _device_for(self, kind: str, dev: int) -> int:
        devs = self._devices(kind)
        if not devs:
            return -1
        return dev if dev >= 0 else self.rng.randrange(len(devs))

    def _origin_for(self, kind: str, dev: int) -> str:
        devs = self._devices(kind)
        if dev >= 0 and devs:
            site = devs[dev].site
        elif kind in ("treatment", "digitise"):
            site = 0 if self.rng.random() < 0.7 else self._site()
        else:
            site = self._site()
        return str(self.origins[site])

    def _other_origin(self, origin: str) -> str:
        others = [o for o in self.origins if o != origin]
        return self.rng.choice(others)

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        rng = self.rng
        start = float(max(now_ms, self.last_ts + 1))
        if not self._started:
            self._start(start)
        q = self._queue
        if q.heap and q.heap[0][0] < start:  # resume the simulation at the batch start
            shift = start - q.heap[0][0]
            q.heap = [(t + shift, s, typ, i) for t, s, typ, i in q.heap]
            heapq.heapify(q.heap)
        out: list[_Out] = []
        self._bursts = []
        pending = 0
        cands: list[int] = []  # routine records and burst heads: copy sources
        while len(out) < n:
            remaining = n - len(out)
            if pending and remaining <= pending:  # only tails fit now: take the next one
                j = min(range(len(q.heap)), key=lambda i: (q.heap[i][2] != _TAIL, q.heap[i][0], q.heap[i][1]))
                t, _s, typ, idx = q.heap.pop(j)
                heapq.heapify(q.heap)
            else:
                t, _s, typ, idx = heapq.heappop(q.heap)
            if typ == _TAIL:
                self._emit_tail(out, idx, t)
                pending -= 1
                continue
            src = self._sources[idx]
            q.push(self._next_time(src, t), _FRESH, idx)
            u = rng.random()  # what this arrival is: each band exclusive (a fresh record if it cannot be)
            if u < self.dup_rate + self.near_rate:
                if cands:
                    self._emit_copy(out, cands, t, near=u >= self.dup_rate)
                    continue
            elif u < self.dup_rate + self.near_rate + self.resend_rate:
                if self._news:
                    self._emit_resend(out, t)
                    continue
            elif u < self.dup_rate + self.near_rate + self.resend_rate + self.burst_rate:
                tails = 2 + min(24, int(rng.expovariate(1.0 / self.tail_mean)))
                tails = min(tails, remaining - 1 - pending)
                if tails >= 2:
                    if self._emit_head(out, t, tails):
                        pending += tails
                    cands.append(len(out) - 1)
                    continue
            self._emit_fresh(out, src, t)
            cands.append(len(out) - 1)
        self._remember(out)
        return [o.lr for o in out]

    def _ts(self, t: float) -> int:
        ts = max(int(t), self.last_ts)
        self.last_ts = ts
        return ts

    def _emit_fresh(self, out: list[_Out], src: _Source, t: float) -> None:
        kind = src.kind
        dev = self._device_for(kind, src.device)
        ts = self._ts(t)
        odd = kind in WATCHED and self.rng.random() < self.anomaly_rate
        sem = self._fresh_sem(kind, dev, ts, anomaly=odd)
        fields = self._render(kind, sem, ts)
        imp, detail = self.truth(kind, fields)
        rec = Record.create(self.kind_names[kind], self._origin_for(kind, dev), ts, fields)
        out.append(_Out(LabeledRecord(rec, imp, "routine", -1, detail), sem, kind))

    def _emit_head(self, out: list[_Out], t: float, tails: int) -> bool:
        """A burst head (news) and its tails on the burst clock; False when it came out routine."""
        rng = self.rng
        kinds = [k for k in BURST_KINDS if k in self.common]  # climate and visitors always among them
        kind = "alarm" if "alarm" in self.rare and rng.random() < 0.15 else rng.choice(kinds)
        dev = self._device_for(kind, -1)
        ts = self._ts(t)
        if kind == "alarm":
            sem = self._fresh_sem(kind, dev, ts)
        elif kind in CARRIERS and rng.random() < 0.5:
            sem = self._fresh_sem(kind, dev, ts, step=rng.choices((1, 2, 3, 4), weights=(4, 3, 2, 1))[0])
        else:
            sem = self._fresh_sem(kind, dev, ts, anomaly=True, step=0 if kind in CARRIERS else None)
        fields = self._render(kind, sem, ts)
        imp, detail = self.truth(kind, fields)
        if imp < 0.3 and kind in CARRIERS:  # no anomaly could be placed: a priority head instead
            sem["_step"] = 3
            fields = self._render(kind, sem, ts)
            imp, detail = self.truth(kind, fields)
        origin = self._origin_for(kind, dev)
        rec = Record.create(self.kind_names[kind], origin, ts, fields)
        if imp < 0.3:
            out.append(_Out(LabeledRecord(rec, imp, "routine", -1, detail), sem, kind))
            return False
        out.append(_Out(LabeledRecord(rec, imp, "burst_head", -1, detail), sem, kind))
        period = self.burst_period_ms
        b = _Burst(kind, len(out) - 1, dict(sem), origin, imp, period, tails)
        self._bursts.append(b)
        tt = t
        for _ in range(tails):
            tt += period * rng.uniform(0.7, 1.3)
            self._queue.push(tt, _TAIL, len(self._bursts) - 1)
        return True

    def _emit_tail(self, out: list[_Out], bi: int, t: float) -> None:
        rng = self.rng
        b = self._bursts[bi]
        sem = b.sem
        for s in WATCHED.get(b.kind, {}):  # the watched numbers drift a little
            space = WATCHED[b.kind][s][0]
            x = sem[s]
            sem[s] = x * math.exp(rng.gauss(0.0, 0.01)) if space != "lin" else x + rng.gauss(0.0, 0.05)
        if "luxhours" in sem:
            sem["luxhours"] += max(1, round(sem["lux"] / 4))
        if "total" in sem:
            sem["total"] += max(1, sem["count"])
        if "seq" in sem:
            sem["seq"] += 1
        ts = self._ts(t)
        fields = self._render(b.kind, sem, ts)
        if b.kind in CARRIERS:  # the head's priority stays as written
            fields[self.prio_key] = out[b.head].lr.record.fields[self.prio_key]
        rec = Record.create(self.kind_names[b.kind], b.origin, ts, fields)
        imp = max(TAIL_FLOOR, 0.1 * b.importance)
        out.append(_Out(LabeledRecord(rec, imp, "burst_tail", b.head, ""), None, b.kind))

    def _pick_source(self, out: list[_Out], cands: list[int]) -> int:
        rng = self.rng
        pool = cands[-self.recent:] if rng.random() < 0.8 else cands
        return rng.choices(pool, weights=[1.0 + 3.0 * out[i].lr.importance for i in pool])[0]

    def _emit_copy(self, out: list[_Out], cands: list[int], t: float, *, near: bool) -> None:
        rng = self.rng
        i = self._pick_source(out, cands)
        src = out[i]
        rec = src.lr.record
        fields = rec.fields
        if near:
            nf = self._near_fields(src.kind, fields)
            if nf is None:
                near = False
            else:
                fields = nf
        if near:
            origin = self._other_origin(rec.origin) if rng.random() < 0.7 else rec.origin
        else:
            origin = rec.origin if rng.random() < 0.55 else self._other_origin(rec.origin)
        ts = self._ts(t)
        if ts == rec.ts_ms and origin == rec.origin:
            ts = self.last_ts = ts + 1
        new = Record.create(rec.kind, origin, ts, fields)
        case, factor = ("near_dup", 0.1) if near else ("dup", 0.05)
        out.append(_Out(LabeledRecord(new, factor * src.lr.importance, case, i, ""), None, src.kind))

    def _emit_resend(self, out: list[_Out], t: float) -> None:
        rng = self.rng
        news = self._news[rng.randrange(len(self._news))]
        same = rng.random() < 0.6
        origin = news.origin if same else self._other_origin(news.origin)
        rec = Record.create(news.kind_name, origin, self._ts(t), news.fields)
        out.append(_Out(LabeledRecord(rec, (0.01 if same else 0.02) * news.importance, "resend", -1, ""),
                        None, self.kind_of[news.kind_name]))

    def _remember(self, out: list[_Out]) -> None:
        for o in out:
            lr = o.lr
            if lr.case in ("routine", "burst_head") and lr.importance >= 0.3:
                self._news.append(_News(lr.record.kind, lr.record.fields, lr.record.origin, lr.importance))
        del self._news[:-300]


def _comma(x: float, dec: int, unit: str) -> str:
    return f"{x:.{dec}f}".replace(".", ",") + f" {unit}"


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 40:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
