"""The model on the same stream written differently: numbers as text with units, or every value as text.

Users feed their own schemas, and the same measurement arrives as ``38.5``, ``"38.5 °C"`` or
``"1,234.5 kg"`` (a CSV export writes every value as text). Importance does not depend on how a
number is spelled, so neither should the ranking. This script rewrites a family's records in one
of these encodings (:mod:`node.workload.encodings`; the labels, cases and order stay the same) and
scores each version with the eval's own methods (``evaluate.stream_report``), side by side:

* ``plain``: the family as written;
* ``units``: every number outside -8..8 as text, in one style per (kind, field): ``"38.50 kg"``,
  ``"1,234.5°C"``, ``"38.500"`` or ``"~38.5 kWh"`` (units drawn from a fixed list);
* ``half``: ``units`` on about half of the (kind, field)s, plain numbers on the rest;
* ``csv``: every value as text (``str(x)``; booleans ``"true"``/``"false"``): bare integers
  then read as ids (node/attention/quantity.py says why), decimals as numbers;
* ``wide``: eight steady calibration numbers added to every record (``a0_cal``..``a7_cal``, the
  value for a kind and origin, 0.3% apart between them: a copy stays a copy), named to sort
  before the family's own fields;
* ``x1000``, ``x0.001``: every measured number (floats, integers outside -8..8) in a unit a
  thousand times smaller or larger (grams for kilograms, kilowatts for watts).

Prints NDCG@10% and the per-case median ranks of each method under each encoding, and the change
from ``plain`` (``--json``: one object).

Usage: python scripts/eval_encodings.py [--family fleet,port] [--modes plain,units,half,csv]
       [--worlds 12] [--per-world 3] [--model PATH] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_unseen import FAMILIES, _factory, load_methods  # noqa: E402

from node.attention.data import TEST_SEEDS, make_windows  # noqa: E402
from node.attention.evaluate import TABLE_CASES, stream_report  # noqa: E402
from node.workload.encodings import MODES, Encoded  # noqa: E402


def run(family: str, modes: list[str], worlds: int, per_world: int, model: str | None,
        progress: Callable[[str], None]) -> dict[str, Any]:
    methods, _, _ = load_methods(model, None, None)
    methods = {k: v for k, v in methods.items() if k in ("model", "heuristic")}
    make = _factory(family)
    out: dict[str, Any] = {}
    for mode in modes:
        t0 = time.monotonic()
        windows = make_windows(TEST_SEEDS[:worlds], per_world, (256,), shuffle_seed=3, family=family,
                               factory=lambda seed, m=mode: Encoded(make(seed), m), history="committed",
                               warmup=(2,))
        rep = stream_report(windows, methods)
        out[mode] = {name: {"ndcg@10%": round(rep["methods"][name]["ndcg@10%"], 4),
                            "ranks": rep["case_median_rank"][name]} for name in methods}
        progress(f"{family} {mode}: {len(windows)} windows in {time.monotonic() - t0:.0f} s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--family", default="fleet,port", help=f"comma-separated ({', '.join(FAMILIES)})")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--worlds", type=int, default=12)
    ap.add_argument("--per-world", type=int, default=3)
    ap.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    bad = [m for m in modes if m not in MODES]
    if bad:
        raise SystemExit(f"unknown mode {bad[0]!r} ({', '.join(MODES)})")
    if "plain" not in modes:
        modes.insert(0, "plain")
    report: dict[str, Any] = {}
    for fam in [f for f in args.family.split(",") if f]:
        report[fam] = run(fam, modes, args.worlds, args.per_world, args.model,
                          lambda s: print(s, file=sys.stderr, flush=True))
    if args.json:
        print(json.dumps(report, indent=1))
        return
    for fam, by_mode in report.items():
        print(f"\n{fam} ({args.worlds} worlds x {args.per_world} windows of 256)")
        cases = [c for c in TABLE_CASES if c != "normal"]
        print(f"{'encoding':8} {'method':10} {'NDCG@10%':>9} {'vs plain':>9}  " + " ".join(f"{c[:10]:>10}" for c in cases))
        for mode, by_method in by_mode.items():
            for name, r in by_method.items():
                base = by_mode["plain"][name]["ndcg@10%"]
                print(f"{mode:8} {name:10} {r['ndcg@10%']:9.3f} {r['ndcg@10%'] - base:+9.3f}  "
                      + " ".join(f"{r['ranks'][c]:10.3f}" for c in cases))


if __name__ == "__main__":
    main()
