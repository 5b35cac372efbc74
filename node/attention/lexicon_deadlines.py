"""Deadline and response-time field names: the lexicon's version 11 knowledge (pure data).

A record field whose *name* says it is a deadline or a response target is a countdown: a small
value is pressing, as a high "severity" is. "deadline", "sla_minutes", "response_time",
"Reaktionszeit", "prazo", "srok", "截止时间" name such a field in operators', ticketing and
dispatch records the world over, so the lexicon (:mod:`node.attention.lexicon`) reads them as
priority field names (``FIELD_NAMES``, :func:`~node.attention.lexicon.is_field_name`).

:data:`DEADLINE_FIELDS` maps a registered language code to its entries, comma-separated, in the
string format ``_lang(fields=...)`` takes (an entry with a space is a phrase, matched on
consecutive words of a name). The concepts: a deadline or time limit that is nothing else; a due
date or time ("due date", "due by", Italian "scadenza", Hungarian "határidő"); a response or
reaction time or target ("response time", "Reaktionszeit", "yanıt süresi", "czas reakcji"); a
resolution, repair or restore target ("time to resolve", "temps de résolution"); a service level
agreement ("sla", "acuerdo de nivel de servicio"); a countdown. Each language is written in its
own script and, where field names are typed that way, in its common romanization ("srok",
"jiezhi shijian", "shimekiri") or ASCII folding ("faelligkeit"); accents need no second
form (:func:`~node.attention.lexicon.normalize` strips them). Scripts whose vowel signs are no
word characters (Devanagari, Bengali, Gujarati, Gurmukhi, Tamil, Telugu, Kannada, Malayalam,
Odia, Sinhala, Thai, Khmer, Burmese) are written as words: ``_entry`` stores them as the fragment
sequences :func:`~node.attention.lexicon.split_words` makes of them, as v3's Hindi entries are;
each is long enough that its sequence is no common phrase.

Precision rules (a false entry flags a routine field as a priority one in every user's records):
no single word that is a frequent word of another language, a common English word, a unit or a
common field name for something else (English "term", "limit", "target", "due", "time",
"response", "date" alone are no entries; a phrase of them may be: "due date", "response time");
no entry of three letters or fewer but the acronym "sla" (Dutch "sla", lettuce, and Swedish "slå",
to hit, fold to it: a vegetable and a verb, no field names); no entry of another table of the lexicon; and none of the routine measures
a countdown is not: arrival time (eta), expiry and best-before dates, durations, uptime, latency,
elapsed time, timeouts. Every single-word entry in a script that several languages share was
checked against the frequent words of the 42 languages of a word-frequency list. What was
considered and left out is :data:`DEADLINE_DROPS`, with the reason.

Two kept entries are known to be broader than a countdown, and stay because they are the words
field names use for one: "response time" (and German "Antwortzeit") is also a web server's
measured latency, and Russian "srok" and Italian "scadenza" also appear in shelf-life fields
("srok godnosti", "data di scadenza"), and English "due in" reads a rare "amount_due_in_cents". The model reads a field name as one feature among many;
the value decides.

An entry another entry already reads is left out ("krajniy srok": srok; "time to deadline":
deadline), and so are the service level agreements whose "level" word is a field name since v3
("service_level_agreement", "acuerdo de nivel de servicio", "accord de niveau de service",
"اتفاقية مستوى الخدمة" read already).

Languages with no entry here (their words for a deadline are uncertain to this review, or are
frequent words elsewhere; the English, Russian or French loans they use are read anyway):
ak, as, ay, ba, bi, br, ceb, ch, ckb, co, ee, fj, fo, gn, ha, haw, hil, hmn, ig, ilo, jv, ki, ku,
lg, ln, lo, mg, mi, ny, om, ps, qu, rw, sd, se, sm, sn, so, st, su, tet, ti, tn, to, tpi, tt, ug,
xh, yo, zu.
"""

from __future__ import annotations

DEADLINE_FIELDS: dict[str, str] = {
    # Operators' international vocabulary: a service level agreement, in no one language.
    "std": "sla",
    "en": "deadline, deadlines, due date, duedate, due time, due by, due at, due in, time due,"
          " response time, responsetime, response target, target response, response due, time to respond,"
          " respond by, respond within, reply by, reaction time, reactiontime, time to react,"
          " time to resolve, time to repair, time to restore, time to fix, resolution time,"
          " resolution target, resolve by, restore time, restoration time, countdown, count down",
    "de": "frist, fristen, fristablauf, bearbeitungsfrist, reaktionsfrist, antwortfrist, abgabefrist,"
          " abgabetermin, fälligkeit, faelligkeit, fälligkeitsdatum, faelligkeitsdatum, fällig am, faellig am,"
          " fällig bis, faellig bis, reaktionszeit, antwortzeit, lösungszeit, loesungszeit,"
          " wiederherstellungszeit, entstörzeit, entstoerzeit",
    "nl": "termijn, uiterste datum, vervaldatum, vervaldag, reactietijd, responstijd, antwoordtijd, oplostijd,"
          " hersteltijd, oplossingstermijn, reactietermijn",
    "fy": "termyn",
    "af": "sperdatum, spertyd, reaksietyd, responstyd",
    "lb": "fräist",
    "sv": "frist, fristen, tidsfrist, förfallodatum, förfallodag, svarstid, reaktionstid, åtgärdstid, lösningstid,"
          " nedräkning, servicenivåavtal",
    "da": "frist, fristen, tidsfrist, forfaldsdato, forfaldsdag, svartid, responstid, reaktionstid, løsningstid,"
          " nedtælling",
    "no": "frist, fristen, tidsfrist, forfallsdato, forfallsdag, svartid, responstid, reaksjonstid, løsningstid,"
          " nedtelling",
    "is": "frestur, eindagi, gjalddagi, svartími, viðbragðstími",
    "es": "plazo, plazos, fecha límite, fecha tope, hora límite, tiempo de respuesta, tiempo respuesta, tiempo reacción, tiempo resolución, tiempo de reacción,"
          " tiempo de resolución, tiempo de solución, cuenta regresiva, cuenta atrás",
    "pt": "prazo, prazos, data limite, hora limite, data de vencimento, tempo de resposta, tempo resposta, tempo reação, tempo resolução, tempo de reação,"
          " tempo de resolução, tempo de atendimento, contagem regressiva",
    "gl": "data límite, tempo de reacción, data de vencemento",
    "fr": "échéance, échéances, date limite, heure limite, date butoir, délai de réponse, délai d'intervention,"
          " délai de résolution, délai de rétablissement, temps de réponse, temps réponse, temps réaction, temps de réaction,"
          " temps de résolution, temps d'intervention, compte à rebours",
    "it": "scadenza, scadenze, termine ultimo, data limite, tempo di risposta, tempo risposta, tempo reazione, tempo risoluzione, tempo di reazione,"
          " tempo di risoluzione, tempo di ripristino, tempo di intervento, conto alla rovescia",
    "mt": "skadenza, ħin ta' rispons",
    "ca": "data límit, temps de resposta, temps de reacció, temps de resolució, termini de resposta,"
          " data de venciment, compte enrere",
    "ro": "termen limită, termenul limită, termen de răspuns, scadență, scadenta, data scadenței,"
          " timp de răspuns, timp de reacție, timp de rezolvare, numărătoare inversă",
    "eo": "limdato, templimo",
    "pl": "termin realizacji, termin wykonania, termin płatności, termin odpowiedzi, ostateczny termin,"
          " nieprzekraczalny termin, czas reakcji, czas odpowiedzi, czas naprawy, czas rozwiązania,"
          " odliczanie",
    "cs": "lhůta, lhůty, termín splnění, termín dokončení, datum splatnosti, doba odezvy, doba reakce,"
          " doba vyřešení, doba opravy, odpočítávání",
    "sk": "lehota, termín splnenia, dátum splatnosti, doba odozvy, čas reakcie, doba reakcie, odpočítavanie",
    "sl": "skrajni rok, odzivni čas, čas odziva, rok za odziv",
    "hr": "krajnji rok, rok dospijeća, dospijeće, vrijeme odziva, vrijeme reakcije, vrijeme odgovora,"
          " rok za odgovor, odbrojavanje",
    "sr": "krajnji rok, rok dospeća, dospeće, vreme odziva, vreme reakcije, vreme odgovora, крајњи рок,"
          " време одзива, време реакције, време одговора, одбројавање",
    "mk": "краен рок, krajen rok, време на реакција",
    "bg": "срок, срокът, срока, srok, srokat, време за реакция, време за отговор, vreme za reaktsiya,"
          " обратно броене",
    "ru": "срок, сроки, srok, дедлайн, dedlain, dedlayn, время реакции, vremya reaktsii,"
          " время ответа, vremya otveta, время решения, время восстановления, обратный отсчет",
    "uk": "термін виконання, крайній термін, дедлайн, час реакції, chas reaktsii, час відповіді, зворотний відлік",
    "be": "крайні тэрмін, час рэакцыі",
    "lt": "galutinis terminas, reakcijos laikas, atsako laikas",
    "lv": "pēdējais termiņš, izpildes termiņš, reakcijas laiks, atbildes laiks",
    "et": "tähtaeg, maksetähtaeg, reageerimisaeg, vastamisaeg, reaktsiooniaeg, lahendusaeg",
    "fi": "määräaika, takaraja, eräpäivä, vasteaika, reagointiaika, vastausaika, ratkaisuaika,"
          " korjausaika, palvelutasosopimus, lähtölaskenta",
    "hu": "határidő, határideje, válaszidő, reakcióidő, megoldási idő, visszaszámlálás, esedékesség",
    "el": "προθεσμία, prothesmia, χρόνος απόκρισης, chronos apokrisis, xronos apokrisis, χρόνος αντίδρασης,"
          " καταληκτική ημερομηνία, αντίστροφη μέτρηση",
    "tr": "son tarih, son teslim tarihi, termin tarihi, vade tarihi, yanıt süresi, tepki süresi, cevap süresi,"
          " müdahale süresi, çözüm süresi, geri sayım",
    "az": "son müddət, cavab müddəti",
    "kk": "соңғы мерзім, songgy merzim",
    "uz": "oxirgi muddat, охирги муддат",
    "ky": "акыркы мөөнөт",
    "tk": "soňky möhlet",
    "tg": "мӯҳлат",
    "ka": "ბოლო ვადა, რეაგირების დრო",
    "hy": "վերջնաժամկետ, verjnazhamket",
    "mn": "эцсийн хугацаа",
    "ar": "الموعد النهائي, موعد نهائي, مهلة, المهلة, زمن الاستجابة, وقت الاستجابة, تاريخ الاستحقاق,"
          " العد التنازلي",
    "fa": "مهلت, ددلاین, زمان پاسخ, زمان پاسخگویی, سررسید, mohlat, sarresid",
    "ur": "آخری تاریخ, ڈیڈ لائن, akhri tareekh, aakhri tareekh, akhri tarikh, aakhri tarikh",
    "he": "מועד אחרון, דדליין, זמן תגובה, ספירה לאחור, moed acharon, zman tguva, zman teguva",
    "yi": "טערמין",
    "hi": "समय सीमा, अंतिम तिथि, प्रतिक्रिया समय, डेडलाइन, samay seema, samay sima, antim tithi, pratikriya samay",
    "mr": "अंतिम मुदत, antim mudat",
    "ne": "अन्तिम मिति, antim miti",
    "bn": "সময়সীমা, শেষ তারিখ, somoysima, shesh tarikh",
    "gu": "અંતિમ તારીખ, સમયમર્યાદા, antim tarikh",
    "pa": "ਆਖਰੀ ਤਾਰੀਖ, ਸਮਾਂ ਸੀਮਾ",
    "or": "ସମୟସୀମା",
    "ta": "காலக்கெடு, kalakkedu, kaalakkedu",
    "te": "గడువు, gaduvu",
    "kn": "ಗಡುವು",
    "ml": "സമയപരിധി, അവസാന തീയതി, samayaparidhi, avasana theeyathi",
    "si": "කාල සීමාව, අවසන් දිනය",
    "th": "กำหนดส่ง, เส้นตาย, เวลาตอบสนอง, วันครบกำหนด",
    "km": "កាលកំណត់",
    "my": "နောက်ဆုံးရက်",
    "vi": "hạn chót, hanchot, hạn cuối, thời gian phản hồi, thoigianphanhoi, ngày đến hạn, đếm ngược",
    "id": "tenggat, jatuh tempo, waktu respons, waktu respon, waktu tanggap, hitung mundur",
    "ms": "tarikh akhir, masa tindak balas",
    "tl": "takdang petsa, takdang oras",
    "sw": "tarehe ya mwisho, muda wa mwisho",
    "am": "ቀነ ገደብ",
    "sq": "afat, afati, koha e reagimit, koha e përgjigjes",
    "ga": "spriocdháta, spriocam, am freagartha",
    "gd": "ceann latha",
    "cy": "dyddiad cau, terfyn amser, amser ymateb",
    "eu": "epemuga, erantzun denbora, erantzuteko epea",
    "ht": "dat limit",
    "zh": "截止时间, 截止時間, 截止日期, 截止, 期限, 时限, 响应时间, 響應時間, 回应时间, 回應時間, 倒计时, 倒計時,"
          " 服务等级协议, 服務等級協議, jiezhi shijian, jiezhishijian, jiezhi riqi, jiezhiriqi,"
          " xiangying shijian, xiangyingshijian, daojishi",
    "ja": "締切, 締め切り, 〆切, 期限, 期日, 納期, 応答時間, 対応期限, カウントダウン, デッドライン, shimekiri, kijitsu,"
          " outou jikan",
    "ko": "마감, 마감일, 마감시간, 기한, 응답 시간, 응답시간, 납기, 카운트다운, magamil,"
          " eungdap sigan, eungdapsigan",
}

# Considered and left out, each with the reason (a word, or a phrase, as a field name writes it).
DEADLINE_DROPS: dict[str, str] = {
    "due": "bare English 'due' (amount due), Italian 'two': too common a word",
    "term": "a common English word (term of a loan, search term)",
    "limit": "a common English word and field (credit limit, rate limit)",
    "target": "a common English word and field (target_temp, target host)",
    "time": "a common English word and field",
    "response": "a common field (response_code, response_bytes)",
    "end, final, date": "common English words and fields (end_time, final_score, date)",
    "time limit": "a job scheduler's or an exam's configured wall-time, a timeout",
    "cutoff, cut off, cutoff time": "a signal's or a statistic's cut-off; a bank's or carrier's routine daily cut-off",
    "eta, arrival time": "logistics routine: when a shipment arrives",
    "expiry, expiration, best before, expiry date": "stock routine: a product's shelf life",
    "vencimiento, fecha de vencimiento": "Latin American Spanish: a food's expiry date",
    "vencimento": "Portuguese: also a salary and a bond's maturity (data de vencimento stays)",
    "duration, uptime, latency, elapsed, timeout": "routine technical measures",
    "mttr": "mean time to repair: a routine reliability statistic",
    "ttr": "three letters; also type-token ratio; a measured statistic",
    "slo": "a service level objective is an availability target (99.9%), not a countdown",
    "ola": "three letters; Spanish 'wave', a greeting",
    "ans": "French 'years' (the ANS of 'accord de niveau de service'); three letters",
    "service level": "an inventory fill-rate target in supply-chain records",
    "time left, time remaining": "a battery's, a download's, a game clock's remaining time",
    "termin": "German 'appointment', Scandinavian 'school term', a truncated 'terminal'; its compounds stay",
    "termen": "Dutch 'terms' (plural); Romanian 'term' of any kind; 'termen limită' stays",
    "termini": "Italian 'terms' (termini e condizioni); Catalan 'termini de resposta' stays",
    "termijnen": "Dutch plural, also instalments (betaling in termijnen)",
    "délai": "French lead time (délai de livraison) as often as deadline; its phrases stay",
    "rok": "Polish and Czech 'year', three letters; 'krajnji rok' and the like stay",
    "batas waktu": "Indonesian software's word for a timeout (batas waktu koneksi)",
    "kigen": "romanized Japanese homophones: 起源 origin, 機嫌 mood",
    "vada, ვადა": "romanized, an Indian snack; alone also a shelf life (ვარგისიანობის ვადა); 'ბოლო ვადა' stays",
    "mudat, मुदत": "Marathi: alone also a fixed deposit (मुदत ठेव); 'अंतिम मुदत' stays",
    "म्याद": "Nepali: alone also a validity (of a visa, a medicine); 'अन्तिम मिति' stays",
    "zhamket, ժամկետ": "Armenian: alone also a shelf life (պիտանելիության ժամկետ); 'վերջնաժամկետ' stays",
    "時限": "Japanese: a school's class period (1時限目); simplified 时限 stays",
    "到期日": "Chinese and Japanese: also a product's or a bond's expiry and maturity date",
    "תאריך יעד": "Hebrew 'target date', a routine milestone, as in English",
    "gihan": "romanized Korean 기한 is a given name; the Hangul stays",
    "stichtag": "German accounting's reporting date, routine",
    "thoi han": "Vietnamese thời hạn sử dụng is a shelf life",
    "мерзім": "Kazakh: also a shelf life (жарамдылық мерзімі); 'соңғы мерзім' stays",
    "хугацаа": "Mongolian: any period, a shelf life; 'эцсийн хугацаа' stays",
    "odpočet": "Czech: also a tax deduction (odpočet DPH)",
    "lejárat": "Hungarian: expiry and maturity",
    "aikaraja": "Finnish 'time limit', a timeout as often as a deadline",
    "closing date, sluitingsdatum": "a sale's or a shop's closing date, routine",
    "target date": "project planning's routine milestone date",
    "turnaround time, lead time": "measured production and logistics statistics",
    "fix by": "Jira-style 'fix by version'",
    "fristende": "Danish and Norwegian 'tempting' (a frequent word); German Fristende is rare anyway",
    "sroki": "Polish 'magpies'; Cyrillic сроки stays",
    "terminas": "Spanish 'you finish' (frequent); Lithuanian 'galutinis terminas' stays",
    "termiņš, termins": "folded, German 'Termins' (of an appointment); its Latvian phrases stay",
    "magam": "romanized Korean 마감 is Hungarian 'myself', very frequent; Hangul and magamil stay",
    "muhlat": "romanized Uzbek and Tajik 'respite', a given name; the Tajik script stays",
}
