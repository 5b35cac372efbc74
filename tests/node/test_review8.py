"""Review 8 (session 17): the scoring path against an attacker who has read it. Each test failed on
the code before its fix (docs/review8-findings.md)."""

from __future__ import annotations

import random
import re
import time
import unicodedata

import pytest

from node.attention import lexicon
from node.attention.features import (
    _MAX_TOKENS,
    FeatureCache,
    feature_bytes,
    featurize,
    featurize_record,
    seq_sum,
)
from node.attention.lexicon import clause_words
from protocol.record import Record

ORIGIN = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo"
_OLD_COMPOUND = re.compile(r"[^\W_]+(?:[-_./][^\W_]+)+", re.UNICODE)  # before the fix


# -- 1. the identifier rule was quadratic in a run of letters ----------------------------------------

def test_a_long_run_of_letters_with_a_digit_reads_in_linear_time() -> None:
    """4,089 copies of U+3316 (six katakana letters each after NFKD) and digits: 11 s before."""
    text = "\u3316" * 4_089 + "123456"
    t0 = time.process_time()
    words = clause_words(text)
    assert time.process_time() - t0 < 0.5
    assert len(words) == 1
    ascii_run = "a" * 4_000 + "7"
    t0 = time.process_time()
    clause_words(ascii_run + " " + ascii_run + " x-1")
    assert time.process_time() - t0 < 0.5


def test_a_record_built_to_stall_the_featurizer_is_cheap() -> None:
    rec = Record.create("note", ORIGIN, 1, {"a": "\u3316" * 4_089 + "123456", "b": "q" * 3_990 + "987654"})
    t0 = time.process_time()
    featurize_record(rec)
    assert time.process_time() - t0 < 0.5


def test_the_anchored_identifier_rule_matches_what_the_old_one_did() -> None:
    rng = random.Random(8)
    alphabet = "aZ9_-./ 1k\u00e9\u3316x"
    for _ in range(20_000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
        assert lexicon._COMPOUND.sub(lexicon._identifier_words, s) == _OLD_COMPOUND.sub(lexicon._identifier_words, s)
    for s in ("STK06-P1", "P3/1", "PM1-P2", "PRIORITY_P1", "P1-URGENT", "SEV-1", "a1-b2-c3 d4.e5"):
        assert lexicon._COMPOUND.sub(lexicon._identifier_words, s) == _OLD_COMPOUND.sub(lexicon._identifier_words, s)


# -- 2. validators on two Pythons must not score the same block differently -------------------------

def test_the_unicode_database_is_part_of_the_lexicon_id(monkeypatch: pytest.MonkeyPatch) -> None:
    assert lexicon._lexicon_id() == lexicon.LEXICON_ID
    monkeypatch.setattr(unicodedata, "unidata_version", "15.0.0")
    assert lexicon._lexicon_id() != lexicon.LEXICON_ID


def test_float_sums_add_left_to_right() -> None:
    """3.12's sum() compensates: [1e16, 1, -1e16] sums to 1.0 there and 0.0 on 3.11."""
    assert seq_sum([1e16, 1.0, -1e16]) == 0.0
    assert seq_sum(x for x in (0.1, 0.2, 0.3)) == (0.1 + 0.2) + 0.3
    rec = Record.create("t", ORIGIN, 1, {"xs": [1e16, 1.0, -1e16]})
    f = featurize_record(rec)
    assert 0.0 in f.num_vals  # the list's mean, as 3.11 computed it, on any Python


# -- 3. the feature cache's budget counts the text a cached record keeps ------------------------------

def test_feature_bytes_counts_the_record_text_it_holds() -> None:
    rec = Record.create("t", ORIGIN, 1, {f"k{i}": chr(97 + i) * 4_000 for i in range(4)})
    assert feature_bytes(featurize_record(rec)) > 16_000
    small = Record.create("t", ORIGIN, 1, {"k": "a"})
    assert feature_bytes(featurize_record(small)) < 1_000


def test_the_cache_budget_binds_on_text_heavy_records() -> None:
    cache = FeatureCache(capacity=65_536, max_bytes=2_000_000)
    for i in range(400):
        cache.get(Record.create("t", ORIGIN, i, {f"k{j}": f"{i:05d}" + "x" * 3_995 for j in range(4)}))
    assert cache.bytes <= 2_000_000
    assert len(cache) < 200


# -- 4. a record's bag of tokens is capped -------------------------------------------------------------

def _token_heavy(i: int) -> Record:
    words = " ".join(chr(97 + j % 26) for j in range(32))
    return Record.create("t", ORIGIN, i, {f"f{j:02d}": [f"{words} {i} {k}" for k in range(15)] for j in range(15)})


def test_a_record_keeps_at_most_max_tokens() -> None:
    f = featurize_record(_token_heavy(0))
    assert len(f.tokens) <= _MAX_TOKENS
    t0 = time.process_time()
    featurize([_token_heavy(i) for i in range(256)])
    assert time.process_time() - t0 < 3.0  # 1.1 s for 256 before; the window assembly dominated
