"""The virtual engine: a whole scenario in one process, on virtual time, reproducible from its seed.

Theory of operation
-------------------
:func:`run_virtual` builds ``scenario.nodes`` :class:`~node.sim.virtual.node.VirtualNode`
objects over one :class:`~node.sim.virtual.net.VirtualNet` and one
:class:`~node.sim.virtual.clock.Scheduler`, then plays the scenario as the
process engine does, on virtual time:

1. keys and the genesis are derived from the scenario seed (validators are
   nodes ``0..validators-1``, as in a LocalNet); every honest node starts at
   ``t = 0`` except late joiners; rogue nodes join idle;
2. the workload is ingested at the fed nodes every ``batch_ms`` (the same
   generator, seeds and rates as the process engine's feeder), and each fault
   happens at its time;
3. after the timeline the network runs ``settle_s`` more simulated seconds;
4. the invariants of :mod:`node.sim.invariants` are checked on the nodes'
   stores, and the report is written.

Nothing reads the wall clock or global randomness, and every iteration is
over ordered containers, so the same scenario and seed give a byte-identical
``report.json``. Wall-clock timings go to ``run.json`` next to it.

An exception inside the simulated nodes is a crash: the run stops there and
the ``no-crash`` invariant fails with the exception (the explorer relies on
this to find bugs).
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from node.sim.invariants import (
    Check,
    NodeView,
    ProcessFacts,
    check_all,
    injected_equivocations,
)
from node.sim.scenario import PROCESS_ONLY_KINDS, ROGUE_KINDS, Fault, Scenario
from node.sim.virtual.clock import Scheduler
from node.sim.virtual.net import NetParams, VirtualNet
from node.sim.virtual.node import NodeConfig, NodeCosts, Shared, VirtualNode
from node.sim.virtual.rogue import VirtualFlood, VirtualProposer, VirtualVoter
from node.sim.virtual.scoring import SimScorer, TruthScorer, make_scorer
from protocol.errors import ConfigError
from protocol.genesis import Genesis
from protocol.keys import PrivateKey
from protocol.record import Record
from protocol.validators import ValidatorSet

#: Virtual time of the scenario's t = 0 (a fixed Unix ms, so headers and records carry plausible times).
T0_MS = 1_767_225_600_000
SAMPLE_MS = 1000
MODEL_MAX_NODES = 64
DEFAULT_SAMPLE_NODES = 16


@dataclass
class VirtualAcked:
    """What the fed nodes acknowledged, with ground truth (the shape the report reads)."""

    cids: dict[int, list[str]] = field(default_factory=dict)
    importance: dict[str, float] = field(default_factory=dict)
    json_bytes: dict[str, int] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    offered: int = 0

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.cids.values())


@dataclass
class _FeederShim:
    acked: VirtualAcked


@dataclass(frozen=True)
class _Applied:
    t_s: float
    kind: str
    label: str
    ok: bool
    detail: str = ""


@dataclass
class VirtualRun:
    """A finished virtual run: the nodes, the net, and what the report needs."""

    scenario: Scenario
    genesis: Genesis
    sched: Scheduler
    net: VirtualNet
    nodes: list[VirtualNode]
    shared: Shared
    acked: VirtualAcked
    applied: list[_Applied]
    samples: list[dict[str, Any]]
    crash: str | None
    wall_s: float
    cpu_s: float = 0.0
    #: the net's own parameters and the slow / lossy faults active now (``_degrade``)
    base_net: NetParams | None = None
    degraded: list[Fault] = field(default_factory=list)


def net_params(sc: Scenario) -> NetParams:
    names = {f.name for f in fields(NetParams)}
    return NetParams(**{k: v for k, v in sc.virtual.items() if k in names})


def node_costs(sc: Scenario) -> NodeCosts:
    names = {f.name for f in fields(NodeCosts)}
    costs = NodeCosts(**{k: (int(v) if k == "host_cores" else float(v)) for k, v in sc.virtual.items()
                         if k in names})
    costs.validate()
    return costs


def scorer_for(sc: Scenario, override: str | None = None) -> SimScorer:
    name = override or str(sc.virtual.get("scorer", "auto"))
    if name == "auto":
        name = "model" if sc.nodes <= MODEL_MAX_NODES else "truth"
    return make_scorer(name)


def node_key(seed: int, i: int) -> PrivateKey:
    return PrivateKey(hashlib.sha256(f"attnshare-sim/{seed}/node{i}".encode()).digest())


class _Feeder:
    """Ingests the workload at the fed nodes, like the process engine's feeder threads."""

    def __init__(self, run: VirtualRun, truth: TruthScorer | None) -> None:
        from node.workload import Workload

        sc = run.scenario
        self.run = run
        self.truth = truth
        self.per_node = sc.workload.rate / len(sc.fed_nodes) if sc.fed_nodes else 0.0
        self.tick = sc.workload.batch_ms
        self.owed = {i: 0.0 for i in sc.fed_nodes}
        self.wl = {i: Workload(sc.seed * 1000 + i, domains=sc.workload.domains, dup_rate=sc.workload.dup_ratio,
                               burst_rate=sc.workload.burst_ratio) for i in sc.fed_nodes}
        run.acked.cids = {i: [] for i in sc.fed_nodes}

    def step(self) -> None:
        """One batch tick of the scenario's rate at every fed node that is up."""
        for i in sorted(self.owed):
            if not self.run.nodes[i].up:
                self.owed[i] = 0.0
                continue
            self.owed[i] += self.per_node * self.tick / 1000
            k = int(self.owed[i])
            if k > 0:
                self.owed[i] -= k
                self.ingest(i, k, k)

    def replay(self, trace: dict[int, list[tuple[int, int, int]]], until_ms: int) -> None:
        """Offer exactly what another run's feeder offered: per node, at each (ms after the start,
        offered, acknowledged) draw ``offered`` records and ingest the first ``acknowledged``."""
        for i, calls in sorted(trace.items()):
            if i not in self.owed:
                raise ValueError(f"replayed load names node{i}, which the scenario does not feed")
            for t_ms, offered, acked in calls:
                self.run.sched.at(min(T0_MS + t_ms, until_ms), self._replayed, i, offered, acked)

    def _replayed(self, i: int, offered: int, acked: int) -> None:
        if self.run.nodes[i].up:
            self.ingest(i, offered, acked)

    def ingest(self, i: int, offered: int, acked: int) -> None:
        """Draw ``offered`` records of node ``i``'s workload; ingest (acknowledge) the first ``acked``."""
        run = self.run
        node = run.nodes[i]
        labeled = self.wl[i].next_labeled(offered, run.sched.now_ms)[:acked]
        records = [Record.create(lr.record.kind, node.me, lr.record.ts_ms, lr.record.fields) for lr in labeled]
        run.acked.offered += offered
        cids = node.ingest(records)
        run.acked.cids[i].extend(cids)
        for lr, r in zip(labeled, records, strict=True):
            run.acked.importance[r.cid] = lr.importance
            run.acked.json_bytes[r.cid] = len(json.dumps(r.to_json()))
            run.acked.order.append(r.cid)
            if self.truth is not None:
                self.truth.truth[r.cid] = lr.importance


def build(sc: Scenario, scorer_name: str | None = None) -> tuple[VirtualRun, _Feeder]:
    """Set up every node, the net and the timeline of ``sc`` (nothing has run yet)."""
    keys = [node_key(sc.seed, i) for i in range(sc.nodes)]
    scorer = scorer_for(sc, scorer_name)
    genesis_kw = {k: v for k, v in sc.genesis.items()}
    genesis = Genesis(network_id="sim", validators=ValidatorSet(k.peer_id for k in keys[: sc.validators]),
                      proposers=tuple(k.peer_id for k in keys[: sc.proposers]),
                      accepted_model_ids=(scorer.model_id,), block_interval_ms=sc.network.block_interval_ms,
                      genesis_time_ms=T0_MS, **genesis_kw)
    sched = Scheduler(sc.seed, start_ms=T0_MS)
    net = VirtualNet(sc.nodes, net_params(sc), sched, sc.seed)
    shared = Shared(genesis, scorer)
    costs = node_costs(sc)
    shared.host = [0.0] * costs.host_cores
    if costs.host_cores:  # forked only then: runs without a shared host keep their random streams
        shared.host_rng = sched.fork_rng("host-costs")
    cfg = NodeConfig(block_interval_ms=sc.network.block_interval_ms,
                     anti_entropy_ms=max(1, int(sc.network.anti_entropy_s * 1000)))
    rogue_of = {f.node: f for f in sc.faults if f.kind in ROGUE_KINDS}
    nodes: list[VirtualNode] = []
    for i, key in enumerate(keys):
        rng = sched.fork_rng(f"node{i}")
        f = rogue_of.get(i)
        cls: type[VirtualNode] = VirtualNode
        if f is not None:
            cls = {"byzantine-voter": VirtualVoter, "byzantine-proposer": VirtualProposer,
                   "flood": VirtualFlood}[f.kind]
        nodes.append(cls(i, key, shared, net, sched, costs, cfg, rng))
    for n in nodes:
        n.nodes = nodes
    shared.index_of = {n.me: n.index for n in nodes}
    shared.rogues = frozenset(nodes[i].me for i in rogue_of)
    run = VirtualRun(sc, genesis, sched, net, nodes, shared, VirtualAcked(), [], [], None, 0.0)
    truth = scorer if isinstance(scorer, TruthScorer) else None
    feeder = _Feeder(run, truth)
    for i, f in rogue_of.items():
        n = nodes[i]
        seed = sc.seed + i
        if isinstance(n, VirtualVoter):
            n.setup(f.max_equivocations, seed)
        elif isinstance(n, VirtualProposer):
            n.setup(f.actions, int(f.interval_s * 1000), seed, _rogue_pool(sc, n, truth))
        elif isinstance(n, VirtualFlood):
            n.setup(f.rate, seed)
    for i in sorted(sc.late_nodes):
        nodes[i].up = False
        net.set_up(i, False)
    for n in nodes:
        if n.up:
            n.start()
    return run, feeder


def _rogue_pool(sc: Scenario, node: VirtualNode, truth: TruthScorer | None) -> list[Record]:
    from node.workload import Workload

    wl = Workload(sc.seed * 1000 + 900 + node.index)
    out = []
    for lr in wl.next_labeled(256, T0_MS):
        r = Record.create(lr.record.kind, node.me, lr.record.ts_ms, lr.record.fields)
        out.append(r)
        if truth is not None:
            truth.truth[r.cid] = lr.importance
    return out


def _apply_fault(run: VirtualRun, f: Fault) -> None:
    net, nodes, t_s = run.net, run.nodes, round((run.sched.now_ms - T0_MS) / 1000, 2)
    ok, detail = True, ""
    if f.kind == "kill":
        assert f.node is not None
        if nodes[f.node].up:
            nodes[f.node].crash()
            net.set_up(f.node, False)
            detail = "crashed (volatile state lost, store kept)"
        else:
            ok, detail = False, f"node{f.node} was not running"
    elif f.kind in ("restart", "join"):
        assert f.node is not None
        if nodes[f.node].up:
            nodes[f.node].crash()
        net.set_up(f.node, True)
        nodes[f.node].restart()
        detail = "started again on its store" if f.kind == "restart" else "first start"
    elif f.kind == "partition":
        detail = f"{net.partition(f.groups)} pairs blocked"
    elif f.kind == "blackhole":
        detail = f"{net.blackhole(f.groups)} pairs silenced (connections and mesh edges kept)"
    elif f.kind == "heal":
        detail = f"{net.heal()} pairs unblocked"
    elif f.kind in ROGUE_KINDS:
        assert f.node is not None
        end = run.sched.now_ms + int(1000 * (f.duration_s if f.duration_s is not None
                                              else max(1.0, run.scenario.workload.duration_s - f.at_s)))
        rogue: Any = nodes[f.node]
        rogue.activate(end)
        detail = f"{f.kind} let loose until t={(end - T0_MS) / 1000:.1f}s"
    elif f.kind in ("slow", "lossy"):
        _degrade(run, f)
        detail = f"+{f.latency_ms:.0f} ms latency" if f.kind == "slow" else f"loss {f.loss:.0%}"
    run.applied.append(_Applied(t_s, f.kind, f.label, ok, detail))


def _degrade(run: VirtualRun, f: Fault) -> None:
    """Slow or lossy links for ``duration_s``: the net's own parameters plus every such fault
    active now (latencies add up, the worst loss holds), recomputed as each starts and ends.
    Each used to restore the parameters it found when it began, so overlapping faults left one
    another's in place for good: a lossy fault begun while links were slow put the slow latency
    back when it ended, for the rest of the run (an observer then caught up 1-2 blocks every 3 s
    and missed the settle time; `attnshare simulate explore`, session 37)."""
    net = run.net
    if run.base_net is None:
        run.base_net = net.p
    run.degraded.append(f)
    _apply_degraded(run)

    def restore() -> None:
        run.degraded.remove(f)
        _apply_degraded(run)

    run.sched.after(int(1000 * (f.duration_s or 5.0)), restore)


def _apply_degraded(run: VirtualRun) -> None:
    base = run.base_net
    assert base is not None
    slow = sum(d.latency_ms for d in run.degraded if d.kind == "slow")
    loss = max([base.loss] + [d.loss for d in run.degraded if d.kind == "lossy"])
    run.net.p = replace(base, latency_ms=base.latency_ms + slow, loss=loss)
    run.net._lat.clear()
    run.net._changed()


_SAMPLED = ("committed_blocks", "committed_records", "pending", "peers", "ingested", "shipped", "rejected_blocks",
            "evidence", "gossip_bytes_in", "gossip_bytes_out", "gossip_msgs_in", "gossip_msgs_out")


def _sample(run: VirtualRun, which: list[int]) -> dict[str, Any]:
    t = round((run.sched.now_ms - T0_MS) / 1000, 2)
    nodes: dict[str, Any] = {}
    out, inn = run.net.node_bytes(which)
    for j, i in enumerate(which):
        n = run.nodes[i]
        if not n.up:
            nodes[str(i)] = None
            continue
        st = n.stats
        nodes[str(i)] = {
            "committed_blocks": st.committed_blocks, "committed_records": st.committed_records,
            "pending": n.pending_count, "peers": len(run.net.mesh[i]), "ingested": st.ingested,
            "shipped": st.shipped, "rejected_blocks": st.rejected_blocks, "evidence": st.evidence,
            "gossip_bytes_in": int(inn[j]), "gossip_bytes_out": int(out[j]),
        }
    return {"t": t, "nodes": nodes}


def simulate(sc: Scenario, scorer_name: str | None = None,
             offered: dict[int, list[tuple[int, int, int]]] | None = None) -> VirtualRun:
    """Play ``sc`` to the end of its settle time; see the module docstring.

    ``offered``: replay another run's load (the process feeder's ``Acked.trace``) instead of the
    scenario's rate, so that calibration compares both engines under the same offered load.
    """
    bad = sorted({f.kind for f in sc.faults} & PROCESS_ONLY_KINDS)
    if bad:
        raise ConfigError(f"fault kind(s) {bad} need the process engine (--engine process)")
    wall0 = time.perf_counter()
    cpu0 = time.process_time()
    run, feeder = build(sc, scorer_name)
    sched = run.sched
    end_load = T0_MS + int(sc.workload.duration_s * 1000)
    end = T0_MS + int((sc.timeline_end_s + sc.settle_s) * 1000)
    if offered is not None:
        feeder.replay(offered, end - 1)
    elif sc.workload.rate > 0 and sc.fed_nodes:
        sched.every(sc.workload.batch_ms, feeder.step, first_ms=T0_MS, until_ms=end_load - 1)
    sched.every(run.net.p.heartbeat_ms, run.net.heartbeat, until_ms=end)
    costs = run.nodes[0].costs if run.nodes else None
    if run.shared.host and costs is not None and costs.idle_ms_per_s > 0:
        sched.every(100, _idle_load, run, costs.idle_ms_per_s / 10, until_ms=end)
    if run.shared.host and costs is not None and costs.other_load > 0:
        sched.every(OTHER_TICK_MS, _other_load, run, costs.other_load, costs.other_burst_ms, until_ms=end)
    for f in sc.faults:
        sched.at(T0_MS + int(f.at_s * 1000), _apply_fault, run, f)
    k = int(sc.virtual.get("sample_nodes", DEFAULT_SAMPLE_NODES))
    which = sorted(i for i in range(sc.nodes) if i not in sc.rogue_nodes)[:k]
    sched.every(SAMPLE_MS, lambda: run.samples.append(_sample(run, which)), first_ms=T0_MS, until_ms=end)
    try:
        sched.run_until(end)
    except Exception as exc:  # noqa: BLE001 - a crash of the simulated code is a finding, reported as such
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        run.crash = f"{type(exc).__name__}: {exc} at {Path(tb.filename).name}:{tb.lineno} (t={sched.now_ms - T0_MS} ms)"
    run.wall_s = time.perf_counter() - wall0
    run.cpu_s = time.process_time() - cpu0
    return run


def _idle_load(run: VirtualRun, slice_ms: float) -> None:
    """Every running node's background CPU for the next 100 ms, taken from the shared host."""
    now = run.sched.now_ms
    for n in run.nodes:
        if n.up:
            run.shared.host_delay(now, 0.0, slice_ms)


OTHER_TICK_MS = 20


def _other_load(run: VirtualRun, load: float, burst_ms: float) -> None:
    """Other jobs on the shared host: bursts arrive at random (``load`` cores busy on average)."""
    rng = run.shared.host_rng
    if rng.random() < min(1.0, load * OTHER_TICK_MS / burst_ms):
        cost = rng.expovariate(1 / burst_ms)
        run.shared.host_delay(run.sched.now_ms, 0.0, cost)
        run.shared.host_work_ms -= cost  # not the nodes' CPU


def check_run(run: VirtualRun) -> list[Check]:
    """The invariants of :mod:`node.sim.invariants`, on the virtual nodes' stores."""
    sc = run.scenario
    honest = [n for n in run.nodes if n.index not in sc.rogue_nodes]
    views = views_of(run)
    killed = {f.node for f in sc.faults if f.kind == "kill"}
    crashes = {n.index: ((run.crash,) if run.crash else ()) for n in honest}
    procs = [ProcessFacts(n.index, n.up or n.index in killed or bool(n.acked), not n.up,
                          crashes[n.index], 0 if n.up else None) for n in honest]
    rogue_events = rogue_events_of(run)
    injected = [e for e in injected_equivocations(rogue_events) if _observable(run, e)]
    # status-latency needs the daemons' admin API: a process-engine check.
    sc_here = replace(sc, checks=tuple(c for c in sc.checks if c != "status-latency"))
    return check_all(sc_here, views, run.genesis, honest_ids=[n.me for n in honest], procs=procs,
                     applied=run.applied, injected=injected, rogue_events=rogue_events, samples=run.samples,
                     t0_ms=T0_MS)


def _observable(run: VirtualRun, inj: dict[str, Any]) -> bool:
    """Did some honest node receive both conflicting messages? (A lossy link can eat one for good.)"""
    a, b = inj["block_ids"]
    if inj["kind"] == "proposer-equivocation":
        return a in run.shared.seen_blocks and b in run.shared.seen_blocks
    p, seq = inj["slot"][0], int(inj["slot"][1])
    return all((inj["offender"], p, seq, x) in run.shared.seen_votes for x in (a, b))


def rogue_events_of(run: VirtualRun) -> dict[str, list[dict[str, Any]]]:
    modes = {VirtualVoter: "voter", VirtualProposer: "proposer", VirtualFlood: "flood"}
    out = {}
    for n in run.nodes:
        mode = modes.get(type(n))
        if mode is not None:
            out[f"node{n.index}-{mode}"] = list(n.events)  # type: ignore[attr-defined]
    return out


def views_of(run: VirtualRun) -> list[NodeView]:
    views = []
    for n in run.nodes:
        if n.index in run.scenario.rogue_nodes:
            continue
        if n.index in run.scenario.late_nodes and not n.up and not n.store.blocks:
            continue  # never started
        v = NodeView(n.index, n.me, n.up, acked=len(n.acked))
        v.committed = n.store.committed_rows(run.shared.header_bytes)
        v.evidence = list(n.store.evidence)
        v.missing_acked = [c for c in n.acked if c not in n.store.records]
        views.append(v)
    return views
