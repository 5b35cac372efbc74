"""Lexicon version 11: field names of a deadline or a response target (node/attention/lexicon_deadlines.py)."""

from __future__ import annotations

import pytest

from node.attention import lexicon
from node.attention.lexicon import (
    _REVIEW_DROPS,
    COLOURS,
    DETERMINER_NEGATORS,
    FIELD_NAMES,
    GATED_NEGATORS,
    LEXICON_ID,
    LEXICON_VERSION,
    NEGATION_FILLERS,
    NEGATION_VERBS,
    NEGATORS,
    POST_NEGATORS,
    WORDS,
    is_field_name,
)
from node.attention.lexicon_deadlines import DEADLINE_DROPS, DEADLINE_FIELDS

_ACRONYMS = frozenset({"sla"})
_ALL = [(code, raw) for code, s in DEADLINE_FIELDS.items() for raw in lexicon._items(s)]


def _ideographic(word: str) -> bool:
    # Han and kana: a character is a morpheme or a syllable, so two of them make a word (締切, 期限).
    return all(0x3005 <= ord(c) <= 0x30FF or 0x3400 <= ord(c) <= 0x9FFF for c in word)


def test_version() -> None:
    assert LEXICON_VERSION == "attnshare-lexicon/11"
    assert LEXICON_ID.startswith("attnshare-lexicon/11#")


def test_every_code_is_registered_and_every_entry_is_built() -> None:
    assert set(DEADLINE_FIELDS) <= set(lexicon._LANGS)
    assert len(_ALL) >= 400
    assert len(DEADLINE_FIELDS) >= 60
    for code, raw in _ALL:
        assert raw, code
        assert raw == raw.strip(), (code, raw)
        e = lexicon._entry(raw)
        assert e in FIELD_NAMES, (code, raw, e)
        assert e not in _REVIEW_DROPS, (code, raw)
        assert is_field_name(raw), (code, raw)


def test_no_entry_collides_with_another_table() -> None:
    tables = (WORDS, COLOURS, NEGATORS, POST_NEGATORS, GATED_NEGATORS, NEGATION_FILLERS, DETERMINER_NEGATORS,
              NEGATION_VERBS, _REVIEW_DROPS)
    for code, raw in _ALL:
        e = lexicon._entry(raw)
        for table in tables:
            assert e not in table, (code, raw)


def test_no_short_single_word_but_the_acronyms() -> None:
    for code, raw in _ALL:
        e = lexicon._entry(raw)
        if " " not in e and not _ideographic(e):
            assert len(e) > 3 or e in _ACRONYMS, (code, raw)


def test_the_drops_are_out() -> None:
    entries = {lexicon._entry(raw) for _, raw in _ALL}
    for key in DEADLINE_DROPS:
        for raw in lexicon._items(key):
            assert lexicon._entry(raw) not in entries, raw
    for raw in ("due", "term", "limit", "time limit", "termin", "eta", "ttr", "mttr", "service level", "time left"):
        assert lexicon._entry(raw) not in FIELD_NAMES, raw


# (language, a realistic field name, the entry it is read by)
_TRUE = [
    ("std", "sla_minutes", "sla"), ("std", "slaBreachAt", "sla"), ("en", "deadline", "deadline"),
    ("en", "ticket.deadline_ts", "deadline"), ("en", "dueDate", "due date"), ("en", "due_by_h", "due by"),
    ("en", "due_in_min", "due in"), ("en", "dueAt", "due at"), ("en", "response_time_min", "response time"),
    ("en", "responseTargetMs", "response target"), ("en", "time_to_respond_s", "time to respond"),
    ("en", "reaction-time", "reaction time"), ("en", "time_to_resolve_h", "time to resolve"),
    ("en", "resolutionTime", "resolution time"), ("en", "time_to_repair", "time to repair"),
    ("en", "countdown_s", "countdown"), ("en", "respond_within_min", "respond within"),
    ("de", "Reaktionszeit_s", "reaktionszeit"), ("de", "antwortzeitMs", "antwortzeit"), ("de", "frist_tage", "frist"),
    ("de", "Fälligkeit", "falligkeit"), ("de", "faelligkeitsdatum", "faelligkeitsdatum"),
    ("nl", "reactietijd_min", "reactietijd"), ("nl", "vervaldatum", "vervaldatum"), ("nl", "termijn_dagen", "termijn"),
    ("sv", "svarstid_min", "svarstid"), ("sv", "förfallodatum", "forfallodatum"), ("da", "fristen", "fristen"),
    ("no", "reaksjonstid", "reaksjonstid"), ("is", "svartími", "svartimi"), ("af", "sperdatum", "sperdatum"),
    ("es", "plazo_horas", "plazo"), ("es", "tiempoDeRespuesta", "tiempo de respuesta"),
    ("es", "fecha_limite", "fecha limite"), ("pt", "prazo", "prazo"), ("pt", "tempo_de_resposta_min",
                                                                      "tempo de resposta"),
    ("pt", "tempoDeReacao", "tempo de reacao"), ("fr", "echeance", "echeance"),
    ("fr", "delai_de_reponse_h", "delai de reponse"), ("fr", "temps_de_reponse", "temps de reponse"),
    ("fr", "date_limite", "date limite"), ("it", "scadenza", "scadenza"), ("it", "tempo_di_risposta",
                                                                            "tempo di risposta"),
    ("ca", "temps_de_resposta", "temps de resposta"), ("ro", "termen_limita", "termen limita"),
    ("ro", "timp_de_raspuns", "timp de raspuns"), ("pl", "czas_reakcji_min", "czas reakcji"),
    ("pl", "terminRealizacji", "termin realizacji"), ("cs", "lhuta_dny", "lhuta"), ("cs", "doba_odezvy",
                                                                                 "doba odezvy"),
    ("sk", "lehota", "lehota"), ("hr", "krajnji_rok", "krajnji rok"), ("sr", "vreme_odziva", "vreme odziva"),
    ("sl", "odzivni_cas", "odzivni cas"), ("bg", "srok", "srok"), ("ru", "срок_дней", "срок"),
    ("ru", "vremya_reaktsii", "vremya reaktsii"), ("ru", "время_реакции_мин", "время реакции"),
    ("uk", "крайній_термін", "крайній термін"), ("lt", "reakcijos_laikas", "reakcijos laikas"),
    ("lv", "reakcijas_laiks", "reakcijas laiks"), ("et", "tähtaeg", "tahtaeg"), ("fi", "vasteaika_min", "vasteaika"),
    ("fi", "eräpäivä", "erapaiva"), ("hu", "hatarido", "hatarido"), ("hu", "valaszido_perc", "valaszido"),
    ("el", "προθεσμία", "προθεσμία"), ("el", "prothesmia", "prothesmia"), ("tr", "yanit_suresi", "yanit suresi"),
    ("tr", "tepkiSuresi", "tepki suresi"), ("tr", "son_tarih", "son tarih"), ("az", "son_muddet", "son muddet"),
    ("kk", "соңғы_мерзім", "соңғы мерзім"), ("hy", "verjnazhamket", "verjnazhamket"),
    ("ar", "الموعد_النهائي", "الموعد النهائي"), ("ar", "زمن_الاستجابة", "زمن الاستجابة"), ("fa", "mohlat", "mohlat"),
    ("fa", "سررسید", "سررسید"), ("he", "זמן_תגובה", "זמן תגובה"), ("ur", "aakhri_tareekh", "aakhri tareekh"),
    ("hi", "samay_seema", "samay seema"), ("hi", "समय सीमा", "समय सीमा"), ("bn", "somoysima", "somoysima"),
    ("ta", "kalakkedu", "kalakkedu"), ("te", "gaduvu", "gaduvu"), ("ml", "samayaparidhi", "samayaparidhi"),
    ("th", "เส้นตาย", "เส้นตาย"), ("vi", "han_chot", "han chot"), ("vi", "thoiGianPhanHoi", "thoi gian phan hoi"),
    ("id", "tenggat_waktu", "tenggat"), ("id", "jatuh_tempo", "jatuh tempo"), ("ms", "tarikh_akhir", "tarikh akhir"),
    ("tl", "takdang_petsa", "takdang petsa"), ("sw", "tarehe_ya_mwisho", "tarehe ya mwisho"),
    ("sq", "afati", "afati"), ("ga", "spriocdhata", "spriocdhata"), ("cy", "dyddiad_cau", "dyddiad cau"),
    ("eu", "epemuga", "epemuga"), ("eo", "limdato", "limdato"), ("zh", "截止时间", "截止时间"),
    ("zh", "jiezhi_shijian", "jiezhi shijian"), ("zh", "xiangyingShijian", "xiangying shijian"),
    ("ja", "締切", "締切"), ("ja", "shimekiri", "shimekiri"), ("ja", "応答時間_ms", "応答時間"),
    ("ko", "마감_시간", "마감"), ("ko", "응답시간", "응답시간"),
]


def _without(entry: str, monkeypatch: pytest.MonkeyPatch) -> None:
    rest = FIELD_NAMES - {entry}
    monkeypatch.setattr(lexicon, "FIELD_NAMES", rest)
    monkeypatch.setattr(lexicon, "_FIELD_PHRASES", lexicon._phrase_index(rest))


@pytest.mark.parametrize(("lang", "name", "entry"), _TRUE)
def test_a_deadline_field_is_read(lang: str, name: str, entry: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert is_field_name(name), (lang, name)
    if not any(c.isupper() for c in name[1:]):  # upper case joins camelCase words: only a name without
        assert is_field_name(name.upper()), (lang, name)
    assert is_field_name(f"task.{name}"), (lang, name)
    # It is read by its version-11 entry, and by nothing else.
    e = lexicon._entry(entry)
    assert any(lexicon._entry(raw) == e for _, raw in _ALL), (lang, entry)
    _without(e, monkeypatch)
    assert not is_field_name(name), (lang, name, entry)


def test_the_languages_and_styles_covered() -> None:
    assert len({lang for lang, _, _ in _TRUE}) >= 30
    names = [n for _, n, _ in _TRUE]
    assert any("_" in n for n in names)
    assert any(n != n.lower() and "_" not in n for n in names)  # camelCase
    assert any("." in n for n in names)
    assert any(n.endswith(("_min", "_h", "Ms", "_s", "_ms")) for n in names)


@pytest.mark.parametrize("name", [
    "eta", "eta_min", "duration_s", "latency_ms", "timeout", "timeout_ms", "elapsed", "elapsed_s", "expiry_date",
    "expiration", "best_before", "uptime_h", "target_temp", "targetHost", "score", "points", "term", "loan_term",
    "limit", "rate_limit", "credit_limit", "time_limit", "date", "end_time", "final_score", "response_code",
    "response_bytes", "responseSize", "time", "due", "amount_due", "arrival_time", "cutoff_freq", "mttr_h",
    "service_name", "time_left", "battery_time_remaining", "lead_time", "turnaround_time", "target_date",
    # other languages' routine names
    "termin", "Termin_Ort", "terminal_id", "stichtag", "lieferzeit", "dauer", "ablaufdatum", "ankunftszeit",
    "fecha", "duracion", "vencimiento", "fecha_de_caducidad", "délai", "delai_livraison", "durée", "data",
    "durata", "rok", "czas_trwania", "datum", "termen", "termini", "tijd", "duur", "lejarat", "odpocet",
    "vreme", "время", "длительность", "süre", "sure", "tarih", "batas_waktu", "thoi_han", "kigen", "vada", "magam",
    "gihan", "sroki", "terminas", "fristende", "時間", "日期", "時限", "到期日", "시간", "날짜", "मुदत",
])
def test_a_routine_field_is_not_read(name: str) -> None:
    assert not is_field_name(name), name
