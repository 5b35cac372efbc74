"""Train the checkpoints shipped in node/attention/ (reproducibly) and print their model ids.

    python scripts/train_model.py            # model.pt, mlp.pt, nobias.pt into node/attention/
    python scripts/train_model.py --only attention --out-dir /tmp/x
    python scripts/train_model.py --verify   # retrain into a temp dir, compare with the shipped files
    python scripts/train_model.py --native --only mlp --out-dir /tmp/x   # this CPU's fastest kernels

Each variant is trained by ``attnshare model train`` with seed 0 and 1 torch
thread on a fixed float-kernel path (:data:`PORTABLE_ENV`: torch's kernels
without vectors, MKL's reproducible mode, oneDNN held to SSE4.1), so rerunning this script rewrites
byte-identical files (same model_id) on the same torch build, whatever x86
CPU it runs on. Why the path is fixed: the kernels torch and MKL pick by
themselves (AVX2, AVX-512, the CPU's maker) change the last bits of a sum,
and 3,636 steps of training carry them into every weight. Session 23 met it:
on an AMD EPYC with AVX2 only, session 22's own tree rebuilt its mlp.pt to
other bytes. ``--native`` trains on the CPU's own kernels instead (faster,
bytes tied to the CPU). ``--verify`` prints the machine it ran on beside its
verdict. ``model.pt`` is the model; ``mlp.pt``
(no attention) and ``nobias.pt`` (attention without the pairwise bias) are
the baselines ``attnshare model eval`` compares it with.

The attention model's checkpoint holds the model (stage 1: ranks windows;
since session 38 an ensemble of :data:`MEMBERS` networks of the same recipe,
trained with seeds 0, 1 and 2, whose logits are averaged: ``--members``) and
its *judge* (stage 2, fine-tuned from the first network:
``node.attention.train.finetune`` with ``FinetuneConfig`` defaults: a copy of
stage 1 fine-tuned on blocks shaped the way validators score them, which
gives every in-block score: proposers' claims and validators' re-scoring;
docs/attention.md, "Fifth wave"). ``--stage1 FILE`` builds the judge from an
existing stage-1 checkpoint instead of training stage 1 again (its own judge,
if any, is ignored); ``--no-judge`` writes stage 1 alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.cli import main as cli_main  # noqa: E402

FILES = {"attention": "model.pt", "mlp": "mlp.pt", "nobias": "nobias.pt"}
# Ranking networks in the shipped model.pt (stage 1 with seeds 0, 1, ...): see docs/attention.md, "Session 38".
MEMBERS = 3
# The most judges a checkpoint holds: node.attention.train.MAX_MEMBERS, the loader's bound (not imported
# here: torch must load after reexec_portable; a test holds the two equal).
MAX_JUDGES = 4


def machine() -> str:
    """What a byte-identical rebuild depends on: torch's build, its CPU kernel level, the CPU model."""
    import platform

    import torch

    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    return (f"torch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}, "
            f"{model or platform.processor() or platform.machine()}")


def ranking_model(stage1: Path, members: list[Path]) -> tuple[Any, dict[str, Any]]:
    """The ranking network(s): ``stage1``'s, then each of ``members``' stage-1 networks, as one
    :class:`EnsembleNet` where there are several; and ``stage1``'s checkpoint object."""
    from node.attention.model import EnsembleNet, networks
    from node.attention.train import first_member, load_checkpoint

    model, obj = load_checkpoint(stage1.read_bytes())
    if not members:
        return model, obj
    nets = networks(model)
    meta = dict(obj.get("meta") or {})
    seeds = list(meta.get("member_seeds", []))
    for p in members:
        net, member_obj = load_checkpoint(p.read_bytes())
        nets.append(first_member(net))
        seeds.append((member_obj.get("meta") or {}).get("train", {}).get("seed"))
    meta["member_seeds"] = seeds  # the training seeds of the networks after the first
    return EnsembleNet(nets).eval(), {**obj, "meta": meta}


def stage2(stage1: Path, out: Path, seed: int, prime_version: int = 1, members: list[Path] | None = None,
           fabricated_share: float = 0.0, replayed_share: float = 0.0, judge_seeds: list[int] | None = None) -> str:
    """Train the judge from the (first) stage-1 network in ``stage1``; write the ranking network(s),
    with ``members``' added (:func:`ranking_model`), and the judge to ``out``; return the model id.

    ``judge_seeds``: one judge per seed (default: ``seed`` alone), each fine-tuned from the same
    network with its own draws, their logits averaged (an ``EnsembleNet`` judge). The judge's
    meta is the first seed's recipe, with the others' seeds in ``judge_member_seeds``."""
    import copy
    from dataclasses import replace

    from node.attention.model import EnsembleNet
    from node.attention.train import (
        FinetuneConfig,
        TrainConfig,
        finetune,
        finetune_windows,
        first_member,
        save_checkpoint,
    )

    model, obj = ranking_model(stage1, members or [])
    seeds = judge_seeds or [seed]
    judges, recipes = [], []
    for s in seeds:
        cfg = replace(TrainConfig(), seed=s)
        ft = replace(FinetuneConfig(), seed=s, prime_version=prime_version, fabricated_share=fabricated_share,
                     replayed_share=replayed_share)
        judge = copy.deepcopy(first_member(model))
        t0 = time.perf_counter()
        windows = finetune_windows(judge, cfg, ft)
        print(f"judge (seed {s}): {len(windows)} windows in {time.perf_counter() - t0:.0f} s", flush=True)
        result = finetune(judge, cfg, ft, windows)
        print(f"judge (seed {s}): loss per epoch " + ", ".join(f"{x:.4f}" for x in result.losses), flush=True)
        judges.append(result.model)
        recipes.append(ft.to_dict())
    meta = {k: v for k, v in (obj.get("meta") or {}).items()
            if k not in ("finetune", "judge", "judge_member_seeds")}
    meta["judge"] = recipes[0]  # the others differ only in their seed
    if len(seeds) > 1:
        meta["judge_member_seeds"] = seeds[1:]
    return save_checkpoint(model, out, meta, judge=judges[0] if len(judges) == 1 else EnsembleNet(judges))


# The fixed float-kernel path: torch's kernels without vectors, MKL's conditional numerical
# reproducibility, and oneDNN held to SSE4.1. Session 23 (measured on mlp.pt): with the first two, MKL
# limited to SSE4.2 and MKL on AVX2 trained the same bytes, where torch's AVX2 kernels and its plain ones
# had trained different bytes. Session 24: torch still sends GELU (forward and backward) to oneDNN, whose
# JIT picks the widest ISA it finds; GELU on oneDNN's AVX2 code and on its SSE4.1 code gives other bits
# (AVX and SSE4.1 agree), so an AVX-512 machine would have trained other bytes. With all three pinned a
# rebuild does not depend on the x86 CPU it runs on. The shipped files' recipe since session 24.
PORTABLE_ENV = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE", "ONEDNN_MAX_CPU_ISA": "SSE41"}


def reexec_portable(argv: list[str]) -> None:
    """Run this script again with :data:`PORTABLE_ENV` set; they must be set before torch loads."""
    env = {**os.environ, **PORTABLE_ENV}
    os.execve(sys.executable, [sys.executable, str(Path(__file__).resolve()), *argv], env)


def _members(path: Path) -> int:
    """How many ranking networks the checkpoint at ``path`` holds."""
    from node.attention.model import networks
    from node.attention.train import load_checkpoint

    return len(networks(load_checkpoint(path.read_bytes())[0]))


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", default=str(Path(__file__).resolve().parents[1] / "node" / "attention"))
    parser.add_argument("--only", choices=sorted(FILES), action="append", help="train only these variants")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stage1", default=None, help="stage-1 checkpoint to build the judge from (skip stage 1)")
    parser.add_argument("--prime-version", type=int, default=1, choices=(1, 2),
                        help="the judge's primed blocks (FinetuneConfig.prime_version; 2: session 29's trial P2)")
    parser.add_argument("--fabricated-share", type=float, default=0.0,
                        help="the judge also learns from junk blocks with made-up numbers in this share of its "
                             "windows (FinetuneConfig.fabricated_share; 0: none, as the shipped judge)")
    parser.add_argument("--replayed-share", type=float, default=0.0,
                        help="the judge also learns from the honest block re-sent with small changes in this share "
                             "of its windows (FinetuneConfig.replayed_share; 0: none, as the shipped judge)")
    parser.add_argument("--judge-seeds", default=None,
                        help="comma-separated seeds, one judge each, their logits averaged (default: --seed alone)")
    parser.add_argument("--no-judge", action="store_true", help="write the stage-1 model alone (no judge)")
    parser.add_argument("--members", type=int, default=MEMBERS,
                        help=f"ranking networks in model.pt, stage 1 trained with seeds SEED, SEED+1, ... "
                             f"(default {MEMBERS}); the judge is fine-tuned from the first (with --no-judge: SEED's alone)")
    parser.add_argument("--verify", action="store_true",
                        help="train into a temporary directory and check the shipped files are byte-identical")
    parser.add_argument("--native", action="store_true",
                        help="train on this CPU's own float kernels (faster; the bytes then depend on the CPU)")
    parser.add_argument("--portable", action="store_true",
                        help="the default: a fixed float-kernel path (PORTABLE_ENV), the same bytes on any x86 CPU")
    args = parser.parse_args()
    if args.native and args.portable:
        parser.error("--native and --portable exclude each other")
    try:
        judge_seeds = [int(x) for x in args.judge_seeds.split(",")] if args.judge_seeds else None
    except ValueError:
        parser.error(f"--judge-seeds: comma-separated integers, not {args.judge_seeds!r}")
    if judge_seeds is not None and not 1 <= len(judge_seeds) <= MAX_JUDGES:
        parser.error(f"--judge-seeds: 1 to {MAX_JUDGES} seeds")
    if judge_seeds is not None and len(set(judge_seeds)) != len(judge_seeds):
        parser.error("--judge-seeds: each seed once (two judges of one seed are the same judge)")
    if not args.native and any(os.environ.get(k) != v for k, v in PORTABLE_ENV.items()):
        reexec_portable(sys.argv[1:])
    if args.verify:
        import tempfile

        shipped = Path(args.out_dir)
        print(f"machine: {machine()}", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            argv = [sys.argv[0], "--out-dir", tmp, "--seed", str(args.seed)] + (["--no-judge"] if args.no_judge else [])
            argv += ["--prime-version", str(args.prime_version), "--members", str(args.members)]
            argv += ["--fabricated-share", str(args.fabricated_share), "--replayed-share", str(args.replayed_share)]
            argv += ["--stage1", args.stage1] if args.stage1 else []
            argv += ["--judge-seeds", args.judge_seeds] if args.judge_seeds else []
            argv += ["--native"] if args.native else []
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
        if variant == "attention" and not args.no_judge:
            stage1 = Path(args.stage1) if args.stage1 else out_dir / "model.stage1.pt"
            if not args.stage1:
                rc = cli_main(["model", "train", "--variant", variant, "--seed", str(args.seed),
                               "--out", str(stage1)])
                if rc:
                    return rc
            members = []
            if args.members > 1 and not (args.stage1 and _members(stage1) >= args.members):
                # The other ranking networks: the same recipe with the next seeds (a --stage1 file
                # that already holds them is used as it is).
                for k in range(1, args.members):
                    member = out_dir / f"model.stage1.seed{args.seed + k}.pt"
                    print(f"== attention, member {k + 1} of {args.members}: seed {args.seed + k}", flush=True)
                    rc = cli_main(["model", "train", "--variant", variant, "--seed", str(args.seed + k),
                                   "--out", str(member)])
                    if rc:
                        return rc
                    members.append(member)
            model_id = stage2(stage1, path, args.seed, args.prime_version, members, args.fabricated_share,
                              args.replayed_share, judge_seeds)
            for p in members + ([] if args.stage1 else [stage1]):
                p.unlink()
            print(f"judge: wrote {path}  model_id {model_id}", flush=True)
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
