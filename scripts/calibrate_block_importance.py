"""Where to put genesis ``min_block_importance`` for the shipped model.

Validators re-score a block with the block's own records as the window and
the committed view as history, so the bar must be set on *in-block* scores.
For held-out seeds of every training family (seven domains, randomized) and
both held-out families, this builds a stream, keeps as history what earlier
batches committed (their most important 20%), scores each new window against
it, and builds three blocks of k records from the window:

* honest: the k records the node would ship (highest scores; k = --share of
  the window, at least 2);
* junk: the k lowest-scoring records (copies, burst tails, re-sends of
  committed news, routine noise);
* random: k records drawn at random.

Each block is re-scored among itself *with the same history*, and the
script prints the distributions of the blocks' mean in-block score, with and
without history, and the gap between the honest 5th percentile and the
95th percentile of junk and random blocks.

Usage: python scripts/calibrate_block_importance.py [--seeds 12] [--out FILE.json]
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
from node.attention.data import HISTORY_SHARE, committed_share  # noqa: E402
from node.workload import Workload  # noqa: E402
from node.workload.holdout_fleet import FleetWorkload  # noqa: E402
from node.workload.holdout_ledger import LedgerWorkload  # noqa: E402
from node.workload.randomized import RandomizedWorkload  # noqa: E402

FAMILIES = {"domains": Workload, "randomized": RandomizedWorkload, "fleet": FleetWorkload, "ledger": LedgerWorkload}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=12, help="worlds per family")
    ap.add_argument("--first-seed", type=int, default=900_000, help="held out: never used in training")
    ap.add_argument("--windows", type=int, default=3, help="windows per world (after 2 history batches)")
    ap.add_argument("--share", type=float, default=0.1, help="share of a window an honest block ships")
    ap.add_argument("--out", default="calibration.json")
    ap.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    args = ap.parse_args()
    scorer = load_scorer(args.model, device="cpu")
    rng = random.Random(1)
    means: dict[str, dict[str, list[float]]] = {
        mode: {"honest": [], "junk": [], "random": []} for mode in ("history", "no history")}
    for _fam, factory in FAMILIES.items():
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            wl = factory(seed)
            hist = scorer.history()
            now = 1_700_000_000_000
            for step in range(2 + args.windows):
                n = rng.choice([64, 128, 256, 512]) if step >= 2 else 256
                batch = wl.next_labeled(n, now)
                now = batch[-1].record.ts_ms + 60_000
                recs = [lr.record for lr in batch]
                if step >= 2:
                    window = scorer.score(recs, hist)
                    k = max(2, round(args.share * n))
                    ranked = sorted(range(n), key=lambda i: (-window[i], i))
                    blocks = {"honest": sorted(ranked[:k]), "junk": sorted(ranked[-k:]),
                              "random": sorted(rng.sample(range(n), k))}
                    for name, idx in blocks.items():
                        block = [recs[i] for i in idx]
                        means["history"][name].append(float(np.mean(scorer.score(block, hist))))
                        means["no history"][name].append(float(np.mean(scorer.score(block))))
                hist.add(committed_share(batch, HISTORY_SHARE))
    out: dict = {"model_id": scorer.model_id, "share": args.share, "blocks": len(means["history"]["honest"])}
    print(f"model {scorer.model_id}; mean in-block score per block (percentiles 0/5/50/95/100), "
          f"{out['blocks']} blocks of each kind")
    for mode, groups in means.items():
        out[mode] = {}
        print(f" {mode}:")
        for name, xs in groups.items():
            pct = [round(float(p), 3) for p in np.percentile(xs, [0, 5, 50, 95, 100])]
            out[mode][name] = pct
            print(f"   {name:7} {pct}")
        gap = out[mode]["honest"][1] - max(out[mode]["junk"][3], out[mode]["random"][3])
        out[mode]["gap"] = round(gap, 3)
        print(f"   honest 5th pct {out[mode]['honest'][1]} - max(junk, random) 95th pct "
              f"{max(out[mode]['junk'][3], out[mode]['random'][3])} = {gap:+.3f}")
    Path(args.out).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
