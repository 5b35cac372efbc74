"""The virtual clock: a deterministic discrete-event scheduler in integer milliseconds.

Theory of operation
-------------------
Simulated time is an integer count of milliseconds (the protocol's own
``now_ms`` unit). Nothing reads the wall clock. Work is scheduled as
``(time, callback, args)``; :meth:`Scheduler.run_until` advances time to the
earliest bucket and runs its callbacks in the order they were scheduled.

A calendar of per-millisecond buckets replaces one heap entry per event: a
message fanned out to 1,000 peers becomes 1,000 list appends, and only the
distinct *times* go through the heap. Order is total and reproducible: by
time, then by scheduling order. Callbacks may schedule more work, also for
the current millisecond (it runs after everything already queued there).

Randomness comes from the scheduler's seeded :class:`random.Random` (or a
stream derived from it with :meth:`Scheduler.fork_rng`), never from the global
one, so a scenario plus a seed fixes every outcome.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from typing import Any

Callback = Callable[..., Any]


class Scheduler:
    """Virtual time plus the queue of what happens when."""

    __slots__ = ("_buckets", "_times", "events", "now_ms", "rng", "_stopped")

    def __init__(self, seed: int, start_ms: int = 0) -> None:
        self.now_ms = start_ms
        self.rng = random.Random(f"attnshare-sim/{seed}")
        self.events = 0
        self._buckets: dict[int, list[tuple[Callback, tuple[Any, ...]]]] = {}
        self._times: list[int] = []
        self._stopped = False

    def fork_rng(self, name: str) -> random.Random:
        """An independent, named random stream (adding a consumer elsewhere leaves this one unchanged)."""
        return random.Random(f"{self.rng.random()}/{name}")

    def at(self, t_ms: int, fn: Callback, *args: Any) -> None:
        """Run ``fn(*args)`` at virtual time ``t_ms`` (now, if ``t_ms`` is in the past)."""
        t = self.now_ms if t_ms < self.now_ms else int(t_ms)
        bucket = self._buckets.get(t)
        if bucket is None:
            bucket = self._buckets[t] = []
            heapq.heappush(self._times, t)
        bucket.append((fn, args))

    def after(self, delay_ms: float, fn: Callback, *args: Any) -> None:
        """Run ``fn(*args)`` ``delay_ms`` from now (rounded up to whole ms)."""
        d = int(delay_ms)
        if d < delay_ms:
            d += 1
        self.at(self.now_ms + d, fn, *args)

    def every(self, period_ms: int, fn: Callback, *args: Any, first_ms: int | None = None,
              until_ms: int | None = None) -> None:
        """Run ``fn(*args)`` every ``period_ms`` (first at ``first_ms``) until ``until_ms``."""
        if period_ms < 1:
            raise ValueError("period_ms must be >= 1")

        def fire() -> None:
            fn(*args)
            nxt = self.now_ms + period_ms
            if until_ms is None or nxt <= until_ms:
                self.at(nxt, fire)

        self.at(self.now_ms + period_ms if first_ms is None else first_ms, fire)

    def stop(self) -> None:
        """End :meth:`run_until` after the callback now running."""
        self._stopped = True

    @property
    def pending(self) -> int:
        return sum(len(b) for b in self._buckets.values())

    def run_until(self, end_ms: int) -> int:
        """Run everything scheduled up to and including ``end_ms``; returns the events run.

        Afterwards ``now_ms == end_ms`` unless :meth:`stop` was called.
        """
        ran = 0
        self._stopped = False
        times, buckets = self._times, self._buckets
        while times and times[0] <= end_ms and not self._stopped:
            t = heapq.heappop(times)
            self.now_ms = t
            bucket = buckets[t]
            i = 0
            # The bucket may grow while it runs (work scheduled for "now").
            while i < len(bucket):
                fn, args = bucket[i]
                i += 1
                fn(*args)
                if self._stopped:
                    break
            ran += i
            if i < len(bucket):  # stopped midway: keep the rest for a later run
                del bucket[:i]
                heapq.heappush(times, t)
            else:
                del buckets[t]
        if not self._stopped:
            self.now_ms = max(self.now_ms, end_ms)
        self.events += ran
        return ran
