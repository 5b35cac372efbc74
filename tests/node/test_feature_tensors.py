"""The array-backed tensor constructors of the featurizer build what ``torch.tensor`` builds.

``assemble_window`` converts Python lists through ``array`` (about 3x faster than ``torch.tensor`` on
lists of ints); the window's features, and so the checkpoint a rebuild trains, must not move by a bit.
"""

from __future__ import annotations

import math

import pytest
import torch

from node.attention.features import _f32, _f64, _ids, assemble_window, featurize_record
from node.workload import Workload


@pytest.mark.parametrize("values", [[], [0], [1, -1, 2**63 - 1, -(2**63)], list(range(-5, 300, 7))])
def test_ids_match_torch_tensor(values: list[int]) -> None:
    got = _ids(iter(values))
    assert got.dtype == torch.int64
    assert torch.equal(got, torch.tensor(values, dtype=torch.int64))


def test_ids_refuse_what_torch_refuses() -> None:
    with pytest.raises(OverflowError):
        _ids([2**63])


@pytest.mark.parametrize("values", [[], [True, False], [0.1, 1e-40, -3.4e38, 1e39, math.pi, -0.0], [1, 2, 3]])
def test_floats_match_torch_tensor(values: list[float]) -> None:
    for conv, dtype in ((_f32, torch.float32), (_f64, torch.float64)):
        got = conv(values)
        want = torch.tensor(values, dtype=dtype)
        assert got.dtype == dtype
        # Bitwise, signed zeros and infinities included.
        assert torch.equal(got.view(torch.int32 if dtype == torch.float32 else torch.int64),
                           want.view(torch.int32 if dtype == torch.float32 else torch.int64))


def test_window_owns_its_buffers() -> None:
    """A window assembled twice from the same features is equal, and writing into one leaves the other."""
    feats = [featurize_record(r) for r, _ in Workload(5).next_batch(64, 1_700_000_000_000)]
    a, b = assemble_window(feats), assemble_window(feats)
    for f in ("kind", "content", "origin", "ctx", "num"):
        assert torch.equal(getattr(a, f), getattr(b, f))
    a.kind.add_(1)
    a.ctx.add_(1.0)
    c = assemble_window(feats)
    assert torch.equal(b.kind, c.kind)
    assert torch.equal(b.ctx, c.ctx)
