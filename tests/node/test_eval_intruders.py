"""scripts/eval_intruders.py: where the model's top tenth goes on held-out families (session 32's
diagnostic). The shape classes are checked on values built to be each one, and one small family run
checks the report adds up: every missed truth-top record has an intruder in its place."""

from __future__ import annotations

import json
import random
import subprocess
import sys

from tests.scripts import SCRIPTS, load_script

SCRIPT = SCRIPTS / "eval_intruders.py"
tool = load_script("eval_intruders.py", "eval_intruders_test")


def test_shapes() -> None:
    rng = random.Random(1)
    levels = {f"S{i}": rng.gauss(0, 10) for i in range(20)}
    sites = [rng.choice(list(levels)) for _ in range(400)]
    per_entity = [levels[s] + rng.gauss(0, 1) for s in sites]
    assert tool.shape_of(per_entity, labels=[{"site": s} for s in sites]) == "per-entity"
    # The same values with the sites shuffled apart: no text field explains them.
    shuffled = [{"site": s} for s in rng.sample(sites, len(sites))]
    assert tool.shape_of(per_entity, labels=shuffled) != "per-entity"
    assert tool.shape_of([0.0] * 150 + [rng.uniform(1, 9) for _ in range(250)]) == "zero-inflated"
    assert tool.shape_of([rng.paretovariate(1.2) for _ in range(400)]) == "heavy tail"
    assert tool.shape_of([float(rng.randint(1, 5)) for _ in range(400)]) == "few values"
    assert tool.shape_of([rng.gauss(50, 5) for _ in range(400)]) == "plain"
    # An id naming nearly every record explains everything and nothing: not an entity.
    ids = [{"id": str(i)} for i in range(400)]
    assert tool.shape_of([rng.gauss(50, 5) for _ in range(400)], labels=ids) == "plain"


def test_a_family_report_adds_up() -> None:
    out = subprocess.run([sys.executable, str(SCRIPT), "--families", "farm", "--worlds", "1", "--train", "2",
                          "--json"], capture_output=True, text=True, check=True)
    rep = json.loads(out.stdout)
    farm = rep["families"]["farm"]
    # Each window's top tenth has as many places as the truth's: a miss is an intruder's place.
    assert sum(farm["missed"].values()) == sum(farm["intruders"].values()) > 0
    assert sum(farm["routine intruders by driving field"].values()) == farm["intruders"].get("normal", 0)
    assert sum(rep["randomized numeric fields by shape"].values()) > 0
    bad = subprocess.run([sys.executable, str(SCRIPT), "--worlds", "0"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "--worlds must be at least 1" in bad.stderr
