"""What a process-engine run produced (shared by the runner, which fills it, and the report, which reads it).

Its own module so that ``runner`` imports ``report`` and neither imports the other back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from node.sim.faults import Applied
from node.sim.invariants import Check, NodeView
from node.sim.scenario import Scenario


@dataclass
class SimResult:
    """Everything a run produced; ``ok`` is True when every check passed."""

    scenario: Scenario
    out_dir: Path
    checks: list[Check]
    applied: list[Applied]
    samples: list[dict[str, Any]]
    views: list[NodeView]
    rogue_events: dict[str, list[dict[str, Any]]]
    feeder: Any
    t0_ms: int
    timings: dict[str, float] = field(default_factory=dict)
    exit_codes: dict[int, int | None] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]
