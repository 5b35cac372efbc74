"""Stage-1 networks scored on the held-out families one by one and averaged (an ensemble), on the same windows.

    python scripts/eval_ensemble.py --checkpoints a.pt,b.pt,c.pt [--worlds 48] [--families all] [--out x.json]
    python scripts/eval_ensemble.py --checkpoints a.pt,b.pt,c.pt --subsets   # every subset of 2 or more too

Each checkpoint's ranking network (an ensemble checkpoint counts as one) scores every window of
``eval_unseen.family_windows`` (3 windows of 256 per world, committed history); an ensemble's logit
is the mean of its members' logits, as ``node.attention.model.EnsembleNet`` computes it. Prints, per
checkpoint and per ensemble, the mean NDCG@10% over the families, each case's median rank (the mean
over families), the families whose priority misses the top 10%, and the families where the ensemble
of all beats the best single one. Logits are kept in ``--cache`` (per checkpoint, family and worlds),
so adding a checkpoint scores only that one. Session 38 chose the shipped ensemble with it
(docs/attention.md, "Session 38").
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import pickle
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import torch  # noqa: E402
from eval_unseen import FAMILIES, family_windows  # noqa: E402

from node.attention.evaluate import case_ranks, window_metrics  # noqa: E402
from node.attention.train import load_checkpoint  # noqa: E402

CASES = ("anomaly", "rare kind", "priority", "burst head", "exact dup", "near dup", "burst tail")
HELD_OUT = [f for f in FAMILIES if f != "randomized"]


class _Checkpoint:
    """One checkpoint file: read once, its network loaded only when a family's logits are not cached."""

    def __init__(self, path: Path) -> None:
        self.data = path.read_bytes()
        self.digest = hashlib.sha256(self.data).hexdigest()[:16]
        self._model: torch.nn.Module | None = None

    def logits(self, fam: str, worlds: int, windows: list, cache: Path) -> list[list[float]]:
        hit = cache / f"{self.digest}-{fam}-{worlds}.pkl"
        if hit.exists():
            return pickle.loads(hit.read_bytes())  # type: ignore[no-any-return]
        if self._model is None:
            self._model = load_checkpoint(self.data)[0]
        with torch.inference_mode():
            out = [self._model(w.feats).squeeze(0).tolist() for w in windows]
        hit.write_bytes(pickle.dumps(out))
        return out


def _metrics(windows: list, scores: list[list[float]]) -> dict[str, float]:
    ndcg: list[float] = []
    ranks: dict[str, list[float]] = {}
    for w, s in zip(windows, scores, strict=True):
        ndcg.append(window_metrics(s, w)["ndcg@10%"])
        for case, r in case_ranks(s, w).items():
            ranks.setdefault(case, []).extend(r)
    return {"ndcg": statistics.mean(ndcg), **{c: statistics.median(r) for c, r in ranks.items() if r}}


def _mean(per_family: list[list[float]]) -> list[float]:
    return [sum(v) / len(v) for v in zip(*per_family, strict=True)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoints", required=True, help="comma-separated stage-1 (or full) checkpoints")
    ap.add_argument("--families", default="all")
    ap.add_argument("--worlds", type=int, default=48)
    ap.add_argument("--subsets", action="store_true", help="also every ensemble of 2 or more of the checkpoints")
    ap.add_argument("--cache", default=str(Path.home() / ".cache" / "attnshare-eval-ensemble"))
    ap.add_argument("--out", help="JSON of every figure")
    args = ap.parse_args()
    torch.set_num_threads(1)
    paths = [Path(p) for p in args.checkpoints.split(",") if p]
    if len(paths) < 2:
        ap.error("--checkpoints needs at least two")
    for p in paths:
        if not p.is_file():
            ap.error(f"no checkpoint {p}")
    fams = HELD_OUT if args.families == "all" else [f for f in args.families.split(",") if f]
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    checkpoints = [_Checkpoint(p) for p in paths]
    labels = [f"#{i} {p.name if p.name != 'model.pt' else str(p)}" for i, p in enumerate(paths)]
    combos = [tuple(range(len(paths)))]
    if args.subsets:
        combos = [c for k in range(2, len(paths) + 1) for c in itertools.combinations(range(len(paths)), k)]
    names = labels + [" + ".join(f"#{i}" for i in c) for c in combos]
    result: dict[str, dict[str, dict[str, float]]] = {n: {} for n in names}
    for fam in fams:
        windows = family_windows(fam, args.worlds, 3, 256)
        logits = [c.logits(fam, args.worlds, windows, cache) for c in checkpoints]
        for label, lg in zip(labels, logits, strict=True):
            result[label][fam] = _metrics(windows, lg)
        for combo, name in zip(combos, names[len(labels):], strict=True):
            scores = [_mean([logits[i][w] for i in combo]) for w in range(len(windows))]
            result[name][fam] = _metrics(windows, scores)
        print(f"scored {fam}", file=sys.stderr, flush=True)
    print(f"{len(fams)} families x {args.worlds} worlds x 3 windows of 256")
    print(f"{'ranking':>28s} {'NDCG@10%':>9s} " + " ".join(f"{c[:9]:>9s}" for c in CASES) + "  priority over 0.10")
    for name in names:
        per = result[name]
        ndcg = statistics.mean(per[f]["ndcg"] for f in fams)
        cases = [statistics.mean(per[f][c] for f in fams if c in per[f]) for c in CASES]
        over = [f for f in fams if per[f].get("priority", 0.0) > 0.1]
        print(f"{name[-28:]:>28s} {ndcg:9.4f} " + " ".join(f"{x:9.3f}" for x in cases) + f"  {len(over)}: {', '.join(over)}")
    full = names[-1] if not args.subsets else " + ".join(f"#{i}" for i in range(len(paths)))
    best = [f for f in fams if result[full][f]["ndcg"] >= max(result[lb][f]["ndcg"] for lb in labels)]
    print(f"{full}: at or above the best single checkpoint on {len(best)} of {len(fams)} families")
    if args.out:
        Path(args.out).write_text(json.dumps({"worlds": args.worlds, "checkpoints": [str(p) for p in paths],
                                              "families": fams, "scores": result}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
