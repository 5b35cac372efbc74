"""Do validators on other hardware score a block alike? The shipped checkpoint's scores on CUDA (and on
another machine's CPU kernels) against this machine's CPU scores, on the same window tensors.

Validators must agree with a proposer within ``genesis.score_tolerance`` (0.02), and node/attention/
scorer.py promises the same input gives the same scores within 1e-4 "in any process, on any machine";
``load_scorer`` picks CUDA when present (TF32 off). This script checks that promise where it matters:

    python scripts/check_device_scores.py --save .device/windows.pt     # here: windows + CPU logits
    python scripts/check_device_scores.py --check .device/windows.pt --out result.json   # there

``--save`` builds windows the way validators do (records of the seven training domains and of two
held-out families, featurized and assembled against a History of earlier committed records, sizes 64,
256 and 1024) and stores the assembled tensors with this machine's logits from the scoring path
(the fast path on a CPU), for the model and the judge. Tensors travel, not records: the other machine
may run another Python whose Unicode database differs (a different ``LEXICON_ID``), which changes no
tensor here but would refuse the checkpoint; ``--check`` therefore accepts the saved feature spec.

``--check`` loads the same checkpoint with ``load_scorer`` on CUDA (if present) and on its CPU, scores
every saved window through ``Scorer``'s own forward, and prints the largest score difference against
the saved ones per device and per window size, the mean in-block score difference, and how long a
forward pass took (median of 5 after a warm-up).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

SIZES = (64, 256, 1024)
T0 = 1_700_000_000_000


def _windows() -> list[tuple[str, list[Any], Any]]:
    """(name, records, history records) of every window to compare."""
    from node.workload.domains import Workload

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import eval_unseen  # the held-out families' factories

    out: list[tuple[str, list[Any], Any]] = []
    seed = bytes(range(32))
    for d in range(7):
        wl = Workload(d, seed, origins=3)
        hist = [r for r, _ in wl.next_batch(1024, T0)]
        for size in SIZES:
            out.append((f"domain{d}/{size}", [r for r, _ in wl.next_batch(size, T0 + 600_000)], hist))
    for fam in ("fleet", "volcano"):
        wl = eval_unseen._factory(fam)(900_000)
        hist = [lr.record for lr in wl.next_labeled(1024, T0)]
        for size in SIZES:
            out.append((f"{fam}/{size}", [lr.record for lr in wl.next_labeled(size, T0 + 600_000)], hist))
    return out


def save(path: Path) -> None:
    from node.attention.features import assemble_window
    from node.attention.scorer import load_scorer

    sc = load_scorer(device="cpu")
    items = []
    for name, recs, hist_recs in _windows():
        hist = sc.history(hist_recs)
        w = assemble_window([sc.cache.get(r) for r in recs], hist)
        tensors = {f: getattr(w, f) for f in type(w).__slots__}
        model = sc._run(w, sc.forward).tolist()
        judge = sc._run(w, sc.judge_forward).tolist()
        items.append({"name": name, "tensors": tensors, "model": model, "judge": judge})
        print(f"{name}: {len(recs)} records", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"model_id": sc.model_id, "torch": torch.__version__, "python": sys.version.split()[0],
                "items": items}, path)
    print(f"wrote {path} ({path.stat().st_size / 2**20:.1f} MiB, {len(items)} windows)")


def _sig(xs: list[float]) -> torch.Tensor:
    return torch.tensor(xs, dtype=torch.float64).sigmoid()


def check(path: Path, out: Path | None) -> dict[str, Any]:
    import node.attention.train as train
    from node.attention.features import WindowFeatures
    from node.attention.scorer import default_checkpoint_path, load_scorer

    saved = torch.load(path, weights_only=False)
    spec = torch.load(default_checkpoint_path(), map_location="cpu", weights_only=True)["features"]
    if spec != train._FEATURE_SPEC:  # another Unicode database: the tensors were built where it matched
        print("note: this Python's feature spec differs from the checkpoint's (lexicon id); "
              "scoring the saved tensors anyway")
        train._FEATURE_SPEC = spec
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    report: dict[str, Any] = {"saved_on": {"torch": saved["torch"], "python": saved["python"]},
                              "here": {"torch": torch.__version__, "python": sys.version.split()[0],
                                       "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
                                       "cpu_capability": torch.backends.cpu.get_cpu_capability()},
                              "devices": {}}
    for device in devices:
        sc = load_scorer(device=device)
        if sc.model_id != saved["model_id"]:
            raise SystemExit(f"checkpoint {sc.model_id} is not the saved windows' {saved['model_id']}")
        per_size: dict[int, dict[str, float]] = {}
        worst = {"model": 0.0, "judge": 0.0, "block_mean": 0.0}
        for item in saved["items"]:
            w = WindowFeatures(*(item["tensors"][f] for f in WindowFeatures.__slots__))
            n = len(item["model"])
            row = per_size.setdefault(n, {"model": 0.0, "judge": 0.0, "block_mean": 0.0, "ms": 0.0, "windows": 0})
            for which, fwd in (("model", sc.forward), ("judge", sc.judge_forward)):
                got = _sig(sc._run(w, fwd).tolist())
                ref = _sig(item[which])
                diff = float((got - ref).abs().max())
                row[which] = max(row[which], diff)
                worst[which] = max(worst[which], diff)
                if which == "judge":
                    mean_diff = abs(float(got.mean() - ref.mean()))
                    row["block_mean"] = max(row["block_mean"], mean_diff)
                    worst["block_mean"] = max(worst["block_mean"], mean_diff)
            sc._run(w, sc.forward)  # warm-up, then time the ranking forward as a node runs it
            times = []
            for _ in range(5):
                t = time.perf_counter()
                sc._run(w, sc.forward)
                times.append(time.perf_counter() - t)
            row["ms"] += statistics.median(times) * 1e3
            row["windows"] += 1
        for row in per_size.values():
            row["ms"] = round(row["ms"] / row["windows"], 3)
        report["devices"][device] = {"max_score_diff": worst, "by_size": {str(k): v for k, v in sorted(per_size.items())}}
        print(f"{device}: largest score difference model {worst['model']:.2e}, judge {worst['judge']:.2e}, "
              f"block mean {worst['block_mean']:.2e} (tolerance 0.02)", flush=True)
        for n, row in sorted(per_size.items()):
            print(f"  window {n:5d}: model {row['model']:.2e} judge {row['judge']:.2e} "
                  f"forward {row['ms']:.2f} ms ({n / row['ms'] * 1e3:,.0f} records/s)", flush=True)
    if out is not None:
        out.write_text(json.dumps(report, indent=1))
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--save", type=Path, help="build windows here and save them with this machine's logits")
    ap.add_argument("--check", type=Path, help="score saved windows on this machine's devices and compare")
    ap.add_argument("--out", type=Path, default=None, help="with --check: write the JSON report here")
    args = ap.parse_args()
    if args.save:
        save(args.save)
    elif args.check:
        check(args.check, args.out)
    else:
        ap.error("give --save or --check")


if __name__ == "__main__":
    main()
