"""A small, versioned knowledge prior: priority and severity words and field names in several languages.

The definition of importance says a record matters when it "carries explicit
priority or severity". Whether ``"kritisch"`` or ``"P0"`` is such a word is
world knowledge, not something a window of records can teach; this lexicon
is that knowledge, kept deliberately small and general (standard severity
scales, syslog levels, P0-P4 / SEV1-4, and the common words for
critical/high/medium/low/error/warning/urgent in about fifteen languages).

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

__all__ = ["FIELD_NAMES", "LEXICON_ID", "LEXICON_VERSION", "WORDS", "normalize", "split_words", "word_weight"]

LEXICON_VERSION = "attnshare-lexicon/1"

# Weight of a word as explicit priority: 1 critical, 0.75 high/error, 0.45 medium/warning,
# 0.15 low, 0 explicitly routine (info, ok): knowing "info" is not news is knowledge too.
_LEVELS: dict[float, tuple[str, ...]] = {
    1.0: ("critical", "crit", "fatal", "emergency", "emerg", "panic", "blocker", "catastrophic", "severe",
          "p0", "sev0", "sev1", "disaster", "outage",
          "critico", "critica", "grave", "kritisch", "notfall", "critique", "kritiek", "krytyczny", "kritik",
          "kritisk", "akut", "acil", "kriticheskiy", "avariya", "kinkyu", "juudai", "jinji", "yanzhong",
          "критический", "критично", "авария", "緊急", "重大", "严重", "紧急", "致命"),
    0.75: ("high", "error", "err", "major", "alert", "urgent", "alarm", "failure", "failed", "fail", "danger",
           "p1", "sev2", "important", "escalated",
           "alto", "alta", "urgente", "error", "erro", "errore", "hoch", "dringend", "fehler", "alarme", "eleve",
           "elevee", "erreur", "hoog", "fout", "wysoki", "pilny", "blad", "yuksek", "hata", "hog", "fel",
           "bradskande", "vysokiy", "oshibka", "srochno", "ijou", "gaojing", "cuowu", "gao",
           "высокий", "ошибка", "срочно", "異常", "错误", "告警", "高"),
    0.45: ("medium", "moderate", "warning", "warn", "elevated", "caution", "p2", "sev3", "degraded",
           "medio", "media", "advertencia", "aviso", "mittel", "warnung", "moyen", "moyenne", "avertissement",
           "avviso", "gemiddeld", "waarschuwing", "sredni", "ostrzezenie", "orta", "uyari", "medel", "varning",
           "sredniy", "preduprezhdenie", "keikoku", "chuui", "jinggao", "zhong",
           "средний", "предупреждение", "警告", "注意", "中"),
    0.15: ("low", "minor", "notice", "p3", "sev4", "bajo", "baja", "niedrig", "faible", "bas", "basse", "baixo",
           "basso", "laag", "niski", "dusuk", "lag", "nizkiy", "di", "низкий", "低"),
    0.0: ("info", "information", "informational", "debug", "trace", "ok", "normal", "none", "routine", "p4",
          "verbose", "informacion", "hinweis", "informatie", "informacja", "bilgi", "информация", "信息"),
}

WORDS: dict[str, float] = {}
for _w, _words in sorted(_LEVELS.items(), reverse=True):
    for _x in _words:
        WORDS.setdefault(_x, _w)

# Field names that announce a priority or severity (matched on any normalized part of the name).
FIELD_NAMES: frozenset[str] = frozenset((
    "severity", "sev", "priority", "prio", "pri", "level", "lvl", "urgency", "urgent", "criticality", "critical",
    "importance", "alert", "alarm", "emergency", "escalated", "escalation",
    "gravedad", "prioridad", "nivel", "urgencia", "schweregrad", "prioritaet", "prioritat", "stufe", "dringlichkeit",
    "gravite", "priorite", "niveau", "urgence", "gravidade", "prioridade", "urgencia", "gravita", "priorita",
    "livello", "urgenza", "ernst", "prioriteit", "urgentie", "waga", "priorytet", "poziom", "oncelik", "seviye",
    "aciliyet", "allvarlighet", "prioritet", "niva", "vazhnost", "prioritet", "uroven", "juuyoudo", "yuusendo",
    "youxianji", "jibie", "важность", "приоритет", "уровень", "重要度", "優先度", "优先级", "级别",
))

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[^\w]+|_", re.UNICODE)


def normalize(text: str) -> str:
    """Lower case with accents stripped (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def split_words(text: str) -> list[str]:
    """Normalized words of a name or value: camelCase, snake_case, kebab, dotted and spaced all split."""
    return [w for w in _SPLIT.split(normalize(_CAMEL.sub(" ", text))) if w]


def word_weight(word: str) -> float | None:
    """Lexicon weight of one normalized word, or None when it is not a priority word."""
    return WORDS.get(word)


def _lexicon_id() -> str:
    h = hashlib.sha256(LEXICON_VERSION.encode())
    for w in sorted(WORDS):
        h.update(f"w\x00{w}\x00{WORDS[w]}\n".encode())
    for f in sorted(FIELD_NAMES):
        h.update(f"f\x00{f}\n".encode())
    return f"{LEXICON_VERSION}#{h.hexdigest()[:16]}"


LEXICON_ID = _lexicon_id()
