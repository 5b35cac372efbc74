"""``init``, ``genesis``, ``run``, and the admin commands that talk to a running daemon."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("init", help="create an identity and a config in a data dir")
    p.add_argument("--data-dir", required=True, type=Path)
    p.add_argument("--listen", action="append", help="multiaddr to listen on (repeatable)")
    p.add_argument("--bootstrap", action="append", default=[], help="peer multiaddr with /p2p/ID (repeatable)")
    p.add_argument("--genesis", help="path to the network's genesis file (copied into the data dir)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("genesis", help="create a network genesis file")
    p.add_argument("--network", required=True, help="network id: [a-z0-9-], up to 32 chars")
    p.add_argument("--validator", action="append", default=[], help="validator peer id (repeatable)")
    p.add_argument("--validator-dir", action="append", default=[], type=Path,
                   help="data dir whose identity is a validator (repeatable)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_genesis)

    p = sub.add_parser("run", help="run the daemon in the foreground (SIGINT/SIGTERM stop it cleanly)")
    p.add_argument("--data-dir", required=True, type=Path)
    p.add_argument("--metrics-port", type=int, help="serve Prometheus metrics on 127.0.0.1:PORT")
    p.add_argument("--admin-tcp-port", type=int,
                   help="also serve the admin API on 127.0.0.1:PORT (token in DATA_DIR/admin.token)")
    p.add_argument("--log-level", default="INFO")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("status", help="peer id, addresses, role, heights, commits, model")
    _admin_args(p)
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("ingest", help="ingest JSON-lines records from FILE or - (stdin)")
    _admin_args(p)
    p.add_argument("file", help="JSON lines: {kind, ts_ms?, fields}; - for stdin")
    p.add_argument("--batch", type=int, default=2000, help="records per request")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("peers", help="connected and banned peers: resource budget use and standing")
    _admin_args(p)
    p.set_defaults(func=lambda a: _rows(a, "peers", ("peer_id", "validator", "latency_ms", "standing", "messages",
                                                      "bytes", "cpu_ms", "open_requests", "invalid",
                                                      "over_budget", "bad_requests", "banned_until")))

    p = sub.add_parser("validators", help="the validator set and its heights")
    _admin_args(p)
    p.set_defaults(func=lambda a: _simple(a, "validators"))

    p = sub.add_parser("peer", help="manual topology control")
    _admin_args(p)
    p.add_argument("action", choices=["connect", "block", "unblock"])
    p.add_argument("target", help="multiaddr (connect) or peer id (block/unblock)")
    p.set_defaults(func=cmd_peer)

    p = sub.add_parser("records", help="local records; filter by status, kind, score")
    _admin_args(p)
    p.add_argument("--status", choices=["pending", "shipped", "kept", "committed"])
    p.add_argument("--kind")
    p.add_argument("--min-score", type=float)
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=lambda a: _rows(a, "records", ("cid", "status", "score", "kind"),
                                        status=a.status, kind=a.kind, min_score=a.min_score, limit=a.limit))

    p = sub.add_parser("blocks", help="committed blocks; filter by proposer or time")
    _admin_args(p)
    p.add_argument("--proposer")
    p.add_argument("--since-ms", type=int)
    p.add_argument("--until-ms", type=int)
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=lambda a: _rows(a, "blocks", ("block_id", "proposer", "seq", "record_count", "payload_bytes"),
                                        proposer=a.proposer, since_ms=a.since_ms, until_ms=a.until_ms, limit=a.limit))

    p = sub.add_parser("show", help="a block or a record, decoded, with certificate and votes")
    _admin_args(p)
    p.add_argument("cid")
    p.set_defaults(func=lambda a: _simple(a, "show", cid=a.cid))

    p = sub.add_parser("search", help="full-text search over committed records")
    _admin_args(p)
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=lambda a: _rows(a, "search", ("cid", "score", "kind", "text"), query=a.query, limit=a.limit))

    p = sub.add_parser("explain", help="a record's score, what it attended to, and its top features")
    _admin_args(p)
    p.add_argument("cid")
    p.add_argument("--top", type=int, default=5)
    p.set_defaults(func=_explain)

    p = sub.add_parser("votes", help="votes seen, optionally from one voter")
    _admin_args(p)
    p.add_argument("--voter")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=lambda a: _rows(a, "votes", ("block_id", "seq", "voter", "decision", "reason"),
                                        voter=a.voter, limit=a.limit))

    p = sub.add_parser("evidence", help="equivocation evidence")
    _admin_args(p)
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=lambda a: _rows(a, "evidence", ("id", "kind", "offender", "seq"), limit=a.limit))

    register_devnet(sub)


def _admin_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", required=True, type=Path)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--admin-tcp-port", type=int, help="talk to 127.0.0.1:PORT with the data dir's token")


def _client(args: argparse.Namespace) -> Any:
    from node.admin import AdminClient

    return AdminClient(args.data_dir, tcp_port=args.admin_tcp_port)


def _print(args: argparse.Namespace, obj: Any, human: str | None = None) -> None:
    if args.json or human is None:
        print(json.dumps(obj, indent=None if args.json else 2, sort_keys=True))
    else:
        print(human)


def cmd_init(args: argparse.Namespace) -> int:
    import shutil

    from node.config import NodeConfig, write_config
    from node.identity import KEY_FILE, generate_key, make_private_dir, write_key
    from protocol.errors import LocalError

    d: Path = make_private_dir(args.data_dir)  # 0700: the store will hold records kept private
    if (d / KEY_FILE).exists():
        raise LocalError(f"{d} already has an identity; refusing to overwrite it")
    key = generate_key()
    write_key(d, key)
    cfg = NodeConfig.default(d)
    kw: dict[str, Any] = {}
    if args.listen:
        kw["listen"] = tuple(args.listen)
    if args.bootstrap:
        kw["bootstrap"] = tuple(args.bootstrap)
    if args.genesis:
        shutil.copyfile(args.genesis, d / "genesis.toml")
    from dataclasses import replace

    cfg = replace(cfg, **kw)
    write_config(cfg)
    out = {"peer_id": key.peer_id, "data_dir": str(d), "config": str(d / "config.toml")}
    _print(args, out, f"created {d}\n  peer id: {key.peer_id}\n  config:  {d / 'config.toml'}")
    return 0


def cmd_genesis(args: argparse.Namespace) -> int:
    from node.identity import load_key
    from node.model_info import default_model_id
    from protocol.genesis import Genesis, genesis_id, genesis_to_toml
    from protocol.validators import ValidatorSet

    peers = list(args.validator) + [load_key(d).peer_id for d in args.validator_dir]
    g = Genesis(network_id=args.network, validators=ValidatorSet(peers), accepted_model_ids=(default_model_id(),))
    args.out.write_text(genesis_to_toml(g))
    out = {"path": str(args.out), "network": g.network_id, "genesis_id": genesis_id(g), "validators": list(peers)}
    _print(args, out, f"wrote {args.out} ({len(peers)} validators, id {out['genesis_id']})")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from node.runner import run_daemon

    return run_daemon(args.data_dir, metrics_port=args.metrics_port, admin_tcp_port=args.admin_tcp_port,
                      log_level=args.log_level)


def cmd_status(args: argparse.Namespace) -> int:
    st = _client(args).call("status")
    if args.json:
        _print(args, st)
        return 0
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"attnshare node {st['peer_id']}", show_header=False)
    for k in ("role", "model_id", "uptime_s", "peers", "ingested", "shipped", "kept", "pending",
              "blocks_proposed", "committed_blocks", "committed_records", "rejected_blocks", "votes_cast", "evidence"):
        t.add_row(k, str(st[k]))
    t.add_row("addrs", "\n".join(st["addrs"]))
    t.add_row("heights", "\n".join(f"{p[:16]}… {h}" for p, h in sorted(st["heights"].items())) or "-")
    if st.get("ship_budget"):
        t.add_row("ship budget", _budget_text(st["ship_budget"]))
    if st.get("store"):
        s = st["store"]
        cap = f" of {s['max_db_bytes']}" if s.get("max_db_bytes") else ""
        refused = ", ".join(f"{k} {v}" for k, v in sorted(s.get("refused", {}).items())) or "none"
        t.add_row("store", f"{s['db_bytes']}{cap} B; search backlog {s['fts_backlog']}; refused: {refused}")
    Console().print(t)
    return 0


def _budget_text(b: dict[str, Any]) -> str:
    """The shipping budget and its use, for `status` (see protocol/selection.py)."""
    cap = f", at most {b['bytes_per_s']} B/s" if b.get("bytes_per_s") else ""
    used = "-" if b.get("recent_share") is None else f"{100 * b['recent_share']:.1f}%"
    thr = "-" if b.get("threshold") is None else f"{b['threshold']:.3f}"
    return (f"{100 * b['share']:g}% of records{cap}; recent use {used}; threshold {thr}; "
            f"shipped {b['shipped']} of {b['seen']} ({b['shipped_bytes']} B)")


def _explain(args: argparse.Namespace) -> int:
    """Why a record scored as it did: reasons in the definition's words, attention, fields (--json: all)."""
    out = _client(args).call("explain", cid=args.cid, top_k=args.top)
    if args.json:
        _print(args, out)
        return 0
    from node.commands.model import print_explanation

    print_explanation(out)
    return 0


def _simple(args: argparse.Namespace, method: str, **params: Any) -> int:
    _print(args, _client(args).call(method, **params))
    return 0


def _rows(args: argparse.Namespace, method: str, cols: tuple[str, ...], **params: Any) -> int:
    """List-returning admin calls: JSON as is, or a rich table of the chosen columns."""
    rows = _client(args).call(method, **{k: v for k, v in params.items() if v is not None})
    if args.json:
        _print(args, rows)
        return 0
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"{method} ({len(rows)})")
    for c in cols:
        t.add_column(c)
    for r in rows:
        flat = {**r, **r.get("record", {})}
        if "text" in cols:
            flat["text"] = json.dumps(flat.get("fields", {}))[:80]
        t.add_row(*[_cell(flat.get(c)) for c in cols])
    Console().print(t)
    return 0


def _cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def cmd_peer(args: argparse.Namespace) -> int:
    c = _client(args)
    if args.action == "connect":
        res = c.call("peer.connect", addr=args.target)
    else:
        res = c.call(f"peer.{args.action}", peer_id=args.target)
    _print(args, res)
    return 0


#: bytes of JSON lines per ingest request: well under the admin API's 64 MiB request limit
INGEST_MAX_BATCH_BYTES = 32 << 20
#: records per ingest request, whatever --batch says: the daemon refuses more
#: (node/core/pipeline.py MAX_INGEST_RECORDS; not imported: it would load the model)
INGEST_MAX_BATCH_RECORDS = 100_000


def cmd_ingest(args: argparse.Namespace) -> int:
    """Stream JSON lines to the daemon in batches; bad lines are reported by number, good ones ingested.

    Every line is judged on its own: not UTF-8, not JSON (including nesting
    too deep and integers over Python's digit limit) or longer than a whole
    batch is reported with its line number and skipped. A batch is sent once
    it holds ``--batch`` records (at most INGEST_MAX_BATCH_RECORDS) or
    INGEST_MAX_BATCH_BYTES bytes.

    A line without ``ts_ms`` gets this machine's clock when it is read, once:
    the daemon would stamp it on each receipt, so a re-sent line would be a
    second record. A failed request may have been acknowledged all the same
    (the answer lost, a client timeout), so it is sent once more, the very
    same records; if that fails too, the command stops and says which lines
    were acknowledged (ingested durably) and from which line to resume.
    """
    client = _client(args)
    from node.admin.wire import AdminError
    from protocol.errors import LocalError

    try:
        fh = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except OSError as exc:
        raise LocalError(f"cannot read {args.file}: {exc.strerror}") from None
    total = ok = 0
    errors: list[dict[str, Any]] = []
    batch: list[Any] = []
    lines: list[int] = []
    batch_bytes = 0
    batch_max = min(args.batch, INGEST_MAX_BATCH_RECORDS)

    def send() -> Any:
        try:
            return client.call("ingest", records=batch)
        except AdminError:
            pass  # maybe acknowledged: the same records again are stored once
        try:
            return client.call("ingest", records=batch)
        except AdminError as exc:
            raise LocalError(
                f"ingest of lines {lines[0]}..{lines[-1]} failed twice: {exc}. Lines before {lines[0]} "
                f"were ingested ({ok} records); lines {lines[0]}..{lines[-1]} may or may not have been. "
                f"Resume from line {lines[0]}: a line with ts_ms is stored once however often it is sent; "
                f"one without gets a new ts_ms in each run, so it may be stored twice") from None

    def flush() -> None:
        nonlocal ok, batch_bytes
        if not batch:
            return
        res = send()
        ok += len(res["cids"])
        for e in res["errors"]:
            errors.append({"line": lines[e["index"]], "error": e["error"]})
        batch.clear()
        lines.clear()
        batch_bytes = 0

    progress = None
    if not args.json and sys.stderr.isatty():
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        size = None if args.file == "-" else os.path.getsize(args.file)
        progress = Progress(TextColumn("ingest"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                            TextColumn("{task.fields[ok]} records"), transient=True)
        task = progress.add_task("ingest", total=size, ok=0)
        progress.start()
    try:
        for lineno, raw in enumerate(fh, 1):
            if progress is not None:
                progress.update(task, advance=len(raw), ok=ok)
            if not raw.strip():
                continue
            total += 1
            obj, why = _parse_line(raw)
            if why is not None:
                errors.append({"line": lineno, "error": why})
                continue
            if isinstance(obj, dict) and "ts_ms" not in obj:
                obj["ts_ms"] = int(time.time() * 1000)  # once: a re-send must be the same record
            if batch and (len(batch) >= batch_max or batch_bytes + len(raw) > INGEST_MAX_BATCH_BYTES):
                flush()
            batch.append(obj)
            lines.append(lineno)
            batch_bytes += len(raw)
        flush()
    finally:
        if progress is not None:
            progress.stop()
        if fh is not sys.stdin.buffer:
            fh.close()
    out = {"read": total, "ingested": ok, "errors": sorted(errors, key=lambda e: e["line"])}
    if args.json:
        _print(args, out)
    else:
        for e in out["errors"][:50]:
            print(f"line {e['line']}: {e['error']}", file=sys.stderr)
        print(f"ingested {ok} of {total} records" + (f", {len(errors)} bad lines" if errors else ""))
    return 0 if not errors else 1


def _parse_line(raw: bytes) -> tuple[Any, str | None]:
    """One JSON line: (object, None), or (None, why it is refused). Never raises."""
    if len(raw) > INGEST_MAX_BATCH_BYTES:
        return None, f"line longer than {INGEST_MAX_BATCH_BYTES} bytes"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 (byte {exc.start})"
    try:
        return json.loads(text), None
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg}"
    except ValueError as exc:  # integers over Python's 4300-digit limit
        return None, f"invalid JSON: {str(exc)[:100]}"


def register_devnet(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("devnet", help="run N local daemons with a synthetic workload and a live view")
    p.add_argument("--nodes", type=int, default=4)
    p.add_argument("--validators", type=int, help="how many of the nodes validate (default: all)")
    p.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    p.add_argument("--rate", type=float, default=2000.0, help="records/s ingested in total")
    p.add_argument("--dir", type=Path, help="put the network here (default: a new temp dir)")
    p.add_argument("--json", action="store_true", help="final summary as one JSON object")
    p.set_defaults(func=cmd_devnet)


def cmd_devnet(args: argparse.Namespace) -> int:
    from node.devnet import run_devnet
    from protocol.errors import LocalError

    if args.nodes < 1 or args.nodes > 64:
        raise LocalError("--nodes must be in [1, 64]")
    validators = args.validators if args.validators is not None else args.nodes
    return run_devnet(nodes=args.nodes, validators=validators, duration=args.duration, rate=args.rate,
                      directory=args.dir, as_json=args.json)
