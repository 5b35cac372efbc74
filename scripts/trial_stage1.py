"""A model change measured over several training seeds, not one draw against the shipped one.

Session 10 measured what one seed is worth: the shipped recipe, stage 1 retrained with seeds 0, 1
and 2, scored 0.692, 0.672 and 0.692 mean NDCG@10% on seven held-out families (airspace alone
0.630-0.726), and four feature trials scored one seed each inside that band. So a trial trains
stage 1 with several seeds (``scripts/train_model.py --only attention --no-judge --seed S``, up to
``--jobs`` at once, each on one thread) and scores every checkpoint on the same held-out windows
(``eval_unseen.family_windows``: 3 windows of 256 per world, committed history), then prints per
seed, the mean and the spread, and against an earlier run (``--against old.json``) the difference
of the means beside the seeds' spread::

    python scripts/trial_stage1.py --seeds 0,1,2 --out /tmp/base.json            # the shipped recipe
    (change the featurizer or the generator)
    python scripts/trial_stage1.py --seeds 0,1,2 --out /tmp/new.json --against /tmp/base.json
    python scripts/trial_stage1.py --checkpoints a.pt,b.pt --out /tmp/x.json    # score only

Training runs the working tree's code, so an arm is whatever the tree holds when it starts. About
4-5 minutes of one core per seed, plus about 20 seconds per family and checkpoint to score.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_unseen import family_windows  # noqa: E402

from node.attention.evaluate import case_ranks, model_method, window_metrics  # noqa: E402
from node.attention.train import load_checkpoint  # noqa: E402

FAMILIES = "fleet,ledger,airspace,hydro,rail,clinic,port"
CASES = ("anomaly", "rare kind", "priority", "burst head", "burst tail", "near dup", "exact dup")


def _train_one(seed: int, out_dir: Path) -> Path:
    d = out_dir / f"seed{seed}"
    d.mkdir(parents=True, exist_ok=True)
    print(f"training seed {seed} -> {d}", file=sys.stderr, flush=True)
    cmd = [sys.executable, str(ROOT / "scripts" / "train_model.py"), "--only", "attention", "--no-judge",
           "--seed", str(seed), "--out-dir", str(d)]
    with (d / "train.log").open("wb") as log:
        rc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, check=False).returncode
    if rc != 0:
        raise SystemExit(f"seed {seed} failed (rc {rc}); see {d / 'train.log'}")
    print(f"seed {seed} done", file=sys.stderr, flush=True)
    return d / "model.pt"


def train(seeds: list[int], jobs: int, out_dir: Path) -> list[Path]:
    """Stage-1 checkpoints, one per seed, trained ``jobs`` at a time (each a process of one thread)."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda s: _train_one(s, out_dir), seeds))


def score(checkpoints: list[Path], families: list[str], worlds: int) -> dict[str, dict[str, dict[str, float]]]:
    """Per checkpoint and family: mean NDCG@10% and each case's median rank (0 = top)."""
    methods = {str(c): model_method(load_checkpoint(c.read_bytes())[0]) for c in checkpoints}
    out: dict[str, dict[str, dict[str, float]]] = {str(c): {} for c in checkpoints}
    for fam in families:
        ws = family_windows(fam, worlds, 3, 256)  # built once: every checkpoint sees the same windows
        for name, m in methods.items():
            nd: list[float] = []
            ranks: dict[str, list[float]] = {}
            for i, w in enumerate(ws):
                s = m(w, i)
                nd.append(window_metrics(s, w)["ndcg@10%"])
                for c, r in case_ranks(s, w).items():
                    ranks.setdefault(c, []).extend(r)
            out[name][fam] = {"ndcg": statistics.mean(nd),
                              **{c: statistics.median(r) for c, r in ranks.items() if r}}
        print(f"scored {fam}", file=sys.stderr, flush=True)
    return out


def _mean_sd(xs: list[float]) -> tuple[float, float]:
    return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def report(result: dict, against: dict | None) -> None:
    fams = result["families"]
    runs = list(result["scores"].values())
    print(f"{'checkpoint':>10s} " + " ".join(f"{f[:8]:>8s}" for f in fams) + "     mean")
    for label, per in zip(result["labels"], runs, strict=True):
        vals = [per[f]["ndcg"] for f in fams]
        print(f"{label:>10s} " + " ".join(f"{v:8.3f}" for v in vals) + f" {statistics.mean(vals):8.3f}")
    means = [statistics.mean(per[f]["ndcg"] for f in fams) for per in runs]
    m, sd = _mean_sd(means)
    print(f"mean NDCG@10% over seeds {m:.4f} (sd {sd:.4f}, n {len(means)})")
    for case in CASES:
        vals = [statistics.mean(per[f][case] for f in fams if case in per[f]) for per in runs]
        cm, csd = _mean_sd(vals)
        print(f"  {case:10s} median rank, mean over families {cm:.3f} (sd over seeds {csd:.3f})")
    if against is not None:
        # Compared on the families both runs scored (a new family has no earlier figures).
        theirs = list(against["scores"].values())
        both = [f for f in fams if all(f in per for per in theirs)]
        if both != fams:
            print(f"against: compared on the {len(both)} families both runs scored "
                  f"(not {', '.join(f for f in fams if f not in both)})")
            m, sd = _mean_sd([statistics.mean(per[f]["ndcg"] for f in both) for per in runs])
        old = [statistics.mean(per[f]["ndcg"] for f in both) for per in theirs]
        om, osd = _mean_sd(old)
        spread = max(sd, osd)
        print(f"against {against.get('out', 'the earlier run')}: {m:.4f} - {om:.4f} = {m - om:+.4f}; "
              f"seed sd {sd:.4f} / {osd:.4f}: "
              + ("inside one seed's swing" if abs(m - om) <= spread else f"{abs(m - om) / spread:.1f} seed sds"))
        for case in CASES:
            a = statistics.mean(statistics.mean(per[f][case] for f in both if case in per[f]) for per in runs)
            b = statistics.mean(statistics.mean(per[f][case] for f in both if case in per[f]) for per in theirs)
            print(f"  {case:10s} median rank {a:.3f} vs {b:.3f} ({a - b:+.3f})")
        for f in both:
            a = statistics.mean(per[f]["ndcg"] for per in runs)
            b = statistics.mean(per[f]["ndcg"] for per in against["scores"].values())
            print(f"  {f:9s} {a:.3f} vs {b:.3f} ({a - b:+.3f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="0,1,2", help="training seeds, comma-separated")
    ap.add_argument("--checkpoints", help="score these stage-1 checkpoints instead of training (comma-separated)")
    ap.add_argument("--families", default=FAMILIES)
    ap.add_argument("--worlds", type=int, default=24)
    ap.add_argument("--jobs", type=int, default=2, help="seeds trained at once (one thread each)")
    ap.add_argument("--work-dir", help="where checkpoints go (default: a new temporary directory)")
    ap.add_argument("--out", required=True, help="JSON of every figure, for --against later")
    ap.add_argument("--against", help="an earlier --out to compare with")
    args = ap.parse_args()
    families = [f for f in args.families.split(",") if f]
    if args.checkpoints:
        cks = [Path(c) for c in args.checkpoints.split(",")]
        labels = [c.stem for c in cks]
        if len(set(labels)) < len(labels):  # seed0/model.pt, seed1/model.pt: name them by folder
            labels = [f"{c.parent.name}/{c.stem}" for c in cks]
    else:
        seeds = [int(s) for s in args.seeds.split(",")]
        work = Path(args.work_dir or tempfile.mkdtemp(prefix="attnshare-trial-"))
        cks = train(seeds, max(1, args.jobs), work)
        labels = [f"seed {s}" for s in seeds]
    result = {"out": args.out, "families": families, "worlds": args.worlds, "labels": labels,
              "checkpoints": [str(c) for c in cks], "scores": score(cks, families, args.worlds)}
    Path(args.out).write_text(json.dumps(result, indent=1))
    against = json.loads(Path(args.against).read_text()) if args.against else None
    report(result, against)


if __name__ == "__main__":
    main()
