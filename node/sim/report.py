"""The simulation report: ``report.json``, ``report.md`` and PNG plots in the output dir.

Figures (matplotlib, Agg backend, imported only here):

* ``latency_cdf.png``: commit latency (block creation to local commit) CDF per honest node;
* ``commit_rate.png``: committed records per second over time, per node, faults marked;
* ``wire_bytes.png``: gossip bytes delivered per committed record over time, faults marked;
* ``importance_bytes.png``: ground-truth importance retained versus bytes shipped, for
  attnshare's committed blocks, a naive flood of every record as JSON (arrival order) and
  an oracle that ships JSON records by true importance.

"Gossip bytes delivered" is read from the daemons' ``status``: the bytes of
gossip messages handed to each node by its peers (``gossip_bytes_in``; a
daemon does not count its own publishes, which pubsub hands back to it),
summed over nodes. It counts every message once per receiving node, so it
leaves out GossipSub's duplicate transmissions and the sync protocol's streams.
(Until calibration found it, each node's publishes were also subtracted, a
leftover from when the daemon counted them in: that undercounted by a third at
4 nodes.)
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from protocol.block import decode_signed_header, open_payload
from protocol.errors import AttnshareError

if TYPE_CHECKING:
    from node.sim.invariants import NodeView
    from node.sim.localnet import LocalNet
    from node.sim.result import SimResult

PLOTS = ("latency_cdf.png", "commit_rate.png", "wire_bytes.png", "importance_bytes.png")


# ---------------------------------------------------------------------- metrics
def _quantile(xs: Sequence[float], q: float) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    return float(s[min(len(s) - 1, int(q * len(s)))])


def accumulate(values: Sequence[int | None]) -> list[int]:
    """A counter sampled over time, made monotone across daemon restarts (which reset it to 0)."""
    out, base, last = [], 0, 0
    for v in values:
        if v is None:
            out.append(base + last)
            continue
        if v < last:
            base += last
        last = v
        out.append(base + v)
    return out


def delivered_series(bytes_in: dict[str, list[int]], samples: int) -> list[int]:
    """Gossip bytes delivered, summed over nodes, at each sample: what peers handed each node."""
    return [sum(v[j] for v in bytes_in.values()) for j in range(samples)]


def _block_cids(view: NodeView) -> dict[str, list[str]]:
    """Record CIDs of each committed block, from its payload (verified again on the way)."""
    out: dict[str, list[str]] = {}
    for b in view.committed:
        if b.payload is None:
            continue
        try:
            header = decode_signed_header(b.header).header
            out[b.block_id] = [r.cid for r in open_payload(header, b.payload)]
        except AttnshareError:
            out[b.block_id] = []
    return out


def importance_curves(view: NodeView | None, acked: Any) -> dict[str, Any]:
    """Cumulative (bytes shipped, importance retained) for attnshare, naive JSON flood and oracle."""
    imp: dict[str, float] = acked.importance
    order = list(dict.fromkeys(acked.order))
    total = math.fsum(imp[c] for c in order) or 1.0
    curves: dict[str, Any] = {"total_importance": total, "records": len(order)}
    x, y, bx, by = [0], [0.0], 0, 0.0
    for c in order:
        bx += acked.json_bytes[c]
        by += imp[c] / total
        x.append(bx)
        y.append(by)
    curves["naive"] = {"bytes": x, "importance": y}
    x, y, bx, by = [0], [0.0], 0, 0.0
    for c in sorted(order, key=lambda c: -imp[c]):
        bx += acked.json_bytes[c]
        by += imp[c] / total
        x.append(bx)
        y.append(by)
    curves["oracle"] = {"bytes": x, "importance": y}
    x, y, bx, by = [0], [0.0], 0, 0.0
    if view is not None:
        cids = _block_cids(view)
        seen: set[str] = set()
        for b in sorted(view.committed, key=lambda b: (b.committed_ms or 0, b.block_id)):
            bx += len(b.header) + (len(b.payload) if b.payload else 0)
            for c in cids.get(b.block_id, []):
                if c not in seen:
                    seen.add(c)
                    by += imp.get(c, 0.0) / total
            x.append(bx)
            y.append(by)
    curves["attnshare"] = {"bytes": x, "importance": y}
    return curves


def compute_metrics(result: SimResult) -> dict[str, Any]:
    """Summary figures and the series behind the plots."""
    t0 = result.t0_ms
    up = [v for v in result.views if v.up_at_end] or list(result.views)
    ref = max(up, key=lambda v: len(v.committed), default=None)
    lat = {v.index: [max(0, (b.committed_ms or 0) - b.created_ms) for b in v.committed] for v in result.views}
    pooled = [x for xs in lat.values() for x in xs]
    rate: dict[int, dict[int, int]] = {}
    for v in result.views:
        bins: dict[int, int] = {}
        for b in v.committed:
            if b.committed_ms is not None:
                k = int((b.committed_ms - t0) // 1000)
                bins[k] = bins.get(k, 0) + b.record_count
        rate[v.index] = bins
    times = [s["t"] for s in result.samples]
    nodes = sorted({k for s in result.samples for k in s["nodes"]}, key=int)

    def series(key: str) -> dict[str, list[int]]:
        return {k: accumulate([(s["nodes"].get(k) or {}).get(key) for s in result.samples]) for k in nodes}

    delivered = delivered_series(series("gossip_bytes_in"), len(times))
    committed_series = [max([(s["nodes"].get(k) or {}).get("committed_records") or 0 for k in nodes] or [0])
                        for s in result.samples]
    committed_records = sum(b.record_count for b in ref.committed) if ref else 0
    load_s = result.timings.get("load_s") or result.scenario.workload.duration_s
    curves = importance_curves(ref, result.feeder.acked)
    wire_total = delivered[-1] if delivered else 0
    att = curves["attnshare"]
    naive = curves["naive"]
    return {
        "reference_node": ref.index if ref else None,
        "acked_records": result.feeder.acked.total,
        "offered_records": result.feeder.acked.offered,
        "feeder_errors": len(result.feeder.acked.errors),
        "committed_blocks": len(ref.committed) if ref else 0,
        "committed_records": committed_records,
        "committed_records_per_s": committed_records / load_s if load_s else 0.0,
        "share_committed": committed_records / result.feeder.acked.total if result.feeder.acked.total else None,
        "commit_latency_ms": {"p50": _quantile(pooled, 0.5), "p90": _quantile(pooled, 0.9),
                              "p99": _quantile(pooled, 0.99), "max": max(pooled, default=None)},
        "gossip_bytes_delivered": wire_total,
        "gossip_bytes_per_committed_record": wire_total / committed_records if committed_records else None,
        "block_bytes_shipped": att["bytes"][-1],
        "importance_retained": att["importance"][-1],
        "naive_json_bytes": naive["bytes"][-1],
        "importance_per_mib": {
            "attnshare": att["importance"][-1] / (att["bytes"][-1] / 2**20) if att["bytes"][-1] else None,
            "naive": naive["importance"][-1] / (naive["bytes"][-1] / 2**20) if naive["bytes"][-1] else None,
        },
        "naive_importance_at_attnshare_bytes": _at_bytes(naive, att["bytes"][-1]),
        "series": {
            "t": times, "gossip_bytes_delivered": delivered, "committed_records": committed_series,
            "latency_ms": {str(k): v for k, v in lat.items()},
            "commit_rate": {str(k): {str(b): n for b, n in sorted(v.items())} for k, v in rate.items()},
            "importance": curves,
        },
    }


def _at_bytes(curve: dict[str, list[Any]], budget: int) -> float:
    """Importance a curve has retained once it has shipped ``budget`` bytes."""
    best = 0.0
    for b, imp in zip(curve["bytes"], curve["importance"], strict=True):
        if b > budget:
            break
        best = imp
    return best


# ---------------------------------------------------------------------- plots
def plot_all(out_dir: Path, metrics: dict[str, Any], result: SimResult) -> list[str]:
    """Write the four PNGs; returns their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = metrics["series"]
    faults = [(a.t_s, a.label) for a in result.applied]
    load_s = result.scenario.workload.duration_s

    def mark(ax: Any) -> None:
        ax.axvspan(0, load_s, color="0.93", zorder=0, label="load")
        for t, label in faults:
            ax.axvline(t, color="crimson", lw=1, ls="--")
            ax.annotate(label, (t, 1), xycoords=("data", "axes fraction"), xytext=(-2, -4),
                        textcoords="offset points", rotation=90, va="top", ha="right", fontsize=7, color="crimson")

    fig, ax = plt.subplots(figsize=(7, 4))
    for k, xs in sorted(s["latency_ms"].items(), key=lambda kv: int(kv[0])):
        if xs:
            xs = sorted(xs)
            ax.step(xs, [(i + 1) / len(xs) for i in range(len(xs))], where="post", label=f"node{k}")
    ax.set_xscale("log")
    ax.set(xlabel="commit latency (ms, block created -> committed here)", ylabel="fraction of blocks",
           title=f"{result.scenario.name}: commit latency CDF")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    _save(fig, out_dir / PLOTS[0])

    fig, ax = plt.subplots(figsize=(8, 4))
    mark(ax)
    for k, bins in sorted(s["commit_rate"].items(), key=lambda kv: int(kv[0])):
        if bins:
            keys = sorted(int(b) for b in bins)
            xs = list(range(min(keys), max(keys) + 1))
            ax.plot(xs, [bins.get(str(x), 0) for x in xs], lw=1, label=f"node{k}")
    ax.set(xlabel="seconds since load start", ylabel="records committed per second",
           title=f"{result.scenario.name}: committed records/s (faults in red)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    _save(fig, out_dir / PLOTS[1])

    fig, ax = plt.subplots(figsize=(8, 4))
    mark(ax)
    per = [d / c if c else None for d, c in zip(s["gossip_bytes_delivered"], s["committed_records"], strict=True)]
    ax.plot(s["t"], [p if p is not None else float("nan") for p in per], color="tab:blue")
    ax.set(xlabel="seconds since load start", ylabel="gossip bytes delivered / committed record",
           title=f"{result.scenario.name}: wire bytes per committed record (cumulative)")
    ax.grid(alpha=0.3)
    _save(fig, out_dir / PLOTS[2])

    fig, ax = plt.subplots(figsize=(7, 4.5))
    curves = s["importance"]
    for name, style in (("attnshare", "-o"), ("naive", "-"), ("oracle", ":")):
        c = curves[name]
        ax.plot([b / 1024 for b in c["bytes"]], c["importance"], style, ms=2, lw=1.2,
                label={"attnshare": "attnshare committed blocks", "naive": "naive: every record as JSON",
                       "oracle": "oracle: JSON by true importance"}[name])
    ax.set_xscale("symlog", linthresh=1)
    ax.set(xlabel="KiB shipped", ylabel="ground-truth importance retained (fraction)", ylim=(0, 1.02),
           title=f"{result.scenario.name}: importance retained vs bytes shipped")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    _save(fig, out_dir / PLOTS[3])
    return list(PLOTS)


def _save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------- files
def build_report(result: SimResult, net: LocalNet, metrics: dict[str, Any], plots: list[str]) -> dict[str, Any]:
    sc = result.scenario
    nodes = []
    for n in net.nodes:
        view = next((v for v in result.views if v.index == n.index), None)
        last = next((s["nodes"].get(str(n.index)) for s in reversed(result.samples)
                     if s["nodes"].get(str(n.index))), None) or {}
        nodes.append({
            "index": n.index, "peer_id": n.peer_id, "role": n.role,
            "rogue": n.index in sc.rogue_nodes, "late_joiner": n.index in sc.late_nodes,
            "restarts": n.restarts, "up_at_end": bool(view and view.up_at_end),
            "exit_code": result.exit_codes.get(n.index),
            "committed_blocks": len(view.committed) if view else None,
            "committed_records": sum(b.record_count for b in view.committed) if view else None,
            "evidence": len(view.evidence) if view else None,
            "acked": view.acked if view else 0,
            "ingested": last.get("ingested"), "shipped": last.get("shipped"),
            "rejected_blocks": last.get("rejected_blocks"), "data_dir": str(n.data_dir),
        })
    rogues = {}
    for name, events in result.rogue_events.items():
        kinds: dict[str, int] = {}
        for e in events:
            key = e["event"] if e["event"] != "inject" else f"inject:{e.get('action')}"
            kinds[key] = kinds.get(key, 0) + 1
        outcomes: dict[str, int] = {}
        for e in events:
            if e["event"] == "decided":
                outcomes[e["outcome"]] = outcomes.get(e["outcome"], 0) + 1
        flood = next((e for e in events if e["event"] == "flood-end"), None)
        rogues[name] = {"events": kinds, "own_slots": outcomes, "flood": flood}
    summary = {k: v for k, v in metrics.items() if k != "series"}
    return {
        "scenario": sc.name, "description": sc.description, "ok": result.ok,
        "failed": [c.name for c in result.failed],
        "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in result.checks],
        "nodes_total": sc.nodes, "validators": sc.validators,
        "workload": {"rate": sc.workload.rate, "duration_s": sc.workload.duration_s,
                     "domains": list(sc.workload.domains) if sc.workload.domains else None,
                     "dup_ratio": sc.workload.dup_ratio, "burst_ratio": sc.workload.burst_ratio,
                     "fed_nodes": list(sc.fed_nodes)},
        "timings_s": {k: round(v, 2) for k, v in result.timings.items()},
        "faults": [{"t_s": a.t_s, "kind": a.kind, "label": a.label, "ok": a.ok, "detail": a.detail}
                   for a in result.applied],
        "nodes": nodes, "rogues": rogues, "metrics": summary, "plots": plots,
        "feeder_errors": result.feeder.acked.errors[:20], "dir": str(result.out_dir),
        "series": metrics["series"], "samples": result.samples,
    }


def _fmt(x: Any, unit: str = "") -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:,.3f}{unit}" if abs(x) < 10 else f"{x:,.0f}{unit}"
    return f"{x:,}{unit}" if isinstance(x, int) else f"{x}{unit}"


def render_markdown(rep: dict[str, Any]) -> str:
    m = rep["metrics"]
    lines = [
        f"# Simulation `{rep['scenario']}`: {'PASS' if rep['ok'] else 'FAIL'}", "",
        rep["description"] or "", "",
        f"{rep['nodes_total']} nodes, {rep['validators']} validators; workload {rep['workload']['rate']:.0f} records/s "
        f"for {rep['workload']['duration_s']:.0f} s into nodes {rep['workload']['fed_nodes']}. "
        f"Times (s): " + ", ".join(f"{k} {v}" for k, v in rep["timings_s"].items()) + ".", "",
        "## Invariants", "", "| check | result | detail |", "| --- | --- | --- |",
    ]
    lines += [f"| {c['name']} | {'ok' if c['ok'] else '**FAIL**'} | {c['detail']} |" for c in rep["checks"]]
    lines += ["", "## Faults", "", "| t (s) | fault | ok | detail |", "| --- | --- | --- | --- |"]
    lines += [f"| {f['t_s']:.1f} | {f['label']} | {'yes' if f['ok'] else 'NO'} | {f['detail']} |"
              for f in rep["faults"]] or ["| - | none | | |"]
    lines += ["", "## Nodes", "",
              "| node | role | up at end | restarts | exit | acked | committed blocks | committed records | evidence |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n in rep["nodes"]:
        role = n["role"] + (" (rogue)" if n["rogue"] else "") + (" (late)" if n["late_joiner"] else "")
        lines.append(f"| node{n['index']} | {role} | {n['up_at_end']} | {n['restarts']} | {_fmt(n['exit_code'])} | "
                     f"{_fmt(n['acked'])} | {_fmt(n['committed_blocks'])} | {_fmt(n['committed_records'])} | "
                     f"{_fmt(n['evidence'])} |")
    lat = m["commit_latency_ms"]
    ipm = m["importance_per_mib"]
    lines += [
        "", "## Figures", "",
        "| metric | value |", "| --- | --- |",
        f"| records acknowledged (offered) | {_fmt(m['acked_records'])} ({_fmt(m['offered_records'])}) |",
        f"| committed blocks / records | {_fmt(m['committed_blocks'])} / {_fmt(m['committed_records'])} |",
        f"| committed records/s over the load | {_fmt(m['committed_records_per_s'])} |",
        f"| share of acknowledged records committed | {_fmt(m['share_committed'])} |",
        f"| commit latency p50 / p90 / p99 / max | {_fmt(lat['p50'])} / {_fmt(lat['p90'])} / {_fmt(lat['p99'])} / "
        f"{_fmt(lat['max'])} ms |",
        f"| gossip bytes delivered per committed record | {_fmt(m['gossip_bytes_per_committed_record'])} |",
        f"| block bytes shipped / naive JSON bytes | {_fmt(m['block_bytes_shipped'])} / {_fmt(m['naive_json_bytes'])} |",
        f"| importance retained (attnshare) | {_fmt(m['importance_retained'])} |",
        f"| naive importance at attnshare's bytes | {_fmt(m['naive_importance_at_attnshare_bytes'])} |",
        f"| importance per MiB: attnshare / naive | {_fmt(ipm['attnshare'])} / {_fmt(ipm['naive'])} |",
        "",
    ]
    if rep["rogues"]:
        lines += ["## Rogue processes", ""]
        for name, r in rep["rogues"].items():
            lines.append(f"- `{name}`: events {r['events']}; own slots {r['own_slots'] or '-'}"
                         + (f"; flood sent {r['flood']['sent']} by kind {r['flood']['by_kind']}" if r["flood"] else ""))
        lines.append("")
    lines += [f"![{p}]({p})" for p in rep["plots"]]
    if rep["feeder_errors"]:
        lines += ["", "## Feeder errors (first 20)", ""] + [f"- {e}" for e in rep["feeder_errors"]]
    return "\n".join(lines) + "\n"


def write_report(result: SimResult, net: LocalNet) -> dict[str, Any]:
    """Compute the figures, draw the plots, write report.json and report.md; return the report."""
    metrics = compute_metrics(result)
    plots = plot_all(result.out_dir, metrics, result)
    rep = build_report(result, net, metrics, plots)
    (result.out_dir / "report.json").write_text(json.dumps(rep, indent=1, default=str))
    (result.out_dir / "report.md").write_text(render_markdown(rep))
    return rep
