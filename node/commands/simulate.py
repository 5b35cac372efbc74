"""``attnshare simulate SCENARIO.toml [--out DIR] [--json]``: a scripted multi-peer simulation.

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
    p.add_argument("scenario", type=Path, help="scenario file (see scripts/scenarios/)")
    p.add_argument("--out", type=Path, help="output directory (default: a new temporary directory)")
    p.add_argument("--time-scale", type=float, default=1.0,
                   help="multiply every time in the scenario (load, faults, settle) by this factor")
    p.add_argument("--log-level", default="INFO", help="daemons' log level (their logs stay in the data dirs)")
    p.add_argument("--json", action="store_true", help="print the report as JSON (progress goes to stderr)")
    p.set_defaults(func=cmd_simulate)


def cmd_simulate(args: argparse.Namespace) -> int:
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
