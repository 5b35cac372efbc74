"""scripts/eval_ensemble.py: checkpoints scored alone and averaged on the same held-out windows."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

from node.attention.model import ImportanceNet, ModelConfig
from node.attention.train import save_checkpoint
from tests.scripts import load_script


def _tiny(path: Path, seed: int) -> Path:
    torch.manual_seed(seed)
    save_checkpoint(ImportanceNet(ModelConfig(d_model=16, heads=2, layers=1, ff=32)).eval(), path)
    return path


def test_an_ensemble_of_one_network_twice_scores_as_the_network(monkeypatch, tmp_path, capsys) -> None:
    mod = load_script("eval_ensemble.py", "eval_ensemble_test")
    a = _tiny(tmp_path / "a.pt", 1)
    b = _tiny(tmp_path / "b.pt", 2)
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "a.pt").write_bytes(a.read_bytes())
    cache = tmp_path / "cache"
    out = tmp_path / "out.json"
    argv = ["eval_ensemble.py", "--checkpoints", f"{a},{twin / 'a.pt'},{b}", "--families", "fleet", "--worlds", "1",
            "--subsets", "--cache", str(cache), "--out", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    assert mod.main() == 0
    got = json.loads(out.read_text())["scores"]
    assert set(got) == {"#0 a.pt", "#1 a.pt", "#2 b.pt", "#0 + #1", "#0 + #2", "#1 + #2", "#0 + #1 + #2"}
    assert got["#0 + #1"]["fleet"] == got["#0 a.pt"]["fleet"]  # the mean of equal logits is those logits
    assert got["#0 + #2"]["fleet"] != got["#0 a.pt"]["fleet"]
    assert "at or above the best single checkpoint" in capsys.readouterr().out
    cached = sorted(p.name for p in cache.iterdir())
    assert len(cached) == 2  # keyed by content: the twin file shares a's entry
    assert mod.main() == 0  # a second run reads the cache
    assert sorted(p.name for p in cache.iterdir()) == cached
