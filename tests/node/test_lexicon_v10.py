"""Lexicon v10: negations that come after the word they deny. English "not" plus a participle of
need or event ("urgent action is not required", "critical alarm not triggered") and the southern
Italian dialects' "nun" ("nun è urgenti", Sicilian for "not urgent"), gated because German "nun"
is "now". The fifteenth blind family (fab) showed the second: Sicilian routine notes ending in
"nun è urgenti" were read as urgent and took five of the top ten places of their windows."""

from __future__ import annotations

import pytest

from node.attention import lexicon
from node.attention.lexicon import (
    GATED_NEGATORS,
    LEXICON_ID,
    LEXICON_VERSION,
    NEGATORS,
    clause_words,
    priority_words,
    text_priority,
)

ORIGIN = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo"


def read(text: str) -> float:
    return text_priority(clause_words(text))


def test_version_and_id() -> None:
    assert LEXICON_VERSION == "attnshare-lexicon/11"
    assert LEXICON_ID.startswith("attnshare-lexicon/11#")


@pytest.mark.parametrize("text", [
    "urgent action not required",
    "Urgent action is not required.",
    "immediate attention not needed",
    "critical alarm not triggered",
    "emergency response not warranted",
    "urgent repair not necessary",
    "URGENT ESCALATION NOT REQUIRED",
    "nun è urgenti",
    "Nun è urgente",
    "nun urgenti",
    "cambiu turnu ê 19:00; nun è urgenti",
    "nun c'è pericolo",
])
def test_a_postposed_or_dialect_negation_reads_routine(text: str) -> None:
    assert read(text) == 0.0, priority_words(clause_words(text))


@pytest.mark.parametrize(("text", "weight"), [
    ("urgent action required", 0.75),  # no "not"
    ("urgent: not required", 0.75),  # a clause between: the "not" denies something else
    ("not required; urgent", 0.75),  # the negation before the entry is not postposed
    ("critical, not resolved", 1.0),  # not a participle of need
    ("critical failure, backup not available", 1.0),
    ("urgent not routine", 0.75),
    ("urgent repair of the pump not required", 0.75),  # further than three words on
    ("nun ist es dringend", 0.75),  # German "now it is urgent"
    ("nun dringend", 0.75),
    ("the nun said it is urgent", 0.75),
    ("nun è urgenti, allarme critico", 1.0),  # the clause ends the dialect's negation
])
def test_what_stays_pressing(text: str, weight: float) -> None:
    assert read(text) == weight, priority_words(clause_words(text))


def test_every_negated_word_is_reported() -> None:
    assert priority_words(clause_words("critical alarm not triggered")) == [("critical", 0.0), ("alarm", 0.0)]
    assert priority_words(clause_words("nun è urgenti")) == [("urgenti", 0.0)]


def test_nun_is_gated_not_a_plain_negator() -> None:
    assert "nun" not in NEGATORS
    assert GATED_NEGATORS["nun"] >= {"e", "c", "urgenti", "urgente"}
    assert "ist" not in GATED_NEGATORS["nun"]


def test_the_postposed_rule_is_in_the_lexicon_id(monkeypatch: pytest.MonkeyPatch) -> None:
    assert lexicon._lexicon_id() == LEXICON_ID
    monkeypatch.setattr(lexicon, "_POST_NOT_VERBS", lexicon._POST_NOT_VERBS - {"required"})
    assert lexicon._lexicon_id() != LEXICON_ID
    monkeypatch.undo()
    monkeypatch.setattr(lexicon, "_POST_NOT_REACH", 2)
    assert lexicon._lexicon_id() != LEXICON_ID


def test_postposed_rule_is_linear() -> None:
    """A long text of entries each followed by filler words never rescans more than the reach."""
    import time

    text = " ".join(["urgent pump valve"] * 20_000)
    t0 = time.perf_counter()
    out = priority_words(clause_words(text))
    assert len(out) == 20_000
    assert time.perf_counter() - t0 < 2.0


# -- end to end: the shipped model on a Sicilian shift log -----------------------------------------

CALM = ("cambiu turnu ê 19:00, 7 tecnici ntâ sala; nun è urgenti",
        "canciata a bummula dô gas supra a IMP-08; nun è urgenti",
        "prova di tenuta dâ IMP-21 C1 passata; nun è urgenti",
        "dumani veni u tecnicu dû fornituri pâ IMP-03; nun è urgenti")
PRESSING = ("cambiu turnu ê 19:00, 7 tecnici ntâ sala; urgenti",
            "canciata a bummula dô gas supra a IMP-08; urgenti",
            "prova di tenuta dâ IMP-21 C1 passata; urgenti",
            "dumani veni u tecnicu dû fornituri pâ IMP-03; urgenti")


def test_the_model_ranks_calm_dialect_notes_below_pressing_ones() -> None:
    """v9 read "nun è urgenti" as urgent; with v10 each calm note ranks below every pressing one."""
    from node.sim.cluster import shared_scorer
    from protocol.record import Record

    routine = ("nuttata tranquilla ntâ campata {i}, nenti di diri", "cuntrollu dî partìculi ntâ campata {i}",
               "rabbuccatu u chiller dâ DEP-{i}", "scanciu turnu, tuttu a postu")
    recs = [Record.create("turnu/quadernu", ORIGIN, 1_000 * i,
                          {"campata": f"campata {i % 9}", "cummentu": routine[i % len(routine)].format(i=i)})
            for i in range(80)]
    for j, text in enumerate(CALM + PRESSING):
        recs.append(Record.create("turnu/quadernu", ORIGIN, 1_000 * (80 + j) + 500,
                                  {"campata": f"campata {j % 9}", "cummentu": text}))
    scores = shared_scorer().score(recs)
    calm, pressing = scores[80:84], scores[84:88]
    assert max(calm) < min(pressing), (calm, pressing)
