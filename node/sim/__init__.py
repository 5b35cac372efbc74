"""Scripted multi-peer simulations: scenarios, faults, invariants and reports.

``attnshare simulate SCENARIO.toml`` runs real daemons as OS processes on
127.0.0.1 (see :mod:`node.sim.runner`). Start with :func:`load_scenario` and
:func:`run_scenario`.
"""

from node.sim.result import SimResult
from node.sim.runner import run_scenario
from node.sim.scenario import Fault, Scenario, load_scenario, parse_scenario

__all__ = ["Fault", "Scenario", "SimResult", "load_scenario", "parse_scenario", "run_scenario"]
