"""The hot reading of ``tests/node/test_wide_records.py``'s window beside one crafted record, per checkpoint
and per ranking network: its score and rank among the 64 honest records, alone and beside variants of the
test's crafted record.

Session 50 found that trial M's networks (960 randomized worlds, features revision 10) fail that test: the
late, extreme, same-kind record cuts the hot reading from 0.66 to 0.23 and to 19th of 64 (K: 0.76 -> 0.64,
2nd). Revision 10 leaves the hot record's own features as they were (its gaps no longer move), so the
damage comes through the other records; the variants say which property of the crafted record does it.

    python scripts/probe_wide_record.py node/attention/model.pt other.pt [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from protocol.record import Record  # noqa: E402
from tests.node.test_wide_records import P, _rank, _stream  # noqa: E402

HOT = 30  # the test's hot record: 400 in its tenth number, where the kind holds 10-17


def dressed(honest: list[Record]) -> list[Record]:
    """The test's records with an entity string (20 racks) and a category (1 in 7 "manual") added: the
    window as a real schema would write it (session 51: K's hot reading falls to 10th beside the test's
    late record in it, where it keeps 2nd in the bare window)."""
    import random

    rng = random.Random(5)
    ents = [f"{rng.getrandbits(32):x}" for _ in range(20)]
    return [Record.create(r.kind, r.origin, r.ts_ms, {**r.fields, "rack_id": ents[i % 20],
                                                      "mode": "manual" if i % 7 == 0 else "auto"})
            for i, r in enumerate(honest)]


def variants(honest: list[Record]) -> dict[str, list[Record]]:
    """The crafted records of each row. The first five are session 50's; the last three (session 51)
    are shapes trial O's stragglers (``node.attention.data.straggler_records``: 10-300 mean gaps late,
    one or two per window, the kind's own fields) never take or take rarely: far later, five at once, the
    noisy fields far out, fields the kind never had; and one dated just before the hot reading, the shape
    trial P's time-causal attention cannot stop (a record attends to the records before it)."""
    extreme = {f"a{j}_cal": 99.0 for j in range(8)}
    readings = {f"z{j}_reading": 5_000.0 for j in range(4)}
    return {
        "alone": [],
        "as the test (136 s late, 8 x 99)": [Record.create("rack", P, 200_000, extreme)],
        "on time, 8 x 99": [Record.create("rack", P, honest[-1].ts_ms + 500, extreme)],
        "136 s late, a routine record's fields": [Record.create("rack", P, 200_000, dict(honest[5].fields))],
        "on time, another kind, 8 x 99": [Record.create("pdu", P, honest[-1].ts_ms + 500, extreme)],
        "10,000 s late, 8 x 99": [Record.create("rack", P, 10_064_000, extreme)],
        "five, 136-140 s late, 8 x 99-103": [Record.create("rack", P, 200_000 + 1_000 * i,
                                                         {k: v + i for k, v in extreme.items()}) for i in range(5)],
        "136 s late, the four readings x 100": [Record.create("rack", P, 200_000, readings)],
        "136 s late, two made-up fields at 9,999": [Record.create("rack", P, 200_000, {"q0": 9_999.0, "q1": 9_999.0})],
        "dated 0.5 s before the hot reading, 8 x 99": [Record.create("rack", P, 30_500, extreme)],
    }


def probe(path: str) -> dict[str, Any]:
    from node.attention.model import networks
    from node.attention.scorer import load_scorer

    scorer = load_scorer(path, device="cpu")
    nets = networks(scorer.model)
    honest = _stream()
    worn = dressed(honest)
    worn_extreme = {**{k: v for k, v in worn[5].fields.items() if isinstance(v, str)},
                    **{f"a{j}_cal": 99.0 for j in range(8)}}
    windows = [("", honest, variants(honest)),
               ("dressed: ", worn, {"alone": [], "as the test (136 s late, 8 x 99)": [
                   Record.create("rack", P, 200_000, worn_extreme)]})]
    out: dict[str, Any] = {"model": path, "model_id": scorer.model_id, "networks": {}}
    for label, net in [("ensemble", scorer.model)] + [(f"member {i}", n) for i, n in enumerate(nets) if len(nets) > 1]:
        out["networks"][label] = {prefix + name: _row(net, base, extra)
                                  for prefix, base, shapes in windows for name, extra in shapes.items()}
    return out


def _row(net: Any, honest: list[Record], extra: list[Record]) -> dict[str, Any]:
    """The hot reading's score and rank among ``honest`` with ``extra`` appended, the median honest score
    (session 52: a crafted record can move every score of a window, not only the hot reading's), and the
    best crafted score."""
    import statistics

    import torch

    from node.attention.features import assemble_window, featurize_record

    w = assemble_window([featurize_record(r) for r in [*honest, *extra]])
    with torch.inference_mode():
        s = net(w).squeeze(0).sigmoid().tolist()
    return {"hot": round(s[HOT], 3), "rank": _rank(s[:len(honest)], HOT), "median": round(statistics.median(s[:len(honest)]), 3),
            "crafted": round(max(s[len(honest):]), 3) if extra else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+", help="checkpoints (each must load under this tree's features revision)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    reports = [probe(m) for m in args.models]
    if args.json:
        print(json.dumps(reports, indent=1))
        return
    for rep in reports:
        print(f"{rep['model']} ({rep['model_id']})")
        for label, rows in rep["networks"].items():
            print(f"  {label}")
            for name, r in rows.items():
                crafted = f"  crafted {r['crafted']:.2f}" if r["crafted"] is not None else ""
                print(f"    {name:51} hot {r['hot']:.2f}  rank {r['rank']:2d}  median {r['median']:.2f}{crafted}")


if __name__ == "__main__":
    main()
