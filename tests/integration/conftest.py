"""Integration tests run whole nodes in this process, beside everything earlier tests left.

By the time the suite reaches them the process holds about a million objects the cyclic
collector must walk on every full collection: 0.9-1.7 s each, measured in a suite run (a node
alone: 0.17 s), and a flood of votes allocates enough to trigger several. Those pauses, not the
node, made an attacked phase take 3.6-4.2 s against about 1 s before and after. A daemon freezes
what it loaded at start (node.runner); each test here freezes what the suite built before it,
so what is measured is the nodes' own collections.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _frozen_heap() -> Iterator[None]:
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
