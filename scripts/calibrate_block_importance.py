"""Where to put genesis ``min_block_importance`` for the shipped model.

Validators re-score a block with the block's own records as the only context,
so the bar must be set on *in-block* scores. For held-out workload seeds this
scores windows of various sizes, builds (a) honest blocks (records scoring at or
above ``record_threshold`` in their window), (b) junk blocks (the same number of
the window's lowest-scoring records) and (c) random blocks, re-scores each
among itself, and prints the distributions of the blocks' mean in-block score.

Usage: python scripts/calibrate_block_importance.py [--seeds 40] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from node.attention import load_scorer  # noqa: E402
from node.workload import Workload  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=40)
    ap.add_argument("--first-seed", type=int, default=900_000, help="held out: never used in training")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--out", default="calibration.json")
    args = ap.parse_args()
    scorer = load_scorer()
    rng = random.Random(1)
    means: dict[str, list[float]] = {"honest": [], "junk": [], "random": []}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        n = rng.choice([64, 128, 256, 512, 1024])
        recs = [r for r, _ in Workload(seed).next_batch(n, 1_700_000_000_000)]
        window = scorer.score(recs)
        honest = [r for r, s in zip(recs, window, strict=True) if s >= args.threshold]
        if len(honest) < 2:
            continue
        k = len(honest)
        low = [r for _, r in sorted(zip(window, recs, strict=True), key=lambda sr: sr[0])[:k]]
        for name, block in (("honest", honest), ("junk", low), ("random", rng.sample(recs, k))):
            means[name].append(float(np.mean(scorer.score(block))))
    out = {"model_id": scorer.model_id, "blocks": {k: len(v) for k, v in means.items()}}
    print(f"model {scorer.model_id}; mean in-block score per block (percentiles 0/5/50/95/100)")
    for name, xs in means.items():
        pct = [round(float(p), 3) for p in np.percentile(xs, [0, 5, 50, 95, 100])]
        out[name] = pct
        print(f"  {name:7} {pct}")
    gap = out["honest"][1], out["junk"][3]
    print(f"honest 5th percentile {gap[0]} vs junk 95th percentile {gap[1]}")
    Path(args.out).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
