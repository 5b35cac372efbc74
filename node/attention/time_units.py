"""Time units written after a number, in many languages, with their length in seconds.

What
----
:data:`TIME_UNITS` maps a unit word, exactly as it follows the number in a quantity string
(``"5 Tage"``, ``"8 Stunden"``, ``"30 min"``, ``"3 小时"``) but lower-cased with its accents
kept, to the length of one such unit in whole seconds: 1 (second), 60 (minute), 3600 (hour),
86400 (day) or 604800 (week). Where people commonly type a word without its accents, the
ASCII form is a key too (``"dia"`` next to ``"día"``, ``"ngay"`` next to ``"ngày"``).
:data:`DROPS` maps each word that was considered and left out to why.

Why
---
A field holding durations in mixed units (``"5 days"``, ``"8 hours"``, ``"5 Tage"``) is read by
``quantity.py`` as the numbers 5, 8, 5 with different unit strings, so durations do not compare.
The featurizer converts any quantity whose unit is a key here into seconds. This module is pure
data: no imports from ``node``.

Precision rules (a wrong key turns a non-time quantity into seconds)
---------------------------------------------------------------------
* Only units of fixed length: second, minute, hour, day (24 h), week. Months and years (``mo``,
  ``month``, ``yr``, ``year``, ``a``, ``y`` ...) vary in length and are left out, and so are
  sub-second units (``ms``, ``µs``, ``ns``): the values are whole seconds.
* No key that is also a common non-time unit, currency code or a word that follows a number in a
  label: ``m`` (metre), ``t`` (tonne), ``a`` (ampere, annus), ``w`` (watt), ``v`` (volt),
  ``j`` (joule), ``u`` (atomic mass unit), ``st`` (pieces / ordinal), ``sek`` (Swedish krona, SEK),
  ``mnt`` (Mongolian tögrög), ``dag`` (decagram, common on Polish and Czech food labels),
  ``den`` (denier, hosiery), ``dan`` (judo/go rank), ``mp`` (megapixel), ``pv`` (photovoltaic),
  ``time`` (English "1 time" = once), ``saat`` (Turkish hour but Malay second), ``分``
  (Chinese score point and fen), ``時``/``时``/``시`` (o'clock), ``주`` (Korean: shares). See
  :data:`DROPS` for every one.
* Accepted single letters: ``s`` (SI second), ``h`` (SI-accepted hour) and ``d`` (SI-accepted
  day). They are the SI symbols and the usual glued forms (``30s``, ``2h``, ``7d``) that
  ``quantity.py`` already reads as units. The caller lower-cases, so siemens ``S``, henry ``H``
  and dioptre ``D`` would also land here; in record fields those are far rarer than durations.
  Cyrillic ``с`` and ``ч`` (the Russian/Ukrainian/Bulgarian second and hour symbols) are kept for
  the same reason; a single letter after whole digits is still a code to ``quantity.py`` unless it
  is one of ``s m h d k g``, so these only act after a decimal number.
* Some CJK/Korean keys carry a second, weaker sense, kept because the time sense dominates after
  a number: ``日``/``일`` can be a day of the month ("5日" = the 5th), which still scales every
  value of such a field alike; ``분`` is also the honorific counter for people; ``周`` also counts
  laps. Italian/Romanian ``ore`` could be an ASCII-typed Swedish ``öre``, which is rare.
* Every key matches ``quantity.py``'s unit pattern (``_UNIT``): at most six letters. Longer words
  (``minutes``, ``Sekunden``, ``semaines``, ``settimana`` ...) can never be read as a unit by that
  regex, so they are in :data:`DROPS` with the reason :data:`TOO_LONG`; widen the limit there and
  move them here.
* Scripts whose words need combining vowel signs (Devanagari, Bengali, Tamil, Thai, ...) do not
  match ``_UNIT``'s letter class (``[^\\W\\d_]`` excludes marks), so their words are in
  :data:`DROPS` with the reason :data:`MARKS`; Hindi, Urdu-in-Latin and Bengali are covered by
  common romanizations, Thai by the mark-free abbreviation ``ชม`` (hour).
* Keys are in NFC (precomposed accents: ``giờ``, ``día``); a decomposed input will not match.

Left out as a class: romanized Chinese and Japanese (``tian``, ``fen``, ``miao``, ``jikan``: rarely
written after digits, and ``fen``/``tian`` collide with currency and names); languages that put
the unit before the number (Swahili ``saa 5``, Hausa ``awa 5``): only their after-number forms
that are unambiguous (``dakika``, ``siku``) are keys.
"""

from __future__ import annotations

__all__ = ["DROPS", "MARKS", "TIME_UNITS", "TOO_LONG"]

_S, _MIN, _H, _D, _W = 1, 60, 3600, 86400, 604800

TIME_UNITS: dict[str, int] = {
    # --- SI / English ---
    "s": _S, "sec": _S, "secs": _S, "second": _S,
    "min": _MIN, "mins": _MIN, "minute": _MIN,
    "h": _H, "hr": _H, "hrs": _H, "hour": _H, "hours": _H,
    "d": _D, "day": _D, "days": _D,
    "wk": _W, "wks": _W, "week": _W, "weeks": _W,
    # --- German ---
    "std": _H, "stdn": _H, "stunde": _H,
    "tag": _D, "tage": _D, "tagen": _D,
    "woche": _W, "wochen": _W,
    # --- Dutch / Afrikaans ---
    "minuut": _MIN, "uur": _H, "uren": _H, "ure": _H,
    "dagen": _D, "dae": _D, "weken": _W, "weke": _W,
    # --- French ---
    "heure": _H, "heures": _H, "jour": _D, "jours": _D, "sem": _W,
    # --- Spanish / Portuguese / Galician ---
    "seg": _S, "segs": _S, "minuto": _MIN, "hora": _H, "horas": _H, "hs": _H,
    "día": _D, "días": _D, "dia": _D, "dias": _D, "semana": _W,
    # --- Italian ---
    "minuti": _MIN, "ora": _H, "ore": _H,
    "giorno": _D, "giorni": _D, "gg": _D, "sett": _W,
    # --- Catalan ---
    "segon": _S, "segons": _S, "minut": _MIN, "minuts": _MIN, "hores": _H,
    # --- Romanian ---
    "oră": _H, "zi": _D, "zile": _D,
    # --- Basque ---
    "minutu": _MIN, "ordu": _H, "egun": _D, "aste": _W,
    # --- Swedish / Norwegian / Danish / Icelandic ---
    "sekund": _S, "minutt": _MIN,
    "tim": _H, "timme": _H, "timmar": _H, "timer": _H, "klst": _H,
    "dagar": _D, "dager": _D, "dage": _D, "daga": _D, "dagur": _D,
    "dygn": _D, "døgn": _D, "dogn": _D,
    "vecka": _W, "veckor": _W, "uke": _W, "uker": _W, "uge": _W, "uger": _W,
    "vika": _W, "vikur": _W, "viku": _W,
    "mín": _MIN, "mínúta": _MIN,
    # --- Finnish ---
    "tunti": _H, "tuntia": _H,
    "päivä": _D, "päivää": _D, "paiva": _D, "paivaa": _D, "vrk": _D,
    "viikko": _W, "vko": _W,
    # --- Estonian ---
    "tund": _H, "tundi": _H,
    "päev": _D, "päeva": _D, "päevad": _D, "paev": _D, "paeva": _D, "ööpäev": _D,
    "nädal": _W,
    # --- Hungarian ---
    "perc": _MIN, "percet": _MIN, "perces": _MIN,
    "óra": _H, "órát": _H, "órás": _H, "oras": _H,
    "nap": _D, "napot": _D, "napos": _D,
    "hét": _W, "hetet": _W, "hetes": _W,
    # --- Polish ---
    "minuta": _MIN, "minuty": _MIN,  # and "sekund" (above)
    "godz": _H, "godzin": _H,
    "dzień": _D, "dzien": _D, "dni": _D, "dnia": _D, "doba": _D, "doby": _D, "dób": _D,
    "tydz": _W, "tyg": _W,
    # --- Czech / Slovak ---
    "vteřin": _S, "vterin": _S, "sekúnd": _S,
    "minúta": _MIN, "minúty": _MIN, "minút": _MIN,
    "hod": _H, "hodina": _H, "hodiny": _H, "hodin": _H, "hodín": _H,
    "dny": _D, "dní": _D, "dnů": _D, "dnu": _D, "deň": _D,
    "týden": _W, "tyden": _W, "týdny": _W, "tydny": _W, "týdnů": _W, "tydnu": _W,
    "týždeň": _W, "tyzden": _W, "týždne": _W, "tyzdne": _W,
    # --- Slovenian / Croatian / Serbian / Bosnian (Latin) ---
    "ura": _H, "uri": _H, "ur": _H, "sata": _H, "sati": _H,
    "dneva": _D, "dana": _D,
    "teden": _W, "tedna": _W, "tedne": _W, "tednov": _W, "tjedan": _W, "tjedna": _W,
    # --- Lithuanian / Latvian ---
    "minutė": _MIN, "minūte": _MIN, "val": _H, "stunda": _H,
    "diena": _D, "dienos": _D, "dienų": _D, "dienu": _D, "dienas": _D,
    "sav": _W, "nedēļa": _W, "nedela": _W, "ned": _W,
    # --- Albanian / Maltese / Welsh / Irish ---
    "minutë": _MIN, "orë": _H, "ditë": _D, "dite": _D, "javë": _W, "jave": _W,
    "siegħa": _H, "sigħat": _H, "jum": _D, "jiem": _D, "ġimgħa": _W,
    "eiliad": _S, "munud": _MIN, "awr": _H, "oriau": _H, "lá": _D,
    # --- Greek ---
    "δευτ": _S,
    "λεπτό": _MIN, "λεπτά": _MIN, "λεπτο": _MIN, "λεπτα": _MIN,
    "ώρα": _H, "ώρες": _H, "ωρα": _H, "ωρες": _H,
    "ημέρα": _D, "ημέρες": _D, "ημερα": _D, "ημερες": _D,
    "μέρα": _D, "μέρες": _D, "μερα": _D, "μερες": _D,
    "εβδ": _W,
    # --- Russian ---
    "с": _S, "сек": _S, "секунд": _S,
    "мин": _MIN, "минута": _MIN, "минуты": _MIN, "минут": _MIN,
    "ч": _H, "час": _H, "часа": _H, "часов": _H,
    "дн": _D, "день": _D, "дня": _D, "дней": _D, "сут": _D, "сутки": _D, "суток": _D,
    "нед": _W, "неделя": _W, "недели": _W, "недель": _W,
    # --- Ukrainian / Belarusian ---
    "хв": _MIN, "хвилин": _MIN, "хвілін": _MIN,
    "годин": _H, "гадзін": _H,
    "дні": _D, "днів": _D, "доба": _D, "доби": _D, "діб": _D, "дзень": _D, "дзён": _D,
    "тижні": _W, "тижнів": _W, "тиж": _W, "тыдні": _W, "тыдняў": _W,
    # --- Bulgarian / Macedonian / Serbian (Cyrillic) ---
    "минути": _MIN, "минуте": _MIN,
    "часове": _H, "часови": _H, "сат": _H, "сата": _H, "сати": _H,
    "ден": _D, "дни": _D, "дена": _D, "денови": _D, "дана": _D,
    "недела": _W, "недеља": _W, "недеље": _W,
    # --- Turkish / Azerbaijani / Uzbek / Kazakh / Mongolian ---
    "sn": _S, "saniye": _S, "saniyə": _S, "soniya": _S,
    "dk": _MIN, "dakika": _MIN, "dəqiqə": _MIN, "daqiqa": _MIN,
    "sa": _H, "soat": _H, "сағат": _H, "цаг": _H,
    "gün": _D, "kun": _D, "күн": _D, "хоног": _D, "өдөр": _D,
    "hafta": _W, "həftə": _W, "апта": _W,
    # --- Arabic ---
    "ثانية": _S, "ثانيه": _S, "ثوان": _S, "ثواني": _S,
    "دقيقة": _MIN, "دقيقه": _MIN, "دقائق": _MIN,
    "ساعة": _H, "ساعه": _H, "ساعات": _H, "ساعتين": _H, "ساعتان": _H,
    "يوم": _D, "أيام": _D, "ايام": _D, "يومين": _D, "يومان": _D,
    "أسبوع": _W, "اسبوع": _W, "أسابيع": _W, "اسابيع": _W,
    # --- Persian / Urdu (Arabic script) ---
    "ثانیه": _S, "سیکنڈ": _S,
    "دقیقه": _MIN, "منٹ": _MIN,
    "ساعت": _H, "گھنٹہ": _H, "گھنٹے": _H,
    "روز": _D, "دن": _D,
    "هفته": _W, "ہفتہ": _W, "ہفتے": _W,
    # --- Hindi / Urdu / Bengali (romanized; see MARKS for the native scripts) ---
    "ghanta": _H, "ghante": _H, "ghonta": _H, "din": _D, "saptah": _W,
    # --- Hebrew ---
    "שנייה": _S, "שניה": _S, "שניות": _S,
    "דקה": _MIN, "דקות": _MIN,
    "שעה": _H, "שעות": _H,
    "יום": _D, "ימים": _D,
    "שבוע": _W, "שבועות": _W,
    # --- Indonesian / Malay / Tagalog ---
    "detik": _S, "dtk": _S,
    "menit": _MIN, "minit": _MIN,
    "jam": _H,
    "hari": _D, "araw": _D,
    "minggu": _W, "pekan": _W, "linggo": _W,
    # --- Vietnamese ---
    "giây": _S, "phút": _MIN, "phut": _MIN,
    "giờ": _H, "gio": _H, "tiếng": _H, "tieng": _H,
    "ngày": _D, "ngay": _D, "tuần": _W, "tuan": _W,
    # --- Thai (only the mark-free abbreviation; see MARKS) ---
    "ชม": _H,
    # --- Chinese (simplified and traditional) ---
    "秒": _S, "秒钟": _S, "秒鐘": _S,
    "分钟": _MIN, "分鐘": _MIN,
    "小时": _H, "小時": _H, "个小时": _H, "個小時": _H,
    "钟头": _H, "鐘頭": _H, "个钟头": _H, "個鐘頭": _H,
    "天": _D, "日": _D,
    "周": _W, "週": _W, "星期": _W, "个星期": _W, "個星期": _W, "礼拜": _W, "禮拜": _W,
    # --- Japanese ---
    "秒間": _S, "分間": _MIN, "時間": _H, "日間": _D, "週間": _W,
    # --- Korean ---
    "초": _S, "분": _MIN, "시간": _H, "일": _D, "일간": _D, "주간": _W, "주일": _W,
    # --- Swahili (after-number forms only) ---
    "siku": _D,
    # --- Amharic ---
    "ሰከንድ": _S, "ደቂቃ": _MIN, "ሰዓት": _H, "ቀን": _D, "ሳምንት": _W,
    # --- Armenian ---
    "րոպե": _MIN, "ժամ": _H, "օր": _D, "շաբաթ": _W,
    # --- Georgian ---
    "წამი": _S, "წუთი": _MIN, "საათი": _H, "დღე": _D, "კვირა": _W,
}

TOO_LONG = "longer than quantity.py's six-letter unit"
MARKS = "needs combining vowel signs, which quantity.py's unit letter class does not match"

# Words that follow a number as a time unit but are over six letters: quantity.py's _UNIT can never
# read them, so "5 minutes" is not a quantity today. Widen _UNIT and move these into TIME_UNITS.
_LONG_WORDS: dict[str, int] = {
    # English
    "seconds": _S, "minutes": _MIN,
    # German
    "sekunde": _S, "sekunden": _S, "minuten": _MIN, "stunden": _H,
    # Dutch / Afrikaans
    "seconde": _S, "seconden": _S, "sekonde": _S, "sekondes": _S,
    # French
    "secondes": _S, "semaine": _W, "semaines": _W,
    # Spanish / Portuguese / Tagalog
    "segundo": _S, "segundos": _S, "minutos": _MIN, "semanas": _W,
    # Italian
    "secondo": _S, "secondi": _S, "settimana": _W, "settimane": _W,
    # Catalan
    "setmana": _W, "setmanes": _W,
    # Romanian
    "secundă": _S, "secunde": _S, "săptămână": _W, "săptămâni": _W,
    # Scandinavian / Icelandic
    "sekunder": _S, "minuter": _MIN, "minutter": _MIN, "sekúnda": _S, "mínútur": _MIN,
    "klukkustund": _H,
    # Finnish / Estonian
    "sekunti": _S, "sekuntia": _S, "minuutti": _MIN, "minuuttia": _MIN, "viikkoa": _W,
    "sekundit": _S, "minutit": _MIN, "nädalat": _W, "ööpäeva": _D,
    # Hungarian
    "másodperc": _S,
    # Polish
    "sekunda": _S, "sekundy": _S, "godzina": _H, "godziny": _H,
    "tydzień": _W, "tydzien": _W, "tygodnie": _W, "tygodni": _W,
    # Czech / Slovak
    "vteřina": _S, "vteřiny": _S, "týždňov": _W,
    # Croatian / Serbian / Bosnian / Slovenian
    "sekundi": _S, "tjedana": _W, "nedelja": _W, "nedelje": _W, "sedmica": _W,
    # Lithuanian / Latvian
    "sekundė": _S, "sekundės": _S, "minutės": _MIN, "valanda": _H, "valandos": _H,
    "valandų": _H, "savaitė": _W, "savaitės": _W, "minūtes": _MIN, "stundas": _H,
    "nedēļas": _W, "diennakts": _D,
    # Albanian / Maltese / Welsh / Irish / Swahili
    "sekondë": _S, "sekonda": _S, "ġimgħat": _W, "diwrnod": _D, "wythnos": _W,
    "soicind": _S, "nóiméad": _MIN, "seachtain": _W,  # Swahili "sekunde" is under German
    # Greek
    "δευτερόλεπτο": _S, "δευτερόλεπτα": _S, "εβδομάδα": _W, "εβδομάδες": _W,
    # Russian / Ukrainian / Belarusian / Bulgarian / Serbian
    "секунда": _S, "секунды": _S, "секунди": _S, "хвилина": _MIN, "хвилини": _MIN,
    "хвіліна": _MIN, "гадзіна": _H, "тиждень": _W, "тыдзень": _W, "седмица": _W,
    "седмици": _W,
    # Arabic (dual forms)
    "ثانيتين": _S, "دقيقتين": _MIN, "أسبوعين": _W, "اسبوعين": _W,
    # Chinese pinyin / Vietnamese
    "fenzhong": _MIN, "xiaoshi": _H,
}

# Words in scripts that write vowels as combining marks (Mn/Mc): no key of quantity.py's _UNIT.
_MARKED_WORDS: dict[str, int] = {
    # Hindi / Marathi / Nepali (Devanagari)
    "सेकंड": _S, "मिनट": _MIN, "घंटा": _H, "घंटे": _H, "दिन": _D, "हफ़्ता": _W, "सप्ताह": _W,
    # Bengali
    "সেকেন্ড": _S, "মিনিট": _MIN, "ঘণ্টা": _H, "দিন": _D, "সপ্তাহ": _W,
    # Tamil
    "வினாடி": _S, "நிமிடம்": _MIN, "மணி": _H, "நாள்": _D, "வாரம்": _W,
    # Thai
    "วินาที": _S, "นาที": _MIN, "ชั่วโมง": _H, "วัน": _D, "สัปดาห์": _W,
}

DROPS: dict[str, str] = {
    # Variable length or not whole seconds.
    "mo": "month: variable length (28-31 days)",
    "mos": "months: variable length",
    "mth": "month: variable length",
    "month": "variable length (28-31 days)",
    "months": "variable length",
    "yr": "year: variable length (365/366 days)",
    "yrs": "years: variable length",
    "year": "variable length (365/366 days)",
    "years": "variable length",
    "y": "year: variable length; also a stray letter in codes",
    "a": "annus (year, variable length) and ampere",
    "ms": "milliseconds: the table holds whole seconds",
    "µs": "microseconds: the table holds whole seconds",
    "us": "microseconds typed in ASCII: not whole seconds, and the word 'us'",
    "ns": "nanoseconds: the table holds whole seconds",
    "ks": "kiloseconds: practically unused; 'ks' is Czech/Slovak 'pieces' (kusů)",
    "fortnight": "14 days is not one of the five units; also longer than six letters",
    # Clashes with non-time units, currencies and label words.
    "m": "metre (and minute only in a few glued forms): metres dominate",
    "t": "tonne; also Finnish/Norwegian hour abbreviation, but tonnes dominate",
    "w": "watt; week abbreviation is 'wk'",
    "v": "volt; Swedish week abbreviation 'v.' loses",
    "j": "joule; French 'j' (jour) loses, 'jour'/'jours' are keys",
    "u": "atomic mass unit; Dutch 'u' (uur) loses, 'uur' is a key",
    "st": "pieces (Scandinavian/German 'St.'), ordinal '21st'; quantity.py rejects it anyway",
    "sek": "ISO 4217 Swedish krona (SEK); the German/Nordic/Polish second abbreviation loses",
    "mnt": "ISO 4217 Mongolian tögrög (MNT); Indonesian/Malay minute abbreviation loses",
    "dag": "SI decagram, common on Polish and Czech food labels (10 dag); 'dagen/dagar' are keys",
    "den": "denier (hosiery, '40 den'); Czech/Slovak singular day loses, 'dny/dní/deň' are keys",
    "dan": "martial-arts / go rank ('3 dan'); Slovenian/Croatian singular day loses",
    "дан": "same rank sense in Russian ('3 дан'); Serbian singular day loses, 'дана' is a key",
    "mp": "megapixel; Hungarian 'mp' (másodperc) loses",
    "pv": "photovoltaic; Finnish 'pv' (päivää) loses, 'päivää' and 'vrk' are keys",
    "vk": "ambiguous abbreviation; Finnish week is 'vko'",
    "time": "English '1 time' means once; Danish/Norwegian singular hour loses, 'timer' is a key",
    "saat": "Turkish/Azerbaijani hour but Malay second: the factor would be wrong for one of them",
    "sat": "Saturday, SAT, satellites; Croatian singular hour loses, 'sata/sati' are keys",
    "gun": "English word; Turkish 'gün' (with its accent) is a key",
    "giay": "ASCII form of Vietnamese 'giày' (shoes) and 'giấy' (paper) as well as 'giây'",
    "dies": "English 'dies' (tooling) and German 'dies'; Catalan plural day loses",
    "para": "Spanish/Portuguese 'for', Turkish 'money'; Lithuanian 24-hour day loses",
    "het": "Dutch article; Hungarian week keeps its accent ('hét')",
    "wo": "German 'where'; 'woche/wochen' are keys",
    "jr": "junior; French 'jr' (jour) loses",
    "dob": "date of birth; Polish 'dób' (with its accent) is a key",
    "год": "Russian year (variable) vs Ukrainian hour abbreviation",
    "година": "Bulgarian year vs Ukrainian hour",
    "години": "Bulgarian years vs Ukrainian hours",
    "uair": "Irish 'time/occasion'; an hour is 'uair an chloig' (three words)",
    "wiki": "English word; Swahili puts 'wiki' before the number anyway",
    "saa": "Swahili 'saa 5' is a clock time and comes before the number",
    "wan": "Chinese 万 (ten thousand) romanized; Thai 'wan' (day) loses",
    "分": "Chinese score point ('90分') and fen (currency); '分钟'/'分鐘'/'分間' are keys",
    "时": "o'clock ('5时'); '小时' is the duration",
    "時": "o'clock ('5時'); '時間'/'小時' are the duration",
    "시": "Korean o'clock ('5시'); '시간' is the duration",
    "주": "Korean shares ('100주') and province; '주간'/'주일' are keys",
    "น": "Thai 'น.' is also o'clock (นาฬิกา)",
    "tian": "pinyin: rarely written after digits, also a common name",
    "fen": "pinyin: also fen (currency) and score",
    "miao": "pinyin: rarely written after digits",
    "jikan": "romaji: rarely written after digits",
    **{w: TOO_LONG for w in _LONG_WORDS},
    **{w: MARKS for w in _MARKED_WORDS},
}
