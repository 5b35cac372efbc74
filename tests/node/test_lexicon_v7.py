"""Lexicon v7: English contractions negate ("isn't urgent"), and a negator reaches a compound
"critical" ("not time critical"). Nothing of v6 reads differently."""

from __future__ import annotations

import pytest

from node.attention import lexicon
from node.attention.lexicon import (
    GATED_NEGATORS,
    LEXICON_ID,
    LEXICON_VERSION,
    NEGATORS,
    WORDS,
    clause_words,
    text_priority,
)
from tests.node.lexicon_versions import entries_before

CRIT, HIGH, ROUTINE, NONE = 1.0, 0.75, 0.0, -1.0

CONTRACTIONS = ("isn't", "aren't", "wasn't", "weren't", "doesn't", "didn't", "don't", "hasn't", "haven't",
                "hadn't", "won't", "can't", "couldn't", "shouldn't", "wouldn't", "needn't", "mustn't", "ain't")


def read(text: str) -> float:
    return text_priority(clause_words(text))


def test_version_and_id() -> None:
    assert LEXICON_VERSION == "attnshare-lexicon/11"
    assert LEXICON_ID.startswith("attnshare-lexicon/11#")


# Each contraction with either apostrophe, and without one but for "dont" (French), "cant" and "wont"
# (English words of their own), which v7 leaves out.
SPELLINGS = [c.replace("'", a) for c in CONTRACTIONS for a in ("'", "\u2019", "")
             if c.replace("'", a) not in ("dont", "cant", "wont")]


@pytest.mark.parametrize("w", SPELLINGS)
def test_a_contraction_negates_the_word_after_it(w: str) -> None:
    assert read(f"{w} urgent") == ROUTINE
    assert read(f"it {w} critical") == ROUTINE
    assert read(f"{w.upper()} AN EMERGENCY") == ROUTINE


@pytest.mark.parametrize("word", CONTRACTIONS)
def test_a_contraction_stops_at_a_clause_mark(word: str) -> None:
    assert read(f"{word} fixed; critical outage") == CRIT
    assert read(f"{word} respond, urgent") == HIGH


@pytest.mark.parametrize(("text", "weight"), [
    ("don urgent", HIGH),  # Spanish "Don": the head alone is no negator
    ("can critical", CRIT),
    ("won critical", CRIT),
    ("t urgent", HIGH),
    ("trois alarmes dont une critique", read("trois alarmes une critique")),  # French "dont"
    ("cant urgent", HIGH),
])
def test_a_contraction_needs_its_t(text: str, weight: float) -> None:
    assert weight > 0
    assert read(text) == weight


@pytest.mark.parametrize("compound", ["time", "mission", "safety", "business", "life"])
def test_a_negator_reaches_a_compound_critical(compound: str) -> None:
    assert read(f"{compound} critical") == CRIT  # as before v7
    assert read(f"{compound}-critical failure") == CRIT
    assert read(f"not {compound} critical") == ROUTINE
    assert read(f"not {compound}-critical") == ROUTINE
    assert read(f"NOT {compound.upper()} CRITICAL, can wait") == ROUTINE
    assert read(f"isn't {compound} critical") == ROUTINE
    assert read(f"not {compound}; critical") == CRIT  # a clause mark ends the scope


def test_what_v7_adds_and_nothing_else() -> None:
    added = set(WORDS) | set(NEGATORS)
    added -= entries_before(7)
    added -= (set(NEGATORS) | set(WORDS)) - entries_before(8)  # v8's (session 16)
    added -= {lexicon._entry(x) for x in lexicon._PRONOUN_NEGATORS}  # v6's (session 14), later in the file
    assert added == {"time critical", "mission critical", "safety critical", "business critical", "life critical",
                     "isnt", "arent", "wasnt", "werent", "doesnt", "didnt", "hasnt", "havent", "hadnt", "couldnt",
                     "shouldnt", "wouldnt", "neednt", "mustnt", "aint"}
    assert {h for h, f in GATED_NEGATORS.items() if "t" in f} == {w.split("'")[0] for w in CONTRACTIONS}
    for w in ("time critical", "mission critical", "safety critical", "business critical", "life critical"):
        assert WORDS[w] == WORDS["critical"]


def test_gated_contraction_heads_were_no_lexicon_word() -> None:
    # A gated head is read as a negator head only: it must not hide an entry of any table.
    before = entries_before(7)
    for w in CONTRACTIONS:
        head = w.split("'")[0]
        assert head not in before
        assert not any(e.split(" ")[0] == head for e in before)
    assert lexicon.WORDS.get("t") is None
