"""The featurizer's caches are bounded in bytes as well as entries (review 6, finding 5).

Every record a node scores goes through ``FeatureCache`` and the process-wide memos of
``node.attention.features``, all keyed by record content. A byzantine proposer's blocks of
maximal records (three 4,000-character texts each) used to leave ~35 KiB per record behind: the
16 KiB canonical bytes as the cache key, whole texts as memo keys. 65,536 entries of that is
gigabytes per node, never given back.
"""

from __future__ import annotations

import random
import sys

from node.attention import features as F
from node.attention.features import FeatureCache, feature_bytes, featurize_record
from protocol.keys import PrivateKey
from protocol.record import Record

P = PrivateKey(b"\x11" * 32).peer_id


def _maximal(i: int, rng: random.Random) -> Record:
    vocab = [f"w{j}" for j in range(5000)]
    fields: dict[str, object] = {f"t{j}": " ".join(rng.choice(vocab) for _ in range(1300))[:4000] for j in range(3)}
    fields["n"] = i
    return Record.create("junk", P, i, fields)


def _deep_size(f: object) -> int:
    total = sys.getsizeof(f)
    for name in f._fields:  # type: ignore[attr-defined]
        v = getattr(f, name)
        total += sys.getsizeof(v) + (sum(sys.getsizeof(x) for x in v) if isinstance(v, tuple) else 0)
    return total


def test_the_cache_keeps_neither_record_bytes_nor_more_than_its_byte_budget() -> None:
    rng = random.Random(3)
    recs = [_maximal(i, rng) for i in range(100)]
    cache = FeatureCache(capacity=65_536, max_bytes=200_000)
    for r in recs:
        cache.get(r)
    assert cache.bytes <= cache.max_bytes
    assert 0 < len(cache) < 100  # evicted by bytes, long before the entry cap
    assert all(len(k) == 16 for k in cache._d)  # a digest, not the record's 12 KiB of bytes
    # The estimate is honest: what the entries hold is within 1.5x of what the cache counts.
    held = sum(_deep_size(f) for f, _ in cache._d.values())
    assert held <= 1.5 * cache.bytes, (held, cache.bytes)


def test_the_default_budget_bounds_a_full_cache_of_maximal_records() -> None:
    rng = random.Random(4)
    f = featurize_record(_maximal(0, rng))
    cache = FeatureCache()
    # At the entry cap, maximal records would be 65,536 x this; the byte budget stops far below.
    assert feature_bytes(f) * cache.capacity > 2 * cache.max_bytes
    assert cache.max_bytes <= 256 * 2**20


def test_long_values_are_not_memoized() -> None:
    text = "x" * 4000  # one 4,000-character word: a token and a text at once
    rec = Record.create("k" * 64, P, 1, {"f" * 64: text, "note": "critical " + text})
    featurize_record(rec)
    for memo in (F._token_ids, F._word_cache, F._prio_field_cache):
        assert all(len(k) <= F._MEMO_MAX_CHARS for k in memo), max(len(k) for k in memo)


def test_the_value_memo_keeps_labels_only_and_stays_bounded(monkeypatch) -> None:
    # Session 24: featurize_record memoizes what a short value adds to its record (labels, flags,
    # small codes repeat across a stream). A number, a long text or a byte string is never a key,
    # and a stream of distinct labels cannot grow the memo past its limit.
    F._effect_memo.clear()
    monkeypatch.setattr(F, "_EFFECT_MEMO_LIMIT", 50)
    for i in range(400):
        featurize_record(Record.create("k", P, i, {
            "code": f"GU-{i}", "reading": i * 1.5, "count": 1000 + i, "note": "x" * 65 + str(i),
            "blob": b"\x00" * (i % 7), "ok": bool(i % 2), "level": i % 5}))
        assert len(F._effect_memo) <= 50
    keys = list(F._effect_memo)
    assert keys
    assert all(k[2] in (str, bool, int) for k in keys)
    assert all(len(k[3]) <= F._EFFECT_MEMO_CHARS for k in keys if k[2] is str)
    assert all(-8 <= k[3] <= 8 for k in keys if k[2] is int)


def test_true_and_one_are_not_one_memo_entry() -> None:
    # True == 1 == 1.0 in Python, so a memo keyed by the value alone would hand a flag's features to
    # a level's: the value's type is part of the key.
    F._effect_memo.clear()
    a = featurize_record(Record.create("k", P, 1, {"level": True}))
    b = featurize_record(Record.create("k", P, 1, {"level": 1}))
    F._effect_memo.clear()
    b_cold = featurize_record(Record.create("k", P, 1, {"level": 1}))
    assert b == b_cold
    assert a.tokens != b.tokens
    assert a.cat_tokens != b.cat_tokens


def test_warm_memos_featurize_as_cold_ones() -> None:
    # Every memo is a cache of a pure function: features of a stream are the same whether the
    # process has seen its labels before or not.
    from node.workload import Workload
    recs = [r for r, _ in Workload(11).next_batch(600, 1_700_000_000_000)]
    warm = [featurize_record(r) for r in recs]
    for memo in (F._effect_memo, F._field_memo, F._token_ids, F._word_cache, F._prio_field_cache,
                 F._code_memo, F._quantity_memo):
        memo.clear()
    cold = [featurize_record(r) for r in recs]
    assert [repr(f) for f in warm] == [repr(f) for f in cold]


def test_packed_lengths_are_msgpacks() -> None:
    # _content_id skips origin and ts_ms in the canonical bytes by their packed lengths, computed
    # without msgpack for integers and memoized for strings: every msgpack integer width, and
    # strings of every msgpack string header, must measure what msgpack writes.
    import msgpack

    ints = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 2**32 - 1, 2**32, 2**63 - 1, 1_700_000_000_000, -1, -33]
    strs = ["", "a", "x" * 31, "x" * 32, "x" * 255, "x" * 256, "é" * 20, "ω" * 200, "x" * 70_000]
    for v in ints + strs:
        assert F._packed_len(v) == len(msgpack.packb(v)), v
        assert F._packed_len(v) == len(msgpack.packb(v)), v  # the memoized answer too


def _deep(x: object) -> int:
    if isinstance(x, tuple):
        return sys.getsizeof(x) + sum(_deep(e) for e in x)
    return sys.getsizeof(x)


def _memos_held() -> int:
    return sum(sys.getsizeof(m) + sum(_deep(k) + _deep(v) for k, v in m.items()) for m in F._memos)


def _astral(rng: random.Random, n: int) -> str:
    return "".join(chr(rng.randrange(0x1F300, 0x1FAFF)) for _ in range(n))


def test_the_memos_share_one_byte_budget_against_astral_strings(monkeypatch) -> None:
    # Review 25: every memo was capped by entries only, and 64-character astral-plane kinds, field
    # names and labels (4 bytes a character) held 117 MiB in the value memo and 163 MiB in the field
    # memo at their caps. Now every entry is charged what it holds against one budget.
    budget = 4 * 2**20
    monkeypatch.setattr(F, "_MEMO_BUDGET", budget)
    F.clear_memos()
    rng = random.Random(25)
    peak = 0
    for i in range(1500):
        fields: dict[str, object] = {_astral(rng, 64): " ".join(_astral(rng, 1) for _ in range(31)) + "x"
                                     for _ in range(3)}
        fields.update({_astral(rng, 64): True for _ in range(6)})
        featurize_record(Record.create(_astral(rng, 64), P, i, fields))
        assert F._memo_charged <= budget
        if i % 100 == 99:
            held = _memos_held()
            peak = max(peak, held)
            # The charge is an estimate; what the memos really hold stays near it, not 10x past it.
            assert held <= 1.25 * budget, (held, F._memo_charged)
    assert peak > budget // 4  # the stream did fill the memos: the bound was exercised


def test_clearing_every_memo_changes_no_feature() -> None:
    from node.workload.randomized import RandomizedWorkload
    recs = [x.record for x in RandomizedWorkload(8).next_labeled(400, 1_700_000_000_000)]
    warm = [repr(featurize_record(r)) for r in recs]
    cold = []
    for r in recs:
        F.clear_memos()
        cold.append(repr(featurize_record(r)))
    assert warm == cold
    assert F._memo_charged > 0


def test_feature_bytes_computes_what_getsizeof_says() -> None:
    """feature_bytes computes an ASCII string's and a float's size instead of asking getsizeof
    (session 26: the calls were 11% of featurizing); every other value is asked. The sum must be
    the one getsizeof gives, whatever the record holds."""

    def asked(f: F.RecordFeatures) -> int:
        ints = (len(f.tokens) + 3 * len(f.num_keys) + 3 * len(f.extra_keys) + 2 * len(f.cat_tokens)
                + 2 * len(f.items))
        held = 0
        for key, value in f.items:
            held += sys.getsizeof(key) + sys.getsizeof(value)
            if isinstance(value, tuple | list):
                held += sum(map(sys.getsizeof, value))
        return 400 + 44 * ints + held

    rng = random.Random(5)
    odd = {"é": "ñ", "ascii": "x" * 100, "empty": "", "big": 2**62, "neg": -(2**40), "t": True, "f": False,
           "astral": "\U0001F600", "ucs2": "ā" * 9, "list": ["a", 1.5, 2**60, "ü"], "blob": b"xyz", "fl": -0.0,
           "n": 3, "latin1": "caf\xe9"}
    records = [Record.create("k", P, 1, odd), _maximal(1, rng)]
    for i in range(200):
        keys = rng.sample(sorted(odd), rng.randint(1, len(odd)))
        records.append(Record.create(f"k{i % 3}", P, i, {k: odd[k] for k in keys}))
    for r in records:
        f = featurize_record(r)
        assert feature_bytes(f) == asked(f), r
