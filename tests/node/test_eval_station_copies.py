"""scripts/eval_station_copies.py: the synthetic station stream of review 30 row 4 (honest records the
copy rule calls copies; open). Of the 700 judged records of a 1,200-record stream: 139 at 548a9b4, 157
since session 31's dropped + moved probe (75 with fixed values out of the evidence, reverted: review 31).
The bound keeps the honest cost from growing unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.scripts import SCRIPTS, load_script

SCRIPT = SCRIPTS / "eval_station_copies.py"


def test_the_honest_cost_on_a_station_stream_does_not_grow() -> None:
    out = load_script("eval_station_copies.py", "eval_station_copies_test").run(1200, 40)
    assert out["all"]["records"] == 700
    assert sum(v["records"] for g, v in out.items() if g != "all") == 700
    assert out["all"]["copies"] <= 160  # 157 now; 139 before the dropped + moved probe


def test_json_and_bad_input() -> None:
    ok = subprocess.run([sys.executable, str(SCRIPT), "--records", "600", "--stations", "5", "--json"],
                        capture_output=True, text=True, check=True)
    assert json.loads(ok.stdout)["all"]["records"] == 100
    bad = subprocess.run([sys.executable, str(SCRIPT), "--records", "400"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "--records must be more than 500" in bad.stderr
