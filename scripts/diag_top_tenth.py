"""Who fills the top tenth: the model's against the truth's, by case, and how far the routine intruders'
numbers sit from their kind in robust spreads (session 42).

For each held-out window (``eval_unseen.family_windows``: committed history, 256 records) the records in
the model's top 10% and in the truth's, counted by the issue's cases. Routine records the model puts
there ("intruders") are then set beside all routine records: the share holding a number 4 or more MADs
from its kind's median in the window, and in the history (the featurizer's own z, ``SLOT_NAMES``). The
held-out families keep every routine number within 4 spreads of its field's 95% width, so a routine
record far in MADs is far only by the MAD's measure (a zero-inflated, few-valued, heavy-tailed or
per-entity field).

``--ablate`` asks whether the far number is what ranks them: each window is scored again with the z
inputs of every routine record's far slots (and its ``max_|z|`` context) set to 0; it reports how many
of the far routine intruders stay in the top tenth, and NDCG@10% before and after (an oracle: it reads
the truth's case labels, so it bounds a fix, it is not one)::

    python scripts/diag_top_tenth.py --families aqua,clinic,peloton --worlds 24
    python scripts/diag_top_tenth.py --families clinic --worlds 4 --model /tmp/ens.pt --json
    python scripts/diag_top_tenth.py --families aqua,peloton --worlds 8 --ablate

``--probe`` asks which input ranks them (session 43): for each context input in turn, and for the z
inputs of all slots together, the routine records in the model's top tenth get the window's routine
median of that input (0 for the z inputs); it counts, separately for intruders with a far number and
without, how many leave the top tenth. One input at a time, so inputs that stand in for each other
each count low: a ranking of single causes, not a decomposition::

    python scripts/diag_top_tenth.py --families aqua,clinic,peloton,fab --worlds 4 --probe
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_unseen import family_windows, load_methods, positions  # noqa: E402

from node.attention.data import Window  # noqa: E402
from node.attention.evaluate import table_case, window_metrics  # noqa: E402
from node.attention.features import CTX_NAMES, SLOT_NAMES, WindowFeatures  # noqa: E402

_ZW, _ZH, _HAS = SLOT_NAMES.index("z_window"), SLOT_NAMES.index("z_history"), SLOT_NAMES.index("has_history")
# The z inputs the ablation zeroes: window and history z, signed and absolute.
_Z_SLOTS = [SLOT_NAMES.index(n) for n in ("z_window", "|z_window|", "z_history", "|z_history|")]
_Z_UNIT = 4.0  # the featurizer writes z / 4 (explain.py reads it back the same way)
FAR = 4.0


def far_slots(f: WindowFeatures) -> tuple[torch.Tensor, torch.Tensor]:
    """[n, S] each: the filled slots whose number is FAR or more MADs from its kind's median in the
    window, and in the history (where the history holds enough of the field)."""
    filled = f.num_mask > 0.5
    window = (f.num[:, :, _ZW] * _Z_UNIT).abs().ge(FAR) & filled
    history = (f.num[:, :, _ZH] * _Z_UNIT).abs().ge(FAR) & filled & (f.num[:, :, _HAS] > 0.5)
    return window, history


def _case(w: Window, j: int) -> str | None:
    return table_case(w.cases[j], w.details[j] if w.details else "")


def zero_far_routine(w: Window) -> tuple[WindowFeatures, list[int]]:
    """The window's features with the z inputs (:data:`_Z_SLOTS`) of each routine record's far slots
    and its two ``max_|z|`` context inputs set to 0; and those records."""
    f = w.feats
    num, ctx = f.num.clone(), f.ctx.clone()
    far = far_slots(f)[0]
    ci = [CTX_NAMES.index("max_|z|_window"), CTX_NAMES.index("max_|z|_history")]
    touched = [j for j in range(len(w)) if _case(w, j) == "normal" and bool(far[j].any())]
    for j in touched:
        num[j, far[j].nonzero(), _Z_SLOTS] = 0.0  # [k, 1] far slots x the 4 z inputs
        ctx[j, ci] = 0.0
    return WindowFeatures(*[num if n == "num" else ctx if n == "ctx" else getattr(f, n)
                            for n in WindowFeatures.__slots__]), touched


def _replace(f: WindowFeatures, **tensors: torch.Tensor) -> WindowFeatures:
    return WindowFeatures(*[tensors.get(n, getattr(f, n)) for n in WindowFeatures.__slots__])


PROBE_Z = "slots: z inputs"


def probes(w: Window, intruders: list[int], routine: list[int]) -> list[tuple[str, WindowFeatures]]:
    """The window's features with one input moved for the ``intruders``: each context input set to the
    median of the ``routine`` records', then the z inputs (:data:`_Z_SLOTS`) of all their slots set to 0."""
    f = w.feats
    med = f.ctx[routine].median(dim=0).values
    out = []
    for i, name in enumerate(CTX_NAMES):
        ctx = f.ctx.clone()
        ctx[intruders, i] = med[i]
        out.append((f"ctx: {name}", _replace(f, ctx=ctx)))
    num = f.num.clone()
    for j in intruders:
        num[j, :, _Z_SLOTS] = 0.0
    out.append((PROBE_Z, _replace(f, num=num)))
    return out


def probe_report(family: str, worlds: int, model: Any) -> dict[str, Any]:
    def positions_of(feats: WindowFeatures) -> list[float]:
        with torch.inference_mode():
            return positions(model(feats).squeeze(0).tolist())

    counts = {"far": 0, "not_far": 0}
    leave: dict[str, Counter[str]] = {"far": Counter(), "not_far": Counter()}
    for w in family_windows(family, worlds, 3, 256):
        p0 = positions_of(w.feats)
        routine = [j for j in range(len(w)) if _case(w, j) == "normal"]
        intruders = [j for j in routine if p0[j] <= 0.1]
        if not intruders:
            continue
        far_w, far_h = (t.any(dim=1).tolist() for t in far_slots(w.feats))
        group = {j: "far" if far_w[j] or far_h[j] else "not_far" for j in intruders}
        for j in intruders:
            counts[group[j]] += 1
        for name, feats in probes(w, intruders, routine):
            p1 = positions_of(feats)
            for j in intruders:
                leave[group[j]][name] += p1[j] > 0.1
    return {"intruders": counts,
            "leave": {g: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for g, c in leave.items()}}


def ablate_report(family: str, worlds: int, model: Any) -> dict[str, Any]:
    def score(feats: WindowFeatures) -> list[float]:
        with torch.inference_mode():
            return model(feats).squeeze(0).tolist()  # type: ignore[no-any-return]

    intruders = kept = 0
    before, after = [], []
    for w in family_windows(family, worlds, 3, 256):
        s0 = score(w.feats)
        p0 = positions(s0)
        feats, touched = zero_far_routine(w)
        s1 = score(feats)
        p1 = positions(s1)
        top = [j for j in touched if p0[j] <= 0.1]
        intruders += len(top)
        kept += sum(p1[j] <= 0.1 for j in top)
        before.append(window_metrics(s0, w)["ndcg@10%"])
        after.append(window_metrics(s1, w)["ndcg@10%"])
    return {"far_routine_intruders": intruders, "still_in_top_tenth": kept,
            "ndcg_before": round(sum(before) / len(before), 4), "ndcg_after": round(sum(after) / len(after), 4)}


def family_report(family: str, worlds: int, method: Any) -> dict[str, Any]:
    windows = family_windows(family, worlds, 3, 256)
    model_top: Counter[str] = Counter()
    truth_top: Counter[str] = Counter()
    far: dict[str, list[tuple[bool, bool]]] = {"intruders": [], "routine": []}
    for i, w in enumerate(windows):
        pm = positions(method(w, i))
        pt = positions(w.target.tolist())
        far_w, far_h = (t.any(dim=1).tolist() for t in far_slots(w.feats))
        for j in range(len(w)):
            case = _case(w, j) or w.cases[j]
            if pm[j] <= 0.1:
                model_top[case] += 1
            if pt[j] <= 0.1:
                truth_top[case] += 1
            if case == "normal":
                fj = (far_w[j], far_h[j])
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
    ap.add_argument("--ablate", action="store_true", help="score again with the far routine z zeroed (see above)")
    ap.add_argument("--probe", action="store_true", help="which input ranks the routine intruders (see above)")
    args = ap.parse_args()
    if args.probe or args.ablate:
        from node.attention.scorer import default_checkpoint_path
        from node.attention.train import load_checkpoint

        model = load_checkpoint(Path(args.model or default_checkpoint_path()).read_bytes())[0].eval()
        run = probe_report if args.probe else ablate_report
        rep = {f: run(f, args.worlds, model) for f in args.families.split(",")}
        if args.json:
            print(json.dumps(rep, indent=1))
            return
        for fam, r in rep.items():
            if args.probe:
                print(f"{fam}: routine intruders with a far number {r['intruders']['far']}, "
                      f"without {r['intruders']['not_far']}")
                for g in ("far", "not_far"):
                    top = ", ".join(f"{k} {v}" for k, v in list(r["leave"][g].items())[:6])
                    print(f"  {g:7s} leave the top tenth when one input is typical: {top}")
            else:
                print(f"{fam}: far routine intruders {r['far_routine_intruders']}, still in the top tenth with "
                      f"their z zeroed {r['still_in_top_tenth']}; NDCG@10% {r['ndcg_before']:.4f} -> "
                      f"{r['ndcg_after']:.4f}")
        return
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
