"""bench_node's process engine: the same phases with 4 ``attnshare run`` daemons, one OS process each.

The in-process bench runs four nodes in one interpreter, so their Python
shares one GIL: it measures a ceiling a real network (one node per process or
machine) does not have. Here each validator is its own daemon (loopback
libp2p), fed through its admin API exactly as ``attnshare ingest`` does, and
the network is created and run with the measured checkout's own code (its
genesis format, ``python -m`` in that tree), so the same script compares two
trees.

Per phase (a fresh network each): records committed on every node per
second, commit latency p50/p99 (node 0's daemon, the phase's blocks only),
and the daemons' CPU (user + system, all threads, /proc) per committed and
per fed record. The feeder (this process) encodes JSON on the same 2 cores;
its CPU is not counted. Each feeder checks ``status`` before a request (about
2.5 ms of daemon CPU per 500 records, 5 µs a record), to keep a bounded
backlog at saturation.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

_CREATE = (
    "import json, sys; from pathlib import Path; from node.config import PipelineConfig; "
    "from node.sim.localnet import LocalNet; from protocol.cid import cid_of; a = json.loads(sys.argv[2]); "
    "LocalNet.create(Path(sys.argv[1]), 4, 4, network_id='bench', "
    "model_id=cid_of(Path('node/attention/model.pt').read_bytes()), "
    "pipeline=PipelineConfig(block_max_records=a['block'], window=a['block']), genesis_kw=a['genesis'])"
)


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start(tree: Path, root: Path, block: int, ship_all: bool) -> tuple[list[subprocess.Popen[bytes]], list[Path]]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONUNBUFFERED": "1"}
    genesis = {"ship_share": 1.0, "min_block_importance": 0.0} if ship_all else {}
    subprocess.run([sys.executable, "-c", _CREATE, str(root), json.dumps({"block": block, "genesis": genesis})],
                   cwd=tree, env=env, check=True)
    dirs = [Path(n["data_dir"]) for n in json.loads((root / "localnet.json").read_text())["nodes"]]
    procs = []
    for d in dirs:
        with open(d / "daemon.log", "wb") as log:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "node.cli", "run", "--data-dir", str(d), "--log-level", "WARNING"],
                cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    return procs, dirs


def _wait_up(clients: list[Any], procs: list[subprocess.Popen[bytes]], dirs: list[Path]) -> None:
    from protocol.errors import AttnshareError

    deadline = time.monotonic() + 120
    for c, p, d in zip(clients, procs, dirs, strict=True):
        while True:
            try:
                c.call("status")
                break
            except (AttnshareError, OSError):
                if p.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"daemon did not start; see {d / 'daemon.log'}") from None
                time.sleep(0.2)
    # Every validator must see the other three before load starts (the mesh forms by gossip).
    while not all(c.call("status")["peers"] >= 3 for c in clients):
        if time.monotonic() > deadline:
            raise SystemExit("the 4 daemons did not connect within 120 s")
        time.sleep(0.2)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def run_phase(tree: Path, root: Path, pool: list[list[dict[str, Any]]], *, seconds: float, rate: float | None,
              block: int, ship_all: bool, label: str) -> dict[str, Any]:
    from node.admin import AdminClient

    procs, dirs = _start(tree, root / label, block, ship_all)
    try:
        clients = [AdminClient(d, timeout=120) for d in dirs]
        _wait_up(clients, procs, dirs)
        st0 = [c.call("status") for c in clients]
        blocks0 = st0[0]["committed_blocks"]
        cpu0 = sum(_cpu_s(p.pid) for p in procs)
        t0 = time.monotonic()
        fed = [0] * len(dirs)
        batch = len(pool[0])

        def feed(k: int) -> None:
            client = AdminClient(dirs[k], timeout=120)
            i = k
            while time.monotonic() - t0 < seconds:
                if rate is None and client.call("status")["pending"] > 2 * block:
                    time.sleep(0.02)
                    continue
                client.call("ingest", records=pool[i % len(pool)])
                fed[k] += batch
                i += len(dirs)
                if rate is not None:
                    time.sleep(batch * len(dirs) / rate)

        threads = [threading.Thread(target=feed, args=(k,)) for k in range(len(dirs))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - t0
        cpu = sum(_cpu_s(p.pid) for p in procs) - cpu0
        st = [c.call("status") for c in clients]
    finally:
        _stop(procs)
    committed = min(b["committed_records"] - a["committed_records"] for a, b in zip(st0, st, strict=True))
    n_fed = sum(fed)
    return {
        "phase": label, "engine": "process", "seconds": round(elapsed, 1), "fed_records": n_fed,
        "fed_per_s": n_fed / elapsed, "committed_records_all_nodes": committed,
        "committed_per_s": committed / elapsed,
        # The daemon's figures cover its whole life; the network is fresh per phase and idle before it.
        "commit_latency_ms_p50": st[0]["commit_latency_ms_p50"], "commit_latency_ms_p99": st[0]["commit_latency_ms_p99"],
        "blocks": st[0]["committed_blocks"] - blocks0,
        "cpu_s": round(cpu, 2), "cpu_ms_per_committed_record": 1000 * cpu / committed if committed else None,
        "cpu_ms_per_fed_record": 1000 * cpu / n_fed if n_fed else None,
    }
