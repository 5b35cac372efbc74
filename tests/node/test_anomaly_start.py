"""Trial A (session 42): a number is news only beyond the routine range, in both training families.

Every held-out family, written by others to the same definition, keeps routine numbers within 4
spreads and starts news at 4.5-5 spreads with 0.4-0.5; the training labels used to ramp up from
2.5 sigma, so a natural 3.5-sigma reading was labelled as a priority step's share of news
(docs/trials/session42-rule-a.md).
"""

from __future__ import annotations

import pytest

from node.workload.domains import ANOMALY_START, ROUTINE_FLOOR, Workload, anomaly_strength, noisy_or
from node.workload.randomized import RandomizedWorkload

NOW = 1_700_000_000_000
FRESH = ("routine", "burst_head", "novel")


def test_strength_is_zero_inside_the_routine_range_and_a_step_at_its_edge() -> None:
    assert ANOMALY_START == 4.5
    for k in (0.0, 2.5, 3.0, 4.0, 4.49):
        assert anomaly_strength(k) == 0.0
        assert anomaly_strength(-k) == 0.0
    assert anomaly_strength(4.5) == pytest.approx(0.5)
    assert anomaly_strength(-5.5) == pytest.approx(0.75)
    assert anomaly_strength(6.5) == anomaly_strength(30.0) == 1.0


@pytest.mark.parametrize("family", ["domains", "randomized"])
def test_every_labelled_anomaly_is_worth_the_step_at_the_start(family: str) -> None:
    """A fresh record labelled for its number is worth at least the step at ANOMALY_START: no
    3-sigma reading is labelled as part news (before trial A, both families held such labels)."""
    floor_news = noisy_or(ROUTINE_FLOOR, 0.9 * anomaly_strength(ANOMALY_START))
    anomalies = 0
    for seed in range(6):
        world = Workload(seed) if family == "domains" else RandomizedWorkload(seed)
        for x in world.next_labeled(1500, NOW):
            if x.case not in FRESH:
                continue
            if x.detail == "anomaly":
                anomalies += 1
                assert x.importance >= floor_news - 1e-9, (family, seed, x.importance)
    assert anomalies >= 30  # the worlds do inject anomalies
