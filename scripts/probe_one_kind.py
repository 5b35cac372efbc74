"""Held-out windows cut to one kind: how a network scores a stream of a single schema, and whether one
record of that kind, late and carrying only fields the kind never had, moves every score.

Session 52 found that, in ``tests/node/test_wide_records.py``'s window (64 records of one kind, eight steady
fields), such a record drops every score of trial O2's seed-0 network to 0.01-0.05, the hot reading's from
0.91 to 0.05 (it stays 1st); K's scores barely move. That window is odd: its routine records score 0.70
alone under O2 (K: 0.36). This probe asks the same question on the held-out families' own records: per
family and world, a window of ``--window`` records is drawn, and each of its two most common kinds (at
least 24 records) becomes a window of its own (up to 128 records, in time order). Per window it scores

* the records alone;
* beside one record of the kind, from the last record's origin, two window spans after it, whose only
  fields are two the kind never had, at 9,999.

Reported per checkpoint: the median, over windows, of the median score of the routine records (cases
"normal") and of the anomalies, alone and beside the record, and the worst window's drop of the routine
median. Every checkpoint scores the same windows, so checkpoints of two features revisions can be run in
two trees and compared.

    python scripts/probe_one_kind.py --models node/attention/model.pt [--families fleet,dc] [--worlds 4] [--json]
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_unseen import FAMILIES  # noqa: E402
from probe_anomaly_rival import MADE_UP  # noqa: E402  (the "made-up late" rival's fields)

from protocol.record import Record  # noqa: E402

MIN_KIND = 24
MAX_RECORDS = 128


def one_kind_windows(family: str, worlds: int, window: int,
                     first_world: int = 1) -> list[tuple[list[Record], list[str]]]:
    """(records, table cases) of each one-kind window of ``family``'s worlds ``first_world`` to
    ``first_world + worlds - 1``."""
    from node.attention.evaluate import table_case

    module, name = FAMILIES[family]
    factory = getattr(importlib.import_module(module), name)
    out = []
    for seed in range(first_world, first_world + worlds):
        batch = factory(20_000 + seed).next_labeled(window, 1_700_000_000_000)
        counts: dict[str, int] = {}
        for lr in batch:
            counts[lr.record.kind] = counts.get(lr.record.kind, 0) + 1
        for kind, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:2]:
            if count < MIN_KIND:
                continue
            sub = [lr for lr in batch if lr.record.kind == kind][:MAX_RECORDS]
            out.append(([lr.record for lr in sub], [table_case(lr.case, lr.detail) for lr in sub]))
    return out


def made_up_late(records: list[Record]) -> Record:
    span = max(1, records[-1].ts_ms - records[0].ts_ms)
    return Record.create(records[-1].kind, records[-1].origin, records[-1].ts_ms + 2 * span, dict(MADE_UP))


def probe(model: str, families: list[str], worlds: int, window: int, first_world: int = 1) -> dict[str, Any]:
    from node.attention.scorer import load_scorer

    sc = load_scorer(model)
    normal: list[tuple[float, float]] = []
    anomaly: list[tuple[float, float]] = []
    for family in families:
        for recs, cases in one_kind_windows(family, worlds, window, first_world):
            alone = sc.score(recs)
            beside = sc.score([*recs, made_up_late(recs)])[: len(recs)]
            for case, acc in (("normal", normal), ("anomaly", anomaly)):
                idx = [i for i, c in enumerate(cases) if c == case]
                if idx:
                    acc.append((statistics.median(alone[i] for i in idx), statistics.median(beside[i] for i in idx)))
        print(f"  {model}: {family} done", file=sys.stderr)

    def summary(xs: list[tuple[float, float]]) -> dict[str, Any]:
        if not xs:
            return {"windows": 0}
        return {"windows": len(xs), "alone": round(statistics.median(a for a, _ in xs), 4),
                "beside": round(statistics.median(b for _, b in xs), 4),
                "worst_drop": round(max(a - b for a, b in xs), 4)}

    return {"model": model, "model_id": sc.model_id, "normal": summary(normal), "anomaly": summary(anomaly)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", required=True)
    ap.add_argument("--families", default="fleet,ledger,dc,clinic,observatory,tunnel,museum,evcharge")
    ap.add_argument("--worlds", type=int, default=4)
    ap.add_argument("--first-world", type=int, default=1, help="worlds FIRST..FIRST+WORLDS-1")
    ap.add_argument("--window", type=int, default=512, help="records drawn per world before the cut")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    fams = args.families.split(",")
    unknown = [f for f in fams if f not in FAMILIES]
    if unknown:
        ap.error(f"unknown families: {', '.join(unknown)}")
    if args.worlds < 1 or args.first_world < 1 or args.window < MIN_KIND:
        ap.error(f"--worlds and --first-world must be at least 1, and --window at least {MIN_KIND}")
    reports = [probe(m, fams, args.worlds, args.window, args.first_world) for m in args.models]
    if args.json:
        print(json.dumps(reports, indent=1))
        return
    for rep in reports:
        print(f"{rep['model']} ({rep['model_id']})")
        for case in ("normal", "anomaly"):
            r = rep[case]
            if not r["windows"]:
                print(f"  {case:8} no window")
                continue
            print(f"  {case:8} median score alone {r['alone']:.3f}, beside the made-up late record {r['beside']:.3f}; "
                  f"worst window's drop {r['worst_drop']:+.3f} ({r['windows']} windows)")


if __name__ == "__main__":
    main()
