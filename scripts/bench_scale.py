"""The scale study: attnshare against naive per-record flooding, at 10, 100 and 1,000 virtual nodes.

    .venv/bin/python scripts/bench_scale.py [--nodes 10,100,1000] [--out DIR] [--duration 50]

For each network size it runs the virtual engine (``node.sim.virtual``) on the
same workload as ``scripts/scenarios/scale-1000.toml`` (validators = min(31, N),
proposers = the first min(100, N) nodes, all of them fed, the cheap truth scorer), then floods every
acknowledged record as its own JSON gossip message over the *same* modelled
network (same seed, mesh, links) -- the naive design attnshare replaces. Per
design and size it reports:

* committed records/s (naive: records delivered everywhere per second);
* commit latency p50/p99 (naive: publish -> delivery, pooled over nodes);
* wire bytes per node per second (every byte: duplicates, framing, IHAVE, sync);
* importance retained: ground-truth importance of what was committed over
  the importance of everything acknowledged (naive ships all: 1.0).

It also reports the wall and CPU time of each virtual run and the memory per
virtual node (peak RSS growth over the run divided by N). Writes
``scale.json``, ``scale.md`` and ``bytes_per_node.png`` to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.sim.scenario import NetworkSpec, Scenario, WorkloadSpec  # noqa: E402
from node.sim.virtual.clock import Scheduler  # noqa: E402
from node.sim.virtual.engine import T0_MS, check_run, net_params, simulate  # noqa: E402
from node.sim.virtual.net import VirtualNet  # noqa: E402
from node.sim.virtual.report import virtual_figures  # noqa: E402


def scenario(n: int, duration_s: float, rate: float, block_interval_ms: int) -> Scenario:
    v = min(31, n)
    return Scenario(
        name=f"scale-{n}", nodes=n, validators=v, proposers=min(100, n),
        workload=WorkloadSpec(rate=rate, duration_s=duration_s, feed="proposers"),
        network=NetworkSpec(block_interval_ms=block_interval_ms, anti_entropy_s=5.0),
        settle_s=10.0, seed=1, virtual={"scorer": "truth", "latency_ms": 40.0, "connections": 8},
    )


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_attnshare(sc: Scenario) -> dict[str, object]:
    rss0 = _rss_mib()
    run = simulate(sc)
    rss1 = _rss_mib()
    checks = check_run(run)
    vf = virtual_figures(run)
    acked = run.acked
    total_imp = math.fsum(acked.importance.values()) or 1.0
    ref = max((n for n in run.nodes), key=lambda n: n.stats.committed_records)
    committed = set()
    for bid in ref.store.committed.values():
        recs = run.shared.open(ref.store.blocks[bid].block)
        committed.update(r.cid for r in recs or ())
    retained = math.fsum(acked.importance.get(c, 0.0) for c in committed) / total_imp
    return {
        "ok": all(c.ok for c in checks), "failed": [c.name for c in checks if not c.ok],
        "committed_records_per_s": vf["committed_records_per_s"],
        "latency_p50_ms": vf["commit_latency_ms"]["p50"], "latency_p99_ms": vf["commit_latency_ms"]["p99"],
        "wire_bytes_per_node_per_s": vf["wire_bytes_per_node_per_s"],
        "importance_retained": retained, "acked_records": acked.total,
        "wall_s": run.wall_s, "cpu_s": run.cpu_s, "events": vf["events"],
        "mem_per_node_kib": (rss1 - rss0) * 1024 / sc.nodes if rss1 > rss0 else None,
        "peak_rss_mib": rss1, "acked": acked,
    }


def run_naive(sc: Scenario, acked: object) -> dict[str, object]:
    """Flood every acknowledged record as JSON over the same modelled network; no reactions."""
    sched = Scheduler(sc.seed, start_ms=T0_MS)
    net = VirtualNet(sc.nodes, net_params(sc), sched, sc.seed)
    order: list[str] = acked.order  # type: ignore[attr-defined]
    origin = {c: i for i, cids in acked.cids.items() for c in cids}  # type: ignore[attr-defined]
    sizes = acked.json_bytes  # type: ignore[attr-defined]
    dur_ms = int(sc.workload.duration_s * 1000)
    hb = net.p.heartbeat_ms
    lat_hist: dict[int, int] = {}
    per_src: dict[int, list[int]] = {}
    for k, cid in enumerate(order):
        t = T0_MS + k * dur_ms // max(1, len(order))
        while sched.now_ms + hb <= t:
            sched.run_until(sched.now_ms + hb)
            net.heartbeat()
        sched.run_until(t)
        src = origin[cid]
        net.publish(src, sizes[cid], _drop)
        offs = per_src.get(src)
        if offs is None:
            tree = net._tree(src)
            ser = net.ser_ms(sizes[cid] + net.p.overhead_bytes)
            offs = per_src[src] = [math.ceil(d + h * ser) for _n, d, h, _p in (tree or [])]
        for o in offs:
            lat_hist[o] = lat_hist.get(o, 0) + 1
    end = T0_MS + dur_ms
    sched.run_until(end)
    out, _inn = net.totals()
    sim_s = dur_ms / 1000
    return {
        "committed_records_per_s": len(order) / sim_s,
        "latency_p50_ms": _hist_q(lat_hist, 0.5), "latency_p99_ms": _hist_q(lat_hist, 0.99),
        "wire_bytes_per_node_per_s": sum(out) / sc.nodes / sim_s,
        "importance_retained": 1.0,
    }


def _drop(node: int, frm: int) -> None:
    return


def _hist_q(h: dict[int, int], q: float) -> int | None:
    total = sum(h.values())
    if not total:
        return None
    k = int(q * total)
    seen = 0
    for v in sorted(h):
        seen += h[v]
        if seen > k:
            return v
    return max(h)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", default="10,100,1000")
    ap.add_argument("--duration", type=float, default=50.0, help="seconds of load (plus 10 s settle)")
    ap.add_argument("--rate", type=float, default=1000.0, help="records/s over all fed nodes")
    ap.add_argument("--block-interval-ms", type=int, default=15000)
    ap.add_argument("--out", type=Path, default=Path("bench-scale"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in [int(x) for x in args.nodes.split(",")]:
        sc = scenario(n, args.duration, args.rate, args.block_interval_ms)
        t0 = time.perf_counter()
        a = run_attnshare(sc)
        acked = a.pop("acked")
        nv = run_naive(replace(sc), acked)
        rows.append({"nodes": n, "validators": sc.validators, "attnshare": a, "naive": nv})
        print(f"{n:5d} nodes: attnshare {a['committed_records_per_s']:.0f} rec/s p50 {a['latency_p50_ms']} ms "
              f"p99 {a['latency_p99_ms']} ms {a['wire_bytes_per_node_per_s'] / 1024:.1f} KiB/node/s "
              f"imp {a['importance_retained']:.3f} ok={a['ok']} | naive {nv['committed_records_per_s']:.0f} rec/s "
              f"p50 {nv['latency_p50_ms']} ms {nv['wire_bytes_per_node_per_s'] / 1024:.1f} KiB/node/s | "
              f"wall {a['wall_s']:.0f} s cpu {a['cpu_s']:.0f} s, {time.perf_counter() - t0:.0f} s with naive; "
              f"mem/node {a['mem_per_node_kib']} KiB", flush=True)
        (args.out / "scale.json").write_text(json.dumps(rows, indent=1, default=str))
    md = ["| nodes | design | committed rec/s | latency p50 / p99 (ms) | wire KiB/node/s | importance retained |",
          "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        for name in ("attnshare", "naive"):
            x = r[name]
            md.append(f"| {r['nodes']} | {name} | {x['committed_records_per_s']:.0f} | {x['latency_p50_ms']} / "
                      f"{x['latency_p99_ms']} | {x['wire_bytes_per_node_per_s'] / 1024:.1f} | "
                      f"{x['importance_retained']:.3f} |")
    md += ["", "| nodes | virtual run wall s | cpu s | events | memory per node (KiB) | invariants |",
           "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        a = r["attnshare"]
        md.append(f"| {r['nodes']} | {a['wall_s']:.1f} | {a['cpu_s']:.1f} | {a['events']} | "
                  f"{a['mem_per_node_kib'] if a['mem_per_node_kib'] is None else round(a['mem_per_node_kib'])} | "
                  f"{'ok' if a['ok'] else 'FAIL ' + ','.join(a['failed'])} |")
    (args.out / "scale.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    _plot(rows, args.out / "bytes_per_node.png")
    return 0


def _plot(rows: list[dict[str, object]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [r["nodes"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, style in (("attnshare", "-o"), ("naive", "--s")):
        ax.plot(ns, [r[name]["wire_bytes_per_node_per_s"] / 1024 for r in rows], style, label=name)  # type: ignore[index]
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="nodes", ylabel="wire KiB per node per second", title="bytes per node vs network size")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())
