"""``attnshare model``: train, evaluate, score and explain with the attention model.

Only the standard library is imported at module level: ``attnshare --help``
must stay fast, and torch takes seconds to import. Each handler imports what
it needs.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

_VARIANTS = ("attention", "mlp", "nobias")


def register(subparsers: Any) -> None:
    """Add the ``model`` command and its subcommands to the CLI."""
    p = subparsers.add_parser("model", help="train, evaluate, score and explain with the attention model")
    sub = p.add_subparsers(dest="model_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    t = sub.add_parser("train", help="train a checkpoint on the synthetic workload (reproducible)")
    t.add_argument("--out", default="model.pt", help="checkpoint path to write (default: ./model.pt)")
    t.add_argument("--seed", type=int, default=0, help="training seed (default 0, as shipped)")
    t.add_argument("--variant", choices=_VARIANTS, default="attention",
                   help="attention (the model), mlp (no-attention baseline) or nobias (attention without pair bias)")
    t.add_argument("--loss", choices=("bce", "mse"), default=None,
                   help="bce (soft-target cross-entropy, shipped) or mse")
    t.add_argument("--rank-weight", type=float, default=None, help="add a RankNet term with this weight")
    t.add_argument("--epochs", type=int, default=None, help="override the number of epochs")
    t.add_argument("--worlds", type=int, default=None, help="override the number of training worlds")
    t.add_argument("--threads", type=int, default=None, help="torch threads (default 2: changing it changes the weights)")
    t.add_argument("--json", action="store_true", help="machine-readable summary")
    t.set_defaults(func=_cmd_train)

    e = sub.add_parser("eval", help="evaluate against baselines on held-out worlds")
    e.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    e.add_argument("--mlp", default=None, help="no-attention baseline checkpoint (default: the shipped one)")
    e.add_argument("--worlds", type=int, default=16, help="held-out worlds (default 16)")
    e.add_argument("--per-world", type=int, default=6, help="windows per world (default 6)")
    e.add_argument("--window", type=int, default=256, help="records per window (default 256)")
    e.add_argument("--json", action="store_true", help="machine-readable report")
    e.set_defaults(func=_cmd_eval)

    s = sub.add_parser("score", help="score records from a JSON-lines file, in order, in windows")
    s.add_argument("file", help='JSON lines: {"kind", "ts_ms", "fields", "origin"?}; "-" for stdin')
    s.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    s.add_argument("--device", default=None, help="cpu or cuda (default: cuda when present)")
    s.add_argument("--json", action="store_true", help="JSON lines out (the default when not on a terminal)")
    s.set_defaults(func=_cmd_score)

    x = sub.add_parser("explain", help="why one record of a JSON-lines file scored as it did")
    x.add_argument("file", help="JSON lines, as for score")
    x.add_argument("--index", type=int, required=True, help="0-based line number of the record")
    x.add_argument("--top-k", type=int, default=5, help="attended records and features to show")
    x.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    x.add_argument("--json", action="store_true", help="machine-readable output")
    x.set_defaults(func=_cmd_explain)


# -- train ------------------------------------------------------------------------
def _cmd_train(args: argparse.Namespace) -> int:
    import time
    from dataclasses import replace

    from node.attention.model import ModelConfig
    from node.attention.train import TrainConfig, save_checkpoint, train
    from protocol.errors import LocalError

    cfg = TrainConfig(seed=args.seed, model=_variant_config(args.variant))
    if args.loss is not None:
        cfg = replace(cfg, loss=args.loss)
    if args.rank_weight is not None:
        cfg = replace(cfg, rank_weight=args.rank_weight)
    if args.epochs is not None:
        cfg = replace(cfg, epochs=args.epochs)
    if args.worlds is not None:
        cfg = replace(cfg, worlds=args.worlds)
    if args.threads is not None:
        cfg = replace(cfg, threads=args.threads)
    if cfg.epochs < 1 or cfg.worlds < 1 or cfg.threads < 1:
        raise LocalError("--epochs, --worlds and --threads must be at least 1")
    assert isinstance(cfg.model, ModelConfig)
    started = time.perf_counter()
    result = _train_with_progress(cfg, train, quiet=args.json)
    meta = _train_meta(cfg)
    model_id = save_checkpoint(result.model, args.out, meta)
    summary = {"out": args.out, "model_id": model_id, "variant": args.variant, "seed": cfg.seed,
               "steps": result.steps, "epoch_losses": [round(x, 6) for x in result.losses],
               "seconds": round(time.perf_counter() - started, 1)}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"wrote {args.out}  model_id {model_id}")
        print(f"{result.steps} steps in {summary['seconds']} s; loss per epoch: "
              + ", ".join(f"{x:.4f}" for x in result.losses))
    return 0


def _variant_config(variant: str) -> Any:
    from node.attention.model import ModelConfig

    return {"attention": ModelConfig(), "mlp": ModelConfig(attention=False),
            "nobias": ModelConfig(pair_bias=False, rel_values=False)}[variant]


def _train_meta(cfg: Any) -> dict[str, Any]:
    from dataclasses import asdict

    d = asdict(cfg)
    d["model"] = cfg.model.to_dict()
    d["lengths"] = list(cfg.lengths)
    d["length_weights"] = list(cfg.length_weights)
    return {"train": d}


def _train_with_progress(cfg: Any, train_fn: Any, quiet: bool) -> Any:
    if quiet:
        return train_fn(cfg)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]training"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("loss {task.fields[loss]:.4f}"), TimeElapsedColumn(),
                  transient=False) as bar:
        task = bar.add_task("train", total=None, loss=float("nan"))

        def progress(step: int, total: int, loss: float) -> None:
            bar.update(task, completed=step, total=total, loss=loss)

        return train_fn(cfg, progress=progress)


# -- eval -------------------------------------------------------------------------
def _cmd_eval(args: argparse.Namespace) -> int:
    from node.attention.evaluate import run_eval

    report = run_eval(model_path=args.model, mlp_path=args.mlp, worlds=args.worlds,
                      per_world=args.per_world, window=args.window)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    _print_eval(report)
    return 0


_EVAL_ROWS = (
    ("ndcg@10", "NDCG@10"), ("ndcg@25", "NDCG@25"), ("precision@10", "precision@10"),
    ("precision@25", "precision@25"), ("retained@10%", "kept @10% shipped"), ("retained@25%", "kept @25% shipped"),
    ("duplicates.pair_acc", "dup: source > copy"), ("duplicates.repeats_in_top10%", "dup: copies in top 10%"),
    ("bursts.pair_acc", "burst: head > tail"), ("bursts.repeats_in_top10%", "burst: tail in top 10%"),
    ("novelty.pair_acc", "novel: first > follow-up"),
)
_SHORT = {"mlp (no attention)": "mlp", "attention, no pair bias": "no-bias"}


def _print_eval(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"held-out worlds {report['test_seeds'][0]}..{report['test_seeds'][1]}: "
                        f"{report['windows']} windows of {report['window']}, model {report['model_id'][:14]}...")
    table.add_column("metric", no_wrap=True)
    names = list(report["methods"])
    for name in names:
        table.add_column(_SHORT.get(name, name), justify="right", style="bold" if name == "model" else None)
    for key, title in _EVAL_ROWS:
        table.add_row(title, *(f"{report['methods'][m].get(key, float('nan')):.3f}" for m in names))
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 112))  # a pipe or file: do not wrap the table
    console.print(table)
    key = report.get("compare_key", "ndcg@10")
    for name, d in report.get("vs_model", {}).items():
        console.print(f"model - {name}: {key} {d['diff']:+.3f} (95% CI {d['lo']:+.3f} .. {d['hi']:+.3f})")
    console.print("x > y: how often the record carrying the news outranks its repeat; "
                  "in top 10%: share of repeats still shipped at 10% (lower is better)")


# -- score / explain --------------------------------------------------------------------
def _read_jsonl(path: str) -> list[Any]:
    from protocol.errors import LocalError
    from protocol.keys import PrivateKey, validate_peer_id
    from protocol.record import record_from_json

    default_origin = PrivateKey(b"attnshare-cli-default-origin-000").peer_id
    try:
        fh = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise LocalError(f"cannot read {path}: {exc.strerror}") from None
    records = []
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LocalError(f"{path}:{lineno}: not JSON: {exc.msg}") from None
            origin = obj.get("origin") if isinstance(obj, dict) else None
            if origin is None:
                origin = default_origin
            try:
                validate_peer_id(origin)
                records.append(record_from_json(obj, origin))
            except Exception as exc:  # DecodeError or LocalError: report the line
                raise LocalError(f"{path}:{lineno}: {exc}") from None
    return records


def _cmd_score(args: argparse.Namespace) -> int:
    from node.attention import load_scorer

    records = _read_jsonl(args.file)
    scorer = load_scorer(args.model, device=args.device)
    scores = scorer.score(records) if records else []
    if args.json or not sys.stdout.isatty():
        for i, (r, s) in enumerate(zip(records, scores, strict=True)):
            print(json.dumps({"index": i, "cid": r.cid, "kind": r.kind, "ts_ms": r.ts_ms, "score": round(s, 6)}))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(records)} records, model {scorer.model_id[:16]}...")
    for col in ("#", "kind", "ts_ms", "score", ""):
        table.add_column(col, justify="right" if col in ("#", "score") else "left")
    for i, (r, s) in enumerate(zip(records, scores, strict=True)):
        table.add_row(str(i), r.kind, str(r.ts_ms), f"{s:.3f}", "#" * round(s * 20))
    Console().print(table)
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from node.attention import load_scorer

    records = _read_jsonl(args.file)
    scorer = load_scorer(args.model)
    out = scorer.explain(records, args.index, top_k=args.top_k)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"record {out['index']} ({out['kind']}) score {out['score']:.3f}; "
          f"context moved it by {out['context']:+.3f}")
    print("attended:")
    for a in out["attended"]:
        print(f"  #{a['index']:<5} {a['kind']:<20} weight {a['weight']:.3f}")
    print("features (score with the field minus without it):")
    for f in out["features"]:
        print(f"  {f['name']:<26} {f['weight']:+.3f}")
    return 0
