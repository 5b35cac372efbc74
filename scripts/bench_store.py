"""Benchmark the store: the current node/store package against a baseline revision, side by side.

The baseline is ``node/store.py`` as it was at ``--baseline`` (default: the
last revision before the store became a package), loaded from git into a
temporary module. Every workload runs old and new interleaved, on fresh
databases, median of ``--repeat`` runs, and prints new/old ratios (these
machines are noisy: trust the ratios more than the absolute figures):

- ingest: ``add_records_new`` (the durable acknowledgement), batches of 100 and 1000;
- commit: ``put_block`` + ``commit_block`` of 256-record blocks from a peer,
  FULL and NORMAL; the clock stops after a final ``search``, so the batched
  full-text indexing of the new store is paid inside the measurement; and the
  p50 of one ``commit_block`` call (the latency a commit waits for);
- commit with 2 MiB payloads: committing no longer rewrites the payload (schema v4);
- commit_blocks (new only): 8 blocks per transaction, against old's one by one;
- search p50 over the committed records;
- disk under attack: a byzantine proposer signs 3 variants of every slot up
  to 2000 ahead (2 KiB payloads) and a voter votes for each; rows and bytes kept.

    python scripts/bench_store.py --out bench_store.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from node.store import CommitItem, Store  # noqa: E402
from protocol.keys import PrivateKey  # noqa: E402
from protocol.record import Record  # noqa: E402

ME = PrivateKey(bytes([1]) * 32).peer_id
PEER = PrivateKey(bytes([2]) * 32).peer_id
VOTER = PrivateKey(bytes([3]) * 32).peer_id
WORDS = ["truck", "port", "delayed", "container", "ship", "arrived", "price", "rise", "fall", "sensor", "temperature", "pressure", "alert", "normal", "order", "filled", "cancelled", "listing", "sold", "warehouse", "route", "rotterdam", "hamburg", "shanghai", "singapore", "valve", "pump", "motor", "battery", "low", "high"]
KINDS = ("trade", "listing", "reading", "post", "shipment")
BLOCK_RECORDS = 256


def load_baseline(rev: str, into: Path) -> ModuleType:
    """node/store.py at ``rev``, imported as module ``store_baseline``."""
    if rev == "auto":
        gone = subprocess.run(
            ["git", "log", "--diff-filter=D", "-1", "--format=%H", "--", "node/store.py"],
            cwd=REPO, capture_output=True, text=True, check=True,
        ).stdout.strip()
        rev = f"{gone}^"
    src = subprocess.run(
        ["git", "show", f"{rev}:node/store.py"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    path = into / "store_baseline.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("store_baseline", path)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["store_baseline"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def make_records(rng: random.Random, n: int, origin: str, start: int = 0) -> list[Record]:
    """Varied records of roughly 120 to 200 canonical bytes."""
    out = []
    for i in range(start, start + n):
        fields: dict[str, Any] = {
            "id": i,
            "value": round(rng.gauss(100.0, 15.0), 3),
            "qty": rng.randrange(1, 1000),
            "note": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 9))),
            "site": rng.choice(WORDS),
        }
        if rng.random() < 0.1:
            fields["rare"] = f"zyx{i % 97}"
        out.append(Record.create(rng.choice(KINDS), origin, 1_700_000_000_000 + i, fields))
    return out


class Bench:
    def __init__(self, base: Path, impls: dict[str, Any]) -> None:
        self.base = base
        self.impls = impls
        self.n = 0
        #: per-call commit_block latencies (ms), drained by main() per setting
        self.latency: dict[str, list[float]] = {"old": [], "new": []}

    def fresh(self, name: str) -> Path:
        self.n += 1
        d = self.base / f"{self.n:04d}-{name}"
        d.mkdir(parents=True)
        return d / "store.db"

    def put(self, s: Any, which: str, *args: Any) -> None:
        if which == "new":
            s.put_block(*args, certified=True)
        else:
            s.put_block(*args)

    def ingest(self, which: str, records: list[Record], batch: int) -> float:
        with self.impls[which].open(self.fresh(f"ingest-{which}"), ME) as s:
            t0 = time.perf_counter()
            for i in range(0, len(records), batch):
                s.add_records_new(records[i : i + batch], 1)
            return len(records) / (time.perf_counter() - t0)

    def commit(self, which: str, blocks: list[tuple[list[Record], list[float]]], sync: str,
               payload_bytes: int = BLOCK_RECORDS * 60) -> float:
        """Records committed per second, the final search (new: FTS flush) included."""
        rng = random.Random(5)
        with self.impls[which].open(self.fresh(f"commit-{which}-{sync}"), ME, synchronous=sync) as s:
            t = 0.0
            for b, (recs, scores) in enumerate(blocks):
                bid = f"blk{b:06d}"
                self.put(s, which, bid, PEER, b + 1, rng.randbytes(220), rng.randbytes(payload_bytes), 1, len(recs), 2)
                t0 = time.perf_counter()
                s.commit_block(bid, rng.randbytes(3000), recs, scores, 3)
                dt = time.perf_counter() - t0
                t += dt
                self.latency[which].append(dt * 1e3)
            t0 = time.perf_counter()
            hits = len(s.search("truck", 20))
            t += time.perf_counter() - t0
            if hits == 0 or s.count_committed() != (len(blocks), len(blocks) * BLOCK_RECORDS):
                raise RuntimeError(f"{which}: commit lost blocks or search found nothing")
        return len(blocks) * BLOCK_RECORDS / t

    def commit_batched(self, blocks: list[tuple[list[Record], list[float]]], per_txn: int) -> float:
        rng = random.Random(5)
        with Store.open(self.fresh("commit-batched"), ME) as s:
            items = [
                CommitItem(f"blk{b:06d}", PEER, b + 1, rng.randbytes(220), rng.randbytes(BLOCK_RECORDS * 60), 1,
                           len(recs), rng.randbytes(3000), recs, scores)
                for b, (recs, scores) in enumerate(blocks)
            ]
            t0 = time.perf_counter()
            for i in range(0, len(items), per_txn):
                s.commit_blocks(items[i : i + per_txn], 3)
            s.search("truck", 20)
            return len(blocks) * BLOCK_RECORDS / (time.perf_counter() - t0)

    def search_p50_ms(self, which: str, blocks: list[tuple[list[Record], list[float]]]) -> float:
        with self.impls[which].open(self.fresh(f"search-{which}"), ME, synchronous="NORMAL") as s:
            for b, (recs, scores) in enumerate(blocks):
                self.put(s, which, f"b{b}", PEER, b + 1, b"h%d" % b, b"p", 1, len(recs), 2)
                s.commit_block(f"b{b}", b"c", recs, scores, 3)
            s.search("truck", 20)  # flush (new) outside the timing: this is query latency
            lat = []
            for q in ("truck", "container rotterdam", "zyx13", "sing*", "nonexistentword") * 20:
                t0 = time.perf_counter()
                s.search(q, 20)
                lat.append(time.perf_counter() - t0)
        return statistics.median(lat) * 1e3

    def attack(self, which: str, slots: int) -> dict[str, int]:
        """What a byzantine proposer and voter can make a node store."""
        rng = random.Random(9)
        path = self.fresh(f"attack-{which}")
        with self.impls[which].open(path, ME, synchronous="NORMAL") as s:
            payload = rng.randbytes(2048)
            for seq in range(1, slots + 1):
                votes = []
                for v in range(3):
                    bid = f"x{seq}-{v}"
                    s.put_block(bid, PEER, seq, b"h" + bid.encode(), payload, 1, 0, 2)
                    votes.append((bid, VOTER, PEER, seq, 1, rng.randbytes(100)))
                s.add_votes(votes)
                s.add_evidence("double_vote", VOTER, PEER, seq, rng.randbytes(300), 1)
            st = s.statistics()
        size = sum(p.stat().st_size for p in path.parent.iterdir())
        return {"blocks": sum(st.blocks.values()), "votes": st.votes, "evidence": st.evidence, "bytes": size}


def ratio(new: float, old: float) -> float:
    return new / old if old else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="bench_store.json", help="JSON results path")
    ap.add_argument("--dir", default=None, help="directory for the databases (default: a temp dir)")
    ap.add_argument("--baseline", default="auto", help="git revision of the old node/store.py")
    ap.add_argument("--repeat", type=int, default=3, help="runs per setting (median)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply record/block counts")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    base = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench_store-"))
    base.mkdir(parents=True, exist_ok=True)
    old = load_baseline(args.baseline, base)
    bench = Bench(base, {"old": old.Store, "new": Store})
    rng = random.Random(args.seed)
    own = make_records(rng, int(20_000 * args.scale), ME)
    nblocks = max(8, int(40 * args.scale))
    blocks = []
    for b in range(nblocks):
        recs = make_records(rng, BLOCK_RECORDS, PEER, start=10**7 + b * BLOCK_RECORDS)
        blocks.append((recs, [rng.random() for _ in recs]))
    print(f"databases in {base}; sqlite {sqlite3.sqlite_version}; load {os.getloadavg()[0]:.2f}")

    rows: dict[str, dict[str, float]] = {}

    def measure(label: str, fn: Callable[[str], float], unit: str) -> None:
        runs: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(args.repeat):
            for which in ("old", "new"):  # interleaved so drift hits both
                runs[which].append(fn(which))
        o, n = statistics.median(runs["old"]), statistics.median(runs["new"])
        rows[label] = {"old": o, "new": n, "new_over_old": ratio(n, o), "unit": unit}  # type: ignore[dict-item]
        print(f"{label:<44} {o:>11.1f} {n:>11.1f} {ratio(n, o):>8.2f}x  {unit}", flush=True)

    print(f"\n{'workload':<44} {'old':>11} {'new':>11} {'new/old':>9}")
    for batch in (100, 1000):
        measure(f"ingest add_records_new, batch {batch} (FULL)", lambda w, b=batch: bench.ingest(w, own, b), "records/s")  # type: ignore[misc]
    for sync in ("FULL", "NORMAL"):
        measure(f"commit_block 256-rec blocks ({sync}) + search", lambda w, s=sync: bench.commit(w, blocks, s), "records/s")  # type: ignore[misc]
        for which in ("old", "new"):
            lat = statistics.median(bench.latency[which])
            bench.latency[which] = []
            rows.setdefault(f"commit_block call p50 ({sync})", {})[which] = lat
        r = rows[f"commit_block call p50 ({sync})"]
        r["new_over_old"] = ratio(r["new"], r["old"])
        r["unit"] = "ms"  # type: ignore[assignment]
        print(f"{f'commit_block call p50 ({sync}), lower=better':<44} {r['old']:>11.2f} {r['new']:>11.2f} {r['new_over_old']:>8.2f}x  ms")
    big = blocks[: max(4, nblocks // 4)]
    measure("commit_block, 2 MiB payloads (NORMAL) + search",
            lambda w: bench.commit(w, big, "NORMAL", 2 << 20), "records/s")
    runs_b = [bench.commit_batched(blocks, 8) for _ in range(args.repeat)]
    old_full = rows["commit_block 256-rec blocks (FULL) + search"]["old"]
    nb = statistics.median(runs_b)
    rows["commit_blocks, 8 blocks per txn (FULL)"] = {"old": old_full, "new": nb, "new_over_old": ratio(nb, old_full), "unit": "records/s"}  # type: ignore[dict-item]
    print(f"{'commit_blocks, 8 per txn (FULL) vs old 1 by 1':<44} {old_full:>11.1f} {nb:>11.1f} {ratio(nb, old_full):>8.2f}x  records/s")
    measure("search p50 (lower is better)", lambda w: bench.search_p50_ms(w, blocks[: max(4, nblocks // 2)]), "ms")

    slots = int(2000 * args.scale)
    attack = {w: bench.attack(w, slots) for w in ("old", "new")}
    print(f"\ndisk under attack: 3 signed variants x {slots} invented slots (2 KiB payloads) + votes + evidence")
    print(f"{'':<12} {'blocks':>8} {'votes':>8} {'evidence':>9} {'bytes':>12}")
    for w in ("old", "new"):
        a = attack[w]
        print(f"{w:<12} {a['blocks']:>8} {a['votes']:>8} {a['evidence']:>9} {a['bytes']:>12}")
    print(f"{'new/old':<12} {'':>8} {'':>8} {'':>9} {ratio(attack['new']['bytes'], attack['old']['bytes']):>11.3f}x")

    result = {
        "env": {
            "sqlite": sqlite3.sqlite_version,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "loadavg_end": os.getloadavg()[0],
            "baseline": args.baseline,
            "repeat": args.repeat,
            "scale": args.scale,
        },
        "throughput": rows,
        "attack": attack,
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
