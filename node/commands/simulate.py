"""``attnshare simulate SCENARIO.toml [--engine process|virtual] [--out DIR] [--json]``: a scripted simulation.

``attnshare simulate explore --seeds N [--nodes K]`` searches random fault
schedules on the virtual engine (:mod:`node.sim.virtual.explore`).

The handler imports the simulation package (and with it the daemon harness)
only when it runs, so ``attnshare --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "simulate",
        help="run a scripted multi-peer simulation (faults, byzantine peers) and check the invariants",
        description="Run SCENARIO.toml against real local daemons, check the invariants (no fork, agreement, "
                    "no loss, certificates, evidence, no crash) and write report.json, report.md and plots. "
                    "Exits 1 if any invariant fails.",
    )
    p.add_argument("scenario", type=Path, help="scenario file (see scripts/scenarios/), or 'explore'")
    p.add_argument("--engine", choices=("process", "virtual"), default="process",
                   help="process: real daemons as OS processes (default); virtual: the deterministic simulator "
                        "(node.sim.virtual), up to 10,000 nodes")
    p.add_argument("--scorer", choices=("auto", "model", "truth"), default=None,
                   help="virtual engine: the real model (cached by window) or the declared cheap truth scorer")
    p.add_argument("--no-plots", action="store_true", help="virtual engine: skip the PNG plots")
    p.add_argument("--seeds", type=int, default=100, help="explore: how many seeds")
    p.add_argument("--first-seed", type=int, default=0, help="explore: the first seed")
    p.add_argument("--nodes", type=int, default=None, help="explore: nodes per network (default 4-7 at random)")
    p.add_argument("--out", type=Path, help="output directory (default: a new temporary directory)")
    p.add_argument("--time-scale", type=float, default=1.0,
                   help="multiply every time in the scenario (load, faults, settle) by this factor")
    p.add_argument("--log-level", default="INFO", help="daemons' log level (their logs stay in the data dirs)")
    p.add_argument("--json", action="store_true", help="print the report as JSON (progress goes to stderr)")
    p.set_defaults(func=cmd_simulate)


def cmd_simulate(args: argparse.Namespace) -> int:
    if str(args.scenario) == "explore":
        return _explore(args)
    if args.engine == "virtual":
        return _virtual(args)
    from node.sim import load_scenario, run_scenario

    scenario = load_scenario(args.scenario)
    if args.time_scale != 1.0:
        scenario = scenario.scaled(args.time_scale)
    out = args.out or Path(tempfile.mkdtemp(prefix=f"attnshare-sim-{scenario.name}-"))
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    say(f"simulate {scenario.name}: {scenario.nodes} nodes ({scenario.validators} validators), output in {out}")
    result = run_scenario(scenario, out, progress=sys.stderr.isatty() or not args.json, log_level=args.log_level)
    if args.json:
        rep = {k: v for k, v in result.report.items() if k not in ("series", "samples")}
        print(json.dumps(rep, default=str))
    else:
        for c in result.checks:
            print(f"  {'ok  ' if c.ok else 'FAIL'} {c.name:18} {c.detail}")
        m = result.report.get("metrics", {})
        print(f"committed {m.get('committed_records')} records in {m.get('committed_blocks')} blocks; "
              f"latency p50 {m.get('commit_latency_ms', {}).get('p50')} ms; report: {out / 'report.md'}")
        print("PASS" if result.ok else "FAIL: " + ", ".join(c.name for c in result.failed))
    return 0 if result.ok else 1


def _virtual(args: argparse.Namespace) -> int:
    from node.sim.scenario import VIRTUAL_MAX_NODES, load_scenario
    from node.sim.virtual.run import run_virtual

    scenario = load_scenario(args.scenario, max_nodes=VIRTUAL_MAX_NODES)
    if args.time_scale != 1.0:
        scenario = scenario.scaled(args.time_scale)
    out = args.out or Path(tempfile.mkdtemp(prefix=f"attnshare-vsim-{scenario.name}-"))
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    say(f"simulate {scenario.name} (virtual engine): {scenario.nodes} nodes ({scenario.validators} validators), "
        f"output in {out}")
    result = run_virtual(scenario, out, plots=not args.no_plots, scorer=args.scorer)
    rep = result.report
    if args.json:
        print(json.dumps({k: v for k, v in rep.items() if k not in ("series", "samples")}, default=str))
    else:
        for c in result.checks:
            print(f"  {'ok  ' if c.ok else 'FAIL'} {c.name:18} {c.detail}")
        m, v = rep["metrics"], rep["virtual"]
        run = json.loads((out / "run.json").read_text())
        print(f"committed {m['committed_records']} records in {m['committed_blocks']} blocks; latency p50 "
              f"{m['commit_latency_ms']['p50']} ms p99 {m['commit_latency_ms']['p99']} ms; scorer {v['scorer']}; "
              f"{v['simulated_s']:.0f} simulated s in {run['wall_s']:.1f} s wall ({v['events']} events); "
              f"report: {out / 'report.md'}")
        print("PASS" if result.ok else "FAIL: " + ", ".join(c.name for c in result.failed))
    return 0 if result.ok else 1


def _explore(args: argparse.Namespace) -> int:
    import time

    from node.sim.virtual.explore import explore

    out = args.out or Path(tempfile.mkdtemp(prefix="attnshare-explore-"))
    t0 = time.monotonic()
    found = explore(range(args.first_seed, args.first_seed + args.seeds), args.nodes, out)
    print(f"explored {args.seeds} seeds (from {args.first_seed}) in {time.monotonic() - t0:.0f} s: "
          f"{len(found)} violation(s)" + (f"; minimized scenarios in {out}" if found else ""))
    return 1 if found else 0
