"""One crafted record appended to an honest window: how much of the honest news does it push down?

Session 48 found that trial L's networks (960 randomized worlds) let one record that is both
anomalous and far later than the rest of the window cut the score of a wide record's hot reading
from 0.75 to 0.18 (tests/node/test_wide_records.py), where K's lost 0.12. This probe asks whether
that holds on the held-out families' own windows, for any two checkpoints side by side: per window,
the honest records are scored alone and then beside one appended record, and the script reports
the NDCG@10% of the honest records (by the family's truth) and the mean score of the truth's top
tenth, both ways. Crafted variants (each a copy of one of the window's own records):

* ``late+wild``: every number x20, time stamp two window spans after the last record;
* ``wild``: every number x20, one mean gap after the last record;
* ``late``: the numbers as they were, two window spans after the last record.

    python scripts/probe_late_outlier.py --models A.pt B.pt --families fleet,dc --worlds 6
"""

from __future__ import annotations

import argparse
import importlib
import math
import random
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from eval_unseen import FAMILIES  # noqa: E402

from protocol.record import Record  # noqa: E402


def honest_ndcg(scores: list[float], truth: list[float]) -> float:
    """NDCG@10% as ``attnshare model eval`` counts it (the top ceil(10%) of the records)."""
    from node.attention.evaluate import ndcg_at_k

    return ndcg_at_k(scores, truth, max(1, math.ceil(0.10 * len(scores))))


def scaled(v: Any, by: float) -> Any:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v
    return type(v)(v * by) if isinstance(v, int) else v * by


def crafted(records: list[Record], rng: random.Random, variant: str) -> Record:
    src = rng.choice(records)
    span = max(1, records[-1].ts_ms - records[0].ts_ms)
    gap = max(1, span // max(1, len(records) - 1))
    late = variant in ("late+wild", "late")
    ts = records[-1].ts_ms + (2 * span if late else gap)
    fields = {k: (scaled(v, 20.0) if variant != "late" else v) for k, v in src.fields.items()}
    return Record.create(src.kind, src.origin, ts, fields)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", required=True)
    ap.add_argument("--families", default="fleet,ledger,dc,clinic,observatory,tunnel")
    ap.add_argument("--worlds", type=int, default=6)
    ap.add_argument("--window", type=int, default=256)
    args = ap.parse_args()
    from node.attention.scorer import load_scorer

    scorers = {m: load_scorer(m) for m in args.models}
    variants = ("late+wild", "wild", "late")
    rows: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for family in args.families.split(","):
        module, name = FAMILIES[family]
        factory = getattr(importlib.import_module(module), name)
        for seed in range(1, args.worlds + 1):
            wl = factory(10_000 + seed)
            batch = wl.next_labeled(args.window, 1_700_000_000_000)
            batch = wl.next_labeled(args.window, batch[-1].record.ts_ms + 1000)
            recs = [lr.record for lr in batch]
            truth = [lr.importance for lr in batch]
            k = max(1, len(recs) // 10)
            top = sorted(range(len(recs)), key=lambda i: -truth[i])[:k]
            rng = random.Random(seed)
            extra = {v: crafted(recs, rng, v) for v in variants}
            for m, sc in scorers.items():
                base = sc.score(recs)
                rows.setdefault((m, "alone"), []).append((honest_ndcg(base, truth), statistics.mean(base[i] for i in top)))
                for v, c in extra.items():
                    s = sc.score([*recs, c])[: len(recs)]
                    rows.setdefault((m, v), []).append((honest_ndcg(s, truth), statistics.mean(s[i] for i in top)))
        print(f"  {family} done", file=sys.stderr)
    print(f"{len(rows[(args.models[0], 'alone')])} windows of {args.window}; honest NDCG@10% / mean score of the truth's top tenth")
    for m in args.models:
        cells = []
        for v in ("alone", *variants):
            xs = rows[(m, v)]
            cells.append(f"{v}: {statistics.mean(x[0] for x in xs):.3f} / {statistics.mean(x[1] for x in xs):.3f}")
        print(f"{m}\n    " + "\n    ".join(cells))


if __name__ == "__main__":
    main()
