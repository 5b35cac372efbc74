"""Held-out family ``evcharge``: an EV charging network operator's hubs. Used ONLY by evaluation.

Theory of operation
-------------------
A held-out family written blind (docs/holdout-evcharge.md): nobody tunes the model on it, and it shares
no code path, name, distribution or vocabulary with the training generators or the other held-out
families. Only :class:`LabeledRecord`, :func:`noisy_or` and :func:`main_reason` (the definition's truth
helpers) and :class:`Record` are imported; the event simulation, the field generators and the
vocabularies are this module's own. Training never imports it (tests/node/test_holdout_evcharge.py).

One seed is one charging network: 3-8 public hubs, each a gateway (the ``origins``, peer ids from
:data:`HUB_IDS`, Zipf busy) with 2-7 chargers (AC 7-22 kW or DC 50-180 kW, one or two connectors
each, a parking bay per connector), a grid connection of its own (base load, a daily cycle in the
hubs' time zone) and, at some hubs, a battery buffer. The world draws, from one
``random.Random(seed)``:

- a dialect: ``sw`` Swahili, ``vi`` Vietnamese (with its diacritics) or ``ka`` Georgian (Mkhedruli),
  which names every kind, field, category and note and writes the numbers (below);
- a naming style for kinds (``sw``/``vi``: UPPER_SNAKE, dotted, colon, PascalCase; ``ka``, which has no
  letter case in Mkhedruli: dotted, colon, snake) and one for fields (``sw``/``vi``: snake, kebab,
  camel, spaced; ``ka``: snake, kebab, spaced);
- charging sessions, connector temperatures, hub power telemetry and maintenance tickets (always) plus
  2-5 of six other common kinds (payments, queue / occupancy, charger fault logs, firmware rollouts,
  parking bay sensors, battery buffer storage), and 1-3 of five rare kinds (connector meltdown /
  thermal runaway alarm, vandalism or cable theft, ground-fault trip, vehicle fire at a bay, grid
  outage at a hub), each 0.2-0.8% of the fresh records;
- one of eight priority forms (``prio_mode``; the field ``prio_key``) carried by tickets, fault logs,
  firmware rollouts, meltdowns, vandalism and ground-fault trips only (meltdowns and vandalism always
  raised, ground-fault trips half the time);
- case rates, a mean gap (100 ms-2.5 s), a burst clock and the hubs' time zone.

Numbers by dialect: ``vi`` writes measured quantities as strings with a decimal comma and the unit
(``"18,42 kWh"``, ``"11,2 kW"``, ``"34,5 °C"``, ``"231,4 V"``, ``"42 phút"``, ``"3,5 giờ"``,
``"125.000 ₫"`` with a dot between thousands); ``sw`` plain numbers in kWh, kW and °C, the unit in the
field name, money in whole shillings (rounded to 50); ``ka`` plain numbers, energy in kWh or (40% of
worlds) whole Wh, temperatures in °C or (35% of worlds) °F, the unit in the field name, money in lari
with two decimals.

Arrivals: a discrete-event simulation in one heap. Connector thermometers, hub meters, bay sensors and
buffers poll on periods of their own (jittered 12%, phases apart); every other kind is a Poisson source
at its share of the rate. Each arrival may instead be a forwarded copy (exact or re-typed), a re-send
of earlier news or the head of a burst; a burst's tails run on their own clock (period 3-15% of the
mean gap, jittered) in the same heap, interleaved with the stream, reserved so that a burst never
outgrows its batch.

Truth (docs/holdout.md's definition): routine records and burst heads are
``noisy_or(0.04, 0.9 a, 0.9 p, rarity)``, ``detail = main_reason(0.9 a, 0.9 p, rarity, rare kind)``.
``a``: each watched number's distance k from its kind's median in spreads (spread = central 95% width
/ 3.92 of 600 routine draws made with the world, read back from what the record writes, in log space
for positive skewed fields, log1p for a bay's zero-inflated idle minutes); ``a = 0`` below 4.5, else
``min(1, (k - 2.5) / 4)``. Routine draws stay under 4 spreads (redrawn otherwise), an anomaly puts one
number 4.6-10.5 spreads off in the direction that means trouble. ``p``: the step's strength 0.4 / 0.6 /
0.8 / 1.0 (a raised flag 0.9), read back from the record. ``rarity`` 0.5 for a rare kind, 0.45 for a
rare value (an emergency-stop button ending a session, a melted pin found on a ticket). Exact copies 5%
of their source, near copies 10%, burst tails a tenth of the head (at least 0.02), re-sends 1% (same
gateway) or 2% (another) of the earlier record.
"""

from __future__ import annotations

import heapq
import math
import random
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from node.workload.domains import LabeledRecord, main_reason, noisy_or
from protocol.record import Record

DIALECTS = ("sw", "vi", "ka")
PRIORITY_MODES = ("words", "lane", "grade", "minutes", "escalate", "flag", "beacon", "stars")
COMMON_KINDS = ("session", "thermal", "power", "ticket", "payment", "occupancy", "fault", "firmware", "bay",
                "buffer")
RARE_KINDS = ("meltdown", "vandalism", "groundfault", "vehiclefire", "outage")
ALWAYS_PRESENT = ("session", "thermal", "power", "ticket")
CARRIERS = frozenset({"ticket", "fault", "firmware", "meltdown", "vandalism", "groundfault"})
ALWAYS_RAISED = frozenset({"meltdown", "vandalism"})
POLLED = frozenset({"thermal", "power", "bay", "buffer"})
BURST_KINDS = ("session", "thermal", "power", "occupancy", "fault", "buffer")
KIND_STYLES = {"sw": ("upper", "dotted", "colon", "pascal"), "vi": ("upper", "dotted", "colon", "pascal"),
               "ka": ("dotted", "colon", "snake")}
FIELD_STYLES = {"sw": ("snake", "kebab", "camel", "spaced"), "vi": ("snake", "kebab", "camel", "spaced"),
                "ka": ("snake", "kebab", "spaced")}
STRENGTH = (0.0, 0.4, 0.6, 0.8, 1.0)
FLAG_STRENGTH = 0.9
ANOMALY_FROM = 4.5
ROUTINE_UNDER = 4.0
TAIL_MIN = 0.02
DRAWS = 600

# Ed25519 peer ids of sha256("holdout-evcharge-hub/{i}") (tests derive them again).
HUB_IDS = (
    "12D3KooWSgDpUK25KcM4AjpkfgjyCxaFzip3zPShkA22y9nEw3ak",
    "12D3KooWQLkdwria6d21LZVRSnWQkAiVh6YQDmtWreDm38b3FYtd",
    "12D3KooWCqSdhiQLJf53zhKG8EZZb8KCpDddSZxFrV9FqEUjPYMk",
    "12D3KooWHbLRhxgZMpCisZ677VCDzb2wSzW9V6mGnLNgoDakmKKr",
    "12D3KooWQKpVNZEzC12THVGDFx4jmooxMJdrWTRdciNUSTdjAzwk",
    "12D3KooWB83rqTGz4qM9PjsQMx9fsDtTXNde8mGzGkocwwgeiUar",
    "12D3KooWJVMXMMLQCvUnMLAUUoCygzDuof9LWZk3Rh8ZDrFaWa72",
    "12D3KooWSdcWU5E8UkYHfVwsKgob7EJ2u2KTZzBUotZeLA1Vwsne",
)

# Watched numbers: kind -> field -> (space, trouble direction: +1 up, -1 down, 0 either way).
WATCHED: dict[str, dict[str, tuple[str, int]]] = {
    "session": {"energy": ("log", 0), "duration": ("log", 1)},
    "thermal": {"cable_temp": ("lin", 1)},
    "power": {"load": ("log", 1), "voltage": ("lin", 0)},
    "ticket": {"downtime": ("log", 1)},
    "payment": {"amount": ("log", 1)},
    "occupancy": {"wait": ("log", 1)},
    "firmware": {"fw_duration": ("log", 1)},
    "bay": {"idle": ("log1p", 1)},
    "buffer": {"soc": ("lin", -1), "cell_temp": ("lin", 1)},
}

KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "session": ("connector", "vehicle", "energy", "power_peak", "duration", "soc_start", "soc_end", "stop",
                "session_no"),
    "thermal": ("connector", "cable_temp", "ambient", "current", "sample", "clock"),
    "power": ("hub", "load", "voltage", "freq", "meter", "clock"),
    "ticket": ("ticket_no", "charger", "category", "technician", "downtime", "finding", "note"),
    "payment": ("receipt", "connector", "method", "energy", "amount"),
    "occupancy": ("hub", "occupied", "queue", "wait", "clock"),
    "fault": ("charger", "code", "message", "occurrences", "clock"),
    "firmware": ("charger", "version", "stage", "download", "fw_duration", "technician"),
    "bay": ("bay", "state", "idle", "clock"),
    "buffer": ("hub", "soc", "cell_temp", "flow", "cycles", "clock"),
    "meltdown": ("connector", "note", "clock"),
    "vandalism": ("charger", "damage", "reporter"),
    "groundfault": ("charger", "residual", "breaker"),
    "vehiclefire": ("bay", "note", "clock"),
    "outage": ("hub", "note", "clock"),
}

# What quantity a numeric field is (how each dialect writes it); fields not here are ints or words.
QUANTITY = {"energy": "energy", "power_peak": "kw", "duration": "min", "cable_temp": "temp", "ambient": "temp",
            "current": "amp", "load": "kw", "voltage": "volt", "freq": "hz", "downtime": "hours",
            "amount": "money", "wait": "min", "download": "mb", "fw_duration": "sec", "idle": "min",
            "cell_temp": "temp", "flow": "kw", "residual": "ma"}
INTEGERS = frozenset({"soc_start", "soc_end", "session_no", "sample", "meter", "ticket_no", "receipt", "occupied",
                      "queue", "occurrences", "soc", "cycles"})
COUNTERS = ("sample", "meter", "occurrences")  # what a burst's tails step on

# ---------------------------------------------------------------- vocabularies (sw, vi, ka)

KIND_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "session": (("kikao", "cha", "kuchaji"), ("phiên", "sạc"), ("დამუხტვის", "სესია")),
    "thermal": (("joto", "la", "kiunganishi"), ("nhiệt", "độ", "đầu", "sạc"), ("კონექტორის", "ტემპერატურა")),
    "power": (("nguvu", "ya", "kituo"), ("công", "suất", "trạm"), ("სადგურის", "სიმძლავრე")),
    "ticket": (("tiketi", "ya", "matengenezo"), ("phiếu", "bảo", "trì"), ("ტექმომსახურების", "ბილეთი")),
    "payment": (("malipo", "ya", "kuchaji"), ("thanh", "toán"), ("დამუხტვის", "გადახდა")),
    "occupancy": (("foleni", "ya", "magari"), ("hàng", "chờ"), ("რიგი", "სადგურზე")),
    "fault": (("hitilafu", "ya", "chaja"), ("lỗi", "trụ", "sạc"), ("დამტენის", "შეცდომა")),
    "firmware": (("sasisho", "la", "programu"), ("cập", "nhật", "phần", "sụn"), ("პროგრამის", "განახლება")),
    "bay": (("kihisi", "cha", "maegesho"), ("cảm", "biến", "chỗ", "đỗ"), ("პარკირების", "სენსორი")),
    "buffer": (("betri", "ya", "akiba"), ("pin", "lưu", "trữ"), ("ბუფერული", "აკუმულატორი")),
    "meltdown": (("kiunganishi", "kuyeyuka"), ("chảy", "đầu", "nối"), ("კონექტორის", "დნობა")),
    "vandalism": (("uharibifu", "wa", "makusudi"), ("phá", "hoại", "trộm", "cáp"), ("ვანდალიზმის", "შეტყობინება")),
    "groundfault": (("hitilafu", "ya", "ardhi"), ("sự", "cố", "chạm", "đất"), ("დამიწების", "დაზიანება")),
    "vehiclefire": (("moto", "wa", "gari"), ("cháy", "xe"), ("ავტომობილის", "ხანძარი")),
    "outage": (("kukatika", "kwa", "umeme"), ("mất", "điện", "lưới"), ("ქსელის", "გათიშვა")),
}

FIELD_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "hub": (("kituo",), ("trạm",), ("სადგური",)),
    "connector": (("kiunganishi",), ("đầu", "nối"), ("კონექტორი",)),
    "charger": (("chaja",), ("trụ", "sạc"), ("დამტენი",)),
    "clock": (("saa", "ya", "tukio"), ("giờ",), ("დრო",)),
    "vehicle": (("gari",), ("xe",), ("ავტომობილი",)),
    "energy": (("nishati",), ("điện", "năng"), ("ენერგია",)),
    "power_peak": (("nguvu", "ya", "juu"), ("công", "suất", "đỉnh"), ("პიკური", "სიმძლავრე")),
    "duration": (("muda", "wa", "kuchaji"), ("thời", "lượng"), ("ხანგრძლივობა",)),
    "soc_start": (("betri", "mwanzo"), ("pin", "đầu"), ("დატენვა", "დასაწყისში")),
    "soc_end": (("betri", "mwisho"), ("pin", "cuối"), ("დატენვა", "ბოლოს")),
    "stop": (("sababu", "ya", "kusimama"), ("lý", "do", "dừng"), ("შეწყვეტის", "მიზეზი")),
    "session_no": (("namba", "ya", "kikao"), ("mã", "phiên"), ("სესიის", "ნომერი")),
    "cable_temp": (("joto", "la", "kebo"), ("nhiệt", "độ", "cáp"), ("კაბელის", "ტემპერატურა")),
    "ambient": (("joto", "la", "hewa"), ("nhiệt", "độ", "môi", "trường"), ("გარემოს", "ტემპერატურა")),
    "current": (("mkondo",), ("dòng", "điện"), ("დენი",)),
    "sample": (("namba", "ya", "sampuli"), ("số", "mẫu"), ("ანათვლის", "ნომერი")),
    "load": (("mzigo",), ("phụ", "tải"), ("დატვირთვა",)),
    "voltage": (("volteji",), ("điện", "áp"), ("ძაბვა",)),
    "freq": (("masafa",), ("tần", "số"), ("სიხშირე",)),
    "meter": (("mita", "jumla", "kwh"), ("chỉ", "số", "công", "tơ"), ("მრიცხველის", "ჩვენება")),
    "ticket_no": (("namba", "ya", "tiketi"), ("số", "phiếu"), ("ბილეთის", "ნომერი")),
    "category": (("aina", "ya", "kazi"), ("hạng", "mục"), ("კატეგორია",)),
    "technician": (("fundi",), ("kỹ", "thuật", "viên"), ("ტექნიკოსი",)),
    "downtime": (("muda", "nje", "ya", "huduma"), ("thời", "gian", "ngừng"), ("მოცდენა",)),
    "finding": (("kilichogunduliwa",), ("phát", "hiện"), ("აღმოჩენა",)),
    "note": (("maelezo",), ("ghi", "chú"), ("შენიშვნა",)),
    "receipt": (("namba", "ya", "risiti"), ("số", "hóa", "đơn"), ("ქვითრის", "ნომერი")),
    "method": (("njia", "ya", "malipo"), ("phương", "thức"), ("გადახდის", "საშუალება")),
    "amount": (("kiasi",), ("số", "tiền"), ("თანხა",)),
    "occupied": (("nafasi", "zilizojaa"), ("chỗ", "đang", "dùng"), ("დაკავებული", "ადგილები")),
    "queue": (("magari", "yanayosubiri"), ("xe", "đang", "chờ"), ("რიგში", "მდგომი")),
    "wait": (("muda", "wa", "kusubiri"), ("thời", "gian", "chờ"), ("ლოდინის", "დრო")),
    "code": (("msimbo", "wa", "hitilafu"), ("mã", "lỗi"), ("შეცდომის", "კოდი")),
    "message": (("ujumbe",), ("thông", "báo"), ("შეტყობინება",)),
    "occurrences": (("mara", "ilivyotokea"), ("số", "lần"), ("განმეორება",)),
    "version": (("toleo",), ("phiên", "bản"), ("ვერსია",)),
    "stage": (("hatua",), ("giai", "đoạn"), ("ეტაპი",)),
    "download": (("ukubwa",), ("dung", "lượng"), ("ზომა",)),
    "fw_duration": (("muda", "wa", "usakinishaji"), ("thời", "gian", "cài"), ("ინსტალაციის", "დრო")),
    "bay": (("nafasi", "ya", "maegesho"), ("ô", "đỗ"), ("პარკირების", "ადგილი")),
    "state": (("hali",), ("trạng", "thái"), ("მდგომარეობა",)),
    "idle": (("muda", "bila", "kuchaji"), ("thời", "gian", "chiếm", "chỗ"), ("უმოქმედო", "დგომა")),
    "soc": (("kiwango", "cha", "chaji"), ("mức", "pin"), ("დამუხტვის", "დონე")),
    "cell_temp": (("joto", "la", "seli"), ("nhiệt", "độ", "cell"), ("უჯრედის", "ტემპერატურა")),
    "flow": (("mtiririko",), ("công", "suất", "nạp", "xả"), ("ნაკადი",)),
    "cycles": (("mizunguko",), ("số", "chu", "kỳ"), ("ციკლები",)),
    "damage": (("uharibifu",), ("thiệt", "hại"), ("დაზიანება",)),
    "reporter": (("aliyeripoti",), ("người", "báo"), ("განმცხადებელი",)),
    "residual": (("mkondo", "wa", "uvujaji"), ("dòng", "rò"), ("გაჟონვის", "დენი")),
    "breaker": (("kivunja", "mzunguko"), ("cầu", "dao"), ("ამომრთველი",)),
}

# The unit a field name carries in ``sw`` and ``ka`` (``vi`` writes it in the value).
UNIT_TOKENS: dict[str, tuple[str, str]] = {  # quantity -> (sw, ka)
    "energy": ("kwh", "kwh"), "kw": ("kw", "kw"), "min": ("dakika", "წთ"), "temp": ("c", "c"), "amp": ("a", "a"),
    "volt": ("v", "v"), "hz": ("hz", "hz"), "hours": ("saa", "სთ"), "money": ("tsh", "ლარი"), "mb": ("mb", "mb"),
    "sec": ("sekunde", "წმ"), "ma": ("ma", "ma"),
}

PRIO_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "words": (("kipaumbele",), ("mức", "ưu", "tiên"), ("პრიორიტეტი",)),
    "lane": (("foleni", "ya", "huduma"), ("hàng", "xử", "lý"), ("მომსახურების", "რიგი")),
    "grade": (("daraja",), ("xếp", "loại"), ("კლასი",)),
    "minutes": (("dakika", "hadi", "hatua"), ("hạn", "xử", "lý"), ("რეაგირების", "წუთები")),
    "escalate": (("pandisha", "kwa"), ("chuyển", "cho"), ("ესკალაცია",)),
    "flag": (("zima", "chaja"), ("ngắt", "trụ"), ("დამტენის", "გათიშვა")),
    "beacon": (("rangi", "ya", "taa"), ("màu", "đèn"), ("ნათურის", "ფერი")),
    "stars": (("athari",), ("ảnh", "hưởng"), ("გავლენა",)),
}

# Priority values per step 0 (routine) .. 4.
PRIO_TERMS = (("kawaida", "chini", "wastani", "haraka", "hatari"),
              ("thường", "thấp", "trung bình", "khẩn", "khẩn cấp"),
              ("ჩვეულებრივი", "დაბალი", "საშუალო", "სასწრაფო", "კრიტიკული"))
LANE_PREFIX = ("F", "H", "რ")  # a dispatch lane: 5 routine .. 1 the most pressing
GRADE_LETTERS = (("E", "D", "C", "B", "A"), ("E", "D", "C", "B", "A"), ("ე", "დ", "გ", "ბ", "ა"))  # A worst
MINUTE_BANDS = ((240, 1440), (60, 239), (15, 59), (5, 14), (0, 4))  # minutes until someone must act
ESCALATION = (("hakuna", "fundi wa kituo", "msimamizi wa kanda", "kituo cha udhibiti", "zimamoto"),
              ("không ai", "kỹ thuật viên trạm", "giám sát vùng", "trung tâm điều hành", "cứu hỏa"),
              ("არავის", "სადგურის ტექნიკოსს", "რეგიონულ ზედამხედველს", "ოპერაციულ ცენტრს", "სახანძრო სამსახურს"))
SWITCH_OFF: tuple[tuple[Any, Any], ...] = (("ndiyo", "hapana"), (True, False), ("კი", "არა"))  # (raised, routine)
BEACON = (("kijani", "njano", "machungwa", "nyekundu", "zambarau"),
          ("xanh lá", "vàng", "cam", "đỏ", "tím"),
          ("მწვანე", "ყვითელი", "ნარინჯისფერი", "წითელი", "იისფერი"))
STARS = ("☆☆☆☆", "★☆☆☆", "★★☆☆", "★★★☆", "★★★★")

HUB_CODES = (("DAR", "ARU", "MWZ", "DOD", "MBY", "TNG", "MOR", "ZNZ"),
             ("HN", "HCM", "DN", "HP", "CT", "NT", "HUE", "VT"),
             ("თბს", "ბთმ", "ქთს", "რსთ", "ზგდ", "გრს", "თლვ", "ფთი"))
VEHICLES = ("BYD Atto 3", "VinFast VF 8", "Nissan Leaf", "Hyundai Kona", "Tesla Model Y", "MG ZS EV", "Kia EV6",
            "VW ID.4", "Renault Zoe", "BYD Dolphin")
VEHICLE_KWH = (60.5, 87.7, 40.0, 64.0, 75.0, 51.0, 77.4, 77.0, 52.0, 44.9)
STOPS = (("mtumiaji alisimamisha", "betri imejaa", "muda umeisha", "kadi imeondolewa"),
         ("người dùng dừng", "pin đầy", "hết thời gian", "rút thẻ"),
         ("მომხმარებელმა შეწყვიტა", "ბატარეა სავსეა", "დრო ამოიწურა", "ბარათი ამოღებულია"))
EMERGENCY_STOP = ("kitufe cha dharura kimebonyezwa", "nút dừng khẩn được nhấn", "ავარიული ღილაკი დაჭერილია")
CATEGORIES = (("kebo", "skrini", "msomaji wa kadi", "mtandao", "kiunganishi", "kupoza"),
              ("cáp", "màn hình", "đầu đọc thẻ", "kết nối mạng", "đầu nối", "làm mát"),
              ("კაბელი", "ეკრანი", "ბარათის წამკითხველი", "კავშირი", "კონექტორი", "გაგრილება"))
FINDINGS = (("hakuna tatizo", "skrubu imelegea", "vumbi kwenye feni", "kebo imechakaa", "fyuzi imebadilishwa"),
            ("không có lỗi", "ốc bị lỏng", "bụi ở quạt", "cáp bị mòn", "đã thay cầu chì"),
            ("ხარვეზი არ არის", "მოშვებული ხრახნი", "მტვერი ვენტილატორზე", "გაცვეთილი კაბელი", "დაუკრავი შეიცვალა"))
MELTED_PIN = ("pini imeyeyuka", "chân cắm bị chảy", "გამდნარი კონტაქტი")
RARE_VALUES = tuple(frozenset({EMERGENCY_STOP[i], MELTED_PIN[i]}) for i in range(3))
TICKET_NOTES = (("imekaguliwa na kusafishwa", "sehemu imeagizwa", "mteja alilalamika", "ukaguzi wa kawaida"),
                ("đã kiểm tra và vệ sinh", "đã đặt linh kiện", "khách hàng phản ánh", "bảo trì định kỳ"),
                ("შემოწმდა და გაიწმინდა", "ნაწილი შეკვეთილია", "მომხმარებელმა დაიჩივლა", "გეგმიური შემოწმება"))
TECHNICIANS = (("Juma Mrisho", "Neema Kweka", "Baraka Mushi", "Amina Said", "Hamisi Lyimo", "Zawadi Mollel"),
               ("Nguyễn Văn An", "Trần Thị Bích", "Lê Minh Đức", "Phạm Thu Hà", "Hoàng Quốc Bảo", "Vũ Thị Lan"),
               ("გიორგი ბერიძე", "ნინო კაპანაძე", "დავით გელაშვილი", "თამარ ლომიძე", "ლევან ჯაფარიძე"))
METHODS = (("M-Pesa", "kadi ya benki", "Tigo Pesa", "Airtel Money", "programu ya simu"),
           ("thẻ ngân hàng", "MoMo", "ZaloPay", "ứng dụng", "VNPay"),
           ("საბანკო ბარათი", "აპლიკაცია", "ელფული", "სატერმინალო გადახდა"))
PRICE_PER_KWH = (720.0, 3858.0, 0.62)  # shillings, dong, lari
SESSION_FEE = (500.0, 0.0, 0.5)
FAULT_MESSAGES = (("mawasiliano yamekatika", "kipimo cha mita", "kiunganishi kimefungwa", "pampu ya kupoza",
                   "uthibitisho wa kadi"),
                  ("mất kết nối", "lỗi công tơ", "khóa đầu nối", "lỗi bơm làm mát", "lỗi xác thực thẻ"),
                  ("კავშირი გაწყდა", "მრიცხველის შეცდომა", "კონექტორი ჩაკეტილია", "გაგრილების ტუმბო",
                   "ბარათის ავტორიზაცია"))
FAULT_PREFIX = ("HT", "LG", "შც")
FW_STAGES = (("inapakua", "inasakinisha", "imekamilika", "inasubiri kuwashwa upya"),
             ("đang tải", "đang cài", "hoàn tất", "chờ khởi động lại"),
             ("იტვირთება", "ინსტალირდება", "დასრულდა", "ელოდება გადატვირთვას"))
BAY_STATES = (("wazi", "imekaliwa", "inachaji"), ("trống", "có xe", "đang sạc"),
              ("თავისუფალი", "დაკავებული", "იმუხტება"))
VANDAL = (("kebo imekatwa", "kebo imeibiwa", "skrini imevunjwa", "kiunganishi kimeng'olewa"),
          ("cáp bị cắt", "cáp bị trộm", "màn hình bị đập", "đầu nối bị giật"),
          ("კაბელი გადაჭრილია", "კაბელი მოპარულია", "ეკრანი დამსხვრეულია", "კონექტორი მოგლეჯილია"))
REPORTERS = (("mlinzi", "mteja", "fundi", "kamera ya usalama"), ("bảo vệ", "khách hàng", "kỹ thuật viên", "camera"),
             ("დაცვა", "მომხმარებელი", "ტექნიკოსი", "ვიდეოკამერა"))
BREAKERS = (("RCD ya chaja", "kivunja kikuu"), ("RCD trụ sạc", "cầu dao tổng"), ("დამტენის RCD", "მთავარი ამომრთველი"))
MELT_NOTES = (("moshi kwenye kiunganishi", "harufu ya plastiki inayoungua", "joto limezidi kikomo"),
              ("khói ở đầu nối", "mùi nhựa cháy", "nhiệt độ vượt ngưỡng"),
              ("კვამლი კონექტორზე", "დამწვარი პლასტმასის სუნი", "ტემპერატურა ზღვარს გადასცდა"))
FIRE_NOTES = (("moto chini ya gari", "moshi mzito kwenye nafasi", "betri ya gari inawaka"),
              ("lửa dưới gầm xe", "khói dày tại ô đỗ", "pin xe bốc cháy"),
              ("ცეცხლი მანქანის ქვეშ", "სქელი კვამლი პარკინგზე", "ავტომობილის ბატარეა იწვის"))
OUTAGE_NOTES = (("umeme wa gridi umekatika", "transfoma imeungua", "laini ya umeme imeanguka"),
                ("lưới điện bị cắt", "trạm biến áp sự cố", "đường dây bị đứt"),
                ("ქსელში ძაბვა გაქრა", "ტრანსფორმატორი დაზიანდა", "ელექტროგადამცემი ხაზი გაწყდა"))

_VI_NUMBER = re.compile(r"(-?[\d.,]+) ?(kWh|kW|°C|V|A|Hz|MB|mA|₫|phút|giờ|giây)")


def world_form(seed: int) -> tuple[str, str]:
    """A world's dialect and priority form, the first two draws of its generator."""
    rng = random.Random(seed)
    return DIALECTS[rng.randrange(3)], PRIORITY_MODES[rng.randrange(len(PRIORITY_MODES))]


def styled(words: tuple[str, ...], style: str) -> str:
    """Join name words in a naming style (Mkhedruli has no case, so ``ka`` draws only caseless styles)."""
    if style == "upper":
        return "_".join(words).upper()
    if style == "pascal":
        return "".join(w[:1].upper() + w[1:] for w in words)
    if style == "camel":
        return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])
    sep = {"dotted": ".", "colon": ":", "snake": "_", "kebab": "-", "spaced": " "}[style]
    return sep.join(words)


def read_number(v: object) -> float | None:
    """The number a field value writes (a plain number, or a ``vi`` quantity string), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    m = _VI_NUMBER.fullmatch(str(v))
    if not m:
        return None
    digits = m[1].replace(".", "") if m[2] == "₫" else m[1].replace(",", ".")
    try:
        return float(digits)
    except ValueError:
        return None


def to_space(x: float, space: str) -> float:
    if space == "log":
        return math.log(max(x, 1e-9))
    if space == "log1p":
        return math.log1p(max(x, 0.0))
    return x


def from_space(y: float, space: str) -> float:
    if space == "log":
        return math.exp(y)
    if space == "log1p":
        return math.expm1(y)
    return y


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    pos = q * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _vi_qty(x: float, dec: int, unit: str) -> str:
    return (f"{x:.{dec}f}".replace(".", ",") if dec else str(round(x))) + " " + unit


def _dong(x: float) -> str:
    return f"{int(round(x / 1000.0)) * 1000:,}".replace(",", ".") + " ₫"


def _fold_vi(s: str) -> str:
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class Stat:
    """A watched number's routine centre and spread (in ``space``), measured when the world is made."""

    centre: float
    spread: float
    space: str


@dataclass(slots=True)
class _Hub:
    code: str
    ambient: float  # daily mean °C
    base_kw: float
    volt: float
    buffer: bool
    buffer_soc: float
    buffer_temp: float
    meter: int
    cycles: int


@dataclass(slots=True)
class _Charger:
    hub: int
    name: str
    dc: bool
    kw: float
    max_a: float
    occurrences: int = 0


@dataclass(slots=True)
class _Connector:
    charger: int
    name: str
    rise: float  # °C over ambient at full current
    sample: int = 0


@dataclass(slots=True)
class _Tail:
    kind: str
    head: int
    sem: dict[str, Any]
    origin: str
    importance: float


@dataclass(slots=True)
class _Item:
    lr: LabeledRecord
    kind: str


class EvChargeWorkload:
    """One charging network's operational stream (see the module docstring)."""

    def __init__(self, seed: int) -> None:
        rng = self.rng = random.Random(seed)
        self.dialect = DIALECTS[rng.randrange(3)]
        self.prio_mode = PRIORITY_MODES[rng.randrange(len(PRIORITY_MODES))]
        d = self.di = DIALECTS.index(self.dialect)
        self.kind_style = rng.choice(KIND_STYLES[self.dialect])
        self.field_style = rng.choice(FIELD_STYLES[self.dialect])
        self.fahrenheit = self.dialect == "ka" and rng.random() < 0.35
        self.watt_hours = self.dialect == "ka" and rng.random() < 0.4
        extra = [k for k in COMMON_KINDS if k not in ALWAYS_PRESENT]
        chosen = rng.sample(extra, rng.randint(2, 5))
        self.common = tuple(k for k in COMMON_KINDS if k in ALWAYS_PRESENT or k in chosen)
        chosen_rare = rng.sample(RARE_KINDS, rng.randint(1, 3))
        self.rare = tuple(k for k in RARE_KINDS if k in chosen_rare)
        self.kinds = self.common + self.rare
        self.kind_names = {k: styled(KIND_WORDS[k][d], self.kind_style) for k in self.kinds}
        self.kind_of = {name: k for k, name in self.kind_names.items()}
        self.keys = {sem: styled(words[d] + self._unit_token(sem), self.field_style)
                     for sem, words in FIELD_WORDS.items()}
        self.prio_key = styled(PRIO_WORDS[self.prio_mode][d], self.field_style)
        # case rates
        self.raise_rate = rng.uniform(0.09, 0.19)
        self.anomaly_rate = rng.uniform(0.02, 0.034)
        self.dup_rate = rng.uniform(0.045, 0.062)
        self.near_rate = rng.uniform(0.05, 0.068)
        self.resend_rate = rng.uniform(0.009, 0.017)
        self.burst_rate = rng.uniform(0.007, 0.012)
        self.tail_mean = rng.uniform(3.5, 7.5)
        self.rare_value_rate = rng.uniform(0.015, 0.03)
        self.recent = rng.randint(5, 14)
        self.mean_gap_ms = math.exp(rng.uniform(math.log(100.0), math.log(2500.0)))
        self.burst_period_ms = self.mean_gap_ms * rng.uniform(0.03, 0.15)
        self.tz_hours = rng.randrange(24)
        # hubs and their equipment
        n_hubs = rng.randint(3, 8)
        self.origins: tuple[str, ...] = tuple(rng.sample(HUB_IDS, n_hubs))
        zipf = rng.uniform(0.7, 1.3)
        self.hub_weights = [1.0 / (i + 1) ** zipf for i in range(n_hubs)]
        self._build(n_hubs)
        weights = {"session": 2.6, "thermal": 3.0, "power": 1.7, "ticket": 0.9, "payment": 1.8, "occupancy": 1.2,
                   "fault": 1.0, "firmware": 0.6, "bay": 1.5, "buffer": 1.0}
        w = {k: weights[k] * math.exp(rng.gauss(0.0, 0.3)) for k in self.common}
        rare_share = {k: rng.uniform(0.002, 0.008) for k in self.rare}
        scale = (1.0 - sum(rare_share.values())) / sum(w.values())
        self.share = {k: v * scale for k, v in w.items()} | rare_share
        self.stats: dict[str, dict[str, Stat]] = {}
        self._calibrate(random.Random(seed * 1_000_003 + 17))
        self._heap: list[tuple[float, int, int, int]] = []
        self._seq = 0
        self._sources: list[tuple[str, int, float, bool]] = []  # kind, device, gap, polled
        self._tails: list[_Tail] = []
        self._news: list[tuple[str, dict[str, Any], str, float]] = []
        self.last_ts = 0
        self._running = False

    # ------------------------------------------------------------ the world

    def _unit_token(self, sem: str) -> tuple[str, ...]:
        q = QUANTITY.get(sem)
        if q is None or self.dialect == "vi":
            return ()
        if self.dialect == "ka" and q == "temp":
            return ("f",) if self.fahrenheit else ("c",)
        if self.dialect == "ka" and q == "energy":
            return ("wh",) if self.watt_hours else ("kwh",)
        return (UNIT_TOKENS[q][0 if self.dialect == "sw" else 1],)

    def _build(self, n_hubs: int) -> None:
        rng, d = self.rng, self.di
        codes = rng.sample(HUB_CODES[d], n_hubs)
        self.hubs: list[_Hub] = []
        self.chargers: list[_Charger] = []
        self.connectors: list[_Connector] = []
        for h, code in enumerate(codes):
            self.hubs.append(_Hub(code, rng.uniform(14.0, 31.0), rng.uniform(40.0, 400.0), rng.uniform(226.0, 234.0),
                                  h == 0 or rng.random() < 0.35, rng.uniform(55.0, 80.0), rng.uniform(22.0, 30.0),
                                  rng.randint(10_000, 900_000), rng.randint(40, 1500)))
            for c in range(rng.randint(2, 7)):
                dc = rng.random() < 0.55
                kw = rng.choice((50.0, 60.0, 120.0, 150.0, 180.0)) if dc else rng.choice((7.4, 11.0, 22.0))
                self.chargers.append(_Charger(h, f"{code}-{c + 1:02d}", dc, kw, kw * 1000.0 / (400.0 if dc else 690.0)))
                for g in range(rng.choice((1, 2)) if dc else 1):
                    self.connectors.append(_Connector(len(self.chargers) - 1, f"{code}-{c + 1:02d}/{g + 1}",
                                                      rng.uniform(12.0, 28.0) if dc else rng.uniform(6.0, 14.0),
                                                      rng.randint(1, 9000)))
        self.buffer_hubs = [h for h, hub in enumerate(self.hubs) if hub.buffer]
        self.session_no = rng.randint(100_000, 9_000_000)
        self.ticket_no = rng.randint(1_000, 60_000)
        self.receipt = rng.randint(10_000, 990_000)
        self.downtime_median = rng.uniform(1.5, 6.0)
        self.fw_median = rng.uniform(120.0, 420.0)
        self.fw_version = f"{rng.randint(1, 5)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
        self.fw_mb = rng.uniform(40.0, 600.0)
        self.wait_per_car = rng.uniform(6.0, 18.0)
        self.queue_mean = rng.uniform(0.2, 0.8)
        self.idle_share = rng.uniform(0.35, 0.7)
        self.idle_median = rng.uniform(8.0, 30.0)

    def _devices(self, kind: str) -> list[int]:
        if kind in ("session", "thermal", "payment", "meltdown", "bay", "vehiclefire"):
            return list(range(len(self.connectors)))  # a bay per connector
        if kind in ("ticket", "fault", "firmware", "vandalism", "groundfault"):
            return list(range(len(self.chargers)))
        if kind == "buffer":
            return list(self.buffer_hubs)
        return list(range(len(self.hubs)))

    def _hub_of(self, kind: str, dev: int) -> int:
        if kind in ("session", "thermal", "payment", "meltdown", "bay", "vehiclefire"):
            return self.chargers[self.connectors[dev].charger].hub
        if kind in ("ticket", "fault", "firmware", "vandalism", "groundfault"):
            return self.chargers[dev].hub
        return dev

    def _pick_device(self, kind: str, rng: random.Random) -> int:
        devs = self._devices(kind)
        return rng.choices(devs, weights=[self.hub_weights[self._hub_of(kind, x)] for x in devs])[0]

    def _local_hour(self, ts: float) -> float:
        return ((ts / 3_600_000.0) + self.tz_hours) % 24.0

    # ------------------------------------------------------------ drawing (raw units: °C, kWh, kW, min, h, s)

    def _draw(self, kind: str, dev: int, ts: float, rng: random.Random) -> dict[str, Any]:
        d = self.di
        hour = self._local_hour(ts)
        day = math.sin(2.0 * math.pi * (hour - 9.0) / 24.0)  # warmest and busiest in the afternoon
        hub = self.hubs[self._hub_of(kind, dev)]
        s: dict[str, Any] = {"_dev": dev}
        if kind in ("session", "payment"):
            con = self.connectors[dev]
            ch = self.chargers[con.charger]
            v = rng.randrange(len(VEHICLES))
            start = rng.randint(8, 55)
            end = min(100, start + rng.randint(18, 70))
            energy = VEHICLE_KWH[v] * (end - start) / 100.0 * rng.uniform(1.03, 1.12)
            peak = min(ch.kw, 11.0 if not ch.dc and v == 2 else ch.kw) * rng.uniform(0.55, 0.97)
            s.update(connector=con.name, vehicle=VEHICLES[v], energy=energy, power_peak=peak,
                     duration=max(3.0, energy / (peak * rng.uniform(0.55, 0.85)) * 60.0), soc_start=start, soc_end=end,
                     stop=rng.choice(STOPS[d]), session_no=0, receipt=0, method=rng.choice(METHODS[d]),
                     amount=energy * PRICE_PER_KWH[d] * rng.uniform(0.97, 1.03) + SESSION_FEE[d])
        elif kind == "thermal":
            con = self.connectors[dev]
            ch = self.chargers[con.charger]
            load = 0.0 if rng.random() < 0.3 else rng.uniform(0.2, 1.0)
            ambient = hub.ambient + 5.0 * day + rng.gauss(0.0, 0.7)
            s.update(connector=con.name, ambient=ambient, current=load * ch.max_a,
                     cable_temp=ambient + con.rise * load * load + rng.gauss(0.0, 0.8), sample=0)
        elif kind == "power":
            s.update(hub=hub.code, load=hub.base_kw * (1.0 + 0.45 * day) * math.exp(rng.gauss(0.0, 0.22)),
                     voltage=hub.volt + rng.gauss(0.0, 1.8), freq=50.0 + rng.gauss(0.0, 0.025), meter=0)
        elif kind == "ticket":
            s.update(charger=self.chargers[dev].name, category=rng.choice(CATEGORIES[d]),
                     technician=rng.choice(TECHNICIANS[d]),
                     downtime=self.downtime_median * math.exp(rng.gauss(0.0, 0.6)),
                     finding=rng.choice(FINDINGS[d]), note=rng.choice(TICKET_NOTES[d]), ticket_no=0)
        elif kind == "occupancy":
            bays = sum(1 for c in self.connectors if self.chargers[c.charger].hub == dev)
            busy = 0.5 + 0.15 * day
            occupied = sum(rng.random() < busy for _ in range(bays))
            queue = _poisson(rng, self.queue_mean)
            # the mean wait of the last quarter hour's drivers: a car being served plus those queued
            wait = (queue + 0.5) * self.wait_per_car * math.exp(rng.gauss(0.0, 0.3))
            s.update(hub=hub.code, occupied=occupied, queue=queue, wait=wait)
        elif kind == "fault":
            s.update(charger=self.chargers[dev].name, code=f"{FAULT_PREFIX[d]}-{rng.choice((101, 214, 305, 412, 517))}",
                     message=rng.choice(FAULT_MESSAGES[d]), occurrences=0)
        elif kind == "firmware":
            s.update(charger=self.chargers[dev].name, version=self.fw_version, stage=rng.choice(FW_STAGES[d]),
                     download=self.fw_mb * rng.uniform(0.98, 1.02), technician=rng.choice(TECHNICIANS[d]),
                     fw_duration=self.fw_median * math.exp(rng.gauss(0.0, 0.35)))
        elif kind == "bay":
            name = self.connectors[dev].name
            state = rng.choices(BAY_STATES[d], weights=(3.0, 2.0, 4.0))[0]
            idle = 0.0
            if state == BAY_STATES[d][1] and rng.random() < self.idle_share:
                idle = self.idle_median * math.exp(rng.gauss(0.0, 0.7))
            s.update(bay=f"{name.split('/')[0]}-P{name.split('/')[1]}", state=state, idle=idle)
        elif kind == "buffer":
            soc = hub.buffer_soc + rng.gauss(0.0, 3.5)
            flow = rng.gauss(0.0, 25.0)
            s.update(hub=hub.code, soc=min(100.0, max(0.0, soc)), cell_temp=hub.buffer_temp + 2.0 * day
                     + rng.gauss(0.0, 0.8) + abs(flow) * 0.02, flow=flow, cycles=0)
        elif kind == "meltdown":
            s.update(connector=self.connectors[dev].name, note=rng.choice(MELT_NOTES[d]))
        elif kind == "vandalism":
            s.update(charger=self.chargers[dev].name, damage=rng.choice(VANDAL[d]), reporter=rng.choice(REPORTERS[d]))
        elif kind == "groundfault":
            s.update(charger=self.chargers[dev].name, residual=rng.choice((30.0, 30.0, 6.0)) * rng.uniform(1.0, 3.5),
                     breaker=rng.choice(BREAKERS[d]))
        elif kind == "vehiclefire":
            name = self.connectors[dev].name
            s.update(bay=f"{name.split('/')[0]}-P{name.split('/')[1]}", note=rng.choice(FIRE_NOTES[d]))
        else:  # outage
            s.update(hub=hub.code, note=rng.choice(OUTAGE_NOTES[d]))
        return s

    # ------------------------------------------------------------ writing and reading back

    def _display(self, sem: str, x: float) -> float:
        q = QUANTITY.get(sem)
        if q == "temp" and self.fahrenheit:
            return x * 9.0 / 5.0 + 32.0
        if q == "energy" and self.watt_hours:
            return x * 1000.0
        return x

    def _raw(self, sem: str, y: float) -> float:
        q = QUANTITY.get(sem)
        if q == "temp" and self.fahrenheit:
            return (y - 32.0) * 5.0 / 9.0
        if q == "energy" and self.watt_hours:
            return y / 1000.0
        return y

    def _write(self, sem: str, x: Any) -> Any:
        if sem in INTEGERS:
            return int(round(x))
        q = QUANTITY.get(sem)
        if q is None:
            return x
        v = self._display(sem, float(x))
        if self.dialect == "vi":
            fmt = {"energy": (2, "kWh"), "kw": (1, "kW"), "min": (0, "phút"), "temp": (1, "°C"), "amp": (1, "A"),
                   "volt": (1, "V"), "hz": (2, "Hz"), "hours": (1, "giờ"), "mb": (1, "MB"), "sec": (0, "giây"),
                   "ma": (0, "mA")}
            return _dong(v) if q == "money" else _vi_qty(v, *fmt[q])
        if q in ("min", "sec", "ma") or (q == "energy" and self.watt_hours):
            return int(round(v))
        if q == "money":
            return int(round(v / 50.0)) * 50 if self.dialect == "sw" else round(v, 2)
        return round(v, {"energy": 2, "hz": 2}.get(q, 1))

    def _clock(self, ts: int) -> str:
        secs = int(ts // 1000 + self.tz_hours * 3600) % 86_400
        hh, mm, ss = secs // 3600, secs // 60 % 60, secs % 60
        return f"{hh:02d}:{mm:02d}" if self.dialect == "ka" else f"{hh:02d}:{mm:02d}:{ss:02d}"

    def _fields(self, kind: str, s: dict[str, Any], ts: int) -> dict[str, Any]:
        out = {}
        for sem in KIND_FIELDS[kind]:
            out[self.keys[sem]] = self._clock(ts) if sem == "clock" else self._write(sem, s[sem])
        if kind in CARRIERS:
            out[self.prio_key] = self._prio_value(s.get("_step", 0), s.get("_minutes"))
        return out

    def _prio_value(self, step: int, minutes: int | None) -> Any:
        d, mode = self.di, self.prio_mode
        if mode == "words":
            return PRIO_TERMS[d][step]
        if mode == "lane":
            return f"{LANE_PREFIX[d]}{5 - step}"
        if mode == "grade":
            return GRADE_LETTERS[d][step]
        if mode == "minutes":
            m = minutes if minutes is not None else MINUTE_BANDS[step][0]
            return f"dakika {m}" if d == 0 else f"{m} phút" if d == 1 else m
        if mode == "escalate":
            return ESCALATION[d][step]
        if mode == "flag":
            return SWITCH_OFF[d][0 if step else 1]
        if mode == "beacon":
            return BEACON[d][step]
        return STARS[step]

    def priority_of(self, kind: str, fields: dict[str, Any]) -> float:
        """The priority a record writes, read back from its field (0 for kinds that carry none)."""
        if kind not in CARRIERS:
            return 0.0
        d, mode, v = self.di, self.prio_mode, fields[self.prio_key]
        if mode == "flag":
            return FLAG_STRENGTH if v == SWITCH_OFF[d][0] else 0.0
        if mode == "minutes":
            m = int(re.sub(r"\D", "", str(v)))
            return STRENGTH[next(i for i, (lo, hi) in enumerate(MINUTE_BANDS) if lo <= m <= hi)]
        if mode == "lane":
            return STRENGTH[5 - int(str(v)[-1])]
        table = {"words": PRIO_TERMS[d], "grade": GRADE_LETTERS[d], "escalate": ESCALATION[d], "beacon": BEACON[d],
                 "stars": STARS}[mode]
        return STRENGTH[table.index(v)]

    def _step(self, kind: str, rng: random.Random) -> int:
        if kind in ALWAYS_RAISED:
            return rng.choices((2, 3, 4), weights=(2.0, 2.0, 1.0))[0]
        if kind == "groundfault":
            return 0 if rng.random() < 0.5 else rng.choices((1, 2, 3, 4), weights=(1.0, 2.0, 2.0, 1.0))[0]
        if rng.random() < self.raise_rate:
            return rng.choices((1, 2, 3, 4), weights=(4.0, 3.0, 2.0, 1.0))[0]
        return 0

    def _set_step(self, s: dict[str, Any], step: int, rng: random.Random) -> None:
        s["_step"] = step
        s["_minutes"] = rng.randint(*MINUTE_BANDS[step])

    def k_of(self, kind: str, fields: dict[str, Any]) -> float:
        """The largest distance, in spreads, of a record's watched numbers from their centres."""
        k = 0.0
        for key, st in self.stats.get(kind, {}).items():
            x = read_number(fields.get(key))
            if x is not None:
                k = max(k, abs(to_space(x, st.space) - st.centre) / st.spread)
        return k

    def truth(self, kind: str, fields: dict[str, Any]) -> tuple[float, str]:
        """``(importance, detail)`` of a routine record or a burst head, from what it writes."""
        k = self.k_of(kind, fields)
        a = 0.0 if k < ANOMALY_FROM else min(1.0, (k - 2.5) / 4.0)
        p = self.priority_of(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        words = {v for v in fields.values() if isinstance(v, str)}
        rarity = rk or (0.45 if words & RARE_VALUES[self.di] else 0.0)
        return noisy_or(0.04, 0.9 * a, 0.9 * p, rarity), main_reason(0.9 * a, 0.9 * p, rarity, rk)

    def _calibrate(self, rng: random.Random) -> None:
        for kind in self.common:
            if kind not in WATCHED:
                continue
            devs = self._devices(kind)
            cols: dict[str, list[float]] = {sem: [] for sem in WATCHED[kind]}
            for _ in range(DRAWS):
                ts = rng.uniform(0.0, 86_400_000.0)
                s = self._draw(kind, rng.choice(devs), ts, rng)
                for sem, (space, _t) in WATCHED[kind].items():
                    x = read_number(self._write(sem, s[sem]))
                    assert x is not None
                    cols[sem].append(to_space(x, space))
            self.stats[kind] = {}
            for sem, xs in cols.items():
                spread = (_pct(xs, 0.975) - _pct(xs, 0.025)) / 3.92
                if spread < 1e-6:  # (a mostly-zero field) fall back on the widest routine distance
                    spread = max(max(xs) - _pct(xs, 0.5), 1e-3) / 3.92
                self.stats[kind][self.keys[sem]] = Stat(_pct(xs, 0.5), spread, WATCHED[kind][sem][0])

    def _routine(self, kind: str, dev: int, ts: int, rng: random.Random) -> dict[str, Any]:
        s = self._draw(kind, dev, ts, rng)
        for _ in range(40):
            if kind not in self.stats or self.k_of(kind, self._fields(kind, s, ts)) < ROUTINE_UNDER:
                return s
            s = self._draw(kind, dev, ts, rng)
        for sem in WATCHED[kind]:  # (never seen in practice) put the numbers at their centres
            st = self.stats[kind][self.keys[sem]]
            s[sem] = self._raw(sem, from_space(st.centre, st.space))
        return s

    def _make_anomalous(self, kind: str, s: dict[str, Any], ts: int, rng: random.Random) -> bool:
        """Put one watched number 4.6-10.5 spreads off, the way that means trouble; False if none fits."""
        sems = list(WATCHED[kind])
        for _ in range(16):
            sem = rng.choice(sems)
            space, trouble = WATCHED[kind][sem]
            st = self.stats[kind][self.keys[sem]]
            sign = trouble or rng.choice((-1, 1))
            y = st.centre + sign * rng.uniform(4.6, 10.5) * st.spread
            raw = self._raw(sem, from_space(y, space))
            if raw < 0.0 or (sem == "soc" and raw > 100.0) or (space == "log1p" and raw < 1.0):
                continue
            trial = dict(s, **{sem: raw})
            fields = self._fields(kind, trial, ts)
            x = read_number(fields[self.keys[sem]])
            if x is None:
                continue
            k = abs(to_space(x, space) - st.centre) / st.spread
            if ANOMALY_FROM <= k <= 11.0 and self.k_of(kind, fields) <= 11.0:
                s[sem] = raw
                return True
        return False

    def _stamp(self, kind: str, s: dict[str, Any], ts: int) -> None:
        """Counters and numbers that run on between records (only for records that go out)."""
        dev = s["_dev"]
        if kind == "session":
            self.session_no += 1
            s["session_no"] = self.session_no
        elif kind == "payment":
            self.receipt += self.rng.randint(1, 3)
            s["receipt"] = self.receipt
        elif kind == "ticket":
            self.ticket_no += 1
            s["ticket_no"] = self.ticket_no
        elif kind == "thermal":
            self.connectors[dev].sample += 1
            s["sample"] = self.connectors[dev].sample
        elif kind == "power":
            hub = self.hubs[dev]
            hub.meter += max(1, int(s["load"] * self.mean_gap_ms / 3_600_000.0 * 40))
            s["meter"] = hub.meter
        elif kind == "fault":
            self.chargers[dev].occurrences += 1
            s["occurrences"] = self.chargers[dev].occurrences
        elif kind == "buffer":
            hub = self.hubs[dev]
            hub.cycles += self.rng.random() < 0.05
            s["cycles"] = hub.cycles

    # ------------------------------------------------------------ the stream

    def _push(self, t: float, tag: int, idx: int) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, tag, idx))

    def _begin(self, t0: float) -> None:
        rng = self.rng
        for kind in self.kinds:
            rate = self.share[kind] / self.mean_gap_ms
            if kind in POLLED:
                devs = self._devices(kind)
                for dv in devs:
                    gap = len(devs) / rate
                    self._sources.append((kind, dv, gap, True))
                    self._push(t0 + rng.uniform(0.0, gap), 0, len(self._sources) - 1)
            else:
                self._sources.append((kind, -1, 1.0 / rate, False))
                self._push(t0 + rng.expovariate(rate), 0, len(self._sources) - 1)
        self._running = True

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """The next ``n`` records of the stream, labelled, starting at ``now_ms`` or just after the last."""
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        rng = self.rng
        t0 = float(max(now_ms, self.last_ts + 1))
        if not self._running:
            self._begin(t0)
        if self._heap and self._heap[0][0] < t0:
            lag = t0 - self._heap[0][0]
            self._heap = [(t + lag, q, tag, i) for t, q, tag, i in self._heap]
            heapq.heapify(self._heap)
        out: list[_Item] = []
        self._tails = []
        owed = 0  # tails reserved and not yet out
        pool: list[int] = []  # routine records and burst heads: what copies copy
        while len(out) < n:
            left = n - len(out)
            if owed and left <= owed:
                j = min((e[0], e[1], i) for i, e in enumerate(self._heap) if e[2] == 1)[2]
                t, _q, tag, idx = self._heap.pop(j)
                heapq.heapify(self._heap)
            else:
                t, _q, tag, idx = heapq.heappop(self._heap)
            if tag == 1:
                self._tail(out, idx, t)
                owed -= 1
                continue
            kind, dev, gap, polled = self._sources[idx]
            nxt = gap * rng.uniform(0.88, 1.12) if polled else rng.expovariate(1.0 / gap)
            self._push(t + nxt, 0, idx)
            u = rng.random()
            copy_to = self.dup_rate + self.near_rate
            if u < copy_to and pool:
                self._copy(out, pool, t, near=u >= self.dup_rate)
                continue
            if copy_to <= u < copy_to + self.resend_rate and self._news:
                self._resend(out, t)
                continue
            if copy_to + self.resend_rate <= u < copy_to + self.resend_rate + self.burst_rate:
                tails = min(2 + int(rng.expovariate(1.0 / self.tail_mean)), 26, left - 1 - owed)
                if tails >= 2:
                    owed += self._head(out, t, tails)
                    pool.append(len(out) - 1)
                    continue
            self._fresh(out, kind, dev, t)
            pool.append(len(out) - 1)
        for it in out:
            lr = it.lr
            if lr.case in ("routine", "burst_head") and lr.importance >= 0.3:
                self._news.append((lr.record.kind, lr.record.fields, lr.record.origin, lr.importance))
        del self._news[:-300]
        return [it.lr for it in out]

    def _ts(self, t: float) -> int:
        self.last_ts = max(int(t), self.last_ts)
        return self.last_ts

    def _fresh(self, out: list[_Item], kind: str, dev: int, t: float) -> None:
        rng = self.rng
        if dev < 0:
            dev = self._pick_device(kind, rng)
        ts = self._ts(t)
        s = self._routine(kind, dev, ts, rng)
        if kind in WATCHED and rng.random() < self.anomaly_rate:
            self._make_anomalous(kind, s, ts, rng)
        if kind in CARRIERS:
            self._set_step(s, self._step(kind, rng), rng)
        if rng.random() < self.rare_value_rate:
            if kind == "session":
                s["stop"] = EMERGENCY_STOP[self.di]
            elif kind == "ticket":
                s["finding"] = MELTED_PIN[self.di]
        self._stamp(kind, s, ts)
        fields = self._fields(kind, s, ts)
        imp, detail = self.truth(kind, fields)
        rec = Record.create(self.kind_names[kind], self.origins[self._hub_of(kind, dev)], ts, fields)
        out.append(_Item(LabeledRecord(rec, imp, "routine", -1, detail), kind))

    def _head(self, out: list[_Item], t: float, tails: int) -> int:
        """A burst head (news) with ``tails`` tails on the burst clock; returns the tails reserved."""
        rng = self.rng
        if "meltdown" in self.rare and rng.random() < 0.15:
            kind = "meltdown"
        else:
            kind = rng.choice([k for k in BURST_KINDS if k in self.common])
        dev = self._pick_device(kind, rng)
        ts = self._ts(t)
        s = self._routine(kind, dev, ts, rng)
        if kind in CARRIERS:
            self._set_step(s, self._step(kind, rng) if kind == "meltdown" else rng.choice((1, 2, 3, 3, 4)), rng)
        elif not self._make_anomalous(kind, s, ts, rng):
            self._make_anomalous(kind, s, ts, rng)
        self._stamp(kind, s, ts)
        fields = self._fields(kind, s, ts)
        imp, detail = self.truth(kind, fields)
        origin = self.origins[self._hub_of(kind, dev)]
        rec = Record.create(self.kind_names[kind], origin, ts, fields)
        if imp < 0.3:
            out.append(_Item(LabeledRecord(rec, imp, "routine", -1, detail), kind))
            return 0
        out.append(_Item(LabeledRecord(rec, imp, "burst_head", -1, detail), kind))
        self._tails.append(_Tail(kind, len(out) - 1, s, origin, imp))
        when = t
        for _ in range(tails):
            when += self.burst_period_ms * rng.uniform(0.65, 1.35)
            self._push(when, 1, len(self._tails) - 1)
        return tails

    def _tail(self, out: list[_Item], bi: int, t: float) -> None:
        rng = self.rng
        b = self._tails[bi]
        s = b.sem
        for sem, (space, _t) in WATCHED.get(b.kind, {}).items():  # the watched numbers drift a little
            s[sem] = s[sem] + rng.gauss(0.0, 0.06) if space == "lin" else s[sem] * math.exp(rng.gauss(0.0, 0.012))
        for c in COUNTERS:
            if c in s:
                s[c] += 1 if c != "meter" else max(1, int(s["load"] / 20))
        dev = s["_dev"]  # the device's own counter runs on with its tails
        if b.kind == "thermal":
            self.connectors[dev].sample = max(self.connectors[dev].sample, s["sample"])
        elif b.kind == "power":
            self.hubs[dev].meter = max(self.hubs[dev].meter, s["meter"])
        elif b.kind == "fault":
            self.chargers[dev].occurrences = max(self.chargers[dev].occurrences, s["occurrences"])
        ts = self._ts(t)
        fields = self._fields(b.kind, s, ts)
        rec = Record.create(self.kind_names[b.kind], b.origin, ts, fields)
        out.append(_Item(LabeledRecord(rec, max(TAIL_MIN, 0.1 * b.importance), "burst_tail", b.head, ""), b.kind))

    def _other_origin(self, origin: str) -> str:
        rest = [o for o in self.origins if o != origin]
        return self.rng.choice(rest)

    def _copy(self, out: list[_Item], pool: list[int], t: float, *, near: bool) -> None:
        rng = self.rng
        cands = pool[-self.recent:] if rng.random() < 0.8 else pool
        i = rng.choices(cands, weights=[1.0 + 3.0 * out[j].lr.importance for j in cands])[0]
        src = out[i].lr.record
        fields = src.fields
        if near:
            retyped = self._retype(fields)
            near = retyped is not None
            fields = retyped or fields
        relay = rng.random() < (0.7 if near else 0.45)
        origin = self._other_origin(src.origin) if relay else src.origin
        ts = self._ts(t)
        if ts == src.ts_ms and origin == src.origin:
            ts = self.last_ts = ts + 1
        rec = Record.create(src.kind, origin, ts, fields)
        case, factor = ("near_dup", 0.1) if near else ("dup", 0.05)
        out.append(_Item(LabeledRecord(rec, factor * out[i].lr.importance, case, i, ""), out[i].kind))

    def _retype_one(self, v: str | float) -> str | float | None:
        """Another terminal's entry of one value: None when it cannot be typed differently."""
        rng = self.rng
        if isinstance(v, float):
            dec = len(repr(v).split(".")[1]) if "." in repr(v) else 0
            nv = round(v, max(0, dec - 1))
            return nv if nv != v else None
        m = _VI_NUMBER.fullmatch(v) if self.dialect == "vi" else None
        if m:
            ways = [v.replace(" ", "", 1)]
            if "," in m[1]:
                ways.append(v.replace(",", ".", 1))
            return rng.choice(ways)
        if re.fullmatch(r"\d\d:\d\d(:\d\d)?", v):
            return v.replace(":", ".")
        if self.dialect == "vi":
            folded = _fold_vi(v)
            ways = [w for w in (folded, v[:1].upper() + v[1:]) if w != v]
        elif self.dialect == "sw":
            ways = [w for w in (v[:1].upper() + v[1:], v.upper()) if w != v]
        else:  # Mkhedruli has no case: words typed together, or a hyphen typed as a space
            ways = [w for w in (v.replace(" ", "", 1), v.replace("-", " ", 1)) if w != v]
        return rng.choice(ways) if ways else None

    def _retype(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        rng = self.rng
        keys = [k for k, v in fields.items() if k != self.prio_key and isinstance(v, str | float)
                and not isinstance(v, bool)]
        rng.shuffle(keys)
        want = 2 if rng.random() < 0.35 else 1
        out = dict(fields)
        changed = 0
        for k in keys:
            nv = self._retype_one(fields[k])
            if nv is not None and nv != fields[k]:
                out[k] = nv
                changed += 1
                if changed == want:
                    break
        return out if changed else None

    def _resend(self, out: list[_Item], t: float) -> None:
        rng = self.rng
        kind_name, fields, origin, imp = self._news[rng.randrange(len(self._news))]
        same = rng.random() < 0.6
        rec = Record.create(kind_name, origin if same else self._other_origin(origin), self._ts(t), fields)
        out.append(_Item(LabeledRecord(rec, (0.01 if same else 0.02) * imp, "resend", -1, ""),
                         self.kind_of[kind_name]))


def _poisson(rng: random.Random, mean: float) -> int:
    k, p, limit = 0, rng.random(), math.exp(-mean)
    while p > limit:
        k += 1
        p *= rng.random()
    return k
