"""Benchmark: one node's intake on one core, through the admin API that ``attnshare ingest`` uses.

A single-validator network of one daemon (a real ``attnshare run`` process,
default pipeline: window 512, genesis thresholds, so the model decides and
about 5% ship in blocks the node commits alone). The daemon is pinned to one
CPU (``sched_setaffinity`` before it starts; every thread it spawns inherits
it) and scores with one torch thread. This process is pinned to the other CPU
and sends pre-generated workload records exactly as ``attnshare ingest`` does:
JSON-RPC ``ingest`` calls of ``--batch`` records over the 0600 Unix socket,
each answered only after the store committed them (``synchronous=FULL``).

Measured per run:

* ``acked_per_s``: records acknowledged durably per second (client view);
* ``decided_per_s``: records ingested durably, featurized, scored and decided
  (kept or shipped) per second: ``N`` over the time from the first request
  until the daemon reports nothing pending and every record decided;
* ``cpu_us_per_record``: the daemon's CPU time (user + system, all threads,
  /proc) over that interval, per record;
* ``loop_us_per_record`` and ``workers_us_per_record``: the same split into
  the event loop (the main thread) and the worker threads (store, model,
  block building; trio's thread cache reuses them for any job);
* ``cpu_busy_share`` and ``runqueue_wait_share``: the share of that interval
  the daemon's threads ran, and were runnable but waiting for the core (other
  jobs on it), from /proc/PID/task/*/schedstat. Busy + wait well under 1
  would mean the pipeline waits on itself; a large wait means the machine.

Before/after in one run: ``--baseline DIR`` names another checkout (e.g. a
``git worktree add /tmp/base 2d7c5d0``); its daemon runs with
``PYTHONPATH=DIR`` and its own model checkpoint, alternating with this tree
``--repeat`` times, and the table prints both and their ratio.

``--stages`` adds the CPU per record of each stage (JSON to Record, durable
insert, featurize, assemble, forward pass (the scorer's fast path and
``model.forward``), mark kept) measured in this
process with thread CPU time: the floor, robust to a loaded machine.

Usage: python scripts/bench_intake.py [--records 60000] [--batch 2000] [--baseline DIR] [--repeat 2]
       [--stages] [--out bench_intake.json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from node.admin import AdminClient  # noqa: E402
from node.sim.cluster import workload_json  # noqa: E402
from protocol.cid import cid_of  # noqa: E402
from protocol.errors import AttnshareError  # noqa: E402

DAEMON_CPU = 0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sched_s(pid: int) -> tuple[float, float]:
    """(seconds on a CPU, seconds runnable but waiting for one) over the process's live threads.

    From /proc/PID/task/*/schedstat. The second figure tells a pipeline that
    waits on itself (low) from a process that wants the CPU and does not get
    it because other jobs share its core (high).
    """
    run = wait = 0
    for t in Path(f"/proc/{pid}/task").iterdir():
        try:
            a, b, _ = (t / "schedstat").read_text().split()
        except (OSError, ValueError):
            continue  # the thread ended meanwhile
        run += int(a)
        wait += int(b)
    return run / 1e9, wait / 1e9


def _threads_cpu_s(pid: int) -> dict[str, float]:
    """CPU seconds per thread: the event loop (the main thread) apart from the worker threads
    (store and model work, block building), which trio's thread cache reuses for any job."""
    out: dict[str, float] = {"event loop": 0.0, "worker threads": 0.0}
    tick = os.sysconf("SC_CLK_TCK")
    for t in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (t / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        key = "event loop" if t.name == str(pid) else "worker threads"
        out[key] += (int(fields[11]) + int(fields[12])) / tick
    return out


def _model_id(tree: Path) -> str:
    return cid_of((tree / "node" / "attention" / "model.pt").read_bytes())


_CREATE = (
    "import sys; from pathlib import Path; from node.config import PipelineConfig; "
    "from node.sim.localnet import LocalNet; from protocol.cid import cid_of; "
    "w = int(sys.argv[2]); "
    "LocalNet.create(Path(sys.argv[1]), 1, 1, network_id='intake', "
    "model_id=cid_of(Path('node/attention/model.pt').read_bytes()), "
    "pipeline=PipelineConfig(window=w) if w else None)"
)


def _start_daemon(tree: Path, root: Path, profile: Path | None = None,
                  window: int = 0) -> tuple[subprocess.Popen[bytes], Path]:
    """Create a one-validator network with ``tree``'s own code (its genesis format) and start its daemon.

    ``python -m`` puts its working directory first on sys.path, so the daemon
    runs in ``tree`` (with ``PYTHONPATH=tree`` too) and imports that tree's code.
    """
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONUNBUFFERED": "1"}
    subprocess.run([sys.executable, "-c", _CREATE, str(root), str(window)], cwd=tree, env=env, check=True)
    data_dir = Path(json.loads((root / "localnet.json").read_text())["nodes"][0]["data_dir"])
    log = open(data_dir / "daemon.log", "wb")  # noqa: SIM115 - the child holds it; closed with the run
    prof = ["-m", "cProfile", "-o", str(profile)] if profile is not None else []
    proc = subprocess.Popen(
        [sys.executable, *prof, "-m", "node.cli", "run", "--data-dir", str(data_dir), "--log-level", "WARNING"],
        cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=lambda: os.sched_setaffinity(0, {DAEMON_CPU}),
    )
    log.close()
    return proc, data_dir


def run_once(tree: Path, batches: list[list[dict[str, Any]]], root: Path, label: str,
             profile: Path | None = None, window: int = 0) -> dict[str, Any]:
    """One fresh daemon of ``tree`` fed every batch; returns the figures of the module docstring."""
    n_records = sum(len(b) for b in batches)
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, (cpus - {DAEMON_CPU}) or cpus)
    proc, data_dir = _start_daemon(tree, root / label, profile, window)
    try:
        client = AdminClient(data_dir, timeout=120)
        deadline = time.monotonic() + 120
        while True:
            try:
                st = client.call("status")
                break
            except (AttnshareError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{label}: daemon did not start; see {data_dir / 'daemon.log'}") from None
                time.sleep(0.2)
        if st["model_id"] != _model_id(tree):
            raise SystemExit(f"{label}: the daemon did not load {tree}'s model")
        cpu0, t0, sched0 = _cpu_s(proc.pid), time.monotonic(), _sched_s(proc.pid)
        threads0 = _threads_cpu_s(proc.pid)
        for b in batches:
            res = client.call("ingest", records=b)
            if res["errors"]:
                raise SystemExit(f"{label}: ingest errors: {res['errors'][:3]}")
        t_acked = time.monotonic()
        while True:
            st = client.call("status")
            if st["ingested"] >= n_records and st["pending"] == 0 and st["kept"] + st["shipped"] >= n_records:
                break
            if time.monotonic() - t0 > 600:
                raise SystemExit(f"{label}: not done after 600 s: {st}")
            # A status call costs the daemon about 2.5 ms (it lists its addresses): poll rarely.
            time.sleep(0.1)
        t_done = time.monotonic()
        cpu = _cpu_s(proc.pid) - cpu0
        sched = _sched_s(proc.pid)
        threads = {k: v - threads0.get(k, 0.0) for k, v in _threads_cpu_s(proc.pid).items()}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.sched_setaffinity(0, cpus)
    return {
        "tree": str(tree), "records": n_records, "batch": len(batches[0]),
        "acked_per_s": n_records / (t_acked - t0), "decided_per_s": n_records / (t_done - t0),
        "cpu_us_per_record": 1e6 * cpu / n_records, "daemon_cpu_s": round(cpu, 2),
        "loop_us_per_record": 1e6 * threads["event loop"] / n_records,
        "workers_us_per_record": 1e6 * threads["worker threads"] / n_records,
        # Share of the interval the daemon ran, and waited runnable for its (shared) core.
        "cpu_busy_share": (sched[0] - sched0[0]) / (t_done - t0),
        "runqueue_wait_share": (sched[1] - sched0[1]) / (t_done - t0),
        "shipped": st["shipped"], "kept": st["kept"], "blocks": st["committed_blocks"],
    }


def stage_costs(objs: list[dict[str, Any]], window: int, batch: int) -> dict[str, float]:
    """CPU microseconds per record of each intake stage, in this process, on one thread.

    Thread CPU time, so the figures hold on a loaded machine where wall time
    does not: JSON to Record (``record_from_json``), the durable insert
    (``add_records_new``, synchronous=FULL, ``batch`` per transaction),
    featurization (once per record), window assembly and the forward pass
    (windows of ``window``, no history and a full 4,096-record history), and
    marking the decided records ``kept``. What the daemon adds on top (JSON-RPC
    parsing, the event loop, the 5% that ship in blocks) is the difference
    between these and the daemon's CPU per record.
    """
    import torch

    from node.attention import load_scorer
    from node.attention.features import assemble_window, featurize_record
    from node.store import Store
    from protocol.keys import PrivateKey
    from protocol.record import record_from_json

    me = PrivateKey(bytes(32)).peer_id
    scorer = load_scorer()  # pins torch to one thread
    out: dict[str, float] = {}

    def timed(label: str, n: int, fn: Any) -> Any:
        t = time.thread_time()
        res = fn()
        out[label] = 1e6 * (time.thread_time() - t) / n
        return res

    hist_objs, objs = objs[:4096], objs[4096:]
    n = len(objs) - len(objs) % window
    objs = objs[:n]
    recs = timed("record_from_json", n, lambda: [record_from_json(o, me) for o in objs])
    with tempfile.TemporaryDirectory() as d:
        store = Store.open(str(Path(d) / "s.sqlite"), local_origin=me)
        timed("add_records_new (FULL)", n, lambda: [store.add_records_new(recs[i : i + batch], 1)
                                                    for i in range(0, n, batch)])
        feats = timed("featurize", n, lambda: [featurize_record(r) for r in recs])
        wins = timed(f"assemble_window ({window})", n,
                     lambda: [assemble_window(feats[i : i + window]) for i in range(0, n, window)])
        with torch.inference_mode():
            timed(f"forward ({window})", n, lambda: [scorer.forward(w) for w in wins])
            timed(f"forward, model.forward ({window})", n, lambda: [scorer.model(w) for w in wins])
        hist = scorer.history([record_from_json(o, me) for o in hist_objs])
        timed(f"assemble + forward ({window}, 4096 history)", n,
              lambda: [scorer.score_features(feats[i : i + window], hist) for i in range(0, n, window)])
        cids = [r.cid for r in recs]
        timed("mark_records kept", n, lambda: [store.mark_records(cids[i : i + window], "kept",
                                                                  scores=[0.5] * len(cids[i : i + window]))
                                               for i in range(0, n, window)])
        store.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=60_000)
    ap.add_argument("--batch", type=int, default=2000, help="records per ingest request (attnshare ingest's default)")
    ap.add_argument("--baseline", type=Path, default=None, help="another checkout to measure side by side")
    ap.add_argument("--tree", type=Path, default=None,
                    help="the checkout measured as 'this' (default: the one holding this script)")
    ap.add_argument("--repeat", type=int, default=2, help="runs per tree, alternating")
    ap.add_argument("--out", default="bench_intake.json")
    ap.add_argument("--window", type=int, default=0,
                    help="the daemons' pipeline.window (records scored together); 0: the config default")
    ap.add_argument("--stages", action="store_true",
                    help="also measure each stage's CPU per record in this process (thread CPU time), "
                         "with the code of the checkout holding this script (not --tree)")
    ap.add_argument("--profile", type=Path, default=None,
                    help="cProfile this tree's daemon (its event loop thread) into this file (.prof)")
    args = ap.parse_args()
    if len(os.sched_getaffinity(0)) < 2:
        print("note: one CPU available; daemon and client share it", file=sys.stderr)
    now = int(time.time() * 1000)
    # Pre-generated, so that generating records costs the daemon nothing; distinct seeds, so
    # every record is new to the store.
    recs = workload_json(args.records, seed=7, now_ms=now)
    batches = [recs[i : i + args.batch] for i in range(0, len(recs), args.batch)]
    this = args.tree.resolve() if args.tree else REPO
    trees = [("this", this)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    root = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in trees}
    for rep in range(args.repeat):
        for name, tree in (trees if rep % 2 == 0 else trees[::-1]):
            prof = args.profile.resolve() if args.profile and name == "this" and rep == 0 else None
            r = run_once(tree, batches, root, f"{name}-{rep}", prof, args.window)
            runs[name].append(r)
            print(f"{name:8} run {rep}: acked {r['acked_per_s']:8.0f}/s  decided {r['decided_per_s']:8.0f}/s  "
                  f"daemon CPU {r['cpu_us_per_record']:6.1f} us/record (loop {r['loop_us_per_record']:.1f}), ran {r['cpu_busy_share']:.0%} of the time, "
                  f"waited for its core {r['runqueue_wait_share']:.0%}  (shipped {r['shipped']}, kept {r['kept']})",
                  flush=True)
    keys = ("acked_per_s", "decided_per_s", "cpu_us_per_record", "loop_us_per_record", "workers_us_per_record",
            "cpu_busy_share", "runqueue_wait_share")
    summary = {name: {k: statistics.median(r[k] for r in rs) for k in keys} for name, rs in runs.items()}
    print(f"\nintake, one node on one core, window {args.window or 'default'}, {args.records} records "
          f"in requests of {args.batch} "
          f"(median of {args.repeat}; load average {os.getloadavg()[0]:.2f})")
    print(f"{'metric':24} " + " ".join(f"{name:>12}" for name in summary) + ("       ratio" if args.baseline else ""))
    for k in keys:
        vals = [summary[name][k] for name in summary]
        line = f"{k:24} " + " ".join(f"{v:12.2f}" if v < 10 else f"{v:12.1f}" for v in vals)
        if args.baseline:
            line += f" {vals[0] / vals[1]:11.2f}x"
        print(line)
    stages = None
    if args.stages:
        from node.config import PipelineConfig

        stages = stage_costs(workload_json(4096 + 16 * 1024, seed=11, now_ms=now),
                             args.window or PipelineConfig().window, args.batch)
        print("\nCPU per record by stage (this tree, one thread, thread CPU time):")
        for k, v in stages.items():
            print(f"  {k:44} {v:8.1f} us")
        core = sum(v for k, v in stages.items() if not k.startswith(("assemble + forward", "forward, model")))
        print(f"  {'sum (no history): one core could decide':44} {1e6 / core:8.0f} records/s")
    Path(args.out).write_text(json.dumps({"summary": summary, "runs": runs, "records": args.records,
                                          "batch": args.batch, "loadavg": os.getloadavg(), "stages": stages},
                                         indent=2))
    print(f"wrote {args.out}")
    subprocess.run(["rm", "-rf", str(root)], check=False)


if __name__ == "__main__":
    main()
