"""Lexicon v8: an English verb between a negator and its word keeps the scope open ("does not need
urgent attention"), but only right after the negator; "neither", "hardly", "unlikely", "zero" and
"nor" (gated) negate. Nothing of v7 reads differently elsewhere."""

from __future__ import annotations

import pytest

from node.attention import lexicon
from node.attention.lexicon import (
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
    clause_words,
    priority_words,
    text_priority,
)
from tests.node.lexicon_versions import entries_before

CRIT, HIGH, ROUTINE = 1.0, 0.75, 0.0
ORIGIN = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo"


def read(text: str) -> float:
    return text_priority(clause_words(text))


def test_version_and_id() -> None:
    assert LEXICON_VERSION == "attnshare-lexicon/11"
    assert LEXICON_ID.startswith("attnshare-lexicon/11#")


@pytest.mark.parametrize(("text", "bare"), [
    ("does not need urgent attention", "need urgent attention"),
    ("doesn't need urgent attention", "need urgent attention"),
    ("doesn\u2019t need urgent attention", "need urgent attention"),
    ("doesnt need urgent attention", "need urgent attention"),
    ("does not require immediate action", "requires immediate action"),
    ("did not require immediate action", "requires immediate action"),
    ("not requiring urgent attention", "requiring urgent attention"),
    ("does not appear urgent", "appears urgent"),
    ("doesn't seem critical", "seems critical"),
    ("does not look critical", "looks critical"),
    ("not considered to be urgent", "considered to be urgent"),
    ("not expected to be critical", "expected to be critical"),
    ("not likely to be critical", "likely to be critical"),
    ("does not pose an immediate danger", "poses an immediate danger"),
    ("does not warrant urgent action", "warrants urgent action"),
    ("does not constitute an emergency", "constitutes an emergency"),
    ("does not indicate a critical fault", "indicates a critical fault"),
    ("no need for urgent action", "need for urgent action"),
    ("NO NEED FOR URGENT ACTION", "NEED FOR URGENT ACTION"),
    ("there is no need for immediate action", "there is need for immediate action"),
    ("the pump does not have critical faults", "the pump has critical faults"),
    ("won't need urgent repair", "will need urgent repair"),
    ("no sign of danger", "sign of danger"),
    ("no signs of critical damage", "signs of critical damage"),
    ("no evidence of a critical fault", "evidence of a critical fault"),
    ("no indication of failure", "indication of failure"),
    ("no cause for alarm", "cause for alarm"),
    ("no reason for urgent action", "reason for urgent action"),
    ("no effect on critical loads", "effect on critical loads"),
    ("no risk of failure", "risk of failure"),
])
def test_a_verb_right_after_the_negator_keeps_its_scope(text: str, bare: str) -> None:
    assert read(text) == ROUTINE
    assert read(bare) > ROUTINE  # the verb itself says nothing: without the negator it is pressing


@pytest.mark.parametrize(("text", "weight"), [
    ("needs urgent repair", HIGH),  # a verb outside a scope is a word like any other
    ("requires immediate action", HIGH),
    ("no power needs urgent attention", HIGH),  # the determiner's one modifier, then the verb: too far
    ("not responding requires immediate action", HIGH),  # a word between the negator and the verb
    ("pump not running, needs urgent repair", HIGH),  # a clause mark ends the scope
    ("no alarm; requires urgent check", HIGH),
    ("not critical but needs urgent attention", HIGH),
    ("urgent need for repair", HIGH),
    ("it is unlikely that the fault is critical", CRIT),  # "that the fault": a noun ends the scope
    ("no sign of recovery critical state", CRIT),  # a noun after the verb's chain ends it
    ("less critical", 0.15),
    ("least critical", 0.15),
    ("not less critical", ROUTINE),
])
def test_a_verb_does_not_reach_past_its_place(text: str, weight: float) -> None:
    assert read(text) == weight


@pytest.mark.parametrize("text", [
    "neither urgent nor critical",
    "Neither critical nor an emergency",
    "hardly urgent",
    "unlikely to be critical",
    "zero critical alarms",
    "zero open critical alarms",  # zero is a determiner: one modifier passes
])
def test_new_negators(text: str) -> None:
    assert read(text) == ROUTINE


@pytest.mark.parametrize(("text", "weight"), [
    ("nor da kritikoa", read("da kritikoa")),  # Basque "who is critical?": nor alone is no negator
    ("nor critical", ROUTINE),
    ("not urgent nor an emergency", ROUTINE),
    ("nothing to report critical alarm", CRIT),  # a verb uses a determiner's one word
])
def test_nor_is_gated_and_a_verb_uses_the_modifier(text: str, weight: float) -> None:
    assert read(text) == weight


def test_new_negators_end_at_clause_marks() -> None:
    assert read("hardly moving; critical vibration") == CRIT
    assert read("zero alarms, critical leak") == CRIT
    assert read("zero") == -1.0


def test_a_negated_verb_chain_reports_every_word_negated() -> None:
    assert priority_words(clause_words("doesn't need urgent attention")) == [("urgent", 0.0), ("attention", 0.0)]
    assert priority_words(clause_words("needs urgent attention")) == [("urgent", 0.75), ("attention", 0.45)]


def test_what_v8_adds_and_nothing_else() -> None:
    before = entries_before(8)
    pronouns = {lexicon._entry(x) for x in lexicon._PRONOUN_NEGATORS}  # v6's, later in the file
    assert set(NEGATORS) - before - pronouns == {"neither", "hardly", "unlikely", "zero"}
    assert "nor" not in before  # Basque "who": gated
    assert "nor" not in NEGATORS
    assert GATED_NEGATORS["nor"] >= {"critical", "urgent", "an", "the"}
    assert set(WORDS) - before == {"less critical", "least critical", "least urgent"}
    assert WORDS["less critical"] == WORDS["least critical"] == WORDS["least urgent"] == WORDS["less urgent"]
    assert "zero" in DETERMINER_NEGATORS


def test_verbs_are_disjoint_from_every_other_table() -> None:
    # Field names are read by is_field_name on keys, not by the scope walker: "risk" is one and a verb.
    others = set(WORDS) | set(COLOURS) | NEGATORS | POST_NEGATORS | NEGATION_FILLERS | set(GATED_NEGATORS)
    assert not (NEGATION_VERBS & others)
    assert {"risk"} == NEGATION_VERBS & FIELD_NAMES
    assert not any(e.split(" ")[0] in NEGATION_VERBS for e in set(WORDS) | set(COLOURS))


def test_the_verbs_are_in_the_lexicon_id(monkeypatch: pytest.MonkeyPatch) -> None:
    assert lexicon._lexicon_id() == LEXICON_ID
    monkeypatch.setattr(lexicon, "NEGATION_VERBS", NEGATION_VERBS - {"need"})
    assert lexicon._lexicon_id() != LEXICON_ID


# -- end to end: the shipped model on an operator's shift notes ------------------------------------

NEGATED = ("Pump P3 vibration checked, does not need urgent attention",
           "Valve V7 drip doesn't require immediate action",
           "Panel B4 warm, no sign of danger",
           "Fan F2 noise noted, does not appear urgent",
           "Filter F9 pressure drop, no cause for alarm",
           "Breaker C1 tripped once, unlikely to be critical")
PRESSING = ("Pump P3 vibration checked, needs urgent attention",
            "Valve V7 drip requires immediate action",
            "Panel B4 warm, danger",
            "Fan F2 noise noted, appears urgent",
            "Filter F9 pressure drop, alarm",
            "Breaker C1 tripped once, critical")


def test_the_model_ranks_negated_notes_below_pressing_ones() -> None:
    """A shift log of routine notes with six negated and six pressing ones (the same notes): v7 read
    every negated one as pressing; with v8 each ranks well below the same note pressing.

    (Session 9's weights ranked every negated note below every pressing one; session 18's rank the
    first new note of the log, negated, 0.49 against the weakest pressing note's 0.45: it is the
    first of a dozen notes unlike the 80 before it. Each still ranks 0.19-0.42 below its pair.)"""
    from node.sim.cluster import shared_scorer
    from protocol.record import Record

    routine = ("Walked the east corridor, all normal", "Logged meter readings for bay {i}",
               "Swapped shift with the night crew", "Cleaned intake screen {i}", "Checked oil level on unit {i}")
    recs = [Record.create("shift_note", ORIGIN, 1_000 * i,
                          {"station": f"s{i % 4}", "text": routine[i % len(routine)].format(i=i)})
            for i in range(80)]
    for j, text in enumerate(NEGATED + PRESSING):
        recs.append(Record.create("shift_note", ORIGIN, 1_000 * (80 + j) + 500,
                                  {"station": f"s{j % 4}", "text": text}))
    scores = shared_scorer().score(recs)
    neg, pressing = scores[80:86], scores[86:92]
    assert all(p - n > 0.1 for n, p in zip(neg, pressing, strict=True)), (neg, pressing)
    assert sorted(neg)[-2] < min(pressing), (neg, pressing)
