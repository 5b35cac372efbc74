"""Calibration table: the 30% rule per figure."""

from __future__ import annotations

from node.sim.calibrate import compare, render


def test_within_30_percent_per_figure():
    proc = {"commit_latency_ms": {"p50": 100.0, "p99": 400.0}, "gossip_bytes_per_committed_record": 1000.0,
            "committed_records": 5000}
    virt = {"commit_latency_ms": {"p50": 125.0, "p99": 600.0}, "gossip_bytes_per_committed_record": 710.0,
            "committed_records": None}
    rows = {r["figure"]: r for r in compare(proc, virt)}
    assert rows["commit latency p50 (ms)"]["ok"]
    assert not rows["commit latency p99 (ms)"]["ok"]  # 1.5x
    assert rows["gossip bytes delivered / committed record"]["ok"]  # 0.71x
    assert not rows["committed records"]["ok"]  # missing on one side
    table = render({"calibrate-4": list(rows.values())})
    assert "| calibrate-4 | commit latency p99 (ms) | 400.0 | 600.0 | 1.50 | NO |" in table
