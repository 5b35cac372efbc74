"""scripts/bench_scoring.py --against: the side-by-side comparison of two trees' scoring paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.scripts import load_script

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_scoring.py"


def _load():
    return load_script("bench_scoring.py", "bench_scoring_test")


def test_against_a_directory_that_is_no_checkout_is_a_clear_error(tmp_path) -> None:
    out = subprocess.run([sys.executable, str(SCRIPT), "--against", str(tmp_path), "--json", str(tmp_path / "x.json")],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 2
    assert "not a checkout of this project" in out.stderr
    assert not (tmp_path / "x.json").exists()


def test_pairs_alternate_which_tree_runs_first(monkeypatch, tmp_path) -> None:
    # A VM's slow phase must not always fall on the same tree: pairs alternate the order, and the
    # summary is the median of per-pair ratios.
    mod = _load()
    calls = []
    speeds = {mod.REPO: 2.0, tmp_path: 1.0}

    def fake(tree, repeat):
        calls.append(tree)
        x = speeds[tree] * (1.0 + len(calls))  # a drifting machine: later runs are faster
        return {"featurize": x, "assemble": x, "end_to_end": x, "end_to_end_history": x}

    monkeypatch.setattr(mod, "tree_bench", fake)
    out = mod.compare_trees(tmp_path, pairs=4, repeat=1)
    assert calls == [mod.REPO, tmp_path, tmp_path, mod.REPO, mod.REPO, tmp_path, tmp_path, mod.REPO]
    assert len(out["pairs"]) == 4
    assert 1.0 < out["summary"]["end_to_end"]["ratio"] < 4.0
