"""The virtual clock: order, same-millisecond work, periodic timers, stop."""

from __future__ import annotations

from node.sim.virtual.clock import Scheduler


def test_runs_by_time_then_by_scheduling_order():
    s = Scheduler(1)
    seen: list[str] = []
    s.at(20, seen.append, "c")
    s.at(10, seen.append, "a")
    s.at(10, seen.append, "b")
    s.after(0.2, seen.append, "first")  # rounds up to 1 ms
    assert s.run_until(100) == 4
    assert seen == ["first", "a", "b", "c"]
    assert s.now_ms == 100


def test_work_scheduled_for_now_runs_in_the_same_bucket_after_what_is_queued():
    s = Scheduler(1)
    seen: list[str] = []

    def first() -> None:
        seen.append("first")
        s.at(s.now_ms, seen.append, "now")
        s.at(s.now_ms - 5, seen.append, "past is now")

    s.at(5, first)
    s.at(5, seen.append, "second")
    s.run_until(5)
    assert seen == ["first", "second", "now", "past is now"]


def test_every_stops_at_until_and_run_until_leaves_later_work():
    s = Scheduler(1)
    ticks: list[int] = []
    s.every(100, lambda: ticks.append(s.now_ms), first_ms=0, until_ms=350)
    s.at(1000, ticks.append, -1)
    s.run_until(500)
    assert ticks == [0, 100, 200, 300]
    assert s.pending == 1
    s.run_until(1000)
    assert ticks[-1] == -1


def test_stop_keeps_the_rest_of_the_bucket():
    s = Scheduler(1)
    seen: list[int] = []
    s.at(1, lambda: (seen.append(1), s.stop()))
    s.at(1, seen.append, 2)
    s.run_until(10)
    assert seen == [1]
    assert s.now_ms == 1
    s.run_until(10)
    assert seen == [1, 2]


def test_seeded_randomness_is_reproducible_and_forks_are_independent():
    a, b = Scheduler(7), Scheduler(7)
    assert [a.rng.random() for _ in range(3)] == [b.rng.random() for _ in range(3)]
    fa, fb = a.fork_rng("x"), b.fork_rng("x")
    assert fa.random() == fb.random()
    assert Scheduler(8).rng.random() != Scheduler(7).rng.random()
