"""The process report's gossip figure: what peers handed each node, summed (node/sim/report.py)."""

from __future__ import annotations

from pathlib import Path

from node.sim.invariants import NodeView
from node.sim.report import compute_metrics, delivered_series
from node.sim.scenario import Scenario, WorkloadSpec
from node.sim.virtual.engine import VirtualAcked, _FeederShim
from node.sim.virtual.report import _ResultShim


def _sample(t: float, per_node: dict[str, tuple[int, int]]) -> dict[str, object]:
    return {"t": t, "nodes": {k: {"gossip_bytes_in": i, "gossip_bytes_out": o} for k, (i, o) in per_node.items()}}


def test_gossip_bytes_delivered_is_the_sum_of_what_peers_handed_each_node() -> None:
    # Three nodes; node 0 published 100 bytes once and both others received them. A daemon's
    # gossip_bytes_in leaves its own publishes out already, so nothing is to be subtracted:
    # delivered = 200 (one message, two receivers), not 200 - 100.
    samples = [_sample(0.0, {"0": (0, 0), "1": (0, 0), "2": (0, 0)}),
               _sample(1.0, {"0": (0, 100), "1": (100, 0), "2": (100, 0)})]
    res = _ResultShim(Scenario(name="t", nodes=3, validators=3, workload=WorkloadSpec(rate=0, duration_s=1.0)), Path("."), [], [], samples,
                      [NodeView(0, "p0", True)], _FeederShim(VirtualAcked()), 0, {"load_s": 1.0})
    m = compute_metrics(res)  # type: ignore[arg-type]
    assert m["gossip_bytes_delivered"] == 200
    assert m["series"]["gossip_bytes_delivered"] == [0, 200]


def test_delivered_series_survives_a_restart_through_accumulated_counters() -> None:
    assert delivered_series({"0": [0, 50, 80], "1": [10, 10, 30]}, 3) == [10, 60, 110]
