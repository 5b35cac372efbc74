"""A small, versioned knowledge prior: priority and severity words and field names in many languages.

The definition of importance says a record matters when it "carries explicit
priority or severity". Whether ``"kritisch"`` or ``"P0"`` is such a word is
world knowledge, not something a window of records can teach; this lexicon
is that knowledge, kept deliberately general (standard severity scales,
syslog levels, P0-P4 / SEV0-4, and the common words for
critical/high/medium/low/error/warning/urgent).

Version 2 (session 8) added three pieces of general knowledge that three
independently written held-out families all leaned on:

* **alert colours** (:data:`COLOURS`): green < yellow < orange/amber < red,
  the scale of weather, flood, aviation and hospital warnings. A colour is
  ambiguous (a red car is not an alarm), so it is a feature channel of its
  own, read only from short categorical values (:func:`colour_weight`): the
  model learns from the field's name and the value's rarity when a colour
  is a warning;
* **negation** (:func:`text_priority`): "not urgent", "kein Alarm",
  "acil değil" say routine. A priority word right after a negator, or right
  before a postposed one (Turkish değil/yok, Japanese nai), counts as a
  routine word (weight 0);
* more **danger and hazard** words and field names (risk, hazard, threat,
  danger, warning, distress calls such as mayday and SOS).

Version 3 widens the knowledge and makes its reading more precise. The model
is judged on record streams in languages and conventions nobody here has
seen, so the prior should know the world's words, not a handful of
languages':

* **breadth**: the critical/emergency, urgent, danger, alarm, error/failure,
  high, important, warning/caution, medium, low and routine words, the alert
  colours, the negators and the priority field names of 51 languages, in
  their scripts and common romanizations (the Romance, Germanic, Nordic,
  Slavic, Baltic, Finno-Ugric and Celtic languages, Greek, Basque, Turkish,
  Arabic, Persian, Urdu, Hebrew, Hindi, Bengali, Indonesian/Malay,
  Vietnamese, Tagalog, Thai, Swahili, Zulu/Xhosa, Chinese, Japanese,
  Korean), each registered by ``_lang`` on the same weight scale; and
  operators' international vocabulary: radio distress and urgency calls
  (mayday, pan-pan), aviation alert phases (INCERFA/ALERFA/DETRESFA),
  medical triage (resuscitation, emergent, semi-urgent, less urgent, code
  blue), incident conventions (SEV 0-4 spelled apart, major incident),
  DEFCON and FPCON levels, the CAP severity ``extreme``, Bugzilla/Jira's
  ``highest``/``trivial``, and phrases that say the opposite of their words
  (``false alarm``, ``all clear``: routine);
* **multiword entries** (:data:`WORDS` keys with a space, e.g. Vietnamese
  ``"khan cap"`` from "khẩn cấp", ``"pan pan"``, ``"less urgent"``): matched
  on consecutive normalized words, longest first, so a common syllable alone
  ("cap") never matches and "less urgent" overrides "urgent". Field names
  may be multiword too (:func:`is_field_name`);
* **clause-bounded negation** (:func:`clause_words`, :data:`CLAUSE`): a
  negator's scope ends at clause punctuation (; ! ? newline, their CJK,
  Indic and Arabic forms, and . , : where no letter or digit follows, so
  "1.5" and "12:30" stay one clause), so "no alarm; CRITICAL failure" is
  critical, and a postposed negator does not reach back across it;
  a routine word ends the scope after itself ("non-routine emergency",
  "not normal critical" read the emergency), and a few function words are
  transparent inside it (:data:`NEGATION_FILLERS`: "not an emergency",
  "no es urgente", "tidak ada bahaya", "δεν είναι επείγον");
* **precision**: every entry of every table is stored exactly as
  :func:`normalize` writes inputs (v2's Cyrillic entries with й never
  matched: NFKD splits й into и and a breve); ambiguous short words were
  removed (``di``, ``gao``, ``zhong``: common syllables of Italian,
  Indonesian and pinyin; ``bas``, ``lag``, ``media``: French "bottom",
  English network lag, English media; ``fara``: Romanian "without", kept
  as that language's negator; negators ``net`` and ``mai``: English net,
  Romanian/Vietnamese/pinyin ``mai``; colours ``sort`` (English), ``kara``
  and ``cerny`` (common names)). ``rot``, ``rod``, ``gul`` and ``sari`` stay:
  they are the red and yellow of German, Scandinavian and Turkish warning
  scales, and the colour channel reads only short values.

Version 4 adds 33 languages (84 in all) and fills in Croatian and Bosnian words the Serbian
entry lacked: Albanian, Azerbaijani, Yoruba, Hausa, Igbo, Amharic, Somali, Javanese, Kazakh,
Uzbek, Kyrgyz, Turkmen, Tajik, Georgian, Armenian, Tamil, Telugu, Marathi, Nepali, Sinhala, Khmer,
Burmese, Mongolian, Macedonian, Belarusian, Maltese, Luxembourgish, Afrikaans, Malagasy,
Kinyarwanda, Pashto, Kurmanji and Haitian Creole, in their scripts and common romanizations, on
the same scale. ``_PLAIN`` also folds Azerbaijani schwa (ə: e), Maltese ħ (h) and the Hausa hooked
letters (ɗ ɓ ƙ: d b k), and a few copulas and intensifiers keep a negator's scope open (Albanian
"nuk ka rrezik", Bulgarian and Macedonian "не е итно", Georgian "არ არის", Afrikaans "nie baie
dringend nie"). Precision came first: no new single word of three letters or fewer in a script
that several languages share (a few negators excepted, each checked), script entries that
split into fragments only where the sequence is long or distinctive (Tamil பச்சை "green" is a
fragment of விபச்சாரம், so it stays out), and every new entry checked against the existing tables
and against the frequent words of 42 languages; the new entries that are common words elsewhere
(Kyrgyz кызыл, also the city Kyzyl; Uzbek emas, Malay "gold"; Afrikaans sonder, Swedish sönder
"broken"; Maltese kritiku, Slavic "criticism"; ...) are in :data:`_REVIEW_DROPS`, with the reason.

Version 5 gives the romanized priority words their romanized negators. Many languages had their
priority words in Latin letters but their negators only in their own script, so "Ochi epeigon",
"mai samkhan", "bu yanzhong", "nav steidzami" or "vtang chka" ("not urgent", "not important",
"not serious", "not urgent", "no danger") read as urgent, and routine notes of that kind are among
the commonest in operators' records. 76 more negators (romanized Greek, Russian, Ukrainian,
Bulgarian, Serbo-Croatian, Slovene, Lithuanian and Latvian "no"/"none", Arabic chat mish and
mafish, Persian hich, Armenian voch, Georgian aranairi, Uzbek hech, Igbo enweghị, Indonesian
colloquial nggak and gak, Afrikaans nooit, Haitian okenn, ...), 44 postposed ones (Korean eopda
and anida, Japanese arimasen and dewanai, Persian nadarad, Turkish olmayan, Hindi, Marathi,
Nepali, Bengali, Tamil, Telugu, Sinhala, Mongolian, Kazakh, Turkmen, Armenian, Georgian, Somali)
and 21 fillers ("ne ochen srochno", "hech qanday xavf", "ddim yn brys", "bu shi hen yanzhong"). A
negator that is a frequent word of another language is a **gated negator**
(:data:`GATED_NEGATORS`, ``_lang(gated=...)``): it negates only when the next word is one of its
own language's followers, a verb or particle that is passed over ("den einai", "la yujad", "bu
shi", "pa gen") or a priority word that is then read, negated ("mai samkhan", "nu periculos");
before any other word it ends the scope like any word. 31 of them with 273 followers: Greek den
(German and Scandinavian "den": "den kritischen Fehler", "den er kritisk" stay critical), ochi and
oxi (Romanian "eyes", Vietnamese "oxygen": "thiếu oxi nghiêm trọng" stays critical), Arabic la and
ma, Hebrew lo, Thai mai, pinyin bu and mei, Romanian nu (Dutch and Scandinavian "now": "nu
kritiek"), Slovene ni, Latvian nav (English nav), Lithuanian nėra (Italian nera) and joks (Latvian
"joke"), Malay tak (Polish "yes"), Javanese ora, Swahili bila (Malay "when"), Hausa babu
(Serbo-Croatian "grandma", a Hindi honorific), Somali aan (Dutch "on"), Georgian ar (Swedish är),
Albanian jo (Hungarian jó "good") and pa, Haitian pa and san, Catalan sense, Welsh dim, Irish níl
and gan, Luxembourgish net, keen and keng, Afrikaans sonder. A gated negator may be a word
:data:`_REVIEW_DROPS` keeps out of the other tables (ora, ma, níl, sonder): the gate is what makes
it safe. Also new: places named after emergencies read routine ("acil servis", "pronto
soccorso", "emergency room", "instalasi gawat darurat": where a record happened, not how pressing
it is), Danish and Norwegian "haster ikke" (the negator after the verb), Japanese "kinkyuu de wa
nai" (the copula's particles between a word and its postposed negator), and a **determiner
negator**'s scope passes one modifier before its noun (:data:`DETERMINER_NEGATORS`: "no gas alarm",
"žádný plynový poplach", "kein großer Alarm" read routine; adverbs and prepositions do not pass
one: "not the only critical issue", "without cooling critical temperature" stay critical). A second review
checked every new entry against the frequent words of 42 languages and found nine false
negations (Vietnamese oxi "oxygen", Turkish olmadan "without", "bu şuan acil", babu, Romanian
ochi, netu, nekāda, okèn, "jo fort"), all fixed, and "urgent care" ("needs urgent care"), dropped;
the negators considered and left out are in :data:`_REVIEW_DROPS` with the reason. No priority
word, colour or field name changed.

Version 6 adds 51 languages (132 codes in all), among them the six v4 and v5 kept out for a blind
family: Maori, Samoan, Tongan, Hawaiian, Fijian, Cebuano, Ilocano, Hiligaynon, Tok Pisin, Bislama,
Tetum and Chamorro; Gujarati, Punjabi (Gurmukhi and Shahmukhi), Kannada, Malayalam, Odia, Assamese
and Sindhi; Xhosa, Shona, Chichewa, Sesotho, Setswana, Lingala, Akan, Ewe, Luganda, Kikuyu, Oromo and
Tigrinya; Quechua, Guarani, Aymara, Galician, Esperanto, Scottish Gaelic, Breton, Faroese, West
Frisian, Corsican, Sundanese, Malay words the Indonesian entry lacked, Hmong, Tatar, Bashkir,
Yiddish, Sorani Kurdish, Lao, Uyghur and Northern Sami. A word with a glottal stop is registered
with its ʻokina (a letter), without it, and as the two words an apostrophe leaves
("faʻanatinati", "faanatinati", "fa'anatinati"). Negation that a single word cannot carry is
written as phrases that read routine: a negator of one or two letters that is common elsewhere
(Tatar юк, Sesotho "ha ho", Setswana "ga go na", Northern Sami ii, Corsican ùn, Oromo miti, Lao
ບໍ່, Odia ନାହିଁ, which splits into single letters). 25 more gated negators: words common elsewhere
(Samoan lē, which is le once folded; Cebuano dili, Turkish "language of"; Ilocano saan, Tagalog
"where"; Quechua mana, Polynesian "power"; Galician and Esperanto sen, Turkish "you"; Scottish
Gaelic chan; Sundanese teu, Portuguese "your"; ...), and negators gated so that the particle after
them is passed (Maori "kāore he", "ehara i te mea", Tongan "ʻikai ke", Hawaiian "ʻaʻole he");
Tetum la and Frisian net join the gated la and net. Seven fillers (te, mea, tino, se, kaayo, muaj,
kev). The review left out 73 entries that are frequent words or names elsewhere (Tok Pisin
impoten, Indonesian "impotent"; Cebuano dalag yellow, a fish; Maori karaka, a place; Esperanto
nigra, Latin species names; ...): they are in :data:`_REVIEW_DROPS` with the reason. No v5 entry
changed or went (la and net only gained followers), and no training record reads differently.

Version 7 reads English contractions as negators ("isn't urgent", "isnt urgent") and lets a negator
reach a compound critical ("not time critical"). Version 8 keeps a negator's scope open across the
English verbs, nouns and prepositions that come right after it (:data:`NEGATION_VERBS`: "does not
need urgent attention", "doesn't seem critical", "no sign of danger", "no cause for alarm"), and
only there: a verb after any other word is a word like any other ("no power needs urgent
attention" stays urgent). "neither", "hardly", "unlikely" and "zero" negate ("zero" as a
determiner), "nor" before a priority word or an article, and "less critical" and "least critical"
read low, as "less urgent" does. Version 9 reads an identifier's segments as parts of a name
(:func:`clause_words`): in "STK06-P1", "P3/1" or "PM1-P2" a segment that mixes letters and digits
is no priority code when another segment holds a digit ("PRIORITY_P1", "P1-URGENT" and "SEV-1"
still read). Version 10 reads two negations that came after the word they deny: English "not" plus
a participle of need or event (:data:`_POST_NOT_VERBS`: "urgent action is not required",
"immediate attention not needed", "critical alarm not triggered"), up to three words on and not
across a clause; and the southern Italian dialects' "nun" (Sicilian, Neapolitan: "nun è urgenti"),
gated before a copula or a priority word because German "nun" is "now" ("nun ist es dringend"
stays urgent). Its id also covers the interpreter's Unicode database (what a word is changes with
it), and the identifier rule is anchored at the start of a run: the same matches, linear (review
8, docs/review8-findings.md).

Version 11 reads a field named as a deadline or a response target as a priority field: a countdown,
where a small value is pressing ("deadline", "due_date", "sla_minutes", "response_time",
"Reaktionszeit", "prazo", "srok", "czas reakcji", "yanıt süresi", "截止时间", "締切"). 485 entries in
81 languages and the standard vocabulary ("sla"), in their scripts and common romanizations, kept
in :mod:`node.attention.lexicon_deadlines` (``DEADLINE_FIELDS``) with what was considered and left
out (``DEADLINE_DROPS``: bare "due", "term", "limit", "time limit", eta, expiry, timeouts, German
"Termin", ...). No other entry changed. The helper that drafted them read no held-out family; the
Romance response-time names without their preposition ("tiempo respuesta", "tempo risposta", as field
names drop it) were added after, by the session that wired it in.

It lives in the featurizer, so it is part of the model: :data:`LEXICON_ID`
(a hash of the version, every entry and every matching parameter) is written
into the checkpoint's metadata, and the checkpoint's CID -- the model id in
every block header -- therefore changes whenever the lexicon does. The
featurizer also refuses a checkpoint whose lexicon id differs from this
module's.

Words are matched after :func:`normalize`: lower case, accents stripped
(NFKD), a few letters folded (``_PLAIN``), split at non-alphanumerics and
at camelCase boundaries, so ``"CRÍTICO"``,
``"severityLevel"`` and ``"alert-level"`` all match. Scripts whose vowel
signs are not word characters to :mod:`re` (Devanagari, Thai) split into
fragments at every sign; their few entries here are stored as those
fragment sequences (multiword), chosen so that no fragment sequence is a
common phrase.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from operator import itemgetter

from node.attention.lexicon_deadlines import DEADLINE_FIELDS

__all__ = ["CLAUSE", "COLOURS", "DETERMINER_NEGATORS", "FIELD_NAMES", "GATED_NEGATORS", "LEXICON_ID", "LEXICON_VERSION",
           "NEGATION_FILLERS", "NEGATION_VERBS", "NEGATORS",
           "POST_NEGATORS", "WORDS", "clause_words", "colour_weight", "is_field_name", "normalize",
           "priority_words", "split_words", "text_priority", "word_weight"]

LEXICON_VERSION = "attnshare-lexicon/11"

# -- normalization -----------------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^\w]+|_", re.UNICODE)

# Letters NFKD does not decompose, spelled as their plain Latin neighbours (Turkish dotless i,
# Polish l with stroke, Nordic o with stroke, German sharp s, Icelandic eth and thorn...):
# "kırmızı", "błąd", "rød", "hætta", "neyð" match. Also folded, before decomposition: Greek sigma
# (capital and final: lower() would make a word-final capital a final sigma), and the Arabic-script
# letters Arabic, Persian and Urdu spell differently (yeh, alef maksura, kaf, heh goal, teh marbuta,
# tatweel), the usual light normalization of Arabic-script search.
_PLAIN = str.maketrans({"ı": "i", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss",
                        "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
                        "Σ": "σ", "ς": "σ", "ی": "ي", "ى": "ي", "ک": "ك", "ہ": "ه", "ۂ": "ه", "ة": "ه",
                        "ـ": None, "ə": "e", "Ə": "e", "ħ": "h", "Ħ": "h", "ɗ": "d", "Ɗ": "d", "ɓ": "b", "Ɓ": "b",
                        "ƙ": "k", "Ƙ": "k"})


def normalize(text: str) -> str:
    """Lower case with accents stripped (NFKD, combining marks dropped; see ``_PLAIN``)."""
    if text.isascii():  # the same result, without the decomposition
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def split_words(text: str) -> list[str]:
    """Normalized words of a name or value: camelCase, snake_case, kebab, dotted and spaced all split."""
    return [w for w in _SPLIT.split(normalize(_CAMEL.sub(" ", text))) if w]


# The sentinel :func:`clause_words` puts between clauses. Words are runs of letters and digits,
# so it is never a word.
CLAUSE = "|"
# Clause punctuation (after normalize: fullwidth ! ? ; are already ASCII): ; ! ? | newline, the
# ideographic full stop and comma, the Devanagari danda, the Arabic comma, semicolon and question
# mark, the Urdu full stop, Spanish opening marks, the em dash, Ethiopic and Myanmar full stops
# always end a clause; . , : only where no letter or digit follows ("1.5", "12:30", "a,b" and
# "kern.crit" are one clause).
_CLAUSE_ALWAYS = ";!?|\n\r\u3002\u3001\u0964\u0965\u060c\u061b\u061f\u06d4\u00a1\u00bf\u2014\u1362\u104b"
_CLAUSE_TOKENS = re.compile(r"([^\W_]+)|[" + re.escape(_CLAUSE_ALWAYS) + r"]|[.,:](?![^\W_])", re.UNICODE)
# The fullwidth comma, colon and full stop of Chinese text (normalize would make them ASCII, and in
# CJK text a letter follows them) read as the ideographic comma and full stop: always a break.
_CLAUSE_WIDE = (("\uff0c", "\u3001"), ("\uff1a", "\u3001"), ("\uff0e", "\u3002"), ("\ufe50", "\u3001"),
                ("\ufe55", "\u3001"), ("\ufe52", "\u3002"))


# An identifier: letters and digits joined by - _ . / without a space ("STK06-P1", "P3/1",
# "ETCH04_PM2"). Its segments that mix letters and digits are parts of a name, not codes, when
# another segment holds a digit too: a stocker port "STK06-P1" is no priority p1, but a value
# "PRIORITY_P1" or "P1-URGENT" still reads p1 (no other digit), and "SEV-1" reads sev 1.
# Anchored at the start of a run of letters and digits: unanchored, a run of L letters without a
# separator was tried from each of its L positions, O(L^2) (review 8, finding 1: 11 s for one valid
# record of 24,540 letters, with the GIL held). Same matches, linear.
_COMPOUND = re.compile(r"(?<![^\W_])[^\W_]+(?:[-_./][^\W_]+)+", re.UNICODE)
_COMPOUND_SEP = re.compile(r"[-_./]")


def _mixed(seg: str) -> bool:
    return any(c.isdigit() for c in seg) and any(c.isalpha() for c in seg)


def _identifier_words(m: re.Match[str]) -> str:
    segs = _COMPOUND_SEP.split(m.group(0))
    digits = [any(c.isdigit() for c in x) for x in segs]
    if sum(digits) < 2 or not any(_mixed(x) for x in segs):
        return m.group(0)
    return " ".join(x for x in segs if not _mixed(x))


def clause_words(text: str) -> list[str]:
    """The words of :func:`split_words` with :data:`CLAUSE` between clauses (never first, last or
    twice in a row): what :func:`priority_words` reads to bound a negator's scope. An identifier's
    segments that mix letters and digits are left out when another segment holds a digit
    (``_COMPOUND``: "STK06-P1" is a stocker port, not the priority code p1)."""
    if not text.isascii():
        for wide, mark in _CLAUSE_WIDE:
            if wide in text:
                text = text.replace(wide, mark)
    text = normalize(_CAMEL.sub(" ", text))
    if any(c.isdigit() for c in text):
        text = _COMPOUND.sub(_identifier_words, text)
    out: list[str] = []
    for w in _CLAUSE_TOKENS.findall(text):
        if w:
            out.append(w)
        elif out and out[-1] != CLAUSE:
            out.append(CLAUSE)
    if out and out[-1] == CLAUSE:
        out.pop()
    return out


# -- the tables, as written (every entry is normalized when the tables are built) -------------

# Weight of a word as explicit priority: 1 critical, 0.75 high/error, 0.45 medium/warning,
# 0.15 low, 0 explicitly routine (info, ok): knowing "info" is not news is knowledge too.
_CRIT, _HIGH, _WARN, _LOW, _ROUTINE = 1.0, 0.75, 0.45, 0.15, 0.0
# Alert colours, lowest to highest: the colour scales of warnings (weather, floods, volcanoes,
# hospitals). Black tops some scales (Hong Kong's rainstorm signals: amber, red, black): with red.
_RED, _ORANGE, _YELLOW, _GREEN = 1.0, 0.67, 0.33, 0.0

_RAW_WORDS: list[tuple[float, str]] = []
_RAW_COLOURS: list[tuple[float, str]] = []
_RAW_NEGATORS: list[str] = []
_RAW_POST: list[str] = []
_RAW_FIELDS: list[str] = []
_RAW_GATED: list[tuple[str, str]] = []  # (negator, a word that must follow it), see GATED_NEGATORS
_LANGS: list[str] = []  # codes registered, for the tests and the docs (not part of the id)


def _items(s: str) -> list[str]:
    return [x.strip() for x in s.split(",") if x.strip()]


def _lang(code: str, *, critical: str = "", high: str = "", warning: str = "", low: str = "", routine: str = "",
          red: str = "", orange: str = "", yellow: str = "", green: str = "", neg: str = "", post: str = "",
          fields: str = "", gated: dict[str, str] | None = None) -> None:
    """Register one language's entries (comma-separated; an entry with a space is a phrase).

    critical 1.0 (critical, emergency, severe, disaster); high 0.75 (urgent, danger, alarm, error,
    failure, high, important); warning 0.45 (warning, caution, attention, medium); low 0.15; routine 0
    (normal, ok, info). Colours: red 1.0 (black with it), orange 0.67, yellow 0.33, green 0. neg:
    negators before the word; post: negators after it; fields: names that announce priority; gated:
    negators that are common words elsewhere, each with the words that must follow it for it to
    negate (Greek romanized "den" only before a verb: "den einai", never German "den kritischen")."""
    _LANGS.append(code)
    for w, s in ((_CRIT, critical), (_HIGH, high), (_WARN, warning), (_LOW, low), (_ROUTINE, routine)):
        _RAW_WORDS.extend((w, x) for x in _items(s))
    for w, s in ((_RED, red), (_ORANGE, orange), (_YELLOW, yellow), (_GREEN, green)):
        _RAW_COLOURS.extend((w, x) for x in _items(s))
    _RAW_NEGATORS.extend(_items(neg))
    _RAW_POST.extend(_items(post))
    _RAW_FIELDS.extend(_items(fields))
    for neg_word, followers in (gated or {}).items():
        _RAW_GATED.extend((neg_word, x) for x in _items(followers))


# Standard scales and operators' vocabulary, in no one language.
_lang("std",
      critical="p0, sev0, sev1, sev 0, sev 1, crit, emerg, fatal, panic, blocker, showstopper, mayday, sos, distress,"
               " detresfa, resuscitation, code blue, code red, cardiac arrest, man overboard, abandon ship,"
               " defcon1, defcon 1, fpcon delta, life threatening, lifethreatening",
      high="p1, sev2, sev 2, err, pan pan, panpan, alerfa, emergent, asap, defcon2, defcon 2, fpcon charlie,"
           " minimum fuel, windshear",
      warning="p2, sev3, sev 3, warn, incerfa, semi urgent, defcon3, defcon 3, fpcon bravo",
      low="p3, sev4, sev 4, less urgent, defcon4, defcon 4, fpcon alpha",
      routine="p4, defcon5, defcon 5, fpcon normal, debug, trace, verbose, all clear, false alarm, cleared",
      fields="sev, prio, pri, lvl, defcon, triage")

_lang("en",
      critical="critical, emergency, catastrophic, severe, disaster, outage, evacuate, evacuation, imminent, extreme,"
               " highest, major incident, top priority, very high",
      high="high, error, major, alert, urgent, alarm, failure, failed, fail, danger, dangerous, important, escalated,"
           " immediate, hazardous, unresponsive",
      warning="medium, moderate, warning, elevated, caution, degraded, hazard, attention",
      low="low, minor, notice",
      routine="info, information, informational, ok, normal, none, routine, nominal, lowest, trivial, very low,"
              " noncritical, nonurgent, nonemergency, unimportant,"
              # places named after emergencies: where a record happened, not how pressing it is
              " emergency room, emergency department, emergency ward, accident and emergency",
      red="red, black", orange="orange, amber", yellow="yellow", green="green, white, blue",
      neg="not, no, non, never, without",
      fields="severity, priority, level, urgency, urgent, criticality, critical, importance, alert, alerts, alarm,"
             " alarms, emergency, escalated, escalation, risk, hazard, hazards, threat, danger, warning, warnings,"
             " warn, impact, distress")

_lang("es",
      critical="crítico, crítica, grave, emergencia",
      high="peligro, peligroso, peligrosa, alto, alta, urgente, urgencia, error, falla, fallo, fallido, importante,"
           " alerta, alarma, socorro",
      warning="atención, medio, advertencia, aviso, precaución, moderado, moderada",
      low="bajo, baja",
      routine="información, rutina",
      red="rojo, roja, negro, negra", orange="naranja, ámbar", yellow="amarillo, amarilla",
      green="verde, blanco, blanca, azul",
      neg="sin, nunca, ningún, ninguna, ninguno",
      fields="riesgo, peligro, alerta, alarma, gravedad, prioridad, nivel, urgencia, severidad, criticidad,"
             " importancia, alertas")

_lang("pt",
      critical="crítico, crítica, grave, gravíssimo, emergência",
      high="perigo, perigoso, perigosa, alto, alta, urgente, urgência, erro, falha, falhou, avaria, alarme, alerta,"
           " importante, socorro",
      warning="atenção, médio, aviso, advertência, cuidado, moderado, moderada, elevado, elevada",
      low="baixo, baixa",
      routine="informação, rotina, pronto socorro",  # a place: the ER
      red="vermelho, vermelha, preto, preta", orange="laranja", yellow="amarelo, amarela",
      green="verde, branco, branca",
      neg="não, sem, nenhum, nenhuma",
      fields="risco, perigo, alarme, alerta, gravidade, prioridade, urgência, nível, criticidade, severidade,"
             " importância, alertas, alarmes")

_lang("fr",
      critical="critique, grave, urgence",
      high="élevé, élevée, erreur, alarme, alerte, danger, dangereux, dangereuse, panne, défaillance, échec, majeur,"
           " majeure, secours",
      warning="attention, moyen, moyenne, avertissement, modéré, modérée",
      low="faible, basse, mineur, mineure",
      routine="normale",
      red="rouge, noir, noire", orange="orange", yellow="jaune", green="vert, verte, blanc, blanche, bleu",
      neg="pas, sans, aucun, aucune",
      fields="risque, alerte, alarme, gravité, priorité, niveau, urgence, criticité, sévérité, alertes")

_lang("it",
      critical="critico, critica, grave, emergenza",
      high="pericolo, pericoloso, pericolosa, alto, alta, urgente, errore, guasto, allarme, allerta, importante,"
           " soccorso",
      warning="attenzione, medio, avviso, moderato, moderata, elevato, elevata",
      low="basso, bassa",
      routine="normale, informazione, pronto soccorso",  # a place: the ER
      red="rosso, rossa, nero, nera", orange="arancione, arancio, ambra", yellow="giallo, gialla",
      green="verde, bianco, bianca, blu",
      neg="senza, nessun, nessuna, nessuno",
      fields="rischio, pericolo, allerta, allarme, gravità, priorità, livello, urgenza, criticità, severità,"
             " importanza",
      # The southern dialects' (Sicilian, Neapolitan, Roman) "nun" is "non"; gated, since German "nun"
      # is "now": it negates before a copula or a priority word ("nun è urgenti", "nun c'è pericolo").
      gated={"nun": "e, c, ci, ce, havi, avi, ave, era, fu, sunnu, so, pari, pare, servi, serve, bisogna,"
                    " abbisogna, urgenti, urgente, gravi, grave, critico, critica, criticu, pericoloso,"
                    " periculusu, piriculusu"})

_lang("de",
      critical="kritisch, notfall, akut, schwerwiegend, katastrophe",
      high="gefahr, gefährlich, hoch, dringend, dringlich, fehler, störung, ausfall, wichtig, unwetter",
      warning="vorsicht, mittel, warnung, erhöht, mäßig",
      low="niedrig, gering",
      routine="hinweis, unkritisch, unbedenklich, ungefährlich",
      red="rot, schwarz", orange="orange", yellow="gelb", green="grün, gruen, weiß, blau",
      neg="nicht, kein, keine, keinen, ohne",
      fields="risiko, gefahr, warnung, schweregrad, prioritaet, priorität, stufe, dringlichkeit, wichtigkeit,"
             " alarmstufe, warnstufe, gefahrenstufe, kritikalität, kritikalitaet")

_lang("nl",
      critical="kritiek, ernstig, noodgeval, noodsituatie",
      high="gevaar, gevaarlijk, hoog, fout, dringend, mislukt, belangrijk",
      warning="waarschuwing, gemiddeld, matig, verhoogd, let op",
      low="laag",
      routine="informatie, normaal",
      red="rood, zwart", orange="oranje", yellow="geel", green="groen, wit, blauw",
      neg="niet, geen, zonder",
      fields="risico, gevaar, waarschuwing, ernst, prioriteit, urgentie, niveau")

_lang("pl",
      critical="krytyczny, krytyczna, krytyczne, poważny, poważna, poważne, katastrofa",
      high="zagrożenie, zagrożenia, niebezpieczeństwo, niebezpieczny, niebezpieczne, wysoki, wysoka, wysokie, pilny,"
           " pilna, pilne, błąd, błędu, awaria, awarii, ważny, ważna, ważne",
      warning="uwaga, średni, średnia, średnie, ostrzeżenie",
      low="niski, niska, niskie",
      routine="informacja, normalny, normalna, normalne, niekrytyczny, niepilny",
      red="czerwony, czerwona, czerwone, czarny, czarna", orange="pomarańczowy, pomarańczowa",
      yellow="żółty, żółta, żółte", green="zielony, zielona, zielone, biały, biała, niebieski",
      neg="nie, bez, brak",
      fields="ryzyko, zagrożenie, ostrzeżenie, waga, priorytet, poziom, pilność, krytyczność, ważność")

_lang("tr",
      critical="kritik, acil, ciddi, felaket",
      high="tehlike, tehlikeli, yüksek, hata, arıza, önemli",
      warning="dikkat, orta, uyarı",
      low="düşük",
      routine="bilgi, acil servis, acil servisi, acil serviste, acil servise, acil polikliniği",  # a place: the ER
      red="kırmızı, siyah", orange="turuncu", yellow="sarı", green="yeşil, beyaz, mavi",
      post="değil, yok, değildir, yoktur, olmayan",
      fields="tehlike, uyarı, öncelik, seviye, aciliyet, kritiklik")

_lang("ru",
      critical="критический, критическая, критично, авария, чрезвычайный, чрезвычайная, экстренный, экстренная,"
               " kriticheskiy, kriticheskaya, kritichno, avariya, ekstrennyy, ekstrenno",
      high="высокий, высокая, ошибка, ошибки, ошибок, срочно, срочный, опасность, опасности, опасно, тревога, угроза,"
           " угрозы, сбой, отказ, важно, важный, vysokiy, vysokaya, oshibka, srochno, srochnyy, opasnost, opasno,"
           " trevoga, sboy, vazhno",
      warning="средний, средняя, предупреждение, внимание, умеренный, sredniy, srednyaya, preduprezhdenie, vnimanie",
      low="низкий, низкая, nizkiy, nizkaya",
      routine="информация, нормально, нормальный, некритично, несрочно",
      red="красный, красная, черный, krasnyy, krasnaya, chernyy", orange="оранжевый, оранжевая, oranzhevyy",
      yellow="желтый, желтая, zheltyy", green="зеленый, зеленая, белый, синий, zelenyy",
      neg="не, нет, без, ne, bez, nikakoy, nikakoi, nikakaya, nikakogo, nikakikh, nikakih",
      fields="риск, опасность, тревога, важность, приоритет, уровень, критичность, срочность, ugroza, trevoga,"
             " vazhnost, prioritet, uroven, kritichnost, srochnost, угроза")

_lang("uk",
      critical="критичний, критична, критично, аварія, надзвичайна, надзвичайний, krytychnyi, krytychnyy,"
               " krytychno, avariia, nadzvychaina",
      high="небезпека, небезпечно, тривога, помилка, збій, терміново, терміновий, високий, висока, важливо, важливий,"
           " nebezpeka, nebezpechno, tryvoha, pomylka, terminovo, vysokyi, vysokyy, vazhlyvo",
      warning="попередження, увага, середній, середня, poperedzhennia, poperedzhennya, uvaha, serednii, seredniy",
      low="низький, низька, nyzkyi, nyzkyy",
      routine="інформація, нормально",
      red="червоний, червона, chervonyi, chervona", orange="помаранчевий, помаранчева, pomaranchevyi",
      yellow="жовтий, жовта, zhovtyi, zhovta", green="зелений, зелена, zelenyi",
      neg="немає, нема, nemaye, nemaie, nemae, жодний, жодна, жодного, жодної, zhodnyi, zhodna, zhodnoho,"
          " zhodnoi, zhodnoyi, zhodnykh",
      fields="пріоритет, рівень, важливість, критичність, терміновість, небезпека, тривога, ризик, загроза,"
             " pryorytet, riven, vazhlyvist, krytychnist, terminovist, nebezpeka, tryvoha, ryzyk, zahroza")

_lang("bg",
      critical="критичен, критична, критично, бедствие, kritichen, bedstvie",
      high="опасност, опасно, грешка, спешно, спешен, висок, висока, високо, важно, повреда, greshka, speshno, visok,"
           " visoka, povreda",
      warning="среден, средна, sreden, sredna",
      low="нисък, ниска, nisak",
      routine="нормално",
      red="червен, червена, cherven, chervena", orange="оранжев, оранжева, oranzhev",
      yellow="жълт, жълта, zhalt, zhalta",
      green="зелен, зелена, zelen, zelena",
      neg="няма, nyama, никакъв, никаква, никакво, nikakav, nikakva, nikakvo",
      fields="ниво, важност, критичност, спешност, опасност, nivo, kritichnost, speshnost")

_lang("sr",  # Serbian, Croatian and Bosnian (Latin), with Serbian Cyrillic
      critical="kritično, kritičan, kritična, katastrofa, критично",
      high="hitno, hitan, hitna, opasnost, opasno, uzbuna, greška, kvar, visok, visoka, visoko, važno, nesreća,"
           " хитно, узбуна, грешка, квар",
      warning="upozorenje, pažnja, srednji, srednja, упозорење",
      low="nizak, niska",
      routine="normalno",
      red="crvena, crveni, crveno, црвена", orange="narančasta, narandžasta", yellow="žuta, žuti, žuto, жута",
      green="zelena, zeleni, zeleno",
      neg="nije, nema, није, nikakav, nikakva, nikakvo, nikakve, nikakvih, ništa, никакав, никаква",
      fields="prioritet, nivo, razina, hitnost, uzbuna, rizik, opasnost, važnost, ozbiljnost, kritičnost, stepen,"
             " stupanj, upozorenje, хитност, узбуна")

_lang("sl",
      critical="kritično, kritičen, kritična",
      high="nujno, nujen, nujna, nevarnost, nevarno, napaka, okvara, pomembno",
      warning="opozorilo",
      low="nizek",
      red="rdeča, rdeč, rdeče", orange="oranžna", yellow="rumeno", green="zelen",
      neg="brez, noben, nobena, nobeno, nobene, nobenega",
      # ni, "is not", is Swahili "is" and pinyin "you": a negator only before these
      gated={"ni": "nujno, nujen, nujna, nevarno, pomembno, kritično, kritičen, bilo, zelo, tako, preveč"},
      fields="prioriteta, nujnost, stopnja, resnost, tveganje, nevarnost, opozorilo")

_lang("cs",
      critical="kritický, kritická, kritické, nouzový, nouzová, havárie, závažný, závažná, závažné",
      high="nebezpečí, nebezpečný, nebezpečná, poplach, selhání, porucha, naléhavý, naléhavá, urgentní, vysoký,"
           " vysoká, vysoké, důležitý, důležité",
      warning="varování, výstraha, pozor, střední",
      low="nízký, nízká",
      routine="normální, běžný, informace, nekritický",
      red="červený, červená, červené", orange="oranžový, oranžová, oranžové", yellow="žlutý, žlutá, žluté",
      green="zelený, zelená, zelené",
      neg="není, žádný, žádná, žádné",
      fields="priorita, závažnost, naléhavost, úroveň, stupeň, riziko, nebezpečí, poplach, kritičnost, důležitost,"
             " varování, výstraha")

_lang("sk",
      critical="núdzový, núdzová, havária",
      high="nebezpečenstvo, naliehavý, naliehavá, urgentný, dôležitý, dôležité",
      warning="varovanie, stredný, stredná",
      low="nízky",
      routine="normálny",
      yellow="žltý, žltá, žlté",
      neg="žiadny, žiadna, žiadne",
      fields="naliehavosť, dôležitosť, nebezpečenstvo, varovanie")

_lang("ro",
      critical="critic, critică, grav, gravă",
      high="urgent, urgență, pericol, periculos, alarmă, alertă, eroare, defecțiune, avarie, ridicat, ridicată",
      warning="avertizare, atenție, moderat",
      low="scăzut, scăzută",
      routine="informație",
      red="roșu, roșie", orange="portocaliu, portocalie", yellow="galben, galbenă", green="verde",
      neg="fără, niciun, nicio",
      # nu, "not", is Dutch and Scandinavian "now" (nu kritiek, nu akut): a negator only before a verb
      # or a Romanian word (never "urgent", Dutch and English too)
      gated={"nu": "este, e, a, era, sunt, există, foarte, prea, așa, critică, grav, periculos,"
                   " pericol, urgență, eroare, defecțiune, avarie, ridicat, ridicată"},
      fields="prioritate, gravitate, severitate, urgență, nivel, risc, pericol, alertă, alarmă, importanță,"
             " criticitate")

_lang("hu",
      critical="kritikus, vészhelyzet, súlyos",
      high="sürgős, veszély, veszélyes, riasztás, hiba, hibás, meghibásodás, magas, fontos",
      warning="figyelmeztetés, figyelem, közepes",
      low="alacsony",
      routine="normál, rendben, információ",
      red="piros, vörös, fekete", orange="narancs, narancssárga", yellow="sárga", green="zöld",
      neg="nem, nincs", post="nélkül",
      fields="prioritás, súlyosság, sürgősség, szint, riasztás, kockázat, veszély, fontosság, kritikusság,"
             " figyelmeztetés")

_lang("fi",
      critical="kriittinen, vakava, hätätila, hätätilanne",
      high="kiireellinen, vaara, vaarallinen, hälytys, virhe, vikatila, korkea, tärkeä",
      warning="varoitus, huomio, keskitaso",
      low="matala, alhainen",
      routine="normaali",
      red="punainen, musta", orange="oranssi", yellow="keltainen", green="vihreä",
      neg="ei",
      fields="prioriteetti, vakavuus, kiireellisyys, taso, hälytys, riski, vaara, tärkeys, kriittisyys, varoitus")

_lang("et",
      critical="kriitiline, hädaolukord, tõsine",
      high="kiireloomuline, oht, ohtlik, häire, viga, kõrge, oluline",
      warning="hoiatus, tähelepanu, keskmine",
      low="madal",
      routine="normaalne, tavaline",
      red="punane", orange="oranž", yellow="kollane", green="roheline",
      neg="mitte",
      fields="prioriteet, tõsidus, tase, häire, oht, olulisus, kiireloomulisus, hoiatus")

_lang("sv",
      critical="kritisk, akut, allvarlig, allvarligt, nödläge, livsfara",
      high="hög, höga, brådskande, fel, farlig, farligt, larm, viktig, viktigt",
      warning="medel, varning, måttlig",
      red="röd, rött, svart", orange="orange", yellow="gul", green="grön",
      neg="ej, inte, ingen, inget, ingenting",
      fields="allvarlighet, allvarlighetsgrad, prioritet, nivå, larm, fara, varning, risk")

_lang("da",
      critical="alvorlig, alvorligt, nødsituation",
      high="haster, fejl, høj, vigtig, vigtigt",
      # the negator follows the verb ("det haster ikke"); "haster" alone stays urgent
      routine="haster ikke, haster ikkje, haster ej",
      warning="advarsel",
      low="lav",
      red="rød, rødt", yellow="gul", green="grøn, grønt",
      neg="ikke, uden",
      fields="alvorlighed, alvorlighedsgrad, hastegrad, advarsel")

_lang("no",
      critical="akutt, nødsituasjon",
      high="feil",
      warning="middels",
      orange="oransje", green="grønn",
      neg="uten",
      fields="alvorlighetsgrad, viktighet, farevarsel")

_lang("is",
      critical="alvarlegt, alvarleg, neyð, neyðarástand",
      high="hætta, hættulegt, bilun, áríðandi, mikilvægt",
      warning="viðvörun, miðlungs",
      routine="eðlilegt",
      red="rauður, rautt", orange="appelsínugulur", yellow="gulur, gult", green="grænn, grænt",
      neg="ekki, engin, enginn, ekkert",
      fields="forgangur, forgangsröðun, alvarleiki, viðvörun, hætta, áhætta, stig")

_lang("ga",
      critical="éigeandáil, criticiúil",
      high="práinneach, contúirt, contúirteach, baol, bhaol, aláram, earráid, teip, tábhachtach",
      warning="rabhadh, meánach",
      low="íseal",
      routine="gnáth",
      red="dearg", orange="oráiste", green="uaine",
      neg="gan, níl",
      # níl and gan are in _REVIEW_DROPS as bare negators (English nil, pinyin gan): before these only
      gated={"níl": "aon, sé, sí, práinneach, contúirteach, tábhachtach, baol, contúirt",
             "gan": "aon, baol, bhaol, contúirt"},
      fields="tosaíocht, leibhéal, riosca, baol, rabhadh")

_lang("cy",
      critical="argyfwng, critigol, difrifol",
      high="brys, perygl, peryglus, larwm, gwall, methiant, uchel, pwysig",
      warning="rhybudd, canolig",
      low="isel",
      routine="arferol",
      red="coch", yellow="melyn", green="gwyrdd",
      neg="heb, nid, ddim",
      # dim, "no", is English "dim": only before a Welsh word
      gated={"dim": "perygl, brys, gwall, larwm, rhybudd, argyfwng"},
      fields="blaenoriaeth, difrifoldeb, lefel, risg, perygl, rhybudd, brys")

_lang("ca",
      critical="crític, crítica, greu, emergència",
      high="urgent, urgència, perill, perillós, alarma, alerta, error, errada, avaria, important",
      warning="advertència, atenció, mitjà, mitjana, moderat",
      low="baix, baixa",
      red="vermell, vermella", orange="taronja", yellow="groc, groga", green="verd, verda",
      # sense, "without", is English "sense" (I sense danger): only before a Catalan word
      gated={"sense": "perill, perills, errada, errades, avaria, avaries, urgència, alarma"},
      fields="prioritat, gravetat, urgència, nivell, risc, perill, criticitat, importància")

_lang("eu",
      critical="kritikoa, larrialdia, larria",
      high="premiazkoa, arriskua, arriskutsua, errorea, akatsa, matxura, altua, garrantzitsua",
      warning="abisua, ertaina",
      low="baxua",
      routine="arrunta",
      red="gorria", orange="laranja", green="berdea",
      post="gabe",
      fields="lehentasuna, larritasuna, maila, arriskua, premia, garrantzia")

_lang("lt",
      critical="kritinis, kritinė, avarija",
      high="pavojus, pavojingas, pavojinga, skubus, skubu, skubi, aliarmas, klaida, gedimas, aukštas, aukšta, svarbus,"
           " svarbu",
      warning="įspėjimas, dėmesio, vidutinis, vidutinė",
      low="žemas, žema",
      routine="normalus",
      red="raudonas, raudona", orange="oranžinis, oranžinė", yellow="geltonas, geltona", green="žalias, žalia",
      neg="jokio, jokios, jokių, jokia, jokie",
      # nėra, "there is not", is Italian nera "black": only before a Lithuanian word
      gated={"nėra": "skubu, svarbu, pavojaus, pavojinga, pavojingas, klaidų, gedimų, labai",
             # joks ("no") is Latvian "joke": only before a Lithuanian word
             "joks": "pavojus, pavojingas, skubus, gedimas, aliarmas, klaida, svarbus"},
      fields="prioritetas, svarba, lygis, rizika, pavojus, skubumas, sunkumas, kritiškumas, aliarmas, įspėjimas")

_lang("lv",
      critical="kritisks, kritiska, ārkārtas",
      high="bīstams, bīstami, briesmas, steidzams, steidzami, trauksme, kļūda, bojājums, augsts, augsta, svarīgs",
      warning="brīdinājums, uzmanību, vidējs, vidēja",
      low="zems",
      routine="normāls",
      red="sarkans, sarkana", orange="oranžs, oranža", yellow="dzeltens, dzeltena", green="zaļš, zaļa",
      neg="nekāds, nekādas, nekādu, nekādi, nekas",  # not nekāda: folded it is Serbo-Croatian "formerly"
      # nav, "is not", is English nav (nav warning): only before a Latvian word
      gated={"nav": "steidzami, steidzams, bīstams, bīstami, bīstama, svarīgs, svarīgi, kritisks, kritiska,"
                    " briesmu, kļūdu, kļūdas, bojājumu, tik, pārāk"},
      fields="prioritāte, nopietnība, līmenis, risks, trauksme, bīstamība, steidzamība, svarīgums, brīdinājums")

# What romanized Greek "ochi"/"oxi" ("not") negate: the romanized priority words, and "so", "very".
_GREEK_FOLLOWERS = ("epeigon, epeigousa, kindynos, kindyno, kindinos, epikindyno, epikindino, krisimo, krisimos,"
                    " krisimi, sovaro, sovari, simantiko, synagermos, sinagermos, sfalma, vlavi, ypsili, ipsili,"
                    " toso, poly, einai, ine")

_lang("el",
      critical="κρίσιμο, κρίσιμος, κρίσιμη, σοβαρό, σοβαρή, έκτακτη ανάγκη, krisimo, krisimos, krisimi, sovaro, sovari,"
               " ektakti anagki",
      high="επείγον, επείγουσα, κίνδυνος, κίνδυνο, επικίνδυνο, συναγερμός, σφάλμα, βλάβη, αποτυχία, υψηλή, υψηλό, σημαντικό,"
           " epeigon, kindynos, kindyno, kindinos, epikindyno, epikindino, synagermos, sinagermos, sfalma, vlavi, ypsili,"
           " ipsili, simantiko",
      warning="προειδοποίηση, προσοχή, μέτρια, μέτριο, μεσαία, proeidopoiisi, prosochi, prosoxi, metria, metrio",
      low="χαμηλή, χαμηλό, chamili, xamili",
      routine="κανονικό, kanoniko",
      red="κόκκινο, κόκκινος, κόκκινη, kokkino", orange="πορτοκαλί, portokali", yellow="κίτρινο, κίτρινη, kitrino",
      green="πράσινο, πράσινη, prasino",
      neg="δεν, μη, μην, χωρίς, όχι, choris, xoris, kanenas, kanena, kamia",
      # den is a German and Scandinavian article; ochi and oxi ("no") are Romanian "eyes" (arsuri la
      # ochi grave) and Vietnamese "oxygen" (thiếu oxi nghiêm trọng): each negates only before these
      gated={"den": "einai, ine, yparchei, iparxei, iparchei, yparxei, echei, exei, ehei, chreiazetai, xreiazetai,"
                    " hriazetai, apaiteitai, ginetai, kanei",
             "ochi": _GREEK_FOLLOWERS, "oxi": _GREEK_FOLLOWERS},
      fields="προτεραιότητα, σοβαρότητα, επίπεδο, κίνδυνος, συναγερμός, κρισιμότητα, proteraiotita, protereotita,"
             " sovarotita, epipedo, kindynos, synagermos, krisimotita")

_lang("id",  # Indonesian and Malay; Indonesia's volcano levels: normal, waspada, siaga, awas
      critical="kritis, kritikal, darurat, kecemasan, gawat, awas, bencana",
      high="mendesak, siaga, bahaya, berbahaya, galat, kesalahan, ralat, gagal, kegagalan, gangguan, tinggi, penting",
      warning="waspada, peringatan, amaran, menengah",
      low="rendah",
      routine="biasa, informasi, maklumat, unit gawat darurat, instalasi gawat darurat",  # the ER
      red="merah", orange="oranye, jingga", yellow="kuning", green="hijau",
      # gak, colloquial "not" (gak penting), is no word of the other languages here (Korean gak "each"
      # is never romanized before a priority word)
      neg="tidak, tanpa, bukan, tiada, belum, nggak, enggak, ngga, gak, takde",
      # tak, "not", is Polish "yes" and "so" (tak ważne): only before a Malay word. Javanese ora (in
      # _REVIEW_DROPS as a bare negator: Italian "now") likewise
      gated={"tak": "ada, begitu, terlalu, sangat, penting, bahaya, berbahaya, darurat, kritikal, kritis, mendesak,"
                    " gawat, gagal",
             "ora": "penting, bahaya, berbahaya, mbebayani, bebaya, darurat, gawat, wigati, kritis, mendesak"},
      fields="prioritas, keutamaan, keparahan, tingkat, tingkatan, tahap, peringatan, amaran, bahaya, urgensi,"
             " kritikalitas, kepentingan, kegawatan")

_lang("vi",
      critical="nghiêm trọng, khẩn cấp, nghiemtrong, khancap",
      high="nguy hiểm, báo động, sự cố, quan trọng, thất bại, nguyhiem, baodong, quantrong",
      warning="cảnh báo, chú ý, trung bình, canhbao",
      routine="bình thường, thông tin, binhthuong",
      red="màu đỏ", orange="màu cam", yellow="màu vàng", green="màu xanh",
      neg="không, chưa",
      fields="ưu tiên, mức độ, cấp độ, cảnh báo, rủi ro, nguy hiểm, khẩn cấp, báo động, uutien, mucdo, capdo,"
             " canhbao, ruiro, baodong")

_lang("tl",
      critical="kritikal, emerhensiya, sakuna",
      high="apurahan, agaran, panganib, mapanganib, delikado, pagkakamali, pagkabigo, mataas, mahalaga",
      warning="babala, katamtaman",
      low="mababa",
      routine="karaniwan",
      orange="kahel", yellow="dilaw", green="berde",
      neg="hindi, walang, wala",
      fields="priyoridad, antas, panganib, babala, kalubhaan, kahalagahan")

_lang("sw",
      critical="dharura, janga, maafa",
      high="hatari, haraka, hitilafu, muhimu",
      warning="tahadhari, onyo, wastani",
      low="chini",
      routine="kawaida, taarifa",
      red="nyekundu", yellow="njano", green="kijani",
      neg="hakuna, sio, siyo",
      # bila, "without", is Malay "when": only before a Swahili (or Arabic chat) word
      gated={"bila": "hatari, dharura, haraka, hitilafu, khatar"},
      fields="kipaumbele, kiwango, hatari, tahadhari, ukali, onyo, dharura")

_lang("zu",  # Zulu and Xhosa
      critical="ebucayi, okubucayi, inhlekelele, intlekele",
      high="okuphuthumayo, ngokuphuthumayo, ingozi, ngozi, kuyingozi, iyingozi, iphutha, impazamo, phezulu, ephezulu,"
           " okubalulekile, kubalulekile",
      warning="isexwayiso, isilumkiso, phakathi",
      low="phansi, ezantsi",
      routine="okujwayelekile, okuqhelekileyo",
      red="bomvu, obomvu, ebomvu", orange="orenji", yellow="phuzi, ophuzi, tyheli", green="luhlaza, oluhlaza",
      neg="akukho, ayikho, ngaphandle",
      fields="izinga, umngcipheko, ingozi, isexwayiso, isilumkiso, ukubaluleka, ukuphuthuma")

_lang("hi",  # Hindi and Urdu, romanized; Devanagari entries are fragment sequences (see the docstring)
      critical="gambhir, gambheer, aapatkal, apatkal, aapatkalin, aapda, apda, sangeen, sangin, hangami, गंभीर, आपदा",
      high="atyavashyak, zaroori, zaruri, jaruri, jaroori, turant, khatra, khatara, khatre, khatarnak, khatarnaak,"
           " galti, ghalti, truti, vifal, asafal, uchch, mahatvapurn, mahatvapoorna, fori, fauri, kharabi,"
           " खतरा, खतरनाक, अत्यावश्यक, तत्काल, उच्च, महत्वपूर्ण",
      warning="chetavani, chetawani, saavdhan, savdhan, sawdhan, satark, madhyam, intibah, darmiyana,"
              " चेतावनी, सतर्क, मध्यम",
      low="nimn",
      routine="samanya, saamanya, suchna, mamuli, maamuli",
      red="laal", orange="narangi", yellow="peela",
      neg="bina, baghair, bagair", post="nahin, nahi, nahee, naahi",
      fields="prathamikta, praathmikta, gambhirta, khatra, chetavani, jokhim, tarjeeh, tarjih, प्राथमिकता, गंभीरता,"
             " स्तर, खतरा, चेतावनी")

_lang("ur",  # Urdu in its script
      critical="ہنگامی, سنگین",
      high="خطرہ, خطرناک, فوری, اہم, غلطی, خرابی, ضروری",
      warning="انتباہ, احتیاط, درمیانہ",
      red="سرخ, لال", yellow="پیلا",
      neg="بغیر", post="نہیں",
      fields="ترجیح, سطح, خطرہ, انتباہ")

_lang("bn",  # Bengali, romanized
      critical="gurutor, guruttor, durjog",
      high="joruri, jorouri, bipod, bipad, bipojjonok, bipajjanak, bhul, uchcho, gurutvopurno, gurutwapurna",
      warning="sotorkota, satarkata, sotorko, moddhom, moddhyom",
      low="nimno",
      routine="sadharon, sadharan, swabhabik",
      yellow="holud", green="sobuj",
      # noy, "is not" (joruri noy), is no word of the other languages here (a Hebrew given name)
      post="noy, chhara",
      fields="ogradhikar, agradhikar, bipod, sotorkota, jhuki")

_lang("ar",
      critical="حرج, حرجة, طوارئ, طارئ, خطير, كارثة, harij, tawari, tawaree, khatir",
      high="خطر, عاجل, إنذار, خطأ, خلل, عطل, فشل, عالي, عالية, مرتفع, مرتفعة, مهم, هام, khatar, ajil, aajil, indhar,"
           " inthar, khalal, fashal, muhim",
      warning="تحذير, تنبيه, متوسط, متوسطة, tahdhir, tahzir, tanbih, mutawassit",
      low="منخفض, منخفضة, munkhafid",
      routine="عادي, طبيعي, معلومات, tabii",
      red="أحمر, ahmar", orange="برتقالي, burtuqali", yellow="أصفر, asfar", green="أخضر, akhdar",
      neg="لا, غير, بدون, ليس, بلا, ghayr, ghair, bidun, bidoon, bedun, laysa, bedoon, bdoon, mish, mosh,"
          " mafish, mafeesh, mafee",
      # la and ma are French, Spanish and Italian words: "la yujad", "ma fi" (there is no) only
      gated={"la": "yujad, yoojad, yujed", "ma": "fi, fee, fih"},
      fields="أولوية, الأولوية, مستوى, المستوى, خطورة, الخطورة, إنذار, الإنذار, تنبيه, التنبيه, خطر, الخطر, أهمية,"
             " الأهمية, تحذير, التحذير, awlawiya, awlawiyya, aulawiya, mustawa, khutura, indhar, tanbih")

_lang("fa",
      critical="بحرانی, اضطراری, جدی, bohrani, ezterari, jeddi",
      high="خطرناک, mohem, khatarnak, khatar",
      warning="هشدار, اخطار, توجه, hoshdar, hooshdar, ekhtar, motevaset, tavajoh",
      low="پایین, payin",
      routine="عادی",
      red="قرمز, ghermez, qermez", orange="نارنجی, narenji", yellow="زرد, zard", green="سبز, sabz",
      neg="hich, هیچ", post="نیست, nist, ندارد, nadarad, nadareh",
      fields="اولویت, سطح, شدت, هشدار, ریسک, اهمیت, olaviyat, owlaviyat, shedat, hoshdar")

_lang("he",
      critical="קריטי, חירום, חמור, אסון, kriti, chirum, hirum, chamur, hamur",
      high="דחוף, סכנה, מסוכן, אזעקה, התראה, שגיאה, תקלה, כשל, גבוה, גבוהה, חשוב, dachuf, dahuf, mesukan, takala,"
           " chashuv, hashuv",
      warning="אזהרה, זהירות, בינוני, azhara, zehirut, beinoni, benoni",
      low="נמוך, נמוכה, namuch",
      routine="רגיל, תקין, מידע, ragil, takin",
      red="אדום, adom", orange="כתום, katom", yellow="צהוב, tsahov", green="ירוק, yarok",
      neg="לא, ללא, אין, בלי, lelo",
      # lo, "not", is Spanish and Italian "it", "the": only before a Hebrew word
      gated={"lo": "dachuf, dahuf, mesukan, chashuv, hashuv, chamur"},
      fields="עדיפות, חומרה, רמה, דחיפות, סיכון, התראה, אזעקה, סכנה, adifut, chumra, humra, dchifut, sikun")

_lang("ko",
      critical="긴급, 위급, 심각, 치명적, 비상, 재난, gingeup, wigeup, simgak, chimyeongjeok, bisang, jaenan",
      high="위험, 경보, 오류, 에러, 장애, 고장, 실패, 높음, 중요, wiheom, gyeongbo, oryu, jangae, gojang, nopeum, jungyo",
      warning="경고, 주의, 보통, 중간, gyeonggo, juui, botong, junggan",
      low="낮음, najeum",
      routine="정상, 정보, jeongsang, jeongbo",
      red="빨강, 빨간색, 적색, ppalgang, jeoksaek", orange="주황, 주황색, juhwang", yellow="노랑, 노란색, 황색, norang, hwangsaek",
      green="초록, 초록색, 녹색, chorok, noksaek",
      post="아님, 없음, 없이, anim, eopseum, eobseum, eopsi, eopsum, eopda, eobda, eopseumnida, eobseumnida, anida,"
           " animnida, anieyo, aniyo",
      fields="우선순위, 심각도, 등급, 수준, 레벨, 경보, 위험, 긴급도, 중요도, 위험도, useonsunwi, simgakdo, deunggeup,"
             " sujun, gyeongbo, wiheom, wiheomdo, gingeupdo, jungyodo")

_lang("ja",
      critical="kinkyu, kinkyuu, juudai, judai, shinkoku, hijou, tokubetsu keihou, 緊急, 重大, 致命, 深刻, 非常, 特別警報",
      high="ijou, kiken, keihou, keikai, shougai, shogai, koshou, takai, juuyou, 異常, 危険, 警報, 警戒, 障害, 故障, 重要,"
           " 失敗, エラー, アラート, アラーム",
      warning="keikoku, chuui, chuuihou, 警告, 注意, 注意報",
      low="hikui",
      routine="futsuu, tsuujou, seijou, 正常, 情報",
      red="akairo, 赤, 赤色, 黒", orange="orenji, オレンジ", yellow="kiiro, 黄, 黄色", green="midori, 緑, 白",
      post="nai, janai, nashi, なし, 無し, ない, jyanai, dewanai, arimasen, nakatta",
      fields="juuyoudo, yuusendo, kiken, keihou, shinkokudo, kinkyuudo, kinkyudo, juudaido, 重要度, 優先度, 危険, 警報,"
             " 深刻度, 緊急度, 重大度, レベル")

_lang("zh",
      critical="yanzhong, yan zhong, jinji, jin ji, zhiming, weiji, 严重, 嚴重, 紧急, 致命, 危急, 特别重大",
      high="weixian, wei xian, gaojing, gao jing, cuowu, cuo wu, guzhang, gu zhang, shibai, baojing, bao jing, jingbao,"
           " yichang, zhongyao, 错误, 錯誤, 告警, 高, 危险, 危險, 故障, 警报, 报警, 重要, 失败, 异常",
      warning="jinggao, 警告, 中, 较大, 预警, 警示",
      low="yiban, 低, 一般",
      routine="zhengchang, tishi, 信息, 提示",
      red="hongse, 红, 红色, 紅色, 红色预警, 黑", orange="chengse, 橙, 橙色, 橙色预警", yellow="huangse, 黄色, 黃色, 黄色预警",
      green="lüse, 绿, 绿色, 綠色, 蓝",
      neg="meiyou, 不, 没有, 沒有, 无, 無, 非",
      # bu (不) is Turkish "this" (bu kritik), mei a name: only before a pinyin word (shi, tai, hen:
      # "is", "too", "very"; you: mei you "have not")
      gated={"bu": "shi, tai, hen, yanzhong, weixian, zhongyao, weiji",  # not suan: Turkish "bu şuan acil"
             "mei": "you, weixian, cuowu, guzhang, yichang"},
      fields="fengxian, jingbao, youxianji, jibie, dengji, 风险, 風險, 警报, 优先级, 優先級, 级别, 等级, 等級, 严重程度,"
             " 严重性, 紧急程度, 重要性, 告警级别, 预警级别")

_lang("th",  # Thai, romanized; script entries are fragment sequences (see the docstring)
      critical="wikrit, wigrit, chukchoen, chukchern, วิกฤต, ฉุกเฉิน",
      high="antarai, antaray, samkhan, อันตราย, ด่วน, ผิดพลาด, สำคัญ",
      warning="คำเตือน",
      routine="ปกติ",
      neg="ไม่",
      # mai (ไม่) is Romanian "more" and Italian "never" (mai urgent): only before a Thai word (mi,
      # chai, pen: "have", "be so", "be")
      gated={"mai": "mi, chai, pen, khoi, wikrit, wigrit, antarai, antaray, samkhan, chukchoen, chukchern"},
      fields="radap, radab, ระดับ")

# -- version 4: 34 more languages ------------------------------------------------------------------

_lang("sq",  # Albanian
      critical="emergjencë, emergjente, emergjent, katastrofë, fatkeqësi, gjendje e jashtëzakonshme",
      high="urgjent, urgjente, urgjencë, rrezik, rreziku, rrezikshëm, rrezikshme, gabim, gabimi, dështim, dështimi,"
           " dështoi, defekt, defekti, lartë, rëndësishëm, rëndësishme",
      warning="paralajmërim, paralajmërimi, kujdes, vëmendje, mesatar, mesatare",
      routine="rutinë, rregullt",
      red="kuqe, i kuq", orange="portokalli", yellow="verdhë", green="jeshile, gjelbër",
      neg="nuk",
      # pa, "without", is Serbo-Croatian "so": only before an Albanian (or Haitian) word
      gated={"pa": "rrezik, gabim, dështim",  # not defekt: Scandinavian "på defekt"
             # jo, "not" ("jo urgjent"), is Hungarian jó "good": only before an Albanian word
             "jo": "urgjent, urgjente, urgjencë, emergjent, emergjente, emergjencë, rrezik, rrezikshëm, rrezikshme,"
                   " kritik, kritike, rëndësishëm, rëndësishme, shumë, aq, kaq, edhe"},
      fields="prioriteti, përparësia, përparësi, niveli, rreziku, urgjenca, alarmi, paralajmërimi, rëndësia,"
             " ashpërsia")

_lang("az",  # Azerbaijani (ə is folded to e: "təcili" and "tecili" are one entry)
      critical="fövqəladə, fövqəladə hal, fəlakət",
      high="təcili, təhlükə, təhlükəli, həyəcan siqnalı, qəza, xəta, səhv, nasazlıq, yüksək, vacib, mühüm",
      warning="xəbərdarlıq, diqqət",
      routine="məlumat",
      red="qırmızı, qara", orange="narıncı", green="yaşıl",
      post="deyil, yoxdur, yox, olmayan",
      fields="səviyyə, səviyyəsi, təhlükə, xəbərdarlıq, prioritet")

_lang("yo",  # Yoruba
      critical="pajawiri",
      high="léwu, ninu ewu, kíákíá, àṣìṣe",
      warning="ìkìlọ̀",
      yellow="ofeefee",
      neg="láìsí",
      fields="ìpele")

_lang("ha",  # Hausa (ɗ, ɓ, ƙ are folded to d, b, k)
      high="haɗari, gaggawa, kuskure, muhimmi, muhimmanci",
      warning="gargaɗi, faɗakarwa",
      yellow="rawaya",
      # babu ("there is no") is Serbo-Croatian "grandma" (vodite babu hitno), a Hindi and Bengali
      # honorific and Swahili "grandfather": only before a Hausa word
      gated={"babu": "haɗari, gaggawa, kuskure, muhimmi, muhimmanci, matsala, wata, wani"})

_lang("ig",  # Igbo
      critical="mberede, ọdachi",
      high="ngwa ngwa, ihe egwu, njehie, dị mkpa",
      warning="ịdọ aka na ntị",
      routine="nkịtị",
      red="uhie, ojii", green="akwụkwọ ndụ",
      neg="enweghị, adịghị, bụghị")

_lang("am",  # Amharic
      critical="ድንገተኛ አደጋ, አስቸኳይ ጊዜ",
      high="አስቸኳይ, አደጋ, አደገኛ, ስህተት, ከፍተኛ, አስፈላጊ",
      warning="ማስጠንቀቂያ, ጥንቃቄ, መካከለኛ",
      low="ዝቅተኛ",
      routine="መደበኛ",
      orange="ብርቱካናማ", green="አረንጓዴ",
      post="አይደለም, የለም",
      fields="ቅድሚያ")

_lang("so",  # Somali
      critical="musiibo",
      high="degdeg, cilad, khalad, muhiim",
      warning="digniin, taxaddar, dhexdhexaad",
      routine="caadi",
      red="casaan, madow", green="cagaar",
      neg="bilaa", post="ahayn, majiro",
      # aan, "not", is Dutch "on", "to" (aan gevaar blootgesteld): only before a Somali word
      gated={"aan": "degdeg, muhiim, khatar, cilad, khalad"},
      fields="mudnaan, mudnaanta, heerka, khatarta")

_lang("jv",  # Javanese (the rest is shared with Indonesian)
      high="bebaya, mbebayani, dhuwur, wigati",
      low="endhek",
      red="ireng",
      neg="mboten, sanes, durung")

_lang("kk",  # Kazakh, Cyrillic and Latin
      critical="төтенше, төтенше жағдай, апат, критикалық, tótenshe",
      high="шұғыл, қауіп, қауіпті, дабыл, қате, ақау, жоғары, маңызды, shuǵyl, shugyl, qauip, qauipti, qaýip,"
           " qaýipti, dabyl, joǵary, jogary, mańyzdy, manyzdy",
      warning="ескерту, орташа, eskertu, eskertý, ortasha",
      low="төмен",
      routine="қалыпты, ақпарат, qalypty, aqparat",
      red="қызыл, қара, qyzyl", orange="қызғылт сары", yellow="сары", green="жасыл, jasyl",
      post="емес, жоқ, zhoq",
      fields="басымдық, деңгей, қауіп, маңыздылық, дабыл, basymdyq")

_lang("uz",  # Uzbek, Latin (with the modifier letter ʻ) and Cyrillic
      critical="favqulodda, favqulodda vaziyat, jiddiy, halokat, фавқулодда, ҳалокат",
      high="shoshilinch, xavf, xavfli, xatolik, nosozlik, yuqori, muhim, шошилинч, хавф, хавфли, хатолик, муҳим,"
           " юқори",
      warning="ogohlantirish, diqqat, oʻrtacha, огоҳлантириш",
      routine="oddiy, оддий",
      red="qizil, қизил", orange="toʻq sariq", yellow="sariq, сариқ", green="yashil, яшил",
      neg="hech", post="emas, эмас, yoʻq",
      fields="ustuvorlik, darajasi, xavf, устуворлик")

_lang("ky",  # Kyrgyz
      critical="өзгөчө кырдаал, критикалык",
      high="шашылыш, коркунуч, коркунучтуу, бузулуу, маанилүү, кырсык",
      warning="эскертүү, орточо",
      low="төмөн",
      routine="кадимки, маалымат",
      green="жашыл",
      post="эмес, жок",
      fields="деңгээл, коркунуч, маанилүүлүк")

_lang("tk",  # Turkmen
      critical="adatdan daşary",
      high="gyssagly, howp, howply, ýalňyşlyk, näsazlyk, möhüm, ýokary",
      warning="duýduryş",
      routine="adaty, maglumat",
      red="gyzyl", green="ýaşyl",
      post="däldir",
      fields="howp")

_lang("tg",  # Tajik
      critical="фавқулодда, ҳолати фавқулодда, фалокат",
      high="таъҷилӣ, хатар, хатарнок, хато, хатогӣ, муҳим, баланд",
      warning="огоҳӣ, огоҳинома, диққат, миёна",
      routine="муқаррарӣ, маълумот",
      red="сурх, сиёҳ", orange="норанҷӣ", yellow="зард", green="сабз",
      post="нест",
      fields="афзалият, сатҳ, хатар")

_lang("ka",  # Georgian, and its common romanization
      critical="კრიტიკული, საგანგებო, კატასტროფა, სერიოზული, kritikuli, sagangebo",
      high="სასწრაფო, საფრთხე, საშიში, განგაში, შეცდომა, მარცხი, მაღალი, მნიშვნელოვანი, ავარია, sashishi, gangashi,"
           " shetsdoma, shecdoma, maghali, mnishvnelovani",
      warning="გაფრთხილება, ყურადღება, საშუალო, gaprtkhileba, sashualo",
      low="დაბალი, dabali",
      routine="ნორმალური, ჩვეულებრივი, ინფორმაცია, normaluri",
      red="წითელი, შავი, tsiteli", orange="ნარინჯისფერი, narinjisferi", yellow="ყვითელი, kviteli",
      green="მწვანე, mtsvane",
      neg="არ, არა, არანაირი, aranairi", post="არაა, araa, გარეშე, gareshe",
      # ar, "not", is Swedish är and Irish and Welsh "on": only before a Georgian word
      gated={"ar": "aris, aqvs, akvs, sashishi, kritikuli, sagangebo, mnishvnelovani, maghali"},
      fields="პრიორიტეტი, დონე, სიმძიმე, საფრთხე, განგაში, რისკი, prioriteti")

_lang("hy",  # Armenian, and its common romanization
      critical="կրիտիկական, արտակարգ, աղետ, լուրջ, kritikakan, artakarg",
      high="շտապ, վտանգ, վտանգավոր, տագնապ, սխալ, խափանում, բարձր, կարևոր, shtap, vtang, vtangavor, tagnap, skhal,"
           " sxal, bardzr, karevor",
      warning="զգուշացում, ուշադրություն, միջին, zgushatsum, zgushacum, ushadrutyun, mijin",
      low="ցածր, tsatsr",
      routine="նորմալ, տեղեկություն",
      red="կարմիր, karmir", orange="նարնջագույն, narnjaguyn", yellow="դեղին, deghin", green="կանաչ, kanach",
      neg="ոչ, առանց, voch, arants, aranc", post="չկա, չէ, chka",
      fields="առաջնահերթություն, մակարդակ, վտանգ, կարևորություն, ռիսկ, arajnahertutyun, makardak")

# Tamil, Telugu, Marathi, Nepali, Sinhala, Khmer and Burmese: script entries are fragment sequences
# (see the module docstring), kept only where the sequence is long or distinctive.
_lang("ta",  # Tamil
      critical="அவசரநிலை, தீவிரமான, நெருக்கடி, பேரழிவு",
      high="அவசரம், ஆபத்து, அபாயம், அபாயகரமான, முக்கியமான, உயர், aabathu, abaayam, apaayam, mukkiyamaana",
      warning="எச்சரிக்கை, கவனம், echarikkai, eccharikkai",
      routine="சாதாரண, தகவல்",
      red="சிவப்பு", orange="ஆரஞ்சு", yellow="மஞ்சள்",
      post="இல்லை, illai, illaamal, illamal",
      fields="முன்னுரிமை, தீவிரம்")

_lang("te",  # Telugu
      critical="అత్యవసర, atyavasara, atyavasaram",
      high="ప్రమాదకరం, ప్రమాదకరమైన, ముఖ్యమైన, pramadakaram, mukhyamaina",
      warning="హెచ్చరిక, hechcharika, heccharika",
      green="ఆకుపచ్చ",
      post="kaadu, ledhu, lekunda",
      fields="ప్రాధాన్యత, pradhanyata")

_lang("mr",  # Marathi
      critical="anibani",
      high="धोकादायक, महत्त्वाचे, महत्त्वाची, महत्त्वाचा, dhokadayak, mahatvache, mahatvachi",
      warning="सावधान",
      post="naahi, nahiye",
      fields="प्राधान्य, तीव्रता")

_lang("ne",  # Nepali
      critical="आपत्कालीन, गम्भीर",
      high="महत्त्वपूर्ण, mahatwapurna, mahattvapurna",
      warning="सावधानी",
      post="chhaina, hoina, chaina",
      fields="गम्भीरता")

_lang("si",  # Sinhala
      critical="හදිසි අවස්ථාව, බරපතල, ව්‍යසනය, barapathala",
      high="අනතුර, අනතුරු, දෝෂය, වැදගත්, anathuru, wadagath, vadagath",
      warning="අනතුරු ඇඟවීම, අවධානය, awadhanaya",
      post="nathi, newei, nathuwa",
      fields="ප්‍රමුඛතාව, මට්ටම, අවදානම")

_lang("km",  # Khmer
      critical="អាសន្ន, គ្រោះមហន្តរាយ, ធ្ងន់ធ្ងរ",
      high="បន្ទាន់, គ្រោះថ្នាក់, ខ្ពស់",
      warning="ការព្រមាន, មធ្យម",
      routine="ធម្មតា",
      red="ក្រហម",
      fields="អាទិភាព, កម្រិត")

_lang("my",  # Burmese
      high="အန္တရာယ်")

_lang("mn",  # Mongolian, Cyrillic and romanized
      critical="онцгой байдал, ноцтой, гамшиг",
      high="яаралтай, аюул, аюултай, алдаа, эвдрэл, өндөр, чухал, yaraltai, ayuul, aiuul, ayuultai, chukhal",
      warning="анхааруулга, сэрэмжлүүлэг, анхаар, дунд зэрэг",
      routine="хэвийн, мэдээлэл",
      red="улаан, ulaan", orange="улбар шар", green="ногоон, nogoon",
      post="биш, үгүй, байхгүй, baikhgui, baihgui, ugui",
      fields="түвшин, зэрэглэл, аюул, ач холбогдол")

_lang("mk",  # Macedonian (the rest is shared with Bulgarian and Serbian)
      critical="вонредна, вонреден, катастрофа",
      high="итно, итен, итна, опасен, опасна, неуспех, грешки, itno",
      warning="предупредување, predupreduvanje",
      low="низок, низка",
      routine="информација",
      red="црвена, црвено, црвен, црна", orange="портокалова", yellow="жолта, жолто, жолт", green="зелено",
      fields="итност, сериозност, ризик")

_lang("hr",  # Croatian and Bosnian words the Serbian entry lacks
      critical="ozbiljan, ozbiljna",
      high="pogreška, pogreške, žurno, opasan, važna",
      warning="oprez",
      red="crna")

_lang("be",  # Belarusian
      critical="крытычны, крытычная, надзвычайны, надзвычайная, аварыя",
      high="тэрмінова, тэрміновы, небяспека, небяспечна, трывога, памылка, высокі, высокая, важна, важны",
      warning="папярэджанне, сярэдні",
      low="нізкі, нізкая",
      routine="нармальна, інфармацыя",
      red="чырвоны, чырвоная, чорны", orange="аранжавы, аранжавая", yellow="жоўты, жоўтая", green="зялёны, зялёная",
      fields="прыярытэт, узровень, небяспека, трывога, рызыка, важнасць, тэрміновасць, крытычнасць")

_lang("mt",  # Maltese (ħ is folded to h)
      high="urġenti, periklu, perikoluż, perikoluża, allarm, żball, għoli, importanti",
      warning="twissija, attenzjoni",
      low="baxx, baxxa",
      routine="normali, informazzjoni",
      red="aħmar, iswed", orange="oranġjo", yellow="isfar", green="aħdar",
      neg="mhux, mhix, ebda",
      fields="prijorità, livell, riskju, periklu, urġenza")

_lang("lb",  # Luxembourgish
      critical="kritesch, noutfall",
      high="dréngend, gefor, geféierlech, héich, wichteg",
      warning="opgepasst",
      low="niddreg",
      red="schwaarz", green="gréng",
      neg="ouni",
      # net, "not", is English net; keen and keng, "no", are English keen and pinyin keng (both in
      # _REVIEW_DROPS as bare negators): only before a Luxembourgish word
      gated={"net": "dréngend, geféierlech, wichteg, kritesch, héich, esou, ganz",
             "keen": "noutfall", "keng": "gefor"},
      fields="prioritéit, warnstuf, geforestuf")

_lang("af",  # Afrikaans (the rest is shared with Dutch)
      critical="noodtoestand",
      high="gevaarlik, mislukking, belangrik",
      warning="versigtig",
      routine="inligting",
      red="rooi",
      neg="nooit, geensins",
      # sonder, "without", is in _REVIEW_DROPS as a bare negator (Swedish sönder): before these only
      gated={"sonder": "gevaar, enige, fout, foute"},
      fields="dringendheid, belangrikheid, erns")

_lang("mg",  # Malagasy
      critical="vonjy taitra",
      high="atahorana, mampidi doza, hadisoana, zava dehibe",
      warning="fampitandremana, fitandremana, antonony",
      orange="volomboasary", green="maitso",
      neg="tsy, tsisy",
      fields="ambaratonga, laharam pahamehana")

_lang("rw",  # Kinyarwanda
      high="byihutirwa, ihutirwa, akaga, impanuka, ikosa, ingenzi",
      warning="umuburo",
      routine="bisanzwe",
      red="umutuku, umukara", yellow="umuhondo", green="icyatsi kibisi",
      neg="ntabwo")

_lang("ps",  # Pashto
      critical="بیړني",
      high="خطرناک, تېروتنه, مهم",
      warning="خبرتیا, احتیاط, منځنی",
      routine="عادي",
      orange="نارنجي",
      post="نشته",
      fields="لومړیتوب")

_lang("ku",  # Kurdish (Kurmanji, Latin script)
      critical="awarte, rewşa awarte",
      high="xeter, xeternak, metirsî, metirsîdar, çewtî, bilind",
      warning="hişyarî",
      low="nizm",
      routine="asayî, agahî",
      orange="porteqalî",
      fields="metirsî")

_lang("ht",  # Haitian Creole
      critical="ijans",
      high="danje, danjere, echèk, enpòtan",
      warning="avètisman, atansyon",
      routine="nòmal, enfòmasyon",
      red="wouj", orange="zoranj",
      neg="okenn",  # not okèn: folded it is Czech and Slovene oken "of windows"
      # pa, "not", and san, "without", are Serbo-Croatian "so" and Spanish and Japanese san: only
      # before a Haitian word
      gated={"pa": "gen, danje, danjere, ijans, enpòtan, echèk", "san": "danje, danjere, ijans, echèk"},
      fields="priyorite")

# -- version 6: 51 more languages ------------------------------------------------------------------

# Polynesian and Philippine spellings: the glottal stop is written with the ʻokina (a letter: the
# word stays one), with an apostrophe (which splits the word in two) or not at all. Each entry of
# the priority words, colours and fields given to _glottal is registered in the three spellings.


def _glottal(s: str, *, split: bool = True) -> str:
    """Each comma-separated item with an ʻokina also without it and, where ``split``, as the words an
    apostrophe leaves ("faʻanatinati": "faanatinati", "fa anatinati")."""
    out = []
    for x in _items(s):
        out.append(x)
        if "ʻ" in x:
            out.append(x.replace("ʻ", ""))
            if split:
                out.append(x.replace("ʻ", " "))
    return ", ".join(out)


_lang("mi",  # Maori (macrons are stripped: "mōrearea" is "morearea")
      critical="ohotata, whawhati tata",
      high="mōrearea, aituā, pūoho, whakaoho, hohoro",
      warning="whakatūpato, tūpato",
      red="whero", green="kākāriki",
      # kāore, "not", "there is no", is no word elsewhere; gated so that the particle after it
      # ("kāore he", "kāore i te", "kāore e") is passed. ehara, "it is not", likewise ("ehara i te mea")
      gated={"kāore": "he, i, e, ano, rawa, tino, ohotata, morearea, aitua, puoho, whakaoho, hohoro",
             "kahore": "he, i, e, ano, rawa, tino, ohotata, morearea, aitua, hohoro",
             "ehara": "i"},
      fields="taumata, whakaarotau, tūraru")

_lang("sm",  # Samoan
      critical=_glottal("ogaoga, faʻalavelave faʻafuaseʻi"),
      high=_glottal("faʻanatinati, mataʻutia, maualuga"),
      warning=_glottal("lapataʻiga, lapataʻi"),
      low="maualalo",
      red="mumu, uliuli", green="lanu meamata, meamata",
      # lē, "not", is le ("the") once the macron is gone, and French le: only before these. leai,
      # "there is no", is gated so that se ("a") after it is passed
      gated={"le": "o, ogaoga, faʻanatinati, faanatinati, fa, mataʻutia, matautia, mata, maualuga",
             "leai": "se, ni, ogaoga, faʻanatinati, faanatinati, fa, mataʻutia, matautia, mata, lapataʻiga,"
                     " lapataiga, lapata"},
      fields=_glottal("tulaga, faʻamuamua"))

_lang("to",  # Tongan
      high=_glottal("fakatuʻutāmaki, fakavavevave, mahuʻinga, fakatuʻupakē") + ", " + _glottal("maʻolunga", split=False),
      warning="fakatokanga",
      low=_glottal("māʻulalo", split=False),
      red=_glottal("kulokula, ʻuliʻuli"), yellow="engeenga",
      # ʻikai, "not", gated so that the particle after it is passed ("ʻikai ke", "ʻikai ha", "ʻikai ko ha")
      gated={"ʻikai": "ke, ha, ko, fakatuʻutāmaki, fakatuutamaki, fakatu, fakavavevave, mahuʻinga, mahuinga, mahu,"
                      " maʻolunga, maolunga, fakatuʻupakē, fakatuupake",
             "ikai": "ke, ha, ko, fakatuʻutāmaki, fakatuutamaki, fakatu, fakavavevave, mahuʻinga, mahuinga, mahu,"
                     " maʻolunga, maolunga, fakatuʻupakē, fakatuupake"},
      fields=_glottal("tuʻunga, fakamuʻomuʻa"))

_lang("haw",  # Hawaiian
      high=_glottal("pōʻino, koʻikoʻi"),
      warning=_glottal("makaʻala, pilikia"),
      red=_glottal("ʻulaʻula, ʻeleʻele"), yellow="melemele",
      green=_glottal("ʻōmaʻomaʻo"),
      # ʻole, "without" ("pilikia ʻole"), with its ʻokina only: ole is Finnish "is" (a filler)
      post="ʻole",
      # ʻaʻole, "not", and ʻaʻohe, "there is no", gated so that the article after them is passed
      # ("ʻaʻole he pilikia", "ʻaʻohe ʻino")
      gated={x: "he, i, e, ʻo, o, ka, ke, pōʻino, poino, po, koʻikoʻi, koikoi, ko, makaʻala, makaala, maka, pilikia"
             for x in ("ʻaʻole", "aole", "ʻaʻohe", "aohe")})

_lang("fj",  # Fijian
      high="rerevaki, vakarerevaki, vakatotolo",
      red="damudamu, loaloa", yellow="dromodromo", green="drokadroka",
      # sega, "not", is Italian and Portuguese sega (a saw, mows) and a brand: only before these
      gated={"sega": "ni, na, rerevaki, vakarerevaki, vakatotolo"})

_lang("ceb",  # Cebuano (Spanish loans such as delikado and importante are in es and tl)
      critical="emerhensya",
      high="dinalian, makuyaw, kuyaw, katalagman, hinungdanon, sayop",
      warning="pasidaan",
      routine="naandan",
      green="lunhaw",
      neg="walay",
      # dili, "not", is Turkish dili ("the language of": Türk dili): only before a Cebuano word
      gated={"dili": "kaayo, delikado, importante, kritikal, dinalian, makuyaw, kuyaw, hinungdanon, peligroso,"
                     " emerhensya, emerhensiya"},
      fields="prayoridad, lebel, kahinungdanon")

_lang("ilo",  # Ilocano
      high="peggad, napeggad, napateg, biddut",
      warning="ballaag",
      red="nalabaga", yellow="duyaw",
      # saan, "not", is Tagalog "where"; awan, "there is no", Malay "cloud": only before these
      gated={"saan": "a, nga, napeggad, napateg, peggad", "awan": "ti, peggad, biddut"})

_lang("hil",  # Hiligaynon (its priority words are Cebuano's, Tagalog's and Spanish's)
      # indi, "not", is English indie: only before these
      gated={"indi": "delikado, importante, peligroso, kritikal, emerhensya, emerhensiya, katalagman"})

_lang("tpi",  # Tok Pisin
      critical="emejensi",
      high="hariap, bagarap",
      warning="lukaut",
      red="retpela, blakpela", yellow="yelopela", green="grinpela",
      neg="nogat")

_lang("bi",  # Bislama (with Tok Pisin's hariap and emejensi)
      high="denja")

_lang("tet",  # Tetum
      critical="emerjénsia",
      high="urjente, urjénsia, perigu, perigozu",
      warning="avizu, kuidadu",
      yellow="kinur",
      neg="seidauk",
      # la, "not", gated in ar: these Tetum followers too (not importante or grave: Spanish and
      # Italian "la importante", "la grave crisi")
      gated={"la": "urjente, urjénsia, perigu, perigozu, iha, emerjénsia"})

_lang("ch",  # Chamorro
      critical="emerhensia",
      high="impottante, peligru, peligrosu",
      # ti, "not", and taya', "there is none" (Tagalog taya, "bet"): only before these
      gated={"ti": "impottante, peligru, peligrosu", "taya": "peligru, peligro, peligrosu, emerhensia"})

# Gujarati, Punjabi, Kannada, Malayalam, Odia and Assamese: script entries are fragment sequences
# (see the module docstring), kept only where the sequence is long or distinctive (not ગંભીર, ਤੁਰੰਤ,
# ದೋಷ or the two-letter colours: single letters apart).
_lang("gu",  # Gujarati
      critical="કટોકટી, katokati",
      high="તાત્કાલિક, ખતરો, ખતરનાક, જોખમી, મહત્વપૂર્ણ, મહત્ત્વપૂર્ણ, tatkalik, khatro, jokhmi",
      warning="ચેતવણી, સાવધાન",
      routine="સામાન્ય",
      post="નથી, વગર",
      fields="પ્રાથમિકતા, અગ્રતા, સ્તર")

_lang("pa",  # Punjabi: Gurmukhi, Shahmukhi (with Urdu's) and romanized (with Hindi's)
      critical="ਐਮਰਜੈਂਸੀ, ایمرجنسی",
      high="ਖ਼ਤਰਾ, ਖ਼ਤਰਨਾਕ, ਮਹੱਤਵਪੂਰਨ",
      warning="ਚੇਤਾਵਨੀ, ਸਾਵਧਾਨ, chetavni",
      post="ਨਹੀਂ, نئیں",
      fields="ਤਰਜੀਹ, ਪੱਧਰ")

_lang("kn",  # Kannada
      critical="ತುರ್ತು ಪರಿಸ್ಥಿತಿ, turtu paristhiti",
      high="ತುರ್ತು, ಅಪಾಯ, ಅಪಾಯಕಾರಿ, apaya, apayakari",
      warning="ಎಚ್ಚರಿಕೆ, echcharike, eccharike, echarike",
      routine="ಸಾಮಾನ್ಯ",
      yellow="ಹಳದಿ", green="ಹಸಿರು",
      post="ಇಲ್ಲ, ಅಲ್ಲ",  # romanized illa and alla are in _REVIEW_DROPS (Catalan, Swedish)
      fields="ಆದ್ಯತೆ, ಮಟ್ಟ")

_lang("ml",  # Malayalam
      critical="അടിയന്തരാവസ്ഥ, ഗുരുതരം, ഗുരുതരമായ, adiyantharavastha, gurutharam",
      high="അടിയന്തര, അടിയന്തിര, അപകടം, അപകടകരം, അപകടകരമായ, പിശക്, adiyanthiram, adiyantharam, apakadam,"
           " apakadakaram",
      warning="മുന്നറിയിപ്പ്, ജാഗ്രത, munnariyippu, jagratha",
      routine="സാധാരണ",
      red="ചുവപ്പ്", orange="ഓറഞ്ച്", green="പച്ച",  # not മഞ്ഞ yellow: മഞ്ഞ് "fog" folds to it
      post="ഇല്ല, അല്ല",
      fields="മുൻഗണന, തീവ്രത")

_lang("or",  # Odia
      critical="ଜରୁରୀକାଳୀନ, ଗମ୍ଭୀର",
      high="ଜରୁରୀ, ବିପଦ, ବିପଦଜନକ, ତ୍ରୁଟି, ଗୁରୁତ୍ୱପୂର୍ଣ୍ଣ, bipada",
      warning="ସତର୍କ, ସତର୍କତା",
      # ନାହିଁ and ନୁହେଁ ("not") split into two single letters: no negator alone, phrases here
      routine="ଜରୁରୀ ନୁହେଁ, ଜରୁରୀ ନାହିଁ, ବିପଦ ନାହିଁ, ବିପଦ ନୁହେଁ",
      fields="ପ୍ରାଥମିକତା")  # not ସ୍ତର "level": folded it is ସତର "seventeen"

_lang("as",  # Assamese
      critical="জৰুৰীকালীন, গুৰুতৰ",
      high="জৰুৰী, বিপদ, বিপজ্জনক, গুৰুত্বপূৰ্ণ, jorori",
      warning="সতৰ্কবাণী, সতৰ্কতা",
      post="নহয়, nohoy",
      fields="অগ্ৰাধিকাৰ")

_lang("sd",  # Sindhi (ڪ is its own kaf; the rest is shared with Urdu)
      high="خطرو, خطرناڪ, khataro",
      warning="خبرداري",
      post="ناهي",
      fields="ترجيح")

# Africa.
_lang("xh",  # Xhosa (the rest is shared with Zulu)
      critical="imeko yongxamiseko",
      high="ingxamiseko, ngxamisekileyo, engxamisekileyo, ibalulekile, yingozi")

_lang("sn",  # Shona
      high="njodzi, chimbichimbi, kukurumidza, nekukurumidza, zvakakosha",
      warning="chenjerai, yambiro",
      red="tsvuku",
      neg="hapana, pasina, kwete")

_lang("ny",  # Chichewa
      high="choopsa, mwachangu, mwamsanga, cholakwika",
      warning="chenjezo",
      red="wofiira", yellow="wachikasu", green="wobiriwira",
      neg="palibe, popanda")

_lang("st",  # Sesotho; "ha ho", "there is not", is two words that are common elsewhere: phrases
      critical="tshohanyetso",
      high="kotsi, kotsing, potlako, bohlokoa, bohlokwa, phoso",
      warning="temoso",
      routine="ha ho kotsi, ha ho na kotsi, ha se kotsi",
      # ntle le, "without": ntle only before le
      gated={"ntle": "le"})

_lang("tn",  # Setswana (kotsi, phoso with Sesotho); "ga go na", "there is no", likewise as phrases
      critical="tshoganyetso",
      high="botlhokwa",
      routine="ga go na kotsi, ga go kotsi, ga se kotsi")

_lang("ln",  # Lingala (te, its postposed "not", is French te: left out)
      high="likama, noki noki")

_lang("ak",  # Akan (Twi); ɛ and ɔ are letters of their own
      high="asiane, ntɛmntɛm, mfomso, ɛho hia",
      warning="kɔkɔbɔ",
      neg="ɛnyɛ")

_lang("ee",  # Ewe
      high="afɔku, afoku, vevie")

_lang("lg",  # Luganda
      high="obulabe, bulabe, kabenje, ensobi",
      warning="okulabula",
      neg="tewali")

_lang("ki",  # Kikuyu
      high="ũgwati",
      neg="gũtirĩ")

_lang("om",  # Oromo (miti, "is not", is Swahili "trees" and Italian miti: only in these phrases)
      critical="hatattamaa, hatattama",
      high="balaa, ariifachiisaa, ariifataa, barbaachisaa, dogoggora",
      warning="akeekkachiisa",
      routine="hatattamaa miti, balaa miti, ariifachiisaa miti, barbaachisaa miti, balaan hin jiru")

_lang("ti",  # Tigrinya, and its common romanization
      critical="ህጹጽ ኩነታት",
      high="ህጹጽ, ሓደጋ, ሓደገኛ, ኣገዳሲ, ጌጋ, hadega, agedasi",
      warning="መጠንቀቕታ",
      routine="ንቡር",
      neg="ብዘይ", post="የለን, ኣይኮነን, aykonen",
      fields="ቀዳምነት, ደረጃ")

# The Americas, Europe and Asia.
_lang("qu",  # Quechua
      high="usqhay, usqay",
      neg="manan",
      # mana, "not", is Polynesian mana ("power") and a name: only before these
      gated={"mana": "kanchu, usqhay, usqay"})

_lang("gn",  # Guarani (the puso is an apostrophe or the letter ʼ)
      high="pyaʼe, pya e, tekotevẽ",  # not pyae: a Burmese given name (Pyae Phyo)
      neg="ndaipóri")

_lang("ay",  # Aymara
      high="jankʼaki, jankaki, jank aki",
      neg="janiwa, janiw")

_lang("gl",  # Galician (most words are Spanish's or Portuguese's)
      critical="emerxencia",
      high="urxente, urxencia",
      red="vermello, vermella", orange="laranxa",
      neg="ningunha",
      # sen, "without", is Turkish "you" and a currency: only before these
      gated={"sen": "perigo, risco, urxencia, erros, alarma, avarías"},
      fields="urxencia, risco")

_lang("eo",  # Esperanto (ĉ ĝ ĥ ĵ ŝ ŭ fold to c g h j s u; grava and kritika are in _REVIEW_DROPS)
      critical="kriza situacio, serioza",
      high="danĝero, danĝera, urĝa, eraro, alarmo",
      warning="averto, atentu",
      routine="normala",
      orange="oranĝa", green="verda",
      neg="neniu",
      # sen, "without", gated in gl: these Esperanto followers too
      gated={"sen": "danĝero, eraro, eraroj, problemo"},
      fields="prioritato, nivelo, graveco, urĝeco, risko")

_lang("gd",  # Scottish Gaelic
      critical="èiginn",
      high="èiginneach, cunnart, chunnart, cunnartach, mearachd, cudromach",
      warning="faiceall",
      yellow="buidhe", orange="orains", red="dubh",
      # chan, "not" (Japanese -chan), only before eil ("chan eil": "is not"); gun, "without"
      # (English gun), only before these
      gated={"chan": "eil", "gun": "chunnart, cunnart, mhearachd, mearachd"},
      fields="prìomhachas")

_lang("br",  # Breton
      high="dañjer, dañjerus, fazi, pouezus, mall eo",
      warning="diwall",
      yellow="melen",
      post="ebet")  # "danjer ebet", "no danger"

_lang("fo",  # Faroese
      critical="neyðstøða, álvarsamt, álvarsamur, álvarsom",
      high="týdningarmikið, týdningarmikil, feilur",
      warning="ávaring",
      red="reyður", green="grønur",
      neg="ikki, eingin, einki, uttan")

_lang("fy",  # West Frisian
      critical="needgefal, kritysk, earnstich",
      high="gefaar, gefaarlik, driuwend, belangryk, heech",
      warning="warskôging",
      green="grien",
      neg="gjin",
      # net, gated in lb: these Frisian followers too ("net sa driuwend"); sûnder, "without", is
      # English sunder: only before gefaar
      gated={"net": "driuwend, gefaarlik, belangryk, kritysk, earnstich, sa", "sûnder": "gefaar"},
      fields="earnst")

_lang("co",  # Corsican
      critical="criticu, critticu",
      high="periculu, periculosu, periculosa, impurtante",
      warning="avertimentu",
      # ùn, "not", is un (a filler: the article of French, Spanish, Italian): in phrases
      routine="ùn hè periculosu, ùn hè periculosa, ùn hè urgente, ùn hè impurtante, ùn hè grave, ùn c'hè periculu",
      fields="priurità, livellu")

_lang("su",  # Sundanese (the rest is shared with Indonesian)
      high="kacilakaan",
      neg="henteu",
      # teu, "not", is Portuguese "your": only before these
      gated={"teu": "aya, pati, penting, bahaya, darurat, kritis, perlu"})

_lang("ms",  # Malay words the Indonesian entry lacks
      high="mustahak",
      fields="keterukan")

_lang("hmn",  # Hmong (RPA)
      critical="xwm txheej ceev",
      high="ceev, phom sij, txaus ntshai, tseem ceeb, yuam kev",
      warning="ceeb toom",
      neg="tsis")

_lang("tt",  # Tatar, Cyrillic and Latin (хата "error" is Ukrainian and Russian "hut": left out)
      critical="гадәттән тыш, гадәттән тыш хәл",
      high="ашыгыч, куркыныч, мөһим, югары, aşığıç, qurqınıç, möhim",
      warning="кисәтү, kisätü",
      low="түбән",
      routine="гадәти, куркыныч юк, qurqınıç yuq",  # юк, "there is no", two letters: in phrases
      green="яшел",
      post="түгел, tügel",
      fields="өстенлек")

_lang("ba",  # Bashkir
      critical="ғәҙәттән тыш",
      high="ашығыс, ҡурҡыныс, юғары",
      warning="иҫкәртеү",
      routine="ҡурҡыныс юҡ",
      fields="өҫтөнлөк")

_lang("yi",  # Yiddish (טעות "mistake" is everyday Hebrew: left out)
      critical="קריטיש, נויטפֿאַל, ערנסט",
      high="דרינגלעך, געפֿאַר, געפֿערלעך, וויכטיק, אַלאַרעם, הויך, dringlekh, geferlekh",
      warning="וואָרענונג",
      low="נידעריק",
      red="רויט", yellow="געל",
      neg="ניט, נישט, קיין, nisht",
      fields="פּריאָריטעט")

_lang("ckb",  # Sorani Kurdish (Arabic script; its romanized words are mostly Kurmanji's)
      critical="فریاکەوتن, بارودۆخی نائاسایی",
      high="مەترسی, مەترسیدار, مەترسیدارە, بەپەلە, هەڵە, گرنگ, گرنگە, بەرز, girng, bepele",
      warning="ئاگاداری, ئاگادارکردنەوە",
      routine="ئاسایی",
      post="نییە, نییه",
      fields="ئاست, ئەولەویەت")

_lang("lo",  # Lao: script entries are fragment sequences (see the module docstring); ບໍ່ ("not")
      # is one letter once split: phrases with it
      critical="ສຸກເສີນ",
      high="ອັນຕະລາຍ, ດ່ວນ, ສຳຄັນ, ຜິດພາດ",
      warning="ຄຳເຕືອນ",
      routine="ປົກກະຕິ, ບໍ່ດ່ວນ, ບໍ່ ດ່ວນ, ບໍ່ອັນຕະລາຍ, ບໍ່ສຳຄັນ",
      red="ແດງ", yellow="ເຫຼືອງ", green="ຂຽວ",
      fields="ລະດັບ, ບູລິມະສິດ")

_lang("ug",  # Uyghur, Arabic script and Latin
      critical="جىددىي",
      high="تەخىرسىز, خەتەر, خەتەرلىك, خاتالىق, مۇھىم, يۇقىرى, tékhirsiz, xeterlik",
      warning="ئاگاھلاندۇرۇش, دىققەت",
      low="تۆۋەن",
      routine="نورمال",
      post="ئەمەس")

_lang("se",  # Northern Sami
      critical="heahte, heahtedilli",
      high="várálaš, hoahpolaš, dehálaš, meattáhus",
      # ii, the verb "not", is two letters (and the numeral II): in phrases
      routine="ii leat várálaš, ii leat hoahpolaš, ii leat dehálaš",
      red="rukses", green="ruoná")

# -- version 7: English contractions and compound "critical" --------------------------------------
# A fourteenth blind family (orbit, session 15) listed what lexicon v6 reads in its notes, before any
# score; two readings were English bugs, whatever the family:
# - "isn't urgent" read as urgent: the apostrophe splits "isn't" into "isn" and "t", neither a
#   negator. Each contraction is a gated negator whose follower is "t" (the pair opens the scope),
#   and its spelling without the apostrophe a negator ("isnt urgent"). Left out: "dont" (French
#   "dont": "trois alarmes dont une critique"), "cant" and "wont" (English words of their own).
# - "not time critical" (orbit's own "can wait" note), "not mission critical", "not safety
#   critical" read as critical: the compound's first word ended the negator's scope. Each compound
#   is an entry of critical's weight, so a negator reaches it, and one not negated reads as before.
_RAW_WORDS.extend((_CRIT, x) for x in _items(
    "time critical, mission critical, safety critical, business critical, life critical"))
_RAW_GATED.extend((x, "t") for x in _items(
    "isn, aren, wasn, weren, doesn, didn, don, hasn, haven, hadn, won, can, couldn, shouldn, wouldn, needn,"
    " mustn, ain"))
_RAW_NEGATORS.extend(_items(
    "isnt, arent, wasnt, werent, doesnt, didnt, hasnt, havent, hadnt, couldnt, shouldnt, wouldnt, neednt,"
    " mustnt, aint"))

# -- version 8: English verbs between a negator and its word, and five more negators -------------
# Session 16 read v7 on English routine notes written as operators write them; these read pressing:
# - "does not need urgent attention", "doesn't require immediate action", "does not appear
#   urgent", "doesn't seem critical", "not expected to be critical", "no need for urgent action":
#   the verb after the negator ended its scope. These verbs keep a scope open only while nothing
#   but fillers has come since the negator (:data:`NEGATION_VERBS`): "no power needs urgent
#   attention" stays urgent ("power" is the determiner's one modifier, then "needs" is no longer
#   right after it), and outside a scope they are words like any other. So do the nouns and
#   prepositions of "no sign of danger", "no evidence of a critical fault", "no cause for alarm",
#   "no effect on critical loads", "not at risk". Left out: "all" ("all clear" is an entry) and
#   "impact" (a priority word).
# - "less critical", "least critical" read as critical: entries of "less urgent"'s weight.
# - "neither urgent nor critical", "hardly urgent", "unlikely to be critical", "zero critical
#   alarms": four negators and a gated one ("nor", before a priority word or an article); "zero" a
#   determiner ("zero open critical alarms").
_RAW_VERBS = _items(
    "need, needs, needed, require, requires, required, requiring, warrant, warrants, warranted, seem, seems,"
    " seemed, appear, appears, appeared, look, looks, looked, pose, poses, posed, indicate, indicates,"
    " constitute, constitutes, represent, represents, involve, involves, have, has, had, being, expected,"
    " likely, to, for, at, of, on, sign, signs, evidence, indication, indications, cause, reason, effect, risk,"
    " chance")
# "less critical" and "least critical" read as "less urgent" does (low), not as critical.
_RAW_WORDS.extend((_LOW, x) for x in _items("less critical, least critical, least urgent"))
_RAW_NEGATORS.extend(_items("neither, hardly, unlikely, zero"))
# "nor", three letters, is Basque "who": a gated negator, before an English priority word or article.
_RAW_GATED.extend(("nor", x) for x in _items(
    "critical, urgent, serious, severe, dangerous, important, immediate, emergency, an, a, the, any"))

# Words that keep a negator's scope open without being negated themselves: articles, copulas,
# intensifiers and "there is" ("not an emergency", "no es urgente", "non c'è pericolo",
# "pas d'urgence", "tidak ada bahaya", "không có nguy hiểm", "δεν είναι επείγον", "ei ole vaarallinen").
_RAW_FILLERS = _items(
    "a, an, the, any, very, too, so, really, that, particularly, especially, is, are, was, were, be, been, currently,"
    " considered, deemed, yet, es, un, una, muy, tan, hay, está, há, muito, um, uma, très, si, une, d, de, du, des,"
    " c, e, è, molto, sehr, zu, besonders, ein, eine, einen, gibt, zeer, erg, heel, een, zo, jest, bardzo, ma, je,"
    " velmi, moc, vrlo, så, någon, noen, nogen, meget, veldig, mycket, ole, kovin, mitään, nagyon, este, foarte,"
    " ada, terlalu, sangat, begitu, có, quá, lắm, rất, очень, является, никакой, никакого, дуже, є, είναι, πολύ,"
    " υπάρχει, يوجد, هناك, aon, unrhyw, mjög, labai, ļoti, gens, molt, koi,"
    # v4: Albanian "is", "has" (nuk ka rrezik), Bulgarian and Macedonian "is", Afrikaans "very",
    # Belarusian "very", Georgian "is", Malagasy "there is" (tsy misy atahorana)
    " është, ka, е, baie, вельмі, არის, misy,"
    # v5: romanized "very", "too", "especially", "quite" (Russian ne ochen srochno, Ukrainian duzhe,
    # Bulgarian and Serbo-Croatian mnogo, jako, previše), Uzbek "any" (hech qanday xavf), Romanian
    # "been" (nu a fost critic), and the Welsh predicative particle (ddim yn brys). yn, two letters,
    # is no word of the other languages here, and a filler only keeps a negator's scope open.
    " ochen, slishkom, osobo, sovsem, duzhe, mnogo, jako, previše, qanday, fost, yn,"
    # pinyin "very", "extremely", "that", "especially", "any" (bu shi hen yanzhong, mei you renhe
    # weixian), Romanian "so" (nu este atât de grav), Thai "anything" (mai mi arai antarai), Greek "so",
    # "very" (den einai toso epeigon)
    " hen, feichang, name, tebie, shenme, renhe, atât, arai, toso, poly,"
    # v6: Maori and Samoan "the", "thing", Maori "very" (ehara i te mea ohotata, kāore i te tino
    # ohotata, e le o se mea faʻanatinati), Cebuano "very" (dili kaayo delikado), Hmong "there is"
    # and the noun marker (tsis muaj kev phom sij). te and se, two letters, are pronouns of the
    # Romance languages ("no te preocupes", "no se ha detectado"): a filler only keeps a negator's
    # scope open, and neither comes between a negator and a priority word there.
    " te, mea, tino, se, kaayo, muaj, kev")

# -- the tables, built ----------------------------------------------------------------------------


def _entry(raw: str) -> str:
    """An entry as inputs are read: its normalized words joined by one space."""
    ws = split_words(raw)
    if not ws:
        raise ValueError(f"lexicon entry {raw!r} has no word")
    return " ".join(ws)


def _single(raw: str) -> str:
    e = _entry(raw)
    if " " in e:
        raise ValueError(f"lexicon entry {raw!r} must be one word, normalizes to {e!r}")
    return e


# Entries a review of v3 (session 9) found ambiguous in common text, left out of every table:
# a filler that joins clauses (Italian "ma": "non urgente ma critico"), negators that are ordinary
# words elsewhere ("nist" in "CRITICAL per NIST", "nil", "gan", "engin", "heb", "nid"),
# words that are common words or names in a major language (Spanish grava gravel and viga beam,
# Swedish kvar remaining, French secours in "roue de secours", English critic, the names Kriti,
# Rosie and Ngozi, pinyin syllable pairs such as jinji and zhiming), field names that are other
# words (dengji in "dengji riqi" registration date, risc, premia) and two words for "ordinary" or
# "middle" that had a warning's weight (botong, phakathi).
_REVIEW_DROPS: frozenset[str] = frozenset((
    "ma", "nist", "nil", "gan", "engin", "heb", "nid", "critic", "kvar", "grava",
    "viga", "secours", "hamur", "kriti", "jinji", "jin ji", "zhiming", "zhi ming", "ngozi", "dengji", "premia",
    "risc", "botong", "보통", "phakathi", "rosie",
)) | frozenset(_entry(x) for x in _items(
    # v4 review: new entries left out because they are common words or names elsewhere.
    # Albanian kritike (Croatian/Slovene "of criticism"), ulët low (Indonesian ulet "tenacious"),
    # zezë black (Portuguese name Zezé), shkalla field (stairs, scale), rende (Italian "makes");
    # Azerbaijani aşağı low (Turkish "down"), uğursuz failed (Turkish "ill-omened");
    # Kazakh emes, a romanized post-negator (Catalan emès "issued");
    # Uzbek daraja and Tajik дараҷа fields (degree, also of temperature; Swahili daraja "bridge"),
    # Uzbek past low (English); Kyrgyz ката error (Macedonian "every", Bulgarian/Ukrainian
    # "executioner's"), жогорку high (the parliament Жогорку Кеңеш), кызыл red (the city Kyzyl), кара
    # black (Russian "punishment"); Turkmen sary yellow (Polish/Czech genitive of Sara), gara black
    # (Italian "race"), däl post-negator (English dal), dereje field (degree); Tajik паст low (Russian
    # genitive of паста); Georgian მნიშვნელობა (the "value" of key/value) and its romanization done
    # (English); Sinhala hadisi (Turkish hadisi); Croatian važan (Czech vázán "bound"); Maltese
    # kritiku, kritiċi, kritika (Slavic and Baltic "criticism", "critics"), medju (Serbo-Croatian
    # "among"); Luxembourgish giel yellow (Dutch name Giel), feeler error (English), rout red
    # (English), keen and keng negators (English, pinyin); Afrikaans krities (Latvian verb), nood
    # (Dutch "need"), swart black (a common surname), vlak field (Dutch "flat", "near"), sonder
    # negator (Swedish sönder "broken"); Malagasy mavo yellow (Dutch school type), maika urgent (a
    # name), loza disaster (Spanish "crockery"), mena red (the region MENA), ambany low (the
    # preposition "under"); Kinyarwanda hasi low (Hungarian "abdominal"), nta negator (an English
    # acronym), hejuru high (the adverb "above"), urwego field ("agency"), ibiza disasters (the
    # island); Haitian ijan urgent (a Serbo-Croatian name); Somali hoose low (region names: Jubbada
    # Hoose), halis danger (Turkish "pure", a name), sare high (Romanian "salt"), jaalle yellow
    # ("comrade"); Yoruba pupa red (English pupa), dudu black (Javanese "not"), pataki important (a
    # surname), osan orange (a city); Javanese ora negator (Italian and Portuguese "now"), abang red
    # (Malay "elder brother"); Kurmanji kesk green (Estonian "centre"), tune and nine negators
    # (English), şaşî error (sasi), girîng important (Indonesian giring), navîn medium (the name
    # Navin); Kazakh tómen low (Spanish tomen); Amharic adega danger, romanized (Portuguese "wine
    # cellar"); Hausa kore green (Japanese "this"); Telugu pramadam (Tamil "wonderful") and
    # avasaram (Telugu "need", Tamil "urgent"), ledu negator (Croatian "ice"); Marathi dhoka and
    # ishara (Hindi "deceit", "gesture") and आपत्ती (Hindi आपत्ति "objection"); Nepali rato red
    # (Portuguese "mouse"), गल्ती (Hindi ग़लत "wrong"); Tamil கருப்பு black and பச்சை green, whose
    # fragments occur in அதிகரிப்பு "increase" and விபச்சாரம்.
    "kritike, ulët, zezë, shkalla, rende, aşağı, uğursuz, emes, daraja, дараҷа, past, ката, жогорку,"
    " кызыл, кара, sary, gara, däl, dereje, паст, მნიშვნელობა, done, hadisi, važan, kritiku, kritiċi, kritika,"
    " medju, giel, feeler, rout, keen, keng, krities, nood, swart, vlak, sonder, mavo, maika, loza, mena,"
    " ambany, hasi, nta, hejuru, urwego, ibiza, ijan, hoose, halis, sare, jaalle, pupa, dudu, pataki, osan,"
    " ora, abang, kesk, tune, nine, şaşî, girîng, navîn, tómen, adega, kore, pramadam, avasaram, ledu,"
    " dhoka, ishara, आपत्ती, गल्ती, கருப்பு, பச்சை")) | frozenset(_entry(x) for x in _items(
    # v5 review: romanized negators considered and left out, each a frequent word elsewhere (a
    # word that is a negator only before its own language's words is a gated one instead: den,
    # la, lo, mai, nu, ni, nav, pa, ...). Hebrew bli "without" (Swedish bli "become"); Egyptian
    # and Levantine mush, mesh "not" (English mush, mesh network), mafi "there is no" (a common
    # surname; mafish, mafeesh are in); Bengali nei "there is no" (Italian nei "in the": errore
    # nei log) and noi (Italian and Romanian "we"); Armenian che, chi "is not" (Italian "that",
    # "who"); Tamil alla "is not" (Swedish "all", Italian "at the": allarme alla pompa) and illa
    # (Catalan "island"); Mongolian bish "is not" (Persian finglish bish "more": khatar bish az
    # had); Javanese boten "not" (Dutch "boats"; mboten is in);
    # Georgian ara "no" (Catalan "now"); Telugu kadu "is not" (Estonian "loss"; kaadu is in);
    # Turkish and Azerbaijani hiç, heç "none" (Latin hic). After a second review: Russian netu
    # (Serbo-Croatian, Czech, Polish "na netu": online), Latvian nekāda (Serbo-Croatian nekada
    # "formerly"), Haitian okèn (Czech and Slovene oken "of windows"), Turkish and Azerbaijani
    # olmadan (a postposed "without": acil müdahale olmadan), the phrase "urgent care" (needs
    # urgent care). Lithuanian joks (Latvian "joke"), Greek ochi and oxi (Romanian "eyes",
    # Vietnamese "oxygen") and Hausa babu ("grandma", an honorific) are gated. Not here because they are parts of
    # entries: Catalan cap "no" (English cap, Vietnamese khan cap) and pinyin wu "none" (cuo wu,
    # the surname Wu), neither a negator nor gated.
    "bli, mush, mesh, mafi, nei, noi, che, chi, alla, illa, bish, boten, ara, kadu, hic, hec, netu, nekāda,"
    " okèn, olmadan")) | frozenset(_entry(x) for x in _items(
    # v6 review: new entries considered and left out, each a frequent word or name elsewhere (or,
    # the words' own language apart, an everyday word that is no priority). Maori hapa "error"
    # (Hawaiian "half": hapa haole), hira "important" (Hindi "diamond", a name), kino "bad"
    # (German and Spanish "cinema"), taumaha "heavy, serious", kare "not" (Hindi "does"), karaka
    # orange and kōwhai yellow (trees and places: Karaka, Auckland); Samoan taua "important" (Maori
    # tāua "we two"), faʻalavelave alone ("trouble", and a family's funeral or wedding; with
    # faʻafuaseʻi it is the emergency); Hawaiian wikiwiki "quick" (software, a shuttle), ʻalani
    # orange (a given name); Maori pango black (Swahili "cave"); Samoan samasama yellow (Malay and
    # Indonesian sama-sama, "you're welcome", written as one word); Tok Pisin impoten "important"
    # (Indonesian "impotent"); Fijian bibi "important" (French bibi, a nickname); Cebuano and Tagalog
    # grabe and seryoso (slang "wow", "seriously?"), taas high (Estonian "again"), ubos low
    # (Tagalog "used up"), pula red (the city Pula), dalag yellow (Tagalog "snakehead", a fish);
    # Bislama woning "warning" (Dutch "dwelling"), nating "nothing" (Tagalog "our"); Tetum sala
    # "error" (Spanish "room"), mean red (English), metan black (methane), laos "is not" (Laos);
    # Gujarati tatkal "immediate" (Indian Railways' Tatkal quota), vagar "without" (Swedish vägar
    # "roads"); Punjabi ਜ਼ਰੂਰੀ "urgent" and ਗਲਤੀ "error", whose fragments are ਜ਼ਰੂਰ "surely" and ਗਲਤ
    # "wrong", ਹਰਾ green (ਹਰ "every"), padhar "level" (Rajasthani "come"); Kannada turtu (Lithuanian
    # turtu "property"; turtu paristhiti stays); Malayalam മഞ്ഞ yellow (മഞ്ഞ് "fog" folds to it);
    # Oromo miti "is not" (Swahili "trees": hatari ya miti; in phrases only); Quechua pantay
    # "error" (Tagalog "equal"), manam "no" (Tamil and Malayalam "mind"); Guarani pyaʼe without its
    # puso (the Burmese given name Pyae); Esperanto kriza
    # (Croatian "crisis" of the news), urĝe (English urge), malalta low (Catalan "ill"), nigra,
    # flava (Latin species names: Pinus nigra), ruĝa (Italian ruga "wrinkle"); Scottish Gaelic ìre
    # "level" (English ire), trom "serious" (Dutch "drum"), dona "bad" (Spanish, Portuguese);
    # Breton mall "urgent" (English; "mall eo" stays), prim "quick", live "level", glas green
    # (German Glas), ket "not" (Hungarian két "two"); Faroese váði "danger" (wadi, Hindi vadi
    # "valley"; høg, high, is Swedish hög, in since v3); West Frisian need "emergency", leech low and read red
    # (English), flater "error" (Norwegian "surfaces"); Corsican altu high (Romanian "other");
    # Malay genting "critical" (Genting Highlands), segera "immediately" (Indonesian "soon":
    # segera hadir), serius (chat "seriously?"); Tatar and Bashkir хата "error" (Ukrainian and
    # Russian "hut"); Yiddish טעות "error" (everyday Hebrew "mistake"), גרין green (the Hebrew
    # spelling of Green: גרין קארד), שוואַרץ black (the surname Schwartz); Sorani niye "is not"
    # (Turkish "why": acil niye), پێشینە "priority" ("precedent"); Lao duan "urgent", romanized
    # (a pinyin syllable); Northern Sami allat high (Hungarian állat "animal"), fiskes yellow
    # (Norwegian "is fished").
    "hapa, hira, kino, taumaha, kare, karaka, kōwhai, pango, samasama, impoten, taua, faʻalavelave, faalavelave, wikiwiki, ʻalani,"
    " alani, bibi, grabe, seryoso, taas, ubos, pula, dalag, woning, nating, sala, mean, metan, laos, tatkal,"
    " vagar, ਜ਼ਰੂਰੀ, ਗਲਤੀ, ਹਰਾ, padhar, turtu, മഞ്ഞ, miti, pantay, manam, pyae, kriza, urĝe, malalta, nigra, flava,"
    " ruĝa, ìre, trom, dona, mall, prim, live, glas, ket, váði, need, leech, read, flater, altu, genting,"
    " segera, serius, хата, טעות, גרין, שוואַרץ, niye, پێشینە, duan, allat, fiskes"))

# A word in several languages keeps its highest weight (as in v2).
WORDS: dict[str, float] = {}
for _w, _x in _RAW_WORDS:
    _k = _entry(_x)
    if _k not in _REVIEW_DROPS:
        WORDS[_k] = max(WORDS.get(_k, _w), _w)
COLOURS: dict[str, float] = {}
for _w, _x in _RAW_COLOURS:
    _k = _entry(_x)
    if _k not in _REVIEW_DROPS:
        COLOURS[_k] = max(COLOURS.get(_k, _w), _w)
# Negators negate the priority words right after them ("not urgent", "kein Alarm", "non urgente",
# "nie pilne"); postposed ones the word one or two before them ("acil değil", "kinkyuu de nai").
# "Nothing" (session 14): "nothing urgent", "nada urgente", "niente di urgente", "rien d'urgent",
# "nichts Dringendes" read as urgent in v5 and v6 (a helper's blind family wrote "nada urxente" in
# routine Galician notes). They negate like determiners: the word they negate may follow one more
# ("nada de urgente", "rien d'urgent"). Left out: Czech and Polish "nic" (a NIC, a network card:
# "NIC failure critical"), Catalan "res" (English "res", a resolution), Finnish and Estonian (a
# two-word form: "ei mitään", "mitte midagi").
_PRONOUN_NEGATORS = _items(
    "nothing, nada, niente, nulla, rien, nichts, niets, ingenting, intet, ekkert, niczego, ničeho, nimic,"
    " semmi, ничего, nichego, нічого, nichoho, нищо, nishto, ništa, nista, ničesar, tipota, τίποτα,"
    " hiçbir, nekas, nieko, asgjë, nenio")
_RAW_NEGATORS.extend(_PRONOUN_NEGATORS)
NEGATORS: frozenset[str] = frozenset(_single(x) for x in _RAW_NEGATORS) - _REVIEW_DROPS
POST_NEGATORS: frozenset[str] = frozenset(_single(x) for x in _RAW_POST) - _REVIEW_DROPS
NEGATION_FILLERS: frozenset[str] = frozenset(_single(x) for x in _RAW_FILLERS) - _REVIEW_DROPS
# English verbs (and "to", "for") that keep a negator's scope open only right after it, with nothing
# but fillers between ("does not need urgent attention", "no need for urgent action"). Not less the
# review's drops: West Frisian "need" ("emergency") was dropped as a priority word, not as a verb.
NEGATION_VERBS: frozenset[str] = frozenset(_single(x) for x in _RAW_VERBS)
# Negators that are determiners ("no", "kein", "žádný", "nessun"): the noun they negate may follow
# one modifier ("no gas alarm", "žádný plynový poplach", "kein großer Alarm", "brak poważnego
# zagrożenia"), so their scope passes one word that is not in the lexicon. Adverbs ("not", "nicht")
# and prepositions ("without", "sin": "without cooling critical temperature reached") do not.
DETERMINER_NEGATORS: frozenset[str] = frozenset(_single(x) for x in _items(  # all in NEGATORS (a test checks)
    "no, kein, keine, keinen, geen, ingen, inget, aucun, aucune, ningún, ninguna, ninguno, nenhum, nenhuma,"
    " nessun, nessuna, nessuno, brak, żadna, żadne, žádný, žádná, žádné, žiadny, žiadna, žiadne,"
    " nikakoy, nikakav, nikakva, nikakvo, noben, nobena, nobeno, jokio, jokia, jokie, nekāds, nekādas,"
    " niciun, nicio, hich, zero")) | frozenset(_single(x) for x in _PRONOUN_NEGATORS)
# A gated negator negates only when the next word is one of its followers (the pair opens the
# scope): a word that is a negator in one language and an article or pronoun in others.
# Its followers are that language's own words, never the other languages': a verb or particle
# ("den einai", "la yujad", "bu shi") or a priority word ("mai samkhan", "nav steidzami"). A word
# _REVIEW_DROPS keeps out of the other tables may be a gated negator (Javanese ora, Italian "now":
# "ora penting" only); a follower that is dropped is not one.
_gated: dict[str, set[str]] = {}
for _g, _f in _RAW_GATED:
    if _single(_f) not in _REVIEW_DROPS:
        _gated.setdefault(_single(_g), set()).add(_single(_f))
GATED_NEGATORS: dict[str, frozenset[str]] = {g: frozenset(f) for g, f in sorted(_gated.items())}
del _gated, _g, _f
# Version 11: field names of a deadline or a response target (a countdown), in every language
# (node/attention/lexicon_deadlines.py, where the entries left out are listed with the reason).
_RAW_FIELDS.extend(x for s in DEADLINE_FIELDS.values() for x in _items(s))
# Field names that announce a priority or severity (matched on any normalized word of the name,
# or on consecutive words for a multiword one: :func:`is_field_name`).
FIELD_NAMES: frozenset[str] = frozenset(_entry(x) for x in _RAW_FIELDS) - _REVIEW_DROPS
del _w, _x, _k

_COLOUR_MAX_WORDS = 3  # a colour counts only in a short categorical value ("RED", "code red", "alerta roja")
_POST_REACH = 2  # a postposed negator negates a word at most this many words before it (priority_words reads two)
_POST_PARTICLES = ("de", "wa")  # ... or three, when the two between are these (Japanese "de wa nai")
# English postposed negation ("urgent action not required", "immediate attention is not needed",
# "critical alarm not triggered"): "not" followed by one of these participles negates an entry up
# to _POST_NOT_REACH words before the "not", not across a clause. Only participles that deny the
# need or the event: "critical, not resolved" and "urgent not routine" keep their entry.
_POST_NOT = "not"
_POST_NOT_VERBS = frozenset(("required", "needed", "necessary", "warranted", "indicated", "triggered"))
_POST_NOT_REACH = 3


def _phrase_index(entries: dict[str, float] | frozenset[str]) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
    """First word -> ((the other words, the entry), ...), longest first."""
    idx: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for e in entries:
        ws = e.split(" ")
        if len(ws) > 1:
            idx.setdefault(ws[0], []).append((tuple(ws[1:]), e))
    return {h: tuple(sorted(v, key=lambda p: (-len(p[0]), p[1]))) for h, v in idx.items()}


_WORD_PHRASES = _phrase_index(WORDS)
_COLOUR_PHRASES = _phrase_index(COLOURS)
_FIELD_PHRASES = _phrase_index(FIELD_NAMES)
_MAX_PHRASE = max((len(e.split(" ")) for t in (WORDS, COLOURS, FIELD_NAMES) for e in t), default=1)

# One lookup per word in priority_words: a negator, a filler or the clause sentinel -> its kind (an
# int); a lexicon word or the first word of a phrase -> (kind, its weight alone or None, the phrases
# it starts, longest first, or None).
_LEX, _NEG, _FILL, _STOP, _GATE, _VERB = 0, 1, 2, 3, 4, 5
_weight = itemgetter(1)
_TOKEN: dict[str, int | tuple[int, float | None, tuple[tuple[tuple[str, ...], float, str], ...] | None]] = {}
for _h in NEGATORS:
    _TOKEN[_h] = _NEG
for _h in NEGATION_FILLERS:
    _TOKEN[_h] = _FILL
_TOKEN[CLAUSE] = _STOP
for _h in GATED_NEGATORS:
    _TOKEN[_h] = _GATE
for _h in NEGATION_VERBS:  # disjoint from every other table (a test checks)
    _TOKEN[_h] = _VERB
for _h in (set(WORDS) | set(_WORD_PHRASES)) - set(_TOKEN):
    if " " not in _h:
        _ph = tuple((rest, WORDS[e], e) for rest, e in _WORD_PHRASES[_h]) if _h in _WORD_PHRASES else None
        _TOKEN[_h] = (_LEX, WORDS.get(_h), _ph)
for _h in NEGATION_FILLERS & set(_WORD_PHRASES):  # "very" (very high), "that" (Vietnamese "thất bại")
    _TOKEN[_h] = (_FILL, None, tuple((rest, WORDS[e], e) for rest, e in _WORD_PHRASES[_h]))
del _h, _ph


def word_weight(word: str) -> float | None:
    """Lexicon weight of one normalized word (or a multiword entry, its words joined by a space),
    or None when it is not a priority word."""
    return WORDS.get(word)


def priority_words(words: list[str]) -> list[tuple[str, float]]:
    """The lexicon entries among normalized ``words`` (from :func:`split_words` or, better,
    :func:`clause_words`) with their weights, a negated one at 0 ("not urgent", "no critical alarm",
    "acil değil", "kinkyuu de nai": routine). A multiword entry is matched on consecutive words,
    longest first, and reported joined by a space.

    A negator negates the run of lexicon entries right after it; fillers ("an", "es", "ada") keep
    the run open, any other word ends it, and so do :data:`CLAUSE` (clause punctuation: "no alarm;
    CRITICAL" is critical) and a routine entry, after itself ("non-routine emergency" and "no info,
    critical" read the emergency and the critical; so does "no info critical", a negator negating
    "info" that says nothing about what follows). A postposed negator negates the entry one or two
    words before it, not across a :data:`CLAUSE`. Linear in ``len(words)``."""
    out = []
    n = len(words)
    token = _TOKEN
    post = POST_NEGATORS
    negated = False
    modifier = False  # a determiner negator's scope may pass one more word ("no gas alarm")
    fresh = False  # nothing but fillers since the negator: a verb keeps the scope ("not need urgent")
    nxt = 0  # the first word not yet consumed (a phrase consumes several)
    for i, w in enumerate(words):
        if i < nxt:
            continue
        t = token.get(w)
        if isinstance(t, int):  # a negator opens a scope, a filler keeps it, the clause sentinel ends it
            if t == _NEG:
                negated = fresh = True
                modifier = w in DETERMINER_NEGATORS
                continue
            if t == _STOP:
                negated = False
                continue
            if t == _FILL:
                continue
            if t == _VERB:
                if negated and fresh:
                    modifier = False  # a determiner's one word: "nothing to report critical alarm"
                    continue
            # _GATE ("den einai"): the pair opens the scope; "den" alone is a word of another language
            elif i + 1 < n and words[i + 1] in GATED_NEGATORS[w]:
                negated = fresh = True
                if not isinstance(token.get(words[i + 1]), tuple):
                    nxt = i + 2  # a verb ("einai") is consumed; a priority word is read, negated
                continue
        elif t is not None:
            kind, x, phrases = t
            key = w
            j = i + 1
            if phrases is not None:
                for rest, px, pkey in phrases:
                    m = j + len(rest)
                    if m <= n and tuple(words[j:m]) == rest:
                        x, key, j = px, pkey, m
                        break
            if x is not None:
                nxt = j
                fresh = False
                if x > 0:
                    if negated:
                        x = 0.0
                    elif j < n:  # a postposed negator one or two words on (_POST_REACH), not across a clause
                        w1 = words[j]
                        if w1 in post or (j + 1 < n and w1 != CLAUSE and words[j + 1] in post):
                            x = 0.0
                        elif (w1 == _POST_PARTICLES[0] and j + 2 < n and words[j + 1] == _POST_PARTICLES[1]
                              and words[j + 2] in post):
                            x = 0.0  # Japanese "kinkyuu de wa nai": the copula's particles
                        elif _post_not(words, j):
                            x = 0.0  # "urgent action is not required"
                else:
                    negated = False
                out.append((key, x))
                continue
            if kind == _FILL:  # a phrase head that did not match: a filler stays one
                continue
        # Any other word (an unmatched phrase head, a gated word without its follower: Italian "ma"
        # in "non urgente ma critico") ends the scope, but for the one modifier a determiner's
        # scope passes ("no gas alarm").
        fresh = False
        if negated and modifier:
            modifier = False
        else:
            negated = False
    return out


def _post_not(words: list[str], j: int) -> bool:
    """Whether "not" plus a :data:`_POST_NOT_VERBS` participle follows within :data:`_POST_NOT_REACH`
    words of position ``j`` (the word after an entry), with no clause boundary before it."""
    n = len(words)
    for k in range(j, min(n - 1, j + _POST_NOT_REACH)):
        w = words[k]
        if w == CLAUSE:
            return False
        if w == _POST_NOT:
            return words[k + 1] in _POST_NOT_VERBS
    return False


def text_priority(words: list[str]) -> float:
    """Highest weight of :func:`priority_words` (a negated word counts 0); -1 when there is none."""
    found = priority_words(words)
    return max(found, key=_weight)[1] if found else -1.0


def colour_weight(words: list[str]) -> float:
    """Alert-colour weight of a short categorical value's normalized ``words`` (0 green .. 1 red);
    -1 when it names no colour or is longer than a label (a colour in free text is not an alert).
    :data:`CLAUSE` sentinels are not words; a multiword colour ("màu đỏ") is matched on
    consecutive words."""
    if CLAUSE in words:
        if len(words) - words.count(CLAUSE) > _COLOUR_MAX_WORDS:
            return -1.0
    elif len(words) > _COLOUR_MAX_WORDS:
        return -1.0
    best = -1.0
    for i, w in enumerate(words):
        x = COLOURS.get(w)
        if x is not None and x > best:
            best = x
        for rest, e in _COLOUR_PHRASES.get(w, ()):
            if tuple(words[i + 1:i + 1 + len(rest)]) == rest and COLOURS[e] > best:
                best = COLOURS[e]
    return best


def is_field_name(name: str) -> bool:
    """Whether a field's name announces priority: one of its normalized words is in
    :data:`FIELD_NAMES`, or consecutive words are a multiword one ("mức độ", "ưu tiên")."""
    ws = split_words(name)
    for i, w in enumerate(ws):
        if w in FIELD_NAMES:
            return True
        for rest, _ in _FIELD_PHRASES.get(w, ()):
            if tuple(ws[i + 1:i + 1 + len(rest)]) == rest:
                return True
    return False


def _lexicon_id() -> str:
    h = hashlib.sha256(LEXICON_VERSION.encode())
    # What a word is depends on the interpreter's Unicode database (3.11 has 14.0, 3.12 15.0, 3.13
    # 15.1: "CRITICAL" plus a mark new in 15.0 is one word or two). Validators must agree on it, so
    # it is part of the id, and a node on another database refuses the checkpoint (review 8, 2a).
    h.update(f"u\x00{unicodedata.unidata_version}\n".encode())
    h.update(repr(sorted(_PLAIN.items())).encode())
    h.update(repr(_CLAUSE_WIDE).encode())
    h.update(f"s\x00{_SPLIT.pattern}\x00{_CAMEL.pattern}\x00{_CLAUSE_TOKENS.pattern}\x00{CLAUSE}\n".encode())
    h.update(f"i\x00{_COMPOUND.pattern}\x00{_COMPOUND_SEP.pattern}\x00mixed, another digit\n".encode())
    for w in sorted(WORDS):
        h.update(f"w\x00{w}\x00{WORDS[w]}\n".encode())
    for w in sorted(COLOURS):
        h.update(f"c\x00{w}\x00{COLOURS[w]}\n".encode())
    for w in sorted(NEGATORS):
        h.update(f"n\x00{w}\n".encode())
    for w in sorted(POST_NEGATORS):
        h.update(f"p\x00{w}\n".encode())
    for w in sorted(NEGATION_FILLERS):
        h.update(f"l\x00{w}\n".encode())
    for w in sorted(DETERMINER_NEGATORS):
        h.update(f"d\x00{w}\n".encode())
    for w in sorted(NEGATION_VERBS):
        h.update(f"v\x00{w}\n".encode())
    for w, fs in GATED_NEGATORS.items():
        h.update(f"g\x00{w}\x00{' '.join(sorted(fs))}\n".encode())
    h.update(f"m\x00{_COLOUR_MAX_WORDS}\x00{_POST_REACH}\x00{' '.join(_POST_PARTICLES)}\n".encode())
    h.update(f"t\x00{_POST_NOT}\x00{_POST_NOT_REACH}\x00{' '.join(sorted(_POST_NOT_VERBS))}\n".encode())
    for f in sorted(FIELD_NAMES):
        h.update(f"f\x00{f}\n".encode())
    return f"{LEXICON_VERSION}#{h.hexdigest()[:16]}"


LEXICON_ID = _lexicon_id()
