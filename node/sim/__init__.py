"""Scripted multi-peer simulations: scenarios, faults, invariants and reports, on two engines.

``attnshare simulate SCENARIO.toml`` runs real daemons as OS processes on
127.0.0.1 (:mod:`node.sim.runner`); ``--engine virtual`` runs the same
scenario on the deterministic simulator (:mod:`node.sim.virtual`), which
drives the same protocol core on a modelled network and scales to thousands
of nodes. Also here: the rogue's hostile messages (:mod:`node.sim.hostile`),
the in-process cluster (:mod:`node.sim.cluster`), the local process network
(:mod:`node.sim.localnet`) and engine calibration (:mod:`node.sim.calibrate`).
Start with :func:`load_scenario` and :func:`run_scenario`; see docs/sim.md.
"""

from node.sim.result import SimResult
from node.sim.runner import run_scenario
from node.sim.scenario import Fault, Scenario, load_scenario, parse_scenario

__all__ = ["Fault", "Scenario", "SimResult", "load_scenario", "parse_scenario", "run_scenario"]
