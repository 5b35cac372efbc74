"""Where to put genesis ``min_block_importance`` for the shipped model.

Validators re-score a block with the block's own records as the window and
the History of the committed view its header names, so the bar must be set
on *in-block* scores against that history. For held-out seeds of every
training family (seven domains, randomized) and both held-out families, this
plays one proposer's stream window by window, the way the network commits it:

* honest: the k records the node ships from the window (highest scores
  against the view's history; k = --share of the window, at least 2),
  re-scored the way validators score a block (node/core/views.py: with the
  checkpoint's judge weights, see node/attention/scorer.py): after as
  many of the proposer's last committed records as fill a window of
  ``admission.SCORING_CONTEXT`` records, against the view *before* the
  block; only the block's own scores count. The block
  then commits, and its records join the history (the view's history keeps a
  proposer's last ``capacity / validators`` committed records);
* junk: k of the records the node did not ship (the lowest-scoring: copies,
  burst tails, re-sends of committed news, routine noise), proposed next,
  so against the view that holds the honest block (the view rule allows no
  older one: protocol.admission.check_view);
* random: k records drawn at random from those the node did not ship,
  against the same view as junk.

In "view" mode, window and block scores follow the copy rule validators
apply (``protocol.admission.without_history_copies``): a record whose exact
content, or a near copy of it, is in the view's History scores 0.

It prints the distributions of the blocks' mean in-block score (percentiles
0/5/50/95/100) in three settings -- "view" (the above), "truth history"
(the old setting: history is the top 20% of earlier batches by ground truth,
junk scored against it, not against the honest block) and "no history" --
and the gap between the honest 5th percentile and the 95th percentile of
junk and random blocks.

Usage: python scripts/calibrate_block_importance.py [--seeds 12] [--validators 4] [--out FILE.json]
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
from node.attention.history import DEFAULT_CAPACITY  # noqa: E402
from node.core.views import novelty, novelty_budget  # noqa: E402
from node.workload import Workload  # noqa: E402
from node.workload.holdout_airspace import AirspaceWorkload  # noqa: E402
from node.workload.holdout_fleet import FleetWorkload  # noqa: E402
from node.workload.holdout_ledger import LedgerWorkload  # noqa: E402
from node.workload.randomized import RandomizedWorkload  # noqa: E402
from protocol.admission import SCORING_CONTEXT, novelty_budget_for_ranking, without_history_copies  # noqa: E402
from protocol.genesis import Genesis  # noqa: E402


def _hydro(seed: int) -> object:
    from node.workload.holdout_hydro import HydroWorkload  # the fourth held-out family (session 5)

    return HydroWorkload(seed)


FAMILIES = {"domains": Workload, "randomized": RandomizedWorkload, "fleet": FleetWorkload, "ledger": LedgerWorkload,
            "airspace": AirspaceWorkload, "hydro": _hydro}
DEFAULT_FAMILIES = "domains,randomized,fleet,ledger"  # the goal's setting; airspace (blind) apart: --families


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=12, help="worlds per family")
    ap.add_argument("--first-seed", type=int, default=900_000, help="held out: never used in training")
    ap.add_argument("--windows", type=int, default=3, help="windows per world (after the warm-up batches)")
    ap.add_argument("--warmup", type=int, default=2,
                    help="batches of 256 committed before any block is measured (the node's past)")
    ap.add_argument("--share", type=float, default=0.1, help="share of a window an honest block ships")
    ap.add_argument("--floor", type=float, default=0.0,
                    help="honest proposer's floor (pipeline.ship_threshold): no record scoring below it ships")
    ap.add_argument("--validators", type=int, default=4,
                    help="validators sharing the view's history (a proposer keeps capacity / validators)")
    ap.add_argument("--families", default=DEFAULT_FAMILIES,
                    help=f"comma-separated, of {', '.join(FAMILIES)} (airspace: the blind held-out family)")
    ap.add_argument("--out", default="calibration.json")
    ap.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    ap.add_argument("--modes", default="view,truth history,no history",
                    help="comma-separated settings to measure (\"view\" is how validators score)")
    ap.add_argument("--exact-only", action="store_true",
                    help="the copy rule as it was before session 5: exact copies only, not near ones")
    ap.add_argument("--no-judge", action="store_true",
                    help="score blocks with the ranking weights, not the judge (how it was before the judge)")
    ap.add_argument("--detail", type=int, default=0,
                    help="print this many of the lowest honest and highest junk/random \"view\" blocks")
    args = ap.parse_args()
    scorer = load_scorer(args.model, device="cpu")
    rng = random.Random(1)
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    means: dict[str, dict[str, list[float]]] = {m: {"honest": [], "junk": [], "random": []} for m in modes}
    detail: dict[str, list[tuple[float, str]]] = {"honest": [], "junk": [], "random": []}

    def describe(fam: str, seed: int, n: int, labeled: list) -> str:
        cases: dict[str, int] = {}
        for lr in labeled:
            cases[lr.case] = cases.get(lr.case, 0) + 1
        truth_mean = float(np.mean([lr.importance for lr in labeled]))
        top = ", ".join(f"{c} {k}" for c, k in sorted(cases.items(), key=lambda x: -x[1]))
        return f"{fam} seed {seed} window {n} block {len(labeled)} truth mean {truth_mean:.3f}: {top}"
    quota = max(1, DEFAULT_CAPACITY // args.validators)

    def copies(recs: list, hist: object) -> list[bool]:
        if args.exact_only:
            return [hist.has_content(scorer.cache.get(r).content) for r in recs]  # type: ignore[attr-defined]
        return scorer.score_and_copies(recs, hist)[1]  # type: ignore[arg-type]

    def view_scores(recs: list, hist: object) -> list[float]:
        # As validators and proposers score against a view: exact and near copies of committed
        # content score 0 (protocol.admission.without_history_copies).
        # And records of kinds the view never held count for two such kinds at most (the novelty budget).
        # The proposer ranks its window keeping its best novel records (session 26), as pipeline._decide does.
        judged = without_history_copies(scorer.score(recs, hist), copies(recs, hist))  # type: ignore[arg-type]
        return novelty_budget_for_ranking(judged, novelty(recs, hist, scorer.cache), len(hist))  # type: ignore[arg-type]

    def mean_score(block: list, hist: object, context: list | None = None, copy_rule: bool = False) -> float:
        ctx = context or []
        ctx = ctx[len(ctx) - min(len(ctx), max(0, want - len(block))):]  # fill the window up to `want`
        # In-block scores come from the checkpoint's judge weights, as validators compute them.
        scores = scorer.score(ctx + block, hist, judge=not args.no_judge)[len(ctx):]  # type: ignore[arg-type]
        if copy_rule:
            scores = novelty_budget(without_history_copies(scores, copies(block, hist)), block, hist,  # type: ignore[arg-type]
                                    scorer.cache)
        return float(np.mean(scores))

    families = [f.strip() for f in args.families.split(",") if f.strip()]
    if unknown := [f for f in families if f not in FAMILIES]:
        ap.error(f"unknown families {unknown}; choose from {', '.join(FAMILIES)}")
    for fam, factory in ((f, FAMILIES[f]) for f in families):
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            wl = factory(seed)
            view = scorer.history(capacity=quota)  # what the network committed: one proposer's last records
            mine: list = []  # the proposer's committed records, oldest first (its scoring context)
            want = min(SCORING_CONTEXT, quota)  # validators' window: at least this many records
            truth = scorer.history()  # the old setting: top 20% of earlier batches by ground truth
            now = 1_700_000_000_000
            for step in range(args.warmup + args.windows):
                n = rng.choice([64, 128, 256, 512]) if step >= args.warmup else 256
                batch = wl.next_labeled(n, now)
                now = batch[-1].record.ts_ms + 60_000
                recs = [lr.record for lr in batch]
                k = max(2, round(args.share * n))
                window = view_scores(recs, view)
                ranked = sorted(range(n), key=lambda i: (-window[i], i))
                top = [i for i in ranked[:k] if window[i] >= args.floor]
                honest = [recs[i] for i in sorted(top)]
                if step >= args.warmup and not top:
                    view.add(honest)
                    truth.add(committed_share(batch, HISTORY_SHARE))
                    continue  # nothing clears the floor: the honest node proposes no block from this window
                if step >= args.warmup:
                    rest = ranked[len(top):]
                    blocks = {"honest": sorted(top), "junk": sorted(rest[-k:]),
                              "random": sorted(rng.sample(rest, min(k, len(rest))))}
                    if "view" in means:
                        m = mean_score(honest, view, mine[-want:], copy_rule=True)
                        means["view"]["honest"].append(m)
                        detail["honest"].append((m, describe(fam, seed, n, [batch[i] for i in blocks["honest"]])))
                    if "truth history" in means:
                        tw = scorer.score(recs, truth)
                        tr = sorted(range(n), key=lambda i: (-tw[i], i))
                        tblocks = {"honest": sorted(tr[:k]), "junk": sorted(tr[-k:]),
                                   "random": blocks["random"]}
                        for name, idx in tblocks.items():
                            means["truth history"][name].append(mean_score([recs[i] for i in idx], truth))
                    if "no history" in means:
                        for name, idx in blocks.items():
                            means["no history"][name].append(mean_score([recs[i] for i in idx], None))
                view.add(honest)  # the honest block commits before anything else of this window
                mine += honest
                if step >= args.warmup and "view" in means:
                    for name in ("junk", "random"):
                        m = mean_score([recs[i] for i in blocks[name]], view, mine[-want:], copy_rule=True)
                        means["view"][name].append(m)
                        detail[name].append((m, describe(fam, seed, n, [batch[i] for i in blocks[name]])))
                truth.add(committed_share(batch, HISTORY_SHARE))
    out: dict = {"model_id": scorer.model_id, "share": args.share, "validators": args.validators,
                 "families": families,
                 "judge": scorer.judge is not None and not args.no_judge,
                 "blocks": len(means[modes[0]]["honest"])}
    print(f"model {scorer.model_id}; mean in-block score per block (percentiles 0/5/50/95/100), "
          f"{out['blocks']} blocks of each kind")
    for mode, groups in means.items():
        out[mode] = {}
        print(f" {mode}:")
        for name, xs in groups.items():
            pct = [round(float(p), 3) for p in np.percentile(xs, [0, 5, 50, 95, 100])]
            out[mode][name] = pct
            print(f"   {name:7} {pct}")
        bad = max(out[mode]["junk"][3], out[mode]["random"][3])
        gap = out[mode]["honest"][1] - bad
        out[mode]["gap"] = round(gap, 3)
        out[mode]["bar"] = round((out[mode]["honest"][1] + bad) / 2, 3)
        print(f"   honest 5th pct {out[mode]['honest'][1]} - max(junk, random) 95th pct {bad} = {gap:+.3f}"
              f"  (midpoint {out[mode]['bar']})")
        keep95 = out[mode]["honest"][1]
        r95 = {name: round(float(np.mean([x >= keep95 for x in xs])), 3) for name, xs in groups.items()}
        out[mode]["pass_rate_at_honest_5th"] = {"bar": keep95, **r95}
        print(f"   at the honest 5th percentile {keep95}: junk pass {r95['junk']:.1%}, random pass {r95['random']:.1%}")
        bar = Genesis.__dataclass_fields__["min_block_importance"].default
        rates = {name: round(float(np.mean([x >= bar for x in xs])), 3) for name, xs in groups.items()}
        out[mode]["pass_rate_at_default_bar"] = {"bar": bar, **rates}
        print(f"   at the genesis default bar {bar}: honest pass {rates['honest']:.1%}, "
              f"junk pass {rates['junk']:.1%}, random pass {rates['random']:.1%}")
    if "view" in means:
        # The ceiling of any model: the same blocks' mean ground-truth importance.
        tm = {name: [float(r[1].split("truth mean ")[1].split(":")[0]) for r in rows] for name, rows in detail.items()}
        tp = {name: [round(float(p), 3) for p in np.percentile(xs, [0, 5, 50, 95, 100])] for name, xs in tm.items()}
        out["view"]["truth"] = tp
        print(" view, the blocks' mean ground truth (what a perfect model would give):")
        for name, pct in tp.items():
            print(f"   {name:7} {pct}")
        print(f"   gap {tp['honest'][1] - max(tp['junk'][3], tp['random'][3]):+.3f}")
    if args.detail and "view" in means:
        for name, rows in detail.items():
            rows = sorted(rows, key=lambda r: r[0], reverse=name != "honest")[: args.detail]
            print(f" view: the {'lowest' if name == 'honest' else 'highest'} {name} blocks")
            for m, text in rows:
                print(f"   {m:.3f}  {text}")
    Path(args.out).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
