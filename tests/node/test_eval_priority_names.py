"""``scripts/eval_priority_names.py``: renaming a held-out family's priority field changes the name
and nothing else (values, truth, cases), and the rank it reports is the windows' own."""

from __future__ import annotations

import pytest

from tests.scripts import load_script

NOW = 1_700_000_000_000


@pytest.fixture(scope="module")
def tool():
    return load_script("eval_priority_names.py", "eval_priority_names_test")


def test_rename_moves_the_priority_field_and_keeps_the_truth(tool) -> None:
    seed = tool.form_seeds("dc", "sla", 1)[0]
    plain = tool.renamed_factory("dc", None)(seed)
    renamed = tool.renamed_factory("dc", "urgency_minutes")(seed)
    key = plain.prio_key
    a, b = plain.next_labeled(300, NOW), renamed.next_labeled(300, NOW)
    moved = 0
    for x, y in zip(a, b, strict=True):
        fx, fy = dict(x.record.fields), dict(y.record.fields)
        assert (x.importance, x.case, x.detail, x.ref) == (y.importance, y.case, y.detail, y.ref)
        if key in fx:
            moved += 1
            assert key not in fy
            assert fy["urgency_minutes"] == fx.pop(key)
        assert {k: v for k, v in fy.items() if k != "urgency_minutes"} == fx
    assert moved > 50


def test_priority_rank_is_the_windows_own(tool) -> None:
    from node.attention.data import make_windows

    seeds = tool.form_seeds("dc", "sla", 1)
    windows = make_windows(seeds, 1, (128,), shuffle_seed=3, family="dc",
                           factory=tool.renamed_factory("dc", None), history="committed", warmup=(1,))
    truth = lambda w, _i: w.target.tolist()  # noqa: E731 - the truth ranks priority near the top
    reverse = lambda w, _i: (-w.target).tolist()  # noqa: E731
    n, top = tool.priority_rank(windows, truth)
    _, bottom = tool.priority_rank(windows, reverse)
    assert n > 0
    assert top < 0.2 < 0.8 < bottom


@pytest.mark.parametrize(("text", "seconds"), [
    ("PT36H", 129_600), ("P3D", 259_200), ("P1DT12H", 129_600), ("PT30M", 1_800), ("PT1,5H", 5_400),
    ("5 nap", 432_000), ("8 óra", 28_800), ("30 perc", 1_800), ("48:00", 172_800), ("dakika 45", 2_700),
    ("45min", 2_700), ("2 h", 7_200), ("3 days", 259_200),
])
def test_duration_seconds_reads_what_a_duration_says(tool, text: str, seconds: int) -> None:
    assert tool.duration_seconds(text) == seconds


@pytest.mark.parametrize("value", ["red", "P1", "P", "PT", "12", "saa 2:15", "5 km", "min 5 h", 300, True, None])
def test_duration_seconds_leaves_what_is_no_duration(tool, value: object) -> None:
    assert tool.duration_seconds(value) is None


def test_as_seconds_rewrites_the_priority_durations_and_keeps_the_truth(tool) -> None:
    seed = tool.form_seeds("lift", "deadline", 1)[0]
    plain = tool.renamed_factory("lift", None)(seed)
    timed = tool.renamed_factory("lift", None, as_seconds=True)(seed)
    key = plain.prio_key
    rewritten = 0
    for x, y in zip(plain.next_labeled(300, NOW), timed.next_labeled(300, NOW), strict=True):
        fx, fy = dict(x.record.fields), dict(y.record.fields)
        assert (x.importance, x.case, x.detail, x.ref) == (y.importance, y.case, y.detail, y.ref)
        if key in fx:
            rewritten += 1
            assert fy[key] == tool.duration_seconds(fx[key])
        assert {k: v for k, v in fy.items() if k != key} == {k: v for k, v in fx.items() if k != key}
    assert rewritten > 20
