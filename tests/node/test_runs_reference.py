"""``features._runs`` (rewritten for speed in session 24) against the plain version it replaced.

Run features (gap to the previous and next record of the same kind and origin, position in the run,
its length, first of a run) feed consensus scores, so the faster version must give the same floats,
bit for bit, on windows with ties in time, interleaved origins and runs broken by long gaps.
"""

from __future__ import annotations

import math
import random

import pytest

from node.attention.features import RecordFeatures, _runs


def reference_runs(sorted_feats: list[RecordFeatures], idx: list[int], mean_gap: float) -> list[list[float]]:
    n = len(idx)
    out = [[0.0] * 5 for _ in range(n)]
    last: dict[tuple[int, int], int] = {}
    prev = [-1] * n
    for p, f in enumerate(sorted_feats):
        key = (f.kind_id, f.origin_id)
        prev[p] = last.get(key, -1)
        last[key] = p
    nxt = [-1] * n
    for p in range(n):
        if prev[p] >= 0:
            nxt[prev[p]] = p
    limit = mean_gap * 1000.0
    pos = [0] * n
    for p in range(n):
        q = prev[p]
        if q >= 0 and (sorted_feats[p].ts_ms - sorted_feats[q].ts_ms) / 1000.0 <= mean_gap:
            pos[p] = pos[q] + 1
    length = [0] * n
    for p in range(n - 1, -1, -1):
        q = nxt[p]
        linked = q >= 0 and pos[q] == pos[p] + 1
        length[p] = length[q] if linked else pos[p] + 1
    scale = math.log1p(1000.0)
    for p in range(n):
        f = sorted_feats[p]
        gp = (f.ts_ms - sorted_feats[prev[p]].ts_ms) / 1000.0 if prev[p] >= 0 else limit
        gn = (sorted_feats[nxt[p]].ts_ms - f.ts_ms) / 1000.0 if nxt[p] >= 0 else limit
        row = out[idx[p]]
        row[0] = math.log1p(min(gp, limit) / mean_gap) / scale
        row[1] = math.log1p(min(gn, limit) / mean_gap) / scale
        row[2] = math.log1p(pos[p]) / 3.0
        row[3] = math.log1p(length[p]) / 3.0
        row[4] = 1.0 if pos[p] == 0 and length[p] >= 2 else 0.0
    return out


def _feat(kind: int, origin: int, ts: int) -> RecordFeatures:
    return RecordFeatures(kind_id=kind, origin_id=origin, ts_ms=ts, content=0, shape=0, tokens=(), num_keys=(),
                          num_vals=(), num_prio=(), cat_tokens=(), cat_fields=(), prio_token=0, prio_field_id=0,
                          prio_word=-1.0, prio_field=False, flag=False, n_fields=0)


@pytest.mark.parametrize("seed", range(40))
def test_runs_match_the_plain_version(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.choice([1, 2, 3, 16, 256, 700])
    ts, feats = 1_700_000_000_000, []
    for _ in range(n):
        ts += rng.choice([0, 0, 1, 5, 40, 900, 60_000, 3_600_000])  # ties, bursts and long gaps
        feats.append(_feat(rng.randint(1, 4), rng.randint(1, 3), ts))
    rng.shuffle(feats)
    idx = sorted(range(n), key=lambda i: feats[i].ts_ms)  # a stable sort by time, as the window's order
    sorted_feats = [feats[i] for i in idx]
    span = (sorted_feats[-1].ts_ms - sorted_feats[0].ts_ms) / 1000.0
    mean_gap = max(span / max(1, n - 1), 1e-3)
    got = _runs(sorted_feats, idx, mean_gap)
    want = reference_runs(sorted_feats, idx, mean_gap)
    assert [list(col) for col in got] == [list(col) for col in zip(*want, strict=True)]
    assert any(x == 1.0 for x in got[4]) or n < 16  # a window of bursts has runs: the test sees them
