"""``scripts/eval_unseen.py --near``: the diagnostic that found session 19's re-typed labels.

It splits a family's near copies by whether the near digest flags them and groups the unflagged
ones by what the copy changed. These tests run it on a few small hydro windows with a scoring
rule written here (no checkpoint), and check its counts against the windows themselves.
"""

from __future__ import annotations

import pytest

from node.attention.features import CTX_NAMES
from tests.scripts import load_script


@pytest.fixture(scope="module")
def eval_unseen():
    return load_script("eval_unseen.py", "eval_unseen_near_test")


def test_near_report_counts_and_splits_the_windows_near_copies(eval_unseen) -> None:
    windows = eval_unseen.family_windows("hydro", 2, 2, 128)
    flag = CTX_NAMES.index("near_copy_earlier"), CTX_NAMES.index("near_copy_in_history")

    def flagged(w, j) -> bool:
        return bool(w.feats.ctx[j, flag[0]] > 0.5 or w.feats.ctx[j, flag[1]] > 0.5)

    # A rule that ranks every flagged near copy last and every unflagged one first.
    def rule(w, _i):
        return [(-1.0 if flagged(w, j) else 1.0) if c == "near_dup" else 0.0 for j, c in enumerate(w.cases)]

    rep = eval_unseen.near_report(windows, {"rule": rule}, ("rule",))
    near = [(w, j) for w in windows for j, c in enumerate(w.cases) if c == "near_dup"]
    n_flagged = sum(flagged(w, j) for w, j in near)
    assert rep["n"] == len(near) > 0
    assert rep["flagged_share"] == round(n_flagged / len(near), 3)
    assert 0 < n_flagged < len(near)  # hydro has both kinds
    m = rep["methods"]["rule"]
    assert m["flagged"] > 0.9
    assert m["unflagged"] < 0.1
    groups = m["unflagged_by_change"]
    assert sum(g["n"] for g in groups.values()) <= len(near) - n_flagged
    assert all("->" in k or k in ("-", "source outside the window") for k in groups)
