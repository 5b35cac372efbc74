"""scripts/goal_table.py: issue 9's ranking goals per held-out family. The verdicts are checked on
reports built to miss each goal once; one real run of one family at one world checks that the script
reads eval_unseen's JSON as eval_unseen writes it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.scripts import SCRIPTS, load_script

SCRIPT = SCRIPTS / "goal_table.py"
tool = load_script("goal_table.py", "goal_table_test")


def report(model: float = 0.7, heuristic: float = 0.4, nobias: float = 0.6, mlp: float = 0.5,
           **ranks: float) -> dict[str, Any]:
    base = {"anomaly": 0.03, "rare kind": 0.05, "priority": 0.06, "burst head": 0.02,
            "exact dup": 0.97, "near dup": 0.8, "burst tail": 0.88}
    base.update({k.replace("_", " "): v for k, v in ranks.items()})
    others = {"heuristic+": heuristic, "attention, no pair bias": nobias, "mlp (no attention)": mlp,
              "random": 0.14}
    return {"windows": 72,
            "ndcg": {"model": {"mean": model}, **{k: {"mean": v} for k, v in others.items()}},
            "vs_model": {k: {"diff": model - v} for k, v in others.items()},
            "case_median_rank": {"model": base}}


def test_each_goal_names_the_families_that_miss_it() -> None:
    summary = tool.summarize({
        "good": report(),
        "close": report(heuristic=0.66),                  # beats the heuristic by 0.04 only
        "flat": report(nobias=0.71),                      # a baseline scores above the model
        "slow": report(priority=0.10, burst_head=0.12),   # 0.10 is not inside the top 10%
        "leaky": report(near_dup=0.49),
    })
    missed = summary["missed"]
    assert missed["model beats the heuristic by >= 0.05"] == ["close"]
    assert missed["model beats every other baseline"] == ["flat"]
    assert missed["priority in the top 10%"] == ["slow"]
    assert missed["burst head in the top 10%"] == ["slow"]
    assert missed["anomaly in the top 10%"] == []
    assert missed["near dup in the bottom half"] == ["leaky"]
    assert summary["families"]["close"]["vs heuristic"] == 0.7 - 0.66
    assert abs(summary["mean over families"]["priority"] - (0.06 * 4 + 0.10) / 5) < 1e-12
    text = tool.render(summary)
    assert "| slow | 72 | 0.700 |" in text
    assert "**0.100**" in text
    assert "**0.120**" in text
    assert "priority in the top 10%: missed on 1 of 5: slow" in text
    assert "anomaly in the top 10%: met on every family" in text


def test_one_real_family_run_and_printing_it_again(tmp_path: Path) -> None:
    out = tmp_path / "goals.json"
    run = subprocess.run([sys.executable, str(SCRIPT), "--families", "civic", "--worlds", "1", "--out", str(out)],
                         capture_output=True, text=True, check=False, timeout=300)
    assert run.returncode == 0, run.stderr
    saved = json.loads(out.read_text())
    row = saved["summary"]["families"]["civic"]
    assert row["windows"] == 3
    assert 0.0 < row["model"] <= 1.0
    assert set(row["ranks"]) == set(tool.TOP + tool.BOTTOM)
    again = subprocess.run([sys.executable, str(SCRIPT), "--from", str(out)],
                           capture_output=True, text=True, check=False, timeout=60)
    assert again.returncode == 0
    assert again.stdout == run.stdout
    bad = subprocess.run([sys.executable, str(SCRIPT), "--families", "randomized"],
                         capture_output=True, text=True, check=False, timeout=60)
    assert bad.returncode == 2
    assert "unknown families" in bad.stderr
