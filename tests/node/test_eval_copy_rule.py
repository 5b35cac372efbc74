"""``scripts/eval_copy_rule.py``: committed news sent again in disguise, and the honest cost.

Its transforms must be the disguises they claim (a nudge under half a bin that breaks one grid and
keeps the other; labels re-typed; one label dropped), and one small run must report the shape the
docs quote, with the disguised replays caught as copies by the shipped rule.
"""

from __future__ import annotations

import random

import pytest

from tests.scripts import load_script


@pytest.fixture(scope="module")
def script():
    return load_script("eval_copy_rule.py", "eval_copy_rule_test")


def test_min_nudge_breaks_one_grid_only_and_is_small(script) -> None:
    for v in (7.53, 912.4, 0.0371, 45_123.7, -3.25):
        for grid in (0, 1):
            e, w = script._min_nudge(v, grid)
            assert e < 0.005  # well under a bin of about 0.5%
            assert script._bins(w)[grid] != script._bins(v)[grid]
            assert script._bins(w)[1 - grid] == script._bins(v)[1 - grid]


def test_transforms_change_what_they_say(script) -> None:
    from node.attention.history import History
    from protocol.keys import PrivateKey
    from protocol.record import Record

    origin = PrivateKey(b"\x05" * 32).peer_id
    fields = {"gauge_m": 7.53, "flow": 912.4, "station": "s0", "crew": "north", "remark": "seepage"}
    r = Record.create("levee", origin, 1_700_000_000_000, fields)
    rng = random.Random(3)
    relabelled = script._relabel(dict(fields), rng, r, History.from_records([r]))
    assert relabelled["gauge_m"] == 7.53
    assert relabelled["station"] != "s0"
    assert relabelled["station"].startswith("s0-")
    dropped = script._t_drop(dict(relabelled), r, rng, {})
    assert len(dropped) == len(fields) - 1
    assert {"gauge_m", "flow"} <= dropped.keys()
    ctx = {"nudges": []}
    nudged = script._t_nudge2(dict(fields), r, rng, ctx)
    moved = [k for k in ("gauge_m", "flow") if nudged[k] != fields[k]]
    assert len(moved) == 2
    assert ctx["nudges"][0] < 0.005


def test_one_small_run_reports_and_catches_disguised_replays(script) -> None:
    from node.attention import load_scorer

    rep = script.run_family("fleet", 1, 2, load_scorer(device="cpu"))
    assert set(rep["attacks"]) == set(script.ATTACKS)
    dropped = rep["attacks"]["+ a label dropped"]
    assert dropped["blocks"] == 2
    assert dropped["copies"] >= 0.8 * dropped["records"]  # fleet's news has the measured numbers
    assert rep["honest"]["honest blocks"] == 2
    assert rep["honest"]["important"] > 0
