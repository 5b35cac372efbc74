"""History's statistics, recomputed for every new view on the intake path, are the same bits as before.

The oracle below is the straightforward implementation History used until
session 4 (sort, median; deviations, sort, median; one robust_scale per key;
near digests from per-value Python lists). The fast one must agree exactly:
the digests decide ``near_copy_in_history`` and the statistics feed consensus
scores.
"""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
import torch

from node.attention import history as hmod
from node.attention.features import (
    _HIST_MIN,
    _QUANT,
    featurize_record,
    mix_digest,
    num_key_id,
    robust_scale,
)
from node.attention.history import History
from node.workload import Workload

NOW = 1_700_000_000_000


def _median(c: Counter[float]) -> float:
    items = sorted(c.items())
    total = sum(k for _, k in items)
    lo_i, hi_i = (total - 1) // 2, total // 2
    lo = hi = math.nan
    seen = 0
    for v, k in items:
        if seen <= lo_i < seen + k:
            lo = v
        if seen <= hi_i < seen + k:
            hi = v
            break
        seen += k
    return (lo + hi) / 2.0


def _oracle_stats(c: Counter[float]) -> tuple[float, float, int]:
    med = _median(c)
    devs: dict[float, int] = {}
    for v, k in c.items():
        d = abs(v - med)
        devs[d] = devs.get(d, 0) + k
    mad = _median(Counter(devs))
    scale = float(robust_scale(torch.tensor(mad, dtype=torch.float64), torch.tensor(med, dtype=torch.float64)))
    return med, scale, sum(c.values())


def _oracle_near(h: History) -> set[int]:
    stats_of = {k: _oracle_stats(h.value_counts(k)) for k in h._values}
    ok = {k for k, st in stats_of.items() if st[2] >= _HIST_MIN}
    items = [f for f in h._all_items() if ok.issuperset(f.num_keys)]
    if not items:
        return set()
    n = len(items)
    shape = torch.tensor([f.shape for f in items], dtype=torch.int64)
    counts = [len(f.num_keys) for f in items]
    if not sum(counts):
        z = torch.zeros(0, dtype=torch.int64)
        return set(mix_digest(shape, z, z, z, n).tolist())
    keys = [k for f in items for k in f.num_keys]
    vals = torch.tensor([v for f in items for v in f.num_vals], dtype=torch.float64)
    med = torch.tensor([stats_of[k][0] for k in keys], dtype=torch.float64)
    scale = torch.tensor([stats_of[k][1] for k in keys], dtype=torch.float64)
    q = torch.floor(((vals - med) / scale).clamp(-1e9, 1e9) / _QUANT).to(torch.int64)
    rows = torch.tensor([i for i, c in enumerate(counts) for _ in range(c)], dtype=torch.int64)
    return set(mix_digest(shape, torch.tensor(keys, dtype=torch.int64), q, rows, n).tolist())


def _check(h: History) -> None:
    fresh = h.copy()
    fresh._stats.clear()
    fresh._near = None
    assert fresh._near_digests() == _oracle_near(h)
    for k in h._values:
        assert h.num_stats(k) == _oracle_stats(h.value_counts(k)), k


@pytest.fixture(scope="module")
def stream() -> list:
    return [featurize_record(r) for r, _ in Workload(77).next_batch(3000, NOW)]


def test_stats_and_near_digests_match_the_oracle_as_views_move(stream: list) -> None:
    h = History(1024)
    h.add_features(stream[:1024])
    _check(h)
    # As views do: copy, then a block per proposer with its own quota (evictions included).
    for i in range(6):
        h = h.copy()
        h.add_grouped(i % 3, stream[1024 + 150 * i:1024 + 150 * (i + 1)], 200)
        _check(h)


def test_few_values_per_field_leave_records_out_as_before(stream: list) -> None:
    h = History(64)
    h.add_features(stream[:20])  # most (kind, field) hold fewer than _HIST_MIN values
    assert any(h.value_counts(k).total() < _HIST_MIN for k in h._values)
    _check(h)


@pytest.mark.parametrize("seed", range(40))
def test_median_and_mad_of_any_multiset(seed: int) -> None:
    rnd = random.Random(seed)
    pool = [rnd.choice([0.0, -0.0, 1.0, -2.5, 3.25]) for _ in range(3)] + [rnd.uniform(-30, 30) for _ in range(5)]
    c: Counter[float] = Counter()
    if seed % 2:  # distinct values, each once: the two middle deviations differ
        c.update({rnd.uniform(-30, 30): 1 for _ in range(rnd.randint(1, 60))})
    else:
        for _ in range(rnd.randint(1, 60)):
            c[rnd.choice(pool)] += rnd.randint(1, 4)
    med, mad, total = hmod._median_mad(c)
    assert total == sum(c.values())
    assert med == _median(c)
    devs: Counter[float] = Counter()
    for v, k in c.items():
        devs[abs(v - med)] += k
    assert mad == _median(devs)


def test_a_single_repeated_value_has_mad_zero() -> None:
    assert hmod._median_mad(Counter({4.5: 7})) == (4.5, 0.0, 7)
    assert hmod._median_mad(Counter({1.0: 1, 3.0: 1})) == (2.0, 1.0, 2)
    assert hmod._median_mad(Counter({1.0: 1, 2.0: 1, 3.0: 1, 10.0: 1})) == (2.5, 1.0, 4)


def _state(h: History) -> tuple:
    return ({k: dict(h.value_counts(k)) for k in h._values}, {k: dict(c) for k, c in h._field_counts.items()},
            dict(h._value_totals), h.fingerprint())


def test_copies_share_counters_until_a_change_and_never_see_each_others(stream: list) -> None:
    """Copy on write (session 13): copy() shares the per-field Counters; whichever History changes one
    first copies it. Both sides keep changing after each copy, and each must equal a History built
    through the same additions alone."""
    def built(*steps: tuple) -> History:
        h = History(512)
        for step in steps:
            h.add_grouped(step[0], step[1], 150) if len(step) == 2 else h.add_features(step[0])
        return h

    first, block, more, last = (stream[:512],), ("p", stream[700:900]), (stream[900:1000],), (stream[1000:1100],)
    a = built(first)
    b = a.copy()
    c = b.copy()
    a.add_features(stream[512:700])  # the original changes after being copied
    b.add_grouped("p", stream[700:900], 150)
    c.add_features(stream[900:1000])
    d = c.copy()
    c.add_features(stream[1000:1100])
    expected = {"a": built(first, (stream[512:700],)), "b": built(first, block), "c": built(first, more, last),
                "d": built(first, more)}
    for name, h in zip("abcd", (a, b, c, d), strict=True):
        assert _state(h) == _state(expected[name]), name
        _check(h)
        assert all(n == h.value_counts(k).total() for k, n in h._value_totals.items())


def test_a_copy_evicting_one_value_fields_leaves_the_original_whole() -> None:
    """Made-up field names (one value each): a copy evicts them without copying, the original keeps them."""
    from protocol.keys import PrivateKey
    from protocol.record import Record

    peer = PrivateKey(b"\x42" * 32).peer_id
    rnd = random.Random(5)
    recs = [Record.create("telemetry", peer, 1_000 + i, {f"x{rnd.getrandbits(40):010x}": rnd.random() for _ in range(6)})
            for i in range(60)]
    a = History(40)
    a.add(recs[:40])
    b = a.copy()
    b.add(recs[40:])  # evicts the 20 oldest from b only
    for h, held in ((a, recs[:40]), (b, recs[20:])):
        assert _state(h) == _state(History.from_records(held, 40))
    assert len(a._values) == 240
    assert len(b._values) == 240


def test_made_up_fields_scored_against_a_history_leave_no_cache_entries() -> None:
    # Review 25: every (kind, field) a window asked about was cached, held or not, so a block of
    # made-up numeric names scored against an unchanged History added 8.9 MiB per 1,024 records,
    # copied into every view derived from it. Only what the history holds is cached now.
    from node.attention.features import assemble_window
    from protocol.record import Record

    recs = [r for r, _ in Workload(78).next_batch(2000, NOW)]
    h = History.from_records(recs)
    before = (len(h._stats), len(h._rarity))
    held = assemble_window([featurize_record(r) for r in recs[:64]], h)
    grown = (len(h._stats), len(h._rarity))
    rng = random.Random(25)
    origin = recs[0].origin
    junk = [Record.create(recs[0].kind, origin, recs[0].ts_ms + i,
                          {f"m{rng.getrandbits(40):x}": rng.random() * 100 for _ in range(40)}
                          | {f"c{rng.getrandbits(40):x}": f"v{rng.getrandbits(20)}" for _ in range(8)})
            for i in range(256)]
    assemble_window([featurize_record(r) for r in junk], h)
    assert (len(h._stats), len(h._rarity)) == grown  # 256 x 48 made-up fields: no new entry
    assert grown[0] - before[0] <= 64 * 8
    assert grown[1] - before[1] <= 64 * 8
    # The answers do not depend on the cache: a fresh History gives the same window bit for bit.
    again = assemble_window([featurize_record(r) for r in recs[:64]], History.from_records(recs))
    for name in held.__slots__:
        assert torch.equal(getattr(held, name), getattr(again, name)), name


def test_a_field_held_once_is_kept_bare_with_the_same_statistics() -> None:
    """Review 44 finding 2: a made-up numeric name is held once and never reaches _HIST_MIN; its one
    value is kept bare, not in a Counter of its own, and reads exactly as a Counter of one would."""
    from protocol.keys import PrivateKey
    from protocol.record import Record

    peer = PrivateKey(b"\x42" * 32).peer_id
    recs = [Record.create("t", peer, 1_000 + i, {"shared": float(i % 3), f"once{i}": 0.0 if i == 0 else i * 1.5})
            for i in range(6)]
    h = History(5)
    h.add(recs[:5])
    bare = [k for k, c in h._values.items() if not isinstance(c, Counter)]
    assert len(bare) == 5  # the five once-held names; "shared" holds five values
    for k in bare:
        assert h.num_stats(k) == _oracle_stats(Counter({h._values[k]: 1}))
        assert h.value_counts(k).total() == 1 == h._value_totals[k]
    zero = next(k for k in bare if h._values[k] == 0.0)  # a bare 0.0 is held, not unseen
    assert h.num_stats(zero)[2] == 1
    h.add(recs[5:])  # evicts record 0: its bare value goes, and nothing else of it stays
    assert zero not in h._values
    assert zero not in h._value_totals
    # A second value under a once-held name makes a Counter, which a copy shares until it changes.
    again = Record.create("t", peer, 2_000, {"shared": 9.0, "once5": 4.0})
    c = h.copy()
    c.add([again])
    key = num_key_id("t", "once5")
    assert not isinstance(h._values[key], Counter)
    assert c.value_counts(key) == Counter({math.log1p(7.5): 1, math.log1p(4.0): 1})  # signed-log values
    assert h.value_counts(key) == Counter({math.log1p(7.5): 1})
    _check(h)
    _check(c)


def test_made_up_numeric_names_cost_less_than_a_counter_each() -> None:
    """The bytes a History holds per record of 64 made-up numeric names (review 44 finding 2: 81 KiB a
    record with a one-entry Counter per name, 63 KiB with the value kept bare; bound with room)."""
    import tracemalloc

    from protocol.keys import PrivateKey
    from protocol.record import Record

    peer = PrivateKey(b"\x42" * 32).peer_id
    rnd = random.Random(5)
    feats = [featurize_record(Record.create("telemetry", peer, 1_000 + i,
                                            {f"x{rnd.getrandbits(40):010x}": rnd.uniform(0, 1000) for _ in range(64)}))
             for i in range(300)]
    tracemalloc.start()
    try:
        h = History(4096)
        h.add_features(feats)
        per_record = tracemalloc.get_traced_memory()[0] / len(feats)
    finally:
        tracemalloc.stop()
    assert len(h) == 300
    assert per_record < 72 * 1024, per_record
