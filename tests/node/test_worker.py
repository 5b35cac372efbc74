"""Worker: one job at a time per resource, and where its time goes (wall and CPU per call)."""

from __future__ import annotations

import time

import trio

from node.worker import Worker


def _spin(seconds: float) -> int:
    end, n = time.thread_time() + seconds, 0
    while time.thread_time() < end:
        n += 1
    return n


def _nap(seconds: float) -> None:
    time.sleep(seconds)


async def test_cpu_time_is_counted_apart_from_waiting() -> None:
    w = Worker("model")
    assert await w.run(_spin, 0.05) > 0
    await w.run(_nap, 0.1)
    assert w.calls == 2
    assert w.by_fn["_nap"] >= 0.1
    assert w.cpu_by_fn["_nap"] < 0.05  # asleep: wall time, almost no CPU
    assert w.cpu_by_fn["_spin"] >= 0.05
    assert w.busy_s >= w.by_fn["_nap"] + w.by_fn["_spin"] - 1e-9
    assert abs(w.cpu_s - (w.cpu_by_fn["_nap"] + w.cpu_by_fn["_spin"])) < 1e-9


async def test_one_job_at_a_time() -> None:
    w = Worker("store")
    running = peak = 0

    def job() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        time.sleep(0.02)
        running -= 1

    async with trio.open_nursery() as n:
        for _ in range(4):
            n.start_soon(w.run, job)
    assert peak == 1
    assert w.calls == 4
