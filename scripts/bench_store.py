"""Benchmark node/store.py: ingest, commit and search throughput.

Measures, side by side in one run (these machines are noisy, so compare the
ratios rather than the absolute figures):

- records ingested per second with ``add_records`` at batch sizes 1, 100 and
  1000, with ``synchronous=FULL`` and ``NORMAL`` interleaved, each run on a
  fresh database, median of ``--repeat`` runs;
- ``commit_block`` per second for blocks of 256 records received from a peer
  (block stored with ``put_block`` first, untimed), FULL and NORMAL;
- search latency (p50/p95) over the committed records for a few query shapes;
- point reads: ``get_record`` per second and ``pending_records(256)`` latency.

Prints a table and writes JSON (``--out``). The database lives in ``--dir``
(default: a fresh temporary directory); put it on the disk the node would use,
since fsync cost is the whole story for FULL.

    python scripts/bench_store.py --out bench_store.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.store import Store  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.record import Record  # noqa: E402

ME = PrivateKey(bytes([1]) * 32).peer_id
PEER = PrivateKey(bytes([2]) * 32).peer_id
WORDS = ["truck", "port", "delayed", "container", "ship", "arrived", "price", "rise", "fall", "sensor", "temperature", "pressure", "alert", "normal", "order", "filled", "cancelled", "listing", "sold", "warehouse", "route", "rotterdam", "hamburg", "shanghai", "singapore", "valve", "pump", "motor", "battery", "low", "high"]
KINDS = ("trade", "listing", "reading", "post", "shipment")
BLOCK_RECORDS = 256


def make_records(rng: random.Random, n: int, origin: str, start: int = 0) -> list[Record]:
    """Varied records of roughly 120 to 200 canonical bytes."""
    out = []
    for i in range(start, start + n):
        kind = rng.choice(KINDS)
        fields: dict[str, Any] = {
            "id": i,
            "value": round(rng.gauss(100.0, 15.0), 3),
            "qty": rng.randrange(1, 1000),
            "note": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 9))),
            "site": rng.choice(WORDS),
        }
        if rng.random() < 0.1:
            fields["rare"] = f"zyx{i % 97}"
        out.append(Record.create(kind, origin, 1_700_000_000_000 + i, fields))
    return out


def fresh_db(base: Path, name: str) -> Path:
    d = base / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d / "store.db"


def bench_ingest(base: Path, records: list[Record], batch: int, count: int, sync: str) -> float:
    """Records per second for ``count`` records added ``batch`` at a time."""
    path = fresh_db(base, f"ingest-{sync}-{batch}")
    recs = records[:count]
    with Store.open(path, ME, synchronous=sync) as s:
        t0 = time.perf_counter()
        for i in range(0, len(recs), batch):
            s.add_records_new(recs[i : i + batch], 1)
        dt = time.perf_counter() - t0
        if s.count_records()["pending"] != len(recs):
            raise RuntimeError("ingest lost records")
    return len(recs) / dt


def bench_commit(
    base: Path, rng: random.Random, blocks: int, sync: str
) -> tuple[float, float, Path]:
    """(commit_block per second, put_block per second); keeps the db for search."""
    path = fresh_db(base, f"commit-{sync}")
    commit_t = put_t = 0.0
    with Store.open(path, ME, synchronous=sync) as s:
        for b in range(blocks):
            recs = make_records(rng, BLOCK_RECORDS, PEER, start=b * BLOCK_RECORDS)
            scores = [rng.random() for _ in recs]
            bid = f"blk{b:06d}"
            header = rng.randbytes(220)
            payload = rng.randbytes(BLOCK_RECORDS * 60)
            t0 = time.perf_counter()
            s.put_block(bid, PEER, b + 1, header, payload, 1, len(recs), 2)
            t1 = time.perf_counter()
            s.commit_block(bid, rng.randbytes(3000), recs, scores, 3)
            t2 = time.perf_counter()
            put_t += t1 - t0
            commit_t += t2 - t1
        if s.count_committed() != (blocks, blocks * BLOCK_RECORDS):
            raise RuntimeError("commit lost blocks")
    return blocks / commit_t, blocks / put_t, path


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def timed(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def bench_search(path: Path, n: int) -> dict[str, dict[str, float]]:
    queries = {
        "common word": "truck",
        "two words": "container rotterdam",
        "rare word": "zyx13",
        "prefix": "sing*",
        "no hit": "nonexistentword",
        "odd syntax": '"truck AND (port',
    }
    out: dict[str, dict[str, float]] = {}
    with Store.open(path, ME) as s:
        for label, q in queries.items():
            hits = len(s.search(q, 20))
            lat = timed(lambda q=q: s.search(q, 20), n)  # type: ignore[misc]
            out[label] = {
                "query": q,  # type: ignore[dict-item]
                "hits": hits,
                "p50_ms": percentile(lat, 0.5) * 1e3,
                "p95_ms": percentile(lat, 0.95) * 1e3,
            }
    return out


def bench_reads(path: Path, records: list[Record], n: int) -> dict[str, float]:
    with Store.open(path, ME) as s:
        s.add_records_new(records[:n], 1)
        cids = [r.cid for r in records[:n]]
        t0 = time.perf_counter()
        for c in cids:
            s.get_record(c)
        get_rate = n / (time.perf_counter() - t0)
        lat = timed(lambda: s.pending_records(256), 50)
    return {"get_record_per_s": get_rate, "pending_256_p50_ms": percentile(lat, 0.5) * 1e3}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="bench_store.json", help="JSON results path")
    ap.add_argument("--dir", default=None, help="directory for the databases (default: a temp dir)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per ingest setting (median)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply record/block counts")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    counts = {1: int(300 * args.scale), 100: int(5000 * args.scale), 1000: int(20000 * args.scale)}
    blocks = max(4, int(40 * args.scale))
    own = make_records(rng, max(counts.values()), ME)
    base = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench_store-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"databases in {base}; sqlite {sqlite3.sqlite_version}; load {os.getloadavg()[0]:.2f}")

    ingest: dict[str, dict[str, Any]] = {}
    for batch, count in counts.items():
        runs: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
        for _ in range(args.repeat):
            for sync in ("FULL", "NORMAL"):  # interleaved so drift hits both
                runs[sync].append(bench_ingest(base, own, batch, count, sync))
        full, normal = statistics.median(runs["FULL"]), statistics.median(runs["NORMAL"])
        ingest[str(batch)] = {
            "records": count,
            "full_per_s": full,
            "normal_per_s": normal,
            "normal_over_full": normal / full,
            "runs": runs,
        }

    commit: dict[str, Any] = {}
    search_db: Path | None = None
    for sync in ("FULL", "NORMAL"):
        c_rate, p_rate, path = bench_commit(base, random.Random(args.seed + 1), blocks, sync)
        commit[sync] = {
            "blocks": blocks,
            "commit_block_per_s": c_rate,
            "records_committed_per_s": c_rate * BLOCK_RECORDS,
            "put_block_per_s": p_rate,
        }
        if sync == "FULL":
            search_db = path
    commit["normal_over_full"] = commit["NORMAL"]["commit_block_per_s"] / commit["FULL"]["commit_block_per_s"]
    assert search_db is not None
    search = bench_search(search_db, 200)
    reads = bench_reads(fresh_db(base, "reads"), own, min(5000, len(own)))

    b1_full = ingest["1"]["full_per_s"]
    print()
    print("ingest (add_records), records/s, median of", args.repeat)
    print(f"{'batch':>6} {'records':>8} {'FULL':>10} {'NORMAL':>10} {'NORMAL/FULL':>12} {'FULL vs batch 1':>16}")
    for batch, row in ingest.items():
        print(
            f"{batch:>6} {row['records']:>8} {row['full_per_s']:>10.0f} {row['normal_per_s']:>10.0f} "
            f"{row['normal_over_full']:>12.2f} {row['full_per_s'] / b1_full:>15.1f}x"
        )
    print()
    print(f"commit_block, {BLOCK_RECORDS}-record blocks from a peer ({blocks} blocks)")
    print(f"{'sync':>6} {'blocks/s':>10} {'records/s':>10} {'put_block/s':>12}")
    for sync in ("FULL", "NORMAL"):
        r = commit[sync]
        print(f"{sync:>6} {r['commit_block_per_s']:>10.1f} {r['records_committed_per_s']:>10.0f} {r['put_block_per_s']:>12.0f}")
    print(f"NORMAL/FULL: {commit['normal_over_full']:.2f}")
    print()
    print(f"search over {blocks * BLOCK_RECORDS} committed records, limit 20")
    print(f"{'query':>12} {'text':>22} {'hits':>5} {'p50 ms':>8} {'p95 ms':>8}")
    for label, r in search.items():
        print(f"{label:>12} {r['query']!s:>22} {r['hits']:>5} {r['p50_ms']:>8.3f} {r['p95_ms']:>8.3f}")
    print()
    print(f"get_record: {reads['get_record_per_s']:.0f}/s; pending_records(256): p50 {reads['pending_256_p50_ms']:.2f} ms")

    result = {
        "env": {
            "sqlite": sqlite3.sqlite_version,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "loadavg_start": os.getloadavg()[0],
            "dir": str(base),
        },
        "ingest": ingest,
        "commit": commit,
        "search": search,
        "reads": reads,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {out}")
    if not args.dir:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
