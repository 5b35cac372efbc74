"""`attnshare devnet` end to end: real daemons, real workload, commits on every node."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.multiprocess]


def test_devnet_commits_on_every_node_and_reports_json(tmp_path):
    d = tmp_path / "dn"
    out = subprocess.run(
        [sys.executable, "-m", "node.cli", "devnet", "--nodes", "4", "--duration", "8", "--rate", "800",
         "--dir", str(d), "--json"],
        capture_output=True, text=True, timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    summary = json.loads(out.stdout)
    assert summary["dir"] == str(d)
    assert summary["agreement"] is True
    assert len(summary["nodes"]) == 4
    for node in summary["nodes"]:
        for key in ("peer_id", "role", "ingested", "shipped", "committed_blocks", "committed_records"):
            assert key in node
        assert node["role"] == "validator"
        assert node["committed_blocks"] > 0
        assert node["committed_records"] > 0
        assert node["exit_code"] == 0
    assert summary["ingested"] > 0
    assert (d / "genesis.toml").exists()
