"""Trial: one stage-1 network trained on the truth mixed with a teacher's scores (distillation).

    python scripts/trial_distill.py --seed 3 --alpha 0.5 --out /tmp/student.pt [--teacher node/attention/model.pt]
    python scripts/eval_ensemble.py --checkpoints /tmp/student.pt,...   # then score it beside the others

The shipped ranking model is an ensemble of three networks (docs/attention.md, "Session 38"): better
on the held-out families than any one of them, at three forward passes per window. Distillation asks
how much of that a single network keeps when it learns from the ensemble. The student is trained
exactly as stage 1 (``TrainConfig(seed=SEED)``, the same windows and schedule), except that each
window's target is ``(1 - alpha) * truth + alpha * sigmoid(teacher logits)``; the teacher scores the
window as it is given to the student (features, history). Runs on the fixed float-kernel path of
``train_model.py`` (re-executed with its variables set), so a rerun writes the same bytes.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# train_model.PORTABLE_ENV, written out: that script imports the CLI, and these must be set before torch loads.
PORTABLE_ENV = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE", "ONEDNN_MAX_CPU_ISA": "SSE41"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, required=True, help="the student's training seed")
    ap.add_argument("--alpha", type=float, default=0.5, help="the teacher's share of each target, in [0, 1]")
    ap.add_argument("--teacher", default=str(ROOT / "node" / "attention" / "model.pt"))
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if not 0.0 <= args.alpha <= 1.0:
        ap.error("--alpha must be in [0, 1]")
    if any(os.environ.get(k) != v for k, v in PORTABLE_ENV.items()):  # before torch loads
        os.execve(sys.executable, [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]],
                  {**os.environ, **PORTABLE_ENV})

    import torch

    from node.attention.train import (
        TrainConfig,
        load_checkpoint,
        save_checkpoint,
        train,
        training_windows,
    )
    from node.commands.model import _train_meta

    cfg = TrainConfig(seed=args.seed)
    started = time.perf_counter()
    teacher, _ = load_checkpoint(Path(args.teacher).read_bytes())
    torch.set_num_threads(cfg.threads)
    windows = []
    with torch.inference_mode():
        for w in training_windows(cfg):
            p = torch.sigmoid(teacher(w.feats)).squeeze(0).to(w.target.dtype)
            windows.append(dataclasses.replace(w, target=(1.0 - args.alpha) * w.target + args.alpha * p))
    print(f"{len(windows)} windows with the teacher's targets in {time.perf_counter() - started:.0f} s", flush=True)
    result = train(cfg, windows=windows)
    print("loss per epoch " + ", ".join(f"{x:.4f}" for x in result.losses), flush=True)
    meta = {**_train_meta(cfg), "distill": {"alpha": args.alpha, "teacher": str(args.teacher)}}
    model_id = save_checkpoint(result.model, args.out, meta)
    print(f"wrote {args.out}  model_id {model_id}  ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
