"""scripts/eval_station_copies.py: the synthetic station stream of review 30 row 4, as a test of what
it measures. At 548a9b4 (a station's coordinates counted as the labels-off rule's evidence) 139 of the
700 judged records of a 1,200-record stream were called copies; since session 31, 75."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "eval_station_copies.py"


def _module():
    spec = importlib.util.spec_from_file_location("eval_station_copies", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_fixed_coordinates_do_not_make_honest_readings_copies() -> None:
    out = _module().run(1200, 40)
    assert out["all"]["records"] == 700
    assert sum(v["records"] for g, v in out.items() if g != "all") == 700
    assert out["all"]["copies"] < 100  # 139 when the coordinates were evidence


def test_json_and_bad_input() -> None:
    ok = subprocess.run([sys.executable, str(SCRIPT), "--records", "600", "--stations", "5", "--json"],
                        capture_output=True, text=True, check=True)
    assert json.loads(ok.stdout)["all"]["records"] == 100
    bad = subprocess.run([sys.executable, str(SCRIPT), "--records", "400"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "--records must be more than 500" in bad.stderr
