"""Priming field names (review 26, B1): what junk padded with names a liar got committed first earns.

    python scripts/eval_priming.py --worlds 6 --json --out /tmp/priming.json
    python scripts/eval_priming.py --model /tmp/arm/model.pt --families fleet,dc

A liar spends a block's novelty budget (two novel records) on *priming*:
records of its kinds carrying made-up field names, committed once (or a few
times) each. Once a name is in the view's History it is no longer novel, so
junk padded with it is not counted by the novelty budget, and a judge that
reads a field its kind rarely holds as news lifts the block. Each world of
each held-out family is played as one proposer's chain (``eval_unseen``'s
``_Chain``: the view, copies of the view at 0, the novelty budget, the judge)
and after the warm-up the proposer commits, beside its honest block, ``times``
priming records per kind of the window's kept records, carrying 8 numeric and
4 label names. Then, over ``--windows`` windows, validators' block scores of:

- ``honest``: the window's best tenth (what commits); ``honest padded``: the
  same records carrying 4 primed numeric names (an honest proposer with a new
  optional field must not pay for it);
- ``junk``: the worst tenth plain, and padded with 1, 2, 4 or 8 primed numeric
  names, 4 primed label names, or 4 names never committed (control: each
  such record is novel, so the budget counts two);
- ``priming``: the block that commits the priming records (honest + primers);
- ``junk primed x4 narrow / shifted / wider / log-normal``: the worst tenth
  padded with 4 primed names whose values are drawn unlike the primers'
  U[0, 1000) (review 28, row 3; run with ``--times 32,128``);
- ``copies``: the honest block just committed, sent again: plain, padded with
  4 primed names, and padded with its first label re-typed too (review 28,
  row 2). Copies of committed news are worth nothing; the copy rule
  (``History.has_replay``) must find them.

The evaluation's names (``aux_NN``, ``metric_NN``, ``zz<hex>``: one scheme per
world) are of no scheme the judge's training blocks use
(``node.attention.data._made_up_name``). Prints pass rates at the genesis bar
and medians, per family and over all.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_unseen as E  # noqa: E402

from protocol.record import Record  # noqa: E402

DEFAULT_FAMILIES = ("airspace,fleet,ledger,hydro,rail,clinic,port,mine,farm,dc,aqua,grid,orbit,fab,ski,"
                    "venue,ran,lift,civic,volcano")
CONDITIONS = ("honest", "honest padded", "junk", "junk primed x1", "junk primed x2", "junk primed x4",
              "junk primed x8", "junk primed labels x4", "junk fresh x4 (control)", "priming",
              "junk primed x4 narrow", "junk primed x4 shifted", "junk primed x4 wider", "junk primed x4 log-normal",
              "copies", "copies primed x4", "copies primed x4 retyped")
# Padding drawn apart from the primers' U[0, 1000) (review 28, row 3: after 32-128 primers per kind the
# view holds the names' distribution, and padding unlike it reads as the field's anomaly).
APART: dict[str, Any] = {
    "narrow": lambda r: round(r.random() * 10, 2),
    "shifted": lambda r: round(10_000 + r.random() * 1_000, 2),
    "wider": lambda r: round(r.random() * 100_000, 2),
    "log-normal": lambda r: round(math.exp(r.gauss(4.0, 2.0)), 2),
}
_VOCAB = ("ulmo", "fexa", "tirb", "quon", "vasp", "okri")


def _names(scheme: int, prefix: str, n: int) -> list[str]:
    if scheme == 0:
        return [f"{prefix}aux_{i:02d}" for i in range(n)]
    if scheme == 1:
        return [f"{prefix}metric_{i}" for i in range(n)]
    return [f"{prefix}zz{(0x3a7 * (i + 1)) & 0xfff:03x}" for i in range(n)]


def _pad(r: Record, nums: list[str], labels: list[str], rng: random.Random, values: Any = None) -> Record:
    fields = dict(r.fields)
    for name in nums:
        fields.setdefault(name, round(rng.random() * 1000, 2) if values is None else values(rng))
    for name in labels:
        fields.setdefault(name, rng.choice(_VOCAB))
    return Record.create(r.kind, r.origin, r.ts_ms, fields)


def _retype(r: Record) -> Record:
    """``r`` with its first label re-typed (``"S-12"`` as ``"S-12-3af"``); a label that claims priority
    is left as it is (a claim changed is news)."""
    from node.attention.features import priority_claim

    fields = dict(r.fields)
    for name, value in fields.items():
        if type(value) is str and not priority_claim(name, value):
            fields[name] = value + "-3af"
            break
    return Record.create(r.kind, r.origin, r.ts_ms, fields)


def run_world(scorer: Any, family: str, seed: int, times: int, windows: int, bar: float) -> dict[str, list[float]]:
    from protocol.admission import NOVELTY_MIN_VIEW

    rng = random.Random(f"eval-priming/{family}/{seed}/{times}")
    arng = random.Random(f"eval-priming-apart/{family}/{seed}/{times}")  # the other conditions' draws as before
    wl = E._factory(family)(seed)
    chain = E._Chain(scorer, 4)
    scheme = seed % 3
    nums, labels, fresh = _names(scheme, "", 8), _names(scheme, "l", 4), _names(scheme, "new", 4)
    out: dict[str, list[float]] = {c: [] for c in CONDITIONS}
    now = 1_700_000_000_000
    step = measured = 0
    primed = False
    while measured < windows:
        warming = step < 2 or len(chain.view) < NOVELTY_MIN_VIEW
        step += 1
        n = rng.choice((64, 128, 256, 512)) if not warming else 256
        batch = wl.next_labeled(n, now)
        now = batch[-1].record.ts_ms + 60_000
        recs = [lr.record for lr in batch]
        k = max(2, round(0.1 * n))
        window, _ = chain.scores(recs, ranking=True)
        ranked = sorted(range(n), key=lambda i: (-window[i], i))
        honest = [recs[i] for i in sorted(ranked[:k])]
        if warming:
            chain.commit(honest)
            continue
        if not primed:  # the liar's priming block: its honest block and `times` primers per kind
            kinds = sorted({r.kind for r in recs})
            primers = []
            for j, kind in enumerate(kinds):
                pool = [r for r in recs if r.kind == kind]
                for t in range(times):
                    base = rng.choice(pool)
                    p = _pad(base, nums, labels, rng)
                    primers.append(Record.create(kind, base.origin, base.ts_ms + 1 + j * times + t, p.fields))
            out["priming"].append(chain.block_score(honest + primers)[0])
            chain.commit(honest + primers)
            primed = True
            continue
        measured += 1
        out["honest"].append(chain.block_score(honest)[0])
        out["honest padded"].append(chain.block_score([_pad(r, nums[:4], [], rng) for r in honest])[0])
        chain.commit(honest)
        junk = [recs[i] for i in sorted(ranked[-k:])]
        out["junk"].append(chain.block_score(junk)[0])
        for m in (1, 2, 4, 8):
            out[f"junk primed x{m}"].append(chain.block_score([_pad(r, nums[:m], [], rng) for r in junk])[0])
        out["junk primed labels x4"].append(chain.block_score([_pad(r, [], labels, rng) for r in junk])[0])
        out["junk fresh x4 (control)"].append(chain.block_score([_pad(r, fresh, [], rng) for r in junk])[0])
        # The honest block just committed, sent again (review 28, row 2): plain, padded with 4 primed
        # names, and padded with a label re-typed too. Copies of committed news are worth nothing.
        out["copies"].append(chain.block_score(honest)[0])
        out["copies primed x4"].append(chain.block_score([_pad(r, nums[:4], [], arng) for r in honest])[0])
        out["copies primed x4 retyped"].append(
            chain.block_score([_retype(_pad(r, nums[:4], [], arng)) for r in honest])[0])
        for how, values in APART.items():
            out[f"junk primed x4 {how}"].append(chain.block_score([_pad(r, nums[:4], [], arng, values) for r in junk])[0])
    return out


def summarize(scores: dict[str, list[float]], bar: float) -> dict[str, dict[str, float]]:
    return {c: {"pass": round(float(np.mean([x >= bar for x in xs])), 3), "median": round(float(np.median(xs)), 3),
                "n": len(xs)} for c, xs in scores.items() if xs}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    ap.add_argument("--families", default=DEFAULT_FAMILIES)
    ap.add_argument("--worlds", type=int, default=4, help="worlds per family")
    ap.add_argument("--first-seed", type=int, default=900_000)
    ap.add_argument("--windows", type=int, default=3, help="measured windows per world")
    ap.add_argument("--times", default="1,4", help="priming records per kind, one chain each")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()

    import torch

    from node.attention.scorer import load_scorer

    torch.set_num_threads(1)
    scorer = load_scorer(args.model, device="cpu")
    bar = E._bar()
    families = [f for f in args.families.split(",") if f]
    times_list = [int(t) for t in args.times.split(",")]
    report: dict[str, Any] = {"model": scorer.model_id, "bar": bar, "worlds": args.worlds, "families": {}}
    pooled: dict[int, dict[str, list[float]]] = {t: {c: [] for c in CONDITIONS} for t in times_list}
    t0 = time.perf_counter()
    for fam in families:
        report["families"][fam] = {}
        for times in times_list:
            acc: dict[str, list[float]] = {c: [] for c in CONDITIONS}
            for seed in range(args.first_seed, args.first_seed + args.worlds):
                for c, xs in run_world(scorer, fam, seed, times, args.windows, bar).items():
                    acc[c] += xs
                    pooled[times][c] += xs
            report["families"][fam][str(times)] = summarize(acc, bar)
        line = {t: {c: v["pass"] for c, v in report["families"][fam][str(t)].items()} for t in times_list}
        print(f"{fam} ({time.perf_counter() - t0:.0f} s): {json.dumps(line)}", file=sys.stderr, flush=True)
        if args.out:
            Path(args.out).write_text(json.dumps(report, indent=1))
    report["all"] = {str(t): summarize(pooled[t], bar) for t in times_list}
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"model {report['model']}, bar {bar}, {len(families)} families x {args.worlds} worlds")
        for t in times_list:
            print(f"primed {t}x per kind:")
            for c, v in report["all"][str(t)].items():
                print(f"  {c:28s} pass {v['pass']:6.1%}  median {v['median']:.3f}  (n={v['n']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
