"""scripts/diag_priority_carriers.py: priority records grouped by their carrier, ranked per window."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import diag_priority_carriers as diag  # noqa: E402

from node.attention.data import TEST_SEEDS, make_windows  # noqa: E402
from node.workload.randomized import RandomizedWorkload  # noqa: E402


def test_worlds_hold_a_neutral_number_and_are_test_seeds() -> None:
    worlds = diag.worlds_with_neutral_numbers(2)
    assert len(worlds) == 2
    for s, kinds in worlds.items():
        assert s in TEST_SEEDS
        assert {k.name for k in RandomizedWorkload(s).kinds} == set(kinds)
        assert any(diag.carrier(k) == "neutral number (trial Z)" for k in kinds.values())


def test_the_truth_ranks_neutral_numbers_above_an_inverted_ranking() -> None:
    worlds = diag.worlds_with_neutral_numbers(6)  # a few hold the number in a kind too rare to show up
    windows = make_windows(list(worlds), diag.PER_WORLD, (256,), family="randomized", history="committed",
                           warmup=(2,), shuffle_seed=3)
    truth = diag.ranks_by_carrier(windows, worlds, lambda w, _i: w.target.tolist())
    inverted = diag.ranks_by_carrier(windows, worlds, lambda w, _i: (-w.target).tolist())
    key = "neutral number (trial Z)"
    assert key in truth
    assert len(truth[key]) == len(inverted[key]) > 0
    assert all(0.0 <= r <= 1.0 for r in truth[key])
    assert sorted(truth[key])[len(truth[key]) // 2] < 0.3 < sorted(inverted[key])[len(inverted[key]) // 2]
