"""Smoke run of scripts/fuzz_campaign.py: every decoder and topic validator, no crash.

The full campaign (a million inputs) is a script, not a test; this runs a few
thousand inputs of the same generators so CI catches a decoder that starts
raising outside its error family, and checks the harness still reaches the
accept path of every target (a fuzzer that only ever feeds garbage proves
little).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import trio

from tests.scripts import load_script


def _load():  # type: ignore[no-untyped-def]
    return load_script("fuzz_campaign.py", "fuzz_campaign")


@pytest.mark.slow
def test_fuzz_smoke_no_crash(tmp_path: Path) -> None:
    fc = _load()
    args = argparse.Namespace(
        inputs=6000, seed=12345, seeds=8, limit_ms=10.0, remeasure_ms=2.0, trace_every=0,
        report_every=10**9, only=None, out=None, save_dir=tmp_path,
    )
    report = trio.run(fc.run_campaign, args)
    crashes = {name: t["crashes"] for name, t in report["targets"].items() if t["crashes"]}
    assert crashes == {}
    assert report["meta"]["inputs"] == 6000
    for name, t in report["targets"].items():
        assert t["inputs"] > 0, name
        assert t["accepted"] > 0, f"{name}: no input was ever accepted"


def test_a_crash_is_reported(tmp_path: Path) -> None:
    # The harness itself: an exception outside the error family is a crash.
    fc = _load()

    def boom(data: bytes) -> None:
        raise ZeroDivisionError("planted")

    target = fc.Target("planted", boom, None, (fc.RemoteError,), lambda r: b"\x90")
    fc_targets = fc.make_targets
    fc.make_targets = lambda: [target]
    try:
        args = argparse.Namespace(
            inputs=50, seed=1, seeds=2, limit_ms=10.0, remeasure_ms=2.0, trace_every=0,
            report_every=10**9, only=None, out=None, save_dir=tmp_path,
        )
        report = trio.run(fc.run_campaign, args)
    finally:
        fc.make_targets = fc_targets
    assert report["crashes"] == 50
    (entry,) = report["targets"]["planted"]["crashes"].values()
    assert "planted" in entry["message"]
    assert Path(entry["file"]).exists()
