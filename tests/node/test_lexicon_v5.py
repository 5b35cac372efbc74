"""Lexicon v5: romanized negators for the romanized priority words, and gated negators."""

from __future__ import annotations

import time

import pytest

from node.attention import lexicon
from node.attention.features import _text_priority
from node.attention.lexicon import (
    _REVIEW_DROPS,
    COLOURS,
    FIELD_NAMES,
    GATED_NEGATORS,
    LEXICON_ID,
    LEXICON_VERSION,
    NEGATION_FILLERS,
    NEGATORS,
    POST_NEGATORS,
    WORDS,
    clause_words,
    priority_words,
    text_priority,
)

CRIT, HIGH = 1.0, 0.75


def tp(text: str) -> float:
    return _text_priority(text)


def test_version_and_id() -> None:
    assert LEXICON_VERSION == "attnshare-lexicon/11"
    assert LEXICON_ID.startswith("attnshare-lexicon/11#")
    assert lexicon._lexicon_id() == LEXICON_ID
    # The gated negators and their followers are part of the model id.
    saved = lexicon.GATED_NEGATORS
    try:
        lexicon.GATED_NEGATORS = {**saved, "den": saved["den"] | {"zzverb"}}
        assert lexicon._lexicon_id() != LEXICON_ID
    finally:
        lexicon.GATED_NEGATORS = saved


# (language, a routine negated sentence, the same sentence without its negator). The first reads
# 0 (routine), the second the priority word's weight.
_NEGATED = [
    ("el", "Den einai epeigon.", "Einai epeigon."),
    ("el", "Ochi epeigon.", "Epeigon."),
    ("el", "Kanenas kindynos.", "Kindynos."),
    ("el", "Den yparchei kindynos", "Yparchei kindynos"),
    ("ru", "nikakaya trevoga", "trevoga"),
    ("ru", "ne ochen srochno", "ochen srochno"),
    ("uk", "zhodna pomylka", "pomylka"),
    ("uk", "ne duzhe vazhlyvo", "duzhe vazhlyvo"),
    ("bg", "nikakva greshka", "greshka"),
    ("bg", "ne e speshno", "e speshno"),
    ("sr", "nikakva opasnost", "opasnost"),
    ("sr", "ništa hitno", "hitno"),
    ("sr", "није хитно", "хитно"),
    ("hr", "nije jako hitno", "jako hitno"),
    ("sl", "ni nujno", "nujno"),
    ("sl", "ni zelo pomembno", "zelo pomembno"),
    ("sl", "nobena napaka", "napaka"),
    ("ro", "nu este urgent", "este urgent"),
    ("ro", "nu e grav", "e grav"),
    ("ro", "nu a fost grav", "a fost grav"),
    ("ro", "nu periculos", "periculos"),
    ("ga", "níl sé práinneach", "tá sé práinneach"),
    ("ga", "níl aon bhaol", "tá bhaol"),
    ("ga", "gan aon bhaol", "bhaol"),
    ("cy", "dim perygl", "perygl"),
    ("cy", "ddim yn brys", "yn brys"),
    ("ca", "sense perill", "perill"),
    ("lt", "nėra skubu", "skubu"),
    ("lt", "jokia klaida", "klaida"),
    ("lv", "nav steidzami", "steidzami"),
    ("lv", "nav tik bīstami", "tik bīstami"),
    ("lv", "nekādas briesmas", "briesmas"),
    ("id", "tak penting", "penting"),
    ("id", "tak ada bahaya", "ada bahaya"),
    ("id", "gak penting", "penting"),
    ("id", "nggak bahaya", "bahaya"),
    ("jv", "ora penting", "penting"),
    ("jv", "mboten bebaya", "bebaya"),
    ("sw", "bila hatari", "hatari"),
    ("hi", "khatra nahee", "khatra"),
    ("mr", "dhokadayak naahi", "dhokadayak"),
    ("ne", "mahatwapurna chaina", "mahatwapurna"),
    ("bn", "joruri noy", "joruri"),
    ("ar", "mish muhim", "muhim"),
    ("ar", "mafish khatar", "khatar"),
    ("ar", "la yujad khatar", "yujad khatar"),
    ("ar", "ma fi khatar", "fi khatar"),
    ("fa", "hich khatar", "khatar"),
    ("fa", "khatarnak nadarad", "khatarnak"),
    ("he", "lo dachuf", "dachuf"),
    ("ko", "wiheom eopda", "wiheom"),
    ("ko", "gingeup anida", "gingeup"),
    ("ja", "kiken arimasen", "kiken"),
    ("ja", "kinkyuu dewanai", "kinkyuu"),
    ("zh", "bu yanzhong", "yanzhong"),
    ("zh", "bu shi weixian", "shi weixian"),
    ("zh", "mei you weixian", "you weixian"),
    ("th", "mai samkhan", "samkhan"),
    ("th", "mai mi antarai", "mi antarai"),
    ("sq", "pa rrezik", "rrezik"),
    ("tr", "kritik olmayan", "kritik"),
    ("az", "təcili olmayan", "təcili"),
    ("ha", "babu haɗari", "haɗari"),
    ("ig", "enweghị ihe egwu", "ihe egwu"),
    ("so", "aan degdeg", "degdeg"),
    ("so", "degdeg aan ahayn", "degdeg"),
    ("so", "bilaa khatar", "khatar"),
    ("kk", "qauip zhoq", "qauip"),
    ("uz", "hech qanday xavf", "xavf"),
    ("tk", "howply däldir", "howply"),
    ("ka", "ar aris sashishi", "aris sashishi"),
    ("ka", "sashishi araa", "sashishi"),
    ("ka", "aranairi sashishi", "sashishi"),
    ("hy", "voch shtap", "shtap"),
    ("hy", "vtang chka", "vtang"),
    ("hy", "arants vtang", "vtang"),
    ("ta", "aabathu illaamal", "aabathu"),
    ("te", "pramadakaram kaadu", "pramadakaram"),
    ("te", "atyavasaram ledhu", "atyavasaram"),
    ("si", "anathuru nathi", "anathuru"),
    ("mn", "ayuul baikhgui", "ayuul"),
    ("mn", "yaraltai ugui", "yaraltai"),
    ("lb", "net dréngend", "dréngend"),
    ("lb", "keen Noutfall", "Noutfall"),
    ("lb", "keng Gefor", "Gefor"),
    ("af", "sonder gevaar", "gevaar"),
    ("af", "nooit gevaarlik", "gevaarlik"),
    ("ht", "pa gen danje", "gen danje"),
    ("ht", "pa enpòtan", "enpòtan"),
    ("ht", "san danje", "danje"),
    ("ht", "okenn danje", "danje"),
]


@pytest.mark.parametrize(("lang", "negated", "plain"), _NEGATED)
def test_a_romanized_negation_reads_routine(lang: str, negated: str, plain: str) -> None:
    assert priority_words(clause_words(negated)), (lang, negated)  # a priority word, negated
    assert tp(negated) == 0.0, (lang, negated)
    assert tp(negated.upper()) == 0.0, (lang, negated)
    assert tp(plain) > 0.0, (lang, plain)


@pytest.mark.parametrize(("lang", "negated", "plain"), _NEGATED)
def test_a_clause_mark_still_ends_the_scope(lang: str, negated: str, plain: str) -> None:
    for mark in ("; ", ". ", "! ", "\n"):
        assert tp(f"{negated}{mark}KRISIMO") == CRIT, (lang, negated, mark)
    # A postposed negator does not reach back across a clause either.
    assert tp(f"{plain}; {negated}") == tp(plain), (lang, plain)


def test_the_greek_examples() -> None:
    assert tp("den einai epeigon; KRISIMO") == CRIT
    assert tp("Den einai epeigon.") == 0.0
    assert tp("Ochi epeigon.") == 0.0
    assert tp("Kanenas kindynos.") == 0.0


# A gated or short negator in its other languages' senses: the priority word after it still reads.
_OTHER_SENSE = [
    ("de", "den kritischen Fehler", HIGH), ("de", "für den Notfall", CRIT), ("da", "den er kritisk", CRIT),
    ("no", "den er kritisk", CRIT), ("sv", "den är kritisk", CRIT), ("sv", "Det är kritiskt läge, larm", HIGH),
    ("sv", "är kritisk", CRIT), ("es", "la alarma", HIGH), ("es", "la emergencia", CRIT), ("fr", "la panne", HIGH),
    ("es", "lo urgente", HIGH), ("it", "lo stato è critico", CRIT), ("ro", "mai urgent", HIGH),
    ("it", "mai critico", CRIT), ("nl", "nu kritiek", CRIT), ("sv", "nu akut", CRIT), ("da", "nu kritisk", CRIT),
    ("nl", "nu urgent", HIGH), ("sw", "ni hatari", HIGH), ("tr", "bu kritik", CRIT), ("tr", "bu acil", CRIT),
    ("pl", "tak ważne", HIGH), ("pl", "tak pilne", HIGH), ("en", "net error", HIGH), ("en", "nav alarm", HIGH),
    ("nl", "aan gevaar blootgesteld", HIGH), ("en", "I sense danger", HIGH), ("ms", "bila ada bahaya", HIGH),
    ("it", "ora critico", CRIT), ("it", "ma critico", CRIT), ("sr", "pa hitno", HIGH), ("es", "San urgente", HIGH),
    ("en", "mei urgent", HIGH), ("it", "scatola nera critica", CRIT), ("en", "nil critical", CRIT),
    ("zh", "gan critical", CRIT), ("en", "keen critical", CRIT), ("sv", "sonder critical", CRIT),
    ("en", "dim red alarm", HIGH), ("it", "errore nei log", HIGH), ("it", "allarme alla pompa", HIGH),
    ("it", "critico per noi", CRIT), ("it", "così urgente che", HIGH), ("sv", "fel på defekt", HIGH),
    ("sv", "kan bli kritisk", CRIT), ("en", "mesh failure", HIGH), ("ca", "emergència a l'illa", CRIT),
    ("en", "Wu urgent", HIGH), ("es", "que lo haya grave", CRIT),
]


@pytest.mark.parametrize(("lang", "text", "weight"), _OTHER_SENSE)
def test_a_gated_or_short_word_in_another_language_does_not_negate(lang: str, text: str, weight: float) -> None:
    assert tp(text) == weight, (lang, text)


def test_a_gated_negator_needs_its_follower_right_after_it() -> None:
    assert tp("den kritisch einai") == CRIT  # the follower after the word, not before it
    assert tp("mai, samkhan") == HIGH  # not across a clause
    assert tp("mai") == -1.0
    assert tp("den einai") == -1.0  # a verb alone is no priority word
    assert tp("bu yanzhong weixian") == 0.0  # the scope runs on over priority words
    assert tp("nav steidzami kritisks") == 0.0
    assert tp("nav steidzami, kritisks") == CRIT
    assert tp("nav steidzami pump kritisks") == CRIT  # any other word ends it


def test_gated_negators_are_their_own_table() -> None:
    assert GATED_NEGATORS
    keys = set(GATED_NEGATORS)
    assert not keys & set(WORDS)
    assert not keys & NEGATORS
    assert not keys & POST_NEGATORS
    assert not keys & NEGATION_FILLERS
    assert not keys & set(FIELD_NAMES)
    # Not a part of a multiword entry either (khan cap, cuo wu): the phrase reads first.
    assert not keys & {p for e in WORDS for p in e.split(" ")}
    for g, followers in GATED_NEGATORS.items():
        assert followers, g
        assert g not in followers, g
        assert not followers & _REVIEW_DROPS, g
        assert lexicon._entry(g) == g
        assert all(lexicon._entry(f) == f for f in followers), g
    for raw in ("den", "la", "lo", "mai", "nu", "ni", "nav", "tak", "bu", "ar", "pa", "nėra", "ora"):
        assert lexicon._entry(raw) in GATED_NEGATORS, raw


def test_the_new_negators_are_no_priority_words() -> None:
    assert not NEGATORS & set(WORDS)
    assert not POST_NEGATORS & set(WORDS)
    assert not NEGATION_FILLERS & set(WORDS)
    assert not NEGATORS & POST_NEGATORS
    assert not NEGATORS & NEGATION_FILLERS
    for table in (NEGATORS, POST_NEGATORS, NEGATION_FILLERS):
        assert not table & set(COLOURS)
        # Romanian fara "without" is also Swedish fara "danger" as a field name (v3, kept).
        assert not table & set(FIELD_NAMES) - {"fara"}
    for w in ("kanenas", "nikakoy", "zhodna", "nikakva", "mish", "mafish", "hich", "voch", "aranairi", "hech",
              "enweghi", "nggak", "gak", "nooit", "okenn", "jokia", "nekadas", "noben"):
        assert w in NEGATORS, w
    for w in ("olmayan", "eopda", "anida", "arimasen", "dewanai", "nadarad", "noy", "chka", "araa", "zhoq",
              "baikhgui", "kaadu", "nathi", "illaamal", "naahi", "chaina", "ahayn", "daldir"):
        assert w in POST_NEGATORS, w


def test_words_left_out_stay_out() -> None:
    for w in ("bli", "mush", "mesh", "mafi", "nei", "noi", "che", "chi", "alla", "illa", "bish", "boten",
              "ara", "kadu", "hic", "hec", "netu", "nekada", "oken", "olmadan"):
        assert w in _REVIEW_DROPS, w
        for table in (NEGATORS, POST_NEGATORS, NEGATION_FILLERS, GATED_NEGATORS):
            assert w not in table, w
    # The bare forms of the gated ones are no negators.
    for w in ("den", "la", "lo", "mai", "net", "nu", "ni", "pa", "tak", "bu", "wu", "cap", "ma", "ora", "ochi", "oxi",
              "babu", "joks"):
        assert w not in NEGATORS, w
        assert w not in POST_NEGATORS, w


def test_each_language_is_registered_once() -> None:
    # v5 still kept out the languages reserved for aqua; v6 has them (test_lexicon_v6.py).
    assert len(lexicon._LANGS) == len(set(lexicon._LANGS))


def test_text_priority_stays_fast_on_an_adversarial_text() -> None:
    # Negators, gated negators with and without their followers, fillers and priority words, alternating.
    unit = ("den einai epeigon den kritisch mai samkhan mai urgent nu este grav nu kritiek nav steidzami "
            "bu yanzhong ne ochen srochno hech qanday xavf kiken arimasen khatra nahee la yujad ; ")
    text = (unit * (4000 // len(unit) + 1))[:4000]
    words = clause_words(text)
    assert len(words) > 500
    assert text_priority(words) == CRIT
    best = min(_timed(words) for _ in range(5))
    assert best < 0.02, best  # well under 1 ms here


def _timed(words: list[str]) -> float:
    t0 = time.perf_counter()
    text_priority(words)
    return time.perf_counter() - t0


@pytest.mark.parametrize(("text", "weight"), [
    # A department named after emergencies is a place: where the record happened, not how pressing it is.
    ("acil servis", 0.0), ("Nereden: acil servise", 0.0), ("pronto soccorso", 0.0), ("pronto-socorro", 0.0),
    ("emergency room", 0.0), ("Emergency Department", 0.0), ("patient needs urgent care", HIGH),
    ("instalasi gawat darurat", 0.0),
    # ... and the words alone, or a priority word beside the place, still read.
    ("acil", CRIT), ("ACİL durum, acil servis", CRIT), ("emergency department: patient critical", CRIT),
    ("EMERGENCY in room 4", CRIT), ("urgent", HIGH), ("GAWAT DARURAT!", CRIT), ("soccorso", HIGH),
])
def test_places_named_after_emergencies_are_routine(text: str, weight: float) -> None:
    assert tp(text) == weight


@pytest.mark.parametrize(("text", "weight"), [
    # Danish and Norwegian put the negator after the verb.
    ("Haster ikke.", 0.0), ("det haster ikkje", 0.0), ("Det haster!", HIGH), ("haster; ikke mer", HIGH),
    # Albanian jo ("not") is gated: Hungarian jó is "good".
    ("Jo urgjent, kontrollo në turnin e ardhshëm.", 0.0), ("jo shumë urgjente", 0.0), ("URGJENT!", HIGH),
    ("jó kritikus", CRIT), ("jo", -1.0),
])
def test_postposed_danish_and_gated_albanian_negation(text: str, weight: float) -> None:
    assert tp(text) == weight


@pytest.mark.parametrize(("text", "weight"), [
    # The second review's false negations: each an ordinary word of another language.
    ("Bệnh nhân suy hô hấp, thiếu oxi nghiêm trọng", CRIT), ("thở oxi khẩn cấp", CRIT),  # Vietnamese oxygen
    ("Pacient cu arsuri la ochi grave", CRIT), ("DB ochi juudai shougai", CRIT),  # Romanian eyes, Japanese "down"
    ("Acil müdahale olmadan hasta kaybedilebilir", CRIT), ("Bu şuan acil", CRIT), ("Bu şuan kritik", CRIT),
    ("Vodite babu hitno u bolnicu", HIGH), ("Ramesh babu zaroori file bhejiye", HIGH),
    ("Na netu kritično", CRIT), ("Nekada kritičan sistem sada je stabilan", CRIT), ("Porucha oken kritická", CRIT),
    ("Det er jo fort kritisk", CRIT),
    # ... and the negations they were meant for still read routine.
    ("Ochi epeigon.", 0.0), ("oxi, den einai poly sovaro", 0.0), ("ochi toso epeigon", 0.0), ("babu gaggawa", 0.0),
    ("joks pavojus", 0.0), ("kritik olmayan", 0.0), ("bu shi hen yanzhong", 0.0), ("mei you renhe weixian", 0.0),
    ("nu este atât de grav", 0.0), ("tak begitu penting", 0.0), ("mai mi arai antarai", 0.0),
    ("den einai toso epeigon", 0.0),
])
def test_the_second_review(text: str, weight: float) -> None:
    assert tp(text) == weight


@pytest.mark.parametrize(("text", "weight"), [
    # Japanese puts the copula's particles between the word and its postposed negator.
    ("kinkyuu de wa nai", 0.0), ("kiken de wa arimasen", 0.0), ("juuyou de wa nai", 0.0),
    ("KINKYUU de wa arimasen. KINKYUU!", CRIT),  # a clause mark still ends the reach
    ("urgente de wa", HIGH), ("error de wa nai? critical", CRIT), ("kinkyuu desu", CRIT),
])
def test_japanese_de_wa_nai(text: str, weight: float) -> None:
    assert tp(text) == weight


@pytest.mark.parametrize(("text", "weight"), [
    # A determiner negator's scope passes one modifier before its noun.
    ("no gas alarm", 0.0), ("No fire alarm on floor 3", 0.0), ("Žádný plynový poplach na patře 4724", 0.0),
    ("kein großer Alarm", 0.0), ("geen groot gevaar", 0.0), ("brak poważnego zagrożenia", 0.0),
    ("no further critical errors", 0.0), ("nessun grave errore", 0.0),
    # ... one, not two; adverbs and prepositions do not; a clause mark still ends the scope.
    ("no big gas alarm", HIGH), ("not the only critical issue", CRIT), ("without cooling critical temperature", CRIT),
    ("no gas, alarm!", HIGH), ("no gas leak, CRITICAL pump failure", CRIT), ("nicht kritisch", 0.0),
    ("nicht sehr kritisch", 0.0), ("nicht wirklich kritisch", CRIT),
])
def test_a_determiner_negator_passes_one_modifier(text: str, weight: float) -> None:
    assert tp(text) == weight


def test_determiner_negators_are_negators() -> None:
    assert lexicon.DETERMINER_NEGATORS <= NEGATORS, sorted(lexicon.DETERMINER_NEGATORS - NEGATORS)
    assert len(lexicon.DETERMINER_NEGATORS) == 69  # 39, 29 "nothing" words since session 14, "zero" (v8)
