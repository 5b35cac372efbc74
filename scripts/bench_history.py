"""What a new committed view costs the History: copy, add a block, then score against it.

Every commit gives a node a new view, and its ``History`` is the last view's, copied, plus the
block (node/core/views.py). Then the first window scored against it computes the near digests
of every record held and the statistics of the window's fields. Three streams of 4,096 held
records and a block of 256:

* ``narrow``: 8 numbers per record under fixed names (every family of the eval);
* ``wide``: 60 numbers under fixed names;
* ``made-up``: 60 numbers under field names no other record uses, what a byzantine proposer
  would commit to make every later view expensive (245,760 one-value fields).

With ``--base DIR`` (another checkout, e.g. ``git worktree add /tmp/base HEAD~1``) each round
runs both trees alternately, in subprocesses, and prints this tree's time over the base's::

    python scripts/bench_history.py [--rounds 3] [--base /tmp/base] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STREAMS = {"narrow": (8, False), "wide": (60, False), "made-up": (60, True)}
PHASES = ("copy", "add 256", "score 256")


def _records(n_fields: int, n: int, start: int, made_up: bool, rng: random.Random) -> list:
    from protocol.keys import PrivateKey
    from protocol.record import Record

    peer = PrivateKey(b"\x41" * 32).peer_id
    out = []
    for i in range(n):
        names = [f"x{rng.getrandbits(40):010x}" if made_up else f"f{j:02d}" for j in range(n_fields)]
        out.append(Record.create("telemetry", peer, 1_000 + start + i, {k: rng.random() * 100 for k in names}))
    return out


def measure(repeat: int) -> dict[str, dict[str, float]]:
    """Best of ``repeat`` milliseconds per phase and stream, in this process (this tree's code)."""
    from node.attention.features import assemble_window, featurize_record
    from node.attention.history import History

    out: dict[str, dict[str, float]] = {}
    for name, (n_fields, made_up) in STREAMS.items():
        rng = random.Random(0)
        held = History()
        held.add(_records(n_fields, 4096, 0, made_up, rng))
        held.has_near(0)  # the held view's own digests, as a node has them
        block = _records(n_fields, 256, 10_000, made_up, rng)
        feats = [featurize_record(r) for r in block]
        best = [float("inf")] * 3
        for _ in range(repeat):
            t0 = time.perf_counter()
            view = held.copy()
            t1 = time.perf_counter()
            view.add(block)
            t2 = time.perf_counter()
            view.has_near(0)
            assemble_window(feats, view)
            t3 = time.perf_counter()
            best = [min(b, x) for b, x in zip(best, (t1 - t0, t2 - t1, t3 - t2), strict=True)]
        out[name] = {p: round(b * 1000, 1) for p, b in zip(PHASES, best, strict=True)}
    return out


def _run(tree: Path, repeat: int) -> dict[str, dict[str, float]]:
    code = (f"import sys, json; sys.path.insert(0, {str(tree)!r}); sys.path.insert(1, {str(ROOT / 'scripts')!r});"
            f"import bench_history; print(json.dumps(bench_history.measure({repeat})))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tree, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds (each a fresh process per tree)")
    ap.add_argument("--repeat", type=int, default=3, help="views timed per process (the best is kept)")
    ap.add_argument("--base", help="another checkout to compare with")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    trees = {"this": ROOT} | ({"base": Path(args.base).resolve()} if args.base else {})
    runs: dict[str, list[dict[str, dict[str, float]]]] = {t: [] for t in trees}
    for r in range(args.rounds):
        for tag, tree in trees.items():
            runs[tag].append(_run(tree, args.repeat))
            print(f"round {r + 1}/{args.rounds}: {tag} done", file=sys.stderr, flush=True)
    summary = {tag: {s: {p: statistics.median(x[s][p] for x in rs) for p in PHASES} for s in STREAMS}
               for tag, rs in runs.items()}
    if args.json:
        print(json.dumps({"rounds": args.rounds, "median_ms": summary}, indent=1))
        return
    head = f"{'stream':9s}{'phase':11s}" + "".join(f"{t + ' ms':>11s}" for t in trees)
    print(head + ("   this/base" if "base" in trees else ""))
    for s in STREAMS:
        for p in PHASES:
            row = f"{s:9s}{p:11s}" + "".join(f"{summary[t][s][p]:11.1f}" for t in trees)
            if "base" in trees:
                row += f"{summary['this'][s][p] / max(summary['base'][s][p], 1e-9):12.2f}"
            print(row)


if __name__ == "__main__":
    main()
