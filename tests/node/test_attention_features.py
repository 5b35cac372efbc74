"""The featurizer: any record becomes a valid token; odd input never crashes it."""

from __future__ import annotations

import math

import pytest
import torch

from node.attention.features import (
    CTX_NAMES,
    HASH_DIM,
    NUM_SLOTS,
    FeatureCache,
    assemble_window,
    featurize,
    featurize_record,
)
from node.attention.history import History
from node.attention.lexicon import LEXICON_ID, normalize, split_words, word_weight
from protocol.errors import DecodeError
from protocol.keys import PrivateKey
from protocol.record import Record

ORIGIN = PrivateKey(b"\x01" * 32).peer_id
OTHER = PrivateKey(b"\x02" * 32).peer_id


def rec(fields: dict, kind: str = "k", ts: int = 1_000, origin: str = ORIGIN) -> Record:
    return Record.create(kind, origin, ts, fields)


def finite(w) -> bool:
    return all(bool(torch.isfinite(getattr(w, f).to(torch.float64)).all()) for f in w.__slots__)


ODD = [
    {},
    {"big": 2**63 - 1, "neg": -(2**63), "huge": 1.7e308, "tiny": -1.7e308, "sub": 5e-324},
    {"ключ": "значение", "emoji": "🚀🔥", "mixed": "naïve café 東京 text with spaces"},
    {"list": [1, 2.5, "x", True, b"\x00"], "empty_list": [], "blob": b"\xff" * 100},
    {"text": "word " * 800},
    {f"f{i:02d}": i * 1.5 for i in range(64)},
    {"flag": False, "zero": 0, "negzero": -0.0},
]


@pytest.mark.parametrize("fields", ODD)
def test_odd_records_give_valid_tokens(fields: dict) -> None:
    f = featurize_record(rec(fields))
    assert len(f.num_keys) == len(f.num_vals) <= NUM_SLOTS
    assert all(math.isfinite(v) for v in f.num_vals)
    assert all(0 <= t < 2**63 for t in f.tokens)
    w = featurize([rec(fields), rec(fields, ts=2_000), rec({"other": 1})])
    assert w.cat.shape == (3, HASH_DIM)
    assert finite(w)


@pytest.mark.parametrize(
    "fields",
    [{"x": float("nan")}, {"x": float("inf")}, {"x": [[1, 2]]}, {"x": {"a": 1}}, {"x": None}, {"": 1}],
)
def test_invalid_records_are_a_clear_error(fields: dict) -> None:
    # A Record that cannot exist is refused where it is built, with a DecodeError.
    with pytest.raises(DecodeError):
        rec(fields)


def test_featurizer_survives_records_that_bypassed_validation() -> None:
    # Constructed directly, skipping Record.create: NaN, infinity, a nested tuple, None.
    bad = Record("k", ORIGIN, 5, (("a", float("nan")), ("b", float("inf")), ("c", ((1, 2),)), ("d", None)))
    f = featurize_record(bad)
    assert all(math.isfinite(v) for v in f.num_vals)
    w = assemble_window([f, featurize_record(rec({"a": 1.0}))])
    assert finite(w)


def test_numbers_are_normalized_within_the_window() -> None:
    recs = [rec({"v": 100.0 + i % 5}, ts=i) for i in range(40)] + [rec({"v": 10_000.0}, ts=50)]
    w = featurize(recs)
    z = w.num[:, 0, 0] * 4.0  # robust z of the only numeric field, within the window
    assert abs(float(z[:40].abs().max())) < 3.0
    assert float(z[40]) > 10.0
    # Age is relative to the newest record, not to any clock.
    assert float(w.t[-1]) == 0.0
    assert float(w.t[0]) < 0.0


def test_content_id_ignores_origin_and_time_but_not_fields() -> None:
    a = featurize_record(rec({"x": 1, "y": "z"}, ts=1))
    b = featurize_record(rec({"x": 1, "y": "z"}, ts=99_999, origin=OTHER))
    c = featurize_record(rec({"x": 2, "y": "z"}, ts=1))
    d = featurize_record(rec({"x": 1, "y": "z"}, kind="other", ts=1))
    assert a.content == b.content
    assert len({a.content, c.content, d.content}) == 3
    assert a.tokens == b.tokens
    assert a.origin_id != b.origin_id


def test_feature_cache_returns_the_same_features() -> None:
    cache = FeatureCache(capacity=4)
    records = [rec({"i": i}) for i in range(10)]
    for r in records:
        assert cache.get(r) == featurize_record(r)
    assert len(cache) <= 4
    assert cache.get(records[-1]) is cache.get(records[-1])


def test_empty_window_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        assemble_window([])


def ctx(w, name: str) -> list[float]:
    return w.ctx[:, CTX_NAMES.index(name)].tolist()


def stream(n: int, kind: str = "reading", start: int = 0, base: float = 50.0) -> list[Record]:
    # A deterministic routine stream: two fields with a spread, an entity id, a status word.
    return [rec({"temp": base + (i * 7 % 11) * 0.3, "load": 1000 + (i * 13 % 17) * 5, "unit": f"u{i % 5}",
                 "status": "ok"}, kind=kind, ts=start + i * 1000) for i in range(n)]


def test_history_gives_identical_features_whatever_the_arrival_order() -> None:
    import random

    past = stream(300)
    shuffled = past[:]
    random.Random(4).shuffle(shuffled)
    a, b = History.from_records(past), History.from_records(shuffled)
    assert a.fingerprint() == b.fingerprint()
    window = stream(40, start=400_000) + [rec({"temp": 90.0, "load": 1000, "unit": "u1", "status": "ok"},
                                              kind="reading", ts=500_000)]
    fa, fb = featurize(window, history=a), featurize(window, history=b)
    for name in fa.__slots__:
        assert torch.equal(getattr(fa, name), getattr(fb, name)), name


def test_history_is_bounded_and_evicts_the_oldest() -> None:
    h = History(capacity=50)
    h.add(stream(120))
    assert len(h) == 50
    old, new = featurize_record(stream(120)[0]), featurize_record(stream(120)[-1])
    assert not h.has_content(old.content)
    assert h.has_content(new.content)


def test_history_z_and_copies_of_committed_records() -> None:
    past = stream(200)
    h = History.from_records(past)
    copy = rec(dict(past[17].items), kind="reading", ts=900_000, origin=OTHER)  # a copy of something committed
    odd = rec({"temp": 75.0, "load": 1030, "unit": "u2", "status": "ok"}, kind="reading", ts=900_500)
    fresh = rec({"temp": 51.2, "load": 1040, "unit": "u3", "status": "ok"}, kind="reading", ts=901_000)
    w = featurize([copy, odd, fresh], history=h)
    assert ctx(w, "exact_copy_in_history") == [1.0, 0.0, 0.0]
    zh = w.num[:, 1, 2] * 4.0  # temp (slot 1: keys are sorted) against the history median and MAD
    assert float(zh[1]) > 10.0
    assert abs(float(zh[2])) < 3.0
    # Without history the window of three cannot know any of this.
    w0 = featurize([copy, odd, fresh])
    assert ctx(w0, "exact_copy_in_history") == [0.0, 0.0, 0.0]
    assert float(w0.num[:, 0, 2].abs().max()) == 0.0


def test_near_copies_share_a_digest_and_exact_copies_are_flagged() -> None:
    base = stream(60)
    src = base[30]
    fields = dict(src.items)
    near = rec({**fields, "temp": float(fields["temp"]) + 0.01}, kind="reading", ts=70_000)  # far under the spread
    exact = rec(fields, kind="reading", ts=71_000, origin=OTHER)
    w = featurize(base + [near, exact])
    assert ctx(w, "near_copy_earlier")[-2] == 1.0
    assert ctx(w, "exact_copy_earlier")[-1] == 1.0
    assert ctx(w, "exact_copy_earlier")[:60].count(1.0) == 0


def test_burst_head_and_tail_are_told_apart() -> None:
    routine = [rec({"v": float(i % 7)}, kind=f"k{i % 6}", ts=i * 1000) for i in range(60)]
    burst = [rec({"v": 99.0 + j * 0.01}, kind="k1", ts=30_500 + j * 20) for j in range(8)]
    w = featurize(sorted(routine + burst, key=lambda r: r.ts_ms))
    order = sorted(routine + burst, key=lambda r: r.ts_ms)
    idx = [order.index(b) for b in burst]
    first = ctx(w, "first_of_run")
    pos = ctx(w, "run_position")
    assert first[idx[0]] == 1.0
    assert all(first[i] == 0.0 for i in idx[1:])
    assert all(pos[i] > pos[idx[0]] for i in idx[1:])


def test_lexicon_prior_reads_words_in_many_languages_and_styles() -> None:
    assert normalize("CRÍTICO") == "critico"
    assert split_words("severityLevel") == ["severity", "level"]
    assert split_words("alert-level.v2") == ["alert", "level", "v2"]
    assert word_weight("kritisch") == 1.0
    assert word_weight("info") == 0.0
    assert word_weight("banana") is None
    f = featurize_record(rec({"nivelDeGravedad": "CRÍTICO", "x": 1}))
    assert f.prio_field
    assert f.prio_word == 1.0
    g = featurize_record(rec({"note": "all fine here", "x": 1}))
    assert not g.prio_field
    assert g.prio_word == -1.0
    flag = featurize_record(rec({"isUrgent": True}))
    assert flag.flag
    assert LEXICON_ID.startswith("attnshare-lexicon/")


def test_ids_are_not_rare_values_but_rare_statuses_are() -> None:
    past = [rec({"dev": f"id{i}", "status": "ok" if i % 50 else "warn", "v": 1.0}, kind="r", ts=i) for i in range(400)]
    h = History.from_records(past)
    w = featurize([rec({"dev": "id-new", "status": "ok", "v": 1.0}, kind="r", ts=1_000),
                   rec({"dev": "id3", "status": "jammed", "v": 1.0}, kind="r", ts=1_001)], history=h)
    rar = ctx(w, "value_rarity_history")
    assert rar[0] < 0.3 < rar[1]


def test_features_carry_no_names_or_scales() -> None:
    # The same behaviour under other names and a 1000x scale gives the same model inputs.
    def world(kind: str, key: str, scale: float) -> list[Record]:
        return [rec({key: scale * (10.0 + (i * 7 % 11) * 0.1)}, kind=kind, ts=i * 100) for i in range(50)] + [
            rec({key: scale * 30.0}, kind=kind, ts=6000)]

    a = featurize(world("temp", "celsius", 1.0))
    b = featurize(world("Druck", "druckPa", 1000.0))
    assert torch.allclose(a.ctx, b.ctx, atol=0.05)
    assert torch.allclose(a.num[..., :2], b.num[..., :2], atol=0.05)


def test_kind_rarity_is_relative_to_the_streams_kind_distribution() -> None:
    # Four records of a kind among 256 are rare when the window holds 8 kinds, common among 64:
    # the raw share is the same, the relative rarity is not.
    def window(n_kinds: int) -> list[Record]:
        out = [rec({"v": float(i % 5)}, kind=f"k{i % n_kinds}", ts=i * 10) for i in range(252)]
        out += [rec({"v": 1.0}, kind="rare", ts=2_600 + j) for j in range(4)]
        return out

    few, many = featurize(window(8)), featurize(window(64))
    assert ctx(few, "kind_share")[-1] == ctx(many, "kind_share")[-1]
    assert ctx(few, "kind_rel_window")[-1] < -0.3
    assert abs(ctx(many, "kind_rel_window")[-1]) < 0.05
    assert abs(ctx(few, "kind_rel_window")[0]) < 0.02  # a typical record's kind is about the reference
    # Against the history: the rare kind was rare there too, the window's kinds were not.
    h = History.from_records(window(8))
    w = featurize(window(8)[-40:], history=h)
    rel = ctx(w, "kind_rel_history")
    assert rel[-1] < -0.3
    assert abs(rel[0]) < 0.05
