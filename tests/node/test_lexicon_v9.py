"""Lexicon v9: an identifier's segments are parts of a name, not priority codes ("STK06-P1" is a
stocker port, not p1). The fifteenth blind family (fab) found it: every transfer record of a fab
named a stocker port STK06-P1 .. -P4, and lot ids starting P1 read as the priority code p1."""

from __future__ import annotations

import pytest

from node.attention import lexicon
from node.attention.lexicon import (
    LEXICON_ID,
    LEXICON_VERSION,
    clause_words,
    priority_words,
    text_priority,
)


def read(text: str) -> float:
    return text_priority(clause_words(text))


def test_version_and_id() -> None:
    assert LEXICON_VERSION == "attnshare-lexicon/11"
    assert LEXICON_ID.startswith("attnshare-lexicon/11#")


@pytest.mark.parametrize("text", [
    "STK06-P1", "stk06-p2", "transfer to STK06-P3 done", "P3/1", "PM1-P2", "ETCH04_P1", "LOT-P1.2",
    "SEV1-INC0042", "bay3.p1", "ZONE-7-P1",
])
def test_a_code_inside_an_identifier_reads_nothing(text: str) -> None:
    assert read(text) == -1.0


@pytest.mark.parametrize(("text", "weight"), [
    ("P1", 0.75),  # a code alone is still a code
    ("p1", 0.75),
    ("PRIORITY_P1", 0.75),  # no other digit: an enum's name, not an identifier
    ("P1-URGENT", 0.75),
    ("SEV-1", 1.0),  # "sev 1": neither segment mixes letters and digits
    ("defcon-1", 1.0),
    ("sev1", 1.0),
    ("INC0042 SEV1", 1.0),  # a space: two words, not one identifier
    ("ETCH04_PM2 critical", 1.0),  # the identifier's parts go, the words around it stay
    ("STK06-ALARM", 0.75),  # a segment of letters only is a word, whatever its neighbours
    ("12:30 critical", 1.0),
])
def test_codes_and_words_outside_identifiers_read_as_before(text: str, weight: float) -> None:
    assert read(text) == weight


def test_an_identifier_does_not_break_a_negators_scope() -> None:
    assert priority_words(clause_words("not STK06-P1 critical")) == [("critical", 0.0)]
    assert priority_words(clause_words("STK06-P1; critical")) == [("critical", 1.0)]


def test_text_without_digits_skips_the_rule() -> None:
    # The rule only runs when a digit is present: words of any script pass untouched.
    for t in ("kern.crit", "alert-level red", "ŞİDDETLİ-UYARI", "非常-警報"):
        assert clause_words(t) == lexicon.split_words(t)


def test_the_rule_is_in_the_lexicon_id(monkeypatch: pytest.MonkeyPatch) -> None:
    assert lexicon._lexicon_id() == LEXICON_ID
    import re
    monkeypatch.setattr(lexicon, "_COMPOUND", re.compile(r"[^\W_]+(?:[-_.][^\W_]+)+"))
    assert lexicon._lexicon_id() != LEXICON_ID
