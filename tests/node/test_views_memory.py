"""What Views holds for committed blocks (review 25, row 1): their records' canonical bytes, not
decoded records with their features pinned, and views built from them exactly as before."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from node.attention.features import FeatureCache, clear_memos
from node.attention.history import History
from node.core.views import Views
from node.worker import Worker
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.record import Record, decode_records
from protocol.validators import ValidatorSet
from tests.node.test_views import SCORER, G, P, Q, R, records, view_of
from tests.scripts import load_script

KEYS = [PrivateKey(bytes([0xB0 + i]) * 32) for i in range(4)]


# The scorer stand-in and the worst record are the measuring script's own (one definition each).
_SCRIPT = load_script("measure_views_memory.py", "measure_views_memory")
_CacheOnly = _SCRIPT.CacheOnlyScorer
_worst = _SCRIPT.worst_blobs  # the record the limits let hold the most decoded: 9.1 KiB canonical


def _workload(origin: str, seq: int, n: int) -> list[bytes]:
    recs = records(next(k for k in KEYS if k.peer_id == origin), 2 * n, seq)[:n]  # distinct ones
    assert len(recs) == n
    return [r.canonical_bytes() for r in recs]


def _traced() -> int:
    clear_memos()  # the featurizer's own memos are bounded apart (review 25, part 1)
    gc.collect()  # after: cyclic garbage the memos kept alive (dropped Histories) goes too
    return tracemalloc.get_traced_memory()[0]


@pytest.mark.parametrize("make", [_worst, _workload], ids=["worst", "workload"])
def test_committed_blocks_are_held_at_about_their_canonical_size(make: Callable[[str, int, int], list[bytes]]) -> None:
    """Decoded, with each block's features pinned, the worst record was held at 7.4 times its
    canonical bytes (67 KiB for 9.1 KiB; 1.1 GiB a byzantine proposer at the retention count) and an
    ordinary one at 14 times. As bytes, each costs its size plus a few bytes."""
    scorer = _CacheOnly()
    g = Genesis(network_id="testnet", validators=ValidatorSet(k.peer_id for k in KEYS),
                accepted_model_ids=(scorer.model_id,), max_view_lag=4)
    v = Views(g, scorer, Worker("model"), capacity=256)
    p = g.proposer_ids[0]
    size: dict[int, int] = {}
    tracemalloc.start()
    try:
        for seq in range(1, g.max_view_lag + 3):
            recs = decode_records(make(p, seq, v.quota))  # as open_payload hands them over
            size[seq] = sum(len(r.canonical_bytes()) for r in recs)
            for r in recs:
                scorer.cache.get(r)  # validation featurized them
            v.on_commit(p, seq, f"b{seq}", recs)
            del recs
            v.history(v.current())  # judging the next block builds the view
        scorer.cache = FeatureCache()  # bounded on its own
        v._cache.clear()  # the History LRU: bounded by views (review 25, row 2)
        canonical = sum(size[b.seq] for b in v._blocks[0])
        assert v.held_records() == (g.max_view_lag + 1) * v.quota  # the retention count
        # What dropping the Views frees (process-wide memos of the featurizer and History stay).
        with_views = _traced()
        del v
        held = with_views - _traced()
    finally:
        tracemalloc.stop()
    assert held < 1.25 * canonical, (held, canonical)


def _exact(r: Record) -> tuple[object, ...]:
    # repr tells True from 1, 1.0 from 1 and -0.0 from 0.0, which == does not.
    return (r.kind, r.origin, r.ts_ms, repr(r.items), r.canonical_bytes(), r.cid)


def test_held_records_decode_to_the_committed_ones_exactly() -> None:
    shapes: list[dict[str, Any]] = [
        {"i": 2**63 - 1, "n": -(2**63), "tiny": 5e-324, "z": -0.0, "t": True, "one": 1, "fl": 1.0},
        {"b": b"\x00\xff", "s": "a\x00b", "astral": "\U0001f600" * 3, "cyr": "\u043f\u0440\u0438"},
        {"l": [1, "x", 2.5, b"y", False, True, 0, -0.0], "empty": [], "f": False},
        {"\U0001f600" * 16: "v", "k" * 64: "\u0100" * 4096},
    ]
    odd = [Record.create("reading", P.peer_id, 1_700_000_000_000 + i, f) for i, f in enumerate(shapes)]
    v = Views(G, SCORER, Worker("model"), capacity=256)
    committed = [*records(P, 30, 1), *odd]
    v.on_commit(P.peer_id, 1, "b1", committed)
    assert v.held_bytes() == sum(len(r.canonical_bytes()) for r in committed)
    held = v._blocks[v.index[P.peer_id]][0]
    assert [_exact(r) for r in held.records()] == [_exact(r) for r in committed]
    assert [_exact(r) for r in held.records(3)] == [_exact(r) for r in committed[-3:]]
    assert held.records(0) == []
    assert [_exact(r) for r in held.records(10_000)] == [_exact(r) for r in committed]


def test_context_and_history_equal_those_of_the_committed_records() -> None:
    """Context records come decoded from several blocks, cut at the window; the History is built from
    the scorer's cache (or featurized again once the cache dropped them): the same either way."""
    v = Views(G, SCORER, Worker("model"), capacity=256)
    mine: list[Record] = []
    theirs: list[list[Record]] = []
    for seq in range(1, 6):
        recs = records(P, 45, 50 + seq)
        mine += recs
        v.on_commit(P.peer_id, seq, f"p{seq}", recs)
        theirs.append(records(Q, 20, 90 + seq))
        v.on_commit(Q.peer_id, seq, f"q{seq}", theirs[-1])
    for entry in range(0, 6):
        for block_len in (1, 40, 100, 200):
            got = v.context(view_of(P=entry), P.peer_id, block_len)
            upto = mine[:45 * entry]
            want = max(0, min(128, v.quota) - block_len)
            assert [_exact(r) for r in got] == [_exact(r) for r in upto[len(upto) - min(want, len(upto)):]]
    view = view_of(P=5, Q=4)
    ref = History(10**6)
    ref.add_grouped(P.peer_id, [SCORER.cache.get(r) for r in mine[-v.quota:]], v.quota)
    ref.add_grouped(Q.peer_id, [SCORER.cache.get(r) for r in [r for b in theirs[:4] for r in b][-v.quota:]], v.quota)
    window = records(R, 40, 7)
    built = v.history(view)
    assert built.fingerprint() == ref.fingerprint()
    scores = v.score_sync(window, view, P.peer_id)
    assert scores == v.score_sync(window, view, P.peer_id)  # the cached view
    # Built again from nothing with the scorer's feature cache empty: every record featurized anew.
    fresh = Views(G, SCORER, Worker("model"), capacity=256)
    for seq in range(1, 6):
        fresh.on_commit(P.peer_id, seq, f"p{seq}", mine[45 * (seq - 1):45 * seq])
        fresh.on_commit(Q.peer_id, seq, f"q{seq}", theirs[seq - 1])
    warm = SCORER.cache
    SCORER.cache = FeatureCache()
    try:
        assert fresh.history(view).fingerprint() == built.fingerprint()
        assert fresh.score_sync(window, view, P.peer_id) == scores
    finally:
        SCORER.cache = warm


def test_the_measuring_script_runs() -> None:
    mod = _SCRIPT
    row = mod.measure_memory("workload", 32, 2, 8, 4)
    assert row["held_records"] == 3 * 8
    assert 0.9 < row["views_over_wire"] < 1.5
    row.update(mod.measure_time("workload", 32, 2, 8, 4, 1))
    assert row["context_records"] == 7
