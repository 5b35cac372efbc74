"""Scoring throughput, cold start and determinism of the shipped model.

    python scripts/bench_scoring.py [--json bench_scoring.json] [--repeat 7]
    python scripts/bench_scoring.py --fastpath 256,384,512,1024   # model.forward vs the fast path only
    python scripts/bench_scoring.py --against /tmp/old-tree --pairs 6   # this tree vs another, alternating

Prints a table and writes JSON. Every figure is the median of ``--repeat``
runs, measured side by side in one process (the shared 2-core machines are
noisy, so compare ratios within a run rather than numbers across runs):

Throughput is given per wall-clock second and per CPU second of the scoring
thread (the latter is what the code costs; the former adds whatever the
other jobs on a shared machine take).

* model alone: windows already featurized, forward pass only, 1 thread;
* featurize + score, end to end: fresh records (empty feature cache) through
  ``Scorer.score``, without and with a full history (4,096 committed
  records); and the split into per-record featurization (done once on
  arrival in the node) and window assembly;
* the no-attention MLP on the same windows, for the ratio;
* cold start in a new process: ``import node.attention``, load, first window;
* determinism: the same records scored twice, in a new process, and with 2
  threads instead of 1 (max absolute difference).

``--against TREE`` compares this tree's scoring path with another checkout's (a ``git worktree`` of
an older commit): each pair runs one fresh process per tree, in alternating order, each measuring
featurize, assemble and end to end at 256 (records per CPU-second, medians of ``--repeat``), and
prints every pair's ratio and the median ratio. A VM's slow and fast phases then hit both trees.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NOW = 1_700_000_000_000
SIZES = (64, 256, 1024)


CPU_TIMES: dict[str, float] = {}


def median_time(fn, repeat: int, label: str | None = None) -> float:
    """Median wall time; also records the median CPU time of this thread under ``label``.

    With one torch thread all the work runs on the calling thread, so its CPU
    time is the cost without the waits that other jobs on a shared machine add.
    """
    fn()  # warm-up
    walls, cpus = [], []
    for _ in range(repeat):
        c = time.thread_time()
        t = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.thread_time() - c)
    if label is not None:
        CPU_TIMES[label] = statistics.median(cpus)
    return statistics.median(walls)


def make_records(n: int, seed: int = 90_500) -> list:
    from node.workload import Workload

    return [r for r, _ in Workload(seed).next_batch(n, NOW)]


def bench_size(scorer, mlp, recs: list, repeat: int, history=None) -> dict:
    import torch

    from node.attention import FeatureCache
    from node.attention.features import assemble_window, featurize_record

    n = len(recs)
    feats = [featurize_record(r) for r in recs]
    window = assemble_window(feats)
    row: dict = {}
    with torch.inference_mode():
        t = median_time(lambda: scorer.model(window), repeat, "model")
        row["model_rec_s"] = n / t
        row["model_ms"] = t * 1e3
        row["model_rec_cpu_s"] = n / CPU_TIMES["model"]
        if mlp is not None:
            t = median_time(lambda: mlp(window), repeat)
            row["mlp_rec_s"] = n / t
    t = median_time(lambda: [featurize_record(r) for r in recs], repeat)
    row["featurize_record_rec_s"] = n / t
    t = median_time(lambda: assemble_window(feats), repeat)
    row["assemble_rec_s"] = n / t

    def end_to_end() -> None:
        scorer.cache = FeatureCache()
        scorer.score(recs)

    t = median_time(end_to_end, repeat, "e2e")
    row["end_to_end_rec_s"] = n / t
    row["end_to_end_rec_cpu_s"] = n / CPU_TIMES["e2e"]
    if history is not None:
        def with_history() -> None:
            scorer.cache = FeatureCache()
            scorer.score(recs, history)

        t = median_time(with_history, repeat, "e2e_hist")
        row["end_to_end_history_rec_s"] = n / t
        row["end_to_end_history_rec_cpu_s"] = n / CPU_TIMES["e2e_hist"]
    t = median_time(lambda: scorer.score(recs), repeat)  # features cached on arrival
    row["cached_features_rec_s"] = n / t
    return row


def fastpath_table(scorer, sizes: list[int]) -> list[dict]:
    """``model.forward`` against ``Scorer.forward`` (node/attention/fastpath.py) on the same windows,
    called alternately in this process: thread CPU per window (median), and the largest logit gap."""
    import torch

    from node.attention.features import assemble_window, featurize_record

    rows = []
    with torch.inference_mode():
        for n in sizes:
            w = assemble_window([featurize_record(r) for r in make_records(n)])
            for _ in range(2):
                scorer.model(w)
                scorer.forward(w)
            ref, fast = [], []
            for _ in range(max(6, 4000 // n)):
                t = time.thread_time()
                scorer.model(w)
                ref.append(time.thread_time() - t)
                t = time.thread_time()
                scorer.forward(w)
                fast.append(time.thread_time() - t)
            r, f = statistics.median(ref), statistics.median(fast)
            gap = float((scorer.model(w) - scorer.forward(w)).abs().max())
            rows.append({"window": n, "model_forward_ms": r * 1e3, "fast_path_ms": f * 1e3, "ratio": r / f,
                         "max_logit_gap": gap})
            print(f"window {n:5d}: model.forward {r * 1e3:7.2f} ms, fast path {f * 1e3:7.2f} ms, "
                  f"{r / f:4.2f}x, max logit gap {gap:.1e}", flush=True)
    return rows


def cold_start() -> dict[str, float]:
    code = (
        "import time, json\n"
        "t0 = time.perf_counter()\n"
        "import node.attention as na\n"
        "t1 = time.perf_counter()\n"
        "s = na.load_scorer(device='cpu')\n"
        "t2 = time.perf_counter()\n"
        "from node.workload import Workload\n"
        f"recs = [r for r, _ in Workload(1).next_batch(256, {NOW})]\n"
        "t3 = time.perf_counter()\n"
        "s.score(recs)\n"
        "t4 = time.perf_counter()\n"
        "print(json.dumps({'import_s': t1 - t0, 'load_s': t2 - t1, 'first_window_256_s': t4 - t3,"
        " 'cold_start_s': t2 - t0}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def rescore_in_new_process(n: int, threads: int) -> list[float]:
    code = (
        "import json\n"
        "from node.attention import load_scorer\n"
        "from node.workload import Workload\n"
        f"recs = [r for r, _ in Workload(90500).next_batch({n}, {NOW})]\n"
        f"print(json.dumps(load_scorer(device='cpu', threads={threads}).score(recs)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


TREE_BENCH = """
import json, statistics, sys, time
sys.path.insert(0, {tree!r})
import torch
from node.attention import FeatureCache, load_scorer
from node.attention.features import assemble_window, featurize_record
from node.workload import Workload
scorer = load_scorer(device="cpu", threads=1)
recs = [r for r, _ in Workload(90_500).next_batch(256, {now})]
history = scorer.history([r for r, _ in Workload(90_499).next_batch(4096, {now})])
def cpu(fn):
    fn()
    out = []
    for _ in range({repeat}):
        t = time.thread_time(); fn(); out.append(time.thread_time() - t)
    return 256 / statistics.median(out)
def e2e(h):
    def run():
        scorer.cache = FeatureCache()
        scorer.score(recs, h)
    return run
feats = [featurize_record(r) for r in recs]
print(json.dumps({{
    "featurize": cpu(lambda: [featurize_record(r) for r in recs]),
    "assemble": cpu(lambda: assemble_window(feats)),
    "end_to_end": cpu(e2e(None)),
    "end_to_end_history": cpu(e2e(history)),
}}))
"""


def tree_bench(tree: Path, repeat: int) -> dict[str, float]:
    """One fresh process scoring a 256-record window with ``tree``'s code (and its shipped model)."""
    code = TREE_BENCH.format(tree=str(tree), now=NOW, repeat=repeat)
    out = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def compare_trees(other: Path, pairs: int, repeat: int) -> dict:
    """This tree against ``other``, alternating which runs first in each pair."""
    keys = ("featurize", "assemble", "end_to_end", "end_to_end_history")
    rows = []
    for i in range(pairs):
        order = [("this", REPO), ("other", other)]
        if i % 2:
            order.reverse()
        got = {name: tree_bench(tree, repeat) for name, tree in order}
        rows.append(got)
        print(f"pair {i + 1}: " + "; ".join(
            f"{k} {got['this'][k]:,.0f} vs {got['other'][k]:,.0f} ({got['this'][k] / got['other'][k]:.2f}x)"
            for k in keys), flush=True)
    summary = {k: {"this": statistics.median(r["this"][k] for r in rows),
                   "other": statistics.median(r["other"][k] for r in rows),
                   "ratio": statistics.median(r["this"][k] / r["other"][k] for r in rows)} for k in keys}
    print("median over pairs (records per CPU-second at window 256; ratio = median of the pairs' ratios):")
    for k, v in summary.items():
        print(f"  {k:>20}: this {v['this']:>8,.0f}  other {v['other']:>8,.0f}  ratio {v['ratio']:.3f}")
    return {"against": str(other), "pairs": rows, "summary": summary}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", default="bench_scoring.json", help="where to write the results")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--against", default=None, metavar="TREE",
                        help="compare this tree's scoring path with another checkout's, alternating processes")
    parser.add_argument("--pairs", type=int, default=6, help="with --against: process pairs to run")
    parser.add_argument("--fastpath", default=None, metavar="SIZES",
                        help="only compare model.forward with the fast path at these window sizes (e.g. 256,512,1024)")
    args = parser.parse_args()

    if args.against:
        other = Path(args.against).resolve()
        if not (other / "node" / "attention" / "features.py").is_file():
            parser.error(f"--against {other}: not a checkout of this project (no node/attention/features.py)")
        Path(args.json).write_text(json.dumps(compare_trees(other, args.pairs, args.repeat), indent=2))
        print(f"wrote {args.json}")
        return 0

    import torch

    from node.attention import FeatureCache, load_scorer
    from node.attention.scorer import default_checkpoint_path
    from node.attention.train import load_checkpoint

    scorer = load_scorer(device="cpu", threads=1)
    if args.fastpath:
        rows = fastpath_table(scorer, [int(x) for x in args.fastpath.split(",")])
        Path(args.json).write_text(json.dumps({"model_id": scorer.model_id, "fastpath": rows}, indent=2))
        print(f"wrote {args.json}")
        return 0
    mlp_path = default_checkpoint_path().parent / "mlp.pt"
    mlp = load_checkpoint(mlp_path.read_bytes())[0] if mlp_path.exists() else None
    results: dict = {"model_id": scorer.model_id, "torch": torch.__version__, "threads": torch.get_num_threads(),
                     "sizes": {}}
    pool = make_records(4 * max(SIZES))
    # A full history (4,096 committed records of the same stream), as a validator holds it.
    history = scorer.history(make_records(4096, seed=90_499))
    results["history_records"] = len(history)
    for n in SIZES:
        results["sizes"][str(n)] = bench_size(scorer, mlp, pool[:n], args.repeat, history)

    # Determinism.
    recs = make_records(1000)
    scorer.cache = FeatureCache()
    a = scorer.score(recs)
    scorer.cache = FeatureCache()
    b = scorer.score(recs)
    c = rescore_in_new_process(1000, threads=1)
    d = rescore_in_new_process(1000, threads=2)
    results["determinism"] = {
        "same_process_max_diff": max(abs(x - y) for x, y in zip(a, b, strict=True)),
        "new_process_max_diff": max(abs(x - y) for x, y in zip(a, c, strict=True)),
        "two_threads_max_diff": max(abs(x - y) for x, y in zip(a, d, strict=True)),
    }
    colds = [cold_start() for _ in range(3)]
    results["cold_start"] = {k: statistics.median(c[k] for c in colds) for k in colds[0]}

    print(f"model {results['model_id']}  (torch {results['torch']}, {results['threads']} thread)")
    print(f"{'window':>7} {'model rec/s':>12} {'(cpu-s)':>9} {'mlp rec/s':>10} {'model ms':>9} {'featurize/s':>12} "
          f"{'assemble/s':>11} {'end-to-end/s':>13} {'(cpu-s)':>9} {'+history/s':>11} {'(cpu-s)':>9} {'cached/s':>9}")
    for n, r in results["sizes"].items():
        print(f"{n:>7} {r['model_rec_s']:>12,.0f} {r['model_rec_cpu_s']:>9,.0f} "
              f"{r.get('mlp_rec_s', float('nan')):>10,.0f} {r['model_ms']:>9.2f} "
              f"{r['featurize_record_rec_s']:>12,.0f} {r['assemble_rec_s']:>11,.0f} {r['end_to_end_rec_s']:>13,.0f} "
              f"{r['end_to_end_rec_cpu_s']:>9,.0f} {r['end_to_end_history_rec_s']:>11,.0f} "
              f"{r['end_to_end_history_rec_cpu_s']:>9,.0f} {r['cached_features_rec_s']:>9,.0f}")
    cs = results["cold_start"]
    print(f"cold start {cs['cold_start_s']:.2f} s (import {cs['import_s']:.2f} s, load {cs['load_s'] * 1e3:.0f} ms); "
          f"first 256-record window {cs['first_window_256_s'] * 1e3:.0f} ms")
    det = results["determinism"]
    print(f"determinism (max |diff|): same process {det['same_process_max_diff']:.1e}, new process "
          f"{det['new_process_max_diff']:.1e}, 2 threads vs 1 {det['two_threads_max_diff']:.1e}")
    Path(args.json).write_text(json.dumps(results, indent=2))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
