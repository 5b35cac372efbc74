"""Running one scenario end to end: ``run_scenario(scenario, out_dir)``.

Theory of operation
-------------------
1. **Set up.** A fresh LocalNet under ``out_dir/net``: a data dir per node and
   one genesis (network ``sim``). Late joiners are not started; rogue nodes
   (byzantine faults) start their ``node.sim.rogue`` process, which joins and
   idles until its fault time; every other daemon starts at once, and the
   runner waits until each answers ``status`` and has peers, and each rogue
   has joined.
2. **Load.** ``t = 0`` when the feeder threads start. The main thread walks
   the fault timeline, stops the feeder at the workload's end, samples every
   node's ``status`` once a second (the time series in the report) and notes
   any honest daemon that exits without the scenario killing it.
3. **Settle.** Rogues are stopped; the runner waits up to ``settle_s`` until
   the honest nodes that are up have nothing pending and the same number of
   committed blocks, twice in a row.
4. **Check.** Every daemon gets SIGTERM (exit codes kept); then each honest
   node's store is opened and the invariants of :mod:`node.sim.invariants`
   are checked; the report of :mod:`node.sim.report` is written.

All of it is blocking code in one thread plus the feeder threads: the daemons
are separate processes, reached through their admin sockets.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from node.admin import AdminError
from node.config import PipelineConfig
from node.model_info import default_model_id
from node.sim.faults import FaultDriver
from node.sim.feeder import Feeder
from node.sim.invariants import (
    ProcessFacts,
    check_all,
    read_view,
    sent_equivocations,
)
from node.sim.localnet import LocalNet
from node.sim.report import write_report as _write
from node.sim.result import SimResult
from node.sim.scenario import RELAYED_KINDS, ROGUE_KINDS, VIRTUAL_ONLY_KINDS, Scenario
from protocol.errors import ConfigError, LocalError

SAMPLE_S = 1.0
STEP_S = 0.1
READY_TIMEOUT_S = 120.0
CONNECT_TIMEOUT_S = 30.0
ROGUE_READY_TIMEOUT_S = 60.0


class _Progress:
    """The progress bar (rich, on stderr); a no-op when disabled."""

    def __init__(self, enabled: bool, total_s: float, name: str) -> None:
        self._p: Any = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self._p = Progress(TextColumn("[bold]{task.fields[phase]:<8}"), BarColumn(), TimeElapsedColumn(),
                           TextColumn("{task.fields[note]}"), console=Console(stderr=True), transient=False)
        self._p.start()
        self._task = self._p.add_task(name, total=total_s, phase="start", note=name)

    def update(self, t_s: float, phase: str, note: str = "") -> None:
        if self._p is not None:
            self._p.update(self._task, completed=max(0.0, t_s), phase=phase, note=note)

    def close(self, total: float | None = None) -> None:
        if self._p is not None:
            if total is not None:
                self._p.update(self._task, completed=total)
            self._p.stop()


def run_scenario(
    scenario: Scenario,
    out_dir: Path,
    *,
    progress: bool = True,
    log_level: str = "INFO",
    write_report: bool = True,
) -> SimResult:
    """Run ``scenario`` with its network under ``out_dir/net``; see the module docstring."""
    sc = scenario
    bad = sorted({f.kind for f in sc.faults} & VIRTUAL_ONLY_KINDS)
    if bad:
        raise ConfigError(f"fault kind(s) {bad} need the virtual engine (--engine virtual)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if (out_dir / "net").exists():
        raise LocalError(f"{out_dir / 'net'} already exists; give an empty or new --out directory")
    timings: dict[str, float] = {}
    t_setup = time.monotonic()
    net = LocalNet.create(
        out_dir / "net", sc.nodes, sc.validators, network_id="sim", model_id=default_model_id(),
        pipeline=PipelineConfig(block_interval_ms=sc.network.block_interval_ms),
        anti_entropy_s=sc.network.anti_entropy_s, genesis_kw=dict(sc.genesis), n_proposers=sc.proposers,
        net_kw={k: v for k, v in (("ping_interval_s", sc.network.ping_interval_s),
                                  ("ping_failures_to_drop", sc.network.ping_failures_to_drop)) if v is not None},
        relayed=any(f.kind in RELAYED_KINDS for f in sc.faults),
    )
    rogue, late = sc.rogue_nodes, sc.late_nodes
    honest = [i for i in range(sc.nodes) if i not in rogue]
    initial = [i for i in honest if i not in late]
    driver = FaultDriver(net, out_dir, end_of_load_s=sc.workload.duration_s, seed=sc.seed)
    feeder = Feeder(net, sc.workload, sc.fed_nodes, sc.seed)
    total_s = sc.timeline_end_s + sc.settle_s
    bar = _Progress(progress, total_s, sc.name)
    samples: list[dict[str, Any]] = []
    crashes: dict[int, list[str]] = {i: [] for i in honest}
    seen_dead: set[int] = set()
    rogue_codes: dict[int, int | None] = {}
    cpu_at_t0: dict[int, float | None] = {}
    t0_ms = 0
    try:
        if net.relay_ports:
            driver.relay = net.relay()
        for i in initial:
            net.start(i, log_level=log_level)
        for f in sc.faults:
            if f.kind in ROGUE_KINDS:
                driver.prepare_rogue(f)
        _wait_ready(net, initial)
        _wait_connected(net, initial)
        driver.wait_rogues_ready(ROGUE_READY_TIMEOUT_S)
        timings["setup_s"] = time.monotonic() - t_setup
        cpu_at_t0 = {i: _cpu_s(net.nodes[i].proc) for i in initial}  # start-up (torch, model) left out
        t0_ms = int(time.time() * 1000)
        mono0 = time.monotonic()
        feeder.start()
        pending = list(sc.faults)
        load_running = True
        next_sample = 0.0
        last_note = "load"
        while True:
            t = time.monotonic() - mono0
            while pending and pending[0].at_s <= t:
                f = pending.pop(0)
                applied = driver.apply(f, t)
                last_note = f"{applied.label}" + ("" if applied.ok else " (FAILED)")
            if load_running and t >= sc.workload.duration_s:
                feeder.stop()
                load_running = False
            if t >= next_sample:
                samples.append(_sample(net, t, skip=driver.paused))
                _note_crashes(net, honest, driver, crashes, seen_dead, t)
                next_sample = t + SAMPLE_S
            bar.update(t, "load" if load_running else "faults", last_note)
            if not pending and not load_running and t >= sc.timeline_end_s:
                break
            time.sleep(STEP_S)
        timings["load_s"] = time.monotonic() - mono0
        rogue_codes.update(driver.stop_rogues())
        t_settle = time.monotonic()
        _settle(net, honest, driver, sc.settle_s, samples, mono0, bar, crashes, seen_dead)
        timings["settle_s"] = time.monotonic() - t_settle
        bar.update(time.monotonic() - mono0, "check", "stopping daemons")
    finally:
        feeder.stop()
        driver.resume_all()
        up_at_end = {i for i in honest if net.nodes[i].alive()}
        # The daemons' own CPU (user + system) from the start of the load to the end of settling:
        # what calibration fits the virtual engine's shared-host costs to. Read before SIGTERM, while
        # /proc still has them; a daemon restarted meanwhile is left out (its start-up would count).
        cpu = [(c or 0.0) - (cpu_at_t0.get(i) or 0.0) for i in sorted(up_at_end)
               if net.nodes[i].restarts == 0 and (c := _cpu_s(net.nodes[i].proc)) is not None]
        if cpu:
            timings["daemons_cpu_s"] = sum(cpu)
        codes = net.stop_all()
        for node, code in driver.stop_rogues().items():
            rogue_codes.setdefault(node, code)
        if driver.relay is not None:
            driver.relay.stop()
        bar.close(total_s)
    t_check = time.monotonic()
    views = []
    for i in honest:
        n = net.nodes[i]
        if n.proc is None and n.restarts == 0:
            continue  # never started (a join that did not happen): no store to read
        views.append(read_view(i, n.data_dir, n.peer_id, feeder.acked.cids.get(i, []), i in up_at_end))
    procs = [
        ProcessFacts(i, net.nodes[i].proc is not None, i in driver.killed, tuple(crashes[i]),
                     codes.get(i) if i in up_at_end else None)
        for i in honest
    ]
    rogue_events = {f"node{r.node}-{r.mode}": r.events() for r in driver.rogues}
    # Evidence is owed only for equivocations whose two messages went out (sent_equivocations).
    injected = sent_equivocations(rogue_events)
    checks = check_all(sc, views, net.genesis, honest_ids=[net.nodes[i].peer_id for i in honest], procs=procs,
                       applied=list(driver.applied), injected=injected, rogue_events=rogue_events,
                       samples=samples, t0_ms=t0_ms)
    timings["check_s"] = time.monotonic() - t_check
    result = SimResult(sc, out_dir, checks, list(driver.applied), samples, views, rogue_events, feeder, t0_ms,
                       timings, {**codes, **rogue_codes})
    if write_report:
        t_rep = time.monotonic()
        result.report = _write(result, net)
        timings["report_s"] = time.monotonic() - t_rep
    return result


# ---------------------------------------------------------------------- helpers
def _wait_ready(net: LocalNet, nodes: list[int]) -> None:
    """Wait for every starting daemon's readiness event (LocalNet.wait_ready), within one deadline."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    for i in nodes:
        net.wait_ready(i, timeout=max(1.0, deadline - time.monotonic()))


def _wait_connected(net: LocalNet, nodes: list[int]) -> None:
    """Wait (bounded) until every started node sees enough peers for gossip to reach everyone.

    One blocking ``peers.wait`` admin call per node: the daemon answers when its own peer-change
    event shows enough peers, so nothing polls. The calls overlap in time, so the whole wait is
    the slowest node's, within one deadline. A node that is down or refuses is left to the
    invariants.
    """
    want = min(len(nodes) - 1, 3)
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    for i in nodes:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        try:
            net.nodes[i].client(timeout=left + 5).call("peers.wait", count=want, timeout_s=left)
        except (AdminError, OSError):
            continue


def _cpu_s(proc: Any) -> float | None:
    """User + system CPU seconds of a running child (Linux /proc), or None."""
    if proc is None or proc.poll() is not None:
        return None
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status(net: LocalNet, i: int) -> dict[str, Any] | None:
    """``status`` of node ``i`` with the call's own latency as ``status_ms`` (None if it is down)."""
    n = net.nodes[i]
    if not n.alive():
        return None
    t0 = time.monotonic()
    try:
        st: dict[str, Any] = n.client(timeout=5).call("status")
    except (AdminError, OSError):
        return None
    st["status_ms"] = round((time.monotonic() - t0) * 1000, 1)
    return st


_SAMPLED = ("committed_blocks", "committed_records", "pending", "peers", "ingested", "shipped", "rejected_blocks",
            "evidence", "gossip_bytes_in", "gossip_bytes_out", "gossip_msgs_in", "gossip_msgs_out",
            "commit_latency_ms_p50", "commit_latency_ms_p99", "status_ms")


def _sample(net: LocalNet, t: float, skip: set[int] | frozenset[int] = frozenset()) -> dict[str, Any]:
    """Every node's ``status`` (None: down, or in ``skip``: paused, which would only time out)."""
    nodes: dict[str, Any] = {}
    for n in net.nodes:
        st = None if n.index in skip else _status(net, n.index)
        nodes[str(n.index)] = None if st is None else {k: st.get(k) for k in _SAMPLED}
    return {"t": round(t, 2), "nodes": nodes}


def _note_crashes(net: LocalNet, honest: list[int], driver: FaultDriver, crashes: dict[int, list[str]],
                  seen_dead: set[int], t: float) -> None:
    """An honest daemon that exited while the scenario had not killed it crashed."""
    for i in honest:
        proc = net.nodes[i].proc
        if proc is None or proc.poll() is None or i in driver.killed or id(proc) in seen_dead:
            continue
        seen_dead.add(id(proc))
        crashes[i].append(f"exited with {proc.returncode} at t={t:.1f}s; see {net.nodes[i].log_path}")


def _settle(net: LocalNet, honest: list[int], driver: FaultDriver, settle_s: float, samples: list[dict[str, Any]],
            mono0: float, bar: _Progress, crashes: dict[int, list[str]], seen_dead: set[int]) -> None:
    """Wait until the honest nodes that are up agree on their committed count and have nothing pending."""
    deadline = time.monotonic() + settle_s
    previous: tuple[int, ...] | None = None
    while time.monotonic() < deadline:
        t = time.monotonic() - mono0
        sample = _sample(net, t, skip=driver.paused)
        samples.append(sample)
        _note_crashes(net, honest, driver, crashes, seen_dead, t)
        up = [sample["nodes"][str(i)] for i in honest if net.nodes[i].alive()]
        counts = tuple(s["committed_blocks"] if s else -1 for s in up)
        converged = bool(up) and all(s and s["pending"] == 0 for s in up) and len(set(counts)) == 1
        bar.update(t, "settle", f"committed blocks per node: {sorted(set(counts))}")
        if converged and counts == previous:
            return
        previous = counts if converged else None
        time.sleep(SAMPLE_S)
