"""Held-out family ``observatory``: a network of optical observatories. Used ONLY by evaluation.

Theory of operation
-------------------
A held-out family written blind (docs/holdout-observatory.md): nobody tunes the model on it, and it
shares no code path, name, distribution or vocabulary with the training generators or the other
held-out families. Only :class:`LabeledRecord`, :func:`noisy_or` and :func:`main_reason` (the
definition's truth helpers) and :class:`Record` are imported; the arrival process, the instruments and
the vocabularies are this module's own. Training never imports it (tests/node/test_holdout_observatory.py).

One seed is one observatory network: 3-8 mountain sites, each a control room (the ``origins``, peer
ids from :data:`SITE_IDS`, Zipf busy) with 1-4 telescopes (apertures 0.4-8 m, one detector each: all
cooled CCDs or, in a quarter of the worlds, all CMOS), a weather mast, an all-sky camera and a
seismometer. From one ``random.Random(seed)`` a world draws:

- a dialect: ``el`` Greek (Greek script, decimal commas and units inside the values), ``lt``
  Lithuanian (plain numbers, the unit in the field name; km/h and kelvin in some worlds) or ``hy``
  Armenian (Armenian script, plain numbers; pressure in mm Hg, volumes in whole MB, durations in
  minutes in some worlds), which names every kind, field, category, note and priority value;
- a naming style for kinds (UPPER_SNAKE, dotted, slash, PascalCase, snake; Greek capitals without
  accents) and one for fields (snake, kebab, lowerCamel, spaced words);
- exposures, weather, detector cooling and maintenance tickets (always) plus 2-5 of seven other kinds
  (guiding, all-sky camera, archive transfers, dome motion, control-system faults, calibration frames,
  seismometer), and 1-3 of five rare kinds (rain in an open dome, frost on the primary mirror, an
  aircraft in the laser guide star's path, an earthquake stop, a site power outage), each 0.2-0.8% of
  the fresh records;
- one of eight priority forms (``prio_form``; its field ``prio_key``), written by tickets, dome motion,
  faults, rain in the dome, mirror frost and aircraft only;
- case rates, a mean gap (80 ms-2 s), a burst clock, the network's time zone and the moon's phase.

Arrivals: a heap of Poisson processes. Polled instruments (weather masts, detector coolers, all-sky
cameras, seismometers, guiders) report on periods of their own; the other kinds are Poisson sources
thinned by the hour of the night (exposures and dome moves mostly at night, calibration frames mostly
by day). Copies, near copies, re-sends and bursts are Poisson processes of their own in the same heap;
a burst's tails run on the burst clock, are reserved when the head is made and always fit the batch.

Truth (docs/holdout.md's definition): routine records and burst heads are
``noisy_or(0.04, 0.9 a, 0.9 p, rarity)``, ``detail = main_reason(0.9 a, 0.9 p, rarity, rare kind)``.
``a``: each watched number's distance k from its kind's median in spreads (spread = central 95% width
/ 3.92 of 600 routine draws made with the world, read back from what the record writes, in log space
for the skewed positive fields, log1p for the zero-inflated ground acceleration); ``a = 0`` below 4.5,
else ``min(1, (k - 2.5) / 4)``. Routine draws stay under 4 spreads (redrawn otherwise); an anomaly puts
one number 4.6-10.5 spreads off in the direction that means trouble. ``p``: the step's strength 0.4 /
0.6 / 0.8 / 1.0 (a raised halt flag 0.9), read back from the record. ``rarity`` 0.5 for a rare kind,
0.45 for a rare value (a jammed shutter on an exposure, a scratched mirror found by a ticket). Exact
copies 5% of their source, near copies 10%, burst tails a tenth of the head (at least 0.02), re-sends
1% (same control room) or 2% (another) of the earlier record.
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

DIALECTS = ("el", "lt", "hy")
PRIORITY_FORMS = ("words", "rank", "hours", "notify", "halt", "plus", "fraction", "action")
COMMON_KINDS = ("exposure", "weather", "camera", "ticket", "guiding", "allsky", "transfer", "dome", "fault",
                "calib", "seismo")
ALWAYS_PRESENT = ("exposure", "weather", "camera", "ticket")
RARE_KINDS = ("domerain", "mirrorfrost", "aircraft", "quake", "outage")
CARRIERS = frozenset({"ticket", "dome", "fault", "domerain", "mirrorfrost", "aircraft"})
ALWAYS_RAISED = frozenset({"domerain", "mirrorfrost"})
SITE_KINDS = frozenset({"weather", "allsky", "seismo", "quake", "outage"})  # one device per site
POLLED = ("weather", "camera", "allsky", "seismo", "guiding")
BURST_KINDS = ("exposure", "weather", "camera", "guiding", "dome", "fault")
KIND_STYLES = ("upper", "dotted", "slash", "pascal", "snake")
FIELD_STYLES = ("snake", "kebab", "camel", "spaced")
STRENGTH = (0.0, 0.4, 0.6, 0.8, 1.0)
HALT_STRENGTH = 0.9
ANOMALY_FROM = 4.5
ROUTINE_UNDER = 4.0
TAIL_FACTOR = 0.1
TAIL_MIN = 0.02
DRAWS = 600

# Ed25519 peer ids of sha256("holdout-observatory-site/{i}") (the test derives them again).
SITE_IDS = (
    "12D3KooWP1vkGbhrMCTZQzbcBWmMmzWBaYGfyVWGYfWuZSQvmV2n",
    "12D3KooWDtzuJD6aiqc3Syrkqw9ZjDzfMk2gB8tct5ryqu5wa43Q",
    "12D3KooWPDcew6Mex1pFzg4XXBueqQbt2Z6HERZbAdzx8ykGJV5F",
    "12D3KooWFHeBwD7nYmXAXUJFoejW2Cr4M8ae12ovrqkJeMBqDEuU",
    "12D3KooWJsFVed7zAtzC8DNpD98JCuy6BaTpswVpTmVgBCedyHyK",
    "12D3KooWCVUbvBYfcNLXaZRD6Xq5JWdnGuw6cGxeo7usARTrFqbn",
    "12D3KooWEnVJBHFyf2zagC54RJr3tkQdprkNkgJAUNeSFMgAfSau",
    "12D3KooWPXzH5MxVKDxTcmVkAa7xPqZHeDkCTGAkzSRZsVuxUNZz",
)

# Watched numbers: kind -> field -> (space, trouble direction: +1 up, -1 down, 0 either way).
WATCHED: dict[str, dict[str, tuple[str, int]]] = {
    "exposure": {"seeing": ("log", 1), "sky": ("lin", -1)},
    "weather": {"wind": ("lin", 1), "tendency": ("lin", -1)},
    "camera": {"temp_error": ("lin", 1)},
    "ticket": {"downtime": ("log", 1)},
    "guiding": {"rms": ("log", 1)},
    "allsky": {"transparency": ("lin", -1)},
    "transfer": {"rate": ("log", -1)},
    "dome": {"motor_current": ("log", 1)},
    "calib": {"dark": ("log", 1)},
    "seismo": {"pga": ("log1p", 1)},
}

KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "exposure": ("telescope", "target", "filter", "exp_time", "airmass", "seeing", "sky", "frame", "status",
                 "observer"),
    "weather": ("site", "wind", "gust", "humidity", "temp", "pressure", "tendency", "rain", "clock"),
    "camera": ("telescope", "ccd_temp", "setpoint", "temp_error", "cooler_power", "shutter_count", "clock"),
    "ticket": ("ticket_no", "telescope", "subsystem", "technician", "downtime", "finding", "note"),
    "guiding": ("telescope", "guide_mag", "rms", "corrections", "clock"),
    "allsky": ("site", "cloud", "transparency", "moon_alt", "clock"),
    "transfer": ("telescope", "files", "volume", "rate", "duration", "checksum"),
    "dome": ("telescope", "azimuth", "slit", "motor_current", "rotation", "clock"),
    "fault": ("telescope", "code", "message", "occurrences", "clock"),
    "calib": ("telescope", "frame_type", "bias", "dark", "clock"),
    "seismo": ("site", "station", "pga", "clock"),
    "domerain": ("telescope", "rain", "note", "occurrences", "clock"),
    "mirrorfrost": ("telescope", "dew_margin", "note"),
    "aircraft": ("telescope", "note", "clock"),
    "quake": ("site", "magnitude", "note", "clock"),
    "outage": ("site", "note", "clock"),
}

# How each numeric field is written: quantity -> (decimals, Greek unit or None); fields not here are
# ints (counters, ids) or words.
QUANTITY: dict[str, tuple[str, int, str | None]] = {
    "exp_time": ("sec", 0, "δλ"), "airmass": ("ratio", 2, None), "seeing": ("arcsec", 2, "″"),
    "sky": ("mag", 2, "mag"), "wind": ("speed", 1, "m/s"), "gust": ("speed", 1, "m/s"),
    "humidity": ("pct", 0, "%"), "temp": ("temp", 1, "°C"), "pressure": ("press", 1, "hPa"),
    "tendency": ("press", 2, "hPa"), "rain": ("rain", 1, "mm/h"), "ccd_temp": ("ctemp", 2, "°C"),
    "setpoint": ("ctemp", 2, "°C"), "temp_error": ("dtemp", 2, "°C"), "cooler_power": ("watt", 1, "W"),
    "downtime": ("hours", 1, "ώρες"), "guide_mag": ("mag", 1, "mag"), "rms": ("arcsec", 3, "″"),
    "transparency": ("pct", 0, "%"), "moon_alt": ("deg", 0, "°"), "volume": ("gb", 3, "GB"),
    "rate": ("mbs", 1, "MB/s"), "duration": ("tsec", 1, "δλ"), "motor_current": ("amp", 2, "A"),
    "rotation": ("tsec", 1, "δλ"), "bias": ("adu", 1, "ADU"), "dark": ("dark", -4, "e/px/h"),
    "pga": ("mg", 2, "mg"), "magnitude": ("ml", 1, "ML"), "dew_margin": ("temp", 1, "°C"),
}
INTEGERS = frozenset({"frame", "shutter_count", "ticket_no", "corrections", "cloud", "files", "azimuth",
                      "occurrences"})
COUNTERS = ("frame", "shutter_count", "corrections", "occurrences")  # what a burst's tails step on

# ---------------------------------------------------------------- vocabularies (el, lt, hy)

KIND_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "exposure": (("λήψη", "εικόνας"), ("ekspozicijos", "įrašas"), ("դիտման", "կադր")),
    "weather": (("μετεωρολογικός", "ιστός"), ("meteo", "stotis"), ("եղանակային", "կայան")),
    "camera": (("ψύξη", "ανιχνευτή"), ("detektoriaus", "aušinimas"), ("դետեկտորի", "սառեցում")),
    "ticket": (("δελτίο", "συντήρησης"), ("priežiūros", "užklausa"), ("սպասարկման", "հայտ")),
    "guiding": (("καθοδήγηση", "τηλεσκοπίου"), ("sekimo", "korekcija"), ("ուղղորդման", "ճշգրտում")),
    "allsky": (("κάμερα", "ουρανού"), ("dangaus", "kamera"), ("երկնքի", "տեսախցիկ")),
    "transfer": (("μεταφορά", "δεδομένων"), ("duomenų", "perdavimas"), ("տվյալների", "փոխանցում")),
    "dome": (("κίνηση", "θόλου"), ("kupolo", "judėjimas"), ("գմբեթի", "շարժում")),
    "fault": (("σφάλμα", "ελέγχου"), ("valdymo", "klaida"), ("կառավարման", "սխալ")),
    "calib": (("πλαίσιο", "βαθμονόμησης"), ("kalibravimo", "kadras"), ("չափաբերման", "կադր")),
    "seismo": (("σεισμική", "καταγραφή"), ("seisminė", "stebėsena"), ("սեյսմիկ", "գրանցում")),
    "domerain": (("βροχή", "σε", "ανοιχτό", "θόλο"), ("lietus", "atvirame", "kupole"),
                 ("անձրև", "բաց", "գմբեթում")),
    "mirrorfrost": (("πάγος", "στο", "κάτοπτρο"), ("ledas", "ant", "veidrodžio"), ("սառույց", "հայելու", "վրա")),
    "aircraft": (("αεροσκάφος", "στη", "δέσμη", "λέιζερ"), ("lėktuvas", "lazerio", "zonoje"),
                 ("ինքնաթիռ", "լազերային", "գոտում")),
    "quake": (("σεισμός", "ακινητοποίηση"), ("žemės", "drebėjimo", "stabdymas"), ("երկրաշարժի", "կանգառ")),
    "outage": (("διακοπή", "ρεύματος"), ("elektros", "dingimas"), ("հոսանքի", "անջատում")),
}

FIELD_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "site": (("σταθμός",), ("stotis",), ("կայան",)),
    "telescope": (("τηλεσκόπιο",), ("teleskopas",), ("աստղադիտակ",)),
    "clock": (("ώρα",), ("laikas",), ("ժամ",)),
    "target": (("στόχος",), ("objektas",), ("թիրախ",)),
    "filter": (("φίλτρο",), ("filtras",), ("ֆիլտր",)),
    "exp_time": (("χρόνος", "έκθεσης"), ("ekspozicijos", "trukmė"), ("լուսակայման", "տևողություն")),
    "airmass": (("αέρια", "μάζα"), ("oro", "masė"), ("օդային", "զանգված")),
    "seeing": (("ποιότητα", "ειδώλου"), ("vaizdo", "kokybė"), ("պատկերի", "որակ")),
    "sky": (("φωτεινότητα", "ουρανού"), ("dangaus", "ryškumas"), ("երկնքի", "պայծառություն")),
    "frame": (("αριθμός", "καρέ"), ("kadro", "numeris"), ("կադրի", "համար")),
    "status": (("κατάσταση",), ("būsena",), ("վիճակ",)),
    "observer": (("παρατηρητής",), ("stebėtojas",), ("դիտորդ",)),
    "wind": (("ταχύτητα", "ανέμου"), ("vėjo", "greitis"), ("քամու", "արագություն")),
    "gust": (("ριπή",), ("gūsis",), ("պոռթկում",)),
    "humidity": (("υγρασία",), ("drėgmė",), ("խոնավություն",)),
    "temp": (("θερμοκρασία", "αέρα"), ("oro", "temperatūra"), ("օդի", "ջերմաստիճան")),
    "pressure": (("πίεση",), ("slėgis",), ("ճնշում",)),
    "tendency": (("τάση", "πίεσης"), ("slėgio", "pokytis"), ("ճնշման", "փոփոխություն")),
    "rain": (("βροχόπτωση",), ("krituliai",), ("տեղումներ",)),
    "ccd_temp": (("θερμοκρασία", "ανιχνευτή"), ("detektoriaus", "temperatūra"), ("դետեկտորի", "ջերմաստիճան")),
    "setpoint": (("στόχος", "ψύξης"), ("nustatyta", "temperatūra"), ("նպատակային", "ջերմաստիճան")),
    "temp_error": (("απόκλιση", "ψύξης"), ("aušinimo", "nuokrypis"), ("սառեցման", "շեղում")),
    "cooler_power": (("ισχύς", "ψύκτη"), ("aušintuvo", "galia"), ("սառնարանի", "հզորություն")),
    "shutter_count": (("κύκλοι", "κλείστρου"), ("užrakto", "ciklai"), ("փականի", "ցիկլեր")),
    "ticket_no": (("αριθμός", "δελτίου"), ("užklausos", "numeris"), ("հայտի", "համար")),
    "subsystem": (("υποσύστημα",), ("posistemė",), ("ենթահամակարգ",)),
    "technician": (("τεχνικός",), ("technikas",), ("տեխնիկ",)),
    "downtime": (("χρόνος", "εκτός", "λειτουργίας"), ("prastovos", "trukmė"), ("պարապուրդ",)),
    "finding": (("εύρημα",), ("radinys",), ("հայտնաբերում",)),
    "note": (("σημείωση",), ("pastaba",), ("նշում",)),
    "guide_mag": (("μέγεθος", "αστέρα", "οδηγού"), ("gairės", "žvaigždės", "ryškis"),
                  ("ուղեցույց", "աստղի", "մեծություն")),
    "rms": (("σφάλμα", "παρακολούθησης"), ("sekimo", "paklaida"), ("հետևման", "սխալ")),
    "corrections": (("διορθώσεις",), ("korekcijos",), ("ուղղումներ",)),
    "cloud": (("νεφοκάλυψη",), ("debesuotumas",), ("ամպամածություն",)),
    "transparency": (("διαφάνεια",), ("skaidrumas",), ("թափանցիկություն",)),
    "moon_alt": (("ύψος", "σελήνης"), ("mėnulio", "aukštis"), ("լուսնի", "բարձրություն")),
    "files": (("αρχεία",), ("failai",), ("ֆայլեր",)),
    "volume": (("όγκος",), ("apimtis",), ("ծավալ",)),
    "rate": (("ρυθμός", "μεταφοράς"), ("perdavimo", "sparta"), ("փոխանցման", "արագություն")),
    "duration": (("διάρκεια", "μεταφοράς"), ("perdavimo", "trukmė"), ("փոխանցման", "տևողություն")),
    "checksum": (("έλεγχος", "ακεραιότητας"), ("kontrolinė", "suma"), ("ստուգիչ", "գումար")),
    "azimuth": (("αζιμούθιο",), ("azimutas",), ("ազիմուտ",)),
    "slit": (("σχισμή",), ("plyšys",), ("ճեղք",)),
    "motor_current": (("ρεύμα", "κινητήρα"), ("variklio", "srovė"), ("շարժիչի", "հոսանք")),
    "rotation": (("χρόνος", "περιστροφής"), ("sukimosi", "trukmė"), ("պտտման", "տևողություն")),
    "code": (("κωδικός", "σφάλματος"), ("klaidos", "kodas"), ("սխալի", "կոդ")),
    "message": (("μήνυμα",), ("pranešimas",), ("հաղորդագրություն",)),
    "occurrences": (("επαναλήψεις",), ("pasikartojimai",), ("կրկնություններ",)),
    "frame_type": (("είδος", "πλαισίου"), ("kadro", "tipas"), ("կադրի", "տեսակ")),
    "bias": (("στάθμη", "πόλωσης"), ("poslinkio", "lygis"), ("շեղման", "մակարդակ")),
    "dark": (("ρεύμα", "σκότους"), ("tamsos", "srovė"), ("մութ", "հոսանք")),
    "pga": (("μέγιστη", "επιτάχυνση"), ("didžiausias", "pagreitis"), ("առավելագույն", "արագացում")),
    "station": (("κωδικός", "σταθμού"), ("stoties", "kodas"), ("կայանի", "կոդ")),
    "magnitude": (("μέγεθος", "σεισμού"), ("drebėjimo", "stiprumas"), ("երկրաշարժի", "ուժգնություն")),
    "dew_margin": (("περιθώριο", "δρόσου"), ("rasos", "atsarga"), ("ցողի", "պաշար")),
}

# The priority field's name per form and dialect: none is a priority word in English.
PRIO_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "words": (("προτεραιότητα",), ("prioritetas",), ("առաջնահերթություն",)),
    "rank": (("σειρά", "εξυπηρέτησης"), ("eilės", "numeris"), ("հերթի", "կարգ")),
    "hours": (("ώρες", "έως", "ενέργεια"), ("valandos", "iki", "veiksmo"), ("ժամեր", "մինչ", "գործողություն")),
    "notify": (("ειδοποίηση", "προς"), ("pranešti", "kam"), ("ծանուցել",)),
    "halt": (("διακοπή", "παρατηρήσεων"), ("stabdyti", "stebėjimus"), ("դադարեցնել", "դիտումները")),
    "plus": (("σήμανση",), ("žymė",), ("նշան",)),
    "fraction": (("επηρεαζόμενο", "μέρος"), ("paveikta", "dalis"), ("ազդված", "մաս")),
    "action": (("ενέργεια", "θόλου"), ("kupolo", "veiksmas"), ("գմբեթի", "գործողություն")),
}

# What each form writes per step 0..4 (per dialect where it has words).
PRIO_VALUES: dict[str, tuple[tuple[str, ...], ...]] = {
    "words": (("κανονική", "χαμηλή", "μέτρια", "υψηλή", "κρίσιμη"),
              ("įprastas", "žemas", "vidutinis", "aukštas", "kritinis"),
              ("սովորական", "ցածր", "միջին", "բարձր", "կրիտիկական")),
    # a queue rank in the dialect's own numerals, descending: 1 is served first
    "rank": (("εʹ", "δʹ", "γʹ", "βʹ", "αʹ"), ("V", "IV", "III", "II", "I"), ("Ե", "Դ", "Գ", "Բ", "Ա")),
    "notify": (("κανείς", "βοηθός νυχτερινής βάρδιας", "μηχανικός σταθμού", "διευθυντής αστεροσκοπείου",
                "πυροσβεστική"),
               ("niekam", "nakties asistentui", "stoties inžinieriui", "observatorijos direktoriui", "ugniagesiams"),
               ("ոչ ոքի", "գիշերային օգնականին", "կայանի ինժեներին", "աստղադիտարանի տնօրենին", "հրշեջներին")),
    "plus": (("·", "+", "++", "+++", "++++"),) * 3,
    "fraction": (("0/4", "1/4", "2/4", "3/4", "4/4"),) * 3,
    "action": (("καμία ενέργεια", "παρακολούθηση", "κλείσιμο σχισμής", "κλείσιμο και στάθμευση", "εκκένωση"),
               ("jokių veiksmų", "stebėti", "uždaryti plyšį", "uždaryti ir parkuoti", "evakuoti"),
               ("ոչինչ", "հետևել", "փակել ճեղքը", "փակել և կայանել", "տարհանել")),
}
HALT_VALUES: tuple[tuple[Any, Any], ...] = (("ναι", "όχι"), (True, False), ("այո", "ոչ"))
HOURS_STEPS = ((72, 336), (24, 71), (8, 23), (2, 7), (0, 1))  # hours until someone must act, per step

STATUS = (("αποθηκεύτηκε", "αναγνώστηκε", "επεξεργάστηκε", "αρχειοθετήθηκε"),
          ("išsaugota", "nuskaityta", "apdorota", "archyvuota"),
          ("պահպանված", "կարդացված", "մշակված", "արխիվացված"))
SHUTTER_JAMMED = ("κολλημένο κλείστρο", "užstrigo užraktas", "փականը խրված է")
SUBSYSTEMS = (("θόλος", "στήριξη", "κύριο κάτοπτρο", "κάμερα", "φασματογράφος", "δίκτυο", "ψύξη"),
              ("kupolas", "montuotė", "pagrindinis veidrodis", "kamera", "spektrografas", "tinklas", "aušinimas"),
              ("գմբեթ", "հենարան", "գլխավոր հայելի", "տեսախցիկ", "սպեկտրոգրաֆ", "ցանց", "սառեցում"))
FINDINGS = (("φθαρμένος ιμάντας", "χαλαρός σύνδεσμος", "σκόνη στο παράθυρο", "τίποτα ανώμαλο", "διαρροή λαδιού"),
            ("nusidėvėjęs diržas", "atsilaisvinusi jungtis", "dulkės ant lango", "nieko neįprasto",
             "alyvos nuotėkis"),
            ("մաշված գոտի", "թուլացած միացում", "փոշի պատուհանին", "ոչինչ արտասովոր", "յուղի արտահոսք"))
SCRATCHED_MIRROR = ("γρατζουνιά στο κάτοπτρο", "įbrėžtas veidrodis", "քերծված հայելի")
NOTES = (("έλεγχος μετά το λυκόφως", "ανταλλακτικό παραγγέλθηκε", "επανεκκίνηση ελεγκτή", "καθαρισμός φακών",
          "αναμονή για καλό καιρό"),
         ("patikrinta po prieblandos", "užsakyta dalis", "valdiklis perkrautas", "lęšiai nuvalyti",
          "laukiama geresnio oro"),
         ("ստուգվել է մթնշաղից հետո", "պահեստամասը պատվիրված է", "կարգավարը վերագործարկվել է",
          "ոսպնյակները մաքրված են", "սպասում ենք լավ եղանակի"))
PEOPLE = (("Νίκος", "Ελένη", "Γιώργος", "Μαρία", "Κώστας", "Σοφία", "Δημήτρης", "Αθηνά"),
          ("Jonas", "Rūta", "Mantas", "Eglė", "Tomas", "Gintarė", "Žygimantas", "Aušra"),
          ("Արամ", "Անի", "Տիգրան", "Նարե", "Դավիթ", "Լուսինե", "Գոռ", "Մարիամ"))
FAULT_MESSAGES = (("υπέρβαση ορίου κινητήρα", "χάθηκε σύνδεση κωδικοποιητή", "λήξη χρόνου ελεγκτή",
                   "σφάλμα ανάγνωσης αισθητήρα", "υπερθέρμανση τροφοδοτικού"),
                  ("viršyta variklio riba", "prarastas enkoderio ryšys", "baigėsi valdiklio laikas",
                   "jutiklio skaitymo klaida", "perkaito maitinimo blokas"),
                  ("շարժիչի սահմանը գերազանցված է", "էնկոդերի կապը կորել է", "կարգավարի ժամկետը լրացել է",
                   "տվիչի ընթերցման սխալ", "սնուցման բլոկը գերտաքացել է"))
CHECKSUM = (("εντάξει", "επαληθεύτηκε"), ("gerai", "patikrinta"), ("կարգին", "ստուգված"))
SLIT = (("ανοιχτή", "κλειστή"), ("atviras", "uždarytas"), ("բաց", "փակ"))
FRAME_TYPES = (("πόλωση", "σκοτεινό", "επίπεδο πεδίο"), ("poslinkis", "tamsusis", "plokščias laukas"),
               ("շեղում", "մութ", "հարթ դաշտ"))
RARE_NOTES: dict[str, tuple[tuple[str, ...], ...]] = {
    "domerain": (("νερό στο δάπεδο του θόλου", "βροχή πάνω στο κάτοπτρο", "η σχισμή δεν έκλεισε"),
                 ("vanduo ant kupolo grindų", "lietus ant veidrodžio", "plyšys neužsidarė"),
                 ("ջուր գմբեթի հատակին", "անձրև հայելու վրա", "ճեղքը չփակվեց")),
    "mirrorfrost": (("πάχνη στο κύριο κάτοπτρο", "υγρασία στην επιφάνεια", "κάτω από το σημείο δρόσου"),
                    ("šerkšnas ant pagrindinio veidrodžio", "drėgmė ant paviršiaus", "žemiau rasos taško"),
                    ("եղյամ գլխավոր հայելու վրա", "խոնավություն մակերեսին", "ցողի կետից ցածր")),
    "aircraft": (("αεροσκάφος στο οπτικό πεδίο", "κλείστρο λέιζερ κλειστό", "σήμα από τον παρατηρητή"),
                 ("lėktuvas regos lauke", "lazerio sklendė uždaryta", "stebėtojo perspėjimas"),
                 ("ինքնաթիռ տեսադաշտում", "լազերի փականը փակ է", "դիտորդի ազդանշան")),
    "quake": (("αυτόματη ακινητοποίηση στήριξης", "έλεγχος ευθυγράμμισης"),
              ("montuotė sustabdyta automatiškai", "tikrinamas išlygiavimas"),
              ("հենարանը ավտոմատ կանգնեց", "ստուգվում է հավասարեցումը")),
    "outage": (("διακοπή από το δίκτυο", "γεννήτρια σε λειτουργία", "UPS σε εκφόρτιση"),
               ("tinklo gedimas", "veikia generatorius", "UPS išsikrauna"),
               ("ցանցի խափանում", "գեներատորը աշխատում է", "UPS-ը լիցքաթափվում է")),
}
SITE_CODES = (("ΧΛΜ", "ΣΚΝ", "ΑΙΝ", "ΚΡΥ", "ΠΑΡ", "ΤΑΥ", "ΟΛΥ", "ΨΗΛ"),
              ("MOL", "ZVE", "KAL", "ALN", "BIR", "DZU", "SVE", "VIL"),
              ("ԲՅՈՒ", "ԱՐԱ", "ԳՌՆ", "ԱՐՄ", "ՍԵՎ", "ԼՈՌ", "ԳԵՂ", "ԱԶԱ"))
FILTERS = ("U", "B", "V", "R", "I", "g", "r", "i", "z", "Hα", "OIII")
FILTER_SKY = {"U": 0.5, "B": 0.4, "V": 0.0, "R": -0.3, "I": -0.5, "g": 0.3, "r": -0.2, "i": -0.4, "z": -0.5,
              "Hα": 0.2, "OIII": 0.3}
CATALOGUES = (("NGC", 1, 7840), ("IC", 1, 5386), ("M", 1, 110), ("HD", 1000, 225000), ("Abell", 1, 4076),
              ("TIC", 1_000_000, 99_999_999))
EXP_MENU = (1, 5, 10, 30, 60, 120, 180, 300, 600, 900, 1200, 1800)

_GREEK_QTY = re.compile(r"(?P<n>-?\d+(?:,\d+)?)(?: ?(?P<u>δλ|″|mag|m/s|%|°C|hPa|mm/h|W|ώρες|°|GB|MB/s|A|ADU"
                        r"|e/px/h|mg|ML))?")
_CLOCK = re.compile(r"\d\d:\d\d(:\d\d)?")


def world_form(seed: int) -> tuple[str, str]:
    """A world's dialect and priority form: the first two draws of its generator."""
    rng = random.Random(seed)
    return DIALECTS[rng.randrange(3)], PRIORITY_FORMS[rng.randrange(len(PRIORITY_FORMS))]


def _caps(word: str, dialect: str) -> str:
    """Capitals as each script writes them: Greek capitals drop their accents, Armenian ``և`` is ``ԵՎ``."""
    if dialect == "el":
        word = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return word.replace("և", "եվ").upper()


def styled(words: tuple[str, ...], style: str, dialect: str) -> str:
    """Join name words in a naming style."""
    if style == "upper":
        return "_".join(_caps(w, dialect) for w in words)
    if style == "pascal":
        return "".join(w[:1].upper() + w[1:] for w in words)
    if style == "camel":
        return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])
    sep = {"dotted": ".", "slash": "/", "snake": "_", "kebab": "-", "spaced": " "}[style]
    return sep.join(words)


def read_number(v: object) -> float | None:
    """The number a field value writes (a plain number or a Greek quantity string), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    m = _GREEK_QTY.fullmatch(str(v))
    return float(m["n"].replace(",", ".")) if m else None


def to_space(x: float, space: str) -> float:
    if space == "log":
        return math.log(max(x, 1e-12))
    if space == "log1p":
        return math.log1p(max(x, 0.0))
    return x


def from_space(y: float, space: str) -> float:
    if space == "log":
        return math.exp(y)
    if space == "log1p":
        return math.expm1(y)
    return y


def _quantile(xs: list[float], q: float) -> float:
    pos = q * (len(xs) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _sig(x: float, digits: int) -> float:
    """``x`` rounded to ``digits`` significant digits."""
    if x == 0:
        return 0.0
    return round(x, max(0, digits - 1 - math.floor(math.log10(abs(x)))))


@dataclass(frozen=True, slots=True)
class Stat:
    """A watched number's routine centre and spread (in ``space``), measured when the world is made."""

    centre: float
    spread: float
    space: str


@dataclass(slots=True)
class _Site:
    code: str
    tz: float  # hours from UTC
    air: float  # mean air temperature °C
    pressure: float  # hPa at the site's altitude
    humidity: float
    wind: float  # Rayleigh scale m/s
    seeing: float  # median arcsec
    sky: float  # dark-sky brightness mag/arcsec²
    link: float  # archive link MB/s
    quiet: float  # share of seismometer readings under the trigger


@dataclass(slots=True)
class _Scope:
    site: int
    name: str
    aperture: float
    setpoint: float
    cooler: float  # cooler power at 10 °C ambient, W
    bias: float
    dark: float
    file_mb: float
    targets: tuple[str, ...]
    frame: int
    shutter: int
    corrections: int
    occurrences: int = 0


@dataclass(slots=True)
class _Burst:
    kind: str
    head: int
    sem: dict[str, Any]
    origin: str
    importance: float
    fields: dict[str, Any]  # the head's, which no tail repeats


class ObservatoryWorkload:
    """One observatory network's operational stream (see the module docstring)."""

    def __init__(self, seed: int) -> None:
        rng = self.rng = random.Random(seed)
        self.dialect = DIALECTS[rng.randrange(3)]
        self.prio_form = PRIORITY_FORMS[rng.randrange(len(PRIORITY_FORMS))]
        self.prio_mode = self.prio_form  # the name other families give it
        self.di = DIALECTS.index(self.dialect)
        self.kind_style = rng.choice(KIND_STYLES)
        self.field_style = rng.choice(FIELD_STYLES)
        self.kmh = self.dialect == "lt" and rng.random() < 0.35
        self.kelvin = self.dialect == "lt" and rng.random() < 0.4
        self.minutes = self.dialect == "hy" and rng.random() < 0.35
        self.cmos = rng.random() < 0.25
        optional = [k for k in COMMON_KINDS if k not in ALWAYS_PRESENT]
        picked = rng.sample(optional, rng.randint(2, 5))
        self.common = tuple(k for k in COMMON_KINDS if k in ALWAYS_PRESENT or k in picked)
        picked_rare = rng.sample(RARE_KINDS, rng.randint(1, 3))
        self.rare = tuple(k for k in RARE_KINDS if k in picked_rare)
        self.kinds = self.common + self.rare
        self.kind_names = {k: styled(KIND_WORDS[k][self.di], self.kind_style, self.dialect) for k in self.kinds}
        self.kind_of = {name: k for k, name in self.kind_names.items()}
        self.keys = {sem: styled(words[self.di] + self._unit(sem), self.field_style, self.dialect)
                     for sem, words in FIELD_WORDS.items()}
        self.prio_key = styled(PRIO_WORDS[self.prio_form][self.di], self.field_style, self.dialect)
        # case rates (per fresh arrival) and clocks
        self.raise_rate = rng.uniform(0.08, 0.18)
        self.anomaly_rate = rng.uniform(0.022, 0.036)
        self.rare_value_rate = rng.uniform(0.015, 0.03)
        self.dup_rate = rng.uniform(0.05, 0.068)
        self.near_rate = rng.uniform(0.058, 0.078)
        self.resend_rate = rng.uniform(0.008, 0.016)
        self.burst_rate = rng.uniform(0.008, 0.013)
        self.tail_extra = rng.uniform(3.0, 7.0)  # tails per burst: 2 + geometric with this mean
        self.recent = rng.randint(4, 12)
        self.mean_gap_ms = math.exp(rng.uniform(math.log(80.0), math.log(2000.0)))
        self.burst_gap_ms = self.mean_gap_ms * rng.uniform(0.04, 0.12)
        self.tz = rng.randrange(24)
        self.moon = rng.random()  # phase: 0 new, 1 full
        # sites and telescopes
        n_sites = rng.randint(3, 8)
        self.origins: tuple[str, ...] = tuple(rng.sample(SITE_IDS, n_sites))
        zipf = rng.uniform(0.6, 1.4)
        self.site_weight = [(i + 1) ** -zipf for i in range(n_sites)]
        self._make_sites(n_sites)
        weights = {"exposure": 3.2, "weather": 1.6, "camera": 1.8, "ticket": 0.8, "guiding": 2.0, "allsky": 1.0,
                   "transfer": 1.1, "dome": 0.9, "fault": 1.0, "calib": 1.2, "seismo": 1.0}
        w = {k: weights[k] * rng.lognormvariate(0.0, 0.3) for k in self.common}
        rare_share = {k: rng.uniform(0.002, 0.008) for k in self.rare}
        scale = (1.0 - sum(rare_share.values())) / sum(w.values())
        self.share = {k: v * scale for k, v in w.items()} | rare_share
        self.stats: dict[str, dict[str, Stat]] = {}
        self._calibrate(random.Random(seed * 7_919 + 4_421))
        self._heap: list[tuple[float, int, int, int]] = []
        self._seq = 0
        self._procs: list[tuple[str, str, int, float]] = []  # what, kind, device, mean gap
        self._bursts: list[_Burst] = []
        self._news: list[tuple[str, dict[str, Any], str, float]] = []
        self.last_ts = 0
        self._started = False

    # ------------------------------------------------------------ the world

    def _unit(self, sem: str) -> tuple[str, ...]:
        """The unit token a field name carries (``lt`` and ``hy``; Greek writes units in the values)."""
        q = QUANTITY.get(sem)
        if q is None or self.dialect == "el":
            return ()
        kind = q[0]
        if self.dialect == "lt":
            tok = {"sec": "s", "tsec": "s", "speed": "kmh" if self.kmh else "ms", "temp": "c",
                   "ctemp": "k" if self.kelvin else "c", "press": "hpa", "rain": "mm", "watt": "w", "hours": "val",
                   "gb": "gb", "mbs": "mbs", "amp": "a", "mg": "mg", "arcsec": "arcsec"}.get(kind)
        else:
            tok = {"sec": "վրկ", "tsec": "րոպ" if self.minutes else "վրկ", "speed": "մվ", "press": "մմ",
                   "gb": "մբ", "hours": "ժ", "rain": "մմժ"}.get(kind)
        return (tok,) if tok else ()

    def _make_sites(self, n: int) -> None:
        rng = self.rng
        codes = rng.sample(SITE_CODES[self.di], n)
        link = rng.uniform(40.0, 100.0)  # the network's archive links, MB/s
        self.sites: list[_Site] = []
        self.scopes: list[_Scope] = []
        for i in range(n):
            alt = rng.uniform(1_800.0, 4_200.0)
            self.sites.append(_Site(
                code=codes[i], tz=self.tz + rng.choice((-2, -1, 0, 0, 1, 2)), air=16.0 - alt * 0.0055 +
                rng.gauss(0, 2), pressure=1013.25 * math.exp(-alt / 8_400.0), humidity=rng.uniform(12.0, 45.0),
                wind=rng.uniform(2.5, 5.5), seeing=rng.uniform(0.7, 0.95), sky=rng.uniform(21.3, 21.8),
                link=link * rng.uniform(0.9, 1.1), quiet=rng.uniform(0.72, 0.88)))
            for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
                aperture = math.exp(rng.uniform(math.log(0.4), math.log(8.2)))
                if self.cmos:
                    setpoint, cooler, dark = -float(rng.randrange(15, 31)), rng.uniform(8.0, 25.0), 0.8
                else:
                    setpoint, cooler, dark = -float(rng.randrange(95, 121)), rng.uniform(40.0, 90.0), 0.02
                name = f"{codes[i]}-{aperture:.1f}"
                while any(x.name == name for x in self.scopes):
                    name += "β" if self.dialect == "el" else "b" if self.dialect == "lt" else "բ"
                self.scopes.append(_Scope(
                    site=i, name=name, aperture=aperture, setpoint=setpoint, cooler=cooler,
                    bias=rng.uniform(300.0, 2_000.0), dark=dark * rng.lognormvariate(0.0, 0.12),
                    file_mb=rng.uniform(30.0, 130.0), targets=tuple(_target(rng) for _ in range(rng.randint(4, 30))),
                    frame=rng.randint(1_000, 400_000), shutter=rng.randint(20_000, 2_000_000),
                    corrections=rng.randint(10_000, 5_000_000)))
        self.scope_weight = [self.site_weight[s.site] / sum(x.site == s.site for x in self.scopes) *
                             math.sqrt(s.aperture) for s in self.scopes]
        self.ticket_no = rng.randint(1_000, 80_000)
        self.downtime_median = rng.uniform(2.0, 8.0)
        self.seismic_median = rng.uniform(0.4, 2.0)

    def _devices(self, kind: str) -> range:
        return range(len(self.sites)) if kind in SITE_KINDS else range(len(self.scopes))

    def _site_of(self, kind: str, dev: int) -> int:
        return dev if kind in SITE_KINDS else self.scopes[dev].site

    def _pick(self, kind: str, rng: random.Random) -> int:
        weights = self.site_weight if kind in SITE_KINDS else self.scope_weight
        return rng.choices(range(len(weights)), weights=weights)[0]

    def _hour(self, site: int, ts: float) -> float:
        return (ts / 3_600_000.0 + self.sites[site].tz) % 24.0

    @staticmethod
    def _night(hour: float) -> float:
        """1 at midnight, 0 at noon, smooth between (the sky is dark from about 19 h to 5 h)."""
        return min(1.0, max(0.0, 0.5 + 0.9 * math.cos((hour / 24.0) * 2.0 * math.pi)))

    def _moon_alt(self, hour: float) -> float:
        """The moon's altitude in degrees: it transits later as it wanes."""
        transit = (12.0 * self.moon + 12.0) % 24.0
        return 70.0 * math.cos((hour - transit) / 24.0 * 2.0 * math.pi) - 10.0

    def _activity(self, kind: str, ts: float) -> float:
        night = self._night((ts / 3_600_000.0 + self.tz) % 24.0)
        if kind == "exposure" or kind == "dome":
            return 0.3 + 0.7 * night
        if kind == "calib":
            return 1.0 - 0.7 * night
        return 1.0

    # ------------------------------------------------------------ drawing routine values

    def _draw(self, kind: str, dev: int, ts: float, rng: random.Random) -> dict[str, Any]:
        """Raw values (canonical units) of one routine record; ids, counters and clock come later."""
        d = self.di
        site = self.sites[self._site_of(kind, dev)]
        hour = self._hour(self._site_of(kind, dev), ts)
        day = math.sin((hour - 9.0) / 24.0 * 2.0 * math.pi)  # +1 at 15 h, -1 at 3 h
        s: dict[str, Any] = {"_dev": dev}
        if kind == "exposure":
            sc = self.scopes[dev]
            f = rng.choice(FILTERS)
            alt = math.degrees(math.asin(rng.uniform(math.sin(math.radians(35.0)), 1.0)))
            airmass = 1.0 / (math.sin(math.radians(alt)) + 0.025 * math.exp(-11.0 * math.sin(math.radians(alt))))
            moon = self.moon * (0.65 + 0.35 * min(1.0, max(0.0, self._moon_alt(hour)) / 60.0))  # the phase, then up
            s.update(target=sc.targets[min(int(rng.paretovariate(1.2)) - 1, len(sc.targets) - 1)], filter=f,
                     exp_time=rng.choices(EXP_MENU, weights=(1, 2, 3, 5, 7, 8, 6, 9, 6, 3, 2, 1))[0],
                     airmass=airmass, seeing=site.seeing * airmass ** 0.6 * rng.lognormvariate(0.0, 0.13),
                     sky=site.sky + FILTER_SKY[f] * 0.3 - 1.2 * moon - 0.25 * (airmass - 1.0) + rng.gauss(0, 0.11),
                     status=rng.choice(STATUS[d]), observer=rng.choice(PEOPLE[d]))
        elif kind == "weather":
            wind = site.wind * (1.0 + 0.25 * day) * math.sqrt(-2.0 * math.log(1.0 - rng.random() * 0.999))
            rain = 0.0 if rng.random() < 0.94 else round(rng.lognormvariate(-0.5, 0.9), 1)
            s.update(wind=wind, gust=wind * rng.uniform(1.15, 1.8), temp=site.air + 4.5 * day + rng.gauss(0, 1.0),
                     humidity=min(99.0, max(3.0, site.humidity - 12.0 * day + rng.gauss(0, 6.0) + 30.0 * (rain > 0))),
                     pressure=site.pressure + 0.6 * math.sin(hour / 12.0 * 2.0 * math.pi) + rng.gauss(0, 1.2),
                     tendency=rng.gauss(0.0, 0.55) + 0.15 * rng.gauss(0.0, 1.0) ** 3, rain=rain)
        elif kind == "camera":
            sc = self.scopes[dev]
            ambient = site.air + 4.5 * day
            err = rng.gauss(0.0, 0.06) + 0.002 * max(0.0, ambient - 5.0) * rng.random()
            s.update(setpoint=sc.setpoint, temp_error=err, ccd_temp=sc.setpoint + err,
                     _cooler=sc.cooler * (1.0 + 0.015 * (ambient - 10.0)) * rng.lognormvariate(0.0, 0.05))
            s["cooler_power"] = s["_cooler"]
        elif kind == "ticket":
            s.update(subsystem=rng.choice(SUBSYSTEMS[d]), technician=rng.choice(PEOPLE[d]),
                     downtime=self.downtime_median * rng.lognormvariate(0.0, 0.5), finding=rng.choice(FINDINGS[d]),
                     note=rng.choice(NOTES[d]))
        elif kind == "guiding":
            s.update(guide_mag=rng.uniform(8.5, 15.5), rms=0.05 + site.seeing * 0.18 * (1.0 + 0.04 * site.wind) *
                     rng.lognormvariate(0.0, 0.22), corrections_step=_poisson(rng, rng.uniform(20.0, 120.0)))
        elif kind == "allsky":
            cloud = 0 if rng.random() < 0.7 else min(8, 1 + int(rng.expovariate(0.6)))
            s.update(cloud=cloud, transparency=min(100.0, 96.0 - 0.8 * cloud + rng.gauss(0.0, 1.4)),
                     moon_alt=self._moon_alt(hour))
        elif kind == "transfer":
            sc = self.scopes[dev]
            files = 2 + _poisson(rng, rng.choice((6.0, 12.0, 24.0)))  # a block of frames
            volume = files * sc.file_mb * rng.lognormvariate(0.0, 0.06) / 1_000.0
            rate = site.link * rng.lognormvariate(0.0, 0.15)
            s.update(files=files, volume=volume, rate=rate, duration=1.5 + volume * 1_000.0 / rate,
                     checksum=rng.choice(CHECKSUM[d]))
        elif kind == "dome":
            turn = rng.uniform(2.0, 180.0)
            night = self._night(hour)
            s.update(azimuth=rng.randrange(360), slit=SLIT[d][0] if rng.random() < 0.1 + 0.85 * night else SLIT[d][1],
                     motor_current=(3.5 + 0.1 * self.scopes[dev].aperture) * rng.lognormvariate(0.0, 0.1),
                     rotation=2.0 + turn / 2.2 * rng.uniform(0.95, 1.1))
        elif kind == "fault":
            s.update(code=f"E-{rng.choice((0x1A, 0x2C, 0x31, 0x4F, 0x7B, 0xA2)):02X}{rng.randrange(16):X}",
                     message=rng.choice(FAULT_MESSAGES[d]))
        elif kind == "calib":
            sc = self.scopes[dev]
            s.update(frame_type=rng.choice(FRAME_TYPES[d]), bias=sc.bias + rng.gauss(0.0, 1.6),
                     dark=sc.dark * rng.lognormvariate(0.0, 0.14))
        elif kind == "seismo":
            pga = 0.0 if rng.random() < site.quiet else self.seismic_median * rng.lognormvariate(0.0, 0.45)
            s.update(station=f"{site.code}{dev % 3 + 1}", pga=pga)
        elif kind == "domerain":
            s.update(rain=round(rng.lognormvariate(0.5, 0.6), 1), note=rng.choice(RARE_NOTES[kind][d]), occurrences=1)
        elif kind == "mirrorfrost":
            s.update(dew_margin=-rng.uniform(0.1, 2.5), note=rng.choice(RARE_NOTES[kind][d]))
        elif kind == "quake":
            s.update(magnitude=rng.uniform(2.2, 5.6), note=rng.choice(RARE_NOTES[kind][d]))
        else:  # aircraft, outage
            s.update(note=rng.choice(RARE_NOTES[kind][d]))
        return s

    @staticmethod
    def _derive(kind: str, s: dict[str, Any]) -> None:
        """Numbers that follow from the watched ones (after an anomaly or a tail's drift)."""
        if kind == "camera":
            s["ccd_temp"] = s["setpoint"] + s["temp_error"]
            s["cooler_power"] = s["_cooler"] * (1.0 + 0.1 * max(0.0, s["temp_error"]))
        elif kind == "weather":
            s["gust"] = max(s["gust"], s["wind"] * 1.15)
        elif kind == "transfer":
            s["duration"] = 1.5 + s["volume"] * 1_000.0 / s["rate"]
        elif kind == "allsky" and s["transparency"] < 85.0:
            s["cloud"] = max(s["cloud"], 6)

    # ------------------------------------------------------------ writing values

    def _display(self, sem: str, x: float) -> float:
        """A canonical value in the units this world writes."""
        q = QUANTITY[sem][0]
        if q == "speed" and self.kmh:
            return x * 3.6
        if q == "ctemp" and self.kelvin:
            return x + 273.15
        if q == "press" and self.dialect == "hy":
            return x * 0.750062
        if q == "tsec" and self.minutes:
            return x / 60.0
        if q == "gb" and self.dialect == "hy":
            return x * 1_000.0
        return x

    def _canonical(self, sem: str, y: float) -> float:
        q = QUANTITY[sem][0]
        if q == "speed" and self.kmh:
            return y / 3.6
        if q == "ctemp" and self.kelvin:
            return y - 273.15
        if q == "press" and self.dialect == "hy":
            return y / 0.750062
        if q == "tsec" and self.minutes:
            return y * 60.0
        if q == "gb" and self.dialect == "hy":
            return y / 1_000.0
        return y

    def _write(self, sem: str, x: Any) -> Any:
        if sem not in QUANTITY or isinstance(x, str):
            return x
        _q, dec, unit = QUANTITY[sem]
        y = self._display(sem, float(x))
        if QUANTITY[sem][0] == "tsec" and self.minutes:
            dec = 2
        if QUANTITY[sem][0] == "gb" and self.dialect == "hy":
            dec = 0
        if dec < 0:
            y = _sig(y, -dec)
        else:
            y = round(y, dec)
        if self.dialect != "el":
            return int(y) if dec == 0 else float(y)
        text = (str(int(y)) if dec == 0 else f"{y:.{dec}f}" if dec > 0 else _plain(y)).replace(".", ",")
        return text if unit is None else f"{text} {unit}" if unit not in ("″", "°") else text + unit

    def _clock(self, site: int, ts: int) -> str:
        h = self._hour(site, ts)
        hh, rest = int(h), (h - int(h)) * 60.0
        if self.dialect == "hy":
            return f"{hh:02d}:{int(rest):02d}"
        return f"{hh:02d}:{int(rest):02d}:{int((rest - int(rest)) * 60.0):02d}"

    def _fields(self, kind: str, s: dict[str, Any]) -> dict[str, Any]:
        out = {self.keys[sem]: self._write(sem, s[sem]) for sem in KIND_FIELDS[kind]}
        if kind in CARRIERS:
            out[self.prio_key] = s["_prio"]
        return out

    # ------------------------------------------------------------ priority

    def _prio_value(self, step: int, rng: random.Random) -> Any:
        form, d = self.prio_form, self.di
        if form in PRIO_VALUES:
            return PRIO_VALUES[form][d][step]
        if form == "halt":
            return HALT_VALUES[d][0 if step else 1]
        lo, hi = HOURS_STEPS[step]  # hours
        h = rng.randint(lo, hi)
        return (f"εντός {h} ωρών", h, f"{h} ժամում")[d]

    def priority_of(self, kind: str, fields: dict[str, Any]) -> float:
        """The strength of the priority a record writes (0 when it writes none or a calm one)."""
        if kind not in CARRIERS:
            return 0.0
        v, form, d = fields[self.prio_key], self.prio_form, self.di
        if form in PRIO_VALUES:
            return STRENGTH[PRIO_VALUES[form][d].index(v)]
        if form == "halt":
            return HALT_STRENGTH if v == HALT_VALUES[d][0] else 0.0
        h = v if isinstance(v, int) else int(re.sub(r"\D", "", v))
        return STRENGTH[next(i for i, (lo, hi) in enumerate(HOURS_STEPS) if lo <= h <= hi)]

    def _step(self, kind: str, rng: random.Random) -> int:
        if kind in ALWAYS_RAISED:
            return rng.choices((2, 3, 4), weights=(2, 2, 1))[0]
        if kind == "aircraft":
            return rng.choices((1, 2, 3, 4), weights=(1, 2, 2, 1))[0] if rng.random() < 0.5 else 0
        if rng.random() >= self.raise_rate:
            return 0
        return rng.choices((1, 2, 3, 4), weights=(4, 3, 2, 1))[0]

    # ------------------------------------------------------------ truth

    def k_of(self, kind: str, fields: dict[str, Any]) -> float:
        """How far a record's watched numbers lie from their centres, in spreads (the largest)."""
        k = 0.0
        for key, st in self.stats.get(kind, {}).items():
            x = read_number(fields.get(key))
            if x is not None:
                k = max(k, abs(to_space(x, st.space) - st.centre) / st.spread)
        return k

    def truth(self, kind: str, fields: dict[str, Any]) -> tuple[float, str]:
        k = self.k_of(kind, fields)
        a = 0.0 if k < ANOMALY_FROM else min(1.0, (k - 2.5) / 4.0)
        p = self.priority_of(kind, fields)
        rk = 0.5 if kind in RARE_KINDS else 0.0
        rv = 0.45 if {v for v in fields.values() if isinstance(v, str)} & _RARE_VALUES else 0.0
        r = rk or rv
        return noisy_or(0.04, 0.9 * a, 0.9 * p, r), main_reason(0.9 * a, 0.9 * p, r, rk)

    def _calibrate(self, rng: random.Random) -> None:
        for kind in self.common:
            if kind not in WATCHED:
                continue
            devs = self._devices(kind)
            seen: dict[str, list[float]] = {sem: [] for sem in WATCHED[kind]}
            for _ in range(DRAWS):
                s = self._draw(kind, rng.choice(devs), rng.uniform(0.0, 86_400_000.0), rng)
                for sem, (space, _t) in WATCHED[kind].items():
                    x = read_number(self._write(sem, s[sem]))
                    assert x is not None
                    seen[sem].append(to_space(x, space))
            stats = {}
            for sem, (space, _t) in WATCHED[kind].items():
                xs = sorted(seen[sem])
                spread = (_quantile(xs, 0.975) - _quantile(xs, 0.025)) / 3.92
                stats[self.keys[sem]] = Stat(_quantile(xs, 0.5), max(spread, 1e-6), space)
            self.stats[kind] = stats

    def _routine(self, kind: str, dev: int, ts: int, rng: random.Random) -> dict[str, Any]:
        """A routine draw, drawn again while a watched number lies 4 spreads or more off."""
        for _ in range(60):
            s = self._draw(kind, dev, ts, rng)
            if kind not in WATCHED or self._k_raw(kind, s) < ROUTINE_UNDER:
                return s
        raise RuntimeError(f"no routine draw for {kind}")  # pragma: no cover

    def _k_raw(self, kind: str, s: dict[str, Any], only: str | None = None) -> float:
        k = 0.0
        for sem, (space, _t) in WATCHED[kind].items():
            if only is not None and sem != only:
                continue
            st = self.stats[kind][self.keys[sem]]
            x = read_number(self._write(sem, s[sem]))
            assert x is not None
            k = max(k, abs(to_space(x, space) - st.centre) / st.spread)
        return k

    def _make_anomalous(self, kind: str, s: dict[str, Any], rng: random.Random) -> bool:
        """Put one watched number 4.6-10.5 spreads off, the way that means trouble."""
        sem = rng.choice(tuple(WATCHED[kind]))
        space, trouble = WATCHED[kind][sem]
        st = self.stats[kind][self.keys[sem]]
        for _ in range(40):
            sign = trouble or rng.choice((-1, 1))
            y = from_space(st.centre + sign * rng.uniform(4.6, 10.5) * st.spread, space)
            if space == "log1p" and y <= 0:
                continue
            trial = dict(s)
            trial[sem] = self._canonical(sem, y)
            self._derive(kind, trial)
            if ANOMALY_FROM <= self._k_raw(kind, trial, sem) <= 11.0:
                s.update(trial)
                return True
        return False

    # ------------------------------------------------------------ ids, counters, clock

    def _stamp(self, kind: str, s: dict[str, Any], ts: int) -> None:
        dev = s["_dev"]
        site = self._site_of(kind, dev)
        s["site"] = self.sites[site].code
        if kind not in SITE_KINDS:
            sc = self.scopes[dev]
            s["telescope"] = sc.name
            if kind == "exposure":
                sc.frame += 1
                s["frame"] = sc.frame
            elif kind == "camera":
                sc.shutter += self.rng.randint(0, 3)
                s["shutter_count"] = sc.shutter
            elif kind == "guiding":
                sc.corrections += s.pop("corrections_step", 0)
                s["corrections"] = sc.corrections
            elif kind == "fault":
                sc.occurrences += 1
                s["occurrences"] = sc.occurrences
        if kind == "ticket":
            self.ticket_no += 1
            s["ticket_no"] = self.ticket_no
        s["clock"] = self._clock(site, ts)

    # ------------------------------------------------------------ the stream

    def _push(self, t: float, tag: int, idx: int) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, tag, idx))

    def _start(self, t0: float) -> None:
        rng = self.rng
        rate = 1.0 / self.mean_gap_ms  # fresh records per ms
        for kind in self.kinds:
            if kind in POLLED and kind in self.common:
                devs = self._devices(kind)
                for dev in devs:
                    period = len(devs) / (self.share[kind] * rate)
                    self._procs.append(("poll", kind, dev, period))
                    self._push(t0 + rng.uniform(0.0, period), 0, len(self._procs) - 1)
            else:
                self._procs.append(("poisson", kind, -1, 1.0 / (self.share[kind] * rate)))
                self._push(t0 + rng.expovariate(self.share[kind] * rate), 0, len(self._procs) - 1)
        for what, r in (("dup", self.dup_rate), ("near", self.near_rate), ("resend", self.resend_rate),
                        ("burst", self.burst_rate)):
            self._procs.append((what, "", -1, 1.0 / (r * rate)))
            self._push(t0 + rng.expovariate(r * rate), 0, len(self._procs) - 1)
        self._started = True

    def next_labeled(self, n: int, now_ms: int) -> list[LabeledRecord]:
        """The next ``n`` records, labelled, starting at ``now_ms`` or just after the last batch."""
        if n < 0:
            raise ValueError("n must be non-negative")
        if n == 0:
            return []
        rng = self.rng
        t0 = float(max(now_ms, self.last_ts + 1))
        if not self._started:
            self._start(t0)
        if self._heap[0][0] < t0:
            lag = t0 - self._heap[0][0]
            self._heap = [(t + lag, q, tag, i) for t, q, tag, i in self._heap]
            heapq.heapify(self._heap)
        out: list[tuple[LabeledRecord, str]] = []
        self._bursts = []
        owed = 0
        pool: list[int] = []  # routine records and burst heads of this batch
        while len(out) < n:
            left = n - len(out)
            if owed and left <= owed:  # only reserved tails fit now
                j = min(range(len(self._heap)), key=lambda i: (self._heap[i][2] != 1, self._heap[i][:2]))
                t, _q, tag, idx = self._heap.pop(j)
                heapq.heapify(self._heap)
            else:
                t, _q, tag, idx = heapq.heappop(self._heap)
            if tag == 1:
                self._tail(out, idx, t)
                owed -= 1
                continue
            what, kind, dev, gap = self._procs[idx]
            self._push(t + (gap * rng.uniform(0.9, 1.1) if what == "poll" else rng.expovariate(1.0 / gap)), 0, idx)
            if what in ("dup", "near"):
                if pool:
                    self._copy(out, pool, t, near=what == "near")
            elif what == "resend":
                if self._news:
                    self._resend(out, t)
            elif what == "burst":
                tails = min(2 + int(rng.expovariate(1.0 / self.tail_extra)), 30, left - 1 - owed)
                if tails >= 2:
                    owed += self._head(out, t, tails)
                    pool.append(len(out) - 1)
            elif what == "poll" or rng.random() * 1.0 < self._activity(kind, t):  # thinning by the hour
                self._fresh(out, kind, dev, t)
                pool.append(len(out) - 1)
        for lr, _kind in out:
            if lr.case in ("routine", "burst_head") and lr.importance >= 0.3:
                self._news.append((lr.record.kind, lr.record.fields, lr.record.origin, lr.importance))
        del self._news[:-300]
        return [lr for lr, _kind in out]

    def _ts(self, t: float) -> int:
        self.last_ts = max(int(t), self.last_ts)
        return self.last_ts

    def _fresh(self, out: list[tuple[LabeledRecord, str]], kind: str, dev: int, t: float) -> None:
        rng = self.rng
        if dev < 0:
            dev = self._pick(kind, rng)
        ts = self._ts(t)
        s = self._routine(kind, dev, ts, rng)
        if kind in WATCHED and rng.random() < self.anomaly_rate:
            self._make_anomalous(kind, s, rng)
        if kind in CARRIERS:
            s["_prio"] = self._prio_value(self._step(kind, rng), rng)
        if rng.random() < self.rare_value_rate:
            if kind == "exposure":
                s["status"] = SHUTTER_JAMMED[self.di]
            elif kind == "ticket":
                s["finding"] = SCRATCHED_MIRROR[self.di]
        self._stamp(kind, s, ts)
        fields = self._fields(kind, s)
        imp, detail = self.truth(kind, fields)
        rec = Record.create(self.kind_names[kind], self.origins[self._site_of(kind, dev)], ts, fields)
        out.append((LabeledRecord(rec, imp, "routine", -1, detail), kind))

    def _head(self, out: list[tuple[LabeledRecord, str]], t: float, tails: int) -> int:
        """A burst head (news) with ``tails`` tails on the burst clock; returns the tails reserved."""
        rng = self.rng
        if "domerain" in self.rare and rng.random() < 0.15:
            kind = "domerain"
        else:
            kind = rng.choice([k for k in BURST_KINDS if k in self.common])
        dev = self._pick(kind, rng)
        ts = self._ts(t)
        s = self._routine(kind, dev, ts, rng)
        if kind in WATCHED:
            while not self._make_anomalous(kind, s, rng):
                pass
        if kind in CARRIERS:
            step = self._step(kind, rng) if kind in ALWAYS_RAISED else rng.choice((1, 2, 3, 3, 4))
            s["_prio"] = self._prio_value(step if kind in ("fault", "domerain") else 0, rng)
        self._stamp(kind, s, ts)
        fields = self._fields(kind, s)
        imp, detail = self.truth(kind, fields)
        origin = self.origins[self._site_of(kind, dev)]
        rec = Record.create(self.kind_names[kind], origin, ts, fields)
        out.append((LabeledRecord(rec, imp, "burst_head", -1, detail), kind))
        self._bursts.append(_Burst(kind, len(out) - 1, s, origin, imp, fields))
        when = t
        for _ in range(tails):
            when += self.burst_gap_ms * rng.uniform(0.6, 1.4)
            self._push(when, 1, len(self._bursts) - 1)
        return tails

    def _tail(self, out: list[tuple[LabeledRecord, str]], bi: int, t: float) -> None:
        rng = self.rng
        b = self._bursts[bi]
        s = b.sem
        before = self._fields(b.kind, s)
        for _ in range(20):  # the watched numbers drift a little (and show it)
            for sem, (space, _t) in WATCHED.get(b.kind, {}).items():
                st = self.stats[b.kind][self.keys[sem]]
                y = to_space(self._display(sem, s[sem]), space) + rng.gauss(0.0, 0.06 * st.spread)
                s[sem] = self._canonical(sem, max(from_space(y, space), 0.0) if space == "log1p" else
                                         from_space(y, space))
            self._derive(b.kind, s)
            now = self._fields(b.kind, s)
            if b.kind not in WATCHED or (now != before and now != b.fields):
                break
        if b.kind == "domerain":  # the alarm counts its repeats
            s["occurrences"] += 1
        dev = s["_dev"]
        if b.kind not in SITE_KINDS:  # the device's own counters run on with its tails
            sc = self.scopes[dev]
            if b.kind == "exposure":
                sc.frame = s["frame"] = max(sc.frame, s["frame"]) + 1
            elif b.kind == "camera":
                sc.shutter = s["shutter_count"] = max(sc.shutter, s["shutter_count"]) + 1
            elif b.kind == "guiding":
                sc.corrections = s["corrections"] = max(sc.corrections, s["corrections"]) + rng.randint(5, 60)
            elif b.kind == "fault":
                sc.occurrences = s["occurrences"] = max(sc.occurrences, s["occurrences"]) + 1
        ts = self._ts(t)
        s["clock"] = self._clock(self._site_of(b.kind, dev), ts)
        fields = self._fields(b.kind, s)
        rec = Record.create(self.kind_names[b.kind], b.origin, ts, fields)
        imp = max(TAIL_MIN, TAIL_FACTOR * b.importance)
        out.append((LabeledRecord(rec, imp, "burst_tail", b.head, ""), b.kind))

    def _other_origin(self, origin: str) -> str:
        return self.rng.choice([o for o in self.origins if o != origin])

    def _copy(self, out: list[tuple[LabeledRecord, str]], pool: list[int], t: float, *, near: bool) -> None:
        rng = self.rng
        cands = pool[-self.recent:] if rng.random() < 0.75 else pool
        i = rng.choices(cands, weights=[1.0 + 3.0 * out[j][0].importance for j in cands])[0]
        src = out[i][0]
        fields = src.record.fields
        if near:
            fields = self._retype(fields)
            if fields is None:
                return
        other = rng.random() < (0.7 if near else 0.5)
        origin = self._other_origin(src.record.origin) if other else src.record.origin
        ts = self._ts(t)
        if ts == src.record.ts_ms and origin == src.record.origin and not near:
            ts = self.last_ts = ts + 1
        rec = Record.create(src.record.kind, origin, ts, fields)
        case, factor = ("near_dup", 0.1) if near else ("dup", 0.05)
        out.append((LabeledRecord(rec, factor * src.importance, case, i, ""), out[i][1]))

    def _retype_one(self, v: str | float) -> str | float | None:
        """How another control room's software writes one value: None when it cannot differ."""
        rng = self.rng
        if isinstance(v, float):
            r = repr(v)
            if "e" in r or "." not in r:
                return None
            dec = len(r.split(".")[1])
            nv = round(v, dec - 1)
            return nv if nv != v else None
        if _CLOCK.fullmatch(v):
            return v.replace(":", ".")
        if self.dialect == "el" and _GREEK_QTY.fullmatch(v):
            ways = [w for w in (v.replace(",", ".", 1), v.replace(" ", "", 1)) if w != v]
            return rng.choice(ways) if ways else None
        if self.dialect == "el":  # accents dropped, or the words in capitals (Greek capitals carry none)
            folded = "".join(c for c in unicodedata.normalize("NFD", v) if not unicodedata.combining(c))
            ways = [w for w in (unicodedata.normalize("NFC", folded), _caps(v, "el")) if w != v]
        elif self.dialect == "lt":  # Lithuanian letters typed on a plain keyboard, or a capital
            folded = "".join(c for c in unicodedata.normalize("NFD", v) if not unicodedata.combining(c))
            ways = [w for w in (folded, v[:1].upper() + v[1:]) if w != v]
        else:  # Armenian: a capital first letter, or words run together
            ways = [w for w in (v[:1].upper() + v[1:], v.replace(" ", "", 1)) if w != v]
        return rng.choice(ways) if ways else None

    def _retype(self, fields: dict[str, Any]) -> dict[str, Any] | None:
        rng = self.rng
        keys = [k for k, v in fields.items() if k != self.prio_key and isinstance(v, str | float)
                and not isinstance(v, bool)]
        rng.shuffle(keys)
        want = 2 if rng.random() < 0.3 else 1
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

    def _resend(self, out: list[tuple[LabeledRecord, str]], t: float) -> None:
        rng = self.rng
        kind_name, fields, origin, imp = self._news[rng.randrange(len(self._news))]
        same = rng.random() < 0.6
        rec = Record.create(kind_name, origin if same else self._other_origin(origin), self._ts(t), fields)
        out.append((LabeledRecord(rec, (0.01 if same else 0.02) * imp, "resend", -1, ""), self.kind_of[kind_name]))


_RARE_VALUES = frozenset(SHUTTER_JAMMED + SCRATCHED_MIRROR)


def _target(rng: random.Random) -> str:
    cat, lo, hi = rng.choices(CATALOGUES, weights=(5, 2, 2, 3, 1, 2))[0]
    return f"{cat} {rng.randint(lo, hi)}"


def _plain(y: float) -> str:
    """A float without an exponent (small dark currents)."""
    r = repr(float(y))
    return r if "e" not in r else f"{y:.10f}".rstrip("0")


def _poisson(rng: random.Random, mean: float) -> int:
    """Poisson counts: uniforms multiplied down to exp(-mean), or a rounded normal for large means."""
    if mean > 30.0:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    k, p, floor = 0, rng.random(), math.exp(-mean)
    while p > floor:
        k += 1
        p *= rng.random()
    return k
