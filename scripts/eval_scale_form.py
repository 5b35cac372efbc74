"""How a checkpoint ranks the training generator's own *wide-scale* priority form, on held-out seeds.

Seven held-out families miss the priority goal, and in each the misses are numbers on a wide scale
(a 0-100 risk index, points, a response target in minutes), named or not. Session 30 asked first
whether the model reads that form in the worlds it was trained on: ``node/workload/randomized.py``
writes a tenth of its priority fields as a number on a wide scale (``_Scale``), in three shapes
(``down``: a countdown, small is pressing; ``pct``: a percent index, routine 0..P and the steps
P..100; ``score``: routine up to R, each step a band further up), under a name the lexicon reads as
priority (``named``) or not (``neutral``). If the model does not rank the form there, the families'
misses are not a matter of unseen data but of what training teaches, and a trial can be judged on
this quick measure (about 20 s for 40 worlds) before the held-out families are scored.

Per subform: the priority records' median rank in their window (0 = top), and the model's median
score against the same kinds' routine records (``normal``); then the wide-scale forms pooled, and the
same worlds' priority records of every other form, for contrast.

Usage: python scripts/eval_scale_form.py [--worlds 40] [--model PATH] [--json]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from node.attention.data import TEST_SEEDS, Window, make_windows  # noqa: E402
from node.attention.evaluate import Method, table_case  # noqa: E402
from node.attention.features import _is_priority_field  # noqa: E402
from node.workload.randomized import RandomizedWorkload  # noqa: E402


def scale_forms(world: RandomizedWorkload) -> dict[str, str]:
    """Kind name -> subform (``down|pct|score`` / ``named|neutral``) of each kind whose priority is a wide scale."""
    out: dict[str, str] = {}
    for k in world.kinds:
        if k.prio is None or k.prio.numeric is None:
            continue
        e = k.prio.numeric.edges
        shape = "down" if e[1] > e[2] else ("pct" if e[0] == 0.0 and abs(e[-1] - 100.0) < 1e-6 else "score")
        out[k.name] = shape + ("/named" if _is_priority_field(k.prio.key) else "/neutral")
    return out


def scale_seeds(worlds: int) -> list[int]:
    """The first ``worlds`` held-out seeds whose world has a kind with a wide-scale priority."""
    seeds: list[int] = []
    for s in TEST_SEEDS:
        if len(seeds) >= worlds:
            break
        if scale_forms(RandomizedWorkload(s)):
            seeds.append(s)
    return seeds


def form_report(seeds: list[int], method: Method) -> dict[str, dict[str, float]]:
    """Per subform: priority records' count and median rank, their median score, and the same kinds'
    routine records' median score."""
    ranks: dict[str, list[float]] = collections.defaultdict(list)
    scores: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    for s in seeds:
        forms = scale_forms(RandomizedWorkload(s))
        windows: list[Window] = make_windows([s], 3, (256,), shuffle_seed=3, family="randomized",
                                             factory=RandomizedWorkload, history="committed", warmup=(2,))
        for i, w in enumerate(windows):
            sc = method(w, i)
            n = len(sc)
            order = sorted(range(n), key=lambda j: -sc[j])
            rank = {j: r / max(1, n - 1) for r, j in enumerate(order)}
            for j in range(n):
                form = forms.get(w.records[j].kind)
                case = table_case(w.cases[j], w.details[j] if w.details else "")
                if form is None and case == "priority":
                    ranks["other forms"].append(rank[j])  # the same worlds' other priority kinds
                if form is None or case not in ("priority", "normal"):
                    continue
                scores[(form, case)].append(sc[j])
                if case == "priority":
                    ranks[form].append(rank[j])
    out: dict[str, dict[str, float]] = {}
    for form in sorted(ranks):
        if form == "other forms":
            out[form] = {"n": len(ranks[form]), "median_rank": round(float(np.median(ranks[form])), 3)}
            continue
        out[form] = {"n": len(ranks[form]), "median_rank": round(float(np.median(ranks[form])), 3),
                     "priority_score": round(float(np.median(scores[(form, "priority")])), 3),
                     "routine_score": round(float(np.median(scores[(form, "normal")])), 3)
                     if scores[(form, "normal")] else float("nan")}
    pooled = [r for form, v in ranks.items() if form != "other forms" for r in v]
    if pooled:
        out["wide scale"] = {"n": len(pooled), "median_rank": round(float(np.median(pooled)), 3)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worlds", type=int, default=40, help="held-out seeds with a wide-scale priority kind")
    ap.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.worlds < 1:
        raise SystemExit("--worlds must be at least 1")
    from node.attention.evaluate import model_method
    from node.attention.scorer import default_checkpoint_path
    from node.attention.train import load_checkpoint

    path = Path(args.model or default_checkpoint_path())
    if not path.is_file():
        raise SystemExit(f"no checkpoint at {path}")
    method = model_method(load_checkpoint(path.read_bytes())[0])
    seeds = scale_seeds(args.worlds)
    print(f"{len(seeds)} worlds ...", file=sys.stderr, flush=True)
    report: dict[str, Any] = {"worlds": len(seeds), "forms": form_report(seeds, method)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{'form':16s} {'n':>5s} {'median rank':>12s} {'score':>7s} {'routine':>8s}")
    for form, row in report["forms"].items():
        extra = (f" {row['priority_score']:7.3f} {row['routine_score']:8.3f}" if "priority_score" in row else "")
        print(f"{form:16s} {row['n']:5d} {row['median_rank']:12.3f}{extra}")


if __name__ == "__main__":
    main()
