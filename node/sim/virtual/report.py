"""The virtual engine's report: the process engine's report shape, deterministic, plus the model's figures.

``report.json`` holds only what the scenario and seed determine (no wall
clock, no output path), so two runs of one scenario and seed write the same
bytes; wall-clock timings go to ``run.json``. The figures reuse
:func:`node.sim.report.compute_metrics`, with one substitution: "gossip bytes
delivered" is counted by the network model (each message once per receiving
node, as the daemons count it), and the model adds what daemons cannot see:
every byte on the wire (duplicates, framing, IHAVE, sync streams).
"""

from __future__ import annotations

import json
import resource
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.sim.invariants import Check, NodeView
from node.sim.report import compute_metrics, plot_all, render_markdown
from node.sim.scenario import Scenario
from node.sim.virtual.engine import T0_MS, VirtualRun, _FeederShim, rogue_events_of


@dataclass
class _ResultShim:
    """The fields of ``node.sim.runner.SimResult`` that the shared metrics and plots read."""

    scenario: Scenario
    out_dir: Path
    checks: list[Check]
    applied: list[Any]
    samples: list[dict[str, Any]]
    views: list[NodeView]
    feeder: Any
    t0_ms: int
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def _quantile(xs: list[int], q: float) -> int | None:
    if not xs:
        return None
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def virtual_figures(run: VirtualRun) -> dict[str, Any]:
    """Scale figures from the model: per-node rates, wire bytes, latency, events."""
    sc = run.scenario
    sim_s = (run.sched.now_ms - T0_MS) / 1000
    out, inn = run.net.totals()
    honest = [n for n in run.nodes if n.index not in sc.rogue_nodes]
    ref = max(honest, key=lambda n: n.stats.committed_records)
    lat = [x for n in honest for x in n.stats.latencies_ms]
    load_s = sc.workload.duration_s
    return {
        "simulated_s": sim_s,
        "events": run.sched.events,
        "messages_published": run.net.msgs_published,
        "deliveries": run.net.deliveries,
        "gossip_repairs": run.net.repairs,
        "signature_verifications": run.shared.verifications,
        "scorer": run.shared.scorer.name,
        "scorer_calls": run.shared.scorer.calls,
        "scorer_computed": getattr(run.shared.scorer, "computed", run.shared.scorer.calls),
        "committed_records_per_s": ref.stats.committed_records / load_s if load_s else 0.0,
        "commit_latency_ms": {"p50": _quantile(lat, 0.5), "p99": _quantile(lat, 0.99)},
        "wire_bytes_total": int(sum(out)),
        "wire_bytes_per_node_per_s": sum(out) / len(run.nodes) / sim_s if sim_s else 0.0,
        "gossip_bytes_delivered": run.net.delivered_bytes,
        "mesh_degree_mean": sum(len(m) for m in run.net.mesh) / len(run.nodes),
        #: shared host only: the modelled CPU of all nodes from the start of the load to the end
        "host_cpu_s": round(run.shared.host_work_ms / 1000, 3),
    }


def build_virtual_report(run: VirtualRun, out_dir: Path, checks: list[Check], views: list[NodeView],
                         plots: bool = True) -> dict[str, Any]:
    sc = run.scenario
    res = _ResultShim(sc, out_dir, checks, run.applied, run.samples, views, _FeederShim(run.acked), T0_MS,
                      {"load_s": sc.workload.duration_s})
    metrics = compute_metrics(res)  # type: ignore[arg-type]
    vf = virtual_figures(run)
    committed = metrics["committed_records"]
    metrics["gossip_bytes_delivered"] = vf["gossip_bytes_delivered"]
    metrics["gossip_bytes_per_committed_record"] = vf["gossip_bytes_delivered"] / committed if committed else None
    series = metrics.pop("series")
    keep = {str(i) for i in range(sc.nodes)} if sc.nodes <= 16 else {k for s in run.samples for k in s["nodes"]}
    series["latency_ms"] = {k: v for k, v in series["latency_ms"].items() if k in keep}
    series["commit_rate"] = {k: v for k, v in series["commit_rate"].items() if k in keep}
    metrics["series"] = series
    names = plot_all(out_dir, metrics, res) if plots else []  # type: ignore[arg-type]
    metrics.pop("series")
    rogues = {}
    for name, events in rogue_events_of(run).items():
        kinds: dict[str, int] = {}
        for e in events:
            key = e["event"] if e["event"] != "inject" else f"inject:{e.get('action')}"
            kinds[key] = kinds.get(key, 0) + 1
        flood = next((e for e in events if e["event"] == "flood-end"), None)
        rogues[name] = {"events": kinds, "own_slots": {}, "flood": flood}
    restarts = {i: sum(1 for f in sc.faults if f.kind == "restart" and f.node == i) for i in range(sc.nodes)}
    by_index = {v.index: v for v in views}
    nodes = []
    for n in run.nodes:
        v = by_index.get(n.index)
        nodes.append({
            "index": n.index, "peer_id": n.me, "role": "validator" if n.me in run.genesis.validators else "peer",
            "rogue": n.index in sc.rogue_nodes, "late_joiner": n.index in sc.late_nodes,
            "restarts": restarts[n.index], "up_at_end": n.up, "exit_code": 0 if n.up else None,
            "committed_blocks": len(v.committed) if v else None,
            "committed_records": sum(b.record_count for b in v.committed) if v else None,
            "evidence": len(v.evidence) if v else None, "acked": len(n.acked),
            "ingested": n.stats.ingested, "shipped": n.stats.shipped, "rejected_blocks": n.stats.rejected_blocks,
        })
    return {
        "engine": "virtual", "scenario": sc.name, "description": sc.description, "seed": sc.seed,
        "ok": all(c.ok for c in checks), "failed": [c.name for c in checks if not c.ok],
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
        "nodes_total": sc.nodes, "validators": sc.validators, "scorer": run.shared.scorer.name,
        "workload": {"rate": sc.workload.rate, "duration_s": sc.workload.duration_s,
                     "domains": list(sc.workload.domains) if sc.workload.domains else None,
                     "dup_ratio": sc.workload.dup_ratio, "burst_ratio": sc.workload.burst_ratio,
                     "fed_nodes": list(sc.fed_nodes)},
        "network_model": {k: v for k, v in sorted(sc.virtual.items())},
        "timings_s": {"simulated_s": vf["simulated_s"]},
        "faults": [{"t_s": a.t_s, "kind": a.kind, "label": a.label, "ok": a.ok, "detail": a.detail}
                   for a in run.applied],
        "nodes": nodes, "rogues": rogues, "metrics": metrics, "virtual": vf, "plots": names,
        "feeder_errors": [], "crash": run.crash,
        "series": series, "samples": run.samples,
    }


def write_virtual_report(run: VirtualRun, out_dir: Path, checks: list[Check], views: list[NodeView],
                         plots: bool = True) -> dict[str, Any]:
    """Write report.json (deterministic), report.md, plots and run.json (wall clock, memory)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rep = build_virtual_report(run, out_dir, checks, views, plots)
    (out_dir / "report.json").write_text(json.dumps(rep, indent=1, sort_keys=True, default=str))
    (out_dir / "report.md").write_text(render_markdown(rep))
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    (out_dir / "run.json").write_text(json.dumps({
        "wall_s": round(run.wall_s, 3), "cpu_s": round(run.cpu_s, 3), "max_rss_mib": round(rss_mib, 1), "dir": str(out_dir),
        "events_per_s": round(run.sched.events / run.wall_s) if run.wall_s else None,
    }, indent=1))
    return rep
