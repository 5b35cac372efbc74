"""Features revision 9 (session 43, trial E): |z| against a wide scale beside the MAD's.

The wide scale of a (kind, field) is the larger of its robust (MAD) scale and its 10-90% quantile width
over 2.563. A zero-inflated field has a MAD near 0, so its routine values are many MADs "far"; by the
wide scale they are near, and an anomaly is still far (docs/trials/session43-rule-e.md).
"""

from __future__ import annotations

import random

import pytest
import torch

from node.attention.features import (
    _WIDE_K,
    CTX_NAMES,
    NUM_SLOTS,
    SLOT_NAMES,
    _robust_z,
    featurize,
    featurize_record,
    num_key_id,
    wide_ranks,
)
from node.attention.history import History
from protocol.keys import PrivateKey
from protocol.record import Record

NOW = 1_700_000_000_000
ORIGIN = PrivateKey(bytes([7]) * 32).peer_id
ZW, ZWW, ZHW = SLOT_NAMES.index("z_window"), SLOT_NAMES.index("|z_window_wide|"), SLOT_NAMES.index("|z_history_wide|")
MAX_W, MAX_H = CTX_NAMES.index("max_|z|_window_wide"), CTX_NAMES.index("max_|z|_history_wide")


def _records(rng: random.Random, t0: int, n: int, spike_at: int | None = None) -> list[Record]:
    """Gauges with a zero-inflated rain field (60% zeros) and pumps with a steady flow."""
    out = []
    for i in range(n):
        rain = 0.0 if i % 5 < 3 else round(rng.uniform(2.0, 40.0), 1)
        out.append(Record.create("gauge", ORIGIN, t0 + 2 * i, {"rain_mm": rain, "temp": round(rng.gauss(20, 1), 2)}))
        flow = 500.0 if i == spike_at else round(rng.gauss(100, 3), 1)
        out.append(Record.create("pump", ORIGIN, t0 + 2 * i + 1, {"flow": flow, "rpm": round(rng.gauss(1500, 20))}))
    return out


def _untanh(x: torch.Tensor) -> torch.Tensor:
    return torch.atanh(x.clamp(max=0.999999)) * 3.0


def test_the_quantile_ranks_are_order_statistics_mirrored() -> None:
    assert [wide_ranks(n) for n in (3, 10, 11, 21, 256)] == [(0, 2), (0, 9), (1, 9), (2, 18), (25, 230)]


def test_wide_z_takes_the_quantile_width_where_the_mad_is_degenerate() -> None:
    zeros = [0.0] * 12
    wet = [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 2.2, 1.8]
    normal = [10.0 + 0.1 * k for k in (-2, -1, 0, 1, 2, -1, 0, 1, 0, 3)]
    keys = torch.tensor([1] * 20 + [2] * 10)
    vals = torch.tensor(zeros + wet + normal, dtype=torch.float64)
    z, _, _, _, zw = _robust_z(keys, vals)
    assert bool((z[12:20].abs() >= 4).all())  # every wet value is "far" by the MAD
    assert bool((zw[12:20].abs() < 4).all())  # and near by the wide scale
    srt = sorted(zeros + wet)
    lo, hi = wide_ranks(20)
    assert float(zw[19]) == pytest.approx(1.8 / ((srt[hi] - srt[lo]) / _WIDE_K))
    # a field of one bell-shaped spread: the wide scale is the MAD's or near it
    assert bool((zw[20:].abs() <= z[20:].abs() + 1e-12).all())
    assert float(zw[20:].abs().max()) > 0.5 * float(z[20:].abs().max())


def test_history_wide_scales_are_the_same_order_statistics() -> None:
    rng = random.Random(3)
    h = History.from_records(_records(rng, NOW, 60))
    for name, kind in (("rain_mm", "gauge"), ("flow", "pump")):
        key = num_key_id(kind, name)
        _, scale, total = h.num_stats(key)
        values = sorted(v for v, k in h.value_counts(key).items() for _ in range(k))
        lo, hi = wide_ranks(total)
        assert h.wide_scales([key]) == [max(scale, (values[hi] - values[lo]) / _WIDE_K)]
    rain = num_key_id("gauge", "rain_mm")
    assert h.wide_scales([rain])[0] > 10 * h.num_stats(rain)[1]
    h.add([Record.create("gauge", ORIGIN, NOW + 10_000 + i, {"rain_mm": 0.0, "temp": 20.0}) for i in range(200)])
    assert h.wide_scales([rain])[0] == h.num_stats(rain)[1]  # now 90%+ zeros: the width is 0 too


def test_the_record_reads_its_largest_wide_z_in_the_window_and_the_history() -> None:
    rng = random.Random(5)
    hist = History.from_records(_records(rng, NOW, 60))
    recs = _records(rng, NOW + 1_000, 40, spike_at=17)
    pump = 2 * 17 + 1
    for history in (None, hist):
        w = featurize(recs, history=history)
        far = [j for j in range(0, 80, 2) if float((w.num[j, :, ZW] * 4).abs().max()) >= 4]
        assert len(far) >= 10
        assert all(float(_untanh(w.ctx[j, MAX_W])) < 4 for j in far)
        assert float(_untanh(w.ctx[pump, MAX_W])) >= 4
        assert float(w.ctx[pump, MAX_W]) == pytest.approx(float(w.num[pump, :, ZWW].max()))
    w = featurize(recs, history=hist)
    assert float(_untanh(w.ctx[pump, MAX_H])) >= 4
    wet = [j for j in range(0, 80, 2) if j // 2 % 5 >= 3]
    assert all(float(_untanh(w.ctx[j, MAX_H])) < 4 for j in wet)
    assert float(featurize(recs).ctx[pump, MAX_H]) == 0.0  # no history, no history z


def test_a_wide_record_reads_its_wide_z_past_the_slots() -> None:
    rng = random.Random(9)
    recs = []
    for i in range(40):
        fields = {f"a{k:02d}": 1.0 for k in range(NUM_SLOTS + 4)}
        fields["z_rain"] = 0.0 if i % 5 < 3 else round(rng.uniform(2.0, 40.0), 1)
        fields["z_flow"] = 500.0 if i == 11 else round(rng.gauss(100, 3), 1)
        recs.append(Record.create("rig", ORIGIN, NOW + i, fields))
    assert featurize_record(recs[0]).extra_keys
    w = featurize(recs)
    assert float(_untanh(w.ctx[11, MAX_W])) >= 4
    wet = [i for i in range(40) if i % 5 >= 3 and i != 11]
    assert all(float(_untanh(w.ctx[i, MAX_W])) < 4 for i in wet)
