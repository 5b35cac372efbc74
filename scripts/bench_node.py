"""Benchmark: 4 validator nodes (real libp2p on 127.0.0.1, one process) under load.

Measures, in one run:
- committed records/s at saturation (every validator is fed as fast as it drains);
- commit latency p50/p99 at half that load;
- gossip deliveries per committed record;
- CPU seconds per committed record (process CPU, all threads), and where it goes
  (time inside the store and model worker threads; cProfile of the event loop
  with --profile).

Usage: python scripts/bench_node.py [--seconds 20] [--out bench_node.json] [--profile] [--tree DIR]

``--engine process`` runs each node as its own ``attnshare run`` daemon (no
shared GIL), fed through the admin API (scripts/bench_node_procs.py).

``--tree DIR`` runs this same script on another checkout's code (e.g. ``git
worktree add /tmp/base 2d7c5d0``), so before and after differ only in the code.

With --profile the event loop thread's profile is also written next to --out (.prof).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import trio


def _tree() -> Path:
    """The checkout to measure: ``--tree DIR`` (before argparse runs: imports depend on it), else this one."""
    if "--tree" in sys.argv[:-1]:
        return Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()
    return Path(__file__).resolve().parents[1]


sys.path.insert(0, str(_tree()))

from node.sim.cluster import open_cluster, workload_json  # noqa: E402


def _feed_batch(seed: int, n: int) -> list[dict[str, Any]]:
    return workload_json(n, seed=seed, now_ms=int(time.time() * 1000))


async def _phase(root: Path, *, seconds: float, rate: float | None, batch: int, label: str,
                 ship_all: bool, block_records: int) -> dict[str, Any]:
    """Run one load phase on a fresh 4-node cluster; rate=None means saturation.

    ``ship_all`` sets the shipping budget to every record and the importance bar to 0:
    that measures the consensus path's capacity rather than the model's selectivity.
    """
    genesis_kw = {"ship_share": 1.0, "min_block_importance": 0.0} if ship_all else {}
    pipe = {"block_max_records": block_records, "window": block_records}
    async with open_cluster(root / label, 4, genesis_kw=genesis_kw, node_kw=lambda i: {"pipeline": pipe}) as c:
        feeders = c.nodes
        seeds = iter(range(10_000, 10_000_000))
        # Pre-generate workload so record generation does not count against the nodes.
        pool = [_feed_batch(next(seeds), batch) for _ in range(64)]
        cpu0, t0 = time.process_time(), time.monotonic()
        base = [n.consensus.stats_committed_records for n in c.nodes]
        lat_base = len(c.nodes[0].consensus.latencies_ms)
        msgs0 = sum(n.status().gossip_msgs_in for n in c.nodes)
        busy0 = sum(n.db.busy_s for n in c.nodes), sum(n.model.busy_s for n in c.nodes)
        cpu_w0 = sum(getattr(n.db, "cpu_s", 0.0) + getattr(n.model, "cpu_s", 0.0) for n in c.nodes)
        fed = 0

        async def feed(node: Any, k: int) -> None:
            nonlocal fed
            i = k
            while time.monotonic() - t0 < seconds:
                if rate is None:
                    # Saturation: keep a bounded backlog so the pipeline never starves.
                    # pending_count, not status(): status lists addresses and stats the
                    # store file (about 1 ms), which this loop paid many times a second.
                    if node.pipeline.pending_count > 2 * node.pipeline.block_max:
                        await trio.sleep(0.02)
                        continue
                    await node.ingest(pool[i % len(pool)])
                    fed += batch
                else:
                    await node.ingest(pool[i % len(pool)])
                    fed += batch
                    await trio.sleep(batch * len(feeders) / rate)
                i += len(feeders)

        async with trio.open_nursery() as nursery:
            for k, node in enumerate(feeders):
                nursery.start_soon(feed, node, k)
        elapsed = time.monotonic() - t0
        cpu = time.process_time() - cpu0
        committed = [n.consensus.stats_committed_records - b for n, b in zip(c.nodes, base, strict=True)]
        lat = sorted(list(c.nodes[0].consensus.latencies_ms)[lat_base:])
        msgs = sum(n.status().gossip_msgs_in for n in c.nodes) - msgs0
        busy_db = sum(n.db.busy_s for n in c.nodes) - busy0[0]
        busy_model = sum(n.model.busy_s for n in c.nodes) - busy0[1]
        rec = min(committed)  # records committed on every node
        shipped = sum(n.pipeline.stats_shipped for n in c.nodes)
        by_fn: dict[str, float] = {}
        cpu_by_fn: dict[str, float] = {}
        for n in c.nodes:
            for w in (n.db, n.model):
                for name, sec in w.by_fn.items():
                    by_fn[f"{w.name}.{name}"] = by_fn.get(f"{w.name}.{name}", 0.0) + sec
                for name, sec in getattr(w, "cpu_by_fn", {}).items():
                    cpu_by_fn[f"{w.name}.{name}"] = cpu_by_fn.get(f"{w.name}.{name}", 0.0) + sec
        # What the worker threads did not use: the event loops (libp2p, consensus, decode) and other threads.
        worker_cpu = sum(getattr(n.db, "cpu_s", 0.0) + getattr(n.model, "cpu_s", 0.0) for n in c.nodes) - cpu_w0
        return {
            "phase": label, "seconds": round(elapsed, 1), "fed_records": fed,
            "fed_per_s": fed / elapsed, "shipped_records": shipped,
            "committed_records_all_nodes": rec, "committed_per_s": rec / elapsed,
            "commit_latency_ms_p50": lat[len(lat) // 2] if lat else None,
            "commit_latency_ms_p99": lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else None,
            "gossip_deliveries_per_committed_record": msgs / rec if rec else None,
            "cpu_s": round(cpu, 2), "cpu_ms_per_committed_record": 1000 * cpu / rec if rec else None,
            "cpu_ms_per_fed_record": 1000 * cpu / fed if fed else None,
            "store_thread_s": round(busy_db, 2), "model_thread_s": round(busy_model, 2),
            "thread_time_by_call_s": {k: round(v, 2) for k, v in sorted(by_fn.items(), key=lambda kv: -kv[1])},
            "thread_cpu_by_call_s": {k: round(v, 2) for k, v in sorted(cpu_by_fn.items(), key=lambda kv: -kv[1])},
            "worker_cpu_s": round(worker_cpu, 2), "other_cpu_s": round(cpu - worker_cpu, 2),
        }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="bench-node-"))
    ship_all = args.mode == "ship-all"
    sat = await _phase(root, seconds=args.seconds, rate=None, batch=args.batch, label="saturation", ship_all=ship_all,
                       block_records=args.block_records)
    half_rate = max(100.0, sat["fed_per_s"] / 2)
    half = await _phase(root, seconds=args.seconds, rate=half_rate, batch=args.batch, label="half-load",
                        ship_all=ship_all, block_records=args.block_records)
    return {"tree": str(_tree()), "mode": args.mode, "block_records": args.block_records, "saturation": sat, "half_load": half, "half_rate": half_rate}


def main_procs(args: argparse.Namespace) -> dict[str, Any]:
    """The same two phases with one daemon process per node (scripts/bench_node_procs.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_node_procs import run_phase

    root = Path(tempfile.mkdtemp(prefix="bench-node-procs-"))
    ship_all = args.mode == "ship-all"
    seeds = iter(range(10_000, 10_000_000))
    pool = [_feed_batch(next(seeds), args.batch) for _ in range(64)]
    kw = {"seconds": args.seconds, "block": args.block_records, "ship_all": ship_all}
    sat = run_phase(_tree(), root, pool, rate=None, label="saturation", **kw)
    half_rate = max(100.0, sat["fed_per_s"] / 2)
    half = run_phase(_tree(), root, pool, rate=half_rate, label="half-load", **kw)
    return {"tree": str(_tree()), "engine": "process", "mode": args.mode, "block_records": args.block_records,
            "saturation": sat, "half_load": half, "half_rate": half_rate}


def _print(res: dict[str, Any]) -> None:
    rows = [res["saturation"], res["half_load"]]
    keys = ["fed_per_s", "committed_per_s", "commit_latency_ms_p50", "commit_latency_ms_p99",
            "gossip_deliveries_per_committed_record", "cpu_ms_per_committed_record", "cpu_ms_per_fed_record",
            "store_thread_s", "model_thread_s", "shipped_records", "committed_records_all_nodes"]
    print(f"tree: {res['tree']}; engine: {res.get('engine', 'in-process')}; mode: {res['mode']}, "
          f"blocks/windows of {res['block_records']} records; load average {os.getloadavg()[0]:.2f}")
    print(f"{'metric':42} {'saturation':>14} {'half load':>14}")
    for k in keys:
        vals = [r.get(k) for r in rows]
        if all(v is None for v in vals):
            continue  # not measured by this engine
        print(f"{k:42} " + " ".join(f"{v:>14.2f}" if isinstance(v, float) else f"{v!s:>14}" for v in vals))
    sat = res["saturation"]
    if "thread_time_by_call_s" not in sat:
        return
    cpu_by = sat.get("thread_cpu_by_call_s", {})
    print("worker-thread time by call (saturation phase, all 4 nodes): wall (incl. waits) and CPU")
    for name, sec in list(sat["thread_time_by_call_s"].items())[:10]:
        print(f"  {name:40} {sec:8.2f} s {cpu_by.get(name, float('nan')):8.2f} s CPU")
    if "worker_cpu_s" in sat:
        print(f"  {'(worker threads, CPU)':40} {'':8} {sat['worker_cpu_s']:8.2f} s CPU")
        print(f"  {'(event loops and the rest, CPU)':40} {'':8} {sat['other_cpu_s']:8.2f} s CPU")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--batch", type=int, default=500, help="records per ingest call")
    ap.add_argument("--out", default="bench_node.json")
    ap.add_argument("--profile", action="store_true", help="cProfile the event loop thread")
    ap.add_argument("--block-records", type=int, default=1024, help="block size and scoring window")
    ap.add_argument("--tree", default=None,
                    help="measure another checkout's code with this same script (e.g. a git worktree of a baseline)")
    ap.add_argument("--mode", choices=["workload", "ship-all"], default="workload",
                    help="workload: genesis thresholds (the model decides); ship-all: every record is shipped")
    ap.add_argument("--engine", choices=["in-process", "process"], default="in-process",
                    help="in-process: 4 nodes in this interpreter (one GIL); process: 4 daemons, fed by the admin API")
    args = ap.parse_args()
    if args.engine == "process":
        res = main_procs(args)
        _print(res)
        Path(args.out).write_text(json.dumps(res, indent=2))
        print(f"wrote {args.out}")
        raise SystemExit(0)
    prof = cProfile.Profile() if args.profile else None
    if prof:
        prof.enable()
    res = trio.run(main, args)
    if prof:
        prof.disable()
        prof.dump_stats(str(Path(args.out).with_suffix(".prof")))
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(30)
        # Own time shows the per-call Python work on the loop; cumulative time hides it under run().
        pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(30)
        res["profile_top"] = s.getvalue()
        print(s.getvalue())
    _print(res)
    Path(args.out).write_text(json.dumps(res, indent=2))
    print(f"wrote {args.out}")
