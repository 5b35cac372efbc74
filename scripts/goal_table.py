"""Issue 9's ranking goals on every held-out family, in one table: the model against each baseline.

Runs ``scripts/eval_unseen.py --json --no-wire`` once per family (``--jobs`` at a time, each a
process of its own), then prints per family the model's NDCG@10%, its margin over the heuristic
(``heuristic+``, the better of the two), over attention without the pair bias and over the MLP,
and the model's median rank of each case (0 = top); then each goal of issue 9 that these figures
decide, with the families that miss it::

    python scripts/goal_table.py --worlds 48 --jobs 2 --out /tmp/goals.json
    python scripts/goal_table.py --families dc,clinic --worlds 12     # a quick look
    python scripts/goal_table.py --from /tmp/goals.json               # print a saved run again

The goals: the model beats the heuristic by at least 0.05 and every other baseline; anomaly, rare
kind, priority and burst head have median rank under 0.10 (the top 10%); exact and near duplicates
and burst tails have median rank at least 0.5 (the bottom half). The own-family, wire and block-bar
goals are measured by ``attnshare model eval``, ``eval_unseen.py`` (without ``--no-wire``) and
``scripts/calibrate_block_importance.py``. About a minute of one core per family at 24 worlds.
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from eval_unseen import FAMILIES  # noqa: E402

#: every held-out family (eval_unseen's list without the randomized training family)
HELD_OUT = tuple(f for f in FAMILIES if f != "randomized")
TOP = ("anomaly", "rare kind", "priority", "burst head")
BOTTOM = ("exact dup", "near dup", "burst tail")
BASELINES = {"heuristic": "heuristic+", "no bias": "attention, no pair bias", "MLP": "mlp (no attention)"}


def run_family(family: str, worlds: int, model: str | None, out_dir: Path) -> dict[str, Any]:
    out = out_dir / f"{family}.json"
    cmd = [sys.executable, str(ROOT / "scripts" / "eval_unseen.py"), "--family", family, "--worlds", str(worlds),
           "--no-wire", "--json", "--out", str(out)]
    if model:
        cmd += ["--model", model]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{family}: eval_unseen failed (rc {proc.returncode}):\n{proc.stderr[-2000:]}")
    print(f"  {family} done", file=sys.stderr, flush=True)
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def summarize(reports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per family: NDCG, margins over each baseline, the model's case ranks; and each goal's verdict."""
    rows: dict[str, dict[str, Any]] = {}
    for fam, rep in reports.items():
        nd = rep["ndcg"]
        ranks = rep["case_median_rank"]["model"]
        rows[fam] = {
            "windows": rep["windows"],
            "model": nd["model"]["mean"],
            **{f"vs {k}": rep["vs_model"][v]["diff"] for k, v in BASELINES.items()},
            "worst other baseline": min(d["diff"] for d in rep["vs_model"].values()),
            "ranks": {c: ranks.get(c) for c in TOP + BOTTOM},
        }
    goals = {
        "model beats the heuristic by >= 0.05": [f for f, r in rows.items() if r["vs heuristic"] < 0.05],
        "model beats every other baseline": [f for f, r in rows.items() if r["worst other baseline"] <= 0.0],
        **{f"{c} in the top 10%": [f for f, r in rows.items() if r["ranks"][c] is not None and r["ranks"][c] >= 0.10]
           for c in TOP},
        **{f"{c} in the bottom half": [f for f, r in rows.items() if r["ranks"][c] is not None and r["ranks"][c] < 0.5]
           for c in BOTTOM},
    }
    pooled = {"model": statistics.mean(r["model"] for r in rows.values()),
              **{c: statistics.mean(r["ranks"][c] for r in rows.values() if r["ranks"][c] is not None)
                 for c in TOP + BOTTOM}}
    return {"families": rows, "missed": goals, "mean over families": pooled}


def render(summary: dict[str, Any]) -> str:
    cols = TOP + BOTTOM
    head = ["family", "windows", "model", *[f"vs {k}" for k in BASELINES], *cols]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for fam, r in summary["families"].items():
        cells = [fam, str(r["windows"]), f"{r['model']:.3f}", *[f"{r[f'vs {k}']:+.3f}" for k in BASELINES]]
        for c in cols:
            v = r["ranks"][c]
            miss = v is not None and ((c in TOP and v >= 0.10) or (c in BOTTOM and v < 0.5))
            cells.append("-" if v is None else (f"**{v:.3f}**" if miss else f"{v:.3f}"))
        lines.append("| " + " | ".join(cells) + " |")
    pooled = summary["mean over families"]
    lines.append("| mean | | " + f"{pooled['model']:.3f} | | | | " + " | ".join(f"{pooled[c]:.3f}" for c in cols) + " |")
    lines.append("")
    for goal, missed in summary["missed"].items():
        lines.append(f"- {goal}: " + ("met on every family" if not missed else
                                      f"missed on {len(missed)} of {len(summary['families'])}: {', '.join(missed)}"))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", default=",".join(HELD_OUT), help="comma-separated (default: all held-out)")
    ap.add_argument("--worlds", type=int, default=24)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--model", help="checkpoint (default: the shipped one)")
    ap.add_argument("--out", help="write the per-family reports and the summary as JSON here")
    ap.add_argument("--from", dest="saved", help="print the summary of a saved --out file instead of running")
    args = ap.parse_args()
    if args.saved:
        reports = json.loads(Path(args.saved).read_text())["reports"]
    else:
        fams = [f.strip() for f in args.families.split(",") if f.strip()]
        unknown = [f for f in fams if f not in HELD_OUT]
        if unknown:
            ap.error(f"unknown families {unknown} (known: {', '.join(HELD_OUT)})")
        if args.worlds < 1 or args.jobs < 1:
            ap.error("--worlds and --jobs must be >= 1")
        print(f"{len(fams)} families x {args.worlds} worlds, {args.jobs} at a time", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=args.jobs) as pool:
            done = pool.map(lambda f: (f, run_family(f, args.worlds, args.model, Path(tmp))), fams)
            reports = dict(done)
    summary = summarize(reports)
    print(render(summary))
    if args.out:
        Path(args.out).write_text(json.dumps({"reports": reports, "summary": summary}, indent=1))


if __name__ == "__main__":
    main()
