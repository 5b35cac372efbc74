"""Features revision 8 (session 42, trial C): a slot's ``far_share_window``.

A field whose values mostly sit on one point (zero-inflated amounts, a small count) has a MAD near 0,
so every other value is many MADs "far"; an anomaly is far alone. The slot reads the share of the
other values of its (kind, field) in the window that are 4+ MADs out (docs/trials/session42-rule-c.md).
"""

from __future__ import annotations

import random

import pytest
import torch

from node.attention.features import SLOT_NAMES, _far_share, featurize
from protocol.keys import PrivateKey
from protocol.record import Record

NOW = 1_700_000_000_000
ORIGIN = PrivateKey(bytes([7]) * 32).peer_id
FAR = SLOT_NAMES.index("far_share_window")


def test_the_share_counts_the_other_far_values_of_the_group() -> None:
    inv = torch.tensor([0, 0, 0, 0, 0, 1, 1])
    z = torch.tensor([0.0, 0.5, 5.0, 4.0, -6.0, 9.0, 0.0], dtype=torch.float64)
    gcount = torch.tensor([5, 5, 5, 5, 5, 2, 2])
    share = _far_share(inv, z, gcount).tolist()
    assert share[:5] == pytest.approx([0.75, 0.75, 0.5, 0.5, 0.5])
    assert share[5:] == [0.0, 0.0]  # a group of two has no z


def test_a_zero_inflated_field_is_far_together_and_an_anomaly_alone() -> None:
    rng = random.Random(5)
    recs = []
    for i in range(40):
        rain = 0.0 if i % 5 < 3 else round(rng.uniform(2.0, 40.0), 1)  # 60% zeros
        recs.append(Record.create("gauge", ORIGIN, NOW + i, {"rain_mm": rain, "temp": round(rng.gauss(20, 1), 2)}))
    for i in range(40):
        flow = 500.0 if i == 17 else round(rng.gauss(100, 3), 1)
        recs.append(Record.create("pump", ORIGIN, NOW + 100 + i, {"flow": flow, "rpm": round(rng.gauss(1500, 20))}))
    w = featurize(recs)
    zw = w.num[:, :, SLOT_NAMES.index("z_window")] * 4.0
    far_rain = [j for j in range(40) if bool((zw[j].abs() >= 4).any())]
    assert len(far_rain) >= 10  # the wet records are all "far" by the MAD's measure
    for j in far_rain:
        slot = int((zw[j].abs() >= 4).nonzero()[0])
        assert float(w.num[j, slot, FAR]) > 0.2
    pump = 40 + 17
    slot = int(zw[pump].abs().argmax())
    assert float(zw[pump, slot].abs()) >= 4
    assert float(w.num[pump, slot, FAR]) < 0.05  # at most one other pump reading that far
