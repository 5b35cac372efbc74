"""A small, versioned knowledge prior: priority and severity words and field names in several languages.

The definition of importance says a record matters when it "carries explicit
priority or severity". Whether ``"kritisch"`` or ``"P0"`` is such a word is
world knowledge, not something a window of records can teach; this lexicon
is that knowledge, kept deliberately small and general (standard severity
scales, syslog levels, P0-P4 / SEV1-4, and the common words for
critical/high/medium/low/error/warning/urgent in about fifteen languages).

Version 2 (session 8) adds three pieces of general knowledge that three
independently written held-out families all leaned on:

* **alert colours** (:data:`COLOURS`): green < yellow < orange/amber < red,
  the scale of weather, flood, aviation and hospital warnings, in the same
  languages. A colour is ambiguous (a red car is not an alarm), so it is a
  feature channel of its own, read only from short categorical values
  (:func:`colour_weight`): the model learns from the field's name and the
  value's rarity when a colour is a warning;
* **negation** (:func:`text_priority`): "not urgent", "kein Alarm",
  "acil değil" say routine. A priority word right after a negator, or right
  before a postposed one (Turkish değil/yok, Japanese nai), counts as a
  routine word (weight 0);
* more **danger and hazard** words and field names (risk, hazard, threat,
  danger, warning, distress calls such as mayday and SOS).

It lives in the featurizer, so it is part of the model: :data:`LEXICON_ID`
(a hash of the version and every entry) is written into the checkpoint's
metadata, and the checkpoint's CID -- the model id in every block header --
therefore changes whenever the lexicon does. The featurizer also refuses a
checkpoint whose lexicon id differs from this module's.

Words are matched after :func:`normalize`: lower case, accents stripped
(NFKD), split at non-alphanumerics and at camelCase boundaries, so
``"CRÍTICO"``, ``"severityLevel"`` and ``"alert-level"`` all match.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["COLOURS", "FIELD_NAMES", "LEXICON_ID", "LEXICON_VERSION", "NEGATORS", "WORDS", "colour_weight",
           "normalize", "priority_words", "split_words", "text_priority", "word_weight"]

LEXICON_VERSION = "attnshare-lexicon/2"

# Weight of a word as explicit priority: 1 critical, 0.75 high/error, 0.45 medium/warning,
# 0.15 low, 0 explicitly routine (info, ok): knowing "info" is not news is knowledge too.
_LEVELS: dict[float, tuple[str, ...]] = {
    1.0: ("critical", "crit", "fatal", "emergency", "emerg", "panic", "blocker", "catastrophic", "severe",
          "p0", "sev0", "sev1", "disaster", "outage", "mayday", "sos", "evacuate", "evacuation", "imminent",
          "lifethreatening",
          "critico", "critica", "grave", "kritisch", "notfall", "critique", "kritiek", "krytyczny", "kritik",
          "kritisk", "akut", "acil", "kriticheskiy", "avariya", "kinkyu", "kinkyuu", "juudai", "jinji", "yanzhong",
          "критический", "критично", "авария", "緊急", "重大", "严重", "紧急", "致命"),
    0.75: ("high", "error", "err", "major", "alert", "urgent", "alarm", "failure", "failed", "fail", "danger",
           "p1", "sev2", "important", "escalated", "danger", "dangerous", "immediate", "hazardous",
           "peligro", "gefahr", "pericolo", "perigo", "gevaar", "zagrozenie", "niebezpieczenstwo", "tehlike",
           "fara", "opasnost", "kiken", "weixian",
           "alto", "alta", "urgente", "error", "erro", "errore", "hoch", "dringend", "fehler", "alarme", "eleve",
           "elevee", "erreur", "hoog", "fout", "wysoki", "pilny", "blad", "yuksek", "hata", "hog", "fel",
           "bradskande", "vysokiy", "oshibka", "srochno", "ijou", "gaojing", "cuowu", "gao",
           "высокий", "ошибка", "срочно", "異常", "错误", "告警", "高"),
    0.45: ("medium", "moderate", "warning", "warn", "elevated", "caution", "p2", "sev3", "degraded", "hazard",
           "vorsicht", "attention", "atencion", "attenzione", "atencao", "uwaga", "dikkat",
           "medio", "media", "advertencia", "aviso", "mittel", "warnung", "moyen", "moyenne", "avertissement",
           "avviso", "gemiddeld", "waarschuwing", "sredni", "ostrzezenie", "orta", "uyari", "medel", "varning",
           "sredniy", "preduprezhdenie", "keikoku", "chuui", "jinggao", "zhong",
           "средний", "предупреждение", "警告", "注意", "中"),
    0.15: ("low", "minor", "notice", "p3", "sev4", "bajo", "baja", "niedrig", "faible", "bas", "basse", "baixo",
           "basso", "laag", "niski", "dusuk", "lag", "nizkiy", "di", "низкий", "低"),
    0.0: ("info", "information", "informational", "debug", "trace", "ok", "normal", "none", "routine", "p4",
          "verbose", "informacion", "hinweis", "informatie", "informacja", "bilgi", "информация", "信息"),
}

# Alert colours, lowest to highest: the colour scales of warnings (weather, floods, volcanoes, hospitals).
# Black tops some scales (Hong Kong's rainstorm signals: amber, red, black): with red.
_COLOUR_LEVELS: dict[float, tuple[str, ...]] = {
    1.0: ("black", "schwarz", "noir", "noire", "negro", "negra", "nero", "nera", "preto", "preta", "zwart", "czarny",
          "czarna", "siyah", "kara", "chernyy", "musta", "svart", "sort", "fekete", "cerny", "черный", "黑", "黒",
          "red", "rot", "rouge", "rojo", "roja", "rosso", "rossa", "vermelho", "vermelha", "rood", "czerwony",
          "czerwona", "czerwone", "kirmizi", "krasnyy", "krasnaya", "punainen", "rod", "rodt", "piros", "cerveny",
          "красный", "红", "赤"),
    0.67: ("orange", "amber", "naranja", "arancione", "arancio", "laranja", "oranje", "pomaranczowy",
           "pomaranczowa", "turuncu", "oranzhevyy", "ambar", "ambra", "оранжевый", "橙"),
    0.33: ("yellow", "gelb", "jaune", "amarillo", "amarilla", "giallo", "gialla", "amarelo", "amarela", "geel",
           "zolty", "zolta", "zolte", "sari", "zheltyy", "gul", "keltainen", "желтый", "黄"),
    0.0: ("green", "grun", "gruen", "vert", "verte", "verde", "groen", "zielony", "zielona", "zielone", "yesil",
          "zelenyy", "gron", "vihrea", "white", "weiss", "blanc", "blanche", "blanco", "blanca", "bianco", "bianca",
          "branco", "branca", "wit", "bialy", "biala", "beyaz", "blue", "blau", "bleu", "azul", "blu", "blauw",
          "niebieski", "mavi", "зеленый", "белый", "синий", "绿", "白", "蓝", "緑"),
}
COLOURS: dict[str, float] = {}
for _w, _words in sorted(_COLOUR_LEVELS.items(), reverse=True):
    for _x in _words:
        COLOURS.setdefault(_x, _w)

# Words that negate the priority word right after them ("not urgent", "kein Alarm", "non urgente",
# "nie pilne"), and postposed negators that negate the word right before them ("acil değil").
NEGATORS: frozenset[str] = frozenset((
    "not", "no", "non", "never", "without", "nicht", "kein", "keine", "keinen", "ohne", "pas", "sans", "sin",
    "nunca", "nao", "senza", "mai", "niet", "geen", "zonder", "nie", "bez", "ej", "inte", "ikke", "ei", "ne",
    "net", "не", "нет", "без", "不", "没有", "无",
))
POST_NEGATORS: frozenset[str] = frozenset(("degil", "yok", "nai", "janai", "nashi"))
_COLOUR_MAX_WORDS = 3  # a colour counts only in a short categorical value ("RED", "code red", "alerta roja")

WORDS: dict[str, float] = {}
for _w, _words in sorted(_LEVELS.items(), reverse=True):
    for _x in _words:
        WORDS.setdefault(_x, _w)

# Field names that announce a priority or severity (matched on any normalized part of the name).
FIELD_NAMES: frozenset[str] = frozenset((
    "severity", "sev", "priority", "prio", "pri", "level", "lvl", "urgency", "urgent", "criticality", "critical",
    "importance", "alert", "alarm", "emergency", "escalated", "escalation",
    "risk", "hazard", "threat", "danger", "warning", "warn",
    "riesgo", "peligro", "alerta", "alarma", "alarme", "risiko", "gefahr", "warnung", "risque", "alerte", "rischio", "pericolo",
    "allerta", "allarme", "risco", "perigo", "risico", "gevaar", "waarschuwing", "ryzyko", "zagrozenie",
    "ostrzezenie", "tehlike", "uyari", "fara", "varning", "opasnost", "ugroza", "trevoga", "kiken", "keihou",
    "fengxian", "jingbao", "риск", "опасность", "тревога", "危険", "警報", "风险", "警报",
    "gravedad", "prioridad", "nivel", "urgencia", "schweregrad", "prioritaet", "prioritat", "stufe", "dringlichkeit",
    "gravite", "priorite", "niveau", "urgence", "gravidade", "prioridade", "urgencia", "gravita", "priorita",
    "livello", "urgenza", "ernst", "prioriteit", "urgentie", "waga", "priorytet", "poziom", "oncelik", "seviye",
    "aciliyet", "allvarlighet", "prioritet", "niva", "vazhnost", "prioritet", "uroven", "juuyoudo", "yuusendo",
    "youxianji", "jibie", "важность", "приоритет", "уровень", "重要度", "優先度", "优先级", "级别",
))

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^\w]+|_", re.UNICODE)


# Letters NFKD does not decompose, spelled as their plain Latin neighbours (Turkish dotless i,
# Polish l with stroke, Nordic o with stroke, German sharp s...): "kırmızı", "błąd", "rød" match.
_PLAIN = str.maketrans({"ı": "i", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ß": "ss",
                        "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe"})


def normalize(text: str) -> str:
    """Lower case with accents stripped (NFKD, combining marks dropped; see ``_PLAIN``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def split_words(text: str) -> list[str]:
    """Normalized words of a name or value: camelCase, snake_case, kebab, dotted and spaced all split."""
    return [w for w in _SPLIT.split(normalize(_CAMEL.sub(" ", text))) if w]


def word_weight(word: str) -> float | None:
    """Lexicon weight of one normalized word, or None when it is not a priority word."""
    return WORDS.get(word)


def priority_words(words: list[str]) -> list[tuple[str, float]]:
    """The lexicon words among normalized ``words`` with their weights, a negated word at 0
    ("not urgent", "no critical alarm", "acil değil", "kinkyuu de nai": routine). A negator
    negates the run of lexicon words right after it; a postposed one the word one or two before it."""
    out = []
    last = len(words) - 1
    negated = False  # a negator's scope: the run of lexicon words right after it ("no critical alarm")
    for i, w in enumerate(words):
        x = WORDS.get(w)
        if x is None:
            negated = w in NEGATORS
            continue
        negated = negated or (i > 0 and words[i - 1] in NEGATORS)
        if x > 0 and (negated or (i < last and words[i + 1] in POST_NEGATORS)
                      or (i + 2 <= last and words[i + 2] in POST_NEGATORS)):
            x = 0.0
        out.append((w, x))
    return out


def text_priority(words: list[str]) -> float:
    """Highest weight of :func:`priority_words` (a negated word counts 0); -1 when there is none."""
    return max((x for _, x in priority_words(words)), default=-1.0)


def colour_weight(words: list[str]) -> float:
    """Alert-colour weight of a short categorical value's normalized ``words`` (0 green .. 1 red);
    -1 when it names no colour or is longer than a label (a colour in free text is not an alert)."""
    if not words or len(words) > _COLOUR_MAX_WORDS:
        return -1.0
    best = -1.0
    for w in words:
        x = COLOURS.get(w)
        if x is not None and x > best:
            best = x
    return best


def _lexicon_id() -> str:
    h = hashlib.sha256(LEXICON_VERSION.encode())
    h.update(repr(sorted(_PLAIN.items())).encode())
    for w in sorted(WORDS):
        h.update(f"w\x00{w}\x00{WORDS[w]}\n".encode())
    for w in sorted(COLOURS):
        h.update(f"c\x00{w}\x00{COLOURS[w]}\n".encode())
    for w in sorted(NEGATORS):
        h.update(f"n\x00{w}\n".encode())
    for w in sorted(POST_NEGATORS):
        h.update(f"p\x00{w}\n".encode())
    h.update(f"m\x00{_COLOUR_MAX_WORDS}\n".encode())
    for f in sorted(FIELD_NAMES):
        h.update(f"f\x00{f}\n".encode())
    return f"{LEXICON_VERSION}#{h.hexdigest()[:16]}"


LEXICON_ID = _lexicon_id()
