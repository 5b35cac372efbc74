"""``scripts/eval_priming.py``: junk padded with field names a liar got committed first (review 26, B1).

Its padding must add exactly the names it says, and one small run with the shipped checkpoint must
report what docs/attention.md ("Session 28") quotes: padded junk below the bar like plain junk, the
never-committed names counted by the novelty budget, honest blocks above it.
"""

from __future__ import annotations

import random

import pytest

from tests.scripts import load_script


@pytest.fixture(scope="module")
def script():
    return load_script("eval_priming.py", "eval_priming_test")


def test_padding_adds_the_names_and_nothing_else(script) -> None:
    from protocol.keys import PrivateKey
    from protocol.record import Record

    origin = PrivateKey(b"\x06" * 32).peer_id
    r = Record.create("levee", origin, 1_700_000_000_000, {"gauge_m": 7.53, "station": "s0"})
    nums, labels = script._names(0, "", 3), script._names(0, "l", 2)
    p = script._pad(r, nums, labels, random.Random(1))
    assert (p.kind, p.origin, p.ts_ms) == (r.kind, r.origin, r.ts_ms)
    assert set(p.fields) == {"gauge_m", "station", *nums, *labels}
    assert all(isinstance(p.fields[n], float) for n in nums)
    assert all(isinstance(p.fields[n], str) for n in labels)
    assert {p.fields[k] for k in ("gauge_m", "station")} == {7.53, "s0"}
    # three schemes, none the training blocks' (node.attention.data._made_up_name)
    assert len({tuple(script._names(s, "", 2)) for s in range(3)}) == 3


def test_one_world_primed_junk_stays_below_the_bar(script) -> None:
    from node.attention.scorer import load_scorer

    scorer = load_scorer(device="cpu")
    bar = script.E._bar()
    out = script.run_world(scorer, "fleet", 900_000, 1, 2, bar)
    assert set(out) == set(script.CONDITIONS)
    assert len(out["priming"]) == 1
    assert all(len(out[c]) == 2 for c in script.CONDITIONS if c != "priming")
    assert all(x >= bar for x in out["honest"])
    for c in ("junk", "junk primed x2", "junk primed x4", "junk primed x8", "junk fresh x4 (control)"):
        assert all(x < bar for x in out[c]), (c, out[c])
    summary = script.summarize(out, bar)
    assert summary["junk primed x4"]["pass"] == 0.0
    assert summary["honest"]["n"] == 2
