"""Run blocking work (SQLite, torch) off the trio event loop, one job at a time per resource.

Each resource gets its own single-slot CapacityLimiter, so the store is only
ever touched by one thread at a time (SQLite connections are not safe to share
concurrently) and scoring does not fight itself for the CPU.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import trio

T = TypeVar("T")


class Worker:
    """Serializes calls to one blocking resource through ``trio.to_thread``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._limiter = trio.CapacityLimiter(1)
        self.busy_s = 0.0
        self.calls = 0
        #: seconds spent per function name: where the time goes (bench_node prints it)
        self.by_fn: dict[str, float] = {}
        #: CPU seconds of the worker thread, in all and per function name: wall time above also
        #: counts waiting for the GIL, the disk (fsync) and, for a shared scorer, its lock
        self.cpu_s = 0.0
        self.cpu_by_fn: dict[str, float] = {}

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def timed() -> T:
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                dt, dc = time.perf_counter() - start, time.thread_time() - cpu
                self.busy_s += dt
                self.cpu_s += dc
                self.calls += 1
                name = getattr(fn, "__name__", "?")
                self.by_fn[name] = self.by_fn.get(name, 0.0) + dt
                self.cpu_by_fn[name] = self.cpu_by_fn.get(name, 0.0) + dc

        return await trio.to_thread.run_sync(timed, limiter=self._limiter)
