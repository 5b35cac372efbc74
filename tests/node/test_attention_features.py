"""The featurizer: any record becomes a valid token; odd input never crashes it."""

from __future__ import annotations

import math

import pytest
import torch

from node.attention.features import (
    HASH_DIM,
    NUM_SLOTS,
    FeatureCache,
    assemble_window,
    featurize,
    featurize_record,
)
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
    z = w.num[:, 0, 1] * 4.0  # robust z of the only numeric field
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
