"""Train the checkpoints shipped in node/attention/ (reproducibly) and print their model ids.

    python scripts/train_model.py            # model.pt, mlp.pt, nobias.pt into node/attention/
    python scripts/train_model.py --only attention --out-dir /tmp/x
    python scripts/train_model.py --verify   # retrain into a temp dir, compare with the shipped files

Each variant is trained by ``attnshare model train`` with seed 0 and 2 torch
threads, so rerunning this script rewrites byte-identical files (same
model_id) on the same torch build. ``model.pt`` is the model; ``mlp.pt``
(no attention) and ``nobias.pt`` (attention without the pairwise bias) are
the baselines ``attnshare model eval`` compares it with.
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


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", default=str(Path(__file__).resolve().parents[1] / "node" / "attention"))
    parser.add_argument("--only", choices=sorted(FILES), action="append", help="train only these variants")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verify", action="store_true",
                        help="train into a temporary directory and check the shipped files are byte-identical")
    args = parser.parse_args()
    if args.verify:
        import tempfile

        shipped = Path(args.out_dir)
        with tempfile.TemporaryDirectory() as tmp:
            argv = [sys.argv[0], "--out-dir", tmp, "--seed", str(args.seed)]
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
