"""``attnshare model``: train, evaluate, score and explain with the attention model.

Only the standard library is imported at module level: ``attnshare --help``
must stay fast, and torch takes seconds to import. Each handler imports what
it needs.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC
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
    t.add_argument("--rank-weight", type=float, default=None, help="weight of each of the two RankNet terms (default 0.3, docs/attention.md \"Session 46\"; 0: cross-entropy alone)")
    t.add_argument("--epochs", type=int, default=None, help="override the number of epochs")
    t.add_argument("--worlds", type=int, default=None, help="override the number of training worlds")
    t.add_argument("--threads", type=int, default=None, help="torch threads (default 1: changing it changes the weights)")
    t.add_argument("--json", action="store_true", help="machine-readable summary")
    t.set_defaults(func=_cmd_train)

    e = sub.add_parser("eval", help="evaluate against baselines: own families, held-out seeds, held-out families; "
                                    "or a labelled JSON-lines file of your own")
    e.add_argument("file", nargs="?", default=None,
                   help="a labelled JSON-lines file to rank (each line a record, as for score, plus a truth "
                        "column, --truth); without it, the synthetic families")
    e.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    e.add_argument("--mlp", default=None, help="no-attention baseline checkpoint (default: the shipped one)")
    e.add_argument("--worlds", type=int, default=12, help="worlds per family and stream (default 12)")
    e.add_argument("--per-world", type=int, default=3, help="windows per world (default 3)")
    e.add_argument("--window", type=int, default=None,
                   help="records per window (default 256; with FILE, as score: the checkpoint's max_window)")
    e.add_argument("--no-wire", action="store_true", help="skip the importance-vs-wire-bytes curve")
    e.add_argument("--truth", default="importance",
                   help="with FILE: the top-level key holding each record's importance, a number >= 0 or a "
                        "boolean (default: importance)")
    e.add_argument("--case", default=None,
                   help="with FILE: a top-level key naming each record's case (\"near dup\", \"anomaly\", ...); "
                        "adds the median rank of every case")
    e.add_argument("--memory", choices=("own", "all", "none"), default="own",
                   help="with FILE: the model's memory across windows, as for score (default own)")
    e.add_argument("--share", type=float, default=0.2, help="with FILE: as for score (default 0.2)")
    e.add_argument("--device", default=None, help="with FILE: cpu or cuda (default: cuda when present)")
    e.add_argument("--json", action="store_true", help="machine-readable report")
    e.set_defaults(func=_cmd_eval)

    s = sub.add_parser("score", help="score records from a JSON-lines file, in order, window after window")
    s.add_argument("file", help='JSON lines: {"kind", "ts_ms", "fields", "origin"?}; "-" for stdin')
    _stream_options(s)
    s.add_argument("--device", default=None, help="cpu or cuda (default: cuda when present)")
    s.add_argument("--json", action="store_true", help="JSON lines out (the default when not on a terminal)")
    s.set_defaults(func=_cmd_score)

    x = sub.add_parser("explain", help="why one record of a JSON-lines file scored as it did")
    x.add_argument("file", help="JSON lines, as for score")
    x.add_argument("--index", type=int, required=True,
                   help="0-based index of the record among the file's records, as score prints it")
    x.add_argument("--top-k", type=int, default=5, help="attended records and features to show")
    _stream_options(x)
    x.add_argument("--json", action="store_true", help="machine-readable output")
    x.set_defaults(func=_cmd_explain)


def _stream_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default=None, help="checkpoint (default: the shipped one)")
    p.add_argument("--window", type=int, default=None,
                   help="records scored together (default and most: the checkpoint's max_window, 1024)")
    p.add_argument("--memory", choices=("own", "all", "none"), default="own",
                   help="what each window is scored against: the top --share of every earlier window by its "
                        "own scores, as a node commits them (own, the default), every earlier record (all), "
                        "or nothing (none)")
    p.add_argument("--share", type=float, default=0.2,
                   help="share of each window remembered with --memory own (default 0.2)")
    p.add_argument("--wire-limits", action="store_true",
                   help="refuse records over the network's limits (16 KiB, 64 fields, ...), as a node does; "
                        "by default they are scored and counted")


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
    d["warmup"] = list(cfg.warmup)
    from node.attention.lexicon import LEXICON_ID

    return {"train": d, "lexicon": LEXICON_ID}


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

    if args.file is not None:
        return _cmd_eval_file(args)
    report = run_eval(model_path=args.model, mlp_path=args.mlp, worlds=args.worlds,
                      per_world=args.per_world, window=256 if args.window is None else args.window,
                      wire=not args.no_wire)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    _print_eval(report)
    return 0


_SHORT = {"mlp (no attention)": "mlp", "attention, no pair bias": "no-bias"}


def _print_eval(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from node.attention.evaluate import TABLE_CASES

    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 140))  # a pipe or file: do not wrap the tables
    streams = report["streams"]
    names = list(next(iter(streams.values()))["methods"])
    t = Table(title=f"NDCG@10% of records, windows of {report['window']}, model {report['model_id'][:16]}...",
              title_justify="left")
    t.add_column("stream", no_wrap=True)
    t.add_column("windows", justify="right")
    for name in names:
        t.add_column(_SHORT.get(name, name), justify="right", style="bold" if name == "model" else None)
    for sname, rep in streams.items():
        t.add_row(sname, str(rep["windows"]), *(f"{rep['methods'][m]['ndcg@10%']:.3f}" for m in names))
    console.print(t)
    for sname in ("held-out families", "held-out seeds"):
        rep = streams.get(sname)
        if rep is None:
            continue
        c = Table(title=f"median rank per case, {sname} (0 = top; lower is better for the important cases)",
                  title_justify="left")
        c.add_column("method", no_wrap=True)
        for case in TABLE_CASES:
            c.add_column(f"{case} ({rep['case_counts'].get(case, 0)})", justify="right")
        for m in names:
            c.add_row(_SHORT.get(m, m), *(f"{rep['case_median_rank'][m][case]:.2f}" for case in TABLE_CASES))
        console.print(c)
        for m, d in rep.get("vs_model", {}).items():
            console.print(f"  model - {_SHORT.get(m, m)}: NDCG@10% {d['diff']:+.3f} "
                          f"(95% CI {d['lo']:+.3f} .. {d['hi']:+.3f})")
    wire = report.get("wire")
    if wire:
        w = Table(title="held-out families: importance retained vs wire bytes (signed zstd blocks)",
                  title_justify="left")
        w.add_column("selection")
        for p in wire["shares"]:
            w.add_column(f"{int(p * 100)}%: kept / KiB", justify="right")
        for m, row in wire["methods"].items():
            w.add_row(m, *(f"{k:.3f} / {b / 1024:.0f}" for k, b in zip(row["retained"], row["bytes"], strict=True)))
        if "random_at_model_bytes" in wire:
            w.add_row("random at model's bytes", *(f"{k:.3f}" for k in wire["random_at_model_bytes"]))
            w.add_row("model / random (equal bytes)", *(f"{x:.2f}x" for x in wire["model_over_random_at_equal_bytes"]))
        console.print(w)


def _cmd_eval_file(args: argparse.Namespace) -> int:
    """``model eval FILE``: the model's ranking of a labelled file against the baselines (file_eval.py)."""
    from node.attention import load_scorer
    from node.attention.file_eval import gain_of, stream_report
    from node.attention.scorer import stream_scores
    from protocol.errors import LocalError

    truth, case = args.truth, args.case

    def labels(obj: dict[str, Any]) -> tuple[float, str | None]:
        gain = gain_of(obj.get(truth), truth)
        label = obj.get(case) if case is not None else None
        if case is not None and label is not None and not isinstance(label, str | int | bool):
            raise ValueError(f"case {case!r} must be a string, not {type(label).__name__}")
        return gain, None if label is None else str(label)

    keys = (truth,) if case is None else (truth, case)
    got: list[tuple[float, str | None]] = []
    records, _lines, bad = _read_jsonl(args.file, wire_limits=False, labels=labels, label_keys=keys, label_out=got)
    gains = [g for g, _ in got]
    if not any(g > 0 for g in gains):
        raise LocalError(f"{args.file}: no record has a truth above 0 in {truth!r}: nothing to rank")
    scorer = load_scorer(args.model, device=args.device)
    window = _window(args, scorer)
    scores = stream_scores(scorer, records, window=window, memory=args.memory, share=args.share,
                           progress=_progress(len(records), window))
    report = stream_report(records, gains, scores, window, [c for _, c in got] if case is not None else None)
    report.update(file=args.file, model_id=scorer.model_id, memory=args.memory, truth=truth, bad_lines=bad)
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        _print_eval_file(report)
    return 1 if bad else 0


def _print_eval_file(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 140))
    methods = report["methods"]
    t = Table(title=f"{report['file']}: {report['records']} records ({report['gain_records']} with a truth above 0), "
                    f"windows of {report['window']}, model {report['model_id'][:16]}...", title_justify="left")
    t.add_column("method", no_wrap=True)
    cols = [k for k in next(iter(methods.values())) if k.startswith("ndcg@")] + ["run_ndcg@10%"]
    for k in cols:
        t.add_column(f"NDCG@10% per {report['run']} records" if k == "run_ndcg@10%" else f"NDCG@{k[5:]} of the file",
                     justify="right")
    for m, row in methods.items():
        t.add_row(m, *("-" if row[k] is None else f"{row[k]:.3f}" for k in cols),
                  style="bold" if m == "model" else None)
    console.print(t)
    for m, d in report.get("vs_model", {}).items():
        console.print(f"  model - {m}: NDCG@10% per {report['run']} records {d['diff']:+.3f} "
                      f"(95% CI {d['lo']:+.3f} .. {d['hi']:+.3f}, {report['runs_with_gain']} runs)")
    cases = report.get("cases")
    if cases:
        order = sorted(cases["counts"], key=lambda c: cases["median_rank"]["model"][c])
        c = Table(title="median rank per case over the file (0 = top)", title_justify="left")
        c.add_column("method", no_wrap=True)
        for name in order:
            c.add_column(f"{name} ({cases['counts'][name]})", justify="right")
        for m, row in cases["median_rank"].items():
            c.add_row(m, *(f"{row[name]:.2f}" for name in order), style="bold" if m == "model" else None)
        console.print(c)


# -- score / explain --------------------------------------------------------------------
_MAX_SHOWN_ERRORS = 20


_RECORD_KEYS = ("kind", "ts_ms", "fields", "origin")


class _Origins:
    """A record's ``origin`` as a stream file writes it: a peer id, or any other label ("sensor-7",
    3), which stands for a peer id derived from it, so records of one label share an origin (bursts
    are read within a kind and an origin) and records of two labels do not."""

    def __init__(self) -> None:
        from protocol.keys import PrivateKey

        self._default = PrivateKey(b"attnshare-cli-default-origin-000").peer_id
        self._labels: dict[str, str] = {}

    def __call__(self, label: object) -> str:
        import hashlib

        from protocol.errors import DecodeError, SignatureError
        from protocol.keys import PrivateKey, validate_peer_id

        if label is None:
            return self._default
        if isinstance(label, (dict, list)):
            raise ValueError("origin must be a peer id or a label (a string or a number)")
        text = label if isinstance(label, str) else json.dumps(label)
        got = self._labels.get(text)
        if got is None:
            try:
                validate_peer_id(text)
                got = text
            except (DecodeError, SignatureError, ValueError):
                seed = hashlib.sha256(b"attnshare-cli-origin/" + text.encode("utf-8", "surrogatepass")).digest()
                got = PrivateKey(seed).peer_id
            if len(self._labels) < 100_000:
                self._labels[text] = got
        return got


def _ts_ms(value: object) -> object:
    """``ts_ms`` as a stream file may write it: an integer, a float (rounded), digits, or an ISO 8601
    time (``2026-12-01T10:00:00.250Z``; no zone is UTC). Anything else goes through unchanged, for
    the record's own check to refuse with its own message."""
    import math
    from datetime import datetime

    if isinstance(value, float) and math.isfinite(value) and 0 <= value < 2**63:
        return round(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        try:
            when = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
        except ValueError:
            raise ValueError(f"ts_ms {value!r} is neither milliseconds nor an ISO 8601 time") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return round(when.timestamp() * 1000)
    return value


# Scoring a file is local: a record over the network's limits (16 KiB, 64 fields, 4,096-character
# strings; protocol.record.RecordLimits) is still scored, under these, and counted. The featurizer
# bounds what it reads of a record whatever its size (tokens, slots), so they only bound memory.
_LOCAL_LIMITS: dict[str, int] = {"max_total_bytes": 1 << 22, "max_fields": 4096, "max_kind_len": 1024,
                                 "max_key_len": 1024, "max_str_len": 1 << 22, "max_bytes_len": 1 << 22,
                                 "max_list_len": 1 << 16, "max_values": 1 << 18}


def _read_jsonl(path: str, wire_limits: bool = False, labels: Any = None,
                label_keys: tuple[str, ...] = (), label_out: list[Any] | None = None) -> tuple[list[Any], list[int], int]:
    """The records of a JSON-lines file, the line each came from, and how many lines were bad.

    Read as a stream file is written, not only as the node's own JSON (docs/attention.md, "Scoring a
    file"): top-level keys besides kind, ts_ms, fields and origin (an id, a label, a truth column) are
    left out, said once on stderr; an origin may be any label (:class:`_Origins`); ``ts_ms`` may be
    a float, digits or an ISO 8601 time (:func:`_ts_ms`); nested objects and nulls in fields are read
    as ``record_from_json`` reads them.

    A bad line does not stop the read: every bad line is reported on stderr (the first 20 by number,
    then a count) and left out, as ``attnshare ingest`` does; the caller exits 1 when any was.
    Raises LocalError when the file cannot be read or holds no good record at all.

    ``labels`` (``model eval FILE``): called with each line's object before its extra keys are left
    out; what it returns is appended to ``label_out`` for every record read, and a ValueError it
    raises makes the line bad. ``label_keys`` are the top-level keys it reads (not said to be left out).
    """
    from protocol.errors import LocalError
    from protocol.record import RecordLimits, record_from_json

    origins = _Origins()
    local = RecordLimits(**_LOCAL_LIMITS)
    oversize = 0
    try:
        fh = sys.stdin if path == "-" else open(path, encoding="utf-8", errors="strict")  # noqa: SIM115
    except OSError as exc:
        raise LocalError(f"cannot read {path}: {exc.strerror}") from None
    records: list[Any] = []
    lines: list[int] = []
    bad = 0
    ignored: set[str] = set()
    with fh:
        try:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    label = None
                    obj = json.loads(line)
                    if isinstance(obj, dict):
                        extra = obj.keys() - _RECORD_KEYS - set(label_keys)
                        if extra and "fields" not in obj:
                            # A flat record: its fields sit beside kind and ts_ms. Reading them as
                            # fields would read a truth column as one too, so say where they go.
                            shown = ", ".join(sorted(extra)[:6]) + (", ..." if len(extra) > 6 else "")
                            raise ValueError(f"record is missing fields (put its values under \"fields\": "
                                             f"top-level {shown} are not read as fields)")
                        label = labels(obj) if labels is not None else None
                        if extra and len(ignored) < 64:
                            ignored.update(list(extra)[:64])
                        if obj.keys() - _RECORD_KEYS:
                            obj = {k: obj[k] for k in _RECORD_KEYS if k in obj}
                        if "ts_ms" in obj:
                            obj["ts_ms"] = _ts_ms(obj["ts_ms"])
                    elif labels is not None:
                        raise ValueError("a line must be a JSON object")
                    origin = origins(obj.get("origin") if isinstance(obj, dict) else None)
                    try:
                        rec = record_from_json(obj, origin)
                    except LocalError:
                        if wire_limits:
                            raise
                        rec = record_from_json(obj, origin, local)  # refused again if not a size matter
                        oversize += 1
                    records.append(rec)
                    lines.append(lineno)
                    if label_out is not None:
                        label_out.append(label)
                except Exception as exc:  # JSON, DecodeError, LocalError, ValueError: report the line, go on
                    bad += 1
                    if bad <= _MAX_SHOWN_ERRORS:
                        msg = f"not JSON: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else str(exc)
                        print(f"error: {path}:{lineno}: {msg}", file=sys.stderr)
        except UnicodeDecodeError as exc:
            raise LocalError(f"{path}: not UTF-8 text (byte {exc.start} of a read)") from None
    if oversize:
        print(f"{path}: {oversize} record{'s' if oversize != 1 else ''} over the network's record limits "
              "(16 KiB, 64 fields, 4,096-character strings) scored all the same; a node would refuse "
              "them (--wire-limits: refuse them here too)", file=sys.stderr)
    if ignored:
        names = ", ".join(sorted(ignored)[:8]) + (", ..." if len(ignored) > 8 else "")
        print(f"{path}: top-level keys other than {', '.join(_RECORD_KEYS)} left out: {names}", file=sys.stderr)
    if bad > _MAX_SHOWN_ERRORS:
        print(f"error: {path}: {bad - _MAX_SHOWN_ERRORS} more bad lines", file=sys.stderr)
    if bad:
        print(f"{path}: {bad} bad line{'s' if bad != 1 else ''} left out, {len(records)} records read",
              file=sys.stderr)
        if not records:
            raise LocalError(f"{path}: no record could be read")
    return records, lines, bad


def _window(args: argparse.Namespace, scorer: Any) -> int:
    from protocol.errors import LocalError

    if args.window is None:
        return int(scorer.max_window)
    if not 1 <= args.window <= scorer.max_window:
        raise LocalError(f"--window must be 1..{scorer.max_window} (the checkpoint's max_window), not {args.window}")
    return int(args.window)


def _progress(n: int, window: int) -> Any:
    """A ``stream_scores`` progress callback for a file of ``n`` records: on a terminal, and only when
    the file spans more than one window (None otherwise)."""
    if not (sys.stderr.isatty() and n > window):
        return None

    def progress(done: int, total: int) -> None:
        print(f"\rscored {done} of {total} records", end="" if done < total else "\n", file=sys.stderr, flush=True)
    return progress


def _cmd_score(args: argparse.Namespace) -> int:
    from node.attention import load_scorer
    from node.attention.scorer import stream_scores

    records, lines, bad = _read_jsonl(args.file, args.wire_limits)
    scorer = load_scorer(args.model, device=args.device)
    window = _window(args, scorer)
    scores = stream_scores(scorer, records, window=window, memory=args.memory, share=args.share,
                           progress=_progress(len(records), window)) if records else []
    rc = 1 if bad else 0
    if args.json or not sys.stdout.isatty():
        for i, (r, s, ln) in enumerate(zip(records, scores, lines, strict=True)):
            print(json.dumps({"index": i, "line": ln, "cid": r.cid, "kind": r.kind, "ts_ms": r.ts_ms,
                              "score": round(s, 6)}))
        return rc
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(records)} records, model {scorer.model_id[:16]}..., windows of {window}, "
                        f"memory {args.memory}")
    for col in ("#", "line", "kind", "ts_ms", "score", ""):
        table.add_column(col, justify="right" if col in ("#", "line", "score") else "left")
    for i, (r, s, ln) in enumerate(zip(records, scores, lines, strict=True)):
        table.add_row(str(i), str(ln), r.kind, str(r.ts_ms), f"{s:.3f}", "#" * round(s * 20))
    Console().print(table)
    return rc


def _cmd_explain(args: argparse.Namespace) -> int:
    from node.attention import load_scorer
    from node.attention.scorer import stream_context

    records, lines, bad = _read_jsonl(args.file, args.wire_limits)
    scorer = load_scorer(args.model)
    window = _window(args, scorer)
    a, b, hist = stream_context(scorer, records, args.index, window=window, memory=args.memory, share=args.share)
    out = scorer.explain(records[a:b], args.index - a, top_k=args.top_k, history=hist if len(hist) else None)
    for x in out.get("attended", []):
        x["index"] += a  # the file's record index, as score prints it
    out["index"] = args.index
    out["line"] = lines[args.index]
    out["window"] = [a, b]
    out["memory"] = {"mode": args.memory, "records": len(hist)}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print_explanation(out)
    return 1 if bad else 0


def print_explanation(out: dict[str, Any]) -> None:
    """Human tables for an explanation (``model explain`` and ``attnshare explain CID``)."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    where = f" in {out['context']}" if isinstance(out.get("context"), str) else ""
    weights = ", judge weights" if out.get("weights") == "judge" else ""
    rule = "novelty budget" if any(r.get("code") == "novelty_budget" for r in out.get("reasons", [])) else "copy rule"
    before = f" ({rule}; {float(out['model_score']):.3f} before it)" if "model_score" in out else ""
    title = (f"{out.get('cid', '')}  {out.get('kind', '')}: score {out['score']:.3f}{before}{where}"
             f" (model {str(out.get('model_id', ''))[:16]}...{weights})")
    t = Table(title=title, title_justify="left")
    t.add_column("why (importance definition)")
    t.add_column("strength", justify="right")
    for r in out.get("reasons", []):
        t.add_row(str(r.get("text", r.get("code", ""))), f"{float(r.get('weight', 0.0)):.2f}")
    console.print(t)
    a = Table(title="attended to (last layer, mean over heads)", title_justify="left")
    for col, just in (("#", "right"), ("cid", "left"), ("kind", "left"), ("weight", "right")):
        a.add_column(col, justify=just)  # type: ignore[arg-type]
    for x in out.get("attended", []):
        a.add_row(str(x["index"]), str(x["cid"]), str(x["kind"]), f"{x['weight']:.3f}")
    a.add_row("", "(itself)", "", f"{float(out.get('self_attention', 0.0)):.3f}")
    console.print(a)
    f = Table(title="fields (score with the field minus without it)", title_justify="left")
    f.add_column("field")
    f.add_column("effect", justify="right")
    for x in out.get("features", []):
        f.add_row(str(x["name"]).removeprefix("field:"), f"{x['weight']:+.3f}")
    console.print(f)
    if isinstance(out.get("context"), int | float):
        console.print(f"the rest of the window moved the score by {out['context']:+.3f}")
