"""scripts/check_device_scores.py: saved windows round-trip, and a difference is reported, not hidden."""

from __future__ import annotations

import torch

from tests.scripts import load_script


def _load():
    return load_script("check_device_scores.py", "check_device_scores_test")


def test_saved_windows_score_alike_here_and_a_changed_logit_shows(monkeypatch, tmp_path) -> None:
    from node.workload.domains import Workload

    mod = _load()
    wl = Workload(2, bytes(range(32)), origins=2)
    hist = [r for r, _ in wl.next_batch(128, mod.T0)]
    windows = [("d2/32", [r for r, _ in wl.next_batch(32, mod.T0 + 600_000)], hist),
               ("d2/64", [r for r, _ in wl.next_batch(64, mod.T0 + 900_000)], hist)]
    monkeypatch.setattr(mod, "_windows", lambda: windows)
    path = tmp_path / "w.pt"
    mod.save(path)
    report = mod.check(path, tmp_path / "r.json")
    cpu = report["devices"]["cpu"]
    assert cpu["max_score_diff"] == {"model": 0.0, "judge": 0.0, "block_mean": 0.0}  # same machine, same path
    assert set(cpu["by_size"]) == {"32", "64"}
    assert (tmp_path / "r.json").exists()
    saved = torch.load(path, weights_only=False)
    saved["items"][1]["judge"][5] += 1.0  # one logit off: the report must show it
    torch.save(saved, path)
    report = mod.check(path, None)
    assert report["devices"]["cpu"]["max_score_diff"]["judge"] > 0.05
    assert report["devices"]["cpu"]["by_size"]["32"]["judge"] == 0.0
