"""``attnshare devnet``: N local daemons, a synthetic workload, a live view, a summary.

The daemons are real OS processes (``attnshare run``) talking libp2p over
loopback; the devnet process only creates their data dirs, feeds records to
the validators through their admin sockets and polls ``status``. Ctrl-C (or
the end of ``--duration``) stops feeding, lets the network settle, stops every
daemon with SIGTERM and prints the summary.
"""

from __future__ import annotations

import json
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from node.admin import AdminError
from node.config import PipelineConfig
from node.model_info import default_model_id
from node.sim.localnet import LocalNet
from protocol.errors import LocalError

TICK_S = 0.25


def _feeder(net: LocalNet, rate: float, stop: threading.Event, counts: dict[int, int], errors: list[str]) -> None:
    """Ingest ``rate`` records/s in total, spread over the validators, in TICK_S batches."""
    from node.workload import Workload

    feeders = [n for n in net.nodes if n.validator]
    loads = {n.index: Workload(seed=1000 + n.index) for n in feeders}
    per_tick = rate * TICK_S / len(feeders)
    owed = dict.fromkeys(loads, 0.0)
    next_t = time.monotonic()
    while not stop.is_set():
        now_ms = int(time.time() * 1000)
        for n in feeders:
            owed[n.index] += per_tick
            k = int(owed[n.index])
            if k <= 0 or not n.alive():
                continue
            owed[n.index] -= k
            objs = []
            for rec, _imp in loads[n.index].next_batch(k, now_ms):
                obj = rec.to_json()
                del obj["origin"]
                objs.append(obj)
            try:
                res = n.client(timeout=30).call("ingest", records=objs)
                counts[n.index] = counts.get(n.index, 0) + len(res["cids"])
            except AdminError as exc:
                errors.append(f"node{n.index}: {exc}")
        next_t += TICK_S
        stop.wait(max(0.0, next_t - time.monotonic()))


def _poll(net: LocalNet) -> list[dict[str, Any] | None]:
    out: list[dict[str, Any] | None] = []
    for n in net.nodes:
        try:
            out.append(n.client(timeout=5).call("status") if n.alive() else None)
        except AdminError:
            out.append(None)
    return out


def _table(statuses: list[dict[str, Any] | None], net: LocalNet, elapsed: float, title: str) -> Any:
    from rich.table import Table

    t = Table(title=f"{title}  ({elapsed:.0f}s)")
    for col in ("node", "role", "peers", "ingested", "shipped", "kept", "pending", "blocks", "records",
                "p50 ms", "p99 ms", "gossip out"):
        t.add_column(col, justify="right")
    for n, st in zip(net.nodes, statuses, strict=True):
        if st is None:
            t.add_row(f"node{n.index}", n.role, "down", *[""] * 9)
            continue
        t.add_row(
            f"node{n.index}", st["role"], str(st["peers"]), str(st["ingested"]), str(st["shipped"]), str(st["kept"]),
            str(st["pending"]), str(st["committed_blocks"]), str(st["committed_records"]),
            _fmt(st["commit_latency_ms_p50"]), _fmt(st["commit_latency_ms_p99"]), _bytes(st["gossip_bytes_out"]),
        )
    return t


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.0f}"


def _bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.0f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n:.1f} TiB"


def run_devnet(
    *, nodes: int, validators: int, duration: float, rate: float, directory: Path | None, as_json: bool,
    settle_s: float = 15.0,
) -> int:
    root = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="attnshare-devnet-"))
    if root.exists() and any(root.iterdir()):
        raise LocalError(f"{root} is not empty; give an empty or new directory")
    pipeline = PipelineConfig(block_interval_ms=250)
    net = LocalNet.create(root, nodes, validators, model_id=default_model_id(), pipeline=pipeline)
    say = (lambda *a: print(*a, file=sys.stderr)) if as_json else print
    say(f"devnet: {nodes} nodes ({validators} validators) in {root}")
    interrupted = False

    def on_sigint(*_: Any) -> None:
        nonlocal interrupted
        interrupted = True

    old = signal.signal(signal.SIGINT, on_sigint)
    stop = threading.Event()
    counts: dict[int, int] = {}
    errors: list[str] = []
    t0 = time.monotonic()
    try:
        net.start_all()
        for i in range(nodes):
            net.wait_ready(i, timeout=120)
        say(f"devnet: all {nodes} daemons up after {time.monotonic() - t0:.1f}s; feeding {rate:.0f} records/s")
        feeder = threading.Thread(target=_feeder, args=(net, rate, stop, counts, errors), daemon=True)
        t_feed = time.monotonic()
        feeder.start()
        statuses = _live(net, lambda: interrupted or time.monotonic() - t_feed >= duration, t_feed, as_json)
        stop.set()
        feeder.join()
        # Settle: wait until every node holds the same number of committed blocks and nothing is pending.
        deadline = time.monotonic() + settle_s
        while time.monotonic() < deadline and not interrupted:
            statuses = _poll(net)
            live = [s for s in statuses if s]
            if live and all(s["pending"] == 0 for s in live) and len({s["committed_blocks"] for s in live}) == 1:
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - t_feed
    finally:
        codes = net.stop_all()
        signal.signal(signal.SIGINT, old)
    summary = _summary(net, statuses, elapsed, counts, errors, codes)
    if as_json:
        print(json.dumps(summary))
    else:
        from rich.console import Console

        Console(width=max(132, Console().width)).print(_table(statuses, net, elapsed, "devnet summary"))
        print(f"committed records/s: {summary['committed_records_per_s']:.0f}   "
              f"commit latency p50 {_fmt(summary['commit_latency_ms_p50'])} ms, "
              f"p99 {_fmt(summary['commit_latency_ms_p99'])} ms")
        print(f"nodes' data: {root}  (logs: {root}/node*/daemon.log)")
        for e in errors[:10]:
            print(f"feeder error: {e}")
    ok = all(s and s["committed_blocks"] > 0 for s in statuses)
    return 0 if ok and not interrupted else (130 if interrupted else 1)


def _live(net: LocalNet, done: Any, t0: float, quiet: bool) -> list[dict[str, Any] | None]:
    statuses = _poll(net)
    if quiet:
        while not done():
            time.sleep(0.5)
        return _poll(net)
    from rich.console import Console
    from rich.live import Live

    if not sys.stdout.isatty():
        # Piped or logged: one progress line every few seconds instead of a redrawn table.
        last = 0.0
        while not done():
            time.sleep(1.0)
            if time.monotonic() - last >= 5:
                last = time.monotonic()
                statuses = _poll(net)
                live = [st for st in statuses if st]
                print(f"[{time.monotonic() - t0:5.0f}s] ingested {sum(st['ingested'] for st in live)}, "
                      f"shipped {sum(st['shipped'] for st in live)}, committed records "
                      f"{max((st['committed_records'] for st in live), default=0)}", flush=True)
        return _poll(net)
    with Live(_table(statuses, net, 0, "devnet"), refresh_per_second=2, transient=False,
              console=Console()) as live:
        while not done():
            time.sleep(1.0)
            statuses = _poll(net)
            live.update(_table(statuses, net, time.monotonic() - t0, "devnet (Ctrl-C to stop)"))
    return statuses


def _summary(net: LocalNet, statuses: list[dict[str, Any] | None], elapsed: float, counts: dict[int, int],
             errors: list[str], codes: dict[int, int | None]) -> dict[str, Any]:
    nodes = []
    for n, st in zip(net.nodes, statuses, strict=True):
        st = st or {}
        nodes.append({
            "index": n.index, "peer_id": n.peer_id, "role": n.role, "data_dir": str(n.data_dir),
            "ingested": st.get("ingested", counts.get(n.index, 0)), "shipped": st.get("shipped"),
            "kept": st.get("kept"), "committed_blocks": st.get("committed_blocks"),
            "committed_records": st.get("committed_records"), "rejected_blocks": st.get("rejected_blocks"),
            "votes_cast": st.get("votes_cast"), "evidence": st.get("evidence"), "peers": st.get("peers"),
            "commit_latency_ms_p50": st.get("commit_latency_ms_p50"),
            "commit_latency_ms_p99": st.get("commit_latency_ms_p99"),
            "gossip_bytes_out": st.get("gossip_bytes_out"), "gossip_msgs_out": st.get("gossip_msgs_out"),
            "exit_code": codes.get(n.index),
        })
    live = [s for s in statuses if s]
    committed = max((s["committed_records"] for s in live), default=0)
    p50s = [s["commit_latency_ms_p50"] for s in live if s["commit_latency_ms_p50"] is not None]
    p99s = [s["commit_latency_ms_p99"] for s in live if s["commit_latency_ms_p99"] is not None]
    return {
        "dir": str(net.root), "duration_s": round(elapsed, 1), "network": net.genesis.network_id,
        "model_id": net.genesis.accepted_model_ids[0], "nodes": nodes,
        "ingested": sum(counts.values()), "committed_records": committed,
        "committed_records_per_s": committed / elapsed if elapsed > 0 else 0.0,
        "commit_latency_ms_p50": sorted(p50s)[len(p50s) // 2] if p50s else None,
        "commit_latency_ms_p99": max(p99s) if p99s else None,
        "gossip_bytes_out": sum(s["gossip_bytes_out"] for s in live),
        "gossip_msgs_out": sum(s["gossip_msgs_out"] for s in live),
        "agreement": len({s["committed_blocks"] for s in live}) <= 1,
        "feeder_errors": errors[:20],
    }
