"""What ``Views`` (node/core/views.py) holds for committed blocks, measured with tracemalloc (review 25, row 1).

``Views`` keeps, per proposer, the committed blocks any view the rule allows may need: about
``(max_view_lag + 1) x quota`` records (17,408 a proposer at n = 4 with the defaults). A byzantine
proposer whose blocks commit chooses what they hold. This script commits ``--blocks`` blocks of one
proposer into a real ``Views``, each block as the node gets it (decoded from canonical bytes, as
``open_payload`` does, and featurized first, as validation does), builds the History of our view
after each commit (as judging the next block does), then measures with tracemalloc:

* ``wire``: the canonical bytes of a record (the payload before zstd);
* ``decoded``: a record decoded into Python objects (tracemalloc over one block's decode);
* ``views``: what the Views and everything it reaches hold, once its History cache and the scorer's
  feature cache (both bounded on their own) are emptied: the committed blocks alone;
* ``+histories``: the same with the cached Histories kept (the scorer's feature cache emptied);
* ``per proposer``: ``views`` per record times the retention count ``(max_view_lag + 1) x quota``.

Timings (a second pass, without tracemalloc; the machine may be shared, so they are rough):
``derive``: the History of our view after each commit, from the cached one below it (one block
added, features warm in the scorer's cache); ``rebuild``: the History of our view from nothing
(quota records), the feature cache warm, then cold (everything featurized again); ``context``: the
committed records a one-record block is scored after (``Views.context``).

Shapes: ``worst`` is the record the limits let hold the most decoded (64 names of 60 U+0100
characters and 4 digits, each a list of 4 one-character strings: 256 values, about 9.1 KiB on the
wire); ``workload`` is node/workload.py's records.

Usage: python scripts/measure_views_memory.py [--full] [--shapes worst,workload] [--json]
Defaults are small (capacity 256, lag 4: 320 records held; about 20 s); ``--full`` is the genesis
defaults (capacity 4,096, lag 16, blocks of 1,024: the retention count, 17,408 records; about 11
minutes on a shared 2-core machine, most of it featurizing the worst records under tracemalloc).

Measured (``--full``; session 27, before -> after holding committed blocks as canonical bytes):
worst 67,341 -> 9,101 B a record held (7.41x -> 1.00x its canonical bytes), 1,118 -> 151 MiB a
proposer at the retention count; workload 2,219 -> 169 B (13.8x -> 1.05x), 36.8 -> 2.8 MiB.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.attention.features import FeatureCache, clear_memos  # noqa: E402
from node.core.views import Views  # noqa: E402
from node.worker import Worker  # noqa: E402
from node.workload import Workload  # noqa: E402
from protocol.cid import cid_of  # noqa: E402
from protocol.genesis import Genesis  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.record import Record, decode_records  # noqa: E402
from protocol.validators import ValidatorSet  # noqa: E402

KEYS = [PrivateKey(bytes([0x50 + i]) * 32) for i in range(4)]
T0 = 1_700_000_000_000


class CacheOnlyScorer:
    """The part of a scorer that building Histories uses: its feature cache (no model to load).
    ``score`` takes no history, so Views treats it as a scorer without stream memory."""

    model_id = cid_of(b"measure_views_memory")

    def __init__(self) -> None:
        self.cache = FeatureCache()

    def score(self, records: list[Record]) -> list[float]:
        return [0.0] * len(records)


def worst_blobs(origin: str, seq: int, n: int) -> list[bytes]:
    names = ["\u0100" * 60 + f"{j:04d}" for j in range(64)]
    return [Record.create("k" * 64, origin, T0 + seq * 100_000 + i, {k: ["\u0101"] * 4 for k in names})
            .canonical_bytes() for i in range(n)]


def workload_blobs(origin: str, seq: int, n: int) -> list[bytes]:
    out: dict[str, bytes] = {}
    wl = Workload(seq)
    t = T0 + seq * 100_000
    while len(out) < n:
        for lr in wl.next_labeled(n, t):
            r = Record.create(lr.record.kind, origin, lr.record.ts_ms, lr.record.fields)
            out.setdefault(r.cid, r.canonical_bytes())
        t += 50_000
    return list(out.values())[:n]


SHAPES: dict[str, Callable[[str, int, int], list[bytes]]] = {"worst": worst_blobs, "workload": workload_blobs}


def _traced() -> int:
    clear_memos()  # the featurizer's memos are bounded on their own (review 25, part 1)
    gc.collect()  # after: cyclic garbage the memos kept alive (dropped Histories) goes too
    return tracemalloc.get_traced_memory()[0]


def _setup(capacity: int, lag: int) -> tuple[Views, CacheOnlyScorer, str]:
    scorer = CacheOnlyScorer()
    g = Genesis(network_id="measure", validators=ValidatorSet(k.peer_id for k in KEYS),
                accepted_model_ids=(scorer.model_id,), max_view_lag=lag)
    v = Views(g, scorer, Worker("measure"), capacity=capacity)
    return v, scorer, g.proposer_ids[0]


def _commit(v: Views, scorer: CacheOnlyScorer, p: str, seq: int, blobs: list[bytes]) -> float:
    """Commit one block as the node does; the seconds building the History of our view took."""
    recs = decode_records(blobs)
    for r in recs:  # validation featurized them before the commit
        scorer.cache.get(r)
    v.on_commit(p, seq, f"b{seq}", recs)
    del recs
    a = time.perf_counter()
    v.history(v.current())
    return time.perf_counter() - a


def measure_memory(shape: str, capacity: int, lag: int, block: int, blocks: int) -> dict[str, Any]:
    make = SHAPES[shape]
    v, scorer, p = _setup(capacity, lag)
    wire_of: dict[int, int] = {}
    tracemalloc.start()
    try:
        probe = make(p, 0, min(block, 200))
        a = _traced()
        decoded = decode_records(probe)
        decoded_per = (_traced() - a) / len(decoded)
        del decoded
        for seq in range(1, blocks + 1):
            blobs = make(p, seq, block)
            wire_of[seq] = sum(len(b) for b in blobs[-v.quota:])
            _commit(v, scorer, p, seq, blobs)
            del blobs
        features = scorer.cache.bytes
        t_all = _traced()
        scorer.cache = FeatureCache()
        t_hist = _traced()
        v._cache.clear()  # the History LRU (row 2 of the review, bounded by max_cached views)
        t_views = _traced()
        held = v.held_records()
        wire = sum(wire_of[b.seq] for b in v._blocks[0])
        quota = v.quota
        # What dropping the Views frees: the featurizer's and History's process-wide memos stay.
        del v
        held_bytes = t_views - _traced()
        with_histories = held_bytes + t_hist - t_views
        with_all = with_histories + t_all - t_hist
    finally:
        tracemalloc.stop()
    retention = (lag + 1) * quota
    per_record = held_bytes / held
    return {
        "shape": shape, "capacity": capacity, "quota": quota, "lag": lag, "block": block, "blocks": blocks,
        "held_records": held, "retention_records": retention,
        "wire_per_record": wire / held, "decoded_per_record": decoded_per,
        "views_per_record": per_record, "views_over_wire": held_bytes / wire,
        "with_histories_per_record": with_histories / held, "with_feature_cache_per_record": with_all / held,
        "feature_cache_bytes_estimate": features,
        "views_bytes": held_bytes, "per_proposer_at_retention_mib": per_record * retention / 2**20,
    }


def measure_time(shape: str, capacity: int, lag: int, block: int, blocks: int, repeat: int) -> dict[str, Any]:
    make = SHAPES[shape]
    v, scorer, p = _setup(capacity, lag)
    derive = [_commit(v, scorer, p, seq, make(p, seq, block)) for seq in range(1, blocks + 1)]
    view = v.current()
    ctx = []
    for _ in range(repeat):
        a = time.perf_counter()
        got = v.context(view, p, 1)
        ctx.append(time.perf_counter() - a)
    warm = []
    for _ in range(repeat):
        v._cache.clear()
        a = time.perf_counter()
        v.history(view)
        warm.append(time.perf_counter() - a)
    scorer.cache = FeatureCache()
    v._cache.clear()
    a = time.perf_counter()
    v.history(view)
    cold = time.perf_counter() - a
    return {"derive_ms": 1000 * statistics.median(derive[1:] or derive), "derive_block": min(block, v.quota),
            "context_ms": 1000 * min(ctx), "context_records": len(got),
            "rebuild_warm_ms": 1000 * min(warm), "rebuild_cold_ms": 1000 * cold,
            "rebuild_records": min(v.held_records(), v.quota)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="genesis defaults: capacity 4096, lag 16, blocks of 1024")
    ap.add_argument("--capacity", type=int, default=None, help="History capacity (quota = capacity // 4)")
    ap.add_argument("--lag", type=int, default=None, help="genesis max_view_lag")
    ap.add_argument("--block", type=int, default=None, help="records a block (default: the quota)")
    ap.add_argument("--blocks", type=int, default=None, help="blocks committed (default: lag + 2)")
    ap.add_argument("--shapes", default="worst,workload")
    ap.add_argument("--repeat", type=int, default=3, help="timing repeats (the best is kept)")
    ap.add_argument("--no-time", action="store_true", help="skip the timing pass")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()
    capacity = args.capacity or (4096 if args.full else 256)
    lag = args.lag or (16 if args.full else 4)
    block = args.block or max(1, capacity // len(KEYS))
    blocks = args.blocks or lag + 2
    rows = []
    for shape in args.shapes.split(","):
        row = measure_memory(shape, capacity, lag, block, blocks)
        if not args.no_time:
            row.update(measure_time(shape, capacity, lag, block, blocks, args.repeat))
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"capacity {capacity} (quota {rows[0]['quota']}), lag {lag}, {blocks} blocks of {block} records, "
          f"one proposer; retention {rows[0]['retention_records']} records a proposer")
    head = ["shape", "held", "wire B/rec", "decoded B/rec", "views B/rec", "views/wire", "+histories B/rec",
            "MiB/proposer@retention"]
    print(" | ".join(head))
    for r in rows:
        print(" | ".join([r["shape"], str(r["held_records"]), f"{r['wire_per_record']:,.0f}",
                          f"{r['decoded_per_record']:,.0f}", f"{r['views_per_record']:,.0f}",
                          f"{r['views_over_wire']:.2f}", f"{r['with_histories_per_record']:,.0f}",
                          f"{r['per_proposer_at_retention_mib']:,.1f}"]))
    if not args.no_time:
        print("shape | derive ms (1 block) | rebuild ms warm | rebuild ms cold | context ms")
        for r in rows:
            print(f"{r['shape']} | {r['derive_ms']:.2f} ({r['derive_block']} rec) | {r['rebuild_warm_ms']:.2f} "
                  f"({r['rebuild_records']} rec) | {r['rebuild_cold_ms']:.2f} | {r['context_ms']:.3f} "
                  f"({r['context_records']} rec)")


if __name__ == "__main__":
    main()
