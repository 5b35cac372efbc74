"""``run_virtual``: simulate a scenario on the virtual engine, check it, write its report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node.sim.invariants import Check
from node.sim.scenario import Scenario
from node.sim.virtual.engine import VirtualRun, check_run, simulate, views_of
from node.sim.virtual.report import write_virtual_report


@dataclass
class VirtualResult:
    run: VirtualRun
    checks: list[Check]
    report: dict[str, Any]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def run_virtual(sc: Scenario, out_dir: Path | None, *, plots: bool = True, scorer: str | None = None,
                offered: dict[int, list[tuple[int, int, int]]] | None = None) -> VirtualResult:
    """Run ``sc`` on the virtual engine; with ``out_dir``, write report.json/report.md/plots there.
    ``offered`` replays a process run's load (see :func:`~node.sim.virtual.engine.simulate`)."""
    run = simulate(sc, scorer, offered)
    checks = check_run(run)
    report: dict[str, Any] = {}
    if out_dir is not None:
        report = write_virtual_report(run, Path(out_dir), checks, views_of(run), plots)
    return VirtualResult(run, checks, report)
