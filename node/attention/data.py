"""Labeled windows from the workload generator, featurized once for training and evaluation.

Seed ranges are disjoint by construction: training worlds, validation worlds
(used to pick the loss and hyper-parameters) and test worlds (used only by
``model eval``) never share a seed, so evaluation runs on worlds the model
has never seen.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch

from node.attention.features import WindowFeatures, featurize
from node.workload import Workload
from protocol.record import Record

__all__ = ["TEST_SEEDS", "TRAIN_SEEDS", "VAL_SEEDS", "Window", "make_windows"]

TRAIN_SEEDS = range(1, 10_000)
VAL_SEEDS = range(50_000, 51_000)
TEST_SEEDS = range(90_000, 91_000)

_EPOCH_MS = 1_700_000_000_000


@dataclass(frozen=True, slots=True)
class Window:
    """One featurized window with its ground truth and context-case labels."""

    feats: WindowFeatures
    target: torch.Tensor  # [n] ground-truth importance
    cases: tuple[str, ...]
    refs: tuple[int, ...]
    records: tuple[Record, ...]  # the Records, for baselines that read fields

    def __len__(self) -> int:
        return len(self.cases)


def make_windows(seeds: range | list[int], per_seed: int, lengths: tuple[int, ...],
                 weights: tuple[float, ...] | None = None, *, shuffle_seed: int = 0) -> list[Window]:
    """``per_seed`` consecutive batches from each seed's world, with lengths drawn from ``lengths``."""
    rng = random.Random(f"attnshare-windows/{shuffle_seed}")
    out: list[Window] = []
    for seed in seeds:
        wl = Workload(seed)
        now = _EPOCH_MS + seed * 10_000_000
        for _ in range(per_seed):
            n = rng.choices(lengths, weights)[0]
            batch = wl.next_labeled(n, now)
            now = batch[-1].record.ts_ms + 1_000 + rng.randrange(600_000)
            recs = tuple(lr.record for lr in batch)
            out.append(Window(
                featurize(recs),
                torch.tensor([lr.importance for lr in batch], dtype=torch.float32),
                tuple(lr.case for lr in batch),
                tuple(lr.ref for lr in batch),
                recs,
            ))
    return out
