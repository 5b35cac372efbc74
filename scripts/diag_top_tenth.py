"""Who fills the top tenth: the model's against the truth's, by case, and how far the routine intruders'
numbers sit from their kind in robust spreads (session 42).

For each held-out window (``eval_unseen.family_windows``: committed history, 256 records) the records in
the model's top 10% and in the truth's, counted by the issue's cases. Routine records the model puts
there ("intruders") are then set beside all routine records: the share holding a number 4 or more MADs
from its kind's median in the window, and in the history (the featurizer's own z, ``SLOT_NAMES``). The
held-out families keep every routine number within 4 spreads of its field's 95% width, so a routine
record far in MADs is far only by the MAD's measure (a zero-inflated, few-valued, heavy-tailed or
per-entity field)::

    python scripts/diag_top_tenth.py --families aqua,clinic,peloton --worlds 24
    python scripts/diag_top_tenth.py --families clinic --worlds 4 --model /tmp/ens.pt --json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_unseen import family_windows, load_methods, positions  # noqa: E402

from node.attention.data import Window  # noqa: E402
from node.attention.evaluate import table_case  # noqa: E402
from node.attention.features import SLOT_NAMES  # noqa: E402

_ZW, _ZH, _HAS = SLOT_NAMES.index("z_window"), SLOT_NAMES.index("z_history"), SLOT_NAMES.index("has_history")
_Z_UNIT = 4.0  # the featurizer writes z / 4 (explain.py reads it back the same way)
FAR = 4.0


def far_numbers(w: Window, j: int) -> tuple[bool, bool]:
    """Whether record ``j`` holds a number FAR or more MADs from its kind's median (window, history)."""
    f = w.feats
    mask = f.num_mask[j] > 0.5
    if not bool(mask.any()):
        return False, False
    zw = (f.num[j, :, _ZW] * _Z_UNIT).abs()[mask]
    has = f.num[j, :, _HAS][mask] > 0.5
    zh = (f.num[j, :, _ZH] * _Z_UNIT).abs()[mask][has]
    return bool((zw >= FAR).any()), bool(zh.numel() and (zh >= FAR).any())


def family_report(family: str, worlds: int, method: Any) -> dict[str, Any]:
    windows = family_windows(family, worlds, 3, 256)
    model_top: Counter[str] = Counter()
    truth_top: Counter[str] = Counter()
    far: dict[str, list[tuple[bool, bool]]] = {"intruders": [], "routine": []}
    for i, w in enumerate(windows):
        pm = positions(method(w, i))
        pt = positions(w.target.tolist())
        for j in range(len(w)):
            case = table_case(w.cases[j], w.details[j] if w.details else "") or w.cases[j]
            if pm[j] <= 0.1:
                model_top[case] += 1
            if pt[j] <= 0.1:
                truth_top[case] += 1
            if case == "normal":
                fj = far_numbers(w, j)
                far["routine"].append(fj)
                if pm[j] <= 0.1:
                    far["intruders"].append(fj)

    def shares(rows: list[tuple[bool, bool]]) -> dict[str, float]:
        n = max(1, len(rows))
        return {"n": len(rows), "far_in_window": round(sum(a for a, _ in rows) / n, 3),
                "far_in_history": round(sum(b for _, b in rows) / n, 3)}

    return {"windows": len(windows), "model_top_tenth": dict(model_top.most_common()),
            "truth_top_tenth": dict(truth_top.most_common()),
            "routine_intruders": shares(far["intruders"]), "all_routine": shares(far["routine"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", default="aqua,clinic,peloton")
    ap.add_argument("--worlds", type=int, default=24)
    ap.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    methods, cid, _ = load_methods(args.model, None, None)
    report = {"model": cid, "worlds": args.worlds,
              "families": {f: family_report(f, args.worlds, methods["model"]) for f in args.families.split(",")}}
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"model {cid}, {args.worlds} worlds x 3 windows of 256 per family")
    for fam, r in report["families"].items():
        print(f"== {fam}")
        print("  model's top tenth:", r["model_top_tenth"])
        print("  truth's top tenth:", r["truth_top_tenth"])
        for name in ("routine_intruders", "all_routine"):
            s = r[name]
            print(f"  {name:18s} n={s['n']:6d}  a number >= {FAR:.0f} MADs out: window {s['far_in_window']:.3f}, "
                  f"history {s['far_in_history']:.3f}")


if __name__ == "__main__":
    main()
