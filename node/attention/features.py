"""Featurization: any record, whatever its schema, becomes one token whose features carry no names or scales.

Theory of operation
-------------------
The model must judge records of schemas it never saw (issue 9), so what it
reads is built from *relations*, never from names or magnitudes: a field
called ``engineTempF`` around 195 and one called ``kingaku_jpy`` around 3e4
give the same features when they behave the same way.

Two stages, because featurization in Python is the bottleneck:

1. :func:`featurize_record` depends on the record alone, so a node computes
   it once when a record arrives (:class:`FeatureCache`, keyed by canonical
   bytes). It hashes the kind, field names and values into 63-bit ids (used
   only to *compare* records: bag-of-tokens similarity, value rarity, group
   keys), squashes numbers with a signed log, digests the content (exact
   duplicates) and the non-numeric shape (near duplicates), and reads the
   knowledge prior (:mod:`node.attention.lexicon`): priority words in values,
   priority-named fields, boolean flags.
2. :func:`assemble_window` turns a window of those, plus an optional
   :class:`~node.attention.history.History` of committed records, into
   tensors in a few vectorized ops:

   * robust z (median/MAD) of every number within its (kind, field) group,
     in the window and against the history;
   * near-duplicate digests: numbers quantized to half a robust spread of
     their field (history's spread when it has one), plus the shape digest;
     matched within the window and against the history's digests;
   * arrival structure within (kind, origin): gap to the previous and next
     record relative to the window's mean gap, position in a run and the
     run's length, so a burst's head differs from its tail;
   * rarity of the kind and of categorical values, in the window and over
     the history;
   * the priority prior and how rare a priority field's value is.

Everything is a function of the records, their order and the history's
contents: no clock, no process-dependent hashing (ids come from blake2b),
nothing random. :data:`CTX_NAMES` and :data:`SLOT_NAMES` name every input
(explanations use them).
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import math
import re
import sys
import threading
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import msgpack
import torch

from node.attention.lexicon import (
    clause_words,
    colour_weight,
    is_field_name,
    normalize,
    split_words,
    text_priority,
)
from node.attention.quantity import FIRST_CHARS, MAX_RAW, parse_quantity
from protocol.record import Record

if TYPE_CHECKING:
    from node.attention.history import History

__all__ = [
    "CTX_DIM",
    "CTX_NAMES",
    "FEATURE_REVISION",
    "HASH_DIM",
    "NUM_FEATS",
    "NUM_SLOTS",
    "SLOT_NAMES",
    "FeatureCache",
    "RecordFeatures",
    "WindowFeatures",
    "assemble_window",
    "featurize",
    "featurize_record",
    "history_copies",
    "field_entropy",
    "as_quantity",
    "num_key_id",
    "wide_slot_positions",
    "is_categorical",
    "code_form",
    "minority",
    "surprise",
]

# What the features mean beyond their names and sizes, saved in every checkpoint's feature spec
# (so the model id covers it): 1, sessions 1-11; 2, quantities written as text read as numbers
# (node/attention/quantity.py) and a wide record's slots given to its numbers that differ from
# their field's median (``_wide_slots``). Neither changes the features of a record with at most NUM_SLOTS numbers and
# no quantity text, which is every record of training; 3 (session 13), the copy rule bins a number
# below 1 at about 0.5% of its value too (``history.replay_hashes``): validators must agree on it,
# and the model id covers it this way. No feature of any record changed; 4 (session 17, review 8), a
# record keeps at most _MAX_TOKENS tokens (15 list fields of 16 texts of 32 words made 7,246), and
# float sums add left to right on every Python (3.12's sum() compensates): no training record
# reaches the cap, and 3.11's sum() added left to right already.
# 5 (session 19), a short label's near digest, categorical value and token read its *code form*
# (:func:`code_form`: case, accents, separators, spaces, dots between letters and leading zeros
# dropped), so a re-typed code ("TLK 5825", "tlk5825", "TLK-05825") is one value, and a label with a
# trailing space is not text. Measured: near copies whose labels were re-typed ranked 0.1-0.3 (as
# news) on nine held-out families (docs/attention.md, "Session 19").
# 6 (session 20), a label's code form also drops format characters (Unicode Cf: zero-width spaces and
# joiners, bidi marks) and, in a label that mixes scripts, folds Cyrillic and Greek look-alikes of
# Latin letters (:func:`_unmask`), so "TLK\u200b5825" and "ТLK5825" (Cyrillic Т) are "TLK5825" to
# the near digest and the copy rule. No training record holds either; the training worlds gained a
# priority form (a number on a wide scale, node/workload/randomized.py), which changes no feature.
# 7 (session 22, trial D), durations read as seconds (quantity format 2): a quantity in any time unit of
# node/attention/time_units.py, and an ISO 8601 duration ("PT36H"), is its number of seconds, so a field
# mixing days, hours and minutes compares its values and an ISO deadline is a number, not a label.
# 8 (session 42, trial C), a slot's ``far_share_window``: the share of the other values of its (kind,
# field) in the window that sit 4 or more MADs from their median. Over half of a field's values on one
# point (zero-inflated amounts, a small count) make its MAD near 0 and every other value "far";
# an anomaly is far alone. Measured on held-out windows: far routine records 0.24-0.34 (median), far
# anomalies 0.03 (docs/trials/session42-rule-c.md).
# 9 (session 43, trial E), each number's |z| also against a wide scale: the larger of the robust (MAD)
# scale and the field's 10-90% quantile width over 2.563 (a normal's width in sigmas), in the window
# (slot ``|z_window_wide|``, context ``max_|z|_window_wide``) and in the History (``|z_history_wide|``,
# ``max_|z|_history_wide``). A field with over half its values on one point, or heavy tails, has a MAD
# that makes its routine values "far"; the quantile width does not. On held-out windows the routine
# records the model ranks in its top tenth with a number 4+ MADs out sit at a median wide |z| of 2.6-3.0,
# the anomalies at 5.1-8.6 (docs/trials/session43-rule-e.md).
FEATURE_REVISION = 9
HASH_DIM = 256  # signed feature-hashing width of the bag of tokens (pairwise similarity only)
NUM_SLOTS = 8  # numeric fields kept per record (first in key order)
# Numbers past the slots (a wide schema) are kept aside: such a record's slots go to its numbers
# that differ from their field's median, and every number's |z| joins the record's largest
# (``_wide_slots``), so an anomaly in the 9th reading is not invisible.
_MAX_EXTRA = 56
_MAX_WORDS = 32  # words kept from one text value
_MAX_LIST = 16  # list elements kept from one list value
_MAX_CATS = 8  # categorical value tokens kept per record (rarity)
_MAX_TOKENS = 256  # tokens kept per record (the bag of tokens; _MAX_WORDS is per text value)
_SLOG_CLIP = 60.0
_Z_CLIP = 12.0
_TEXT_MIN_LEN = 40  # a string this long, or with whitespace, is text: split into words
_LABEL_WORDS = 3  # a shorter string of at most this many words is also a categorical label
_SEPARATORS = re.compile(r"[-_\s/]+")
_CODE_DOTS = re.compile(r"(?<![0-9])\.|\.(?![0-9])")  # "FAS.08" is "FAS08"; "1.5" is not "15"
_LEAD_ZEROS = re.compile(r"(?<![0-9.])0+(?=[0-9])")  # "OS 034" is "OS 34"; "1.05" and "2000" keep theirs
_SPECIFIC_WORDS = 4  # a text of this many distinct words is specific enough to match a copy on (field_specific)
_HIST_MIN = 8  # values of a (kind, field) the history needs before its statistics are used
_QUANT = 0.5  # near-duplicate digest bin: half a robust spread of the field

SLOT_NAMES = ("z_window", "|z_window|", "z_history", "|z_history|", "has_history", "group_size", "priority_field",
              "far_share_window", "|z_window_wide|", "|z_history_wide|")
NUM_FEATS = len(SLOT_NAMES)
CTX_NAMES = (
    "time_rank", "kind_share_log", "kind_share", "rarest_token", "unique_tokens", "n_fields", "max_|z|_window",
    "window_size", "max_|z|_history", "kind_rarity_history", "history_size", "kind_new_to_history",
    "exact_copy_in_history", "near_copy_in_history", "exact_copy_earlier", "near_copy_earlier",
    "gap_prev", "gap_next", "run_position", "run_length", "first_of_run", "priority_word", "has_priority_word",
    "priority_field", "priority_value_rarity", "flag_set", "value_rarity_history", "value_rarity_window",
    "kind_rel_window", "kind_rel_history", "alert_colour", "has_alert_colour",
    "value_minority_window", "value_surprise_window", "value_minority_history", "value_surprise_history",
    "max_|z|_window_wide", "max_|z|_history_wide",
)
CTX_DIM = len(CTX_NAMES)
_C = {name: i for i, name in enumerate(CTX_NAMES)}

_CACHE_LIMIT = 200_000
# Memo keys longer than this are hashed without being kept: the memos are process-wide and keyed by
# record content, so an entry cap alone let maximal records (4,000-character texts) pin gigabytes.
_MEMO_MAX_CHARS = 128
_token_ids: dict[str, int] = {}
_MASK63 = (1 << 63) - 1

# The memos of this module are process-wide and keyed by record content (kinds, field names, labels of
# up to 128 characters). Each is capped by entries, but a peer's astral-plane strings cost 4 bytes a
# character, and at their caps together they could pin about 1 GiB (review 25: _effect_memo alone
# 117 MiB at 32,768 entries, _field_memo 163 MiB at 200,000). So they also share one budget: every new
# entry is charged an estimate of what it holds, and past the budget, or at any memo's cap, all of them
# are cleared. They are pure caches: clearing changes no result, only time.
_MEMO_BUDGET = 64 * 2**20
_MEMO_ENTRY = 240  # a dict slot, a key tuple or string header, the value's object(s)
_memos: list[dict[Any, Any]] = []  # filled once every memo is defined (below FieldFacts)
_memo_charged = 0


def _memo_put(memo: dict[Any, Any], key: Any, value: Any, chars: int, ints: int = 0,
              limit: int = _CACHE_LIMIT) -> None:
    """``memo[key] = value``, charged 4 bytes a character of the strings it keeps (``chars``) and 44
    bytes an int it keeps in a tuple (``ints``) against the shared budget."""
    global _memo_charged
    cost = _MEMO_ENTRY + 4 * chars + 44 * ints
    if len(memo) >= limit or _memo_charged + cost > _MEMO_BUDGET:
        clear_memos()
    memo[key] = value
    _memo_charged += cost


def clear_memos() -> None:
    """Empty every memo of the featurizer (tests, and the shared budget)."""
    global _memo_charged
    for m in _memos:
        m.clear()
    _memo_charged = 0


def _h63(text: str) -> int:
    """Stable 63-bit hash of a string, not memoized (for one-off values such as free text)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") >> 1


def _tid(token: str) -> int:
    """Stable 63-bit id of a token string (memoized; blake2b is process-independent)."""
    v = _token_ids.get(token)
    if v is None:
        v = int.from_bytes(hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") >> 1
        if len(token) <= _MEMO_MAX_CHARS:
            _memo_put(_token_ids, token, v, len(token))
    return v


def num_key_id(kind: str, key: str) -> int:
    """The id a number of field ``key`` (``key#n``, ``key#mean``, ``key#bytes`` for a list's count
    and mean and a blob's length) of ``kind`` is grouped under."""
    return _tid("num\x00" + kind + "\x00" + key)


def _slog(x: float) -> float:
    """Signed log: keeps order and sign, tames any magnitude, maps 0 to 0."""
    if x != x:  # NaN cannot come from a validated Record; never let it through
        return 0.0
    if math.isinf(x):
        return _SLOG_CLIP if x > 0 else -_SLOG_CLIP
    v = math.log1p(abs(x))
    return min(v, _SLOG_CLIP) if x >= 0 else -min(v, _SLOG_CLIP)


_prio_field_cache: dict[str, bool] = {}


def _is_priority_field(key: str) -> bool:
    v = _prio_field_cache.get(key)
    if v is None:
        v = is_field_name(key)
        if len(key) <= _MEMO_MAX_CHARS:
            _memo_put(_prio_field_cache, key, v, len(key))
    return v


_word_cache: dict[str | bytes, tuple[float, float]] = {}


def _text_priority(text: str) -> float:
    """Highest lexicon weight of any word of ``text`` (a negated one counts 0); -1 when it holds no
    priority word."""
    return _text_facts(text)[0]


def _text_facts(text: str) -> tuple[float, float]:
    """(priority word weight, alert-colour weight) of a text, memoized: :func:`lexicon.text_priority`
    and :func:`lexicon.colour_weight` of its words, -1 for none."""
    # A long text is memoized under a 16-byte digest, not itself: texts repeat (templates), but
    # a memo keyed by 4,000-character texts pinned gigabytes (review 6, finding 5).
    key: str | bytes = text if len(text) <= _MEMO_MAX_CHARS else hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    v = _word_cache.get(key)
    if v is None:
        words = clause_words(text)[:_MAX_WORDS]  # clause marks bound a negation's scope
        v = (text_priority(words), colour_weight(words))
        _memo_put(_word_cache, key, v, len(key))
    return v


_code_memo: dict[str, str] = {}
# Cyrillic and Greek letters that look like Latin ones (as lower-cased: В, Н, Т, Μ, Ν... are read
# by their capitals), folded only in a label that also holds a Latin letter: "ТLK5825" with a
# Cyrillic Т is "tlk5825", while a label wholly in Cyrillic or Greek keeps its own letters.
_LOOKALIKE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l",
    "α": "a", "β": "b", "ε": "e", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "n", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "y", "χ": "x", "ζ": "z",
})
_LATIN = re.compile(r"[a-z]")


def _unmask(plain: str) -> str:
    """A normalized non-ASCII label without what hides a copy from the eye: format characters
    (Unicode Cf: zero-width spaces and joiners, the BOM, bidi marks) and, when the label mixes
    scripts, Cyrillic or Greek look-alikes of Latin letters."""
    if any(unicodedata.category(ch) == "Cf" for ch in plain):
        plain = "".join(ch for ch in plain if unicodedata.category(ch) != "Cf")
    if _LATIN.search(plain):
        plain = plain.translate(_LOOKALIKE)
    return plain


def code_form(text: str) -> str:
    """A short label as the same code however it is typed: lower case without accents
    (``lexicon.normalize``), without separators (``-_/`` and spaces), dots between letters or at an
    end, or leading zeros of a digit run. ``"TLK 5825"``, ``"tlk-5825"`` and ``"TLK05825"`` are
    one code; ``"1.5"`` is not ``"15"`` and ``"W1"`` is not ``"W10"``. Zero-width and other format
    characters, and Cyrillic or Greek look-alikes in a label that also holds Latin letters, are read
    away (:func:`_unmask`). The featurizer's near digest,
    categorical values and tokens, the copy rule (:func:`field_facts`) and explanations all read a
    label through this, so they cannot disagree. Memoized: labels repeat."""
    hit = _code_memo.get(text)
    if hit is not None:
        return hit
    plain = normalize(text)
    if not plain.isascii():
        plain = _unmask(plain)
    out = _LEAD_ZEROS.sub("", _CODE_DOTS.sub("", _SEPARATORS.sub("", plain))) or text.strip().lower()
    if len(text) <= _MEMO_MAX_CHARS:
        _memo_put(_code_memo, text, out, len(text) + len(out))
    return out


_quantity_memo: dict[str, tuple[float, str] | None] = {}


def as_quantity(value: object) -> tuple[float, str] | None:
    """``(number, unit)`` when a string value is a quantity (:func:`quantity.parse_quantity`:
    ``"38.5 °C"``, ``"1,234 kg"``) and holds no priority word or alert colour (``"2 urgent"`` keeps
    its priority reading), else None. The featurizer reads such a value as the number it is; the
    copy rule and explanations call this same function, so the three cannot disagree."""
    if not isinstance(value, str) or not value or len(value) > MAX_RAW:
        return None  # a long string is never one (and never pins the memo: review of session 12, finding 4)
    if value[0] not in FIRST_CHARS and not (value[0].isspace() and value.lstrip()[:1] in FIRST_CHARS):
        return None  # nearly every label and text: one set lookup
    try:
        return _quantity_memo[value]  # one lookup: a clear by another thread cannot fall between two
    except KeyError:
        pass
    q = parse_quantity(value)
    if q is not None:
        w, colour = _text_facts(value)
        if w >= 0 or colour >= 0:
            q = None
    _memo_put(_quantity_memo, value, q, len(value) + (len(q[1]) if q is not None else 0))  # <= MAX_RAW chars
    return q


def minority(count: int, mode: int, total: int) -> float:
    """How far below its field's most common value a categorical value is held, weighted by how
    much the field agrees on that value: ``log((mode + 1) / (count + 1)) / log(total + 2) * mode /
    total``, in [0, 1].

    Rarity alone cannot tell news from a spread-out vocabulary (each of ten vessel names is rare;
    an id is unique), nor a priority step from a routine one under a name and in tokens no lexicon
    knows (``INCERFA``, flag ``B``, level 1 of 5). Measured against a field most records agree on
    it can: a value held by few there is the exception (an alert step, a fault state), while a
    value of a uniform vocabulary or an id scores about 0.
    """
    if total <= 0:
        return 0.0
    return max(0.0, min(1.0, math.log((mode + 1.0) / (count + 1.0)) / math.log(total + 2.0) * mode / total))


def surprise(count: int, total: int, entropy: float) -> float:
    """A value's surprise beyond its field's average, ``(log(total / count) - entropy) / log(total + 1)``
    clipped to [0, 1]: 0 for every value of a uniform vocabulary or an id field (each is as surprising
    as the field on average), high for the exception in a field that is usually predictable.
    A value the field never held counts as held once."""
    if total <= 0:
        return 0.0
    return max(0.0, min(1.0, (math.log(total / max(count, 1)) - entropy) / math.log(total + 1.0)))


def field_entropy(counts: Sequence[int], total: int) -> float:
    """Shannon entropy (nats) of a field's value counts, summed in sorted order: the same multiset
    gives bit-identical features whatever order a history or a set held the counts in."""
    return -seq_sum(c / total * math.log(c / total) for c in sorted(counts) if c > 0)


def is_categorical(value: object) -> bool:
    """Whether the featurizer reads a (non-list) field value as a categorical label: a bool, an
    integer in [-8, 8] (a code: priority 3, level 2), or a string under ``_TEXT_MIN_LEN`` characters
    of at most ``_LABEL_WORDS`` words. explain.py groups values by this rule, so its wording cannot
    drift from what the features count (tests/node/test_value_exception.py checks both agree)."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -8 <= value <= 8
    return (isinstance(value, str) and len(value) < _TEXT_MIN_LEN and len(value.split()) <= _LABEL_WORDS
            and as_quantity(value) is None)


def priority_claim(key: str, value: object) -> bool:
    """Whether a field claims explicit priority: its name says priority (severity, level, urgent...),
    or its text holds a lexicon word above routine (``info`` or ``ok`` claim nothing) or an alert
    colour above green, or a list does in one of the items the featurizer reads. The novelty budget
    (``History.novel``) reads this; the model's features do not."""
    if _is_priority_field(key):
        return True
    items = value[:_MAX_LIST] if isinstance(value, tuple | list) else (value,)
    for v in items:
        if isinstance(v, str):
            word, colour = _text_facts(v)
            if word > 0 or colour > 0:
                return True
    return False


class RecordFeatures(NamedTuple):
    """Per-record features: a function of the record alone, safe to cache.

    A ``NamedTuple`` rather than a frozen dataclass: as immutable, and built about four times
    faster. A frozen dataclass's ``__init__`` sets each of its 23 fields through
    ``object.__setattr__``; that one line was 5.6% of end-to-end scoring at 256 records
    (py-spy, session 25: docs/throughput.md).

    ``tokens`` are 63-bit ids of the kind, field names, categorical values
    and text words (for similarity only); ``num_*`` are up to NUM_SLOTS
    numeric fields (group key, signed-log value, whether the field is a
    priority field); ``content`` digests kind and fields (exact duplicates),
    ``shape`` the kind, field names and non-numeric values (near-duplicate
    digests add quantized numbers to it); ``cat_tokens`` are (kind, field,
    value) ids of categorical values and ``cat_fields`` their (kind, field) ids;
    ``prio_word`` is the highest lexicon weight among the values' words (-1:
    none), ``prio_field`` whether a field is named like a priority, ``flag``
    whether such a field holds True. ``items`` are the record's own fields (a
    reference, not a copy): the copy rule derives its per-field facts from them
    when it needs them (:func:`field_facts`), so featurizing pays nothing for
    it. ``near_blind`` says the record holds a number or blob the near digest
    cannot see (past ``NUM_SLOTS``, in a list, bytes): the copy rule then
    ignores its near digest. ``colour`` is the highest alert-colour weight of
    a short value (``lexicon.colour_weight``: 0 green .. 1 red; -1 none).
    """

    kind_id: int
    origin_id: int
    ts_ms: int
    content: int
    shape: int
    tokens: tuple[int, ...]
    num_keys: tuple[int, ...]
    num_vals: tuple[float, ...]
    num_prio: tuple[bool, ...]
    cat_tokens: tuple[int, ...]
    cat_fields: tuple[int, ...]
    prio_token: int
    prio_field_id: int
    prio_word: float
    prio_field: bool
    flag: bool
    n_fields: int
    items: tuple[tuple[str, Any], ...] = ()
    near_blind: bool = False
    colour: float = -1.0
    extra_keys: tuple[int, ...] = ()
    extra_vals: tuple[float, ...] = ()
    extra_prio: tuple[bool, ...] = ()


_field_memo: dict[tuple[str, str], tuple[int, bool, int, int]] = {}


def _field_ids(kind: str, key: str) -> tuple[int, bool, int, int]:
    """(key token, whether the name says priority, (kind, field) id, number group id) of one field
    name, memoized: a stream repeats its schemas, and each id is a blake2b of a concatenation."""
    hit = _field_memo.get((kind, key))
    if hit is None:
        hit = (_tid("k\x00" + key), _is_priority_field(key), _tid("f\x00" + kind + "\x00" + key),
               num_key_id(kind, key))
        # kind and key are at most 64 characters each (RecordLimits)
        _memo_put(_field_memo, (kind, key), hit, len(kind) + len(key), ints=3)
    return hit


# What one scalar value adds to its record's features (see :func:`_scalar_effect`).
_Effect = tuple[tuple[int, ...], bool, tuple[str, ...], "float | None", "int | None", bool, float, float]
_effect_memo: dict[tuple[str, str, type, object, bool], _Effect] = {}
_EFFECT_MEMO_LIMIT = 32_768  # entries; their bytes are charged to the shared budget (_memo_put)
_EFFECT_MEMO_CHARS = 64  # labels repeat; longer values are texts, which rarely do


def _scalar_effect(kind: str, key: str, v: object, in_list: bool) -> _Effect:
    """What a non-float scalar value ``v`` of field ``key`` (an item of a list when ``in_list``) adds
    to its record's features: ``(tokens, tokens_are_words, shape parts, number or None, categorical
    token or None, whether that value may be a colour scale, priority word weight, alert colour)``.

    A function of its arguments alone, so :func:`featurize_record` memoizes it for short values
    (labels, codes, flags and small integers repeat across a stream); the record-level rules (slots,
    caps, which categorical value is the priority one) stay in :func:`featurize_record`."""
    tokens: tuple[int, ...] = ()
    words = False
    shape: tuple[str, ...] = ()
    number: float | None = None
    cat: int | None = None
    colour_field = False
    w, colour = -1.0, -1.0
    if isinstance(v, bool):
        tokens = (_tid("v\x00" + key + "\x00" + ("true" if v else "false")),)
        shape = (key + "=" + ("T" if v else "F"),)
        if not in_list:
            cat = _tid("c\x00" + kind + "\x00" + key + "\x00" + ("T" if v else "F"))
    elif isinstance(v, int | float):
        if not in_list:
            number = float(v)
        # Small integers are usually codes (priority 3, level 2): a categorical value too.
        if isinstance(v, int) and -8 <= v <= 8:
            tokens = (_tid("v\x00" + key + "\x00" + str(v)),)
            if not in_list:
                cat = _tid("c\x00" + kind + "\x00" + key + "\x00" + str(v))
    elif isinstance(v, str):
        w, colour = _text_facts(v)  # one memo lookup for both (a long text's key is a digest)
        q = as_quantity(v) if w < 0 and colour < 0 else None
        if q is not None:
            # A quantity written as text ("38.5 °C") is the number it spells: same slot, same z,
            # and no label (its values all differ, like an id's; quantity.py says why). Its unit
            # joins the shape: "5 g" after "5 mg" is not a near copy (review of session 12).
            if not in_list:
                number = q[0]
            if q[1]:
                shape = (key + "#u=" + q[1],)
        elif len(v) >= _TEXT_MIN_LEN or " " in v.strip():
            split = v.lower().split()[:_MAX_WORDS]
            tokens = tuple(_tid("w\x00" + key + "\x00" + word) for word in split)
            words = True
            if len(v) < _TEXT_MIN_LEN and len(split) <= _LABEL_WORDS:
                # A short label ("PAN PAN", "code red", "TLK 5825") is a code: near copies re-type
                # it ("TLK5825"), so the digest reads its code form, and it is a categorical value too.
                code = code_form(v)
                shape = (key + "=" + code,)
                if not in_list:
                    cat, colour_field = _tid("c\x00" + kind + "\x00" + key + "\x00" + code), colour >= 0
            else:
                # Near copies re-type text: the digest sees only its words' set.
                shape = (key + "~" + " ".join(sorted(set(split_words(v)))),)
        else:
            # Near copies re-type codes ("GU-1137", "gu 1137", "GU01137 "): token, digest and
            # categorical value read the code form (not dots between digits or symbols: "1.5" is
            # not "15", a tick not a cross).
            code = code_form(v)
            tokens = (_tid("v\x00" + key + "\x00" + code),)
            shape = (key + "=" + code,)
            if not in_list:
                # A field holding an alert colour may be a priority scale: its value's rarity is read
                # as a priority field's (priority_value_rarity) when no priority-named field holds one.
                cat, colour_field = _tid("c\x00" + kind + "\x00" + key + "\x00" + code), colour >= 0
    else:  # not a Record value type; still a valid token, never a crash
        tokens = (_tid("t\x00" + key + "\x00" + type(v).__name__),)
    return (tokens, words, shape, number, cat, colour_field, w, colour)


def featurize_record(record: Record) -> RecordFeatures:
    """Featurize one record. Never raises on anything a Record can hold."""
    kind = record.kind
    tokens = [_tid("kind\x00" + kind)]
    shape_parts: list[str] = [kind]
    num_keys: list[int] = []
    num_vals: list[float] = []
    num_prio: list[bool] = []
    extra_keys: list[int] = []
    extra_vals: list[float] = []
    extra_prio: list[bool] = []
    cats: list[int] = []
    cat_fields: list[int] = []
    word, colour, pfield, flag = -1.0, -1.0, False, False
    ptok = pfid = ctok = cfid = 0
    near_blind = False
    memo = _effect_memo

    def number(nkey: int, key: str, x: float, prio: bool) -> None:
        if len(num_keys) < NUM_SLOTS:
            num_keys.append(nkey)
            num_vals.append(_slog(x))
            num_prio.append(prio)
            if x != x:
                tokens.append(_tid("nan\x00" + key))
        elif len(extra_keys) < _MAX_EXTRA:
            extra_keys.append(nkey)
            extra_vals.append(_slog(x))
            extra_prio.append(prio)

    for key, value in record.items:
        ktok, prio, fid, nkey = _field_ids(kind, key)
        tokens.append(ktok)
        if prio:
            pfield = True
        vt = type(value)
        if vt is float or (vt is int and not -8 <= value <= 8):
            # The commonest value, a reading or a count: a number, no token, no label.
            shape_parts.append(key)
            if len(num_keys) >= NUM_SLOTS:
                near_blind = True  # a number past the slots: the near digest (slots only) does not see it
            number(nkey, key, float(value), prio)
            continue
        if vt is tuple or vt is list or isinstance(value, tuple | list):
            near_blind = True  # the shape sees a list's length and first items only
            number(num_key_id(kind, key + "#n"), key + "#n", float(len(value)), False)
            nums = [float(x) for x in value if isinstance(x, int | float) and not isinstance(x, bool)]
            nums += [q[0] for q in map(as_quantity, value[:_MAX_LIST]) if q is not None]
            if nums:
                number(num_key_id(kind, key + "#mean"), key + "#mean", seq_sum(nums) / len(nums), False)
            shape_parts.append(key + "#" + str(len(value)))
            items = value[:_MAX_LIST]
            in_list = True
        elif isinstance(value, bytes | bytearray):
            shape_parts.append(key)
            number(num_key_id(kind, key + "#bytes"), key + "#bytes", float(len(value)), False)
            near_blind = True  # a blob: the near digest does not see it
            continue
        else:
            shape_parts.append(key)
            items = (value,)
            in_list = False
        for v in items:
            vt = type(v)
            if vt is float or (vt is int and not -8 <= v <= 8):
                if not in_list:  # a number in a list counts only in the list's count and mean
                    if len(num_keys) >= NUM_SLOTS:
                        near_blind = True
                    number(nkey, key, float(v), prio)
                continue
            if isinstance(v, bytes | bytearray):
                number(num_key_id(kind, key + "#bytes"), key + "#bytes", float(len(v)), False)
                continue
            # Memoized only for a hashable type whose equal values featurize alike (the type is in the
            # key: True == 1 == 1.0 would share an entry), and a label-sized string.
            mkey = ((kind, key, vt, v, in_list)
                    if vt is bool or vt is int or (vt is str and len(v) <= _EFFECT_MEMO_CHARS) else None)
            eff = memo.get(mkey) if mkey is not None else None
            if eff is None:
                eff = _scalar_effect(kind, key, v, in_list)
                if mkey is not None:
                    _memo_put(memo, mkey, eff, len(kind) + len(key) + (len(v) if isinstance(v, str) else 0)
                              + sum(map(len, eff[2])), ints=len(eff[0]), limit=_EFFECT_MEMO_LIMIT)
            toks, are_words, shapes, x, cat, colour_field, w, c = eff
            if x is not None:
                nums_at = len(num_keys)
                number(nkey, key, x, prio)
                if not in_list and len(num_keys) == nums_at:
                    near_blind = True  # a number past the slots: the near digest (slots only) does not see it
            if toks:
                if are_words:
                    tokens.extend(toks[:max(0, _MAX_TOKENS - len(tokens))])  # the record's cap (review 8)
                else:
                    tokens.extend(toks)
            if shapes:
                shape_parts.extend(shapes)
            if w > word:
                word = w
            if c > colour:
                colour = c
            if prio and v is True:
                flag = True
            if cat is not None:
                if prio and not ptok:
                    ptok, pfid = cat, fid
                elif colour_field and not ctok:
                    ctok, cfid = cat, fid
                if len(cats) < _MAX_CATS:
                    cats.append(cat)
                    cat_fields.append(fid)
    if not ptok:
        ptok, pfid = ctok, cfid
    if ptok and cats and ptok not in cats:
        # The priority (or colour) field's value always has a slot: eight short labels before it must
        # not hide it from rarity and the history (review 9, finding 6).
        cats[-1], cat_fields[-1] = ptok, pfid
    shape = int.from_bytes(hashlib.blake2b("\x1f".join(shape_parts).encode("utf-8", "surrogatepass"),
                                           digest_size=8).digest(), "little") >> 1
    return RecordFeatures(
        kind_id=_tid(kind),
        origin_id=_tid("origin\x00" + record.origin),
        ts_ms=record.ts_ms,
        content=_content_id(record),
        shape=shape,
        tokens=tuple(tokens[:_MAX_TOKENS]),
        num_keys=tuple(num_keys),
        num_vals=tuple(num_vals),
        num_prio=tuple(num_prio),
        cat_tokens=tuple(cats),
        cat_fields=tuple(cat_fields),
        prio_token=ptok,
        prio_field_id=pfid,
        prio_word=float(word),
        prio_field=pfield,
        flag=flag,
        n_fields=len(record.items),
        items=record.items,
        near_blind=near_blind,
        colour=float(colour),
        extra_keys=tuple(extra_keys),
        extra_vals=tuple(extra_vals),
        extra_prio=tuple(extra_prio),
    )


_packed_len_memo: dict[str, int] = {}


def _packed_len(value: str | int) -> int:
    """Bytes of ``value`` in msgpack: a string's memoized (kinds and origins repeat; each
    ``msgpack.packb`` builds a Packer), a non-negative integer's by msgpack's rule."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return 1 if value < 128 else 2 if value < 256 else 3 if value < 65_536 else 5 if value < 2**32 else 9
    if not isinstance(value, str):
        return len(msgpack.packb(value))
    n = _packed_len_memo.get(value)
    if n is None:
        n = len(msgpack.packb(value))
        if len(value) <= _MEMO_MAX_CHARS:
            _memo_put(_packed_len_memo, value, n, len(value))
    return n


def _content_id(record: Record) -> int:
    """Digest of kind and fields: the canonical bytes without origin and ts_ms."""
    raw = record.canonical_bytes()
    # Canonical bytes are [kind, origin, ts_ms, pairs]: skip the two middle items.
    head = 1 + _packed_len(record.kind)
    skip = _packed_len(record.origin) + _packed_len(record.ts_ms)
    body = raw[:head] + raw[head + skip :] if raw else msgpack.packb([record.kind, list(record.items)])
    return int.from_bytes(hashlib.blake2b(body, digest_size=8).digest(), "little") >> 1


FieldFacts = tuple[int, int, "float | None", bool, bool, bool]
"""What the copy rule needs of one field: (name id, hash of the name with its non-numeric content,
the number's signed log or None, whether it is a list or blob hashed whole, whether its value is
specific, whether it says priority)."""

_facts_memo: dict[tuple[str, type, object], FieldFacts] = {}
_sketch_memo: dict[str | bytes, tuple[int, ...]] = {}
_memos.extend([_token_ids, _prio_field_cache, _word_cache, _code_memo, _quantity_memo, _field_memo, _effect_memo,
               _packed_len_memo, _facts_memo, _sketch_memo])

#: How many of a text's distinct words :func:`text_sketch` keeps.
TEXT_SKETCH_WORDS = 16


def text_sketch(text: str) -> tuple[int, ...]:
    """The 63-bit hashes of a text's distinct words (``split_words``), the ``TEXT_SKETCH_WORDS``
    lowest of them, ascending (every word of a shorter text), for the copy rule's text digests
    (node/attention/history.py). Why the lowest hashes: a word added, dropped or changed anywhere in
    the text changes this sketch by at most one word (one in, or one out, or one for another), so a
    match within one word of the sketch is a match within one word of the text, however long.
    Memoized like :func:`_text_facts` (a long text under a 16-byte digest of it)."""
    key: str | bytes = text if len(text) <= _MEMO_MAX_CHARS else hashlib.blake2b(
        text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    v = _sketch_memo.get(key)
    if v is None:
        v = tuple(heapq.nsmallest(TEXT_SKETCH_WORDS, {_tid(w) for w in split_words(text)}))
        _memo_put(_sketch_memo, key, v, len(key), ints=len(v))
    return v


def field_facts(key: str, value: Any) -> FieldFacts:
    """:data:`FieldFacts` of one field, for the copy rule (node/attention/history.py).

    The content hash sees what the near digest sees of a scalar: a label's code form
    (:func:`code_form`), a text's set of distinct words (near copies re-type text); a list or blob is
    hashed whole. A value is *specific* (unlikely to recur by chance) when it is a measured number
    (not a small-integer code) or a text of at least four distinct words. Memoized for scalars
    with short values: categorical fields repeat.
    """
    memo_key = (key, type(value), value) if isinstance(value, str | int | float | bool) and (
        not isinstance(value, str) or len(value) <= _MEMO_MAX_CHARS) else None
    if memo_key is not None:
        hit = _facts_memo.get(memo_key)
        if hit is not None:
            return hit
    kid = _tid("k\x00" + key)
    prio = _is_priority_field(key)
    num: float | None = None
    whole = specific = False
    if isinstance(value, bool):
        content = _tid(key + "=" + ("T" if value else "F"))
    elif isinstance(value, int | float):
        num = _slog(float(value))
        specific = not (float(value).is_integer() and -8 <= value <= 8)
        content = _tid(key)
    elif (q := as_quantity(value)) is not None:
        num = _slog(q[0])
        specific = not (q[0].is_integer() and -8 <= q[0] <= 8)
        # As a number's, with the unit: "5 g" is not a replay of "5 mg" (review of session 12, finding 3).
        content = _tid(key + "#u=" + q[1]) if q[1] else _tid(key)
    elif isinstance(value, str):
        prio = prio or _text_priority(value) >= 0
        if len(value) >= _TEXT_MIN_LEN or len(value.split()) > _LABEL_WORDS:
            words = sorted(set(split_words(value)))
            specific = len(words) >= _SPECIFIC_WORDS
            content = _h63(key + "~" + " ".join(words))
        else:  # a label, read as its code form (as the near digest reads it)
            content = _tid(key + "=" + code_form(value))
    elif isinstance(value, bytes | bytearray):
        whole, content = True, _h63(key + "#b\x1e" + bytes(value).hex())
    elif isinstance(value, tuple | list):
        whole, content = True, _h63(key + "#l\x1e" + repr(value))
    else:
        content = _tid(key + "#t\x1e" + type(value).__name__)
    facts: FieldFacts = (kid, content, num, whole, specific, prio)
    if memo_key is not None:
        _memo_put(_facts_memo, memo_key, facts, len(key) + (len(value) if isinstance(value, str) else 0), ints=3)
    return facts


class FeatureCache:
    """Bounded, thread-safe cache of :func:`featurize_record`, keyed by a 16-byte digest of the
    record's canonical bytes (not the bytes: a record may be 16 KiB, and 65,536 of them pinned 1 GiB).

    Bounded by count and by an estimate of the features' bytes (``max_bytes``): a record of long
    texts keeps about 6 KiB of features (100 token ids), a routine one under 1 KiB, so the count
    alone would let a stream of maximal records hold 400 MiB.
    """

    def __init__(self, capacity: int = 65_536, max_bytes: int = 128 * 2**20) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self.bytes = 0
        self._d: dict[bytes, tuple[RecordFeatures, int]] = {}
        self._lock = threading.Lock()

    def get(self, record: Record) -> RecordFeatures:
        key = hashlib.blake2b(record.canonical_bytes(), digest_size=16).digest()
        hit = self._d.get(key)
        if hit is not None:
            return hit[0]
        f = featurize_record(record)
        size = feature_bytes(f)
        with self._lock:
            if key in self._d:
                return self._d[key][0]
            if len(self._d) >= self.capacity or self.bytes + size > self.max_bytes:
                # Drop the oldest half (dicts keep insertion order): cheap and bounded.
                for k in list(self._d)[: max(1, len(self._d) // 2)]:
                    self.bytes -= self._d.pop(k)[1]
            self._d[key] = (f, size)
            self.bytes += size
        return f

    def __len__(self) -> int:
        return len(self._d)


def feature_bytes(f: RecordFeatures) -> int:
    """An estimate of what one :class:`RecordFeatures` keeps alive: 44 bytes per int in a tuple
    (the int and its slot), a few hundred for the object and its tuples, and the record's own keys
    and values, which ``items`` holds for the copy rule (review 8, finding 3: four 4,000-character
    texts are 17 KiB an entry, not the 1.1 KiB the ints alone count)."""
    ints = (len(f.tokens) + 3 * len(f.num_keys) + 3 * len(f.extra_keys) + 2 * len(f.cat_tokens) + 2 * len(f.items))
    # sys.getsizeof costs about 0.35 us a call, and it was 11% of featurizing: an ASCII string's
    # size and a float's are computed (the same numbers: the sizes of "" and 0.0 are read once
    # below); anything else is asked. A list always sets near_blind, so only then are values walked
    # for their items.
    sizeof = sys.getsizeof
    held = 0
    for key, value in f.items:
        held += _ASCII_STR + len(key) if key.isascii() else sizeof(key)
        vt = type(value)
        if vt is float:
            held += _FLOAT
        elif vt is str and value.isascii():
            held += _ASCII_STR + len(value)
        else:
            held += sizeof(value)
    if f.near_blind:
        for _, value in f.items:
            if isinstance(value, tuple | list):
                held += sum(map(sizeof, value))
    return 400 + 44 * ints + held


_ASCII_STR = sys.getsizeof("")  # an ASCII str is this plus one byte a character (CPython's compact form)
_FLOAT = sys.getsizeof(0.0)


def seq_sum(xs: Iterable[float]) -> float:
    """Floats added left to right, as 3.11's ``sum`` did: 3.12 made ``sum`` compensated, so a
    window's features would differ between validators on two Pythons (review 8, finding 2b)."""
    acc = 0.0
    for x in xs:
        acc += x
    return acc


@dataclass(frozen=True, slots=True)
class WindowFeatures:
    """Tensors for one window of n records (leading batch dim added by the model's callers).

    cat: [n, HASH_DIM] L2-normalized signed bag of tokens (pairwise similarity only).
    num: [n, S, NUM_FEATS] per numeric slot (:data:`SLOT_NAMES`); num_mask: [n, S].
    slog: [n, S] signed-log values; unit: [n, S] values in robust spreads of their field.
    ctx: [n, CTX_DIM] (:data:`CTX_NAMES`). kind/origin/content/near: [n] long ids.
    t: [n] seconds relative to the newest record (<= 0); gap: [] mean gap in seconds.
    order: [n] rank in time (ties keep sequence order).
    """

    cat: torch.Tensor
    num: torch.Tensor
    num_mask: torch.Tensor
    slog: torch.Tensor
    unit: torch.Tensor
    ctx: torch.Tensor
    kind: torch.Tensor
    origin: torch.Tensor
    content: torch.Tensor
    near: torch.Tensor
    t: torch.Tensor
    gap: torch.Tensor
    order: torch.Tensor

    def __len__(self) -> int:
        return int(self.cat.shape[0])


def featurize(records: Sequence[Record], cache: FeatureCache | None = None,
              history: History | None = None) -> WindowFeatures:
    """Featurize a window: per-record features (cached if ``cache``), then :func:`assemble_window`."""
    feats = [cache.get(r) for r in records] if cache is not None else [featurize_record(r) for r in records]
    return assemble_window(feats, history)


def _ids(ids: Iterable[int]) -> torch.Tensor:
    """int64 tensor of ``ids`` (each below 2**63). Through ``array('q')``: about 3x faster than
    ``torch.tensor`` on a list of Python ints (docs/throughput.md, session 27)."""
    buf = array("q", ids)
    return torch.frombuffer(buf, dtype=torch.int64) if buf else torch.zeros(0, dtype=torch.int64)


def _f32(values: Iterable[float]) -> torch.Tensor:
    """float32 tensor of ``values``, through ``array('f')`` (the same rounding as ``torch.tensor``)."""
    buf = array("f", values)
    return torch.frombuffer(buf, dtype=torch.float32) if buf else torch.zeros(0, dtype=torch.float32)


def _f64(values: Iterable[float]) -> torch.Tensor:
    buf = array("d", values)
    return torch.frombuffer(buf, dtype=torch.float64) if buf else torch.zeros(0, dtype=torch.float64)


def mix_digest(shape: torch.Tensor, keys: torch.Tensor, q: torch.Tensor, rows: torch.Tensor, n: int) -> torch.Tensor:
    """Order-free digest per row: shape plus a sum of mixed (field key, quantized value) pairs.

    Integer arithmetic wraps at 64 bits (deterministic two's complement); the
    result is masked to 63 bits so it compares with the history's digests.
    """
    part = (keys * 0x5851F42D4C957F2D) ^ (q * 0x14057B7EF767814F + 0x2545F4914F6CDD1D)
    part = part ^ (part >> 29)
    acc = torch.zeros(n, dtype=torch.int64).index_add_(0, rows, part)
    return (shape * 0x9E3779B97F4A7C15 + acc) & _MASK63


def history_copies(w: WindowFeatures) -> list[bool]:
    """Per record of an assembled window: the history holds its exact content, or a near copy of it
    (the same near-duplicate digest: shape, and every number in the same half-spread bin of the
    *history's* statistics, so the answer does not depend on the rest of the window). The
    validators' copy rule (``protocol.admission.without_history_copies``) reads this."""
    exact = w.ctx[:, CTX_NAMES.index("exact_copy_in_history")]
    near = w.ctx[:, CTX_NAMES.index("near_copy_in_history")]
    return ((exact > 0.5) | (near > 0.5)).tolist()


def assemble_window(feats: Sequence[RecordFeatures], history: History | None = None) -> WindowFeatures:
    """Build the window tensors (see :class:`WindowFeatures`) from per-record features."""
    n = len(feats)
    if n == 0:
        raise ValueError("cannot assemble an empty window")
    ctx = torch.zeros(n, CTX_DIM)
    # -- bag of tokens (similarity, window rarity) -------------------------------
    tok_counts = [len(f.tokens) for f in feats]
    tok_counts_t = _ids(tok_counts)
    tok = _ids(itertools.chain.from_iterable(f.tokens for f in feats))
    tok_row = torch.repeat_interleave(torch.arange(n), tok_counts_t)
    bucket = tok % HASH_DIM
    sign = ((tok >> 40) & 1).to(torch.float32) * 2.0 - 1.0
    cat = torch.zeros(n, HASH_DIM)
    cat.index_put_((tok_row, bucket), sign, accumulate=True)
    cat = cat / cat.norm(dim=1, keepdim=True).clamp_min(1e-6)
    _, inv, df = torch.unique(tok, return_inverse=True, return_counts=True)
    tok_df = df[inv].to(torch.float32)
    min_df = torch.full((n,), float(n)).scatter_reduce(0, tok_row, tok_df, "amin", include_self=True)
    singles = torch.zeros(n).index_add_(0, tok_row, (tok_df == 1).to(torch.float32))
    logn = math.log(n + 1.0)
    # -- kinds ---------------------------------------------------------------------
    kind_list = [f.kind_id for f in feats]
    kind = _ids(kind_list)
    _, kinv, kcount = torch.unique(kind, return_inverse=True, return_counts=True)
    same_kind = kcount[kinv].to(torch.float32)
    # -- numbers: window and history statistics ----------------------------------
    num = torch.zeros(n, NUM_SLOTS, NUM_FEATS)
    num_mask = torch.zeros(n, NUM_SLOTS)
    slog = torch.zeros(n, NUM_SLOTS)
    unit = torch.zeros(n, NUM_SLOTS)
    slot_counts = [len(f.num_keys) for f in feats]
    m = sum(slot_counts)
    shape = _ids([f.shape for f in feats])
    near_ids = shape * 0x9E3779B97F4A7C15 & _MASK63
    max_zw = torch.zeros(n, dtype=torch.float64)
    max_zh = torch.zeros(n, dtype=torch.float64)
    max_wide = torch.zeros(2, n, dtype=torch.float64)  # the largest wide |z| (window, history) of each record
    near_hist_ok = torch.ones(n, dtype=torch.bool)
    if m:
        key_list = list(itertools.chain.from_iterable(f.num_keys for f in feats))
        keys = _ids(key_list)
        vals = _f64(itertools.chain.from_iterable(f.num_vals for f in feats))
        slot_counts_t = _ids(slot_counts)
        rows = torch.repeat_interleave(torch.arange(n), slot_counts_t)
        cols = torch.arange(m) - torch.repeat_interleave(torch.cumsum(slot_counts_t, 0) - slot_counts_t, slot_counts_t)
        _, inv, counts = torch.unique(keys, return_inverse=True, return_counts=True)
        zw, wmed, wscale, gcount, zww = _robust_z_groups(inv, counts, vals)
        if history is not None and len(history):
            stats = [history.num_stats(k) for k in key_list]
            hmed = _f64([s[0] for s in stats])
            hscale = _f64([s[1] for s in stats])
            has = torch.tensor([s[2] >= _HIST_MIN for s in stats])
            hwide = _f64(history.wide_scales(key_list))
        else:
            hmed = torch.zeros(m, dtype=torch.float64)
            hscale = torch.ones(m, dtype=torch.float64)
            has = torch.zeros(m, dtype=torch.bool)
            hwide = hscale
        zh = torch.where(has, ((vals - hmed) / hscale).clamp(-_Z_CLIP, _Z_CLIP), torch.zeros_like(vals))
        med = torch.where(has, hmed, wmed)
        scale = torch.where(has, hscale, wscale)
        u = (vals - med) / scale
        prio_slot = _f32(itertools.chain.from_iterable(f.num_prio for f in feats))
        num_mask[rows, cols] = 1.0
        slog[rows, cols] = vals.to(torch.float32)
        unit[rows, cols] = u.clamp(-1e6, 1e6).to(torch.float32)
        hasf = has.to(torch.float64)
        far_share = _far_share(inv, zw, gcount)
        zhw = torch.where(has, ((vals - hmed) / hwide).clamp(-_Z_CLIP, _Z_CLIP), torch.zeros_like(vals))
        num[rows, cols] = torch.stack(
            [zw / 4.0, torch.tanh(zw.abs() / 3.0), zh / 4.0, torch.tanh(zh.abs() / 3.0), hasf,
             torch.log1p(gcount.to(torch.float64)) / 7.0, prio_slot.to(torch.float64), far_share,
             torch.tanh(zww.abs() / 3.0), torch.tanh(zhw.abs() / 3.0)],
            dim=1).to(torch.float32)
        max_zw = max_zw.scatter_reduce(0, rows, zw.abs(), "amax", include_self=True)
        max_zh = max_zh.scatter_reduce(0, rows, zh.abs(), "amax", include_self=True)
        max_wide[0] = max_wide[0].scatter_reduce(0, rows, zww.abs(), "amax", include_self=True)
        max_wide[1] = max_wide[1].scatter_reduce(0, rows, zhw.abs(), "amax", include_self=True)
        q = torch.floor(u.clamp(-1e9, 1e9) / _QUANT).to(torch.int64)
        near_ids = mix_digest(shape, keys, q, rows, n)
        near_hist_ok = torch.ones(n, dtype=torch.bool).scatter_reduce(0, rows, has, "amin", include_self=True)
    if any(f.extra_keys for f in feats):
        near_ids, near_hist_ok = _wide_slots(feats, history, (num, num_mask, slog, unit), max_zw, max_zh, shape,
                                             max_wide)
    # -- time and runs within (kind, origin) ------------------------------------------
    ts_list = [f.ts_ms for f in feats]
    ts = _ids(ts_list)
    t = ((ts - ts.max()).to(torch.float64) / 1000.0).to(torch.float32)
    order = torch.empty(n, dtype=torch.float32)
    time_order = torch.argsort(ts, stable=True)
    order[time_order] = torch.arange(n, dtype=torch.float32)
    span = (max(ts_list) - min(ts_list)) / 1000.0
    mean_gap = max(span / max(1, n - 1), 1e-3)
    time_list = time_order.tolist()
    runs = _runs([feats[i] for i in time_list], time_list, mean_gap)
    # -- duplicates and history ------------------------------------------------------------
    content_list = [f.content for f in feats]
    near_list = near_ids.tolist()
    seen_exact: set[int] = set()
    seen_near: set[int] = set()
    exact_earlier = [0.0] * n
    near_earlier = [0.0] * n
    for i in time_list:
        if content_list[i] in seen_exact:
            exact_earlier[i] = 1.0
        if near_list[i] in seen_near:
            near_earlier[i] = 1.0
        seen_exact.add(content_list[i])
        seen_near.add(near_list[i])
    hist_n = len(history) if history is not None else 0
    if history is not None and hist_n:
        ok = near_hist_ok.tolist()
        exact_hist = [1.0 if history.has_content(c) else 0.0 for c in content_list]
        near_hist = [1.0 if ok[i] and history.has_near(near_list[i]) else 0.0 for i in range(n)]
        kind_hist = [history.kind_count(k) for k in kind_list]
        val_rarity = [_value_rarity_history(f, history) for f in feats]
    else:
        exact_hist = near_hist = val_rarity = [0.0] * n
        kind_hist = [0] * n
    # Value rarity: how rare the record's rarest categorical value is among its
    # kind, counting only low-cardinality fields (an id is unique without being news).
    win_rarity = [0.0] * n
    prio_rarity = [0.0] * n
    # The record's most exceptional categorical value (:func:`minority`, :func:`surprise`), in the
    # window and in the history.
    win_minority = [0.0] * n
    win_surprise = [0.0] * n
    hist_minority = [0.0] * n
    hist_surprise = [0.0] * n
    if any(f.cat_tokens for f in feats):
        # Counts keyed by (field, value): a crafted key and value can give one token in two fields
        # (review 9, finding 1), and each field must count only its own.
        tcount: dict[tuple[int, int], int] = {}
        fcount: dict[int, int] = {}
        for f in feats:
            for pair in zip(f.cat_fields, f.cat_tokens, strict=True):
                tcount[pair] = tcount.get(pair, 0) + 1
                fcount[pair[0]] = fcount.get(pair[0], 0) + 1
        distinct: dict[int, int] = {}
        fvals: dict[int, list[int]] = {}
        for (fid, _), count in tcount.items():
            distinct[fid] = distinct.get(fid, 0) + 1
            fvals.setdefault(fid, []).append(count)
        fmode = {fid: max(counts) for fid, counts in fvals.items()}
        fent = {fid: field_entropy(counts, fcount[fid]) for fid, counts in fvals.items()}
        # Each (field, value) once: a window repeats its categorical values many times over.
        wexc = {pair: (minority(count, fmode[pair[0]], fcount[pair[0]]),
                       surprise(count, fcount[pair[0]], fent[pair[0]]))
                for pair, count in tcount.items() if fcount[pair[0]] >= _HIST_MIN}
        # A value's rarity counts only in a low-cardinality field; each (field, value) once.
        rare: dict[tuple[int, int], float] = {}
        for pair, count in tcount.items():
            total = fcount[pair[0]]
            if total >= 8 and distinct[pair[0]] <= max(2, min(16, 0.05 * total)):
                rare[pair] = -math.log(count / total) / math.log(total + 1.0)
        for i, f in enumerate(feats):
            best = prio = mino = surp = 0.0
            for tkn, fid in zip(f.cat_tokens, f.cat_fields, strict=True):
                exc = wexc.get((fid, tkn))
                if exc is not None:
                    if exc[0] > mino:
                        mino = exc[0]
                    if exc[1] > surp:
                        surp = exc[1]
                r = rare.get((fid, tkn))
                if r is not None:
                    if r > best:
                        best = r
                    if tkn == f.prio_token and r > prio:
                        prio = r
            win_rarity[i], prio_rarity[i], win_minority[i], win_surprise[i] = best, prio, mino, surp
        if history is not None and hist_n:
            hexc: dict[tuple[int, int], tuple[float, float]] = {}
            for i, f in enumerate(feats):
                prio_rarity[i] = max(prio_rarity[i], _prio_rarity(f, history))
                for tkn, fid in zip(f.cat_tokens, f.cat_fields, strict=True):
                    exc = hexc.get((fid, tkn))
                    if exc is None:
                        exc = hexc[(fid, tkn)] = history.value_exception(tkn, fid)
                    hist_minority[i] = max(hist_minority[i], exc[0])
                    hist_surprise[i] = max(hist_surprise[i], exc[1])
    # -- context vector ----------------------------------------------------------------------
    c = _C
    ctx[:, c["time_rank"]] = order / max(1, n - 1)
    ctx[:, c["kind_share_log"]] = torch.log(same_kind) / logn
    ctx[:, c["kind_share"]] = same_kind / n
    ctx[:, c["rarest_token"]] = torch.log(min_df) / logn
    ctx[:, c["unique_tokens"]] = singles / tok_counts_t.to(torch.float32)
    ctx[:, c["n_fields"]] = _f32([min(f.n_fields, 64) for f in feats]) / 16.0
    ctx[:, c["max_|z|_window"]] = torch.tanh(max_zw.to(torch.float32) / 3.0)
    ctx[:, c["window_size"]] = logn / math.log(1025.0)
    ctx[:, c["max_|z|_history"]] = torch.tanh(max_zh.to(torch.float32) / 3.0)
    ctx[:, c["max_|z|_window_wide"]] = torch.tanh(max_wide[0].to(torch.float32) / 3.0)
    ctx[:, c["max_|z|_history_wide"]] = torch.tanh(max_wide[1].to(torch.float32) / 3.0)
    # Rarity relative to the stream's kind distribution: the kind's count over the
    # count of the kind a typical record of the window has (the median over
    # records). Raw shares depend on how many kinds a stream has (4 of 256 is
    # rare among 8 kinds, common among 80); the ratio does not.
    typical = float(torch.median(same_kind))
    ctx[:, c["kind_rel_window"]] = (torch.log(same_kind / typical) / logn).clamp(-1.0, 1.0)
    if hist_n:
        kh = _f32(kind_hist)
        typical_h = float(torch.median(kh))
        ctx[:, c["kind_rel_history"]] = (torch.log((kh + 1.0) / (typical_h + 1.0))
                                         / math.log(hist_n + 2.0)).clamp(-1.0, 1.0)
        ctx[:, c["kind_rarity_history"]] = -torch.log((kh + 1.0) / (hist_n + 1.0)) / math.log(hist_n + 2.0)
        ctx[:, c["history_size"]] = math.log1p(hist_n) / math.log1p(10_000)
        ctx[:, c["kind_new_to_history"]] = ((kh == 0) & (hist_n >= 50)).to(torch.float32)
    # Columns computed in Python: one tensor conversion and one indexed write
    # (each separate small torch op costs more than its arithmetic here).
    names = ["exact_copy_in_history", "near_copy_in_history", "value_rarity_history", "exact_copy_earlier",
             "near_copy_earlier", "gap_prev", "gap_next", "run_position", "run_length", "first_of_run",
             "priority_word", "has_priority_word", "priority_field", "priority_value_rarity", "flag_set",
             "value_rarity_window", "alert_colour", "has_alert_colour", "value_minority_window",
             "value_surprise_window", "value_minority_history", "value_surprise_history"]
    cols = [exact_hist, near_hist, val_rarity, exact_earlier, near_earlier, *runs,
            [max(f.prio_word, 0.0) for f in feats], [1.0 if f.prio_word >= 0 else 0.0 for f in feats],
            [1.0 if f.prio_field else 0.0 for f in feats], prio_rarity, [1.0 if f.flag else 0.0 for f in feats],
            win_rarity, [max(f.colour, 0.0) for f in feats], [1.0 if f.colour >= 0 else 0.0 for f in feats],
            win_minority, win_surprise, hist_minority, hist_surprise]
    ctx[:, [c[x] for x in names]] = _f32(itertools.chain.from_iterable(cols)).view(len(cols), n).T
    return WindowFeatures(
        cat=cat, num=num, num_mask=num_mask, slog=slog, unit=unit, ctx=ctx, kind=kind,
        origin=_ids([f.origin_id for f in feats]), content=_ids(content_list), near=near_ids, t=t,
        gap=torch.tensor(mean_gap, dtype=torch.float32), order=order,
    )


def _runs(sorted_feats: list[RecordFeatures], idx: list[int], mean_gap: float) -> list[list[float]]:
    """Per record (original index), as five columns: gap_prev, gap_next, run position, run length,
    first-of-run.

    A run is a chain of records of one (kind, origin) each following the
    previous within one mean gap of the window. Gaps are in mean gaps, log
    squashed; "no neighbour" reads as a gap of 1000 mean gaps.
    """
    n = len(idx)
    ts = [f.ts_ms for f in sorted_feats]
    last: dict[tuple[int, int], int] = {}  # (kind, origin) -> position in sorted order
    prev = [-1] * n
    nxt = [-1] * n
    pos = [0] * n
    for p, f in enumerate(sorted_feats):
        key = (f.kind_id, f.origin_id)
        q = last.get(key, -1)
        last[key] = p
        if q >= 0:
            prev[p] = q
            nxt[q] = p
            if (ts[p] - ts[q]) / 1000.0 <= mean_gap:
                pos[p] = pos[q] + 1
    length = [0] * n
    for p in range(n - 1, -1, -1):
        q = nxt[p]
        length[p] = length[q] if q >= 0 and pos[q] == pos[p] + 1 else pos[p] + 1
    limit = mean_gap * 1000.0
    scale = math.log1p(1000.0)
    log1p = math.log1p
    gap_prev, gap_next, position, run_length, first = ([0.0] * n for _ in range(5))
    for p in range(n):
        i = idx[p]
        q, r, k, ln = prev[p], nxt[p], pos[p], length[p]
        gp = (ts[p] - ts[q]) / 1000.0 if q >= 0 else limit
        gn = (ts[r] - ts[p]) / 1000.0 if r >= 0 else limit
        gap_prev[i] = log1p(min(gp, limit) / mean_gap) / scale
        gap_next[i] = log1p(min(gn, limit) / mean_gap) / scale
        position[i] = log1p(k) / 3.0
        run_length[i] = log1p(ln) / 3.0
        first[i] = 1.0 if k == 0 and ln >= 2 else 0.0
    return [gap_prev, gap_next, position, run_length, first]


class _Numbers:
    """Every number of a window's records, slotted or past the slots, flattened in record order:
    (kind, field) key ids, signed-log values, priority flags, row, position in its record, and each
    key's group index in sorted key order (``inv``; ``uniq`` the keys). Built with C-level loops:
    a window of 1,024 records of 60 numbers is 61,440 of them."""

    def __init__(self, feats: Sequence[RecordFeatures]) -> None:
        counts = [len(f.num_keys) + len(f.extra_keys) for f in feats]
        self.keys = list(itertools.chain.from_iterable(itertools.chain(f.num_keys, f.extra_keys) for f in feats))
        vals = array("d", itertools.chain.from_iterable(itertools.chain(f.num_vals, f.extra_vals) for f in feats))
        self.vals = torch.frombuffer(vals, dtype=torch.float64) if vals else torch.zeros(0, dtype=torch.float64)
        self.prio = torch.tensor(list(itertools.chain.from_iterable(
            itertools.chain(f.num_prio, f.extra_prio) for f in feats)), dtype=torch.float64)
        count_t = _ids(counts)
        self.rows = torch.repeat_interleave(torch.arange(len(feats)), count_t)
        self.pos = torch.arange(len(self.keys)) - (torch.cumsum(count_t, 0) - count_t)[self.rows]
        self.uniq = sorted(set(self.keys))
        index = {k: i for i, k in enumerate(self.uniq)}
        self.inv = _ids([index[k] for k in self.keys])


def _slot_ranks(nums: _Numbers, med: torch.Tensor, n: int) -> torch.Tensor:
    """Per number: its rank among its own record's numbers for a slot. A number equal to its
    field's median (the History's when it holds enough of the field, else the window's: a steady
    calibration, a limit) comes after one that is not, then key order. Each record ranks only its
    own numbers, so other records cannot take its slots away: moving a median takes a majority of
    the field's values (review of session 12, finding 1); and a wide record alone in its kind in
    the window is judged against the History."""
    steady = (nums.vals == med).to(torch.int64)
    order = torch.argsort(nums.rows * 4096 + steady * 2048 + nums.pos, stable=True)
    counts = torch.bincount(nums.rows, minlength=n)
    start = torch.cumsum(counts, 0) - counts
    rank = torch.empty_like(order)
    rank[order] = torch.arange(len(order)) - start[nums.rows[order]]
    return rank


def _medians(nums: _Numbers, history: History | None) -> tuple[torch.Tensor, ...]:
    """Per number: window z, window median and scale, group size, the History's median, scale
    and whether it holds enough of the field (zeros, ones and False without a History), and the
    window's wide z."""
    counts = torch.bincount(nums.inv, minlength=len(nums.uniq))
    zw, wmed, wscale, gcount, zww = _robust_z_groups(nums.inv, counts, nums.vals)
    if history is not None and len(history):
        stats = history.num_stats_many(nums.uniq)  # per field, in one call
        hmed = _f64([s[0] for s in stats])[nums.inv]
        hscale = _f64([s[1] for s in stats])[nums.inv]
        has = torch.tensor([s[2] >= _HIST_MIN for s in stats])[nums.inv]
    else:
        hmed = torch.zeros(len(nums.vals), dtype=torch.float64)
        hscale = torch.ones(len(nums.vals), dtype=torch.float64)
        has = torch.zeros(len(nums.vals), dtype=torch.bool)
    return zw, wmed, wscale, gcount, hmed, hscale, has, zww


def wide_slot_positions(feats: Sequence[RecordFeatures], history: History | None = None) -> list[list[int]]:
    """For each record: the positions (among its numbers, slotted first, then past the slots) of
    the numbers that get its slots, in slot order. A record with at most ``NUM_SLOTS`` numbers
    keeps them all; a wide one takes those not equal to their field's median first
    (``_wide_slots``; explanations name slots by it: pass the record's kind's records and the
    History it was scored against)."""
    nums = _Numbers(feats)
    if not nums.keys:
        return [[] for _ in feats]
    _, wmed, _, _, hmed, _, has, _ = _medians(nums, history)
    rank = _slot_ranks(nums, torch.where(has, hmed, wmed), len(feats))
    out: list[list[int]] = [[] for _ in feats]
    for r, p, k in zip(nums.rows.tolist(), nums.pos.tolist(), rank.tolist(), strict=True):
        if k < NUM_SLOTS:
            out[r].append(p)
    return out


def _wide_slots(feats: Sequence[RecordFeatures], history: History | None,
                slots: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor],
                max_zw: torch.Tensor, max_zh: torch.Tensor, shape: torch.Tensor,
                max_wide: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Slots for the records of a window that hold more numbers than ``NUM_SLOTS``.

    A wide schema often starts (in key order) with steady numbers: calibration, limits, ids. Given
    the first eight, its readings were invisible and every pair of its records looked numerically
    identical. Each wide record's slots (``num``, ``num_mask``, ``slog``, ``unit``, rewritten in
    place for those records only) go to its own numbers that differ from their field's median
    (the History's when it holds enough of the field, else the window's), then the steady ones,
    placed in key order (:func:`_slot_ranks`); ``max_zw``,
    ``max_zh`` and ``max_wide`` take every number's |z|. A field's window z is taken over all its values (slotted
    or not), and the near digest bins every number (``History`` digests its records the same
    way), so records that agree on their steady fields are not near copies of each other.
    Returns the near digests and whether the history's statistics covered every number of each
    record. Records with at most ``NUM_SLOTS`` numbers keep the main path's slots; their near
    digests differ only if their kind's fields also sit past another record's slots. Windows
    without wide records never come here: their features (all of training) are unchanged.
    """
    num, num_mask, slog, unit = slots
    n = len(feats)
    nums = _Numbers(feats)
    vals, rows = nums.vals, nums.rows
    zw, wmed, wscale, gcount, hmed, hscale, has, zww = _medians(nums, history)
    zh = torch.where(has, ((vals - hmed) / hscale).clamp(-_Z_CLIP, _Z_CLIP), torch.zeros_like(vals))
    med = torch.where(has, hmed, wmed)
    u_all = (vals - med) / torch.where(has, hscale, wscale)
    q = torch.floor(u_all.clamp(-1e9, 1e9) / _QUANT).to(torch.int64)
    near_ids = mix_digest(shape, _ids(nums.keys), q, rows, n)
    near_hist_ok = torch.ones(n, dtype=torch.bool).scatter_reduce(0, rows, has, "amin", include_self=True)
    max_zw.copy_(max_zw.scatter_reduce(0, rows, zw.abs(), "amax", include_self=True))
    max_zh.copy_(max_zh.scatter_reduce(0, rows, zh.abs(), "amax", include_self=True))
    hwide = (_f64(history.wide_scales(nums.uniq))[nums.inv] if history is not None and len(history)
             else torch.ones_like(vals))
    zhw = torch.where(has, ((vals - hmed) / hwide).clamp(-_Z_CLIP, _Z_CLIP), torch.zeros_like(vals))
    max_wide[0] = max_wide[0].scatter_reduce(0, rows, zww.abs(), "amax", include_self=True)
    max_wide[1] = max_wide[1].scatter_reduce(0, rows, zhw.abs(), "amax", include_self=True)
    # Only wide records are rewritten: a record with at most NUM_SLOTS numbers keeps the main
    # path's slots, whatever else the window holds.
    wide = torch.tensor([bool(f.extra_keys) for f in feats])
    for t in slots:
        t[wide] = 0.0
    take = wide[rows] & (_slot_ranks(nums, med, n) < NUM_SLOTS)
    # Column = how many taken numbers of the same record come before (records are contiguous).
    taken = take.to(torch.int64)
    before = torch.cumsum(taken, 0) - taken
    counts_r = torch.bincount(rows, minlength=n)
    first_e = torch.cumsum(counts_r, 0) - counts_r
    col = before - before[first_e.clamp(max=len(before) - 1)][rows]
    sel = take.nonzero().squeeze(1)
    r_sel, c_sel = rows[sel], col[sel]
    z1, z2 = zw[sel], zh[sel]
    num_mask[r_sel, c_sel] = 1.0
    slog[r_sel, c_sel] = vals[sel].to(torch.float32)
    unit[r_sel, c_sel] = u_all[sel].clamp(-1e6, 1e6).to(torch.float32)
    far_share = _far_share(nums.inv, zw, gcount)
    num[r_sel, c_sel] = torch.stack(
        [z1 / 4.0, torch.tanh(z1.abs() / 3.0), z2 / 4.0, torch.tanh(z2.abs() / 3.0), has[sel].to(torch.float64),
         torch.log1p(gcount[sel].to(torch.float64)) / 7.0, nums.prio[sel], far_share[sel],
         torch.tanh(zww[sel].abs() / 3.0), torch.tanh(zhw[sel].abs() / 3.0)], dim=1).to(torch.float32)
    return near_ids, near_hist_ok


def _value_rarity_history(f: RecordFeatures, history: History) -> float:
    """How rare the record's rarest value of a low-cardinality field is among its kind in the history."""
    best = 0.0
    for tkn, fid in zip(f.cat_tokens, f.cat_fields, strict=True):
        r = history.value_rarity(tkn, fid)
        if r > best:
            best = r
    return best


def _prio_rarity(f: RecordFeatures, history: History) -> float:
    return history.value_rarity(f.prio_token, f.prio_field_id) if f.prio_token else 0.0


def _robust_z(keys: torch.Tensor,
              vals: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per value: (z, group median, group scale, group size, wide z) within its (kind, field) group.

    Median and MAD, not mean and std, so that an anomaly (or a burst repeating
    it) does not hide itself by inflating the spread. Groups of fewer than 3
    values get z = 0. Runs in float64: the result feeds consensus scores.
    """
    _, inv, counts = torch.unique(keys, return_inverse=True, return_counts=True)
    return _robust_z_groups(inv, counts, vals)


def _robust_z_groups(inv: torch.Tensor, counts: torch.Tensor,
                     vals: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """:func:`_robust_z` with the groups given: ``inv`` each value's group (numbered in sorted key
    order, as ``torch.unique`` numbers them), ``counts`` each group's size. Also returns each value's
    wide z (:func:`_wide_z`), from the same sort as the median."""
    starts = torch.cumsum(counts, 0) - counts
    sv = _group_sorted(vals, inv)
    med = _sorted_median(sv, starts, counts)
    dev = (vals - med[inv]).abs()
    mad = _sorted_median(_group_sorted(dev, inv), starts, counts)
    scale = robust_scale(mad[inv], med[inv])
    z = ((vals - med[inv]) / scale).clamp(-_Z_CLIP, _Z_CLIP)
    gcount = counts[inv]
    z = torch.where(gcount >= 3, z, torch.zeros_like(z))
    zwide = _wide_z(sv, starts, counts, inv, vals, med[inv], scale, gcount)
    return z, med[inv], scale, gcount, zwide


_FAR_Z = 4.0


def _far_share(inv: torch.Tensor, z: torch.Tensor, gcount: torch.Tensor) -> torch.Tensor:
    """Per value: the share of the *other* values of its group (``inv``) whose |z| is at least
    ``_FAR_Z``; 0 in a group of fewer than 3 (where z is 0). float64, exact: counts over counts."""
    far = (z.abs() >= _FAR_Z).to(torch.float64)
    per_group = torch.zeros(int(inv.max()) + 1 if inv.numel() else 0, dtype=torch.float64).index_add_(0, inv, far)
    share = (per_group[inv] - far) / (gcount - 1).clamp(min=1).to(torch.float64)
    return torch.where(gcount >= 3, share, torch.zeros_like(share))


# The wide scale: a field's 10-90% quantile width over a normal's (2 x the 90th percentile of N(0, 1)).
# The quantiles are order statistics at integer ranks, (n - 1) // 10 and its mirror, so every node
# picks the same two values.
_WIDE_K = 2.5631031310892007


def wide_ranks(n: int) -> tuple[int, int]:
    """The ranks (0-based, ascending) of the low and high quantiles of ``n`` sorted values."""
    lo = (n - 1) // 10
    return lo, n - 1 - lo


def _wide_z(sv: torch.Tensor, starts: torch.Tensor, counts: torch.Tensor, inv: torch.Tensor, vals: torch.Tensor,
            med: torch.Tensor, scale: torch.Tensor, gcount: torch.Tensor) -> torch.Tensor:
    """Per value: (value - its group's median) over the wider of its robust ``scale`` and the group's
    quantile width / ``_WIDE_K`` (``sv`` the values sorted within their groups, :func:`_group_sorted`;
    ``med``, ``scale`` and ``gcount`` per value); 0 in a group of fewer than 3. A zero-inflated or
    few-valued field has a MAD near 0 and a quantile width that is not: its routine values are near by
    this scale, an anomaly is far."""
    lo_rank = (counts - 1) // 10
    width = (sv[starts + counts - 1 - lo_rank] - sv[starts + lo_rank]) / _WIDE_K
    wide = torch.maximum(scale, width[inv])
    z = ((vals - med) / wide).clamp(-_Z_CLIP, _Z_CLIP)
    return torch.where(gcount >= 3, z, torch.zeros_like(z))


def robust_scale(mad: torch.Tensor, med: torch.Tensor) -> torch.Tensor:
    """1.4826 MAD with a floor: a group of identical values must not turn a 1% move into 1e9 sigma.

    The floor is a constant in signed-log space, i.e. relative to the value,
    so multiplying a field by any unit factor changes nothing.
    """
    del med
    return torch.sqrt((1.4826 * mad) ** 2 + 0.004**2)


def _group_sorted(v: torch.Tensor, inv: torch.Tensor) -> torch.Tensor:
    """``v`` sorted by (group, value): each group's values ascending, groups in ``inv``'s order."""
    o1 = torch.argsort(v, stable=True)
    o2 = torch.argsort(inv[o1], stable=True)
    return v[o1][o2]


def _sorted_median(sv: torch.Tensor, starts: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
    lo = sv[starts + (counts - 1) // 2]
    hi = sv[starts + counts // 2]
    return (lo + hi) / 2.0
