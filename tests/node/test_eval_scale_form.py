"""``scripts/eval_scale_form.py``: the subforms of the training generator's wide-scale priority are told
apart as the generator writes them, and the rank it reports is the windows' own."""

from __future__ import annotations

import pytest

from tests.scripts import load_script


@pytest.fixture(scope="module")
def tool():
    return load_script("eval_scale_form.py", "eval_scale_form_test")


def test_forms_follow_the_scale_the_world_drew(tool) -> None:
    from node.workload.randomized import RandomizedWorkload

    seen: set[str] = set()
    for s in tool.scale_seeds(30):
        world = RandomizedWorkload(s)
        forms = tool.scale_forms(world)
        assert forms
        for k in world.kinds:
            if k.name not in forms:
                assert k.prio is None or k.prio.numeric is None
                continue
            edges = k.prio.numeric.edges
            shape, _ = forms[k.name].split("/")
            seen.add(shape)
            if shape == "down":  # a countdown: each step a band further down
                assert list(edges[1:]) == sorted(edges[1:], reverse=True)
            else:
                assert list(edges) == sorted(edges)
                assert (shape == "pct") == (edges[0] == 0.0 and abs(edges[-1] - 100.0) < 1e-6)
    assert seen == {"down", "pct", "score"}


def test_the_rank_is_the_windows_own(tool) -> None:
    seeds = tool.scale_seeds(3)
    truth = lambda w, _i: w.target.tolist()  # noqa: E731 - the truth ranks priority near the top
    reverse = lambda w, _i: (-w.target).tolist()  # noqa: E731
    top, bottom = tool.form_report(seeds, truth), tool.form_report(seeds, reverse)
    for form in ("wide scale", "other forms"):
        assert top[form]["n"] == bottom[form]["n"] > 0
        assert top[form]["median_rank"] < 0.2 < 0.8 < bottom[form]["median_rank"]
