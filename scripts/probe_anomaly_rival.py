"""Does one extreme record of the same kind push a real anomaly down? On held-out families' own windows.

Session 50 found that trial M's networks fail ``tests/node/test_wide_records.py``: one record of the wide
record's kind, 136 s late with eight numbers at 99, cut the hot reading from 0.66 to 0.23 and from 1st to
20th of 64 (K's: 0.76 -> 0.64, 2nd). ``scripts/probe_wide_record.py`` varies that one window; this probe asks
whether it holds on windows of the held-out families. Per window and per record the family labels an
anomaly, one rival is appended: a routine record of the anomaly's kind, every number x20, time-stamped

* ``late``: two window spans after the last record;
* ``on time``: one mean gap after it;
* ``just before``: half a mean gap before the anomaly (session 51: time-causal attention, trial P, stops the
  records after an anomaly from moving it, and leaves the records before it);
* ``made-up late``: two window spans late, with none of the routine record's fields, only two the kind
  never had, at 9,999 (session 52: in ``test_wide_records.py``'s window of 64 records of one kind, such a
  record drops every score of trial O2's seed-0 network to 0.01-0.05, where K's barely move).

The anomaly's rank among the window's honest records (0 = top, 1 = bottom) is measured alone and beside each
rival. Reported per checkpoint: the median rank, the share of anomalies in the top tenth, and the median
drop of the anomaly's score. Every checkpoint scores the same windows and rivals (the draws depend on the
family and the seed only), so checkpoints of two features revisions can be run in two trees and compared.

    python scripts/probe_anomaly_rival.py --models node/attention/model.pt --families fleet,dc --worlds 6
"""

from __future__ import annotations

import argparse
import importlib
import json
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

RIVALS = ("late", "on time", "just before", "made-up late")
MADE_UP = {"q0_made_up": 9_999.0, "q1_made_up": 9_999.0}


def wild(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return v
    return v * 20 if isinstance(v, int) else v * 20.0


def rival(records: list[Record], routine: Record, how: str, anomaly: Record | None = None) -> Record:
    span = max(1, records[-1].ts_ms - records[0].ts_ms)
    gap = max(1, span // max(1, len(records) - 1))
    if how == "just before":
        assert anomaly is not None
        ts = max(0, anomaly.ts_ms - max(1, gap // 2))
    else:
        ts = records[-1].ts_ms + (gap if how == "on time" else 2 * span)
    if how == "made-up late":
        return Record.create(routine.kind, routine.origin, ts, dict(MADE_UP))
    return Record.create(routine.kind, routine.origin, ts, {k: wild(v) for k, v in routine.fields.items()})


def rank_of(scores: list[float], i: int) -> float:
    above = sum(1 for j, s in enumerate(scores) if s > scores[i] or (s == scores[i] and j < i))
    return above / max(1, len(scores) - 1)


def probe(model: str, families: list[str], worlds: int, window: int,
          rivals: tuple[str, ...] = RIVALS, first_world: int = 1) -> dict[str, Any]:
    from node.attention.evaluate import table_case
    from node.attention.scorer import load_scorer

    sc = load_scorer(model)
    rows: dict[str, list[tuple[float, float, float]]] = {h: [] for h in ("alone", *rivals)}
    for family in families:
        module, name = FAMILIES[family]
        factory = getattr(importlib.import_module(module), name)
        for seed in range(first_world, first_world + worlds):
            wl = factory(20_000 + seed)
            batch = wl.next_labeled(window, 1_700_000_000_000)
            batch = wl.next_labeled(window, batch[-1].record.ts_ms + 1000)
            recs = [lr.record for lr in batch]
            rng = random.Random(f"{family}/{seed}")
            base = sc.score(recs)
            cases = [table_case(lr.case, lr.detail) for lr in batch]
            for i, lr in enumerate(batch):
                if cases[i] != "anomaly":
                    continue
                routine = [r for r, c in zip(recs, cases, strict=True) if c == "normal" and r.kind == lr.record.kind]
                if not routine:
                    continue
                src = rng.choice(routine)
                rows["alone"].append((rank_of(base, i), base[i], statistics.median(base)))
                for how in rivals:
                    s = sc.score([*recs, rival(recs, src, how, lr.record)])[: len(recs)]
                    rows[how].append((rank_of(s, i), s[i], statistics.median(s)))
        print(f"  {model}: {family} done", file=sys.stderr)
    alone = rows["alone"]
    out: dict[str, Any] = {"model": model, "model_id": sc.model_id, "anomalies": len(alone), "rivals": {}}
    for how, xs in rows.items():
        out["rivals"][how] = {
            "median_rank": round(statistics.median(x[0] for x in xs), 4) if xs else None,
            "top_tenth": round(sum(x[0] < 0.1 for x in xs) / len(xs), 4) if xs else None,
            "median_score_drop": (round(statistics.median(a[1] - b[1] for a, b in zip(alone, xs, strict=True)), 4)
                                  if xs else None),
            # the window's median honest score, its drop: a rival that moves every score, not only the anomaly's
            "median_window_drop": (round(statistics.median(a[2] - b[2] for a, b in zip(alone, xs, strict=True)), 4)
                                   if xs else None),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", required=True)
    ap.add_argument("--families", default="fleet,ledger,dc,clinic,observatory,tunnel,museum,evcharge")
    ap.add_argument("--worlds", type=int, default=6)
    ap.add_argument("--first-world", type=int, default=1,
                    help="worlds FIRST..FIRST+WORLDS-1 (session 52: a rule measured on worlds no run had scored)")
    ap.add_argument("--window", type=int, default=256)
    ap.add_argument("--rivals", default=",".join(RIVALS), help=f"comma-separated, of {', '.join(RIVALS)}")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    fams = args.families.split(",")
    rivals = tuple(args.rivals.split(","))
    if not rivals or any(r not in RIVALS for r in rivals):
        ap.error(f"--rivals: comma-separated, of {', '.join(RIVALS)}")
    unknown = [f for f in fams if f not in FAMILIES]
    if unknown:
        ap.error(f"unknown families: {', '.join(unknown)}")
    if args.worlds < 1 or args.first_world < 1:
        ap.error("--worlds and --first-world must be at least 1")
    reports = [probe(m, fams, args.worlds, args.window, rivals, args.first_world) for m in args.models]
    if args.json:
        print(json.dumps(reports, indent=1))
        return
    for rep in reports:
        print(f"{rep['model']} ({rep['model_id']}): {rep['anomalies']} anomalies")
        if not rep["anomalies"]:
            continue
        for how, r in rep["rivals"].items():
            print(f"  {how:12} median rank {r['median_rank']:.3f}  in the top tenth {r['top_tenth']:.1%}  "
                  f"median score drop {r['median_score_drop']:+.3f}  window's median drop {r['median_window_drop']:+.3f}")


if __name__ == "__main__":
    main()
