"""Train the checkpoints shipped in node/attention/ (reproducibly) and print their model ids.

    python scripts/train_model.py            # model.pt, mlp.pt, nobias.pt into node/attention/
    python scripts/train_model.py --only attention --out-dir /tmp/x
    python scripts/train_model.py --verify   # retrain into a temp dir, compare with the shipped files

Each variant is trained by ``attnshare model train`` with seed 0 and 1 torch
thread, so rerunning this script rewrites byte-identical files (same
model_id) on the same torch build. ``model.pt`` is the model; ``mlp.pt``
(no attention) and ``nobias.pt`` (attention without the pairwise bias) are
the baselines ``attnshare model eval`` compares it with.

``--stage2`` adds a second stage to the model (``node.attention.train.finetune``,
``FinetuneConfig`` defaults): fine-tuning on blocks shaped the way
validators score them (junk and random blocks after the proposer's
committed records, against the committed view), mixed with stage 1's
windows. It is the documented experiment of docs/attention.md ("Fourth
wave"), not the shipped model: without the flag the script builds what is
shipped. ``--stage1 FILE`` (implies ``--stage2``) starts stage 2 from an
existing stage-1 checkpoint instead of training it again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.cli import main as cli_main  # noqa: E402

FILES = {"attention": "model.pt", "mlp": "mlp.pt", "nobias": "nobias.pt"}


def stage2(stage1: Path, out: Path, seed: int) -> str:
    """Fine-tune the stage-1 model on validator-shaped blocks; write ``out``; return its model id."""
    from dataclasses import replace

    from node.attention.train import (
        FinetuneConfig,
        TrainConfig,
        finetune,
        finetune_windows,
        load_checkpoint,
        save_checkpoint,
    )

    model, obj = load_checkpoint(stage1.read_bytes())
    cfg = replace(TrainConfig(), seed=seed)
    ft = replace(FinetuneConfig(), seed=seed)
    t0 = time.perf_counter()
    windows = finetune_windows(model, cfg, ft)
    print(f"stage 2: {len(windows)} windows in {time.perf_counter() - t0:.0f} s", flush=True)
    result = finetune(model, cfg, ft, windows)
    print("stage 2: loss per epoch " + ", ".join(f"{x:.4f}" for x in result.losses), flush=True)
    meta = dict(obj.get("meta") or {})
    meta["finetune"] = ft.to_dict()
    return save_checkpoint(result.model, out, meta)


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", default=str(Path(__file__).resolve().parents[1] / "node" / "attention"))
    parser.add_argument("--only", choices=sorted(FILES), action="append", help="train only these variants")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stage1", default=None, help="stage-1 checkpoint of the model to fine-tune (skip stage 1)")
    parser.add_argument("--stage2", action="store_true",
                        help="fine-tune the model on validator-shaped blocks (the experiment; not what ships)")
    parser.add_argument("--verify", action="store_true",
                        help="train into a temporary directory and check the shipped files are byte-identical")
    args = parser.parse_args()
    if args.verify:
        import tempfile

        shipped = Path(args.out_dir)
        with tempfile.TemporaryDirectory() as tmp:
            argv = [sys.argv[0], "--out-dir", tmp, "--seed", str(args.seed)] + (["--stage2"] if args.stage2 else [])
            for v in args.only or []:
                argv += ["--only", v]
            sys.argv = argv
            rc = run()
            if rc:
                return rc
            same = True
            for variant in args.only or list(FILES):
                a, b = (shipped / FILES[variant]).read_bytes(), (Path(tmp) / FILES[variant]).read_bytes()
                ok = a == b
                same = same and ok
                print(f"{FILES[variant]}: {'byte-identical' if ok else 'DIFFERENT'} "
                      f"(sha256 {hashlib.sha256(b).hexdigest()[:16]})")
        return 0 if same else 1
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {}
    for variant in args.only or list(FILES):
        path = out_dir / FILES[variant]
        print(f"== {variant} -> {path}", flush=True)
        started = time.perf_counter()
        if variant == "attention" and (args.stage2 or args.stage1):
            stage1 = Path(args.stage1) if args.stage1 else out_dir / "model.stage1.pt"
            if not args.stage1:
                rc = cli_main(["model", "train", "--variant", variant, "--seed", str(args.seed),
                               "--out", str(stage1)])
                if rc:
                    return rc
            model_id = stage2(stage1, path, args.seed)
            if not args.stage1:
                stage1.unlink()
            print(f"stage 2: wrote {path}  model_id {model_id}", flush=True)
        else:
            rc = cli_main(["model", "train", "--variant", variant, "--seed", str(args.seed), "--out", str(path)])
            if rc:
                return rc
        data = path.read_bytes()
        summary[variant] = {"file": str(path), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                            "seconds": round(time.perf_counter() - started, 1)}
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(run())
